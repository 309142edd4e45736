/* SPDX-License-Identifier: MIT */
/*
 * The upstream runtime's debug hooks (upstream/runtime/), under the names
 * lib/include/linux/kcompat.h gives lib/'s, so the driver model drives
 * either backend with the same calls. The symbols themselves are urt_*:
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

/*
 * Renamed, so that lib/compat_warn.c also builds here as the upstream
 * runtime's WARN accounting (upstream/BUILD.bazel). kcompat_alloc_stats
 * is function-like: the struct of that name stays itself.
 */
#define kcompat_warn			urt_warn
#define kcompat_warn_count		urt_warn_count
#define kcompat_warn_reset		urt_warn_reset
#define kcompat_warn_last		urt_warn_last
#define kcompat_warn_set_hook		urt_warn_set_hook
#define kcompat_warn_set_quiet		urt_warn_set_quiet
#define kcompat_refcount_bad		urt_refcount_bad
#define kcompat_alloc_stats()		urt_alloc_stats()
#define kcompat_alloc_fail_nth		urt_alloc_fail_nth
#define kcompat_alloc_fail_reset	urt_alloc_fail_reset
#define kcompat_in_signalling		urt_in_signalling

/* WARN accounting, as lib/include/linux/kcompat.h documents it. */
__cold __printf(3, 4) void kcompat_warn(const char *file, int line, const char *fmt, ...);
unsigned long kcompat_warn_count(void);
void kcompat_warn_reset(void);
const char *kcompat_warn_last(void);
kcompat_warn_hook_t kcompat_warn_set_hook(kcompat_warn_hook_t hook);
void kcompat_warn_set_quiet(bool quiet);

struct kcompat_alloc_stats urt_alloc_stats(void);
/* The @nth allocation from now fails (one-shot); 0 disarms. */
void kcompat_alloc_fail_nth(unsigned long nth);
void kcompat_alloc_fail_reset(void);

/* Inside a dma_fence_begin_signalling() section? */
bool kcompat_in_signalling(void);

#endif
