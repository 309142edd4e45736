// SPDX-License-Identifier: MIT
/*
 * The deterministic scheduler; see <kcompat/sched.h>. Every switch goes
 * through the fiber that called kcompat_sched_run() (home): a thread that
 * is preempted, blocks or finishes switches home, and home switches to
 * the thread chosen next. Two switches per change of hands, and one place
 * that decides.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <kcompat/fiber.h>
#include <kcompat/sched.h>
#include <linux/bug.h>
#include <linux/dma-fence.h>
#include <linux/lockdep.h>
#include "internal.h"

#define THREAD_STACK	(512 * 1024)	/* sanitizer frames are large */
#define RING		64		/* trace entries kept for reports */
#define APPLIED_MAX	256
#define SWITCHES_MAX	256		/* changes of hands kept for feedback */

enum wait_kind { WAIT_NONE, WAIT_LOCK, WAIT_FENCE, WAIT_COND };

struct sched_thread {
	struct kcompat_task task;	/* its execution context; lock owners point here */
	struct kcompat_fiber *fiber;
	void (*fn)(void *arg);
	void *arg;
	unsigned int id;
	bool done;
	uint32_t site;			/* where it stands: the last switch point it reached */
	unsigned int count[KCOMPAT_SP_NR];	/* switch points reached, by operation */
	enum wait_kind wait;
	const void *wait_obj;		/* lock map, fence, or condition argument */
	bool (*ready)(void *arg);
	/* WAIT_LOCK: also runnable when this says so (a ww waiter that must back off) */
	bool (*unless)(const void *arg);
	const void *unless_arg;
	const char *wait_what;
	const char *wait_file;
	int wait_line;
};

/* A trace entry: a switch point reached, or a preemption (op == SP_NR). */
struct event {
	unsigned long decision;
	unsigned int thread;
	enum kcompat_sp op;
	unsigned int nth;		/* the thread's nth of @op */
	const void *obj;
	const char *name;
	const char *file;
	int line;
	void *pc;
};

bool kcompat_sched_on;
static FILE *sched_log;		/* kcompat_sched_set_log() */

static struct {
	struct sched_thread *threads[KCOMPAT_SCHED_MAX_THREADS];
	unsigned int n;
	struct sched_thread *cur;	/* running thread; NULL on home */
	struct sched_thread *want;	/* a preemption's choice, for home */
	struct kcompat_fiber *home;
	const struct kcompat_sched_record *rec;
	size_t nrec, next_rec;
	size_t nat;			/* records at a thread's operation */
	unsigned long decisions;
	uint64_t hash;
	struct event ring[RING];
	unsigned long nevents;
	/* After the first WARN the ring keeps what led to it (freeze_trace()). */
	bool frozen;
	struct event scratch;		/* a point reached since, for the log */
	struct event *last;
	struct kcompat_sched_record applied[APPLIED_MAX];
	size_t napplied;
	uint32_t switches[SWITCHES_MAX];
	size_t nswitches;
	bool deadlocked;
} S;

/* FNV-1a over a few words: no pointers, so equal across processes. */
static void mix(uint64_t a, uint64_t b, uint64_t c)
{
	const uint64_t words[3] = { a, b, c };
	unsigned int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 8; j++) {
			S.hash ^= (words[i] >> (8 * j)) & 0xff;
			S.hash *= 0x100000001b3ull;
		}
}

/*
 * A switch point's place in the code: its operation and call site (the
 * file name's or return address's offset in the image, so the same in
 * every process of one binary). Objects and threads are left out: the
 * same place on another object is the same place.
 */
static uint32_t site_of(enum kcompat_sp op, const char *file, int line, const void *pc)
{
	uintptr_t at = (uintptr_t)(file ? (const void *)file : pc) -
		       (uintptr_t)(const void *)kcompat_sched_point;
	uint64_t h = ((uint64_t)at * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)line << 8) ^ (uint64_t)op;

	return (uint32_t)(h ^ h >> 32);
}

static void record(struct sched_thread *t, enum kcompat_sp op, const void *obj,
		   const char *name, const char *file, int line, void *pc)
{
	struct event *e = S.frozen ? &S.scratch : &S.ring[S.nevents++ % RING];
	unsigned int nth = 0;

	/* a preemption leaves the thread where it stood */
	if (op != KCOMPAT_SP_NR) {
		nth = ++t->count[op];
		t->site = site_of(op, file, line, pc);
	}
	S.last = e;
	*e = (struct event){ S.decisions, t->id, op, nth, obj, name, file, line, pc };
	mix(t->id, op, (uint64_t)line);
}

/* Control passes from @from (NULL: none yet) to @to: remember where. */
static void note_switch(const struct sched_thread *from, const struct sched_thread *to,
			bool preempted)
{
	uint32_t h;

	if (!from || from == to || S.nswitches == SWITCHES_MAX)
		return;
	/* a finished thread stands nowhere; a preempted one could have gone on */
	h = (from->done ? 0 : from->site) * 0x85ebca6bu;
	h ^= (h >> 15) ^ to->site ^ (preempted ? 0x5bd1e995u : 0);
	S.switches[S.nswitches++] = h;
}

/* ---- who can run --------------------------------------------------------------- */

static bool can_run(const struct sched_thread *t)
{
	if (t->done)
		return false;
	switch (t->wait) {
	case WAIT_NONE:
		return true;
	case WAIT_LOCK:
		return !READ_ONCE(((const struct lockdep_map *)t->wait_obj)->owner) ||
		       (t->unless && t->unless(t->unless_arg));
	case WAIT_FENCE:
		return dma_fence_is_signaled((struct dma_fence *)t->wait_obj);
	case WAIT_COND:
		return t->ready((void *)t->wait_obj);
	}
	return false;
}

static bool another_can_run(const struct sched_thread *self)
{
	unsigned int i;

	for (i = 0; i < S.n; i++)
		if (S.threads[i] != self && can_run(S.threads[i]))
			return true;
	return false;
}

/* The first thread that can run after @after (by number, cyclically). */
static struct sched_thread *next_after(unsigned int after)
{
	unsigned int i;

	for (i = 1; i <= S.n; i++) {
		struct sched_thread *t = S.threads[(after + i - 1) % S.n];

		if (can_run(t))
			return t;
	}
	return NULL;
}

static struct sched_thread *thread_of(const void *task)
{
	unsigned int i;

	for (i = 0; i < S.n; i++)
		if (&S.threads[i]->task == task)
			return S.threads[i];
	return NULL;
}

/* From a thread: hand control home, until home switches back. */
static void go_home(void)
{
	kcompat_fiber_switch(S.home);
}

static void print_event(FILE *out, const char *prefix, const struct event *e);

/* The switch point just recorded, on the log if there is one. */
static void log_point(const char *prefix)
{
	if (unlikely(sched_log))
		print_event(sched_log, prefix, S.last);
}

void kcompat_sched_set_log(FILE *out)
{
	sched_log = out;
}

/* ---- switch points ---------------------------------------------------------- */

/*
 * The record for decision @d, if any; records passed by are dropped.
 * Records at a thread's operation are passed over (step 0).
 */
static const struct kcompat_sched_record *record_for(unsigned long d)
{
	while (S.next_rec < S.nrec && S.rec[S.next_rec].step < d)
		S.next_rec++;
	if (S.next_rec < S.nrec && S.rec[S.next_rec].step == d)
		return &S.rec[S.next_rec++];
	return NULL;
}

/* The record for @t's switch point just reached (@op, its count), if any. */
static const struct kcompat_sched_record *record_at(const struct sched_thread *t,
						     enum kcompat_sp op)
{
	size_t i;

	for (i = 0; i < S.nrec; i++) {
		const struct kcompat_sched_record *r = &S.rec[i];

		if (!r->step && r->at == t->id && r->op == op && r->nth == t->count[op])
			return r;
	}
	return NULL;
}

void kcompat_sched_point(enum kcompat_sp op, const void *obj, const char *name,
			 const char *file, int line)
{
	struct sched_thread *t = S.cur, *to;
	const struct kcompat_sched_record *r;

	if (!t)
		return;
	record(t, op, obj, name, file, line, __builtin_return_address(0));
	if (!another_can_run(t)) {
		log_point("[-]");
		return;
	}
	r = record_for(++S.decisions);
	if (!r && S.nat)
		r = record_at(t, op);
	if (unlikely(sched_log)) {
		char d[32];

		snprintf(d, sizeof(d), "[%lu]", S.decisions);
		log_point(d);
	}
	if (!r || r->thread == t->id || r->thread > S.n)
		return;
	to = S.threads[r->thread - 1];
	if (!can_run(to))
		return;
	if (S.napplied < APPLIED_MAX)
		S.applied[S.napplied] = (struct kcompat_sched_record){
			.step = S.decisions, .thread = to->id };
	S.napplied++;
	record(t, KCOMPAT_SP_NR, NULL, NULL, NULL, (int)to->id, NULL);
	log_point("   ");
	S.want = to;
	go_home();
}

/* Block the running thread on what its wait fields say, until it can run. */
static void block(struct sched_thread *t)
{
	while (!can_run(t))
		go_home();
	t->wait = WAIT_NONE;
}

/* Called with nothing to block: a wait outside any thread cannot end. */
static void stuck_outside(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: waits for %s, which a scheduler thread holds, outside any thread\n",
		file, line, what);
	abort();
}

void kcompat_sched_wait_lock_unless(const struct lockdep_map *map, const char *file, int line,
				    bool (*unless)(const void *arg), const void *arg)
{
	struct sched_thread *t = S.cur;

	if (!t)
		stuck_outside(map->name, file, line);
	t->wait = WAIT_LOCK;
	t->wait_obj = map;
	t->wait_file = file;
	t->wait_line = line;
	t->unless = unless;
	t->unless_arg = arg;
	block(t);
	t->unless = NULL;
}

void kcompat_sched_wait_lock(const struct lockdep_map *map, const char *file, int line)
{
	kcompat_sched_wait_lock_unless(map, file, line, NULL, NULL);
}

void kcompat_sched_wait_fence(const struct dma_fence *fence, const char *file, int line)
{
	struct sched_thread *t = S.cur;

	if (!t)
		stuck_outside("a fence", file, line);
	t->wait = WAIT_FENCE;
	t->wait_obj = fence;
	t->wait_file = file;
	t->wait_line = line;
	block(t);
}

void kcompat_sched_wait(bool (*ready)(void *arg), void *arg, const char *what)
{
	struct sched_thread *t = S.cur;

	if (!t)
		stuck_outside(what, __FILE__, __LINE__);
	record(t, KCOMPAT_SP_WAIT, arg, what, NULL, 0, __builtin_return_address(0));
	t->wait = WAIT_COND;
	t->ready = ready;
	t->wait_obj = arg;
	t->wait_what = what;
	t->wait_file = NULL;
	t->wait_line = 0;
	block(t);
}

/* ---- deadlock reports -------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, size;
};

static __printf(2, 3) void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n : b->size - b->len;
}

static const struct kcompat_held_lock *held_entry(const struct kcompat_task *task,
						  const struct lockdep_map *map)
{
	unsigned int i;

	for (i = task->depth; i--;)
		if (task->held[i].map == map)
			return &task->held[i];
	return NULL;
}

/* One line for @t's wait; the thread it waits for, if one of ours. */
static struct sched_thread *describe_wait(struct buf *b, const struct sched_thread *t)
{
	const struct lockdep_map *map = t->wait_obj;
	const struct dma_fence *fence = t->wait_obj;
	const struct kcompat_held_lock *h;
	struct sched_thread *holder;
	const void *owner;

	put(b, "\n  T%u %s", t->id, t->task.name);
	switch (t->wait) {
	case WAIT_LOCK:
		owner = READ_ONCE(map->owner);
		holder = thread_of(owner);
		put(b, " waits for %s at %s:%d, held by ", map->name, t->wait_file, t->wait_line);
		if (!holder) {
			put(b, "a task outside the scheduler");
			return NULL;
		}
		h = held_entry(owner, map);
		put(b, "T%u %s since %s:%d", holder->id, holder->task.name,
		    h ? h->file : "?", h ? h->line : 0);
		return holder->done ? NULL : holder;
	case WAIT_FENCE:
		put(b, " waits for fence %llu:%llu at %s:%d, which no thread left will signal",
		    (unsigned long long)fence->context, (unsigned long long)fence->seqno,
		    t->wait_file, t->wait_line);
		return NULL;
	case WAIT_COND:
		put(b, " waits for %s", t->wait_what);
		return NULL;
	case WAIT_NONE:
		break;
	}
	put(b, " is not waiting");
	return NULL;
}

/* Every unfinished thread waits: the chain from @last, then the others. */
static void report_deadlock(struct sched_thread *last)
{
	char text[1536];
	struct buf b = { text, 0, sizeof(text) };
	bool said[KCOMPAT_SCHED_MAX_THREADS] = { false };
	struct sched_thread *t;
	unsigned int i;

	put(&b, "deadlock: every thread is blocked");
	for (t = last; t && !said[t->id - 1]; t = describe_wait(&b, t))
		said[t->id - 1] = true;
	if (t)
		put(&b, "\n  (a cycle: T%u again)", t->id);
	for (i = 0; i < S.n; i++)
		if (!said[i] && !S.threads[i]->done)
			describe_wait(&b, S.threads[i]);
	kcompat_warn(last->wait_file ? last->wait_file : __FILE__,
		     last->wait_file ? last->wait_line : __LINE__, "%s", text);
}

/* ---- the schedule ------------------------------------------------------------- */

int kcompat_sched_init(const struct kcompat_sched_record *records, size_t n)
{
	unsigned long step = 0;
	size_t i, nat = 0;

	if (kcompat_sched_on)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		const struct kcompat_sched_record *r = &records[i];

		if (!r->step) {
			if (!r->at || (unsigned int)r->op >= KCOMPAT_SP_NR || !r->nth)
				return -EINVAL;
			nat++;
			continue;
		}
		if (r->step <= step)
			return -EINVAL;
		step = r->step;
	}
	memset(&S, 0, sizeof(S));
	S.rec = records;
	S.nrec = n;
	S.nat = nat;
	S.hash = 0xcbf29ce484222325ull;
	kcompat_sched_on = true;
	return 0;
}

static void thread_main(void *arg)
{
	struct sched_thread *t = arg;

	t->fn(t->arg);
	WARN(t->task.depth, "thread T%u %s finished holding %u locks, the last %s",
	     t->id, t->task.name, t->task.depth,
	     t->task.depth ? t->task.held[t->task.depth - 1].map->name : "");
}

int kcompat_sched_spawn(const char *name, void (*fn)(void *arg), void *arg)
{
	struct sched_thread *t;

	if (!kcompat_sched_on || !fn)
		return -EINVAL;
	if (S.n == KCOMPAT_SCHED_MAX_THREADS)
		return -ENOSPC;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fiber = kcompat_fiber_create(thread_main, t, THREAD_STACK);
	if (!t->fiber) {
		free(t);
		return -ENOMEM;
	}
	t->task.name = name;
	t->fn = fn;
	t->arg = arg;
	t->id = ++S.n;
	S.threads[t->id - 1] = t;
	return (int)t->id;
}

int kcompat_sched_run(void)
{
	struct sched_thread *t, *next;
	struct kcompat_task *outside;
	unsigned int i;

	if (!kcompat_sched_on || S.cur || S.deadlocked)
		return -EINVAL;
	S.home = kcompat_fiber_self();
	outside = kcompat_current();
	for (t = next_after(0); t; t = next) {
		S.cur = t;
		kcompat_set_current(&t->task);
		kcompat_fiber_switch(t->fiber);
		kcompat_set_current(outside);
		S.cur = NULL;
		t->done = kcompat_fiber_done(t->fiber);
		next = S.want;
		S.want = NULL;
		if (next)
			note_switch(t, next, true);
		else if ((next = next_after(t->id)))	/* it finished or blocked */
			note_switch(t, next, false);
		else
			break;
	}
	for (i = 0; i < S.n; i++)
		if (!S.threads[i]->done) {
			S.deadlocked = true;
			/* t blocked last: its chain first */
			report_deadlock(t && !t->done ? t : S.threads[i]);
			return -EDEADLK;
		}
	return 0;
}

void kcompat_sched_fini(void)
{
	unsigned int i;

	if (!kcompat_sched_on || S.cur)
		return;
	for (i = 0; i < S.n; i++) {
		kcompat_fiber_destroy(S.threads[i]->fiber);
		free(S.threads[i]);
	}
	memset(&S, 0, sizeof(S));
	kcompat_sched_on = false;
}

/* ---- what happened -------------------------------------------------------------- */

unsigned int kcompat_sched_current(void)
{
	return S.cur ? S.cur->id : 0;
}

unsigned long kcompat_sched_decisions(void)
{
	return S.decisions;
}

size_t kcompat_sched_switches(uint32_t *out, size_t max)
{
	size_t n = S.nswitches < max ? S.nswitches : max;

	if (n)
		memcpy(out, S.switches, n * sizeof(*out));
	return S.nswitches;
}

uint64_t kcompat_sched_hash(void)
{
	return S.hash;
}

size_t kcompat_sched_applied(struct kcompat_sched_record *out, size_t max)
{
	size_t n = S.napplied < APPLIED_MAX ? S.napplied : APPLIED_MAX;

	if (n > max)
		n = max;
	if (n)
		memcpy(out, S.applied, n * sizeof(*out));
	return S.napplied;
}

/* Sanitizer runtimes symbolize a return address; elsewhere it stays a number. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
	__attribute__((weak));

/*
 * Where a switch point without a call site was reached: the innermost
 * frame (inlined ones included) outside every include directory, and the
 * function of the header it called into, so that a kref_get() in
 * drm_gpuvm_get() shows "fuzz/x.c:27 caller (drm_gpuvm_get)".
 */
static void where(const struct event *e, char *out, size_t size)
{
	char frames[1024], api[128] = "";
	const char *f, *pick = NULL, *fn;

	if (e->file) {
		snprintf(out, size, "%s:%d", e->file, e->line);
		return;
	}
	snprintf(out, size, "pc %p", e->pc);
	if (!__sanitizer_symbolize_pc || !e->pc)
		return;
	frames[0] = frames[1] = '\0';
	__sanitizer_symbolize_pc((char *)e->pc - 1, "%s:%l %f", frames, sizeof(frames) - 1);
	frames[sizeof(frames) - 1] = '\0';
	for (f = frames; *f; f += strlen(f) + 1) {
		if (!strstr(f, "/include/")) {
			pick = f;
			break;
		}
		fn = strrchr(f, ' ');
		snprintf(api, sizeof(api), " (%s)", fn ? fn + 1 : f);
	}
	if (!pick) {
		pick = frames[0] ? frames : NULL;
		api[0] = '\0';
	}
	/* Bazel's builds name sources from the execution root */
	if (pick && !strncmp(pick, "/proc/self/cwd/", 15))
		pick += 15;
	if (pick)
		snprintf(out, size, "%s%s", pick, api);
}

static void print_event(FILE *out, const char *prefix, const struct event *e)
{
	char loc[512], op[32];

	if (e->op == KCOMPAT_SP_NR) {
		fprintf(out, "%s-- decision %lu: preempt T%u, run T%d\n", prefix,
			e->decision, e->thread, e->line);
		return;
	}
	where(e, loc, sizeof(loc));
	snprintf(op, sizeof(op), "%s.%u", kcompat_sp_name(e->op), e->nth);
	fprintf(out, "%s%sT%u %-8s %-15s %-26s %s\n", prefix, *prefix ? " " : "", e->thread,
		S.threads[e->thread - 1] ? S.threads[e->thread - 1]->task.name : "?",
		op, e->name ? e->name : "", loc);
}

void kcompat_sched_freeze_trace(void)
{
	if (kcompat_sched_on)
		S.frozen = true;
}

void kcompat_sched_print_trace(FILE *out, unsigned int last)
{
	unsigned long from, i;

	if (last > RING)
		last = RING;
	from = S.nevents > last ? S.nevents - last : 0;
	for (i = from; i < S.nevents; i++)
		print_event(out, " ", &S.ring[i % RING]);
}
