// SPDX-License-Identifier: MIT
/*
 * The fuzz-input decoders and encoders (fuzz/gvm_decode.c): every byte
 * string decodes to a valid, bounded script, deterministically; decoded
 * scripts are canonical (encode then decode gives them back); every seed
 * script under corpus/<target>/seeds/ round-trips through its bytes; and
 * non-canonical scripts are refused with the line and the reason.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "fuzz/gvm_decode.h"
#include "fuzz/gvm_file.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_targets.h"
#include "test.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seeds, same bytes on every run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static bool scripts_equal(const struct gvm_script *a,
			  const struct gvm_script *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!gvm_cmd_equal(&a->cmds[i], &b->cmds[i]))
			return false;
	return true;
}

static void print_script(const char *what, const struct gvm_script *s)
{
	char line[GVM_MAX_LINE];
	size_t i;

	fprintf(stderr, "%s:\n", what);
	for (i = 0; i < s->n; i++) {
		if (gvm_cmd_format(&s->cmds[i], line, sizeof(line)) < 0)
			snprintf(line, sizeof(line), "<malformed kind %d>",
				 (int)s->cmds[i].kind);
		fprintf(stderr, "  %s\n", line);
	}
}

/*
 * decode(@data) is valid and bounded, decodes the same twice, and is
 * canonical: encode() accepts it and its bytes decode back to it.
 * Returns whether all that held (failures are counted by CHECK).
 */
static bool check_input(enum gvm_format t, const uint8_t *data, size_t size)
{
	struct gvm_script a = { 0 }, b = { 0 }, c = { 0 };
	char err[256];
	uint8_t *enc = NULL;
	size_t enc_size = 0;
	int failures = test_failures;

	CHECK_EQ(gvm_decode(t, data, size, &a), 0);
	CHECK(a.n >= 1 && a.n <= GVM_FUZZ_MAX_CMDS);
	if (gvm_script_validate("decoded", &a, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", gvm_format_name(t), err);
		CHECK(!"decoded script fails gvm_script_validate");
	}
	CHECK_EQ(gvm_decode(t, data, size, &b), 0);
	CHECK(scripts_equal(&a, &b));

	if (gvm_encode(t, &a, &enc, &enc_size, err, sizeof(err))) {
		fprintf(stderr, "%s: encode of a decoded script: %s\n",
			gvm_format_name(t), err);
		print_script("script", &a);
		CHECK(!"decoded script is not canonical");
	} else {
		CHECK_EQ(gvm_decode(t, enc, enc_size, &c), 0);
		if (!scripts_equal(&a, &c)) {
			print_script("decoded", &a);
			print_script("re-decoded", &c);
			CHECK(!"decode(encode(decode(x))) != decode(x)");
		}
	}
	free(enc);
	gvm_script_free(&a);
	gvm_script_free(&b);
	gvm_script_free(&c);
	return failures == test_failures;
}

TEST(format_names)
{
	int f;

	for (f = 0; f < GVM_FORMAT_NR; f++) {
		const char *name = gvm_format_name((enum gvm_format)f);

		CHECK(name != NULL);
		CHECK_EQ(gvm_format_from_name(name), f);
	}
	CHECK(!strcmp(gvm_format_name(GVM_FORMAT_MULTI_VM), "multi_vm"));
	CHECK(!strcmp(gvm_format_name(GVM_FORMAT_SPLIT_MERGE), "split_merge"));
	CHECK(!strcmp(gvm_format_name(GVM_FORMAT_LIFETIME), "lifetime"));
	CHECK(!strcmp(gvm_format_name(GVM_FORMAT_FAULT), "fault"));
	CHECK(gvm_format_name(GVM_FORMAT_NR) == NULL);
	CHECK(gvm_format_name((enum gvm_format)-1) == NULL);
	CHECK_EQ(gvm_format_from_name("multi"), -1);
	CHECK_EQ(gvm_format_from_name("multi_vm_fuzzer"), -1);
	CHECK_EQ(gvm_format_from_name(""), -1);
	CHECK_EQ(gvm_format_from_name(NULL), -1);
}

/* The rows of fuzz/targets.def as the tools find them by name. */
TEST(target_table)
{
	const struct gvm_fuzz_target *t;
	int i;

	for (i = 0; i < GVM_FUZZ_NR; i++) {
		t = &gvm_fuzz_targets[i];
		CHECK(gvm_fuzz_target_from_arg("test", t->name, false) == t);
		CHECK(t->format >= -1 && t->format < GVM_FORMAT_NR);
		/* Every backend a row names is one the harness has. */
		CHECK(!t->a || !strcmp(t->a, "lean") || !strcmp(t->a, "upstream"));
		CHECK(!t->b || !strcmp(t->b, "lean") || !strcmp(t->b, "upstream"));
		CHECK(t->a || t->format < 0);
	}
	t = gvm_fuzz_target_from_arg("test", "multi_vm", true);
	CHECK(t == &gvm_fuzz_targets[GVM_FUZZ_multi_vm_fuzzer]);
	CHECK(t && t->format == GVM_FORMAT_MULTI_VM && !strcmp(t->a, "lean") && !t->b &&
	      !t->state_at_end);
	t = gvm_fuzz_target_from_arg("test", "differential_fault_fuzzer", true);
	CHECK(t && t->format == GVM_FORMAT_FAULT && !strcmp(t->a, "lean") &&
	      t->b && !strcmp(t->b, "upstream"));
	t = gvm_fuzz_target_from_arg("test", "upstream_split_merge", true);
	CHECK(t && t->format == GVM_FORMAT_SPLIT_MERGE && !strcmp(t->a, "upstream") &&
	      t->state_at_end);
	/* Script text is not decoded: refused where a decoder is wanted. */
	CHECK(gvm_fuzz_target_from_arg("test", "gvm_parse_fuzzer", false) != NULL);
	CHECK(gvm_fuzz_target_from_arg("test", "gvm_parse_fuzzer", true) == NULL);
	CHECK(gvm_fuzz_target_from_arg("test", "multi", false) == NULL);
	CHECK(gvm_fuzz_target_from_arg("test", "multi_vm_fuzzer_fuzzer", false) == NULL);
	CHECK(gvm_fuzz_target_from_arg("test", "", false) == NULL);
	CHECK(gvm_fuzz_target_from_arg("test", NULL, false) == NULL);
	/* This test links lib/ only: upstream's backend is not there. */
	CHECK(gvm_backend_find("lean") == gvm_backend_lean_create);
	CHECK(gvm_backend_find("upstream") == NULL);
	CHECK(gvm_backend_find("none") == NULL);
	CHECK(gvm_backend_find(NULL) == NULL);
}

/* Random byte strings of many lengths, from fixed seeds. */
TEST(random_inputs)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31,
				       64, 100, 255, 256, 1000, 4096 };
	uint8_t buf[4096];
	size_t i, j, n;
	int t, seed, bad = 0;

	for (t = 0; t < GVM_FORMAT_NR; t++) {
		for (seed = 1; seed <= 200 && bad < 5; seed++) {
			rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)seed + (uint64_t)t;
			for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
				n = lens[i];
				for (j = 0; j < n; j++)
					buf[j] = (uint8_t)rng();
				/* Some strings rich in tags and zeroes. */
				if (seed % 4 == 0)
					for (j = 0; j < n; j++)
						buf[j] = (buf[j] & 1) ? 0xf0 + buf[j] % 16 : 0;
				if (!check_input((enum gvm_format)t, buf, n))
					bad++;
			}
		}
		CHECK_EQ(bad, 0);
	}
}

/* Every single-byte and two-byte input (prologues and first records). */
TEST(short_inputs)
{
	uint8_t buf[2];
	int t, a, b, bad = 0;

	for (t = 0; t < GVM_FORMAT_NR; t++) {
		for (a = 0; a < 256 && bad < 5; a++) {
			buf[0] = (uint8_t)a;
			if (!check_input((enum gvm_format)t, buf, 1))
				bad++;
			for (b = 0; b < 256 && bad < 5; b += 7) {
				buf[1] = (uint8_t)b;
				if (!check_input((enum gvm_format)t, buf, 2))
					bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
}

/* The empty input is the bare prologue; a long one stops at the limit. */
TEST(empty_and_long)
{
	struct gvm_script s = { 0 };
	uint8_t *big;
	size_t size = 100000;
	int t;

	CHECK_EQ(gvm_decode(GVM_FORMAT_MULTI_VM, NULL, 0, &s), 0);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.cmds[0].kind, GVM_CMD_VM);
	CHECK_EQ(s.cmds[0].range, 0x100000);
	CHECK_EQ(s.cmds[0].flags, 0);
	CHECK_EQ(s.cmds[1].kind, GVM_CMD_BO);
	CHECK_EQ(s.cmds[1].flags, 0);
	gvm_script_free(&s);

	CHECK_EQ(gvm_decode(GVM_FORMAT_SPLIT_MERGE, NULL, 0, &s), 0);
	CHECK_EQ(s.n, 4);
	CHECK_EQ(s.cmds[0].kind, GVM_CMD_TWIN);
	CHECK_EQ(s.cmds[1].kind, GVM_CMD_VM);
	CHECK_EQ(s.cmds[2].kind, GVM_CMD_BO);
	CHECK_EQ(s.cmds[3].kind, GVM_CMD_BO);
	gvm_script_free(&s);

	big = malloc(size);
	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, 0x55, size);
	for (t = 0; t < GVM_FORMAT_NR; t++) {
		CHECK_EQ(gvm_decode((enum gvm_format)t, big, size, &s), 0);
		/* concurrency: 0x55 % 9 records for thread 1 + 0x55 % 3, where all run on @1: dropped */
		CHECK_EQ(s.n, GVM_FUZZ_MAX_CMDS - (t == GVM_FORMAT_CONCURRENCY ? 0x55 % 9 : 0));
		gvm_script_free(&s);
	}
	free(big);

	/* Appends: what is already in @out stays. */
	CHECK_EQ(gvm_decode(GVM_FORMAT_LIFETIME, NULL, 0, &s), 0);
	CHECK_EQ(gvm_decode(GVM_FORMAT_LIFETIME, NULL, 0, &s), 0);
	CHECK_EQ(s.n, 4);
	gvm_script_free(&s);
}

/* Hand-checked bytes: the documented format, not just self-consistency. */
/* @in decodes for @format to exactly the commands @want. */
static void check_decoded(enum gvm_format format, const uint8_t *in, size_t size,
			  const char *const *want, size_t n)
{
	char line[GVM_MAX_LINE];
	struct gvm_script s = { 0 };
	size_t i;

	CHECK_EQ(gvm_decode(format, in, size, &s), 0);
	CHECK_EQ(s.n, n);
	for (i = 0; i < s.n && i < n; i++) {
		CHECK(gvm_cmd_format(&s.cmds[i], line, sizeof(line)) > 0);
		if (strcmp(line, want[i])) {
			fprintf(stderr, "cmd %zu: got '%s', want '%s'\n", i, line, want[i]);
			CHECK(!"decoded command differs");
		}
	}
	gvm_script_free(&s);
}

TEST(known_bytes)
{
	static const uint8_t in[] = {
		0x01,			/* 2 VMs */
		0x05, 0x02,		/* vm 0 reserve immediate, vm 1 resv_protected */
		0x02,			/* 3 objects */
		0x00, 0x01, 0x05,	/* own, private 0, private (5 % 3 - 1) 1 */
		0x00,			/* map */
		0x01, 0x02, 0x03, 0x02, 0xf3,	/* vm 1 0x2000 0x3000 bo 2 offset E[3] */
		0x00,			/* map */
		0x00, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0x80,	/* vm 0 raw */
		0xf7, 0x03, 0x00,	/* range E[7] = 0, '-', offset 0 */
		0x0c,			/* evict */
		0x04, 0x03,		/* bo (4 % 3) 1, 1 */
	};
	static const char *const want[] = {
		"vm 0 0x0 0x100000 reserve 0x80000 0x10000 immediate",
		"vm 1 0x0 0x100000 resv_protected",
		"bo 0",
		"bo 1 private 0",
		"bo 2 private 1",
		"map 1 0x2000 0x3000 2 0x80000",
		"map 0 0x8000000000000001 0x0 - 0x0",
		"evict 1 1",
	};

	check_decoded(GVM_FORMAT_MULTI_VM, in, sizeof(in), want, sizeof(want) / sizeof(want[0]));
}

/*
 * concurrency: each record's thread byte, and the schedule read from the
 * tail; a 0 thread is the script's own flow until a command ran on a
 * thread, thread 1 after.
 */
TEST(known_bytes_concurrency)
{
	static const uint8_t in[] = {
		0x00, 0x00,		/* 1 VM, staged */
		0x00, 0x00,		/* 1 object, own resv */
		0x00, 0x04,		/* map, thread 4 % 4: the script's own flow; (4 / 4) & 1: a job */
		0x00, 0x00, 0x01, 0x00, 0x00,	/* vm 0 0x0 0x1000 bo 0 offset 0 */
		0x03, 0x02,		/* unmap on thread 2 */
		0x00, 0x00, 0x01,	/* vm 0 0x0 0x1000 */
		0x03, 0x00,		/* unmap, thread 0 after a thread: @1 */
		0x00, 0x02, 0x01,
		0x0f, 0x07,		/* cleanup on thread 3; no job but for map and unmap */
		0x00,			/* vm 0 */
		0x04, 0x01,		/* schedule 5 2 */
		0x00, 0x05,		/* schedule 6 (1 + 5 % 3) 3 */
		0x1a, 0x69,		/* 0x40: at thread 2 % 7 + 1, its (3 + 1)th put (5), run 1 + 1 */
		0x00, 0xc8,		/* at thread 1, op (1 | 0x80 / 16) % 12: free (9) */
		0x01, 0x85,		/* schedule 8 j(5 % 4): VM 1 has no run_job, dropped */
		0x05,			/* 5 records */
	};
	static const char *const want[] = {
		"vm 0 0x0 0x100000", "bo 0", "schedule 5 2", "schedule 6 3", "schedule 3 put.4 2",
		"schedule 1 free.1 1",
		"map 0 0x0 0x1000 0 0x0 job", "@2 unmap 0 0x0 0x1000", "@1 unmap 0 0x2000 0x1000",
		"@3 cleanup 0",
	};
	struct gvm_script s = { 0 };

	check_decoded(GVM_FORMAT_CONCURRENCY, in, sizeof(in), want, sizeof(want) / sizeof(want[0]));
	/*
	 * A count larger than the bytes before it: as many as they hold,
	 * all of them here (prologue from zeros); none names a thread, so
	 * none is kept.
	 */
	CHECK_EQ(gvm_decode(GVM_FORMAT_CONCURRENCY, (const uint8_t *)"\x01\x02\x08", 3, &s), 0);
	CHECK(s.n == 2 && s.cmds[0].kind == GVM_CMD_VM && s.cmds[1].kind == GVM_CMD_BO);
	gvm_script_free(&s);
}

/* Parse @text; encode it for @t; expect success, or exactly @want_err. */
static void check_encode(enum gvm_format t, const char *text,
			 const char *want_err)
{
	struct gvm_script s = { 0 }, d = { 0 };
	char err[GVM_MAX_LINE + 256];
	uint8_t *data = NULL;
	size_t size = 0;
	int r;

	if (gvm_parse("t.gvm", text, strlen(text), &s, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		CHECK(!"test script does not parse");
		gvm_script_free(&s);
		return;
	}
	r = gvm_encode(t, &s, &data, &size, err, sizeof(err));
	if (want_err) {
		CHECK_EQ(r, -1);
		CHECK(data == NULL);
		if (strcmp(err, want_err)) {
			fprintf(stderr, "got error '%s', want '%s'\n", err,
				want_err);
			CHECK(!"wrong encode error");
		}
	} else {
		if (r)
			fprintf(stderr, "encode: %s\n", err);
		CHECK_EQ(r, 0);
		CHECK_EQ(gvm_decode(t, data, size, &d), 0);
		CHECK(scripts_equal(&s, &d));
	}
	free(data);
	gvm_script_free(&s);
	gvm_script_free(&d);
}

TEST(encode_values)
{
	/* Grid, edge table and raw escapes, near 2^64 too. */
	check_encode(GVM_FORMAT_MULTI_VM,
		     "vm 0 0x0 0x100000 reserve 0x80000 0x10000\n"
		     "bo 0\n"
		     "map 0 0xef000 0xf0000 0 0xfffffffffffff000\n"
		     "map 0 0x7f000 0x90000 - 0x1234\n"
		     "unmap 0 0xffffffffffffffff 0x8000000000000000\n"
		     "madvise 0 0x101000 0xfffffffffff00000\n"
		     "prefetch 0 0x800 0x1\n", NULL);
	check_encode(GVM_FORMAT_SPLIT_MERGE,
		     "twin\n"
		     "vm 0 0xfffffffffff00000 0xff000 reserve 0xfffffffffff10000 0x4000 resv_protected\n"
		     "bo 0\nbo 1\n"
		     "map 0 0xfffffffffff1f000 0x1000 1 0x1f000\n"
		     "map 0 0xfffffffffff20000 0x20000 - 0x0\n"
		     "map 0 0xfffffffffffff000 0x1000 0 0x0\n"
		     "unmap 0 0xfffffffffff14000 0x1000\n"
		     "madvise 0 0xfffffffffff0f000 0x100000\n"
		     "prefetch 0 0xfffffffffffff000 0xffffffffffffffff\n", NULL);
	check_encode(GVM_FORMAT_LIFETIME,
		     "vm 0 0x0 0x100000\nbo 0\n"
		     "map 0 0x3000 0x4000 0 0x5000\n", NULL);
	check_encode(GVM_FORMAT_FAULT,
		     "vm 0 0x0 0x100000\nvm 1 0x0 0x100000 immediate\n"
		     "bo 0 private 1\n"
		     "inject alloc 1\nmap 1 0x0 0x1000 0 0x0\n"
		     "inject alloc 16\nobtain 0 0\n"
		     "inject step 1\nunmap 0 0x0 0x2000\n"
		     "inject step 8\nmap 0 0x1000 0x1000 - 0x0\n", NULL);
}

TEST(encode_errors)
{
	const enum gvm_format mv = GVM_FORMAT_MULTI_VM;
	const enum gvm_format sm = GVM_FORMAT_SPLIT_MERGE;
	char text[16384];
	size_t n = 0;
	int i;

	check_encode(mv, "", "line 1: multi_vm scripts start with 'vm 0 ...'");
	check_encode(mv, "# c\n\nbo 0\n",
		     "line 3: multi_vm scripts start with 'vm 0 ...'");
	check_encode(mv, "vm 0 0x0 0x100000\nvm 2 0x0 0x100000\nvm 1 0x0 0x100000\nbo 0\n",
		     "line 2: vm ids must be 0, 1, ... in order");
	check_encode(mv, "vm 0 0x0 0x100000\nvm 1 0x0 0x200000\nbo 0\n",
		     "line 2: window must be 0x0 0x100000");
	check_encode(mv, "vm 0 0x0 0x100000 reserve 0x0 0x1000\nbo 0\n",
		     "line 1: reserve must be 0x80000 0x10000");
	check_encode(mv, "vm 0 0x0 0x100000\nvm 1 0x0 0x100000\nvm 2 0x0 0x100000\n"
		     "vm 3 0x0 0x100000\nvm 4 0x0 0x100000\nbo 0\n",
		     "line 5: at most 4 VMs");
	check_encode(mv, "vm 0 0x0 0x100000\ndump 0\n",
		     "line 2: expected 'bo 0' after the VMs");
	/* Not decoded: an empty_ok VM would run what the others do (gvm_decode.c). */
	check_encode(mv, "vm 0 0x0 0x100000\nvm 1 0x0 0x100000 empty_ok\nbo 0\n",
		     "line 2: multi_vm has no empty_ok VM");
	/* Threads are scripts' alone: an encoder must not drop "@T". */
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\n@1 map 0 0x0 0x1000 0 0x0\n",
		     "line 3: multi_vm has no threads (@1)");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\nschedule 1 2\n@2 cleanup 0\n",
		     "line 3: multi_vm has no 'schedule' command");
	check_encode(mv, "vm 0 0x0 0x100000 immediate\nbo 0\nunmap 0 0x0 0x1000 job\n",
		     "line 3: multi_vm has no jobs ('unmap ... job')");
	check_encode(GVM_FORMAT_CONCURRENCY, "vm 0 0x0 0x100000\nbo 0\nschedule 1 j0\n"
		     "@1 map 0 0x0 0x1000 0 0x0 job\n", NULL);
	/* At a thread's Nth operation: every operation, N up to 32, threads 1 .. 3, j0 .. j3. */
	check_encode(GVM_FORMAT_CONCURRENCY, "vm 0 0x0 0x100000 immediate\nvm 1 0x0 0x100000\n"
		     "vm 2 0x0 0x100000\nvm 3 0x0 0x100000\nbo 0\n"
		     "schedule j0 unlock.2 2\nschedule 9 3\nschedule 3 wait.32 j3\n"
		     "schedule j3 get_unless_zero.1 1\nschedule 1 signal.7 j0\nschedule 300 1\n"
		     "@1 map 0 0x0 0x1000 0 0x0 job\n@2 cleanup 0\n@3 unmap 3 0x0 0x1000 job\n", NULL);
	check_encode(GVM_FORMAT_CONCURRENCY, "vm 0 0x0 0x100000\nbo 0\nschedule 1 lock.33 2\n"
		     "@1 cleanup 0\n@2 cleanup 0\n",
		     "line 3: schedule: a thread's operation up to the 32nd (lock.32)");
	/* A gap of more than 256 decisions: records for no thread bridge it. */
	check_encode(GVM_FORMAT_CONCURRENCY, "vm 0 0x0 0x100000\nbo 0\nschedule 2 2\n"
		     "schedule 700 1\n@1 cleanup 0\n@2 cleanup 0\n", NULL);
	check_encode(GVM_FORMAT_CONCURRENCY, "vm 0 0x0 0x100000 immediate\nvm 1 0x0 0x100000 immediate\n"
		     "vm 2 0x0 0x100000 immediate\nvm 3 0x0 0x100000 immediate\nbo 0\n"
		     "schedule 1 1\nschedule 300 2\n"
		     "@1 unmap 0 0x0 0x1000 job\n@2 unmap 1 0x0 0x1000 job\n"
		     "@3 unmap 2 0x0 0x1000 job\n@3 unmap 3 0x0 0x1000 job\n",
		     "line 7: schedule 300: at most 256 decisions after the last record (1) when every thread is used");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 1\nbo 0\n",
		     "line 2: bo ids must be 0, 1, ... in order");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\nbo 1\nbo 2\nbo 3\nbo 4\nbo 5\n"
		     "bo 6\nbo 7\nbo 8\n", "line 10: at most 8 objects");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\ndump 0\nvm 1 0x0 0x100000\n",
		     "line 4: multi_vm creates VMs only at the start");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\ndump 0\nbo 1\n",
		     "line 4: multi_vm creates objects only in the prologue, right after the VMs");
	check_encode(mv, "vm 0 0x0 0x100000\nbo 0\ninject alloc 1\n",
		     "line 3: multi_vm has no 'inject' command");
	check_encode(mv, "twin\nvm 0 0x0 0x100000\nbo 0\n",
		     "line 1: multi_vm scripts start with 'vm 0 ...'");
	check_encode(GVM_FORMAT_FAULT, "vm 0 0x0 0x100000\nbo 0\ninject alloc 17\n",
		     "line 3: inject alloc N: N must be 1..16");
	check_encode(GVM_FORMAT_FAULT, "vm 0 0x0 0x100000\nbo 0\ninject step 9\n",
		     "line 3: inject step N: N must be 1..8");
	check_encode(GVM_FORMAT_LIFETIME, "vm 0 0x0 0x100000\nbo 0\nmadvise 0 0x0 0x1000\n",
		     "line 3: lifetime has no 'madvise' command");

	check_encode(sm, "vm 0 0x0 0x100000\n",
		     "line 1: split_merge scripts start with 'twin'");
	check_encode(sm, "twin\nbo 0\n", "line 2: expected 'vm 0 ...' after 'twin'");
	check_encode(sm, "twin\nvm 0 0x1000 0x100000\nbo 0\nbo 1\n",
		     "line 2: window must be 0x0 0x100000 or 0xfffffffffff00000 0xff000");
	check_encode(sm, "twin\nvm 0 0x0 0x100000 immediate\nbo 0\nbo 1\n",
		     "line 2: split_merge has no immediate VM");
	check_encode(sm, "twin\nvm 0 0x0 0x100000 empty_ok\nbo 0\nbo 1\n",
		     "line 2: split_merge has no empty_ok VM");
	check_encode(sm, "twin\nvm 0 0xfffffffffff00000 0xff000 reserve 0x10000 0x4000\nbo 0\nbo 1\n",
		     "line 2: reserve must be 0xfffffffffff10000 0x4000");
	check_encode(sm, "twin\nvm 0 0x0 0x100000\nbo 0\n", "line 4: expected 'bo 1'");
	check_encode(sm, "twin\nvm 0 0x0 0x100000\nbo 0 private 0\nbo 1\n",
		     "line 3: split_merge objects have their own resv (no 'private')");
	check_encode(sm, "twin\nvm 0 0x0 0x100000\nbo 0\nbo 1\nbo 2\n",
		     "line 5: split_merge creates objects only in the prologue, right after the VMs");
	check_encode(sm, "twin\nvm 0 0x0 0x100000\nbo 0\nbo 1\n\n# x\nobtain 0 0\n",
		     "line 7: split_merge has no 'obtain' command");
	check_encode(sm, "twin\nvm 0 0x0 0x100000\nbo 0\nbo 1\nvm 1 0x0 0x100000\nmap 1 0x0 0x1000 0 0x0\n",
		     "line 5: split_merge creates VMs only at the start");

	/* Exactly the limit is fine, one more is not. */
	n += (size_t)snprintf(text + n, sizeof(text) - n, "vm 0 0x0 0x100000\nbo 0\n");
	for (i = 2; i < GVM_FUZZ_MAX_CMDS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "dump 0\n");
	check_encode(mv, text, NULL);
	snprintf(text + n, sizeof(text) - n, "dump 0\n");
	check_encode(mv, text, "line 129: more than 128 commands (GVM_FUZZ_MAX_CMDS)");
}

/* Hand-built commands that no parser would produce. */
TEST(encode_malformed)
{
	struct gvm_cmd cmds[3] = {
		{ .kind = GVM_CMD_VM, .range = 0x100000 },
		{ .kind = GVM_CMD_BO },
		{ .kind = GVM_CMD_DUMP, .vm = 2 },
	};
	struct gvm_script s = { .cmds = cmds, .n = 3, .cap = 3 };
	uint8_t *data = (uint8_t *)&s;
	size_t size = 1;
	char err[128];

	CHECK_EQ(gvm_encode(GVM_FORMAT_MULTI_VM, &s, &data, &size, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "line 3: vm 2 was not created"));
	CHECK(data == NULL);
	CHECK_EQ(size, 0);

	cmds[2].vm = 0;
	cmds[2].bo = 1;		/* dump has no B */
	CHECK_EQ(gvm_encode(GVM_FORMAT_MULTI_VM, &s, &data, &size, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "line 3: malformed dump command (flags 0x0 or unused fields set)"));

	cmds[2].bo = 0;
	cmds[2].line = 42;	/* a parsed command reports its own line */
	cmds[2].kind = GVM_CMD_CLOSE;
	cmds[2].bo = 5;
	CHECK_EQ(gvm_encode(GVM_FORMAT_MULTI_VM, &s, &data, &size, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "line 42: bo 5 was not created"));

	CHECK_EQ(gvm_encode(GVM_FORMAT_NR, &s, &data, &size, err, sizeof(err)), -1);
	/* A NULL error buffer is allowed. */
	CHECK_EQ(gvm_encode(GVM_FORMAT_MULTI_VM, &s, &data, &size, NULL, 0), -1);
}

/* Read a whole file; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = gvm_read_all(f, len);
	fclose(f);
	return buf;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/*
 * Every .gvm in corpus/<target>/seeds: decode(encode(s)) == s, and between
 * them the seeds of a target use every command its decoder can produce.
 * Paths are relative to the working directory: the repository root, or
 * the runfiles root under Bazel (the seeds are the test's data).
 */
TEST(seeds_round_trip)
{
	char dir[256], path[512], err[GVM_MAX_LINE + 256];
	int t, nseeds;

	for (t = 0; t < GVM_FORMAT_NR; t++) {
		bool seen[GVM_CMD_NR] = { false }, any_seen[GVM_CMD_NR] = { false };
		struct gvm_script probe = { 0 };
		uint8_t buf[64], *pro = NULL;
		size_t pro_size = 0;
		struct dirent *de;
		DIR *d;
		int k, j;

		snprintf(dir, sizeof(dir), "corpus/%s_fuzzer/seeds",
			 gvm_format_name((enum gvm_format)t));
		d = opendir(dir);
		if (!d) {
			fprintf(stderr, "%s: %s\n", dir, strerror(errno));
			CHECK(!"no seed directory");
			continue;
		}
		nseeds = 0;
		while ((de = readdir(d))) {
			struct gvm_script s = { 0 }, back = { 0 };
			uint8_t *data = NULL;
			size_t len = 0, size = 0, i;
			char *text;

			if (!has_suffix(de->d_name, ".gvm"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			text = slurp(path, &len);
			CHECK(text != NULL);
			if (!text)
				continue;
			nseeds++;
			if (gvm_parse(path, text, len, &s, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				CHECK(!"seed does not parse");
			} else if (gvm_encode((enum gvm_format)t, &s, &data, &size,
					      err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", path, err);
				CHECK(!"seed is not canonical");
			} else {
				CHECK_EQ(gvm_decode((enum gvm_format)t, data, size, &back), 0);
				if (!scripts_equal(&s, &back)) {
					fprintf(stderr, "%s: round trip differs\n", path);
					print_script("decoded", &back);
					CHECK(!"seed does not round-trip");
				}
				for (i = 0; i < s.n; i++)
					seen[s.cmds[i].kind] = true;
			}
			free(data);
			free(text);
			gvm_script_free(&s);
			gvm_script_free(&back);
		}
		closedir(d);
		CHECK(nseeds > 0);

		/*
		 * Which kinds can the decoder produce? The bare prologue's
		 * bytes, then one record for every kind byte.
		 */
		CHECK_EQ(gvm_decode((enum gvm_format)t, NULL, 0, &probe), 0);
		CHECK_EQ(gvm_encode((enum gvm_format)t, &probe, &pro, &pro_size,
				    err, sizeof(err)), 0);
		gvm_script_free(&probe);
		CHECK(pro_size < sizeof(buf));
		for (k = 0; k < 256 && pro && pro_size < sizeof(buf); k++) {
			memset(buf, 0, sizeof(buf));
			memcpy(buf, pro, pro_size);
			buf[pro_size] = (uint8_t)k;
			CHECK_EQ(gvm_decode((enum gvm_format)t, buf, pro_size + 1,
					    &probe), 0);
		}
		free(pro);
		for (j = 0; (size_t)j < probe.n; j++)
			any_seen[probe.cmds[j].kind] = true;
		gvm_script_free(&probe);
		for (k = 0; k < GVM_CMD_NR; k++) {
			if (any_seen[k] && !seen[k]) {
				fprintf(stderr, "%s: no seed has '%s'\n",
					gvm_format_name((enum gvm_format)t),
					gvm_kind_name((enum gvm_kind)k));
				CHECK(!"a command is not covered by the seeds");
			}
		}
	}
}

TEST_MAIN(format_names, target_table, random_inputs, short_inputs, empty_and_long,
	  known_bytes_concurrency,
	  known_bytes, encode_values, encode_errors, encode_malformed,
	  seeds_round_trip)
