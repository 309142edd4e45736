// SPDX-License-Identifier: MIT
/*
 * The invariant checker: consistent states built through the API must pass
 * (with exact refcount equations), and each deliberate corruption must be
 * reported under the right invariant. Every corruption is undone before
 * teardown so the case leaves no WARN and no leak.
 */
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_gpuvm_check.h>
#include "fixture.h"
#include "test.h"

#define NVA	32

static char msg[256];

/*
 * The checker cases keep this file's own layout: a 4 GiB window starting
 * at 0, far above every VA mapped here, reserving [0, @rr) if @rr != 0.
 */
static struct drm_gpuvm *new_vm(const char *name, enum drm_gpuvm_flags flags, u64 rr)
{
	return fixture_vm(name, flags, 0, 1ull << 32, 0, rr, NULL);
}

/* 1 MiB objects (not FIXTURE_OBJ_SIZE): every VA here fits inside one. */
static struct drm_gem_object *new_obj(struct drm_gpuvm *vm)
{
	return fixture_obj_sized(vm, 1 << 20);
}

/*
 * An unlinked VA whose gem.entry is an empty list rather than zeroed: the
 * checker accepts both as "on no vm_bo list", and these cases have always
 * exercised the self-linked form. Insertion is expected to succeed.
 */
static struct drm_gpuva *new_va(struct drm_gpuvm *vm, u64 addr, u64 range,
				struct drm_gem_object *obj)
{
	struct drm_gpuva *va = fixture_va(vm, addr, range, obj, 0);

	CHECK(va != NULL);
	if (va)
		INIT_LIST_HEAD(&va->gem.entry);
	return va;
}

/* Staged mode: insert and link under the GEM's resv. */
static struct drm_gpuva *map_staged(struct drm_gpuvm *vm, u64 addr, u64 range,
				    struct drm_gem_object *obj)
{
	struct drm_gpuva *va = new_va(vm, addr, range, obj);
	struct drm_gpuvm_bo *vm_bo;

	dma_resv_lock(obj->resv, NULL);
	vm_bo = drm_gpuvm_bo_obtain_locked(vm, obj);
	drm_gpuva_link(va, vm_bo);
	drm_gpuvm_bo_put(vm_bo);
	dma_resv_unlock(obj->resv);
	return va;
}

/*
 * Unmap @va as a staged driver does, under its object's resv. A caller
 * that holds another resv passes the acquire context it took it with.
 */
static void unmap_staged_ctx(struct drm_gpuva *va, struct ww_acquire_ctx *ctx)
{
	struct drm_gem_object *obj = va->gem.obj;

	if (obj) {
		/* -EALREADY: the caller holds it (a private object's is the VM's). */
		int ret = dma_resv_lock(obj->resv, ctx);

		drm_gpuva_unlink(va);
		if (!ret)
			dma_resv_unlock(obj->resv);
	}
	drm_gpuva_remove(va);
	kfree(va);
}

static void unmap_staged(struct drm_gpuva *va)
{
	unmap_staged_ctx(va, NULL);
}

/* Immediate mode: preallocated vm_bo, link under the gpuva lock. */
static struct drm_gpuva *map_immediate(struct drm_gpuvm *vm, u64 addr, u64 range,
				       struct drm_gem_object *obj)
{
	struct drm_gpuva *va = new_va(vm, addr, range, obj);
	struct drm_gpuvm_bo *vm_bo;

	vm_bo = drm_gpuvm_bo_obtain_prealloc(drm_gpuvm_bo_create(vm, obj));
	mutex_lock(&obj->gpuva.lock);
	drm_gpuva_link(va, vm_bo);
	mutex_unlock(&obj->gpuva.lock);
	drm_gpuvm_bo_put_deferred(vm_bo);
	return va;
}

static bool vm_ok(struct drm_gpuvm *vm)
{
	bool ok = drm_gpuvm_check(vm, msg, sizeof(msg));

	if (!ok)
		fprintf(stderr, "unexpected: %s\n", msg);
	return ok;
}

/* The check fails and the message names @inv. */
static bool fails_with(bool ok, const char *inv)
{
	if (ok) {
		fprintf(stderr, "check passed, expected '%s'\n", inv);
		return false;
	}
	if (!strstr(msg, inv)) {
		fprintf(stderr, "expected '%s', got: %s\n", inv, msg);
		return false;
	}
	return true;
}

#define VM_FAILS(vm, inv)	CHECK(fails_with(drm_gpuvm_check(vm, msg, sizeof(msg)), inv))
#define GEM_FAILS(obj, inv)	CHECK(fails_with(drm_gpuvm_check_gem(obj, msg, sizeof(msg)), inv))

/* A staged VM: reserved node, two VAs on an extobj, one private, one bare. */
struct fix {
	struct drm_gpuvm *vm;
	struct drm_gem_object *ext, *priv;
	struct drm_gpuva *va[4];
};

static void fix_init(struct fix *f, enum drm_gpuvm_flags flags)
{
	f->vm = new_vm("fix", flags, 0x1000);
	f->ext = new_obj(NULL);
	f->priv = new_obj(f->vm);
	f->va[0] = map_staged(f->vm, 0x10000, 0x1000, f->ext);
	f->va[1] = map_staged(f->vm, 0x20000, 0x2000, f->ext);
	f->va[2] = map_staged(f->vm, 0x30000, 0x1000, f->priv);
	f->va[3] = new_va(f->vm, 0x40000, 0x1000, NULL);

	dma_resv_lock(drm_gpuvm_resv(f->vm), NULL);
	drm_gpuvm_bo_extobj_add(f->va[0]->vm_bo);
	drm_gpuvm_bo_evict(f->va[2]->vm_bo, true);
	dma_resv_unlock(drm_gpuvm_resv(f->vm));
}

static void fix_fini(struct fix *f)
{
	struct ww_acquire_ctx ctx;
	int i;

	dma_resv_lock(f->priv->resv, NULL);
	drm_gpuvm_bo_evict(f->va[2]->vm_bo, false);
	dma_resv_unlock(f->priv->resv);
	/*
	 * With RESV_PROTECTED the last put needs the VM's resv too: both
	 * under one acquire context, as two reservations must be.
	 */
	ww_acquire_init(&ctx, &reservation_ww_class);
	if (drm_gpuvm_resv_protected(f->vm))
		dma_resv_lock(drm_gpuvm_resv(f->vm), &ctx);
	for (i = 0; i < 2; i++)
		unmap_staged_ctx(f->va[i], &ctx);
	if (drm_gpuvm_resv_protected(f->vm))
		dma_resv_unlock(drm_gpuvm_resv(f->vm));
	ww_acquire_fini(&ctx);
	for (i = 2; i < 4; i++)
		unmap_staged(f->va[i]);
	drm_gem_object_put(f->ext);
	drm_gem_object_put(f->priv);
	drm_gpuvm_put(f->vm);
}

TEST(staged_consistent)
{
	struct fix f;
	struct drm_gem_object *objs[2];
	struct drm_gpuvm *vms[1];

	fix_init(&f, 0);
	objs[0] = f.ext;
	objs[1] = f.priv;
	vms[0] = f.vm;
	CHECK(vm_ok(f.vm));
	CHECK(drm_gpuvm_check_gem(f.ext, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_gem(f.priv, msg, sizeof(msg)));
	/* creator + 4 VAs + 2 vm_bos */
	CHECK(drm_gpuvm_check_vm_refs(f.vm, 1, objs, 2, msg, sizeof(msg)));
	CHECK(!drm_gpuvm_check_vm_refs(f.vm, 2, objs, 2, msg, sizeof(msg)));
	CHECK(strstr(msg, "inv 23") != NULL);
	CHECK(drm_gpuvm_check_gem_refs(f.ext, 1, vms, 1, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_gem_refs(f.priv, 1, vms, 1, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_gem_refs(f.vm->r_obj, 0, vms, 1, msg, sizeof(msg)));
	CHECK(!drm_gpuvm_check_gem_refs(f.ext, 0, vms, 1, msg, sizeof(msg)));
	CHECK(strstr(msg, "inv 24") != NULL);
	CHECK(drm_gpuvm_check_vm_bo_refs(f.va[0]->vm_bo, 0, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_vm_bo_refs(f.va[2]->vm_bo, 0, NULL, 0));
	fix_fini(&f);
}

TEST(resv_protected_consistent)
{
	struct fix f;

	fix_init(&f, DRM_GPUVM_RESV_PROTECTED);
	CHECK(vm_ok(f.vm));
	CHECK(drm_gpuvm_check_gem(f.ext, NULL, 0));
	fix_fini(&f);
}

TEST(no_reserve_consistent)
{
	struct drm_gpuvm *vm = new_vm("plain", 0, 0);
	struct drm_gpuva *va = new_va(vm, 0, 0x1000, NULL);

	CHECK(vm_ok(vm));
	CHECK(drm_gpuvm_check_vm_refs(vm, 1, NULL, 0, msg, sizeof(msg)));
	unmap_staged(va);
	CHECK(vm_ok(vm));
	drm_gpuvm_put(vm);
}

TEST(immediate_zombie_consistent)
{
	struct drm_gpuvm *vm = new_vm("imm", DRM_GPUVM_IMMEDIATE_MODE, 0x1000);
	struct drm_gem_object *obj = new_obj(NULL);
	struct drm_gpuva *a = map_immediate(vm, 0x10000, 0x1000, obj);
	struct drm_gpuva *b = map_immediate(vm, 0x20000, 0x1000, obj);
	struct drm_gem_object *objs[] = { obj };
	struct drm_gpuvm *vms[] = { vm };

	CHECK(vm_ok(vm));
	CHECK(drm_gpuvm_check_gem(obj, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_vm_refs(vm, 1, objs, 1, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_vm_bo_refs(a->vm_bo, 0, msg, sizeof(msg)));

	drm_gpuva_unlink_defer(a);
	drm_gpuva_unlink_defer(b);
	/* Now a zombie: off the GEM list, on bo_defer, still counted. */
	CHECK(!llist_empty(&vm->bo_defer));
	CHECK(vm_ok(vm));
	CHECK(drm_gpuvm_check_gem(obj, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_vm_refs(vm, 1, objs, 1, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_gem_refs(obj, 1, vms, 1, msg, sizeof(msg)));

	drm_gpuvm_bo_deferred_cleanup(vm);
	CHECK(vm_ok(vm));
	CHECK(drm_gpuvm_check_gem_refs(obj, 1, vms, 1, msg, sizeof(msg)));
	drm_gpuva_remove(a);
	drm_gpuva_remove(b);
	kfree(a);
	kfree(b);
	CHECK(drm_gpuvm_check_vm_refs(vm, 1, objs, 1, msg, sizeof(msg)));
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(shared_gem_consistent)
{
	struct drm_gpuvm *v1 = new_vm("v1", 0, 0), *v2 = new_vm("v2", 0, 0);
	struct drm_gem_object *obj = new_obj(NULL);
	struct drm_gpuva *a = map_staged(v1, 0x1000, 0x1000, obj);
	struct drm_gpuva *b = map_staged(v2, 0x1000, 0x1000, obj);
	struct drm_gpuvm *vms[] = { v1, v2 };

	CHECK(drm_gpuvm_check_gem(obj, msg, sizeof(msg)));
	CHECK(drm_gpuvm_check_gem_refs(obj, 1, vms, 2, msg, sizeof(msg)));
	CHECK(vm_ok(v1) && vm_ok(v2));

	/* inv 13: both vm_bos claim v1. */
	b->vm_bo->vm = v1;
	GEM_FAILS(obj, "inv 13");
	b->vm_bo->vm = v2;
	CHECK(drm_gpuvm_check_gem(obj, msg, sizeof(msg)));

	unmap_staged(a);
	unmap_staged(b);
	drm_gem_object_put(obj);
	drm_gpuvm_put(v1);
	drm_gpuvm_put(v2);
}

TEST(mixed_mode_gem)
{
	struct drm_gpuvm *v1 = new_vm("staged", 0, 0);
	struct drm_gpuvm *v2 = new_vm("imm", DRM_GPUVM_IMMEDIATE_MODE, 0);
	struct drm_gem_object *obj = new_obj(NULL);
	struct drm_gpuva *a = map_staged(v1, 0x1000, 0x1000, obj);
	struct drm_gpuva *b = map_immediate(v2, 0x1000, 0x1000, obj);

	GEM_FAILS(obj, "inv 31");
	unmap_staged(a);
	drm_gpuva_unlink_defer(b);
	drm_gpuvm_bo_deferred_cleanup(v2);
	drm_gpuva_remove(b);
	kfree(b);
	drm_gem_object_put(obj);
	drm_gpuvm_put(v1);
	drm_gpuvm_put(v2);
}

TEST(corrupt_swap_addr)
{
	struct fix f;
	u64 t;

	fix_init(&f, 0);
	t = f.va[0]->va.addr;
	f.va[0]->va.addr = f.va[1]->va.addr;
	f.va[1]->va.addr = t;
	VM_FAILS(f.vm, "inv 1");
	f.va[1]->va.addr = f.va[0]->va.addr;
	f.va[0]->va.addr = t;
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

TEST(corrupt_va_vm)
{
	struct fix f;
	struct drm_gpuvm *other = new_vm("other", 0, 0);

	fix_init(&f, 0);
	f.va[3]->vm = other;
	VM_FAILS(f.vm, "inv 3");
	f.va[3]->vm = f.vm;
	fix_fini(&f);
	drm_gpuvm_put(other);
}

TEST(corrupt_range)
{
	struct fix f;

	fix_init(&f, 0);
	f.va[3]->va.range = 0;
	VM_FAILS(f.vm, "inv 4");
	f.va[3]->va.range = 1ull << 40;
	VM_FAILS(f.vm, "inv 5");
	f.va[3]->va.range = 0x1000;
	fix_fini(&f);
}

TEST(corrupt_vm_bo_kref)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	vm_bo = f.va[0]->vm_bo;
	kref_get(&vm_bo->kref);
	/* Still above the lower bound, but the exact equation breaks. */
	CHECK(vm_ok(f.vm));
	CHECK(fails_with(drm_gpuvm_check_vm_bo_refs(vm_bo, 0, msg, sizeof(msg)), "inv 15"));
	CHECK(drm_gpuvm_check_vm_bo_refs(vm_bo, 1, msg, sizeof(msg)));
	refcount_set(&vm_bo->kref.refcount, 1);
	VM_FAILS(f.vm, "inv 15");
	refcount_set(&vm_bo->kref.refcount, 2);
	fix_fini(&f);
}

TEST(corrupt_evict_by_hand)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	vm_bo = f.va[0]->vm_bo;
	list_add_tail(&vm_bo->list.entry.evict, &f.vm->evict.list);
	VM_FAILS(f.vm, "inv 20");
	GEM_FAILS(f.ext, "inv 20");
	list_del_init(&vm_bo->list.entry.evict);
	/* Evicted but not listed. */
	vm_bo->evicted = true;
	VM_FAILS(f.vm, "inv 20");
	vm_bo->evicted = false;
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

TEST(corrupt_local_list)
{
	struct fix f;
	struct list_head local;

	fix_init(&f, 0);
	f.vm->extobj.local_list = &local;
	VM_FAILS(f.vm, "inv 22");
	f.vm->extobj.local_list = NULL;
	f.vm->evict.local_list = &local;
	VM_FAILS(f.vm, "inv 22");
	f.vm->evict.local_list = NULL;
	fix_fini(&f);
}

TEST(corrupt_private_on_extobj)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	vm_bo = f.va[2]->vm_bo;
	list_add_tail(&vm_bo->list.entry.extobj, &f.vm->extobj.list);
	VM_FAILS(f.vm, "inv 18");
	list_del_init(&vm_bo->list.entry.extobj);
	fix_fini(&f);
}

TEST(corrupt_unlinked_vm_bo)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	/* Sole VA of its vm_bo: no vm_bo pointer but still on the list. */
	vm_bo = f.va[2]->vm_bo;
	f.va[2]->vm_bo = NULL;
	VM_FAILS(f.vm, "inv 10");
	/* Points at a vm_bo of another GEM object. */
	f.va[2]->vm_bo = f.va[0]->vm_bo;
	VM_FAILS(f.vm, "inv 9");
	f.va[2]->vm_bo = vm_bo;
	/* Second VA of a list: seen while walking its owner's list. */
	vm_bo = f.va[1]->vm_bo;
	f.va[1]->vm_bo = NULL;
	VM_FAILS(f.vm, "inv 11");
	f.va[1]->vm_bo = vm_bo;
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

TEST(corrupt_kernel_node)
{
	struct fix f;

	fix_init(&f, 0);
	f.vm->kernel_alloc_node.gem.obj = f.ext;
	VM_FAILS(f.vm, "inv 6");
	f.vm->kernel_alloc_node.gem.obj = NULL;
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

TEST(corrupt_list_cycle)
{
	struct fix f;
	struct list_head *saved;

	fix_init(&f, 0);
	/* Last VA loops back to the first instead of the head. */
	saved = f.va[3]->rb.entry.next;
	f.va[3]->rb.entry.next = f.vm->rb.list.next;
	VM_FAILS(f.vm, "inv 1");
	f.va[3]->rb.entry.next = saved;
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

/* Some node that is black with a red parent, or NULL. */
static struct rb_node *black_under_red(struct rb_node *n)
{
	struct rb_node *r;

	if (!n)
		return NULL;
	if (!rb_is_red(n) && rb_parent(n) && rb_is_red(rb_parent(n)))
		return n;
	r = black_under_red(n->rb_left);
	return r ? r : black_under_red(n->rb_right);
}

TEST(corrupt_rb_colour)
{
	struct drm_gpuvm *vm = new_vm("rb", 0, 0);
	struct drm_gpuva *vas[NVA];
	struct rb_node *n, *root;
	int i;

	for (i = 0; i < NVA; i++)
		vas[i] = new_va(vm, 0x1000 * (i + 1), 0x1000, NULL);
	CHECK(vm_ok(vm));

	n = black_under_red(vm->rb.tree.rb_node);
	CHECK(n != NULL);
	if (n) {
		n->__rb_parent_color &= ~1ul;
		VM_FAILS(vm, "inv 2: red tree node");
		n->__rb_parent_color |= 1ul;
	}
	root = vm->rb.tree.rb_node;
	root->__rb_parent_color &= ~1ul;
	VM_FAILS(vm, "inv 2: tree root is red");
	root->__rb_parent_color |= 1ul;

	/* A child whose parent pointer names its grandparent. */
	n = root->rb_left->rb_left;
	n->__rb_parent_color = (unsigned long)root | rb_color(n);
	VM_FAILS(vm, "wrong parent pointer");
	n->__rb_parent_color = (unsigned long)root->rb_left | rb_color(n);

	/* Tree and list disagree: swap two list entries. */
	list_del(&vas[0]->rb.entry);
	list_add(&vas[0]->rb.entry, &vas[1]->rb.entry);
	VM_FAILS(vm, "inv");
	list_del(&vas[1]->rb.entry);
	list_add(&vas[1]->rb.entry, &vas[0]->rb.entry);
	CHECK(vm_ok(vm));

	for (i = 0; i < NVA; i++)
		unmap_staged(vas[i]);
	drm_gpuvm_put(vm);
}

TEST(corrupt_zombie)
{
	struct drm_gpuvm *vm = new_vm("imm", DRM_GPUVM_IMMEDIATE_MODE, 0);
	struct drm_gem_object *obj = new_obj(NULL);
	struct drm_gpuva *a = map_immediate(vm, 0x10000, 0x1000, obj);
	struct drm_gpuvm_bo *z = a->vm_bo;
	struct llist_node *saved;

	drm_gpuva_unlink_defer(a);
	CHECK(vm_ok(vm));
	refcount_set(&z->kref.refcount, 1);
	VM_FAILS(vm, "inv 16");
	refcount_set(&z->kref.refcount, 0);

	saved = z->list.entry.bo_defer.next;
	z->list.entry.bo_defer.next = &z->list.entry.bo_defer;
	VM_FAILS(vm, "inv 17");
	z->list.entry.bo_defer.next = saved;

	list_add_tail(&z->list.entry.extobj, &vm->extobj.list);
	VM_FAILS(vm, "inv 16");
	list_del_init(&z->list.entry.extobj);
	CHECK(vm_ok(vm));

	drm_gpuvm_bo_deferred_cleanup(vm);
	drm_gpuva_remove(a);
	kfree(a);
	drm_gem_object_put(obj);
	drm_gpuvm_put(vm);
}

TEST(corrupt_staged_bo_defer)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	vm_bo = f.va[0]->vm_bo;
	llist_add(&vm_bo->list.entry.bo_defer, &f.vm->bo_defer);
	VM_FAILS(f.vm, "inv 17");
	init_llist_head(&f.vm->bo_defer);
	init_llist_node(&vm_bo->list.entry.bo_defer);
	fix_fini(&f);
}

TEST(corrupt_gem_list)
{
	struct fix f;
	struct drm_gpuvm_bo *vm_bo;

	fix_init(&f, 0);
	vm_bo = f.va[0]->vm_bo;
	vm_bo->obj = f.priv;
	GEM_FAILS(f.ext, "inv 14");
	vm_bo->obj = f.ext;
	/* A live extobj entry that is off its GEM list. */
	list_del_init(&vm_bo->list.entry.gem);
	VM_FAILS(f.vm, "inv 21");
	list_add_tail(&vm_bo->list.entry.gem, &f.ext->gpuva.list);
	CHECK(vm_ok(f.vm));
	fix_fini(&f);
}

TEST_MAIN(staged_consistent, resv_protected_consistent, no_reserve_consistent,
	  immediate_zombie_consistent, shared_gem_consistent, mixed_mode_gem,
	  corrupt_swap_addr, corrupt_va_vm, corrupt_range, corrupt_vm_bo_kref,
	  corrupt_evict_by_hand, corrupt_local_list, corrupt_private_on_extobj,
	  corrupt_unlinked_vm_bo, corrupt_kernel_node, corrupt_list_cycle,
	  corrupt_rb_colour, corrupt_zombie, corrupt_staged_bo_defer,
	  corrupt_gem_list)
