// SPDX-License-Identifier: MIT
/* The body of every fuzz target; see gvm_fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_decode.h"
#include "gvm_fuzz.h"
#include "gvm_run.h"

/*
 * Inputs and commands this process ran, for commands per second
 * (bench/fuzz_exec_report, bench/afl_exec_report): exec/s alone rewards
 * short inputs. GVM_FUZZ_STATS set: printed to stderr at exit; set to a
 * path (with a '/'): appended to that file every STATS_EVERY inputs and at
 * exit, as lines to sum, for engines that run the target in processes
 * they may kill (AFL++'s persistent mode) and hide its stderr.
 */
#define STATS_EVERY	1000
static unsigned long long stat_inputs, stat_cmds;
static const char *stat_path;

static void print_stats(void)
{
	FILE *f;

	if (!stat_path) {
		fprintf(stderr, "gvm_fuzz_stats: inputs %llu commands %llu\n", stat_inputs, stat_cmds);
		return;
	}
	f = fopen(stat_path, "a");
	if (!f)
		return;
	fprintf(f, "gvm_fuzz_stats: inputs %llu commands %llu\n", stat_inputs, stat_cmds);
	fclose(f);
	stat_inputs = stat_cmds = 0;
}

static void count(size_t cmds)
{
	static int want = -1;

	if (want < 0) {
		const char *v = getenv("GVM_FUZZ_STATS");

		want = v != NULL;
		if (v && strchr(v, '/'))
			stat_path = v;
		if (want && atexit(print_stats))
			want = 0;
	}
	if (!want)
		return;
	stat_inputs++;
	stat_cmds += cmds;
	if (stat_path && stat_inputs == STATS_EVERY)
		print_stats();
}

/*
 * Where the threads of an input changed hands (gvm_exec_opts.feedback).
 * libFuzzer reads this section as counters of its own, clears them before
 * each input and keeps an input that sets one no input set before, as it
 * does with SanitizerCoverage's: so an input that interleaves the threads
 * at a new place joins the corpus even when it runs no new line. AFL++
 * reads no such section: see afl_slots.
 */
static uint8_t interleavings[1 << 14] __attribute__((used, section("__libfuzzer_extra_counters")));

/*
 * Under AFL++ (its runtime linked in: weak references), each of those
 * bytes gets an entry of AFL++'s coverage map instead, numbered by its
 * runtime as it numbers the edges of instrumented code, and before
 * main(): libAFLDriver's main() starts the fork server, which tells
 * afl-fuzz the map's size. After each input the bytes set are counted
 * there and cleared, as libFuzzer clears its counters. No reference to
 * the map itself: tools/fuzz-afl takes one for instrumentation.
 */
void __afl_manual_init(void) __attribute__((weak));
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop) __attribute__((weak));
void __sanitizer_cov_trace_pc_guard(uint32_t *guard) __attribute__((weak));
static uint32_t afl_slots[sizeof(interleavings)];
static bool afl;

__attribute__((constructor)) static void afl_slots_init(void)
{
	if (!__afl_manual_init || !__sanitizer_cov_trace_pc_guard_init ||
	    !__sanitizer_cov_trace_pc_guard)
		return;
	__sanitizer_cov_trace_pc_guard_init(afl_slots, afl_slots + sizeof(interleavings));
	afl = true;
}

/* GVM_FUZZ_FEEDBACK=0: no interleaving feedback, for A/B runs (bench/README.md). */
static bool feedback_on(void)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv("GVM_FUZZ_FEEDBACK");

		on = !v || strcmp(v, "0");
	}
	return on;
}

static void afl_mark(void)
{
	size_t i;

	for (i = 0; i < sizeof(interleavings); i++)
		if (interleavings[i]) {
			__sanitizer_cov_trace_pc_guard(&afl_slots[i]);
			interleavings[i] = 0;
		}
}

/* libFuzzer's own mutations; absent under other engines, which never call gvm_fuzz_mutate(). */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));
/* Defined by fuzz/gvm_fuzz_mutator.c in targets whose inputs end in a schedule. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
	__attribute__((weak));

int gvm_fuzz_one(const struct gvm_fuzz_target *t, const uint8_t *data, size_t size)
{
	struct gvm_exec_opts opts = {
		.err = stderr,
		.name = t->name,
		.state_at_end = t->state_at_end,
		/* New findings only; tests/upstream_findings keeps the known ones. */
		.known_findings = true,
		.feedback = feedback_on() ? interleavings : NULL,
		.feedback_size = sizeof(interleavings),
	};
	gvm_backend_create_fn *a = gvm_backend_find(t->a);
	gvm_backend_create_fn *b = gvm_backend_find(t->b);
	struct gvm_script script = { 0 };
	struct gvm_run *x;
	int status = 0;
	size_t i;

	if (!a || !b != !t->b) {
		fprintf(stderr, "%s: built without the %s backend its row in fuzz/targets.def names\n",
			t->name, a ? t->b : t->a);
		abort();
	}
	if (!LLVMFuzzerCustomMutator != !gvm_format_has_schedule((enum gvm_format)t->format)) {
		fprintf(stderr, "%s: built %s fuzz/gvm_fuzz_mutator.c, but its inputs %s in a "
			"schedule (SCHEDULE_INPUTS in fuzz/BUILD.bazel)\n", t->name,
			LLVMFuzzerCustomMutator ? "with" : "without",
			LLVMFuzzerCustomMutator ? "do not end" : "end");
		abort();
	}
	if (gvm_decode((enum gvm_format)t->format, data, size, &script)) {
		gvm_script_free(&script);
		return 0;	/* out of memory in the harness: not a finding */
	}
	x = gvm_run_create(&opts, a, t->a, b, t->b);
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
		fprintf(stderr, "BUG: found by %s; gpuvm_decode --target %s turns the input into a script, "
			"gpuvm-replay --known-findings replays it as the target ran it\n", t->name, t->name);
		fflush(stderr);
		abort();
	}
	gvm_run_destroy(x);
	gvm_script_free(&script);
	if (afl)
		afl_mark();
	return 0;
}

/* Of 4 mutations of an input with a schedule, 1 is of the schedule (gvm_mutate.c). */
#define SCHEDULE_ONE_IN	4

size_t gvm_fuzz_mutate(const struct gvm_fuzz_target *t, uint8_t *data, size_t size, size_t max,
		       unsigned int seed)
{
	unsigned int i;
	size_t n;

	if (t->format >= 0 && gvm_format_has_schedule((enum gvm_format)t->format) &&
	    seed % SCHEDULE_ONE_IN == 0)
		/* a change that cannot be made (no room, nothing to move): another */
		for (i = 0; i < 4; i++) {
			n = gvm_mutate_schedule((enum gvm_format)t->format, data, size, max,
						seed / SCHEDULE_ONE_IN + i);
			if (n)
				return n;
		}
	return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max) : size;
}
