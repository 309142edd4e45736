// SPDX-License-Identifier: MIT
/*
 * What the scheduler's switch points cost (kcompat/sched.c): a reference
 * get and put, the cheapest switch points there are, timed
 *   off        outside any schedule: what every fuzz target pays;
 *   alone      one thread under a schedule: a point, no decision;
 *   decide     two threads, no records: a decision at every point;
 *   preempt    two threads, a record at every decision: each point hands
 *              over, two fiber switches through home.
 * Output: "bench sched_<row> n=<points> ns_per_op=<ns per switch point>".
 * Exit 1 if anything WARNs or a thread saw a wrong count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kcompat/sched.h>
#include <linux/kcompat.h>
#include <linux/kref.h>

static struct kref ref;
static unsigned long pairs;	/* get+put pairs per thread */
static int bad;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void gets_and_puts(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; i < pairs; i++) {
		kref_get(&ref);
		if (refcount_dec_and_test(&ref.refcount))
			bad = 1;	/* the count never drops to zero here */
	}
}

static void row(const char *name, unsigned long points, double secs)
{
	printf("bench sched_%s n=%lu ns_per_op=%.2f\n", name, points, secs * 1e9 / (double)points);
}

/* @threads threads under @recs (NULL: no schedule at all). */
static void measure(const char *name, unsigned int threads,
		    const struct kcompat_sched_record *recs, size_t nrecs)
{
	unsigned int i;
	double t0, t1;

	kref_init(&ref);
	if (!threads) {
		t0 = now();
		gets_and_puts(NULL);
		t1 = now();
		row(name, 2 * pairs, t1 - t0);
		return;
	}
	if (kcompat_sched_init(recs, nrecs))
		exit(2);
	for (i = 0; i < threads; i++)
		if (kcompat_sched_spawn("bench", gets_and_puts, NULL) < 0)
			exit(2);
	t0 = now();
	if (kcompat_sched_run())
		bad = 1;
	t1 = now();
	if (recs && kcompat_sched_applied(NULL, 0) != nrecs)
		bad = 1;
	kcompat_sched_fini();
	row(name, 2 * pairs * threads, t1 - t0);
}

int main(int argc, char **argv)
{
	struct kcompat_sched_record *recs;
	size_t i, n;

	pairs = 1000000;
	if (argc == 2 && !strcmp(argv[1], "--quick"))
		pairs = 10000;
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
		return 2;
	}
	/* every point of both threads: A's k-th is decision 2k - 1, B's 2k */
	n = 4 * pairs;
	recs = calloc(n, sizeof(*recs));
	if (!recs)
		return 2;
	for (i = 0; i < n; i++)
		recs[i] = (struct kcompat_sched_record){ .step = i + 1, .thread = i % 2 ? 1 : 2 };

	measure("off", 0, NULL, 0);
	measure("alone", 1, NULL, 0);
	measure("decide", 2, NULL, 0);
	measure("preempt", 2, recs, n);
	free(recs);
	if (bad || kcompat_warn_count()) {
		fprintf(stderr, "sched_bench: wrong counts or %lu WARNs\n", kcompat_warn_count());
		return 1;
	}
	return 0;
}
