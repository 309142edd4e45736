// SPDX-License-Identifier: MIT
/*
 * The driver model as a backend: its drm_device, the WARN record, the
 * commands this build's GPUVM cannot run, and the table of backend calls
 * the other files implement.
 */
#include "driver_model.h"

/* WARNs are process-wide: every backend of this build reads the same record. */
static char warning[2304];
static unsigned int backends;

static void warn_hook(const char *file, int line, const char *msg)
{
	if (!warning[0])
		snprintf(warning, sizeof(warning), "%s:%d: %s", file, line, msg);
}

static void drv_fail_step(struct gvm_backend *gbe, unsigned int nth)
{
	to_drv(gbe)->fail_step = nth;
}

static void drv_live(struct gvm_backend *gbe, size_t *bos, size_t *vms)
{
	*bos = to_drv(gbe)->nbos;
	*vms = to_drv(gbe)->nvms;
}

static const char *drv_take_warning(struct gvm_backend *gbe)
{
	static char last[sizeof(warning)];

	(void)gbe;
	if (!warning[0])
		return NULL;
	memcpy(last, warning, sizeof(last));
	warning[0] = '\0';
	return last;
}

static void drv_destroy(struct gvm_backend *gbe)
{
	struct drv *be = to_drv(gbe);

	/*
	 * Our reference, the last one unless a VM leaked or the device was
	 * put once too often (check() reports both): then leave it alone.
	 */
	if (!be->drm_released && kref_read(&be->drm.ref) == 1)
		drm_dev_put(&be->drm);
	free(be->vas);
	free(be->zombies);
	free(be->zombie_objs);
	mutex_destroy(&be->handles);
	if (--backends == 0)
		kcompat_warn_set_hook(NULL);
	free(be);
}

static void drv_alloc_fail_nth(struct gvm_backend *gbe, unsigned long nth)
{
	(void)gbe;
	kcompat_alloc_fail_nth(nth);
}

static size_t drv_alloc_live(struct gvm_backend *gbe)
{
	(void)gbe;
	return kcompat_alloc_stats().live;
}

/* Commands this build of GPUVM cannot run, and why. */
static const char *drv_unsupported(struct gvm_backend *gbe, const struct gvm_cmd *c)
{
	(void)gbe;
	if (!GVM_HAS_IMMEDIATE_MODE && c->kind == GVM_CMD_VM && (c->flags & GVM_F_IMMEDIATE))
		return "immediate mode (DRM_GPUVM_IMMEDIATE_MODE) with deferred vm_bo cleanup"
		       " needs Linux 6.19+" DRIVER_ORIGIN;
	if (!GVM_HAS_STAGED_PREALLOC && c->kind == GVM_CMD_VM && (c->flags & GVM_F_PREALLOC))
		return "prealloc on a staged VM (drm_gpuvm_bo_obtain_prealloc outside immediate"
		       " mode) is refused since Linux 7.0" DRIVER_ORIGIN;
	if (!GVM_HAS_MADVISE && c->kind == GVM_CMD_MADVISE)
		return "madvise (drm_gpuvm_madvise_ops_create) needs Linux 6.18+" DRIVER_ORIGIN;
	return NULL;
}

static const struct gvm_backend_ops drv_ops = {
	.job_queue = drv_job_queue,
	.job_pending = drv_job_pending,
	.job_run = drv_job_run,
	.name = DRIVER_NAME,
	.vm_create = drv_vm_create,
	.bo_create = drv_bo_create,
	.map = drv_map,
	.unmap = drv_unmap,
	.madvise = drv_madvise,
	.prefetch = drv_prefetch,
	.bo_unmap = drv_bo_unmap,
	.obtain = drv_obtain,
	.put = drv_put,
	.bo_close = drv_bo_close,
	.evict = drv_evict,
	.validate = drv_validate,
	.cleanup = drv_cleanup,
	.lookup = drv_lookup,
	.lock = drv_lock,
	.invalidate = drv_invalidate,
	.fail_step = drv_fail_step,
	.vm_destroy = drv_vm_destroy,
	.snapshot = drv_snapshot,
	.check = drv_check,
	.live = drv_live,
	.take_warning = drv_take_warning,
	.destroy = drv_destroy,
	.alloc_fail_nth = drv_alloc_fail_nth,
	.alloc_live = drv_alloc_live,
	.unsupported = drv_unsupported,
	.threads = &drv_threads_ops,
};

static void drm_release(struct drm_device *drm)
{
	container_of(drm, struct drv, drm)->drm_released = true;
}

static const struct drm_driver drm_driver = {
	.name = "gvm-" DRIVER_NAME,
	.release = drm_release,
};

struct gvm_backend *DRIVER_CREATE(const struct gvm_sink *sink, unsigned int flags)
{
	/* Harness memory: plain malloc, outside lib/'s accounting. */
	struct drv *be = calloc(1, sizeof(*be));

	if (!be)
		return NULL;
	be->base.ops = &drv_ops;
	be->base.sink = *sink;
	be->callbacks = flags & GVM_LEAN_CALLBACKS;
	be->known = flags & GVM_KNOWN_FINDINGS;
	INIT_LIST_HEAD(&be->vms);
	INIT_LIST_HEAD(&be->bos);
	mutex_init(&be->handles);
	drm_dev_init(&be->drm, &drm_driver, NULL);
	/*
	 * The first backend starts a run (a script, a fuzz input): a fresh
	 * lockdep graph, so that a report replays from that run alone. A
	 * twin made later shares the run, and the graph.
	 */
	if (backends++ == 0) {
		warning[0] = '\0';
		kcompat_warn_set_hook(warn_hook);
		kcompat_warn_set_quiet(true);
		kcompat_lockdep_reset();
	}
	return &be->base;
}
