// SPDX-License-Identifier: MIT
/* See gvm_file.h. Harness code: plain malloc/realloc/free. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_file.h"

void *gvm_read_all(FILE *f, size_t *len)
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

const char *gvm_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

void *gvm_read_input(const char *prog, const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	void *data;

	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	data = gvm_read_all(f, len);
	if (!data)
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, gvm_input_name(path),
			strerror(errno));
	if (f != stdin)
		fclose(f);
	return data;
}
