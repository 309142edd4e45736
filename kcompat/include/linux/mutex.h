/* SPDX-License-Identifier: MIT */
/*
 * Sleeping mutex: a pthread mutex plus ownership tracking and lockdep
 * (<linux/lockdep.h>). Recursive locking, unlocking a mutex the task does
 * not hold and destroying a held mutex are WARNs instead of hangs or
 * undefined behaviour. Each mutex_init() call site is a lock class.
 */
#ifndef _KCOMPAT_LINUX_MUTEX_H
#define _KCOMPAT_LINUX_MUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/bug.h>
#include <linux/lockdep.h>

struct mutex {
	pthread_mutex_t raw;
	struct lockdep_map dep_map;
};

void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key,
		  unsigned int flags);
void mutex_destroy(struct mutex *lock);
void kcompat_mutex_lock(struct mutex *lock, const char *file, int line);
int kcompat_mutex_trylock(struct mutex *lock, const char *file, int line);
void kcompat_mutex_unlock(struct mutex *lock, const char *file, int line);

/* One lock class per call site, named after the lock expression. */
#define __mutex_init_site(lock, name, flags) do {			\
	static struct lock_class_key __key;				\
	__mutex_init((lock), (name), &__key, (flags));			\
} while (0)

#define mutex_init(lock)	__mutex_init_site((lock), #lock, 0)

/* A mutex that may be taken in the fence-signalling path: no sleeping allocation under it. */
#define mutex_init_noalloc(lock) __mutex_init_site((lock), #lock, LOCKDEP_NOALLOC)

#define mutex_lock(lock)	kcompat_mutex_lock((lock), __FILE__, __LINE__)
#define mutex_trylock(lock)	kcompat_mutex_trylock((lock), __FILE__, __LINE__)
#define mutex_unlock(lock)	kcompat_mutex_unlock((lock), __FILE__, __LINE__)
#define mutex_lock_interruptible(lock) ({ mutex_lock(lock); 0; })

static inline bool mutex_is_locked(struct mutex *lock)
{
	return READ_ONCE(lock->dep_map.owner) != NULL;
}

#endif /* _KCOMPAT_LINUX_MUTEX_H */
