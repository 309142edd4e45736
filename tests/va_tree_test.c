// SPDX-License-Identifier: MIT
/*
 * The VA tree against a brute-force model: random inserts and removes in a
 * small window, and after each step every lookup (find_first, find,
 * find_prev, find_next, interval_empty) is compared with a linear scan,
 * the address list with the model's order, and the red-black rules checked.
 */
#include <stdlib.h>
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>
#include "fixture.h"
#include "test.h"

#define WINDOW	64
#define SLOTS	48

/* A plain VM named "tree" over [start, start + range). */
static struct drm_gpuvm *new_vm(u64 start, u64 range, u64 rs, u64 rr)
{
	return fixture_vm("tree", 0, start, range, rs, rr, NULL);
}

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(u64 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* Linear scan: lowest VA overlapping [a, a + r) among @vas (NULL = free). */
static struct drm_gpuva *scan_first(struct drm_gpuva **vas, u64 a, u64 r)
{
	struct drm_gpuva *best = NULL;
	int i;

	for (i = 0; i < SLOTS; i++) {
		struct drm_gpuva *va = vas[i];

		if (!va || va->va.addr >= a + r || va->va.addr + va->va.range <= a)
			continue;
		if (!best || va->va.addr < best->va.addr)
			best = va;
	}
	return best;
}

/* Black height of @n's subtree, or -1 when the colour rules are broken. */
static int black_height(struct rb_node *n)
{
	int l, r;

	if (!n)
		return 1;
	if (rb_is_red(n) && ((n->rb_left && rb_is_red(n->rb_left)) ||
			     (n->rb_right && rb_is_red(n->rb_right))))
		return -1;
	if ((n->rb_left && rb_parent(n->rb_left) != n) ||
	    (n->rb_right && rb_parent(n->rb_right) != n))
		return -1;
	l = black_height(n->rb_left);
	r = black_height(n->rb_right);
	if (l < 0 || l != r)
		return -1;
	return l + !rb_is_red(n);
}

static void check_tree(struct drm_gpuvm *vm, struct drm_gpuva **vas, int live)
{
	struct drm_gpuva *va, *prev = NULL;
	struct rb_node *node;
	int n = 0;
	u64 a, r;

	CHECK(!vm->rb.tree.rb_node || !rb_is_red(vm->rb.tree.rb_node));
	CHECK(black_height(vm->rb.tree.rb_node) > 0);
	node = rb_first(&vm->rb.tree);
	drm_gpuvm_for_each_va(va, vm) {
		CHECK(node == &va->rb.node);	/* list and in-order walk agree */
		node = node ? rb_next(node) : NULL;
		if (prev)
			CHECK(prev->va.addr + prev->va.range <= va->va.addr);
		prev = va;
		n++;
	}
	CHECK(!node);
	CHECK_EQ(n, live);

	for (a = 0; a < WINDOW; a++) {
		for (r = 1; r <= 5; r++) {
			struct drm_gpuva *want = scan_first(vas, a, r);

			CHECK(drm_gpuva_find_first(vm, a, r) == want);
			CHECK(drm_gpuvm_interval_empty(vm, a, r) == !want);
			CHECK(drm_gpuva_find(vm, a, r) ==
			      (want && want->va.addr == a && want->va.range == r ? want : NULL));
		}
		CHECK(drm_gpuva_find_prev(vm, a) == (a ? scan_first(vas, a - 1, 1) : NULL));
		CHECK(drm_gpuva_find_next(vm, a) == scan_first(vas, a, 1));
	}
}

TEST(random_insert_remove_matches_model)
{
	struct drm_gpuvm *vm = new_vm(0, WINDOW, 0, 0);
	struct drm_gpuva *vas[SLOTS] = { 0 };
	int step, live = 0, i;

	for (step = 0; step < 3000; step++) {
		int slot = (int)rnd(SLOTS);

		if (vas[slot]) {
			drm_gpuva_remove(vas[slot]);
			kfree(vas[slot]);
			vas[slot] = NULL;
			live--;
		} else {
			struct drm_gpuva *va = kzalloc(sizeof(*va), GFP_KERNEL);
			int ret, want;

			va->va.addr = rnd(WINDOW + 4);
			va->va.range = 1 + rnd(6);
			want = va->va.addr + va->va.range > WINDOW ? -EINVAL :
			       scan_first(vas, va->va.addr, va->va.range) ? -EEXIST : 0;
			ret = drm_gpuva_insert(vm, va);
			CHECK_EQ(ret, want);
			if (ret) {
				kfree(va);
			} else {
				CHECK(va->vm == vm);
				vas[slot] = va;
				live++;
			}
		}
		if (step % 50 == 0 || step > 2900)
			check_tree(vm, vas, live);
	}
	CHECK_EQ(kref_read(&vm->kref), 1 + live);
	for (i = 0; i < SLOTS; i++) {
		if (vas[i]) {
			drm_gpuva_remove(vas[i]);
			kfree(vas[i]);
		}
	}
	CHECK_EQ(kref_read(&vm->kref), 1);
	drm_gpuvm_put(vm);
}

TEST(range_validity_edges)
{
	struct drm_gpuvm *vm = new_vm(0x1000, 0x1000, 0x1800, 0x100);

	CHECK(drm_gpuvm_range_valid(vm, 0x1000, 0x800));
	CHECK(drm_gpuvm_range_valid(vm, 0x1900, 0x700));	/* touches reserve end */
	CHECK(drm_gpuvm_range_valid(vm, 0x1700, 0x100));	/* touches reserve start */
	CHECK(!drm_gpuvm_range_valid(vm, 0x17ff, 0x2));		/* overlaps reserve */
	CHECK(!drm_gpuvm_range_valid(vm, 0xfff, 0x10));		/* below the window */
	CHECK(!drm_gpuvm_range_valid(vm, 0x1f00, 0x101));	/* past the window */
	CHECK(!drm_gpuvm_range_valid(vm, 0x1000, 0));		/* empty */
	CHECK(!drm_gpuvm_range_valid(vm, U64_MAX, 2));		/* wraps */
	/* The reserved node occupies its window for lookups. */
	CHECK(drm_gpuva_find_first(vm, 0x1850, 1) == &vm->kernel_alloc_node);
	CHECK(!drm_gpuvm_interval_empty(vm, 0x1000, 0x1000));
	CHECK(!drm_gpuva_find_first(vm, 0x1850, 0));		/* empty probe */
	CHECK(drm_gpuva_find_first(vm, 0x1850, U64_MAX) == &vm->kernel_alloc_node);
	drm_gpuva_remove(&vm->kernel_alloc_node);
	CHECK_WARNS(1);
	drm_gpuvm_put(vm);
}

TEST(init_overflow_warns_and_skips_reserve)
{
	struct drm_gpuvm *vm = new_vm(0, 0x1000, U64_MAX - 1, 4);

	CHECK_WARNS(1);
	CHECK(RB_EMPTY_ROOT(&vm->rb.tree));
	/* The stored window still excludes requests that overlap it. */
	CHECK(drm_gpuvm_range_valid(vm, 0, 0x10));
	drm_gpuvm_put(vm);

	vm = new_vm(U64_MAX - 0x10, 0x100, 0, 0);
	CHECK_WARNS(1);
	drm_gpuvm_put(vm);
}

TEST(remove_twice_warns)
{
	struct drm_gpuvm *vm = new_vm(0, 0x100, 0, 0);
	struct drm_gpuva *va = kzalloc(sizeof(*va), GFP_KERNEL);

	va->va.addr = 0x10;
	va->va.range = 0x10;
	CHECK_EQ(drm_gpuva_insert(vm, va), 0);
	CHECK_EQ(drm_gpuva_insert(vm, va), -EEXIST);
	drm_gpuva_remove(va);
	CHECK_WARNS(0);
	drm_gpuva_remove(va);
	CHECK_WARNS(1);
	CHECK_EQ(kref_read(&vm->kref), 1);
	kfree(va);
	drm_gpuvm_put(vm);
}

TEST_MAIN(random_insert_remove_matches_model, range_validity_edges,
	  init_overflow_warns_and_skips_reserve, remove_twice_warns)
