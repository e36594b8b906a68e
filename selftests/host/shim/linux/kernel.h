/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for <linux/kernel.h>: only what the pure xtcp code uses. */
#ifndef _XTCP_SHIM_LINUX_KERNEL_H
#define _XTCP_SHIM_LINUX_KERNEL_H

#include <linux/types.h>

#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
/* A negative array size is a compile error. */
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))

/* @x rounded down to a multiple of @y (the kernel's rounddown()). */
#define rounddown(x, y)		({ typeof(x) __x = (x); __x - (__x % (y)); })

/* The structure of type @type whose member @member is at @ptr. */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* _XTCP_SHIM_LINUX_KERNEL_H */
