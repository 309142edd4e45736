// SPDX-License-Identifier: MIT
/*
 * drm_exec over the compat ww_mutex. Single-threaded there is no real
 * contention; -EDEADLK comes from kcompat_ww_fail_nth(), and the back-off
 * below then does what the kernel's does: drop everything, lock the
 * contended object first on the next pass.
 */
#include <linux/bug.h>
#include <linux/slab.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>

/* Stands in @contended before the first pass; never dereferenced. */
static struct drm_gem_object first_pass_marker;
#define FIRST_PASS	(&first_pass_marker)

void drm_exec_init(struct drm_exec *exec, u32 flags, unsigned int nr)
{
	(void)nr;	/* the array grows on demand */
	exec->flags = flags;
	exec->num_objects = 0;
	exec->max_objects = 0;
	exec->objects = NULL;
	exec->contended = FIRST_PASS;
	exec->prelocked = NULL;
}

/* Unlock the object a back-off locked first, and drop its reference. */
static void drop_prelocked(struct drm_exec *exec)
{
	if (!exec->prelocked)
		return;
	dma_resv_unlock(exec->prelocked->resv);
	drm_gem_object_put(exec->prelocked);
	exec->prelocked = NULL;
}

static void unlock_all(struct drm_exec *exec)
{
	while (exec->num_objects) {
		struct drm_gem_object *obj = exec->objects[--exec->num_objects];

		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
	}
	drop_prelocked(exec);
}

void drm_exec_fini(struct drm_exec *exec)
{
	unlock_all(exec);
	kfree(exec->objects);
	exec->objects = NULL;
	exec->max_objects = 0;
	if (exec->contended != FIRST_PASS) {
		drm_gem_object_put(exec->contended);
		ww_acquire_fini(&exec->ticket);
	}
	exec->contended = NULL;
}

bool drm_exec_cleanup(struct drm_exec *exec)
{
	if (exec->contended == FIRST_PASS) {
		exec->contended = NULL;
		ww_acquire_init(&exec->ticket, &reservation_ww_class);
		return true;
	}
	if (!exec->contended) {
		/*
		 * The pass may not have asked for the object the back-off
		 * locked first (its vm_bo went meanwhile): it is not among
		 * the objects, and the kernel's drm_exec unlocks it here.
		 */
		drop_prelocked(exec);
		ww_acquire_done(&exec->ticket);
		return false;
	}
	unlock_all(exec);
	return true;
}

/* Record @obj as locked, holding a reference; unlocks it on failure. */
static int obj_locked(struct drm_exec *exec, struct drm_gem_object *obj)
{
	if (exec->num_objects == exec->max_objects) {
		unsigned int max = exec->max_objects ? exec->max_objects * 2 : 8;
		struct drm_gem_object **objs;

		objs = krealloc(exec->objects, max * sizeof(*objs), GFP_KERNEL);
		if (!objs) {
			dma_resv_unlock(obj->resv);
			return -ENOMEM;
		}
		exec->objects = objs;
		exec->max_objects = max;
	}
	drm_gem_object_get(obj);
	exec->objects[exec->num_objects++] = obj;
	return 0;
}

/*
 * After a back-off, the contended object is locked first, waiting for it.
 * It joins the objects only when the pass asks for it again.
 */
static void lock_contended(struct drm_exec *exec)
{
	struct drm_gem_object *obj = exec->contended;

	if (!obj)
		return;
	exec->contended = NULL;
	dma_resv_lock_slow(obj->resv, &exec->ticket);
	drop_prelocked(exec);
	exec->prelocked = obj;	/* keeps the reference taken at contention */
}

int drm_exec_lock_obj(struct drm_exec *exec, struct drm_gem_object *obj)
{
	int ret;

	/* The kernel would dereference its marker here; we say what is wrong. */
	if (WARN(exec->contended == FIRST_PASS,
		 "drm_exec_lock_obj() outside drm_exec_until_all_locked()"))
		drm_exec_cleanup(exec);
	lock_contended(exec);
	if (exec->prelocked == obj) {
		drm_gem_object_put(exec->prelocked);
		exec->prelocked = NULL;
		return obj_locked(exec, obj);
	}
	ret = dma_resv_lock(obj->resv, &exec->ticket);
	if (ret == -EDEADLK) {
		drm_gem_object_get(obj);
		exec->contended = obj;
		return ret;
	}
	if (ret == -EALREADY && (exec->flags & DRM_EXEC_IGNORE_DUPLICATES))
		return 0;
	if (ret)
		return ret;
	return obj_locked(exec, obj);
}

void drm_exec_unlock_obj(struct drm_exec *exec, struct drm_gem_object *obj)
{
	unsigned int i;

	for (i = exec->num_objects; i--;) {
		if (exec->objects[i] != obj)
			continue;
		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
		exec->num_objects--;
		for (; i < exec->num_objects; i++)
			exec->objects[i] = exec->objects[i + 1];
		return;
	}
}

int drm_exec_prepare_obj(struct drm_exec *exec, struct drm_gem_object *obj,
			 unsigned int num_fences)
{
	int ret = drm_exec_lock_obj(exec, obj);

	if (ret)
		return ret;
	return dma_resv_reserve_fences(obj->resv, num_fences);
}

int drm_exec_prepare_array(struct drm_exec *exec, struct drm_gem_object **objects,
			   unsigned int num_objects, unsigned int num_fences)
{
	unsigned int i;
	int ret;

	for (i = 0; i < num_objects; i++) {
		ret = drm_exec_prepare_obj(exec, objects[i], num_fences);
		if (ret)
			return ret;
	}
	return 0;
}
