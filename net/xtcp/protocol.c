// SPDX-License-Identifier: GPL-2.0
/* xtcp: taking the segments that are xtcp's.
 *
 * xtcp replaces the IPPROTO_TCP entry of inet_protos[] with a wrapper of
 * the native one.  Every TCP segment and every ICMP error about TCP
 * reaches the wrapper after the IPv4 layer has done with it (netfilter
 * LOCAL_IN, defragmentation, GRO); the wrapper looks the segment up in
 * xtcp's tables (established, SYN queue, TIME_WAIT, listeners) and hands
 * everything that is not xtcp's to native TCP untouched.  Unloading swaps
 * the native entry back and waits for in-flight calls (synchronize_net()).
 * Documentation/design.rst says why this route and not a netfilter hook.
 */
#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/tcp.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_seq.h>

static const struct net_protocol *xtcp_native;
static struct net_protocol xtcp_protocol;

static const struct net_protocol __rcu **xtcp_tcp_slot(void)
{
	return (const struct net_protocol __rcu **)&inet_protos[IPPROTO_TCP];
}

/* Fill the control block the rest of xtcp reads; skb->data stays at the
 * TCP header, whole in the linear area.  The options are parsed here and
 * only here: the timestamp of any segment (tstamp.c decides whether it
 * counts) and what a SYN offers (xtcp_rcv_syn_options()), as one
 * tcp_parse_options() with "th->syn" (options.c).
 */
static void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_options_received rx;

	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb));
	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	/* The flag bits: byte 13 of the header, as TCPHDR_* numbers them. */
	cb->flags = ((const u8 *)th)[13];
	cb->window = ntohs(th->window);
	xtcp_parse_options((const u8 *)(th + 1), th->doff * 4 - sizeof(*th),
			   th->syn, &rx);
	cb->has_sack = rx.num_sacks != 0;
	if (rx.saw_tstamp) {
		cb->saw_tstamp = 1;
		cb->rcv_tsval = rx.rcv_tsval;
		cb->rcv_tsecr = rx.rcv_tsecr;
	}
	if (th->syn) {
		cb->mss_clamp = rx.mss_clamp;
		cb->snd_wscale = rx.snd_wscale;
		cb->wscale_ok = rx.wscale_ok;
		cb->sack_ok = rx.sack_ok;
	}
	cb->ip_dsfield = ipv4_get_dsfield(ip_hdr(skb));	/* ECN, ecn.c */
	/* tcp_segs_in()'s count: a GRO skb stands for gso_segs segments. */
	cb->in_segs = max_t(u16, skb_shinfo(skb)->gso_segs, 1);
	if (skb->len > th->doff * 4)
		cb->in_data_segs = cb->in_segs;
}

/**
 * xtcp_sk_filter() - run the socket's filter on a segment for it
 * @sk:  the socket the segment is for: the listener for its own segments
 *       and for its SYN queue entries' (and a SYN that TIME_WAIT passes
 *       on), the socket itself when established
 * @skb: the segment, skb->data at its TCP header, its control block
 *       filled (xtcp_fill_cb())
 *
 * The program of SO_ATTACH_FILTER or SO_ATTACH_BPF and the security
 * module's sock_rcv_skb hook, through sk_filter_trim_cap(), as
 * tcp_filter() in tcp_v4_rcv().  (SELinux, Smack and cgroup ingress
 * programs look at AF_INET and AF_INET6 sockets only and pass AF_XTCP's
 * segments; AppArmor and BPF LSM programs see them.)  A filter may trim
 * the segment, never below its TCP header; the control block is then
 * filled again for the shorter segment.  Linux runs it after the
 * checksum only for a SYN queue entry's segment; xtcp has verified every
 * segment's by then, so a corrupt one a filter would reject counts as a
 * checksum error here, a socket drop there.
 *
 * Context: softirq, @sk referenced, not locked.
 * Return: true if the segment is to be dropped (reason
 * SKB_DROP_REASON_SOCKET_FILTER): counted in @sk's sk_drops (SO_MEMINFO),
 * as tcp_v4_rcv()'s discard_and_relse, in no MIB counter.
 */
bool xtcp_sk_filter(struct sock *sk, struct sk_buff *skb)
{
	unsigned int len = skb->len;

	if (sk_filter_trim_cap(sk, skb,
			       ((const struct tcphdr *)skb->data)->doff * 4)) {
		sk_drops_add(sk, skb);
		return true;
	}
	if (skb->len != len)
		xtcp_fill_cb(skb, (const struct tcphdr *)skb->data);
	return false;
}

/* The socket whose filter sees a segment found as @sk (a listener) or
 * @hn: none for TIME_WAIT (its SYNs for a listener are filtered there,
 * xtcp_tw_rcv()).
 */
static struct sock *xtcp_filter_sk(struct sock *sk, struct xtcp_hnode *hn)
{
	if (sk)
		return sk;
	if (hn->kind == XTCP_HK_SOCK)
		return xtcp_hn_sk(hn);
	if (hn->kind == XTCP_HK_REQ)
		return container_of(hn, struct xtcp_request, hn)->listener;
	return NULL;
}

/* Queue @skb on the backlog of @sk, whose owner holds it, appending it to
 * the backlog's last skb when it continues that one in sequence with
 * the same flags that matter and the same options, as Linux's
 * tcp_add_backlog(): a run of ACKs that arrived while the owner copied
 * becomes one ACK for all of them (cwnd grows by what it acknowledges,
 * as native's does from the same run), and data in sequence one skb.
 * The later ACK number and window count.  Coalescing is tried even over
 * the limit (an skb takes at most MAX_SKB_FRAGS fragments).
 * Return: false when queued or coalesced, true when over the limit (the
 * caller drops @skb).
 */
static bool xtcp_add_backlog(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *tcb;
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	u32 gso_size, gso_segs, hdrlen = th->doff * 4;
	struct sk_buff *tail = sk->sk_backlog.tail;
	struct tcphdr *thtail;
	bool fragstolen;
	int delta;

	/* A listener's segments come from many peers: never one skb. */
	if (!tail || sk->sk_state == TCP_LISTEN)
		goto queue;
	tcb = XTCP_SKB_CB(tail);
	thtail = (struct tcphdr *)tail->data;
	if (tcb->end_seq != cb->seq || tcb->ip_dsfield != cb->ip_dsfield ||
	    ((tcb->flags | cb->flags) &
	     (TCPHDR_SYN | TCPHDR_RST | TCPHDR_URG)) ||
	    (tcb->flags & TCPHDR_FIN) ||
	    !(tcb->flags & cb->flags & TCPHDR_ACK) ||
	    ((tcb->flags ^ cb->flags) & (TCPHDR_ECE | TCPHDR_CWR)) ||
	    thtail->doff != th->doff ||
	    memcmp(thtail + 1, th + 1, hdrlen - sizeof(*th)))
		goto queue;

	/* As GRO's: the largest segment and how many (rcv_mss, OFO count). */
	gso_size = max_t(u32, skb_shinfo(skb)->gso_size ?: skb->len - hdrlen,
			 skb_shinfo(tail)->gso_size ?: tail->len - hdrlen);
	gso_segs = max_t(u16, skb_shinfo(skb)->gso_segs, 1) +
		   max_t(u16, skb_shinfo(tail)->gso_segs, 1);
	__skb_pull(skb, hdrlen);
	if (!skb_try_coalesce(tail, skb, &fragstolen, &delta)) {
		__skb_push(skb, hdrlen);
		goto queue;
	}
	tcb->end_seq = cb->end_seq;
	if (xtcp_seq_geq(cb->ack_seq, tcb->ack_seq)) {
		tcb->ack_seq = cb->ack_seq;
		tcb->window = cb->window;
		thtail->window = th->window;
	}
	/* The appended segment's FIN ends the whole skb, in the header too;
	 * its PSH only in the flags, which the delayed-ACK estimate reads
	 * (tcp_measure_rcv_mss()).  Nothing is appended after a FIN, unlike
	 * Linux, which would put data sent after the FIN before it
	 * (__xtcp_try_coalesce() refuses the same).
	 */
	thtail->fin |= th->fin;
	tcb->flags |= cb->flags;
	tcb->in_segs = min_t(u32, tcb->in_segs + cb->in_segs, U16_MAX);
	tcb->in_data_segs = min_t(u32, tcb->in_data_segs + cb->in_data_segs,
				  U16_MAX);
	skb_shinfo(tail)->gso_size = gso_size;
	skb_shinfo(tail)->gso_segs = min_t(u32, gso_segs, U16_MAX);
	sk->sk_backlog.len += delta;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPBACKLOGCOALESCE);
	kfree_skb_partial(skb, fragstolen);
	return false;
queue:
	return sk_add_backlog(sk, skb, xtcp_backlog_limit(sk));
}

/* Deliver to a full socket now, or after its owner releases it
 * (release_sock() runs the backlog), up to xtcp_backlog_limit(),
 * coalesced with the backlog's last segment where it continues it.
 */
static void xtcp_deliver(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_backlog_rcv(sk, skb);
	} else if (xtcp_add_backlog(sk, skb)) {
		XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPBACKLOGDROP);
		bh_unlock_sock(sk);
		kfree_skb(skb);
		return;
	}
	bh_unlock_sock(sk);
}

static int xtcp_v4_rcv(struct sk_buff *skb)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	struct net *net = dev_net(skb->dev);
	struct sock *sk = NULL, *fsk;
	const struct tcphdr *th;
	const struct iphdr *iph;
	struct xtcp_hnode *hn;
	int dif = inet_iif(skb);

	/* What readers freed for this CPU (skb_defer.c), as Linux's
	 * net_rx_action() flushes before it polls: for every IPv4 TCP
	 * segment, native TCP's too.
	 */
	xtcp_skb_defer_flush();
	/* Anything odd is native TCP's to count and drop. */
	if (skb->pkt_type != PACKET_HOST ||
	    !pskb_may_pull(skb, sizeof(struct tcphdr)))
		goto native;
	th = (const struct tcphdr *)skb->data;
	if (th->doff < sizeof(struct tcphdr) / 4 ||
	    !pskb_may_pull(skb, th->doff * 4))
		goto native;
	th = (const struct tcphdr *)skb->data;
	iph = ip_hdr(skb);

	rcu_read_lock();
	hn = xtcp_lookup_established(net, iph->saddr, th->source, iph->daddr,
				     th->dest, dif);
	if (!hn)
		sk = xtcp_lookup_listener(net, skb, th->doff * 4, iph->saddr,
					  th->source, iph->daddr, th->dest,
					  dif);
	rcu_read_unlock();
	if (!hn && !sk)
		goto native;

	/* Ours from here on: verify the checksum (RFC 9293 s.3.1) now, so
	 * no later stage sees a corrupt segment.
	 */
	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);
	if (skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		xtcp_mib_csum_error(net);
		reason = SKB_DROP_REASON_TCP_CSUM;
		goto drop;
	}
	if (!xfrm4_policy_check(NULL, XFRM_POLICY_IN, skb)) {
		reason = SKB_DROP_REASON_XFRM_POLICY;
		goto drop;
	}
	nf_reset_ct(skb);
	xtcp_fill_cb(skb, th);
	fsk = xtcp_filter_sk(sk, hn);
	if (fsk && xtcp_sk_filter(fsk, skb)) {
		reason = SKB_DROP_REASON_SOCKET_FILTER;
		goto drop;
	}

	if (sk) {
		/* A listener's segments are processed now, without its lock
		 * (tcp_v4_rcv()'s TCP_LISTEN branch): see xtcp_listen_rcv().
		 */
		if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
			xtcp_listen_rcv(sk, skb);
		else
			xtcp_deliver(sk, skb);
		sock_put(sk);
		return 0;
	}
	switch (hn->kind) {
	case XTCP_HK_SOCK:
		xtcp_deliver(xtcp_hn_sk(hn), skb);
		break;
	case XTCP_HK_REQ:
		xtcp_req_rcv(container_of(hn, struct xtcp_request, hn), skb);
		break;
	case XTCP_HK_TW:
		xtcp_tw_rcv(container_of(hn, struct xtcp_tw, hn), skb);
		break;
	}
	xtcp_hn_put(hn);
	return 0;

drop:
	if (hn)
		xtcp_hn_put(hn);
	if (sk)
		sock_put(sk);
	kfree_skb_reason(skb, reason);
	return 0;
native:
	return xtcp_native->handler(skb);
}

/* ICMP error about a segment: skb->data is the IP header we sent, with at
 * least 8 bytes of its TCP header (icmp_socket_deliver() checked).
 */
static int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct tcphdr *th =
		(const struct tcphdr *)(skb->data + (iph->ihl << 2));
	struct net *net = dev_net(skb->dev);
	int type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	struct xtcp_hnode *hn;
	struct sock *sk;

	rcu_read_lock();
	hn = xtcp_lookup_established(net, iph->daddr, th->dest, iph->saddr,
				     th->source, inet_iif(skb));
	rcu_read_unlock();
	if (!hn)
		return xtcp_native->err_handler(skb, info);
	/* Half-open and TIME_WAIT entries have no one to tell. */
	if (hn->kind != XTCP_HK_SOCK) {
		xtcp_hn_put(hn);
		return 0;
	}
	sk = xtcp_hn_sk(hn);
	bh_lock_sock(sk);
	xtcp_err(sk, type, code, info, ntohl(th->seq));
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}

/**
 * xtcp_protocol_init() - take over the IPPROTO_TCP receive handlers
 *
 * Description: Replaces the native inet_protos[IPPROTO_TCP] entry with a copy
 * whose handler and err_handler are xtcp's wrappers, which pass on whatever is
 * not xtcp's to the saved native entry.  No Linux counterpart (Linux's
 * inet_add_protocol() refuses a slot already taken).
 *
 * Context: process context, module init.
 * Return: 0 on success; -ENOENT when no native TCP handler is registered;
 * -EBUSY when the slot changed while we swapped it.
 */
int xtcp_protocol_init(void)
{
	const struct net_protocol __rcu **slot = xtcp_tcp_slot();

	xtcp_native = rcu_dereference_protected(*slot, 1);
	if (!xtcp_native)
		return -ENOENT;
	/* Same policy and ICMP behaviour as the native entry. */
	xtcp_protocol = *xtcp_native;
	xtcp_protocol.handler = xtcp_v4_rcv;
	xtcp_protocol.err_handler = xtcp_v4_err;
	if (cmpxchg((const struct net_protocol __force **)slot, xtcp_native,
		    &xtcp_protocol) != xtcp_native)
		return -EBUSY;
	return 0;
}

/**
 * xtcp_protocol_exit() - give IPPROTO_TCP back to native TCP
 *
 * Description: Puts the saved native entry back into inet_protos[] and waits
 * (synchronize_net()) until no CPU runs xtcp's handlers any more.
 *
 * Context: process context, module exit or init's error path; sleeps.
 */
void xtcp_protocol_exit(void)
{
	const struct net_protocol __rcu **slot = xtcp_tcp_slot();

	if (cmpxchg((const struct net_protocol __force **)slot, &xtcp_protocol,
		    xtcp_native) != &xtcp_protocol)
		pr_err("xtcp: IPPROTO_TCP handler changed under us\n");
	/* No CPU may still be running xtcp_v4_rcv() or xtcp_v4_err(). */
	synchronize_net();
}
