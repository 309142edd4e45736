// SPDX-License-Identifier: MIT
/*
 * gpuvm-replay: run a .gvm op script against the library with every check
 * on. Exit 0 clean, 1 a finding (BUG: lines on stderr), 2 a bad script or
 * bad usage ("file:line: message" on stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_exec.h"
#include "fuzz/gvm_parse.h"

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [options] SCRIPT.gvm|-\n"
		"\n"
		"Replay a GPUVM op script against lib/ with every check on: the\n"
		"invariant checker, refcount equations, WARNs and the reference\n"
		"model after every command, and a leak check at the end.\n"
		"\n"
		"  -q, --quiet   do not print \"op\" lines\n"
		"  -t, --trace   print each command (\"> cmd\") before its events\n"
		"  -h, --help    this text\n"
		"\n"
		"Exit status: 0 clean, 1 a finding (BUG: lines on stderr),\n"
		"2 a bad script or usage.\n", argv0);
}

/* Read all of @f; NULL with errno set on failure. */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *grown;

	if (!buf)
		return NULL;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				return NULL;
			}
			buf = grown;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gvm_exec_opts opts = { .out = stdout, .err = stderr };
	struct gvm_script script = { 0 };
	struct gvm_exec *x;
	const char *path;
	char err[GVM_MAX_LINE + 256];
	size_t len = 0, i;
	int c, status = 0;
	char *text;
	FILE *f;

	while ((c = getopt_long(argc, argv, "qth", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			opts.quiet_ops = true;
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
	opts.name = strcmp(path, "-") ? path : "<stdin>";
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], path, strerror(errno));
		return 2;
	}
	text = slurp(f, &len);
	if (f != stdin)
		fclose(f);
	if (!text) {
		fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], path, strerror(errno));
		return 2;
	}
	if (gvm_parse(opts.name, text, len, &script, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(text);
		gvm_script_free(&script);
		return 2;
	}
	free(text);

	x = gvm_exec_create(&opts);
	if (!x) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		gvm_script_free(&script);
		return 2;
	}
	for (i = 0; i < script.n && !status; i++)
		status = gvm_exec_run(x, &script.cmds[i]);
	if (!status)
		status = gvm_exec_finish(x);
	fflush(stdout);
	gvm_exec_destroy(x);
	gvm_script_free(&script);
	return status ? 1 : 0;
}
