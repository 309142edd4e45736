// SPDX-License-Identifier: MIT
/*
 * The executor and driver model: a WARN or a leaked library allocation is
 * a finding; an allocation failure in any command leaves every VM, vm_bo
 * and refcount as it was (the executor's checks and model would report
 * otherwise), so the script can go on and end clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include "fuzz/gvm_exec.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_run.h"
#include "test.h"

/* Exercises every command in both modes, with sharing and zombies. */
static const char script[] =
	"vm 0 0x0 0x100000 reserve 0x80000 0x1000\n"
	"vm 1 0x0 0x100000 immediate resv_protected\n"
	"vm 2 0x0 0x100000 resv_protected\n"
	"bo 1\n"
	"bo 2 private 0\n"
	"bo 3\n"
	"map 0 0x0 0x4000 1 0x0\n"
	"map 0 0x1000 0x1000 2 0x0\n"
	"map 2 0x0 0x2000 1 0x1000\n"
	"map 1 0x0 0x3000 3 0x0\n"
	"map 1 0x1000 0x1000 - 0x0\n"
	"map 0 0x10000 0x4000 - 0x0\n"
	"madvise 0 0x11000 0x2000\n"
	"prefetch 0 0x0 0x100000\n"
	"obtain 2 2\n"
	"obtain 1 3\n"
	"evict 1 1\n"
	"evict 2 1\n"
	"validate 0\n"
	"validate 2\n"
	"unmap 0 0x800 0x2000\n"
	"bo_unmap 2 1\n"
	"unmap 1 0x0 0x2000\n"
	"put 1 3\n"
	"dump 1\n"
	"cleanup 1\n"
	"close 1\n"
	"put 2 2\n"
	"bo_unmap 1 3\n"
	"destroy 2\n"
	"dump 0\n";

static struct gvm_script parse(void)
{
	struct gvm_script s = { 0 };
	char err[256];

	CHECK_EQ(gvm_parse("t", script, sizeof(script) - 1, &s, err, sizeof(err)), 0);
	return s;
}

/*
 * Run the whole script with @inject ("inject alloc|step N") just before
 * command @at; *@fired tells whether it reached its target: the Nth
 * allocation was made (and failed), or the Nth step was called (EIO).
 */
static int run(const struct gvm_script *s, size_t at, const struct gvm_cmd *inject,
	       bool *fired)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct gvm_exec_opts o = { .out = out, .err = stderr, .name = "t" };
	struct gvm_exec *x;
	int ret = 0;
	size_t i;

	CHECK(out != NULL);
	if (!out)
		return -1;
	x = gvm_exec_create(&o);
	for (i = 0; i < s->n && !ret; i++) {
		uint64_t failed = kcompat_alloc_stats().failed;
		size_t before;

		if (i == at)
			ret = gvm_exec_run(x, inject);
		fflush(out);
		before = len;
		ret = ret ? ret : gvm_exec_run(x, &s->cmds[i]);
		fflush(out);
		if (i != at)
			continue;
		if (inject->flags & GVM_F_STEP)
			*fired = strstr(text + before, "error EIO") != NULL;
		else
			*fired = kcompat_alloc_stats().failed != failed;
	}
	if (!ret)
		ret = gvm_exec_finish(x);
	gvm_exec_destroy(x);
	fclose(out);
	free(text);
	return ret;
}

TEST(script_runs_clean)
{
	struct gvm_script s = parse();
	struct gvm_cmd none = { .kind = GVM_CMD_DUMP };
	bool fired = false;

	CHECK_EQ(run(&s, (size_t)-1, &none, &fired), 0);
	gvm_script_free(&s);
}

/*
 * Fail the 1st, 2nd, ... allocation (or sm_step callback, per @flags) of
 * every command in turn, until the command runs without reaching the
 * injected failure: each run must end clean, with no finding. Returns
 * the runs in which the failure fired.
 */
static unsigned int fail_each(uint32_t flags, const char *what)
{
	struct gvm_script s = parse();
	unsigned int fired_runs = 0;
	size_t i;

	for (i = 0; i < s.n; i++) {
		struct gvm_cmd inject = { .kind = GVM_CMD_INJECT, .flags = flags };

		for (inject.offset = 1; inject.offset < 64; inject.offset++) {
			bool fired = false;

			if (run(&s, i, &inject, &fired)) {
				fprintf(stderr, "finding with %s %llu of command %zu failed\n",
					what, (unsigned long long)inject.offset, i + 1);
				CHECK(0);
			}
			if (!fired)
				break;
			fired_runs++;
		}
	}
	printf("%u runs with a failed %s\n", fired_runs, what);
	gvm_script_free(&s);
	return fired_runs;
}

TEST(every_allocation_failure_is_atomic)
{
	CHECK(fail_each(0, "allocation") > 2 * 29);	/* most commands allocate */
}

/*
 * The staged VMs' binds and unbinds take 8 steps: one map each for three
 * binds into free space, remap + map for "map 0 0x1000 0x1000 2", and
 * remap, unmap, remap for "unmap 0 0x800 0x2000". Immediate VMs, and
 * bo_unmap and destroy (no sm_step path to fail), take none.
 */
TEST(every_step_failure_is_undone)
{
	CHECK_EQ(fail_each(GVM_F_STEP, "step"), 8);
}

TEST(warn_is_a_finding)
{
	struct gvm_exec_opts o = { .out = NULL, .err = NULL, .name = "t" };
	struct gvm_exec *x = gvm_exec_create(&o);
	struct gvm_cmd vm = { .kind = GVM_CMD_VM, .range = 0x1000 };
	struct gvm_cmd dump = { .kind = GVM_CMD_DUMP };

	CHECK_EQ(gvm_exec_run(x, &vm), 0);
	WARN(1, "injected by the test");
	CHECK_EQ(gvm_exec_run(x, &dump), 1);
	gvm_exec_destroy(x);
	kcompat_warn_reset();
	kcompat_warn_set_quiet(true);
}

/*
 * The backend that the lying backends below wrap: lib/'s, or for the
 * threads' checks upstream's too (threads_on_both_backends()).
 */
static gvm_backend_create_fn *wrapped = gvm_backend_lean_create;

/*
 * A backend whose reports lie about one op: lib/, with the keep flag of
 * every UNMAP it reports flipped. The tree is right, so only the check of
 * the ops against the predicted walk can tell.
 */
static struct gvm_sink real_sink;

static void flip_keep(void *ctx, const struct gvm_event *ev)
{
	struct gvm_event e = *ev;

	(void)ctx;
	if (e.kind == GVM_EV_OP_UNMAP)
		e.keep = !e.keep;
	real_sink.event(real_sink.ctx, &e);
}

static struct gvm_backend *create_flipping(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_sink mine = { .event = flip_keep };

	real_sink = *sink;
	return wrapped(&mine, flags);
}

TEST(wrong_op_is_a_finding)
{
	static const char text[] = "vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
				   "map 0 0x0 0x1000 1 0x0\n";
	struct gvm_exec_opts o = { .out = NULL, .err = NULL, .name = "t" };
	struct gvm_script s = { 0 };
	struct gvm_exec *x;
	char err[256];
	size_t i;
	int ret = 0;

	CHECK_EQ(gvm_parse("t", text, sizeof(text) - 1, &s, err, sizeof(err)), 0);
	/* lib/ as it is: clean. */
	x = gvm_exec_create(&o);
	for (i = 0; i < s.n; i++)
		ret |= gvm_exec_run(x, &s.cmds[i]);
	CHECK_EQ(ret | gvm_exec_finish(x), 0);
	gvm_exec_destroy(x);
	/* The second map's UNMAP (keep=1) reported as keep=0: a finding there. */
	o.backend = create_flipping;
	x = gvm_exec_create(&o);
	for (i = 0; i + 1 < s.n; i++)
		CHECK_EQ(gvm_exec_run(x, &s.cmds[i]), 0);
	CHECK_EQ(gvm_exec_run(x, &s.cmds[s.n - 1]), 1);
	gvm_exec_destroy(x);
	gvm_script_free(&s);
}

/* lib/'s backend running on @ops, a copy of its own for the caller to patch. */
static struct gvm_backend *lean_with_own_ops(const struct gvm_sink *sink, unsigned int flags,
					     struct gvm_backend_ops *ops)
{
	struct gvm_backend *be = wrapped(sink, flags);

	if (be) {
		*ops = *be->ops;
		be->ops = ops;
	}
	return be;
}

/* A backend whose own checks fail while @broken is set: lib/ otherwise. */
static bool broken;
static struct gvm_backend_ops breakable_ops;

static bool breakable_check(struct gvm_backend *be, char *msg, size_t len)
{
	(void)be;
	snprintf(msg, len, "broken by the test");
	return !broken;
}

static struct gvm_backend *create_breakable(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = lean_with_own_ops(sink, flags, &breakable_ops);

	breakable_ops.check = breakable_check;
	return be;
}

/* A backend that never arms a failed step: lib/ otherwise. */
static struct gvm_backend_ops deaf_ops;

static void ignore_step(struct gvm_backend *be, unsigned int nth)
{
	(void)be;
	(void)nth;
}

static struct gvm_backend *create_deaf(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = lean_with_own_ops(sink, flags, &deaf_ops);

	deaf_ops.fail_step = ignore_step;
	return be;
}

/* A backend whose validate locks and unlocks but validates nothing: lib/ otherwise. */
static struct gvm_backend_ops lazy_ops;

static int validate_nothing(struct gvm_backend *be, struct gvm_be_vm *vm, struct gvm_be_bo *fail,
			    struct gvm_be_bo *evict, bool own)
{
	(void)be;
	(void)vm;
	(void)fail;
	(void)evict;
	(void)own;
	return 0;
}

static struct gvm_backend *create_lazy(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = lean_with_own_ops(sink, flags, &lazy_ops);

	lazy_ops.validate = validate_nothing;
	return be;
}

/*
 * A backend whose lookups, locks and invalidations go wrong as GPUVM
 * could: find_next answers the VA it started from (an off-by-one probe),
 * a lock reports an object's reservation it never took, an invalidation
 * marks nothing. lib/ otherwise.
 */
static struct gvm_backend_ops skewed_ops;
static int (*real_lookup)(struct gvm_backend *, struct gvm_be_vm *, uint64_t, uint64_t,
			  struct gvm_lookup *);
static int (*real_lock)(struct gvm_backend *, struct gvm_be_vm *, const struct gvm_lock_req *,
			struct gvm_locked *);

static int skewed_lookup(struct gvm_backend *be, struct gvm_be_vm *vm, uint64_t addr,
			 uint64_t range, struct gvm_lookup *out)
{
	int ret = real_lookup(be, vm, addr, range, out);

	if (!ret && !out->next.found)
		out->next = out->first;
	return ret;
}

static int skewed_lock(struct gvm_backend *be, struct gvm_be_vm *vm,
		       const struct gvm_lock_req *req, struct gvm_locked *out)
{
	int ret = real_lock(be, vm, req, out);

	if (!ret)
		out->bos |= UINT64_C(1) << 63;
	return ret;
}

static void invalidate_nothing(struct gvm_backend *be, struct gvm_be_bo *bo, bool invalidate)
{
	(void)be;
	(void)bo;
	(void)invalidate;
}

static struct gvm_backend *create_skewed(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = lean_with_own_ops(sink, flags, &skewed_ops);

	/* lean_with_own_ops() copied lib/'s ops: keep the real ones to call. */
	real_lookup = skewed_ops.lookup;
	real_lock = skewed_ops.lock;
	skewed_ops.lookup = skewed_lookup;
	skewed_ops.lock = skewed_lock;
	skewed_ops.invalidate = invalidate_nothing;
	return be;
}

/* The index of the first command of @text that is a finding on @backend, or their count. */
static size_t first_finding(const char *text, gvm_backend_create_fn *backend)
{
	struct gvm_exec_opts o = { .name = "t", .backend = backend };
	struct gvm_script s = { 0 };
	struct gvm_exec *x;
	char err[256];
	size_t i;

	CHECK_EQ(gvm_parse("t", text, strlen(text), &s, err, sizeof(err)), 0);
	x = gvm_exec_create(&o);
	for (i = 0; i < s.n; i++)
		if (gvm_exec_run(x, &s.cmds[i]))
			break;
	gvm_exec_destroy(x);
	gvm_script_free(&s);
	return i;
}

/* The model knows every vm_bo's evicted flag: a validate that leaves one evicted is a finding. */
TEST(validate_outcome_is_checked)
{
	CHECK_EQ(first_finding("vm 0 0x0 0x100000\nbo 1\nbo 2\nmap 0 0x0 0x1000 1 0x0\n"
			       "map 0 0x1000 0x1000 2 0x0\nevict 1 1\nvalidate 0\n",
			       create_lazy), 6);
}

/* A lookup, a lock and an invalidation are each checked against the model. */
TEST(lookup_lock_invalidate_are_checked)
{
	static const char prologue[] = "vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n";
	char text[256];

	/* The correct backend: clean. */
	snprintf(text, sizeof(text), "%slookup 0 0x0 0x1000\nlock 0 fence read read\n"
		 "invalidate 1 1\ndump 0\n", prologue);
	CHECK_EQ(first_finding(text, gvm_backend_lean_create), 7);
	/* Nothing covers 0x1000: the found VA is a wrong next. */
	snprintf(text, sizeof(text), "%slookup 0 0x0 0x1000\n", prologue);
	CHECK_EQ(first_finding(text, create_skewed), 3);
	snprintf(text, sizeof(text), "%slock 0 range 0x0 0x1000 fence write write\n", prologue);
	CHECK_EQ(first_finding(text, create_skewed), 3);
	snprintf(text, sizeof(text), "%sinvalidate 1 1\n", prologue);
	CHECK_EQ(first_finding(text, create_skewed), 3);
}

#define FEEDBACK_SIZE	4096

/*
 * Run @text (with threads) on @backend; what was reported goes to @err,
 * and with @feedback (FEEDBACK_SIZE bytes) where the threads changed hands.
 * Returns gvm_run_finish()'s verdict: 1 for a finding.
 */
static int run_threads_fed(const char *text, gvm_backend_create_fn *backend, char *err,
			   size_t len, uint8_t *feedback)
{
	FILE *f = fmemopen(err, len, "w");
	struct gvm_exec_opts o = { .name = "t", .err = f, .feedback = feedback,
				   .feedback_size = feedback ? FEEDBACK_SIZE : 0 };
	struct gvm_script s = { 0 };
	struct gvm_run *r;
	int ret = 0;
	size_t i;

	memset(err, 0, len);
	CHECK_EQ(gvm_parse("t", text, strlen(text), &s, err, len), 0);
	r = gvm_run_create(&o, backend, "t", NULL, NULL);
	/* As gpuvm-replay: a command the backend's tree lacks, 2 and nothing run. */
	for (i = 0; i < s.n && !ret; i++)
		if (gvm_run_unsupported(r, &s.cmds[i]))
			ret = 2;
	for (i = 0; i < s.n && !ret; i++)
		ret = gvm_run_cmd(r, &s.cmds[i]);
	if (ret != 2)
		ret |= gvm_run_finish(r);
	gvm_run_destroy(r);
	gvm_script_free(&s);
	fclose(f);
	return ret;
}

static int run_threads(const char *text, gvm_backend_create_fn *backend, char *err, size_t len)
{
	return run_threads_fed(text, backend, err, len, NULL);
}

/* How many of @a's marks @b does not have. */
static size_t marks_not_in(const uint8_t *a, const uint8_t *b)
{
	size_t i, n = 0;

	for (i = 0; i < FEEDBACK_SIZE; i++)
		n += a[i] && !b[i];
	return n;
}

/*
 * The fuzzer's feedback: each change of hands marks a byte, the same for
 * the same interleaving, and a preemption at a new place marks a new one.
 */
TEST(threads_mark_where_they_change_hands)
{
	static const char body[] = "vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n%s"
				   "@1 invalidate 1 1\n@1 lookup 0 0x1000 0x1000\n"
				   "@2 map 0 0x1000 0x1000 1 0x1000\n";
	static uint8_t plain[FEEDBACK_SIZE], again[FEEDBACK_SIZE], at10[FEEDBACK_SIZE],
		       at3[FEEDBACK_SIZE];
	char text[512], err[4096];

	snprintf(text, sizeof(text), body, "");
	CHECK_EQ(run_threads_fed(text, gvm_backend_lean_create, err, sizeof(err), plain), 0);
	CHECK_EQ(run_threads_fed(text, gvm_backend_lean_create, err, sizeof(err), again), 0);
	CHECK(memchr(plain, 1, sizeof(plain)) != NULL);
	CHECK(!memcmp(plain, again, sizeof(plain)));
	snprintf(text, sizeof(text), body, "schedule 10 2\n");
	CHECK_EQ(run_threads_fed(text, gvm_backend_lean_create, err, sizeof(err), at10), 0);
	snprintf(text, sizeof(text), body, "schedule 3 2\n");
	CHECK_EQ(run_threads_fed(text, gvm_backend_lean_create, err, sizeof(err), at3), 0);
	CHECK(marks_not_in(at10, plain) > 0);
	CHECK(marks_not_in(at3, at10) > 0);
}

/* The threads' checks run on both GPUVMs: the lying backends wrap each. */
static gvm_backend_create_fn *const backends[] = {
	gvm_backend_lean_create,
	gvm_backend_upstream_create,
};

/*
 * Threads are checked against the model too, in an order their commands
 * could have taken effect in: a lookup answered wrongly, an invalidation
 * that marked nothing. Thread 2's map runs between thread 1's two
 * commands (decision 10), so only that order explains what thread 1's
 * lookup found.
 */
TEST(threads_are_checked_against_the_model)
{
	static const char prologue[] = "vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
				       "schedule 10 2\n";
	char text[512], err[4096];

	for (size_t b = 0; b < ARRAY_SIZE(backends); b++) {
		wrapped = backends[b];
		snprintf(text, sizeof(text), "%s@1 invalidate 1 1\n@1 lookup 0 0x1000 0x1000\n"
			 "@2 map 0 0x1000 0x1000 1 0x1000\n", prologue);
		CHECK_EQ(run_threads(text, wrapped, err, sizeof(err)), 0);
		CHECK_EQ(run_threads(text, create_skewed, err, sizeof(err)), 1);
		CHECK(strstr(err, "invalidated") != NULL);
		snprintf(text, sizeof(text), "%s@1 lookup 0 0x0 0x1000\n"
			 "@2 map 0 0x4000 0x1000 1 0x1000\n", prologue);
		CHECK_EQ(run_threads(text, create_skewed, err, sizeof(err)), 1);
		CHECK(strstr(err, "linearisation") != NULL);
		CHECK(strstr(err, "lookup find=") != NULL);
	}
	wrapped = gvm_backend_lean_create;
}

/*
 * The ops a thread's walk prints are checked as well, against the model
 * where the order puts the command: a map over a mapping, whose UNMAP is
 * reported with the wrong keep flag, walked by the ioctl (a staged VM's
 * job, a map without a job) or by run_job (an immediate VM's job). The
 * tree is right: only the walk can tell.
 */
TEST(threads_walks_are_checked_against_the_model)
{
	/* bo 1 mapped at 0 before the threads; thread 1 maps it there again */
	static const char *const scripts[] = {
		"vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
		"@1 map 0 0x0 0x1000 1 0x0\n",
		"vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
		"@1 map 0 0x0 0x1000 1 0x0 job\n",
		"vm 0 0x0 0x100000 immediate\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
		"@1 map 0 0x0 0x1000 1 0x0\n",
		"vm 0 0x0 0x100000 immediate\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
		"@1 map 0 0x0 0x1000 1 0x0 job\n",
	};
	char err[4096];
	size_t i;

	for (size_t b = 0; b < ARRAY_SIZE(backends); b++) {
		wrapped = backends[b];
		for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
			int ret = run_threads(scripts[i], wrapped, err, sizeof(err));

			/* immediate VMs on an upstream tree without them (6.12) */
			if (ret == 2 && wrapped == gvm_backend_upstream_create)
				continue;
			CHECK_EQ(ret, 0);
			CHECK_EQ(run_threads(scripts[i], create_flipping, err, sizeof(err)), 1);
			CHECK(strstr(err, "linearisation") != NULL);
			CHECK(strstr(err, "op #1 is unmap") != NULL);
		}
	}
	wrapped = gvm_backend_lean_create;
}

/* An armed step within the walk must fail; one past its end must not. */
TEST(unfailed_step_is_a_finding)
{
	/*
	 * The second map's walk is a remap and a map: step 3 is past its
	 * end. Step 1 of the third map's walk is one this backend never fails.
	 */
	CHECK_EQ(first_finding("vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x4000 1 0x0\n"
			       "inject step 3\nmap 0 0x0 0x1000 1 0x0\n"
			       "inject step 1\nmap 0 0x1000 0x1000 1 0x1000\n",
			       create_deaf), 6);
}

/* state_at_end: a broken state is found by finish, not by the commands. */
TEST(state_at_end_checks_at_the_end)
{
	static const char text[] = "vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\n"
				   "unmap 0 0x0 0x1000\n";
	struct gvm_exec_opts o = { .name = "t", .backend = create_breakable };
	struct gvm_script s = { 0 };
	struct gvm_exec *x;
	char err[256];
	int at_end;

	CHECK_EQ(gvm_parse("t", text, sizeof(text) - 1, &s, err, sizeof(err)), 0);
	for (at_end = 0; at_end < 2; at_end++) {
		o.state_at_end = at_end;
		x = gvm_exec_create(&o);
		broken = false;
		CHECK_EQ(gvm_exec_run(x, &s.cmds[0]), 0);
		CHECK_EQ(gvm_exec_run(x, &s.cmds[1]), 0);
		CHECK_EQ(gvm_exec_run(x, &s.cmds[2]), 0);
		broken = true;
		CHECK_EQ(gvm_exec_run(x, &s.cmds[3]), !at_end);
		CHECK_EQ(gvm_exec_finish(x), 1);
		gvm_exec_destroy(x);
	}
	broken = false;
	gvm_script_free(&s);
}

TEST(leak_is_a_finding)
{
	struct gvm_exec_opts o = { .out = NULL, .err = NULL, .name = "t" };
	struct gvm_exec *x = gvm_exec_create(&o);
	struct gvm_cmd vm = { .kind = GVM_CMD_VM, .range = 0x1000 };
	void *leak;

	CHECK_EQ(gvm_exec_run(x, &vm), 0);
	leak = kmalloc(16, GFP_KERNEL);
	CHECK_EQ(gvm_exec_finish(x), 1);
	gvm_exec_destroy(x);
	kfree(leak);
}

TEST_MAIN(script_runs_clean, every_allocation_failure_is_atomic, every_step_failure_is_undone,
	  warn_is_a_finding, wrong_op_is_a_finding, unfailed_step_is_a_finding,
	  state_at_end_checks_at_the_end,
	  leak_is_a_finding, validate_outcome_is_checked, lookup_lock_invalidate_are_checked,
	  threads_are_checked_against_the_model, threads_walks_are_checked_against_the_model,
	  threads_mark_where_they_change_hands)
