// SPDX-License-Identifier: MIT
/*
 * gvm_parse_fuzzer: the .gvm parser on any bytes (README "Op scripts").
 * It refuses them with "<name>:<line>: <message>", the line one of the
 * input's, or takes them; either way the commands it took (on an error,
 * those of the lines before it) print as canonical text that parses back
 * to the same commands: what gpuvm-decode writes and gpuvm-replay reads
 * agree.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static __attribute__((noreturn, format(printf, 1, 2))) void bug(const char *fmt, ...)
{
	va_list ap;

	fputs("BUG: gvm_parse_fuzzer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Lines of @size bytes as the parser counts them: a last one without newline counts. */
static unsigned long lines_of(const uint8_t *data, size_t size)
{
	unsigned long n = 1;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n' && i + 1 < size)
			n++;
	return n;
}

/* "in:<line>: <message>", one line, <line> within the input. */
static void check_error(const char *err, unsigned long lines)
{
	unsigned long line;
	char *end;

	if (strncmp(err, "in:", 3))
		bug("error without the script's name: \"%s\"", err);
	line = strtoul(err + 3, &end, 10);
	if (end == err + 3 || strncmp(end, ": ", 2) || !end[2])
		bug("error not \"in:<line>: <message>\": \"%s\"", err);
	if (line < 1 || line > lines)
		bug("error at line %lu of a %lu-line input: \"%s\"", line, lines, err);
	if (strchr(err, '\n'))
		bug("error over several lines: \"%s\"", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gvm_script s = { 0 }, back = { 0 };
	char err[GVM_MAX_LINE + 256], line[GVM_MAX_LINE + 1];
	unsigned long lines = lines_of(data, size);
	size_t len = 0, cap = 0, i;
	char *text = NULL;
	bool whole = true;

	/* On an error @s holds the commands of the lines before it: check those too. */
	if (gvm_parse("in", (const char *)data, size, &s, err, sizeof(err))) {
		check_error(err, lines);
		whole = false;
	}
	for (i = 0; i < s.n; i++) {
		const struct gvm_cmd *c = &s.cmds[i];
		int n = gvm_cmd_format(c, line, sizeof(line));

		if (n < 0 || (size_t)n >= sizeof(line))
			bug("command %zu (line %u) has no canonical text", i + 1, c->line);
		if (!c->line || c->line > lines || (i && c->line <= s.cmds[i - 1].line))
			bug("command %zu says line %u of %lu, after line %u", i + 1, c->line, lines,
			    i ? s.cmds[i - 1].line : 0);
		if (len + (size_t)n + 1 > cap) {
			cap = 2 * (len + (size_t)n + 1);
			text = realloc(text, cap);
			if (!text)
				abort();	/* the harness must not fail */
		}
		memcpy(text + len, line, (size_t)n);
		len += (size_t)n;
		text[len++] = '\n';
	}
	/*
	 * A whole script's schedule names only threads it has; the lines
	 * before an error may lack the threads of the records among them.
	 */
	if (gvm_parse("back", text ? text : "", len, &back, err, sizeof(err))) {
		if (whole || !strstr(err, ": schedule: no "))
			bug("the canonical text does not parse: %s", err);
		free(text);
		gvm_script_free(&back);
		gvm_script_free(&s);
		return 0;
	}
	if (back.n != s.n)
		bug("%zu commands printed, %zu parsed back", s.n, back.n);
	for (i = 0; i < s.n; i++)
		if (!gvm_cmd_equal(&s.cmds[i], &back.cmds[i]) || back.cmds[i].line != i + 1)
			bug("command %zu (line %u) does not parse back to itself", i + 1,
			    s.cmds[i].line);
	free(text);
	gvm_script_free(&back);
	gvm_script_free(&s);
	return 0;
}
