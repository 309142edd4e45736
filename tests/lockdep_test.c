// SPDX-License-Identifier: MIT
/*
 * The kernel environment's lock and context checks (kcompat/): each one
 * fires on a deliberate misuse and stays quiet on correct use. Built
 * twice: on lib/'s instance of kcompat, and as lockdep_test_upstream on
 * the upstream backend's (the same sources, on the kernel tree's list,
 * kref and rbtree headers, with its symbols prefixed), so that both
 * GPUVMs are held to the same rules.
 */
#include <string.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kcompat.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include "fixture.h"
#include "test.h"

/* The last WARN contains @what; then the count is reset. */
static bool warned(const char *what)
{
	bool ok = kcompat_warn_count() == 1 && strstr(kcompat_warn_last(), what);

	if (!ok)
		fprintf(stderr, "want one WARN with \"%s\", have %lu: %s\n", what,
			kcompat_warn_count(), kcompat_warn_last());
	kcompat_warn_reset();
	return ok;
}

/* A GEM object of its own, with its resv and gpuva mutex. */
static struct drm_gem_object *new_obj(void)
{
	return fixture_obj(NULL);
}

TEST(correct_use_is_quiet)
{
	struct drm_gem_object *a = new_obj(), *b = new_obj();
	struct ww_acquire_ctx ctx;
	spinlock_t lock;
	bool cookie;
	void *p;

	kcompat_lockdep_reset();
	/* Reservations, then the gpuva mutex, then the allocator: the kernel's order. */
	dma_resv_lock(a->resv, NULL);
	mutex_lock(&a->gpuva.lock);
	mutex_unlock(&a->gpuva.lock);
	p = kmalloc(16, GFP_KERNEL);
	kfree(p);
	dma_resv_unlock(a->resv);
	/* Two reservations under one acquire context. */
	ww_acquire_init(&ctx, &reservation_ww_class);
	CHECK_EQ(dma_resv_lock(a->resv, &ctx), 0);
	CHECK_EQ(dma_resv_lock(b->resv, &ctx), 0);
	CHECK_EQ(dma_resv_lock(a->resv, &ctx), -EALREADY);
	dma_resv_unlock(b->resv);
	dma_resv_unlock(a->resv);
	ww_acquire_fini(&ctx);
	/* The signalling path takes the gpuva mutex and allocates nothing sleeping. */
	cookie = dma_fence_begin_signalling();
	CHECK(kcompat_in_signalling());
	mutex_lock(&b->gpuva.lock);
	p = kmalloc(16, GFP_NOWAIT);
	kfree(p);
	mutex_unlock(&b->gpuva.lock);
	CHECK(dma_fence_begin_signalling());	/* nested: nothing to take */
	dma_fence_end_signalling(cookie);
	CHECK(!kcompat_in_signalling());
	/* Atomic context allows non-sleeping allocations. */
	spin_lock_init(&lock);
	spin_lock(&lock);
	CHECK(kcompat_in_atomic());
	p = kmalloc(16, GFP_ATOMIC);
	kfree(p);
	spin_unlock(&lock);
	CHECK_WARNS(0);
	CHECK_EQ(kcompat_lockdep_stats().reports, 0);
	drm_gem_object_put(a);
	drm_gem_object_put(b);
}

TEST(sleeping_allocation_under_a_spinlock)
{
	spinlock_t lock;
	void *p;

	kcompat_lockdep_reset();
	spin_lock_init(&lock);
	spin_lock(&lock);
	p = kmalloc(16, GFP_KERNEL);
	spin_unlock(&lock);
	kfree(p);
	CHECK(warned("sleeping function called from invalid context"));
	/* A mutex is a sleeping lock too. */
	{
		struct drm_gem_object *obj = new_obj();

		spin_lock(&lock);
		mutex_lock(&obj->gpuva.lock);
		mutex_unlock(&obj->gpuva.lock);
		spin_unlock(&lock);
		CHECK(warned("sleeping function called from invalid context"));
		drm_gem_object_put(obj);
	}
}

TEST(sleeping_allocation_under_the_gpuva_mutex)
{
	struct drm_gem_object *obj = new_obj();
	void *p;

	kcompat_lockdep_reset();
	mutex_lock(&obj->gpuva.lock);
	p = kzalloc(16, GFP_KERNEL);
	mutex_unlock(&obj->gpuva.lock);
	kfree(p);
	CHECK(warned("a lock the fence-signalling path takes"));
	drm_gem_object_put(obj);
}

TEST(resv_in_a_signalling_section)
{
	struct drm_gem_object *obj = new_obj();
	bool cookie;

	kcompat_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	dma_resv_lock(obj->resv, NULL);
	dma_resv_unlock(obj->resv);
	dma_fence_end_signalling(cookie);
	/* The primed order says resv before reclaim before fences. */
	CHECK(warned("possible circular locking dependency"));
	CHECK_EQ(kcompat_lockdep_stats().reports, 1);
	drm_gem_object_put(obj);
}

TEST(sleeping_allocation_in_a_signalling_section)
{
	bool cookie;
	void *p;

	kcompat_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	p = kmalloc(16, GFP_KERNEL);
	dma_fence_end_signalling(cookie);
	kfree(p);
	CHECK(warned("possible circular locking dependency"));
}

/* The report names both classes and every acquisition site. */
TEST(ab_ba_is_reported_without_a_deadlock)
{
	struct drm_gem_object *obj = new_obj();
	const char *last;

	kcompat_lockdep_reset();
	mutex_lock(&obj->gpuva.lock);
	dma_resv_lock(obj->resv, NULL);		/* gpuva -> resv */
	dma_resv_unlock(obj->resv);
	mutex_unlock(&obj->gpuva.lock);
	CHECK_WARNS(0);
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);		/* resv -> gpuva: the cycle */
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	last = kcompat_warn_last();
	CHECK(strstr(last, "lockdep: possible circular locking dependency detected"));
	CHECK(strstr(last, "&obj->gpuva.lock"));
	CHECK(strstr(last, "reservation_ww_class_mutex"));
	/* Where each was taken, both times: this file, four lines. */
	CHECK(strstr(last, "lockdep_test.c:"));
	CHECK(warned("is trying to acquire &obj->gpuva.lock"));
	/* One report per generation; the next starts clean. */
	mutex_lock(&obj->gpuva.lock);
	dma_resv_lock(obj->resv, NULL);
	dma_resv_unlock(obj->resv);
	mutex_unlock(&obj->gpuva.lock);
	CHECK_WARNS(0);
	kcompat_lockdep_reset();
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	CHECK_WARNS(0);
	drm_gem_object_put(obj);
}

TEST(two_resvs_without_a_context)
{
	struct drm_gem_object *a = new_obj(), *b = new_obj();

	kcompat_lockdep_reset();
	dma_resv_lock(a->resv, NULL);
	dma_resv_lock(b->resv, NULL);
	dma_resv_unlock(b->resv);
	dma_resv_unlock(a->resv);
	CHECK(warned("possible recursive locking detected"));
	drm_gem_object_put(a);
	drm_gem_object_put(b);
}

TEST(fence_wait_under_a_signalling_lock)
{
	struct drm_gem_object *obj = new_obj();
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	bool cookie;

	kcompat_lockdep_reset();
	dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
	dma_fence_signal(fence);
	/* The signalling path takes the gpuva mutex ... */
	cookie = dma_fence_begin_signalling();
	mutex_lock(&obj->gpuva.lock);
	mutex_unlock(&obj->gpuva.lock);
	dma_fence_end_signalling(cookie);
	CHECK_WARNS(0);
	/* ... so waiting for a fence under it can deadlock. */
	mutex_lock(&obj->gpuva.lock);
	CHECK_EQ(dma_fence_wait(fence, false), 0);
	mutex_unlock(&obj->gpuva.lock);
	CHECK(warned("possible circular locking dependency"));
	dma_fence_put(fence);
	drm_gem_object_put(obj);
}

TEST(reclaim_taking_a_lock_that_allocates)
{
	struct drm_gem_object *obj = new_obj();
	void *p;

	kcompat_lockdep_reset();
	/* A shrinker takes the resv in reclaim ... */
	fs_reclaim_acquire(GFP_KERNEL);
	dma_resv_lock(obj->resv, NULL);
	dma_resv_unlock(obj->resv);
	fs_reclaim_release(GFP_KERNEL);
	/* (the primed order already said the opposite) */
	CHECK(warned("possible circular locking dependency"));
	kcompat_lockdep_reset();
	/* A plain mutex: allocating under it, and taking it in reclaim. */
	{
		struct mutex m;

		mutex_init(&m);
		mutex_lock(&m);
		p = kmalloc(16, GFP_KERNEL);
		mutex_unlock(&m);
		kfree(p);
		CHECK_WARNS(0);
		fs_reclaim_acquire(GFP_KERNEL);
		mutex_lock(&m);
		mutex_unlock(&m);
		fs_reclaim_release(GFP_KERNEL);
		CHECK(warned("possible circular locking dependency"));
		mutex_destroy(&m);
	}
	drm_gem_object_put(obj);
}

/* Freeing the memory of a lock one holds: the GEM whose gpuva mutex is held. */
TEST(held_lock_freed)
{
	struct drm_gem_object *obj = new_obj();
	struct mutex *m = kzalloc(sizeof(*m), GFP_KERNEL);

	kcompat_lockdep_reset();
	mutex_init(m);
	mutex_lock(m);
	mutex_unlock(m);
	kfree(m);
	CHECK_WARNS(0);
	/* What a driver freeing the object itself (not by its last put) would do. */
	mutex_lock(&obj->gpuva.lock);
	kfree(obj);
	CHECK(warned("held lock freed"));
	/* The lock is gone with its memory; forget it as the kernel would not. */
	kcompat_current()->depth--;
	kcompat_current()->noalloc--;
}

/* A device reference counted as the kernel's: over-put releases early. */
static unsigned int released;

static void release(struct drm_device *dev)
{
	(void)dev;
	released++;
}

static const struct drm_driver driver = { .name = "test", .release = release };

TEST(device_references)
{
	struct drm_device dev;

	released = 0;
	drm_dev_init(&dev, &driver, "test");
	drm_dev_get(&dev);
	CHECK_EQ(kref_read(&dev.ref), 2);
	drm_dev_put(&dev);
	CHECK_EQ(released, 0);
	drm_dev_put(&dev);
	CHECK_EQ(released, 1);
	drm_dev_put(NULL);
	drm_dev_get(NULL);
	/* Once more: the count underflows, a WARN. */
	drm_dev_put(&dev);
	CHECK(warned("refcount_t: underflow"));
	CHECK_EQ(released, 1);
}

TEST_MAIN(correct_use_is_quiet, sleeping_allocation_under_a_spinlock,
	  sleeping_allocation_under_the_gpuva_mutex, resv_in_a_signalling_section,
	  sleeping_allocation_in_a_signalling_section, ab_ba_is_reported_without_a_deadlock,
	  two_resvs_without_a_context, fence_wait_under_a_signalling_lock,
	  reclaim_taking_a_lock_that_allocates, held_lock_freed, device_references)
