// SPDX-License-Identifier: MIT
/*
 * split_merge_fuzzer: see the byte format of GVM_TARGET_SPLIT_MERGE in fuzz/gvm_decode.c
 * and README "Fuzzing".
 */
#include <stddef.h>
#include <stdint.h>
#include "fuzz/gvm_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return gvm_fuzz_one(GVM_TARGET_SPLIT_MERGE, data, size);
}
