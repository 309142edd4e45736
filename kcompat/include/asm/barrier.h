/* SPDX-License-Identifier: MIT */
/* Acquire/release accesses as the compiler's atomics. */
#ifndef _KCOMPAT_ASM_BARRIER_H
#define _KCOMPAT_ASM_BARRIER_H

#define smp_load_acquire(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)		__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
