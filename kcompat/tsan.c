// SPDX-License-Identifier: MIT
/*
 * ThreadSanitizer: lock order is lockdep's to judge (lockdep.c), with the
 * kernel's rules and per lock class, where TSan's graph sees single
 * mutexes. Reservations are wound/wait mutexes, taken in whatever order a
 * drm_exec loop meets them and resolved by backing off; and a deliberate
 * inversion that lockdep must report (its tests, the scheduler's) is no
 * TSan finding. TSan keeps data races. Linked once per binary, however
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
	return "deadlock:*ww_mutex_lock*\n"
	       "deadlock:*kcompat_mutex_lock*\n"
	       "deadlock:*kcompat_spin_lock*\n";
}
#else
/* ISO C wants something in every translation unit. */
typedef int kcompat_tsan_unused;
#endif
