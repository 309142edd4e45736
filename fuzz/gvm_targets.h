/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets of fuzz/targets.def, for the C code: the body every
 * target shares (gvm_fuzz.h) and the tools that take a target's name
 * (gpuvm_decode, gpuvm_encode) read their rows here.
 */
#ifndef GVM_TARGETS_H
#define GVM_TARGETS_H

#include <stdbool.h>
#include <stdio.h>
#include "gvm_backend.h"

/* GVM_FUZZ_multi_vm_fuzzer, ...: a target's row in gvm_fuzz_targets[]. */
enum gvm_fuzz_id {
#define GVM_FUZZ_TARGET(name, input, a, b, check, ci) GVM_FUZZ_##name,
#include "targets.def"
#undef GVM_FUZZ_TARGET
	GVM_FUZZ_NR
};

struct gvm_fuzz_target {
	const char *name;
	int format;		/* enum gvm_format; -1: not a command stream */
	const char *a;		/* the backend it runs on; NULL: none */
	const char *b;		/* non-NULL: in lockstep with this one */
	bool state_at_end;	/* struct gvm_exec_opts */
};

extern const struct gvm_fuzz_target gvm_fuzz_targets[GVM_FUZZ_NR];

/*
 * The target a tool's --target @arg names ("upstream_multi_vm_fuzzer",
 * the "_fuzzer" may be left out); only those with an input format if
 * @decoded. NULL after telling stderr, as @prog, what is wrong (no
 * --target, an unknown one) and which targets there are.
 */
const struct gvm_fuzz_target *gvm_fuzz_target_from_arg(const char *prog, const char *arg,
						       bool decoded);

/* The target names to @f, comma-separated, no newline (usage texts). */
void gvm_print_targets(FILE *f, bool decoded);

/*
 * The backend called @name: "lean" (lib/, always linked in) or "upstream"
 * (only in binaries linked with //fuzz:driver_upstream). NULL if this
 * binary has no such backend.
 */
gvm_backend_create_fn *gvm_backend_find(const char *name);

#endif
