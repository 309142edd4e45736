/* SPDX-License-Identifier: MIT */
/*
 * The body of every fuzz target: decode the input into a command stream
 * for @target and run it through the executor with every check on, as
 * gpuvm-replay would run the decoded script. A finding prints its BUG:
 * lines and aborts, so the engine and the sanitizers see it at once.
 */
#ifndef GVM_FUZZ_H
#define GVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "gvm_decode.h"
#include "gvm_exec.h"

/* The backends a fuzz target runs its scripts on (gvm_run_create()). */
struct gvm_fuzz_on {
	gvm_backend_create_fn *a;	/* NULL: lib/ */
	const char *an;
	gvm_backend_create_fn *b;	/* non-NULL: differential, @a against @b */
	const char *bn;
	/* The fuzz target's name: @name, else @prefix and the decoder's name. */
	const char *prefix;
	const char *name;
};

/*
 * The body of a fuzz target on @on: commands the backends cannot run are
 * adapted away first (gvm_run_adapt()), as gpuvm-decode does for the
 * target's name.
 */
int gvm_fuzz_one_on(const struct gvm_fuzz_on *on, enum gvm_target target,
		    const uint8_t *data, size_t size);

/*
 * Upstream's drm_gpuvm.c alone, and lib/ against it on multi_vm_fuzzer's
 * and on fault_fuzzer's inputs (//fuzz:fuzz_upstream).
 */
extern const struct gvm_fuzz_on gvm_fuzz_upstream, gvm_fuzz_differential,
	gvm_fuzz_differential_fault;

#ifdef GVM_FUZZ_UPSTREAM
/* A target built as upstream_<name>: the same source, on upstream. */
#define gvm_fuzz_one(target, data, size) gvm_fuzz_one_on(&gvm_fuzz_upstream, target, data, size)
#else
int gvm_fuzz_one(enum gvm_target target, const uint8_t *data, size_t size);
#endif

#endif
