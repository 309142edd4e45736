/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_CONST_H
#define _UPSTREAM_SHIM_CONST_H

#define UL(x)	(x##UL)
#define ULL(x)	(x##ULL)

#endif
