// SPDX-License-Identifier: MIT
/*
 * Tasks: the execution context the kernel's checks look at (locks held,
 * atomic context, fence signalling). Each thread runs its own task until
 * kcompat_set_current() switches it to another.
 */
#include <linux/bug.h>
#include <linux/kcompat.h>
#include <linux/lockdep.h>
#include "internal.h"

__thread struct kcompat_task *kcompat_cur;
static __thread struct kcompat_task own;

struct kcompat_task *kcompat_task_self(void)
{
	if (!own.name)
		own.name = "task";
	kcompat_cur = &own;
	return &own;
}

struct kcompat_task *kcompat_set_current(struct kcompat_task *task)
{
	struct kcompat_task *old = kcompat_current();

	kcompat_cur = task ? task : kcompat_task_self();
	return old;
}

const struct kcompat_held_lock *kcompat_held_with(const struct kcompat_task *task,
						  unsigned int flags)
{
	unsigned int i;

	for (i = task->depth; i--;)
		if (task->held[i].map->flags & flags)
			return &task->held[i];
	return NULL;
}

bool kcompat_in_atomic(void)
{
	return kcompat_current()->atomic != 0;
}

bool kcompat_in_signalling(void)
{
	return kcompat_lock_is_held(&kcompat_dma_fence_map);
}

unsigned int kcompat_noalloc_locks_held(void)
{
	return kcompat_current()->noalloc;
}

void kcompat_might_sleep(const char *file, int line)
{
	const struct kcompat_task *t = kcompat_current();
	const struct kcompat_held_lock *h;

	if (likely(!t->atomic))
		return;
	h = kcompat_held_with(t, LOCKDEP_ATOMIC);
	kcompat_warn(file, line,
		     "sleeping function called from invalid context: %s holds spinlock %s, taken at %s:%d",
		     t->name, h ? h->map->name : "?", h ? h->file : "?", h ? h->line : 0);
}
