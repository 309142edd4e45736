/* SPDX-License-Identifier: MIT */
/*
 * What runs a command stream: one executor over one backend, or several
 * compared in lockstep (gvm_diff.h), behind the same calls: two backends,
 * and a script that starts with "twin" gets a twin of each driven through
 * the callback path. Shared by gpuvm-replay, gpuvm-decode and the fuzz
 * targets.
 */
#ifndef GVM_RUN_H
#define GVM_RUN_H

#include "gvm_exec.h"

struct gvm_run;

/*
 * Backend @a, named @an, alone when @b is NULL, else differential against
 * @b named @bn. @a NULL is lib/. NULL on allocation failure.
 */
struct gvm_run *gvm_run_create(const struct gvm_exec_opts *opts,
			       gvm_backend_create_fn *a, const char *an,
			       gvm_backend_create_fn *b, const char *bn);

/* NULL if every backend of @r can run @c, else why not, naming the backend. */
const char *gvm_run_unsupported(struct gvm_run *r, const struct gvm_cmd *c);

/*
 * Make @s runnable on @r, for fuzz inputs: a VM the backend refuses
 * becomes a plain staged one (no immediate mode, no prealloc), any other
 * refused command is dropped
 * (in lockstep also "inject alloc": the next command then runs without
 * it). The result is still a valid script. Return: the number of changes.
 */
size_t gvm_run_adapt(struct gvm_run *r, struct gvm_script *s);

/*
 * As gvm_exec_run(), gvm_exec_finish(), gvm_exec_destroy(); "twin" as
 * the first command makes the twins. Commands on threads ("@T") and the
 * schedule are kept, and run in gvm_run_finish() before it finishes
 * (gvm_exec_run_threads()); one backend only (gvm_diff_unsupported()).
 */
int gvm_run_cmd(struct gvm_run *r, const struct gvm_cmd *c);
int gvm_run_finish(struct gvm_run *r);
void gvm_run_destroy(struct gvm_run *r);

#endif
