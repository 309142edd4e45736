// SPDX-License-Identifier: MIT
/*
 * The driver model: executes backend calls the way GPUVM drivers do,
 * taking every lock the API asserts. Built twice from this one source:
 * over lib/ (gvm_backend_lean_create) and over upstream's own drm_gpuvm.c
 * (GVM_DRIVER_UPSTREAM: gvm_backend_upstream_create), where
 * upstream/compat gives it mainline's API on the tree's era and GVM_HAS_*
 * says what the era lacks; unsupported() refuses those commands up front.
 *
 * Staged VMs (nouveau, xe): the bind runs in the ioctl. drm_exec locks the
 * VM's resv and every object the request touches (sm_map_exec_lock), the
 * request's vm_bo is obtained with obtain_locked, the ops list is built,
 * VAs for it are preallocated, then the ops are applied: new pieces are
 * linked before the old VA is unlinked, so the vm_bo stays alive.
 *
 * Immediate VMs (panthor, the Rust drivers): the ioctl preallocates VAs and
 * a vm_bo (create + obtain_prealloc); the bind itself runs inside a
 * fence-signalling section through drm_gpuvm_sm_map/sm_unmap callbacks
 * that apply each step at once, link under the GEM's gpuva lock and unlink
 * with drm_gpuva_unlink_defer. Zombies go only in cleanup and destroy.
 *
 * Staged binds can also run through drm_gpuvm_sm_map/sm_unmap callbacks
 * (the twin, and "inject step"): each step changes the tree at once, but
 * the VAs it takes out stay linked until the call returns, when they are
 * unlinked, or put back if a step failed (as xe unwinds a failed bind).
 *
 * Every call either succeeds or leaves the state exactly as it was: all
 * allocations come before the first change, and failed steps are undone.
 */
#include "driver_model.h"

/* The most VAs one request can need: madvise makes two MAPs and two REMAPs. */
#define POOL_MAX	6

struct va_pool {
	struct drm_gpuva *va[POOL_MAX];
	unsigned int n;
};

/*
 * A VA of the driver model. @undo chains, newest first, what one staged
 * callback bind did until it returns: VAs it added, and VAs it took out
 * of the tree, still linked.
 */
struct lean_va {
	struct drm_gpuva base;
	struct lean_va *undo;
	bool added;
};

/* What the sm_step callbacks need. */
struct step_ctx {
	struct lean *be;
	struct lean_vm *vm;
	struct drm_gpuvm_bo *vm_bo;	/* the request's, for MAP */
	struct va_pool *pool;
	bool immediate;
	bool deferred;			/* staged callbacks: keep an undo chain */
	struct lean_va *undo;
	unsigned int steps;		/* callbacks so far */
	unsigned int fail_at;		/* that step returns -EIO; 0: none */
	int error;			/* what a step returned, if it failed */
};

/* WARNs are process-wide: every lean backend reads the same record. */
static char warning[2304];
static unsigned int backends;

static struct lean_va *to_lva(struct drm_gpuva *va)
{
	return container_of(va, struct lean_va, base);
}

static struct lean_vm *to_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct lean_vm, base);
}

static struct lean_bo *to_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct lean_bo, base);
}

static int32_t bo_id(struct drm_gem_object *obj)
{
	return obj ? (int32_t)to_bo(obj)->id : -1;
}

static void emit(struct lean *be, const struct gvm_event *ev)
{
	if (be->base.sink.event)
		be->base.sink.event(be->base.sink.ctx, ev);
}

static void warn_hook(const char *file, int line, const char *msg)
{
	if (!warning[0])
		snprintf(warning, sizeof(warning), "%s:%d: %s", file, line, msg);
}

/* ---- events ---------------------------------------------------------------- */

static struct gvm_map va_map(const struct drm_gpuva *va)
{
	return (struct gvm_map){ .addr = va->va.addr, .range = va->va.range,
				 .bo = bo_id(va->gem.obj), .offset = va->gem.offset };
}

static struct gvm_map op_map(const struct drm_gpuva_op_map *m)
{
	return (struct gvm_map){ .addr = m->va.addr, .range = m->va.range,
				 .bo = bo_id(m->gem.obj), .offset = m->gem.offset };
}

static void emit_op(struct lean *be, const struct drm_gpuva_op *op)
{
	struct gvm_event ev = { 0 };

	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		ev.kind = GVM_EV_OP_MAP;
		ev.a = op_map(&op->map);
		break;
	case DRM_GPUVA_OP_UNMAP:
		ev.kind = GVM_EV_OP_UNMAP;
		ev.a = va_map(op->unmap.va);
		ev.keep = op->unmap.keep;
		break;
	case DRM_GPUVA_OP_REMAP:
		ev.kind = GVM_EV_OP_REMAP;
		ev.a = va_map(op->remap.unmap->va);
		ev.keep = op->remap.unmap->keep;
		ev.has_prev = op->remap.prev;
		ev.has_next = op->remap.next;
		if (ev.has_prev)
			ev.prev = op_map(op->remap.prev);
		if (ev.has_next)
			ev.next = op_map(op->remap.next);
		break;
	case DRM_GPUVA_OP_PREFETCH:
		ev.kind = GVM_EV_OP_PREFETCH;
		ev.a = va_map(op->prefetch.va);
		break;
	default:
		return;
	}
	emit(be, &ev);
}

/* ---- object lifetime --------------------------------------------------------- */

static void bo_free(struct drm_gem_object *obj)
{
	struct lean_bo *bo = to_bo(obj);
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
	struct lean_vm *vm = to_vm(gpuvm);
	struct gvm_event ev = { .kind = GVM_EV_FREED_VM, .id = vm->id };

	emit(vm->be, &ev);
	list_del(&vm->link);
	vm->be->nvms--;
	WARN(!list_empty(&vm->jobs), "driver model: vm%u freed with jobs queued", vm->id);
	spin_lock_destroy(&vm->job_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/* ---- VA pools ---------------------------------------------------------------- */

static void pool_drain(struct va_pool *pool)
{
	while (pool->n)
		kfree(to_lva(pool->va[--pool->n]));
}

static int pool_fill(struct va_pool *pool, unsigned int n)
{
	pool->n = 0;
	while (pool->n < n) {
		struct lean_va *lva = kzalloc(sizeof(*lva), GFP_KERNEL);

		if (!lva) {
			pool_drain(pool);
			return -ENOMEM;
		}
		pool->va[pool->n++] = &lva->base;
	}
	return 0;
}

static struct drm_gpuva *pool_take(struct va_pool *pool)
{
	return pool->n ? pool->va[--pool->n] : NULL;
}

/* VAs an op list will need. */
static unsigned int ops_vas_needed(struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;
	unsigned int n = 0;

	drm_gpuva_for_each_op(op, ops) {
		if (op->op == DRM_GPUVA_OP_MAP)
			n++;
		else if (op->op == DRM_GPUVA_OP_REMAP)
			n += !!op->remap.prev + !!op->remap.next;
	}
	return n;
}

/* VAs an unmap of [addr, addr + range) will need for surviving pieces. */
static unsigned int unmap_vas_needed(struct drm_gpuvm *gpuvm, uint64_t addr, uint64_t range)
{
	struct drm_gpuva *first = drm_gpuva_find_first(gpuvm, addr, range);
	struct drm_gpuva *last = drm_gpuva_find_first(gpuvm, addr + range - 1, 1);
	unsigned int n = 0;

	if (first && first->va.addr < addr)
		n++;
	if (last && last->va.addr + last->va.range > addr + range)
		n++;
	return n;
}

/* ---- applying steps -------------------------------------------------------------- */

static void link_locked(struct step_ctx *c, struct drm_gpuva *va, struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj = va->gem.obj;

	if (!obj || !vm_bo)
		return;
	/* Immediate mode guards the GEM's list with its gpuva lock. */
	if (c->immediate)
		mutex_lock(&obj->gpuva.lock);
	drm_gpuva_link(va, vm_bo);
	if (c->immediate)
		mutex_unlock(&obj->gpuva.lock);
}

static void unlink_old(struct step_ctx *c, struct drm_gpuva *va)
{
	if (c->immediate)
		drm_gpuva_unlink_defer(va);
	else
		drm_gpuva_unlink(va);
}

static void undo_push(struct step_ctx *c, struct drm_gpuva *va, bool added)
{
	struct lean_va *lva = to_lva(va);

	lva->added = added;
	lva->undo = c->undo;
	c->undo = lva;
}

static int apply_map(struct step_ctx *c, const struct drm_gpuva_op *op)
{
	struct drm_gpuva *va = pool_take(c->pool);

	if (WARN(!va, "driver model: VA pool exhausted"))
		return -ENOMEM;
	drm_gpuva_map(&c->vm->base, va, &op->map);
	link_locked(c, va, c->vm_bo);
	if (c->deferred)
		undo_push(c, va, true);
	return 0;
}

static int apply_remap(struct step_ctx *c, const struct drm_gpuva_op *op)
{
	struct drm_gpuva *old = op->remap.unmap->va;
	struct drm_gpuva *prev = op->remap.prev ? pool_take(c->pool) : NULL;
	struct drm_gpuva *next = op->remap.next ? pool_take(c->pool) : NULL;

	if (WARN((op->remap.prev && !prev) || (op->remap.next && !next),
		 "driver model: VA pool exhausted"))
		return -ENOMEM;
	drm_gpuva_remap(prev, next, &op->remap);
	/* The pieces map what the old VA mapped: invalidated if it was. */
	if (prev)
		drm_gpuva_invalidate(prev, drm_gpuva_invalidated(old));
	if (next)
		drm_gpuva_invalidate(next, drm_gpuva_invalidated(old));
	/* Link the pieces first: the old VA's reference keeps the vm_bo alive. */
	if (prev)
		link_locked(c, prev, old->vm_bo);
	if (next)
		link_locked(c, next, old->vm_bo);
	if (c->deferred) {
		undo_push(c, old, false);
		if (prev)
			undo_push(c, prev, true);
		if (next)
			undo_push(c, next, true);
		return 0;
	}
	unlink_old(c, old);
	kfree(to_lva(old));
	return 0;
}

static int apply_unmap(struct step_ctx *c, const struct drm_gpuva_op *op)
{
	struct drm_gpuva *old = op->unmap.va;

	if (c->immediate) {
		drm_gpuva_unmap(&op->unmap);
		drm_gpuva_unlink_defer(old);
	} else if (c->deferred) {
		drm_gpuva_unmap(&op->unmap);
		undo_push(c, old, false);
		return 0;
	} else {
		drm_gpuva_unlink(old);
		drm_gpuva_unmap(&op->unmap);
	}
	kfree(to_lva(old));
	return 0;
}

static int apply_op(struct step_ctx *c, const struct drm_gpuva_op *op)
{
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		return apply_map(c, op);
	case DRM_GPUVA_OP_REMAP:
		return apply_remap(c, op);
	case DRM_GPUVA_OP_UNMAP:
		return apply_unmap(c, op);
	default:
		return 0;
	}
}

static void apply_ops(struct step_ctx *c, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops)
		emit_op(c->be, op);
	drm_gpuva_for_each_op(op, ops)
		apply_op(c, op);
}

/*
 * Preallocate the VAs an op list needs, then print and apply it; free the
 * list either way. Nothing changes when the preallocation fails.
 */
static int apply_list(struct step_ctx *c, struct drm_gpuva_ops *ops)
{
	struct va_pool pool;
	int ret = pool_fill(&pool, ops_vas_needed(ops));

	if (!ret) {
		c->pool = &pool;
		apply_ops(c, ops);
		pool_drain(&pool);
	}
	drm_gpuva_ops_free(&c->vm->base, ops);
	return ret;
}

/*
 * sm_step callbacks: report the step, then apply it at once. An armed
 * failure and a driver error end the walk: GPUVM must call no further step.
 */
static int step_cb(struct drm_gpuva_op *op, void *priv)
{
	struct step_ctx *c = priv;

	if (WARN(c->error, "GPUVM called sm_step #%u after step #%u failed",
		 c->steps + 1, c->steps))
		return c->error;
	if (++c->steps == c->fail_at)
		return c->error = -EIO;
	emit_op(c->be, op);
	c->error = apply_op(c, op);
	return c->error;
}

/*
 * End a staged callback bind whose drm_gpuvm_sm_map/sm_unmap returned
 * @ret. Success: unlink and free the VAs the steps took out, in step
 * order, as the op-list path does. Failure: undo the steps newest first;
 * the VAs taken out are still linked, so every vm_bo is as it was.
 */
static int finish_steps(struct step_ctx *c, int ret)
{
	struct lean_va *lva, *next, *fifo = NULL;

	WARN(c->error && ret != c->error,
	     "a step failed with %d, but drm_gpuvm_sm_map/sm_unmap returned %d", c->error, ret);
	for (lva = c->undo; lva; lva = next) {
		next = lva->undo;
		if (!ret) {
			lva->undo = fifo;
			fifo = lva;
		} else if (lva->added) {
			drm_gpuva_unlink(&lva->base);
			drm_gpuva_remove(&lva->base);
			kfree(lva);
		} else {
			WARN(drm_gpuva_insert(&c->vm->base, &lva->base),
			     "driver model: cannot put back VA 0x%llx+0x%llx",
			     (unsigned long long)lva->base.va.addr,
			     (unsigned long long)lva->base.va.range);
		}
	}
	for (lva = fifo; lva; lva = next) {
		next = lva->undo;
		if (!lva->added) {
			drm_gpuva_unlink(&lva->base);
			kfree(lva);
		}
	}
	c->undo = NULL;
	return ret;
}

/*
 * Making room as TTM does under memory pressure: evict @bo, under its resv
 * (already held if this exec locked it, else only if a trylock gets it,
 * as TTM evicts only what it can lock) and its gpuva mutex (A2 for the
 * immediate VMs among its vm_bos). Its vm_bo in the VM being validated
 * lands back on the evict list mid-walk.
 */
static void evict_for_room(struct lean_bo *bo)
{
	struct drm_gem_object *obj = &bo->base;
	bool held = dma_resv_held(obj->resv);

	if (!held && !dma_resv_trylock(obj->resv))
		return;
	mutex_lock(&obj->gpuva.lock);
	drm_gpuvm_bo_gem_evict(obj, true);
	mutex_unlock(&obj->gpuva.lock);
	if (!held)
		dma_resv_unlock(obj->resv);
}

/*
 * A TTM validate: move the object back into place and clear its
 * eviction. Under pressure (lean_validate()) the walk's first validation
 * first evicts another object, and the named object cannot be placed.
 */
static int vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	struct lean_bo *bo = to_bo(vm_bo->obj);
	struct lean_vm *vm = to_vm(vm_bo->vm);
	struct lean *be = bo->be;
	struct gvm_event ev = { .kind = GVM_EV_VALIDATED, .id = bo->id };

	(void)exec;
	if (vm->pressure.calls++ == 0 && vm->pressure.evict)
		evict_for_room(vm->pressure.evict);
	if (bo == vm->pressure.fail)
		return -ENOMEM;
	emit(be, &ev);
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
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

static struct drm_gpuvm_bo *vm_bo_create_pinned(struct drm_gpuvm *gpuvm,
						struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo = drm_gpuvm_bo_create(gpuvm, obj);

	if (vm_bo)
		pin(obj, 1);
	return vm_bo;
}

static void vm_bo_free(struct drm_gpuvm_bo *vm_bo)
{
	if (drm_gpuvm_immediate_mode(vm_bo->vm))
		pin(vm_bo->obj, -1);
	kfree(vm_bo);
}

static const struct drm_gpuvm_ops vm_ops = {
	.vm_free = vm_free,
	.vm_bo_free = vm_bo_free,
	.vm_bo_validate = vm_bo_validate,
	.sm_step_map = step_cb,
	.sm_step_remap = step_cb,
	.sm_step_unmap = step_cb,
};

/* ---- helpers for locking ------------------------------------------------------------ */

/* Lock the VM's resv and @obj's (either may be NULL) in one drm_exec. */
static int lock_vm_and(struct drm_exec *exec, struct lean_vm *vm, struct drm_gem_object *obj)
{
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(&vm->base, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		if (obj) {
			ret = drm_exec_lock_obj(exec, obj);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/* All VMs with a vm_bo on @obj must agree with @immediate. */
static bool mode_conflict(struct drm_gem_object *obj, bool immediate)
{
	struct drm_gpuvm_bo *vm_bo;
	bool conflict = false;

	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		if (drm_gpuvm_immediate_mode(vm_bo->vm) != immediate)
			conflict = true;
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	return conflict;
}

/* extobj_add needs the VM's resv when RESV_PROTECTED. */
static void extobj_add(struct lean_vm *vm, struct drm_gpuvm_bo *vm_bo, bool resv_held)
{
	bool lock = drm_gpuvm_resv_protected(&vm->base) && !resv_held;

	if (lock)
		dma_resv_lock(drm_gpuvm_resv(&vm->base), NULL);
	drm_gpuvm_bo_extobj_add(vm_bo);
	if (lock)
		dma_resv_unlock(drm_gpuvm_resv(&vm->base));
}

/*
 * Lock the VM's resv and @obj_resv (the same one for a private object)
 * without drm_exec: no allocation, so it cannot fail. Two reservations
 * need one acquire context, as the kernel's lockdep insists; a simulated
 * contention (-EDEADLK) is backed off from as the ww protocol says.
 */
static void lock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
		       struct dma_resv *obj_resv)
{
	struct dma_resv *a = vm_resv, *b = obj_resv != vm_resv ? obj_resv : NULL;

	ww_acquire_init(ctx, &reservation_ww_class);
	if (dma_resv_lock(a, ctx) == -EDEADLK)
		dma_resv_lock_slow(a, ctx);
	while (b && dma_resv_lock(b, ctx) == -EDEADLK) {
		struct dma_resv *held = b;

		dma_resv_unlock(a);
		dma_resv_lock_slow(held, ctx);
		b = a;
		a = held;
	}
	ww_acquire_done(ctx);
}

static void unlock_resvs(struct ww_acquire_ctx *ctx, struct dma_resv *vm_resv,
			 struct dma_resv *obj_resv)
{
	if (obj_resv != vm_resv)
		dma_resv_unlock(obj_resv);
	dma_resv_unlock(vm_resv);
	ww_acquire_fini(ctx);
}

/* ---- backend calls -------------------------------------------------------------------- */

static int lean_vm_create(struct gvm_backend *gbe, const struct gvm_vm_params *p,
			  struct gvm_be_vm **out)
{
	struct lean *be = to_lean(gbe);
	enum drm_gpuvm_flags flags = 0;
	struct drm_gem_object *r_obj;
	struct lean_vm *vm;
	uint64_t end;

	/* A driver checks the window before drm_gpuvm_init(), which only WARNs. */
	if (__builtin_add_overflow(p->start, p->range, &end) ||
	    __builtin_add_overflow(p->reserve_addr, p->reserve_range, &end))
		return -EINVAL;
	if (p->immediate && !GVM_HAS_IMMEDIATE_MODE)
		return -EOPNOTSUPP;	/* unsupported() refuses it first */
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	r_obj = drm_gpuvm_resv_object_alloc(&be->drm);
	if (!r_obj) {
		kfree(vm);
		return -ENOMEM;
	}
#if GVM_HAS_IMMEDIATE_MODE
	if (p->immediate)
		flags |= DRM_GPUVM_IMMEDIATE_MODE;
#endif
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
		       p->reserve_addr, p->reserve_range, &vm_ops);
	drm_gem_object_put(r_obj);
	list_add_tail(&vm->link, &be->vms);
	be->nvms++;
	*out = (struct gvm_be_vm *)vm;
	return 0;
}

static int lean_bo_create(struct gvm_backend *gbe, uint32_t id, struct gvm_be_vm *priv_vm,
			  struct gvm_be_bo **out)
{
	struct lean *be = to_lean(gbe);
	struct lean_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

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
		bo->r_obj = ((struct lean_vm *)priv_vm)->base.r_obj;
		bo->priv_vm = ((struct lean_vm *)priv_vm)->id;
		drm_gem_object_get(bo->r_obj);
		bo->base.resv = bo->r_obj->resv;
	}
	list_add_tail(&bo->link, &be->bos);
	be->nbos++;
	*out = (struct gvm_be_bo *)bo;
	return 0;
}

/*
 * Lock the VM's resv and every object a bind of @req, or an unbind of
 * [addr, addr + range) when @req is NULL, will touch. @exec is left
 * initialised either way: the caller finishes it.
 */
static int lock_request(struct drm_exec *exec, struct lean_vm *vm,
			struct drm_gpuvm_map_req *req, uint64_t addr, uint64_t range)
{
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(&vm->base, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		if (req)
			ret = drm_gpuvm_sm_map_exec_lock(&vm->base, exec, 1, req);
		else
			ret = drm_gpuvm_sm_unmap_exec_lock(&vm->base, exec, addr, range);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
	}
	return ret;
}

/*
 * The request's vm_bo on a staged VM, with the VM's resv and the object's
 * (A1, A2) held. A driver that preallocates its vm_bos (panthor before
 * immediate mode, vm "prealloc") creates one and hands it to
 * obtain_prealloc, which drops it again if the VM already has one; before
 * 7.0 that is allowed on staged VMs with A2 held (docs/semantics.md).
 * The others obtain_locked.
 */
static struct drm_gpuvm_bo *obtain_staged(struct lean_vm *vm, struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *prealloc;

	if (!GVM_HAS_STAGED_PREALLOC || !vm->prealloc)
		return drm_gpuvm_bo_obtain_locked(&vm->base, obj);
	prealloc = drm_gpuvm_bo_create(&vm->base, obj);
	if (!prealloc)
		return ERR_PTR(-ENOMEM);
	return drm_gpuvm_bo_obtain_prealloc(prealloc);
}

static int staged_map(struct lean *be, struct lean_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret = 0;

	ret = lock_request(&exec, vm, req, 0, 0);
	if (ret)
		goto out;
	if (obj) {
		vm_bo = obtain_staged(vm, obj);
		if (IS_ERR(vm_bo)) {
			ret = PTR_ERR(vm_bo);
			vm_bo = NULL;
			goto out;
		}
	}
	ops = drm_gpuvm_sm_map_ops_create(&vm->base, req);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto put;
	}
	c.vm_bo = vm_bo;
	ret = apply_list(&c, ops);
	/* Only now is the bind sure to happen. */
	if (!ret && vm_bo)
		drm_gpuvm_bo_extobj_add(vm_bo);
put:
	drm_gpuvm_bo_put(vm_bo);	/* the request's reference; VAs hold theirs */
out:
	drm_exec_fini(&exec);
	return ret;
}

/*
 * The same bind through drm_gpuvm_sm_map(): the sm_step callbacks apply
 * each step at once (under the same locks), with VAs preallocated for the
 * pieces that can survive. The twin check compares it with staged_map().
 */
static int staged_map_cb(struct lean *be, struct lean_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct va_pool pool;
	struct drm_exec exec;
	int ret;

	ret = lock_request(&exec, vm, req, 0, 0);
	if (ret)
		goto out;
	ret = pool_fill(&pool, 1 + unmap_vas_needed(&vm->base, req->map.va.addr,
						    req->map.va.range));
	if (ret)
		goto out;
	if (obj) {
		vm_bo = obtain_staged(vm, obj);
		if (IS_ERR(vm_bo)) {
			ret = PTR_ERR(vm_bo);
			pool_drain(&pool);
			goto out;
		}
	}
	c.vm_bo = vm_bo;
	c.pool = &pool;
	c.deferred = true;
	c.fail_at = be->fail_step;
	ret = finish_steps(&c, drm_gpuvm_sm_map(&vm->base, &c, req));
	if (!ret && vm_bo)
		drm_gpuvm_bo_extobj_add(vm_bo);
	pool_drain(&pool);
	drm_gpuvm_bo_put(vm_bo);
out:
	drm_exec_fini(&exec);
	return ret;
}

static int immediate_map(struct lean *be, struct lean_vm *vm, struct drm_gpuvm_map_req *req)
{
	struct drm_gem_object *obj = req->map.gem.obj;
	struct step_ctx c = { .be = be, .vm = vm, .immediate = true };
	struct drm_gpuvm_bo *vm_bo = NULL, *prealloc;
	struct va_pool pool;
	bool cookie;
	int ret;

	/* The ioctl validates and preallocates; run_job cannot fail or allocate. */
	if (!drm_gpuvm_range_valid(&vm->base, req->map.va.addr, req->map.va.range))
		return -EINVAL;
	ret = pool_fill(&pool, 1 + unmap_vas_needed(&vm->base, req->map.va.addr,
						    req->map.va.range));
	if (ret)
		return ret;
	if (obj) {
		prealloc = vm_bo_create_pinned(&vm->base, obj);
		if (!prealloc) {
			pool_drain(&pool);
			return -ENOMEM;
		}
		vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
		extobj_add(vm, vm_bo, false);
	}

	c.vm_bo = vm_bo;
	c.pool = &pool;
	cookie = dma_fence_begin_signalling();
	ret = drm_gpuvm_sm_map(&vm->base, &c, req);
	dma_fence_end_signalling(cookie);

	drm_gpuvm_bo_put_deferred(vm_bo);
	pool_drain(&pool);
	return ret;
}

/*
 * What a bind ioctl refuses before GPUVM builds any op: an empty range
 * (xe refuses it itself, panthor's synchronous VM_BIND ignores it;
 * upstream GPUVM would accept it, README "Differences"), then whatever
 * drm_gpuvm_range_valid() refuses (a range past 2^64, outside the window,
 * over the kernel-reserved node), as nouveau's and imagination's ioctls
 * ask it.
 *
 * A VM created with "empty_ok" has nouveau's ioctl, which asks only
 * drm_gpuvm_range_valid() (panthor's asynchronous VM_BIND asks even
 * less): an empty range reaches GPUVM, where lib/ refuses it and upstream
 * builds a zero-length VA from it (docs/upstream-findings.md 5). With
 * GVM_KNOWN_FINDINGS such VMs refuse it here like the others, so that a
 * fuzzer looks past that finding.
 */
static bool ioctl_refuses(struct lean_vm *vm, uint64_t addr, uint64_t range)
{
	if (!range && (!vm->empty_ok || vm->be->known))
		return true;
	return !drm_gpuvm_range_valid(&vm->base, addr, range);
}

/*
 * Prefetch: GPUVM checks nothing (lib/ the empty and wrapping ranges); the
 * ioctl refuses those two, as xe's does. The window is not checked.
 */
static bool prefetch_refused(uint64_t addr, uint64_t range)
{
	uint64_t end;

	return !range || __builtin_add_overflow(addr, range, &end);
}

static int lean_map(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
		    uint64_t range, struct gvm_be_bo *hbo, uint64_t offset)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct lean_bo *bo = (struct lean_bo *)hbo;
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct drm_gpuvm_map_req req = {
		.map = { .va = { addr, range }, .gem = { offset, bo ? &bo->base : NULL } },
	};

	int ret;

	if (ioctl_refuses(vm, addr, range))
		return -EINVAL;
	if (bo)
		mutex_lock(&bo->bind_lock);
	if (bo && mode_conflict(&bo->base, immediate))
		ret = -EINVAL;
	else if (immediate)
		ret = immediate_map(to_lean(gbe), vm, &req);
	else if (to_lean(gbe)->callbacks || to_lean(gbe)->fail_step)
		ret = staged_map_cb(to_lean(gbe), vm, &req);
	else
		ret = staged_map(to_lean(gbe), vm, &req);
	if (bo)
		mutex_unlock(&bo->bind_lock);
	return ret;
}

/* ---- asynchronous binds: the ioctl queues, run_job applies ---------------------- */

/*
 * A bind of an immediate VM split as panthor and the Rust GPUVM drivers
 * split it: the ioctl checks the range and preallocates what the job will
 * need (VAs for the worst case: a map's new VA and two remap pieces, an
 * unmap's two pieces; for a map of an object its vm_bo, obtained, so the
 * object is bound to the VM from then on), then queues it; run_job
 * applies it in the fence-signalling path, where nothing may allocate or
 * fail, and drops the job's vm_bo reference deferred.
 */
struct lean_job {
	struct list_head link;		/* in lean_vm.jobs */
	const void *tag;		/* the caller's, returned by job_run() */
	bool unmap;
	uint64_t addr, range, offset;
	struct drm_gpuvm_bo *vm_bo;	/* map of an object: the job's reference */
	struct va_pool pool;
};

static int lean_job_queue(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
			  const struct gvm_job_req *req)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct lean_bo *bo = (struct lean_bo *)req->bo;
	struct lean_job *job;
	int ret;

	(void)gbe;
	if (!drm_gpuvm_immediate_mode(&vm->base) || ioctl_refuses(vm, req->addr, req->range))
		return -EINVAL;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	ret = pool_fill(&job->pool, req->unmap ? 2 : 3);
	if (ret)
		goto free_job;
	if (bo) {
		struct drm_gpuvm_bo *prealloc = NULL;

		mutex_lock(&bo->bind_lock);
		if (mode_conflict(&bo->base, true))
			ret = -EINVAL;
		else if (!(prealloc = vm_bo_create_pinned(&vm->base, &bo->base)))
			ret = -ENOMEM;
		if (prealloc) {
			job->vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
			extobj_add(vm, job->vm_bo, false);
		}
		mutex_unlock(&bo->bind_lock);
		if (ret)
			goto drain;
	}
	job->tag = req->tag;
	job->unmap = req->unmap;
	job->addr = req->addr;
	job->range = req->range;
	job->offset = req->offset;
	drm_gpuvm_get(&vm->base);	/* the job's, until it is freed */
	spin_lock(&vm->job_lock);
	list_add_tail(&job->link, &vm->jobs);
	vm->jobs_inflight++;
	spin_unlock(&vm->job_lock);
	return 0;

drain:
	pool_drain(&job->pool);
free_job:
	kfree(job);
	return ret;
}

static bool lean_job_pending(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	return !list_empty(&((struct lean_vm *)hvm)->jobs);
}

static const void *lean_job_run(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct step_ctx c = { .be = to_lean(gbe), .vm = vm, .immediate = true };
	struct lean_job *job;
	const void *tag;
	bool cookie;
	int ret;

	spin_lock(&vm->job_lock);
	job = list_first_entry_or_null(&vm->jobs, struct lean_job, link);
	if (job)
		list_del(&job->link);
	spin_unlock(&vm->job_lock);
	if (!job)
		return NULL;
	c.vm_bo = job->vm_bo;
	c.pool = &job->pool;
	cookie = dma_fence_begin_signalling();
	if (job->unmap) {
		ret = drm_gpuvm_sm_unmap(&vm->base, &c, job->addr, job->range);
	} else {
		struct drm_gpuvm_map_req req = {
			.map = { .va = { job->addr, job->range },
				 .gem = { job->offset, job->vm_bo ? job->vm_bo->obj : NULL } },
		};

		ret = drm_gpuvm_sm_map(&vm->base, &c, &req);
	}
	WARN(ret, "driver model: run_job's drm_gpuvm_sm_%s failed (%d), with all it needs preallocated",
	     job->unmap ? "unmap" : "map", ret);
	/* free_job: may be the last reference, in the signalling path. */
	drm_gpuvm_bo_put_deferred(job->vm_bo);
	dma_fence_end_signalling(cookie);
	pool_drain(&job->pool);
	tag = job->tag;
	kfree(job);
	spin_lock(&vm->job_lock);
	vm->jobs_inflight--;
	spin_unlock(&vm->job_lock);
	drm_gpuvm_put(&vm->base);	/* the job's */
	return tag;
}

static int staged_unmap(struct lean *be, struct lean_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret = 0;

	ret = lock_request(&exec, vm, NULL, addr, range);
	if (ret)
		goto out;
	ops = drm_gpuvm_sm_unmap_ops_create(&vm->base, addr, range);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto out;
	}
	ret = apply_list(&c, ops);
out:
	drm_exec_fini(&exec);
	return ret;
}

/* The same unbind through drm_gpuvm_sm_unmap() and its callbacks. */
static int staged_unmap_cb(struct lean *be, struct lean_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct va_pool pool;
	struct drm_exec exec;
	int ret;

	ret = lock_request(&exec, vm, NULL, addr, range);
	if (!ret)
		ret = pool_fill(&pool, unmap_vas_needed(&vm->base, addr, range));
	if (!ret) {
		c.pool = &pool;
		c.deferred = true;
		c.fail_at = be->fail_step;
		ret = finish_steps(&c, drm_gpuvm_sm_unmap(&vm->base, &c, addr, range));
		pool_drain(&pool);
	}
	drm_exec_fini(&exec);
	return ret;
}

static int immediate_unmap(struct lean *be, struct lean_vm *vm, uint64_t addr, uint64_t range)
{
	struct step_ctx c = { .be = be, .vm = vm, .immediate = true };
	struct va_pool pool;
	bool cookie;
	int ret;

	if (!drm_gpuvm_range_valid(&vm->base, addr, range))
		return -EINVAL;
	ret = pool_fill(&pool, unmap_vas_needed(&vm->base, addr, range));
	if (ret)
		return ret;
	c.pool = &pool;
	cookie = dma_fence_begin_signalling();
	ret = drm_gpuvm_sm_unmap(&vm->base, &c, addr, range);
	dma_fence_end_signalling(cookie);
	pool_drain(&pool);
	return ret;
}

static int vm_unmap(struct lean *be, struct lean_vm *vm, uint64_t addr, uint64_t range)
{
	if (drm_gpuvm_immediate_mode(&vm->base))
		return immediate_unmap(be, vm, addr, range);
	if (be->callbacks || be->fail_step)
		return staged_unmap_cb(be, vm, addr, range);
	return staged_unmap(be, vm, addr, range);
}

static int lean_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
		      uint64_t range)
{
	if (ioctl_refuses((struct lean_vm *)hvm, addr, range))
		return -EINVAL;
	return vm_unmap(to_lean(gbe), (struct lean_vm *)hvm, addr, range);
}

/* madvise only splits VAs without objects: nothing to link or lock but the VM. */
static int lean_madvise(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
			uint64_t range)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct step_ctx c = { .be = to_lean(gbe), .vm = vm };
	struct drm_gpuvm_map_req req = { .map = { .va = { addr, range } } };
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	if (ioctl_refuses(vm, addr, range))
		return -EINVAL;
	ret = lock_vm_and(&exec, vm, NULL);
	if (ret)
		return ret;
	ops = drm_gpuvm_madvise_ops_create(&vm->base, &req);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto out;
	}
	ret = apply_list(&c, ops);
out:
	drm_exec_fini(&exec);
	return ret;
}

static int lean_prefetch(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
			 uint64_t range)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	if (prefetch_refused(addr, range))
		return -EINVAL;
	ops = drm_gpuvm_prefetch_ops_create(&vm->base, addr, range);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	drm_gpuva_for_each_op(op, ops)
		emit_op(to_lean(gbe), op);
	drm_gpuva_ops_free(&vm->base, ops);
	return 0;
}

static int staged_bo_unmap(struct lean *be, struct lean_vm *vm, struct lean_bo *bo)
{
	struct step_ctx c = { .be = be, .vm = vm };
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	ret = lock_vm_and(&exec, vm, &bo->base);
	if (ret)
		return ret;
	vm_bo = drm_gpuvm_bo_find(&vm->base, &bo->base);
	if (!vm_bo)
		goto out;
	ops = drm_gpuvm_bo_unmap_ops_create(vm_bo);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
	} else {
		apply_ops(&c, ops);
		drm_gpuva_ops_free(&vm->base, ops);
	}
	drm_gpuvm_bo_put(vm_bo);
out:
	drm_exec_fini(&exec);
	return ret;
}

static void unmap_exact(struct lean *be, struct lean_vm *vm, struct drm_gpuva *va);

/*
 * bo_unmap_ops_create() allocates under the gpuva lock, which immediate
 * mode forbids; unmap the vm_bo's VAs one by one instead, in link order.
 * Exact ranges need no preallocation, so this cannot fail halfway.
 */
static int immediate_bo_unmap(struct lean *be, struct lean_vm *vm, struct lean_bo *bo)
{
	struct drm_gem_object *obj = &bo->base;

	for (;;) {
		struct drm_gpuvm_bo *vm_bo;
		struct drm_gpuva *va;
		uint64_t addr = 0, range = 0;

		mutex_lock(&obj->gpuva.lock);
		vm_bo = drm_gpuvm_bo_find(&vm->base, obj);
		va = vm_bo ? list_first_entry_or_null(&vm_bo->list.gpuva, struct drm_gpuva,
						      gem.entry) : NULL;
		if (va) {
			addr = va->va.addr;
			range = va->va.range;
		}
		mutex_unlock(&obj->gpuva.lock);
		/* A zero-length VA is out of reach of its own range (see unmap_exact()). */
		if (va && range)
			immediate_unmap(be, vm, addr, range);
		else if (va)
			unmap_exact(be, vm, va);
		drm_gpuvm_bo_put_deferred(vm_bo);
		if (!va)
			return 0;
	}
}

static int lean_bo_unmap(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct lean_bo *bo = (struct lean_bo *)hbo;

	if (drm_gpuvm_immediate_mode(&vm->base))
		return immediate_bo_unmap(to_lean(gbe), vm, bo);
	return staged_bo_unmap(to_lean(gbe), vm, bo);
}

static int lean_obtain(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct lean_bo *bo = (struct lean_bo *)hbo;
	struct lean_held *held = &vm->held[bo->id];
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_exec exec;
	int ret;

	(void)gbe;
	mutex_lock(&bo->bind_lock);
	if (mode_conflict(&bo->base, immediate)) {
		ret = -EINVAL;
		goto out;
	}
	if (immediate) {
		struct drm_gpuvm_bo *prealloc = vm_bo_create_pinned(&vm->base, &bo->base);

		ret = -ENOMEM;
		if (!prealloc)
			goto out;
		vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
		extobj_add(vm, vm_bo, false);
	} else {
		ret = lock_vm_and(&exec, vm, &bo->base);
		if (ret)
			goto out;
		vm_bo = obtain_staged(vm, &bo->base);
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
static void put_held(struct lean_vm *vm, struct lean_held *held)
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
	lock_resvs(&ctx, vm_resv, obj->resv);
	drm_gpuvm_bo_put(vm_bo);
	unlock_resvs(&ctx, vm_resv, obj->resv);
	drm_gem_object_put(obj);
}

static int lean_put(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *hbo)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct lean_held *held = &vm->held[((struct lean_bo *)hbo)->id];

	(void)gbe;
	if (!held->count)
		return -ENOENT;
	put_held(vm, held);
	return 0;
}

static void lean_bo_close(struct gvm_backend *gbe, struct gvm_be_bo *hbo)
{
	struct lean_bo *bo = (struct lean_bo *)hbo;

	(void)gbe;
	if (WARN(!bo->handle, "driver model: bo%u closed twice", bo->id))
		return;
	bo->handle = false;
	drm_gem_object_put(&bo->base);
}

static int lean_evict(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool evict)
{
	struct drm_gem_object *obj = &((struct lean_bo *)hbo)->base;

	(void)gbe;
	/* A3, and A2 for every VM: the resv, then (immediate VMs) the gpuva lock. */
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gpuvm_bo_gem_evict(obj, evict);
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
	return 0;
}

/*
 * Lock what drm_gpuvm_exec_lock(), _lock_array(@objs) or, with @by_range,
 * _lock_range() would, in the driver's own drm_exec loop through the
 * exported prepare helpers, as xe and panthor do. @exec is finished on
 * error.
 */
static int own_lock(struct drm_exec *exec, struct drm_gpuvm *gpuvm, bool by_range,
		    uint64_t addr, uint64_t range, struct drm_gem_object **objs, unsigned int n,
		    unsigned int num_fences)
{
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		if (by_range) {
			/* As exec_lock_range: what is mapped there, not the VM. */
			ret = drm_gpuvm_prepare_range(gpuvm, exec, addr, range, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		} else {
			ret = drm_gpuvm_prepare_vm(gpuvm, exec, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
			ret = drm_gpuvm_prepare_objects(gpuvm, exec, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
			if (n)
				ret = drm_exec_prepare_array(exec, objs, n, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/* @own: the driver's own drm_exec loop and the bare helpers (xe), else the exec wrappers. */
static int lean_validate(struct gvm_backend *gbe, struct gvm_be_vm *hvm, struct gvm_be_bo *fail,
			 struct gvm_be_bo *evict, bool own)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->base,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = 1,
	};
	struct drm_exec *exec = &vm_exec.exec;
	struct dma_fence *fence;
	int ret;

	(void)gbe;
	if (own)
		ret = own_lock(exec, &vm->base, false, 0, 0, NULL, 0, 1);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		return ret;
	vm->pressure.fail = (struct lean_bo *)fail;
	vm->pressure.evict = (struct lean_bo *)evict;
	vm->pressure.calls = 0;
	if (own)
		ret = drm_gpuvm_validate(&vm->base, exec);
	else
		ret = drm_gpuvm_exec_validate(&vm_exec);
	vm->pressure.fail = vm->pressure.evict = NULL;
	/* A job's fence on everything locked, as a submit would add. */
	fence = ret ? NULL : kzalloc(sizeof(*fence), GFP_KERNEL);
	if (fence) {
		dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
		if (own)
			drm_gpuvm_resv_add_fence(&vm->base, exec, fence, DMA_RESV_USAGE_BOOKKEEP,
						 DMA_RESV_USAGE_BOOKKEEP);
		else
			drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, DMA_RESV_USAGE_BOOKKEEP,
						      DMA_RESV_USAGE_BOOKKEEP);
		dma_fence_put(fence);
	}
	drm_exec_fini(exec);
	return ret;
}

static void lean_cleanup(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct drm_gpuvm *gpuvm = &((struct lean_vm *)hvm)->base;

	(void)gbe;
	/* Zombies hold VM references: keep our own across their release. */
	drm_gpuvm_get(gpuvm);
	drm_gpuvm_bo_deferred_cleanup(gpuvm);
	drm_gpuvm_put(gpuvm);
}

/* ---- lookups, submit locking, invalidation ---------------------------------------------- */

/*
 * A range a driver refuses before it looks anything up or locks for it:
 * empty, or ending past 2^64. lib/ and upstream answer such probes
 * differently (README "Differences"), and no driver asks them.
 */
static bool bad_probe(uint64_t addr, uint64_t range)
{
	uint64_t end;

	return !range || __builtin_add_overflow(addr, range, &end);
}

static struct gvm_found found(struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	struct gvm_found f = { .found = va != NULL };

	if (va) {
		f.kernel = va == &gpuvm->kernel_alloc_node;
		f.va = va_map(va);
	}
	return f;
}

static int lean_lookup(struct gvm_backend *gbe, struct gvm_be_vm *hvm, uint64_t addr,
		       uint64_t range, struct gvm_lookup *out)
{
	struct lean *be = to_lean(gbe);
	struct drm_gpuvm *gpuvm = &((struct lean_vm *)hvm)->base;
	struct dma_resv *resv = drm_gpuvm_resv(gpuvm);
	struct drm_gpuva *prev, *next;

	if (bad_probe(addr, range))
		return -EINVAL;
	/* The tree changes under the VM's resv (and its callbacks): read under it too. */
	dma_resv_lock(resv, NULL);
	out->find = found(gpuvm, drm_gpuva_find(gpuvm, addr, range));
	out->first = found(gpuvm, drm_gpuva_find_first(gpuvm, addr, range));
	prev = drm_gpuva_find_prev(gpuvm, addr);
	next = drm_gpuva_find_next(gpuvm, addr + range);
	out->empty = drm_gpuvm_interval_empty(gpuvm, addr, range);
	dma_resv_unlock(resv);
	/*
	 * docs/upstream-findings.md 3: upstream's find_prev(start) may return
	 * the VA at start, find_next(end) one at end + 1. The documented
	 * answer covers start - 1 (end): anything else means none.
	 */
	if (be->known && prev && prev->va.addr >= addr)
		prev = NULL;
	if (be->known && next && next->va.addr > addr + range)
		next = NULL;
	out->prev = found(gpuvm, prev);
	out->next = found(gpuvm, next);
	return 0;
}

/* Bit V or B of @out for the reservation @obj was locked through. */
static void note_locked(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj,
			struct dma_fence *fence, struct gvm_locked *out)
{
	int usage = fence ? dma_resv_fence_usage(obj->resv, fence) : -1;
	struct lean_bo *bo;

	if (obj == gpuvm->r_obj) {
		out->vms |= UINT64_C(1) << to_vm(gpuvm)->id;
		out->vm_usage[to_vm(gpuvm)->id] = (int8_t)usage;
		return;
	}
	bo = to_bo(obj);
	if (bo->r_obj) {
		out->vms |= UINT64_C(1) << bo->priv_vm;
		out->vm_usage[bo->priv_vm] = (int8_t)usage;
	} else {
		out->bos |= UINT64_C(1) << bo->id;
		out->bo_usage[bo->id] = (int8_t)usage;
	}
}

/*
 * A submit's locking: the VM and its external objects (drm_gpuvm_exec_lock),
 * plus an array of objects (exec_lock_array, as a job's BO list), or the VM
 * and what is mapped in a range (exec_lock_range); then the job's fence on
 * everything locked, with the usages the driver passes.
 */
static int lean_lock(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
		     const struct gvm_lock_req *req, struct gvm_locked *out)
{
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->base,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = req->priv_usage >= 0 ? 1 : 0,
	};
	struct drm_gem_object *objs[GVM_MAX_ID];
	struct dma_fence *fence = NULL;
	struct drm_exec *exec = &vm_exec.exec;
	unsigned int n = 0, i;
	int ret;

	(void)gbe;
	if (req->by_range && bad_probe(req->addr, req->range))
		return -EINVAL;
	if (req->priv_usage >= 0) {
		/* Allocated first: nothing can fail once the locks are held. */
		fence = kzalloc(sizeof(*fence), GFP_KERNEL);
		if (!fence)
			return -ENOMEM;
		dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
	}
	for (i = 0; i < GVM_MAX_ID; i++)
		if (req->objs & (UINT64_C(1) << i))
			objs[n++] = &((struct lean_bo *)req->bos[i])->base;
	if (req->own)
		ret = own_lock(exec, &vm->base, req->by_range, req->addr, req->range, objs, n,
			       vm_exec.num_fences);
	else if (n)
		ret = drm_gpuvm_exec_lock_array(&vm_exec, objs, n);
	else if (req->by_range)
		ret = drm_gpuvm_exec_lock_range(&vm_exec, req->addr, req->range);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		goto out;
	if (fence && req->own)
		drm_gpuvm_resv_add_fence(&vm->base, exec, fence,
					 (enum dma_resv_usage)req->priv_usage,
					 (enum dma_resv_usage)req->ext_usage);
	else if (fence)
		drm_gpuvm_exec_resv_add_fence(&vm_exec, fence,
					      (enum dma_resv_usage)req->priv_usage,
					      (enum dma_resv_usage)req->ext_usage);
	memset(out, 0, sizeof(*out));
	memset(out->vm_usage, -1, sizeof(out->vm_usage));
	memset(out->bo_usage, -1, sizeof(out->bo_usage));
	for (i = 0; i < exec->num_objects; i++)
		note_locked(&vm->base, exec->objects[i], fence, out);
	drm_exec_fini(exec);
out:
	if (fence) {
		/* The job ran: the next fence of any context may take its slot. */
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
	return ret;
}

/*
 * A move notification: the object's backing changed, so every VA of it,
 * in every VM, is (or is no longer) invalidated, as nouveau's move hook
 * marks them, under the object's resv and its gpuva lock.
 */
static void lean_invalidate(struct gvm_backend *gbe, struct gvm_be_bo *hbo, bool invalidate)
{
	struct drm_gem_object *obj = &((struct lean_bo *)hbo)->base;
	/* Named vm_bo: upstream's drm_gpuvm_bo_for_each_va() needs it (findings 4). */
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	(void)gbe;
	dma_resv_lock(obj->resv, NULL);
	mutex_lock(&obj->gpuva.lock);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		drm_gpuvm_bo_for_each_va(va, vm_bo)
			drm_gpuva_invalidate(va, invalidate);
	mutex_unlock(&obj->gpuva.lock);
	dma_resv_unlock(obj->resv);
}

static void lean_fail_step(struct gvm_backend *gbe, unsigned int nth)
{
	to_lean(gbe)->fail_step = nth;
}

/*
 * Unmap one VA by its exact range: no surviving pieces, no allocation.
 * A zero-length VA (upstream's, docs/upstream-findings.md 5) is out of
 * reach of an unmap of its own range, which probes [addr, addr - 1]: the
 * driver takes it out itself, with the UNMAP step GPUVM would have made,
 * as nouveau's VM teardown takes out every VA.
 */
static void unmap_exact(struct lean *be, struct lean_vm *vm, struct drm_gpuva *va)
{
	bool immediate = drm_gpuvm_immediate_mode(&vm->base);
	struct step_ctx c = { .be = be, .vm = vm, .immediate = immediate };
	struct drm_gem_object *obj = va->gem.obj;
	struct dma_resv *vm_resv = drm_gpuvm_resv(&vm->base);
	struct dma_resv *obj_resv = obj ? obj->resv : vm_resv;
	struct va_pool pool = { .n = 0 };
	struct ww_acquire_ctx ctx;
	bool cookie = false;

	c.pool = &pool;
	if (immediate) {
		cookie = dma_fence_begin_signalling();
	} else {
		/* Unlinking may free the object, and its resv with it: hold it. */
		if (obj)
			drm_gem_object_get(obj);
		lock_resvs(&ctx, vm_resv, obj_resv);
	}
	if (va->va.range) {
		drm_gpuvm_sm_unmap(&vm->base, &c, va->va.addr, va->va.range);
	} else {
		struct drm_gpuva_op op = { .op = DRM_GPUVA_OP_UNMAP, .unmap.va = va };

		apply_unmap(&c, &op);
	}
	if (immediate) {
		dma_fence_end_signalling(cookie);
	} else {
		unlock_resvs(&ctx, vm_resv, obj_resv);
		drm_gem_object_put(obj);
	}
}

/* The VM's first VA in address order, the kernel-reserved node aside. */
static struct drm_gpuva *first_mapping(struct drm_gpuvm *gpuvm)
{
	struct drm_gpuva *va;

	drm_gpuvm_for_each_va(va, gpuvm)
		if (va != &gpuvm->kernel_alloc_node)
			return va;
	return NULL;
}

static void lean_vm_destroy(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	struct lean *be = to_lean(gbe);
	struct lean_vm *vm = (struct lean_vm *)hvm;
	struct drm_gpuvm *gpuvm = &vm->base;
	struct drm_gpuva *va;
	unsigned int i;

	vm->dead = true;	/* under vm->lock: commands that looked it up stop */
	drm_gpuvm_get(gpuvm);
	/*
	 * From the first VA each time: one exact unmap can take out more than
	 * its VA (zero-length ones at its address, docs/upstream-findings.md 5).
	 */
	while ((va = first_mapping(gpuvm)))
		unmap_exact(be, vm, va);
	for (i = 0; i < GVM_MAX_ID; i++)
		while (vm->held[i].count)
			put_held(vm, &vm->held[i]);
	drm_gpuvm_bo_deferred_cleanup(gpuvm);
	vm->open = false;
	drm_gpuvm_put(gpuvm);	/* the caller's */
	drm_gpuvm_put(gpuvm);	/* ours, taken above */
}

/*
 * Snapshots and checks are the harness looking at lib/, not the driver
 * model driving it: no coverage feedback from them (it only slows each
 * fuzzed command and feeds the fuzzer features unrelated to GPUVM).
 */
#ifdef __clang__
#define NO_COVERAGE	__attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

#if GVM_HAS_DEFERRED_CLEANUP
/* Sort a few ids in place (n is at most a few dozen): no qsort callbacks. */
static NO_COVERAGE void sort_ids(uint32_t *id, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t v = id[i];

		for (j = i; j && id[j - 1] > v; j--)
			id[j] = id[j - 1];
		id[j] = v;
	}
}
#endif

static NO_COVERAGE void sort_vm_bos(struct gvm_vm_bo_state *s, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct gvm_vm_bo_state v = s[i];

		for (j = i; j && s[j - 1].bo > v.bo; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
}

/* Make room for @n entries of @size bytes in *@buf; -ENOMEM on failure. */
static NO_COVERAGE int reserve(void **buf, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n <= *cap)
		return 0;
	n = n < 16 ? 16 : 2 * n;
	p = realloc(*buf, n * size);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Zombies of @gpuvm by object id; none before deferred cleanup existed. */
static NO_COVERAGE int snapshot_zombies(struct lean *be, struct drm_gpuvm *gpuvm,
					struct gvm_snapshot *out)
{
	size_t n = 0;
#if GVM_HAS_DEFERRED_CLEANUP
	struct drm_gpuvm_bo *vm_bo;
	struct llist_node *node;

	for (node = gpuvm->bo_defer.first; node; node = node->next) {
		if (reserve((void **)&be->zombies, &be->zombies_cap, n + 1,
			    sizeof(*be->zombies)))
			return -ENOMEM;
		vm_bo = container_of(node, struct drm_gpuvm_bo, list.entry.bo_defer);
		be->zombies[n++] = to_bo(vm_bo->obj)->id;
	}
	sort_ids(be->zombies, n);
#else
	(void)gpuvm;
#endif
	out->zombies = be->zombies;
	out->nzombies = n;
	return 0;
}

static NO_COVERAGE int lean_snapshot(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
				     struct gvm_snapshot *out)
{
	struct lean *be = to_lean(gbe);
	struct drm_gpuvm *gpuvm = &((struct lean_vm *)hvm)->base;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;
	struct lean_bo *bo;
	size_t n = 0;

	/* Read at a quiescent point: no lock needed, none taken. */
	drm_gpuvm_for_each_va(va, gpuvm) {
		if (va == &gpuvm->kernel_alloc_node)
			continue;
		if (reserve((void **)&be->vas, &be->vas_cap, n + 1, sizeof(*be->vas)))
			return -ENOMEM;
		be->vas[n] = va_map(va);
		be->vas[n++].invalidated = drm_gpuva_invalidated(va);
	}
	out->vas = be->vas;
	out->nvas = n;

	n = 0;
	list_for_each_entry(bo, &be->bos, link) {
		drm_gem_for_each_gpuvm_bo(vm_bo, &bo->base) {
			struct gvm_vm_bo_state *s;

			/* More than one per object is a uniqueness bug; the rest is kept. */
			if (vm_bo->vm != gpuvm || n == ARRAY_SIZE(be->vm_bos))
				continue;
			s = &be->vm_bos[n++];
			s->bo = bo->id;
			s->refs = kref_read(&vm_bo->kref);
			s->vas = (unsigned int)list_count_nodes(&vm_bo->list.gpuva);
			s->extobj = !list_empty(&vm_bo->list.entry.extobj);
			s->evict = !list_empty(&vm_bo->list.entry.evict);
			s->evicted = vm_bo->evicted;
		}
	}
	sort_vm_bos(be->vm_bos, n);
	out->vm_bos = be->vm_bos;
	out->nvm_bos = n;

	return snapshot_zombies(be, gpuvm, out);
}

static NO_COVERAGE bool lean_check(struct gvm_backend *gbe, char *msg, size_t len)
{
	struct lean *be = to_lean(gbe);
	/* Ids are below GVM_MAX_ID, so there are no more of either. */
	struct drm_gem_object *objs[GVM_MAX_ID];
	struct drm_gpuvm *vms[GVM_MAX_ID];
	unsigned int nobjs = 0, nvms = 0;
	struct lean_vm *vm;
	struct lean_bo *bo;

	list_for_each_entry(bo, &be->bos, link)
		if (nobjs < ARRAY_SIZE(objs))
			objs[nobjs++] = &bo->base;
	list_for_each_entry(vm, &be->vms, link)
		if (nvms < ARRAY_SIZE(vms))
			vms[nvms++] = &vm->base;

	list_for_each_entry(vm, &be->vms, link) {
		if (!drm_gpuvm_check(&vm->base, msg, len) ||
		    !drm_gpuvm_check_vm_refs(&vm->base, vm->open, objs, nobjs, msg, len))
			return false;
		/* Only objects that exist can have held vm_bos. */
		list_for_each_entry(bo, &be->bos, link) {
			struct lean_held *held = &vm->held[bo->id];

			if (held->count &&
			    !drm_gpuvm_check_vm_bo_refs(held->vm_bo, held->count, msg, len))
				return false;
		}
	}
	list_for_each_entry(bo, &be->bos, link) {
		if (!drm_gpuvm_check_gem(&bo->base, msg, len) ||
		    !drm_gpuvm_check_gem_refs(&bo->base, bo->handle, vms, nvms, msg, len))
			return false;
	}
	/* Ours, and one per VM not yet freed (drm_gpuvm_init() takes it). */
	if (be->drm_released || kref_read(&be->drm.ref) != 1 + be->nvms) {
		snprintf(msg, len, "drm_device: %u reference(s), expected %zu (ours and one per VM)%s",
			 be->drm_released ? 0 : kref_read(&be->drm.ref), 1 + be->nvms,
			 be->drm_released ? ": released while the driver holds it" : "");
		return false;
	}
	return true;
}

static void lean_live(struct gvm_backend *gbe, size_t *bos, size_t *vms)
{
	*bos = to_lean(gbe)->nbos;
	*vms = to_lean(gbe)->nvms;
}

static const char *lean_take_warning(struct gvm_backend *gbe)
{
	static char last[sizeof(warning)];

	(void)gbe;
	if (!warning[0])
		return NULL;
	memcpy(last, warning, sizeof(last));
	warning[0] = '\0';
	return last;
}

static void lean_destroy(struct gvm_backend *gbe)
{
	struct lean *be = to_lean(gbe);

	/*
	 * Our reference, the last one unless a VM leaked or the device was
	 * put once too often (check() reports both): then leave it alone.
	 */
	if (!be->drm_released && kref_read(&be->drm.ref) == 1)
		drm_dev_put(&be->drm);
	free(be->vas);
	free(be->zombies);
	mutex_destroy(&be->handles);
	if (--backends == 0)
		kcompat_warn_set_hook(NULL);
	free(be);
}

static void lean_alloc_fail_nth(struct gvm_backend *gbe, unsigned long nth)
{
	(void)gbe;
	kcompat_alloc_fail_nth(nth);
}

static size_t lean_alloc_live(struct gvm_backend *gbe)
{
	(void)gbe;
	return kcompat_alloc_stats().live;
}

/* Commands this build of GPUVM cannot run, and why. */
static const char *lean_unsupported(struct gvm_backend *gbe, const struct gvm_cmd *c)
{
	(void)gbe;
	if (!GVM_HAS_IMMEDIATE_MODE && c->kind == GVM_CMD_VM && (c->flags & GVM_F_IMMEDIATE))
		return "immediate mode (DRM_GPUVM_IMMEDIATE_MODE) with deferred vm_bo cleanup"
		       " needs Linux 6.19+" DRIVER_ORIGIN;
	if (!GVM_HAS_STAGED_PREALLOC && c->kind == GVM_CMD_VM && (c->flags & GVM_F_PREALLOC))
		return "prealloc on a staged VM (drm_gpuvm_bo_obtain_prealloc outside immediate"
		       " mode) is refused since Linux 7.0" DRIVER_ORIGIN;
	if (!GVM_HAS_MADVISE && c->kind == GVM_CMD_MADVISE)
		return "madvise (drm_gpuvm_madvise_ops_create) needs Linux 6.18+" DRIVER_ORIGIN;
	return NULL;
}

static const struct gvm_backend_ops lean_ops = {
	.job_queue = lean_job_queue,
	.job_pending = lean_job_pending,
	.job_run = lean_job_run,
	.name = DRIVER_NAME,
	.vm_create = lean_vm_create,
	.bo_create = lean_bo_create,
	.map = lean_map,
	.unmap = lean_unmap,
	.madvise = lean_madvise,
	.prefetch = lean_prefetch,
	.bo_unmap = lean_bo_unmap,
	.obtain = lean_obtain,
	.put = lean_put,
	.bo_close = lean_bo_close,
	.evict = lean_evict,
	.validate = lean_validate,
	.cleanup = lean_cleanup,
	.lookup = lean_lookup,
	.lock = lean_lock,
	.invalidate = lean_invalidate,
	.fail_step = lean_fail_step,
	.vm_destroy = lean_vm_destroy,
	.snapshot = lean_snapshot,
	.check = lean_check,
	.live = lean_live,
	.take_warning = lean_take_warning,
	.destroy = lean_destroy,
	.alloc_fail_nth = lean_alloc_fail_nth,
	.alloc_live = lean_alloc_live,
	.unsupported = lean_unsupported,
	.threads = &DRIVER_THREADS_OPS,
};

static void drm_release(struct drm_device *drm)
{
	container_of(drm, struct lean, drm)->drm_released = true;
}

static const struct drm_driver drm_driver = {
	.name = "gvm-" DRIVER_NAME,
	.release = drm_release,
};

struct gvm_backend *DRIVER_CREATE(const struct gvm_sink *sink, unsigned int flags)
{
	/* Harness memory: plain malloc, outside lib/'s accounting. */
	struct lean *be = calloc(1, sizeof(*be));

	if (!be)
		return NULL;
	be->base.ops = &lean_ops;
	be->base.sink = *sink;
	be->callbacks = flags & GVM_LEAN_CALLBACKS;
	be->known = flags & GVM_KNOWN_FINDINGS;
	INIT_LIST_HEAD(&be->vms);
	INIT_LIST_HEAD(&be->bos);
	mutex_init(&be->handles);
	drm_dev_init(&be->drm, &drm_driver, NULL);
	/*
	 * The first backend starts a run (a script, a fuzz input): a fresh
	 * lockdep graph, so that a report replays from that run alone. A
	 * twin made later shares the run, and the graph.
	 */
	if (backends++ == 0) {
		warning[0] = '\0';
		kcompat_warn_set_hook(warn_hook);
		kcompat_warn_set_quiet(true);
		kcompat_lockdep_reset();
	}
	return &be->base;
}
