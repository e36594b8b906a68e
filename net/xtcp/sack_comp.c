// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: ACK compression for out-of-order data, the counting and the delay
 * of Linux 6.1's SACK compression (__tcp_ack_snd_check(),
 * tcp_event_ack_sent()).
 *
 * Pure code (see include/net/xtcp_sack_comp.h): also built by
 * selftests/host.
 */
#include <linux/types.h>
#include <linux/math64.h>
#include <net/xtcp_sack_comp.h>

/**
 * xtcp_sack_comp_hold() - may the ACK of an out-of-order segment wait
 * @c:       the connection's compressed-ACK state.
 * @rcv_nxt: RCV.NXT now (the ACK number the ACK would carry).
 * @comp_nr: net.xtcp.tcp_comp_sack_nr, the most ACKs held in a row.
 *
 * For an ACK that would go at once only because out-of-order data is
 * queued, on a connection that negotiated SACK: the tail of Linux's
 * __tcp_ack_snd_check().  With @comp_nr ACKs held already it goes.
 * Otherwise the first XTCP_SACK_COMP_DUPACKS such ACKs for one RCV.NXT
 * go at once (a new RCV.NXT starts the count again), the duplicate ACKs
 * fast retransmit needs; after them each is held, @c->held counting it.
 *
 * Context: any.
 * Return: true if the ACK is held (the caller arms its timer unless it
 * is armed already), false if it must go now.
 */
bool xtcp_sack_comp_hold(struct xtcp_sack_comp *c, u32 rcv_nxt, u8 comp_nr)
{
	if (c->held >= comp_nr)
		return false;
	if (c->rcv_nxt != rcv_nxt) {
		c->rcv_nxt = rcv_nxt;
		c->dup_acks = 0;
	}
	if (c->dup_acks < XTCP_SACK_COMP_DUPACKS) {
		c->dup_acks++;
		return false;
	}
	c->held++;
	return true;
}

/**
 * xtcp_sack_comp_delay_ns() - how long a held ACK waits
 * @rcv_rtt_us8: the receiver's RTT estimate in 1/8 us (Linux's
 *               rcv_rtt_est.rtt_us), 0 when there is none.
 * @srtt_us8:    the smoothed RTT in 1/8 us (Linux's srtt_us), 0 when
 *               there is none.
 * @max_ns:      net.xtcp.tcp_comp_sack_delay_ns.
 *
 * As __tcp_ack_snd_check(): 5% of the RTT, at most @max_ns, the RTT
 * being the receiver's estimate, or the smoothed RTT where that is set
 * and smaller.  Without a receiver estimate that makes 0: the timer
 * fires as soon as it can, as Linux's does.
 *
 * Context: any.
 * Return: nanoseconds.
 */
u64 xtcp_sack_comp_delay_ns(u32 rcv_rtt_us8, u32 srtt_us8, u64 max_ns)
{
	u64 rtt = rcv_rtt_us8, delay;

	if (srtt_us8 && srtt_us8 < rtt)
		rtt = srtt_us8;
	/* 1/8 us to ns is * 125; 5% is / 20, after, in integers as Linux. */
	delay = div_u64(rtt * 125, 20);
	return delay < max_ns ? delay : max_ns;
}

/**
 * xtcp_sack_comp_ack_sent() - an ACK left: the held ones are done
 * @c: the connection's compressed-ACK state.
 *
 * tcp_event_ack_sent(): every ACK held until now was saved by this one,
 * which the caller counts in TCPAckCompressed and, if any were held,
 * stops the timer.  The ACK the timer sends itself is not a saving: the
 * timer takes one off @c->held before it sends (tcp_compressed_ack_kick()
 * and tcp_sack_compress_send_ack()).
 *
 * Context: any.
 * Return: the ACKs held (0: none, and the timer is not armed for them).
 */
u32 xtcp_sack_comp_ack_sent(struct xtcp_sack_comp *c)
{
	u32 held = c->held;

	c->held = 0;
	return held;
}
