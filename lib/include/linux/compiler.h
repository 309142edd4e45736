/* SPDX-License-Identifier: MIT */
/*
 * Compiler helpers the kernel-style code in lib/ relies on.
 * Only what is used; each one mirrors the kernel name and meaning.
 */
#ifndef _GPUVM_LINUX_COMPILER_H
#define _GPUVM_LINUX_COMPILER_H

#include <stddef.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define __maybe_unused	__attribute__((__unused__))
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define __must_check	__attribute__((__warn_unused_result__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define __cold		__attribute__((__cold__))

#define __PASTE_(a, b)	a##b
#define __PASTE(a, b)	__PASTE_(a, b)

/*
 * Single accesses the compiler may not tear or fuse. Relaxed atomics give
 * the same guarantee and keep ThreadSanitizer informed.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define container_of(ptr, type, member) ({				\
	const __typeof__(((type *)0)->member) *__mptr = (ptr);	\
	(type *)((char *)__mptr - offsetof(type, member)); })

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* _GPUVM_LINUX_COMPILER_H */
