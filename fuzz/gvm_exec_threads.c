// SPDX-License-Identifier: MIT
/*
 * The threads of a script (gvm_exec_run_threads()): each "@T" command runs
 * on logical thread T as an ioctl does: it looks its VM and object up and
 * takes references under the handle table's lock, works inside the
 * driver's VM lock, and drops the references at its end. Each VM that
 * jobs are queued for on threads ("map ... job") has a run_job thread of
 * its own, which runs them in order until the ioctl threads are done and
 * its queue is empty. The backend's scheduler decides who runs
 * (<kcompat/sched.h>).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_exec_priv.h"

/* Switch points printed before a finding. */
#define TRACE_LAST	24

/* The executor whose threads are running, for a sanitizer's report. */
static struct gvm_exec *running;

/* After a finding: "the last switch points<what>, oldest first:" and them. */
static void print_trace(struct gvm_exec *x, const char *what)
{
	if (!x->o.err)
		return;
	fprintf(x->o.err, "the last switch points%s, oldest first:\n", what);
	x->be->ops->threads->sched_print_trace(x->be, x->o.err, TRACE_LAST);
}

/*
 * A sanitizer's report ends the process: the switch points before it
 * follow the report's summary line. Every sanitizer runtime calls this
 * at the end of a report (its own is weak and prints the line), before
 * it dies; the death callback is left alone: libFuzzer's saves the input
 * there (replacing it lost every reproducer of a report on a thread).
 * Never called in builds without a sanitizer.
 */
void __sanitizer_report_error_summary(const char *summary);
void __sanitizer_report_error_summary(const char *summary)
{
	fprintf(stderr, "%s\n", summary);
	if (!running || !running->o.err)
		return;
	print_trace(running, " before the sanitizer's report");
	fflush(running->o.err);
}

struct thread {
	struct gvm_exec *x;
	unsigned int id;
	const struct gvm_cmd **cmds;	/* its own, in order */
	size_t n;
	int *rets;
	struct event_log log;
	struct gvm_result res;
	/* A run_job thread: its VM (referenced), and its name in traces. */
	struct gvm_be_vm *job_vm;
	char name[16];
};

/* Thread ids a schedule cannot name: records for them are skipped. */
#define NO_THREAD	0xffffu

/* The references one command holds from its lookup to its end. */
struct refs {
	struct gvm_be_vm *vm;
	struct gvm_be_bo *bo;
	uint64_t objs;
};

/*
 * Look up what @c names under the handle lock and take references; close
 * and destroy take their handle out there too. -ENOENT for a handle gone
 * before (nothing held then).
 */
static int lookup(struct gvm_exec *x, const struct gvm_cmd *c, struct refs *r)
{
	const struct gvm_threads_ops *t = x->be->ops->threads;
	bool vm = gvm_cmd_names_vm(c), bo = gvm_cmd_names_bo(c);
	uint32_t b;

	memset(r, 0, sizeof(*r));
	if ((vm && !x->model.vm[c->vm].open) || (bo && !x->model.bo_handle[c->bo]))
		return -ENOENT;
	for (b = 0; b < GVM_MAX_ID; b++)
		if ((c->objs & (UINT64_C(1) << b)) && !x->model.bo_handle[b])
			return -ENOENT;
	if (vm) {
		r->vm = x->vm[c->vm];
		t->vm_get(x->be, r->vm);
	}
	if (bo) {
		r->bo = x->bo[c->bo];
		t->bo_get(x->be, r->bo);
	}
	r->objs = c->objs;
	for (b = 0; b < GVM_MAX_ID; b++)
		if (r->objs & (UINT64_C(1) << b))
			t->bo_get(x->be, x->bo[b]);
	/* The handle goes now; the object lives while anyone holds it. */
	if (c->kind == GVM_CMD_CLOSE)
		x->model.bo_handle[c->bo] = false;
	if (c->kind == GVM_CMD_DESTROY)
		x->model.vm[c->vm].open = false;
	return 0;
}

static void drop(struct gvm_exec *x, struct refs *r)
{
	const struct gvm_threads_ops *t = x->be->ops->threads;
	uint32_t b;

	for (b = 0; b < GVM_MAX_ID; b++)
		if (r->objs & (UINT64_C(1) << b))
			t->bo_put(x->be, x->bo[b]);
	if (r->bo)
		t->bo_put(x->be, r->bo);
	if (r->vm)
		t->vm_put(x->be, r->vm);
}

/* @c on its thread; *@held: its handle lookup succeeded. */
static int run_one(struct thread *th, const struct gvm_cmd *c, bool *held)
{
	struct gvm_exec *x = th->x;
	const struct gvm_threads_ops *t = x->be->ops->threads;
	struct refs r;
	int ret;

	t->handles_lock(x->be);
	ret = lookup(x, c, &r);
	t->handles_unlock(x->be);
	*held = !ret;
	if (ret)
		return ret;
	ret = exec_ioctl(x, c, &th->res);
	drop(x, &r);
	return ret;
}

/*
 * A command or job has ended: "<who>@T command", its events, and what it
 * returned (@who: "" for a command, "run_jobV: " for a job).
 */
static void print_done(struct thread *th, const char *who, const struct gvm_cmd *c, int ret)
{
	FILE *f = th->x->o.out;
	char text[GVM_MAX_LINE];
	size_t i;

	if (!f)
		return;
	if (c && gvm_cmd_format(c, text, sizeof(text)) >= 0)
		fprintf(f, "%s%s\n", who, text);
	for (i = 0; i < th->log.n; i++)
		exec_print_event(f, &th->log.ev[i], th->x->o.quiet_ops);
	if (th->log.overflow)
		fputs("... (more events than kept)\n", f);
	if (ret)
		exec_print_error(f, ret);
	/* Answers are checked against the model, which threads leave behind. */
}

/* After command or job @c: a WARN is a finding, printed with the switch points. */
static void check_after(struct thread *th, const struct gvm_cmd *c, bool failed)
{
	struct gvm_exec *x = th->x;

	x->cur = c;
	exec_check_warning(x);
	x->cur = NULL;
	if (x->failed && !failed)
		print_trace(x, "");
}

/*
 * Harness buffers kept for the next threads on this OS thread (the
 * concurrency targets run threads for most inputs): the ops the threads
 * record, their walks' ops, and the model they began from.
 */
static _Thread_local struct lin_op *lin_buf;
static _Thread_local size_t lin_cap;
static _Thread_local struct gvm_event *lin_ev_buf;
static _Thread_local size_t lin_ev_cap;
static _Thread_local struct gvm_model *before_buf;

/*
 * Keep the ops of a walk that @th's log holds for @op: exec_linearise()
 * checks them against the model where the op takes effect. Without room
 * they are lost, and unchecked.
 */
static void record_ops(struct thread *th, struct lin_op *op)
{
	struct gvm_exec *x = th->x;
	size_t i, n = 0;

	op->ev_at = x->nlin_ev;
	op->nev = 0;
	op->ev_lost = th->log.overflow;
	for (i = 0; i < th->log.n; i++)
		n += exec_event_is_op(&th->log.ev[i]);
	if (!n || op->ev_lost)
		return;
	if (x->nlin_ev + n > lin_ev_cap) {
		size_t cap = 2 * (x->nlin_ev + n);
		struct gvm_event *p = realloc(lin_ev_buf, cap * sizeof(*p));

		if (!p) {
			op->ev_lost = true;
			return;
		}
		lin_ev_buf = p;
		lin_ev_cap = cap;
	}
	x->lin_ev = lin_ev_buf;
	for (i = 0; i < th->log.n; i++)
		if (exec_event_is_op(&th->log.ev[i]))
			x->lin_ev[x->nlin_ev++] = th->log.ev[i];
	op->nev = n;
}

/* An operation begins: it is recorded for exec_linearise(). */
static struct lin_op *op_begin(struct thread *th, const struct gvm_cmd *c, bool run)
{
	struct gvm_exec *x = th->x;
	struct lin_op *op = &x->lin[x->nlin++];

	memset(op, 0, sizeof(*op));
	op->c = c;
	op->run = run;
	op->thread = th->id;
	op->inv = ++x->stamp;
	return op;
}

static void thread_main(void *arg)
{
	struct thread *th = arg;
	struct gvm_exec *x = th->x;
	size_t i;

	for (i = 0; i < th->n; i++) {
		bool failed = x->failed;
		struct lin_op *op = op_begin(th, th->cmds[i], false);

		th->log.n = 0;
		th->log.overflow = false;
		th->rets[i] = run_one(th, th->cmds[i], &op->held);
		op->resp = ++x->stamp;
		op->ret = th->rets[i];
		op->res = th->res;
		record_ops(th, op);
		if (lin_map_has_link(th->cmds[i])) {
			struct lin_op *link = &x->lin[x->nlin++];

			*link = *op;
			link->run = link->link = true;
			link->queued_by = (size_t)(op - x->lin);
			link->nev = 0;	/* the walk is its ioctl's */
		}
		print_done(th, "", th->cmds[i], th->rets[i]);
		check_after(th, th->cmds[i], failed);
	}
	x->ioctl_left--;
}

/* The op that queued the job @c names: the ioctl threads ran each command once. */
static size_t queueing_op(const struct gvm_exec *x, const struct gvm_cmd *c)
{
	size_t i;

	for (i = 0; i < x->nlin; i++)
		if (x->lin[i].c == c && !x->lin[i].run)
			return i;
	return SIZE_MAX;
}

static bool jobs_ready(void *arg)
{
	struct thread *th = arg;
	struct gvm_exec *x = th->x;

	return !x->ioctl_left || x->be->ops->job_pending(x->be, th->job_vm);
}

/* A VM's run_job: its jobs in order, until no ioctl thread can queue more. */
static void job_main(void *arg)
{
	struct thread *th = arg;
	struct gvm_exec *x = th->x;
	const struct gvm_backend_ops *ops = x->be->ops;
	char who[sizeof(th->name) + 2];

	snprintf(who, sizeof(who), "%s: ", th->name);
	for (;;) {
		bool failed = x->failed;
		const struct gvm_cmd *c;
		struct lin_op *op;

		if (!ops->job_pending(x->be, th->job_vm)) {
			if (!x->ioctl_left)
				break;
			ops->threads->sched_wait(x->be, jobs_ready, th, "jobs to run");
			continue;
		}
		th->log.n = 0;
		th->log.overflow = false;
		op = op_begin(th, NULL, true);
		c = ops->job_run(x->be, th->job_vm);
		op->resp = ++x->stamp;
		op->c = c;
		op->queued_by = queueing_op(x, c);
		record_ops(th, op);
		print_done(th, who, c, 0);
		check_after(th, c, failed);
	}
	ops->threads->vm_put(x->be, th->job_vm);
}

static struct lin_op *lin_ops(size_t n)
{
	struct lin_op *p;

	if (n <= lin_cap)
		return lin_buf;
	p = realloc(lin_buf, n * sizeof(*p));
	if (!p)
		return NULL;
	lin_buf = p;
	lin_cap = n;
	return p;
}

static struct gvm_model *before_model(void)
{
	if (!before_buf) {
		before_buf = malloc(sizeof(*before_buf));
		if (before_buf)
			gvm_model_init(before_buf);
	}
	return before_buf;
}

static void free_threads(struct gvm_exec *x, struct thread *th, unsigned int n)
{
	unsigned int i;

	x->lin = NULL;		/* lin_buf, lin_ev_buf: kept */
	x->nlin = 0;
	x->lin_ev = NULL;
	x->nlin_ev = 0;

	memset(x->thread_log, 0, sizeof(x->thread_log));
	for (i = 0; i < n; i++) {
		free(th[i].cmds);
		free(th[i].rets);
	}
	free(th);
}

/* The places where control changed hands, for the fuzzer (opts.feedback). */
static void mark_switches(struct gvm_exec *x)
{
	uint32_t sw[256];
	size_t n, i;

	if (!x->o.feedback || !x->o.feedback_size)
		return;
	n = x->be->ops->threads->sched_switches(x->be, sw, ARRAY_LEN(sw));
	for (i = 0; i < n && i < ARRAY_LEN(sw); i++)
		x->o.feedback[sw[i] % x->o.feedback_size] = 1;
}

/*
 * A schedule's thread as the scheduler numbers it: "jV" is VM V's run_job,
 * if it has one (they come after the @nioctl ioctl threads, by VM id);
 * T only an ioctl thread.
 */
static unsigned int sched_id(unsigned int thread, unsigned int nioctl, uint64_t job_vms)
{
	uint32_t v = thread - GVM_THREAD_JOB;

	if (thread <= nioctl)
		return thread;
	if (thread >= GVM_THREAD_JOB && v < GVM_MAX_ID && (job_vms & (UINT64_C(1) << v)))
		return nioctl + 1 + (unsigned int)__builtin_popcountll(job_vms &
								   ((UINT64_C(1) << v) - 1));
	return NO_THREAD;
}

int gvm_exec_run_threads(struct gvm_exec *x, const struct gvm_cmd *cmds, size_t n,
			 const struct gvm_sched_record *recs, size_t nrecs)
{
	const struct gvm_threads_ops *t = x->be->ops->threads;
	unsigned int nthreads = 0, nioctl = 0, njob = 0, id;
	struct gvm_sched_record *r = NULL;
	struct gvm_model *before = NULL;
	struct thread *th = NULL;
	uint64_t job_vms = 0;
	size_t nsecond = 0;	/* second halves: jobs' runs, maps' links */
	uint32_t v;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if (cmds[i].thread > nioctl)
			nioctl = cmds[i].thread;
		/* A VM destroyed before the threads takes no jobs: no run_job. */
		if (cmds[i].thread && (cmds[i].flags & GVM_F_JOB) && x->model.vm[cmds[i].vm].open)
			job_vms |= UINT64_C(1) << cmds[i].vm;
		nsecond += (cmds[i].flags & GVM_F_JOB) || lin_map_has_link(&cmds[i]);
	}
	if (!nioctl)
		return x->failed;
	nthreads = nioctl + (unsigned int)__builtin_popcountll(job_vms);
	th = calloc(nthreads, sizeof(*th));
	r = calloc(nrecs ? nrecs : 1, sizeof(*r));
	/* A command each, and a run of each job or link of a map. */
	x->lin = lin_ops(n + nsecond);
	x->nlin = 0;
	x->lin_ev = lin_ev_buf;
	x->nlin_ev = 0;
	before = before_model();
	if (!th || !r || !x->lin || !before)
		goto oom;
	gvm_model_copy(before, &x->model);
	for (id = 1; id <= nioctl; id++) {
		struct thread *tt = &th[id - 1];

		tt->x = x;
		tt->id = id;
		tt->cmds = calloc(n, sizeof(*tt->cmds));
		tt->rets = calloc(n, sizeof(*tt->rets));
		if (!tt->cmds || !tt->rets)
			goto oom;
		for (i = 0; i < n; i++)
			if (cmds[i].thread == id)
				tt->cmds[tt->n++] = &cmds[i];
		x->thread_log[id] = &tt->log;
	}
	/* The run_job threads, by VM id, after the ioctl threads. */
	for (v = 0; v < GVM_MAX_ID; v++) {
		if (!(job_vms & (UINT64_C(1) << v)))
			continue;
		th[nioctl + njob].job_vm = x->vm[v];
		snprintf(th[nioctl + njob].name, sizeof(th[0].name), "run_job%u", v);
		njob++;
	}
	for (i = 0; i < nrecs; i++) {
		r[i] = recs[i];
		r[i].thread = sched_id(recs[i].thread, nioctl, job_vms);
		if (!recs[i].step)
			r[i].at = sched_id(recs[i].at, nioctl, job_vms);
	}

	ret = t->sched_init(x->be, r, nrecs);	/* copies them */
	free(r);
	r = NULL;
	if (ret) {
		exec_bug(x, "threads", "the scheduler refused the schedule (%d)", ret);
		free_threads(x, th, nthreads);
		gvm_model_free(before);
		return x->failed;
	}
	/* Every thread up to the highest named, one without commands too: ids stay. */
	for (id = 1; id <= nioctl; id++)
		if (t->sched_spawn(x->be, "ioctl", thread_main, &th[id - 1]) != (int)id)
			goto oom_sched;
	x->ioctl_left = nioctl;
	for (; id <= nthreads; id++) {
		struct thread *tt = &th[id - 1];

		tt->x = x;
		tt->id = id;
		x->thread_log[id] = &tt->log;
		if (t->sched_spawn(x->be, tt->name, job_main, tt) != (int)id)
			goto oom_sched;
	}
	for (id = nioctl + 1; id <= nthreads; id++)
		t->vm_get(x->be, th[id - 1].job_vm);	/* dropped when it ends */
	x->threaded = true;
	x->model_stale = true;
	if (x->o.switches && x->o.out)
		t->sched_log(x->be, x->o.out);
	running = x;
	ret = t->sched_run(x->be);
	running = NULL;
	t->sched_log(x->be, NULL);
	mark_switches(x);
	if (ret == -EDEADLK) {
		exec_check_warning(x);	/* the WARN that names the wait-for chain */
		print_trace(x, "");
		/* The blocked threads hold locks for good: nothing can be released. */
		x->wedged = x->released = true;
	} else if (ret) {
		exec_bug(x, "threads", "the scheduler did not run (%d)", ret);
	} else if (!x->failed) {
		char msg[512];

		/* Quiescent: the invariants hold, or the switch points say how not. */
		if (!x->be->ops->check(x->be, msg, sizeof(msg))) {
			exec_bug(x, "invariant", "after the threads: %s", msg);
			print_trace(x, "");
		} else {
			exec_linearise(x, before);
		}
	}
	if (x->o.trace && x->o.out) {
		struct gvm_sched_record a[16];
		size_t na = t->sched_applied(x->be, a, ARRAY_LEN(a));

		fprintf(x->o.out, "> threads done: %lu decisions, %zu preemptions",
			t->sched_decisions(x->be), na);
		for (i = 0; i < na && i < ARRAY_LEN(a); i++)
			fprintf(x->o.out, "%s%lu:%u", i ? " " : " (", a[i].step, a[i].thread);
		fputs(na ? ")\n" : "\n", x->o.out);
	}
	x->threaded = false;
	t->sched_fini(x->be);
	free_threads(x, th, nthreads);
	if (before)
		gvm_model_free(before);
	return x->failed;

oom_sched:
	t->sched_fini(x->be);
oom:
	free(r);
	exec_bug(x, "threads", "out of memory");
	free_threads(x, th, th ? nthreads : 0);
	if (before)
		gvm_model_free(before);
	return x->failed;
}
