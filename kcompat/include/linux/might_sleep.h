/* SPDX-License-Identifier: MIT */
/*
 * might_sleep(): a point that may sleep. Reached in atomic context (a
 * spinlock held) it is the kernel's "BUG: sleeping function called from
 * invalid context", here a WARN naming the site.
 */
#ifndef _KCOMPAT_LINUX_MIGHT_SLEEP_H
#define _KCOMPAT_LINUX_MIGHT_SLEEP_H

#include <stdbool.h>

void kcompat_might_sleep(const char *file, int line);

#define might_sleep()		kcompat_might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond)	do { if (cond) might_sleep(); } while (0)

#endif /* _KCOMPAT_LINUX_MIGHT_SLEEP_H */
