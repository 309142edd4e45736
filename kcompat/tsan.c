// SPDX-License-Identifier: MIT
/*
 * ThreadSanitizer: reservations are wound/wait mutexes, taken in whatever
 * order a drm_exec loop meets them; contention is resolved by backing off,
 * not by a lock order, so TSan's lock-order graph must not judge them
 * (lockdep does, with the kernel's rules). Linked once per binary, however
 * many instances of kcompat it holds.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KCOMPAT_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(KCOMPAT_TSAN)
const char *__tsan_default_suppressions(void);

const char *__tsan_default_suppressions(void)
{
	return "deadlock:*ww_mutex_lock*\n";
}
#else
/* ISO C wants something in every translation unit. */
typedef int kcompat_tsan_unused;
#endif
