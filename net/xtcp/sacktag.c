// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the SACK scoreboard of the retransmission queue, as Linux 6.1's
 * tcp_sacktag_write_queue() and its loss marking (tcp_mark_head_lost(),
 * tcp_timeout_mark_lost()).
 *
 * Each skb of the retransmission queue carries scoreboard bits
 * (XTCPCB_*): SACKED_ACKED once a SACK block covered all of it, LOST once
 * it is taken as lost, SACKED_RETRANS while a retransmission of it is in
 * flight.  The socket counts the segments with each bit (sacked_out,
 * lost_out, retrans_out), which give RFC 6675's "pipe"
 * (xtcp_packets_in_flight()).  SACK blocks are checked as RFC 2018, RFC
 * 6675 s.5 and RFC 2883 ask, by recovery.c; each valid block is found in
 * the queue by an rbtree search and only the skbs it covers are visited,
 * and only the part of it the previous ACK did not report already
 * (recv_sack_cache), so that the cost of an ACK follows what it newly
 * SACKs, not the window.  A block's edges split skbs on segment
 * boundaries (xtcp_fragment()), so that the bits hold for whole skbs.
 *
 * Not yet here (later steps of loss recovery): RACK's time-based loss
 * marking would take the place of xtcp_update_scoreboard() (tcp_rack_
 * mark_lost(), with xtcp_rack_advance() fed from xtcp_sacktag_one()), a
 * believed D-SACK would count towards undo (undo_retrans), and
 * reordering detection would raise the dupthresh.
 *
 * Context: everything here runs with the socket locked (softirq or owner).
 */

#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_recovery.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_sack_cache_reset() - forget the SACK blocks already tagged
 * @xsk: the socket, locked
 *
 * For when marks were taken off skbs (reneging, skbs going back to the
 * send queue): the next ACK's blocks are tagged in full.
 */
void xtcp_sack_cache_reset(struct xtcp_sock *xsk)
{
	memset(xsk->recv_sack_cache, 0, sizeof(xsk->recv_sack_cache));
}

/* The skb holding @seq, or if none does the first one above it
 * (tcp_sacktag_bsearch()); O(log n).
 */
static struct sk_buff *xtcp_sacktag_bsearch(struct sock *sk, u32 seq)
{
	struct rb_node *node = xtcp_sk(sk)->rtx_queue.rb_node;
	struct sk_buff *above = NULL;

	while (node) {
		struct sk_buff *skb = rb_to_skb(node);
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (xtcp_seq_before(seq, cb->seq)) {
			above = skb;
			node = node->rb_left;
		} else if (!xtcp_seq_before(seq, cb->end_seq)) {
			node = node->rb_right;
		} else {
			return skb;
		}
	}
	return above;
}

/* Mark one skb SACKed, wholly covered by a SACK block (tcp_sacktag_one()):
 * it leaves lost_out and retrans_out, joins sacked_out; one never
 * retransmitted is an RTT sample for @rtt (first_sackt, last_sackt).
 * Returns the segments newly SACKed.
 */
static u32 xtcp_sacktag_one(struct sock *sk, struct sk_buff *skb,
			    struct xtcp_sack_rtt *rtt)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 pcount = xtcp_skb_pcount(skb);

	if (cb->sacked & XTCPCB_SACKED_ACKED)
		return 0;
	if (cb->sacked & XTCPCB_SACKED_RETRANS)
		xsk->retrans_out -= min(pcount, xsk->retrans_out);
	if (cb->sacked & XTCPCB_LOST)
		xsk->lost_out -= min(pcount, xsk->lost_out);
	if (rtt && !cb->retransmitted && cb->sent_us) {
		if (!rtt->first_sent_us || cb->sent_us < rtt->first_sent_us)
			rtt->first_sent_us = cb->sent_us;
		if (cb->sent_us > rtt->last_sent_us)
			rtt->last_sent_us = cb->sent_us;
	}
	cb->sacked &= ~(XTCPCB_SACKED_RETRANS | XTCPCB_LOST);
	cb->sacked |= XTCPCB_SACKED_ACKED;
	xsk->sacked_out += pcount;
	/* The loss marking walk counted the SACKed segments before it. */
	if (xsk->lost_skb_hint &&
	    xtcp_seq_before(cb->seq, XTCP_SKB_CB(xsk->lost_skb_hint)->seq))
		xsk->lost_cnt_hint += pcount;
	return pcount;
}

/* The length of each but the last segment of @skb, 0 for one without
 * data (tcp_skb_mss()).
 */
static u32 xtcp_skb_mss(const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return cb->gso_segs > 1 ? cb->gso_size : skb->len;
}

/* Tag the skbs within [@start, @end), splitting those the edges cut on a
 * segment boundary (tcp_sacktag_walk() with tcp_match_skb_to_sack()):
 * a segment only partly covered is not SACKed.  Returns the segments
 * newly SACKed.
 */
static u32 xtcp_sacktag_range(struct sock *sk, u32 start, u32 end,
			      struct xtcp_sack_rtt *rtt)
{
	struct sk_buff *skb = xtcp_sacktag_bsearch(sk, start);
	u32 newly = 0;

	while (skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 mss = xtcp_skb_mss(skb), len;

		if (!xtcp_seq_before(cb->seq, end))
			break;
		if ((cb->sacked & XTCPCB_SACKED_ACKED) ||
		    (cb->flags & TCPHDR_SYN)) {
			skb = skb_rb_next(skb);
			continue;
		}
		if (xtcp_seq_before(cb->seq, start)) {
			/* The block starts inside: the segments before its
			 * first whole one stay, the rest is split off.
			 */
			if (!mss)
				break;
			len = roundup(start - cb->seq, mss);
			/* Split or not, the next skb is the next candidate. */
			if (len < skb->len)
				xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, len,
					      mss);
			skb = skb_rb_next(skb);
			continue;
		}
		if (xtcp_seq_after(cb->end_seq, end)) {
			/* The block ends inside: its whole segments are split
			 * off the rest and tagged.
			 */
			if (!mss)
				break;
			len = rounddown(end - cb->seq, mss);
			if (!len || len >= skb->len ||
			    xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, len,
					  mss))
				break;
		}
		newly += xtcp_sacktag_one(sk, skb, rtt);
		skb = skb_rb_next(skb);
	}
	return newly;
}

/**
 * xtcp_sacktag_write_queue() - apply an ACK's SACK blocks to the scoreboard
 * @sk: the socket, locked; SACK negotiated
 * @ack_skb: the ACK, its TCP header at skb->data
 * @prior_snd_una: SND.UNA before this ACK (snd_una is already its ACK)
 * @rtt: where the RTT samples of newly SACKed skbs go, zeroed by the
 *	caller; NULL when the ACK gives none (an old ACK, as Linux takes
 *	no sample there)
 *
 * Linux's tcp_sacktag_write_queue(): a D-SACK first block is recognised
 * (RFC 2883 s.4) and counted in dsack_dups, each block is checked against
 * SND.UNA..SND.NXT (xtcp_sack_classify(), RFC 2018 s.3 and RFC 6675 s.5)
 * and each valid one marks the skbs it covers SACKED_ACKED.  The blocks
 * are kept for the next ACK (recv_sack_cache).
 *
 * Return: the segments this ACK newly SACKed.
 */
u32 xtcp_sacktag_write_queue(struct sock *sk, const struct sk_buff *ack_skb,
			     u32 prior_snd_una, struct xtcp_sack_rtt *rtt)
{
	const struct tcphdr *th = (const struct tcphdr *)ack_skb->data;
	struct xtcp_sack_block ranges[XTCP_SACK_MAX_RANGES];
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_options_received rx;
	struct xtcp_sack_ctx ctx = {
		.snd_una = xsk->snd_una,
		.prior_snd_una = prior_snd_una,
		.snd_nxt = xsk->snd_nxt,
		.max_window = xsk->max_window,
		.mss = xsk->mss,
		.total_retrans = xsk->total_retrans,
		.ack_seq = XTCP_SKB_CB(ack_skb)->ack_seq,
	};
	unsigned int i, n = 0;
	bool dsack = false;
	u32 newly = 0;

	if (!XTCP_SKB_CB(ack_skb)->has_sack || !xtcp_is_sack(xsk))
		return 0;
	xtcp_parse_options((const u8 *)(th + 1), th->doff * 4 - sizeof(*th),
			   false, &rx);
	if (!rx.num_sacks)
		return 0;

	if (xtcp_sack_first_is_dsack(rx.sack_blocks, rx.num_sacks,
				     ctx.ack_seq)) {
		bool tlp;

		/* Undo (a later step) would count a believed one here. */
		dsack = xtcp_dsack_seen(&ctx, rx.sack_blocks[0].start_seq,
					rx.sack_blocks[0].end_seq,
					&xsk->dsack_dups, &tlp) != 0;
	}
	if (xtcp_sack_ack_too_old(&ctx))
		return 0;
	/* Nothing SACKed any more: what the cache says was tagged is gone. */
	if (!xsk->sacked_out)
		xtcp_sack_cache_reset(xsk);

	for (i = 0; i < rx.num_sacks; i++) {
		const struct xtcp_sack_block *b = &rx.sack_blocks[i];

		if (xtcp_sack_classify(&ctx, b, !i && dsack) != XTCP_SACK_VALID)
			continue;
		n = xtcp_sack_uncached(xsk->recv_sack_cache, XTCP_NUM_SACKS,
				       b->start_seq, b->end_seq, ranges, n,
				       ARRAY_SIZE(ranges));
	}
	for (i = 0; i < n; i++)
		if (xtcp_seq_before(ranges[i].start_seq, ranges[i].end_seq))
			newly += xtcp_sacktag_range(sk, ranges[i].start_seq,
						    ranges[i].end_seq, rtt);

	xtcp_sack_cache_reset(xsk);
	for (i = 0, n = 0; i < rx.num_sacks; i++) {
		const struct xtcp_sack_block *b = &rx.sack_blocks[i];

		if (!i && dsack)
			continue;
		if (xtcp_sackblock_valid(&ctx, false, b->start_seq, b->end_seq))
			xsk->recv_sack_cache[n++] = *b;
	}
	return newly;
}

/**
 * xtcp_mark_skb_lost() - take one skb of the retransmission queue as lost
 * @sk: the socket, locked
 * @skb: the skb
 *
 * Linux's tcp_mark_skb_lost(): a retransmission of it still counted in
 * flight is taken as lost too; a SACKed skb is not lost.  The resending
 * walk (xtcp_xmit_retransmit_queue()) is pointed back at it when it lies
 * before where the walk stopped (tcp_verify_retransmit_hint()).
 */
void xtcp_mark_skb_lost(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 pcount = xtcp_skb_pcount(skb);

	if (cb->sacked & XTCPCB_SACKED_ACKED)
		return;
	if (cb->sacked & XTCPCB_SACKED_RETRANS) {
		cb->sacked &= ~XTCPCB_SACKED_RETRANS;
		xsk->retrans_out -= min(pcount, xsk->retrans_out);
	}
	if (cb->sacked & XTCPCB_LOST)
		return;
	if ((!xsk->retransmit_skb_hint && xsk->retrans_out >= xsk->lost_out) ||
	    (xsk->retransmit_skb_hint &&
	     xtcp_seq_before(cb->seq,
			     XTCP_SKB_CB(xsk->retransmit_skb_hint)->seq)))
		xsk->retransmit_skb_hint = skb;
	cb->sacked |= XTCPCB_LOST;
	xsk->lost_out += pcount;
}

/* Mark lost the unSACKed skbs from the head up to where more than
 * @packets SACKed segments lie before them, or with @mark_head the head
 * alone (tcp_mark_head_lost()).  The walk resumes where the last one
 * stopped (lost_skb_hint, lost_cnt_hint).
 */
static void xtcp_mark_head_lost(struct sock *sk, u32 packets, bool mark_head)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = xsk->lost_skb_hint;
	u32 cnt;

	if (skb) {
		/* The head was done already. */
		if (mark_head &&
		    xtcp_seq_after(XTCP_SKB_CB(skb)->seq, xsk->snd_una))
			return;
		cnt = xsk->lost_cnt_hint;
	} else {
		skb = xtcp_rtx_queue_head(sk);
		cnt = 0;
	}
	for (; skb; skb = skb_rb_next(skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		xsk->lost_skb_hint = skb;
		xsk->lost_cnt_hint = cnt;
		if (xtcp_seq_after(cb->end_seq, xsk->snd_nxt))
			break;
		if (cb->sacked & XTCPCB_SACKED_ACKED)
			cnt += xtcp_skb_pcount(skb);
		if (cnt > packets)
			break;
		if (!(cb->sacked & XTCPCB_LOST))
			xtcp_mark_skb_lost(sk, skb);
		if (mark_head)
			break;
	}
}

/**
 * xtcp_update_scoreboard() - mark lost what the SACKs show lost
 * @sk: the socket, locked; SACK negotiated; in fast recovery
 * @fast_rexmit: recovery starts with this ACK: the head is lost whatever
 *	the count says (RFC 5681 s.3.2 fast retransmit)
 *
 * Linux's tcp_update_scoreboard() without RACK: an unSACKed segment with
 * at least XTCP_REORDERING SACKed segments above it is lost (RFC 6675
 * s.4 IsLost() with DupThresh 3, counted in segments).  RACK (a later
 * step) would mark by time instead.
 */
void xtcp_update_scoreboard(struct sock *sk, bool fast_rexmit)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->sacked_out >= XTCP_REORDERING)
		xtcp_mark_head_lost(sk, xsk->sacked_out - XTCP_REORDERING,
				    false);
	else if (fast_rexmit)
		xtcp_mark_head_lost(sk, 1, true);
}

/**
 * xtcp_timeout_mark_lost() - the scoreboard after a retransmission timeout
 * @sk: the socket, locked; SACK negotiated
 *
 * Linux's tcp_timeout_mark_lost() and the counter reset of
 * tcp_enter_loss(): every skb not SACKed is lost and no retransmission is
 * in flight any more.  A SACKed head means the receiver reneged (RFC 2018
 * s.8, RFC 6675 s.5.1): it threw away data it had SACKed, so all SACK
 * marks are dropped and everything is resent.
 */
void xtcp_timeout_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);
	bool reneg = skb && (XTCP_SKB_CB(skb)->sacked & XTCPCB_SACKED_ACKED);

	xsk->retrans_out = 0;
	xsk->lost_out = 0;
	if (reneg) {
		xsk->sacked_out = 0;
		xtcp_sack_cache_reset(xsk);
	}
	xtcp_clear_all_retrans_hints(xsk);
	for (; skb; skb = skb_rb_next(skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		cb->sacked &= ~(XTCPCB_SACKED_RETRANS | XTCPCB_LOST);
		if (reneg)
			cb->sacked &= ~XTCPCB_SACKED_ACKED;
		xtcp_mark_skb_lost(sk, skb);
	}
	xtcp_clear_all_retrans_hints(xsk);
}
