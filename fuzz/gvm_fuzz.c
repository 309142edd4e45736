// SPDX-License-Identifier: MIT
/* The body of every fuzz target; see gvm_fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include "gvm_fuzz.h"
#include "gvm_run.h"

/*
 * Inputs and commands this process ran, printed at exit when GVM_FUZZ_STATS
 * is set (bench/fuzz_exec_report's commands per second): exec/s alone
 * rewards short inputs.
 */
static unsigned long long stat_inputs, stat_cmds;

static void print_stats(void)
{
	fprintf(stderr, "gvm_fuzz_stats: inputs %llu commands %llu\n", stat_inputs, stat_cmds);
}

static void count(size_t cmds)
{
	static int want = -1;

	if (want < 0) {
		want = getenv("GVM_FUZZ_STATS") != NULL;
		if (want && atexit(print_stats))
			want = 0;
	}
	stat_inputs++;
	stat_cmds += cmds;
}

int gvm_fuzz_one_on(const struct gvm_fuzz_on *on, enum gvm_target target,
		    const uint8_t *data, size_t size)
{
	/*
	 * split_merge_fuzzer checks every op sequence against the walk
	 * (shape) and against its twin, which is where split/merge bugs
	 * show; the whole state it checks at the end of each input, for 20 %
	 * more inputs per second (bench/README.md). gpuvm-replay still checks
	 * it after every command.
	 */
	struct gvm_exec_opts opts = {
		.err = stderr,
		.name = gvm_target_name(target),
		.state_at_end = target == GVM_TARGET_SPLIT_MERGE,
		/* New findings only; tests/upstream_findings keeps the known ones. */
		.known_findings = true,
	};
	struct gvm_script script = { 0 };
	struct gvm_run *x;
	int status = 0;
	size_t i;

	if (gvm_decode(target, data, size, &script)) {
		gvm_script_free(&script);
		return 0;	/* out of memory in the harness: not a finding */
	}
	x = gvm_run_create(&opts, on->a, on->an, on->b, on->bn);
	if (!x) {
		gvm_script_free(&script);
		return 0;
	}
	gvm_run_adapt(x, &script);
	for (i = 0; i < script.n && !status; i++)
		status = gvm_run_cmd(x, &script.cmds[i]);
	count(i);
	if (!status)
		status = gvm_run_finish(x);
	if (status) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s", on->prefix ? on->prefix : "",
			 on->name ? on->name : gvm_target_name(target));
		fprintf(stderr, "BUG: found by %s; gpuvm_decode --target %s turns the input into a script, "
			"gpuvm-replay --known-findings replays it as the target ran it\n", name, name);
		fflush(stderr);
		abort();
	}
	gvm_run_destroy(x);
	gvm_script_free(&script);
	return 0;
}

int gvm_fuzz_one(enum gvm_target target, const uint8_t *data, size_t size)
{
	static const struct gvm_fuzz_on lean = { .an = "lean" };

	return gvm_fuzz_one_on(&lean, target, data, size);
}
