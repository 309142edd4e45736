// SPDX-License-Identifier: MIT
/*
 * Differential runs (fuzz/gvm_diff.c, fuzz/gvm_run.c) on lib/ against a
 * doctored lib/: identical backends never differ; a backend that drops an
 * event the executor does not check, or misreports a flag the model does
 * not check, is caught by the comparison alone, at the right command and
 * with the right kind of difference, as is a backend that fails another
 * sm_step than the one asked for; and a script is adapted to what a
 * backend refuses, in lockstep also "inject alloc".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_diff.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_run.h"
#include "test.h"

static const char script[] =
	"vm 0 0x0 0x100000\n"
	"bo 1\n"
	"map 0 0x0 0x4000 1 0x0\n"
	"evict 1 1\n"
	"validate 0\n"
	"unmap 0 0x1000 0x1000\n"
	"close 1\n";

/* ---- doctored backends: lib/ with one thing wrong ---------------------------- */

static struct gvm_sink real_sink;

static void drop_validated(void *ctx, const struct gvm_event *ev)
{
	(void)ctx;
	if (ev->kind != GVM_EV_VALIDATED)
		real_sink.event(real_sink.ctx, ev);
}

static struct gvm_backend *lean_without_validated(const struct gvm_sink *sink,
						  unsigned int flags)
{
	struct gvm_sink mine = { .event = drop_validated };

	real_sink = *sink;
	return gvm_backend_lean_create(&mine, flags);
}

static struct gvm_backend_ops never_extobj_ops;
static int (*lean_snapshot)(struct gvm_backend *be, struct gvm_be_vm *vm,
			    struct gvm_snapshot *out);

/* The extobj flag: the model checks the evicted ones, not this one. */
static int snapshot_never_extobj(struct gvm_backend *be, struct gvm_be_vm *vm,
				 struct gvm_snapshot *out)
{
	int ret = lean_snapshot(be, vm, out);
	size_t i;

	for (i = 0; !ret && i < out->nvm_bos; i++)
		out->vm_bos[i].extobj = false;
	return ret;
}

static struct gvm_backend *lean_never_extobj(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = gvm_backend_lean_create(sink, flags);

	if (be) {
		never_extobj_ops = *be->ops;
		lean_snapshot = be->ops->snapshot;
		never_extobj_ops.snapshot = snapshot_never_extobj;
		be->ops = &never_extobj_ops;
	}
	return be;
}

/* lib/ whose callback path (the twin's) misreports the extobj flag. */
static struct gvm_backend *lean_callbacks_never_extobj(const struct gvm_sink *sink,
						       unsigned int flags)
{
	if (flags & GVM_LEAN_CALLBACKS)
		return lean_never_extobj(sink, flags);
	return gvm_backend_lean_create(sink, flags);
}

static struct gvm_backend_ops no_madvise_ops;

static const char *refuse_madvise(struct gvm_backend *be, const struct gvm_cmd *c)
{
	(void)be;
	if (c->kind == GVM_CMD_MADVISE)
		return "no madvise here";
	if (c->kind == GVM_CMD_VM && (c->flags & GVM_F_IMMEDIATE))
		return "no immediate mode here";
	return NULL;
}

static struct gvm_backend *lean_without_madvise(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = gvm_backend_lean_create(sink, flags);

	if (be) {
		no_madvise_ops = *be->ops;
		no_madvise_ops.unsupported = refuse_madvise;
		be->ops = &no_madvise_ops;
	}
	return be;
}

/* Fails the step after the one asked for, as a GPUVM that skipped a step would. */
static struct gvm_backend_ops late_step_ops;
static void (*lean_fail_step)(struct gvm_backend *be, unsigned int nth);

static void fail_step_late(struct gvm_backend *be, unsigned int nth)
{
	lean_fail_step(be, nth ? nth + 1 : 0);
}

static struct gvm_backend *lean_late_step(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = gvm_backend_lean_create(sink, flags);

	if (be) {
		late_step_ops = *be->ops;
		lean_fail_step = be->ops->fail_step;
		late_step_ops.fail_step = fail_step_late;
		be->ops = &late_step_ops;
	}
	return be;
}

/* ---- running ------------------------------------------------------------------- */

static struct gvm_script parse(const char *text)
{
	struct gvm_script s = { 0 };
	char err[256];

	CHECK_EQ(gvm_parse("t", text, strlen(text), &s, err, sizeof(err)), 0);
	return s;
}

/*
 * Run @text on lib/ against @other; return the status, with the 1-based
 * command that stopped it in *@stop (0: ran through) and stderr in @err.
 */
static int run_diff(const char *text, gvm_backend_create_fn *other, size_t *stop,
		    char *err, size_t len)
{
	struct gvm_script s = parse(text);
	char *buf = NULL;
	size_t blen = 0, i;
	FILE *f = open_memstream(&buf, &blen);
	struct gvm_exec_opts o = { .err = f, .name = "t" };
	const struct gvm_side sides[] = {
		{ .create = gvm_backend_lean_create, .name = "lean" },
		{ .create = other, .name = "other" },
	};
	struct gvm_diff *d = gvm_diff_create(&o, sides, 2);
	int status = 0;

	CHECK(d != NULL);
	*stop = 0;
	for (i = 0; i < s.n && !status; i++) {
		status = gvm_diff_run(d, &s.cmds[i]);
		if (status)
			*stop = i + 1;
	}
	if (!status)
		status = gvm_diff_finish(d);
	gvm_diff_destroy(d);
	fclose(f);
	snprintf(err, len, "%s", buf ? buf : "");
	free(buf);
	gvm_script_free(&s);
	return status;
}

TEST(identical_backends_agree)
{
	char err[4096];
	size_t stop;

	CHECK_EQ(run_diff(script, gvm_backend_lean_create, &stop, err, sizeof(err)), 0);
	CHECK_EQ(stop, 0);
	CHECK_EQ(strlen(err), 0);
}

TEST(a_missing_event_is_a_difference)
{
	char err[4096];
	size_t stop;

	CHECK_EQ(run_diff(script, lean_without_validated, &stop, err, sizeof(err)), 1);
	CHECK_EQ(stop, 5);	/* validate 0 */
	CHECK(strstr(err, "DIFF: t:5: validate 0: lean and other differ in events") != NULL);
	CHECK(strstr(err, "DIFF:     validated bo1") != NULL);
	CHECK(strstr(err, "DIFF:   other printed nothing") != NULL);
	CHECK(strstr(err, "BUG:") == NULL);
}

TEST(a_wrong_flag_is_a_difference)
{
	char err[4096];
	size_t stop;

	CHECK_EQ(run_diff(script, lean_never_extobj, &stop, err, sizeof(err)), 1);
	CHECK_EQ(stop, 3);	/* map 0 0x0 0x4000 1 0x0 */
	CHECK(strstr(err, "DIFF: t:3: map 0 0x0 0x4000 1 0x0: lean and other differ in the state of vm0: a vm_bo") != NULL);
	CHECK(strstr(err, "BUG:") == NULL);
}

TEST(unsupported_commands_are_named_and_adapted)
{
	static const char text[] =
		"vm 0 0x0 0x100000 immediate\n"
		"madvise 0 0x0 0x1000\n"
		"bo 1\n"
		"map 0 0x0 0x1000 1 0x0\n"
		"madvise 0 0x0 0x1000\n";
	struct gvm_exec_opts o = { .name = "t" };
	struct gvm_run *r = gvm_run_create(&o, gvm_backend_lean_create, "lean",
					   lean_without_madvise, "other");
	struct gvm_script s = parse(text);
	const char *why;
	size_t i;

	CHECK(r != NULL);
	why = gvm_run_unsupported(r, &s.cmds[1]);
	CHECK(why && !strcmp(why, "other backend: no madvise here"));
	CHECK(gvm_run_unsupported(r, &s.cmds[2]) == NULL);
	/* The VM turns staged, both madvise go: 3 changes, 3 commands left. */
	CHECK_EQ(gvm_run_adapt(r, &s), 3);
	CHECK_EQ(s.n, 3);
	CHECK_EQ(s.cmds[0].kind, GVM_CMD_VM);
	CHECK_EQ(s.cmds[0].flags & GVM_F_IMMEDIATE, 0);
	for (i = 0; i < s.n; i++) {
		CHECK(gvm_run_unsupported(r, &s.cmds[i]) == NULL);
		CHECK_EQ(gvm_run_cmd(r, &s.cmds[i]), 0);
	}
	CHECK_EQ(gvm_run_finish(r), 0);
	gvm_run_destroy(r);
	gvm_script_free(&s);
}

/* Two VAs, then a bind whose three steps are remap, remap, map. */
static const char step_script[] =
	"vm 0 0x0 0x100000\n"
	"bo 1\n"
	"bo 2\n"
	"map 0 0x0 0x4000 1 0x0\n"
	"map 0 0x4000 0x4000 2 0x0\n"
	"inject step 2\n"
	"map 0 0x2000 0x4000 2 0x10000\n"
	"inject step 1\n"
	"unmap 0 0x0 0x8000\n"
	"map 0 0x2000 0x4000 2 0x10000\n";

TEST(failed_steps_compare)
{
	char err[4096];
	size_t stop;

	CHECK_EQ(run_diff(step_script, gvm_backend_lean_create, &stop, err, sizeof(err)), 0);
	CHECK_EQ(stop, 0);
	CHECK_EQ(strlen(err), 0);
}

TEST(a_different_failed_step_is_a_finding)
{
	char err[4096];
	size_t stop;

	/*
	 * lean stops after one remap, other after two: both EIO, unchanged.
	 * The other side's own shape check sees its step fail late.
	 */
	CHECK_EQ(run_diff(step_script, lean_late_step, &stop, err, sizeof(err)), 1);
	CHECK_EQ(stop, 7);
	CHECK(strstr(err, "BUG: t [other]:7: shape: inject step 2 failed after 2 ops, "
		      "the walk has 3 steps") != NULL);
}

TEST(inject_alloc_is_refused_in_lockstep)
{
	static const char text[] =
		"vm 0 0x0 0x100000\n"
		"bo 1\n"
		"inject alloc 1\n"
		"map 0 0x0 0x4000 1 0x0\n"
		"inject alloc 2\n"
		"inject step 1\n"
		"unmap 0 0x1000 0x1000\n";
	struct gvm_exec_opts o = { .name = "t" };
	struct gvm_run *r = gvm_run_create(&o, gvm_backend_lean_create, "lean",
					   gvm_backend_lean_create, "other");
	struct gvm_run *alone = gvm_run_create(&o, gvm_backend_lean_create, "lean", NULL, NULL);
	struct gvm_script s = parse(text);
	const char *why;
	size_t i;

	CHECK(r != NULL && alone != NULL);
	why = gvm_run_unsupported(r, &s.cmds[2]);
	CHECK(why && strstr(why, "lean and other backends in lockstep: inject alloc cannot be compared"));
	CHECK(gvm_run_unsupported(r, &s.cmds[5]) == NULL);	/* inject step */
	/* One backend alone has nothing to compare: it runs inject alloc. */
	CHECK(gvm_run_unsupported(alone, &s.cmds[2]) == NULL);
	gvm_run_destroy(alone);

	/* Both inject alloc go, the rest stays in order. */
	CHECK_EQ(gvm_run_adapt(r, &s), 2);
	CHECK_EQ(s.n, 5);
	CHECK_EQ(s.cmds[2].kind, GVM_CMD_MAP);
	CHECK_EQ(s.cmds[3].kind, GVM_CMD_INJECT);
	CHECK_EQ(s.cmds[3].flags & GVM_F_STEP, GVM_F_STEP);
	CHECK_EQ(s.cmds[4].kind, GVM_CMD_UNMAP);
	for (i = 0; i < s.n; i++)
		CHECK_EQ(gvm_run_cmd(r, &s.cmds[i]), 0);
	CHECK_EQ(gvm_run_finish(r), 0);
	gvm_run_destroy(r);
	gvm_script_free(&s);
}

/* Runs @text through gvm_run on @create alone; the status, messages in @err. */
static int run_alone(const char *text, gvm_backend_create_fn *create, bool at_end,
		     char *err, size_t len)
{
	struct gvm_script s = parse(text);
	char *buf = NULL;
	size_t blen = 0, i;
	FILE *f = open_memstream(&buf, &blen);
	struct gvm_exec_opts o = { .err = f, .name = "t", .state_at_end = at_end };
	struct gvm_run *r = gvm_run_create(&o, create, "lean", NULL, NULL);
	int status = 0;

	CHECK(r != NULL);
	for (i = 0; i < s.n && !status; i++)
		status = gvm_run_cmd(r, &s.cmds[i]);
	if (!status)
		status = gvm_run_finish(r);
	gvm_run_destroy(r);
	fclose(f);
	snprintf(err, len, "%s", buf ? buf : "");
	free(buf);
	gvm_script_free(&s);
	return status;
}

static const char twin_script[] =
	"twin\n"
	"vm 0 0x0 0x100000\n"
	"bo 1\n"
	"map 0 0x0 0x4000 1 0x0\n"
	"unmap 0 0x1000 0x1000\n";

/* "twin" compares the op-list path with the callback path as backends are. */
TEST(the_twin_is_compared)
{
	char err[4096];

	CHECK_EQ(run_alone(twin_script, gvm_backend_lean_create, false, err, sizeof(err)), 0);
	CHECK_EQ(strlen(err), 0);
	/* Without "twin" the callback path never runs: nothing to see. */
	CHECK_EQ(run_alone(twin_script + strlen("twin\n"), lean_callbacks_never_extobj, false,
			   err, sizeof(err)), 0);
	CHECK_EQ(run_alone(twin_script, lean_callbacks_never_extobj, false, err, sizeof(err)), 1);
	CHECK(strstr(err, "DIFF: t:4: map 0 0x0 0x4000 1 0x0: lean and lean callbacks differ in "
		      "the state of vm0: a vm_bo") != NULL);
	CHECK(strstr(err, "BUG:") == NULL);
	/* Checking the state at the end only: found there. */
	CHECK_EQ(run_alone(twin_script, lean_callbacks_never_extobj, true, err, sizeof(err)), 1);
	CHECK(strstr(err, "DIFF: t: at the end: lean and lean callbacks differ in "
		      "the state of vm0: a vm_bo") != NULL);
}

TEST_MAIN(identical_backends_agree, a_missing_event_is_a_difference,
	  a_wrong_flag_is_a_difference, unsupported_commands_are_named_and_adapted,
	  failed_steps_compare, a_different_failed_step_is_a_finding,
	  inject_alloc_is_refused_in_lockstep, the_twin_is_compared)
