/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for <linux/limits.h>: the integer limits xtcp uses. */
#ifndef _XTCP_SHIM_LINUX_LIMITS_H
#define _XTCP_SHIM_LINUX_LIMITS_H

#define INT_MAX			((int)(~0U >> 1))

#endif /* _XTCP_SHIM_LINUX_LIMITS_H */
