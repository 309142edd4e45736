/* SPDX-License-Identifier: MIT */
/*
 * The body of every fuzz target that decodes its input: decode it into a
 * command stream and run it through the executor with every check on, on
 * the backends of the target's row (fuzz/targets.def), as gpuvm-replay
 * would run the decoded script. A finding prints its BUG: lines and
 * aborts, so the engine and the sanitizers see it at once.
 */
#ifndef GVM_FUZZ_H
#define GVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "gvm_targets.h"

/*
 * Fuzz target @t on one input. Commands its backends cannot run are
 * adapted away first (gvm_run_adapt()), as gpuvm_decode --target does.
 */
int gvm_fuzz_one(const struct gvm_fuzz_target *t, const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput() of the target of row @name (fuzz/gvm_fuzz_main.c). */
#define GVM_FUZZ_MAIN(name)	GVM_FUZZ_MAIN_(name)
#define GVM_FUZZ_MAIN_(name)							\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
	{									\
		return gvm_fuzz_one(&gvm_fuzz_targets[GVM_FUZZ_##name], data, size); \
	}

#endif
