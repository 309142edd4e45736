/* SPDX-License-Identifier: MIT */
/*
 * A minimal dma_fence: refcounted, signalable, and the fence-signalling
 * annotations of the kernel, which make the signalling rules checkable
 * through lockdep's dma_fence_map pseudo-lock (<linux/lockdep.h>).
 */
#ifndef _KCOMPAT_LINUX_DMA_FENCE_H
#define _KCOMPAT_LINUX_DMA_FENCE_H

#include <linux/kref.h>
#include <linux/spinlock.h>
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
	spinlock_t *lock;
	u64 context;
	u64 seqno;
	bool signaled;
};

void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    spinlock_t *lock, u64 context, u64 seqno);
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

/* Whether @f is later than or the same as @g (same context). */
static inline bool dma_fence_is_later_or_same(struct dma_fence *f, struct dma_fence *g)
{
	return f == g || f->seqno >= g->seqno;
}

/*
 * Mark a fence-signalling critical section (run_job and friends): from
 * begin to end the task holds dma_fence_map (for reading), so every lock
 * it takes and every sleeping allocation it makes is ordered after it.
 * The cookie says whether begin took it (false) or found it held (true,
 * nested sections), as in the kernel.
 */
bool kcompat_fence_begin_signalling(const char *file, int line);
void kcompat_fence_end_signalling(bool cookie, const char *file, int line);
#define dma_fence_begin_signalling() kcompat_fence_begin_signalling(__FILE__, __LINE__)
#define dma_fence_end_signalling(cookie) \
	kcompat_fence_end_signalling((cookie), __FILE__, __LINE__)

/*
 * Waiting for a fence: a might_sleep() point, and dma_fence_map taken for
 * writing, so a wait under a lock the signalling path takes is a cycle.
 * Outside the scheduler nothing signals a fence behind the caller's back:
 * waiting for one that is not signalled would never return, and is a WARN
 * instead. A scheduler thread blocks until another thread signals it.
 */
void kcompat_fence_might_wait(const char *file, int line);
long kcompat_fence_wait(struct dma_fence *fence, bool intr, const char *file, int line);
#define dma_fence_wait(fence, intr) kcompat_fence_wait((fence), (intr), __FILE__, __LINE__)

#endif /* _KCOMPAT_LINUX_DMA_FENCE_H */
