// SPDX-License-Identifier: MIT
/*
 * The bind ioctl: map, unmap, madvise, prefetch and bo_unmap.
 *
 * Staged VMs (nouveau, xe): the bind runs in the ioctl. drm_exec locks the
 * VM's resv and every object the request touches (sm_map_exec_lock), the
 * request's vm_bo is obtained, the ops list is built, VAs for it are
 * preallocated, then the ops are applied (driver_steps.c).
 *
 * Immediate VMs (panthor, the Rust drivers): the ioctl preallocates VAs and
 * a vm_bo (create + obtain_prealloc); the bind itself runs inside a
 * fence-signalling section through drm_gpuvm_sm_map/sm_unmap callbacks.
 * Queued as a job, run_job runs it instead (driver_jobs.c).
 */
#include "driver_model.h"

/*
 * What a bind ioctl refuses before GPUVM builds any op: an empty range
 * (xe refuses it itself, panthor's synchronous VM_BIND ignores it;
 * upstream GPUVM would accept it, README "Differences"), then whatever
 * drm_gpuvm_range_valid() refuses (a range past 2^64, outside the window,
 * over the kernel-reserved node), as nouveau's and imagination's ioctls
 * ask it.
 *
 * A VM created with "empty_ok" has nouveau's ioctl, which asks only
 * drm_gpuvm_range_valid() (panthor's asynchronous VM_BIND asks even
 * less): an empty range reaches GPUVM, where lib/ refuses it and upstream
 * builds a zero-length VA from it (docs/upstream-findings.md 5). With
 * GVM_KNOWN_FINDINGS such VMs refuse it here like the others, so that a
 * fuzzer looks past that finding.
 */
bool drv_ioctl_refuses(struct drv_vm *vm, uint64_t addr, uint64_t range)
{
	if (!range && (!vm->empty_ok || vm->be->known))
		return true;
	return !drm_gpuvm_range_valid(&vm->base, addr, range);
}

/*
 * Prefetch: GPUVM checks nothing (lib/ the empty and wrapping ranges); the
 * ioctl refuses those two, as xe's does. The window is not checked.
 */
static bool prefetch_refused(uint64_t addr, uint64_t range)
{
	uint64_t end;

	return !range || __builtin_add_overflow(addr, range, &end);
}

static int staged_map(struct drv *be, struct drv_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret = 0;

	ret = drv_lock_request(&exec, vm, req, 0, 0);
	if (ret)
		goto out;
	if (obj) {
		vm_bo = drv_obtain_staged(vm, obj);
		if (IS_ERR(vm_bo)) {
			ret = PTR_ERR(vm_bo);
			vm_bo = NULL;
			goto out;
		}
	}
	ops = drm_gpuvm_sm_map_ops_create(&vm->base, req);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto put;
	}
	c.vm_bo = vm_bo;
	ret = drv_apply_list(&c, ops);
	/* Only now is the bind sure to happen. */
	if (!ret && vm_bo)
		drm_gpuvm_bo_extobj_add(vm_bo);
put:
	drm_gpuvm_bo_put(vm_bo);	/* the request's reference; VAs hold theirs */
out:
	drm_exec_fini(&exec);
	return ret;
}

/*
 * The same bind through drm_gpuvm_sm_map(): the sm_step callbacks apply
 * each step at once (under the same locks), with VAs preallocated for the
 * pieces that can survive. The twin check compares it with staged_map().
 */
static int staged_map_cb(struct drv *be, struct drv_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct va_pool pool;
	struct drm_exec exec;
	int ret;

	ret = drv_lock_request(&exec, vm, req, 0, 0);
	if (ret)
		goto out;
	ret = drv_pool_fill(&pool, 1 + drv_unmap_vas_needed(&vm->base, req->map.va.addr,
						    req->map.va.range));
	if (ret)
		goto out;
	if (obj) {
		vm_bo = drv_obtain_staged(vm, obj);
		if (IS_ERR(vm_bo)) {
			ret = PTR_ERR(vm_bo);
			drv_pool_drain(&pool);
			goto out;
		}
	}
	c.vm_bo = vm_bo;
	c.pool = &pool;
	c.deferred = true;
	c.fail_at = be->fail_step;
	ret = drv_finish_steps(&c, drm_gpuvm_sm_map(&vm->base, &c, req));
	if (!ret && vm_bo)
		drm_gpuvm_bo_extobj_add(vm_bo);
	drv_pool_drain(&pool);
	drm_gpuvm_bo_put(vm_bo);
out:
	drm_exec_fini(&exec);
	return ret;
}

static int immediate_map(struct drv *be, struct drv_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm, .immediate = true };
	struct drm_gpuvm_bo *vm_bo = NULL, *prealloc;
	struct va_pool pool;
	bool cookie;
	int ret;

	/* The ioctl validates and preallocates; run_job cannot fail or allocate. */
	if (!drm_gpuvm_range_valid(&vm->base, req->map.va.addr, req->map.va.range))
		return -EINVAL;
	ret = drv_pool_fill(&pool, 1 + drv_unmap_vas_needed(&vm->base, req->map.va.addr,
						    req->map.va.range));
	if (ret)
		return ret;
	if (obj) {
		prealloc = drv_vm_bo_create_pinned(&vm->base, obj);
		if (!prealloc) {
			drv_pool_drain(&pool);
			return -ENOMEM;
		}
		vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
		drv_extobj_add(vm, vm_bo, false);
	}

	c.vm_bo = vm_bo;
	c.pool = &pool;
	cookie = dma_fence_begin_signalling();
	ret = drm_gpuvm_sm_map(&vm->base, &c, req);
	dma_fence_end_signalling(cookie);

	drm_gpuvm_bo_put_deferred(vm_bo);
	drv_pool_drain(&pool);
	return ret;
}

int drv_map(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
	    uint64_t range, struct gvm_be_bo *hbo, uint64_t offset)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_bo *bo = (struct drv_bo *)hbo;
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct drm_gpuvm_map_req req = {
		.map = { .va = { addr, range }, .gem = { offset, bo ? &bo->base : NULL } },
	};

	int ret;

	if (drv_ioctl_refuses(vm, addr, range) || (bo && drv_foreign_private(vm, bo)))
		return -EINVAL;
	if (bo)
		mutex_lock(&bo->bind_lock);
	if (bo && drv_mode_conflict(&bo->base, immediate))
		ret = -EINVAL;
	else if (immediate)
		ret = immediate_map(to_drv(gbe), vm, &req);
	else if (to_drv(gbe)->callbacks || to_drv(gbe)->fail_step)
		ret = staged_map_cb(to_drv(gbe), vm, &req);
	else
		ret = staged_map(to_drv(gbe), vm, &req);
	if (bo)
		mutex_unlock(&bo->bind_lock);
	return ret;
}

static int staged_unmap(struct drv *be, struct drv_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret = 0;

	ret = drv_lock_request(&exec, vm, NULL, addr, range);
	if (ret)
		goto out;
	ops = drm_gpuvm_sm_unmap_ops_create(&vm->base, addr, range);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto out;
	}
	ret = drv_apply_list(&c, ops);
out:
	drm_exec_fini(&exec);
	return ret;
}

/* The same unbind through drm_gpuvm_sm_unmap() and its callbacks. */
static int staged_unmap_cb(struct drv *be, struct drv_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct va_pool pool;
	struct drm_exec exec;
	int ret;

	ret = drv_lock_request(&exec, vm, NULL, addr, range);
	if (!ret)
		ret = drv_pool_fill(&pool, drv_unmap_vas_needed(&vm->base, addr, range));
	if (!ret) {
		c.pool = &pool;
		c.deferred = true;
		c.fail_at = be->fail_step;
		ret = drv_finish_steps(&c, drm_gpuvm_sm_unmap(&vm->base, &c, addr, range));
		drv_pool_drain(&pool);
	}
	drm_exec_fini(&exec);
	return ret;
}

static int immediate_unmap(struct drv *be, struct drv_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm, .immediate = true };
	struct va_pool pool;
	bool cookie;
	int ret;

	if (!drm_gpuvm_range_valid(&vm->base, addr, range))
		return -EINVAL;
	ret = drv_pool_fill(&pool, drv_unmap_vas_needed(&vm->base, addr, range));
	if (ret)
		return ret;
	c.pool = &pool;
	cookie = dma_fence_begin_signalling();
	ret = drm_gpuvm_sm_unmap(&vm->base, &c, addr, range);
	dma_fence_end_signalling(cookie);
	drv_pool_drain(&pool);
	return ret;
}

static int vm_unmap(struct drv *be, struct drv_vm *vm, uint64_t addr, uint64_t range)
{
	if (drm_gpuvm_immediate_mode(&vm->base))
		return immediate_unmap(be, vm, addr, range);
	if (be->callbacks || be->fail_step)
		return staged_unmap_cb(be, vm, addr, range);
	return staged_unmap(be, vm, addr, range);
}

int drv_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
	      uint64_t range)
{
	if (drv_ioctl_refuses((struct drv_vm *)hvm, addr, range))
		return -EINVAL;
	return vm_unmap(to_drv(gbe), (struct drv_vm *)hvm, addr, range);
}

/* madvise only splits VAs without objects: nothing to link or lock but the VM. */
int drv_madvise(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
		uint64_t range)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct step_ctx c = { .be = to_drv(gbe), .vm = vm };
	struct drm_gpuvm_map_req req = { .map = { .va = { addr, range } } };
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	if (drv_ioctl_refuses(vm, addr, range))
		return -EINVAL;
	ret = drv_lock_vm_and(&exec, vm, NULL);
	if (ret)
		return ret;
	ops = drm_gpuvm_madvise_ops_create(&vm->base, &req);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto out;
	}
	ret = drv_apply_list(&c, ops);
out:
	drm_exec_fini(&exec);
	return ret;
}

int drv_prefetch(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
		 uint64_t range)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	if (prefetch_refused(addr, range))
		return -EINVAL;
	ops = drm_gpuvm_prefetch_ops_create(&vm->base, addr, range);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	drm_gpuva_for_each_op(op, ops)
		drv_emit_op(to_drv(gbe), op);
	drm_gpuva_ops_free(&vm->base, ops);
	return 0;
}

static int staged_bo_unmap(struct drv *be, struct drv_vm *vm, struct drv_bo *bo)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	ret = drv_lock_vm_and(&exec, vm, &bo->base);
	if (ret)
		return ret;
	vm_bo = drm_gpuvm_bo_find(&vm->base, &bo->base);
	if (!vm_bo)
		goto out;
	ops = drm_gpuvm_bo_unmap_ops_create(vm_bo);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
	} else {
		drv_apply_ops(&c, ops);
		drm_gpuva_ops_free(&vm->base, ops);
	}
	drm_gpuvm_bo_put(vm_bo);
out:
	drm_exec_fini(&exec);
	return ret;
}

/*
 * bo_unmap_ops_create() allocates under the gpuva lock, which immediate
 * mode forbids; unmap the vm_bo's VAs one by one instead, in link order.
 * Exact ranges need no preallocation, so this cannot fail halfway.
 */
static int immediate_bo_unmap(struct drv *be, struct drv_vm *vm, struct drv_bo *bo)
{
	struct drm_gem_object *obj = &bo->base;

	for (;;) {
		struct drm_gpuvm_bo *vm_bo;
		struct drm_gpuva *va;
		uint64_t addr = 0, range = 0;

		mutex_lock(&obj->gpuva.lock);
		vm_bo = drm_gpuvm_bo_find(&vm->base, obj);
		va = vm_bo ? list_first_entry_or_null(&vm_bo->list.gpuva, struct drm_gpuva,
						      gem.entry) : NULL;
		if (va) {
			addr = va->va.addr;
			range = va->va.range;
		}
		mutex_unlock(&obj->gpuva.lock);
		/* A zero-length VA is out of reach of its own range (see drv_unmap_exact()). */
		if (va && range)
			immediate_unmap(be, vm, addr, range);
		else if (va)
			drv_unmap_exact(be, vm, va);
		drm_gpuvm_bo_put_deferred(vm_bo);
		if (!va)
			return 0;
	}
}

int drv_bo_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_bo *bo = (struct drv_bo *)hbo;

	if (drm_gpuvm_immediate_mode(&vm->base))
		return immediate_bo_unmap(to_drv(gbe), vm, bo);
	return staged_bo_unmap(to_drv(gbe), vm, bo);
}

/*
 * Unmap one VA by its exact range: no surviving pieces, no allocation.
 * A zero-length VA (upstream's, docs/upstream-findings.md 5) is out of
 * reach of an unmap of its own range, which probes [addr, addr - 1]: the
 * driver takes it out itself, with the UNMAP step GPUVM would have made,
 * as nouveau's VM teardown takes out every VA.
 */
void drv_unmap_exact(struct drv *be, struct drv_vm *vm, struct drm_gpuva *va)
{
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct step_ctx c = { .be = be, .vm = vm, .immediate = immediate };
	struct drm_gem_object *obj = va->gem.obj;
	struct dma_resv *vm_resv = drm_gpuvm_resv(&vm->base);
	struct dma_resv *obj_resv = obj ? obj->resv : vm_resv;
	struct va_pool pool = { .n = 0 };
	struct ww_acquire_ctx ctx;
	bool cookie = false;

	c.pool = &pool;
	if (immediate) {
		cookie = dma_fence_begin_signalling();
	} else {
		/* Unlinking may free the object, and its resv with it: hold it. */
		if (obj)
			drm_gem_object_get(obj);
		drv_lock_resvs(&ctx, vm_resv, obj_resv);
	}
	if (va->va.range) {
		drm_gpuvm_sm_unmap(&vm->base, &c, va->va.addr, va->va.range);
	} else {
		struct drm_gpuva_op op = { .op = DRM_GPUVA_OP_UNMAP, .unmap.va = va };

		drv_apply_unmap(&c, &op);
	}
	if (immediate) {
		dma_fence_end_signalling(cookie);
	} else {
		drv_unlock_resvs(&ctx, vm_resv, obj_resv);
		drm_gem_object_put(obj);
	}
}
