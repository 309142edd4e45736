/* SPDX-License-Identifier: MIT */
/*
 * Fuzz inputs as command streams. Each fuzz target has its own decoder
 * from bytes to a script: total (any byte string decodes to a script that
 * gvm_script_validate() accepts), deterministic, bounded (at most
 * GVM_FUZZ_MAX_CMDS commands), and mutation-friendly (fixed-size records,
 * ids taken modulo the number created, values on a small page grid with a
 * table of edge values and an escape for any u64). The encoder is its
 * inverse on scripts in the target's canonical form, so seeds are authored
 * as .gvm scripts. The byte format of each target is documented in
 * gvm_decode.c next to its decoder.
 */
#ifndef GVM_DECODE_H
#define GVM_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "gvm_cmd.h"

#define GVM_FUZZ_MAX_CMDS	128

enum gvm_target {
	GVM_TARGET_MULTI_VM,	/* 1-4 VMs, up to 8 objects, every command */
	GVM_TARGET_SPLIT_MERGE,	/* one twinned VM, map/unmap/madvise/prefetch */
	GVM_TARGET_LIFETIME,	/* obtain/put/close/destroy/cleanup/evict orders */
	GVM_TARGET_FAULT,	/* multi_vm plus injected allocation failures */
	GVM_TARGET_NR
};

/* "multi_vm_fuzzer", ...; NULL if out of range. */
const char *gvm_target_name(enum gvm_target target);

/* The target called @name ("multi_vm_fuzzer" or "multi_vm"); -1 if none. */
int gvm_target_from_name(const char *name);

/*
 * The target a tool's --target @arg names, its decoder being @name (NULL:
 * @arg itself); -1 after telling stderr, as @prog, what is wrong (no
 * --target, or an unknown one) and which targets there are.
 */
int gvm_target_from_arg(const char *prog, const char *arg, const char *name);

/* Print the target names to @f, comma-separated, no newline (usage texts). */
void gvm_print_targets(FILE *f);

/**
 * gvm_decode() - the script of a fuzz input
 *
 * Appends to @out. Return: 0, or -1 only when memory runs out.
 */
int gvm_decode(enum gvm_target target, const uint8_t *data, size_t size,
	       struct gvm_script *out);

/**
 * gvm_encode() - the input bytes that decode to @s
 *
 * @s must be in @target's canonical form (the prologue the decoder writes,
 * ids in creation order, only the target's commands): otherwise -1 with a
 * "line N: ..." reason in @err. On success *@data (malloc'd, the caller
 * frees) holds *@size bytes with gvm_decode(@target, ...) == @s.
 */
int gvm_encode(enum gvm_target target, const struct gvm_script *s,
	       uint8_t **data, size_t *size, char *err, size_t errlen);

#endif /* GVM_DECODE_H */
