/* SPDX-License-Identifier: MIT */
/*
 * The seam between the command executor (gvm_exec.c) and a GPUVM
 * implementation. A backend owns the GPUVM objects and drives them the way a
 * real driver does (staged like nouveau/xe, immediate like panthor and the
 * Rust drivers); the executor owns ids, output, the reference model and the
 * verdict. Backend one drives lib/ (the driver model, driver_model.h); a backend over
 * upstream's own drm_gpuvm.c implements the same table (the same driver
 * model, built on upstream).
 *
 * All calls are made with no lock held and outside any signalling section.
 * Handles are the backend's own; ids (V, B) are used only to name objects in
 * events and snapshots. The driver model's handles point at its VMs and
 * objects, whose first members are the struct drm_gpuvm and struct
 * drm_gem_object: white-box tests reach GPUVM through them.
 */
#ifndef GVM_BACKEND_H
#define GVM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "gvm_cmd.h"

struct gvm_backend;
struct gvm_be_vm;
struct gvm_be_bo;

/* Events a backend reports while it runs a command, in order. */
enum gvm_event_kind {
	GVM_EV_OP_MAP,		/* @a: the MAP op */
	GVM_EV_OP_UNMAP,	/* @a: the VA; @keep */
	GVM_EV_OP_REMAP,	/* @a: the VA; @keep; @prev, @next if @has_prev/@has_next */
	GVM_EV_OP_PREFETCH,	/* @a: the VA */
	GVM_EV_FREED_BO,	/* @id: object B was freed */
	GVM_EV_FREED_VM,	/* @id: VM V was freed */
	GVM_EV_VALIDATED,	/* @id: vm_bo_validate ran for object B */
};

/*
 * A mapping as numbers; @bo is -1 for a mapping without object.
 * @invalidated: drm_gpuva_invalidated(), in snapshots only (never
 * compared as part of an op).
 */
struct gvm_map {
	uint64_t addr;
	uint64_t range;
	int32_t bo;
	uint64_t offset;
	bool invalidated;
};

struct gvm_event {
	enum gvm_event_kind kind;
	uint32_t id;
	struct gvm_map a;
	struct gvm_map prev, next;	/* @bo of a part is the VA's */
	bool has_prev, has_next, keep;
};

struct gvm_sink {
	void (*event)(void *ctx, const struct gvm_event *ev);
	void *ctx;
};

/* What dump prints and the checks compare, in the executor's id space. */
struct gvm_vm_bo_state {
	uint32_t bo;
	unsigned int refs;
	unsigned int vas;
	bool extobj;		/* on the VM's extobj list */
	bool evict;		/* on the VM's evict list */
	bool evicted;		/* the vm_bo's evicted flag */
};

struct gvm_snapshot {
	struct gvm_map *vas;		/* address order, kernel node excluded */
	size_t nvas;
	struct gvm_vm_bo_state *vm_bos;	/* live vm_bos, by object id */
	size_t nvm_bos;
	uint32_t *zombies;		/* object ids, by id */
	size_t nzombies;
};

/* One lookup's answer; @va is meaningful when @found. */
struct gvm_found {
	bool found;
	bool kernel;		/* the VM's kernel-reserved node */
	struct gvm_map va;
};

/*
 * lookup V addr range: drm_gpuva_find(addr, range), drm_gpuva_find_first
 * (addr, range), drm_gpuva_find_prev(addr), drm_gpuva_find_next(addr +
 * range), drm_gpuvm_interval_empty(addr, range).
 */
struct gvm_lookup {
	struct gvm_found find, first, prev, next;
	bool empty;
};

/* lock V: how the reservations are taken (drm_gpuvm_exec_lock*). */
struct gvm_lock_req {
	bool by_range;		/* drm_gpuvm_exec_lock_range(@addr, @range) */
	uint64_t addr, range;
	uint64_t objs;		/* nonzero: drm_gpuvm_exec_lock_array() of these */
	struct gvm_be_bo **bos;	/* the handles, by object id */
	int priv_usage;		/* >= 0: drm_gpuvm_resv_add_fence() usages */
	int ext_usage;
	/*
	 * The driver's own drm_exec loop through drm_gpuvm_prepare_vm,
	 * _prepare_objects, _prepare_range and drm_exec_prepare_array (as xe
	 * and panthor do), locking what the helper named above would.
	 */
	bool own;
};

/*
 * What a lock held, by reservation: a VM's own (its private objects share
 * it) as bit V of @vms, an object's own as bit B of @bos; the usage the
 * fence was found with in each (-1: not found), when one was added.
 */
struct gvm_locked {
	uint64_t vms, bos;
	int8_t vm_usage[GVM_MAX_ID];
	int8_t bo_usage[GVM_MAX_ID];
};

/* VM creation parameters. */
struct gvm_vm_params {
	uint32_t id;
	uint64_t start, range;
	uint64_t reserve_addr, reserve_range;	/* range 0: none */
	bool immediate;
	bool resv_protected;
	bool prealloc;		/* staged: vm_bos by create + obtain_prealloc */
	/*
	 * The driver's ioctl lets empty ranges through to GPUVM, asking only
	 * drm_gpuvm_range_valid() (nouveau's VM_BIND); other VMs refuse them
	 * first, as xe and panthor do.
	 */
	bool empty_ok;
};

/* What a command does with its VM, for the driver's VM lock (threads->vm_enter()). */
enum gvm_vm_use {
	GVM_VM_USE_OTHER,
	GVM_VM_USE_LISTS,	/* walks the extobj/evict lists: validate, lock */
	GVM_VM_USE_TREE,	/* reads or changes the VA tree */
};

/* map/unmap ... job: an asynchronous bind (struct gvm_backend_ops.job_queue). */
struct gvm_job_req {
	bool unmap;
	uint64_t addr, range, offset;
	struct gvm_be_bo *bo;		/* map: NULL maps without object */
	const void *tag;		/* the caller's: job_run() returns it */
};

/*
 * A preemption of a schedule (<kcompat/sched.h>): run thread @thread at
 * decision @step, or, with @step 0, when thread @at reaches its @nth
 * switch point of operation @op (enum kcompat_sp).
 */
struct gvm_sched_record {
	unsigned long step;
	unsigned int thread;
	unsigned int at;
	unsigned int op;
	unsigned int nth;
};

/*
 * What running commands on threads needs of a backend: the driver's
 * prologue and epilogue of an ioctl, and the scheduler of the kernel
 * environment the backend's GPUVM runs on (each backend has its own).
 */
struct gvm_threads_ops {
	/*
	 * The handle table's lock (an idr's): a command looks its VM and
	 * object up and takes references under it, close and destroy take
	 * the handles out under it, so no lookup meets a freed object.
	 */
	void (*handles_lock)(struct gvm_backend *be);
	void (*handles_unlock)(struct gvm_backend *be);
	/* References a command holds from its lookup to its end. */
	void (*vm_get)(struct gvm_backend *be, struct gvm_be_vm *vm);
	void (*vm_put)(struct gvm_backend *be, struct gvm_be_vm *vm);
	void (*bo_get)(struct gvm_backend *be, struct gvm_be_bo *bo);
	void (*bo_put)(struct gvm_backend *be, struct gvm_be_bo *bo);
	/*
	 * The driver's VM lock around a command's work on @vm (xe's vm->lock,
	 * nouveau's uvmm mutex, panthor's op_lock), taken for every command
	 * that names a VM but cleanup (a worker's), threads or not. -ENOENT,
	 * unlocked, if @vm was destroyed since its lookup. For a command that
	 * reads or changes the VA tree, also wait, locked, until no job of
	 * @vm is queued or running: run_job changes the tree without this
	 * lock, and no job can be queued while it is held. A driver may wait
	 * for other uses too (see the driver model's vm_enter()).
	 */
	int (*vm_enter)(struct gvm_backend *be, struct gvm_be_vm *vm, enum gvm_vm_use use);
	void (*vm_leave)(struct gvm_backend *be, struct gvm_be_vm *vm);

	/* kcompat_sched_*() of the backend's environment; @recs are copied. */
	int (*sched_init)(struct gvm_backend *be, const struct gvm_sched_record *recs, size_t n);
	int (*sched_spawn)(struct gvm_backend *be, const char *name, void (*fn)(void *arg),
			   void *arg);
	int (*sched_run)(struct gvm_backend *be);
	/* From a thread: block until @ready(@arg) (kcompat_sched_wait()). */
	void (*sched_wait)(struct gvm_backend *be, bool (*ready)(void *arg), void *arg,
			   const char *what);
	void (*sched_fini)(struct gvm_backend *be);
	/* The running thread, 0 outside any. */
	unsigned int (*sched_current)(struct gvm_backend *be);
	unsigned long (*sched_decisions)(struct gvm_backend *be);
	/* The records that preempted, up to @max; how many there were. */
	size_t (*sched_applied)(struct gvm_backend *be, struct gvm_sched_record *out, size_t max);
	/* Where control changed hands, as hashes (kcompat_sched_switches()). */
	size_t (*sched_switches)(struct gvm_backend *be, uint32_t *out, size_t max);
	/* The last @last switch points (kcompat_sched_print_trace()). */
	void (*sched_print_trace)(struct gvm_backend *be, FILE *f, unsigned int last);
	/* Every switch point as reached, on @f (NULL: off; kcompat_sched_set_log()). */
	void (*sched_log)(struct gvm_backend *be, FILE *f);
};

/*
 * Every int-returning operation returns 0 or a negative errno; on error the
 * backend's state must be exactly as before the call (the fault fuzzer
 * checks this). -ENOENT is returned only by threads->vm_enter(): the
 * executor handles closed ids.
 */
struct gvm_backend_ops {
	const char *name;

	int (*vm_create)(struct gvm_backend *be, const struct gvm_vm_params *p,
			 struct gvm_be_vm **out);
	/* Object B; @priv_vm: share that VM's resv (NULL: own resv). */
	int (*bo_create)(struct gvm_backend *be, uint32_t id, struct gvm_be_vm *priv_vm,
			 struct gvm_be_bo **out);

	/* bind/unbind and friends; @bo NULL maps without object */
	int (*map)(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
		   uint64_t range, struct gvm_be_bo *bo, uint64_t offset);
	int (*unmap)(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
		     uint64_t range);
	int (*madvise)(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
		       uint64_t range);
	int (*prefetch)(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
			uint64_t range);
	int (*bo_unmap)(struct gvm_backend *be, struct gvm_be_vm *vm, struct gvm_be_bo *bo);

	/*
	 * An asynchronous bind (immediate VMs; -EINVAL on others, and for a
	 * range the ioctl refuses): check, preallocate (a map's vm_bo is
	 * obtained now) and queue a job on @vm; run_job applies it later.
	 * Queued under the VM lock (threads->vm_enter()).
	 */
	int (*job_queue)(struct gvm_backend *be, struct gvm_be_vm *vm,
			 const struct gvm_job_req *req);
	/* Whether @vm has a queued job; reads memory only (a scheduler condition). */
	bool (*job_pending)(struct gvm_backend *be, struct gvm_be_vm *vm);
	/*
	 * run_job: apply @vm's oldest queued job in a fence-signalling
	 * section, without the VM lock, then free it (its vm_bo put
	 * deferred). Returns its tag; NULL if none was queued.
	 */
	const void *(*job_run)(struct gvm_backend *be, struct gvm_be_vm *vm);

	/* Take / drop one caller-held vm_bo reference. */
	int (*obtain)(struct gvm_backend *be, struct gvm_be_vm *vm, struct gvm_be_bo *bo);
	int (*put)(struct gvm_backend *be, struct gvm_be_vm *vm, struct gvm_be_bo *bo);

	/* Drop the caller's handle reference; the object may live on. */
	void (*bo_close)(struct gvm_backend *be, struct gvm_be_bo *bo);
	int (*evict)(struct gvm_backend *be, struct gvm_be_bo *bo, bool evict);
	/*
	 * Lock the VM and its external objects and validate (as a submit
	 * does). Memory pressure, as TTM meets it, at most one of: @fail,
	 * validating that object fails (-ENOMEM, GPUVM stops there);
	 * @evict, the first validation of the walk makes room by evicting
	 * that object (NULL: none). @own: in the driver's own drm_exec loop,
	 * with drm_gpuvm_prepare_* and drm_gpuvm_validate().
	 */
	int (*validate)(struct gvm_backend *be, struct gvm_be_vm *vm, struct gvm_be_bo *fail,
			struct gvm_be_bo *evict, bool own);
	void (*cleanup)(struct gvm_backend *be, struct gvm_be_vm *vm);
	/*
	 * The lookups of struct gvm_lookup, under the VM's lock as a driver
	 * does them; -EINVAL for a range a driver's ioctl refuses (empty or
	 * past 2^64) without asking GPUVM.
	 */
	int (*lookup)(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
		      uint64_t range, struct gvm_lookup *out);
	/*
	 * Lock as @req says, report what is held, add a fence if asked,
	 * unlock (a submit's locking); -EINVAL for an empty or wrapping range.
	 */
	int (*lock)(struct gvm_backend *be, struct gvm_be_vm *vm,
		    const struct gvm_lock_req *req, struct gvm_locked *out);
	/*
	 * drm_gpuva_invalidate(@invalidate) on every VA of @bo in every VM,
	 * walking the object's vm_bos and theirs VAs under its locks (a
	 * driver's move notification).
	 */
	void (*invalidate)(struct gvm_backend *be, struct gvm_be_bo *bo, bool invalidate);
	/*
	 * Arm (@nth > 0) or disarm (0) a failure: the @nth sm_step callback of
	 * the following map or unmap on a staged VM returns -EIO; that call
	 * goes through drm_gpuvm_sm_map/sm_unmap and undoes its steps. The
	 * callbacks of immediate VMs run where nothing may fail: untouched.
	 */
	void (*fail_step)(struct gvm_backend *be, unsigned int nth);
	/* Unmap everything, clean up, drop the caller's VM reference. */
	void (*vm_destroy)(struct gvm_backend *be, struct gvm_be_vm *vm);

	/* State of a VM (kept until the next call); -ENOMEM, or -EIO if unreadable. */
	int (*snapshot)(struct gvm_backend *be, struct gvm_be_vm *vm,
			struct gvm_snapshot *out);
	/*
	 * Backend-internal consistency checks of everything alive (invariant
	 * checker, refcount equations); false with a message on a violation.
	 */
	bool (*check)(struct gvm_backend *be, char *msg, size_t len);
	/* Objects and VMs still allocated; 0 and 0 after a clean teardown. */
	void (*live)(struct gvm_backend *be, size_t *bos, size_t *vms);
	/* A WARN-class problem the backend saw since the last call, or NULL. */
	const char *(*take_warning)(struct gvm_backend *be);

	void (*destroy)(struct gvm_backend *be);

	/* The allocator behind the backend: arm a one-shot failure (0 disarms). */
	void (*alloc_fail_nth)(struct gvm_backend *be, unsigned long nth);
	/* Its live allocations (leak check at the end). */
	size_t (*alloc_live)(struct gvm_backend *be);
	/*
	 * NULL if the backend can run @c, else why not (a feature its GPUVM
	 * lacks). Asked before a script runs, so a command is never run on a
	 * backend that would give a wrong answer for it.
	 */
	const char *(*unsupported)(struct gvm_backend *be, const struct gvm_cmd *c);

	const struct gvm_threads_ops *threads;
};

struct gvm_backend {
	const struct gvm_backend_ops *ops;
	struct gvm_sink sink;
};

/*
 * The driver model (driver_model.h) over lib/ or over upstream's own
 * drm_gpuvm.c (//fuzz:driver_upstream, only in binaries that link it).
 * GVM_LEAN_CALLBACKS: staged VMs bind and unbind through
 * drm_gpuvm_sm_map/sm_unmap with callbacks that apply each step at once,
 * instead of through op lists (immediate VMs always use callbacks).
 */
#define GVM_LEAN_CALLBACKS	0x1u
/*
 * GVM_KNOWN_FINDINGS: where upstream has a known bug (docs/upstream-
 * findings.md) whose wrong result the driver model recognises, use the
 * documented result instead, so a fuzzer looks past it to new ones.
 * Without it the wrong result reaches the executor, whose model check
 * reports it.
 */
#define GVM_KNOWN_FINDINGS	0x2u
typedef struct gvm_backend *gvm_backend_create_fn(const struct gvm_sink *sink,
						  unsigned int flags);
gvm_backend_create_fn gvm_backend_lean_create;
gvm_backend_create_fn gvm_backend_upstream_create;

#endif /* GVM_BACKEND_H */
