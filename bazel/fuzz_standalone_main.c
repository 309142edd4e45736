// SPDX-License-Identifier: MIT
/*
 * main() for a libFuzzer-style harness when no fuzzing engine is linked in
 * (see //bazel:fuzz.bzl).  It feeds each file named on the command line, or
 * stdin when there is none, to LLVMFuzzerTestOneInput() once: enough to
 * replay a corpus or reproduce a crash under any config, including gcc.
 * Arguments starting with '-' are libFuzzer options and are ignored.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a harness, as with libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_one(const char *name, FILE *f)
{
	uint8_t *buf = NULL, *data;
	size_t len = 0, cap = 0;

	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *p;

			cap = cap ? 2 * cap : 4096;
			p = realloc(buf, cap);
			if (!p) {
				fprintf(stderr, "%s: out of memory\n", name);
				free(buf);
				return -1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		free(buf);
		return -1;
	}

	/*
	 * Hand over an exactly sized copy so that ASan catches a harness
	 * reading past the input, as it would under libFuzzer.
	 */
	data = malloc(len ? len : 1);
	if (!data) {
		fprintf(stderr, "%s: out of memory\n", name);
		free(buf);
		return -1;
	}
	if (len)
		memcpy(data, buf, len);
	free(buf);

	fprintf(stderr, "Running: %s (%zu bytes)\n", name, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, ret = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);

	for (int i = 1; i < argc; i++) {
		FILE *f;

		if (argv[i][0] == '-')
			continue;
		files++;
		f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			ret = -1;
			continue;
		}
		if (run_one(argv[i], f))
			ret = -1;
		fclose(f);
	}
	if (!files && run_one("<stdin>", stdin))
		ret = -1;

	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
