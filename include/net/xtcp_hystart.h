/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HyStart++ (RFC 9406): leaving the initial slow start before it
 * overshoots, from the rise of the per-round minimum RTT.
 *
 * Pure logic, as include/net/xtcp_cong.h: no socket, clock or lock; the
 * algorithm that uses it (CUBIC, net/xtcp/cong_cubic.c) keeps a struct
 * xtcp_hystart in its private state, feeds it every ACK's RTT sample and
 * sequence numbers, and asks it how much slow start may grow.  Windows in
 * segments, RTTs in microseconds.
 */
#ifndef _NET_XTCP_HYSTART_H
#define _NET_XTCP_HYSTART_H

#include <linux/types.h>
#include <net/xtcp_cong.h>

/* RFC 9406 s.4.3, the RECOMMENDED values. */
#define XTCP_HS_MIN_RTT_THRESH_US	4000U
#define XTCP_HS_MAX_RTT_THRESH_US	16000U
#define XTCP_HS_MIN_RTT_DIVISOR		8U
#define XTCP_HS_N_RTT_SAMPLE		8U
#define XTCP_HS_CSS_GROWTH_DIVISOR	4U
#define XTCP_HS_CSS_ROUNDS		5U
/* L: xtcp does not pace, so at most 8 segments of growth per ACK. */
#define XTCP_HS_L			8U
/* "infinity" for the round minima and the CSS baseline. */
#define XTCP_HS_NO_RTT			0xffffffffU

enum xtcp_hs_phase {
	XTCP_HS_SS,	/* standard slow start, watching the RTT */
	XTCP_HS_CSS,	/* Conservative Slow Start */
	XTCP_HS_DONE,	/* congestion avoidance reached: HyStart++ is over */
};

/*
 * struct xtcp_hystart - HyStart++ state of one connection.
 *
 * @window_end:        SND.NXT when the current round began; the round ends
 *                     when SND.UNA reaches it (RFC 9406 s.4.2)
 * @last_round_min_rtt: lastRoundMinRTT, us
 * @cur_round_min_rtt: currentRoundMinRTT, us
 * @css_baseline_min_rtt: cssBaselineMinRtt, us
 * @rtt_samples:       rttSampleCount of the current round (saturates)
 * @css_rounds:        rounds ended since CSS began, the one it began in
 *                     counted
 * @phase:             enum xtcp_hs_phase
 * @css_acc:           segments ACKed in CSS not yet turned into growth
 *                     (fewer than CSS_GROWTH_DIVISOR)
 * @in_round:          a round is running (@window_end is valid)
 * @held:              a congestion event held HyStart++ (xtcp_hystart_hold())
 *                     and no round has begun since
 * @resumed:           the current round is the first after a hold: CSS is
 *                     not found spurious in it
 */
struct xtcp_hystart {
	u32 window_end;
	u32 last_round_min_rtt;
	u32 cur_round_min_rtt;
	u32 css_baseline_min_rtt;
	u16 rtt_samples;
	u8 css_rounds;
	u8 phase;
	u8 css_acc;
	bool in_round;
	bool held;
	bool resumed;
};

void xtcp_hystart_init(struct xtcp_hystart *h);
void xtcp_hystart_ack(struct xtcp_hystart *h, struct xtcp_cong *ca,
		      u32 snd_una, u32 snd_nxt, s32 rtt_us);
u32 xtcp_hystart_grow(struct xtcp_hystart *h, u32 acked);
void xtcp_hystart_hold(struct xtcp_hystart *h);

/* Slow start is HyStart++'s to drive: enabled, the initial slow start
 * (ssthresh still "arbitrarily high", s.4.2), not yet over.
 */
static inline bool xtcp_hystart_active(const struct xtcp_hystart *h,
				       const struct xtcp_cong *ca)
{
	return ca->hystart && h->phase != XTCP_HS_DONE &&
	       ca->ssthresh >= XTCP_INFINITE_SSTHRESH;
}

#endif /* _NET_XTCP_HYSTART_H */
