/* SPDX-License-Identifier: MIT */
#ifndef _KCOMPAT_LINUX_CONST_H
#define _KCOMPAT_LINUX_CONST_H

#define UL(x)	(x##UL)
#define ULL(x)	(x##ULL)

#endif
