/* SPDX-License-Identifier: MIT */
/* Device-tagged WARNs. */
#ifndef _KCOMPAT_DRM_PRINT_H
#define _KCOMPAT_DRM_PRINT_H

#include <linux/bug.h>
#include <drm/drm_device.h>

#define __drm_dev_name(drm)	((drm) && (drm)->unique ? (drm)->unique : "drm")

#define drm_WARN(drm, cond, fmt, ...) \
	WARN(cond, "[%s] " fmt, __drm_dev_name(drm), ##__VA_ARGS__)

#define drm_WARN_ON(drm, cond) \
	drm_WARN(drm, cond, "drm_WARN_ON(%s)", #cond)

#define drm_WARN_ONCE(drm, cond, fmt, ...)	drm_WARN(drm, cond, fmt, ##__VA_ARGS__)
#define drm_WARN_ON_ONCE(drm, cond)		drm_WARN_ON(drm, cond)

#endif
