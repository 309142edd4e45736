// SPDX-License-Identifier: MIT
/* The reference model; see gvm_model.h. Plain C, no lib/ code. */
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
	return v->held[bo] || gvm_model_vas(v, bo);
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
			push(v, (struct gvm_map){ m.addr, addr - m.addr, m.bo, m.offset });
		if (madvise) {
			/* A split piece inside the request gets the request's offset 0. */
			uint64_t a = m.addr < addr ? addr : m.addr;
			uint64_t b = e > end ? end : e;
			bool split = m.addr < addr || e > end;

			push(v, (struct gvm_map){ a, b - a, -1, split ? 0 : m.offset });
		}
		if (e > end)
			push(v, (struct gvm_map){ end, e - end, m.bo, m.offset + (end - m.addr) });
	}
}

/* Note every (V, B) vm_bo that died: immediate VMs keep it as a zombie. */
static void note_deaths(struct gvm_model_vm *v, const bool *before, uint32_t bo_ids)
{
	uint32_t b;

	for (b = 0; b < bo_ids; b++)
		if (v->immediate && before[b] && !gvm_model_vm_bo_live(v, b))
			v->zombies[b]++;
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
		v->start = c->addr;
		v->range = c->range;
		if (c->flags & GVM_F_RESERVE) {
			v->reserve_addr = c->reserve_addr;
			v->reserve_range = c->reserve_range;
		}
		return;
	case GVM_CMD_BO:
		m->bo_created[c->bo] = m->bo_handle[c->bo] = true;
		if (c->bo >= m->bo_ids)
			m->bo_ids = c->bo + 1;
		return;
	case GVM_CMD_MAP:
		carve(v, c->addr, c->addr + c->range, false);
		insert(v, (struct gvm_map){ c->addr, c->range,
					    c->flags & GVM_F_NO_BO ? -1 : (int32_t)c->bo,
					    c->offset });
		break;
	case GVM_CMD_UNMAP:
		carve(v, c->addr, c->addr + c->range, false);
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
	case GVM_CMD_CLEANUP:
		memset(v->zombies, 0, sizeof(v->zombies));
		return;
	case GVM_CMD_DESTROY:
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
