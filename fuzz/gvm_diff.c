// SPDX-License-Identifier: MIT
/* Differential runs on two backends; see gvm_diff.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_diff.h"

/* One side: an executor printing into memory. */
struct side {
	const char *name;
	struct gvm_exec *x;
	FILE *out;
	char *buf;
	size_t len;
	size_t seen;		/* bytes of buf already compared */
};

struct gvm_diff {
	struct gvm_exec_opts o;
	struct side s[2];
	char label[2][512];
	char why[512];
};

static int side_init(struct side *s, const struct gvm_exec_opts *opts,
		     gvm_backend_create_fn *create, const char *name, char *label,
		     size_t label_len)
{
	struct gvm_exec_opts o = *opts;

	s->name = name;
	s->out = open_memstream(&s->buf, &s->len);
	if (!s->out)
		return -1;
	/* BUG: lines name the side they come from. */
	snprintf(label, label_len, "%s [%s]", opts->name ? opts->name : "<script>", name);
	o.out = s->out;
	o.name = label;
	o.backend = create;
	s->x = gvm_exec_create(&o);
	return s->x ? 0 : -1;
}

static void side_fini(struct side *s)
{
	gvm_exec_destroy(s->x);
	if (s->out)
		fclose(s->out);
	free(s->buf);
}

struct gvm_diff *gvm_diff_create(const struct gvm_exec_opts *opts,
				 gvm_backend_create_fn *a, const char *an,
				 gvm_backend_create_fn *b, const char *bn)
{
	struct gvm_diff *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->o = *opts;
	if (side_init(&d->s[0], opts, a, an, d->label[0], sizeof(d->label[0])) ||
	    side_init(&d->s[1], opts, b, bn, d->label[1], sizeof(d->label[1]))) {
		gvm_diff_destroy(d);
		return NULL;
	}
	return d;
}

const char *gvm_diff_unsupported(struct gvm_diff *d, const struct gvm_cmd *c)
{
	int i;

	/*
	 * The two GPUVMs allocate differently, so the Nth allocation is not
	 * the same one on both and failing it need not fail the same way.
	 * A failed step compares: both must produce the same ops.
	 */
	if (c->kind == GVM_CMD_INJECT && !(c->flags & GVM_F_STEP)) {
		snprintf(d->why, sizeof(d->why),
			 "%s and %s backends in lockstep: inject alloc cannot be compared:"
			 " the two allocate differently, so the Nth allocation is not the"
			 " same one on both (inject step can be)",
			 d->s[0].name, d->s[1].name);
		return d->why;
	}
	for (i = 0; i < 2; i++) {
		const char *why = gvm_exec_unsupported(d->s[i].x, c);

		if (why) {
			snprintf(d->why, sizeof(d->why), "%s backend: %s", d->s[i].name, why);
			return d->why;
		}
	}
	return NULL;
}

static bool same_map(const struct gvm_map *a, const struct gvm_map *b)
{
	return a->addr == b->addr && a->range == b->range && a->bo == b->bo &&
	       a->offset == b->offset;
}

static bool same_vm_bo(const struct gvm_vm_bo_state *a, const struct gvm_vm_bo_state *b)
{
	return a->bo == b->bo && a->refs == b->refs && a->vas == b->vas &&
	       a->extobj == b->extobj && a->evict == b->evict && a->evicted == b->evicted;
}

/* Where VM @vm differs between the sides, or NULL. */
static const char *state_diff(struct gvm_diff *d, uint32_t vm)
{
	struct gvm_snapshot a, b;
	int ra = gvm_exec_snapshot(d->s[0].x, vm, &a);
	int rb = gvm_exec_snapshot(d->s[1].x, vm, &b);
	size_t i;

	if (ra || rb)
		return ra == rb ? NULL : "VM open on one side only";
	if (a.nvas != b.nvas)
		return "number of VAs";
	for (i = 0; i < a.nvas; i++)
		if (!same_map(&a.vas[i], &b.vas[i]))
			return "a VA";
	if (a.nvm_bos != b.nvm_bos)
		return "number of vm_bos";
	for (i = 0; i < a.nvm_bos; i++)
		if (!same_vm_bo(&a.vm_bos[i], &b.vm_bos[i]))
			return "a vm_bo (object, refs, VAs, extobj, evict or evicted)";
	if (a.nzombies != b.nzombies ||
	    (a.nzombies && memcmp(a.zombies, b.zombies, a.nzombies * sizeof(*a.zombies))))
		return "zombies";
	return NULL;
}

/* This command's new output of side @i, as a string (in its buffer). */
static const char *chunk(struct side *s, size_t *n)
{
	fflush(s->out);
	*n = s->len - s->seen;
	return s->buf + s->seen;
}

static void print_chunk(FILE *f, const char *name, const char *p, size_t n)
{
	fprintf(f, "DIFF:   %s printed%s\n", name, n ? ":" : " nothing");
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t l = nl ? (size_t)(nl - p) + 1 : n;

		fprintf(f, "DIFF:     %.*s%s", (int)l, p, nl ? "" : "\n");
		p += l;
		n -= l;
	}
}

static void diff_header(struct gvm_diff *d, const struct gvm_cmd *c, const char *what)
{
	char text[GVM_MAX_LINE];

	if (!d->o.err)
		return;
	if (gvm_cmd_format(c, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "%s", gvm_kind_name(c->kind));
	fprintf(d->o.err, "DIFF: %s:%u: %s: %s and %s differ in %s\n",
		d->o.name ? d->o.name : "<script>", c->line, text, d->s[0].name,
		d->s[1].name, what);
}

int gvm_diff_run(struct gvm_diff *d, const struct gvm_cmd *c)
{
	const char *pa, *pb, *what;
	size_t na, nb;
	uint32_t vm;
	int status;

	status = gvm_exec_run(d->s[0].x, c) | gvm_exec_run(d->s[1].x, c);
	pa = chunk(&d->s[0], &na);
	pb = chunk(&d->s[1], &nb);
	if (d->o.out)
		fwrite(pa, 1, na, d->o.out);
	if (status)
		return 1;
	if (na != nb || memcmp(pa, pb, na)) {
		diff_header(d, c, "events");
		if (d->o.err) {
			print_chunk(d->o.err, d->s[0].name, pa, na);
			print_chunk(d->o.err, d->s[1].name, pb, nb);
		}
		return 1;
	}
	d->s[0].seen = d->s[0].len;
	d->s[1].seen = d->s[1].len;
	for (vm = 0; vm < GVM_MAX_ID; vm++) {
		what = state_diff(d, vm);
		if (what) {
			char buf[128];

			snprintf(buf, sizeof(buf), "the state of vm%u: %s", vm, what);
			diff_header(d, c, buf);
			return 1;
		}
	}
	return 0;
}

int gvm_diff_finish(struct gvm_diff *d)
{
	/* Both first: the two backends may share an allocator. */
	gvm_exec_release(d->s[0].x);
	gvm_exec_release(d->s[1].x);
	return gvm_exec_finish(d->s[0].x) | gvm_exec_finish(d->s[1].x);
}

void gvm_diff_destroy(struct gvm_diff *d)
{
	if (!d)
		return;
	side_fini(&d->s[0]);
	side_fini(&d->s[1]);
	free(d);
}
