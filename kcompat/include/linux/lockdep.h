/* SPDX-License-Identifier: MIT */
/*
 * Lock validation: ownership and lockdep.
 *
 * Every lock of the environment embeds a struct lockdep_map named dep_map.
 * It records the task holding it, so lockdep_assert_held() is a real check,
 * and its class: the struct lock_class_key of the call site that
 * initialised it, as the kernel's mutex_init() and friends declare one per
 * site. All reservation objects share one class (their ww_class's), as in
 * the kernel.
 *
 * Each task (struct kcompat_task: a thread, later a fiber) keeps the stack
 * of locks it holds. Taking a lock while holding others adds the edges
 * "held class -> new class" to a dependency graph; an edge that closes a
 * cycle is reported as "possible circular locking dependency", naming
 * every class and the file:line of both acquisitions of every edge on the
 * cycle, although no deadlock happened. Taking a second lock of a class
 * already held is "possible recursive locking", except reservations taken
 * under one ww acquire context, as the kernel allows. A report is a WARN
 * (<linux/bug.h>): a finding. After the first report of a generation
 * validation stops until kcompat_lockdep_reset(), as the kernel turns
 * lockdep off after its first splat.
 *
 * Two pseudo-locks make the fence-signalling rules checkable:
 * dma_fence_map, held from dma_fence_begin_signalling() to
 * dma_fence_end_signalling() and taken by every fence wait, and
 * fs_reclaim, taken by every allocation that may sleep (and held by
 * reclaim). kcompat_lockdep_reset() primes the order the kernel's
 * dma_resv_lockdep() primes at boot: reservation, then fs_reclaim, then
 * dma_fence_map. So a reservation taken, or a sleeping allocation made,
 * inside a signalling section, or under a lock the signalling path takes,
 * closes a cycle at once.
 */
#ifndef _KCOMPAT_LINUX_LOCKDEP_H
#define _KCOMPAT_LINUX_LOCKDEP_H

#include <stdbool.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/might_sleep.h>
#include <linux/types.h>

/*
 * A lock class. Static storage (zeroed): the class is numbered on first
 * use in each lockdep generation.
 */
struct lock_class_key {
	unsigned int gen;	/* generation that numbered it; 0 never */
	unsigned int id;	/* its number in that generation */
};

/* Lock flags: classes with rules of their own. */
#define LOCKDEP_NOALLOC		0x1u	/* no sleeping allocation while held */
#define LOCKDEP_ATOMIC		0x2u	/* a spinlock: its holder is in atomic context */

struct lockdep_map {
	struct lock_class_key *key;
	const char *name;	/* the class's name in reports */
	const void *owner;	/* the task holding it; NULL when free (not for pseudo-locks) */
	unsigned int flags;	/* LOCKDEP_* */
};

/* One lock a task holds, and where it took it. */
struct kcompat_held_lock {
	struct lockdep_map *map;
	struct lockdep_map *nest;	/* the ww acquire context it was taken under */
	const char *file;
	int line;
	bool trylock;
};

#define KCOMPAT_MAX_HELD	48

/*
 * A task: the execution context the kernel's checks look at. The calling
 * thread's own until kcompat_set_current() switches to another.
 */
struct kcompat_task {
	const char *name;		/* in reports */
	unsigned int atomic;		/* LOCKDEP_ATOMIC locks held (spinlocks) */
	unsigned int noalloc;		/* LOCKDEP_NOALLOC locks held */
	unsigned int reclaim;		/* running memory reclaim (fs_reclaim held) */
	unsigned int depth;		/* entries in @held */
	struct kcompat_held_lock held[KCOMPAT_MAX_HELD];
};

extern __thread struct kcompat_task *kcompat_cur;
struct kcompat_task *kcompat_task_self(void);

/* The running task. */
static inline struct kcompat_task *kcompat_current(void)
{
	struct kcompat_task *t = kcompat_cur;

	return likely(t) ? t : kcompat_task_self();
}

/* Make @task (NULL: the thread's own) the running task; returns the old one. */
struct kcompat_task *kcompat_set_current(struct kcompat_task *task);

/* The pseudo-locks (lockdep.c). */
extern struct lockdep_map kcompat_dma_fence_map;
extern struct lockdep_map kcompat_fs_reclaim_map;

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, unsigned int flags);

/*
 * The validator's entry points, called by the lock primitives with the
 * call site of the lock operation. @nest: the ww acquire context's map a
 * reservation is taken under, or NULL. A trylock adds no dependency (it
 * cannot wait); the locks taken after it do.
 */
void kcompat_lock_acquire(struct lockdep_map *map, bool trylock, struct lockdep_map *nest,
			  const char *file, int line);
void kcompat_lock_release(struct lockdep_map *map, const char *file, int line);
/* Whether the running task holds @map (searches its stack: pseudo-locks too). */
bool kcompat_lock_is_held(const struct lockdep_map *map);

/*
 * Memory at [@mem, @mem + @len) is being freed: a lock in it that the task
 * holds is a finding ("held lock freed"), as the kernel checks in kfree().
 */
void kcompat_check_no_locks_freed(const void *mem, size_t len, const char *file, int line);

/* Take and drop a pseudo-lock at once: "this may wait for @map's holders". */
#define lock_map_acquire(map) kcompat_lock_acquire((map), false, NULL, __FILE__, __LINE__)
#define lock_map_release(map) kcompat_lock_release((map), __FILE__, __LINE__)

static inline bool kcompat_lock_held_by_me(const struct lockdep_map *map)
{
	return READ_ONCE(map->owner) == (const void *)kcompat_current();
}

/* Report a failed assertion: @held is what the assertion wanted. */
void kcompat_assert_failed(const struct lockdep_map *map, bool held, const char *expr,
			   const char *file, int line);

#define lockdep_is_held(l)	kcompat_lock_held_by_me(&(l)->dep_map)

#define lockdep_assert_held(l) do {					\
	if (unlikely(!kcompat_lock_held_by_me(&(l)->dep_map)))		\
		kcompat_assert_failed(&(l)->dep_map, true, #l, __FILE__, __LINE__); \
} while (0)

#define lockdep_assert_not_held(l) do {					\
	if (unlikely(kcompat_lock_held_by_me(&(l)->dep_map)))		\
		kcompat_assert_failed(&(l)->dep_map, false, #l, __FILE__, __LINE__); \
} while (0)

/* Assert an arbitrary lock condition, as the kernel's lockdep_assert(). */
#define lockdep_assert(cond) \
	WARN(!(cond), "lockdep_assert(%s) failed", #cond)

/* "This code may take @l": the dependency, without taking it. */
#define might_lock(l) do {						\
	kcompat_lock_acquire(&(l)->dep_map, false, NULL, __FILE__, __LINE__); \
	kcompat_lock_release(&(l)->dep_map, __FILE__, __LINE__);	\
} while (0)

/*
 * Memory reclaim as lockdep sees it: fs_reclaim_acquire() ...
 * fs_reclaim_release() around work that runs in reclaim (a shrinker), and
 * might_alloc() at every allocation with @gfp.
 */
void kcompat_fs_reclaim_acquire(gfp_t gfp, const char *file, int line);
void kcompat_fs_reclaim_release(gfp_t gfp, const char *file, int line);
void kcompat_might_alloc(gfp_t gfp, const char *file, int line);
#define fs_reclaim_acquire(gfp)	kcompat_fs_reclaim_acquire((gfp), __FILE__, __LINE__)
#define fs_reclaim_release(gfp)	kcompat_fs_reclaim_release((gfp), __FILE__, __LINE__)
#define might_alloc(gfp)	kcompat_might_alloc((gfp), __FILE__, __LINE__)

#endif /* _KCOMPAT_LINUX_LOCKDEP_H */
