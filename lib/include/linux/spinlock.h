/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks with ownership tracking. Holding one puts the thread in atomic
 * context: sleeping allocations and mutexes taken under it are WARNs.
 */
#ifndef _GPUVM_LINUX_SPINLOCK_H
#define _GPUVM_LINUX_SPINLOCK_H

#include <pthread.h>
#include <linux/bug.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	pthread_mutex_t raw;
	struct lockdep_map dep_map;
} spinlock_t;

void __spin_lock_init(spinlock_t *lock, const char *name);
void spin_lock_destroy(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);

#define spin_lock_init(lock)	__spin_lock_init((lock), #lock)
#define assert_spin_locked(lock) lockdep_assert_held(lock)

#endif /* _GPUVM_LINUX_SPINLOCK_H */
