/* SPDX-License-Identifier: MIT */
/*
 * Wound/wait mutexes, reduced to what dma_resv and drm_exec need. Locking
 * one a context already holds returns -EALREADY, as in the kernel.
 * -EDEADLK comes from fault injection (kcompat_ww_fail_nth()), and under
 * the scheduler (<kcompat/sched.h>) from contention: a context holding
 * locks that would wait for an older context's lock backs off (wait-die).
 * Contention between OS threads blocks.
 *
 * For lockdep, as in the kernel: every mutex of a ww_class is one lock
 * class, an acquire context is a lock of a second class held from
 * ww_acquire_init() to ww_acquire_fini(), and any number of mutexes of the
 * class may be held together when taken under one context.
 */
#ifndef _KCOMPAT_LINUX_WW_MUTEX_H
#define _KCOMPAT_LINUX_WW_MUTEX_H

#include <errno.h>
#include <linux/mutex.h>

struct ww_class {
	struct lock_class_key acquire_key;
	struct lock_class_key mutex_key;
	const char *acquire_name;
	const char *mutex_name;
};

#define DEFINE_WW_CLASS(classname)					\
	struct ww_class classname = {					\
		.acquire_name = #classname "_acquire",			\
		.mutex_name = #classname "_mutex",			\
	}

struct ww_acquire_ctx {
	struct lockdep_map dep_map;
	const void *owner;
	unsigned long stamp;	/* its age among contexts: older is smaller */
	unsigned int acquired;
	bool done;
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;
};

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class);
void ww_mutex_destroy(struct ww_mutex *lock);
int kcompat_ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx,
			  const char *file, int line);
void kcompat_ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx,
				const char *file, int line);
bool kcompat_ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx,
			      const char *file, int line);
void kcompat_ww_mutex_unlock(struct ww_mutex *lock, const char *file, int line);

#define ww_mutex_lock(lock, ctx) kcompat_ww_mutex_lock((lock), (ctx), __FILE__, __LINE__)
#define ww_mutex_lock_interruptible(lock, ctx) ww_mutex_lock(lock, ctx)
#define ww_mutex_lock_slow(lock, ctx) \
	kcompat_ww_mutex_lock_slow((lock), (ctx), __FILE__, __LINE__)
#define ww_mutex_trylock(lock, ctx) \
	kcompat_ww_mutex_trylock((lock), (ctx), __FILE__, __LINE__)
#define ww_mutex_unlock(lock)	kcompat_ww_mutex_unlock((lock), __FILE__, __LINE__)

static inline bool ww_mutex_is_locked(struct ww_mutex *lock)
{
	return mutex_is_locked(&lock->base);
}

void kcompat_ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class,
			     const char *file, int line);
void ww_acquire_done(struct ww_acquire_ctx *ctx);
void kcompat_ww_acquire_fini(struct ww_acquire_ctx *ctx, const char *file, int line);

#define ww_acquire_init(ctx, ww_class) \
	kcompat_ww_acquire_init((ctx), (ww_class), __FILE__, __LINE__)
#define ww_acquire_fini(ctx)	kcompat_ww_acquire_fini((ctx), __FILE__, __LINE__)

/**
 * kcompat_ww_fail_nth() - make the @nth contended-capable ww lock from now
 * return -EDEADLK (1 is the next one, 0 disarms); one-shot
 */
void kcompat_ww_fail_nth(unsigned long nth);

#endif /* _KCOMPAT_LINUX_WW_MUTEX_H */
