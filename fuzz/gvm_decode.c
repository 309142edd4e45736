// SPDX-License-Identifier: MIT
/*
 * Fuzz inputs as command streams: one decoder from bytes to a script per
 * input format (the "input" of fuzz/targets.def: multi_vm, split_merge,
 * lifetime, fault), and its inverse on scripts in the format's canonical
 * form. A format is named after the lib/ target that reads it; its other
 * readers (upstream_*, differential_*) decode it alike.
 * Harness code, so plain malloc/realloc/free.
 *
 * Common rules (every format)
 * ---------------------------
 *
 * An input is a prologue followed by command records, read from the front.
 * A byte past the end of the input reads as 0, so every input decodes (a
 * truncated record is completed with zeroes). A new record starts only
 * while input is left, and decoding stops once GVM_FUZZ_MAX_CMDS commands
 * (prologue included) have been written.
 *
 * Ids: a V byte means vm (b % VMs created), a B byte bo (b % objects
 * created). VMs and objects are created in the prologue only, with ids
 * 0, 1, ... in order.
 *
 * Kinds: the first byte of a record is b, and the command is
 * kinds[b % len] of the target's kind table (repeated entries weight a
 * kind). The encoder writes the first index of the kind.
 *
 * Values (addresses, ranges, offsets): a tag byte t, then
 *	t < 0xf0		page grid: (t % G) * 0x1000, plus the VM's
 *				window start for an address; G is the
 *				target's grid size in pages
 *	0xf0 <= t <= 0xfe	edge value E[t - 0xf0] of the command's VM
 *	t == 0xff		the next 8 bytes, a little-endian u64
 * The encoder takes the grid if the value is on it, else the first edge
 * entry equal to it, else the raw escape. Edge table of a VM with window
 * [S, S + R) and, with a reserve, reserved window [RS, RS + RR)
 * (all arithmetic mod 2^64):
 *	E[0] S			E[5] RS - 0x1000	E[10] 0xfffffffffffff000
 *	E[1] S + R - 0x1000	E[6] R			E[11] U64_MAX
 *	E[2] S + R		E[7] 0			E[12] 1 << 63
 *	E[3] RS			E[8] 1			E[13] S + R + 0x1000
 *	E[4] RS + RR		E[9] 0x800		E[14] 0 - (S + R)
 * Without a reserve, RS = S + R / 2 and RR = 0x1000.
 *
 * Records, after the kind byte (V, B: one id byte; A, R, O: one value):
 *	map		V A R B' O	B' = b % (objects + 1); objects means '-'
 *	unmap, madvise, prefetch	V A R
 *	bo_unmap, obtain, put	V B
 *	close		B
 *	evict		B e		e & 1 is the 0|1 operand
 *	validate	V p [B]	p % 4: 0, 1 plain; 2 "fail B"; 3 "evict B";
 *				(p / 4) & 1: "own"
 *	cleanup, destroy, dump	V
 *	lookup		V A R
 *	lock		V m ...	m % 3: 0 "lock V", 1 "range A R" follows,
 *				2 "objects" follows as one byte o: the
 *				objects of its bits below the object count
 *				(none: object 0); (m / 3) & 1: "fence" follows
 *				as one byte u: P = u & 3, E = (u >> 2) & 3;
 *				(m / 6) & 1: "own"
 *	invalidate	B e	e & 1 is the 0|1 operand
 *	inject		n		n < 0xc0: inject alloc (1 + n % 16);
 *					else inject step (1 + n % 8)
 * split_merge_fuzzer has a single VM and no V bytes (see its prologue).
 *
 * concurrency_fuzzer: the commands run on threads, under a schedule
 * (README "Threads in scripts"). The last byte of the input is c, the
 * schedule's length n = c % 9 (at most what the bytes before it hold);
 * the 2n bytes before c are its records, first to last, two bytes each,
 * d, t. Without t & 0x40: "schedule S T" with S = the previous such
 * record's S + 1 + d (the first: 1 + d) and T = 1 + t % 3, or with t &
 * 0x80 VM V's run_job, "jV", V = (t & 0x7f) % 4. With t & 0x40:
 * "schedule A OP.N T" with A = thread (d & 7) % 7, N = 1 + d / 8,
 * T = thread (t & 7) % 7, OP = ((t / 8) & 7 | (t & 0x80) / 16) % 12 (enum
 * kcompat_sp), where thread k is k + 1 for k < 3, else j(k - 3). Deleting
 * a record's two bytes and decrementing c removes one preemption. The bytes before the schedule
 * are multi_vm's prologue and records, each record's kind byte followed
 * by a thread byte t: with T = t % 4, the command is "@T ..." for T 1 to
 * 3; for 0, a command of the script's own flow (setting the race up)
 * while no command has run on a thread yet, and "@1 ..." after. A map or
 * unmap with (t / 4) & 1 is a job ("... job"). An empty input has no
 * schedule.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcompat/sched.h>
#include "gvm_decode.h"

#define PAGE		UINT64_C(0x1000)
#define TAG_EDGE	0xf0u
#define TAG_RAW		0xffu
#define NR_EDGE		(TAG_RAW - TAG_EDGE)
#define MAX_VMS		4
#define MAX_BOS		8
#define MAX_INJECT	16	/* inject alloc N: 1..16 */
#define MAX_STEP	8	/* inject step N: 1..8 */
#define TAG_STEP	0xc0u	/* inject bytes from here on fail a step */
_Static_assert(TAG_STEP % MAX_STEP == 0, "the encoder writes TAG_STEP + N - 1");

/*
 * multi_vm_fuzzer, lifetime_fuzzer and fault_fuzzer share one prologue:
 *
 *	byte		VMs = 1 + b % 4
 *	byte per VM	bit 0 immediate, bit 1 resv_protected, bit 2 reserve,
 *			bit 3 prealloc (without bit 0: immediate VMs always
 *			preallocate); "vm V 0x0 0x100000 [reserve 0x80000
 *			0x10000] ..."
 *			No "empty_ok": the fuzz targets look past upstream's
 *			known findings, and with that such a VM refuses empty
 *			ranges like any other (docs/upstream-findings.md 5), so
 *			it would run no code the others do not.
 *	byte		objects = 1 + b % 8
 *	byte per object	p = b % (VMs + 1): 0 is "bo B" (own resv), else
 *			"bo B private (p - 1)"
 */
#define MV_START	UINT64_C(0x0)
#define MV_RANGE	UINT64_C(0x100000)
#define MV_RES_ADDR	UINT64_C(0x80000)
#define MV_RES_RANGE	UINT64_C(0x10000)

/*
 * split_merge_fuzzer's prologue is one byte f:
 *
 *	twin
 *	vm 0 S R [reserve S+0x10000 0x4000] [resv_protected]
 *	bo 0
 *	bo 1
 *
 * with f bit 0 resv_protected, bit 1 reserve, bit 2 the window just below
 * 2^64 (S 0xfffffffffff00000, R 0xff000: it ends at 0xfffffffffffff000,
 * so S + R does not overflow), else S 0x0, R 0x100000. Records have no V
 * byte (always VM 0); B' of a map is b % 3 (0, 1 or '-').
 */
#define CONC_THREADS	3
#define CONC_MAX_SCHED	GVM_SCHED_MAX
#define CONC_AT		GVM_SCHED_AT	/* a record's t byte: "schedule A OP.N T" */
#define CONC_AT_MAX_N	32

#define SM_HIGH_START	UINT64_C(0xfffffffffff00000)
#define SM_HIGH_RANGE	UINT64_C(0xff000)
#define SM_RES_OFF	UINT64_C(0x10000)
#define SM_RES_RANGE	UINT64_C(0x4000)

/* Per input format: the kind table and the page grid. */
struct format_desc {
	const char *name;
	const enum gvm_kind *kinds;
	size_t nkinds;
	uint32_t grid;		/* pages on the value grid, 1..0xf0 */
	bool single;		/* split_merge's prologue and records */
	bool threads;		/* concurrency's thread bytes and schedule */
};

/*
 * multi_vm_fuzzer: every command but vm, bo, inject and twin; binds
 * weighted up. Grid: the whole 0xf0 tags (pages 0..239 of the window).
 */
#define MULTI_VM_KINDS \
	GVM_CMD_MAP, GVM_CMD_MAP, GVM_CMD_MAP, GVM_CMD_MAP, \
	GVM_CMD_UNMAP, GVM_CMD_UNMAP, \
	GVM_CMD_MADVISE, GVM_CMD_PREFETCH, \
	GVM_CMD_BO_UNMAP, GVM_CMD_OBTAIN, GVM_CMD_PUT, \
	GVM_CMD_CLOSE, GVM_CMD_EVICT, \
	GVM_CMD_VALIDATE, GVM_CMD_CLEANUP, GVM_CMD_DESTROY, GVM_CMD_DUMP, \
	GVM_CMD_LOOKUP, GVM_CMD_LOCK, GVM_CMD_INVALIDATE

static const enum gvm_kind multi_vm_kinds[] = { MULTI_VM_KINDS };

/*
 * split_merge_fuzzer: the four range commands on a 32-page grid, and
 * lookups, whose neighbours a split or merge just moved.
 */
static const enum gvm_kind split_merge_kinds[] = {
	GVM_CMD_MAP, GVM_CMD_MAP, GVM_CMD_MAP,
	GVM_CMD_UNMAP, GVM_CMD_UNMAP,
	GVM_CMD_MADVISE, GVM_CMD_PREFETCH,
	GVM_CMD_LOOKUP,
};

/*
 * lifetime_fuzzer: reference and handle orders, with map/unmap on a
 * 4-page grid so objects gain and lose their last mapping often.
 */
static const enum gvm_kind lifetime_kinds[] = {
	GVM_CMD_MAP, GVM_CMD_MAP, GVM_CMD_MAP,
	GVM_CMD_UNMAP, GVM_CMD_UNMAP,
	GVM_CMD_OBTAIN, GVM_CMD_OBTAIN, GVM_CMD_OBTAIN,
	GVM_CMD_PUT, GVM_CMD_PUT, GVM_CMD_PUT,
	GVM_CMD_CLOSE, GVM_CMD_CLOSE,
	GVM_CMD_DESTROY,
	GVM_CMD_CLEANUP, GVM_CMD_CLEANUP,
	GVM_CMD_EVICT, GVM_CMD_EVICT,
	GVM_CMD_VALIDATE, GVM_CMD_VALIDATE,
	GVM_CMD_BO_UNMAP, GVM_CMD_BO_UNMAP,
	GVM_CMD_DUMP,
	GVM_CMD_LOCK, GVM_CMD_INVALIDATE,
};

/*
 * fault_fuzzer: multi_vm's commands and grid, plus inject (allocation
 * failures, and one in four a failed sm_step) one record in five.
 */
static const enum gvm_kind fault_kinds[] = {
	MULTI_VM_KINDS,
	GVM_CMD_INJECT, GVM_CMD_INJECT, GVM_CMD_INJECT, GVM_CMD_INJECT,
};

/*
 * concurrency_fuzzer: what an ioctl or a worker does (no dump: a state
 * printed mid-race means nothing), weighted to the handle and reference
 * lifetimes threads race on; a 16-page grid, so binds meet.
 */
static const enum gvm_kind concurrency_kinds[] = {
	GVM_CMD_MAP, GVM_CMD_MAP, GVM_CMD_MAP,
	GVM_CMD_UNMAP, GVM_CMD_UNMAP,
	GVM_CMD_MADVISE, GVM_CMD_PREFETCH,
	GVM_CMD_BO_UNMAP, GVM_CMD_OBTAIN, GVM_CMD_PUT,
	GVM_CMD_CLOSE, GVM_CMD_EVICT, GVM_CMD_EVICT,
	GVM_CMD_VALIDATE, GVM_CMD_VALIDATE, GVM_CMD_CLEANUP, GVM_CMD_DESTROY,
	GVM_CMD_LOOKUP, GVM_CMD_LOCK, GVM_CMD_INVALIDATE,
};

#define KINDS(a)	.kinds = (a), .nkinds = sizeof(a) / sizeof((a)[0])

static const struct format_desc formats[GVM_FORMAT_NR] = {
	[GVM_FORMAT_MULTI_VM] = {
		.name = "multi_vm", KINDS(multi_vm_kinds), .grid = 0xf0,
	},
	[GVM_FORMAT_SPLIT_MERGE] = {
		.name = "split_merge", KINDS(split_merge_kinds),
		.grid = 32, .single = true,
	},
	[GVM_FORMAT_LIFETIME] = {
		.name = "lifetime", KINDS(lifetime_kinds), .grid = 4,
	},
	[GVM_FORMAT_FAULT] = {
		.name = "fault", KINDS(fault_kinds), .grid = 0xf0,
	},
	[GVM_FORMAT_CONCURRENCY] = {
		.name = "concurrency", KINDS(concurrency_kinds), .grid = 16,
		.threads = true,
	},
};

const char *gvm_format_name(enum gvm_format format)
{
	if ((unsigned int)format >= GVM_FORMAT_NR)
		return NULL;
	return formats[format].name;
}

bool gvm_format_has_schedule(enum gvm_format format)
{
	return (unsigned int)format < GVM_FORMAT_NR && formats[format].threads;
}

size_t gvm_mutate_schedule(enum gvm_format format, uint8_t *data, size_t size, size_t max,
			   unsigned int seed)
{
	if (!gvm_format_has_schedule(format))
		return 0;
	return gvm_mutate_schedule_tail(data, size, max, seed);
}

int gvm_format_from_name(const char *name)
{
	int f;

	for (f = 0; name && f < GVM_FORMAT_NR; f++)
		if (!strcmp(name, formats[f].name))
			return f;
	return -1;
}

/* The window of a created VM, for grid bases and edge values. */
struct vm_win {
	uint64_t start;
	uint64_t range;
	uint64_t res_addr;
	uint64_t res_range;
};

static void win_of(const struct gvm_cmd *vm, struct vm_win *w)
{
	w->start = vm->addr;
	w->range = vm->range;
	if (vm->flags & GVM_F_RESERVE) {
		w->res_addr = vm->reserve_addr;
		w->res_range = vm->reserve_range;
	} else {
		w->res_addr = vm->addr + vm->range / 2;
		w->res_range = PAGE;
	}
}

static uint64_t edge(const struct vm_win *w, unsigned int i)
{
	uint64_t end = w->start + w->range;

	switch (i) {
	case 0:  return w->start;
	case 1:  return end - PAGE;
	case 2:  return end;
	case 3:  return w->res_addr;
	case 4:  return w->res_addr + w->res_range;
	case 5:  return w->res_addr - PAGE;
	case 6:  return w->range;
	case 7:  return 0;
	case 8:  return 1;
	case 9:  return 0x800;
	case 10: return 0xfffffffffffff000ull;
	case 11: return UINT64_MAX;
	case 12: return 1ull << 63;
	case 13: return end + PAGE;
	default: return 0 - end;
	}
}

/* What the prologue created: the state both directions work from. */
struct ctx {
	const struct format_desc *t;
	uint32_t nvms;
	uint32_t nbos;
	struct vm_win win[MAX_VMS];
};

/* ---- decoding ---- */

struct rd {
	const uint8_t *p;
	size_t n;
	size_t pos;
};

static uint8_t rd8(struct rd *r)
{
	if (r->pos >= r->n)
		return 0;
	return r->p[r->pos++];
}

static uint64_t rd_val(struct rd *r, const struct ctx *c, uint32_t vm,
		       uint64_t base)
{
	uint8_t t = rd8(r);
	uint64_t v = 0;
	int i;

	if (t < TAG_EDGE)
		return base + (uint64_t)(t % c->t->grid) * PAGE;
	if (t < TAG_RAW)
		return edge(&c->win[vm], t - TAG_EDGE);
	for (i = 0; i < 8; i++)
		v |= (uint64_t)rd8(r) << (8 * i);
	return v;
}

static uint32_t rd_vm(struct rd *r, const struct ctx *c)
{
	if (c->t->single)
		return 0;
	return rd8(r) % c->nvms;
}

/* Decode the prologue into @out and @c. */
static int decode_prologue(struct rd *r, struct ctx *c, struct gvm_script *out)
{
	struct gvm_cmd cmd;
	uint32_t i, p;
	uint8_t f;

	if (c->t->single) {
		f = rd8(r);
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = GVM_CMD_TWIN;
		if (gvm_script_push(out, &cmd))
			return -1;
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = GVM_CMD_VM;
		cmd.addr = (f & 4) ? SM_HIGH_START : MV_START;
		cmd.range = (f & 4) ? SM_HIGH_RANGE : MV_RANGE;
		if (f & 1)
			cmd.flags |= GVM_F_RESV_PROTECTED;
		if (f & 2) {
			cmd.flags |= GVM_F_RESERVE;
			cmd.reserve_addr = cmd.addr + SM_RES_OFF;
			cmd.reserve_range = SM_RES_RANGE;
		}
		if (gvm_script_push(out, &cmd))
			return -1;
		c->nvms = 1;
		win_of(&cmd, &c->win[0]);
		for (i = 0; i < 2; i++) {
			memset(&cmd, 0, sizeof(cmd));
			cmd.kind = GVM_CMD_BO;
			cmd.bo = i;
			if (gvm_script_push(out, &cmd))
				return -1;
		}
		c->nbos = 2;
		return 0;
	}

	c->nvms = 1 + rd8(r) % MAX_VMS;
	for (i = 0; i < c->nvms; i++) {
		f = rd8(r);
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = GVM_CMD_VM;
		cmd.vm = i;
		cmd.addr = MV_START;
		cmd.range = MV_RANGE;
		if (f & 1)
			cmd.flags |= GVM_F_IMMEDIATE;
		else if (f & 8)
			cmd.flags |= GVM_F_PREALLOC;
		if (f & 2)
			cmd.flags |= GVM_F_RESV_PROTECTED;
		if (f & 4) {
			cmd.flags |= GVM_F_RESERVE;
			cmd.reserve_addr = MV_RES_ADDR;
			cmd.reserve_range = MV_RES_RANGE;
		}
		if (gvm_script_push(out, &cmd))
			return -1;
		win_of(&cmd, &c->win[i]);
	}
	c->nbos = 1 + rd8(r) % MAX_BOS;
	for (i = 0; i < c->nbos; i++) {
		p = rd8(r) % (c->nvms + 1);
		memset(&cmd, 0, sizeof(cmd));
		cmd.kind = GVM_CMD_BO;
		cmd.bo = i;
		if (p) {
			cmd.flags = GVM_F_PRIVATE;
			cmd.vm = p - 1;
		}
		if (gvm_script_push(out, &cmd))
			return -1;
	}
	return 0;
}

/* Decode one command record (after its kind) into @cmd. */
static void decode_record(struct rd *r, const struct ctx *c,
			  enum gvm_kind kind, struct gvm_cmd *cmd)
{
	uint32_t b;

	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = kind;
	switch (kind) {
	case GVM_CMD_MAP:
		cmd->vm = rd_vm(r, c);
		cmd->addr = rd_val(r, c, cmd->vm, c->win[cmd->vm].start);
		cmd->range = rd_val(r, c, cmd->vm, 0);
		b = rd8(r) % (c->nbos + 1);
		if (b == c->nbos)
			cmd->flags = GVM_F_NO_BO;
		else
			cmd->bo = b;
		cmd->offset = rd_val(r, c, cmd->vm, 0);
		break;
	case GVM_CMD_UNMAP:
	case GVM_CMD_MADVISE:
	case GVM_CMD_PREFETCH:
		cmd->vm = rd_vm(r, c);
		cmd->addr = rd_val(r, c, cmd->vm, c->win[cmd->vm].start);
		cmd->range = rd_val(r, c, cmd->vm, 0);
		break;
	case GVM_CMD_BO_UNMAP:
	case GVM_CMD_OBTAIN:
	case GVM_CMD_PUT:
		cmd->vm = rd_vm(r, c);
		cmd->bo = rd8(r) % c->nbos;
		break;
	case GVM_CMD_CLOSE:
		cmd->bo = rd8(r) % c->nbos;
		break;
	case GVM_CMD_EVICT:
		cmd->bo = rd8(r) % c->nbos;
		if (rd8(r) & 1)
			cmd->flags = GVM_F_EVICT;
		break;
	case GVM_CMD_VALIDATE: {
		uint8_t p;

		cmd->vm = rd_vm(r, c);
		p = rd8(r);
		if ((p / 4) & 1)
			cmd->flags = GVM_F_OWN;
		if (p % 4 >= 2) {
			cmd->flags |= p % 4 == 2 ? GVM_F_VFAIL : GVM_F_VEVICT;
			cmd->bo = rd8(r) % c->nbos;
		}
		break;
	}
	case GVM_CMD_CLEANUP:
	case GVM_CMD_DESTROY:
	case GVM_CMD_DUMP:
		cmd->vm = rd_vm(r, c);
		break;
	case GVM_CMD_LOOKUP:
		cmd->vm = rd_vm(r, c);
		cmd->addr = rd_val(r, c, cmd->vm, c->win[cmd->vm].start);
		cmd->range = rd_val(r, c, cmd->vm, 0);
		break;
	case GVM_CMD_LOCK: {
		uint8_t m;

		cmd->vm = rd_vm(r, c);
		m = rd8(r);
		if (m % 3 == 1) {
			cmd->flags = GVM_F_LRANGE;
			cmd->addr = rd_val(r, c, cmd->vm, c->win[cmd->vm].start);
			cmd->range = rd_val(r, c, cmd->vm, 0);
		} else if (m % 3 == 2) {
			cmd->flags = GVM_F_LOBJS;
			cmd->objs = rd8(r) & ((UINT64_C(1) << c->nbos) - 1);
			if (!cmd->objs)
				cmd->objs = 1;
		}
		if ((m / 6) & 1)
			cmd->flags |= GVM_F_OWN;
		if ((m / 3) & 1) {
			uint8_t u = rd8(r);

			cmd->flags |= GVM_F_FENCE;
			cmd->usage = (u & 3u) | ((u >> 2) & 3u) << 4;
		}
		break;
	}
	case GVM_CMD_INVALIDATE:
		cmd->bo = rd8(r) % c->nbos;
		if (rd8(r) & 1)
			cmd->flags = GVM_F_INVALID;
		break;
	case GVM_CMD_INJECT: {
		uint8_t n = rd8(r);

		if (n >= TAG_STEP) {
			cmd->flags = GVM_F_STEP;
			cmd->offset = 1 + n % MAX_STEP;
		} else {
			cmd->offset = 1 + n % MAX_INJECT;
		}
		break;
	}
	default:
		/* Not in any kind table. */
		break;
	}
}

/* concurrency: thread @k (0 .. 6) of a "schedule A OP.N T" record: 1 .. 3, j0 .. j3. */
static uint32_t conc_thread(unsigned int k)
{
	return k < CONC_THREADS ? 1 + k : GVM_THREAD_JOB + (k - CONC_THREADS);
}

/* Its inverse for a script's thread, or -1 if a record cannot name it. */
static int conc_thread_index(uint32_t thread)
{
	if (thread >= 1 && thread <= CONC_THREADS)
		return (int)thread - 1;
	if (thread >= GVM_THREAD_JOB && thread < GVM_THREAD_JOB + MAX_VMS)
		return CONC_THREADS + (int)(thread - GVM_THREAD_JOB);
	return -1;
}

/*
 * concurrency: the schedule at the tail of @r's bytes, as commands in
 * @sched (@n of them); @r then ends where the schedule starts.
 */
static void decode_schedule(struct rd *r, struct gvm_cmd *sched, size_t *n)
{
	const uint8_t *tail;
	uint64_t step = 0;
	size_t i;
	uint8_t t;

	*n = 0;
	if (!r->n)
		return;
	*n = r->p[r->n - 1] % (CONC_MAX_SCHED + 1);
	if (*n > (r->n - 1) / 2)
		*n = (r->n - 1) / 2;
	r->n -= 1 + 2 * *n;
	tail = r->p + r->n;
	for (i = 0; i < *n; i++) {
		uint8_t d = tail[2 * i];

		memset(&sched[i], 0, sizeof(sched[i]));
		sched[i].kind = GVM_CMD_SCHEDULE;
		t = tail[2 * i + 1];
		if (t & CONC_AT) {
			sched[i].flags = GVM_F_AT;
			sched[i].at = conc_thread((d & 7u) % 7);
			sched[i].offset = 1 + d / 8u;
			sched[i].thread = conc_thread((t & 7u) % 7);
			sched[i].at_op = (((t >> 3) & 7u) | (t & 0x80u) >> 4) % KCOMPAT_SP_NR;
			continue;
		}
		step += 1 + d;
		sched[i].offset = step;
		sched[i].thread = t & 0x80 ? GVM_THREAD_JOB + (t & 0x7fu) % MAX_VMS :
					     1u + t % CONC_THREADS;
	}
}

/*
 * concurrency: a record for a thread the script does not have is skipped
 * when it runs, and a script may not name one: drop it (the same run).
 * Compacting in place leaves the threads' commands all there for the
 * questions asked on the way: only records go.
 */
static void drop_idle_records(struct gvm_script *out, size_t first)
{
	struct gvm_script mine = { .cmds = out->cmds + first, .n = out->n - first };
	size_t i, j = first;

	for (i = first; i < out->n; i++)
		if (out->cmds[i].kind != GVM_CMD_SCHEDULE ||
		    (gvm_script_has_thread(&mine, out->cmds[i].thread) &&
		     (!(out->cmds[i].flags & GVM_F_AT) ||
		      gvm_script_has_thread(&mine, out->cmds[i].at))))
			out->cmds[j++] = out->cmds[i];
	out->n = j;
}

int gvm_decode(enum gvm_format format, const uint8_t *data, size_t size,
	       struct gvm_script *out)
{
	struct rd r = { .p = data, .n = data ? size : 0 };
	struct gvm_cmd cmd, sched[CONC_MAX_SCHED];
	struct ctx c = { 0 };
	size_t first = out->n, nsched = 0, i;
	bool threaded = false;
	uint8_t k;

	if ((unsigned int)format >= GVM_FORMAT_NR)
		return -1;
	c.t = &formats[format];
	if (c.t->threads)
		decode_schedule(&r, sched, &nsched);
	if (decode_prologue(&r, &c, out))
		return -1;
	for (i = 0; i < nsched; i++)
		if (gvm_script_push(out, &sched[i]))
			return -1;
	while (r.pos < r.n && out->n - first < GVM_FUZZ_MAX_CMDS) {
		uint32_t thread = 0;
		uint8_t t = 0;

		k = rd8(&r);
		if (c.t->threads) {
			t = rd8(&r);
			thread = t % (CONC_THREADS + 1);
			/* After the first command on a thread, all are on one. */
			if (!thread && threaded)
				thread = 1;
			threaded |= thread != 0;
		}
		decode_record(&r, &c, c.t->kinds[k % c.t->nkinds], &cmd);
		cmd.thread = thread;
		if (((t / 4) & 1) && (cmd.kind == GVM_CMD_MAP || cmd.kind == GVM_CMD_UNMAP))
			cmd.flags |= GVM_F_JOB;
		if (gvm_script_push(out, &cmd))
			return -1;
	}
	drop_idle_records(out, first);
	return 0;
}

/* ---- encoding ---- */

struct wr {
	uint8_t *p;
	size_t n;
	size_t cap;
	bool oom;
};

static void wr8(struct wr *w, uint8_t b)
{
	uint8_t *p;
	size_t cap;

	if (w->oom)
		return;
	if (w->n == w->cap) {
		cap = w->cap ? w->cap * 2 : 256;
		p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	w->p[w->n++] = b;
}

static void wr_val(struct wr *w, const struct ctx *c, uint32_t vm,
		   uint64_t base, uint64_t v)
{
	uint64_t rel = v - base;
	unsigned int i;

	if (!(rel % PAGE) && rel / PAGE < c->t->grid) {
		wr8(w, (uint8_t)(rel / PAGE));
		return;
	}
	for (i = 0; i < NR_EDGE; i++) {
		if (edge(&c->win[vm], i) == v) {
			wr8(w, (uint8_t)(TAG_EDGE + i));
			return;
		}
	}
	wr8(w, TAG_RAW);
	for (i = 0; i < 8; i++)
		wr8(w, (uint8_t)(v >> (8 * i)));
}

/* One encoding: the script, what its prologue created, the bytes so far. */
struct enc {
	const struct gvm_script *s;
	struct ctx c;
	struct wr w;
	char *err;
	size_t errlen;
};

static uint32_t line_of(const struct gvm_script *s, size_t i)
{
	if (i < s->n && s->cmds[i].line)
		return s->cmds[i].line;
	return i < UINT32_MAX ? (uint32_t)i + 1 : UINT32_MAX;
}

/* An encoding failure at command @i: "line N: ..." in @e->err. */
static int __attribute__((format(printf, 3, 4)))
fail(struct enc *e, size_t i, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e->err || !e->errlen)
		return -1;
	n = snprintf(e->err, e->errlen, "line %" PRIu32 ": ", line_of(e->s, i));
	if (n >= 0 && (size_t)n < e->errlen) {
		va_start(ap, fmt);
		vsnprintf(e->err + n, e->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *kname(enum gvm_kind kind)
{
	const char *n = gvm_kind_name(kind);

	return n ? n : "?";
}

/* The prologue of split_merge_fuzzer: commands 0..3. */
static int encode_single(struct enc *e, size_t *next)
{
	const struct gvm_script *s = e->s;
	const struct gvm_cmd *cmd;
	uint64_t res;
	uint8_t f = 0;
	size_t i;

	if (s->n < 1 || s->cmds[0].kind != GVM_CMD_TWIN)
		return fail(e, 0, "%s scripts start with 'twin'", e->c.t->name);
	if (s->n < 2 || s->cmds[1].kind != GVM_CMD_VM || s->cmds[1].vm != 0)
		return fail(e, 1, "expected 'vm 0 ...' after 'twin'");
	cmd = &s->cmds[1];
	if (cmd->addr == MV_START && cmd->range == MV_RANGE) {
		/* f bit 2 clear */
	} else if (cmd->addr == SM_HIGH_START && cmd->range == SM_HIGH_RANGE) {
		f |= 4;
	} else {
		return fail(e, 1, "window must be 0x%" PRIx64 " 0x%" PRIx64
			    " or 0x%" PRIx64 " 0x%" PRIx64, MV_START, MV_RANGE,
			    SM_HIGH_START, SM_HIGH_RANGE);
	}
	if (cmd->flags & GVM_F_IMMEDIATE)
		return fail(e, 1, "%s has no immediate VM", e->c.t->name);
	if (cmd->flags & GVM_F_PREALLOC)
		return fail(e, 1, "%s has no prealloc VM", e->c.t->name);
	if (cmd->flags & GVM_F_EMPTY_OK)
		return fail(e, 1, "%s has no empty_ok VM", e->c.t->name);
	if (cmd->flags & GVM_F_RESV_PROTECTED)
		f |= 1;
	if (cmd->flags & GVM_F_RESERVE) {
		res = cmd->addr + SM_RES_OFF;
		if (cmd->reserve_addr != res ||
		    cmd->reserve_range != SM_RES_RANGE)
			return fail(e, 1, "reserve must be 0x%" PRIx64 " 0x%" PRIx64,
				    res, SM_RES_RANGE);
		f |= 2;
	}
	wr8(&e->w, f);
	e->c.nvms = 1;
	win_of(cmd, &e->c.win[0]);

	for (i = 0; i < 2; i++) {
		if (s->n < 3 + i || s->cmds[2 + i].kind != GVM_CMD_BO ||
		    s->cmds[2 + i].bo != i)
			return fail(e, 2 + i, "expected 'bo %zu'", i);
		cmd = &s->cmds[2 + i];
		if (cmd->flags & GVM_F_PRIVATE)
			return fail(e, 2 + i, "%s objects have their own resv (no 'private')",
				    e->c.t->name);
	}
	e->c.nbos = 2;
	*next = 4;
	return 0;
}

/* The prologue of the other targets: VMs, then objects. */
static int encode_multi(struct enc *e, size_t *next)
{
	const struct gvm_script *s = e->s;
	const struct gvm_cmd *cmd;
	size_t i = 0, nvms, nbos, first;
	uint8_t f;

	while (i < s->n && s->cmds[i].kind == GVM_CMD_VM)
		i++;
	nvms = i;
	if (!nvms)
		return fail(e, 0, "%s scripts start with 'vm 0 ...'", e->c.t->name);
	if (nvms > MAX_VMS)
		return fail(e, MAX_VMS, "at most %d VMs", MAX_VMS);
	wr8(&e->w, (uint8_t)(nvms - 1));
	for (i = 0; i < nvms; i++) {
		cmd = &s->cmds[i];
		if (cmd->vm != i)
			return fail(e, i, "vm ids must be 0, 1, ... in order");
		if (cmd->addr != MV_START || cmd->range != MV_RANGE)
			return fail(e, i, "window must be 0x%" PRIx64 " 0x%" PRIx64,
				    MV_START, MV_RANGE);
		if (cmd->flags & GVM_F_EMPTY_OK)
			return fail(e, i, "%s has no empty_ok VM", e->c.t->name);
		f = 0;
		if (cmd->flags & GVM_F_IMMEDIATE)
			f |= 1;
		if (cmd->flags & GVM_F_RESV_PROTECTED)
			f |= 2;
		if (cmd->flags & GVM_F_PREALLOC)
			f |= 8;
		if (cmd->flags & GVM_F_RESERVE) {
			if (cmd->reserve_addr != MV_RES_ADDR ||
			    cmd->reserve_range != MV_RES_RANGE)
				return fail(e, i, "reserve must be 0x%" PRIx64 " 0x%" PRIx64,
					    MV_RES_ADDR, MV_RES_RANGE);
			f |= 4;
		}
		wr8(&e->w, f);
		win_of(cmd, &e->c.win[i]);
	}
	e->c.nvms = (uint32_t)nvms;

	first = i;
	while (i < s->n && s->cmds[i].kind == GVM_CMD_BO)
		i++;
	nbos = i - first;
	if (!nbos)
		return fail(e, first, "expected 'bo 0' after the VMs");
	if (nbos > MAX_BOS)
		return fail(e, first + MAX_BOS, "at most %d objects", MAX_BOS);
	wr8(&e->w, (uint8_t)(nbos - 1));
	for (i = first; i < first + nbos; i++) {
		cmd = &s->cmds[i];
		if (cmd->bo != i - first)
			return fail(e, i, "bo ids must be 0, 1, ... in order");
		if (!(cmd->flags & GVM_F_PRIVATE)) {
			wr8(&e->w, 0);
			continue;
		}
		if (cmd->vm >= nvms)
			return fail(e, i, "vm %" PRIu32 " was not created", cmd->vm);
		wr8(&e->w, (uint8_t)(cmd->vm + 1));
	}
	e->c.nbos = (uint32_t)nbos;
	*next = i;
	return 0;
}

/* The V byte of a record, if the target has one. */
static int enc_vm(struct enc *e, size_t i, uint32_t vm)
{
	if (vm >= e->c.nvms)
		return fail(e, i, "vm %" PRIu32 " was not created", vm);
	if (!e->c.t->single)
		wr8(&e->w, (uint8_t)vm);
	return 0;
}

static int enc_bo(struct enc *e, size_t i, uint32_t bo)
{
	if (bo >= e->c.nbos)
		return fail(e, i, "bo %" PRIu32 " was not created", bo);
	wr8(&e->w, (uint8_t)bo);
	return 0;
}

static int encode_record(struct enc *e, size_t i)
{
	const struct gvm_cmd *cmd = &e->s->cmds[i];
	const struct ctx *c = &e->c;
	size_t k;

	/* Decoded inputs have no threads: dropping "@T" would lose the script. */
	if (cmd->thread && cmd->kind != GVM_CMD_SCHEDULE && !c->t->threads)
		return fail(e, i, "%s has no threads (@%" PRIu32 ")", c->t->name, cmd->thread);
	if (c->t->threads && cmd->kind == GVM_CMD_SCHEDULE)
		return fail(e, i, "schedule lines come right after the prologue");
	if (c->t->threads && cmd->thread > CONC_THREADS)
		return fail(e, i, "%s has threads @1 .. @%d", c->t->name, CONC_THREADS);
	if ((cmd->flags & GVM_F_JOB) && !c->t->threads)
		return fail(e, i, "%s has no jobs ('%s ... job')", c->t->name, kname(cmd->kind));
	if (cmd->kind == GVM_CMD_VM)
		return fail(e, i, "%s creates VMs only at the start", c->t->name);
	if (cmd->kind == GVM_CMD_BO)
		return fail(e, i, "%s creates objects only in the prologue, right after the VMs",
			    c->t->name);
	if (cmd->kind == GVM_CMD_TWIN && c->t->single)
		return fail(e, i, "'twin' comes only first");
	for (k = 0; k < c->t->nkinds; k++)
		if (c->t->kinds[k] == cmd->kind)
			break;
	if (k == c->t->nkinds)
		return fail(e, i, "%s has no '%s' command", c->t->name,
			    kname(cmd->kind));
	wr8(&e->w, (uint8_t)k);
	if (c->t->threads)
		wr8(&e->w, (uint8_t)(cmd->thread | (cmd->flags & GVM_F_JOB ? 4 : 0)));

	switch (cmd->kind) {
	case GVM_CMD_MAP:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		wr_val(&e->w, c, cmd->vm, c->win[cmd->vm].start, cmd->addr);
		wr_val(&e->w, c, cmd->vm, 0, cmd->range);
		if (cmd->flags & GVM_F_NO_BO)
			wr8(&e->w, (uint8_t)c->nbos);
		else if (enc_bo(e, i, cmd->bo))
			return -1;
		wr_val(&e->w, c, cmd->vm, 0, cmd->offset);
		return 0;
	case GVM_CMD_UNMAP:
	case GVM_CMD_MADVISE:
	case GVM_CMD_PREFETCH:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		wr_val(&e->w, c, cmd->vm, c->win[cmd->vm].start, cmd->addr);
		wr_val(&e->w, c, cmd->vm, 0, cmd->range);
		return 0;
	case GVM_CMD_BO_UNMAP:
	case GVM_CMD_OBTAIN:
	case GVM_CMD_PUT:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		return enc_bo(e, i, cmd->bo);
	case GVM_CMD_CLOSE:
		return enc_bo(e, i, cmd->bo);
	case GVM_CMD_EVICT:
		if (enc_bo(e, i, cmd->bo))
			return -1;
		wr8(&e->w, (cmd->flags & GVM_F_EVICT) ? 1 : 0);
		return 0;
	case GVM_CMD_VALIDATE:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		if (!(cmd->flags & (GVM_F_VFAIL | GVM_F_VEVICT))) {
			wr8(&e->w, (cmd->flags & GVM_F_OWN) ? 4 : 0);
			return 0;
		}
		wr8(&e->w, (uint8_t)(((cmd->flags & GVM_F_VFAIL) ? 2 : 3) +
				     ((cmd->flags & GVM_F_OWN) ? 4 : 0)));
		return enc_bo(e, i, cmd->bo);
	case GVM_CMD_CLEANUP:
	case GVM_CMD_DESTROY:
	case GVM_CMD_DUMP:
		return enc_vm(e, i, cmd->vm);
	case GVM_CMD_LOOKUP:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		wr_val(&e->w, c, cmd->vm, c->win[cmd->vm].start, cmd->addr);
		wr_val(&e->w, c, cmd->vm, 0, cmd->range);
		return 0;
	case GVM_CMD_LOCK:
		if (enc_vm(e, i, cmd->vm))
			return -1;
		wr8(&e->w, (uint8_t)(((cmd->flags & GVM_F_LRANGE) ? 1 :
				      (cmd->flags & GVM_F_LOBJS) ? 2 : 0) +
				     ((cmd->flags & GVM_F_FENCE) ? 3 : 0) +
				     ((cmd->flags & GVM_F_OWN) ? 6 : 0)));
		if (cmd->flags & GVM_F_LRANGE) {
			wr_val(&e->w, c, cmd->vm, c->win[cmd->vm].start, cmd->addr);
			wr_val(&e->w, c, cmd->vm, 0, cmd->range);
		}
		if (cmd->flags & GVM_F_LOBJS) {
			if (cmd->objs >> c->nbos)
				return fail(e, i, "lock objects: an object that was not created");
			wr8(&e->w, (uint8_t)cmd->objs);
		}
		if (cmd->flags & GVM_F_FENCE)
			wr8(&e->w, (uint8_t)(gvm_cmd_usage_priv(cmd) | gvm_cmd_usage_ext(cmd) << 2));
		return 0;
	case GVM_CMD_INVALIDATE:
		if (enc_bo(e, i, cmd->bo))
			return -1;
		wr8(&e->w, (cmd->flags & GVM_F_INVALID) ? 1 : 0);
		return 0;
	case GVM_CMD_INJECT:
		if (cmd->flags & GVM_F_STEP) {
			if (cmd->offset < 1 || cmd->offset > MAX_STEP)
				return fail(e, i, "inject step N: N must be 1..%d", MAX_STEP);
			/* TAG_STEP is a multiple of MAX_STEP: N - 1 survives the modulo. */
			wr8(&e->w, (uint8_t)(TAG_STEP + cmd->offset - 1));
			return 0;
		}
		if (cmd->offset < 1 || cmd->offset > MAX_INJECT)
			return fail(e, i, "inject alloc N: N must be 1..%d",
				    MAX_INJECT);
		wr8(&e->w, (uint8_t)(cmd->offset - 1));
		return 0;
	default:
		return fail(e, i, "%s has no '%s' command", c->t->name,
			    kname(cmd->kind));
	}
}

/*
 * concurrency: the schedule lines right after the prologue (from @*next),
 * within what the tail can say; @*next moves past them.
 */
/*
 * concurrency: the thread byte of a record for a thread @s does not have,
 * 0xff if it has them all. The decoder drops such records; the encoder
 * bridges a gap of more than 256 decisions with them.
 */
static uint8_t idle_thread_byte(const struct gvm_script *s)
{
	uint32_t t;

	for (t = CONC_THREADS; t >= 1; t--)
		if (!gvm_script_has_thread(s, t))
			return (uint8_t)(t - 1);
	for (t = 0; t < MAX_VMS; t++)
		if (!gvm_script_has_thread(s, GVM_THREAD_JOB + t))
			return (uint8_t)(0x80 | t);
	return 0xff;
}

/* Records the tail needs for a record at @step after one at @prev: fillers too. */
static uint64_t records_for(uint64_t prev, uint64_t step)
{
	return (step - prev - 1) / 256 + 1;
}

static int encode_schedule_check(struct enc *e, size_t *next)
{
	const struct gvm_script *s = e->s;
	uint64_t prev = 0, recs = 0;
	size_t i;

	for (i = *next; i < s->n && s->cmds[i].kind == GVM_CMD_SCHEDULE; i++) {
		const struct gvm_cmd *cmd = &s->cmds[i];

		if (cmd->flags & GVM_F_AT) {
			if (++recs > CONC_MAX_SCHED)
				return fail(e, i, "at most %d schedule records (a gap of more than 256 decisions takes one more)",
					    CONC_MAX_SCHED);
			if (conc_thread_index(cmd->at) < 0 || conc_thread_index(cmd->thread) < 0)
				return fail(e, i, "schedule: threads 1 .. %d or j0 .. j%d",
					    CONC_THREADS, MAX_VMS - 1);
			if (cmd->offset > CONC_AT_MAX_N)
				return fail(e, i, "schedule: a thread's operation up to the %dnd (%s.%d)",
					    CONC_AT_MAX_N, gvm_cmd_sched_op_name(cmd->at_op),
					    CONC_AT_MAX_N);
			continue;
		}
		recs += records_for(prev, cmd->offset);
		if (recs > CONC_MAX_SCHED)
			return fail(e, i, "at most %d schedule records (a gap of more than 256 decisions takes one more)",
				    CONC_MAX_SCHED);
		if (records_for(prev, cmd->offset) > 1 && idle_thread_byte(s) == 0xff)
			return fail(e, i, "schedule %" PRIu64 ": at most 256 decisions after the "
				    "last record (%" PRIu64 ") when every thread is used", cmd->offset,
				    prev);
		if (cmd->thread >= GVM_THREAD_JOB + MAX_VMS ||
		    (cmd->thread > CONC_THREADS && cmd->thread < GVM_THREAD_JOB))
			return fail(e, i, "schedule: thread %s%" PRIu32 " (at most %d, or j0 .. j%d)",
				    cmd->thread >= GVM_THREAD_JOB ? "j" : "",
				    cmd->thread >= GVM_THREAD_JOB ? cmd->thread - GVM_THREAD_JOB :
								    cmd->thread,
				    CONC_THREADS, MAX_VMS - 1);
		prev = cmd->offset;
	}
	*next = i;
	return 0;
}

/* concurrency: the tail, for the schedule lines [@from, @to). */
static void encode_schedule(struct enc *e, size_t from, size_t to)
{
	uint8_t idle = idle_thread_byte(e->s);
	uint64_t prev = 0, n = 0;
	size_t i;

	for (i = from; i < to; i++) {
		const struct gvm_cmd *c = &e->s->cmds[i];
		uint32_t t = c->thread;

		if (c->flags & GVM_F_AT) {
			wr8(&e->w, (uint8_t)((c->offset - 1) << 3 | (uint64_t)conc_thread_index(c->at)));
			wr8(&e->w, (uint8_t)(CONC_AT | (unsigned int)conc_thread_index(t) |
					     (c->at_op & 7u) << 3 | (c->at_op & 8u) << 4));
			n++;
			continue;
		}

		/* Records for no thread, skipped when they run, across a long gap. */
		for (; e->s->cmds[i].offset - prev - 1 > 0xff; prev += 256, n++) {
			wr8(&e->w, 0xff);
			wr8(&e->w, idle);
		}
		wr8(&e->w, (uint8_t)(e->s->cmds[i].offset - prev - 1));
		wr8(&e->w, (uint8_t)(t >= GVM_THREAD_JOB ? 0x80 | (t - GVM_THREAD_JOB) : t - 1));
		prev = e->s->cmds[i].offset;
		n++;
	}
	wr8(&e->w, (uint8_t)n);
}

int gvm_encode(enum gvm_format format, const struct gvm_script *s,
	       uint8_t **data, size_t *size, char *err, size_t errlen)
{
	struct enc e = { .s = s, .err = err, .errlen = errlen };
	size_t i, next = 0, first_rec;

	if (err && errlen)
		err[0] = '\0';
	*data = NULL;
	*size = 0;
	if ((unsigned int)format >= GVM_FORMAT_NR) {
		if (err && errlen)
			snprintf(err, errlen, "unknown input format %d", (int)format);
		return -1;
	}
	e.c.t = &formats[format];

	/* Well-formed commands first, so the checks below can trust them. */
	for (i = 0; i < s->n; i++)
		if (gvm_cmd_format(&s->cmds[i], NULL, 0) < 0)
			return fail(&e, i, "malformed %s command (flags 0x%" PRIx32
				    " or unused fields set)",
				    kname(s->cmds[i].kind), s->cmds[i].flags);
	if (s->n > GVM_FUZZ_MAX_CMDS)
		return fail(&e, GVM_FUZZ_MAX_CMDS,
			    "more than %d commands (GVM_FUZZ_MAX_CMDS)",
			    GVM_FUZZ_MAX_CMDS);

	if (e.c.t->single ? encode_single(&e, &next) : encode_multi(&e, &next))
		goto out_free;
	first_rec = next;
	if (e.c.t->threads && encode_schedule_check(&e, &first_rec))
		goto out_free;
	for (i = first_rec; i < s->n; i++)
		if (encode_record(&e, i))
			goto out_free;
	if (e.c.t->threads)
		encode_schedule(&e, next, first_rec);
	/* The prologue wrote at least one byte, so e.w.p is set unless OOM. */
	if (e.w.oom || !e.w.p) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	*data = e.w.p;
	*size = e.w.n;
	return 0;

out_free:
	free(e.w.p);
	return -1;
}
