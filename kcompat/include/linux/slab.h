/* SPDX-License-Identifier: MIT */
/*
 * Heap allocation with the kernel's names, backed by malloc with a small
 * header for live-allocation accounting and a magic word that catches frees
 * of foreign or already freed pointers even without ASan. Fault injection
 * and the counters are in <linux/kcompat.h>.
 *
 * An allocation that may sleep (gfpflags_allow_blocking()) is a
 * might_sleep() point and, for lockdep, an acquisition of the fs_reclaim
 * pseudo-lock: made in atomic context, in a fence-signalling section or
 * under a lock that reclaim also takes, it is reported (<linux/lockdep.h>).
 * The allocation macros record their call site for those reports.
 */
#ifndef _KCOMPAT_LINUX_SLAB_H
#define _KCOMPAT_LINUX_SLAB_H

#include <stddef.h>
#include <string.h>
#include <asm/page.h>
#include <linux/compiler.h>
/* Allocating code returns errnos; the kernel's slab.h reaches err.h too. */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/types.h>

void *kcompat_kmalloc(size_t size, gfp_t gfp, const char *file, int line);
void *kcompat_krealloc(const void *p, size_t size, gfp_t gfp, const char *file, int line);
void kcompat_kfree(const void *p, const char *file, int line);

static inline void *kcompat_kmalloc_array(size_t n, size_t size, gfp_t gfp,
					  const char *file, int line)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kcompat_kmalloc(bytes, gfp, file, line);
}

static inline void *kcompat_kmemdup(const void *src, size_t size, gfp_t gfp,
				    const char *file, int line)
{
	void *p = kcompat_kmalloc(size, gfp, file, line);

	if (p)
		memcpy(p, src, size);
	return p;
}

#define kmalloc(size, gfp)	kcompat_kmalloc((size), (gfp), __FILE__, __LINE__)
#define kzalloc(size, gfp)	kcompat_kmalloc((size), (gfp) | __GFP_ZERO, __FILE__, __LINE__)
#define krealloc(p, size, gfp)	kcompat_krealloc((p), (size), (gfp), __FILE__, __LINE__)
#define kmalloc_array(n, size, gfp) \
	kcompat_kmalloc_array((n), (size), (gfp), __FILE__, __LINE__)
#define kcalloc(n, size, gfp) \
	kcompat_kmalloc_array((n), (size), (gfp) | __GFP_ZERO, __FILE__, __LINE__)
#define kmemdup(src, size, gfp)	kcompat_kmemdup((src), (size), (gfp), __FILE__, __LINE__)
/* Freeing a block that holds a lock the task holds is a finding (lockdep). */
#define kfree(p)		kcompat_kfree((p), __FILE__, __LINE__)

#define kvmalloc(size, gfp)		kmalloc(size, gfp)
#define kvzalloc(size, gfp)		kzalloc(size, gfp)
#define kvmalloc_array(n, size, gfp)	kmalloc_array(n, size, gfp)
#define kvcalloc(n, size, gfp)		kcalloc(n, size, gfp)
/* kvrealloc() lost its old-size argument in 6.12: either form works. */
#define __kvrealloc3(p, size, gfp)	krealloc(p, size, gfp)
#define __kvrealloc4(p, old, size, gfp)	krealloc(p, size, gfp)
#define __kvrealloc_pick(_1, _2, _3, _4, name, ...)	name
#define kvrealloc(...)	\
	__kvrealloc_pick(__VA_ARGS__, __kvrealloc4, __kvrealloc3, _, _)(__VA_ARGS__)
#define kvfree(p)			kfree(p)

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

#endif /* _KCOMPAT_LINUX_SLAB_H */
