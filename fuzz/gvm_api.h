/* SPDX-License-Identifier: MIT */
/*
 * The GPUVM API the harness drives, and which of its features the GPUVM
 * being built has. lib/ has the 7.0 API: every feature, and not those 7.0
 * took away (GVM_HAS_STAGED_PREALLOC); on upstream's own drm_gpuvm.c,
 * upstream/compat/drm/drm_gpuvm.h sets them from the tree's API era.
 */
#ifndef GVM_API_H
#define GVM_API_H

#include <drm/drm_gpuvm.h>

#ifndef GVM_HAS_MADVISE
#define GVM_HAS_MADVISE			1	/* drm_gpuvm_madvise_ops_create() */
#endif
#ifndef GVM_HAS_IMMEDIATE_MODE
#define GVM_HAS_IMMEDIATE_MODE		1	/* DRM_GPUVM_IMMEDIATE_MODE, deferred vm_bo API */
#endif
#ifndef GVM_HAS_STAGED_PREALLOC
/* drm_gpuvm_bo_obtain_prealloc() on staged VMs: 6.8 to 6.19; lib/ has the 7.0 API. */
#define GVM_HAS_STAGED_PREALLOC		0
#endif

#endif /* GVM_API_H */
