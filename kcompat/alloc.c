// SPDX-License-Identifier: MIT
/*
 * kmalloc and friends over malloc. Each block carries a header with its
 * size and a magic word; live blocks are counted so that tests can assert
 * "nothing leaked", and allocations can be failed on purpose. Where an
 * allocation may sleep is lockdep's business (might_alloc()).
 */
#include <stdlib.h>
#include <string.h>
#include <kcompat/sched.h>
#include <linux/bug.h>
#include <linux/kcompat.h>
#include <linux/lockdep.h>
#include <linux/slab.h>

#define ALLOC_MAGIC	0x6770766du	/* "gpvm" */
#define FREED_MAGIC	0xdeadf4eeu

struct alloc_hdr {
	size_t size;
	uint32_t magic;
	uint32_t pad;
};

/*
 * Counters are per thread, written by their thread only (plain loads and
 * stores, no locked instructions on the allocation path) and summed on
 * demand. A block is never freed: it stays reachable from the registry.
 */
struct alloc_counters {
	uint64_t allocs, frees, bytes_in, bytes_out, failed;
	struct alloc_counters *next;
};

static struct alloc_counters *registry;
static __thread struct alloc_counters *mine;

static struct {
	unsigned long fail_nth;
	uint64_t rng;
	uint32_t fail_per_million;
} st;

static struct alloc_counters *my_counters(void)
{
	struct alloc_counters *c = mine;

	if (likely(c))
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->next = __atomic_load_n(&registry, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&registry, &c->next, c, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	mine = c;
	return c;
}

static void bump(uint64_t *counter, uint64_t by)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + by,
			 __ATOMIC_RELAXED);
}

struct kcompat_alloc_stats kcompat_alloc_stats(void)
{
	uint64_t allocs = 0, frees = 0, in = 0, out = 0, failed = 0;
	struct alloc_counters *c;

	for (c = __atomic_load_n(&registry, __ATOMIC_ACQUIRE); c; c = c->next) {
		allocs += __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
		frees += __atomic_load_n(&c->frees, __ATOMIC_RELAXED);
		in += __atomic_load_n(&c->bytes_in, __ATOMIC_RELAXED);
		out += __atomic_load_n(&c->bytes_out, __ATOMIC_RELAXED);
		failed += __atomic_load_n(&c->failed, __ATOMIC_RELAXED);
	}
	return (struct kcompat_alloc_stats){
		.live = (size_t)(allocs - frees),
		.live_bytes = (size_t)(in - out),
		.total = allocs,
		.failed = failed,
	};
}

void kcompat_alloc_fail_nth(unsigned long nth)
{
	st.fail_nth = nth;
}

void kcompat_alloc_fail_random(uint64_t seed, uint32_t per_million)
{
	st.rng = seed | 1;
	st.fail_per_million = per_million;
}

void kcompat_alloc_fail_reset(void)
{
	st.fail_nth = 0;
	st.fail_per_million = 0;
}

/* xorshift64*: small, seeded, and the same sequence on every machine. */
static uint64_t next_random(void)
{
	st.rng ^= st.rng >> 12;
	st.rng ^= st.rng << 25;
	st.rng ^= st.rng >> 27;
	return st.rng * 0x2545f4914f6cdd1dull;
}

static bool should_fail(void)
{
	if (st.fail_nth && --st.fail_nth == 0)
		return true;
	if (st.fail_per_million &&
	    (uint32_t)(next_random() >> 32) % 1000000u < st.fail_per_million)
		return true;
	return false;
}

void *kcompat_kmalloc(size_t size, gfp_t gfp, const char *file, int line)
{
	struct alloc_counters *c;
	struct alloc_hdr *h;

	kcompat_might_alloc(gfp, file, line);
	if (unlikely(kcompat_sched_on))
		kcompat_sched_point(KCOMPAT_SP_ALLOC, NULL, NULL, file, line);
	if (should_fail()) {
		bump(&my_counters()->failed, 1);
		return NULL;
	}
	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	h->magic = ALLOC_MAGIC;
	if (gfp & __GFP_ZERO)
		memset(h + 1, 0, size);
	c = my_counters();
	bump(&c->allocs, 1);
	bump(&c->bytes_in, size);
	return h + 1;
}

static struct alloc_hdr *header_of(const void *p)
{
	struct alloc_hdr *h = (struct alloc_hdr *)p - 1;

	if (h->magic != ALLOC_MAGIC) {
		WARN(1, "kfree of %p: %s", p, h->magic == FREED_MAGIC ?
		     "double free" : "not from kmalloc");
		return NULL;
	}
	return h;
}

void kcompat_kfree(const void *p, const char *file, int line)
{
	struct alloc_counters *c;
	struct alloc_hdr *h;

	if (!p)
		return;
	if (unlikely(kcompat_sched_on))
		kcompat_sched_point(KCOMPAT_SP_FREE, p, NULL, file, line);
	h = header_of(p);
	if (!h)
		return;
	kcompat_check_no_locks_freed(p, h->size, file, line);
	h->magic = FREED_MAGIC;
	c = my_counters();
	bump(&c->frees, 1);
	bump(&c->bytes_out, h->size);
	free(h);
}

void *kcompat_krealloc(const void *p, size_t size, gfp_t gfp, const char *file, int line)
{
	struct alloc_hdr *h;
	void *n;

	if (!p)
		return kcompat_kmalloc(size, gfp, file, line);
	h = header_of(p);
	if (!h)
		return NULL;
	if (size <= h->size)
		return (void *)p;
	n = kcompat_kmalloc(size, gfp & ~__GFP_ZERO, file, line);
	if (!n)
		return NULL;
	memcpy(n, p, h->size);
	if (gfp & __GFP_ZERO)
		memset((char *)n + h->size, 0, size - h->size);
	kcompat_kfree(p, file, line);
	return n;
}
