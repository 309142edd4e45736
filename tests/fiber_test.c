// SPDX-License-Identifier: MIT
/*
 * Fibers (kcompat/fiber.c): they run only when switched to, in the order
 * switched, keep their frames across switches, hand control back to
 * their caller when done, and die on their guard page when they overflow
 * their stack instead of writing past it. Under ASan and TSan the same
 * cases run with the sanitizers told of every switch: a false report
 * there fails the test.
 */
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <fenv.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kcompat/fiber.h>
#include "test.h"

#define STACK	(64 * 1024)

static struct kcompat_fiber *main_fiber, *a, *b;
static char trace[64];
static size_t ntrace;

static void note(char c)
{
	if (ntrace < sizeof(trace) - 1)
		trace[ntrace++] = c;
}

/* a and b pass control around: a1 b1 a2 b2 a3, then both finish. */
static void run_a(void *arg)
{
	(void)arg;
	note('a');
	kcompat_fiber_switch(b);
	note('a');
	kcompat_fiber_switch(b);
	note('a');
}

static void run_b(void *arg)
{
	(void)arg;
	note('b');
	kcompat_fiber_switch(a);
	note('b');
	kcompat_fiber_switch(main_fiber);
	note('B');
}

TEST(switches_run_in_order)
{
	main_fiber = kcompat_fiber_self();
	CHECK(kcompat_fiber_self() == main_fiber);
	a = kcompat_fiber_create(run_a, NULL, STACK);
	b = kcompat_fiber_create(run_b, NULL, STACK);
	CHECK(a && b);
	ntrace = 0;
	memset(trace, 0, sizeof(trace));
	/* Nothing runs before it is switched to. */
	CHECK_EQ(ntrace, 0);
	kcompat_fiber_switch(a);
	/* a, b, a, b; then b switched back here. */
	CHECK(!strcmp(trace, "abab"));
	CHECK(!kcompat_fiber_done(a) && !kcompat_fiber_done(b));
	CHECK(kcompat_fiber_self() == main_fiber);
	/*
	 * b runs on ('B') and finishes: its caller, the last to switch to it,
	 * is this fiber, so control comes back here and a still waits.
	 */
	kcompat_fiber_switch(b);
	CHECK(!strcmp(trace, "ababB"));
	CHECK(kcompat_fiber_done(b) && !kcompat_fiber_done(a));
	/* a was last switched out by b; it finishes and returns here too. */
	kcompat_fiber_switch(a);
	CHECK(!strcmp(trace, "ababBa"));
	CHECK(kcompat_fiber_done(a));
	kcompat_fiber_destroy(a);
	kcompat_fiber_destroy(b);
}

/* Frames survive switches: a recursion that switches out at the bottom. */
static unsigned long depth_sum(unsigned int n)
{
	volatile unsigned long here[8];
	unsigned long s = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		here[i] = n * 8 + i;
	if (n)
		s = depth_sum(n - 1);
	else
		kcompat_fiber_switch(main_fiber);
	for (i = 0; i < 8; i++)
		s += here[i];
	return s;
}

static unsigned long result;

static void run_deep(void *arg)
{
	result = depth_sum((unsigned int)(uintptr_t)arg);
}

TEST(frames_survive_switches)
{
	struct kcompat_fiber *f, *g;
	unsigned long want = 0;
	unsigned int i;

	main_fiber = kcompat_fiber_self();
	f = kcompat_fiber_create(run_deep, (void *)(uintptr_t)100, STACK);
	g = kcompat_fiber_create(run_deep, (void *)(uintptr_t)50, STACK);
	CHECK(f && g);
	kcompat_fiber_switch(f);		/* f at its bottom */
	kcompat_fiber_switch(g);		/* g at its bottom, f's frames kept */
	result = 0;
	kcompat_fiber_switch(f);		/* f unwinds and finishes */
	for (i = 0; i < 101 * 8; i++)
		want += i;
	CHECK_EQ(result, want);
	CHECK(kcompat_fiber_done(f));
	kcompat_fiber_switch(g);
	CHECK_EQ(result, (51 * 8 - 1) * (51 * 8) / 2);
	CHECK(kcompat_fiber_done(g));
	kcompat_fiber_destroy(f);
	kcompat_fiber_destroy(g);
	/* Never run: destroyed as it is. */
	kcompat_fiber_destroy(kcompat_fiber_create(run_deep, NULL, STACK));
}

/* Far deeper than any stack: the guard page stops it first. */
static volatile unsigned long overflow_limit = ~0ul;

static unsigned long overflow(unsigned long n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n == overflow_limit)
		return 0;
	return overflow(n + 1) + pad[0];
}

static void run_overflow(void *arg)
{
	(void)arg;
	result = overflow(0);
}

/* A fiber overflowing its stack dies on the guard page (in a child). */
TEST(overflow_hits_the_guard_page)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		struct kcompat_fiber *f = kcompat_fiber_create(run_overflow, NULL, STACK);
		int null = open("/dev/null", O_WRONLY);

		/* The sanitizers' report of it is expected: not for the log. */
		if (null >= 0)
			dup2(null, STDERR_FILENO);

		if (f)
			kcompat_fiber_switch(f);
		_exit(0);	/* not reached if the guard page works */
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	/* Killed by SIGSEGV, or a sanitizer's report of it and its exit. */
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

/* Two fibers that each stop once at the bottom of a recursion, to the end. */
static void run_two(bool interleaved)
{
	struct kcompat_fiber *f = kcompat_fiber_create(run_deep, (void *)(uintptr_t)10, STACK);
	struct kcompat_fiber *g = kcompat_fiber_create(run_deep, (void *)(uintptr_t)10, STACK);
	struct kcompat_fiber *order[4] = { f, f, g, g };
	unsigned int i;

	if (interleaved) {
		order[1] = g;
		order[2] = f;
	}
	for (i = 0; i < 4; i++)
		kcompat_fiber_switch(order[i]);
	kcompat_fiber_destroy(f);
	kcompat_fiber_destroy(g);
}

/*
 * The sanitizers were told of every switch: run fibers in a child with
 * its stderr in a file, and find no complaint there (without the
 * annotations ASan warns of a stack it cannot place, and TSan's call
 * stacks go wrong until it faults).
 */
TEST(sanitizers_follow_the_switches)
{
	char path[] = "/tmp/fiber_test.XXXXXX";
	int fd = mkstemp(path);
	char buf[4096];
	ssize_t n;
	pid_t pid;
	int status;

	CHECK(fd >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		main_fiber = kcompat_fiber_self();
		/* One after the other, then interleaved. */
		run_two(false);
		run_two(true);
		fprintf(stderr, "%s", "");	/* an intercepted call after it all */
		_exit(kcompat_fiber_self() == main_fiber ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	/*
	 * ASan's swapcontext interceptor always says it "doesn't fully
	 * support" it; what matters is whether it knew each stack.
	 */
	if (strstr(buf, "__asan_handle_no_return") || strstr(buf, "ERROR") ||
	    strstr(buf, "ThreadSanitizer")) {
		fprintf(stderr, "the child said:\n%s", buf);
		test_failures++;
	}
	close(fd);
	unlink(path);
}

/* The sanitizers warn once per process: the child must switch first. */
/*
 * The floating-point control state is the fiber's own, as the ABI makes it
 * callee-saved: a rounding mode set in one fiber is not seen in another,
 * and is still set when the fiber comes back.
 */
static int mode_seen_in_fiber;

static void rounds_up(void *arg)
{
	(void)arg;
	fesetround(FE_UPWARD);
	kcompat_fiber_switch(main_fiber);
	mode_seen_in_fiber = fegetround();
}

TEST(floating_point_modes_are_per_fiber)
{
	struct kcompat_fiber *f = kcompat_fiber_create(rounds_up, NULL, STACK);

	main_fiber = kcompat_fiber_self();
	CHECK(f != NULL);
	CHECK_EQ(fegetround(), FE_TONEAREST);
	kcompat_fiber_switch(f);
	CHECK_EQ(fegetround(), FE_TONEAREST);
	kcompat_fiber_switch(f);
	CHECK(kcompat_fiber_done(f));
	CHECK_EQ(mode_seen_in_fiber, FE_UPWARD);
	CHECK_EQ(fegetround(), FE_TONEAREST);
	kcompat_fiber_destroy(f);
}

TEST_MAIN(sanitizers_follow_the_switches, switches_run_in_order, frames_survive_switches,
	  overflow_hits_the_guard_page, floating_point_modes_are_per_fiber)
