// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for SACK compression (net/xtcp/sack_comp.c) and the
 * SACK block position that triggers its early send
 * (xtcp_sack_ofo_extend(), net/xtcp/sack_rcv.c).
 *
 * The expected numbers are worked out by hand from Linux 6.1's
 * __tcp_ack_snd_check(), tcp_event_ack_sent(), tcp_compressed_ack_kick()
 * and tcp_sack_new_ofo_skb(), in the comments.  A small receiver model
 * (struct rcv) plays delack.c: it asks whether each out-of-order
 * segment's ACK is held, "sends" the ones that are not, and lets the
 * timer fire when told, counting ACKs on the wire and TCPAckCompressed.
 */
#include <stdio.h>
#include <string.h>

#include <linux/types.h>
#include <net/xtcp_sack_comp.h>
#include <net/xtcp_sack_rcv.h>

#include "kselftest_harness.h"

#define NSEC_PER_MSEC	1000000ULL
#define COMP_NR		44	/* tcp_comp_sack_nr's default */

struct rcv {
	struct xtcp_sack_comp c;
	u32 rcv_nxt;
	u8 nr;			/* tcp_comp_sack_nr */
	bool armed;		/* the timer is pending */
	unsigned int acks;	/* ACKs sent */
	unsigned int compressed;	/* TCPAckCompressed */
};

static void rcv_init(struct rcv *r, u32 rcv_nxt, u8 nr)
{
	memset(r, 0, sizeof(*r));
	r->rcv_nxt = rcv_nxt;
	r->nr = nr;
}

/* Any ACK leaves (tcp_event_ack_sent()): held ones are counted, timer off. */
static void rcv_ack_sent(struct rcv *r)
{
	u32 held = xtcp_sack_comp_ack_sent(&r->c);

	r->acks++;
	r->compressed += held;
	if (held)
		r->armed = false;
}

/* An out-of-order segment's ACK would go at once (__tcp_ack_snd_check()). */
static void rcv_ofo(struct rcv *r)
{
	if (!xtcp_sack_comp_hold(&r->c, r->rcv_nxt, r->nr)) {
		rcv_ack_sent(r);
		return;
	}
	r->armed = true;
}

/* The timer fires (tcp_compressed_ack_kick(), the socket not owned). */
static void rcv_fire(struct rcv *r)
{
	if (!r->armed)
		return;
	r->armed = false;
	if (r->c.held) {
		r->c.held--;
		rcv_ack_sent(r);
	}
}

/* tcp_sack_compress_send_ack(): held - 1 counted, one ACK sent. */
static void rcv_compress_send_ack(struct rcv *r)
{
	u32 held;

	if (!r->c.held)
		return;
	r->armed = false;
	held = xtcp_sack_comp_ack_sent(&r->c);
	r->compressed += held - 1;
	r->acks++;
}

/*
 * One hole, then ten segments beyond it that all arrive before the timer
 * can fire (one softirq run): segments 1-3 get their duplicate ACKs at
 * once (dup_ack_counter 1..3), 4-10 are held (compressed_ack 1..7); the
 * timer sends one ACK for the seven, and six were saved.
 */
TEST(burst_of_ten)
{
	struct rcv r;
	int i;

	rcv_init(&r, 1000, COMP_NR);
	for (i = 0; i < 10; i++)
		rcv_ofo(&r);
	ASSERT_EQ(3, r.acks);
	ASSERT_EQ(7, r.c.held);
	ASSERT_TRUE(r.armed);
	rcv_fire(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(6, r.compressed);
	ASSERT_EQ(0, r.c.held);
	ASSERT_FALSE(r.armed);
}

/*
 * The same ten segments with the timer firing after each one: every held
 * ACK is sent alone by the timer (compressed_ack 1, decremented to 0
 * before the send), so ten ACKs and nothing counted.
 */
TEST(timer_between_segments)
{
	struct rcv r;
	int i;

	rcv_init(&r, 1000, COMP_NR);
	for (i = 0; i < 10; i++) {
		rcv_ofo(&r);
		rcv_fire(&r);
	}
	ASSERT_EQ(10, r.acks);
	ASSERT_EQ(0, r.compressed);
}

/*
 * dup_ack_counter is not reset by an ACK, only by a new RCV.NXT: after the
 * timer sent, the next segment for the same RCV.NXT is held at once; after
 * RCV.NXT moves, three go at once again.
 */
TEST(dup_count_follows_rcv_nxt)
{
	struct rcv r;
	int i;

	rcv_init(&r, 5000, COMP_NR);
	for (i = 0; i < 4; i++)
		rcv_ofo(&r);
	rcv_fire(&r);
	ASSERT_EQ(4, r.acks);
	rcv_ofo(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(1, r.c.held);
	/* In-order data filled part of the hole, more holes remain: an
	 * ACK goes for it (not held: the ACK that moves RCV.NXT is not a
	 * duplicate) and saves the held one.
	 */
	rcv_ack_sent(&r);
	ASSERT_EQ(1, r.compressed);
	r.rcv_nxt = 5100;
	for (i = 0; i < 3; i++)
		rcv_ofo(&r);
	ASSERT_EQ(8, r.acks);
	ASSERT_EQ(0, r.c.held);
	rcv_ofo(&r);
	ASSERT_EQ(8, r.acks);
	ASSERT_EQ(1, r.c.held);
}

/*
 * At most tcp_comp_sack_nr held in a row: the next one goes at once and
 * counts them all (tcp_event_ack_sent()), that ACK itself not counted.
 */
TEST(at_most_comp_sack_nr)
{
	struct rcv r;
	int i;

	rcv_init(&r, 7, COMP_NR);
	for (i = 0; i < 3 + COMP_NR; i++)
		rcv_ofo(&r);
	ASSERT_EQ(3, r.acks);
	ASSERT_EQ(COMP_NR, r.c.held);
	rcv_ofo(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(COMP_NR, r.compressed);
	ASSERT_FALSE(r.armed);
	/* The counter is full no more: the next is held again. */
	rcv_ofo(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(1, r.c.held);

	/* tcp_comp_sack_nr 1: one held, then the next sends. */
	rcv_init(&r, 7, 1);
	for (i = 0; i < 5; i++)
		rcv_ofo(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(1, r.compressed);
}

/* tcp_comp_sack_nr 0 turns compression off, and counts nothing. */
TEST(comp_sack_nr_zero)
{
	struct rcv r;
	int i;

	rcv_init(&r, 7, 0);
	for (i = 0; i < 20; i++)
		rcv_ofo(&r);
	ASSERT_EQ(20, r.acks);
	ASSERT_EQ(0, r.compressed);
	/* It returns before the duplicate count: none was counted. */
	ASSERT_EQ(0, r.c.dup_acks);
}

/* tcp_sack_compress_send_ack(): one ACK for the held ones, held - 1 saved. */
TEST(compress_send_ack)
{
	struct rcv r;
	int i;

	rcv_init(&r, 1, COMP_NR);
	rcv_compress_send_ack(&r);	/* nothing held: nothing sent */
	ASSERT_EQ(0, r.acks);
	for (i = 0; i < 8; i++)
		rcv_ofo(&r);
	ASSERT_EQ(5, r.c.held);
	rcv_compress_send_ack(&r);
	ASSERT_EQ(4, r.acks);
	ASSERT_EQ(4, r.compressed);
	ASSERT_FALSE(r.armed);
}

/* 5% of the RTT in ns, from 1/8 us: * 125 / 20, truncated, at most max. */
TEST(delay)
{
	u64 big = ~0ULL;

	/* No receiver estimate: 0 whatever srtt says (rtt stays 0). */
	ASSERT_EQ(0, xtcp_sack_comp_delay_ns(0, 8 * 100000, big));
	/* 100 ms receiver RTT, no srtt: 5 ms; capped by the default 1 ms. */
	ASSERT_EQ(5 * NSEC_PER_MSEC,
		  xtcp_sack_comp_delay_ns(8 * 100000, 0, big));
	ASSERT_EQ(NSEC_PER_MSEC,
		  xtcp_sack_comp_delay_ns(8 * 100000, 0, NSEC_PER_MSEC));
	/* A smaller srtt wins: 10 ms -> 500 us. */
	ASSERT_EQ(500000, xtcp_sack_comp_delay_ns(8 * 100000, 8 * 10000,
						  big));
	/* A larger one does not. */
	ASSERT_EQ(5 * NSEC_PER_MSEC,
		  xtcp_sack_comp_delay_ns(8 * 100000, 8 * 200000, big));
	/* Truncation: 1/8 us is 6.25 ns; 3/8 us 18.75 ns. */
	ASSERT_EQ(6, xtcp_sack_comp_delay_ns(1, 0, big));
	ASSERT_EQ(18, xtcp_sack_comp_delay_ns(3, 0, big));
	/* The largest estimate does not overflow. */
	ASSERT_EQ(0xffffffffULL * 125 / 20,
		  xtcp_sack_comp_delay_ns(0xffffffffU, 0, big));
	/* tcp_comp_sack_delay_ns 0: no wait at all. */
	ASSERT_EQ(0, xtcp_sack_comp_delay_ns(8 * 100000, 0, 0));
}

/* Three blocks, most recent first: [500,600) [300,400) [100,200). */
static void three_blocks(struct xtcp_sack_rcv *s)
{
	xtcp_sack_rcv_init(s, true);
	xtcp_sack_new_ofo(s, 100, 200);
	xtcp_sack_new_ofo(s, 300, 400);
	xtcp_sack_new_ofo(s, 500, 600);
}

/*
 * Where tcp_sack_new_ofo_skb() checks this_sack >= TCP_SACK_BLOCKS_EXPECTED:
 * the first block the segment extends, or the number of blocks.
 */
TEST(ofo_extend_index)
{
	struct xtcp_sack_rcv s;

	xtcp_sack_rcv_init(&s, true);
	ASSERT_EQ(0, xtcp_sack_ofo_extend(&s, 100, 200));
	three_blocks(&s);
	ASSERT_EQ(0, xtcp_sack_ofo_extend(&s, 600, 650));	/* touches */
	three_blocks(&s);
	ASSERT_EQ(1, xtcp_sack_ofo_extend(&s, 350, 360));	/* inside */
	three_blocks(&s);
	ASSERT_EQ(2, xtcp_sack_ofo_extend(&s, 50, 100));	/* touches */
	three_blocks(&s);
	ASSERT_EQ(3, xtcp_sack_ofo_extend(&s, 700, 800));	/* new block */
	/* A new block changes nothing yet. */
	ASSERT_EQ(3, s.num_sacks);
	ASSERT_EQ(500, s.selective_acks[0].start_seq);
	ASSERT_EQ(100, s.selective_acks[2].start_seq);
	/* Spanning two: the first in the array counts. */
	three_blocks(&s);
	ASSERT_EQ(0, xtcp_sack_ofo_extend(&s, 150, 550));
	ASSERT_EQ(3, xtcp_sack_ofo_extend(&s, 10, 10));	/* empty */
}

/*
 * As tcp_sack_new_ofo_skb() before its compressed ACK: the block grows
 * in place (the ACK sent then reports it at its old index, the others
 * unmoved); xtcp_sack_new_ofo() then moves it to the front as without
 * the first step.
 */
TEST(ofo_extend_in_place_then_rotate)
{
	struct xtcp_sack_rcv s, ref;

	three_blocks(&s);
	ASSERT_EQ(2, xtcp_sack_ofo_extend(&s, 200, 250));
	ASSERT_EQ(3, s.num_sacks);
	ASSERT_EQ(500, s.selective_acks[0].start_seq);
	ASSERT_EQ(300, s.selective_acks[1].start_seq);
	ASSERT_EQ(100, s.selective_acks[2].start_seq);
	ASSERT_EQ(250, s.selective_acks[2].end_seq);
	xtcp_sack_new_ofo(&s, 200, 250);
	three_blocks(&ref);
	xtcp_sack_new_ofo(&ref, 200, 250);
	ASSERT_EQ(ref.num_sacks, s.num_sacks);
	for (unsigned int i = 0; i < s.num_sacks; i++) {
		ASSERT_EQ(ref.selective_acks[i].start_seq,
			  s.selective_acks[i].start_seq);
		ASSERT_EQ(ref.selective_acks[i].end_seq,
			  s.selective_acks[i].end_seq);
	}
	ASSERT_EQ(100, s.selective_acks[0].start_seq);
	ASSERT_EQ(250, s.selective_acks[0].end_seq);
}

/* xtcp_sack_rcv_dup() then xtcp_sack_new_ofo() is xtcp_sack_rcv_data(). */
TEST(dup_then_new_ofo)
{
	struct xtcp_sack_rcv a, b;

	xtcp_sack_rcv_init(&a, true);
	xtcp_sack_rcv_init(&b, true);
	xtcp_sack_rcv_data(&a, 100, 300, 400);
	ASSERT_TRUE(xtcp_sack_rcv_dup(&b, 100, 300, 400));
	xtcp_sack_new_ofo(&b, 300, 400);
	/* Partly held already: a D-SACK of 350..400, block grows. */
	xtcp_sack_rcv_data(&a, 100, 350, 450);
	ASSERT_TRUE(xtcp_sack_rcv_dup(&b, 100, 350, 450));
	ASSERT_TRUE(b.dsack);
	ASSERT_EQ(350, b.duplicate_sack.start_seq);
	ASSERT_EQ(400, b.duplicate_sack.end_seq);
	/* Between the two steps the blocks are as they were. */
	ASSERT_EQ(400, b.selective_acks[0].end_seq);
	xtcp_sack_new_ofo(&b, 350, 450);
	ASSERT_EQ(a.num_sacks, b.num_sacks);
	ASSERT_EQ(1, b.num_sacks);
	ASSERT_EQ(a.selective_acks[0].start_seq, b.selective_acks[0].start_seq);
	ASSERT_EQ(a.selective_acks[0].end_seq, b.selective_acks[0].end_seq);
	ASSERT_EQ(450, b.selective_acks[0].end_seq);
	ASSERT_EQ(a.dsack, b.dsack);
	ASSERT_EQ(a.duplicate_sack.start_seq, b.duplicate_sack.start_seq);
	ASSERT_EQ(a.duplicate_sack.end_seq, b.duplicate_sack.end_seq);
	/* Below RCV.NXT: a D-SACK, no block. */
	ASSERT_FALSE(xtcp_sack_rcv_dup(&b, 100, 50, 80));
	ASSERT_EQ(1, b.num_sacks);
}

TEST_HARNESS_MAIN
