/* SPDX-License-Identifier: MIT */
#ifndef _KCOMPAT_LINUX_BITS_H
#define _KCOMPAT_LINUX_BITS_H

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))

#endif
