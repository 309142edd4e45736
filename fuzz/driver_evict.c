// SPDX-License-Identifier: MIT
/*
 * The object moved: eviction (TTM's, and the one a validate makes room
 * with) and move notifications that invalidate its VAs, under the
 * object's resv and its gpuva lock.
 */
#include "driver_model.h"

/*
 * Making room as TTM does under memory pressure: evict @bo, under its resv
 * (already held if this exec locked it, else only if a trylock gets it,
 * as TTM evicts only what it can lock) and its gpuva mutex (A2 for the
 * immediate VMs among its vm_bos). Its vm_bo in the VM being validated
 * lands back on the evict list mid-walk.
 */
void drv_evict_for_room(struct drv_bo *bo)
{
	struct drm_gem_object *obj = &bo->base;
	bool held = dma_resv_held(obj->resv);

	if (!held && !dma_resv_trylock(obj->resv))
		return;
	mutex_lock(&obj->gpuva.lock);
	drm_gpuvm_bo_gem_evict(obj, true);
	mutex_unlock(&obj->gpuva.lock);
	if (!held)
		dma_resv_unlock(obj->resv);
}

int drv_evict(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool evict)
{
	struct drm_gem_object *obj = &((struct drv_bo *)hbo)->base;

	(void)gbe;
	/* A3, and A2 for every VM: the resv, then (immediate VMs) the gpuva lock. */
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gpuvm_bo_gem_evict(obj, evict);
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	return 0;
}

/*
 * A move notification: the object's backing changed, so every VA of it,
 * in every VM, is (or is no longer) invalidated, as nouveau's move hook
 * marks them, under the object's resv and its gpuva lock.
 */
void drv_invalidate(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool invalidate)
{
	struct drm_gem_object *obj = &((struct drv_bo *)hbo)->base;
	/* Named vm_bo: upstream's drm_gpuvm_bo_for_each_va() needs it (findings 4). */
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	(void)gbe;
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		drm_gpuvm_bo_for_each_va(va, vm_bo)
			drm_gpuva_invalidate(va, invalidate);
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
}
