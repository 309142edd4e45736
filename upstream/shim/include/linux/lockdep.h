/* SPDX-License-Identifier: MIT */
/*
 * Lock ownership as real checks: every lock of the runtime records its
 * owner, and lockdep_assert_held() WARNs unless the caller holds it.
 */
#ifndef _UPSTREAM_SHIM_LOCKDEP_H
#define _UPSTREAM_SHIM_LOCKDEP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bug.h>

/* Embedded in every lock as "dep_map", the kernel's name for it. */
struct lockdep_map {
	uintptr_t owner;	/* urt_self() of the holder, 0 when free */
	const char *name;
};

uintptr_t urt_self(void);
void urt_lock_acquired(struct lockdep_map *map);
void urt_lock_released(struct lockdep_map *map);

static inline bool urt_lock_held(const struct lockdep_map *map)
{
	return map->owner == urt_self();
}

#define lockdep_assert(cond)		WARN_ON(!(cond))
#define lockdep_assert_held(l)		WARN(!urt_lock_held(&(l)->dep_map), \
					     "lock %s not held", #l)
#define lockdep_is_held(l)		urt_lock_held(&(l)->dep_map)
#define might_sleep()			do { } while (0)
#define might_lock(l)			do { } while (0)

#endif
