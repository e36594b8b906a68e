// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: SYN cookie arithmetic (include/net/xtcp_syncookie.h), the
 * encoding Linux's net/ipv4/syncookies.c uses: the MSS as an index into
 * a table of four, the age in the top 8 bits, two keyed hashes binding
 * it to the connection, and the options in the low bits of the
 * timestamp.
 *
 * Pure code: also built by selftests/host.
 */
#include <linux/kernel.h>
#include <linux/types.h>
#include <net/xtcp_syncookie.h>

/* The MSS values most peers send, ascending (Linux's msstab): a peer's
 * MSS is rounded down to one of them.
 */
const u16 xtcp_cookie_msstab[4] = { 536, 1300, 1440, 1460 };

/**
 * xtcp_cookie_mss_index() - the MSS a cookie carries for a peer's MSS
 * @mss: the MSS the SYN offered (or the default when it had none), bytes
 *
 * The largest table entry not above @mss; the smallest (536) for
 * anything below it (__cookie_v4_init_sequence()).
 *
 * Context: any; pure logic.
 * Return: an index into xtcp_cookie_msstab, 0..3.
 */
u32 xtcp_cookie_mss_index(u32 mss)
{
	u32 i = ARRAY_SIZE(xtcp_cookie_msstab) - 1;

	while (i && mss < xtcp_cookie_msstab[i])
		i--;
	return i;
}

/**
 * xtcp_cookie_make() - the ISN of a cookie SYN-ACK
 * @hash:      the keyed hash over the connection in @ctx
 * @ctx:       the connection, for @hash
 * @count:     the cookie clock now (minutes)
 * @peer_seq:  the SYN's sequence number
 * @mss_index: what xtcp_cookie_mss_index() chose
 *
 * secure_tcp_syn_cookie(): H0 + peer_seq + (count << 24) plus the low 24
 * bits of H1(count) + @mss_index.
 *
 * Context: any; pure logic.
 * Return: the ISN to send.
 */
u32 xtcp_cookie_make(xtcp_cookie_hash_t hash, const void *ctx, u32 count,
		     u32 peer_seq, u32 mss_index)
{
	return hash(ctx, 0, 0) + peer_seq + (count << XTCP_COOKIE_BITS) +
	       ((hash(ctx, count, 1) + mss_index) & XTCP_COOKIE_MASK);
}

/**
 * xtcp_cookie_check() - what a returned cookie carries, if it is ours
 * @hash:     the keyed hash over the connection in @ctx
 * @ctx:      the connection, for @hash
 * @count:    the cookie clock now (minutes)
 * @cookie:   the ACK's acknowledgment number minus one (our ISN)
 * @peer_seq: the ACK's sequence number minus one (the SYN's)
 *
 * check_tcp_syn_cookie(): take H0 and the peer's sequence number off,
 * read the count the cookie was made at from the top bits, refuse it
 * when XTCP_COOKIE_MAX_AGE counts or more old (or from the future),
 * then take H1 of that count off the low bits.
 *
 * Context: any; pure logic.
 * Return: the MSS index, 0..3, or a larger value (U32_MAX or any
 * garbage at or above ARRAY_SIZE(xtcp_cookie_msstab)) when the cookie is
 * too old or not ours.
 */
u32 xtcp_cookie_check(xtcp_cookie_hash_t hash, const void *ctx, u32 count,
		      u32 cookie, u32 peer_seq)
{
	u32 age;

	cookie -= hash(ctx, 0, 0) + peer_seq;
	/* count and the cookie's count are 8 bits wide on the wire. */
	age = (count - (cookie >> XTCP_COOKIE_BITS)) &
	      (U32_MAX >> XTCP_COOKIE_BITS);
	if (age >= XTCP_COOKIE_MAX_AGE)
		return U32_MAX;
	return (cookie - hash(ctx, count - age, 1)) & XTCP_COOKIE_MASK;
}

/**
 * xtcp_cookie_tsval() - the timestamp of a cookie SYN-ACK
 * @ts_now: the TSval the SYN-ACK would carry now (ms clock plus offset)
 * @o:      what the SYN asked for
 *
 * cookie_init_timestamp(): @ts_now with its low 6 bits replaced by the
 * options, one step of 64 back if that would be ahead of @ts_now (a
 * TSval must not run ahead of the clock that later ones come from).
 *
 * Context: any; pure logic.
 * Return: the TSval to send.
 */
u32 xtcp_cookie_tsval(u32 ts_now, const struct xtcp_cookie_opts *o)
{
	u32 opts = o->wscale_ok ? (o->snd_wscale & XTCP_COOKIE_TS_WSCALE_MASK) :
				  XTCP_COOKIE_TS_WSCALE_MASK;
	u32 ts;

	if (o->sack_ok)
		opts |= XTCP_COOKIE_TS_SACK;
	if (o->ecn_ok)
		opts |= XTCP_COOKIE_TS_ECN;
	ts = (ts_now & ~((1U << XTCP_COOKIE_TS_BITS) - 1)) | opts;
	if ((s32)(ts - ts_now) > 0)
		ts -= 1U << XTCP_COOKIE_TS_BITS;
	return ts;
}

/**
 * xtcp_cookie_ts_decode() - the options a cookie ACK's TSecr echoes
 * @tsecr: the TSecr of the ACK that returned the cookie
 * @o:     filled in: window scaling (and the peer's shift), SACK, ECN
 *
 * cookie_timestamp_decode() and cookie_ecn_ok() without the sysctl
 * checks, which are the caller's: a shift field of 0xf means the SYN
 * had no window scale option.
 *
 * Context: any; pure logic.
 */
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_cookie_opts *o)
{
	u32 ws = tsecr & XTCP_COOKIE_TS_WSCALE_MASK;

	o->wscale_ok = ws != XTCP_COOKIE_TS_WSCALE_MASK;
	o->snd_wscale = o->wscale_ok ? ws : 0;
	o->sack_ok = tsecr & XTCP_COOKIE_TS_SACK;
	o->ecn_ok = tsecr & XTCP_COOKIE_TS_ECN;
}
