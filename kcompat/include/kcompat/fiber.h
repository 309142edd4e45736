/* SPDX-License-Identifier: MIT */
/*
 * Fibers: logical threads that share one OS thread and switch only where
 * told to, the ground of a deterministic scheduler. Each runs on a stack
 * of its own, mmap'd with a guard page below it, and every switch tells
 * AddressSanitizer and ThreadSanitizer which stack is now in use, so both
 * stay exact across switches.
 *
 * Not thread-safe: a fiber belongs to the OS thread that created it and
 * is switched to only from that thread.
 */
#ifndef _KCOMPAT_FIBER_H
#define _KCOMPAT_FIBER_H

#include <stdbool.h>
#include <stddef.h>

struct kcompat_fiber;

typedef void kcompat_fiber_fn(void *arg);

/*
 * kcompat_fiber_create() - a fiber that will run @fn(@arg)
 *
 * On a stack of at least @stack_size bytes (rounded up to pages), with an
 * inaccessible guard page below it. It starts when first switched to;
 * when @fn returns, it is done and the fiber that last switched to it
 * runs on. Return: the fiber, or NULL when memory runs out.
 */
struct kcompat_fiber *kcompat_fiber_create(kcompat_fiber_fn *fn, void *arg, size_t stack_size);

/*
 * kcompat_fiber_self() - the running fiber: on an OS thread that never
 * switched, the thread itself (on its own stack), made a fiber on first
 * call so that others can switch back to it.
 */
struct kcompat_fiber *kcompat_fiber_self(void);

/*
 * kcompat_fiber_switch() - run @to, which must not be done nor be the
 * running fiber. Returns when a fiber switches back to this one, or when
 * @to is done and this one last switched to it.
 */
void kcompat_fiber_switch(struct kcompat_fiber *to);

/* Whether @f's function has returned. */
bool kcompat_fiber_done(const struct kcompat_fiber *f);

/*
 * kcompat_fiber_destroy() - free @f and its stack. @f must not be running
 * nor be a thread's own fiber. One switched out before it was done (a
 * deadlocked thread) loses its frames unwound: what only they referenced
 * leaks. NULL is ignored.
 */
void kcompat_fiber_destroy(struct kcompat_fiber *f);

#endif /* _KCOMPAT_FIBER_H */
