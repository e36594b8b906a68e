// SPDX-License-Identifier: GPL-2.0
/* xtcp: a socket's timers and what they do.
 *
 * Three timers per socket, all on the timer wheels (wheel_cpu.c): the
 * retransmission timer, which also paces SYN retransmission and
 * zero-window probes (Linux's icsk_retransmit_timer), the keepalive
 * timer, which also ends an orphaned FIN_WAIT2 (Linux's sk_timer), and
 * the delayed-ACK timer (icsk_delack_timer; delack.c decides). A
 * pending timer holds a socket reference (include/net/xtcp_timer.h).
 * The keepalive logic itself is in keepalive.c.  One more, SACK
 * compression's comp_ack_timer, is an hrtimer of its own (delack.c).
 * When one fires while a user owns the socket, the work is left to
 * release_sock() (xtcp_release_cb(), as tcp_release_cb()).
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_seq.h>
#include <net/xtcp_timer.h>

/* Arm a socket timer: a timer that was not pending takes a reference. */
static void xtcp_sk_timer_arm(struct sock *sk, struct xtcp_wtimer *t,
			      u8 kind, unsigned long expires)
{
	xtcp_timer_arm(t, kind, expires, &sk->sk_refcnt);
}

/* Cancel a socket timer: a pending one gives its reference back. */
static void xtcp_sk_timer_stop(struct sock *sk, struct xtcp_wtimer *t)
{
	if (xtcp_timer_cancel(t))
		__sock_put(sk);
}

/* The counters (enum xtcp_timer_kind) of a retransmission timer event. */
static u8 xtcp_rtx_timer_kind(u8 event)
{
	switch (event) {
	case XTCP_RTX_PROBE:
		return XTCP_TIMER_PROBE;
	case XTCP_RTX_REO:
		return XTCP_TIMER_REO;
	case XTCP_RTX_TLP:
		return XTCP_TIMER_TLP;
	}
	return XTCP_TIMER_RTO;
}

/**
 * xtcp_arm_rtx() - (re)start the retransmission timer
 * @sk:    the socket, locked (spinlock or owner)
 * @kind:  XTCP_RTX_RETRANS (data, SYN, FIN), XTCP_RTX_PROBE,
 *         XTCP_RTX_REO (RACK's reorder timeout) or XTCP_RTX_TLP (the
 *         tail loss probe)
 * @delay: from now, in jiffies (at least 1)
 *
 * inet_csk_reset_xmit_timer(): the timer's work and deadline are stored
 * in the socket (rtx_timer_kind, rtx_timeout) and the timer re-armed; a
 * later deadline only stores it (the wheel's lazy re-arm).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller: connect(), backlog, xtcp_release_cb()).
 */
void xtcp_arm_rtx(struct sock *sk, u8 kind, unsigned long delay)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	/* Read locklessly by /proc/net/xtcp (proc.c). */
	WRITE_ONCE(xsk->rtx_timer_kind, kind);
	WRITE_ONCE(xsk->rtx_timeout, jiffies + max(delay, 1UL));
	xtcp_sk_timer_arm(sk, &xsk->rtx_timer, xtcp_rtx_timer_kind(kind),
			  xsk->rtx_timeout);
}

/**
 * xtcp_stop_rtx() - stop the retransmission timer
 * @sk: the socket, locked
 *
 * inet_csk_clear_xmit_timer() as Linux builds it (no
 * INET_CSK_CLEAR_TIMERS): the work is cleared (rtx_timer_kind
 * XTCP_RTX_NONE) and the timer left where it is.  If it is still pending
 * when it expires, its handler finds nothing to do (counted stale); the
 * next arm, usually the next send's, only moves it, with no cancel
 * before it and no reference taken.  xtcp_clear_timers() removes it for
 * good.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller).
 */
void xtcp_stop_rtx(struct sock *sk)
{
	WRITE_ONCE(xtcp_sk(sk)->rtx_timer_kind, XTCP_RTX_NONE);
}

/**
 * xtcp_rto_delta_us() - how far in the future the head's RTO is
 * @sk: the socket, locked
 *
 * Linux's tcp_rto_delta_us(): the send time of the oldest unacknowledged
 * skb plus the (backed-off) RTO, less now (xtcp_rto_left_us()): the
 * socket's tcp_mstamp, which the caller's event refreshed.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller).
 * Return: microseconds, 0 or less when that time has passed; the whole
 * RTO when the retransmission queue is empty (a SYN or FIN in flight has
 * no skb there).
 */
s64 xtcp_rto_delta_us(const struct sock *sk)
{
	const struct sk_buff *head = xtcp_rtx_queue_head(sk);
	u32 rto = xtcp_rtt_rto(&xtcp_sk(sk)->rtt);

	if (!head)
		return rto;
	return xtcp_rto_left_us(rto, xtcp_skb_sent_us(head),
				xtcp_sk(sk)->tcp_mstamp);
}

/**
 * xtcp_rearm_rtx() - arm the retransmission timer for what is outstanding
 * @sk: the socket, locked
 *
 * RFC 6298 s.5.3 as Linux's tcp_rearm_rto(): one RTO from now while data
 * is unacknowledged; stopped once everything is (rule 5.2).  While the
 * timer is pending as RACK's reorder timer or the tail loss probe, the
 * RTO they stand in for was armed already: it is re-armed for what is
 * left of it, counted from the send of the oldest unacknowledged skb
 * (xtcp_rto_delta_us()), at least a jiffy, not for a whole RTO from now.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller).
 */
void xtcp_rearm_rtx(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 kind = xsk->rtx_timer_kind;
	unsigned long rto;

	if (xsk->snd_una == xsk->snd_nxt) {
		if (kind == XTCP_RTX_RETRANS || kind == XTCP_RTX_REO ||
		    kind == XTCP_RTX_TLP)
			xtcp_stop_rtx(sk);
		return;
	}
	rto = xtcp_rto_jiffies(sk);
	if (kind == XTCP_RTX_REO || kind == XTCP_RTX_TLP) {
		s64 left = xtcp_rto_delta_us(sk);

		rto = usecs_to_jiffies(left > 1 ? (u32)min_t(s64, left, U32_MAX) : 1);
	}
	xtcp_arm_rtx(sk, XTCP_RTX_RETRANS, rto);
}

/* Linear timeouts for a thin stream (tcp_retransmit_timer()'s
 * out_reset_timer): an established connection with TCP_THIN_LINEAR_TIMEOUTS
 * or tcp_thin_linear_timeouts, fewer than 4 segments out and past the
 * initial slow start (tcp_stream_is_thin()), for its first
 * TCP_THIN_LINEAR_RETRIES timeouts; then back-off again, so that a black
 * hole is not hammered.
 */
static bool xtcp_thin_linear(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	return sk->sk_state == TCP_ESTABLISHED &&
	       (xsk->thin_lto ||
		READ_ONCE(xtcp_sk_pernet(sk)->thin_linear_timeouts)) &&
	       xsk->packets_out < 4 &&
	       xsk->cong.ssthresh < XTCP_INFINITE_SSTHRESH &&
	       xsk->retransmits <= TCP_THIN_LINEAR_RETRIES;
}

/* Has the connection retransmitted for longer than @boundary timeouts
 * would take from @base_us?  Linux's time-based reading of
 * tcp_retries2 / tcp_syn_retries (retransmits_timed_out()).
 */
static bool xtcp_timed_out(struct xtcp_sock *xsk, unsigned int boundary,
			   u32 base_us)
{
	u64 limit = xtcp_rto_model_timeout_us(boundary, base_us), elapsed_us;

	if (!xsk->retrans_stamp)
		return false;
	/* In ms first: jiffies_to_usecs() is 32 bits, 71 minutes. */
	elapsed_us = (u64)jiffies_to_msecs((u32)jiffies - xsk->retrans_stamp) *
		     USEC_PER_MSEC;
	return elapsed_us >= limit;
}

/**
 * xtcp_user_timeout_left() - what is left of TCP_USER_TIMEOUT
 * @xsk:   the socket, spinlock held, with a user timeout set
 * @stamp: jiffies (low 32 bits) the count started at: retrans_stamp for
 *         the retransmission timer, probes_tstamp for zero-window probing
 *
 * For Linux's retransmits_timed_out() with a user timeout,
 * tcp_clamp_rto_to_user_timeout(), tcp_probe_timer() and
 * tcp_clamp_probe0_to_user_timeout().  Linux counts data's from its first
 * retransmission (the SYN's from the SYN, as here); xtcp's retrans_stamp
 * is the original send of what the first timeout resent, one initial RTO
 * earlier (Documentation/sockopt.rst).
 *
 * Context: any; arithmetic on @stamp and TCP_USER_TIMEOUT (read
 * locklessly).  Its callers hold the socket locked (timers, probes).
 * Return: ms left, 0 or negative once it has run out.
 */
s64 xtcp_user_timeout_left(const struct xtcp_sock *xsk, u32 stamp)
{
	return (s64)READ_ONCE(xsk->user_timeout) -
	       jiffies_to_msecs((u32)jiffies - stamp);
}

/**
 * xtcp_write_err() - give a connection up after its timers ran out
 * @sk: the socket, spinlock held
 *
 * Linux's tcp_write_err(): the error is the soft one recorded (an ICMP
 * error) or ETIMEDOUT, reported, TcpExt TCPAbortOnTimeout counted, and
 * the socket closed.  For the retransmission, zero-window probe and
 * keepalive timers.
 *
 * Context: the retransmission or keepalive timer's work, socket locked: softirq
 * with the spinlock held, or release_sock() (xtcp_release_cb()).
 */
void xtcp_write_err(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
	sk_error_report(sk);
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPABORTONTIMEOUT);
	xtcp_done(sk);
}

/**
 * xtcp_clamp_rto_to_user_timeout() - the next retransmission timeout
 * @sk: the socket, spinlock held, retrans_stamp set (the retransmission
 *      timer sets it before it gets here)
 *
 * Linux's tcp_clamp_rto_to_user_timeout(): the RTO, but no later than
 * when TCP_USER_TIMEOUT runs out, and at once (1 jiffy) once it has.
 * Return: jiffies.
 */
static unsigned long xtcp_clamp_rto_to_user_timeout(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	unsigned long rto = xtcp_rto_jiffies(sk);
	s64 left;

	if (!READ_ONCE(xsk->user_timeout))
		return rto;
	left = xtcp_user_timeout_left(xsk, xsk->retrans_stamp);
	if (left <= 0)
		return 1;
	return min_t(unsigned long, rto, msecs_to_jiffies(left));
}

/**
 * xtcp_orphan_retries() - how many timeouts an orphaned socket survives
 * @sk: the orphan (SOCK_DEAD), socket spinlock held
 * @alive: its RTO is still below the maximum (it sent recently)
 *
 * As Linux's tcp_orphan_retries(): net.xtcp.tcp_orphan_retries, none
 * after an ICMP error once the RTO maxed out, and 8 (over 100 s from a
 * 200 ms RTO) when the knob is 0 and the peer may still be there.
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 * Return: the number of retransmissions or probes before giving up.
 */
unsigned int xtcp_orphan_retries(struct sock *sk, bool alive)
{
	unsigned int retries =
		READ_ONCE(xtcp_sk_pernet(sk)->orphan_retries);

	if (READ_ONCE(sk->sk_err_soft) && !alive)
		retries = 0;
	if (!retries && alive)
		retries = 8;
	return retries;
}

/**
 * xtcp_out_of_resources() - abort an orphan that holds too much
 * @sk: the orphan (SOCK_DEAD), socket spinlock held
 * @do_reset: tell the peer with a RST
 *
 * As Linux's tcp_out_of_resources(): when orphans exceed tcp_max_orphans
 * (counted twice as heavily for one that is not worth a RST or had an
 * ICMP error), or xtcp is over tcp_mem[2] while this orphan still holds
 * send data, the orphan is reset and closed at its next timeout.
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 * Return: true if @sk was closed.
 */
bool xtcp_out_of_resources(struct sock *sk, bool do_reset)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	int shift = !do_reset + !!READ_ONCE(sk->sk_err_soft);
	bool orphans, oom;

	orphans = (atomic_read(&xn->orphans) << shift) > READ_ONCE(xn->max_orphans);
	oom = sk->sk_wmem_queued > SOCK_MIN_SNDBUF &&
	      sk_memory_allocated(sk) > sk_prot_mem_limits(sk, 2);
	if (!orphans && !oom)
		return false;
	if (orphans)
		net_info_ratelimited("xtcp: too many orphaned sockets\n");
	else
		net_info_ratelimited("xtcp: out of memory -- consider tuning tcp_mem\n");
	if (do_reset)
		xtcp_send_active_reset(sk, GFP_ATOMIC);
	xtcp_done(sk);
	return true;
}

static void xtcp_retransmit_timer(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	bool syn = sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV;
	unsigned int retry_until = READ_ONCE(xn->retries2);
	/* TCP_SYNCNT, else tcp_syn_retries (tcp_write_timeout()). */
	unsigned int syn_retries = READ_ONCE(xsk->syn_retries) ? :
				   READ_ONCE(xn->syn_retries);
	bool expired = false;

	if (xsk->snd_una == xsk->snd_nxt)
		return;
	if (!xsk->retrans_stamp)
		xsk->retrans_stamp = jiffies - xtcp_rto_jiffies(sk);

	xtcp_mib_timeout(sk, syn);
	/* An orphan gives up sooner (tcp_orphan_retries), or at once when
	 * orphans or memory run short, as Linux's tcp_write_timeout().
	 */
	if (!syn && sock_flag(sk, SOCK_DEAD)) {
		bool alive = xtcp_rtt_rto(&xsk->rtt) < XTCP_RTO_MAX_US;

		retry_until = xtcp_orphan_retries(sk, alive);
		if (xtcp_out_of_resources(sk, alive ||
					  !xtcp_timed_out(xsk, retry_until,
							  XTCP_RTO_MIN_US)))
			return;
	}

	/* RFC 9293 s.3.8.3 R2: give up, as Linux does, when retransmitting
	 * has lasted as long as syn_retries (from a 1 s RTO) or
	 * tcp_retries2 (from the 200 ms minimum) doubling timeouts would;
	 * with TCP_USER_TIMEOUT, once it has run out instead of the latter,
	 * and as well as the former (tcp_write_timeout()).  A SYN also
	 * gives up once resent syn_retries times, which local drops (500
	 * ms apart, below) reach sooner.
	 */
	if (syn)
		expired = xsk->retransmits >= syn_retries ||
			  xtcp_timed_out(xsk, syn_retries,
					 jiffies_to_usecs(XTCP_TIMEOUT_INIT));
	if (!expired && READ_ONCE(xsk->user_timeout))
		expired = xtcp_user_timeout_left(xsk, xsk->retrans_stamp) <= 0;
	else if (!expired && !syn)
		expired = xtcp_timed_out(xsk, retry_until, XTCP_RTO_MIN_US);
	if (expired) {
		xtcp_write_err(sk);
		return;
	}

	xtcp_mib_rto_failure(sk);
	xsk->retransmits++;
	if (syn) {
		int err;

		xtcp_mib_syn_retrans(sock_net(sk));
		xsk->total_retrans++;	/* tcp_retransmit_skb() of the SYN */
		err = xtcp_connect_send_syn(sk);
		if (err)
			XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPRETRANSFAIL);
		/* A local queue dropped it: again in 500 ms, unbacked off. */
		if (err > 0) {
			xtcp_arm_rtx(sk, XTCP_RTX_RETRANS,
				     TCP_RESOURCE_PROBE_INTERVAL);
			return;
		}
		xtcp_rtt_backoff(&xsk->rtt);
	} else {
		bool new_recovery = !xsk->in_recovery && !xsk->in_loss;
		bool reduce;

		/* RFC 5681 s.3.1 eq. 4 (from cwnd, as Linux) and the loss
		 * window of one segment.  ssthresh is reduced once per
		 * window of data, as tcp_enter_loss() does: not during ECN's
		 * CWR or a fast recovery for a window not yet acknowledged,
		 * nor at a later timeout of the same loss recovery (high_seq
		 * still ahead of SND.UNA), but at the first one after a path
		 * MTU drop (xtcp_loss_reduces_ssthresh()).  What it was is
		 * kept for undo (tcp_init_undo()); without a cut, nothing may
		 * be undone that could not be before.
		 */
		reduce = xtcp_loss_reduces_ssthresh(new_recovery &&
						    !(xsk->ecn_flags &
						      XTCP_ECN_IN_CWR),
						    xsk->in_loss,
						    xsk->retransmits == 1,
						    xsk->high_seq, xsk->snd_una);
		if (reduce) {
			xsk->prior_ssthresh =
				xtcp_current_ssthresh(xsk->cong.ssthresh,
						      xsk->cong.cwnd,
						      xsk->in_recovery ||
						      (xsk->ecn_flags &
						       XTCP_ECN_IN_CWR));
			xsk->prr.prior_cwnd = xsk->cong.cwnd;
			xsk->cong.ssthresh = xsk->cong_ops->ssthresh(&xsk->cong,
				xsk->cong.cwnd, jiffies_to_msecs(jiffies));
		}
		xtcp_ca_event(sk, XTCP_CA_EVENT_LOSS, 0);
		xsk->cong.cwnd_cnt = 0;
		xsk->snd_cwnd_stamp = tcp_jiffies32;
		/* A timeout in the open state after many SACKs says the
		 * reordering degree is overestimated (tcp_enter_loss()).
		 */
		if (!xsk->in_recovery && !xsk->in_loss &&
		    xsk->sacked_out >= (u32)READ_ONCE(xn->reordering))
			xsk->reordering = min_t(u32, xsk->reordering,
						READ_ONCE(xn->reordering));
		xsk->high_seq = xsk->snd_nxt;
		xsk->tlp_high_seq = 0;
		xsk->in_recovery = 0;
		xsk->in_loss = 1;
		/* F-RTO (RFC 5682 s.3.1 step 1): unless a recovery was
		 * under way other than this RTO's own earlier timeouts
		 * (s.3.2); with or without SACK, as tcp_enter_loss().
		 */
		xsk->frto = READ_ONCE(xn->frto) &&
			    (new_recovery || xsk->retransmits > 1);
		/* Loss replaces CWR; the reduction is signalled as one
		 * (tcp_enter_loss()).
		 */
		xsk->ecn_flags &= ~XTCP_ECN_IN_CWR;
		xtcp_ca_state_sync(sk);
		xtcp_ecn_queue_cwr(sk);
		/* A resend a local queue dropped is tried again after 500
		 * ms, the RTO not backed off (tcp_retransmit_timer(): "let
		 * senders fight for local resources conservatively").
		 */
		if (xtcp_retransmit_all(sk, reduce) > 0) {
			xtcp_arm_rtx(sk, XTCP_RTX_RETRANS,
				     TCP_RESOURCE_PROBE_INTERVAL);
			return;
		}
		if (xtcp_thin_linear(sk))
			xtcp_rtt_linear(&xsk->rtt);
		else
			xtcp_rtt_backoff(&xsk->rtt);
	}
	xtcp_arm_rtx(sk, XTCP_RTX_RETRANS, xtcp_clamp_rto_to_user_timeout(sk));
}

/* The retransmission timer's work, with the socket spinlock held and no
 * user owning the socket (from the timer, or from release_sock()):
 * Linux's tcp_write_timer_handler(). Only the socket's current deadline
 * counts: the timer may have fired for one that was moved since.
 */
static void xtcp_write_timer_handler(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u8 event = xsk->rtx_timer_kind;
	/* Work stopped (xtcp_stop_rtx() leaves the timer pending): counted
	 * stale under the kind the timer was armed as, which its expiry
	 * counted under too.
	 */
	u8 kind = event == XTCP_RTX_NONE ? READ_ONCE(xsk->rtx_timer.kind) :
		  xtcp_rtx_timer_kind(event);

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
	    event == XTCP_RTX_NONE) {
		xtcp_timer_note(kind, XTCP_TIMER_EV_STALE);
		return;
	}
	if (time_after(xsk->rtx_timeout, jiffies)) {
		/* Moved later after this expiry: pending again already
		 * (re-armed), else armed here for the new deadline.
		 */
		xtcp_timer_note(kind, XTCP_TIMER_EV_STALE);
		xtcp_sk_timer_arm(sk, &xsk->rtx_timer, kind, xsk->rtx_timeout);
		return;
	}
	xtcp_mstamp_refresh(xsk);	/* after the deadline check, as Linux */
	/* As icsk_pending: the reorder timer and the loss probe keep their
	 * kind while they run, so that the RTO they re-arm is what is left
	 * of it (xtcp_rearm_rtx()); each re-arms or stops the timer.
	 */
	switch (event) {
	case XTCP_RTX_RETRANS:
		WRITE_ONCE(xsk->rtx_timer_kind, XTCP_RTX_NONE);
		xtcp_retransmit_timer(sk);
		break;
	case XTCP_RTX_PROBE:
		WRITE_ONCE(xsk->rtx_timer_kind, XTCP_RTX_NONE);
		xtcp_send_probe(sk);
		break;
	case XTCP_RTX_REO:
		xtcp_rack_reo_timeout(sk);
		break;
	case XTCP_RTX_TLP:
		xtcp_send_loss_probe(sk);
		break;
	}
}

/* A user owns the socket: leave @bit's work to xtcp_release_cb(), which
 * then owns a reference (taken once however often the timer fires).
 */
static void xtcp_defer_timer(struct sock *sk, unsigned int bit, u8 kind)
{
	if (!test_and_set_bit(bit, &xtcp_sk(sk)->timer_deferred))
		sock_hold(sk);
	xtcp_timer_note(kind, XTCP_TIMER_EV_DEFERRED);
}

/**
 * xtcp_write_timer() - the retransmission timer expired
 * @t: &xtcp_sock.rtx_timer; this run owns the socket reference it held
 *
 * tcp_write_timer(): the work runs now, or in release_sock() when a user
 * owns the socket.
 * Context: softirq (the wheel's kernel timer).
 */
void xtcp_write_timer(struct xtcp_wtimer *t)
{
	struct xtcp_sock *xsk = container_of(t, struct xtcp_sock, rtx_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_write_timer_handler(sk);
	else
		xtcp_defer_timer(sk, XTCP_WRITE_TIMER_DEFERRED, t->kind);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* The keepalive timer's work (tcp_keepalive_timer() minus its owner
 * check): an orphan in FIN_WAIT2 that waited the part of tcp_fin_timeout
 * beyond 2*MSL becomes a FIN_WAIT2 entry for the rest, and one that has
 * waited it all is reset and destroyed, as Linux does; any other socket
 * gets keepalive (keepalive.c).  The timer serves both, so an expiry
 * counts only for what the timer was last armed as, and not at all once
 * it was armed again (work deferred to release_sock() while, say, the
 * orphan entered FIN_WAIT2 and xtcp_arm_fin_wait2() re-armed it): a
 * keepalive deadline must never end a FIN_WAIT2 orphan early.  An orphan
 * in FIN_WAIT2 always gets its FIN_WAIT2 timeout armed or becomes a
 * FIN_WAIT2 entry (on entering it, or by xtcp_close() right after
 * release_sock()).
 */
static void xtcp_keepalive_timer_handler(struct sock *sk)
{
	struct xtcp_wtimer *t = &xtcp_sk(sk)->keepalive_timer;
	u8 kind = READ_ONCE(t->kind);

	if (xtcp_timer_pending(t)) {
		xtcp_timer_note(kind, XTCP_TIMER_EV_STALE);
		return;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		unsigned long tmo = xtcp_fin_time(sk);

		if (kind != XTCP_TIMER_FIN_WAIT2) {
			xtcp_timer_note(kind, XTCP_TIMER_EV_STALE);
			return;
		}
		if (READ_ONCE(xtcp_sk(sk)->linger2) >= 0 &&
		    tmo > XTCP_TIMEWAIT_LEN) {
			xtcp_time_wait(sk, TCP_FIN_WAIT2,
				       tmo - XTCP_TIMEWAIT_LEN);
			return;
		}
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
		return;
	}
	xtcp_mstamp_refresh(xtcp_sk(sk));	/* tcp_keepalive_timer() */
	xtcp_keepalive_timer_work(sk);
}

/**
 * xtcp_keepalive_timer() - the keepalive timer expired
 * @t: &xtcp_sock.keepalive_timer; this run owns its socket reference
 *
 * tcp_keepalive_timer(), except that a socket owned by the user has the
 * work done by release_sock() instead of a retry in 50 ms.
 * Context: softirq (the wheel's kernel timer).
 */
void xtcp_keepalive_timer(struct xtcp_wtimer *t)
{
	struct xtcp_sock *xsk = container_of(t, struct xtcp_sock,
					     keepalive_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_keepalive_timer_handler(sk);
	else
		xtcp_defer_timer(sk, XTCP_KEEPALIVE_TIMER_DEFERRED, t->kind);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_release_cb() - timer work left while the user owned the socket
 * @sk: the socket; release_sock() holds its spinlock, BHs off, and still
 *	owns it
 *
 * tcp_release_cb() for the timers (comp_ack_timer's work among them, which
 * Linux defers as the delayed-ACK timer's) and a path MTU reduction: each deferred
 * handler runs once, and the reference taken when it was deferred goes
 * (the caller of release_sock() holds its own, so it is never the last).
 *
 * Context: process context (release_sock()), BHs off, socket spinlock held and
 * the socket still owned.
 */
void xtcp_release_cb(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!READ_ONCE(xsk->timer_deferred))
		return;
	if (test_and_clear_bit(XTCP_TSQ_DEFERRED, &xsk->timer_deferred))
		xtcp_tsq_release(sk);
	if (test_and_clear_bit(XTCP_WRITE_TIMER_DEFERRED, &xsk->timer_deferred)) {
		xtcp_write_timer_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_KEEPALIVE_TIMER_DEFERRED,
			       &xsk->timer_deferred)) {
		xtcp_keepalive_timer_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_DELACK_TIMER_DEFERRED,
			       &xsk->timer_deferred)) {
		xtcp_delack_timer_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_COMP_ACK_DEFERRED, &xsk->timer_deferred)) {
		xtcp_comp_ack_deferred(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XTCP_MTU_REDUCED_DEFERRED,
			       &xsk->timer_deferred)) {
		xtcp_mtu_reduced(sk);
		__sock_put(sk);
	}
}

/**
 * xtcp_delack_timer() - the delayed-ACK timer expired
 * @t: &xtcp_sock.delack_timer; this run owns the socket reference it held
 *
 * tcp_delack_timer(): the work (xtcp_delack_timer_handler()) runs now,
 * or in release_sock() when a user owns the socket.
 * Context: softirq (the wheel's kernel timer).
 */
void xtcp_delack_timer(struct xtcp_wtimer *t)
{
	struct xtcp_sock *xsk = container_of(t, struct xtcp_sock, delack_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_delack_timer_handler(sk);
	else
		xtcp_defer_timer(sk, XTCP_DELACK_TIMER_DEFERRED, t->kind);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_reset_delack_timer() - (re)start the delayed-ACK timer
 * @sk:      the socket, spinlock held
 * @expires: deadline in jiffies
 *
 * sk_reset_timer() of icsk_delack_timer: a timer that was not pending
 * takes a socket reference.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller); takes the wheel's lock.
 */
void xtcp_reset_delack_timer(struct sock *sk, unsigned long expires)
{
	xtcp_sk_timer_arm(sk, &xtcp_sk(sk)->delack_timer, XTCP_TIMER_DELACK,
			  expires);
}

/**
 * xtcp_arm_fin_wait2() - start the orphaned FIN_WAIT2 timeout
 * @sk:    the orphan, locked
 * @delay: from now, in jiffies
 *
 * On the keepalive timer, as Linux's inet_csk_reset_keepalive_timer()
 * in tcp_close() and tcp_rcv_state_process().
 *
 * Context: softirq or process context, socket locked (spinlock held with BHs
 * off in xtcp_close(), or segment input); takes the wheel's lock.
 */
void xtcp_arm_fin_wait2(struct sock *sk, unsigned long delay)
{
	xtcp_sk_timer_arm(sk, &xtcp_sk(sk)->keepalive_timer,
			  XTCP_TIMER_FIN_WAIT2, jiffies + max(delay, 1UL));
}

/**
 * xtcp_rto_jiffies() - the socket's current RTO
 * @sk: the socket
 *
 * Context: any; the caller keeps the RTT state stable (socket locked) for an
 * exact answer.
 * Return: the RTO with its back-off (icsk_rto), in jiffies.
 */
unsigned long xtcp_rto_jiffies(const struct sock *sk)
{
	return usecs_to_jiffies(xtcp_rtt_rto(&xtcp_sk(sk)->rtt));
}

/**
 * xtcp_fin_wait2_min() - the shortest FIN_WAIT2 wait: 3.5 RTOs
 * @sk: the socket
 *
 * The floor of tcp_fin_time() and of a FIN_WAIT2 entry's life in
 * tcp_time_wait(), both (rto << 2) - (rto >> 1).
 *
 * Context: any; the caller keeps the RTT state stable (socket locked) for an
 * exact answer.
 * Return: jiffies.
 */
unsigned long xtcp_fin_wait2_min(const struct sock *sk)
{
	unsigned long rto = xtcp_rto_jiffies(sk);

	return (rto << 2) - (rto >> 1);
}

/**
 * xtcp_fin_time() - how long an orphan waits in FIN_WAIT2
 * @sk: the orphan
 *
 * Linux's tcp_fin_time(): TCP_LINGER2 when set (positive), else
 * tcp_fin_timeout, but at least 3.5 RTOs.
 *
 * Context: any; socket locked in its callers (keepalive timer's work,
 * xtcp_orphan_fin_wait2()).
 * Return: jiffies.
 */
unsigned long xtcp_fin_time(const struct sock *sk)
{
	int linger2 = READ_ONCE(xtcp_sk(sk)->linger2);
	unsigned long tmo = linger2 > 0 ? linger2 :
		READ_ONCE(xtcp_sk_pernet(sk)->fin_timeout);

	return max(tmo, xtcp_fin_wait2_min(sk));
}

/**
 * xtcp_orphan_fin_wait2() - an orphan is in FIN_WAIT2: wait for the FIN
 * @sk:  the orphan (SOCK_DEAD), spinlock held
 * @fin: the segment that acknowledged our FIN carries the peer's (a full
 *	 socket must stay to take it); false from close()
 *
 * As Linux's tcp_close() and tcp_rcv_state_process() (FIN_WAIT1): a
 * tcp_fin_timeout beyond 2*MSL is waited first on the keepalive timer
 * by the full socket; otherwise the socket gives way to a FIN_WAIT2
 * entry (xtcp_time_wait()) that ends silently when the time is up,
 * unless @fin, or a user owns the socket, in which case the full socket
 * waits the whole time. On return the socket may be closed (TCP_CLOSE).
 *
 * Context: softirq or process context with BHs off, socket spinlock held
 * (xtcp_close()'s orphan step), or segment input on the socket locked (softirq
 * or owner).
 */
void xtcp_orphan_fin_wait2(struct sock *sk, bool fin)
{
	unsigned long tmo = xtcp_fin_time(sk);

	if (tmo > XTCP_TIMEWAIT_LEN)
		xtcp_arm_fin_wait2(sk, tmo - XTCP_TIMEWAIT_LEN);
	else if (fin || sock_owned_by_user(sk))
		xtcp_arm_fin_wait2(sk, tmo);
	else
		xtcp_time_wait(sk, TCP_FIN_WAIT2, tmo);
}

/**
 * xtcp_reset_keepalive_timer() - (re)start the keepalive timer
 * @sk:  the socket, locked (spinlock or owner)
 * @len: from now, in jiffies
 *
 * inet_csk_reset_keepalive_timer(): the timer's deadline moves to @len
 * from now, earlier or later; a timer that was not pending takes a
 * socket reference.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller: setsockopt(SO_KEEPALIVE) and friends); takes the wheel's lock.
 */
void xtcp_reset_keepalive_timer(struct sock *sk, unsigned long len)
{
	xtcp_sk_timer_arm(sk, &xtcp_sk(sk)->keepalive_timer,
			  XTCP_TIMER_KEEPALIVE, jiffies + len);
}

/**
 * xtcp_delete_keepalive_timer() - stop the keepalive timer
 * @sk: the socket, locked
 *
 * inet_csk_delete_keepalive_timer(); a pending timer gives its socket
 * reference back.
 *
 * Context: process context, socket owned (lock_sock(): setsockopt(SO_KEEPALIVE)
 * off); takes the wheel's lock.
 */
void xtcp_delete_keepalive_timer(struct sock *sk)
{
	xtcp_sk_timer_stop(sk, &xtcp_sk(sk)->keepalive_timer);
}

/**
 * xtcp_init_timers() - a new socket's timers, on this CPU's wheel
 * @sk: the socket being created
 *
 * Context: process context (socket()) or softirq (a new child); @sk is not yet
 * visible to anyone else.
 */
void xtcp_init_timers(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xtcp_timer_init(&xsk->rtx_timer, XTCP_TIMER_RTO);
	xtcp_timer_init(&xsk->keepalive_timer, XTCP_TIMER_KEEPALIVE);
	xtcp_timer_init(&xsk->delack_timer, XTCP_TIMER_DELACK);
	xtcp_comp_ack_init(sk);
}

/**
 * xtcp_clear_timers() - stop every timer of a socket
 * @sk: the socket, locked
 *
 * tcp_clear_xmit_timers(): inet_csk_clear_xmit_timers() (retransmission
 * and delayed ACK) and the compressed-ACK hrtimer, plus the keepalive
 * timer. A handler that
 * already runs finds the socket's state (closed) or rtx_timer_kind and
 * does nothing; deferred work stays with release_sock().
 *
 * Context: socket locked: process context under lock_sock() (disconnect), or
 * the spinlock held (xtcp_done(), xtcp_destroy_sock() from input, timers or
 * xtcp_close()); takes the wheels' locks, never waits for a running handler.
 */
void xtcp_clear_timers(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	WRITE_ONCE(xsk->rtx_timer_kind, XTCP_RTX_NONE);
	xtcp_sk_timer_stop(sk, &xsk->rtx_timer);
	xtcp_sk_timer_stop(sk, &xsk->keepalive_timer);
	xsk->ack_pending = 0;
	xtcp_sk_timer_stop(sk, &xsk->delack_timer);
	xtcp_comp_ack_stop(sk);
}
