/* SPDX-License-Identifier: MIT */
/*
 * The lock-free list behind GPUVM's bo_defer (6.19+): lib/'s llist.h,
 * which builds unchanged on the shims once container_of() is there.
 */
#ifndef _UPSTREAM_SHIM_LLIST_H
#define _UPSTREAM_SHIM_LLIST_H

#include <linux/container_of.h>
#include "../../../../lib/include/linux/llist.h"

#endif
