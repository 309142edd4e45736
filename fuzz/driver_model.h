/* SPDX-License-Identifier: MIT */
/*
 * The driver model's objects and the calls its files make of each other.
 * The model drives GPUVM the way drivers do, one file per path:
 *
 *   driver_device.c    the backend: its drm_device, WARNs, what the era lacks
 *   driver_objects.c   VMs, objects, vm_bos and the caller's handles on them
 *   driver_locks.c     how the paths below lock: drm_exec, the two resvs
 *   driver_steps.c     applying a bind's steps: VA pools, op lists, callbacks
 *   driver_bind.c      the bind ioctl: map, unmap, madvise, prefetch, bo_unmap
 *   driver_jobs.c      asynchronous binds: queued by the ioctl, run by run_job
 *   driver_submit.c    a submit: locking, validation, fences
 *   driver_evict.c     eviction and move notifications, under the object's resv
 *   driver_cleanup.c   the cleanup worker and VM teardown
 *   driver_lookup.c    lookups
 *   driver_snapshot.c  what the checks read at quiescent points
 *   driver_threads.c   the driver's VM lock and the scheduler, for threads
 *
 * Each file is built once per backend: over lib/, and with
 * GVM_DRIVER_UPSTREAM over upstream's own drm_gpuvm.c, where
 * upstream/compat gives it mainline's API on the tree's era and GVM_HAS_*
 * says what the era lacks (driver_device.c refuses those commands first).
 *
 * Every call either succeeds or leaves the state exactly as it was: all
 * allocations come before the first change, and failed steps are undone.
 */
#ifndef GVM_DRIVER_MODEL_H
#define GVM_DRIVER_MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-fence.h>
#include <linux/kcompat.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <kcompat/sched.h>
#include <drm/drm_drv.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_gpuvm_check.h>
#include "gvm_api.h"
#include "gvm_backend.h"
#include "gvm_cmd.h"
#include "driver_names.h"

#ifdef GVM_DRIVER_UPSTREAM
#include <gvm_upstream_era.h>
#define DRIVER_NAME	"upstream"
#define DRIVER_ORIGIN	" (this tree: " GVM_UPSTREAM_ORIGIN ")"
#define DRIVER_CREATE	gvm_backend_upstream_create
#else
#define DRIVER_NAME	"lean"
#define DRIVER_ORIGIN	""
#define DRIVER_CREATE	gvm_backend_lean_create
#endif

struct drv;

struct drv_bo {
	struct drm_gem_object base;
	struct drv *be;
	uint32_t id;
	bool handle;			/* the caller's handle reference is held */
	struct drm_gem_object *r_obj;	/* resv owner we reference, if private */
	uint32_t priv_vm;		/* with @r_obj: the id of the VM it belongs to */
	struct list_head link;		/* in drv.bos until freed */
	unsigned int pins;		/* one per vm_bo of an immediate VM (under resv) */
	/*
	 * Held from the check that the object's VMs agree on immediate mode
	 * to the vm_bo the bind or obtain adds, so that two threads cannot
	 * both pass the check and disagree (upstream requires them to agree).
	 */
	struct mutex bind_lock;
};

/* Caller-held references on one vm_bo. */
struct drv_held {
	struct drm_gpuvm_bo *vm_bo;
	unsigned int count;
};

struct drv_vm {
	struct drm_gpuvm base;
	struct drv *be;
	uint32_t id;
	bool open;			/* the caller's VM reference is held */
	bool prealloc;			/* staged: vm_bos by obtain_prealloc */
	bool empty_ok;			/* the ioctl passes empty ranges on (nouveau) */
	/*
	 * The driver's VM lock, held by an ioctl around its work on the VM
	 * (xe's vm->lock, nouveau's uvmm mutex, panthor's op_lock), outside
	 * every reservation; @dead, set under it, when destroy has run.
	 */
	struct mutex lock;
	bool dead;
	/*
	 * Jobs of asynchronous binds (struct drv_job) for run_job, queued
	 * under @lock, taken under @job_lock; @jobs_inflight counts those
	 * queued and not yet finished. A command that reads or changes the
	 * tree waits, under @lock, until none is (vm_enter()).
	 */
	spinlock_t job_lock;
	struct list_head jobs;
	unsigned int jobs_inflight;
	struct list_head link;		/* in drv.vms until freed */
	struct drv_held held[GVM_MAX_ID];
	/* The running validate's memory pressure (drv_validate()). */
	struct {
		struct drv_bo *fail, *evict;
		unsigned int calls;
	} pressure;
};

struct drv {
	struct gvm_backend base;
	/* The device every VM and object is created on; VMs hold references. */
	struct drm_device drm;
	bool drm_released;
	struct list_head vms, bos;
	size_t nvms, nbos;
	bool callbacks;			/* staged binds through sm_step callbacks */
	bool known;			/* GVM_KNOWN_FINDINGS */
	unsigned int fail_step;		/* armed: that step of the next bind fails */
	/* Guards the caller's handles against lookup racing close/destroy (an idr lock). */
	struct mutex handles;
	struct kcompat_sched_record *sched_recs;	/* the schedule in force */
	/* snapshot buffers, reused */
	struct gvm_map *vas;
	size_t vas_cap;
	struct gvm_vm_bo_state vm_bos[GVM_MAX_ID];
	uint32_t *zombies;
	size_t zombies_cap;
	struct drm_gem_object **zombie_objs;
	size_t zombie_objs_cap;
};

/* The most VAs one request can need: madvise makes two MAPs and two REMAPs. */
#define POOL_MAX	6

struct va_pool {
	struct drm_gpuva *va[POOL_MAX];
	unsigned int n;
};

/*
 * A VA of the driver model. @undo chains, newest first, what one staged
 * callback bind did until it returns: VAs it added, and VAs it took out
 * of the tree, still linked; or, for a staged job, the VAs its ioctl took
 * out, unlinked, until free_job frees them.
 */
struct drv_va {
	struct drm_gpuva base;
	struct drv_va *undo;
	bool added;
};

/* What the sm_step callbacks need. */
struct step_ctx {
	struct drv *be;
	struct drv_vm *vm;
	struct drm_gpuvm_bo *vm_bo;	/* the request's, for MAP */
	struct va_pool *pool;
	bool immediate;
	bool deferred;			/* staged callbacks: keep an undo chain */
	struct drv_va *undo;
	bool retire;			/* staged jobs: keep the VAs taken out... */
	struct drv_va *retired;		/* ...chained through @undo, for free_job */
	unsigned int steps;		/* callbacks so far */
	unsigned int fail_at;		/* that step returns -EIO; 0: none */
	int error;			/* what a step returned, if it failed */
};

/*
 * Snapshots and checks are the harness looking at GPUVM, not the driver
 * model driving it: no coverage feedback from them (it only slows each
 * fuzzed command and feeds the fuzzer features unrelated to GPUVM).
 */
#ifdef __clang__
#define NO_COVERAGE	__attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

static inline struct drv *to_drv(struct gvm_backend *be)
{
	return container_of(be, struct drv, base);
}

static inline struct drv_va *to_dva(struct drm_gpuva *va)
{
	return container_of(va, struct drv_va, base);
}

static inline struct drv_vm *to_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct drv_vm, base);
}

static inline struct drv_bo *to_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct drv_bo, base);
}

static inline int32_t bo_id(struct drm_gem_object *obj)
{
	return obj ? (int32_t)to_bo(obj)->id : -1;
}

static inline struct gvm_map va_map(const struct drm_gpuva *va)
{
	return (struct gvm_map){ .addr = va->va.addr, .range = va->va.range,
				 .bo = bo_id(va->gem.obj), .offset = va->gem.offset };
}

static inline void emit(struct drv *be, const struct gvm_event *ev)
{
	if (be->base.sink.event)
		be->base.sink.event(be->base.sink.ctx, ev);
}

/*
 * driver_objects.c. A vm_bo of an immediate VM pins its object (takes
 * the object's resv: not under it, not in the signalling path).
 * drv_obtain_staged(): the VM's resv and the object's held. drv_put_held():
 * takes both resvs itself on staged VMs; cannot fail.
 */
struct drm_gpuvm_bo *drv_vm_bo_create_pinned(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj);
struct drm_gpuvm_bo *drv_obtain_staged(struct drv_vm *vm, struct drm_gem_object *obj);
void drv_put_held(struct drv_vm *vm, struct drv_held *held);
int drv_vm_create(struct gvm_backend *gbe, const struct gvm_vm_params *p, struct gvm_be_vm **out);
int drv_bo_create(struct gvm_backend *gbe, uint32_t id, struct gvm_be_vm *priv_vm,
		  struct gvm_be_bo **out);
bool drv_foreign_private(const struct drv_vm *vm, const struct drv_bo *bo);
int drv_obtain(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo);
int drv_put(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo);
void drv_bo_close(struct gvm_backend *gbe, struct gvm_be_bo *hbo);

/*
 * driver_locks.c. drv_lock_vm_and() and drv_lock_request() leave @exec
 * initialised for the caller to finish (drv_lock_vm_and(): only on
 * success). drv_mode_conflict() takes the object's resv and gpuva mutex;
 * drv_extobj_add() the VM's resv, unless @resv_held.
 */
int drv_lock_vm_and(struct drm_exec *exec, struct drv_vm *vm, struct drm_gem_object *obj);
int drv_lock_request(struct drm_exec *exec, struct drv_vm *vm, struct drm_gpuvm_map_req *req,
		     uint64_t addr, uint64_t range);
bool drv_mode_conflict(struct drm_gem_object *obj, bool immediate);
void drv_extobj_add(struct drv_vm *vm, struct drm_gpuvm_bo *vm_bo, bool resv_held);
void drv_lock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
		    struct dma_resv *obj_resv);
void drv_unlock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
		      struct dma_resv *obj_resv);

/*
 * driver_steps.c: under the locks of the bind that runs them (staged:
 * the VM's resv and every object's; immediate: the signalling section,
 * where only the steps' own gpuva mutexes are taken).
 */
void drv_emit_op(struct drv *be, const struct drm_gpuva_op *op);
int drv_pool_fill(struct va_pool *pool, unsigned int n);
void drv_pool_drain(struct va_pool *pool);
unsigned int drv_unmap_vas_needed(struct drm_gpuvm *gpuvm, uint64_t addr, uint64_t range);
int drv_apply_unmap(struct step_ctx *c, const struct drm_gpuva_op *op);
void drv_apply_ops(struct step_ctx *c, struct drm_gpuva_ops *ops);
int drv_apply_kept(struct step_ctx *c, struct drm_gpuva_ops *ops);
int drv_apply_list(struct step_ctx *c, struct drm_gpuva_ops *ops);
int drv_step_cb(struct drm_gpuva_op *op, void *priv);
int drv_finish_steps(struct step_ctx *c, int ret);

/* driver_bind.c: the ioctl, under the driver's VM lock (driver_threads.c). */
bool drv_ioctl_refuses(struct drv_vm *vm, uint64_t addr, uint64_t range);
void drv_unmap_exact(struct drv *be, struct drv_vm *vm, struct drm_gpuva *va);
int drv_map(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr, uint64_t range,
	    struct gvm_be_bo *hbo, uint64_t offset);
int drv_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr, uint64_t range);
int drv_madvise(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr, uint64_t range);
int drv_prefetch(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr, uint64_t range);
int drv_bo_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo);

/*
 * driver_jobs.c: queue under the VM lock; run_job without it, and
 * free_job after it, on run_job's thread.
 */
int drv_job_queue(struct gvm_backend *gbe, struct gvm_be_vm *hvm, const struct gvm_job_req *req);
bool drv_job_pending(struct gvm_backend *gbe, struct gvm_be_vm *hvm);
const void *drv_job_run(struct gvm_backend *gbe, struct gvm_be_vm *hvm);

/* driver_submit.c */
int drv_vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec);
int drv_validate(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *fail,
		 struct gvm_be_bo *evict, bool own);
int drv_lock(struct gvm_backend *gbe, struct gvm_be_vm *hvm, const struct gvm_lock_req *req,
	     struct gvm_locked *out);

/* driver_evict.c: drv_evict_for_room() only from a validate's callback. */
void drv_evict_for_room(struct drv_bo *bo);
int drv_evict(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool evict);
void drv_invalidate(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool invalidate);

/* driver_cleanup.c: the worker takes no VM lock; destroy runs under it. */
void drv_cleanup(struct gvm_backend *gbe, struct gvm_be_vm *hvm);
void drv_vm_destroy(struct gvm_backend *gbe, struct gvm_be_vm *hvm);

/* driver_lookup.c */
bool drv_bad_probe(uint64_t addr, uint64_t range);
int drv_lookup(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr, uint64_t range,
	       struct gvm_lookup *out);

/* driver_snapshot.c: at quiescent points only; no lock taken. */
int drv_snapshot(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_snapshot *out);
bool drv_check(struct gvm_backend *gbe, char *msg, size_t len);

/* driver_threads.c: what commands on threads need of the driver. */
extern const struct gvm_threads_ops drv_threads_ops;

#endif /* GVM_DRIVER_MODEL_H */
