/* SPDX-License-Identifier: MIT */
/* Module metadata means nothing in userspace. */
#ifndef _UPSTREAM_SHIM_EXPORT_H
#define _UPSTREAM_SHIM_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern int __upstream_export_##sym
#define EXPORT_SYMBOL_GPL(sym)		extern int __upstream_export_##sym
#define MODULE_DESCRIPTION(s)		extern int __upstream_module_description
#define MODULE_LICENSE(s)		extern int __upstream_module_license

#endif
