// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay: run a .gvm op script against the library, upstream's own
 * drm_gpuvm.c, or both in lockstep, with every check on. Exit 0 clean, 1 a
 * finding (BUG: or DIFF: lines on stderr), 2 a bad script, a command the
 * backend does not support, or bad usage ("file:line: message" on stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_exec.h"
#include "fuzz/gvm_file.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_run.h"
#include "fuzz/gvm_targets.h"

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [options] SCRIPT.gvm|-\n"
		"\n"
		"Replay a GPUVM op script with every check on: the invariant\n"
		"checker, refcount equations, WARNs and the reference model after\n"
		"every command, and a leak check at the end.\n"
		"\n"
		"  -b, --backend=NAME  lean (lib/, the default), upstream (upstream's\n"
		"                      own drm_gpuvm.c), or both: run on the two in\n"
		"                      lockstep and report the first difference in\n"
		"                      events or state (DIFF: lines on stderr)\n"
		"  -k, --known-findings  look past upstream's known findings\n"
		"                      (docs/upstream-findings.md) where the driver\n"
		"                      model recognises them, as the fuzz targets do\n"
		"  -K, --keep-going    run the rest of the script after a finding, to see\n"
		"                      what follows from it (later BUG: lines may be\n"
		"                      consequences of the first)\n"
		"  -q, --quiet         do not print \"op\" lines\n"
		"  -t, --trace         print each command (\"> cmd\") before its events\n"
		"  -s, --switches      threads: print every switch point as it is reached,\n"
		"                      with its decision number (for \"schedule S T\" lines)\n"
		"                      and the thread's count of its operation (\"unlock.2\",\n"
		"                      for \"schedule A unlock.2 T\" lines)\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 clean, 1 a finding or a difference (BUG: or DIFF:\n"
		"lines on stderr), 2 a bad script, a command the backend does not\n"
		"support, or bad usage.\n", argv0);
}

/* Backend(s) for --backend=@name: 0, 2 on a bad name, -1 out of memory. */
static int run_create(struct gvm_run **r, const char *name, const struct gvm_exec_opts *opts)
{
	gvm_backend_create_fn *create = gvm_backend_find(name);

	if (!strcmp(name, "both"))
		*r = gvm_run_create(opts, gvm_backend_find("lean"), "lean",
				    gvm_backend_find("upstream"), "upstream");
	else if (create)
		*r = gvm_run_create(opts, create, name, NULL, NULL);
	else
		return 2;
	return *r ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "known-findings", no_argument, NULL, 'k' },
		{ "keep-going", no_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace", no_argument, NULL, 't' },
		{ "switches", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gvm_exec_opts opts = { .out = stdout, .err = stderr };
	struct gvm_script script = { 0 };
	const char *path, *backend = "lean", *why;
	struct gvm_run *r = NULL;
	char err[GVM_MAX_LINE + 256];
	size_t len = 0, i;
	int c, status = 0;
	bool keep_going = false;
	char *text;

	while ((c = getopt_long(argc, argv, "b:kKqtsh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 'k':
			opts.known_findings = true;
			break;
		case 'K':
			keep_going = true;
			break;
		case 'q':
			opts.quiet_ops = true;
			break;
		case 's':
			opts.switches = true;
			break;
		case 't':
			opts.trace = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected exactly one script (or - for stdin)\n", argv[0]);
		usage(stderr, argv[0]);
		return 2;
	}
	path = argv[optind];
	opts.name = gvm_input_name(path);
	text = gvm_read_input(argv[0], path, &len);
	if (!text)
		return 2;
	if (gvm_parse(opts.name, text, len, &script, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(text);
		gvm_script_free(&script);
		return 2;
	}
	free(text);

	c = run_create(&r, backend, &opts);
	if (c) {
		if (c == 2)
			fprintf(stderr, "%s: unknown backend '%s' (lean, upstream or both)\n",
				argv[0], backend);
		else
			fprintf(stderr, "%s: out of memory\n", argv[0]);
		gvm_script_free(&script);
		return 2;
	}
	/* Refuse the script before running any of it, never half-way. */
	for (i = 0; i < script.n; i++) {
		why = gvm_run_unsupported(r, &script.cmds[i]);
		if (why) {
			fprintf(stderr, "%s:%u: %s: unsupported on the %s\n", opts.name,
				script.cmds[i].line, gvm_kind_name(script.cmds[i].kind), why);
			gvm_run_destroy(r);
			gvm_script_free(&script);
			return 2;
		}
	}
	for (i = 0; i < script.n && (!status || keep_going); i++)
		status |= gvm_run_cmd(r, &script.cmds[i]);
	if (!status || keep_going)
		status |= gvm_run_finish(r);
	fflush(stdout);
	gvm_run_destroy(r);
	gvm_script_free(&script);
	return status ? 1 : 0;
}
