// SPDX-License-Identifier: MIT
/* Reservation objects of the upstream runtime (linux/dma-resv.h). */
#include <errno.h>
#include <linux/dma-resv.h>

struct ww_class reservation_ww_class = { .name = "reservation_ww_class" };

void urt_resv_init(struct dma_resv *obj)
{
	urt_mutex_init(&obj->lock.base, "dma_resv");
	obj->lock.ctx = NULL;
	obj->reserved = 0;
	obj->fences = 0;
}

void urt_resv_fini(struct dma_resv *obj)
{
	urt_mutex_destroy(&obj->lock.base);
}

/*
 * With an acquire context, a lock the caller already holds under that
 * context gives -EALREADY (drm_exec's duplicate detection); without one it
 * is recursion, which mutex_lock() WARNs about.
 */
int urt_resv_lock(struct dma_resv *obj, struct ww_acquire_ctx *ctx)
{
	WARN(urt_in_signalling(), "dma_resv_lock in a fence-signalling section");
	if (ctx && urt_lock_held(&obj->lock.base.dep_map) && obj->lock.ctx == ctx)
		return -EALREADY;
	mutex_lock(&obj->lock.base);
	obj->lock.ctx = ctx;
	if (ctx)
		ctx->acquired++;
	return 0;
}

void urt_resv_unlock(struct dma_resv *obj)
{
	if (obj->lock.ctx && urt_lock_held(&obj->lock.base.dep_map))
		obj->lock.ctx->acquired--;
	obj->lock.ctx = NULL;
	/* Reservations last while the lock is held, as in the kernel. */
	obj->reserved = 0;
	mutex_unlock(&obj->lock.base);
}

int urt_resv_reserve_fences(struct dma_resv *obj, unsigned int num)
{
	dma_resv_assert_held(obj);
	obj->reserved += num;
	return 0;
}

void urt_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage)
{
	(void)fence;
	(void)usage;
	dma_resv_assert_held(obj);
	if (!WARN(!obj->reserved, "dma_resv_add_fence without a reserved slot"))
		obj->reserved--;
	obj->fences++;
}
