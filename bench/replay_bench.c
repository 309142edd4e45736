// SPDX-License-Identifier: MIT
/*
 * Replay throughput: how many op-script commands per second the executor
 * (fuzz/gvm_exec.h) runs with every check on. That rate bounds how fast
 * the fuzz targets and gpuvm-replay can go, so it is measured here on a
 * script shaped like a busy fuzz input.
 *
 * The script is built in memory from a fixed-seed xorshift64*, so a given
 * --commands/--seed pair always gives the same commands:
 *
 *   vm 0..3      window [0, 16 MiB); VM 0 staged, VM 1 immediate, VM 2
 *                staged + resv_protected, VM 3 immediate + resv_protected
 *                with a kernel-reserved range at 0x800000 + 0x10000
 *   bo 0..7      bo 6 private to VM 0, bo 7 private to VM 2
 *   then a mix   map, unmap, madvise, prefetch, bo_unmap, obtain, put,
 *                evict, validate, cleanup, dump
 *
 * Every address and range lies on the page grid of the first 64 pages, so
 * the mappings keep colliding, splitting and merging. Objects are
 * partitioned by mode, as GPUVM requires all VMs of an object to agree:
 * bos 0-3, 6 and 7 go to the staged VMs 0 and 2, bos 4 and 5 to the
 * immediate VMs 1 and 3. About 2% of maps cross the partition (bos 2 and 3
 * into an immediate VM, bo 5 into a staged one); those give EINVAL while
 * the object is live in a VM of the other mode, and succeed otherwise.
 * obtain/put only ever name objects that never cross (0, 1, 6, 7 staged;
 * 4 immediate), so every obtain succeeds and a put is only written while
 * the script holds a reference. Nothing is closed or destroyed until the
 * last three commands (close 3, close 5, destroy 1).
 *
 * Timed (CLOCK_MONOTONIC, read twice): gvm_exec_run() of every command and
 * the final gvm_exec_finish(), events discarded (opts.out = NULL). Building
 * the script and creating the executor are not timed. A finding (BUG: on
 * stderr) fails the run with exit status 1: this is a smoke test too.
 *
 * --emit prints the script as .gvm text instead of running it, so a
 * finding can be replayed with gpuvm-replay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz/gvm_cmd.h"
#include "fuzz/gvm_exec.h"
#include "fuzz/gvm_parse.h"

#define PAGE		0x1000ull
#define GRID_PAGES	64u		/* addresses and ranges fall in here */
#define NR_VMS		4u
#define NR_BOS		8u
#define NR_SETUP	(NR_VMS + NR_BOS)
#define NR_TAIL		3u		/* close 3, close 5, destroy 1 */
#define MIN_COMMANDS	(NR_SETUP + NR_TAIL)

struct gen {
	uint64_t rng;
	unsigned int held[NR_VMS][NR_BOS];	/* script-held vm_bo refs */
};

static uint64_t next_rand(struct gen *g)
{
	uint64_t x = g->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return (uint32_t)((next_rand(g) >> 32) % n);
}

static bool vm_immediate(uint32_t vm)
{
	return vm == 1 || vm == 3;
}

/* An object of @vm's own mode; private ones mostly go to their own VM. */
static uint32_t home_bo(struct gen *g, uint32_t vm)
{
	static const uint32_t staged[] = { 0, 1, 2, 3, 6, 7 };

	if (vm_immediate(vm))
		return 4 + below(g, 2);
	if (below(g, 10) < 7)
		return staged[below(g, 4)];
	return vm == 0 ? 6 : 7;
}

/* An object that never crosses modes: safe for obtain/put. */
static uint32_t ref_bo(struct gen *g, uint32_t vm)
{
	if (vm_immediate(vm))
		return 4;
	return below(g, 2) ? below(g, 2) : (vm == 0 ? 6 : 7);
}

/* [addr, addr + range) on the page grid inside the first GRID_PAGES pages. */
static void pick_range(struct gen *g, struct gvm_cmd *c)
{
	uint32_t first = below(g, GRID_PAGES);
	uint32_t room = GRID_PAGES - first;
	/* Mostly short ranges (more splits), sometimes up to the grid's end. */
	uint32_t pages = 1 + below(g, below(g, 8) ? (room < 16 ? room : 16) : room);

	c->addr = first * PAGE;
	c->range = pages * PAGE;
}

static void gen_map(struct gen *g, struct gvm_cmd *c)
{
	uint32_t r = below(g, 100);

	c->kind = GVM_CMD_MAP;
	c->vm = below(g, NR_VMS);
	pick_range(g, c);
	if (r < 5) {
		c->flags = GVM_F_NO_BO;
		return;
	}
	if (r < 7)	/* ~2%: the other mode's object */
		c->bo = vm_immediate(c->vm) ? 2 + below(g, 2) : 5;
	else
		c->bo = home_bo(g, c->vm);
	/* Half at offset == address, so neighbours can merge (keep=1). */
	c->offset = below(g, 2) ? c->addr : below(g, GRID_PAGES) * PAGE;
}

static void gen_one(struct gen *g, struct gvm_cmd *c)
{
	uint32_t r = below(g, 100);

	memset(c, 0, sizeof(*c));
	if (r < 40) {
		gen_map(g, c);
		return;
	}
	c->vm = below(g, NR_VMS);
	if (r < 55) {
		c->kind = GVM_CMD_UNMAP;
		pick_range(g, c);
	} else if (r < 63) {
		c->kind = GVM_CMD_MADVISE;
		pick_range(g, c);
	} else if (r < 69) {
		c->kind = GVM_CMD_PREFETCH;
		pick_range(g, c);
	} else if (r < 73) {
		c->kind = GVM_CMD_BO_UNMAP;
		c->bo = home_bo(g, c->vm);
	} else if (r < 83) {
		/* obtain and put share these 10%: put whenever a ref is held. */
		c->bo = ref_bo(g, c->vm);
		if (g->held[c->vm][c->bo] && below(g, 2)) {
			c->kind = GVM_CMD_PUT;
			g->held[c->vm][c->bo]--;
		} else {
			c->kind = GVM_CMD_OBTAIN;
			g->held[c->vm][c->bo]++;
		}
	} else if (r < 88) {
		c->kind = GVM_CMD_EVICT;
		c->vm = 0;
		c->bo = below(g, NR_BOS);
		if (below(g, 2))
			c->flags = GVM_F_EVICT;
	} else if (r < 94) {
		c->kind = GVM_CMD_VALIDATE;
	} else if (r < 97) {
		c->kind = GVM_CMD_CLEANUP;
	} else {
		c->kind = GVM_CMD_DUMP;
	}
}

static int build_script(struct gvm_script *s, size_t n, uint64_t seed)
{
	struct gen g = { .rng = seed ? seed : 1 };
	struct gvm_cmd c;
	size_t i;

	for (i = 0; i < NR_VMS; i++) {
		c = (struct gvm_cmd){ .kind = GVM_CMD_VM, .vm = i, .addr = 0,
				      .range = 0x1000000 };
		if (vm_immediate(i))
			c.flags |= GVM_F_IMMEDIATE;
		if (i >= 2)
			c.flags |= GVM_F_RESV_PROTECTED;
		if (i == 3) {
			c.flags |= GVM_F_RESERVE;
			c.reserve_addr = 0x800000;
			c.reserve_range = 0x10000;
		}
		if (gvm_script_push(s, &c))
			return -1;
	}
	for (i = 0; i < NR_BOS; i++) {
		c = (struct gvm_cmd){ .kind = GVM_CMD_BO, .bo = i };
		if (i >= 6) {
			c.flags = GVM_F_PRIVATE;
			c.vm = i == 6 ? 0 : 2;
		}
		if (gvm_script_push(s, &c))
			return -1;
	}
	for (i = NR_SETUP; i < n - NR_TAIL; i++) {
		gen_one(&g, &c);
		if (gvm_script_push(s, &c))
			return -1;
	}
	/* The few lifetime ends: close with mappings left, destroy a busy VM. */
	c = (struct gvm_cmd){ .kind = GVM_CMD_CLOSE, .bo = 3 };
	if (gvm_script_push(s, &c))
		return -1;
	c.bo = 5;
	if (gvm_script_push(s, &c))
		return -1;
	c = (struct gvm_cmd){ .kind = GVM_CMD_DESTROY, .vm = 1 };
	if (gvm_script_push(s, &c))
		return -1;

	for (i = 0; i < s->n; i++)
		s->cmds[i].line = i + 1;
	return 0;
}

static int emit(const struct gvm_script *s)
{
	char text[GVM_MAX_LINE];
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (gvm_cmd_format(&s->cmds[i], text, sizeof(text)) < 0)
			return -1;
		puts(text);
	}
	return fflush(stdout) ? -1 : 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static bool parse_u64(const char *arg, uint64_t *val)
{
	char *end;

	if (!arg || !*arg || *arg == '-')
		return false;
	errno = 0;
	*val = strtoull(arg, &end, 0);
	return !errno && !*end;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [--commands N] [--seed S] [--emit]\n"
		"  --commands N  script length, N >= %u (default 100000)\n"
		"  --seed S      xorshift seed (default 1)\n"
		"  --emit        print the script as .gvm text, do not run it\n",
		argv0, MIN_COMMANDS);
}

int main(int argc, char **argv)
{
	struct gvm_exec_opts opts = { .out = NULL, .err = stderr,
				      .name = "replay_bench" };
	struct gvm_script script = { 0 };
	uint64_t n = 100000, seed = 1;
	char err[GVM_MAX_LINE + 256];
	bool do_emit = false;
	struct gvm_exec *x;
	double t0, t1;
	int i, failed = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--commands") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &n) || n < MIN_COMMANDS ||
			    n > 100000000) {
				usage(stderr, argv[0]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &seed)) {
				usage(stderr, argv[0]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--emit")) {
			do_emit = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, argv[0]);
			return 0;
		} else {
			usage(stderr, argv[0]);
			return 2;
		}
	}

	if (build_script(&script, n, seed)) {
		fprintf(stderr, "replay_bench: out of memory\n");
		return 2;
	}
	if (gvm_script_validate("replay_bench", &script, err, sizeof(err))) {
		fprintf(stderr, "replay_bench: generated an invalid script: %s\n", err);
		gvm_script_free(&script);
		return 2;
	}
	if (do_emit) {
		failed = emit(&script);
		gvm_script_free(&script);
		return failed ? 2 : 0;
	}

	x = gvm_exec_create(&opts);
	if (!x) {
		fprintf(stderr, "replay_bench: out of memory\n");
		gvm_script_free(&script);
		return 2;
	}
	t0 = now_ns();
	for (k = 0; k < script.n && !failed; k++)
		failed = gvm_exec_run(x, &script.cmds[k]);
	failed |= gvm_exec_finish(x);
	t1 = now_ns();
	gvm_exec_destroy(x);
	gvm_script_free(&script);

	if (failed) {
		fprintf(stderr, "replay_bench: finding at line %zu of %" PRIu64
			" (seed %" PRIu64 "; --emit prints the script)\n", k, n, seed);
		return 1;
	}
	printf("bench replay_cmds n=%" PRIu64 " cmds_per_s=%.0f\n", n,
	       (double)n * 1e9 / (t1 - t0));
	printf("bench replay_ns_per_cmd n=%" PRIu64 " ns_per_op=%.1f\n", n,
	       (t1 - t0) / (double)n);
	return 0;
}
