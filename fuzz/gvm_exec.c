// SPDX-License-Identifier: MIT
/* The command executor; see gvm_exec.h. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "gvm_exec_priv.h"
#include "gvm_shape.h"

void exec_bug(struct gvm_exec *x, const char *check, const char *fmt, ...)
{
	va_list ap;

	x->failed = true;
	if (!x->o.err)
		return;
	if (x->cur && x->cur->line)
		fprintf(x->o.err, "BUG: %s:%u: %s: ", x->o.name, x->cur->line, check);
	else
		fprintf(x->o.err, "BUG: %s: %s: ", x->o.name, check);
	va_start(ap, fmt);
	vfprintf(x->o.err, fmt, ap);
	va_end(ap);
	fputc('\n', x->o.err);
}

/* ---- output ------------------------------------------------------------------ */

static void put_obj(FILE *f, int32_t bo)
{
	if (bo < 0)
		fputs(" -", f);
	else
		fprintf(f, " bo%d", bo);
}

static void put_map(FILE *f, const struct gvm_map *m)
{
	fprintf(f, " 0x%llx 0x%llx", (unsigned long long)m->addr,
		(unsigned long long)m->range);
	put_obj(f, m->bo);
	fprintf(f, " 0x%llx", (unsigned long long)m->offset);
}

static void put_part(FILE *f, const char *name, bool has, const struct gvm_map *m)
{
	if (has)
		fprintf(f, " %s=0x%llx:0x%llx:0x%llx", name, (unsigned long long)m->addr,
			(unsigned long long)m->range, (unsigned long long)m->offset);
	else
		fprintf(f, " %s=-", name);
}

static void log_event(struct event_log *log, const struct gvm_event *ev)
{
	if (log->n < ARRAY_LEN(log->ev))
		log->ev[log->n++] = *ev;
	else
		log->overflow = true;
}

void exec_print_event(FILE *f, const struct gvm_event *ev, bool quiet_ops)
{
	switch (ev->kind) {
	case GVM_EV_OP_MAP:
	case GVM_EV_OP_UNMAP:
	case GVM_EV_OP_REMAP:
	case GVM_EV_OP_PREFETCH:
		if (quiet_ops)
			return;
		fputs(ev->kind == GVM_EV_OP_MAP ? "op map" :
		      ev->kind == GVM_EV_OP_UNMAP ? "op unmap" :
		      ev->kind == GVM_EV_OP_REMAP ? "op remap" : "op prefetch", f);
		put_map(f, &ev->a);
		if (ev->kind == GVM_EV_OP_UNMAP || ev->kind == GVM_EV_OP_REMAP)
			fprintf(f, " keep=%d", ev->keep);
		if (ev->kind == GVM_EV_OP_REMAP) {
			put_part(f, "prev", ev->has_prev, &ev->prev);
			put_part(f, "next", ev->has_next, &ev->next);
		}
		fputc('\n', f);
		break;
	case GVM_EV_FREED_BO:
		fprintf(f, "freed bo%u\n", ev->id);
		break;
	case GVM_EV_FREED_VM:
		fprintf(f, "freed vm%u\n", ev->id);
		break;
	case GVM_EV_VALIDATED:
		fprintf(f, "validated bo%u\n", ev->id);
		break;
	}
}

static void on_event(void *ctx, const struct gvm_event *ev)
{
	struct gvm_exec *x = ctx;
	struct event_log *log = x->log;

	/* A thread's command's events print when it ends. */
	if (x->threaded) {
		unsigned int t = x->be->ops->threads->sched_current(x->be);

		if (t && t < ARRAY_LEN(x->thread_log) && x->thread_log[t])
			log = x->thread_log[t];
	}
	log_event(log, ev);

	/* Lifetimes are checked whether or not anything is printed. */
	if (ev->kind == GVM_EV_FREED_BO || ev->kind == GVM_EV_FREED_VM) {
		bool *freed = ev->kind == GVM_EV_FREED_BO ? &x->bo_freed[ev->id] :
							   &x->vm_freed[ev->id];

		if (*freed)
			exec_bug(x, "lifetime", "%s%u freed twice",
			    ev->kind == GVM_EV_FREED_BO ? "bo" : "vm", ev->id);
		*freed = true;
	}
	if (x->o.out && !x->silent && !x->threaded)
		exec_print_event(x->o.out, ev, x->o.quiet_ops);
}

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EEXIST: return "EEXIST";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EDEADLK: return "EDEADLK";
	case EALREADY: return "EALREADY";
	case EIO: return "EIO";
	default: return NULL;
	}
}

void exec_print_error(FILE *f, int ret)
{
	const char *name = errno_name(-ret);

	if (name)
		fprintf(f, "error %s\n", name);
	else
		fprintf(f, "error %d\n", -ret);
}

/* ---- checks --------------------------------------------------------------------- */

static bool same_map(const struct gvm_map *a, const struct gvm_map *b)
{
	return a->addr == b->addr && a->range == b->range && a->bo == b->bo &&
	       a->offset == b->offset;
}

static bool same_event(const struct gvm_event *a, const struct gvm_event *b)
{
	return a->kind == b->kind && a->id == b->id && same_map(&a->a, &b->a) &&
	       a->keep == b->keep && a->has_prev == b->has_prev &&
	       a->has_next == b->has_next &&
	       (!a->has_prev || same_map(&a->prev, &b->prev)) &&
	       (!a->has_next || same_map(&a->next, &b->next));
}

static const char *const op_names[] = {
	[GVM_EV_OP_MAP] = "map", [GVM_EV_OP_UNMAP] = "unmap",
	[GVM_EV_OP_REMAP] = "remap", [GVM_EV_OP_PREFETCH] = "prefetch",
};

/* "0x0+0x2000 @0x0", or "-" for a part that is not there */
static const char *part_text(bool has, const struct gvm_map *m, char *buf, size_t len)
{
	if (!has)
		return "-";
	snprintf(buf, len, "0x%llx+0x%llx @0x%llx", (unsigned long long)m->addr,
		 (unsigned long long)m->range, (unsigned long long)m->offset);
	return buf;
}

/* "remap 0x0+0x4000 bo1 @0x0 keep=0 prev=0x0+0x2000 @0x0 next=-" */
static void op_text(const struct gvm_event *ev, char *buf, size_t len)
{
	const struct gvm_map *m = &ev->a;
	char prev[64], next[64];

	snprintf(buf, len, "%s 0x%llx+0x%llx bo%d @0x%llx keep=%d prev=%s next=%s",
		 op_names[ev->kind], (unsigned long long)m->addr, (unsigned long long)m->range,
		 m->bo, (unsigned long long)m->offset, ev->keep,
		 part_text(ev->has_prev, &ev->prev, prev, sizeof(prev)),
		 part_text(ev->has_next, &ev->next, next, sizeof(next)));
}

bool exec_differ(struct exec_differ *d, const char *check, const char *fmt, ...)
{
	va_list ap;

	d->check = check;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return true;
}

/* Print one VM's state @s, as "dump" does. */
static void dump_vm_state(struct gvm_exec *x, uint32_t id, const struct gvm_snapshot *sp)
{
	const struct gvm_snapshot s = *sp;
	size_t i;

	if (!x->o.out)
		return;
	fprintf(x->o.out, "dump vm%u\n", id);
	for (i = 0; i < s.nvas; i++) {
		fputs("va", x->o.out);
		put_map(x->o.out, &s.vas[i]);
		fputs(s.vas[i].invalidated ? " invalidated\n" : "\n", x->o.out);
	}
	for (i = 0; i < s.nvm_bos; i++)
		fprintf(x->o.out, "vm_bo bo%u refs=%u vas=%u%s%s\n", s.vm_bos[i].bo,
			s.vm_bos[i].refs, s.vm_bos[i].vas,
			s.vm_bos[i].extobj ? " extobj" : "",
			s.vm_bos[i].evict ? " evict" : "");
	for (i = 0; i < s.nzombies; i++)
		fprintf(x->o.out, "zombie bo%u\n", s.zombies[i]);
}

/* Where one VM's state @sp differs from model @m's: false if nowhere. */
static bool vm_differs(const struct gvm_model *m, uint32_t id, const struct gvm_snapshot *sp,
		       struct exec_differ *d)
{
	const struct gvm_model_vm *mv = &m->vm[id];
	const struct gvm_snapshot s = *sp;
	size_t i, z = 0;
	uint32_t b;

	/* Mappings: exactly the model's intervals, in address order. */
	for (i = 0; i < s.nvas || i < mv->n; i++) {
		if (i >= s.nvas || i >= mv->n || !same_map(&s.vas[i], &mv->maps[i])) {
			const struct gvm_map *g = i < s.nvas ? &s.vas[i] : NULL;
			const struct gvm_map *w = i < mv->n ? &mv->maps[i] : NULL;

			return exec_differ(d, "model", "vm%u mapping #%zu: got %s[0x%llx+0x%llx bo%d @0x%llx], "
			    "want %s[0x%llx+0x%llx bo%d @0x%llx]", id, i,
			    g ? "" : "none ", g ? (unsigned long long)g->addr : 0,
			    g ? (unsigned long long)g->range : 0, g ? g->bo : 0,
			    g ? (unsigned long long)g->offset : 0,
			    w ? "" : "none ", w ? (unsigned long long)w->addr : 0,
			    w ? (unsigned long long)w->range : 0, w ? w->bo : 0,
			    w ? (unsigned long long)w->offset : 0);
		}
		if (s.vas[i].invalidated != mv->maps[i].invalidated) {
			return exec_differ(d, "model", "vm%u mapping 0x%llx+0x%llx is %sinvalidated, want %sinvalidated",
			    id, (unsigned long long)s.vas[i].addr, (unsigned long long)s.vas[i].range,
			    s.vas[i].invalidated ? "" : "not ", mv->maps[i].invalidated ? "" : "not ");
		}
	}

	/* vm_bos: one live per (V, B) the model expects, with exact counts. */
	i = 0;
	for (b = 0; b < m->bo_ids; b++) {
		bool live = gvm_model_vm_bo_live(mv, b);
		bool have = i < s.nvm_bos && s.vm_bos[i].bo == b;

		if (live != have) {
			return exec_differ(d, "model", "vm%u: vm_bo of bo%u %s", id, b,
			    live ? "missing" : "should not exist");
		}
		if (!have)
			continue;
		if (s.vm_bos[i].vas != gvm_model_vas(mv, b) ||
		    s.vm_bos[i].refs != s.vm_bos[i].vas + mv->held[b]) {
			return exec_differ(d, "refcount", "vm%u: vm_bo of bo%u has refs=%u vas=%u, want "
			    "vas=%u refs=%u", id, b, s.vm_bos[i].refs, s.vm_bos[i].vas,
			    gvm_model_vas(mv, b), gvm_model_vas(mv, b) + mv->held[b]);
		}
		if (mv->evicted[b] != GVM_EVICTED_UNKNOWN &&
		    s.vm_bos[i].evicted != (mv->evicted[b] == GVM_EVICTED_YES)) {
			return exec_differ(d, "model", "vm%u: vm_bo of bo%u is %sevicted, want %sevicted", id, b,
			    s.vm_bos[i].evicted ? "" : "not ",
			    mv->evicted[b] == GVM_EVICTED_YES ? "" : "not ");
		}
		if (mv->listed[b] != GVM_EVICTED_UNKNOWN &&
		    s.vm_bos[i].evict != (mv->listed[b] == GVM_EVICTED_YES)) {
			return exec_differ(d, "model", "vm%u: vm_bo of bo%u is %son the evict list, want %son it",
			    id, b, s.vm_bos[i].evict ? "" : "not ",
			    mv->listed[b] == GVM_EVICTED_YES ? "" : "not ");
		}
		i++;
		if (i < s.nvm_bos && s.vm_bos[i].bo == b) {
			return exec_differ(d, "uniqueness", "vm%u: two live vm_bos of bo%u", id, b);
		}
	}

	if (i != s.nvm_bos) {
		return exec_differ(d, "model", "vm%u: vm_bo of unknown bo%u", id, s.vm_bos[i].bo);
	}

	/* Zombies: as many per object as the model counts, where it knows them. */
	for (b = 0; b < m->bo_ids && !mv->zombies_unknown; b++) {
		unsigned int n = 0;

		while (z < s.nzombies && s.zombies[z] == b) {
			n++;
			z++;
		}
		if (n != mv->zombies[b]) {
			return exec_differ(d, "model", "vm%u: %u zombie(s) of bo%u, want %u", id, n, b,
			    mv->zombies[b]);
		}
	}
	if (!mv->zombies_unknown && z != s.nzombies)
		return exec_differ(d, "model", "vm%u: zombie of unknown bo%u", id, s.zombies[z]);
	return false;
}

void exec_resync_zombies(struct gvm_exec *x, struct gvm_model *m)
{
	unsigned int n[GVM_MAX_ID];
	struct gvm_snapshot s;
	uint32_t i;
	size_t z;

	for (i = 0; i < m->vm_ids; i++) {
		if (!m->vm[i].created || !m->vm[i].zombies_unknown)
			continue;
		memset(n, 0, sizeof(n));
		if (!x->vm_freed[i] && !x->be->ops->snapshot(x->be, x->vm[i], &s))
			for (z = 0; z < s.nzombies; z++)
				if (s.zombies[z] < GVM_MAX_ID)
					n[s.zombies[z]]++;
		gvm_model_set_zombies(m, i, n);
	}
}

/* Everything model @m says must be allocated is, and nothing else. */
static bool lifetimes_differ(const struct gvm_exec *x, const struct gvm_model *m,
			     struct exec_differ *d)
{
	uint32_t i;

	for (i = 0; i < m->vm_ids || i < m->bo_ids; i++) {
		if (i < m->vm_ids && m->vm[i].created &&
		    gvm_model_vm_alive(m, i) == x->vm_freed[i])
			return exec_differ(d, "lifetime", "vm%u %s", i, x->vm_freed[i] ?
			    "was freed while still referenced" : "should have been freed (leak)");
		if (m->bo_created[i] && gvm_model_bo_alive(m, i) == x->bo_freed[i])
			return exec_differ(d, "lifetime", "bo%u %s", i, x->bo_freed[i] ?
			    "was freed while still referenced" : "should have been freed (leak)");
	}
	return false;
}

bool exec_state_differs(struct gvm_exec *x, const struct gvm_model *m, struct exec_differ *d)
{
	uint32_t i;

	if (lifetimes_differ(x, m, d))
		return true;
	for (i = 0; i < m->vm_ids; i++) {
		struct gvm_snapshot s;
		int ret;

		if (!m->vm[i].created || x->vm_freed[i])
			continue;
		ret = x->be->ops->snapshot(x->be, x->vm[i], &s);
		if (ret)
			return exec_differ(d, "snapshot", "vm%u: cannot read its state (%d)", i, ret);
		if (vm_differs(m, i, &s, d))
			return true;
	}
	return false;
}

void exec_check_warning(struct gvm_exec *x)
{
	const char *warning = x->be->ops->take_warning(x->be);

	if (warning)
		exec_bug(x, "WARN", "%s", warning);
}

static void check_all(struct gvm_exec *x, int dump_vm)
{
	struct exec_differ d;
	char msg[512];

	exec_check_warning(x);
	/* After threads, a finding of theirs was reported with its interleaving. */
	if (x->model_stale && x->failed)
		return;
	if (!x->be->ops->check(x->be, msg, sizeof(msg)))
		exec_bug(x, "invariant", "%s", msg);
	if (x->model_stale)
		return;
	if (dump_vm >= 0) {
		struct gvm_snapshot s;

		if (!x->be->ops->snapshot(x->be, x->vm[dump_vm], &s))
			dump_vm_state(x, (uint32_t)dump_vm, &s);
	}
	if (exec_state_differs(x, &x->model, &d))
		exec_bug(x, d.check, "%s", d.msg);
}

bool exec_event_is_op(const struct gvm_event *ev)
{
	return ev->kind == GVM_EV_OP_MAP || ev->kind == GVM_EV_OP_UNMAP ||
	       ev->kind == GVM_EV_OP_REMAP || ev->kind == GVM_EV_OP_PREFETCH;
}

bool exec_ops_differ(const struct gvm_event *ev, size_t nev, const struct gvm_event *shape,
		     size_t n, int ret, size_t *seen, struct exec_differ *d)
{
	size_t i, want = 0;
	char got[192], walk[192];

	for (i = 0; i < nev; i++) {
		if (!exec_event_is_op(&ev[i]))
			continue;
		if (want == n || !same_event(&ev[i], &shape[want])) {
			op_text(&ev[i], got, sizeof(got));
			if (want < n)
				op_text(&shape[want], walk, sizeof(walk));
			return exec_differ(d, "shape", "op #%zu is %s, the walk's is %s", want + 1,
					   got, want < n ? walk : "none");
		}
		want++;
	}
	*seen = want;
	if (!ret && want != n) {
		op_text(&shape[want], walk, sizeof(walk));
		return exec_differ(d, "shape", "%zu ops, the walk has %zu; op #%zu would be %s",
				   want, n, want + 1, walk);
	}
	return false;
}

/*
 * The command's ops must be the @n predicted ones (exec_ops_differ()).
 * @step: the armed "inject step", if it applies to this command's walk.
 */
static void check_shape(struct gvm_exec *x, ssize_t n, int ret, unsigned int step)
{
	struct exec_differ d;
	size_t want;

	if (n < 0 || x->log->overflow)
		return;
	if (exec_ops_differ(x->log->ev, x->log->n, x->shape, (size_t)n, ret, &want, &d)) {
		exec_bug(x, d.check, "%s", d.msg);
		return;
	}
	/* A failed step N ends the walk after exactly N - 1 ops; none fails past its end. */
	if (step && ret == -EIO && (step > n || want != (size_t)step - 1))
		exec_bug(x, "shape", "inject step %u failed after %zu ops, the walk has %zd steps",
		    step, want, n);
	else if (step && !ret && step <= n)
		exec_bug(x, "shape", "inject step %u of a %zd-step walk did not fail", step, n);
}

/* ---- commands ------------------------------------------------------------------- */

static bool vm_open(struct gvm_exec *x, uint32_t id)
{
	return id < x->model.vm_ids && x->model.vm[id].created && x->model.vm[id].open;
}

static bool bo_open(struct gvm_exec *x, uint32_t id)
{
	return x->model.bo_created[id] && x->model.bo_handle[id];
}

/* map/unmap ... job: tagged with its command, which run_job's report names. */
static int queue_job(struct gvm_backend *be, struct gvm_be_vm *vm, const struct gvm_cmd *c,
		     struct gvm_be_bo *bo)
{
	struct gvm_job_req req = {
		.unmap = c->kind == GVM_CMD_UNMAP, .addr = c->addr, .range = c->range,
		.offset = c->offset, .bo = bo, .tag = c,
	};

	return be->ops->job_queue(be, vm, &req);
}

/* What @c does with its VM: whether it waits for the VM's jobs is the driver's call. */
static enum gvm_vm_use vm_use(const struct gvm_cmd *c)
{
	switch (c->kind) {
	case GVM_CMD_MAP:
	case GVM_CMD_UNMAP:
		return c->flags & GVM_F_JOB ? GVM_VM_USE_OTHER : GVM_VM_USE_TREE;
	case GVM_CMD_MADVISE:
	case GVM_CMD_PREFETCH:
	case GVM_CMD_BO_UNMAP:
	case GVM_CMD_LOOKUP:
	case GVM_CMD_DESTROY:
		return GVM_VM_USE_TREE;
	case GVM_CMD_LOCK:
		return c->flags & GVM_F_LRANGE ? GVM_VM_USE_TREE : GVM_VM_USE_LISTS;
	case GVM_CMD_VALIDATE:
		return GVM_VM_USE_LISTS;
	default:
		return GVM_VM_USE_OTHER;
	}
}

/* Run @c on one backend, with its own handle tables; lookups and locks answer in @res. */
static int dispatch(struct gvm_backend *be, struct gvm_be_vm **vms, struct gvm_be_bo **bos,
		    const struct gvm_cmd *c, struct gvm_result *res)
{
	const struct gvm_backend_ops *ops = be->ops;
	struct gvm_be_vm *vm = vms[c->vm];
	struct gvm_be_bo *bo = bos[c->bo];

	switch (c->kind) {
	case GVM_CMD_VM: {
		struct gvm_vm_params p = {
			.id = c->vm, .start = c->addr, .range = c->range,
			.immediate = c->flags & GVM_F_IMMEDIATE,
			.resv_protected = c->flags & GVM_F_RESV_PROTECTED,
			.prealloc = c->flags & GVM_F_PREALLOC,
			.empty_ok = c->flags & GVM_F_EMPTY_OK,
		};

		if (c->flags & GVM_F_RESERVE) {
			p.reserve_addr = c->reserve_addr;
			p.reserve_range = c->reserve_range;
		}
		return ops->vm_create(be, &p, &vms[c->vm]);
	}
	case GVM_CMD_BO:
		return ops->bo_create(be, c->bo, c->flags & GVM_F_PRIVATE ? vm : NULL,
				      &bos[c->bo]);
	case GVM_CMD_MAP:
		if (c->flags & GVM_F_JOB)
			return queue_job(be, vm, c, c->flags & GVM_F_NO_BO ? NULL : bo);
		return ops->map(be, vm, c->addr, c->range,
				c->flags & GVM_F_NO_BO ? NULL : bo, c->offset);
	case GVM_CMD_UNMAP:
		if (c->flags & GVM_F_JOB)
			return queue_job(be, vm, c, NULL);
		return ops->unmap(be, vm, c->addr, c->range);
	case GVM_CMD_MADVISE:
		return ops->madvise(be, vm, c->addr, c->range);
	case GVM_CMD_PREFETCH:
		return ops->prefetch(be, vm, c->addr, c->range);
	case GVM_CMD_BO_UNMAP:
		return ops->bo_unmap(be, vm, bo);
	case GVM_CMD_OBTAIN:
		return ops->obtain(be, vm, bo);
	case GVM_CMD_PUT:
		return ops->put(be, vm, bo);
	case GVM_CMD_CLOSE:
		ops->bo_close(be, bo);
		return 0;
	case GVM_CMD_EVICT:
		return ops->evict(be, bo, c->flags & GVM_F_EVICT);
	case GVM_CMD_VALIDATE:
		return ops->validate(be, vm, (c->flags & GVM_F_VFAIL) ? bo : NULL,
				     (c->flags & GVM_F_VEVICT) ? bo : NULL, c->flags & GVM_F_OWN);
	case GVM_CMD_CLEANUP:
		ops->cleanup(be, vm);
		return 0;
	case GVM_CMD_DESTROY:
		ops->vm_destroy(be, vm);
		return 0;
	case GVM_CMD_LOOKUP:
		return ops->lookup(be, vm, c->addr, c->range, &res->lookup);
	case GVM_CMD_LOCK: {
		struct gvm_lock_req req = {
			.by_range = c->flags & GVM_F_LRANGE, .addr = c->addr, .range = c->range,
			.objs = c->objs, .bos = bos, .priv_usage = -1, .ext_usage = -1,
			.own = c->flags & GVM_F_OWN,
		};

		if (c->flags & GVM_F_FENCE) {
			req.priv_usage = (int)gvm_cmd_usage_priv(c);
			req.ext_usage = (int)gvm_cmd_usage_ext(c);
		}
		return ops->lock(be, vm, &req, &res->locked);
	}
	case GVM_CMD_INVALIDATE:
		ops->invalidate(be, bo, c->flags & GVM_F_INVALID);
		return 0;
	default:
		return 0;
	}
}

int exec_ioctl(struct gvm_exec *x, const struct gvm_cmd *c, struct gvm_result *res)
{
	const struct gvm_threads_ops *t = x->be->ops->threads;
	/*
	 * A command on a VM that exists (not "bo B private V": no VM work),
	 * but for cleanup: a worker's, without the driver's VM lock.
	 */
	struct gvm_be_vm *vm = gvm_cmd_names_vm(c) && c->kind != GVM_CMD_VM &&
			       c->kind != GVM_CMD_BO && c->kind != GVM_CMD_CLEANUP ?
			       x->vm[c->vm] : NULL;
	int ret;

	if (vm) {
		t->vm_get(x->be, vm);
		ret = t->vm_enter(x->be, vm, vm_use(c));
		if (ret) {
			t->vm_put(x->be, vm);
			return ret;
		}
	}
	ret = dispatch(x->be, x->vm, x->bo, c, res);
	if (vm) {
		t->vm_leave(x->be, vm);
		/* Without threads run_job takes the job at once (on threads: its own). */
		if (!ret && (c->flags & GVM_F_JOB) && !x->threaded)
			while (x->be->ops->job_pending(x->be, vm))
				x->be->ops->job_run(x->be, vm);
		t->vm_put(x->be, vm);
	}
	return ret;
}

/* ---- lookups and locks ------------------------------------------------------------ */

static bool same_found(const struct gvm_found *a, const struct gvm_found *b)
{
	return a->found == b->found && (!a->found || (a->kernel == b->kernel &&
						      same_map(&a->va, &b->va)));
}

static const char *found_text(const struct gvm_found *f, char *buf, size_t len)
{
	if (!f->found)
		return "-";
	if (f->kernel)
		return "kernel";
	snprintf(buf, len, "0x%llx+0x%llx", (unsigned long long)f->va.addr,
		 (unsigned long long)f->va.range);
	return buf;
}

/* "find=... first=... prev=... next=... empty=N": what a lookup answered. */
static void lookup_text(const struct gvm_lookup *l, char *buf, size_t len)
{
	char b[4][48];

	snprintf(buf, len, "find=%s first=%s prev=%s next=%s empty=%d",
		 found_text(&l->find, b[0], sizeof(b[0])), found_text(&l->first, b[1], sizeof(b[1])),
		 found_text(&l->prev, b[2], sizeof(b[2])), found_text(&l->next, b[3], sizeof(b[3])),
		 l->empty);
}

static void print_lookup(FILE *f, const struct gvm_lookup *l)
{
	char text[256];

	lookup_text(l, text, sizeof(text));
	fprintf(f, "lookup %s\n", text);
}

static bool same_lookup(const struct gvm_lookup *a, const struct gvm_lookup *b)
{
	return same_found(&a->find, &b->find) && same_found(&a->first, &b->first) &&
	       same_found(&a->prev, &b->prev) && same_found(&a->next, &b->next) &&
	       a->empty == b->empty;
}

/* Print a lookup's answer and compare it with the model's. */
static void check_lookup(struct gvm_exec *x, const struct gvm_cmd *c,
			 const struct gvm_lookup *got)
{
	struct gvm_lookup *want = &x->scratch->want.lookup;
	static const char *const names[] = { "find", "find_first", "find_prev", "find_next" };
	const struct gvm_found *g[] = { &got->find, &got->first, &got->prev, &got->next };
	const struct gvm_found *w[] = { &want->find, &want->first, &want->prev, &want->next };
	char b[4][48];
	size_t i;

	if (x->o.out && !x->silent)
		print_lookup(x->o.out, got);
	gvm_model_lookup(&x->model.vm[c->vm], c->addr, c->range, want);
	for (i = 0; i < 4; i++) {
		if (same_found(g[i], w[i]))
			continue;
		exec_bug(x, "model", "drm_gpuva_%s found %s, want %s%s", names[i],
		    found_text(g[i], b[0], sizeof(b[0])), found_text(w[i], b[1], sizeof(b[1])),
		    /* A probe reaching past its address: docs/upstream-findings.md 3. */
		    (i == 2 && g[i]->found && g[i]->va.addr >= c->addr) ||
		    (i == 3 && g[i]->found && g[i]->va.addr > c->addr + c->range) ?
		    " (docs/upstream-findings.md 3)" : "");
		return;
	}
	if (got->empty != want->empty)
		exec_bug(x, "model", "drm_gpuvm_interval_empty returned %d, want %d", got->empty,
		    want->empty);
}

/* "vm0=read bo3=bookkeep": a lock's reservations, VMs' first, by id. */
static void locked_text(const struct gvm_locked *l, bool fence, char *buf, size_t len)
{
	size_t n = 0;
	int pass;
	uint32_t i;

	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		uint64_t set = pass ? l->bos : l->vms;
		const int8_t *usage = pass ? l->bo_usage : l->vm_usage;

		for (i = 0; i < GVM_MAX_ID && n < len; i++) {
			if (!(set & (UINT64_C(1) << i)))
				continue;
			n += (size_t)snprintf(buf + n, len - n, " %s%u", pass ? "bo" : "vm", i);
			if (fence && n < len)
				n += (size_t)snprintf(buf + n, len - n, "=%s",
						      usage[i] < 0 ? "none" :
						      gvm_usage_name((unsigned int)usage[i]));
		}
	}
}

static bool same_locked(const struct gvm_locked *a, const struct gvm_locked *b)
{
	return a->vms == b->vms && a->bos == b->bos &&
	       !memcmp(a->vm_usage, b->vm_usage, sizeof(a->vm_usage)) &&
	       !memcmp(a->bo_usage, b->bo_usage, sizeof(a->bo_usage));
}

static void check_locked(struct gvm_exec *x, const struct gvm_cmd *c,
			 const struct gvm_locked *got)
{
	struct gvm_locked *want = &x->scratch->want.locked;
	bool fence = c->flags & GVM_F_FENCE;
	char g[64 * 2 * 16], w[sizeof(g)];

	locked_text(got, fence, g, sizeof(g));
	if (x->o.out && !x->silent)
		fprintf(x->o.out, "locked%s\n", g);
	gvm_model_locked(&x->model, c, want);
	if (!same_locked(got, want)) {
		locked_text(want, fence, w, sizeof(w));
		exec_bug(x, "model", "lock held%s, want%s", g, w);
	}
}

/* "success", "ENOENT": what a command returned, as a BUG: line names it. */
static const char *ret_text(int ret)
{
	const char *name = errno_name(-ret);

	return ret ? (name ? name : "?") : "success";
}

bool exec_explains(struct gvm_model *m, const struct gvm_cmd *c, int ret, bool held,
		   const struct gvm_result *res, struct exec_differ *d)
{
	char got[64 * 2 * 16], want[sizeof(got)];
	struct gvm_result w;
	int expect = gvm_model_predict(m, c, held);

	if (ret != expect && !(expect == GVM_MODEL_EITHER && (!ret || ret == -ENOMEM)))
		return !exec_differ(d, "model", "returned %s, want %s", ret_text(ret),
				    ret_text(expect));
	if (!ret && c->kind == GVM_CMD_LOOKUP && res) {
		gvm_model_lookup(&m->vm[c->vm], c->addr, c->range, &w.lookup);
		if (!same_lookup(&res->lookup, &w.lookup)) {
			lookup_text(&res->lookup, got, sizeof(got));
			lookup_text(&w.lookup, want, sizeof(want));
			return !exec_differ(d, "model", "lookup %s, want %s", got, want);
		}
	}
	if (!ret && c->kind == GVM_CMD_LOCK && res) {
		gvm_model_locked(m, c, &w.locked);
		if (!same_locked(&res->locked, &w.locked)) {
			locked_text(&res->locked, c->flags & GVM_F_FENCE, got, sizeof(got));
			locked_text(&w.locked, c->flags & GVM_F_FENCE, want, sizeof(want));
			return !exec_differ(d, "model", "lock held%s, want%s", got, want);
		}
	}
	if (!ret && (c->flags & GVM_F_JOB))
		gvm_model_job_queued(m, c);
	else if (!ret)
		gvm_model_apply(m, c);
	if (c->kind == GVM_CMD_VALIDATE && expect != -ENOENT)
		gvm_model_validate_done(m, c, ret, false);
	return true;
}

int gvm_exec_run(struct gvm_exec *x, const struct gvm_cmd *c)
{
	unsigned long inject = 0;
	unsigned int step = 0;
	int want, ret;
	ssize_t shape;

	x->cur = c;
	x->last = *c;
	x->log->n = 0;
	x->log->overflow = false;
	x->last_ret = 0;
	if (x->o.trace && x->o.out) {
		char text[GVM_MAX_LINE];

		if (gvm_cmd_format(c, text, sizeof(text)) >= 0)
			fprintf(x->o.out, "> %s\n", text);
	}
	if (c->kind == GVM_CMD_INJECT) {
		if (c->flags & GVM_F_STEP)
			x->inject_step = (unsigned int)c->offset;
		else
			x->inject_nth = c->offset;
		return 0;
	}
	/* An armed failure applies to this command, whatever it is. */
	inject = x->inject_nth;
	x->inject_nth = 0;
	step = x->inject_step;
	x->inject_step = 0;

	want = gvm_model_predict(&x->model, c, false);
	shape = want ? -1 : gvm_shape_predict(&x->model.vm[c->vm], c, x->shape,
					       SHAPE_MAX);
	if (c->kind == GVM_CMD_TWIN) {
		/* The run compares this executor with its twin (gvm_run.h). */
		ret = 0;
	} else if (want == -ENOENT) {
		/* A closed handle: the backend is not called. */
		ret = want;
	} else {
		if (inject)
			x->be->ops->alloc_fail_nth(x->be, inject);
		if (step)
			x->be->ops->fail_step(x->be, step);
		ret = exec_ioctl(x, c, &x->scratch->res);
		if (step)
			x->be->ops->fail_step(x->be, 0);
		x->be->ops->alloc_fail_nth(x->be, 0);
		/* inject step reaches the walks of staged map/unmap only (not jobs'). */
		check_shape(x, shape, ret,
			    (c->kind == GVM_CMD_MAP || c->kind == GVM_CMD_UNMAP) &&
			    !(c->flags & GVM_F_JOB) && !x->model.vm[c->vm].immediate &&
			    !inject ? step : 0);
	}
	x->last_ret = ret;
	if (ret && x->o.out)
		exec_print_error(x->o.out, ret);
	/*
	 * Injected failures are not predicted: an armed one may or may not
	 * fire, but only it can produce its error.
	 */
	if (ret != want && !(inject && ret == -ENOMEM) && !(step && ret == -EIO) &&
	    !(want == GVM_MODEL_EITHER && (!ret || ret == -ENOMEM))) {
		const char *g = errno_name(-ret), *w = errno_name(-want);

		exec_bug(x, "model", "%s returned %s, want %s%s", gvm_kind_name(c->kind),
		    ret ? (g ? g : "?") : "success", want ? (w ? w : "?") : "success",
		    /* Upstream accepts an empty range: docs/upstream-findings.md 5. */
		    !ret && !c->range && (c->kind == GVM_CMD_MAP || c->kind == GVM_CMD_UNMAP ||
					  c->kind == GVM_CMD_MADVISE) ?
		    " (an empty range: docs/upstream-findings.md 5)" : "");
	}
	if (!ret && c->kind == GVM_CMD_LOOKUP)
		check_lookup(x, c, &x->scratch->res.lookup);
	if (!ret && c->kind == GVM_CMD_LOCK)
		check_locked(x, c, &x->scratch->res.locked);
	if (!ret)
		gvm_model_apply(&x->model, c);
	else if (c->kind == GVM_CMD_LOCK && inject && ret == -ENOMEM)
		gvm_model_lock_failed(&x->model, c);
	/* A validate may fail halfway: what it validated before stays so. */
	if (c->kind == GVM_CMD_VALIDATE && want != -ENOENT)
		gvm_model_validate_done(&x->model, c, ret, inject != 0);
	/*
	 * Nothing can have changed if the backend was not called (-ENOENT);
	 * some targets check the state only at the end (gvm_exec_opts).
	 */
	if (want != -ENOENT) {
		if (!x->o.state_at_end || c->kind == GVM_CMD_DUMP)
			check_all(x, c->kind == GVM_CMD_DUMP && !ret ? (int)c->vm : -1);
		else
			exec_check_warning(x);
	}
	x->cur = NULL;
	return x->failed;
}

bool gvm_exec_same_last(const struct gvm_exec *a, const struct gvm_exec *b)
{
	size_t i;

	if (a->last_ret != b->last_ret)
		return false;
	/* Too many events to keep: the state comparison remains. */
	if (!a->log->overflow && !b->log->overflow) {
		if (a->log->n != b->log->n)
			return false;
		for (i = 0; i < a->log->n; i++)
			if (!same_event(&a->log->ev[i], &b->log->ev[i]))
				return false;
	}
	if (a->last_ret)
		return true;
	if (a->last.kind == GVM_CMD_LOOKUP)
		return same_lookup(&a->scratch->res.lookup, &b->scratch->res.lookup);
	if (a->last.kind == GVM_CMD_LOCK)
		return same_locked(&a->scratch->res.locked, &b->scratch->res.locked);
	return true;
}

void gvm_exec_print_last(const struct gvm_exec *x, FILE *f)
{
	char buf[64 * 2 * 16];
	size_t i;

	for (i = 0; i < x->log->n; i++)
		exec_print_event(f, &x->log->ev[i], false);
	if (x->log->overflow)
		fputs("... (more events than kept)\n", f);
	if (x->last_ret) {
		exec_print_error(f, x->last_ret);
	} else if (x->last.kind == GVM_CMD_LOOKUP) {
		print_lookup(f, &x->scratch->res.lookup);
	} else if (x->last.kind == GVM_CMD_LOCK) {
		locked_text(&x->scratch->res.locked, x->last.flags & GVM_F_FENCE, buf, sizeof(buf));
		fprintf(f, "locked%s\n", buf);
	}
}

/* Release every VM and handle the script still holds, printing nothing. */
static void release_all(struct gvm_exec *x)
{
	struct gvm_cmd c;
	uint32_t i;

	x->silent = true;
	for (i = 0; i < x->model.vm_ids; i++) {
		if (!vm_open(x, i))
			continue;
		c = (struct gvm_cmd){ .kind = GVM_CMD_DESTROY, .vm = i };
		x->be->ops->vm_destroy(x->be, x->vm[i]);
		gvm_model_apply(&x->model, &c);
	}
	for (i = 0; i < x->model.bo_ids; i++) {
		if (!bo_open(x, i))
			continue;
		c = (struct gvm_cmd){ .kind = GVM_CMD_CLOSE, .bo = i };
		x->be->ops->bo_close(x->be, x->bo[i]);
		gvm_model_apply(&x->model, &c);
	}
	x->released = true;
}

void gvm_exec_release(struct gvm_exec *x)
{
	if (!x->released)
		release_all(x);
}

int gvm_exec_finish(struct gvm_exec *x)
{
	size_t bos, vms;

	if (x->wedged)
		return x->failed;	/* reported; releasing would wait forever */
	release_all(x);
	check_all(x, -1);
	x->be->ops->live(x->be, &bos, &vms);
	if (bos || vms)
		exec_bug(x, "leak", "%zu object(s) and %zu VM(s) still allocated at the end", bos, vms);
	if (x->be->ops->alloc_live(x->be) != x->live_base)
		exec_bug(x, "leak", "%zd library allocation(s) still live at the end",
		    (ssize_t)(x->be->ops->alloc_live(x->be) - x->live_base));
	return x->failed;
}

/*
 * The executor and its scratch are large (some 140 KiB) and the fuzz
 * targets make one per input: ASan's allocator filled, quarantined and
 * recycled both every time, a third of a small input's cost. The last
 * ones freed on each thread (as many as a run that compares makes at once,
 * gvm_diff.h) are kept for the next creates instead. Harness memory only:
 * what the backends allocate comes and goes as before.
 */
#define SPARE_EXECS	4
static _Thread_local struct gvm_exec *spare_exec[SPARE_EXECS];
static _Thread_local unsigned int spare_execs;

static struct gvm_exec *exec_alloc(void)
{
	struct gvm_exec *x;

	if (spare_execs)
		return spare_exec[--spare_execs];
	/* Not calloc: the model zeroes what it uses (see struct gvm_model). */
	x = malloc(sizeof(*x));
	if (!x)
		return NULL;
	x->scratch = malloc(sizeof(*x->scratch));
	if (!x->scratch) {
		free(x);
		return NULL;
	}
	return x;
}

static void exec_free(struct gvm_exec *x)
{
	if (spare_execs < SPARE_EXECS) {
		spare_exec[spare_execs++] = x;
		return;
	}
	free(x->scratch);
	free(x);
}

struct gvm_exec *gvm_exec_create(const struct gvm_exec_opts *opts)
{
	struct gvm_exec *x = exec_alloc();
	struct gvm_exec_scratch *scratch;
	struct gvm_sink sink;

	if (!x)
		return NULL;
	scratch = x->scratch;
	memset(x, 0, offsetof(struct gvm_exec, model));
	x->scratch = scratch;
	x->log = &x->scratch->log;
	x->shape = x->scratch->shape;
	x->o = *opts;
	if (!x->o.name)
		x->o.name = "<script>";
	gvm_model_init(&x->model);
	x->model.private_exclusive = x->o.known_findings;
	sink.event = on_event;
	sink.ctx = x;
	x->be = (opts->backend ? opts->backend : gvm_backend_lean_create)(&sink,
		x->o.backend_flags | (x->o.known_findings ? GVM_KNOWN_FINDINGS : 0));
	if (!x->be) {
		exec_free(x);
		return NULL;
	}
	x->live_base = x->be->ops->alloc_live(x->be);
	return x;
}

const char *gvm_exec_unsupported(struct gvm_exec *x, const struct gvm_cmd *c)
{
	return x->be->ops->unsupported(x->be, c);
}

int gvm_exec_snapshot(struct gvm_exec *x, uint32_t vm, struct gvm_snapshot *out)
{
	if (vm >= GVM_MAX_ID || !vm_open(x, vm))
		return -ENOENT;
	return x->be->ops->snapshot(x->be, x->vm[vm], out);
}

void gvm_exec_destroy(struct gvm_exec *x)
{
	if (!x)
		return;
	if (!x->released)
		release_all(x);
	x->be->ops->destroy(x->be);
	gvm_model_free(&x->model);
	exec_free(x);
}
