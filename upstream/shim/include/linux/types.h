/* SPDX-License-Identifier: MIT */
/*
 * Kernel integer types and the list node types. Defined here, not taken
 * from /usr/include/linux/types.h (the uapi header), which would silently
 * satisfy the include without the list types.
 */
#ifndef _UPSTREAM_SHIM_TYPES_H
#define _UPSTREAM_SHIM_TYPES_H

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

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif
