// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp loss recovery, the pure parts: PRR (RFC 6937), RACK (RFC 8985 s.6),
 * undo (RFC 2883 s.5, RFC 3522), the TLP timeout (RFC 8985 s.7.2) and
 * SACK / D-SACK block validity (RFC 2018, RFC 6675, RFC 2883), with Linux
 * 6.1's choices where it departs from or adds to the RFCs (tcp_input.c,
 * tcp_recovery.c, tcp_output.c).
 *
 * Pure code (see include/net/xtcp_recovery.h): also built by
 * selftests/host; the socket code (input.c, output.c, sacktag.c) calls it.
 */
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/types.h>
#include <net/xtcp_recovery.h>
#include <net/xtcp_seq.h>

/* ---- Proportional Rate Reduction ---- */

/**
 * xtcp_prr_init() - start a cwnd reduction (Recovery or CWR)
 * @prr:  PRR state to (re)initialize.
 * @cwnd: cwnd just before the reduction, segments; must be at least 1.
 *
 * RFC 6937 s.3 "at the beginning of recovery", with Linux's
 * tcp_init_cwnd_reduction() choice of the cwnd in place of RecoverFS
 * (the flight at the start): prr_delivered = prr_out = 0. The rest of that
 * Linux function (ssthresh from the congestion control, high_seq,
 * tlp_high_seq, snd_cwnd_cnt, queueing CWR) is the caller's job.
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_prr_init(struct xtcp_prr *prr, u32 cwnd)
{
	*prr = (struct xtcp_prr){ .prior_cwnd = cwnd };
}

/**
 * xtcp_prr_cwnd() - cwnd after one ACK during a cwnd reduction
 * @prr:                PRR state from xtcp_prr_init(); prr_delivered grows.
 * @cwnd:               current cwnd, segments; returned as is when this
 *                      ACK delivered nothing.
 * @ssthresh:           the reduction's target, segments.
 * @in_flight:          segments in flight after this ACK was processed
 *                      (RFC 6675's pipe, Linux's tcp_packets_in_flight()).
 * @newly_acked_sacked: segments this ACK newly delivered, cumulatively or
 *                      by SACK (RFC 6937's DeliveredData in segments).
 * @snd_una_advanced:   this ACK advanced SND.UNA (Linux's
 *                      FLAG_SND_UNA_ADVANCED).
 * @newly_lost:         segments marked lost while this ACK was processed
 *                      (Linux's rs->losses, the growth of tp->lost).
 *
 * RFC 6937 s.3 per ACK, as Linux's tcp_cwnd_reduction(). While more than
 * @ssthresh is in flight, sending follows delivery in the proportion
 * ssthresh / prior_cwnd, rounded up:
 *   sndcnt = ceil(prr_delivered * ssthresh / prior_cwnd) - prr_out.
 * Once the flight is at or below @ssthresh, sndcnt catches up towards it,
 * bounded by max(prr_delivered - prr_out, newly_acked_sacked), plus one
 * (RFC 6937's slow-start reduction bound, PRR-SSRB) when the ACK advanced
 * SND.UNA and nothing was newly marked lost: Linux's choice between the
 * two bounds of RFC 6937 s.3. RFC 6937's PRR-CRB bound is
 * prr_delivered - prr_out alone; Linux never sends less than this ACK
 * delivered (packet
 * conservation), which differs only after an earlier ACK sent more than
 * it delivered (an SSRB step, or the forced first retransmission). Last,
 * as Linux does, nothing sent yet means at least one segment may go (the
 * fast retransmission on entering recovery).
 *
 * Return: the new cwnd, @in_flight + sndcnt segments (sndcnt >= 0).
 * Context: any; the caller serializes (socket lock).
 */
u32 xtcp_prr_cwnd(struct xtcp_prr *prr, u32 cwnd, u32 ssthresh,
		  u32 in_flight, u32 newly_acked_sacked, bool snd_una_advanced,
		  u32 newly_lost)
{
	s64 sndcnt, limit;
	s64 floor = prr->prr_out ? 0 : 1;
	u64 cwnd_new;

	/* Linux warns on a zero prior_cwnd: init was skipped. */
	if (!newly_acked_sacked || !prr->prior_cwnd)
		return cwnd;

	prr->prr_delivered += newly_acked_sacked;
	if (in_flight > ssthresh) {
		/* Proportional part; the product fits in 64 bits. */
		sndcnt = div_u64((u64)ssthresh * prr->prr_delivered +
				 prr->prior_cwnd - 1, prr->prior_cwnd);
		sndcnt -= prr->prr_out;
	} else {
		limit = (s64)prr->prr_delivered - prr->prr_out;
		if (limit < newly_acked_sacked)
			limit = newly_acked_sacked;
		if (snd_una_advanced && !newly_lost)
			limit++;
		sndcnt = ssthresh - in_flight;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	if (sndcnt < floor)
		sndcnt = floor;

	cwnd_new = (u64)in_flight + sndcnt;
	return cwnd_new > U32_MAX ? U32_MAX : (u32)cwnd_new;
}

/* ---- RACK ---- */

/**
 * xtcp_rack_init() - RACK state of a new (or disconnected) connection
 * @rack: state to initialize.
 *
 * Nothing delivered yet, reordering window one step of min_rtt / 4, as
 * Linux's tcp_init_sock() and tcp_disconnect() set tp->rack (RFC 8985
 * s.6.1: RACK.reo_wnd_mult = 1, RACK.reo_wnd_persist = 0).
 *
 * Context: any.
 */
void xtcp_rack_init(struct xtcp_rack *rack)
{
	*rack = (struct xtcp_rack){ .reo_wnd_steps = 1 };
}

/**
 * xtcp_rack_advance() - a segment was delivered (cumulatively ACKed or
 *                       SACKed for the first time)
 * @rack:       RACK state.
 * @retrans:    the segment has been retransmitted (Linux's TCPCB_RETRANS:
 *              once retransmitted, still set after a later one).
 * @end_seq:    its end sequence number.
 * @xmit_us:    when it was last sent, us.
 * @now_us:     now, us (the ACK's arrival, Linux's tcp_mstamp).
 * @min_rtt_us: the connection's minimum RTT, us; U32_MAX before any.
 *
 * RFC 8985 s.6.2 steps 2 and 3 as Linux's tcp_rack_advance(): the RTT of
 * this delivery is now - xmit (0 if the clock went backwards). For a
 * retransmitted segment, an RTT below min_rtt says the ACK was for an
 * earlier transmission, so the sample is ambiguous and ignored (Linux has
 * no timestamp test here; with no min_rtt yet every retransmitted sample
 * is ignored). Otherwise RACK.rtt takes it, @rack->advanced is set, and
 * the segment becomes RACK's reference if it was sent after the current
 * one (xtcp_rack_sent_after()).
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_rack_advance(struct xtcp_rack *rack, bool retrans, u32 end_seq,
		       u64 xmit_us, u64 now_us, u32 min_rtt_us)
{
	u64 delta = now_us > xmit_us ? now_us - xmit_us : 0;
	u32 rtt_us = delta > U32_MAX ? U32_MAX : (u32)delta;

	if (retrans && rtt_us < min_rtt_us)
		return;
	rack->advanced = true;
	rack->rtt_us = rtt_us;
	if (xtcp_rack_sent_after(xmit_us, rack->mstamp, end_seq,
				 rack->end_seq)) {
		rack->mstamp = xmit_us;
		rack->end_seq = end_seq;
	}
}

/**
 * xtcp_skb_spurious_retrans() - was a retransmitted segment acknowledged
 *                               for an earlier transmission
 * @retrans: the segment was ever retransmitted (Linux's TCPCB_RETRANS).
 * @ecr:     the ACK's TSecr on our timestamp clock, ms (offset removed),
 *           0 when the ACK has none or echoes 0.
 * @sent_ts: when the segment was last sent, on the same clock, ms.
 *
 * Linux's tcp_skb_spurious_retrans() with tcp_tsopt_ecr_before(): an
 * echo older than the last transmission was sent by the receiver for an
 * earlier one (RFC 3522), so the cumulative ACK says nothing of the last
 * transmission, and RACK must not take its send time and RTT
 * (tcp_clean_rtx_queue() then skips tcp_rack_advance()): the RACK
 * reference would jump to a spurious retransmission sent a moment ago,
 * and with RACK.rtt that short every segment sent before it would be
 * deemed lost.
 *
 * Return: true if the ACK is for an earlier transmission.
 * Context: any.
 */
bool xtcp_skb_spurious_retrans(bool retrans, u32 ecr, u32 sent_ts)
{
	return retrans && ecr && xtcp_seq_before(ecr, sent_ts);
}

/**
 * xtcp_rack_reo_wnd() - the reordering window now
 * @rack:        RACK state (reo_wnd_steps).
 * @recovery:    net.xtcp.tcp_recovery, XTCP_RACK_* bits.
 * @min_rtt_us:  minimum RTT, us (U32_MAX before any sample).
 * @srtt_us:     smoothed RTT, us (whole us, not Linux's srtt_us << 3).
 * @reord_seen:  reordering has been observed on the connection (Linux's
 *               tp->reord_seen != 0).
 * @in_recovery: in fast recovery or after an RTO (Linux's ca_state >=
 *               TCP_CA_Recovery).
 * @sacked_out:  segments SACKed.
 * @reordering:  the duplicate threshold in segments (Linux's
 *               tp->reordering, net.xtcp.tcp_reordering at first).
 *
 * RFC 8985 s.6.2 step 4 as Linux's tcp_rack_reo_wnd(). Before any
 * reordering has been seen, RACK is as aggressive as the duplicate
 * threshold: 0 during a recovery, and 0 once @reordering segments are
 * SACKed unless XTCP_RACK_NO_DUPTHRESH. Otherwise reo_wnd_steps quarters
 * of min_rtt, at most srtt. Computed in 64 bits, so unlike Linux's u32
 * product it does not wrap for min_rtt above about a minute.
 *
 * Return: the reordering window, us.
 * Context: any.
 */
u32 xtcp_rack_reo_wnd(const struct xtcp_rack *rack, u32 recovery,
		      u32 min_rtt_us, u32 srtt_us, bool reord_seen,
		      bool in_recovery, u32 sacked_out, u32 reordering)
{
	u64 wnd;

	if (!reord_seen) {
		if (in_recovery)
			return 0;
		if (sacked_out >= reordering &&
		    !(recovery & XTCP_RACK_NO_DUPTHRESH))
			return 0;
	}
	wnd = (u64)(min_rtt_us >> 2) * rack->reo_wnd_steps;
	return wnd < srtt_us ? (u32)wnd : srtt_us;
}

/**
 * xtcp_rack_skb_timeout() - how long a segment has left before RACK
 *                           deems it lost
 * @rack:       RACK state (rtt_us).
 * @xmit_us:    when the segment was last sent, us.
 * @now_us:     now, us.
 * @reo_wnd_us: the reordering window from xtcp_rack_reo_wnd(), us.
 *
 * RFC 8985 s.6.2 step 5 as Linux's tcp_rack_skb_timeout():
 * RACK.rtt + reo_wnd - (now - xmit), the elapsed time counting 0 if the
 * clock went backwards; saturated to the s32 range.
 *
 * Return: us left; 0 or less means lost.
 * Context: any.
 */
s32 xtcp_rack_skb_timeout(const struct xtcp_rack *rack, u64 xmit_us,
			  u64 now_us, u32 reo_wnd_us)
{
	u64 elapsed = now_us > xmit_us ? now_us - xmit_us : 0;
	s64 left;

	/* rtt_us + reo_wnd_us >= 0, so left stays >= -INT_MAX. */
	if (elapsed > INT_MAX)
		elapsed = INT_MAX;
	left = (s64)rack->rtt_us + reo_wnd_us - (s64)elapsed;
	return left > INT_MAX ? INT_MAX : (s32)left;
}

/**
 * xtcp_rack_skb_verdict() - RACK's decision on one unacknowledged segment
 * @rack:         RACK state.
 * @xmit_us:      when the segment was last sent, us.
 * @end_seq:      its end sequence number.
 * @now_us:       now, us.
 * @reo_wnd_us:   xtcp_rack_reo_wnd(), computed once per walk.
 * @remaining_us: out: for XTCP_RACK_WAIT the us left (> 0), else 0.
 *
 * The body of RFC 8985 s.6.2 step 5's loop, as Linux's
 * tcp_rack_detect_loss(): a segment not sent before RACK's reference
 * segment ends the walk (the caller walks in send-time order); otherwise
 * it is lost once xtcp_rack_skb_timeout() reaches 0, or the reorder timer
 * must wait for it. The caller skips segments already marked lost and not
 * retransmitted since (Linux's first test), and arms the timer with
 * xtcp_rack_reo_timer_us() of the largest @remaining_us.
 *
 * Return: the verdict.
 * Context: any.
 */
enum xtcp_rack_verdict xtcp_rack_skb_verdict(const struct xtcp_rack *rack,
					     u64 xmit_us, u32 end_seq,
					     u64 now_us, u32 reo_wnd_us,
					     u32 *remaining_us)
{
	s32 left;

	*remaining_us = 0;
	if (!xtcp_rack_sent_after(rack->mstamp, xmit_us, rack->end_seq,
				  end_seq))
		return XTCP_RACK_NOT_BEFORE;
	left = xtcp_rack_skb_timeout(rack, xmit_us, now_us, reo_wnd_us);
	if (left <= 0)
		return XTCP_RACK_LOST;
	*remaining_us = left;
	return XTCP_RACK_WAIT;
}

/**
 * xtcp_rack_reo_timer_us() - when the RACK reorder timer fires
 * @max_remaining_us: the largest @remaining_us of a detection walk; 0
 *                    means no segment waits and no timer is armed.
 * @rto_us:           the current RTO, us.
 *
 * Linux's tcp_rack_mark_lost(): the wait plus XTCP_TIMEOUT_MIN_US of
 * slack, and never later than one RTO from now (inet_csk_reset_xmit_timer()
 * clamps to icsk_rto). RFC 8985 s.6.3 arms it at the same wait.
 *
 * Return: the timeout from now, us, or 0 for "do not arm".
 * Context: any.
 */
u32 xtcp_rack_reo_timer_us(u32 max_remaining_us, u32 rto_us)
{
	u64 t = (u64)max_remaining_us + XTCP_TIMEOUT_MIN_US;

	if (!max_remaining_us)
		return 0;
	return t > rto_us ? rto_us : (u32)t;
}

/**
 * xtcp_rack_dsack_seen() - an accepted D-SACK arrived
 * @rack:       RACK state.
 * @reord_seen: reordering has been observed on the connection.
 * @dsack_tlp:  the D-SACK reports the tail loss probe (xtcp_dsack_seen()).
 *
 * Linux's tcp_dsack_seen(): the D-SACK may mean RACK retransmitted too
 * early, so the window should grow at the next xtcp_rack_update_reo_wnd();
 * not without reordering seen, and not for a TLP duplicate (the probe was
 * timer-driven, not RACK's doing). RFC 8985 s.6.2 step 4's
 * RACK.dsack_round.
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_rack_dsack_seen(struct xtcp_rack *rack, bool reord_seen,
			  bool dsack_tlp)
{
	if (reord_seen && !dsack_tlp)
		rack->dsack_seen = true;
}

/**
 * xtcp_rack_update_reo_wnd() - adapt the reordering window after an ACK
 * @rack:            RACK state.
 * @recovery:        net.xtcp.tcp_recovery, XTCP_RACK_* bits.
 * @prior_delivered: the delivered count when the newest segment this ACK
 *                   delivered was sent (Linux's rs->prior_delivered), 0
 *                   when the ACK delivered nothing.
 * @delivered:       the delivered count now (Linux's tp->delivered).
 *
 * Linux's tcp_rack_update_reo_wnd() (RFC 8985 s.6.2 step 4). Nothing with
 * XTCP_RACK_STATIC_REO_WND or when nothing was delivered. A pending
 * D-SACK is dropped if the delivery it came with was sent before the
 * window last grew (the window grows at most once a round trip);
 * otherwise it adds a step (at most XTCP_RACK_MAX_STEPS), records
 * @delivered and makes the width persist for XTCP_RACK_RECOVERY_THRESH
 * recoveries. Without a D-SACK, once the persistence has run out the
 * window returns to one step. Delivered counts wrap, compared as
 * sequence numbers as Linux does.
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_rack_update_reo_wnd(struct xtcp_rack *rack, u32 recovery,
			      u32 prior_delivered, u32 delivered)
{
	if ((recovery & XTCP_RACK_STATIC_REO_WND) || !prior_delivered)
		return;

	if (xtcp_seq_before(prior_delivered, rack->last_delivered))
		rack->dsack_seen = false;

	if (rack->dsack_seen) {
		if (rack->reo_wnd_steps < XTCP_RACK_MAX_STEPS)
			rack->reo_wnd_steps++;
		rack->dsack_seen = false;
		rack->last_delivered = delivered;
		rack->reo_wnd_persist = XTCP_RACK_RECOVERY_THRESH;
	} else if (!rack->reo_wnd_persist) {
		rack->reo_wnd_steps = 1;
	}
}

/**
 * xtcp_sack_reordering() - the duplicate threshold after a late delivery
 * @fack:           the highest SACKed sequence (tcp_highest_sack_seq()).
 * @low_seq:        the lowest sequence number of never-retransmitted data
 *                  delivered late (SACKed or cumulatively ACKed after
 *                  data above it was SACKed).
 * @mss:            current MSS, bytes.
 * @reordering:     the duplicate threshold now, segments (tp->reordering).
 * @max_reordering: net.xtcp.tcp_max_reordering.
 *
 * Linux's tcp_check_sack_reordering(): data never resent that arrives
 * after data above it is reordering, not loss, and the distance from it
 * to the highest SACKed sequence, in whole segments rounded up, becomes
 * the threshold when that is more than the current one, at most
 * @max_reordering. Nothing below @fack means no reordering.
 *
 * Return: 0 if this is no reordering, else the new threshold (possibly
 * unchanged); the caller counts the event (reord_seen).
 * Context: any.
 */
u32 xtcp_sack_reordering(u32 fack, u32 low_seq, u32 mss, u32 reordering,
			 u32 max_reordering)
{
	u32 metric, segs;

	if (!xtcp_seq_before(low_seq, fack))
		return 0;
	metric = fack - low_seq;
	if (!mss || (u64)metric <= (u64)reordering * mss)
		return reordering;
	segs = metric / mss + (metric % mss != 0);
	return segs < max_reordering ? segs : max_reordering;
}

/**
 * xtcp_rack_dsack_undo() - a recovery was undone because D-SACKs showed
 *                          every retransmission was spurious
 * @rack: RACK state.
 *
 * Linux's tcp_try_undo_dsack(): the current window persists one recovery
 * longer, up to XTCP_RACK_RECOVERY_THRESH.
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_rack_dsack_undo(struct xtcp_rack *rack)
{
	if (rack->reo_wnd_persist < XTCP_RACK_RECOVERY_THRESH)
		rack->reo_wnd_persist++;
}

/**
 * xtcp_rack_recovery_end() - a recovery ended (SND.UNA reached high_seq)
 * @rack:   RACK state.
 * @undone: the cwnd reduction was undone (Linux's tcp_may_undo() held).
 *
 * Linux's tcp_try_undo_recovery(): a recovery that was real (not undone)
 * uses up one recovery of the window's persistence (RFC 8985 s.6.2
 * step 4, RACK.reo_wnd_persist).
 *
 * Context: any; the caller serializes (socket lock).
 */
void xtcp_rack_recovery_end(struct xtcp_rack *rack, bool undone)
{
	if (!undone && rack->reo_wnd_persist)
		rack->reo_wnd_persist--;
}

/* ---- Undo ---- */

/**
 * xtcp_init_undo_retrans() - undo_retrans when a recovery begins
 * @retrans_out:     retransmitted segments still in flight, segments.
 * @tlp_retrans_out: a tail loss probe that resent data is outstanding
 *                   (tlp_high_seq set and tlp_retrans).
 *
 * Linux's tcp_init_undo(): what is in flight already may still be
 * D-SACKed and must be before the reduction can be undone by D-SACKs;
 * with nothing, -1, because 0 means "every retransmission was spurious".
 *
 * Return: the new undo_retrans (> 0, or -1).
 * Context: any.
 */
int xtcp_init_undo_retrans(u32 retrans_out, bool tlp_retrans_out)
{
	u64 n = (u64)retrans_out + tlp_retrans_out;

	if (!n)
		return -1;
	return n > INT_MAX ? INT_MAX : (int)n;
}

/**
 * xtcp_undo_retrans_dsacked() - undo_retrans after a believed D-SACK
 * @undo_retrans: the count now.
 * @segs:         segments the D-SACK showed to be duplicates of
 *                retransmissions sent since undo_marker.
 *
 * Linux's tcp_check_dsack() and tcp_sacktag_one(): only a positive count
 * goes down, never below 0 (0: every retransmission was spurious).
 *
 * Return: the new undo_retrans.
 * Context: any.
 */
int xtcp_undo_retrans_dsacked(int undo_retrans, u32 segs)
{
	if (undo_retrans <= 0)
		return undo_retrans;
	return (u32)undo_retrans > segs ? undo_retrans - (int)segs : 0;
}

/**
 * xtcp_packet_delayed() - does this ACK show that the original
 *                         transmission arrived (Eifel detection)
 * @retrans_stamp:   the timestamp clock (ms) of the first retransmission
 *                   of the episode, 0 if none was sent.
 * @ecr:             this ACK's TSecr as our own clock, 0 when the ACK
 *                   has none (no timestamps, or a TSecr of 0).
 * @sack:            the connection uses SACK.
 * @una_at_high_seq: SND.UNA is at or beyond high_seq.
 *
 * Linux's tcp_packet_delayed() (RFC 3522 s.2): an echoed timestamp older
 * than the first retransmission was sent by the receiver for an original.
 * With nothing retransmitted yet (the retransmission may still wait
 * below), the packet was delayed, not lost, except without SACK once
 * SND.UNA reached high_seq (Linux clears its stamp there,
 * tcp_is_non_sack_preventing_reopen()).
 *
 * Return: true if the loss was not one.
 * Context: any.
 */
bool xtcp_packet_delayed(u32 retrans_stamp, u32 ecr, bool sack,
			 bool una_at_high_seq)
{
	if (retrans_stamp)
		return ecr && xtcp_seq_before(ecr, retrans_stamp);
	return sack || !una_at_high_seq;
}

/**
 * xtcp_may_undo() - may the current reduction be undone
 * @undo_marker:  SND.UNA when the recovery began, 0 for none.
 * @undo_retrans: retransmissions not yet D-SACKed (0: all were).
 * @delayed:      xtcp_packet_delayed() for this ACK.
 *
 * Linux's tcp_may_undo(): there is a recovery to undo, and either every
 * retransmission was D-SACKed (RFC 2883 s.5) or the timestamps show that
 * the originals arrived (RFC 3522).
 *
 * Return: true if the reduction was spurious.
 * Context: any.
 */
bool xtcp_may_undo(u32 undo_marker, int undo_retrans, bool delayed)
{
	return undo_marker && (!undo_retrans || delayed);
}

/**
 * xtcp_current_ssthresh() - the ssthresh to give back on undo
 * @ssthresh:     ssthresh now, segments.
 * @cwnd:         cwnd now, segments.
 * @in_reduction: a cwnd reduction (recovery or CWR) is under way.
 *
 * Linux's tcp_current_ssthresh(): during a reduction ssthresh itself,
 * otherwise at least three quarters of cwnd, which a sender that had left
 * slow start would have reached again.
 *
 * Return: ssthresh to remember as prior_ssthresh, segments.
 * Context: any.
 */
u32 xtcp_current_ssthresh(u32 ssthresh, u32 cwnd, bool in_reduction)
{
	u32 three_q = (cwnd >> 1) + (cwnd >> 2);

	if (in_reduction)
		return ssthresh;
	return ssthresh > three_q ? ssthresh : three_q;
}

/**
 * xtcp_undo_ssthresh() - ssthresh after an undo
 * @ssthresh:       ssthresh now, segments.
 * @prior_ssthresh: what it was before the reduction (non-zero: the caller
 *                  undoes nothing of cwnd and ssthresh without it).
 *
 * Linux's tcp_undo_cwnd_reduction(): ssthresh goes back up, never down.
 *
 * Return: the new ssthresh, segments.
 * Context: any.
 */
u32 xtcp_undo_ssthresh(u32 ssthresh, u32 prior_ssthresh)
{
	return prior_ssthresh > ssthresh ? prior_ssthresh : ssthresh;
}

/**
 * xtcp_loss_reduces_ssthresh() - does an RTO cut ssthresh (again)
 * @open:          no cwnd reduction and no recovery under way (Linux's
 *                 Open or Disorder state; not in CWR, Recovery or Loss).
 * @in_loss:       in loss recovery after an earlier RTO.
 * @first_timeout: with @in_loss: no retransmission timeout since that
 *                 loss recovery began or since SND.UNA last moved (Linux's
 *                 icsk_retransmits 0 before this timeout is counted).
 * @high_seq:      "recover", segments sent when the reduction under way
 *                 began.
 * @snd_una:       SND.UNA.
 *
 * Linux's tcp_enter_loss(): ssthresh is cut once per window of data, so
 * not during ECN's CWR or a fast recovery for a window not yet
 * acknowledged (that window was reduced already), nor at a later timeout
 * of the same loss recovery; but whenever SND.UNA has reached high_seq.
 * A cut also keeps what may be undone (prior_ssthresh, tcp_init_undo());
 * without one, the reduction under way stays as final as it was.
 *
 * Return: true if ssthresh is to be cut.
 * Context: any.
 */
bool xtcp_loss_reduces_ssthresh(bool open, bool in_loss, bool first_timeout,
				u32 high_seq, u32 snd_una)
{
	return open || !xtcp_seq_after(high_seq, snd_una) ||
	       (in_loss && first_timeout);
}

/**
 * xtcp_dsack_skb_segs() - what a D-SACK takes off undo_retrans for one skb
 * @undo_marker:  SND.UNA when the recovery began; 0: nothing to undo.
 * @retrans:      the skb was ever retransmitted.
 * @seq:          its first sequence number.
 * @end_seq:      the one after its last.
 * @start:        the D-SACK block's left edge.
 * @end:          its right edge.
 * @mss:          the skb's segment size, bytes (0: one segment).
 * @pcount:       its segments.
 *
 * Linux's tcp_sacktag_one() with dup_sack: a retransmitted skb that ends
 * after undo_marker counts for the segments the block covers (Linux
 * splits the skb at the block's edges); nothing counts with no
 * undo_marker (no recovery to undo: the D-SACK is still counted in
 * dsack_dups and as delivered by the caller, as tcp_dsack_seen() does).
 *
 * Return: segments, at most @pcount.
 * Context: any.
 */
u32 xtcp_dsack_skb_segs(u32 undo_marker, bool retrans, u32 seq, u32 end_seq,
			u32 start, u32 end, u32 mss, u32 pcount)
{
	u32 lo, hi, segs;

	if (!undo_marker || !retrans || !xtcp_seq_after(end_seq, undo_marker))
		return 0;
	lo = xtcp_seq_max(seq, start);
	hi = xtcp_seq_min(end_seq, end);
	if (!xtcp_seq_before(lo, hi))
		return 0;
	segs = 1;
	if (mss)
		segs = (hi - lo) / mss + !!((hi - lo) % mss);
	return segs < pcount ? segs : pcount;
}

/* ---- Duplicate ACKs as SACKs (no SACK) ---- */

/**
 * xtcp_reno_limit_sacked() - keep the duplicate ACK count within the flight
 * @sacked_out:  in/out: duplicate ACKs counted as SACKed segments.
 * @lost_out:    segments marked lost.
 * @packets_out: segments sent and not cumulatively ACKed.
 *
 * Linux's tcp_limit_reno_sacked(): without SACK every duplicate ACK
 * counts as one segment that left the network, but at least one hole
 * (the lost segments, one if none is marked) is still missing, so at
 * most packets_out less the holes can have arrived.  More duplicate ACKs
 * than that mean reordering or duplication on the path.
 *
 * Return: true if *@sacked_out had to be cut back.
 * Context: any; the caller serializes (socket lock).
 */
bool xtcp_reno_limit_sacked(u32 *sacked_out, u32 lost_out, u32 packets_out)
{
	u32 holes = lost_out ? lost_out : 1;

	if (holes > packets_out)
		holes = packets_out;
	if (*sacked_out + holes <= packets_out)
		return false;
	*sacked_out = packets_out - holes;
	return true;
}

/**
 * xtcp_reno_acked() - a cumulative ACK without SACK took @acked segments
 * @sacked_out: in/out: duplicate ACKs counted as SACKed segments.
 * @acked:      segments the ACK took off the retransmission queue (0:
 *               nothing changes, 0 returned, as Linux's acked > 0 test).
 *
 * Linux's tcp_remove_reno_sacks(): one of the segments is the hole the
 * duplicate ACKs waited for; the others had each been counted by a
 * duplicate ACK already, as far as there were any, and are not delivered
 * a second time.
 *
 * Return: segments delivered by this ACK (at least 1 when @acked is).
 * Context: any; the caller serializes (socket lock).
 */
u32 xtcp_reno_acked(u32 *sacked_out, u32 acked)
{
	u32 delivered;

	if (!acked)		/* nothing taken off: nothing changes */
		return 0;
	delivered = acked > *sacked_out ? acked - *sacked_out : 1;

	*sacked_out = acked - 1 >= *sacked_out ? 0 : *sacked_out - (acked - 1);
	return delivered;
}

/* ---- Tail loss probe ---- */

/**
 * xtcp_tlp_may_schedule() - whether a loss probe may be scheduled now
 * @early_retrans: net.xtcp.tcp_early_retrans; 3 and 4 enable TLP.
 * @packets_out:   segments sent and not cumulatively ACKed.
 * @sack:          the connection uses SACK.
 * @open_or_cwr:   in the Open or CWR state (no recovery, no RTO).
 *
 * Linux's tcp_schedule_loss_probe() conditions (RFC 8985 s.7.2: data in
 * flight, SACK in use, not in recovery). The Fast Open test is the
 * caller's (xtcp has no Fast Open).
 *
 * Return: true if the probe timer should be armed.
 * Context: any.
 */
bool xtcp_tlp_may_schedule(int early_retrans, u32 packets_out, bool sack,
			   bool open_or_cwr)
{
	return (early_retrans == 3 || early_retrans == 4) && packets_out &&
	       sack && open_or_cwr;
}

/**
 * xtcp_tlp_pto_us() - the probe timeout (PTO)
 * @srtt_us:     smoothed RTT, us; 0 before any sample.
 * @packets_out: segments in flight (Linux's tp->packets_out).
 * @rto_min_us:  the minimum RTO, us (Linux's tcp_rto_min_us(), 200 ms
 *               unless the route says otherwise): the worst-case delayed
 *               ACK allowance.
 * @rto_left_us: us until the retransmission timer would fire: Linux's
 *               tcp_rto_delta_us(), or the whole RTO when the caller is
 *               about to re-arm it from now (advancing_rto); 0 or less
 *               means it is due already, and then it does not limit PTO.
 *
 * RFC 8985 s.7.2 as Linux's tcp_schedule_loss_probe(): 2 * SRTT plus, when
 * a single segment is out, @rto_min_us for the receiver's delayed ACK, or
 * else XTCP_TIMEOUT_MIN_US (Linux's slack; the RFC adds nothing); without
 * an RTT sample XTCP_TLP_PTO_NO_RTT_US. Never later than the RTO.
 *
 * Return: PTO from now, us.
 * Context: any.
 */
u32 xtcp_tlp_pto_us(u32 srtt_us, u32 packets_out, u32 rto_min_us,
		    s64 rto_left_us)
{
	u64 pto;

	if (srtt_us) {
		pto = 2 * (u64)srtt_us;
		pto += packets_out == 1 ? rto_min_us : XTCP_TIMEOUT_MIN_US;
	} else {
		pto = XTCP_TLP_PTO_NO_RTT_US;
	}
	if (rto_left_us > 0 && pto > (u64)rto_left_us)
		pto = rto_left_us;
	return pto > U32_MAX ? U32_MAX : (u32)pto;
}

/**
 * xtcp_tlp_probe_split() - where to cut the last sent skb for a probe
 * @len:    bytes in the last skb of the retransmission queue.
 * @pcount: segments it counts for (tcp_skb_pcount()), at least 1.
 * @mss:    current MSS, bytes.
 *
 * When there is no new data to probe with, the probe retransmits the last
 * segment sent (RFC 8985 s.7.3). Linux's tcp_send_loss_probe() probes with
 * the last MSS of a multi-segment skb only: it splits the skb at
 * (pcount - 1) * mss when it holds more than that, and otherwise resends
 * the whole skb.
 *
 * Return: the offset to split the skb at (the probe is the part after
 * it), or 0 to send the skb whole.
 * Context: any.
 */
u32 xtcp_tlp_probe_split(u32 len, u32 pcount, u32 mss)
{
	u64 head = pcount > 1 ? (u64)(pcount - 1) * mss : 0;

	/* One segment (head 0) or nothing past the head: send it whole. */
	return len > head ? (u32)head : 0;
}

/**
 * xtcp_rtx_wnd_len() - how much of a retransmission the peer's window takes
 * @seq:     the first sequence number to resend.
 * @snd_una: SND.UNA.
 * @wnd_end: the right edge of the peer's window, SND.UNA + SND.WND.
 * @mss:     current MSS, bytes.
 * @len:     bytes the caller would resend (its cwnd and GSO caps), > 0.
 *
 * Linux's __tcp_retransmit_skb(): a receiver may shrink its window
 * (RFC 9293 s.3.8.6 tells it not to, and the sender to cope), so a
 * segment marked lost may lie beyond the right edge now.  It is not
 * resent then, unless it starts at SND.UNA: a resend there serves as a
 * zero-window probe, one MSS.  Otherwise @len is cut to the window, in
 * whole MSS when at least one fits, else to the bytes left.
 *
 * Return: bytes to resend from @seq (at most @len), 0 for none (Linux's
 * -EAGAIN: the caller's walk stops there).
 * Context: any.
 */
u32 xtcp_rtx_wnd_len(u32 seq, u32 snd_una, u32 wnd_end, u32 mss, u32 len)
{
	s32 avail = (s32)(wnd_end - seq);

	if (avail <= 0) {
		if (seq != snd_una)
			return 0;
		avail = mss;
	}
	if (len > (u32)avail) {
		len = rounddown((u32)avail, mss);
		if (!len)
			len = avail;
	}
	return len;
}

/**
 * xtcp_tlp_ack() - did the tail loss probe repair a loss
 * @ack:          this ACK's cumulative acknowledgment number.
 * @tlp_high_seq: SND.NXT when the probe was sent (non-zero: a probe is
 *                outstanding; the caller only asks then).
 * @tlp_retrans:  the probe was a retransmission (not new data).
 * @dsack_tlp:    this ACK carries a D-SACK for the probe
 *                (xtcp_dsack_seen()'s @dsack_tlp).
 * @pure_dupack:  this ACK neither advanced SND.UNA, nor carried data or a
 *                window update, nor SACKed new data (Linux's flag has none
 *                of FLAG_SND_UNA_ADVANCED, FLAG_NOT_DUP, FLAG_DATA_SACKED).
 *
 * RFC 8985 s.7.4 as Linux's tcp_process_tlp_ack(). Until the ACK reaches
 * @tlp_high_seq nothing is known. A probe of new data needs no more. A
 * retransmitted probe is known to be a duplicate if it is D-SACKed, or if
 * the ACK of exactly @tlp_high_seq is a pure duplicate (the original
 * arrived too); an ACK beyond @tlp_high_seq without such a sign means the
 * probe repaired a loss, and cwnd is reduced once.
 *
 * Return: the verdict, see enum xtcp_tlp_ack_verdict.
 * Context: any.
 */
enum xtcp_tlp_ack_verdict xtcp_tlp_ack(u32 ack, u32 tlp_high_seq,
				       bool tlp_retrans, bool dsack_tlp,
				       bool pure_dupack)
{
	if (xtcp_seq_before(ack, tlp_high_seq))
		return XTCP_TLP_PENDING;
	if (!tlp_retrans || dsack_tlp)
		return XTCP_TLP_NO_LOSS;
	if (xtcp_seq_after(ack, tlp_high_seq))
		return XTCP_TLP_LOSS;
	return pure_dupack ? XTCP_TLP_NO_LOSS : XTCP_TLP_PENDING;
}

/**
 * xtcp_rto_left_us() - what is left of the RTO of the oldest segment
 * @rto_us:  the RTO, us (backed off, as the timer is armed with it).
 * @sent_us: when the oldest unacknowledged segment was last sent, us.
 * @now_us:  now, on the same clock.
 *
 * Linux's tcp_rto_delta_us(): the RTO counts from that send, so a timer
 * that stood in for it (RACK's reorder timer, the tail loss probe) re-arms
 * it for this much (tcp_rearm_rto()), and the probe timeout is clamped
 * to it (tcp_schedule_loss_probe()).
 *
 * Return: us until the RTO is due; 0 or less once it is.
 * Context: any.
 */
s64 xtcp_rto_left_us(u32 rto_us, u64 sent_us, u64 now_us)
{
	return (s64)(sent_us + rto_us - now_us);
}

/* ---- SACK block validity ---- */

/**
 * xtcp_sackblock_valid() - may a received SACK block be used at all
 * @c:         sender state for this ACK.
 * @is_dsack:  the block is the first one and was found to be a D-SACK.
 * @start_seq: the block's left edge.
 * @end_seq:   the block's right edge.
 *
 * RFC 2018 s.3 / RFC 6675 s.5 / RFC 2883 s.4 as Linux's
 * tcp_is_sackblock_valid(). A block must be non-empty, not reversed, end
 * at or before SND.NXT, and start before SND.NXT (so that a start_seq
 * wrapped round the sequence space cannot pass). A SACK block must start
 * after SND.UNA (one starting at SND.UNA is the receiver contradicting its
 * own cumulative ACK). A D-SACK may lie below SND.UNA, wholly: from
 * undo_marker up, or straddling undo_marker by less than max_window (Linux
 * accepts that over-estimate for fragmented retransmissions); not when
 * there is no undo_marker, since it could not change anything.
 *
 * Return: true if the block may be used.
 * Context: any.
 */
bool xtcp_sackblock_valid(const struct xtcp_sack_ctx *c, bool is_dsack,
			  u32 start_seq, u32 end_seq)
{
	if (xtcp_seq_after(end_seq, c->snd_nxt) ||
	    !xtcp_seq_before(start_seq, end_seq))
		return false;
	if (!xtcp_seq_before(start_seq, c->snd_nxt))
		return false;
	if (xtcp_seq_after(start_seq, c->snd_una))
		return true;

	if (!is_dsack || !c->undo_marker)
		return false;
	if (xtcp_seq_after(end_seq, c->snd_una))
		return false;
	if (!xtcp_seq_before(start_seq, c->undo_marker))
		return true;
	if (!xtcp_seq_after(end_seq, c->undo_marker))
		return false;
	return !xtcp_seq_before(start_seq, end_seq - c->max_window);
}

/**
 * xtcp_sack_first_is_dsack() - does an ACK's SACK option start with a
 *                              D-SACK block
 * @sp:        the blocks in the order they came, host byte order.
 * @num_sacks: how many (0 .. XTCP_NUM_SACKS).
 * @ack_seq:   the ACK's cumulative acknowledgment number.
 *
 * RFC 2883 s.4 as the first part of Linux's tcp_check_dsack(): the first
 * block is a D-SACK if it starts below the cumulative ACK, or lies within
 * the second block. Whether it is then believed is xtcp_dsack_seen().
 *
 * Return: true if the first block reports duplicates.
 * Context: any.
 */
bool xtcp_sack_first_is_dsack(const struct xtcp_sack_block *sp,
			      unsigned int num_sacks, u32 ack_seq)
{
	if (!num_sacks)
		return false;
	if (xtcp_seq_before(sp[0].start_seq, ack_seq))
		return true;
	if (num_sacks < 2)
		return false;
	return !xtcp_seq_after(sp[0].end_seq, sp[1].end_seq) &&
	       !xtcp_seq_before(sp[0].start_seq, sp[1].start_seq);
}

/**
 * xtcp_dsack_seen() - count a D-SACK block and decide whether to believe it
 * @c:          sender state (max_window, mss, tlp_high_seq, total_retrans).
 * @start_seq:  the D-SACK's left edge.
 * @end_seq:    its right edge.
 * @dsack_dups: the connection's count of D-SACKed segments (Linux's
 *              tp->dsack_dups, TCP_INFO's tcpi_dsack_dups); grows by the
 *              segments of every D-SACK not rejected for its size.
 * @dsack_tlp:  out: the D-SACK is exactly the last tail loss probe.
 *
 * Linux's tcp_dsack_seen(). Rejected: an empty or reversed block, or one
 * longer than max_window (no receiver could hold that). It counts
 * ceil(length / mss) segments, one for a block of at most an MSS, which
 * is the TLP's duplicate if it ends at tlp_high_seq. Once more segments
 * have been reported duplicate than were ever retransmitted, the
 * duplicates cannot be our doing and the D-SACK is not believed (but
 * still counted in @dsack_dups, as Linux does).
 *
 * Return: duplicate segments, or 0 if the D-SACK is to be ignored.
 * Context: any; the caller serializes (socket lock).
 */
u32 xtcp_dsack_seen(const struct xtcp_sack_ctx *c, u32 start_seq,
		    u32 end_seq, u32 *dsack_dups, bool *dsack_tlp)
{
	u32 len, segs = 1;

	*dsack_tlp = false;
	if (!xtcp_seq_before(start_seq, end_seq))
		return 0;
	len = end_seq - start_seq;
	if (len > c->max_window)
		return 0;
	if (c->mss && len > c->mss)
		segs = div_u64((u64)len + c->mss - 1, c->mss);
	else if (c->tlp_high_seq && c->tlp_high_seq == end_seq)
		*dsack_tlp = true;

	*dsack_dups += segs;
	if (*dsack_dups > c->total_retrans)
		return 0;
	return segs;
}

/**
 * xtcp_dsack_forgotten() - is a believed D-SACK for data already
 *                          cumulatively ACKed since the recovery began
 * @c:       sender state (prior_snd_una, undo_marker).
 * @end_seq: the D-SACK's right edge.
 *
 * The last part of Linux's tcp_check_dsack(): such a D-SACK finds nothing
 * left in the queue to tag, so the caller counts it directly against its
 * undo_retrans (when that is positive), by the segments xtcp_dsack_seen()
 * returned: the end lies after undo_marker and not after the previous
 * SND.UNA.
 *
 * Return: true if undo_retrans is to be reduced by the D-SACK's segments.
 * Context: any.
 */
bool xtcp_dsack_forgotten(const struct xtcp_sack_ctx *c, u32 end_seq)
{
	return c->undo_marker &&
	       !xtcp_seq_after(end_seq, c->prior_snd_una) &&
	       xtcp_seq_after(end_seq, c->undo_marker);
}

/**
 * xtcp_sack_ack_too_old() - is the ACK too old for its SACK blocks to count
 * @c: sender state (ack_seq, prior_snd_una, max_window).
 *
 * Linux's tcp_sacktag_write_queue(): an ACK more than max_window below the
 * previous SND.UNA (reordered from long ago) has its SACK blocks ignored;
 * its D-SACK, if any, was already counted.
 *
 * Return: true if none of the ACK's blocks is to be used.
 * Context: any.
 */
bool xtcp_sack_ack_too_old(const struct xtcp_sack_ctx *c)
{
	return xtcp_seq_before(c->ack_seq, c->prior_snd_una - c->max_window);
}

/**
 * xtcp_sack_classify() - what to do with one received SACK block
 * @c:        sender state for this ACK.
 * @b:        the block, host byte order.
 * @is_dsack: @b is the first block and xtcp_sack_first_is_dsack() and
 *            xtcp_dsack_seen() accepted it (Linux's found_dup_sack for
 *            block 0; always false for the others).
 *
 * Linux's per-block checks in tcp_sacktag_write_queue(). An invalid block
 * (xtcp_sackblock_valid()) is counted by kind: a D-SACK as no-undo or old,
 * a SACK block as discarded, except that a SACK block wholly at or below
 * SND.UNA on an ACK that did not ACK up to SND.UNA (an older ACK overtaken
 * by a newer one) is not the receiver's fault and is skipped quietly. A
 * valid block with nothing above the previous SND.UNA is skipped too: for
 * a D-SACK below SND.UNA its whole effect is xtcp_dsack_forgotten()'s.
 *
 * Return: the verdict, see enum xtcp_sack_verdict.
 * Context: any.
 */
enum xtcp_sack_verdict xtcp_sack_classify(const struct xtcp_sack_ctx *c,
					  const struct xtcp_sack_block *b,
					  bool is_dsack)
{
	if (!xtcp_sackblock_valid(c, is_dsack, b->start_seq, b->end_seq)) {
		if (is_dsack)
			return c->undo_marker ? XTCP_SACK_DSACK_OLD :
						XTCP_SACK_DSACK_NOUNDO;
		if (c->ack_seq != c->snd_una &&
		    !xtcp_seq_after(b->end_seq, c->snd_una))
			return XTCP_SACK_OLD;
		return XTCP_SACK_DISCARD;
	}
	if (!xtcp_seq_after(b->end_seq, c->prior_snd_una))
		return XTCP_SACK_OLD;
	return is_dsack ? XTCP_SACK_DSACK : XTCP_SACK_VALID;
}

/**
 * xtcp_sack_uncached() - what of a SACK block the previous ACK left untold
 * @cache:  the previous ACK's valid SACK blocks (empty ones, start_seq not
 *          before end_seq, are unused slots), tagged already.
 * @ncache: slots in @cache.
 * @start:  the new block's left edge.
 * @end:    its right edge.
 * @r:      ranges still to tag; the new ones go from index @n on.
 * @n:      ranges in @r already.
 * @max:    room in @r (XTCP_SACK_MAX_RANGES per ACK is always enough).
 *
 * The cache of Linux's tcp_sacktag_write_queue() (recv_sack_cache): a
 * receiver repeats its blocks on every ACK, growing the first, so only
 * what lies outside the blocks of the previous ACK needs a walk of the
 * retransmission queue.  @r gets [@start, @end) less every cached block,
 * as ranges that may be empty (start_seq == end_seq; skip those).
 *
 * Return: the ranges in @r now.
 * Context: any.
 */
unsigned int xtcp_sack_uncached(const struct xtcp_sack_block *cache,
				unsigned int ncache, u32 start, u32 end,
				struct xtcp_sack_block *r, unsigned int n,
				unsigned int max)
{
	unsigned int first = n, i, j;

	if (n >= max)
		return n;
	r[n].start_seq = start;
	r[n].end_seq = end;
	n++;
	for (i = 0; i < ncache; i++) {
		const struct xtcp_sack_block *c = &cache[i];

		if (!xtcp_seq_before(c->start_seq, c->end_seq))
			continue;
		for (j = first; j < n; j++) {
			struct xtcp_sack_block *p = &r[j];

			if (!xtcp_seq_before(p->start_seq, c->end_seq) ||
			    !xtcp_seq_after(p->end_seq, c->start_seq))
				continue;
			/* Overlap: what lies above the cached block becomes a
			 * range of its own, what lies below stays in place.
			 * Without room the part above is tagged whole.
			 */
			if (xtcp_seq_after(p->end_seq, c->end_seq)) {
				if (n >= max)
					continue;
				r[n].start_seq = c->end_seq;
				r[n].end_seq = p->end_seq;
				n++;
			}
			p->end_seq = xtcp_seq_before(p->start_seq, c->start_seq) ?
				     c->start_seq : p->start_seq;
		}
	}
	return n;
}
