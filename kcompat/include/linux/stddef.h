/* SPDX-License-Identifier: MIT */
#ifndef _KCOMPAT_LINUX_STDDEF_H
#define _KCOMPAT_LINUX_STDDEF_H

#include <stddef.h>
/* The kernel's stddef.h gives false/true; ours takes bool from types.h. */
#include <linux/types.h>

#define sizeof_field(type, member)	sizeof(((type *)0)->member)

#endif
