// SPDX-License-Identifier: MIT
/*
 * The cleanup worker (deferred vm_bo cleanup, no VM lock) and VM
 * teardown, which unmaps everything, drops the caller's vm_bo references
 * and cleans up before the caller's VM reference goes.
 */
#include "driver_model.h"

void drv_cleanup(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct drm_gpuvm *gpuvm = &((struct drv_vm *)hvm)->base;

	(void)gbe;
	/* Zombies hold VM references: keep our own across their release. */
	drm_gpuvm_get(gpuvm);
	drm_gpuvm_bo_deferred_cleanup(gpuvm);
	drm_gpuvm_put(gpuvm);
}

/* The VM's first VA in address order, the kernel-reserved node aside. */
static struct drm_gpuva *first_mapping(struct drm_gpuvm *gpuvm)
{
	struct drm_gpuva *va;

	drm_gpuvm_for_each_va(va, gpuvm)
		if (va != &gpuvm->kernel_alloc_node)
			return va;
	return NULL;
}

void drv_vm_destroy(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct drv *be = to_drv(gbe);
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drm_gpuvm *gpuvm = &vm->base;
	struct drm_gpuva *va;
	unsigned int i;

	vm->dead = true;	/* under vm->lock: commands that looked it up stop */
	drm_gpuvm_get(gpuvm);
	/*
	 * From the first VA each time: one exact unmap can take out more than
	 * its VA (zero-length ones at its address, docs/upstream-findings.md 5).
	 */
	while ((va = first_mapping(gpuvm)))
		drv_unmap_exact(be, vm, va);
	for (i = 0; i < GVM_MAX_ID; i++)
		while (vm->held[i].count)
			drv_put_held(vm, &vm->held[i]);
	drm_gpuvm_bo_deferred_cleanup(gpuvm);
	vm->open = false;
	drm_gpuvm_put(gpuvm);	/* the caller's */
	drm_gpuvm_put(gpuvm);	/* ours, taken above */
}
