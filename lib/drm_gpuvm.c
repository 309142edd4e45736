// SPDX-License-Identifier: MIT
/*
 * GPUVM core: VM lifetime, range checks and the VA tree.
 *
 * The tree is a red-black tree ordered by (address, last address). VAs are
 * disjoint, so in that order their last addresses never decrease either
 * (a zero-length VA admitted with GPUVM_UPSTREAM_QUIRKS included); the first
 * VA overlapping [first, last] is therefore the leftmost one ending at or
 * after @first, provided it starts at or before @last. One descent, no
 * per-node augmentation to maintain.
 */
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include "gpuvm_internal.h"

static bool add_overflows(u64 addr, u64 range)
{
	u64 end;

	return __builtin_add_overflow(addr, range, &end);
}

struct drm_gpuva *gpuvm_lookup(struct drm_gpuvm *gpuvm, u64 first, u64 last)
{
	struct rb_node *node = gpuvm->rb.tree.rb_node;
	struct drm_gpuva *found = NULL;

	while (node) {
		struct drm_gpuva *va = rb_entry(node, struct drm_gpuva, rb.node);

		if (gpuva_last(va) >= first) {
			found = va;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found && found->va.addr <= last ? found : NULL;
}

/*
 * Insert @va unless it overlaps a VA already there; -EEXIST then. One
 * descent finds the in-order neighbours: with disjoint VAs and ordered last
 * addresses, only they can overlap the new range.
 */
static int tree_insert(struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	struct rb_node **link = &gpuvm->rb.tree.rb_node, *parent = NULL;
	struct drm_gpuva *pred = NULL, *succ = NULL;
	u64 addr = va->va.addr, last = gpuva_last(va);

	while (*link) {
		struct drm_gpuva *cur = rb_entry(*link, struct drm_gpuva, rb.node);

		parent = *link;
		if (addr < cur->va.addr || (addr == cur->va.addr && last < gpuva_last(cur))) {
			succ = cur;
			link = &parent->rb_left;
		} else {
			pred = cur;
			link = &parent->rb_right;
		}
	}
	if ((pred && gpuva_last(pred) >= addr && pred->va.addr <= last) ||
	    (succ && succ->va.addr <= last && gpuva_last(succ) >= addr))
		return -EEXIST;

	rb_link_node(&va->rb.node, parent, link);
	rb_insert_color(&va->rb.node, &gpuvm->rb.tree);
	list_add(&va->rb.entry, pred ? &pred->rb.entry : &gpuvm->rb.list);
	va->vm = gpuvm;
	return 0;
}

static void tree_remove(struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	rb_erase(&va->rb.node, &gpuvm->rb.tree);
	RB_CLEAR_NODE(&va->rb.node);
	list_del_init(&va->rb.entry);
}

/* ---- ranges -------------------------------------------------------------- */

static bool in_mm(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	u64 mm_end = gpuvm->mm_start + gpuvm->mm_range;

	return addr >= gpuvm->mm_start && addr + range <= mm_end;
}

static bool in_kernel_node(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	u64 ks = gpuvm->kernel_alloc_node.va.addr;
	u64 kr = gpuvm->kernel_alloc_node.va.range;

	return kr && addr < ks + kr && ks < addr + range;
}

bool drm_gpuvm_range_valid(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	if (!UPSTREAM_QUIRKS && !range)
		return false;
	return !add_overflows(addr, range) && in_mm(gpuvm, addr, range) &&
	       !in_kernel_node(gpuvm, addr, range);
}

bool drm_gpuvm_interval_empty(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	return !drm_gpuva_find_first(gpuvm, addr, range);
}

/* ---- VM lifetime ------------------------------------------------------------ */

static void resv_obj_free(struct drm_gem_object *obj)
{
	drm_gem_object_release(obj);
	kfree(obj);
}

static const struct drm_gem_object_funcs resv_obj_funcs = {
	.free = resv_obj_free,
};

struct drm_gem_object *drm_gpuvm_resv_object_alloc(struct drm_device *drm)
{
	struct drm_gem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return NULL;
	drm_gem_private_object_init(drm, obj, 0);
	obj->funcs = &resv_obj_funcs;
	return obj;
}

void drm_gpuvm_init(struct drm_gpuvm *gpuvm, const char *name,
		    enum drm_gpuvm_flags flags, struct drm_device *drm,
		    struct drm_gem_object *r_obj, u64 start_offset, u64 range,
		    u64 reserve_offset, u64 reserve_range,
		    const struct drm_gpuvm_ops *ops)
{
	struct drm_gpuva *node = &gpuvm->kernel_alloc_node;

	gpuvm->rb.tree = RB_ROOT;
	INIT_LIST_HEAD(&gpuvm->rb.list);
	INIT_LIST_HEAD(&gpuvm->extobj.list);
	gpuvm->extobj.local_list = NULL;
	spin_lock_init(&gpuvm->extobj.lock);
	INIT_LIST_HEAD(&gpuvm->evict.list);
	gpuvm->evict.local_list = NULL;
	spin_lock_init(&gpuvm->evict.lock);
	init_llist_head(&gpuvm->bo_defer);
	kref_init(&gpuvm->kref);

	gpuvm->name = name ? name : "unknown";
	gpuvm->flags = flags;
	gpuvm->ops = ops;
	gpuvm->drm = drm;
	gpuvm->r_obj = r_obj;
	drm_dev_get(drm);
	drm_gem_object_get(r_obj);

	drm_WARN(drm, add_overflows(start_offset, range),
		 "GPUVA space 0x%llx+0x%llx wraps past 2^64",
		 (unsigned long long)start_offset, (unsigned long long)range);
	gpuvm->mm_start = start_offset;
	gpuvm->mm_range = range;

	*node = (struct drm_gpuva){ 0 };
	RB_CLEAR_NODE(&node->rb.node);
	INIT_LIST_HEAD(&node->rb.entry);
	INIT_LIST_HEAD(&node->gem.entry);
	if (reserve_range) {
		node->va.addr = reserve_offset;
		node->va.range = reserve_range;
		/* Stored even when it wraps, as upstream; only not inserted. */
		if (!drm_WARN(drm, add_overflows(reserve_offset, reserve_range),
			      "kernel-reserved window 0x%llx+0x%llx wraps past 2^64",
			      (unsigned long long)reserve_offset,
			      (unsigned long long)reserve_range))
			tree_insert(gpuvm, node);	/* the tree is empty: cannot fail */
	}
}

static void drm_gpuvm_fini(struct drm_gpuvm *gpuvm)
{
	gpuvm->name = NULL;
	if (!RB_EMPTY_NODE(&gpuvm->kernel_alloc_node.rb.node))
		tree_remove(gpuvm, &gpuvm->kernel_alloc_node);
	drm_WARN(gpuvm->drm, !RB_EMPTY_ROOT(&gpuvm->rb.tree),
		 "VM freed with VAs still in its tree");
	drm_WARN(gpuvm->drm, !list_empty(&gpuvm->extobj.list),
		 "VM freed with vm_bos still on its extobj list");
	drm_WARN(gpuvm->drm, !list_empty(&gpuvm->evict.list),
		 "VM freed with vm_bos still on its evict list");
	drm_WARN(gpuvm->drm, !llist_empty(&gpuvm->bo_defer),
		 "VM freed with zombie vm_bos awaiting deferred cleanup");
	drm_gem_object_put(gpuvm->r_obj);
}

/* The device reference goes last: vm_free may still use the device. */
static void drm_gpuvm_free(struct kref *kref)
{
	struct drm_gpuvm *gpuvm = container_of(kref, struct drm_gpuvm, kref);
	struct drm_device *drm = gpuvm->drm;

	drm_gpuvm_fini(gpuvm);
	if (drm_WARN(drm, !gpuvm->ops || !gpuvm->ops->vm_free,
		     "VM without a vm_free callback leaks"))
		return;
	gpuvm->ops->vm_free(gpuvm);
	drm_dev_put(drm);
}

void drm_gpuvm_put(struct drm_gpuvm *gpuvm)
{
	if (gpuvm)
		kref_put(&gpuvm->kref, drm_gpuvm_free);
}

/* ---- VAs ------------------------------------------------------------------- */

int drm_gpuva_insert(struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	int ret;

	if (unlikely(!drm_gpuvm_range_valid(gpuvm, va->va.addr, va->va.range)))
		return -EINVAL;
	ret = tree_insert(gpuvm, va);
	if (!ret)
		drm_gpuvm_get(gpuvm);
	return ret;
}

void drm_gpuva_remove(struct drm_gpuva *va)
{
	struct drm_gpuvm *gpuvm = va->vm;

	if (WARN(!gpuvm, "removing a VA that was never inserted"))
		return;
	if (drm_WARN(gpuvm->drm, va == &gpuvm->kernel_alloc_node,
		     "the kernel-reserved node cannot be removed"))
		return;
	if (drm_WARN(gpuvm->drm, RB_EMPTY_NODE(&va->rb.node),
		     "removing a VA [0x%llx+0x%llx] that is not in the tree",
		     (unsigned long long)va->va.addr, (unsigned long long)va->va.range))
		return;
	tree_remove(gpuvm, va);
	drm_gpuvm_put(gpuvm);
}

struct drm_gpuva *drm_gpuva_find_first(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	u64 last = addr + range - 1;

	if (!UPSTREAM_QUIRKS) {
		/* An empty range overlaps nothing; a wrapping one ends at 2^64. */
		if (!range)
			return NULL;
		if (add_overflows(addr, range))
			last = U64_MAX;
	}
	return gpuvm_lookup(gpuvm, addr, last);
}

struct drm_gpuva *drm_gpuva_find(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	struct drm_gpuva *va = drm_gpuva_find_first(gpuvm, addr, range);

	if (va && va->va.addr == addr && va->va.range == range)
		return va;
	return NULL;
}

struct drm_gpuva *drm_gpuva_find_prev(struct drm_gpuvm *gpuvm, u64 start)
{
	if (!drm_gpuvm_range_valid(gpuvm, start - 1, 1))
		return NULL;
	/* Upstream probes [start - 1, start] and may return the VA at start. */
	return gpuvm_lookup(gpuvm, start - 1, UPSTREAM_QUIRKS ? start : start - 1);
}

struct drm_gpuva *drm_gpuva_find_next(struct drm_gpuvm *gpuvm, u64 end)
{
	if (!drm_gpuvm_range_valid(gpuvm, end, 1))
		return NULL;
	/* Upstream probes [end, end + 1] and may return a VA at end + 1. */
	return gpuvm_lookup(gpuvm, end, UPSTREAM_QUIRKS ? end + 1 : end);
}
