// SPDX-License-Identifier: MIT
/* Minimal dma_fence and dma_resv: refcounted fences in reserved slots. */
#include <errno.h>
#include <linux/bug.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>

DEFINE_WW_CLASS(reservation_ww_class);

static u64 fence_context_next = 1;

u64 dma_fence_context_alloc(unsigned int num)
{
	return __atomic_fetch_add(&fence_context_next, num, __ATOMIC_RELAXED);
}

void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    void *lock, u64 context, u64 seqno)
{
	(void)lock;
	kref_init(&fence->refcount);
	fence->ops = ops;
	fence->context = context;
	fence->seqno = seqno;
	fence->signaled = false;
}

static void dma_fence_release(struct kref *kref)
{
	struct dma_fence *fence = container_of(kref, struct dma_fence, refcount);

	if (fence->ops && fence->ops->release)
		fence->ops->release(fence);
	else
		kfree(fence);
}

void dma_fence_put(struct dma_fence *fence)
{
	if (fence)
		kref_put(&fence->refcount, dma_fence_release);
}

int dma_fence_signal(struct dma_fence *fence)
{
	if (!fence || READ_ONCE(fence->signaled))
		return -EINVAL;
	WRITE_ONCE(fence->signaled, true);
	return 0;
}

void dma_resv_init(struct dma_resv *obj)
{
	ww_mutex_init(&obj->lock, &reservation_ww_class);
	obj->slots = NULL;
	obj->num_fences = 0;
	obj->max_fences = 0;
}

void dma_resv_fini(struct dma_resv *obj)
{
	unsigned int i;

	for (i = 0; i < obj->num_fences; i++)
		dma_fence_put(obj->slots[i].fence);
	kfree(obj->slots);
	obj->slots = NULL;
	obj->num_fences = obj->max_fences = 0;
	ww_mutex_destroy(&obj->lock);
}

int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences)
{
	struct dma_resv_slot *slots;
	unsigned int want;

	dma_resv_assert_held(obj);
	if (num_fences > 0x10000u)
		return -ENOMEM;
	want = obj->num_fences + num_fences;
	if (want <= obj->max_fences)
		return 0;
	slots = krealloc(obj->slots, want * sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	obj->slots = slots;
	obj->max_fences = want;
	return 0;
}

void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage)
{
	unsigned int i;

	dma_resv_assert_held(obj);
	/* A newer fence of the same context replaces the older one. */
	for (i = 0; i < obj->num_fences; i++) {
		if (obj->slots[i].fence->context == fence->context) {
			dma_fence_put(obj->slots[i].fence);
			obj->slots[i].fence = dma_fence_get(fence);
			obj->slots[i].usage = usage;
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
