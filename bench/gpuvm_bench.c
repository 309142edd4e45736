// SPDX-License-Identifier: MIT
/*
 * GPUVM micro-benchmark: cost of the VA tree and of the split/merge state
 * machine with N disjoint mappings already in one VM.
 *
 * Layout: mapping i covers [i * 32 pages, i * 32 pages + 16 pages) of one
 * GEM object at offset i * 32 pages, so every mapping is followed by a
 * 16-page hole. The VM is in staged mode (flags 0) and its window is exactly
 * N * 32 pages. Random choices come from a fixed-seed xorshift64*, so every
 * run does the same work.
 *
 * What each row times (wall clock, CLOCK_MONOTONIC, read once per batch of
 * K operations, never per operation):
 *
 *   insert      drm_gpuva_insert() of a preallocated VA into a random hole
 *               (K distinct holes per batch). The allocation is not timed.
 *   remove      drm_gpuva_remove() of those K VAs, in insertion order.
 *   find_first  drm_gpuva_find_first(addr, 1) at an address drawn uniformly
 *               from the whole window, so about half hit a mapping and half
 *               land in a hole.
 *   split_ops   drm_gpuvm_sm_map_ops_create() of a request strictly inside
 *               a random mapping (pages [4, 12) of its 16, same object and
 *               matching offset: REMAP with prev and next, then MAP), applied
 *               as a driver does (kzalloc prev/next, drm_gpuva_remap(), link
 *               both, unlink and kfree the old VA; kzalloc, drm_gpuva_map(),
 *               link), then drm_gpuva_ops_free(). K distinct mappings per
 *               batch. Allocating the new VAs is part of the time.
 *   split_restore  the restore after split_ops, timed on its own: the same
 *               path with the original full mapping as request, which gives
 *               UNMAP, UNMAP, UNMAP, MAP and leaves the tree as it was.
 *   split_cb    the split through drm_gpuvm_sm_map() with sm_step callbacks
 *               that apply each step in place (same allocations, links and
 *               frees as split_ops, but no op list).
 *   split_cb_restore  its restore through drm_gpuvm_sm_map(), as above.
 *   unmap       drm_gpuvm_sm_unmap_ops_create() of one whole random mapping
 *               (one UNMAP), applied (drm_gpuva_unmap(), unlink, kfree), then
 *               drm_gpuva_ops_free().
 *   map_ops     the restore of unmap, timed on its own:
 *               drm_gpuvm_sm_map_ops_create() of the mapping into its now
 *               empty slot (one MAP), kzalloc + drm_gpuva_map() + link, free.
 *
 * So split_ops, split_cb and unmap time only the change; the work that
 * puts the tree back to N mappings is reported in its own row and never
 * mixed in. Each batch changes K distinct mappings and then restores them,
 * so the tree holds between N and N + 2K VAs while a split batch runs.
 *
 * bytes_per_mapping: a separate VM gets 100000 mappings whose drm_gpuva is
 * malloc()ed, i.e. outside the library's accounted allocator, and is
 * inserted and linked to the vm_bo. The growth of
 * kcompat_alloc_stats().live_bytes over those inserts is then only what
 * the library itself allocates per mapping (expected 0: the tree and the
 * lists are intrusive). The row prints sizeof(struct drm_gpuva) plus that
 * growth divided by the number of mappings. The allocator's per-block
 * header and malloc's own overhead are not counted.
 *
 * The object's resv (A2 in staged mode) is held for the whole benchmark of
 * one N, as a driver holds it across a bind.
 *
 * The file is built twice: over lib/ and (GVM_BENCH_UPSTREAM) over
 * upstream's own drm_gpuvm.c through upstream/compat, whose rows end in
 * " backend=upstream"; main() runs both for each N, side by side.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kcompat.h>
#include <linux/slab.h>
#include <drm/drm_gpuvm.h>

#define PAGE		0x1000ull
#define MAP_PAGES	16ull
#define SLOT		(2 * MAP_PAGES * PAGE)
#define MAP_SIZE	(MAP_PAGES * PAGE)
#define MEM_N		100000ul

#ifdef GVM_BENCH_UPSTREAM
#define BACKEND		" backend=upstream"
#define bench_backend	gvm_bench_upstream
#else
#define BACKEND		""
#define bench_backend	gvm_bench_lean
#endif

int bench_backend(unsigned long n, bool quick);
/* Remember a row for the ratio lines main() prints after each N. */
void gvm_bench_note(const char *op, double ns_per_op, bool upstream);

struct bench {
	struct drm_gpuvm *vm;
	struct drm_gem_object *obj;
	struct drm_gpuvm_bo *vm_bo;
	unsigned long n;
	unsigned long k;		/* operations per timed batch */
	unsigned long ops;		/* operations per row */
	bool warmup;			/* measure but print nothing */
	unsigned char *used;		/* slot already taken in this batch */
	unsigned long *slots;		/* the slots of the current batch */
	struct drm_gpuva **vas;		/* preallocated VAs for insert */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline unsigned long rng_below(unsigned long n)
{
	return (unsigned long)((rng_next() >> 11) % n);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "gpuvm_bench: %s\n", what);
	exit(1);
}

static void report(const struct bench *b, const char *op, uint64_t ns,
		   unsigned long ops)
{
	if (b->warmup)
		return;
	printf("bench %s n=%lu ns_per_op=%.1f%s\n", op, b->n, (double)ns / (double)ops,
	       BACKEND);
	fflush(stdout);
	gvm_bench_note(op, (double)ns / (double)ops, BACKEND[0] != '\0');
}

static void vm_free(struct drm_gpuvm *vm)
{
	kfree(vm);
}

static void obj_free(struct drm_gem_object *obj)
{
	drm_gem_object_release(obj);
	kfree(obj);
}

static const struct drm_gem_object_funcs obj_funcs = { .free = obj_free };

/* ---- driver-side application of ops --------------------------------- */

static struct drm_gpuva *va_alloc(void)
{
	struct drm_gpuva *va = kzalloc(sizeof(*va), GFP_KERNEL);

	if (!va)
		die("out of memory");
	return va;
}

static void apply_map(struct bench *b, struct drm_gpuva_op *op)
{
	struct drm_gpuva *va = va_alloc();

	drm_gpuva_map(b->vm, va, &op->map);
	drm_gpuva_link(va, b->vm_bo);
}

static void apply_remap(struct drm_gpuva_op *op)
{
	struct drm_gpuva *old = op->remap.unmap->va;
	struct drm_gpuvm_bo *vm_bo = old->vm_bo;
	struct drm_gpuva *prev = op->remap.prev ? va_alloc() : NULL;
	struct drm_gpuva *next = op->remap.next ? va_alloc() : NULL;

	drm_gpuva_remap(prev, next, &op->remap);
	if (prev)
		drm_gpuva_link(prev, vm_bo);
	if (next)
		drm_gpuva_link(next, vm_bo);
	drm_gpuva_unlink(old);
	kfree(old);
}

static void apply_unmap(struct drm_gpuva_op *op)
{
	struct drm_gpuva *va = op->unmap.va;

	drm_gpuva_unmap(&op->unmap);
	drm_gpuva_unlink(va);
	kfree(va);
}

static void apply_ops(struct bench *b, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			apply_map(b, op);
			break;
		case DRM_GPUVA_OP_REMAP:
			apply_remap(op);
			break;
		case DRM_GPUVA_OP_UNMAP:
			apply_unmap(op);
			break;
		default:
			die("unexpected op");
		}
	}
}

static int step_map(struct drm_gpuva_op *op, void *priv)
{
	apply_map(priv, op);
	return 0;
}

static int step_remap(struct drm_gpuva_op *op, void *priv)
{
	(void)priv;
	apply_remap(op);
	return 0;
}

static int step_unmap(struct drm_gpuva_op *op, void *priv)
{
	(void)priv;
	apply_unmap(op);
	return 0;
}

static const struct drm_gpuvm_ops vm_ops = {
	.vm_free = vm_free,
	.sm_step_map = step_map,
	.sm_step_remap = step_remap,
	.sm_step_unmap = step_unmap,
};

/* ---- setup and teardown ---------------------------------------------- */

static struct drm_gpuvm_map_req slot_req(struct bench *b, unsigned long i,
					 u64 first_page, u64 pages)
{
	struct drm_gpuvm_map_req req = {
		.map = {
			.va = { i * SLOT + first_page * PAGE, pages * PAGE },
			.gem = { i * SLOT + first_page * PAGE, b->obj },
		},
	};

	return req;
}

static void vm_create(struct bench *b, unsigned long n)
{
	struct drm_gem_object *r_obj;

	b->n = n;
	b->vm = kzalloc(sizeof(*b->vm), GFP_KERNEL);
	b->obj = kzalloc(sizeof(*b->obj), GFP_KERNEL);
	r_obj = drm_gpuvm_resv_object_alloc(NULL);
	if (!b->vm || !b->obj || !r_obj)
		die("out of memory");
	drm_gpuvm_init(b->vm, "bench", 0, NULL, r_obj, 0, n * SLOT, 0, 0, &vm_ops);
	drm_gem_object_put(r_obj);

	drm_gem_private_object_init(NULL, b->obj, n * SLOT);
	b->obj->funcs = &obj_funcs;
	dma_resv_lock(b->obj->resv, NULL);
	b->vm_bo = drm_gpuvm_bo_obtain_locked(b->vm, b->obj);
	if (IS_ERR(b->vm_bo))
		die("drm_gpuvm_bo_obtain_locked failed");
}

/* Mapping i of the layout, inserted and linked; @va comes from the caller. */
static void slot_insert(struct bench *b, struct drm_gpuva *va, unsigned long i)
{
	va->va.addr = i * SLOT;
	va->va.range = MAP_SIZE;
	va->gem.obj = b->obj;
	va->gem.offset = i * SLOT;
	if (drm_gpuva_insert(b->vm, va))
		die("drm_gpuva_insert failed");
	drm_gpuva_link(va, b->vm_bo);
}

/* Unlink, remove and free every VA: kfree() if @kfreed, else free(). */
static void vm_destroy(struct bench *b, bool kfreed)
{
	struct drm_gpuva *va, *next;

	drm_gpuvm_for_each_va_safe(va, next, b->vm) {
		if (va == &b->vm->kernel_alloc_node)
			continue;
		drm_gpuva_unlink(va);
		drm_gpuva_remove(va);
		if (kfreed)
			kfree(va);
		else
			free(va);
	}
	drm_gpuvm_bo_put(b->vm_bo);
	dma_resv_unlock(b->obj->resv);
	drm_gpuvm_put(b->vm);
	drm_gem_object_put(b->obj);
	b->vm = NULL;
	b->obj = NULL;
	b->vm_bo = NULL;
}

/* K distinct random slots into b->slots. */
static void pick_slots(struct bench *b)
{
	unsigned long j, i;

	for (j = 0; j < b->k; j++) {
		do {
			i = rng_below(b->n);
		} while (b->used[i]);
		b->used[i] = 1;
		b->slots[j] = i;
	}
	for (j = 0; j < b->k; j++)
		b->used[b->slots[j]] = 0;
}

/* ---- the measurements -------------------------------------------------- */

static void bench_insert(struct bench *b)
{
	uint64_t t_ins = 0, t_rm = 0, t0;
	unsigned long done, j;

	for (done = 0; done < b->ops; done += b->k) {
		pick_slots(b);
		for (j = 0; j < b->k; j++) {
			struct drm_gpuva *va = b->vas[j];

			memset(va, 0, sizeof(*va));
			va->va.addr = b->slots[j] * SLOT + MAP_SIZE;
			va->va.range = MAP_SIZE;
			va->gem.obj = b->obj;
			va->gem.offset = va->va.addr;
		}
		t0 = now_ns();
		for (j = 0; j < b->k; j++)
			if (drm_gpuva_insert(b->vm, b->vas[j]))
				die("drm_gpuva_insert into a hole failed");
		t_ins += now_ns() - t0;
		t0 = now_ns();
		for (j = 0; j < b->k; j++)
			drm_gpuva_remove(b->vas[j]);
		t_rm += now_ns() - t0;
	}
	report(b, "insert", t_ins, done);
	report(b, "remove", t_rm, done);
}

static void bench_find_first(struct bench *b)
{
	unsigned long done, hits = 0;
	u64 span = b->n * SLOT;
	uint64_t t0, t;

	t0 = now_ns();
	for (done = 0; done < b->ops; done++) {
		u64 addr = (rng_next() >> 11) % span;

		if (drm_gpuva_find_first(b->vm, addr, 1))
			hits++;
	}
	t = now_ns() - t0;
	if (hits == 0 || hits == done)
		die("find_first: implausible hit count");
	report(b, "find_first", t, done);
}

/* Apply an op list as a driver does, then free it; @what names its maker. */
static void run_ops(struct bench *b, struct drm_gpuva_ops *ops, const char *what)
{
	if (IS_ERR(ops))
		die(what);
	apply_ops(b, ops);
	drm_gpuva_ops_free(b->vm, ops);
}

/* The bind of @req through drm_gpuvm_sm_map_ops_create(). */
static void map_ops(struct bench *b, const struct drm_gpuvm_map_req *req)
{
	run_ops(b, drm_gpuvm_sm_map_ops_create(b->vm, req),
		"drm_gpuvm_sm_map_ops_create failed");
}

static void bench_split_ops(struct bench *b)
{
	uint64_t t_split = 0, t_restore = 0, t0;
	struct drm_gpuvm_map_req req;
	unsigned long done, j;

	for (done = 0; done < b->ops; done += b->k) {
		pick_slots(b);
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			req = slot_req(b, b->slots[j], 4, 8);
			map_ops(b, &req);
		}
		t_split += now_ns() - t0;
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			req = slot_req(b, b->slots[j], 0, MAP_PAGES);
			map_ops(b, &req);
		}
		t_restore += now_ns() - t0;
	}
	report(b, "split_ops", t_split, done);
	report(b, "split_restore", t_restore, done);
}

static void bench_split_cb(struct bench *b)
{
	uint64_t t_split = 0, t_restore = 0, t0;
	struct drm_gpuvm_map_req req;
	unsigned long done, j;

	for (done = 0; done < b->ops; done += b->k) {
		pick_slots(b);
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			req = slot_req(b, b->slots[j], 4, 8);
			if (drm_gpuvm_sm_map(b->vm, b, &req))
				die("drm_gpuvm_sm_map (split) failed");
		}
		t_split += now_ns() - t0;
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			req = slot_req(b, b->slots[j], 0, MAP_PAGES);
			if (drm_gpuvm_sm_map(b->vm, b, &req))
				die("drm_gpuvm_sm_map (restore) failed");
		}
		t_restore += now_ns() - t0;
	}
	report(b, "split_cb", t_split, done);
	report(b, "split_cb_restore", t_restore, done);
}

static void bench_unmap(struct bench *b)
{
	uint64_t t_unmap = 0, t_map = 0, t0;
	struct drm_gpuvm_map_req req;
	unsigned long done, j;

	for (done = 0; done < b->ops; done += b->k) {
		pick_slots(b);
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			run_ops(b, drm_gpuvm_sm_unmap_ops_create(b->vm, b->slots[j] * SLOT,
								 MAP_SIZE),
				"drm_gpuvm_sm_unmap_ops_create failed");
		}
		t_unmap += now_ns() - t0;
		t0 = now_ns();
		for (j = 0; j < b->k; j++) {
			req = slot_req(b, b->slots[j], 0, MAP_PAGES);
			map_ops(b, &req);
		}
		t_map += now_ns() - t0;
	}
	report(b, "unmap", t_unmap, done);
	report(b, "map_ops", t_map, done);
}

/* The tree must hold exactly the N original mappings again. */
static void check_layout(struct bench *b)
{
	unsigned long i = 0;
	struct drm_gpuva *va;

	drm_gpuvm_for_each_va(va, b->vm) {
		if (va == &b->vm->kernel_alloc_node)
			continue;
		if (va->va.addr != i * SLOT || va->va.range != MAP_SIZE ||
		    va->gem.offset != i * SLOT || va->vm_bo != b->vm_bo)
			die("layout corrupted");
		i++;
	}
	if (i != b->n)
		die("wrong number of mappings");
}

static void run_n(unsigned long n, bool quick)
{
	struct bench b = { 0 };
	unsigned long i;

	vm_create(&b, n);
	for (i = 0; i < n; i++)
		slot_insert(&b, va_alloc(), i);

	b.k = n / 4 < 1000 ? n / 4 : 1000;
	b.used = calloc(n, 1);
	b.slots = calloc(b.k, sizeof(*b.slots));
	b.vas = calloc(b.k, sizeof(*b.vas));
	if (!b.used || !b.slots || !b.vas)
		die("out of memory");
	for (i = 0; i < b.k; i++)
		b.vas[i] = va_alloc();

	/* Warm-up: one batch of each, not reported. */
	b.ops = b.k;
	b.warmup = true;
	bench_find_first(&b);
	bench_split_ops(&b);
	b.warmup = false;

	b.ops = quick ? 20000 : 500000;
	bench_insert(&b);
	bench_find_first(&b);
	b.ops = quick ? 5000 : 50000;
	bench_split_ops(&b);
	bench_split_cb(&b);
	bench_unmap(&b);
	check_layout(&b);

	for (i = 0; i < b.k; i++)
		kfree(b.vas[i]);
	free(b.vas);
	free(b.slots);
	free(b.used);
	vm_destroy(&b, true);
}

static void measure_bytes_per_mapping(void)
{
	struct kcompat_alloc_stats before, after;
	struct bench b = { 0 };
	unsigned long i;
	long long grown;

	vm_create(&b, MEM_N);
	before = kcompat_alloc_stats();
	for (i = 0; i < MEM_N; i++) {
		struct drm_gpuva *va = calloc(1, sizeof(*va));

		if (!va)
			die("out of memory");
		slot_insert(&b, va, i);
	}
	after = kcompat_alloc_stats();
	grown = (long long)after.live_bytes - (long long)before.live_bytes;
	printf("bytes_per_mapping=%.1f%s\n",
	       (double)sizeof(struct drm_gpuva) + (double)grown / (double)MEM_N, BACKEND);
	fflush(stdout);
	vm_destroy(&b, false);
}

/*
 * This backend's rows for N = @n, or for @n 0 its bytes per mapping and
 * the check that nothing leaked or WARNed. Return: 0, or 1 on a leak.
 */
int bench_backend(unsigned long n, bool quick)
{
	struct kcompat_alloc_stats st;

	if (n) {
		run_n(n, quick);
		return 0;
	}
	measure_bytes_per_mapping();
	st = kcompat_alloc_stats();
	if (st.live || kcompat_warn_count()) {
		fprintf(stderr, "gpuvm_bench:%s %zu allocations leaked, %lu WARNs\n",
			BACKEND, st.live, kcompat_warn_count());
		return 1;
	}
	return 0;
}

#ifndef GVM_BENCH_UPSTREAM
int gvm_bench_upstream(unsigned long n, bool quick);

/* One N's rows of both backends, by operation. */
static struct {
	const char *op;
	double ns[2];		/* lean, upstream; 0: no row */
} notes[16];
static unsigned int nnotes;

void gvm_bench_note(const char *op, double ns_per_op, bool upstream)
{
	unsigned int i;

	for (i = 0; i < nnotes && strcmp(notes[i].op, op); i++)
		;
	if (i == nnotes) {
		if (nnotes == sizeof(notes) / sizeof(notes[0]))
			die("too many rows per N");
		notes[nnotes].op = op;
		notes[nnotes].ns[0] = notes[nnotes].ns[1] = 0;
		nnotes++;
	}
	notes[i].ns[upstream] = ns_per_op;
}

/* "ratio OP n=N upstream/lean=R": above 1, upstream is slower. */
static void print_ratios(unsigned long n)
{
	unsigned int i;

	for (i = 0; i < nnotes; i++)
		if (notes[i].ns[0] > 0 && notes[i].ns[1] > 0)
			printf("ratio %s n=%lu upstream/lean=%.2f\n", notes[i].op, n,
			       notes[i].ns[1] / notes[i].ns[0]);
	fflush(stdout);
	nnotes = 0;
}

int main(int argc, char **argv)
{
	static const unsigned long sizes[] = { 1000, 10000, 100000, 1000000, 0 };
	bool quick = false;
	unsigned int s, nsizes;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else {
			fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
			return 2;
		}
	}

	/* The last size, 0, is the bytes-per-mapping row and the leak check. */
	nsizes = sizeof(sizes) / sizeof(sizes[0]);
	for (s = 0; s < nsizes; s++) {
		if (quick && s >= 2 && sizes[s])
			continue;
		ret |= gvm_bench_lean(sizes[s], quick);
		ret |= gvm_bench_upstream(sizes[s], quick);
		if (sizes[s])
			print_ratios(sizes[s]);
	}
	return ret;
}
#endif
