// SPDX-License-Identifier: MIT
/*
 * What the kernel teaches lockdep at boot (dma_resv_lockdep(), an
 * initcall of dma-resv.c): reservations are taken outside memory reclaim,
 * and reclaim may wait for fences. Taking them in that order once records
 * reservation -> fs_reclaim -> dma_fence_map, so that the reverse of
 * either step anywhere later closes a cycle.
 */
#include <kcompat/sched.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/gfp.h>
#include <linux/lockdep.h>
#include "internal.h"

void kcompat_prime_lockdep(void)
{
	/* A task of its own, so that reports say where the order came from. */
	struct kcompat_task boot = { .name = "boot (the kernel's dma_resv_lockdep())" };
	struct kcompat_task *prev = kcompat_set_current(&boot);
	bool scheduling = kcompat_sched_on;
	struct ww_acquire_ctx ctx;
	struct dma_resv obj;

	/* The environment's own doing, on first use: no thread's switch points. */
	kcompat_sched_on = false;
	dma_resv_init(&obj);
	ww_acquire_init(&ctx, &reservation_ww_class);
	if (dma_resv_lock(&obj, &ctx) == -EDEADLK)
		dma_resv_lock_slow(&obj, &ctx);
	fs_reclaim_acquire(GFP_KERNEL);
	kcompat_fence_might_wait(__FILE__, __LINE__);
	fs_reclaim_release(GFP_KERNEL);
	dma_resv_unlock(&obj);
	ww_acquire_fini(&ctx);
	dma_resv_fini(&obj);
	kcompat_sched_on = scheduling;
	kcompat_set_current(prev);
}
