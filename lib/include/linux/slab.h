/* SPDX-License-Identifier: MIT */
/*
 * Heap allocation with the kernel's names, backed by malloc with a small
 * header for live-allocation accounting and a magic word that catches frees
 * of foreign or already freed pointers even without ASan. Fault injection
 * and the counters are in <linux/kcompat.h>.
 *
 * GFP_KERNEL may sleep: using it in atomic context (a spinlock held), in a
 * fence-signalling section or under a no-alloc mutex is a WARN.
 */
#ifndef _GPUVM_LINUX_SLAB_H
#define _GPUVM_LINUX_SLAB_H

#include <stddef.h>
#include <linux/types.h>

#define __GFP_ZERO	0x1u
#define __GFP_NOWARN	0x2u
#define __GFP_NORETRY	0x4u
#define __GFP_ATOMIC	0x8u	/* does not sleep */
#define GFP_KERNEL	0x0u
#define GFP_NOWAIT	__GFP_ATOMIC
#define GFP_ATOMIC	__GFP_ATOMIC

void *kmalloc(size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t size, gfp_t gfp);
void kfree(const void *p);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

#define kvmalloc(size, gfp)	kmalloc(size, gfp)
#define kvzalloc(size, gfp)	kzalloc(size, gfp)
#define kvfree(p)		kfree(p)

#endif /* _GPUVM_LINUX_SLAB_H */
