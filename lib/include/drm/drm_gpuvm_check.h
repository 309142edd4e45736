/* SPDX-License-Identifier: MIT */
/*
 * Debug-only consistency checker for GPUVM state.
 *
 * Every function here only reads: it takes no lock and changes nothing, so
 * call it where the caller knows nobody else is touching the VM or object
 * (a "quiescent point"). Each returns true when the state is consistent;
 * otherwise false, with the first violation found written to @msg (when
 * @msg is not NULL and @len is not 0), naming the invariant by its number
 * in section 6 of docs/semantics.md, e.g.
 * "vm 'name': inv 1: VA [0x1000+0x2000) overlaps next VA at 0x2000".
 *
 * All list walks are bounded, so a corrupted (cyclic) list is reported
 * rather than looped over forever. Pointers that are plain garbage can of
 * course still crash the checker; it is a debugging aid, not a sandbox.
 */
#ifndef _GPUVM_DRM_GPUVM_CHECK_H
#define _GPUVM_DRM_GPUVM_CHECK_H

#include <linux/types.h>
#include <drm/drm_gpuvm.h>

/**
 * drm_gpuvm_check() - check the invariants visible from one VM
 * @gpuvm: the VM to inspect
 * @msg: buffer for the first violation found, or NULL
 * @len: size of @msg in bytes
 *
 * Walks the VA list and the red-black tree (order, disjointness, tree/list
 * agreement, colour and parent rules), every VA's fields and linking, each
 * vm_bo reachable from those VAs, the kernel-reserved node, the deferred
 * (zombie) list and the extobj and evict lists. Invariants 1-6, 8-11, 15-22.
 *
 * Return: true if no violation was found.
 */
bool drm_gpuvm_check(struct drm_gpuvm *gpuvm, char *msg, size_t len);

/**
 * drm_gpuvm_check_gem() - check the vm_bos hanging off one GEM object
 * @obj: the GEM object whose gpuva list is inspected
 * @msg: buffer for the first violation found, or NULL
 * @len: size of @msg in bytes
 *
 * Checks that each vm_bo on @obj's gpuva list points back to @obj and is
 * live, that no two of them belong to the same VM, that all their VMs agree
 * on IMMEDIATE_MODE, that each vm_bo's VAs point back to it, and eviction
 * consistency. Invariants 9, 11, 13, 14, 15, 20 and 31.
 *
 * Return: true if no violation was found.
 */
bool drm_gpuvm_check_gem(struct drm_gem_object *obj, char *msg, size_t len);

/**
 * drm_gpuvm_check_vm_refs() - check the VM reference count exactly
 * @gpuvm: the VM
 * @holder_refs: references the caller knows are held outside GPUVM
 *	(the creator's one, until its put, plus any extra gets)
 * @objs: every GEM object that may have a vm_bo of @gpuvm, each listed once
 * @nobjs: number of entries in @objs
 * @msg: buffer for the violation, or NULL
 * @len: size of @msg in bytes
 *
 * Invariant 23: the VM's kref must equal @holder_refs, plus the VAs in its
 * tree other than the kernel-reserved node, plus the live vm_bos of @gpuvm
 * found on the gpuva lists of @objs, plus the zombies on its bo_defer list.
 * Leaving an object out of @objs makes the count come out short.
 *
 * Return: true if the equation holds.
 */
bool drm_gpuvm_check_vm_refs(struct drm_gpuvm *gpuvm, unsigned int holder_refs,
			     struct drm_gem_object *const *objs, unsigned int nobjs,
			     char *msg, size_t len);

/**
 * drm_gpuvm_check_gem_refs() - check a GEM object's reference count exactly
 * @obj: the GEM object
 * @holder_refs: references the caller knows are held outside GPUVM
 * @vms: every VM that may hold a zombie of @obj or use @obj as its resv
 *	object, each listed once
 * @nvms: number of entries in @vms
 * @msg: buffer for the violation, or NULL
 * @len: size of @msg in bytes
 *
 * Invariant 24: the refcount must equal @holder_refs, plus the vm_bos on
 * @obj's gpuva list, plus the zombies of @obj on the bo_defer lists of
 * @vms, plus the number of @vms whose r_obj is @obj.
 *
 * Return: true if the equation holds.
 */
bool drm_gpuvm_check_gem_refs(struct drm_gem_object *obj, unsigned int holder_refs,
			      struct drm_gpuvm *const *vms, unsigned int nvms,
			      char *msg, size_t len);

/**
 * drm_gpuvm_check_vm_bo_refs() - check a vm_bo's reference count exactly
 * @vm_bo: the vm_bo
 * @holder_refs: references the caller holds (obtain/find/get not yet put)
 * @msg: buffer for the violation, or NULL
 * @len: size of @msg in bytes
 *
 * Invariant 15, exact form: the kref must equal the number of VAs on the
 * vm_bo's gpuva list plus @holder_refs.
 *
 * Return: true if the equation holds.
 */
bool drm_gpuvm_check_vm_bo_refs(struct drm_gpuvm_bo *vm_bo, unsigned int holder_refs,
				char *msg, size_t len);

/**
 * drm_gpuvm_check_zombies() - the objects of a VM's zombies
 * @gpuvm: the VM
 * @objs: filled with the object of each vm_bo on @gpuvm's deferred-cleanup
 *	(bo_defer) list, in list order, as far as there is room
 * @max: number of entries @objs has room for
 *
 * Reads only, like the checks: a snapshot for a caller comparing the
 * zombies with a model of them. A GPUVM without deferred cleanup has none.
 *
 * Return: the number of zombies (more than @max if @objs was too short),
 * or -1 if the list is cyclic.
 */
long drm_gpuvm_check_zombies(struct drm_gpuvm *gpuvm, struct drm_gem_object **objs,
			     size_t max);

#endif
