// SPDX-License-Identifier: MIT
/*
 * KUnit tests for DRM GPUVM, written as op scripts.
 *
 * Each case replays one script: a sequence of commands that create VMs and
 * GEM objects, bind and unbind ranges, prefetch, take and drop vm_bo
 * references, evict, validate, destroy VMs and dump their state. The
 * commands drive GPUVM the way a driver with staged binds (nouveau, xe)
 * does, taking every lock GPUVM asserts. What happens is recorded as text
 * lines (the ops of each request, objects and VMs being freed, validate
 * callbacks, errors, state dumps) and compared with the lines the script
 * expects, so a failure names the first line that differs.
 *
 * A case also fails when a WARN fires or lockdep reports a problem while
 * it runs, when an object or VM is left over at its end, and (through
 * KUnit) on a KASAN report.
 *
 * The scripts and their expected lines come from gpuvm-fuzz, a userspace
 * harness for GPUVM, whose gvm2kunit tool writes the tables after this
 * model: the language is described in its README ("Op scripts").
 */

#include <kunit/test.h>

#include <linux/debug_locks.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_kunit_helpers.h>

/* VM and object ids of a script are 0 .. GVM_MAX_ID - 1. */
#define GVM_MAX_ID	64
/* The longest output line, terminator included. */
#define GVM_LINE_MAX	256
/* The most new VAs one request can need: a MAP and two REMAP pieces. */
#define GVM_POOL_MAX	4

enum gvm_op {
	GVM_VM,		/* vm V start range [reserve addr range] [resv_protected] */
	GVM_BO,		/* bo B [private V] */
	GVM_MAP,	/* map V addr range B|- offset */
	GVM_UNMAP,	/* unmap V addr range */
	GVM_PREFETCH,	/* prefetch V addr range */
	GVM_BO_UNMAP,	/* bo_unmap V B */
	GVM_OBTAIN,	/* obtain V B */
	GVM_PUT,	/* put V B */
	GVM_CLOSE,	/* close B */
	GVM_EVICT,	/* evict B 0|1 */
	GVM_VALIDATE,	/* validate V */
	GVM_CLEANUP,	/* cleanup V */
	GVM_DESTROY,	/* destroy V */
	GVM_DUMP,	/* dump V */
	GVM_INJECT_STEP,	/* inject step N: the Nth sm_step of the next bind fails */
	GVM_LOOKUP,	/* lookup V addr range */
	GVM_INVALIDATE,	/* invalidate B 0|1 */
	GVM_LOCK,	/* lock V [range addr range | objects B,...] [fence P E] [own] */
};

static const char * const gvm_op_names[] = {
	[GVM_VM] = "vm",
	[GVM_BO] = "bo",
	[GVM_MAP] = "map",
	[GVM_UNMAP] = "unmap",
	[GVM_PREFETCH] = "prefetch",
	[GVM_BO_UNMAP] = "bo_unmap",
	[GVM_OBTAIN] = "obtain",
	[GVM_PUT] = "put",
	[GVM_CLOSE] = "close",
	[GVM_EVICT] = "evict",
	[GVM_VALIDATE] = "validate",
	[GVM_CLEANUP] = "cleanup",
	[GVM_DESTROY] = "destroy",
	[GVM_DUMP] = "dump",
	[GVM_INJECT_STEP] = "inject step",
	[GVM_LOOKUP] = "lookup",
	[GVM_INVALIDATE] = "invalidate",
	[GVM_LOCK] = "lock",
};

/* gvm_cmd.flags */
#define GVM_F_RESV_PROTECTED	BIT(0)	/* vm: DRM_GPUVM_RESV_PROTECTED */
#define GVM_F_PRIVATE		BIT(1)	/* bo: shares VM @vm's resv */
#define GVM_F_NO_BO		BIT(2)	/* map: "-", no object */
#define GVM_F_EVICT		BIT(3)	/* evict: 1, else 0 */
#define GVM_F_INVALID		BIT(4)	/* invalidate: 1, else 0 */
#define GVM_F_LRANGE		BIT(5)	/* lock: drm_gpuvm_exec_lock_range(addr, range) */
#define GVM_F_LOBJS		BIT(6)	/* lock: drm_gpuvm_exec_lock_array(@objs) */
#define GVM_F_FENCE		BIT(7)	/* lock: add a fence with @usage */
#define GVM_F_OWN		BIT(8)	/* lock, validate: the driver's own drm_exec loop */
#define GVM_F_VFAIL		BIT(9)	/* validate: validating B fails (-ENOMEM) */
#define GVM_F_VEVICT		BIT(10)	/* validate: the first validation evicts B */

/**
 * struct gvm_cmd - one command of a script
 * @line: its line in the script
 * @op: what it does (enum gvm_op)
 * @flags: GVM_F_*
 * @vm: V
 * @bo: B
 * @addr: start of the range (vm: of the VM's window)
 * @range: size of the range (vm: of the window)
 * @offset: map: offset in the object; inject step: N
 * @reserve_addr: vm: start of the kernel-reserved window
 * @reserve_range: its size, 0 for none
 * @objs: lock with GVM_F_LOBJS: bit B for object B
 * @usage: lock with GVM_F_FENCE: the usage for the VM's own resv (low
 *	nibble) and for the others (high nibble), enum dma_resv_usage each
 */
struct gvm_cmd {
	u16 line;
	u8 op;
	u16 flags;
	u8 vm;
	u8 bo;
	u64 addr;
	u64 range;
	u64 offset;
	u64 reserve_addr;
	u64 reserve_range;
	u64 objs;
	u8 usage;
};

/**
 * struct gvm_script - a script and the lines it must print
 * @name: file name, for messages
 * @cmds: the commands
 * @ncmds: how many
 * @out: the expected lines
 * @nout: how many
 *
 * A script's "twin" command (check its binds through sm_step callbacks
 * too) needs no entry: every script is run both ways, see gvm_run_script().
 */
struct gvm_script {
	const char *name;
	const struct gvm_cmd *cmds;
	unsigned int ncmds;
	const char * const *out;
	unsigned int nout;
};

struct gvm_state;

struct gvm_bo {
	struct drm_gem_object base;
	struct gvm_state *st;
	unsigned int id;
	/* The VM resv object this one shares, referenced, or NULL. */
	struct drm_gem_object *r_obj;
	/* With @r_obj: the id of the VM it belongs to. */
	unsigned int priv_vm;
};

struct gvm_vm {
	struct drm_gpuvm base;
	struct gvm_state *st;
	unsigned int id;
	/* vm_bo references the script holds, per object id. */
	struct drm_gpuvm_bo *held[GVM_MAX_ID];
	unsigned int nheld[GVM_MAX_ID];
	/*
	 * Memory pressure during one validate: validating @fail fails, the
	 * first validation (@calls counts them) evicts @evict to make room.
	 */
	struct {
		struct gvm_bo *fail, *evict;
		unsigned int calls;
	} pressure;
};

/*
 * A VA of the model. @undo chains, newest first, what a bind through
 * sm_step callbacks did until the call returns: the VAs it added, and the
 * ones it took out of the tree, which stay linked meanwhile.
 */
struct gvm_va {
	struct drm_gpuva base;
	struct gvm_va *undo;
	bool added;
};

struct gvm_pool {
	struct drm_gpuva *va[GVM_POOL_MAX];
	unsigned int n;
};

/* What applying ops and the sm_step callbacks need. */
struct gvm_step {
	struct gvm_vm *vm;
	struct drm_gpuvm_bo *vm_bo;	/* the request's, for MAP */
	struct gvm_pool *pool;
	bool deferred;			/* callbacks: keep an undo chain */
	struct gvm_va *undo;
	unsigned int steps;		/* callbacks so far */
	unsigned int fail_at;		/* that step returns -EIO; 0: none */
	int error;			/* what a failed step returned */
};

struct gvm_state {
	struct kunit *test;
	struct drm_device *drm;
	const struct gvm_script *script;
	struct gvm_vm *vm[GVM_MAX_ID];		/* VMs the script holds */
	struct gvm_bo *bo[GVM_MAX_ID];		/* objects alive */
	bool handle[GVM_MAX_ID];		/* the script holds B's handle */
	unsigned int nvms, nbos;		/* alive */
	bool callbacks;				/* binds through sm_step callbacks */
	unsigned int fail_step;			/* armed by inject step */
	bool silent;				/* final teardown: no output */
	unsigned int next;			/* next expected line */
	bool mismatch;
	char got[GVM_LINE_MAX];			/* the first line that differed */
	char finding[GVM_LINE_MAX];		/* the first model check that failed */
	/* gvm_unlock(): the objects of the drm_exec being finished */
	struct drm_gem_object *unlock_refs[GVM_MAX_ID + 1];
};

static struct gvm_bo *to_gvm_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct gvm_bo, base);
}

static struct gvm_vm *to_gvm_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct gvm_vm, base);
}

static struct gvm_va *to_gvm_va(struct drm_gpuva *va)
{
	return container_of(va, struct gvm_va, base);
}

/* ---- output ---------------------------------------------------------- */

/*
 * Compare one output line with the next expected one. Safe in any
 * context: GPUVM calls back with locks held, so a difference is only
 * recorded here, and reported once the command has returned.
 */
static __printf(2, 3) void gvm_print(struct gvm_state *st, const char *fmt, ...)
{
	char line[GVM_LINE_MAX];
	va_list args;

	if (st->silent || st->mismatch)
		return;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (st->next < st->script->nout && !strcmp(line, st->script->out[st->next])) {
		st->next++;
		return;
	}
	st->mismatch = true;
	strscpy(st->got, line, sizeof(st->got));
}

/* A model check failed: GPUVM did what no driver can cope with. */
static __printf(2, 3) void gvm_finding(struct gvm_state *st, const char *fmt, ...)
{
	va_list args;

	if (st->finding[0])
		return;
	va_start(args, fmt);
	vsnprintf(st->finding, sizeof(st->finding), fmt, args);
	va_end(args);
}

/* "bo3" or "-" */
static const char *gvm_obj_name(struct drm_gem_object *obj, char *buf, size_t len)
{
	if (!obj)
		return "-";
	snprintf(buf, len, "bo%u", to_gvm_bo(obj)->id);
	return buf;
}

static void gvm_print_part(char *buf, size_t len, struct drm_gpuva_op_map *part)
{
	if (part)
		snprintf(buf, len, "0x%llx:0x%llx:0x%llx", part->va.addr, part->va.range,
			 part->gem.offset);
	else
		strscpy(buf, "-", len);
}

static void gvm_print_op(struct gvm_state *st, struct drm_gpuva_op *op)
{
	char obj[16], prev[64], next[64];
	struct drm_gpuva *va;

	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		gvm_print(st, "op map 0x%llx 0x%llx %s 0x%llx", op->map.va.addr,
			  op->map.va.range, gvm_obj_name(op->map.gem.obj, obj, sizeof(obj)),
			  op->map.gem.offset);
		break;
	case DRM_GPUVA_OP_UNMAP:
		va = op->unmap.va;
		gvm_print(st, "op unmap 0x%llx 0x%llx %s 0x%llx keep=%d", va->va.addr,
			  va->va.range, gvm_obj_name(va->gem.obj, obj, sizeof(obj)),
			  va->gem.offset, op->unmap.keep);
		break;
	case DRM_GPUVA_OP_REMAP:
		va = op->remap.unmap->va;
		gvm_print_part(prev, sizeof(prev), op->remap.prev);
		gvm_print_part(next, sizeof(next), op->remap.next);
		gvm_print(st, "op remap 0x%llx 0x%llx %s 0x%llx keep=%d prev=%s next=%s",
			  va->va.addr, va->va.range,
			  gvm_obj_name(va->gem.obj, obj, sizeof(obj)), va->gem.offset,
			  op->remap.unmap->keep, prev, next);
		break;
	case DRM_GPUVA_OP_PREFETCH:
		va = op->prefetch.va;
		gvm_print(st, "op prefetch 0x%llx 0x%llx %s 0x%llx", va->va.addr,
			  va->va.range, gvm_obj_name(va->gem.obj, obj, sizeof(obj)),
			  va->gem.offset);
		break;
	default:
		gvm_finding(st, "unknown op kind %d", op->op);
		break;
	}
}

static void gvm_print_error(struct gvm_state *st, int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EINVAL, "EINVAL" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ EEXIST, "EEXIST" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EDEADLK, "EDEADLK" }, { EALREADY, "EALREADY" }, { EIO, "EIO" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].err == -err) {
			gvm_print(st, "error %s", names[i].name);
			return;
		}
	}
	gvm_print(st, "error %d", -err);
}

/* ---- objects and VMs ---------------------------------------------------- */

static void gvm_bo_free(struct drm_gem_object *obj)
{
	struct gvm_bo *bo = to_gvm_bo(obj);
	struct gvm_state *st = bo->st;

	gvm_print(st, "freed bo%u", bo->id);
	st->bo[bo->id] = NULL;
	st->nbos--;
	drm_gem_object_release(obj);
	if (bo->r_obj)
		drm_gem_object_put(bo->r_obj);
	kfree(bo);
}

static const struct drm_gem_object_funcs gvm_bo_funcs = {
	.free = gvm_bo_free,
};

static void gvm_vm_free(struct drm_gpuvm *gpuvm)
{
	struct gvm_vm *vm = to_gvm_vm(gpuvm);
	struct gvm_state *st = vm->st;

	gvm_print(st, "freed vm%u", vm->id);
	st->nvms--;
	kfree(vm);
}

/*
 * Make room as TTM does under memory pressure: evict @bo, under its resv,
 * which @exec may hold already (through @bo or an object sharing it);
 * otherwise only if a trylock gets it, as TTM evicts only what it can lock.
 * Its vm_bos land back on the evict lists, the one being walked included.
 */
static void gvm_evict_for_room(struct gvm_bo *bo, struct drm_exec *exec)
{
	struct dma_resv *resv = bo->base.resv;
	bool held = false;
	unsigned int i;

	for (i = 0; i < exec->num_objects; i++)
		held |= exec->objects[i]->resv == resv;
	if (!held && !dma_resv_trylock(resv))
		return;
	drm_gpuvm_bo_gem_evict(&bo->base, true);
	if (!held)
		dma_resv_unlock(resv);
}

/*
 * A TTM validate: the object moves back into place and is no longer
 * evicted. Under pressure (validate ... fail B | evict B) the walk's first
 * validation evicts another object first, and B cannot be placed.
 */
static int gvm_vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	struct gvm_bo *bo = to_gvm_bo(vm_bo->obj);
	struct gvm_vm *vm = to_gvm_vm(vm_bo->vm);

	if (vm->pressure.calls++ == 0 && vm->pressure.evict)
		gvm_evict_for_room(vm->pressure.evict, exec);
	if (bo == vm->pressure.fail)
		return -ENOMEM;
	gvm_print(bo->st, "validated bo%u", bo->id);
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
}

static int gvm_step(struct drm_gpuva_op *op, void *priv);

static const struct drm_gpuvm_ops gvm_vm_ops = {
	.vm_free = gvm_vm_free,
	.vm_bo_validate = gvm_vm_bo_validate,
	.sm_step_map = gvm_step,
	.sm_step_remap = gvm_step,
	.sm_step_unmap = gvm_step,
};

static int gvm_vm_create(struct gvm_state *st, const struct gvm_cmd *c)
{
	enum drm_gpuvm_flags flags = 0;
	struct drm_gem_object *r_obj;
	struct gvm_vm *vm;
	u64 end;

	/* drm_gpuvm_init() only WARNs about a window past 2^64: refuse it first. */
	if (check_add_overflow(c->addr, c->range, &end) ||
	    check_add_overflow(c->reserve_addr, c->reserve_range, &end))
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	r_obj = drm_gpuvm_resv_object_alloc(st->drm);
	if (!r_obj) {
		kfree(vm);
		return -ENOMEM;
	}
	if (c->flags & GVM_F_RESV_PROTECTED)
		flags |= DRM_GPUVM_RESV_PROTECTED;
	vm->st = st;
	vm->id = c->vm;
	drm_gpuvm_init(&vm->base, "gpuvm-test", flags, st->drm, r_obj, c->addr, c->range,
		       c->reserve_addr, c->reserve_range, &gvm_vm_ops);
	drm_gem_object_put(r_obj);
	st->vm[c->vm] = vm;
	st->nvms++;
	return 0;
}

static int gvm_bo_create(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return -ENOMEM;
	if (c->flags & GVM_F_PRIVATE) {
		/* Share the VM's resv, and keep its owner alive as long as we are. */
		bo->r_obj = st->vm[c->vm]->base.r_obj;
		bo->priv_vm = c->vm;
		drm_gem_object_get(bo->r_obj);
		bo->base.resv = bo->r_obj->resv;
	}
	bo->base.funcs = &gvm_bo_funcs;
	drm_gem_private_object_init(st->drm, &bo->base, 0);
	bo->st = st;
	bo->id = c->bo;
	st->bo[c->bo] = bo;
	st->handle[c->bo] = true;
	st->nbos++;
	return 0;
}

/* ---- locking -------------------------------------------------------------- */

/*
 * Lock the VM's resv, @obj's and, for a request over [@addr, @addr +
 * @range) (@range 0: none), the resv of every object mapped there: all
 * that a bind or unbind may touch. @exec is left initialised either way.
 */
static int gvm_lock(struct drm_exec *exec, struct gvm_vm *vm, struct drm_gem_object *obj,
		    u64 addr, u64 range)
{
	struct drm_gpuva *va;
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(&vm->base, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		if (range) {
			drm_gpuvm_for_each_va_range(va, &vm->base, addr, addr + range) {
				if (!va->gem.obj)
					continue;
				ret = drm_exec_lock_obj(exec, va->gem.obj);
				if (ret)
					break;
			}
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
		if (obj) {
			ret = drm_exec_lock_obj(exec, obj);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
		}
	}
	return ret;
}

/*
 * Finish what gvm_lock() locked. An unbind can leave the drm_exec with the
 * last reference to an object (its vm_bo went, and the handle is closed).
 * drm_exec_fini() drops each object's reference right after unlocking it,
 * while the others are still locked; after a contended lock was retried,
 * lockdep's one held-lock entry for all the context's reservation locks
 * can still point into that object, and freeing it then reports "held lock
 * freed!" and turns lockdep off. So every object is kept until all are
 * unlocked.
 */
static void gvm_unlock(struct gvm_state *st, struct drm_exec *exec)
{
	unsigned int i, n = 0;

	for (i = 0; i < exec->num_objects && n < ARRAY_SIZE(st->unlock_refs); i++) {
		st->unlock_refs[n] = exec->objects[i];
		drm_gem_object_get(st->unlock_refs[n++]);
	}
	drm_exec_fini(exec);
	while (n)
		drm_gem_object_put(st->unlock_refs[--n]);
}

/* ---- VA pools -------------------------------------------------------------- */

static void gvm_pool_drain(struct gvm_pool *pool)
{
	while (pool->n)
		kfree(to_gvm_va(pool->va[--pool->n]));
}

static int gvm_pool_fill(struct gvm_pool *pool, unsigned int n)
{
	pool->n = 0;
	if (WARN_ON(n > GVM_POOL_MAX))
		return -EINVAL;
	while (pool->n < n) {
		struct gvm_va *va = kzalloc(sizeof(*va), GFP_KERNEL);

		if (!va) {
			gvm_pool_drain(pool);
			return -ENOMEM;
		}
		pool->va[pool->n++] = &va->base;
	}
	return 0;
}

static struct drm_gpuva *gvm_pool_take(struct gvm_pool *pool)
{
	return pool->n ? pool->va[--pool->n] : NULL;
}

/* New VAs an op list needs. */
static unsigned int gvm_ops_vas(struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;
	unsigned int n = 0;

	drm_gpuva_for_each_op(op, ops) {
		if (op->op == DRM_GPUVA_OP_MAP)
			n++;
		else if (op->op == DRM_GPUVA_OP_REMAP)
			n += !!op->remap.prev + !!op->remap.next;
	}
	return n;
}

/* New VAs an unbind of [@addr, @addr + @range) needs for what survives. */
static unsigned int gvm_unmap_vas(struct drm_gpuvm *gpuvm, u64 addr, u64 range)
{
	struct drm_gpuva *first = drm_gpuva_find_first(gpuvm, addr, range);
	struct drm_gpuva *last = drm_gpuva_find_first(gpuvm, addr + range - 1, 1);
	unsigned int n = 0;

	if (first && first->va.addr < addr)
		n++;
	if (last && last->va.addr + last->va.range > addr + range)
		n++;
	return n;
}

/* ---- applying ops ---------------------------------------------------------- */

static void gvm_undo_push(struct gvm_step *s, struct drm_gpuva *va, bool added)
{
	struct gvm_va *gva = to_gvm_va(va);

	gva->added = added;
	gva->undo = s->undo;
	s->undo = gva;
}

static int gvm_apply_map(struct gvm_step *s, struct drm_gpuva_op *op)
{
	struct drm_gpuva *va = gvm_pool_take(s->pool);

	if (!va) {
		gvm_finding(s->vm->st, "a MAP op beyond the VAs the request needs");
		return -ENOMEM;
	}
	drm_gpuva_map(&s->vm->base, va, &op->map);
	if (s->vm_bo)
		drm_gpuva_link(va, s->vm_bo);
	if (s->deferred)
		gvm_undo_push(s, va, true);
	return 0;
}

static int gvm_apply_remap(struct gvm_step *s, struct drm_gpuva_op *op)
{
	struct drm_gpuva *old = op->remap.unmap->va;
	struct drm_gpuva *prev = op->remap.prev ? gvm_pool_take(s->pool) : NULL;
	struct drm_gpuva *next = op->remap.next ? gvm_pool_take(s->pool) : NULL;

	if ((op->remap.prev && !prev) || (op->remap.next && !next)) {
		gvm_finding(s->vm->st, "a REMAP op beyond the VAs the request needs");
		kfree(prev ? to_gvm_va(prev) : NULL);
		kfree(next ? to_gvm_va(next) : NULL);
		return -ENOMEM;
	}
	drm_gpuva_remap(prev, next, &op->remap);
	/* The pieces map what the old VA mapped: invalidated if it was. */
	if (prev)
		drm_gpuva_invalidate(prev, drm_gpuva_invalidated(old));
	if (next)
		drm_gpuva_invalidate(next, drm_gpuva_invalidated(old));
	/* Link the pieces first: the old VA's reference keeps the vm_bo alive. */
	if (prev && old->vm_bo)
		drm_gpuva_link(prev, old->vm_bo);
	if (next && old->vm_bo)
		drm_gpuva_link(next, old->vm_bo);
	if (s->deferred) {
		gvm_undo_push(s, old, false);
		if (prev)
			gvm_undo_push(s, prev, true);
		if (next)
			gvm_undo_push(s, next, true);
		return 0;
	}
	drm_gpuva_unlink(old);
	kfree(to_gvm_va(old));
	return 0;
}

static int gvm_apply_unmap(struct gvm_step *s, struct drm_gpuva_op *op)
{
	struct drm_gpuva *old = op->unmap.va;

	if (s->deferred) {
		drm_gpuva_unmap(&op->unmap);
		gvm_undo_push(s, old, false);
		return 0;
	}
	drm_gpuva_unlink(old);
	drm_gpuva_unmap(&op->unmap);
	kfree(to_gvm_va(old));
	return 0;
}

static int gvm_apply(struct gvm_step *s, struct drm_gpuva_op *op)
{
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		return gvm_apply_map(s, op);
	case DRM_GPUVA_OP_REMAP:
		return gvm_apply_remap(s, op);
	case DRM_GPUVA_OP_UNMAP:
		return gvm_apply_unmap(s, op);
	default:
		return 0;
	}
}

/* Print every op of @ops, then apply them in order. */
static void gvm_apply_ops(struct gvm_step *s, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops)
		gvm_print_op(s->vm->st, op);
	drm_gpuva_for_each_op(op, ops)
		gvm_apply(s, op);
}

/*
 * Preallocate the VAs @ops needs, then print and apply it; free @ops either
 * way. Nothing changes when the preallocation fails.
 */
static int gvm_apply_list(struct gvm_step *s, struct drm_gpuva_ops *ops)
{
	struct gvm_pool pool;
	int ret = gvm_pool_fill(&pool, gvm_ops_vas(ops));

	if (!ret) {
		s->pool = &pool;
		gvm_apply_ops(s, ops);
		gvm_pool_drain(&pool);
	}
	drm_gpuva_ops_free(&s->vm->base, ops);
	return ret;
}

/*
 * The sm_step callbacks: print the step, then apply it at once. An armed
 * failure ends the walk: GPUVM must call no further step.
 */
static int gvm_step(struct drm_gpuva_op *op, void *priv)
{
	struct gvm_step *s = priv;

	if (s->error) {
		gvm_finding(s->vm->st, "GPUVM called sm_step #%u after step #%u failed",
			    s->steps + 1, s->steps);
		return s->error;
	}
	if (++s->steps == s->fail_at)
		return s->error = -EIO;
	gvm_print_op(s->vm->st, op);
	s->error = gvm_apply(s, op);
	return s->error;
}

/*
 * End a bind through callbacks whose drm_gpuvm_sm_map() or sm_unmap()
 * returned @ret. On success unlink and free the VAs the steps took out, in
 * step order, as the op-list path does. On failure undo the steps, newest
 * first; the VAs taken out are still linked, so every vm_bo is as it was.
 */
static int gvm_finish_steps(struct gvm_step *s, int ret)
{
	struct gvm_va *va, *next, *fifo = NULL;

	if (s->error && ret != s->error)
		gvm_finding(s->vm->st, "a step failed with %d, but GPUVM returned %d",
			    s->error, ret);
	for (va = s->undo; va; va = next) {
		next = va->undo;
		if (!ret) {
			va->undo = fifo;
			fifo = va;
		} else if (va->added) {
			drm_gpuva_unlink(&va->base);
			drm_gpuva_remove(&va->base);
			kfree(va);
		} else if (drm_gpuva_insert(&s->vm->base, &va->base)) {
			gvm_finding(s->vm->st, "cannot put back VA 0x%llx+0x%llx",
				    va->base.va.addr, va->base.va.range);
		}
	}
	for (va = fifo; va; va = next) {
		next = va->undo;
		if (!va->added) {
			drm_gpuva_unlink(&va->base);
			kfree(va);
		}
	}
	s->undo = NULL;
	return ret;
}

/* ---- commands -------------------------------------------------------------- */

/* Drivers refuse an empty range, or one past 2^64, before GPUVM sees it. */
static bool gvm_bad_range(u64 addr, u64 range)
{
	u64 end;

	return !range || check_add_overflow(addr, range, &end);
}

static int gvm_map(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];
	struct drm_gem_object *obj = c->flags & GVM_F_NO_BO ? NULL : &st->bo[c->bo]->base;
	struct gvm_step s = { .vm = vm };
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct drm_gpuva_ops *ops;
	struct gvm_pool pool = { .n = 0 };
	struct drm_exec exec;
	bool callbacks = st->callbacks || st->fail_step;
	int ret;

	if (gvm_bad_range(c->addr, c->range) ||
	    !drm_gpuvm_range_valid(&vm->base, c->addr, c->range))
		return -EINVAL;
	ret = gvm_lock(&exec, vm, obj, c->addr, c->range);
	if (ret)
		goto out;
	if (callbacks) {
		ret = gvm_pool_fill(&pool, 1 + gvm_unmap_vas(&vm->base, c->addr, c->range));
		if (ret)
			goto out;
	}
	if (obj) {
		vm_bo = drm_gpuvm_bo_obtain(&vm->base, obj);
		if (IS_ERR(vm_bo)) {
			ret = PTR_ERR(vm_bo);
			vm_bo = NULL;
			goto drain;
		}
	}
	s.vm_bo = vm_bo;
	if (callbacks) {
		s.pool = &pool;
		s.deferred = true;
		s.fail_at = st->fail_step;
		ret = drm_gpuvm_sm_map(&vm->base, &s, c->addr, c->range, obj, c->offset);
		ret = gvm_finish_steps(&s, ret);
	} else {
		ops = drm_gpuvm_sm_map_ops_create(&vm->base, c->addr, c->range, obj,
						  c->offset);
		ret = IS_ERR(ops) ? PTR_ERR(ops) : gvm_apply_list(&s, ops);
	}
	/* Only now is the bind sure to have happened. */
	if (!ret && vm_bo)
		drm_gpuvm_bo_extobj_add(vm_bo);
	/* The request's reference: the VAs hold their own. */
	if (vm_bo)
		drm_gpuvm_bo_put(vm_bo);
drain:
	if (callbacks)
		gvm_pool_drain(&pool);
out:
	gvm_unlock(st, &exec);
	return ret;
}

static int gvm_unmap(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];
	struct gvm_step s = { .vm = vm };
	struct drm_gpuva_ops *ops;
	struct gvm_pool pool;
	struct drm_exec exec;
	int ret;

	if (gvm_bad_range(c->addr, c->range) ||
	    !drm_gpuvm_range_valid(&vm->base, c->addr, c->range))
		return -EINVAL;
	ret = gvm_lock(&exec, vm, NULL, c->addr, c->range);
	if (ret)
		goto out;
	if (st->callbacks || st->fail_step) {
		ret = gvm_pool_fill(&pool, gvm_unmap_vas(&vm->base, c->addr, c->range));
		if (ret)
			goto out;
		s.pool = &pool;
		s.deferred = true;
		s.fail_at = st->fail_step;
		ret = drm_gpuvm_sm_unmap(&vm->base, &s, c->addr, c->range);
		ret = gvm_finish_steps(&s, ret);
		gvm_pool_drain(&pool);
	} else {
		ops = drm_gpuvm_sm_unmap_ops_create(&vm->base, c->addr, c->range);
		ret = IS_ERR(ops) ? PTR_ERR(ops) : gvm_apply_list(&s, ops);
	}
out:
	gvm_unlock(st, &exec);
	return ret;
}

static int gvm_prefetch(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gpuvm *gpuvm = &st->vm[c->vm]->base;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	if (gvm_bad_range(c->addr, c->range))
		return -EINVAL;
	dma_resv_lock(drm_gpuvm_resv(gpuvm), NULL);
	ops = drm_gpuvm_prefetch_ops_create(gpuvm, c->addr, c->range);
	dma_resv_unlock(drm_gpuvm_resv(gpuvm));
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	drm_gpuva_for_each_op(op, ops)
		gvm_print_op(st, op);
	drm_gpuva_ops_free(gpuvm, ops);
	return 0;
}

static int gvm_bo_unmap(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];
	struct drm_gem_object *obj = &st->bo[c->bo]->base;
	struct gvm_step s = { .vm = vm };
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;
	struct drm_exec exec;
	int ret;

	ret = gvm_lock(&exec, vm, obj, 0, 0);
	if (ret)
		goto out;
	vm_bo = drm_gpuvm_bo_find(&vm->base, obj);
	if (!vm_bo)
		goto out;
	ops = drm_gpuvm_bo_unmap_ops_create(vm_bo);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
	} else {
		/* Exact ranges: nothing survives, no VA is needed. */
		gvm_apply_ops(&s, ops);
		drm_gpuva_ops_free(&vm->base, ops);
	}
	drm_gpuvm_bo_put(vm_bo);
out:
	gvm_unlock(st, &exec);
	return ret;
}

static int gvm_obtain(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];
	struct drm_gem_object *obj = &st->bo[c->bo]->base;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_exec exec;
	int ret;

	ret = gvm_lock(&exec, vm, obj, 0, 0);
	if (ret) {
		gvm_unlock(st, &exec);
		return ret;
	}
	vm_bo = drm_gpuvm_bo_obtain(&vm->base, obj);
	if (!IS_ERR(vm_bo))
		drm_gpuvm_bo_extobj_add(vm_bo);
	gvm_unlock(st, &exec);
	if (IS_ERR(vm_bo))
		return PTR_ERR(vm_bo);
	if (vm->nheld[c->bo] && vm->held[c->bo] != vm_bo)
		gvm_finding(st, "the vm_bo of vm%u and bo%u changed while referenced",
			    vm->id, c->bo);
	vm->held[c->bo] = vm_bo;
	vm->nheld[c->bo]++;
	return 0;
}

/*
 * Drop one vm_bo reference the script holds. The last one destroys the
 * vm_bo, which needs the object's resv and the VM's.
 */
static void gvm_put_held(struct gvm_vm *vm, unsigned int id)
{
	struct drm_gpuvm_bo *vm_bo = vm->held[id];
	struct drm_exec exec;

	if (!--vm->nheld[id])
		vm->held[id] = NULL;
	if (gvm_lock(&exec, vm, vm_bo->obj, 0, 0))
		gvm_finding(vm->st, "cannot lock vm%u and bo%u to put a vm_bo", vm->id, id);
	else
		drm_gpuvm_bo_put(vm_bo);
	gvm_unlock(vm->st, &exec);
}

static int gvm_put(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];

	if (!vm->nheld[c->bo])
		return -ENOENT;
	gvm_put_held(vm, c->bo);
	return 0;
}

static void gvm_close(struct gvm_state *st, unsigned int id)
{
	st->handle[id] = false;
	drm_gem_object_put(&st->bo[id]->base);
}

static int gvm_evict(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gem_object *obj = &st->bo[c->bo]->base;

	dma_resv_lock(obj->resv, NULL);
	drm_gpuvm_bo_gem_evict(obj, c->flags & GVM_F_EVICT);
	dma_resv_unlock(obj->resv);
	return 0;
}

/*
 * A move notification: every VA of the object, in every VM, is (or is no
 * longer) invalidated, under the object's resv. The vm_bo is named vm_bo:
 * drm_gpuvm_bo_for_each_va() walks that name, not its argument.
 */
static int gvm_invalidate(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gem_object *obj = &st->bo[c->bo]->base;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	dma_resv_lock(obj->resv, NULL);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		drm_gpuvm_bo_for_each_va(va, vm_bo)
			drm_gpuva_invalidate(va, c->flags & GVM_F_INVALID);
	dma_resv_unlock(obj->resv);
	return 0;
}

static const char *gvm_va_name(struct drm_gpuvm *gpuvm, struct drm_gpuva *va, char *buf,
			       size_t len)
{
	if (!va)
		return "-";
	if (va == &gpuvm->kernel_alloc_node)
		return "kernel";
	snprintf(buf, len, "0x%llx+0x%llx", va->va.addr, va->va.range);
	return buf;
}

/*
 * What a driver's lookups answer over [addr, addr + range), under the VM's
 * resv: the VA exactly there, the first one overlapping it, the one
 * covering the byte before it and the one covering the byte after it,
 * and whether the range is empty.
 */
static int gvm_lookup(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gpuvm *gpuvm = &st->vm[c->vm]->base;
	struct drm_gpuva *find, *first, *prev, *next;
	char b[4][40];
	bool empty;

	if (gvm_bad_range(c->addr, c->range))
		return -EINVAL;
	dma_resv_lock(drm_gpuvm_resv(gpuvm), NULL);
	find = drm_gpuva_find(gpuvm, c->addr, c->range);
	first = drm_gpuva_find_first(gpuvm, c->addr, c->range);
	prev = drm_gpuva_find_prev(gpuvm, c->addr);
	next = drm_gpuva_find_next(gpuvm, c->addr + c->range);
	empty = drm_gpuvm_interval_empty(gpuvm, c->addr, c->range);
	gvm_print(st, "lookup find=%s first=%s prev=%s next=%s empty=%d",
		  gvm_va_name(gpuvm, find, b[0], sizeof(b[0])),
		  gvm_va_name(gpuvm, first, b[1], sizeof(b[1])),
		  gvm_va_name(gpuvm, prev, b[2], sizeof(b[2])),
		  gvm_va_name(gpuvm, next, b[3], sizeof(b[3])), empty);
	dma_resv_unlock(drm_gpuvm_resv(gpuvm));
	return 0;
}

static const char *gvm_fence_name(struct dma_fence *fence)
{
	return "gpuvm-test";
}

static const struct dma_fence_ops gvm_fence_ops = {
	.get_driver_name = gvm_fence_name,
	.get_timeline_name = gvm_fence_name,
};

static DEFINE_SPINLOCK(gvm_fence_lock);

/*
 * Lock what drm_gpuvm_exec_lock(), _lock_array(@objs) or, with @by_range,
 * _lock_range() would, in the driver's own drm_exec loop through the
 * exported prepare helpers, as xe and panthor do. @exec is finished on
 * error.
 */
static int gvm_own_lock(struct drm_exec *exec, struct drm_gpuvm *gpuvm, bool by_range,
			u64 addr, u64 range, struct drm_gem_object **objs, unsigned int n,
			unsigned int num_fences)
{
	unsigned int i;
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		if (by_range) {
			/* As exec_lock_range: what is mapped there, not the VM. */
			ret = drm_gpuvm_prepare_range(gpuvm, exec, addr, range, num_fences);
			drm_exec_retry_on_contention(exec);
			if (ret)
				break;
			continue;
		}
		ret = drm_gpuvm_prepare_vm(gpuvm, exec, num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		ret = drm_gpuvm_prepare_objects(gpuvm, exec, num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		/* No fences: lock only (reserving none WARNs). */
		for (i = 0; !num_fences && !ret && i < n; i++)
			ret = drm_exec_lock_obj(exec, objs[i]);
		if (num_fences && n)
			ret = drm_exec_prepare_array(exec, objs, n, num_fences);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/* A job's fence, signalled once the job is done with its locks. */
static struct dma_fence *gvm_fence_new(void)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	if (fence)
		dma_fence_init(fence, &gvm_fence_ops, &gvm_fence_lock,
			       dma_fence_context_alloc(1), 1);
	return fence;
}

static void gvm_fence_done(struct dma_fence *fence)
{
	if (!fence)
		return;
	dma_fence_signal(fence);
	dma_fence_put(fence);
}

/*
 * A submission: lock the VM and its external objects, validate what was
 * evicted and add the job's fence, through the exec helpers or (own) the
 * driver's own drm_exec loop and the bare helpers, as xe does.
 */
static int gvm_validate(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct gvm_vm *vm = st->vm[c->vm];
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->base,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = 1,
	};
	bool own = c->flags & GVM_F_OWN;
	struct dma_fence *fence;
	int ret;

	if (own)
		ret = gvm_own_lock(&vm_exec.exec, vm_exec.vm, false, 0, 0, NULL, 0, 1);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		return ret;
	vm->pressure.fail = c->flags & GVM_F_VFAIL ? st->bo[c->bo] : NULL;
	vm->pressure.evict = c->flags & GVM_F_VEVICT ? st->bo[c->bo] : NULL;
	vm->pressure.calls = 0;
	if (own)
		ret = drm_gpuvm_validate(vm_exec.vm, &vm_exec.exec);
	else
		ret = drm_gpuvm_exec_validate(&vm_exec);
	vm->pressure.fail = NULL;
	vm->pressure.evict = NULL;
	fence = ret ? NULL : gvm_fence_new();
	if (fence && own)
		drm_gpuvm_resv_add_fence(vm_exec.vm, &vm_exec.exec, fence,
					 DMA_RESV_USAGE_BOOKKEEP, DMA_RESV_USAGE_BOOKKEEP);
	else if (fence)
		drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, DMA_RESV_USAGE_BOOKKEEP,
					      DMA_RESV_USAGE_BOOKKEEP);
	else if (!ret)
		ret = -ENOMEM;
	drm_exec_fini(&vm_exec.exec);
	gvm_fence_done(fence);
	return ret;
}

static const char * const gvm_usage_names[] = {
	[DMA_RESV_USAGE_KERNEL] = "kernel",
	[DMA_RESV_USAGE_WRITE] = "write",
	[DMA_RESV_USAGE_READ] = "read",
	[DMA_RESV_USAGE_BOOKKEEP] = "bookkeep",
};

/* The usage @fence has in @resv (held), or -1 where it is not. */
static int gvm_fence_usage(struct dma_resv *resv, struct dma_fence *fence)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;

	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, f)
		if (f == fence)
			return dma_resv_iter_usage(&cursor);
	return -1;
}

/* What a lock held: per VM resv and per object resv, the fence's usage. */
struct gvm_locked {
	u64 vms, bos;
	s8 vm_usage[GVM_MAX_ID], bo_usage[GVM_MAX_ID];
};

/* Note the resv @obj was locked through, named after its VM or object. */
static void gvm_note_locked(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj,
			    struct dma_fence *fence, struct gvm_locked *l)
{
	int usage = fence ? gvm_fence_usage(obj->resv, fence) : -1;
	struct gvm_bo *bo;
	unsigned int id;

	if (obj == gpuvm->r_obj) {
		id = to_gvm_vm(gpuvm)->id;
	} else {
		bo = to_gvm_bo(obj);
		if (!bo->r_obj) {
			l->bos |= BIT_ULL(bo->id);
			l->bo_usage[bo->id] = usage;
			return;
		}
		id = bo->priv_vm;
	}
	l->vms |= BIT_ULL(id);
	l->vm_usage[id] = usage;
}

static void gvm_print_locked(struct gvm_state *st, const struct gvm_locked *l, bool fenced)
{
	char line[GVM_LINE_MAX] = "locked";
	size_t n = strlen(line);
	unsigned int pass, i;

	for (pass = 0; pass < 2; pass++) {
		u64 set = pass ? l->bos : l->vms;
		const s8 *usage = pass ? l->bo_usage : l->vm_usage;

		for (i = 0; i < GVM_MAX_ID && n < sizeof(line); i++) {
			if (!(set & BIT_ULL(i)))
				continue;
			n += scnprintf(line + n, sizeof(line) - n, " %s%u", pass ? "bo" : "vm", i);
			if (fenced)
				n += scnprintf(line + n, sizeof(line) - n, "=%s",
					       usage[i] < 0 ? "none" : gvm_usage_names[usage[i]]);
		}
	}
	gvm_print(st, "%s", line);
}

/*
 * A submission's locking: the VM and its external objects
 * (drm_gpuvm_exec_lock), plus an array of objects (exec_lock_array, as a
 * job's BO list), or what is mapped in a range (exec_lock_range); then the
 * job's fence on everything locked, with the usages the driver passes.
 * Prints the reservations held.
 */
static int gvm_lock_cmd(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gpuvm *gpuvm = &st->vm[c->vm]->base;
	bool fenced = c->flags & GVM_F_FENCE, own = c->flags & GVM_F_OWN;
	bool by_range = c->flags & GVM_F_LRANGE;
	enum dma_resv_usage priv = c->usage & 0xf, ext = c->usage >> 4;
	struct drm_gpuvm_exec vm_exec = {
		.vm = gpuvm,
		.flags = DRM_EXEC_IGNORE_DUPLICATES,
		.num_fences = fenced ? 1 : 0,
	};
	struct drm_gem_object **objs;
	struct dma_fence *fence = NULL;
	struct gvm_locked *l;
	unsigned int n = 0, i;
	int ret = -ENOMEM;

	if (by_range && gvm_bad_range(c->addr, c->range))
		return -EINVAL;
	objs = kcalloc(GVM_MAX_ID, sizeof(*objs), GFP_KERNEL);
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	/* Allocated first: nothing may fail once the locks are held. */
	if (fenced)
		fence = gvm_fence_new();
	if (!objs || !l || (fenced && !fence))
		goto out;
	for (i = 0; i < GVM_MAX_ID; i++)
		if (c->objs & BIT_ULL(i))
			objs[n++] = &st->bo[i]->base;
	if (own)
		ret = gvm_own_lock(&vm_exec.exec, gpuvm, by_range, c->addr, c->range, objs, n,
				   vm_exec.num_fences);
	else if (n)
		ret = drm_gpuvm_exec_lock_array(&vm_exec, objs, n);
	else if (by_range)
		ret = drm_gpuvm_exec_lock_range(&vm_exec, c->addr, c->range);
	else
		ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret)
		goto out;
	if (fence && own)
		drm_gpuvm_resv_add_fence(gpuvm, &vm_exec.exec, fence, priv, ext);
	else if (fence)
		drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, priv, ext);
	memset(l->vm_usage, -1, sizeof(l->vm_usage));
	memset(l->bo_usage, -1, sizeof(l->bo_usage));
	/* The locked objects (the iterator's arguments changed in 6.10). */
	for (i = 0; i < vm_exec.exec.num_objects; i++)
		gvm_note_locked(gpuvm, vm_exec.exec.objects[i], fence, l);
	drm_exec_fini(&vm_exec.exec);
	gvm_print_locked(st, l, fenced);
out:
	gvm_fence_done(fence);
	kfree(l);
	kfree(objs);
	return ret;
}

/* Unbind one VA by its exact range: nothing survives, nothing to allocate. */
static void gvm_unmap_exact(struct gvm_vm *vm, struct drm_gpuva *va)
{
	struct gvm_step s = { .vm = vm };
	struct gvm_pool pool = { .n = 0 };
	struct drm_exec exec;
	int ret;

	s.pool = &pool;
	ret = gvm_lock(&exec, vm, va->gem.obj, 0, 0);
	if (!ret)
		ret = drm_gpuvm_sm_unmap(&vm->base, &s, va->va.addr, va->va.range);
	if (ret)
		gvm_finding(vm->st, "unbinding a whole VA of vm%u failed: %d", vm->id, ret);
	gvm_unlock(vm->st, &exec);
}

/* Unbind everything, drop the vm_bo references held, drop the VM. */
static void gvm_destroy(struct gvm_state *st, unsigned int id)
{
	struct gvm_vm *vm = st->vm[id];
	struct drm_gpuvm *gpuvm = &vm->base;
	struct drm_gpuva *va, *next;
	unsigned int i;

	drm_gpuvm_get(gpuvm);
	drm_gpuvm_for_each_va_safe(va, next, gpuvm) {
		if (va != &gpuvm->kernel_alloc_node)
			gvm_unmap_exact(vm, va);
	}
	for (i = 0; i < GVM_MAX_ID; i++)
		while (vm->nheld[i])
			gvm_put_held(vm, i);
	st->vm[id] = NULL;
	drm_gpuvm_put(gpuvm);	/* the script's */
	drm_gpuvm_put(gpuvm);	/* ours */
}

static void gvm_dump(struct gvm_state *st, const struct gvm_cmd *c)
{
	struct drm_gpuvm *gpuvm = &st->vm[c->vm]->base;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;
	unsigned int i;
	char obj[16];

	gvm_print(st, "dump vm%u", c->vm);
	dma_resv_lock(drm_gpuvm_resv(gpuvm), NULL);
	drm_gpuvm_for_each_va(va, gpuvm) {
		if (va == &gpuvm->kernel_alloc_node)
			continue;
		gvm_print(st, "va 0x%llx 0x%llx %s 0x%llx%s", va->va.addr, va->va.range,
			  gvm_obj_name(va->gem.obj, obj, sizeof(obj)), va->gem.offset,
			  drm_gpuva_invalidated(va) ? " invalidated" : "");
	}
	dma_resv_unlock(drm_gpuvm_resv(gpuvm));

	for (i = 0; i < GVM_MAX_ID; i++) {
		struct gvm_bo *bo = st->bo[i];

		if (!bo)
			continue;
		dma_resv_lock(bo->base.resv, NULL);
		drm_gem_for_each_gpuvm_bo(vm_bo, &bo->base) {
			if (vm_bo->vm != gpuvm)
				continue;
			gvm_print(st, "vm_bo bo%u refs=%u vas=%zu%s%s", i,
				  kref_read(&vm_bo->kref), list_count_nodes(&vm_bo->list.gpuva),
				  list_empty(&vm_bo->list.entry.extobj) ? "" : " extobj",
				  list_empty(&vm_bo->list.entry.evict) ? "" : " evict");
		}
		dma_resv_unlock(bo->base.resv);
	}
}

/*
 * A command on a destroyed VM or a closed object fails with -ENOENT
 * without reaching GPUVM.
 */
static bool gvm_missing(struct gvm_state *st, const struct gvm_cmd *c)
{
	bool uses_vm, uses_bo;
	unsigned int i;

	switch (c->op) {
	case GVM_VM:
		return false;
	case GVM_BO:
		return (c->flags & GVM_F_PRIVATE) && !st->vm[c->vm];
	case GVM_CLOSE:
	case GVM_EVICT:
	case GVM_INVALIDATE:
		uses_vm = false;
		uses_bo = true;
		break;
	case GVM_MAP:
		uses_vm = true;
		uses_bo = !(c->flags & GVM_F_NO_BO);
		break;
	case GVM_BO_UNMAP:
	case GVM_OBTAIN:
	case GVM_PUT:
		uses_vm = true;
		uses_bo = true;
		break;
	case GVM_VALIDATE:
		uses_vm = true;
		uses_bo = c->flags & (GVM_F_VFAIL | GVM_F_VEVICT);
		break;
	default:
		uses_vm = true;
		uses_bo = false;
		break;
	}
	if ((uses_vm && !st->vm[c->vm]) || (uses_bo && !st->handle[c->bo]))
		return true;
	/* A lock's object list: every handle must be open. */
	for (i = 0; c->op == GVM_LOCK && i < GVM_MAX_ID; i++)
		if ((c->objs & BIT_ULL(i)) && !st->handle[i])
			return true;
	return false;
}

static int gvm_run(struct gvm_state *st, const struct gvm_cmd *c)
{
	if (gvm_missing(st, c))
		return -ENOENT;
	switch (c->op) {
	case GVM_VM:
		return gvm_vm_create(st, c);
	case GVM_BO:
		return gvm_bo_create(st, c);
	case GVM_MAP:
		return gvm_map(st, c);
	case GVM_UNMAP:
		return gvm_unmap(st, c);
	case GVM_PREFETCH:
		return gvm_prefetch(st, c);
	case GVM_BO_UNMAP:
		return gvm_bo_unmap(st, c);
	case GVM_OBTAIN:
		return gvm_obtain(st, c);
	case GVM_PUT:
		return gvm_put(st, c);
	case GVM_CLOSE:
		gvm_close(st, c->bo);
		return 0;
	case GVM_EVICT:
		return gvm_evict(st, c);
	case GVM_VALIDATE:
		return gvm_validate(st, c);
	case GVM_CLEANUP:
		/* No deferred vm_bo cleanup in this GPUVM: nothing to do. */
		return 0;
	case GVM_DESTROY:
		gvm_destroy(st, c->vm);
		return 0;
	case GVM_DUMP:
		gvm_dump(st, c);
		return 0;
	case GVM_LOOKUP:
		return gvm_lookup(st, c);
	case GVM_INVALIDATE:
		return gvm_invalidate(st, c);
	case GVM_LOCK:
		return gvm_lock_cmd(st, c);
	default:
		gvm_finding(st, "unknown command %u", c->op);
		return 0;
	}
}

/* Release everything the script still holds, printing nothing. */
static void gvm_release(struct gvm_state *st)
{
	unsigned int i;

	st->silent = true;
	st->fail_step = 0;
	for (i = 0; i < GVM_MAX_ID; i++)
		if (st->vm[i])
			gvm_destroy(st, i);
	for (i = 0; i < GVM_MAX_ID; i++)
		if (st->bo[i] && st->handle[i])
			gvm_close(st, i);
}

/* Report what went wrong in command @c, if anything; true if something did. */
static bool gvm_check(struct gvm_state *st, const struct gvm_cmd *c, bool warned, bool lockdep)
{
	const struct gvm_script *script = st->script;
	struct kunit *test = st->test;
	bool failed = false;
	char where[96];

	if (c)
		snprintf(where, sizeof(where), "%s:%u: %s%s", script->name, c->line,
			 gvm_op_names[c->op], st->callbacks ? " (through sm_step callbacks)" : "");
	else
		snprintf(where, sizeof(where), "%s: final release%s", script->name,
			 st->callbacks ? " (through sm_step callbacks)" : "");
	if (st->mismatch && st->next < script->nout) {
		KUNIT_FAIL(test, "%s: printed \"%s\", expected \"%s\" (line %u)", where,
			   st->got, script->out[st->next], st->next + 1);
		failed = true;
	} else if (st->mismatch) {
		KUNIT_FAIL(test, "%s: printed \"%s\" past the expected lines", where, st->got);
		failed = true;
	}
	st->mismatch = false;
	if (st->finding[0]) {
		KUNIT_FAIL(test, "%s: %s", where, st->finding);
		st->finding[0] = '\0';
		failed = true;
	}
	if (!warned && test_taint(TAINT_WARN)) {
		KUNIT_FAIL(test, "%s: a WARN fired (see the kernel log)", where);
		failed = true;
	}
	if (lockdep && !debug_locks) {
		KUNIT_FAIL(test, "%s: lockdep reported a problem (see the kernel log)", where);
		failed = true;
	}
	return failed;
}

/* Run @script once; @callbacks: binds through sm_step callbacks. */
static void gvm_run_once(struct kunit *test, const struct gvm_script *script, bool callbacks)
{
	struct gvm_state *st;
	bool warned, lockdep;
	unsigned int i;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->test = test;
	st->drm = test->priv;
	st->script = script;
	st->callbacks = callbacks;
	if (test_taint(TAINT_WARN))
		kunit_warn(test, "a WARN fired before this case: one in it would go unnoticed");
	if (!debug_locks)
		kunit_warn(test, "lockdep was turned off before this case (by a report)");

	for (i = 0; i < script->ncmds; i++) {
		const struct gvm_cmd *c = &script->cmds[i];
		int ret;

		if (c->op == GVM_INJECT_STEP) {
			st->fail_step = c->offset;
			continue;
		}
		warned = test_taint(TAINT_WARN);
		lockdep = debug_locks;
		ret = gvm_run(st, c);
		st->fail_step = 0;
		if (ret)
			gvm_print_error(st, ret);
		if (gvm_check(st, c, warned, lockdep))
			break;
	}
	if (i == script->ncmds && st->next < script->nout)
		KUNIT_FAIL(test, "%s%s: the output ends before expected line %u, \"%s\"",
			   script->name, callbacks ? " (through sm_step callbacks)" : "",
			   st->next + 1, script->out[st->next]);

	warned = test_taint(TAINT_WARN);
	lockdep = debug_locks;
	gvm_release(st);
	gvm_check(st, NULL, warned, lockdep);
	KUNIT_EXPECT_EQ_MSG(test, st->nbos, 0u, "%s: objects left over at the end",
			    script->name);
	KUNIT_EXPECT_EQ_MSG(test, st->nvms, 0u, "%s: VMs left over at the end", script->name);
}

/*
 * Run @script with binds and unbinds through op lists, then again through
 * sm_step callbacks: both ways must print the same lines (what the
 * script's "twin" command asks for, done for every script here).
 */
static void gvm_run_script(struct kunit *test, const struct gvm_script *script)
{
	gvm_run_once(test, script, false);
	gvm_run_once(test, script, true);
}

static int gvm_test_init(struct kunit *test)
{
	struct drm_device *drm;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* DRIVER_GEM_GPUVA: GEM objects get their list of vm_bos. */
	drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*drm), 0,
						  DRIVER_GEM | DRIVER_GEM_GPUVA);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	test->priv = drm;
	return 0;
}
