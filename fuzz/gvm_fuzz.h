/* SPDX-License-Identifier: MIT */
/*
 * The body of every fuzz target: decode the input into a command stream
 * for @target and run it through the executor with every check on, as
 * gpuvm-replay would run the decoded script. A finding prints its BUG:
 * lines and aborts, so the engine and the sanitizers see it at once.
 */
#ifndef GVM_FUZZ_H
#define GVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "gvm_decode.h"

int gvm_fuzz_one(enum gvm_target target, const uint8_t *data, size_t size);

#endif
