// SPDX-License-Identifier: MIT
/*
 * Split/merge op sequences against the tables of docs/semantics.md section 3 (3.3, 3.4,
 * 3.5): every row is run on a fresh VM through the op-list builder and,
 * where one exists, through the callback walker; both must give the
 * expected ops, return code and final tree. Extra cases: invalid requests,
 * a failing step, and the hole of every REMAP.
 */
#include <stdlib.h>
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include "fuzz/gvm_api.h"
#include "fixture.h"
#include "test.h"

#define WIN_START	0
#define WIN_RANGE	0x100
#define NOBJ		4
#define MAXV		8

/* Object indices in the tables; ON means "no GEM object" (NULL). */
enum { ON = -1, OA = 0, OB = 1, OC = 2, OD = 3, OUNKNOWN = -2 };

/* Kinds of request a row makes. */
enum { K_MAP, K_UNMAP, K_MADVISE };

/* Op types in the tables; 0 ends a list. */
enum { T_END, T_MAP, T_REMAP, T_UNMAP };

/* One mapping: a VA, a MAP op or a REMAP part (range 0 = no part). */
struct xva {
	u64 addr;
	u64 range;
	int obj;
	u64 off;
};

/* One op as a plain value, comparable across paths. */
struct xop {
	int t;
	struct xva map;		/* T_MAP */
	int va;			/* T_UNMAP, T_REMAP: index of the existing VA */
	int keep;
	struct xva prev;	/* T_REMAP parts */
	struct xva next;
};

/* One table row. */
struct row {
	const char *name;
	int kind;
	u64 rs, rr;		/* kernel-reserved window, rr 0 for none */
	struct xva ex[MAXV];	/* existing VAs, range 0 ends */
	struct xva req;
	int ret;
	struct xop ops[MAXV];
	struct xva res[MAXV];	/* final tree, range 0 ends */
};

/* What one run produced. */
struct result {
	int ret;
	int nops;
	struct xop ops[MAXV];
	int nres;
	struct xva res[MAXV];
};

#define V(a, r, o, off)		{ (a), (r), (o), (off) }
#define NO			{ 0, 0, ON, 0 }
#define XMAP(a, r, o, off)	{ .t = T_MAP, .map = V(a, r, o, off) }
#define XUNMAP(i, k)		{ .t = T_UNMAP, .va = (i), .keep = (k) }
#define XREMAP(i, k, p, n)	{ .t = T_REMAP, .va = (i), .keep = (k), .prev = p, .next = n }

static const struct row rows[] = {
	/* 3.3: the documented cases, n = 10, m = 50 */
	{ "1", K_MAP, .ex = { V(0, 1, OA, 10) }, .req = V(0, 1, OA, 10),
	  .ops = { XUNMAP(0, 1), XMAP(0, 1, OA, 10) }, .res = { V(0, 1, OA, 10) } },
	{ "2", K_MAP, .ex = { V(0, 1, OA, 10) }, .req = V(0, 1, OA, 50),
	  .ops = { XUNMAP(0, 0), XMAP(0, 1, OA, 50) }, .res = { V(0, 1, OA, 50) } },
	{ "3", K_MAP, .ex = { V(0, 1, OA, 10) }, .req = V(0, 1, OB, 10),
	  .ops = { XUNMAP(0, 0), XMAP(0, 1, OB, 10) }, .res = { V(0, 1, OB, 10) } },
	{ "4", K_MAP, .ex = { V(0, 1, OA, 10) }, .req = V(0, 2, OA, 10),
	  .ops = { XUNMAP(0, 1), XMAP(0, 2, OA, 10) }, .res = { V(0, 2, OA, 10) } },
	{ "4'", K_MAP, .ex = { V(0, 1, OA, 10) }, .req = V(0, 2, OB, 50),
	  .ops = { XUNMAP(0, 0), XMAP(0, 2, OB, 50) }, .res = { V(0, 2, OB, 50) } },
	{ "5", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(0, 1, OB, 10),
	  .ops = { XREMAP(0, 0, NO, V(1, 1, OA, 11)), XMAP(0, 1, OB, 10) },
	  .res = { V(0, 1, OB, 10), V(1, 1, OA, 11) } },
	{ "6", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(0, 1, OA, 10),
	  .ops = { XREMAP(0, 1, NO, V(1, 1, OA, 11)), XMAP(0, 1, OA, 10) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OA, 11) } },
	{ "7", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(1, 1, OB, 50),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), NO), XMAP(1, 1, OB, 50) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OB, 50) } },
	{ "8", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(1, 1, OA, 11),
	  .ops = { XREMAP(0, 1, V(0, 1, OA, 10), NO), XMAP(1, 1, OA, 11) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OA, 11) } },
	{ "9", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(1, 2, OB, 50),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), NO), XMAP(1, 2, OB, 50) },
	  .res = { V(0, 1, OA, 10), V(1, 2, OB, 50) } },
	{ "10", K_MAP, .ex = { V(0, 2, OA, 10) }, .req = V(1, 2, OA, 11),
	  .ops = { XREMAP(0, 1, V(0, 1, OA, 10), NO), XMAP(1, 2, OA, 11) },
	  .res = { V(0, 1, OA, 10), V(1, 2, OA, 11) } },
	{ "11", K_MAP, .ex = { V(0, 3, OA, 10) }, .req = V(1, 1, OB, 50),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), V(2, 1, OA, 12)), XMAP(1, 1, OB, 50) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OB, 50), V(2, 1, OA, 12) } },
	{ "12", K_MAP, .ex = { V(0, 3, OA, 10) }, .req = V(1, 1, OA, 11),
	  .ops = { XREMAP(0, 1, V(0, 1, OA, 10), V(2, 1, OA, 12)), XMAP(1, 1, OA, 11) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OA, 11), V(2, 1, OA, 12) } },
	{ "13", K_MAP, .ex = { V(1, 1, OA, 11) }, .req = V(0, 2, OA, 10),
	  .ops = { XUNMAP(0, 1), XMAP(0, 2, OA, 10) }, .res = { V(0, 2, OA, 10) } },
	{ "14", K_MAP, .ex = { V(1, 1, OA, 11) }, .req = V(0, 3, OA, 10),
	  .ops = { XUNMAP(0, 1), XMAP(0, 3, OA, 10) }, .res = { V(0, 3, OA, 10) } },
	{ "15", K_MAP, .ex = { V(1, 2, OA, 10) }, .req = V(0, 2, OB, 50),
	  .ops = { XREMAP(0, 0, NO, V(2, 1, OA, 11)), XMAP(0, 2, OB, 50) },
	  .res = { V(0, 2, OB, 50), V(2, 1, OA, 11) } },
	/* 3.3: extra cases */
	{ "X1", K_MAP, .ex = { V(0, 1, OA, 10), V(2, 1, OA, 12) }, .req = V(1, 1, OA, 11),
	  .ops = { XMAP(1, 1, OA, 11) },
	  .res = { V(0, 1, OA, 10), V(1, 1, OA, 11), V(2, 1, OA, 12) } },
	{ "X2", K_MAP, .ex = { V(0, 2, OA, 10), V(2, 2, OB, 0), V(4, 2, OC, 20) },
	  .req = V(1, 4, OD, 0),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), NO), XUNMAP(1, 0),
		   XREMAP(2, 0, NO, V(5, 1, OC, 21)), XMAP(1, 4, OD, 0) },
	  .res = { V(0, 1, OA, 10), V(1, 4, OD, 0), V(5, 1, OC, 21) } },
	{ "X3", K_MAP, .ex = { V(0, 2, OA, 10), V(2, 2, OA, 12), V(4, 2, OA, 14) },
	  .req = V(1, 4, OA, 11),
	  .ops = { XREMAP(0, 1, V(0, 1, OA, 10), NO), XUNMAP(1, 1),
		   XREMAP(2, 1, NO, V(5, 1, OA, 15)), XMAP(1, 4, OA, 11) },
	  .res = { V(0, 1, OA, 10), V(1, 4, OA, 11), V(5, 1, OA, 15) } },
	{ "X4", K_MAP, .ex = { V(0, 2, ON, 0) }, .req = V(0, 2, ON, 0),
	  .ops = { XUNMAP(0, 0), XMAP(0, 2, ON, 0) }, .res = { V(0, 2, ON, 0) } },
	{ "X5", K_MAP, .ex = { V(0, 4, OA, 10) }, .req = V(1, 2, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), V(3, 1, OA, 13)), XMAP(1, 2, ON, 0) },
	  .res = { V(0, 1, OA, 10), V(1, 2, ON, 0), V(3, 1, OA, 13) } },
	{ "X6", K_MAP, .req = V(0, 4, OA, 0),
	  .ops = { XMAP(0, 4, OA, 0) }, .res = { V(0, 4, OA, 0) } },
	{ "X7", K_MAP, .rs = 8, .rr = 2, .ex = { V(0, 4, OA, 10) }, .req = V(9, 3, OA, 0),
	  .ret = -EINVAL, .res = { V(0, 4, OA, 10) } },
	{ "X8", K_MAP, .ex = { V(0, 1, OA, 10), V(3, 1, OC, 0) }, .req = V(0, 4, OA, 10),
	  .ops = { XUNMAP(0, 1), XUNMAP(1, 0), XMAP(0, 4, OA, 10) },
	  .res = { V(0, 4, OA, 10) } },
	/* identical request: no no-op rule */
	{ "identical", K_MAP, .ex = { V(2, 4, OB, 20) }, .req = V(2, 4, OB, 20),
	  .ops = { XUNMAP(0, 1), XMAP(2, 4, OB, 20) }, .res = { V(2, 4, OB, 20) } },
	/* 3.4: sm_unmap */
	{ "U1", K_UNMAP, .ex = { V(0, 4, OA, 10) }, .req = V(0, 4, ON, 0),
	  .ops = { XUNMAP(0, 0) } },
	{ "U2", K_UNMAP, .ex = { V(0, 4, OA, 10) }, .req = V(0, 2, ON, 0),
	  .ops = { XREMAP(0, 0, NO, V(2, 2, OA, 12)) }, .res = { V(2, 2, OA, 12) } },
	{ "U3", K_UNMAP, .ex = { V(0, 4, OA, 10) }, .req = V(2, 2, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 2, OA, 10), NO) }, .res = { V(0, 2, OA, 10) } },
	{ "U4", K_UNMAP, .ex = { V(0, 4, OA, 10) }, .req = V(1, 2, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), V(3, 1, OA, 13)) },
	  .res = { V(0, 1, OA, 10), V(3, 1, OA, 13) } },
	{ "U5", K_UNMAP, .ex = { V(0, 2, OA, 10), V(2, 2, OB, 0), V(4, 2, OC, 20) },
	  .req = V(1, 4, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 1, OA, 10), NO), XUNMAP(1, 0),
		   XREMAP(2, 0, NO, V(5, 1, OC, 21)) },
	  .res = { V(0, 1, OA, 10), V(5, 1, OC, 21) } },
	{ "U6", K_UNMAP, .ex = { V(0, 2, OA, 10) }, .req = V(4, 2, ON, 0),
	  .res = { V(0, 2, OA, 10) } },
	{ "U7", K_UNMAP, .ex = { V(0, 2, OA, 10) }, .req = V(0, 8, ON, 0),
	  .ops = { XUNMAP(0, 0) } },
	{ "U8", K_UNMAP, .rs = 8, .rr = 2, .ex = { V(0, 2, OA, 10) }, .req = V(6, 3, ON, 0),
	  .ret = -EINVAL, .res = { V(0, 2, OA, 10) } },
	{ "U9", K_UNMAP, .ex = { V(0, 4, ON, 5) }, .req = V(1, 1, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 1, ON, 5), V(2, 2, ON, 7)) },
	  .res = { V(0, 1, ON, 5), V(2, 2, ON, 7) } },
	/* 3.5: madvise, all VAs NULL-backed unless said otherwise */
	{ "M1", K_MADVISE, .ex = { V(0, 10, ON, 100) }, .req = V(3, 3, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 3, ON, 100), V(6, 4, ON, 106)), XMAP(3, 3, ON, 0) },
	  .res = { V(0, 3, ON, 100), V(3, 3, ON, 0), V(6, 4, ON, 106) } },
	{ "M2", K_MADVISE, .ex = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) },
	  .req = V(2, 6, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 2, ON, 100), NO), XMAP(2, 2, ON, 0),
		   XREMAP(2, 0, NO, V(8, 2, ON, 302)), XMAP(6, 2, ON, 0) },
	  .res = { V(0, 2, ON, 100), V(2, 2, ON, 0), V(4, 2, ON, 200),
		   V(6, 2, ON, 0), V(8, 2, ON, 302) } },
	{ "M3a", K_MADVISE, .ex = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) },
	  .req = V(0, 8, ON, 0),
	  .ops = { XREMAP(2, 0, NO, V(8, 2, ON, 302)), XMAP(6, 2, ON, 0) },
	  .res = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 2, ON, 0), V(8, 2, ON, 302) } },
	{ "M3b", K_MADVISE, .ex = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) },
	  .req = V(2, 4, ON, 0),
	  .ops = { XREMAP(0, 0, V(0, 2, ON, 100), NO), XMAP(2, 2, ON, 0) },
	  .res = { V(0, 2, ON, 100), V(2, 2, ON, 0), V(4, 2, ON, 200), V(6, 4, ON, 300) } },
	{ "M4a", K_MADVISE, .ex = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) },
	  .req = V(4, 2, ON, 0),
	  .res = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) } },
	{ "M4b", K_MADVISE, .ex = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) },
	  .req = V(0, 6, ON, 0),
	  .res = { V(0, 4, ON, 100), V(4, 2, ON, 200), V(6, 4, ON, 300) } },
	{ "M5", K_MADVISE, .req = V(0, 8, ON, 0) },
	{ "M6", K_MADVISE, .ex = { V(0, 10, OA, 10) }, .req = V(3, 3, ON, 0),
	  .res = { V(0, 10, OA, 10) } },
};

/* State of one run: the VM, its objects, the original VAs and the record. */
struct env {
	struct drm_gpuvm *vm;
	struct drm_gem_object *objs[NOBJ];
	struct drm_gpuva *orig[MAXV];
	int norig;
	struct xva req;
	int kind;
	struct result *out;
	int steps;		/* callback steps seen */
	int fail_at;		/* step (1-based) that returns fail_err, 0 for none */
	int fail_err;
};

static int step_map(struct drm_gpuva_op *op, void *priv);
static int step_remap(struct drm_gpuva_op *op, void *priv);
static int step_unmap(struct drm_gpuva_op *op, void *priv);

static const struct drm_gpuvm_ops vm_ops = {
	.vm_free = fixture_vm_free,
	.sm_step_map = step_map,
	.sm_step_remap = step_remap,
	.sm_step_unmap = step_unmap,
};

/* Table index of @obj (ON for NULL, OUNKNOWN for a stranger). */
static int obj_index(const struct env *e, const struct drm_gem_object *obj)
{
	int i;

	if (!obj)
		return ON;
	for (i = 0; i < NOBJ; i++)
		if (e->objs[i] == obj)
			return i;
	return OUNKNOWN;
}

/* GEM object of table index @i (NULL for ON). */
static struct drm_gem_object *obj_of(const struct env *e, int i)
{
	return i == ON ? NULL : e->objs[i];
}

/* Index of @va among the VAs that existed before the request, or -1. */
static int va_index(const struct env *e, const struct drm_gpuva *va)
{
	int i;

	for (i = 0; i < e->norig; i++)
		if (e->orig[i] == va)
			return i;
	return -1;
}

/* Link @va to the vm_bo of its object (none for NULL), under the resv. */
static void link_va(struct env *e, struct drm_gpuva *va)
{
	struct drm_gem_object *obj = va->gem.obj;
	struct drm_gpuvm_bo *vm_bo;

	if (!obj)
		return;
	dma_resv_lock(obj->resv, NULL);
	vm_bo = drm_gpuvm_bo_obtain_locked(e->vm, obj);
	CHECK(!IS_ERR(vm_bo));
	if (!IS_ERR(vm_bo)) {
		drm_gpuva_link(va, vm_bo);
		drm_gpuvm_bo_put(vm_bo);
	}
	dma_resv_unlock(obj->resv);
}

/* Unlink @va if it is linked, under its object's resv. */
static void unlink_va(struct drm_gpuva *va)
{
	struct drm_gem_object *obj = va->gem.obj;

	if (!va->vm_bo)
		return;
	dma_resv_lock(obj->resv, NULL);
	drm_gpuva_unlink(va);
	dma_resv_unlock(obj->resv);
}

/* Fresh VM with four objects and the row's existing VAs. */
static void env_init(struct env *e, u64 rs, u64 rr, const struct xva *ex)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->vm = fixture_vm("test", 0, WIN_START, WIN_RANGE, rs, rr, &vm_ops);
	for (i = 0; i < NOBJ; i++)
		e->objs[i] = fixture_obj(NULL);
	for (i = 0; ex && i < MAXV && ex[i].range; i++) {
		struct drm_gpuva *va = fixture_va(e->vm, ex[i].addr, ex[i].range,
						  obj_of(e, ex[i].obj), ex[i].off);

		CHECK(va != NULL);
		if (!va)
			continue;
		link_va(e, va);
		e->orig[e->norig++] = va;
	}
}

/* Collect the tree (without the kernel node) into @r and check links. */
static void collect_tree(struct env *e, struct result *r)
{
	struct drm_gpuva *va;

	r->nres = 0;
	drm_gpuvm_for_each_va(va, e->vm) {
		if (va == &e->vm->kernel_alloc_node)
			continue;
		CHECK(va->vm_bo == NULL || va->vm_bo->obj == va->gem.obj);
		CHECK((va->vm_bo != NULL) == (va->gem.obj != NULL));
		CHECK(r->nres < MAXV);
		if (r->nres >= MAXV)
			break;
		r->res[r->nres++] = (struct xva){ va->va.addr, va->va.range,
						 obj_index(e, va->gem.obj), va->gem.offset };
	}
}

/* Unmap everything, drop the objects and the VM. */
static void env_fini(struct env *e)
{
	struct drm_gpuva *va, *next;
	int i;

	drm_gpuvm_for_each_va_safe(va, next, e->vm) {
		if (va == &e->vm->kernel_alloc_node)
			continue;
		unlink_va(va);
		drm_gpuva_remove(va);
		kfree(va);
	}
	for (i = 0; i < NOBJ; i++)
		drm_gem_object_put(e->objs[i]);
	drm_gpuvm_put(e->vm);
}

/* Plain copy of a MAP op or REMAP part (none when @m is NULL). */
static struct xva xva_of(const struct env *e, const struct drm_gpuva_op_map *m)
{
	struct xva x = NO;

	if (m)
		x = (struct xva){ m->va.addr, m->va.range, obj_index(e, m->gem.obj),
				  m->gem.offset };
	return x;
}

/* Deep-copy @op into the record; check a REMAP's hole against the request. */
static void record(struct env *e, const struct drm_gpuva_op *op)
{
	struct result *r = e->out;
	struct xop x;

	memset(&x, 0, sizeof(x));
	x.prev = (struct xva)NO;
	x.next = (struct xva)NO;
	x.map = (struct xva)NO;
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		x.t = T_MAP;
		x.map = xva_of(e, &op->map);
		break;
	case DRM_GPUVA_OP_UNMAP:
		x.t = T_UNMAP;
		x.va = va_index(e, op->unmap.va);
		x.keep = op->unmap.keep;
		break;
	case DRM_GPUVA_OP_REMAP: {
		const struct drm_gpuva *v = op->remap.unmap->va;
		u64 start, range, lo, hi;

		x.t = T_REMAP;
		x.va = va_index(e, v);
		x.keep = op->remap.unmap->keep;
		x.prev = xva_of(e, op->remap.prev);
		x.next = xva_of(e, op->remap.next);
		/* The hole is [ra, re) intersected with the old VA. */
		drm_gpuva_op_remap_to_unmap_range(&op->remap, &start, &range);
		lo = e->req.addr > v->va.addr ? e->req.addr : v->va.addr;
		hi = e->req.addr + e->req.range;
		if (hi > v->va.addr + v->va.range)
			hi = v->va.addr + v->va.range;
		CHECK_EQ(start, lo);
		CHECK_EQ(range, hi - lo);
		break;
	}
	default:
		CHECK(0);
		return;
	}
	CHECK(r->nops < MAXV);
	if (r->nops < MAXV)
		r->ops[r->nops++] = x;
}

/* Apply a MAP the way a driver does: new VA, map, link to the request's vm_bo. */
static void apply_map(struct env *e, const struct drm_gpuva_op_map *m)
{
	struct drm_gpuva *va = kzalloc(sizeof(*va), GFP_KERNEL);

	drm_gpuva_map(e->vm, va, m);
	CHECK(va->vm == e->vm);
	link_va(e, va);
}

/* Apply a REMAP: insert the pieces, link them to the old vm_bo, drop the old VA. */
static void apply_remap(const struct drm_gpuva_op_remap *rm)
{
	struct drm_gpuva *old = rm->unmap->va;
	struct drm_gpuvm_bo *vm_bo = old->vm_bo;
	struct drm_gpuva *prev = rm->prev ? kzalloc(sizeof(*prev), GFP_KERNEL) : NULL;
	struct drm_gpuva *next = rm->next ? kzalloc(sizeof(*next), GFP_KERNEL) : NULL;

	drm_gpuva_remap(prev, next, rm);
	if (vm_bo) {
		dma_resv_lock(old->gem.obj->resv, NULL);
		if (prev)
			drm_gpuva_link(prev, vm_bo);
		if (next)
			drm_gpuva_link(next, vm_bo);
		drm_gpuva_unlink(old);
		dma_resv_unlock(old->gem.obj->resv);
	}
	kfree(old);
}

/* Apply an UNMAP: unlink, remove, free. */
static void apply_unmap(const struct drm_gpuva_op_unmap *um)
{
	struct drm_gpuva *va = um->va;

	unlink_va(va);
	drm_gpuva_unmap(um);
	kfree(va);
}

/* Apply any op of a list or a callback. */
static void apply_op(struct env *e, const struct drm_gpuva_op *op)
{
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		apply_map(e, &op->map);
		break;
	case DRM_GPUVA_OP_REMAP:
		apply_remap(&op->remap);
		break;
	case DRM_GPUVA_OP_UNMAP:
		apply_unmap(&op->unmap);
		break;
	default:
		CHECK(0);
	}
}

/* Common body of the step callbacks: count, maybe fail, record, apply. */
static int step(struct drm_gpuva_op *op, void *priv)
{
	struct env *e = priv;

	e->steps++;
	CHECK(!e->fail_at || e->steps <= e->fail_at);
	if (e->steps == e->fail_at)
		return e->fail_err;
	record(e, op);
	apply_op(e, op);
	return 0;
}

/* sm_step_map callback. */
static int step_map(struct drm_gpuva_op *op, void *priv)
{
	CHECK_EQ(op->op, DRM_GPUVA_OP_MAP);
	return step(op, priv);
}

/* sm_step_remap callback. */
static int step_remap(struct drm_gpuva_op *op, void *priv)
{
	CHECK_EQ(op->op, DRM_GPUVA_OP_REMAP);
	return step(op, priv);
}

/* sm_step_unmap callback. */
static int step_unmap(struct drm_gpuva_op *op, void *priv)
{
	CHECK_EQ(op->op, DRM_GPUVA_OP_UNMAP);
	return step(op, priv);
}

/* The request as a map_req. */
static struct drm_gpuvm_map_req map_req(const struct env *e, const struct xva *x)
{
	struct drm_gpuvm_map_req req = {
		.map.va.addr = x->addr, .map.va.range = x->range,
		.map.gem.obj = obj_of(e, x->obj), .map.gem.offset = x->off,
	};

	return req;
}

/* Path (a): build the op list, record it, apply it, free it. */
static void run_list(struct env *e)
{
	struct drm_gpuvm_map_req req = map_req(e, &e->req);
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	if (e->kind == K_MAP)
		ops = drm_gpuvm_sm_map_ops_create(e->vm, &req);
	else if (e->kind == K_MADVISE)
		ops = drm_gpuvm_madvise_ops_create(e->vm, &req);
	else
		ops = drm_gpuvm_sm_unmap_ops_create(e->vm, e->req.addr, e->req.range);
	if (IS_ERR(ops)) {
		e->out->ret = PTR_ERR(ops);
		return;
	}
	CHECK(ops != NULL);
	if (!ops)
		return;
	e->out->ret = 0;
	drm_gpuva_for_each_op(op, ops)
		record(e, op);
	drm_gpuva_for_each_op(op, ops)
		apply_op(e, op);
	drm_gpuva_ops_free(e->vm, ops);
}

/* Path (b): the callback walker records and applies each step. */
static void run_walk(struct env *e)
{
	struct drm_gpuvm_map_req req = map_req(e, &e->req);

	if (e->kind == K_MAP)
		e->out->ret = drm_gpuvm_sm_map(e->vm, e, &req);
	else
		e->out->ret = drm_gpuvm_sm_unmap(e->vm, e, e->req.addr, e->req.range);
}

/* Run @row on a fresh VM through one path into @r. */
static void run_row(const struct row *row, bool walk, struct result *r)
{
	struct env e;

	memset(r, 0, sizeof(*r));
	env_init(&e, row->rs, row->rr, row->ex);
	e.req = row->req;
	e.kind = row->kind;
	e.out = r;
	if (walk)
		run_walk(&e);
	else
		run_list(&e);
	collect_tree(&e, r);
	env_fini(&e);
}

/* Two mappings equal (two "none" parts are equal whatever else they hold). */
static bool xva_eq(const struct xva *a, const struct xva *b)
{
	if (!a->range || !b->range)
		return a->range == b->range;
	return a->addr == b->addr && a->range == b->range && a->obj == b->obj &&
	       a->off == b->off;
}

/* Two ops equal. */
static bool xop_eq(const struct xop *a, const struct xop *b)
{
	if (a->t != b->t)
		return false;
	if (a->t == T_MAP)
		return xva_eq(&a->map, &b->map);
	if (a->va != b->va || a->keep != b->keep)
		return false;
	return a->t != T_REMAP || (xva_eq(&a->prev, &b->prev) && xva_eq(&a->next, &b->next));
}

/* Print one mapping for a failure message. */
static void print_xva(const char *tag, const struct xva *x)
{
	if (!x->range)
		fprintf(stderr, " %s=-", tag);
	else
		fprintf(stderr, " %s=[%llx+%llx obj%d @%llx]", tag,
			(unsigned long long)x->addr, (unsigned long long)x->range,
			x->obj, (unsigned long long)x->off);
}

/* Print a result for a failure message. */
static void print_result(const char *what, const struct result *r)
{
	static const char *const tn[] = { "END", "MAP", "REMAP", "UNMAP" };
	int i;

	fprintf(stderr, "  %s: ret %d\n", what, r->ret);
	for (i = 0; i < r->nops; i++) {
		const struct xop *o = &r->ops[i];

		fprintf(stderr, "    %s", tn[o->t]);
		if (o->t == T_MAP) {
			print_xva("map", &o->map);
		} else {
			fprintf(stderr, " va=%d keep=%d", o->va, o->keep);
			if (o->t == T_REMAP) {
				print_xva("prev", &o->prev);
				print_xva("next", &o->next);
			}
		}
		fprintf(stderr, "\n");
	}
	fprintf(stderr, "    tree:");
	for (i = 0; i < r->nres; i++)
		print_xva("", &r->res[i]);
	fprintf(stderr, "\n");
}

/* Results equal: return code, ops and tree. */
static bool result_eq(const struct result *a, const struct result *b)
{
	int i;

	if (a->ret != b->ret || a->nops != b->nops || a->nres != b->nres)
		return false;
	for (i = 0; i < a->nops; i++)
		if (!xop_eq(&a->ops[i], &b->ops[i]))
			return false;
	for (i = 0; i < a->nres; i++)
		if (!xva_eq(&a->res[i], &b->res[i]))
			return false;
	return true;
}

/* The row's expectation as a result. */
static void expected(const struct row *row, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->ret = row->ret;
	while (r->nops < MAXV && row->ops[r->nops].t)
		r->nops++;
	memcpy(r->ops, row->ops, sizeof(r->ops));
	while (r->nres < MAXV && row->res[r->nres].range)
		r->nres++;
	memcpy(r->res, row->res, sizeof(r->res));
}

/* Compare @got with @want; on mismatch print both with the row's name. */
static void check_result(const char *name, const char *path,
			 const struct result *got, const struct result *want)
{
	if (result_eq(got, want))
		return;
	fprintf(stderr, "row %s, %s:\n", name, path);
	print_result("expected", want);
	print_result("got", got);
	test_failures++;
}

/* Run every row of @kind through both paths and compare. */
static void run_rows(int kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		struct result want, list, walk;

		if (row->kind != kind)
			continue;
		expected(row, &want);
		run_row(row, false, &list);
		check_result(row->name, "ops list", &list, &want);
		if (kind == K_MADVISE)
			continue;
		run_row(row, true, &walk);
		check_result(row->name, "callbacks", &walk, &want);
		check_result(row->name, "callbacks vs list", &walk, &list);
	}
}

TEST(sm_map_table)
{
	run_rows(K_MAP);
}

TEST(sm_unmap_table)
{
	run_rows(K_UNMAP);
}

TEST(madvise_table)
{
	if (GVM_HAS_MADVISE)
		run_rows(K_MADVISE);
	else
		fprintf(stderr, "madvise_table: skipped, this API era has no madvise\n");
}

/* Every entry point rejects an invalid range with -EINVAL and changes nothing. */
TEST(invalid_requests)
{
	static const struct xva bad[] = {
#ifndef GPUVM_UPSTREAM_QUIRKS	/* upstream accepts empty ranges (README) */
		V(4, 0, OA, 0),				/* empty */
#endif
		V(0xfffffffffffff000ull, 0x2000, OA, 0),	/* wraps */
		V(0xf0, 0x20, OA, 0),			/* past the window end */
		V(0x100, 1, OA, 0),			/* outside the window */
		V(9, 3, OA, 0),				/* over the reserved node */
		V(6, 3, ON, 0),				/* likewise */
		V(8, 2, OB, 0),				/* exactly the reserved node */
	};
	static const struct xva ex[MAXV] = { V(0, 4, OA, 10), V(4, 2, ON, 0) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct drm_gpuvm_map_req req;
		struct result r = { 0 };
		struct env e;
		void *p;

		env_init(&e, 8, 2, ex);
		e.out = &r;
		e.req = bad[i];
		req = map_req(&e, &bad[i]);
		CHECK_EQ(drm_gpuvm_sm_map(e.vm, &e, &req), -EINVAL);
		CHECK_EQ(drm_gpuvm_sm_unmap(e.vm, &e, bad[i].addr, bad[i].range), -EINVAL);
		p = drm_gpuvm_sm_map_ops_create(e.vm, &req);
		CHECK(p == ERR_PTR(-EINVAL));
		p = drm_gpuvm_sm_unmap_ops_create(e.vm, bad[i].addr, bad[i].range);
		CHECK(p == ERR_PTR(-EINVAL));
		if (GVM_HAS_MADVISE) {
			p = drm_gpuvm_madvise_ops_create(e.vm, &req);
			CHECK(p == ERR_PTR(-EINVAL));
		}
		CHECK_EQ(e.steps, 0);
		collect_tree(&e, &r);
		CHECK_EQ(r.nres, 2);
		CHECK(xva_eq(&r.res[0], &ex[0]) && xva_eq(&r.res[1], &ex[1]));
		env_fini(&e);
	}
}

/* A failing step stops the walk: its error is returned, no later step runs. */
TEST(step_error_stops_walk)
{
	static const char *const names[] = { "X2", "U5", "11" };
	size_t n, i;

	for (n = 0; n < ARRAY_SIZE(names); n++) {
		const struct row *row = NULL;
		int k, nsteps = 0;

		for (i = 0; i < ARRAY_SIZE(rows); i++)
			if (!strcmp(rows[i].name, names[n]))
				row = &rows[i];
		CHECK(row != NULL);
		if (!row)
			continue;
		while (nsteps < MAXV && row->ops[nsteps].t)
			nsteps++;
		for (k = 1; k <= nsteps; k++) {
			struct drm_gpuvm_map_req req;
			struct result r = { 0 };
			struct env e;
			int ret, j;

			env_init(&e, row->rs, row->rr, row->ex);
			e.out = &r;
			e.req = row->req;
			e.fail_at = k;
			e.fail_err = -EIO;
			req = map_req(&e, &row->req);
			if (row->kind == K_MAP)
				ret = drm_gpuvm_sm_map(e.vm, &e, &req);
			else
				ret = drm_gpuvm_sm_unmap(e.vm, &e, row->req.addr, row->req.range);
			CHECK_EQ(ret, -EIO);
			CHECK_EQ(e.steps, k);
			CHECK_EQ(r.nops, k - 1);
			for (j = 0; j < r.nops; j++)
				CHECK(xop_eq(&r.ops[j], &row->ops[j]));
			env_fini(&e);
		}
	}
}

TEST_MAIN(sm_map_table, sm_unmap_table, madvise_table, invalid_requests,
	  step_error_stops_walk)
