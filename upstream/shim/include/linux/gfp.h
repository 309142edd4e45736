/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_GFP_H
#define _UPSTREAM_SHIM_GFP_H

#include <linux/types.h>

#define __GFP_ZERO	0x1u
#define __GFP_NOWARN	0x2u
#define GFP_KERNEL	0x10u
#define GFP_NOWAIT	0x20u
#define GFP_ATOMIC	0x40u

#endif
