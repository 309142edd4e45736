// SPDX-License-Identifier: MIT
/*
 * The driver model's side of commands on threads (struct gvm_threads_ops):
 * what an ioctl does before and after its work, as the drivers do it, and
 * the scheduler of the kernel environment this build of the model runs
 * on (lib/'s, or upstream's instance of kcompat). Built once per backend,
 * like the rest of the model (driver_model.h).
 */
#include <errno.h>
#include <kcompat/sched.h>
#include "driver_model.h"

static void handles_lock(struct gvm_backend *gbe)
{
	mutex_lock(&to_drv(gbe)->handles);
}

static void handles_unlock(struct gvm_backend *gbe)
{
	mutex_unlock(&to_drv(gbe)->handles);
}

static void vm_get(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	drm_gpuvm_get(&((struct drv_vm *)hvm)->base);
}

static void vm_put(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	drm_gpuvm_put(&((struct drv_vm *)hvm)->base);
}

static void bo_get(struct gvm_backend *gbe, struct gvm_be_bo *hbo)
{
	(void)gbe;
	drm_gem_object_get(&((struct drv_bo *)hbo)->base);
}

static void bo_put(struct gvm_backend *gbe, struct gvm_be_bo *hbo)
{
	(void)gbe;
	drm_gem_object_put(&((struct drv_bo *)hbo)->base);
}

static bool vm_idle(void *arg)
{
	return !((struct drv_vm *)arg)->jobs_inflight;
}

/*
 * Whether a command that does @use with @vm must let its jobs finish
 * first. The tree: run_job changes it without the VM lock. The lists:
 * on an immediate VM without RESV_PROTECTED, GPUVM walks them with
 * temporary vm_bo references (the "local list" iteration), and the walk's
 * put is the last when run_job unlinked the vm_bo's last VA meanwhile: a
 * plain drm_gpuvm_bo_put() that destroys it without the GEM's gpuva
 * mutex (panthor's bug of February 2024). Real immediate-mode drivers now
 * set RESV_PROTECTED (panthor, the Rust binding), which walks under the
 * VM's resv instead. With GVM_KNOWN_FINDINGS (the fuzz targets) the
 * driver keeps run_job out of such a walk, so that a fuzzer looks past
 * this known hazard; without, a script shows it (docs/concurrency.md).
 */
static bool waits_for_jobs(struct drv_vm *vm, enum gvm_vm_use use)
{
	if (use == GVM_VM_USE_TREE)
		return true;
	return use == GVM_VM_USE_LISTS && vm->be->known && drm_gpuvm_immediate_mode(&vm->base) &&
	       !drm_gpuvm_resv_protected(&vm->base);
}

/* As xe_vm_is_closed(): a VM destroyed since the lookup takes no more work. */
static int vm_enter(struct gvm_backend *gbe, struct gvm_be_vm *hvm, enum gvm_vm_use use)
{
	struct drv_vm *vm = (struct drv_vm *)hvm;

	(void)gbe;
	mutex_lock(&vm->lock);
	if (vm->dead) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	/* Jobs run on threads only: outside them each one ran when queued. */
	if (vm->jobs_inflight && waits_for_jobs(vm, use))
		kcompat_sched_wait(vm_idle, vm, "the VM's jobs to finish");
	return 0;
}

static void vm_leave(struct gvm_backend *gbe, struct gvm_be_vm *hvm)
{
	(void)gbe;
	mutex_unlock(&((struct drv_vm *)hvm)->lock);
}

/* ---- the scheduler ---------------------------------------------------------------- */

static int sched_init(struct gvm_backend *gbe, const struct gvm_sched_record *recs, size_t n)
{
	struct drv *be = to_drv(gbe);
	size_t i;
	int ret;

	/* Harness memory: outside the environment's allocator and its counts. */
	be->sched_recs = n ? calloc(n, sizeof(*be->sched_recs)) : NULL;
	if (n && !be->sched_recs)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		be->sched_recs[i] = (struct kcompat_sched_record){
			recs[i].step, recs[i].thread, recs[i].at, (enum kcompat_sp)recs[i].op,
			recs[i].nth };
	ret = kcompat_sched_init(be->sched_recs, n);
	if (ret) {
		free(be->sched_recs);
		be->sched_recs = NULL;
	}
	return ret;
}

static int sched_spawn(struct gvm_backend *gbe, const char *name, void (*fn)(void *arg),
		       void *arg)
{
	(void)gbe;
	return kcompat_sched_spawn(name, fn, arg);
}

static int sched_run(struct gvm_backend *gbe)
{
	(void)gbe;
	return kcompat_sched_run();
}

static void sched_wait(struct gvm_backend *gbe, bool (*ready)(void *arg), void *arg,
		       const char *what)
{
	(void)gbe;
	kcompat_sched_wait(ready, arg, what);
}

static void sched_fini(struct gvm_backend *gbe)
{
	struct drv *be = to_drv(gbe);

	kcompat_sched_fini();
	free(be->sched_recs);
	be->sched_recs = NULL;
}

static unsigned int sched_current(struct gvm_backend *gbe)
{
	(void)gbe;
	return kcompat_sched_current();
}

static unsigned long sched_decisions(struct gvm_backend *gbe)
{
	(void)gbe;
	return kcompat_sched_decisions();
}

static size_t sched_applied(struct gvm_backend *gbe, struct gvm_sched_record *out, size_t max)
{
	struct kcompat_sched_record r[64];
	size_t n, i;

	(void)gbe;
	n = kcompat_sched_applied(r, max < 64 ? max : 64);
	for (i = 0; i < n && i < max && i < 64; i++)
		out[i] = (struct gvm_sched_record){ .step = r[i].step, .thread = r[i].thread };
	return n;
}

static size_t sched_switches(struct gvm_backend *gbe, uint32_t *out, size_t max)
{
	(void)gbe;
	return kcompat_sched_switches(out, max);
}

static void sched_print_trace(struct gvm_backend *gbe, FILE *f, unsigned int last)
{
	(void)gbe;
	kcompat_sched_print_trace(f, last);
}

static void sched_log(struct gvm_backend *gbe, FILE *f)
{
	(void)gbe;
	kcompat_sched_set_log(f);
}

const struct gvm_threads_ops drv_threads_ops = {
	.handles_lock = handles_lock,
	.handles_unlock = handles_unlock,
	.vm_get = vm_get,
	.vm_put = vm_put,
	.bo_get = bo_get,
	.bo_put = bo_put,
	.vm_enter = vm_enter,
	.vm_leave = vm_leave,
	.sched_init = sched_init,
	.sched_spawn = sched_spawn,
	.sched_run = sched_run,
	.sched_wait = sched_wait,
	.sched_fini = sched_fini,
	.sched_current = sched_current,
	.sched_decisions = sched_decisions,
	.sched_applied = sched_applied,
	.sched_switches = sched_switches,
	.sched_print_trace = sched_print_trace,
	.sched_log = sched_log,
};
