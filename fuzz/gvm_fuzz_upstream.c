// SPDX-License-Identifier: MIT
/*
 * The backends of the fuzz targets on upstream's drm_gpuvm.c (gvm_fuzz.h):
 * upstream_<name> runs <name>'s inputs on upstream alone,
 * differential_fuzzer runs multi_vm_fuzzer's on lib/ and upstream in
 * lockstep, differential_fault_fuzzer fault_fuzzer's (its "inject alloc"
 * adapted away, gvm_diff_unsupported(); "inject step" kept).
 */
#include "gvm_fuzz.h"

const struct gvm_fuzz_on gvm_fuzz_upstream = {
	.a = gvm_backend_upstream_create,
	.an = "upstream",
	.prefix = "upstream_",
};

const struct gvm_fuzz_on gvm_fuzz_differential = {
	.a = gvm_backend_lean_create,
	.an = "lean",
	.b = gvm_backend_upstream_create,
	.bn = "upstream",
	.name = "differential_fuzzer",
};

const struct gvm_fuzz_on gvm_fuzz_differential_fault = {
	.a = gvm_backend_lean_create,
	.an = "lean",
	.b = gvm_backend_upstream_create,
	.bn = "upstream",
	.name = "differential_fault_fuzzer",
};
