// SPDX-License-Identifier: GPL-2.0
/* xtcp: keepalive (RFC 1122 s.4.2.3.6), as Linux 6.1 does it.
 *
 * SO_KEEPALIVE starts the socket's keepalive timer (timer.c, kind
 * XTCP_TIMER_KEEPALIVE; the same timer ends an orphaned FIN_WAIT2).
 * When it fires on a connection that has nothing in flight or queued
 * and has heard nothing from the peer for the idle time (TCP_KEEPIDLE or
 * net.xtcp.tcp_keepalive_time), a probe goes out: an ACK carrying
 * SND.UNA - 1 and no data, which the peer must answer with an ACK.
 * Probes repeat every TCP_KEEPINTVL (tcp_keepalive_intvl); any acceptable
 * ACK clears the count (xtcp_ack()), and after TCP_KEEPCNT
 * (tcp_keepalive_probes) unanswered ones the connection is reset and the
 * user sees ETIMEDOUT.
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_timer.h>

/**
 * xtcp_keepalive_time_when() - the idle time before the first probe
 * @sk: the socket (any context; lockless reads)
 *
 * Linux's keepalive_time_when(): TCP_KEEPIDLE if set, else the
 * namespace's net.xtcp.tcp_keepalive_time.
 *
 * Context: any; lockless reads (getsockopt(), setsockopt() and the keepalive
 * timer's work call it).
 * Return: jiffies.
 */
u32 xtcp_keepalive_time_when(const struct sock *sk)
{
	int val = READ_ONCE(xtcp_sk(sk)->keepalive_time);

	return val ? : READ_ONCE(xtcp_sk_pernet(sk)->keepalive_time);
}

/**
 * xtcp_keepalive_intvl_when() - the interval between probes
 * @sk: the socket (any context; lockless reads)
 *
 * Linux's keepalive_intvl_when(): TCP_KEEPINTVL if set, else
 * net.xtcp.tcp_keepalive_intvl.
 *
 * Context: any; lockless reads (getsockopt() and the keepalive timer's work
 * call it).
 * Return: jiffies.
 */
u32 xtcp_keepalive_intvl_when(const struct sock *sk)
{
	int val = READ_ONCE(xtcp_sk(sk)->keepalive_intvl);

	return val ? : READ_ONCE(xtcp_sk_pernet(sk)->keepalive_intvl);
}

/**
 * xtcp_keepalive_probes() - unanswered probes before the connection dies
 * @sk: the socket (any context; lockless reads)
 *
 * Linux's keepalive_probes(): TCP_KEEPCNT if set, else
 * net.xtcp.tcp_keepalive_probes.
 *
 * Context: any; lockless reads (getsockopt() and the keepalive timer's work
 * call it).
 * Return: a count.
 */
u32 xtcp_keepalive_probes(const struct sock *sk)
{
	u8 val = READ_ONCE(xtcp_sk(sk)->keepalive_probes);

	return val ? : READ_ONCE(xtcp_sk_pernet(sk)->keepalive_probes);
}

/* How long the peer has been silent: since the later of the last
 * acceptable ACK and the last in-order data (keepalive_time_elapsed()).
 */
static u32 xtcp_keepalive_time_elapsed(const struct xtcp_sock *xsk)
{
	u32 now = jiffies;

	return min_t(u32, now - xsk->lrcvtime, now - xsk->rcv_tstamp);
}

/**
 * xtcp_set_keepalive() - SO_KEEPALIVE changes (struct proto .keepalive)
 * @sk:  the socket, owned by the caller (sock_setsockopt())
 * @val: the new value; SOCK_KEEPOPEN still has the old one
 *
 * Linux's tcp_set_keepalive(): turning it on starts the timer for the
 * idle time, turning it off stops it; nothing in CLOSE or LISTEN, where
 * connect() or accept() start it (xtcp_keepalive_start()).
 *
 * Context: process context, socket owned (lock_sock() in sock_setsockopt()).
 */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val && !sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_reset_keepalive_timer(sk, xtcp_keepalive_time_when(sk));
	else if (!val)
		xtcp_delete_keepalive_timer(sk);
}

/**
 * xtcp_set_keepidle() - setsockopt(TCP_KEEPIDLE)
 * @sk:  the socket, owned by the caller
 * @val: seconds, 1..MAX_TCP_KEEPIDLE
 *
 * Linux's tcp_sock_set_keepidle_locked(): a running keepalive timer is
 * moved to the new idle time counted from the peer's last segment.
 *
 * Context: process context, socket owned (lock_sock()): setsockopt().
 * Return: 0, or -EINVAL for a value out of range.
 */
int xtcp_set_keepidle(struct sock *sk, int val)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 elapsed, when;

	if (val < 1 || val > MAX_TCP_KEEPIDLE)
		return -EINVAL;
	WRITE_ONCE(xsk->keepalive_time, val * HZ);
	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))) {
		when = val * HZ;
		elapsed = xtcp_keepalive_time_elapsed(xsk);
		xtcp_reset_keepalive_timer(sk, when > elapsed ?
					   when - elapsed : 0);
	}
	return 0;
}

/**
 * xtcp_keepalive_start() - a connection was established
 * @sk: the socket, locked (spinlock or owner), just ESTABLISHED
 *
 * The peer was just heard from; with SO_KEEPALIVE the timer starts for
 * the idle time, as tcp_finish_connect() and tcp_create_openreq_child()
 * do.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): the SYN-ACK in segment input, or softirq for a new child
 * nobody sees yet (xtcp_create_child()).
 */
void xtcp_keepalive_start(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->rcv_tstamp = jiffies;
	xsk->lrcvtime = xsk->rcv_tstamp;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_reset_keepalive_timer(sk, xtcp_keepalive_time_when(sk));
}

/**
 * xtcp_keepalive_timer_work() - the keepalive timer's work
 * @sk: the socket, spinlock held, not owned by a user (from the timer or
 *	from release_sock()); not an orphan in FIN_WAIT2 (the caller ends
 *	that one)
 *
 * Linux's tcp_keepalive_timer() after its FIN_WAIT2 branch: in every
 * state but CLOSE, LISTEN and SYN_SENT, with SO_KEEPALIVE on, a
 * connection with data in flight or queued is alive (the retransmission
 * timer watches it) and is looked at again one idle time later; one
 * silent for the idle time gets a probe (RFC 1122 s.4.2.3.6), counted in
 * xtcp_sock.probes, and the next look is one interval later; one whose
 * tcp_keepalive_probes probes all went unanswered is reset and reports
 * ETIMEDOUT (tcp_send_active_reset() + tcp_write_err()). A probe the
 * local queue dropped is retried after TCP_RESOURCE_PROBE_INTERVAL,
 * uncounted.
 *
 * Context: the keepalive timer's work, socket locked: softirq with the spinlock
 * held (xtcp_keepalive_timer()), or process context in release_sock()
 * (xtcp_release_cb()), BHs off.
 */
void xtcp_keepalive_timer_work(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 when = xtcp_keepalive_time_when(sk);
	u32 elapsed;

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    ((1 << sk->sk_state) &
	     (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT))) {
		/* Counted as what it was armed as (FIN_WAIT2 or keepalive). */
		xtcp_timer_note(READ_ONCE(xsk->keepalive_timer.kind),
				XTCP_TIMER_EV_STALE);
		return;
	}

	if (xsk->snd_una != xsk->snd_nxt ||
	    !skb_queue_empty(&sk->sk_write_queue)) {
		xtcp_reset_keepalive_timer(sk, when);
		return;
	}

	elapsed = xtcp_keepalive_time_elapsed(xsk);
	if (elapsed >= when) {
		u32 user_timeout = READ_ONCE(xsk->user_timeout);

		/* With TCP_USER_TIMEOUT, give up once that long has passed
		 * since the peer was last heard and a probe is out, instead
		 * of after the probe count (tcp_keepalive_timer()).
		 */
		if ((user_timeout && xsk->probes &&
		     elapsed >= msecs_to_jiffies(user_timeout)) ||
		    (!user_timeout &&
		     xsk->probes >= xtcp_keepalive_probes(sk))) {
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_write_err(sk);
			return;
		}
		if (xtcp_write_wakeup(sk) <= 0) {
			if (xsk->probes < U8_MAX)
				xsk->probes++;
			elapsed = xtcp_keepalive_intvl_when(sk);
		} else {
			elapsed = TCP_RESOURCE_PROBE_INTERVAL;
		}
	} else {
		/* Due one idle time after the peer was last heard. */
		elapsed = when - elapsed;
	}
	sk_mem_reclaim(sk);
	xtcp_reset_keepalive_timer(sk, elapsed);
}
