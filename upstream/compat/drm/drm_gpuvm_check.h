/* SPDX-License-Identifier: MIT */
/*
 * lib/'s checker API (lib/include/drm/drm_gpuvm_check.h, included below
 * with its contracts) for upstream's structures: upstream/check.c checks
 * what upstream's public fields allow. Renamed upstream_* so that both
 * checkers link into one binary.
 */
#ifndef _UPSTREAM_COMPAT_DRM_GPUVM_CHECK_H
#define _UPSTREAM_COMPAT_DRM_GPUVM_CHECK_H

#define drm_gpuvm_check			upstream_drm_gpuvm_check
#define drm_gpuvm_check_gem		upstream_drm_gpuvm_check_gem
#define drm_gpuvm_check_vm_refs		upstream_drm_gpuvm_check_vm_refs
#define drm_gpuvm_check_gem_refs	upstream_drm_gpuvm_check_gem_refs
#define drm_gpuvm_check_vm_bo_refs	upstream_drm_gpuvm_check_vm_bo_refs
#define drm_gpuvm_check_zombies		upstream_drm_gpuvm_check_zombies

#include "../../../lib/include/drm/drm_gpuvm_check.h"

#endif
