// SPDX-License-Identifier: MIT
/*
 * Strict defaults versus upstream's quirks. Built twice: against //lib:gpuvm
 * and against //lib:gpuvm_upstream_quirks (GPUVM_UPSTREAM_QUIRKS defined),
 * so both sides of every documented difference are pinned down.
 */
#include <errno.h>
#include <string.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_gpuvm_check.h>
#include "fixture.h"
#include "test.h"

#ifdef GPUVM_UPSTREAM_QUIRKS
#define QUIRKS 1
#else
#define QUIRKS 0
#endif

/* A VM over [0, 0x100) with VAs [0x10, 0x20) and [0x30, 0x40). */
static struct drm_gpuvm *vm_with_two_vas(struct drm_gpuva *a, struct drm_gpuva *b)
{
	struct drm_gpuvm *vm = fixture_vm("quirks", 0, 0, 0x100, 0, 0, NULL);

	*a = (struct drm_gpuva){ .va = { 0x10, 0x10 } };
	*b = (struct drm_gpuva){ .va = { 0x30, 0x10 } };
	CHECK_EQ(drm_gpuva_insert(vm, a), 0);
	CHECK_EQ(drm_gpuva_insert(vm, b), 0);
	return vm;
}

static void teardown(struct drm_gpuvm *vm, struct drm_gpuva *a, struct drm_gpuva *b)
{
	drm_gpuva_remove(a);
	drm_gpuva_remove(b);
	drm_gpuvm_put(vm);
}

TEST(zero_range)
{
	struct drm_gpuva a, b;
	struct drm_gpuvm *vm = vm_with_two_vas(&a, &b);

	CHECK_EQ(drm_gpuvm_range_valid(vm, 0x50, 0), QUIRKS);
	/* [addr, addr - 1] probe: matches a VA holding both 0x17 and 0x18. */
	CHECK(drm_gpuva_find_first(vm, 0x18, 0) == (QUIRKS ? &a : NULL));
	/* At 0 the probe wraps to the whole space. */
	CHECK(drm_gpuva_find_first(vm, 0, 0) == (QUIRKS ? &a : NULL));
	teardown(vm, &a, &b);
}

TEST(find_prev_next_sides)
{
	struct drm_gpuva a, b;
	struct drm_gpuvm *vm = vm_with_two_vas(&a, &b);

	/* 0x2f is free, 0x30 starts b: upstream returns b as "prev". */
	CHECK(drm_gpuva_find_prev(vm, 0x30) == (QUIRKS ? &b : NULL));
	CHECK(drm_gpuva_find_prev(vm, 0x20) == &a);
	/* 0x2f is free, 0x30 starts b: upstream returns b as "next". */
	CHECK(drm_gpuva_find_next(vm, 0x2f) == (QUIRKS ? &b : NULL));
	CHECK(drm_gpuva_find_next(vm, 0x30) == &b);
	CHECK(!drm_gpuva_find_prev(vm, 0));
	CHECK(!drm_gpuva_find_next(vm, 0x100));
	teardown(vm, &a, &b);
}

TEST(wrapping_lookup)
{
	struct drm_gpuva a, b;
	struct drm_gpuvm *vm = vm_with_two_vas(&a, &b);
	struct drm_gpuva_ops *ops;

	/* [0x38, 2^64 + 0x14): ours ends at 2^64, upstream's probe is [0x38, 0x14]. */
	CHECK(drm_gpuva_find_first(vm, 0x38, U64_MAX - 0x23) == (QUIRKS ? NULL : &b));
	ops = drm_gpuvm_prefetch_ops_create(vm, 0x38, U64_MAX);
	CHECK_EQ(IS_ERR(ops), !QUIRKS);
	if (!IS_ERR(ops))
		drm_gpuva_ops_free(vm, ops);
	teardown(vm, &a, &b);
}

/*
 * drm_gpuvm_bo_for_each_va(va, other) must walk other's VAs. Upstream's
 * macro walks those of whatever is called vm_bo where it is expanded
 * (docs/upstream-findings.md 4): here an empty vm_bo beside it.
 */
TEST(bo_for_each_va_walks_its_argument)
{
	struct drm_gpuvm_bo mine = { 0 }, theirs = { 0 };
	struct drm_gpuvm_bo *vm_bo = &mine, *other = &theirs;
	struct drm_gpuva a = { 0 }, *va, *next;
	unsigned int n = 0, n_safe = 0;

	INIT_LIST_HEAD(&vm_bo->list.gpuva);
	INIT_LIST_HEAD(&other->list.gpuva);
	list_add_tail(&a.gem.entry, &other->list.gpuva);
	drm_gpuvm_bo_for_each_va(va, other)
		n++;
	drm_gpuvm_bo_for_each_va_safe(va, next, other)
		n_safe++;
#ifdef GVM_TEST_UPSTREAM
	CHECK_EQ(n, 0);
	CHECK_EQ(n_safe, 0);
#else
	CHECK_EQ(n, 1);
	CHECK_EQ(n_safe, 1);
#endif
}

/*
 * A VA of range 0 breaks an invariant whatever lets it in: upstream's
 * insert does (docs/upstream-findings.md 5), and both checkers, lib/'s and
 * upstream/check.c, must say so.
 */
TEST(zero_length_va_is_a_violation)
{
	struct drm_gpuva a, b, z = { .va = { 0x50, 0 } };
	struct drm_gpuvm *vm = vm_with_two_vas(&a, &b);
	char msg[256];
	int ret;

	CHECK(drm_gpuvm_check(vm, msg, sizeof(msg)));
	/* A tree that refuses it (the finding fixed) fails here, and only here. */
	ret = drm_gpuva_insert(vm, &z);
	CHECK_EQ(ret, QUIRKS ? 0 : -EINVAL);
	if (!ret) {
		CHECK(!drm_gpuvm_check(vm, msg, sizeof(msg)));
		CHECK(strstr(msg, "zero range"));
		drm_gpuva_remove(&z);
	}
	CHECK(drm_gpuvm_check(vm, msg, sizeof(msg)));
	teardown(vm, &a, &b);
}

TEST_MAIN(zero_range, find_prev_next_sides, wrapping_lookup, bo_for_each_va_walks_its_argument,
	  zero_length_va_is_a_violation)
