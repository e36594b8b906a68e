// SPDX-License-Identifier: GPL-2.0
/* xtcp: the AF_XTCP socket family, its proto_ops and struct proto, and
 * module load/unload.
 *
 * Sockets speak IPv4 addresses (struct sockaddr_in), so the family only
 * changes which TCP implementation a socket gets, not how it is addressed.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/tcp_states.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>
#include <uapi/linux/xtcp.h>

int xtcp_family = XTCP_DEFAULT_FAMILY;
module_param_named(family, xtcp_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_XTCP (default 12)");

unsigned int xtcp_net_id __read_mostly;

static struct proto xtcp_prot;
static const struct proto_ops xtcp_stream_ops;

/* An address from user space is IPv4: AF_INET or our own family number. */
static bool xtcp_addr_family_ok(const struct sockaddr_in *sin)
{
	return sin->sin_family == AF_INET || sin->sin_family == xtcp_family;
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
	err = xtcp_port_reserve(sk, sin);
	if (err)
		goto out;
	sk_dst_reset(sk);
	xtcp_bhash_add(sk);
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

static int xtcp_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	/* TCP-level options arrive with the issues that implement them. */
	if (level == SOL_TCP)
		return -ENOPROTOOPT;
	return ip_setsockopt(sk, level, optname, optval, optlen);
}

static int xtcp_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	if (level == SOL_TCP)
		return -ENOPROTOOPT;
	return ip_getsockopt(sk, level, optname, optval, optlen);
}

static void xtcp_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	if (inet_sk(sk)->inet_num) {
		xtcp_bhash_del(sk);
		xtcp_port_release(sk);
	}
	inet_sk_set_state(sk, TCP_CLOSE);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

static int xtcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sk->sk_prot->close(sk, 0);
	sock->sk = NULL;
	return 0;
}

/* Socket ioctls xtcp does not handle go on to the generic handlers
 * (interface ioctls), as they do for inet sockets.
 */
static int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	return -ENOIOCTLCMD;
}

static void xtcp_sock_destruct(struct sock *sk)
{
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_error_queue);
	WARN_ON_ONCE(xtcp_sk(sk)->port_rsv);
	WARN_ON_ONCE(!sock_flag(sk, SOCK_DEAD));
	kfree(rcu_dereference_protected(inet_sk(sk)->inet_opt, 1));
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
}

/* Defaults a new socket takes from its namespace: RFC 1122 4.2.3.x knobs. */
static int xtcp_init_sock(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xsk = xtcp_sk(sk);

	sk->sk_sndbuf = READ_ONCE(xn->wmem[1]);
	sk->sk_rcvbuf = READ_ONCE(xn->rmem[1]);
	rcu_read_lock();
	xsk->cong_ops = rcu_dereference(xn->cong_default);
	rcu_read_unlock();
	return 0;
}

static int xtcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct inet_sock *inet;
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
	/* Lookups will walk hash chains under RCU only. */
	sock_set_flag(sk, SOCK_RCU_FREE);
	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_destruct = xtcp_sock_destruct;

	inet = inet_sk(sk);
	inet->uc_ttl = -1;
	inet->mc_loop = 1;
	inet->mc_ttl = 1;
	inet->mc_all = 1;
	inet->pmtudisc = READ_ONCE(net->ipv4.sysctl_ip_no_pmtu_disc) ?
			 IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;

	return xtcp_init_sock(sk);
}

static const struct proto_ops xtcp_stream_ops = {
	.owner		= THIS_MODULE,
	.release	= xtcp_release,
	.bind		= xtcp_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= xtcp_getname,
	.ioctl		= xtcp_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

static struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.init		= xtcp_init_sock,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
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

	err = xtcp_sysctl_net_init(net, xn);
	if (err)
		return err;
	err = xtcp_proc_net_init(net);
	if (err)
		xtcp_sysctl_net_exit(xn);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	xtcp_proc_net_exit(net);
	xtcp_sysctl_net_exit(xtcp_pernet(net));
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
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

	err = proto_register(&xtcp_prot, 1);
	if (err)
		return err;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto out_proto;
	err = sock_register(&xtcp_family_ops);
	if (err) {
		pr_err("xtcp: address family %d is taken (%d)\n", xtcp_family,
		       err);
		goto out_pernet;
	}
	pr_info("xtcp: registered address family %d\n", xtcp_family);
	return 0;

out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_proto:
	proto_unregister(&xtcp_prot);
	return err;
}

static void __exit xtcp_exit(void)
{
	sock_unregister(xtcp_family);
	unregister_pernet_subsys(&xtcp_net_ops);
	/* Sockets are freed after an RCU grace period (SOCK_RCU_FREE). */
	rcu_barrier();
	proto_unregister(&xtcp_prot);
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: an alternate TCP in its own address family");
MODULE_ALIAS_NETPROTO(XTCP_DEFAULT_FAMILY);
