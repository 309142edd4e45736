// SPDX-License-Identifier: MIT
/*
 * AFL++'s custom mutator library for targets whose inputs end in a
 * schedule (gvm_schedule_tail.h): afl-fuzz loads it through
 * AFL_CUSTOM_MUTATOR_LIBRARY (tools/fuzz-afl). It changes schedules as a
 * whole, as libFuzzer's mutation hook (gvm_fuzz_mutate()) does for one
 * mutation in four, in two places:
 *
 * - a stage of its own before havoc, for each queue entry: FUZZ_COUNT
 *   inputs, each the entry with one change to its schedule;
 * - inside havoc, among its stacked byte mutations: HAVOC_PERCENT of its
 *   steps also change the schedule. Havoc runs thousands of inputs per
 *   entry to the stage's few dozen, so this is where most of them are
 *   made (docs/concurrency.md).
 *
 * It runs inside afl-fuzz, not in the target: built without sanitizers or
 * AFL++ instrumentation (--config=opt), and nothing of the harness but
 * the tail's reader and writer (gvm_mutate.c).
 */
#include <stdlib.h>
#include <string.h>
#include "gvm_afl_mutator.h"
#include "gvm_schedule_tail.h"

/*
 * Inputs per queue entry: about a fifth of what havoc runs on an entry of
 * average score (256), near the quarter that libFuzzer's hook gets.
 */
#define FUZZ_COUNT	64
/* Chance that a step of havoc also changes the schedule (AFL++'s own: 6). */
#define HAVOC_PERCENT	10
/* Seeds tried for one input before giving up on it (gvm_fuzz_mutate()). */
#define TRIES		4

struct gvm_afl_mutator {
	unsigned int seed;	/* the next change's, from afl-fuzz's seed */
	uint8_t *buf;		/* the input made, valid until the next call */
	size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct gvm_afl_mutator *m = calloc(1, sizeof(*m));

	(void)afl;
	if (m)
		m->seed = seed;
	return m;	/* NULL: afl-fuzz stops with "custom mutator init failed" */
}

unsigned int afl_custom_fuzz_count(void *data, const unsigned char *buf, size_t buf_size)
{
	(void)data;
	(void)buf;
	return buf_size ? FUZZ_COUNT : 0;
}

/*
 * @buf with one change to its schedule, in a buffer of ours; 0 when no
 * change could be made.
 */
static size_t change_schedule(struct gvm_afl_mutator *m, unsigned char *buf, size_t buf_size,
			      unsigned char **out_buf, size_t max_size)
{
	size_t n = 0;
	int i;

	/* afl-fuzz refuses a NULL buffer, even with size 0. */
	*out_buf = buf;
	if (!buf_size || buf_size > max_size)
		return 0;
	if (m->cap < max_size) {
		uint8_t *p = realloc(m->buf, max_size);

		if (!p)
			return 0;
		m->buf = p;
		m->cap = max_size;
	}
	*out_buf = m->buf;
	for (i = 0; i < TRIES && !n; i++) {
		memcpy(m->buf, buf, buf_size);
		n = gvm_mutate_schedule_tail(m->buf, buf_size, max_size, m->seed++);
	}
	return n;
}

/*
 * The queue entry @buf with one change to its schedule; 0 (nothing to
 * run) when none could be made. @add_buf, the entry AFL++ offers for
 * splicing, is not used: a schedule belongs to its own commands.
 */
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size, unsigned char **out_buf,
		       unsigned char *add_buf, size_t add_buf_size, size_t max_size)
{
	(void)add_buf;
	(void)add_buf_size;
	return change_schedule(data, buf, buf_size, out_buf, max_size);
}

size_t afl_custom_havoc_mutation(void *data, unsigned char *buf, size_t buf_size,
				 unsigned char **out_buf, size_t max_size)
{
	return change_schedule(data, buf, buf_size, out_buf, max_size);
}

unsigned char afl_custom_havoc_mutation_probability(void *data)
{
	(void)data;
	return HAVOC_PERCENT;
}

void afl_custom_deinit(void *data)
{
	struct gvm_afl_mutator *m = data;

	if (m)
		free(m->buf);
	free(m);
}
