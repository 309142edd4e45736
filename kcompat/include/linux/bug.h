/* SPDX-License-Identifier: MIT */
/*
 * WARN family. A WARN prints a message with its file:line, is counted, and
 * execution goes on, as in the kernel; see <linux/kcompat.h> for the count
 * and the hook a harness uses to turn WARNs into findings.
 */
#ifndef _KCOMPAT_LINUX_BUG_H
#define _KCOMPAT_LINUX_BUG_H

#include <stdbool.h>
#include <stdlib.h>
#include <linux/compiler.h>
#include <linux/kcompat.h>

#define WARN(cond, fmt, ...) ({						\
	bool __warn_cond = !!(cond);					\
	if (unlikely(__warn_cond))					\
		kcompat_warn(__FILE__, __LINE__, fmt, ##__VA_ARGS__);	\
	unlikely(__warn_cond);						\
})

#define WARN_ON(cond)		WARN(cond, "WARN_ON(%s)", #cond)
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define WARN_ONCE(cond, fmt, ...) WARN(cond, fmt, ##__VA_ARGS__)

/* BUG() is fatal in the kernel too. */
#define BUG() do {							\
	kcompat_warn(__FILE__, __LINE__, "BUG");			\
	abort();							\
} while (0)

#define BUG_ON(cond) do { if (unlikely(cond)) BUG(); } while (0)

#endif /* _KCOMPAT_LINUX_BUG_H */
