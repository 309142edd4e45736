/* SPDX-License-Identifier: MIT */
/*
 * The schedule at the tail of a fuzz input whose format has threads
 * (gvm_decode.h), and changes to it as a whole. Shared by libFuzzer's
 * mutation hook (gvm_fuzz.c) and AFL++'s mutator library
 * (gvm_afl_mutator.c, loaded into afl-fuzz itself): nothing here knows
 * the rest of the harness.
 *
 * The tail: the last byte c, and before it n = c % (GVM_SCHED_MAX + 1)
 * records of two bytes d, t (n at most what the bytes before c hold); a
 * record whose t has GVM_SCHED_AT names a thread's Nth operation, any
 * other a decision, d after the previous such record's.
 */
#ifndef GVM_SCHEDULE_TAIL_H
#define GVM_SCHEDULE_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define GVM_SCHED_MAX		8
#define GVM_SCHED_AT		0x40u

/**
 * gvm_mutate_schedule_tail() - change the schedule at the tail of @data,
 * as a byte mutator rarely does in one step (fuzz/gvm_mutate.c)
 * @data: an input that ends in a schedule, @size bytes in a buffer of @max
 * @seed: chooses the change
 *
 * One of: move a preemption a few decisions (or one operation) earlier or
 * later, hand it to another thread, add one near another or anywhere,
 * delete one; the other records keep their decisions, the bytes before
 * the schedule stay.
 * Return: the input's new size; 0 if @size is 0 or this change could not
 * be made (no record to move, no room, a gap of more than 256 decisions):
 * try another @seed.
 */
size_t gvm_mutate_schedule_tail(uint8_t *data, size_t size, size_t max, unsigned int seed);

#endif
