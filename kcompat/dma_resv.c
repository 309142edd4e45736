// SPDX-License-Identifier: MIT
/*
 * Reservation objects: fences with a usage each, in slots reserved under
 * the lock beforehand, as the kernel keeps them.
 */
#include <errno.h>
#include <linux/bug.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>

DEFINE_WW_CLASS(reservation_ww_class);

void dma_resv_init(struct dma_resv *obj)
{
	ww_mutex_init(&obj->lock, &reservation_ww_class);
	obj->slots = NULL;
	obj->num_fences = 0;
	obj->max_fences = 0;
	obj->alloc_fences = 0;
}

void dma_resv_fini(struct dma_resv *obj)
{
	unsigned int i;

	for (i = 0; i < obj->num_fences; i++)
		dma_fence_put(obj->slots[i].fence);
	kfree(obj->slots);
	obj->slots = NULL;
	obj->num_fences = obj->max_fences = obj->alloc_fences = 0;
	ww_mutex_destroy(&obj->lock);
}

/* Room for @num_fences more fences than there are now, until unlock. */
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences)
{
	struct dma_resv_slot *slots;
	unsigned int want;

	dma_resv_assert_held(obj);
	/* As the kernel's: reserving nothing is a caller's miscount. */
	if (WARN_ON(!num_fences))
		return -EINVAL;
	if (num_fences > 0x10000u)
		return -ENOMEM;
	want = obj->num_fences + num_fences;
	if (want <= obj->max_fences)
		return 0;
	if (want > obj->alloc_fences) {
		slots = krealloc(obj->slots, want * sizeof(*slots), GFP_KERNEL);
		if (!slots)
			return -ENOMEM;
		obj->slots = slots;
		obj->alloc_fences = want;
	}
	obj->max_fences = want;
	return 0;
}

void dma_resv_reset_max_fences(struct dma_resv *obj)
{
	obj->max_fences = obj->num_fences;
}

void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage)
{
	unsigned int i;

	dma_resv_assert_held(obj);
	/*
	 * A fence replaces an older one of its context that it covers (same
	 * or stronger usage), or any signalled one.
	 */
	for (i = 0; i < obj->num_fences; i++) {
		struct dma_resv_slot *s = &obj->slots[i];

		if ((s->fence->context == fence->context && s->usage >= usage &&
		     dma_fence_is_later_or_same(fence, s->fence)) ||
		    dma_fence_is_signaled(s->fence)) {
			dma_fence_get(fence);
			dma_fence_put(s->fence);
			s->fence = fence;
			s->usage = usage;
			return;
		}
	}
	if (WARN(obj->num_fences >= obj->max_fences,
		 "dma_resv_add_fence without a reserved fence slot"))
		return;
	obj->slots[obj->num_fences].fence = dma_fence_get(fence);
	obj->slots[obj->num_fences].usage = usage;
	obj->num_fences++;
}

int dma_resv_fence_usage(struct dma_resv *obj, struct dma_fence *fence)
{
	unsigned int i;

	for (i = 0; i < obj->num_fences; i++)
		if (obj->slots[i].fence == fence)
			return (int)obj->slots[i].usage;
	return -1;
}
