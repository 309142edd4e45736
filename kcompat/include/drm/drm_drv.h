/* SPDX-License-Identifier: MIT */
/*
 * Device references. drm_dev_init() stands in for the kernel's
 * drm_dev_alloc()/devm_drm_dev_alloc(): the driver embeds the device and
 * holds the first reference; the last drm_dev_put() calls the driver's
 * release. NULL devices are ignored, as GPUVM may be given none.
 */
#ifndef _KCOMPAT_DRM_DRV_H
#define _KCOMPAT_DRM_DRV_H

#include <drm/drm_device.h>
#include <drm/drm_print.h>
/* As the kernel's, through linux/module.h: EXPORT_SYMBOL and MODULE_*. */
#include <linux/export.h>

void drm_dev_init(struct drm_device *dev, const struct drm_driver *driver, const char *unique);
void drm_dev_get(struct drm_device *dev);
void drm_dev_put(struct drm_device *dev);

#endif /* _KCOMPAT_DRM_DRV_H */
