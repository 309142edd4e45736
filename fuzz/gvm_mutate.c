// SPDX-License-Identifier: MIT
/*
 * Structure-aware mutations of fuzz inputs (gvm_schedule_tail.h): changes
 * to an input's schedule that a byte mutator rarely makes in one step. A race
 * often needs its preemption one switch point from where an input has it;
 * records keep deltas, so a byte mutator that moves one moves every later
 * one too, and it lands on the tail's bytes only by chance. Here the tail
 * is read into records with absolute decisions, one of them is changed,
 * and the deltas are written back: the others stay where they were.
 */
#include <stdbool.h>
#include <string.h>
#include "gvm_schedule_tail.h"

#define AT_N_MAX	32	/* "A OP.N": N = 1 + d / 8 */
#define AT_THREADS	7	/* 1 .. 3, j0 .. j3: (byte & 7) % 7 */

struct rec {
	bool at;		/* a thread's Nth operation, not a decision */
	unsigned long step;	/* the decision, if not @at */
	uint8_t d, t;
};

struct sched {
	size_t first;		/* where the records start */
	size_t n;
	struct rec r[GVM_SCHED_MAX + 1];
};

/* xorshift32: the mutation's choices, a function of the seed alone */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void read_tail(const uint8_t *data, size_t size, struct sched *s)
{
	unsigned long step = 0;
	size_t i;

	s->n = data[size - 1] % (GVM_SCHED_MAX + 1);
	if (s->n > (size - 1) / 2)
		s->n = (size - 1) / 2;
	s->first = size - 1 - 2 * s->n;
	for (i = 0; i < s->n; i++) {
		struct rec *r = &s->r[i];

		r->d = data[s->first + 2 * i];
		r->t = data[s->first + 2 * i + 1];
		r->at = r->t & GVM_SCHED_AT;
		if (!r->at) {
			step += 1 + r->d;
			r->step = step;
		}
	}
}

/* Deltas from the decisions; 0 if they do not go up by 1 to 256 each. */
static size_t write_tail(uint8_t *data, size_t max, struct sched *s)
{
	unsigned long prev = 0;
	size_t i, size = s->first + 2 * s->n + 1;

	if (size > max)
		return 0;
	for (i = 0; i < s->n; i++) {
		struct rec *r = &s->r[i];

		if (r->at)
			continue;
		if (r->step <= prev || r->step - prev - 1 > 0xff)
			return 0;
		r->d = (uint8_t)(r->step - prev - 1);
		prev = r->step;
	}
	for (i = 0; i < s->n; i++) {
		data[s->first + 2 * i] = s->r[i].d;
		data[s->first + 2 * i + 1] = s->r[i].t;
	}
	data[size - 1] = (uint8_t)s->n;
	return size;
}

/* Where a decision record at @step goes among @s's: after those before it. */
static size_t place_of(const struct sched *s, unsigned long step)
{
	size_t i, at = 0;

	for (i = 0; i < s->n; i++)
		if (!s->r[i].at && s->r[i].step < step)
			at = i + 1;
	return at;
}

static bool taken(const struct sched *s, unsigned long step)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->r[i].at && s->r[i].step == step)
			return true;
	return false;
}

/* -3 .. -1, 1 .. 3 */
static long small_delta(uint32_t *rng)
{
	long k = 1 + (long)(next(rng) % 3);

	return next(rng) & 1 ? k : -k;
}

/* A decision record's thread byte for thread @k of 1 .. 3, j0 .. j3. */
static uint8_t thread_byte(uint32_t k)
{
	return (uint8_t)(k < 3 ? k : 0x80 | (k - 3));
}

static uint8_t any_thread(uint32_t *rng)
{
	return thread_byte(next(rng) % AT_THREADS);
}

/* Move record @i: a decision a few earlier or later, or its N by one. */
static bool nudge(struct sched *s, size_t i, uint32_t *rng)
{
	struct rec *r = &s->r[i], moved;
	long step;

	if (r->at) {
		unsigned int nth = r->d / 8u + (next(rng) & 1 ? 1 : AT_N_MAX - 1);

		r->d = (uint8_t)((r->d & 7u) | (nth % AT_N_MAX) << 3);
		return true;
	}
	step = (long)r->step + small_delta(rng);
	if (step < 1 || taken(s, (unsigned long)step))
		return false;
	/* out and back in, where its new decision puts it */
	moved = *r;
	moved.step = (unsigned long)step;
	memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof(*r));
	s->n--;
	i = place_of(s, moved.step);
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*r));
	s->r[i] = moved;
	s->n++;
	return true;
}

/* Hand record @i's preemption to another thread. */
static bool rethread(struct sched *s, size_t i, uint32_t *rng)
{
	struct rec *r = &s->r[i];
	uint32_t was = r->at ? (r->t & 7u) % AT_THREADS :
		       r->t & 0x80 ? 3 + (r->t & 0x7fu) % 4 : r->t % 3u;
	uint32_t k = (was + 1 + next(rng) % (AT_THREADS - 1)) % AT_THREADS;

	r->t = r->at ? (uint8_t)((r->t & ~7u) | k) : thread_byte(k);
	return true;
}

/* A new record: next to a decision of the schedule's, or anywhere. */
static bool add(struct sched *s, uint32_t *rng)
{
	struct rec r = { 0 };
	size_t i, k = s->n ? next(rng) % s->n : 0;

	if (s->n == GVM_SCHED_MAX)
		return false;
	if (s->n && !s->r[k].at && next(rng) % 2) {
		long step = (long)s->r[k].step + small_delta(rng);

		if (step < 1 || taken(s, (unsigned long)step))
			return false;
		r.step = (unsigned long)step;
		r.t = any_thread(rng);
	} else {
		r.d = (uint8_t)next(rng);
		r.t = (uint8_t)next(rng);
		r.at = r.t & GVM_SCHED_AT;
		if (!r.at) {
			r.step = 1 + next(rng) % 256;
			if (taken(s, r.step))
				return false;
		}
	}
	i = r.at ? next(rng) % (s->n + 1) : place_of(s, r.step);
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(r));
	s->r[i] = r;
	s->n++;
	return true;
}

static bool drop(struct sched *s, size_t i)
{
	memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof(s->r[0]));
	s->n--;
	return true;
}

size_t gvm_mutate_schedule_tail(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
	uint32_t rng = seed * 2654435761u | 1;
	struct sched s;
	size_t i;
	bool done;

	if (!size)
		return 0;
	read_tail(data, size, &s);
	i = s.n ? next(&rng) % s.n : 0;
	switch (next(&rng) % 5) {
	case 0:
	case 1:
		done = s.n && nudge(&s, i, &rng);
		break;
	case 2:
		done = s.n && rethread(&s, i, &rng);
		break;
	case 3:
		done = add(&s, &rng);
		break;
	default:
		done = s.n && drop(&s, i);
		break;
	}
	return done ? write_tail(data, max, &s) : 0;
}
