// SPDX-License-Identifier: MIT
/*
 * The .gvm text side: canonical formatting, format/parse round trips over
 * every kind and flag combination, the accepted syntax, and one negative
 * case (at least) per error class with its exact line number.
 */
#include <stdint.h>
#include <stdlib.h>
#include "fuzz/gvm_parse.h"
#include "test.h"

#define U64_MAX		UINT64_MAX
#define TOP_BIT		0x8000000000000000ull

static char err[512];

static int parse_str(const char *text, struct gvm_script *s)
{
	return gvm_parse("t.gvm", text, strlen(text), s, err, sizeof(err));
}

/* Parse @text (@len bytes) and expect failure at @line naming @key. */
static bool expect_err_len(const char *text, size_t len, unsigned int line,
			   const char *key)
{
	struct gvm_script s = { 0 };
	char prefix[32];
	bool ok;
	int r;

	r = gvm_parse("t.gvm", text, len, &s, err, sizeof(err));
	gvm_script_free(&s);
	snprintf(prefix, sizeof(prefix), "t.gvm:%u: ", line);
	ok = r == -1 && !strncmp(err, prefix, strlen(prefix)) &&
	     strstr(err, key);
	if (!ok)
		fprintf(stderr, "script \"%.60s\": got %d \"%s\", want \"%s...%s\"\n",
			text, r, err, prefix, key);
	return ok;
}

static bool expect_err(const char *text, unsigned int line, const char *key)
{
	return expect_err_len(text, strlen(text), line, key);
}

/* Format @c and compare with @want. */
static bool formats_as(const struct gvm_cmd *c, const char *want)
{
	char buf[256];
	int n = gvm_cmd_format(c, buf, sizeof(buf));

	if (n < 0 || (size_t)n != strlen(want) || strcmp(buf, want)) {
		fprintf(stderr, "format: got %d \"%s\", want \"%s\"\n", n, buf, want);
		return false;
	}
	return true;
}

TEST(kind_names)
{
	static const char *const want[GVM_CMD_NR] = {
		"vm", "bo", "map", "unmap", "madvise", "prefetch", "bo_unmap",
		"obtain", "put", "close", "evict", "validate", "cleanup",
		"destroy", "dump", "lookup", "lock", "invalidate", "inject", "twin",
		"schedule",
	};
	int k;

	for (k = 0; k < GVM_CMD_NR; k++) {
		const char *name = gvm_kind_name((enum gvm_kind)k);

		CHECK(name && !strcmp(name, want[k]));
	}
	CHECK(!gvm_kind_name(GVM_CMD_NR));
	CHECK(!gvm_kind_name((enum gvm_kind)-1));
}

TEST(format_canonical)
{
	struct gvm_cmd c;

	c = (struct gvm_cmd){ .kind = GVM_CMD_MAP, .vm = 0, .addr = 0,
			      .range = 0x3000, .bo = 1 };
	CHECK(formats_as(&c, "map 0 0x0 0x3000 1 0x0"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_MAP, .flags = GVM_F_NO_BO,
			      .addr = 0x1000, .range = 0x1000 };
	CHECK(formats_as(&c, "map 0 0x1000 0x1000 - 0x0"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_VM, .range = 0x100000,
			      .flags = GVM_F_RESERVE | GVM_F_IMMEDIATE |
				       GVM_F_RESV_PROTECTED,
			      .reserve_addr = 0x8000, .reserve_range = 0x1000 };
	CHECK(formats_as(&c, "vm 0 0x0 0x100000 reserve 0x8000 0x1000 immediate resv_protected"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_VM, .vm = 1, .range = 0x100000,
			      .flags = GVM_F_RESV_PROTECTED | GVM_F_PREALLOC };
	CHECK(formats_as(&c, "vm 1 0x0 0x100000 resv_protected prealloc"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_VM, .vm = 2, .range = 0x100000,
			      .flags = GVM_F_RESV_PROTECTED | GVM_F_PREALLOC | GVM_F_EMPTY_OK };
	CHECK(formats_as(&c, "vm 2 0x0 0x100000 resv_protected prealloc empty_ok"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_BO, .bo = 2,
			      .flags = GVM_F_PRIVATE };
	CHECK(formats_as(&c, "bo 2 private 0"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_EVICT, .bo = 1,
			      .flags = GVM_F_EVICT };
	CHECK(formats_as(&c, "evict 1 1"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_EVICT, .bo = 63 };
	CHECK(formats_as(&c, "evict 63 0"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_PREFETCH, .vm = 5,
			      .addr = U64_MAX, .range = 0xABCDEF };
	CHECK(formats_as(&c, "prefetch 5 0xffffffffffffffff 0xabcdef"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_OBTAIN, .vm = 3, .bo = 4,
			      .line = 99 };
	CHECK(formats_as(&c, "obtain 3 4"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_INJECT, .offset = 2 };
	CHECK(formats_as(&c, "inject alloc 2"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_INJECT, .offset = 7, .flags = GVM_F_STEP };
	CHECK(formats_as(&c, "inject step 7"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_LOOKUP, .vm = 2, .addr = 0x1000, .range = 1 };
	CHECK(formats_as(&c, "lookup 2 0x1000 0x1"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_LOCK, .vm = 1 };
	CHECK(formats_as(&c, "lock 1"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_LOCK, .flags = GVM_F_LRANGE | GVM_F_FENCE,
			      .addr = 0x2000, .range = 0x3000,
			      .usage = GVM_USAGE_BOOKKEEP | GVM_USAGE_KERNEL << 4 };
	CHECK(formats_as(&c, "lock 0 range 0x2000 0x3000 fence bookkeep kernel"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_LOCK, .flags = GVM_F_LOBJS,
			      .objs = 1 | 1u << 5 | UINT64_C(1) << 63 };
	CHECK(formats_as(&c, "lock 0 objects 0,5,63"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_LOCK, .flags = GVM_F_LOBJS | GVM_F_FENCE | GVM_F_OWN,
			      .objs = 2, .usage = GVM_USAGE_READ | GVM_USAGE_WRITE << 4 };
	CHECK(formats_as(&c, "lock 0 objects 1 fence read write own"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_VALIDATE, .vm = 1, .bo = 2,
			      .flags = GVM_F_VEVICT | GVM_F_OWN };
	CHECK(formats_as(&c, "validate 1 evict 2 own"));
	c = (struct gvm_cmd){ .kind = GVM_CMD_INVALIDATE, .bo = 4, .flags = GVM_F_INVALID };
	CHECK(formats_as(&c, "invalidate 4 1"));
}

/* snprintf semantics: length of the whole text even when cut short. */
TEST(format_truncates)
{
	struct gvm_cmd c = { .kind = GVM_CMD_MAP, .vm = 1, .addr = 0x1000,
			     .range = 0x2000, .bo = 2, .offset = 0x10 };
	const char *full = "map 1 0x1000 0x2000 2 0x10";
	char buf[8];

	CHECK_EQ(gvm_cmd_format(&c, NULL, 0), strlen(full));
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(gvm_cmd_format(&c, buf, sizeof(buf)), strlen(full));
	CHECK(!strcmp(buf, "map 1 0"));
	CHECK_EQ(gvm_cmd_format(&c, buf, 1), strlen(full));
	CHECK_EQ(buf[0], '\0');
}

/* Commands with no text that parses back to them are refused. */
TEST(format_rejects_bad)
{
	static const struct gvm_cmd bad[] = {
		{ .kind = GVM_CMD_NR },
		{ .kind = (enum gvm_kind)-1 },
		{ .kind = GVM_CMD_VM, .vm = GVM_MAX_ID },
		{ .kind = GVM_CMD_BO, .bo = GVM_MAX_ID },
		{ .kind = GVM_CMD_BO, .flags = GVM_F_PRIVATE, .vm = 100 },
		{ .kind = GVM_CMD_MAP, .bo = UINT32_MAX },
		/* flags of another kind */
		{ .kind = GVM_CMD_VM, .flags = GVM_F_PRIVATE },
		{ .kind = GVM_CMD_MAP, .flags = GVM_F_EVICT },
		{ .kind = GVM_CMD_EVICT, .flags = GVM_F_NO_BO },
		{ .kind = GVM_CMD_CLOSE, .flags = 1u << 31 },
		/* unused fields set */
		{ .kind = GVM_CMD_VM, .reserve_addr = 1 },
		{ .kind = GVM_CMD_VM, .reserve_range = 1 },
		{ .kind = GVM_CMD_VM, .bo = 1 },
		{ .kind = GVM_CMD_VM, .offset = 1 },
		{ .kind = GVM_CMD_BO, .vm = 1 },
		{ .kind = GVM_CMD_BO, .addr = 1 },
		{ .kind = GVM_CMD_MAP, .flags = GVM_F_NO_BO, .bo = 1 },
		{ .kind = GVM_CMD_MAP, .reserve_addr = 1 },
		{ .kind = GVM_CMD_UNMAP, .offset = 1 },
		{ .kind = GVM_CMD_UNMAP, .bo = 1 },
		{ .kind = GVM_CMD_OBTAIN, .addr = 1 },
		{ .kind = GVM_CMD_CLOSE, .vm = 1 },
		{ .kind = GVM_CMD_EVICT, .range = 1 },
		{ .kind = GVM_CMD_DUMP, .bo = 1 },
		/* lock: one helper, a nonempty array only with objects, usages in range */
		{ .kind = GVM_CMD_LOCK, .flags = GVM_F_LRANGE | GVM_F_LOBJS, .objs = 1 },
		{ .kind = GVM_CMD_LOCK, .flags = GVM_F_LOBJS },
		{ .kind = GVM_CMD_LOCK, .objs = 1 },
		{ .kind = GVM_CMD_LOCK, .usage = 1 },
		{ .kind = GVM_CMD_LOCK, .flags = GVM_F_FENCE, .usage = GVM_USAGE_NR },
		{ .kind = GVM_CMD_LOCK, .flags = GVM_F_FENCE, .usage = GVM_USAGE_NR << 4 },
		{ .kind = GVM_CMD_LOCK, .addr = 1 },
		{ .kind = GVM_CMD_LOOKUP, .bo = 1 },
		{ .kind = GVM_CMD_INVALIDATE, .flags = GVM_F_EVICT },
		{ .kind = GVM_CMD_MAP, .objs = 1 },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (gvm_cmd_format(&bad[i], buf, sizeof(buf)) >= 0) {
			fprintf(stderr, "bad[%zu] formatted as \"%s\"\n", i, buf);
			CHECK(0);
		}
		CHECK_EQ(buf[0], '\0');
	}
}

TEST(cmd_equal)
{
	struct gvm_cmd a = { .kind = GVM_CMD_VM, .flags = GVM_F_RESERVE,
			     .vm = 1, .bo = 2, .addr = 3, .range = 4,
			     .offset = 5, .reserve_addr = 6,
			     .reserve_range = 7, .line = 8 };
	struct gvm_cmd b = a;

	CHECK(gvm_cmd_equal(&a, &b));
	b.line = 100;
	CHECK(gvm_cmd_equal(&a, &b));
#define DIFFERS(field, v) do {						\
		b = a;							\
		b.field = v;						\
		CHECK(!gvm_cmd_equal(&a, &b));				\
		CHECK(!gvm_cmd_equal(&b, &a));				\
	} while (0)
	DIFFERS(kind, GVM_CMD_BO);
	DIFFERS(flags, 0);
	DIFFERS(vm, 0);
	DIFFERS(bo, 0);
	DIFFERS(addr, 0);
	DIFFERS(range, 0);
	DIFFERS(offset, 0);
	DIFFERS(reserve_addr, 0);
	DIFFERS(reserve_range, 0);
	DIFFERS(objs, 1);
	DIFFERS(usage, 1);
#undef DIFFERS
}

/*
 * Every kind, every flag combination, ids 0 and 63, and the edge numbers.
 * Creations use distinct ids so the whole table is one valid script.
 */
static const struct gvm_cmd rt_cmds[] = {
	{ .kind = GVM_CMD_VM, .vm = 0, .addr = 0, .range = 0x100000 },
	{ .kind = GVM_CMD_VM, .vm = 1, .addr = U64_MAX, .range = U64_MAX,
	  .flags = GVM_F_RESERVE, .reserve_addr = TOP_BIT,
	  .reserve_range = U64_MAX },
	{ .kind = GVM_CMD_VM, .vm = 2, .addr = TOP_BIT, .range = TOP_BIT,
	  .flags = GVM_F_IMMEDIATE },
	{ .kind = GVM_CMD_VM, .vm = 3, .range = 1,
	  .flags = GVM_F_RESERVE | GVM_F_IMMEDIATE },
	{ .kind = GVM_CMD_VM, .vm = 4, .addr = 0x1000, .range = 0x1000,
	  .flags = GVM_F_RESV_PROTECTED },
	{ .kind = GVM_CMD_VM, .vm = 5, .range = 0x10,
	  .flags = GVM_F_RESERVE | GVM_F_RESV_PROTECTED,
	  .reserve_addr = 0, .reserve_range = 0 },
	{ .kind = GVM_CMD_VM, .vm = 6, .range = 0x10,
	  .flags = GVM_F_IMMEDIATE | GVM_F_RESV_PROTECTED },
	{ .kind = GVM_CMD_VM, .vm = 7, .range = 0x10, .flags = GVM_F_EMPTY_OK },
	{ .kind = GVM_CMD_VM, .vm = 8, .range = 0x10,
	  .flags = GVM_F_IMMEDIATE | GVM_F_RESERVE | GVM_F_EMPTY_OK,
	  .reserve_addr = 0x4, .reserve_range = 0x4 },
	{ .kind = GVM_CMD_VM, .vm = 63, .addr = 0x8000, .range = 0xff000,
	  .flags = GVM_F_RESERVE | GVM_F_IMMEDIATE | GVM_F_RESV_PROTECTED,
	  .reserve_addr = 0x8000, .reserve_range = 0x1000 },
	{ .kind = GVM_CMD_BO, .bo = 0 },
	{ .kind = GVM_CMD_BO, .bo = 63 },
	{ .kind = GVM_CMD_BO, .bo = 1, .flags = GVM_F_PRIVATE, .vm = 0 },
	{ .kind = GVM_CMD_BO, .bo = 2, .flags = GVM_F_PRIVATE, .vm = 63 },
	{ .kind = GVM_CMD_MAP, .vm = 0, .addr = 0, .range = 0x3000, .bo = 1 },
	{ .kind = GVM_CMD_MAP, .vm = 63, .addr = U64_MAX, .range = U64_MAX,
	  .bo = 63, .offset = U64_MAX },
	{ .kind = GVM_CMD_MAP, .vm = 1, .addr = TOP_BIT, .range = TOP_BIT,
	  .flags = GVM_F_NO_BO, .offset = TOP_BIT },
	{ .kind = GVM_CMD_MAP, .vm = 0, .addr = 0x1000, .range = 0x1000,
	  .flags = GVM_F_NO_BO },
	{ .kind = GVM_CMD_UNMAP, .vm = 0, .addr = 0, .range = U64_MAX },
	{ .kind = GVM_CMD_UNMAP, .vm = 63, .addr = TOP_BIT, .range = 0 },
	{ .kind = GVM_CMD_MADVISE, .vm = 2, .addr = 0x1234, .range = 0x5678 },
	{ .kind = GVM_CMD_MADVISE, .vm = 63, .addr = U64_MAX, .range = TOP_BIT },
	{ .kind = GVM_CMD_PREFETCH, .vm = 3, .addr = 0, .range = 0 },
	{ .kind = GVM_CMD_PREFETCH, .vm = 4, .addr = TOP_BIT, .range = U64_MAX },
	{ .kind = GVM_CMD_BO_UNMAP, .vm = 0, .bo = 1 },
	{ .kind = GVM_CMD_BO_UNMAP, .vm = 63, .bo = 63 },
	{ .kind = GVM_CMD_OBTAIN, .vm = 5, .bo = 0 },
	{ .kind = GVM_CMD_PUT, .vm = 6, .bo = 2 },
	{ .kind = GVM_CMD_CLOSE, .bo = 0 },
	{ .kind = GVM_CMD_CLOSE, .bo = 63 },
	{ .kind = GVM_CMD_EVICT, .bo = 1 },
	{ .kind = GVM_CMD_EVICT, .bo = 1, .flags = GVM_F_EVICT },
	{ .kind = GVM_CMD_VALIDATE, .vm = 0 },
	{ .kind = GVM_CMD_CLEANUP, .vm = 1 },
	{ .kind = GVM_CMD_DESTROY, .vm = 63 },
	{ .kind = GVM_CMD_DUMP, .vm = 63 },
	{ .kind = GVM_CMD_LOOKUP, .vm = 0, .addr = U64_MAX, .range = 0 },
	{ .kind = GVM_CMD_LOCK, .vm = 1 },
	{ .kind = GVM_CMD_LOCK, .vm = 2, .flags = GVM_F_LRANGE, .addr = TOP_BIT, .range = 0 },
	{ .kind = GVM_CMD_LOCK, .vm = 3, .flags = GVM_F_LOBJS | GVM_F_FENCE,
	  .objs = 1 | UINT64_C(1) << 63, .usage = GVM_USAGE_WRITE | GVM_USAGE_READ << 4 },
	{ .kind = GVM_CMD_LOCK, .vm = 63, .flags = GVM_F_FENCE,
	  .usage = GVM_USAGE_KERNEL | GVM_USAGE_BOOKKEEP << 4 },
	{ .kind = GVM_CMD_LOCK, .vm = 4, .flags = GVM_F_OWN | GVM_F_LRANGE, .addr = 1, .range = 2 },
	{ .kind = GVM_CMD_VALIDATE, .vm = 5, .flags = GVM_F_OWN },
	{ .kind = GVM_CMD_VALIDATE, .vm = 6, .bo = 63, .flags = GVM_F_OWN | GVM_F_VFAIL },
	{ .kind = GVM_CMD_INVALIDATE, .bo = 63, .flags = GVM_F_INVALID },
	{ .kind = GVM_CMD_INVALIDATE, .bo = 2 },
	/* closed and destroyed ids stay known */
	{ .kind = GVM_CMD_OBTAIN, .vm = 63, .bo = 0 },
	{ .kind = GVM_CMD_INJECT, .offset = 1 },
	{ .kind = GVM_CMD_INJECT, .offset = U64_MAX },
	{ .kind = GVM_CMD_INJECT, .offset = 3, .flags = GVM_F_STEP },
};

#define N_RT	(sizeof(rt_cmds) / sizeof(rt_cmds[0]))

TEST(twin_round_trip)
{
	static const char text[] = "twin\nvm 0 0x0 0x1000\n";
	struct gvm_script s = { 0 };
	char buf[64];

	CHECK_EQ(parse_str(text, &s), 0);
	CHECK_EQ(s.n, 2);
	if (s.n == 2) {
		CHECK_EQ(s.cmds[0].kind, GVM_CMD_TWIN);
		CHECK_EQ(gvm_cmd_format(&s.cmds[0], buf, sizeof(buf)), 4);
		CHECK(!strcmp(buf, "twin"));
	}
	gvm_script_free(&s);
}

/* Threads: "@T command", "schedule S T", what may run where, the order. */
TEST(threads_round_trip)
{
	static const char text[] =
		"vm 0 0x0 0x100000\nbo 1\n"
		"schedule 3 2\nschedule 0x10 1\nschedule 17 j0\n"
		"@1 map 0 0x0 0x1000 1 0x0\n"
		"  @2\tunmap 0 0x0 0x1000 # comment\n"
		"@4 close 1\n"
		"@3 map 0 0x0 0x1000 - 0x0 job\n@3 unmap 0 0x0 0x1000   job\n";
	static const char *const want[] = {
		"vm 0 0x0 0x100000", "bo 1", "schedule 3 2", "schedule 16 1", "schedule 17 j0",
		"@1 map 0 0x0 0x1000 1 0x0", "@2 unmap 0 0x0 0x1000", "@4 close 1",
		"@3 map 0 0x0 0x1000 - 0x0 job", "@3 unmap 0 0x0 0x1000 job",
	};
	struct gvm_script s = { 0 }, again = { 0 };
	char buf[128], all[1024];
	size_t i, off = 0;

	CHECK_EQ(parse_str(text, &s), 0);
	CHECK_EQ(s.n, 10);
	for (i = 0; i < s.n && i < 10; i++) {
		int n = gvm_cmd_format(&s.cmds[i], buf, sizeof(buf));

		CHECK(n > 0 && !strcmp(buf, want[i]));
		off += (size_t)snprintf(all + off, sizeof(all) - off, "%s\n", buf);
	}
	/* the canonical text parses back to the same commands */
	CHECK_EQ(parse_str(all, &again), 0);
	CHECK_EQ(again.n, s.n);
	for (i = 0; i < s.n && i < again.n; i++)
		CHECK(gvm_cmd_equal(&s.cmds[i], &again.cmds[i]));
	CHECK_EQ(s.cmds[3].offset, 16);
	CHECK_EQ(s.cmds[3].thread, 1);
	CHECK_EQ(s.cmds[4].thread, GVM_THREAD_JOB);
	CHECK_EQ(s.cmds[6].thread, 2);
	CHECK(s.cmds[9].flags & GVM_F_JOB);
	/* the thread is part of the command, and so is "job" */
	again.cmds[6].thread = 3;
	CHECK(!gvm_cmd_equal(&s.cmds[6], &again.cmds[6]));
	again.cmds[9].flags &= ~GVM_F_JOB;
	CHECK(!gvm_cmd_equal(&s.cmds[9], &again.cmds[9]));
	gvm_script_free(&s);
	gvm_script_free(&again);

	CHECK(gvm_cmd_threadable(GVM_CMD_MAP));
	CHECK(!gvm_cmd_threadable(GVM_CMD_VM));
	CHECK(!gvm_cmd_threadable(GVM_CMD_DUMP));
	CHECK(!gvm_cmd_threadable(GVM_CMD_SCHEDULE));
	CHECK(!gvm_cmd_threadable(GVM_CMD_NR));
}

/* "schedule A OP.N T": at thread A's Nth OP; anywhere among "schedule S T" lines. */
TEST(schedule_at_an_operation)
{
	static const char text[] =
		"vm 0 0x0 0x100000\nbo 1\n"
		"schedule 5 2\nschedule j0 unlock.2 2\nschedule 2   get_unless_zero.0x10 j0\n"
		"schedule 6 1\n"
		"@1 map 0 0x0 0x1000 1 0x0 job\n@2 cleanup 0\n";
	static const char *const want[] = {
		"schedule 5 2", "schedule j0 unlock.2 2", "schedule 2 get_unless_zero.16 j0",
		"schedule 6 1",
	};
	struct gvm_script s = { 0 }, again = { 0 };
	char buf[128], all[1024];
	size_t i, off = 0;

	CHECK_EQ(parse_str(text, &s), 0);
	CHECK_EQ(s.n, 8);
	for (i = 0; i < s.n; i++) {
		int n = gvm_cmd_format(&s.cmds[i], buf, sizeof(buf));

		CHECK(n > 0);
		if (i >= 2 && i < 6)
			CHECK(!strcmp(buf, want[i - 2]));
		off += (size_t)snprintf(all + off, sizeof(all) - off, "%s\n", buf);
	}
	CHECK_EQ(s.cmds[3].flags, GVM_F_AT);
	CHECK_EQ(s.cmds[3].at, GVM_THREAD_JOB);
	CHECK_EQ(s.cmds[3].at_op, gvm_cmd_sched_op("unlock", 6));
	CHECK_EQ(s.cmds[3].offset, 2);
	CHECK_EQ(s.cmds[3].thread, 2);
	CHECK_EQ(s.cmds[4].at, 2);
	CHECK_EQ(s.cmds[4].thread, GVM_THREAD_JOB);
	CHECK_EQ(parse_str(all, &again), 0);
	CHECK_EQ(again.n, s.n);
	for (i = 0; i < s.n && i < again.n; i++)
		CHECK(gvm_cmd_equal(&s.cmds[i], &again.cmds[i]));
	/* thread, operation and count are all part of the record */
	again.cmds[3].at = 1;
	CHECK(!gvm_cmd_equal(&s.cmds[3], &again.cmds[3]));
	again.cmds[3].at = s.cmds[3].at;
	again.cmds[3].at_op++;
	CHECK(!gvm_cmd_equal(&s.cmds[3], &again.cmds[3]));
	/* and only such a record has them */
	s.cmds[2].at = 1;
	CHECK(gvm_cmd_format(&s.cmds[2], buf, sizeof(buf)) < 0);
	gvm_script_free(&s);
	gvm_script_free(&again);
	CHECK(gvm_cmd_sched_op("unlocks", 7) < 0);
	CHECK(!strcmp(gvm_cmd_sched_op_name((uint32_t)gvm_cmd_sched_op("llist_add", 9)),
		      "llist_add"));
	CHECK(gvm_cmd_sched_op_name(99) == NULL);

	CHECK(expect_err("schedule 1 unlock 2\n", 1, "bad number 'unlock'"));
	CHECK(expect_err("schedule 1 unlock.2\n", 1, "schedule: missing operand 'T'"));
	CHECK(expect_err("schedule 1 unlock.0 2\n", 1,
			 "schedule: bad count in 'unlock.0' (expected unlock.N, N from 1)"));
	CHECK(expect_err("schedule 1 unlock. 2\n", 1, "schedule: bad count in 'unlock.'"));
	CHECK(expect_err("schedule 1 unlock.x 2\n", 1, "schedule: bad count in 'unlock.x'"));
	CHECK(expect_err("schedule 1 unlock.4294967296 2\n", 1,
			 "schedule: bad count in 'unlock.4294967296'"));
	CHECK(expect_err("schedule 1 grab.1 2\n", 1,
			 "schedule: unknown operation 'grab' (one of: lock trylock unlock get "
			 "get_unless_zero put llist_add llist_del_all alloc free signal wait)"));
	CHECK(expect_err("schedule 1 .1 2\n", 1, "schedule: unknown operation ''"));
	CHECK(expect_err("schedule 0 lock.1 2\n", 1, "schedule: thread 0 out of range (1..4)"));
	CHECK(expect_err("schedule j lock.1 2\n", 1, "schedule: bad run_job thread 'j'"));
	CHECK(expect_err("schedule 1 lock.1 5\n", 1, "schedule: thread 5 out of range (1..4)"));
	CHECK(expect_err("schedule 1 lock.1 2 3\n", 1, "schedule: extra operand '3'"));
	/* both threads must be the script's */
	CHECK(expect_err("vm 0 0x0 0x1000\nschedule 3 lock.1 1\n@1 cleanup 0\n", 2,
			 "schedule: no command runs on thread 3 or above"));
	CHECK(expect_err("vm 0 0x0 0x1000\nschedule j0 lock.1 1\n@1 cleanup 0\n", 2,
			 "schedule: no job is queued for vm 0 on a thread: it has no run_job (j0)"));
	CHECK(expect_err("vm 0 0x0 0x1000\nschedule 1 lock.1 j0\n@1 cleanup 0\n", 2,
			 "schedule: no job is queued for vm 0 on a thread"));
}

TEST(threads_errors)
{
	CHECK(expect_err("@0 close 1\n", 1, "bad thread '@0' (expected @1 .. @4)"));
	CHECK(expect_err("@5 close 1\n", 1, "bad thread '@5'"));
	CHECK(expect_err("@x close 1\n", 1, "bad thread '@x'"));
	CHECK(expect_err("@ close 1\n", 1, "bad thread '@'"));
	CHECK(expect_err("\n@2\n", 2, "@2: missing command"));
	CHECK(expect_err("@1 vm 0 0x0 0x1000\n", 1, "vm cannot run on a thread (@1)"));
	CHECK(expect_err("vm 0 0x0 0x1000\n@1 dump 0\n", 2, "dump cannot run on a thread"));
	CHECK(expect_err("@1 schedule 1 2\n", 1, "schedule cannot run on a thread"));
	CHECK(expect_err("schedule 0 1\n", 1, "schedule: decisions count from 1"));
	CHECK(expect_err("schedule 1 5\n", 1, "schedule: thread 5 out of range (1..4)"));
	CHECK(expect_err("schedule 1\n", 1, "schedule: missing operand 'T|OP.N'"));
	CHECK(expect_err("schedule 4 1\nschedule 4 2\n", 2,
			 "schedule: decision 4 after 4 (records go by increasing decision)"));
	CHECK(expect_err("vm 0 0x0 0x1000\n@1 cleanup 0\nschedule 9 1\n", 3,
			 "schedule must come before the threads' commands"));
	CHECK(expect_err("vm 0 0x0 0x1000\n@1 cleanup 0\ncleanup 0\n", 3,
			 "cleanup: after the first @T command every command runs on a thread"));
	CHECK(expect_err("twin\nvm 0 0x0 0x1000\n@1 cleanup 0\n", 3,
			 "threads cannot be used with twin"));
	CHECK(expect_err("vm 0 0x0 0x1000\n@1 close 3\n", 2, "bo 3 used before it was created"));
	CHECK(expect_err("schedule 1 j\n", 1, "schedule: bad run_job thread 'j' (expected j0 .. j63)"));
	CHECK(expect_err("schedule 1 j64\n", 1,
			 "schedule: bad run_job thread 'j64' (expected j0 .. j63)"));
	CHECK(expect_err("schedule 1 jx\n", 1, "schedule: bad run_job thread 'jx'"));
	/* A record for a thread nothing runs on would be skipped: a typo. */
	CHECK(expect_err("vm 0 0x0 0x1000\nschedule 1 2\nschedule 2 3\n@2 cleanup 0\n", 3,
			 "schedule: no command runs on thread 3 or above"));
	CHECK(expect_err("vm 0 0x0 0x1000\nvm 1 0x0 0x1000\nschedule 1 j0\nschedule 2 j1\n"
			 "@1 unmap 0 0x0 0x1000 job\n@1 unmap 1 0x0 0x1000\n", 4,
			 "schedule: no job is queued for vm 1 on a thread: it has no run_job (j1)"));
	CHECK(expect_err("vm 0 0x0 0x1000\nschedule 1 j0\nunmap 0 0x0 0x1000 job\n@1 cleanup 0\n",
			 2, "schedule: no job is queued for vm 0 on a thread"));
	CHECK(expect_err("vm 0 0x0 0x1000\nmap 0 0x0 0x1000 - 0x0 job job\n", 2,
			 "map: extra operand 'job'"));
	CHECK(expect_err("vm 0 0x0 0x1000\nunmap 0 0x0 0x1000 jobs\n", 2,
			 "unmap: extra operand 'jobs' (only 'job' may follow)"));
	CHECK(expect_err("vm 0 0x0 0x1000\nmadvise 0 0x0 0x1000 job\n", 2,
			 "madvise: extra operand 'job'"));
	CHECK(expect_err("vm 0 0 1\nvm 1 0 1\nvm 2 0 1\nvm 3 0 1\nvm 4 0 1\n"
			 "@1 unmap 0 0 1 job\n@1 unmap 1 0 1 job\n@1 unmap 2 0 1 job\n"
			 "@1 unmap 3 0 1 job\n@1 unmap 4 0 1 job\n", 10,
			 "unmap: jobs on threads for more than 4 VMs (each has a run_job thread)"));
}

TEST(round_trip)
{
	static char text[N_RT * 128];
	struct gvm_script s = { 0 };
	bool seen[GVM_CMD_NR] = { false };
	size_t i, j, off = 0;
	uint32_t vm_flags = 0;
	bool empty_ok = false;

	/* One script: format every command, one per line. */
	for (i = 0; i < N_RT; i++) {
		int n = gvm_cmd_format(&rt_cmds[i], text + off,
				       sizeof(text) - off - 1);

		CHECK(n > 0);
		if (n <= 0)
			return;
		off += (size_t)n;
		text[off++] = '\n';
		seen[rt_cmds[i].kind] = true;
		if (rt_cmds[i].kind == GVM_CMD_VM) {
			vm_flags |= 1u << (rt_cmds[i].flags & 7);
			empty_ok |= rt_cmds[i].flags & GVM_F_EMPTY_OK;
		}
	}
	text[off] = '\0';
	/*
	 * twin may only come first and excludes inject: see twin_round_trip;
	 * schedule goes with threads: threads_round_trip.
	 */
	for (i = 0; i < GVM_CMD_NR; i++)
		CHECK(seen[i] || i == GVM_CMD_TWIN || i == GVM_CMD_SCHEDULE);
	CHECK_EQ(vm_flags, 0xff);	/* all 8 combinations of the first 3 vm flags */
	CHECK(empty_ok);

	CHECK_EQ(parse_str(text, &s), 0);
	CHECK_EQ(s.n, N_RT);
	for (i = 0; i < N_RT && i < s.n; i++) {
		char a[128], b[128];

		CHECK(gvm_cmd_equal(&s.cmds[i], &rt_cmds[i]));
		CHECK_EQ(s.cmds[i].line, i + 1);
		CHECK(gvm_cmd_format(&rt_cmds[i], a, sizeof(a)) > 0);
		CHECK(gvm_cmd_format(&s.cmds[i], b, sizeof(b)) > 0);
		CHECK(!strcmp(a, b));
	}
	CHECK_EQ(gvm_script_validate("t.gvm", &s, err, sizeof(err)), 0);
	gvm_script_free(&s);

	/* Text is canonical: equal commands exactly when equal text. */
	for (i = 0; i < N_RT; i++) {
		for (j = 0; j < N_RT; j++) {
			char a[128], b[128];

			gvm_cmd_format(&rt_cmds[i], a, sizeof(a));
			gvm_cmd_format(&rt_cmds[j], b, sizeof(b));
			CHECK_EQ(gvm_cmd_equal(&rt_cmds[i], &rt_cmds[j]),
				 !strcmp(a, b));
			CHECK_EQ(i == j, !strcmp(a, b));
		}
	}
}

TEST(parse_numbers)
{
	static const struct {
		const char *tok;
		uint64_t v;
	} nums[] = {
		{ "0", 0 },
		{ "00", 0 },
		{ "0x0", 0 },
		{ "0x00000000000000000000", 0 },
		{ "4096", 0x1000 },
		{ "0x1000", 0x1000 },
		{ "0x00001000", 0x1000 },
		{ "0xAbCdEf", 0xabcdef },
		{ "007", 7 },
		{ "9223372036854775808", TOP_BIT },
		{ "0x8000000000000000", TOP_BIT },
		{ "18446744073709551615", U64_MAX },
		{ "0xffffffffffffffff", U64_MAX },
		{ "0xFFFFFFFFFFFFFFFF", U64_MAX },
		{ "000018446744073709551615", U64_MAX },
		{ "0x0000ffffffffffffffff", U64_MAX },
	};
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		struct gvm_script s = { 0 };
		char text[128];

		snprintf(text, sizeof(text), "vm 0 %s 1", nums[i].tok);
		CHECK_EQ(parse_str(text, &s), 0);
		CHECK_EQ(s.n, 1);
		if (s.n == 1)
			CHECK_EQ(s.cmds[0].addr, nums[i].v);
		gvm_script_free(&s);
	}
}

TEST(parse_layout)
{
	struct gvm_script s = { 0 };
	const char *text =
		"# a script\n"
		"\n"
		"   \t  \n"
		"vm 0 0 0x100000   # trailing comment\n"
		"\tbo\t1  \n"
		"#map 0 0 1 1 0\n"
		"map 0 4096 0x1000 1 0#no blank before the comment\n"
		"map 0 0x2000 8192 - 16\r\n"
		"\r\n"
		"dump 0";	/* no final newline */

	CHECK_EQ(parse_str(text, &s), 0);
	CHECK_EQ(s.n, 5);
	if (s.n == 5) {
		CHECK_EQ(s.cmds[0].kind, GVM_CMD_VM);
		CHECK_EQ(s.cmds[0].line, 4);
		CHECK_EQ(s.cmds[0].range, 0x100000);
		CHECK_EQ(s.cmds[1].kind, GVM_CMD_BO);
		CHECK_EQ(s.cmds[1].bo, 1);
		CHECK_EQ(s.cmds[1].line, 5);
		CHECK(formats_as(&s.cmds[2], "map 0 0x1000 0x1000 1 0x0"));
		CHECK_EQ(s.cmds[2].line, 7);
		CHECK(formats_as(&s.cmds[3], "map 0 0x2000 0x2000 - 0x10"));
		CHECK_EQ(s.cmds[3].flags, GVM_F_NO_BO);
		CHECK_EQ(s.cmds[3].line, 8);
		CHECK_EQ(s.cmds[4].kind, GVM_CMD_DUMP);
		CHECK_EQ(s.cmds[4].line, 10);
	}
	gvm_script_free(&s);

	/* Nothing to run is a valid (empty) script. */
	CHECK_EQ(parse_str("", &s), 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(gvm_parse("t.gvm", NULL, 0, &s, err, sizeof(err)), 0);
	CHECK_EQ(parse_str("\n\n# only comments\n\t\n", &s), 0);
	CHECK_EQ(parse_str("\r\n", &s), 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(gvm_script_validate("t.gvm", &s, err, sizeof(err)), 0);
	gvm_script_free(&s);

	/* A lone final CR counts as the line end too. */
	CHECK_EQ(parse_str("vm 0 0 1\r", &s), 0);
	CHECK_EQ(s.n, 1);
	gvm_script_free(&s);
}

TEST(parse_vm_options)
{
	static const char *const orders[] = {
		"vm 0 0x0 0x100000 reserve 0x8000 0x1000 immediate resv_protected",
		"vm 0 0 0x100000 reserve 0x8000 0x1000 resv_protected immediate",
		"vm 0 0 0x100000 immediate reserve 0x8000 0x1000 resv_protected",
		"vm 0 0 0x100000 immediate resv_protected reserve 0x8000 0x1000",
		"vm 0 0 0x100000 resv_protected reserve 0x8000 0x1000 immediate",
		"vm 0 0 0x100000 resv_protected immediate reserve 0x8000 0x1000",
	};
	size_t i;

	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		struct gvm_script s = { 0 };

		CHECK_EQ(parse_str(orders[i], &s), 0);
		CHECK_EQ(s.n, 1);
		if (s.n == 1)
			CHECK(formats_as(&s.cmds[0], orders[0]));
		gvm_script_free(&s);
	}
}

/* The ids of earlier commands in @out count: they run first. */
TEST(parse_appends)
{
	struct gvm_script s = { 0 };

	CHECK_EQ(parse_str("vm 0 0 0x1000\nbo 3\n", &s), 0);
	CHECK_EQ(parse_str("map 0 0 0x1000 3 0\n", &s), 0);
	CHECK_EQ(s.n, 3);
	if (s.n == 3) {
		CHECK_EQ(s.cmds[2].kind, GVM_CMD_MAP);
		CHECK_EQ(s.cmds[2].line, 1);
	}
	CHECK_EQ(parse_str("\nbo 3\n", &s), -1);
	CHECK(!strcmp(err, "t.gvm:2: bo 3 created twice"));
	gvm_script_free(&s);
}

struct err_case {
	const char *text;
	unsigned int line;
	const char *key;
};

static const struct err_case err_cases[] = {
	/* unknown command */
	{ "vm 0 0 0x100000\n\n# c\nmapp 0 0 1 - 0\n", 4, "unknown command 'mapp'" },
	{ "VM 0 0 1\n", 1, "unknown command 'VM'" },
	{ "-\n", 1, "unknown command '-'" },
	{ "vm 0 0 1\n  reserve 0 1\n", 2, "unknown command 'reserve'" },
	/* missing operand */
	{ "vm 0 0 0x100000\nbo 1\n\nmap 0 0 0x1000 1\n", 4, "map: missing operand 'offset'" },
	{ "vm 0 0 1\nmap 0 0 1\n", 2, "map: missing operand 'B'" },
	{ "vm\n", 1, "vm: missing operand 'V'" },
	{ "vm 0\n", 1, "vm: missing operand 'start'" },
	{ "vm 0 0 # range in comment 1\n", 1, "vm: missing operand 'range'" },
	{ "vm 0 0 1 reserve\n", 1, "vm: missing operand 'reserve addr'" },
	{ "vm 0 0 1 immediate reserve 5\n", 1, "vm: missing operand 'reserve range'" },
	{ "bo\n", 1, "bo: missing operand 'B'" },
	{ "bo 1 private\n", 1, "bo: missing operand 'V'" },
	{ "vm 0 0 1\nunmap 0 0\n", 2, "unmap: missing operand 'range'" },
	{ "vm 0 0 1\nmadvise 0\n", 2, "madvise: missing operand 'addr'" },
	{ "prefetch\n", 1, "prefetch: missing operand 'V'" },
	{ "vm 0 0 1\nbo_unmap 0\n", 2, "bo_unmap: missing operand 'B'" },
	{ "obtain\n", 1, "obtain: missing operand 'V'" },
	{ "put 0\n", 1, "put: missing operand 'B'" },
	{ "close\n", 1, "close: missing operand 'B'" },
	{ "bo 1\nevict 1\n", 2, "evict: missing operand '0|1'" },
	{ "validate\n", 1, "validate: missing operand 'V'" },
	{ "cleanup\n", 1, "cleanup: missing operand 'V'" },
	{ "destroy\n", 1, "destroy: missing operand 'V'" },
	{ "dump\n", 1, "dump: missing operand 'V'" },
	/* extra operand */
	{ "vm 0 0 0x100000\nbo 1\n\n\nunmap 0 0 1 7\n", 5, "unmap: extra operand '7'" },
	{ "vm 0 0 1\nmap 0 0 1 - 0 0\n", 2, "map: extra operand '0'" },
	{ "bo 1 private 0 x\n", 1, "bo: extra operand 'x'" },
	{ "bo 1\nclose 1 1\n", 2, "close: extra operand '1'" },
	{ "bo 1\nevict 1 0 0\n", 2, "evict: extra operand '0'" },
	{ "vm 0 0 1\nobtain 0 1 2\n", 2, "obtain: extra operand '2'" },
	{ "vm 0 0 1\ndump 0 0\n", 2, "dump: extra operand '0'" },
	/* other unexpected words */
	{ "vm 0 0 1 immediat\n", 1, "vm: unknown option 'immediat'" },
	{ "vm 0 0 1 7\n", 1, "vm: unknown option '7'" },
	{ "bo 1 shared 0\n", 1, "bo: expected 'private' or end of line, got 'shared'" },
	/* malformed numbers */
	{ "\n\n\n\n\nvm 0 0x 1\n", 6, "bad number '0x' (expected decimal or 0x hex u64)" },
	{ "vm 0 +1 1\n", 1, "bad number '+1'" },
	{ "vm 0 -1 1\n", 1, "bad number '-1'" },
	{ "vm 0 0xg 1\n", 1, "bad number '0xg'" },
	{ "vm 0 0x1g 1\n", 1, "bad number '0x1g'" },
	{ "vm 0 1a 1\n", 1, "bad number '1a'" },
	{ "vm 0 0X10 1\n", 1, "bad number '0X10'" },
	{ "vm 0 1_000 1\n", 1, "bad number '1_000'" },
	{ "vm 0 0x-1 1\n", 1, "bad number '0x-1'" },
	{ "vm 0 0x+1 1\n", 1, "bad number '0x+1'" },
	{ "vm 0 x10 1\n", 1, "bad number 'x10'" },
	{ "vm 0 0xfffffffffffffffffz 1\n", 1, "bad number '0xfffffffffffffffffz'" },
	{ "vm x 0 1\n", 1, "bad number 'x'" },
	{ "vm 0 0 1\nmap 0 0 1 -- 0\n", 2, "bad number '--'" },
	{ "vm 0 0 1\nmap 0 0 1 - -\n", 2, "bad number '-'" },
	{ "vm 0 0 1 reserve 0 0x\n", 1, "bad number '0x'" },
	/* out of range numbers */
	{ "\n\n\n\n\nvm 0 18446744073709551616 1\n", 6, "number '18446744073709551616' out of range (u64)" },
	{ "vm 0 99999999999999999999 1\n", 1, "number '99999999999999999999' out of range (u64)" },
	{ "vm 0 0x10000000000000000 1\n", 1, "number '0x10000000000000000' out of range (u64)" },
	{ "vm 0 0x00000000010000000000000000 1\n", 1, "number '0x00000000010000000000000000' out of range (u64)" },
	{ "vm 18446744073709551616 0 1\n", 1, "number '18446744073709551616' out of range (u64)" },
	/* ids */
	{ "\n\n\n\n\n\nvm 64 0 1\n", 7, "vm id 64 out of range (0..63)" },
	{ "vm 0xffffffff 0 1\n", 1, "vm id 4294967295 out of range (0..63)" },
	{ "vm 0x100000000 0 1\n", 1, "vm id 4294967296 out of range (0..63)" },
	{ "bo 64\n", 1, "bo id 64 out of range (0..63)" },
	{ "bo 1 private 64\n", 1, "vm id 64 out of range (0..63)" },
	{ "vm 0 0 1\nmap 0 0 1 100 0\n", 2, "bo id 100 out of range (0..63)" },
	{ "close 1000\n", 1, "bo id 1000 out of range (0..63)" },
	/* used before created */
	{ "vm 0 0 1\n\n\n\n\n\n\ndestroy 3\n", 8, "vm 3 used before it was created" },
	{ "bo 1\nmap 0 0 1 1 0\n", 2, "vm 0 used before it was created" },
	{ "bo 1 private 2\n", 1, "vm 2 used before it was created" },
	{ "vm 0 0 1\nobtain 0 5\n", 2, "bo 5 used before it was created" },
	{ "vm 0 0 1\nmap 0 0 1 1 0\n", 2, "bo 1 used before it was created" },
	{ "evict 0 1\n", 1, "bo 0 used before it was created" },
	{ "close 9\n", 1, "bo 9 used before it was created" },
	{ "vm 0 0 1\nput 0 1\nbo 1\n", 2, "bo 1 used before it was created" },
	/* created twice, also after close/destroy */
	{ "\n\n\n\n\n\n\n\nbo 1\nbo 1\n", 10, "bo 1 created twice" },
	{ "bo 1\nclose 1\nbo 1\n", 3, "bo 1 created twice" },
	{ "vm 0 0 1\nvm 0 0 1\n", 2, "vm 0 created twice" },
	{ "vm 5 0 1\ndestroy 5\nvm 5 0 1 immediate\n", 3, "vm 5 created twice" },
	/* evict switch */
	{ "bo 1\nevict 1 2\n", 2, "evict: expected 0 or 1, got '2'" },
	{ "bo 1\nevict 1 0x1\n", 2, "evict: expected 0 or 1, got '0x1'" },
	{ "bo 1\nevict 1 01\n", 2, "evict: expected 0 or 1, got '01'" },
	/* vm options at most once */
	{ "vm 0 0 1\nvm 1 0 1 immediate immediate\n", 2, "vm: duplicate 'immediate'" },
	{ "vm 0 0 1 resv_protected resv_protected\n", 1, "vm: duplicate 'resv_protected'" },
	{ "vm 0 0 1 reserve 0 1 immediate reserve 0 1\n", 1, "vm: duplicate 'reserve'" },
	{ "vm 0 0 1 empty_ok prealloc empty_ok\n", 1, "vm: duplicate 'empty_ok'" },
	/* bytes */
	{ "vm 0 0 1\n\n\n\n\n\n\n\n\n\nbo 1\a\n", 11, "control byte 0x07" },
	{ "vm 0 0\r1\n", 1, "control byte 0x0d" },
	{ "vm 0 0 1\r\r\n", 1, "control byte 0x0d" },
	{ "vm 0 0 1\fbo 1\n", 1, "control byte 0x0c" },
	{ "vm 0 0 1\x7f\n", 1, "control byte 0x7f" },
	{ "# \x1b[0m colours in a comment\n", 1, "control byte 0x1b" },
	{ "vm 0 0 1\nbo 1\n# caf\xc3\xa9\n", 3, "non-ASCII byte 0xc3" },
	{ "vm 0 0 1 \xff\n", 1, "non-ASCII byte 0xff" },
	{ "vm 0 0 1\xa0\n", 1, "non-ASCII byte 0xa0" },
	/* the first problem by line wins, semantic or not */
	{ "vm 0 0 1\ndestroy 1\nbogus\n", 2, "vm 1 used before it was created" },
	{ "vm 0 0 1\nbogus\ndestroy 1\n", 2, "unknown command 'bogus'" },
};

TEST(parse_errors)
{
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		CHECK(expect_err(err_cases[i].text, err_cases[i].line,
				 err_cases[i].key));
	/* A sample of full messages, to pin the exact wording. */
	CHECK(expect_err("vm 0 0 1\nmapp 1\n", 2, ""));
	CHECK(!strcmp(err, "t.gvm:2: unknown command 'mapp'"));
	CHECK(expect_err("vm 0 0 0x\n", 1, ""));
	CHECK(!strcmp(err, "t.gvm:1: bad number '0x' (expected decimal or 0x hex u64)"));
	CHECK(expect_err("bo 1\nevict 1 2\n", 2, ""));
	CHECK(!strcmp(err, "t.gvm:2: evict: expected 0 or 1, got '2'"));
}

/* NUL is reported wherever it is: the text is not a C string. */
TEST(parse_nul)
{
	static const char a[] = "vm 0 0 1\nbo 1\0\n";
	static const char b[] = "vm 0 0 1\n# \0 in a comment\n";
	static const char c[] = "\0";

	CHECK(expect_err_len(a, sizeof(a) - 1, 2, "NUL byte"));
	CHECK(expect_err_len(b, sizeof(b) - 1, 2, "NUL byte"));
	CHECK(expect_err_len(c, 1, 1, "NUL byte"));
	/* Bytes past @len are never looked at. */
	CHECK(expect_err_len("vm 0 0 1\nbo 1 xyz", 15, 2, "bo: expected 'private' or end of line, got 'x'"));
}

TEST(parse_long_lines)
{
	size_t cap = 2 * GVM_MAX_LINE + 16;
	char *text = malloc(cap);
	struct gvm_script s = { 0 };
	size_t n;

	CHECK(text);
	if (!text)
		return;

	/* Exactly GVM_MAX_LINE bytes: accepted, also with CRLF. */
	memset(text, ' ', GVM_MAX_LINE);
	memcpy(text, "vm 0 0 1", 8);
	text[GVM_MAX_LINE - 1] = '#';
	memcpy(text + GVM_MAX_LINE, "\r\n", 2);
	CHECK_EQ(gvm_parse("t.gvm", text, GVM_MAX_LINE + 2, &s, err, sizeof(err)), 0);
	CHECK_EQ(s.n, 1);
	gvm_script_free(&s);
	CHECK_EQ(gvm_parse("t.gvm", text, GVM_MAX_LINE, &s, err, sizeof(err)), 0);
	gvm_script_free(&s);

	/* One more: rejected, with or without a newline. */
	memset(text, '#', GVM_MAX_LINE + 1);
	CHECK(expect_err_len(text, GVM_MAX_LINE + 1, 1, "line longer than 4096 bytes"));
	text[GVM_MAX_LINE + 1] = '\n';
	CHECK(expect_err_len(text, GVM_MAX_LINE + 2, 1, "line longer than 4096 bytes"));

	/* On a later line; a long token is shown (cut to fit @err). */
	memcpy(text, "vm 0 0 1\n\nvm 1 0 ", 17);
	n = 17;
	memset(text + n, '7', GVM_MAX_LINE - 7);
	n += GVM_MAX_LINE - 7;
	text[n++] = '\n';
	CHECK(expect_err_len(text, n, 3, "number '7777"));
	CHECK_EQ(strlen(err), sizeof(err) - 1);
	memset(text + 10, 'x', GVM_MAX_LINE + 1);
	n = 10 + GVM_MAX_LINE + 1;
	CHECK(expect_err_len(text, n, 3, "line longer than 4096 bytes"));
	free(text);
}

/* @err is optional and cut short safely. */
TEST(parse_err_buffer)
{
	struct gvm_script s = { 0 };
	char small[12];

	memset(small, 'x', sizeof(small));
	CHECK_EQ(gvm_parse("t.gvm", "bogus", 5, &s, small, sizeof(small)), -1);
	CHECK(!strcmp(small, "t.gvm:1: un"));
	CHECK_EQ(gvm_parse("a-very-long-file-name.gvm", "bogus", 5, &s, small,
			   sizeof(small)), -1);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	CHECK_EQ(gvm_parse("t.gvm", "bogus", 5, &s, NULL, 0), -1);
	CHECK_EQ(gvm_parse(NULL, "bogus", 5, &s, err, sizeof(err)), -1);
	CHECK(strstr(err, ":1: unknown command 'bogus'"));
	CHECK_EQ(gvm_parse("t.gvm", "vm 0 0 1", 8, &s, NULL, 0), 0);
	CHECK_EQ(s.n, 1);
	gvm_script_free(&s);
}

/* Decoded scripts: no text, possibly no lines, possibly junk fields. */
TEST(validate_decoded)
{
	char want[64];
	struct gvm_cmd cmds[] = {
		{ .kind = GVM_CMD_VM, .vm = 2, .range = 0x1000 },
		{ .kind = GVM_CMD_BO, .bo = 7, .flags = GVM_F_PRIVATE, .vm = 2 },
		{ .kind = GVM_CMD_MAP, .vm = 2, .range = 0x1000, .bo = 7 },
		{ .kind = GVM_CMD_MAP, .vm = 2, .range = 0x1000,
		  .flags = GVM_F_NO_BO },
		{ .kind = GVM_CMD_CLOSE, .bo = 7 },
		{ .kind = GVM_CMD_DESTROY, .vm = 2 },
		{ .kind = GVM_CMD_PUT, .vm = 2, .bo = 7 },
	};
	struct gvm_script s = { .cmds = cmds, .n = 7, .cap = 7 };
	struct gvm_script empty = { 0 };

	CHECK_EQ(gvm_script_validate("d", &empty, err, sizeof(err)), 0);
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), 0);
	CHECK_EQ(err[0], '\0');

	/* Without a line, the command's 1-based index is reported. */
	cmds[2].bo = 8;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:3: bo 8 used before it was created"));
	cmds[2].line = 42;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:42: bo 8 used before it was created"));
	cmds[2].bo = 7;

	cmds[6].vm = 64;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:7: vm id 64 out of range (0..63)"));
	cmds[6].vm = 2;
	cmds[4].bo = UINT32_MAX;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:5: bo id 4294967295 out of range (0..63)"));
	cmds[4].bo = 7;

	cmds[5].kind = GVM_CMD_NR;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "d:6: bad command kind %d", GVM_CMD_NR);
	CHECK(!strcmp(err, want));
	cmds[5].kind = GVM_CMD_DESTROY;

	cmds[3].flags |= GVM_F_EVICT;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "d:4: malformed map command"));
	cmds[3].flags = GVM_F_NO_BO;
	cmds[3].bo = 9;		/* set although "-" */
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "d:4: malformed map command"));
	cmds[3].bo = 0;

	cmds[1].vm = 3;
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:2: vm 3 used before it was created"));
	cmds[1].vm = 2;
	cmds[0] = (struct gvm_cmd){ .kind = GVM_CMD_DUMP, .vm = 2 };
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:1: vm 2 used before it was created"));
	cmds[0] = (struct gvm_cmd){ .kind = GVM_CMD_VM, .vm = 2,
				    .range = 0x1000 };
	cmds[4] = cmds[1];
	CHECK_EQ(gvm_script_validate("d", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "d:5: bo 7 created twice"));
}

TEST(script_push)
{
	struct gvm_script s = { 0 };
	struct gvm_cmd c = { .kind = GVM_CMD_UNMAP };
	size_t i, last_cap = 0;

	for (i = 0; i < 1000; i++) {
		c.addr = i;
		c.line = (uint32_t)i;
		CHECK_EQ(gvm_script_push(&s, &c), 0);
		CHECK_EQ(s.n, i + 1);
		CHECK(s.cap >= s.n);
		/* Growth by doubling: each new capacity twice the last. */
		if (s.cap != last_cap) {
			if (last_cap)
				CHECK_EQ(s.cap, 2 * last_cap);
			last_cap = s.cap;
		}
	}
	for (i = 0; i < 1000; i++) {
		CHECK_EQ(s.cmds[i].addr, i);
		CHECK_EQ(s.cmds[i].line, i);
	}
	gvm_script_free(&s);
	CHECK(!s.cmds);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(s.cap, 0);
	gvm_script_free(&s);	/* twice is fine */
	CHECK_EQ(gvm_script_push(&s, &c), 0);
	CHECK_EQ(s.n, 1);
	gvm_script_free(&s);
}

TEST_MAIN(kind_names, format_canonical, format_truncates, format_rejects_bad,
	  cmd_equal, round_trip, twin_round_trip, threads_round_trip, threads_errors,
	  schedule_at_an_operation,
	  parse_numbers, parse_layout, parse_vm_options,
	  parse_appends, parse_errors, parse_nul, parse_long_lines,
	  parse_err_buffer, validate_decoded, script_push)
