/* SPDX-License-Identifier: MIT */
/* Device references are not modelled (GPUVM may pass NULL). */
#ifndef _UPSTREAM_SHIM_DRM_DRV_H
#define _UPSTREAM_SHIM_DRM_DRV_H

#include <drm/drm_device.h>
#include <drm/drm_print.h>
/* As the kernel's, through linux/module.h: EXPORT_SYMBOL, MODULE_*. */
#include <linux/export.h>

static inline void drm_dev_get(struct drm_device *dev)
{
	(void)dev;
}

static inline void drm_dev_put(struct drm_device *dev)
{
	(void)dev;
}

#endif
