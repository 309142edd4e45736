/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_MM_H
#define _UPSTREAM_SHIM_MM_H

#include <linux/err.h>
#include <linux/slab.h>

#endif
