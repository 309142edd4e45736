/* SPDX-License-Identifier: MIT */
/*
 * The part of the kernel's mm.h upstream's drm_gpuvm.c includes it for:
 * what it reaches through it (err.h, sizes.h, slab.h), and get_order(),
 * which the mm tree's folio-scratchpad allocator sizes its pools with.
 */
#ifndef _UPSTREAM_EMUL_MM_H
#define _UPSTREAM_EMUL_MM_H

#include <asm/page.h>
#include <linux/err.h>
#include <linux/sizes.h>
#include <linux/slab.h>

/* The page order that covers @size bytes: 0 for up to a page. */
static inline int get_order(unsigned long size)
{
	int order = 0;

	size = size ? (size - 1) >> PAGE_SHIFT : 0;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

#endif
