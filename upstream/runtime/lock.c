// SPDX-License-Identifier: MIT
/*
 * Locks of the upstream runtime: pthread mutexes that record their owner,
 * so that lockdep_assert_held() is a real check; recursion and unlocking
 * a lock one does not hold are WARNs. Also the fence-signalling context.
 */
#include <pthread.h>
#include <linux/dma-fence.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

/* Nonzero and distinct per thread: the address of a thread-local. */
static __thread char self_tag;
static __thread unsigned int signalling;

uintptr_t urt_self(void)
{
	return (uintptr_t)&self_tag;
}

void urt_lock_acquired(struct lockdep_map *map)
{
	map->owner = urt_self();
}

void urt_lock_released(struct lockdep_map *map)
{
	map->owner = 0;
}

/* Lock @m for @map, unless that would deadlock on ourselves. */
static bool take(pthread_mutex_t *m, struct lockdep_map *map)
{
	if (WARN(urt_lock_held(map), "recursive locking of %s", map->name))
		return false;
	pthread_mutex_lock(m);
	urt_lock_acquired(map);
	return true;
}

static void drop(pthread_mutex_t *m, struct lockdep_map *map)
{
	if (WARN(!urt_lock_held(map), "unlocking %s, which we do not hold", map->name))
		return;
	urt_lock_released(map);
	pthread_mutex_unlock(m);
}

void urt_spin_init(spinlock_t *lock, const char *name)
{
	pthread_mutex_init(&lock->m, NULL);
	lock->dep_map = (struct lockdep_map){ .name = name };
}

void urt_spin_lock(spinlock_t *lock)
{
	take(&lock->m, &lock->dep_map);
}

void urt_spin_unlock(spinlock_t *lock)
{
	drop(&lock->m, &lock->dep_map);
}

void urt_mutex_init(struct mutex *lock, const char *name)
{
	pthread_mutex_init(&lock->m, NULL);
	lock->dep_map = (struct lockdep_map){ .name = name };
}

void urt_mutex_destroy(struct mutex *lock)
{
	WARN(lock->dep_map.owner, "destroying %s while it is held", lock->dep_map.name);
	pthread_mutex_destroy(&lock->m);
}

void urt_mutex_lock(struct mutex *lock)
{
	take(&lock->m, &lock->dep_map);
}

void urt_mutex_unlock(struct mutex *lock)
{
	drop(&lock->m, &lock->dep_map);
}

bool urt_in_signalling(void)
{
	return signalling;
}

bool urt_fence_begin_signalling(void)
{
	signalling++;
	return true;
}

void urt_fence_end_signalling(bool cookie)
{
	if (cookie && !WARN(!signalling, "unbalanced dma_fence_end_signalling"))
		signalling--;
}

u64 urt_fence_context_alloc(unsigned int num)
{
	static u64 next = 1;
	u64 first = next;

	next += num;
	return first;
}
