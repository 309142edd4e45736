/* SPDX-License-Identifier: MIT */
/*
 * Kernel integer types and the list node types. The system's uapi
 * <linux/types.h> is pulled in first: glibc headers may include it by this
 * name, and it must keep working.
 */
#ifndef _KCOMPAT_LINUX_TYPES_H
#define _KCOMPAT_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* Kernel headers use BIT() everywhere and reach bits.h by many paths. */
#include <linux/bits.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef unsigned int gfp_t;

#define U32_MAX		UINT32_MAX
#define U64_MAX		UINT64_MAX

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif /* _KCOMPAT_LINUX_TYPES_H */
