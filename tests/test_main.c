// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <linux/kcompat.h>
#include "test.h"

int test_failures;

/* Copy the @i-th comma-separated name out of @names. */
static void nth_name(const char *names, size_t i, char *out, size_t len)
{
	const char *p = names, *end;
	size_t n;

	while (i-- && (p = strchr(p, ',')))
		p++;
	if (!p) {
		snprintf(out, len, "?");
		return;
	}
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	end = strchr(p, ',');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int test_run_all(void (*const *fns)(void), size_t n, const char *names)
{
	size_t i, passed = 0, failed = 0;
	char name[128];

	kcompat_warn_set_quiet(getenv("TEST_VERBOSE") == NULL);
	for (i = 0; i < n; i++) {
		struct kcompat_alloc_stats before = kcompat_alloc_stats();
		struct kcompat_alloc_stats after;

		nth_name(names, i, name, sizeof(name));
		test_failures = 0;
		kcompat_warn_reset();
		fns[i]();
		if (kcompat_warn_count()) {
			fprintf(stderr, "%s: unexpected WARN: %s\n", name, kcompat_warn_last());
			test_failures++;
		}
		after = kcompat_alloc_stats();
		if (after.live != before.live) {
			fprintf(stderr, "%s: leaked %zu allocation(s)\n", name,
				after.live - before.live);
			test_failures++;
		}
		kcompat_alloc_fail_reset();
		if (test_failures) {
			fprintf(stderr, "FAIL %s\n", name);
			failed++;
		} else {
			printf("ok %s\n", name);
			passed++;
		}
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}
