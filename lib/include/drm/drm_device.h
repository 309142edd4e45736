/* SPDX-License-Identifier: MIT */
/* The DRM device: GPUVM only names it in WARNs. */
#ifndef _GPUVM_DRM_DEVICE_H
#define _GPUVM_DRM_DEVICE_H

struct drm_device {
	const char *unique;	/* shown in WARN messages, may be NULL */
};

#endif
