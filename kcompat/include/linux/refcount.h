/* SPDX-License-Identifier: MIT */
/*
 * Saturating reference counts. As in the kernel, an increment from zero
 * (use after free), an overflow and a decrement below zero are WARNs, and
 * the counter then saturates so the object is leaked rather than freed
 * twice. Tests and the fuzzers treat each such WARN as a finding. Every
 * increment and decrement is a switch point of the scheduler
 * (<kcompat/sched.h>); reads and sets are not.
 */
#ifndef _KCOMPAT_LINUX_REFCOUNT_H
#define _KCOMPAT_LINUX_REFCOUNT_H

#include <limits.h>
#include <stdbool.h>
#include <kcompat/sched.h>
#include <linux/bug.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

typedef struct refcount_struct {
	int refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = (n) }
#define REFCOUNT_SATURATED	(INT_MIN / 2)

static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs, n, __ATOMIC_RELAXED);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)__atomic_load_n(&r->refs, __ATOMIC_RELAXED);
}

void kcompat_refcount_bad(refcount_t *r, int old, const char *what);

static inline void refcount_inc(refcount_t *r)
{
	int old;

	kcompat_switch_point(KCOMPAT_SP_GET, r);
	old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);

	if (unlikely(old <= 0 || old == INT_MAX))
		kcompat_refcount_bad(r, old, old ? "saturated" : "addition on 0; use-after-free");
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old;

	kcompat_switch_point(KCOMPAT_SP_TRYGET, r);
	old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs, &old, old + 1, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if (unlikely(old < 0 || old == INT_MAX))
		kcompat_refcount_bad(r, old, "saturated");
	return true;
}

/* Returns true when the count dropped to zero: the caller frees. */
static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old;

	kcompat_switch_point(KCOMPAT_SP_PUT, r);
	old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_RELEASE);

	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	if (unlikely(old <= 0))
		kcompat_refcount_bad(r, old, "underflow; use-after-free");
	return false;
}

/*
 * Drop a reference unless it is the last one (or the count is already
 * broken); true if it did. The lock-free half of the *_and_*lock() calls.
 */
static inline bool refcount_dec_not_one(refcount_t *r)
{
	int old;

	kcompat_switch_point(KCOMPAT_SP_PUT, r);
	old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
	while (old > 1) {
		if (__atomic_compare_exchange_n(&r->refs, &old, old - 1, true,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Like refcount_dec_and_test(), but when the count drops to zero @lock is
 * acquired first, atomically with the final decrement; returns true with
 * @lock held in that case only. Inline, so that the upstream runtime's
 * build of this header takes its own locks.
 */
static inline bool refcount_dec_and_mutex_lock(refcount_t *r, struct mutex *lock)
{
	if (refcount_dec_not_one(r))
		return false;
	mutex_lock(lock);
	if (!refcount_dec_and_test(r)) {
		mutex_unlock(lock);
		return false;
	}
	return true;
}

static inline bool refcount_dec_and_lock(refcount_t *r, spinlock_t *lock)
{
	if (refcount_dec_not_one(r))
		return false;
	spin_lock(lock);
	if (!refcount_dec_and_test(r)) {
		spin_unlock(lock);
		return false;
	}
	return true;
}

#endif /* _KCOMPAT_LINUX_REFCOUNT_H */
