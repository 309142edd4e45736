/* SPDX-License-Identifier: MIT */
/*
 * Wound/wait mutexes without the wounding: one thread drives a backend,
 * so an acquire context never meets contention. What stays is the part
 * drm_exec relies on: locking a mutex the context already holds returns
 * -EALREADY.
 */
#ifndef _UPSTREAM_SHIM_WW_MUTEX_H
#define _UPSTREAM_SHIM_WW_MUTEX_H

#include <linux/mutex.h>

struct ww_class {
	const char *name;
};

struct ww_acquire_ctx {
	unsigned int acquired;	/* locks taken with this context, held now */
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;	/* of the holder, if it used one */
};

static inline void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *class)
{
	(void)class;
	ctx->acquired = 0;
}

static inline void ww_acquire_done(struct ww_acquire_ctx *ctx)
{
	(void)ctx;
}

static inline void ww_acquire_fini(struct ww_acquire_ctx *ctx)
{
	WARN(ctx->acquired, "ww_acquire_fini with %u lock(s) held", ctx->acquired);
}

#endif
