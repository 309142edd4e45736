/* SPDX-License-Identifier: MIT */
/*
 * Error pointers: the top 4095 addresses encode a negative errno, as in the
 * kernel, so that code returning ERR_PTR(-ENOMEM) reads the same here.
 */
#ifndef _KCOMPAT_LINUX_ERR_H
#define _KCOMPAT_LINUX_ERR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/compiler.h>

#define MAX_ERRNO	4095

#define IS_ERR_VALUE(x)	unlikely((uintptr_t)(void *)(x) >= (uintptr_t)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((uintptr_t)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((uintptr_t)ptr);
}

static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}

#endif /* _KCOMPAT_LINUX_ERR_H */
