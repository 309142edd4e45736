/* SPDX-License-Identifier: MIT */
/*
 * The "folio scratchpad" allocator of an mm-tree series (not in
 * mainline), which the drm_gpuvm.[ch] of the linux-mm tree use for
 * drm_gpuva_op allocations. A scratchpad here is plain kzalloc/kfree
 * through the runtime's allocator, so the ops stay counted and
 * fault-injectable like every other allocation. Mainline trees never
 * include this header.
 */
#ifndef _UPSTREAM_EMUL_FOLIO_POOL_H
#define _UPSTREAM_EMUL_FOLIO_POOL_H

#include <linux/compiler_types.h>
#include <linux/slab.h>

struct folio_scratchpad {
	unsigned int order;	/* recorded, unused: every element is its own allocation */
};

/* The static key switching the series' allocator on: nothing to switch. */
struct folio_pool_key {
	const char *desc;
};

#define DEFINE_FOLIO_POOL_STATIC_KEY_PARAM(name, param, desc_)		\
	static struct folio_pool_key name __maybe_unused = { .desc = desc_ }

/* The key argument is not evaluated, as with the series' keys compiled out. */
#define folio_scratchpad_init_key(sp, order_, key)			\
	do { (sp)->order = (order_); } while (0)

#define folio_scratchpad_free(sp)	do { (void)(sp); } while (0)

#define folio_scratchpad_alloc_obj(owner, member, type, gfp)		\
	({ (void)&(owner)->member; (type *)kzalloc(sizeof(type), gfp); })

#define folio_scratchpad_free_elem(p)	kfree(p)

#endif
