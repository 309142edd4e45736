// SPDX-License-Identifier: MIT
/*
 * Applying a bind's steps, shared by the ioctl and run_job: VA pools
 * filled before the first change, op lists applied in one go, and the
 * sm_step callbacks that apply each step at once.
 *
 * Staged: new pieces are linked before the old VA is unlinked, so the
 * vm_bo stays alive. Immediate: steps link under the GEM's gpuva lock and
 * unlink with drm_gpuva_unlink_defer; zombies go only in the cleanup
 * worker and destroy. Staged callback binds (the twin, "inject step")
 * change the tree at once but keep the VAs they take out linked until the
 * call returns, then unlink them, or put them back if a step failed (as
 * xe unwinds a failed bind).
 */
#include "driver_model.h"

static struct gvm_map op_map(const struct drm_gpuva_op_map *m)
{
	return (struct gvm_map){ .addr = m->va.addr, .range = m->va.range,
				 .bo = bo_id(m->gem.obj), .offset = m->gem.offset };
}

void drv_emit_op(struct drv *be, const struct drm_gpuva_op *op)
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

void drv_pool_drain(struct va_pool *pool)
{
	while (pool->n)
		kfree(to_dva(pool->va[--pool->n]));
}

int drv_pool_fill(struct va_pool *pool, unsigned int n)
{
	pool->n = 0;
	while (pool->n < n) {
		struct drv_va *lva = kzalloc(sizeof(*lva), GFP_KERNEL);

		if (!lva) {
			drv_pool_drain(pool);
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
unsigned int drv_unmap_vas_needed(struct drm_gpuvm *gpuvm, uint64_t addr, uint64_t range)
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
	struct drv_va *lva = to_dva(va);

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

/* A VA the steps took out: freed, or kept for the staged job that reads it. */
static void va_done(struct step_ctx *c, struct drm_gpuva *va)
{
	struct drv_va *dva = to_dva(va);

	if (!c->retire) {
		kfree(dva);
		return;
	}
	dva->undo = c->retired;
	c->retired = dva;
}

/*
 * The pieces of a remap map what the old VA mapped: invalidated if it
 * was. They are linked first: the old VA's reference keeps the vm_bo
 * alive. In immediate mode the flag is read and the pieces linked under
 * the GEM's gpuva lock in one go, or a move notification marking the
 * object's VAs in between would mark the old VA but neither piece.
 */
static void link_pieces(struct step_ctx *c, struct drm_gpuva *old, struct drm_gpuva *prev,
			struct drm_gpuva *next)
{
	struct drm_gem_object *obj = old->gem.obj;
	struct drm_gpuvm_bo *vm_bo = old->vm_bo;
	bool lock = c->immediate && obj && vm_bo;

	if (lock)
		mutex_lock(&obj->gpuva.lock);
	if (prev)
		drm_gpuva_invalidate(prev, drm_gpuva_invalidated(old));
	if (next)
		drm_gpuva_invalidate(next, drm_gpuva_invalidated(old));
	if (obj && vm_bo && prev)
		drm_gpuva_link(prev, vm_bo);
	if (obj && vm_bo && next)
		drm_gpuva_link(next, vm_bo);
	if (lock)
		mutex_unlock(&obj->gpuva.lock);
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
	link_pieces(c, old, prev, next);
	if (c->deferred) {
		undo_push(c, old, false);
		if (prev)
			undo_push(c, prev, true);
		if (next)
			undo_push(c, next, true);
		return 0;
	}
	unlink_old(c, old);
	va_done(c, old);
	return 0;
}

int drv_apply_unmap(struct step_ctx *c, const struct drm_gpuva_op *op)
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
	va_done(c, old);
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
		return drv_apply_unmap(c, op);
	default:
		return 0;
	}
}

void drv_apply_ops(struct step_ctx *c, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops)
		drv_emit_op(c->be, op);
	drm_gpuva_for_each_op(op, ops)
		apply_op(c, op);
}

/*
 * Preallocate the VAs an op list needs, then print and apply it, keeping
 * the list. Nothing changes when the preallocation fails.
 */
int drv_apply_kept(struct step_ctx *c, struct drm_gpuva_ops *ops)
{
	struct va_pool pool;
	int ret = drv_pool_fill(&pool, ops_vas_needed(ops));

	if (!ret) {
		c->pool = &pool;
		drv_apply_ops(c, ops);
		drv_pool_drain(&pool);
	}
	return ret;
}

/* The same, and free the list either way. */
int drv_apply_list(struct step_ctx *c, struct drm_gpuva_ops *ops)
{
	int ret = drv_apply_kept(c, ops);

	drm_gpuva_ops_free(&c->vm->base, ops);
	return ret;
}

/*
 * sm_step callbacks: report the step, then apply it at once. An armed
 * failure and a driver error end the walk: GPUVM must call no further step.
 */
int drv_step_cb(struct drm_gpuva_op *op, void *priv)
{
	struct step_ctx *c = priv;

	if (WARN(c->error, "GPUVM called sm_step #%u after step #%u failed",
		 c->steps + 1, c->steps))
		return c->error;
	if (++c->steps == c->fail_at)
		return c->error = -EIO;
	drv_emit_op(c->be, op);
	c->error = apply_op(c, op);
	return c->error;
}

/*
 * End a staged callback bind whose drm_gpuvm_sm_map/sm_unmap returned
 * @ret. Success: unlink and free the VAs the steps took out, in step
 * order, as the op-list path does. Failure: undo the steps newest first;
 * the VAs taken out are still linked, so every vm_bo is as it was.
 */
int drv_finish_steps(struct step_ctx *c, int ret)
{
	struct drv_va *lva, *next, *fifo = NULL;

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
