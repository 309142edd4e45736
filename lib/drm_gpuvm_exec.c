// SPDX-License-Identifier: MIT
/*
 * Locking a VM's objects through drm_exec, validating evicted objects and
 * adding fences. Without RESV_PROTECTED the extobj and evict lists are
 * walked through a private "local" list: each entry is moved there under
 * the list's spinlock with a temporary reference, processed unlocked, and
 * the local list is spliced back at the end.
 */
#include <drm/drm_print.h>
#include "gpuvm_internal.h"

struct vm_bo_list {
	struct list_head *list;
	struct list_head **local_list;
	spinlock_t *lock;
	size_t entry;	/* offset of the list node in struct drm_gpuvm_bo */
};

#define VM_BO_LIST(gpuvm, name) ((struct vm_bo_list){				\
	.list = &(gpuvm)->name.list, .local_list = &(gpuvm)->name.local_list,	\
	.lock = &(gpuvm)->name.lock,						\
	.entry = offsetof(struct drm_gpuvm_bo, list.entry.name) })

/* Take the next entry onto @local with a reference; drop @prev's reference. */
static struct drm_gpuvm_bo *local_next(struct drm_gpuvm *gpuvm, const struct vm_bo_list *l,
				       struct list_head *local, struct drm_gpuvm_bo *prev)
{
	struct drm_gpuvm_bo *vm_bo = NULL;

	spin_lock(l->lock);
	if (!*l->local_list)
		*l->local_list = local;
	else
		drm_WARN(gpuvm->drm, *l->local_list != local,
			 "two iterations of the same vm_bo list at once");
	while (!list_empty(l->list)) {
		struct list_head *node = l->list->next;
		struct drm_gpuvm_bo *cand = (struct drm_gpuvm_bo *)((char *)node - l->entry);

		if (kref_get_unless_zero(&cand->kref)) {
			list_move_tail(node, local);
			vm_bo = cand;
			break;
		}
		list_del_init(node);	/* dying: its destroy path will not find it */
	}
	spin_unlock(l->lock);
	drm_gpuvm_bo_put(prev);
	return vm_bo;
}

/* Splice the visited entries back at the head, keeping the list's order. */
static void local_restore(const struct vm_bo_list *l, struct list_head *local)
{
	spin_lock(l->lock);
	list_splice_init(local, l->list);
	*l->local_list = NULL;
	spin_unlock(l->lock);
}

static int lock_one(struct drm_exec *exec, struct drm_gem_object *obj,
		    unsigned int num_fences)
{
	return num_fences ? drm_exec_prepare_obj(exec, obj, num_fences) :
			    drm_exec_lock_obj(exec, obj);
}

int drm_gpuvm_prepare_vm(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			 unsigned int num_fences)
{
	return lock_one(exec, gpuvm->r_obj, num_fences);
}

static int prepare_objects_locked(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
				  unsigned int num_fences)
{
	struct drm_gpuvm_bo *vm_bo;
	int ret = 0;

	drm_gpuvm_resv_assert_held(gpuvm);
	list_for_each_entry(vm_bo, &gpuvm->extobj.list, list.entry.extobj) {
		if (!kref_read(&vm_bo->kref))
			continue;	/* a zombie awaiting deferred cleanup */
		ret = lock_one(exec, vm_bo->obj, num_fences);
		if (ret)
			break;
		/* Both resvs are held now: fold in an eviction noted earlier. */
		if (vm_bo->evicted && list_empty(&vm_bo->list.entry.evict))
			list_add_tail(&vm_bo->list.entry.evict, &gpuvm->evict.list);
	}
	return ret;
}

int drm_gpuvm_prepare_objects(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			      unsigned int num_fences)
{
	struct vm_bo_list l = VM_BO_LIST(gpuvm, extobj);
	struct drm_gpuvm_bo *vm_bo = NULL;
	LIST_HEAD(local);
	int ret = 0;

	if (drm_gpuvm_resv_protected(gpuvm))
		return prepare_objects_locked(gpuvm, exec, num_fences);

	while ((vm_bo = local_next(gpuvm, &l, &local, vm_bo))) {
		ret = lock_one(exec, vm_bo->obj, num_fences);
		if (ret)
			break;
	}
	drm_gpuvm_bo_put(vm_bo);	/* the entry we stopped at, if any */
	local_restore(&l, &local);
	return ret;
}

int drm_gpuvm_prepare_range(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			    u64 addr, u64 range, unsigned int num_fences)
{
	struct drm_gpuva *va;
	u64 end = addr + range;
	int ret;

	drm_gpuvm_for_each_va_range(va, gpuvm, addr, end) {
		/* Sparse VAs and the kernel node have no object to lock. */
		if (!va->gem.obj)
			continue;
		ret = lock_one(exec, va->gem.obj, num_fences);
		if (ret)
			return ret;
	}
	return 0;
}

int drm_gpuvm_exec_lock(struct drm_gpuvm_exec *vm_exec)
{
	struct drm_gpuvm *gpuvm = vm_exec->vm;
	struct drm_exec *exec = &vm_exec->exec;
	unsigned int num_fences = vm_exec->num_fences;
	int ret = 0;

	drm_exec_init(exec, vm_exec->flags, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(gpuvm, exec, num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			goto err;
		ret = drm_gpuvm_prepare_objects(gpuvm, exec, num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			goto err;
		if (vm_exec->extra.fn) {
			ret = vm_exec->extra.fn(vm_exec);
			drm_exec_retry_on_contention(exec);
			if (ret)
				goto err;
		}
	}
	return 0;
err:
	drm_exec_fini(exec);
	return ret;
}

struct lock_array {
	struct drm_gem_object **objs;
	unsigned int num_objs;
};

/*
 * Through lock_one(), as the VM and its external objects: zero fences
 * means lock only (upstream's drm_exec_prepare_array() reserves none,
 * which WARNs: docs/upstream-findings.md 6).
 */
static int lock_array_fn(struct drm_gpuvm_exec *vm_exec)
{
	struct lock_array *args = vm_exec->extra.priv;
	unsigned int i;
	int ret;

	for (i = 0; i < args->num_objs; i++) {
		ret = lock_one(&vm_exec->exec, args->objs[i], vm_exec->num_fences);
		if (ret)
			return ret;
	}
	return 0;
}

int drm_gpuvm_exec_lock_array(struct drm_gpuvm_exec *vm_exec,
			      struct drm_gem_object **objs, unsigned int num_objs)
{
	struct lock_array args = { .objs = objs, .num_objs = num_objs };

	vm_exec->extra.fn = lock_array_fn;
	vm_exec->extra.priv = &args;
	return drm_gpuvm_exec_lock(vm_exec);
}

int drm_gpuvm_exec_lock_range(struct drm_gpuvm_exec *vm_exec, u64 addr, u64 range)
{
	struct drm_exec *exec = &vm_exec->exec;
	int ret = 0;

	drm_exec_init(exec, vm_exec->flags, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_range(vm_exec->vm, exec, addr, range,
					      vm_exec->num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			goto err;
	}
	return 0;
err:
	drm_exec_fini(exec);
	return ret;
}

static int validate_locked(struct drm_gpuvm *gpuvm, struct drm_exec *exec)
{
	const struct drm_gpuvm_ops *ops = gpuvm->ops;
	struct drm_gpuvm_bo *vm_bo, *next;
	int ret = 0;

	drm_gpuvm_resv_assert_held(gpuvm);
	list_for_each_entry_safe(vm_bo, next, &gpuvm->evict.list, list.entry.evict) {
		if (!kref_read(&vm_bo->kref))
			continue;
		ret = ops->vm_bo_validate(vm_bo, exec);
		if (ret)
			break;
		dma_resv_assert_held(vm_bo->obj->resv);
		if (!vm_bo->evicted)
			list_del_init(&vm_bo->list.entry.evict);
	}
	return ret;
}

int drm_gpuvm_validate(struct drm_gpuvm *gpuvm, struct drm_exec *exec)
{
	const struct drm_gpuvm_ops *ops = gpuvm->ops;
	struct vm_bo_list l = VM_BO_LIST(gpuvm, evict);
	struct drm_gpuvm_bo *vm_bo = NULL;
	LIST_HEAD(local);
	int ret = 0;

	if (unlikely(!ops || !ops->vm_bo_validate))
		return -EOPNOTSUPP;
	if (drm_gpuvm_resv_protected(gpuvm))
		return validate_locked(gpuvm, exec);

	while ((vm_bo = local_next(gpuvm, &l, &local, vm_bo))) {
		ret = ops->vm_bo_validate(vm_bo, exec);
		if (ret)
			break;
	}
	drm_gpuvm_bo_put(vm_bo);
	local_restore(&l, &local);
	return ret;
}

void drm_gpuvm_resv_add_fence(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			      struct dma_fence *fence,
			      enum dma_resv_usage private_usage,
			      enum dma_resv_usage extobj_usage)
{
	struct drm_gem_object *obj;
	unsigned long index;

	drm_exec_for_each_locked_object(exec, index, obj) {
		dma_resv_assert_held(obj->resv);
		dma_resv_add_fence(obj->resv, fence,
				   drm_gpuvm_is_extobj(gpuvm, obj) ? extobj_usage : private_usage);
	}
}
