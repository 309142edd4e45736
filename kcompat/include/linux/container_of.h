/* SPDX-License-Identifier: MIT */
#ifndef _KCOMPAT_LINUX_CONTAINER_OF_H
#define _KCOMPAT_LINUX_CONTAINER_OF_H

#include <stddef.h>

/* The structure of type @type whose member @member @ptr points to. */
#define container_of(ptr, type, member) ({				\
	const __typeof__(((type *)0)->member) *__mptr = (ptr);	\
	(type *)((char *)__mptr - offsetof(type, member)); })

#endif /* _KCOMPAT_LINUX_CONTAINER_OF_H */
