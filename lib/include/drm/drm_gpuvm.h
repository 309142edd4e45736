/* SPDX-License-Identifier: MIT */
/*
 * DRM GPUVM: a GPU virtual address space manager with the kernel's API
 * (current mainline): VAs in an address-ordered tree, one vm_bo per
 * (VM, GEM object) pair, external and evicted object lists, split/merge of
 * map and unmap requests into map/remap/unmap steps, and deferred vm_bo
 * cleanup for drivers that change the VM in the fence-signalling path.
 *
 * Locking contract, as upstream. GPUVM has no lock of its own for the VA
 * tree: the driver serialises insert, remove, lookup and op generation.
 * Three assertions guard the rest and are real checks here (a failed one is
 * a counted WARN, see <linux/kcompat.h>):
 *  A1  the VM's resv is held: drm_gpuvm_resv_assert_held();
 *  A2  the GEM's gpuva list lock is held: obj->gpuva.lock in immediate
 *      mode, obj->resv otherwise: drm_gem_gpuva_assert_lock_held();
 *  A3  the object's resv is held: dma_resv_assert_held(obj->resv).
 *
 * Differences from upstream are listed in the README ("Differences between
 * our library and upstream"); building lib/ with GPUVM_UPSTREAM_QUIRKS
 * restores upstream's behaviour where the difference is only strictness.
 * The semantics themselves, with the walk tables and the invariants the
 * checker enforces: docs/semantics.md.
 */
#ifndef _GPUVM_DRM_GPUVM_H
#define _GPUVM_DRM_GPUVM_H

#include <linux/bits.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <drm/drm_device.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>

struct drm_gpuvm;
struct drm_gpuvm_bo;
struct drm_gpuvm_ops;

/* ==== VAs ============================================================== */

/**
 * enum drm_gpuva_flags - driver-managed flags of a &drm_gpuva
 * @DRM_GPUVA_INVALIDATED: the backing object was invalidated (evicted)
 * @DRM_GPUVA_SPARSE: a sparse mapping; a label only, split/merge ignores it
 * @DRM_GPUVA_USERBITS: first bit free for the driver
 *
 * GPUVM never copies flags into the pieces of a split mapping.
 */
enum drm_gpuva_flags {
	DRM_GPUVA_INVALIDATED = (1 << 0),
	DRM_GPUVA_SPARSE = (1 << 1),
	DRM_GPUVA_USERBITS = (1 << 2),
};

/**
 * struct drm_gpuva - one mapping of a GPU VA range, usually embedded
 * @rb.node: tree node, keyed by address
 * @rb.entry: node in the VM's address-ordered list of VAs
 * @va.addr: first address
 * @va.range: length; the VA covers [addr, addr + range)
 * @vm: the VM whose tree holds the VA; set by a successful insert, kept after remove
 * @vm_bo: the vm_bo the VA is linked to, NULL when unlinked
 * @flags: &enum drm_gpuva_flags
 * @gem.offset: offset in @gem.obj that @va.addr maps
 * @gem.obj: backing object, NULL for a mapping without backing (sparse)
 * @gem.entry: node in @vm_bo's list of VAs
 *
 * The tree node and the address come first so a lookup touches one cache
 * line per VA. (Upstream's interval-tree bookkeeping field does not exist:
 * VAs are disjoint, so an ordered tree answers overlap queries alone.)
 */
struct drm_gpuva {
	struct {
		struct rb_node node;
		struct list_head entry;
	} rb;
	struct {
		u64 addr;
		u64 range;
	} va;
	struct drm_gpuvm *vm;
	struct drm_gpuvm_bo *vm_bo;
	enum drm_gpuva_flags flags;
	struct {
		u64 offset;
		struct drm_gem_object *obj;
		struct list_head entry;
	} gem;
};

/**
 * drm_gpuva_insert() - insert @va into @gpuvm's tree
 *
 * Reads @va->va; the range must be valid (drm_gpuvm_range_valid()) and must
 * not overlap any VA in the tree. On success sets @va->vm and takes a VM
 * reference, which drm_gpuva_remove() drops. Does not link, does not touch
 * @va->flags or @va->gem, allocates nothing, takes no lock (the driver's
 * VA-space lock serialises it). Safe inside the _safe iterators.
 *
 * Return: 0, -EINVAL for an invalid range, -EEXIST for an overlap.
 */
int drm_gpuva_insert(struct drm_gpuvm *gpuvm, struct drm_gpuva *va);

/**
 * drm_gpuva_remove() - remove @va from its VM's tree
 *
 * Drops the VM reference insert took (this may free the VM). @va->vm is
 * left as it was. Removing the kernel-reserved node, or a VA that is not
 * in a tree, WARNs and does nothing.
 */
void drm_gpuva_remove(struct drm_gpuva *va);

/**
 * drm_gpuva_link() - link @va to @vm_bo
 *
 * Does nothing for a VA without a GEM object. Takes a @vm_bo reference for
 * the VA and appends it to @vm_bo's VA list. Requires A2 for (@va->vm,
 * @vm_bo->obj); @va must have been inserted (its @vm is used). WARNs when
 * @va->gem.obj is not @vm_bo->obj (and links anyway, as upstream), and
 * when @va is already linked (refuses: upstream would corrupt the list).
 */
void drm_gpuva_link(struct drm_gpuva *va, struct drm_gpuvm_bo *vm_bo);

/**
 * drm_gpuva_unlink() - unlink @va from its vm_bo
 *
 * Does nothing for a VA without a GEM object or one that is not linked.
 * Requires A2. Drops the VA's vm_bo reference with drm_gpuvm_bo_put(), so
 * when it may be the last one, A1 too if the VM is RESV_PROTECTED.
 */
void drm_gpuva_unlink(struct drm_gpuva *va);

/**
 * drm_gpuva_unlink_defer() - unlink @va, deferring the vm_bo's destruction
 *
 * Immediate mode only (WARNs otherwise). Takes @va->gem.obj->gpuva.lock
 * itself: the caller must not hold it. When the vm_bo's last reference
 * goes, the vm_bo becomes a zombie that drm_gpuvm_bo_deferred_cleanup()
 * frees later. Safe in the fence-signalling path. @va must be linked.
 */
void drm_gpuva_unlink_defer(struct drm_gpuva *va);

/**
 * drm_gpuva_find_first() - lowest-addressed VA overlapping [addr, addr + range)
 *
 * No validity check; the kernel-reserved node counts. A range that would
 * pass 2^64 is cut there; a zero range overlaps nothing (upstream quirks:
 * see README). Return: the VA or NULL.
 */
struct drm_gpuva *drm_gpuva_find_first(struct drm_gpuvm *gpuvm, u64 addr, u64 range);

/** drm_gpuva_find() - the VA exactly at [addr, addr + range), or NULL */
struct drm_gpuva *drm_gpuva_find(struct drm_gpuvm *gpuvm, u64 addr, u64 range);

/**
 * drm_gpuva_find_prev() - the VA that covers @start - 1, or NULL
 *
 * NULL when @start - 1 is not a valid address of the VM (outside it, in the
 * kernel-reserved window, or @start == 0).
 */
struct drm_gpuva *drm_gpuva_find_prev(struct drm_gpuvm *gpuvm, u64 start);

/**
 * drm_gpuva_find_next() - the VA that covers @end, or NULL
 *
 * NULL when @end is not a valid address of the VM.
 */
struct drm_gpuva *drm_gpuva_find_next(struct drm_gpuvm *gpuvm, u64 end);

/** drm_gpuva_invalidate() - set or clear %DRM_GPUVA_INVALIDATED */
static inline void drm_gpuva_invalidate(struct drm_gpuva *va, bool invalidate)
{
	if (invalidate)
		va->flags |= DRM_GPUVA_INVALIDATED;
	else
		va->flags &= ~DRM_GPUVA_INVALIDATED;
}

/** drm_gpuva_invalidated() - is %DRM_GPUVA_INVALIDATED set? */
static inline bool drm_gpuva_invalidated(struct drm_gpuva *va)
{
	return va->flags & DRM_GPUVA_INVALIDATED;
}

/* ==== VM =============================================================== */

/**
 * enum drm_gpuvm_flags - fixed at drm_gpuvm_init()
 * @DRM_GPUVM_RESV_PROTECTED: the driver holds the VM's resv whenever the
 *	extobj and evict lists change; their spinlocks are not used and A1 is
 *	asserted instead
 * @DRM_GPUVM_IMMEDIATE_MODE: the VM is changed in the fence-signalling
 *	path; GEM gpuva lists are guarded by obj->gpuva.lock, and the deferred
 *	vm_bo APIs are available
 * @DRM_GPUVM_USERBITS: first bit free for the driver
 */
enum drm_gpuvm_flags {
	DRM_GPUVM_RESV_PROTECTED = BIT(0),
	DRM_GPUVM_IMMEDIATE_MODE = BIT(1),
	DRM_GPUVM_USERBITS = BIT(2),
};

/**
 * struct drm_gpuvm - a GPU virtual address space, usually embedded
 * @name: debug name ("unknown" by default; NULL after the last put)
 * @flags: &enum drm_gpuvm_flags
 * @drm: the device; the VM holds a reference to it until freed
 * @mm_start: first address managed
 * @mm_range: size of the managed window [mm_start, mm_start + mm_range)
 * @rb.tree: VAs by address, including @kernel_alloc_node
 * @rb.list: the same VAs in address order
 * @kref: references: the creator's, one per inserted VA (not the kernel
 *	node), one per vm_bo (zombies included), and any drm_gpuvm_get()
 * @kernel_alloc_node: the kernel-reserved window; in the tree only when
 *	its range is non-zero and did not overflow
 * @ops: driver callbacks
 * @r_obj: GEM object whose resv is the VM's shared resv; referenced
 * @extobj.list: vm_bos of external objects (obj->resv is not the VM's)
 * @extobj.local_list: private list of a running iteration, else NULL
 * @extobj.lock: guards @extobj.list unless RESV_PROTECTED
 * @evict.list: vm_bos to revalidate
 * @evict.local_list: as @extobj.local_list
 * @evict.lock: as @extobj.lock
 * @bo_defer: zombie vm_bos waiting for drm_gpuvm_bo_deferred_cleanup()
 */
struct drm_gpuvm {
	const char *name;
	enum drm_gpuvm_flags flags;
	struct drm_device *drm;
	u64 mm_start;
	u64 mm_range;
	struct {
		struct rb_root tree;
		struct list_head list;
	} rb;
	struct kref kref;
	struct drm_gpuva kernel_alloc_node;
	const struct drm_gpuvm_ops *ops;
	struct drm_gem_object *r_obj;
	struct {
		struct list_head list;
		struct list_head *local_list;
		spinlock_t lock;
	} extobj;
	struct {
		struct list_head list;
		struct list_head *local_list;
		spinlock_t lock;
	} evict;
	struct llist_head bo_defer;
};

/**
 * drm_gpuvm_init() - initialise a zeroed &drm_gpuvm
 * @gpuvm: the VM
 * @name: debug name, may be NULL
 * @flags: &enum drm_gpuvm_flags
 * @drm: the device, may be NULL; a reference is taken (drm_dev_get()), dropped
 *	 after @ops->vm_free
 * @r_obj: resv object (drm_gpuvm_resv_object_alloc()); a reference is taken
 * @start_offset: @mm_start
 * @range: @mm_range
 * @reserve_offset: start of the kernel-reserved window
 * @reserve_range: its size, 0 for none
 * @ops: callbacks; must provide vm_free by the time the last put happens
 *
 * The VM starts with one reference (the caller's). A window or reserved
 * window that overflows u64 WARNs; the values are stored anyway and an
 * overflowing reserved node is not inserted. Cannot fail.
 */
void drm_gpuvm_init(struct drm_gpuvm *gpuvm, const char *name,
		    enum drm_gpuvm_flags flags, struct drm_device *drm,
		    struct drm_gem_object *r_obj, u64 start_offset, u64 range,
		    u64 reserve_offset, u64 reserve_range,
		    const struct drm_gpuvm_ops *ops);

/** drm_gpuvm_get() - take a VM reference; the caller must already hold one */
static inline struct drm_gpuvm *drm_gpuvm_get(struct drm_gpuvm *gpuvm)
{
	kref_get(&gpuvm->kref);
	return gpuvm;
}

/**
 * drm_gpuvm_put() - drop a VM reference; NULL is ignored
 *
 * The last one removes the kernel node, WARNs about any VA, extobj, evict
 * or zombie entry left, drops the r_obj reference and calls ops->vm_free
 * (WARN and leak when missing). Usable from atomic context.
 */
void drm_gpuvm_put(struct drm_gpuvm *gpuvm);

/**
 * drm_gpuvm_range_valid() - may [addr, addr + range) hold a VA?
 *
 * True iff its end fits in u64 (an end of exactly 2^64 does not), it lies
 * in the managed window, does not overlap the kernel-reserved window and
 * (unless GPUVM_UPSTREAM_QUIRKS) is not empty.
 */
bool drm_gpuvm_range_valid(struct drm_gpuvm *gpuvm, u64 addr, u64 range);

/** drm_gpuvm_interval_empty() - no VA (kernel node included) overlaps the range */
bool drm_gpuvm_interval_empty(struct drm_gpuvm *gpuvm, u64 addr, u64 range);

/**
 * drm_gpuvm_resv_object_alloc() - a dummy GEM object to carry a VM's resv
 *
 * Refcount 1, its own resv, freed by its last put. NULL on allocation
 * failure. Pass it to drm_gpuvm_init() (which takes its own reference) and
 * drop the local one.
 */
struct drm_gem_object *drm_gpuvm_resv_object_alloc(struct drm_device *drm);

static inline bool drm_gpuvm_resv_protected(struct drm_gpuvm *gpuvm)
{
	return gpuvm->flags & DRM_GPUVM_RESV_PROTECTED;
}

static inline bool drm_gpuvm_immediate_mode(struct drm_gpuvm *gpuvm)
{
	return gpuvm->flags & DRM_GPUVM_IMMEDIATE_MODE;
}

#define drm_gpuvm_resv(gpuvm__)		((gpuvm__)->r_obj->resv)
#define drm_gpuvm_resv_obj(gpuvm__)	((gpuvm__)->r_obj)
#define drm_gpuvm_resv_held(gpuvm__)	dma_resv_held(drm_gpuvm_resv(gpuvm__))
#define drm_gpuvm_resv_assert_held(gpuvm__) \
	dma_resv_assert_held(drm_gpuvm_resv(gpuvm__))

/** drm_gpuvm_is_extobj() - is @obj external to @gpuvm (a resv of its own)? */
static inline bool drm_gpuvm_is_extobj(struct drm_gpuvm *gpuvm,
				       struct drm_gem_object *obj)
{
	return obj && obj->resv != drm_gpuvm_resv(gpuvm);
}

/* Next VA in address order, NULL after the last. */
static inline struct drm_gpuva *__drm_gpuva_next(struct drm_gpuva *va)
{
	if (va && !list_is_last(&va->rb.entry, &va->vm->rb.list))
		return list_next_entry(va, rb.entry);
	return NULL;
}

/**
 * drm_gpuvm_for_each_va_range() - VAs overlapping [start__, end__)
 *
 * Starts at drm_gpuva_find_first() and follows the address list while VAs
 * start below @end__. The kernel node is not skipped. Not safe against
 * removing the current VA.
 */
#define drm_gpuvm_for_each_va_range(va__, gpuvm__, start__, end__)		\
	for (va__ = drm_gpuva_find_first((gpuvm__), (start__), (end__) - (start__)); \
	     va__ && (va__->va.addr < (end__));					\
	     va__ = __drm_gpuva_next(va__))

/*
 * As drm_gpuvm_for_each_va_range(), but the successor is fetched before the
 * body runs: the body may remove @va__ and insert VAs.
 */
#define drm_gpuvm_for_each_va_range_safe(va__, next__, gpuvm__, start__, end__) \
	for (va__ = drm_gpuva_find_first((gpuvm__), (start__), (end__) - (start__)), \
	     next__ = __drm_gpuva_next(va__);					\
	     va__ && (va__->va.addr < (end__));					\
	     va__ = next__, next__ = __drm_gpuva_next(va__))

/* All VAs of a VM in address order, kernel node included. */
#define drm_gpuvm_for_each_va(va__, gpuvm__) \
	list_for_each_entry(va__, &(gpuvm__)->rb.list, rb.entry)

#define drm_gpuvm_for_each_va_safe(va__, next__, gpuvm__) \
	list_for_each_entry_safe(va__, next__, &(gpuvm__)->rb.list, rb.entry)

/* ==== locking and validation ============================================= */

/**
 * struct drm_gpuvm_exec - drm_exec wrapper locking a VM and its objects
 * @exec: the drm_exec
 * @flags: drm_exec flags (DRM_EXEC_IGNORE_DUPLICATES is usually wanted)
 * @vm: the VM
 * @num_fences: fence slots reserved on each locked object, 0 to lock only
 * @extra.fn: optional hook called in the locking loop to lock more objects
 * @extra.priv: for @extra.fn
 */
struct drm_gpuvm_exec {
	struct drm_exec exec;
	u32 flags;
	struct drm_gpuvm *vm;
	unsigned int num_fences;
	struct {
		int (*fn)(struct drm_gpuvm_exec *vm_exec);
		void *priv;
	} extra;
};

/** drm_gpuvm_prepare_vm() - lock the VM's resv object in @exec */
int drm_gpuvm_prepare_vm(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			 unsigned int num_fences);

/**
 * drm_gpuvm_prepare_objects() - lock every external object in @exec
 *
 * RESV_PROTECTED: requires A1, skips zombies, and moves each locked object
 * whose vm_bo is marked evicted onto the evict list. Otherwise iterates
 * through a private list under the extobj spinlock, holding a temporary
 * vm_bo reference per entry; must not run concurrently with itself.
 * Return: 0 or the first drm_exec error (contention is for the caller's
 * loop to retry).
 */
int drm_gpuvm_prepare_objects(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			      unsigned int num_fences);

/**
 * drm_gpuvm_prepare_range() - lock the objects of every VA overlapping the range
 *
 * VAs without an object, the kernel node among them, are skipped, as
 * upstream skips them. No validity check.
 */
int drm_gpuvm_prepare_range(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			    u64 addr, u64 range, unsigned int num_fences);

/**
 * drm_gpuvm_exec_lock() - lock the VM's resv and all external objects
 *
 * Loops prepare_vm, prepare_objects and @vm_exec->extra.fn until all are
 * locked, retrying on contention. On error everything is unlocked again.
 * On success the caller ends with drm_gpuvm_exec_unlock().
 */
int drm_gpuvm_exec_lock(struct drm_gpuvm_exec *vm_exec);

/** drm_gpuvm_exec_lock_array() - drm_gpuvm_exec_lock() plus @objs (overwrites extra) */
int drm_gpuvm_exec_lock_array(struct drm_gpuvm_exec *vm_exec,
			      struct drm_gem_object **objs, unsigned int num_objs);

/** drm_gpuvm_exec_lock_range() - lock the objects mapped in a range (not the VM's resv) */
int drm_gpuvm_exec_lock_range(struct drm_gpuvm_exec *vm_exec, u64 addr, u64 range);

/** drm_gpuvm_exec_unlock() - release everything the exec_lock family locked */
static inline void drm_gpuvm_exec_unlock(struct drm_gpuvm_exec *vm_exec)
{
	drm_exec_fini(&vm_exec->exec);
}

/**
 * drm_gpuvm_validate() - call ops->vm_bo_validate for every evicted vm_bo
 *
 * The callback normally revalidates and calls drm_gpuvm_bo_evict(vm_bo,
 * false). RESV_PROTECTED: requires A1, skips zombies, and removes entries
 * no longer marked evicted after each callback (A3 asserted). Stops at the
 * first callback error.
 * Return: 0, -EOPNOTSUPP without a vm_bo_validate callback, or the error.
 */
int drm_gpuvm_validate(struct drm_gpuvm *gpuvm, struct drm_exec *exec);

/** drm_gpuvm_exec_validate() - drm_gpuvm_validate() for a locked &drm_gpuvm_exec */
static inline int drm_gpuvm_exec_validate(struct drm_gpuvm_exec *vm_exec)
{
	return drm_gpuvm_validate(vm_exec->vm, &vm_exec->exec);
}

/**
 * drm_gpuvm_resv_add_fence() - add @fence to every object locked in @exec
 *
 * External objects get @extobj_usage, the others @private_usage. Each
 * object's resv must be held (A3) with a fence slot reserved.
 */
void drm_gpuvm_resv_add_fence(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			      struct dma_fence *fence,
			      enum dma_resv_usage private_usage,
			      enum dma_resv_usage extobj_usage);

static inline void drm_gpuvm_exec_resv_add_fence(struct drm_gpuvm_exec *vm_exec,
						 struct dma_fence *fence,
						 enum dma_resv_usage private_usage,
						 enum dma_resv_usage extobj_usage)
{
	drm_gpuvm_resv_add_fence(vm_exec->vm, &vm_exec->exec, fence,
				 private_usage, extobj_usage);
}

/* ==== vm_bo ============================================================ */

/**
 * struct drm_gpuvm_bo - the unique (VM, GEM object) pair, may be embedded
 * @vm: the VM, referenced for the vm_bo's whole life (zombie time too)
 * @obj: the GEM object, referenced likewise
 * @evicted: last value given to drm_gpuvm_bo_evict(); guarded by obj->resv
 * @kref: one per linked VA plus the driver's; 0 for a zombie
 * @list.gpuva: linked VAs, in link order
 * @list.entry.gem: node in obj->gpuva.list
 * @list.entry.extobj: node in vm->extobj.list (self-linked when off it)
 * @list.entry.evict: node in vm->evict.list (self-linked when off it)
 * @list.entry.bo_defer: node in vm->bo_defer while a zombie
 */
struct drm_gpuvm_bo {
	struct drm_gpuvm *vm;
	struct drm_gem_object *obj;
	bool evicted;
	struct kref kref;
	struct {
		struct list_head gpuva;
		struct {
			struct list_head gem;
			struct list_head extobj;
			struct list_head evict;
			struct llist_node bo_defer;
		} entry;
	} list;
};

/**
 * drm_gpuvm_bo_create() - allocate a vm_bo for (@gpuvm, @obj), on no list
 *
 * Uses ops->vm_bo_alloc when present. Refcount 1; takes a VM and a GEM
 * reference. Allocates: not for the signalling path or under the GEM's
 * gpuva lock. Return: the vm_bo or NULL.
 */
struct drm_gpuvm_bo *drm_gpuvm_bo_create(struct drm_gpuvm *gpuvm,
					 struct drm_gem_object *obj);

/**
 * drm_gpuvm_bo_obtain_locked() - find or create the vm_bo of (@gpuvm, @obj)
 *
 * Staged mode only (WARNs in immediate mode: it allocates). Requires A2
 * throughout, so the pair stays unique. A new vm_bo goes on the GEM's list
 * but not on the extobj list (see drm_gpuvm_bo_extobj_add()).
 * Return: the vm_bo with a reference for the caller, or ERR_PTR(-ENOMEM).
 */
struct drm_gpuvm_bo *drm_gpuvm_bo_obtain_locked(struct drm_gpuvm *gpuvm,
						struct drm_gem_object *obj);

/* The name before 7.0. */
static inline struct drm_gpuvm_bo *drm_gpuvm_bo_obtain(struct drm_gpuvm *gpuvm,
							struct drm_gem_object *obj)
{
	return drm_gpuvm_bo_obtain_locked(gpuvm, obj);
}

/**
 * drm_gpuvm_bo_obtain_prealloc() - obtain with a vm_bo from drm_gpuvm_bo_create()
 *
 * Immediate mode only (WARNs otherwise). Takes obj->gpuva.lock itself: the
 * caller must not hold it. If the pair already has a vm_bo, @prealloc is
 * freed after the lock is dropped and the existing one returned with a new
 * reference; otherwise @prealloc goes on the GEM's list and is returned.
 * Never fails.
 */
struct drm_gpuvm_bo *drm_gpuvm_bo_obtain_prealloc(struct drm_gpuvm_bo *prealloc);

/**
 * drm_gpuvm_bo_find() - the live vm_bo of (@gpuvm, @obj), with a new reference
 *
 * Requires A2. Zombies are never found. Return: the vm_bo or NULL.
 */
struct drm_gpuvm_bo *drm_gpuvm_bo_find(struct drm_gpuvm *gpuvm,
				       struct drm_gem_object *obj);

/** drm_gpuvm_bo_get() - take a vm_bo reference; the caller must hold one */
static inline struct drm_gpuvm_bo *drm_gpuvm_bo_get(struct drm_gpuvm_bo *vm_bo)
{
	kref_get(&vm_bo->kref);
	return vm_bo;
}

/**
 * drm_gpuvm_bo_put() - drop a vm_bo reference; NULL is ignored
 *
 * The last one takes the vm_bo off the extobj and evict lists and the GEM's
 * list and frees it, then drops its VM and GEM references (either may be
 * freed). When it may be the last: requires A2, and A1 if RESV_PROTECTED.
 * May sleep. Return: true if the vm_bo was destroyed.
 */
bool drm_gpuvm_bo_put(struct drm_gpuvm_bo *vm_bo);

/**
 * drm_gpuvm_bo_put_deferred() - drop a reference, deferring destruction
 *
 * Immediate mode only (WARNs otherwise). The caller must not hold
 * obj->gpuva.lock; it is taken only for the last reference, which turns the
 * vm_bo into a zombie: off the GEM's list (and, unless RESV_PROTECTED, off
 * the extobj and evict lists), pushed onto the VM's bo_defer list after the
 * lock is released. Safe in the signalling path.
 * Return: true if this call made the vm_bo a zombie.
 */
bool drm_gpuvm_bo_put_deferred(struct drm_gpuvm_bo *vm_bo);

/**
 * drm_gpuvm_bo_deferred_cleanup() - free the zombies of @gpuvm
 *
 * Process context only: with RESV_PROTECTED it locks the VM's resv to take
 * zombies off the extobj and evict lists, and each free drops a VM and a
 * GEM reference. The caller should hold its own VM reference across it.
 */
void drm_gpuvm_bo_deferred_cleanup(struct drm_gpuvm *gpuvm);

/**
 * drm_gpuvm_bo_extobj_add() - put @vm_bo on its VM's extobj list if external
 *
 * No effect for a private object or one already listed. Requires A1 if
 * RESV_PROTECTED; takes the extobj spinlock otherwise.
 */
void drm_gpuvm_bo_extobj_add(struct drm_gpuvm_bo *vm_bo);

/**
 * drm_gpuvm_bo_evict() - mark @vm_bo evicted (or valid again)
 *
 * Requires A3. Sets @vm_bo->evicted and adds to or removes from the evict
 * list, except for an external object of a RESV_PROTECTED VM, whose list
 * entry drm_gpuvm_prepare_objects() and drm_gpuvm_validate() maintain.
 */
void drm_gpuvm_bo_evict(struct drm_gpuvm_bo *vm_bo, bool evict);

/**
 * drm_gpuvm_bo_gem_evict() - drm_gpuvm_bo_evict() for every vm_bo of @obj
 *
 * Requires A3, and A2 for each vm_bo's VM.
 */
static inline void drm_gpuvm_bo_gem_evict(struct drm_gem_object *obj, bool evict)
{
	struct drm_gpuvm_bo *vm_bo;

	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		drm_gem_gpuva_assert_lock_held(vm_bo->vm, obj);
		drm_gpuvm_bo_evict(vm_bo, evict);
	}
}

/**
 * drm_gpuvm_bo_for_each_va() - the VAs linked to a vm_bo, in link order
 *
 * Requires A2. (Upstream's macro only works with a variable named vm_bo.)
 */
#define drm_gpuvm_bo_for_each_va(va__, vm_bo__) \
	list_for_each_entry(va__, &(vm_bo__)->list.gpuva, gem.entry)

#define drm_gpuvm_bo_for_each_va_safe(va__, next__, vm_bo__) \
	list_for_each_entry_safe(va__, next__, &(vm_bo__)->list.gpuva, gem.entry)

/* ==== operations ======================================================== */

/**
 * enum drm_gpuva_op_type - kind of a &drm_gpuva_op
 * @DRM_GPUVA_OP_MAP: create a mapping
 * @DRM_GPUVA_OP_REMAP: split an existing mapping around a hole
 * @DRM_GPUVA_OP_UNMAP: remove an existing mapping
 * @DRM_GPUVA_OP_PREFETCH: prefetch an existing mapping
 * @DRM_GPUVA_OP_DRIVER: never produced by GPUVM; for drivers
 */
enum drm_gpuva_op_type {
	DRM_GPUVA_OP_MAP,
	DRM_GPUVA_OP_REMAP,
	DRM_GPUVA_OP_UNMAP,
	DRM_GPUVA_OP_PREFETCH,
	DRM_GPUVA_OP_DRIVER,
};

/** struct drm_gpuva_op_map - a mapping to create */
struct drm_gpuva_op_map {
	struct {
		u64 addr;
		u64 range;
	} va;
	struct {
		u64 offset;
		struct drm_gem_object *obj;
	} gem;
};

/**
 * struct drm_gpuva_op_unmap - a mapping to remove
 * @va: the existing VA
 * @keep: the request maps @va's overlapping part to the same object at the
 *	same offsets, so a driver may keep those page-table entries
 */
struct drm_gpuva_op_unmap {
	struct drm_gpuva *va;
	bool keep;
};

/**
 * struct drm_gpuva_op_remap - split a mapping
 * @prev: the piece below the hole, or NULL
 * @next: the piece above the hole, or NULL
 * @unmap: the original VA (never NULL)
 */
struct drm_gpuva_op_remap {
	struct drm_gpuva_op_map *prev;
	struct drm_gpuva_op_map *next;
	struct drm_gpuva_op_unmap *unmap;
};

/** struct drm_gpuva_op_prefetch - a mapping to prefetch */
struct drm_gpuva_op_prefetch {
	struct drm_gpuva *va;
};

/** struct drm_gpuva_op - one step; @entry links it into a &drm_gpuva_ops */
struct drm_gpuva_op {
	struct list_head entry;
	enum drm_gpuva_op_type op;
	union {
		struct drm_gpuva_op_map map;
		struct drm_gpuva_op_remap remap;
		struct drm_gpuva_op_unmap unmap;
		struct drm_gpuva_op_prefetch prefetch;
	};
};

/** struct drm_gpuva_ops - a list of &drm_gpuva_op */
struct drm_gpuva_ops {
	struct list_head list;
};

/** struct drm_gpuvm_map_req - a map request: range, object, offset */
struct drm_gpuvm_map_req {
	struct drm_gpuva_op_map map;
};

#define drm_gpuva_for_each_op(op, ops) \
	list_for_each_entry(op, &(ops)->list, entry)
#define drm_gpuva_for_each_op_safe(op, next, ops) \
	list_for_each_entry_safe(op, next, &(ops)->list, entry)
/* Backwards from @op itself, to unwind what was applied. */
#define drm_gpuva_for_each_op_from_reverse(op, ops) \
	list_for_each_entry_from_reverse(op, &(ops)->list, entry)
#define drm_gpuva_for_each_op_reverse(op, ops) \
	list_for_each_entry_reverse(op, &(ops)->list, entry)
#define drm_gpuva_first_op(ops) \
	list_first_entry(&(ops)->list, struct drm_gpuva_op, entry)
#define drm_gpuva_last_op(ops) \
	list_last_entry(&(ops)->list, struct drm_gpuva_op, entry)
#define drm_gpuva_prev_op(op)	list_prev_entry(op, entry)
#define drm_gpuva_next_op(op)	list_next_entry(op, entry)

/**
 * struct drm_gpuvm_ops - driver callbacks
 * @vm_free: frees the VM on its last put (mandatory)
 * @op_alloc: allocates a zeroed &drm_gpuva_op (optional)
 * @op_free: frees one (optional)
 * @vm_bo_alloc: allocates a zeroed &drm_gpuvm_bo (optional)
 * @vm_bo_free: frees one (optional)
 * @vm_bo_validate: revalidates an evicted vm_bo (for drm_gpuvm_validate())
 * @sm_step_map: a MAP step of drm_gpuvm_sm_map()
 * @sm_step_remap: a REMAP step of drm_gpuvm_sm_map()/_sm_unmap()
 * @sm_step_unmap: an UNMAP step of drm_gpuvm_sm_map()/_sm_unmap()
 *
 * Steps return 0 or a negative errno that stops the walk and is returned.
 * Each gets a &drm_gpuva_op on the walker's stack: copy what you keep.
 */
struct drm_gpuvm_ops {
	void (*vm_free)(struct drm_gpuvm *gpuvm);
	struct drm_gpuva_op *(*op_alloc)(void);
	void (*op_free)(struct drm_gpuva_op *op);
	struct drm_gpuvm_bo *(*vm_bo_alloc)(void);
	void (*vm_bo_free)(struct drm_gpuvm_bo *vm_bo);
	int (*vm_bo_validate)(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec);
	int (*sm_step_map)(struct drm_gpuva_op *op, void *priv);
	int (*sm_step_remap)(struct drm_gpuva_op *op, void *priv);
	int (*sm_step_unmap)(struct drm_gpuva_op *op, void *priv);
};

/**
 * drm_gpuvm_sm_map() - split/merge a map request into driver steps
 *
 * Calls the sm_step callbacks for every existing VA overlapping the request
 * (UNMAP, or REMAP when a piece survives), in address order, then one MAP
 * for the request. Callbacks may apply each step to the tree at once.
 * Allocates nothing, takes no lock.
 * Return: 0, -EINVAL for missing callbacks or an invalid range, or the
 * first step's error (earlier steps are not undone).
 */
int drm_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv,
		     const struct drm_gpuvm_map_req *req);

/**
 * drm_gpuvm_sm_unmap() - split an unmap request into driver steps
 *
 * UNMAP or REMAP for every VA overlapping the range (keep is always
 * false); no step at all when nothing overlaps. Needs sm_step_remap and
 * sm_step_unmap. Return as drm_gpuvm_sm_map().
 */
int drm_gpuvm_sm_unmap(struct drm_gpuvm *gpuvm, void *priv, u64 addr, u64 range);

/**
 * drm_gpuvm_sm_map_exec_lock() - lock what a map request would touch
 *
 * Prepares the request's object (if any) and locks the object of every VA
 * the request would unmap or remap. Changes nothing. Call it for every
 * bind of a batch inside one drm_exec loop before applying any.
 */
int drm_gpuvm_sm_map_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
			       unsigned int num_fences,
			       struct drm_gpuvm_map_req *req);

/** drm_gpuvm_sm_unmap_exec_lock() - the same for an unmap request */
int drm_gpuvm_sm_unmap_exec_lock(struct drm_gpuvm *gpuvm, struct drm_exec *exec,
				 u64 req_addr, u64 req_range);

/**
 * drm_gpuvm_sm_map_ops_create() - drm_gpuvm_sm_map()'s steps as a list
 *
 * Ops are allocated with ops->op_alloc when present; a REMAP's parts are
 * separate allocations. The ops point at VAs in the tree now: apply or
 * free the list before building another. Free with drm_gpuva_ops_free().
 * Return: the list, ERR_PTR(-EINVAL) or ERR_PTR(-ENOMEM) (nothing leaks).
 */
struct drm_gpuva_ops *drm_gpuvm_sm_map_ops_create(struct drm_gpuvm *gpuvm,
						  const struct drm_gpuvm_map_req *req);

/**
 * drm_gpuvm_madvise_ops_create() - split VAs without an object at the
 * request's edges
 *
 * VAs backed by an object are left alone; no UNMAPs; MAPs cover the
 * parts of split VAs inside the request. Errors as sm_map_ops_create.
 */
struct drm_gpuva_ops *drm_gpuvm_madvise_ops_create(struct drm_gpuvm *gpuvm,
						   const struct drm_gpuvm_map_req *req);

/** drm_gpuvm_sm_unmap_ops_create() - drm_gpuvm_sm_unmap()'s steps as a list */
struct drm_gpuva_ops *drm_gpuvm_sm_unmap_ops_create(struct drm_gpuvm *gpuvm,
						    u64 addr, u64 range);

/**
 * drm_gpuvm_prefetch_ops_create() - one PREFETCH per VA overlapping the range
 *
 * In address order; the kernel node is included when it overlaps. Only a
 * zero range and one whose end does not fit in u64 are rejected (-EINVAL);
 * there is no window check, as upstream.
 */
struct drm_gpuva_ops *drm_gpuvm_prefetch_ops_create(struct drm_gpuvm *gpuvm,
						    u64 addr, u64 range);

/**
 * drm_gpuvm_bo_unmap_ops_create() - one UNMAP (keep false) per VA of @vm_bo
 *
 * In link order, not address order. Requires A2.
 */
struct drm_gpuva_ops *drm_gpuvm_bo_unmap_ops_create(struct drm_gpuvm_bo *vm_bo);

/** drm_gpuva_ops_free() - free a list from any *_ops_create(); not NULL or ERR_PTR */
void drm_gpuva_ops_free(struct drm_gpuvm *gpuvm, struct drm_gpuva_ops *ops);

/** drm_gpuva_init_from_op() - copy address, range, object and offset into @va */
static inline void drm_gpuva_init_from_op(struct drm_gpuva *va,
					  const struct drm_gpuva_op_map *op)
{
	va->va.addr = op->va.addr;
	va->va.range = op->va.range;
	va->gem.obj = op->gem.obj;
	va->gem.offset = op->gem.offset;
}

/**
 * drm_gpuva_map() - fill @va from a MAP op and insert it
 *
 * As upstream, the insert's result is not returned: on failure @va is
 * filled but not in the tree (and a WARN says so here). Does not link.
 */
void drm_gpuva_map(struct drm_gpuvm *gpuvm, struct drm_gpuva *va,
		   const struct drm_gpuva_op_map *op);

/**
 * drm_gpuva_remap() - apply a REMAP: remove the old VA, insert the pieces
 *
 * @prev and @next receive op->prev and op->next (each may be NULL when its
 * part is). No linking, no flags: the driver links the pieces to the old
 * VA's vm_bo, then unlinks the old VA.
 */
void drm_gpuva_remap(struct drm_gpuva *prev, struct drm_gpuva *next,
		     const struct drm_gpuva_op_remap *op);

/** drm_gpuva_unmap() - apply an UNMAP: remove op->va from the tree */
void drm_gpuva_unmap(const struct drm_gpuva_op_unmap *op);

/**
 * drm_gpuva_op_remap_to_unmap_range() - the hole a REMAP leaves
 * @start_addr: out, may be NULL
 * @range: out, may be NULL
 */
static inline void drm_gpuva_op_remap_to_unmap_range(const struct drm_gpuva_op_remap *op,
						     u64 *start_addr, u64 *range)
{
	const struct drm_gpuva *va = op->unmap->va;
	u64 start = op->prev ? op->prev->va.addr + op->prev->va.range : va->va.addr;
	u64 end = op->next ? op->next->va.addr : va->va.addr + va->va.range;

	if (start_addr)
		*start_addr = start;
	if (range)
		*range = end - start;
}

#endif /* _GPUVM_DRM_GPUVM_H */
