/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/export.h>: nothing to export symbols to, so
 * the pure code's EXPORT_SYMBOL_GPL() lines compile to nothing.
 */
#ifndef _XTCP_SHIM_LINUX_EXPORT_H
#define _XTCP_SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
/* No module owns anything. */
#define THIS_MODULE		((struct module *)0)

#endif /* _XTCP_SHIM_LINUX_EXPORT_H */
