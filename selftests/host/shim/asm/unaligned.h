/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <asm/unaligned.h>: the big-endian accessors the pure
 * xtcp code uses, byte by byte, so any alignment and host byte order work.
 */
#ifndef _XTCP_SHIM_ASM_UNALIGNED_H
#define _XTCP_SHIM_ASM_UNALIGNED_H

#include <linux/types.h>

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline void put_unaligned_be16(u16 val, void *p)
{
	u8 *b = p;

	b[0] = (u8)(val >> 8);
	b[1] = (u8)val;
}

static inline void put_unaligned_be32(u32 val, void *p)
{
	u8 *b = p;

	b[0] = (u8)(val >> 24);
	b[1] = (u8)(val >> 16);
	b[2] = (u8)(val >> 8);
	b[3] = (u8)val;
}

#endif /* _XTCP_SHIM_ASM_UNALIGNED_H */
