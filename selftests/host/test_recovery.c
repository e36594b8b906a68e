// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the pure loss-recovery logic (net/xtcp/recovery.c):
 * PRR (RFC 6937), RACK (RFC 8985 s.6), the TLP timeout (RFC 8985 s.7.2),
 * SACK / D-SACK block validity (RFC 2018, RFC 6675, RFC 2883) and undo
 * (RFC 2883 s.5, RFC 3522), each with Linux 6.1's choices (tcp_input.c,
 * tcp_recovery.c, tcp_output.c).
 *
 * Every expected value is worked out by hand in the comments from the
 * RFC's rules and the Linux function named; none comes from running the
 * code under test.
 */
#include <stdio.h>

#include <linux/types.h>
#include <net/xtcp_recovery.h>

#include "kselftest_harness.h"
#define RNG_SEED 0x6a09e667f3bcc909ULL
#include "rng.h"

#define MS		1000U
#define SEC		1000000U
#define TOP		0xffffffffU

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ==== PRR ==== */

/*
 * The scenarios of RFC 6937 s.5 (Figures 1 and 2): cwnd = flight = 20
 * segments, the loss detected at the third duplicate ACK, limited transmit
 * (RFC 3042) having sent one new segment on each of the first two. At that
 * ACK recovery starts: prior_cwnd 20, ssthresh 10 (Reno's half) or 14
 * (CUBIC's 0.7). Every ACK from then on delivers one segment.
 *
 * A row is one ACK: "pipe" is RFC 6675's pipe once the ACK is processed
 * and before anything is sent (the figures' pipe row), "snd" what PRR lets
 * out (the sent row), "cum" whether the ACK advances SND.UNA (the ACK of
 * a retransmission) rather than only SACKing; no ACK marks new losses.
 * The test plays the sender: pipe after sending is pipe + snd, the next
 * ACK takes one off.
 */
struct prr_row {
	u32 pipe;
	u32 snd;
	bool cum;
};

/* A SACK-only ACK, and one that advances SND.UNA. */
#define S(pipe, snd)	{ pipe, snd, false }
#define C(pipe, snd)	{ pipe, snd, true }

enum prr_mode {
	PRR_CRB,	/* ssrb never: RFC 6937 PRR-CRB rows */
	PRR_SSRB,	/* ssrb always: RFC 6937 PRR-SSRB rows */
	PRR_LINUX,	/* ssrb on ACKs advancing SND.UNA, as Linux */
};

static bool prr_play(u32 ssthresh, enum prr_mode mode,
		     const struct prr_row *rows, unsigned int n)
{
	struct xtcp_prr prr;
	u32 cwnd = 20, pipe = rows[0].pipe, post = 0, snd, i;
	bool ssrb;

	xtcp_prr_init(&prr, cwnd);
	for (i = 0; i < n; i++) {
		if (i)
			pipe = post - 1;
		ssrb = mode == PRR_SSRB || (mode == PRR_LINUX && rows[i].cum);
		cwnd = xtcp_prr_cwnd(&prr, cwnd, ssthresh, pipe, 1, ssrb, 0);
		snd = cwnd - pipe;
		if (pipe != rows[i].pipe || snd != rows[i].snd) {
			fprintf(stderr,
				"# ssthresh %u mode %d row %u: pipe %u snd %u, want pipe %u snd %u\n",
				ssthresh, mode, i, pipe, snd, rows[i].pipe,
				rows[i].snd);
			return false;
		}
		xtcp_prr_sent(&prr, snd);
		post = pipe + snd;
	}
	return true;
}

/*
 * Figure 1, one loss, ssthresh 10. ACK 3 finds 22 out, 3 SACKed, 1 lost:
 * pipe 18. pipe > ssthresh throughout the proportional part, so with d
 * delivered snd = ceil(10 * d / 20) - prr_out: 1, 0, 1, 0, ... (the fast
 * retransmission, then one new segment every other ACK). ACK 19 (d 17,
 * prr_out 8) finds pipe 10 = ssthresh: the bound (9, or 10 with SSRB)
 * is capped by ssthresh - pipe = 0. ACKs 20-21 (the limited-transmit
 * segments SACKed) find pipe 9: min(1, bound) = 1 keeps pipe at 10.
 * Both bounds give the same rows: they only matter below ssthresh.
 * (The modes pass the bound as snd_una_advanced with no new loss.)
 */
static const struct prr_row fig1_10[] = {
	S(18, 1), S(18, 0), S(17, 1), S(17, 0), S(16, 1), S(16, 0),
	S(15, 1), S(15, 0), S(14, 1), S(14, 0), S(13, 1), S(13, 0),
	S(12, 1), S(12, 0), S(11, 1), S(11, 0), S(10, 0), S(9, 1),
	S(9, 1),
};

/*
 * Figure 1 with ssthresh 14: ceil(14 * d / 20) for d = 1..14 is
 * 1 2 3 3 4 5 5 6 7 7 8 9 10 10, so snd is 1 1 1 0 1 1 0 1 1 0 1 1 1 0
 * and pipe falls one every third or fourth ACK. ACK 17 (d 15, prr_out 10)
 * finds pipe 14 = ssthresh: nothing; after that pipe 13, one per ACK.
 */
static const struct prr_row fig1_14[] = {
	S(18, 1), S(18, 1), S(18, 1), S(18, 0), S(17, 1), S(17, 1),
	S(17, 0), S(16, 1), S(16, 1), S(16, 0), S(15, 1), S(15, 1),
	S(15, 1), S(15, 0), S(14, 0), S(13, 1), S(13, 1), S(13, 1),
	S(13, 1),
};

TEST(prr_rfc6937_fig1_single_loss)
{
	ASSERT_TRUE(prr_play(10, PRR_CRB, fig1_10, ARRAY_SIZE(fig1_10)));
	ASSERT_TRUE(prr_play(10, PRR_SSRB, fig1_10, ARRAY_SIZE(fig1_10)));
	ASSERT_TRUE(prr_play(10, PRR_LINUX, fig1_10, ARRAY_SIZE(fig1_10)));
	ASSERT_TRUE(prr_play(14, PRR_CRB, fig1_14, ARRAY_SIZE(fig1_14)));
	ASSERT_TRUE(prr_play(14, PRR_SSRB, fig1_14, ARRAY_SIZE(fig1_14)));
	ASSERT_TRUE(prr_play(14, PRR_LINUX, fig1_14, ARRAY_SIZE(fig1_14)));
}

/*
 * Figure 2, 15 consecutive losses: ACK 3 finds 22 out, 3 SACKed, 15 lost:
 * pipe 4, far below ssthresh. ACKs 3-7 SACK (segments 18-20 and the two
 * limited-transmit ones), ACKs 8-13 are the cumulative ACKs of the first
 * retransmissions.
 *
 * PRR-CRB: bound prr_delivered - prr_out = 1 on every ACK: one
 * retransmission per ACK, pipe stays at 4 (the figure's "4 4 4").
 */
static const struct prr_row fig2_crb[] = {
	S(4, 1), S(4, 1), S(4, 1), S(4, 1), S(4, 1),
	C(4, 1), C(4, 1), C(4, 1), C(4, 1),
	C(4, 1), C(4, 1),
};

/*
 * PRR-SSRB, ssthresh 10: bound max(prr_delivered - prr_out, 1) + 1 = 2
 * (prr_out runs ahead of prr_delivered), so two go per ACK and pipe grows
 * by one per ACK (the figure's "4 5 6", "2R 2R 2R") until ssthresh - pipe
 * caps it at 10: ACK 8 finds pipe 9 and sends 1.
 */
static const struct prr_row fig2_ssrb_10[] = {
	S(4, 2), S(5, 2), S(6, 2), S(7, 2), S(8, 2),
	C(9, 1), C(9, 1), C(9, 1), C(9, 1),
	C(9, 1), C(9, 1),
};

/* The same with ssthresh 14: the climb goes on to 14 (ACK 12: pipe 13). */
static const struct prr_row fig2_ssrb_14[] = {
	S(4, 2), S(5, 2), S(6, 2), S(7, 2), S(8, 2),
	C(9, 2), C(10, 2), C(11, 2), C(12, 2),
	C(13, 1), C(13, 1),
};

/*
 * Linux: the SACK-only ACKs 3-7 are conservative (one each, prr_out 5 at
 * d 5); from ACK 8 on, SND.UNA advances with no new loss, so SSRB: ACK 8
 * (d 6) max(1, 1) + 1 = 2, then max(<=0, 1) + 1 = 2 per ACK, pipe 4 5 6
 * 7 8, and at ssthresh 10, ACK 13 finds pipe 9: one.
 */
static const struct prr_row fig2_linux_10[] = {
	S(4, 1), S(4, 1), S(4, 1), S(4, 1), S(4, 1),
	C(4, 2), C(5, 2), C(6, 2), C(7, 2),
	C(8, 2), C(9, 1),
};

/* ... and at ssthresh 14 ACK 13 (pipe 9) still sends two. */
static const struct prr_row fig2_linux_14[] = {
	S(4, 1), S(4, 1), S(4, 1), S(4, 1), S(4, 1),
	C(4, 2), C(5, 2), C(6, 2), C(7, 2),
	C(8, 2), C(9, 2),
};

TEST(prr_rfc6937_fig2_burst_loss)
{
	ASSERT_TRUE(prr_play(10, PRR_CRB, fig2_crb, ARRAY_SIZE(fig2_crb)));
	ASSERT_TRUE(prr_play(14, PRR_CRB, fig2_crb, ARRAY_SIZE(fig2_crb)));
	ASSERT_TRUE(prr_play(10, PRR_SSRB, fig2_ssrb_10,
			     ARRAY_SIZE(fig2_ssrb_10)));
	ASSERT_TRUE(prr_play(14, PRR_SSRB, fig2_ssrb_14,
			     ARRAY_SIZE(fig2_ssrb_14)));
	ASSERT_TRUE(prr_play(10, PRR_LINUX, fig2_linux_10,
			     ARRAY_SIZE(fig2_linux_10)));
	ASSERT_TRUE(prr_play(14, PRR_LINUX, fig2_linux_14,
			     ARRAY_SIZE(fig2_linux_14)));
}

/* Over a whole proportional phase, sending is ssthresh / prior_cwnd of
 * delivery, rounded up (RFC 6937 s.3): 7 of every 10 at 0.7.
 */
TEST(prr_proportional_total)
{
	struct xtcp_prr prr;
	u32 cwnd = 100, sent = 0, c, d;

	xtcp_prr_init(&prr, 100);
	for (d = 1; d <= 50; d++) {
		/* A big flight keeps pipe above ssthresh 70. */
		c = xtcp_prr_cwnd(&prr, cwnd, 70, 90, 1, true, 0);
		xtcp_prr_sent(&prr, c - 90);
		sent += c - 90;
		/* ceil(70 * d / 100) */
		ASSERT_EQ((70 * d + 99) / 100, sent);
	}
	ASSERT_EQ(50, prr.prr_delivered);
	ASSERT_EQ(35, prr.prr_out);
}

TEST(prr_edges)
{
	struct xtcp_prr prr;

	/* An ACK delivering nothing changes nothing (Linux returns early). */
	xtcp_prr_init(&prr, 20);
	ASSERT_EQ(20, prr.prior_cwnd);
	ASSERT_EQ(0, prr.prr_delivered);
	ASSERT_EQ(0, prr.prr_out);
	ASSERT_EQ(17, xtcp_prr_cwnd(&prr, 17, 10, 15, 0, true, 0));
	ASSERT_EQ(0, prr.prr_delivered);

	/* Nor without xtcp_prr_init() (prior_cwnd 0: Linux warns). */
	prr = (struct xtcp_prr){ 0 };
	ASSERT_EQ(17, xtcp_prr_cwnd(&prr, 17, 10, 15, 1, true, 0));

	/*
	 * Entering recovery with pipe == ssthresh: the bound gives
	 * min(0, ...) = 0, but nothing has been sent yet, so one segment
	 * (the fast retransmission) may go: cwnd = pipe + 1.
	 */
	xtcp_prr_init(&prr, 20);
	ASSERT_EQ(11, xtcp_prr_cwnd(&prr, 20, 10, 10, 1, false, 0));
	xtcp_prr_sent(&prr, 1);
	/* Once something went, no such floor: cwnd = pipe. */
	ASSERT_EQ(10, xtcp_prr_cwnd(&prr, 11, 10, 10, 1, false, 0));

	/*
	 * The caller sent more than PRR allowed (prr_out 5 at d 1): the
	 * proportional part is ceil(10 / 20) - 5 < 0, and sndcnt is 0,
	 * never negative.
	 */
	xtcp_prr_init(&prr, 20);
	xtcp_prr_sent(&prr, 5);
	ASSERT_EQ(15, xtcp_prr_cwnd(&prr, 20, 10, 15, 1, true, 0));

	/*
	 * Linux's conservative bound is max(prr_delivered - prr_out,
	 * delivered), not RFC 6937's prr_delivered - prr_out: after an SSRB
	 * ACK sent 2 for 1 delivered (prr_out 2, d 1), a SACK-only ACK
	 * delivering 1 (d 2) may still send 1 where RFC 6937 PRR-CRB would
	 * send 2 - 2 = 0.
	 */
	xtcp_prr_init(&prr, 20);
	ASSERT_EQ(6, xtcp_prr_cwnd(&prr, 20, 10, 4, 1, true, 0));
	xtcp_prr_sent(&prr, 2);
	ASSERT_EQ(6, xtcp_prr_cwnd(&prr, 6, 10, 5, 1, false, 0));

	/* A stretch ACK delivering 3 below ssthresh: min(10 - 2, 3 + 1). */
	xtcp_prr_init(&prr, 20);
	xtcp_prr_sent(&prr, 1);
	ASSERT_EQ(6, xtcp_prr_cwnd(&prr, 20, 10, 2, 3, true, 0));

	/* Huge values: the product is 64-bit, cwnd saturates at U32_MAX. */
	xtcp_prr_init(&prr, 1);
	ASSERT_EQ(TOP, xtcp_prr_cwnd(&prr, 5, 0x7fffffff, TOP, 0x7fffffff,
				     false, 0));
}

/*
 * Above ssthresh only the proportion counts: whether the ACK advanced
 * SND.UNA and whether it marked anything lost change nothing. Prior cwnd
 * 20, ssthresh 10, pipe 15, an ACK delivering 3: ceil(10 * 3 / 20) = 2.
 */
TEST(prr_above_ssthresh_flags_ignored)
{
	struct xtcp_prr prr;
	unsigned int adv, lost;

	for (adv = 0; adv < 2; adv++) {
		for (lost = 0; lost < 2; lost++) {
			xtcp_prr_init(&prr, 20);
			ASSERT_EQ(17, xtcp_prr_cwnd(&prr, 20, 10, 15, 3, adv,
						    lost));
			ASSERT_EQ(3, prr.prr_delivered);
		}
	}
}

/*
 * At or below ssthresh, Linux's rule: one more than the conservative
 * bound only when SND.UNA advanced and nothing was newly lost
 * (tcp_cwnd_reduction()'s FLAG_SND_UNA_ADVANCED && !newly_lost). Prior
 * cwnd 20, ssthresh 10, prr_out 4, pipe 5, an ACK delivering 2: the bound
 * is max(2 - 4, 2) = 2, 3 with the slow-start step; room 10 - 5 = 5.
 */
TEST(prr_below_ssthresh_una_and_loss)
{
	static const struct {
		bool adv;
		u32 lost, pipe, cwnd;
	} c[] = {
		{ true, 0, 5, 8 },	/* SSRB: 3 */
		{ true, 1, 5, 7 },	/* a new loss: conservative, 2 */
		{ true, 4, 5, 7 },
		{ false, 0, 5, 7 },	/* SACK only: conservative */
		{ false, 1, 5, 7 },
		/* Room ssthresh - pipe caps every case: 1, then 0. */
		{ true, 0, 9, 10 },
		{ false, 1, 9, 10 },
		{ true, 0, 10, 10 },
	};
	struct xtcp_prr prr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		xtcp_prr_init(&prr, 20);
		xtcp_prr_sent(&prr, 4);
		ASSERT_EQ(c[i].cwnd, xtcp_prr_cwnd(&prr, 20, 10, c[i].pipe, 2,
						   c[i].adv, c[i].lost));
	}
}

/*
 * selftests/sack_recovery_test.py's case (h), one ACK at a time: Reno,
 * cwnd 10 = the flight, segment 1 lost; the first ACK SACKs 2-4 (RACK
 * marks 1 lost: pipe 10 - 3 - 1 = 6), each of the next six SACKs one more
 * (7-10, and the new segments are not ACKed in between). prior_cwnd 10,
 * ssthresh 5. Per ACK: pipe before sending, cwnd, segments sent; the
 * cumulative sends are 2 2 3 3 3 4 5, as the wire test expects of both
 * stacks.
 */
TEST(prr_wire_case_reno)
{
	static const struct {
		u32 pipe, newly, cwnd;
	} a[] = {
		{ 6, 3, 8 },	/* ceil(5 * 3 / 10) = 2: 1 resent, 1 new */
		{ 7, 1, 7 },	/* ceil(20 / 10) - 2 = 0 */
		{ 6, 1, 7 },	/* ceil(25 / 10) - 2 = 1 */
		{ 6, 1, 6 },	/* 3 - 3 = 0 */
		{ 5, 1, 5 },	/* pipe = ssthresh: no room */
		{ 4, 1, 5 },	/* min(5 - 4, max(8 - 3, 1)) = 1 */
		{ 4, 1, 5 },
	};
	static const u32 cum[] = { 2, 2, 3, 3, 3, 4, 5 };
	struct xtcp_prr prr;
	u32 cwnd = 10, pipe = 0, sent = 0, i;

	xtcp_prr_init(&prr, 10);
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		/* The test's pipe follows from the previous row. */
		if (i)
			ASSERT_EQ(a[i].pipe, pipe - a[i].newly);
		pipe = a[i].pipe;
		cwnd = xtcp_prr_cwnd(&prr, cwnd, 5, pipe, a[i].newly, false, 0);
		ASSERT_EQ(a[i].cwnd, cwnd);
		xtcp_prr_sent(&prr, cwnd - pipe);
		sent += cwnd - pipe;
		pipe = cwnd;
		ASSERT_EQ(cum[i], sent);
	}
	ASSERT_EQ(9, prr.prr_delivered);
}

/*
 * Against a model of tcp_cwnd_reduction() written here in plain signed
 * arithmetic, on random ACK sequences: prior_cwnd 1-64, ssthresh 2-64,
 * pipe 0-96, 0-8 delivered per ACK, SND.UNA advanced or not, 0-2 newly
 * lost, and a sender that sends what PRR allows, or less, or more.
 */
static u32 prr_model(u32 prior, u32 *delivered, u32 out, u32 cwnd,
		     u32 ssthresh, u32 pipe, u32 newly, bool adv, u32 lost)
{
	long long d, snd, room, bound;

	if (!newly)
		return cwnd;
	*delivered += newly;
	d = *delivered;
	if (pipe > ssthresh) {
		snd = ((long long)ssthresh * d + prior - 1) / prior - out;
	} else {
		room = (long long)ssthresh - pipe;
		bound = d - (long long)out;
		if (bound < newly)
			bound = newly;
		if (adv && !lost)
			bound += 1;
		snd = bound < room ? bound : room;
	}
	if (!out && snd < 1)
		snd = 1;
	if (snd < 0)
		snd = 0;
	return pipe + (u32)snd;
}

TEST(prr_matches_linux_model)
{
	unsigned int run, ack;

	for (run = 0; run < 2000; run++) {
		u32 prior = 1 + rnd32() % 64, ssthresh = 2 + rnd32() % 63;
		u32 cwnd = prior, mcwnd = prior, mdel = 0, mout = 0;
		struct xtcp_prr prr;

		xtcp_prr_init(&prr, prior);
		for (ack = 0; ack < 40; ack++) {
			u32 pipe = rnd32() % 97, newly = rnd32() % 9;
			u32 lost = rnd32() % 3, snd;
			bool adv = rnd32() & 1;

			cwnd = xtcp_prr_cwnd(&prr, cwnd, ssthresh, pipe, newly,
					     adv, lost);
			mcwnd = prr_model(prior, &mdel, mout, mcwnd, ssthresh,
					  pipe, newly, adv, lost);
			ASSERT_EQ(mcwnd, cwnd);
			ASSERT_EQ(mdel, prr.prr_delivered);
			snd = cwnd > pipe ? cwnd - pipe : 0;
			switch (rnd32() % 4) {
			case 0:
				snd = snd ? snd - 1 : 0;
				break;
			case 1:
				snd += 1;
				break;
			}
			xtcp_prr_sent(&prr, snd);
			mout += snd;
			ASSERT_EQ(mout, prr.prr_out);
		}
	}
}

/*
 * RFC 6937 s.3 as the RFC writes it, for the tests below to compare with:
 * per ACK, prr_delivered += DeliveredData; while pipe > ssthresh,
 * sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out; else
 * limit = prr_delivered - prr_out (PRR-CRB) or
 * MAX(prr_delivered - prr_out, DeliveredData) + 1 segment (PRR-SSRB), and
 * sndcnt = MIN(ssthresh - pipe, limit).  Units are segments.  The RFC
 * lets sndcnt be negative; what is sent is never less than nothing.
 */
struct rfc_prr {
	long recover_fs, prr_delivered, prr_out;
};

static long rfc_prr_sndcnt(struct rfc_prr *r, long ssthresh, long pipe,
			   long delivered, bool ssrb)
{
	long sndcnt, limit;

	r->prr_delivered += delivered;
	if (pipe > ssthresh) {
		sndcnt = (r->prr_delivered * ssthresh + r->recover_fs - 1) /
			 r->recover_fs - r->prr_out;
	} else {
		limit = r->prr_delivered - r->prr_out;
		if (ssrb) {
			if (limit < delivered)
				limit = delivered;
			limit++;
		}
		sndcnt = ssthresh - pipe < limit ? ssthresh - pipe : limit;
	}
	return sndcnt < 0 ? 0 : sndcnt;
}

/*
 * RFC 6937 s.5 Figure 2 (15 segments lost of a flight of 20, ssthresh 10,
 * RecoverFS 20, pipe 4 when recovery begins), the three ACKs the figure
 * shows, taken from the figure and checked against the RFC's algorithm
 * above before xtcp's is held to them:
 *   PRR-CRB:  pipe 4 4 4, sent R R R (one retransmission per ACK);
 *   PRR-SSRB: pipe 4 5 6, sent 2R 2R 2R.
 * Linux applies the slow-start bound on ACKs that advance SND.UNA and
 * mark nothing new lost, so the SSRB row is its row for cumulative ACKs;
 * on SACK-only ACKs its bound is max(prr_delivered - prr_out, delivered),
 * which is the CRB row here (prr_delivered - prr_out is 1 on each).
 */
TEST(prr_rfc6937_fig2_as_printed)
{
	static const long crb_pipe[] = { 4, 4, 4 }, crb_sent[] = { 1, 1, 1 };
	static const long ssrb_pipe[] = { 4, 5, 6 }, ssrb_sent[] = { 2, 2, 2 };
	struct rfc_prr rfc;
	struct xtcp_prr prr;
	long pipe, snd;
	u32 cwnd;
	int mode, i;

	for (mode = 0; mode < 2; mode++) {
		const long *want_pipe = mode ? ssrb_pipe : crb_pipe;
		const long *want_sent = mode ? ssrb_sent : crb_sent;

		rfc = (struct rfc_prr){ .recover_fs = 20 };
		xtcp_prr_init(&prr, 20);
		cwnd = 20;
		pipe = 4;
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(want_pipe[i], pipe);
			snd = rfc_prr_sndcnt(&rfc, 10, pipe, 1, mode);
			ASSERT_EQ(want_sent[i], snd);
			rfc.prr_out += snd;
			cwnd = xtcp_prr_cwnd(&prr, cwnd, 10, pipe, 1, mode, 0);
			ASSERT_EQ(want_sent[i], (long)cwnd - pipe);
			xtcp_prr_sent(&prr, cwnd - pipe);
			/* The next ACK takes one segment out of the pipe. */
			pipe += snd - 1;
		}
	}
}

/*
 * Random recoveries against the RFC's algorithm: RecoverFS (Linux's
 * prior_cwnd) 2-100, ssthresh 1 to RecoverFS, per ACK a pipe, 1-4
 * segments delivered, SND.UNA advanced or not, a new loss or not; the
 * sender sends what xtcp allows.  Where the RFC leaves Linux no choice
 * xtcp must send what the RFC sends:
 * - pipe above ssthresh: the proportional part (both bounds agree);
 * - an ACK that advanced SND.UNA and marked nothing lost: PRR-SSRB;
 * - any other ACK with prr_delivered - prr_out at least what it
 *   delivered: PRR-CRB (Linux's max() is then the RFC's bound);
 * and on every ACK at least PRR-CRB and at most PRR-SSRB.  In all of it,
 * one segment may go where the RFC sends none while nothing was sent yet
 * (Linux forces the fast retransmission out).
 */
TEST(prr_rfc6937_random)
{
	unsigned int run, ack;

	for (run = 0; run < 2000; run++) {
		long fs = 2 + rnd32() % 99, ssthresh = 1 + rnd32() % fs;
		struct rfc_prr crb = { .recover_fs = fs };
		struct rfc_prr ssrb = { .recover_fs = fs };
		struct xtcp_prr prr;
		u32 cwnd = fs;

		xtcp_prr_init(&prr, fs);
		for (ack = 0; ack < 40; ack++) {
			long pipe = rnd32() % (2 * fs + 1), d = 1 + rnd32() % 4;
			bool adv = rnd32() & 1, lost = !(rnd32() % 4);
			long floor = prr.prr_out ? 0 : 1, c, s, x, want = -1;
			long gap = (long)prr.prr_delivered + d - prr.prr_out;

			c = rfc_prr_sndcnt(&crb, ssthresh, pipe, d, false);
			s = rfc_prr_sndcnt(&ssrb, ssthresh, pipe, d, true);
			cwnd = xtcp_prr_cwnd(&prr, cwnd, ssthresh, pipe, d, adv,
					     lost);
			x = (long)cwnd - pipe;
			if (pipe > ssthresh)
				want = c;
			else if (adv && !lost)
				want = s;
			else if (gap >= d)
				want = c;
			if (want >= 0)
				ASSERT_EQ(want > floor ? want : floor, x);
			ASSERT_LE(c, x);
			ASSERT_LE(x, s > floor ? s : floor);
			xtcp_prr_sent(&prr, x);
			crb.prr_out += x;
			ssrb.prr_out += x;
		}
	}
}

/* ==== RACK ==== */

TEST(rack_init)
{
	struct xtcp_rack r;

	memset(&r, 0xa5, sizeof(r));
	xtcp_rack_init(&r);
	ASSERT_EQ(1, r.reo_wnd_steps);
	ASSERT_EQ(0, r.reo_wnd_persist);
	ASSERT_EQ(0, r.mstamp);
	ASSERT_EQ(0, r.rtt_us);
	ASSERT_EQ(0, r.end_seq);
	ASSERT_EQ(0, r.last_delivered);
	ASSERT_FALSE(r.dsack_seen);
	ASSERT_FALSE(r.advanced);
}

/* RFC 8985 s.6.2 steps 2-3 / tcp_rack_advance(). */
TEST(rack_advance)
{
	struct xtcp_rack r;

	xtcp_rack_init(&r);
	/* Sent at 1 s, delivered at 1.05 s: RACK.rtt 50 ms, reference. */
	xtcp_rack_advance(&r, false, 2000, SEC, SEC + 50 * MS, 40 * MS);
	ASSERT_TRUE(r.advanced);
	ASSERT_EQ(50 * MS, r.rtt_us);
	ASSERT_EQ(SEC, r.mstamp);
	ASSERT_EQ(2000, r.end_seq);

	/* An older segment delivered later: RTT taken, reference kept. */
	r.advanced = false;
	xtcp_rack_advance(&r, false, 1000, SEC - 10 * MS, SEC + 60 * MS,
			  40 * MS);
	ASSERT_TRUE(r.advanced);
	ASSERT_EQ(70 * MS, r.rtt_us);
	ASSERT_EQ(SEC, r.mstamp);
	ASSERT_EQ(2000, r.end_seq);

	/* Same send time, higher end_seq: sent after, becomes reference. */
	xtcp_rack_advance(&r, false, 3000, SEC, SEC + 60 * MS, 40 * MS);
	ASSERT_EQ(3000, r.end_seq);
	/* Same send time, lower end_seq: not. */
	xtcp_rack_advance(&r, false, 2500, SEC, SEC + 60 * MS, 40 * MS);
	ASSERT_EQ(3000, r.end_seq);

	/*
	 * A retransmission ACKed 30 ms after it was resent, min_rtt 40 ms:
	 * the ACK must be for the original, ambiguous, ignored entirely.
	 */
	r.advanced = false;
	xtcp_rack_advance(&r, true, 4000, 2 * SEC, 2 * SEC + 30 * MS,
			  40 * MS);
	ASSERT_FALSE(r.advanced);
	ASSERT_EQ(60 * MS, r.rtt_us);
	ASSERT_EQ(SEC, r.mstamp);
	/* Without a min_rtt (U32_MAX) every retransmission is ignored. */
	xtcp_rack_advance(&r, true, 4000, 2 * SEC, 3 * SEC, TOP);
	ASSERT_FALSE(r.advanced);
	/* At min_rtt exactly it counts. */
	xtcp_rack_advance(&r, true, 4000, 2 * SEC, 2 * SEC + 40 * MS,
			  40 * MS);
	ASSERT_TRUE(r.advanced);
	ASSERT_EQ(40 * MS, r.rtt_us);
	ASSERT_EQ(2 * SEC, r.mstamp);
	ASSERT_EQ(4000, r.end_seq);
	/* A fast original is not ambiguous: no min_rtt test. */
	xtcp_rack_advance(&r, false, 5000, 3 * SEC, 3 * SEC + 1, 40 * MS);
	ASSERT_EQ(1, r.rtt_us);
	ASSERT_EQ(5000, r.end_seq);
	/* A clock going backwards gives RTT 0 (tcp_stamp_us_delta()). */
	xtcp_rack_advance(&r, false, 6000, 4 * SEC, 4 * SEC - 5, 40 * MS);
	ASSERT_EQ(0, r.rtt_us);
	ASSERT_EQ(4 * SEC, r.mstamp);
}

/*
 * tcp_skb_spurious_retrans() as tcp_clean_rtx_queue() uses it: a
 * cumulative ACK whose TSecr predates a retransmission is for the
 * original, and RACK must not advance to the retransmission.
 */
TEST(skb_spurious_retrans)
{
	struct xtcp_rack r;
	u32 rem;

	/* Echo older than the last send: for an earlier transmission. */
	ASSERT_TRUE(xtcp_skb_spurious_retrans(true, 1000, 1008));
	/* Same ms, or newer: may be for the last one. */
	ASSERT_FALSE(xtcp_skb_spurious_retrans(true, 1008, 1008));
	ASSERT_FALSE(xtcp_skb_spurious_retrans(true, 1010, 1008));
	/* Never retransmitted, or no echo: nothing to tell. */
	ASSERT_FALSE(xtcp_skb_spurious_retrans(false, 1000, 1008));
	ASSERT_FALSE(xtcp_skb_spurious_retrans(true, 0, 1008));
	/* Modulo 2^32. */
	ASSERT_TRUE(xtcp_skb_spurious_retrans(true, TOP - 2, 5));
	ASSERT_FALSE(xtcp_skb_spurious_retrans(true, 5, TOP - 2));

	/*
	 * Why it matters: segment A sent at 1 s, B at 1 s + 3 ms; A resent
	 * (spuriously) at 1 s + 8 ms; at 1 s + 10 ms the ACK of the original
	 * A arrives, echoing 1 s.  Advancing RACK to the retransmission
	 * (RACK.rtt 2 ms, min_rtt 1 ms) would make B, in flight for 7 ms,
	 * lost at once with a zero reordering window.
	 */
	xtcp_rack_init(&r);
	r.mstamp = SEC - 20 * MS;
	r.rtt_us = 10 * MS;
	if (!xtcp_skb_spurious_retrans(true, 1000, 1008))
		xtcp_rack_advance(&r, true, 1000, SEC + 8 * MS,
				  SEC + 10 * MS, MS);
	ASSERT_FALSE(r.advanced);
	ASSERT_EQ(XTCP_RACK_NOT_BEFORE,
		  xtcp_rack_skb_verdict(&r, SEC + 3 * MS, 2000, SEC + 10 * MS,
					0, &rem));
	/* What the advance would have done. */
	xtcp_rack_advance(&r, true, 1000, SEC + 8 * MS, SEC + 10 * MS, MS);
	ASSERT_EQ(XTCP_RACK_LOST,
		  xtcp_rack_skb_verdict(&r, SEC + 3 * MS, 2000, SEC + 10 * MS,
					0, &rem));
}

/* Equal send times are ordered by end_seq, across the 2^32 wrap. */
TEST(rack_sent_after)
{
	ASSERT_TRUE(xtcp_rack_sent_after(11, 10, 0, 100));
	ASSERT_FALSE(xtcp_rack_sent_after(10, 11, 100, 0));
	ASSERT_TRUE(xtcp_rack_sent_after(10, 10, 101, 100));
	ASSERT_FALSE(xtcp_rack_sent_after(10, 10, 100, 100));
	ASSERT_FALSE(xtcp_rack_sent_after(10, 10, 99, 100));
	ASSERT_TRUE(xtcp_rack_sent_after(10, 10, 5, TOP - 5));
	ASSERT_FALSE(xtcp_rack_sent_after(10, 10, TOP - 5, 5));
}

/* RFC 8985 s.6.2 step 4 / tcp_rack_reo_wnd(). */
TEST(rack_reo_wnd)
{
	struct xtcp_rack r;
	u32 all = XTCP_RACK_LOSS_DETECTION;

	xtcp_rack_init(&r);
	/* No reordering seen: in recovery, 0. */
	ASSERT_EQ(0, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS, false,
				       true, 0, 3));
	/* Open, 3 SACKed at dupthresh 3: 0 (as aggressive as dupthresh). */
	ASSERT_EQ(0, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS, false,
				       false, 3, 3));
	/* ... unless tcp_recovery has NO_DUPTHRESH: min_rtt / 4. */
	ASSERT_EQ(10 * MS,
		  xtcp_rack_reo_wnd(&r, all | XTCP_RACK_NO_DUPTHRESH, 40 * MS,
				    50 * MS, false, false, 3, 3));
	/* Fewer SACKed than dupthresh: min_rtt / 4. */
	ASSERT_EQ(10 * MS, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS,
					     false, false, 2, 3));
	/* Reordering seen: min_rtt / 4 even in recovery, many SACKed. */
	ASSERT_EQ(10 * MS, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS,
					     true, true, 30, 3));
	/* min_rtt / 4 truncates: 40001 >> 2 = 10000. */
	ASSERT_EQ(10000, xtcp_rack_reo_wnd(&r, all, 40001, 50 * MS, true,
					   true, 0, 3));
	/* Steps scale it: 3 * 10 ms ... */
	r.reo_wnd_steps = 3;
	ASSERT_EQ(30 * MS, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS,
					     true, false, 0, 3));
	/* ... up to SRTT: 6 * 10 ms > 50 ms. */
	r.reo_wnd_steps = 6;
	ASSERT_EQ(50 * MS, xtcp_rack_reo_wnd(&r, all, 40 * MS, 50 * MS,
					     true, false, 0, 3));
	/* No min_rtt yet (U32_MAX): SRTT bounds it, no 32-bit wrap. */
	r.reo_wnd_steps = XTCP_RACK_MAX_STEPS;
	ASSERT_EQ(50 * MS, xtcp_rack_reo_wnd(&r, all, TOP, 50 * MS, true,
					     false, 0, 3));
}

/*
 * A tail of RFC 8985 s.3-style: P1, P2, P3 sent at 0, 1 and 2 ms; P1 is
 * lost, P2 is SACKed at 51 ms (RACK.rtt 50 ms, reference P2). min_rtt
 * 50 ms, no reordering seen, one SACKed: reo_wnd = 50 / 4 = 12.5 ms.
 */
TEST(rack_detect_one_segment)
{
	u32 reo, left = 1;
	struct xtcp_rack r;

	xtcp_rack_init(&r);
	xtcp_rack_advance(&r, false, 2000, 1 * MS, 51 * MS, 50 * MS);
	reo = xtcp_rack_reo_wnd(&r, XTCP_RACK_LOSS_DETECTION, 50 * MS,
				50 * MS, false, false, 1, 3);
	ASSERT_EQ(12500, reo);

	/* At 51 ms P1 has 50 + 12.5 - 51 = 11.5 ms left: wait. */
	ASSERT_EQ(11500, xtcp_rack_skb_timeout(&r, 0, 51 * MS, reo));
	ASSERT_EQ(XTCP_RACK_WAIT,
		  xtcp_rack_skb_verdict(&r, 0, 1000, 51 * MS, reo, &left));
	ASSERT_EQ(11500, left);
	/* The reorder timer: 11.5 ms + 2 ms slack, under the RTO. */
	ASSERT_EQ(13500, xtcp_rack_reo_timer_us(left, 200 * MS));

	/* P3 was sent after P2: the walk stops there. */
	ASSERT_EQ(XTCP_RACK_NOT_BEFORE,
		  xtcp_rack_skb_verdict(&r, 2 * MS, 3000, 51 * MS, reo,
					&left));
	ASSERT_EQ(0, left);
	/* P2 itself (same time, same end) is not before it either. */
	ASSERT_EQ(XTCP_RACK_NOT_BEFORE,
		  xtcp_rack_skb_verdict(&r, 1 * MS, 2000, 51 * MS, reo,
					&left));
	/* A segment of P2's burst with a lower end_seq is before it. */
	ASSERT_EQ(XTCP_RACK_WAIT,
		  xtcp_rack_skb_verdict(&r, 1 * MS, 1500, 51 * MS, reo,
					&left));
	ASSERT_EQ(12500, left);

	/* 1 us before the deadline: 1 us left. */
	ASSERT_EQ(XTCP_RACK_WAIT,
		  xtcp_rack_skb_verdict(&r, 0, 1000, 62499, reo, &left));
	ASSERT_EQ(1, left);
	/* At 62.5 ms exactly: nothing left, lost (remaining <= 0). */
	ASSERT_EQ(XTCP_RACK_LOST,
		  xtcp_rack_skb_verdict(&r, 0, 1000, 62500, reo, &left));
	ASSERT_EQ(0, left);
	ASSERT_EQ(0, xtcp_rack_skb_timeout(&r, 0, 62500, reo));
	/* Long after: very negative, still lost. */
	ASSERT_EQ(-(s32)(SEC - 62500),
		  xtcp_rack_skb_timeout(&r, 0, SEC, reo));

	/* In recovery without reordering seen, reo_wnd is 0: P1 is lost
	 * as soon as RACK.rtt has passed since it was sent.
	 */
	reo = xtcp_rack_reo_wnd(&r, XTCP_RACK_LOSS_DETECTION, 50 * MS,
				50 * MS, false, true, 1, 3);
	ASSERT_EQ(0, reo);
	ASSERT_EQ(XTCP_RACK_LOST,
		  xtcp_rack_skb_verdict(&r, 0, 1000, 50 * MS, reo, &left));
	ASSERT_EQ(XTCP_RACK_WAIT,
		  xtcp_rack_skb_verdict(&r, 0, 1000, 50 * MS - 1, reo, &left));

	/* Clock behind the send time: elapsed 0, the whole window left. */
	ASSERT_EQ(50 * MS + 7, xtcp_rack_skb_timeout(&r, 5 * MS, MS, 7));
	/* Saturation: nothing wraps to a false "lost". */
	r.rtt_us = TOP;
	ASSERT_EQ(0x7fffffff, xtcp_rack_skb_timeout(&r, 0, 0, TOP));
}

TEST(rack_reo_timer)
{
	/* Nothing waiting: no timer. */
	ASSERT_EQ(0, xtcp_rack_reo_timer_us(0, 200 * MS));
	ASSERT_EQ(2001, xtcp_rack_reo_timer_us(1, 200 * MS));
	/* Never later than the RTO (inet_csk_reset_xmit_timer()). */
	ASSERT_EQ(200 * MS, xtcp_rack_reo_timer_us(198001, 200 * MS));
	ASSERT_EQ(200 * MS, xtcp_rack_reo_timer_us(0x7fffffff, 200 * MS));
	ASSERT_EQ(199999, xtcp_rack_reo_timer_us(197999, 200 * MS));
}

/* tcp_dsack_seen()'s RACK part, tcp_rack_update_reo_wnd(), the persist
 * bookkeeping of tcp_try_undo_dsack() / tcp_try_undo_recovery().
 */
/*
 * tcp_check_sack_reordering(): MSS 1000, threshold 3. Data at 2000
 * delivered late with fack 5000 lies 3000 bytes (3 segments) below: that
 * is reordering (counted) but not more than the threshold, which stays.
 * From 1000, 4000 bytes: 4 segments. 4500 bytes round up to 5; a
 * threshold bound of 4 caps it. Nothing below fack (low_seq at or above
 * it) is no reordering. A cap below the current threshold lowers it
 * when the distance exceeds the threshold (Linux's min_t() does too).
 */
TEST(sack_reordering)
{
	ASSERT_EQ(3, xtcp_sack_reordering(5000, 2000, 1000, 3, 300));
	ASSERT_EQ(4, xtcp_sack_reordering(5000, 1000, 1000, 3, 300));
	ASSERT_EQ(5, xtcp_sack_reordering(5000, 500, 1000, 3, 300));
	ASSERT_EQ(4, xtcp_sack_reordering(5000, 500, 1000, 3, 4));
	/* The cap applies whenever the threshold would change. */
	ASSERT_EQ(2, xtcp_sack_reordering(5000, 500, 1000, 3, 2));
	ASSERT_EQ(0, xtcp_sack_reordering(5000, 5000, 1000, 3, 300));
	ASSERT_EQ(0, xtcp_sack_reordering(5000, 6000, 1000, 3, 300));
	/* No MSS yet: counted, threshold unchanged. */
	ASSERT_EQ(3, xtcp_sack_reordering(5000, 500, 0, 3, 300));
	/* Across the wrap: fack 1000 past 2^32, low_seq 4000 below it. */
	ASSERT_EQ(4, xtcp_sack_reordering(1000, TOP - 2999, 1000, 3, 300));
	/* A huge distance: 2^31 - 1 bytes at MSS 1 stays within u32. */
	ASSERT_EQ(300, xtcp_sack_reordering(0x7fffffffU, 0, 1, 3, 300));
	ASSERT_EQ(0x7fffffffU,
		  xtcp_sack_reordering(0x7fffffffU, 0, 1, 3, 0xffffffffU));
}

TEST(rack_reo_wnd_adapts_to_dsack)
{
	u32 rec = XTCP_RACK_LOSS_DETECTION;
	struct xtcp_rack r;
	int i;

	xtcp_rack_init(&r);
	/* A D-SACK without reordering seen, or for a TLP: not RACK's. */
	xtcp_rack_dsack_seen(&r, false, false);
	ASSERT_FALSE(r.dsack_seen);
	xtcp_rack_dsack_seen(&r, true, true);
	ASSERT_FALSE(r.dsack_seen);

	xtcp_rack_dsack_seen(&r, true, false);
	ASSERT_TRUE(r.dsack_seen);
	/* An ACK that delivered nothing: pending. */
	xtcp_rack_update_reo_wnd(&r, rec, 0, 100);
	ASSERT_TRUE(r.dsack_seen);
	ASSERT_EQ(1, r.reo_wnd_steps);
	/* Delivered 100 now, the acked data sent at delivered 90: grow. */
	xtcp_rack_update_reo_wnd(&r, rec, 90, 100);
	ASSERT_FALSE(r.dsack_seen);
	ASSERT_EQ(2, r.reo_wnd_steps);
	ASSERT_EQ(100, r.last_delivered);
	ASSERT_EQ(XTCP_RACK_RECOVERY_THRESH, r.reo_wnd_persist);

	/* A D-SACK within the same round (data sent at delivered 99 <
	 * 100): dropped, at most one growth per round trip.
	 */
	xtcp_rack_dsack_seen(&r, true, false);
	xtcp_rack_update_reo_wnd(&r, rec, 99, 120);
	ASSERT_FALSE(r.dsack_seen);
	ASSERT_EQ(2, r.reo_wnd_steps);
	ASSERT_EQ(100, r.last_delivered);
	/* Next round (sent at delivered 100, not before 100): grows. */
	xtcp_rack_dsack_seen(&r, true, false);
	xtcp_rack_update_reo_wnd(&r, rec, 100, 130);
	ASSERT_EQ(3, r.reo_wnd_steps);
	ASSERT_EQ(130, r.last_delivered);

	/* STATIC_REO_WND: no adaptation at all, the D-SACK stays pending. */
	xtcp_rack_dsack_seen(&r, true, false);
	xtcp_rack_update_reo_wnd(&r, rec | XTCP_RACK_STATIC_REO_WND, 200,
				 210);
	ASSERT_EQ(3, r.reo_wnd_steps);
	ASSERT_TRUE(r.dsack_seen);
	r.dsack_seen = false;

	/* Without D-SACKs the width persists while reo_wnd_persist > 0. */
	xtcp_rack_update_reo_wnd(&r, rec, 300, 310);
	ASSERT_EQ(3, r.reo_wnd_steps);
	/* Undone recoveries do not use persistence up; real ones do. */
	xtcp_rack_recovery_end(&r, true);
	ASSERT_EQ(16, r.reo_wnd_persist);
	for (i = 0; i < 15; i++)
		xtcp_rack_recovery_end(&r, false);
	ASSERT_EQ(1, r.reo_wnd_persist);
	xtcp_rack_update_reo_wnd(&r, rec, 400, 410);
	ASSERT_EQ(3, r.reo_wnd_steps);
	/* A D-SACK undo adds one recovery, capped at 16. */
	xtcp_rack_dsack_undo(&r);
	ASSERT_EQ(2, r.reo_wnd_persist);
	for (i = 0; i < 20; i++)
		xtcp_rack_dsack_undo(&r);
	ASSERT_EQ(XTCP_RACK_RECOVERY_THRESH, r.reo_wnd_persist);
	for (i = 0; i < 20; i++)
		xtcp_rack_recovery_end(&r, false);
	ASSERT_EQ(0, r.reo_wnd_persist);
	/* Run out: back to one step. */
	xtcp_rack_update_reo_wnd(&r, rec, 500, 510);
	ASSERT_EQ(1, r.reo_wnd_steps);

	/* Steps saturate at 255. */
	r.reo_wnd_steps = XTCP_RACK_MAX_STEPS - 1;
	for (i = 0; i < 3; i++) {
		xtcp_rack_dsack_seen(&r, true, false);
		xtcp_rack_update_reo_wnd(&r, rec, 1000 + 10 * i,
					 1005 + 10 * i);
	}
	ASSERT_EQ(XTCP_RACK_MAX_STEPS, r.reo_wnd_steps);

	/* Delivered counts compare across the 2^32 wrap: last 2^32 - 10,
	 * a delivery sent at 5 (after the wrap) is a later round.
	 */
	r.reo_wnd_steps = 1;
	r.last_delivered = TOP - 9;
	xtcp_rack_dsack_seen(&r, true, false);
	xtcp_rack_update_reo_wnd(&r, rec, 5, 20);
	ASSERT_EQ(2, r.reo_wnd_steps);
	ASSERT_EQ(20, r.last_delivered);
}

/* ==== TLP ==== */

TEST(tlp_may_schedule)
{
	/* tcp_early_retrans 3 and 4 enable TLP; 0, 1, 2 do not. */
	ASSERT_TRUE(xtcp_tlp_may_schedule(3, 1, true, true));
	ASSERT_TRUE(xtcp_tlp_may_schedule(4, 1, true, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(0, 1, true, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(1, 1, true, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(2, 1, true, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(5, 1, true, true));
	/* Nothing in flight, no SACK, in recovery / loss: no probe. */
	ASSERT_FALSE(xtcp_tlp_may_schedule(3, 0, true, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(3, 1, false, true));
	ASSERT_FALSE(xtcp_tlp_may_schedule(3, 1, true, false));
}

/* RFC 8985 s.7.2 / tcp_schedule_loss_probe(). */
TEST(tlp_pto)
{
	/* No RTT sample: 1 s (TCP_TIMEOUT_INIT). */
	ASSERT_EQ(SEC, xtcp_tlp_pto_us(0, 5, 200 * MS, 0));
	/* One segment out: 2 * 50 ms + 200 ms delayed-ACK allowance. */
	ASSERT_EQ(300 * MS, xtcp_tlp_pto_us(50 * MS, 1, 200 * MS, 0));
	/* The allowance is the route's RTO min when it has one. */
	ASSERT_EQ(110 * MS, xtcp_tlp_pto_us(50 * MS, 1, 10 * MS, 0));
	/* More out: 2 * SRTT + 2 ms. */
	ASSERT_EQ(102 * MS, xtcp_tlp_pto_us(50 * MS, 2, 200 * MS, 0));
	/* The RTO fires first: PTO is what is left of it. */
	ASSERT_EQ(80 * MS, xtcp_tlp_pto_us(50 * MS, 2, 200 * MS, 80 * MS));
	ASSERT_EQ(250 * MS,
		  xtcp_tlp_pto_us(50 * MS, 1, 200 * MS, 250 * MS));
	ASSERT_EQ(600 * MS, xtcp_tlp_pto_us(0, 1, 200 * MS, 600 * MS));
	/* ... but not when it fires later, is due, or overdue. */
	ASSERT_EQ(102 * MS,
		  xtcp_tlp_pto_us(50 * MS, 2, 200 * MS, 102 * MS + 1));
	ASSERT_EQ(102 * MS, xtcp_tlp_pto_us(50 * MS, 2, 200 * MS, -5));
	/* Saturates rather than wraps. */
	ASSERT_EQ(TOP, xtcp_tlp_pto_us(TOP, 2, 200 * MS, 0));
}

/* tcp_send_loss_probe(): the probe is the last MSS of the last skb. */
TEST(tlp_probe_split)
{
	/* 3 segments of 1000 (the last one short): cut at 2000. */
	ASSERT_EQ(2000, xtcp_tlp_probe_split(2500, 3, 1000));
	ASSERT_EQ(2000, xtcp_tlp_probe_split(3000, 3, 1000));
	/* One segment: whole. */
	ASSERT_EQ(0, xtcp_tlp_probe_split(1000, 1, 1000));
	ASSERT_EQ(0, xtcp_tlp_probe_split(1000, 0, 1000));
	/* The MSS grew since it was counted: nothing past 2 * 1400. */
	ASSERT_EQ(0, xtcp_tlp_probe_split(2800, 3, 1400));
	ASSERT_EQ(2800, xtcp_tlp_probe_split(2801, 3, 1400));
}

/* __tcp_retransmit_skb()'s window check: SND.UNA 1000, MSS 100. */
TEST(rtx_wnd_len)
{
	/* In the window: as asked, or cut to whole MSS that fit. */
	ASSERT_EQ(300, xtcp_rtx_wnd_len(1000, 1000, 2000, 100, 300));
	ASSERT_EQ(400, xtcp_rtx_wnd_len(1500, 1000, 1950, 100, 500));
	/* Less than an MSS left: the bytes left. */
	ASSERT_EQ(50, xtcp_rtx_wnd_len(1900, 1000, 1950, 100, 300));
	/* At or beyond the right edge: nothing, but at SND.UNA one MSS. */
	ASSERT_EQ(0, xtcp_rtx_wnd_len(1950, 1000, 1950, 100, 100));
	ASSERT_EQ(0, xtcp_rtx_wnd_len(2000, 1000, 1950, 100, 300));
	ASSERT_EQ(100, xtcp_rtx_wnd_len(1000, 1000, 1000, 100, 300));
	ASSERT_EQ(100, xtcp_rtx_wnd_len(1000, 1000, 900, 100, 300));
	ASSERT_EQ(60, xtcp_rtx_wnd_len(1000, 1000, 1000, 100, 60));
	/* Across the sequence wrap. */
	ASSERT_EQ(400, xtcp_rtx_wnd_len(0xffffff00u, 0xffffff00u, 0xc8, 100, 500));
	ASSERT_EQ(0, xtcp_rtx_wnd_len(0x10, 0xffffff00u, 0x10, 100, 100));
}

/* RFC 8985 s.7.4 / tcp_process_tlp_ack(); probe sent at SND.NXT 5000. */
TEST(tlp_ack)
{
	/* Below tlp_high_seq: nothing known, whatever the flags. */
	ASSERT_EQ(XTCP_TLP_PENDING, xtcp_tlp_ack(4999, 5000, true, true,
						 true));
	ASSERT_EQ(XTCP_TLP_PENDING, xtcp_tlp_ack(4999, 5000, false, false,
						 false));
	/* A probe of new data, ACKed: done. */
	ASSERT_EQ(XTCP_TLP_NO_LOSS, xtcp_tlp_ack(5000, 5000, false, false,
						 false));
	ASSERT_EQ(XTCP_TLP_NO_LOSS, xtcp_tlp_ack(6000, 5000, false, false,
						 false));
	/* A retransmitted probe D-SACKed: original and probe both came. */
	ASSERT_EQ(XTCP_TLP_NO_LOSS, xtcp_tlp_ack(5000, 5000, true, true,
						 false));
	ASSERT_EQ(XTCP_TLP_NO_LOSS, xtcp_tlp_ack(6000, 5000, true, true,
						 false));
	/* Beyond tlp_high_seq without a D-SACK: the probe repaired a loss
	 * (pure_dupack cannot hold for an ACK that advanced, but it is the
	 * order of the tests that decides).
	 */
	ASSERT_EQ(XTCP_TLP_LOSS, xtcp_tlp_ack(5001, 5000, true, false,
					      false));
	ASSERT_EQ(XTCP_TLP_LOSS, xtcp_tlp_ack(5001, 5000, true, false, true));
	/* At tlp_high_seq: a pure duplicate ACK means no loss ... */
	ASSERT_EQ(XTCP_TLP_NO_LOSS, xtcp_tlp_ack(5000, 5000, true, false,
						 true));
	/* ... anything else waits for more. */
	ASSERT_EQ(XTCP_TLP_PENDING, xtcp_tlp_ack(5000, 5000, true, false,
						 false));
	/* Across the wrap. */
	ASSERT_EQ(XTCP_TLP_PENDING, xtcp_tlp_ack(TOP, 5, true, false, true));
	ASSERT_EQ(XTCP_TLP_LOSS, xtcp_tlp_ack(6, 5, true, false, false));
}

/* tcp_rto_delta_us(): the RTO counts from the head's last send. */
TEST(rto_left)
{
	u64 t0 = 5000000000ULL;	/* us of a clock that has run a while */

	/* Sent 300 ms ago with a 1 s RTO: 700 ms left. */
	ASSERT_EQ(700 * MS, xtcp_rto_left_us(SEC, t0, t0 + 300 * MS));
	/* Sent just now: the whole RTO. */
	ASSERT_EQ(SEC, xtcp_rto_left_us(SEC, t0, t0));
	/* Due exactly, and overdue (a timer run late): 0 and negative. */
	ASSERT_EQ(0, xtcp_rto_left_us(SEC, t0, t0 + SEC));
	ASSERT_EQ(-(s64)(5 * MS), xtcp_rto_left_us(SEC, t0, t0 + SEC + 5 * MS));
	/* The largest RTO, 120 s, is far from the 64-bit limits. */
	ASSERT_EQ(120 * (s64)SEC,
		  xtcp_rto_left_us(120 * SEC, t0, t0));
}

/* ==== SACK block validity ==== */

/*
 * SND.UNA 1000 (prior 1000, the ACK did not advance it), SND.NXT 5000,
 * recovery began at SND.UNA 500, max_window 2000, MSS 100.
 */
static const struct xtcp_sack_ctx ctx0 = {
	.snd_una = 1000, .prior_snd_una = 1000, .snd_nxt = 5000,
	.undo_marker = 500, .max_window = 2000, .mss = 100,
	.total_retrans = 100, .ack_seq = 1000,
};

struct valid_row {
	u32 start, end;
	bool dsack;
	bool valid;
};

/* tcp_is_sackblock_valid(), in the order of its tests. */
static const struct valid_row valid_rows[] = {
	/* In the window. */
	{ 1500, 2000, false, true },
	{ 1001, 5000, false, true },
	{ 1500, 2000, true, true },
	/* Past SND.NXT, empty, reversed. */
	{ 4000, 5001, false, false },
	{ 2000, 2000, false, false },
	{ 2000, 1500, false, false },
	{ 2000, 1500, true, false },
	/*
	 * Linux's "wrapzone": start 2^31 is after SND.UNA (by 2^31 - 1000)
	 * and before end 2^32 - 5000, and end is not after SND.NXT (it is
	 * 10000 before it), but start is not before SND.NXT: rejected.
	 */
	{ 0x80000000U, 0xffffec78U, false, false },
	/* Starting at SND.UNA: the receiver contradicts its ACK. */
	{ 1000, 1500, false, false },
	{ 900, 1500, false, false },
	/* D-SACKs below SND.UNA. */
	{ 600, 900, true, true },	/* above undo_marker */
	{ 500, 1000, true, true },	/* from undo_marker exactly */
	{ 600, 1100, true, false },	/* across SND.UNA */
	{ 900, 1000, false, false },	/* not a D-SACK: no */
	{ 100, 450, true, false },	/* wholly below undo_marker */
	{ 100, 500, true, false },	/* ends at undo_marker */
	/* Straddles undo_marker, starts within max_window of its end. */
	{ 400, 900, true, true },
};

TEST(sackblock_valid_table)
{
	struct xtcp_sack_ctx c = ctx0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(valid_rows); i++)
		EXPECT_EQ(valid_rows[i].valid,
			  xtcp_sackblock_valid(&c, valid_rows[i].dsack,
					       valid_rows[i].start,
					       valid_rows[i].end))
			TH_LOG("row %u: %u-%u dsack %d", i, valid_rows[i].start,
			       valid_rows[i].end, valid_rows[i].dsack);

	/* Straddling by more than max_window (300 here): 100 < 600 - 300. */
	c.max_window = 300;
	ASSERT_FALSE(xtcp_sackblock_valid(&c, true, 100, 600));
	ASSERT_TRUE(xtcp_sackblock_valid(&c, true, 300, 600));
	/* No undo_marker: a D-SACK below SND.UNA is of no use. */
	c = ctx0;
	c.undo_marker = 0;
	ASSERT_FALSE(xtcp_sackblock_valid(&c, true, 600, 900));
	ASSERT_TRUE(xtcp_sackblock_valid(&c, true, 1500, 2000));

	/* The same geometry shifted across 2^32. */
	c = ctx0;
	c.snd_una = TOP - 99;					/* -100 */
	c.prior_snd_una = c.snd_una;
	c.ack_seq = c.snd_una;
	c.snd_nxt = 3900;
	c.undo_marker = TOP - 599;				/* -600 */
	ASSERT_TRUE(xtcp_sackblock_valid(&c, false, 0, 100));
	ASSERT_TRUE(xtcp_sackblock_valid(&c, false, TOP - 98, 3900));
	ASSERT_FALSE(xtcp_sackblock_valid(&c, false, 3800, 3901));
	ASSERT_TRUE(xtcp_sackblock_valid(&c, true, TOP - 499, TOP - 99));
	ASSERT_FALSE(xtcp_sackblock_valid(&c, true, TOP - 499, 1));
}

/*
 * The same rules on unwrapped 64-bit offsets from SND.UNA, for random
 * geometries placed anywhere in sequence space (often across 2^32): every
 * distance stays below 2^30, where wrapped comparisons must agree with
 * plain ones.
 */
static bool model_valid(s64 s, s64 e, s64 n, bool undo, s64 um, s64 mw,
			bool dsack)
{
	if (e > n || s >= e || s >= n)
		return false;
	if (s > 0)
		return true;
	if (!dsack || !undo || e > 0)
		return false;
	if (s >= um)
		return true;
	if (e <= um)
		return false;
	return s >= e - mw;
}

static s64 rnd_off(u32 range)
{
	return (s64)(rnd32() % (2 * range + 1)) - range;
}

TEST(sackblock_valid_random)
{
	struct xtcp_sack_ctx c;
	s64 n, um, mw, st, en;
	unsigned int i;
	bool dsack, want;
	u32 base;

	for (i = 0; i < 200000; i++) {
		/* Half the geometries straddle 0 from either side. */
		if (i % 4 == 0)
			base = TOP - rnd32() % 300000;
		else if (i % 4 == 1)
			base = rnd32() % 300000;
		else
			base = rnd32();
		n = rnd32() % 200000;
		um = -(s64)(rnd32() % 200000);
		mw = 1 + rnd32() % 100000;
		st = rnd_off(300000);
		en = st + rnd_off(150000);
		dsack = rnd32() & 1;
		c = (struct xtcp_sack_ctx){
			.snd_una = base, .prior_snd_una = base,
			.snd_nxt = base + (u32)n, .undo_marker = base + (u32)um,
			.max_window = (u32)mw, .ack_seq = base,
		};
		want = model_valid(st, en, n, c.undo_marker != 0, um, mw,
				   dsack);
		ASSERT_EQ(want, xtcp_sackblock_valid(&c, dsack,
						     base + (u32)st,
						     base + (u32)en))
			TH_LOG("base %u nxt +%lld undo %lld mw %lld block %lld..%lld dsack %d",
			       base, n, um, mw, st, en, dsack);
	}
}

/* RFC 2883 s.4 / the first half of tcp_check_dsack(). */
TEST(sack_first_is_dsack)
{
	struct xtcp_sack_block b[3];

	/* RFC 2883 s.4.1.1: ACK 4000, first block 3000-3500: below it. */
	b[0] = (struct xtcp_sack_block){ 3000, 3500 };
	ASSERT_TRUE(xtcp_sack_first_is_dsack(b, 1, 4000));
	/* s.4.1.3-style: ACK 4000, 5000-5500 within 4500-6000. */
	b[0] = (struct xtcp_sack_block){ 5000, 5500 };
	b[1] = (struct xtcp_sack_block){ 4500, 6000 };
	ASSERT_TRUE(xtcp_sack_first_is_dsack(b, 2, 4000));
	/* Equal blocks count as contained. */
	b[1] = b[0];
	ASSERT_TRUE(xtcp_sack_first_is_dsack(b, 2, 4000));
	/* Sticking out on either side: an ordinary SACK block. */
	b[1] = (struct xtcp_sack_block){ 5100, 6000 };
	ASSERT_FALSE(xtcp_sack_first_is_dsack(b, 2, 4000));
	b[1] = (struct xtcp_sack_block){ 4500, 5400 };
	ASSERT_FALSE(xtcp_sack_first_is_dsack(b, 2, 4000));
	/* One block above the ACK, or starting at it: not a D-SACK. */
	ASSERT_FALSE(xtcp_sack_first_is_dsack(b, 1, 4000));
	b[0] = (struct xtcp_sack_block){ 4000, 4500 };
	ASSERT_FALSE(xtcp_sack_first_is_dsack(b, 1, 4000));
	ASSERT_FALSE(xtcp_sack_first_is_dsack(b, 0, 4000));
	/* Below the ACK across the wrap. */
	b[0] = (struct xtcp_sack_block){ TOP - 999, TOP - 499 };
	ASSERT_TRUE(xtcp_sack_first_is_dsack(b, 1, 500));
}

/* tcp_dsack_seen(). */
TEST(dsack_seen)
{
	struct xtcp_sack_ctx c = ctx0;
	u32 dups = 0;
	bool tlp = true;

	/* Empty and reversed: ignored, not counted. */
	ASSERT_EQ(0, xtcp_dsack_seen(&c, 700, 700, &dups, &tlp));
	ASSERT_FALSE(tlp);
	ASSERT_EQ(0, xtcp_dsack_seen(&c, 700, 600, &dups, &tlp));
	/* Longer than max_window: dubious, not counted. */
	ASSERT_EQ(0, xtcp_dsack_seen(&c, 700, 2701, &dups, &tlp));
	ASSERT_EQ(0, dups);
	/* 2000 bytes exactly is fine: 20 segments of 100. */
	ASSERT_EQ(20, xtcp_dsack_seen(&c, 700, 2700, &dups, &tlp));
	ASSERT_EQ(20, dups);
	/* 250 bytes: ceil(250 / 100) = 3. */
	ASSERT_EQ(3, xtcp_dsack_seen(&c, 700, 950, &dups, &tlp));
	ASSERT_EQ(23, dups);
	/* Up to an MSS: one segment. */
	ASSERT_EQ(1, xtcp_dsack_seen(&c, 700, 800, &dups, &tlp));
	ASSERT_FALSE(tlp);
	/* ... the TLP's, if it ends at tlp_high_seq. */
	c.tlp_high_seq = 800;
	ASSERT_EQ(1, xtcp_dsack_seen(&c, 750, 800, &dups, &tlp));
	ASSERT_TRUE(tlp);
	/* A long one ending there is not the probe. */
	ASSERT_EQ(2, xtcp_dsack_seen(&c, 650, 800, &dups, &tlp));
	ASSERT_FALSE(tlp);
	ASSERT_EQ(27, dups);
	/* tlp_high_seq 0 means no probe, even for a D-SACK ending at 0. */
	c.tlp_high_seq = 0;
	ASSERT_EQ(1, xtcp_dsack_seen(&c, TOP - 49, 0, &dups, &tlp));
	ASSERT_FALSE(tlp);
	ASSERT_EQ(28, dups);
	/* More duplicates than retransmissions (100): counted, ignored. */
	c.total_retrans = 29;
	ASSERT_EQ(1, xtcp_dsack_seen(&c, 700, 800, &dups, &tlp));
	ASSERT_EQ(0, xtcp_dsack_seen(&c, 700, 800, &dups, &tlp));
	ASSERT_EQ(30, dups);
}

TEST(dsack_forgotten)
{
	struct xtcp_sack_ctx c = ctx0;

	/* Above undo_marker 500, at or below the previous SND.UNA 1000. */
	ASSERT_TRUE(xtcp_dsack_forgotten(&c, 900));
	ASSERT_TRUE(xtcp_dsack_forgotten(&c, 1000));
	ASSERT_TRUE(xtcp_dsack_forgotten(&c, 501));
	ASSERT_FALSE(xtcp_dsack_forgotten(&c, 1001));
	ASSERT_FALSE(xtcp_dsack_forgotten(&c, 500));
	c.undo_marker = 0;
	ASSERT_FALSE(xtcp_dsack_forgotten(&c, 900));
}

TEST(sack_ack_too_old)
{
	struct xtcp_sack_ctx c = ctx0;

	c.prior_snd_una = 10000;
	c.ack_seq = 8000;		/* 10000 - max_window: still fine */
	ASSERT_FALSE(xtcp_sack_ack_too_old(&c));
	c.ack_seq = 7999;
	ASSERT_TRUE(xtcp_sack_ack_too_old(&c));
	/* Across the wrap: the limit is 1000 - 2000 = 2^32 - 1000. */
	c.prior_snd_una = 1000;
	c.ack_seq = TOP - 999;
	ASSERT_FALSE(xtcp_sack_ack_too_old(&c));
	c.ack_seq = TOP - 1000;
	ASSERT_TRUE(xtcp_sack_ack_too_old(&c));
	/* 500 lies between that limit and SND.UNA: recent enough. */
	c.ack_seq = 500;
	ASSERT_FALSE(xtcp_sack_ack_too_old(&c));
}

/* tcp_sacktag_write_queue()'s per-block decisions. */
TEST(sack_classify)
{
	struct xtcp_sack_ctx c = ctx0;
	struct xtcp_sack_block b;

	b = (struct xtcp_sack_block){ 1500, 2000 };
	ASSERT_EQ(XTCP_SACK_VALID, xtcp_sack_classify(&c, &b, false));
	/* A D-SACK inside the window (RFC 2883 s.4.1.3: duplicate of
	 * SACKed data): tag it as such.
	 */
	ASSERT_EQ(XTCP_SACK_DSACK, xtcp_sack_classify(&c, &b, true));
	/* A valid D-SACK below SND.UNA: nothing to tag. */
	b = (struct xtcp_sack_block){ 600, 900 };
	ASSERT_EQ(XTCP_SACK_OLD, xtcp_sack_classify(&c, &b, true));
	/* Too old for undo_marker, or no undo_marker. */
	b = (struct xtcp_sack_block){ 100, 450 };
	ASSERT_EQ(XTCP_SACK_DSACK_OLD, xtcp_sack_classify(&c, &b, true));
	c.undo_marker = 0;
	ASSERT_EQ(XTCP_SACK_DSACK_NOUNDO, xtcp_sack_classify(&c, &b, true));
	c = ctx0;
	/* Past SND.NXT: discarded and counted. */
	b = (struct xtcp_sack_block){ 4500, 5500 };
	ASSERT_EQ(XTCP_SACK_DISCARD, xtcp_sack_classify(&c, &b, false));
	/* At or below SND.UNA on an ACK of SND.UNA: the receiver's fault. */
	b = (struct xtcp_sack_block){ 600, 900 };
	ASSERT_EQ(XTCP_SACK_DISCARD, xtcp_sack_classify(&c, &b, false));
	/* The same on an ACK below SND.UNA (overtaken): skipped quietly. */
	c.ack_seq = 800;
	ASSERT_EQ(XTCP_SACK_OLD, xtcp_sack_classify(&c, &b, false));
	/* Reaching above SND.UNA from below: invalid either way. */
	b = (struct xtcp_sack_block){ 900, 1100 };
	ASSERT_EQ(XTCP_SACK_DISCARD, xtcp_sack_classify(&c, &b, false));
	/*
	 * This ACK moved SND.UNA 1000 -> 2000; a block 1500-3000 starts
	 * below the new SND.UNA: Linux discards it.
	 */
	c = ctx0;
	c.snd_una = 2000;
	c.ack_seq = 2000;
	b = (struct xtcp_sack_block){ 1500, 3000 };
	ASSERT_EQ(XTCP_SACK_DISCARD, xtcp_sack_classify(&c, &b, false));
	/* A D-SACK for 1200-1500, ACKed by this very ACK: valid (above
	 * undo_marker, below SND.UNA) and above the previous SND.UNA, so
	 * it is tagged as a D-SACK.
	 */
	b = (struct xtcp_sack_block){ 1200, 1500 };
	ASSERT_EQ(XTCP_SACK_DSACK, xtcp_sack_classify(&c, &b, true));
}

/* ==== The SACK block cache (recv_sack_cache) ==== */

/*
 * xtcp_sack_uncached(): a new block less the previous ACK's blocks. Each
 * case is worked by hand: the block is cut at every cached block it
 * overlaps, the part below a cached block staying in its slot, the part
 * above appended; empty ranges (start == end) are left for the caller to
 * skip, so the expected lists include them where the cutting makes them.
 */
struct uncached_case {
	const char *name;
	struct xtcp_sack_block cache[XTCP_NUM_SACKS];
	u32 start, end;
	unsigned int max;
	unsigned int n;
	struct xtcp_sack_block want[XTCP_SACK_MAX_RANGES];
};

static const struct uncached_case uncached_cases[] = {
	/* Nothing cached (all slots empty): the block whole. */
	{ "no cache", { { 0, 0 } }, 100, 200, XTCP_SACK_MAX_RANGES,
	  1, { { 100, 200 } } },
	/* The first block grew by 50 at its right: only the growth. */
	{ "grown right", { { 100, 150 } }, 100, 200, XTCP_SACK_MAX_RANGES,
	  2, { { 100, 100 }, { 150, 200 } } },
	/* Grown at both ends: the two new edges. */
	{ "grown both", { { 150, 200 } }, 100, 250, XTCP_SACK_MAX_RANGES,
	  2, { { 100, 150 }, { 200, 250 } } },
	/* Repeated unchanged: nothing (one empty range). */
	{ "same", { { 100, 200 } }, 100, 200, XTCP_SACK_MAX_RANGES,
	  1, { { 100, 100 } } },
	/* Two cached blocks merged into one new one: the three gaps. */
	{ "merged", { { 120, 130 }, { 160, 170 } }, 100, 200,
	  XTCP_SACK_MAX_RANGES,
	  3, { { 100, 120 }, { 130, 160 }, { 170, 200 } } },
	/* A cached block elsewhere does not cut. */
	{ "disjoint", { { 300, 400 }, { 0, 0 }, { 10, 20 } }, 100, 200,
	  XTCP_SACK_MAX_RANGES, 1, { { 100, 200 } } },
	/* Touching at an edge is no overlap: [200, 300) keeps all of it. */
	{ "touching", { { 100, 200 } }, 200, 300, XTCP_SACK_MAX_RANGES,
	  1, { { 200, 300 } } },
	/* Around the wrap of the sequence space. */
	{ "wrap", { { 0xffffff00U, 0x100 } }, 0xfffffe00U, 0x200,
	  XTCP_SACK_MAX_RANGES,
	  2, { { 0xfffffe00U, 0xffffff00U }, { 0x100, 0x200 } } },
	/* No room for the part above: the block stays whole (tagged again,
	 * which costs a walk but loses nothing).
	 */
	{ "no room", { { 120, 130 } }, 100, 200, 1, 1, { { 100, 200 } } },
};

TEST(sack_uncached)
{
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(uncached_cases); i++) {
		const struct uncached_case *t = &uncached_cases[i];
		struct xtcp_sack_block r[XTCP_SACK_MAX_RANGES];
		unsigned int n;

		n = xtcp_sack_uncached(t->cache, XTCP_NUM_SACKS, t->start,
				       t->end, r, 0, t->max);
		ASSERT_EQ(t->n, n) TH_LOG("%s", t->name);
		for (k = 0; k < n; k++) {
			ASSERT_EQ(t->want[k].start_seq, r[k].start_seq)
				TH_LOG("%s range %u", t->name, k);
			ASSERT_EQ(t->want[k].end_seq, r[k].end_seq)
				TH_LOG("%s range %u", t->name, k);
		}
	}
}

/* Ranges of an earlier block are left alone; a full array takes none. */
TEST(sack_uncached_appends)
{
	struct xtcp_sack_block cache[XTCP_NUM_SACKS] = { { 150, 160 } };
	struct xtcp_sack_block r[XTCP_SACK_MAX_RANGES] = { { 1, 2 } };
	unsigned int n;

	n = xtcp_sack_uncached(cache, XTCP_NUM_SACKS, 100, 200, r, 1,
			       XTCP_SACK_MAX_RANGES);
	ASSERT_EQ(3, n);
	ASSERT_EQ(1, r[0].start_seq);
	ASSERT_EQ(2, r[0].end_seq);
	ASSERT_EQ(100, r[1].start_seq);
	ASSERT_EQ(150, r[1].end_seq);
	ASSERT_EQ(160, r[2].start_seq);
	ASSERT_EQ(200, r[2].end_seq);
	n = xtcp_sack_uncached(cache, XTCP_NUM_SACKS, 100, 200, r, 3, 3);
	ASSERT_EQ(3, n);
}

/* ==== Undo ==== */

/*
 * tcp_init_undo(): retransmissions in flight, and a resent tail loss
 * probe outstanding, must each be D-SACKed before D-SACKs may undo; with
 * none, -1 (0 would mean "all D-SACKed already").
 */
TEST(undo_init_retrans)
{
	ASSERT_EQ(-1, xtcp_init_undo_retrans(0, false));
	ASSERT_EQ(1, xtcp_init_undo_retrans(0, true));
	ASSERT_EQ(3, xtcp_init_undo_retrans(3, false));
	ASSERT_EQ(4, xtcp_init_undo_retrans(3, true));
	/* Saturates instead of wrapping negative. */
	ASSERT_EQ(0x7fffffff, xtcp_init_undo_retrans(TOP, true));
}

/*
 * tcp_check_dsack() / tcp_sacktag_one(): a positive count goes down by the
 * duplicate segments, not below 0; -1 (nothing retransmitted) and 0 (all
 * shown spurious already) stay.
 */
TEST(undo_retrans_dsacked)
{
	ASSERT_EQ(2, xtcp_undo_retrans_dsacked(3, 1));
	ASSERT_EQ(0, xtcp_undo_retrans_dsacked(3, 3));
	ASSERT_EQ(0, xtcp_undo_retrans_dsacked(3, 7));
	ASSERT_EQ(0, xtcp_undo_retrans_dsacked(1, TOP));
	ASSERT_EQ(-1, xtcp_undo_retrans_dsacked(-1, 1));
	ASSERT_EQ(0, xtcp_undo_retrans_dsacked(0, 1));
}

/*
 * tcp_packet_delayed() (RFC 3522 s.2): first retransmission at 5000 ms.
 * A TSecr of 4999 echoes an original sent before it: delayed. 5000 (the
 * same tick) and 5001 echo the retransmission or later: not. No TSecr
 * (0): not. Across the 32-bit wrap, 0xfffffff0 is before 0x10. With no
 * retransmission sent (stamp 0) the loss was not one yet, with SACK
 * always, without SACK only while SND.UNA is below high_seq.
 */
TEST(undo_packet_delayed)
{
	ASSERT_TRUE(xtcp_packet_delayed(5000, 4999, true, false));
	ASSERT_TRUE(xtcp_packet_delayed(5000, 1, false, true));
	ASSERT_FALSE(xtcp_packet_delayed(5000, 5000, true, false));
	ASSERT_FALSE(xtcp_packet_delayed(5000, 5001, true, false));
	ASSERT_FALSE(xtcp_packet_delayed(5000, 0, true, false));
	ASSERT_TRUE(xtcp_packet_delayed(0x10, 0xfffffff0U, true, false));
	ASSERT_FALSE(xtcp_packet_delayed(0xfffffff0U, 0x10, true, false));
	ASSERT_TRUE(xtcp_packet_delayed(0, 0, true, true));
	ASSERT_TRUE(xtcp_packet_delayed(0, 0, true, false));
	ASSERT_TRUE(xtcp_packet_delayed(0, 0, false, false));
	ASSERT_FALSE(xtcp_packet_delayed(0, 0, false, true));
	ASSERT_FALSE(xtcp_packet_delayed(0, 4999, false, true));
}

/*
 * tcp_may_undo(): a recovery to undo (undo_marker non-zero), and either
 * every retransmission D-SACKed (undo_retrans 0) or the timestamps say
 * delayed. undo_retrans -1 (none sent) is not "all D-SACKed".
 */
TEST(undo_may_undo)
{
	ASSERT_TRUE(xtcp_may_undo(1000, 0, false));
	ASSERT_TRUE(xtcp_may_undo(1000, 2, true));
	ASSERT_TRUE(xtcp_may_undo(1000, -1, true));
	ASSERT_FALSE(xtcp_may_undo(1000, 2, false));
	ASSERT_FALSE(xtcp_may_undo(1000, -1, false));
	ASSERT_FALSE(xtcp_may_undo(0, 0, true));
	ASSERT_FALSE(xtcp_may_undo(0, 0, false));
}

/*
 * tcp_current_ssthresh() and tcp_undo_cwnd_reduction()'s ssthresh: outside
 * a reduction at least 3/4 of cwnd (cwnd 20: 10 + 5 = 15; 7: 3 + 1 = 4),
 * during one ssthresh as it is. The infinite ssthresh of the initial slow
 * start (0x7fffffff) is kept, so that an undo returns to it. The undo
 * only raises ssthresh.
 */
TEST(undo_ssthresh)
{
	ASSERT_EQ(15U, xtcp_current_ssthresh(10, 20, false));
	ASSERT_EQ(10U, xtcp_current_ssthresh(10, 20, true));
	ASSERT_EQ(30U, xtcp_current_ssthresh(30, 20, false));
	ASSERT_EQ(4U, xtcp_current_ssthresh(2, 7, false));
	ASSERT_EQ(0x7fffffffU, xtcp_current_ssthresh(0x7fffffff, 10, false));
	ASSERT_EQ(0x7fffffffU, xtcp_undo_ssthresh(7, 0x7fffffff));
	ASSERT_EQ(15U, xtcp_undo_ssthresh(10, 15));
	ASSERT_EQ(12U, xtcp_undo_ssthresh(12, 9));
}

/*
 * tcp_enter_loss()'s "reduce ssthresh if it has not yet been made inside
 * this window" (review M4).  high_seq 5000, SND.UNA 3000: a window not
 * yet acknowledged.  From the open state: cut.  In CWR or fast recovery
 * (open false, not in loss) for that window: no cut; xtcp's timer had
 * counted CWR as open and cut a second time (the row marked M4).  Once
 * SND.UNA reached high_seq (5000, or 5001): cut, whatever the state.  In
 * loss recovery: cut at its first timeout only (a path MTU drop put it
 * there without one).  Across the wrap: high_seq 0x10 is after SND.UNA
 * 0xfffffff0.
 */
TEST(loss_reduces_ssthresh)
{
	ASSERT_TRUE(xtcp_loss_reduces_ssthresh(true, false, false, 5000, 3000));
	/* M4: CWR (or Recovery), window not acknowledged. */
	ASSERT_FALSE(xtcp_loss_reduces_ssthresh(false, false, false, 5000,
						3000));
	ASSERT_FALSE(xtcp_loss_reduces_ssthresh(false, false, true, 5000,
						3000));
	ASSERT_TRUE(xtcp_loss_reduces_ssthresh(false, false, false, 5000,
					       5000));
	ASSERT_TRUE(xtcp_loss_reduces_ssthresh(false, false, false, 5000,
					       5001));
	ASSERT_FALSE(xtcp_loss_reduces_ssthresh(false, true, false, 5000,
						3000));
	ASSERT_TRUE(xtcp_loss_reduces_ssthresh(false, true, true, 5000, 3000));
	ASSERT_FALSE(xtcp_loss_reduces_ssthresh(false, false, false, 0x10,
						0xfffffff0U));
	ASSERT_TRUE(xtcp_loss_reduces_ssthresh(false, false, false,
					       0xfffffff0U, 0x10));
}

/*
 * tcp_sacktag_one() with dup_sack: what one skb's D-SACK takes off
 * undo_retrans.  MSS 1000; the skb [10000, 13000) of 3 segments,
 * retransmitted; undo_marker 9000.  A D-SACK of [11000, 12000): 1; of
 * [10500, 11600) (1100 bytes, rounded up): 2; of the whole skb and
 * more: 3, never more than the skb holds.  Not retransmitted: 0.  Ending
 * at or before undo_marker (undo_marker 13000): 0.  Disjoint: 0.  No
 * undo_marker (review L13: nothing to undo, Linux counts nothing;
 * xtcp's test "ends after undo_marker 0" was a sequence comparison that
 * held for half the sequence space): 0.  mss 0: one segment.
 */
TEST(dsack_skb_segs)
{
	ASSERT_EQ(1U, xtcp_dsack_skb_segs(9000, true, 10000, 13000, 11000,
					  12000, 1000, 3));
	ASSERT_EQ(2U, xtcp_dsack_skb_segs(9000, true, 10000, 13000, 10500,
					  11600, 1000, 3));
	ASSERT_EQ(3U, xtcp_dsack_skb_segs(9000, true, 10000, 13000, 9000,
					  20000, 1000, 3));
	ASSERT_EQ(0U, xtcp_dsack_skb_segs(9000, false, 10000, 13000, 11000,
					  12000, 1000, 3));
	ASSERT_EQ(0U, xtcp_dsack_skb_segs(13000, true, 10000, 13000, 11000,
					  12000, 1000, 3));
	ASSERT_EQ(0U, xtcp_dsack_skb_segs(9000, true, 10000, 13000, 13000,
					  14000, 1000, 3));
	/* L13 */
	ASSERT_EQ(0U, xtcp_dsack_skb_segs(0, true, 10000, 13000, 11000,
					  12000, 1000, 3));
	ASSERT_EQ(1U, xtcp_dsack_skb_segs(9000, true, 10000, 13000, 11000,
					  12000, 0, 3));
}

/* ==== Duplicate ACKs as SACKs without SACK (tcp_add_reno_sack()) ==== */

/*
 * tcp_limit_reno_sacked(): at least one hole (max(lost_out, 1), at most
 * packets_out) is missing, so sacked_out <= packets_out - holes.
 * 10 out, none lost: 9 duplicate ACKs fit, a tenth is cut to 9. 10 out,
 * 3 lost: 7 fit, 8 is cut to 7. 0 out: the hole is min(1, 0) = 0 and
 * sacked_out 0 stays. A flight of 1 with 1 duplicate ACK: 1 + 1 > 1, cut
 * to 0.
 */
TEST(reno_limit_sacked)
{
	u32 sacked;

	sacked = 9;
	ASSERT_FALSE(xtcp_reno_limit_sacked(&sacked, 0, 10));
	ASSERT_EQ(9U, sacked);
	sacked = 10;
	ASSERT_TRUE(xtcp_reno_limit_sacked(&sacked, 0, 10));
	ASSERT_EQ(9U, sacked);
	sacked = 7;
	ASSERT_FALSE(xtcp_reno_limit_sacked(&sacked, 3, 10));
	sacked = 8;
	ASSERT_TRUE(xtcp_reno_limit_sacked(&sacked, 3, 10));
	ASSERT_EQ(7U, sacked);
	sacked = 0;
	ASSERT_FALSE(xtcp_reno_limit_sacked(&sacked, 0, 0));
	ASSERT_EQ(0U, sacked);
	sacked = 1;
	ASSERT_TRUE(xtcp_reno_limit_sacked(&sacked, 0, 1));
	ASSERT_EQ(0U, sacked);
	/* More lost than out (cannot be, but no underflow): holes = 4. */
	sacked = 2;
	ASSERT_TRUE(xtcp_reno_limit_sacked(&sacked, 9, 4));
	ASSERT_EQ(0U, sacked);
}

/*
 * tcp_remove_reno_sacks(): a cumulative ACK of acked segments after
 * sacked_out duplicate ACKs. One segment is the hole; each other one had
 * a duplicate ACK of its own, as far as there were duplicate ACKs.
 * - 5 dupACKs, then the ACK of the retransmitted hole covers 6 (the hole
 *   and the 5 that caused them): delivered max(6 - 5, 1) = 1, sacked_out
 *   5 - (6 - 1) = 0.
 * - NewReno partial ACK: 5 dupACKs, the ACK covers the hole and 2 more
 *   (3): delivered max(3 - 5, 1) = 1, sacked_out 5 - 2 = 3 left.
 * - No dupACKs, 4 acked: delivered 4, sacked_out 0.
 * - 2 dupACKs, 10 acked (more than the duplicates): delivered 8, 0 left.
 * - 3 dupACKs, 1 acked (just the hole): delivered 1, sacked_out 3.
 */
TEST(reno_acked)
{
	u32 sacked;

	sacked = 5;
	ASSERT_EQ(1U, xtcp_reno_acked(&sacked, 6));
	ASSERT_EQ(0U, sacked);
	sacked = 5;
	ASSERT_EQ(1U, xtcp_reno_acked(&sacked, 3));
	ASSERT_EQ(3U, sacked);
	sacked = 0;
	ASSERT_EQ(4U, xtcp_reno_acked(&sacked, 4));
	ASSERT_EQ(0U, sacked);
	sacked = 2;
	ASSERT_EQ(8U, xtcp_reno_acked(&sacked, 10));
	ASSERT_EQ(0U, sacked);
	sacked = 3;
	ASSERT_EQ(1U, xtcp_reno_acked(&sacked, 1));
	ASSERT_EQ(3U, sacked);
}

/*
 * RFC 6937 s.5 Figure 1 (one loss in a flight of 20, ssthresh 10) for a
 * sender without SACK, where RFC 6937 s.3 takes DeliveredData as one
 * segment per duplicate ACK: the pipe computed from the duplicate ACK
 * count (sacked_out) must give the figure's PRR rows. ACKs 1-2 let out
 * one limited-transmit segment each (RFC 3042): 22 out. ACK 3 makes
 * sacked_out 3 = reordering: the head is lost, pipe 22 - 3 - 1 = 18, and
 * the fast retransmission goes. From there the figure's pipe row is
 * 18 18 17 17 ... 11 11 10 and one segment goes every other ACK, none at
 * ACK 19 (pipe 10 = ssthresh): 8 in all (R and 7 N).
 */
TEST(reno_prr_fig1)
{
	struct xtcp_prr prr;
	u32 packets_out = 22, sacked = 0, lost = 1, retrans = 0, cwnd = 20;
	u32 pipe, i, snd, total = 0;

	/* ACK 3: recovery begins with sacked_out 3 (ACKs 1-3). */
	sacked = 3;
	xtcp_prr_init(&prr, cwnd);
	for (i = 3; i <= 19; i++) {
		if (i > 3)
			sacked++;
		ASSERT_FALSE(xtcp_reno_limit_sacked(&sacked, lost, packets_out));
		pipe = packets_out - (sacked + lost) + retrans;
		cwnd = xtcp_prr_cwnd(&prr, cwnd, 10, pipe, 1, false, 0);
		snd = cwnd > pipe ? cwnd - pipe : 0;
		ASSERT_EQ(18 - (i - 3) / 2, pipe);
		ASSERT_EQ(i == 19 ? 0U : (i - 3) % 2 == 0, snd);
		xtcp_prr_sent(&prr, snd);
		if (i == 3)
			retrans = 1;
		else
			packets_out += snd;
		total += snd;
	}
	ASSERT_EQ(8U, total);
}

TEST_HARNESS_MAIN
