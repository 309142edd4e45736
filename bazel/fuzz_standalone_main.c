// SPDX-License-Identifier: MIT
/*
 * main() for a libFuzzer-style harness when no fuzzing engine is linked in
 * (see //bazel:fuzz.bzl).  It feeds each file named on the command line,
 * each file below each folder named (in name order; *.gvm, *.md and hidden
 * files are skipped: corpora keep seed scripts and notes beside the
 * inputs), or stdin when nothing is named, to LLVMFuzzerTestOneInput()
 * once: enough to replay a corpus or reproduce a crash under any config,
 * including gcc.  Naming paths that hold no input at all is an error, so a
 * regression test cannot pass by replaying nothing.  Arguments starting
 * with '-' are libFuzzer options and are ignored.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static bool skipped(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || (n >= 4 && !strcmp(name + n - 4, ".gvm")) ||
	       (n >= 3 && !strcmp(name + n - 3, ".md"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run @path: a file, or every input below a folder. Counts into @inputs. */
static int run_path(const char *path, unsigned long *inputs)
{
	struct stat st;
	int ret = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent *d;
		char **names = NULL;
		size_t n = 0, cap = 0, i;
		DIR *dir = opendir(path);

		if (!dir) {
			perror(path);
			return -1;
		}
		while ((d = readdir(dir))) {
			if (skipped(d->d_name))
				continue;
			if (n == cap) {
				char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

				if (!p)
					break;
				names = p;
			}
			if (!(names[n] = malloc(strlen(path) + strlen(d->d_name) + 2)))
				break;
			sprintf(names[n++], "%s/%s", path, d->d_name);
		}
		closedir(dir);
		if (n)
			qsort(names, n, sizeof(*names), cmp_names);
		for (i = 0; i < n; i++) {
			if (run_path(names[i], inputs))
				ret = -1;
			free(names[i]);
		}
		free(names);
		return ret;
	} else {
		FILE *f = fopen(path, "rb");

		if (!f) {
			perror(path);
			return -1;
		}
		ret = run_one(path, f);
		fclose(f);
		if (!ret)
			(*inputs)++;
		return ret;
	}
}

/*
 * Coverage builds (clang's profile runtime linked in): an input that is a
 * finding aborts, and would take its profile with it. Write it first:
 * tools/coverage counts what a finding reached too.
 */
int __llvm_profile_write_file(void) __attribute__((weak));

static void write_profile_and_abort(int sig)
{
	__llvm_profile_write_file();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	unsigned long inputs = 0;
	int paths = 0, ret = 0;

	if (__llvm_profile_write_file)
		signal(SIGABRT, write_profile_and_abort);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		paths++;
		if (run_path(argv[i], &inputs))
			ret = -1;
	}
	if (!paths) {
		if (run_one("<stdin>", stdin))
			ret = -1;
		else
			inputs++;
	} else if (!inputs) {
		fprintf(stderr, "no input found in the paths given\n");
		ret = -1;
	}
	/* A finding aborts before this line: every input counted here passed. */
	printf("%lu passed, %d failed\n", inputs, ret ? 1 : 0);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
