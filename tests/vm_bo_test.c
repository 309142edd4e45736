// SPDX-License-Identifier: MIT
/*
 * VM lifetime, the VA tree's public lookups and the vm_bo life cycle:
 * reference counts, staged and immediate mode, deferred cleanup and
 * zombies, extobj and evict lists, lock assertions and -ENOMEM.
 */
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include "fixture.h"
#include "test.h"

/* A new VM over [0, 0x1000) with @flags and an optional reserved window. */
static struct drm_gpuvm *new_vm_rsv(enum drm_gpuvm_flags flags, u64 rs, u64 rr)
{
	return fixture_vm("t", flags, 0, 0x1000, rs, rr, NULL);
}

/* A new VM over [0, 0x1000) without reserved window. */
static struct drm_gpuvm *new_vm(enum drm_gpuvm_flags flags)
{
	return new_vm_rsv(flags, 0, 0);
}

/* Remove @va from its tree and free it. */
static void del_va(struct drm_gpuva *va)
{
	drm_gpuva_remove(va);
	kfree(va);
}

/* Is @node on @head? */
static bool list_has(struct list_head *head, struct list_head *node)
{
	struct list_head *p;

	list_for_each(p, head)
		if (p == node)
			return true;
	return false;
}

/* Current reference counts. */
static unsigned int vm_refs(struct drm_gpuvm *vm) { return kref_read(&vm->kref); }
static unsigned int gem_refs(struct drm_gem_object *o) { return kref_read(&o->refcount); }

TEST(vm_lifetime_refs)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	fixture_vms_freed = 0;
	CHECK_EQ(vm_refs(vm), 1);
	CHECK(drm_gpuvm_get(vm) == vm);
	CHECK_EQ(vm_refs(vm), 2);
	drm_gpuvm_put(vm);
	CHECK_EQ(vm_refs(vm), 1);
	drm_gpuvm_put(NULL);

	va = fixture_va(vm, 0x100, 0x100, NULL, 0);
	CHECK(va && va->vm == vm);
	CHECK_EQ(vm_refs(vm), 2);
	vm_bo = drm_gpuvm_bo_create(vm, obj);
	CHECK_EQ(vm_refs(vm), 3);
	CHECK_EQ(gem_refs(obj), 2);

	/* The creator's reference goes first: VA and vm_bo keep the VM. */
	drm_gpuvm_put(vm);
	CHECK_EQ(fixture_vms_freed, 0);
	del_va(va);
	CHECK_EQ(fixture_vms_freed, 0);
	dma_resv_lock(obj->resv, NULL);
	CHECK(drm_gpuvm_bo_put(vm_bo));
	dma_resv_unlock(obj->resv);
	CHECK_EQ(fixture_vms_freed, 1);
	CHECK_EQ(gem_refs(obj), 1);
	drm_gem_object_put(obj);
}

TEST(resv_object_alloc)
{
	struct kcompat_alloc_stats before = kcompat_alloc_stats();
	struct drm_gem_object *r = drm_gpuvm_resv_object_alloc(NULL);

	CHECK(r);
	CHECK_EQ(gem_refs(r), 1);
	CHECK(r->resv == &r->_resv);
	drm_gem_object_put(r);
	CHECK_EQ(kcompat_alloc_stats().live, before.live);

	kcompat_alloc_fail_nth(1);
	CHECK(drm_gpuvm_resv_object_alloc(NULL) == NULL);
	CHECK_EQ(kcompat_alloc_stats().live, before.live);
}

TEST(kernel_reserved_node)
{
	struct drm_gpuvm *vm = new_vm_rsv(0, 0x800, 0x100);
	struct drm_gpuva *knode = &vm->kernel_alloc_node, *va;
	unsigned int n = 0;

	CHECK_EQ(vm_refs(vm), 1);	/* the kernel node takes no VM ref */
	CHECK(drm_gpuva_find_first(vm, 0x850, 1) == knode);
	CHECK(drm_gpuva_find(vm, 0x800, 0x100) == knode);
	CHECK(!drm_gpuvm_interval_empty(vm, 0x8ff, 1));
	CHECK(drm_gpuvm_interval_empty(vm, 0x900, 0x100));
	CHECK(!drm_gpuvm_range_valid(vm, 0x7ff, 2));
	CHECK(!drm_gpuvm_range_valid(vm, 0x8ff, 1));
	CHECK(drm_gpuvm_range_valid(vm, 0x700, 0x100));
	CHECK(drm_gpuvm_range_valid(vm, 0x900, 0x100));
	CHECK(fixture_va(vm, 0x7f0, 0x20, NULL, 0) == NULL);
	drm_gpuvm_for_each_va(va, vm)
		n++;
	CHECK_EQ(n, 1);

	drm_gpuva_remove(knode);
	CHECK_WARNS(1);
	CHECK(drm_gpuva_find_first(vm, 0x800, 0x100) == knode);
	CHECK_EQ(vm_refs(vm), 1);
	drm_gpuvm_put(vm);
}

TEST(init_overflow_warns)
{
	struct drm_gpuvm *vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	struct drm_gem_object *r = drm_gpuvm_resv_object_alloc(NULL);

	drm_gpuvm_init(vm, "t", 0, NULL, r, ~0ull - 0xf, 0x100, 0, 0, &fixture_vm_ops);
	CHECK_WARNS(1);
	CHECK_EQ(vm->mm_start, ~0ull - 0xf);
	CHECK_EQ(vm->mm_range, 0x100);
	drm_gpuvm_put(vm);
	CHECK_WARNS(0);

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	drm_gpuvm_init(vm, "t", 0, NULL, r, 0, 0x1000, ~0ull - 0xf, 0x100, &fixture_vm_ops);
	CHECK_WARNS(1);
	CHECK(RB_EMPTY_ROOT(&vm->rb.tree));
	CHECK(list_empty(&vm->rb.list));
	CHECK(drm_gpuvm_interval_empty(vm, 0, ~0ull));
	drm_gpuvm_put(vm);
	CHECK_WARNS(0);
	drm_gem_object_put(r);
}

TEST(range_valid_edges)
{
	struct drm_gpuvm *vm = fixture_vm("t", 0, 0x100, 0x1000, 0, 0, NULL);

	CHECK(drm_gpuvm_range_valid(vm, 0x100, 0x1000));
	CHECK(drm_gpuvm_range_valid(vm, 0x10ff, 1));
	CHECK(drm_gpuvm_range_valid(vm, 0x100, 1));
	CHECK(!drm_gpuvm_range_valid(vm, 0xff, 1));
	CHECK(!drm_gpuvm_range_valid(vm, 0x1100, 1));
	CHECK(!drm_gpuvm_range_valid(vm, 0x100, 0x1001));
	CHECK(!drm_gpuvm_range_valid(vm, 0x200, 0));
	CHECK(!drm_gpuvm_range_valid(vm, 0x200, ~0ull));
	CHECK(!drm_gpuvm_range_valid(vm, ~0ull, 2));
	drm_gpuvm_put(vm);
}

TEST(insert_errors)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gpuva bad = { 0 }, *a, *b;

	bad.va.addr = 0xf00;
	bad.va.range = 0x200;
	CHECK_EQ(drm_gpuva_insert(vm, &bad), -EINVAL);
	bad.va.addr = 0x100;
	bad.va.range = 0;
	CHECK_EQ(drm_gpuva_insert(vm, &bad), -EINVAL);
	CHECK(bad.vm == NULL);

	a = fixture_va(vm, 0x100, 0x100, NULL, 0);
	CHECK(a && a->vm == vm);
	bad.va.addr = 0x1ff;
	bad.va.range = 0x10;
	CHECK_EQ(drm_gpuva_insert(vm, &bad), -EEXIST);
	bad.va.addr = 0x0;
	bad.va.range = 0x101;
	CHECK_EQ(drm_gpuva_insert(vm, &bad), -EEXIST);
	CHECK_EQ(vm_refs(vm), 2);
	b = fixture_va(vm, 0x200, 0x100, NULL, 0);	/* adjacent is fine */
	CHECK(b);
	CHECK_EQ(vm_refs(vm), 3);
	del_va(a);
	del_va(b);
	CHECK_EQ(vm_refs(vm), 1);
	drm_gpuvm_put(vm);
}

TEST(find_family)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gpuva *a = fixture_va(vm, 0x100, 0x100, NULL, 0);
	struct drm_gpuva *b = fixture_va(vm, 0x300, 0x100, NULL, 0);

	CHECK(drm_gpuva_find(vm, 0x100, 0x100) == a);
	CHECK(drm_gpuva_find(vm, 0x100, 0x80) == NULL);
	CHECK(drm_gpuva_find(vm, 0x180, 0x80) == NULL);
	CHECK(drm_gpuva_find_first(vm, 0, 0x1000) == a);
	CHECK(drm_gpuva_find_first(vm, 0x1ff, 0x200) == a);
	CHECK(drm_gpuva_find_first(vm, 0x200, 0x100) == NULL);
	CHECK(drm_gpuva_find_first(vm, 0x250, 0x100) == b);
	CHECK(drm_gpuva_find_first(vm, 0x150, 0) == NULL);

	CHECK(drm_gpuva_find_prev(vm, 0x200) == a);
	CHECK(drm_gpuva_find_prev(vm, 0x150) == a);
	CHECK(drm_gpuva_find_prev(vm, 0x300) == NULL);
	CHECK(drm_gpuva_find_prev(vm, 0x100) == NULL);
	CHECK(drm_gpuva_find_prev(vm, 0) == NULL);
	CHECK(drm_gpuva_find_next(vm, 0x300) == b);
	CHECK(drm_gpuva_find_next(vm, 0x3ff) == b);
	CHECK(drm_gpuva_find_next(vm, 0x2ff) == NULL);
	CHECK(drm_gpuva_find_next(vm, 0x400) == NULL);
	CHECK(drm_gpuva_find_next(vm, 0x1000) == NULL);
	del_va(a);
	del_va(b);
	drm_gpuvm_put(vm);
}

TEST(iterators)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gpuva *va, *next;
	u64 addr;
	unsigned int n = 0;

	for (addr = 0; addr < 0x800; addr += 0x100)
		CHECK(fixture_va(vm, addr, 0x80, NULL, 0));
	drm_gpuvm_for_each_va_range(va, vm, 0x150, 0x400)
		n++;
	CHECK_EQ(n, 3);	/* 0x100 (covers 0x150), 0x200, 0x300 */
	n = 0;
	addr = 0;
	drm_gpuvm_for_each_va(va, vm) {
		CHECK_EQ(va->va.addr, addr);
		addr += 0x100;
		n++;
	}
	CHECK_EQ(n, 8);

	/* Remove a middle range while walking it. */
	drm_gpuvm_for_each_va_range_safe(va, next, vm, 0x200, 0x500)
		del_va(va);
	CHECK(drm_gpuvm_interval_empty(vm, 0x200, 0x300));
	CHECK(drm_gpuva_find(vm, 0x500, 0x80));
	CHECK_EQ(vm_refs(vm), 1 + 5);

	drm_gpuvm_for_each_va_safe(va, next, vm)
		del_va(va);
	CHECK(list_empty(&vm->rb.list));
	CHECK_EQ(vm_refs(vm), 1);
	drm_gpuvm_put(vm);
}

TEST(vm_bo_create_refs)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo = drm_gpuvm_bo_create(vm, obj);

	CHECK(vm_bo && vm_bo->vm == vm && vm_bo->obj == obj);
	CHECK_EQ(kref_read(&vm_bo->kref), 1);
	CHECK_EQ(vm_refs(vm), 2);
	CHECK_EQ(gem_refs(obj), 2);
	CHECK(list_empty(&obj->gpuva.list));
	CHECK(list_empty(&vm_bo->list.entry.extobj));
	CHECK(list_empty(&vm_bo->list.entry.evict));
	drm_gpuvm_bo_get(vm_bo);
	dma_resv_lock(obj->resv, NULL);
	CHECK(!drm_gpuvm_bo_put(vm_bo));
	CHECK(drm_gpuvm_bo_put(vm_bo));
	CHECK(!drm_gpuvm_bo_put(NULL));
	dma_resv_unlock(obj->resv);
	CHECK_EQ(vm_refs(vm), 1);
	CHECK_EQ(gem_refs(obj), 1);
	fixture_objs_freed = 0;
	drm_gem_object_put(obj);
	CHECK_EQ(fixture_objs_freed, 1);
	drm_gpuvm_put(vm);
}

TEST(obtain_locked_staged)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *a, *b, *f;
	struct drm_gpuva *va = fixture_va(vm, 0x100, 0x100, obj, 0);

	dma_resv_lock(obj->resv, NULL);
	CHECK(drm_gpuvm_bo_find(vm, obj) == NULL);
	a = drm_gpuvm_bo_obtain_locked(vm, obj);
	CHECK(!IS_ERR_OR_NULL(a));
	CHECK(list_has(&obj->gpuva.list, &a->list.entry.gem));
	CHECK(list_empty(&vm->extobj.list));	/* obtain does not add extobjs */
	CHECK_EQ(vm_refs(vm), 3);
	CHECK_EQ(gem_refs(obj), 2);
	b = drm_gpuvm_bo_obtain_locked(vm, obj);
	CHECK(a == b);
	CHECK_EQ(kref_read(&a->kref), 2);
	f = drm_gpuvm_bo_find(vm, obj);
	CHECK(f == a);
	CHECK_EQ(kref_read(&a->kref), 3);
	CHECK_EQ(vm_refs(vm), 3);	/* still one vm_bo */

	drm_gpuva_link(va, a);
	CHECK(va->vm_bo == a);
	CHECK_EQ(kref_read(&a->kref), 4);
	CHECK(!drm_gpuvm_bo_put(f));
	CHECK(!drm_gpuvm_bo_put(b));
	CHECK(!drm_gpuvm_bo_put(a));
	CHECK_EQ(kref_read(&a->kref), 1);
	drm_gpuva_unlink(va);	/* last ref: destroys */
	CHECK(va->vm_bo == NULL);
	CHECK(list_empty(&obj->gpuva.list));
	dma_resv_unlock(obj->resv);
	CHECK_EQ(vm_refs(vm), 2);
	CHECK_EQ(gem_refs(obj), 1);
	del_va(va);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(obtain_prealloc_immediate)
{
	struct drm_gpuvm *vm = new_vm(DRM_GPUVM_IMMEDIATE_MODE);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *p1, *p2, *r1, *r2;
	size_t live;

	p1 = drm_gpuvm_bo_create(vm, obj);
	r1 = drm_gpuvm_bo_obtain_prealloc(p1);
	CHECK(r1 == p1);
	CHECK_EQ(kref_read(&r1->kref), 1);
	CHECK(list_has(&obj->gpuva.list, &r1->list.entry.gem));
	CHECK(!mutex_is_locked(&obj->gpuva.lock));

	live = kcompat_alloc_stats().live;
	p2 = drm_gpuvm_bo_create(vm, obj);
	CHECK_EQ(vm_refs(vm), 3);
	CHECK_EQ(gem_refs(obj), 3);
	r2 = drm_gpuvm_bo_obtain_prealloc(p2);	/* p2 is freed */
	CHECK(r2 == r1);
	CHECK_EQ(kref_read(&r1->kref), 2);
	CHECK_EQ(kcompat_alloc_stats().live, live);
	CHECK_EQ(vm_refs(vm), 2);
	CHECK_EQ(gem_refs(obj), 2);
	CHECK_EQ(list_count_nodes(&obj->gpuva.list), 1);

	mutex_lock(&obj->gpuva.lock);
	CHECK(drm_gpuvm_bo_find(vm, obj) == r1);
	CHECK(!drm_gpuvm_bo_put(r1));
	mutex_unlock(&obj->gpuva.lock);
	CHECK(!drm_gpuvm_bo_put_deferred(r1));
	CHECK(drm_gpuvm_bo_put_deferred(r1));
	CHECK(!llist_empty(&vm->bo_defer));
	drm_gpuvm_bo_deferred_cleanup(vm);
	CHECK(llist_empty(&vm->bo_defer));
	CHECK_EQ(vm_refs(vm), 1);
	CHECK_EQ(gem_refs(obj), 1);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(staged_lock_assertions)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuva *va = fixture_va(vm, 0x100, 0x100, obj, 0);
	struct drm_gpuvm_bo *vm_bo;

	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);	/* A2 missing */
	CHECK_WARNS(2);	/* the find and the list add both assert A2 */
	CHECK(!IS_ERR_OR_NULL(vm_bo));
	drm_gpuva_link(va, vm_bo);
	CHECK_WARNS(1);
	CHECK(va->vm_bo == vm_bo);
	drm_gpuvm_bo_put(vm_bo);	/* not the last: no assertion */
	CHECK_WARNS(0);
	drm_gpuva_unlink(va);	/* unlink's A2 and the destroy's A2 */
	CHECK_WARNS(2);
	CHECK(list_empty(&obj->gpuva.list));
	del_va(va);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(mode_mismatch_warns)
{
	struct drm_gpuvm *vm = new_vm(0), *ivm = new_vm(DRM_GPUVM_IMMEDIATE_MODE);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuva *va = fixture_va(vm, 0x100, 0x100, obj, 0);
	struct drm_gpuvm_bo *vm_bo;

	dma_resv_lock(obj->resv, NULL);
	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);
	drm_gpuva_link(va, vm_bo);
	dma_resv_unlock(obj->resv);
	CHECK_WARNS(0);

	drm_gpuvm_bo_get(vm_bo);
	drm_gpuvm_bo_put_deferred(vm_bo);	/* staged VM: WARN */
	CHECK_WARNS(1);
	drm_gpuva_unlink_defer(va);	/* staged VM: WARN */
	CHECK_WARNS(1);

	/* Whatever those did, clean up in staged style. */
	dma_resv_lock(obj->resv, NULL);
	drm_gpuva_unlink(va);
	while (!list_empty(&obj->gpuva.list) && !drm_gpuvm_bo_put(vm_bo))
		;
	dma_resv_unlock(obj->resv);
	CHECK_WARNS(0);
	drm_gpuvm_bo_deferred_cleanup(vm);
	CHECK(list_empty(&obj->gpuva.list));

	mutex_lock(&obj->gpuva.lock);
	vm_bo = drm_gpuvm_bo_obtain_locked(ivm, obj);
	mutex_unlock(&obj->gpuva.lock);
	/* The mode WARN, and the allocation under the no-alloc gpuva lock. */
	CHECK_WARNS(2);
	if (!IS_ERR_OR_NULL(vm_bo))
		drm_gpuvm_bo_put_deferred(vm_bo);
	drm_gpuvm_bo_deferred_cleanup(ivm);
	CHECK_WARNS(0);
	del_va(va);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
	drm_gpuvm_put(ivm);
}

TEST(unlink_defer_zombie)
{
	struct drm_gpuvm *vm = new_vm(DRM_GPUVM_IMMEDIATE_MODE);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuva *va = fixture_va(vm, 0x100, 0x100, obj, 0);
	struct drm_gpuvm_bo *z, *fresh;

	z = drm_gpuvm_bo_obtain_prealloc(drm_gpuvm_bo_create(vm, obj));
	mutex_lock(&obj->gpuva.lock);
	drm_gpuva_link(va, z);
	mutex_unlock(&obj->gpuva.lock);
	CHECK(!drm_gpuvm_bo_put_deferred(z));	/* the VA keeps it */
	CHECK_EQ(kref_read(&z->kref), 1);

	drm_gpuva_unlink_defer(va);
	CHECK(va->vm_bo == NULL);
	CHECK_EQ(kref_read(&z->kref), 0);
	CHECK(!llist_empty(&vm->bo_defer));
	CHECK(list_empty(&obj->gpuva.list));
	CHECK_EQ(vm_refs(vm), 3);	/* creator, VA, zombie */
	CHECK_EQ(gem_refs(obj), 2);	/* test, zombie */
	mutex_lock(&obj->gpuva.lock);
	CHECK(drm_gpuvm_bo_find(vm, obj) == NULL);
	mutex_unlock(&obj->gpuva.lock);

	fresh = drm_gpuvm_bo_obtain_prealloc(drm_gpuvm_bo_create(vm, obj));
	CHECK(fresh != z);
	CHECK_EQ(kref_read(&fresh->kref), 1);
	CHECK_EQ(vm_refs(vm), 4);
	CHECK(drm_gpuvm_bo_put_deferred(fresh));

	/* Drop the test's GEM ref: the zombies now own the object. */
	fixture_objs_freed = 0;
	drm_gem_object_put(obj);
	CHECK_EQ(fixture_objs_freed, 0);
	drm_gpuvm_bo_deferred_cleanup(vm);
	CHECK_EQ(fixture_objs_freed, 1);
	CHECK(llist_empty(&vm->bo_defer));
	CHECK_EQ(vm_refs(vm), 2);
	del_va(va);
	fixture_vms_freed = 0;
	drm_gpuvm_put(vm);
	CHECK_EQ(fixture_vms_freed, 1);
}

TEST(zombie_resv_protected_extobj)
{
	struct drm_gpuvm *vm = new_vm(DRM_GPUVM_RESV_PROTECTED | DRM_GPUVM_IMMEDIATE_MODE);
	struct drm_gem_object *obj = fixture_obj(NULL);
	struct drm_gpuvm_bo *vm_bo;

	vm_bo = drm_gpuvm_bo_obtain_prealloc(drm_gpuvm_bo_create(vm, obj));
	dma_resv_lock(drm_gpuvm_resv(vm), NULL);
	drm_gpuvm_bo_extobj_add(vm_bo);
	dma_resv_unlock(drm_gpuvm_resv(vm));
	CHECK(list_has(&vm->extobj.list, &vm_bo->list.entry.extobj));

	CHECK(drm_gpuvm_bo_put_deferred(vm_bo));
	CHECK(list_has(&vm->extobj.list, &vm_bo->list.entry.extobj));
	CHECK(list_empty(&obj->gpuva.list));
	CHECK(!llist_empty(&vm->bo_defer));

	drm_gpuvm_bo_deferred_cleanup(vm);	/* locks the VM resv itself */
	CHECK(!dma_resv_held(drm_gpuvm_resv(vm)));
	CHECK(list_empty(&vm->extobj.list));
	CHECK(llist_empty(&vm->bo_defer));
	CHECK_EQ(gem_refs(obj), 1);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(extobj_add)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *ext = fixture_obj(NULL), *priv = fixture_obj(vm);
	struct drm_gpuvm_bo *e, *p;

	CHECK(drm_gpuvm_is_extobj(vm, ext));
	CHECK(!drm_gpuvm_is_extobj(vm, priv));
	CHECK(!drm_gpuvm_is_extobj(vm, NULL));
	dma_resv_lock(ext->resv, NULL);
	e = drm_gpuvm_bo_obtain_locked(vm, ext);
	drm_gpuvm_bo_extobj_add(e);
	drm_gpuvm_bo_extobj_add(e);
	dma_resv_unlock(ext->resv);
	dma_resv_lock(priv->resv, NULL);
	p = drm_gpuvm_bo_obtain_locked(vm, priv);
	drm_gpuvm_bo_extobj_add(p);
	dma_resv_unlock(priv->resv);
	CHECK_EQ(list_count_nodes(&vm->extobj.list), 1);
	CHECK(list_has(&vm->extobj.list, &e->list.entry.extobj));
	CHECK(list_empty(&p->list.entry.extobj));

	dma_resv_lock(ext->resv, NULL);
	CHECK(drm_gpuvm_bo_put(e));
	dma_resv_unlock(ext->resv);
	CHECK(list_empty(&vm->extobj.list));
	dma_resv_lock(priv->resv, NULL);
	CHECK(drm_gpuvm_bo_put(p));
	dma_resv_unlock(priv->resv);
	drm_gem_object_put(ext);
	drm_gem_object_put(priv);
	drm_gpuvm_put(vm);
}

/* Check evict-list membership for a private and an external object in @flags mode. */
static void evict_lists(enum drm_gpuvm_flags flags)
{
	struct drm_gpuvm *vm = new_vm(flags);
	struct drm_gem_object *ext = fixture_obj(NULL), *priv = fixture_obj(vm);
	struct drm_gpuvm_bo *e, *p;
	bool prot = flags & DRM_GPUVM_RESV_PROTECTED;
	struct ww_acquire_ctx ctx;

	ww_acquire_init(&ctx, &reservation_ww_class);
	dma_resv_lock(drm_gpuvm_resv(vm), &ctx);	/* also priv's resv */
	dma_resv_lock(ext->resv, &ctx);
	e = drm_gpuvm_bo_obtain_locked(vm, ext);
	p = drm_gpuvm_bo_obtain_locked(vm, priv);
	drm_gpuvm_bo_extobj_add(e);

	drm_gpuvm_bo_evict(p, true);
	CHECK(p->evicted);
	CHECK(list_has(&vm->evict.list, &p->list.entry.evict));
	drm_gpuvm_bo_evict(e, true);
	CHECK(e->evicted);
	/* RESV_PROTECTED: an extobj's entry waits for prepare_objects. */
	CHECK_EQ(list_has(&vm->evict.list, &e->list.entry.evict), !prot);
	drm_gpuvm_bo_evict(p, false);
	CHECK(!p->evicted);
	CHECK(!list_has(&vm->evict.list, &p->list.entry.evict));
	drm_gpuvm_bo_evict(e, false);
	CHECK(list_empty(&vm->evict.list));

	drm_gpuvm_bo_gem_evict(priv, true);
	CHECK(p->evicted);
	CHECK(list_has(&vm->evict.list, &p->list.entry.evict));
	drm_gpuvm_bo_gem_evict(ext, true);
	CHECK(e->evicted);
	CHECK_EQ(list_count_nodes(&vm->evict.list), prot ? 1 : 2);
	drm_gpuvm_bo_gem_evict(priv, false);
	drm_gpuvm_bo_gem_evict(ext, false);
	CHECK(list_empty(&vm->evict.list));

	/* Destroying an evicted vm_bo takes it off the list. */
	drm_gpuvm_bo_evict(p, true);
	CHECK(drm_gpuvm_bo_put(p));
	CHECK(list_empty(&vm->evict.list));
	CHECK(drm_gpuvm_bo_put(e));
	CHECK(list_empty(&vm->extobj.list));
	dma_resv_unlock(ext->resv);
	dma_resv_unlock(drm_gpuvm_resv(vm));
	ww_acquire_fini(&ctx);
	drm_gem_object_put(ext);
	drm_gem_object_put(priv);
	drm_gpuvm_put(vm);
}

TEST(evict_resv_protected)
{
	evict_lists(DRM_GPUVM_RESV_PROTECTED);
}

TEST(evict_spinlock)
{
	evict_lists(0);
}

TEST(gem_put_in_signalling_warns)
{
	struct drm_gem_object *obj = fixture_obj(NULL);
	bool cookie;

	drm_gem_object_get(obj);
	cookie = dma_fence_begin_signalling();
	drm_gem_object_put(obj);	/* not the last: fine */
	CHECK_WARNS(0);
	fixture_objs_freed = 0;
	drm_gem_object_put(obj);
	CHECK_WARNS(1);
	dma_fence_end_signalling(cookie);
	CHECK_EQ(fixture_objs_freed, 1);
}

TEST(obtain_locked_enomem)
{
	struct drm_gpuvm *vm = new_vm(0);
	struct drm_gem_object *obj = fixture_obj(NULL), *other = fixture_obj(NULL);
	struct drm_gpuvm_bo *keep, *vm_bo;
	size_t live;

	/* Another vm_bo on a second VM-less list entry shape: same VM, other obj. */
	dma_resv_lock(other->resv, NULL);
	keep = drm_gpuvm_bo_obtain_locked(vm, other);
	dma_resv_unlock(other->resv);

	dma_resv_lock(obj->resv, NULL);
	live = kcompat_alloc_stats().live;
	kcompat_alloc_fail_nth(1);
	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);
	CHECK(IS_ERR(vm_bo));
	CHECK_EQ(PTR_ERR(vm_bo), -ENOMEM);
	CHECK_EQ(kcompat_alloc_stats().live, live);
	CHECK(list_empty(&obj->gpuva.list));
	CHECK_EQ(vm_refs(vm), 2);
	CHECK_EQ(gem_refs(obj), 1);

	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);	/* works again */
	CHECK(!IS_ERR_OR_NULL(vm_bo));
	CHECK(drm_gpuvm_bo_put(vm_bo));
	dma_resv_unlock(obj->resv);

	dma_resv_lock(other->resv, NULL);
	CHECK(drm_gpuvm_bo_put(keep));
	dma_resv_unlock(other->resv);
	drm_gem_object_put(obj);
	drm_gem_object_put(other);
	drm_gpuvm_put(vm);
}

TEST_MAIN(vm_lifetime_refs, resv_object_alloc, kernel_reserved_node,
	  init_overflow_warns, range_valid_edges, insert_errors, find_family,
	  iterators, vm_bo_create_refs, obtain_locked_staged,
	  obtain_prealloc_immediate, staged_lock_assertions, mode_mismatch_warns,
	  unlink_defer_zombie, zombie_resv_protected_extobj, extobj_add,
	  evict_resv_protected, evict_spinlock, gem_put_in_signalling_warns,
	  obtain_locked_enomem)
