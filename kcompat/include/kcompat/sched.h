/* SPDX-License-Identifier: MIT */
/*
 * The deterministic scheduler: logical threads that run one at a time on
 * the calling OS thread, as fibers (<kcompat/fiber.h>), and change hands
 * only at switch points, the visible operations of the kernel
 * environment: lock, trylock and unlock of every lock; reference count
 * get, get-unless-zero and put; llist add and del_all; kmalloc and kfree;
 * fence signal and wait.
 *
 * Who runs is a pure function of a schedule, a list of preemption records
 * "at decision S, run thread T". A decision is a switch point at which
 * some thread other than the running one could run; decisions are
 * numbered from 1 in the order they are reached. A record may instead
 * name its point by the thread that reaches it: "when thread A reaches
 * its N-th switch point of operation OP (its 2nd unlock, say), run T";
 * such a record holds when other threads take more or fewer steps, or
 * the code under test more or fewer elsewhere. Between records the
 * running thread runs on until it blocks or finishes; then the next
 * runnable thread after it, by number, cyclically. A record naming a
 * thread that cannot run then, or the running one, or a point that is no
 * decision, is skipped. So a bug that needs d preemptions needs d records
 * (preemption bounding, as in CHESS), and deleting a record removes one
 * preemption.
 *
 * Each thread is a task of its own (<linux/lockdep.h>): the locks it
 * holds, lockdep's stack, atomic and signalling context are its own. A
 * lock held by another thread blocks the caller, as does a fence not yet
 * signalled; a ww_mutex taken under an acquire context that holds locks
 * backs off with -EDEADLK when its holder's context is older (wait-die),
 * so drm_exec's retry loops run for real. When every unfinished thread is
 * blocked, that is a deadlock: a WARN naming the wait-for chain, and
 * kcompat_sched_run() returns -EDEADLK.
 *
 * One scheduler per instance of the environment, driven from one OS
 * thread; not re-entrant. Outside kcompat_sched_run() (or on its calling
 * fiber) switch points do nothing.
 */
#ifndef _KCOMPAT_SCHED_H
#define _KCOMPAT_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a switch point is about to do. */
enum kcompat_sp {
	KCOMPAT_SP_LOCK,
	KCOMPAT_SP_TRYLOCK,
	KCOMPAT_SP_UNLOCK,
	KCOMPAT_SP_GET,
	KCOMPAT_SP_TRYGET,	/* get unless zero */
	KCOMPAT_SP_PUT,
	KCOMPAT_SP_LLIST_ADD,
	KCOMPAT_SP_LLIST_DEL_ALL,
	KCOMPAT_SP_ALLOC,
	KCOMPAT_SP_FREE,
	KCOMPAT_SP_SIGNAL,	/* fence signal */
	KCOMPAT_SP_WAIT,	/* fence wait, or a condition (kcompat_sched_wait()) */
	KCOMPAT_SP_NR
};

/* Set while a schedule is in force (kcompat_sched_init() .. _fini()). */
extern bool kcompat_sched_on;

/*
 * kcompat_sched_point() - a switch point: @op on @obj is about to happen
 * @name: what @obj is in reports (a lock's class), or NULL
 * @file, @line: the call site when the caller knows it, else NULL and 0:
 *	reports then symbolize the return address (sanitizer builds).
 *
 * Called by the environment, not by GPUVM code. The running thread may be
 * preempted here; it returns when it is scheduled again.
 */
void kcompat_sched_point(enum kcompat_sp op, const void *obj, const char *name,
			 const char *file, int line);

/* The environment's switch points: nothing but a test unless scheduling. */
static inline void kcompat_switch_point(enum kcompat_sp op, const void *obj)
{
	if (__builtin_expect(kcompat_sched_on, 0))
		kcompat_sched_point(op, obj, NULL, NULL, 0);
}

/* ---- running threads ------------------------------------------------------- */

#define KCOMPAT_SCHED_MAX_THREADS	8

/*
 * One preemption: run thread @thread (from 1) at decision @step (from 1),
 * or, with @step 0, when thread @at reaches its @nth (from 1) switch
 * point of operation @op.
 */
struct kcompat_sched_record {
	unsigned long step;
	unsigned int thread;
	unsigned int at;
	enum kcompat_sp op;
	unsigned int nth;
};

/*
 * kcompat_sched_init() - start a schedule
 * @records: preemptions, those at decisions by strictly increasing step
 *	(those at a thread's N-th operation anywhere among them); kept by
 *	reference until kcompat_sched_fini()
 * @n: how many
 *
 * Return: 0; -EBUSY if a schedule is in force; -EINVAL if the steps do not
 * increase, or a record at a thread's operation names thread 0, an
 * operation out of range or N = 0.
 */
int kcompat_sched_init(const struct kcompat_sched_record *records, size_t n);

/*
 * kcompat_sched_spawn() - a new thread that will run @fn(@arg)
 * @name: its name in reports (kept by reference)
 *
 * Before or during kcompat_sched_run(); threads are numbered from 1 in
 * the order spawned. Return: its number; -EINVAL without a schedule in
 * force, -ENOSPC past KCOMPAT_SCHED_MAX_THREADS, -ENOMEM.
 */
int kcompat_sched_spawn(const char *name, void (*fn)(void *arg), void *arg);

/*
 * kcompat_sched_run() - run the threads until every one has finished
 *
 * From outside any thread. Return: 0; -EDEADLK when every unfinished
 * thread was blocked (reported as a WARN naming the wait-for chain; the
 * blocked threads never run again, and the locks they hold stay held:
 * report, then end the process); -EINVAL without a schedule or from a
 * thread.
 */
int kcompat_sched_run(void);

/*
 * kcompat_sched_wait() - block the running thread until @ready(@arg)
 * @what: what it waits for, in a deadlock report
 *
 * For a harness's own queues (a job queue waiting for jobs). The
 * condition is evaluated by the scheduler whenever it picks a thread, so
 * it must only read memory. From a thread only.
 */
void kcompat_sched_wait(bool (*ready)(void *arg), void *arg, const char *what);

/*
 * kcompat_sched_fini() - end the schedule: free every thread, the
 * finished and, after a deadlock, the blocked (their frames are dropped
 * unwound). Switch points do nothing again.
 */
void kcompat_sched_fini(void);

/* ---- what happened ----------------------------------------------------------- */

/* The running thread's number, 0 outside any thread. */
unsigned int kcompat_sched_current(void);

/* Decisions reached so far in this schedule. */
unsigned long kcompat_sched_decisions(void);

/*
 * A hash of everything that ran, in order: which thread reached which
 * switch point (operation and source line) and every preemption. Equal
 * for two runs of the same threads under the same schedule.
 */
uint64_t kcompat_sched_hash(void);

/*
 * kcompat_sched_switches() - where control changed hands, up to @max into
 * @out, in order: each a hash of the place in the code (operation and
 * call site) where the thread that stopped stood, the place where the one
 * that went on stood, and whether it was a preemption. The same for the
 * same interleaving in every process of one binary, and different, as
 * far as a hash can tell, where a run hands over at a place no other run
 * did: feedback for a fuzzer that chooses schedules, which code coverage
 * alone does not reward. At most 256 are kept. Return: how many were kept.
 */
size_t kcompat_sched_switches(uint32_t *out, size_t max);

/*
 * kcompat_sched_applied() - the records that preempted, up to @max into
 * @out, each as the decision it preempted at (@step) and the thread it ran.
 * Return: how many there were (may exceed @max).
 */
size_t kcompat_sched_applied(struct kcompat_sched_record *out, size_t max);

/*
 * kcompat_sched_print_trace() - the last @last switch points and
 * preemptions (at most 64), oldest first: thread, operation, object,
 * source location; once a WARN was reported under the schedule, those
 * before it (kcompat_sched_freeze_trace()).
 */
void kcompat_sched_print_trace(FILE *out, unsigned int last);

/*
 * kcompat_sched_freeze_trace() - keep the trace as it is: the switch points
 * that led to a report (kcompat_warn() calls it). Until the schedule ends;
 * the trace hash and the log go on.
 */
void kcompat_sched_freeze_trace(void);

/*
 * kcompat_sched_set_log() - print every switch point as it is reached on
 * @out (NULL: stop): "[S]" for decision S (where a "schedule S T" record
 * would preempt), "[-]" where no other thread could run, then as the
 * trace, whose operations read "unlock.2" for the thread's 2nd unlock.
 * For writing schedules by hand; slow. Kept across schedules.
 */
void kcompat_sched_set_log(FILE *out);

/*
 * "lock", "get", ...: @op's name in traces and in scripts' schedules
 * (which read this header alone, without the environment).
 */
static inline const char *kcompat_sp_name(enum kcompat_sp op)
{
	static const char *const names[KCOMPAT_SP_NR] = {
		[KCOMPAT_SP_LOCK] = "lock",
		[KCOMPAT_SP_TRYLOCK] = "trylock",
		[KCOMPAT_SP_UNLOCK] = "unlock",
		[KCOMPAT_SP_GET] = "get",
		[KCOMPAT_SP_TRYGET] = "get_unless_zero",
		[KCOMPAT_SP_PUT] = "put",
		[KCOMPAT_SP_LLIST_ADD] = "llist_add",
		[KCOMPAT_SP_LLIST_DEL_ALL] = "llist_del_all",
		[KCOMPAT_SP_ALLOC] = "alloc",
		[KCOMPAT_SP_FREE] = "free",
		[KCOMPAT_SP_SIGNAL] = "signal",
		[KCOMPAT_SP_WAIT] = "wait",
	};

	return (unsigned int)op < KCOMPAT_SP_NR ? names[op] : "switch";
}

#endif /* _KCOMPAT_SCHED_H */
