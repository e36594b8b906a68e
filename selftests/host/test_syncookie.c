// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookie arithmetic (net/xtcp/syncookie.c): what a cookie ISN
 * carries comes back out, for a minute and the next, for the connection
 * it was made for only; the options ride in the timestamp's low bits.
 */
#include <linux/types.h>
#include <net/xtcp_syncookie.h>

#include "kselftest_harness.h"

struct conn {
	u32 saddr, daddr, ports;
	u32 key[2];
};

/* A stand-in keyed hash: any function of all inputs will do here. */
static u32 hash(const void *ctx, u32 count, int which)
{
	const struct conn *c = ctx;
	u64 x = ((u64)c->saddr << 32 | c->daddr) ^ c->key[which];

	x ^= (u64)c->ports * 0x9e3779b97f4a7c15ULL;
	x ^= (u64)count * 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	return (u32)(x ^ (x >> 29));
}

static struct conn c1 = { 0x0a000001, 0x0a000002, 40000 << 16 | 80,
			  { 0x1234567, 0x7654321 } };

/* The largest table MSS not above the peer's, 536 below the table. */
TEST(mss_rounded_down_to_the_table)
{
	u32 mss[] = { 100, 535, 536, 1299, 1300, 1439, 1440, 1459, 1460,
		      9000, 65535 };
	u32 want[] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mss); i++) {
		u32 m = mss[i], w = want[i];

		ASSERT_EQ(w, xtcp_cookie_mss_index(m)) TH_LOG("mss %u", m);
	}
}

static u32 check_at(u32 count, u32 cookie, u32 seq)
{
	return xtcp_cookie_check(hash, &c1, count, cookie, seq);
}

/* Made now, checked now and one count later: the MSS index comes back;
 * two counts later, or from a count ahead, it is refused.
 */
TEST(round_trip_and_age)
{
	u32 seq, idx, count, cookie;

	for (count = 0; count < 600; count += 37) {
		for (idx = 0; idx < 4; idx++) {
			seq = 0xfffffff0u + count * 7919 + idx;
			cookie = xtcp_cookie_make(hash, &c1, count, seq, idx);
			/* made now, checked now and a count later */
			ASSERT_EQ(idx, check_at(count, cookie, seq));
			ASSERT_EQ(idx, check_at(count + 1, cookie, seq));
			/* two counts old, or from the future */
			ASSERT_LT(3U, check_at(count + 2, cookie, seq));
			ASSERT_LT(3U, check_at(count - 1, cookie, seq));
		}
	}
}

/* Another connection (address, port, key) or a changed bit: not a
 * valid index but by chance (4 good values in a 24-bit field: a few in
 * 80,000 at most).  The peer's sequence number is only added, not
 * hashed: one off gives the index next to it, as in Linux (the ACK
 * carries it, so it always matches the cookie's SYN).
 */
TEST(other_connections_refused)
{
	struct conn c2 = c1, c3 = c1, c4 = c1;
	u32 i, good = 0, cookie;

	c2.saddr++;
	c3.ports ^= 1;
	c4.key[1]++;
	for (i = 0; i < 20000; i++) {
		cookie = xtcp_cookie_make(hash, &c1, 5, i * 104729, i & 3);
		good += xtcp_cookie_check(hash, &c2, 5, cookie, i * 104729) < 4;
		good += xtcp_cookie_check(hash, &c3, 5, cookie, i * 104729) < 4;
		good += xtcp_cookie_check(hash, &c4, 5, cookie, i * 104729) < 4;
		good += xtcp_cookie_check(hash, &c1, 5, cookie ^ 0x100, i * 104729) < 4;
	}
	ASSERT_LE(good, 5U);
}

/* The cookie clock is 8 bits on the wire: made at 255 (0xff there),
 * checked at 256 (0x00) it is one count old; at 511, with the same low
 * bits as 255, the age reads 0 but H1 of 511 does not match: refused.
 */
TEST(count_wraps)
{
	u32 cookie = xtcp_cookie_make(hash, &c1, 255, 77, 2);

	ASSERT_EQ(2U, xtcp_cookie_check(hash, &c1, 256, cookie, 77));
	ASSERT_LT(3U, xtcp_cookie_check(hash, &c1, 511, cookie, 77));
}

/* The options survive the timestamp, which never runs ahead of now and
 * lags it by less than 64 ticks.
 */
TEST(options_in_the_timestamp)
{
	struct xtcp_cookie_opts in, out;
	u32 now[] = { 0, 63, 64, 1000, 0xffffffc0u, 0xffffffffu };
	unsigned int i, ws, bits;

	for (i = 0; i < ARRAY_SIZE(now); i++) {
		for (bits = 0; bits < 8; bits++) {
			for (ws = 0; ws <= 14; ws++) {
				u32 ts;

				in.wscale_ok = bits & 1;
				in.snd_wscale = in.wscale_ok ? ws : 0;
				in.sack_ok = bits & 2;
				in.ecn_ok = bits & 4;
				ts = xtcp_cookie_tsval(now[i], &in);
				ASSERT_LE((s32)(ts - now[i]), 0);
				ASSERT_LT(now[i] - ts, 64U);
				xtcp_cookie_ts_decode(ts, &out);
				ASSERT_EQ(in.wscale_ok, out.wscale_ok);
				ASSERT_EQ(in.snd_wscale, out.snd_wscale);
				ASSERT_EQ(in.sack_ok, out.sack_ok);
				ASSERT_EQ(in.ecn_ok, out.ecn_ok);
			}
		}
	}
}

TEST_HARNESS_MAIN
