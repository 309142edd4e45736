// SPDX-License-Identifier: MIT
/*
 * Locks with ownership tracking, and the per-thread execution context
 * (atomic, fence-signalling, no-alloc locks held) that the kernel checks
 * with lockdep and might_sleep(). Every misuse is a counted WARN; none
 * blocks forever or corrupts the lock.
 */
#include <errno.h>
#include <linux/dma-fence.h>
#include <linux/kcompat.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/ww_mutex.h>
#include "compat_internal.h"

__thread struct kcompat_thread kcompat_thread;

static unsigned long ww_fail_nth;

bool kcompat_in_atomic(void)
{
	return kcompat_thread.atomic != 0;
}

bool kcompat_in_signalling(void)
{
	return kcompat_thread.signalling != 0;
}

unsigned int kcompat_noalloc_locks_held(void)
{
	return kcompat_thread.noalloc;
}

bool dma_fence_begin_signalling(void)
{
	kcompat_thread.signalling++;
	return true;
}

void dma_fence_end_signalling(bool cookie)
{
	(void)cookie;
	if (WARN(!kcompat_thread.signalling, "dma_fence_end_signalling() without a begin"))
		return;
	kcompat_thread.signalling--;
}

/* ---- ownership ------------------------------------------------------- */

void lockdep_init_map(struct lockdep_map *map, const char *name, unsigned int flags)
{
	map->owner = NULL;
	map->name = name;
	map->flags = flags;
}

void kcompat_lock_acquired(struct lockdep_map *map)
{
	WRITE_ONCE(map->owner, kcompat_self());
	if (map->flags & LOCKDEP_ATOMIC)
		kcompat_thread.atomic++;
	if (map->flags & LOCKDEP_NOALLOC)
		kcompat_thread.noalloc++;
}

void kcompat_lock_released(struct lockdep_map *map)
{
	if (map->flags & LOCKDEP_ATOMIC)
		kcompat_thread.atomic--;
	if (map->flags & LOCKDEP_NOALLOC)
		kcompat_thread.noalloc--;
	WRITE_ONCE(map->owner, NULL);
}

void kcompat_assert_failed(const struct lockdep_map *map, bool held, const char *expr,
			   const char *file, int line)
{
	kcompat_warn(file, line, held ? "lock %s (%s) is not held" :
		     "lock %s (%s) is held but must not be", expr,
		     map->name ? map->name : "?");
}

/* ---- mutex -------------------------------------------------------------- */

void __mutex_init(struct mutex *lock, const char *name, unsigned int flags)
{
	pthread_mutex_init(&lock->raw, NULL);
	lockdep_init_map(&lock->dep_map, name, flags);
}

void mutex_destroy(struct mutex *lock)
{
	if (WARN(mutex_is_locked(lock), "destroying mutex %s while it is held",
		 lock->dep_map.name))
		return;	/* leak the raw lock rather than destroy a held one */
	pthread_mutex_destroy(&lock->raw);
}

void mutex_lock(struct mutex *lock)
{
	if (WARN(kcompat_lock_held_by_me(&lock->dep_map),
		 "recursive locking of mutex %s (deadlock)", lock->dep_map.name))
		return;
	WARN(kcompat_thread.atomic, "mutex %s taken in atomic context", lock->dep_map.name);
	pthread_mutex_lock(&lock->raw);
	kcompat_lock_acquired(&lock->dep_map);
}

int mutex_trylock(struct mutex *lock)
{
	if (kcompat_lock_held_by_me(&lock->dep_map) || pthread_mutex_trylock(&lock->raw))
		return 0;
	kcompat_lock_acquired(&lock->dep_map);
	return 1;
}

void mutex_unlock(struct mutex *lock)
{
	if (WARN(!kcompat_lock_held_by_me(&lock->dep_map),
		 "unlocking mutex %s, which this thread does not hold", lock->dep_map.name))
		return;
	kcompat_lock_released(&lock->dep_map);
	pthread_mutex_unlock(&lock->raw);
}

/* ---- spinlock ----------------------------------------------------------- */

void __spin_lock_init(spinlock_t *lock, const char *name)
{
	pthread_mutex_init(&lock->raw, NULL);
	lockdep_init_map(&lock->dep_map, name, LOCKDEP_ATOMIC);
}

void spin_lock_destroy(spinlock_t *lock)
{
	if (WARN(READ_ONCE(lock->dep_map.owner), "destroying spinlock %s while it is held",
		 lock->dep_map.name))
		return;
	pthread_mutex_destroy(&lock->raw);
}

void spin_lock(spinlock_t *lock)
{
	if (WARN(kcompat_lock_held_by_me(&lock->dep_map),
		 "recursive locking of spinlock %s (deadlock)", lock->dep_map.name))
		return;
	pthread_mutex_lock(&lock->raw);
	kcompat_lock_acquired(&lock->dep_map);
}

void spin_unlock(spinlock_t *lock)
{
	if (WARN(!kcompat_lock_held_by_me(&lock->dep_map),
		 "unlocking spinlock %s, which this thread does not hold", lock->dep_map.name))
		return;
	kcompat_lock_released(&lock->dep_map);
	pthread_mutex_unlock(&lock->raw);
}

/* ---- ww_mutex ----------------------------------------------------------- */

void kcompat_ww_fail_nth(unsigned long nth)
{
	ww_fail_nth = nth;
}

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class)
{
	__mutex_init(&lock->base, ww_class ? ww_class->name : "ww_mutex", 0);
	lock->ctx = NULL;
}

void ww_mutex_destroy(struct ww_mutex *lock)
{
	mutex_destroy(&lock->base);
}

void ww_acquire_init(struct ww_acquire_ctx *actx, struct ww_class *ww_class)
{
	(void)ww_class;
	actx->owner = kcompat_self();
	actx->acquired = 0;
	actx->done = false;
}

void ww_acquire_done(struct ww_acquire_ctx *actx)
{
	actx->done = true;
}

void ww_acquire_fini(struct ww_acquire_ctx *actx)
{
	WARN(actx->acquired, "ww_acquire_fini with %u locks still held", actx->acquired);
}

static void ww_acquired(struct ww_mutex *lock, struct ww_acquire_ctx *actx)
{
	kcompat_lock_acquired(&lock->base.dep_map);
	lock->ctx = actx;
	if (actx)
		actx->acquired++;
}

int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *actx)
{
	if (kcompat_lock_held_by_me(&lock->base.dep_map)) {
		if (actx && lock->ctx == actx)
			return -EALREADY;
		WARN(1, "recursive locking of reservation %s (deadlock)",
		     lock->base.dep_map.name);
		return -EDEADLK;
	}
	WARN(kcompat_thread.signalling,
	     "reservation lock %s taken in a fence-signalling critical section",
	     lock->base.dep_map.name);
	WARN(kcompat_thread.atomic, "reservation lock %s taken in atomic context",
	     lock->base.dep_map.name);
	WARN(actx && actx->done, "ww_mutex_lock after ww_acquire_done");
	/* Contention can only be simulated, and only with a context to back off. */
	if (actx && ww_fail_nth && --ww_fail_nth == 0)
		return -EDEADLK;
	pthread_mutex_lock(&lock->base.raw);
	ww_acquired(lock, actx);
	return 0;
}

void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *actx)
{
	if (WARN(kcompat_lock_held_by_me(&lock->base.dep_map),
		 "ww_mutex_lock_slow on a lock already held"))
		return;
	pthread_mutex_lock(&lock->base.raw);
	ww_acquired(lock, actx);
}

bool ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *actx)
{
	if (kcompat_lock_held_by_me(&lock->base.dep_map) ||
	    pthread_mutex_trylock(&lock->base.raw))
		return false;
	ww_acquired(lock, actx);
	return true;
}

void ww_mutex_unlock(struct ww_mutex *lock)
{
	if (WARN(!kcompat_lock_held_by_me(&lock->base.dep_map),
		 "unlocking reservation %s, which this thread does not hold",
		 lock->base.dep_map.name))
		return;
	if (lock->ctx)
		lock->ctx->acquired--;
	lock->ctx = NULL;
	kcompat_lock_released(&lock->base.dep_map);
	pthread_mutex_unlock(&lock->base.raw);
}

/*
 * ThreadSanitizer: reservations are wound/wait mutexes, taken in whatever
 * order a drm_exec loop meets them; contention is resolved by backing off,
 * not by a lock order, so TSan's lock-order graph must not judge them.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GPUVM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(GPUVM_TSAN)
const char *__tsan_default_suppressions(void);

const char *__tsan_default_suppressions(void)
{
	return "deadlock:ww_mutex_lock\n";
}
#endif
