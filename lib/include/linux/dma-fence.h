/* SPDX-License-Identifier: MIT */
/*
 * A minimal dma_fence: refcounted, signalable, and the signalling-section
 * annotations that make the fence-signalling rules checkable.
 */
#ifndef _GPUVM_LINUX_DMA_FENCE_H
#define _GPUVM_LINUX_DMA_FENCE_H

#include <linux/kref.h>
#include <linux/types.h>

struct dma_fence;

struct dma_fence_ops {
	const char *(*get_driver_name)(struct dma_fence *fence);
	/* Frees the fence; kfree() of the fence when NULL. */
	void (*release)(struct dma_fence *fence);
};

struct dma_fence {
	struct kref refcount;
	const struct dma_fence_ops *ops;
	u64 context;
	u64 seqno;
	bool signaled;
};

void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    void *lock, u64 context, u64 seqno);
void dma_fence_put(struct dma_fence *fence);
int dma_fence_signal(struct dma_fence *fence);
u64 dma_fence_context_alloc(unsigned int num);

static inline struct dma_fence *dma_fence_get(struct dma_fence *fence)
{
	if (fence)
		kref_get(&fence->refcount);
	return fence;
}

static inline bool dma_fence_is_signaled(struct dma_fence *fence)
{
	return READ_ONCE(fence->signaled);
}

/*
 * Mark a fence-signalling critical section (run_job and friends). Inside it,
 * see kcompat_in_signalling() for what is forbidden.
 */
bool dma_fence_begin_signalling(void);
void dma_fence_end_signalling(bool cookie);

#endif /* _GPUVM_LINUX_DMA_FENCE_H */
