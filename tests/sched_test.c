// SPDX-License-Identifier: MIT
/*
 * The deterministic scheduler (kcompat/sched.c): threads run in the order
 * the schedule says and nowhere else change hands; a record preempts at
 * its decision; locks, fences and conditions block and wake; ww_mutexes
 * back off by age; each thread is its own task for lockdep and the
 * signalling checks; a deadlock is reported with its wait-for chain; the
 * same schedule gives the same trace hash, and the changes of hands say
 * where they happened (a fuzzer's feedback). Each check is shown firing on
 * a deliberate bug: a lost reference, an AB-BA pair, a fence nobody
 * signals.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/ww_mutex.h>
#include <kcompat/sched.h>
#include "test.h"

/* Sanitizer runtimes symbolize return addresses for the trace. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
	__attribute__((weak));

static char order[128];
static size_t norder;

static void note(char c)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = c;
	order[norder] = '\0';
}

static void reset_order(void)
{
	norder = 0;
	order[0] = '\0';
}

/* Run @n threads @fns under @recs; returns kcompat_sched_run()'s result. */
static int run(const struct kcompat_sched_record *recs, size_t nrecs,
	       void (*const *fns)(void *), const char *const *names, size_t n, uint64_t *hash)
{
	size_t i;
	int ret;

	reset_order();
	CHECK_EQ(kcompat_sched_init(recs, nrecs), 0);
	for (i = 0; i < n; i++)
		CHECK_EQ(kcompat_sched_spawn(names[i], fns[i], NULL), i + 1);
	ret = kcompat_sched_run();
	if (hash)
		*hash = kcompat_sched_hash();
	return ret;
}

/* RUN(records, n, hash, thread functions...): threads named A, B, ... */
#define RUN(recs, nrecs, hash, ...) ({						\
	static void (*const __fns[])(void *) = { __VA_ARGS__ };			\
	static const char *const __names[] = { "A", "B", "C", "D" };		\
	run((recs), (nrecs), __fns, __names, sizeof(__fns) / sizeof(__fns[0]), (hash)); \
})
#define RUN_WITH(recs, ...)	RUN((recs), sizeof(recs) / sizeof((recs)[0]), NULL, __VA_ARGS__)
#define RUN_FREE(...)		RUN(NULL, 0, NULL, __VA_ARGS__)

/* ---- order -------------------------------------------------------------------- */

static struct kref ref;

/* Each step is a switch point (a get and a put): a place to be preempted. */
static void steps_a(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		note('a');
		kref_get(&ref);
		refcount_dec_and_test(&ref.refcount);
	}
}

static void steps_b(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		note('b');
		kref_get(&ref);
		refcount_dec_and_test(&ref.refcount);
	}
}

TEST(without_records_each_runs_to_the_end)
{
	kref_init(&ref);
	CHECK_EQ(RUN_FREE(steps_a, steps_b), 0);
	CHECK(!strcmp(order, "aaabbb"));
	/* decisions: the six switch points of A, while B could run */
	CHECK_EQ(kcompat_sched_decisions(), 6);
	kcompat_sched_fini();
	CHECK(!kcompat_sched_on);
}

TEST(a_record_preempts_at_its_decision)
{
	/* A's 3rd switch point (the 2nd get) goes to B; B's 2nd back to A. */
	static const struct kcompat_sched_record recs[] = { { .step = 3, .thread = 2 }, { .step = 5, .thread = 1 } };
	struct kcompat_sched_record applied[4];

	kref_init(&ref);
	CHECK_EQ(RUN_WITH(recs, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "aababb"));
	CHECK_EQ(kcompat_sched_applied(applied, 4), 2);
	CHECK_EQ(applied[1].step, 5);
	CHECK_EQ(applied[1].thread, 1);
	kcompat_sched_fini();
}

TEST(records_that_cannot_preempt_are_skipped)
{
	/* one names the running thread, one a thread that does not exist */
	static const struct kcompat_sched_record recs[] = { { .step = 1, .thread = 1 }, { .step = 2, .thread = 7 } };
	struct kcompat_sched_record applied[1];

	kref_init(&ref);
	CHECK_EQ(RUN_WITH(recs, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "aaabbb"));
	CHECK_EQ(kcompat_sched_applied(applied, 1), 0);
	kcompat_sched_fini();
}

#define AT(a, o, n, t)	{ .at = (a), .op = KCOMPAT_SP_##o, .nth = (n), .thread = (t) }

TEST(a_record_at_a_threads_nth_operation)
{
	/* A's 1st get to B; B's 2nd get back to A; A's 2nd put to B */
	static const struct kcompat_sched_record at[] = {
		{ .step = 1, .thread = 2 }, AT(2, GET, 2, 1), AT(1, PUT, 2, 2),
	};
	/* the same preemptions by decision number */
	static const struct kcompat_sched_record by_step[] = {
		{ .step = 1, .thread = 2 }, { .step = 4, .thread = 1 }, { .step = 7, .thread = 2 },
	};
	struct kcompat_sched_record applied[4];
	uint64_t h_at, h_step;

	kref_init(&ref);
	CHECK_EQ(RUN(at, 3, &h_at, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "abbaba"));
	/* each reported as the decision it preempted at */
	CHECK_EQ(kcompat_sched_applied(applied, 4), 3);
	CHECK_EQ(applied[1].step, 4);
	CHECK_EQ(applied[1].thread, 1);
	CHECK_EQ(applied[2].step, 7);
	CHECK_EQ(applied[2].thread, 2);
	kcompat_sched_fini();
	CHECK_EQ(RUN(by_step, 3, &h_step, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "abbaba"));
	CHECK_EQ(h_at, h_step);
	kcompat_sched_fini();
}

TEST(a_record_at_an_operation_holds_when_decisions_move)
{
	/* B is preempted once more early on: every later decision moves by one */
	static const struct kcompat_sched_record at[] = {
		{ .step = 1, .thread = 2 }, { .step = 2, .thread = 1 }, AT(1, GET, 2, 2),
		AT(2, PUT, 2, 1),
	};
	static const struct kcompat_sched_record at_shifted[] = {
		{ .step = 1, .thread = 2 }, { .step = 3, .thread = 1 }, AT(1, GET, 2, 2),
		AT(2, PUT, 2, 1),
	};

	struct kcompat_sched_record applied[4];

	kref_init(&ref);
	/* A's get.1 to B; B's get.1 to A; A's get.2 (decision 4) to B; B's put.2 to A */
	CHECK_EQ(RUN_WITH(at, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "ababab"));
	CHECK_EQ(kcompat_sched_applied(applied, 4), 4);
	CHECK_EQ(applied[2].step, 4);
	kcompat_sched_fini();
	/* B's put.1 to A instead: A's get.2 is decision 5 now, and still preempted */
	CHECK_EQ(RUN_WITH(at_shifted, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "ababab"));
	CHECK_EQ(kcompat_sched_applied(applied, 4), 4);
	CHECK_EQ(applied[2].step, 5);
	CHECK_EQ(applied[2].thread, 2);
	CHECK_EQ(applied[3].thread, 1);
	kcompat_sched_fini();
}

TEST(a_record_at_a_point_that_is_no_decision_is_skipped)
{
	/* B runs after A has finished: none of its points is a decision */
	static const struct kcompat_sched_record recs[] = { AT(2, PUT, 3, 1), AT(1, GET, 9, 2) };
	struct kcompat_sched_record applied[1];

	kref_init(&ref);
	CHECK_EQ(RUN_WITH(recs, steps_a, steps_b), 0);
	CHECK(!strcmp(order, "aaabbb"));
	CHECK_EQ(kcompat_sched_applied(applied, 1), 0);
	kcompat_sched_fini();
}

TEST(bad_schedules_are_refused)
{
	static const struct kcompat_sched_record zero[] = { { .step = 0, .thread = 1 } };
	static const struct kcompat_sched_record down[] = { { .step = 4, .thread = 1 }, { .step = 4, .thread = 2 } };

	/* at a thread's operation: thread 0, no such operation, N = 0 */
	static const struct kcompat_sched_record at_bad[][1] = {
		{ AT(0, GET, 1, 2) }, { { .at = 1, .op = KCOMPAT_SP_NR, .nth = 1, .thread = 2 } },
		{ AT(1, GET, 0, 2) },
	};
	/* anywhere among records by decision, which still go up */
	static const struct kcompat_sched_record mixed[] = {
		{ .step = 4, .thread = 1 }, AT(1, GET, 1, 2), { .step = 5, .thread = 2 },
	};
	static const struct kcompat_sched_record mixed_down[] = {
		{ .step = 4, .thread = 1 }, AT(1, GET, 1, 2), { .step = 3, .thread = 2 },
	};

	CHECK_EQ(kcompat_sched_init(zero, 1), -EINVAL);
	CHECK_EQ(kcompat_sched_init(down, 2), -EINVAL);
	for (size_t i = 0; i < sizeof(at_bad) / sizeof(at_bad[0]); i++)
		CHECK_EQ(kcompat_sched_init(at_bad[i], 1), -EINVAL);
	CHECK_EQ(kcompat_sched_init(mixed_down, 3), -EINVAL);
	CHECK_EQ(kcompat_sched_init(mixed, 3), 0);
	kcompat_sched_fini();
	CHECK_EQ(kcompat_sched_spawn("x", steps_a, NULL), -EINVAL);
	CHECK_EQ(kcompat_sched_run(), -EINVAL);
	CHECK_EQ(kcompat_sched_init(NULL, 0), 0);
	CHECK_EQ(kcompat_sched_init(NULL, 0), -EBUSY);
	for (int i = 0; i < KCOMPAT_SCHED_MAX_THREADS; i++)
		CHECK_EQ(kcompat_sched_spawn("x", steps_a, NULL), i + 1);
	CHECK_EQ(kcompat_sched_spawn("x", steps_a, NULL), -ENOSPC);
	kcompat_sched_fini();	/* never run: nothing started */
}

/* ---- a race only an interleaving shows ------------------------------------------ */

/*
 * The object B drops while A, having found it without a lock, takes a
 * plain reference instead of kref_get_unless_zero(): harmless unless B's
 * put comes between A's look-up and A's get.
 */
static struct kref obj;
static bool obj_released;

static void obj_release(struct kref *k)
{
	(void)k;
	obj_released = true;
}

static void lookup_and_get(void *arg)
{
	(void)arg;
	if (!obj_released) {		/* the look-up */
		kref_get(&obj);		/* the deliberate bug: not _unless_zero */
		kref_put(&obj, obj_release);
	}
}

static void drop_last(void *arg)
{
	(void)arg;
	kref_put(&obj, obj_release);
}

TEST(an_interleaving_finds_a_get_after_the_last_put)
{
	static const struct kcompat_sched_record preempt_get[] = { { .step = 1, .thread = 2 } };

	kref_init(&obj);
	obj_released = false;
	CHECK_EQ(RUN_FREE(lookup_and_get, drop_last), 0);
	CHECK(obj_released);
	CHECK_WARNS(0);
	kcompat_sched_fini();

	kref_init(&obj);
	obj_released = false;
	kcompat_warn_set_quiet(true);
	CHECK_EQ(RUN_WITH(preempt_get, lookup_and_get, drop_last), 0);
	kcompat_warn_set_quiet(false);
	/* "addition on 0; use-after-free", then the put of the saturated count */
	CHECK_WARNS(2);
	kcompat_sched_fini();
}

/* ---- locks ------------------------------------------------------------------------- */

static struct mutex m;

static void hold_m(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	note('1');
	kfree(kmalloc(8, GFP_KERNEL));	/* two switch points inside */
	note('2');
	mutex_unlock(&m);
	note('3');
}

static void want_m(void *arg)
{
	(void)arg;
	note('w');
	CHECK(mutex_is_locked(&m));
	CHECK(!lockdep_is_held(&m));	/* A holds it, not this task */
	mutex_lock(&m);
	CHECK(lockdep_is_held(&m));
	note('g');
	mutex_unlock(&m);
}

TEST(a_held_mutex_blocks_until_unlocked)
{
	/* decision 2 is A's alloc, with m held */
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };

	mutex_init(&m);
	CHECK_EQ(RUN_WITH(recs, hold_m, want_m), 0);
	/* B blocks, A runs to its unlock (B can run again) and on to the end */
	CHECK(!strcmp(order, "1w23g"));
	CHECK_WARNS(0);
	kcompat_sched_fini();
	mutex_destroy(&m);
}

/* A spinlock held across a preemption blocks the other thread, not the process. */
static spinlock_t sl;

static void hold_sl(void *arg)
{
	(void)arg;
	spin_lock(&sl);
	note('1');
	kfree(kmalloc(8, GFP_NOWAIT));	/* switch points inside */
	note('2');
	spin_unlock(&sl);
}

static void want_sl(void *arg)
{
	(void)arg;
	note('w');
	spin_lock(&sl);
	note('g');
	spin_unlock(&sl);
}

TEST(a_held_spinlock_blocks_until_unlocked)
{
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };

	spin_lock_init(&sl);
	CHECK_EQ(RUN_WITH(recs, hold_sl, want_sl), 0);
	CHECK(!strcmp(order, "1w2g"));
	CHECK_WARNS(0);
	kcompat_sched_fini();
}

static struct mutex la, lb;

static void a_then_b(void *arg)
{
	(void)arg;
	mutex_lock(&la);
	mutex_lock(&lb);
	mutex_unlock(&lb);
	mutex_unlock(&la);
}

static void b_then_a(void *arg)
{
	(void)arg;
	mutex_lock(&lb);
	mutex_lock(&la);
	mutex_unlock(&la);
	mutex_unlock(&lb);
}

TEST(ab_ba_deadlocks_only_when_interleaved_and_names_the_chain)
{
	/* A holds la, B takes lb: each then waits for the other's */
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };
	const char *w;

	mutex_init(&la);
	mutex_init(&lb);
	kcompat_warn_set_quiet(true);
	CHECK_EQ(RUN_FREE(a_then_b, b_then_a), 0);
	/* lockdep saw both orders: the inversion is reported without a hang */
	CHECK_WARNS(1);
	kcompat_sched_fini();
	kcompat_lockdep_reset();

	CHECK_EQ(RUN_WITH(recs, a_then_b, b_then_a), -EDEADLK);
	w = kcompat_warn_last();
	CHECK(strstr(w, "deadlock: every thread is blocked") != NULL);
	CHECK(strstr(w, "T1 A waits for &lb") != NULL);
	CHECK(strstr(w, "held by T2 B since") != NULL);
	CHECK(strstr(w, "T2 B waits for &la") != NULL);
	CHECK(strstr(w, "(a cycle: T1 again)") != NULL);
	CHECK_WARNS(1);
	CHECK_EQ(kcompat_sched_run(), -EINVAL);	/* it does not start again */
	kcompat_sched_fini();	/* drops both threads, blocked */
	kcompat_warn_set_quiet(false);
	/* the locks are as the dead threads left them: start afresh */
	mutex_init(&la);
	mutex_init(&lb);
	kcompat_lockdep_reset();
}

/* ---- ww_mutex: wait-die ------------------------------------------------------------- */

static DEFINE_WW_CLASS(test_ww_class);
static struct ww_mutex wa, wb;
static int backoffs;

/* drm_exec's loop, by hand: lock both, on -EDEADLK drop all and retry slowly. */
static void lock_pair(struct ww_mutex *first, struct ww_mutex *second)
{
	struct ww_acquire_ctx ctx;
	struct ww_mutex *contended = NULL;
	int ret;

	ww_acquire_init(&ctx, &test_ww_class);
retry:
	if (contended)
		ww_mutex_lock_slow(contended, &ctx);
	ret = contended == first ? 0 : ww_mutex_lock(first, &ctx);
	if (ret == -EDEADLK) {
		backoffs++;
		if (contended)
			ww_mutex_unlock(contended);
		contended = first;
		goto retry;
	}
	ret = contended == second ? 0 : ww_mutex_lock(second, &ctx);
	if (ret == -EDEADLK) {
		backoffs++;
		ww_mutex_unlock(first);
		if (contended && contended != first)
			ww_mutex_unlock(contended);
		contended = second;
		goto retry;
	}
	note(first == &wa ? 'A' : 'B');
	ww_mutex_unlock(second);
	ww_mutex_unlock(first);
	ww_acquire_fini(&ctx);
}

static void ww_ab(void *arg)
{
	(void)arg;
	lock_pair(&wa, &wb);
}

static void ww_ba(void *arg)
{
	(void)arg;
	lock_pair(&wb, &wa);
}

TEST(ww_mutexes_back_off_instead_of_deadlocking)
{
	/* A (older) holds wa, B (younger) takes wb, then wants wa: B backs off */
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };

	ww_mutex_init(&wa, &test_ww_class);
	ww_mutex_init(&wb, &test_ww_class);
	backoffs = 0;
	CHECK_EQ(RUN_WITH(recs, ww_ab, ww_ba), 0);
	CHECK_EQ(backoffs, 1);
	CHECK(!strcmp(order, "AB"));
	CHECK_WARNS(0);
	kcompat_sched_fini();
	ww_mutex_destroy(&wa);
	ww_mutex_destroy(&wb);
}

/*
 * The holder changes under a waiter: B (younger, holding wb) waits for wa,
 * which A holds without a context; A lets go and takes wa again with its
 * (older) context, then wants wb. B must back off now, as the kernel's
 * wait-die wakes it to; waiting on, the two would deadlock.
 */
static int b_died;

static void older_retakes(void *arg)
{
	struct ww_acquire_ctx ctx;

	(void)arg;
	ww_acquire_init(&ctx, &test_ww_class);	/* the older context */
	ww_mutex_lock(&wa, NULL);
	ww_mutex_unlock(&wa);			/* decision 2: B runs, waits for wa */
	CHECK_EQ(ww_mutex_lock(&wa, &ctx), 0);
	CHECK_EQ(ww_mutex_lock(&wb, &ctx), 0);	/* B holds it: A waits, B must die */
	note('A');
	ww_mutex_unlock(&wb);
	ww_mutex_unlock(&wa);
	ww_acquire_fini(&ctx);
}

static void younger_waits(void *arg)
{
	struct ww_acquire_ctx ctx;

	(void)arg;
	ww_acquire_init(&ctx, &test_ww_class);
	CHECK_EQ(ww_mutex_lock(&wb, &ctx), 0);
	if (ww_mutex_lock(&wa, &ctx) == -EDEADLK) {
		b_died = 1;
		ww_mutex_unlock(&wb);
	} else {
		ww_mutex_unlock(&wa);
		ww_mutex_unlock(&wb);
	}
	note('B');
	ww_acquire_fini(&ctx);
}

TEST(ww_waiter_backs_off_when_an_older_context_takes_the_lock)
{
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };

	ww_mutex_init(&wa, &test_ww_class);
	ww_mutex_init(&wb, &test_ww_class);
	b_died = 0;
	CHECK_EQ(RUN_WITH(recs, older_retakes, younger_waits), 0);
	CHECK_EQ(b_died, 1);
	CHECK(!strcmp(order, "BA"));
	CHECK_WARNS(0);
	kcompat_sched_fini();
	ww_mutex_destroy(&wa);
	ww_mutex_destroy(&wb);
}

/* ---- fences and conditions --------------------------------------------------------------- */

static struct dma_fence fence;

static void waits(void *arg)
{
	(void)arg;
	note('w');
	dma_fence_wait(&fence, false);
	note('d');
}

static void signals(void *arg)
{
	(void)arg;
	note('s');
	dma_fence_signal(&fence);
}

static void signals_not(void *arg)
{
	(void)arg;
	note('n');
}

TEST(a_fence_wait_blocks_until_another_thread_signals)
{
	dma_fence_init(&fence, NULL, NULL, dma_fence_context_alloc(1), 1);
	CHECK_EQ(RUN_FREE(waits, signals), 0);
	CHECK(!strcmp(order, "wsd"));
	CHECK_WARNS(0);
	kcompat_sched_fini();

	/* the deliberate bug: nobody signals */
	dma_fence_init(&fence, NULL, NULL, dma_fence_context_alloc(1), 7);
	kcompat_warn_set_quiet(true);
	CHECK_EQ(RUN_FREE(waits, signals_not), -EDEADLK);
	kcompat_warn_set_quiet(false);
	CHECK(strstr(kcompat_warn_last(), "T1 A waits for fence") != NULL);
	CHECK(strstr(kcompat_warn_last(), ":7 at ") != NULL);
	CHECK_WARNS(1);
	kcompat_sched_fini();
}

static struct llist_head queue;
static bool queue_closed;

static bool queue_ready(void *arg)
{
	(void)arg;
	return !llist_empty(&queue) || queue_closed;
}

/* A job queue: the producer pushes two jobs, the consumer drains. */
static void consumer(void *arg)
{
	(void)arg;
	for (;;) {
		struct llist_node *n;

		kcompat_sched_wait(queue_ready, NULL, "jobs");
		n = llist_del_all(&queue);
		if (!n)
			break;
		for (; n; n = n->next)
			note('c');
	}
}

static void producer(void *arg)
{
	static struct llist_node jobs[2];

	(void)arg;
	llist_add(&jobs[0], &queue);
	note('p');
	llist_add(&jobs[1], &queue);
	note('p');
	queue_closed = true;
}

TEST(a_condition_wait_wakes_when_it_holds)
{
	init_llist_head(&queue);
	queue_closed = false;
	CHECK_EQ(RUN_FREE(consumer, producer), 0);
	CHECK(!strcmp(order, "ppcc"));
	kcompat_sched_fini();
}

/* ---- per-thread context -------------------------------------------------------------------- */

static bool b_saw_signalling;

static void in_section(void *arg)
{
	bool cookie = dma_fence_begin_signalling();

	(void)arg;
	CHECK(kcompat_in_signalling());
	kfree(kmalloc(8, GFP_NOWAIT));	/* a switch point in the section */
	dma_fence_end_signalling(cookie);
}

static void outside_section(void *arg)
{
	(void)arg;
	b_saw_signalling = kcompat_in_signalling();
	kfree(kmalloc(8, GFP_KERNEL));	/* fine here: not in A's section */
}

TEST(signalling_context_is_per_thread)
{
	static const struct kcompat_sched_record recs[] = { { .step = 1, .thread = 2 } };

	b_saw_signalling = true;
	CHECK_EQ(RUN_WITH(recs, in_section, outside_section), 0);
	CHECK(!b_saw_signalling);
	CHECK_WARNS(0);
	kcompat_sched_fini();
}

/* ---- replay ----------------------------------------------------------------------------- */

TEST(the_same_schedule_gives_the_same_trace)
{
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 }, { .step = 4, .thread = 1 } };
	static const struct kcompat_sched_record other[] = { { .step = 3, .thread = 2 } };
	uint64_t h1, h2, h3;

	kref_init(&ref);
	CHECK_EQ(RUN(recs, 2, &h1, steps_a, steps_b), 0);
	kcompat_sched_fini();
	CHECK_EQ(RUN(recs, 2, &h2, steps_a, steps_b), 0);
	kcompat_sched_fini();
	CHECK_EQ(RUN(other, 1, &h3, steps_a, steps_b), 0);
	kcompat_sched_fini();
	CHECK_EQ(h1, h2);
	CHECK(h1 != h3);
}

/* The changes of hands of one run under @recs (at most 4). */
static size_t switches_of(const struct kcompat_sched_record *recs, size_t n, uint32_t *sw)
{
	size_t got;

	kref_init(&ref);
	CHECK_EQ(RUN(recs, n, NULL, steps_a, steps_b), 0);
	got = kcompat_sched_switches(sw, 4);
	kcompat_sched_fini();
	return got;
}

TEST(switches_say_where_control_changed_hands)
{
	/* decisions 1 and 3 are A's gets (one call site), 2 its put */
	static const struct kcompat_sched_record at1[] = { { .step = 1, .thread = 2 } },
						 at2[] = { { .step = 2, .thread = 2 } },
						 at3[] = { { .step = 3, .thread = 2 } };
	uint32_t none[4], a1[4], a2[4], a3[4];

	/* A finishes, then B: one change of hands */
	CHECK_EQ(switches_of(NULL, 0, none), 1);
	/* preempted, then B finishes and A goes on */
	CHECK_EQ(switches_of(at1, 1, a1), 2);
	CHECK_EQ(switches_of(at2, 1, a2), 2);
	CHECK_EQ(switches_of(at3, 1, a3), 2);
	/* the same place on a later pass is the same place */
	CHECK_EQ(a1[0], a3[0]);
	CHECK_EQ(a1[1], a3[1]);
	/* another place, or a hand-over at the end instead of a preemption, is new */
	CHECK(a2[0] != a1[0]);
	CHECK(none[0] != a1[0] && none[0] != a2[0]);
	/* once A stood at its put, B's hand-back to it says so */
	CHECK(a2[1] != a1[1]);
}

/*
 * A trace names each point's thread, operation and object, and where it
 * was reached: a lock's call site, and for a reference (whose point sits
 * in an inline header) the caller's line, symbolized in sanitizer builds.
 */
TEST(the_trace_says_who_did_what_where)
{
	static const struct kcompat_sched_record recs[] = { { .step = 2, .thread = 2 } };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	mutex_init(&m);
	CHECK_EQ(RUN_WITH(recs, hold_m, want_m), 0);
	f = open_memstream(&text, &len);
	CHECK(f != NULL);
	kcompat_sched_print_trace(f, 64);
	fclose(f);
	kcompat_sched_fini();
	mutex_destroy(&m);
	CHECK(strstr(text, "T1 A        lock.1          &m") != NULL);
	CHECK(strstr(text, "-- decision 2: preempt T1, run T2") != NULL);
	CHECK(strstr(text, "T2 B        lock.1          &m") != NULL);
	CHECK(strstr(text, "tests/sched_test.c:") != NULL);
	free(text);

	kref_init(&ref);
	CHECK_EQ(RUN_FREE(steps_a), 0);
	f = open_memstream(&text, &len);
	kcompat_sched_print_trace(f, 1);
	fclose(f);
	kcompat_sched_fini();
	if (__sanitizer_symbolize_pc)
		CHECK(strstr(text, " tests/sched_test.c:") && strstr(text, "steps_a"));
	else
		CHECK(strstr(text, "pc 0x") != NULL);
	CHECK(strstr(text, "T1 A        put") != NULL);
	free(text);
}

TEST(outside_a_schedule_nothing_switches)
{
	kref_init(&ref);
	kref_get(&ref);
	CHECK_EQ(kcompat_sched_current(), 0);
	CHECK_EQ(kcompat_sched_decisions(), 0);
	CHECK(!kref_put(&ref, obj_release));
}

TEST_MAIN(without_records_each_runs_to_the_end, a_record_preempts_at_its_decision,
	  records_that_cannot_preempt_are_skipped, a_record_at_a_threads_nth_operation,
	  a_record_at_an_operation_holds_when_decisions_move,
	  a_record_at_a_point_that_is_no_decision_is_skipped, bad_schedules_are_refused,
	  an_interleaving_finds_a_get_after_the_last_put, a_held_mutex_blocks_until_unlocked,
	  a_held_spinlock_blocks_until_unlocked,
	  ab_ba_deadlocks_only_when_interleaved_and_names_the_chain,
	  ww_mutexes_back_off_instead_of_deadlocking,
	  ww_waiter_backs_off_when_an_older_context_takes_the_lock,
	  a_fence_wait_blocks_until_another_thread_signals, a_condition_wait_wakes_when_it_holds,
	  signalling_context_is_per_thread, the_same_schedule_gives_the_same_trace,
	  switches_say_where_control_changed_hands,
	  the_trace_says_who_did_what_where, outside_a_schedule_nothing_switches)
