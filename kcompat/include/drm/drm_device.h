/* SPDX-License-Identifier: MIT */
/*
 * The DRM device, as far as GPUVM sees one: a refcounted object that VMs
 * keep alive (drm_dev_get() in drm_gpuvm_init(), drm_dev_put() after
 * vm_free) and that WARNs name.
 */
#ifndef _KCOMPAT_DRM_DEVICE_H
#define _KCOMPAT_DRM_DEVICE_H

#include <linux/kref.h>

struct drm_device;

struct drm_driver {
	const char *name;
	/* Called when the last reference is gone; frees the device. */
	void (*release)(struct drm_device *dev);
};

struct drm_device {
	struct kref ref;
	const struct drm_driver *driver;
	const char *unique;	/* shown in WARN messages, may be NULL */
};

#endif /* _KCOMPAT_DRM_DEVICE_H */
