/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for <linux/log2.h>: ilog2() of a non-zero integer. */
#ifndef _XTCP_SHIM_LINUX_LOG2_H
#define _XTCP_SHIM_LINUX_LOG2_H

#include <linux/types.h>

/* Index of the highest set bit; undefined for 0, as in the kernel. */
#define ilog2(n) ({							\
	__auto_type __ilog2_n = (n);					\
	(int)(sizeof(__ilog2_n) <= 4 ? 31 - __builtin_clz((u32)__ilog2_n) : \
				       63 - __builtin_clzll((u64)__ilog2_n)); \
})

#endif /* _XTCP_SHIM_LINUX_LOG2_H */
