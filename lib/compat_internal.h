/* SPDX-License-Identifier: MIT */
/* Shared between the compat-layer sources only. */
#ifndef _GPUVM_COMPAT_INTERNAL_H
#define _GPUVM_COMPAT_INTERNAL_H

#include <stdbool.h>

/* A spinlock is held by the calling thread. */
bool kcompat_in_atomic(void);

#endif
