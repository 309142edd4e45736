// SPDX-License-Identifier: MIT
/* Shared test fixtures; see fixture.h. */
#include <linux/slab.h>
#include "fixture.h"

unsigned int fixture_vms_freed;
unsigned int fixture_objs_freed;

/**
 * fixture_vm_free() - &drm_gpuvm_ops.vm_free for VMs from fixture_vm()
 * @vm: the VM whose last reference was dropped
 *
 * Counts the VM in fixture_vms_freed and frees it. Tests that need more
 * callbacks put this one in their own ops table.
 */
void fixture_vm_free(struct drm_gpuvm *vm)
{
	fixture_vms_freed++;
	kfree(vm);
}

const struct drm_gpuvm_ops fixture_vm_ops = { .vm_free = fixture_vm_free };

/**
 * fixture_obj_free() - &drm_gem_object_funcs.free for fixture objects
 * @obj: the object whose last reference was dropped
 *
 * Counts the object in fixture_objs_freed, releases and frees it.
 */
void fixture_obj_free(struct drm_gem_object *obj)
{
	fixture_objs_freed++;
	drm_gem_object_release(obj);
	kfree(obj);
}

const struct drm_gem_object_funcs fixture_obj_funcs = { .free = fixture_obj_free };

/**
 * fixture_vm() - allocate and initialise a VM
 * @name: name for drm_gpuvm_init()
 * @flags: &enum drm_gpuvm_flags
 * @start: start of the VA window
 * @range: size of the VA window
 * @reserve_addr: start of the kernel-reserved window
 * @reserve_range: size of the kernel-reserved window, 0 for none
 * @ops: VM ops, whose .vm_free must kfree() the VM; NULL for fixture_vm_ops
 *
 * The VM gets a resv object of its own and no &drm_device. The caller
 * holds the only VM reference.
 */
struct drm_gpuvm *fixture_vm(const char *name, enum drm_gpuvm_flags flags,
			     u64 start, u64 range, u64 reserve_addr,
			     u64 reserve_range, const struct drm_gpuvm_ops *ops)
{
	struct drm_gpuvm *vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	struct drm_gem_object *r_obj = drm_gpuvm_resv_object_alloc(NULL);

	drm_gpuvm_init(vm, name, flags, NULL, r_obj, start, range,
		       reserve_addr, reserve_range, ops ? ops : &fixture_vm_ops);
	drm_gem_object_put(r_obj);
	return vm;
}

/**
 * fixture_obj_sized() - allocate a GEM object of a given size
 * @private_to: VM whose resv the object shares, or NULL for its own resv
 * @size: recorded object size
 *
 * Passing a VM makes the object private to that VM (not an extobj). The
 * object is freed by fixture_obj_free() on its last put.
 */
struct drm_gem_object *fixture_obj_sized(struct drm_gpuvm *private_to, size_t size)
{
	struct drm_gem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	drm_gem_private_object_init(NULL, obj, size);
	obj->funcs = &fixture_obj_funcs;
	if (private_to)
		obj->resv = drm_gpuvm_resv(private_to);
	return obj;
}

/**
 * fixture_obj() - fixture_obj_sized() with %FIXTURE_OBJ_SIZE
 * @private_to: VM whose resv the object shares, or NULL for its own resv
 */
struct drm_gem_object *fixture_obj(struct drm_gpuvm *private_to)
{
	return fixture_obj_sized(private_to, FIXTURE_OBJ_SIZE);
}

/**
 * fixture_va() - allocate a VA and insert it into a VM
 * @vm: the VM
 * @addr: start address
 * @range: size
 * @obj: GEM object it maps, or NULL
 * @offset: offset into @obj
 *
 * The VA is only inserted, not linked to a vm_bo. Returns NULL, with
 * nothing left allocated, when drm_gpuva_insert() refuses it.
 */
struct drm_gpuva *fixture_va(struct drm_gpuvm *vm, u64 addr, u64 range,
			     struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuva *va = kzalloc(sizeof(*va), GFP_KERNEL);

	va->va.addr = addr;
	va->va.range = range;
	va->gem.obj = obj;
	va->gem.offset = offset;
	if (drm_gpuva_insert(vm, va)) {
		kfree(va);
		return NULL;
	}
	return va;
}
