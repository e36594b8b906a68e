// SPDX-License-Identifier: GPL-2.0
/* xtcp: the small states around a connection's life.
 *
 * SYN queue entries (struct xtcp_request) stand for connections between a
 * SYN and the third ACK (RFC 9293 SYN-RECEIVED of a passive open); the
 * full socket is only made when the handshake completes.  TIME_WAIT
 * entries (struct xtcp_tw) keep the 4-tuple and the port for 2*MSL after
 * a full socket has gone (RFC 9293 s.3.6.1).  Both live in the established
 * hash and the bind table and are freed an RCU grace period after their
 * last reference: one for the tables, one for a pending timer (the
 * reference rule in include/net/xtcp_timer.h).  A listener finds its SYN
 * queue entries on its own req_list, so closing it costs what it has
 * queued.
 */
#include <linux/filter.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_seq.h>
#include <net/xtcp_syncookie.h>
#include <trace/events/xtcp.h>

/* ---- SYN queue ---- */

/**
 * xtcp_req_put() - drop a reference on a SYN queue entry
 * @req: the entry
 *
 * The last one frees it an RCU grace period later and drops its listener.
 * Context: any.
 */
void xtcp_req_put(struct xtcp_request *req)
{
	if (refcount_dec_and_test(&req->ref)) {
		sock_put(req->listener);
		kfree(req->saved_syn);
		kfree_rcu(req, rcu);
	}
}

/* The SYN-ACK's options (Linux's tcp_synack_options()): our MSS, and
 * window scale, SACK-permitted and timestamps when the SYN offered them
 * and we allow them (xtcp_rcv_syn_options(), xtcp_tstamp_req_init()).
 */
static void xtcp_req_synack_options(const struct xtcp_request *req,
				    struct xtcp_out_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mss = req->advmss;
	if (req->wscale_ok) {
		opts->ws = req->rcv_wscale;
		opts->options |= XTCP_OPTION_WSCALE;
	}
	if (req->sack_ok)
		opts->options |= XTCP_OPTION_SACK_ADVERTISE;
	xtcp_tstamp_req_out(req, opts, true);
	xtcp_synack_options(opts);
}

/* The listener's TCP_TX_DELAY as it is now, for what the entry sends
 * (tcp_make_synack() and tcp_v4_reqsk_send_ack() read the listener's).
 */
static u32 xtcp_req_tx_delay(const struct xtcp_request *req)
{
	return READ_ONCE(xtcp_sk(req->listener)->tx_delay);
}

/* The SYN-ACK, with the window chosen when the entry was made (never
 * scaled, RFC 7323 s.2.2), as tcp_make_synack() sends it.
 */
static void xtcp_req_send_synack(struct xtcp_request *req)
{
	u16 window = min(req->rcv_wnd, XTCP_MAX_WINDOW);
	struct xtcp_out_options opts;

	xtcp_req_synack_options(req, &opts);
	/* What the first SYN-ACK's TSval says, for a spurious resend's
	 * undo (xtcp_ts_spurious_syn(), Linux's retrans_stamp from the
	 * first SYN-ACK's snt_synack).
	 */
	if (!READ_ONCE(req->snt_synack) && (opts.options & XTCP_OPTION_TS))
		WRITE_ONCE(req->synack_ts, opts.tsval - req->ts_off);
	/* Stamped for the handshake's RTT sample (xtcp_create_child()); the
	 * count saturates, so a resent SYN-ACK never looks like the first.
	 */
	if (READ_ONCE(req->snt_synack) && req->num_retrans < U8_MAX)
		WRITE_ONCE(req->num_retrans, req->num_retrans + 1);
	if (READ_ONCE(req->snt_synack))
		xtcp_mib_syn_retrans(xtcp_hn_net(&req->hn));
	WRITE_ONCE(req->snt_synack, xtcp_clock_us());
	xtcp_send_ack_reply(xtcp_hn_net(&req->hn), &req->hn, req->iss,
			    req->irs + 1, window, TCPHDR_SYN | TCPHDR_ACK |
			    (req->ecn_ok ? TCPHDR_ECE : 0), &opts,
			    xtcp_req_tx_delay(req));
}

/* Arm (or re-arm from its handler) the SYN-ACK timer; a timer that was
 * not pending takes a reference (the rule in include/net/xtcp_timer.h).
 * The caller holds a reference.
 */
static void xtcp_req_arm_timer(struct xtcp_request *req, unsigned long expires)
{
	xtcp_timer_arm(&req->timer, XTCP_TIMER_SYNACK, expires, &req->ref);
}

/* Cancel the SYN-ACK timer of an entry already marked dead; the cancel
 * that removes it drops the timer's reference.  A handler running
 * elsewhere sees "dead" and leaves it so (xtcp_req_timer()).
 */
static void xtcp_req_stop_timer(struct xtcp_request *req)
{
	if (xtcp_timer_cancel(&req->timer))
		xtcp_req_put(req);
}

/* Claim @req for taking it off the tables: the first caller gets true,
 * and @req leaves its listener's SYN queue (list and count) and the bind
 * table.  The established hash, the timer and the tables' reference are
 * the claimer's to deal with.  With @port, the claim is for a child and
 * only made while the listener listens; *@port is then the listener's
 * port with a reference for the child (the listener gives it up only
 * after leaving LISTEN under accept_lock, xtcp_stop_listening()).
 */
static bool xtcp_req_unlink(struct xtcp_request *req, struct xtcp_port **port)
{
	struct xtcp_sock *lsk = xtcp_sk(req->listener);
	bool claimed = false;

	spin_lock_bh(&lsk->accept_lock);
	if (!req->dead &&
	    (!port || req->listener->sk_state == TCP_LISTEN)) {
		WRITE_ONCE(req->dead, port ? XTCP_REQ_CHILD : XTCP_REQ_DROPPED);
		list_del_init(&req->lnode);
		atomic_dec(&lsk->syn_qlen);
		if (!req->retries)
			WRITE_ONCE(lsk->syn_young, lsk->syn_young - 1);
		if (port) {
			*port = lsk->port;
			refcount_inc(&(*port)->ref);
		}
		claimed = true;
	}
	spin_unlock_bh(&lsk->accept_lock);
	if (claimed)
		xtcp_bhash_del(&req->hn);
	return claimed;
}

/**
 * xtcp_req_drop() - take a SYN queue entry off the tables for good
 * @req: the entry; the caller holds a reference, which stays its own
 *
 * Off every table, its timer cancelled (the rule in
 * include/net/xtcp_timer.h), the tables' reference dropped.  Does nothing
 * if someone else did it.
 * Context: process or softirq.
 * Return: true if this call took it off (inet_csk_reqsk_queue_drop()).
 */
bool xtcp_req_drop(struct xtcp_request *req)
{
	if (!xtcp_req_unlink(req, NULL))
		return false;
	xtcp_ehash_remove(&req->hn);
	xtcp_req_stop_timer(req);
	xtcp_req_put(req);
	return true;
}

/* The SYN-ACK timeout after @retries retransmissions, in jiffies: 1 s
 * doubled each time, at most 120 s (reqsk_timeout(req, TCP_RTO_MAX)).
 * tcp_synack_retries goes up to 255, so the shift is bounded first.
 */
static unsigned long xtcp_req_timeout(u8 retries)
{
	u64 timeout = (u64)XTCP_TIMEOUT_INIT << min_t(u8, retries, 31);

	return min_t(u64, timeout, TCP_RTO_MAX);
}

/* How many SYN-ACK timeouts an entry may have, tcp_synack_retries (or
 * the listener's TCP_SYNCNT) less what reqsk_timer_handler() prunes:
 * while the entries fill more than half of max(8, backlog), one fewer
 * (down to 2) for each doubling of the young ones that is still no more
 * than the queue's length, so that old entries make room for young.
 */
static u8 xtcp_req_max_retries(struct xtcp_request *req)
{
	struct sock *listener = req->listener;
	struct xtcp_sock *lsk = xtcp_sk(listener);
	u8 max_retries = READ_ONCE(lsk->syn_retries) ? :
			 READ_ONCE(xtcp_sk_pernet(listener)->synack_retries);
	int qlen = atomic_read(&lsk->syn_qlen);
	int young;

	if ((qlen << 1) > max_t(u32, 8, READ_ONCE(listener->sk_max_ack_backlog))) {
		young = READ_ONCE(lsk->syn_young) << 1;
		while (max_retries > 2 && qlen >= young) {
			max_retries--;
			young <<= 1;
		}
	}
	return max_retries;
}

/**
 * xtcp_req_timer() - the SYN-ACK timer of a SYN queue entry expired
 * @t: &xtcp_request.timer; this run owns the reference it held
 *
 * reqsk_timer_handler() with syn_ack_recalc(): the entry goes after
 * xtcp_req_max_retries() timeouts, 1 s doubling (at most 120 s) apart.
 * Under TCP_DEFER_ACCEPT an entry whose peer sent a bare ACK (acked)
 * lives until the deferral's timeouts too, and gets no SYN-ACK again
 * before its last deferred one: the peer's next ACK, with data or after
 * the deferral, makes the child.  An entry taken off the tables
 * meanwhile is left alone; one taken off while this run re-arms has the
 * new arming cancelled here (its taker may have cancelled before it).
 * Context: softirq (the wheel's kernel timer).
 */
void xtcp_req_timer(struct xtcp_wtimer *t)
{
	struct xtcp_request *req = container_of(t, struct xtcp_request, timer);
	struct xtcp_sock *lsk = xtcp_sk(req->listener);
	u8 defer = READ_ONCE(lsk->defer_accept);
	u8 retries = READ_ONCE(req->retries);
	bool acked = READ_ONCE(req->acked);
	bool expire, resend;

	if (READ_ONCE(req->dead)) {
		xtcp_timer_note(XTCP_TIMER_SYNACK, XTCP_TIMER_EV_STALE);
		goto out;
	}
	XTCP_INC_STATS(xtcp_hn_net(&req->hn), XTCP_MIB_TCPTIMEOUTS);
	expire = retries >= xtcp_req_max_retries(req);
	resend = true;
	if (defer) {
		expire = expire && (!acked || retries >= defer);
		resend = !acked || retries >= defer - 1;
	}
	if (expire) {
		/* As xtcp_req_drop(), except that this timer is ours. */
		if (xtcp_req_unlink(req, NULL)) {
			xtcp_ehash_remove(&req->hn);
			xtcp_req_put(req);
		}
		goto out;
	}
	/* No longer young: counted under the lock xtcp_req_unlink() takes,
	 * so that exactly one of the two uncounts it.
	 */
	spin_lock_bh(&lsk->accept_lock);
	if (req->dead) {
		/* Taken off meanwhile (a child, say): no SYN-ACK for it. */
		spin_unlock_bh(&lsk->accept_lock);
		goto out;
	}
	if (!req->retries)
		WRITE_ONCE(lsk->syn_young, lsk->syn_young - 1);
	WRITE_ONCE(req->retries, retries + 1);
	spin_unlock_bh(&lsk->accept_lock);
	if (resend)
		xtcp_req_send_synack(req);
	xtcp_req_arm_timer(req, jiffies + xtcp_req_timeout(req->retries));
	/* Marked dead before its taker's cancel; the wheel's lock orders
	 * that cancel and this arm, so one of the two sees the other.
	 */
	if (READ_ONCE(req->dead))
		xtcp_req_stop_timer(req);
out:
	xtcp_req_put(req);	/* this run's reference */
}

/* MSS to offer: the advmss metric of the route the SYN-ACK takes
 * (dst_metric_advmss(): the route's "advmss", else its MTU -- the
 * device's or the route's "mtu" -- less the IPv4 and TCP headers, 65495
 * on loopback), at least TCP_MIN_MSS (tcp_dst_advmss()), then taken as
 * 16 bits and at most TCP_MAXSEG of the listener (tcp_mss_clamp()), as
 * Linux's tcp_openreq_init_rwin() and tcp_make_synack() take it from
 * inet_csk_route_req()'s route.  0 with @advmss set, or -errno when there
 * is no route back: Linux then drops the SYN (tcp_conn_request()).
 */
static int xtcp_req_advmss(const struct sock *listener,
			   const struct sk_buff *skb, u16 *advmss)
{
	u16 user_mss = READ_ONCE(xtcp_sk(listener)->user_mss);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4;
	struct rtable *rt;
	u16 mss;

	rt = ip_route_output_ports(sock_net(listener), &fl4, NULL, iph->saddr,
				   iph->daddr, th->source, th->dest,
				   IPPROTO_TCP, 0,
				   READ_ONCE(listener->sk_bound_dev_if));
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	mss = max_t(u32, dst_metric_advmss(&rt->dst), TCP_MIN_MSS);
	ip_rt_put(rt);
	*advmss = user_mss && user_mss < mss ? user_mss : mss;
	return 0;
}

/* TCP_SAVE_SYN: the SYN's headers, from the IPv4 header (1) or the MAC
 * header (2) to the end of the TCP header, into @req (tcp_reqsk_record_syn());
 * nothing without memory.
 */
static void xtcp_req_record_syn(struct xtcp_request *req, u8 save_syn,
				const struct sk_buff *skb)
{
	u32 len = skb_network_header_len(skb) + tcp_hdrlen(skb);
	const void *base = skb_network_header(skb);
	struct saved_syn *saved;
	u32 mac_hdrlen = 0;

	if (save_syn == 2 && skb_mac_header_was_set(skb)) {
		base = skb_mac_header(skb);
		mac_hdrlen = skb_mac_header_len(skb);
		len += mac_hdrlen;
	}
	saved = kmalloc(struct_size(saved, data, len), GFP_ATOMIC);
	if (!saved)
		return;
	saved->mac_hdrlen = mac_hdrlen;
	saved->network_hdrlen = skb_network_header_len(skb);
	saved->tcp_hdrlen = tcp_hdrlen(skb);
	memcpy(saved->data, base, len);
	req->saved_syn = saved;
}

/* A SYN queue entry for the connection @skb (a SYN, or a cookie's ACK)
 * belongs to: its tuple, the listener (held), timer and list node ready;
 * no reference count yet, on no table.  NULL without memory.
 */
static struct xtcp_request *xtcp_req_alloc(struct sock *listener,
					   const struct sk_buff *skb)
{
	struct xtcp_request *req = kzalloc(sizeof(*req), GFP_ATOMIC);

	if (!req)
		return NULL;
	xtcp_hn_init(&req->hn, sock_net(listener), XTCP_HK_REQ);
	req->hn.laddr = ip_hdr(skb)->daddr;
	req->hn.raddr = ip_hdr(skb)->saddr;
	req->hn.lport = tcp_hdr(skb)->dest;
	req->hn.rport = tcp_hdr(skb)->source;
	req->hn.bound_dev_if = READ_ONCE(listener->sk_bound_dev_if);
	req->hn.state = TCP_SYN_RECV;
	req->listener = listener;
	sock_hold(listener);
	xtcp_timer_init(&req->timer, XTCP_TIMER_SYNACK);
	INIT_LIST_HEAD(&req->lnode);
	return req;
}

/* ---- SYN cookies (net/xtcp/syncookie.c does the arithmetic) ---- */

/* How long after the last cookie sent cookie ACKs are looked at
 * (TCP_SYNCOOKIE_VALID).
 */
#define XTCP_SYNCOOKIE_VALID	(2 * 60 * HZ)

static siphash_key_t xtcp_cookie_keys[2] __read_mostly;

/* The connection a cookie is bound to, as the peer's segments carry it. */
struct xtcp_cookie_ctx {
	__be32 saddr, daddr;
	__be16 sport, dport;
};

static void xtcp_cookie_ctx_of(struct xtcp_cookie_ctx *c,
			       const struct sk_buff *skb)
{
	c->saddr = ip_hdr(skb)->saddr;
	c->daddr = ip_hdr(skb)->daddr;
	c->sport = tcp_hdr(skb)->source;
	c->dport = tcp_hdr(skb)->dest;
}

/* siphash over the connection and @count under a boot-time secret
 * (cookie_hash()).
 */
static u32 xtcp_cookie_hash(const void *ctx, u32 count, int which)
{
	const struct xtcp_cookie_ctx *c = ctx;

	net_get_random_once(xtcp_cookie_keys, sizeof(xtcp_cookie_keys));
	return siphash_4u32((__force u32)c->saddr, (__force u32)c->daddr,
			    (__force u32)c->sport << 16 | (__force u32)c->dport,
			    count, &xtcp_cookie_keys[which]);
}

/* The cookie clock: minutes since boot (tcp_cookie_time()). */
static u32 xtcp_cookie_time(void)
{
	u64 t = get_jiffies_64();

	do_div(t, 60 * HZ);
	return (u32)t;
}

/* The SYN queue is full (tcp_syn_flood_action()): cookies if
 * tcp_syncookies allows, counted; the listener logs it once.  Returns
 * whether to answer with a cookie.
 */
static bool xtcp_syn_flood_action(struct sock *listener, u8 syncookies)
{
	struct xtcp_sock *lsk = xtcp_sk(listener);
	struct net *net = sock_net(listener);

	XTCP_INC_STATS(net, syncookies ? XTCP_MIB_TCPREQQFULLDOCOOKIES :
			    XTCP_MIB_TCPREQQFULLDROP);
	if (syncookies != 2 && !READ_ONCE(lsk->synflood_warned) &&
	    !xchg(&lsk->synflood_warned, 1))
		net_info_ratelimited("xtcp: possible SYN flooding on port %pI4:%u, %s; see the SNMP counters\n",
				     &inet_sk(listener)->inet_rcv_saddr,
				     inet_sk(listener)->inet_num,
				     syncookies ? "sending cookies" :
						  "dropping requests");
	return syncookies;
}

/* Answer the SYN @skb with a cookie SYN-ACK made from @req (filled as a
 * SYN queue entry, on no table, one reference: ours), then let @req go
 * (cookie_v4_init_sequence(), tcp_conn_request()'s want_cookie path).
 * The peer's MSS is rounded down to what a cookie can carry; ECN needs
 * timestamps to come back (the bit rides in the TSval).
 */
static void xtcp_req_send_cookie(struct xtcp_request *req,
				 const struct sk_buff *skb)
{
	struct xtcp_sock *lsk = xtcp_sk(req->listener);
	struct xtcp_cookie_ctx ctx;
	u32 idx = xtcp_cookie_mss_index(req->peer_mss);

	xtcp_cookie_ctx_of(&ctx, skb);
	req->peer_mss = xtcp_cookie_msstab[idx];
	req->iss = xtcp_cookie_make(xtcp_cookie_hash, &ctx, xtcp_cookie_time(),
				    req->irs, idx);
	req->cookie = 1;
	/* At most once a second, as tcp_synq_overflow(). */
	if (time_after(jiffies, READ_ONCE(lsk->last_synq_overflow) + HZ))
		WRITE_ONCE(lsk->last_synq_overflow, jiffies);
	refcount_set(&req->ref, 1);
	xtcp_req_send_synack(req);
	XTCP_INC_STATS(xtcp_hn_net(&req->hn), XTCP_MIB_SYNCOOKIESSENT);
	xtcp_req_put(req);
}

/* A segment for @listener dropped: counted in ListenDrops and in the
 * listener's sk_drops, as tcp_listendrop().
 */
static void xtcp_listendrop(struct sock *listener)
{
	atomic_inc(&listener->sk_drops);
	XTCP_SK_INC_STATS(listener, XTCP_MIB_LISTENDROPS);
}

/**
 * xtcp_req_create() - make a SYN queue entry for a SYN to a listener
 * @listener: the listening socket
 * @skb:      the SYN, control block filled; not consumed
 *
 * RFC 9293 s.3.10.7.2 (LISTEN, "third, check for a SYN"); Linux's
 * tcp_conn_request() without Fast Open.  The SYN queue holds at most the
 * listen backlog and tcp_max_syn_backlog entries (counted in entries);
 * beyond that, or always with tcp_syncookies 2, the SYN-ACK carries a
 * SYN cookie and nothing is kept (RFC 4987 s.3.6); a full accept queue
 * refuses new SYNs (ListenOverflows).  A kept entry is put on the
 * listener's queue, the bind table, the established table and the
 * SYN-ACK timer (XTCP_TIMEOUT_INIT jiffies), and the SYN-ACK is sent.
 * Every refusal counts in ListenDrops (tcp_listendrop()).
 *
 * Context: segment input for @listener (xtcp_listen_rcv()): softirq,
 * listener not locked, as Linux's tcp_conn_request().
 * Return: 0 when the entry was made and the SYN-ACK sent, or a cookie
 * SYN-ACK sent; -ENOBUFS when the SYN queue is full without cookies or
 * the accept queue is full; -ENOMEM when no entry could be
 * allocated; -ENOENT when @listener stopped listening (or the entry
 * was dropped by the time its links were made); -EEXIST when an
 * entry for the same four-tuple was made first (a twin SYN on another
 * CPU); the route lookup's -errno (-ENETUNREACH, -EHOSTUNREACH, ...)
 * when there is no route back to the SYN's source.
 */
int xtcp_req_create(struct sock *listener, struct sk_buff *skb)
{
	struct xtcp_net *xn = xtcp_sk_pernet(listener);
	struct xtcp_sock *lsk = xtcp_sk(listener);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_options_received rx;
	struct xtcp_request *req;
	int qlen = atomic_read(&lsk->syn_qlen);
	u8 syncookies = READ_ONCE(xn->syncookies);
	bool want_cookie = false;
	u8 save_syn;
	u16 advmss;
	int err = -ENOBUFS;

	if (syncookies == 2 ||
	    qlen >= max_t(u32, READ_ONCE(listener->sk_max_ack_backlog), 1) ||
	    qlen >= READ_ONCE(xn->max_syn_backlog)) {
		want_cookie = xtcp_syn_flood_action(listener, syncookies);
		if (!want_cookie)
			goto drop;
	}
	if (sk_acceptq_is_full(listener)) {
		XTCP_SK_INC_STATS(listener, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	err = xtcp_req_advmss(listener, skb, &advmss);
	if (err)
		goto drop;

	err = -ENOMEM;
	req = xtcp_req_alloc(listener, skb);
	if (!req)
		goto drop;
	req->irs = cb->seq;
	req->iss = xtcp_isn(iph->daddr, iph->saddr, th->dest, th->source);
	/* What the SYN offers, parsed once (tcp_conn_request(),
	 * tcp_openreq_init()); then our window and shift for it.
	 */
	xtcp_rcv_syn_options(sock_net(listener), cb, &rx);
	/* tcp_conn_request(): without the option 536, whatever TCP_MAXSEG. */
	req->peer_mss = rx.mss_clamp ?
			xtcp_mss_clamp(rx.mss_clamp,
				       READ_ONCE(xtcp_sk(listener)->user_mss)) : 0;
	req->sack_ok = rx.sack_ok;
	req->wscale_ok = rx.wscale_ok;
	req->snd_wscale = rx.wscale_ok ? rx.snd_wscale : 0;
	req->advmss = advmss;
	xtcp_tstamp_req_init(req, skb);
	req->ecn_ok = xtcp_ecn_create_request(listener, skb);
	/* A cookie carries the options in the timestamp: without one the
	 * SYN-ACK offers none (tcp_conn_request()'s tcp_clear_options()),
	 * before the window and shift are chosen.
	 */
	if (want_cookie && !req->tstamp_ok) {
		req->wscale_ok = 0;
		req->snd_wscale = 0;
		req->sack_ok = 0;
		req->ecn_ok = 0;
	}
	xtcp_req_init_rwin(req, listener);
	if (want_cookie) {
		xtcp_req_send_cookie(req, skb);
		return 0;
	}
	save_syn = READ_ONCE(lsk->save_syn);
	if (save_syn)
		xtcp_req_record_syn(req, save_syn, skb);
	/* One reference for the tables, one ours until the SYN-ACK is out;
	 * the timer takes its own.
	 */
	refcount_set(&req->ref, 2);

	/* On the listener's queue, the bind table and the timer before any
	 * lookup can find it: a segment for it may then arrive on another
	 * CPU and take it off again.  The listener is not locked: the check
	 * under accept_lock makes sure it still listens and that
	 * xtcp_stop_listening() sees @req; it may then claim @req on
	 * another CPU before the links below exist (see after them).
	 */
	spin_lock_bh(&lsk->accept_lock);
	if (listener->sk_state != TCP_LISTEN) {
		spin_unlock_bh(&lsk->accept_lock);
		sock_put(listener);
		kfree(req->saved_syn);
		kfree(req);
		err = -ENOENT;
		goto drop;
	}
	list_add_tail(&req->lnode, &lsk->req_list);
	atomic_inc(&lsk->syn_qlen);
	WRITE_ONCE(lsk->syn_young, lsk->syn_young + 1);
	spin_unlock_bh(&lsk->accept_lock);
	xtcp_bhash_add(&req->hn);
	xtcp_req_arm_timer(req, jiffies + XTCP_TIMEOUT_INIT);

	/* A twin of this SYN made an entry first (-EEXIST, not a drop: the
	 * twin is answered), or the listener stopped and
	 * xtcp_listener_drop_reqs() claimed @req: "dead" is written before
	 * the claimer takes the bind, wheel and established-hash locks, so
	 * a removal of its that came before one of our links above is seen
	 * here, and the links it missed are undone (each removal does
	 * nothing twice; one timer cancel wins).
	 */
	err = xtcp_ehash_insert(&req->hn) ? -EEXIST : 0;
	if (!err) {
		u8 dead = READ_ONCE(req->dead);

		/* Found and completed already (a SYN-ACK resent from the
		 * timer was answered): the child's path took every link.
		 */
		if (dead == XTCP_REQ_CHILD) {
			xtcp_req_put(req);
			return 0;
		}
		if (dead)
			err = -ENOENT;
	}
	if (err) {
		if (!xtcp_req_drop(req)) {
			xtcp_ehash_remove(&req->hn);
			xtcp_bhash_del(&req->hn);
			xtcp_req_stop_timer(req);
		}
		xtcp_req_put(req);
		/* A listener still listening lost it to a segment or its
		 * timer, not a drop of ours.
		 */
		if (err == -EEXIST ||
		    READ_ONCE(listener->sk_state) == TCP_LISTEN)
			return err;
		goto drop;
	}
	xtcp_req_send_synack(req);
	xtcp_req_put(req);
	return 0;
drop:
	xtcp_listendrop(listener);
	return err;
}

/* The listener's socket filter (SO_ATTACH_FILTER, SO_ATTACH_BPF), shared
 * with the child as sk_clone_lock() shares it: a reference, and the
 * filter's size charged to the child's option memory within
 * net.core.optmem_max (sk_filter_charge(), which is not exported: the
 * same steps).  __sk_destruct() gives both back.  Return: false when the
 * child cannot take it: optmem_max lowered since the listener's attach,
 * or the filter being replaced on the listener right now (its last
 * reference gone); Linux makes no child then, and neither does the
 * caller (which, unlike Linux, drops the SYN queue entry too: see
 * xtcp_req_rcv()).
 */
static bool xtcp_child_filter(struct sock *sk, const struct sock *listener)
{
	struct sk_filter *fp;
	bool ok = true;
	u32 size;
	int max;

	rcu_read_lock();
	fp = rcu_dereference(listener->sk_filter);
	if (fp) {
		size = bpf_prog_size(fp->prog->len);
		max = READ_ONCE(sysctl_optmem_max);
		ok = size <= max &&
		     atomic_read(&sk->sk_omem_alloc) + size < max &&
		     refcount_inc_not_zero(&fp->refcnt);
		if (ok) {
			atomic_add(size, &sk->sk_omem_alloc);
			/* Nobody sees the child yet. */
			RCU_INIT_POINTER(sk->sk_filter, fp);
		}
	}
	rcu_read_unlock();
	return ok;
}

/* The full socket for a completed handshake, established, not yet in
 * the tables.  @port is the listener's, with a reference the child takes
 * over on success.  BHs off, @listener not locked: softirq for a SYN
 * queue entry's ACK or a cookie's (xtcp_listen_rcv()).
 */
static struct sock *xtcp_create_child(struct sock *listener,
				      struct xtcp_request *req,
				      struct sk_buff *skb,
				      struct xtcp_port *port)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk;
	struct inet_sock *inet;
	struct rtable *rt;
	struct sock *sk;
	u32 ts_rtt_us;

	sk = sk_alloc(sock_net(listener), xtcp_family, GFP_ATOMIC, &xtcp_prot, 0);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;
	xtcp_init_sock_common(sk, listener);
	xsk = xtcp_sk(sk);
	inet = inet_sk(sk);
	if (!xtcp_child_filter(sk, listener)) {
		sock_set_flag(sk, SOCK_DEAD);
		sock_put(sk);
		return NULL;
	}

	inet->inet_saddr = req->hn.laddr;
	inet->inet_rcv_saddr = req->hn.laddr;
	inet->inet_sport = req->hn.lport;
	inet->inet_num = ntohs(req->hn.lport);
	/* Linux's child starts as a copy of its listener and goes to
	 * SYN_RECV before it learns its peer (inet_csk_clone_lock()), then
	 * ESTABLISHED: the same two changes, traced alike (no table or
	 * counter sees the first).
	 */
	sk->sk_state = TCP_LISTEN;
	xtcp_set_state(sk, TCP_SYN_RECV);
	inet->inet_daddr = req->hn.raddr;
	inet->inet_dport = req->hn.rport;

	/* Routed through the socket's own flow: ip_queue_xmit() takes the
	 * IP header's addresses from it.
	 */
	rt = ip_route_output_ports(sock_net(sk), &inet->cork.fl.u.ip4, sk,
				   inet->inet_daddr,
				   inet->inet_saddr, inet->inet_dport,
				   inet->inet_sport, IPPROTO_TCP,
				   RT_CONN_FLAGS(sk), sk->sk_bound_dev_if);
	if (IS_ERR(rt)) {
		/* Nothing hashed or held yet: the only reference frees it. */
		sock_set_flag(sk, SOCK_DEAD);
		sock_put(sk);
		return NULL;
	}
	xtcp_setup_caps(sk, &rt->dst);

	xsk->iss = req->iss;
	xsk->snd_una = req->iss + 1;
	xsk->snd_up = req->iss + 1;	/* no urgent data */
	xsk->snd_sml = req->iss + 1;
	xsk->snd_nxt = req->iss + 1;
	xsk->high_seq = req->iss;	/* RFC 6582 s.3.2 step 1 */
	xsk->write_seq = req->iss + 1;
	xsk->pushed_seq = xsk->write_seq;
	/* What was negotiated (tcp_create_openreq_child()): without window
	 * scaling neither side shifts and no window exceeds 65535.
	 */
	xsk->sack_ok = req->sack_ok;
	xtcp_sack_rcv_init(&xsk->sack_rcv,
			   READ_ONCE(xtcp_sk_pernet(sk)->dsack));
	xsk->tstamp_ok = req->tstamp_ok;
	xsk->wscale_ok = req->wscale_ok;
	xsk->window_clamp = req->window_clamp;
	if (req->wscale_ok) {
		xsk->snd_wscale = req->snd_wscale;
		xsk->rcv_wscale = req->rcv_wscale;
	} else {
		xsk->snd_wscale = 0;
		xsk->rcv_wscale = 0;
		xsk->window_clamp = min(xsk->window_clamp, XTCP_MAX_WINDOW);
	}
	xsk->snd_wnd = (u32)cb->window << xsk->snd_wscale;
	xsk->max_window = xsk->snd_wnd;
	xsk->snd_wl1 = cb->seq;
	xsk->irs = req->irs;
	xsk->rcv_nxt = req->irs + 1;
	WRITE_ONCE(xsk->copied_seq, xsk->rcv_nxt);
	xsk->rcv_wup = xsk->rcv_nxt;
	xsk->rcv_wnd = req->rcv_wnd;
	xsk->rcv_ssthresh = req->rcv_wnd;
	xsk->peer_mss = req->peer_mss;
	xsk->advmss = req->advmss;
	/* tcp_create_openreq_child(): the SYN was one segment in, the
	 * SYN-ACK's retransmissions count as the child's.
	 */
	xsk->segs_in = 1;
	xsk->delivered = 1;	/* the SYN-ACK (tcp_rcv_state_process()) */
	XTCP_SK_INC_STATS(sk, XTCP_MIB_PASSIVEOPENS);
	xsk->lsndtime = tcp_jiffies32;
	xsk->snd_cwnd_stamp = tcp_jiffies32;	/* tcp_init_transfer() */
	xsk->total_retrans = READ_ONCE(req->num_retrans);
	/* RFC 5681 s.3.1 as tcp_init_transfer(): after more than one
	 * SYN-ACK sent again, its timer having fired (Linux's undo_marker,
	 * set when num_timeout is), the first window is one segment, unless
	 * the ACK echoes the first SYN-ACK's TSval: then the timeouts were
	 * spurious (tcp_try_undo_spurious_syn()).
	 */
	if (xsk->total_retrans > 1 && READ_ONCE(req->retries) &&
	    !xtcp_ts_spurious_syn(READ_ONCE(req->synack_ts),
				  XTCP_SKB_CB(skb)->saw_tstamp,
				  XTCP_SKB_CB(skb)->rcv_tsecr, req->ts_off))
		xsk->cong.cwnd = 1;
	xtcp_tstamp_child_init(sk, req);
	/* With timestamps the child works from an MSS 12 bytes smaller, as
	 * tcp_rcv_state_process() lowers advmss in SYN-RECEIVED; the SYN-ACK
	 * offered the whole of it.
	 */
	if (xsk->tstamp_ok)
		xsk->advmss -= XTCP_OLEN_TSTAMP_ALIGNED;
	xsk->ecn_flags = req->ecn_ok ? TCP_ECN_OK : 0;	/* tcp_ecn_openreq_child() */
	xtcp_update_mss(sk);
	xtcp_sndbuf_expand(sk);
	xtcp_init_buffer_space(sk);
	/* The SYN-ACK to ACK time is the first RTT sample unless the SYN-ACK
	 * was sent again (Karn), as tcp_synack_rtt_meas(); then data starts
	 * from the ACK's TSecr if any (tcp_ack_update_rtt()), else from the
	 * 3 s RTO of RFC 6298 s.5.7, as tcp_init_metrics().
	 */
	xtcp_mstamp_refresh(xsk);
	ts_rtt_us = READ_ONCE(req->num_retrans) || req->cookie ?
		    xtcp_tstamp_rtt_us(sk, skb) : 0;
	if (ts_rtt_us)
		xtcp_update_rtt(sk, ts_rtt_us);
	else if (READ_ONCE(req->num_retrans) || req->cookie)
		xtcp_rtt_syn_fallback(&xsk->rtt);
	else if (READ_ONCE(req->snt_synack))
		xtcp_update_rtt(sk,
				max_t(u64, 1,
				      xtcp_stamp_us_delta(xsk->tcp_mstamp,
							  READ_ONCE(req->snt_synack))));

	/* The saved SYN moves to the connection (tcp_move_syn()). */
	xsk->saved_syn = req->saved_syn;
	req->saved_syn = NULL;
	xtcp_port_child_attach(sk, port);	/* the caller's reference */
	xsk->hn.laddr = req->hn.laddr;
	xsk->hn.raddr = req->hn.raddr;
	xsk->hn.lport = req->hn.lport;
	xsk->hn.rport = req->hn.rport;
	xsk->hn.bound_dev_if = req->hn.bound_dev_if;
	xtcp_set_state(sk, TCP_ESTABLISHED);
	xtcp_init_rcv_mss(sk);
	/* SO_KEEPALIVE inherited: tcp_create_openreq_child() arms it. */
	xtcp_keepalive_start(sk);
	return sk;
}

/* Linux's tcp_in_window(): the segment starts at the window's left
 * edge, or overlaps the window, or is empty right at its right edge.
 */
static bool xtcp_in_window(u32 seq, u32 end_seq, u32 s_win, u32 e_win)
{
	if (seq == s_win)
		return true;
	if (xtcp_seq_after(end_seq, s_win) && xtcp_seq_before(seq, e_win))
		return true;
	return seq == e_win && seq == end_seq;
}

/* The entry's ACK: SND.NXT (ISS + 1) and RCV.NXT (IRS + 1), the window
 * of the SYN-ACK scaled by our shift (tcp_v4_reqsk_send_ack()).
 */
static void xtcp_req_send_ack(struct xtcp_request *req)
{
	struct xtcp_out_options opts = {};

	xtcp_tstamp_req_out(req, &opts, false);
	xtcp_established_options(&opts);
	xtcp_send_ack_reply(xtcp_hn_net(&req->hn), &req->hn, req->iss + 1,
			    req->irs + 1,
			    min(req->rcv_wnd >> req->rcv_wscale, XTCP_MAX_WINDOW),
			    TCPHDR_ACK, &opts, xtcp_req_tx_delay(req));
}

/* A new child, locked and on the tables, takes the segment that made it
 * and goes on its listener's accept queue; or, the listener having
 * stopped meanwhile, is reset (tcp_child_process(),
 * inet_csk_reqsk_queue_add()).  Unlocks @child.
 */
static void xtcp_child_publish(struct sock *listener, struct sock *child,
			       struct sk_buff *skb)
	__releases(&child->sk_lock.slock)
{
	struct xtcp_sock *lsk = xtcp_sk(listener);
	bool queued;

	/* As tcp_child_process(): the ACK, and any data on it, is processed
	 * on the child before anyone can accept it, and only then is the
	 * listener woken.  Nobody can own the child yet (it is not on the
	 * accept queue), but respect an owner as Linux does.
	 */
	if (!sock_owned_by_user(child)) {
		xtcp_backlog_rcv(child, skb);
	} else if (sk_add_backlog(child, skb, xtcp_backlog_limit(child))) {
		XTCP_SK_INC_STATS(child, XTCP_MIB_TCPBACKLOGDROP);
		kfree_skb(skb);
	}

	/* Publish it only if the listener still listens, checked under the
	 * lock xtcp_stop_listening() empties the queue under, so a child
	 * can never be added after that (inet_csk_reqsk_queue_add()).
	 */
	spin_lock_bh(&lsk->accept_lock);
	queued = listener->sk_state == TCP_LISTEN;
	if (queued) {
		list_add_tail(&xtcp_sk(child)->accept_node, &lsk->accept_queue);
		sk_acceptq_added(listener);
	}
	spin_unlock_bh(&lsk->accept_lock);
	if (queued) {
		bh_unlock_sock(child);
		listener->sk_data_ready(listener);
		return;
	}
	sock_hold(child);
	xtcp_child_abort(child);	/* as inet_child_forget() */
	bh_unlock_sock(child);
	sock_put(child);
}

/**
 * xtcp_req_rcv() - process a segment for a SYN queue entry
 * @req: the entry, with a reference the caller keeps
 * @skb: the segment, control block filled; consumed
 *
 * RFC 9293 s.3.10.7.4, SYN-RECEIVED of a passive open, checked in the
 * order of Linux's tcp_check_req():
 *
 * - a bare retransmitted SYN gets the SYN-ACK again (rate-limited) and
 *   restarts the SYN-ACK timer;
 * - an ACK of anything but our SYN gets a RST (from the listener in
 *   Linux), unless it is a RST;
 * - a segment outside the window offered (tcp_in_window()) gets an ACK
 *   (rate-limited), unless it is a RST, and is dropped;
 * - a SYN at IRS is trimmed to what follows it;
 * - a RST in the window but not at RCV.NXT gets a challenge ACK (RFC 5961
 *   s.3.2, RFC 9293 s.3.10.7.4);
 * - a RST at RCV.NXT drops the entry (back to LISTEN for this peer); a
 *   SYN in the window drops it and gets a RST (RFC 9293 "fourth, check
 *   the SYN bit", RFC 5961 s.4 aside as in Linux's embryonic reset;
 *   EmbryonicRsts counts both);
 * - a segment without ACK is dropped;
 * - under TCP_DEFER_ACCEPT, a bare ACK before the deferral's SYN-ACK
 *   timeouts is dropped (TCPDeferAcceptDrop);
 * - with the accept queue full, an ACK is dropped, or with
 *   tcp_abort_on_overflow gets a RST and drops the entry;
 * - an acceptable ACK, at RCV.NXT or elsewhere in the window, completes
 *   the handshake: the child processes the segment as Linux's does.
 *
 * Context: softirq (xtcp_v4_rcv()), no socket lock held; the listener
 * is not locked, the new child's spinlock is taken here.
 */
void xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sock *listener = req->listener;
	struct net *net = xtcp_hn_net(&req->hn);
	u8 flags = cb->flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
	u32 rcv_nxt = req->irs + 1;
	struct xtcp_port *port;
	struct sock *child;
	bool paws_reject;

	if (READ_ONCE(req->dead))
		goto drop;
	/* RFC 7323 s.5: an old TSval is out of the window too. */
	paws_reject = xtcp_tstamp_req_check(req, skb,
					    xtcp_req_timeout(READ_ONCE(req->retries)) / HZ);
	if (cb->seq == req->irs && flags == TCPHDR_SYN && !paws_reject) {
		/* The peer did not get our SYN-ACK: send it again, at most
		 * once per tcp_invalid_ratelimit, and restart its timer
		 * from now with the current backoff.  Only a pending timer
		 * is pushed back: it holds its reference already.
		 */
		if (!xtcp_oow_rate_limited(net, skb, &req->last_oow_ack_time)) {
			xtcp_req_send_synack(req);
			xtcp_timer_mod_pending(&req->timer, jiffies +
					       xtcp_req_timeout(READ_ONCE(req->retries)));
		}
		goto drop;
	}
	if ((flags & TCPHDR_ACK) && !(flags & TCPHDR_RST) &&
	    cb->ack_seq != req->iss + 1) {
		/* From the listener, as tcp_v4_send_reset() after
		 * tcp_check_req() returned it.
		 */
		xtcp_sk_send_reset_reply(listener, skb);
		goto drop;
	}
	if (paws_reject ||
	    !xtcp_in_window(cb->seq, cb->end_seq, rcv_nxt,
			    rcv_nxt + READ_ONCE(req->rcv_wnd))) {
		if (!(flags & TCPHDR_RST) &&
		    !xtcp_oow_rate_limited(net, skb, &req->last_oow_ack_time))
			xtcp_req_send_ack(req);
		goto drop;
	}
	xtcp_tstamp_req_update(req, skb);
	if (cb->seq == req->irs)
		flags &= ~TCPHDR_SYN;
	if ((flags & TCPHDR_RST) && cb->seq != rcv_nxt) {
		if (xtcp_challenge_ack_ok(net, &req->last_oow_ack_time))
			xtcp_req_send_ack(req);
		goto drop;
	}
	if (flags & (TCPHDR_RST | TCPHDR_SYN)) {
		XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		goto embryonic_reset;
	}
	if (!(flags & TCPHDR_ACK))
		goto drop;
	if (READ_ONCE(listener->sk_state) != TCP_LISTEN)
		goto drop;
	/* TCP_DEFER_ACCEPT: a bare ACK makes no child until the deferral's
	 * SYN-ACK timeouts have passed (tcp_check_req()); the entry waits
	 * for data, its timer keeping it (xtcp_req_timer()).
	 */
	if (READ_ONCE(req->retries) < READ_ONCE(xtcp_sk(listener)->defer_accept) &&
	    cb->end_seq == rcv_nxt) {
		WRITE_ONCE(req->acked, 1);
		XTCP_INC_STATS(net, XTCP_MIB_TCPDEFERACCEPTDROP);
		goto drop;
	}
	/* A full accept queue drops the ACK, the peer sending it again
	 * (tcp_v4_syn_recv_sock()'s exit_overflow), or with
	 * tcp_abort_on_overflow resets the connection (tcp_check_req()).
	 */
	if (sk_acceptq_is_full(listener)) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		xtcp_listendrop(listener);
		if (READ_ONCE(xtcp_pernet(net)->abort_on_overflow))
			goto embryonic_reset;
		WRITE_ONCE(req->acked, 1);
		goto drop;
	}
	if (!xtcp_req_unlink(req, &port))
		goto drop;
	xtcp_req_stop_timer(req);

	child = xtcp_create_child(listener, req, skb, port);
	if (!child) {
		/* tcp_v4_syn_recv_sock()'s exit: tcp_listendrop().  Linux
		 * keeps the entry (acked) for the peer's next ACK; this one
		 * is unlinked already, so that ACK finds no one.
		 */
		xtcp_listendrop(listener);
		xtcp_port_put(port);
		xtcp_ehash_remove(&req->hn);
		xtcp_req_put(req);
		goto drop;
	}
	/* Locked before it is in the tables, as sk_clone_lock() returns
	 * Linux's children: segments for it that other CPUs find wait until
	 * the handshake's ACK is processed.
	 */
	bh_lock_sock(child);
	xtcp_bhash_add(&xtcp_sk(child)->hn);
	xtcp_ehash_replace(&req->hn, &xtcp_sk(child)->hn);
	xtcp_req_put(req);	/* the tables' reference: replaced by @child */

	xtcp_child_publish(listener, child, skb);
	return;
embryonic_reset:
	/* The listener's send_reset (never in answer to a RST). */
	xtcp_sk_send_reset_reply(listener, skb);
	if (xtcp_req_drop(req))
		XTCP_INC_STATS(net, XTCP_MIB_EMBRYONICRSTS);
drop:
	kfree_skb(skb);
}

/**
 * xtcp_cookie_rcv() - a listener's ACK that may return one of its SYN cookies
 * @listener: the listening socket (segment input, not locked)
 * @skb:      an ACK without SYN or RST that no SYN queue entry took
 *
 * Linux's cookie_v4_check() and tcp_get_cookie_sock(): while cookies were
 * sent in the last two minutes (or tcp_syncookies is 2), an ACK whose
 * acknowledgment number less one is a cookie of this connection made
 * this minute or the last rebuilds the entry (MSS from the cookie, the
 * other options from the TSecr's low bits when the ACK has a timestamp,
 * as the namespace allows them) and makes the child, which takes the
 * ACK, and any data on it, as from a kept entry.  A full accept queue
 * drops the ACK (ListenOverflows); a cookie that is not ours counts as
 * SyncookiesFailed.
 *
 * Context: segment input for @listener (xtcp_listen_rcv()): softirq,
 * listener not locked, as Linux's cookie_v4_check().  Processed when it
 * arrives: a second cookie ACK after the child is on the tables goes to
 * the child (the lookup finds it first); one racing the child's
 * insertion on another CPU finds it there (xtcp_ehash_insert() fails)
 * and is dropped uncounted, as Linux's.
 * Return: true when @skb was taken (the child has it, or it was
 * dropped); false when it returns no cookie of ours, for the caller to
 * answer as any stray ACK (a RST).
 */
bool xtcp_cookie_rcv(struct sock *listener, struct sk_buff *skb)
{
	struct xtcp_net *xn = xtcp_sk_pernet(listener);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *lsk = xtcp_sk(listener);
	struct net *net = sock_net(listener);
	unsigned long last = READ_ONCE(lsk->last_synq_overflow);
	struct xtcp_cookie_opts o = {};
	struct xtcp_cookie_ctx ctx;
	struct xtcp_request *req;
	struct xtcp_port *port;
	struct sock *child;
	u16 advmss;
	u32 idx;

	if (!READ_ONCE(xn->syncookies) ||
	    (cb->flags & (TCPHDR_SYN | TCPHDR_RST)) ||
	    !(cb->flags & TCPHDR_ACK))
		return false;
	/* Cookies went out lately (tcp_synq_no_recent_overflow(); an
	 * update racing with this read is an HZ early at most).
	 */
	if (!time_in_range(jiffies, last - HZ, last + XTCP_SYNCOOKIE_VALID))
		return false;
	xtcp_cookie_ctx_of(&ctx, skb);
	idx = xtcp_cookie_check(xtcp_cookie_hash, &ctx, xtcp_cookie_time(),
				cb->ack_seq - 1, cb->seq - 1);
	if (idx >= ARRAY_SIZE(xtcp_cookie_msstab)) {
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESFAILED);
		return false;
	}
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESRECV);
	/* cookie_timestamp_decode(), cookie_ecn_ok(). */
	if (cb->saw_tstamp) {
		if (!READ_ONCE(xn->timestamps))
			return false;
		xtcp_cookie_ts_decode(cb->rcv_tsecr, &o);
		if ((o.sack_ok && !READ_ONCE(xn->sack)) ||
		    (o.wscale_ok && !READ_ONCE(xn->window_scaling)))
			return false;
		o.ecn_ok = o.ecn_ok && READ_ONCE(xn->ecn);
	}
	if (sk_acceptq_is_full(listener)) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	if (xtcp_req_advmss(listener, skb, &advmss))
		goto drop;
	req = xtcp_req_alloc(listener, skb);
	if (!req)
		goto drop;
	refcount_set(&req->ref, 1);
	req->cookie = 1;
	req->irs = cb->seq - 1;
	req->iss = cb->ack_seq - 1;
	req->peer_mss = xtcp_cookie_msstab[idx];
	req->advmss = advmss;
	req->sack_ok = o.sack_ok;
	req->wscale_ok = o.wscale_ok;
	req->snd_wscale = o.snd_wscale;
	req->ecn_ok = o.ecn_ok;
	if (cb->saw_tstamp) {
		req->tstamp_ok = 1;
		req->ts_recent = cb->rcv_tsval;
		req->ts_off = xtcp_ts_offset(net, req->hn.laddr, req->hn.raddr,
					     req->hn.lport, req->hn.rport);
	}
	/* The same window and shift as the cookie's SYN-ACK offered: the
	 * listener's buffers decide them.
	 */
	xtcp_req_init_rwin(req, listener);

	spin_lock_bh(&lsk->accept_lock);
	if (listener->sk_state != TCP_LISTEN) {
		spin_unlock_bh(&lsk->accept_lock);
		xtcp_req_put(req);
		goto drop;
	}
	port = lsk->port;
	refcount_inc(&port->ref);
	spin_unlock_bh(&lsk->accept_lock);

	/* The child, hashed below, must not be interrupted by its own
	 * softirq input or timers while its spinlock is held (BHs off, as
	 * xtcp_stop_listening() does for children); a no-op in softirq,
	 * but the owner's backlog run may get here too (xtcp_listen_rcv()).
	 */
	local_bh_disable();
	child = xtcp_create_child(listener, req, skb, port);
	xtcp_req_put(req);
	if (!child) {
		local_bh_enable();
		xtcp_port_put(port);
		goto drop;
	}
	bh_lock_sock(child);
	xtcp_bhash_add(&xtcp_sk(child)->hn);
	if (xtcp_ehash_insert(&xtcp_sk(child)->hn)) {
		/* The same ACK twice, on two CPUs: the other child won
		 * (inet_ehash_nolisten()'s found_dup_sk); this one goes
		 * without a word to the peer, and uncounted: Linux's
		 * tcp_v4_do_rcv() discards the ACK when the cookie gives
		 * no socket.
		 */
		sock_hold(child);
		sock_orphan(child);
		xtcp_done(child);
		bh_unlock_sock(child);
		local_bh_enable();
		sock_put(child);
		kfree_skb(skb);
		return true;
	}
	xtcp_child_publish(listener, child, skb);
	local_bh_enable();
	return true;
drop:
	xtcp_listendrop(listener);
	kfree_skb(skb);
	return true;
}

/* ---- TIME_WAIT ---- */

/**
 * xtcp_tw_put() - drop a reference to a TIME_WAIT entry
 * @tw: the entry
 *
 * The last reference frees the entry after an RCU grace period, as
 * lookups walk the tables under RCU only.  Linux's inet_twsk_put().
 *
 * Context: any.
 */
void xtcp_tw_put(struct xtcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->ref))
		kfree_rcu(tw, rcu);
}

/* Off the tables, port given back; the caller's own reference stays. */
static void xtcp_tw_unhash(struct xtcp_tw *tw)
{
	atomic_dec(&xtcp_pernet(xtcp_hn_net(&tw->hn))->tw_count);
	xtcp_ehash_remove(&tw->hn);
	xtcp_bhash_del(&tw->hn);
	xtcp_port_tw_detach(tw);
	xtcp_tw_put(tw);
}

/**
 * xtcp_tw_kill() - end a TIME_WAIT entry early
 * @tw: the entry; the caller holds a reference, which stays its own
 *
 * Off the tables, port given back, timer cancelled (the rule in
 * include/net/xtcp_timer.h).  Does nothing if someone else did it.
 * Context: process or softirq.
 */
void xtcp_tw_kill(struct xtcp_tw *tw)
{
	if (xchg(&tw->dead, 1))
		return;
	if (xtcp_timer_cancel(&tw->timer))
		xtcp_tw_put(tw);
	xtcp_tw_unhash(tw);
}

/**
 * xtcp_tw_timer() - 2*MSL is over for a TIME_WAIT entry
 * @t: &xtcp_tw.timer; this run owns the reference it held
 *
 * The entry leaves the tables unless someone killed it first; the timer
 * is never re-armed from here (segments push it back while it is
 * pending, xtcp_tw_rcv()).
 * Context: softirq (the wheel's kernel timer).
 */
void xtcp_tw_timer(struct xtcp_wtimer *t)
{
	struct xtcp_tw *tw = container_of(t, struct xtcp_tw, timer);

	if (!xchg(&tw->dead, 1))
		xtcp_tw_unhash(tw);
	else
		xtcp_timer_note(XTCP_TIMER_TIME_WAIT, XTCP_TIMER_EV_STALE);
	xtcp_tw_put(tw);
}

/**
 * xtcp_time_wait() - a small entry takes a closing socket's place
 * @sk:    the socket, spinlock held; it is done (xtcp_done()) on return
 * @state: TCP_TIME_WAIT, or TCP_FIN_WAIT2 for an orphan whose FIN was
 *	   acknowledged and that waits for the peer's (Linux's FIN_WAIT2
 *	   timewait socket, tw_substate)
 * @timeo: for TCP_FIN_WAIT2, jiffies until it ends, at least 3.5 RTOs;
 *	   TCP_TIME_WAIT always lasts XTCP_TIMEWAIT_LEN (2*MSL)
 *
 * Linux's tcp_time_wait(): the entry keeps the 4-tuple and the port in
 * the tables (RFC 9293 s.3.6.1); without memory or beyond
 * tcp_max_tw_buckets the socket just closes.
 *
 * Context: softirq or process context, socket locked: segment input (spinlock
 * held, or the owner's backlog), the keepalive timer's work, xtcp_close()'s
 * orphan step (spinlock held, BHs off); takes the table locks.
 */
void xtcp_time_wait(struct sock *sk, int state, unsigned long timeo)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_tw *tw = NULL;

	/* As Linux's inet_twsk_alloc(): beyond tcp_max_tw_buckets, or
	 * without memory, the socket closes at once, without TIME_WAIT.
	 */
	if (atomic_read(&xn->tw_count) < READ_ONCE(xn->max_tw_buckets))
		tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (!tw) {
		xtcp_done(sk);
		return;
	}
	atomic_inc(&xn->tw_count);
	xtcp_hn_init(&tw->hn, sock_net(sk), XTCP_HK_TW);
	tw->hn.laddr = xsk->hn.laddr;
	tw->hn.raddr = xsk->hn.raddr;
	tw->hn.lport = xsk->hn.lport;
	tw->hn.rport = xsk->hn.rport;
	tw->hn.bound_dev_if = xsk->hn.bound_dev_if;
	tw->hn.state = state;
	tw->snd_nxt = xsk->snd_nxt;
	tw->rcv_nxt = xsk->rcv_nxt;
	/* What is left of the window, and our shift (tcp_time_wait()). */
	tw->rcv_wnd = xtcp_sk_receive_window(xsk);
	tw->rcv_wscale = xsk->rcv_wscale;
	tw->tx_delay = READ_ONCE(xsk->tx_delay);	/* tcp_time_wait() */
	xtcp_tstamp_tw_init(tw, sk);
	/* The entry holds the port for 2*MSL, one more owner of it as
	 * Linux's TIME_WAIT socket is; @sk keeps its own reference only
	 * when the user bound the port (xtcp_set_state()).  Its bind options
	 * are the socket's own, as inet_twsk_alloc() copies them: a child's
	 * are not the reservation's, which has the listener's.
	 */
	tw->reuse = sk->sk_reuse;
	tw->reuseport = sk->sk_reuseport;
	xtcp_port_tw_attach(tw, xsk->port);
	xtcp_timer_init(&tw->timer, XTCP_TIMER_TIME_WAIT);
	/* One reference for the tables, one for the timer (taken by the
	 * arm), which is armed (and on the bind table) before lookups can
	 * find the entry and kill it.
	 */
	refcount_set(&tw->ref, 1);
	xtcp_bhash_add(&tw->hn);
	if (state == TCP_TIME_WAIT)
		timeo = XTCP_TIMEWAIT_LEN;
	else
		timeo = max(timeo, xtcp_fin_wait2_min(sk));
	xtcp_timer_arm(&tw->timer, XTCP_TIMER_TIME_WAIT, jiffies + timeo,
		       &tw->ref);

	xtcp_ehash_replace(&xsk->hn, &tw->hn);
	xtcp_done(sk);
}

static void xtcp_tw_send_ack(struct xtcp_tw *tw)
{
	struct xtcp_out_options opts = {};

	xtcp_tstamp_tw_out(tw, &opts);
	xtcp_established_options(&opts);
	xtcp_send_ack_reply(xtcp_hn_net(&tw->hn), &tw->hn, tw->snd_nxt,
			    tw->rcv_nxt,
			    min(tw->rcv_wnd >> tw->rcv_wscale, XTCP_MAX_WINDOW),
			    TCPHDR_ACK, &opts, tw->tx_delay);
}

/* RFC 9293 s.3.10.7.4 "first" for an entry: is the segment acceptable?
 * (tcp_in_window(): at RCV.NXT, overlapping the window, or empty at its
 * right edge.)
 */
static bool xtcp_tw_in_window(const struct xtcp_tw *tw,
			      const struct xtcp_skb_cb *cb)
{
	u32 right = tw->rcv_nxt + tw->rcv_wnd;

	if (cb->seq == tw->rcv_nxt)
		return true;
	if (xtcp_seq_after(cb->end_seq, tw->rcv_nxt) &&
	    xtcp_seq_before(cb->seq, right))
		return true;
	return cb->seq == right && cb->seq == cb->end_seq;
}

/* A segment for an orphan's FIN_WAIT2 entry: the checks FIN_WAIT2 makes
 * on a full socket, as tcp_timewait_state_process() repeats them for
 * TCP_FIN_WAIT2.  Out of the window: a rate-limited ACK; RST: the entry
 * ends; a SYN at or beyond RCV.NXT, or new data after the half-close:
 * RST and the entry ends; the peer's FIN (with nothing before it): ACK
 * it, and the entry turns into TIME_WAIT for 2*MSL; anything else (old
 * duplicates, a bare ACK) is dropped.
 */
static void xtcp_tw_fin_wait2_rcv(struct xtcp_tw *tw, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_hn_net(&tw->hn);
	u8 flags = cb->flags;

	if (xtcp_tstamp_tw_check(tw, skb) || !xtcp_tw_in_window(tw, cb)) {
		if (!xtcp_oow_rate_limited(net, skb, &tw->last_oow_ack_time))
			xtcp_tw_send_ack(tw);
		goto drop;
	}
	if (flags & TCPHDR_RST) {
		xtcp_tw_kill(tw);
		goto drop;
	}
	if ((flags & TCPHDR_SYN) && !xtcp_seq_before(cb->seq, tw->rcv_nxt))
		goto reset;
	if (!(flags & TCPHDR_ACK) || !xtcp_seq_after(cb->end_seq, tw->rcv_nxt) ||
	    cb->end_seq == cb->seq)
		goto drop;
	if (!(flags & TCPHDR_FIN) || cb->end_seq != tw->rcv_nxt + 1)
		goto reset;
	tw->rcv_nxt = cb->end_seq;
	xtcp_tstamp_tw_update(tw, skb);
	WRITE_ONCE(tw->hn.state, TCP_TIME_WAIT);
	xtcp_timer_mod_pending(&tw->timer, jiffies + XTCP_TIMEWAIT_LEN);
	xtcp_tw_send_ack(tw);
	goto drop;
reset:
	xtcp_tw_send_reset_reply(tw, skb);
	xtcp_tw_kill(tw);
drop:
	kfree_skb(skb);
}

/**
 * xtcp_tw_rcv() - process a segment for a TIME_WAIT entry
 * @tw:  the entry (TIME_WAIT, or FIN_WAIT2 for an orphan's last part),
 *       with a reference the caller keeps
 * @skb: the segment, control block filled; consumed
 *
 * RFC 9293 s.3.10.7.4, TIME-WAIT, as Linux's
 * tcp_timewait_state_process().  A segment PAWS rejects (RFC 7323
 * s.5, when the connection had timestamps: tstamp.c) counts as outside
 * the window:
 *
 * - at RCV.NXT and empty, or a RST at RCV.NXT: a RST ends TIME_WAIT
 *   unless tcp_rfc1337 asks to ignore it (RFC 1337 s.3, "TIME-WAIT
 *   assassination"); anything else restarts 2*MSL, unanswered;
 * - a bare SYN beyond RCV.NXT, or with a TSval newer than ts_recent,
 *   ends TIME_WAIT and goes to a listener, as RFC 1122 s.4.2.2.13
 *   allows; without a listener it is acknowledged;
 * - anything else but a RST (old duplicates, a retransmitted FIN, data)
 *   is acknowledged, at most once per tcp_invalid_ratelimit unless it
 *   carries data, and restarts 2*MSL when it has the ACK bit.
 *
 * Only a pending timer is pushed back: it holds its reference already,
 * and one that is running or cancelled must stay so.
 *
 * Context: softirq (xtcp_v4_rcv()), no socket lock held; a listener
 * taking over a SYN takes it without its lock (xtcp_listen_rcv()).
 */
void xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_hn_net(&tw->hn);
	u8 flags = cb->flags;
	struct sock *listener;
	bool paws_reject;

	if (READ_ONCE(tw->dead))
		goto drop;
	if (READ_ONCE(tw->hn.state) == TCP_FIN_WAIT2) {
		xtcp_tw_fin_wait2_rcv(tw, skb);
		return;
	}
	paws_reject = xtcp_tstamp_tw_check(tw, skb);
	if (!paws_reject && cb->seq == tw->rcv_nxt &&
	    (cb->seq == cb->end_seq || (flags & TCPHDR_RST))) {
		if (!(flags & TCPHDR_RST)) {
			xtcp_timer_mod_pending(&tw->timer,
					       jiffies + XTCP_TIMEWAIT_LEN);
		} else if (!READ_ONCE(xtcp_pernet(net)->rfc1337)) {
			xtcp_tw_kill(tw);
			goto drop;
		}
		xtcp_tstamp_tw_update(tw, skb);
		goto drop;
	}
	/* A new SYN: beyond RCV.NXT, or with a newer timestamp (RFC 6191). */
	if ((flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) == TCPHDR_SYN &&
	    !paws_reject &&
	    (xtcp_seq_after(cb->seq, tw->rcv_nxt) ||
	     (xtcp_tstamp_tw_seen(tw, skb) &&
	      (s32)(tw->ts_recent - cb->rcv_tsval) < 0))) {
		rcu_read_lock();
		listener = xtcp_lookup_listener(net, NULL, 0, tw->hn.raddr,
						tw->hn.rport, tw->hn.laddr,
						tw->hn.lport, inet_iif(skb));
		rcu_read_unlock();
		if (listener) {
			/* To the listener as any SYN for it, through its
			 * filter, without its lock (tcp_v4_rcv()'s TCP_TW_SYN
			 * goes to the listener's branch); one closing
			 * meanwhile drops it.
			 */
			xtcp_tw_kill(tw);
			if (READ_ONCE(listener->sk_state) != TCP_LISTEN)
				kfree_skb(skb);
			else if (xtcp_sk_filter(listener, skb))
				kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_FILTER);
			else
				xtcp_listen_rcv(listener, skb);
			sock_put(listener);
			return;
		}
		/* No listener: acknowledged, not rate-limited (tcp_v4_rcv()
		 * treats TCP_TW_SYN without a listener as TCP_TW_ACK).
		 */
		xtcp_tw_send_ack(tw);
		goto drop;
	}
	if (!(flags & TCPHDR_RST)) {
		if (paws_reject || (flags & TCPHDR_ACK))
			xtcp_timer_mod_pending(&tw->timer,
					       jiffies + XTCP_TIMEWAIT_LEN);
		if (!xtcp_oow_rate_limited(net, skb, &tw->last_oow_ack_time))
			xtcp_tw_send_ack(tw);
	}
drop:
	kfree_skb(skb);
}

/**
 * xtcp_listener_drop_reqs() - drop every SYN queue entry of a listener
 * @listener: a listener that stopped listening (sk_state set under its
 *	accept_lock, so no entry joins req_list any more)
 *
 * Linear in the entries it has (inet_csk_listen_stop() has them on its
 * queue as well); each one's timer is cancelled as the rule in
 * include/net/xtcp_timer.h says.
 * Context: process context, listener owned by the caller.
 */
void xtcp_listener_drop_reqs(struct sock *listener)
{
	struct xtcp_sock *lsk = xtcp_sk(listener);
	struct xtcp_request *req;

	for (;;) {
		spin_lock_bh(&lsk->accept_lock);
		req = list_first_entry_or_null(&lsk->req_list,
					       struct xtcp_request, lnode);
		/* On the list: not claimed, the tables' reference is held. */
		if (req)
			refcount_inc(&req->ref);
		spin_unlock_bh(&lsk->accept_lock);
		if (!req)
			break;
		xtcp_req_drop(req);
		xtcp_req_put(req);
	}
}
