// SPDX-License-Identifier: MIT
/* WARN accounting: count, remember the last message, print, call the hook. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/kcompat.h>
#include <linux/refcount.h>
#include <kcompat/sched.h>

static unsigned long warn_count;
static char warn_last[2304];
static kcompat_warn_hook_t warn_hook;
static bool warn_quiet;

void kcompat_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[2048];	/* a lockdep report is a few lines */
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Kernel format strings end in "\n"; our reports add their own. */
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';

	__atomic_add_fetch(&warn_count, 1, __ATOMIC_RELAXED);
	/* Under a schedule, the switch points that led here stay printable. */
	kcompat_sched_freeze_trace();
	snprintf(warn_last, sizeof(warn_last), "%s:%d: %s", file, line, msg);
	if (!warn_quiet)
		fprintf(stderr, "WARNING: %s\n", warn_last);
	if (warn_hook)
		warn_hook(file, line, msg);
}

unsigned long kcompat_warn_count(void)
{
	return __atomic_load_n(&warn_count, __ATOMIC_RELAXED);
}

void kcompat_warn_reset(void)
{
	__atomic_store_n(&warn_count, 0, __ATOMIC_RELAXED);
	warn_last[0] = '\0';
}

const char *kcompat_warn_last(void)
{
	return warn_last;
}

kcompat_warn_hook_t kcompat_warn_set_hook(kcompat_warn_hook_t hook)
{
	kcompat_warn_hook_t old = warn_hook;

	warn_hook = hook;
	return old;
}

void kcompat_warn_set_quiet(bool quiet)
{
	warn_quiet = quiet;
}

void kcompat_refcount_bad(refcount_t *r, int old, const char *what)
{
	/* Saturate: a broken count must leak, never free twice. */
	refcount_set(r, REFCOUNT_SATURATED);
	kcompat_warn(__FILE__, __LINE__, "refcount_t: %s (was %d)", what, old);
}
