/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_MUTEX_H
#define _UPSTREAM_SHIM_MUTEX_H

#include <pthread.h>
#include <linux/lockdep.h>

struct mutex {
	pthread_mutex_t m;
	struct lockdep_map dep_map;
};

void urt_mutex_init(struct mutex *lock, const char *name);
void urt_mutex_destroy(struct mutex *lock);
void urt_mutex_lock(struct mutex *lock);
void urt_mutex_unlock(struct mutex *lock);

#define mutex_init(l)		urt_mutex_init(l, #l)
#define mutex_destroy(l)	urt_mutex_destroy(l)
#define mutex_lock(l)		urt_mutex_lock(l)
#define mutex_unlock(l)		urt_mutex_unlock(l)
#define mutex_is_locked(l)	((l)->dep_map.owner != 0)

#endif
