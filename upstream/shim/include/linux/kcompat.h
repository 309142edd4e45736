/* SPDX-License-Identifier: MIT */
/*
 * The upstream runtime's debug hooks (upstream/runtime/), under the names
 * lib/include/linux/kcompat.h gives lib/'s, so the driver model drives
 * either backend with the same calls. The functions themselves are urt_*:
 * lib/ and the upstream runtime link into one binary.
 */
#ifndef _UPSTREAM_SHIM_KCOMPAT_H
#define _UPSTREAM_SHIM_KCOMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/compiler_types.h>

typedef void (*kcompat_warn_hook_t)(const char *file, int line, const char *msg);

struct kcompat_alloc_stats {
	size_t live;
	size_t live_bytes;
	uint64_t total;
	uint64_t failed;
};

/* Function-like, so that "struct kcompat_alloc_stats" stays itself. */
#define kcompat_warn(...)		urt_warn(__VA_ARGS__)
#define kcompat_warn_count()		urt_warn_count()
#define kcompat_warn_reset()		urt_warn_reset()
#define kcompat_warn_last()		urt_warn_last()
#define kcompat_warn_set_hook(h)	urt_warn_set_hook(h)
#define kcompat_warn_set_quiet(q)	urt_warn_set_quiet(q)
#define kcompat_alloc_stats()		urt_alloc_stats()
#define kcompat_alloc_fail_nth(n)	urt_alloc_fail_nth(n)
#define kcompat_alloc_fail_reset()	urt_alloc_fail_reset()
#define kcompat_in_signalling()		urt_in_signalling()

/* Count a WARN (file:line: message); the WARN() family calls it. */
__cold __printf(3, 4) void urt_warn(const char *file, int line, const char *fmt, ...);
unsigned long urt_warn_count(void);
void urt_warn_reset(void);
const char *urt_warn_last(void);
kcompat_warn_hook_t urt_warn_set_hook(kcompat_warn_hook_t hook);
void urt_warn_set_quiet(bool quiet);

struct kcompat_alloc_stats urt_alloc_stats(void);
/* The @nth allocation from now fails (one-shot); 0 disarms. */
void urt_alloc_fail_nth(unsigned long nth);
void urt_alloc_fail_reset(void);

/* Inside a dma_fence_begin_signalling() section? */
bool urt_in_signalling(void);

#endif
