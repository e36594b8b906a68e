// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the data receiver's SACK and D-SACK blocks
 * (net/xtcp/sack_rcv.c).
 *
 * Expected blocks are the ACK columns of the RFC 2018 s.7 and RFC 2883 s.4
 * example tables, worked out by hand in the comments from the rules of
 * RFC 2018 s.4 / RFC 2883 s.4 and Linux 6.1's tcp_data_queue() path, or
 * come from a byte bitmap of what was received (the randomized model),
 * never from running the code under test twice.
 *
 * A small test receiver (struct rx) plays the caller: it keeps the bitmap,
 * moves RCV.NXT over contiguous received bytes and calls
 * xtcp_sack_rcv_data() / xtcp_sack_remove() as the receive path will.
 */
#include <stdio.h>
#include <string.h>

#include <linux/types.h>
#include <net/xtcp_sack_rcv.h>

#include "kselftest_harness.h"
#define RNG_SEED 0x853c49e6748fea9bULL
#include "rng.h"

#define TOP		0xffffffffU
/* Bytes of stream the test receiver can track past its base. */
#define RX_BYTES	12000U

struct rx {
	struct xtcp_sack_rcv s;
	u32 base;		/* sequence number of offset 0 */
	u32 nxt;		/* RCV.NXT as an offset from base */
	bool got[RX_BYTES];
};

static void rx_init(struct rx *r, u32 base, u32 rcv_nxt, bool dsack)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->nxt = rcv_nxt - base;
	memset(r->got, 1, r->nxt);
	xtcp_sack_rcv_init(&r->s, dsack);
}

static u32 rx_rcv_nxt(const struct rx *r)
{
	return r->base + r->nxt;
}

/* A data segment [seq, end) arrives (sequence numbers, may wrap). */
static void rx_seg(struct rx *r, u32 seq, u32 end)
{
	u32 a = seq - r->base, b = end - r->base, i, old = r->nxt;

	xtcp_sack_rcv_data(&r->s, rx_rcv_nxt(r), seq, end);
	for (i = a; i < b && i < RX_BYTES; i++)
		r->got[i] = true;
	while (r->nxt < RX_BYTES && r->got[r->nxt])
		r->nxt++;
	if (r->nxt != old)
		xtcp_sack_remove(&r->s, rx_rcv_nxt(r));
}

/*
 * The ACK the receiver sends now: its number must be @ack and its SACK
 * option, with room for @max blocks, exactly the @n pairs of @want
 * (offsets added to r->base). Prints what it got when it differs.
 */
static bool rx_ack_is(struct rx *r, unsigned int max, u32 ack,
		      const u32 *want, unsigned int n)
{
	struct xtcp_sack_block out[XTCP_NUM_SACKS + 1];
	unsigned int got, cnt, i;
	bool ok;

	memset(out, 0xa5, sizeof(out));
	cnt = xtcp_sack_rcv_count(&r->s, max);
	got = xtcp_sack_rcv_write(&r->s, out, max);
	ok = got == n && cnt == n && rx_rcv_nxt(r) == r->base + ack;
	for (i = 0; ok && i < n; i++)
		ok = out[i].start_seq == r->base + want[2 * i] &&
		     out[i].end_seq == r->base + want[2 * i + 1];
	/* Nothing written past the count. */
	ok = ok && out[got].start_seq == 0xa5a5a5a5U;
	if (!ok) {
		fprintf(stderr, "# want ack %u", ack);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %u-%u", want[2 * i], want[2 * i + 1]);
		fprintf(stderr, "\n#  got ack %u (count %u)",
			rx_rcv_nxt(r) - r->base, cnt);
		for (i = 0; i < got; i++)
			fprintf(stderr, " %u-%u", out[i].start_seq - r->base,
				out[i].end_seq - r->base);
		fprintf(stderr, "\n");
	}
	return ok;
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define ACK_IS(r, ack, ...) ({						\
	static const u32 __w[] = { __VA_ARGS__ };			\
	rx_ack_is(r, XTCP_NUM_SACKS, ack, __w, ARRAY_SIZE(__w) / 2);	\
})
#define ACK_IS_NOSACK(r, ack)	rx_ack_is(r, XTCP_NUM_SACKS, ack, NULL, 0)

/* Offsets the RFC tables are replayed at: plain, and across 2^32. */
static const u32 bases[] = { 0, TOP - 6499, TOP - 3999, 0x7fffff00 };

/* ---- RFC 2018 s.7: eight 500-byte segments from 5000 ---- */

/* Case 1: the first four arrive, the last four are lost: no SACK. */
TEST(rfc2018_case1_tail_lost)
{
	static struct rx r;
	unsigned int k, i;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 5000, true);
		for (i = 0; i < 4; i++) {
			rx_seg(&r, r.base + 5000 + 500 * i,
			       r.base + 5500 + 500 * i);
			ASSERT_TRUE(ACK_IS_NOSACK(&r, 5500 + 500 * i));
		}
	}
}

/*
 * Case 2: the first is lost, the other seven arrive: every ACK is 5000
 * with one block growing by 500 at its right edge.
 */
TEST(rfc2018_case2_first_lost)
{
	static struct rx r;
	unsigned int k, i;
	u32 want[2];

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 5000, true);
		for (i = 1; i < 8; i++) {
			rx_seg(&r, r.base + 5000 + 500 * i,
			       r.base + 5500 + 500 * i);
			want[0] = 5500;
			want[1] = 5500 + 500 * i;
			ASSERT_TRUE(rx_ack_is(&r, 4, 5000, want, 1));
		}
	}
}

/*
 * Case 3: the 2nd, 4th, 6th and 8th are lost. Each new block goes first
 * (RFC 2018 s.4: the block of the triggering segment first, then the most
 * recent ones). Then the 4th (6500) arrives and joins 6000-6500 and
 * 7000-7500 into 6000-7500, first; then the 2nd (5500) fills the first
 * hole: ACK 7500, and 8000-8500 is all that is left above it.
 */
TEST(rfc2018_case3_alternate_lost)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 5000, true);
		rx_seg(&r, r.base + 5000, r.base + 5500);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 5500));
		rx_seg(&r, r.base + 6000, r.base + 6500);
		ASSERT_TRUE(ACK_IS(&r, 5500, 6000, 6500));
		rx_seg(&r, r.base + 7000, r.base + 7500);
		ASSERT_TRUE(ACK_IS(&r, 5500, 7000, 7500, 6000, 6500));
		rx_seg(&r, r.base + 8000, r.base + 8500);
		ASSERT_TRUE(ACK_IS(&r, 5500, 8000, 8500, 7000, 7500,
				   6000, 6500));
		rx_seg(&r, r.base + 6500, r.base + 7000);
		ASSERT_TRUE(ACK_IS(&r, 5500, 6000, 7500, 8000, 8500));
		rx_seg(&r, r.base + 5500, r.base + 6000);
		ASSERT_TRUE(ACK_IS(&r, 7500, 8000, 8500));
		rx_seg(&r, r.base + 7500, r.base + 8000);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 8500));
	}
}

/* ---- RFC 2883 s.4 examples ---- */

/*
 * s.4.1.1: 3000-3499 and 3500-3999 arrive, both ACKs are lost, 3000-3499
 * is retransmitted: ACK 4000 with D-SACK 3000-3500. The D-SACK is sent
 * once; the next ACK has no SACK option.
 */
TEST(rfc2883_duplicate_segment)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 3000, true);
		rx_seg(&r, r.base + 3000, r.base + 3500);
		rx_seg(&r, r.base + 3500, r.base + 4000);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 4000));
		rx_seg(&r, r.base + 3000, r.base + 3500);
		ASSERT_TRUE(ACK_IS(&r, 4000, 3000, 3500));
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 4000));
	}
}

/*
 * s.4.1.2: as above but 4000-4499 is lost and 4500-4999 arrives (ACK 4000,
 * SACK 4500-5000, lost), then the retransmitted 3000-3499: ACK 4000 with
 * D-SACK 3000-3500 followed by the SACK block 4500-5000.
 */
TEST(rfc2883_out_of_order_and_duplicate)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 3000, true);
		rx_seg(&r, r.base + 3000, r.base + 3500);
		rx_seg(&r, r.base + 3500, r.base + 4000);
		rx_seg(&r, r.base + 4500, r.base + 5000);
		ASSERT_TRUE(ACK_IS(&r, 4000, 4500, 5000));
		rx_seg(&r, r.base + 3000, r.base + 3500);
		ASSERT_TRUE(ACK_IS(&r, 4000, 3000, 3500, 4500, 5000));
	}
}

/*
 * s.4.1.3: 4000-4499 lost, 4500-4999 and 5000-5499 arrive (SACK 4500-5000,
 * then 4500-5500), then 5000-5499 again (duplicated by the network): ACK
 * 4000, D-SACK 5000-5500, then the block holding it, 4500-5500.
 */
TEST(rfc2883_duplicate_of_out_of_order)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 3000, true);
		rx_seg(&r, r.base + 3000, r.base + 3500);
		rx_seg(&r, r.base + 3500, r.base + 4000);
		rx_seg(&r, r.base + 4500, r.base + 5000);
		ASSERT_TRUE(ACK_IS(&r, 4000, 4500, 5000));
		rx_seg(&r, r.base + 5000, r.base + 5500);
		ASSERT_TRUE(ACK_IS(&r, 4000, 4500, 5500));
		rx_seg(&r, r.base + 5000, r.base + 5500);
		ASSERT_TRUE(ACK_IS(&r, 4000, 5000, 5500, 4500, 5500));
		ASSERT_TRUE(ACK_IS(&r, 4000, 4500, 5500));
	}
}

/*
 * s.4.2.1: 1000-1499 is delayed, 1500-1999 lost, 2000-2499 arrives (ACK
 * 1000, SACK 2000-2500); the sender retransmits 1000-1999 as one segment.
 * The delayed 1000-1499 arrives first (ACK 1500, SACK 2000-2500), then
 * the retransmission, whose first half is a duplicate: ACK 2500 with
 * D-SACK 1000-1500, and no SACK block left.
 */
TEST(rfc2883_single_duplicate_subsegment)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 500, true);
		rx_seg(&r, r.base + 500, r.base + 1000);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 1000));
		rx_seg(&r, r.base + 2000, r.base + 2500);
		ASSERT_TRUE(ACK_IS(&r, 1000, 2000, 2500));
		rx_seg(&r, r.base + 1000, r.base + 1500);
		ASSERT_TRUE(ACK_IS(&r, 1500, 2000, 2500));
		rx_seg(&r, r.base + 1000, r.base + 2000);
		ASSERT_TRUE(ACK_IS(&r, 2500, 1000, 1500));
	}
}

/*
 * s.4.2.2: 1000-1499 and 2000-2499 delayed, 1500-1999 and 2500-2999 lost,
 * 3000-3499 arrives (SACK 3000-3500); the sender retransmits 1000-2499 as
 * one segment. The delayed ones arrive first: ACK 1500 SACK 3000-3500,
 * then ACK 1500 SACK 2000-2500, 3000-3500. Then the retransmission, with
 * two separate duplicate runs (1000-1499 below RCV.NXT, 2000-2499 above):
 * ACK 2500, D-SACK of the first run only, 1000-1500, then 3000-3500.
 */
TEST(rfc2883_two_duplicate_subsegments)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 500, true);
		rx_seg(&r, r.base + 500, r.base + 1000);
		rx_seg(&r, r.base + 3000, r.base + 3500);
		ASSERT_TRUE(ACK_IS(&r, 1000, 3000, 3500));
		rx_seg(&r, r.base + 1000, r.base + 1500);
		ASSERT_TRUE(ACK_IS(&r, 1500, 3000, 3500));
		rx_seg(&r, r.base + 2000, r.base + 2500);
		ASSERT_TRUE(ACK_IS(&r, 1500, 2000, 2500, 3000, 3500));
		rx_seg(&r, r.base + 1000, r.base + 2500);
		ASSERT_TRUE(ACK_IS(&r, 2500, 1000, 1500, 3000, 3500));
	}
}

/*
 * s.4.2.3 (duplicates above the cumulative ACK): 1000-1499 lost,
 * 1500-1999 and 2500-2999 delayed, 2000-2499 and 3000-3499 lost,
 * 3500-3999 arrives; the retransmission of 1000-1499 is lost again and
 * 1500-2999 is retransmitted as one segment. The delayed ones arrive:
 * SACK 1500-2000, 3500-4000, then 2500-3000, 1500-2000, 3500-4000. Then
 * the retransmission: D-SACK of its first duplicate run 1500-2000, then
 * the block now holding it, 1500-3000, then 3500-4000.
 */
TEST(rfc2883_duplicates_above_ack)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 500, true);
		rx_seg(&r, r.base + 500, r.base + 1000);
		rx_seg(&r, r.base + 3500, r.base + 4000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 3500, 4000));
		rx_seg(&r, r.base + 1500, r.base + 2000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 1500, 2000, 3500, 4000));
		rx_seg(&r, r.base + 2500, r.base + 3000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 2500, 3000, 1500, 2000,
				   3500, 4000));
		rx_seg(&r, r.base + 1500, r.base + 3000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 1500, 2000, 1500, 3000,
				   3500, 4000));
	}
}

/*
 * s.4 (reordering): 1000-1499 is delayed; 1500-1999, 2000-2499 and
 * 2500-2999 arrive (one growing block); the fast retransmission of
 * 1000-1499 arrives (ACK 3000), then the delayed original: ACK 3000 with
 * D-SACK 1000-1500.
 */
TEST(rfc2883_delayed_original)
{
	static struct rx r;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(bases); k++) {
		rx_init(&r, bases[k], bases[k] + 500, true);
		rx_seg(&r, r.base + 500, r.base + 1000);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 1000));
		rx_seg(&r, r.base + 1500, r.base + 2000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 1500, 2000));
		rx_seg(&r, r.base + 2000, r.base + 2500);
		ASSERT_TRUE(ACK_IS(&r, 1000, 1500, 2500));
		rx_seg(&r, r.base + 2500, r.base + 3000);
		ASSERT_TRUE(ACK_IS(&r, 1000, 1500, 3000));
		rx_seg(&r, r.base + 1000, r.base + 1500);
		ASSERT_TRUE(ACK_IS_NOSACK(&r, 3000));
		rx_seg(&r, r.base + 1000, r.base + 1500);
		ASSERT_TRUE(ACK_IS(&r, 3000, 1000, 1500));
	}
}

/* ---- blocks: order, coalescing, the limit of four, removal ---- */

/* Three holes opened in order: the blocks come most recent first. */
TEST(three_holes_most_recent_first)
{
	static struct rx r;

	rx_init(&r, 0, 100, true);
	rx_seg(&r, 200, 300);
	rx_seg(&r, 400, 500);
	rx_seg(&r, 600, 700);
	ASSERT_TRUE(ACK_IS(&r, 100, 600, 700, 400, 500, 200, 300));
	/* Data below the newest block joins it; it stays first. */
	rx_seg(&r, 550, 600);
	ASSERT_TRUE(ACK_IS(&r, 100, 550, 700, 400, 500, 200, 300));
	/* Growing the oldest block brings it to the front. */
	rx_seg(&r, 300, 350);
	ASSERT_TRUE(ACK_IS(&r, 100, 200, 350, 550, 700, 400, 500));
	/* A segment inside a block (a duplicate) moves it to the front. */
	rx_seg(&r, 420, 480);
	ASSERT_TRUE(ACK_IS(&r, 100, 420, 480, 400, 500, 200, 350,
			   550, 700));
}

/* Blocks that come to overlap or touch merge into the first one. */
TEST(coalescing)
{
	static struct rx r;

	rx_init(&r, 0, 0, true);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 300, 400);
	rx_seg(&r, 500, 600);
	rx_seg(&r, 700, 800);
	/* Exactly filling the hole 200-300: the two touch and join. */
	rx_seg(&r, 200, 300);
	ASSERT_TRUE(ACK_IS(&r, 0, 100, 400, 700, 800, 500, 600));
	/* Overlapping both neighbours of a hole (duplicate parts). */
	rx_seg(&r, 350, 550);
	ASSERT_TRUE(ACK_IS(&r, 0, 350, 400, 100, 600, 700, 800));
	/* Covering everything and more: one block. */
	rx_seg(&r, 50, 900);
	ASSERT_TRUE(ACK_IS(&r, 0, 100, 600, 50, 900));
	ASSERT_EQ(1, r.s.num_sacks);
	/* Touching at the right edge. */
	rx_seg(&r, 900, 950);
	ASSERT_TRUE(ACK_IS(&r, 0, 50, 950));
}

/*
 * A fifth hole: the least recently changed block is forgotten (Linux's
 * TCP_NUM_SACKS), even though the data is still held.
 */
TEST(fifth_block_drops_oldest)
{
	static struct rx r;

	rx_init(&r, 0, 0, true);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 300, 400);
	rx_seg(&r, 500, 600);
	rx_seg(&r, 700, 800);
	rx_seg(&r, 900, 1000);
	ASSERT_TRUE(ACK_IS(&r, 0, 900, 1000, 700, 800, 500, 600,
			   300, 400));
	/* 300-400 grows and comes first: now 500-600 is the oldest. */
	rx_seg(&r, 400, 450);
	rx_seg(&r, 1100, 1200);
	ASSERT_TRUE(ACK_IS(&r, 0, 1100, 1200, 300, 450, 900, 1000,
			   700, 800));
	/* Data next to a forgotten block makes a block of its own. */
	rx_seg(&r, 600, 650);
	ASSERT_TRUE(ACK_IS(&r, 0, 600, 650, 1100, 1200, 300, 450,
			   900, 1000));
}

/* RCV.NXT moving up removes the blocks it reached, keeping the order. */
TEST(remove_as_rcv_nxt_advances)
{
	struct xtcp_sack_rcv s;

	xtcp_sack_rcv_init(&s, true);
	xtcp_sack_new_ofo(&s, 300, 400);
	xtcp_sack_new_ofo(&s, 100, 200);
	xtcp_sack_new_ofo(&s, 500, 600);
	xtcp_sack_remove(&s, 99);
	ASSERT_EQ(3, s.num_sacks);
	/* RCV.NXT at a block's start: the block is in order now. */
	xtcp_sack_remove(&s, 100);
	ASSERT_EQ(2, s.num_sacks);
	ASSERT_EQ(500, s.selective_acks[0].start_seq);
	ASSERT_EQ(300, s.selective_acks[1].start_seq);
	/* A pending D-SACK survives; stopping inside a block drops it. */
	xtcp_dsack_set(&s, 10, 20);
	xtcp_sack_remove(&s, 350);
	ASSERT_EQ(1, s.num_sacks);
	ASSERT_EQ(500, s.selective_acks[0].start_seq);
	ASSERT_TRUE(s.dsack);
	xtcp_sack_remove(&s, 600);
	ASSERT_EQ(0, s.num_sacks);
	ASSERT_TRUE(s.dsack);
	/* reset forgets the D-SACK too. */
	xtcp_sack_new_ofo(&s, 700, 800);
	xtcp_sack_reset(&s);
	ASSERT_EQ(0, s.num_sacks);
	ASSERT_FALSE(s.dsack);
}

/* Blocks across 2^32 extend, coalesce and are removed like any others. */
TEST(wraparound)
{
	static struct rx r;

	rx_init(&r, TOP - 999, TOP - 999, true);
	rx_seg(&r, TOP - 499, TOP + 1);	/* up to 2^32 exactly: end 0 */
	ASSERT_EQ(0, r.s.selective_acks[0].end_seq);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 0, 100);		/* joins both across the wrap */
	ASSERT_EQ(1, r.s.num_sacks);
	ASSERT_EQ(TOP - 499, r.s.selective_acks[0].start_seq);
	ASSERT_EQ(200, r.s.selective_acks[0].end_seq);
	rx_seg(&r, 300, 400);
	ASSERT_TRUE(ACK_IS(&r, 0, 300 + 1000, 400 + 1000,
			   500, 200 + 1000));
	/* A duplicate straddling 2^32 inside the block. */
	rx_seg(&r, TOP - 9, 10);
	ASSERT_TRUE(ACK_IS(&r, 0, 990, 1010, 500, 1200, 1300, 1400));
	/* The hole fills: RCV.NXT passes 2^32 and the first block goes. */
	rx_seg(&r, TOP - 999, TOP - 499);
	ASSERT_EQ(1200, r.nxt);
	ASSERT_TRUE(ACK_IS(&r, 1200, 1300, 1400));
}

/* ---- D-SACK ---- */

TEST(dsack_below_rcv_nxt)
{
	static struct rx r;

	rx_init(&r, 0, 1000, true);
	/* Wholly below: the segment itself. */
	rx_seg(&r, 200, 300);
	ASSERT_TRUE(ACK_IS(&r, 1000, 200, 300));
	/* Ending exactly at RCV.NXT: still wholly old. */
	rx_seg(&r, 900, 1000);
	ASSERT_TRUE(ACK_IS(&r, 1000, 900, 1000));
	/* Straddling RCV.NXT: only the old part; the rest is taken in. */
	rx_seg(&r, 950, 1100);
	ASSERT_TRUE(ACK_IS(&r, 1100, 950, 1000));
	/* Straddling with a block above: still the part below only. */
	rx_seg(&r, 1300, 1400);
	rx_seg(&r, 1050, 1350);
	ASSERT_TRUE(ACK_IS(&r, 1400, 1050, 1100));
}

TEST(dsack_above_rcv_nxt)
{
	static struct rx r;

	rx_init(&r, 0, 0, true);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 300, 400);
	rx_seg(&r, 500, 600);
	ASSERT_TRUE(ACK_IS(&r, 0, 500, 600, 300, 400, 100, 200));
	/* Inside a block: the duplicate; that block moves first. */
	rx_seg(&r, 320, 380);
	ASSERT_TRUE(ACK_IS(&r, 0, 320, 380, 300, 400, 500, 600,
			   100, 200));
	/* Overlapping a block's right part: the overlap. */
	rx_seg(&r, 150, 250);
	ASSERT_TRUE(ACK_IS(&r, 0, 150, 200, 100, 250, 300, 400,
			   500, 600));
	/* Overlapping a block's left part. */
	rx_seg(&r, 450, 550);
	ASSERT_TRUE(ACK_IS(&r, 0, 500, 550, 450, 600, 100, 250,
			   300, 400));
	/* Overlapping several blocks: the lowest overlap only. */
	rx_seg(&r, 200, 700);
	ASSERT_TRUE(ACK_IS(&r, 0, 200, 250, 100, 700));
	/* In order, overlapping a block above: the overlap. */
	rx_seg(&r, 0, 150);
	ASSERT_TRUE(ACK_IS(&r, 700, 100, 150));
}

/* The in-order case of the test above, checked on its own. */
TEST(dsack_in_order_overlapping_block)
{
	static struct rx r;

	rx_init(&r, 0, 0, true);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 0, 150);
	ASSERT_TRUE(ACK_IS(&r, 200, 100, 150));
	/* In order and touching a block without overlap: no D-SACK. */
	rx_seg(&r, 300, 400);
	rx_seg(&r, 200, 300);
	ASSERT_TRUE(ACK_IS_NOSACK(&r, 400));
}

/*
 * D-SACK describes the latest data segment: a pending one not yet sent
 * is dropped by the next data segment, replaced if that is a duplicate.
 */
TEST(dsack_latest_segment_only)
{
	static struct rx r;

	rx_init(&r, 0, 1000, true);
	rx_seg(&r, 100, 200);
	rx_seg(&r, 1000, 1100);
	ASSERT_TRUE(ACK_IS_NOSACK(&r, 1100));
	rx_seg(&r, 100, 200);
	rx_seg(&r, 300, 400);
	ASSERT_TRUE(ACK_IS(&r, 1100, 300, 400));
	/* An empty segment changes nothing. */
	rx_seg(&r, 500, 600);
	rx_seg(&r, 1100, 1100);
	ASSERT_TRUE(ACK_IS(&r, 1100, 500, 600));
	/* Neither does an inverted range. */
	rx_seg(&r, 500, 600);
	xtcp_sack_rcv_data(&r.s, 1100, 1300, 1200);
	ASSERT_TRUE(ACK_IS(&r, 1100, 500, 600));
}

/* net.xtcp.tcp_dsack = 0: no D-SACK block; SACK blocks unchanged. */
TEST(dsack_disabled)
{
	static struct rx r;

	rx_init(&r, 0, 1000, false);
	rx_seg(&r, 100, 200);
	ASSERT_TRUE(ACK_IS_NOSACK(&r, 1000));
	rx_seg(&r, 1200, 1300);
	rx_seg(&r, 1200, 1300);
	ASSERT_TRUE(ACK_IS(&r, 1000, 1200, 1300));
	rx_seg(&r, 900, 1100);
	ASSERT_TRUE(ACK_IS(&r, 1100, 1200, 1300));
	/* Turned on again, it works at once. */
	r.s.dsack_enabled = true;
	rx_seg(&r, 900, 1000);
	ASSERT_TRUE(ACK_IS(&r, 1100, 900, 1000, 1200, 1300));
}

/* tcp_dsack_extend(): grows a pending block it touches, else sets. */
TEST(dsack_extend)
{
	struct xtcp_sack_rcv s;

	xtcp_sack_rcv_init(&s, true);
	xtcp_dsack_extend(&s, 100, 200);
	ASSERT_TRUE(s.dsack);
	ASSERT_EQ(100, s.duplicate_sack.start_seq);
	ASSERT_EQ(200, s.duplicate_sack.end_seq);
	xtcp_dsack_extend(&s, 200, 250);
	ASSERT_EQ(250, s.duplicate_sack.end_seq);
	xtcp_dsack_extend(&s, 50, 100);
	ASSERT_EQ(50, s.duplicate_sack.start_seq);
	/* Apart from it: not reported. */
	xtcp_dsack_extend(&s, 300, 400);
	ASSERT_EQ(50, s.duplicate_sack.start_seq);
	ASSERT_EQ(250, s.duplicate_sack.end_seq);
	/* Across 2^32. */
	xtcp_dsack_set(&s, TOP - 99, 0);
	xtcp_dsack_extend(&s, 0, 100);
	ASSERT_EQ(TOP - 99, s.duplicate_sack.start_seq);
	ASSERT_EQ(100, s.duplicate_sack.end_seq);
	/* Disabled: nothing. */
	xtcp_sack_rcv_init(&s, false);
	xtcp_dsack_extend(&s, 100, 200);
	ASSERT_FALSE(s.dsack);
}

/* ---- what the option carries ---- */

/*
 * Four blocks and a D-SACK: with room for 4 (no timestamps) the D-SACK
 * and the three most recent blocks; with 3 (timestamps) the D-SACK and
 * two; with none, nothing and the D-SACK stays pending; more than 4 is 4.
 */
TEST(option_limit)
{
	static struct rx r;
	struct xtcp_sack_block out[8];
	unsigned int i;

	rx_init(&r, 0, 1000, true);
	for (i = 0; i < 4; i++)
		rx_seg(&r, 1300 + 200 * i, 1400 + 200 * i);
	rx_seg(&r, 1100, 1200);
	ASSERT_EQ(4, r.s.num_sacks);
	for (i = 0; i < 4; i++) {
		rx_seg(&r, 100, 200);
		ASSERT_TRUE(rx_ack_is(&r, i, 1000, (const u32[]){
			100, 200, 1100, 1200, 1900, 2000, 1700, 1800 },
			i));
		ASSERT_EQ(i == 0, r.s.dsack);
	}
	rx_seg(&r, 100, 200);
	ASSERT_EQ(4, xtcp_sack_rcv_count(&r.s, 9));
	ASSERT_EQ(4, xtcp_sack_rcv_write(&r.s, out, 9));
	ASSERT_FALSE(r.s.dsack);
	/* Without a D-SACK: the blocks, most recent first, up to the room. */
	ASSERT_EQ(3, xtcp_sack_rcv_write(&r.s, out, 3));
	ASSERT_EQ(1100, out[0].start_seq);
	ASSERT_EQ(1900, out[1].start_seq);
	ASSERT_EQ(1700, out[2].start_seq);
	ASSERT_EQ(4, xtcp_sack_rcv_write(&r.s, out, 4));
	ASSERT_EQ(1500, out[3].start_seq);
	ASSERT_EQ(1600, out[3].end_seq);
	ASSERT_EQ(4, r.s.num_sacks);
}

/* ---- randomized model ---- */

static u32 rnd(u32 n)
{
	return rnd32() % n;
}

/* Stream bytes of one model round; segments of 1..SEG_MAX bytes. */
#define MODEL_LEN	160U
#define SEG_MAX		16U

/* Maximal runs of received bytes above the offset @nxt into @runs. */
static unsigned int model_runs(const bool *got, u32 nxt, u32 (*runs)[2])
{
	unsigned int n = 0;
	u32 i = nxt;

	while (i < MODEL_LEN) {
		if (!got[i]) {
			i++;
			continue;
		}
		runs[n][0] = i;
		while (i < MODEL_LEN && got[i])
			i++;
		runs[n++][1] = i;
	}
	return n;
}

/*
 * Random segments (new, retransmitted, overlapping, old, in order) over a
 * small stream at random bases (half of them across 2^32), checked against
 * a bitmap of received bytes after every one:
 *  - always: at most 4 blocks, none empty, none starting at or below
 *    RCV.NXT, every byte of every block received, no two blocks
 *    overlapping or touching; an out-of-order segment lies in the first
 *    block; a segment with bytes below RCV.NXT has D-SACK [seq, RCV.NXT
 *    or end) if enabled; any D-SACK lies in the segment's duplicate bytes;
 *  - while no more than 4 holes have been open since the blocks were last
 *    empty (so none was forgotten, see fifth_block_drops_oldest): the
 *    blocks are exactly the maximal received runs above RCV.NXT, and the
 *    D-SACK is exactly the lowest maximal run of duplicate bytes, present
 *    iff there are any and D-SACK is enabled;
 *  - the ACK, when one is sent: the count, the D-SACK first, then the
 *    blocks in order; the D-SACK no longer pending afterwards.
 */
/* One segment [a, b) of a model round (offsets) and what it found. */
struct model_seg {
	u32 a, b;
	u32 prev_nxt;		/* RCV.NXT before it */
	bool any_dup;		/* some byte of it was received before */
	bool dup[MODEL_LEN];	/* which ones, for a <= i < b */
};

/* What holds after every segment, forgotten blocks or not. */
static void model_check_always(struct __test_metadata *_metadata,
			       const struct rx *r, const struct model_seg *m)
{
	const struct xtcp_sack_block *bl;
	u32 rs, re, os, oe, ds, de, i, j;

	ASSERT_LE(r->s.num_sacks, XTCP_NUM_SACKS);
	for (i = 0; i < r->s.num_sacks; i++) {
		bl = &r->s.selective_acks[i];
		rs = bl->start_seq - r->base;
		re = bl->end_seq - r->base;
		ASSERT_LT(rs, re);
		ASSERT_LE(re, MODEL_LEN);
		ASSERT_GT(rs, r->nxt);
		for (j = rs; j < re; j++)
			ASSERT_TRUE(r->got[j]);
		for (j = 0; j < i; j++) {
			os = r->s.selective_acks[j].start_seq - r->base;
			oe = r->s.selective_acks[j].end_seq - r->base;
			ASSERT_TRUE(oe < rs || re < os);
		}
	}
	if (m->a > m->prev_nxt) {
		ASSERT_GE(r->s.num_sacks, 1);
		ASSERT_LE(r->s.selective_acks[0].start_seq - r->base, m->a);
		ASSERT_GE(r->s.selective_acks[0].end_seq - r->base, m->b);
	}
	if (m->a < m->prev_nxt && r->s.dsack_enabled) {
		ASSERT_TRUE(r->s.dsack);
		ASSERT_EQ(r->base + m->a, r->s.duplicate_sack.start_seq);
		ASSERT_EQ(r->base + (m->b < m->prev_nxt ? m->b : m->prev_nxt),
			  r->s.duplicate_sack.end_seq);
	}
	if (!r->s.dsack)
		return;
	ds = r->s.duplicate_sack.start_seq - r->base;
	de = r->s.duplicate_sack.end_seq - r->base;
	ASSERT_TRUE(r->s.dsack_enabled);
	ASSERT_LE(m->a, ds);
	ASSERT_LT(ds, de);
	ASSERT_LE(de, m->b);
	for (j = ds; j < de; j++)
		ASSERT_TRUE(m->dup[j]);
}

/*
 * No block forgotten: the blocks are the @nruns maximal runs of @runs, and
 * the D-SACK the lowest maximal run of duplicate bytes of the segment.
 */
static void model_check_exact(struct __test_metadata *_metadata,
			      const struct rx *r, const struct model_seg *m,
			      u32 (*runs)[2], unsigned int nruns)
{
	const struct xtcp_sack_block *bl = NULL;
	unsigned int i, j;

	ASSERT_EQ(nruns, r->s.num_sacks);
	for (i = 0; i < nruns; i++) {
		for (j = 0; j < nruns; j++) {
			bl = &r->s.selective_acks[j];
			if (bl->start_seq == r->base + runs[i][0])
				break;
		}
		ASSERT_LT(j, nruns);
		ASSERT_EQ(r->base + runs[i][1], bl->end_seq);
	}
	ASSERT_EQ(m->any_dup && r->s.dsack_enabled, r->s.dsack);
	if (!r->s.dsack)
		return;
	for (i = m->a; !m->dup[i]; i++)
		;
	for (j = i; j < m->b && m->dup[j]; j++)
		;
	ASSERT_EQ(r->base + i, r->s.duplicate_sack.start_seq);
	ASSERT_EQ(r->base + j, r->s.duplicate_sack.end_seq);
}

/* An ACK goes out with room for @max blocks: D-SACK first, then blocks. */
static void model_check_ack(struct __test_metadata *_metadata, struct rx *r,
			    unsigned int max)
{
	struct xtcp_sack_block out[XTCP_NUM_SACKS];
	struct xtcp_sack_block d = r->s.duplicate_sack;
	bool had_dsack = r->s.dsack;
	unsigned int n, i = 0, j;

	n = xtcp_sack_rcv_write(&r->s, out, max);
	j = r->s.num_sacks + had_dsack;
	ASSERT_EQ(j < max ? j : max, n);
	ASSERT_FALSE(r->s.dsack);
	if (had_dsack) {
		ASSERT_EQ(d.start_seq, out[0].start_seq);
		ASSERT_EQ(d.end_seq, out[0].end_seq);
		i = 1;
	}
	for (j = 0; i < n; i++, j++) {
		ASSERT_EQ(r->s.selective_acks[j].start_seq, out[i].start_seq);
		ASSERT_EQ(r->s.selective_acks[j].end_seq, out[i].end_seq);
	}
}

/* A random segment near RCV.NXT: old, in order, or above a hole. */
static void model_pick(const struct rx *r, struct model_seg *m)
{
	u32 lo = r->nxt > 24 ? r->nxt - 24 : 0, i;

	m->a = lo + rnd(r->nxt + 72 - lo);
	if (m->a >= MODEL_LEN)
		m->a = MODEL_LEN - 1;
	m->b = m->a + 1 + rnd(SEG_MAX);
	if (m->b > MODEL_LEN)
		m->b = MODEL_LEN;
	m->prev_nxt = r->nxt;
	m->any_dup = false;
	for (i = m->a; i < m->b; i++)
		m->any_dup |= m->dup[i] = r->got[i];
}

/*
 * Random segments (new, retransmitted, overlapping, old, in order) over a
 * small stream at random bases (half of them across 2^32), checked against
 * a bitmap of received bytes after every one:
 *  - always: at most 4 blocks, none empty, none starting at or below
 *    RCV.NXT, every byte of every block received, no two blocks
 *    overlapping or touching; an out-of-order segment lies in the first
 *    block; a segment with bytes below RCV.NXT has D-SACK [seq, RCV.NXT
 *    or end) if enabled; any D-SACK lies in the segment's duplicate bytes;
 *  - while no more than 4 holes have been open since the blocks were last
 *    empty (so none was forgotten, see fifth_block_drops_oldest): the
 *    blocks are exactly the maximal received runs above RCV.NXT, and the
 *    D-SACK is exactly the lowest maximal run of duplicate bytes, present
 *    iff there are any and D-SACK is enabled;
 *  - the ACK, when one is sent (else it is delayed): the count, the D-SACK
 *    first, then the blocks in order; the D-SACK no longer pending after.
 */
TEST(random_model)
{
	static struct rx r;
	static struct model_seg m;
	static u32 runs[MODEL_LEN][2];
	unsigned long exact = 0, forgetful = 0, dsacks = 0;
	unsigned int round, step, nruns;
	bool forgot;
	u32 base;

	for (round = 0; round < 4000; round++) {
		base = rnd(2) ? rnd32() : TOP - rnd(3 * MODEL_LEN);
		rx_init(&r, base, base, rnd(4) != 0);
		forgot = false;
		for (step = 0; step < 400 && r.nxt < MODEL_LEN; step++) {
			model_pick(&r, &m);
			rx_seg(&r, base + m.a, base + m.b);

			nruns = model_runs(r.got, r.nxt, runs);
			if (nruns > XTCP_NUM_SACKS)
				forgot = true;
			if (!nruns)
				ASSERT_EQ(0, r.s.num_sacks);
			model_check_always(_metadata, &r, &m);
			if (!forgot) {
				model_check_exact(_metadata, &r, &m, runs, nruns);
				exact++;
				dsacks += r.s.dsack;
			} else {
				forgetful++;
			}
			if (!nruns)
				forgot = false;
			if (rnd(2))
				model_check_ack(_metadata, &r, 3 + rnd(2));
		}
	}
	/* The run exercised both regimes and many D-SACKs. */
	TH_LOG("exact %lu forgetful %lu dsack %lu", exact, forgetful, dsacks);
	ASSERT_GT(exact, 100000);
	ASSERT_GT(forgetful, 10000);
	ASSERT_GT(dsacks, 20000);
}

TEST_HARNESS_MAIN
