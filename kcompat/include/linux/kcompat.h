/* SPDX-License-Identifier: MIT */
/*
 * Debug hooks of the kernel environment (kcompat/): WARN accounting, the
 * allocator's fault injection and accounting, the execution context, and
 * lockdep's graph. This is the documented way for tests, the harness and
 * tools to observe and steer what runs on kcompat. Nothing here exists in
 * the kernel.
 *
 * Each GPUVM links its own instance of kcompat (lib/ these names, the
 * upstream backend the same names prefixed upstream_): counters, WARNs,
 * fault injection and the lockdep graph are per instance.
 */
#ifndef _KCOMPAT_LINUX_KCOMPAT_H
#define _KCOMPAT_LINUX_KCOMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/compiler.h>

/* ---- WARN accounting ------------------------------------------------- */

/**
 * typedef kcompat_warn_hook_t - called once per WARN, after it is counted
 * @file: source file of the WARN site
 * @line: line of the WARN site
 * @msg: the formatted message, without a trailing newline
 *
 * A harness uses it to abort() at once, so that the fuzzer and the
 * sanitizers see the WARN where it happened.
 */
typedef void (*kcompat_warn_hook_t)(const char *file, int line, const char *msg);

/** kcompat_warn() - report a WARN; used by the WARN() family, not by hand */
__cold __printf(3, 4) void kcompat_warn(const char *file, int line, const char *fmt, ...);

/** kcompat_warn_count() - number of WARNs since start or the last reset */
unsigned long kcompat_warn_count(void);

/** kcompat_warn_reset() - zero the WARN count and forget the last message */
void kcompat_warn_reset(void);

/** kcompat_warn_last() - "file:line: message" of the most recent WARN, or "" */
const char *kcompat_warn_last(void);

/** kcompat_warn_set_hook() - install @hook (NULL removes it); returns the old one */
kcompat_warn_hook_t kcompat_warn_set_hook(kcompat_warn_hook_t hook);

/** kcompat_warn_set_quiet() - stop (or resume) printing WARNs to stderr */
void kcompat_warn_set_quiet(bool quiet);

/* ---- allocator --------------------------------------------------------- */

/**
 * struct kcompat_alloc_stats - allocator accounting
 * @live: allocations not yet freed
 * @live_bytes: bytes in those allocations
 * @total: allocations that succeeded since start
 * @failed: allocations failed by fault injection
 */
struct kcompat_alloc_stats {
	size_t live;
	size_t live_bytes;
	uint64_t total;
	uint64_t failed;
};

/** kcompat_alloc_stats() - a snapshot of the allocator's counters */
struct kcompat_alloc_stats kcompat_alloc_stats(void);

/**
 * kcompat_alloc_fail_nth() - make the @nth allocation from now fail
 * @nth: 1 fails the next allocation, 0 disarms
 *
 * One-shot: after that allocation has failed, allocations succeed again.
 */
void kcompat_alloc_fail_nth(unsigned long nth);

/**
 * kcompat_alloc_fail_random() - fail allocations at random
 * @seed: seed of the private generator (runs are reproducible)
 * @per_million: chance of failure per allocation, 0 disarms
 */
void kcompat_alloc_fail_random(uint64_t seed, uint32_t per_million);

/** kcompat_alloc_fail_reset() - disarm every fault injection */
void kcompat_alloc_fail_reset(void);

/* ---- execution context ----------------------------------------------- */

/**
 * kcompat_in_signalling() - inside a dma_fence_begin_signalling() section?
 *
 * In such a section taking a dma_resv lock, allocating with GFP_KERNEL and
 * dropping the last reference of a GEM object are findings, as lockdep's
 * dma-fence annotations make them in the kernel.
 */
bool kcompat_in_signalling(void);

/** kcompat_in_atomic() - is the running task holding a spinlock? */
bool kcompat_in_atomic(void);

/**
 * kcompat_noalloc_locks_held() - number of "no allocation" mutexes held
 *
 * A mutex initialised with mutex_init_noalloc() (the GEM gpuva lock) may
 * be taken in the fence-signalling path, so nothing may allocate with
 * GFP_KERNEL while holding it.
 */
unsigned int kcompat_noalloc_locks_held(void);

/* ---- lockdep ------------------------------------------------------------ */

/**
 * kcompat_lockdep_reset() - forget every lock class and dependency
 *
 * Starts a new generation of the graph, primes the kernel's boot-time
 * order (reservation, fs_reclaim, dma_fence_map) and turns validation
 * back on after a report. The harness calls it before each script and
 * each fuzz input, so a report always replays from that one input. No
 * lock may be held.
 */
void kcompat_lockdep_reset(void);

/** kcompat_lockdep_set_enabled() - turn validation on or off (on at start) */
void kcompat_lockdep_set_enabled(bool enabled);

/**
 * struct kcompat_lockdep_stats - the graph of the current generation
 * @classes: lock classes seen
 * @edges: dependencies recorded
 * @reports: reports made (at most one: validation stops after it)
 */
struct kcompat_lockdep_stats {
	unsigned int classes;
	unsigned int edges;
	unsigned int reports;
};

struct kcompat_lockdep_stats kcompat_lockdep_stats(void);

#endif /* _KCOMPAT_LINUX_KCOMPAT_H */
