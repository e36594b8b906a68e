/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SYN cookies: a listener whose SYN queue is full answers a SYN with a
 * SYN-ACK whose ISN encodes what the connection needs (the MSS, and in
 * the timestamp the options), and keeps nothing; the ACK that echoes it
 * rebuilds the connection (Linux's net/ipv4/syncookies.c scheme, D. J.
 * Bernstein's design).
 *
 * Pure logic, as include/net/xtcp_cong.h: the keyed hash is the caller's
 * (a callback, siphash with a boot-time secret in the module), so the
 * arithmetic runs unchanged in the host unit tests
 * (selftests/host/test_syncookie.c).
 *
 *   ISN = H0 + SEQ_peer + (count << 24) + ((H1(count) + mss_idx) mod 2^24)
 *
 * with H0 = hash(addresses, ports, 0, key 0), H1(count) = hash(addresses,
 * ports, count, key 1), count the minutes since boot.  A cookie is good
 * for XTCP_COOKIE_MAX_AGE counts (the minute it was made and the next).
 */
#ifndef _NET_XTCP_SYNCOOKIE_H
#define _NET_XTCP_SYNCOOKIE_H

#include <linux/types.h>

#define XTCP_COOKIE_BITS	24	/* low bits: H1 + data; high: count */
#define XTCP_COOKIE_MASK	((1U << XTCP_COOKIE_BITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* counts a cookie stays valid */

/*
 * The options a cookie SYN-ACK's TSval carries in its low 6 bits (the
 * TSval is rounded down to keep them): the peer's window shift, 0xf for
 * none; SACK; ECN.  Timestamps themselves are known from the ACK
 * carrying one.
 */
#define XTCP_COOKIE_TS_WSCALE_MASK	0xfU
#define XTCP_COOKIE_TS_SACK		0x10U
#define XTCP_COOKIE_TS_ECN		0x20U
#define XTCP_COOKIE_TS_BITS		6

/* The MSS values a cookie can carry, by index (2 bits of data). */
extern const u16 xtcp_cookie_msstab[4];

/*
 * The keyed hash: of the connection (in @ctx) with @count, under key
 * @which (0 or 1).
 */
typedef u32 (*xtcp_cookie_hash_t)(const void *ctx, u32 count, int which);

/* What a cookie SYN-ACK's timestamp says about the peer's SYN. */
struct xtcp_cookie_opts {
	bool wscale_ok;
	u8 snd_wscale;
	bool sack_ok;
	bool ecn_ok;
};

u32 xtcp_cookie_mss_index(u32 mss);
u32 xtcp_cookie_make(xtcp_cookie_hash_t hash, const void *ctx, u32 count,
		     u32 peer_seq, u32 mss_index);
u32 xtcp_cookie_check(xtcp_cookie_hash_t hash, const void *ctx, u32 count,
		      u32 cookie, u32 peer_seq);
u32 xtcp_cookie_tsval(u32 ts_now, const struct xtcp_cookie_opts *o);
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_cookie_opts *o);

#endif /* _NET_XTCP_SYNCOOKIE_H */
