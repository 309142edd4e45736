/* SPDX-License-Identifier: MIT */
#ifndef _GPUVM_LINUX_CONTAINER_OF_H
#define _GPUVM_LINUX_CONTAINER_OF_H
#include <linux/compiler.h>
#endif
