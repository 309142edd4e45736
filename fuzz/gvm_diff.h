/* SPDX-License-Identifier: MIT */
/*
 * Runs that compare: one command stream on two to four executors in
 * lockstep, the only run-twice-and-compare mechanism of the harness. Its
 * sides differ in the GPUVM (lib/ and upstream's drm_gpuvm.c: the
 * differential targets, gpuvm-replay --backend=both), in how it is driven
 * (op lists, or GVM_LEAN_CALLBACKS: the "twin" of a script), or both.
 * After every command each side must have printed what the first printed
 * (ops, errors, freed and validated lines, lookups, locks, dumps) and hold
 * the same state in every VM (VAs, vm_bos with their refcounts and flags,
 * zombies); the first difference is a finding, as are the findings of any
 * side's own checks.
 */
#ifndef GVM_DIFF_H
#define GVM_DIFF_H

#include "gvm_exec.h"

#define GVM_DIFF_MAX_SIDES	4

/* One side: a backend, its flags (gvm_backend.h), its name in messages. */
struct gvm_side {
	gvm_backend_create_fn *create;
	unsigned int flags;
	const char *name;
};

struct gvm_diff;

/*
 * Executors with @opts over the @n (2..GVM_DIFF_MAX_SIDES) @sides; ->out
 * gets the first one's events, ->err the BUG: and DIFF: lines. With
 * ->state_at_end the states are compared after dump and at the finish
 * only. NULL on allocation failure.
 */
struct gvm_diff *gvm_diff_create(const struct gvm_exec_opts *opts,
				 const struct gvm_side *sides, unsigned int n);

/*
 * NULL if every side can run @c, else why not (with the side's name).
 * "inject alloc" is refused: two GPUVMs, or two ways of driving one,
 * allocate differently, so its failures cannot be compared ("inject step"
 * can).
 */
const char *gvm_diff_unsupported(struct gvm_diff *d, const struct gvm_cmd *c);

/* Run @c on every side and compare. Return: 0, or 1 for a finding or a difference. */
int gvm_diff_run(struct gvm_diff *d, const struct gvm_cmd *c);

/* Compare the states, then finish every side (release, leak checks). Return: 0 or 1. */
int gvm_diff_finish(struct gvm_diff *d);

void gvm_diff_destroy(struct gvm_diff *d);

#endif
