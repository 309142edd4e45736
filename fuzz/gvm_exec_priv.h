/* SPDX-License-Identifier: MIT */
/*
 * The executor's insides, shared by its files: gvm_exec.c (commands one
 * at a time, checked against the model) and gvm_exec_threads.c (the
 * threads of a script, under the backend's scheduler). Not an API.
 */
#ifndef GVM_EXEC_PRIV_H
#define GVM_EXEC_PRIV_H

#include <stdio.h>
#include "gvm_exec.h"
#include "gvm_model.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* Events of one command: its ops are checked against the predicted shape. */
struct event_log {
	struct gvm_event ev[256];
	size_t n;
	bool overflow;
};

/* What a lookup or a lock answered, besides its return value. */
struct gvm_result {
	struct gvm_lookup lookup;
	struct gvm_locked locked;
};

/*
 * One operation of the threads: a command, or run_job's half of a job
 * (@run: @c is the command that queued it), from when it began (@inv) to
 * when it ended (@resp), both counted by one clock, with what it returned.
 * A map with an object made without a job is two operations too (@link,
 * with @run): on an immediate VM its ioctl obtains the vm_bo under the
 * object's gpuva mutex and links the VA under it again later, so another
 * command may see the vm_bo between the two and not the VA (an eviction
 * marks the vm_bo, a move notification misses the VA); the model takes
 * the two halves of a job for it (on a staged VM the link half is nothing).
 */
struct lin_op {
	const struct gvm_cmd *c;
	bool run;
	bool link;
	unsigned int thread;
	unsigned long inv, resp;
	int ret;
	bool held;			/* its handle lookup succeeded */
	struct gvm_result res;		/* a lookup's or lock's answer */
	size_t queued_by;		/* @run: the op that queued the job */
	/* The ops its walk printed (exec_event_is_op()): x->lin_ev[@ev_at..]. */
	size_t ev_at, nev;
	bool ev_lost;			/* more events than were kept: unchecked */
};

/* A map that gets a @link op (struct lin_op): one with an object, not a job. */
static inline bool lin_map_has_link(const struct gvm_cmd *c)
{
	return c->kind == GVM_CMD_MAP && !(c->flags & (GVM_F_JOB | GVM_F_NO_BO));
}

struct gvm_exec {
	struct gvm_exec_opts o;
	struct gvm_backend *be;
	/* Scratch of the current command, allocated once, not zeroed. */
	struct gvm_exec_scratch *scratch;
	struct event_log *log;		/* its events */
	struct gvm_event *shape;	/* the ops it must produce */
	unsigned long inject_nth;	/* armed by "inject alloc N" */
	unsigned int inject_step;	/* armed by "inject step N" */
	struct gvm_be_vm *vm[GVM_MAX_ID];
	struct gvm_be_bo *bo[GVM_MAX_ID];
	bool vm_freed[GVM_MAX_ID];
	bool bo_freed[GVM_MAX_ID];
	bool silent;			/* final teardown: no events printed */
	bool released;			/* release_all() has run */
	size_t live_base;		/* backend allocations before we started */
	bool failed;
	const struct gvm_cmd *cur;	/* for BUG: lines */
	/*
	 * Threads are running (gvm_exec_threads.c): each command's events go
	 * to its thread's log, printed when it ends; after them the model no
	 * longer describes the backend (@model_stale): the checks that need
	 * it are off, the rest stay on.
	 */
	struct event_log *thread_log[GVM_MAX_THREADS + GVM_MAX_JOB_VMS + 1];
	unsigned int ioctl_left;	/* ioctl threads not finished: run_job waits for jobs */
	/* What the threads did, for exec_linearise(): ops in the order they began. */
	struct lin_op *lin;
	size_t nlin;
	struct gvm_event *lin_ev;	/* their walks' ops (struct lin_op) */
	size_t nlin_ev;
	unsigned long stamp;
	bool threaded;
	bool model_stale;
	bool wedged;			/* threads deadlocked: their locks stay held */
	struct gvm_cmd last;		/* the last command run, and what it returned */
	int last_ret;
	/* Last: mostly left uninitialised, see struct gvm_model. */
	struct gvm_model model;
};

#define SHAPE_MAX	256

struct gvm_exec_scratch {
	struct event_log log;
	struct gvm_event shape[SHAPE_MAX];
	struct gvm_result res, want;
};

/*
 * A finding: "BUG: <name>:<line>: <check>: <message>" on opts.err, and the
 * executor fails.
 */
__attribute__((format(printf, 3, 4)))
void exec_bug(struct gvm_exec *x, const char *check, const char *fmt, ...);

/* Where the backend's state differs from a model: which check, and how. */
struct exec_differ {
	const char *check;
	char msg[512];
};

/* Fill @d (always returns true). */
__attribute__((format(printf, 3, 4)))
bool exec_differ(struct exec_differ *d, const char *check, const char *fmt, ...);

/*
 * Whether the backend's state, at a quiescent point, differs from model
 * @m: every VM's mappings, vm_bos and zombies, and what is allocated.
 */
bool exec_state_differs(struct gvm_exec *x, const struct gvm_model *m, struct exec_differ *d);

/* Where model @m does not know a VM's zombies, it takes the backend's counts. */
void exec_resync_zombies(struct gvm_exec *x, struct gvm_model *m);

/*
 * Whether command @c, run by a thread, could have returned @ret (and
 * answered @res; NULL: its answer cannot be known) with the state in model
 * @m; if so, apply it to @m (a job's ioctl half only). @held: its handles
 * were looked up before (gvm_model_predict()). The checks of
 * gvm_exec_run(), for the threads.
 */
bool exec_explains(struct gvm_model *m, const struct gvm_cmd *c, int ret, bool held,
		   const struct gvm_result *res, struct exec_differ *d);

/*
 * After the threads, at a quiescent point: look for an order of their
 * operations, each placed between when it began and when it ended (a job's
 * run after its queueing), in which the model explains what every one
 * returned and leaves the state the backend has. Found: that model
 * becomes the executor's, and the checks that need it are on again. None:
 * a finding. Too many orders to try: the model stays stale.
 * @before: the model as the threads began.
 */
void exec_linearise(struct gvm_exec *x, const struct gvm_model *before);

/* An op of a walk (map, unmap, remap, prefetch), not another event. */
bool exec_event_is_op(const struct gvm_event *ev);

/*
 * Whether the ops among @ev (other events aside) are not the @n of @shape,
 * a walk's as gvm_shape_predict() has it: all of them if @ret is 0, a
 * prefix otherwise (a walk stops at a failed step). *@seen: how many there
 * were, when they do not differ.
 */
bool exec_ops_differ(const struct gvm_event *ev, size_t nev, const struct gvm_event *shape,
		     size_t n, int ret, size_t *seen, struct exec_differ *d);

/* An event as the op-script output prints it; ops not if @quiet_ops. */
void exec_print_event(FILE *f, const struct gvm_event *ev, bool quiet_ops);

/* "error ENOENT" and the like. */
void exec_print_error(FILE *f, int ret);

/* A WARN belongs to the command that raised it: taken after each one. */
void exec_check_warning(struct gvm_exec *x);

/*
 * Run @c on the backend as its ioctl would: for a command on a VM, with a
 * VM reference and inside the driver's VM lock (-ENOENT if the VM was
 * destroyed since). Lookups and locks answer in @res.
 */
int exec_ioctl(struct gvm_exec *x, const struct gvm_cmd *c, struct gvm_result *res);

#endif /* GVM_EXEC_PRIV_H */
