// SPDX-License-Identifier: MIT
/*
 * Lookups, as drivers make them: find, find_first, find_prev, find_next
 * and interval_empty, under the VM's resv.
 */
#include "driver_model.h"

/*
 * A range a driver refuses before it looks anything up or locks for it:
 * empty, or ending past 2^64. lib/ and upstream answer such probes
 * differently (README "Differences"), and no driver asks them.
 */
bool drv_bad_probe(uint64_t addr, uint64_t range)
{
	uint64_t end;

	return !range || __builtin_add_overflow(addr, range, &end);
}

static struct gvm_found found(struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	struct gvm_found f = { .found = va != NULL };

	if (va) {
		f.kernel = va == &gpuvm->kernel_alloc_node;
		f.va = va_map(va);
	}
	return f;
}

int drv_lookup(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
	       uint64_t range, struct gvm_lookup *out)
{
	struct drv *be = to_drv(gbe);
	struct drm_gpuvm *gpuvm = &((struct drv_vm *)hvm)->base;
	struct dma_resv *resv = drm_gpuvm_resv(gpuvm);
	struct drm_gpuva *prev, *next;

	if (drv_bad_probe(addr, range))
		return -EINVAL;
	/* The tree changes under the VM's resv (and its callbacks): read under it too. */
	dma_resv_lock(resv, NULL);
	out->find = found(gpuvm, drm_gpuva_find(gpuvm, addr, range));
	out->first = found(gpuvm, drm_gpuva_find_first(gpuvm, addr, range));
	prev = drm_gpuva_find_prev(gpuvm, addr);
	next = drm_gpuva_find_next(gpuvm, addr + range);
	out->empty = drm_gpuvm_interval_empty(gpuvm, addr, range);
	dma_resv_unlock(resv);
	/*
	 * docs/upstream-findings.md 3: upstream's find_prev(start) may return
	 * the VA at start, find_next(end) one at end + 1. The documented
	 * answer covers start - 1 (end): anything else means none.
	 */
	if (be->known && prev && prev->va.addr >= addr)
		prev = NULL;
	if (be->known && next && next->va.addr > addr + range)
		next = NULL;
	out->prev = found(gpuvm, prev);
	out->next = found(gpuvm, next);
	return 0;
}
