// SPDX-License-Identifier: MIT
/*
 * The fuzz target GVM_FUZZ_NAME names, a row of fuzz/targets.def: every
 * target that decodes its input is this file, built once per row with
 * -DGVM_FUZZ_NAME=<name> (gpuvm_fuzz_target() in bazel/fuzz.bzl,
 * oss-fuzz/build.sh). Byte formats: fuzz/gvm_decode.c; README "Fuzzing".
 */
#include "fuzz/gvm_fuzz.h"

GVM_FUZZ_MAIN(GVM_FUZZ_NAME)
