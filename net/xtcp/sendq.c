// SPDX-License-Identifier: GPL-2.0
/* xtcp: the skbs of the send and retransmission queues.
 *
 * A queued skb holds no headers and no data in its linear part: the user's
 * bytes sit in page fragments (copied once, xtcp_sendmsg()), and one skb
 * carries up to a GSO super-segment's worth of them (xtcp_size_goal()).
 * Its segment count and segment size (xtcp_skb_cb gso_segs, gso_size)
 * follow the current MSS and go to skb_shinfo() only on the clone that is
 * transmitted, where the device or the GSO layer cuts it into segments.
 * An skb is split where the congestion window, the peer's window, Nagle
 * or a smaller MSS ends what may be sent now (xtcp_fragment()), and an
 * acknowledgment that covers part of it trims its head (xtcp_trim_head()),
 * as Linux's tcp_fragment() and tcp_trim_head() do.  Every byte is
 * charged to the send buffer and the protocol's memory while queued.
 */
#include <linux/math64.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_seq.h>

/* Give @skb a private head when a clone in flight shares it, keeping its
 * truesize, so that what was charged for it stays what is uncharged
 * (skb_unclone_keeptruesize(), whose slow path 6.1 does not export).
 */
static int xtcp_skb_unclone(struct sk_buff *skb)
{
	unsigned int truesize = skb->truesize;
	int err;

	if (!skb_cloned(skb))
		return 0;
	err = pskb_expand_head(skb, 0, 0, GFP_ATOMIC);
	skb->truesize = truesize;
	return err;
}

/**
 * xtcp_set_skb_tso_segs() - count the segments of a queued skb
 * @skb: an skb of the send or retransmission queue, not cloned or only
 *	read by its clones (the counts live in its cb)
 * @mss: the segment size, bytes
 *
 * Linux's tcp_set_skb_tso_segs(): one segment (gso_size 0) when the data
 * fits in @mss, else as many @mss-sized segments as the data needs.  A
 * FIN or an empty skb counts as one segment.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sending, splitting and retransmitting queued skbs.
 */
void xtcp_set_skb_tso_segs(struct sk_buff *skb, u32 mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (skb->len <= mss) {
		cb->gso_segs = 1;
		cb->gso_size = 0;
	} else {
		cb->gso_segs = DIV_ROUND_UP(skb->len, mss);
		cb->gso_size = mss;
	}
}

/* Linux's tcp_bound_to_half_wnd(): no segment or send skb larger than
 * half the largest window the peer offered (all of it when that is tiny),
 * so that a small window still takes whole segments; never below what a
 * 68-byte IPv4 datagram carries (RFC 791's minimum).
 */
static u32 xtcp_bound_to_half_wnd(const struct xtcp_sock *xsk, u32 size)
{
	u32 cutoff = xsk->max_window > XTCP_DEFAULT_MSS ? xsk->max_window >> 1 :
						      xsk->max_window;
	u32 hdr = sizeof(struct tcphdr) +
		  (xsk->tstamp_ok ? XTCP_OLEN_TSTAMP_ALIGNED : 0);

	if (cutoff && size > cutoff)
		return max_t(u32, cutoff, 68U - hdr);
	return size;
}

/**
 * xtcp_bound_mss() - bound a segment size by the peer's largest window
 * @sk: the socket, locked
 * @mss: a segment size from the MTU, the peer's MSS option and TCP_MAXSEG
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller) (xtcp_update_mss()).
 * Return: @mss, or half the peer's largest window if that is smaller
 * (tcp_sync_mss() applies tcp_bound_to_half_wnd() the same way).
 */
u32 xtcp_bound_mss(const struct sock *sk, u32 mss)
{
	return xtcp_bound_to_half_wnd(xtcp_sk(sk), mss);
}

/**
 * xtcp_size_goal() - how many bytes a send skb collects
 * @sk: the socket, locked
 *
 * Linux's tcp_xmit_size_goal(): a whole number of segments up to what the
 * route's device takes in one GSO skb (sk_gso_max_size, which
 * sk_setup_caps() already set to the device's GSO size less
 * MAX_TCP_HEADER + 1, at most sk_gso_max_segs segments) and half the
 * peer's largest window; one MSS where the route cannot do GSO.
 *
 * Context: process context, socket owned (lock_sock()): sendmsg().
 * Return: bytes, a multiple of the MSS, at least one MSS.
 */
u32 xtcp_size_goal(const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 mss = xsk->mss, goal, segs;

	if (!sk_can_gso(sk))
		return mss;
	goal = xtcp_bound_to_half_wnd(xsk, sk->sk_gso_max_size);
	segs = min_t(u32, goal / mss, sk->sk_gso_max_segs);
	return max_t(u32, segs, 1) * mss;
}

/* Linux's default net.ipv4.tcp_min_tso_segs (a knob xtcp does not have). */
#define XTCP_MIN_TSO_SEGS	2U

/**
 * xtcp_tso_segs() - how many segments one transmission may carry
 * @sk: the socket, locked
 *
 * Linux's tcp_tso_autosize() and tcp_tso_segs(): about a millisecond of
 * data at the rate the window allows (xtcp_pacing_rate() shifted right by
 * sk_pacing_shift, 10), plus more on short paths: the whole GSO size while
 * the windowed minimum RTT (xtcp_min_rtt()) is below 2^tcp_tso_rtt_log
 * us (512 us by default), halving with each further multiple of that.
 * The minimum RTT rather than SRTT, so that a queue the flow builds up
 * itself does not shrink its skbs.  At least tcp_min_tso_segs (2), at
 * most sk_gso_max_segs.  Before the first RTT sample the rate is
 * sk_max_pacing_rate (unlimited unless SO_MAX_PACING_RATE set it), so the
 * whole GSO size, as in Linux.
 * Bursts on slow or long paths stay short while a fast local path sends
 * full 64 KiB GSO skbs.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sending (xtcp_write_xmit()).
 * Return: segments, at least 1.
 */
u32 xtcp_tso_segs(const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 log = READ_ONCE(xtcp_sk_pernet(sk)->tso_rtt_log);
	u32 segs, r;
	u64 bytes;

	if (!sk_can_gso(sk))
		return 1;
	/* Before the first sample the rate is sk_max_pacing_rate, unlimited
	 * by default: the whole GSO size, as Linux's initial sk_pacing_rate
	 * of ~0UL gives.
	 */
	bytes = xtcp_pacing_rate(sk) >> READ_ONCE(sk->sk_pacing_shift);
	/* min_rtt >> log, with shifts of 32 or more giving 0 (and ~0U
	 * before any sample).
	 */
	r = log < 32 ? xtcp_min_rtt(xsk) >> log : 0;
	if (r < 32)
		bytes += sk->sk_gso_max_size >> r;
	bytes = min_t(u64, bytes, sk->sk_gso_max_size);
	segs = max_t(u32, div_u64(bytes, xsk->mss), XTCP_MIN_TSO_SEGS);
	return max_t(u32, min_t(u32, segs, sk->sk_gso_max_segs), 1);
}

/**
 * xtcp_alloc_send_skb() - an skb for the send queue, headers only
 * @sk: the socket, locked
 * @gfp: allocation flags
 * @force: charge even beyond net.xtcp.tcp_mem (xtcp_forced_mem_schedule()):
 *	for a FIN, and for splitting what is queued already, as Linux's
 *	tcp_send_fin() and tcp_fragment() force theirs
 *
 * Room for all headers and nothing else: data goes into page fragments.
 * The skb is charged (sk_wmem_queued, sk_mem_charge()) for its truesize,
 * as tcp_stream_alloc_skb() and tcp_skb_entail() do; its cb is cleared.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): process context under lock_sock() for the send queue's tail
 * (may sleep when @gfp allows), GFP_ATOMIC when splitting a queued skb
 * (xtcp_fragment()).
 * Return: the skb, or NULL without memory or over the memory limits.
 */
struct sk_buff *xtcp_alloc_send_skb(struct sock *sk, gfp_t gfp, bool force)
{
	struct sk_buff *skb = alloc_skb_fclone(MAX_TCP_HEADER, gfp);

	if (!skb) {
		sk->sk_prot->enter_memory_pressure(sk);
		sk_stream_moderate_sndbuf(sk);
		return NULL;
	}
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		if (!force) {
			__kfree_skb(skb);
			return NULL;
		}
		xtcp_forced_mem_schedule(sk, skb->truesize);
	}
	skb_reserve(skb, MAX_TCP_HEADER);
	skb->ip_summed = CHECKSUM_PARTIAL;
	memset(XTCP_SKB_CB(skb), 0, sizeof(struct xtcp_skb_cb));
	INIT_LIST_HEAD(&XTCP_SKB_CB(skb)->tsorted_anchor);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	return skb;
}

/**
 * xtcp_fragment() - split a queued skb in two
 * @sk: the socket, locked
 * @queue: the queue @skb is on (send or retransmission queue)
 * @skb: the skb; it keeps the first @len bytes
 * @len: bytes, 0 < @len < @skb->len
 * @mss: the current segment size, for both parts' segment counts
 *
 * Linux's tcp_fragment(): the bytes after @len move, by page reference,
 * to a new skb queued right after @skb (on the send queue's list, or in
 * the retransmission queue's rbtree), which takes over FIN and PSH and
 * the part of @skb's truesize those bytes were charged, its scoreboard
 * bits and send time, and its place in send-time order.  On the
 * retransmission queue packets_out and the scoreboard counters follow the
 * new segment counts (tcp_adjust_pcount()).
 * Context: softirq or the owner; GFP_ATOMIC.
 *
 * Return: 0, or -ENOMEM (nothing changed).
 */
int xtcp_fragment(struct sock *sk, enum xtcp_queue queue,
		  struct sk_buff *skb, u32 len, u32 mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *ncb;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 old_segs = cb->gso_segs, nlen;
	struct sk_buff *buff;

	if (WARN_ON_ONCE(!len || len >= skb->len || skb_headlen(skb)))
		return -EINVAL;
	/* Its head is shared with a clone in flight: take a private one. */
	if (xtcp_skb_unclone(skb))
		return -ENOMEM;
	buff = xtcp_alloc_send_skb(sk, GFP_ATOMIC | __GFP_NOWARN, true);
	if (!buff)
		return -ENOMEM;

	nlen = skb->len - len;
	buff->truesize += nlen;
	skb->truesize -= nlen;

	ncb = XTCP_SKB_CB(buff);
	*ncb = *cb;
	buff->tstamp = skb->tstamp;	/* the send time, xtcp_skb_sent_us() */
	INIT_LIST_HEAD(&ncb->tsorted_anchor);
	ncb->seq = cb->seq + len;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
	skb_split(skb, buff, len);

	xtcp_set_skb_tso_segs(skb, mss);
	xtcp_set_skb_tso_segs(buff, mss);
	if (queue == XTCP_FRAG_IN_RTX_QUEUE) {
		xtcp_adjust_pcount(sk, skb, (s32)(cb->gso_segs + ncb->gso_segs) -
					    (s32)old_segs);
		xtcp_rbtree_insert(&xsk->rtx_queue, buff);
		/* Sent with @skb: right after it in send-time order, unless
		 * RACK took @skb off that list as lost (tcp_fragment()).
		 */
		if (!list_empty(&cb->tsorted_anchor))
			list_add(&ncb->tsorted_anchor, &cb->tsorted_anchor);
	} else {
		__skb_queue_after(&sk->sk_write_queue, skb, buff);
	}
	return 0;
}

/**
 * xtcp_adjust_pcount() - a retransmission queue skb's segment count changed
 * @sk: the socket, locked
 * @skb: the skb, on the retransmission queue
 * @delta: segments it (or it and a part split off it) gained, < 0: lost
 *
 * packets_out and the counters of @skb's scoreboard bits follow, and the
 * SACKed count before the loss marking hint if @skb is before it
 * (Linux's tcp_adjust_pcount()).  Context: softirq or the owner.
 */
void xtcp_adjust_pcount(struct sock *sk, const struct sk_buff *skb, s32 delta)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!delta)
		return;
	xsk->packets_out += delta;
	/* Without SACK, sacked_out counts duplicate ACKs, not skbs: it only
	 * shrinks with packets_out (tcp_adjust_pcount()'s Reno case).
	 */
	if (!xtcp_is_sack(xsk) && delta < 0)
		xsk->sacked_out -= min_t(u32, xsk->sacked_out, -delta);
	if (cb->sacked & XTCPCB_SACKED_ACKED) {
		xsk->sacked_out += delta;
		if (xsk->lost_skb_hint &&
		    xtcp_seq_before(cb->seq, XTCP_SKB_CB(xsk->lost_skb_hint)->seq))
			xsk->lost_cnt_hint += delta;
	}
	if (cb->sacked & XTCPCB_SACKED_RETRANS)
		xsk->retrans_out += delta;
	if (cb->sacked & XTCPCB_LOST)
		xsk->lost_out += delta;
}

/**
 * xtcp_rbtree_insert() - put an skb on a sequence-keyed rbtree
 * @root: the tree (the retransmission queue)
 * @skb: the skb; its range overlaps none already there
 *
 * Linux's tcp_rbtree_insert(), which 6.1 does not export.  O(log n).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller); the caller owns @root through the socket lock.
 */
void xtcp_rbtree_insert(struct rb_root *root, struct sk_buff *skb)
{
	struct rb_node **p = &root->rb_node, *parent = NULL;
	u32 seq = XTCP_SKB_CB(skb)->seq;

	while (*p) {
		struct sk_buff *skb1;

		parent = *p;
		skb1 = rb_to_skb(parent);
		if (xtcp_seq_before(seq, XTCP_SKB_CB(skb1)->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);
}

/**
 * xtcp_rtx_queue_unlink_and_free() - drop an skb of the retransmission queue
 * @skb: the skb, acknowledged (or the connection is going away)
 * @sk: the socket, locked
 *
 * Linux's tcp_rtx_queue_unlink_and_free(): the hints pointing at it are
 * forgotten and its memory is given back (xtcp_wmem_free_skb()).  The
 * caller has taken its segments off packets_out and the scoreboard.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK), destruction and disconnect.
 */
void xtcp_rtx_queue_unlink_and_free(struct sk_buff *skb, struct sock *sk)
{
	xtcp_rtx_queue_unlink(skb, sk);
	xtcp_wmem_free_skb(sk, skb);
}

/**
 * xtcp_trim_head() - drop the first @len bytes of a queued skb
 * @sk: the socket, locked
 * @skb: an skb of the send or retransmission queue, partly acknowledged
 * @len: bytes acknowledged, less than the skb's data
 *
 * Linux's tcp_trim_head() and __pskb_trim_head(): fragments wholly
 * acknowledged are released and the bytes they were charged go back to
 * the send buffer and the protocol's memory.  The segment count is
 * recomputed at the size the skb was sent with (its gso_size,
 * tcp_skb_mss()), not the MSS of now, which may have changed since
 * (xtcp_current_mss(), xtcp_update_max_window()): the counters the skb
 * is in (packets_out, lost_out, sacked_out) hold its old count, and the
 * caller takes only the difference off them.
 * Context: softirq or the owner.
 *
 * Return: 0, or -ENOMEM when the skb could not be made private (nothing
 * changed; it is trimmed by a later acknowledgment or freed whole).
 */
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct skb_shared_info *shinfo;
	u32 eat, pulled;
	int i, k = 0;

	if (xtcp_skb_unclone(skb))
		return -ENOMEM;
	pulled = min_t(u32, len, skb_headlen(skb));
	if (pulled)
		__skb_pull(skb, pulled);
	eat = len - pulled;
	shinfo = skb_shinfo(skb);
	for (i = 0; i < shinfo->nr_frags; i++) {
		u32 size = skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shinfo->frags[k] = shinfo->frags[i];
		if (eat) {
			skb_frag_off_add(&shinfo->frags[k], eat);
			skb_frag_size_sub(&shinfo->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	skb->data_len -= len - pulled;
	skb->len -= len;
	XTCP_SKB_CB(skb)->seq += len;

	/* Only page bytes were charged one for one (xtcp_sendmsg()). */
	len -= pulled;
	if (len) {
		skb->truesize -= len;
		sk_wmem_queued_add(sk, -(int)len);
		sk_mem_uncharge(sk, len);
	}
	if (XTCP_SKB_CB(skb)->gso_segs > 1)
		xtcp_set_skb_tso_segs(skb, XTCP_SKB_CB(skb)->gso_size);
	return 0;
}

/**
 * xtcp_skb_append_from_iter() - copy user data into a send skb's pages
 * @sk: the socket, owned by the caller (lock_sock())
 * @skb: the send skb (the tail of the send queue, not yet sent)
 * @from: the user's data
 * @copy: at most this many bytes
 *
 * tcp_sendmsg_locked()'s copy: into the socket's page fragment, merged
 * with the skb's last fragment when contiguous, charged to the send
 * buffer and the protocol's memory byte for byte.
 *
 * Context: process context, socket owned (lock_sock()): sendmsg(); may sleep
 * (page allocation, user copy).
 * Return: bytes copied (> 0); 0 when the skb has no fragment slot left
 * (start a new skb); -ENOBUFS without memory, or over the limits with
 * tcp_wmem[0] of send buffer queued already (wait for memory); -EFAULT
 * when the user's buffer faulted.
 */
int xtcp_skb_append_from_iter(struct sock *sk, struct sk_buff *skb,
			      struct iov_iter *from, u32 copy)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	bool merge;
	int err;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOBUFS;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS)
		return 0;
	copy = min_t(u32, copy, pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, copy)) {
		/* Over the limits a socket still gets tcp_wmem[0] of send
		 * buffer, forced, and copies what sk_forward_alloc covers:
		 * Linux's tcp_wmem_schedule(), so that it makes progress.
		 */
		int left = READ_ONCE(xtcp_sk_pernet(sk)->wmem[0]) -
			   READ_ONCE(sk->sk_wmem_queued);
		int room;

		if (left > 0)
			xtcp_forced_mem_schedule(sk, min_t(int, left, copy));
		room = sk->sk_forward_alloc;
		/* Charged to a memory cgroup the forced bytes go on credit
		 * (see xtcp_forced_mem_schedule()).
		 */
		if (left > 0 && mem_cgroup_sockets_enabled && sk->sk_memcg)
			room = max_t(int, room, min_t(int, left, copy));
		if (room <= 0)
			return -ENOBUFS;
		copy = min_t(u32, copy, room);
	}
	err = skb_copy_to_page_nocache(sk, from, skb, pfrag->page,
				       pfrag->offset, copy);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		page_ref_inc(pfrag->page);
	}
	pfrag->offset += copy;
	return copy;
}
