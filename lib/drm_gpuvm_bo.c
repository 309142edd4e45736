// SPDX-License-Identifier: MIT
/*
 * vm_bos: the unique (VM, GEM object) pairs, their refcounting, the extobj
 * and evict lists, deferred destruction (zombies), and VA linking.
 */
#include <linux/slab.h>
#include <drm/drm_print.h>
#include "gpuvm_internal.h"

/* Add to or remove from a VM list, under its spinlock unless RESV_PROTECTED. */
static void vm_list_add(struct drm_gpuvm_bo *vm_bo, struct list_head *entry,
			struct list_head *list, spinlock_t *lock)
{
	bool locked = !drm_gpuvm_resv_protected(vm_bo->vm);

	if (locked)
		spin_lock(lock);
	if (list_empty(entry))
		list_add_tail(entry, list);
	if (locked)
		spin_unlock(lock);
}

static void vm_list_del(struct drm_gpuvm_bo *vm_bo, struct list_head *entry,
			spinlock_t *lock)
{
	bool locked = !drm_gpuvm_resv_protected(vm_bo->vm);

	if (locked)
		spin_lock(lock);
	list_del_init(entry);
	if (locked)
		spin_unlock(lock);
}

struct drm_gpuvm_bo *drm_gpuvm_bo_create(struct drm_gpuvm *gpuvm,
					 struct drm_gem_object *obj)
{
	const struct drm_gpuvm_ops *ops = gpuvm->ops;
	struct drm_gpuvm_bo *vm_bo;

	if (ops && ops->vm_bo_alloc)
		vm_bo = ops->vm_bo_alloc();
	else
		vm_bo = kzalloc(sizeof(*vm_bo), GFP_KERNEL);
	if (unlikely(!vm_bo))
		return NULL;

	vm_bo->vm = drm_gpuvm_get(gpuvm);
	vm_bo->obj = obj;
	drm_gem_object_get(obj);
	vm_bo->evicted = false;
	kref_init(&vm_bo->kref);
	INIT_LIST_HEAD(&vm_bo->list.gpuva);
	INIT_LIST_HEAD(&vm_bo->list.entry.gem);
	INIT_LIST_HEAD(&vm_bo->list.entry.extobj);
	INIT_LIST_HEAD(&vm_bo->list.entry.evict);
	init_llist_node(&vm_bo->list.entry.bo_defer);
	return vm_bo;
}

/* Free a vm_bo that is on no list, then drop its VM and GEM references. */
static void vm_bo_free_unlisted(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuvm *gpuvm = vm_bo->vm;
	struct drm_gem_object *obj = vm_bo->obj;

	if (gpuvm->ops && gpuvm->ops->vm_bo_free)
		gpuvm->ops->vm_bo_free(vm_bo);
	else
		kfree(vm_bo);
	drm_gpuvm_put(gpuvm);
	drm_gem_object_put(obj);
}

static void vm_bo_free_unlisted_kref(struct kref *kref)
{
	vm_bo_free_unlisted(container_of(kref, struct drm_gpuvm_bo, kref));
}

static void vm_bo_destroy(struct kref *kref)
{
	struct drm_gpuvm_bo *vm_bo = container_of(kref, struct drm_gpuvm_bo, kref);
	struct drm_gpuvm *gpuvm = vm_bo->vm;
	struct drm_gem_object *obj = vm_bo->obj;

	drm_WARN(gpuvm->drm, kcompat_in_signalling(),
		 "vm_bo destroyed in a fence-signalling critical section (use the deferred put)");
	if (drm_gpuvm_resv_protected(gpuvm))
		drm_gpuvm_resv_assert_held(gpuvm);
	vm_list_del(vm_bo, &vm_bo->list.entry.extobj, &gpuvm->extobj.lock);
	vm_list_del(vm_bo, &vm_bo->list.entry.evict, &gpuvm->evict.lock);
	drm_gem_gpuva_assert_lock_held(gpuvm, obj);
	list_del_init(&vm_bo->list.entry.gem);
	vm_bo_free_unlisted(vm_bo);
}

bool drm_gpuvm_bo_put(struct drm_gpuvm_bo *vm_bo)
{
	if (!vm_bo)
		return false;
	return kref_put(&vm_bo->kref, vm_bo_destroy);
}

struct drm_gpuvm_bo *drm_gpuvm_bo_find(struct drm_gpuvm *gpuvm,
				       struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;

	drm_gem_gpuva_assert_lock_held(gpuvm, obj);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		if (vm_bo->vm == gpuvm)
			return drm_gpuvm_bo_get(vm_bo);
	return NULL;
}

struct drm_gpuvm_bo *drm_gpuvm_bo_obtain_locked(struct drm_gpuvm *gpuvm,
						struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;

	/* It allocates, which immediate mode forbids under the gpuva lock. */
	drm_WARN(gpuvm->drm, drm_gpuvm_immediate_mode(gpuvm),
		 "drm_gpuvm_bo_obtain_locked() in immediate mode; use obtain_prealloc");
	vm_bo = drm_gpuvm_bo_find(gpuvm, obj);
	if (vm_bo)
		return vm_bo;
	vm_bo = drm_gpuvm_bo_create(gpuvm, obj);
	if (!vm_bo)
		return ERR_PTR(-ENOMEM);
	drm_gem_gpuva_assert_lock_held(gpuvm, obj);
	list_add_tail(&vm_bo->list.entry.gem, &obj->gpuva.list);
	return vm_bo;
}

struct drm_gpuvm_bo *drm_gpuvm_bo_obtain_prealloc(struct drm_gpuvm_bo *prealloc)
{
	struct drm_gpuvm *gpuvm = prealloc->vm;
	struct drm_gem_object *obj = prealloc->obj;
	struct drm_gpuvm_bo *vm_bo;

	drm_WARN(gpuvm->drm, !drm_gpuvm_immediate_mode(gpuvm),
		 "drm_gpuvm_bo_obtain_prealloc() outside immediate mode");
	mutex_lock(&obj->gpuva.lock);
	vm_bo = drm_gpuvm_bo_find(gpuvm, obj);
	if (vm_bo) {
		mutex_unlock(&obj->gpuva.lock);
		/* The unused prealloc is freed outside the lock: its free may sleep. */
		kref_put(&prealloc->kref, vm_bo_free_unlisted_kref);
		return vm_bo;
	}
	list_add_tail(&prealloc->list.entry.gem, &obj->gpuva.list);
	mutex_unlock(&obj->gpuva.lock);
	return prealloc;
}

/*
 * The count reached zero under obj->gpuva.lock: do only what is safe in the
 * signalling path. With RESV_PROTECTED the extobj/evict entries need the
 * VM's resv, so they stay until drm_gpuvm_bo_deferred_cleanup().
 */
static void vm_bo_make_zombie(struct kref *kref)
{
	struct drm_gpuvm_bo *vm_bo = container_of(kref, struct drm_gpuvm_bo, kref);
	struct drm_gpuvm *gpuvm = vm_bo->vm;

	if (!drm_gpuvm_resv_protected(gpuvm)) {
		vm_list_del(vm_bo, &vm_bo->list.entry.extobj, &gpuvm->extobj.lock);
		vm_list_del(vm_bo, &vm_bo->list.entry.evict, &gpuvm->evict.lock);
	}
	drm_gem_gpuva_assert_lock_held(gpuvm, vm_bo->obj);
	list_del_init(&vm_bo->list.entry.gem);
}

/*
 * Publish only after the unlock: once on bo_defer, a cleanup may free the
 * GEM object, and with it the mutex this thread would still be releasing.
 */
static void vm_bo_publish_zombie(struct drm_gpuvm_bo *vm_bo, struct drm_gpuvm *gpuvm)
{
	lockdep_assert_not_held(&vm_bo->obj->gpuva.lock);
	llist_add(&vm_bo->list.entry.bo_defer, &gpuvm->bo_defer);
}

static void vm_bo_defer_release(struct kref *kref)
{
	struct drm_gpuvm_bo *vm_bo = container_of(kref, struct drm_gpuvm_bo, kref);
	struct drm_gpuvm *gpuvm = vm_bo->vm;

	vm_bo_make_zombie(kref);
	mutex_unlock(&vm_bo->obj->gpuva.lock);
	vm_bo_publish_zombie(vm_bo, gpuvm);
}

bool drm_gpuvm_bo_put_deferred(struct drm_gpuvm_bo *vm_bo)
{
	if (!vm_bo)
		return false;
	drm_WARN(vm_bo->vm->drm, !drm_gpuvm_immediate_mode(vm_bo->vm),
		 "drm_gpuvm_bo_put_deferred() outside immediate mode");
	return kref_put_mutex(&vm_bo->kref, vm_bo_defer_release, &vm_bo->obj->gpuva.lock);
}

void drm_gpuvm_bo_deferred_cleanup(struct drm_gpuvm *gpuvm)
{
	struct llist_node *chain = llist_del_all(&gpuvm->bo_defer);
	struct drm_gpuvm_bo *vm_bo, *next;

	if (!chain)
		return;
	if (drm_gpuvm_resv_protected(gpuvm)) {
		/* Fails (with a WARN) only if the caller already holds it. */
		int ret = dma_resv_lock(drm_gpuvm_resv(gpuvm), NULL);

		llist_for_each_entry(vm_bo, chain, list.entry.bo_defer) {
			list_del_init(&vm_bo->list.entry.extobj);
			list_del_init(&vm_bo->list.entry.evict);
		}
		if (!ret)
			dma_resv_unlock(drm_gpuvm_resv(gpuvm));
	}
	llist_for_each_entry_safe(vm_bo, next, chain, list.entry.bo_defer)
		vm_bo_free_unlisted(vm_bo);
}

void drm_gpuvm_bo_extobj_add(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuvm *gpuvm = vm_bo->vm;

	if (drm_gpuvm_resv_protected(gpuvm))
		drm_gpuvm_resv_assert_held(gpuvm);
	if (drm_gpuvm_is_extobj(gpuvm, vm_bo->obj))
		vm_list_add(vm_bo, &vm_bo->list.entry.extobj, &gpuvm->extobj.list,
			    &gpuvm->extobj.lock);
}

void drm_gpuvm_bo_evict(struct drm_gpuvm_bo *vm_bo, bool evict)
{
	struct drm_gpuvm *gpuvm = vm_bo->vm;
	struct drm_gem_object *obj = vm_bo->obj;

	dma_resv_assert_held(obj->resv);
	vm_bo->evicted = evict;
	/* Only the object's resv is held, not the VM's: prepare_objects folds it in. */
	if (drm_gpuvm_is_extobj(gpuvm, obj) && drm_gpuvm_resv_protected(gpuvm))
		return;
	if (evict)
		vm_list_add(vm_bo, &vm_bo->list.entry.evict, &gpuvm->evict.list,
			    &gpuvm->evict.lock);
	else
		vm_list_del(vm_bo, &vm_bo->list.entry.evict, &gpuvm->evict.lock);
}

/* ---- linking -------------------------------------------------------------- */

void drm_gpuva_link(struct drm_gpuva *va, struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj = va->gem.obj;
	struct drm_gpuvm *gpuvm = vm_bo->vm;

	if (unlikely(!obj))
		return;
	if (drm_WARN(gpuvm->drm, va->vm != gpuvm,
		     "linking a VA that is not in the vm_bo's VM (insert it first)"))
		return;
	if (drm_WARN(gpuvm->drm, va->vm_bo, "linking a VA that is already linked"))
		return;
	drm_WARN(gpuvm->drm, obj != vm_bo->obj, "linking a VA to a vm_bo of another GEM object");
	va->vm_bo = drm_gpuvm_bo_get(vm_bo);
	drm_gem_gpuva_assert_lock_held(gpuvm, obj);
	list_add_tail(&va->gem.entry, &vm_bo->list.gpuva);
}

void drm_gpuva_unlink(struct drm_gpuva *va)
{
	struct drm_gpuvm_bo *vm_bo = va->vm_bo;

	if (unlikely(!va->gem.obj) || !vm_bo)
		return;
	drm_gem_gpuva_assert_lock_held(vm_bo->vm, va->gem.obj);
	list_del_init(&va->gem.entry);
	va->vm_bo = NULL;
	drm_gpuvm_bo_put(vm_bo);
}

void drm_gpuva_unlink_defer(struct drm_gpuva *va)
{
	struct drm_gem_object *obj = va->gem.obj;
	struct drm_gpuvm_bo *vm_bo = va->vm_bo;
	struct drm_gpuvm *gpuvm;
	bool zombie;

	if (unlikely(!obj))
		return;
	if (WARN(!vm_bo, "drm_gpuva_unlink_defer() of a VA that is not linked"))
		return;
	gpuvm = vm_bo->vm;
	drm_WARN(gpuvm->drm, !drm_gpuvm_immediate_mode(gpuvm),
		 "drm_gpuva_unlink_defer() outside immediate mode");
	mutex_lock(&obj->gpuva.lock);
	list_del_init(&va->gem.entry);
	zombie = kref_put(&vm_bo->kref, vm_bo_make_zombie);
	mutex_unlock(&obj->gpuva.lock);
	if (zombie)
		vm_bo_publish_zombie(vm_bo, gpuvm);
	va->vm_bo = NULL;
}
