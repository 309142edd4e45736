// SPDX-License-Identifier: MIT
/* The reference model; see gvm_model.h. Plain C, no lib/ code. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_model.h"

void gvm_model_init(struct gvm_model *m)
{
	memset(m, 0, offsetof(struct gvm_model, vm));
}

void gvm_model_free(struct gvm_model *m)
{
	uint32_t i;

	for (i = 0; i < m->vm_ids; i++) {
		free(m->vm[i].maps);
		free(m->vm[i].spare);
	}
	gvm_model_init(m);
}

bool gvm_model_range_valid(const struct gvm_model_vm *v, uint64_t addr, uint64_t range)
{
	uint64_t end = addr + range, mm_end = v->start + v->range;

	if (!range || end < addr)
		return false;
	if (addr < v->start || end > mm_end)
		return false;
	if (v->reserve_range && addr < v->reserve_addr + v->reserve_range &&
	    v->reserve_addr < end)
		return false;
	return true;
}

unsigned int gvm_model_vas(const struct gvm_model_vm *v, uint32_t bo)
{
	return v->vas[bo];
}

/* Recount mappings per object after @v's intervals changed. */
static void recount(struct gvm_model_vm *v)
{
	size_t i;

	memset(v->vas, 0, sizeof(v->vas));
	for (i = 0; i < v->n; i++)
		if (v->maps[i].bo >= 0)
			v->vas[v->maps[i].bo]++;
}

bool gvm_model_vm_bo_live(const struct gvm_model_vm *v, uint32_t bo)
{
	return v->held[bo] || v->jobs[bo] || gvm_model_vas(v, bo);
}

bool gvm_model_mode_conflict(const struct gvm_model *m, uint32_t bo, bool immediate)
{
	size_t i;

	for (i = 0; i < m->vm_ids; i++) {
		const struct gvm_model_vm *v = &m->vm[i];

		if (v->created && v->immediate != immediate && gvm_model_vm_bo_live(v, bo))
			return true;
	}
	return false;
}

void gvm_model_copy(struct gvm_model *dst, const struct gvm_model *src)
{
	uint32_t i;

	memcpy(dst, src, offsetof(struct gvm_model, vm) + src->vm_ids * sizeof(src->vm[0]));
	for (i = 0; i < src->vm_ids; i++) {
		struct gvm_model_vm *v = &dst->vm[i];

		v->spare = NULL;
		v->spare_cap = 0;
		v->maps = NULL;
		v->cap = 0;
		if (!src->vm[i].n)
			continue;
		v->maps = malloc(src->vm[i].n * sizeof(*v->maps));
		if (!v->maps)
			abort();	/* the model must not fail */
		memcpy(v->maps, src->vm[i].maps, src->vm[i].n * sizeof(*v->maps));
		v->cap = src->vm[i].n;
	}
}

void gvm_model_set_zombies(struct gvm_model *m, uint32_t vm, const unsigned int *n)
{
	memcpy(m->vm[vm].zombies, n, sizeof(m->vm[vm].zombies));
	m->vm[vm].zombies_unknown = false;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * UINT64_C(0x100000001b3);
	return h;
}

uint64_t gvm_model_hash(const struct gvm_model *m)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	uint32_t i;
	size_t j;

	h = fnv(h, &m->vm_ids, sizeof(m->vm_ids));
	h = fnv(h, m->bo_handle, m->bo_ids * sizeof(m->bo_handle[0]));
	for (i = 0; i < m->vm_ids; i++) {
		const struct gvm_model_vm *v = &m->vm[i];

		h = fnv(h, &v->open, sizeof(v->open));
		h = fnv(h, &v->zombies_unknown, sizeof(v->zombies_unknown));
		for (j = 0; j < v->n; j++) {
			const struct gvm_map *a = &v->maps[j];

			h = fnv(h, &a->addr, sizeof(a->addr));
			h = fnv(h, &a->range, sizeof(a->range));
			h = fnv(h, &a->bo, sizeof(a->bo));
			h = fnv(h, &a->offset, sizeof(a->offset));
			h = fnv(h, &a->invalidated, sizeof(a->invalidated));
		}
		h = fnv(h, v->held, m->bo_ids * sizeof(v->held[0]));
		h = fnv(h, v->jobs, m->bo_ids * sizeof(v->jobs[0]));
		h = fnv(h, v->zombies, m->bo_ids * sizeof(v->zombies[0]));
		h = fnv(h, v->evicted, m->bo_ids * sizeof(v->evicted[0]));
		h = fnv(h, v->listed, m->bo_ids * sizeof(v->listed[0]));
	}
	return h;
}

static void push(struct gvm_model_vm *v, struct gvm_map map)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->maps = realloc(v->maps, v->cap * sizeof(*v->maps));
		if (!v->maps)
			abort();	/* the model must not fail */
	}
	v->maps[v->n++] = map;
}

/* Add @map where it keeps @v sorted; it overlaps nothing there. */
static void insert(struct gvm_model_vm *v, struct gvm_map map)
{
	size_t i;

	push(v, map);
	for (i = v->n - 1; i && v->maps[i - 1].addr > map.addr; i--)
		v->maps[i] = v->maps[i - 1];
	v->maps[i] = map;
}

/*
 * Rebuild @v's intervals: the parts of each outside [addr, end) stay (with
 * the offset that keeps addresses mapping to the same object bytes); the
 * parts inside are dropped, or, for madvise, kept split at the edges.
 * Pieces are pushed in address order, so the result stays sorted.
 */
static void carve(struct gvm_model_vm *v, uint64_t addr, uint64_t end, bool madvise)
{
	struct gvm_map *old = v->maps;
	size_t n = v->n, cap = v->cap, i;

	/* Build into the spare buffer; the old one becomes the next spare. */
	v->maps = v->spare;
	v->cap = v->spare_cap;
	v->n = 0;
	v->spare = old;
	v->spare_cap = cap;
	for (i = 0; i < n; i++) {
		struct gvm_map m = old[i];
		uint64_t e = m.addr + m.range;

		if (e <= addr || m.addr >= end || (madvise && m.bo >= 0)) {
			push(v, m);
			continue;
		}
		if (m.addr < addr)
			push(v, (struct gvm_map){ m.addr, addr - m.addr, m.bo, m.offset,
						  m.invalidated });
		if (madvise) {
			/* A split piece inside the request gets the request's offset 0. */
			uint64_t a = m.addr < addr ? addr : m.addr;
			uint64_t b = e > end ? end : e;
			bool split = m.addr < addr || e > end;

			push(v, (struct gvm_map){ a, b - a, -1, split ? 0 : m.offset,
						  !split && m.invalidated });
		}
		if (e > end)
			push(v, (struct gvm_map){ end, e - end, m.bo, m.offset + (end - m.addr),
						  m.invalidated });
	}
}

/*
 * Note every (V, B) vm_bo that died (immediate VMs keep it as a zombie)
 * or was born (not evicted).
 */
static void note_deaths(struct gvm_model_vm *v, const bool *before, uint32_t bo_ids)
{
	uint32_t b;

	for (b = 0; b < bo_ids; b++) {
		bool live = gvm_model_vm_bo_live(v, b);

		if (v->immediate && before[b] && !live)
			v->zombies[b]++;
		if (!before[b] && live)
			v->evicted[b] = v->listed[b] = GVM_EVICTED_NO;
	}
}

static bool flag_only(const struct gvm_model *m, uint32_t vm, uint32_t bo);
static enum gvm_evicted folded(enum gvm_evicted flag, enum gvm_evicted listed);

/* A bind's or unbind's change of @v's intervals. */
static void bind(struct gvm_model_vm *v, const struct gvm_cmd *c)
{
	carve(v, c->addr, c->addr + c->range, false);
	if (c->kind == GVM_CMD_MAP)
		insert(v, (struct gvm_map){ .addr = c->addr, .range = c->range,
					    .bo = c->flags & GVM_F_NO_BO ? -1 : (int32_t)c->bo,
					    .offset = c->offset });
}

/* The object whose vm_bo a job of @c holds, or -1. */
static int job_bo(const struct gvm_cmd *c)
{
	return c->kind == GVM_CMD_MAP && !(c->flags & GVM_F_NO_BO) ? (int)c->bo : -1;
}

/* One half of a job: @queued or ran. */
static void job_half(struct gvm_model *m, const struct gvm_cmd *c, bool queued)
{
	struct gvm_model_vm *v = &m->vm[c->vm];
	int bo = job_bo(c);
	bool before[GVM_MAX_ID];
	uint32_t b;

	for (b = 0; b < m->bo_ids; b++)
		before[b] = gvm_model_vm_bo_live(v, b);
	if (queued && bo >= 0)
		v->jobs[bo]++;
	/* A staged VM's ioctl applies the bind; an immediate VM's run_job does. */
	if (queued != v->immediate)
		bind(v, c);
	if (!queued && bo >= 0)
		v->jobs[bo]--;
	recount(v);
	note_deaths(v, before, m->bo_ids);
}

void gvm_model_job_queued(struct gvm_model *m, const struct gvm_cmd *c)
{
	job_half(m, c, true);
}

void gvm_model_job_ran(struct gvm_model *m, const struct gvm_cmd *c)
{
	job_half(m, c, false);
}

void gvm_model_apply(struct gvm_model *m, const struct gvm_cmd *c)
{
	struct gvm_model_vm *v = &m->vm[c->vm];
	/* Commands without a VM operand have vm 0, which may not exist. */
	bool has_vm = c->vm < m->vm_ids && v->created;
	bool before[GVM_MAX_ID];
	uint32_t b;

	for (b = 0; b < m->bo_ids; b++)
		before[b] = has_vm && gvm_model_vm_bo_live(v, b);

	switch (c->kind) {
	case GVM_CMD_VM:
		/* Initialise the entries up to this id (see struct gvm_model). */
		while (m->vm_ids <= c->vm)
			memset(&m->vm[m->vm_ids++], 0, sizeof(*v));
		v->created = v->open = true;
		v->immediate = c->flags & GVM_F_IMMEDIATE;
		v->resv_protected = c->flags & GVM_F_RESV_PROTECTED;
		v->start = c->addr;
		v->range = c->range;
		if (c->flags & GVM_F_RESERVE) {
			v->reserve_addr = c->reserve_addr;
			v->reserve_range = c->reserve_range;
		}
		return;
	case GVM_CMD_BO:
		m->bo_created[c->bo] = m->bo_handle[c->bo] = true;
		m->bo_private[c->bo] = (c->flags & GVM_F_PRIVATE) ? (int8_t)c->vm : -1;
		if (c->bo >= m->bo_ids)
			m->bo_ids = c->bo + 1;
		return;
	case GVM_CMD_MAP:
	case GVM_CMD_UNMAP:
		if (c->flags & GVM_F_JOB) {
			job_half(m, c, true);
			job_half(m, c, false);
			return;
		}
		bind(v, c);
		break;
	case GVM_CMD_MADVISE:
		carve(v, c->addr, c->addr + c->range, true);
		break;
	case GVM_CMD_BO_UNMAP: {
		size_t i, j = 0;

		for (i = 0; i < v->n; i++)
			if (v->maps[i].bo != (int32_t)c->bo)
				v->maps[j++] = v->maps[i];
		v->n = j;
		break;
	}
	case GVM_CMD_OBTAIN:
		v->held[c->bo]++;
		break;
	case GVM_CMD_PUT:
		v->held[c->bo]--;
		break;
	case GVM_CMD_CLOSE:
		m->bo_handle[c->bo] = false;
		return;
	case GVM_CMD_EVICT: {
		/* Every live vm_bo of the object, in every VM (see "validate" below). */
		enum gvm_evicted e = (c->flags & GVM_F_EVICT) ? GVM_EVICTED_YES : GVM_EVICTED_NO;

		for (b = 0; b < m->vm_ids; b++) {
			if (!m->vm[b].created || !gvm_model_vm_bo_live(&m->vm[b], c->bo))
				continue;
			m->vm[b].evicted[c->bo] = e;
			if (!flag_only(m, b, c->bo))
				m->vm[b].listed[c->bo] = e;
		}
		return;
	}
	case GVM_CMD_CLEANUP:
		memset(v->zombies, 0, sizeof(v->zombies));
		v->zombies_unknown = false;
		return;
	case GVM_CMD_INVALIDATE: {
		uint32_t i;
		size_t j;

		for (i = 0; i < m->vm_ids; i++)
			for (j = 0; j < m->vm[i].n; j++)
				if (m->vm[i].maps[j].bo == (int32_t)c->bo)
					m->vm[i].maps[j].invalidated = c->flags & GVM_F_INVALID;
		return;
	}
	case GVM_CMD_LOCK:
		/* prepare_objects() lists what it finds evicted (see "validate"). */
		if (c->flags & GVM_F_LRANGE)
			return;
		for (b = 0; b < m->bo_ids; b++)
			if (gvm_model_vm_bo_live(v, b) && flag_only(m, c->vm, b))
				v->listed[b] = folded(v->evicted[b], v->listed[b]);
		return;
	case GVM_CMD_DESTROY:
		/* (It waits for the VM's jobs: none holds a reference any more.) */
		v->n = 0;
		recount(v);
		memset(v->held, 0, sizeof(v->held));
		note_deaths(v, before, m->bo_ids);
		memset(v->zombies, 0, sizeof(v->zombies));
		v->open = false;
		return;
	default:
		return;
	}
	recount(v);
	note_deaths(v, before, m->bo_ids);
}

/* ---- validate ------------------------------------------------------------ */

/*
 * What a validate does, as GPUVM lists it: the evict list holds the
 * vm_bos to validate. A vm_bo joins and leaves it with its evicted flag,
 * except an external object's in a RESV_PROTECTED VM (only the object's
 * resv is held then): its flag changes alone, prepare_objects() puts an
 * evicted one on the list, and a successful validation takes it off. So
 * that list can hold a vm_bo whose flag was cleared since: GPUVM
 * validates it all the same.
 */

/* Only the flag changes on eviction: an external object of a protected VM. */
static bool flag_only(const struct gvm_model *m, uint32_t vm, uint32_t bo)
{
	return m->vm[vm].resv_protected && m->bo_private[bo] != (int8_t)vm;
}

/* The listed state prepare_objects() leaves (@bo external to protected @v). */
static enum gvm_evicted folded(enum gvm_evicted flag, enum gvm_evicted listed)
{
	if (flag == GVM_EVICTED_YES)
		return GVM_EVICTED_YES;
	if (flag == GVM_EVICTED_UNKNOWN && listed != GVM_EVICTED_YES)
		return GVM_EVICTED_UNKNOWN;
	return listed;
}

/* Whether (@vm, @bo) is on the evict list when the walk starts. */
static enum gvm_evicted walked(const struct gvm_model *m, uint32_t vm, uint32_t bo)
{
	const struct gvm_model_vm *v = &m->vm[vm];

	if (!gvm_model_vm_bo_live(v, bo))
		return GVM_EVICTED_NO;
	if (flag_only(m, vm, bo))
		return folded(v->evicted[bo], v->listed[bo]);
	return v->listed[bo];
}

int gvm_model_validate_outcome(const struct gvm_model *m, const struct gvm_cmd *c)
{
	if (!(c->flags & GVM_F_VFAIL))
		return 0;
	switch (walked(m, c->vm, c->bo)) {
	case GVM_EVICTED_YES:
		return -ENOMEM;
	case GVM_EVICTED_NO:
		return 0;
	default:
		return GVM_MODEL_EITHER;
	}
}

static void set(struct gvm_model_vm *v, uint32_t bo, enum gvm_evicted flag,
		enum gvm_evicted listed)
{
	v->evicted[bo] = flag;
	v->listed[bo] = listed;
}

/*
 * The walk's first validation evicted @bo (or, !@sure, may have: the
 * list may have been empty): every vm_bo of it in the other VMs is
 * evicted. In @vm, the VM walked: one on the list already is validated
 * later in the walk; otherwise an external object of a protected VM only
 * gets the flag, and any other vm_bo joins the list being walked: without
 * RESV_PROTECTED it is validated; with it, it went behind the entry being
 * validated, and is reached unless that was the last: GPUVM's order.
 */
static void room_made(struct gvm_model *m, uint32_t vm, uint32_t bo, enum gvm_evicted was,
		      bool sure)
{
	struct gvm_model_vm *v = &m->vm[vm];
	enum gvm_evicted e = sure ? GVM_EVICTED_YES : GVM_EVICTED_UNKNOWN;
	uint32_t i;

	for (i = 0; i < m->vm_ids; i++) {
		struct gvm_model_vm *u = &m->vm[i];

		if (i == vm || !u->created || !gvm_model_vm_bo_live(u, bo))
			continue;
		if (u->evicted[bo] != GVM_EVICTED_YES)
			u->evicted[bo] = e;
		if (!flag_only(m, i, bo) && u->listed[bo] != GVM_EVICTED_YES)
			u->listed[bo] = e;
	}
	if (!gvm_model_vm_bo_live(v, bo) || was == GVM_EVICTED_YES || !v->resv_protected)
		return;		/* validated in this walk, or not there */
	if (flag_only(m, vm, bo))
		set(v, bo, was == GVM_EVICTED_NO && sure ? GVM_EVICTED_YES : GVM_EVICTED_UNKNOWN,
		    GVM_EVICTED_NO);
	else
		set(v, bo, GVM_EVICTED_UNKNOWN, GVM_EVICTED_UNKNOWN);
}

void gvm_model_validate_done(struct gvm_model *m, const struct gvm_cmd *c, int ret,
			     bool injected)
{
	struct gvm_model_vm *v = &m->vm[c->vm];
	enum gvm_evicted list[GVM_MAX_ID];
	bool any = false, all_known = true;
	uint32_t b;

	/* Without "fail" only an injected failure gives -ENOMEM, before the walk. */
	if ((ret && ret != -ENOMEM) || (ret && !(c->flags & GVM_F_VFAIL) && !injected))
		return;
	for (b = 0; b < m->bo_ids; b++)
		list[b] = walked(m, c->vm, b);
	if (ret == -ENOMEM) {
		/*
		 * The walk stopped at the failing object: the entries before it
		 * are validated, the rest stay as they were, in an order GPUVM
		 * chose. An injected failure may have struck first instead,
		 * before the walk or halfway through prepare_objects().
		 */
		for (b = 0; b < m->bo_ids; b++) {
			if (!gvm_model_vm_bo_live(v, b))
				continue;
			if (!injected && (c->flags & GVM_F_VFAIL) && b == c->bo) {
				v->listed[b] = GVM_EVICTED_YES;
				continue;
			}
			if (list[b] == GVM_EVICTED_NO && v->listed[b] == GVM_EVICTED_NO)
				continue;
			if (v->evicted[b] != GVM_EVICTED_NO)
				v->evicted[b] = GVM_EVICTED_UNKNOWN;
			v->listed[b] = GVM_EVICTED_UNKNOWN;
		}
		return;
	}
	/* The walk ran to its end: every entry of the list was validated. */
	for (b = 0; b < m->bo_ids; b++) {
		if (!gvm_model_vm_bo_live(v, b))
			continue;
		any |= list[b] == GVM_EVICTED_YES;
		all_known &= list[b] != GVM_EVICTED_UNKNOWN;
		if (list[b] != GVM_EVICTED_NO)
			set(v, b, GVM_EVICTED_NO, GVM_EVICTED_NO);
	}
	/*
	 * With an empty list there is no first validation to make room. On a
	 * thread the trylock that TTM's eviction takes fails while another
	 * thread holds the object's resv: the room may not have been made.
	 */
	if ((c->flags & GVM_F_VEVICT) && (any || !all_known))
		room_made(m, c->vm, c->bo, list[c->bo], any && !c->thread);
}

void gvm_model_lock_failed(struct gvm_model *m, const struct gvm_cmd *c)
{
	struct gvm_model_vm *v = &m->vm[c->vm];
	uint32_t b;

	if ((c->flags & GVM_F_LRANGE) || c->vm >= m->vm_ids || !v->created)
		return;
	for (b = 0; b < m->bo_ids; b++)
		if (gvm_model_vm_bo_live(v, b) && flag_only(m, c->vm, b) &&
		    folded(v->evicted[b], v->listed[b]) != v->listed[b])
			v->listed[b] = GVM_EVICTED_UNKNOWN;
}

/* ---- what a command must return ------------------------------------------- */

static bool vm_open(const struct gvm_model *m, uint32_t id)
{
	return id < m->vm_ids && m->vm[id].created && m->vm[id].open;
}

static bool bo_open(const struct gvm_model *m, uint32_t id)
{
	return m->bo_created[id] && m->bo_handle[id];
}

static bool wraps(uint64_t a, uint64_t b)
{
	return a + b < a;
}

/* @c binds or obtains, in its VM, an object the driver keeps to another VM. */
static bool foreign_private(const struct gvm_model *m, const struct gvm_cmd *c)
{
	return m->private_exclusive && m->bo_private[c->bo] >= 0 &&
	       m->bo_private[c->bo] != (int8_t)c->vm;
}

int gvm_model_predict(const struct gvm_model *m, const struct gvm_cmd *c, bool held)
{
	const struct gvm_model_vm *v = &m->vm[c->vm];
	/* Ids it names, but not the one it creates. */
	bool uses_vm = gvm_cmd_names_vm(c) && c->kind != GVM_CMD_VM;
	bool uses_bo = gvm_cmd_names_bo(c) && c->kind != GVM_CMD_BO;

	uint32_t b;

	if ((uses_vm && !vm_open(m, c->vm)) || (uses_bo && !held && !bo_open(m, c->bo)))
		return -ENOENT;
	for (b = 0; b < m->bo_ids && !held; b++)
		if ((c->objs & (UINT64_C(1) << b)) && !bo_open(m, b))
			return -ENOENT;
	switch (c->kind) {
	case GVM_CMD_VM:
		if (wraps(c->addr, c->range) ||
		    ((c->flags & GVM_F_RESERVE) && wraps(c->reserve_addr, c->reserve_range)))
			return -EINVAL;
		return 0;
	case GVM_CMD_MAP:
		if (!(c->flags & GVM_F_NO_BO) &&
		    (foreign_private(m, c) || gvm_model_mode_conflict(m, c->bo, v->immediate)))
			return -EINVAL;
		/* fall through */
	case GVM_CMD_UNMAP:
	case GVM_CMD_MADVISE:
		return gvm_model_range_valid(v, c->addr, c->range) ? 0 : -EINVAL;
	case GVM_CMD_PREFETCH:
		return !c->range || wraps(c->addr, c->range) ? -EINVAL : 0;
	case GVM_CMD_OBTAIN:
		return foreign_private(m, c) || gvm_model_mode_conflict(m, c->bo, v->immediate) ?
		       -EINVAL : 0;
	case GVM_CMD_PUT:
		return v->held[c->bo] ? 0 : -ENOENT;
	case GVM_CMD_VALIDATE:
		return gvm_model_validate_outcome(m, c);
	case GVM_CMD_LOOKUP:
		return !c->range || wraps(c->addr, c->range) ? -EINVAL : 0;
	case GVM_CMD_LOCK:
		if ((c->flags & GVM_F_LRANGE) && (!c->range || wraps(c->addr, c->range)))
			return -EINVAL;
		return 0;
	default:
		return 0;
	}
}


/* ---- lookups and locking -------------------------------------------------- */

/* The VA a lookup may find at index @i: the mappings, then the kernel node. */
static bool nth_va(const struct gvm_model_vm *v, size_t i, struct gvm_found *f)
{
	if (i < v->n) {
		*f = (struct gvm_found){ .found = true, .va = v->maps[i] };
		f->va.invalidated = false;
		return true;
	}
	if (i == v->n && v->reserve_range) {
		*f = (struct gvm_found){ .found = true, .kernel = true,
					 .va = { v->reserve_addr, v->reserve_range, -1, 0, false } };
		return true;
	}
	return false;
}

/* The lowest VA overlapping [addr, last] (inclusive), none if there is none. */
static struct gvm_found first_in(const struct gvm_model_vm *v, uint64_t addr, uint64_t last)
{
	struct gvm_found best = { .found = false }, f;
	size_t i;

	for (i = 0; nth_va(v, i, &f); i++) {
		uint64_t l = f.va.addr + f.va.range - 1;

		if (f.va.addr <= last && l >= addr && (!best.found || f.va.addr < best.va.addr))
			best = f;
	}
	return best;
}

/* A one-byte probe at @a that drm_gpuvm_range_valid() accepts. */
static bool probe_valid(const struct gvm_model_vm *v, uint64_t a)
{
	return gvm_model_range_valid(v, a, 1);
}

void gvm_model_lookup(const struct gvm_model_vm *v, uint64_t addr, uint64_t range,
		      struct gvm_lookup *out)
{
	uint64_t end = addr + range;
	static const struct gvm_found none;

	out->first = first_in(v, addr, end - 1);
	out->find = out->first.found && out->first.va.addr == addr &&
		    out->first.va.range == range ? out->first : none;
	out->empty = !out->first.found;
	/* The VA covering addr - 1 (end), if that address is a valid one. */
	out->prev = addr && probe_valid(v, addr - 1) ? first_in(v, addr - 1, addr - 1) : none;
	out->next = probe_valid(v, end) ? first_in(v, end, end) : none;
}

/* The reservation object @bo is locked through, as bit V or B of @out. */
static void lock_resv_of(const struct gvm_model *m, uint32_t bo, struct gvm_locked *out)
{
	if (m->bo_private[bo] >= 0)
		out->vms |= UINT64_C(1) << m->bo_private[bo];
	else
		out->bos |= UINT64_C(1) << bo;
}

void gvm_model_locked(const struct gvm_model *m, const struct gvm_cmd *c,
		      struct gvm_locked *out)
{
	const struct gvm_model_vm *v = &m->vm[c->vm];
	uint32_t b;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (c->flags & GVM_F_LRANGE) {
		/* Every object mapped in the range, and nothing else: not the VM. */
		uint64_t end = c->addr + c->range;

		for (i = 0; i < v->n; i++)
			if (v->maps[i].bo >= 0 && v->maps[i].addr < end &&
			    v->maps[i].addr + v->maps[i].range > c->addr)
				lock_resv_of(m, (uint32_t)v->maps[i].bo, out);
	} else {
		/* The VM, its extobj list (a vm_bo per object mapped or held), the array. */
		out->vms = UINT64_C(1) << c->vm;
		for (b = 0; b < m->bo_ids; b++) {
			if ((gvm_model_vm_bo_live(v, b) && m->bo_private[b] != (int8_t)c->vm) ||
			    (c->objs & (UINT64_C(1) << b)))
				lock_resv_of(m, b, out);
		}
	}
	/* The VM's own resv gets P, every other one E. */
	for (b = 0; b < GVM_MAX_ID; b++) {
		int8_t vu = -1, bu = -1;

		if (c->flags & GVM_F_FENCE) {
			vu = (int8_t)(b == c->vm ? gvm_cmd_usage_priv(c) : gvm_cmd_usage_ext(c));
			bu = (int8_t)gvm_cmd_usage_ext(c);
		}
		out->vm_usage[b] = (out->vms & (UINT64_C(1) << b)) ? vu : -1;
		out->bo_usage[b] = (out->bos & (UINT64_C(1) << b)) ? bu : -1;
	}
}

bool gvm_model_bo_alive(const struct gvm_model *m, uint32_t bo)
{
	size_t i;

	if (!m->bo_created[bo])
		return false;
	if (m->bo_handle[bo])
		return true;
	for (i = 0; i < m->vm_ids; i++)
		if (m->vm[i].created &&
		    (gvm_model_vm_bo_live(&m->vm[i], bo) || m->vm[i].zombies[bo]))
			return true;
	return false;
}

bool gvm_model_vm_alive(const struct gvm_model *m, uint32_t vm)
{
	const struct gvm_model_vm *v = &m->vm[vm];
	uint32_t b;

	if (vm >= m->vm_ids || !v->created)
		return false;
	if (v->open || v->n)
		return true;
	for (b = 0; b < m->bo_ids; b++)
		if (gvm_model_vm_bo_live(v, b) || v->zombies[b])
			return true;
	return false;
}
