/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks with ownership tracking and lockdep. Holding one puts the task
 * in atomic context: sleeping there (a mutex, a sleeping allocation) is a
 * WARN. Each spin_lock_init() call site is a lock class.
 */
#ifndef _KCOMPAT_LINUX_SPINLOCK_H
#define _KCOMPAT_LINUX_SPINLOCK_H

#include <pthread.h>
#include <linux/bug.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	pthread_mutex_t raw;
	struct lockdep_map dep_map;
} spinlock_t;

void __spin_lock_init(spinlock_t *lock, const char *name, struct lock_class_key *key);
void spin_lock_destroy(spinlock_t *lock);
void kcompat_spin_lock(spinlock_t *lock, const char *file, int line);
void kcompat_spin_unlock(spinlock_t *lock, const char *file, int line);

#define spin_lock_init(lock) do {					\
	static struct lock_class_key __key;				\
	__spin_lock_init((lock), #lock, &__key);			\
} while (0)

#define spin_lock(lock)		kcompat_spin_lock((lock), __FILE__, __LINE__)
#define spin_unlock(lock)	kcompat_spin_unlock((lock), __FILE__, __LINE__)
#define assert_spin_locked(lock) lockdep_assert_held(lock)

#endif /* _KCOMPAT_LINUX_SPINLOCK_H */
