// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the PAWS and ts_recent arithmetic of xtcp's
 * timestamps (include/net/xtcp_tstamp.h).
 *
 * Expected values come from RFC 7323 s.4.3, s.5.3 and s.5.5 worked out on
 * unwrapped 64-bit numbers ("TSval is older than ts_recent by d ticks",
 * "ts_recent was set s seconds ago"), then shifted by a base so that the
 * 32-bit values wrap; never from the modular tricks the helpers use.
 */
#include <linux/types.h>
#include <net/xtcp_tstamp.h>

#include "kselftest_harness.h"
#include "rng.h"

#define TOP	0xffffffffU

/* Bases the timestamps and the seconds clock start from: around 0, 2^31
 * and 2^32 - 1, so both wrap.
 */
static const u32 bases[] = {
	0, 1, 0x7fffffff, 0x80000000U, TOP - 5, TOP, 0x12345678,
};

/* ts_recent at @base, TSval @older ticks behind it (negative: ahead),
 * ts_recent_stamp @age seconds before @now.
 */
static struct xtcp_paws paws_at(u32 base, s64 older, u32 now, u32 age)
{
	return (struct xtcp_paws){
		.ts_recent = base,
		.rcv_tsval = (u32)((s64)base - older),
		.ts_recent_stamp = now - age,
	};
}

/* RFC 7323 s.5.3 R1 with the slack and the exceptions of Linux, on plain
 * integers: @older ticks behind, @age seconds old, ts_recent @zero.
 */
static bool ref_check(s64 older, s64 win, u32 age, bool zero)
{
	return older <= win || age >= XTCP_PAWS_24DAYS || zero;
}

TEST(check_newer_equal_and_slack)
{
	static const s64 olders[] = { -100000, -1, 0, 1, 2, 1000, 0x7fffffff };
	static const int wins[] = { 0, XTCP_PAWS_WINDOW };
	unsigned int b, o, w;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		u32 now = bases[(b + 3) % ARRAY_SIZE(bases)];

		for (o = 0; o < ARRAY_SIZE(olders); o++) {
			for (w = 0; w < ARRAY_SIZE(wins); w++) {
				struct xtcp_paws p = paws_at(bases[b], olders[o], now, 10);
				bool want = ref_check(olders[o], wins[w], 10, !bases[b]);

				EXPECT_EQ(want, xtcp_paws_check(&p, wins[w], now)) {
					TH_LOG("base %u older %lld win %d", bases[b],
					       (long long)olders[o], wins[w]);
				}
			}
		}
	}
}

/* A TSval more than 2^31 ahead is older, modulo 2^32 (RFC 7323 s.5.2). */
TEST(check_half_space_ahead_is_older)
{
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		struct xtcp_paws p = paws_at(bases[b] ? bases[b] : 7,
					     -(s64)0x80000001LL, 100, 1);

		EXPECT_FALSE(xtcp_paws_check(&p, XTCP_PAWS_WINDOW, 100));
	}
}

/* s.5.5: a ts_recent 24 days old no longer rejects, whatever the wrap
 * of the seconds clock; one second younger still does.
 */
TEST(check_24_days)
{
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		u32 now = bases[b];
		struct xtcp_paws old = paws_at(1000, 500, now, XTCP_PAWS_24DAYS);
		struct xtcp_paws young = paws_at(1000, 500, now,
						 XTCP_PAWS_24DAYS - 1);

		EXPECT_TRUE(xtcp_paws_check(&old, 0, now));
		EXPECT_FALSE(xtcp_paws_check(&young, 0, now));
		EXPECT_TRUE(xtcp_paws_reject(&young, false, now));
		EXPECT_FALSE(xtcp_paws_reject(&old, false, now));
	}
}

/* A peer that sent TSval 0 on its SYN is never held to it. */
TEST(check_zero_ts_recent)
{
	struct xtcp_paws p = paws_at(0, 5000, 50, 1);

	EXPECT_TRUE(xtcp_paws_check(&p, 0, 50));
	EXPECT_FALSE(xtcp_paws_reject(&p, false, 50));
}

/* tcp_paws_reject(): no slack; a RST passes after TCP_PAWS_MSL seconds. */
TEST(reject_rst_after_msl)
{
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		u32 now = bases[b];
		struct xtcp_paws one = paws_at(777, 1, now, 0);
		struct xtcp_paws msl = paws_at(777, 1, now, XTCP_PAWS_MSL);
		struct xtcp_paws early = paws_at(777, 1, now, XTCP_PAWS_MSL - 1);

		EXPECT_TRUE(xtcp_paws_reject(&one, false, now));
		EXPECT_TRUE(xtcp_paws_reject(&one, true, now));
		EXPECT_TRUE(xtcp_paws_reject(&early, true, now));
		EXPECT_FALSE(xtcp_paws_reject(&msl, true, now));
		EXPECT_TRUE(xtcp_paws_reject(&msl, false, now));
	}
}

/* s.4.3: ts_recent takes TSval only from a segment starting at or before
 * Last.ACK.sent, and only if TSval is not older.
 */
TEST(replace_rule)
{
	static const s64 seq_offs[] = { -70000, -1, 0, 1, 1460 };
	static const s64 olders[] = { -30, -1, 0, 1, 40 };
	unsigned int b, s, o;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		u32 wup = bases[(b + 1) % ARRAY_SIZE(bases)];

		for (s = 0; s < ARRAY_SIZE(seq_offs); s++) {
			for (o = 0; o < ARRAY_SIZE(olders); o++) {
				struct xtcp_paws p = paws_at(bases[b] | 1, olders[o],
							     9, 2);
				u32 seq = (u32)((s64)wup + seq_offs[s]);
				bool want = seq_offs[s] <= 0 && olders[o] <= 0;

				EXPECT_EQ(want, xtcp_ts_recent_replace_ok(&p, seq,
									  wup, 9));
			}
		}
	}
}

/* After 24 days an older TSval (the peer's clock wrapped) replaces too. */
TEST(replace_after_24_days)
{
	struct xtcp_paws p = paws_at(5000, 4000, 3, XTCP_PAWS_24DAYS);

	EXPECT_TRUE(xtcp_ts_recent_replace_ok(&p, 10, 10, 3));
}

/* tcp_disordered_ack(): late by at most the window. */
TEST(replay_window)
{
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		struct xtcp_paws in = paws_at(bases[b], 204, 0, 0);
		struct xtcp_paws out = paws_at(bases[b], 205, 0, 0);

		EXPECT_TRUE(xtcp_ts_in_replay_window(&in, 204));
		EXPECT_FALSE(xtcp_ts_in_replay_window(&out, 204));
	}
}

/* Random pairs against the plain-integer reference. */
TEST(check_random)
{
	unsigned int i;

	for (i = 0; i < 100000; i++) {
		u32 base = (u32)rnd32();
		s64 older = (s64)(rnd32() % 0xfffffffeULL) - 0x7fffffffLL;
		u32 now = (u32)rnd32();
		u32 age = (u32)(rnd32() % (2 * XTCP_PAWS_24DAYS));
		struct xtcp_paws p = paws_at(base, older, now, age);

		ASSERT_EQ(ref_check(older, 1, age, !base),
			  xtcp_paws_check(&p, 1, now));
	}
}

TEST_HARNESS_MAIN
