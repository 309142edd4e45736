// SPDX-License-Identifier: MIT
/*
 * The command stream: keywords, canonical text, comparison and the growable
 * script array. Harness code, so plain malloc/realloc/free: the library's
 * kmalloc accounting and fault injection must not see it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcompat/sched.h>
#include "gvm_cmd.h"

/* Which fields a kind may set; everything else must stay zero. */
#define U_VM		(1u << 0)
#define U_BO		(1u << 1)
#define U_ADDR		(1u << 2)
#define U_RANGE		(1u << 3)
#define U_OFFSET	(1u << 4)

struct kind_info {
	const char *name;
	uint32_t flags;		/* GVM_F_* allowed */
	uint32_t uses;		/* U_* always used */
	bool threads;		/* may run on a thread ("@T") */
};

static const struct kind_info kinds[GVM_CMD_NR] = {
	[GVM_CMD_VM]		= { "vm", GVM_F_RESERVE | GVM_F_IMMEDIATE |
				    GVM_F_RESV_PROTECTED | GVM_F_PREALLOC | GVM_F_EMPTY_OK,
				    U_VM | U_ADDR | U_RANGE, false },
	[GVM_CMD_BO]		= { "bo", GVM_F_PRIVATE, U_BO, false },
	[GVM_CMD_MAP]		= { "map", GVM_F_NO_BO | GVM_F_JOB,
				    U_VM | U_BO | U_ADDR | U_RANGE | U_OFFSET, true },
	[GVM_CMD_UNMAP]		= { "unmap", GVM_F_JOB, U_VM | U_ADDR | U_RANGE, true },
	[GVM_CMD_MADVISE]	= { "madvise", 0, U_VM | U_ADDR | U_RANGE, true },
	[GVM_CMD_PREFETCH]	= { "prefetch", 0, U_VM | U_ADDR | U_RANGE, true },
	[GVM_CMD_BO_UNMAP]	= { "bo_unmap", 0, U_VM | U_BO, true },
	[GVM_CMD_OBTAIN]	= { "obtain", 0, U_VM | U_BO, true },
	[GVM_CMD_PUT]		= { "put", 0, U_VM | U_BO, true },
	[GVM_CMD_CLOSE]		= { "close", 0, U_BO, true },
	[GVM_CMD_EVICT]		= { "evict", GVM_F_EVICT, U_BO, true },
	[GVM_CMD_VALIDATE]	= { "validate", GVM_F_VFAIL | GVM_F_VEVICT | GVM_F_OWN, U_VM, true },
	[GVM_CMD_CLEANUP]	= { "cleanup", 0, U_VM, true },
	[GVM_CMD_DESTROY]	= { "destroy", 0, U_VM, true },
	[GVM_CMD_DUMP]		= { "dump", 0, U_VM, false },
	[GVM_CMD_LOOKUP]	= { "lookup", 0, U_VM | U_ADDR | U_RANGE, true },
	[GVM_CMD_LOCK]		= { "lock", GVM_F_LRANGE | GVM_F_LOBJS | GVM_F_FENCE | GVM_F_OWN,
				    U_VM, true },
	[GVM_CMD_INVALIDATE]	= { "invalidate", GVM_F_INVALID, U_BO, true },
	[GVM_CMD_INJECT]	= { "inject", GVM_F_STEP, U_OFFSET, false },
	[GVM_CMD_TWIN]		= { "twin", 0, 0, false },
	[GVM_CMD_SCHEDULE]	= { "schedule", GVM_F_AT, U_OFFSET, false },
};

_Static_assert(GVM_MAX_ID <= 64, "lock objects are a 64-bit mask");

static const char *const usage_names[GVM_USAGE_NR] = {
	[GVM_USAGE_KERNEL] = "kernel", [GVM_USAGE_WRITE] = "write",
	[GVM_USAGE_READ] = "read", [GVM_USAGE_BOOKKEEP] = "bookkeep",
};

const char *gvm_usage_name(unsigned int usage)
{
	return usage < GVM_USAGE_NR ? usage_names[usage] : NULL;
}

unsigned int gvm_cmd_usage_priv(const struct gvm_cmd *cmd)
{
	return cmd->usage & 0xf;
}

unsigned int gvm_cmd_usage_ext(const struct gvm_cmd *cmd)
{
	return cmd->usage >> 4;
}

bool gvm_cmd_threadable(enum gvm_kind kind)
{
	return (unsigned int)kind < GVM_CMD_NR && kinds[kind].threads;
}

const char *gvm_kind_name(enum gvm_kind kind)
{
	/* Cast: an out-of-range value may arrive from a decoder as negative. */
	if ((unsigned int)kind >= GVM_CMD_NR)
		return NULL;
	return kinds[kind].name;
}

/*
 * Whether @cmd has a text form that parses back to exactly @cmd: known
 * kind, only its flags, ids in range, unused fields zero. Anything else
 * would break "equal exactly when the text is the same".
 */
/* The fields @cmd uses (U_*): its kind's, as its flags change them; 0 for no kind. */
static uint32_t cmd_uses(const struct gvm_cmd *cmd)
{
	uint32_t uses;

	if ((unsigned int)cmd->kind >= GVM_CMD_NR)
		return 0;
	uses = kinds[cmd->kind].uses;
	if (cmd->kind == GVM_CMD_BO && (cmd->flags & GVM_F_PRIVATE))
		uses |= U_VM;
	if (cmd->kind == GVM_CMD_MAP && (cmd->flags & GVM_F_NO_BO))
		uses &= ~U_BO;
	if (cmd->kind == GVM_CMD_VALIDATE && (cmd->flags & (GVM_F_VFAIL | GVM_F_VEVICT)))
		uses |= U_BO;
	if (cmd->kind == GVM_CMD_LOCK && (cmd->flags & GVM_F_LRANGE))
		uses |= U_ADDR | U_RANGE;
	return uses;
}

bool gvm_cmd_names_vm(const struct gvm_cmd *cmd)
{
	return cmd_uses(cmd) & U_VM;
}

bool gvm_cmd_names_bo(const struct gvm_cmd *cmd)
{
	return cmd_uses(cmd) & U_BO;
}

/* A schedule record's thread: 1 .. GVM_MAX_THREADS, or a run_job. */
static bool sched_thread_ok(uint32_t thread)
{
	return (thread && thread <= GVM_MAX_THREADS) ||
	       (thread >= GVM_THREAD_JOB && thread < GVM_THREAD_JOB + GVM_MAX_ID);
}

int gvm_cmd_sched_op(const char *name, size_t len)
{
	int op;

	for (op = 0; op < KCOMPAT_SP_NR; op++)
		if (strlen(kcompat_sp_name(op)) == len && !memcmp(kcompat_sp_name(op), name, len))
			return op;
	return -1;
}

const char *gvm_cmd_sched_op_name(uint32_t op)
{
	return op < KCOMPAT_SP_NR ? kcompat_sp_name(op) : NULL;
}

static bool cmd_well_formed(const struct gvm_cmd *cmd)
{
	const struct kind_info *k;
	uint32_t uses;

	if ((unsigned int)cmd->kind >= GVM_CMD_NR)
		return false;
	k = &kinds[cmd->kind];
	if (cmd->flags & ~k->flags)
		return false;
	/* One memory-pressure behaviour per validate. */
	if ((cmd->flags & GVM_F_VFAIL) && (cmd->flags & GVM_F_VEVICT))
		return false;
	/* One locking helper per lock; an array of at least one object. */
	if ((cmd->flags & GVM_F_LRANGE) && (cmd->flags & GVM_F_LOBJS))
		return false;
	if (!(cmd->flags & GVM_F_LOBJS) != !cmd->objs)
		return false;
	if (cmd->flags & GVM_F_FENCE) {
		if (gvm_cmd_usage_priv(cmd) >= GVM_USAGE_NR ||
		    gvm_cmd_usage_ext(cmd) >= GVM_USAGE_NR)
			return false;
	} else if (cmd->usage) {
		return false;
	}

	uses = cmd_uses(cmd);
	if ((uses & U_VM) ? cmd->vm >= GVM_MAX_ID : cmd->vm != 0)
		return false;
	if ((uses & U_BO) ? cmd->bo >= GVM_MAX_ID : cmd->bo != 0)
		return false;
	if (!(uses & U_ADDR) && cmd->addr)
		return false;
	if (!(uses & U_RANGE) && cmd->range)
		return false;
	if (!(uses & U_OFFSET) && cmd->offset)
		return false;
	if (!(cmd->flags & GVM_F_RESERVE) &&
	    (cmd->reserve_addr || cmd->reserve_range))
		return false;
	if (!(cmd->flags & GVM_F_AT) && (cmd->at || cmd->at_op))
		return false;
	/*
	 * A thread for what may run on one; schedule: from decision 1 (or
	 * the Nth operation of a thread), to a thread
	 */
	if (cmd->kind == GVM_CMD_SCHEDULE)
		return cmd->offset && sched_thread_ok(cmd->thread) &&
		       (!(cmd->flags & GVM_F_AT) ||
			(sched_thread_ok(cmd->at) && cmd->at_op < KCOMPAT_SP_NR));
	return cmd->thread <= GVM_MAX_THREADS && (!cmd->thread || k->threads);
}

/* snprintf that appends, keeping the total length as snprintf would. */
struct fmt {
	char *buf;
	size_t len;
	size_t n;
	bool bad;
};

static void __attribute__((format(printf, 2, 3)))
put(struct fmt *f, const char *fmt, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int r;

	if (f->n < f->len) {
		dst = f->buf + f->n;
		room = f->len - f->n;
	}
	va_start(ap, fmt);
	r = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (r < 0)
		f->bad = true;
	else
		f->n += (size_t)r;
}

/* A schedule record's thread as scripts write it: " 2", or " j0" for a run_job. */
static void put_sched_thread(struct fmt *f, uint32_t thread)
{
	if (thread >= GVM_THREAD_JOB)
		put(f, " j%" PRIu32, thread - GVM_THREAD_JOB);
	else
		put(f, " %" PRIu32, thread);
}

int gvm_cmd_format(const struct gvm_cmd *cmd, char *buf, size_t len)
{
	struct fmt f = { .buf = buf, .len = len };

	if (len && buf)
		buf[0] = '\0';
	if (!buf)
		f.len = 0;
	if (!cmd_well_formed(cmd))
		return -1;

	if (cmd->thread && cmd->kind != GVM_CMD_SCHEDULE)
		put(&f, "@%" PRIu32 " ", cmd->thread);
	put(&f, "%s", kinds[cmd->kind].name);
	switch (cmd->kind) {
	case GVM_CMD_VM:
		put(&f, " %" PRIu32 " 0x%" PRIx64 " 0x%" PRIx64,
		    cmd->vm, cmd->addr, cmd->range);
		/* Fixed order so each command has exactly one text. */
		if (cmd->flags & GVM_F_RESERVE)
			put(&f, " reserve 0x%" PRIx64 " 0x%" PRIx64,
			    cmd->reserve_addr, cmd->reserve_range);
		if (cmd->flags & GVM_F_IMMEDIATE)
			put(&f, " immediate");
		if (cmd->flags & GVM_F_RESV_PROTECTED)
			put(&f, " resv_protected");
		if (cmd->flags & GVM_F_PREALLOC)
			put(&f, " prealloc");
		if (cmd->flags & GVM_F_EMPTY_OK)
			put(&f, " empty_ok");
		break;
	case GVM_CMD_BO:
		put(&f, " %" PRIu32, cmd->bo);
		if (cmd->flags & GVM_F_PRIVATE)
			put(&f, " private %" PRIu32, cmd->vm);
		break;
	case GVM_CMD_MAP:
		put(&f, " %" PRIu32 " 0x%" PRIx64 " 0x%" PRIx64,
		    cmd->vm, cmd->addr, cmd->range);
		if (cmd->flags & GVM_F_NO_BO)
			put(&f, " -");
		else
			put(&f, " %" PRIu32, cmd->bo);
		put(&f, " 0x%" PRIx64, cmd->offset);
		if (cmd->flags & GVM_F_JOB)
			put(&f, " job");
		break;
	case GVM_CMD_UNMAP:
	case GVM_CMD_MADVISE:
	case GVM_CMD_PREFETCH:
		put(&f, " %" PRIu32 " 0x%" PRIx64 " 0x%" PRIx64,
		    cmd->vm, cmd->addr, cmd->range);
		if (cmd->flags & GVM_F_JOB)
			put(&f, " job");
		break;
	case GVM_CMD_BO_UNMAP:
	case GVM_CMD_OBTAIN:
	case GVM_CMD_PUT:
		put(&f, " %" PRIu32 " %" PRIu32, cmd->vm, cmd->bo);
		break;
	case GVM_CMD_CLOSE:
		put(&f, " %" PRIu32, cmd->bo);
		break;
	case GVM_CMD_EVICT:
		put(&f, " %" PRIu32 " %d", cmd->bo,
		    (cmd->flags & GVM_F_EVICT) ? 1 : 0);
		break;
	case GVM_CMD_VALIDATE:
		put(&f, " %" PRIu32, cmd->vm);
		if (cmd->flags & GVM_F_VFAIL)
			put(&f, " fail %" PRIu32, cmd->bo);
		if (cmd->flags & GVM_F_VEVICT)
			put(&f, " evict %" PRIu32, cmd->bo);
		if (cmd->flags & GVM_F_OWN)
			put(&f, " own");
		break;
	case GVM_CMD_CLEANUP:
	case GVM_CMD_DESTROY:
	case GVM_CMD_DUMP:
		put(&f, " %" PRIu32, cmd->vm);
		break;
	case GVM_CMD_LOOKUP:
		put(&f, " %" PRIu32 " 0x%" PRIx64 " 0x%" PRIx64,
		    cmd->vm, cmd->addr, cmd->range);
		break;
	case GVM_CMD_LOCK: {
		const char *sep = " objects ";
		uint32_t b;

		put(&f, " %" PRIu32, cmd->vm);
		if (cmd->flags & GVM_F_LRANGE)
			put(&f, " range 0x%" PRIx64 " 0x%" PRIx64, cmd->addr, cmd->range);
		for (b = 0; b < GVM_MAX_ID; b++) {
			if (cmd->objs & (UINT64_C(1) << b)) {
				put(&f, "%s%" PRIu32, sep, b);
				sep = ",";
			}
		}
		if (cmd->flags & GVM_F_FENCE)
			put(&f, " fence %s %s", usage_names[gvm_cmd_usage_priv(cmd)],
			    usage_names[gvm_cmd_usage_ext(cmd)]);
		if (cmd->flags & GVM_F_OWN)
			put(&f, " own");
		break;
	}
	case GVM_CMD_INVALIDATE:
		put(&f, " %" PRIu32 " %d", cmd->bo,
		    (cmd->flags & GVM_F_INVALID) ? 1 : 0);
		break;
	case GVM_CMD_INJECT:
		put(&f, " %s %" PRIu64, (cmd->flags & GVM_F_STEP) ? "step" : "alloc", cmd->offset);
		break;
	case GVM_CMD_TWIN:
		break;
	case GVM_CMD_SCHEDULE:
		if (cmd->flags & GVM_F_AT) {
			put_sched_thread(&f, cmd->at);
			put(&f, " %s.%" PRIu64, kcompat_sp_name(cmd->at_op), cmd->offset);
		} else {
			put(&f, " %" PRIu64, cmd->offset);
		}
		put_sched_thread(&f, cmd->thread);
		break;
	case GVM_CMD_NR:
		return -1;
	}
	if (f.bad || f.n > INT32_MAX)
		return -1;
	return (int)f.n;
}

bool gvm_cmd_equal(const struct gvm_cmd *a, const struct gvm_cmd *b)
{
	/* Field by field: padding and @line must not matter. */
	return a->kind == b->kind &&
	       a->flags == b->flags &&
	       a->vm == b->vm &&
	       a->bo == b->bo &&
	       a->addr == b->addr &&
	       a->range == b->range &&
	       a->offset == b->offset &&
	       a->reserve_addr == b->reserve_addr &&
	       a->reserve_range == b->reserve_range &&
	       a->objs == b->objs &&
	       a->usage == b->usage &&
	       a->thread == b->thread &&
	       a->at == b->at &&
	       a->at_op == b->at_op;
}

int gvm_script_push(struct gvm_script *s, const struct gvm_cmd *cmd)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct gvm_cmd *cmds;

		if (cap < s->cap || cap > SIZE_MAX / sizeof(*cmds))
			return -1;
		cmds = realloc(s->cmds, cap * sizeof(*cmds));
		if (!cmds)
			return -1;	/* @s is untouched and still valid */
		s->cmds = cmds;
		s->cap = cap;
	}
	s->cmds[s->n++] = *cmd;
	return 0;
}

bool gvm_script_has_thread(const struct gvm_script *s, uint32_t thread)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct gvm_cmd *c = &s->cmds[i];

		if (!c->thread || c->kind == GVM_CMD_SCHEDULE)
			continue;
		if (thread < GVM_THREAD_JOB ? c->thread >= thread :
		    (c->flags & GVM_F_JOB) && c->vm == thread - GVM_THREAD_JOB)
			return true;
	}
	return false;
}

void gvm_script_free(struct gvm_script *s)
{
	free(s->cmds);
	s->cmds = NULL;
	s->n = 0;
	s->cap = 0;
}
