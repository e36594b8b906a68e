/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp TCP options codec: parse the options of a received segment and lay
 * out those of an outgoing one, as Linux 6.1 does (tcp_parse_options(),
 * tcp_syn_options(), tcp_synack_options(), tcp_established_options(),
 * tcp_options_write()).
 *
 * Pure code (see include/net/xtcp_cong.h): byte buffers in, structs out and
 * back; no socket, no skb, no sysctl. Deciding what to offer and what was
 * negotiated is the caller's job. Sequence numbers and timestamps are in
 * host order here and big-endian on the wire.
 */
#ifndef _NET_XTCP_OPTIONS_H
#define _NET_XTCP_OPTIONS_H

#include <linux/bits.h>
#include <linux/types.h>

/* Option kinds (RFC 9293 s.3.2, RFC 7323, RFC 2018), Linux's TCPOPT_*. */
#define XTCP_OPT_EOL		0
#define XTCP_OPT_NOP		1
#define XTCP_OPT_MSS		2
#define XTCP_OPT_WINDOW		3
#define XTCP_OPT_SACK_PERM	4
#define XTCP_OPT_SACK		5
#define XTCP_OPT_TIMESTAMP	8

/* Option lengths on the wire, kind and length bytes included (TCPOLEN_*). */
#define XTCP_OLEN_MSS		4
#define XTCP_OLEN_WINDOW	3
#define XTCP_OLEN_SACK_PERM	2
#define XTCP_OLEN_TIMESTAMP	10
#define XTCP_OLEN_SACK_BASE	2
#define XTCP_OLEN_SACK_PERBLOCK	8

/* What each option takes once padded to 32 bits, as Linux sends it. */
#define XTCP_OLEN_MSS_ALIGNED		4
#define XTCP_OLEN_TSTAMP_ALIGNED	12
#define XTCP_OLEN_WSCALE_ALIGNED	4
#define XTCP_OLEN_SACKPERM_ALIGNED	4
#define XTCP_OLEN_SACK_BASE_ALIGNED	4

/* Room for options in a TCP header (doff 15), Linux's MAX_TCP_OPTION_SPACE. */
#define XTCP_MAX_OPTION_SPACE	40
/* Largest window shift (RFC 7323 s.2.3), Linux's TCP_MAX_WSCALE. */
#define XTCP_MAX_WSCALE		14
/* SACK blocks one segment carries at most, Linux's TCP_NUM_SACKS. */
#define XTCP_NUM_SACKS		4

/* One SACK block (RFC 2018 s.3): [start_seq, end_seq), host order. */
struct xtcp_sack_block {
	u32 start_seq;
	u32 end_seq;
};

/**
 * struct xtcp_options_received - what the options of one segment said
 * @rcv_tsval:   TSval of the timestamp option, if @saw_tstamp.
 * @rcv_tsecr:   TSecr of the timestamp option, as on the wire (the caller
 *               removes its own timestamp offset), if @saw_tstamp.
 * @mss_clamp:   the peer's MSS option (SYN only); 0 if none or if it was 0.
 * @snd_wscale:  the peer's window shift (SYN only), clamped to
 *               XTCP_MAX_WSCALE; meaningful if @wscale_ok.
 * @num_sacks:   SACK blocks in @sack_blocks (non-SYN only), 0..4; non-zero
 *               exactly when a well-formed SACK option was seen.
 * @saw_tstamp:  a timestamp option was seen (any segment).
 * @tstamp_ok:   a SYN carried a timestamp option: the peer offers them.
 * @sack_ok:     a SYN carried SACK-permitted.
 * @wscale_ok:   a SYN carried a window-scale option.
 * @sack_blocks: the blocks of the last well-formed SACK option, in the
 *               order sent, host order, not checked against anything.
 *
 * Linux keeps these fields in struct tcp_options_received (except the
 * blocks, which tcp_sacktag_write_queue() reads from the skb).
 */
struct xtcp_options_received {
	u32 rcv_tsval;
	u32 rcv_tsecr;
	u16 mss_clamp;
	u8 snd_wscale;
	u8 num_sacks;
	bool saw_tstamp;
	bool tstamp_ok;
	bool sack_ok;
	bool wscale_ok;
	struct xtcp_sack_block sack_blocks[XTCP_NUM_SACKS];
};

/* Flags of struct xtcp_out_options.options, Linux's OPTION_* bits. */
#define XTCP_OPTION_SACK_ADVERTISE	BIT(0)
#define XTCP_OPTION_TS			BIT(1)
#define XTCP_OPTION_WSCALE		BIT(3)

/**
 * struct xtcp_out_options - the options to put on one outgoing segment
 * @options:         XTCP_OPTION_TS (timestamps), XTCP_OPTION_WSCALE
 *                   (window scale, SYN only), XTCP_OPTION_SACK_ADVERTISE
 *                   (SACK-permitted, SYN only).
 * @ws:              our window shift, 0..XTCP_MAX_WSCALE, if
 *                   XTCP_OPTION_WSCALE.
 * @num_sack_blocks: SACK blocks to send from @sack_blocks (non-SYN only).
 * @mss:             MSS option value (SYN only); 0 sends no MSS option.
 * @tsval:           TSval, if XTCP_OPTION_TS.
 * @tsecr:           TSecr, if XTCP_OPTION_TS.
 * @sack_blocks:     the blocks in the order to send them (a D-SACK block
 *                   first, RFC 2883 s.4), host order.
 *
 * Linux's struct tcp_out_options, with the blocks in it instead of in the
 * socket. Fill it, settle it with xtcp_syn_options(),
 * xtcp_synack_options() or xtcp_established_options() (which also size
 * it), then write it with xtcp_options_write().
 */
struct xtcp_out_options {
	u16 options;
	u8 ws;
	u8 num_sack_blocks;
	u16 mss;
	u32 tsval;
	u32 tsecr;
	struct xtcp_sack_block sack_blocks[XTCP_NUM_SACKS];
};

void xtcp_parse_options(const u8 *opt, unsigned int len, bool syn,
			struct xtcp_options_received *out);
unsigned int xtcp_options_size(const struct xtcp_out_options *opts);
unsigned int xtcp_syn_options(struct xtcp_out_options *opts);
unsigned int xtcp_synack_options(struct xtcp_out_options *opts);
unsigned int xtcp_established_options(struct xtcp_out_options *opts);
unsigned int xtcp_options_write(u8 *ptr, const struct xtcp_out_options *opts);

#endif /* _NET_XTCP_OPTIONS_H */
