/* SPDX-License-Identifier: MIT */
/*
 * Allocation flags. What matters here is the kernel's distinction between
 * allocations that may sleep and enter reclaim (GFP_KERNEL: direct reclaim
 * allowed) and those that may not (GFP_NOWAIT, GFP_ATOMIC): only the first
 * kind is checked against the context it runs in (<linux/slab.h>).
 */
#ifndef _KCOMPAT_LINUX_GFP_H
#define _KCOMPAT_LINUX_GFP_H

#include <stdbool.h>
#include <linux/types.h>

#define __GFP_ZERO		0x01u
#define __GFP_NOWARN		0x02u
#define __GFP_NORETRY		0x04u
#define __GFP_HIGH		0x08u	/* may use reserves */
#define __GFP_DIRECT_RECLAIM	0x10u	/* may sleep and reclaim */
#define __GFP_FS		0x20u	/* reclaim may call into filesystems */
#define __GFP_IO		0x40u	/* reclaim may start I/O */
#define __GFP_RECLAIM		__GFP_DIRECT_RECLAIM

#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_NOWAIT		0u
#define GFP_ATOMIC		__GFP_HIGH

/* Whether an allocation with @gfp may sleep (and so enter reclaim). */
static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

#endif /* _KCOMPAT_LINUX_GFP_H */
