// SPDX-License-Identifier: MIT
/*
 * Asynchronous binds of immediate VMs: the ioctl queues, run_job applies.
 */
#include "driver_model.h"

/*
 * A bind of an immediate VM split as panthor and the Rust GPUVM drivers
 * split it: the ioctl checks the range and preallocates what the job will
 * need (VAs for the worst case: a map's new VA and two remap pieces, an
 * unmap's two pieces; for a map of an object its vm_bo, obtained, so the
 * object is bound to the VM from then on), then queues it; run_job
 * applies it in the fence-signalling path, where nothing may allocate or
 * fail, and drops the job's vm_bo reference deferred.
 */
struct drv_job {
	struct list_head link;		/* in drv_vm.jobs */
	const void *tag;		/* the caller's, returned by job_run() */
	bool unmap;
	uint64_t addr, range, offset;
	struct drm_gpuvm_bo *vm_bo;	/* map of an object: the job's reference */
	struct va_pool pool;
};

int drv_job_queue(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
		  const struct gvm_job_req *req)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_bo *bo = (struct drv_bo *)req->bo;
	struct drv_job *job;
	int ret;

	(void)gbe;
	if (!drm_gpuvm_immediate_mode(&vm->base) || drv_ioctl_refuses(vm, req->addr, req->range))
		return -EINVAL;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	ret = drv_pool_fill(&job->pool, req->unmap ? 2 : 3);
	if (ret)
		goto free_job;
	if (bo) {
		struct drm_gpuvm_bo *prealloc = NULL;

		mutex_lock(&bo->bind_lock);
		if (drv_mode_conflict(&bo->base, true))
			ret = -EINVAL;
		else if (!(prealloc = drv_vm_bo_create_pinned(&vm->base, &bo->base)))
			ret = -ENOMEM;
		if (prealloc) {
			job->vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
			drv_extobj_add(vm, job->vm_bo, false);
		}
		mutex_unlock(&bo->bind_lock);
		if (ret)
			goto drain;
	}
	job->tag = req->tag;
	job->unmap = req->unmap;
	job->addr = req->addr;
	job->range = req->range;
	job->offset = req->offset;
	drm_gpuvm_get(&vm->base);	/* the job's, until it is freed */
	spin_lock(&vm->job_lock);
	list_add_tail(&job->link, &vm->jobs);
	vm->jobs_inflight++;
	spin_unlock(&vm->job_lock);
	return 0;

drain:
	drv_pool_drain(&job->pool);
free_job:
	kfree(job);
	return ret;
}

bool drv_job_pending(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	return !list_empty(&((struct drv_vm *)hvm)->jobs);
}

const void *drv_job_run(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct step_ctx c = { .be = to_drv(gbe), .vm = vm, .immediate = true };
	struct drv_job *job;
	const void *tag;
	bool cookie;
	int ret;

	spin_lock(&vm->job_lock);
	job = list_first_entry_or_null(&vm->jobs, struct drv_job, link);
	if (job)
		list_del(&job->link);
	spin_unlock(&vm->job_lock);
	if (!job)
		return NULL;
	c.vm_bo = job->vm_bo;
	c.pool = &job->pool;
	cookie = dma_fence_begin_signalling();
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
	tag = job->tag;
	kfree(job);
	spin_lock(&vm->job_lock);
	vm->jobs_inflight--;
	spin_unlock(&vm->job_lock);
	drm_gpuvm_put(&vm->base);	/* the job's */
	return tag;
}
