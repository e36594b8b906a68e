/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Delivery rate estimation, as Linux's tcp_rate.c
 * (draft-cheng-iccrg-delivery-rate-estimation): every ACK that delivers
 * data (cumulatively or by SACK) gives a sample of the rate at which the
 * network delivered this connection's segments, over the longer of two
 * phases of the most recently sent segment it delivered: the "send phase"
 * (from the send of the segment whose delivery started the flight to the
 * send of this one) and the "ACK phase" (from the delivery before this
 * segment was sent to this ACK).  A sample is application-limited when
 * the sender ran out of data at some point of its flight.
 *
 * Pure logic: no socket, clock or lock; also built by selftests/host.
 * The socket glue (stamping each send, picking the segment an ACK
 * delivered, the app-limited check in sendmsg) is in include/net/xtcp.h
 * and net/xtcp/output.c, stream.c.  Times in microseconds of one
 * monotonic clock (xtcp_clock_us()), counts in segments.
 */
#ifndef _NET_XTCP_RATE_H
#define _NET_XTCP_RATE_H

#include <linux/types.h>

/**
 * struct xtcp_rate - a connection's delivery rate state (Linux keeps it in
 *                    struct tcp_sock)
 * @first_tx_us:      send time of the most recently sent segment delivered,
 *                    or when a flight began with nothing in flight
 *                    (first_tx_mstamp)
 * @delivered_us:     time of the last delivery (delivered_mstamp)
 * @app_limited:      0, or the delivered count past which samples stop
 *                    being application-limited (the "bubble" in flight
 *                    when the sender ran dry)
 * @rate_delivered:   segments of the sample kept for TCP_INFO
 * @rate_interval_us: its interval, 0: none yet
 * @rate_app_limited: whether it was application-limited
 */
struct xtcp_rate {
	u64 first_tx_us;
	u64 delivered_us;
	u32 app_limited;
	u32 rate_delivered;
	u32 rate_interval_us;
	bool rate_app_limited;
};

/**
 * struct xtcp_rate_sample - what one ACK delivered: Linux's struct
 *                           rate_sample, for RACK, TLP, F-RTO and the
 *                           congestion control's ->cong_control
 * @prior_delivered: the delivered count when the most recently sent
 *                   segment this ACK delivered was sent; 0 if none
 * @prior_sent_us:   that segment's send time, us (for picking it)
 * @prior_mstamp:    the time of the last delivery before it was sent, us
 *                   (Linux's prior_mstamp); 0: no segment delivered
 * @last_end_seq:    its end sequence number
 * @interval_us:     the sample's interval, us, the longer phase; < 0: no
 *                   valid sample (no timing, or shorter than min_rtt)
 * @snd_interval_us: the send phase, us
 * @rcv_interval_us: the ACK phase, us
 * @delivered:       segments delivered in @interval_us; < 0: no sample
 * @acked_sacked:    segments this ACK newly delivered (ACKed or SACKed)
 * @losses:          segments this ACK had marked lost
 * @is_app_limited:  the sample's flight saw the sender run out of data
 * @is_retrans:      the segment sampled was a retransmission
 * @dsack_tlp:       the ACK's D-SACK reports exactly the tail loss probe
 *                   (Linux's FLAG_DSACK_TLP)
 * @dsack:           the ACK carries a believed D-SACK (FLAG_DSACKING_ACK)
 * @orig_acked:      it newly delivered data never retransmitted that ends
 *                   at or below high_seq (FLAG_ORIG_SACK_ACKED, F-RTO's
 *                   sign of a spurious RTO)
 */
struct xtcp_rate_sample {
	u32 prior_delivered;
	u64 prior_sent_us;
	u64 prior_mstamp;
	u32 last_end_seq;
	s64 interval_us;
	u32 snd_interval_us;
	u32 rcv_interval_us;
	s32 delivered;
	u32 acked_sacked;
	u32 losses;
	bool is_app_limited;
	bool is_retrans;
	bool dsack_tlp;
	bool dsack;
	bool orig_acked;
};

/* A connection's state before any sample (tcp_init_sock(),
 * tcp_disconnect()): application-limited until the first delivery, as
 * nothing has been sent yet.
 */
static inline void xtcp_rate_init(struct xtcp_rate *r)
{
	*r = (struct xtcp_rate){
		.app_limited = ~0U,
		.rate_app_limited = true,
	};
}

void xtcp_rate_gen(struct xtcp_rate *r, struct xtcp_rate_sample *rs,
		   u32 delivered, u32 newly_delivered, u32 lost, bool reneg,
		   u64 now_us, u32 min_rtt_us);
u32 xtcp_rate_app_limited_mark(u32 unsent_bytes, u32 mss, bool host_queued,
			       u32 in_flight, u32 cwnd, u32 lost_out,
			       u32 retrans_out, u32 delivered);
u64 xtcp_rate_bytes_per_sec(const struct xtcp_rate *r, u32 mss);

#endif /* _NET_XTCP_RATE_H */
