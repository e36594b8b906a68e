// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp data receiver's SACK blocks (RFC 2018 s.4) and D-SACK block
 * (RFC 2883 s.4), with the semantics of Linux 6.1's tcp_sack_new_ofo_skb(),
 * tcp_sack_remove(), tcp_dsack_set(), tcp_dsack_extend() and the SACK part
 * of tcp_data_queue() and tcp_options_write().
 *
 * Pure code (see include/net/xtcp_sack_rcv.h): also built by selftests/host.
 */
#include <linux/types.h>
#include <net/xtcp_sack_rcv.h>
#include <net/xtcp_seq.h>

/* Grow @b to cover [@seq, @end_seq) as well if the two overlap or touch
 * (the range ends where @b starts, or starts where @b ends). Returns
 * whether they did, i.e. whether @b now is their union; otherwise @b is
 * left alone. Linux's tcp_sack_extend().
 */
static bool xtcp_sack_extend(struct xtcp_sack_block *b, u32 seq,
			     u32 end_seq)
{
	if (xtcp_seq_after(seq, b->end_seq) ||
	    xtcp_seq_after(b->start_seq, end_seq))
		return false;
	b->start_seq = xtcp_seq_min(b->start_seq, seq);
	b->end_seq = xtcp_seq_max(b->end_seq, end_seq);
	return true;
}

/* Forget selective_acks[@i], closing the gap (order of the rest kept). */
static void xtcp_sack_drop(struct xtcp_sack_rcv *s, unsigned int i)
{
	for (s->num_sacks--; i < s->num_sacks; i++)
		s->selective_acks[i] = s->selective_acks[i + 1];
}

/* The first block just grew: fold into it every other block it now
 * overlaps or touches. The others never touch one another, so one pass
 * suffices. Linux's tcp_sack_maybe_coalesce().
 */
static void xtcp_sack_coalesce(struct xtcp_sack_rcv *s)
{
	struct xtcp_sack_block *first = &s->selective_acks[0];
	unsigned int i = 1;

	while (i < s->num_sacks) {
		if (xtcp_sack_extend(first, s->selective_acks[i].start_seq,
				     s->selective_acks[i].end_seq))
			xtcp_sack_drop(s, i);
		else
			i++;
	}
}

/**
 * xtcp_sack_rcv_init() - start a connection's receiver SACK state
 * @s:             state to initialize (any contents before).
 * @dsack_enabled: whether duplicates are reported (net.xtcp.tcp_dsack).
 *
 * No blocks, no D-SACK pending.
 *
 * Context: any.
 */
void xtcp_sack_rcv_init(struct xtcp_sack_rcv *s, bool dsack_enabled)
{
	*s = (struct xtcp_sack_rcv){ .dsack_enabled = dsack_enabled };
}

/**
 * xtcp_sack_reset() - forget every block and the pending D-SACK
 * @s: receiver SACK state.
 *
 * For when the out-of-order queue is pruned or purged (memory pressure,
 * FIN, disconnect): what was reported is no longer held, so nothing of it
 * may be reported again. Linux's tcp_sack_reset().
 *
 * Context: any.
 */
void xtcp_sack_reset(struct xtcp_sack_rcv *s)
{
	s->num_sacks = 0;
	s->dsack = false;
}

/**
 * xtcp_sack_new_ofo() - note an out-of-order segment in the SACK blocks
 * @s:       receiver SACK state.
 * @seq:     first sequence number of the segment's data.
 * @end_seq: sequence number after its last byte; after @seq.
 *
 * The segment lies above RCV.NXT with a hole before it (the caller checks:
 * xtcp_sack_rcv_data() does). If it overlaps or touches a block, that
 * block grows to cover it, moves to the front (the others keep their
 * order) and absorbs any other block it now overlaps or touches.
 * Otherwise the segment becomes a new first block; when XTCP_NUM_SACKS
 * blocks exist already, the last, least recently changed one is forgotten
 * to make room. RFC 2018 s.4: the first block holds the segment that
 * triggered the ACK, the rest follow most recent first. Linux's
 * tcp_sack_new_ofo_skb(), whose ACK compression hook is the caller's
 * (xtcp_sack_ofo_extend()). An empty or
 * inverted range is ignored.
 *
 * Context: any.
 */
void xtcp_sack_new_ofo(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq)
{
	struct xtcp_sack_block grown;
	unsigned int i;

	if (!xtcp_seq_after(end_seq, seq))
		return;

	for (i = 0; i < s->num_sacks; i++) {
		grown = s->selective_acks[i];
		if (!xtcp_sack_extend(&grown, seq, end_seq))
			continue;
		/* Move block i to the front, the ones before it down. */
		for (; i > 0; i--)
			s->selective_acks[i] = s->selective_acks[i - 1];
		s->selective_acks[0] = grown;
		xtcp_sack_coalesce(s);
		return;
	}

	if (s->num_sacks == XTCP_NUM_SACKS)
		s->num_sacks--;
	for (i = s->num_sacks; i > 0; i--)
		s->selective_acks[i] = s->selective_acks[i - 1];
	s->selective_acks[0].start_seq = seq;
	s->selective_acks[0].end_seq = end_seq;
	s->num_sacks++;
}

/**
 * xtcp_sack_ofo_extend() - the first half of xtcp_sack_new_ofo()
 * @s:       receiver SACK state.
 * @seq:     first sequence number of the segment's data.
 * @end_seq: sequence number after its last byte.
 *
 * The first block the segment overlaps or touches grows to cover it,
 * where it is (no move, no coalescing); the return value is its index,
 * or the number of blocks when the segment touches none and will be a
 * new one.  Linux's tcp_sack_new_ofo_skb() extends the block, then sends
 * a held compressed ACK when that index is TCP_SACK_BLOCKS_EXPECTED or
 * more, so that the sender hears of the older blocks (the grown one
 * among them, at its old place) before they are pushed down; then it
 * rotates.  xtcp_sack_new_ofo() afterwards finds the block grown already
 * and does the rest.
 *
 * Context: any.
 * Return: 0..XTCP_NUM_SACKS.
 */
unsigned int xtcp_sack_ofo_extend(struct xtcp_sack_rcv *s, u32 seq,
				  u32 end_seq)
{
	unsigned int i;

	if (!xtcp_seq_after(end_seq, seq))
		return s->num_sacks;
	for (i = 0; i < s->num_sacks; i++)
		if (xtcp_sack_extend(&s->selective_acks[i], seq, end_seq))
			break;
	return i;
}

/**
 * xtcp_sack_remove() - RCV.NXT advanced: drop the blocks it reached
 * @s:       receiver SACK state.
 * @rcv_nxt: the new RCV.NXT.
 *
 * Every block that starts at or below @rcv_nxt is removed, the others keep
 * their order. In-order data reaches a block's start only by taking in the
 * whole block (the out-of-order data behind it is contiguous), so the
 * block is then entirely acknowledged; were @rcv_nxt to stop inside one,
 * the block is still removed, as Linux does: reporting less than is held
 * is safe, reporting more is not. A pending D-SACK is kept: it describes
 * data already acknowledged. Linux's tcp_sack_remove(); its shortcut of
 * clearing everything when the out-of-order queue is empty needs no twin
 * here, since then every block starts at or below RCV.NXT anyway.
 *
 * Context: any.
 */
void xtcp_sack_remove(struct xtcp_sack_rcv *s, u32 rcv_nxt)
{
	unsigned int i = 0;

	while (i < s->num_sacks) {
		if (xtcp_seq_leq(s->selective_acks[i].start_seq, rcv_nxt))
			xtcp_sack_drop(s, i);
		else
			i++;
	}
}

/**
 * xtcp_dsack_set() - report [@seq, @end_seq) as duplicate data
 * @s:       receiver SACK state.
 * @seq:     first duplicate sequence number.
 * @end_seq: sequence number after the last duplicate byte.
 *
 * The D-SACK block becomes this range and is pending for the next SACK
 * option (RFC 2883 s.4, the first block), replacing any earlier one. Does
 * nothing while D-SACK is disabled. Linux's tcp_dsack_set().
 *
 * Context: any.
 */
void xtcp_dsack_set(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq)
{
	if (!s->dsack_enabled)
		return;
	s->duplicate_sack.start_seq = seq;
	s->duplicate_sack.end_seq = end_seq;
	s->dsack = true;
}

/**
 * xtcp_dsack_extend() - add [@seq, @end_seq) to the duplicate data
 * @s:       receiver SACK state.
 * @seq:     first duplicate sequence number.
 * @end_seq: sequence number after the last duplicate byte.
 *
 * With no D-SACK pending, as xtcp_dsack_set(). Otherwise the pending block
 * grows by the range if they overlap or touch; a range apart from it is
 * not reported, since RFC 2883 s.4 has one D-SACK block describe one
 * contiguous run (the first). Linux's tcp_dsack_extend().
 *
 * Context: any.
 */
void xtcp_dsack_extend(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq)
{
	if (!s->dsack)
		xtcp_dsack_set(s, seq, end_seq);
	else
		xtcp_sack_extend(&s->duplicate_sack, seq, end_seq);
}

/**
 * xtcp_sack_rcv_data() - account a data segment in the SACK state
 * @s:       receiver SACK state.
 * @rcv_nxt: RCV.NXT before the segment is taken in.
 * @seq:     the segment's first sequence number (SEG.SEQ, after SYN).
 * @end_seq: the sequence number after its last data byte.
 *
 * Call for every segment with data that the receive path takes in or
 * drops as a duplicate, before RCV.NXT moves; segments beyond the window
 * are the caller's to drop without calling this. Then, once the caller
 * has queued in-order data and pulled what it joined from the out-of-order
 * queue, xtcp_sack_remove() with the new RCV.NXT.
 *
 * What Linux's tcp_data_queue(), tcp_data_queue_ofo(), tcp_ofo_queue()
 * and tcp_send_dupack() do to the blocks:
 *  - the previous D-SACK, if not sent yet, is forgotten: the D-SACK
 *    describes the latest segment only;
 *  - duplicate data, i.e. bytes below @rcv_nxt or inside a SACK block,
 *    becomes the D-SACK block, its lowest contiguous run only (RFC 2883
 *    s.4: one D-SACK block per packet, for a contiguous duplicate run;
 *    its examples report the first run of several): a segment wholly
 *    below @rcv_nxt reports itself, one that straddles @rcv_nxt its part
 *    below, one above @rcv_nxt the lowest part it shares with a block;
 *    bytes below @rcv_nxt never touch a block, so the run below, when
 *    there is one, is the lowest;
 *  - a segment above @rcv_nxt goes through xtcp_sack_new_ofo(), even when
 *    all of it was held already: its block moves to the front.
 * The blocks stand for the out-of-order data; data the receiver holds
 * beyond a forgotten block (more than XTCP_NUM_SACKS holes) is not known
 * here, so a duplicate of it is not reported, where Linux, which looks at
 * its queue, would. Empty or inverted ranges change nothing.
 *
 * Context: any.
 */
void xtcp_sack_rcv_data(struct xtcp_sack_rcv *s, u32 rcv_nxt, u32 seq,
			u32 end_seq)
{
	if (xtcp_sack_rcv_dup(s, rcv_nxt, seq, end_seq))
		xtcp_sack_new_ofo(s, seq, end_seq);
}

/**
 * xtcp_sack_rcv_dup() - the D-SACK part of xtcp_sack_rcv_data()
 * @s:       receiver SACK state.
 * @rcv_nxt: RCV.NXT before the segment is taken in.
 * @seq:     the segment's first sequence number (SEG.SEQ, after SYN).
 * @end_seq: the sequence number after its last data byte.
 *
 * xtcp_sack_rcv_data() is this, then xtcp_sack_new_ofo() when this says
 * so; a caller that must act between the two (Linux sends a held
 * compressed ACK there, with this segment's D-SACK and the blocks as they
 * were) calls them itself.
 *
 * Context: any.
 * Return: true if the segment lies above @rcv_nxt and goes to
 * xtcp_sack_new_ofo() next.
 */
bool xtcp_sack_rcv_dup(struct xtcp_sack_rcv *s, u32 rcv_nxt, u32 seq,
		       u32 end_seq)
{
	const struct xtcp_sack_block *b, *low = NULL;
	unsigned int i;

	if (!xtcp_seq_after(end_seq, seq))
		return false;
	s->dsack = false;

	if (xtcp_seq_before(seq, rcv_nxt)) {
		xtcp_dsack_set(s, seq, xtcp_seq_min(end_seq, rcv_nxt));
		return false;
	}

	/* The lowest block sharing bytes with the segment. */
	for (i = 0; i < s->num_sacks; i++) {
		b = &s->selective_acks[i];
		if (!xtcp_seq_before(b->start_seq, end_seq) ||
		    !xtcp_seq_before(seq, b->end_seq))
			continue;
		if (!low || xtcp_seq_before(b->start_seq, low->start_seq))
			low = b;
	}
	if (low)
		xtcp_dsack_set(s, xtcp_seq_max(seq, low->start_seq),
			       xtcp_seq_min(end_seq, low->end_seq));

	return xtcp_seq_after(seq, rcv_nxt);
}

/**
 * xtcp_sack_rcv_count() - how many blocks the next SACK option carries
 * @s:   receiver SACK state.
 * @max: blocks that fit in the option space left: 4 without timestamps,
 *       3 with them (Linux's tcp_established_options()); values above
 *       XTCP_NUM_SACKS count as XTCP_NUM_SACKS.
 *
 * Return: the pending D-SACK (0 or 1) plus the SACK blocks, at most @max;
 * 0 means no SACK option. What xtcp_sack_rcv_write() will write.
 *
 * Context: any.
 */
unsigned int xtcp_sack_rcv_count(const struct xtcp_sack_rcv *s,
				 unsigned int max)
{
	unsigned int n = s->num_sacks + (s->dsack ? 1 : 0);

	if (max > XTCP_NUM_SACKS)
		max = XTCP_NUM_SACKS;
	return n < max ? n : max;
}

/**
 * xtcp_sack_rcv_write() - the blocks of the next ACK's SACK option
 * @s:   receiver SACK state.
 * @out: room for @max blocks (at least xtcp_sack_rcv_count()).
 * @max: as for xtcp_sack_rcv_count().
 *
 * The pending D-SACK block first (RFC 2883 s.4), then the SACK blocks
 * most recent first (RFC 2018 s.4), as many as fit. Writing at least one
 * block sends the D-SACK, so it is no longer pending, as Linux's
 * tcp_options_write() clears rx_opt.dsack; with no room (@max 0) it stays
 * pending. The SACK blocks stay: every ACK repeats them.
 *
 * Return: the number of blocks written to @out, xtcp_sack_rcv_count().
 *
 * Context: any.
 */
unsigned int xtcp_sack_rcv_write(struct xtcp_sack_rcv *s,
				 struct xtcp_sack_block *out,
				 unsigned int max)
{
	unsigned int n = xtcp_sack_rcv_count(s, max);
	unsigned int i = 0, j;

	if (!n)
		return 0;
	if (s->dsack) {
		out[i++] = s->duplicate_sack;
		s->dsack = false;
	}
	for (j = 0; i < n; i++, j++)
		out[i] = s->selective_acks[j];
	return n;
}
