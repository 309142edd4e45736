/* SPDX-License-Identifier: MIT */
/* RCU publication: a release store; readers are not concurrent here. */
#ifndef _KCOMPAT_LINUX_RCUPDATE_H
#define _KCOMPAT_LINUX_RCUPDATE_H

#include <asm/barrier.h>

#define rcu_assign_pointer(p, v)	smp_store_release(&(p), (v))
#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_CONSUME)
#define rcu_dereference_raw(p)		rcu_dereference(p)

#endif
