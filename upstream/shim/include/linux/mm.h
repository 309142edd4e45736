/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_MM_H
#define _UPSTREAM_SHIM_MM_H

#include <linux/err.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#define PAGE_SHIFT	12

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
