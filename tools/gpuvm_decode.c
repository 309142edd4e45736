// SPDX-License-Identifier: MIT
/*
 * gpuvm-decode: print the .gvm op script a fuzz input decodes to for one
 * fuzz target (fuzz/gvm_decode.h), one canonical command per line, ready
 * for gpuvm-replay. Exit 0 done, 1 out of memory, 2 bad usage or an
 * unreadable input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_decode.h"
#include "fuzz/gvm_file.h"
#include "fuzz/gvm_fuzz.h"
#include "fuzz/gvm_run.h"

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s --target NAME FILE|-\n"
		"\n"
		"Print the op script that the fuzz input FILE (- for stdin)\n"
		"decodes to for fuzz target NAME, one command per line, after\n"
		"a first line \"# decoded from FILE for NAME\".\n"
		"\n"
		"  -t, --target NAME  the fuzz target: ", argv0);
	gvm_print_targets(f);
	fprintf(f,
		"\n"
		"                     (the _fuzzer suffix may be left out);\n"
		"                     upstream_NAME, differential_fuzzer and\n"
		"                     differential_fault_fuzzer: the script those\n"
		"                     run on upstream's drm_gpuvm.c, commands its\n"
		"                     API era lacks adapted away (in lockstep also\n"
		"                     inject alloc)\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 done, 1 out of memory, 2 bad usage or an\n"
		"unreadable input.\n");
}

/*
 * Targets that run another target's inputs on upstream's drm_gpuvm.c:
 * their backends, with *@base the target whose format they decode.
 */
static const struct gvm_fuzz_on *variant(const char *arg, const char **base)
{
	static const char prefix[] = "upstream_";

	*base = arg;
	if (!strncmp(arg, prefix, strlen(prefix))) {
		*base = arg + strlen(prefix);
		return &gvm_fuzz_upstream;
	}
	if (!strcmp(arg, "differential_fuzzer") || !strcmp(arg, "differential")) {
		*base = gvm_target_name(GVM_TARGET_MULTI_VM);
		return &gvm_fuzz_differential;
	}
	if (!strcmp(arg, "differential_fault_fuzzer") || !strcmp(arg, "differential_fault")) {
		*base = gvm_target_name(GVM_TARGET_FAULT);
		return &gvm_fuzz_differential_fault;
	}
	return NULL;
}

/* Adapt @script as @on's fuzz target does; -1 out of memory. */
static int adapt(const struct gvm_fuzz_on *on, struct gvm_script *script, size_t *changes)
{
	struct gvm_exec_opts opts = { 0 };
	struct gvm_run *r = gvm_run_create(&opts, on->a, on->an, on->b, on->bn);

	if (!r)
		return -1;
	*changes = gvm_run_adapt(r, script);
	gvm_run_destroy(r);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gvm_script script = { 0 };
	const char *path, *name, *target_arg = NULL, *base = NULL;
	const struct gvm_fuzz_on *on;
	size_t changes = 0;
	char line[GVM_MAX_LINE + 1];
	size_t len = 0, i;
	uint8_t *data;
	int c, target, status = 0;

	while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			target_arg = optarg;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	on = target_arg ? variant(target_arg, &base) : NULL;
	target = gvm_target_from_arg(argv[0], target_arg, base);
	if (target < 0)
		return 2;
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected exactly one input file (or - for stdin)\n",
			argv[0]);
		usage(stderr, argv[0]);
		return 2;
	}
	path = argv[optind];
	name = gvm_input_name(path);
	data = gvm_read_input(argv[0], path, &len);
	if (!data)
		return 2;
	if (gvm_decode((enum gvm_target)target, data, len, &script)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		free(data);
		gvm_script_free(&script);
		return 1;
	}
	free(data);
	if (on && adapt(on, &script, &changes)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		gvm_script_free(&script);
		return 1;
	}

	printf("# decoded from %s for %s\n", name,
	       on ? target_arg : gvm_target_name((enum gvm_target)target));
	if (on)
		printf("# replay with: gpuvm_replay --backend=%s (%zu command(s) adapted to it)\n",
		       on->b ? "both" : on->an, changes);
	for (i = 0; i < script.n; i++) {
		if (gvm_cmd_format(&script.cmds[i], line, sizeof(line)) < 0) {
			/* Cannot happen: decoded scripts are valid. */
			fprintf(stderr, "%s: internal error: command %zu has no text\n",
				argv[0], i + 1);
			status = 1;
			break;
		}
		printf("%s\n", line);
	}
	gvm_script_free(&script);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the script: %s\n", argv[0],
			strerror(errno));
		return 1;
	}
	return status;
}
