/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_SPINLOCK_H
#define _UPSTREAM_SHIM_SPINLOCK_H

#include <pthread.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	pthread_mutex_t m;
	struct lockdep_map dep_map;
} spinlock_t;

void urt_spin_init(spinlock_t *lock, const char *name);
void urt_spin_lock(spinlock_t *lock);
void urt_spin_unlock(spinlock_t *lock);

#define spin_lock_init(l)	urt_spin_init(l, #l)
#define spin_lock(l)		urt_spin_lock(l)
#define spin_unlock(l)		urt_spin_unlock(l)

#endif
