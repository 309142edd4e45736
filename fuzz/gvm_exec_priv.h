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
	bool threaded;
	bool model_stale;
	bool wedged;			/* threads deadlocked: their locks stay held */
	struct gvm_cmd last;		/* the last command run, and what it returned */
	int last_ret;
	/* Last: mostly left uninitialised, see struct gvm_model. */
	struct gvm_model model;
};

#define SHAPE_MAX	256

/* What a lookup or a lock answered, besides its return value. */
struct gvm_result {
	struct gvm_lookup lookup;
	struct gvm_locked locked;
};

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
