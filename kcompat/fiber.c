// SPDX-License-Identifier: MIT
/*
 * Fibers, with the sanitizers told of every switch; see <kcompat/fiber.h>.
 * The registers are fiber_ctx.c's business (bench/README.md has the cost
 * of a switch).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kcompat/fiber.h>
#include "fiber_ctx.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FIBER_ASAN)
#define FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(FIBER_TSAN)
#define FIBER_TSAN 1
#endif

struct kcompat_fiber {
	struct fiber_ctx ctx;
	kcompat_fiber_fn *fn;
	void *arg;
	void *map;			/* stack mapping, guard page first; NULL: a thread's own */
	size_t map_size;
	const void *stack;		/* the usable stack, for ASan */
	size_t stack_size;
	void *fake_stack;		/* ASan's fake frames while switched out */
	void *tsan;			/* TSan's fiber */
	struct kcompat_fiber *caller;	/* the last to switch to it: runs on when it is done */
	bool done;
};

static __thread struct kcompat_fiber *running;
static __thread struct kcompat_fiber thread_fiber;

/*
 * Stack mappings of destroyed fibers, kept for the next ones of the same
 * size on this thread: a scheduler run makes a few fibers per fuzz input,
 * and unmapping each stack flushed the TLB of every core every time.
 */
#define SPARE_STACKS	8
/*
 * Not under TSan: it knows nothing of a fiber's stack range, so a reused
 * stack would carry the last owner's accesses into the next one's.
 */
#ifdef FIBER_TSAN
#define STACKS_KEPT	0u
#else
#define STACKS_KEPT	SPARE_STACKS
#endif

static __thread struct spare_stack {
	void *map;
	size_t size;
} spare_stack[SPARE_STACKS];
static __thread unsigned int spare_stacks;

/* ---- what the sanitizers are told ---------------------------------------------- */

#ifdef FIBER_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
				     size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);

/* Leaving the running fiber for @to; @dying: the running one never comes back. */
static void asan_leave(struct kcompat_fiber *from, struct kcompat_fiber *to, bool dying)
{
	__sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack, to->stack,
				       to->stack_size);
}

/* Arrived on @self from @prev, whose stack ASan now tells us if we lacked it. */
static void asan_arrive(struct kcompat_fiber *self, struct kcompat_fiber *prev)
{
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(self->fake_stack, &bottom, &size);
	if (prev && !prev->map) {
		prev->stack = bottom;
		prev->stack_size = size;
	}
}

/* A stack about to be unmapped or reused: no poison left for its next use. */
static void asan_forget(const void *stack, size_t size)
{
	__asan_unpoison_memory_region(stack, size);
}
#else
static void asan_leave(struct kcompat_fiber *from, struct kcompat_fiber *to, bool dying)
{
	(void)from;
	(void)to;
	(void)dying;
}

static void asan_arrive(struct kcompat_fiber *self, struct kcompat_fiber *prev)
{
	(void)self;
	(void)prev;
}

static void asan_forget(const void *stack, size_t size)
{
	(void)stack;
	(void)size;
}
#endif

/*
 * TSan: the switch must not sit in a function of its own. TSan keeps a
 * call stack per fiber; a function that switched would return on the new
 * fiber's stack, popping a frame it never pushed there. Hence
 * always_inline into the switching functions, whose own frames return on
 * the fiber that entered them.
 */
#ifdef FIBER_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned int flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned int flags);

static void *tsan_current(void)
{
	return __tsan_get_current_fiber();
}

static void *tsan_create(void)
{
	return __tsan_create_fiber(0);
}

static void tsan_destroy(void *fiber)
{
	__tsan_destroy_fiber(fiber);
}

static inline __attribute__((always_inline)) void tsan_switch(void *fiber)
{
	__tsan_switch_to_fiber(fiber, 0);
}
#else
static void *tsan_current(void)
{
	return NULL;
}

static void *tsan_create(void)
{
	return NULL;
}

static void tsan_destroy(void *fiber)
{
	(void)fiber;
}

static void tsan_switch(void *fiber)
{
	(void)fiber;
}
#endif

/* ---- fibers ---------------------------------------------------------------------- */

struct kcompat_fiber *kcompat_fiber_self(void)
{
	if (!running) {
		thread_fiber.tsan = tsan_current();
		running = &thread_fiber;
	}
	return running;
}

/* The running fiber is done: on to its caller, for good. */
static __attribute__((noreturn)) void finish(struct kcompat_fiber *f)
{
	struct kcompat_fiber *to = f->caller;

	f->done = true;
	running = to;
	asan_leave(f, to, true);
	tsan_switch(to->tsan);
	fiber_ctx_jump(&to->ctx);
}

/* Every fiber's first frame: the fiber that switched to it is its caller. */
static void trampoline(void)
{
	struct kcompat_fiber *f = running;

	asan_arrive(f, f->caller);
	f->fn(f->arg);
	finish(f);
}

struct kcompat_fiber *kcompat_fiber_create(kcompat_fiber_fn *fn, void *arg, size_t stack_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct kcompat_fiber *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fn = fn;
	f->arg = arg;
	f->stack_size = (stack_size + page - 1) / page * page;
	f->map_size = f->stack_size + page;
	if (spare_stacks && spare_stack[spare_stacks - 1].size == f->map_size) {
		/* Its guard page is still PROT_NONE. */
		f->map = spare_stack[--spare_stacks].map;
	} else {
		f->map = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (f->map == MAP_FAILED) {
			free(f);
			return NULL;
		}
		if (mprotect(f->map, page, PROT_NONE)) {
			munmap(f->map, f->map_size);
			free(f);
			return NULL;
		}
	}
	/* The stack grows down, towards the guard. */
	f->stack = (char *)f->map + page;
	if (fiber_ctx_init(&f->ctx, (void *)f->stack, f->stack_size, trampoline)) {
		munmap(f->map, f->map_size);
		free(f);
		return NULL;
	}
	f->tsan = tsan_create();
	return f;
}

void kcompat_fiber_switch(struct kcompat_fiber *to)
{
	struct kcompat_fiber *from = kcompat_fiber_self();

	if (to == from || to->done)
		abort();	/* a scheduler bug: nothing could ever run again */
	to->caller = from;
	running = to;
	asan_leave(from, to, false);
	tsan_switch(to->tsan);
	fiber_ctx_switch(&from->ctx, &to->ctx);
	/*
	 * Back on @from. Where from is not recorded: only a thread's own
	 * stack is learnt on arrival, when it first starts a fiber.
	 */
	asan_arrive(from, NULL);
}

bool kcompat_fiber_done(const struct kcompat_fiber *f)
{
	return f->done;
}

void kcompat_fiber_destroy(struct kcompat_fiber *f)
{
	if (!f)
		return;
	if (!f->map || f == running)
		abort();	/* a thread's own fiber, or the one running */
	tsan_destroy(f->tsan);
	asan_forget(f->stack, f->stack_size);
	if (spare_stacks < STACKS_KEPT)
		spare_stack[spare_stacks++] = (struct spare_stack){ f->map, f->map_size };
	else
		munmap(f->map, f->map_size);
	free(f);
}
