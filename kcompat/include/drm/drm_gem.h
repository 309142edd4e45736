/* SPDX-License-Identifier: MIT */
/*
 * The GEM object model GPUVM needs: a refcounted buffer with its own
 * reservation object (or a shared one the driver points @resv at), the list
 * of vm_bos that map it with the mutex guarding that list in immediate
 * mode, and a driver free callback.
 */
#ifndef _KCOMPAT_DRM_GEM_H
#define _KCOMPAT_DRM_GEM_H

#include <linux/dma-resv.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <drm/drm_device.h>
/*
 * What the kernel's drm_gem.h brings along, which code including it uses:
 * drm_WARN() and co., the allocator, EXPORT_SYMBOL().
 */
#include <drm/drm_print.h>
#include <linux/export.h>
#include <linux/slab.h>

struct drm_gem_object;

struct drm_gem_object_funcs {
	/* Mandatory: frees the object once its last reference is gone. */
	void (*free)(struct drm_gem_object *obj);
};

struct drm_gem_object {
	struct kref refcount;
	struct drm_device *dev;
	size_t size;
	/* The reservation in force: &_resv, or a shared one (a VM's). */
	struct dma_resv *resv;
	struct dma_resv _resv;
	struct {
		/* The drm_gpuvm_bos of this object, one per VM. */
		struct list_head list;
		/*
		 * Guards @list in GPUVM immediate mode; may be taken in the
		 * fence-signalling path, so nothing allocates under it.
		 */
		struct mutex lock;
	} gpuva;
	const struct drm_gem_object_funcs *funcs;
};

/**
 * drm_gem_private_object_init() - initialise an embedded GEM object
 *
 * Refcount 1 (the caller's), its own reservation object in force unless
 * @obj->resv already points at a shared one, empty gpuva list, gpuva lock
 * initialised (a lock of the signalling path: no sleeping allocation under
 * it). @obj->funcs is set by the caller afterwards.
 */
void drm_gem_private_object_init(struct drm_device *dev,
				 struct drm_gem_object *obj, size_t size);

/**
 * drm_gem_object_release() - tear down what drm_gem_private_object_init() set up
 *
 * Called by the driver's free callback. WARNs if vm_bos still sit on the
 * gpuva list or the gpuva lock is held.
 */
void drm_gem_object_release(struct drm_gem_object *obj);

/** drm_gem_object_get() - take a reference; the caller must already hold one */
static inline void drm_gem_object_get(struct drm_gem_object *obj)
{
	kref_get(&obj->refcount);
}

/**
 * drm_gem_object_put() - drop a reference; NULL is ignored
 *
 * The last one calls @obj->funcs->free. Dropping the last reference in a
 * fence-signalling section is a WARN (free paths take reservation locks).
 */
void drm_gem_object_put(struct drm_gem_object *obj);

/* Kept for drivers that call it; drm_gem_private_object_init() already did. */
static inline void drm_gem_gpuva_init(struct drm_gem_object *obj)
{
	INIT_LIST_HEAD(&obj->gpuva.list);
}

/*
 * The lock of the object's vm_bo list, by era. Before 6.18 the assertion
 * takes the object and checks its resv (the lock staged drivers name).
 * From 6.18 it also takes the VM, and the lock depends on the VM's mode:
 * the gpuva mutex in immediate mode, the resv otherwise. The argument
 * count tells the eras apart; the caller has drm_gpuvm_immediate_mode().
 */
#define __drm_gem_gpuva_assert_1(obj__)	dma_resv_assert_held((obj__)->resv)
#define __drm_gem_gpuva_assert_2(gpuvm__, obj__) do {			\
	if (drm_gpuvm_immediate_mode(gpuvm__))				\
		lockdep_assert_held(&(obj__)->gpuva.lock);		\
	else								\
		dma_resv_assert_held((obj__)->resv);			\
} while (0)
#define __drm_gem_gpuva_assert_pick(_1, _2, name, ...)	name
#define drm_gem_gpuva_assert_lock_held(...)					\
	__drm_gem_gpuva_assert_pick(__VA_ARGS__, __drm_gem_gpuva_assert_2,	\
				    __drm_gem_gpuva_assert_1, _)(__VA_ARGS__)

/**
 * drm_gem_for_each_gpuvm_bo() - iterate over the vm_bos of a GEM object
 * @entry__: struct drm_gpuvm_bo * cursor
 * @obj__: the &drm_gem_object
 *
 * The caller holds the object's gpuva list lock (see
 * drm_gem_gpuva_assert_lock_held()).
 */
#define drm_gem_for_each_gpuvm_bo(entry__, obj__) \
	list_for_each_entry(entry__, &(obj__)->gpuva.list, list.entry.gem)

/* The same, safe against removing @entry__; @next__ is scratch. */
#define drm_gem_for_each_gpuvm_bo_safe(entry__, next__, obj__) \
	list_for_each_entry_safe(entry__, next__, &(obj__)->gpuva.list, list.entry.gem)

#endif /* _KCOMPAT_DRM_GEM_H */
