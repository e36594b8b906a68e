// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for xtcp sequence number arithmetic (net/xtcp_seq.h).
 *
 * Expected values come from the definitions of RFC 9293 s.3.4 and
 * s.3.10.7.4 evaluated on unwrapped 64-bit numbers, never from the same
 * modular tricks the helpers use.
 */
#include <linux/types.h>
#include <net/xtcp_seq.h>

#include "kselftest_harness.h"
#include "rng.h"

#define HALF	0x80000000U	/* 2^31 */
#define TOP	0xffffffffU	/* 2^32 - 1 */

/* Bases for the wraparound cases: around 0, 2^31 and 2^32 - 1. */
static const u32 bases[] = {
	0, 1, 2, 0x7ffffffe, 0x7fffffff, HALF, HALF + 1, TOP - 1, TOP,
	0x12345678, 0xfffffff0,
};

/* Distances below 2^31, where the order is defined. */
static const u32 dists[] = {
	1, 2, 3, 0x100, 0xffff, 0x10000, 0x3fffffff, 0x40000000, 0x7ffffffe,
	0x7fffffff,
};

/* ---- before / after / leq / geq ---- */

TEST(order_equal)
{
	unsigned int i;
	u32 a;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		a = bases[i];
		ASSERT_FALSE(xtcp_seq_before(a, a));
		ASSERT_FALSE(xtcp_seq_after(a, a));
		ASSERT_TRUE(xtcp_seq_leq(a, a));
		ASSERT_TRUE(xtcp_seq_geq(a, a));
	}
}

/* b = a + d with 0 < d < 2^31: a is before b, whatever wraps in between. */
TEST(order_across_every_base)
{
	unsigned int i, j;
	u32 a, b;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(dists); j++) {
			a = bases[i];
			b = a + dists[j];
			ASSERT_TRUE(xtcp_seq_before(a, b))
				TH_LOG("a %#x b %#x", a, b);
			ASSERT_FALSE(xtcp_seq_before(b, a));
			ASSERT_TRUE(xtcp_seq_after(b, a));
			ASSERT_FALSE(xtcp_seq_after(a, b));
			ASSERT_TRUE(xtcp_seq_leq(a, b));
			ASSERT_FALSE(xtcp_seq_leq(b, a));
			ASSERT_TRUE(xtcp_seq_geq(b, a));
			ASSERT_FALSE(xtcp_seq_geq(a, b));
		}
	}
}

TEST(order_wraps_at_zero)
{
	ASSERT_TRUE(xtcp_seq_before(TOP, 0));
	ASSERT_TRUE(xtcp_seq_after(0, TOP));
	ASSERT_FALSE(xtcp_seq_before(0, TOP));
	ASSERT_TRUE(xtcp_seq_before(TOP - 5, 5));
	ASSERT_TRUE(xtcp_seq_leq(TOP, 0));
	ASSERT_TRUE(xtcp_seq_geq(0, TOP));
	ASSERT_FALSE(xtcp_seq_geq(TOP, 0));
	/* 2^31 - 1 ahead is still ahead, 2^31 + 1 ahead is behind. */
	ASSERT_TRUE(xtcp_seq_before(0, 0x7fffffff));
	ASSERT_TRUE(xtcp_seq_after(0, HALF + 1));
	ASSERT_TRUE(xtcp_seq_before(TOP, 0x7ffffffe));
	ASSERT_TRUE(xtcp_seq_after(TOP, 0x7fffffff));
}

/* Exactly 2^31 apart: documented as "each before and after the other". */
TEST(order_at_half_the_space)
{
	unsigned int i;
	u32 a, b;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		a = bases[i];
		b = a + HALF;
		ASSERT_TRUE(xtcp_seq_before(a, b));
		ASSERT_TRUE(xtcp_seq_before(b, a));
		ASSERT_TRUE(xtcp_seq_after(a, b));
		ASSERT_TRUE(xtcp_seq_after(b, a));
		/* The complements still hold. */
		ASSERT_FALSE(xtcp_seq_leq(a, b));
		ASSERT_FALSE(xtcp_seq_geq(a, b));
	}
}

/* Random pairs at any distance, against the unwrapped definition. */
TEST(order_random_pairs)
{
	u32 a, b, d;
	int i;

	for (i = 0; i < 2000000; i++) {
		a = rnd32();
		/* Half of the pairs close together, to hit small distances. */
		b = i & 1 ? rnd32() : a + (rnd32() >> (rnd32() % 32));
		d = b - a;	/* how far b is ahead, 0 .. 2^32 - 1 */

		ASSERT_EQ(d >= 1 && d <= HALF, xtcp_seq_before(a, b))
			TH_LOG("a %#x b %#x", a, b);
		ASSERT_EQ(d >= HALF, xtcp_seq_after(a, b))
			TH_LOG("a %#x b %#x", a, b);
		ASSERT_EQ(!xtcp_seq_after(a, b), xtcp_seq_leq(a, b));
		ASSERT_EQ(!xtcp_seq_before(a, b), xtcp_seq_geq(a, b));
		ASSERT_EQ(xtcp_seq_after(b, a), xtcp_seq_before(a, b));
		if (d != HALF) {
			/* Trichotomy wherever the order is defined. */
			ASSERT_EQ(1, xtcp_seq_before(a, b) + (a == b) +
				     xtcp_seq_after(a, b));
			ASSERT_EQ(xtcp_seq_before(a, b) || a == b,
				  xtcp_seq_leq(a, b));
		}
	}
}

/* ---- max / min ---- */

TEST(max_min_wrap)
{
	unsigned int i, j;
	u32 a, b;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(dists); j++) {
			a = bases[i];
			b = a + dists[j];
			ASSERT_EQ(b, xtcp_seq_max(a, b));
			ASSERT_EQ(b, xtcp_seq_max(b, a));
			ASSERT_EQ(a, xtcp_seq_min(a, b));
			ASSERT_EQ(a, xtcp_seq_min(b, a));
		}
		ASSERT_EQ(bases[i], xtcp_seq_max(bases[i], bases[i]));
		ASSERT_EQ(bases[i], xtcp_seq_min(bases[i], bases[i]));
		/* Undefined order: the first argument wins. */
		ASSERT_EQ(bases[i], xtcp_seq_max(bases[i], bases[i] + HALF));
		ASSERT_EQ(bases[i], xtcp_seq_min(bases[i], bases[i] + HALF));
	}
	ASSERT_EQ(0, xtcp_seq_max(TOP, 0));
	ASSERT_EQ(TOP, xtcp_seq_min(0, TOP));
	ASSERT_EQ(5, xtcp_seq_max(TOP - 10, 5));
	ASSERT_EQ(TOP - 10, xtcp_seq_min(5, TOP - 10));
}

/* ---- between ---- */

TEST(between_edges_and_wrap)
{
	unsigned int i, j;
	u32 lo, hi;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(dists); j++) {
			lo = bases[i];
			hi = lo + dists[j];
			ASSERT_TRUE(xtcp_seq_between(lo, lo, hi));
			ASSERT_TRUE(xtcp_seq_between(hi, lo, hi));
			ASSERT_TRUE(xtcp_seq_between(lo + 1, lo, hi));
			ASSERT_TRUE(xtcp_seq_between(hi - 1, lo, hi));
			ASSERT_FALSE(xtcp_seq_between(lo - 1, lo, hi))
				TH_LOG("lo %#x hi %#x", lo, hi);
			ASSERT_FALSE(xtcp_seq_between(hi + 1, lo, hi));
			ASSERT_FALSE(xtcp_seq_between(lo + HALF + dists[j] / 2,
						      lo, hi));
		}
	}
	/* An arc over 0. */
	ASSERT_TRUE(xtcp_seq_between(0, TOP - 15, 16));
	ASSERT_TRUE(xtcp_seq_between(TOP, TOP - 15, 16));
	ASSERT_TRUE(xtcp_seq_between(TOP - 15, TOP - 15, 16));
	ASSERT_TRUE(xtcp_seq_between(16, TOP - 15, 16));
	ASSERT_FALSE(xtcp_seq_between(17, TOP - 15, 16));
	ASSERT_FALSE(xtcp_seq_between(TOP - 16, TOP - 15, 16));
	ASSERT_FALSE(xtcp_seq_between(HALF, TOP - 15, 16));
	/* low == high: that number only. */
	ASSERT_TRUE(xtcp_seq_between(7, 7, 7));
	ASSERT_FALSE(xtcp_seq_between(8, 7, 7));
	ASSERT_FALSE(xtcp_seq_between(6, 7, 7));
	/* high == low - 1: the whole space. */
	for (i = 0; i < ARRAY_SIZE(bases); i++)
		ASSERT_TRUE(xtcp_seq_between(bases[i], 100, 99));
	/* low after high is not an empty range but a long arc. */
	ASSERT_TRUE(xtcp_seq_between(HALF, 100, 50));
	ASSERT_FALSE(xtcp_seq_between(75, 100, 50));
	/* Exact beyond 2^31 too. */
	ASSERT_TRUE(xtcp_seq_between(0xc0000000, 0, 0xf0000000));
	ASSERT_FALSE(xtcp_seq_between(0xf0000001, 0, 0xf0000000));
}

TEST(between_random)
{
	u32 seq, lo, hi;
	u64 s, h;
	int i;

	for (i = 0; i < 2000000; i++) {
		lo = rnd32();
		hi = i & 1 ? rnd32() : lo + (rnd32() >> (rnd32() % 32));
		seq = i & 2 ? rnd32() : lo + (rnd32() >> (rnd32() % 32)) - 8;
		/* Unwrap: put lo at 0 and count forward on 64 bits. */
		h = hi >= lo ? (u64)hi - lo : (1ULL << 32) + hi - lo;
		s = seq >= lo ? (u64)seq - lo : (1ULL << 32) + seq - lo;
		ASSERT_EQ(s <= h, xtcp_seq_between(seq, lo, hi))
			TH_LOG("seq %#x lo %#x hi %#x", seq, lo, hi);
	}
}

/* ---- acceptability, RFC 9293 s.3.10.7.4 ---- */

/*
 * The RFC's table literally, on unwrapped numbers: the window starts at
 * 2^32 (so that nothing near it goes negative) and the segment is placed
 * at its signed offset from RCV.NXT.
 */
static bool rfc_acceptable(u32 seq, u32 len, u32 nxt, u32 wnd)
{
	s64 n = 1LL << 32, s = n + (s32)(seq - nxt), last = s + len - 1;

	if (!len && !wnd)
		return s == n;
	if (!len)
		return n <= s && s < n + wnd;
	if (!wnd)
		return false;
	return (n <= s && s < n + wnd) || (n <= last && last < n + wnd);
}

/* The one case the helper accepts beyond the literal table. */
static bool straddles(u32 seq, u32 len, u32 nxt, u32 wnd)
{
	s64 n = 1LL << 32, s = n + (s32)(seq - nxt), last = s + len - 1;

	return len && wnd && s < n && last >= n + wnd;
}

TEST(acceptable_zero_len_zero_window)
{
	unsigned int i;
	u32 nxt;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		nxt = bases[i];
		ASSERT_TRUE(xtcp_seq_acceptable(nxt, 0, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt + 1, 0, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt - 1, 0, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt + HALF, 0, nxt, 0));
	}
	ASSERT_FALSE(xtcp_seq_acceptable(TOP, 0, 0, 0));
	ASSERT_FALSE(xtcp_seq_acceptable(0, 0, TOP, 0));
}

TEST(acceptable_zero_len_open_window)
{
	static const u32 wnds[] = { 1, 2, 1000, 65535, 0x3fffc000 };
	unsigned int i, j;
	u32 nxt, wnd;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(wnds); j++) {
			nxt = bases[i];
			wnd = wnds[j];
			/* RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND */
			ASSERT_TRUE(xtcp_seq_acceptable(nxt, 0, nxt, wnd));
			ASSERT_TRUE(xtcp_seq_acceptable(nxt + wnd - 1, 0, nxt,
							wnd));
			ASSERT_FALSE(xtcp_seq_acceptable(nxt + wnd, 0, nxt,
							 wnd));
			ASSERT_FALSE(xtcp_seq_acceptable(nxt - 1, 0, nxt, wnd));
			ASSERT_FALSE(xtcp_seq_acceptable(nxt + HALF, 0, nxt,
							 wnd));
		}
	}
	/* A window that wraps past 2^32. */
	ASSERT_TRUE(xtcp_seq_acceptable(TOP, 0, TOP - 15, 32));
	ASSERT_TRUE(xtcp_seq_acceptable(0, 0, TOP - 15, 32));
	ASSERT_TRUE(xtcp_seq_acceptable(15, 0, TOP - 15, 32));
	ASSERT_FALSE(xtcp_seq_acceptable(16, 0, TOP - 15, 32));
	ASSERT_FALSE(xtcp_seq_acceptable(TOP - 16, 0, TOP - 15, 32));
}

TEST(acceptable_data_zero_window)
{
	unsigned int i;
	u32 nxt;

	/* Nothing with SEG.LEN > 0 fits in a closed window, not even at
	 * RCV.NXT: a window probe of one byte must be dropped (and ACKed).
	 */
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		nxt = bases[i];
		ASSERT_FALSE(xtcp_seq_acceptable(nxt, 1, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt, 1448, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt - 1, 2, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt - 1000, 2000, nxt, 0));
		ASSERT_FALSE(xtcp_seq_acceptable(nxt + 1, 1, nxt, 0));
	}
}

TEST(acceptable_data_open_window)
{
	static const u32 wnds[] = { 1, 2, 1000, 65535, 0x3fffc000 };
	static const u32 lens[] = { 1, 2, 536, 1448, 65535 };
	unsigned int i, j, k;
	u32 nxt, wnd, len;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(wnds); j++) {
			for (k = 0; k < ARRAY_SIZE(lens); k++) {
				nxt = bases[i];
				wnd = wnds[j];
				len = lens[k];
				/* First byte at either edge of the window. */
				ASSERT_TRUE(xtcp_seq_acceptable(nxt, len, nxt,
								wnd));
				ASSERT_TRUE(xtcp_seq_acceptable(nxt + wnd - 1,
								len, nxt, wnd));
				ASSERT_FALSE(xtcp_seq_acceptable(nxt + wnd,
								 len, nxt,
								 wnd));
				/* Last byte at RCV.NXT, or just before it. */
				ASSERT_TRUE(xtcp_seq_acceptable(nxt - len + 1,
								len, nxt, wnd));
				ASSERT_FALSE(xtcp_seq_acceptable(nxt - len,
								 len, nxt,
								 wnd));
				/* Far away on either side. */
				ASSERT_FALSE(xtcp_seq_acceptable(nxt + HALF,
								 len, nxt,
								 wnd));
				ASSERT_FALSE(xtcp_seq_acceptable(nxt - wnd - len,
								 len, nxt,
								 wnd));
			}
		}
	}
	/* Across the wrap: segment 0xfffffff0 .. 0x0f, window from 0. */
	ASSERT_TRUE(xtcp_seq_acceptable(TOP - 15, 32, 0, 100));
	ASSERT_FALSE(xtcp_seq_acceptable(TOP - 15, 16, 0, 100));
	ASSERT_TRUE(xtcp_seq_acceptable(TOP - 15, 17, 0, 100));
	ASSERT_TRUE(xtcp_seq_acceptable(99, 32, 0, 100));
	ASSERT_FALSE(xtcp_seq_acceptable(100, 32, 0, 100));
}

/* Starts before RCV.NXT, ends past the right edge: accepted on purpose. */
TEST(acceptable_straddling_segment)
{
	ASSERT_TRUE(xtcp_seq_acceptable(900, 300, 1000, 100));
	ASSERT_FALSE(rfc_acceptable(900, 300, 1000, 100));
	ASSERT_TRUE(straddles(900, 300, 1000, 100));
	ASSERT_TRUE(xtcp_seq_acceptable(TOP - 9, 100, 5, 10));
	ASSERT_TRUE(xtcp_seq_acceptable(999, 3, 1000, 1));
}

/* Everything else agrees with the literal table. */
TEST(acceptable_matches_rfc_table)
{
	u32 seq, len, nxt, wnd;
	int i;

	for (i = 0; i < 4000000; i++) {
		nxt = rnd32();
		switch (i % 4) {
		case 0:
			wnd = 0;
			break;
		case 1:
			wnd = 1 + rnd32() % 8;
			break;
		default:
			wnd = rnd32() >> (2 + rnd32() % 30);
		}
		len = i & 4 ? 0 : (i & 8 ? rnd32() % 4 : rnd32() >> 17);
		/* Mostly near the window, so that the edges are exercised. */
		if (i % 16 == 15)
			seq = rnd32();
		else
			seq = nxt - (len + 4) +
			      rnd32() % (2 * (wnd + len) + 9);
		ASSERT_EQ(rfc_acceptable(seq, len, nxt, wnd) ||
			  straddles(seq, len, nxt, wnd),
			  xtcp_seq_acceptable(seq, len, nxt, wnd))
			TH_LOG("seq %#x len %u nxt %#x wnd %u", seq, len, nxt,
			       wnd);
	}
}

TEST_HARNESS_MAIN
