/* SPDX-License-Identifier: MIT */
/* Shared between the GPUVM sources of lib/ only. */
#ifndef _GPUVM_INTERNAL_H
#define _GPUVM_INTERNAL_H

#include <drm/drm_gpuvm.h>

/*
 * GPUVM_UPSTREAM_QUIRKS (compile-time, default off) restores upstream's
 * behaviour where ours is only stricter: zero-length ranges, wrapping
 * lookups, and the "wrong side" results of find_prev/find_next.
 */
#ifdef GPUVM_UPSTREAM_QUIRKS
#define UPSTREAM_QUIRKS 1
#else
#define UPSTREAM_QUIRKS 0
#endif

/* Inclusive last address; wraps for a zero range at 0, as upstream's tree. */
static inline u64 gpuva_last(const struct drm_gpuva *va)
{
	return va->va.addr + va->va.range - 1;
}

/* First VA (address order) overlapping the closed probe [first, last]. */
struct drm_gpuva *gpuvm_lookup(struct drm_gpuvm *gpuvm, u64 first, u64 last);

/* A list node that was never linked (zeroed) or was re-initialised. */
static inline bool node_unlinked(const struct list_head *node)
{
	return !node->next || node->next == node;
}

#endif
