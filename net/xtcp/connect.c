// SPDX-License-Identifier: GPL-2.0
/* xtcp: opening connections: connect() (active open), listen() and
 * accept() (passive open), and disconnecting.  Semantics and errno values
 * follow Linux's inet_stream_connect(), inet_listen() and
 * inet_csk_accept().
 */
#include <linux/net.h>
#include <linux/in.h>
#include <linux/sched/signal.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>

/* The connection's peer goes, and with it an address connect() chose
 * rather than the user (inet_bhash2_reset_saddr()).
 */
static void xtcp_forget_peer(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
	}
	xsk->hn.laddr = inet->inet_rcv_saddr;
	xsk->hn.raddr = 0;
	xsk->hn.rport = 0;
}

/* RFC 9293 s.3.10.1 OPEN, active: route, port, ISS, SYN. */
/**
 * xtcp_setup_caps() - what a connected socket's device can do, as for TCP
 * @sk: the socket, owned by the caller or not yet visible to others
 * @dst: its route
 *
 * sk_setup_caps(), plus what that gives TCP sockets alone (its
 * sk_is_tcp() wants AF_INET or AF_INET6, and an xtcp socket's family is
 * AF_XTCP): GSO in software whatever the device offers, so that send
 * skbs carry several segments that the GSO layer cuts, as native TCP's
 * do, also where the device has GSO off.  The GSO size and segment count
 * are the device's, as sk_setup_caps() takes them (no BIG TCP for IPv4).
 * A route with a transform header (IPsec) is left without GSO.
 *
 * Context: process context, socket owned (lock_sock(): connect()), or softirq
 * for a new child nobody sees yet (xtcp_create_child()).
 */
void xtcp_setup_caps(struct sock *sk, struct dst_entry *dst)
{
	const struct net_device *dev = dst->dev;

	sk->sk_gso_type = SKB_GSO_TCPV4;
	sk_setup_caps(sk, dst);
	if (sk_can_gso(sk) || sk->sk_gso_disabled || dst->header_len)
		return;
	sk->sk_route_caps |= NETIF_F_GSO | NETIF_F_GSO_SOFTWARE | NETIF_F_SG |
			     NETIF_F_HW_CSUM;
	sk->sk_gso_max_size = min_t(u32, READ_ONCE(dev->gso_max_size),
				    GSO_LEGACY_MAX_SIZE) - (MAX_TCP_HEADER + 1);
	sk->sk_gso_max_segs = max_t(u32, READ_ONCE(dev->gso_max_segs), 1);
}

static int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr,
			   int addr_len)
{
	struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	__be16 orig_sport = inet->inet_sport;
	struct flowi4 *fl4;
	struct rtable *rt;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET && usin->sin_family != xtcp_family)
		return -EAFNOSUPPORT;

	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, usin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, IPPROTO_TCP, orig_sport,
			      usin->sin_port, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}

	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	inet->inet_rcv_saddr = inet->inet_saddr;
	inet->inet_daddr = usin->sin_addr.s_addr;
	inet->inet_dport = usin->sin_port;
	xsk->hn.laddr = inet->inet_saddr;
	xsk->hn.raddr = inet->inet_daddr;
	xsk->hn.rport = inet->inet_dport;
	xsk->hn.bound_dev_if = sk->sk_bound_dev_if;

	/* No port yet (never bound, bound with IP_BIND_ADDRESS_NO_PORT, or
	 * given up with an earlier connection): an ephemeral one on the
	 * route's source address, shared with other connections while the
	 * 4-tuple is unique, as __inet_hash_connect() picks; it hashes the
	 * connection.  A bound port: the 4-tuple must be free
	 * (__inet_check_established()).
	 */
	if (!xsk->port) {
		err = xtcp_port_connect(sk);
	} else {
		xsk->hn.lport = inet->inet_sport;
		err = xtcp_ehash_insert(&xsk->hn);
	}
	if (err)
		goto failure_rt;

	rt = ip_route_newports(fl4, rt, orig_sport, usin->sin_port,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		goto failure;
	}
	xtcp_setup_caps(sk, &rt->dst);

	xsk->iss = xtcp_isn(inet->inet_saddr, inet->inet_daddr,
			    inet->inet_sport, inet->inet_dport);
	xsk->tsoffset = xtcp_ts_offset(sock_net(sk), inet->inet_saddr,
				       inet->inet_daddr, inet->inet_sport,
				       inet->inet_dport);
	WRITE_ONCE(xsk->snd_una, xsk->iss);
	WRITE_ONCE(xsk->snd_up, xsk->iss);	/* no urgent data */
	xsk->snd_sml = xsk->iss;
	WRITE_ONCE(xsk->snd_nxt, xsk->iss + 1);
	/* RFC 6582 s.3.2 step 1: "recover" starts at the ISS (read only in
	 * the recovery and CWR states, which set it first).
	 */
	xsk->high_seq = xsk->iss;
	xsk->write_seq = xsk->iss + 1;
	xsk->pushed_seq = xsk->write_seq;
	/* tcp_connect_init(): tcp_dst_advmss(), then tcp_mss_clamp(). */
	xsk->advmss = max_t(u32, dst_metric_advmss(&rt->dst), TCP_MIN_MSS);
	if (xsk->user_mss)
		xsk->advmss = min(xsk->advmss, xsk->user_mss);
	xsk->peer_mss = xsk->user_mss;	/* tcp_connect_init()'s mss_clamp */
	xtcp_update_mss(sk);
	xtcp_connect_init_rwin(sk);
	xtcp_set_state(sk, TCP_SYN_SENT);

	/* What a disconnect left for the last connection's user goes
	 * (tcp_connect_init()).
	 */
	WRITE_ONCE(sk->sk_err, 0);
	sock_reset_flag(sk, SOCK_DONE);
	/* The SYN timeout (tcp_syn_retries) counts from the first SYN. */
	xsk->retrans_stamp = jiffies ? : 1;
	xtcp_mstamp_refresh(xsk);	/* tcp_connect() */
	xsk->syn_ts = xtcp_us_to_ts(xsk->tcp_mstamp);
	xsk->syn_sent_us = xsk->tcp_mstamp;
	xtcp_ecn_send_syn(sk);
	xtcp_connect_send_syn(sk);
	XTCP_SK_INC_STATS(sk, XTCP_MIB_ACTIVEOPENS);	/* tcp_connect() */
	xtcp_arm_rtx(sk, XTCP_RTX_RETRANS, XTCP_TIMEOUT_INIT);
	return 0;

failure_rt:
	ip_rt_put(rt);
failure:
	/* Off the established hash, and an automatic port given back. */
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_forget_peer(sk);
	sk->sk_route_caps = 0;
	return err;
}

/* Wait, interruptibly, until the handshake ends; returns the time left. */
static long xtcp_wait_for_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		if (signal_pending(current) || !timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

/**
 * xtcp_disconnect() - abort the connection and make the socket reusable
 * @sk: the socket, owned by the caller (process context)
 *
 * connect(AF_UNSPEC), shutdown() of a listener or a connecting socket,
 * and a connect() that failed (RST in SYN-SENT, timeout, ICMP error),
 * as Linux's tcp_disconnect(): a connection that needs it is reset
 * (RFC 9293 s.3.10.5 ABORT), queues and timers go, and everything a
 * connection learnt (windows, MSS, RTT and backoff, congestion state,
 * loss recovery, probes) returns to what a new socket has, so that the
 * next connect() starts clean.  A port the user bound stays; one taken
 * automatically went when the socket entered CLOSE (xtcp_set_state()).
 *
 * Context: process context, socket owned (lock_sock()): connect(AF_UNSPEC),
 * shutdown(), a failed connect(); takes BH-safe table locks.
 * Return: 0.
 */
int xtcp_disconnect(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		xtcp_stop_listening(sk);
	} else if (old != TCP_CLOSE) {
		/* CLOSE first, then the RST, as tcp_disconnect(). */
		xtcp_set_state(sk, TCP_CLOSE);
		/* tcp_need_reset(), and unsent data after our FIN. */
		if (((1 << old) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 |
				   TCPF_SYN_RECV)) ||
		    (xsk->snd_nxt != xsk->write_seq &&
		     ((1 << old) & (TCPF_CLOSING | TCPF_LAST_ACK)))) {
			xtcp_send_active_reset(sk, sk->sk_allocation);
			WRITE_ONCE(sk->sk_err, ECONNRESET);
		} else if (old == TCP_SYN_SENT) {
			WRITE_ONCE(sk->sk_err, ECONNRESET);
		}
	}
	xtcp_clear_timers(sk);
	xtcp_delack_init(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_wmem_purge(sk);
	xtcp_ooo_purge(sk);

	xtcp_forget_peer(sk);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);

	/* Sequence spaces and windows (RFC 9293 s.3.3.1). */
	xsk->iss = 0;
	WRITE_ONCE(xsk->snd_una, 0);
	WRITE_ONCE(xsk->snd_up, 0);
	WRITE_ONCE(xsk->urg_data, 0);	/* tcp_disconnect() */
	xsk->snd_sml = 0;
	WRITE_ONCE(xsk->snd_nxt, 0);
	xsk->snd_wnd = 0;
	xsk->snd_wl1 = 0;
	WRITE_ONCE(xsk->write_seq, 0);
	xsk->irs = 0;
	WRITE_ONCE(xsk->rcv_nxt, 0);
	xsk->rcv_wnd = 0;
	xsk->rcv_wup = 0;
	WRITE_ONCE(xsk->copied_seq, 0);
	xsk->window_clamp = 0;
	xsk->rcv_ssthresh = 0;
	xsk->snd_wscale = 0;
	xsk->rcv_wscale = 0;
	xsk->sack_ok = 0;
	xtcp_sack_reset(&xsk->sack_rcv);	/* tcp_clear_options() */
	xsk->wscale_ok = 0;
	xsk->mss = TCP_MSS_DEFAULT;
	xsk->peer_mss = 0;
	xsk->advmss = 0;
	xsk->fin_queued = 0;
	/* tcp_disconnect(): a saved SYN goes with the connection. */
	kfree(xsk->saved_syn);
	xsk->saved_syn = NULL;
	/* Timestamps, as tcp_disconnect() (tcp_clear_options()). */
	xsk->tsoffset = 0;
	xsk->ts_recent = 0;
	xsk->ts_recent_stamp = 0;
	xsk->rcv_rtt_last_tsecr = 0;
	xsk->tstamp_ok = 0;

	/* Retransmission, loss recovery, probes, congestion control. */
	xtcp_rtt_init(&xsk->rtt);
	xsk->retrans_stamp = 0;
	xsk->high_seq = 0;
	xsk->retransmits = 0;
	xsk->in_recovery = 0;
	xsk->in_loss = 0;
	/* RACK and reordering as tcp_disconnect() resets them. */
	xtcp_rack_init(&xsk->rack);
	xsk->reord_seen = 0;
	xsk->delivered = 0;
	xtcp_rate_init(&xsk->rate);
	xsk->ca_state = XTCP_CA_OPEN;
	xsk->is_sack_reneg = 0;
	xsk->rack_lost = 0;
	xsk->lost = 0;
	xtcp_prr_init(&xsk->prr, 0);
	xsk->tlp_high_seq = 0;
	xsk->tlp_retrans = 0;
	xsk->loss_probes = 0;
	xsk->loss_probe_recoveries = 0;
	/* Undo (tcp_clear_retrans(), tcp_disconnect()). */
	xsk->prior_ssthresh = 0;
	xsk->undo_stamp = 0;
	xsk->frto = 0;
	xsk->full_undos = 0;
	xsk->partial_undos = 0;
	xsk->dsack_undos = 0;
	xsk->loss_undos = 0;
	xsk->spurious_rtos = 0;
	xsk->probes = 0;
	xsk->probe_backoff = 0;
	xsk->probes_tstamp = 0;
	xsk->max_window = 0;
	xsk->bytes_acked = 0;
	/* TCP_INFO's totals start again with the next connection, as
	 * tcp_disconnect() zeroes them.
	 */
	xsk->total_retrans = 0;
	xsk->dsack_dups = 0;
	xsk->segs_in = 0;
	xsk->segs_out = 0;
	xsk->data_segs_in = 0;
	xsk->data_segs_out = 0;
	xsk->bytes_sent = 0;
	xsk->bytes_retrans = 0;
	xsk->bytes_received = 0;
	xsk->rcv_ooopack = 0;
	xsk->pushed_seq = 0;
	xsk->last_oow_ack_time = 0;
	xtcp_cong_state_init(&xsk->cong, TCP_INIT_CWND, U32_MAX, xsk->mss);
	xsk->cong.hystart =
		!!READ_ONCE(xtcp_sk_pernet(sk)->cubic_hystart);
	xsk->cong_ops->init(&xsk->cong, jiffies_to_msecs(jiffies));

	sk_dst_reset(sk);
	xtcp_rx_dst_reset(sk);	/* tcp_disconnect() */
	sk->sk_route_caps = 0;
	/* As Linux: a socket holds a port exactly when inet_num is set. */
	WARN_ON_ONCE(!inet->inet_num != !xsk->port);
	sk_error_report(sk);
	return 0;
}

/**
 * xtcp_stream_connect() - the connect() system call
 * @sock:     the socket
 * @uaddr:    the peer's address (struct sockaddr_in, AF_INET or AF_XTCP),
 *            or AF_UNSPEC to disconnect
 * @addr_len: size of @uaddr in bytes
 * @flags:    file flags; O_NONBLOCK does not wait for the handshake
 *
 * RFC 9293 s.3.10.1 OPEN, active: routes, picks a local port if none is
 * held, sends the SYN and waits (up to SO_SNDTIMEO, interruptibly) for
 * the handshake to end.  AF_UNSPEC disconnects (xtcp_disconnect()).
 * Linux's inet_stream_connect() with tcp_v4_connect().
 *
 * Context: process context; takes lock_sock() itself; may sleep.
 * Return: 0 when connected (or disconnected by AF_UNSPEC); -EINPROGRESS
 * (first call) or -EALREADY (later calls) while the handshake is still
 * on and the caller may not wait longer; -EISCONN when connected or not
 * closed; -EINVAL for a short address or a bad socket state;
 * -EAFNOSUPPORT for a family other than AF_INET/AF_XTCP; a routing
 * error (-ENETUNREACH...); -EADDRNOTAVAIL when no local port or 4-tuple
 * is free; -EINTR or -ERESTARTSYS on a signal; the socket's error
 * (-ECONNREFUSED, -ETIMEDOUT, an ICMP error...) or -ECONNABORTED when
 * the attempt failed.
 */
int xtcp_stream_connect(struct socket *sock, struct sockaddr *uaddr,
			int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (addr_len < sizeof(uaddr->sa_family))
		return -EINVAL;

	if (uaddr->sa_family != AF_UNSPEC)
		xtcp_demux_enable(sock_net(sk));
	lock_sock(sk);
	if (uaddr->sa_family == AF_UNSPEC) {
		err = xtcp_disconnect(sk);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		goto out;
	}

	switch (sock->state) {
	default:
		err = -EINVAL;
		goto out;
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = xtcp_v4_connect(sk, uaddr, addr_len);
		if (err < 0)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		/* Non-blocking, or SO_SNDTIMEO ran out: EINPROGRESS/EALREADY. */
		if (!timeo)
			goto out;
		timeo = xtcp_wait_for_connect(sk, timeo);
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
			err = -EINPROGRESS;
			goto out;
		}
	}

	/* Closed by RST, timeout or ICMP error while connecting: reset
	 * for the next attempt, as __inet_stream_connect() does.
	 */
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		if (xtcp_disconnect(sk))
			sock->state = SS_DISCONNECTING;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

/**
 * xtcp_listen() - the listen() system call
 * @sock:    the socket
 * @backlog: the accept queue's limit, in connections (also caps the SYN
 *           queue, see xtcp_req_create())
 *
 * RFC 9293 s.3.10.1 OPEN, passive; Linux's inet_listen() with
 * inet_csk_listen_start().  An unbound socket gets an ephemeral port; a
 * listener may change its backlog by calling listen() again.
 *
 * Context: process context; takes lock_sock() itself; may sleep.
 * Return: 0; -EINVAL when the socket is connected or neither closed nor
 * listening; -EADDRINUSE when the port cannot be used for listening;
 * another errno from taking an ephemeral port (xtcp_port_reserve());
 * -ENOMEM when a reuseport group cannot be allocated.
 */
int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int err;

	xtcp_demux_enable(sock_net(sk));
	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED ||
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;

	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (sk->sk_state != TCP_LISTEN) {
		/* No port: an ephemeral one on the bound address (kept by
		 * IP_BIND_ADDRESS_NO_PORT or a disconnect), as
		 * inet_csk_listen_start() asks get_port() for port 0.
		 */
		if (!xsk->port) {
			struct sockaddr_in local = {
				.sin_family = AF_INET,
				.sin_addr.s_addr = inet_sk(sk)->inet_rcv_saddr,
			};

			err = xtcp_port_reserve(sk, &local, false);
			if (err)
				goto out;
		}
		err = xtcp_port_listen(sk);
		if (err)
			goto out;
		atomic_set(&xsk->syn_qlen, 0);
		WRITE_ONCE(xsk->syn_young, 0);
		WRITE_ONCE(sk->sk_ack_backlog, 0);
		/* A new queue: flooding is warned about again
		 * (reqsk_queue_alloc()).
		 */
		WRITE_ONCE(xsk->synflood_warned, 0);
		/* The listener's key, with options set since bind(). */
		xsk->hn.laddr = inet_sk(sk)->inet_rcv_saddr;
		xsk->hn.lport = inet_sk(sk)->inet_sport;
		xsk->hn.raddr = 0;
		xsk->hn.rport = 0;
		xsk->hn.bound_dev_if = sk->sk_bound_dev_if;
		xtcp_set_state(sk, TCP_LISTEN);
		err = xtcp_lhash_insert(&xsk->hn);
		if (err) {
			xtcp_port_unlisten(sk);
			xtcp_set_state(sk, TCP_CLOSE);
			goto out;
		}
	}
	err = 0;
out:
	release_sock(sk);
	return err;
}

/**
 * xtcp_child_abort() - reset and free a child nobody will accept
 * @child: a completed connection of a closed listener, on no accept
 *	queue and owned by nobody
 *
 * As Linux's inet_child_forget(): the peer gets a RST and the child goes.
 * Context: BH off, @child's spinlock held; the caller keeps @child's
 * memory valid until it unlocks (a reference, or staying in BH context).
 */
void xtcp_child_abort(struct sock *child)
{
	sock_orphan(child);
	/* CLOSE first, then the RST (tcp_disconnect() from
	 * inet_child_forget()).
	 */
	if (child->sk_state != TCP_CLOSE) {
		xtcp_set_state(child, TCP_CLOSE);
		xtcp_send_active_reset(child, GFP_ATOMIC);
	}
	xtcp_done(child);
}

/**
 * xtcp_stop_listening() - close a listener
 * @sk: a listener, owned by the caller (lock_sock())
 *
 * No new SYNs, half-open connections dropped, and connections nobody
 * accepted reset (RFC 9293 s.3.10.4 LISTEN), as inet_csk_listen_stop():
 * the state leaves LISTEN under accept_lock first, so no SYN queue entry
 * or child is added after the queues are emptied (xtcp_req_create() and
 * xtcp_req_rcv() check it under that lock).  Linear in what is queued.
 * Context: process context.
 */
void xtcp_stop_listening(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	LIST_HEAD(children);
	struct xtcp_sock *child, *tmp;

	xtcp_lhash_remove(&xsk->hn);
	spin_lock_bh(&xsk->accept_lock);
	xtcp_state_store(sk, TCP_CLOSE);
	list_splice_init(&xsk->accept_queue, &children);
	WRITE_ONCE(sk->sk_ack_backlog, 0);
	spin_unlock_bh(&xsk->accept_lock);
	xtcp_listener_drop_reqs(sk);

	list_for_each_entry_safe(child, tmp, &children, accept_node) {
		struct sock *csk = &child->inet.sk;

		list_del_init(&child->accept_node);
		sock_hold(csk);
		local_bh_disable();
		bh_lock_sock(csk);
		xtcp_child_abort(csk);
		bh_unlock_sock(csk);
		local_bh_enable();
		sock_put(csk);
	}
	xtcp_port_unlisten(sk);
	xtcp_set_state(sk, TCP_CLOSE);
}

/**
 * xtcp_accept() - the accept() system call
 * @sock:    the listening socket
 * @newsock: the new socket the accepted connection is grafted onto
 * @flags:   file flags; O_NONBLOCK does not wait
 * @kern:    true for a kernel socket (unused, as the child exists already)
 *
 * Takes the oldest completed connection off the accept queue, waiting
 * for one up to SO_RCVTIMEO, interruptibly.  Linux's inet_accept() with
 * inet_csk_accept().
 *
 * Context: process context; takes lock_sock() on the listener and on
 * the child itself; may sleep.
 * Return: 0; -EINVAL when @sock is not listening (or stops while we
 * wait); -EAGAIN when none is queued and we may not wait (longer);
 * -EINTR or -ERESTARTSYS on a signal.
 */
int xtcp_accept(struct socket *sock, struct socket *newsock, int flags,
		bool kern)
{
	struct sock *sk = sock->sk, *child = NULL;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);

	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		spin_lock_bh(&xsk->accept_lock);
		if (!list_empty(&xsk->accept_queue)) {
			child = &list_first_entry(&xsk->accept_queue,
						  struct xtcp_sock,
						  accept_node)->inet.sk;
			list_del_init(&xtcp_sk(child)->accept_node);
			sk_acceptq_removed(sk);
		}
		spin_unlock_bh(&xsk->accept_lock);
		if (child)
			break;
		err = -EAGAIN;
		if (!timeo)
			break;
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (!child)
		goto out;

	lock_sock_nested(child, SINGLE_DEPTH_NESTING);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	err = 0;
out:
	release_sock(sk);
	return err;
}
