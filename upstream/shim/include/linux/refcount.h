/* SPDX-License-Identifier: MIT */
/*
 * lib/'s refcount_t (saturating, WARNs on increment from zero, overflow
 * and underflow), with the WARNs counted by the upstream runtime
 * (kcompat_refcount_bad is urt_refcount_bad here) and its *_and_*lock()
 * calls taking the runtime's locks (the shims' mutex.h and spinlock.h).
 */
#ifndef _UPSTREAM_SHIM_REFCOUNT_H
#define _UPSTREAM_SHIM_REFCOUNT_H

#include <linux/kcompat.h>
#include "../../../../lib/include/linux/refcount.h"

#endif
