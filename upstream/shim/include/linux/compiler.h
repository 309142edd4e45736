/* SPDX-License-Identifier: MIT */
/* Branch hints and single-copy accesses; userspace is one address space. */
#ifndef _UPSTREAM_SHIM_COMPILER_H
#define _UPSTREAM_SHIM_COMPILER_H

#include <linux/compiler_types.h>
#include <linux/types.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define barrier()	__asm__ __volatile__("" ::: "memory")

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile typeof(x) *)&(x) = (val); } while (0)

#endif
