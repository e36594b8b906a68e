/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp data receiver's SACK and D-SACK blocks (RFC 2018 s.4, RFC 2883),
 * kept as Linux 6.1 keeps tp->selective_acks[] and tp->duplicate_sack[].
 *
 * Pure code (see include/net/xtcp_cong.h): struct xtcp_sack_rcv is owned
 * by the caller, who tells it which data segments arrived and where
 * RCV.NXT moved, and asks it what to put in the next ACK's SACK option.
 * It holds no data and never sees the out-of-order queue: the blocks are
 * what the receiver reports, not what it holds (Linux's are the same).
 *
 * The caller uses it only on connections that negotiated SACK (Linux's
 * tcp_is_sack()); the caller serializes calls (the socket lock).
 *
 * Blocks are [start_seq, end_seq) in sequence space, compared with the
 * wraparound rules of include/net/xtcp_seq.h. They stay pairwise disjoint
 * and never touch, none starts at or below RCV.NXT once xtcp_sack_remove()
 * has been told where RCV.NXT is, and they are ordered by when they last
 * changed, most recent first: the block holding the segment that triggered
 * an ACK comes first, as RFC 2018 s.4 asks. At most XTCP_NUM_SACKS are
 * kept; a fifth forgets the oldest, as Linux does, so once more than four
 * holes are open a block may be reported shorter than the data held.
 */
#ifndef _NET_XTCP_SACK_RCV_H
#define _NET_XTCP_SACK_RCV_H

#include <linux/types.h>
#include <net/xtcp_options.h>	/* XTCP_NUM_SACKS, struct xtcp_sack_block */

/**
 * struct xtcp_sack_rcv - the blocks a data receiver reports
 * @duplicate_sack: the D-SACK block (RFC 2883 s.4): the first contiguous
 *                  run of duplicate data in the last data segment;
 *                  meaningful while @dsack is set.
 * @selective_acks: the SACK blocks, most recently changed first.
 * @num_sacks:      valid entries of @selective_acks, 0..XTCP_NUM_SACKS.
 * @dsack:          @duplicate_sack waits to be sent, first, in the next
 *                  SACK option (Linux's rx_opt.dsack).
 * @dsack_enabled:  report duplicates at all (for net.xtcp.tcp_dsack,
 *                  Linux's tcp_dsack); the caller may change it at any
 *                  time.
 */
struct xtcp_sack_rcv {
	struct xtcp_sack_block duplicate_sack;
	struct xtcp_sack_block selective_acks[XTCP_NUM_SACKS];
	u8 num_sacks;
	bool dsack;
	bool dsack_enabled;
};

void xtcp_sack_rcv_init(struct xtcp_sack_rcv *s, bool dsack_enabled);
void xtcp_sack_reset(struct xtcp_sack_rcv *s);
void xtcp_sack_new_ofo(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq);
void xtcp_sack_remove(struct xtcp_sack_rcv *s, u32 rcv_nxt);
void xtcp_dsack_set(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq);
void xtcp_dsack_extend(struct xtcp_sack_rcv *s, u32 seq, u32 end_seq);
void xtcp_sack_rcv_data(struct xtcp_sack_rcv *s, u32 rcv_nxt, u32 seq,
			u32 end_seq);
bool xtcp_sack_rcv_dup(struct xtcp_sack_rcv *s, u32 rcv_nxt, u32 seq,
		       u32 end_seq);
unsigned int xtcp_sack_ofo_extend(struct xtcp_sack_rcv *s, u32 seq,
				  u32 end_seq);
unsigned int xtcp_sack_rcv_count(const struct xtcp_sack_rcv *s,
				 unsigned int max);
unsigned int xtcp_sack_rcv_write(struct xtcp_sack_rcv *s,
				 struct xtcp_sack_block *out,
				 unsigned int max);

#endif /* _NET_XTCP_SACK_RCV_H */
