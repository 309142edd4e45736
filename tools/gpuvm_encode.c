// SPDX-License-Identifier: MIT
/*
 * gpuvm-encode: the fuzz input bytes that decode to a .gvm op script for
 * one fuzz target (fuzz/gvm_decode.h). The script must be in the target's
 * canonical form, as seeds are. Exit 0 written, 1 a write error or out of
 * memory, 2 bad usage, an unreadable, malformed or non-canonical script.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/gvm_decode.h"
#include "fuzz/gvm_file.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_targets.h"

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s --target NAME [-o OUT] SCRIPT.gvm|-\n"
		"\n"
		"Write the fuzz input for target NAME that decodes to the op\n"
		"script SCRIPT.gvm (- for stdin). The script must be in the\n"
		"target's canonical form (its prologue, ids in creation order,\n"
		"only its commands), as \"gpuvm_decode\" prints it.\n"
		"\n"
		"  -t, --target NAME  the fuzz target: ", argv0);
	gvm_print_targets(f, true);
	fprintf(f,
		"\n"
		"                     (the _fuzzer suffix may be left out)\n"
		"  -o, --output OUT   write to OUT instead of stdout (never a\n"
		"                     terminal)\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 written, 1 a write error, 2 bad usage or a bad\n"
		"script.\n");
}

/* Write @size bytes to @out (NULL: stdout); 0 or -1 with a message. */
static int write_out(const char *argv0, const char *out, const uint8_t *data,
		     size_t size)
{
	FILE *f = out ? fopen(out, "wb") : stdout;
	const char *name = out ? out : "stdout";
	int bad;

	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", argv0, out,
			strerror(errno));
		return -1;
	}
	bad = size && fwrite(data, 1, size, f) != size;
	bad |= fflush(f) != 0;
	bad |= ferror(f) != 0;
	if (out)
		bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "%s: cannot write %s: %s\n", argv0, name,
			strerror(errno));
		if (out)
			remove(out);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gvm_script script = { 0 };
	const char *path, *name, *target_arg = NULL, *out = NULL;
	char err[GVM_MAX_LINE + 256];
	uint8_t *data = NULL;
	size_t len = 0, size = 0;
	const struct gvm_fuzz_target *t;
	int c, status;
	char *text;

	while ((c = getopt_long(argc, argv, "t:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			target_arg = optarg;
			break;
		case 'o':
			out = optarg;
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
		fprintf(stderr, "%s: expected exactly one script (or - for stdin)\n",
			argv[0]);
		usage(stderr, argv[0]);
		return 2;
	}
	if (out && !strcmp(out, "-"))
		out = NULL;
	if (!out && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write binary data to a terminal; use -o OUT or redirect stdout\n",
			argv[0]);
		return 2;
	}

	path = argv[optind];
	name = gvm_input_name(path);
	text = gvm_read_input(argv[0], path, &len);
	if (!text)
		return 2;
	if (gvm_parse(name, text, len, &script, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(text);
		gvm_script_free(&script);
		return 2;
	}
	free(text);

	if (gvm_encode((enum gvm_format)t->format, &script, &data, &size, err,
		       sizeof(err))) {
		/* Reasons about the script start "line N: ". */
		status = strncmp(err, "line ", 5) ? 1 : 2;
		if (status == 2)
			fprintf(stderr, "%s: not a canonical %s script: %s\n",
				name, t->name,
				err);
		else
			fprintf(stderr, "%s: %s\n", argv[0], err);
		gvm_script_free(&script);
		return status;
	}
	gvm_script_free(&script);
	status = write_out(argv[0], out, data, size) ? 1 : 0;
	free(data);
	return status;
}
