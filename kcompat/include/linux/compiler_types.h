/* SPDX-License-Identifier: MIT */
/*
 * The attributes and helper macros kernel code takes for granted. Kbuild
 * forces the kernel's compiler_types.h into every compile; the upstream
 * backend forces this one the same way (//bazel:copts.bzl), and
 * <linux/compiler.h> includes it for everything else.
 */
#ifndef _KCOMPAT_LINUX_COMPILER_TYPES_H
#define _KCOMPAT_LINUX_COMPILER_TYPES_H

/* glibc defines some of the same names: take its definitions first. */
#include <sys/cdefs.h>

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __cold			__attribute__((__cold__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __noreturn		__attribute__((__noreturn__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define __preserve_most
#define __rcu
#define __iomem
#define __user
#define __force
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define fallthrough		__attribute__((__fallthrough__))

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#endif /* _KCOMPAT_LINUX_COMPILER_TYPES_H */
