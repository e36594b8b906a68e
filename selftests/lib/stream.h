/* SPDX-License-Identifier: GPL-2.0 */
/* stream.h: the byte stream xtcp_xfer sends and checks, for the programs
 * that speak it (selftests/xtcp_xfer.c, selftests/sendpath_peer.c).  A
 * transfer is a 16-byte header, then the stream of the header's seed:
 *
 *   bytes 0-3   HDR_MAGIC ("XTX1"), big endian
 *   bytes 4-7   the seed, big endian
 *   bytes 8-15  the length that follows, big endian
 *
 * 64-bit word i of the stream of seed s is mix(mix(s) + i * golden),
 * stored little endian, so any byte can be computed from its offset
 * alone.  Everything is static inline; include it as "lib/stream.h".
 */
#ifndef XTCP_SELFTESTS_STREAM_H
#define XTCP_SELFTESTS_STREAM_H

#include <stddef.h>
#include <linux/types.h>

#define HDR_LEN		16
#define HDR_MAGIC	0x58545831u	/* "XTX1" */

static inline __u64 mix(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* @len bytes of the stream of @seed from offset @off into @buf. */
static inline void stream_fill(__u32 seed, __u64 off, unsigned char *buf,
			       size_t len)
{
	__u64 key = mix(seed), i = off / 8, w;
	unsigned int skip = off % 8, k;
	size_t n = 0;

	while (n < len) {
		w = mix(key + i * 0x9e3779b97f4a7c15ull);
		for (k = skip; k < 8 && n < len; k++)
			buf[n++] = w >> (8 * k);
		skip = 0;
		i++;
	}
}

static inline void put_be(unsigned char *p, __u64 v, int bytes)
{
	while (bytes--) {
		p[bytes] = v & 0xff;
		v >>= 8;
	}
}

static inline __u64 get_be(const unsigned char *p, int bytes)
{
	__u64 v = 0;

	while (bytes--)
		v = v << 8 | *p++;
	return v;
}

/* The header of a transfer of @len bytes of stream @seed into @hdr. */
static inline void stream_hdr(unsigned char *hdr, __u32 seed, __u64 len)
{
	put_be(hdr, HDR_MAGIC, 4);
	put_be(hdr + 4, seed, 4);
	put_be(hdr + 8, len, 8);
}

#endif /* XTCP_SELFTESTS_STREAM_H */
