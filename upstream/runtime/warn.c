// SPDX-License-Identifier: MIT
/* WARN accounting of the upstream runtime: count, remember, print, hook. */
#include <stdarg.h>
#include <stdio.h>
#include <linux/kcompat.h>

static unsigned long count;
static char last[512];
static kcompat_warn_hook_t hook;
static bool quiet;

void urt_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	count++;
	snprintf(last, sizeof(last), "%s:%d: %s", file, line, msg);
	if (!quiet)
		fprintf(stderr, "WARNING: %s\n", last);
	if (hook)
		hook(file, line, msg);
}

unsigned long urt_warn_count(void)
{
	return count;
}

void urt_warn_reset(void)
{
	count = 0;
	last[0] = '\0';
}

const char *urt_warn_last(void)
{
	return last;
}

kcompat_warn_hook_t urt_warn_set_hook(kcompat_warn_hook_t new)
{
	kcompat_warn_hook_t old = hook;

	hook = new;
	return old;
}

void urt_warn_set_quiet(bool q)
{
	quiet = q;
}
