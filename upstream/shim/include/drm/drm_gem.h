/* SPDX-License-Identifier: MIT */
/*
 * The part of a GEM object GPUVM uses: its refcount, its reservation
 * object (own or shared) and the list of its vm_bos.
 *
 * The list's lock is the era's: before 6.18 a driver names one with
 * drm_gem_gpuva_set_lock(), and the drivers with a staged VM name the
 * object's resv, which is what the assertion checks. From 6.18 it is
 * gpuva.lock, a mutex with an owner, for immediate-mode VMs (GPUVM takes
 * it itself in drm_gpuva_unlink_defer(), the deferred put and, from 7.0,
 * obtain_prealloc), and the resv for staged ones.
 */
#ifndef _UPSTREAM_SHIM_DRM_GEM_H
#define _UPSTREAM_SHIM_DRM_GEM_H

#include <linux/dma-resv.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <drm/drm_device.h>
/* As the kernel's drm_gem.h (through drm_vma_manager.h): drm_WARN() and co. */
#include <drm/drm_print.h>

struct drm_gem_object;

struct drm_gem_object_funcs {
	void (*free)(struct drm_gem_object *obj);
};

struct drm_gem_object {
	struct kref refcount;
	struct drm_device *dev;
	size_t size;
	struct dma_resv *resv;		/* &_resv, or a shared one */
	struct dma_resv _resv;
	const struct drm_gem_object_funcs *funcs;
	struct {
		struct list_head list;	/* of drm_gpuvm_bo, by list.entry.gem */
		struct mutex lock;
	} gpuva;
};

/* Refcount 1, own resv unless obj->resv is already set, empty vm_bo list. */
void drm_gem_private_object_init(struct drm_device *dev, struct drm_gem_object *obj,
				 size_t size);
/* Undo drm_gem_private_object_init(); funcs->free calls it. */
void drm_gem_object_release(struct drm_gem_object *obj);
/* kref release: calls funcs->free. */
void drm_gem_object_free(struct kref *kref);

static inline void drm_gem_object_get(struct drm_gem_object *obj)
{
	kref_get(&obj->refcount);
}

static inline void drm_gem_object_put(struct drm_gem_object *obj)
{
	if (obj)
		kref_put(&obj->refcount, drm_gem_object_free);
}

#define drm_gem_gpuva_init(obj)		INIT_LIST_HEAD(&(obj)->gpuva.list)
/*
 * Before 6.18 the assertion takes the object and checks its resv (the
 * lock staged drivers name). From 6.18 it also takes the VM, and the lock
 * depends on the VM's mode: the gpuva mutex in immediate mode, the resv
 * otherwise. The argument count tells the eras apart.
 */
#define __drm_gem_gpuva_assert_1(obj)	dma_resv_assert_held((obj)->resv)
#define __drm_gem_gpuva_assert_2(gpuvm, obj)					\
	WARN(!(drm_gpuvm_immediate_mode(gpuvm) ?				\
	       urt_lock_held(&(obj)->gpuva.lock.dep_map) :			\
	       dma_resv_held((obj)->resv)),					\
	     "GEM gpuva list lock not held (%s)",				\
	     drm_gpuvm_immediate_mode(gpuvm) ? "gpuva.lock" : "resv")
#define __drm_gem_gpuva_assert_pick(_1, _2, name, ...)	name
#define drm_gem_gpuva_assert_lock_held(...)					\
	__drm_gem_gpuva_assert_pick(__VA_ARGS__, __drm_gem_gpuva_assert_2,	\
				    __drm_gem_gpuva_assert_1, _)(__VA_ARGS__)

#define drm_gem_for_each_gpuvm_bo(vm_bo__, obj__) \
	list_for_each_entry(vm_bo__, &(obj__)->gpuva.list, list.entry.gem)
#define drm_gem_for_each_gpuvm_bo_safe(vm_bo__, next__, obj__) \
	list_for_each_entry_safe(vm_bo__, next__, &(obj__)->gpuva.list, list.entry.gem)

#endif
