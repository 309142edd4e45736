/* SPDX-License-Identifier: MIT */
/*
 * Wound/wait mutexes, reduced to what dma_resv and drm_exec need. Locking
 * one a context already holds returns -EALREADY, as in the kernel. Real
 * contention between threads blocks instead of wounding; -EDEADLK comes
 * only from fault injection (kcompat_ww_fail_nth()), which is how the
 * retry loops of drm_exec users are exercised.
 */
#ifndef _GPUVM_LINUX_WW_MUTEX_H
#define _GPUVM_LINUX_WW_MUTEX_H

#include <errno.h>
#include <linux/mutex.h>

struct ww_class {
	const char *name;
};

#define DEFINE_WW_CLASS(classname) struct ww_class classname = { #classname }

struct ww_acquire_ctx {
	const void *owner;
	unsigned int acquired;
	bool done;
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;
};

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class);
void ww_mutex_destroy(struct ww_mutex *lock);
int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
bool ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
void ww_mutex_unlock(struct ww_mutex *lock);

static inline int ww_mutex_lock_interruptible(struct ww_mutex *lock,
					      struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock(lock, ctx);
}

static inline bool ww_mutex_is_locked(struct ww_mutex *lock)
{
	return mutex_is_locked(&lock->base);
}

void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class);
void ww_acquire_done(struct ww_acquire_ctx *ctx);
void ww_acquire_fini(struct ww_acquire_ctx *ctx);

/**
 * kcompat_ww_fail_nth() - make the @nth contended-capable ww lock from now
 * return -EDEADLK (1 is the next one, 0 disarms); one-shot
 */
void kcompat_ww_fail_nth(unsigned long nth);

#endif /* _GPUVM_LINUX_WW_MUTEX_H */
