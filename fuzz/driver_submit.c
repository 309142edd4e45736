// SPDX-License-Identifier: MIT
/*
 * A submit: the driver locks the VM and its objects (drm_gpuvm_exec_*,
 * or its own drm_exec loop over the prepare helpers), validates what was
 * evicted, possibly under memory pressure, and adds the job's fence.
 */
#include "driver_model.h"

/*
 * A TTM validate: move the object back into place and clear its
 * eviction. Under pressure (drv_validate()) the walk's first validation
 * first evicts another object, and the named object cannot be placed.
 */
int drv_vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	struct drv_bo *bo = to_bo(vm_bo->obj);
	struct drv_vm *vm = to_vm(vm_bo->vm);
	struct drv *be = bo->be;
	struct gvm_event ev = { .kind = GVM_EV_VALIDATED, .id = bo->id };

	(void)exec;
	if (vm->pressure.calls++ == 0 && vm->pressure.evict)
		drv_evict_for_room(vm->pressure.evict);
	if (bo == vm->pressure.fail)
		return -ENOMEM;
	emit(be, &ev);
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
}

/*
 * Lock what drm_gpuvm_exec_lock(), _lock_array(@objs) or, with @by_range,
 * _lock_range() would, in the driver's own drm_exec loop through the
 * exported prepare helpers, as xe and panthor do. @exec is finished on
 * error.
 */
static int own_lock(struct drm_exec *exec, struct drm_gpuvm *gpuvm, bool by_range,
		    uint64_t addr, uint64_t range, struct drm_gem_object **objs, unsigned int n,
		    unsigned int num_fences)
{
	unsigned int i;
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		if (by_range) {
			/* As exec_lock_range: what is mapped there, not the VM. */
			ret = drm_gpuvm_prepare_range(gpuvm, exec, addr, range, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		} else {
			ret = drm_gpuvm_prepare_vm(gpuvm, exec, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
			ret = drm_gpuvm_prepare_objects(gpuvm, exec, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
			/* No fences: lock only (reserving none WARNs). */
			for (i = 0; !num_fences && !ret && i < n; i++)
				ret = drm_exec_lock_obj(exec, objs[i]);
			if (num_fences && n)
				ret = drm_exec_prepare_array(exec, objs, n, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/* @own: the driver's own drm_exec loop and the bare helpers (xe), else the exec wrappers. */
int drv_validate(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *fail,
		 struct gvm_be_bo *evict, bool own)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->base,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = 1,
	};
	struct drm_exec *exec = &vm_exec.exec;
	struct dma_fence *fence;
	int ret;

	(void)gbe;
	if (own)
		ret = own_lock(exec, &vm->base, false, 0, 0, NULL, 0, 1);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		return ret;
	vm->pressure.fail = (struct drv_bo *)fail;
	vm->pressure.evict = (struct drv_bo *)evict;
	vm->pressure.calls = 0;
	if (own)
		ret = drm_gpuvm_validate(&vm->base, exec);
	else
		ret = drm_gpuvm_exec_validate(&vm_exec);
	vm->pressure.fail = vm->pressure.evict = NULL;
	/* A job's fence on everything locked, as a submit would add. */
	fence = ret ? NULL : kzalloc(sizeof(*fence), GFP_KERNEL);
	if (fence) {
		dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
		if (own)
			drm_gpuvm_resv_add_fence(&vm->base, exec, fence, DMA_RESV_USAGE_BOOKKEEP,
						 DMA_RESV_USAGE_BOOKKEEP);
		else
			drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, DMA_RESV_USAGE_BOOKKEEP,
						      DMA_RESV_USAGE_BOOKKEEP);
		dma_fence_put(fence);
	}
	drm_exec_fini(exec);
	return ret;
}

/* Bit V or B of @out for the reservation @obj was locked through. */
static void note_locked(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj,
			struct dma_fence *fence, struct gvm_locked *out)
{
	int usage = fence ? dma_resv_fence_usage(obj->resv, fence) : -1;
	struct drv_bo *bo;

	if (obj == gpuvm->r_obj) {
		out->vms |= UINT64_C(1) << to_vm(gpuvm)->id;
		out->vm_usage[to_vm(gpuvm)->id] = (int8_t)usage;
		return;
	}
	bo = to_bo(obj);
	if (bo->r_obj) {
		out->vms |= UINT64_C(1) << bo->priv_vm;
		out->vm_usage[bo->priv_vm] = (int8_t)usage;
	} else {
		out->bos |= UINT64_C(1) << bo->id;
		out->bo_usage[bo->id] = (int8_t)usage;
	}
}

/*
 * A submit's locking: the VM and its external objects (drm_gpuvm_exec_lock),
 * plus an array of objects (exec_lock_array, as a job's BO list), or the VM
 * and what is mapped in a range (exec_lock_range); then the job's fence on
 * everything locked, with the usages the driver passes.
 */
int drv_lock(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
	     const struct gvm_lock_req *req, struct gvm_locked *out)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->base,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = req->priv_usage >= 0 ? 1 : 0,
	};
	struct drm_gem_object *objs[GVM_MAX_ID];
	struct dma_fence *fence = NULL;
	struct drm_exec *exec = &vm_exec.exec;
	unsigned int n = 0, i;
	int ret;

	if (req->by_range && drv_bad_probe(req->addr, req->range))
		return -EINVAL;
	if (req->priv_usage >= 0) {
		/* Allocated first: nothing can fail once the locks are held. */
		fence = kzalloc(sizeof(*fence), GFP_KERNEL);
		if (!fence)
			return -ENOMEM;
		dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
	}
	for (i = 0; i < GVM_MAX_ID; i++)
		if (req->objs & (UINT64_C(1) << i))
			objs[n++] = &((struct drv_bo *)req->bos[i])->base;
	/*
	 * docs/upstream-findings.md 6: upstream's exec_lock_array reserves
	 * the array's fences even when there are none to reserve, which
	 * WARNs. With GVM_KNOWN_FINDINGS the driver reserves one it will not
	 * use, so that a fuzzer looks past that finding.
	 */
	if (n && !vm_exec.num_fences && !req->own && to_drv(gbe)->known)
		vm_exec.num_fences = 1;
	if (req->own)
		ret = own_lock(exec, &vm->base, req->by_range, req->addr, req->range, objs, n,
			       vm_exec.num_fences);
	else if (n)
		ret = drm_gpuvm_exec_lock_array(&vm_exec, objs, n);
	else if (req->by_range)
		ret = drm_gpuvm_exec_lock_range(&vm_exec, req->addr, req->range);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		goto out;
	if (fence && req->own)
		drm_gpuvm_resv_add_fence(&vm->base, exec, fence,
					 (enum dma_resv_usage)req->priv_usage,
					 (enum dma_resv_usage)req->ext_usage);
	else if (fence)
		drm_gpuvm_exec_resv_add_fence(&vm_exec, fence,
					      (enum dma_resv_usage)req->priv_usage,
					      (enum dma_resv_usage)req->ext_usage);
	memset(out, 0, sizeof(*out));
	memset(out->vm_usage, -1, sizeof(out->vm_usage));
	memset(out->bo_usage, -1, sizeof(out->bo_usage));
	for (i = 0; i < exec->num_objects; i++)
		note_locked(&vm->base, exec->objects[i], fence, out);
	drm_exec_fini(exec);
out:
	if (fence) {
		/* The job ran: the next fence of any context may take its slot. */
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
	return ret;
}
