// SPDX-License-Identifier: MIT
/*
 * Locking and validation helpers: prepare_vm/objects/range, the exec_lock
 * family (with injected ww contention), drm_gpuvm_validate in both list
 * protection modes, fence usages, the sm_*_exec_lock helpers and -ENOMEM
 * in drm_gpuvm_sm_map_ops_create.
 */
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include "fixture.h"
#include "test.h"

static int validate_calls;	/* vm_bo_validate() invocations */
static int validate_err;	/* what vm_bo_validate() returns */

/* ops->vm_bo_validate: "revalidate", i.e. clear the evicted state. */
static int vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	(void)exec;
	validate_calls++;
	if (validate_err)
		return validate_err;
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
}

static const struct drm_gpuvm_ops val_ops = {
	.vm_free = fixture_vm_free,
	.vm_bo_validate = vm_bo_validate,
};

/*
 * The fixture: two external objects and a private one, each with a vm_bo
 * (the test keeps the obtain reference), and four VAs:
 * [0x100,0x200) ext0, [0x200,0x300) no object, [0x300,0x400) ext1,
 * [0x400,0x500) priv.
 */
struct fix {
	struct drm_gpuvm *vm;
	struct drm_gem_object *obj[3];	/* ext0, ext1, priv */
	struct drm_gpuvm_bo *bo[3];
	struct drm_gpuva *va[4];
};

/* Lock the VM resv and both external objects in @exec. */
static void lock_all(struct fix *f, struct drm_exec *exec)
{
	int ret;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(f->vm, exec, 0);
		drm_exec_retry_on_contention(exec);
		CHECK_EQ(ret, 0);
		ret = drm_exec_prepare_array(exec, f->obj, 2, 1);
		drm_exec_retry_on_contention(exec);
		CHECK_EQ(ret, 0);
	}
}

/* Build the fixture in a staged-mode VM with @flags and @ops. */
static void fix_setup(struct fix *f, enum drm_gpuvm_flags flags,
		      const struct drm_gpuvm_ops *ops)
{
	static const int va_obj[4] = { 0, -1, 1, 2 };
	struct drm_exec exec;
	int i;

	f->vm = fixture_vm("t", flags, 0, 0x1000, 0, 0, ops);
	f->obj[0] = fixture_obj(NULL);
	f->obj[1] = fixture_obj(NULL);
	f->obj[2] = fixture_obj(f->vm);

	lock_all(f, &exec);
	for (i = 0; i < 3; i++) {
		f->bo[i] = drm_gpuvm_bo_obtain_locked(f->vm, f->obj[i]);
		drm_gpuvm_bo_extobj_add(f->bo[i]);
	}
	for (i = 0; i < 4; i++) {
		struct drm_gpuva *va;

		va = fixture_va(f->vm, 0x100 * (i + 1), 0x100,
				va_obj[i] < 0 ? NULL : f->obj[va_obj[i]], 0);
		CHECK(va != NULL);
		if (va && va_obj[i] >= 0)
			drm_gpuva_link(va, f->bo[va_obj[i]]);
		f->va[i] = va;
	}
	drm_exec_fini(&exec);
	CHECK_EQ(kcompat_warn_count(), 0);
}

/* Tear the fixture down; every lock is taken so no assertion fires. */
static void fix_teardown(struct fix *f)
{
	struct drm_exec exec;
	int i;

	lock_all(f, &exec);
	for (i = 0; i < 4; i++) {
		drm_gpuva_unlink(f->va[i]);
		drm_gpuva_remove(f->va[i]);
		kfree(f->va[i]);
	}
	for (i = 0; i < 3; i++)
		CHECK(drm_gpuvm_bo_put(f->bo[i]));
	drm_exec_fini(&exec);
	for (i = 0; i < 3; i++)
		drm_gem_object_put(f->obj[i]);
	drm_gpuvm_put(f->vm);
}

/* Is @obj's resv held by this thread? */
static bool held(struct drm_gem_object *obj)
{
	return dma_resv_held(obj->resv);
}

TEST(prepare_vm_objects_range)
{
	struct fix f;
	struct drm_exec exec;
	int ret;

	fix_setup(&f, 0, &fixture_vm_ops);
	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_prepare_vm(f.vm, &exec, 1);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
	}
	CHECK(held(f.vm->r_obj) && held(f.obj[2]));
	CHECK(!held(f.obj[0]) && !held(f.obj[1]));
	drm_exec_fini(&exec);
	CHECK(!held(f.vm->r_obj));

	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_prepare_objects(f.vm, &exec, 1);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
	}
	CHECK(held(f.obj[0]) && held(f.obj[1]));
	CHECK(!held(f.vm->r_obj));
	CHECK_EQ(exec.num_objects, 2);
	drm_exec_fini(&exec);

	/* [0x150, 0x350): ext0, the object-less VA (skipped), ext1. */
	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_prepare_range(f.vm, &exec, 0x150, 0x200, 0);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
	}
	CHECK_EQ(exec.num_objects, 2);
	CHECK(held(f.obj[0]) && held(f.obj[1]));
	CHECK(!held(f.vm->r_obj));
	drm_exec_fini(&exec);
	CHECK(!held(f.obj[0]) && !held(f.obj[1]));
	fix_teardown(&f);
}

/* drm_gpuvm_exec_lock() on a fresh fixture with @flags, ww failure at @nth. */
static void exec_lock_case(enum drm_gpuvm_flags flags, unsigned long nth)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	struct fix f;

	fix_setup(&f, flags, &fixture_vm_ops);
	vm_exec.vm = f.vm;
	kcompat_ww_fail_nth(nth);
	CHECK_EQ(drm_gpuvm_exec_lock(&vm_exec), 0);
	kcompat_ww_fail_nth(0);
	CHECK(held(f.vm->r_obj) && held(f.obj[0]) && held(f.obj[1]));
	CHECK_EQ(vm_exec.exec.num_objects, 3);
	drm_gpuvm_exec_unlock(&vm_exec);
	CHECK(!held(f.vm->r_obj) && !held(f.obj[0]) && !held(f.obj[1]));
	fix_teardown(&f);
}

TEST(exec_lock_basic)
{
	exec_lock_case(0, 0);
	exec_lock_case(DRM_GPUVM_RESV_PROTECTED, 0);
}

TEST(exec_lock_contention)
{
	exec_lock_case(0, 2);
	exec_lock_case(DRM_GPUVM_RESV_PROTECTED, 2);
	exec_lock_case(0, 3);
}

/*
 * The object a back-off locks first but the next pass no longer asks for
 * (say its vm_bo went meanwhile) is unlocked when the loop ends, as the
 * kernel's drm_exec does: not left locked among the objects a fence would
 * then be added to without a reserved slot.
 */
TEST(contended_object_not_asked_again)
{
	struct drm_exec exec;
	bool first = true;
	struct fix f;
	int ret;

	fix_setup(&f, 0, &fixture_vm_ops);
	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	kcompat_ww_fail_nth(2);		/* the first pass's ext1 */
	drm_exec_until_all_locked(&exec) {
		ret = drm_exec_lock_obj(&exec, f.vm->r_obj);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
		if (first) {
			first = false;
			ret = drm_exec_lock_obj(&exec, f.obj[1]);
			drm_exec_retry_on_contention(&exec);
			CHECK_EQ(ret, 0);
		}
	}
	kcompat_ww_fail_nth(0);
	CHECK_EQ(exec.num_objects, 1);
	CHECK(held(f.vm->r_obj));
	CHECK(!held(f.obj[1]));
	drm_exec_fini(&exec);
	CHECK(!held(f.vm->r_obj));
	fix_teardown(&f);
}

TEST(exec_lock_array)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	struct drm_gem_object *extra[2];
	struct fix f;

	fix_setup(&f, 0, &fixture_vm_ops);
	extra[0] = fixture_obj(NULL);
	extra[1] = fixture_obj(NULL);
	vm_exec.vm = f.vm;
	CHECK_EQ(drm_gpuvm_exec_lock_array(&vm_exec, extra, 2), 0);
	CHECK(held(f.vm->r_obj) && held(f.obj[0]) && held(f.obj[1]));
	CHECK(held(extra[0]) && held(extra[1]));
	CHECK_EQ(vm_exec.exec.num_objects, 5);
	drm_gpuvm_exec_unlock(&vm_exec);
	CHECK(!held(extra[0]) && !held(extra[1]));
	drm_gem_object_put(extra[0]);
	drm_gem_object_put(extra[1]);
	fix_teardown(&f);
}

TEST(exec_lock_range)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	struct fix f;

	fix_setup(&f, 0, &fixture_vm_ops);
	vm_exec.vm = f.vm;
	CHECK_EQ(drm_gpuvm_exec_lock_range(&vm_exec, 0x100, 0x300), 0);
	CHECK(held(f.obj[0]) && held(f.obj[1]));
	CHECK(!held(f.vm->r_obj));
	CHECK_EQ(vm_exec.exec.num_objects, 2);
	drm_gpuvm_exec_unlock(&vm_exec);

	CHECK_EQ(drm_gpuvm_exec_lock_range(&vm_exec, 0x200, 0x100), 0);
	CHECK_EQ(vm_exec.exec.num_objects, 0);	/* only the object-less VA */
	drm_gpuvm_exec_unlock(&vm_exec);
	fix_teardown(&f);
}

TEST(validate_unsupported)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	struct fix f;

	fix_setup(&f, 0, &fixture_vm_ops);
	vm_exec.vm = f.vm;
	CHECK_EQ(drm_gpuvm_exec_lock(&vm_exec), 0);
	CHECK_EQ(drm_gpuvm_exec_validate(&vm_exec), -EOPNOTSUPP);
	drm_gpuvm_exec_unlock(&vm_exec);
	fix_teardown(&f);
}

/* Mark ext0 and priv evicted, each under its own resv only. */
static void evict_two(struct fix *f)
{
	dma_resv_lock(f->obj[0]->resv, NULL);
	drm_gpuvm_bo_evict(f->bo[0], true);
	dma_resv_unlock(f->obj[0]->resv);
	dma_resv_lock(f->obj[2]->resv, NULL);
	drm_gpuvm_bo_evict(f->bo[2], true);
	dma_resv_unlock(f->obj[2]->resv);
}

/* Evict, lock, validate in @flags mode: the evict list ends up empty. */
static void validate_case(enum drm_gpuvm_flags flags)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	bool prot = flags & DRM_GPUVM_RESV_PROTECTED;
	struct fix f;

	fix_setup(&f, flags, &val_ops);
	vm_exec.vm = f.vm;
	evict_two(&f);
	/* RESV_PROTECTED: the extobj only reaches the list in prepare_objects. */
	CHECK_EQ(list_count_nodes(&f.vm->evict.list), prot ? 1 : 2);
	CHECK_EQ(drm_gpuvm_exec_lock(&vm_exec), 0);
	CHECK_EQ(list_count_nodes(&f.vm->evict.list), 2);
	validate_calls = 0;
	validate_err = 0;
	CHECK_EQ(drm_gpuvm_exec_validate(&vm_exec), 0);
	CHECK_EQ(validate_calls, 2);
	CHECK(list_empty(&f.vm->evict.list));
	CHECK(!f.bo[0]->evicted && !f.bo[2]->evicted);
	CHECK_EQ(drm_gpuvm_exec_validate(&vm_exec), 0);
	CHECK_EQ(validate_calls, 2);
	drm_gpuvm_exec_unlock(&vm_exec);
	fix_teardown(&f);
}

TEST(validate_spinlock_mode)
{
	validate_case(0);
}

TEST(validate_resv_protected)
{
	validate_case(DRM_GPUVM_RESV_PROTECTED);
}

/* A failing callback stops validation at once; the entries stay listed. */
static void validate_error_case(enum drm_gpuvm_flags flags)
{
	struct drm_gpuvm_exec vm_exec = { .flags = DRM_EXEC_IGNORE_DUPLICATES };
	struct fix f;

	fix_setup(&f, flags, &val_ops);
	vm_exec.vm = f.vm;
	evict_two(&f);
	CHECK_EQ(drm_gpuvm_exec_lock(&vm_exec), 0);
	validate_calls = 0;
	validate_err = -EIO;
	CHECK_EQ(drm_gpuvm_exec_validate(&vm_exec), -EIO);
	CHECK_EQ(validate_calls, 1);
	CHECK_EQ(list_count_nodes(&f.vm->evict.list), 2);
	CHECK(f.vm->evict.local_list == NULL);
	validate_err = 0;
	CHECK_EQ(drm_gpuvm_exec_validate(&vm_exec), 0);
	CHECK_EQ(validate_calls, 3);
	CHECK(list_empty(&f.vm->evict.list));
	drm_gpuvm_exec_unlock(&vm_exec);
	fix_teardown(&f);
}

TEST(validate_error_stops)
{
	validate_error_case(0);
	validate_error_case(DRM_GPUVM_RESV_PROTECTED);
}

TEST(resv_add_fence_usage)
{
	struct drm_gpuvm_exec vm_exec = {
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = 1,
	};
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	struct fix f;

	dma_fence_init(fence, NULL, NULL, dma_fence_context_alloc(1), 1);
	fix_setup(&f, 0, &fixture_vm_ops);
	vm_exec.vm = f.vm;
	CHECK_EQ(drm_gpuvm_exec_lock(&vm_exec), 0);
	drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, DMA_RESV_USAGE_BOOKKEEP,
				      DMA_RESV_USAGE_READ);
	CHECK_EQ(dma_resv_fence_usage(drm_gpuvm_resv(f.vm), fence), DMA_RESV_USAGE_BOOKKEEP);
	CHECK_EQ(dma_resv_fence_usage(f.obj[2]->resv, fence), DMA_RESV_USAGE_BOOKKEEP);
	CHECK_EQ(dma_resv_fence_usage(f.obj[0]->resv, fence), DMA_RESV_USAGE_READ);
	CHECK_EQ(dma_resv_fence_usage(f.obj[1]->resv, fence), DMA_RESV_USAGE_READ);
	drm_gpuvm_exec_unlock(&vm_exec);
	fix_teardown(&f);
	dma_fence_put(fence);
}

TEST(sm_exec_lock)
{
	struct drm_gem_object *req_obj;
	struct drm_gpuvm_map_req req = { 0 };
	struct drm_exec exec;
	struct fix f;
	int ret;

	fix_setup(&f, 0, &fixture_vm_ops);
	req_obj = fixture_obj(NULL);
	/* [0x180, 0x280): remaps the ext0 VA, unmaps part of the empty one. */
	req.map.va.addr = 0x180;
	req.map.va.range = 0x100;
	req.map.gem.obj = req_obj;
	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_sm_map_exec_lock(f.vm, &exec, 1, &req);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
	}
	CHECK(held(req_obj) && held(f.obj[0]));
	CHECK(!held(f.obj[1]) && !held(f.vm->r_obj));
	CHECK_EQ(exec.num_objects, 2);
	drm_exec_fini(&exec);
	CHECK(drm_gpuva_find(f.vm, 0x100, 0x100) == f.va[0]);	/* unchanged */

	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_sm_unmap_exec_lock(f.vm, &exec, 0x380, 0x100);
		drm_exec_retry_on_contention(&exec);
		CHECK_EQ(ret, 0);
	}
	CHECK(held(f.obj[1]) && held(f.obj[2]));
	CHECK(!held(f.obj[0]) && !held(req_obj));
	drm_exec_fini(&exec);
	drm_gem_object_put(req_obj);
	fix_teardown(&f);
}

TEST(sm_map_ops_create_enomem)
{
	struct drm_gpuvm_map_req req = { 0 };
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;
	struct drm_gpuva *va;
	unsigned long nth;
	unsigned int n;
	size_t live;
	struct fix f;

	fix_setup(&f, 0, &fixture_vm_ops);
	/* [0x150, 0x350): remap ext0, unmap the empty VA, remap ext1. */
	req.map.va.addr = 0x150;
	req.map.va.range = 0x200;
	req.map.gem.obj = f.obj[2];
	for (nth = 1; nth < 64; nth++) {
		live = kcompat_alloc_stats().live;
		kcompat_alloc_fail_nth(nth);
		ops = drm_gpuvm_sm_map_ops_create(f.vm, &req);
		kcompat_alloc_fail_nth(0);
		if (!IS_ERR(ops))
			break;
		CHECK_EQ(PTR_ERR(ops), -ENOMEM);
		CHECK_EQ(kcompat_alloc_stats().live, live);
		n = 0;
		drm_gpuvm_for_each_va(va, f.vm)
			CHECK(va == f.va[n++]);
		CHECK_EQ(n, 4);
	}
	CHECK(nth > 1);
	CHECK(!IS_ERR_OR_NULL(ops));
	n = 0;
	drm_gpuva_for_each_op(op, ops)
		n++;
	CHECK_EQ(n, 4);	/* remap, unmap, remap, map */
	drm_gpuva_ops_free(f.vm, ops);
	fix_teardown(&f);
}

TEST_MAIN(prepare_vm_objects_range, exec_lock_basic, exec_lock_contention,
	  contended_object_not_asked_again, exec_lock_array, exec_lock_range, validate_unsupported,
	  validate_spinlock_mode, validate_resv_protected, validate_error_stops,
	  resv_add_fence_usage, sm_exec_lock, sm_map_ops_create_enomem)
