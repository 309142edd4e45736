// SPDX-License-Identifier: MIT
/*
 * The threads against the reference model (exec_linearise()).
 *
 * A command on a thread takes effect somewhere between when it began and
 * when it ended, at a point no lock of the harness can name for every
 * command alike (a validate's under the resvs it holds, an evict's under
 * the object's, run_job's in steps under gpuva mutexes). So the check
 * asks what linearisability asks: is there an order of the operations,
 * each placed within its own interval (one that ended before another
 * began comes first; a job's run after its queueing), in which the model
 * gives every command what it returned and ends where the backend is?
 *
 * The search (Wing and Gong's, with Lowe's memo of failed configurations)
 * places, at each step, one of the operations that no unplaced one ended
 * before; where only one can go next, nothing is copied. Commutes lead to
 * the same set of placed operations and the same model state, tried once.
 * It gives up after a fixed number of steps: the model is then left
 * stale, as before this check existed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_exec_priv.h"
#include "gvm_shape.h"

/* Model steps before the search gives up (a few ms). */
#define LIN_BUDGET	20000u
#define MEMO_SLOTS	4096u
#define SPARE_MODELS	8

/*
 * Harness memory kept from one search to the next on this OS thread (a
 * concurrency target runs one per input): model copies, and the memo of
 * failed configurations, whose entries count only in their own search.
 */
static _Thread_local struct gvm_model *spare_model[SPARE_MODELS];
static _Thread_local unsigned int spare_models;
static _Thread_local struct memo_slot {
	uint64_t key;
	unsigned long search;
} memo[MEMO_SLOTS];
static _Thread_local unsigned long searches;

struct lin {
	struct gvm_exec *x;
	struct lin_op *op;
	size_t n;
	bool *placed;
	size_t nplaced;
	uint64_t placed_hash;		/* XOR of the placed ops' keys */
	size_t *order;			/* the current order, nplaced long */
	unsigned long steps;
	bool gave_up;
	/* The order that went furthest before failing, and why it failed. */
	size_t best_len;
	size_t *best_order;
	bool best_at_end;		/* every op placed: the end state differed */
	size_t best_op;
	struct exec_differ best_why;
	struct gvm_model *found;	/* the model at the end of an order that fits */
	size_t *cand;			/* candidates() scratch, n long */
	unsigned long search;		/* this search's memo entries */
};

static uint64_t op_key(size_t i)
{
	uint64_t z = (uint64_t)i + UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Configurations (placed ops, model state) that lead nowhere. */
static bool memo_has(const struct lin *l, uint64_t key)
{
	size_t i = key % MEMO_SLOTS, k;

	for (k = 0; k < 8; k++, i = (i + 1) % MEMO_SLOTS) {
		if (memo[i].search != l->search)
			return false;
		if (memo[i].key == key)
			return true;
	}
	return false;
}

static void memo_add(const struct lin *l, uint64_t key)
{
	size_t i = key % MEMO_SLOTS, k;

	for (k = 0; k < 8; k++, i = (i + 1) % MEMO_SLOTS) {
		if (memo[i].search != l->search || memo[i].key == key)
			break;
	}
	if (k == 8)
		i = key % MEMO_SLOTS;	/* full around there: forget one */
	memo[i] = (struct memo_slot){ key, l->search };
}

static void place(struct lin *l, size_t i)
{
	l->placed[i] = true;
	l->placed_hash ^= op_key(i);
	l->order[l->nplaced++] = i;
}

static void unplace(struct lin *l, size_t i)
{
	l->placed[i] = false;
	l->placed_hash ^= op_key(i);
	l->nplaced--;
}

/* The ops that may go next: unplaced, and no unplaced op ended before they began. */
static size_t candidates(const struct lin *l, size_t *out)
{
	unsigned long first_end = ~0ul;
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (!l->placed[i] && l->op[i].resp < first_end)
			first_end = l->op[i].resp;
	for (i = 0; i < l->n; i++) {
		const struct lin_op *op = &l->op[i];

		if (l->placed[i] || op->inv > first_end)
			continue;
		if (op->run && op->queued_by < l->n && !l->placed[op->queued_by])
			continue;
		out[n++] = i;
	}
	return n;
}

/* Keep the failure of the longest order; of equally long ones, a wrong end state. */
static void note_failure(struct lin *l, size_t op, bool at_end, const struct exec_differ *why)
{
	if (l->nplaced < l->best_len || (l->best_len && l->nplaced == l->best_len && !at_end))
		return;
	l->best_len = l->nplaced;
	memcpy(l->best_order, l->order, l->nplaced * sizeof(*l->order));
	l->best_at_end = at_end;
	l->best_op = op;
	l->best_why = *why;
}

/*
 * Whether another op on cleanup @i's VM ran while it did. An immediate
 * VM's bind, unbind, put or job publishes its zombies step by step, so
 * the worker may have taken some of them and not the rest: which, no
 * order of whole commands tells (the end's checks take the backend's
 * counts then).
 */
static bool overlaps_vm_op(const struct lin *l, size_t i)
{
	const struct lin_op *c = &l->op[i];
	size_t j;

	for (j = 0; j < l->n; j++) {
		const struct lin_op *o = &l->op[j];

		if (j == i || o->c->vm != c->c->vm || o->c->kind == GVM_CMD_CLEANUP)
			continue;
		if (!o->run && !gvm_cmd_names_vm(o->c))
			continue;
		if (o->inv < c->resp && c->inv < o->resp)
			return true;
	}
	return false;
}

/*
 * Whether a job of lock @i's VM ran while it did. run_job binds step by
 * step without the VM's resv, so the walk of the extobj list may find
 * the state between two steps (a vm_bo one step made a zombie, another's
 * not yet): which objects the lock held, no order of whole operations
 * tells. Its return value is still checked.
 */
static bool overlaps_job_run(const struct lin *l, size_t i)
{
	const struct lin_op *c = &l->op[i];
	size_t j;

	for (j = 0; j < l->n; j++) {
		const struct lin_op *o = &l->op[j];

		if (o->run && !o->link && o->c->vm == c->c->vm && o->inv < c->resp &&
		    c->inv < o->resp)
			return true;
	}
	return false;
}

/*
 * Whether map or obtain @i failed with -EINVAL while a VM of the other
 * mode was being destroyed. A destroy takes its VM's mappings out one
 * object at a time, under each object's resv, so the mode check of a bind
 * into another VM may find one object's vm_bo still there after another's
 * went: the -EINVAL (which changes nothing) is explained by the destroy
 * not yet done, in whatever order the rest needs it.
 */
static bool beside_dying_vm(const struct lin *l, const struct gvm_model *m, size_t i)
{
	const struct lin_op *c = &l->op[i];
	bool binds = (c->c->kind == GVM_CMD_MAP && !(c->c->flags & GVM_F_NO_BO)) ||
		     c->c->kind == GVM_CMD_OBTAIN;
	size_t j;

	if (!binds || c->ret != -EINVAL || c->c->vm >= m->vm_ids)
		return false;
	for (j = 0; j < l->n; j++) {
		const struct lin_op *o = &l->op[j];

		if (o->run || o->c->kind != GVM_CMD_DESTROY || o->c->vm == c->c->vm ||
		    o->c->vm >= m->vm_ids)
			continue;
		if (o->inv < c->resp && c->inv < o->resp &&
		    m->vm[o->c->vm].immediate != m->vm[c->c->vm].immediate)
			return true;
	}
	return false;
}

/*
 * A map that the model takes in two halves (struct lin_op): into @as_job,
 * the command as the job whose halves it is.
 */
static bool in_halves(const struct gvm_model *m, const struct gvm_cmd *c,
		      struct gvm_cmd *as_job)
{
	if (!lin_map_has_link(c) || c->vm >= m->vm_ids || !m->vm[c->vm].immediate)
		return false;
	*as_job = *c;
	as_job->flags |= GVM_F_JOB;
	return true;
}

/*
 * The ops a walk of @c on its VM makes where @m has it, into the scratch
 * (gvm_shape_predict()); -1 if @c walks nothing there.
 */
static ssize_t walk_of(struct lin *l, const struct gvm_model *m, const struct gvm_cmd *c)
{
	if (c->vm >= m->vm_ids || !m->vm[c->vm].created)
		return -1;
	return gvm_shape_predict(&m->vm[c->vm], c, l->x->scratch->shape, SHAPE_MAX);
}

/*
 * Whether the ops that @walker's walk printed differ from the @n that
 * walk_of() predicted: it met another tree than the model has at this
 * point of the order. @ret: what the walk's command returned.
 */
static bool walked_otherwise(struct lin *l, const struct lin_op *walker, ssize_t n, int ret,
			     struct exec_differ *why)
{
	size_t seen;

	if (n < 0 || walker->ev_lost)
		return false;
	return exec_ops_differ(walker->nev ? &l->x->lin_ev[walker->ev_at] : NULL, walker->nev,
			       l->x->scratch->shape, (size_t)n, ret, &seen, why);
}

/*
 * Whether command @c's ioctl walks the VM's tree itself: not a job on an
 * immediate VM (its run_job does), not a map the model takes in halves
 * (@halves: checked at its link, where the model maps).
 */
static bool walks_in_ioctl(const struct gvm_model *m, const struct gvm_cmd *c, bool halves)
{
	return !halves && (!(c->flags & GVM_F_JOB) ||
			   (c->vm < m->vm_ids && !m->vm[c->vm].immediate));
}

/*
 * Apply op @i to @m if the model explains it: what it returned and
 * answered, and the ops its walk printed, from where this order puts it.
 */
static bool step(struct lin *l, struct gvm_model *m, size_t i)
{
	const struct lin_op *op = &l->op[i];
	struct exec_differ why;
	struct gvm_cmd as_job;
	bool halves = in_halves(m, op->c, &as_job);
	ssize_t walk;

	l->steps++;
	if (op->link) {
		const struct lin_op *q = &l->op[op->queued_by];

		if (!halves || !q->held || q->ret)
			return true;
		if (walked_otherwise(l, q, walk_of(l, m, q->c), 0, &why))
			goto fail;
		gvm_model_job_ran(m, &as_job);
		return true;
	}
	if (op->run) {
		/* An immediate VM's run_job walks; a staged one's applies its ioctl's ops. */
		if (op->c->vm < m->vm_ids && m->vm[op->c->vm].immediate &&
		    walked_otherwise(l, op, walk_of(l, m, op->c), 0, &why))
			goto fail;
		gvm_model_job_ran(m, op->c);
		return true;
	}
	/* Its handles were gone at its lookup: -ENOENT, nothing reached the driver. */
	if (!op->held || beside_dying_vm(l, m, i))
		return true;
	walk = walks_in_ioctl(m, op->c, halves) ? walk_of(l, m, op->c) : -1;
	if (!exec_explains(m, halves ? &as_job : op->c, op->ret, op->held,
			   op->c->kind == GVM_CMD_LOCK && overlaps_job_run(l, i) ? NULL : &op->res,
			   &why) ||
	    walked_otherwise(l, op, walk, op->ret, &why))
		goto fail;
	if (op->c->kind == GVM_CMD_CLEANUP && !op->ret && overlaps_vm_op(l, i))
		m->vm[op->c->vm].zombies_unknown = true;
	return true;
fail:
	note_failure(l, i, false, &why);
	return false;
}

static struct gvm_model *model_dup(const struct gvm_model *m)
{
	struct gvm_model *d = spare_models ? spare_model[--spare_models] : malloc(sizeof(*d));

	if (!d)
		abort();	/* harness memory; the model must not fail */
	gvm_model_copy(d, m);
	return d;
}

static void model_drop(struct gvm_model *m)
{
	gvm_model_free(m);
	if (spare_models < SPARE_MODELS)
		spare_model[spare_models++] = m;
	else
		free(m);
}

/*
 * Whether the unplaced ops, in some order, lead on from @m (which this
 * consumes) to the backend's state; l->found is then that end.
 */
static bool extend(struct lin *l, struct gvm_model *m)
{
	size_t mark = l->nplaced, nc, i, *cand = NULL;
	bool ok = false;

	for (;;) {
		struct exec_differ why;
		uint64_t key;

		if (l->steps > LIN_BUDGET) {
			l->gave_up = true;
			break;
		}
		nc = candidates(l, l->cand);
		if (!nc) {
			exec_resync_zombies(l->x, m);
			if (!exec_state_differs(l->x, m, &why)) {
				l->found = model_dup(m);
				ok = true;
			} else {
				note_failure(l, SIZE_MAX, true, &why);
			}
			break;
		}
		if (nc == 1) {
			if (!step(l, m, l->cand[0]))
				break;
			place(l, l->cand[0]);
			continue;
		}
		key = l->placed_hash ^ gvm_model_hash(m);
		if (memo_has(l, key))
			break;
		/* The scratch is the next level's: keep this level's choices. */
		cand = malloc(nc * sizeof(*cand));
		if (!cand)
			abort();
		memcpy(cand, l->cand, nc * sizeof(*cand));
		for (i = 0; i < nc && !ok && !l->gave_up; i++) {
			struct gvm_model *next = model_dup(m);

			if (step(l, next, cand[i])) {
				place(l, cand[i]);
				ok = extend(l, next);
				unplace(l, cand[i]);
			} else {
				model_drop(next);
			}
		}
		if (!ok && !l->gave_up)
			memo_add(l, key);
		break;
	}
	while (l->nplaced > mark)
		unplace(l, l->order[l->nplaced - 1]);
	model_drop(m);
	free(cand);
	return ok;
}

/* "@2 map 0 ..." or "run_job0: @1 map 0 ... job": op @i as the output names it. */
static void op_text(const struct lin *l, size_t i, char *buf, size_t len)
{
	const struct lin_op *op = &l->op[i];
	char cmd[GVM_MAX_LINE];

	if (gvm_cmd_format(op->c, cmd, sizeof(cmd)) < 0)
		snprintf(cmd, sizeof(cmd), "?");
	if (op->link)
		snprintf(buf, len, "%s (its link)", cmd);
	else if (op->run)
		snprintf(buf, len, "run_job%u: %s", op->c->vm, cmd);
	else
		snprintf(buf, len, "%s", cmd);
}

static void report(struct lin *l)
{
	struct gvm_exec *x = l->x;
	char text[GVM_MAX_LINE + 16];
	size_t i;

	if (l->best_at_end) {
		x->cur = NULL;
		exec_bug(x, l->best_why.check,
			 "after the threads, in every order of their commands that explains "
			 "what each returned: %s", l->best_why.msg);
	} else {
		op_text(l, l->best_op, text, sizeof(text));
		x->cur = l->op[l->best_op].c;
		exec_bug(x, "linearisation",
			 "after the threads, no order of their commands explains the run: at "
			 "best %zu of %zu fit, then %s: %s", l->best_len, l->n, text,
			 l->best_why.msg);
	}
	x->cur = NULL;
	if (!x->o.err)
		return;
	fputs("the order that went furthest:\n", x->o.err);
	for (i = 0; i < l->best_len; i++) {
		op_text(l, l->best_order[i], text, sizeof(text));
		fprintf(x->o.err, "  %s\n", text);
	}
}

static void free_lin(struct lin *l)
{
	if (!l)
		return;
	free(l->placed);
	free(l->order);
	free(l->best_order);
	free(l->cand);
	free(l);
}

void exec_linearise(struct gvm_exec *x, const struct gvm_model *before)
{
	struct lin *l = calloc(1, sizeof(*l));

	if (!l)
		goto oom;
	l->x = x;
	l->op = x->lin;
	l->n = x->nlin;
	l->search = ++searches;
	l->placed = calloc(l->n + 1, sizeof(*l->placed));
	l->order = malloc((l->n + 1) * sizeof(*l->order));
	l->best_order = malloc((l->n + 1) * sizeof(*l->best_order));
	l->cand = malloc((l->n + 1) * sizeof(*l->cand));
	if (!l->placed || !l->order || !l->best_order || !l->cand)
		goto oom;
	if (extend(l, model_dup(before))) {
		gvm_model_free(&x->model);
		gvm_model_copy(&x->model, l->found);
		model_drop(l->found);
		x->model_stale = false;
		if (x->o.trace && x->o.out)
			fprintf(x->o.out, "> threads: the model explains them (%lu model steps)\n",
				l->steps);
	} else if (!l->gave_up) {
		report(l);
	} else if (x->o.trace && x->o.out) {
		fprintf(x->o.out, "> threads: no order found in %u model steps; the model "
			"is not checked after them\n", LIN_BUDGET);
	}
	free_lin(l);
	return;
oom:
	free_lin(l);
	exec_bug(x, "threads", "out of memory");
}
