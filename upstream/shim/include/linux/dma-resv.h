/* SPDX-License-Identifier: MIT */
/*
 * Reservation objects: a ww_mutex with owner tracking and fence-slot
 * accounting (a fence added without a reserved slot is a WARN, as
 * CONFIG_DEBUG_MUTEXES makes it in the kernel). Fences are counted, not
 * kept.
 */
#ifndef _UPSTREAM_SHIM_DMA_RESV_H
#define _UPSTREAM_SHIM_DMA_RESV_H

#include <linux/dma-fence.h>
#include <linux/ww_mutex.h>

enum dma_resv_usage {
	DMA_RESV_USAGE_KERNEL,
	DMA_RESV_USAGE_WRITE,
	DMA_RESV_USAGE_READ,
	DMA_RESV_USAGE_BOOKKEEP,
};

struct dma_resv {
	struct ww_mutex lock;
	unsigned int reserved;		/* fence slots reserved while locked */
	unsigned long fences;		/* fences added so far */
};

/* The class of every reservation's ww_mutex (as lib/drm_exec.c names it). */
#define reservation_ww_class	urt_reservation_ww_class
extern struct ww_class reservation_ww_class;

void urt_resv_init(struct dma_resv *obj);
void urt_resv_fini(struct dma_resv *obj);
int urt_resv_lock(struct dma_resv *obj, struct ww_acquire_ctx *ctx);
void urt_resv_unlock(struct dma_resv *obj);
int urt_resv_reserve_fences(struct dma_resv *obj, unsigned int num);
void urt_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage);

#define dma_resv_init(obj)		urt_resv_init(obj)
#define dma_resv_fini(obj)		urt_resv_fini(obj)
#define dma_resv_lock(obj, ctx)		urt_resv_lock(obj, ctx)
#define dma_resv_unlock(obj)		urt_resv_unlock(obj)
#define dma_resv_reserve_fences(o, n)	urt_resv_reserve_fences(o, n)
#define dma_resv_add_fence(o, f, u)	urt_resv_add_fence(o, f, u)
#define dma_resv_held(obj)		urt_lock_held(&(obj)->lock.base.dep_map)
#define dma_resv_assert_held(obj)	lockdep_assert_held(&(obj)->lock.base)

/* Lock after a back-off; without contention a plain lock. */
static inline void dma_resv_lock_slow(struct dma_resv *obj, struct ww_acquire_ctx *ctx)
{
	WARN_ON(urt_resv_lock(obj, ctx));
}

#endif
