/* SPDX-License-Identifier: MIT */
/* The page size kernel code sizes its arrays by (drm_exec grows by pages). */
#ifndef _KCOMPAT_ASM_PAGE_H
#define _KCOMPAT_ASM_PAGE_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)

#endif /* _KCOMPAT_ASM_PAGE_H */
