/* SPDX-License-Identifier: MIT */
/*
 * A fiber's saved registers and the switch between two of them: the one
 * part of fibers that depends on the processor (fiber_ctx.c). On x86-64,
 * the callee-saved registers on the fiber's own stack and a jump: no
 * system call. Elsewhere, libc's ucontext, whose every switch also saves
 * and restores the signal mask (a system call).
 */
#ifndef _KCOMPAT_FIBER_CTX_H
#define _KCOMPAT_FIBER_CTX_H

#include <stddef.h>

#if defined(__x86_64__)
struct fiber_ctx {
	void *sp;	/* where the switch pushed the registers */
};
#else
#include <ucontext.h>
struct fiber_ctx {
	ucontext_t uc;
};
#endif

/*
 * Make @ctx start @entry on the stack [@stack, @stack + @size) when first
 * switched to. @entry must never return. Return: 0, -1 on failure.
 */
int fiber_ctx_init(struct fiber_ctx *ctx, void *stack, size_t size, void (*entry)(void));

/* Save the running registers into @from and continue in @to. */
void fiber_ctx_switch(struct fiber_ctx *from, struct fiber_ctx *to);

/* Continue in @to; what runs now is abandoned. */
__attribute__((noreturn)) void fiber_ctx_jump(struct fiber_ctx *to);

#endif /* _KCOMPAT_FIBER_CTX_H */
