/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for <linux/bits.h>: BIT() as the kernel defines it. */
#ifndef _XTCP_SHIM_LINUX_BITS_H
#define _XTCP_SHIM_LINUX_BITS_H

#define BIT(nr)			(1UL << (nr))

#endif /* _XTCP_SHIM_LINUX_BITS_H */
