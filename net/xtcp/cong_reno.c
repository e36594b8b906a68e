// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control: Reno (RFC 5681 s.3.1).
 *
 * Slow start doubles cwnd per RTT up to ssthresh, congestion avoidance adds
 * one segment per RTT, a congestion event halves cwnd. Fast
 * retransmit/recovery and the loss window are the caller's.
 *
 * Pure code (see include/net/xtcp_cong.h): also built by selftests/host.
 */
#include <linux/types.h>
#include <net/xtcp_cong.h>

static void xtcp_reno_init(struct xtcp_cong *ca, u32 now_ms)
{
	ca->cwnd_cnt = 0;
}

/* RFC 5681 eq. 4 with cwnd (@wnd) for FlightSize, as Linux's
 * tcp_reno_ssthresh(): ssthresh = max(cwnd / 2, 2 * SMSS), in segments.
 * RFC 5681 s.3.1 warns against cwnd; Linux takes it, cwnd growing only
 * while it limits the sender, and so does xtcp.
 */
static u32 xtcp_reno_ssthresh(struct xtcp_cong *ca, u32 wnd, u32 now_ms)
{
	u32 half = wnd / 2;

	return half > XTCP_CONG_MIN_SSTHRESH ? half : XTCP_CONG_MIN_SSTHRESH;
}

static void xtcp_reno_cong_avoid(struct xtcp_cong *ca, u32 acked,
				 bool cwnd_limited, u32 now_ms, u32 rtt_us)
{
	if (!cwnd_limited)
		return;

	acked = xtcp_cong_slow_start(ca, acked);
	if (!acked)
		return;

	/* Congestion avoidance: cwnd segments ACKed make one RTT's worth. */
	xtcp_cong_avoid_ai(ca, ca->cwnd, acked);
}

struct xtcp_cong_ops xtcp_cong_reno = {
	.name		= "reno",
	/* Always allowed until the allowed list says otherwise (Linux). */
	.flags		= XTCP_CONG_NON_RESTRICTED,
	.init		= xtcp_reno_init,
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= xtcp_reno_cong_avoid,
	.undo_cwnd	= xtcp_cong_reno_undo_cwnd,
};
