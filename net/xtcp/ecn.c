// SPDX-License-Identifier: GPL-2.0
/* xtcp: Explicit Congestion Notification (RFC 3168), as Linux 6.1 does it.
 *
 * Negotiation: with net.xtcp.tcp_ecn 1 a connecting socket asks with
 * ECE+CWR on its SYN (dropped from resent SYNs under tcp_ecn_fallback);
 * a listener answers a SYN that asks with ECE on its SYN-ACK unless
 * tcp_ecn is 0 (2, the default, accepts but never asks).  Both agreeing
 * make the connection ECN-capable (TCP_ECN_OK in xtcp_sock.ecn_flags).
 *
 * On such a connection new data segments leave with ECT(0) in the IP
 * header; pure ACKs, retransmissions, probes and RSTs with Not-ECT.  A
 * receiver that sees CE on arriving data sets TCP_ECN_DEMAND_CWR and
 * echoes ECE on every segment it sends until a segment with CWR arrives.
 * A sender that sees ECE on an ACK enters CWR: once per window of data
 * (until SND.UNA passes the SND.NXT of that moment, Linux's high_seq),
 * ssthresh comes from the congestion control's ssthresh hook, cwnd is
 * brought down to it over the next RTT by Proportional Rate Reduction
 * (RFC 6937, xtcp_cwnd_reduction() on each ACK) and set to it when the
 * CWR period ends, and the next new data segment carries CWR.  Every other reduction
 * (fast retransmit, RTO) queues CWR as well, as tcp_init_cwnd_reduction()
 * and tcp_enter_loss() do.
 *
 * Everything here runs with the socket locked (softirq or owner), except
 * xtcp_ecn_create_request(), which only reads the listener's namespace.
 */
#include <linux/tcp.h>
#include <net/inet_ecn.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_ecn_send_syn() - decide whether an active open asks for ECN
 * @sk: the connecting socket, owned by the caller
 *
 * Linux's tcp_ecn_send_syn() without route features or an ECN-needing
 * congestion control: ask (TCP_ECN_OK until the SYN-ACK says otherwise)
 * exactly when net.xtcp.tcp_ecn is 1.  Called once per connect(),
 * before the first SYN.
 *
 * Context: process context, socket owned (lock_sock()): connect().
 */
void xtcp_ecn_send_syn(struct sock *sk)
{
	xtcp_sk(sk)->ecn_flags =
		READ_ONCE(xtcp_sk_pernet(sk)->ecn) == 1 ? TCP_ECN_OK : 0;
}

/**
 * xtcp_ecn_queue_cwr() - a reduction of cwnd: CWR on the next new data
 * @sk: the socket, locked
 *
 * Linux's tcp_ecn_queue_cwr(), for every reduction (ECE, fast
 * retransmit, RTO) on an ECN-capable connection.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (a reduction starts), the retransmission
 * timer's work.
 */
void xtcp_ecn_queue_cwr(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->ecn_flags & TCP_ECN_OK)
		xsk->ecn_flags |= TCP_ECN_QUEUE_CWR;
}

/**
 * xtcp_ecn_syn_flags() - ECN flags of a SYN or simultaneous-open SYN-ACK
 * @sk: the socket in SYN_SENT or SYN_RECV, locked
 * @resend: the segment is a retransmission
 *
 * A SYN that asks carries ECE and CWR, a first one always, a resent one
 * only with net.xtcp.tcp_ecn_fallback 0 (RFC 3168 s.6.1.1.1; Linux's
 * tcp_ecn_clear_syn(): the flags stay until the SYN-ACK decides).  A
 * SYN-ACK carries ECE alone, when the peer's SYN asked and we agreed
 * (tcp_ecn_send_synack()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): connect(), segment input in SYN_SENT, the retransmission
 * timer's work (xtcp_connect_send_syn()).
 * Return: TCPHDR_ECE and TCPHDR_CWR bits to add to the flags.
 */
u8 xtcp_ecn_syn_flags(const struct sock *sk, bool resend)
{
	if (!(xtcp_sk(sk)->ecn_flags & TCP_ECN_OK))
		return 0;
	if (sk->sk_state == TCP_SYN_RECV)
		return TCPHDR_ECE;
	if (resend && READ_ONCE(xtcp_sk_pernet(sk)->ecn_fallback))
		return 0;
	return TCPHDR_ECE | TCPHDR_CWR;
}

/**
 * xtcp_ecn_send() - ECN marks of a segment other than a SYN
 * @sk: the socket, locked
 * @skb: the segment, header not pushed yet (skb->len is its payload)
 * @retrans: @skb was sent before
 *
 * Linux's tcp_ecn_send(): new data goes out ECT(0) (the socket's TOS,
 * which ip_queue_xmit() copies, as INET_ECN_xmit()), with CWR once after
 * a reduction; anything else with Not-ECT; every segment with ECE while
 * the peer's CE is not answered by CWR.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission but a SYN (xtcp_transmit_skb()).
 * Return: TCPHDR_ECE and TCPHDR_CWR bits to add to the flags.
 */
u8 xtcp_ecn_send(struct sock *sk, const struct sk_buff *skb, bool retrans)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 flags = 0;

	if (!(xsk->ecn_flags & TCP_ECN_OK))
		return 0;
	if (skb->len && !retrans) {
		INET_ECN_xmit(sk);
		if (xsk->ecn_flags & TCP_ECN_QUEUE_CWR) {
			xsk->ecn_flags &= ~TCP_ECN_QUEUE_CWR;
			flags |= TCPHDR_CWR;
		}
	} else {
		INET_ECN_dontxmit(sk);
	}
	if (xsk->ecn_flags & TCP_ECN_DEMAND_CWR)
		flags |= TCPHDR_ECE;
	return flags;
}

/**
 * xtcp_ecn_rcv_syn() - the peer's SYN or SYN-ACK in SYN_SENT
 * @sk: the connecting socket, locked
 * @flags: the segment's TCPHDR_* flags (SYN set)
 *
 * The connection stays ECN-capable only if a SYN-ACK has ECE without
 * CWR (tcp_ecn_rcv_synack()), or a crossing SYN has both
 * (tcp_ecn_rcv_syn()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input in SYN_SENT.
 */
void xtcp_ecn_rcv_syn(struct sock *sk, u8 flags)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 ecn = flags & (TCPHDR_ECE | TCPHDR_CWR);
	u8 want = flags & TCPHDR_ACK ? TCPHDR_ECE : TCPHDR_ECE | TCPHDR_CWR;

	if (ecn != want)
		xsk->ecn_flags &= ~TCP_ECN_OK;
}

/**
 * xtcp_ecn_create_request() - does a SYN queue entry speak ECN?
 * @listener: the listener the SYN reached
 * @skb: the SYN, XTCP_SKB_CB() filled, transport header set
 *
 * Linux's tcp_ecn_create_request() without route features or an
 * ECN-needing congestion control: the SYN asks (ECE and CWR), tcp_ecn
 * is not 0, and the SYN itself is not ECT (RFC 3168 s.6.1.1: a SYN
 * never is, so an ECT one went through a broken middlebox) unless a
 * reserved header bit is set.
 *
 * Context: segment input for the listener (xtcp_listen_rcv()): softirq,
 * the listener not locked; its settings are read as they are.
 * Return: true when the SYN-ACK answers with ECE and the child is
 * ECN-capable.
 */
bool xtcp_ecn_create_request(const struct sock *listener,
			     const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	if ((cb->flags & (TCPHDR_ECE | TCPHDR_CWR)) != (TCPHDR_ECE | TCPHDR_CWR))
		return false;
	if (!READ_ONCE(xtcp_sk_pernet(listener)->ecn))
		return false;
	return INET_ECN_is_not_ect(cb->ip_dsfield) || th->res1;
}

/**
 * xtcp_ecn_check_ce() - the IP ECN field of arriving data
 * @sk: the socket, locked
 * @skb: a data segment taken in order or out of order (ip_dsfield kept
 *	in XTCP_SKB_CB() by the input hook)
 *
 * Linux's tcp_ecn_check_ce(): CE makes the receiver demand CWR, so every
 * segment it sends carries ECE until CWR arrives; any ECT marks ECN as
 * seen.  The first CE of an episode (the sender's cwnd may be small) and
 * Not-ECT after ECT was seen (a likely retransmission) put the receiver
 * in quick-ACK mode for two segments.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (data).
 */
void xtcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 ecn = XTCP_SKB_CB(skb)->ip_dsfield & INET_ECN_MASK;

	if (!(xsk->ecn_flags & TCP_ECN_OK))
		return;
	if (ecn == INET_ECN_NOT_ECT) {
		if (xsk->ecn_flags & TCP_ECN_SEEN)
			xtcp_enter_quickack_mode(sk, 2);
		return;
	}
	if (ecn == INET_ECN_CE && !(xsk->ecn_flags & TCP_ECN_DEMAND_CWR)) {
		xtcp_enter_quickack_mode(sk, 2);
		xsk->ecn_flags |= TCP_ECN_DEMAND_CWR;
	}
	xsk->ecn_flags |= TCP_ECN_SEEN;
}

/* Congestion window reduction for ECE (tcp_enter_cwr() ->
 * tcp_init_cwnd_reduction()): ssthresh from the hook, PRR to bring cwnd
 * down to it, and CWR held until SND.UNA passes today's SND.NXT.
 */
static void xtcp_enter_cwr(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xtcp_init_cwnd_reduction(sk);
	xsk->ecn_flags |= XTCP_ECN_IN_CWR;
	/* Congestion is proven: no undo of this or an earlier reduction
	 * (tcp_enter_cwr()).
	 */
	xsk->prior_ssthresh = 0;
	if (!xsk->in_loss)
		xsk->undo_marker = 0;
}

/**
 * xtcp_enter_cwr_local() - a local queue dropped or held back a segment
 * @sk: the socket, locked, whose transmission ip_queue_xmit() refused
 *	(NET_XMIT_DROP) or queued under congestion (NET_XMIT_CN)
 *
 * Linux's tcp_enter_cwr() from __tcp_transmit_skb(): nothing reduced so
 * far may be undone, and from the open state (not in CWR, fast recovery
 * or loss recovery) a cwnd reduction begins, as for ECE, also with
 * nothing outstanding (the first segment of a burst, a SYN or an ACK
 * dropped): ssthresh comes from cwnd, as in tcp_enter_cwr().
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): xtcp_transmit_skb().
 */
void xtcp_enter_cwr_local(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->prior_ssthresh = 0;
	if (!(xsk->ecn_flags & XTCP_ECN_IN_CWR) &&
	    !xsk->in_recovery && !xsk->in_loss) {
		xtcp_enter_cwr(sk);
		xtcp_ca_state_sync(sk);
	}
}

/**
 * xtcp_ecn_ack() - ECN processing of an acceptable ACK
 * @sk: the socket, locked; SND.UNA already moved to the segment's ACK
 * @flags: the segment's TCPHDR_* flags
 * @outstanding: data was outstanding before this ACK (tcp_ack()'s
 *               prior_packets); without, no CWR begins
 *
 * In Linux's order (tcp_ack(), tcp_fastretrans_alert(),
 * tcp_try_to_open()): CWR from the peer ends our echo
 * (tcp_ecn_accept_cwr(), also on a pure ACK); a CWR period ends once
 * SND.UNA is beyond its high_seq, cwnd at ssthresh then
 * (tcp_end_cwnd_reduction()); then ECE (not on a SYN) with data
 * outstanding before this ACK starts a reduction, unless one, or loss
 * recovery, is under way.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 * Return: true while in CWR, when PRR sets cwnd.
 */
bool xtcp_ecn_ack(struct sock *sk, u8 flags, bool outstanding)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (flags & TCPHDR_CWR)
		xsk->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
	if ((xsk->ecn_flags & XTCP_ECN_IN_CWR) &&
	    xtcp_seq_after(xsk->snd_una, xsk->high_seq)) {
		xtcp_end_cwnd_reduction(sk);
		xsk->ecn_flags &= ~XTCP_ECN_IN_CWR;
	}
	if ((flags & (TCPHDR_ECE | TCPHDR_SYN)) == TCPHDR_ECE &&
	    (xsk->ecn_flags & TCP_ECN_OK)) {
		/* Congestion is proven: nothing reduced so far may be
		 * undone (tcp_fastretrans_alert() step A).  CWR begins only
		 * from the open state: in fast recovery or loss recovery
		 * cwnd is being reduced already (tcp_try_to_open()).
		 */
		xsk->prior_ssthresh = 0;
		if (outstanding && !(xsk->ecn_flags & XTCP_ECN_IN_CWR) &&
		    !xsk->in_recovery && !xsk->in_loss)
			xtcp_enter_cwr(sk);
	}
	return xsk->ecn_flags & XTCP_ECN_IN_CWR;
}
