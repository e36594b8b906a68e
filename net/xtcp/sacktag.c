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
 * RACK (RFC 8985 s.6, Linux's tcp_recovery.c) marks losses by time when
 * net.xtcp.tcp_recovery has XTCP_RACK_LOSS_DETECTION, in place of the
 * duplicate threshold of xtcp_update_scoreboard(): every delivered skb
 * advances RACK's reference (xtcp_rack_advance_skb()), and a walk of the
 * skbs in send-time order (tsorted_sent_queue) marks lost those sent
 * before it whose RTT plus the reordering window ran out, stopping at the
 * first one sent after it; the reorder timer waits for the others.  Data
 * never resent that is delivered after data above it raises the
 * duplicate threshold (xtcp_check_sack_reordering()), and makes RACK's
 * reordering window non-zero.  A believed D-SACK of a retransmission
 * sent since the recovery began counts towards undo (undo_retrans).
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
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input, the retransmission timer's work.
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

/* What one ACK's SACK tagging found (part of tcp_sacktag_state). */
struct xtcp_sacktag_state {
	struct xtcp_rate_sample *rs;
	struct xtcp_sack_rtt *rtt;	/* NULL: no RTT samples wanted */
	u32 reord;	/* lowest never-resent seq SACKed below fack */
};

/**
 * xtcp_rack_advance_skb() - RACK learns that an skb was delivered
 * @sk: the socket, locked
 * @skb: an skb of the retransmission queue newly SACKed or cumulatively
 *	ACKed (not SACKed before)
 *
 * Linux's tcp_rack_advance() with the skb's last send time: RACK.rtt and
 * RACK's reference move (xtcp_rack_advance(), RFC 8985 s.6.2 step 2),
 * unless the skb was resent and the sample is shorter than min_rtt (the
 * ACK may be for an earlier transmission).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 */
void xtcp_rack_advance_skb(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);

	u64 sent = xtcp_skb_sent_us(skb);

	if (!sent)
		return;
	xtcp_rack_advance(&xsk->rack, cb->retransmitted, cb->end_seq,
			  sent, xsk->tcp_mstamp, xtcp_min_rtt(xsk));
}

/* Mark one skb SACKed, wholly covered by a SACK block (tcp_sacktag_one()):
 * it leaves lost_out and retrans_out, joins sacked_out; it is delivered
 * (RACK, the delivered count) and, never resent and below the highest
 * SACKed sequence, shows reordering; one never retransmitted is an RTT
 * sample for st->rtt (first_sackt, last_sackt).  Returns the segments
 * newly SACKed.
 */
static u32 xtcp_sacktag_one(struct sock *sk, struct sk_buff *skb,
			    struct xtcp_sacktag_state *st)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 pcount = xtcp_skb_pcount(skb);
	u64 sent;

	if (cb->sacked & XTCPCB_SACKED_ACKED)
		return 0;
	xtcp_rack_advance_skb(sk, skb);
	if (!cb->retransmitted &&
	    xtcp_seq_before(cb->seq, xtcp_highest_sack_seq(xsk)) &&
	    xtcp_seq_before(cb->seq, st->reord))
		st->reord = cb->seq;
	/* An original delivered (F-RTO's FLAG_ORIG_SACK_ACKED). */
	if (!cb->retransmitted &&
	    !xtcp_seq_after(cb->end_seq, xsk->high_seq))
		st->rs->orig_acked = true;
	if (!xsk->sacked_out ||
	    xtcp_seq_after(cb->end_seq, xsk->highest_sack_end))
		xsk->highest_sack_end = cb->end_seq;
	xtcp_rate_skb_delivered(xsk, st->rs, skb);
	/* Its delivery is counted: never sampled again (Linux clears
	 * tx.delivered_mstamp).
	 */
	cb->tx_deliv_delta_us = U32_MAX;
	xsk->delivered += pcount;
	if (cb->sacked & XTCPCB_SACKED_RETRANS)
		xsk->retrans_out -= min(pcount, xsk->retrans_out);
	if (cb->sacked & XTCPCB_LOST)
		xsk->lost_out -= min(pcount, xsk->lost_out);
	sent = xtcp_skb_sent_us(skb);
	if (st->rtt && !cb->retransmitted && sent) {
		if (!st->rtt->first_sent_us || sent < st->rtt->first_sent_us)
			st->rtt->first_sent_us = sent;
		if (sent > st->rtt->last_sent_us)
			st->rtt->last_sent_us = sent;
	}
	cb->sacked &= ~(XTCPCB_SACKED_RETRANS | XTCPCB_LOST);
	cb->sacked |= XTCPCB_SACKED_ACKED;
	/* Delivered: no longer one RACK may find lost (tcp_sacktag_walk()). */
	list_del_init(&cb->tsorted_anchor);
	xsk->sacked_out += pcount;
	/* The loss marking walk counted the SACKed segments before it. */
	if (xsk->lost_skb_hint &&
	    xtcp_seq_before(cb->seq, XTCP_SKB_CB(xsk->lost_skb_hint)->seq))
		xsk->lost_cnt_hint += pcount;
	return pcount;
}

/* Tag the skbs within [@start, @end), splitting those the edges cut on a
 * segment boundary (tcp_sacktag_walk() with tcp_match_skb_to_sack()):
 * a segment only partly covered is not SACKed.  Returns the segments
 * newly SACKed.
 */
static u32 xtcp_sacktag_range(struct sock *sk, u32 start, u32 end,
			      struct xtcp_sacktag_state *st)
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
		newly += xtcp_sacktag_one(sk, skb, st);
		skb = skb_rb_next(skb);
	}
	return newly;
}

/* A believed D-SACK [@start, @end) above the previous SND.UNA: each
 * retransmitted segment it covers, sent since undo_marker, was a
 * spurious retransmission (tcp_sacktag_one() with dup_sack; Linux splits
 * the skbs at the block's edges, xtcp counts the segments the block
 * overlaps: xtcp_dsack_skb_segs(); nothing without an undo_marker).
 * Whatever of it is not SACKed yet, either the same ACK acknowledges
 * cumulatively (the queue is tagged before it is cleaned, as Linux's
 * tcp_ack() does) or its SACK blocks tag (a D-SACK above the ACK lies
 * inside one, RFC 2883 s.4).
 */
static void xtcp_dsack_undo_retrans(struct sock *sk, u32 start, u32 end)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb;

	if (!xsk->undo_marker)
		return;
	skb = xtcp_sacktag_bsearch(sk, start);
	for (; skb && xsk->undo_retrans > 0; skb = skb_rb_next(skb)) {
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 segs;

		if (!xtcp_seq_before(cb->seq, end))
			break;
		segs = xtcp_dsack_skb_segs(xsk->undo_marker,
					   cb->sacked & (XTCPCB_EVER_RETRANS |
							 XTCPCB_SACKED_RETRANS),
					   cb->seq, cb->end_seq, start, end,
					   xtcp_skb_mss(skb),
					   xtcp_skb_pcount(skb));
		if (segs)
			xsk->undo_retrans =
				xtcp_undo_retrans_dsacked(xsk->undo_retrans,
							  segs);
	}
}

/**
 * xtcp_sacktag_write_queue() - apply an ACK's SACK blocks to the scoreboard
 * @sk: the socket, locked; SACK negotiated
 * @ack_skb: the ACK, its transport header set (skb->data may be past it:
 *	xtcp_rcv_data_first() pulls it before the ACK is processed)
 * @prior_snd_una: SND.UNA before this ACK; snd_una is still that (the
 *	queue is cleaned after, as tcp_ack() does), or beyond the ACK on an
 *	old ACK
 * @rs: what this ACK delivered; the newly SACKed skbs are added, and
 *	dsack_tlp set when its D-SACK is for the tail loss probe
 * @rtt: where the RTT samples of newly SACKed skbs go, zeroed by the
 *	caller; NULL when the ACK gives none (an old ACK, as Linux takes
 *	no sample there)
 *
 * Linux's tcp_sacktag_write_queue(): a D-SACK first block is recognised
 * (RFC 2883 s.4) and counted in dsack_dups, each block is checked against
 * SND.UNA..SND.NXT (xtcp_sack_classify(), RFC 2018 s.3 and RFC 6675 s.5)
 * and each valid one marks the skbs it covers SACKED_ACKED.  The blocks
 * are kept for the next ACK (recv_sack_cache).  A believed D-SACK counts
 * as delivered and, once reordering was seen, asks RACK to widen its
 * window (tcp_dsack_seen()); a never-resent skb SACKed below the highest
 * SACKed sequence is reordering (tcp_check_sack_reordering()).  A
 * believed D-SACK of a retransmission sent since undo_marker lowers
 * undo_retrans (tcp_check_dsack(), tcp_sacktag_one()); @rs notes the
 * D-SACK and any original (never resent) data at or below high_seq
 * newly SACKed, for undo and F-RTO.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 * Return: the segments this ACK newly SACKed.
 */
u32 xtcp_sacktag_write_queue(struct sock *sk, const struct sk_buff *ack_skb,
			     u32 prior_snd_una, struct xtcp_rate_sample *rs,
			     struct xtcp_sack_rtt *rtt)
{
	const struct tcphdr *th = tcp_hdr(ack_skb);
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
		.tlp_high_seq = xsk->tlp_high_seq,
		.ack_seq = XTCP_SKB_CB(ack_skb)->ack_seq,
		.undo_marker = xsk->undo_marker,
	};
	struct xtcp_sacktag_state st = {
		.rs = rs, .rtt = rtt, .reord = xsk->snd_nxt
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
		u32 dups;

		dups = xtcp_dsack_seen(&ctx, rx.sack_blocks[0].start_seq,
				       rx.sack_blocks[0].end_seq,
				       &xsk->dsack_dups, &tlp);
		xtcp_mib_dsack(sk, rx.sack_blocks[0].start_seq, ctx.ack_seq,
			       dups);
		/* Linux flags it whether or not it believes the D-SACK. */
		rs->dsack_tlp = tlp;
		dsack = dups != 0;
		rs->dsack = dsack;
		if (dsack) {
			xtcp_rack_dsack_seen(&xsk->rack, xsk->reord_seen, tlp);
			/* A spurious retransmission was delivered. */
			xsk->delivered += dups;
			/* For data cumulatively ACKed already, the queue has
			 * nothing left to tag: the D-SACK counts towards undo
			 * here (tcp_check_dsack()).
			 */
			if (xtcp_dsack_forgotten(&ctx,
						 rx.sack_blocks[0].end_seq))
				xsk->undo_retrans =
					xtcp_undo_retrans_dsacked(xsk->undo_retrans,
								  dups);
		}
	}
	if (xtcp_sack_ack_too_old(&ctx))
		return 0;
	/* Nothing SACKed any more: what the cache says was tagged is gone. */
	if (!xsk->sacked_out)
		xtcp_sack_cache_reset(xsk);

	for (i = 0; i < rx.num_sacks; i++) {
		const struct xtcp_sack_block *b = &rx.sack_blocks[i];
		enum xtcp_sack_verdict v = xtcp_sack_classify(&ctx, b,
							     !i && dsack);

		xtcp_mib_sack_verdict(sk, v);
		if (v == XTCP_SACK_DSACK)
			xtcp_dsack_undo_retrans(sk, b->start_seq, b->end_seq);
		if (v != XTCP_SACK_VALID)
			continue;
		n = xtcp_sack_uncached(xsk->recv_sack_cache, XTCP_NUM_SACKS,
				       b->start_seq, b->end_seq, ranges, n,
				       ARRAY_SIZE(ranges));
	}
	/* In sequence order, as tcp_sacktag_write_queue() sorts its blocks:
	 * a receiver lists the newest block first, and a lower range tagged
	 * after a higher one would look reordered (below the highest SACK).
	 */
	for (i = 1; i < n; i++) {
		struct xtcp_sack_block b = ranges[i];
		unsigned int j = i;

		for (; j && xtcp_seq_after(ranges[j - 1].start_seq, b.start_seq);
		     j--)
			ranges[j] = ranges[j - 1];
		ranges[j] = b;
	}
	for (i = 0; i < n; i++)
		if (xtcp_seq_before(ranges[i].start_seq, ranges[i].end_seq))
			newly += xtcp_sacktag_range(sk, ranges[i].start_seq,
						    ranges[i].end_seq, &st);

	xtcp_sack_cache_reset(xsk);
	for (i = 0, n = 0; i < rx.num_sacks; i++) {
		const struct xtcp_sack_block *b = &rx.sack_blocks[i];

		if (!i && dsack)
			continue;
		if (xtcp_sackblock_valid(&ctx, false, b->start_seq, b->end_seq))
			xsk->recv_sack_cache[n++] = *b;
	}
	xtcp_check_sack_reordering(sk, st.reord, false);
	return newly;
}

/**
 * xtcp_check_sack_reordering() - data delivered late: reordering
 * @sk: the socket, locked
 * @low_seq: the lowest never-resent sequence delivered by this ACK below
 *	data SACKed earlier (SND.NXT or above for none)
 * @ts: the timestamps showed it (a partial undo), not the SACK blocks
 *
 * Linux's tcp_check_sack_reordering(): the event is counted in
 * reord_seen (which makes RACK's reordering window non-zero) and the
 * duplicate threshold grows to the distance to the highest SACKed
 * sequence, at most net.xtcp.tcp_max_reordering
 * (xtcp_sack_reordering()).  Without SACK (a partial ACK that filled the
 * hole with the original) the distance is to SND.UNA, as Linux's highest
 * SACK skb is then the head of the retransmission queue.  The namespace
 * counts it as TCPTSReorder with @ts, else TCPSACKReorder.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 */
void xtcp_check_sack_reordering(struct sock *sk, u32 low_seq, bool ts)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int max_r = READ_ONCE(xtcp_sk_pernet(sk)->max_reordering);
	u32 fack = xtcp_is_sack(xsk) ? xtcp_highest_sack_seq(xsk) :
				       xsk->snd_una;
	u32 r;

	r = xtcp_sack_reordering(fack, low_seq, xsk->mss, xsk->reordering,
				 max(max_r, 1));
	if (!r)
		return;
	xsk->reordering = r;
	xsk->reord_seen++;
	XTCP_SK_INC_STATS(sk, ts ? XTCP_MIB_TCPTSREORDER :
			  XTCP_MIB_TCPSACKREORDER);
}

/**
 * xtcp_mark_skb_lost() - take one skb of the retransmission queue as lost
 * @sk: the socket, locked
 * @skb: the skb
 *
 * Linux's tcp_mark_skb_lost(): a retransmission of it still counted in
 * flight is taken as lost too; a SACKed skb is not lost.  The resending
 * walk (xtcp_xmit_retransmit_queue()) is pointed back at it when it lies
 * before where the walk stopped (tcp_verify_retransmit_hint()), also when
 * it was lost already and only its retransmission is lost now.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input, the retransmission and reorder timers' work.
 */
void xtcp_mark_skb_lost(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 pcount = xtcp_skb_pcount(skb);

	if (cb->sacked & XTCPCB_SACKED_ACKED)
		return;
	if ((!xsk->retransmit_skb_hint && xsk->retrans_out >= xsk->lost_out) ||
	    (xsk->retransmit_skb_hint &&
	     xtcp_seq_before(cb->seq,
			     XTCP_SKB_CB(xsk->retransmit_skb_hint)->seq)))
		xsk->retransmit_skb_hint = skb;
	/* A retransmission lost again (RACK) is to be resent again, and
	 * counts as a loss (tcp_notify_skb_loss_event()).
	 */
	if (cb->sacked & XTCPCB_SACKED_RETRANS) {
		cb->sacked &= ~XTCPCB_SACKED_RETRANS;
		xsk->retrans_out -= min(pcount, xsk->retrans_out);
		XTCP_SK_ADD_STATS(sk, XTCP_MIB_TCPLOSTRETRANSMIT, pcount);
		if (cb->sacked & XTCPCB_LOST)
			xsk->lost += pcount;
	}
	if (cb->sacked & XTCPCB_LOST)
		return;
	cb->sacked |= XTCPCB_LOST;
	xsk->lost_out += pcount;
	xsk->lost += pcount;
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
 * Linux's tcp_update_scoreboard(), used when RACK is off
 * (net.xtcp.tcp_recovery without XTCP_RACK_LOSS_DETECTION): an unSACKed
 * segment with at least reordering SACKed segments above it is lost (RFC
 * 6675 s.4 IsLost() with DupThresh tp->reordering, counted in segments).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 */
void xtcp_update_scoreboard(struct sock *sk, bool fast_rexmit)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (xsk->sacked_out >= xsk->reordering)
		xtcp_mark_head_lost(sk, xsk->sacked_out - xsk->reordering,
				    false);
	else if (fast_rexmit)
		xtcp_mark_head_lost(sk, 1, true);
}

/**
 * xtcp_timeout_mark_lost() - the scoreboard after a retransmission timeout
 * @sk: the socket, locked; without SACK, sacked_out reset by the caller
 *
 * Linux's tcp_timeout_mark_lost() and the counter reset of
 * tcp_enter_loss(): every skb not SACKed is lost and no retransmission is
 * in flight any more.  A SACKed head means the receiver reneged (RFC 2018
 * s.8, RFC 6675 s.5.1): it threw away data it had SACKed, so all SACK
 * marks are dropped and everything is resent.  With RACK, skbs but the
 * head sent less than RACK.rtt ago are not lost yet.
 *
 * Context: the retransmission timer's work, socket locked: softirq with the
 * spinlock held, or release_sock() (xtcp_release_cb()).
 */
void xtcp_timeout_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk), *head = skb;
	bool reneg = skb && (XTCP_SKB_CB(skb)->sacked & XTCPCB_SACKED_ACKED);
	bool rack = xtcp_is_rack(sk);
	u64 now = xsk->tcp_mstamp;

	xsk->retrans_out = 0;
	xsk->lost_out = 0;
	if (reneg) {
		xsk->sacked_out = 0;
		xtcp_sack_cache_reset(xsk);
		/* Until this loss episode ends: no rate samples. */
		xsk->is_sack_reneg = 1;
	}
	xtcp_clear_all_retrans_hints(xsk);
	for (; skb; skb = skb_rb_next(skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		cb->sacked &= ~(XTCPCB_SACKED_RETRANS | XTCPCB_LOST);
		if (reneg)
			cb->sacked &= ~XTCPCB_SACKED_ACKED;
		else if (rack && skb != head &&
			 xtcp_rack_skb_timeout(&xsk->rack,
					       xtcp_skb_sent_us(skb), now,
					       0) > 0)
			continue;
		xtcp_mark_skb_lost(sk, skb);
	}
	xtcp_clear_all_retrans_hints(xsk);
}

/**
 * xtcp_rack_in_recovery() - Linux's icsk_ca_state >= TCP_CA_Recovery
 * @xsk: the socket
 *
 * Context: any; pure on @xsk, which the caller keeps stable (socket locked).
 * Return: in fast recovery, or in loss recovery after an RTO.
 */
bool xtcp_rack_in_recovery(const struct xtcp_sock *xsk)
{
	return xsk->in_recovery || xsk->in_loss;
}

/* RACK's loss detection walk (tcp_rack_detect_loss()): in send-time
 * order, every skb sent before RACK's reference and not lost already (or
 * lost and resent, which may be lost again) is lost once its RTT plus
 * the reordering window ran out, and leaves the list; the walk stops at
 * the first skb not sent before the reference.  *@reo_timeout is the
 * longest wait, us, of those not lost yet (0: none).
 */
static void xtcp_rack_detect_loss(struct sock *sk, u32 *reo_timeout)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_skb_cb *cb, *tmp;
	u64 now = xsk->tcp_mstamp;
	u32 reo_wnd;

	*reo_timeout = 0;
	reo_wnd = xtcp_rack_reo_wnd(&xsk->rack,
				    READ_ONCE(xtcp_sk_pernet(sk)->recovery),
				    xtcp_min_rtt(xsk),
				    xtcp_rtt_srtt_us(&xsk->rtt),
				    xsk->reord_seen != 0,
				    xtcp_rack_in_recovery(xsk),
				    xsk->sacked_out, xsk->reordering);
	list_for_each_entry_safe(cb, tmp, &xsk->tsorted_sent_queue,
				 tsorted_anchor) {
		struct sk_buff *skb = xtcp_tsorted_skb(&cb->tsorted_anchor);
		u32 remaining;

		if ((cb->sacked & XTCPCB_LOST) &&
		    !(cb->sacked & XTCPCB_SACKED_RETRANS))
			continue;
		switch (xtcp_rack_skb_verdict(&xsk->rack, xtcp_skb_sent_us(skb),
					      cb->end_seq, now, reo_wnd,
					      &remaining)) {
		case XTCP_RACK_NOT_BEFORE:
			return;
		case XTCP_RACK_LOST:
			if (!(cb->sacked & XTCPCB_SACKED_ACKED))
				xsk->rack_lost += xtcp_skb_pcount(skb);
			xtcp_mark_skb_lost(sk, skb);
			list_del_init(&cb->tsorted_anchor);
			break;
		case XTCP_RACK_WAIT:
			*reo_timeout = max(*reo_timeout, remaining);
			break;
		}
	}
}

/**
 * xtcp_rack_mark_lost() - RACK's loss detection after an ACK
 * @sk: the socket, locked; SACK negotiated, RACK on
 *
 * Linux's tcp_rack_mark_lost() (RFC 8985 s.6.2 step 5): only when RACK's
 * reference moved since the last walk.  Segments that may still be
 * reordered arm the reorder timer (XTCP_RTX_REO, Linux's
 * ICSK_TIME_REO_TIMEOUT, in place of the RTO) for the longest wait plus
 * 2 ms, never beyond one RTO.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 * Return: true if the reorder timer was armed (the caller does not
 * re-arm the RTO then).
 */
bool xtcp_rack_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 timeout;

	if (!xsk->rack.advanced)
		return false;
	xsk->rack.advanced = false;
	xtcp_rack_detect_loss(sk, &timeout);
	if (!timeout)
		return false;
	timeout = xtcp_rack_reo_timer_us(timeout, xtcp_rtt_rto(&xsk->rtt));
	xtcp_arm_rtx(sk, XTCP_RTX_REO, usecs_to_jiffies(timeout));
	return true;
}

/**
 * xtcp_rack_detect_loss_timeout() - the reorder timer's loss detection
 * @sk: the socket, locked
 *
 * The walk of tcp_rack_reo_timeout(), whatever RACK's reference did.
 *
 * Context: the reorder timer's work (xtcp_rack_reo_timeout()), socket locked:
 * softirq with the spinlock held, or release_sock() (xtcp_release_cb()).
 * Return: true if it marked anything lost (the pipe changed).
 */
bool xtcp_rack_detect_loss_timeout(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 prior = xtcp_packets_in_flight(xsk), timeout;

	xtcp_rack_detect_loss(sk, &timeout);
	return prior != xtcp_packets_in_flight(xsk);
}
