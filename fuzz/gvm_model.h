/* SPDX-License-Identifier: MIT */
/*
 * The reference model: what the address spaces and lifetimes must be,
 * computed from the commands alone. It shares no code with lib/ and is
 * deliberately naive: per VM a sorted array of intervals address ->
 * (object, offset), per (VM, object) the caller's vm_bo references, the
 * vm_bo's evicted flag and the zombies awaiting cleanup.
 */
#ifndef GVM_MODEL_H
#define GVM_MODEL_H

#include "gvm_backend.h"
#include "gvm_cmd.h"

/*
 * A vm_bo's evicted flag, and whether it is on its VM's evict list. Unknown
 * after a validate whose result depends on the order GPUVM walks that list
 * in (which vm_bos a failed walk had validated before it stopped), until
 * a command decides it again.
 */
enum gvm_evicted {
	GVM_EVICTED_NO,
	GVM_EVICTED_YES,
	GVM_EVICTED_UNKNOWN,
};

/* What gvm_model_validate_outcome() returns when either 0 or -ENOMEM is right. */
#define GVM_MODEL_EITHER	1

struct gvm_model_vm {
	bool created, open, immediate, resv_protected;
	uint64_t start, range, reserve_addr, reserve_range;
	struct gvm_map *maps;		/* sorted, disjoint */
	size_t n, cap;
	struct gvm_map *spare;		/* the other buffer carve() builds into */
	size_t spare_cap;
	unsigned int vas[GVM_MAX_ID];		/* mappings per object, from @maps */
	unsigned int held[GVM_MAX_ID];		/* caller-held vm_bo references */
	unsigned int jobs[GVM_MAX_ID];		/* references of queued jobs (threads) */
	unsigned int zombies[GVM_MAX_ID];	/* dead vm_bos awaiting cleanup */
	/*
	 * @zombies not known: a cleanup worker ran while a command of this
	 * VM published zombies step by step (threads). The checks take the
	 * backend's counts then (gvm_model_set_zombies()).
	 */
	bool zombies_unknown;
	uint8_t evicted[GVM_MAX_ID];		/* enum gvm_evicted: the live vm_bo's flag */
	uint8_t listed[GVM_MAX_ID];		/* enum gvm_evicted: on the evict list */
};

struct gvm_model {
	/* One past the largest VM / object id created: loops stop there. */
	uint32_t vm_ids, bo_ids;
	bool bo_created[GVM_MAX_ID];
	bool bo_handle[GVM_MAX_ID];
	int8_t bo_private[GVM_MAX_ID];		/* the VM whose resv it shares, or -1 */
	/*
	 * The driver refuses to bind or obtain an object private to another
	 * VM, as panthor, nouveau and msm do (set with GVM_KNOWN_FINDINGS:
	 * without, the driver model lets it in).
	 */
	bool private_exclusive;
	/*
	 * Entries from @vm_ids up are not initialised until a VM id reaches
	 * them: a fresh model costs a few bytes, not GVM_MAX_ID VMs' worth
	 * (the fuzz targets make one per input).
	 */
	struct gvm_model_vm vm[GVM_MAX_ID];
};

void gvm_model_init(struct gvm_model *m);
void gvm_model_free(struct gvm_model *m);

/* @dst becomes a copy of @src (whose intervals it duplicates); @dst is not freed first. */
void gvm_model_copy(struct gvm_model *dst, const struct gvm_model *src);

/* @vm's zombies are @n[bo] (the backend's, where the model did not know them). */
void gvm_model_set_zombies(struct gvm_model *m, uint32_t vm, const unsigned int *n);

/* A hash of everything the model says, for telling states apart. */
uint64_t gvm_model_hash(const struct gvm_model *m);

/*
 * The error @c must give, from the model alone; 0 for success,
 * GVM_MODEL_EITHER where 0 and -ENOMEM are both right (a validate whose
 * failing object may or may not still be evicted). @held: the command
 * looked up its objects' handles before (a command on a thread), and
 * holds them: a close since does not stop it (a destroyed VM does).
 */
int gvm_model_predict(const struct gvm_model *m, const struct gvm_cmd *c, bool held);

/* Would GPUVM accept [addr, addr + range) as a VA of @v? */
bool gvm_model_range_valid(const struct gvm_model_vm *v, uint64_t addr, uint64_t range);

/* Number of mappings of object @bo in @v. */
unsigned int gvm_model_vas(const struct gvm_model_vm *v, uint32_t bo);

/* A live vm_bo exists for (@v, @bo). */
bool gvm_model_vm_bo_live(const struct gvm_model_vm *v, uint32_t bo);

/* Any VM of the other mode holds a live vm_bo of @bo. */
bool gvm_model_mode_conflict(const struct gvm_model *m, uint32_t bo, bool immediate);

/*
 * Apply a successful command to the model. Commands that failed change
 * nothing and must not be applied; validate is the exception, see below.
 */
void gvm_model_apply(struct gvm_model *m, const struct gvm_cmd *c);

/*
 * The two halves of a successful "map/unmap ... job" that ran on threads:
 * its ioctl queued it (on a staged VM the ioctl applied it too, and the
 * job holds the vm_bo of a map until it ends), and run_job ran it (an
 * immediate VM's change; the job's reference goes). gvm_model_apply()
 * does both at once, as a job runs when queued outside threads.
 */
void gvm_model_job_queued(struct gvm_model *m, const struct gvm_cmd *c);
void gvm_model_job_ran(struct gvm_model *m, const struct gvm_cmd *c);

/*
 * validate V [fail B | evict B]: 0, -ENOMEM (validating B fails, GPUVM
 * stops there) or GVM_MODEL_EITHER when whether B is evicted is unknown.
 * GPUVM validates every evicted vm_bo of V, in an order of its own.
 */
int gvm_model_validate_outcome(const struct gvm_model *m, const struct gvm_cmd *c);

/*
 * Apply a validate that returned @ret (0 or -ENOMEM; others change
 * nothing), @injected when an allocation failure was armed for it (its
 * -ENOMEM may then come from before the walk as well).
 */
void gvm_model_validate_done(struct gvm_model *m, const struct gvm_cmd *c, int ret,
			     bool injected);

/*
 * Apply a lock that failed (an injected -ENOMEM): prepare_objects() may
 * have listed some evicted external objects of a protected VM before the
 * failure, so those whose listing would change are unknown.
 */
void gvm_model_lock_failed(struct gvm_model *m, const struct gvm_cmd *c);

/*
 * What lookup V addr range must find in @v (range > 0, no wrap), as
 * drm_gpuva_find() and friends document it: find and first over
 * [addr, addr + range), the kernel node included; prev the VA covering
 * addr - 1, next the one covering addr + range, each only where a one-byte
 * range there is valid (drm_gpuvm_range_valid()).
 */
void gvm_model_lookup(const struct gvm_model_vm *v, uint64_t addr, uint64_t range,
		      struct gvm_lookup *out);

/*
 * The reservations lock @c must hold, with the fence's usage in each:
 * those of the objects mapped in the range (range: drm_gpuvm_exec_lock_range()
 * locks nothing else); otherwise the VM's own, its extobj list's and the
 * array's.
 */
void gvm_model_locked(const struct gvm_model *m, const struct gvm_cmd *c,
		      struct gvm_locked *out);

/* The object (VM) must still be allocated. */
bool gvm_model_bo_alive(const struct gvm_model *m, uint32_t bo);
bool gvm_model_vm_alive(const struct gvm_model *m, uint32_t vm);

#endif
