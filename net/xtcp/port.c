// SPDX-License-Identifier: GPL-2.0
/* xtcp: one port space with native TCP.
 *
 * xtcp and native TCP put the same protocol number (6) on the wire, so a
 * port may belong to only one of them.  Every port xtcp holds is held by a
 * kernel-internal native TCP socket bound to the same address and port
 * that never connects and is never hashed for input: the reservation.
 * Native TCP then refuses the port to its own sockets, and asking native
 * TCP to bind the reservation gives xtcp Linux's bind rules exactly
 * (SO_REUSEADDR, SO_REUSEPORT, SO_BINDTODEVICE, IP_FREEBIND,
 * ip_local_port_range, ip_local_reserved_ports, CAP_NET_BIND_SERVICE),
 * against native sockets and other xtcp sockets alike.
 *
 * A reservation is shared, by reference, by a listener, the connections
 * it accepted and their TIME_WAIT entries, as native TCP's bind bucket is.
 * Releasing a native socket sleeps, and the last reference may go in
 * softirq context (a TIME_WAIT timer, a reset), so release is deferred to
 * a workqueue; namespace exit and module unload flush it.
 */
#include <linux/net.h>
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/xtcp.h>

static struct workqueue_struct *xtcp_port_wq;

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

/**
 * xtcp_port_sync_opts() - copy @sk's bind options to its reservation
 * @sk: the socket, owner lock held (process context)
 */
void xtcp_port_sync_opts(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;

	if (port)
		xtcp_port_copy_opts(sk, port->sock->sk);
}

static void xtcp_port_release_fn(struct work_struct *work)
{
	struct xtcp_port *port = container_of(work, struct xtcp_port,
					      release_work);

	sock_release(port->sock);
	kfree(port);
}

/**
 * xtcp_port_reserve() - take a local port for @sk through a reservation
 * @sk:   the xtcp socket, locked by the caller (process context, sleeps)
 * @addr: local address and port; port 0 asks native TCP for an
 *        ephemeral port from ip_local_port_range
 * @user: true for bind(): sets SOCK_BINDADDR_LOCK/SOCK_BINDPORT_LOCK as
 *        inet_bind() does, and with IP_BIND_ADDRESS_NO_PORT and port 0
 *        records only the address (the port comes at connect(), as in
 *        __inet_bind()); false for the automatic bind of connect() and
 *        listen() (inet_autobind(), __inet_hash_connect()), which always
 *        takes a port and sets no lock
 *
 * On success the local address and port of @sk are those of the
 * reservation, and @sk holds a port exactly when inet_num is not 0.
 *
 * Return: 0, or Linux's bind() errno values (-EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES, -ENOMEM...).
 */
int xtcp_port_reserve(struct sock *sk, const struct sockaddr_in *addr,
		      bool user)
{
	struct inet_sock *inet = inet_sk(sk), *rinet;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sockaddr_in sin = *addr;
	struct xtcp_port *port;
	struct socket *rsv;
	int err;

	if (WARN_ON_ONCE(xsk->port))
		return -EINVAL;
	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	err = sock_create_kern(sock_net(sk), AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &rsv);
	if (err)
		goto out_free;
	xtcp_port_copy_opts(sk, rsv->sk);
	rinet = inet_sk(rsv->sk);
	if (!user)
		rinet->bind_address_no_port = 0;

	/* Native TCP knows only AF_INET; AF_UNSPEC stays as the caller sent it. */
	if (sin.sin_family != AF_UNSPEC)
		sin.sin_family = AF_INET;
	err = kernel_bind(rsv, (struct sockaddr *)&sin, sizeof(sin));
	if (err)
		goto out_release;

	inet->inet_rcv_saddr = rinet->inet_rcv_saddr;
	inet->inet_saddr = rinet->inet_saddr;
	inet->inet_num = rinet->inet_num;
	inet->inet_sport = rinet->inet_sport;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (user && inet->inet_rcv_saddr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (user && addr->sin_port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	xsk->hn.laddr = inet->inet_rcv_saddr;
	xsk->hn.lport = inet->inet_sport;
	xsk->hn.bound_dev_if = sk->sk_bound_dev_if;

	/* IP_BIND_ADDRESS_NO_PORT: native TCP checked the address and took
	 * no port; nothing is held until connect().
	 */
	if (!rinet->inet_num) {
		err = 0;
		goto out_release;
	}

	port->sock = rsv;
	refcount_set(&port->ref, 1);
	INIT_WORK(&port->release_work, xtcp_port_release_fn);
	xsk->port = port;
	xtcp_bhash_add(&xsk->hn);
	return 0;

out_release:
	sock_release(rsv);
out_free:
	kfree(port);
	return err;
}

/**
 * xtcp_port_hold() - take one more reference on a reservation
 * @port: a reservation, or NULL
 *
 * For a TIME_WAIT entry that shares its socket's port.  Any context.
 *
 * Return: @port.
 */
struct xtcp_port *xtcp_port_hold(struct xtcp_port *port)
{
	if (port)
		refcount_inc(&port->ref);
	return port;
}

/**
 * xtcp_port_put() - drop a reference on a reservation
 * @port: the reservation
 *
 * The last reference gives the port back to both stacks: at once where we
 * may sleep (close() of an idle socket, so that the port is free when
 * close() returns, as in Linux), else from the workqueue.  Any context.
 */
void xtcp_port_put(struct xtcp_port *port)
{
	if (!refcount_dec_and_test(&port->ref))
		return;
	if (preemptible())
		xtcp_port_release_fn(&port->release_work);
	else
		queue_work(xtcp_port_wq, &port->release_work);
}

/**
 * xtcp_port_release() - @sk gives up its local port
 * @sk: the socket; its lock (owner or spinlock) is held
 *
 * Off the bind table, reference dropped, and inet_num cleared whether or
 * not a reservation was still attached, as __inet_put_port() does: a
 * socket holds a port exactly when inet_num is not 0.  The reported port
 * (inet_sport) and the SOCK_BIND*_LOCK flags stay, as in Linux.
 */
void xtcp_port_release(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_port *port = xsk->port;

	xtcp_bhash_del(&xsk->hn);
	xsk->port = NULL;
	inet_sk(sk)->inet_num = 0;
	if (port)
		xtcp_port_put(port);
}

/**
 * xtcp_port_listen() - re-check @sk's port for a listener
 * @sk: a socket holding a port, owner lock held (process context)
 *
 * listen(): a listening socket conflicts with more binds than a merely
 * bound one (SO_REUSEADDR no longer shares the port).  Ask native TCP to
 * re-check the port as it does in inet_csk_listen_start(), with the
 * reservation marked listening; it is never hashed, so native TCP never
 * delivers a segment to it.
 *
 * Return: 0, or -EADDRINUSE (-EINVAL if @sk holds no port).
 */
int xtcp_port_listen(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;
	struct sock *rsk;
	int err;

	if (WARN_ON_ONCE(!port))
		return -EINVAL;
	rsk = port->sock->sk;
	xtcp_port_sync_opts(sk);
	lock_sock(rsk);
	rsk->sk_state = TCP_LISTEN;
	err = rsk->sk_prot->get_port(rsk, inet_sk(rsk)->inet_num);
	if (err) {
		rsk->sk_state = TCP_CLOSE;
		err = -EADDRINUSE;
	}
	release_sock(rsk);
	return err;
}

/* The listener is gone; children may still hold the port. */
void xtcp_port_unlisten(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;
	struct sock *rsk;

	if (!port)
		return;
	rsk = port->sock->sk;
	lock_sock(rsk);
	if (rsk->sk_state == TCP_LISTEN)
		rsk->sk_state = TCP_CLOSE;
	release_sock(rsk);
}

int xtcp_port_init(void)
{
	xtcp_port_wq = alloc_workqueue("xtcp_port", 0, 0);
	return xtcp_port_wq ? 0 : -ENOMEM;
}

/* Wait for pending releases: before a namespace's sockets go, and at
 * module unload (then the workqueue goes too).
 */
void xtcp_port_flush(void)
{
	flush_workqueue(xtcp_port_wq);
}

void xtcp_port_exit(void)
{
	destroy_workqueue(xtcp_port_wq);
}
