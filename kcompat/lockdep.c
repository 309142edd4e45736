// SPDX-License-Identifier: MIT
/*
 * lockdep: lock classes, the held-lock stack of each task, the dependency
 * graph between classes, and its reports (the rules: <linux/lockdep.h>).
 *
 * The graph lives for one generation: kcompat_lockdep_reset() starts the
 * next in O(1) (class keys and edge slots carry the generation that filled
 * them). A dependency is checked once, when its edge is first added: a
 * breadth-first search from the new lock's class for the held lock's. On
 * later acquisitions the cost is one hash probe per edge, as the kernel's
 * chain cache makes it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/kcompat.h>
#include <linux/lockdep.h>
#include "internal.h"

#define MAX_CLASSES	256
#define MAX_EDGES	2048
#define EDGE_SLOTS	4096	/* power of two, at least twice MAX_EDGES */
#define REPORT_MAX	2048

struct lock_class {
	const char *name;
	int first_out;		/* first edge from this class, -1: none */
	unsigned int stamp;	/* search that last reached it */
	int via;		/* that search: the edge it came by */
};

/* "@to was taken while @from was held": where and by whom, first time seen. */
struct lock_edge {
	unsigned short from, to;
	int next_out;
	const char *task;
	const char *from_file, *to_file;
	int from_line, to_line;
};

struct edge_slot {
	unsigned int gen;	/* generation that filled it */
	int edge;
};

static struct lock_class_key fence_key, reclaim_key;

struct lockdep_map kcompat_dma_fence_map = { .key = &fence_key, .name = "dma_fence_map" };
struct lockdep_map kcompat_fs_reclaim_map = { .key = &reclaim_key, .name = "fs_reclaim" };

static struct {
	pthread_mutex_t lock;
	unsigned int gen;	/* never 0: class keys start at 0 */
	bool enabled;		/* kcompat_lockdep_set_enabled() */
	bool off;		/* until the next generation: reported, or out of room */
	bool primed;
	unsigned int nclasses, nedges, reports, stamp;
	struct lock_class classes[MAX_CLASSES];
	struct lock_edge edges[MAX_EDGES];
	struct edge_slot slots[EDGE_SLOTS];
	char report[REPORT_MAX];
} g = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.gen = 1,
	.enabled = true,
};

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, unsigned int flags)
{
	map->key = key;
	map->name = name;
	map->owner = NULL;
	map->flags = flags;
}

void lockdep_clear(void)
{
	pthread_mutex_lock(&g.lock);
	if (++g.gen == 0)
		g.gen = 1;
	g.nclasses = 0;
	g.nedges = 0;
	g.reports = 0;
	g.off = false;
	pthread_mutex_unlock(&g.lock);
}

void kcompat_lockdep_reset(void)
{
	const struct kcompat_task *t = kcompat_current();

	if (WARN(t->depth, "kcompat_lockdep_reset() with %u lock(s) held, the first %s",
		 t->depth, t->held[0].map->name))
		return;
	lockdep_clear();
	g.primed = true;
	kcompat_prime_lockdep();
}

void kcompat_lockdep_set_enabled(bool enabled)
{
	g.enabled = enabled;
}

struct kcompat_lockdep_stats kcompat_lockdep_stats(void)
{
	struct kcompat_lockdep_stats st;

	pthread_mutex_lock(&g.lock);
	st.classes = g.nclasses;
	st.edges = g.nedges;
	st.reports = g.reports;
	pthread_mutex_unlock(&g.lock);
	return st;
}

/* ---- reports ------------------------------------------------------------ */

static size_t report_len;

static __printf(1, 2) void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (report_len >= sizeof(g.report) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g.report + report_len, sizeof(g.report) - report_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		report_len += (size_t)n;
	if (report_len > sizeof(g.report) - 1)
		report_len = sizeof(g.report) - 1;
}

/*
 * One report per generation, as the kernel turns lockdep off after its
 * first: what follows a broken order is rarely news. The report is a
 * WARN at the site of the acquisition that showed the problem.
 */
static void report(const char *file, int line)
{
	g.off = true;
	g.reports++;
	kcompat_warn(file, line, "%s", g.report);
}

static void turn_off(const char *why)
{
	g.off = true;
	kcompat_warn(__FILE__, __LINE__, "lockdep: %s; validation off until kcompat_lockdep_reset()",
		     why);
}

/* ---- classes and edges ---------------------------------------------------- */

/* The class of @map in this generation, numbered on first use; -1 when full. */
static int class_of(struct lockdep_map *map)
{
	struct lock_class_key *key = map->key;
	struct lock_class *c;

	if (likely(key->gen == g.gen))
		return (int)key->id;
	if (g.nclasses == MAX_CLASSES) {
		turn_off("more than 256 lock classes");
		return -1;
	}
	c = &g.classes[g.nclasses];
	c->name = map->name;
	c->first_out = -1;
	c->stamp = 0;
	key->id = g.nclasses++;
	key->gen = g.gen;
	return (int)key->id;
}

static struct edge_slot *edge_slot(int from, int to)
{
	unsigned int h = ((unsigned int)from * 0x9e3779b1u) ^ ((unsigned int)to * 0x85ebca6bu);
	struct edge_slot *s;

	for (h &= EDGE_SLOTS - 1;; h = (h + 1) & (EDGE_SLOTS - 1)) {
		s = &g.slots[h];
		if (s->gen != g.gen)
			return s;
		if (g.edges[s->edge].from == from && g.edges[s->edge].to == to)
			return s;
	}
}

/*
 * Breadth-first search along the edges from @start for @goal; each class
 * reached remembers the edge it came by. True if found.
 */
static bool reaches(int start, int goal)
{
	int queue[MAX_CLASSES];
	unsigned int head = 0, tail = 0;
	unsigned int stamp = ++g.stamp;

	g.classes[start].stamp = stamp;
	g.classes[start].via = -1;
	queue[tail++] = start;
	while (head < tail) {
		int c = queue[head++], e;

		if (c == goal)
			return true;
		for (e = g.classes[c].first_out; e >= 0; e = g.edges[e].next_out) {
			int to = g.edges[e].to;

			if (g.classes[to].stamp == stamp)
				continue;
			g.classes[to].stamp = stamp;
			g.classes[to].via = e;
			queue[tail++] = to;
		}
	}
	return false;
}

static void say_edge(const struct lock_edge *e)
{
	say("  %s -> %s: %s took %s at %s:%d while holding %s, taken at %s:%d\n",
	    g.classes[e->from].name, g.classes[e->to].name, e->task,
	    g.classes[e->to].name, e->to_file, e->to_line,
	    g.classes[e->from].name, e->from_file, e->from_line);
}

/* The path reaches() found from @start to @goal, in order. */
static void say_path(int start, int goal)
{
	int path[MAX_CLASSES];
	int n = 0, c;

	for (c = goal; c != start && n < MAX_CLASSES; c = g.edges[g.classes[c].via].from)
		path[n++] = g.classes[c].via;
	while (n--)
		say_edge(&g.edges[path[n]]);
}

static void report_cycle(const struct kcompat_task *t, const struct kcompat_held_lock *held,
			 int from, int to, const char *file, int line)
{
	const char *a = g.classes[from].name, *b = g.classes[to].name;

	report_len = 0;
	say("lockdep: possible circular locking dependency detected\n");
	say("%s is trying to acquire %s at %s:%d\n", t->name, b, file, line);
	say("but already holds %s, taken at %s:%d,\n", a, held->file, held->line);
	say("and the opposite order was recorded before (each lock taken while holding the one before it):\n");
	say_path(to, from);
	say("possible deadlock: a task holding %s waits for %s,\n", a, b);
	say("while another, along that chain, holds %s and waits, in the end, for %s", b, a);
	report(file, line);
}

/* Record "@to taken while @from held", unless known; report a cycle it closes. */
static void add_edge(const struct kcompat_task *t, const struct kcompat_held_lock *held,
		     int from, int to, const char *file, int line)
{
	struct edge_slot *s = edge_slot(from, to);
	struct lock_edge *e;

	if (s->gen == g.gen)
		return;
	if (reaches(to, from)) {
		report_cycle(t, held, from, to, file, line);
		return;
	}
	if (g.nedges == MAX_EDGES) {
		turn_off("more than 2048 lock dependencies");
		return;
	}
	e = &g.edges[g.nedges];
	e->from = (unsigned short)from;
	e->to = (unsigned short)to;
	e->task = t->name;
	e->from_file = held->file;
	e->from_line = held->line;
	e->to_file = file;
	e->to_line = line;
	e->next_out = g.classes[from].first_out;
	g.classes[from].first_out = (int)g.nedges;
	s->gen = g.gen;
	s->edge = (int)g.nedges++;
}

static void report_recursion(const struct kcompat_task *t, const struct kcompat_held_lock *held,
			     int class, const char *file, int line)
{
	report_len = 0;
	say("lockdep: possible recursive locking detected\n");
	say("%s is trying to acquire %s at %s:%d\n", t->name, g.classes[class].name, file, line);
	say("but already holds another lock of that class, taken at %s:%d;\n", held->file,
	    held->line);
	say("two locks of one class deadlock when another task takes them the other way\n"
	    "round (reservations may nest only under one ww acquire context)");
	report(file, line);
}

/*
 * The dependencies of taking @map now: from the held locks, newest first,
 * down to and including the first that was not a trylock (the locks below
 * it already lead to it). Locks of @map's own class are allowed only under
 * the same ww acquire context, and add no edge.
 */
static void validate(const struct kcompat_task *t, struct lockdep_map *map,
		     struct lockdep_map *nest, const char *file, int line)
{
	int to = class_of(map);
	unsigned int i;
	bool edges = true;

	if (to < 0)
		return;
	for (i = t->depth; i-- && !g.off;) {
		const struct kcompat_held_lock *h = &t->held[i];
		int from = class_of(h->map);

		if (from < 0)
			return;
		if (from == to) {
			if (!nest || h->nest != nest)
				report_recursion(t, h, to, file, line);
			continue;
		}
		if (!edges)
			continue;
		add_edge(t, h, from, to, file, line);
		if (!h->trylock)
			edges = false;	/* go on only for the recursion check */
	}
}

/* ---- the entry points ---------------------------------------------------- */

void kcompat_lock_acquire(struct lockdep_map *map, bool trylock, struct lockdep_map *nest,
			  const char *file, int line)
{
	struct kcompat_task *t = kcompat_current();
	struct kcompat_held_lock *h;

	if (unlikely(!map->key)) {
		kcompat_warn(file, line, "lock %s used before it was initialised",
			     map->name ? map->name : "?");
		return;
	}
	if (unlikely(!g.primed) && !t->depth) {
		g.primed = true;
		kcompat_prime_lockdep();
	}
	/*
	 * With nothing held there is nothing to depend on: only a class
	 * new to this generation needs the graph (to be numbered).
	 */
	if (g.enabled && !g.off && !trylock && (t->depth || map->key->gen != g.gen)) {
		pthread_mutex_lock(&g.lock);
		validate(t, map, nest, file, line);
		pthread_mutex_unlock(&g.lock);
	}
	if (t->depth == KCOMPAT_MAX_HELD) {
		if (!g.off)
			turn_off("a task holds more than 48 locks");
		return;
	}
	h = &t->held[t->depth++];
	h->map = map;
	h->nest = nest;
	h->file = file;
	h->line = line;
	h->trylock = trylock;
	if (map->flags & LOCKDEP_ATOMIC)
		t->atomic++;
	if (map->flags & LOCKDEP_NOALLOC)
		t->noalloc++;
}

void kcompat_lock_release(struct lockdep_map *map, const char *file, int line)
{
	struct kcompat_task *t = kcompat_current();
	unsigned int i;

	for (i = t->depth; i--;) {
		if (t->held[i].map != map)
			continue;
		if (map->flags & LOCKDEP_ATOMIC)
			t->atomic--;
		if (map->flags & LOCKDEP_NOALLOC)
			t->noalloc--;
		memmove(&t->held[i], &t->held[i + 1], (t->depth - i - 1) * sizeof(t->held[0]));
		t->depth--;
		return;
	}
	/* Past the held-stack limit nothing was recorded: nothing to say either. */
	if (!g.off)
		kcompat_warn(file, line, "%s releases %s, which it does not hold", t->name,
			     map->name ? map->name : "?");
}

void kcompat_check_no_locks_freed(const void *mem, size_t len, const char *file, int line)
{
	const struct kcompat_task *t = kcompat_current();
	const char *lo = mem, *hi = lo + len;
	unsigned int i;

	for (i = t->depth; i--;) {
		const struct kcompat_held_lock *h = &t->held[i];
		const char *at = (const char *)h->map;

		if (at < lo || at >= hi)
			continue;
		kcompat_warn(file, line, "held lock freed: %s frees %p-%p with %s in it, "
			     "which it holds, taken at %s:%d", t->name, mem, (const void *)hi,
			     h->map->name ? h->map->name : "?", h->file, h->line);
		return;
	}
}

bool kcompat_lock_is_held(const struct lockdep_map *map)
{
	const struct kcompat_task *t = kcompat_current();
	unsigned int i;

	for (i = t->depth; i--;)
		if (t->held[i].map == map)
			return true;
	return false;
}

void kcompat_assert_failed(const struct lockdep_map *map, bool held, const char *expr,
			   const char *file, int line)
{
	kcompat_warn(file, line, held ? "lock %s (%s) is not held" :
		     "lock %s (%s) is held but must not be", expr,
		     map->name ? map->name : "?");
}

/* ---- memory reclaim -------------------------------------------------------- */

void kcompat_fs_reclaim_acquire(gfp_t gfp, const char *file, int line)
{
	struct kcompat_task *t = kcompat_current();

	if (!gfpflags_allow_blocking(gfp) || t->reclaim++)
		return;
	kcompat_lock_acquire(&kcompat_fs_reclaim_map, false, NULL, file, line);
}

void kcompat_fs_reclaim_release(gfp_t gfp, const char *file, int line)
{
	struct kcompat_task *t = kcompat_current();

	if (!gfpflags_allow_blocking(gfp))
		return;
	if (!t->reclaim) {
		kcompat_warn(file, line, "fs_reclaim_release() without fs_reclaim_acquire()");
		return;
	}
	if (--t->reclaim == 0)
		kcompat_lock_release(&kcompat_fs_reclaim_map, file, line);
}

void kcompat_might_alloc(gfp_t gfp, const char *file, int line)
{
	struct kcompat_task *t = kcompat_current();
	const struct kcompat_held_lock *h;

	if (!gfpflags_allow_blocking(gfp))
		return;
	if (unlikely(t->atomic)) {
		kcompat_might_sleep(file, line);
		return;
	}
	if (unlikely(t->noalloc)) {
		/* One report for one problem: this one says more than the cycle would. */
		h = kcompat_held_with(t, LOCKDEP_NOALLOC);
		kcompat_warn(file, line,
			     "sleeping allocation (GFP_KERNEL) while holding %s, taken at %s:%d, "
			     "a lock the fence-signalling path takes",
			     h->map->name, h->file, h->line);
		return;
	}
	if (t->reclaim)
		return;	/* reclaim does not recurse into reclaim */
	kcompat_lock_acquire(&kcompat_fs_reclaim_map, false, NULL, file, line);
	kcompat_lock_release(&kcompat_fs_reclaim_map, file, line);
}
