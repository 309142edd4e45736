/* SPDX-License-Identifier: MIT */
/*
 * drm_exec: lock a set of GEM objects' reservations under one ww acquire
 * context, backing off and retrying on contention. Each locked object is
 * also referenced until it is unlocked. Usage is the kernel's:
 *
 *	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
 *	drm_exec_until_all_locked(&exec) {
 *		ret = drm_exec_lock_obj(&exec, obj);
 *		drm_exec_retry_on_contention(&exec);
 *		if (ret)
 *			break;
 *	}
 *	...
 *	drm_exec_fini(&exec);
 */
#ifndef _KCOMPAT_DRM_EXEC_H
#define _KCOMPAT_DRM_EXEC_H

#include <linux/bits.h>
#include <linux/ww_mutex.h>
#include <drm/drm_gem.h>

#define DRM_EXEC_INTERRUPTIBLE_WAIT	BIT(0)
#define DRM_EXEC_IGNORE_DUPLICATES	BIT(1)

struct drm_exec {
	u32 flags;
	struct ww_acquire_ctx ticket;
	unsigned int num_objects;
	unsigned int max_objects;
	struct drm_gem_object **objects;
	/* Object to lock first on the next pass; a marker before the first. */
	struct drm_gem_object *contended;
	/* Object already locked by the back-off, expected again this pass. */
	struct drm_gem_object *prelocked;
};

void drm_exec_init(struct drm_exec *exec, u32 flags, unsigned int nr);
void drm_exec_fini(struct drm_exec *exec);
/* Start a (new) pass: true while another pass is needed. */
bool drm_exec_cleanup(struct drm_exec *exec);
int drm_exec_lock_obj(struct drm_exec *exec, struct drm_gem_object *obj);
void drm_exec_unlock_obj(struct drm_exec *exec, struct drm_gem_object *obj);
int drm_exec_prepare_obj(struct drm_exec *exec, struct drm_gem_object *obj,
			 unsigned int num_fences);
int drm_exec_prepare_array(struct drm_exec *exec, struct drm_gem_object **objects,
			   unsigned int num_objects, unsigned int num_fences);

static inline bool drm_exec_is_contended(struct drm_exec *exec)
{
	return exec->contended != NULL;
}

/*
 * The loop body runs once per pass. drm_exec_retry_on_contention() jumps
 * back to the loop head from any depth of nested loops, so it is a jump to
 * a label whose address the loop head stores in a variable of its scope.
 */
#define drm_exec_until_all_locked(exec)					\
__PASTE(__drm_exec_pass_, __LINE__):					\
	for (void *__drm_exec_restart = &&__PASTE(__drm_exec_pass_, __LINE__); \
	     (void)__drm_exec_restart, drm_exec_cleanup(exec);)

#define drm_exec_retry_on_contention(exec) do {				\
	if (unlikely(drm_exec_is_contended(exec)))			\
		goto *__drm_exec_restart;				\
} while (0)

#define drm_exec_for_each_locked_object(exec, index, obj)		\
	for ((index) = 0; (index) < (exec)->num_objects &&		\
	     ((obj) = (exec)->objects[index], 1); ++(index))

#define drm_exec_for_each_locked_object_reverse(exec, index, obj)	\
	for ((index) = (exec)->num_objects - 1;				\
	     (index) < (exec)->num_objects &&				\
	     ((obj) = (exec)->objects[index], 1); --(index))

#endif /* _KCOMPAT_DRM_EXEC_H */
