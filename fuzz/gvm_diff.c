// SPDX-License-Identifier: MIT
/* Runs that compare executors in lockstep; see gvm_diff.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_diff.h"

struct gvm_diff {
	struct gvm_exec_opts o;
	unsigned int n;
	struct gvm_exec *x[GVM_DIFF_MAX_SIDES];
	const char *name[GVM_DIFF_MAX_SIDES];
	char label[GVM_DIFF_MAX_SIDES][512];
	char why[512];
};

struct gvm_diff *gvm_diff_create(const struct gvm_exec_opts *opts,
				 const struct gvm_side *sides, unsigned int n)
{
	struct gvm_diff *d;
	unsigned int i;

	if (n < 2 || n > GVM_DIFF_MAX_SIDES)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->o = *opts;
	d->n = n;
	for (i = 0; i < n; i++) {
		struct gvm_exec_opts o = *opts;

		/* BUG: lines name the side they come from. */
		snprintf(d->label[i], sizeof(d->label[i]), "%s [%s]",
			 opts->name ? opts->name : "<script>", sides[i].name);
		d->name[i] = sides[i].name;
		/* The first side prints the run's output; they all print the same. */
		if (i)
			o.out = NULL;
		o.name = d->label[i];
		o.backend = sides[i].create;
		o.backend_flags = sides[i].flags;
		d->x[i] = gvm_exec_create(&o);
		if (!d->x[i]) {
			gvm_diff_destroy(d);
			return NULL;
		}
	}
	return d;
}

const char *gvm_diff_unsupported(struct gvm_diff *d, const struct gvm_cmd *c)
{
	unsigned int i;

	/*
	 * The sides allocate differently, so the Nth allocation is not the
	 * same one on each and failing it need not fail the same way. A
	 * failed step compares: each must produce the same ops.
	 */
	if (c->kind == GVM_CMD_INJECT && !(c->flags & GVM_F_STEP)) {
		snprintf(d->why, sizeof(d->why),
			 "%s and %s backends in lockstep: inject alloc cannot be compared:"
			 " the two allocate differently, so the Nth allocation is not the"
			 " same one on both (inject step can be)",
			 d->name[0], d->name[1]);
		return d->why;
	}
	/* Decisions count one backend's switch points; each has its own. */
	if (c->thread || c->kind == GVM_CMD_SCHEDULE) {
		snprintf(d->why, sizeof(d->why),
			 "%s and %s backends in lockstep: threads cannot be compared: a"
			 " schedule's decisions are one backend's switch points (run"
			 " threads on one backend at a time)", d->name[0], d->name[1]);
		return d->why;
	}
	for (i = 0; i < d->n; i++) {
		const char *why = gvm_exec_unsupported(d->x[i], c);

		if (why) {
			snprintf(d->why, sizeof(d->why), "%s backend: %s", d->name[i], why);
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

/* Where VM @vm differs between the first side and side @k, or NULL. */
static const char *state_diff(struct gvm_diff *d, unsigned int k, uint32_t vm)
{
	struct gvm_snapshot a, b;
	int ra = gvm_exec_snapshot(d->x[0], vm, &a);
	int rb = gvm_exec_snapshot(d->x[k], vm, &b);
	size_t i;

	if (ra || rb)
		return ra == rb ? NULL : "VM open on one side only";
	if (a.nvas != b.nvas)
		return "number of VAs";
	for (i = 0; i < a.nvas; i++)
		if (!same_map(&a.vas[i], &b.vas[i]) || a.vas[i].invalidated != b.vas[i].invalidated)
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

/* What side @k's last command printed, each line as "DIFF:     line". */
static void print_side(struct gvm_diff *d, unsigned int k)
{
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	gvm_exec_print_last(d->x[k], f);
	fclose(f);
	fprintf(d->o.err, "DIFF:   %s printed%s\n", d->name[k], len ? ":" : " nothing");
	for (p = buf; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		fprintf(d->o.err, "DIFF:     %.*s\n", (int)(nl - p), p);
	}
	free(buf);
}

/* @c NULL: at the end of the script. */
static void diff_header(struct gvm_diff *d, unsigned int k, const struct gvm_cmd *c,
			const char *what)
{
	const char *name = d->o.name ? d->o.name : "<script>";
	char text[GVM_MAX_LINE];

	if (!c) {
		fprintf(d->o.err, "DIFF: %s: at the end: %s and %s differ in %s\n", name,
			d->name[0], d->name[k], what);
		return;
	}
	if (gvm_cmd_format(c, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "%s", gvm_kind_name(c->kind));
	fprintf(d->o.err, "DIFF: %s:%u: %s: %s and %s differ in %s\n", name, c->line, text,
		d->name[0], d->name[k], what);
}

/* Every side's state against the first's; 1 at the first difference. */
static int compare_states(struct gvm_diff *d, const struct gvm_cmd *c)
{
	const char *what;
	unsigned int k;
	uint32_t vm;

	for (k = 1; k < d->n; k++) {
		for (vm = 0; vm < GVM_MAX_ID; vm++) {
			what = state_diff(d, k, vm);
			if (what) {
				char buf[128];

				snprintf(buf, sizeof(buf), "the state of vm%u: %s", vm, what);
				if (d->o.err)
					diff_header(d, k, c, buf);
				return 1;
			}
		}
	}
	return 0;
}

int gvm_diff_run(struct gvm_diff *d, const struct gvm_cmd *c)
{
	unsigned int k;
	int status = 0;

	for (k = 0; k < d->n; k++)
		status |= gvm_exec_run(d->x[k], c);
	if (status)
		return 1;
	for (k = 1; k < d->n; k++) {
		if (gvm_exec_same_last(d->x[0], d->x[k]))
			continue;
		if (d->o.err) {
			diff_header(d, k, c, "events");
			print_side(d, 0);
			print_side(d, k);
		}
		return 1;
	}
	if (d->o.state_at_end && c->kind != GVM_CMD_DUMP)
		return 0;
	return compare_states(d, c);
}

int gvm_diff_finish(struct gvm_diff *d)
{
	int status = compare_states(d, NULL);
	unsigned int k;

	/* All first: the backends may share an allocator. */
	for (k = 0; k < d->n; k++)
		gvm_exec_release(d->x[k]);
	for (k = 0; k < d->n; k++)
		status |= gvm_exec_finish(d->x[k]);
	return status;
}

void gvm_diff_destroy(struct gvm_diff *d)
{
	unsigned int k;

	if (!d)
		return;
	for (k = 0; k < d->n; k++)
		gvm_exec_destroy(d->x[k]);
	free(d);
}
