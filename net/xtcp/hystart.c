// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control: HyStart++ (RFC 9406), the slow-start exit
 * CUBIC uses (Linux 6.1 has the older HyStart instead).
 *
 * Slow start is watched round by round (a round: from sending SND.NXT
 * until it is ACKed).  Once a round has N_RTT_SAMPLE RTT samples, a
 * minimum RTT above the previous round's by RttThresh (an eighth of it,
 * within 4..16 ms) means queues are building: Conservative Slow Start
 * (CSS) follows, growing a quarter as fast.  A round of CSS whose minimum
 * RTT falls below the one that started it shows the exit was spurious:
 * back to slow start.  After CSS_ROUNDS rounds of CSS, ssthresh = cwnd
 * and congestion avoidance begins.  A loss or ECN echo ends slow start
 * through the ssthresh it sets (xtcp_hystart_hold()); an undo that finds
 * it spurious gives slow start, and HyStart++, back.  Slow start and CSS
 * grow at most L = 8 segments per ACK (s.4.2, xtcp does not pace).
 *
 * Pure code (see include/net/xtcp_hystart.h): also built by
 * selftests/host.
 */
#include <linux/kernel.h>
#include <linux/types.h>
#include <net/xtcp_hystart.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_hystart_init() - a connection's HyStart++ state, before any ACK
 * @h: the state, in the algorithm's private area
 *
 * Standard slow start, no round yet (the first ACK starts one), no RTT
 * known.
 *
 * Context: any; pure logic, the caller serialises use of @h.
 */
void xtcp_hystart_init(struct xtcp_hystart *h)
{
	*h = (struct xtcp_hystart){
		.last_round_min_rtt = XTCP_HS_NO_RTT,
		.cur_round_min_rtt = XTCP_HS_NO_RTT,
		.css_baseline_min_rtt = XTCP_HS_NO_RTT,
		.phase = XTCP_HS_SS,
	};
}

/* s.4.2: at the start of each round in slow start and CSS. */
static void xtcp_hystart_new_round(struct xtcp_hystart *h, u32 snd_nxt)
{
	h->window_end = snd_nxt;
	h->in_round = true;
	h->resumed = h->held;
	h->held = false;
	h->last_round_min_rtt = h->cur_round_min_rtt;
	h->cur_round_min_rtt = XTCP_HS_NO_RTT;
	h->rtt_samples = 0;
}

/* RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR,
 * MAX_RTT_THRESH)).
 */
static u32 xtcp_hystart_rtt_thresh(u32 last_round_min_rtt)
{
	u32 t = last_round_min_rtt / XTCP_HS_MIN_RTT_DIVISOR;

	if (t > XTCP_HS_MAX_RTT_THRESH_US)
		t = XTCP_HS_MAX_RTT_THRESH_US;
	return t < XTCP_HS_MIN_RTT_THRESH_US ? XTCP_HS_MIN_RTT_THRESH_US : t;
}

/* One RTT sample into the current round, and what the round's minimum
 * says once it has N_RTT_SAMPLE samples (s.4.2).
 */
static void xtcp_hystart_sample(struct xtcp_hystart *h, u32 rtt_us)
{
	if (rtt_us < h->cur_round_min_rtt)
		h->cur_round_min_rtt = rtt_us;
	if (h->rtt_samples < U16_MAX)
		h->rtt_samples++;
	if (h->rtt_samples < XTCP_HS_N_RTT_SAMPLE)
		return;
	if (h->phase == XTCP_HS_SS) {
		if (h->last_round_min_rtt == XTCP_HS_NO_RTT)
			return;
		if ((u64)h->cur_round_min_rtt >=
		    (u64)h->last_round_min_rtt +
		    xtcp_hystart_rtt_thresh(h->last_round_min_rtt)) {
			h->css_baseline_min_rtt = h->cur_round_min_rtt;
			h->phase = XTCP_HS_CSS;
			h->css_rounds = 0;
			h->css_acc = 0;
		}
	} else if (!h->resumed &&
		   h->cur_round_min_rtt < h->css_baseline_min_rtt) {
		/* The exit was spurious: slow start again. */
		h->css_baseline_min_rtt = XTCP_HS_NO_RTT;
		h->phase = XTCP_HS_SS;
	}
}

/**
 * xtcp_hystart_ack() - take one ACK into account
 * @h:       the connection's HyStart++ state
 * @ca:      its congestion state; ssthresh is set to cwnd when CSS ends
 * @snd_una: SND.UNA after the ACK
 * @snd_nxt: SND.NXT now
 * @rtt_us:  the ACK's RTT sample in us (the most recently sent segment it
 *           acknowledged, Linux's ack_sample.rtt_us), < 0 if none, 0
 *           taken as 1
 *
 * RFC 9406 s.4.2: the sample joins the round's minimum; with
 * N_RTT_SAMPLE samples in the round, slow start enters CSS when the
 * minimum rose by RttThresh over the last round's, and CSS goes back to
 * slow start when it fell below the minimum that began CSS.  The ACK of
 * the last segment sent before the round began (SND.UNA reaching the
 * SND.NXT its start recorded) ends it, its own sample counted in it, and
 * the next round begins; in CSS the ended round counts towards
 * CSS_ROUNDS (the one CSS began in too), and the last of them ends slow
 * start: ssthresh = cwnd.  The first ACK begins the first round.  Call
 * it only while xtcp_hystart_active().
 *
 * Context: any; pure logic, the caller serialises use of @h and @ca.
 */
void xtcp_hystart_ack(struct xtcp_hystart *h, struct xtcp_cong *ca,
		      u32 snd_una, u32 snd_nxt, s32 rtt_us)
{
	if (!h->in_round)
		xtcp_hystart_new_round(h, snd_nxt);
	/* A sample below 1 us counts as 1 (bictcp_acked()). */
	if (rtt_us >= 0)
		xtcp_hystart_sample(h, rtt_us ? rtt_us : 1);
	if (xtcp_seq_before(snd_una, h->window_end))
		return;
	/* The round ends with the ACK of its last segment. */
	if (h->phase == XTCP_HS_CSS &&
	    ++h->css_rounds >= XTCP_HS_CSS_ROUNDS) {
		ca->ssthresh = ca->cwnd;
		h->phase = XTCP_HS_DONE;
		return;
	}
	xtcp_hystart_new_round(h, snd_nxt);
}

/**
 * xtcp_hystart_grow() - what slow start adds for segments ACKed
 * @h:     the connection's HyStart++ state
 * @acked: segments newly ACKed (cumulatively or by SACK)
 *
 * s.4.2: cwnd += min(N, L * SMSS) in slow start, a CSS_GROWTH_DIVISOR-th
 * of it in CSS (the remainder kept for the next ACK), in segments.
 *
 * Context: any; pure logic, the caller serialises use of @h.
 * Return: segments to add to cwnd (the caller bounds it by cwnd_clamp).
 */
u32 xtcp_hystart_grow(struct xtcp_hystart *h, u32 acked)
{
	u32 n = acked < XTCP_HS_L ? acked : XTCP_HS_L, sum;

	if (h->phase != XTCP_HS_CSS)
		return n;
	sum = h->css_acc + n;
	h->css_acc = sum % XTCP_HS_CSS_GROWTH_DIVISOR;
	return sum / XTCP_HS_CSS_GROWTH_DIVISOR;
}

/**
 * xtcp_hystart_hold() - a congestion event in the initial slow start
 * @h: the connection's HyStart++ state
 *
 * s.4.2: a loss or ECN echo in slow start or CSS ends slow start.  The
 * caller's ssthresh hook does that: the finite ssthresh it returns makes
 * xtcp_hystart_active() false for as long as it stands.  Should the
 * caller undo the reduction as spurious (D-SACK, timestamps, F-RTO), it
 * gives back the "arbitrarily high" ssthresh, the initial slow start
 * goes on, and HyStart++ with it, in the phase it was in and from a new
 * round.  The round under way is dropped; its minimum counts as the last
 * round's only if it had N_RTT_SAMPLE samples (else the last whole
 * round's stays).  The first round after the hold does not find CSS
 * spurious: the reduction drained the queue, so its lower RTT says
 * nothing about the exit.  Linux's HyStart likewise stays armed through
 * an undone reduction: only its own exit ends it.
 *
 * Context: any; pure logic, the caller serialises use of @h.
 */
void xtcp_hystart_hold(struct xtcp_hystart *h)
{
	if (h->in_round && h->rtt_samples < XTCP_HS_N_RTT_SAMPLE)
		h->cur_round_min_rtt = h->last_round_min_rtt;
	h->in_round = false;
	h->held = true;
}
