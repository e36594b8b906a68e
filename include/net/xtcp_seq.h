/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp sequence number arithmetic (RFC 9293 s.3.4).
 *
 * Sequence numbers live in a space of 2^32 that wraps, so "a before b"
 * cannot be a plain integer comparison: it means b lies less than half the
 * space ahead of a, i.e. the difference b - a (mod 2^32), read as a signed
 * 32-bit number, is positive. That is only meaningful while every pair of
 * numbers compared is less than 2^31 apart, which TCP guarantees by bounding
 * the window to 2^30 (RFC 7323 s.2.3) and by MSL (RFC 9293 s.3.4.1).
 *
 * Exactly 2^31 apart, the direction is undefined; these helpers then say
 * that each of a and b is before (and after) the other. What always holds,
 * at any distance: xtcp_seq_leq(a, b) == !xtcp_seq_after(a, b) and
 * xtcp_seq_geq(a, b) == !xtcp_seq_before(a, b), so an if/else on one of
 * them partitions all cases without gaps.
 *
 * Pure code (see include/net/xtcp_cong.h): also built by selftests/host.
 */
#ifndef _NET_XTCP_SEQ_H
#define _NET_XTCP_SEQ_H

#include <linux/types.h>

/* a < b (mod 2^32): b is 1 .. 2^31 ahead of a. */
static inline bool xtcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* a > b (mod 2^32): a is 1 .. 2^31 ahead of b. */
static inline bool xtcp_seq_after(u32 a, u32 b)
{
	return xtcp_seq_before(b, a);
}

/* a =< b (mod 2^32), RFC 9293's "=<": a is not after b. */
static inline bool xtcp_seq_leq(u32 a, u32 b)
{
	return !xtcp_seq_after(a, b);
}

/* a >= b (mod 2^32): a is not before b. */
static inline bool xtcp_seq_geq(u32 a, u32 b)
{
	return !xtcp_seq_before(a, b);
}

/*
 * low =< seq =< high (mod 2^32): seq lies on the arc that starts at @low and
 * runs forward to @high, both ends included. Unlike the comparisons above
 * this is exact at any distance, because it only measures offsets from
 * @low: low == high admits just that number, high == low - 1 admits all.
 */
static inline bool xtcp_seq_between(u32 seq, u32 low, u32 high)
{
	return seq - low <= high - low;
}

/* The later of @a and @b (@a if they are exactly 2^31 apart). */
static inline u32 xtcp_seq_max(u32 a, u32 b)
{
	return xtcp_seq_leq(a, b) ? b : a;
}

/* The earlier of @a and @b (@a if they are exactly 2^31 apart). */
static inline u32 xtcp_seq_min(u32 a, u32 b)
{
	return xtcp_seq_geq(a, b) ? b : a;
}

/*
 * Segment acceptability test, RFC 9293 s.3.10.7.4 (first check for a
 * synchronized connection). @seg_len is SEG.LEN: payload bytes plus one for
 * SYN and one for FIN. @rcv_wnd is the window as offered to the peer.
 *
 *   SEG.LEN  RCV.WND  acceptable if
 *   0        0        SEG.SEQ = RCV.NXT
 *   0        >0       RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND
 *   >0       0        never
 *   >0       >0       some byte SEG.SEQ .. SEG.SEQ + SEG.LEN - 1 lies in
 *                     RCV.NXT .. RCV.NXT + RCV.WND - 1
 *
 * The RFC words the last row as "the first or the last byte is in the
 * window". Taken literally, that rejects a segment which starts before
 * RCV.NXT and ends beyond the right edge, although it carries RCV.NXT, the
 * very byte the receiver is waiting for: after the window shrank, such a
 * retransmission would be dropped forever. Like Linux, accept any overlap;
 * for every other segment the result is the RFC's.
 *
 * With a zero window nothing is acceptable, but the caller must still
 * process valid ACKs, URGs and RSTs of unacceptable segments (same
 * section); trimming an acceptable segment to the window is the caller's
 * job too. @seg_len and @rcv_wnd are assumed below 2^31.
 */
static inline bool xtcp_seq_acceptable(u32 seg_seq, u32 seg_len, u32 rcv_nxt,
				       u32 rcv_wnd)
{
	if (!rcv_wnd)
		return !seg_len && seg_seq == rcv_nxt;

	/* Either the first byte is in the window ... */
	if (seg_seq - rcv_nxt < rcv_wnd)
		return true;
	/* ... or the segment starts earlier and still carries RCV.NXT. */
	return rcv_nxt - seg_seq < seg_len;
}

#endif /* _NET_XTCP_SEQ_H */
