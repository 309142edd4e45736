/* SPDX-License-Identifier: MIT */
/*
 * Minimal test harness: TEST() cases registered in a table, CHECK() that
 * records a failure with file:line and goes on, and a main() that runs all
 * cases, prints "N passed, N failed" and exits non-zero on any failure.
 * A case fails if a CHECK fails or if it left an unexpected WARN behind.
 */
#ifndef GPUVM_TEST_H
#define GPUVM_TEST_H

#include <stdio.h>
#include <string.h>
#include <linux/kcompat.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern int test_failures;	/* CHECK failures of the running case */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		test_failures++;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long __a = (unsigned long long)(a);		\
	unsigned long long __b = (unsigned long long)(b);		\
	if (__a != __b) {						\
		fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: 0x%llx != 0x%llx\n", \
			__FILE__, __LINE__, #a, #b, __a, __b);		\
		test_failures++;					\
	}								\
} while (0)

/* Expect exactly @n WARNs since the last call (then reset the count). */
#define CHECK_WARNS(n) do {						\
	CHECK_EQ(kcompat_warn_count(), (n));				\
	kcompat_warn_reset();						\
} while (0)

#define TEST(name) static void name(void)

/* Each test file ends with TEST_MAIN(case1, case2, ...). */
#define TEST_MAIN(...)							\
	int main(void)							\
	{								\
		static void (*const fns[])(void) = { __VA_ARGS__ };	\
		static const char names[] = #__VA_ARGS__;		\
		return test_run_all(fns, sizeof(fns) / sizeof(fns[0]), names); \
	}

int test_run_all(void (*const *fns)(void), size_t n, const char *names);

#endif
