// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: delivery rate estimation, the arithmetic of an ACK's sample
 * (include/net/xtcp_rate.h says what a sample is).
 *
 * Pure code: also built by selftests/host (test_rate.c).
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/types.h>
#include <net/xtcp_rate.h>

/**
 * xtcp_rate_gen() - the rate sample of one ACK, and the kept one
 * @r:               the connection's rate state
 * @rs:              the ACK's sample: on entry what picking the most
 *                   recently sent segment it delivered filled in
 *                   (@rs->prior_*, @rs->snd phase in @rs->interval_us,
 *                   @rs->is_app_limited); on return complete
 * @delivered:       the connection's delivered count after the ACK,
 *                   segments
 * @newly_delivered: segments the ACK delivered (ACKed or SACKed)
 * @lost:            segments the ACK had marked lost
 * @reneg:           the receiver reneged on SACKed data: no sample (the
 *                   segments SACKed before would count twice)
 * @now_us:          the ACK's time, us
 * @min_rtt_us:      the connection's minimum RTT, us (~0U: none yet)
 *
 * As Linux's tcp_rate_gen(): the app-limited mark ends once the flight
 * that was in the air when the sender ran dry is delivered; a delivery
 * moves @r->delivered_us; the sample's interval is the longer of the
 * send phase and the ACK phase, and a sample shorter than min_rtt is
 * invalid (@rs->interval_us -1: ACK compression, or a spurious
 * retransmission's early ACK).  The sample is kept for TCP_INFO when it
 * is not application-limited, or when its rate is at least the kept
 * one's (an app-limited sample says only that the path does at least
 * that).
 *
 * Context: any; pure logic, the caller serialises use of @r.
 */
void xtcp_rate_gen(struct xtcp_rate *r, struct xtcp_rate_sample *rs,
		   u32 delivered, u32 newly_delivered, u32 lost, bool reneg,
		   u64 now_us, u32 min_rtt_us)
{
	u64 snd_us, ack_us;

	if (r->app_limited && (s32)(delivered - r->app_limited) > 0)
		r->app_limited = 0;
	if (newly_delivered)
		r->delivered_us = now_us;
	rs->acked_sacked = newly_delivered;
	rs->losses = lost;
	if (!rs->prior_mstamp || reneg) {
		rs->delivered = -1;
		rs->interval_us = -1;
		return;
	}
	rs->delivered = (s32)(delivered - rs->prior_delivered);
	snd_us = rs->interval_us > 0 ? (u64)rs->interval_us : 0;
	ack_us = now_us > rs->prior_mstamp ? now_us - rs->prior_mstamp : 0;
	rs->snd_interval_us = snd_us < U32_MAX ? (u32)snd_us : U32_MAX;
	rs->rcv_interval_us = ack_us < U32_MAX ? (u32)ack_us : U32_MAX;
	rs->interval_us = rs->snd_interval_us > rs->rcv_interval_us ?
			  rs->snd_interval_us : rs->rcv_interval_us;
	if (rs->interval_us < min_rtt_us) {
		rs->interval_us = -1;
		return;
	}
	if (!rs->is_app_limited ||
	    (u64)rs->delivered * r->rate_interval_us >=
	    (u64)r->rate_delivered * (u64)rs->interval_us) {
		r->rate_delivered = rs->delivered;
		r->rate_interval_us = (u32)rs->interval_us;
		r->rate_app_limited = rs->is_app_limited;
	}
}

/**
 * xtcp_rate_app_limited_mark() - is the sender application-limited now
 * @unsent_bytes: bytes written but not yet sent (write_seq - snd_nxt)
 * @mss:          the current MSS, bytes
 * @host_queued:  segments of ours still in this host's queues (qdisc,
 *                device): sk_wmem_alloc above one empty skb's truesize
 * @in_flight:    segments in flight
 * @cwnd:         the congestion window, segments
 * @lost_out:     segments marked lost
 * @retrans_out:  of those, retransmitted
 * @delivered:    the delivered count, segments
 *
 * As Linux's tcp_rate_check_app_limited(), called when the user writes:
 * with less than a segment to send, nothing queued in the host, cwnd not
 * full and no lost segment waiting to be resent, the network is not what
 * limits the sender.
 *
 * Return: the new app-limited mark (what is delivered plus what is in
 * flight, at least 1), or 0 when not application-limited (the mark stays
 * as it was).
 *
 * Context: any; pure logic.
 */
u32 xtcp_rate_app_limited_mark(u32 unsent_bytes, u32 mss, bool host_queued,
			       u32 in_flight, u32 cwnd, u32 lost_out,
			       u32 retrans_out, u32 delivered)
{
	if (unsent_bytes < mss && !host_queued && in_flight < cwnd &&
	    lost_out <= retrans_out)
		return (delivered + in_flight) ? : 1;
	return 0;
}

/**
 * xtcp_rate_bytes_per_sec() - the kept sample's rate, TCP_INFO's
 *                             tcpi_delivery_rate
 * @r:   the connection's rate state
 * @mss: the current MSS, bytes
 *
 * Return: bytes per second (Linux's tcp_compute_delivery_rate():
 * segments times the MSS over the interval), 0 without a sample.
 *
 * Context: any; pure logic.
 */
u64 xtcp_rate_bytes_per_sec(const struct xtcp_rate *r, u32 mss)
{
	if (!r->rate_delivered || !r->rate_interval_us)
		return 0;
	return div_u64((u64)r->rate_delivered * mss * 1000000ULL,
		       r->rate_interval_us);
}
