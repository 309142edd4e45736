// SPDX-License-Identifier: MIT
/* GEM object lifetime. */
#include <linux/container_of.h>
#include <linux/dma-fence.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

void drm_gem_private_object_init(struct drm_device *dev,
				 struct drm_gem_object *obj, size_t size)
{
	kref_init(&obj->refcount);
	obj->dev = dev;
	obj->size = size;
	dma_resv_init(&obj->_resv);
	if (!obj->resv)
		obj->resv = &obj->_resv;
	INIT_LIST_HEAD(&obj->gpuva.list);
	mutex_init_noalloc(&obj->gpuva.lock);
}

void drm_gem_object_release(struct drm_gem_object *obj)
{
	drm_WARN(obj->dev, !list_empty(&obj->gpuva.list),
		 "GEM object released while vm_bos still reference it");
	mutex_destroy(&obj->gpuva.lock);
	dma_resv_fini(&obj->_resv);
}

static void drm_gem_object_free(struct kref *kref)
{
	struct drm_gem_object *obj = container_of(kref, struct drm_gem_object, refcount);

	drm_WARN(obj->dev, kcompat_in_signalling(),
		 "last GEM reference dropped in a fence-signalling critical section");
	if (drm_WARN(obj->dev, !obj->funcs || !obj->funcs->free,
		     "GEM object without a free callback leaks"))
		return;
	obj->funcs->free(obj);
}

void drm_gem_object_put(struct drm_gem_object *obj)
{
	if (obj)
		kref_put(&obj->refcount, drm_gem_object_free);
}
