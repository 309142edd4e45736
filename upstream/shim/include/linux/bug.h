/* SPDX-License-Identifier: MIT */
/* WARNs are counted by the runtime and execution goes on, as in the kernel. */
#ifndef _UPSTREAM_SHIM_BUG_H
#define _UPSTREAM_SHIM_BUG_H

#include <stdlib.h>
#include <linux/compiler.h>
#include <linux/kcompat.h>

#define WARN(cond, ...) ({						\
	bool __warn_c = !!(cond);					\
	if (unlikely(__warn_c))						\
		urt_warn(__FILE__, __LINE__, __VA_ARGS__);		\
	unlikely(__warn_c);						\
})
#define WARN_ON(cond)		WARN(cond, "WARN_ON(%s)", #cond)
#define WARN_ONCE(cond, ...)	WARN(cond, __VA_ARGS__)
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG()			abort()
#define BUG_ON(cond)		do { if (unlikely(cond)) abort(); } while (0)

#endif
