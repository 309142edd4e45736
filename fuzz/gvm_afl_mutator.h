/* SPDX-License-Identifier: MIT */
/*
 * AFL++'s custom mutator API as fuzz/gvm_afl_mutator.c implements it
 * (AFL++'s docs/custom_mutators.md): afl-fuzz finds these by name in the
 * library AFL_CUSTOM_MUTATOR_LIBRARY names; tests call them directly.
 * afl-fuzz calls them from its one thread; @data is what init returned.
 */
#ifndef GVM_AFL_MUTATOR_H
#define GVM_AFL_MUTATOR_H

#include <stddef.h>

/* State for one afl-fuzz instance, its changes chosen by @seed; NULL on ENOMEM. */
void *afl_custom_init(void *afl, unsigned int seed);

/* How many inputs the custom stage makes of the queue entry @buf. */
unsigned int afl_custom_fuzz_count(void *data, const unsigned char *buf, size_t buf_size);

/*
 * One input made of the queue entry @buf (never written to): set in
 * *@out_buf, valid until the next call, at most @max_size bytes; return
 * its size, 0 when none was made (afl-fuzz then runs nothing).
 */
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size, unsigned char **out_buf,
		       unsigned char *add_buf, size_t add_buf_size, size_t max_size);

/*
 * The same inside havoc, as one of its stacked steps (on its scratch copy
 * of the entry); afl-fuzz ignores a 0.
 */
size_t afl_custom_havoc_mutation(void *data, unsigned char *buf, size_t buf_size,
				 unsigned char **out_buf, size_t max_size);

/* How often, in percent, a step of havoc calls afl_custom_havoc_mutation(). */
unsigned char afl_custom_havoc_mutation_probability(void *data);

void afl_custom_deinit(void *data);

#endif
