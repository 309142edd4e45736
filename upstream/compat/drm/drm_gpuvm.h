/* SPDX-License-Identifier: MIT */
/*
 * Mainline's GPUVM API over the tree's own drm_gpuvm.h, for our code (the
 * driver model, tests) built on upstream: one source for every era. Where
 * the tree's era lacks a call, the call is either adapted (the same
 * operation under its older name or argument list) or reported absent
 * through GVM_HAS_* so that the caller can refuse it clearly.
 *
 * Only on -Iupstream/compat, ahead of the shims: #include_next reaches the
 * tree's header.
 */
#ifndef _UPSTREAM_COMPAT_DRM_GPUVM_H
#define _UPSTREAM_COMPAT_DRM_GPUVM_H

#include_next <drm/drm_gpuvm.h>
#include <linux/err.h>
#include <gvm_upstream_era.h>

/*
 * The eras bazel/kernel_source.bzl accepts: none of the features after
 * vm_bo (6.8 to 6.16), map_req and sm_map_exec_lock (the 6.17 API), those
 * with madvise and immediate mode (6.18), those with the deferred vm_bo
 * API, whose .c takes the GEM's gpuva mutex itself (6.19), and all of them
 * (the 7.0 API). What this header relies on, should the rule ever let
 * another mix through:
 */
#if GVM_UPSTREAM_HAS_GEM_GPUVA_MUTEX != GVM_UPSTREAM_HAS_DEFERRED_CLEANUP || \
	(GVM_UPSTREAM_HAS_DEFERRED_CLEANUP && !GVM_UPSTREAM_HAS_IMMEDIATE_MODE) || \
	(GVM_UPSTREAM_HAS_OBTAIN_LOCKED && !GVM_UPSTREAM_HAS_DEFERRED_CLEANUP)
#error "API era with part of the immediate-mode series: not adapted"
#endif

/*
 * What our code may use; lib/ has all of it. The driver model's immediate
 * VMs unlink and put through the deferred vm_bo API (6.19+): on 6.18 a VM
 * in immediate mode could only drop a vm_bo under the gpuva mutex, which
 * run_job cannot take, so immediate VMs are refused there as before 6.18.
 */
#define GVM_HAS_MADVISE			GVM_UPSTREAM_HAS_MADVISE
#define GVM_HAS_IMMEDIATE_MODE		GVM_UPSTREAM_HAS_DEFERRED_CLEANUP
/* 7.0 made obtain_prealloc immediate-mode only. */
#define GVM_HAS_STAGED_PREALLOC		(!GVM_UPSTREAM_HAS_OBTAIN_LOCKED)

#if !GVM_UPSTREAM_HAS_MAP_REQ
/* Before 6.17 a map request is four loose arguments. */
struct drm_gpuvm_map_req {
	struct drm_gpuva_op_map map;
};

static inline int gvm_compat_sm_map(struct drm_gpuvm *gpuvm, void *priv,
				    const struct drm_gpuvm_map_req *req)
{
	return drm_gpuvm_sm_map(gpuvm, priv, req->map.va.addr, req->map.va.range,
				req->map.gem.obj, req->map.gem.offset);
}

static inline struct drm_gpuva_ops *
gvm_compat_sm_map_ops_create(struct drm_gpuvm *gpuvm, const struct drm_gpuvm_map_req *req)
{
	return drm_gpuvm_sm_map_ops_create(gpuvm, req->map.va.addr, req->map.va.range,
					   req->map.gem.obj, req->map.gem.offset);
}

#undef drm_gpuvm_sm_map
#define drm_gpuvm_sm_map		gvm_compat_sm_map
#undef drm_gpuvm_sm_map_ops_create
#define drm_gpuvm_sm_map_ops_create	gvm_compat_sm_map_ops_create
#endif

#if !GVM_UPSTREAM_HAS_CONST_OPS
/* Before 7.0 the apply helpers take non-const ops but only read them. */
static inline void gvm_compat_gpuva_map(struct drm_gpuvm *gpuvm, struct drm_gpuva *va,
					const struct drm_gpuva_op_map *op)
{
	drm_gpuva_map(gpuvm, va, (struct drm_gpuva_op_map *)op);
}

static inline void gvm_compat_gpuva_remap(struct drm_gpuva *prev, struct drm_gpuva *next,
					  const struct drm_gpuva_op_remap *op)
{
	drm_gpuva_remap(prev, next, (struct drm_gpuva_op_remap *)op);
}

static inline void gvm_compat_gpuva_unmap(const struct drm_gpuva_op_unmap *op)
{
	drm_gpuva_unmap((struct drm_gpuva_op_unmap *)op);
}

#undef drm_gpuva_map
#define drm_gpuva_map			gvm_compat_gpuva_map
#undef drm_gpuva_remap
#define drm_gpuva_remap			gvm_compat_gpuva_remap
#undef drm_gpuva_unmap
#define drm_gpuva_unmap			gvm_compat_gpuva_unmap
#endif

#if !GVM_UPSTREAM_HAS_SM_MAP_EXEC_LOCK
/*
 * Before 6.17 drivers lock what a bind touches themselves: the request's
 * object (with @num_fences reserved), then every object mapped in the
 * range (locked only), in that order, as mainline's
 * drm_gpuvm_sm_map_exec_lock() / sm_unmap_exec_lock() do. The
 * order matters beyond locking: an object sharing a resv already locked
 * is not added to the drm_exec, so which objects the exec references
 * (and so when a closed one is freed) depends on it.
 */
static inline int gvm_compat_lock_range(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
					unsigned int num_fences, u64 addr, u64 range,
					struct drm_gem_object *obj)
{
	struct drm_gpuva *va;
	int ret;

	if (!drm_gpuvm_range_valid(gpuvm, addr, range))
		return -EINVAL;
	if (obj) {
		ret = drm_exec_prepare_obj(exec, obj, num_fences);
		if (ret)
			return ret;
	}
	drm_gpuvm_for_each_va_range(va, gpuvm, addr, addr + range) {
		if (!va->gem.obj)
			continue;
		ret = drm_exec_lock_obj(exec, va->gem.obj);
		if (ret)
			return ret;
	}
	return 0;
}

static inline int drm_gpuvm_sm_map_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
					     unsigned int num_fences,
					     struct drm_gpuvm_map_req *req)
{
	return gvm_compat_lock_range(gpuvm, exec, num_fences, req->map.va.addr,
				     req->map.va.range, req->map.gem.obj);
}

static inline int drm_gpuvm_sm_unmap_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
					       u64 addr, u64 range)
{
	return gvm_compat_lock_range(gpuvm, exec, 0, addr, range, NULL);
}
#endif

#if !GVM_UPSTREAM_HAS_MADVISE
/* Callers check GVM_HAS_MADVISE first: getting here is our bug. */
static inline struct drm_gpuva_ops *
drm_gpuvm_madvise_ops_create(struct drm_gpuvm *gpuvm, const struct drm_gpuvm_map_req *req)
{
	(void)gpuvm;
	(void)req;
	WARN(1, "drm_gpuvm_madvise_ops_create() is not in this tree's API (6.18+)");
	return ERR_PTR(-EOPNOTSUPP);
}
#endif

#if !GVM_UPSTREAM_HAS_IMMEDIATE_MODE
/*
 * Before 6.18 every VM is staged. The flag adds nothing: callers refuse
 * immediate VMs first (GVM_HAS_IMMEDIATE_MODE).
 */
#define DRM_GPUVM_IMMEDIATE_MODE	0

static inline bool drm_gpuvm_immediate_mode(struct drm_gpuvm *gpuvm)
{
	(void)gpuvm;
	return false;
}
#endif

#if !GVM_UPSTREAM_HAS_DEFERRED_CLEANUP
/*
 * Before the deferred vm_bo API nothing is ever deferred: cleaning up
 * does nothing. Only immediate VMs use the deferred put and unlink, and
 * callers check drm_gpuvm_immediate_mode() first: reaching one is our bug.
 */
static inline void drm_gpuvm_bo_deferred_cleanup(struct drm_gpuvm *gpuvm)
{
	(void)gpuvm;
}

static inline bool drm_gpuvm_bo_put_deferred(struct drm_gpuvm_bo *vm_bo)
{
	(void)vm_bo;
	WARN(1, "drm_gpuvm_bo_put_deferred() is not in this tree's API");
	return false;
}

static inline void drm_gpuva_unlink_defer(struct drm_gpuva *va)
{
	(void)va;
	WARN(1, "drm_gpuva_unlink_defer() is not in this tree's API");
}
#endif

#if !GVM_UPSTREAM_HAS_OBTAIN_LOCKED
/* Renamed in 7.0; the same call. */
#define drm_gpuvm_bo_obtain_locked	drm_gpuvm_bo_obtain
#endif

#if GVM_UPSTREAM_HAS_IMMEDIATE_MODE && !GVM_UPSTREAM_HAS_OBTAIN_LOCKED
/*
 * Before 7.0, obtain_prealloc() asserts that the caller holds the GEM's
 * gpuva list lock, which in immediate mode is the gpuva mutex; 7.0 takes
 * that mutex itself. And when the VM already has a vm_bo for the object,
 * it drops the unused one with drm_gpuvm_bo_put(), whose destroy path
 * asserts the VM's resv on a RESV_PROTECTED VM; 7.0 frees it without
 * touching any list. Take what the tree asserts around its call, the resv
 * before the mutex as everywhere else, so the driver model calls it the
 * same way on every era.
 */
static inline struct drm_gpuvm_bo *
gvm_compat_bo_obtain_prealloc(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuvm *gpuvm = vm_bo->vm;
	struct drm_gem_object *obj = vm_bo->obj;
	bool immediate = drm_gpuvm_immediate_mode(gpuvm);
	bool resv = immediate && drm_gpuvm_resv_protected(gpuvm);
	struct drm_gpuvm_bo *ret;

	if (resv)
		dma_resv_lock(drm_gpuvm_resv(gpuvm), NULL);
	if (immediate)
		mutex_lock(&obj->gpuva.lock);
	ret = drm_gpuvm_bo_obtain_prealloc(vm_bo);
	if (immediate)
		mutex_unlock(&obj->gpuva.lock);
	if (resv)
		dma_resv_unlock(drm_gpuvm_resv(gpuvm));
	return ret;
}

#undef drm_gpuvm_bo_obtain_prealloc
#define drm_gpuvm_bo_obtain_prealloc	gvm_compat_bo_obtain_prealloc
#endif

#endif
