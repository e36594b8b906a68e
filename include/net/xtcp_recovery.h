/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp loss recovery, the pure parts: Proportional Rate Reduction
 * (RFC 6937), RACK (RFC 8985 s.6), the tail loss probe timeout (RFC 8985
 * s.7) and the validity of incoming SACK / D-SACK blocks (RFC 2018,
 * RFC 6675, RFC 2883), each as Linux 6.1 does it.
 *
 * Pure code (see include/net/xtcp_cong.h): the state structs are owned by
 * the caller, who passes in what the socket knows (sequence numbers,
 * counters, times) and acts on what comes back; nothing here reads a
 * clock, walks a queue or arms a timer. The caller serializes calls (the
 * socket lock). Also built by selftests/host.
 *
 * One header for the four, rather than one each: they are all consulted
 * from the same ACK-processing path (Linux's tcp_ack() / tcp_sacktag_*() /
 * tcp_fastretrans_alert()), share its vocabulary (SND.UNA, undo_marker,
 * delivered counts) and are small; splitting them would give four headers
 * that every user includes together.
 *
 * Units: windows, flights and delivery counts in segments (like snd_cwnd
 * and packets_out); times in microseconds, absolute times being u64 from
 * any free-running clock (Linux's tcp_mstamp / skb timestamps); sequence
 * numbers compared with include/net/xtcp_seq.h.
 */
#ifndef _NET_XTCP_RECOVERY_H
#define _NET_XTCP_RECOVERY_H

#include <linux/types.h>
#include <net/xtcp_options.h>	/* struct xtcp_sack_block */
#include <net/xtcp_seq.h>

/* ---- Proportional Rate Reduction (RFC 6937 s.3) ---- */

/**
 * struct xtcp_prr - PRR state of one cwnd reduction (Recovery or CWR)
 * @prior_cwnd:    cwnd when the reduction began, segments: Linux's
 *                 prior_cwnd, standing in for RFC 6937's RecoverFS.
 * @prr_delivered: segments delivered (cumulatively ACKed or SACKed) since
 *                 the reduction began.
 * @prr_out:       segments sent (new or retransmitted) since then; the
 *                 caller adds to it with xtcp_prr_sent() on every
 *                 transmission while the reduction lasts.
 */
struct xtcp_prr {
	u32 prior_cwnd;
	u32 prr_delivered;
	u32 prr_out;
};

void xtcp_prr_init(struct xtcp_prr *prr, u32 cwnd);
u32 xtcp_prr_cwnd(struct xtcp_prr *prr, u32 cwnd, u32 ssthresh,
		  u32 in_flight, u32 newly_acked_sacked, bool snd_una_advanced,
		  u32 newly_lost);

/* @segs segments were (re)transmitted during the reduction (prr_out). */
static inline void xtcp_prr_sent(struct xtcp_prr *prr, u32 segs)
{
	prr->prr_out += segs;
}

/* ---- RACK (RFC 8985 s.6) ---- */

/* Bits of net.xtcp.tcp_recovery, Linux's TCP_RACK_* (tcp_recovery). */
#define XTCP_RACK_LOSS_DETECTION	0x1	/* detect losses by RACK */
#define XTCP_RACK_STATIC_REO_WND	0x2	/* no D-SACK adaptation */
#define XTCP_RACK_NO_DUPTHRESH		0x4	/* keep reo_wnd at dupthresh */
/* Recoveries a widened reo_wnd outlives (Linux's TCP_RACK_RECOVERY_THRESH). */
#define XTCP_RACK_RECOVERY_THRESH	16
/* Largest reo_wnd_steps (it is a u8 in Linux too). */
#define XTCP_RACK_MAX_STEPS		255
/* Slack added to every RACK reorder timeout (Linux's TCP_TIMEOUT_MIN_US). */
#define XTCP_TIMEOUT_MIN_US		2000U

/**
 * struct xtcp_rack - RACK state of a connection (Linux's tp->rack)
 * @mstamp:          send time (us) of the most recently sent segment among
 *                   those delivered so far: RFC 8985's RACK.xmit_ts.
 * @rtt_us:          RTT of that delivery, us: RACK.rtt.
 * @end_seq:         end sequence number of that segment: RACK.end_seq.
 * @last_delivered:  the delivered count when @reo_wnd_steps last grew
 *                   (at most one growth per round trip).
 * @reo_wnd_steps:   the reordering window in units of min_rtt / 4,
 *                   1 .. XTCP_RACK_MAX_STEPS: RACK.reo_wnd_mult.
 * @reo_wnd_persist: recoveries left before @reo_wnd_steps falls back to 1:
 *                   RACK.reo_wnd_persist.
 * @dsack_seen:      a D-SACK arrived that may come from a retransmission
 *                   RACK made too early: RACK.dsack_round pending.
 * @advanced:        @mstamp / @rtt_us moved since the last loss detection:
 *                   the caller clears it when it runs the detection.
 */
struct xtcp_rack {
	u64 mstamp;
	u32 rtt_us;
	u32 end_seq;
	u32 last_delivered;
	u8 reo_wnd_steps;
	u8 reo_wnd_persist;
	bool dsack_seen;
	bool advanced;
};

/**
 * enum xtcp_rack_verdict - what RACK says about one unacknowledged segment
 * @XTCP_RACK_NOT_BEFORE: not sent before the most recently delivered
 *                        segment; in a walk in send-time order every later
 *                        segment is not either, so the walk stops.
 * @XTCP_RACK_LOST:       sent earlier and its time ran out: mark it lost.
 * @XTCP_RACK_WAIT:       sent earlier but still within RACK.rtt +
 *                        reo_wnd: the reorder timer must cover it.
 */
enum xtcp_rack_verdict {
	XTCP_RACK_NOT_BEFORE,
	XTCP_RACK_LOST,
	XTCP_RACK_WAIT,
};

/*
 * Linux's tcp_skb_sent_after(): was (t1, seq1) sent after (t2, seq2)? Equal
 * times (segments sent in one burst, or one clock tick) are ordered by
 * end sequence number (RFC 8985 s.6.2 step 3, RACK_sent_after()).
 */
static inline bool xtcp_rack_sent_after(u64 t1, u64 t2, u32 seq1, u32 seq2)
{
	return t1 > t2 || (t1 == t2 && xtcp_seq_after(seq1, seq2));
}

void xtcp_rack_init(struct xtcp_rack *rack);
void xtcp_rack_advance(struct xtcp_rack *rack, bool retrans, u32 end_seq,
		       u64 xmit_us, u64 now_us, u32 min_rtt_us);
bool xtcp_skb_spurious_retrans(bool retrans, u32 ecr, u32 sent_ts);
u32 xtcp_rack_reo_wnd(const struct xtcp_rack *rack, u32 recovery,
		      u32 min_rtt_us, u32 srtt_us, bool reord_seen,
		      bool in_recovery, u32 sacked_out, u32 reordering);
s32 xtcp_rack_skb_timeout(const struct xtcp_rack *rack, u64 xmit_us,
			  u64 now_us, u32 reo_wnd_us);
enum xtcp_rack_verdict xtcp_rack_skb_verdict(const struct xtcp_rack *rack,
					     u64 xmit_us, u32 end_seq,
					     u64 now_us, u32 reo_wnd_us,
					     u32 *remaining_us);
u32 xtcp_rack_reo_timer_us(u32 max_remaining_us, u32 rto_us);
void xtcp_rack_dsack_seen(struct xtcp_rack *rack, bool reord_seen,
			  bool dsack_tlp);
void xtcp_rack_update_reo_wnd(struct xtcp_rack *rack, u32 recovery,
			      u32 prior_delivered, u32 delivered);
void xtcp_rack_dsack_undo(struct xtcp_rack *rack);
u32 xtcp_sack_reordering(u32 fack, u32 low_seq, u32 mss, u32 reordering,
			 u32 max_reordering);
void xtcp_rack_recovery_end(struct xtcp_rack *rack, bool undone);

/* ---- Undo of spurious cwnd reductions (RFC 2883 s.5, RFC 3522) ---- */

int xtcp_init_undo_retrans(u32 retrans_out, bool tlp_retrans_out);
int xtcp_undo_retrans_dsacked(int undo_retrans, u32 segs);
bool xtcp_packet_delayed(u32 retrans_stamp, u32 ecr, bool sack,
			 bool una_at_high_seq);
bool xtcp_may_undo(u32 undo_marker, int undo_retrans, bool delayed);
u32 xtcp_current_ssthresh(u32 ssthresh, u32 cwnd, bool in_reduction);
u32 xtcp_undo_ssthresh(u32 ssthresh, u32 prior_ssthresh);
bool xtcp_loss_reduces_ssthresh(bool open, bool in_loss, bool first_timeout,
				u32 high_seq, u32 snd_una);
u32 xtcp_dsack_skb_segs(u32 undo_marker, bool retrans, u32 seq, u32 end_seq,
			u32 start, u32 end, u32 mss, u32 pcount);

/* ---- Duplicate ACKs counted as SACKs without SACK (RFC 6582) ---- */

bool xtcp_reno_limit_sacked(u32 *sacked_out, u32 lost_out, u32 packets_out);
u32 xtcp_reno_acked(u32 *sacked_out, u32 acked);

/* ---- Tail loss probe timeout (RFC 8985 s.7.2) ---- */

/* PTO before any RTT sample (Linux's TCP_TIMEOUT_INIT, 1 s). */
#define XTCP_TLP_PTO_NO_RTT_US		1000000U

/**
 * enum xtcp_tlp_ack_verdict - what an ACK says about the outstanding probe
 * @XTCP_TLP_PENDING: nothing decided yet; keep tlp_high_seq.
 * @XTCP_TLP_NO_LOSS: the probe showed no loss (or probed new data that
 *                    is now ACKed): clear tlp_high_seq, cwnd untouched.
 * @XTCP_TLP_LOSS:    the probe repaired a loss: reduce cwnd once, as a
 *                    CWR episode begun and ended at once, which also
 *                    clears tlp_high_seq.
 */
enum xtcp_tlp_ack_verdict {
	XTCP_TLP_PENDING,
	XTCP_TLP_NO_LOSS,
	XTCP_TLP_LOSS,
};

bool xtcp_tlp_may_schedule(int early_retrans, u32 packets_out, bool sack,
			   bool open_or_cwr);
u32 xtcp_tlp_pto_us(u32 srtt_us, u32 packets_out, u32 rto_min_us,
		    s64 rto_left_us);
u32 xtcp_tlp_probe_split(u32 len, u32 pcount, u32 mss);
u32 xtcp_rtx_wnd_len(u32 seq, u32 snd_una, u32 wnd_end, u32 mss, u32 len);
enum xtcp_tlp_ack_verdict xtcp_tlp_ack(u32 ack, u32 tlp_high_seq,
				       bool tlp_retrans, bool dsack_tlp,
				       bool pure_dupack);
s64 xtcp_rto_left_us(u32 rto_us, u64 sent_us, u64 now_us);

/* ---- Validity of received SACK and D-SACK blocks ---- */

/**
 * struct xtcp_sack_ctx - what the sender knows when an ACK's SACK blocks
 *                        are checked (Linux reads these from tcp_sock)
 * @snd_una:       SND.UNA, already moved to this ACK's cumulative ACK if
 *                 that advanced it (Linux updates it before tagging).
 * @prior_snd_una: SND.UNA before this ACK.
 * @snd_nxt:       SND.NXT.
 * @undo_marker:   SND.UNA when the current recovery began, 0 when there is
 *                 nothing to undo (Linux's convention: a real marker of 0
 *                 reads as none).
 * @max_window:    largest window the peer ever advertised, bytes.
 * @mss:           current sender MSS, bytes (Linux's mss_cache).
 * @tlp_high_seq:  SND.NXT when the pending tail loss probe was sent, 0 if
 *                 none.
 * @total_retrans: segments retransmitted over the connection's life.
 * @ack_seq:       this ACK's cumulative acknowledgment number.
 */
struct xtcp_sack_ctx {
	u32 snd_una;
	u32 prior_snd_una;
	u32 snd_nxt;
	u32 undo_marker;
	u32 max_window;
	u32 mss;
	u32 tlp_high_seq;
	u32 total_retrans;
	u32 ack_seq;
};

/**
 * enum xtcp_sack_verdict - what to do with one received SACK block
 * @XTCP_SACK_VALID:        a SACK block inside SND.UNA..SND.NXT: tag the
 *                          retransmission queue with it.
 * @XTCP_SACK_DSACK:        the first block, a D-SACK (RFC 2883) in the
 *                          range worth looking at: tag it as duplicate.
 * @XTCP_SACK_OLD:          nothing in it above the previous SND.UNA, and
 *                          no sign of a bad receiver (e.g. an ACK that
 *                          arrived reordered): skip it quietly.
 * @XTCP_SACK_DISCARD:      an invalid SACK block: skip it, count it
 *                          (Linux's LINUX_MIB_TCPSACKDISCARD).
 * @XTCP_SACK_DSACK_NOUNDO: a D-SACK with no recovery to undo: skip it,
 *                          count it (LINUX_MIB_TCPDSACKIGNOREDNOUNDO).
 * @XTCP_SACK_DSACK_OLD:    a D-SACK too old or out of range: skip it,
 *                          count it (LINUX_MIB_TCPDSACKIGNOREDOLD).
 */
enum xtcp_sack_verdict {
	XTCP_SACK_VALID,
	XTCP_SACK_DSACK,
	XTCP_SACK_OLD,
	XTCP_SACK_DISCARD,
	XTCP_SACK_DSACK_NOUNDO,
	XTCP_SACK_DSACK_OLD,
};

bool xtcp_sackblock_valid(const struct xtcp_sack_ctx *c, bool is_dsack,
			  u32 start_seq, u32 end_seq);
bool xtcp_sack_first_is_dsack(const struct xtcp_sack_block *sp,
			      unsigned int num_sacks, u32 ack_seq);
u32 xtcp_dsack_seen(const struct xtcp_sack_ctx *c, u32 start_seq,
		    u32 end_seq, u32 *dsack_dups, bool *dsack_tlp);
bool xtcp_dsack_forgotten(const struct xtcp_sack_ctx *c, u32 end_seq);
bool xtcp_sack_ack_too_old(const struct xtcp_sack_ctx *c);
enum xtcp_sack_verdict xtcp_sack_classify(const struct xtcp_sack_ctx *c,
					  const struct xtcp_sack_block *b,
					  bool is_dsack);

/* Ranges one ACK may leave to tag: its blocks less the previous ACK's. */
#define XTCP_SACK_MAX_RANGES	(2 * XTCP_NUM_SACKS + 1)

unsigned int xtcp_sack_uncached(const struct xtcp_sack_block *cache,
				unsigned int ncache, u32 start, u32 end,
				struct xtcp_sack_block *r, unsigned int n,
				unsigned int max);

#endif /* _NET_XTCP_RECOVERY_H */
