// SPDX-License-Identifier: GPL-2.0
/* xtcp: one port space with native TCP.
 *
 * xtcp and native TCP put the same protocol number (6) on the wire, so a
 * port may belong to only one of them.  Every bound xtcp socket owns a
 * kernel-internal native TCP socket, bound to the same address and port
 * and never listening or connecting: the reservation.  Native TCP then
 * refuses the port to its own sockets, and asking native TCP to bind the
 * reservation gives xtcp Linux's bind rules exactly (SO_REUSEADDR,
 * SO_REUSEPORT, SO_BINDTODEVICE, IP_FREEBIND, ip_local_port_range,
 * ip_local_reserved_ports, CAP_NET_BIND_SERVICE), against native sockets
 * and other xtcp sockets alike.
 */
#include <linux/net.h>
#include <linux/in.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/xtcp.h>

/* Copy the socket state that bind conflict checks read from the xtcp
 * socket to its reservation.  SOL_SOCKET options never reach xtcp in 6.1
 * (only MPTCP may intercept them), so they are copied when the port is
 * taken and again when the socket changes role (listen, connect): an
 * SO_REUSEADDR set on a bound socket counts from then on.  The caller
 * holds the xtcp socket lock.
 */
static void xtcp_port_copy_opts(struct sock *sk, struct sock *rsk)
{
	struct inet_sock *inet = inet_sk(sk), *rinet = inet_sk(rsk);

	lock_sock(rsk);
	rsk->sk_reuse = sk->sk_reuse;
	rsk->sk_reuseport = sk->sk_reuseport;
	rsk->sk_bound_dev_if = sk->sk_bound_dev_if;
	rsk->sk_uid = sk->sk_uid;
	rinet->freebind = inet->freebind;
	rinet->transparent = inet->transparent;
	rinet->bind_address_no_port = inet->bind_address_no_port;
	release_sock(rsk);
}

void xtcp_port_sync_opts(struct sock *sk)
{
	struct socket *rsv = xtcp_sk(sk)->port_rsv;

	if (rsv)
		xtcp_port_copy_opts(sk, rsv->sk);
}

/* Bind @sk to @addr (port 0: an ephemeral port chosen by native TCP from
 * ip_local_port_range).  On success the local address and port of @sk are
 * those of the reservation.  Returns Linux's bind() errno values.
 */
int xtcp_port_reserve(struct sock *sk, const struct sockaddr_in *addr)
{
	struct inet_sock *inet = inet_sk(sk), *rinet;
	struct sockaddr_in sin = *addr;
	struct socket *rsv;
	int err;

	err = sock_create_kern(sock_net(sk), AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &rsv);
	if (err)
		return err;
	xtcp_port_copy_opts(sk, rsv->sk);

	/* Native TCP knows only AF_INET; AF_UNSPEC stays as the caller sent it. */
	if (sin.sin_family != AF_UNSPEC)
		sin.sin_family = AF_INET;
	err = kernel_bind(rsv, (struct sockaddr *)&sin, sizeof(sin));
	if (err) {
		sock_release(rsv);
		return err;
	}

	rinet = inet_sk(rsv->sk);
	inet->inet_rcv_saddr = rinet->inet_rcv_saddr;
	inet->inet_saddr = rinet->inet_saddr;
	inet->inet_num = rinet->inet_num;
	inet->inet_sport = rinet->inet_sport;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (inet->inet_rcv_saddr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (addr->sin_port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	xtcp_sk(sk)->port_rsv = rsv;
	return 0;
}

/* Give the port back to the shared space.  Caller holds the socket lock. */
void xtcp_port_release(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xsk->port_rsv)
		return;
	sock_release(xsk->port_rsv);
	xsk->port_rsv = NULL;
	inet_sk(sk)->inet_num = 0;
	inet_sk(sk)->inet_sport = 0;
	sk->sk_userlocks &= ~(SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK);
}
