/* SPDX-License-Identifier: MIT */
/*
 * Differential runs: one command stream on two executors over different
 * backends (lib/ and upstream's drm_gpuvm.c), in lockstep. After every
 * command the two must have printed the same events (ops, errors, freed
 * and validated lines, dumps) and hold the same state in every VM (VAs,
 * vm_bos with their refcounts and flags, zombies); the first difference is
 * a finding, as are the findings of either executor's own checks.
 */
#ifndef GVM_DIFF_H
#define GVM_DIFF_H

#include "gvm_exec.h"

struct gvm_diff;

/*
 * Two executors with @opts (->out gets the first one's events, ->err the
 * BUG: and DIFF: lines) over backends @a and @b, named @an and @bn in
 * messages. NULL on allocation failure.
 */
struct gvm_diff *gvm_diff_create(const struct gvm_exec_opts *opts,
				 gvm_backend_create_fn *a, const char *an,
				 gvm_backend_create_fn *b, const char *bn);

/*
 * NULL if both backends can run @c, else why not (with the backend's name).
 * "inject alloc" is refused: the two allocate differently, so its failures
 * cannot be compared ("inject step" can).
 */
const char *gvm_diff_unsupported(struct gvm_diff *d, const struct gvm_cmd *c);

/* Run @c on both and compare. Return: 0, or 1 for a finding or a difference. */
int gvm_diff_run(struct gvm_diff *d, const struct gvm_cmd *c);

/* Finish both executors (release, leak checks). Return: 0 or 1. */
int gvm_diff_finish(struct gvm_diff *d);

void gvm_diff_destroy(struct gvm_diff *d);

#endif
