// SPDX-License-Identifier: GPL-2.0
/* xtcp: segment arrival, RFC 9293 s.3.10.7 ("SEGMENT ARRIVES").
 *
 * Entered with the socket locked (bh_lock_sock() from the input hook, or
 * the owner draining the backlog in release_sock()), skb->data at the TCP
 * header and XTCP_SKB_CB() filled.  The RFC's steps are kept in its
 * order: LISTEN, SYN-SENT, then for synchronized states the sequence
 * check, RST, SYN, ACK, data and FIN (but for in-order data that wakes
 * its reader before the ACK is processed, xtcp_rcv_data_first()).  Data
 * ahead of a hole is kept in an rbtree until the hole fills; received
 * data is charged to the receive buffer and to the protocol's memory
 * (net.xtcp.tcp_mem), and out-of-order data is collapsed or pruned when
 * over budget.  Replies to
 * segments that are not acceptable are rate limited as Linux does
 * (tcp_oow_rate_limited(), tcp_send_challenge_ack()), so that two ends
 * that disagree cannot ping-pong ACKs for ever.
 */
#include <linux/icmp.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_rwin.h>
#include <net/xtcp_seq.h>
#include <trace/events/xtcp.h>

/**
 * xtcp_rcv_syn_options() - what a SYN or SYN-ACK offers
 * @net: the namespace it arrived in
 * @cb:  its control block, with the options xtcp_fill_cb() (protocol.c)
 *       parsed once, by the rules of tcp_parse_options() (options.c)
 * @rx:  out: the options
 *
 * As Linux's tcp_parse_options() on a SYN, window scale and SACK-permitted
 * count only while net.xtcp.tcp_window_scaling and tcp_sack allow them;
 * the peer's shift is at most 14 (RFC 7323 s.2.3).  Timestamps are left as
 * parsed, for tstamp.c.  Context: softirq, or the socket owner.
 */
void xtcp_rcv_syn_options(const struct net *net, const struct xtcp_skb_cb *cb,
			  struct xtcp_options_received *rx)
{
	const struct xtcp_net *xn = xtcp_pernet(net);

	*rx = (struct xtcp_options_received){
		.rcv_tsval = cb->rcv_tsval,
		.rcv_tsecr = cb->rcv_tsecr,
		.mss_clamp = cb->mss_clamp,
		.snd_wscale = cb->snd_wscale,
		.saw_tstamp = cb->saw_tstamp,
		.tstamp_ok = cb->saw_tstamp,
		.sack_ok = cb->sack_ok,
		.wscale_ok = cb->wscale_ok,
	};
	if (!READ_ONCE(xn->window_scaling)) {
		rx->wscale_ok = false;
		rx->snd_wscale = 0;
	}
	if (!READ_ONCE(xn->sack))
		rx->sack_ok = false;
}

/* Linux's tcp_sequence(): acceptable unless the segment ends before the
 * left edge of the window last advertised (RCV.WUP) or starts beyond the
 * right edge.  Unlike RFC 9293's test it lets in a segment at RCV.NXT
 * when the window is zero (its ACK and a FIN count; data is dropped) and
 * old segments whose ACK may still be news.
 */
static bool xtcp_sequence_ok(const struct xtcp_sock *xsk, u32 seq, u32 end_seq)
{
	return !xtcp_seq_before(end_seq, xsk->rcv_wup) &&
	       !xtcp_seq_after(seq, xsk->rcv_nxt + xtcp_sk_receive_window(xsk));
}

/* At most one reply per tcp_invalid_ratelimit to segments that are not
 * acceptable, per connection (__tcp_oow_rate_limited()); *@last is the
 * connection's stamp.  Returns true when the reply must be skipped.
 */
static bool __xtcp_oow_rate_limited(struct net *net, u32 *last)
{
	u32 now = tcp_jiffies32, prev = READ_ONCE(*last);

	if (prev) {
		s32 elapsed = (s32)(now - prev);

		if (elapsed >= 0 &&
		    elapsed < READ_ONCE(xtcp_pernet(net)->invalid_ratelimit))
			return true;
	}
	WRITE_ONCE(*last, now ? : 1);
	return false;
}

/**
 * xtcp_oow_rate_limited() - may a reply to an unacceptable segment go?
 * @net:  the connection's namespace
 * @skb:  the segment, XTCP_SKB_CB() filled
 * @last: the connection's stamp of its last such reply (jiffies, 0: none):
 *        a socket's, a SYN queue entry's or a TIME_WAIT entry's
 *
 * Linux's tcp_oow_rate_limited(): data without SYN is always answered (a
 * sender of data is not in an ACK loop); anything else gets at most one
 * reply (duplicate ACK, challenge ACK, SYN-ACK again) per
 * net.xtcp.tcp_invalid_ratelimit per connection.
 * Context: the caller serialises use of @last (socket lock, or a racy
 * stamp as Linux tolerates for request and TIME_WAIT sockets).
 *
 * Return: true when the reply must be skipped.
 */
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   u32 *last)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->seq != cb->end_seq && !(cb->flags & TCPHDR_SYN))
		return false;
	return __xtcp_oow_rate_limited(net, last);
}

/* One slot of the namespace's tcp_challenge_ack_limit per second, spread
 * at random as Linux's tcp_challenge_ack_allowed() spreads it.
 */
static bool xtcp_challenge_ack_allowed(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int limit = READ_ONCE(xn->challenge_ack_limit);
	u32 now, count;

	if (limit == INT_MAX)
		return true;
	now = jiffies / HZ;
	if (now != READ_ONCE(xn->challenge_timestamp)) {
		u32 half = ((u32)limit + 1) >> 1;

		WRITE_ONCE(xn->challenge_timestamp, now);
		WRITE_ONCE(xn->challenge_count,
			   half + (limit > 0 ? get_random_u32_below(limit) : 0));
	}
	count = READ_ONCE(xn->challenge_count);
	if (!count)
		return false;
	WRITE_ONCE(xn->challenge_count, count - 1);
	return true;
}

/**
 * xtcp_challenge_ack_ok() - may a challenge ACK go now?
 * @net:  the connection's namespace
 * @last: the connection's stamp of its last rate-limited reply (jiffies)
 *
 * RFC 5961 s.7 throttling, per connection (tcp_invalid_ratelimit) and
 * then per namespace (tcp_challenge_ack_limit per second), as Linux's
 * tcp_send_challenge_ack() and tcp_reqsk_send_challenge_ack() do.
 * Context: the caller serialises use of @last (as xtcp_oow_rate_limited()).
 *
 * Return: true when the challenge ACK may be sent.
 */
bool xtcp_challenge_ack_ok(struct net *net, u32 *last)
{
	return !__xtcp_oow_rate_limited(net, last) &&
	       xtcp_challenge_ack_allowed(net);
}

/* RFC 5961 s.7: challenge ACKs are throttled, per socket first (the
 * out-of-window limit) and then per namespace (tcp_send_challenge_ack()).
 */
static void xtcp_send_challenge_ack(struct sock *sk)
{
	if (__xtcp_oow_rate_limited(sock_net(sk),
				    &xtcp_sk(sk)->last_oow_ack_time))
		return;
	if (xtcp_challenge_ack_allowed(sock_net(sk)))
		xtcp_send_ack(sk);
}

/* RST at RCV.NXT - 1 after the peer's FIN also resets (tcp_reset_check()):
 * the peer may not have seen our ACK of its FIN.
 */
static bool xtcp_reset_check(const struct sock *sk, const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->seq == xtcp_sk(sk)->rcv_nxt - 1 &&
	       ((1 << sk->sk_state) &
		(TCPF_CLOSE_WAIT | TCPF_LAST_ACK | TCPF_CLOSING));
}

/* RST accepted: the error the user sees depends on the state, as in
 * Linux's tcp_reset().
 */
static void xtcp_reset(struct sock *sk, const struct sk_buff *skb)
{
	trace_xtcp_receive_reset(sk, skb);
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		sk->sk_err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		sk->sk_err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		sk->sk_err = ECONNRESET;
	}
	sk_error_report(sk);
	xtcp_done(sk);
}

/* Take one skb's segments, @segs of them, off packets_out and the
 * counters of its scoreboard bits: they were cumulatively acknowledged
 * (tcp_clean_rtx_queue()).
 */
static void xtcp_acked_pcount(struct sock *sk, const struct sk_buff *skb,
			      u32 segs)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 sacked = XTCP_SKB_CB(skb)->sacked;

	xsk->packets_out -= min(segs, xsk->packets_out);
	if (sacked & XTCPCB_SACKED_ACKED) {
		xsk->sacked_out -= min(segs, xsk->sacked_out);
		/* The SACKed segments before the loss marking hint. */
		if (xsk->lost_skb_hint && skb != xsk->lost_skb_hint)
			xsk->lost_cnt_hint -= min(segs, xsk->lost_cnt_hint);
	}
	if (sacked & XTCPCB_SACKED_RETRANS)
		xsk->retrans_out -= min(segs, xsk->retrans_out);
	if (sacked & XTCPCB_LOST)
		xsk->lost_out -= min(segs, xsk->lost_out);
}

/* Without SACK, more duplicate ACKs than segments could have arrived:
 * the path reorders (or duplicates), and reordering grows to the flight
 * plus @addend (Linux's tcp_check_reno_reordering()).
 */
static void xtcp_check_reno_reordering(struct sock *sk, u32 addend)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int max_r = READ_ONCE(xtcp_sk_pernet(sk)->max_reordering);

	if (!xtcp_reno_limit_sacked(&xsk->sacked_out, xsk->lost_out,
				    xsk->packets_out))
		return;
	xsk->reordering = min_t(u32, xsk->packets_out + addend,
				max(max_r, 1));
	xsk->reord_seen++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPRENOREORDER);
}

/* Without SACK a duplicate ACK stands for a segment that left the
 * network: it counts in sacked_out and as delivered, for the pipe, PRR
 * and limited transmit (Linux's tcp_add_reno_sack(), RFC 3042, RFC 6937
 * s.3 for a sender without SACK).
 */
static void xtcp_add_reno_sack(struct sock *sk, u32 num_dupack)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 prior_sacked = xsk->sacked_out;

	if (!num_dupack)
		return;
	xsk->sacked_out += num_dupack;
	xtcp_check_reno_reordering(sk, 0);
	if (xsk->sacked_out > prior_sacked)
		xsk->delivered += xsk->sacked_out - prior_sacked;
}

/* Without SACK, a cumulative ACK took @acked segments: what it delivered
 * that no duplicate ACK had counted (Linux's tcp_remove_reno_sacks()).
 */
static void xtcp_remove_reno_sacks(struct sock *sk, u32 acked)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (acked)
		xsk->delivered += xtcp_reno_acked(&xsk->sacked_out, acked);
	xtcp_check_reno_reordering(sk, acked);
}

/* An RTT sample in us from a send time and now, xtcp_clock_us(). */
static long xtcp_rtt_us_since(u64 now, u64 sent)
{
	return (long)min_t(u64, xtcp_stamp_us_delta(now, sent), U32_MAX);
}

/* Drop what @ack covers from the retransmission queue and, after a path
 * MTU drop sent part of it back (xtcp_simple_retransmit()), from the
 * head of the send queue; trim the head of a partly
 * covered skb (tcp_clean_rtx_queue(), tcp_tso_acked()).  The walk starts
 * at the lowest skb and stops at the first not wholly covered.  Returns
 * the segments acknowledged.  The RTT samples are Linux's: *seq_rtt_us
 * from the first skb newly acknowledged that was neither retransmitted
 * nor SACKed before (that one was sampled when SACKed), *ca_rtt_us from
 * the last such, both -1 if there is none or if any skb acknowledged was
 * ever retransmitted (Karn's rule, RFC 6298 s.3).  The retransmission
 * queue's skbs not SACKed before are delivered now (RACK, the delivered
 * count, @rs), but RACK not with one ever resent whose ACK, by its TSecr
 * (@ecr, our clock, 0 for none), is for an earlier transmission
 * (xtcp_skb_spurious_retrans()), and *@reord is the lowest sequence of
 * those never resent (SND.NXT if none), for the reordering check.
 */
static u32 xtcp_clean_queues(struct sock *sk, u32 ack, u32 ecr,
			     long *seq_rtt_us, long *ca_rtt_us,
			     struct xtcp_rate_sample *rs, u32 *reord)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u64 now = xsk->tcp_mstamp, first_sent = 0, last_sent = 0;
	bool karn = false;
	u32 segs = 0;
	int i;

	*reord = xsk->snd_nxt;

	for (i = 0; i < 2; i++) {
		bool rtx = i == 0;
		struct sk_buff *skb;

		while ((skb = rtx ? xtcp_rtx_queue_head(sk) :
				    skb_peek(&sk->sk_write_queue))) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 acked = xtcp_skb_pcount(skb), start = cb->seq;
			u64 sent = xtcp_skb_sent_us(skb);

			if (!xtcp_seq_after(ack, cb->seq))
				break;
			if (xtcp_seq_after(cb->end_seq, ack)) {
				/* Partly: its head goes, at segment granularity
				 * for the count, as tcp_tso_acked().
				 */
				if (xtcp_trim_head(sk, skb, ack - cb->seq))
					break;
				acked -= min(acked, xtcp_skb_pcount(skb));
			}
			if (cb->retransmitted) {
				karn = true;
			} else if (!(cb->sacked & XTCPCB_SACKED_ACKED) &&
				   sent) {
				last_sent = sent;
				if (!first_sent)
					first_sent = last_sent;
			}
			segs += acked;
			if (rtx && !(cb->sacked & XTCPCB_SACKED_ACKED)) {
				/* tcp_clean_rtx_queue(): delivered now; without
				 * SACK, as the duplicate ACKs did not count it
				 * (xtcp_remove_reno_sacks()).
				 */
				if (xtcp_is_sack(xsk))
					xsk->delivered += acked;
				xtcp_rate_skb_delivered(xsk, rs, skb);
				/* Not for a retransmission whose original
				 * this ACK is for (its TSecr is older).
				 */
				if (xtcp_is_sack(xsk) &&
				    !xtcp_skb_spurious_retrans(cb->retransmitted,
							       ecr,
							       xtcp_us_to_ts(sent)))
					xtcp_rack_advance_skb(sk, skb);
				if (!cb->retransmitted &&
				    xtcp_seq_before(start, *reord))
					*reord = start;
				/* An original delivered (F-RTO's
				 * FLAG_ORIG_SACK_ACKED).
				 */
				if (!cb->retransmitted &&
				    !xtcp_seq_after(xtcp_seq_min(cb->end_seq,
								 ack),
						    xsk->high_seq))
					rs->orig_acked = true;
			}
			if (rtx)
				xtcp_acked_pcount(sk, skb, acked);
			if (xtcp_seq_after(cb->end_seq, ack))
				break;
			if (rtx) {
				xtcp_rtx_queue_unlink_and_free(skb, sk);
			} else {
				__skb_unlink(skb, &sk->sk_write_queue);
				xtcp_wmem_free_skb(sk, skb);
			}
		}
	}
	/* Without SACK an ACK that covers a retransmission cannot show
	 * that an original arrived (tcp_clean_rtx_queue()).
	 */
	if (karn && !xtcp_is_sack(xsk))
		rs->orig_acked = false;
	*seq_rtt_us = -1;
	*ca_rtt_us = -1;
	if (first_sent && !karn) {
		*seq_rtt_us = xtcp_rtt_us_since(now, first_sent);
		*ca_rtt_us = xtcp_rtt_us_since(now, last_sent);
	}
	return segs;
}

/* One sample @rtt_us for the estimator, @ca_rtt_us (the last segment's)
 * for the windowed minimum, as tcp_ack_update_rtt() feeds them.
 */
static void xtcp_update_rtt_ca(struct sock *sk, u32 rtt_us, u32 ca_rtt_us)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 wlen = READ_ONCE(xtcp_sk_pernet(sk)->min_rtt_wlen) * HZ;

	xtcp_rtt_min_sample(&xsk->rtt, ca_rtt_us, (u32)jiffies, wlen);
	xtcp_rtt_sample(&xsk->rtt, rtt_us, xsk->snd_una, xsk->snd_nxt);
}

/**
 * xtcp_update_rtt() - take one RTT sample
 * @sk: the socket, locked (or a new child not yet visible)
 * @rtt_us: the sample, us: from an ACK of data never retransmitted
 *	(Karn), the SYN or SYN-ACK exchange, or a TSecr
 *
 * Feeds both Linux's estimator (xtcp_rtt_sample(): SRTT, rttvar, RTO; it
 * also ends back-off) and the windowed minimum RTT over
 * net.xtcp.tcp_min_rtt_wlen seconds, as Linux's tcp_ack_update_rtt()
 * calls tcp_update_rtt_min() and tcp_rtt_estimator(); for the handshake's
 * sample (tcp_synack_rtt_meas(), the SYN's in tcp_clean_rtx_queue()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input; or softirq for a new child nobody sees yet
 * (xtcp_create_child()).
 */
void xtcp_update_rtt(struct sock *sk, u32 rtt_us)
{
	xtcp_update_rtt_ca(sk, rtt_us, rtt_us);
}

/* The RTT sample of an ACK, as Linux's tcp_ack_update_rtt(): the
 * sequence-based one (@seq_rtt_us, @ca_rtt_us from xtcp_clean_queues()),
 * else the SACK-based one (@sack, newly SACKed skbs never retransmitted),
 * else, if the ACK acknowledged new data (@acked), now minus its TSecr
 * (RFC 7323 s.4.1).  Returns the last segment's sample that went with
 * it (Linux's rate sample rtt_us), or -1 when it took none; any sample
 * also ends the back-off.
 */
static long xtcp_ack_update_rtt(struct sock *sk, const struct sk_buff *skb,
				long seq_rtt_us, long ca_rtt_us,
				const struct xtcp_sack_rtt *sack, bool acked)
{
	u64 now = xtcp_sk(sk)->tcp_mstamp;
	u32 ts;

	if (sack->first_sent_us) {
		if (seq_rtt_us < 0)
			seq_rtt_us = xtcp_rtt_us_since(now, sack->first_sent_us);
		/* The last segment (S)ACKed, for the minimum. */
		ca_rtt_us = xtcp_rtt_us_since(now, sack->last_sent_us);
	}
	if (seq_rtt_us < 0 && acked) {
		ts = xtcp_tstamp_rtt_us(sk, skb);
		if (ts) {
			seq_rtt_us = ts;
			ca_rtt_us = ts;
		}
	}
	if (seq_rtt_us < 0)
		return -1;
	xtcp_update_rtt_ca(sk, seq_rtt_us, ca_rtt_us);
	return ca_rtt_us;
}

/* The congestion control's look at an ACK that moved SND.UNA, after the
 * RTT sample (tcp_clean_rtx_queue()'s ->pkts_acked call): @segs
 * acknowledged, @rtt_us its sample or < 0.  Linux calls it for ACKs that
 * only SACK too; no hook of xtcp's needs those (HyStart++ is over once
 * anything was lost).
 */
static void xtcp_pkts_acked(struct sock *sk, u32 segs, long rtt_us)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_ack_sample s = {
		.pkts_acked = segs,
		.rtt_us = rtt_us < 0 ? -1 : (s32)min_t(long, rtt_us, S32_MAX),
		.snd_una = xsk->snd_una,
		.snd_nxt = xsk->snd_nxt,
		.now_ms = jiffies_to_msecs(jiffies),
	};

	if (xsk->cong_ops->pkts_acked)
		xsk->cong_ops->pkts_acked(&xsk->cong, &s);
}

/**
 * xtcp_any_retrans_done() - is a retransmission possibly still out
 * @sk: the socket, locked
 *
 * Linux's tcp_any_retrans_done(): one counted in flight, or a head of the
 * retransmission queue that was ever resent (a retransmission whose send
 * failed is not counted but may still be in the host).
 *
 * Context: socket locked (softirq or owner).
 * Return: true if so.
 */
bool xtcp_any_retrans_done(const struct sock *sk)
{
	const struct sk_buff *head = xtcp_rtx_queue_head(sk);

	return xtcp_sk(sk)->retrans_out ||
	       (head && (XTCP_SKB_CB(head)->sacked & XTCPCB_EVER_RETRANS));
}

/**
 * xtcp_init_undo() - a recovery (fast, or after an RTO) begins
 * @xsk: the socket, locked
 *
 * Linux's tcp_init_undo(): what is to be undone starts at SND.UNA, and
 * the retransmissions still in flight (a resent tail loss probe
 * included) must be D-SACKed before D-SACKs alone may undo it.
 *
 * Context: socket locked (softirq, owner, or the retransmission timer's
 * work).
 */
void xtcp_init_undo(struct xtcp_sock *xsk)
{
	xsk->undo_marker = xsk->snd_una;
	xsk->undo_retrans = xtcp_init_undo_retrans(xsk->retrans_out,
						   xsk->tlp_high_seq &&
						   xsk->tlp_retrans);
}

/* tcp_packet_delayed() for this ACK: its TSecr is older than the first
 * retransmission (RFC 3522), or nothing was retransmitted yet.
 */
static bool xtcp_ack_packet_delayed(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	return xtcp_packet_delayed(xsk->undo_stamp, xtcp_tstamp_ecr(sk, skb),
				   xtcp_is_sack(xsk),
				   xtcp_seq_geq(xsk->snd_una, xsk->high_seq));
}

/* tcp_may_undo() for this ACK. */
static bool xtcp_ack_may_undo(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	return xtcp_may_undo(xsk->undo_marker, xsk->undo_retrans,
			     xtcp_ack_packet_delayed(sk, skb));
}

/* Give back the reduction found spurious (tcp_undo_cwnd_reduction()):
 * cwnd from the congestion control's undo_cwnd, ssthresh back up to
 * prior_ssthresh, and with @unmark_loss (after an RTO, or the partial
 * undo) no segment taken as lost any more.  Nothing to undo afterwards;
 * RACK looks at the losses again at the next ACK.
 */
static void xtcp_undo_cwnd_reduction(struct sock *sk, bool unmark_loss)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (unmark_loss) {
		struct sk_buff *skb;

		for (skb = xtcp_rtx_queue_head(sk); skb; skb = skb_rb_next(skb))
			XTCP_SKB_CB(skb)->sacked &= ~XTCPCB_LOST;
		xsk->lost_out = 0;
		xtcp_clear_all_retrans_hints(xsk);
	}
	if (xsk->prior_ssthresh) {
		xsk->cong.cwnd = xsk->cong_ops->undo_cwnd(&xsk->cong,
							  xsk->prr.prior_cwnd);
		if (xsk->prior_ssthresh > xsk->cong.ssthresh) {
			xsk->cong.ssthresh =
				xtcp_undo_ssthresh(xsk->cong.ssthresh,
						   xsk->prior_ssthresh);
			/* tcp_ecn_withdraw_cwr() */
			xsk->ecn_flags &= ~TCP_ECN_QUEUE_CWR;
		}
	}
	xsk->snd_cwnd_stamp = tcp_jiffies32;
	xsk->undo_marker = 0;
	xsk->rack.advanced = true;
}

/* Without SACK, a recovery (fast, or after an RTO) that SND.UNA has
 * reached exactly at high_seq is held until an ACK covers data above it:
 * duplicate ACKs for what was sent after the retransmissions must not
 * start another fast retransmit (RFC 6582 s.4).  Linux's
 * tcp_is_non_sack_preventing_reopen(), which also stops the undo clock
 * if no retransmission is left.  Return: true if the state is held.
 */
static bool xtcp_non_sack_preventing_reopen(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xtcp_is_sack(xsk) || xsk->snd_una != xsk->high_seq)
		return false;
	if (!xtcp_any_retrans_done(sk))
		xsk->undo_stamp = 0;
	return true;
}

/* Recovery (fast, or after an RTO) ends, SND.UNA at high_seq
 * (tcp_try_undo_recovery()): undone if nothing was retransmitted, or
 * the timestamps show the originals arrived, or every retransmission was
 * D-SACKed; otherwise it was real and uses up one of RACK's persistent
 * widenings.  Without SACK the state may be held
 * (xtcp_non_sack_preventing_reopen()).
 *
 * Return: true if the state is held (nothing more for this ACK), false
 * if the caller leaves the recovery state.
 */
static bool xtcp_try_undo_recovery(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool undo = xtcp_ack_may_undo(sk, skb);

	if (undo) {
		xtcp_undo_cwnd_reduction(sk, false);
		XTCP_SK_INC_STATS(sk, xsk->in_loss ? XTCP_MIB_TCPLOSSUNDO :
				  XTCP_MIB_TCPFULLUNDO);
		if (xsk->in_loss)
			xsk->loss_undos++;
		else
			xsk->full_undos++;
	}
	xtcp_rack_recovery_end(&xsk->rack, undo);
	if (xtcp_non_sack_preventing_reopen(sk))
		return true;
	xsk->is_sack_reneg = 0;
	return false;
}

/* Every retransmission since undo_marker was D-SACKed (RFC 2883 s.5,
 * tcp_try_undo_dsack()): the reduction is undone, and RACK keeps its
 * reordering window a recovery longer.  The caller leaves recovery.
 */
static bool xtcp_try_undo_dsack(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xsk->undo_marker || xsk->undo_retrans)
		return false;
	xtcp_rack_dsack_undo(&xsk->rack);
	xtcp_undo_cwnd_reduction(sk, false);
	xsk->dsack_undos++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPDSACKUNDO);
	return true;
}

/* A partial ACK in fast recovery (tcp_try_undo_partial()): if its TSecr
 * shows the hole was filled by the delayed original, that is reordering;
 * with retransmissions still out the ACK only clocks out data (returns
 * true: nothing more is marked lost or resent for it), else the
 * reduction is undone and recovery ends.
 */
static bool xtcp_try_undo_partial(struct sock *sk, const struct sk_buff *skb,
				  u32 prior_snd_una)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xsk->undo_marker || !xtcp_ack_packet_delayed(sk, skb))
		return false;
	xtcp_check_sack_reordering(sk, prior_snd_una, true);
	if (xsk->retrans_out)
		return true;
	if (!xtcp_any_retrans_done(sk))
		xsk->undo_stamp = 0;
	xtcp_undo_cwnd_reduction(sk, true);
	xsk->partial_undos++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPPARTIALUNDO);
	xsk->in_recovery = 0;
	return false;
}

/* After an RTO, undo if the ACK shows the timeout spurious
 * (tcp_try_undo_loss()): by the timestamps or D-SACKs (tcp_may_undo()),
 * or with @frto_undo by F-RTO.  Loss recovery ends (without SACK: unless
 * held, or undone by the timestamps), nothing is lost any more.
 */
static bool xtcp_try_undo_loss(struct sock *sk, const struct sk_buff *skb,
			       bool frto_undo)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!frto_undo && !xtcp_ack_may_undo(sk, skb))
		return false;
	xtcp_undo_cwnd_reduction(sk, true);
	xsk->loss_undos++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPLOSSUNDO);
	if (frto_undo) {
		xsk->spurious_rtos++;
		XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPSPURIOUSRTOS);
	}
	xsk->retransmits = 0;
	/* Without SACK, loss recovery is held at high_seq, and an undo by
	 * the timestamps keeps it until high_seq is acknowledged
	 * (tcp_try_undo_loss()).
	 */
	if (xtcp_non_sack_preventing_reopen(sk))
		return true;
	if (frto_undo || xtcp_is_sack(xsk)) {
		xsk->in_loss = 0;
		xsk->is_sack_reneg = 0;
	}
	return true;
}

/* Linux's num_dupack: the duplicate ACKs @skb stands for if @dup (it is
 * one: no data or FIN, no window update, SND.UNA unmoved), each of those
 * the backlog coalesced into it counted (tcp_ack(): max(1, gso_segs)
 * for an ACK without data); 0 otherwise.
 */
static u32 xtcp_num_dupack(const struct sk_buff *skb, bool dup)
{
	return dup ? max_t(u16, skb_shinfo(skb)->gso_segs, 1) : 0;
}

/**
 * xtcp_process_loss() - an ACK after an RTO, before loss recovery
 * @sk:           the socket, locked; in loss recovery (in_loss)
 * @skb:          the ACK
 * @rs:           what it delivered (orig_acked)
 * @una_advanced: it moved SND.UNA
 * @data_sacked:  it newly SACKed data
 * @num_dupack:   the duplicate ACKs it stands for (no data, no window
 *                update, SND.UNA unmoved, no D-SACK; xtcp_num_dupack())
 *
 * Linux's tcp_process_loss() with F-RTO (RFC 5682 s.3.1, the SACK
 * variant, which Linux runs without SACK too): an ACK that moves
 * SND.UNA may show the RTO spurious by the timestamps or D-SACKs; with
 * F-RTO on, so does one that (S)ACKs data
 * never resent (step 3b).  The first ACK after the RTO that moves SND.UNA
 * with nothing sent since lets new data go instead of resending (step
 * 2b); a duplicate ACK or a SACK after that new data means the loss was
 * real (step 3a).  Once SND.UNA reaches high_seq the recovery ends, undone
 * if it may be (tcp_try_undo_recovery()); without SACK a timestamp undo
 * keeps the state until then, any undo holds it while SND.UNA is exactly
 * high_seq (xtcp_non_sack_preventing_reopen()), and duplicate ACKs count
 * as SACKed segments (xtcp_add_reno_sack()).
 *
 * Return: true if new data is to be sent rather than the lost segments
 * (Linux's REXMIT_NEW): the caller does it once cwnd has grown for this
 * ACK.
 */
static bool xtcp_process_loss(struct sock *sk, const struct sk_buff *skb,
			      const struct xtcp_rate_sample *rs,
			      bool una_advanced, bool data_sacked, u32 num_dupack)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool recovered = xtcp_seq_geq(xsk->snd_una, xsk->high_seq);

	if (una_advanced && xtcp_try_undo_loss(sk, skb, false))
		return false;
	if (xsk->frto) {
		if (rs->orig_acked && xtcp_try_undo_loss(sk, skb, true))
			return false;
		if (xtcp_seq_after(xsk->snd_nxt, xsk->high_seq)) {
			if (data_sacked || num_dupack)
				xsk->frto = 0;
		} else if (una_advanced && !recovered) {
			xsk->high_seq = xsk->snd_nxt;
			if (!skb_queue_empty(&sk->sk_write_queue) &&
			    xtcp_seq_after(xtcp_wnd_end(xsk),
					   xsk->snd_nxt))
				return true;
			xsk->frto = 0;
		}
	}
	if (recovered) {
		if (!xtcp_try_undo_recovery(sk, skb))
			xsk->in_loss = 0;
		return false;
	}
	/* Without SACK a duplicate ACK after F-RTO's new data means a
	 * segment left the network; the ACKs that move SND.UNA count anew.
	 */
	if (!xtcp_is_sack(xsk)) {
		if (xtcp_seq_after(xsk->snd_nxt, xsk->high_seq) && num_dupack)
			xtcp_add_reno_sack(sk, num_dupack);
		else if (una_advanced)
			xsk->sacked_out = 0;
	}
	return false;
}

/**
 * xtcp_init_cwnd_reduction() - a cwnd reduction begins (Recovery or CWR)
 * @sk: the socket, locked
 *
 * Linux's tcp_init_cwnd_reduction(): "recover" (high_seq) at SND.NXT, no
 * tail loss probe outstanding any more, the additive-increase count
 * restarted, ssthresh from the congestion control's hook given cwnd (as
 * Linux's hooks read snd_cwnd, where RFC 5681 eq. 4 names FlightSize:
 * cwnd grows only while it limits the sender, xtcp_is_cwnd_limited()),
 * and PRR (RFC 6937
 * s.3) started from the cwnd of now, which Linux uses as RecoverFS
 * (prior_cwnd); cwnd itself is left as it is, for xtcp_cwnd_reduction()
 * to bring down on the ACKs that follow.  An ECN peer is told on the
 * next new data segment (CWR).  The caller sets the state (in_recovery,
 * XTCP_ECN_IN_CWR).
 *
 * Context: socket locked (softirq or owner).
 */
void xtcp_init_cwnd_reduction(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->high_seq = xsk->snd_nxt;
	xsk->tlp_high_seq = 0;
	xsk->cong.cwnd_cnt = 0;
	/* Linux keeps one prior_cwnd for PRR and undo (prr.prior_cwnd
	 * here): the undo of an earlier recovery after this reduction
	 * gives back this cwnd.
	 */
	xtcp_prr_init(&xsk->prr, xsk->cong.cwnd);
	xsk->cong.ssthresh = xsk->cong_ops->ssthresh(&xsk->cong, xsk->cong.cwnd,
						     jiffies_to_msecs(jiffies));
	xtcp_ecn_queue_cwr(sk);
}

/**
 * xtcp_cwnd_reduction() - cwnd on an ACK during a cwnd reduction
 * @sk:                 the socket, locked; in Recovery or CWR
 *                      (xtcp_in_cwnd_reduction())
 * @newly_acked_sacked: segments this ACK delivered, cumulatively, by SACK
 *                      or D-SACK (the growth of xtcp_sock.delivered)
 * @newly_lost:         segments this ACK had marked lost (the growth of
 *                      xtcp_sock.lost)
 * @snd_una_advanced:   this ACK moved SND.UNA (FLAG_SND_UNA_ADVANCED)
 *
 * Linux's tcp_cwnd_reduction(), called where tcp_cong_control() calls
 * it: after the scoreboard and the state machine have seen the ACK, in
 * place of congestion avoidance, and before what is lost is resent.
 * cwnd becomes the pipe plus what PRR lets go now (xtcp_prr_cwnd());
 * the slow-start bound (PRR-SSRB) applies on ACKs that moved SND.UNA and
 * marked nothing lost.  An ACK that delivered nothing changes nothing.
 * Every segment sent while the reduction lasts is counted in prr_out
 * (output.c).
 *
 * Context: socket locked (softirq or owner).
 */
void xtcp_cwnd_reduction(struct sock *sk, u32 newly_acked_sacked,
			 u32 newly_lost, bool snd_una_advanced)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	/* A reduction always starts PRR (xtcp_init_cwnd_reduction()) from
	 * a cwnd of at least one; Linux warns if not (tcp_cwnd_reduction()),
	 * and xtcp_prr_cwnd() then leaves cwnd alone.
	 */
	WARN_ON_ONCE(newly_acked_sacked && !xsk->prr.prior_cwnd);
	xsk->cong.cwnd = xtcp_prr_cwnd(&xsk->prr, xsk->cong.cwnd,
				       xsk->cong.ssthresh,
				       xtcp_packets_in_flight(xsk),
				       newly_acked_sacked, snd_una_advanced,
				       newly_lost);
}

/**
 * xtcp_end_cwnd_reduction() - a cwnd reduction is over
 * @sk: the socket, locked; leaving Recovery or CWR
 *
 * Linux's tcp_end_cwnd_reduction(): cwnd ends at ssthresh, whatever PRR
 * had made of it, unless ssthresh was never set, or the reduction was a
 * fast recovery that was undone (undo_marker cleared: cwnd is what the
 * undo gave back).  CWR and a tail loss probe's reduction, which cannot
 * be undone, always end at ssthresh.  Then the congestion control hears
 * XTCP_CA_EVENT_COMPLETE_CWR.  A congestion control with its own
 * ->cong_control keeps its cwnd and hears nothing, as in Linux.  The
 * caller changes the state after.
 *
 * Context: socket locked (softirq or owner).
 */
void xtcp_end_cwnd_reduction(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->cong_ops->cong_control)
		return;
	if (xsk->cong.ssthresh < XTCP_INFINITE_SSTHRESH &&
	    (!xsk->in_recovery || xsk->undo_marker)) {
		xsk->cong.cwnd = xsk->cong.ssthresh;
		xsk->snd_cwnd_stamp = tcp_jiffies32;
	}
	xtcp_ca_event(sk, XTCP_CA_EVENT_COMPLETE_CWR, 0);
}

/* Fast recovery begins (Linux's tcp_enter_recovery()): a cwnd reduction,
 * unless in CWR, where one is under way for this window already and
 * recovery carries it on, high_seq included.  PRR brings cwnd down on
 * the ACKs that follow, with or without SACK (without it, each duplicate
 * ACK counts as one segment delivered, xtcp_add_reno_sack()).  ssthresh
 * comes from cwnd (xtcp_init_cwnd_reduction()), also from loss recovery
 * (RACK's reorder timer, a lost retransmission), when cwnd has restarted
 * from the loss window.  On an ACK with ECE (@ece) nothing of the
 * reduction may be undone (prior_ssthresh stays 0).
 */
static void xtcp_enter_recovery(struct sock *sk, bool cwr, bool ece)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	/* The undo clock starts with this recovery's first retransmission
	 * (tcp_retrans_stamp_cleanup()); cwnd and ssthresh are kept to be
	 * given back, but not after ECN (tcp_enter_recovery()).
	 */
	if (!xtcp_any_retrans_done(sk))
		xsk->undo_stamp = 0;
	xsk->prior_ssthresh = 0;
	xtcp_init_undo(xsk);
	if (!cwr) {
		if (!ece)
			xsk->prior_ssthresh =
				xtcp_current_ssthresh(xsk->cong.ssthresh,
						      xsk->cong.cwnd, false);
		xtcp_init_cwnd_reduction(sk);
	}
	xsk->ecn_flags &= ~XTCP_ECN_IN_CWR;
	XTCP_SK_INC_STATS(sk, xtcp_is_sack(xsk) ? XTCP_MIB_TCPSACKRECOVERY :
			  XTCP_MIB_TCPRENORECOVERY);
	xsk->in_recovery = 1;
	xsk->in_loss = 0;
}

/* Loss recovery with SACK, after the ACK's blocks are on the scoreboard:
 * Linux's tcp_fastretrans_alert() without undo.  With RACK
 * (net.xtcp.tcp_recovery bit 0x1, the default) every ACK first runs
 * RACK's loss detection (tcp_identify_packet_loss()), and recovery
 * begins once a segment is lost (tcp_time_to_recover()); without it,
 * also once reordering segments are SACKed, and holes with that many
 * SACKed segments above them are marked lost (xtcp_update_scoreboard()).
 * As without SACK, recovery lasts until "recover" is acknowledged, and
 * outside it and outside loss recovery nothing holds the next one off,
 * as in Linux's Open, Disorder and CWR states (an undo or a tail loss
 * probe's reduction in mid-window leaves a loss found next free to
 * start one at once).  After a timeout, until
 * "recover" is acknowledged, what the timeout (or RACK) marked lost is
 * resent (tcp_process_loss()), unless F-RTO sends new data instead
 * (Linux's REXMIT_NEW); a retransmission RACK finds lost then starts
 * fast recovery (Linux's FLAG_LOST_RETRANS).  @ece: the ACK echoed
 * congestion.
 * Undo (D-SACK, timestamps) and F-RTO have decided before (xtcp_ack()).
 * The caller then lets PRR set cwnd (xtcp_cwnd_reduction(), as
 * tcp_cong_control() does after tcp_fastretrans_alert()) and resends
 * what is lost, in order, as the pipe allows
 * (xtcp_xmit_retransmit_queue(), tcp_xmit_recovery()).
 *
 * Return: true if RACK armed the reorder timer (the RTO is not re-armed
 * then, as Linux clears FLAG_SET_XMIT_TIMER).
 */
static bool xtcp_sack_recovery(struct sock *sk, bool cwr, bool ece)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool rack = xtcp_is_rack(sk), reo = false;
	u32 prior_retrans = xsk->retrans_out;
	bool lost_retrans;

	if (rack && !xtcp_rtx_queue_empty(sk))
		reo = xtcp_rack_mark_lost(sk);
	lost_retrans = xsk->retrans_out < prior_retrans;
	if (xsk->in_recovery) {
		if (!rack)
			xtcp_update_scoreboard(sk, false);
	} else if ((!xsk->in_loss || lost_retrans) &&
		   (xsk->lost_out ||
		    (!rack && xsk->sacked_out >= xsk->reordering))) {
		xtcp_enter_recovery(sk, cwr, ece);
		if (!rack)
			xtcp_update_scoreboard(sk, true);
	}
	return reo;
}

/* An ACK without SACK in fast recovery or after an RTO: Linux's
 * tcp_fastretrans_alert() for a NewReno sender (RFC 6582), up to loss
 * marking.  Recovery ends once "recover" (high_seq) is acknowledged,
 * undone if it was spurious (held while SND.UNA is exactly high_seq); a
 * duplicate ACK counts as a segment delivered (xtcp_add_reno_sack()); a
 * partial ACK may show the hole filled by the delayed original
 * (tcp_try_undo_partial()); after an RTO, F-RTO and undo decide
 * (xtcp_process_loss()).  Outside these states, an ACK that moves SND.UNA
 * starts the duplicate ACK count again and a duplicate ACK adds to it.
 *
 * Return: true if nothing more is to be done for this ACK (no loss
 * marking, no retransmission): fast recovery is held, or the partial ACK
 * showed reordering with retransmissions still out; false otherwise,
 * also while loss recovery lasts (held or not: xtcp_reno_recovery()
 * marks nothing then, and the undo that holds it unmarked every loss).
 * *@frto_new as xtcp_process_loss() returns it.
 */
static bool xtcp_reno_state(struct sock *sk, const struct sk_buff *skb,
			    const struct xtcp_rate_sample *rs,
			    u32 prior_snd_una, bool una_advanced,
			    u32 num_dupack, bool *frto_new)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->in_recovery && xtcp_seq_geq(xsk->snd_una, xsk->high_seq)) {
		xsk->sacked_out = 0;
		if (xtcp_try_undo_recovery(sk, skb))
			return true;
		xtcp_end_cwnd_reduction(sk);
		xsk->in_recovery = 0;
	}
	if (xsk->in_recovery) {
		if (!una_advanced)
			xtcp_add_reno_sack(sk, num_dupack);
		else if (xtcp_try_undo_partial(sk, skb, prior_snd_una))
			return true;
		if (xsk->in_recovery && xtcp_try_undo_dsack(sk))
			xsk->in_recovery = 0;
		return false;
	}
	if (xsk->in_loss) {
		*frto_new = xtcp_process_loss(sk, skb, rs, una_advanced, false,
					      num_dupack);
		if (xsk->in_loss)
			return false;
	}
	if (una_advanced)
		xsk->sacked_out = 0;
	xtcp_add_reno_sack(sk, num_dupack);
	return false;
}

/* Loss marking and the start of fast recovery without SACK, after
 * xtcp_reno_state() and ECN: Linux's tcp_newreno_mark_lost() and
 * tcp_time_to_recover().  The head is lost once reordering duplicate
 * ACKs arrived (RFC 5681 s.3.2, the third with the default reordering of
 * 3; fewer ACKs meanwhile let new data go, RFC 3042, as sacked_out leaves
 * the pipe), or, in fast recovery, at every partial ACK (RFC 6582 s.3.2
 * step 5: the next hole); it is cut to one segment.  Recovery begins
 * once something is lost; it lasts until RFC 6582's "recover" (high_seq)
 * is acknowledged, held while SND.UNA is exactly there
 * (xtcp_non_sack_preventing_reopen()); nothing holds the next one off
 * outside it, as in Linux (tcp_fastretrans_alert()).  The caller lets
 * PRR set cwnd and resends what is lost (xtcp_xmit_retransmit_queue()),
 * which counts in retrans_out and prr_out.  @ece: the ACK echoed congestion.
 */
static void xtcp_reno_recovery(struct sock *sk, bool una_advanced, bool cwr,
			       bool ece)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *head = xtcp_rtx_queue_head(sk);

	if (xsk->in_loss || !head)
		return;
	if (!(XTCP_SKB_CB(head)->sacked & XTCPCB_LOST) &&
	    ((!xsk->in_recovery && xsk->sacked_out >= xsk->reordering) ||
	     (xsk->in_recovery && una_advanced))) {
		u32 mss = xtcp_skb_mss(head);

		/* Its first segment, at the size it was sent with
		 * (tcp_newreno_mark_lost()); unsplit, if no memory: the
		 * resend cuts it to the window.
		 */
		if (xtcp_skb_pcount(head) > 1 && head->len > mss)
			xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, head, mss,
				      mss);
		xtcp_mark_skb_lost(sk, head);
	}
	if (!xsk->in_recovery && xsk->lost_out)
		xtcp_enter_recovery(sk, cwr, ece);
}

/**
 * xtcp_rack_reo_timeout() - the RACK reorder timer fired
 * @sk: the socket, spinlock held, not owned by a user
 *
 * Linux's tcp_rack_reo_timeout() (RFC 8985 s.6.3): the segments that
 * waited out the reordering window are marked lost; if any was, fast
 * recovery begins unless already in it (also in loss recovery after an
 * RTO, as Linux does), PRR takes its first step as for an ACK that
 * delivered one segment, and they are resent.
 * Then the RTO is armed for the rest of the oldest segment's timeout
 * (xtcp_rearm_rtx() while the timer is still of the reorder kind),
 * unless something armed it meanwhile.
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 */
void xtcp_rack_reo_timeout(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 lost = xsk->lost;

	if (xtcp_rack_detect_loss_timeout(sk)) {
		if (!xsk->in_recovery) {
			xtcp_enter_recovery(sk, xsk->ecn_flags &
						XTCP_ECN_IN_CWR, false);
			if (!xsk->cong_ops->cong_control)
				xtcp_cwnd_reduction(sk, 1, xsk->lost - lost,
						    false);
		}
		xtcp_xmit_retransmit_queue(sk);
	}
	xtcp_ca_state_sync(sk);
	if (xsk->rtx_timer_kind != XTCP_RTX_RETRANS)
		xtcp_rearm_rtx(sk);
}

/* After an ACK's deliveries: RACK's reordering window adapts to the
 * D-SACKs seen (tcp_rack_update_reo_wnd(), called from tcp_ack()).
 */
static void xtcp_rack_update(struct sock *sk, const struct xtcp_rate_sample *rs)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xtcp_rack_update_reo_wnd(&xsk->rack,
				 READ_ONCE(xtcp_sk_pernet(sk)->recovery),
				 rs->prior_delivered, xsk->delivered);
}

/* An ACK that SACKs but does not move SND.UNA: the SACK sample, if any
 * (tcp_clean_rtx_queue() runs for it too), in *@rtt_us (-1: none; the
 * congestion control's RTT sample of the ACK).  Return: whether the timer
 * is to restart (FLAG_SET_XMIT_TIMER): when the head was sent again
 * after the SACKed data was sent, so that the RTO counts from the head's
 * last transmission rather than from before it.
 */
static bool xtcp_sack_rtt(struct sock *sk, const struct sk_buff *skb,
			  const struct xtcp_sack_rtt *sack, long *rtt_us)
{
	struct sk_buff *head = xtcp_rtx_queue_head(sk);

	*rtt_us = -1;
	if (!head)
		return false;
	*rtt_us = xtcp_ack_update_rtt(sk, skb, -1, -1, sack, false);
	if (*rtt_us < 0)
		return false;
	return sack->first_sent_us < xtcp_skb_sent_us(head);
}

/* After an ACK that asks for it: the tail loss probe if one may be
 * scheduled now, else the RTO (tcp_set_xmit_timer()).
 */
static void xtcp_set_xmit_timer(struct sock *sk)
{
	if (!xtcp_schedule_loss_probe(sk, true))
		xtcp_rearm_rtx(sk);
}

/**
 * xtcp_process_tlp_ack() - what an ACK says about the tail loss probe
 * @sk:          the socket, locked; a probe is outstanding (tlp_high_seq)
 * @ack:         the ACK's cumulative acknowledgment number
 * @dsack_tlp:   its D-SACK reports exactly the probe (FLAG_DSACK_TLP)
 * @pure_dupack: it neither moved SND.UNA, nor carried data or a window
 *               update, nor SACKed new data
 *
 * RFC 8985 s.7.4 as Linux's tcp_process_tlp_ack(), the verdict from
 * xtcp_tlp_ack().  A probe that repaired a loss (the ACK covers more than
 * was sent when the probe went, with no sign that the original arrived
 * too) costs one congestion window reduction, begun and ended at once as
 * Linux does it (tcp_init_cwnd_reduction(), the CWR state,
 * tcp_end_cwnd_reduction(), tcp_try_keep_open()): ssthresh from the
 * congestion control given cwnd (0.7 cwnd for CUBIC, 0.5 for Reno,
 * however little was sent after the probe), cwnd down to it with no PRR
 * steps in between, CWR signalled to an ECN peer, and the connection back
 * in the open state ("recover" at SND.NXT, as tcp_init_cwnd_reduction()
 * leaves it, but not read there): the next loss starts a recovery at
 * once.
 */
static void xtcp_process_tlp_ack(struct sock *sk, u32 ack, bool dsack_tlp,
				 bool pure_dupack)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	switch (xtcp_tlp_ack(ack, xsk->tlp_high_seq, xsk->tlp_retrans,
			     dsack_tlp, pure_dupack)) {
	case XTCP_TLP_PENDING:
		return;
	case XTCP_TLP_NO_LOSS:
		xsk->tlp_high_seq = 0;
		return;
	case XTCP_TLP_LOSS:
		break;
	}
	xtcp_init_cwnd_reduction(sk);
	xtcp_end_cwnd_reduction(sk);
	xsk->in_recovery = 0;
	xsk->ecn_flags &= ~XTCP_ECN_IN_CWR;
	xsk->loss_probe_recoveries++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPLOSSPROBERECOVERY);
}

/* The undo and F-RTO part of tcp_fastretrans_alert() for an ACK with SACK
 * that does not move SND.UNA (a duplicate, or an old ACK below it):
 * D-SACKs may show every retransmission spurious; after an RTO, F-RTO
 * reads the ACK (@data_sacked: it newly SACKed data; @num_dupack: Linux's
 * num_dupack, never on an old ACK).
 */
static void xtcp_sack_undo_unmoved(struct sock *sk, const struct sk_buff *skb,
				   const struct xtcp_rate_sample *rs,
				   bool data_sacked, u32 num_dupack)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->in_recovery) {
		if (xtcp_try_undo_dsack(sk))
			xsk->in_recovery = 0;
	} else if (xsk->in_loss) {
		xtcp_process_loss(sk, skb, rs, false, data_sacked, num_dupack);
	} else if (rs->dsack) {
		xtcp_try_undo_dsack(sk);
	}
}

/* cwnd after an ACK, as Linux's tcp_cong_control(), after the ACK's
 * delivery-rate sample @rs is complete (tcp_rate_gen(), @prior_in_flight
 * segments were in flight before the ACK, @rtt_us its RTT sample or < 0;
 * no sample while @reneg, the receiver having reneged on SACKed data).
 * A congestion control with its own ->cong_control sets cwnd from the
 * sample itself.  Otherwise: during a cwnd reduction
 * PRR sets it from what the ACK delivered (@delivered segments,
 * cumulatively, by SACK or D-SACK, or without SACK by a duplicate ACK)
 * and newly marked lost (@lost segments); else the congestion control
 * grows it by what the ACK delivered (Linux's acked_sacked: segments
 * SACKed earlier were counted then, not again when the cumulative ACK
 * passes them, as on the ACK that ends a recovery) when
 * tcp_may_raise_cwnd() allows: the ACK cumulatively acknowledged data
 * (@acked segments left the queue, FLAG_DATA_ACKED), or, once the
 * reordering degree is above net.xtcp.tcp_reordering, it made any
 * forward progress (newly SACKed data too, @sacked: FLAG_DATA_SACKED).
 * Whether cwnd limited the sender is what the sends recorded
 * (xtcp_is_cwnd_limited(), cwnd.c).
 */
static void xtcp_cong_control(struct sock *sk, u32 acked, bool sacked,
			      u32 delivered, u32 lost, bool snd_una_advanced,
			      struct xtcp_rate_sample *rs, u32 prior_in_flight,
			      long rtt_us, bool reneg)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool raise = acked;

	xtcp_rate_gen(&xsk->rate, rs, xsk->delivered, delivered, lost, reneg,
		      xsk->tcp_mstamp, xtcp_min_rtt(xsk));
	if (xsk->cong_ops->cong_control) {
		struct xtcp_cong_conn conn = {
			.now_us = xsk->tcp_mstamp,
			.delivered = xsk->delivered,
			.in_flight = xtcp_packets_in_flight(xsk),
			.prior_in_flight = prior_in_flight,
			.min_rtt_us = xtcp_min_rtt(xsk),
			.srtt_us = xtcp_rtt_srtt_us(&xsk->rtt),
			.rtt_us = rtt_us < 0 ? -1 :
				  (s32)min_t(long, rtt_us, S32_MAX),
			.ca_state = xtcp_ca_state(sk),
		};

		xsk->cong_ops->cong_control(&xsk->cong, rs, &conn);
		xsk->cong.cwnd = clamp(xsk->cong.cwnd, 1U, xsk->cong.cwnd_clamp);
		xsk->snd_cwnd_stamp = tcp_jiffies32;
		return;
	}

	if (xsk->reordering >
	    (u32)READ_ONCE(xtcp_sk_pernet(sk)->reordering))
		raise = acked || sacked;
	if (xtcp_in_cwnd_reduction(xsk)) {
		xtcp_cwnd_reduction(sk, delivered, lost, snd_una_advanced);
	} else if (raise && delivered) {
		xsk->cong_ops->cong_avoid(&xsk->cong, delivered,
					  xtcp_is_cwnd_limited(xsk),
					  jiffies_to_msecs(jiffies),
					  xtcp_rtt_srtt_us(&xsk->rtt));
		xsk->snd_cwnd_stamp = tcp_jiffies32;	/* tcp_cong_avoid() */
	}
}

/* The window a segment advertises, bytes: scaled unless on a SYN (RFC
 * 7323 s.2.2, tcp_ack_update_window()).
 */
static u32 xtcp_ack_nwin(const struct xtcp_sock *xsk,
			 const struct xtcp_skb_cb *cb)
{
	return (u32)cb->window << (cb->flags & TCPHDR_SYN ? 0 : xsk->snd_wscale);
}

/* What xtcp_ack() made of a segment's ACK field. */
enum xtcp_ack_verdict {
	XTCP_ACK_UNSENT = -2,	/* acknowledges data never sent */
	XTCP_ACK_TOO_OLD = -1,	/* below SND.UNA by more than was ever sent */
	XTCP_ACK_OLD = 0,	/* below SND.UNA: nothing new */
	XTCP_ACK_OK = 1,
};

/* The window opened for the first segment of the send queue's head (the
 * test xtcp_write_xmit() sends by): stop probing, the caller's
 * xtcp_write_xmit() sends it; else probe again one back-off interval from
 * now (tcp_ack_probe()).
 */
static void xtcp_ack_probe(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);

	if (!head || !xtcp_rtx_queue_empty(sk))
		return;
	if (xtcp_snd_wnd_test(xsk, head, xsk->mss)) {
		xsk->probe_backoff = 0;
		xsk->probes_tstamp = 0;
		if (xsk->rtx_timer_kind == XTCP_RTX_PROBE)
			xtcp_stop_rtx(sk);
	} else if (xsk->rtx_timer_kind == XTCP_RTX_PROBE) {
		xtcp_arm_probe(sk);
	}
}

/* The congestion control's look at an acceptable ACK once what it
 * acknowledged left the queues (tcp_in_ack_event()): @win_update, it
 * updated the send window; @ece, it echoes congestion.  Every ACK takes
 * xtcp's one path, Linux's slow path.
 */
static void xtcp_in_ack_event(struct sock *sk, bool win_update, bool ece)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 flags = XTCP_CA_ACK_SLOWPATH;

	if (!xsk->cong_ops->in_ack_event)
		return;
	if (win_update)
		flags |= XTCP_CA_ACK_WIN_UPDATE;
	if (ece)
		flags |= XTCP_CA_ACK_ECE;
	xsk->cong_ops->in_ack_event(&xsk->cong, flags);
}

/* ACK field processing (RFC 9293 s.3.10.7.4 fifth, RFC 5681, RFC 6298),
 * as Linux's tcp_ack().  An ACK below SND.UNA by more than the peer could
 * have seen acknowledged (the largest window it advertised, at most the
 * bytes acknowledged so far) is a blind injection (RFC 5961 s.5.2); one
 * beyond SND.NXT acknowledges data never sent: both are unacceptable.
 * Any acceptable ACK shows the peer alive and answers zero-window probes
 * (RFC 1122 s.4.2.2.17).
 */
static enum xtcp_ack_verdict xtcp_ack(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ack = cb->ack_seq, segs, reord;
	struct xtcp_sack_rtt sack_rtt = {};
	bool win_update, cwr, reo, hold, ece;
	bool frto_new = false, rs_sacked;
	u32 prior_delivered = xsk->delivered, prior_lost = xsk->lost;
	long seq_rtt_us, ca_rtt_us;
	u32 prior_snd_una = xsk->snd_una;
	u32 prior_in_flight = xtcp_packets_in_flight(xsk);
	u32 prior_packets = xsk->packets_out;
	bool reneg = xsk->is_sack_reneg;
	struct xtcp_rate_sample rs = {};
	u32 prior_fack;

	if (xtcp_seq_before(ack, xsk->snd_una)) {
		u32 max_window = min_t(u64, xsk->max_window, xsk->bytes_acked);

		if (xtcp_seq_before(ack, xsk->snd_una - max_window))
			return XTCP_ACK_TOO_OLD;
		/* An old ACK can carry new data: its TSval is echoed from
		 * now on (tcp_ack()'s old_ack, before SACK processing can
		 * send a retransmission).
		 */
		xtcp_tstamp_replace_recent(sk, skb);
		/* An ACK overtaken by a newer one may still SACK something,
		 * D-SACK a retransmission (undo) or SACK original data after
		 * an RTO (F-RTO): tcp_ack()'s old_ack runs
		 * tcp_fastretrans_alert(), with no ECE and no duplicate
		 * count.
		 */
		if (xtcp_is_sack(xsk) && cb->has_sack) {
			segs = xtcp_sacktag_write_queue(sk, skb, xsk->snd_una,
							&rs, NULL);
			xtcp_rack_update(sk, &rs);
			xtcp_sack_undo_unmoved(sk, skb, &rs, segs != 0, false);
			xtcp_sack_recovery(sk, xsk->ecn_flags & XTCP_ECN_IN_CWR,
					   false);
			/* No cwnd change on an old ACK (tcp_ack()'s old_ack
			 * has no tcp_cong_control()).
			 */
			xtcp_xmit_retransmit_queue(sk);
		}
		return XTCP_ACK_OLD;
	}
	if (xtcp_seq_after(ack, xsk->snd_nxt))
		return XTCP_ACK_UNSENT;
	/* The segment is in the window: RFC 7323 s.4.3 (tcp_ack()). */
	xtcp_tstamp_replace_recent(sk, skb);
	/* The peer is there: zero-window and keepalive probes answered. */
	xsk->probes = 0;
	xsk->rcv_tstamp = jiffies;

	/* The window update, as tcp_ack_update_window(): from an ACK that
	 * advances SND.UNA, a newer segment, or the same one offering more
	 * (tcp_may_update_window(), Linux's FLAG_WIN_UPDATE, which the tail
	 * loss probe's duplicate ACK test reads too).  Unlike RFC 9293
	 * s.3.10.7.4's SND.WL2 test, a resent segment carrying a new ACK
	 * updates the window, and a duplicate offering less does not.
	 */
	win_update = xtcp_seq_after(ack, xsk->snd_una) ||
		     xtcp_seq_after(cb->seq, xsk->snd_wl1) ||
		     (cb->seq == xsk->snd_wl1 &&
		      xtcp_ack_nwin(xsk, cb) > xsk->snd_wnd);
	if (win_update) {
		u32 nwin = xtcp_ack_nwin(xsk, cb);

		/* A changed window may let queued data go after idle. */
		if (nwin != xsk->snd_wnd &&
		    !skb_queue_empty(&sk->sk_write_queue))
			xtcp_slow_start_after_idle_check(sk);
		xsk->snd_wnd = nwin;
		xtcp_update_max_window(sk, nwin);
		xsk->snd_wl1 = cb->seq;
	}

	/* ECE: the reduction is required, no undo may give it back
	 * (tcp_fastretrans_alert() step A).
	 */
	ece = (cb->flags & (TCPHDR_ECE | TCPHDR_SYN)) == TCPHDR_ECE &&
	      (xsk->ecn_flags & TCP_ECN_OK);
	if (ece)
		xsk->prior_ssthresh = 0;

	if (xtcp_seq_after(ack, xsk->snd_una)) {
		prior_fack = xtcp_highest_sack_seq(xsk);
		/* The SACK blocks first, while the queue still holds what
		 * this ACK acknowledges cumulatively, as tcp_ack() does: a
		 * D-SACK of such a retransmission counts for undo.
		 */
		rs_sacked = xtcp_sacktag_write_queue(sk, skb, prior_snd_una,
						     &rs, &sack_rtt) != 0;
		segs = xtcp_clean_queues(sk, ack, xtcp_tstamp_ecr(sk, skb),
					 &seq_rtt_us, &ca_rtt_us, &rs, &reord);
		xsk->bytes_acked += ack - xsk->snd_una;
		xtcp_urg_snd_una(xsk, ack);
		WRITE_ONCE(xsk->snd_una, ack);
		xsk->retransmits = 0;
		xsk->retrans_stamp = 0;
		if (!xtcp_is_sack(xsk) && segs)
			xtcp_remove_reno_sacks(sk, segs);
		/* The cumulative ACK's samples first, the SACK blocks'
		 * second, TSecr third (tcp_ack_update_rtt()).
		 */
		ca_rtt_us = xtcp_ack_update_rtt(sk, skb, seq_rtt_us, ca_rtt_us,
						&sack_rtt, segs);
		xtcp_pkts_acked(sk, segs, ca_rtt_us);
		/* Never-resent data cumulatively ACKed below what was
		 * SACKed before (tcp_clean_rtx_queue()).
		 */
		if (xtcp_is_sack(xsk) && xtcp_seq_before(reord, prior_fack))
			xtcp_check_sack_reordering(sk, reord, false);
		xtcp_rack_update(sk, &rs);
		xtcp_in_ack_event(sk, win_update, ece);
		if (xsk->tlp_high_seq)
			xtcp_process_tlp_ack(sk, ack, rs.dsack_tlp, false);
		hold = false;
		if (!xtcp_is_sack(xsk)) {
			hold = xtcp_reno_state(sk, skb, &rs, prior_snd_una,
					       true, 0, &frto_new);
		} else if (xsk->in_recovery) {
			/* RFC 6582 s.3.2: recovery ends once "recover" is
			 * acked, undone if it was spurious
			 * (tcp_try_undo_recovery()), else with cwnd at ssthresh
			 * (xtcp_end_cwnd_reduction()) and one of RACK's
			 * persistent widenings used up; a partial ACK may show
			 * the hole filled by the original
			 * (tcp_try_undo_partial()), D-SACKs every retransmission
			 * spurious (tcp_try_undo_dsack()), or else the
			 * scoreboard says what is lost.
			 */
			if (xtcp_seq_geq(ack, xsk->high_seq)) {
				xtcp_try_undo_recovery(sk, skb);
				xtcp_end_cwnd_reduction(sk);
				xsk->in_recovery = 0;
			} else {
				hold = xtcp_try_undo_partial(sk, skb,
							     prior_snd_una);
				if (!hold && xsk->in_recovery &&
				    xtcp_try_undo_dsack(sk))
					xsk->in_recovery = 0;
			}
		} else if (xsk->in_loss) {
			/* After an RTO: undo, F-RTO, or the end of loss
			 * recovery (tcp_process_loss()).
			 */
			frto_new = xtcp_process_loss(sk, skb, &rs, true,
						     rs_sacked, false);
		} else if (rs.dsack) {
			xtcp_try_undo_dsack(sk);
		}
		/* ECE and CWR (after recovery may have ended, as Linux's
		 * state exit comes first).
		 */
		cwr = xtcp_ecn_ack(sk, cb->flags, prior_packets);
		reo = false;
		if (xtcp_is_sack(xsk) && !hold) {
			reo = xtcp_sack_recovery(sk, cwr, ece);
			WARN_ON_ONCE(xtcp_left_out(xsk) > xsk->packets_out);
			/* A lost retransmission ended F-RTO's new data:
			 * recovery resends (Linux's REXMIT_LOST).
			 */
			if (xsk->in_recovery)
				frto_new = false;
		} else if (!hold) {
			xtcp_reno_recovery(sk, true, cwr, ece);
		}
		xtcp_cong_control(sk, segs, rs_sacked,
				  xsk->delivered - prior_delivered,
				  xsk->lost - prior_lost, true, &rs,
				  prior_in_flight, ca_rtt_us, reneg);
		/* F-RTO step 2b, once cwnd grew for this ACK: new data
		 * instead of the lost segments; if none could go, the
		 * usual loss recovery (tcp_xmit_recovery()).  A partial ACK
		 * that only showed reordering resends nothing.
		 */
		if (frto_new) {
			xtcp_write_xmit(sk, XTCP_NAGLE_PUSH);
			if (!xtcp_seq_after(xsk->snd_nxt, xsk->high_seq)) {
				xsk->frto = 0;
				xtcp_xmit_retransmit_queue(sk);
			}
		} else if (!hold) {
			xtcp_xmit_retransmit_queue(sk);
		}
		/* Outside recovery, with no retransmission out, the undo
		 * clock stops (tcp_try_to_open()).
		 */
		if (!xsk->in_recovery && !xsk->in_loss &&
		    !xtcp_any_retrans_done(sk))
			xsk->undo_stamp = 0;
		/* RFC 6298 s.5.3: restart the timer, or stop it when all is
		 * acked; not over a reorder timer RACK just armed.  The tail
		 * loss probe goes first when it may (tcp_set_xmit_timer()).
		 */
		if (!reo)
			xtcp_set_xmit_timer(sk);
		xtcp_ack_probe(sk);
		return XTCP_ACK_OK;
	}
	xtcp_ack_probe(sk);
	cwr = xtcp_ecn_ack(sk, cb->flags, prior_packets);
	if (xtcp_is_sack(xsk)) {
		long sack_rtt_us;
		bool rearm;

		segs = xtcp_sacktag_write_queue(sk, skb, prior_snd_una, &rs,
						&sack_rtt);
		rearm = xtcp_sack_rtt(sk, skb, &sack_rtt, &sack_rtt_us);
		xtcp_rack_update(sk, &rs);
		xtcp_in_ack_event(sk, win_update, ece);
		/* A pure duplicate ACK: no data (or FIN), no window update,
		 * nothing newly SACKed (Linux's FLAG_NOT_DUP and
		 * FLAG_DATA_SACKED both clear).
		 */
		if (xsk->tlp_high_seq)
			xtcp_process_tlp_ack(sk, ack, rs.dsack_tlp,
					     cb->end_seq == cb->seq &&
					     !win_update && !segs);
		xtcp_sack_undo_unmoved(sk, skb, &rs, segs != 0,
				       xtcp_num_dupack(skb, cb->end_seq == cb->seq &&
						       !win_update && !rs.dsack));
		reo = xtcp_sack_recovery(sk, cwr, ece);
		/* Not with nothing outstanding (tcp_ack()'s no_queue). */
		if (prior_packets)
			xtcp_cong_control(sk, 0, segs != 0,
					  xsk->delivered - prior_delivered,
					  xsk->lost - prior_lost, false, &rs,
					  prior_in_flight, sack_rtt_us, reneg);
		xtcp_xmit_retransmit_queue(sk);
		if (rearm && !reo)
			xtcp_set_xmit_timer(sk);
		WARN_ON_ONCE(xtcp_left_out(xsk) > xsk->packets_out);
		return XTCP_ACK_OK;
	}

	/* Without SACK, with data outstanding (tcp_ack()'s prior_packets):
	 * an ACK with no data (or FIN) and no window update
	 * (FLAG_WIN_UPDATE) is a duplicate ACK (RFC 5681 s.2, Linux's
	 * num_dupack); any such ACK goes through NewReno's state machine,
	 * then PRR, then what is lost is resent.
	 */
	xtcp_in_ack_event(sk, win_update, ece);
	if (xsk->snd_una != xsk->snd_nxt) {
		hold = xtcp_reno_state(sk, skb, &rs, prior_snd_una, false,
				       xtcp_num_dupack(skb, cb->end_seq == cb->seq &&
						       !win_update),
				       &frto_new);
		if (!hold)
			xtcp_reno_recovery(sk, false, cwr, ece);
		xtcp_cong_control(sk, 0, false,
				  xsk->delivered - prior_delivered,
				  xsk->lost - prior_lost, false, &rs,
				  prior_in_flight, -1, reneg);
		if (!hold)
			xtcp_xmit_retransmit_queue(sk);
		WARN_ON_ONCE(xtcp_left_out(xsk) > xsk->packets_out);
	}
	return XTCP_ACK_OK;
}

/* Receiver-side RTT from sequence numbers, as Linux's
 * tcp_rcv_rtt_measure(): the time the peer takes to send a window's worth
 * of data.  Such a sample is at least one RTT, so only a smaller one
 * counts (xtcp_rcv_rtt_update(), @win_dep).  @rcv_nxt is RCV.NXT as
 * Linux has it there: past the segment's data and its FIN, if it carries
 * one (tcp_queue_rcv() moved it to end_seq before tcp_event_data_recv()).
 */
static void xtcp_rcv_rtt_measure(struct sock *sk, u32 rcv_nxt)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u64 now = xsk->tcp_mstamp;

	if (xsk->rcv_rtt_time) {
		u64 sample = xtcp_stamp_us_delta(now, xsk->rcv_rtt_time);

		if (xtcp_seq_before(rcv_nxt, xsk->rcv_rtt_seq))
			return;
		sample = clamp_t(u64, sample, 1, U32_MAX);
		xsk->rcv_rtt_us8 = xtcp_rcv_rtt_update(xsk->rcv_rtt_us8,
						       sample, true);
	}
	xsk->rcv_rtt_seq = rcv_nxt + xsk->rcv_wnd;
	xsk->rcv_rtt_time = now;
}

/* Receiver-side RTT from timestamps, as Linux's tcp_rcv_rtt_measure_ts():
 * a segment of at least a full segment's data (rcv_mss) that echoes a
 * TSecr not seen before gives now minus that TSecr, averaged into the
 * estimate (xtcp_rcv_rtt_update()).  Every segment with a new TSecr
 * moves rcv_rtt_last_tsecr, pure ACKs included.  Called in ESTABLISHED
 * only, after the ACK was taken, as tcp_rcv_established() does.
 */
static void xtcp_rcv_rtt_measure_ts(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ecr = xtcp_tstamp_ecr(sk, skb), sample;

	if (!ecr || ecr == xsk->rcv_rtt_last_tsecr)
		return;
	xsk->rcv_rtt_last_tsecr = ecr;
	if (cb->end_seq - cb->seq < xsk->rcv_mss)
		return;
	sample = xtcp_tstamp_rtt_us(sk, skb);
	if (sample)
		xsk->rcv_rtt_us8 = xtcp_rcv_rtt_update(xsk->rcv_rtt_us8,
						       sample, false);
}

/* Does @skb cost more buffer than the window its bytes stand for
 * (tcp_collapse(): tcp_win_from_space(truesize) > len)?  Only such skbs
 * are worth copying into compact ones.
 */
static bool xtcp_skb_bloated(const struct sock *sk, const struct sk_buff *skb)
{
	int scale = READ_ONCE(xtcp_sk_pernet(sk)->adv_win_scale);

	return xtcp_win_from_space(skb->truesize, scale) > (int)skb->len;
}

static struct sk_buff *xtcp_run_next(struct sk_buff_head *list,
				     struct sk_buff *skb)
{
	if (list)
		return skb_queue_is_last(list, skb) ? NULL : skb->next;
	return skb_rb_next(skb);
}

static void xtcp_run_unlink(struct sock *sk, struct sk_buff_head *list,
			    struct sk_buff *skb)
{
	if (list)
		__skb_unlink(skb, list);
	else
		rb_erase(&skb->rbnode, &xtcp_sk(sk)->out_of_order_queue);
}

/* Does @skb hold the peer's FIN?  Such an skb is never collapsed, on
 * either queue, as tcp_collapse() refuses one.  Out-of-order skbs count
 * the FIN in end_seq; on the receive queue end_seq stops at the data, and
 * an skb queued in order keeps the flag (one drained from the
 * out-of-order queue has it cleared): xtcp_fin() took the FIN already,
 * and no data is taken after it, so a collapse of the receive queue
 * never meets one today.
 */
static bool xtcp_run_fin(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->flags & TCPHDR_FIN;
}

/* Link @skb into the out-of-order rbtree by its sequence number; the
 * caller made sure no skb there starts at the same one.
 */
static void xtcp_ooo_link(struct sock *sk, struct sk_buff *skb)
{
	struct rb_root *root = &xtcp_sk(sk)->out_of_order_queue;
	struct rb_node **p = &root->rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (xtcp_seq_before(XTCP_SKB_CB(skb)->seq,
				    XTCP_SKB_CB(rb_to_skb(parent))->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);
}

/* Replace the contiguous run that starts at @skb by compact copies of its
 * bytes [@start, @end), at most a page of data each (Linux's
 * tcp_collapse()).  Leading skbs that are compact already and hold no
 * byte before @start are skipped, and skbs with no byte at or past @start
 * freed, so that a run collapsed once is not copied again: only the part
 * from the first bloated skb on is copied.  The copies are charged before
 * the originals are freed.  On the receive queue (@list) they keep the
 * queue's order; in the rbtree (@list NULL) they are linked once the
 * originals are gone.  An skb holding the peer's FIN is never copied,
 * as in tcp_collapse(): it is skipped like a compact one, and a copy
 * stops where it starts, so an out-of-order FIN stays on the skb whose
 * end_seq counts it.
 */
static void xtcp_collapse_run(struct sock *sk, struct sk_buff_head *list,
			      struct sk_buff *skb, u32 start, u32 end)
{
	struct sk_buff_head fresh;
	struct sk_buff *nskb, *next;
	bool at_fin = false;

	while (skb && xtcp_seq_before(start, end)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		next = xtcp_run_next(list, skb);
		if (xtcp_seq_before(start, cb->end_seq)) {
			if (!xtcp_run_fin(skb) &&
			    (xtcp_skb_bloated(sk, skb) ||
			     xtcp_seq_before(cb->seq, start)))
				break;
			start = cb->end_seq;
		} else {
			/* No new bits: possible in the rbtree. */
			xtcp_run_unlink(sk, list, skb);
			XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPRCVCOLLAPSED);
			kfree_skb(skb);
		}
		skb = next;
	}

	__skb_queue_head_init(&fresh);
	while (skb && xtcp_seq_before(start, end)) {
		u32 copy = min_t(u32, end - start, SKB_MAX_ORDER(0, 0));

		nskb = alloc_skb(copy, GFP_ATOMIC);
		if (!nskb)
			break;
		memcpy(nskb->cb, skb->cb, sizeof(skb->cb));
		XTCP_SKB_CB(nskb)->seq = start;
		XTCP_SKB_CB(nskb)->end_seq = start + copy;
		XTCP_SKB_CB(nskb)->flags &= ~(TCPHDR_SYN | TCPHDR_FIN);
		skb_set_owner_r(nskb, sk);
		if (list)
			__skb_queue_before(list, skb, nskb);
		else
			__skb_queue_tail(&fresh, nskb);

		while (skb && copy) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 off = start - cb->seq;
			u32 size = min_t(u32, cb->end_seq - start, copy);

			/* Cannot fail, the bytes are there (Linux BUG()s):
			 * if it did, the room taken for them goes again, so
			 * that no uninitialised byte reaches the reader.
			 */
			if (xtcp_seq_before(start, cb->end_seq) &&
			    WARN_ON_ONCE(skb_copy_bits(skb, off,
						       skb_put(nskb, size),
						       size))) {
				__skb_trim(nskb, nskb->len - size);
				break;
			}
			if (xtcp_seq_before(start, cb->end_seq)) {
				start += size;
				copy -= size;
			}
			if (xtcp_seq_geq(start, cb->end_seq)) {
				next = xtcp_run_next(list, skb);
				xtcp_run_unlink(sk, list, skb);
				XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPRCVCOLLAPSED);
				kfree_skb(skb);
				skb = next;
				if (skb && xtcp_run_fin(skb)) {
					at_fin = true;
					break;
				}
			}
		}
		/* That failure, or a FIN skb next, leaves @nskb short: it
		 * ends where the copy stopped (the skb it stopped at stays,
		 * and the reader and the out-of-order queue take overlaps as
		 * they come).
		 */
		XTCP_SKB_CB(nskb)->end_seq = XTCP_SKB_CB(nskb)->seq + nskb->len;
		if (!nskb->len) {
			__skb_unlink(nskb, list ? : &fresh);
			kfree_skb(nskb);
		}
		if (copy || at_fin)
			break;
	}
	while ((nskb = __skb_dequeue(&fresh)))
		xtcp_ooo_link(sk, nskb);
}

/* Collapse the unread part of the receive queue and each contiguous run
 * of the out-of-order queue (Linux's tcp_prune_queue() calling
 * tcp_collapse_ofo_queue() and tcp_collapse()).  A run of one skb holding
 * less than a page is not copied: a copy of a tiny skb is no smaller
 * (CVE-2018-5390); once such runs add up to an eighth of the buffer the
 * walk stops, so that a queue of thousands of them costs a bounded walk
 * per segment.
 */
static void xtcp_collapse_queues(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 truesize, start, end, tiny = 0;
	struct sk_buff *first, *next;

	first = skb_rb_first(&xsk->out_of_order_queue);
	while (first) {
		start = XTCP_SKB_CB(first)->seq;
		end = XTCP_SKB_CB(first)->end_seq;
		truesize = first->truesize;
		for (next = skb_rb_next(first);
		     next && xtcp_seq_leq(XTCP_SKB_CB(next)->seq, end);
		     next = skb_rb_next(next)) {
			end = xtcp_seq_max(end, XTCP_SKB_CB(next)->end_seq);
			truesize += next->truesize;
		}
		/* @next starts the following run; it is not touched. */
		if (truesize != first->truesize ||
		    end - start >= SKB_WITH_OVERHEAD(PAGE_SIZE)) {
			xtcp_collapse_run(sk, NULL, first, start, end);
		} else {
			tiny += truesize;
			if (tiny > (u32)READ_ONCE(sk->sk_rcvbuf) >> 3)
				break;
		}
		first = next;
	}
	xsk->ooo_last_skb = skb_rb_last(&xsk->out_of_order_queue);

	first = skb_peek(&sk->sk_receive_queue);
	if (first)
		xtcp_collapse_run(sk, &sk->sk_receive_queue, first,
				  xsk->copied_seq, xsk->rcv_nxt);
}

/* Drop out-of-order data from the highest sequence down until the
 * buffer is back within sk_rcvbuf (Linux's tcp_prune_ofo_queue()): what
 * was received last is the furthest from being useful to the reader.  At
 * least an eighth of sk_rcvbuf goes each time, so that an attacker's next
 * segment does not find the buffer full again (CVE-2018-5390).  Never
 * below @in (the segment being queued, when it is out of order too:
 * dropping earlier data for it gains nothing).  Returns true if anything
 * was dropped.
 */
static bool xtcp_prune_ofo_queue(struct sock *sk, const struct sk_buff *in)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int goal = READ_ONCE(sk->sk_rcvbuf) >> 3;
	struct sk_buff *skb, *prev;
	bool pruned = false;

	skb = skb_rb_last(&xsk->out_of_order_queue);
	while (skb) {
		if (in && !xtcp_seq_after(XTCP_SKB_CB(skb)->seq,
					  XTCP_SKB_CB(in)->seq))
			break;
		prev = skb_rb_prev(skb);
		rb_erase(&skb->rbnode, &xsk->out_of_order_queue);
		goal -= skb->truesize;
		kfree_skb(skb);
		pruned = true;
		skb = prev;
		if (!skb || goal <= 0) {
			if (atomic_read(&sk->sk_rmem_alloc) <=
			    READ_ONCE(sk->sk_rcvbuf) &&
			    !sk_under_memory_pressure(sk))
				break;
			goal = READ_ONCE(sk->sk_rcvbuf) >> 3;
		}
	}
	xsk->ooo_last_skb = skb_rb_last(&xsk->out_of_order_queue);
	/* What the blocks reported may be gone: report nothing of it again
	 * (RFC 2018 s.8 reneging; tcp_prune_ofo_queue()'s tcp_sack_reset()).
	 */
	if (pruned)
		XTCP_SK_INC_STATS(sk, XTCP_MIB_OFOPRUNED);
	if (pruned && xsk->sack_ok)
		xtcp_sack_reset(&xsk->sack_rcv);
	return pruned;
}

/* Over the receive buffer: grow it or clamp the window
 * (xtcp_prune_window()), compact the queues, then give up out-of-order
 * data (Linux's tcp_prune_queue()).  Returns 0 once within sk_rcvbuf.
 */
static int xtcp_prune_queue(struct sock *sk, const struct sk_buff *in)
{
	XTCP_SK_INC_STATS(sk, XTCP_MIB_PRUNECALLED);
	xtcp_prune_window(sk);
	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
		return 0;
	xtcp_collapse_queues(sk);
	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
		return 0;
	xtcp_prune_ofo_queue(sk, in);
	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
		return 0;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_RCVPRUNED);
	return -1;
}

/* Room for @skb: within sk_rcvbuf and charged to the protocol's memory
 * (sk_rmem_schedule(), which applies net.xtcp.tcp_mem), after collapsing
 * and pruning if need be, as Linux's tcp_try_rmem_schedule().  Returns
 * 0, or -1 when the segment must be dropped.
 */
static int xtcp_rmem_schedule(struct sock *sk, struct sk_buff *skb)
{
	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) &&
	    sk_rmem_schedule(sk, skb, skb->truesize))
		return 0;
	if (xtcp_prune_queue(sk, skb) < 0)
		return -1;
	while (!sk_rmem_schedule(sk, skb, skb->truesize)) {
		if (!xtcp_prune_ofo_queue(sk, skb))
			return -1;
	}
	return 0;
}

/* Append @from to @to when it continues it (skb_try_coalesce()), moving
 * the charge of what @to grew by; the caller frees @from then
 * (kfree_skb_partial() with @fragstolen).  A FIN on @from moves to @to
 * with its sequence number (tcp_try_coalesce() ORs the flags); nothing
 * is appended after a FIN (Linux would: data a peer sends beyond its own
 * FIN stays a separate skb here, which tcp_fin() purges).
 */
static bool __xtcp_try_coalesce(struct sock *sk, struct sk_buff *to,
				struct sk_buff *from, bool *fragstolen)
{
	int delta;

	if (XTCP_SKB_CB(from)->seq != XTCP_SKB_CB(to)->end_seq ||
	    (XTCP_SKB_CB(to)->flags & TCPHDR_FIN) ||
	    !skb_try_coalesce(to, from, fragstolen, &delta))
		return false;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	XTCP_SKB_CB(to)->end_seq = XTCP_SKB_CB(from)->end_seq;
	XTCP_SKB_CB(to)->flags |= XTCP_SKB_CB(from)->flags & TCPHDR_FIN;
	return true;
}

/* The same, @from freed when it was appended. */
static bool xtcp_try_coalesce(struct sock *sk, struct sk_buff *to,
			      struct sk_buff *from)
{
	bool fragstolen;

	if (!__xtcp_try_coalesce(sk, to, from, &fragstolen))
		return false;
	kfree_skb_partial(from, fragstolen);
	return true;
}

/* An out-of-order segment appended to the skb it continues lets the
 * window grow as a queued one does, with SACK (tcp_data_queue_ofo()'s
 * coalesce_done: its truesize adjusted, before it is freed).
 */
static bool xtcp_ooo_try_coalesce(struct sock *sk, struct sk_buff *to,
				  struct sk_buff *from)
{
	bool fragstolen;

	if (!__xtcp_try_coalesce(sk, to, from, &fragstolen))
		return false;
	if (xtcp_sk(sk)->sack_ok)
		xtcp_grow_window(sk, from, true);
	kfree_skb_partial(from, fragstolen);
	return true;
}

/* Keep a segment that arrived ahead of RCV.NXT (RFC 9293 s.3.10.7.4
 * seventh: "segments with higher beginning sequence numbers SHOULD be held
 * for later processing") in the rbtree, in O(log n), as Linux's
 * tcp_data_queue_ofo(): appended to the skb it continues when it can be;
 * dropped when skbs there hold all of it; replacing those it covers
 * entirely.  Partial overlaps stay, the reader skips bytes it has.  A FIN
 * is kept with its data (or alone), and end_seq counts it, as Linux's:
 * its SACK block ends after it and xtcp_ooo_drain() takes it in order.
 * Returns 0 when the skb was kept, merged or held already, -ENOMEM when
 * it was dropped for want of memory (the caller must not free it in
 * either case); only a segment that gets in schedules an ACK.
 */
static int xtcp_ooo_queue(struct sock *sk, struct sk_buff *skb, u32 seq,
			  u32 len)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct rb_node **p, *parent = NULL;
	struct sk_buff *skb1;

	skb_dst_drop(skb);
	cb->seq = seq;
	cb->end_seq = seq + len + !!(cb->flags & TCPHDR_FIN);
	if (xtcp_rmem_schedule(sk, skb)) {
		/* No room: dropped without an ACK scheduled for it; the
		 * reader is woken to make some (tcp_data_queue_ofo()).
		 */
		XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPOFODROP);
		sk->sk_data_ready(sk);
		kfree_skb(skb);
		return -ENOMEM;
	}
	xsk->ack_pending |= ICSK_ACK_SCHED;	/* tcp_data_queue_ofo() */
	xsk->rcv_ooopack += max_t(u16, skb_shinfo(skb)->gso_segs, 1);
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPOFOQUEUE);

	p = &xsk->out_of_order_queue.rb_node;
	if (RB_EMPTY_ROOT(&xsk->out_of_order_queue))
		goto insert;
	/* Common case: it continues or follows the highest skb. */
	skb1 = xsk->ooo_last_skb;
	if (xtcp_ooo_try_coalesce(sk, skb1, skb))
		return 0;
	if (xtcp_seq_geq(seq, XTCP_SKB_CB(skb1)->end_seq)) {
		parent = &skb1->rbnode;
		p = &parent->rb_right;
		goto insert;
	}

	while (*p) {
		parent = *p;
		skb1 = rb_to_skb(parent);
		if (xtcp_seq_before(seq, XTCP_SKB_CB(skb1)->seq)) {
			p = &parent->rb_left;
			continue;
		}
		if (xtcp_seq_before(seq, XTCP_SKB_CB(skb1)->end_seq)) {
			if (xtcp_seq_leq(cb->end_seq, XTCP_SKB_CB(skb1)->end_seq))
				goto drop;	/* nothing new */
			if (seq == XTCP_SKB_CB(skb1)->seq) {
				/* Covers skb1 and more: takes its place. */
				rb_replace_node(&skb1->rbnode, &skb->rbnode,
						&xsk->out_of_order_queue);
				kfree_skb(skb1);
				goto merge_right;
			}
		} else if (xtcp_ooo_try_coalesce(sk, skb1, skb)) {
			return 0;
		}
		p = &parent->rb_right;
	}
insert:
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &xsk->out_of_order_queue);
merge_right:
	/* Drop the skbs the new one covers entirely. */
	while ((skb1 = skb_rb_next(skb))) {
		if (xtcp_seq_leq(cb->end_seq, XTCP_SKB_CB(skb1)->seq) ||
		    xtcp_seq_before(cb->end_seq, XTCP_SKB_CB(skb1)->end_seq))
			break;
		rb_erase(&skb1->rbnode, &xsk->out_of_order_queue);
		kfree_skb(skb1);
	}
	if (!skb1)
		xsk->ooo_last_skb = skb;
	/* Without SACK the window stays, so that the sender's duplicate
	 * ACKs are duplicates (tcp_data_queue_ofo()).
	 */
	if (xsk->sack_ok)
		xtcp_grow_window(sk, skb, false);
	skb_set_owner_r(skb, sk);
	return 0;
drop:
	/* Scheduled but not charged: nothing to give back. */
	kfree_skb(skb);
	return 0;
}

/**
 * xtcp_ooo_purge() - free the out-of-order queue
 * @sk: the socket, locked by its owner (destruction, disconnect) or by
 *      softirq input (the peer's FIN, as tcp_fin())
 *
 * The skbs give their charge back as they are freed (sock_rfree()), and
 * the forward allocation they leave is reclaimed.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): destruction, disconnect under lock_sock(), the peer's FIN in
 * segment input.
 */
void xtcp_ooo_purge(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct rb_node *p = rb_first(&xsk->out_of_order_queue);

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		p = rb_next(p);
		rb_erase(&skb->rbnode, &xsk->out_of_order_queue);
		kfree_skb(skb);
	}
	xsk->ooo_last_skb = NULL;
	sk_mem_reclaim(sk);
}

/* Queue in-order data for the reader, appended to the last skb when it
 * can be (Linux's tcp_queue_rcv()).  Returns true if @skb was merged
 * (and freed).
 */
static bool xtcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);

	if (tail && xtcp_try_coalesce(sk, tail, skb))
		return true;
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	return false;
}

static void xtcp_fin(struct sock *sk);

/* Move what the new RCV.NXT made contiguous from the out-of-order queue
 * to the reader (Linux's tcp_ofo_queue()).  An skb that starts before
 * RCV.NXT keeps its old bytes: the reader skips them by sequence number.
 * An skb holding the peer's FIN gives the reader its data (end_seq then
 * stops at the data, as everywhere on the receive queue; an skb with no
 * new byte is freed) and the FIN is taken as an in-order one
 * (xtcp_fin()), which ends the walk: it purges the queue.
 */
static void xtcp_ooo_drain(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct rb_node *p = rb_first(&xsk->out_of_order_queue);
	struct sk_buff *tail;

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		bool fin;

		if (xtcp_seq_after(cb->seq, xsk->rcv_nxt))
			break;
		p = rb_next(p);
		rb_erase(&skb->rbnode, &xsk->out_of_order_queue);
		if (xtcp_seq_leq(cb->end_seq, xsk->rcv_nxt)) {
			kfree_skb(skb);
			continue;
		}
		fin = cb->flags & TCPHDR_FIN;
		if (fin) {
			cb->end_seq--;
			cb->flags &= ~TCPHDR_FIN;
		}
		if (xtcp_seq_after(cb->end_seq, xsk->rcv_nxt)) {
			xsk->bytes_received += cb->end_seq - xsk->rcv_nxt;
			WRITE_ONCE(xsk->rcv_nxt, cb->end_seq);
			/* Already charged: merged (its charge moves) or
			 * queued.
			 */
			tail = skb_peek_tail(&sk->sk_receive_queue);
			if (!tail || !xtcp_try_coalesce(sk, tail, skb))
				__skb_queue_tail(&sk->sk_receive_queue, skb);
		} else {
			kfree_skb(skb);	/* only its FIN is new */
		}
		if (fin) {
			xtcp_fin(sk);
			return;
		}
	}
	if (RB_EMPTY_ROOT(&xsk->out_of_order_queue))
		xsk->ooo_last_skb = NULL;
}

/* The receiver SACK state of a connection that negotiated SACK (Linux's
 * tcp_is_sack()), NULL otherwise; net.xtcp.tcp_dsack is read at each
 * use, as tcp_dsack_set() reads tcp_dsack.
 */
static struct xtcp_sack_rcv *xtcp_sack_state(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xsk->sack_ok)
		return NULL;
	xsk->sack_rcv.dsack_enabled =
		!!READ_ONCE(xtcp_sk_pernet(sk)->dsack);
	return &xsk->sack_rcv;
}

/* A segment that starts below RCV.NXT and is not taken in (all old, or
 * dropped): its old part is the D-SACK of the next ACK (RFC 2883 s.4),
 * as tcp_data_queue()'s retransmission case and tcp_send_dupack() set
 * it.  A FIN counts, as in Linux (cb->end_seq includes it).
 */
static void xtcp_sack_old(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sack_rcv *sr = xtcp_sack_state(sk);
	u32 rcv_nxt = xtcp_sk(sk)->rcv_nxt;

	if (sr && cb->seq != cb->end_seq && xtcp_seq_before(cb->seq, rcv_nxt))
		xtcp_sack_rcv_data_mib(sk, sr, rcv_nxt, cb->seq, cb->end_seq);
}

/* Data goes to the receive queue, or ahead of a hole to the out-of-order
 * queue, each skb charged to the receive buffer and to the protocol's
 * memory.  In-order data that finds the buffer full first makes room by
 * pruning out-of-order data; what the reader has not read yet is never
 * dropped.  A segment finding an empty receive queue is always taken, as
 * Linux does, so a connection cannot stall; beyond the limits it is
 * charged with xtcp_forced_mem_schedule(), so tcp_mem counts it.  Returns true when the skb was
 * kept (or merged and freed), or dropped for want of memory (freed, no ACK
 * scheduled, as tcp_data_queue()): the caller must not free it.
 */
static bool xtcp_data_queue(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 seq = cb->seq + !!(cb->flags & TCPHDR_SYN);
	bool fin = cb->flags & TCPHDR_FIN;
	/* SACK and D-SACK blocks (sack_rcv.c): what RCV.NXT and the segment
	 * were before it is trimmed or queued.
	 */
	struct xtcp_sack_rcv *sr = xtcp_sack_state(sk);
	u32 prior_rcv_nxt = xsk->rcv_nxt, sack_seq = seq;

	/* tcp_ecn_accept_cwr(): the sender reduced; tell it at once. */
	if (cb->flags & TCPHDR_CWR)
		xsk->ack_pending |= ICSK_ACK_NOW;
	if (xtcp_seq_after(seq, xsk->rcv_nxt)) {
		/* Its blocks end after a FIN it carries, as its end_seq. */
		u32 end = seq + len + fin;

		xtcp_ecn_check_ce(sk, skb);	/* tcp_data_queue_ofo() */
		if (xtcp_ooo_queue(sk, skb, seq, len))
			return true;	/* no room: freed, nothing to SACK */
		/* Held (or held already): tcp_data_queue_ofo()'s D-SACK and
		 * tcp_sack_new_ofo_skb(), which grows the block the segment
		 * touches where it is and, when that block (or the new one)
		 * is not among the first XTCP_SACK_BLOCKS_EXPECTED, first
		 * sends the ACK SACK compression holds, with that D-SACK and
		 * the blocks in their old order.
		 */
		if (sr && xtcp_sack_rcv_dup_mib(sk, sr, prior_rcv_nxt, seq,
						end)) {
			if (xtcp_sack_ofo_extend(sr, seq, end) >=
			    XTCP_SACK_BLOCKS_EXPECTED)
				xtcp_sack_compress_send_ack(sk);
			xtcp_sack_new_ofo(sr, seq, end);
		}
		return true;
	}
	if (xtcp_seq_before(seq, xsk->rcv_nxt)) {
		u32 dup = xsk->rcv_nxt - seq;

		if (dup >= len || !pskb_pull(skb, dup))
			return false;
		len -= dup;
		seq = xsk->rcv_nxt;
	}
	skb_dst_drop(skb);
	cb->seq = seq;
	cb->end_seq = seq + len;
	/* On an empty receive queue the segment is charged whatever the
	 * limits say, without pruning the out-of-order queue first, as
	 * tcp_data_queue(): the reader always gets the next bytes.  A
	 * plain schedule is tried first so that, within the limits, a
	 * memory cgroup is charged as usual (xtcp_forced_mem_schedule()
	 * cannot charge one).
	 */
	if (skb_queue_empty(&sk->sk_receive_queue)) {
		if (!sk_rmem_schedule(sk, skb, skb->truesize))
			xtcp_forced_mem_schedule(sk, skb->truesize);
	} else if (xtcp_rmem_schedule(sk, skb)) {
		/* No room: dropped, nothing scheduled, the reader woken
		 * (tcp_data_queue()'s TCPRcvQDrop); not a duplicate, so no
		 * quick-ACK mode either.
		 */
		XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPRCVQDROP);
		sk->sk_data_ready(sk);
		kfree_skb(skb);
		return true;
	}

	if (sr)
		xtcp_sack_rcv_data_mib(sk, sr, prior_rcv_nxt, sack_seq,
				       seq + len);
	xsk->bytes_received += seq + len - xsk->rcv_nxt;
	WRITE_ONCE(xsk->rcv_nxt, seq + len);
	xtcp_event_data_recv(sk, skb);
	/* tcp_event_data_recv(), for a segment with data (always, here:
	 * old data was trimmed off or dropped above): RCV.NXT counts the
	 * segment's own FIN, which xtcp_fin() below takes, and not what the
	 * out-of-order queue adds after it.
	 */
	if (len)
		xtcp_rcv_rtt_measure(sk, xsk->rcv_nxt + fin);
	xtcp_ecn_check_ce(sk, skb);	/* before a merge frees @skb */
	if (len >= 128)
		xtcp_grow_window(sk, skb, true);
	xtcp_queue_rcv(sk, skb);
	/* A FIN right after the data, before the out-of-order queue is
	 * looked at: it purges that queue (tcp_data_queue()).
	 */
	if (fin)
		xtcp_fin(sk);
	if (!RB_EMPTY_ROOT(&xsk->out_of_order_queue)) {
		xtcp_ooo_drain(sk);
		/* RFC 5681 s.4.2: the hole is filled, ACK at once. */
		if (RB_EMPTY_ROOT(&xsk->out_of_order_queue))
			xsk->ack_pending |= ICSK_ACK_NOW;
	}
	/* Blocks RCV.NXT reached are acknowledged now (tcp_sack_remove()). */
	if (sr)
		xtcp_sack_remove(sr, xsk->rcv_nxt);
	/* Readers and pollers only once SO_RCVLOWAT is reached. */
	if (!sock_flag(sk, SOCK_DEAD))
		xtcp_data_ready(sk);
	return true;
}

/* Our FIN is acknowledged when everything queued, FIN included, is. */
static bool xtcp_fin_acked(const struct xtcp_sock *xsk)
{
	return xsk->fin_queued && xsk->snd_una == xsk->write_seq;
}

/* The peer's FIN, in order (RFC 9293 s.3.10.7.4 eighth). */
static void xtcp_fin(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	WRITE_ONCE(xsk->rcv_nxt, xsk->rcv_nxt + 1);
	xsk->bytes_received++;	/* end_seq counts the FIN in Linux */
	xsk->ack_pending |= ICSK_ACK_SCHED;
	/* Nothing beyond the FIN is worth keeping or reporting: what the
	 * out-of-order queue holds there goes, its memory given back
	 * (tcp_fin()).
	 */
	xtcp_ooo_purge(sk);
	if (xsk->sack_ok)
		xtcp_sack_reset(&xsk->sack_rcv);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);

	/* As tcp_fin(): in CLOSE_WAIT the ACK may wait for our own FIN
	 * (interactive mode, the caller's xtcp_ack_snd_check()); in the
	 * closing states it goes at once.
	 */
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_CLOSE_WAIT);
		xtcp_enter_pingpong_mode(xsk);
		break;
	case TCP_FIN_WAIT1:
		/* Simultaneous close: our FIN is not yet acknowledged. */
		xtcp_send_ack(sk);
		xtcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		xtcp_send_ack(sk);
		xtcp_time_wait(sk, TCP_TIME_WAIT, 0);
		return;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		if (sk->sk_shutdown == SHUTDOWN_MASK || sk->sk_state == TCP_CLOSE)
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
		else
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	}
}

static void xtcp_established(struct sock *sk)
{
	/* Every segment of a connection with timestamps carries the option:
	 * the MSS our receive side works from (window clamp, growth steps,
	 * auto-tuning) loses its 12 bytes, as tcp_rcv_synsent_state_process()
	 * and tcp_rcv_state_process()'s SYN-RECEIVED step lower advmss.
	 */
	if (xtcp_sk(sk)->tstamp_ok)
		xtcp_sk(sk)->advmss -= XTCP_OLEN_TSTAMP_ALIGNED;
	xtcp_sack_rcv_init(&xtcp_sk(sk)->sack_rcv,
			   READ_ONCE(xtcp_sk_pernet(sk)->dsack));
	/* The SYN delivered, as Linux's tcp_clean_rtx_queue() counts it. */
	xtcp_sk(sk)->delivered++;
	xtcp_set_state(sk, TCP_ESTABLISHED);
	xtcp_init_rcv_mss(sk);
	xtcp_sndbuf_expand(sk);
	xtcp_init_buffer_space(sk);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
}

/* RFC 9293 s.3.10.7.3: SYN-SENT. */
static void xtcp_rcv_syn_sent(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_options_received rx;
	u8 flags = cb->flags;
	u32 ts_rtt_us;

	/* An acceptable ACK must also echo a time of ours: a TSecr from
	 * before our SYN or from the future is refused as an unacceptable
	 * ACK is, before a RST is looked at (PAWSActiveRejected).
	 */
	if ((flags & TCPHDR_ACK) &&
	    (xtcp_seq_leq(cb->ack_seq, xsk->iss) ||
	     xtcp_seq_after(cb->ack_seq, xsk->snd_nxt) ||
	     !xtcp_tstamp_synsent_ok(sk, skb))) {
		xtcp_sk_send_reset_reply(sk, skb);
		return;
	}
	if (flags & TCPHDR_RST) {
		if (flags & TCPHDR_ACK)
			xtcp_reset(sk, skb);
		return;
	}
	if (!(flags & TCPHDR_SYN))
		return;

	xtcp_ecn_rcv_syn(sk, flags);
	xsk->irs = cb->seq;
	WRITE_ONCE(xsk->rcv_nxt, cb->seq + 1);
	WRITE_ONCE(xsk->copied_seq, xsk->rcv_nxt);
	xsk->rcv_wup = xsk->rcv_nxt;
	xsk->lsndtime = tcp_jiffies32;	/* tcp_finish_connect() */
	xsk->snd_cwnd_stamp = tcp_jiffies32;	/* tcp_init_transfer() */
	/* What the peer's SYN offers (tcp_rcv_synsent_state_process()):
	 * without window scaling on both sides neither shifts, and our
	 * window stays within 65535.  Its own window is never scaled.
	 */
	xtcp_rcv_syn_options(sock_net(sk), cb, &rx);
	/* Without the option, what connect() took (tcp_parse_options()). */
	if (rx.mss_clamp)
		xsk->peer_mss = xtcp_mss_clamp(rx.mss_clamp, xsk->user_mss);
	xsk->sack_ok = rx.sack_ok;
	xsk->wscale_ok = rx.wscale_ok;
	if (rx.wscale_ok) {
		xsk->snd_wscale = rx.snd_wscale;
	} else {
		xsk->snd_wscale = 0;
		xsk->rcv_wscale = 0;
		xsk->window_clamp = min(xsk->window_clamp, XTCP_MAX_WINDOW);
	}
	xsk->snd_wnd = cb->window;
	xsk->max_window = xsk->snd_wnd;
	xsk->snd_wl1 = cb->seq;
	xtcp_tstamp_synsent(sk, skb);
	xtcp_update_mss(sk);

	if (!(flags & TCPHDR_ACK)) {
		/* Simultaneous open: answer SYN-ACK, same ISS. */
		xtcp_set_state(sk, TCP_SYN_RECV);
		xtcp_connect_send_syn(sk);
		return;
	}

	/* The SYN's sequence number counts as acknowledged, as tcp_ack()'s
	 * tcp_snd_una_update() counts it (TCP_INFO's bytes_acked 1).
	 */
	xsk->bytes_acked += cb->ack_seq - xsk->snd_una;
	xtcp_urg_snd_una(xsk, cb->ack_seq);
	WRITE_ONCE(xsk->snd_una, cb->ack_seq);
	/* The SYN's round trip is the first RTT sample (Karn's rule: only
	 * if it was not resent), as tcp_ack() takes it, so the first RTO
	 * or zero-window probe is timed from it.  RFC 6298 s.5.7: after a
	 * retransmitted SYN, TSecr gives the sample (tcp_ack_update_rtt()),
	 * or else data starts at 3 s.
	 */
	ts_rtt_us = xsk->retransmits ? xtcp_tstamp_rtt_us(sk, skb) : 0;
	if (ts_rtt_us)
		xtcp_update_rtt(sk, ts_rtt_us);
	else if (xsk->retransmits)
		xtcp_rtt_syn_fallback(&xsk->rtt);
	else if (xsk->syn_sent_us)
		xtcp_update_rtt(sk, xtcp_rtt_us_since(xsk->tcp_mstamp,
						      xsk->syn_sent_us));
	/* RFC 5681 s.3.1 as tcp_init_transfer(): after more than one SYN
	 * sent again the first window is one segment, unless the SYN-ACK
	 * echoes the first SYN's TSval: then the timeouts were spurious
	 * (tcp_try_undo_spurious_syn()).
	 */
	if (xsk->retransmits > 1 &&
	    !xtcp_ts_spurious_syn(xsk->syn_ts, cb->saw_tstamp, cb->rcv_tsecr,
				  xsk->tsoffset))
		xsk->cong.cwnd = 1;
	xsk->retransmits = 0;
	xsk->retrans_stamp = 0;
	xtcp_stop_rtx(sk);
	xtcp_established(sk);
	xtcp_rx_dst_update(sk, skb);	/* tcp_finish_connect() */
	xtcp_keepalive_start(sk);	/* tcp_finish_connect() */
	/* A writer waiting for the connection, or TCP_QUICKACK 0 before
	 * connect(): the ACK waits up to 200 ms for the first data (Linux
	 * then skips tcp_data_snd_check() too; nothing is queued yet).
	 */
	if (xtcp_hold_handshake_ack(sk))
		return;
	xtcp_send_ack(sk);
	xtcp_write_xmit(sk, xsk->nonagle);
}

/* A duplicate ACK for an unacceptable segment; one that repeats data
 * we have puts the receiver in quick-ACK mode, as tcp_send_dupack():
 * our ACKs of it may have been lost; with SACK its old part is the
 * ACK's D-SACK block.
 */
static void xtcp_send_dupack(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->end_seq != cb->seq &&
	    xtcp_seq_before(cb->seq, xtcp_sk(sk)->rcv_nxt)) {
		xtcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
		xtcp_sack_old(sk, skb);
	}
	xtcp_send_ack(sk);
}

/* RFC 9293 s.3.10.7.4: every synchronized state, and SYN-RECEIVED of a
 * simultaneous open; the checks and replies of Linux's
 * tcp_validate_incoming() and tcp_rcv_state_process().
 */
/* Does data starting at @seq find no room in the window?  A closed
 * window takes nothing (old bytes ahead of RCV.NXT included); else what
 * starts at or beyond the right edge is over the window
 * (tcp_data_queue()'s OVERWINDOW; xtcp_sequence_ok() let it in, as
 * tcp_sequence() does).
 */
static bool xtcp_beyond_window(const struct xtcp_sock *xsk, u32 seq)
{
	u32 wnd = xtcp_sk_receive_window(xsk);

	return !wnd || !xtcp_seq_before(seq, xsk->rcv_nxt + wnd);
}

/* tcp_data_snd_check(): send what the segment just taken allows, then
 * tell a writer waiting for room; not once the segment's FIN closed the
 * socket (tcp_rcv_state_process() checks for TCP_CLOSE, as
 * xtcp_ack_snd_check() does).
 */
static void xtcp_data_snd_check(struct sock *sk)
{
	if (sk->sk_state == TCP_CLOSE)
		return;
	/* tcp_push_pending_frames(): only with something to send, or an
	 * empty send (cwnd full of retransmissions) would count as
	 * cwnd-limited (xtcp_cwnd_validate()).
	 */
	if (!skb_queue_empty(&sk->sk_write_queue))
		xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle);
	xtcp_check_space(sk);
}

/* In-order data first, for a subset of the segments Linux's fast path
 * takes (tcp_rcv_established()'s header prediction): in ESTABLISHED, not
 * while a user owns the socket (the backlog's run), a segment with ACK
 * and at most PSH, data at the next sequence number, no SACK blocks and
 * an ACK within SND.UNA..SND.NXT, onto an empty receive queue, with
 * nothing out of order, no urgent data, no D-SACK waiting to go, the
 * window open and the memory for it scheduled within the limits
 * (sk_rmem_schedule(), never forced here: near the limits the ACK, which
 * gives the sent data's memory back, goes first).  Linux queues such
 * data before tcp_ack() and wakes the reader last; here the reader is
 * woken as the data is queued
 * (xtcp_data_queue()), before the ACK is processed, so that its wake-up
 * (an IPI to a sleeping CPU) overlaps that work instead of following it.
 * The reader gets the socket only once this returns.  The empty queue
 * has nothing to coalesce the skb into: it stays whole, queued with its
 * control block intact, while xtcp_ack() reads it (header pulled:
 * tcp_hdr() still finds it).  The receiver's timestamp RTT sample comes
 * before the queueing, as in both of Linux's paths.  Return: true if
 * the segment was taken here.
 */
static bool xtcp_rcv_data_first(struct sock *sk, struct sk_buff *skb,
				u32 hdrlen, u32 data_len)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_sack_rcv *sr = xtcp_sack_state(sk);
	enum xtcp_ack_verdict verdict;

	if (sk->sk_state != TCP_ESTABLISHED || sock_owned_by_user(sk) ||
	    !data_len || (cb->flags & ~TCPHDR_PSH) != TCPHDR_ACK ||
	    cb->has_sack || cb->seq != xsk->rcv_nxt ||
	    xtcp_seq_before(cb->ack_seq, xsk->snd_una) ||
	    xtcp_seq_after(cb->ack_seq, xsk->snd_nxt) ||
	    !RB_EMPTY_ROOT(&xsk->out_of_order_queue) || xsk->urg_data ||
	    (sr && sr->dsack) || !skb_queue_empty(&sk->sk_receive_queue) ||
	    xtcp_beyond_window(xsk, cb->seq) ||
	    !sk_rmem_schedule(sk, skb, skb->truesize))
		return false;
	xtcp_rcv_rtt_measure_ts(sk, skb);
	__skb_pull(skb, hdrlen);
	xtcp_data_queue(sk, skb, data_len);
	verdict = xtcp_ack(sk, skb);
	WARN_ON_ONCE(verdict != XTCP_ACK_OK);
	xtcp_ca_state_sync(sk);
	xtcp_data_snd_check(sk);
	xtcp_ack_snd_check(sk);
	return true;
}

static void xtcp_rcv_synchronized(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	u32 data_len = skb->len - th->doff * 4;
	u8 flags = cb->flags;
	bool fin = flags & TCPHDR_FIN, ack_now = false, was_established;
	enum xtcp_ack_verdict verdict;
	/* Where data ends and a FIN sits (xtcp_data_queue() trims cb). */
	u32 data_end = cb->end_seq - fin, fin_seq = cb->end_seq - 1;

	/* The sender's state before this segment counts, for every segment
	 * an ESTABLISHED socket gets (tcp_probe in tcp_rcv_established()).
	 */
	if (sk->sk_state == TCP_ESTABLISHED)
		trace_xtcp_probe(sk, skb);

	/* PAWS (RFC 7323 s.5.3, tcp_validate_incoming()): an old TSval
	 * gets a duplicate ACK, rate-limited unless it carries data, a SYN
	 * as well (6.1 sends no challenge ACK here); a RST goes on to the
	 * checks below.
	 */
	if (xtcp_tstamp_paws_discard(sk, skb) && !(flags & TCPHDR_RST)) {
		XTCP_SK_INC_STATS(sk, XTCP_MIB_PAWSESTABREJECTED);
		if (!xtcp_oow_rate_limited(sock_net(sk), skb,
					   &xsk->last_oow_ack_time))
			xtcp_send_dupack(sk, skb);
		goto drop;
	}

	/* First: sequence number.  Not acceptable: a duplicate ACK (rate
	 * limited unless it carries data), a challenge ACK for a SYN.
	 */
	if (!xtcp_sequence_ok(xsk, cb->seq, cb->end_seq)) {
		if (!(flags & TCPHDR_RST)) {
			if (flags & TCPHDR_SYN)
				xtcp_send_challenge_ack(sk);
			else if (!xtcp_oow_rate_limited(sock_net(sk), skb,
							&xsk->last_oow_ack_time))
				xtcp_send_dupack(sk, skb);
		} else if (xtcp_reset_check(sk, skb)) {
			xtcp_reset(sk, skb);
		}
		goto drop;
	}

	/* Second: RST.  RFC 5961 s.3.2: only an exact match resets; any
	 * other in-window RST gets a challenge ACK.
	 */
	if (flags & TCPHDR_RST) {
		if (cb->seq == xsk->rcv_nxt || xtcp_reset_check(sk, skb))
			xtcp_reset(sk, skb);
		else
			xtcp_send_challenge_ack(sk);
		goto drop;
	}

	/* Fourth: SYN in a synchronized state, RFC 5961 s.4: challenge ACK.
	 * The peer's SYN-ACK of a simultaneous open is no such SYN: it
	 * acknowledges ours and completes the handshake below.
	 */
	if (flags & TCPHDR_SYN) {
		if (!(sk->sk_state == TCP_SYN_RECV && (flags & TCPHDR_ACK) &&
		      cb->seq == xsk->irs && cb->end_seq == xsk->rcv_nxt &&
		      cb->ack_seq == xsk->snd_nxt)) {
			xtcp_send_challenge_ack(sk);
			goto drop;
		}
	}

	if (xtcp_rcv_data_first(sk, skb, th->doff * 4, data_len))
		return;

	/* Fifth: ACK. */
	if (!(flags & TCPHDR_ACK))
		goto drop;
	was_established = sk->sk_state == TCP_ESTABLISHED;
	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_seq_between(cb->ack_seq, xsk->snd_una + 1, xsk->snd_nxt)) {
			xtcp_sk_send_reset_reply(sk, skb);
			goto drop;
		}
		/* 0 for an accepted child, whose SND.UNA starts past the
		 * SYN-ACK; the SYN after a simultaneous open (tcp_ack()).
		 */
		xsk->bytes_acked += cb->ack_seq - xsk->snd_una;
		xtcp_urg_snd_una(xsk, cb->ack_seq);
		WRITE_ONCE(xsk->snd_una, cb->ack_seq);
		xsk->snd_wnd = (u32)cb->window <<
			       (flags & TCPHDR_SYN ? 0 : xsk->snd_wscale);
		xsk->snd_wl1 = cb->seq;
		xtcp_update_max_window(sk, xsk->snd_wnd);
		xsk->retransmits = 0;
		xsk->retrans_stamp = 0;
		xsk->lrcvtime = jiffies;
		/* tcp_init_transfer(), and no restart on the first data
		 * (tcp_rcv_state_process()).
		 */
		xsk->snd_cwnd_stamp = tcp_jiffies32;
		xsk->lsndtime = tcp_jiffies32;
		xtcp_stop_rtx(sk);
		xtcp_established(sk);
	}
	verdict = xtcp_ack(sk, skb);
	xtcp_ca_state_sync(sk);
	if (verdict != XTCP_ACK_OK) {
		/* In ESTABLISHED an old ACK still carries data, one of
		 * unsent data is dropped silently; elsewhere every such ACK
		 * is challenged (tcp_ack(), tcp_rcv_state_process()).
		 */
		if (sk->sk_state == TCP_ESTABLISHED) {
			if (verdict == XTCP_ACK_TOO_OLD)
				xtcp_send_challenge_ack(sk);
			if (verdict != XTCP_ACK_OLD)
				goto drop;
		} else {
			xtcp_send_challenge_ack(sk);
			goto drop;
		}
	}
	if (was_established)
		xtcp_rcv_rtt_measure_ts(sk, skb);

	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (xtcp_fin_acked(xsk)) {
			xtcp_set_state(sk, TCP_FIN_WAIT2);
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
			if (!sock_flag(sk, SOCK_DEAD)) {
				sk->sk_state_change(sk);
				break;
			}
			/* TCP_LINGER2 < 0: an orphan does not wait in
			 * FIN_WAIT2; new data, or a FIN beyond RCV.NXT, for
			 * an orphan nobody will read.  Either way it ends
			 * with a RST in reply (tcp_rcv_state_process()'s
			 * return 1 to tcp_v4_do_rcv()), before the orphan may
			 * become a FIN_WAIT2 entry: TCPAbortOnData.
			 */
			if (READ_ONCE(xsk->linger2) < 0 ||
			    (cb->end_seq != cb->seq &&
			     xtcp_seq_after(cb->end_seq -
					    !!(cb->flags & TCPHDR_FIN),
					    xsk->rcv_nxt))) {
				XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPABORTONDATA);
				xtcp_sk_send_reset_reply(sk, skb);
				xtcp_done(sk);
				goto drop;
			}
			xtcp_orphan_fin_wait2(sk, cb->flags & TCPHDR_FIN);
			if (sk->sk_state == TCP_CLOSE)
				goto drop;
		}
		break;
	case TCP_CLOSING:
		if (xtcp_fin_acked(xsk)) {
			xtcp_time_wait(sk, TCP_TIME_WAIT, 0);
			goto drop;
		}
		break;
	case TCP_LAST_ACK:
		if (xtcp_fin_acked(xsk)) {
			xtcp_done(sk);
			goto drop;
		}
		break;
	}

	/* Sixth: the URG bit (xtcp_urg_rcv()), the header still in front;
	 * nothing to do for nearly every segment.
	 */
	if (unlikely(th->urg || xsk->urg_data == TCP_URG_NOTYET))
		xtcp_urg_rcv(sk, skb, th);

	/* tcp_data_queue() begins by forgetting a D-SACK no ACK carried
	 * yet (one SACK compression holds, say): the next ACK answers this
	 * segment.  Linux gets there for a segment with data or a FIN in
	 * ESTABLISHED and the FIN-WAIT states, and for one starting below
	 * RCV.NXT in the states after the peer's FIN.
	 */
	if (cb->seq != cb->end_seq &&
	    (((1 << sk->sk_state) &
	      (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)) ||
	     xtcp_seq_before(cb->seq, xsk->rcv_nxt))) {
		struct xtcp_sack_rcv *sr = xtcp_sack_state(sk);

		if (sr)
			sr->dsack = false;
	}

	/* Seventh: data.  After close() or shutdown(SHUT_RD) in FIN-WAIT
	 * there is no reader: new data aborts the connection with a RST in
	 * reply to it (RFC 9293 s.3.10.7.4, Linux).  Data all below RCV.NXT
	 * is a duplicate, still ACKed at once; with the window closed, data
	 * is dropped.  A FIN counts whenever it is the next sequence
	 * number, whether the data before it was new, old or partly old;
	 * one beyond RCV.NXT, alone or after data, is queued out of order
	 * with it (a lone one takes this path too, as in tcp_data_queue(),
	 * and aborts a FIN-WAIT socket without a reader as data does).
	 */
	if (data_len || (fin && xtcp_seq_after(cb->seq, xsk->rcv_nxt))) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			if ((sk->sk_shutdown & RCV_SHUTDOWN) &&
			    xtcp_seq_after(data_end, xsk->rcv_nxt)) {
				XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPABORTONDATA);
				xtcp_sk_send_reset_reply(sk, skb);
				xtcp_reset(sk, skb);
				goto drop;
			}
			fallthrough;
		case TCP_ESTABLISHED:
			/* Old data, or none the window takes: dropped, and
			 * an ACK at once.
			 */
			if (!xtcp_seq_after(data_end, xsk->rcv_nxt) ||
			    xtcp_beyond_window(xsk, cb->seq)) {
				ack_now = true;
				break;
			}
			__skb_pull(skb, th->doff * 4);
			/* Its FIN, in order or not, is the queue's. */
			if (xtcp_data_queue(sk, skb, data_len)) {
				xtcp_data_snd_check(sk);
				xtcp_ack_snd_check(sk);
				return;
			}
			ack_now = true;
			break;
		default:
			/* The peer sent its FIN already: nothing to take;
			 * a duplicate is still ACKed (tcp_rcv_state_process()).
			 */
			ack_now = xtcp_seq_before(cb->seq, xsk->rcv_nxt);
			break;
		}
	}

	/* Eighth: FIN, when it is the next sequence number (after data that
	 * was old, if any).  A retransmitted FIN is ACKed.
	 */
	if (fin && xsk->rcv_nxt == fin_seq &&
	    ((1 << sk->sk_state) &
	     (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))) {
		xtcp_fin(sk);
	} else if (fin || ack_now) {
		/* A duplicate, or data beyond a closed window: the peer may
		 * have lost our ACKs (tcp_data_queue()'s out_of_window).
		 * The ACK is scheduled (inet_csk_schedule_ack()) and goes
		 * below, on data we send or else at once in the quick-ACK
		 * mode just entered, using up one of its ACKs
		 * (tcp_dec_quickack_mode()).
		 */
		xtcp_sack_old(sk, skb);
		xtcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
		xsk->ack_pending |= ICSK_ACK_SCHED;
	}
	xtcp_data_snd_check(sk);
	xtcp_ack_snd_check(sk);
drop:
	kfree_skb(skb);
}

/**
 * xtcp_listen_rcv() - process one segment for a listener
 * @sk:  the listening socket, with a reference the caller keeps
 * @skb: the segment, checked and its control block filled
 *       (xtcp_fill_cb()); consumed
 *
 * RFC 9293 s.3.10.7.2 (LISTEN): a RST is dropped; an ACK is one of our
 * SYN cookies coming back (xtcp_cookie_rcv()) or gets a RST; a SYN
 * without FIN makes a SYN queue entry (xtcp_req_create()); anything else
 * is dropped.  As Linux's tcp_v4_rcv(), which hands a TCP_LISTEN socket's
 * segments to tcp_v4_do_rcv() without bh_lock_sock() and without the
 * backlog, this runs without the listener's lock, when the segment
 * arrives: a segment that waited in the listener's backlog while its
 * owner (accept(), say) held it could find a cookie's child gone and make
 * the connection again.  What it changes on the listener is atomic or
 * under its accept_lock, where leaving LISTEN is checked
 * (xtcp_stop_listening()).  Unlike a connection's, a listener's
 * segments are not counted in TCP_INFO's segs_in (tcp_segs_in() comes
 * after the listener's branch in tcp_v4_rcv()).
 *
 * Context: softirq (xtcp_v4_rcv(), xtcp_tw_rcv()), listener not locked;
 * or its owner's backlog run, for a segment queued before it listened.
 */
void xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	u8 flags = XTCP_SKB_CB(skb)->flags;

	if (flags & TCPHDR_RST)
		goto drop;
	if (flags & TCPHDR_ACK) {
		/* One of our SYN cookies coming back, else a stray ACK. */
		if (!(flags & TCPHDR_SYN) && xtcp_cookie_rcv(sk, skb))
			return;
		xtcp_sk_send_reset_reply(sk, skb);
		goto drop;
	}
	if ((flags & TCPHDR_SYN) && !(flags & TCPHDR_FIN))
		xtcp_req_create(sk, skb);
drop:
	consume_skb(skb);
}

/* tcp_segs_in(): the segments @skb stands for (GRO's, or those the
 * backlog coalesced into it), and of those the ones with data, for
 * TCP_INFO; counted when xtcp_fill_cb() saw them (protocol.c).
 */
static void xtcp_segs_in(struct xtcp_sock *xsk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	WRITE_ONCE(xsk->segs_in, xsk->segs_in + cb->in_segs);
	WRITE_ONCE(xsk->data_segs_in, xsk->data_segs_in + cb->in_data_segs);
}

/**
 * xtcp_backlog_rcv() - process one segment for a full socket
 * @sk:  the socket, in any state (a listener too)
 * @skb: the segment, checked and its control block filled
 *       (xtcp_fill_cb()); consumed
 *
 * Every segment for a full socket that is not listening goes through
 * here: SYN_SENT (RFC 9293 s.3.10.7.3) or the synchronized states; a
 * socket already CLOSE drops it.  A listener's segments go to
 * xtcp_listen_rcv() without the lock, but one queued while the socket
 * was not yet listening is passed on to it here.  Also the socket's
 * sk_backlog_rcv.  Linux's tcp_v4_do_rcv() with tcp_rcv_state_process().
 *
 * Context: socket locked: softirq with the socket spinlock held
 * (xtcp_deliver(), a new child in xtcp_req_rcv() or xtcp_cookie_rcv()),
 * or process context owning it (release_sock() running the backlog).
 * Return: 0 always; the segment is never handed back.
 */
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	/* Queued before the lookup's state check; normally xtcp_v4_rcv()
	 * calls xtcp_listen_rcv() directly.  Not counted in segs_in.
	 */
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_listen_rcv(sk, skb);
		return 0;
	}
	xtcp_mstamp_refresh(xtcp_sk(sk));
	xtcp_segs_in(xtcp_sk(sk), skb);
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		xtcp_rcv_syn_sent(sk, skb);
		kfree_skb(skb);
		break;
	case TCP_CLOSE:
		/* Unhashed while the segment waited in the backlog: dropped
		 * without a reply, as tcp_rcv_state_process() does.
		 */
		kfree_skb(skb);
		break;
	default:
		xtcp_rx_dst_update(sk, skb);
		xtcp_rcv_synchronized(sk, skb);
	}
	return 0;
}

/**
 * xtcp_err() - handle an ICMP error about one of our segments
 * @sk:   the socket the quoted segment came from
 * @type: ICMP type
 * @code: ICMP code
 * @info: ICMP info: for "fragmentation needed" the next-hop MTU, bytes
 * @seq:  sequence number of the quoted segment
 *
 * RFC 1122 s.4.2.3.9, RFC 5927: only errors about data in flight count.
 * "Fragmentation needed" lowers the path MTU and resends (RFC 1191), now
 * or in release_sock() when a user owns the socket; other destination
 * unreachable, time exceeded and parameter problem errors abort a
 * connection attempt and are soft errors otherwise (reported at once
 * only with IP_RECVERR), as Linux's tcp_v4_err() does.
 *
 * Context: softirq (xtcp_v4_err()), socket spinlock held; the socket may
 * be owned by a user.
 */
void xtcp_err(struct sock *sk, int type, int code, u32 info, u32 seq)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int err;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	/* RFC 5927 s.4.1: only about data in flight. */
	if (!xtcp_seq_between(seq, xsk->snd_una, xsk->snd_nxt))
		return;

	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			return;
		if (code == ICMP_FRAG_NEEDED) {
			/* RFC 1191 path MTU discovery, now or when the user
			 * releases the socket (tcp_v4_err()).
			 */
			WRITE_ONCE(xsk->mtu_info, info);
			if (!sock_owned_by_user(sk))
				xtcp_mtu_reduced(sk);
			else if (!test_and_set_bit(XTCP_MTU_REDUCED_DEFERRED,
						   &xsk->timer_deferred))
				sock_hold(sk);
			return;
		}
		err = icmp_err_convert[code].errno;
		break;
	case ICMP_TIME_EXCEEDED:
		err = EHOSTUNREACH;
		break;
	case ICMP_PARAMETERPROB:
		err = EPROTO;
		break;
	default:
		return;
	}

	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) {
		if (!sock_owned_by_user(sk)) {
			sk->sk_err = err;
			sk_error_report(sk);
			xtcp_done(sk);
		} else {
			sk->sk_err_soft = err;
		}
		return;
	}
	if (!sock_owned_by_user(sk) && inet_sk(sk)->recverr) {
		sk->sk_err = err;
		sk_error_report(sk);
	} else {
		sk->sk_err_soft = err;
	}
}
