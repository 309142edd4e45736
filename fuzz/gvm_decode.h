/* SPDX-License-Identifier: MIT */
/*
 * Fuzz inputs as command streams. Each input format (fuzz/targets.def's
 * "input" column) has its own decoder from bytes to a script: total (any
 * byte string decodes to a script that gvm_script_validate() accepts),
 * deterministic, bounded (at most GVM_FUZZ_MAX_CMDS commands), and
 * mutation-friendly (fixed-size records, ids taken modulo the number
 * created, values on a small page grid with a table of edge values and an
 * escape for any u64). The encoder is its inverse on scripts in the
 * format's canonical form, so seeds are authored as .gvm scripts. Each
 * byte format is documented in gvm_decode.c next to its decoder.
 */
#ifndef GVM_DECODE_H
#define GVM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gvm_cmd.h"
#include "gvm_schedule_tail.h"	/* the schedule at the tail of formats with threads */

#define GVM_FUZZ_MAX_CMDS	128

/* The byte formats of fuzz inputs: fuzz/targets.def's "input" column. */
enum gvm_format {
	GVM_FORMAT_MULTI_VM,	/* 1-4 VMs, up to 8 objects, every command */
	GVM_FORMAT_SPLIT_MERGE,	/* one twinned VM, map/unmap/madvise/prefetch */
	GVM_FORMAT_LIFETIME,	/* obtain/put/close/destroy/cleanup/evict orders */
	GVM_FORMAT_FAULT,	/* multi_vm plus injected allocation failures */
	GVM_FORMAT_CONCURRENCY,	/* multi_vm's prologue, commands on 3 threads, a schedule */
	GVM_FORMAT_NR
};

/* "multi_vm", ...; NULL if out of range. */
const char *gvm_format_name(enum gvm_format format);

/* The format called @name ("multi_vm"); -1 if none. */
int gvm_format_from_name(const char *name);

/* Whether @format's inputs end in a schedule (GVM_SCHED_MAX). */
bool gvm_format_has_schedule(enum gvm_format format);

/*
 * gvm_mutate_schedule_tail() on an input of @format: 0 if the format has
 * no schedule.
 */
size_t gvm_mutate_schedule(enum gvm_format format, uint8_t *data, size_t size, size_t max,
			   unsigned int seed);

/**
 * gvm_decode() - the script of a fuzz input
 *
 * Appends to @out. Return: 0, or -1 only when memory runs out.
 */
int gvm_decode(enum gvm_format format, const uint8_t *data, size_t size,
	       struct gvm_script *out);

/**
 * gvm_encode() - the input bytes that decode to @s
 *
 * @s must be in @format's canonical form (the prologue the decoder writes,
 * ids in creation order, only the format's commands): otherwise -1 with a
 * "line N: ..." reason in @err. On success *@data (malloc'd, the caller
 * frees) holds *@size bytes with gvm_decode(@format, ...) == @s.
 */
int gvm_encode(enum gvm_format format, const struct gvm_script *s,
	       uint8_t **data, size_t *size, char *err, size_t errlen);

#endif /* GVM_DECODE_H */
