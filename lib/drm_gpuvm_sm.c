// SPDX-License-Identifier: MIT
/*
 * Split/merge: turning map, unmap and madvise requests into MAP, REMAP and
 * UNMAP steps, the op-list builders, and the helpers that apply ops.
 *
 * One walker serves every front end: drivers' sm_step callbacks, the list
 * builders and the exec_lock helpers each pass their own step table.
 */
#include <string.h>
#include <linux/slab.h>
#include <drm/drm_print.h>
#include "gpuvm_internal.h"

static int step_map(const struct drm_gpuvm_ops *fn, void *priv,
		    u64 addr, u64 range, struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuva_op op = { .op = DRM_GPUVA_OP_MAP };

	op.map.va.addr = addr;
	op.map.va.range = range;
	op.map.gem.obj = obj;
	op.map.gem.offset = offset;
	return fn->sm_step_map(&op, priv);
}

static int step_remap(const struct drm_gpuvm_ops *fn, void *priv,
		      struct drm_gpuva_op_map *prev, struct drm_gpuva_op_map *next,
		      struct drm_gpuva *va, bool keep)
{
	struct drm_gpuva_op_unmap unmap = { .va = va, .keep = keep };
	struct drm_gpuva_op op = { .op = DRM_GPUVA_OP_REMAP };

	op.remap.prev = prev;
	op.remap.next = next;
	op.remap.unmap = &unmap;
	return fn->sm_step_remap(&op, priv);
}

static int step_unmap(const struct drm_gpuvm_ops *fn, void *priv,
		      struct drm_gpuva *va, bool keep)
{
	struct drm_gpuva_op op = { .op = DRM_GPUVA_OP_UNMAP };

	op.unmap.va = va;
	op.unmap.keep = keep;
	return fn->sm_step_unmap(&op, priv);
}

static struct drm_gpuva_op_map piece(u64 addr, u64 range,
				     struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuva_op_map m = { .va = { addr, range }, .gem = { offset, obj } };

	return m;
}

/*
 * The map walk. Every VA overlapping the request is visited in address
 * order (successor taken before the step, so steps may change the tree).
 * A part of a VA below the request survives as REMAP prev, a part above it
 * as REMAP next; a VA inside is UNMAPped. "keep" says the VA already maps
 * its overlap with the request to the same object at the same offsets.
 *
 * For madvise, VAs with an object are skipped, nothing is unmapped, and MAP
 * steps cover exactly the split parts inside the request.
 */
static int sm_map_walk(struct drm_gpuvm *gpuvm, const struct drm_gpuvm_ops *fn,
		       void *priv, const struct drm_gpuvm_map_req *req, bool madvise)
{
	u64 ra = req->map.va.addr, rr = req->map.va.range, re = ra + rr;
	struct drm_gem_object *ro_obj = req->map.gem.obj;
	u64 ro = req->map.gem.offset;
	struct drm_gpuva *va, *next;
	bool final_map = !madvise;
	int ret;

	if (unlikely(!drm_gpuvm_range_valid(gpuvm, ra, rr)))
		return -EINVAL;

	drm_gpuvm_for_each_va_range_safe(va, next, gpuvm, ra, re) {
		struct drm_gem_object *obj = va->gem.obj;
		u64 a = va->va.addr, e = a + va->va.range, o = va->gem.offset;
		struct drm_gpuva_op_map p, n;
		bool keep = obj && obj == ro_obj;

		if (madvise && obj)
			continue;

		if (a < ra) {
			u64 l = ra - a;

			keep = keep && o + l == ro;
			p = piece(a, l, obj, o);
			if (e < re) {
				ret = step_remap(fn, priv, &p, NULL, va, keep);
				if (ret)
					return ret;
				if (madvise) {
					ret = step_map(fn, priv, ra, e - ra, NULL, 0);
					if (ret)
						return ret;
				}
				continue;
			}
			n = piece(re, e - re, obj, o + l + rr);
			ret = step_remap(fn, priv, &p, e > re ? &n : NULL, va, keep);
			if (ret)
				return ret;
			final_map = true;
			break;
		}

		/* a >= ra: no part of the VA lies below the request. */
		keep = keep && o == ro + (a - ra);
		if (e <= re) {
			if (!madvise) {
				ret = step_unmap(fn, priv, va, keep);
				if (ret)
					return ret;
			}
			if (e == re)
				break;
			continue;
		}
		n = piece(re, e - re, obj, o + (re - a));
		ret = step_remap(fn, priv, NULL, &n, va, keep);
		if (ret)
			return ret;
		/* madvise maps a split VA's inside part itself, not the request. */
		if (madvise && a > ra)
			return step_map(fn, priv, a, re - a, NULL, 0);
		final_map = true;
		break;
	}

	if (!final_map)
		return 0;
	return step_map(fn, priv, ra, rr, ro_obj, ro);
}

/* The unmap walk: every overlapping VA goes; parts outside survive. */
static int sm_unmap_walk(struct drm_gpuvm *gpuvm, const struct drm_gpuvm_ops *fn,
			 void *priv, u64 ra, u64 rr)
{
	u64 re = ra + rr;
	struct drm_gpuva *va, *next;
	int ret;

	if (unlikely(!drm_gpuvm_range_valid(gpuvm, ra, rr)))
		return -EINVAL;

	drm_gpuvm_for_each_va_range_safe(va, next, gpuvm, ra, re) {
		struct drm_gem_object *obj = va->gem.obj;
		u64 a = va->va.addr, e = a + va->va.range, o = va->gem.offset;
		struct drm_gpuva_op_map p = piece(a, ra - a, obj, o);
		struct drm_gpuva_op_map n = piece(re, e - re, obj, o + (re - a));

		if (a < ra || e > re)
			ret = step_remap(fn, priv, a < ra ? &p : NULL, e > re ? &n : NULL,
					 va, false);
		else
			ret = step_unmap(fn, priv, va, false);
		if (ret)
			return ret;
	}
	return 0;
}

int drm_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv,
		     const struct drm_gpuvm_map_req *req)
{
	const struct drm_gpuvm_ops *ops = gpuvm->ops;

	if (unlikely(!ops || !ops->sm_step_map || !ops->sm_step_remap ||
		     !ops->sm_step_unmap))
		return -EINVAL;
	return sm_map_walk(gpuvm, ops, priv, req, false);
}

int drm_gpuvm_sm_unmap(struct drm_gpuvm *gpuvm, void *priv, u64 addr, u64 range)
{
	const struct drm_gpuvm_ops *ops = gpuvm->ops;

	if (unlikely(!ops || !ops->sm_step_remap || !ops->sm_step_unmap))
		return -EINVAL;
	return sm_unmap_walk(gpuvm, ops, priv, addr, range);
}

/* ---- exec locking ---------------------------------------------------------- */

/* Lock the object of every VA a walk would unmap or remap. */
static int lock_step(struct drm_gpuva_op *op, void *priv)
{
	struct drm_exec *exec = priv;
	struct drm_gem_object *obj = NULL;

	if (op->op == DRM_GPUVA_OP_REMAP)
		obj = op->remap.unmap->va->gem.obj;
	else if (op->op == DRM_GPUVA_OP_UNMAP)
		obj = op->unmap.va->gem.obj;
	return obj ? drm_exec_lock_obj(exec, obj) : 0;
}

static const struct drm_gpuvm_ops lock_steps = {
	.sm_step_map = lock_step,
	.sm_step_remap = lock_step,
	.sm_step_unmap = lock_step,
};

int drm_gpuvm_sm_map_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			       unsigned int num_fences,
			       struct drm_gpuvm_map_req *req)
{
	if (req->map.gem.obj) {
		int ret = drm_exec_prepare_obj(exec, req->map.gem.obj, num_fences);

		if (ret)
			return ret;
	}
	return sm_map_walk(gpuvm, &lock_steps, exec, req, false);
}

int drm_gpuvm_sm_unmap_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
				 u64 req_addr, u64 req_range)
{
	return sm_unmap_walk(gpuvm, &lock_steps, exec, req_addr, req_range);
}

/* ---- op lists ------------------------------------------------------------------ */

static struct drm_gpuva_op *op_alloc(struct drm_gpuvm *gpuvm)
{
	if (gpuvm->ops && gpuvm->ops->op_alloc)
		return gpuvm->ops->op_alloc();
	return kzalloc(sizeof(struct drm_gpuva_op), GFP_KERNEL);
}

static void op_free(struct drm_gpuvm *gpuvm, struct drm_gpuva_op *op)
{
	if (gpuvm->ops && gpuvm->ops->op_free)
		gpuvm->ops->op_free(op);
	else
		kfree(op);
}

struct list_builder {
	struct drm_gpuvm *vm;
	struct drm_gpuva_ops *ops;
};

/* Copy a stack op to the heap (a REMAP's parts separately) and queue it. */
static int list_step(struct drm_gpuva_op *stack_op, void *priv)
{
	struct list_builder *b = priv;
	struct drm_gpuva_op *op = op_alloc(b->vm);
	struct drm_gpuva_op_remap *r;

	if (unlikely(!op))
		return -ENOMEM;
	*op = *stack_op;	/* entry is set by list_add_tail() below */
	if (op->op == DRM_GPUVA_OP_REMAP) {
		r = &op->remap;
		r->prev = r->next = NULL;
		r->unmap = kmemdup(stack_op->remap.unmap, sizeof(*r->unmap), GFP_KERNEL);
		if (stack_op->remap.prev)
			r->prev = kmemdup(stack_op->remap.prev, sizeof(*r->prev), GFP_KERNEL);
		if (stack_op->remap.next)
			r->next = kmemdup(stack_op->remap.next, sizeof(*r->next), GFP_KERNEL);
		if (!r->unmap || (stack_op->remap.prev && !r->prev) ||
		    (stack_op->remap.next && !r->next)) {
			kfree(r->unmap);
			kfree(r->prev);
			kfree(r->next);
			op_free(b->vm, op);
			return -ENOMEM;
		}
	}
	list_add_tail(&op->entry, &b->ops->list);
	return 0;
}

static const struct drm_gpuvm_ops list_steps = {
	.sm_step_map = list_step,
	.sm_step_remap = list_step,
	.sm_step_unmap = list_step,
};

static struct drm_gpuva_ops *ops_new(void)
{
	struct drm_gpuva_ops *ops = kzalloc(sizeof(*ops), GFP_KERNEL);

	if (ops)
		INIT_LIST_HEAD(&ops->list);
	return ops;
}

static struct drm_gpuva_ops *ops_done(struct drm_gpuvm *gpuvm,
				      struct drm_gpuva_ops *ops, int ret)
{
	if (!ret)
		return ops;
	drm_gpuva_ops_free(gpuvm, ops);
	return ERR_PTR(ret);
}

static struct drm_gpuva_ops *map_ops_create(struct drm_gpuvm *gpuvm,
					    const struct drm_gpuvm_map_req *req,
					    bool madvise)
{
	struct list_builder b = { .vm = gpuvm, .ops = ops_new() };

	if (unlikely(!b.ops))
		return ERR_PTR(-ENOMEM);
	return ops_done(gpuvm, b.ops, sm_map_walk(gpuvm, &list_steps, &b, req, madvise));
}

struct drm_gpuva_ops *drm_gpuvm_sm_map_ops_create(struct drm_gpuvm *gpuvm,
						  const struct drm_gpuvm_map_req *req)
{
	return map_ops_create(gpuvm, req, false);
}

struct drm_gpuva_ops *drm_gpuvm_madvise_ops_create(struct drm_gpuvm *gpuvm,
						   const struct drm_gpuvm_map_req *req)
{
	return map_ops_create(gpuvm, req, true);
}

struct drm_gpuva_ops *drm_gpuvm_sm_unmap_ops_create(struct drm_gpuvm *gpuvm,
						    u64 addr, u64 range)
{
	struct list_builder b = { .vm = gpuvm, .ops = ops_new() };

	if (unlikely(!b.ops))
		return ERR_PTR(-ENOMEM);
	return ops_done(gpuvm, b.ops, sm_unmap_walk(gpuvm, &list_steps, &b, addr, range));
}

/* Queue one op of @type naming @va (PREFETCH or UNMAP). */
static int queue_va_op(struct drm_gpuvm *gpuvm, struct drm_gpuva_ops *ops,
		       enum drm_gpuva_op_type type, struct drm_gpuva *va)
{
	struct drm_gpuva_op *op = op_alloc(gpuvm);

	if (unlikely(!op))
		return -ENOMEM;
	op->op = type;
	if (type == DRM_GPUVA_OP_PREFETCH) {
		op->prefetch.va = va;
	} else {
		op->unmap.va = va;
		op->unmap.keep = false;
	}
	list_add_tail(&op->entry, &ops->list);
	return 0;
}

struct drm_gpuva_ops *drm_gpuvm_prefetch_ops_create(struct drm_gpuvm *gpuvm,
						    u64 addr, u64 range)
{
	struct drm_gpuva_ops *ops;
	struct drm_gpuva *va;
	u64 end = addr + range;
	int ret = 0;

	if (!UPSTREAM_QUIRKS && (!range || end < addr))
		return ERR_PTR(-EINVAL);
	ops = ops_new();
	if (unlikely(!ops))
		return ERR_PTR(-ENOMEM);
	drm_gpuvm_for_each_va_range(va, gpuvm, addr, end) {
		ret = queue_va_op(gpuvm, ops, DRM_GPUVA_OP_PREFETCH, va);
		if (ret)
			break;
	}
	return ops_done(gpuvm, ops, ret);
}

struct drm_gpuva_ops *drm_gpuvm_bo_unmap_ops_create(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuvm *gpuvm = vm_bo->vm;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva *va;
	int ret = 0;

	drm_gem_gpuva_assert_lock_held(gpuvm, vm_bo->obj);
	ops = ops_new();
	if (unlikely(!ops))
		return ERR_PTR(-ENOMEM);
	drm_gpuvm_bo_for_each_va(va, vm_bo) {
		ret = queue_va_op(gpuvm, ops, DRM_GPUVA_OP_UNMAP, va);
		if (ret)
			break;
	}
	return ops_done(gpuvm, ops, ret);
}

void drm_gpuva_ops_free(struct drm_gpuvm *gpuvm, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op, *next;

	if (WARN(IS_ERR_OR_NULL(ops), "drm_gpuva_ops_free() of %p", (void *)ops))
		return;
	drm_gpuva_for_each_op_safe(op, next, ops) {
		list_del(&op->entry);
		if (op->op == DRM_GPUVA_OP_REMAP) {
			/* The parts come from the generic allocator, not op_alloc. */
			kfree(op->remap.prev);
			kfree(op->remap.next);
			kfree(op->remap.unmap);
		}
		op_free(gpuvm, op);
	}
	kfree(ops);
}

/* ---- applying ops ---------------------------------------------------------------- */

static void insert_piece(struct drm_gpuvm *gpuvm, struct drm_gpuva *va,
			 const struct drm_gpuva_op_map *op)
{
	int ret;

	drm_gpuva_init_from_op(va, op);
	ret = drm_gpuva_insert(gpuvm, va);
	/* Upstream ignores this; it means ops were applied out of order. */
	drm_WARN(gpuvm->drm, ret, "applying a map op [0x%llx+0x%llx] failed: %d",
		 (unsigned long long)op->va.addr, (unsigned long long)op->va.range, ret);
}

void drm_gpuva_map(struct drm_gpuvm *gpuvm, struct drm_gpuva *va,
		   const struct drm_gpuva_op_map *op)
{
	insert_piece(gpuvm, va, op);
}

void drm_gpuva_remap(struct drm_gpuva *prev, struct drm_gpuva *next,
		     const struct drm_gpuva_op_remap *op)
{
	struct drm_gpuvm *gpuvm = op->unmap->va->vm;

	drm_gpuva_remove(op->unmap->va);
	if (op->prev && !WARN(!prev, "REMAP with a prev part but no VA for it"))
		insert_piece(gpuvm, prev, op->prev);
	if (op->next && !WARN(!next, "REMAP with a next part but no VA for it"))
		insert_piece(gpuvm, next, op->next);
}

void drm_gpuva_unmap(const struct drm_gpuva_op_unmap *op)
{
	drm_gpuva_remove(op->va);
}
