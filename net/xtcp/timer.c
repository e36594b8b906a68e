// SPDX-License-Identifier: GPL-2.0
/* xtcp: per-socket timers.
 *
 * Two timers per socket: the retransmission timer, which also paces SYN
 * retransmission and zero-window probes, and a second one for the
 * orphaned FIN_WAIT2 timeout.  A timer holds a socket reference while
 * pending (sk_reset_timer()).  When it fires while a user holds the
 * socket, the work is retried shortly after instead of racing the user.
 * The next step replaces these with one timer wheel; callers only use the
 * functions below.
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/xtcp.h>
#include <net/xtcp_seq.h>

/* How long a busy socket defers a timer (the owner holds it briefly). */
#define XTCP_TIMER_RETRY	(HZ / 50 ? HZ / 50 : 1)

void xtcp_arm_rtx(struct sock *sk, u8 kind, unsigned long delay)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->rtx_timer_kind = kind;
	xsk->rtx_timeout = jiffies + max(delay, 1UL);
	sk_reset_timer(sk, &xsk->rtx_timer, xsk->rtx_timeout);
}

void xtcp_stop_rtx(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->rtx_timer_kind = XTCP_RTX_NONE;
	sk_stop_timer(sk, &xsk->rtx_timer);
}

/* Arm the retransmission timer for what is outstanding, or stop it. */
void xtcp_rearm_rtx(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->snd_una != xsk->snd_nxt)
		xtcp_arm_rtx(sk, XTCP_RTX_RETRANS,
			     usecs_to_jiffies(xtcp_rtt_rto(&xsk->rtt)));
	else if (xsk->rtx_timer_kind == XTCP_RTX_RETRANS)
		xtcp_stop_rtx(sk);
}

/* Has the connection retransmitted for longer than @boundary timeouts
 * would take from @base_us?  Linux's time-based reading of
 * tcp_retries2 / tcp_syn_retries (retransmits_timed_out()).
 */
static bool xtcp_timed_out(struct xtcp_sock *xsk, unsigned int boundary,
			   u32 base_us)
{
	u64 limit = xtcp_rto_model_timeout_us(boundary, base_us);

	if (!xsk->retrans_stamp)
		return false;
	return (u64)jiffies_to_usecs(jiffies - xsk->retrans_stamp) >= limit;
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
 * Return: the number of retransmissions or probes before giving up.
 */
unsigned int xtcp_orphan_retries(struct sock *sk, bool alive)
{
	unsigned int retries =
		READ_ONCE(xtcp_pernet(sock_net(sk))->orphan_retries);

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
 * Return: true if @sk was closed.
 */
bool xtcp_out_of_resources(struct sock *sk, bool do_reset)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
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
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	bool syn = sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV;
	unsigned int retry_until = READ_ONCE(xn->retries2);

	if (xsk->snd_una == xsk->snd_nxt)
		return;
	if (!xsk->retrans_stamp)
		xsk->retrans_stamp = jiffies - usecs_to_jiffies(xtcp_rtt_rto(&xsk->rtt));

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
	 * has lasted as long as tcp_syn_retries (from a 1 s RTO) or
	 * tcp_retries2 (from the 200 ms minimum) doubling timeouts would.
	 */
	if (syn ? xtcp_timed_out(xsk, READ_ONCE(xn->syn_retries),
				 jiffies_to_usecs(XTCP_TIMEOUT_INIT)) :
		  xtcp_timed_out(xsk, retry_until, XTCP_RTO_MIN_US)) {
		sk->sk_err = sk->sk_err_soft ? : ETIMEDOUT;
		sk_error_report(sk);
		xtcp_done(sk);
		return;
	}

	xsk->retransmits++;
	xtcp_rtt_backoff(&xsk->rtt);
	if (syn) {
		xtcp_connect_send_syn(sk);
	} else {
		/* RFC 5681 s.3.1 eq. 4 and the loss window of one segment. */
		xsk->cong.ssthresh = xsk->cong_ops->ssthresh(&xsk->cong,
			xtcp_flight_segs(xsk), jiffies_to_msecs(jiffies));
		if (xsk->cong_ops->on_rto)
			xsk->cong_ops->on_rto(&xsk->cong, jiffies_to_msecs(jiffies));
		xsk->cong.cwnd = 1;
		xsk->cong.cwnd_cnt = 0;
		xsk->high_seq = xsk->snd_nxt;
		xsk->in_recovery = 0;
		xsk->dupacks = 0;
		xtcp_retransmit_all(sk);
	}
	xtcp_arm_rtx(sk, XTCP_RTX_RETRANS,
		     usecs_to_jiffies(xtcp_rtt_rto(&xsk->rtt)));
}

static void xtcp_rtx_timer_fn(struct timer_list *t)
{
	struct xtcp_sock *xsk = from_timer(xsk, t, rtx_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
	    xsk->rtx_timer_kind == XTCP_RTX_NONE)
		goto out;
	/* Re-armed for later, or stopped and re-armed, while this run
	 * waited for the lock: only the current deadline counts, as
	 * tcp_write_timer_handler() checks icsk_timeout.
	 */
	if (time_after(xsk->rtx_timeout, jiffies)) {
		sk_reset_timer(sk, &xsk->rtx_timer, xsk->rtx_timeout);
		goto out;
	}
	if (sock_owned_by_user(sk)) {
		/* Due, but the owner holds the socket: try again shortly,
		 * keeping the deadline (already passed).
		 */
		sk_reset_timer(sk, &xsk->rtx_timer, jiffies + XTCP_TIMER_RETRY);
		goto out;
	}
	switch (xsk->rtx_timer_kind) {
	case XTCP_RTX_RETRANS:
		xtcp_retransmit_timer(sk);
		break;
	case XTCP_RTX_PROBE:
		xtcp_send_probe(sk);
		break;
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* An orphan that waited tcp_fin_timeout in FIN_WAIT2 for the peer's FIN
 * is reset and destroyed, as Linux does.
 */
static void xtcp_misc_timer_fn(struct timer_list *t)
{
	struct xtcp_sock *xsk = from_timer(xsk, t, misc_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &xsk->misc_timer, jiffies + XTCP_TIMER_RETRY);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void xtcp_arm_fin_wait2(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	sk_reset_timer(sk, &xtcp_sk(sk)->misc_timer,
		       jiffies + READ_ONCE(xn->fin_timeout));
}

void xtcp_init_timers(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	timer_setup(&xsk->rtx_timer, xtcp_rtx_timer_fn, 0);
	timer_setup(&xsk->misc_timer, xtcp_misc_timer_fn, 0);
}

void xtcp_clear_timers(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->rtx_timer_kind = XTCP_RTX_NONE;
	sk_stop_timer(sk, &xsk->rtx_timer);
	sk_stop_timer(sk, &xsk->misc_timer);
}
