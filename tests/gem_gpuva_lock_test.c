// SPDX-License-Identifier: MIT
/*
 * Which lock guards a GEM object's vm_bo list, per VM mode: the object's
 * resv for staged VMs, its gpuva mutex for immediate ones (6.18+), as
 * drm_gpuvm_bo_find() asserts it. Runs
 * on lib/ and, as gem_gpuva_lock_test_upstream, on upstream's own
 * drm_gpuvm.c, where it checks the shims as much as GPUVM: every
 * assertion is a WARN that must fire without the right lock and stay
 * quiet with it. Also the 7.0 vm_bo lifecycle of immediate VMs:
 * obtain_prealloc taking the mutex itself, the deferred unlink and put
 * leaving a zombie that holds its object until the deferred cleanup.
 * Immediate cases only where the API has immediate mode (GVM_HAS_*).
 */
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include "fuzz/gvm_api.h"
#include "fixture.h"
#include "test.h"

/* WARNs since the last reset; resets. How many an assertion raises varies. */
static unsigned long take_warns(void)
{
	unsigned long n = kcompat_warn_count();

	kcompat_warn_reset();
	return n;
}

/*
 * Look @vm_bo up by its pair, which asserts the list's lock and allocates
 * nothing, then drop the reference the lookup took (never the last one).
 */
static void touch_list(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuvm_bo *found = drm_gpuvm_bo_find(vm_bo->vm, vm_bo->obj);

	CHECK(found == vm_bo);
	if (!found)
		return;
	if (drm_gpuvm_immediate_mode(found->vm))
		CHECK(!drm_gpuvm_bo_put_deferred(found));
	else
		CHECK(!drm_gpuvm_bo_put(found));
}

TEST(staged_list_is_guarded_by_resv)
{
	struct drm_gpuvm *vm = fixture_vm("staged", 0, 0, 0x1000, 0, 0, NULL);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo;

	fixture_objs_freed = 0;
	dma_resv_lock(obj->resv, NULL);
	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);
	CHECK(!IS_ERR(vm_bo));
	touch_list(vm_bo);
	dma_resv_unlock(obj->resv);
	CHECK_WARNS(0);

	/* Without the resv: asserted. */
	touch_list(vm_bo);
	CHECK(take_warns() >= 1);

	/* The gpuva mutex is not the lock of a staged VM's list. */
	mutex_lock(&obj->gpuva.lock);
	touch_list(vm_bo);
	mutex_unlock(&obj->gpuva.lock);
	CHECK(take_warns() >= 1);

	dma_resv_lock(obj->resv, NULL);
	CHECK(drm_gpuvm_bo_put(vm_bo));
	dma_resv_unlock(obj->resv);
	drm_gem_object_put(obj);
	CHECK_EQ(fixture_objs_freed, 1);
	drm_gpuvm_put(vm);
	CHECK_WARNS(0);
}

#if GVM_HAS_IMMEDIATE_MODE
TEST(immediate_list_is_guarded_by_gpuva_mutex)
{
	struct drm_gpuvm *vm = fixture_vm("immediate", DRM_GPUVM_IMMEDIATE_MODE, 0, 0x1000,
					  0, 0, NULL);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo, *pre;

	/* obtain_prealloc takes and drops the mutex itself (7.0). */
	pre = drm_gpuvm_bo_create(vm, obj);
	vm_bo = drm_gpuvm_bo_obtain_prealloc(pre);
	CHECK(vm_bo == pre);
	CHECK(!mutex_is_locked(&obj->gpuva.lock));
	CHECK_WARNS(0);

	mutex_lock(&obj->gpuva.lock);
	touch_list(vm_bo);
	mutex_unlock(&obj->gpuva.lock);
	CHECK_WARNS(0);

	/* Neither no lock nor the resv will do in immediate mode. */
	touch_list(vm_bo);
	CHECK(take_warns() >= 1);
	dma_resv_lock(obj->resv, NULL);
	touch_list(vm_bo);
	dma_resv_unlock(obj->resv);
	CHECK(take_warns() >= 1);

	/* A second prealloc for the pair finds the first and frees itself. */
	pre = drm_gpuvm_bo_create(vm, obj);
	CHECK(drm_gpuvm_bo_obtain_prealloc(pre) == vm_bo);
	CHECK_EQ(kref_read(&vm_bo->kref), 2);
	CHECK(!drm_gpuvm_bo_put_deferred(vm_bo));
	CHECK_WARNS(0);

	drm_gpuvm_bo_put_deferred(vm_bo);
	drm_gpuvm_bo_deferred_cleanup(vm);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
	CHECK_WARNS(0);
}

TEST(immediate_unlink_defer_leaves_a_zombie)
{
	struct drm_gpuvm *vm = fixture_vm("immediate", DRM_GPUVM_IMMEDIATE_MODE, 0, 0x1000,
					  0, 0, NULL);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo = drm_gpuvm_bo_obtain_prealloc(drm_gpuvm_bo_create(vm, obj));
	struct drm_gpuva *va = fixture_va(vm, 0x100, 0x100, obj, 0);

	fixture_objs_freed = 0;
	fixture_vms_freed = 0;
	mutex_lock(&obj->gpuva.lock);
	drm_gpuva_link(va, vm_bo);
	mutex_unlock(&obj->gpuva.lock);
	CHECK(!drm_gpuvm_bo_put_deferred(vm_bo));	/* the VA's reference stays */
	CHECK_EQ(kref_read(&vm_bo->kref), 1);

	/* The last reference goes with the VA: the vm_bo turns zombie. */
	drm_gpuva_remove(va);
	drm_gpuva_unlink_defer(va);
	kfree(va);
	CHECK(!mutex_is_locked(&obj->gpuva.lock));
	CHECK(!llist_empty(&vm->bo_defer));
	CHECK(list_empty(&obj->gpuva.list));

	/* The zombie holds the object until the cleanup. */
	drm_gem_object_put(obj);
	CHECK_EQ(fixture_objs_freed, 0);
	drm_gpuvm_bo_deferred_cleanup(vm);
	CHECK_EQ(fixture_objs_freed, 1);
	CHECK(llist_empty(&vm->bo_defer));

	drm_gpuvm_put(vm);
	CHECK_EQ(fixture_vms_freed, 1);
	CHECK_WARNS(0);
}
#endif

#if GVM_HAS_IMMEDIATE_MODE
TEST_MAIN(staged_list_is_guarded_by_resv, immediate_list_is_guarded_by_gpuva_mutex,
	  immediate_unlink_defer_leaves_a_zombie)
#else
TEST_MAIN(staged_list_is_guarded_by_resv)
#endif
