/* SPDX-License-Identifier: MIT */
/* Symbol exports and module metadata mean nothing in one userspace image. */
#ifndef _KCOMPAT_LINUX_EXPORT_H
#define _KCOMPAT_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern int __kcompat_export_##sym
#define EXPORT_SYMBOL_GPL(sym)		extern int __kcompat_export_##sym
#define MODULE_DESCRIPTION(s)		extern int __kcompat_module_description
#define MODULE_LICENSE(s)		extern int __kcompat_module_license

#endif /* _KCOMPAT_LINUX_EXPORT_H */
