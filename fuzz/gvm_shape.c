// SPDX-License-Identifier: MIT
/*
 * Op sequences predicted from the model; see gvm_shape.h. Written from the
 * walk tables of docs/semantics.md (section 3), independently of
 * lib/drm_gpuvm_sm.c: where the two disagree, the executor reports a
 * "shape" finding.
 */
#include "gvm_shape.h"

/* The prediction being written. */
struct seq {
	struct gvm_event *out;
	size_t n, max;
	bool full;
};

static void add(struct seq *s, const struct gvm_event *ev)
{
	if (s->n < s->max)
		s->out[s->n++] = *ev;
	else
		s->full = true;
}

static void add_map(struct seq *s, uint64_t addr, uint64_t range, int32_t bo, uint64_t offset)
{
	struct gvm_event ev = { .kind = GVM_EV_OP_MAP,
				.a = { .addr = addr, .range = range, .bo = bo, .offset = offset } };

	add(s, &ev);
}

static void add_unmap(struct seq *s, const struct gvm_map *va, bool keep)
{
	struct gvm_event ev = { .kind = GVM_EV_OP_UNMAP, .a = *va, .keep = keep };

	add(s, &ev);
}

/* REMAP of @va around [ra, re): the parts that stick out (docs/semantics.md 3.6). */
static void add_remap(struct seq *s, const struct gvm_map *va, uint64_t ra, uint64_t re,
		      bool keep)
{
	uint64_t e = va->addr + va->range;
	struct gvm_event ev = { .kind = GVM_EV_OP_REMAP, .a = *va, .keep = keep };

	if (va->addr < ra) {
		ev.has_prev = true;
		ev.prev = (struct gvm_map){ .addr = va->addr, .range = ra - va->addr,
					    .bo = va->bo, .offset = va->offset };
	}
	if (e > re) {
		ev.has_next = true;
		ev.next = (struct gvm_map){ .addr = re, .range = e - re, .bo = va->bo,
					    .offset = va->offset + (re - va->addr) };
	}
	add(s, &ev);
}

/* Index of the first mapping of @v that ends after @addr. */
static size_t first_overlap(const struct gvm_model_vm *v, uint64_t addr)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->maps[mid].addr + v->maps[mid].range <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * sm_map (3.2): each overlapping VA in turn is unmapped or remapped, keep
 * telling whether it maps its overlap exactly as the request does; the
 * walk ends at the VA reaching re or beyond; then the MAP.
 */
static void predict_map(struct seq *s, const struct gvm_model_vm *v, uint64_t ra, uint64_t re,
			int32_t bo, uint64_t ro)
{
	size_t i;

	for (i = first_overlap(v, ra); i < v->n && v->maps[i].addr < re; i++) {
		const struct gvm_map *va = &v->maps[i];
		uint64_t e = va->addr + va->range;
		/* Where the request would put va->addr: ro + (a - ra), wrapping. */
		bool keep = va->bo >= 0 && va->bo == bo && va->offset - ro == va->addr - ra;

		if (va->addr < ra || e > re)
			add_remap(s, va, ra, re, keep);
		else
			add_unmap(s, va, keep);
		if (e >= re)
			break;
	}
	add_map(s, ra, re - ra, bo, ro);
}

/* sm_unmap (3.4): every overlapping VA, never kept. */
static void predict_unmap(struct seq *s, const struct gvm_model_vm *v, uint64_t ra, uint64_t re)
{
	size_t i;

	for (i = first_overlap(v, ra); i < v->n && v->maps[i].addr < re; i++) {
		const struct gvm_map *va = &v->maps[i];

		if (va->addr < ra || va->addr + va->range > re)
			add_remap(s, va, ra, re, false);
		else
			add_unmap(s, va, false);
	}
}

/*
 * madvise (3.5): only VAs without object take part; no UNMAPs; a VA split
 * at ra gets a MAP of its inside part at once if it ends before re, a VA
 * split at re one of its inside part and ends the walk; a walk that stops
 * at a split VA otherwise ends with the request's MAP.
 */
static void predict_madvise(struct seq *s, const struct gvm_model_vm *v, uint64_t ra,
			    uint64_t re)
{
	size_t i;

	for (i = first_overlap(v, ra); i < v->n && v->maps[i].addr < re; i++) {
		const struct gvm_map *va = &v->maps[i];
		uint64_t a = va->addr, e = a + va->range;

		if (va->bo >= 0)
			continue;
		if (a > ra && e > re) {
			add_remap(s, va, ra, re, false);
			add_map(s, a, re - a, -1, 0);
			return;
		}
		if (a < ra && e < re) {
			add_remap(s, va, ra, re, false);
			add_map(s, ra, e - ra, -1, 0);
			continue;
		}
		if (e < re)
			continue;
		/* The walk stops here; it MAPs the request if it split this VA. */
		if (a < ra || e > re) {
			add_remap(s, va, ra, re, false);
			add_map(s, ra, re - ra, -1, 0);
		}
		return;
	}
}

static void add_prefetch(struct seq *s, const struct gvm_map *va)
{
	struct gvm_event ev = { .kind = GVM_EV_OP_PREFETCH, .a = *va };

	add(s, &ev);
}

/* prefetch_ops_create: every VA overlapping, the kernel node included. */
static void predict_prefetch(struct seq *s, const struct gvm_model_vm *v, uint64_t ra,
			     uint64_t re)
{
	const struct gvm_map node = { .addr = v->reserve_addr, .range = v->reserve_range,
				      .bo = -1 };
	bool node_due = node.range && node.addr < re && node.addr + node.range > ra;
	size_t i;

	for (i = first_overlap(v, ra); i < v->n && v->maps[i].addr < re; i++) {
		if (node_due && node.addr < v->maps[i].addr) {
			add_prefetch(s, &node);
			node_due = false;
		}
		add_prefetch(s, &v->maps[i]);
	}
	if (node_due)
		add_prefetch(s, &node);
}

ssize_t gvm_shape_predict(const struct gvm_model_vm *v, const struct gvm_cmd *c,
			  struct gvm_event *out, size_t max)
{
	struct seq s = { .out = out, .max = max };
	uint64_t ra = c->addr, re = c->addr + c->range;

	switch (c->kind) {
	case GVM_CMD_MAP:
		predict_map(&s, v, ra, re, c->flags & GVM_F_NO_BO ? -1 : (int32_t)c->bo,
			    c->offset);
		break;
	case GVM_CMD_UNMAP:
		predict_unmap(&s, v, ra, re);
		break;
	case GVM_CMD_MADVISE:
		predict_madvise(&s, v, ra, re);
		break;
	case GVM_CMD_PREFETCH:
		predict_prefetch(&s, v, ra, re);
		break;
	default:
		return -1;
	}
	return s.full ? -1 : (ssize_t)s.n;
}
