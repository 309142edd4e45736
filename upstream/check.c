// SPDX-License-Identifier: MIT
/*
 * Invariants of upstream's GPUVM objects, checked at a quiescent point
 * from the fields its headers make public (upstream/compat's
 * drm_gpuvm_check.h). Fewer than lib/'s checker knows, but the ones a
 * corrupted tree, a dangling link or a refcount leak break first. Every
 * walk is bounded, so a cyclic list is reported, not looped on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <drm/drm_gpuvm_check.h>
#include <gvm_upstream_era.h>

#define WALK_MAX	(1u << 20)

static __printf(3, 4) bool bad(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return false;
}

/* Entries of @head, or -1 if the list is cyclic or its links disagree. */
static long count(const struct list_head *head)
{
	const struct list_head *p;
	long n = 0;

	for (p = head->next; p != head; p = p->next) {
		if (p->next->prev != p || n == WALK_MAX)
			return -1;
		n++;
	}
	return n;
}

#if GVM_UPSTREAM_HAS_DEFERRED_CLEANUP
/*
 * Zombies: vm_bos whose last reference went with a deferred put (6.19+),
 * waiting on @gpuvm's bo_defer list for drm_gpuvm_bo_deferred_cleanup().
 * Each still holds its VM and object references. Counts those of @obj
 * (all if NULL); -1 if the chain is cyclic.
 */
static long zombies(struct drm_gpuvm *gpuvm, const struct drm_gem_object *obj)
{
	struct llist_node *node;
	long n = 0, steps = 0;

	for (node = READ_ONCE(gpuvm->bo_defer.first); node; node = node->next) {
		struct drm_gpuvm_bo *vm_bo = llist_entry(node, struct drm_gpuvm_bo,
							 list.entry.bo_defer);

		if (++steps > WALK_MAX)
			return -1;
		n += !obj || vm_bo->obj == obj;
	}
	return n;
}

static bool on_defer_list(struct drm_gpuvm *gpuvm, const struct drm_gpuvm_bo *zombie)
{
	struct llist_node *node;

	for (node = READ_ONCE(gpuvm->bo_defer.first); node; node = node->next)
		if (node == &zombie->list.entry.bo_defer)
			return true;
	return false;
}

/* The bo_defer chain: this VM's vm_bos, all dead. */
static bool check_zombies(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	struct llist_node *node;

	if (zombies(gpuvm, NULL) < 0)
		return bad(msg, len, "vm %p: bo_defer list is cyclic", (void *)gpuvm);
	for (node = READ_ONCE(gpuvm->bo_defer.first); node; node = node->next) {
		struct drm_gpuvm_bo *vm_bo = llist_entry(node, struct drm_gpuvm_bo,
							 list.entry.bo_defer);

		if (vm_bo->vm != gpuvm || kref_read(&vm_bo->kref))
			return bad(msg, len, "vm %p: bo_defer holds vm_bo %p of vm %p with kref %u",
				   (void *)gpuvm, (void *)vm_bo, (void *)vm_bo->vm,
				   kref_read(&vm_bo->kref));
	}
	return true;
}

/*
 * A dead vm_bo may stay on the extobj or evict list until the cleanup
 * only when the VM's resv protects those lists (the deferred put cannot
 * take it); otherwise the put takes it off at once.
 */
static bool zombie_may_be_listed(struct drm_gpuvm *gpuvm, struct drm_gpuvm_bo *vm_bo)
{
	return drm_gpuvm_resv_protected(gpuvm) && on_defer_list(gpuvm, vm_bo);
}

long drm_gpuvm_check_zombies(struct drm_gpuvm *gpuvm, struct drm_gem_object **objs,
			     size_t max)
{
	struct llist_node *node;
	size_t n = 0;

	for (node = READ_ONCE(gpuvm->bo_defer.first); node; node = node->next) {
		if (n >= WALK_MAX)
			return -1;
		if (n < max)
			objs[n] = llist_entry(node, struct drm_gpuvm_bo,
					      list.entry.bo_defer)->obj;
		n++;
	}
	return (long)n;
}
#else
static long zombies(struct drm_gpuvm *gpuvm, const struct drm_gem_object *obj)
{
	(void)gpuvm;
	(void)obj;
	return 0;
}

static bool check_zombies(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	(void)gpuvm;
	(void)msg;
	(void)len;
	return true;
}

static bool zombie_may_be_listed(struct drm_gpuvm *gpuvm, struct drm_gpuvm_bo *vm_bo)
{
	(void)gpuvm;
	(void)vm_bo;
	return false;
}

long drm_gpuvm_check_zombies(struct drm_gpuvm *gpuvm, struct drm_gem_object **objs,
			     size_t max)
{
	(void)gpuvm;
	(void)objs;
	(void)max;
	return 0;
}
#endif

static bool on_list(const struct list_head *head, const struct list_head *entry)
{
	const struct list_head *p;

	for (p = head->next; p != head; p = p->next)
		if (p == entry)
			return true;
	return false;
}

/* One VA of @gpuvm's list: bounds, back-pointers, link to its vm_bo. */
static bool check_va(struct drm_gpuvm *gpuvm, struct drm_gpuva *va, char *msg, size_t len)
{
	struct drm_gpuvm_bo *vm_bo = va->vm_bo;

	if (va->vm != gpuvm)
		return bad(msg, len, "VA %#llx: vm %p, not its tree's %p",
			   (unsigned long long)va->va.addr, (void *)va->vm, (void *)gpuvm);
	if (va == &gpuvm->kernel_alloc_node || !va->gem.obj) {
		if (vm_bo)
			return bad(msg, len, "VA %#llx without object is linked to vm_bo %p",
				   (unsigned long long)va->va.addr, (void *)vm_bo);
		return true;
	}
	/* A driver links every VA with an object (the model always does). */
	if (!vm_bo)
		return bad(msg, len, "VA %#llx of object %p is not linked",
			   (unsigned long long)va->va.addr, (void *)va->gem.obj);
	if (vm_bo->vm != gpuvm || vm_bo->obj != va->gem.obj)
		return bad(msg, len, "VA %#llx linked to vm_bo %p of vm %p / object %p",
			   (unsigned long long)va->va.addr, (void *)vm_bo, (void *)vm_bo->vm,
			   (void *)vm_bo->obj);
	if (!on_list(&vm_bo->list.gpuva, &va->gem.entry))
		return bad(msg, len, "VA %#llx is not on its vm_bo's VA list",
			   (unsigned long long)va->va.addr);
	return true;
}

/* The address-ordered list and the interval tree hold the same VAs, disjoint, none empty. */
static bool check_vas(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	struct rb_node *node = rb_first_cached(&gpuvm->rb.tree);
	struct drm_gpuva *va;
	bool kernel_seen = false, at_top = false;
	u64 end = 0;

	if (count(&gpuvm->rb.list) < 0)
		return bad(msg, len, "vm %p: VA list is corrupted", (void *)gpuvm);
	drm_gpuvm_for_each_va(va, gpuvm) {
		if (!node || rb_entry(node, struct drm_gpuva, rb.node) != va)
			return bad(msg, len, "VA %#llx: tree order differs from the list",
				   (unsigned long long)va->va.addr);
		node = rb_next(node);
		/*
		 * Upstream inserts one for an empty map request that a driver
		 * lets through (docs/upstream-findings.md 5): it ends before it
		 * starts, and a lookup from its own address misses it.
		 */
		if (!va->va.range)
			return bad(msg, len, "VA %#llx has zero range",
				   (unsigned long long)va->va.addr);
		if (va->va.addr < end || at_top)
			return bad(msg, len, "VA %#llx overlaps the VA before it",
				   (unsigned long long)va->va.addr);
		/* An end of exactly 2^64 wraps to 0: nothing may follow. */
		if (check_add_overflow(va->va.addr, va->va.range, &end)) {
			if (end)
				return bad(msg, len, "VA %#llx: end past 2^64",
					   (unsigned long long)va->va.addr);
			at_top = true;
		}
		kernel_seen |= va == &gpuvm->kernel_alloc_node;
		if (!check_va(gpuvm, va, msg, len))
			return false;
	}
	if (node)
		return bad(msg, len, "vm %p: the tree holds more VAs than the list", (void *)gpuvm);
	if (kernel_seen != !!gpuvm->kernel_alloc_node.va.range)
		return bad(msg, len, "vm %p: kernel node %s the tree", (void *)gpuvm,
			   kernel_seen ? "unexpectedly in" : "missing from");
	return true;
}

/* extobj and evict lists: this VM's vm_bos, external resp. evicted ones. */
static bool check_lists(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	struct drm_gpuvm_bo *vm_bo;

	if (gpuvm->extobj.local_list || gpuvm->evict.local_list)
		return bad(msg, len, "vm %p: a local list is set outside an iteration",
			   (void *)gpuvm);
	if (count(&gpuvm->extobj.list) < 0 || count(&gpuvm->evict.list) < 0)
		return bad(msg, len, "vm %p: extobj or evict list is corrupted", (void *)gpuvm);
	list_for_each_entry(vm_bo, &gpuvm->extobj.list, list.entry.extobj) {
		if (vm_bo->vm != gpuvm || !drm_gpuvm_is_extobj(gpuvm, vm_bo->obj))
			return bad(msg, len, "vm %p: vm_bo %p on the extobj list is not its extobj",
				   (void *)gpuvm, (void *)vm_bo);
		if (!kref_read(&vm_bo->kref) && !zombie_may_be_listed(gpuvm, vm_bo))
			return bad(msg, len, "vm %p: dead vm_bo %p on the extobj list",
				   (void *)gpuvm, (void *)vm_bo);
	}
	list_for_each_entry(vm_bo, &gpuvm->evict.list, list.entry.evict) {
		/*
		 * With RESV_PROTECTED an external object's eviction changes
		 * only its flag: prepare_objects() lists an evicted one, and
		 * only a validation takes it off, so one whose flag was
		 * cleared since may stay listed (invariant 20's exception).
		 */
		bool strict = !drm_gpuvm_is_extobj(gpuvm, vm_bo->obj) ||
			      !drm_gpuvm_resv_protected(gpuvm);

		if (vm_bo->vm != gpuvm || (strict && !vm_bo->evicted))
			return bad(msg, len, "vm %p: vm_bo %p on the evict list is not evicted",
				   (void *)gpuvm, (void *)vm_bo);
		if (!kref_read(&vm_bo->kref) && !zombie_may_be_listed(gpuvm, vm_bo))
			return bad(msg, len, "vm %p: dead vm_bo %p on the evict list",
				   (void *)gpuvm, (void *)vm_bo);
	}
	return true;
}

bool drm_gpuvm_check(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	return check_vas(gpuvm, msg, len) && check_zombies(gpuvm, msg, len) &&
	       check_lists(gpuvm, msg, len);
}

bool drm_gpuvm_check_gem(struct drm_gem_object *obj, char *msg, size_t len)
{
	struct drm_gpuvm_bo *vm_bo, *other;
	struct drm_gpuva *va;

	if (count(&obj->gpuva.list) < 0)
		return bad(msg, len, "object %p: vm_bo list is corrupted", (void *)obj);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		if (vm_bo->obj != obj || !kref_read(&vm_bo->kref))
			return bad(msg, len, "object %p: vm_bo %p is not its own or is dead",
				   (void *)obj, (void *)vm_bo);
		drm_gem_for_each_gpuvm_bo(other, obj) {
			if (other == vm_bo)
				break;
			if (other->vm == vm_bo->vm)
				return bad(msg, len, "object %p: two vm_bos for vm %p",
					   (void *)obj, (void *)vm_bo->vm);
		}
		if (count(&vm_bo->list.gpuva) < 0)
			return bad(msg, len, "vm_bo %p: VA list is corrupted", (void *)vm_bo);
		drm_gpuvm_bo_for_each_va(va, vm_bo)
			if (va->vm_bo != vm_bo || va->gem.obj != obj || va->vm != vm_bo->vm)
				return bad(msg, len, "vm_bo %p: VA %#llx points elsewhere",
					   (void *)vm_bo, (unsigned long long)va->va.addr);
	}
	return true;
}

bool drm_gpuvm_check_vm_refs(struct drm_gpuvm *gpuvm, unsigned int holder_refs,
			     struct drm_gem_object *const *objs, unsigned int nobjs,
			     char *msg, size_t len)
{
	unsigned int kref = kref_read(&gpuvm->kref), vas = 0, vm_bos = 0, i;
	long dead = zombies(gpuvm, NULL);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	/* Each VA in the tree and each vm_bo, live or zombie, holds a VM reference. */
	drm_gpuvm_for_each_va(va, gpuvm)
		vas += va != &gpuvm->kernel_alloc_node;
	for (i = 0; i < nobjs; i++)
		drm_gem_for_each_gpuvm_bo(vm_bo, objs[i])
			vm_bos += vm_bo->vm == gpuvm;
	if (dead < 0 || kref != holder_refs + vas + vm_bos + dead)
		return bad(msg, len, "vm %p: kref %u != %u held + %u VAs + %u vm_bos + %ld zombies",
			   (void *)gpuvm, kref, holder_refs, vas, vm_bos, dead);
	return true;
}

bool drm_gpuvm_check_gem_refs(struct drm_gem_object *obj, unsigned int holder_refs,
			      struct drm_gpuvm *const *vms, unsigned int nvms,
			      char *msg, size_t len)
{
	unsigned int refs = kref_read(&obj->refcount), vm_bos = 0, resv = 0, i;
	struct drm_gpuvm_bo *vm_bo;
	long dead = 0;

	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		vm_bos++;
	for (i = 0; i < nvms; i++) {
		long z = zombies(vms[i], obj);

		if (z < 0)
			return bad(msg, len, "vm %p: bo_defer list is cyclic", (void *)vms[i]);
		dead += z;
		resv += vms[i]->r_obj == obj;
	}
	if (refs != holder_refs + vm_bos + resv + dead)
		return bad(msg, len,
			   "object %p: refcount %u != %u held + %u vm_bos + %u VMs' resv + %ld zombies",
			   (void *)obj, refs, holder_refs, vm_bos, resv, dead);
	return true;
}

bool drm_gpuvm_check_vm_bo_refs(struct drm_gpuvm_bo *vm_bo, unsigned int holder_refs,
				char *msg, size_t len)
{
	unsigned int kref = kref_read(&vm_bo->kref);
	long vas = count(&vm_bo->list.gpuva);

	if (vas < 0 || kref != vas + holder_refs)
		return bad(msg, len, "vm_bo %p: kref %u != %ld VAs + %u held",
			   (void *)vm_bo, kref, vas, holder_refs);
	return true;
}
