// SPDX-License-Identifier: MIT
/* DRM device references (drm/drm_drv.h). */
#include <linux/container_of.h>
#include <drm/drm_drv.h>

void drm_dev_init(struct drm_device *dev, const struct drm_driver *driver, const char *unique)
{
	kref_init(&dev->ref);
	dev->driver = driver;
	dev->unique = unique;
}

void drm_dev_get(struct drm_device *dev)
{
	if (dev)
		kref_get(&dev->ref);
}

static void drm_dev_release(struct kref *ref)
{
	struct drm_device *dev = container_of(ref, struct drm_device, ref);

	if (drm_WARN(dev, !dev->driver || !dev->driver->release,
		     "device without a release callback leaks"))
		return;
	dev->driver->release(dev);
}

void drm_dev_put(struct drm_device *dev)
{
	if (dev)
		kref_put(&dev->ref, drm_dev_release);
}
