/* SPDX-License-Identifier: MIT */
/*
 * Parsing and validating .gvm op scripts. The whole script is checked
 * before anything runs; the first problem is reported as
 * "<name>:<line>: <message>".
 */
#ifndef GVM_PARSE_H
#define GVM_PARSE_H

#include "gvm_cmd.h"

/**
 * gvm_parse() - parse @len bytes of script text into @out
 * @name: shown in error messages (a file name, or "<stdin>")
 * @text: the script; need not be NUL-terminated, may contain NUL (an error)
 * @len: its length
 * @out: receives the commands (appended; freed by the caller either way)
 * @err: receives "<name>:<line>: <message>" on failure
 * @errlen: size of @err
 *
 * Syntax: one command per line, '#' starts a comment, tokens split on
 * blanks (space, tab; a trailing CR is ignored), numbers u64 in decimal or
 * 0x hex. Errors: a line longer than GVM_MAX_LINE bytes, a NUL or another
 * control byte, unknown commands, missing or extra operands, malformed or
 * out-of-range numbers, ids >= GVM_MAX_ID, and (gvm_script_validate()) ids
 * used before they were created or created twice.
 *
 * Return: 0, or -1 with @err set.
 */
int gvm_parse(const char *name, const char *text, size_t len,
	      struct gvm_script *out, char *err, size_t errlen);

/**
 * gvm_script_validate() - the semantic checks of gvm_parse()
 *
 * A VM must be created (vm) before any command names it, an object (bo)
 * likewise; neither may be created twice. Closing an object or destroying
 * a VM does not free its id: later commands on it are valid and fail at run
 * time with ENOENT. Used on decoded fuzz inputs too.
 * Return: 0, or -1 with "<name>:<line>: <message>" in @err.
 */
int gvm_script_validate(const char *name, const struct gvm_script *s,
			char *err, size_t errlen);

#endif /* GVM_PARSE_H */
