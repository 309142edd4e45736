/* SPDX-License-Identifier: MIT */
/* Fences as refcounted tokens; nothing ever waits on one here. */
#ifndef _UPSTREAM_SHIM_DMA_FENCE_H
#define _UPSTREAM_SHIM_DMA_FENCE_H

#include <linux/container_of.h>
#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

struct dma_fence_ops;

struct dma_fence {
	struct kref refcount;
	const struct dma_fence_ops *ops;
	spinlock_t *lock;
	u64 context;
	u64 seqno;
};

u64 urt_fence_context_alloc(unsigned int num);
bool urt_fence_begin_signalling(void);
void urt_fence_end_signalling(bool cookie);

static inline void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
				  spinlock_t *lock, u64 context, u64 seqno)
{
	kref_init(&fence->refcount);
	fence->ops = ops;
	fence->lock = lock;
	fence->context = context;
	fence->seqno = seqno;
}

static inline struct dma_fence *dma_fence_get(struct dma_fence *fence)
{
	if (fence)
		kref_get(&fence->refcount);
	return fence;
}

static inline void urt_fence_release(struct kref *kref)
{
	kfree(container_of(kref, struct dma_fence, refcount));
}

static inline void dma_fence_put(struct dma_fence *fence)
{
	if (fence)
		kref_put(&fence->refcount, urt_fence_release);
}

#define dma_fence_context_alloc(n)	urt_fence_context_alloc(n)
#define dma_fence_begin_signalling()	urt_fence_begin_signalling()
#define dma_fence_end_signalling(c)	urt_fence_end_signalling(c)

#endif
