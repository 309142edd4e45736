// SPDX-License-Identifier: MIT
/* GEM objects of the upstream runtime (drm/drm_gem.h). */
#include <drm/drm_gem.h>

void drm_gem_private_object_init(struct drm_device *dev, struct drm_gem_object *obj,
				 size_t size)
{
	kref_init(&obj->refcount);
	obj->dev = dev;
	obj->size = size;
	dma_resv_init(&obj->_resv);
	if (!obj->resv)
		obj->resv = &obj->_resv;
	drm_gem_gpuva_init(obj);
	mutex_init(&obj->gpuva.lock);
}

void drm_gem_object_release(struct drm_gem_object *obj)
{
	WARN(!list_empty(&obj->gpuva.list), "GEM object released with vm_bos");
	mutex_destroy(&obj->gpuva.lock);
	dma_resv_fini(&obj->_resv);
}

void drm_gem_object_free(struct kref *kref)
{
	struct drm_gem_object *obj = container_of(kref, struct drm_gem_object, refcount);

	WARN(urt_in_signalling(), "last GEM reference dropped in a fence-signalling section");
	obj->funcs->free(obj);
}
