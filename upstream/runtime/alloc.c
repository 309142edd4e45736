// SPDX-License-Identifier: MIT
/*
 * The upstream runtime's allocator: malloc with a header that remembers
 * the size, so that live allocations and bytes can be counted, plus
 * one-shot fault injection. GFP_KERNEL inside a signalling section is a
 * WARN, as lockdep makes it in the kernel.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/bug.h>
#include <linux/kcompat.h>
#include <linux/slab.h>

/* Keeps the payload 16-byte aligned, as malloc's is. */
struct hdr {
	size_t size;
	size_t pad;
};

static struct kcompat_alloc_stats stats;
static unsigned long fail_nth;

static bool should_fail(void)
{
	if (!fail_nth || --fail_nth)
		return false;
	stats.failed++;
	return true;
}

void *urt_alloc(size_t size, gfp_t flags)
{
	struct hdr *h;

	WARN((flags & GFP_KERNEL) && urt_in_signalling(),
	     "GFP_KERNEL allocation in a fence-signalling section");
	if (should_fail() || size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	if (flags & __GFP_ZERO)
		memset(h + 1, 0, size);
	h->size = size;
	stats.live++;
	stats.live_bytes += size;
	stats.total++;
	return h + 1;
}

void urt_free(const void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)p - 1;
	stats.live--;
	stats.live_bytes -= h->size;
	free(h);
}

/* As krealloc: on failure the old block stays as it was. */
void *urt_realloc(void *p, size_t size, gfp_t flags)
{
	void *n;

	if (!p)
		return urt_alloc(size, flags);
	n = urt_alloc(size, flags & ~__GFP_ZERO);
	if (!n)
		return NULL;
	memcpy(n, p, ((struct hdr *)p - 1)->size < size ? ((struct hdr *)p - 1)->size : size);
	urt_free(p);
	return n;
}

struct kcompat_alloc_stats urt_alloc_stats(void)
{
	return stats;
}

void urt_alloc_fail_nth(unsigned long nth)
{
	fail_nth = nth;
}

void urt_alloc_fail_reset(void)
{
	fail_nth = 0;
}
