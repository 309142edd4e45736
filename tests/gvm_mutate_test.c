// SPDX-License-Identifier: MIT
/*
 * gvm_mutate_schedule(): each change it makes to a concurrency input's
 * schedule, seen through the decoder: one record moved, re-threaded,
 * added or dropped, every other record at its decision, the commands as
 * they were. And AFL++'s custom stage (fuzz/gvm_afl_mutator.c), called as
 * afl-fuzz calls it: the same changes, the queue entry left as it was.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz/gvm_afl_mutator.h"
#include "fuzz/gvm_decode.h"
#include "fuzz/gvm_parse.h"
#include "test.h"

/* Every thread a record can name exists: none is dropped by the decoder. */
static const char script[] =
	"vm 0 0x0 0x100000 immediate\n"
	"vm 1 0x0 0x100000 immediate\n"
	"vm 2 0x0 0x100000\n"
	"vm 3 0x0 0x100000\n"
	"bo 0\n"
	"schedule 10 2\n"
	"schedule j0 unlock.3 1\n"
	"schedule 14 j1\n"
	"schedule 40 3\n"
	"@1 map 0 0x0 0x1000 0 0x0 job\n"
	"@2 map 1 0x0 0x1000 0 0x0 job\n"
	"@3 unmap 2 0x0 0x1000 job\n"
	"@3 unmap 3 0x0 0x1000 job\n"
	"@1 cleanup 0\n";

static uint8_t *input(size_t *size)
{
	struct gvm_script s = { 0 };
	char err[256];
	uint8_t *data = NULL;

	CHECK_EQ(gvm_parse("t.gvm", script, strlen(script), &s, err, sizeof(err)), 0);
	CHECK_EQ(gvm_encode(GVM_FORMAT_CONCURRENCY, &s, &data, size, err, sizeof(err)), 0);
	gvm_script_free(&s);
	return data;
}

static void decode(const uint8_t *data, size_t size, struct gvm_script *sched,
		   struct gvm_script *rest)
{
	struct gvm_script s = { 0 };
	size_t i;

	CHECK_EQ(gvm_decode(GVM_FORMAT_CONCURRENCY, data, size, &s), 0);
	for (i = 0; i < s.n; i++)
		CHECK_EQ(gvm_script_push(s.cmds[i].kind == GVM_CMD_SCHEDULE ? sched : rest,
					 &s.cmds[i]), 0);
	gvm_script_free(&s);
}

/* Records of @a not in @b (each of @b matched once). */
static size_t missing(const struct gvm_script *a, const struct gvm_script *b,
		      const struct gvm_cmd **which)
{
	bool used[16] = { false };
	size_t i, j, n = 0;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && j < 16; j++)
			if (!used[j] && gvm_cmd_equal(&a->cmds[i], &b->cmds[j]))
				break;
		if (j < b->n && j < 16) {
			used[j] = true;
			continue;
		}
		*which = &a->cmds[i];
		n++;
	}
	return n;
}

enum change { MOVED, MOVED_AT, RETHREADED, ADDED, DROPPED, NR_CHANGES };

/* What turned @was into @now: exactly one of the changes, or -1. */
static int change_of(const struct gvm_script *was, const struct gvm_script *now)
{
	const struct gvm_cmd *gone = NULL, *new = NULL;
	size_t ngone = missing(was, now, &gone), nnew = missing(now, was, &new);
	long d;

	if (ngone == 0 && nnew == 1)
		return ADDED;
	if (ngone == 1 && nnew == 0)
		return DROPPED;
	if (ngone != 1 || nnew != 1 || gone->flags != new->flags)
		return -1;
	if (gone->thread != new->thread)
		return gone->offset == new->offset && gone->at == new->at &&
		       gone->at_op == new->at_op ? RETHREADED : -1;
	d = (long)new->offset - (long)gone->offset;
	if (new->flags & GVM_F_AT)
		return gone->at == new->at && gone->at_op == new->at_op &&
		       (d == 1 || d == -1 || d == 31 || d == -31) ? MOVED_AT : -1;
	return d && d >= -3 && d <= 3 ? MOVED : -1;
}

TEST(one_record_changes_the_rest_stay)
{
	size_t size, i, n, seen[NR_CHANGES] = { 0 }, made = 0;
	uint8_t *data = input(&size), buf[512];
	struct gvm_script sched = { 0 }, rest = { 0 };

	CHECK(size + 16 <= sizeof(buf));
	decode(data, size, &sched, &rest);
	CHECK_EQ(sched.n, 4);
	for (unsigned int seed = 0; seed < 2000; seed++) {
		struct gvm_script s2 = { 0 }, r2 = { 0 };
		int c;

		memcpy(buf, data, size);
		n = gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, buf, size, size + 16, seed);
		if (!n)
			continue;
		made++;
		decode(buf, n, &s2, &r2);
		/* the commands stay */
		CHECK_EQ(r2.n, rest.n);
		for (i = 0; i < rest.n && i < r2.n; i++)
			CHECK(gvm_cmd_equal(&rest.cmds[i], &r2.cmds[i]));
		c = change_of(&sched, &s2);
		if (c < 0) {
			fprintf(stderr, "seed %u: not one change:", seed);
			for (i = 0; i < s2.n; i++) {
				char line[128];

				gvm_cmd_format(&s2.cmds[i], line, sizeof(line));
				fprintf(stderr, " [%s]", line);
			}
			fputc('\n', stderr);
		}
		CHECK(c >= 0);
		if (c >= 0)
			seen[c]++;
		gvm_script_free(&s2);
		gvm_script_free(&r2);
	}
	/* most seeds make a change, and every kind is made */
	CHECK(made > 1000);
	for (i = 0; i < NR_CHANGES; i++)
		CHECK(seen[i] > 0);
	gvm_script_free(&sched);
	gvm_script_free(&rest);
	free(data);
}

TEST(the_same_seed_makes_the_same_change)
{
	size_t size, n1, n2;
	uint8_t *data = input(&size), a[512], b[512];

	for (unsigned int seed = 0; seed < 100; seed++) {
		memcpy(a, data, size);
		memcpy(b, data, size);
		n1 = gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, a, size, sizeof(a), seed);
		n2 = gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, b, size, sizeof(b), seed);
		CHECK_EQ(n1, n2);
		CHECK(!memcmp(a, b, n1 ? n1 : size));
	}
	free(data);
}

TEST(without_room_nothing_is_added)
{
	size_t size, n;
	uint8_t *data = input(&size), buf[512];

	for (unsigned int seed = 0; seed < 500; seed++) {
		memcpy(buf, data, size);
		n = gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, buf, size, size, seed);
		CHECK(n <= size);
	}
	free(data);
}

TEST(a_gap_past_256_decisions_is_not_made)
{
	/* dropping the first record would leave 400 after nothing: 1 byte cannot say it */
	static const char gap[] =
		"vm 0 0x0 0x100000 immediate\nvm 1 0x0 0x100000 immediate\n"
		"vm 2 0x0 0x100000\nvm 3 0x0 0x100000\nbo 0\n"
		"schedule 200 1\nschedule 400 2\n"
		"@1 map 0 0x0 0x1000 0 0x0 job\n@2 map 1 0x0 0x1000 0 0x0 job\n"
		"@3 unmap 2 0x0 0x1000 job\n@3 unmap 3 0x0 0x1000 job\n";
	struct gvm_script g = { 0 };
	uint8_t *data = NULL, buf[512];
	size_t size, n, dropped = 0;
	char err[256];

	CHECK_EQ(gvm_parse("gap.gvm", gap, strlen(gap), &g, err, sizeof(err)), 0);
	CHECK_EQ(gvm_encode(GVM_FORMAT_CONCURRENCY, &g, &data, &size, err, sizeof(err)), 0);
	gvm_script_free(&g);
	for (unsigned int seed = 0; seed < 500; seed++) {
		struct gvm_script s = { 0 }, r = { 0 };
		uint64_t prev = 0;

		memcpy(buf, data, size);
		n = gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, buf, size, sizeof(buf), seed);
		if (!n)
			continue;
		decode(buf, n, &s, &r);
		/* one left: the first, at its decision; the second alone would be far */
		if (s.n == 1) {
			CHECK_EQ(s.cmds[0].offset, 200);
			dropped++;
		}
		for (size_t i = 0; i < s.n; i++) {
			if (s.cmds[i].flags & GVM_F_AT)
				continue;
			CHECK(s.cmds[i].offset - prev <= 256);
			prev = s.cmds[i].offset;
		}
		gvm_script_free(&s);
		gvm_script_free(&r);
	}
	/* the second one can go */
	CHECK(dropped > 0);
	free(data);
}

TEST(inputs_without_a_schedule_are_left_alone)
{
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, was[8];

	memcpy(was, buf, sizeof(buf));
	for (unsigned int seed = 0; seed < 50; seed++) {
		CHECK_EQ(gvm_mutate_schedule(GVM_FORMAT_MULTI_VM, buf, sizeof(buf), sizeof(buf), seed),
			 0);
		CHECK_EQ(gvm_mutate_schedule(GVM_FORMAT_CONCURRENCY, buf, 0, sizeof(buf), seed), 0);
	}
	CHECK(!memcmp(buf, was, sizeof(buf)));
	CHECK(gvm_format_has_schedule(GVM_FORMAT_CONCURRENCY));
	CHECK(!gvm_format_has_schedule(GVM_FORMAT_FAULT));
	CHECK(!gvm_format_has_schedule(GVM_FORMAT_NR));
}

/* One custom stage of afl-fuzz on the input: fuzz_count() calls of fuzz(). */
TEST(afl_stage_changes_one_record_of_the_entry)
{
	size_t size, n, made = 0;
	uint8_t *data = input(&size), *entry, *out;
	struct gvm_script sched = { 0 }, rest = { 0 };
	void *m = afl_custom_init(NULL, 7);
	unsigned int i, count;

	CHECK(m != NULL);
	decode(data, size, &sched, &rest);
	entry = malloc(size);
	CHECK(entry != NULL);
	memcpy(entry, data, size);
	count = afl_custom_fuzz_count(m, entry, size);
	CHECK(count > 0);
	for (i = 0; i < count; i++) {
		struct gvm_script s2 = { 0 }, r2 = { 0 };

		out = NULL;
		n = afl_custom_fuzz(m, entry, size, &out, NULL, 0, size + 16);
		/* afl-fuzz reads *out_buf even when nothing was made */
		CHECK(out != NULL);
		/* the queue entry itself is never written */
		CHECK(!memcmp(entry, data, size));
		if (!n)
			continue;
		made++;
		CHECK(out != entry);
		CHECK(n <= size + 16);
		decode(out, n, &s2, &r2);
		CHECK_EQ(r2.n, rest.n);
		for (size_t k = 0; k < rest.n && k < r2.n; k++)
			CHECK(gvm_cmd_equal(&rest.cmds[k], &r2.cmds[k]));
		CHECK(change_of(&sched, &s2) >= 0);
		gvm_script_free(&s2);
		gvm_script_free(&r2);
	}
	/* a stage of mostly real changes, not of inputs skipped */
	CHECK(made * 4 >= count * 3);
	/* nothing to make of an empty entry */
	CHECK_EQ(afl_custom_fuzz_count(m, entry, 0), 0);
	afl_custom_deinit(m);
	gvm_script_free(&sched);
	gvm_script_free(&rest);
	free(entry);
	free(data);
}

/* Havoc's stacked step: the same changes, at a chance afl-fuzz can take. */
TEST(afl_havoc_step_changes_one_record)
{
	size_t size, n, made = 0;
	uint8_t *data = input(&size), *out;
	struct gvm_script sched = { 0 }, rest = { 0 };
	void *m = afl_custom_init(NULL, 11);
	unsigned char p = afl_custom_havoc_mutation_probability(m);

	CHECK(p > 0 && p <= 100);
	decode(data, size, &sched, &rest);
	for (int i = 0; i < 100; i++) {
		struct gvm_script s2 = { 0 }, r2 = { 0 };

		out = NULL;
		n = afl_custom_havoc_mutation(m, data, size, &out, 1 << 20);
		CHECK(out != NULL);
		if (!n)
			continue;
		made++;
		decode(out, n, &s2, &r2);
		CHECK_EQ(r2.n, rest.n);
		CHECK(change_of(&sched, &s2) >= 0);
		gvm_script_free(&s2);
		gvm_script_free(&r2);
	}
	CHECK(made >= 75);
	afl_custom_deinit(m);
	gvm_script_free(&sched);
	gvm_script_free(&rest);
	free(data);
}

TEST(afl_stage_is_a_function_of_its_seed)
{
	size_t size, na, nb, nc, differ = 0;
	uint8_t *data = input(&size), *a, *b, *c;
	void *ma = afl_custom_init(NULL, 1), *mb = afl_custom_init(NULL, 1);
	void *mc = afl_custom_init(NULL, 2);

	CHECK(ma && mb && mc);
	for (int i = 0; i < 200; i++) {
		na = afl_custom_fuzz(ma, data, size, &a, NULL, 0, size + 16);
		nb = afl_custom_fuzz(mb, data, size, &b, NULL, 0, size + 16);
		nc = afl_custom_fuzz(mc, data, size, &c, NULL, 0, size + 16);
		CHECK_EQ(na, nb);
		CHECK(!na || !memcmp(a, b, na));
		differ += na != nc || (na && memcmp(a, c, na));
	}
	/* another afl-fuzz instance (another seed) makes other changes */
	CHECK(differ > 0);
	afl_custom_deinit(ma);
	afl_custom_deinit(mb);
	afl_custom_deinit(mc);
	free(data);
}

TEST(afl_stage_keeps_to_max_size)
{
	size_t size, n;
	uint8_t *data = input(&size), *out;
	void *m = afl_custom_init(NULL, 3);

	CHECK(m != NULL);
	for (int i = 0; i < 200; i++) {
		n = afl_custom_fuzz(m, data, size, &out, NULL, 0, size);
		CHECK(n <= size);
	}
	/* an entry longer than afl-fuzz allows: nothing made, a buffer all the same */
	out = NULL;
	CHECK_EQ(afl_custom_fuzz(m, data, size, &out, NULL, 0, size - 1), 0);
	CHECK(out != NULL);
	afl_custom_deinit(m);
	free(data);
}

TEST_MAIN(one_record_changes_the_rest_stay, the_same_seed_makes_the_same_change,
	  without_room_nothing_is_added, a_gap_past_256_decisions_is_not_made,
	  inputs_without_a_schedule_are_left_alone, afl_stage_changes_one_record_of_the_entry,
	  afl_havoc_step_changes_one_record, afl_stage_is_a_function_of_its_seed,
	  afl_stage_keeps_to_max_size)
