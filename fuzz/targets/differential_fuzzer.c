// SPDX-License-Identifier: MIT
/*
 * differential_fuzzer: multi_vm_fuzzer's inputs (GVM_TARGET_MULTI_VM in
 * fuzz/gvm_decode.c) on lib/ and on upstream's own drm_gpuvm.c in
 * lockstep; any difference in events or state after a command is a
 * finding (fuzz/gvm_diff.h), as is any finding of either side's checks.
 */
#include <stddef.h>
#include <stdint.h>
#include "fuzz/gvm_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return gvm_fuzz_one_on(&gvm_fuzz_differential, GVM_TARGET_MULTI_VM, data, size);
}
