// SPDX-License-Identifier: MIT
/* One executor or a differential pair; see gvm_run.h. */
#include <stdio.h>
#include <stdlib.h>
#include "gvm_diff.h"
#include "gvm_run.h"

struct gvm_run {
	struct gvm_exec *x;	/* alone, or NULL */
	struct gvm_diff *d;	/* lockstep, or NULL */
	const char *name;
	char why[512];
};

struct gvm_run *gvm_run_create(const struct gvm_exec_opts *opts,
			       gvm_backend_create_fn *a, const char *an,
			       gvm_backend_create_fn *b, const char *bn)
{
	struct gvm_run *r = calloc(1, sizeof(*r));
	struct gvm_exec_opts o = *opts;

	if (!r)
		return NULL;
	r->name = an;
	if (!a)
		a = gvm_backend_lean_create;
	if (b) {
		r->d = gvm_diff_create(opts, a, an, b, bn);
	} else {
		o.backend = a;
		r->x = gvm_exec_create(&o);
	}
	if (!r->x && !r->d) {
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
	snprintf(r->why, sizeof(r->why), "%s backend: %s", r->name, why);
	return r->why;
}

size_t gvm_run_adapt(struct gvm_run *r, struct gvm_script *s)
{
	size_t i, n = 0, changes = 0;

	for (i = 0; i < s->n; i++) {
		struct gvm_cmd c = s->cmds[i];

		if (gvm_run_unsupported(r, &c) && c.kind == GVM_CMD_VM) {
			c.flags &= ~GVM_F_IMMEDIATE;
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
	return r->d ? gvm_diff_run(r->d, c) : gvm_exec_run(r->x, c);
}

int gvm_run_finish(struct gvm_run *r)
{
	return r->d ? gvm_diff_finish(r->d) : gvm_exec_finish(r->x);
}

void gvm_run_destroy(struct gvm_run *r)
{
	if (!r)
		return;
	if (r->d)
		gvm_diff_destroy(r->d);
	else
		gvm_exec_destroy(r->x);
	free(r);
}
