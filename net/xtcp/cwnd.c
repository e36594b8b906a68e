// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: congestion window validation, Linux's part of RFC 2861 and RFC
 * 7661 (tcp_cwnd_validate(), tcp_cwnd_restart(),
 * tcp_cwnd_application_limited(), tcp_slow_start_after_idle_check()).
 *
 * A window is worth growing only while it limits the sender: each send
 * (xtcp_write_xmit()) records whether the flight reached cwnd in the
 * current window, or else the largest flight it had, and
 * xtcp_is_cwnd_limited() reads that for the congestion control.  A window
 * that has gone unused decays: after an idle period longer than an RTO
 * the sender starts again from the restart window, and a sender that kept
 * its flight below cwnd for an RTO shrinks cwnd halfway to what it used.
 * Both are net.xtcp.tcp_slow_start_after_idle (on by default).  The
 * arithmetic is pure (cong_common.c); this file applies it to a socket.
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>
#include <net/xtcp_recovery.h>
#include <net/xtcp_seq.h>

/* RFC 2861 s.3: the restart window after an idle period of @delta
 * jiffies, more than one RTO (tcp_cwnd_restart()).  ssthresh keeps at
 * least three quarters of the old window, for slow start to get back to.
 */
static void xtcp_cwnd_restart(struct sock *sk, u32 delta)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 rto = max_t(unsigned long, xtcp_rto_jiffies(sk), 1);

	xtcp_ca_event(sk, XTCP_CA_EVENT_CWND_RESTART, 0);
	xsk->cong.ssthresh = xtcp_current_ssthresh(xsk->cong.ssthresh,
						   xsk->cong.cwnd,
						   xtcp_in_cwnd_reduction(xsk));
	xsk->cong.cwnd = xtcp_cong_restart_cwnd(xsk->cong.cwnd, TCP_INIT_CWND,
						delta, rto);
	xsk->snd_cwnd_stamp = tcp_jiffies32;
	xsk->snd_cwnd_used = 0;
}

/**
 * xtcp_slow_start_after_idle_check() - restart a window left idle
 * @sk: the socket, about to send new data
 *
 * Linux's tcp_slow_start_after_idle_check(): with
 * net.xtcp.tcp_slow_start_after_idle on and nothing in flight, data
 * queued (or let go by a window update) more than an RTO after the last
 * data sent starts from the restart window (RFC 2861 s.3, RFC 5681
 * s.4.1).  Not for a congestion control with its own ->cong_control,
 * which sees the idle time itself.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): xtcp_sendmsg() after a new skb at the tail,
 * xtcp_ack() on a window update.
 */
void xtcp_slow_start_after_idle_check(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	s32 delta;

	if (!READ_ONCE(xtcp_sk_pernet(sk)->slow_start_after_idle) ||
	    xsk->packets_out || xsk->cong_ops->cong_control)
		return;
	/* Compared unsigned, as Linux's s32 with icsk_rto's u32. */
	delta = tcp_jiffies32 - xsk->lsndtime;
	if ((u32)delta > (u32)xtcp_rto_jiffies(sk))
		xtcp_cwnd_restart(sk, delta);
}

/**
 * xtcp_cwnd_tx_start() - data leaves with nothing in flight
 * @sk: the socket, about to transmit a segment with data
 *
 * Linux's CA_EVENT_TX_START in tcp_event_data_sent(): the congestion
 * control learns how long the sender was idle (CUBIC keeps idle time out
 * of its curve, RFC 9438 s.5.8).  Call before the skb counts in
 * packets_out and before lsndtime moves.  Unlike Linux, not for a
 * retransmission (whose flight can be 0 too, after an RTO): by then a
 * congestion event has ended CUBIC's epoch (its ssthresh hook and the
 * LOSS event), so nothing would change.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): xtcp_send_new(), new data leaving.
 */
void xtcp_cwnd_tx_start(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	s32 idle = tcp_jiffies32 - xsk->lsndtime;

	if (xtcp_packets_in_flight(xsk))
		return;
	xtcp_ca_event(sk, XTCP_CA_EVENT_TX_START,
		      idle > 0 ? jiffies_to_msecs(idle) : 0);
}

/**
 * xtcp_ca_event() - tell the congestion control an event
 * @sk:      the socket, locked
 * @ev:      what happened
 * @idle_ms: for XTCP_CA_EVENT_TX_START, ms since the last data sent; 0
 *           otherwise
 *
 * Linux's tcp_ca_event(): the algorithm's ->cwnd_event, if it has one.
 *
 * Context: softirq or process context, socket locked.
 */
void xtcp_ca_event(struct sock *sk, enum xtcp_ca_event ev, u32 idle_ms)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->cong_ops->cwnd_event)
		xsk->cong_ops->cwnd_event(&xsk->cong, ev,
					  jiffies_to_msecs(jiffies), idle_ms);
}

/**
 * xtcp_ca_state_sync() - report a changed congestion-avoidance state
 * @sk: the socket, locked
 *
 * Called at the end of an ACK's or a timer's processing: when the state
 * (xtcp_ca_state(): Open, Disorder, CWR, Recovery, Loss) is not the one
 * last reported, the algorithm's ->set_state learns the new one (Linux's
 * tcp_set_ca_state(), which runs at each change).  Nothing is computed
 * for an algorithm without ->set_state.
 *
 * Context: softirq or process context, socket locked.
 */
void xtcp_ca_state_sync(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 state;

	/* After every ACK: nothing to compute for an algorithm without the
	 * hook (xtcp_set_congestion_control() resyncs ca_state on a switch).
	 */
	if (!xsk->cong_ops->set_state)
		return;
	state = xtcp_ca_state(sk);
	if (state == xsk->ca_state)
		return;
	xsk->ca_state = state;
	xsk->cong_ops->set_state(&xsk->cong, state);
}

/* RFC 2861 s.3 as tcp_cwnd_application_limited(): a window the sender
 * has not filled for an RTO, in the open state and not for want of send
 * buffer, shrinks halfway to the largest flight it had (at least the
 * initial window); ssthresh keeps three quarters of the old one.
 */
static void xtcp_cwnd_application_limited(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xtcp_ca_state(sk) == TCP_CA_Open && sk->sk_socket &&
	    !test_bit(SOCK_NOSPACE, &sk->sk_socket->flags)) {
		u32 cwnd = xtcp_cong_app_limited_cwnd(xsk->cong.cwnd,
						      xsk->snd_cwnd_used,
						      TCP_INIT_CWND);

		if (cwnd < xsk->cong.cwnd) {
			xsk->cong.ssthresh =
				xtcp_current_ssthresh(xsk->cong.ssthresh,
						      xsk->cong.cwnd, false);
			xsk->cong.cwnd = cwnd;
		}
		xsk->snd_cwnd_used = 0;
	}
	xsk->snd_cwnd_stamp = tcp_jiffies32;
}

/**
 * xtcp_cwnd_validate() - record how much of cwnd a send used
 * @sk: the socket, which just sent (or found cwnd full)
 * @is_cwnd_limited: the flight reached cwnd during this send
 *
 * Linux's tcp_cwnd_validate(): per window (until SND.UNA passes the
 * SND.NXT of the window's first record), whether cwnd limited the sender,
 * else the largest flight (max_packets_out, segments); a send that fills
 * cwnd starts a new record at once.  While not cwnd-limited, the largest
 * flight since cwnd was last full is kept (snd_cwnd_used), and with
 * net.xtcp.tcp_slow_start_after_idle a whole RTO of that shrinks cwnd
 * (RFC 2861 s.3).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): the end of xtcp_write_xmit().
 */
void xtcp_cwnd_validate(struct sock *sk, bool is_cwnd_limited)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xtcp_seq_before(xsk->snd_una, xsk->cwnd_usage_seq) ||
	    is_cwnd_limited ||
	    (!xsk->is_cwnd_limited &&
	     xsk->packets_out > xsk->max_packets_out)) {
		xsk->is_cwnd_limited = is_cwnd_limited;
		xsk->max_packets_out = xsk->packets_out;
		xsk->cwnd_usage_seq = xsk->snd_nxt;
	}

	if (xtcp_is_cwnd_limited(xsk)) {
		xsk->snd_cwnd_used = 0;
		xsk->snd_cwnd_stamp = tcp_jiffies32;
		return;
	}
	if (xsk->packets_out > xsk->snd_cwnd_used)
		xsk->snd_cwnd_used = xsk->packets_out;
	if (READ_ONCE(xtcp_sk_pernet(sk)->slow_start_after_idle) &&
	    (u32)(tcp_jiffies32 - xsk->snd_cwnd_stamp) >=
	    (u32)xtcp_rto_jiffies(sk) && !xsk->cong_ops->cong_control)
		xtcp_cwnd_application_limited(sk);
}
