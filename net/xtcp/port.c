// SPDX-License-Identifier: GPL-2.0
/* xtcp: one port space with native TCP.
 *
 * xtcp and native TCP put the same protocol number (6) on the wire, so a
 * port may belong to only one of them.  Every port xtcp holds is held in
 * native TCP's own bind tables (bhash, bhash2) by a reservation: a small
 * kernel-internal socket of the "XTCP-PORT" protocol, bound with
 * inet_bind() to the same address and port, that never connects and is
 * never hashed for input.  Native TCP then refuses the port to its own
 * sockets, and binding through inet_bind() and inet_csk_get_port() gives
 * xtcp Linux's bind rules exactly (SO_REUSEADDR, SO_REUSEPORT,
 * SO_BINDTODEVICE, IP_FREEBIND, ip_local_port_range,
 * ip_local_reserved_ports, CAP_NET_BIND_SERVICE, cgroup bind programs),
 * against native sockets and other xtcp sockets alike.
 *
 * The reservation is as small as that allows.  inet_csk_get_port() and
 * inet_put_port() use a socket up to icsk_bind2_hash, and the bind
 * conflict checks of other sockets read only the struct sock part of an
 * owner (they read TIME_WAIT sockets, smaller still, through the same
 * code), so the object ends after icsk_bind2_hash and struct xtcp_port
 * follows it: about half of a native TCP socket, and no inode.
 *
 * A reservation is shared, by reference, by a listener, the connections
 * it accepted and their TIME_WAIT entries, as native TCP's bind bucket is;
 * one that connect() took is shared by every client connection given the
 * same local address and port while their 4-tuples differ, as
 * __inet_hash_connect() shares a port (xtcp_port_connect()).
 * Giving it back (inet_put_port(), sk_free()) never sleeps, so the last
 * reference may go in any context.
 */
#include <linux/net.h>
#include <linux/in.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/percpu_counter.h>
#include <linux/random.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/inet_connection_sock.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/secure_seq.h>
#include <net/sock_reuseport.h>
#include <net/xtcp.h>

/* Where struct xtcp_port starts in a reservation: after the part of an
 * inet_connection_sock that native TCP's bind code uses.
 */
#define XTCP_PORT_SK_SIZE \
	ALIGN(offsetofend(struct inet_connection_sock, icsk_bind2_hash), \
	      __alignof__(struct xtcp_port))

/* Reservations in existence, all namespaces (/proc/net/xtcp_sockstat). */
struct percpu_counter xtcp_ports_allocated;

/* connect()'s reservations, each shared by every connection given the
 * same namespace, local address and port, device and SO_REUSEADDR
 * (xtcp_port_connect()).  One is on this table from the bind that took
 * its port until its last reference goes (xtcp_port_put()).
 */
#define XTCP_PORT_SHARE_BITS	12
static DEFINE_HASHTABLE(xtcp_port_share, XTCP_PORT_SHARE_BITS);
static DEFINE_SPINLOCK(xtcp_port_share_lock);

/* Where connect()'s port search starts for a class of destinations,
 * moved past each port it takes so that connections to one destination
 * do not walk again over the ports they already use (table_perturb of
 * __inet_hash_connect()).
 */
#define XTCP_PORT_PERTURB_SIZE	BIT(12)
static u32 xtcp_port_perturb[XTCP_PORT_PERTURB_SIZE];

/* No .owner: a reservation takes no module reference.  Every holder of
 * one is an xtcp socket (which holds one) or a SYN queue or TIME_WAIT
 * entry, and module exit ends those before xtcp_port_exit(); a TIME_WAIT
 * entry must not keep rmmod waiting, as native TCP's keep no module.
 */
static struct proto xtcp_port_prot = {
	.name		= "XTCP-PORT",
	.get_port	= inet_csk_get_port,
	.put_port	= inet_put_port,
	.obj_size	= XTCP_PORT_SK_SIZE + sizeof(struct xtcp_port),
};

/**
 * xtcp_port_inuse() - port reservations of one namespace
 * @net: the namespace
 *
 * Counted as sock_prot_inuse_add() counts a protocol's sockets per
 * namespace (the inuse field of /proc/net/sockstat), from a
 * reservation's allocation to its free, so a leak shows in the namespace
 * it happened in whatever other namespaces do.
 *
 * Context: any (sums per-CPU counters); /proc/net/xtcp_sockstat reads it.
 * Return: the number of reservations (0 or more).
 */
int xtcp_port_inuse(struct net *net)
{
	return sock_prot_inuse_get(net, &xtcp_port_prot);
}

static struct xtcp_port *xtcp_port_of(struct sock *rsk)
{
	return (struct xtcp_port *)((char *)rsk + XTCP_PORT_SK_SIZE);
}

static struct sock *xtcp_port_sk(struct xtcp_port *port)
{
	return (struct sock *)((char *)port - XTCP_PORT_SK_SIZE);
}

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
	/* IP_LOCAL_PORT_RANGE, read by inet_csk_find_open_port(). */
	rinet->local_port_range = inet->local_port_range;
	release_sock(rsk);
}

/**
 * xtcp_port_sync_opts() - copy @sk's bind options to its reservation
 * @sk: the socket, owner lock held (process context)
 *
 * SO_REUSEADDR, SO_REUSEPORT, the bound device, the owner's uid and the
 * IP bind options are what native TCP's bind conflict check reads, so
 * the reservation must carry @sk's current values before it asks again
 * (xtcp_port_listen()).  Does nothing when @sk holds no port.
 *
 * Context: process context, @sk owned (lock_sock()); takes lock_sock()
 * on the reservation, may sleep.
 */
void xtcp_port_sync_opts(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;

	if (port)
		xtcp_port_copy_opts(sk, xtcp_port_sk(port));
}

/* The owner's user, for conflict checks: sock_i_uid() reads the inode of
 * sk_socket, so the reservation points at the socket that took the port
 * while that socket exists (xtcp_port_orphan() and xtcp_port_release()
 * clear it).  With it gone the reservation reads as root's, as a Linux
 * child not yet accepted does.  Nothing else may follow this pointer:
 * the socket's ->sk is not @rsk, so a proto_ops method reached through
 * it must not take the reservation for an xtcp_sock: sk_setsockopt()
 * calls ->set_rcvlowat() for a bind program's bpf_setsockopt(), and
 * xtcp_set_rcvlowat() only stores the mark on a socket that is not
 * xtcp's.
 */
static void xtcp_port_set_socket(struct sock *rsk, struct socket *sock)
{
	write_lock_bh(&rsk->sk_callback_lock);
	rsk->sk_socket = sock;
	write_unlock_bh(&rsk->sk_callback_lock);
}

/* @sk no longer answers for @port's user: its socket goes, or it gives
 * the port up.  A child never took the port, so never matches.
 */
static void xtcp_port_orphan_from(struct sock *sk, struct xtcp_port *port)
{
	struct sock *rsk = xtcp_port_sk(port);

	if (sk->sk_socket && READ_ONCE(rsk->sk_socket) == sk->sk_socket)
		xtcp_port_set_socket(rsk, NULL);
}

/* The reservation was bound, or never was: free it.  Any context. */
static void xtcp_port_free(struct sock *rsk)
{
	if (inet_csk(rsk)->icsk_bind_hash)
		inet_put_port(rsk);
	percpu_counter_dec(&xtcp_ports_allocated);
	sock_prot_inuse_add(sock_net(rsk), &xtcp_port_prot, -1);
	sock_put(rsk);
}

/* A new, unbound reservation with @sk's bind options.  Process context. */
static struct sock *xtcp_port_alloc(struct sock *sk)
{
	struct sock *rsk;

	rsk = sk_alloc(sock_net(sk), AF_INET, GFP_KERNEL, &xtcp_port_prot, 1);
	if (!rsk)
		return NULL;
	sock_init_data(NULL, rsk);
	rsk->sk_type = SOCK_STREAM;
	rsk->sk_protocol = IPPROTO_TCP;
	percpu_counter_inc(&xtcp_ports_allocated);
	sock_prot_inuse_add(sock_net(rsk), &xtcp_port_prot, 1);
	xtcp_port_copy_opts(sk, rsk);
	return rsk;
}

/* The xtcp part of a reservation that just took its port: one reference,
 * for the socket that asked.
 */
static struct xtcp_port *xtcp_port_init_ref(struct sock *rsk)
{
	struct xtcp_port *port = xtcp_port_of(rsk);

	refcount_set(&port->ref, 1);
	spin_lock_init(&port->owners_lock);
	INIT_HLIST_HEAD(&port->sk_owners);
	INIT_HLIST_HEAD(&port->tw_owners);
	INIT_HLIST_NODE(&port->share_node);
	port->shared = false;
	return port;
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
 * Context: process context, @sk owned (lock_sock()): bind(), listen();
 * may sleep.
 * Return: 0, or Linux's bind() errno values (-EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES, -ENOMEM...).
 */
int xtcp_port_reserve(struct sock *sk, const struct sockaddr_in *addr,
		      bool user)
{
	struct inet_sock *inet = inet_sk(sk), *rinet;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sockaddr_in sin = *addr;
	/* inet_bind() reads only ->sk of the socket it is given. */
	struct socket rsock = {};
	struct sock *rsk;
	int err;

	if (WARN_ON_ONCE(xsk->port))
		return -EINVAL;
	rsk = xtcp_port_alloc(sk);
	if (!rsk)
		return -ENOMEM;
	rinet = inet_sk(rsk);
	if (!user)
		rinet->bind_address_no_port = 0;
	xtcp_port_set_socket(rsk, sk->sk_socket);

	/* Native TCP knows only AF_INET; AF_UNSPEC stays as the caller sent it. */
	if (sin.sin_family != AF_UNSPEC)
		sin.sin_family = AF_INET;
	rsock.sk = rsk;
	err = inet_bind(&rsock, (struct sockaddr *)&sin, sizeof(sin));
	if (err)
		goto out_free;

	inet->inet_rcv_saddr = rinet->inet_rcv_saddr;
	inet->inet_saddr = rinet->inet_saddr;
	inet->inet_num = rinet->inet_num;
	inet->inet_sport = rinet->inet_sport;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	/* As __inet_bind() decided them, after any cgroup bind program. */
	if (user)
		sk->sk_userlocks |= rsk->sk_userlocks &
				    (SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK);
	xsk->hn.laddr = inet->inet_rcv_saddr;
	xsk->hn.lport = inet->inet_sport;
	xsk->hn.bound_dev_if = sk->sk_bound_dev_if;

	/* IP_BIND_ADDRESS_NO_PORT: native TCP checked the address and took
	 * no port; nothing is held until connect().
	 */
	if (!rinet->inet_num) {
		err = 0;
		goto out_free;
	}

	xsk->port = xtcp_port_init_ref(rsk);
	xtcp_bhash_add(&xsk->hn);
	return 0;

out_free:
	xtcp_port_set_socket(rsk, NULL);
	xtcp_port_free(rsk);
	return err;
}

static u32 xtcp_port_share_key(const struct net *net, __be32 laddr, u16 num)
{
	return jhash_2words((__force u32)laddr, num, net_hash_mix(net));
}

/* The shared reservation of @laddr:@num that @sk may join (same device
 * and SO_REUSEADDR, so that native TCP's bind conflict checks read the
 * same owner options whichever connection they stand for), with a
 * reference, or NULL.  Sockets with SO_REUSEPORT never share (their
 * owner's user would count, see xtcp_port_set_socket()).
 */
static struct xtcp_port *xtcp_port_share_get(struct sock *sk, __be32 laddr,
					     u16 num)
{
	struct xtcp_port *port, *found = NULL;
	struct net *net = sock_net(sk);
	struct sock *rsk;

	spin_lock_bh(&xtcp_port_share_lock);
	hash_for_each_possible(xtcp_port_share, port, share_node,
			       xtcp_port_share_key(net, laddr, num)) {
		rsk = xtcp_port_sk(port);
		if (net_eq(sock_net(rsk), net) &&
		    inet_sk(rsk)->inet_num == num &&
		    inet_sk(rsk)->inet_rcv_saddr == laddr &&
		    rsk->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    rsk->sk_reuse == sk->sk_reuse &&
		    refcount_inc_not_zero(&port->ref)) {
			found = port;
			break;
		}
	}
	spin_unlock_bh(&xtcp_port_share_lock);
	return found;
}

/* Publish a reservation that connect() just bound, for sharing. */
static void xtcp_port_share_add(struct xtcp_port *port)
{
	struct sock *rsk = xtcp_port_sk(port);

	port->shared = true;
	spin_lock_bh(&xtcp_port_share_lock);
	hash_add(xtcp_port_share, &port->share_node,
		 xtcp_port_share_key(sock_net(rsk), inet_sk(rsk)->inet_rcv_saddr,
				     inet_sk(rsk)->inet_num));
	spin_unlock_bh(&xtcp_port_share_lock);
}

/* Native TCP's bind hash chain of port @num in @rsk's namespace. */
static struct inet_bind_hashbucket *xtcp_port_bhead(struct sock *rsk, u16 num)
{
	struct inet_hashinfo *hinfo = tcp_or_dccp_get_hashinfo(rsk);

	return &hinfo->bhash[inet_bhashfn(sock_net(rsk), num, hinfo->bhash_size)];
}

/* Is the bound reservation @rsk the only owner of its port in native
 * TCP's bind table (no socket, TIME_WAIT socket or other reservation
 * joined it)?  __inet_hash_connect() gives connect() a port only from a
 * bucket that connect() created and no bind() or listen() has joined
 * since (fastreuse and fastreuseport both -1); xtcp's own connections
 * share the reservation itself, so any other owner means a bind(),
 * listen() or native connection shares the port.  Read under the
 * bucket's lock, as inet_bind_hash() and __inet_put_port() change it.
 * Process or softirq context.
 */
static bool xtcp_port_sole_owner(struct sock *rsk)
{
	struct inet_bind_hashbucket *head;
	struct inet_bind_bucket *tb;
	bool sole;

	head = xtcp_port_bhead(rsk, inet_sk(rsk)->inet_num);
	spin_lock_bh(&head->lock);
	tb = inet_csk(rsk)->icsk_bind_hash;
	sole = tb && hlist_is_singular_node(&rsk->sk_bind_node, &tb->owners);
	spin_unlock_bh(&head->lock);
	return sole;
}

/* Take @port off the sharing table for good, as a bind() joining a
 * bucket connect() made stops __inet_hash_connect() from sharing it for
 * as long as the bucket lives.
 */
static void xtcp_port_unshare(struct xtcp_port *port)
{
	spin_lock_bh(&xtcp_port_share_lock);
	if (port->shared) {
		hash_del(&port->share_node);
		port->shared = false;
	}
	spin_unlock_bh(&xtcp_port_share_lock);
}

/* Bind the unbound reservation @rsk to @laddr:@num in native TCP's
 * tables, as __inet_bind() does after its address checks (the address
 * comes from the route or from bind(), and a port chosen for connect()
 * needs no CAP_NET_BIND_SERVICE nor runs a bind program, as in
 * __inet_hash_connect()).  0 or -EADDRINUSE.  Process context.
 */
/* Is there a bind bucket for port @num in @rsk's namespace already (a
 * native socket's, or another reservation's)?  get_port() would join it
 * when the owners' options allow, and updating its fastreuse state on the
 * way (inet_csk_update_fastreuse()) would stop native connect() from
 * sharing that port afterwards, even once the reservation left again.
 * So a new reservation takes only ports without a bucket: the walk
 * moves on, as __inet_hash_connect() does past a bucket it cannot share.
 */
static bool xtcp_port_bucket_exists(struct sock *rsk, u16 num)
{
	struct inet_bind_hashbucket *head = xtcp_port_bhead(rsk, num);
	int l3mdev = inet_sk_bound_l3mdev(rsk);
	struct net *net = sock_net(rsk);
	struct inet_bind_bucket *tb;
	bool found = false;

	spin_lock_bh(&head->lock);
	inet_bind_bucket_for_each(tb, &head->chain) {
		/* inet_bind_bucket_match(), which is not exported */
		if (net_eq(ib_net(tb), net) && tb->port == num &&
		    tb->l3mdev == l3mdev) {
			found = true;
			break;
		}
	}
	spin_unlock_bh(&head->lock);
	return found;
}

static int xtcp_port_bind_num(struct sock *rsk, __be32 laddr, u16 num)
{
	struct inet_sock *rinet = inet_sk(rsk);
	int err;

	if (xtcp_port_bucket_exists(rsk, num))
		return -EADDRINUSE;
	lock_sock(rsk);
	rinet->inet_rcv_saddr = laddr;
	rinet->inet_saddr = laddr;
	err = rsk->sk_prot->get_port(rsk, num);
	/* A bucket made between the check above and get_port(): it shares
	 * the port with owners whose options allow it (both SO_REUSEADDR,
	 * say); connect() shares none.
	 */
	if (!err && !xtcp_port_sole_owner(rsk)) {
		inet_put_port(rsk);
		err = -EADDRINUSE;
	}
	if (err) {
		rinet->inet_rcv_saddr = 0;
		rinet->inet_saddr = 0;
	} else {
		rinet->inet_sport = htons(num);
	}
	release_sock(rsk);
	return err ? -EADDRINUSE : 0;
}

/* Does a native connection, request or TIME_WAIT socket use @sk's
 * 4-tuple with local port @num?  A port xtcp holds is native's only when
 * both sides set SO_REUSEADDR, but then native TCP may have connected
 * from it too.
 */
static bool xtcp_port_native_busy(struct sock *sk, u16 num)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct sock *nsk;

	rcu_read_lock();
	nsk = __inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
					inet->inet_daddr, inet->inet_dport,
					inet->inet_saddr, num,
					sk->sk_bound_dev_if, 0);
	rcu_read_unlock();
	if (!nsk)
		return false;
	sock_gen_put(nsk);
	return true;
}

/* Try local port @num for @sk: join its shared reservation, or bind
 * *@spare (allocated here when NULL) to it if nobody holds it, then hash
 * the 4-tuple if no xtcp or native connection has it.  A socket with
 * SO_REUSEPORT neither joins nor publishes a reservation: its own reads
 * its user (xtcp_port_set_socket()).  Returns 0 with the port taken and
 * @sk on the established hash, -EADDRINUSE to try another port, or
 * -ENOMEM.
 */
static int xtcp_port_connect_try(struct sock *sk, u16 num,
				 struct sock **spare)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	__be32 laddr = inet->inet_saddr;
	bool share = !sk->sk_reuseport;
	struct xtcp_port *port = NULL;

	/* Most ports tried once many connections are open carry this
	 * 4-tuple already: skip those before any lock or reference.
	 */
	if (xtcp_ehash_used(sock_net(sk), laddr, htons(num), inet->inet_daddr,
			    inet->inet_dport))
		return -EADDRINUSE;
	if (share)
		port = xtcp_port_share_get(sk, laddr, num);
	if (port && !xtcp_port_sole_owner(xtcp_port_sk(port))) {
		/* A bind() or listen() joined the port since connect()
		 * took it: no more connections get it.
		 */
		xtcp_port_unshare(port);
		xtcp_port_put(port);
		return -EADDRINUSE;
	}
	if (!port) {
		if (!*spare) {
			*spare = xtcp_port_alloc(sk);
			if (!*spare)
				return -ENOMEM;
			inet_sk(*spare)->bind_address_no_port = 0;
			if (!share)
				xtcp_port_set_socket(*spare, sk->sk_socket);
		}
		if (xtcp_port_bind_num(*spare, laddr, num))
			return -EADDRINUSE;
		port = xtcp_port_init_ref(*spare);
		*spare = NULL;
		if (share)
			xtcp_port_share_add(port);
	}
	if (xtcp_port_native_busy(sk, num))
		goto busy;
	inet->inet_num = num;
	inet->inet_sport = htons(num);
	xsk->hn.lport = inet->inet_sport;
	/* Checks the 4-tuple against xtcp's connections and TIME_WAIT
	 * entries and hashes it, under one lock, as __inet_check_established().
	 */
	if (xtcp_ehash_insert(&xsk->hn))
		goto busy;
	xsk->port = port;
	xtcp_bhash_add(&xsk->hn);
	return 0;

busy:
	inet->inet_num = 0;
	inet->inet_sport = 0;
	xsk->hn.lport = 0;
	xtcp_port_put(port);
	return -EADDRINUSE;
}

/**
 * xtcp_port_connect() - choose connect()'s local port and hash the connection
 * @sk: the socket, owner lock held (process context, sleeps); holds no
 *      port; inet_saddr (non-zero), inet_daddr, inet_dport and xsk->hn's
 *      addresses, remote port and device are set
 *
 * As __inet_hash_connect(): the ports of ip_local_port_range (or of
 * IP_LOCAL_PORT_RANGE) are tried from a point that depends on the
 * addresses and destination port and moves past each port taken, one
 * parity first, leaving out ip_local_reserved_ports.  A port is shared
 * with other xtcp connections as long as the 4-tuple is unique among
 * xtcp's connections and TIME_WAIT entries and native TCP's: all the
 * connections connect() gives one local address and port hold one
 * reservation (refcounted; xtcp_port_share_get() says who may share).
 * A port that anything else holds in native TCP's bind table (a native
 * socket, an xtcp bind() or listener) is never taken nor shared, whatever
 * SO_REUSEADDR says, as __inet_hash_connect() takes no bucket that bind()
 * or listen() made or joined: the reservation must be the port's only
 * owner (xtcp_port_sole_owner()).  A socket with SO_REUSEPORT walks the
 * same ports but takes a reservation of its own each time.
 *
 * On success @sk holds the port (xsk->port, inet_num, inet_sport) and is
 * on the established and bind tables.  The caller's failure path
 * (xtcp_set_state() to CLOSE) undoes both.
 *
 * Context: process context, @sk owned (lock_sock()): connect(); may
 * sleep.
 * Return: 0, -EADDRNOTAVAIL when no port is left for this 4-tuple, or
 * -ENOMEM.
 */
int xtcp_port_connect(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	u32 remaining, offset, index, i;
	struct sock *spare = NULL;
	int low, high, num, err;
	u64 port_offset;

	if (WARN_ON_ONCE(xsk->port))
		return -EINVAL;
	port_offset = secure_ipv4_port_ephemeral(inet->inet_saddr,
						 inet->inet_daddr,
						 inet->inet_dport);
	inet_sk_get_local_port_range(sk, &low, &high);
	high++;
	remaining = high - low;
	if (likely(remaining > 1))
		remaining &= ~1U;
	get_random_once(xtcp_port_perturb, sizeof(xtcp_port_perturb));
	index = port_offset & (XTCP_PORT_PERTURB_SIZE - 1);
	offset = READ_ONCE(xtcp_port_perturb[index]) + (port_offset >> 32);
	offset %= remaining;
	/* One parity first, the other after, as __inet_hash_connect(). */
	offset &= ~1U;
	err = -EADDRNOTAVAIL;
	for (;;) {
		num = low + offset;
		for (i = 0; i < remaining; i += 2, num += 2) {
			if (num >= high)
				num -= remaining;
			if (inet_is_local_reserved_port(net, num))
				continue;
			err = xtcp_port_connect_try(sk, num, &spare);
			if (!err)
				goto found;
			if (err == -ENOMEM)
				goto out;
			cond_resched();
		}
		offset++;
		if (!(offset & 1) || remaining <= 1)
			break;
	}
	err = -EADDRNOTAVAIL;
	goto out;

found:
	/* Next search for this class starts past this port, with a little
	 * randomness while few ports are in use.
	 */
	i = max_t(u32, i, get_random_u32_below(8) * 2);
	WRITE_ONCE(xtcp_port_perturb[index],
		   READ_ONCE(xtcp_port_perturb[index]) + i + 2);
out:
	if (spare) {
		xtcp_port_set_socket(spare, NULL);
		xtcp_port_free(spare);
	}
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
 *      port itself at once if that was the last one
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
	xtcp_port_put(port);
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
 * @port: the reservation
 *
 * The last reference gives the port back to both stacks at once
 * (inet_put_port()), so a port is free when close() or a failed connect()
 * returns, as with Linux's inet_put_port().
 * Context: any with hard interrupts on (inet_put_port() re-enables BHs);
 * never sleeps.
 */
void xtcp_port_put(struct xtcp_port *port)
{
	if (!refcount_dec_and_test(&port->ref))
		return;
	/* Lookups take a reference only if it is not 0 (xtcp_port_share_get()),
	 * so nobody gets this one once the count reached 0.
	 */
	if (port->shared) {
		spin_lock_bh(&xtcp_port_share_lock);
		hash_del(&port->share_node);
		spin_unlock_bh(&xtcp_port_share_lock);
	}
	xtcp_port_free(xtcp_port_sk(port));
}

/**
 * xtcp_port_orphan() - @sk's socket is going away
 * @sk: the socket, owner lock held, before sock_orphan()
 *
 * The reservation @sk took stops reading its user from @sk's inode
 * (xtcp_port_set_socket()); @sk may keep the port (FIN_WAIT, a port the
 * user bound) until xtcp_port_release().
 *
 * Context: process context, @sk owned (lock_sock()): close().
 */
void xtcp_port_orphan(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;

	if (port)
		xtcp_port_orphan_from(sk, port);
}

/**
 * xtcp_port_release() - @sk gives up its local port
 * @sk: the socket; its lock (owner or spinlock) is held
 *
 * Off the bind table, reference dropped, and inet_num cleared whether or
 * not a reservation was still attached, as __inet_put_port() does: a
 * socket holds a port exactly when inet_num is not 0.  The reported port
 * (inet_sport) and the SOCK_BIND*_LOCK flags stay, as in Linux.
 * Context: any (process, softirq, timers); never sleeps.
 */
void xtcp_port_release(struct sock *sk)
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
	xtcp_port_orphan_from(sk, port);
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
 * delivers a segment to it.  Children and TIME_WAIT entries sharing the
 * reservation are owners of the port too, as in inet_csk_bind_conflict().
 *
 * Context: process context, @sk owned (lock_sock()): listen(); takes
 * lock_sock() on the reservation, may sleep.
 * Return: 0, or -EADDRINUSE (-EINVAL if @sk holds no port).
 */
int xtcp_port_listen(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;
	struct sock *rsk;
	int err;

	if (WARN_ON_ONCE(!port))
		return -EINVAL;
	rsk = xtcp_port_sk(port);
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

/**
 * xtcp_port_unlisten() - the port's reservation stops listening
 * @sk: a socket that was listening (or just failed to), owner lock held
 *
 * Undoes xtcp_port_listen(): the reservation goes back to merely bound,
 * so native TCP's bind conflicts are those of a bound port again.  The
 * port itself stays with @sk; children and TIME_WAIT entries may still
 * hold it too.  Does nothing when @sk holds no port.
 *
 * Context: process context, @sk owned (lock_sock()); takes lock_sock()
 * on the reservation, may sleep.
 */
void xtcp_port_unlisten(struct sock *sk)
{
	struct xtcp_port *port = xtcp_sk(sk)->port;
	struct sock *rsk;

	if (!port)
		return;
	rsk = xtcp_port_sk(port);
	lock_sock(rsk);
	if (rsk->sk_state == TCP_LISTEN)
		rsk->sk_state = TCP_CLOSE;
	release_sock(rsk);
}

/**
 * xtcp_port_init() - register the reservations' protocol
 *
 * Context: process context, module init.
 * Return: 0 or a negative errno (proto_register(), percpu_counter_init()).
 */
int xtcp_port_init(void)
{
	int err;

	err = percpu_counter_init(&xtcp_ports_allocated, 0, GFP_KERNEL);
	if (err)
		return err;
	err = proto_register(&xtcp_port_prot, 1);
	if (err)
		percpu_counter_destroy(&xtcp_ports_allocated);
	return err;
}

/**
 * xtcp_port_exit() - unregister it, once every reservation is gone
 *
 * Description: Module exit ends every socket and entry holding one first; one
 * left here is a leak (and its slab "Objects remaining" at proto_unregister()).
 *
 * Context: process context, module exit or init's error path.
 */
void xtcp_port_exit(void)
{
	WARN_ON(percpu_counter_sum(&xtcp_ports_allocated));
	proto_unregister(&xtcp_port_prot);
	percpu_counter_destroy(&xtcp_ports_allocated);
}
