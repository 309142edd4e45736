/* SPDX-License-Identifier: MIT */
#ifndef _UPSTREAM_SHIM_DRM_PRINT_H
#define _UPSTREAM_SHIM_DRM_PRINT_H

#include <linux/bug.h>

#define drm_WARN(drm, cond, ...)	({ (void)(drm); WARN(cond, __VA_ARGS__); })
#define drm_WARN_ON(drm, cond)		({ (void)(drm); WARN_ON(cond); })
#define drm_WARN_ON_ONCE(drm, cond)	drm_WARN_ON(drm, cond)

#endif
