// SPDX-License-Identifier: GPL-2.0
/* xtcp: building and sending segments.
 *
 * Data the user writes waits on sk_write_queue in skbs of up to a GSO
 * super-segment (sendq.c); once sent an skb moves to the retransmission
 * queue until acknowledged.  Headers are built on a clone at each
 * transmission, so the queued skb keeps only payload; a clone of more
 * than one segment leaves as one GSO skb (gso_size the MSS), cut by the
 * device or the GSO layer.  Segments go out through ip_queue_xmit() with the
 * socket's cached route; replies for which there is no full socket (RST,
 * SYN-ACK of a SYN queue entry, TIME_WAIT ACK) are routed one by one.
 * The checksum is left to the device (CHECKSUM_PARTIAL) where it can, and
 * computed in software by the core otherwise.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/ktime.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_seq.h>
#include <trace/events/xtcp.h>

/**
 * xtcp_clock_us() - the clock of RTT samples and send/receive stamps
 *
 * Description: ktime_get_ns() in microseconds, as Linux 6.1's tcp_clock_us().
 * Under TCG, where the guest's clocksource is the HPET, every call is an HPET
 * read.  A socket reads it once per event, into xsk->tcp_mstamp
 * (xtcp_mstamp_refresh(), as Linux's tcp_mstamp_refresh()): an incoming
 * segment, a timer run, a send batch; RTT samples, RACK, send stamps and
 * TSvals all use that reading.
 * Context: any.
 * Return: the clock, usecs.
 */
u64 xtcp_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/**
 * xtcp_sndbuf_expand() - grow the send buffer with the congestion window
 * @sk: the socket
 *
 * As Linux's tcp_sndbuf_expand(): room (sk_sndbuf, bytes) for twice the
 * window (one in flight, one being filled) at what a segment costs with
 * its share of headers and skb, rounded as Linux rounds it, for at least
 * the initial window and the reordering degree (reordering, segments)
 * plus one, up to tcp_wmem[2], unless the user fixed it with SO_SNDBUF.
 * The buffer never shrinks here.
 *
 * Context: socket locked: softirq with the spinlock held or the owner
 * (xtcp_check_space() for a writer waiting for room, the handshake's
 * end on either side, a new child in xtcp_create_child()).
 */
void xtcp_sndbuf_expand(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 per_seg = max_t(u32, xsk->peer_mss, xsk->mss) + MAX_TCP_HEADER +
		      SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	u64 want;

	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return;
	per_seg = roundup_pow_of_two(per_seg) +
		  SKB_DATA_ALIGN(sizeof(struct sk_buff));
	want = 2ULL * max3(xsk->cong.cwnd, (u32)TCP_INIT_CWND,
			   xsk->reordering + 1) * per_seg;
	want = min_t(u64, want, READ_ONCE(xtcp_sk_pernet(sk)->wmem[2]));
	if (want > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/**
 * xtcp_sync_mss() - recompute the segment size from a path MTU
 * @sk: the socket
 * @pmtu: the path MTU in bytes, or 0 when the socket has no route yet
 *
 * The MSS (bytes of payload per segment, xsk->mss): peer_mss (the peer's
 * MSS option, at most TCP_MAXSEG as it stood at the handshake; 536 when
 * there is neither) and @pmtu less the IPv4 and TCP headers, whichever
 * is smaller, less the timestamp option when it is used, at least
 * TCP_MIN_SND_MSS; then at most half the peer's largest window, though
 * not below 68 bytes less the TCP header.  Linux's tcp_sync_mss() with
 * tcp_mtu_to_mss() and tcp_bound_to_half_wnd(), but for one order:
 * Linux applies tcp_min_snd_mss before taking the timestamp option off,
 * xtcp after (a peer MSS below 60 gives 36 there, 48 here).  A non-zero
 * @pmtu is kept in pmtu_cookie, for xtcp_mtu_reduced() and
 * xtcp_update_max_window().  A TCP_MAXSEG set after the handshake
 * changes nothing here, as in Linux (it changes rx_opt.user_mss, not
 * rx_opt.mss_clamp).
 *
 * Context: socket locked: process context under lock_sock(), softirq
 * with the spinlock held or the owner, or softirq for a new child nobody
 * sees yet.
 */
void xtcp_sync_mss(struct sock *sk, u32 pmtu)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mss = xsk->peer_mss ? : XTCP_DEFAULT_MSS;

	if (pmtu) {
		xsk->pmtu_cookie = pmtu;
		mss = min_t(u32, mss, pmtu - sizeof(struct iphdr) -
				      sizeof(struct tcphdr));
	}
	/* Every segment carries the timestamp option (tcp_mtu_to_mss()). */
	if (xsk->tstamp_ok)
		mss = mss > XTCP_OLEN_TSTAMP_ALIGNED ?
		      mss - XTCP_OLEN_TSTAMP_ALIGNED : 0;
	mss = xtcp_bound_mss(sk, max_t(u32, mss, TCP_MIN_SND_MSS));
	WRITE_ONCE(xsk->mss, mss);
}

/**
 * xtcp_update_mss() - recompute the segment size from the route
 * @sk: the socket
 *
 * xtcp_sync_mss() with the MTU of the socket's route (dst_mtu()), or
 * without an MTU bound when it has none yet: at connect(), on a SYN-ACK
 * in SYN_SENT, for a new child (tcp_connect_init(),
 * tcp_rcv_synsent_state_process(), tcp_v4_syn_recv_sock()) and when an
 * ICMP lowers the path MTU (xtcp_mtu_reduced()).
 *
 * Context: as xtcp_sync_mss().
 */
void xtcp_update_mss(struct sock *sk)
{
	struct dst_entry *dst = __sk_dst_get(sk);

	xtcp_sync_mss(sk, dst ? dst_mtu(dst) : 0);
}

/**
 * xtcp_current_mss() - the MSS to send with now
 * @sk: the socket, locked (spinlock held or owned by the caller)
 *
 * Linux's tcp_current_mss() for the MTU: when the route's MTU is no
 * longer the one the MSS came from (pmtu_cookie) -- the device's MTU
 * changed, or a learned path MTU expired -- the MSS is recomputed from it
 * first (xtcp_sync_mss()).  No retransmission follows: segments sent at
 * the old size and lost are recovered as any loss is, or by
 * xtcp_mtu_reduced() when an ICMP says so first.  The SACK blocks' room
 * is not taken off (xtcp_sack_out() fits them in instead).
 *
 * Context: softirq or process context, socket locked: every send path
 * (sendmsg(), xtcp_write_xmit(), retransmissions, probes).
 * Return: the MSS, bytes.
 */
u32 xtcp_current_mss(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct dst_entry *dst = __sk_dst_get(sk);

	if (dst) {
		u32 mtu = dst_mtu(dst);

		if (unlikely(mtu != xsk->pmtu_cookie))
			xtcp_sync_mss(sk, mtu);
	}
	return xsk->mss;
}

/**
 * __xtcp_update_max_window() - a larger window than the peer ever offered
 * @sk: the socket, locked (spinlock held or owned by the caller)
 * @wnd: the window, bytes, already scaled; larger than max_window
 *
 * The out-of-line half of xtcp_update_max_window(): max_window takes
 * @wnd and the MSS is recomputed from the MTU it last came from
 * (pmtu_cookie; the route's when there is none yet), as
 * tcp_ack_update_window() calls tcp_sync_mss().
 *
 * Context: as xtcp_update_max_window().
 */
void __xtcp_update_max_window(struct sock *sk, u32 wnd)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->max_window = wnd;
	if (xsk->pmtu_cookie)
		xtcp_sync_mss(sk, xsk->pmtu_cookie);
	else
		xtcp_update_mss(sk);
}

static void xtcp_simple_retransmit(struct sock *sk);
static int __xtcp_xmit_retransmit_queue(struct sock *sk, bool count);

/**
 * xtcp_mtu_reduced() - act on an ICMP "fragmentation needed"
 * @sk: the socket, spinlock held and not owned by a user (from the ICMP
 *	handler, or from release_sock() when it was deferred there)
 *
 * Linux's tcp_v4_mtu_reduced(): the route learns the MTU of mtu_info;
 * only when that lowers the MTU the MSS was computed from does the MSS
 * shrink and the segments in flight that no longer fit go again, cut to
 * the new size (xtcp_simple_retransmit()).  A larger or equal MTU
 * changes nothing.
 *
 * Context: softirq (xtcp_err() from the ICMP handler) with the socket spinlock
 * held, or process context in release_sock() (xtcp_release_cb()), BHs off,
 * spinlock held.
 */
void xtcp_mtu_reduced(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct dst_entry *dst;
	u32 mtu, old_mss;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xsk->mtu_info);
	dst = inet_csk_update_pmtu(sk, mtu);
	if (!dst)
		return;
	/* Kept in case the connection cannot recover (tcp_v4_mtu_reduced()). */
	if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
		sk->sk_err_soft = EMSGSIZE;
	mtu = dst_mtu(dst);
	if (inet->pmtudisc == IP_PMTUDISC_DONT || !ip_sk_accept_pmtu(sk) ||
	    xsk->pmtu_cookie <= mtu)
		return;
	old_mss = xsk->mss;
	xtcp_update_mss(sk);
	if (xsk->mss < old_mss) {
		xtcp_mstamp_refresh(xsk);	/* the resends' send time */
		xtcp_simple_retransmit(sk);
		xtcp_ca_state_sync(sk);
	}
}

/* The SACK blocks of a segment that is not a SYN, on a connection that
 * negotiated SACK (tcp_established_options()): the pending D-SACK first,
 * then the SACK blocks most recent first, as many as fit after the
 * timestamps (4 without, 3 with them).  Writing them sends the D-SACK:
 * no later segment repeats it.  A segment with @len bytes of data was
 * sized to the MSS when it was queued, so it takes only the blocks the
 * MSS leaves room for (RFC 6691: data and options within the MSS); Linux
 * shrinks such segments instead (tcp_current_mss()).
 */
static void xtcp_sack_out(struct sock *sk, struct xtcp_out_options *opts,
			  u32 len)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 room = XTCP_MAX_OPTION_SPACE - XTCP_OLEN_SACK_BASE_ALIGNED;

	if (!xsk->sack_ok)
		return;
	if (opts->options & XTCP_OPTION_TS)
		room -= XTCP_OLEN_TSTAMP_ALIGNED;
	if (len) {
		u32 left = xsk->mss > len ? xsk->mss - len : 0;

		left = left > XTCP_OLEN_SACK_BASE_ALIGNED ?
		       left - XTCP_OLEN_SACK_BASE_ALIGNED : 0;
		room = min(room, left);
	}
	opts->num_sack_blocks =
		xtcp_sack_rcv_write(&xsk->sack_rcv, opts->sack_blocks,
				    room / XTCP_OLEN_SACK_PERBLOCK);
}

/* The options of a segment a full socket sends (Linux's tcp_syn_options()
 * and tcp_established_options()): a SYN or SYN-ACK offers our MSS, window
 * scale with our shift, SACK-permitted and timestamps as
 * net.xtcp.tcp_window_scaling, tcp_sack and tcp_timestamps say now; other
 * segments carry timestamps once negotiated, and SACK blocks (@len: the
 * bytes of data).  Return: their size in bytes, a multiple of 4.
 */
static unsigned int xtcp_out_options(struct sock *sk, u8 flags, u32 len,
				     u64 stamp_us,
				     struct xtcp_out_options *opts)
{
	const struct xtcp_net *xn = xtcp_sk_pernet(sk);
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	memset(opts, 0, sizeof(*opts));
	xtcp_tstamp_out(sk, opts, flags & TCPHDR_SYN, stamp_us);
	if (!(flags & TCPHDR_SYN)) {
		xtcp_sack_out(sk, opts, len);
		return xtcp_established_options(opts);
	}
	opts->mss = xsk->advmss;
	if (READ_ONCE(xn->window_scaling)) {
		opts->ws = xsk->rcv_wscale;
		opts->options |= XTCP_OPTION_WSCALE;
	}
	if (READ_ONCE(xn->sack))
		opts->options |= XTCP_OPTION_SACK_ADVERTISE;
	return xtcp_syn_options(opts);
}

static void xtcp_write_header(struct tcphdr *th, __be16 sport, __be16 dport,
			      u32 seq, u32 ack, u8 flags, u16 window,
			      const struct xtcp_out_options *opts)
{
	unsigned int len = sizeof(*th) + xtcp_options_size(opts);

	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(flags & TCPHDR_ACK ? ack : 0);
	tcp_flag_word(th) = htonl((len / 4) << 28 | (u32)flags << 16);
	th->window = htons(window);
	xtcp_options_write((u8 *)(th + 1), opts);
}

/* What delivery rate estimation keeps of a send of a queued skb, @cb
 * its cb, sent at @sent_us (tcp_rate_skb_sent()): a flight that starts
 * with nothing in flight starts both phases now; the skb keeps how long
 * ago the send phase began and the last delivery was (U32_MAX: longer,
 * or no delivery yet), the delivered count and whether the sender is
 * application-limited.
 */
static void xtcp_rate_skb_sent(struct xtcp_sock *xsk, struct xtcp_skb_cb *cb,
			       u64 sent_us)
{
	struct xtcp_rate *r = &xsk->rate;

	if (!xsk->packets_out) {
		r->first_tx_us = sent_us;
		r->delivered_us = sent_us;
	}
	cb->tx_first_delta_us =
		min_t(u64, xtcp_stamp_us_delta(sent_us, r->first_tx_us),
		      U32_MAX);
	cb->tx_deliv_delta_us = !r->delivered_us ? U32_MAX :
		min_t(u64, xtcp_stamp_us_delta(sent_us, r->delivered_us),
		      U32_MAX);
	cb->tx_delivered = xsk->delivered;
	cb->tx_app_limited = r->app_limited != 0;
}

/* A transmission of the queued skb with cb @cb failed after its send
 * time moved from @prev (0: never sent) to @sent_us: its snapshot keeps
 * pointing at the same moments (the deltas grow by the gap, saturating),
 * as Linux's absolute tx.* times stay what the last good send set.
 */
static void xtcp_rate_skb_unsent(struct xtcp_skb_cb *cb, u64 prev,
				 u64 sent_us)
{
	u64 gap;

	if (!prev)
		return;
	gap = xtcp_stamp_us_delta(sent_us, prev);
	cb->tx_first_delta_us = min_t(u64, (u64)cb->tx_first_delta_us + gap,
				      U32_MAX);
	cb->tx_deliv_delta_us = min_t(u64, (u64)cb->tx_deliv_delta_us + gap,
				      U32_MAX);
}

/**
 * xtcp_rate_check_app_limited() - mark the sender application-limited
 * @sk: the socket, locked
 *
 * When the user writes (tcp_sendmsg_locked()'s
 * tcp_rate_check_app_limited()): with less than a segment unsent, none of
 * ours in the host's queues (sk_wmem_alloc below one empty skb's
 * truesize), cwnd not full and every lost segment resent, the samples of
 * the flight now in the air are application-limited until it is
 * delivered (xtcp_rate_app_limited_mark(), rate.c).
 *
 * Context: process context, socket owned by the caller.
 */
void xtcp_rate_check_app_limited(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mark;

	mark = xtcp_rate_app_limited_mark(xsk->write_seq - xsk->snd_nxt,
					  xsk->mss,
					  sk_wmem_alloc_get(sk) >=
					  SKB_TRUESIZE(1),
					  xtcp_packets_in_flight(xsk),
					  xsk->cong.cwnd, xsk->lost_out,
					  xsk->retrans_out, xsk->delivered);
	if (mark)
		xsk->rate.app_limited = mark;
}

/* TCP_TX_DELAY: departure @tx_delay usecs from now, in skb->tstamp as
 * an EDT on the monotonic clock (what the fq qdisc honours), as
 * tcp_add_tx_delay() and tcp_transmit_time() set it.  Without a delay
 * the departure time stays 0: now.
 */
static void xtcp_set_tx_delay(struct sk_buff *skb, u32 tx_delay)
{
	if (unlikely(tx_delay))
		skb_set_delivery_time(skb, ktime_get_ns() +
				      (u64)tx_delay * NSEC_PER_USEC, true);
}

/* Put @skb on the wire with a header for the socket's current state.  With
 * @clone the queued skb is kept for retransmission; it gets its send time
 * at every attempt, its place in send order (RACK) and delivery count
 * only once sent.  Returns 0 when sent (a congested local queue took it
 * too), NET_XMIT_DROP when a local queue dropped it, < 0 on another
 * error; a local queue's drop or congestion starts a cwnd reduction
 * (xtcp_enter_cwr_local()).
 */
static int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	/* Only its address is traced: it may be gone after IP output. */
	const struct sk_buff *queued = skb;
	u32 seq = cb->seq, end_seq = cb->end_seq;
	struct xtcp_out_options opts;
	u8 flags = cb->flags;
	unsigned int hlen;
	struct tcphdr *th;
	u64 sent_us, prev_sent = 0;
	bool resend;
	u16 window;
	int err;

	/* After a reset or any other end of the connection nothing but a
	 * RST leaves (__tcp_send_ack(), tcp_write_wakeup()).
	 */
	if (sk->sk_state == TCP_CLOSE && !(flags & TCPHDR_RST)) {
		if (!clone)
			kfree_skb(skb);
		return -EPIPE;
	}

	/* The clock as this event read it (tcp_mstamp, as
	 * __tcp_transmit_skb() uses tcp_clock_cache): the send time of
	 * what goes, and its TSval.
	 */
	if (unlikely(!xsk->tcp_mstamp))
		xtcp_mstamp_refresh(xsk);
	sent_us = xsk->tcp_mstamp;
	xsk->wstamp_us = max(xsk->wstamp_us, sent_us);
	if (clone) {
		/* The send time, on every attempt, as Linux stamps the
		 * queued skb before cloning it (skb_set_delivery_time()).
		 */
		prev_sent = xtcp_skb_sent_us(skb);
		xtcp_skb_set_sent_us(skb, sent_us);
		/* An earlier clone may still be queued below us: its header
		 * shares our headroom, so copy instead of cloning then.
		 */
		skb = skb_cloned(skb) ? pskb_copy(skb, GFP_ATOMIC) :
					skb_clone(skb, GFP_ATOMIC);
		if (!skb) {
			xtcp_rate_skb_unsent(cb, prev_sent, sent_us);
			if (cb->retransmitted)
				XTCP_SK_ADD_STATS(sk, XTCP_MIB_TCPRETRANSFAIL,
						  cb->gso_segs);
			return -ENOBUFS;
		}
		if (cb->retransmitted) {
			XTCP_SK_ADD_STATS(sk, XTCP_MIB_RETRANSSEGS,
					  cb->gso_segs);
			xsk->total_retrans += cb->gso_segs;
			xsk->bytes_retrans += skb->len;
			cb->sacked |= XTCPCB_EVER_RETRANS;
			/* For undo, as tcp_retransmit_skb(): the time of the
			 * first retransmission (tcp_packet_delayed()) and one
			 * more that a D-SACK must show spurious.
			 */
			if (!xsk->undo_stamp)
				xsk->undo_stamp = xtcp_us_to_ts(sent_us) ? : 1;
			xsk->undo_retrans = max(xsk->undo_retrans, 0) +
					    cb->gso_segs;
		}
		/* skb->dev shares its place with the rbtree linkage of a
		 * retransmission queue skb (__tcp_transmit_skb()).  The
		 * send time stays with the queued skb: a departure time
		 * on the copy would read as one for a qdisc, or as a
		 * receive time after loopback.
		 */
		skb->dev = NULL;
		skb->tstamp = 0;
	}

	/* Only now, when the segment will be sent: writing the options
	 * consumes a pending D-SACK, as tcp_options_write() clears
	 * rx_opt.dsack after __tcp_transmit_skb() got its clone.
	 */
	hlen = sizeof(struct tcphdr) +
	       xtcp_out_options(sk, cb->flags, skb->len, sent_us, &opts);

	/* A SYN's window is never scaled (RFC 7323 s.2.2): the initial
	 * window chosen at connect, as tcp_transmit_skb() sends it.
	 */
	if (flags & TCPHDR_SYN)
		window = min(xsk->rcv_wnd, XTCP_MAX_WINDOW);
	else
		window = xtcp_select_window(sk);
	if (!(flags & TCPHDR_SYN) || (flags & TCPHDR_ACK))
		flags |= TCPHDR_ACK;
	/* PSH on every multi-segment (GSO) packet, which flushes GRO at the
	 * receiver, as __tcp_transmit_skb() sets it; not on one-segment
	 * ones.  Only the transmitted header gets it: cb->flags keeps PSH
	 * for write ends alone.
	 */
	if (!(flags & TCPHDR_SYN) && cb->gso_segs > 1)
		flags |= TCPHDR_PSH;
	/* ECT(0), CWR and ECE (tcp_ecn_send()); a SYN's are in cb->flags. */
	if (!(flags & TCPHDR_SYN))
		flags |= xtcp_ecn_send(sk, skb, cb->retransmitted);

	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	xtcp_write_header(th, inet->inet_sport, inet->inet_dport, cb->seq,
			  xsk->rcv_nxt, flags, window, &opts);
	if (unlikely(xtcp_urg_mode(xsk)))
		xtcp_urg_header(xsk, th, cb->seq);
	/* One GSO skb for the segments of a queued skb (__tcp_transmit_skb()):
	 * only the transmitted copy's shared info is written, the queued
	 * skb's head being private to it or this clone.
	 */
	skb_shinfo(skb)->gso_type = sk->sk_gso_type;
	if ((flags & TCPHDR_CWR) && cb->gso_size)
		skb_shinfo(skb)->gso_type |= SKB_GSO_TCP_ECN;
	skb_shinfo(skb)->gso_segs = cb->gso_segs;
	skb_shinfo(skb)->gso_size = cb->gso_size;

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~csum_tcpudp_magic(inet->inet_saddr, inet->inet_daddr,
				       skb->len, IPPROTO_TCP, 0);
	xtcp_skb_set_owner_w(skb, sk);	/* TCP small queues (tsq.c) */
	/* The IPv4 layer keeps its per-packet state (IPCB: flags such as
	 * IPSKB_REROUTED, frag_max_size, options) in the same skb->cb that
	 * holds our xtcp_skb_cb, which the clone copied: hand it over
	 * cleared, as tcp_transmit_skb() does, or our sequence numbers and
	 * send timestamp read there as IP flags.
	 */
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	/* tcp_event_ack_sent(), tcp_event_data_sent() (delack.c). */
	if (flags & TCPHDR_ACK)
		xtcp_event_ack_sent(sk);
	if (skb->len > hlen) {
		xtcp_event_data_sent(sk);
		xsk->lsndtime = tcp_jiffies32;
		xsk->data_segs_out += cb->gso_segs;
		xsk->bytes_sent += skb->len - hlen;
	}
	xsk->segs_out += max_t(u16, cb->gso_segs, 1);
	/* OutSegs: not for a retransmission (__tcp_transmit_skb()). */
	resend = cb->retransmitted || ((flags & TCPHDR_SYN) && xsk->retransmits);
	xtcp_mib_out(xtcp_sk_pernet(sk), flags,
		     resend ? 0 : max_t(u16, cb->gso_segs, 1));
	xtcp_set_tx_delay(skb, READ_ONCE(xsk->tx_delay));
	err = ip_queue_xmit(sk, skb, &inet->cork.fl);
	/* A local queue dropped it, or is congested: the sender backs off
	 * (__tcp_transmit_skb()'s tcp_enter_cwr()).  Dropped is not sent.
	 */
	if (unlikely(err > 0)) {
		xtcp_enter_cwr_local(sk);
		err = net_xmit_eval(err);
	}
	/* Sent (tcp:tcp_retransmit_skb after __tcp_retransmit_skb()). */
	if (resend && !err)
		trace_xtcp_retransmit_skb(sk, queued, seq, end_seq);
	if (!clone)
		return err;
	if (!err) {
		/* Sent: the newest in send order, and the delivery count at
		 * this send (tcp_update_skb_after_send(),
		 * tcp_rate_skb_sent()); @cb is the queued skb's.
		 */
		xtcp_rate_skb_sent(xsk, cb, sent_us);
		list_move_tail(&cb->tsorted_anchor, &xsk->tsorted_sent_queue);
	} else {
		xtcp_rate_skb_unsent(cb, prev_sent, sent_us);
		if (cb->retransmitted)
			XTCP_SK_ADD_STATS(sk, XTCP_MIB_TCPRETRANSFAIL,
					  cb->gso_segs);
	}
	return err;
}

/* An skb for a segment without data, with room for all headers. */
static struct sk_buff *xtcp_alloc_ctl_skb(gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(MAX_TCP_HEADER, gfp);

	if (skb)
		skb_reserve(skb, MAX_TCP_HEADER);
	return skb;
}

/* A segment without data in @skb (xtcp_alloc_ctl_skb()).  Returns 0 when
 * it went to the IP layer, > 0 when the local queue dropped it, < 0 on
 * another error (as tcp_transmit_skb()'s).
 */
static int xtcp_xmit_ctl(struct sock *sk, struct sk_buff *skb, u32 seq,
			 u8 flags)
{
	struct xtcp_skb_cb *cb;

	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->end_seq = seq;
	cb->flags = flags;
	return xtcp_transmit_skb(sk, skb, false);
}

/* As xtcp_xmit_ctl(), -ENOBUFS when no skb could be had. */
static int xtcp_send_ctl(struct sock *sk, u32 seq, u8 flags, gfp_t gfp)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(gfp);

	if (!skb)
		return -ENOBUFS;
	return xtcp_xmit_ctl(sk, skb, seq, flags);
}

/**
 * xtcp_connect_send_syn() - send our SYN, or SYN-ACK in SYN_RECV
 * @sk: the socket, in SYN_SENT (active open) or SYN_RECV (simultaneous
 *      open)
 *
 * Sent and resent from the state alone (ISS, options, ECN's SYN flags):
 * unlike Linux's tcp_connect(), the SYN is not on the retransmission
 * queue, so a failure here is repaired by the retransmission timer.
 *
 * Context: socket locked: process context under lock_sock() (connect()),
 * softirq with the spinlock held or the owner (a SYN in SYN_SENT, the
 * retransmission timer).
 * Return: 0, or NET_XMIT_DROP when a local queue dropped it;
 * -ENOBUFS when no skb could be allocated; a negative errno from the IP
 * layer (no route...).  Callers ignore it: the timer resends.
 */
int xtcp_connect_send_syn(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);
	struct xtcp_skb_cb *cb;

	if (!skb)
		return -ENOBUFS;
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = xsk->iss;
	cb->end_seq = xsk->iss + 1;
	cb->flags = TCPHDR_SYN;
	if (sk->sk_state == TCP_SYN_RECV)
		cb->flags |= TCPHDR_ACK;
	cb->flags |= xtcp_ecn_syn_flags(sk, xsk->retransmits);
	return xtcp_transmit_skb(sk, skb, false);
}

/* tcp_acceptable_seq(): the sequence number of a segment without data.
 * SND.NXT, unless the peer shrank its window so that SND.NXT is beyond
 * its right edge by a scaling step or more (our shift, as Linux tests):
 * then the right edge, which the peer's sequence check accepts.
 */
static u32 xtcp_acceptable_seq(const struct xtcp_sock *xsk)
{
	u32 wnd_end = xtcp_wnd_end(xsk);

	if (!xtcp_seq_before(wnd_end, xsk->snd_nxt) ||
	    (xsk->wscale_ok &&
	     xsk->snd_nxt - wnd_end < (1U << xsk->rcv_wscale)))
		return xsk->snd_nxt;
	return wnd_end;
}

/**
 * xtcp_send_ack() - send an ACK of RCV.NXT now
 * @sk: the socket, locked or its spinlock held (a timer)
 *
 * __tcp_send_ack(): nothing after the connection ended (CLOSE).  The
 * ACK must not be lost to a failed allocation: the delayed-ACK timer
 * sends it later instead (xtcp_delack_retry()).  The other segments
 * without data let such a failure go, as Linux's do: a RST
 * (tcp_send_active_reset()), a zero-window or keepalive probe (counted
 * as sent, tcp_xmit_probe_skb()), the replies of SYN queue and
 * TIME_WAIT entries (tcp_v4_send_ack()); a SYN or SYN-ACK is resent by
 * the retransmission timer.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input, the delayed-ACK and compressed-ACK timers'
 * work, recvmsg() after the reader freed space.
 */
void xtcp_send_ack(struct sock *sk)
{
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE)
		return;
	skb = xtcp_alloc_ctl_skb(GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!skb)) {
		xtcp_delack_retry(sk);
		return;
	}
	xtcp_xmit_ctl(sk, skb, xtcp_acceptable_seq(xtcp_sk(sk)), TCPHDR_ACK);
}

/**
 * xtcp_send_active_reset() - send a RST to abort the connection
 * @sk:  the socket
 * @gfp: allocation flags for the segment (GFP_ATOMIC under the spinlock)
 *
 * Abort (RFC 9293 s.3.10.4, ABORT call; s.3.10.7.4 on timeouts): a RST
 * carrying the next sequence number, or the right edge of a window the
 * peer shrank below it (tcp_send_active_reset(), tcp_acceptable_seq()).
 * A failed allocation loses the RST, as in Linux; the state is the
 * caller's to change.
 *
 * Context: process context owning the socket (close(), disconnect(),
 * with sk_allocation), or the socket spinlock held with BHs off
 * (xtcp_close()'s orphan step, timers, a child nobody accepts) with
 * GFP_ATOMIC.
 */
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(gfp);

	if (!skb)
		return;
	xtcp_mstamp_refresh(xtcp_sk(sk));	/* tcp_send_active_reset() */
	xtcp_xmit_ctl(sk, skb, xtcp_acceptable_seq(xtcp_sk(sk)),
		      TCPHDR_RST | TCPHDR_ACK);
	/* Traced whatever IP output made of it, as tcp_send_active_reset(). */
	trace_xtcp_send_reset(sk, NULL);
}

static void xtcp_arm_probe_in(struct sock *sk, unsigned long tmo);

/**
 * xtcp_arm_probe() - (re)start the zero-window probe timer
 * @sk: the socket, locked
 *
 * The RTO doubled once per probe back-off step, at most XTCP_RTO_MAX_US
 * (Linux's tcp_probe0_when()); once probing has begun, no later than when
 * TCP_USER_TIMEOUT runs out, but at least 2 jiffies from now
 * (tcp_clamp_probe0_to_user_timeout()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input, sending, the probe timer's work.
 */
void xtcp_arm_probe(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u64 when = (u64)xtcp_rtt_rto(&xsk->rtt) << min_t(u8, xsk->probe_backoff, 16);

	xtcp_arm_probe_in(sk, usecs_to_jiffies(min_t(u64, when, XTCP_RTO_MAX_US)));
}

/* The probe timer @tmo jiffies from now, clamped to what is left of
 * TCP_USER_TIMEOUT once probing has begun (at least 2 jiffies).
 */
static void xtcp_arm_probe_in(struct sock *sk, unsigned long tmo)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (READ_ONCE(xsk->user_timeout) && xsk->probes_tstamp) {
		s64 left = xtcp_user_timeout_left(xsk, xsk->probes_tstamp);

		tmo = min_t(unsigned long, tmo,
			    max_t(unsigned long, left > 0 ? msecs_to_jiffies(left) : 0,
				  TCP_TIMEOUT_MIN));
	}
	xtcp_arm_rtx(sk, XTCP_RTX_PROBE, tmo);
}

static bool xtcp_send_window_probe(struct sock *sk, int *err);

/**
 * xtcp_send_probe() - the zero-window probe timer's work
 * @sk: the socket
 *
 * Zero-window probe (RFC 9293 s.3.8.6.1): a segment the peer must
 * acknowledge with its current window.  As Linux, it carries an old
 * sequence number and no data, so the peer never has to take data it has
 * no room for.  The first goes out one RTO after the window closed
 * (xtcp_write_xmit()), each next one after twice the interval before it,
 * the doubling capped at tcp_retries2 (tcp_send_probe0()).  Any
 * acceptable ACK answers the probes (xtcp_ack() clears the count, RFC
 * 1122 s.4.2.2.17): the connection is aborted only after tcp_retries2
 * probes in a row got no answer at all (tcp_probe_timer()), or, with
 * TCP_USER_TIMEOUT, once the window has stayed closed that long since
 * the first probe timeout, answered or not.  An orphan gives up after
 * tcp_orphan_retries probes or when out of resources.  A window that is
 * open but too small for what waits gets what fits instead, and nothing
 * is probed once data is in flight or nothing waits.
 *
 * Context: the retransmission timer's work, socket locked: softirq with
 * the spinlock held, or release_sock() (xtcp_release_cb()) when a user
 * owned it as the timer fired.
 */
void xtcp_send_probe(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	u8 retries2 = READ_ONCE(xn->retries2);
	unsigned int max_probes = retries2;
	int err;

	if (skb_queue_empty(&sk->sk_write_queue) ||
	    !xtcp_rtx_queue_empty(sk)) {
		xsk->probes = 0;
		xsk->probe_backoff = 0;
		xsk->probes_tstamp = 0;
		return;
	}
	if (!xsk->probes_tstamp) {
		xsk->probes_tstamp = (u32)jiffies ? : 1;
	} else if (READ_ONCE(xsk->user_timeout) &&
		   xtcp_user_timeout_left(xsk, xsk->probes_tstamp) <= 0) {
		xtcp_write_err(sk);
		return;
	}
	/* An orphan probes tcp_orphan_retries times (tcp_probe_timer()). */
	if (sock_flag(sk, SOCK_DEAD)) {
		max_probes = xtcp_orphan_retries(sk, true);
		if (xtcp_out_of_resources(sk, true))
			return;
	}
	if (xsk->probes >= max_probes) {
		xtcp_write_err(sk);
		return;
	}
	/* The window is open, only too small for what waits: send what fits
	 * (tcp_write_wakeup()), and the retransmission timer takes over;
	 * else an old-sequence probe.  As tcp_send_probe0(): what a local
	 * queue dropped counts as a probe and is tried again after
	 * TCP_RESOURCE_PROBE_INTERVAL, without back-off.
	 */
	if (!xtcp_send_window_probe(sk, &err)) {
		/* Urgent data ahead: first a probe at SND.UNA, which the
		 * peer takes in, urgent pointer and all (tcp_write_wakeup()).
		 */
		if (xtcp_seq_between(xsk->snd_up, xsk->snd_una + 1,
				     xsk->snd_una + 0xFFFF))
			xtcp_send_ctl(sk, xsk->snd_una, TCPHDR_ACK, GFP_ATOMIC);
		err = xtcp_send_ctl(sk, xsk->snd_una - 1, TCPHDR_ACK,
				    GFP_ATOMIC);
	}
	if (xsk->packets_out) {
		xsk->probes = 0;
		xsk->probe_backoff = 0;
		xsk->probes_tstamp = 0;
		return;
	}
	xsk->probes++;
	if (err > 0) {
		xtcp_arm_probe_in(sk, TCP_RESOURCE_PROBE_INTERVAL);
		return;
	}
	if (xsk->probe_backoff < retries2)
		xsk->probe_backoff++;
	xtcp_arm_probe(sk);
}

/**
 * xtcp_write_wakeup() - send a keepalive probe
 * @sk: the socket, spinlock held; nothing in flight or queued to send
 *
 * Linux's tcp_write_wakeup() for a connection with nothing to send
 * (tcp_xmit_probe_skb()): an ACK with SND.UNA - 1 and no data, outside
 * the peer's window, so that the peer answers with an ACK (RFC 1122
 * s.4.2.3.6).
 *
 * Context: the keepalive timer's work, socket locked: softirq with the spinlock
 * held, or release_sock() (xtcp_release_cb()).
 * Return: <= 0 when the probe was sent (or lost on the way), > 0 when the
 * local queue dropped it and it is worth trying again soon; -1 in CLOSE.
 */
int xtcp_write_wakeup(struct sock *sk)
{
	if (sk->sk_state == TCP_CLOSE)
		return -1;
	return xtcp_send_ctl(sk, xtcp_sk(sk)->snd_una - 1, TCPHDR_ACK,
			     GFP_ATOMIC);
}

/* First transmission of the send queue's head @skb; once sent it moves
 * to the retransmission queue (tcp_event_new_data_sent()).  Not sent (a
 * local queue dropped it, or no copy could be made), it stays at the
 * head of the send queue, as tcp_write_xmit() leaves it, for the next
 * send: an ACK, the next write, or the probe timer with nothing in
 * flight.  Returns xtcp_transmit_skb()'s result: 0 when sent.
 */
static int xtcp_send_new(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	int err;

	/* CA_EVENT_TX_START, while nothing is in flight. */
	if (skb->len)
		xtcp_cwnd_tx_start(sk);
	err = xtcp_transmit_skb(sk, skb, true);
	if (err)
		return err;
	__skb_unlink(skb, &sk->sk_write_queue);
	xtcp_rbtree_insert(&xsk->rtx_queue, skb);
	xsk->packets_out += cb->gso_segs;
	if (xtcp_seq_after(cb->end_seq, xsk->snd_nxt))
		WRITE_ONCE(xsk->snd_nxt, cb->end_seq);
	/* A pending reorder timeout stays: the RTO follows it; a pending
	 * loss probe gives way to the RTO, for what is left of it, and the
	 * sender schedules the probe again (tcp_event_new_data_sent()).
	 */
	if (xsk->rtx_timer_kind == XTCP_RTX_TLP)
		xtcp_rearm_rtx(sk);
	else if (xsk->rtx_timer_kind != XTCP_RTX_RETRANS &&
		 xsk->rtx_timer_kind != XTCP_RTX_REO)
		xtcp_arm_rtx(sk, XTCP_RTX_RETRANS, xtcp_rto_jiffies(sk));
	return 0;
}

/* Nagle's algorithm (RFC 1122 s.4.2.3.4) with Minshall's refinement,
 * as tcp_nagle_check() and tcp_minshall_check(): a partial segment is
 * held back while a cork holds it (TCP_CORK, or a write with MSG_MORE;
 * whatever TCP_NODELAY says and with nothing in flight), or, with no
 * flag at all in @nonagle, while a small segment sent earlier is still
 * unacknowledged (SND.UNA < snd_sml <= SND.NXT): unacknowledged full
 * segments alone do not hold it.  XTCP_NAGLE_PUSH lets it go.
 */
static bool xtcp_nagle_holds(const struct xtcp_sock *xsk, int nonagle)
{
	if (nonagle & XTCP_NAGLE_PUSH)
		return false;
	if (nonagle & XTCP_NAGLE_CORK)
		return true;
	return !nonagle && xsk->packets_out &&
	       xtcp_seq_after(xsk->snd_sml, xsk->snd_una) &&
	       !xtcp_seq_after(xsk->snd_sml, xsk->snd_nxt);
}

/**
 * xtcp_snd_wnd_test() - may the first segment of a queued skb go now?
 * @xsk: the socket, locked (owner or softirq)
 * @skb: an unsent skb, normally the head of the send queue
 * @mss: the current segment size, bytes
 *
 * Linux's tcp_snd_wnd_test(): the skb's first @mss bytes (all of it when
 * shorter) end within the peer's window, SND.UNA + SND.WND.  Both the
 * sender (xtcp_write_xmit()) and the ACK path's probe decision
 * (tcp_ack_probe()) ask this, so that a window the sender can use stops
 * the zero-window probes.
 *
 * Context: any; pure on @xsk and @skb, which the caller keeps stable (socket
 * locked: segment input, sending).
 * Return: true when that segment fits.
 */
bool xtcp_snd_wnd_test(const struct xtcp_sock *xsk, const struct sk_buff *skb,
		       u32 mss)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 end = skb->len > mss ? cb->seq + mss : cb->end_seq;

	return !xtcp_seq_after(end, xtcp_wnd_end(xsk));
}

/* tcp_cwnd_test(): the segments cwnd lets @skb (its segment count set)
 * send now.  A FIN in a single segment goes whatever cwnd says, and one
 * skb takes at most half of cwnd, so that at least two GSO skbs are in
 * flight for better scheduling.
 */
static u32 xtcp_cwnd_quota(const struct xtcp_sock *xsk,
			   const struct sk_buff *skb)
{
	u32 in_flight = xtcp_packets_in_flight(xsk), cwnd = xsk->cong.cwnd;

	if ((XTCP_SKB_CB(skb)->flags & TCPHDR_FIN) &&
	    xtcp_skb_pcount(skb) == 1)
		return 1;
	if (in_flight >= cwnd)
		return 0;
	return min(max(cwnd >> 1, 1U), cwnd - in_flight);
}

/* tcp_mss_split_point(): how much of the multi-segment @skb goes now: at
 * most @max_segs segments and what the peer's window takes; at the tail
 * of the queue a last partial segment waits while Nagle holds it.
 */
static u32 xtcp_mss_split_point(struct sock *sk, const struct sk_buff *skb,
				u32 mss, u32 max_segs, int nonagle)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 window = xtcp_wnd_end(xsk) - XTCP_SKB_CB(skb)->seq;
	u32 max_len = mss * max_segs, needed, partial;

	if (max_len <= window && !skb_queue_is_last(&sk->sk_write_queue, skb))
		return max_len;
	needed = min(skb->len, window);
	if (max_len <= needed)
		return max_len;
	partial = needed % mss;
	if (partial && xtcp_nagle_holds(xsk, nonagle))
		return needed - partial;
	return needed;
}

/* __xtcp_write_xmit()'s @push_one, Linux's tcp_write_xmit() argument. */
enum xtcp_push_mode {
	XTCP_PUSH_ALL,
	XTCP_PUSH_ONE,
	XTCP_PUSH_PROBE,
};

/* Linux's tcp_max_tso_deferred_mss(): without a divisor, defer only while
 * no more than this many segments may go.
 */
#define XTCP_MAX_TSO_DEFERRED_MSS	3U

/* tcp_tso_should_defer(): whether the multi-segment @skb, which cwnd and
 * the peer's window let go in part or whole, had better wait for the
 * next ACK to go out as a larger GSO skb.  Not in recovery, nor when
 * nothing was sent in the last millisecond (a deferral would turn into a
 * burst), nor when a full GSO skb (@max_segs) or the whole skb (not the
 * tail of the queue) may go, or at least a tcp_tso_win_divisor-th of the
 * smaller of the windows (with the divisor 0: more than three segments),
 * nor when the next ACK is not due within min(SRTT/2, 1 ms) (the ACK of
 * the first segment in flight is expected SRTT after it was sent), nor
 * with nothing in flight.  Otherwise it waits; cwnd counts as the limit
 * (@is_cwnd_limited) when it is the smaller window and does not cover
 * @skb.  A skb ending in a FIN goes, as it will not grow.  Times in us
 * (Linux's in ns).
 */
static bool xtcp_tso_should_defer(struct sock *sk, struct sk_buff *skb,
				  u32 mss, u32 max_segs, bool *is_cwnd_limited)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 in_flight = xtcp_packets_in_flight(xsk), cwnd = xsk->cong.cwnd;
	u32 send_win, cong_win, limit, win_divisor, srtt_us, threshold;
	struct sk_buff *head;
	s64 how_far;

	/* Linux's icsk_ca_state >= TCP_CA_Recovery. */
	if (cwnd <= in_flight || xsk->in_recovery || xsk->in_loss)
		return false;
	/* tcp_wstamp_ns can be ahead of the clock only with pacing. */
	if ((s64)(xsk->tcp_mstamp - xsk->wstamp_us) > USEC_PER_MSEC)
		return false;

	send_win = xtcp_wnd_end(xsk) - XTCP_SKB_CB(skb)->seq;
	cong_win = (cwnd - in_flight) * mss;
	limit = min(send_win, cong_win);
	if (limit >= max_segs * mss)
		return false;
	if (!skb_queue_is_last(&sk->sk_write_queue, skb) && limit >= skb->len)
		return false;
	win_divisor = READ_ONCE(xtcp_sk_pernet(sk)->tso_win_divisor);
	if (win_divisor) {
		u32 chunk = min_t(u64, xsk->snd_wnd, (u64)cwnd * mss);

		if (limit >= chunk / win_divisor)
			return false;
	} else if (limit > XTCP_MAX_TSO_DEFERRED_MSS * mss) {
		return false;
	}

	head = xtcp_rtx_queue_head(sk);
	if (!head)
		return false;
	srtt_us = xtcp_rtt_srtt_us(&xsk->rtt);
	/* How far from now the ACK of the head is expected. */
	how_far = (s64)(xtcp_skb_sent_us(head) + srtt_us) -
		  (s64)xsk->tcp_mstamp;
	threshold = min_t(u32, srtt_us >> 1, USEC_PER_MSEC);
	if (how_far > threshold)
		return false;

	if (cong_win < send_win) {
		if (cong_win <= skb->len) {
			*is_cwnd_limited = true;
			return true;
		}
	} else if (send_win <= skb->len) {
		return true;
	}
	return !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN);
}

/* Send what the peer's window and the congestion window allow, as Linux's
 * tcp_write_xmit(): each skb leaves as one GSO skb of at most
 * xtcp_tso_segs() segments, split where the windows or Nagle end what may
 * go now, or held for a larger one (xtcp_tso_should_defer(), only when
 * sending all).  @nonagle is Linux's, normally the socket's own
 * (xtcp_sock.nonagle): 0 lets Nagle's algorithm hold back a last small
 * segment while an earlier small one is unacknowledged (Minshall's rule);
 * XTCP_NAGLE_OFF (TCP_NODELAY) sends it; XTCP_NAGLE_PUSH sends it even
 * when corked; XTCP_NAGLE_CORK (TCP_CORK, or a write with MSG_MORE)
 * holds it in any case, until the next write, the cork's end or the
 * probe timer armed below.
 *
 * Whatever stopped the loop, data left queued with nothing in flight and
 * no timer pending (a split that found no memory) would wait forever: no
 * ACK is coming to send it.  The probe timer is armed then, as
 * tcp_push_pending_frames() does with tcp_check_probe_timer(); it sends
 * what the window takes when it fires (xtcp_send_probe()).  With data in
 * flight the retransmission timer or the ACKs move things on (a Nagle
 * hold or a full congestion window needs packets_out).
 *
 * @push_one is Linux's: XTCP_PUSH_ALL sends what may go; XTCP_PUSH_ONE
 * (tcp_push_one(), a full skb at the head from sendmsg()) one skb, never
 * deferred; XTCP_PUSH_PROBE (from xtcp_send_loss_probe()) one skb, of at
 * most one segment when the congestion window is full, and no loss
 * probe is scheduled.  Otherwise, when anything was sent, the tail loss
 * probe is (one per tail loss episode, tcp_write_xmit()).
 * Return: the segments sent.
 */
static u32 __xtcp_write_xmit(struct sock *sk, int nonagle,
			     enum xtcp_push_mode push_one)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mss, max_segs, sent = 0;
	bool is_cwnd_limited = false;
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE)
		return 0;
	mss = xtcp_current_mss(sk);
	/* One reading of the clock for all that goes (tcp_write_xmit()). */
	xtcp_mstamp_refresh(xsk);
	max_segs = xtcp_tso_segs(sk);
	while ((skb = skb_peek(&sk->sk_write_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 quota, limit;

		xtcp_set_skb_tso_segs(skb, mss);
		quota = xtcp_cwnd_quota(xsk, skb);
		if (!quota) {
			if (push_one != XTCP_PUSH_PROBE)
				break;
			/* A loss probe goes out whatever cwnd says. */
			quota = 1;
		}
		if (!xtcp_snd_wnd_test(xsk, skb, mss)) {
			/* RFC 9293 s.3.8.6.1: probe a closed window. */
			if (xtcp_rtx_queue_empty(sk) &&
			    xsk->rtx_timer_kind != XTCP_RTX_PROBE) {
				xsk->probes = 0;
				xsk->probe_backoff = 0;
				xsk->probes_tstamp = 0;
				xtcp_arm_probe(sk);
			}
			break;
		}
		if (cb->gso_segs == 1) {
			/* Nagle never holds urgent data (tcp_nagle_test()). */
			if (skb->len < mss && !(cb->flags & TCPHDR_FIN) &&
			    !xtcp_urg_mode(xsk) &&
			    skb_queue_is_last(&sk->sk_write_queue, skb) &&
			    xtcp_nagle_holds(xsk, nonagle))
				break;
		} else {
			if (push_one == XTCP_PUSH_ALL &&
			    xtcp_tso_should_defer(sk, skb, mss, max_segs,
						  &is_cwnd_limited))
				break;
			/* One segment at a time in urgent mode (tcp_write_xmit()). */
			limit = xtcp_urg_mode(xsk) ? mss :
				xtcp_mss_split_point(sk, skb, mss,
						     min(quota, max_segs), nonagle);
			if (skb->len > limit &&
			    xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, limit,
					  mss))
				break;
		}
		if (xtcp_small_queue_check(sk, skb, 0))
			break;
		if (xtcp_send_new(sk, skb))
			break;
		sent += xtcp_skb_pcount(skb);
		/* tcp_minshall_update(): an skb whose last segment is short. */
		if (skb->len < xtcp_skb_pcount(skb) * mss)
			xsk->snd_sml = XTCP_SKB_CB(skb)->end_seq;
		if (push_one != XTCP_PUSH_ALL)
			break;
	}
	/* tcp_cwnd_validate(): how much of cwnd this send used. */
	is_cwnd_limited |= xtcp_packets_in_flight(xsk) >= xsk->cong.cwnd;
	if (sent || is_cwnd_limited)
		xtcp_cwnd_validate(sk, is_cwnd_limited);
	/* What PRR let go (a loss probe's new data too) is counted. */
	if (sent && xtcp_in_cwnd_reduction(xsk))
		xtcp_prr_sent(&xsk->prr, sent);
	if (sent && push_one != XTCP_PUSH_PROBE)
		xtcp_schedule_loss_probe(sk, false);
	if (!xsk->packets_out && !skb_queue_empty(&sk->sk_write_queue) &&
	    xsk->rtx_timer_kind == XTCP_RTX_NONE)
		xtcp_arm_probe(sk);
	return sent;
}

/**
 * xtcp_write_xmit() - send what the windows allow from the send queue
 * @sk: the socket, locked (owner, or softirq with no owner)
 * @nonagle: XTCP_NAGLE_* flags, or 0 (see above): the socket's
 *	xtcp_sock.nonagle, or XTCP_NAGLE_PUSH to send what Nagle or a cork
 *	would hold
 *
 * Linux's tcp_write_xmit() with push_one 0: see __xtcp_write_xmit().
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): write paths and setsockopt() under lock_sock(), segment
 * input, the TSQ tasklet, xtcp_release_cb().
 */
void xtcp_write_xmit(struct sock *sk, int nonagle)
{
	__xtcp_write_xmit(sk, nonagle, XTCP_PUSH_ALL);
}

/**
 * xtcp_push_one() - send the full skb at the head of the send queue
 * @sk: the socket, locked by its owner
 *
 * Linux's tcp_push_one(): sendmsg() filled the skb at the head of the
 * send queue to the size goal; it goes now, with TCP_NAGLE_PUSH, if the
 * windows let it (in part, split where they end), and without TSO
 * deferral: the writer goes on filling the next skb meanwhile.
 *
 * Context: process context, the socket owned by the caller (sendmsg()).
 */
void xtcp_push_one(struct sock *sk)
{
	__xtcp_write_xmit(sk, XTCP_NAGLE_PUSH, XTCP_PUSH_ONE);
}

/* Linux's TCP_CA_Open or TCP_CA_CWR, where a loss probe may be scheduled:
 * not in fast recovery or after an RTO, and in CWR, or else nothing
 * SACKed or marked lost and nothing resent in flight or at the head
 * (tcp_try_keep_open(), which makes it TCP_CA_Disorder otherwise; Linux
 * updates its state on the ACKs tcp_ack_is_dubious() picks, xtcp reads
 * it from the scoreboard when asked).
 */
static bool xtcp_ca_open_or_cwr(const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct sk_buff *head;

	if (xsk->in_recovery || xsk->in_loss)
		return false;
	if (xsk->ecn_flags & XTCP_ECN_IN_CWR)
		return true;
	if (xtcp_left_out(xsk) || xsk->retrans_out)
		return false;
	head = xtcp_rtx_queue_head(sk);
	return !head || !(XTCP_SKB_CB(head)->sacked & XTCPCB_EVER_RETRANS);
}

/**
 * xtcp_schedule_loss_probe() - arm the tail loss probe timer
 * @sk: the socket, locked
 * @advancing_rto: the caller would otherwise re-arm the RTO from now (an
 *	ACK), so the probe may come as late as a whole RTO from now;
 *	otherwise (new data sent) no later than the RTO already running
 *
 * RFC 8985 s.7.2 as Linux's tcp_schedule_loss_probe(): with
 * net.xtcp.tcp_early_retrans 3 or 4, data in flight, SACK, and in the
 * open or CWR state, the retransmission timer becomes the probe timer
 * (XTCP_RTX_TLP, Linux's ICSK_TIME_LOSS_PROBE) for the probe timeout of
 * xtcp_tlp_pto_us(): 2 SRTT plus the minimum RTO with one segment out
 * (the peer's delayed ACK) or 2 ms, 1 s before any RTT sample, never
 * later than the RTO (xtcp_rto_delta_us()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK), sending new data.
 * Return: true if the probe timer was armed (the caller arms no RTO).
 */
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	s64 left;
	u32 pto;

	if (!xtcp_tlp_may_schedule(READ_ONCE(xtcp_sk_pernet(sk)->early_retrans),
				   xsk->packets_out, xtcp_is_sack(xsk),
				   xtcp_ca_open_or_cwr(sk)))
		return false;
	left = advancing_rto ? xtcp_rtt_rto(&xsk->rtt) : xtcp_rto_delta_us(sk);
	pto = xtcp_tlp_pto_us(xtcp_rtt_srtt_us(&xsk->rtt), xsk->packets_out,
			      XTCP_RTO_MIN_US, left);
	xtcp_arm_rtx(sk, XTCP_RTX_TLP, usecs_to_jiffies(pto));
	return true;
}

/* __tcp_retransmit_skb()'s first step: an skb partly acknowledged but
 * not trimmed yet (xtcp_clean_queues() stops at a trim that failed, to
 * retry on the next ACK) loses its acknowledged bytes before it is
 * resent, so that the resend, and the window check, start at SND.UNA.
 * 0, or -ENOMEM (not resent now: a later walk or timeout tries again).
 */
static int xtcp_rtx_trim_acked(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 old;
	int err;

	if (!xtcp_seq_before(cb->seq, xsk->snd_una))
		return 0;
	if (WARN_ON_ONCE(!xtcp_seq_after(cb->end_seq, xsk->snd_una)))
		return -EINVAL;
	old = xtcp_skb_pcount(skb);
	err = xtcp_trim_head(sk, skb, xsk->snd_una - cb->seq);
	if (!err)
		xtcp_adjust_pcount(sk, skb,
				   (s32)xtcp_skb_pcount(skb) - (s32)old);
	return err;
}

/* What __tcp_retransmit_skb() does to @skb before resending it, for all
 * three resend paths (the walk, the tail loss probe, the resends after
 * an MSS drop): acknowledged bytes trimmed off (xtcp_rtx_trim_acked()),
 * then cut to at most @max_len bytes and to the peer's window, which it
 * may have shrunk (xtcp_rtx_wnd_len()).  False when nothing goes now:
 * the skb starts beyond the window (not at SND.UNA), or a trim or split
 * failed for memory; the caller stops there (Linux's -EAGAIN, -ENOMEM).
 */
static bool xtcp_rtx_fit(struct sock *sk, struct sk_buff *skb, u32 max_len)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 len;

	if (xtcp_rtx_trim_acked(sk, skb))
		return false;
	len = xtcp_rtx_wnd_len(XTCP_SKB_CB(skb)->seq, xsk->snd_una,
			       xtcp_wnd_end(xsk), xsk->mss, max_len);
	if (!len)
		return false;
	return skb->len <= len ||
	       !xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, len, xsk->mss);
}

/**
 * xtcp_send_loss_probe() - the tail loss probe timer fired
 * @sk: the socket, spinlock held, not owned by a user; the timer is
 *	still of the XTCP_RTX_TLP kind
 *
 * RFC 8985 s.7.3 as Linux's tcp_send_loss_probe(): at most one probe is
 * outstanding (tlp_high_seq).  The probe is new data when the peer's
 * window takes the next segment (sent whatever cwnd says), else the last
 * segment sent: the last MSS of the highest skb, split off it
 * (xtcp_tlp_probe_split()), if the peer's window takes it (cut to the
 * window if it ends inside; none beyond it: xtcp_rtx_wnd_len(), as
 * __tcp_retransmit_skb()), retransmitted without a loss mark and
 * outside retrans_out, as Linux's __tcp_retransmit_skb() sends it.
 * Then tlp_high_seq is SND.NXT, the ACK path judges the probe
 * (xtcp_process_tlp_ack()) and the RTO is armed from now; when no probe
 * could go, the RTO is armed for what is left of it.  Linux first leaves
 * a segment alone whose previous transmission is still queued in the
 * host (skb_still_in_host_queue()); xtcp does not ask (its transmission
 * copies an skb whose clone is still queued).
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 */
void xtcp_send_loss_probe(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mss = xtcp_current_mss(sk), pcount, split, undo_stamp;
	int undo_retrans, err;
	struct sk_buff *skb;

	if (xsk->tlp_high_seq)
		goto rearm;
	xsk->tlp_retrans = 0;
	skb = skb_peek(&sk->sk_write_queue);
	if (skb && xtcp_snd_wnd_test(xsk, skb, mss)) {
		if (__xtcp_write_xmit(sk, XTCP_NAGLE_PUSH, XTCP_PUSH_PROBE))
			goto sent;
		goto rearm;
	}
	skb = xtcp_rtx_queue_tail(sk);
	if (!skb) {
		/* Nothing to probe with (a SYN or FIN without an skb there,
		 * or a count gone wrong): the plain RTO timer, if anything.
		 */
		WARN_ON_ONCE(xsk->packets_out);
		WRITE_ONCE(xsk->rtx_timer_kind, XTCP_RTX_NONE);
		goto rearm;
	}
	if (xtcp_rtx_trim_acked(sk, skb))
		goto rearm;
	pcount = xtcp_skb_pcount(skb);
	if (WARN_ON_ONCE(!pcount))
		goto rearm;
	split = xtcp_tlp_probe_split(skb->len, pcount, mss);
	if (split) {
		if (xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, split, mss))
			goto rearm;
		skb = skb_rb_next(skb);
		if (WARN_ON_ONCE(!skb))
			goto rearm;
	}
	/* One MSS at most (a FIN alone has no data), and not beyond the
	 * peer's window, cut to it if it ends inside the probe
	 * (__tcp_retransmit_skb(sk, skb, 1)): else no probe, the RTO.
	 */
	if (!xtcp_rtx_fit(sk, skb, mss))
		goto rearm;
	pcount = xtcp_skb_pcount(skb);
	xtcp_set_skb_tso_segs(skb, mss);
	xtcp_adjust_pcount(sk, skb, (s32)xtcp_skb_pcount(skb) - (s32)pcount);
	XTCP_SKB_CB(skb)->retransmitted = 1;
	/* Linux sends the probe with __tcp_retransmit_skb(), which leaves
	 * undo's stamp and count alone (tcp_init_undo() counts a probe in
	 * flight when a recovery begins).
	 */
	undo_stamp = xsk->undo_stamp;
	undo_retrans = xsk->undo_retrans;
	err = xtcp_transmit_skb(sk, skb, true);
	xsk->undo_stamp = undo_stamp;
	xsk->undo_retrans = undo_retrans;
	if (err)
		goto rearm;
	xsk->tlp_retrans = 1;
sent:
	xsk->tlp_high_seq = xsk->snd_nxt;
	xsk->loss_probes++;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPLOSSPROBES);
	/* The RTO counts from now (icsk_pending cleared). */
	WRITE_ONCE(xsk->rtx_timer_kind, XTCP_RTX_NONE);
rearm:
	xtcp_rearm_rtx(sk);
}

/* tcp_write_wakeup() for a window that is open but too small for the head
 * of the send queue: as much of it as fits, at most an MSS, with PSH.
 * Return: true when data was tried, its xtcp_send_new() result in @err
 * (0 sent, else it stays queued); false when the window is closed or
 * nothing could be split off (the caller sends an old-sequence probe
 * instead).
 */
static bool xtcp_send_window_probe(struct sock *sk, int *err)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct xtcp_skb_cb *cb;
	u32 seg, mss = xtcp_current_mss(sk);

	if (!skb)
		return false;
	cb = XTCP_SKB_CB(skb);
	if (!xtcp_seq_before(cb->seq, xtcp_wnd_end(xsk)))
		return false;
	seg = min(xtcp_wnd_end(xsk) - cb->seq, mss);
	if (xtcp_seq_before(xsk->pushed_seq, cb->end_seq))
		xsk->pushed_seq = cb->end_seq;
	if (seg < skb->len &&
	    xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, seg, mss))
		return false;
	xtcp_set_skb_tso_segs(skb, mss);
	cb->flags |= TCPHDR_PSH;
	*err = xtcp_send_new(sk, skb);
	return true;
}

/**
 * xtcp_mark_push() - end a write at @skb with PSH
 * @sk: the socket, owned by the caller (lock_sock())
 * @skb: an unsent skb on @sk's send queue
 *
 * As Linux's tcp_mark_push(): PSH goes on the segment that ends what the
 * user wrote (RFC 9293 s.3.9.1 SEND), and pushed_seq remembers where,
 * for xtcp_forced_push().
 *
 * Context: process context, socket owned (lock_sock()): sendmsg().
 */
void xtcp_mark_push(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	XTCP_SKB_CB(skb)->flags |= TCPHDR_PSH;
	xsk->pushed_seq = xsk->write_seq;
}

/**
 * xtcp_push() - send what a write queued, its last segment with PSH
 * @sk: the socket, owned by the caller (lock_sock())
 * @flags: the write's MSG_* flags; MSG_MORE leaves PSH off unless more
 *	than half the peer's largest window went unpushed
 * @nonagle: xtcp_write_xmit()'s: the socket's xtcp_sock.nonagle at the
 *	end of a write, XTCP_NAGLE_PUSH before waiting for memory; a write
 *	with MSG_MORE corks whatever it says (XTCP_NAGLE_CORK)
 *
 * Linux's tcp_push(), called at the end of a write and before waiting
 * for send buffer space: nothing when the send queue is empty; else PSH
 * on its tail, if that has data, then xtcp_write_xmit().
 *
 * Context: process context, socket owned (lock_sock()): sendmsg().
 */
void xtcp_push(struct sock *sk, int flags, int nonagle)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (!skb)	/* nothing to send (tcp_push()) */
		return;
	if (skb->len &&
	    (!(flags & MSG_MORE) || xtcp_forced_push(xtcp_sk(sk))))
		xtcp_mark_push(sk, skb);
	xtcp_urg_mark(sk, flags);
	xtcp_write_xmit(sk, flags & MSG_MORE ? XTCP_NAGLE_CORK : nonagle);
}

/* Move the highest skb of the retransmission queue back to the head of
 * the send queue, to be sent again as a new one would be: its segments
 * leave packets_out and the scoreboard.
 */
static void xtcp_rtx_requeue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	xtcp_adjust_pcount(sk, skb, -(s32)xtcp_skb_pcount(skb));
	xtcp_rtx_queue_unlink(skb, sk);
	xtcp_sack_cache_reset(xtcp_sk(sk));
	cb->sacked &= ~XTCPCB_TAGBITS;
	cb->retransmitted = 1;
	__skb_queue_head(&sk->sk_write_queue, skb);
}

/**
 * xtcp_retransmit_all() - what a retransmission timeout resends
 * @sk:        the socket, locked, not owned by a user (the timer's work)
 * @init_undo: the timeout reduced ssthresh: undo starts from here
 *
 * Everything not yet acknowledged (nor SACKed) is taken as lost (RFC 5681
 * s.3.1, xtcp_timeout_mark_lost()) and resent from the retransmission
 * queue, in order, as the loss window grows; without SACK the duplicate
 * ACKs counted so far (sacked_out) are forgotten first.  As
 * tcp_enter_loss() orders it: what is lost is marked first; then, with
 * @init_undo (the timeout reduced ssthresh), the undo state starts from
 * the retransmissions still out after the marking (tcp_init_undo()); and
 * cwnd is what is still in flight plus one, so that the head goes now
 * even where a segment sent too recently to be marked is in flight.
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 * Return: 0, NET_XMIT_DROP when a local queue dropped the resend (the
 * caller retries soon, tcp_retransmit_timer()), < 0 when it could not
 * be sent for another reason.
 */
int xtcp_retransmit_all(struct sock *sk, bool init_undo)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int err;

	if (!xtcp_is_sack(xsk))
		xsk->sacked_out = 0;
	xtcp_timeout_mark_lost(sk);
	if (init_undo)
		xtcp_init_undo(xsk);
	xsk->cong.cwnd = xtcp_packets_in_flight(xsk) + 1;
	/* The timeout's own resend: not counted as Fast or SlowStart
	 * retransmit (tcp_retransmit_timer()).  Not sent, it keeps its
	 * slot: no new data goes instead.
	 */
	err = __xtcp_xmit_retransmit_queue(sk, false);
	if (!err && !skb_queue_empty(&sk->sk_write_queue))
		xtcp_write_xmit(sk, XTCP_NAGLE_PUSH);
	return err;
}

/* xtcp_xmit_retransmit_queue(); @count for the walk an ACK (or TSQ)
 * starts, whose resends count as TCPFastRetrans (TCPSlowStartRetrans
 * after a timeout) and wait for TSQ as tcp_xmit_retransmit_queue()'s;
 * false for a timeout's own resend (tcp_retransmit_timer()).  Returns 0,
 * or xtcp_transmit_skb()'s error for a resend that was not sent.
 */
static int __xtcp_xmit_retransmit_queue(struct sock *sk, bool count)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb;
	u32 max_segs;
	int err;

	if (!xsk->lost_out || sk->sk_state == TCP_CLOSE)
		return 0;
	xtcp_current_mss(sk);
	max_segs = xtcp_tso_segs(sk);
	skb = xsk->retransmit_skb_hint ? : xtcp_rtx_queue_head(sk);
	for (; skb; skb = skb_rb_next(skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 in_flight = xtcp_packets_in_flight(xsk), segs, old;

		xsk->retransmit_skb_hint = skb;
		if (in_flight >= xsk->cong.cwnd)
			break;
		if (xsk->retrans_out >= xsk->lost_out)
			break;
		if (!(cb->sacked & XTCPCB_LOST) ||
		    (cb->sacked & (XTCPCB_SACKED_ACKED | XTCPCB_SACKED_RETRANS)))
			continue;
		/* No larger a GSO skb than a new one would be; one segment
		 * at a time in urgent mode, whose pointer each segment's
		 * header carries (__tcp_retransmit_skb()).
		 */
		segs = xtcp_urg_mode(xsk) ? 1 :
		       min(xsk->cong.cwnd - in_flight, max_segs);
		/* Twice the bytes below IP a new send may have; not for a
		 * timeout's own resend, which tcp_retransmit_timer() sends
		 * with tcp_retransmit_skb() directly.
		 */
		if (count && xtcp_small_queue_check(sk, skb, 1))
			break;
		old = xtcp_skb_pcount(skb);
		xtcp_set_skb_tso_segs(skb, xsk->mss);
		xtcp_adjust_pcount(sk, skb, (s32)xtcp_skb_pcount(skb) - (s32)old);
		/* From SND.UNA, and not beyond the peer's window, which it
		 * may have shrunk; the walk stops there
		 * (__tcp_retransmit_skb()'s -ENOMEM, -EAGAIN).
		 */
		if (!xtcp_rtx_fit(sk, skb, segs * xsk->mss))
			break;
		cb->retransmitted = 1;
		/* Not sent (no copy could be made, or a local queue dropped
		 * it, as tcp_retransmit_skb() fails): still lost, to be
		 * resent by a later walk.
		 */
		err = xtcp_transmit_skb(sk, skb, true);
		if (err)
			return err;
		cb->sacked |= XTCPCB_SACKED_RETRANS;
		xsk->retrans_out += xtcp_skb_pcount(skb);
		if (count)
			XTCP_SK_ADD_STATS(sk, xsk->in_loss ?
					  XTCP_MIB_TCPSLOWSTARTRETRANS :
					  XTCP_MIB_TCPFASTRETRANS,
					  xtcp_skb_pcount(skb));
		if (xtcp_in_cwnd_reduction(xsk))
			xtcp_prr_sent(&xsk->prr, xtcp_skb_pcount(skb));
		/* The head resent: its timeout counts from now, unless the
		 * reorder timer is pending, which re-arms it when it fires.
		 */
		if (skb == xtcp_rtx_queue_head(sk) &&
		    xsk->rtx_timer_kind != XTCP_RTX_REO)
			xtcp_arm_rtx(sk, XTCP_RTX_RETRANS, xtcp_rto_jiffies(sk));
	}
	return 0;
}

/**
 * xtcp_xmit_retransmit_queue() - resend the segments marked lost
 * @sk: the socket, locked
 *
 * Linux's tcp_xmit_retransmit_queue() without pacing and RACK: from where
 * the last walk stopped (retransmit_skb_hint), in sequence order, every
 * skb marked LOST and neither SACKed nor already resent goes again while
 * the congestion window has room above the pipe
 * (xtcp_packets_in_flight(), RFC 6675 s.5 step C); a multi-segment skb is
 * split to what fits, no larger than a new GSO skb (xtcp_tso_segs()).
 * The walk ends once every lost segment is resent, at a resend a local
 * queue dropped, at one the peer's window does not take (beyond its
 * right edge and not at SND.UNA; one that ends past it is cut to it:
 * xtcp_rtx_wnd_len(), as __tcp_retransmit_skb()), or when the bytes
 * below IP reach twice the TSQ limit.
 * Resending the head restarts the retransmission timer, as Linux does.
 * During a cwnd reduction cwnd is what PRR made of it on this ACK
 * (xtcp_cwnd_reduction()), and what is resent counts in its prr_out.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK), the TSQ tasklet or xtcp_release_cb().
 */
void xtcp_xmit_retransmit_queue(struct sock *sk)
{
	__xtcp_xmit_retransmit_queue(sk, true);
}

/* Linux's tcp_simple_retransmit() after a path MTU drop (RFC 1191): the
 * segments in flight longer than the new MSS were dropped on the path
 * and are lost; those that fit were not and stay in flight.  The lost
 * ones go again at once, cut to the new MSS (in GSO skbs no larger than
 * xtcp_tso_segs(), as tcp_xmit_retransmit_queue() sends them), as far as
 * the congestion window allows with the lost ones out of the flight
 * (tcp_xmit_retransmit_queue()) and the peer's window takes them
 * (xtcp_rtx_wnd_len()); where that ends, the rest of the
 * retransmission queue goes back to the head of the send queue, to be
 * sent as ACKs open the window, as after a timeout.  (Linux keeps the
 * rest on its scoreboard and resends only what is marked lost; here
 * what fits among that rest goes again too.)
 *
 * Unless in loss recovery already, the connection enters it without a
 * congestion window reduction: the window is counted in segments and the
 * segments just shrank, so fewer bytes are in flight already
 * (tcp_non_congestion_loss_retransmit()).  ssthresh is raised to at
 * least 3/4 of cwnd, except during a cwnd reduction, where it stays as
 * it is (tcp_current_ssthresh()), and high_seq moves to SND.NXT so that the
 * duplicate ACKs the holes cause start no fast retransmit.
 */
static void xtcp_simple_retransmit(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mss = xsk->mss, fit = 0, budget, segs, cap, end;
	struct sk_buff *skb, *next;
	bool lost = false, rest = false, cwr, split;

	skb_rbtree_walk(skb, &xsk->rtx_queue) {
		if (xtcp_skb_mss(skb) > mss)
			lost = true;
		else
			fit += xtcp_skb_pcount(skb);
	}
	if (!lost)
		return;
	/* Without SACK the duplicate ACKs counted so far (sacked_out) are
	 * forgotten: part of the queue may go back to the send queue below.
	 */
	if (!xtcp_is_sack(xsk))
		xsk->sacked_out = 0;

	/* Not in loss recovery already (after a timeout or an earlier
	 * drop): enter it.
	 */
	cwr = xsk->ecn_flags & XTCP_ECN_IN_CWR;
	if (!xsk->in_loss) {
		if (!xsk->in_recovery && !cwr)
			xsk->cong.ssthresh =
				max(xsk->cong.ssthresh,
				    (xsk->cong.cwnd >> 1) + (xsk->cong.cwnd >> 2));
		xsk->high_seq = xsk->snd_nxt;
		/* Not congestion: nothing to undo later. */
		xsk->prior_ssthresh = 0;
		xsk->undo_marker = 0;
		xsk->in_recovery = 0;
		xsk->in_loss = 1;
		xsk->ecn_flags &= ~XTCP_ECN_IN_CWR;
	}

	budget = xsk->cong.cwnd > fit ? xsk->cong.cwnd - fit : 0;
	skb = xtcp_rtx_queue_head(sk);
	while (skb) {
		if (!rest && xtcp_skb_mss(skb) <= mss) {
			skb = skb_rb_next(skb);
			continue;
		}
		if (!budget)
			break;
		segs = xtcp_skb_pcount(skb);
		xtcp_set_skb_tso_segs(skb, mss);
		xtcp_adjust_pcount(sk, skb, (s32)xtcp_skb_pcount(skb) - (s32)segs);
		/* One segment at a time in urgent mode (see above); else no
		 * larger than a new GSO skb, as tcp_xmit_retransmit_queue()
		 * caps each resend at tcp_tso_segs().
		 */
		cap = xtcp_urg_mode(xsk) ? 1 : min(budget, xtcp_tso_segs(sk));
		/* From SND.UNA and within the peer's window, as every
		 * resend (xtcp_rtx_wnd_len()); what is beyond it goes back
		 * to the send queue, below, to wait for the window.
		 */
		end = XTCP_SKB_CB(skb)->end_seq;
		if (!xtcp_rtx_fit(sk, skb, cap * mss))
			break;
		split = XTCP_SKB_CB(skb)->end_seq != end;
		XTCP_SKB_CB(skb)->retransmitted = 1;
		/* Not sent (a local queue dropped it): it and what follows
		 * go back to the send queue, below.
		 */
		if (xtcp_transmit_skb(sk, skb, true))
			break;
		budget -= min(budget, xtcp_skb_pcount(skb));
		/* The part split off is lost too, though cut to the new MSS
		 * already: it goes next, budget allowing.
		 */
		skb = skb_rb_next(skb);
		rest = split;
	}
	if (!skb)
		return;
	/* From the first lost skb not resent on, back to the send queue. */
	while ((next = xtcp_rtx_queue_tail(sk))) {
		xtcp_rtx_requeue(sk, next);
		if (next == skb)
			break;
	}
}

/**
 * xtcp_forced_mem_schedule() - charge @size bytes beyond the memory limits
 * @sk: the socket, locked (owner or softirq)
 * @size: bytes about to be charged with sk_mem_charge() (an skb's truesize)
 *
 * For what must be queued whatever net.xtcp.tcp_mem says (a FIN; data
 * finding the receive queue empty): the pages @size needs beyond
 * sk_forward_alloc are added to it and to xtcp's memory_allocated, so the
 * limits and /proc/net/xtcp_sockstat see them, and sk_mem_reclaim() gives
 * them back as usual.  Linux's sk_forced_mem_schedule(), which 6.1 does
 * not export; its per-CPU batch (sk_memory_allocated_add()) needs
 * sysctl_mem_pcpu_rsv, not exported either, so the pages go straight to
 * the shared counter, as a batch drain would put them.
 *
 * A socket charged to a memory cgroup cannot have the cgroup charged from
 * a module (mem_cgroup_charge_skmem() is not exported), and reclaim would
 * uncharge the cgroup for pages it never had: such a socket keeps the
 * charge on credit instead (sk_forward_alloc negative until its next
 * schedule pays it), unseen by tcp_mem.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sendmsg() and xtcp_send_fin(), splitting a queued skb
 * (xtcp_fragment()), data queued on an empty receive queue.
 */
void xtcp_forced_mem_schedule(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc;
	int pages;

	if (delta <= 0 || (mem_cgroup_sockets_enabled && sk->sk_memcg))
		return;
	pages = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, pages << PAGE_SHIFT);
	atomic_long_add(pages, sk->sk_prot->memory_allocated);
}

/**
 * xtcp_queue_tail_skb() - a new, empty skb at the tail of the send queue
 * @sk: the socket, locked by its owner
 * @gfp: allocation flags; with __GFP_NOFAIL (a FIN) the skb is queued
 *	even beyond net.xtcp.tcp_mem, charged by xtcp_forced_mem_schedule()
 *	as Linux's tcp_send_fin() forces a FIN's charge
 *
 * The first skb of a socket whose send and retransmission queues are
 * empty is forced past the limits too, as tcp_sendmsg_locked() asks
 * tcp_stream_alloc_skb() to force it (first_skb): a sender with nothing
 * queued always gets to send.
 *
 * An skb of xtcp_alloc_send_skb(), starting at write_seq, charged to the
 * send buffer until acknowledged (tcp_skb_entail()); data is added to
 * its pages by xtcp_skb_append_from_iter().
 *
 * Context: process context, socket owned (lock_sock()): sendmsg(),
 * xtcp_send_fin(); may sleep when @gfp allows.
 * Return: the skb, or NULL without memory or over the memory limits
 * (the caller waits for memory, sk_stream_wait_memory()).
 */
struct sk_buff *xtcp_queue_tail_skb(struct sock *sk, gfp_t gfp)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	skb = xtcp_alloc_send_skb(sk, gfp, (gfp & __GFP_NOFAIL) ||
				  (skb_queue_empty(&sk->sk_write_queue) &&
				   xtcp_rtx_queue_empty(sk)));
	if (!skb)
		return NULL;
	cb = XTCP_SKB_CB(skb);
	cb->seq = xsk->write_seq;
	cb->end_seq = xsk->write_seq;
	cb->flags = TCPHDR_ACK;
	cb->gso_segs = 1;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	return skb;
}

/**
 * xtcp_wmem_free_skb() - free a send or retransmission queue skb
 * @sk: the socket, locked
 * @skb: the skb, already unlinked
 *
 * Gives back what xtcp_queue_tail_skb() charged (Linux's
 * tcp_wmem_free_skb()); sk_mem_uncharge() returns whole pages to the
 * protocol's memory_allocated.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller).
 */
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/**
 * xtcp_wmem_purge() - free the send and retransmission queues
 * @sk: the socket, locked (destruction, disconnect)
 *
 * Context: socket locked: process context under lock_sock() (disconnect), or
 * the spinlock held (xtcp_destroy_sock() from input, timers or xtcp_close()).
 */
void xtcp_wmem_purge(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	while ((skb = xtcp_rtx_queue_head(sk)))
		xtcp_rtx_queue_unlink_and_free(skb, sk);
	/* Nothing is in flight any more (tcp_disconnect()). */
	xsk->packets_out = 0;
	xsk->is_cwnd_limited = 0;
	xsk->max_packets_out = 0;
	xsk->sacked_out = 0;
	xsk->lost_out = 0;
	xsk->retrans_out = 0;
	xsk->lost_cnt_hint = 0;
	xsk->undo_marker = 0;
	xsk->undo_retrans = -1;
	xtcp_clear_all_retrans_hints(xsk);
	sk_mem_reclaim(sk);
}

/**
 * xtcp_send_fin() - queue a FIN after the data and push it
 * @sk: the socket, in FIN_WAIT1 or LAST_ACK (xtcp_close_state() said so)
 *
 * RFC 9293 s.3.10.4 CLOSE / shutdown(SHUT_WR): the FIN goes on the last
 * queued skb, or on a new empty one that must not fail (__GFP_NOFAIL,
 * charged beyond the memory limits), and leaves as soon as the windows
 * allow.  Queued once.  Linux's tcp_send_fin().
 *
 * Context: process context, socket owned (lock_sock()): xtcp_close()
 * and xtcp_shutdown(); may sleep.
 */
void xtcp_send_fin(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct xtcp_skb_cb *cb;

	if (xsk->fin_queued)
		return;
	if (!skb)
		skb = xtcp_queue_tail_skb(sk, sk->sk_allocation | __GFP_NOFAIL);
	cb = XTCP_SKB_CB(skb);
	cb->flags |= TCPHDR_FIN;
	cb->end_seq++;
	xsk->write_seq++;
	xsk->fin_queued = 1;
	xtcp_write_xmit(sk, XTCP_NAGLE_PUSH);
}

/* Send a segment from @saddr:@sport to @daddr:@dport with no socket of
 * ours behind it, routed on its own, with the options @opts (settled by
 * the codec; NULL: none), leaving @tx_delay usecs from now.
 */
static void xtcp_send_raw(struct net *net, __be32 saddr, __be16 sport,
			  __be32 daddr, __be16 dport, int oif, u32 seq,
			  u32 ack, u8 flags, u16 window,
			  const struct xtcp_out_options *opts, u32 tx_delay)
{
	static const struct xtcp_out_options no_opts;
	unsigned int hlen;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct flowi4 fl4;
	struct rtable *rt;

	rt = ip_route_output_ports(net, &fl4, NULL, daddr, saddr, dport, sport,
				   IPPROTO_TCP, 0, oif);
	if (IS_ERR(rt))
		return;
	skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	if (!opts)
		opts = &no_opts;
	hlen = sizeof(struct tcphdr) + xtcp_options_size(opts);
	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	xtcp_write_header(th, sport, dport, seq, ack, flags, window, opts);
	th->check = csum_tcpudp_magic(fl4.saddr, fl4.daddr, hlen, IPPROTO_TCP,
				      csum_partial(th, hlen, 0));

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	xtcp_mib_out(xtcp_pernet(net), flags, 1);
	ip_select_ident(net, skb, NULL);
	xtcp_set_tx_delay(skb, tx_delay);
	ip_local_out(net, NULL, skb);
}

/**
 * xtcp_send_ack_reply() - ACK, SYN-ACK or RST for a SYN queue or TIME_WAIT entry
 * @net:    the entry's namespace
 * @hn:     the entry's addresses and ports
 * @seq:    sequence number, host order
 * @ack:    acknowledgment number, host order (sent with TCPHDR_ACK)
 * @window: the window field as sent (already scaled), host order
 * @flags:  TCPHDR_* flags
 * @opts:   the options, settled by xtcp_synack_options() or
 *          xtcp_established_options(); NULL for none
 * @tx_delay: usecs the segment's departure is delayed (TCP_TX_DELAY of
 *          the listener, or of the socket the TIME_WAIT entry was)
 *
 * Linux's tcp_v4_send_synack() / tcp_v4_send_ack() for what has no full
 * socket.  Context: softirq or timer, the entry referenced.
 */
void xtcp_send_ack_reply(struct net *net, const struct xtcp_hnode *hn,
			 u32 seq, u32 ack, u16 window, u8 flags,
			 const struct xtcp_out_options *opts, u32 tx_delay)
{
	xtcp_send_raw(net, hn->laddr, hn->lport, hn->raddr, hn->rport,
		      hn->bound_dev_if, seq, ack, flags, window, opts,
		      tx_delay);
}

/* RST in answer to @skb (RFC 9293 s.3.10.7.1): it takes its sequence
 * number from the segment's ACK field, or acknowledges the segment when
 * it had none.  Never in answer to a RST.  Routed as any other packet,
 * through @oif only when that is given (tcp_v4_send_reset()), leaving
 * @tx_delay usecs from now.
 */
static void xtcp_send_reset_oif(struct net *net, struct sk_buff *skb, int oif,
				u32 tx_delay)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);

	if (cb->flags & TCPHDR_RST)
		return;
	/* An L3 master device (VRF) routes replies itself, as in
	 * ip_send_unicast_reply().
	 */
	if (!oif && netif_index_is_l3_master(net, skb->skb_iif))
		oif = skb->skb_iif;
	if (cb->flags & TCPHDR_ACK)
		xtcp_send_raw(net, iph->daddr, th->dest, iph->saddr, th->source,
			      oif, cb->ack_seq, 0, TCPHDR_RST, 0, NULL,
			      tx_delay);
	else
		xtcp_send_raw(net, iph->daddr, th->dest, iph->saddr, th->source,
			      oif, 0, cb->end_seq, TCPHDR_RST | TCPHDR_ACK, 0,
			      NULL, tx_delay);
}

/**
 * xtcp_tw_send_reset_reply() - answer a segment a TIME_WAIT entry refuses
 * @tw:  the entry (referenced)
 * @skb: the segment, XTCP_SKB_CB() filled
 *
 * RFC 9293 s.3.10.7.1 reset generation, out of the device the socket
 * was bound to, if any, with its TCP_TX_DELAY (tcp_v4_send_reset() with
 * a TIME_WAIT socket: tw_bound_dev_if, tw_tx_delay).
 *
 * Context: softirq (segment input for @tw), no lock needed.
 */
void xtcp_tw_send_reset_reply(const struct xtcp_tw *tw, struct sk_buff *skb)
{
	xtcp_send_reset_oif(xtcp_hn_net(&tw->hn), skb, tw->hn.bound_dev_if,
			    tw->tx_delay);
}

/**
 * xtcp_sk_send_reset_reply() - answer a segment that reached @sk with a RST
 * @sk: the socket the segment was for: locked, or a listener (not
 *	locked: xtcp_listen_rcv(), or for one of its SYN queue entries), of
 *	which only the bound device and TCP_TX_DELAY are read
 * @skb: the segment, XTCP_SKB_CB() filled
 *
 * RFC 9293 s.3.10.7.1 reset generation, out of the device @sk is bound
 * to, if any, leaving after its TCP_TX_DELAY (tcp_v4_send_reset() with a
 * socket; for a SYN queue entry, the listener's send_reset).
 *
 * Context: softirq or process context: segment input for @sk or for one
 * of its SYN queue entries.
 */
void xtcp_sk_send_reset_reply(const struct sock *sk, struct sk_buff *skb)
{
	/* Never in answer to a RST (xtcp_send_reset_oif()). */
	if (!(XTCP_SKB_CB(skb)->flags & TCPHDR_RST))
		trace_xtcp_send_reset(sk, skb);
	xtcp_send_reset_oif(sock_net(sk), skb, READ_ONCE(sk->sk_bound_dev_if),
			    READ_ONCE(xtcp_sk(sk)->tx_delay));
}
