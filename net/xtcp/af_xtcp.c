// SPDX-License-Identifier: GPL-2.0
/* xtcp: the AF_XTCP socket family, its proto_ops and struct proto, the
 * socket's life (creation, state changes, close, destruction), socket
 * options and ioctls, and module load/unload.
 *
 * Sockets speak IPv4 addresses (struct sockaddr_in), so the family only
 * changes which TCP implementation a socket gets, not how it is addressed.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/termios.h>
#include <linux/sockios.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/tcp_states.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>
#include <uapi/linux/xtcp.h>
#include <trace/events/xtcp.h>

int xtcp_family = XTCP_DEFAULT_FAMILY;
module_param_named(family, xtcp_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_XTCP (default 12)");

unsigned int xtcp_net_id __read_mostly;

/* An address from user space is IPv4: AF_INET or our own family number. */
static bool xtcp_addr_family_ok(const struct sockaddr_in *sin)
{
	return sin->sin_family == AF_INET || sin->sin_family == xtcp_family;
}

/**
 * xtcp_state_store() - store a new sk_state, traced
 * @sk:    the socket
 * @state: TCP_* state
 *
 * The one place sk_state changes: the xtcp:xtcp_set_state event and
 * inet_sk_set_state()'s sock:inet_sock_set_state fire with the old and
 * new state, so that state changes show in tracing as native TCP's do;
 * the store is a release for lockless readers (inet_sk_state_load()).
 * Storing the state the socket is in already does nothing.
 * Nothing else (hashing, ports, counters) is done here.
 *
 * Context: as xtcp_set_state(), or a listener's accept_lock held
 * (xtcp_stop_listening()).
 */
void xtcp_state_store(struct sock *sk, int state)
{
	/* xtcp_done() and xtcp_destroy_sock() close what may be closed
	 * already: no CLOSE -> CLOSE events.
	 */
	if (sk->sk_state == state)
		return;
	trace_xtcp_set_state(sk, sk->sk_state, state);
	inet_sk_set_state(sk, state);
	/* pairs with smp_load_acquire() in inet_sk_state_load() */
	smp_store_release(&sk->sk_state, state);
}

/**
 * xtcp_set_state() - change the socket's TCP state
 * @sk:    the socket, locked (owner or spinlock)
 * @state: TCP_* state
 *
 * Entering CLOSE takes the socket off the lookup tables and gives its
 * port back unless the user bound that port (SOCK_BINDPORT_LOCK), as
 * tcp_set_state() does; such a port goes with the socket
 * (xtcp_destroy_sock()).  Context: the socket's owner or a holder of its
 * spinlock; the port is free when this returns.
 */
void xtcp_set_state(struct sock *sk, int state)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (state == TCP_CLOSE) {
		if (sk->sk_state == TCP_LISTEN)
			xtcp_lhash_remove(&xsk->hn);
		else
			xtcp_ehash_remove(&xsk->hn);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xtcp_port_release(sk);
	}
	xtcp_mib_set_state(sk, sk->sk_state, state);
	xtcp_state_store(sk, state);
	/* Read locklessly by /proc/net/xtcp (proc.c). */
	WRITE_ONCE(xsk->hn.state, state);
}

/**
 * xtcp_destroy_sock() - release an orphaned, closed socket's resources
 * @sk: the socket, orphaned (SOCK_DEAD) and closed or about to be
 *
 * Frees what the socket still holds (timers, write and receive queues,
 * the out-of-order queue, its orphan count, its table entries and port)
 * and drops the reference the socket held on itself since creation.
 * Runs once; later calls do nothing.  Linux's inet_csk_destroy_sock()
 * with tcp_v4_destroy_sock().
 *
 * Context: socket locked: softirq or BH-off process context with the
 * socket spinlock held (xtcp_close(), timers, segment input), or the
 * owner (backlog processing, release_sock()'s xtcp_release_cb()).
 */
void xtcp_destroy_sock(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->destroyed)
		return;
	xsk->destroyed = 1;
	xtcp_clear_timers(sk);
	xtcp_wmem_purge(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ooo_purge(sk);
	if (xsk->orphan_counted) {
		atomic_dec(&xtcp_sk_pernet(sk)->orphans);
		xsk->orphan_counted = 0;
	}
	/* Also for a socket that was only bound: off every table, port back
	 * (tcp_v4_destroy_sock() puts even a port the user bound).
	 */
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_port_release(sk);
	sock_put(sk);
}

/**
 * xtcp_done() - the connection is over
 * @sk: the socket
 *
 * Linux's tcp_done(): the socket moves to CLOSE (a handshake that had
 * not completed counts as an attempt failure), its timers stop, both
 * directions shut down; a socket with a user wakes it, an orphan is
 * destroyed (xtcp_destroy_sock()).
 *
 * Context: socket locked: softirq with the socket spinlock held (input,
 * timers, xtcp_close()'s orphan step), or the owner (backlog, deferred
 * timer work in xtcp_release_cb(), process-context paths under
 * lock_sock()).
 */
void xtcp_done(struct sock *sk)
{
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		XTCP_SK_INC_STATS(sk, XTCP_MIB_ATTEMPTFAILS);
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_timers(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		xtcp_destroy_sock(sk);
}

/**
 * xtcp_close_state() - move to the state close() or SHUT_WR leads to
 * @sk: the socket
 *
 * RFC 9293 s.3.10.4 (CLOSE call): SYN_RECV and ESTABLISHED go to
 * FIN_WAIT1, CLOSE_WAIT to LAST_ACK; any other state is left alone.
 * The table-driven tcp_close_state() of Linux, reduced to the states
 * that send a FIN.
 *
 * Context: process context, socket owned (lock_sock()): xtcp_close()
 * and xtcp_shutdown().
 * Return: 1 when a FIN must be sent, 0 otherwise.
 */
int xtcp_close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_FIN_WAIT1);
		return 1;
	case TCP_CLOSE_WAIT:
		xtcp_set_state(sk, TCP_LAST_ACK);
		return 1;
	}
	return 0;
}

static int xtcp_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	int err;

	/* Same checks, in the same order, as inet_bind() (af_inet.c). */
	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	/* AF_UNSPEC with INADDR_ANY is accepted for old programs, as Linux does. */
	if (!xtcp_addr_family_ok(sin) &&
	    (sin->sin_family != AF_UNSPEC ||
	     sin->sin_addr.s_addr != htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || inet_sk(sk)->inet_num)
		goto out;
	err = xtcp_port_reserve(sk, sin, true);
	if (!err)
		sk_dst_reset(sk);
out:
	release_sock(sk);
	return err;
}

static int xtcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	/* Always AF_INET: programs compare sin_family against it. */
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		/* peer == 2 is the kernel's own query, allowed mid-handshake. */
		if (!inet->inet_dport ||
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT) &&
		     peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr ?: inet->inet_saddr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

/* tcp_push_pending_frames(): send what the send queue holds, as the
 * socket's Nagle and cork flags allow (XTCP_NAGLE_PUSH among them).
 * Data is queued only once the connection is established.
 */
static void xtcp_push_pending(struct sock *sk)
{
	if (!skb_queue_empty(&sk->sk_write_queue) &&
	    !((1 << sk->sk_state) &
	      (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT | TCPF_SYN_RECV)))
		xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle);
}

/* TCP_CONGESTION: at most 15 bytes of a name (do_tcp_setsockopt()). */
static int xtcp_setsockopt_congestion(struct sock *sk, sockptr_t optval,
				      unsigned int optlen)
{
	char name[XTCP_CONG_NAME_MAX];
	long len;
	int err;

	if (optlen < 1)
		return -EINVAL;
	len = strncpy_from_sockptr(name, optval,
				   min_t(long, sizeof(name) - 1, optlen));
	if (len < 0)
		return -EFAULT;
	name[len] = '\0';
	lock_sock(sk);
	err = xtcp_set_congestion_control(sk, name,
					  ns_capable(sock_net(sk)->user_ns,
						     CAP_NET_ADMIN));
	release_sock(sk);
	return err;
}

/* TCP_DEFER_ACCEPT's seconds as SYN-ACK timeouts: the fewest whose
 * periods (1 s doubling, at most TCP_RTO_MAX each) add up to @secs, at
 * most 255; 0 for none (Linux's secs_to_retrans()).
 */
static u8 xtcp_defer_secs_to_retrans(int secs)
{
	int timeout = TCP_TIMEOUT_INIT / HZ, period = timeout;
	u8 n = 1;

	if (secs <= 0)
		return 0;
	while (secs > period && n < 255) {
		n++;
		timeout = min_t(int, timeout << 1, TCP_RTO_MAX / HZ);
		period += timeout;
	}
	return n;
}

/* And back: the seconds @n timeouts last (retrans_to_secs()). */
static int xtcp_defer_retrans_to_secs(u8 n)
{
	int timeout = TCP_TIMEOUT_INIT / HZ, period;

	if (!n)
		return 0;
	period = timeout;
	while (--n) {
		timeout = min_t(int, timeout << 1, TCP_RTO_MAX / HZ);
		period += timeout;
	}
	return period;
}

/* TCP_SAVED_SYN: the headers TCP_SAVE_SYN kept of the SYN that made
 * this connection, once (they are freed once read): -EINVAL with the
 * length needed in *@optlen when @len is short, length 0 when there are
 * none (do_tcp_getsockopt()).
 */
static int xtcp_getsockopt_saved_syn(struct sock *sk, char __user *optval,
				     int __user *optlen, int len)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct saved_syn *saved;
	int err = 0;
	u32 need;

	lock_sock(sk);
	saved = xsk->saved_syn;
	if (!saved) {
		release_sock(sk);
		return put_user(0, optlen) ? -EFAULT : 0;
	}
	need = saved->mac_hdrlen + saved->network_hdrlen + saved->tcp_hdrlen;
	if (put_user(need, optlen))
		err = -EFAULT;
	else if (len < need)
		err = -EINVAL;
	else if (copy_to_user(optval, saved->data, need))
		err = -EFAULT;
	if (!err) {
		xsk->saved_syn = NULL;
		kfree(saved);
	}
	release_sock(sk);
	return err;
}

/* TCP-level options: TCP_NODELAY, TCP_CORK, TCP_MAXSEG, TCP_QUICKACK,
 * TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, TCP_SYNCNT, TCP_LINGER2, TCP_DEFER_ACCEPT,
 * TCP_THIN_LINEAR_TIMEOUTS, TCP_THIN_DUPACK, TCP_SAVE_SYN,
 * TCP_USER_TIMEOUT, TCP_WINDOW_CLAMP, TCP_NOTSENT_LOWAT, TCP_INQ,
 * TCP_TX_DELAY and TCP_CONGESTION with
 * Linux's checks (do_tcp_setsockopt()), and XTCP_REUSEPORT (uapi/linux/xtcp.h);
 * the full set arrives with the features behind it.  Unknown ones are
 * ENOPROTOOPT, never a silent success.
 */
static int xtcp_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int val, err = 0;

	if (level != SOL_TCP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (optname == TCP_CONGESTION)
		return xtcp_setsockopt_congestion(sk, optval, optlen);
	if (optname != TCP_NODELAY && optname != TCP_CORK &&
	    optname != TCP_MAXSEG &&
	    optname != TCP_KEEPIDLE && optname != TCP_KEEPINTVL &&
	    optname != TCP_KEEPCNT && optname != XTCP_REUSEPORT &&
	    optname != TCP_QUICKACK && optname != TCP_SYNCNT &&
	    optname != TCP_LINGER2 && optname != TCP_USER_TIMEOUT &&
	    optname != TCP_WINDOW_CLAMP && optname != TCP_NOTSENT_LOWAT &&
	    optname != TCP_INQ && optname != TCP_DEFER_ACCEPT &&
	    optname != TCP_THIN_LINEAR_TIMEOUTS && optname != TCP_THIN_DUPACK &&
	    optname != TCP_SAVE_SYN && optname != TCP_TX_DELAY)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		/* __tcp_sock_set_nodelay(): setting it sends what Nagle or a
		 * cork held back, once; a cork set later holds again.
		 */
		if (val) {
			xsk->nonagle |= XTCP_NAGLE_OFF | XTCP_NAGLE_PUSH;
			xtcp_push_pending(sk);
		} else {
			xsk->nonagle &= ~XTCP_NAGLE_OFF;
		}
		break;
	case TCP_CORK:
		/* __tcp_sock_set_cork(): partial segments wait while corked
		 * (at most until the probe timer); uncorking sends them,
		 * whatever Nagle says when TCP_NODELAY is on.
		 */
		if (val) {
			xsk->nonagle |= XTCP_NAGLE_CORK;
		} else {
			xsk->nonagle &= ~XTCP_NAGLE_CORK;
			if (xsk->nonagle & XTCP_NAGLE_OFF)
				xsk->nonagle |= XTCP_NAGLE_PUSH;
			xtcp_push_pending(sk);
		}
		break;
	case TCP_MAXSEG:
		if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(xsk->user_mss, val);
		break;
	case TCP_KEEPIDLE:
		err = xtcp_set_keepidle(sk, val);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > MAX_TCP_KEEPINTVL)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->keepalive_intvl, val * HZ);
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > MAX_TCP_KEEPCNT)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->keepalive_probes, val);
		break;
	case XTCP_REUSEPORT:
		/* SO_REUSEPORT, which 6.1 refuses to non-inet families. */
		sk->sk_reuseport = !!val;
		break;
	case TCP_QUICKACK:
		xtcp_set_quickack(sk, val);
		break;
	case TCP_SYNCNT:
		if (val < 1 || val > MAX_TCP_SYNCNT)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->syn_retries, val);
		break;
	case TCP_LINGER2:
		/* Seconds; negative: none; capped at two minutes. */
		if (val < 0)
			WRITE_ONCE(xsk->linger2, -1);
		else if (val > TCP_FIN_TIMEOUT_MAX / HZ)
			WRITE_ONCE(xsk->linger2, TCP_FIN_TIMEOUT_MAX);
		else
			WRITE_ONCE(xsk->linger2, val * HZ);
		break;
	case TCP_DEFER_ACCEPT:
		/* Any state; what it does, see xtcp_sock.defer_accept. */
		WRITE_ONCE(xsk->defer_accept, xtcp_defer_secs_to_retrans(val));
		break;
	case TCP_THIN_LINEAR_TIMEOUTS:
		if (val < 0 || val > 1)
			err = -EINVAL;
		else
			xsk->thin_lto = val;
		break;
	case TCP_THIN_DUPACK:
		/* Gone from Linux (its RACK does this): checked, no effect. */
		if (val < 0 || val > 1)
			err = -EINVAL;
		break;
	case TCP_SAVE_SYN:
		/* 0 off, 1 from the IPv4 header, 2 from the MAC header. */
		if (val < 0 || val > 2)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->save_syn, val);
		break;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->user_timeout, val);
		break;
	case TCP_WINDOW_CLAMP:
		err = xtcp_set_window_clamp(sk, val);
		break;
	case TCP_NOTSENT_LOWAT:
		/* Any value (unsigned); a writer may now be writable. */
		WRITE_ONCE(xsk->notsent_lowat, val);
		sk->sk_write_space(sk);
		break;
	case TCP_INQ:
		if (val > 1 || val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(xsk->recvmsg_inq, val);
		break;
	case TCP_TX_DELAY:
		/* Usecs, unchecked: a negative value is a huge delay, as
		 * Linux stores it (tcp_tx_delay is a u32).
		 */
		WRITE_ONCE(xsk->tx_delay, val);
		break;
	}
	release_sock(sk);
	return err;
}

static int xtcp_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int val, len;

	if (level != SOL_TCP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == TCP_INFO)
		return xtcp_getsockopt_info(sk, optval, optlen, len);
	if (optname == TCP_SAVED_SYN)
		return xtcp_getsockopt_saved_syn(sk, optval, optlen, len);
	if (optname == TCP_CONGESTION) {
		/* The whole 16-byte name field, NUL-padded, or its start. */
		char name[XTCP_CONG_NAME_MAX] = {};

		len = min_t(unsigned int, len, sizeof(name));
		/* Unlocked: the algorithm may be switched away and its
		 * module unloaded meanwhile, after a grace period.
		 */
		rcu_read_lock();
		strscpy(name, READ_ONCE(xsk->cong_ops)->name, sizeof(name));
		rcu_read_unlock();
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	len = min_t(unsigned int, len, sizeof(int));

	switch (optname) {
	case TCP_NODELAY:
		val = !!(xsk->nonagle & XTCP_NAGLE_OFF);
		break;
	case TCP_CORK:
		val = !!(xsk->nonagle & XTCP_NAGLE_CORK);
		break;
	case XTCP_REUSEPORT:
		val = sk->sk_reuseport;
		break;
	case TCP_MAXSEG:
		/* As Linux: the MSS in use, or what the user asked for. */
		val = READ_ONCE(xsk->mss) ? : TCP_MSS_DEFAULT;
		if (xsk->user_mss &&
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			val = xsk->user_mss;
		break;
	case TCP_KEEPIDLE:
		val = xtcp_keepalive_time_when(sk) / HZ;
		break;
	case TCP_KEEPINTVL:
		val = xtcp_keepalive_intvl_when(sk) / HZ;
		break;
	case TCP_KEEPCNT:
		val = xtcp_keepalive_probes(sk);
		break;
	case TCP_QUICKACK:
		val = xtcp_quickack_get(sk);
		break;
	case TCP_SYNCNT:
		val = READ_ONCE(xsk->syn_retries) ? :
		      READ_ONCE(xtcp_sk_pernet(sk)->syn_retries);
		break;
	case TCP_LINGER2:
		val = READ_ONCE(xsk->linger2);
		if (val >= 0)
			val = (val ? :
			       READ_ONCE(xtcp_sk_pernet(sk)->fin_timeout)) /
			      HZ;
		break;
	case TCP_DEFER_ACCEPT:
		val = xtcp_defer_retrans_to_secs(READ_ONCE(xsk->defer_accept));
		break;
	case TCP_THIN_LINEAR_TIMEOUTS:
		val = xsk->thin_lto;
		break;
	case TCP_THIN_DUPACK:
		val = 0;
		break;
	case TCP_SAVE_SYN:
		val = READ_ONCE(xsk->save_syn);
		break;
	case TCP_USER_TIMEOUT:
		val = READ_ONCE(xsk->user_timeout);
		break;
	case TCP_WINDOW_CLAMP:
		val = READ_ONCE(xsk->window_clamp);
		break;
	case TCP_NOTSENT_LOWAT:
		val = READ_ONCE(xsk->notsent_lowat);
		break;
	case TCP_INQ:
		val = READ_ONCE(xsk->recvmsg_inq);
		break;
	case TCP_TX_DELAY:
		val = READ_ONCE(xsk->tx_delay);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* close() (RFC 9293 s.3.10.4): unread data or SO_LINGER {1, 0} aborts
 * with a RST (RFC 2525 s.2.17); otherwise a FIN follows the data, and the
 * connection finishes without its owner.  With SO_LINGER the caller waits
 * up to the linger time for that.
 */
static void xtcp_close(struct sock *sk, long timeout)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool unread;
	int old;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);

	if (sk->sk_state == TCP_LISTEN) {
		xtcp_stop_listening(sk);
		goto orphan;
	}
	unread = !skb_queue_empty(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_receive_queue);

	if (sk->sk_state == TCP_CLOSE) {
		/* nothing to say to anyone */
	} else if (unread || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* tcp_close(): unread data is TCPAbortOnClose, a zero
		 * linger time (tcp_disconnect()) TCPAbortOnData.
		 */
		XTCP_SK_INC_STATS(sk, unread ? XTCP_MIB_TCPABORTONCLOSE :
				  XTCP_MIB_TCPABORTONDATA);
		/* CLOSE first, then the RST, as __tcp_close(). */
		old = sk->sk_state;
		xtcp_set_state(sk, TCP_CLOSE);
		if (old != TCP_SYN_SENT)
			xtcp_send_active_reset(sk, sk->sk_allocation);
	} else if (sk->sk_state == TCP_SYN_SENT) {
		xtcp_set_state(sk, TCP_CLOSE);
	} else if (xtcp_close_state(sk)) {
		xtcp_send_fin(sk);
	}

	if (timeout && sk->sk_state != TCP_CLOSE) {
		DEFINE_WAIT_FUNC(wait, woken_wake_function);

		add_wait_queue(sk_sleep(sk), &wait);
		while (!signal_pending(current) && timeout &&
		       ((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_CLOSING |
					       TCPF_LAST_ACK)))
			sk_wait_event(sk, &timeout,
				      !((1 << sk->sk_state) &
					(TCPF_FIN_WAIT1 | TCPF_CLOSING |
					 TCPF_LAST_ACK)), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}

orphan:
	/* A closed socket's port is free when close() returns. */
	if (sk->sk_state == TCP_CLOSE)
		xtcp_port_release(sk);
	xtcp_port_orphan(sk);
	sock_hold(sk);
	sock_orphan(sk);
	release_sock(sk);

	/* From here on the socket can also be finished by softirq. */
	local_bh_disable();
	bh_lock_sock(sk);
	/* TCP_LINGER2 < 0: no FIN_WAIT2 without an owner; checked before
	 * the orphan limits, as tcp_close() does.
	 */
	if (sk->sk_state == TCP_FIN_WAIT2 && READ_ONCE(xsk->linger2) < 0) {
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPABORTONLINGER);
	}
	if (sk->sk_state == TCP_CLOSE) {
		xtcp_destroy_sock(sk);
	} else if (atomic_read(&xn->orphans) >= READ_ONCE(xn->max_orphans)) {
		/* Linux's "too many orphaned sockets": abort instead. */
		net_warn_ratelimited("xtcp: too many orphaned sockets\n");
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
	} else {
		atomic_inc(&xn->orphans);
		xsk->orphan_counted = 1;
		if (sk->sk_state == TCP_FIN_WAIT2)
			xtcp_orphan_fin_wait2(sk, false);
	}
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);
}

static int xtcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;
	if (sock_flag(sk, SOCK_LINGER) && !(current->flags & PF_EXITING))
		timeout = sk->sk_lingertime;
	sk->sk_prot->close(sk, timeout);
	sock->sk = NULL;
	return 0;
}

static int xtcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	/* SHUT_RD, SHUT_WR, SHUT_RDWR map to RCV_SHUTDOWN, SEND_SHUTDOWN, both. */
	how++;
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) &
		    (TCPF_SYN_SENT | TCPF_SYN_RECV | TCPF_CLOSE))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}

	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		/* Still wake pollers that wait for EPOLLHUP, as inet does. */
		fallthrough;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if ((how & SEND_SHUTDOWN) && xtcp_close_state(sk))
			xtcp_send_fin(sk);
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		fallthrough;
	case TCP_SYN_SENT:
		err = xtcp_disconnect(sk);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		break;
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

/* FIONREAD/SIOCINQ, SIOCATMARK, SIOCOUTQ and SIOCOUTQNSD as Linux's tcp_ioctl();
 * everything else goes on to the generic handlers.
 */
static int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = xsk->rcv_nxt - xsk->copied_seq;
		/* The FIN takes a sequence number but is not data. */
		if (answ && sock_flag(sk, SOCK_DONE))
			answ--;
		release_sock(sk);
		break;
	case SIOCATMARK:
		/* The reader is at the urgent byte (sockatmark()). */
		answ = READ_ONCE(xsk->urg_data) &&
		       READ_ONCE(xsk->urg_seq) == READ_ONCE(xsk->copied_seq);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ? 0 :
			READ_ONCE(xsk->write_seq) - READ_ONCE(xsk->snd_una);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ? 0 :
			READ_ONCE(xsk->write_seq) - READ_ONCE(xsk->snd_nxt);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

static void xtcp_sock_destruct(struct sock *sk)
{
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_error_queue);
	/* Everything charged was given back (inet_sock_destruct()). */
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON_ONCE(sk->sk_wmem_queued);
	WARN_ON_ONCE(sk->sk_forward_alloc);
	sk_sockets_allocated_dec(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	WARN_ON_ONCE(xtcp_sk(sk)->port);
	WARN_ON_ONCE(!sock_flag(sk, SOCK_DEAD));
	kfree(rcu_dereference_protected(inet_sk(sk)->inet_opt, 1));
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
	xtcp_rx_dst_reset(sk);
	if (xtcp_sk(sk)->cong_ops)
		xtcp_cong_put(xtcp_sk(sk)->cong_ops);
	kfree(xtcp_sk(sk)->saved_syn);
}

/* The socket flags a child takes from its listener, as sk_clone_lock()
 * copies sk_flags: SO_KEEPALIVE, SO_LINGER, SO_OOBINLINE, SO_DEBUG,
 * SO_DONTROUTE, SO_LOCK_FILTER (the filter itself is
 * xtcp_create_child()'s to share), SO_RXQ_OVFL, SO_SELECT_ERR_QUEUE,
 * SO_WIFI_STATUS, SO_NOFCS, SO_BROADCAST, SO_RCVMARK, SO_TXTIME.  Not the
 * timestamp ones, which need the netstamp key taken (and xtcp delivers no
 * receive timestamps).
 */
static const enum sock_flags xtcp_child_flags[] = {
	SOCK_KEEPOPEN, SOCK_LINGER, SOCK_URGINLINE, SOCK_DBG, SOCK_LOCALROUTE,
	SOCK_FILTER_LOCKED, SOCK_RXQ_OVFL, SOCK_SELECT_ERR_QUEUE,
	SOCK_WIFI_STATUS, SOCK_NOFCS, SOCK_BROADCAST, SOCK_RCVMARK,
	SOCK_TXTIME,
};

/**
 * xtcp_init_sock_common() - initialise a new xtcp socket
 * @sk:     the socket, just allocated and sock_init_data()'d, not yet
 *          visible to anyone else
 * @parent: the listener whose completed handshake made @sk, or NULL for
 *          a socket made by socket()
 *
 * What every xtcp socket starts with (tcp_init_sock()); a child takes
 * its listener's settings as Linux children do (inet_csk_clone_lock(),
 * tcp_create_openreq_child()).  Defaults (buffer sizes in bytes,
 * reordering in segments, congestion control) come from the namespace's
 * knobs.
 *
 * Context: process context for socket() (xtcp_create()); softirq for a
 * child (xtcp_create_child()), @parent not locked.  No lock on @sk is
 * needed: nobody else sees it yet.
 */
void xtcp_init_sock_common(struct sock *sk, const struct sock *parent)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	xsk->xn = xn;
	/* Lookups walk hash chains under RCU only. */
	sock_set_flag(sk, SOCK_RCU_FREE);
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_destruct = xtcp_sock_destruct;
	sk->sk_backlog_rcv = xtcp_backlog_rcv;
	sk->sk_write_space = xtcp_sk_write_space;

	inet->uc_ttl = -1;
	inet->mc_loop = 1;
	inet->mc_ttl = 1;
	inet->mc_all = 1;
	inet->pmtudisc = READ_ONCE(sock_net(sk)->ipv4.sysctl_ip_no_pmtu_disc) ?
			 IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;

	xtcp_hn_init(&xsk->hn, sock_net(sk), XTCP_HK_SOCK);
	WRITE_ONCE(xsk->hn.state, TCP_CLOSE);
	xsk->rtx_queue = RB_ROOT;
	INIT_LIST_HEAD(&xsk->tsorted_sent_queue);
	xsk->out_of_order_queue = RB_ROOT;
	/* tcp_init_sock(): RACK, and the initial duplicate threshold. */
	xtcp_rack_init(&xsk->rack);
	xsk->reordering = READ_ONCE(xn->reordering);
	xsk->undo_retrans = -1;	/* tcp_clear_retrans() */
	/* No delivery-rate sample yet: app-limited until the first. */
	xtcp_rate_init(&xsk->rate);
	/* Counted until xtcp_sock_destruct() (tcp_init_sock()). */
	sk_sockets_allocated_inc(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	spin_lock_init(&xsk->accept_lock);
	INIT_LIST_HEAD(&xsk->accept_queue);
	INIT_LIST_HEAD(&xsk->accept_node);
	INIT_LIST_HEAD(&xsk->req_list);
	xtcp_init_timers(sk);
	xtcp_rtt_init(&xsk->rtt);
	xsk->mss = TCP_MSS_DEFAULT;

	sk->sk_sndbuf = READ_ONCE(xn->wmem[1]);
	sk->sk_rcvbuf = READ_ONCE(xn->rmem[1]);
	if (parent) {
		const struct xtcp_sock *pxsk = xtcp_sk(parent);
		unsigned int i;

		sk->sk_userlocks = parent->sk_userlocks & ~SOCK_BINDPORT_LOCK;
		if (parent->sk_userlocks & SOCK_SNDBUF_LOCK)
			sk->sk_sndbuf = parent->sk_sndbuf;
		/* The receive buffer whatever set it (SO_RCVBUF, or the
		 * growth SO_RCVLOWAT asked for), and the mark, as
		 * sk_clone_lock() copies both.
		 */
		sk->sk_rcvbuf = READ_ONCE(parent->sk_rcvbuf);
		sk->sk_rcvlowat = READ_ONCE(parent->sk_rcvlowat);
		sk->sk_reuse = parent->sk_reuse;
		sk->sk_reuseport = parent->sk_reuseport;
		sk->sk_bound_dev_if = parent->sk_bound_dev_if;
		sk->sk_mark = parent->sk_mark;
		/* Not SO_PRIORITY: sk_clone_lock() zeroes sk_priority. */
		sk->sk_uid = parent->sk_uid;
		sk->sk_lingertime = parent->sk_lingertime;
		for (i = 0; i < ARRAY_SIZE(xtcp_child_flags); i++)
			if (sock_flag(parent, xtcp_child_flags[i]))
				sock_set_flag(sk, xtcp_child_flags[i]);
		if (sock_flag(parent, SOCK_TXTIME)) {
			sk->sk_clockid = parent->sk_clockid;
			sk->sk_txtime_deadline_mode = parent->sk_txtime_deadline_mode;
			sk->sk_txtime_report_errors = parent->sk_txtime_report_errors;
		}
		/* SO_RCVTIMEO, SO_SNDTIMEO, SO_MAX_PACING_RATE, SO_TXREHASH,
		 * SO_BUSY_POLL, SO_PREFER_BUSY_POLL, SO_BUSY_POLL_BUDGET:
		 * fields that sk_clone_lock()'s copy of the struct brings
		 * along.  The pacing rate starts at the cap (Linux's child
		 * recomputes its own; xtcp computes it when needed).
		 */
		sk->sk_rcvtimeo = READ_ONCE(parent->sk_rcvtimeo);
		sk->sk_sndtimeo = READ_ONCE(parent->sk_sndtimeo);
		sk->sk_max_pacing_rate = READ_ONCE(parent->sk_max_pacing_rate);
		sk->sk_pacing_rate = sk->sk_max_pacing_rate;
		sk->sk_txrehash = READ_ONCE(parent->sk_txrehash);
#ifdef CONFIG_NET_RX_BUSY_POLL
		sk->sk_ll_usec = READ_ONCE(parent->sk_ll_usec);
		sk->sk_prefer_busy_poll = READ_ONCE(parent->sk_prefer_busy_poll);
		sk->sk_busy_poll_budget = READ_ONCE(parent->sk_busy_poll_budget);
#endif
		/* TCP_KEEP* (SO_KEEPALIVE is among the flags above). */
		xsk->keepalive_time = READ_ONCE(pxsk->keepalive_time);
		xsk->keepalive_intvl = READ_ONCE(pxsk->keepalive_intvl);
		xsk->keepalive_probes = READ_ONCE(pxsk->keepalive_probes);
		xsk->syn_retries = READ_ONCE(pxsk->syn_retries);
		xsk->linger2 = READ_ONCE(pxsk->linger2);
		xsk->user_timeout = READ_ONCE(pxsk->user_timeout);
		xsk->notsent_lowat = READ_ONCE(pxsk->notsent_lowat);
		xsk->recvmsg_inq = READ_ONCE(pxsk->recvmsg_inq);
		xsk->tx_delay = READ_ONCE(pxsk->tx_delay);
		inet->tos = inet_sk(parent)->tos;
		inet->uc_ttl = inet_sk(parent)->uc_ttl;
		xsk->nonagle = pxsk->nonagle;
		xsk->user_mss = READ_ONCE(pxsk->user_mss);
		xsk->thin_lto = pxsk->thin_lto;
		xsk->save_syn = READ_ONCE(pxsk->save_syn);
		/* The listener's algorithm if TCP_CONGESTION chose it,
		 * else the namespace's default now (tcp_ca_openreq_child()).
		 * The listener is not locked here: its algorithm is read
		 * once, and pinned unless its module is going (a switch
		 * may have dropped the listener's pin meanwhile).
		 */
		if (READ_ONCE(pxsk->ca_setsockopt)) {
			const struct xtcp_cong_ops *ops;

			rcu_read_lock();
			ops = READ_ONCE(pxsk->cong_ops);
			if (xtcp_cong_get(ops)) {
				xsk->cong_ops = ops;
				xsk->ca_setsockopt = 1;
			}
			rcu_read_unlock();
		}
	}
	/* Pinned until the socket is freed (xtcp_sock_destruct()). */
	if (!xsk->cong_ops)
		xsk->cong_ops = xtcp_cong_default_get(xn);
	/* RFC 6928 initial window of 10 segments; no upper clamp yet. */
	xtcp_cong_state_init(&xsk->cong, TCP_INIT_CWND, U32_MAX, xsk->mss);
	xsk->cong.hystart =
		!!READ_ONCE(xtcp_sk_pernet(sk)->cubic_hystart);
	xsk->cong_ops->init(&xsk->cong, jiffies_to_msecs(jiffies));
}

static int xtcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct sock *sk;

	/* Error values and their order follow inet_create() (af_inet.c). */
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != IPPROTO_IP && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;

	sock->state = SS_UNCONNECTED;
	sock->ops = &xtcp_stream_ops;
	sk = sk_alloc(net, xtcp_family, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOMEM;
	sock_init_data(sock, sk);
	xtcp_init_sock_common(sk, NULL);
	return 0;
}

const struct proto_ops xtcp_stream_ops = {
	.family		= PF_UNSPEC,	/* not used for stream sockets */
	.owner		= THIS_MODULE,
	.release	= xtcp_release,
	.bind		= xtcp_bind,
	.connect	= xtcp_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= xtcp_accept,
	.getname	= xtcp_getname,
	.poll		= xtcp_poll,
	.set_rcvlowat	= xtcp_set_rcvlowat,
	.ioctl		= xtcp_ioctl,
	.listen		= xtcp_listen,
	.shutdown	= xtcp_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

/* Memory accounting of all xtcp sockets, as tcp_prot's: pages charged
 * (memory_allocated, batched per CPU by the core in per_cpu_fw_alloc),
 * the pressure flag (jiffies when it was entered, 0 when off) and the
 * net.xtcp.tcp_mem limits, in pages.
 */
DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
atomic_long_t xtcp_memory_allocated;
struct percpu_counter xtcp_sockets_allocated;
long sysctl_xtcp_mem[3] __read_mostly;
static unsigned long xtcp_memory_pressure;

/* Above tcp_mem[1] (Linux's tcp_enter_memory_pressure()). */
static void xtcp_enter_memory_pressure(struct sock *sk)
{
	unsigned long now = jiffies ? : 1;

	if (!READ_ONCE(xtcp_memory_pressure))
		cmpxchg(&xtcp_memory_pressure, 0, now);
}

/* Back below tcp_mem[0] (Linux's tcp_leave_memory_pressure()). */
static void xtcp_leave_memory_pressure(struct sock *sk)
{
	if (READ_ONCE(xtcp_memory_pressure))
		xchg(&xtcp_memory_pressure, 0);
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.keepalive	= xtcp_set_keepalive,
	.stream_memory_free	= xtcp_stream_memory_free,
	.backlog_rcv	= xtcp_backlog_rcv,
	.release_cb	= xtcp_release_cb,
	.enter_memory_pressure	= xtcp_enter_memory_pressure,
	.leave_memory_pressure	= xtcp_leave_memory_pressure,
	.sockets_allocated	= &xtcp_sockets_allocated,
	.memory_allocated	= &xtcp_memory_allocated,
	.per_cpu_fw_alloc	= &xtcp_memory_per_cpu_fw_alloc,
	.memory_pressure	= &xtcp_memory_pressure,
	.sysctl_mem	= sysctl_xtcp_mem,
	/* .sysctl_rmem/.sysctl_wmem: set at load (xtcp_init()) */
	.max_header	= MAX_TCP_HEADER,
	.obj_size	= sizeof(struct xtcp_sock),
};

/* .family is filled in at load time from the "family" parameter. */
static struct net_proto_family xtcp_family_ops = {
	.create	= xtcp_create,
	.owner	= THIS_MODULE,
};

static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	atomic_set(&xn->orphans, 0);
	atomic_set(&xn->tw_count, 0);
	err = xtcp_mib_net_init(net);
	if (err)
		return err;
	xtcp_cong_net_init(net, xn);
	err = xtcp_sysctl_net_init(net, xn);
	if (err)
		goto out_mib;
	err = xtcp_proc_net_init(net);
	if (err)
		goto out_sysctl;
	err = xtcp_sockstat_net_init(net);
	if (err)
		goto out_proc;
	return 0;

out_proc:
	xtcp_proc_net_exit(net);
out_sysctl:
	xtcp_sysctl_net_exit(xn);
out_mib:
	xtcp_cong_net_exit(xn);
	xtcp_mib_net_exit(net);
	return err;
}

/* SYN queue and TIME_WAIT entries end with their namespace.  Done before
 * the namespace core's synchronize_rcu(), which also waits for timer
 * handlers that claimed an entry first (they run in softirq with BHs
 * off, an RCU read-side section) and may still use its xtcp_net:
 * xtcp_net_exit() runs after them.
 */
static void __net_exit xtcp_net_pre_exit(struct net *net)
{
	/* First, so that the core's synchronize_rcu() after pre_exit waits
	 * for CPUs still in the hook before xtcp_net is freed.
	 */
	xtcp_demux_net_exit(net);
	xtcp_hash_purge(net);
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	xtcp_sockstat_net_exit(net);
	xtcp_proc_net_exit(net);
	xtcp_sysctl_net_exit(xtcp_pernet(net));
	xtcp_cong_net_exit(xtcp_pernet(net));
	xtcp_mib_net_exit(net);
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
	.pre_exit	= xtcp_net_pre_exit,
	.exit	= xtcp_net_exit,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};

static int __init xtcp_init(void)
{
	int err;

	if (xtcp_family <= 0 || xtcp_family >= NPROTO) {
		pr_err("xtcp: family %d out of range 1..%d\n", xtcp_family,
		       NPROTO - 1);
		return -EINVAL;
	}
	xtcp_family_ops.family = xtcp_family;
	xtcp_cong_register_builtin();
	xtcp_isn_init();
	xtcp_tsq_init();
	xtcp_skb_defer_init();

	err = xtcp_port_init();
	if (err)
		return err;
	err = xtcp_timers_init();
	if (err)
		goto out_port;
	err = percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		goto out_timers;
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto out_counter;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto out_proto;
	/* The floors below which memory pressure never refuses a socket
	 * (sk_get_rmem0()): the initial namespace's tcp_rmem[0] and
	 * tcp_wmem[0], where Linux reads each namespace's own.
	 */
	xtcp_prot.sysctl_rmem = xtcp_pernet(&init_net)->rmem;
	xtcp_prot.sysctl_wmem = xtcp_pernet(&init_net)->wmem;
	err = xtcp_sysctl_init();
	if (err)
		goto out_pernet;
	err = xtcp_protocol_init();
	if (err) {
		pr_err("xtcp: cannot hook IPPROTO_TCP input (%d)\n", err);
		goto out_sysctl;
	}
	err = sock_register(&xtcp_family_ops);
	if (err) {
		pr_err("xtcp: address family %d is taken (%d)\n", xtcp_family,
		       err);
		goto out_protocol;
	}
	pr_info("xtcp: registered address family %d\n", xtcp_family);
	return 0;

out_protocol:
	xtcp_protocol_exit();
out_sysctl:
	xtcp_sysctl_exit();
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_proto:
	proto_unregister(&xtcp_prot);
out_counter:
	percpu_counter_destroy(&xtcp_sockets_allocated);
out_timers:
	xtcp_timers_exit();
out_port:
	xtcp_port_exit();
	return err;
}

static void __exit xtcp_exit(void)
{
	sock_unregister(xtcp_family);
	/* No segment reaches xtcp after this; then end what is left. */
	xtcp_protocol_exit();
	xtcp_hash_purge(NULL);
	xtcp_sysctl_exit();
	unregister_pernet_subsys(&xtcp_net_ops);
	/* Every timer's owner is gone; wait for handlers still returning. */
	xtcp_timers_exit();
	/* Sockets and table entries are freed after an RCU grace period. */
	rcu_barrier();
	/* The last sock_put() or xtcp_wfree() of a socket may have run in
	 * preemptible process context (a qdisc reset frees its skbs from
	 * __rtnl_unlock()) and been preempted before returning from our
	 * code: wait until every task has passed a voluntary context
	 * switch, as the kernel does before freeing trampolines.
	 */
	synchronize_rcu_tasks();
	/* No socket is left to queue a TCP small queues tasklet. */
	xtcp_tsq_exit();
	/* Read skbs still waiting for the CPU that allocated them. */
	xtcp_skb_defer_exit();
	xtcp_port_exit();
	proto_unregister(&xtcp_prot);
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: an alternate TCP in its own address family");
MODULE_ALIAS_NETPROTO(XTCP_DEFAULT_FAMILY);
