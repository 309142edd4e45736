// SPDX-License-Identifier: MIT
/*
 * Asynchronous binds: the ioctl queues a job, run_job runs it in the
 * fence-signalling path, where nothing may allocate, fail or take a
 * reservation, and free_job (here on run_job's thread, after it) drops
 * what the job held.
 *
 * Immediate VMs, as panthor and the Rust GPUVM drivers split a bind: the
 * ioctl checks the range and preallocates for the worst case (a map's new
 * VA and two remap pieces, an unmap's two pieces; for a map of an object
 * its vm_bo, obtained, so the object is bound to the VM from then on);
 * run_job changes the tree through drm_gpuvm_sm_map/sm_unmap callbacks
 * and drops the job's vm_bo reference deferred.
 *
 * Staged VMs, as nouveau splits a bind: the ioctl locks what the request
 * touches, obtains the vm_bo, builds the op list and applies it to the
 * tree, linking and unlinking under the reservations, and keeps the VAs
 * it took out; run_job programs the page tables from the op list (it
 * reads those VAs); free_job frees them and the list, and puts the job's
 * vm_bo under the object's resv, without the VM lock. That put may be the
 * vm_bo's last, racing whatever walks the VM's lists meanwhile.
 */
#include "driver_model.h"

struct drv_job {
	struct list_head link;		/* in drv_vm.jobs */
	const void *tag;		/* the caller's, returned by job_run() */
	bool unmap;
	uint64_t addr, range, offset;
	struct drm_gpuvm_bo *vm_bo;	/* map of an object: the job's reference */
	/* Immediate: the VAs the steps may need. */
	struct va_pool pool;
	/* Staged: what the ioctl applied, and what run_job programmed from it. */
	struct drm_gpuva_ops *ops;
	struct drv_va *retired;		/* VAs taken out, chained through undo */
	struct drm_gem_object *obj;	/* the job's reference, as a handle lookup's */
	uint64_t pt;
};

static int queue_immediate(struct drv_vm *vm, struct drv_bo *bo, struct drv_job *job)
{
	struct drm_gpuvm_bo *prealloc;
	int ret = drv_pool_fill(&job->pool, job->unmap ? 2 : 3);

	if (ret || !bo)
		return ret;
	prealloc = drv_vm_bo_create_pinned(&vm->base, &bo->base);
	if (!prealloc) {
		drv_pool_drain(&job->pool);
		return -ENOMEM;
	}
	job->vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
	drv_extobj_add(vm, job->vm_bo, false);
	return 0;
}

static int queue_staged(struct drv *be, struct drv_vm *vm, struct drv_bo *bo,
			struct drv_job *job)
{
	struct drm_gpuvm_map_req req = {
		.map = { .va = { job->addr, job->range },
			 .gem = { job->offset, bo ? &bo->base : NULL } },
	};
	struct step_ctx c = { .be = be, .vm = vm, .retire = true };
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	ret = drv_lock_request(&exec, vm, job->unmap ? NULL : &req, job->addr, job->range);
	if (ret)
		goto out;
	if (bo) {
		job->vm_bo = drv_obtain_staged(vm, &bo->base);
		if (IS_ERR(job->vm_bo)) {
			ret = PTR_ERR(job->vm_bo);
			job->vm_bo = NULL;
			goto out;
		}
	}
	ops = job->unmap ? drm_gpuvm_sm_unmap_ops_create(&vm->base, job->addr, job->range) :
			   drm_gpuvm_sm_map_ops_create(&vm->base, &req);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto put;
	}
	c.vm_bo = job->vm_bo;
	ret = drv_apply_kept(&c, ops);
	if (ret) {
		drm_gpuva_ops_free(&vm->base, ops);
		goto put;
	}
	job->ops = ops;
	job->retired = c.retired;
	if (job->vm_bo)
		drm_gpuvm_bo_extobj_add(job->vm_bo);
	if (bo) {
		job->obj = &bo->base;
		drm_gem_object_get(job->obj);
	}
	goto out;
put:
	drm_gpuvm_bo_put(job->vm_bo);
	job->vm_bo = NULL;
out:
	drm_exec_fini(&exec);
	return ret;
}

int drv_job_queue(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
		  const struct gvm_job_req *req)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_bo *bo = (struct drv_bo *)req->bo;
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct drv_job *job;
	int ret;

	if (drv_ioctl_refuses(vm, req->addr, req->range) || (bo && drv_foreign_private(vm, bo)))
		return -EINVAL;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->tag = req->tag;
	job->unmap = req->unmap;
	job->addr = req->addr;
	job->range = req->range;
	job->offset = req->offset;
	if (bo)
		mutex_lock(&bo->bind_lock);
	if (bo && drv_mode_conflict(&bo->base, immediate))
		ret = -EINVAL;
	else if (immediate)
		ret = queue_immediate(vm, bo, job);
	else
		ret = queue_staged(to_drv(gbe), vm, bo, job);
	if (bo)
		mutex_unlock(&bo->bind_lock);
	if (ret) {
		kfree(job);
		return ret;
	}
	drm_gpuvm_get(&vm->base);	/* the job's, until it is freed */
	spin_lock(&vm->job_lock);
	list_add_tail(&job->link, &vm->jobs);
	vm->jobs_inflight++;
	spin_unlock(&vm->job_lock);
	return 0;
}

bool drv_job_pending(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	return !list_empty(&((struct drv_vm *)hvm)->jobs);
}

static void run_immediate(struct drv *be, struct drv_vm *vm, struct drv_job *job)
{
	struct step_ctx c = { .be = be, .vm = vm, .immediate = true,
			      .vm_bo = job->vm_bo, .pool = &job->pool };
	bool cookie = dma_fence_begin_signalling();
	int ret;

	if (job->unmap) {
		ret = drm_gpuvm_sm_unmap(&vm->base, &c, job->addr, job->range);
	} else {
		struct drm_gpuvm_map_req req = {
			.map = { .va = { job->addr, job->range },
				 .gem = { job->offset, job->vm_bo ? job->vm_bo->obj : NULL } },
		};

		ret = drm_gpuvm_sm_map(&vm->base, &c, &req);
	}
	WARN(ret, "driver model: run_job's drm_gpuvm_sm_%s failed (%d), with all it needs preallocated",
	     job->unmap ? "unmap" : "map", ret);
	/* free_job: may be the last reference, in the signalling path. */
	drm_gpuvm_bo_put_deferred(job->vm_bo);
	dma_fence_end_signalling(cookie);
	drv_pool_drain(&job->pool);
}

/* What a page-table update reads of one step: the VAs it maps and unmaps. */
static uint64_t program(const struct drm_gpuva_op *op)
{
	const struct drm_gpuva *old;

	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		return op->map.va.addr ^ op->map.va.range ^ op->map.gem.offset;
	case DRM_GPUVA_OP_REMAP:
		old = op->remap.unmap->va;
		return old->va.addr ^ old->va.range ^ old->gem.offset ^
		       (op->remap.prev ? op->remap.prev->va.addr : 0) ^
		       (op->remap.next ? op->remap.next->va.addr : 0);
	case DRM_GPUVA_OP_UNMAP:
		old = op->unmap.va;
		return old->va.addr ^ old->va.range ^ old->gem.offset;
	default:
		return 0;
	}
}

/*
 * free_job of a staged job: outside the signalling section, without the
 * VM lock. The put takes the object's resv, as nouveau's does, and on a
 * RESV_PROTECTED VM the VM's too, which destroying the vm_bo needs there.
 */
static void free_staged(struct drv_vm *vm, struct drv_job *job)
{
	struct dma_resv *vm_resv = drm_gpuvm_resv(&vm->base);
	struct drv_va *dva, *next;
	struct ww_acquire_ctx ctx;

	for (dva = job->retired; dva; dva = next) {
		next = dva->undo;
		kfree(dva);
	}
	drm_gpuva_ops_free(&vm->base, job->ops);
	if (!job->vm_bo)
		return;
	if (drm_gpuvm_resv_protected(&vm->base)) {
		drv_lock_resvs(&ctx, vm_resv, job->obj->resv);
		drm_gpuvm_bo_put(job->vm_bo);
		drv_unlock_resvs(&ctx, vm_resv, job->obj->resv);
	} else {
		dma_resv_lock(job->obj->resv, NULL);
		drm_gpuvm_bo_put(job->vm_bo);
		dma_resv_unlock(job->obj->resv);
	}
	drm_gem_object_put(job->obj);
}

static void run_staged(struct drv_vm *vm, struct drv_job *job)
{
	struct drm_gpuva_op *op;
	bool cookie = dma_fence_begin_signalling();

	drm_gpuva_for_each_op(op, job->ops)
		job->pt ^= program(op);
	dma_fence_end_signalling(cookie);
	free_staged(vm, job);
}

const void *drv_job_run(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_job *job;
	const void *tag;

	spin_lock(&vm->job_lock);
	job = list_first_entry_or_null(&vm->jobs, struct drv_job, link);
	if (job)
		list_del(&job->link);
	spin_unlock(&vm->job_lock);
	if (!job)
		return NULL;
	if (drm_gpuvm_immediate_mode(&vm->base))
		run_immediate(to_drv(gbe), vm, job);
	else
		run_staged(vm, job);
	tag = job->tag;
	kfree(job);
	spin_lock(&vm->job_lock);
	vm->jobs_inflight--;
	spin_unlock(&vm->job_lock);
	drm_gpuvm_put(&vm->base);	/* the job's */
	return tag;
}
