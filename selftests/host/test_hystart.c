// SPDX-License-Identifier: GPL-2.0
/*
 * HyStart++ (RFC 9406, net/xtcp/hystart.c): the round logic alone, then
 * driven through CUBIC's hooks as the socket drives them (->pkts_acked,
 * then ->cong_avoid, per ACK).
 */
#include <string.h>

#include <linux/types.h>
#include <net/xtcp_cong.h>
#include <net/xtcp_hystart.h>

#include "kselftest_harness.h"

#define MSS	1000U

/* One round of @n ACKs with RTT @rtt_us each, the last reaching the
 * round's end (SND.NXT at its start); meanwhile @n more segments went
 * out, which the next round waits for.
 */
static void round_of(struct xtcp_hystart *h, struct xtcp_cong *ca, u32 *una,
		     u32 n, s32 rtt_us)
{
	u32 i, end = *una + n * MSS;

	for (i = 0; i < n; i++) {
		*una += MSS;
		xtcp_hystart_ack(h, ca, *una, end + n * MSS, rtt_us);
	}
}

static void setup(struct xtcp_hystart *h, struct xtcp_cong *ca, u32 *una)
{
	xtcp_cong_state_init(ca, 10, 0xffffffffU, MSS);
	ca->hystart = true;
	xtcp_hystart_init(h);
	*una = 0;
	/* The first ACK begins round 1, which ends at its SND.NXT. */
	xtcp_hystart_ack(h, ca, *una, *una + 10 * MSS, -1);
}

/*
 * RttThresh = max(4 ms, min(lastRoundMinRTT / 8, 16 ms)): a rise of the
 * round minimum by that much, with 8 samples in the round, enters CSS; a
 * rise just short of it does not.
 */
TEST(css_entered_at_rtt_thresh)
{
	s32 last[] = { 20000, 80000, 200000 };
	s32 thresh[] = { 4000, 10000, 16000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(last); i++) {
		struct xtcp_hystart h;
		struct xtcp_cong ca;
		u32 una;

		setup(&h, &ca, &una);
		round_of(&h, &ca, &una, 10, last[i]);
		round_of(&h, &ca, &una, 10, last[i] + thresh[i] - 1);
		ASSERT_EQ(XTCP_HS_SS, h.phase) TH_LOG("last %d", last[i]);
		setup(&h, &ca, &una);
		round_of(&h, &ca, &una, 10, last[i]);
		round_of(&h, &ca, &una, 10, last[i] + thresh[i]);
		ASSERT_EQ(XTCP_HS_CSS, h.phase) TH_LOG("last %d", last[i]);
		ASSERT_EQ((u32)(last[i] + thresh[i]), h.css_baseline_min_rtt);
		/* ssthresh untouched until CSS ends. */
		ASSERT_EQ(XTCP_INFINITE_SSTHRESH, ca.ssthresh);
	}
}

/* Fewer than N_RTT_SAMPLE samples in the round decide nothing; ACKs
 * without a sample count for no sample.
 */
TEST(needs_eight_samples)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una, i, end;

	setup(&h, &ca, &una);
	round_of(&h, &ca, &una, 10, 20000);
	end = una + 20 * MSS;
	for (i = 0; i < 7; i++) {
		una += MSS;
		xtcp_hystart_ack(&h, &ca, una, end, 90000);
		xtcp_hystart_ack(&h, &ca, una, end, -1);
	}
	ASSERT_EQ(XTCP_HS_SS, h.phase);
	una += MSS;
	xtcp_hystart_ack(&h, &ca, una, end, 90000);
	ASSERT_EQ(XTCP_HS_CSS, h.phase);
}

/* The first round has no last round to compare with. */
TEST(no_exit_in_the_first_round)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una, i;

	setup(&h, &ca, &una);
	for (i = 1; i <= 9; i++) {
		una += MSS;
		xtcp_hystart_ack(&h, &ca, una, 100 * MSS, 10000 * i);
	}
	ASSERT_EQ(XTCP_HS_SS, h.phase);
	ASSERT_EQ(XTCP_HS_NO_RTT, h.last_round_min_rtt);
}

/*
 * Growth: min(acked, L = 8) per ACK in slow start; a quarter of that in
 * CSS, the remainder carried to the next ACK.
 */
TEST(growth_limited_and_quartered_in_css)
{
	struct xtcp_hystart h;
	u32 sum = 0, i;

	xtcp_hystart_init(&h);
	ASSERT_EQ(1U, xtcp_hystart_grow(&h, 1));
	ASSERT_EQ(8U, xtcp_hystart_grow(&h, 8));
	ASSERT_EQ(8U, xtcp_hystart_grow(&h, 45));
	h.phase = XTCP_HS_CSS;
	for (i = 0; i < 40; i++)
		sum += xtcp_hystart_grow(&h, 1);
	ASSERT_EQ(10U, sum);
	ASSERT_EQ(2U, xtcp_hystart_grow(&h, 8));
	ASSERT_EQ(2U, xtcp_hystart_grow(&h, 100));
	ASSERT_EQ(0U, xtcp_hystart_grow(&h, 3));
	ASSERT_EQ(1U, xtcp_hystart_grow(&h, 1));
}

/* A CSS round whose minimum falls below the baseline: back to slow
 * start, the baseline forgotten.
 */
TEST(spurious_css_resumes_slow_start)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una;

	setup(&h, &ca, &una);
	round_of(&h, &ca, &una, 10, 20000);
	round_of(&h, &ca, &una, 10, 30000);
	ASSERT_EQ(XTCP_HS_CSS, h.phase);
	round_of(&h, &ca, &una, 10, 29999);
	ASSERT_EQ(XTCP_HS_SS, h.phase);
	ASSERT_EQ(XTCP_HS_NO_RTT, h.css_baseline_min_rtt);
}

/* CSS_ROUNDS rounds of CSS (the one it began in counted), then
 * ssthresh = cwnd: congestion avoidance.
 */
TEST(css_ends_after_five_rounds)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una, r;

	setup(&h, &ca, &una);
	round_of(&h, &ca, &una, 10, 20000);
	round_of(&h, &ca, &una, 10, 30000);
	ASSERT_EQ(XTCP_HS_CSS, h.phase);
	/* That round ended: one; three more keep CSS. */
	ASSERT_EQ(1U, h.css_rounds);
	for (r = 2; r < XTCP_HS_CSS_ROUNDS; r++) {
		round_of(&h, &ca, &una, 10, 30000);
		ASSERT_EQ(XTCP_HS_CSS, h.phase) TH_LOG("round %u", r);
	}
	ca.cwnd = 77;
	round_of(&h, &ca, &una, 10, 30000);
	ASSERT_EQ(XTCP_HS_DONE, h.phase);
	ASSERT_EQ(77U, ca.ssthresh);
	ASSERT_FALSE(xtcp_hystart_active(&h, &ca));
}

/* Only the initial slow start, only when enabled; a loss ends it. */
TEST(active_only_in_the_initial_slow_start)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una;

	setup(&h, &ca, &una);
	ASSERT_TRUE(xtcp_hystart_active(&h, &ca));
	ca.hystart = false;
	ASSERT_FALSE(xtcp_hystart_active(&h, &ca));
	ca.hystart = true;
	ca.ssthresh = 1000;
	ASSERT_FALSE(xtcp_hystart_active(&h, &ca));
	ca.ssthresh = XTCP_INFINITE_SSTHRESH;
	ASSERT_TRUE(xtcp_hystart_active(&h, &ca));
	h.phase = XTCP_HS_DONE;
	ASSERT_FALSE(xtcp_hystart_active(&h, &ca));
}

/* @n ACKs, ten segments in flight after each: a round is the ten ACKs
 * from the one that begins it.
 */
static void flight_of_ten(struct xtcp_hystart *h, struct xtcp_cong *ca,
			  u32 *una, u32 n, s32 rtt_us)
{
	u32 i;

	for (i = 0; i < n; i++) {
		*una += MSS;
		xtcp_hystart_ack(h, ca, *una, *una + 10 * MSS, rtt_us);
	}
}

/*
 * A hold (xtcp_hystart_hold(), a congestion event) drops the round under
 * way: with fewer than N_RTT_SAMPLE samples its minimum (52 ms here) does
 * not become the last round's, which stays 50 ms, so the first round
 * after the undo enters CSS at 50 ms + 6.25 ms; with eight samples (not
 * seven) it does, and the same round stays in slow start (52 + 6.5 ms).  In CSS, the
 * first round after a hold does not find CSS spurious on an RTT the
 * reduction lowered; the round after it does.
 */
TEST(hold_drops_a_partial_round)
{
	struct xtcp_hystart h;
	struct xtcp_cong ca;
	u32 una, n;

	for (n = 7; n <= 8; n++) {
		setup(&h, &ca, &una);
		round_of(&h, &ca, &una, 10, 50000);
		flight_of_ten(&h, &ca, &una, n, 52000);
		xtcp_hystart_hold(&h);
		flight_of_ten(&h, &ca, &una, 10, 56250);
		ASSERT_EQ(n < 8 ? 50000U : 52000U, h.last_round_min_rtt)
			TH_LOG("%u samples before the hold", n);
		ASSERT_EQ(n < 8 ? XTCP_HS_CSS : XTCP_HS_SS, h.phase)
			TH_LOG("%u samples before the hold", n);
	}

	setup(&h, &ca, &una);
	round_of(&h, &ca, &una, 10, 50000);
	flight_of_ten(&h, &ca, &una, 3, 70000);
	xtcp_hystart_hold(&h);
	flight_of_ten(&h, &ca, &una, 10, 56250);
	ASSERT_EQ(XTCP_HS_CSS, h.phase);
	ASSERT_EQ(50000U, h.last_round_min_rtt);

	/* Held in CSS: a lower RTT in the first round after is no exit. */
	xtcp_hystart_hold(&h);
	flight_of_ten(&h, &ca, &una, 10, 40000);
	ASSERT_EQ(XTCP_HS_CSS, h.phase);
	flight_of_ten(&h, &ca, &una, 10, 40000);
	ASSERT_EQ(XTCP_HS_SS, h.phase);
}

/* A spurious reduction for drive_path(): the ssthresh hook at ACK
 * @at_ack, undone @undo_after ACKs later.
 */
struct spurious {
	u32 at_ack;
	u32 undo_after;
};

/*
 * Through CUBIC, a path of 100 segments' BDP and 50 ms base RTT whose
 * queue adds 1 ms per 10 segments in flight above the BDP (RttThresh
 * 6.25 ms: 63 segments of queue), driven until slow start ends (or
 * 100000 ACKs).  Returns the cwnd at which CSS began (0: never), and in
 * @css_ack the ACK's number.  With @sp, a congestion event (the ssthresh
 * hook, cwnd cut to the new ssthresh, no growth meanwhile) is undone as
 * the socket does it (->undo_cwnd, ssthresh back to "arbitrarily high").
 */
static u32 drive_path(struct xtcp_cong *ca, const struct spurious *sp,
		      u32 *acks_out, u32 *css_ack)
{
	struct xtcp_cubic_info info;
	u32 una = 0, nxt, now = 0, acks = 0, css_cwnd = 0, prior_cwnd = 0;

	xtcp_cong_state_init(ca, 10, 0xffffffffU, MSS);
	ca->hystart = true;
	xtcp_cong_cubic.init(ca, 0);
	nxt = ca->cwnd * MSS;
	*css_ack = 0;
	while ((ca->ssthresh == XTCP_INFINITE_SSTHRESH || prior_cwnd) &&
	       acks < 100000) {
		u32 flight = (nxt - una) / MSS;
		s32 rtt = 50000 + (flight > 100 ? (flight - 100) * 100 : 0);
		struct xtcp_ack_sample s = {
			.pkts_acked = 1, .rtt_us = rtt, .now_ms = now,
		};

		if (sp && acks == sp->at_ack) {
			prior_cwnd = ca->cwnd;
			ca->ssthresh = xtcp_cong_cubic.ssthresh(ca, ca->cwnd,
								now);
			ca->cwnd = ca->ssthresh;
		} else if (prior_cwnd && acks == sp->at_ack + sp->undo_after) {
			ca->cwnd = xtcp_cong_cubic.undo_cwnd(ca, prior_cwnd);
			ca->ssthresh = XTCP_INFINITE_SSTHRESH;
			prior_cwnd = 0;
		}
		una += MSS;
		s.snd_una = una;
		s.snd_nxt = nxt;
		xtcp_cong_cubic.pkts_acked(ca, &s);
		if (!prior_cwnd)
			xtcp_cong_cubic.cong_avoid(ca, 1, true, now, rtt);
		xtcp_cubic_get_info(ca, &info);
		if (!css_cwnd && info.hs_phase == XTCP_HS_CSS) {
			css_cwnd = ca->cwnd;
			*css_ack = acks;
		}
		/* Send what cwnd allows. */
		if (nxt - una < ca->cwnd * MSS)
			nxt = una + ca->cwnd * MSS;
		now += rtt / 1000 / (flight ? flight : 1);
		acks++;
	}
	*acks_out = acks;
	return css_cwnd;
}

/* Standard slow start would double on until a loss; HyStart++ sees the
 * round minimum rise by RttThresh once a round starts with the queue
 * beyond it (cwnd 163 or more, so entering CSS before cwnd doubles from
 * there: 297 here), then CSS grows a quarter as fast (x1.25 per round)
 * for five rounds and ends slow start with ssthresh = cwnd, where
 * CUBIC's avoidance takes over.
 */
static void left_near_the_bdp(struct __test_metadata *_metadata,
			      const struct xtcp_cong *ca, u32 css_cwnd)
{
	struct xtcp_cubic_info info;

	xtcp_cubic_get_info(ca, &info);
	ASSERT_EQ(XTCP_HS_DONE, info.hs_phase);
	ASSERT_GT(css_cwnd, 100U);
	ASSERT_LE(css_cwnd, 2 * 163U);
	ASSERT_GE(ca->ssthresh, 2 * css_cwnd);
	ASSERT_LE(ca->ssthresh, 4 * css_cwnd);
	ASSERT_EQ(ca->cwnd, ca->ssthresh);
}

TEST(cubic_leaves_slow_start_near_the_bdp)
{
	struct xtcp_cubic_info info;
	struct xtcp_cong ca;
	u32 acks, css_cwnd, css_ack;

	css_cwnd = drive_path(&ca, NULL, &acks, &css_ack);
	TH_LOG("CSS from cwnd %u, ssthresh %u after %u ACKs", css_cwnd,
	       ca.ssthresh, acks);
	left_near_the_bdp(_metadata, &ca, css_cwnd);
	/* The next ACK is congestion avoidance: an epoch starts at cwnd. */
	xtcp_cong_cubic.cong_avoid(&ca, 1, true, 0, 50000);
	xtcp_cubic_get_info(&ca, &info);
	ASSERT_TRUE(info.in_epoch);
}

/* A loss in slow start ends it through the ssthresh CUBIC's hook returns;
 * HyStart++ is held (its phase kept for an undo), not over.
 */
TEST(cubic_loss_ends_slow_start)
{
	struct xtcp_cong ca;
	struct xtcp_cubic_info info;

	xtcp_cong_state_init(&ca, 10, 0xffffffffU, MSS);
	ca.hystart = true;
	xtcp_cong_cubic.init(&ca, 0);
	ca.ssthresh = xtcp_cong_cubic.ssthresh(&ca, 10, 0);
	ASSERT_LT(ca.ssthresh, XTCP_INFINITE_SSTHRESH);
	xtcp_cubic_get_info(&ca, &info);
	ASSERT_EQ(XTCP_HS_SS, info.hs_phase);
}

/*
 * A spurious reduction in the initial slow start, undone (a reordering
 * that D-SACK shows up): slow start goes on and HyStart++ still ends it.
 * A cut in slow start (ACK 30, cwnd 40) leaves it near the BDP as if
 * nothing happened.  A cut in CSS lets the queue drain while cwnd is
 * down, so the first round after the undo sees a minimum RTT below the
 * one that began CSS; that round does not count as a spurious CSS, and
 * CSS ends where it would have (measured: ssthresh 899, 894
 * undisturbed; 1757 when that round sent it back to slow start).
 * Before the fix the cut ended HyStart++ for good and the undo gave back
 * an unbounded slow start (here the 100000 ACKs ran out; in the VM cwnd
 * reached 2865 segments where native stopped at 80).
 */
TEST(cubic_undone_cut_keeps_hystart)
{
	struct spurious sp = { .at_ack = 30, .undo_after = 20 };
	u32 acks, css_cwnd, css_ack, plain_css_ack, plain_ssthresh;
	struct xtcp_cubic_info info;
	struct xtcp_cong ca;

	css_cwnd = drive_path(&ca, &sp, &acks, &css_ack);
	TH_LOG("cut in slow start: CSS from cwnd %u, ssthresh %u after %u ACKs",
	       css_cwnd, ca.ssthresh, acks);
	left_near_the_bdp(_metadata, &ca, css_cwnd);

	drive_path(&ca, NULL, &acks, &plain_css_ack);
	plain_ssthresh = ca.ssthresh;
	ASSERT_GT(plain_css_ack, 0U);
	sp.at_ack = plain_css_ack + 10;
	css_cwnd = drive_path(&ca, &sp, &acks, &css_ack);
	TH_LOG("cut in CSS at ACK %u: CSS from cwnd %u, ssthresh %u after %u ACKs",
	       sp.at_ack, css_cwnd, ca.ssthresh, acks);
	xtcp_cubic_get_info(&ca, &info);
	ASSERT_EQ(XTCP_HS_DONE, info.hs_phase);
	ASSERT_EQ(ca.cwnd, ca.ssthresh);
	ASSERT_GE(ca.ssthresh * 5, plain_ssthresh * 4);
	ASSERT_LE(ca.ssthresh * 4, plain_ssthresh * 5);
}

TEST_HARNESS_MAIN
