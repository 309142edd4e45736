// SPDX-License-Identifier: MIT
/*
 * Reproducer: lockdep reports "held lock freed!" (and turns itself off)
 * when drm_exec_fini() drops the last reference to an object it locked
 * after backing off from a contended lock, while it still holds another
 * reservation lock. See kunit/README.md, "Upstream finding".
 *
 * Not part of the generated suite: tools/kunit-run does not build it. To
 * run it, copy it to drivers/gpu/drm/tests/ of a tree that has the
 * drm_gpuvm suite's Kconfig change (or any tree: it needs DRM_EXEC and
 * the KUnit helpers only), add drm_exec_lockdep_repro.o to the
 * obj-$(CONFIG_DRM_KUNIT_TEST) list, and run
 *   tools/testing/kunit/kunit.py run --arch um \
 *       --kunitconfig /path/to/gpuvm-fuzz/kunit/gpuvm.kunitconfig drm_exec_lockdep
 *
 * With CONFIG_DEBUG_WW_MUTEX_SLOWPATH (selected by PROVE_LOCKING) a ww
 * acquire context whose stamp is a multiple of 16 fails its second lock
 * with -EDEADLK, so one in 16 of the contexts below backs off: it locks the
 * contended object first, then the long-lived one, and lockdep's single
 * held-lock entry for the context's reservation locks points at the
 * contended object, which drm_exec_fini() unlocks and frees first.
 */

#include <kunit/test.h>

#include <linux/debug_locks.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_kunit_helpers.h>

static void repro_free(struct drm_gem_object *obj)
{
	drm_gem_object_release(obj);
	kfree(obj);
}

static const struct drm_gem_object_funcs repro_funcs = {
	.free = repro_free,
};

static struct drm_gem_object *repro_object(struct kunit *test, struct drm_device *drm)
{
	struct drm_gem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, obj);
	obj->funcs = &repro_funcs;
	drm_gem_private_object_init(drm, obj, 0);
	return obj;
}

static void last_reference_in_exec(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_object *keep, *obj;
	struct drm_exec exec;
	unsigned int i;
	int ret;

	KUNIT_ASSERT_TRUE_MSG(test, debug_locks, "lockdep is off already");
	keep = repro_object(test, drm);
	for (i = 0; i < 64 && debug_locks; i++) {
		obj = repro_object(test, drm);
		drm_exec_init(&exec, 0, 0);
		drm_exec_until_all_locked(&exec) {
			ret = drm_exec_lock_obj(&exec, keep);
			drm_exec_retry_on_contention(&exec);
			KUNIT_ASSERT_EQ(test, ret, 0);
			ret = drm_exec_lock_obj(&exec, obj);
			drm_exec_retry_on_contention(&exec);
			KUNIT_ASSERT_EQ(test, ret, 0);
		}
		/* As when an unbind destroys the vm_bo: only the exec holds @obj now. */
		drm_gem_object_put(obj);
		drm_exec_fini(&exec);
	}
	drm_gem_object_put(keep);
	KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
			      "lockdep turned itself off in context %u (see \"held lock freed!\")",
			      i);
}

static int repro_init(struct kunit *test)
{
	struct drm_device *drm;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*drm), 0, DRIVER_GEM);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	test->priv = drm;
	return 0;
}

static struct kunit_case repro_cases[] = {
	KUNIT_CASE(last_reference_in_exec),
	{}
};

static struct kunit_suite repro_suite = {
	.name = "drm_exec_lockdep",
	.init = repro_init,
	.test_cases = repro_cases,
};

kunit_test_suite(repro_suite);

MODULE_DESCRIPTION("drm_exec and lockdep: freeing the last reference in drm_exec_fini()");
MODULE_LICENSE("Dual MIT/GPL");
