/* SPDX-License-Identifier: MIT */
/*
 * The command executor: runs a command stream on a backend, prints the
 * events in the op-script output format, and after every command checks
 * the backend against itself (invariants, refcounts, WARNs) and against the
 * reference model (the state only at the end with state_at_end). Shared by
 * gpuvm-replay, the fuzz targets and the tests.
 */
#ifndef GVM_EXEC_H
#define GVM_EXEC_H

#include <stdio.h>
#include "gvm_backend.h"
#include "gvm_cmd.h"

struct gvm_exec_opts {
	FILE *out;		/* events and dumps; NULL prints nothing */
	FILE *err;		/* BUG: lines; NULL prints nothing */
	const char *name;	/* script name in BUG: lines */
	bool quiet_ops;		/* no "op" lines */
	bool trace;		/* "> command" before each command's events */
	bool switches;		/* threads: print every switch point as reached */
	gvm_backend_create_fn *backend;	/* NULL: lib/ (gvm_backend_lean_create) */
	unsigned int backend_flags;	/* GVM_LEAN_CALLBACKS (gvm_backend.h) */
	/*
	 * Check the state (invariants, model, lifetimes) only in
	 * gvm_exec_finish() and after "dump"; errors, op shapes and WARNs are
	 * still checked after every command.
	 */
	bool state_at_end;
	/*
	 * Look past upstream's known findings that the driver model can
	 * recognise (GVM_KNOWN_FINDINGS), as the fuzz targets do.
	 */
	bool known_findings;
	/*
	 * Threads: each change of hands between them sets one byte of
	 * @feedback to 1, the byte a hash of where it happened picks
	 * (kcompat_sched_switches()), so that a fuzzer keeps an input that
	 * interleaves the threads at a place no other input did. NULL: none.
	 */
	uint8_t *feedback;
	size_t feedback_size;
};

struct gvm_exec;

/* A fresh executor over opts->backend; NULL on allocation failure. */
struct gvm_exec *gvm_exec_create(const struct gvm_exec_opts *opts);

/**
 * gvm_exec_run() - run one command
 *
 * The command must be valid for the script so far (gvm_script_validate()).
 * Return: 0, or 1 for a finding (BUG: lines already written; then 1 for
 * every later command too). After a finding the executor may run on
 * (gpuvm-replay --keep-going), to show what follows from it: the checks
 * then hold the backend to a model it may no longer match, and a backend
 * left broken by the finding may fault.
 */
int gvm_exec_run(struct gvm_exec *x, const struct gvm_cmd *cmd);

/**
 * gvm_exec_run_threads() - run the threads of a script to their end
 * @cmds: the commands that name a thread ("@T"), in script order; each
 *	thread runs its own in that order
 * @recs: the script's schedule ("schedule S T" lines), by increasing step
 *
 * Under the backend's scheduler (<kcompat/sched.h>): a thread changes
 * hands only where the schedule says, or when it blocks or ends. Each
 * command's events are printed when it ends, after "@T command". A WARN
 * and a deadlock are findings; after a finding, the last switch points
 * before it are printed (thread, operation, object, source line). When
 * the threads are done the model no longer describes the backend: the
 * invariants, WARNs and leaks are still checked, here and in
 * gvm_exec_finish(), the comparison with the model is not.
 * Return: 0, or 1 for a finding.
 */
int gvm_exec_run_threads(struct gvm_exec *x, const struct gvm_cmd *cmds, size_t n,
			 const struct gvm_sched_record *recs, size_t nrecs);

/**
 * gvm_exec_release() - release everything still alive, silently
 *
 * gvm_exec_finish() does it too. Executors whose backends share one
 * allocator must all be released before any is finished, or the first
 * one's leak check counts the others' objects.
 */
void gvm_exec_release(struct gvm_exec *x);

/**
 * gvm_exec_finish() - release everything still alive, silently, and check
 * that nothing leaked. Return: 0, or 1 for a finding.
 */
int gvm_exec_finish(struct gvm_exec *x);

/**
 * gvm_exec_unsupported() - why the executor's backend cannot run @c
 *
 * Return: NULL if it can, else the reason (a feature its GPUVM lacks).
 * Ask for every command before running any.
 */
const char *gvm_exec_unsupported(struct gvm_exec *x, const struct gvm_cmd *c);

/**
 * gvm_exec_snapshot() - the state of VM @vm, for comparing backends
 *
 * Return: 0, -ENOENT if VM @vm is not open (never created, destroyed), or
 * -ENOMEM. @out is valid until the next call into the executor.
 */
int gvm_exec_snapshot(struct gvm_exec *x, uint32_t vm, struct gvm_snapshot *out);

/*
 * gvm_exec_same_last() - whether @a and @b's last commands did the same:
 * the same return value, events (ops, freed, validated) and answer of a
 * lookup or lock. Dumps are states: compare snapshots.
 */
bool gvm_exec_same_last(const struct gvm_exec *a, const struct gvm_exec *b);

/* The last command's events and answer as the output format prints them. */
void gvm_exec_print_last(const struct gvm_exec *x, FILE *f);

/* Free the executor; releases what is still alive if finish did not run. */
void gvm_exec_destroy(struct gvm_exec *x);

#endif
