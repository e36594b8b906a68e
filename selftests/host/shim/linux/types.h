/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/types.h>: just what the pure xtcp code uses, so
 * it can be unit-tested in user space. Put this directory first on the
 * include path so it shadows the uapi <linux/types.h>.
 */
#ifndef _XTCP_SHIM_LINUX_TYPES_H
#define _XTCP_SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* As the kernel defines them (int-ll64), so printk formats carry over. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
typedef long long s64;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif /* _XTCP_SHIM_LINUX_TYPES_H */
