/* SPDX-License-Identifier: MIT */
/*
 * Sleeping mutex: a pthread mutex plus ownership tracking. Recursive
 * locking, unlocking a mutex the thread does not hold and destroying a held
 * mutex are WARNs instead of hangs or undefined behaviour.
 */
#ifndef _GPUVM_LINUX_MUTEX_H
#define _GPUVM_LINUX_MUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/bug.h>
#include <linux/lockdep.h>

struct mutex {
	pthread_mutex_t raw;
	struct lockdep_map dep_map;
};

void __mutex_init(struct mutex *lock, const char *name, unsigned int flags);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#define mutex_init(lock)	__mutex_init((lock), #lock, 0)

/* A mutex that may be taken in the fence-signalling path: no allocation under it. */
#define mutex_init_noalloc(lock) __mutex_init((lock), #lock, LOCKDEP_NOALLOC)

static inline int mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

static inline bool mutex_is_locked(struct mutex *lock)
{
	return READ_ONCE(lock->dep_map.owner) != NULL;
}

#endif /* _GPUVM_LINUX_MUTEX_H */
