// SPDX-License-Identifier: MIT
/*
 * libFuzzer's mutation hook for the target GVM_FUZZ_NAME names, linked
 * beside fuzz/gvm_fuzz_main.c into the targets whose input format ends in
 * a schedule (gvm_format_has_schedule(); SCHEDULE_INPUTS in
 * fuzz/BUILD.bazel and oss-fuzz/build.sh): now and then a change of the
 * schedule as a whole (gvm_mutate_schedule()), else libFuzzer's own.
 */
#include "fuzz/gvm_fuzz.h"

GVM_FUZZ_MUTATOR(GVM_FUZZ_NAME)
