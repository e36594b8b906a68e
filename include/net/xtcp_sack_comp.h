/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp: ACK compression for out-of-order data (SACK compression), the
 * decisions Linux 6.1 takes in __tcp_ack_snd_check(), tcp_event_ack_sent(),
 * tcp_compressed_ack_kick() and tcp_sack_compress_send_ack().
 *
 * Pure code (see include/net/xtcp_cong.h): no socket, no timer.  The
 * caller (delack.c) owns a struct xtcp_sack_comp per connection, asks
 * xtcp_sack_comp_hold() whether the ACK of an out-of-order segment may
 * wait, arms its own timer for xtcp_sack_comp_delay_ns(), and tells
 * xtcp_sack_comp_ack_sent() about every ACK that leaves, adding what it
 * returns to TcpExt TCPAckCompressed.  The caller serializes the calls
 * (the socket lock).
 */
#ifndef _NET_XTCP_SACK_COMP_H
#define _NET_XTCP_SACK_COMP_H

#include <linux/types.h>

/*
 * Immediate ACKs for one RCV.NXT before ACKs are held: the duplicates a
 * sender needs for fast retransmit (Linux's TCP_FASTRETRANS_THRESH as
 * __tcp_ack_snd_check() compares dup_ack_counter with it).
 */
#define XTCP_SACK_COMP_DUPACKS		3
/*
 * A segment that lands in a SACK block at this index or later (or makes
 * a new one with this many already there) sends the held ACK first:
 * Linux's TCP_SACK_BLOCKS_EXPECTED in tcp_sack_new_ofo_skb().
 */
#define XTCP_SACK_BLOCKS_EXPECTED	2

/**
 * struct xtcp_sack_comp - a receiver's compressed-ACK state
 * @rcv_nxt:  RCV.NXT the immediate ACKs were counted for (Linux's
 *            compressed_ack_rcv_nxt).
 * @held:     ACKs held since the last ACK left (compressed_ack).  Held
 *            ACKs arm the timer, but @held may be non-zero with it idle:
 *            its work left to release_sock(), an ACK its callback could
 *            not build (the delayed-ACK retry has it), or timers
 *            cleared on close.
 * @dup_acks: immediate ACKs sent for @rcv_nxt while out-of-order data was
 *            queued, at most XTCP_SACK_COMP_DUPACKS (dup_ack_counter).
 */
struct xtcp_sack_comp {
	u32 rcv_nxt;
	u8 held;
	u8 dup_acks;
};

bool xtcp_sack_comp_hold(struct xtcp_sack_comp *c, u32 rcv_nxt, u8 comp_nr);
u64 xtcp_sack_comp_delay_ns(u32 rcv_rtt_us8, u32 srtt_us8, u64 max_ns);
u32 xtcp_sack_comp_ack_sent(struct xtcp_sack_comp *c);

#endif /* _NET_XTCP_SACK_COMP_H */
