// SPDX-License-Identifier: MIT
/* Fences, and the fence-signalling annotations as lockdep sees them. */
#include <linux/container_of.h>
#include <errno.h>
#include <kcompat/sched.h>
#include <linux/bug.h>
#include <linux/dma-fence.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include "internal.h"

static u64 fence_context_next = 1;

u64 dma_fence_context_alloc(unsigned int num)
{
	return __atomic_fetch_add(&fence_context_next, num, __ATOMIC_RELAXED);
}

void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    spinlock_t *lock, u64 context, u64 seqno)
{
	kref_init(&fence->refcount);
	fence->ops = ops;
	fence->lock = lock;
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
	kcompat_switch_point(KCOMPAT_SP_SIGNAL, fence);
	if (!fence || READ_ONCE(fence->signaled))
		return -EINVAL;
	WRITE_ONCE(fence->signaled, true);
	return 0;
}

/*
 * In atomic context, or inside a section already, there is nothing to
 * take: the cookie (true) tells end to release nothing.
 */
bool kcompat_fence_begin_signalling(const char *file, int line)
{
	if (kcompat_in_atomic() || kcompat_lock_is_held(&kcompat_dma_fence_map))
		return true;
	kcompat_lock_acquire(&kcompat_dma_fence_map, false, NULL, file, line);
	return false;
}

void kcompat_fence_end_signalling(bool cookie, const char *file, int line)
{
	if (!cookie)
		kcompat_lock_release(&kcompat_dma_fence_map, file, line);
}

/*
 * A wait depends on every signalling section finishing: dma_fence_map is
 * taken outright, after letting go of the task's own read hold (a section
 * may wait for another fence; it is waiting under its other locks that
 * is the problem).
 */
void kcompat_fence_might_wait(const char *file, int line)
{
	bool section = kcompat_lock_is_held(&kcompat_dma_fence_map);

	if (section)
		kcompat_lock_release(&kcompat_dma_fence_map, file, line);
	kcompat_lock_acquire(&kcompat_dma_fence_map, false, NULL, file, line);
	kcompat_lock_release(&kcompat_dma_fence_map, file, line);
	if (section)
		kcompat_lock_acquire(&kcompat_dma_fence_map, false, NULL, file, line);
}

long kcompat_fence_wait(struct dma_fence *fence, bool intr, const char *file, int line)
{
	(void)intr;
	if (unlikely(kcompat_sched_on))
		kcompat_sched_point(KCOMPAT_SP_WAIT, fence, "fence", file, line);
	kcompat_might_sleep(file, line);
	kcompat_fence_might_wait(file, line);
	/* Under the scheduler another thread may signal it; elsewhere none. */
	if (unlikely(kcompat_sched_on) && kcompat_sched_current())
		while (!dma_fence_is_signaled(fence))
			kcompat_sched_wait_fence(fence, file, line);
	if (WARN(!dma_fence_is_signaled(fence),
		 "waiting for fence %llu:%llu, which nothing will signal (deadlock)",
		 (unsigned long long)fence->context, (unsigned long long)fence->seqno))
		return -EDEADLK;
	return 0;
}
