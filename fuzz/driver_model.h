/* SPDX-License-Identifier: MIT */
/*
 * The driver model's own objects, shared by its files (driver_model.c:
 * the GPUVM calls; driver_threads.c: the driver's VM lock, handle
 * references and the scheduler, for commands on threads). Built once per
 * backend, like them: over lib/, and with GVM_DRIVER_UPSTREAM over
 * upstream's drm_gpuvm.c.
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

#ifdef GVM_DRIVER_UPSTREAM
#include <gvm_upstream_era.h>
#define DRIVER_NAME	"upstream"
#define DRIVER_ORIGIN	" (this tree: " GVM_UPSTREAM_ORIGIN ")"
#define DRIVER_CREATE	gvm_backend_upstream_create
#define DRIVER_THREADS_OPS	gvm_driver_upstream_threads_ops
#else
#define DRIVER_NAME	"lean"
#define DRIVER_ORIGIN	""
#define DRIVER_CREATE	gvm_backend_lean_create
#define DRIVER_THREADS_OPS	gvm_driver_lean_threads_ops
#endif

struct lean;

struct lean_bo {
	struct drm_gem_object base;
	struct lean *be;
	uint32_t id;
	bool handle;			/* the caller's handle reference is held */
	struct drm_gem_object *r_obj;	/* resv owner we reference, if private */
	uint32_t priv_vm;		/* with @r_obj: the id of the VM it belongs to */
	struct list_head link;		/* in lean.bos until freed */
	unsigned int pins;		/* one per vm_bo of an immediate VM (under resv) */
	/*
	 * Held from the check that the object's VMs agree on immediate mode
	 * to the vm_bo the bind or obtain adds, so that two threads cannot
	 * both pass the check and disagree (upstream requires them to agree).
	 */
	struct mutex bind_lock;
};

/* Caller-held references on one vm_bo. */
struct lean_held {
	struct drm_gpuvm_bo *vm_bo;
	unsigned int count;
};

struct lean_vm {
	struct drm_gpuvm base;
	struct lean *be;
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
	 * Jobs of asynchronous binds (struct lean_job) for run_job, queued
	 * under @lock, taken under @job_lock; @jobs_inflight counts those
	 * queued and not yet finished. A command that reads or changes the
	 * tree waits, under @lock, until none is (vm_enter()).
	 */
	spinlock_t job_lock;
	struct list_head jobs;
	unsigned int jobs_inflight;
	struct list_head link;		/* in lean.vms until freed */
	struct lean_held held[GVM_MAX_ID];
	/* The running validate's memory pressure (lean_validate()). */
	struct {
		struct lean_bo *fail, *evict;
		unsigned int calls;
	} pressure;
};

struct lean {
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
};

static inline struct lean *to_lean(struct gvm_backend *be)
{
	return container_of(be, struct lean, base);
}

/* driver_threads.c: what commands on threads need of the driver. */
extern const struct gvm_threads_ops DRIVER_THREADS_OPS;

#endif /* GVM_DRIVER_MODEL_H */
