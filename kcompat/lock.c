// SPDX-License-Identifier: MIT
/*
 * Mutexes, spinlocks and wound/wait mutexes: pthread mutexes that record
 * their owning task and report to lockdep (lockdep.c). Every misuse is a
 * counted WARN; none blocks forever or corrupts the lock. Each operation
 * is a switch point of the scheduler (sched.c), under which a lock held by
 * another thread blocks the caller there rather than in pthreads (all its
 * threads share one OS thread).
 */
#include <errno.h>
#include <kcompat/sched.h>
#include <linux/kcompat.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/ww_mutex.h>
#include "internal.h"

static unsigned long ww_fail_nth;
static unsigned long ww_stamp;	/* acquire contexts' ages: older is smaller */

static const void *me(void)
{
	return kcompat_current();
}

static void acquired(struct lockdep_map *map, bool trylock, struct lockdep_map *nest,
		     const char *file, int line)
{
	kcompat_lock_acquire(map, trylock, nest, file, line);
	WRITE_ONCE(map->owner, me());
}

static void released(struct lockdep_map *map, const char *file, int line)
{
	WRITE_ONCE(map->owner, NULL);
	kcompat_lock_release(map, file, line);
}

static void point(enum kcompat_sp op, struct lockdep_map *map, const char *file, int line)
{
	if (unlikely(kcompat_sched_on))
		kcompat_sched_point(op, map, map->name, file, line);
}

/* Under the scheduler: wait for another thread to let go of @map. */
static void wait_free(struct lockdep_map *map, const char *file, int line)
{
	if (unlikely(kcompat_sched_on))
		while (READ_ONCE(map->owner))
			kcompat_sched_wait_lock(map, file, line);
}

/* ---- mutex -------------------------------------------------------------- */

void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key,
		  unsigned int flags)
{
	pthread_mutex_init(&lock->raw, NULL);
	lockdep_init_map(&lock->dep_map, name, key, flags);
}

void mutex_destroy(struct mutex *lock)
{
	if (WARN(mutex_is_locked(lock), "destroying mutex %s while it is held",
		 lock->dep_map.name))
		return;	/* leak the raw lock rather than destroy a held one */
	pthread_mutex_destroy(&lock->raw);
}

void kcompat_mutex_lock(struct mutex *lock, const char *file, int line)
{
	point(KCOMPAT_SP_LOCK, &lock->dep_map, file, line);
	if (WARN(kcompat_lock_held_by_me(&lock->dep_map),
		 "recursive locking of mutex %s (deadlock)", lock->dep_map.name))
		return;
	kcompat_might_sleep(file, line);
	wait_free(&lock->dep_map, file, line);
	pthread_mutex_lock(&lock->raw);
	acquired(&lock->dep_map, false, NULL, file, line);
}

int kcompat_mutex_trylock(struct mutex *lock, const char *file, int line)
{
	point(KCOMPAT_SP_TRYLOCK, &lock->dep_map, file, line);
	if (kcompat_lock_held_by_me(&lock->dep_map) || pthread_mutex_trylock(&lock->raw))
		return 0;
	acquired(&lock->dep_map, true, NULL, file, line);
	return 1;
}

void kcompat_mutex_unlock(struct mutex *lock, const char *file, int line)
{
	point(KCOMPAT_SP_UNLOCK, &lock->dep_map, file, line);
	if (WARN(!kcompat_lock_held_by_me(&lock->dep_map),
		 "unlocking mutex %s, which this task does not hold", lock->dep_map.name))
		return;
	released(&lock->dep_map, file, line);
	pthread_mutex_unlock(&lock->raw);
}

/* ---- spinlock ----------------------------------------------------------- */

void __spin_lock_init(spinlock_t *lock, const char *name, struct lock_class_key *key)
{
	pthread_mutex_init(&lock->raw, NULL);
	lockdep_init_map(&lock->dep_map, name, key, LOCKDEP_ATOMIC);
}

void spin_lock_destroy(spinlock_t *lock)
{
	if (WARN(READ_ONCE(lock->dep_map.owner), "destroying spinlock %s while it is held",
		 lock->dep_map.name))
		return;
	pthread_mutex_destroy(&lock->raw);
}

void kcompat_spin_lock(spinlock_t *lock, const char *file, int line)
{
	point(KCOMPAT_SP_LOCK, &lock->dep_map, file, line);
	if (WARN(kcompat_lock_held_by_me(&lock->dep_map),
		 "recursive locking of spinlock %s (deadlock)", lock->dep_map.name))
		return;
	wait_free(&lock->dep_map, file, line);
	pthread_mutex_lock(&lock->raw);
	acquired(&lock->dep_map, false, NULL, file, line);
}

void kcompat_spin_unlock(spinlock_t *lock, const char *file, int line)
{
	point(KCOMPAT_SP_UNLOCK, &lock->dep_map, file, line);
	if (WARN(!kcompat_lock_held_by_me(&lock->dep_map),
		 "unlocking spinlock %s, which this task does not hold", lock->dep_map.name))
		return;
	released(&lock->dep_map, file, line);
	pthread_mutex_unlock(&lock->raw);
}

/* ---- ww_mutex ----------------------------------------------------------- */

void kcompat_ww_fail_nth(unsigned long nth)
{
	ww_fail_nth = nth;
}

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class)
{
	__mutex_init(&lock->base, ww_class->mutex_name, &ww_class->mutex_key, 0);
	lock->ctx = NULL;
}

void ww_mutex_destroy(struct ww_mutex *lock)
{
	mutex_destroy(&lock->base);
}

void kcompat_ww_acquire_init(struct ww_acquire_ctx *actx, struct ww_class *ww_class,
			     const char *file, int line)
{
	lockdep_init_map(&actx->dep_map, ww_class->acquire_name, &ww_class->acquire_key, 0);
	actx->owner = me();
	actx->stamp = ++ww_stamp;
	actx->acquired = 0;
	actx->done = false;
	kcompat_lock_acquire(&actx->dep_map, false, NULL, file, line);
}

void ww_acquire_done(struct ww_acquire_ctx *actx)
{
	actx->done = true;
}

void kcompat_ww_acquire_fini(struct ww_acquire_ctx *actx, const char *file, int line)
{
	WARN(actx->acquired, "ww_acquire_fini with %u locks still held", actx->acquired);
	kcompat_lock_release(&actx->dep_map, file, line);
}

static void ww_acquired(struct ww_mutex *lock, struct ww_acquire_ctx *actx, bool trylock,
			const char *file, int line)
{
	acquired(&lock->base.dep_map, trylock, actx ? &actx->dep_map : NULL, file, line);
	lock->ctx = actx;
	if (actx)
		actx->acquired++;
}

/*
 * Wait-die: a context that holds locks and would wait for an older one's
 * lock backs off instead (its caller unlocks all and retries slowly).
 */
static bool must_back_off(const struct ww_mutex *lock, const struct ww_acquire_ctx *actx)
{
	const struct ww_acquire_ctx *holder = READ_ONCE(lock->ctx);

	return actx && actx->acquired && holder && holder->stamp < actx->stamp;
}

/* The waiter's side of must_back_off(), as the scheduler asks it. */
struct ww_waiter {
	const struct ww_mutex *lock;
	const struct ww_acquire_ctx *actx;
};

static bool waiter_must_back_off(const void *arg)
{
	const struct ww_waiter *w = arg;

	return must_back_off(w->lock, w->actx);
}

int kcompat_ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *actx,
			  const char *file, int line)
{
	point(KCOMPAT_SP_LOCK, &lock->base.dep_map, file, line);
	if (kcompat_lock_held_by_me(&lock->base.dep_map)) {
		if (actx && lock->ctx == actx)
			return -EALREADY;
		kcompat_warn(file, line, "recursive locking of reservation %s (deadlock)",
			     lock->base.dep_map.name);
		return -EDEADLK;
	}
	WARN(actx && actx->done, "ww_mutex_lock after ww_acquire_done");
	kcompat_might_sleep(file, line);
	/* Contention can only be simulated, and only with a context to back off. */
	if (actx && ww_fail_nth && --ww_fail_nth == 0)
		return -EDEADLK;
	if (unlikely(kcompat_sched_on)) {
		/*
		 * A waiter must back off as soon as an older context holds the
		 * lock, not only when it first finds it held: the holder may
		 * change while it waits (a lock taken without a context, then
		 * with an older one), as the kernel's wait-die wakes its
		 * younger waiters to die.
		 */
		const struct ww_waiter w = { lock, actx };

		while (READ_ONCE(lock->base.dep_map.owner)) {
			if (must_back_off(lock, actx))
				return -EDEADLK;
			kcompat_sched_wait_lock_unless(&lock->base.dep_map, file, line,
						       waiter_must_back_off, &w);
		}
	}
	pthread_mutex_lock(&lock->base.raw);
	ww_acquired(lock, actx, false, file, line);
	return 0;
}

void kcompat_ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *actx,
				const char *file, int line)
{
	point(KCOMPAT_SP_LOCK, &lock->base.dep_map, file, line);
	if (WARN(kcompat_lock_held_by_me(&lock->base.dep_map),
		 "ww_mutex_lock_slow on a lock already held"))
		return;
	kcompat_might_sleep(file, line);
	wait_free(&lock->base.dep_map, file, line);
	pthread_mutex_lock(&lock->base.raw);
	ww_acquired(lock, actx, false, file, line);
}

bool kcompat_ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *actx,
			      const char *file, int line)
{
	point(KCOMPAT_SP_TRYLOCK, &lock->base.dep_map, file, line);
	if (kcompat_lock_held_by_me(&lock->base.dep_map) ||
	    pthread_mutex_trylock(&lock->base.raw))
		return false;
	ww_acquired(lock, actx, true, file, line);
	return true;
}

void kcompat_ww_mutex_unlock(struct ww_mutex *lock, const char *file, int line)
{
	point(KCOMPAT_SP_UNLOCK, &lock->base.dep_map, file, line);
	if (WARN(!kcompat_lock_held_by_me(&lock->base.dep_map),
		 "unlocking reservation %s, which this task does not hold",
		 lock->base.dep_map.name))
		return;
	if (lock->ctx)
		lock->ctx->acquired--;
	lock->ctx = NULL;
	released(&lock->base.dep_map, file, line);
	pthread_mutex_unlock(&lock->base.raw);
}
