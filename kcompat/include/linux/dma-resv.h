/* SPDX-License-Identifier: MIT */
/*
 * Reservation objects: a ww_mutex and a container of fences with a usage
 * each. Adding a fence needs a slot reserved with dma_resv_reserve_fences()
 * under the lock, as in the kernel; and, as a kernel built with
 * CONFIG_DEBUG_MUTEXES does, unlocking forgets the reservations not used,
 * so a fence added under a later lock without reserving again is caught.
 * A missing reservation is a WARN (the kernel BUG()s).
 */
#ifndef _KCOMPAT_LINUX_DMA_RESV_H
#define _KCOMPAT_LINUX_DMA_RESV_H

#include <linux/dma-fence.h>
#include <linux/ww_mutex.h>

extern struct ww_class reservation_ww_class;

enum dma_resv_usage {
	DMA_RESV_USAGE_KERNEL,
	DMA_RESV_USAGE_WRITE,
	DMA_RESV_USAGE_READ,
	DMA_RESV_USAGE_BOOKKEEP,
};

struct dma_resv_slot {
	struct dma_fence *fence;
	enum dma_resv_usage usage;
};

struct dma_resv {
	struct ww_mutex lock;
	struct dma_resv_slot *slots;
	unsigned int num_fences;	/* slots in use */
	unsigned int max_fences;	/* slots usable under this lock */
	unsigned int alloc_fences;	/* slots allocated */
};

void dma_resv_init(struct dma_resv *obj);
void dma_resv_fini(struct dma_resv *obj);
/* Resv held; @num_fences 0 WARNs and gives -EINVAL, as in the kernel. */
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences);
void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage);
/* Forget the slots reserved but not used (at unlock, as CONFIG_DEBUG_MUTEXES). */
void dma_resv_reset_max_fences(struct dma_resv *obj);

#define dma_resv_lock(obj, ctx)		ww_mutex_lock(&(obj)->lock, (ctx))
#define dma_resv_lock_interruptible(obj, ctx) ww_mutex_lock_interruptible(&(obj)->lock, (ctx))
#define dma_resv_lock_slow(obj, ctx)	ww_mutex_lock_slow(&(obj)->lock, (ctx))
#define dma_resv_lock_slow_interruptible(obj, ctx) \
	({ ww_mutex_lock_slow(&(obj)->lock, (ctx)); 0; })
#define dma_resv_trylock(obj)		ww_mutex_trylock(&(obj)->lock, NULL)
#define dma_resv_unlock(obj) do {					\
	struct dma_resv *__resv = (obj);				\
									\
	dma_resv_reset_max_fences(__resv);				\
	ww_mutex_unlock(&__resv->lock);					\
} while (0)

static inline struct ww_acquire_ctx *dma_resv_locking_ctx(struct dma_resv *obj)
{
	return READ_ONCE(obj->lock.ctx);
}

#define dma_resv_held(obj)		lockdep_is_held(&(obj)->lock.base)
#define dma_resv_assert_held(obj)	lockdep_assert_held(&(obj)->lock.base)

/**
 * dma_resv_fence_usage() - usage @fence was added with, or -1 if absent
 *
 * Not a kernel API: lets tests see what drm_gpuvm_resv_add_fence() did.
 */
int dma_resv_fence_usage(struct dma_resv *obj, struct dma_fence *fence);

#endif /* _KCOMPAT_LINUX_DMA_RESV_H */
