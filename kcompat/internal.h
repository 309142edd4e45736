/* SPDX-License-Identifier: MIT */
/* Shared between the sources of kcompat/ only. */
#ifndef _KCOMPAT_INTERNAL_H
#define _KCOMPAT_INTERNAL_H

#include <stdbool.h>
#include <linux/lockdep.h>

/* lockdep.c: a new, empty generation of the graph; validation back on. */
void lockdep_clear(void);

/*
 * boot.c: what the kernel primes at boot (dma_resv_lockdep()): the order
 * reservation -> fs_reclaim -> dma_fence_map, recorded by taking them so.
 */
void kcompat_prime_lockdep(void);

/* The class name of the innermost held lock with @flags, or NULL. */
const struct kcompat_held_lock *kcompat_held_with(const struct kcompat_task *task,
						  unsigned int flags);

/*
 * sched.c: block the running scheduler thread until @map is free, or
 * @fence is signalled; the call site is the wait's, for deadlock reports.
 * Only while kcompat_sched_on.
 */
struct dma_fence;
void kcompat_sched_wait_lock(const struct lockdep_map *map, const char *file, int line);
/* ... or until @unless(@arg) holds (checked whenever the scheduler picks). */
void kcompat_sched_wait_lock_unless(const struct lockdep_map *map, const char *file, int line,
				    bool (*unless)(const void *arg), const void *arg);
void kcompat_sched_wait_fence(const struct dma_fence *fence, const char *file, int line);

#endif /* _KCOMPAT_INTERNAL_H */
