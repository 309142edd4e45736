// SPDX-License-Identifier: MIT
/*
 * Objects and handles: VMs and GEM objects, how they are freed, vm_bo
 * allocation (immediate mode pins), and the caller's handle references
 * on vm_bos (obtain and put).
 */
#include "driver_model.h"

static void bo_free(struct drm_gem_object *obj)
{
	struct drv_bo *bo = to_bo(obj);
	struct gvm_event ev = { .kind = GVM_EV_FREED_BO, .id = bo->id };

	emit(bo->be, &ev);
	WARN(bo->pins, "driver model: bo%u freed with %u pin(s): a vm_bo_free never ran",
	     bo->id, bo->pins);
	drm_gem_object_release(obj);
	drm_gem_object_put(bo->r_obj);
	mutex_destroy(&bo->bind_lock);
	list_del(&bo->link);
	bo->be->nbos--;
	kfree(bo);
}

static const struct drm_gem_object_funcs bo_funcs = { .free = bo_free };

static void vm_free(struct drm_gpuvm *gpuvm)
{
	struct drv_vm *vm = to_vm(gpuvm);
	struct gvm_event ev = { .kind = GVM_EV_FREED_VM, .id = vm->id };

	emit(vm->be, &ev);
	list_del(&vm->link);
	vm->be->nvms--;
	WARN(!list_empty(&vm->jobs), "driver model: vm%u freed with jobs queued", vm->id);
	spin_lock_destroy(&vm->job_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/*
 * Immediate mode (panthor): a vm_bo keeps its object's pages pinned, and
 * pinning takes the object's resv. So creating one (in the ioctl) pins,
 * and freeing one unpins, under the resv: GPUVM must call vm_bo_free
 * where a resv may be taken (not in the signalling path, not under the
 * gpuva mutex, not with the resv held). Staged drivers (nouveau, xe)
 * free it under the resv they hold already: nothing to take.
 */
static void pin(struct drm_gem_object *obj, int by)
{
	dma_resv_lock(obj->resv, NULL);
	to_bo(obj)->pins += by;
	dma_resv_unlock(obj->resv);
}

struct drm_gpuvm_bo *drv_vm_bo_create_pinned(struct drm_gpuvm *gpuvm,
					     struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo = drm_gpuvm_bo_create(gpuvm, obj);

	if (vm_bo)
		pin(obj, 1);
	return vm_bo;
}

/*
 * Drivers that keep data of their own beside GPUVM's objects allocate
 * them: xe its ops (op_alloc/op_free, on its RESV_PROTECTED VMs), the
 * Rust GPUVM drivers their vm_bos (vm_bo_alloc, immediate mode). GPUVM's
 * object sits behind a tag, not at the start, so that GPUVM freeing one
 * the other way than it came (kfree() of a driver's, op_free() of its
 * own) is a bad free or an out-of-bounds read for ASan, and a wrong tag
 * a WARN.
 */
#define DRV_OP_TAG	0x6f70u		/* "op" */
#define DRV_VM_BO_TAG	0x766du		/* "vm" */

struct drv_op {
	unsigned int tag;
	struct drm_gpuva_op base;
};

struct drv_vm_bo {
	unsigned int tag;
	struct drm_gpuvm_bo base;
};

static struct drm_gpuva_op *op_alloc(void)
{
	struct drv_op *op = kzalloc(sizeof(*op), GFP_KERNEL);

	if (!op)
		return NULL;
	op->tag = DRV_OP_TAG;
	return &op->base;
}

static void op_free(struct drm_gpuva_op *base)
{
	struct drv_op *op = container_of(base, struct drv_op, base);

	WARN(op->tag != DRV_OP_TAG, "driver model: op_free() of an op op_alloc() did not make");
	kfree(op);
}

static struct drm_gpuvm_bo *vm_bo_alloc(void)
{
	struct drv_vm_bo *vm_bo = kzalloc(sizeof(*vm_bo), GFP_KERNEL);

	if (!vm_bo)
		return NULL;
	vm_bo->tag = DRV_VM_BO_TAG;
	return &vm_bo->base;
}

static void vm_bo_free(struct drm_gpuvm_bo *vm_bo)
{
	struct drv_vm_bo *own;

	if (drm_gpuvm_immediate_mode(vm_bo->vm))
		pin(vm_bo->obj, -1);
	if (!vm_bo->vm->ops->vm_bo_alloc) {
		kfree(vm_bo);
		return;
	}
	/* Only a vm_bo that vm_bo_alloc() made sits inside a struct drv_vm_bo. */
	own = container_of(vm_bo, struct drv_vm_bo, base);
	WARN(own->tag != DRV_VM_BO_TAG, "driver model: vm_bo_free() of a vm_bo vm_bo_alloc() did not make");
	kfree(own);
}

#define DRV_VM_OPS(...) {					\
		.vm_free = vm_free,				\
		.vm_bo_free = vm_bo_free,			\
		.vm_bo_validate = drv_vm_bo_validate,		\
		.sm_step_map = drv_step_cb,			\
		.sm_step_remap = drv_step_cb,			\
		.sm_step_unmap = drv_step_cb,			\
		__VA_ARGS__					\
	}

/* By [immediate][resv_protected]: who allocates what (above). */
static const struct drm_gpuvm_ops vm_ops[2][2] = {
	[0][0] = DRV_VM_OPS(),
	[0][1] = DRV_VM_OPS(.op_alloc = op_alloc, .op_free = op_free),
	[1][0] = DRV_VM_OPS(.vm_bo_alloc = vm_bo_alloc),
	[1][1] = DRV_VM_OPS(.vm_bo_alloc = vm_bo_alloc, .op_alloc = op_alloc,
			    .op_free = op_free),
};

int drv_vm_create(struct gvm_backend *gbe, const struct gvm_vm_params *p,
		  struct gvm_be_vm **out)
{
	struct drv *be = to_drv(gbe);
	enum drm_gpuvm_flags flags = 0;
	struct drm_gem_object *r_obj;
	struct drv_vm *vm;
	uint64_t end;

	/* A driver checks the window before drm_gpuvm_init(), which only WARNs. */
	if (__builtin_add_overflow(p->start, p->range, &end) ||
	    __builtin_add_overflow(p->reserve_addr, p->reserve_range, &end))
		return -EINVAL;
	if (p->immediate && !GVM_HAS_IMMEDIATE_MODE)
		return -EOPNOTSUPP;	/* drv_unsupported() refuses it first */
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	r_obj = drm_gpuvm_resv_object_alloc(&be->drm);
	if (!r_obj) {
		kfree(vm);
		return -ENOMEM;
	}
	if (p->immediate)
		flags |= DRM_GPUVM_IMMEDIATE_MODE;
	if (p->resv_protected)
		flags |= DRM_GPUVM_RESV_PROTECTED;
	vm->be = be;
	vm->id = p->id;
	vm->prealloc = p->prealloc;
	vm->empty_ok = p->empty_ok;
	vm->open = true;
	mutex_init(&vm->lock);
	spin_lock_init(&vm->job_lock);
	INIT_LIST_HEAD(&vm->jobs);
	drm_gpuvm_init(&vm->base, "gvm", flags, &be->drm, r_obj, p->start, p->range,
		       p->reserve_addr, p->reserve_range,
		       &vm_ops[!!p->immediate][!!p->resv_protected]);
	drm_gem_object_put(r_obj);
	list_add_tail(&vm->link, &be->vms);
	be->nvms++;
	*out = (struct gvm_be_vm *)vm;
	return 0;
}

int drv_bo_create(struct gvm_backend *gbe, uint32_t id, struct gvm_be_vm *priv_vm,
		  struct gvm_be_bo **out)
{
	struct drv *be = to_drv(gbe);
	struct drv_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return -ENOMEM;
	drm_gem_private_object_init(&be->drm, &bo->base, 0);
	bo->base.funcs = &bo_funcs;
	bo->be = be;
	bo->id = id;
	bo->handle = true;
	mutex_init(&bo->bind_lock);
	if (priv_vm) {
		/* Share the VM's resv and keep its owner alive as long as we are. */
		bo->r_obj = ((struct drv_vm *)priv_vm)->base.r_obj;
		bo->priv_vm = ((struct drv_vm *)priv_vm)->id;
		drm_gem_object_get(bo->r_obj);
		bo->base.resv = bo->r_obj->resv;
	}
	list_add_tail(&bo->link, &be->bos);
	be->nbos++;
	*out = (struct gvm_be_bo *)bo;
	return 0;
}

/*
 * Whether a bind or obtain of @bo in @vm is refused because @bo is private
 * to another VM (it shares that VM's resv). panthor refuses a VM-exclusive
 * object (-EINVAL), nouveau a no_share one (-EPERM), msm a NO_SHARE one
 * (-EINVAL). Only with GVM_KNOWN_FINDINGS: without, the driver lets it in,
 * and two such objects sharing one resv as external objects of a VM meet
 * drm_exec's duplicate handling (tests/hazards/foreign_private_object.gvm,
 * docs/concurrency.md).
 */
bool drv_foreign_private(const struct drv_vm *vm, const struct drv_bo *bo)
{
	return vm->be->known && bo->r_obj && bo->r_obj != vm->base.r_obj;
}

/*
 * The request's vm_bo on a staged VM, with the VM's resv and the object's
 * (A1, A2) held. A driver that preallocates its vm_bos (panthor before
 * immediate mode, vm "prealloc") creates one and hands it to
 * obtain_prealloc, which drops it again if the VM already has one; before
 * 7.0 that is allowed on staged VMs with A2 held (docs/semantics.md).
 * The others obtain_locked.
 */
struct drm_gpuvm_bo *drv_obtain_staged(struct drv_vm *vm, struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *prealloc;

	if (!GVM_HAS_STAGED_PREALLOC || !vm->prealloc)
		return drm_gpuvm_bo_obtain_locked(&vm->base, obj);
	prealloc = drm_gpuvm_bo_create(&vm->base, obj);
	if (!prealloc)
		return ERR_PTR(-ENOMEM);
	return drm_gpuvm_bo_obtain_prealloc(prealloc);
}

int drv_obtain(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_bo *bo = (struct drv_bo *)hbo;
	struct drv_held *held = &vm->held[bo->id];
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_exec exec;
	int ret;

	(void)gbe;
	if (drv_foreign_private(vm, bo))
		return -EINVAL;
	mutex_lock(&bo->bind_lock);
	if (drv_mode_conflict(&bo->base, immediate)) {
		ret = -EINVAL;
		goto out;
	}
	if (immediate) {
		struct drm_gpuvm_bo *prealloc = drv_vm_bo_create_pinned(&vm->base, &bo->base);

		ret = -ENOMEM;
		if (!prealloc)
			goto out;
		vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
		drv_extobj_add(vm, vm_bo, false);
	} else {
		ret = drv_lock_vm_and(&exec, vm, &bo->base);
		if (ret)
			goto out;
		vm_bo = drv_obtain_staged(vm, &bo->base);
		if (!IS_ERR(vm_bo))
			drm_gpuvm_bo_extobj_add(vm_bo);
		drm_exec_fini(&exec);
		ret = IS_ERR(vm_bo) ? PTR_ERR(vm_bo) : 0;
		if (ret)
			goto out;
	}
	mutex_unlock(&bo->bind_lock);
	WARN(held->count && held->vm_bo != vm_bo,
	     "driver model: vm_bo of vm%u/bo%u changed while referenced", vm->id, bo->id);
	held->vm_bo = vm_bo;
	held->count++;
	return 0;

out:
	mutex_unlock(&bo->bind_lock);
	return ret;
}

/*
 * Drop one caller-held reference on (vm, bo). Staged: the last put may
 * destroy the vm_bo, which needs the GEM's resv and the VM's; they are
 * locked directly (no drm_exec, no allocation), so this cannot fail.
 */
void drv_put_held(struct drv_vm *vm, struct drv_held *held)
{
	struct drm_gpuvm_bo *vm_bo = held->vm_bo;
	struct dma_resv *vm_resv = drm_gpuvm_resv(&vm->base);
	struct drm_gem_object *obj = vm_bo->obj;
	struct ww_acquire_ctx ctx;

	if (--held->count == 0)
		held->vm_bo = NULL;
	if (drm_gpuvm_immediate_mode(&vm->base)) {
		drm_gpuvm_bo_put_deferred(vm_bo);
		return;
	}
	/* The put may free the object, and its resv with it: hold it. */
	drm_gem_object_get(obj);
	drv_lock_resvs(&ctx, vm_resv, obj->resv);
	drm_gpuvm_bo_put(vm_bo);
	drv_unlock_resvs(&ctx, vm_resv, obj->resv);
	drm_gem_object_put(obj);
}

int drv_put(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;
	struct drv_held *held = &vm->held[((struct drv_bo *)hbo)->id];

	(void)gbe;
	if (!held->count)
		return -ENOENT;
	drv_put_held(vm, held);
	return 0;
}

void drv_bo_close(struct gvm_backend *gbe, struct gvm_be_bo *hbo)
{
	struct drv_bo *bo = (struct drv_bo *)hbo;

	(void)gbe;
	if (WARN(!bo->handle, "driver model: bo%u closed twice", bo->id))
		return;
	bo->handle = false;
	drm_gem_object_put(&bo->base);
}
