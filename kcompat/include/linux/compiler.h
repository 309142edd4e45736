/* SPDX-License-Identifier: MIT */
/* Branch hints, compiler barriers and single-copy accesses. */
#ifndef _KCOMPAT_LINUX_COMPILER_H
#define _KCOMPAT_LINUX_COMPILER_H

#include <stddef.h>
#include <linux/compiler_types.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define barrier()	__asm__ __volatile__("" ::: "memory")

/*
 * Single accesses the compiler may not tear or fuse. Relaxed atomics give
 * the same guarantee and keep ThreadSanitizer informed.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* _KCOMPAT_LINUX_COMPILER_H */
