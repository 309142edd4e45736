// SPDX-License-Identifier: MIT
/*
 * The .gvm text parser and the semantic checks shared with the fuzz
 * decoders. Every problem names its line and the offending token, since
 * scripts are written by hand and reduced by tools alike.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "gvm_parse.h"

/* More than the longest command (vm with every option: 10 tokens, "@T" aside). */
#define MAX_TOKENS	13

/* Ids created so far; ids are never freed, so plain bitmaps suffice. */
struct vstate {
	bool vm[GVM_MAX_ID];
	bool bo[GVM_MAX_ID];
	bool any;	/* a command was seen: twin must come before it */
	bool twin;
	bool threads;	/* a command ran on a thread: all later ones must */
	uint64_t step;	/* the last schedule record's decision */
	uint64_t job_vms;	/* VMs with jobs on threads: each gets a run_job thread */
};

/* One line being parsed. */
struct pline {
	const char *name;
	uint32_t lineno;
	char *err;
	size_t errlen;
	const char *cmd;		/* keyword, for operand messages */
	const char *tok[MAX_TOKENS];
	size_t toklen[MAX_TOKENS];
	size_t ntok;			/* all tokens, even those not stored */
	size_t pos;			/* next token to consume */
};

static void __attribute__((format(printf, 5, 0)))
vreport(char *err, size_t errlen, const char *name, uint32_t line,
	const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%" PRIu32 ": ", name ? name : "<script>",
		     line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static int __attribute__((format(printf, 2, 3)))
fail(struct pline *pl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(pl->err, pl->errlen, pl->name, pl->lineno, fmt, ap);
	va_end(ap);
	return -1;
}

/* Tokens are at most GVM_MAX_LINE bytes, so an int precision is safe. */
#define TOK(pl, i)	(int)(pl)->toklen[i], (pl)->tok[i]

static bool tok_is(const struct pline *pl, size_t i, const char *word)
{
	size_t n = strlen(word);

	return pl->toklen[i] == n && !memcmp(pl->tok[i], word, n);
}

/*
 * Parse a u64: decimal, or 0x followed by hex digits. Leading zeros are
 * fine in both (so a hex number may have more than 16 digits); the value
 * decides overflow. Return 0, -1 malformed, -2 out of range.
 */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		/* All digits valid first: "0xffff...fz" is malformed. */
		for (i = 2; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'f') ||
			      (s[i] >= 'A' && s[i] <= 'F')))
				return -1;
		for (i = 2; i < n; i++) {
			unsigned int d;

			if (s[i] <= '9')
				d = (unsigned int)(s[i] - '0');
			else if (s[i] <= 'F')
				d = (unsigned int)(s[i] - 'A' + 10);
			else
				d = (unsigned int)(s[i] - 'a' + 10);
			if (v > UINT64_MAX >> 4)
				return -2;
			v = v << 4 | d;
		}
		*out = v;
		return 0;
	}

	/* No sign, no "0x" alone, no empty token. */
	if (!n)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Take the next token, or report operand @what as missing. */
static int next_tok(struct pline *pl, const char *what, size_t *i)
{
	if (pl->pos >= pl->ntok)
		return fail(pl, "%s: missing operand '%s'", pl->cmd, what);
	*i = pl->pos++;
	return 0;
}

static int tok_u64(struct pline *pl, size_t i, uint64_t *v)
{
	switch (parse_u64(pl->tok[i], pl->toklen[i], v)) {
	case 0:
		return 0;
	case -2:
		return fail(pl, "number '%.*s' out of range (u64)", TOK(pl, i));
	default:
		return fail(pl, "bad number '%.*s' (expected decimal or 0x hex u64)",
			    TOK(pl, i));
	}
}

static int get_u64(struct pline *pl, const char *what, uint64_t *v)
{
	size_t i = 0;	/* gcc cannot see next_tok() set it */

	if (next_tok(pl, what, &i))
		return -1;
	return tok_u64(pl, i, v);
}

/* An id of @type ("vm" or "bo"): a number below GVM_MAX_ID. */
static int tok_id(struct pline *pl, size_t i, const char *type, uint32_t *id)
{
	uint64_t v;

	if (tok_u64(pl, i, &v))
		return -1;
	if (v >= GVM_MAX_ID)
		return fail(pl, "%s id %" PRIu64 " out of range (0..%d)",
			    type, v, GVM_MAX_ID - 1);
	*id = (uint32_t)v;
	return 0;
}

static int get_id(struct pline *pl, const char *what, const char *type,
		  uint32_t *id)
{
	size_t i = 0;	/* likewise */

	if (next_tok(pl, what, &i))
		return -1;
	return tok_id(pl, i, type, id);
}

/* vm options after "vm V start range": any order, each at most once. */
static int parse_vm_options(struct pline *pl, struct gvm_cmd *c)
{
	while (pl->pos < pl->ntok) {
		size_t i = pl->pos++;
		uint32_t flag;

		if (tok_is(pl, i, "reserve"))
			flag = GVM_F_RESERVE;
		else if (tok_is(pl, i, "immediate"))
			flag = GVM_F_IMMEDIATE;
		else if (tok_is(pl, i, "resv_protected"))
			flag = GVM_F_RESV_PROTECTED;
		else if (tok_is(pl, i, "prealloc"))
			flag = GVM_F_PREALLOC;
		else if (tok_is(pl, i, "empty_ok"))
			flag = GVM_F_EMPTY_OK;
		else
			return fail(pl, "vm: unknown option '%.*s' (expected reserve, immediate, resv_protected, prealloc or empty_ok)",
				    TOK(pl, i));
		if (c->flags & flag)
			return fail(pl, "vm: duplicate '%.*s'", TOK(pl, i));
		c->flags |= flag;
		if (flag == GVM_F_RESERVE &&
		    (get_u64(pl, "reserve addr", &c->reserve_addr) ||
		     get_u64(pl, "reserve range", &c->reserve_range)))
			return -1;
	}
	return 0;
}

/* A fence usage keyword: kernel, write, read or bookkeep. */
static int get_usage(struct pline *pl, const char *what, uint32_t *usage)
{
	size_t i = 0;	/* likewise */
	unsigned int u;

	if (next_tok(pl, what, &i))
		return -1;
	for (u = 0; u < GVM_USAGE_NR; u++) {
		if (tok_is(pl, i, gvm_usage_name(u))) {
			*usage = u;
			return 0;
		}
	}
	return fail(pl, "%s: bad fence usage '%.*s' (expected kernel, write, read or bookkeep)",
		    pl->cmd, TOK(pl, i));
}

/* "B,B,...": object ids, each once, as a mask. */
static int get_objs(struct pline *pl, uint64_t *objs)
{
	size_t i = 0, start, end;	/* likewise */

	if (next_tok(pl, "B,...", &i))
		return -1;
	for (start = 0; start <= pl->toklen[i]; start = end + 1) {
		const char *comma = memchr(pl->tok[i] + start, ',', pl->toklen[i] - start);
		uint64_t v;
		int r;

		end = comma ? (size_t)(comma - pl->tok[i]) : pl->toklen[i];
		r = parse_u64(pl->tok[i] + start, end - start, &v);
		if (r == -1)
			return fail(pl, "%s: bad object list '%.*s' (expected ids separated by commas)",
				    pl->cmd, TOK(pl, i));
		if (r || v >= GVM_MAX_ID)
			return fail(pl, "%s: bo id '%.*s' out of range (0..%d)", pl->cmd,
				    (int)(end - start), pl->tok[i] + start, GVM_MAX_ID - 1);
		if (*objs & (UINT64_C(1) << v))
			return fail(pl, "%s: bo %" PRIu64 " listed twice", pl->cmd, v);
		*objs |= UINT64_C(1) << v;
	}
	return 0;
}

/* lock V [range addr range | objects B,...] [fence P E] */
/* A schedule record's thread: T (1 .. GVM_MAX_THREADS), or jV for VM V's run_job. */
static int sched_thread(struct pline *pl, size_t i, uint32_t *thread)
{
	uint64_t t;

	if (pl->toklen[i] && pl->tok[i][0] == 'j') {
		if (parse_u64(pl->tok[i] + 1, pl->toklen[i] - 1, &t) || t >= GVM_MAX_ID)
			return fail(pl, "schedule: bad run_job thread '%.*s' (expected j0 .. j%d)",
				    TOK(pl, i), GVM_MAX_ID - 1);
		*thread = GVM_THREAD_JOB + (uint32_t)t;
		return 0;
	}
	if (tok_u64(pl, i, &t))
		return -1;
	if (!t || t > GVM_MAX_THREADS)
		return fail(pl, "schedule: thread %" PRIu64 " out of range (1..%d)", t,
			    GVM_MAX_THREADS);
	*thread = (uint32_t)t;
	return 0;
}

/* OP.N of a schedule record (@dot: its '.'): the thread's Nth switch point of OP. */
static int sched_op(struct pline *pl, size_t i, const char *dot, struct gvm_cmd *c)
{
	size_t oplen = (size_t)(dot - pl->tok[i]);
	int op = gvm_cmd_sched_op(pl->tok[i], oplen);
	char ops[256] = "";
	uint32_t k;

	if (op < 0) {
		for (k = 0; gvm_cmd_sched_op_name(k); k++)
			snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s%s",
				 k ? " " : "", gvm_cmd_sched_op_name(k));
		return fail(pl, "schedule: unknown operation '%.*s' (one of: %s)", (int)oplen,
			    pl->tok[i], ops);
	}
	if (parse_u64(dot + 1, pl->toklen[i] - oplen - 1, &c->offset) ||
	    !c->offset || c->offset > UINT32_MAX)
		return fail(pl, "schedule: bad count in '%.*s' (expected %.*s.N, N from 1)",
			    TOK(pl, i), (int)oplen, pl->tok[i]);
	c->at_op = (uint32_t)op;
	return 0;
}

static int parse_lock(struct pline *pl, struct gvm_cmd *c)
{
	uint32_t priv, ext;

	if (get_id(pl, "V", "vm", &c->vm))
		return -1;
	while (pl->pos < pl->ntok) {
		size_t i = pl->pos++;

		if (tok_is(pl, i, "range") && !(c->flags & (GVM_F_LRANGE | GVM_F_LOBJS))) {
			c->flags |= GVM_F_LRANGE;
			if (get_u64(pl, "addr", &c->addr) || get_u64(pl, "range", &c->range))
				return -1;
		} else if (tok_is(pl, i, "objects") &&
			   !(c->flags & (GVM_F_LRANGE | GVM_F_LOBJS))) {
			c->flags |= GVM_F_LOBJS;
			if (get_objs(pl, &c->objs))
				return -1;
		} else if (tok_is(pl, i, "own") && !(c->flags & GVM_F_OWN)) {
			c->flags |= GVM_F_OWN;
		} else if (tok_is(pl, i, "fence") && !(c->flags & GVM_F_FENCE)) {
			c->flags |= GVM_F_FENCE;
			if (get_usage(pl, "P", &priv) || get_usage(pl, "E", &ext))
				return -1;
			c->usage = priv | ext << 4;
		} else {
			return fail(pl, "lock: unexpected '%.*s' (expected 'range' or 'objects', one of them once, 'fence' once, 'own' once)",
				    TOK(pl, i));
		}
	}
	return 0;
}

/* An optional trailing "job" (map, unmap): queued for the VM's run_job. */
static int parse_job(struct pline *pl, struct gvm_cmd *c)
{
	size_t i;

	if (pl->pos >= pl->ntok)
		return 0;
	i = pl->pos++;
	if (!tok_is(pl, i, "job"))
		return fail(pl, "%s: extra operand '%.*s' (only 'job' may follow)", pl->cmd,
			    TOK(pl, i));
	c->flags |= GVM_F_JOB;
	return 0;
}

/* The operands of @c->kind, which is already set. */
static int parse_operands(struct pline *pl, struct gvm_cmd *c)
{
	size_t i = 0;	/* likewise */

	switch (c->kind) {
	case GVM_CMD_VM:
		if (get_id(pl, "V", "vm", &c->vm) ||
		    get_u64(pl, "start", &c->addr) ||
		    get_u64(pl, "range", &c->range))
			return -1;
		return parse_vm_options(pl, c);
	case GVM_CMD_BO:
		if (get_id(pl, "B", "bo", &c->bo))
			return -1;
		if (pl->pos >= pl->ntok)
			return 0;
		i = pl->pos++;
		if (!tok_is(pl, i, "private"))
			return fail(pl, "bo: expected 'private' or end of line, got '%.*s'",
				    TOK(pl, i));
		c->flags |= GVM_F_PRIVATE;
		return get_id(pl, "V", "vm", &c->vm);
	case GVM_CMD_MAP:
		if (get_id(pl, "V", "vm", &c->vm) ||
		    get_u64(pl, "addr", &c->addr) ||
		    get_u64(pl, "range", &c->range) ||
		    next_tok(pl, "B", &i))
			return -1;
		if (tok_is(pl, i, "-"))
			c->flags |= GVM_F_NO_BO;
		else if (tok_id(pl, i, "bo", &c->bo))
			return -1;
		if (get_u64(pl, "offset", &c->offset))
			return -1;
		return parse_job(pl, c);
	case GVM_CMD_UNMAP:
	case GVM_CMD_MADVISE:
	case GVM_CMD_PREFETCH:
		if (get_id(pl, "V", "vm", &c->vm) ||
		    get_u64(pl, "addr", &c->addr) ||
		    get_u64(pl, "range", &c->range))
			return -1;
		return c->kind == GVM_CMD_UNMAP ? parse_job(pl, c) : 0;
	case GVM_CMD_BO_UNMAP:
	case GVM_CMD_OBTAIN:
	case GVM_CMD_PUT:
		if (get_id(pl, "V", "vm", &c->vm) ||
		    get_id(pl, "B", "bo", &c->bo))
			return -1;
		return 0;
	case GVM_CMD_CLOSE:
		return get_id(pl, "B", "bo", &c->bo);
	case GVM_CMD_EVICT:
		if (get_id(pl, "B", "bo", &c->bo) || next_tok(pl, "0|1", &i))
			return -1;
		/* Literally 0 or 1: this is a switch, not a number. */
		if (tok_is(pl, i, "1"))
			c->flags |= GVM_F_EVICT;
		else if (!tok_is(pl, i, "0"))
			return fail(pl, "evict: expected 0 or 1, got '%.*s'",
				    TOK(pl, i));
		return 0;
	case GVM_CMD_VALIDATE:
		if (get_id(pl, "V", "vm", &c->vm))
			return -1;
		while (pl->pos < pl->ntok) {
			i = pl->pos++;
			if (tok_is(pl, i, "own") && !(c->flags & GVM_F_OWN)) {
				c->flags |= GVM_F_OWN;
				continue;
			}
			if (tok_is(pl, i, "fail") && !(c->flags & (GVM_F_VFAIL | GVM_F_VEVICT)))
				c->flags |= GVM_F_VFAIL;
			else if (tok_is(pl, i, "evict") &&
				 !(c->flags & (GVM_F_VFAIL | GVM_F_VEVICT)))
				c->flags |= GVM_F_VEVICT;
			else
				return fail(pl, "validate: expected 'fail' or 'evict' (one of them once), 'own' (once) or end of line, got '%.*s'",
					    TOK(pl, i));
			if (get_id(pl, "B", "bo", &c->bo))
				return -1;
		}
		return 0;
	case GVM_CMD_CLEANUP:
	case GVM_CMD_DESTROY:
	case GVM_CMD_DUMP:
		return get_id(pl, "V", "vm", &c->vm);
	case GVM_CMD_LOOKUP:
		if (get_id(pl, "V", "vm", &c->vm) ||
		    get_u64(pl, "addr", &c->addr) ||
		    get_u64(pl, "range", &c->range))
			return -1;
		return 0;
	case GVM_CMD_LOCK:
		return parse_lock(pl, c);
	case GVM_CMD_INVALIDATE:
		if (get_id(pl, "B", "bo", &c->bo) || next_tok(pl, "0|1", &i))
			return -1;
		if (tok_is(pl, i, "1"))
			c->flags |= GVM_F_INVALID;
		else if (!tok_is(pl, i, "0"))
			return fail(pl, "invalidate: expected 0 or 1, got '%.*s'",
				    TOK(pl, i));
		return 0;
	case GVM_CMD_INJECT:
		if (next_tok(pl, "alloc|step", &i))
			return -1;
		if (tok_is(pl, i, "step"))
			c->flags |= GVM_F_STEP;
		else if (!tok_is(pl, i, "alloc"))
			return fail(pl, "inject: expected 'alloc' or 'step', got '%.*s'",
				    TOK(pl, i));
		if (get_u64(pl, "N", &c->offset))
			return -1;
		if (!c->offset)
			return fail(pl, "inject: N counts from 1");
		return 0;
	case GVM_CMD_TWIN:
		return 0;
	case GVM_CMD_SCHEDULE: {
		size_t first, at;
		const char *dot;

		if (next_tok(pl, "S|A", &first) || next_tok(pl, "T|OP.N", &at))
			return -1;
		dot = memchr(pl->tok[at], '.', pl->toklen[at]);
		if (!dot) {
			/* schedule S T */
			if (tok_u64(pl, first, &c->offset))
				return -1;
			if (!c->offset)
				return fail(pl, "schedule: decisions count from 1");
			return sched_thread(pl, at, &c->thread);
		}
		/* schedule A OP.N T */
		c->flags |= GVM_F_AT;
		if (sched_thread(pl, first, &c->at) || sched_op(pl, at, dot, c) ||
		    next_tok(pl, "T", &i))
			return -1;
		return sched_thread(pl, i, &c->thread);
	}
	case GVM_CMD_NR:
		break;
	}
	return fail(pl, "internal error: kind %d", (int)c->kind);
}

/*
 * Check the bytes of one line (terminator already removed): printable
 * ASCII and tabs only, comments included, so a script is plain text.
 */
static int check_bytes(struct pline *pl, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b == 0)
			return fail(pl, "NUL byte");
		if (b >= 0x80)
			return fail(pl, "non-ASCII byte 0x%02x", b);
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return fail(pl, "control byte 0x%02x", b);
	}
	return 0;
}

/* Split @s on blanks into @pl's tokens, up to a '#'. */
static void tokenize(struct pline *pl, const char *s, size_t n)
{
	size_t i = 0;

	pl->ntok = 0;
	pl->pos = 0;
	while (i < n && s[i] != '#') {
		size_t start;

		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#')
			i++;
		if (pl->ntok < MAX_TOKENS) {
			pl->tok[pl->ntok] = s + start;
			pl->toklen[pl->ntok] = i - start;
		}
		pl->ntok++;
	}
}

/*
 * Semantic check of one command against the ids created before it, then
 * record what it creates. On failure the message (without the
 * "<name>:<line>: " prefix) is in @msg.
 */
static int check_cmd(struct vstate *st, const struct gvm_cmd *c,
		     char *msg, size_t msglen)
{
	bool vm = gvm_cmd_names_vm(c), bo = gvm_cmd_names_bo(c);
	uint32_t b;

	/* Decoded commands are not parsed text: check their shape too. */
	if ((unsigned int)c->kind >= GVM_CMD_NR) {
		snprintf(msg, msglen, "bad command kind %d", (int)c->kind);
		return -1;
	}
	if (vm && c->vm >= GVM_MAX_ID) {
		snprintf(msg, msglen, "vm id %" PRIu32 " out of range (0..%d)",
			 c->vm, GVM_MAX_ID - 1);
		return -1;
	}
	if (bo && c->bo >= GVM_MAX_ID) {
		snprintf(msg, msglen, "bo id %" PRIu32 " out of range (0..%d)",
			 c->bo, GVM_MAX_ID - 1);
		return -1;
	}
	if (gvm_cmd_format(c, NULL, 0) < 0) {
		snprintf(msg, msglen, "malformed %s command (flags 0x%" PRIx32 " or unused fields set)",
			 gvm_kind_name(c->kind), c->flags);
		return -1;
	}

	/* Threads: a schedule, then the threads' commands, to the end. */
	if (c->kind == GVM_CMD_SCHEDULE) {
		if (st->threads) {
			snprintf(msg, msglen, "schedule must come before the threads' commands");
			return -1;
		}
		if (c->flags & GVM_F_AT)
			return 0;
		if (c->offset <= st->step) {
			snprintf(msg, msglen, "schedule: decision %" PRIu64 " after %" PRIu64
				 " (records go by increasing decision)", c->offset, st->step);
			return -1;
		}
		st->step = c->offset;
		return 0;
	}
	if (c->thread && st->twin) {
		snprintf(msg, msglen, "threads cannot be used with twin");
		return -1;
	}
	if (st->threads && !c->thread) {
		snprintf(msg, msglen, "%s: after the first @T command every command runs on a thread",
			 gvm_kind_name(c->kind));
		return -1;
	}
	st->threads |= c->thread != 0;
	if (c->thread && (c->flags & GVM_F_JOB) && c->vm < GVM_MAX_ID) {
		st->job_vms |= UINT64_C(1) << c->vm;
		if (__builtin_popcountll(st->job_vms) > GVM_MAX_JOB_VMS) {
			snprintf(msg, msglen, "%s: jobs on threads for more than %d VMs (each has a run_job thread)",
				 gvm_kind_name(c->kind), GVM_MAX_JOB_VMS);
			return -1;
		}
	}

	if (c->kind == GVM_CMD_TWIN) {
		if (st->any) {
			snprintf(msg, msglen, "twin must be the first command");
			return -1;
		}
		st->any = st->twin = true;
		return 0;
	}
	if (c->kind == GVM_CMD_INJECT && !c->offset) {
		snprintf(msg, msglen, "inject: N counts from 1");
		return -1;
	}
	/* The twin allocates differently: one failure cannot hit both alike. */
	if (c->kind == GVM_CMD_INJECT && st->twin) {
		snprintf(msg, msglen, "inject cannot be used with twin");
		return -1;
	}
	st->any = true;
	if (c->kind == GVM_CMD_VM) {
		/* An immediate VM's driver always preallocates its vm_bos. */
		if ((c->flags & GVM_F_PREALLOC) && (c->flags & GVM_F_IMMEDIATE)) {
			snprintf(msg, msglen, "vm: prealloc is a staged VM's choice (immediate VMs always preallocate)");
			return -1;
		}
		if (st->vm[c->vm]) {
			snprintf(msg, msglen, "vm %" PRIu32 " created twice", c->vm);
			return -1;
		}
		st->vm[c->vm] = true;
		return 0;
	}
	if (vm && !st->vm[c->vm]) {
		snprintf(msg, msglen, "vm %" PRIu32 " used before it was created",
			 c->vm);
		return -1;
	}
	if (c->kind == GVM_CMD_BO) {
		if (st->bo[c->bo]) {
			snprintf(msg, msglen, "bo %" PRIu32 " created twice", c->bo);
			return -1;
		}
		st->bo[c->bo] = true;
		return 0;
	}
	if (bo && !st->bo[c->bo]) {
		snprintf(msg, msglen, "bo %" PRIu32 " used before it was created",
			 c->bo);
		return -1;
	}
	for (b = 0; b < GVM_MAX_ID; b++) {
		if ((c->objs & (UINT64_C(1) << b)) && !st->bo[b]) {
			snprintf(msg, msglen, "bo %" PRIu32 " used before it was created", b);
			return -1;
		}
	}
	return 0;
}

/* "@T" before a command: its thread; the command's tokens move up one. */
static int parse_thread(struct pline *pl, uint32_t *thread)
{
	uint64_t t;

	if (pl->toklen[0] == 1 || parse_u64(pl->tok[0] + 1, pl->toklen[0] - 1, &t) ||
	    !t || t > GVM_MAX_THREADS)
		return fail(pl, "bad thread '%.*s' (expected @1 .. @%d)", TOK(pl, 0),
			    GVM_MAX_THREADS);
	if (pl->ntok == 1)
		return fail(pl, "@%" PRIu64 ": missing command", t);
	*thread = (uint32_t)t;
	memmove(&pl->tok[0], &pl->tok[1], (MAX_TOKENS - 1) * sizeof(pl->tok[0]));
	memmove(&pl->toklen[0], &pl->toklen[1], (MAX_TOKENS - 1) * sizeof(pl->toklen[0]));
	pl->ntok--;
	return 0;
}

/* Parse one line's tokens into @c; 1 if the line holds no command. */
static int parse_line(struct pline *pl, const char *s, size_t n,
		      struct gvm_cmd *c)
{
	int k;

	if (n > GVM_MAX_LINE)
		return fail(pl, "line longer than %d bytes", GVM_MAX_LINE);
	if (check_bytes(pl, s, n))
		return -1;
	tokenize(pl, s, n);
	if (!pl->ntok)
		return 1;

	memset(c, 0, sizeof(*c));
	if (pl->toklen[0] && pl->tok[0][0] == '@' && parse_thread(pl, &c->thread))
		return -1;

	for (k = 0; k < GVM_CMD_NR; k++)
		if (tok_is(pl, 0, gvm_kind_name((enum gvm_kind)k)))
			break;
	if (k == GVM_CMD_NR)
		return fail(pl, "unknown command '%.*s'", TOK(pl, 0));
	if (c->thread && !gvm_cmd_threadable((enum gvm_kind)k))
		return fail(pl, "%s cannot run on a thread (@%" PRIu32 ")",
			    gvm_kind_name((enum gvm_kind)k), c->thread);

	c->kind = (enum gvm_kind)k;
	c->line = pl->lineno;
	pl->cmd = gvm_kind_name(c->kind);
	pl->pos = 1;
	if (parse_operands(pl, c))
		return -1;
	if (pl->pos < pl->ntok)
		return fail(pl, "%s: extra operand '%.*s'", pl->cmd,
			    TOK(pl, pl->pos));
	return 0;
}

/* Every schedule record names a thread the script has (a typo would be skipped). */
static int check_schedule(const struct gvm_script *s, char *msg, size_t msglen, size_t *at)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct gvm_cmd *c = &s->cmds[i];

		uint32_t t;

		if (c->kind != GVM_CMD_SCHEDULE)
			continue;
		if (!gvm_script_has_thread(s, c->thread))
			t = c->thread;
		else if ((c->flags & GVM_F_AT) && !gvm_script_has_thread(s, c->at))
			t = c->at;
		else
			continue;
		*at = i;
		if (t >= GVM_THREAD_JOB)
			snprintf(msg, msglen, "schedule: no job is queued for vm %" PRIu32
				 " on a thread: it has no run_job (j%" PRIu32 ")",
				 t - GVM_THREAD_JOB, t - GVM_THREAD_JOB);
		else
			snprintf(msg, msglen, "schedule: no command runs on thread %" PRIu32
				 " or above", t);
		return -1;
	}
	return 0;
}

int gvm_parse(const char *name, const char *text, size_t len,
	      struct gvm_script *out, char *err, size_t errlen)
{
	struct pline pl = { .name = name, .err = err, .errlen = errlen };
	struct vstate st = { 0 };
	char msg[160];
	size_t off = 0, i;

	if (err && errlen)
		err[0] = '\0';
	/*
	 * @out may already hold commands (appended): those run first, so
	 * the ids they create count. They were checked when they were added.
	 */
	for (i = 0; i < out->n; i++)
		check_cmd(&st, &out->cmds[i], msg, sizeof(msg));

	while (off < len) {
		const char *s = text + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		struct gvm_cmd c;
		int r;

		off += n + (nl ? 1 : 0);
		/* A CRLF line ends the same as an LF one. */
		if (n && s[n - 1] == '\r')
			n--;
		/* Line numbers saturate rather than wrap on a 4G-line input. */
		if (pl.lineno < UINT32_MAX)
			pl.lineno++;

		r = parse_line(&pl, s, n, &c);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		/* Check as we go, so the first problem by line is reported. */
		if (check_cmd(&st, &c, msg, sizeof(msg)))
			return fail(&pl, "%s", msg);
		if (gvm_script_push(out, &c))
			return fail(&pl, "out of memory");
	}
	if (check_schedule(out, msg, sizeof(msg), &i)) {
		pl.lineno = out->cmds[i].line;
		return fail(&pl, "%s", msg);
	}
	return 0;
}

int gvm_script_validate(const char *name, const struct gvm_script *s,
			char *err, size_t errlen)
{
	struct vstate st = { 0 };
	char msg[160];
	size_t i;

	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < s->n; i++) {
		const struct gvm_cmd *c = &s->cmds[i];

		if (check_cmd(&st, c, msg, sizeof(msg))) {
			struct pline pl = { .name = name, .err = err,
					    .errlen = errlen };

			/*
			 * Decoded commands have no line: number them as
			 * the lines of their formatted text would be.
			 */
			pl.lineno = c->line ? c->line :
				    (i < UINT32_MAX ? (uint32_t)i + 1 : UINT32_MAX);
			return fail(&pl, "%s", msg);
		}
	}
	if (check_schedule(s, msg, sizeof(msg), &i)) {
		struct pline pl = { .name = name, .err = err, .errlen = errlen };

		pl.lineno = s->cmds[i].line ? s->cmds[i].line :
			    (i < UINT32_MAX ? (uint32_t)i + 1 : UINT32_MAX);
		return fail(&pl, "%s", msg);
	}
	return 0;
}
