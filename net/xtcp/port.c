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
 * softirq context (a TIME_WAIT timer, a reset): every caller says whether
 * it may sleep (xtcp_port_put()), and where it may not the release is
 * deferred to a workqueue; namespace exit and module unload flush it.
 */
#include <linux/net.h>
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/sock_reuseport.h>
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
	spin_lock_init(&port->owners_lock);
	INIT_HLIST_HEAD(&port->sk_owners);
	INIT_HLIST_HEAD(&port->tw_owners);
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
 * xtcp_port_child_attach() - a new child takes its listener's port
 * @child: the child, not yet in any table
 * @port:  the listener's reservation, with a reference for @child
 *
 * The child is one more owner of the port for listen()
 * (xtcp_port_listen()), as __inet_inherit_port() puts Linux's child on
 * the bind bucket; xtcp_port_release() takes it off.
 * Context: any (softirq, BHs off).
 */
void xtcp_port_child_attach(struct sock *child, struct xtcp_port *port)
{
	struct xtcp_sock *xsk = xtcp_sk(child);

	xsk->port = port;
	spin_lock_bh(&port->owners_lock);
	hlist_add_head(&xsk->port_node, &port->sk_owners);
	spin_unlock_bh(&port->owners_lock);
}

/**
 * xtcp_port_tw_attach() - a TIME_WAIT entry takes its socket's port
 * @tw:   the new entry, not yet in any table; tw->reuse, tw->reuseport and
 *        tw->hn.bound_dev_if already copied from the socket
 * @port: the socket's reservation, or NULL (the entry then holds none)
 *
 * The entry holds a reference and is one more owner of the port for
 * listen() (xtcp_port_listen()), as inet_twsk_hashdance() puts Linux's
 * TIME_WAIT socket on the bind bucket.  Context: any (BHs may be off).
 */
void xtcp_port_tw_attach(struct xtcp_tw *tw, struct xtcp_port *port)
{
	tw->port = port;
	if (!port)
		return;
	refcount_inc(&port->ref);
	spin_lock_bh(&port->owners_lock);
	hlist_add_head(&tw->port_node, &port->tw_owners);
	spin_unlock_bh(&port->owners_lock);
}

/**
 * xtcp_port_tw_detach() - a TIME_WAIT entry gives its port back
 * @tw: the entry, off the tables; its port reference (if any) goes, the
 *      port itself from the workqueue if that was the last one
 *
 * Context: any: the TIME_WAIT timer, a segment in softirq, or namespace
 * exit; never sleeps.
 */
void xtcp_port_tw_detach(struct xtcp_tw *tw)
{
	struct xtcp_port *port = tw->port;

	if (!port)
		return;
	spin_lock_bh(&port->owners_lock);
	hlist_del_init(&tw->port_node);
	spin_unlock_bh(&port->owners_lock);
	tw->port = NULL;
	xtcp_port_put(port, false);
}

/* Would @sk, about to listen, conflict with another owner of its port
 * that does not listen: a connection it accepted (@sk2) or a TIME_WAIT
 * entry (@sk2 NULL), bound to device @dif2, with its own SO_REUSEADDR
 * @reuse2 and SO_REUSEPORT @reuseport2?  As inet_bind_conflict() for
 * listen() (relax and reuseport_ok set): not when they are bound to
 * different devices or both have SO_REUSEADDR; else only if both have
 * SO_REUSEPORT, @sk's reuseport group (if any) has closed sockets
 * (@reuseport_cb_ok), and the owner is a TIME_WAIT entry or has @sk's
 * user @uid.  The addresses always overlap: the other owner's is @sk's,
 * or @sk's is the wildcard.
 */
static bool xtcp_port_owner_conflict(const struct sock *sk, kuid_t uid,
				     bool reuseport_cb_ok, struct sock *sk2,
				     int dif2, bool reuse2, bool reuseport2)
{
	int dif = sk->sk_bound_dev_if;

	if (dif && dif2 && dif != dif2)
		return false;
	if (sk->sk_reuse && reuse2)
		return false;
	if (!sk->sk_reuseport || !reuseport2 || !reuseport_cb_ok)
		return true;
	return sk2 && !uid_eq(uid, sock_i_uid(sk2));
}

/* Does a listener @sk conflict with another owner of its port: a child
 * it accepted earlier, or a TIME_WAIT entry (inet_csk_bind_conflict()
 * walks them on the bind bucket)?  Each owner has its own options: a
 * child those it inherited when created (sk_clone_lock()) or was given
 * since, a TIME_WAIT entry those of its socket (inet_twsk_alloc()); the
 * reservation has only @sk's.  sk_reuse and sk_reuseport are bit fields,
 * read without READ_ONCE() as inet_bind_conflict() reads them.
 */
static bool xtcp_port_owners_conflict(struct sock *sk, struct xtcp_port *port)
{
	kuid_t uid = sock_i_uid(sk);
	struct sock_reuseport *reuse_cb;
	bool conflict = false, cb_ok;
	struct xtcp_sock *child;
	struct xtcp_tw *tw;

	rcu_read_lock();
	reuse_cb = rcu_dereference(sk->sk_reuseport_cb);
	/* Paired with WRITE_ONCE() in __reuseport_(add|detach)_closed_sock(). */
	cb_ok = !reuse_cb || READ_ONCE(reuse_cb->num_closed_socks);
	rcu_read_unlock();

	spin_lock_bh(&port->owners_lock);
	hlist_for_each_entry(child, &port->sk_owners, port_node) {
		struct sock *csk = &child->inet.sk;

		if (xtcp_port_owner_conflict(sk, uid, cb_ok, csk,
					     READ_ONCE(csk->sk_bound_dev_if),
					     csk->sk_reuse, csk->sk_reuseport)) {
			conflict = true;
			goto out;
		}
	}
	hlist_for_each_entry(tw, &port->tw_owners, port_node) {
		if (!READ_ONCE(tw->dead) &&
		    xtcp_port_owner_conflict(sk, uid, cb_ok, NULL,
					     tw->hn.bound_dev_if,
					     tw->reuse, tw->reuseport)) {
			conflict = true;
			goto out;
		}
	}
out:
	spin_unlock_bh(&port->owners_lock);
	return conflict;
}

/**
 * xtcp_port_put() - drop a reference on a reservation
 * @port:      the reservation
 * @can_sleep: the caller's context, as the caller knows it: true only in
 *             process context with no spinlock held and BHs on (system
 *             calls under lock_sock(), the socket backlog run by
 *             release_sock()); false anywhere else (softirq, timers,
 *             bh_lock_sock(), BHs off)
 *
 * The last reference gives the port back to both stacks: at once when
 * @can_sleep (so that a port is free when close() or a failed connect()
 * returns, as Linux's inet_put_port() leaves it), else from the
 * workqueue, as sock_release() of the native socket sleeps.
 * Context: see @can_sleep.
 */
void xtcp_port_put(struct xtcp_port *port, bool can_sleep)
{
	/* Every call, not only the last one: a caller that claims to sleep
	 * in atomic context shows up under CONFIG_DEBUG_ATOMIC_SLEEP even
	 * when its reference is not the last.
	 */
	if (can_sleep)
		might_sleep();
	if (!refcount_dec_and_test(&port->ref))
		return;
	if (can_sleep)
		xtcp_port_release_fn(&port->release_work);
	else
		queue_work(xtcp_port_wq, &port->release_work);
}

/**
 * xtcp_port_release() - @sk gives up its local port
 * @sk:        the socket; its lock (owner or spinlock) is held
 * @can_sleep: the caller's context, as for xtcp_port_put(): true for the
 *             owner (lock_sock()) with no spinlock held and BHs on
 *
 * Off the bind table, reference dropped, and inet_num cleared whether or
 * not a reservation was still attached, as __inet_put_port() does: a
 * socket holds a port exactly when inet_num is not 0.  The reported port
 * (inet_sport) and the SOCK_BIND*_LOCK flags stay, as in Linux.
 * Context: see @can_sleep.
 */
void xtcp_port_release(struct sock *sk, bool can_sleep)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_port *port = xsk->port;

	xtcp_bhash_del(&xsk->hn);
	xsk->port = NULL;
	inet_sk(sk)->inet_num = 0;
	if (!port)
		return;
	if (!hlist_unhashed(&xsk->port_node)) {
		spin_lock_bh(&port->owners_lock);
		hlist_del_init(&xsk->port_node);
		spin_unlock_bh(&port->owners_lock);
	}
	xtcp_port_put(port, can_sleep);
}

/**
 * xtcp_port_listen() - re-check @sk's port for a listener
 * @sk: a socket holding a port, owner lock held (process context)
 *
 * listen(): a listening socket conflicts with more binds than a merely
 * bound one (SO_REUSEADDR no longer shares the port).  Ask native TCP to
 * re-check the port as it does in inet_csk_listen_start(), with the
 * reservation marked listening; it is never hashed, so native TCP never
 * delivers a segment to it.  Children and TIME_WAIT entries sharing the
 * reservation are owners of the port too, as in inet_csk_bind_conflict().
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
	if (xtcp_port_owners_conflict(sk, port))
		return -EADDRINUSE;
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
