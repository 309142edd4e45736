// SPDX-License-Identifier: MIT
/*
 * drm_exec for the kernel's include/drm/drm_exec.h, single-threaded: a
 * lock attempt never meets contention, so the retry loop runs its body
 * once. The locked objects are kept in the header's array, each with a
 * GEM reference, and unlocked in reverse order.
 */
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <linux/err.h>
#include <linux/slab.h>

/* contended before the first drm_exec_cleanup(): not yet started. */
#define NOT_STARTED	((struct drm_gem_object *)1)

static void unlock_all(struct drm_exec *exec)
{
	while (exec->num_objects) {
		struct drm_gem_object *obj = exec->objects[--exec->num_objects];

		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
	}
}

void drm_exec_init(struct drm_exec *exec, u32 flags, unsigned int nr)
{
	(void)nr;	/* the array grows on demand */
	exec->flags = flags;
	exec->num_objects = 0;
	exec->max_objects = 0;
	exec->objects = NULL;
	exec->contended = NOT_STARTED;
	exec->prelocked = NULL;
}

void drm_exec_fini(struct drm_exec *exec)
{
	unlock_all(exec);
	kvfree(exec->objects);
	exec->objects = NULL;
	exec->max_objects = 0;
	if (exec->contended != NOT_STARTED)
		ww_acquire_fini(&exec->ticket);
}

/* True to run the loop body (again); with no contention, exactly once. */
bool drm_exec_cleanup(struct drm_exec *exec)
{
	if (exec->contended == NOT_STARTED) {
		exec->contended = NULL;
		ww_acquire_init(&exec->ticket, NULL);
		return true;
	}
	return false;
}

static int track(struct drm_exec *exec, struct drm_gem_object *obj)
{
	if (exec->num_objects == exec->max_objects) {
		unsigned int max = exec->max_objects ? 2 * exec->max_objects : 8;
		struct drm_gem_object **objs = krealloc(exec->objects,
							max * sizeof(*objs), GFP_KERNEL);

		if (!objs)
			return -ENOMEM;
		exec->objects = objs;
		exec->max_objects = max;
	}
	drm_gem_object_get(obj);
	exec->objects[exec->num_objects++] = obj;
	return 0;
}

int drm_exec_lock_obj(struct drm_exec *exec, struct drm_gem_object *obj)
{
	int ret = dma_resv_lock(obj->resv, &exec->ticket);

	if (ret == -EALREADY)
		return exec->flags & DRM_EXEC_IGNORE_DUPLICATES ? 0 : -EALREADY;
	if (ret)
		return ret;
	ret = track(exec, obj);
	if (ret)
		dma_resv_unlock(obj->resv);
	return ret;
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
