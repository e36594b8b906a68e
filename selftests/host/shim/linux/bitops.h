/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for <linux/bitops.h>: the few bit helpers xtcp uses. */
#ifndef _XTCP_SHIM_LINUX_BITOPS_H
#define _XTCP_SHIM_LINUX_BITOPS_H

#include <linux/types.h>

#define BIT_ULL(nr)		(1ULL << (nr))

/* @word rotated right by @shift bits (any shift, taken mod 64). */
static inline u64 ror64(u64 word, unsigned int shift)
{
	return (word >> (shift & 63)) | (word << ((-shift) & 63));
}

/* Index of the lowest set bit; undefined for 0, as in the kernel. */
static inline unsigned long __ffs64(u64 word)
{
	return (unsigned long)__builtin_ctzll(word);
}

#endif /* _XTCP_SHIM_LINUX_BITOPS_H */
