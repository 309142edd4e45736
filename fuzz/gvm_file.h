/* SPDX-License-Identifier: MIT */
/* Reading whole inputs (scripts, fuzz inputs) for the tools and tests. */
#ifndef GVM_FILE_H
#define GVM_FILE_H

#include <stddef.h>
#include <stdio.h>

/**
 * gvm_read_all() - everything left in @f, in one malloc()ed buffer
 * @f: an open stream, read to its end, not closed
 * @len: the number of bytes read
 *
 * The buffer has at least one byte of room past *@len. Return: the
 * buffer, to free(); NULL on a read error or out of memory, with errno set.
 */
void *gvm_read_all(FILE *f, size_t *len);

/* How the tools name the input @path in messages: "<stdin>" for "-". */
const char *gvm_input_name(const char *path);

/**
 * gvm_read_input() - a tool's whole input
 * @prog: the tool's name, for messages
 * @path: a file, or "-" for standard input
 * @len: the number of bytes read
 *
 * As gvm_read_all(). Return: the buffer, to free(); NULL after telling
 * stderr why the input cannot be opened or read.
 */
void *gvm_read_input(const char *prog, const char *path, size_t *len);

#endif /* GVM_FILE_H */
