// SPDX-License-Identifier: MIT
/*
 * differential_fault_fuzzer: fault_fuzzer's inputs (GVM_TARGET_FAULT in
 * fuzz/gvm_decode.c) on lib/ and on upstream's own drm_gpuvm.c in
 * lockstep. "inject alloc" is adapted away, since the two allocate
 * differently; "inject step" stays: both GPUVMs must call the same
 * sm_step sequence, so failing its Nth step must give the same ops, the
 * same error and the same unchanged state on both. Any difference is a
 * finding (fuzz/gvm_diff.h), as is any finding of either side's checks.
 */
#include <stddef.h>
#include <stdint.h>
#include "fuzz/gvm_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return gvm_fuzz_one_on(&gvm_fuzz_differential_fault, GVM_TARGET_FAULT, data, size);
}
