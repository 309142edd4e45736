// SPDX-License-Identifier: MIT
/*
 * How the driver's paths lock: one drm_exec over the VM's resv and the
 * objects a request touches, the check that an object's VMs agree on
 * immediate mode, and two resvs without drm_exec where nothing may fail.
 */
#include "driver_model.h"

/* Lock the VM's resv and @obj's (either may be NULL) in one drm_exec. */
int drv_lock_vm_and(struct drm_exec *exec, struct drv_vm *vm, struct drm_gem_object *obj)
{
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(&vm->base, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		if (obj) {
			ret = drm_exec_lock_obj(exec, obj);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/*
 * Lock the VM's resv and every object a bind of @req, or an unbind of
 * [addr, addr + range) when @req is NULL, will touch. @exec is left
 * initialised either way: the caller finishes it.
 */
int drv_lock_request(struct drm_exec *exec, struct drv_vm *vm,
		     struct drm_gpuvm_map_req *req, uint64_t addr, uint64_t range)
{
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(&vm->base, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		if (req)
			ret = drm_gpuvm_sm_map_exec_lock(&vm->base, exec, 1, req);
		else
			ret = drm_gpuvm_sm_unmap_exec_lock(&vm->base, exec, addr, range);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
	}
	return ret;
}

/* All VMs with a vm_bo on @obj must agree with @immediate. */
bool drv_mode_conflict(struct drm_gem_object *obj, bool immediate)
{
	struct drm_gpuvm_bo *vm_bo;
	bool conflict = false;

	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		if (drm_gpuvm_immediate_mode(vm_bo->vm) != immediate)
			conflict = true;
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	return conflict;
}

/* extobj_add needs the VM's resv when RESV_PROTECTED. */
void drv_extobj_add(struct drv_vm *vm, struct drm_gpuvm_bo *vm_bo, bool resv_held)
{
	bool lock = drm_gpuvm_resv_protected(&vm->base) && !resv_held;

	if (lock)
		dma_resv_lock(drm_gpuvm_resv(&vm->base), NULL);
	drm_gpuvm_bo_extobj_add(vm_bo);
	if (lock)
		dma_resv_unlock(drm_gpuvm_resv(&vm->base));
}

/*
 * Lock the VM's resv and @obj_resv (the same one for a private object)
 * without drm_exec: no allocation, so it cannot fail. Two reservations
 * need one acquire context, as the kernel's lockdep insists; a simulated
 * contention (-EDEADLK) is backed off from as the ww protocol says.
 */
void drv_lock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
		    struct dma_resv *obj_resv)
{
	struct dma_resv *a = vm_resv, *b = obj_resv != vm_resv ? obj_resv : NULL;

	ww_acquire_init(ctx, &reservation_ww_class);
	if (dma_resv_lock(a, ctx) == -EDEADLK)
		dma_resv_lock_slow(a, ctx);
	while (b && dma_resv_lock(b, ctx) == -EDEADLK) {
		struct dma_resv *held = b;

		dma_resv_unlock(a);
		dma_resv_lock_slow(held, ctx);
		b = a;
		a = held;
	}
	ww_acquire_done(ctx);
}

void drv_unlock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
		      struct dma_resv *obj_resv)
{
	if (obj_resv != vm_resv)
		dma_resv_unlock(obj_resv);
	dma_resv_unlock(vm_resv);
	ww_acquire_fini(ctx);
}
