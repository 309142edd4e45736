/* SPDX-License-Identifier: MIT */
/*
 * Forced into every compile of upstream code (-include), as Kbuild forces
 * the kernel's own: the attributes and helper macros the kernel headers
 * take for granted. Also renames the kernel APIs our runtime provides, so
 * that they do not clash with lib/'s functions of the same names in one
 * binary (upstream's own exports are renamed by the generated rename.h).
 */
#ifndef _UPSTREAM_SHIM_COMPILER_TYPES_H
#define _UPSTREAM_SHIM_COMPILER_TYPES_H

/* glibc defines some of the same names: take its definitions first. */
#include <sys/cdefs.h>

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __cold			__attribute__((__cold__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __noreturn		__attribute__((__noreturn__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define __preserve_most
#define __rcu
#define __iomem
#define __user
#define __force
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define fallthrough		__attribute__((__fallthrough__))

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* Kernel APIs the runtime provides (upstream/runtime/, lib/drm_exec.c), renamed. */
#define drm_exec_init		upstream_drm_exec_init
#define drm_exec_fini		upstream_drm_exec_fini
#define drm_exec_cleanup	upstream_drm_exec_cleanup
#define drm_exec_lock_obj	upstream_drm_exec_lock_obj
#define drm_exec_unlock_obj	upstream_drm_exec_unlock_obj
#define drm_exec_prepare_obj	upstream_drm_exec_prepare_obj
#define drm_exec_prepare_array	upstream_drm_exec_prepare_array
#define drm_gem_private_object_init	upstream_drm_gem_private_object_init
#define drm_gem_object_release	upstream_drm_gem_object_release
#define drm_gem_object_free	upstream_drm_gem_object_free

#endif
