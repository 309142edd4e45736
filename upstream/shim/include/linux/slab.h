/* SPDX-License-Identifier: MIT */
/* The runtime's allocator: accounting and fault injection (linux/kcompat.h). */
#ifndef _UPSTREAM_SHIM_SLAB_H
#define _UPSTREAM_SHIM_SLAB_H

#include <string.h>
#include <linux/compiler.h>
/* Allocating code returns errnos; the kernel's slab.h reaches err.h too. */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

void *urt_alloc(size_t size, gfp_t flags);
void *urt_realloc(void *p, size_t size, gfp_t flags);
void urt_free(const void *p);

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return urt_alloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return urt_alloc(size, flags | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	return check_mul_overflow(n, size, &bytes) ? NULL : urt_alloc(bytes, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void *krealloc(const void *p, size_t size, gfp_t flags)
{
	return urt_realloc((void *)p, size, flags);
}

static inline void *kmemdup(const void *src, size_t size, gfp_t flags)
{
	void *p = urt_alloc(size, flags);

	if (p)
		memcpy(p, src, size);
	return p;
}

static inline void kfree(const void *p)
{
	urt_free(p);
}

/*
 * 7.0's typed allocators: the size comes from the variable or type, the
 * GFP flags are optional (GFP_KERNEL if left out).
 */
#define __kobj_second(a, b, ...)	b
#define __kobj_gfp(...)			__kobj_second(0, ##__VA_ARGS__, GFP_KERNEL)
#define kmalloc_obj(obj, ...)		\
	((typeof(obj) *)kmalloc(sizeof(obj), __kobj_gfp(__VA_ARGS__)))
#define kzalloc_obj(obj, ...)		\
	((typeof(obj) *)kzalloc(sizeof(obj), __kobj_gfp(__VA_ARGS__)))

#define kvmalloc(size, flags)		kmalloc(size, flags)
#define kvzalloc(size, flags)		kzalloc(size, flags)
#define kvmalloc_array(n, s, flags)	kmalloc_array(n, s, flags)
#define kvfree(p)			kfree(p)

#endif
