/* SPDX-License-Identifier: MIT */
/*
 * lib/'s checker API (lib/include/drm/drm_gpuvm_check.h) for upstream's
 * structures: the invariants that upstream's public fields allow to check
 * (upstream/check.c), under upstream_* names so that both link into one
 * binary. Each returns true, or false with a message in @msg.
 */
#ifndef _UPSTREAM_COMPAT_DRM_GPUVM_CHECK_H
#define _UPSTREAM_COMPAT_DRM_GPUVM_CHECK_H

#include <drm/drm_gpuvm.h>

#define drm_gpuvm_check			upstream_drm_gpuvm_check
#define drm_gpuvm_check_gem		upstream_drm_gpuvm_check_gem
#define drm_gpuvm_check_vm_refs		upstream_drm_gpuvm_check_vm_refs
#define drm_gpuvm_check_gem_refs	upstream_drm_gpuvm_check_gem_refs
#define drm_gpuvm_check_vm_bo_refs	upstream_drm_gpuvm_check_vm_bo_refs

/* Tree and list agree, VAs disjoint and linked right, extobj/evict lists sane. */
bool drm_gpuvm_check(struct drm_gpuvm *gpuvm, char *msg, size_t len);
/* @obj's vm_bos: one per VM, alive, their VAs pointing back. */
bool drm_gpuvm_check_gem(struct drm_gem_object *obj, char *msg, size_t len);
/* VM kref == @holder_refs + its VAs + its vm_bos on @objs. */
bool drm_gpuvm_check_vm_refs(struct drm_gpuvm *gpuvm, unsigned int holder_refs,
			     struct drm_gem_object *const *objs, unsigned int nobjs,
			     char *msg, size_t len);
/* GEM refcount == @holder_refs + its vm_bos + VMs using it as resv object. */
bool drm_gpuvm_check_gem_refs(struct drm_gem_object *obj, unsigned int holder_refs,
			      struct drm_gpuvm *const *vms, unsigned int nvms,
			      char *msg, size_t len);
/* vm_bo kref == its linked VAs + @holder_refs. */
bool drm_gpuvm_check_vm_bo_refs(struct drm_gpuvm_bo *vm_bo, unsigned int holder_refs,
				char *msg, size_t len);

#endif
