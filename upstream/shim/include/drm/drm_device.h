/* SPDX-License-Identifier: MIT */
/* GPUVM uses the device only as the target of its WARNs. */
#ifndef _UPSTREAM_SHIM_DRM_DEVICE_H
#define _UPSTREAM_SHIM_DRM_DEVICE_H

struct drm_device {
	const char *name;
};

#endif
