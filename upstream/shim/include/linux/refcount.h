/* SPDX-License-Identifier: MIT */
/*
 * lib/'s refcount_t (saturating, WARNs on increment from zero, overflow
 * and underflow), with the WARNs counted by the upstream runtime
 * (kcompat_refcount_bad is urt_refcount_bad here). The *_and_*lock()
 * calls take the runtime's locks, not lib/'s: refcount_dec_and_lock()
 * here, refcount_dec_and_mutex_lock() in upstream/runtime/lock.c, under a
 * name of its own.
 */
#ifndef _UPSTREAM_SHIM_REFCOUNT_H
#define _UPSTREAM_SHIM_REFCOUNT_H

#include <linux/kcompat.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#define refcount_dec_and_mutex_lock	urt_refcount_dec_and_mutex_lock
#include "../../../../lib/include/linux/refcount.h"

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

#endif
