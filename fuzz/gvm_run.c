// SPDX-License-Identifier: MIT
/* One executor, or several compared in lockstep; see gvm_run.h. */
#include <stdio.h>
#include <stdlib.h>
#include "gvm_diff.h"
#include "gvm_run.h"

struct gvm_run {
	struct gvm_exec_opts o;
	struct gvm_side be[2];	/* the backends; be[1].create NULL: one */
	struct gvm_exec *x;	/* one side, or NULL */
	struct gvm_diff *d;	/* several, or NULL */
	bool started;		/* a command has run */
	char names[2][64];	/* "<backend> callbacks" of the twins */
	char why[512];
	/* The threads' commands and the schedule: they run at the end. */
	struct gvm_script threads;
	struct gvm_sched_record *recs;
	size_t nrecs, caprecs;
	bool oom;
};

/*
 * The sides: each backend, and with @twin each again through the
 * callback path. One side is a plain executor.
 */
static int start(struct gvm_run *r, bool twin)
{
	struct gvm_side sides[GVM_DIFF_MAX_SIDES];
	unsigned int n = 0, i;
	struct gvm_exec_opts o = r->o;

	gvm_exec_destroy(r->x);
	gvm_diff_destroy(r->d);
	r->x = NULL;
	r->d = NULL;
	for (i = 0; i < 2 && r->be[i].create; i++) {
		sides[n++] = r->be[i];
		if (!twin)
			continue;
		snprintf(r->names[i], sizeof(r->names[i]), "%s callbacks", r->be[i].name);
		sides[n] = r->be[i];
		sides[n].flags = GVM_LEAN_CALLBACKS;
		sides[n++].name = r->names[i];
	}
	if (n == 1) {
		o.backend = sides[0].create;
		r->x = gvm_exec_create(&o);
	} else {
		r->d = gvm_diff_create(&o, sides, n);
	}
	return r->x || r->d ? 0 : -1;
}

struct gvm_run *gvm_run_create(const struct gvm_exec_opts *opts,
			       gvm_backend_create_fn *a, const char *an,
			       gvm_backend_create_fn *b, const char *bn)
{
	struct gvm_run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = *opts;
	r->be[0] = (struct gvm_side){ .create = a ? a : gvm_backend_lean_create, .name = an };
	r->be[1] = (struct gvm_side){ .create = b, .name = bn };
	if (start(r, false)) {
		free(r);
		return NULL;
	}
	return r;
}

const char *gvm_run_unsupported(struct gvm_run *r, const struct gvm_cmd *c)
{
	const char *why;

	if (r->d)
		return gvm_diff_unsupported(r->d, c);
	why = gvm_exec_unsupported(r->x, c);
	if (!why)
		return NULL;
	snprintf(r->why, sizeof(r->why), "%s backend: %s", r->be[0].name, why);
	return r->why;
}

size_t gvm_run_adapt(struct gvm_run *r, struct gvm_script *s)
{
	size_t i, n = 0, changes = 0;

	for (i = 0; i < s->n; i++) {
		struct gvm_cmd c = s->cmds[i];

		if (gvm_run_unsupported(r, &c) && c.kind == GVM_CMD_VM) {
			c.flags &= ~(GVM_F_IMMEDIATE | GVM_F_PREALLOC);
			changes++;
		}
		/* A VM is never dropped: later commands name it. */
		if (c.kind != GVM_CMD_VM && gvm_run_unsupported(r, &c)) {
			changes++;
			continue;
		}
		s->cmds[n++] = c;
	}
	s->n = n;
	return changes;
}

int gvm_run_cmd(struct gvm_run *r, const struct gvm_cmd *c)
{
	/*
	 * "twin" is a script's first command (gvm_script_validate()): every
	 * backend gets a twin driven through the callback path, compared
	 * with it as backends are (gvm_diff.h).
	 */
	if (c->kind == GVM_CMD_TWIN && !r->started && start(r, true)) {
		if (r->o.err)
			fprintf(r->o.err, "%s: out of memory for the twins\n",
				r->o.name ? r->o.name : "<script>");
		return 1;
	}
	r->started = true;
	if (c->kind == GVM_CMD_SCHEDULE) {
		if (r->nrecs == r->caprecs) {
			size_t cap = r->caprecs ? 2 * r->caprecs : 16;
			struct gvm_sched_record *recs = realloc(r->recs, cap * sizeof(*recs));

			if (!recs) {
				r->oom = true;
				return 1;
			}
			r->recs = recs;
			r->caprecs = cap;
		}
		r->recs[r->nrecs++] = (c->flags & GVM_F_AT) ?
			(struct gvm_sched_record){ .thread = c->thread, .at = c->at,
						   .op = c->at_op, .nth = (unsigned int)c->offset } :
			(struct gvm_sched_record){ .step = c->offset, .thread = c->thread };
		return 0;
	}
	if (c->thread) {
		if (gvm_script_push(&r->threads, c)) {
			r->oom = true;
			return 1;
		}
		return 0;
	}
	return r->d ? gvm_diff_run(r->d, c) : gvm_exec_run(r->x, c);
}

int gvm_run_finish(struct gvm_run *r)
{
	int ret = 0;

	if (r->oom) {
		if (r->o.err)
			fprintf(r->o.err, "%s: out of memory for the threads\n",
				r->o.name ? r->o.name : "<script>");
		ret = 1;
	} else if (r->threads.n && r->x) {
		/* (gvm_diff_unsupported() keeps threads away from lockstep runs) */
		ret = gvm_exec_run_threads(r->x, r->threads.cmds, r->threads.n, r->recs,
					   r->nrecs);
	}
	return (r->d ? gvm_diff_finish(r->d) : gvm_exec_finish(r->x)) | ret;
}

void gvm_run_destroy(struct gvm_run *r)
{
	if (!r)
		return;
	gvm_diff_destroy(r->d);
	gvm_exec_destroy(r->x);
	gvm_script_free(&r->threads);
	free(r->recs);
	free(r);
}
