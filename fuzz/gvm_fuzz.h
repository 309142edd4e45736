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

/*
 * libFuzzer's mutation of an input of target @t (LLVMFuzzerCustomMutator()):
 * libFuzzer's own (LLVMFuzzerMutate()), but for an input with a schedule
 * now and then a change of the schedule as a whole (gvm_mutate_schedule()).
 */
size_t gvm_fuzz_mutate(const struct gvm_fuzz_target *t, uint8_t *data, size_t size, size_t max,
		       unsigned int seed);

/* LLVMFuzzerTestOneInput() of the target of row @name (fuzz/gvm_fuzz_main.c). */
#define GVM_FUZZ_MAIN(name)	GVM_FUZZ_MAIN_(name)
#define GVM_FUZZ_MAIN_(name)							\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
	{									\
		return gvm_fuzz_one(&gvm_fuzz_targets[GVM_FUZZ_##name], data, size); \
	}

/*
 * LLVMFuzzerCustomMutator() of the target of row @name, whose inputs end
 * in a schedule (fuzz/gvm_fuzz_mutator.c): only such targets have one, as
 * libFuzzer turns its length control off by default for a target that
 * does (their fuzz/<name>.options turn it back on).
 */
#define GVM_FUZZ_MUTATOR(name)	GVM_FUZZ_MUTATOR_(name)
#define GVM_FUZZ_MUTATOR_(name)							\
	size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,	\
				       unsigned int seed);			\
	size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,	\
				       unsigned int seed)			\
	{									\
		return gvm_fuzz_mutate(&gvm_fuzz_targets[GVM_FUZZ_##name], data, size, \
				       max, seed);				\
	}

#endif
