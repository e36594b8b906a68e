/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/math64.h>: same names and semantics (unsigned
 * 64-bit division with an optional remainder), plain C on the host.
 */
#ifndef _XTCP_SHIM_LINUX_MATH64_H
#define _XTCP_SHIM_LINUX_MATH64_H

#include <linux/types.h>

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = (u32)(dividend % divisor);
	return dividend / divisor;
}

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64_rem(u64 dividend, u64 divisor, u64 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

#endif /* _XTCP_SHIM_LINUX_MATH64_H */
