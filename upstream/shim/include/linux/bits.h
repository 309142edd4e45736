/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_BITS_H
#define _UPSTREAM_SHIM_BITS_H

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))

#endif
