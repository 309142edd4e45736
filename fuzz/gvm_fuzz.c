// SPDX-License-Identifier: MIT
/* The body of every fuzz target; see gvm_fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include "gvm_exec.h"
#include "gvm_fuzz.h"

int gvm_fuzz_one(enum gvm_target target, const uint8_t *data, size_t size)
{
	struct gvm_exec_opts opts = { .err = stderr, .name = gvm_target_name(target) };
	struct gvm_script script = { 0 };
	struct gvm_exec *x;
	int status = 0;
	size_t i;

	if (gvm_decode(target, data, size, &script)) {
		gvm_script_free(&script);
		return 0;	/* out of memory in the harness: not a finding */
	}
	x = gvm_exec_create(&opts);
	if (!x) {
		gvm_script_free(&script);
		return 0;
	}
	for (i = 0; i < script.n && !status; i++)
		status = gvm_exec_run(x, &script.cmds[i]);
	if (!status)
		status = gvm_exec_finish(x);
	if (status) {
		fprintf(stderr, "BUG: found by %s; gpuvm_decode --target %s turns the input into a script\n",
			gvm_target_name(target), gvm_target_name(target));
		fflush(stderr);
		abort();
	}
	gvm_exec_destroy(x);
	gvm_script_free(&script);
	return 0;
}
