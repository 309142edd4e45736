/* SPDX-License-Identifier: MIT */
#ifndef _KCOMPAT_LINUX_BUILD_BUG_H
#define _KCOMPAT_LINUX_BUILD_BUG_H

#include <assert.h>

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

#endif
