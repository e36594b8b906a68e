// SPDX-License-Identifier: GPL-2.0
/* xtcp: early demux, the input route a connection's segments reuse.
 *
 * Linux gives a segment of an established connection the route its
 * socket cached from an earlier segment (sk_rx_dst), before the IPv4
 * layer would look one up: ip_rcv_finish_core() calls
 * tcp_v4_early_demux() when net.ipv4.ip_early_demux and
 * net.ipv4.tcp_early_demux are on and the segment has no route yet.
 * That call is native TCP's alone (it searches native's tables), so
 * without more every segment of an xtcp connection that arrives from a
 * device paid a full input route lookup (ip_route_input_slow(),
 * fib_table_lookup()), about 1,000 instructions a round of 1-byte
 * request/response, where native's paid none.
 *
 * xtcp does the same at the last place before that decision it can
 * reach: a netfilter hook at PRE_ROUTING, last in priority (after
 * conntrack and NAT have had the segment, as early demux comes after
 * them), registered in a namespace when an xtcp socket there first
 * connects or listens.  It looks the 4-tuple up in xtcp's
 * established table and attaches the socket's cached route, checked
 * (dst_check(), the arriving device) as tcp_v4_early_demux() checks it;
 * ip_rcv_finish_core() then skips both native's early demux and the
 * route lookup.  The segment itself is still taken by protocol.c, which
 * looks the socket up again: the hook only attaches a route.  The socket
 * caches the route of its segments as tcp_v4_do_rcv() and
 * tcp_rcv_established() do (xtcp_rx_dst_update()).
 *
 * In such a namespace every IPv4 packet pays the hook's call
 * (nf_hook_slow()), and native TCP's segments, while the namespace has an
 * xtcp connection, one lookup in xtcp's table that finds nothing; a
 * namespace where xtcp was never used has no hook (while another
 * namespace has one, its packets pay netfilter's check of an empty hook
 * list, as with any netfilter user elsewhere).  Off with
 * net.xtcp.tcp_early_demux = 0 or net.ipv4.ip_early_demux = 0.
 * Documentation/design.rst, "Early demux".
 */
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/netns/ipv4.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xfrm.h>
#include <net/xtcp.h>

/* tcp_v4_early_demux() for xtcp's connections: a route, never a verdict. */
static unsigned int xtcp_demux_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	const struct xtcp_net *xn = xtcp_pernet(state->net);
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	struct xtcp_hnode *hn;
	struct dst_entry *dst;
	struct sock *sk;

	/* What ip_rcv_finish_core() would hand to early demux, from a
	 * namespace that has an xtcp connection.  Not a decapsulated IPsec
	 * segment (it has a sec_path): in transport mode the hook sees it
	 * again from xfrm4_transport_finish(), whose own route lookup no
	 * early demux precedes in Linux, and a tunnel-mode one paying its
	 * lookup is the simpler, conservative side.
	 */
	if (iph->protocol != IPPROTO_TCP || skb_dst(skb) || skb->sk ||
	    skb->pkt_type != PACKET_HOST || ip_is_fragment(iph) ||
	    skb_sec_path(skb) || !READ_ONCE(xn->ehash_socks) ||
	    !READ_ONCE(xn->early_demux) ||
	    !READ_ONCE(state->net->ipv4.sysctl_ip_early_demux))
		return NF_ACCEPT;
	if (!pskb_may_pull(skb, ip_hdrlen(skb) + sizeof(struct tcphdr)))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	th = tcp_hdr(skb);
	if (th->doff < sizeof(struct tcphdr) / 4)
		return NF_ACCEPT;

	hn = xtcp_lookup_established(state->net, iph->saddr, th->source,
				     iph->daddr, th->dest, skb->skb_iif);
	if (!hn)
		return NF_ACCEPT;
	if (hn->kind == XTCP_HK_SOCK) {
		sk = xtcp_hn_sk(hn);
		dst = rcu_dereference(sk->sk_rx_dst);
		if (dst)
			dst = dst_check(dst, 0);
		if (dst && READ_ONCE(sk->sk_rx_dst_ifindex) == skb->skb_iif)
			skb_dst_set_noref(skb, dst);
	}
	xtcp_hn_put(hn);
	return NF_ACCEPT;
}

static const struct nf_hook_ops xtcp_demux_ops = {
	.hook		= xtcp_demux_hook,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_PRE_ROUTING,
	.priority	= NF_IP_PRI_LAST,
};

/**
 * xtcp_rx_dst_update() - keep a socket's cached input route current
 * @sk:  a full socket in a synchronized state (ESTABLISHED from the
 *       SYN-ACK on, as tcp_finish_connect() caches it)
 * @skb: a segment for it that passed the lookup
 *
 * A cached route the segment's device or the routing cache no longer
 * agrees with is dropped (tcp_v4_do_rcv()); with none cached, the
 * segment's own route is taken with a reference, if it can be
 * (inet_sk_rx_dst_set(), as tcp_rcv_established() calls it).  The
 * early demux hook attaches this route to the socket's next segments.
 *
 * Context: socket locked: softirq with the socket spinlock held, or
 * process context owning it (the backlog).
 */
void xtcp_rx_dst_update(struct sock *sk, const struct sk_buff *skb)
{
	struct dst_entry *dst;

	dst = rcu_dereference_protected(sk->sk_rx_dst,
					lockdep_sock_is_held(sk));
	if (dst && (sk->sk_rx_dst_ifindex != skb->skb_iif ||
		    !dst_check(dst, 0))) {
		RCU_INIT_POINTER(sk->sk_rx_dst, NULL);
		dst_release(dst);
		dst = NULL;
	}
	if (!dst)
		inet_sk_rx_dst_set(sk, skb);
}

/**
 * xtcp_rx_dst_reset() - forget a socket's cached input route
 * @sk: the socket, disconnecting or being destroyed
 *
 * As tcp_disconnect() and inet_sock_destruct() release sk_rx_dst.  The
 * route itself is freed an RCU grace period after its last reference,
 * so a hook that read the pointer just before may still use it.
 *
 * Context: process context owning the socket, or its destructor.
 */
void xtcp_rx_dst_reset(struct sock *sk)
{
	dst_release(unrcu_pointer(xchg(&sk->sk_rx_dst, NULL)));
}

static DEFINE_MUTEX(xtcp_demux_mutex);

/* xtcp_net's demux_hooked: not yet, registered, or the namespace is
 * going (for good: nothing registers after its pre_exit).
 */
enum { XTCP_DEMUX_OFF, XTCP_DEMUX_HOOKED, XTCP_DEMUX_CLOSED };

/**
 * xtcp_demux_enable() - start early demux in a namespace, once
 * @net: the namespace of a socket that connects or listens
 *
 * Registers the PRE_ROUTING hook in @net the first time (later calls
 * see xtcp_net's demux_hooked and return), never once the namespace's
 * pre_exit has run.  A failed registration (-ENOMEM, -E2BIG from
 * nf_register_net_hook()) is logged once, leaves early demux off and is
 * tried again at the next call: the segments are still taken, only
 * routed the long way.
 *
 * Context: process context, may sleep (takes xtcp_demux_mutex, then
 * netfilter's nf_hook_mutex); called without the socket lock.
 */
void xtcp_demux_enable(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	if (READ_ONCE(xn->demux_hooked) != XTCP_DEMUX_OFF)
		return;
	mutex_lock(&xtcp_demux_mutex);
	if (xn->demux_hooked == XTCP_DEMUX_OFF) {
		err = nf_register_net_hook(net, &xtcp_demux_ops);
		if (!err)
			WRITE_ONCE(xn->demux_hooked, XTCP_DEMUX_HOOKED);
		else
			pr_warn_once("xtcp: early demux hook not registered (%d)\n",
				     err);
	}
	mutex_unlock(&xtcp_demux_mutex);
}

/**
 * xtcp_demux_net_exit() - end early demux in a namespace
 * @net: the namespace going away, or every one at module unload
 *
 * Unregisters the hook if xtcp_demux_enable() registered it, and keeps
 * it from registering again.
 * nf_unregister_net_hook() does not wait for CPUs still in the hook
 * (the old hook array is freed after an RCU grace period), so this runs
 * in pernet pre_exit: the namespace core's synchronize_rcu() between
 * pre_exit and the freeing of xtcp_net covers them.
 *
 * Context: process context, pernet pre_exit.
 */
void xtcp_demux_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	mutex_lock(&xtcp_demux_mutex);
	if (xn->demux_hooked == XTCP_DEMUX_HOOKED)
		nf_unregister_net_hook(net, &xtcp_demux_ops);
	WRITE_ONCE(xn->demux_hooked, XTCP_DEMUX_CLOSED);
	mutex_unlock(&xtcp_demux_mutex);
}
