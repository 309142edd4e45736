/* SPDX-License-Identifier: MIT */
/*
 * Lock ownership tracking, standing in for lockdep. Every lock of the
 * compat layer embeds a struct lockdep_map named dep_map that records the
 * owning thread, so "is this lock held by me?" is a real check and a failed
 * lockdep_assert_held() is a counted WARN naming the lock and the call site.
 */
#ifndef _GPUVM_LINUX_LOCKDEP_H
#define _GPUVM_LINUX_LOCKDEP_H

#include <stdbool.h>
#include <linux/bug.h>
#include <linux/compiler.h>

/* Lock classes with rules of their own. */
#define LOCKDEP_NOALLOC		0x1u	/* no GFP_KERNEL allocation while held */
#define LOCKDEP_ATOMIC		0x2u	/* a spinlock: holder is in atomic context */

struct lockdep_map {
	const void *owner;	/* owning thread's token, NULL when free */
	const char *name;
	unsigned int flags;
};

/*
 * The calling thread's execution context. Internal to the compat layer:
 * it is here only so that the checks on hot paths inline; read it through
 * the helpers below and <linux/kcompat.h>.
 */
struct kcompat_thread {
	char token;			/* its address identifies the thread */
	unsigned int atomic;		/* spinlocks held */
	unsigned int noalloc;		/* LOCKDEP_NOALLOC mutexes held */
	unsigned int signalling;	/* nesting of signalling sections */
};

extern __thread struct kcompat_thread kcompat_thread;

static inline const void *kcompat_self(void)
{
	return &kcompat_thread.token;
}

static inline bool kcompat_lock_held_by_me(const struct lockdep_map *map)
{
	return READ_ONCE(map->owner) == kcompat_self();
}

void lockdep_init_map(struct lockdep_map *map, const char *name, unsigned int flags);
void kcompat_lock_acquired(struct lockdep_map *map);
void kcompat_lock_released(struct lockdep_map *map);
/* Report a failed assertion: @held is what the assertion wanted. */
void kcompat_assert_failed(const struct lockdep_map *map, bool held, const char *expr,
			   const char *file, int line);

#define lockdep_is_held(l)	kcompat_lock_held_by_me(&(l)->dep_map)

#define lockdep_assert_held(l) do {					\
	if (unlikely(!kcompat_lock_held_by_me(&(l)->dep_map)))		\
		kcompat_assert_failed(&(l)->dep_map, true, #l, __FILE__, __LINE__); \
} while (0)

#define lockdep_assert_not_held(l) do {					\
	if (unlikely(kcompat_lock_held_by_me(&(l)->dep_map)))		\
		kcompat_assert_failed(&(l)->dep_map, false, #l, __FILE__, __LINE__); \
} while (0)

/* Assert an arbitrary lock condition, as the kernel's lockdep_assert(). */
#define lockdep_assert(cond) \
	WARN(!(cond), "lockdep_assert(%s) failed", #cond)

#endif /* _GPUVM_LINUX_LOCKDEP_H */
