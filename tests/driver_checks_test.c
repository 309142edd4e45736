// SPDX-License-Identifier: MIT
/*
 * The kernel environment's checks reach through the whole harness: a
 * driver that breaks a lock or context rule in one command, or mishandles
 * a device reference, is a finding of the executor, at that command or at
 * the one that closes the cycle, while the same script on the correct
 * driver model runs clean. Built twice: on lib/ and, as
 * driver_checks_test_upstream, on upstream's own drm_gpuvm.c, whose
 * driver model runs on its own instance of kcompat/.
 *
 * The broken drivers are the driver model with one operation patched.
 * They reach the GPUVM objects through the backend's handles, which point
 * at the driver model's VMs and objects (gvm_backend.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gpuvm.h>
#include "fuzz/gvm_api.h"
#include "fuzz/gvm_exec.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_run.h"
#include "test.h"

#ifdef GVM_TEST_UPSTREAM
#define create_backend	gvm_backend_upstream_create
#else
#define create_backend	gvm_backend_lean_create
#endif

static struct gvm_backend_ops patched, orig;

static struct drm_gpuvm *vm_of(struct gvm_be_vm *hvm)
{
	return (struct drm_gpuvm *)hvm;
}

static struct drm_gem_object *obj_of(struct gvm_be_bo *hbo)
{
	return (struct drm_gem_object *)hbo;
}

/* The driver model with @patch applied to its ops (NULL: unpatched). */
static void (*patch)(struct gvm_backend_ops *ops);
/* run() with gvm_exec_opts.known_findings */
static bool known;
/* Backend flags the driver model does not get (a driver deaf to them). */
static unsigned int deaf_to;

static struct gvm_backend *create_patched(const struct gvm_sink *sink, unsigned int flags)
{
	struct gvm_backend *be = create_backend(sink, flags & ~deaf_to);

	if (be && patch) {
		orig = *be->ops;
		patched = *be->ops;
		patch(&patched);
		be->ops = &patched;
	}
	return be;
}

/*
 * Run @text on the driver model patched by @p; returns the line of the
 * first command that is a finding (0: none, the end's checks included),
 * with what was reported in @err.
 */
static unsigned int run(const char *text, void (*p)(struct gvm_backend_ops *ops), char *err,
			size_t len)
{
	struct gvm_exec_opts o = { .name = "t", .backend = create_patched,
				   .known_findings = known };
	struct gvm_script s = { 0 };
	unsigned int line = 0;
	struct gvm_exec *x;
	size_t i;
	FILE *f;

	memset(err, 0, len);
	f = fmemopen(err, len - 1, "w");
	o.err = f;
	patch = p;
	CHECK_EQ(gvm_parse("t", text, strlen(text), &s, err, len), 0);
	x = gvm_exec_create(&o);
	for (i = 0; i < s.n && !line; i++)
		if (gvm_exec_run(x, &s.cmds[i]))
			line = s.cmds[i].line;
	if (!line && gvm_exec_finish(x))
		line = ~0u;
	gvm_exec_destroy(x);
	gvm_script_free(&s);
	fclose(f);
	patch = NULL;
	/* What the broken driver left behind is not this test's business. */
	kcompat_warn_reset();
	return line;
}

/* The finding at @line mentions @what, and the unpatched model runs clean. */
static void expect(const char *text, void (*p)(struct gvm_backend_ops *ops), unsigned int line,
		   const char *what)
{
	char err[4096];
	unsigned int got = run(text, p, err, sizeof(err));

	CHECK_EQ(got, line);
	if (getenv("TEST_VERBOSE"))
		fputs(err, stderr);
	if (!strstr(err, what)) {
		fprintf(stderr, "want \"%s\" in:\n%s", what, err);
		test_failures++;
	}
	CHECK_EQ(run(text, NULL, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "unpatched:\n%s", err);
}

/* ---- lock order across two commands --------------------------------------- */

/* Eviction taking the gpuva mutex before the resv: the reverse of everyone else. */
static int evict_backwards(struct gvm_backend *be, struct gvm_be_bo *hbo, bool evict)
{
	struct drm_gem_object *obj = obj_of(hbo);

	(void)be;
	(void)evict;
	mutex_lock(&obj->gpuva.lock);
	dma_resv_lock(obj->resv, NULL);
	dma_resv_unlock(obj->resv);
	mutex_unlock(&obj->gpuva.lock);
	return 0;
}

static void patch_evict(struct gvm_backend_ops *ops)
{
	ops->evict = evict_backwards;
}

TEST(ab_ba_across_two_commands)
{
	/* The map takes the resv, then the gpuva mutex (every driver's order). */
	expect("vm 0 0x0 0x10000\nbo 1\nevict 1 1\nmap 0 0x0 0x1000 1 0x0\n", patch_evict, 4,
	       "possible circular locking dependency detected");
}

/* ---- fence-signalling rules ---------------------------------------------------- */

/* A "cleanup" that locks the VM's resv in a signalling section. */
static void cleanup_resv_signalling(struct gvm_backend *be, struct gvm_be_vm *hvm)
{
	bool cookie = dma_fence_begin_signalling();

	(void)be;
	dma_resv_lock(drm_gpuvm_resv(vm_of(hvm)), NULL);
	dma_resv_unlock(drm_gpuvm_resv(vm_of(hvm)));
	dma_fence_end_signalling(cookie);
}

static void patch_cleanup_resv(struct gvm_backend_ops *ops)
{
	ops->cleanup = cleanup_resv_signalling;
}

TEST(resv_lock_in_a_signalling_section)
{
	expect("vm 0 0x0 0x10000\ncleanup 0\n", patch_cleanup_resv, 2,
	       "is trying to acquire reservation_ww_class_mutex");
}

/* A "cleanup" that allocates under the VM's extobj spinlock. */
static void cleanup_alloc_atomic(struct gvm_backend *be, struct gvm_be_vm *hvm)
{
	struct drm_gpuvm *gpuvm = vm_of(hvm);
	void *p;

	(void)be;
	spin_lock(&gpuvm->extobj.lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&gpuvm->extobj.lock);
	kfree(p);
}

static void patch_cleanup_alloc(struct gvm_backend_ops *ops)
{
	ops->cleanup = cleanup_alloc_atomic;
}

TEST(sleeping_allocation_under_a_spinlock)
{
	expect("vm 0 0x0 0x10000\ncleanup 0\n", patch_cleanup_alloc, 2,
	       "sleeping function called from invalid context");
}

#if GVM_HAS_IMMEDIATE_MODE
/* An obtain that allocates (its bookkeeping, say) under the gpuva mutex first. */
static int obtain_alloc_locked(struct gvm_backend *be, struct gvm_be_vm *hvm,
			       struct gvm_be_bo *hbo)
{
	struct drm_gem_object *obj = obj_of(hbo);
	void *p;

	mutex_lock(&obj->gpuva.lock);
	p = kzalloc(64, GFP_KERNEL);
	mutex_unlock(&obj->gpuva.lock);
	kfree(p);
	return orig.obtain(be, hvm, hbo);
}

static void patch_obtain(struct gvm_backend_ops *ops)
{
	ops->obtain = obtain_alloc_locked;
}

TEST(sleeping_allocation_under_the_gpuva_mutex)
{
	expect("vm 0 0x0 0x10000 immediate\nbo 1\nobtain 0 1\nput 0 1\n", patch_obtain, 3,
	       "a lock the fence-signalling path takes");
}
#endif

/* ---- device references ------------------------------------------------------- */

static void cleanup_dev_get(struct gvm_backend *be, struct gvm_be_vm *hvm)
{
	(void)be;
	drm_dev_get(vm_of(hvm)->drm);
}

static void cleanup_dev_put(struct gvm_backend *be, struct gvm_be_vm *hvm)
{
	(void)be;
	drm_dev_put(vm_of(hvm)->drm);
}

static void patch_dev_get(struct gvm_backend_ops *ops)
{
	ops->cleanup = cleanup_dev_get;
}

static void patch_dev_put(struct gvm_backend_ops *ops)
{
	ops->cleanup = cleanup_dev_put;
}

TEST(leaked_device_reference)
{
	expect("vm 0 0x0 0x10000\ncleanup 0\n", patch_dev_get, 2,
	       "drm_device: 3 reference(s), expected 2");
}

TEST(over_put_device_reference)
{
	expect("vm 0 0x0 0x10000\ncleanup 0\n", patch_dev_put, 2,
	       "drm_device: 1 reference(s), expected 2");
}

/* ---- known upstream findings ------------------------------------------------ */

/*
 * A known upstream finding: on upstream, @text's line @line is a finding
 * whose report mentions @what; lib/ runs it clean; with known_findings
 * the driver model looks past it on both.
 */
static void expect_known(const char *text, unsigned int line, const char *what)
{
	char err[4096];

#ifdef GVM_TEST_UPSTREAM
	CHECK_EQ(run(text, NULL, err, sizeof(err)), line);
	if (!strstr(err, what)) {
		fprintf(stderr, "unexpected:\n%s", err);
		test_failures++;
	}
#else
	(void)line;
	(void)what;
	CHECK_EQ(run(text, NULL, err, sizeof(err)), 0);
#endif
	known = true;
	CHECK_EQ(run(text, NULL, err, sizeof(err)), 0);
	known = false;
}

/*
 * docs/upstream-findings.md 3: upstream's find_prev answers the VA at the
 * address when nothing is mapped before it.
 */
TEST(known_finding_is_looked_past)
{
	expect_known("vm 0 0x0 0x100000\nbo 1\nmap 0 0x10000 0x1000 1 0x0\n"
		     "lookup 0 0x10000 0x1000\n",
		     4, "drm_gpuva_find_prev found 0x10000+0x1000, want -");
}

/*
 * docs/upstream-findings.md 6: upstream's drm_gpuvm_exec_lock_array()
 * with no fences to reserve reserves none all the same, which WARNs; with
 * known_findings the driver reserves one.
 */
TEST(lock_array_without_fences_is_looked_past)
{
	expect_known("vm 0 0x0 0x100000\nbo 1\nmap 0 0x0 0x1000 1 0x0\nlock 0 objects 1\n",
		     4, "WARN_ON(!num_fences)");
}

/*
 * Another VM's private object: the driver model lets it into a VM, or
 * with known_findings refuses it as panthor, nouveau and msm do
 * (tests/hazards/foreign_private_object.gvm). The model expects the
 * refusal then: a driver that lets it in is a finding, by map or obtain.
 */
TEST(foreign_private_object_is_refused_with_known_findings)
{
	static const char map_first[] = "vm 0 0x0 0x100000\nvm 1 0x0 0x100000 resv_protected\n"
					 "bo 1 private 0\nmap 1 0x0 0x1000 1 0x0\nobtain 1 1\n"
					 "map 0 0x0 0x1000 1 0x0\nobtain 0 1\nput 0 1\n";
	static const char obtain_first[] = "vm 0 0x0 0x100000\nvm 1 0x0 0x100000\n"
					    "bo 1 private 0\nobtain 1 1\nput 1 1\n";
	char err[4096];

	CHECK_EQ(run(map_first, NULL, err, sizeof(err)), 0);
	CHECK_EQ(run(obtain_first, NULL, err, sizeof(err)), 0);
	known = true;
	CHECK_EQ(run(map_first, NULL, err, sizeof(err)), 0);
	CHECK_EQ(run(obtain_first, NULL, err, sizeof(err)), 0);
	deaf_to = GVM_KNOWN_FINDINGS;
	CHECK_EQ(run(map_first, NULL, err, sizeof(err)), 4);
	if (!strstr(err, "EINVAL")) {
		fprintf(stderr, "unexpected:\n%s", err);
		test_failures++;
	}
	CHECK_EQ(run(obtain_first, NULL, err, sizeof(err)), 4);
	deaf_to = 0;
	known = false;
}

/* ---- vm_bos by preallocation on staged VMs ----------------------------------- */

/*
 * Object 1 on two staged VMs, one RESV_PROTECTED: every bind but the
 * first of a VM finds the vm_bo there, so a preallocating driver's prealloc
 * is dropped again (under the VM's resv on the protected one).
 */
static const char prealloc_script[] =
	"vm 0 0x0 0x100000%s\n"
	"vm 1 0x0 0x100000 resv_protected%s\n"
	"bo 1\n"
	"bo 2 private 0\n"
	"map 0 0x0 0x2000 1 0x0\n"
	"map 0 0x2000 0x1000 1 0x2000\n"
	"obtain 1 1\n"
	"map 1 0x0 0x1000 1 0x0\n"
	"obtain 0 1\n"
	"put 0 1\n"
	"put 1 1\n"
	"map 0 0x4000 0x1000 2 0x0\n"
	"evict 1 1\n"
	"validate 1\n"
	"unmap 0 0x1000 0x4000\n"
	"dump 0\n"
	"dump 1\n"
	"bo_unmap 1 1\n"
	"close 1\n"
	"destroy 1\n"
	"dump 0\n";

/* @text's output on the unpatched driver model; 0, or the failing line. */
static unsigned int run_out(const char *text, char *out, size_t len, const char **unsupported)
{
	struct gvm_exec_opts o = { .name = "t", .err = stderr };
	struct gvm_script s = { 0 };
	char err[256];
	unsigned int line = 0;
	struct gvm_exec *x;
	size_t i;

	memset(out, 0, len);
	o.out = fmemopen(out, len - 1, "w");
	o.backend = create_backend;
	CHECK_EQ(gvm_parse("t", text, strlen(text), &s, err, sizeof(err)), 0);
	x = gvm_exec_create(&o);
	*unsupported = NULL;
	for (i = 0; i < s.n && !*unsupported; i++)
		*unsupported = gvm_exec_unsupported(x, &s.cmds[i]);
	for (i = 0; i < s.n && !line && !*unsupported; i++)
		if (gvm_exec_run(x, &s.cmds[i]))
			line = s.cmds[i].line;
	if (!line && !*unsupported && gvm_exec_finish(x))
		line = ~0u;
	gvm_exec_destroy(x);
	gvm_script_free(&s);
	fclose(o.out);
	return line;
}

/*
 * Before 7.0 (Debian's 6.12) obtain_prealloc serves staged VMs as obtain
 * does: the same output, every check clean. lib/ has the 7.0 API, which
 * refuses it outside immediate mode, and so does the driver model.
 */
TEST(staged_prealloc)
{
	static char with[8192], without[8192], a[16384], b[16384];
	const char *why;

	snprintf(with, sizeof(with), prealloc_script, " prealloc", " prealloc");
	snprintf(without, sizeof(without), prealloc_script, "", "");
	CHECK_EQ(run_out(without, b, sizeof(b), &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(run_out(with, a, sizeof(a), &why), 0);
	if (!GVM_HAS_STAGED_PREALLOC) {
		CHECK(why && strstr(why, "obtain_prealloc outside immediate mode"));
		return;
	}
	CHECK(why == NULL);
	CHECK(strstr(a, "vm_bo bo1 refs=") != NULL);
	if (strcmp(a, b)) {
		fprintf(stderr, "prealloc:\n%s\nobtain_locked:\n%s", a, b);
		test_failures++;
	}
}

/* ---- threads ------------------------------------------------------------------ */

/*
 * Run @text, threads and all (gvm_run), on the driver model patched by @p,
 * in a child process: a deadlock leaves locks held and objects alive for
 * good, which the test process must not inherit. Returns the exit status
 * of the run (0 clean, 1 a finding), its stderr in @err.
 */
static int run_threads(const char *text, void (*p)(struct gvm_backend_ops *ops), char *err,
		       size_t len)
{
	int fds[2], status = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	memset(err, 0, len);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct gvm_exec_opts o = { .name = "t", .backend = create_patched };
		struct gvm_script s = { 0 };
		struct gvm_run *r;
		int ret = 0;
		size_t i;

		close(fds[0]);
		dup2(fds[1], 2);	/* the sanitizers' reports too */
		o.err = fdopen(fds[1], "w");
		patch = p;
		if (!o.err || gvm_parse("t", text, strlen(text), &s, err, len))
			_exit(3);
		r = gvm_run_create(&o, create_patched, "patched", NULL, NULL);
		for (i = 0; i < s.n && !ret; i++)
			ret = gvm_run_cmd(r, &s.cmds[i]);
		ret |= gvm_run_finish(r);
		fflush(o.err);
		_exit(ret);	/* nothing torn down: a deadlock's leftovers stay */
	}
	close(fds[1]);
	while (got < len - 1 && (n = read(fds[0], err + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The eviction that takes the gpuva mutex before the resv, racing a map
 * that takes them the other way, on two threads. Run one after the other
 * (no schedule) lockdep reports the inversion; interleaved, the two
 * deadlock, and the executor names the wait-for chain and the switch
 * points before it. Which decisions interleave them depends on the code
 * under test: some pair of records within the first few dozen does.
 */
TEST(ab_ba_on_two_threads_deadlocks)
{
	static const char head[] = "vm 0 0x0 0x10000\nbo 1\n";
	static const char body[] = "@1 map 0 0x0 0x1000 1 0x0\n@2 evict 1 1\n";
	char text[512], err[16384];
	unsigned int a, b;
	bool found = false;

	snprintf(text, sizeof(text), "%s%s", head, body);
	CHECK_EQ(run_threads(text, patch_evict, err, sizeof(err)), 1);
	CHECK(strstr(err, "possible circular locking dependency detected") != NULL);
	CHECK_EQ(run_threads(text, NULL, err, sizeof(err)), 0);

	/* Thread 2 first, preempted after it took the gpuva mutex. */
	for (a = 1; a <= 3 && !found; a++) {
		for (b = a + 1; b <= 40 && !found; b++) {
			snprintf(text, sizeof(text), "%sschedule %u 2\nschedule %u 1\n%s", head,
				 a, b, body);
			if (run_threads(text, patch_evict, err, sizeof(err)) != 1 ||
			    !strstr(err, "deadlock: every thread is blocked"))
				continue;
			found = true;
			if (getenv("TEST_VERBOSE"))
				fprintf(stderr, "%s\n%s", text, err);
			CHECK(strstr(err, "T2 ioctl waits for reservation_ww_class_mutex") != NULL);
			CHECK(strstr(err, "T1 ioctl waits for &obj->gpuva.lock") != NULL);
			CHECK(strstr(err, "(a cycle: T") != NULL);
			CHECK(strstr(err, "the last switch points, oldest first:") != NULL);
			/* the correct model never deadlocks, under the same schedule */
			CHECK_EQ(run_threads(text, NULL, err, sizeof(err)), 0);
		}
	}
	CHECK(found);
}

/* A WARN on a thread names the command, and the switch points before it. */
TEST(warn_on_a_thread)
{
	char err[16384];

	CHECK_EQ(run_threads("vm 0 0x0 0x10000\nvm 1 0x0 0x10000\n@1 cleanup 0\n@2 cleanup 1\n",
			     patch_cleanup_alloc, err, sizeof(err)), 1);
	CHECK(strstr(err, "BUG: t:3: WARN: ") != NULL);
	CHECK(strstr(err, "sleeping function called from invalid context") != NULL);
	CHECK(strstr(err, "the last switch points, oldest first:\n  T1 ioctl ") != NULL);
	CHECK(strstr(err, "&gpuvm->extobj.lock") != NULL);
	CHECK_EQ(run_threads("vm 0 0x0 0x10000\nvm 1 0x0 0x10000\n@1 cleanup 0\n@2 cleanup 1\n",
			     NULL, err, sizeof(err)), 0);
}

/* A "cleanup" that reads memory it has just freed. */
static void cleanup_use_after_free(struct gvm_backend *be, struct gvm_be_vm *hvm)
{
	volatile char *p = kmalloc(16, GFP_KERNEL);

	(void)be;
	(void)hvm;
	kfree((void *)p);
	(void)p[3];
}

static void patch_cleanup_uaf(struct gvm_backend_ops *ops)
{
	ops->cleanup = cleanup_use_after_free;
}

/* Only ASan runtimes have it: the rest cannot see a use after free. */
int __asan_address_is_poisoned(void const volatile *addr) __attribute__((weak));

/* A sanitizer's report on a thread is followed by the switch points before it. */
TEST(sanitizer_report_on_a_thread)
{
	char err[65536];

	if (!__asan_address_is_poisoned)
		return;
	CHECK(run_threads("vm 0 0x0 0x10000\n@1 lookup 0 0x0 0x1000\n@2 cleanup 0\n",
			  patch_cleanup_uaf, err, sizeof(err)) != 0);
	if (getenv("TEST_VERBOSE"))
		fputs(err, stderr);
	CHECK(strstr(err, "ERROR: AddressSanitizer: heap-use-after-free") != NULL);
	CHECK(strstr(err, "the last switch points before the sanitizer's report, oldest first:\n"
			  "  T1 ioctl ") != NULL);
	CHECK(strstr(err, "  T2 ioctl    free.") != NULL);
}

TEST_MAIN(known_finding_is_looked_past, lock_array_without_fences_is_looked_past,
	  foreign_private_object_is_refused_with_known_findings,
	  ab_ba_across_two_commands, resv_lock_in_a_signalling_section,
	  sleeping_allocation_under_a_spinlock,
#if GVM_HAS_IMMEDIATE_MODE
	  sleeping_allocation_under_the_gpuva_mutex,
#endif
	  leaked_device_reference, over_put_device_reference, staged_prealloc,
	  ab_ba_on_two_threads_deadlocks, warn_on_a_thread, sanitizer_report_on_a_thread)
