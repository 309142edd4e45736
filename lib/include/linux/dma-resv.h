/* SPDX-License-Identifier: MIT */
/*
 * Reservation objects: a ww_mutex and a container of fences with a usage
 * each. Adding a fence needs a slot reserved with dma_resv_reserve_fences()
 * under the lock, as in the kernel; a missing reservation is a WARN.
 */
#ifndef _GPUVM_LINUX_DMA_RESV_H
#define _GPUVM_LINUX_DMA_RESV_H

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
	unsigned int max_fences;	/* slots allocated */
};

void dma_resv_init(struct dma_resv *obj);
void dma_resv_fini(struct dma_resv *obj);
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences);
void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage);

static inline int dma_resv_lock(struct dma_resv *obj, struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock(&obj->lock, ctx);
}

static inline int dma_resv_lock_interruptible(struct dma_resv *obj,
					      struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock_interruptible(&obj->lock, ctx);
}

static inline void dma_resv_lock_slow(struct dma_resv *obj, struct ww_acquire_ctx *ctx)
{
	ww_mutex_lock_slow(&obj->lock, ctx);
}

static inline bool dma_resv_trylock(struct dma_resv *obj)
{
	return ww_mutex_trylock(&obj->lock, NULL);
}

static inline void dma_resv_unlock(struct dma_resv *obj)
{
	ww_mutex_unlock(&obj->lock);
}

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

#endif /* _GPUVM_LINUX_DMA_RESV_H */
