/* SPDX-License-Identifier: MIT */
/*
 * refcount_t as the kernel's: saturates, and WARNs on increment from zero,
 * overflow and underflow instead of wrapping.
 */
#ifndef _UPSTREAM_SHIM_REFCOUNT_H
#define _UPSTREAM_SHIM_REFCOUNT_H

#include <limits.h>
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

/* Saturate and WARN (lib/compat_warn.c): a broken count must leak, never free twice. */
void kcompat_refcount_bad(refcount_t *r, int old, const char *what);

/* False if @old -> @new is a valid step, else saturate, WARN and true. */
static inline bool urt_refcount_check(refcount_t *r, int old, int new, const char *what)
{
	if (likely(old > 0 && new > 0) || (new == 0 && old == 1))
		return false;
	kcompat_refcount_bad(r, old, what);
	return true;
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs, &old, old + 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	urt_refcount_check(r, old, old + 1, "saturated; leaking memory");
	return true;
}

static inline void refcount_inc(refcount_t *r)
{
	int old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);

	if (!old)
		urt_refcount_check(r, old, 1, "addition on 0; use-after-free");
	else
		urt_refcount_check(r, old, old + 1, "saturated; leaking memory");
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_RELEASE);

	if (urt_refcount_check(r, old, old - 1, "underflow; use-after-free"))
		return false;
	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

/* Drop a reference; if it was the last, return true with @lock held. */
static inline bool refcount_dec_and_mutex_lock(refcount_t *r, struct mutex *lock)
{
	int old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	/* Fast path: not the last reference, no lock. */
	while (old > 1)
		if (__atomic_compare_exchange_n(&r->refs, &old, old - 1, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
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
	int old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	while (old > 1)
		if (__atomic_compare_exchange_n(&r->refs, &old, old - 1, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return false;
	spin_lock(lock);
	if (!refcount_dec_and_test(r)) {
		spin_unlock(lock);
		return false;
	}
	return true;
}

#endif
