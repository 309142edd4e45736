// SPDX-License-Identifier: MIT
/*
 * Read-only invariant checker for GPUVM (docs/semantics.md section 6). It reports the
 * first violation it meets; the order of the passes below therefore decides
 * which invariant is blamed when one corruption breaks several.
 */
#include <stdarg.h>
#include <stdio.h>
#include <drm/drm_gpuvm_check.h>
#include "gpuvm_internal.h"

/* Longest list walked before it is declared cyclic. */
#define WALK_MAX	(1u << 26)
/* A red-black tree deeper than this would need more than 2^64 nodes. */
#define RB_MAX_DEPTH	130

/*
 * What is being inspected, for the message prefix; formatted only when a
 * check fails (checks run after every fuzzed command: keep them cheap).
 */
struct ck {
	char *msg;
	size_t len;
	const char *what;	/* "vm", "gem", "vm_bo" */
	const char *name;	/* a VM's name, or NULL: then @obj is shown */
	const void *obj;
};

static void ck_init(struct ck *ck, char *msg, size_t len)
{
	ck->msg = len ? msg : NULL;
	ck->len = len;
	if (ck->msg)
		ck->msg[0] = '\0';
}

static void ck_who(struct ck *ck, const char *what, const char *name, const void *obj)
{
	ck->what = what;
	ck->name = name;
	ck->obj = obj;
}

static void ck_vm_who(struct ck *ck, struct drm_gpuvm *gpuvm)
{
	ck_who(ck, "vm", gpuvm->name ? gpuvm->name : "(null)", gpuvm);
}

/* Record the violation (prefixed with the inspected object) and fail. */
static __printf(3, 4) bool fail(struct ck *ck, int inv, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ck->msg)
		return false;
	if (ck->name)
		n = snprintf(ck->msg, ck->len, "%s '%s': inv %d: ", ck->what, ck->name, inv);
	else
		n = snprintf(ck->msg, ck->len, "%s %p: inv %d: ", ck->what, ck->obj, inv);
	if (n < 0 || (size_t)n >= ck->len)
		return false;
	va_start(ap, fmt);
	vsnprintf(ck->msg + n, ck->len - n, fmt, ap);
	va_end(ap);
	return false;
}

#define VA_FMT		"VA [0x%llx+0x%llx)"
#define VA_ARG(v)	(unsigned long long)(v)->va.addr, (unsigned long long)(v)->va.range

static bool add_overflows(u64 a, u64 b)
{
	u64 sum;

	return __builtin_add_overflow(a, b, &sum);
}

/*
 * Invariant 5, computed here rather than by drm_gpuvm_range_valid(): the
 * checker should not trust the code it checks, and lib/ is instrumented
 * for coverage in fuzz builds while the checker is not.
 */
static bool va_in_vm(struct drm_gpuvm *gpuvm, const struct drm_gpuva *va)
{
	const struct drm_gpuva *kn = &gpuvm->kernel_alloc_node;
	u64 end = va->va.addr + va->va.range;	/* no wrap: invariant 4 first */

	if (va->va.addr < gpuvm->mm_start || end > gpuvm->mm_start + gpuvm->mm_range)
		return false;
	/* Disjoint from the kernel-reserved window, if there is one. */
	return !kn->va.range || end <= kn->va.addr ||
	       kn->va.addr + kn->va.range <= va->va.addr;
}

/*
 * Structural check of a circular list: bounded, no NULL link, every
 * entry's prev is the entry before it. Later walks of the same list can
 * then use the plain list iterators.
 */
static bool ck_list(struct ck *ck, const struct list_head *head, int inv,
		    const char *what, size_t *count)
{
	const struct list_head *pos, *prev = head;
	size_t n = 0;

	if (!head->next || !head->prev)
		return fail(ck, inv, "%s head is not initialised", what);
	for (pos = head->next; pos != head; prev = pos, pos = pos->next) {
		if (!pos)
			return fail(ck, inv, "%s has a NULL link after entry %zu", what, n);
		if (pos->prev != prev)
			return fail(ck, inv, "%s entry %zu has a bad prev link", what, n);
		if (++n > WALK_MAX)
			return fail(ck, inv, "%s has more than %u entries (cycle?)",
				    what, WALK_MAX);
	}
	if (head->prev != prev)
		return fail(ck, inv, "%s head prev does not point to its last entry", what);
	if (count)
		*count = n;
	return true;
}

/* Linked into some list with consistent neighbours. */
static bool entry_linked_ok(const struct list_head *e)
{
	return e->next && e->prev && e->next != e &&
	       e->prev->next == e && e->next->prev == e;
}

/* Invariant 20 applies strictly except to extobjs of RESV_PROTECTED VMs. */
static bool evict_strict(struct drm_gpuvm_bo *vm_bo)
{
	return !drm_gpuvm_is_extobj(vm_bo->vm, vm_bo->obj) ||
	       !drm_gpuvm_resv_protected(vm_bo->vm);
}

/*
 * One vm_bo: its gpuva list is sound and each member points back to it,
 * the kref covers the members (if live), and eviction state matches.
 */
static bool ck_vm_bo(struct ck *ck, struct drm_gpuvm_bo *vm_bo)
{
	unsigned int kref = kref_read(&vm_bo->kref);
	struct drm_gpuva *va;
	size_t n;

	if (!ck_list(ck, &vm_bo->list.gpuva, 11, "vm_bo gpuva list", &n))
		return false;
	drm_gpuvm_bo_for_each_va(va, vm_bo) {
		if (va->vm_bo != vm_bo)
			return fail(ck, 11, VA_FMT " on the list of vm_bo %p points to vm_bo %p",
				    VA_ARG(va), (void *)vm_bo, (void *)va->vm_bo);
		if (va->gem.obj != vm_bo->obj)
			return fail(ck, 9, VA_FMT " maps GEM %p but is on a vm_bo of GEM %p",
				    VA_ARG(va), (void *)va->gem.obj, (void *)vm_bo->obj);
		if (va->vm != vm_bo->vm)
			return fail(ck, 9, VA_FMT " is in vm %p but on a vm_bo of vm %p",
				    VA_ARG(va), (void *)va->vm, (void *)vm_bo->vm);
	}
	if (!kref)
		return true;
	if (kref < n)
		return fail(ck, 15, "vm_bo %p has kref %u but %zu linked VAs",
			    (void *)vm_bo, kref, n);
	if (evict_strict(vm_bo)) {
		bool listed = !node_unlinked(&vm_bo->list.entry.evict);

		if (listed != vm_bo->evicted)
			return fail(ck, 20, "vm_bo %p has evicted=%d but is %s the evict list",
				    (void *)vm_bo, vm_bo->evicted, listed ? "on" : "not on");
	}
	return true;
}

/* Invariants 8-11 for one VA of @gpuvm. */
static bool ck_va_link(struct ck *ck, struct drm_gpuvm *gpuvm, struct drm_gpuva *va)
{
	struct drm_gpuvm_bo *vm_bo = va->vm_bo;

	if (!va->gem.obj) {
		if (vm_bo)
			return fail(ck, 8, VA_FMT " has no GEM object but vm_bo %p",
				    VA_ARG(va), (void *)vm_bo);
		if (!node_unlinked(&va->gem.entry))
			return fail(ck, 8, VA_FMT " has no GEM object but is on a vm_bo list",
				    VA_ARG(va));
		return true;
	}
	if (!vm_bo) {
		if (!node_unlinked(&va->gem.entry))
			return fail(ck, 10, VA_FMT " has no vm_bo but is on a vm_bo list",
				    VA_ARG(va));
		return true;
	}
	if (vm_bo->vm != gpuvm)
		return fail(ck, 9, VA_FMT " is linked to vm_bo %p of another vm %p",
			    VA_ARG(va), (void *)vm_bo, (void *)vm_bo->vm);
	if (vm_bo->obj != va->gem.obj)
		return fail(ck, 9, VA_FMT " maps GEM %p but its vm_bo %p is for GEM %p",
			    VA_ARG(va), (void *)va->gem.obj, (void *)vm_bo, (void *)vm_bo->obj);
	if (!entry_linked_ok(&va->gem.entry))
		return fail(ck, 9, VA_FMT " has vm_bo %p but is not properly on its list",
			    VA_ARG(va), (void *)vm_bo);
	/* Walk each vm_bo once: from the VA that heads its list. */
	if (vm_bo->list.gpuva.next == &va->gem.entry)
		return ck_vm_bo(ck, vm_bo);
	return true;
}

/*
 * Recursive in-order walk of the tree, checked against rb.list through
 * *@cur, with parent pointers, red-red and black heights (nil counts 1).
 */
static bool ck_rb(struct ck *ck, struct drm_gpuvm *gpuvm, struct rb_node *n,
		  struct rb_node *parent, unsigned int depth,
		  struct list_head **cur, int *bh)
{
	struct drm_gpuva *va, *lva;
	int lbh = 0, rbh = 0;

	if (!n) {
		*bh = 1;
		return true;
	}
	va = rb_entry(n, struct drm_gpuva, rb.node);
	if (depth > RB_MAX_DEPTH)
		return fail(ck, 2, "tree deeper than %u (cycle?)", RB_MAX_DEPTH);
	if (rb_parent(n) != parent)
		return fail(ck, 2, "tree node of " VA_FMT " has a wrong parent pointer",
			    VA_ARG(va));
	if (parent && rb_is_red(n) && rb_is_red(parent))
		return fail(ck, 2, "red tree node of " VA_FMT " has a red parent",
			    VA_ARG(va));
	if (!ck_rb(ck, gpuvm, n->rb_left, n, depth + 1, cur, &lbh))
		return false;
	if (*cur == &gpuvm->rb.list)
		return fail(ck, 2, VA_FMT " is in the tree but past the end of the list",
			    VA_ARG(va));
	lva = list_entry(*cur, struct drm_gpuva, rb.entry);
	if (lva != va)
		return fail(ck, 2, "in-order tree walk gives " VA_FMT " where the list has "
			    VA_FMT, VA_ARG(va), VA_ARG(lva));
	*cur = (*cur)->next;
	if (!ck_rb(ck, gpuvm, n->rb_right, n, depth + 1, cur, &rbh))
		return false;
	if (lbh != rbh)
		return fail(ck, 2, "tree node of " VA_FMT " has black heights %d and %d below it",
			    VA_ARG(va), lbh, rbh);
	*bh = lbh + !rb_is_red(n);
	return true;
}

/* Invariants 1-5 and 8-11 along rb.list, then 2 against the tree. */
static bool ck_vas(struct ck *ck, struct drm_gpuvm *gpuvm, bool *seen_kernel)
{
	struct drm_gpuva *va, *prev = NULL;
	struct rb_node *root = gpuvm->rb.tree.rb_node;
	struct list_head *cur;
	int bh;

	if (!ck_list(ck, &gpuvm->rb.list, 1, "VA list", NULL))
		return false;
	*seen_kernel = false;
	drm_gpuvm_for_each_va(va, gpuvm) {
		bool kernel = va == &gpuvm->kernel_alloc_node;

		*seen_kernel |= kernel;
		if (va->vm != gpuvm)
			return fail(ck, 3, VA_FMT " points to vm %p", VA_ARG(va), (void *)va->vm);
		if (add_overflows(va->va.addr, va->va.range))
			return fail(ck, 4, VA_FMT " wraps past 2^64", VA_ARG(va));
		/* Even where the quirks let one in: docs/upstream-findings.md 5. */
		if (!va->va.range)
			return fail(ck, 4, "VA at 0x%llx has zero range",
				    (unsigned long long)va->va.addr);
		if (!kernel && !va_in_vm(gpuvm, va))
			return fail(ck, 5, VA_FMT " is outside the VA space or in the reserved window",
				    VA_ARG(va));
		if (prev && prev->va.addr + prev->va.range > va->va.addr)
			return fail(ck, 1, VA_FMT " overlaps next VA at 0x%llx",
				    VA_ARG(prev), (unsigned long long)va->va.addr);
		if (!ck_va_link(ck, gpuvm, va))
			return false;
		prev = va;
	}

	if (root && rb_is_red(root))
		return fail(ck, 2, "tree root is red");
	cur = gpuvm->rb.list.next;
	if (!ck_rb(ck, gpuvm, root, NULL, 0, &cur, &bh))
		return false;
	if (cur != &gpuvm->rb.list)
		return fail(ck, 2, VA_FMT " is on the list but not in the tree",
			    VA_ARG(list_entry(cur, struct drm_gpuva, rb.entry)));
	return true;
}

/* Invariant 6. */
static bool ck_kernel_node(struct ck *ck, struct drm_gpuvm *gpuvm, bool seen)
{
	struct drm_gpuva *kn = &gpuvm->kernel_alloc_node;
	bool want = kn->va.range && !add_overflows(kn->va.addr, kn->va.range);

	if (!want) {
		if (seen || !RB_EMPTY_NODE(&kn->rb.node))
			return fail(ck, 6, "kernel node " VA_FMT " is in the tree but must not be",
				    VA_ARG(kn));
		return true;
	}
	if (!seen || RB_EMPTY_NODE(&kn->rb.node))
		return fail(ck, 6, "kernel node " VA_FMT " is not in the tree", VA_ARG(kn));
	if (kn->gem.obj || kn->vm_bo)
		return fail(ck, 6, "kernel node has GEM %p and vm_bo %p",
			    (void *)kn->gem.obj, (void *)kn->vm_bo);
	if (!node_unlinked(&kn->gem.entry))
		return fail(ck, 6, "kernel node is on a vm_bo list");
	return true;
}

/* A zombie must be empty and off every list but bo_defer (invariant 16). */
static bool ck_zombie(struct ck *ck, struct drm_gpuvm_bo *vm_bo)
{
	if (!list_empty(&vm_bo->list.gpuva))
		return fail(ck, 16, "zombie vm_bo %p still has VAs", (void *)vm_bo);
	if (!node_unlinked(&vm_bo->list.entry.gem))
		return fail(ck, 16, "zombie vm_bo %p is still on its GEM list", (void *)vm_bo);
	if (!drm_gpuvm_resv_protected(vm_bo->vm) &&
	    (!node_unlinked(&vm_bo->list.entry.extobj) ||
	     !node_unlinked(&vm_bo->list.entry.evict)))
		return fail(ck, 16, "zombie vm_bo %p is still on the extobj or evict list",
			    (void *)vm_bo);
	return true;
}

/* Invariants 16-17: walk the NULL-terminated llist, bounded. */
static bool ck_bo_defer(struct ck *ck, struct drm_gpuvm *gpuvm, unsigned int *zombies)
{
	struct llist_node *node;
	unsigned int n = 0;

	for (node = gpuvm->bo_defer.first; node; node = node->next) {
		struct drm_gpuvm_bo *vm_bo =
			container_of(node, struct drm_gpuvm_bo, list.entry.bo_defer);
		unsigned int kref;

		if (!drm_gpuvm_immediate_mode(gpuvm))
			return fail(ck, 17, "bo_defer is not empty in staged mode");
		if (++n > WALK_MAX || node->next == node)
			return fail(ck, 17, "bo_defer list is cyclic");
		if (vm_bo->vm != gpuvm)
			return fail(ck, 17, "vm_bo %p on bo_defer belongs to vm %p",
				    (void *)vm_bo, (void *)vm_bo->vm);
		kref = kref_read(&vm_bo->kref);
		if (kref)
			return fail(ck, 16, "vm_bo %p on bo_defer has kref %u",
				    (void *)vm_bo, kref);
		if (!ck_zombie(ck, vm_bo))
			return false;
	}
	if (zombies)
		*zombies = n;
	return true;
}

/* Zombie found on extobj/evict: legal only with RESV_PROTECTED, on bo_defer. */
static bool ck_listed_zombie(struct ck *ck, struct drm_gpuvm_bo *vm_bo, const char *what)
{
	if (!drm_gpuvm_resv_protected(vm_bo->vm))
		return fail(ck, 16, "zombie vm_bo %p is on the %s list", (void *)vm_bo, what);
	if (!llist_on_list(&vm_bo->list.entry.bo_defer))
		return fail(ck, 16, "vm_bo %p on the %s list has kref 0 but is not on bo_defer",
			    (void *)vm_bo, what);
	return true;
}

/* Invariants 18, 21 (and 11, 15, 20 for each live entry). */
static bool ck_extobj(struct ck *ck, struct drm_gpuvm *gpuvm)
{
	struct drm_gpuvm_bo *vm_bo;

	if (!ck_list(ck, &gpuvm->extobj.list, 18, "extobj list", NULL))
		return false;
	list_for_each_entry(vm_bo, &gpuvm->extobj.list, list.entry.extobj) {
		if (vm_bo->vm != gpuvm)
			return fail(ck, 18, "vm_bo %p on the extobj list belongs to vm %p",
				    (void *)vm_bo, (void *)vm_bo->vm);
		if (!drm_gpuvm_is_extobj(gpuvm, vm_bo->obj))
			return fail(ck, 18, "vm_bo %p on the extobj list has private GEM %p",
				    (void *)vm_bo, (void *)vm_bo->obj);
		if (!kref_read(&vm_bo->kref)) {
			if (!ck_listed_zombie(ck, vm_bo, "extobj"))
				return false;
			continue;
		}
		if (node_unlinked(&vm_bo->list.entry.gem))
			return fail(ck, 21, "live vm_bo %p on the extobj list is not on its GEM list",
				    (void *)vm_bo);
		if (!ck_vm_bo(ck, vm_bo))
			return false;
	}
	return true;
}

/* Invariants 19, 20, 21 for the evict list. */
static bool ck_evict(struct ck *ck, struct drm_gpuvm *gpuvm)
{
	struct drm_gpuvm_bo *vm_bo;

	if (!ck_list(ck, &gpuvm->evict.list, 19, "evict list", NULL))
		return false;
	list_for_each_entry(vm_bo, &gpuvm->evict.list, list.entry.evict) {
		if (vm_bo->vm != gpuvm)
			return fail(ck, 19, "vm_bo %p on the evict list belongs to vm %p",
				    (void *)vm_bo, (void *)vm_bo->vm);
		if (!kref_read(&vm_bo->kref)) {
			if (!ck_listed_zombie(ck, vm_bo, "evict"))
				return false;
			continue;
		}
		if (node_unlinked(&vm_bo->list.entry.gem))
			return fail(ck, 21, "live vm_bo %p on the evict list is not on its GEM list",
				    (void *)vm_bo);
		if (!ck_vm_bo(ck, vm_bo))
			return false;
	}
	return true;
}

bool drm_gpuvm_check(struct drm_gpuvm *gpuvm, char *msg, size_t len)
{
	struct ck ck;
	bool seen_kernel;

	ck_init(&ck, msg, len);
	ck_vm_who(&ck, gpuvm);
	if (gpuvm->extobj.local_list)
		return fail(&ck, 22, "extobj.local_list is set outside an iteration");
	if (gpuvm->evict.local_list)
		return fail(&ck, 22, "evict.local_list is set outside an iteration");
	return ck_vas(&ck, gpuvm, &seen_kernel) &&
	       ck_kernel_node(&ck, gpuvm, seen_kernel) &&
	       ck_bo_defer(&ck, gpuvm, NULL) &&
	       ck_extobj(&ck, gpuvm) &&
	       ck_evict(&ck, gpuvm);
}

bool drm_gpuvm_check_gem(struct drm_gem_object *obj, char *msg, size_t len)
{
	struct drm_gpuvm_bo *vm_bo, *other, *first = NULL;
	struct ck ck;

	ck_init(&ck, msg, len);
	ck_who(&ck, "gem", NULL, obj);
	if (!ck_list(&ck, &obj->gpuva.list, 14, "GEM gpuva list", NULL))
		return false;
	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		if (vm_bo->obj != obj)
			return fail(&ck, 14, "vm_bo %p on the list points to GEM %p",
				    (void *)vm_bo, (void *)vm_bo->obj);
		if (!kref_read(&vm_bo->kref))
			return fail(&ck, 14, "vm_bo %p on the list has kref 0", (void *)vm_bo);
		drm_gem_for_each_gpuvm_bo(other, obj) {
			if (other == vm_bo)
				break;
			if (other->vm == vm_bo->vm)
				return fail(&ck, 13, "vm_bos %p and %p both belong to vm %p",
					    (void *)other, (void *)vm_bo, (void *)vm_bo->vm);
		}
		if (!first)
			first = vm_bo;
		else if (drm_gpuvm_immediate_mode(first->vm) !=
			 drm_gpuvm_immediate_mode(vm_bo->vm))
			return fail(&ck, 31, "vm %p and vm %p disagree on IMMEDIATE_MODE",
				    (void *)first->vm, (void *)vm_bo->vm);
		if (!ck_vm_bo(&ck, vm_bo))
			return false;
	}
	return true;
}

/* Live vm_bos of @gpuvm on @obj's gpuva list. */
static bool count_live(struct ck *ck, struct drm_gem_object *obj,
		       struct drm_gpuvm *gpuvm, unsigned int *n)
{
	struct drm_gpuvm_bo *vm_bo;

	if (!ck_list(ck, &obj->gpuva.list, 14, "GEM gpuva list", NULL))
		return false;
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		if ((!gpuvm || vm_bo->vm == gpuvm) && kref_read(&vm_bo->kref))
			(*n)++;
	return true;
}

/* Zombies on @gpuvm's bo_defer, only those of @obj unless it is NULL. */
static bool count_zombies(struct ck *ck, struct drm_gpuvm *gpuvm,
			  struct drm_gem_object *obj, unsigned int *n)
{
	struct llist_node *node;
	unsigned int steps = 0;

	for (node = gpuvm->bo_defer.first; node; node = node->next) {
		struct drm_gpuvm_bo *vm_bo =
			container_of(node, struct drm_gpuvm_bo, list.entry.bo_defer);

		if (++steps > WALK_MAX || node->next == node)
			return fail(ck, 17, "bo_defer list of vm %p is cyclic", (void *)gpuvm);
		if (!obj || vm_bo->obj == obj)
			(*n)++;
	}
	return true;
}

bool drm_gpuvm_check_vm_refs(struct drm_gpuvm *gpuvm, unsigned int holder_refs,
			     struct drm_gem_object *const *objs, unsigned int nobjs,
			     char *msg, size_t len)
{
	unsigned int kref = kref_read(&gpuvm->kref), live = 0, zombies = 0, i;
	struct drm_gpuva *va;
	size_t vas = 0;
	struct ck ck;

	ck_init(&ck, msg, len);
	ck_vm_who(&ck, gpuvm);
	if (!ck_list(&ck, &gpuvm->rb.list, 1, "VA list", NULL))
		return false;
	drm_gpuvm_for_each_va(va, gpuvm)
		vas += va != &gpuvm->kernel_alloc_node;
	for (i = 0; i < nobjs; i++)
		if (!count_live(&ck, objs[i], gpuvm, &live))
			return false;
	if (!count_zombies(&ck, gpuvm, NULL, &zombies))
		return false;
	if (kref != holder_refs + vas + live + zombies)
		return fail(&ck, 23, "kref %u != %u held + %zu VAs + %u live vm_bos + %u zombies",
			    kref, holder_refs, vas, live, zombies);
	return true;
}

bool drm_gpuvm_check_gem_refs(struct drm_gem_object *obj, unsigned int holder_refs,
			      struct drm_gpuvm *const *vms, unsigned int nvms,
			      char *msg, size_t len)
{
	unsigned int refs = kref_read(&obj->refcount), vm_bos = 0, zombies = 0;
	unsigned int resv = 0, i;
	struct drm_gpuvm_bo *vm_bo;
	struct ck ck;

	ck_init(&ck, msg, len);
	ck_who(&ck, "gem", NULL, obj);
	if (!ck_list(&ck, &obj->gpuva.list, 14, "GEM gpuva list", NULL))
		return false;
	/* Every vm_bo on the list holds a reference, live or not. */
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		vm_bos++;
	for (i = 0; i < nvms; i++) {
		if (!count_zombies(&ck, vms[i], obj, &zombies))
			return false;
		resv += vms[i]->r_obj == obj;
	}
	if (refs != holder_refs + vm_bos + zombies + resv)
		return fail(&ck, 24,
			    "refcount %u != %u held + %u vm_bos + %u zombies + %u VMs' resv object",
			    refs, holder_refs, vm_bos, zombies, resv);
	return true;
}

bool drm_gpuvm_check_vm_bo_refs(struct drm_gpuvm_bo *vm_bo, unsigned int holder_refs,
				char *msg, size_t len)
{
	unsigned int kref = kref_read(&vm_bo->kref);
	struct ck ck;
	size_t n;

	ck_init(&ck, msg, len);
	ck_who(&ck, "vm_bo", NULL, vm_bo);
	if (!ck_list(&ck, &vm_bo->list.gpuva, 11, "vm_bo gpuva list", &n))
		return false;
	if (kref != n + holder_refs)
		return fail(&ck, 15, "kref %u != %zu linked VAs + %u held",
			    kref, n, holder_refs);
	return true;
}

long drm_gpuvm_check_zombies(struct drm_gpuvm *gpuvm, struct drm_gem_object **objs,
			     size_t max)
{
	struct llist_node *node;
	size_t n = 0;

	for (node = gpuvm->bo_defer.first; node; node = node->next) {
		if (n >= WALK_MAX || node->next == node)
			return -1;
		if (n < max)
			objs[n] = container_of(node, struct drm_gpuvm_bo,
					       list.entry.bo_defer)->obj;
		n++;
	}
	return (long)n;
}
