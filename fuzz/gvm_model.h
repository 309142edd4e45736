/* SPDX-License-Identifier: MIT */
/*
 * The reference model: what the address spaces and lifetimes must be,
 * computed from the commands alone. It shares no code with lib/ and is
 * deliberately naive: per VM a sorted array of intervals address ->
 * (object, offset), per (VM, object) the caller's vm_bo references and
 * the zombies awaiting cleanup.
 */
#ifndef GVM_MODEL_H
#define GVM_MODEL_H

#include "gvm_backend.h"
#include "gvm_cmd.h"

struct gvm_model_vm {
	bool created, open, immediate;
	uint64_t start, range, reserve_addr, reserve_range;
	struct gvm_map *maps;		/* sorted, disjoint */
	size_t n, cap;
	struct gvm_map *spare;		/* the other buffer carve() builds into */
	size_t spare_cap;
	unsigned int vas[GVM_MAX_ID];		/* mappings per object, from @maps */
	unsigned int held[GVM_MAX_ID];		/* caller-held vm_bo references */
	unsigned int zombies[GVM_MAX_ID];	/* dead vm_bos awaiting cleanup */
};

struct gvm_model {
	/* One past the largest VM / object id created: loops stop there. */
	uint32_t vm_ids, bo_ids;
	bool bo_created[GVM_MAX_ID];
	bool bo_handle[GVM_MAX_ID];
	/*
	 * Entries from @vm_ids up are not initialised until a VM id reaches
	 * them: a fresh model costs a few bytes, not GVM_MAX_ID VMs' worth
	 * (the fuzz targets make one per input).
	 */
	struct gvm_model_vm vm[GVM_MAX_ID];
};

void gvm_model_init(struct gvm_model *m);
void gvm_model_free(struct gvm_model *m);

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
 * nothing and must not be applied.
 */
void gvm_model_apply(struct gvm_model *m, const struct gvm_cmd *c);

/* The object (VM) must still be allocated. */
bool gvm_model_bo_alive(const struct gvm_model *m, uint32_t bo);
bool gvm_model_vm_alive(const struct gvm_model *m, uint32_t vm);

#endif
