/* SPDX-License-Identifier: GPL-2.0 */
/* xtcp: state shared across the module.  Everything that is not kept in
 * struct xtcp_sock or struct xtcp_net is passed explicitly.
 */
#ifndef _NET_XTCP_H
#define _NET_XTCP_H

#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct xtcp_cong_ops;

/* One xtcp socket.  inet_sock comes first so that the IPv4 layer's
 * helpers (routing, ip_queue_xmit, IP-level socket options) see the
 * addresses and ports where they expect them.
 */
struct xtcp_sock {
	struct inet_sock inet;

	/* Native TCP socket bound to the same address and port: it is how
	 * xtcp and native TCP share one port space (see port.c).
	 */
	struct socket *port_rsv;

	const struct xtcp_cong_ops *cong_ops;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* Per network namespace state: the sysctl knobs under net.xtcp.*, with
 * the C types Linux 6.1 uses for the net.ipv4.tcp_* twin of each knob.
 * Times are kept in jiffies, as proc_dointvec_jiffies stores them.
 */
struct xtcp_net {
	u8 syn_retries;
	u8 synack_retries;
	u8 retries1;
	u8 retries2;
	u8 keepalive_probes;
	u8 sack;
	u8 timestamps;
	u8 window_scaling;
	u8 syncookies;
	int fin_timeout;
	int keepalive_time;
	int keepalive_intvl;
	int max_orphans;
	int max_syn_backlog;
	int rmem[3];
	int wmem[3];

	/* Default congestion control for new sockets; never NULL. */
	const struct xtcp_cong_ops __rcu *cong_default;

	struct ctl_table_header *sysctl_hdr;
};

extern unsigned int xtcp_net_id;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* af_xtcp.c */
extern int xtcp_family;

/* cong.c: registry of congestion control algorithms */
#define XTCP_CONG_BUF_MAX	256	/* "name name ..." of all of them */
void xtcp_cong_register_builtin(void);
const struct xtcp_cong_ops *xtcp_cong_find(const char *name);
void xtcp_cong_available(char *buf, size_t len);

/* sysctl.c */
int xtcp_sysctl_net_init(struct net *net, struct xtcp_net *xn);
void xtcp_sysctl_net_exit(struct xtcp_net *xn);

/* proc.c */
int xtcp_proc_net_init(struct net *net);
void xtcp_proc_net_exit(struct net *net);

/* hash.c: table of bound sockets, keyed by local port */
void xtcp_bhash_add(struct sock *sk);
void xtcp_bhash_del(struct sock *sk);
struct sock *xtcp_bhash_walk(const struct net *net, loff_t pos);
void xtcp_bhash_walk_begin(void);
void xtcp_bhash_walk_end(void);

/* port.c: port reservation shared with native TCP */
int xtcp_port_reserve(struct sock *sk, const struct sockaddr_in *addr);
void xtcp_port_release(struct sock *sk);
void xtcp_port_sync_opts(struct sock *sk);

#endif /* _NET_XTCP_H */
