// SPDX-License-Identifier: MIT
/* Saving, restoring and switching fiber registers; see fiber_ctx.h. */
#include <stdint.h>
#include <stdlib.h>
#include "fiber_ctx.h"

#if defined(__x86_64__)

/*
 * fiber_ctx_swap(save, sp): push what the System V ABI makes a callee
 * preserve (rbp, rbx, r12-r15, and the SSE and x87 control words), store
 * the stack pointer in *save, load @sp and pop the same from there. The
 * return address the call pushed is the resume point: ret goes on where
 * the other side once called from, or into a new fiber's entry.
 */
void fiber_ctx_swap(void **save, void *sp);
__asm__(
	".text\n"
	".p2align 4\n"
	".type fiber_ctx_swap, @function\n"
	"fiber_ctx_swap:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $8, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size fiber_ctx_swap, .-fiber_ctx_swap\n");

/* The frame fiber_ctx_swap pops, lowest address first. */
struct initial_frame {
	uint32_t mxcsr;
	uint16_t fpucw, pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;		/* @entry */
	uint64_t caller;	/* @entry's return address: none */
};

int fiber_ctx_init(struct fiber_ctx *ctx, void *stack, size_t size, void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	struct initial_frame *f;

	/* @entry starts as if called: its return address at 8 mod 16 */
	f = (struct initial_frame *)(top - sizeof(*f));
	*f = (struct initial_frame){
		.mxcsr = 0x1f80,	/* the ABI's initial state: all masked, round to nearest */
		.fpucw = 0x037f,
		.ret = (uint64_t)(uintptr_t)entry,
	};
	ctx->sp = f;
	return 0;
}

void fiber_ctx_switch(struct fiber_ctx *from, struct fiber_ctx *to)
{
	fiber_ctx_swap(&from->sp, to->sp);
}

void fiber_ctx_jump(struct fiber_ctx *to)
{
	void *dead;

	fiber_ctx_swap(&dead, to->sp);
	abort();	/* nothing switches back to an abandoned fiber */
}

#else

int fiber_ctx_init(struct fiber_ctx *ctx, void *stack, size_t size, void (*entry)(void))
{
	if (getcontext(&ctx->uc))
		return -1;
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, entry, 0);
	/*
	 * makecontext() has put the stack in the registers; the switches
	 * read no uc_stack. ASan's swapcontext interceptor does: it clears
	 * the shadow of the whole stack it names on every switch, which
	 * costs tens of microseconds a switch and forgets the redzones of
	 * the frames suspended there. The fiber annotations tell ASan all
	 * it needs, so name none.
	 */
	ctx->uc.uc_stack.ss_sp = NULL;
	ctx->uc.uc_stack.ss_size = 0;
	return 0;
}

void fiber_ctx_switch(struct fiber_ctx *from, struct fiber_ctx *to)
{
	if (swapcontext(&from->uc, &to->uc))
		abort();
}

void fiber_ctx_jump(struct fiber_ctx *to)
{
	setcontext(&to->uc);
	abort();	/* setcontext() returns only on failure */
}

#endif
