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
#include "fuzz/gvm_run.h"
#include "fuzz/gvm_targets.h"

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
	gvm_print_targets(f, true);
	fprintf(f,
		"\n"
		"                     (the _fuzzer suffix may be left out);\n"
		"                     on upstream's drm_gpuvm.c (upstream_NAME,\n"
		"                     differential_*): the script the target\n"
		"                     runs, commands the tree's API era lacks\n"
		"                     adapted away (in lockstep also inject alloc)\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 done, 1 out of memory, 2 bad usage or an\n"
		"unreadable input.\n");
}

/* Adapt @script as fuzz target @t does; -1 out of memory. */
static int adapt(const struct gvm_fuzz_target *t, struct gvm_script *script, size_t *changes)
{
	struct gvm_exec_opts opts = { 0 };
	struct gvm_run *r = gvm_run_create(&opts, gvm_backend_find(t->a), t->a,
					   gvm_backend_find(t->b), t->b);

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
	const char *path, *name, *target_arg = NULL;
	const struct gvm_fuzz_target *t;
	size_t changes = 0;
	char line[GVM_MAX_LINE + 1];
	size_t len = 0, i;
	uint8_t *data;
	int c, status = 0;

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
	t = gvm_fuzz_target_from_arg(argv[0], target_arg, true);
	if (!t)
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
	if (gvm_decode((enum gvm_format)t->format, data, len, &script)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		free(data);
		gvm_script_free(&script);
		return 1;
	}
	free(data);
	if (adapt(t, &script, &changes)) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		gvm_script_free(&script);
		return 1;
	}

	printf("# decoded from %s for %s\n", name, t->name);
	/* lib/ alone, gpuvm-replay's default, runs every command. */
	if (t->b || strcmp(t->a, "lean"))
		printf("# replay with: gpuvm_replay --backend=%s (%zu command(s) adapted to it)\n",
		       t->b ? "both" : t->a, changes);
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
