#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# sack_recovery_test: what a SACK-enabled sender retransmits after losses
# the receiver stages, native TCP (the oracle) and xtcp, run by
# selftests/sack_recovery.sh (one python process: importing scapy takes
# seconds under TCG).  The acceptance wire tests of the loss-recovery
# issue (SACK scoreboard, RACK-TLP, PRR, undo).
#
# Each case runs once per family against its own selftests/wire_peer
# listener in namespace X, which writes ten full segments (14600 bytes,
# MSS 1460: exactly the initial window, so that no new data can be sent
# and every later data segment is a retransmission), then holds the
# connection.  Scapy is the receiver: its SYN offers SACK-permitted, no
# timestamps (but in (l)) and no window scaling.  Without timestamps the only undo
# signal is the D-SACK (with them, native TCP would also undo from the
# TSecr we echo, tcp_packet_delayed(), and which TSval a hand-made
# receiver echoes would decide the result), and four SACK blocks fit.
# The path's RTT is PATH_RTT s (1.0, times XTCP_SLOW): our ACK of the
# SYN-ACK is held until then after the SYN-ACK (HS_RTT, 0.8 s, in (d)
# and (e): see (d)), and the initial flight's
# ACKs until then after its first segment, so that X's RTT samples, its
# min_rtt included, are about that: its RTO about 3 s, its tail loss
# probe timeout about 2 s, RACK's reordering window min_rtt/4 about
# 250 ms.  Python under TCG then acts well within an RTT: it sees the
# flight 0.1-0.4 s after it left (up to 1.5 s seen on a loaded host,
# which a PATH_RTT of 0.5 s did not survive: X's RTO fired first; a
# retransmission before our first ACK is printed as "early"; when native's
# is, the case's checks are skips: the test bed was late), sends the
# flight's first ACK PATH_RTT after the flight's first segment (printed
# as "lag", from the flight's last segment: about PATH_RTT, more if
# python was late) and the others, built while the handshake ACK was
# held, within a few ms (printed as "spread").
# The receiver first takes the initial flight in the case's own order,
# leaving out the segments it "loses" (one ACK each, sent back to back,
# built beforehand), then answers each later data segment as a receiver
# that ACKs every segment: cumulative ACK, then a D-SACK block for a
# duplicate, then its SACK blocks, most recently changed first (RFC 2018
# s.4, RFC 2883).  It stops once all 14600 bytes are ACKed and the
# sender was then quiet for QUIET s.
#
# The record of a case is each retransmitted segment in the order sent,
# as "K@A": segment K (1-based) resent while our cumulative ACK covered
# A segments (the last ACK we had sent before the sniffer saw it).  The
# checks compare xtcp's record (or the part a case asserts) with
# native's, after a sanity check on native's own record so that a case
# that observes nothing cannot pass.
#
# Cases:
#  (a) one loss: segment 2 lost, 3-10 SACKed one by one (the third
#      duplicate ACK makes the loss certain, RACK with no reordering
#      seen): segment 2 and nothing else is resent.
#  (b) three holes SACKed out of order: 2, 4 and 6 lost, the others
#      taken as 1, 9, 7, 5, 3, 10, 8: only the holes are resent, in
#      sequence order; and the last hole goes before our ACK reaches
#      the hole before it (recovery from the scoreboard does not spend a
#      round trip per hole as NewReno's partial ACKs do).
#  (c) after an RTO: 2 and 4 lost, the rest SACKed; then we ignore all
#      until a data segment comes GAP s (PATH_RTT / 2) or more after
#      both the one before and our last ACK: the RTO, which comes at
#      least srtt + 200 ms (tcp_rto_min) after the last retransmission
#      of 2, while fast retransmits follow our ACKs within ms.  From
#      there we answer: both holes are resent before the RTO, and after
#      it only the holes, not the SACKed 5-10.
#  (p) a hole beyond a shrunk window (__tcp_retransmit_skb(): a
#      receiver may shrink its window, RFC 9293 s.3.8.6): 2 and 6
#      lost; our ACKs advertise a right edge at the end of 5 (5840
#      bytes with the ACK of 1) until our cumulative ACK reaches it,
#      then 65535 again.  2 is marked lost at the SACK of 5 (three
#      SACKed above it) and resent; 6 at the SACK of 7 (in recovery
#      RACK's window is 0), but it lies beyond the window: it goes once
#      our ACK of the resent 2 (all of 1-5) moved the edge (record
#      ['2@1', '6@5']).  A resend that ignores the window sends 6 at the
#      SACK of 7 (xtcp before 2026-12-05: '6@1').  The control runs the
#      same order with our window 65535 throughout: there 6 goes before
#      our ACK reaches 5, by native (sanity: cwnd alone would not hold
#      it) and xtcp alike.
#  (f) reordering, no loss: 6 comes after 7-10.  With no reordering
#      seen before, the third SACK above 6 makes it lost at once (RACK's
#      window is 0 then: tcp_rack_reo_wnd()), so native resends it;
#      once the same flight had 2 come after 3 and 4 (reordering seen
#      without a retransmission, tcp_check_sack_reordering()), the
#      window is min_rtt/4, far more than the milliseconds between our
#      back-to-back ACKs, and nothing is resent.
#  (g) (b)'s holes with net.ipv4/xtcp.tcp_recovery 0: no RACK, the
#      duplicate threshold alone (tcp_update_scoreboard()).  Each SACK
#      below the highest one is reordering and raises the threshold to
#      its distance (tcp_check_sack_reordering(): 5 once 5 is SACKed, 7
#      once 3 is), always above the SACKed count, so no recovery
#      starts; the RTO (which brings the threshold back to
#      tcp_reordering) resends 2, then 4 and 6 as the loss window grows.
#      A fixed threshold of 3 would resend 2, 3, 4 and 6 at the SACK of
#      5.
#  (e) tail loss: 9 and 10 lost, 1-8 ACKed: the first retransmission
#      is a probe of the last segment (RACK-TLP, RFC 8985 s.7) sent about
#      two smoothed RTTs after our last ACK (printed, with the RTO), not
#      the head at the RTO; then the SACK of the probe has 9 resent.
#  (n) a tail loss the probe repaired (RFC 8985 s.7.4.2, Linux's
#      tcp_process_tlp_ack()): 10 lost, 1-9 ACKed; the probe resends
#      10 (the writer has nothing new yet) and we ACK it: SND.UNA is then
#      the probe's SND.NXT, which says nothing yet.  The writer's second
#      write (ten more segments, asked for through its stdin once our
#      ACK of the probe went) goes out whole, and one ACK of all of it passes the probe's SND.NXT with
#      no sign that the original 10 had arrived: the probe repaired a
#      loss, and the window is reduced once.  ssthresh then comes from
#      cwnd (CUBIC: 0.7 of 20, IW10 grown by the nine ACKs and the
#      probe's), and cwnd is set to it: xtcp's (cwnd, ssthresh) must be
#      native's, not the minimum of 2 it took from the flight left after
#      the ACK (nothing) before the fix of 2026-12-04, nor the 7 from
#      the ten segments in flight before the ACK that it took while its
#      hooks were given FlightSize.  Native's must be set (sanity: the
#      case reached the reduction).
#  (o) (n), but the second write's third segment, 13, is lost: we ACK
#      the others one by one as they came (11 and 12 cumulatively, the
#      first ACK passing the probe's SND.NXT, then 0.1 s later SACKs of
#      14-20; (cwnd, ssthresh) read between and after).
#      Linux reduces the window for the repaired tail (CWR, ended at
#      once, tcp_process_tlp_ack()) and, back in the open state, starts
#      fast recovery for 13 on the third SACK above it, a second
#      reduction; it has no once-per-window gate outside its recovery
#      states.  xtcp's (cwnd, ssthresh) must be native's and 13 resent
#      (xtcp took the repair's high_seq as such a gate and resent 13
#      without a recovery until 2026-12-05).
#  (h) spurious RTO (F-RTO, RFC 5682): the writer has twenty segments;
#      we hold the flight's ACKs until X's RTO resends 1, then send them:
#      the first (of 1, resent) has X send new data (11, 12) instead of
#      resending 2 and 3 (step 2b), the next (of 2, never resent) shows
#      the RTO spurious and the reduction is undone (step 3b); nothing
#      but 1 is resent, and once all is ACKed ssthresh is back to the
#      initial slow start's (-1) and cwnd at least 10.
#  (i) proportional rate reduction (RFC 6937, Linux's
#      tcp_cwnd_reduction()): the writer has PRR_SEGS segments, Reno
#      for both stacks, segment 1 lost.  Our first ACK SACKs 2-4 at
#      once (a receiver's stretch ACK), so that nothing new goes before
#      the loss is certain and the flight is cwnd, 10: ssthresh is 5 for
#      both (half of cwnd), and PRR starts at
#      prior_cwnd 10, pipe 6.  Then one ACK per PRR_STEP s SACKs 5, 6,
#      ... 10, and we ACK nothing X sends meanwhile.  Counted: X's data
#      segments after the initial flight seen before our next ACK
#      (cumulative), and all of them 3 PRR_STEP s after the last.  PRR
#      sends ceil(5 * delivered / 10) - prr_out while pipe is above 5,
#      then as much as is delivered, up to ssthresh: 2 2 3 3 3 4 5
#      (1 resent and 11, nothing, 12, nothing, nothing, 13, 14; see
#      selftests/host's prr_wire_case_reno), about one new segment per
#      two ACKs.  Cutting cwnd to ssthresh at once (xtcp before PRR)
#      sends 0 0 1 2 3 4 5: nothing until the pipe is below 5.  Then
#      our ACK of the resent 1 (all of 1-10) ends the recovery: cwnd
#      from /proc just after is ssthresh (tcp_end_cwnd_reduction(); the
#      one segment that ACK delivers grows no Reno cwnd of 5: 2-10 were
#      counted as delivered when SACKed, so congestion avoidance is not
#      given the ten segments the ACK takes off the queue).
#      Asserted: native's counts are the above within one and it sent
#      1, 11, 12, 13, 14 (sanity); xtcp's counts within one of native's
#      after every ACK, the same total, the same segments in the same
#      order; after the recovery each stack has cwnd == ssthresh, and
#      the same as native's (that check holds without PRR too; it guards
#      the end of the reduction: congestion avoidance counting the
#      SACKed window again made xtcp's 7 for 5).  Measured 2026-12-01
#      (XTCP_SLOW=2): native and xtcp 2 2 3 3 3 4 5, end (5, 5); xtcp
#      at e1a088e (no PRR) 0 0 1 2 3 4 5.  The tolerance of one per ACK
#      is for a reply that the sniffer stamps after our next ACK went,
#      under TCG; it still tells PRR's first step (2) from the
#      immediate cut's (0).
#  (j) D-SACK of data the same ACK acknowledges (review M6): 2 and 4
#      delayed, 3 and 5-10 SACKed, 2 and 4 resent (RACK).  When the
#      resent 2 comes, the late original 4 and it arrive with their ACKs
#      lost; our ACK of the resent 4 then acknowledges all and D-SACKs 4,
#      which lies above the previous SND.UNA.  Linux tags the SACK blocks
#      before the cumulative ACK cleans the queue (tcp_ack()), so the
#      D-SACK finds the resent 4 and takes one off undo_retrans (2, one
#      per retransmission); the recovery ends there, not undone (2's
#      retransmission is not shown spurious).  The late original 2 comes
#      last and its D-SACK shows the other retransmission spurious: the
#      reduction is undone (tcp_try_undo_dsack()).  cwnd and ssthresh are
#      read before that D-SACK and after it.  xtcp before the fix cleaned
#      the queue first: the D-SACK of 4 found nothing, undo_retrans stayed
#      at 1 after the D-SACK of 2, no undo.  The resent 2 is taken (with
#      the original 4) only when the resent 4 comes: taken at once it
#      completes the data, and the held original 2 would go before our
#      ACK of 4 (seen: xtcp then not undone, rightly).
#  (k) D-SACK on an old ACK (review M7): as (j), but the late originals
#      of 2 and 4 each come just before their retransmissions, and our
#      ACKs of the four go in the order: original 2 (cumulative to 3),
#      original 4 (all), resent 4 (D-SACK of 4), resent 2 (D-SACK of 2,
#      cumulative to 3, below SND.UNA: an ACK overtaken).  The last
#      D-SACK makes undo_retrans 0 on an old ACK: Linux's old_ack runs
#      tcp_fastretrans_alert(), which undoes; xtcp before the fix counted
#      it but tried no undo.  Read as (j): before the old ACK and after.
#  (l) Eifel (RFC 3522, tcp_packet_delayed()): timestamps on for this
#      case only (our SYN offers them with MSS 1472, so that data
#      segments still hold 1460 bytes on the veth's 1512-byte MTU; three
#      SACK blocks fit; our ACKs echo the SYN-ACK's TSval until then).
#      2 delayed, 3-10 SACKed, 2 resent; our ACK of the resent 2
#      (cumulative, all) echoes the TSval of the original 2, as a
#      receiver that got the original late would: it is older than the
#      first retransmission, so the recovery is undone as it ends
#      (tcp_try_undo_recovery()).  The control connection echoes the
#      retransmission's TSval: not undone.  cwnd and ssthresh are read
#      at the retransmission and after all is ACKed; each stack's
#      control keeps its own ssthresh.
#  (m) a spurious retransmission's ACK (tcp_skb_spurious_retrans()):
#      timestamps as in (l); 2-4 SACKed (1 and 5-10 not yet): RACK's
#      window is 0 with three SACKed and no reordering seen, so 1 is
#      resent at once.  We answer that retransmission RTT_WAIT s
#      (1.3 PATH_RTT, more than min_rtt) after it with the ACK of the
#      late original 1 (all of 1-4, echoing the original's TSval), then
#      watch WATCH s before we ACK all.  The TSecr shows the ACK is for
#      the original, so RACK must not take the retransmission's send
#      time as its reference (tcp_clean_rtx_queue() skips
#      tcp_rack_advance() for it): native resends nothing more.  Taking
#      it (RACK.rtt then 1.3 PATH_RTT, above min_rtt, so not ignored as
#      ambiguous) makes 5-10, sent before it, lost at once: xtcp before
#      the fix resent 5 within WATCH (record ['1@0', '5@4'], twice in
#      two runs, 2026-12-02; on the chaos path, where min_rtt is a
#      fraction of a ms, such an ACK had the whole flight resent).
#      The control connection's ACK echoes the retransmission's own
#      TSval: it is for the retransmission, RACK takes its send time,
#      and 5 is resent next, by native (sanity) and xtcp alike; it
#      fails if the guard misreads its clocks (units, offset) and skips
#      RACK for every retransmission.
#  (d) D-SACK undo: 2 delayed (not lost), 3-10 SACKed, 2 resent and
#      ACKed, then the late original 2 arrives and we send a D-SACK for
#      it: the cwnd reduction of the recovery is undone (RFC 2883 s.5,
#      tcp_try_undo_dsack()); X's cwnd and ssthresh, from /proc/net/tcp
#      and /proc/net/xtcp (the same columns), are read before the
#      D-SACK and after it.
# Cases (a)-(c), (p), (f)-(m) run with tcp_early_retrans 0 (no
# tail loss probe: with no ACK within two RTTs, which a python receiver
# under TCG cannot promise, a probe would be one more retransmission),
# (e), (n) and (d) with Linux's default 3.  Sysctls are set for both stacks; a net.xtcp knob
# that does not exist yet is reported ("# knob ... missing") and the
# test goes on.  tcp_no_metrics_save is 1 so that native TCP does not
# carry ssthresh or reordering from one case to the next.
#
# Expected today (xtcp has the SACK scoreboard, RACK, the tail loss
# probe, undo and F-RTO); each xtcp check's name says in brackets what it
# needs:
#  (a) passes.
#  (b) both pass: the SACK of 7 below 9 is reordering, so RACK's window
#      stays min_rtt/4 and 3 and 5, SACKed within it, are not resent
#      (xtcp's duplicate threshold, fixed at 3 before RACK, marked 3
#      lost once 5 was SACKed: it resent 2 3 4 6); the reorder timer
#      then marks 2, 4 and 6 lost together.
#  (c) both pass.
#  (p) both pass (xtcp resent 6 at once before 2026-12-05).
#  (f) both pass: without reordering seen the third SACK above 6 makes
#      RACK's window 0 and 6 is resent; once 2 came after 3 and 4 the
#      window is min_rtt/4 and 6 arrives within it.
#  (g) passes.
#  (e) both pass: the probe (10) goes about two SRTTs after our last
#      ACK, before the RTO, xtcp's within 0.2 PATH_RTT of native's; 9
#      follows (its SACK is a resent segment's sample below min_rtt,
#      which moves RACK nowhere, so 9 waits for the RTO the probe
#      restarted).
#  (h) both pass.
#  (i) all pass.
#  (d) both pass: the D-SACK of 2, after the recovery ended, shows its
#      only retransmission spurious (tcp_try_undo_dsack()).
#  (l) both pass.
#  (m) both pass (xtcp failed before the fix, see there).
#  (n) both pass (xtcp's ssthresh was 2, from the flight left after the
#      ACK, before the fix of 2026-12-04; then (7, 7) from the flight
#      before it, native (14, 14), until the hooks were given cwnd).
#  (j), (k) both pass (fail on xtcp before the review fixes M6 and M7:
#      after the last D-SACK (6, 6) with ssthresh set, where native and
#      the fixed xtcp are back at (11, -1)).
# Time: about 195 s under TCG with (h) and without (i), about 190 s with
# (i) and without (h) (twenty connections with both, one RTO in (c), (g)
# and (h); 240 s on a loaded host with one of them); all of (a)-(l),
# thirty connections, took 159 s in one VM on 2026-12-01.

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, WriterCase, wire_args,  # noqa: E402
                     segment, seq_add, opt_area, walk, ts_opts, ts_of,
                     knob_both, sock_row, cwnd_ssthresh)
from slow import SLOW, as_native_time, slow  # noqa: E402

FAMILIES = ("inet", "xtcp")
MSS = 1460
# Steps of the loss-recovery issue not built yet: an xtcp check tagged
# with one of them reports its failure as a skip (XTCP_RECOVERY_PENDING,
# a comma list, overrides; empty makes every check count).
PENDING = set(filter(None, os.environ.get(
    "XTCP_RECOVERY_PENDING", "").split(",")))
NSEG = 10
TOTAL = NSEG * MSS
PATH_RTT = slow(1.0)	# s: the path's RTT, see above
GAP = PATH_RTT / 2	# s: see (c) above
QUIET = slow(0.5)	# s without data once all is ACKed
HS_RTT = min(PATH_RTT, 0.8)	# s: (d)'s handshake RTT, see there
PRR_SEGS = 40		# (i): what the writer has, segments
PRR_STEP = slow(0.2)	# (i): s between our ACKs
PRR_CUM = [2, 2, 3, 3, 3, 4, 5]	# (i): PRR's cumulative sends, see above
RUN = slow(15.0)	# s: bounds one case
RTT_WAIT = 1.3 * PATH_RTT	# (m): s from the retransmission to our ACK
WATCH = slow(0.5)	# (m): s to see what X resends after it


class Receiver:
    """Our receiving end of one connection: what arrived, as offsets
    from X's first data byte; ACKs as a receiver that ACKs every
    segment would send them, recorded with the time each went."""

    def __init__(self, c, ecr=None, edge=None):
        self.c = c
        self.edge = edge	# see (p): our window's right edge until then
        self.base = c.rcv_nxt
        self.nxt = 0
        self.blocks = []	# [start, end), most recently changed first
        self.acks = []		# (time before sending, cumulative ACK)
        # With timestamps: the TSecr our ACKs echo (the case sets it),
        # else None.
        self.ecr = ecr

    def take(self, s, e):
        """Bytes [@s, @e) arrived: (cumulative ACK, the frame of our ACK
        as bytes, to send()).  A whole duplicate is D-SACKed; a segment
        only partly old gets no D-SACK for its old part, and the block
        holding a duplicate above RCV.NXT is not moved second (RFC 2883
        s.4): no case here sends either."""
        dup = None
        if e <= self.nxt or any(b[0] <= s and e <= b[1]
                                for b in self.blocks):
            dup = (s, e)
        elif s <= self.nxt:
            self.nxt = max(self.nxt, e)
        else:
            lo, hi = s, e
            keep = []
            for b in self.blocks:
                if b[1] < lo or b[0] > hi:
                    keep.append(b)
                else:
                    lo, hi = min(lo, b[0]), max(hi, b[1])
            self.blocks = [(lo, hi)] + keep
        while True:
            low = [b for b in self.blocks if b[0] <= self.nxt]
            if not low:
                break
            for b in low:
                self.nxt = max(self.nxt, b[1])
                self.blocks.remove(b)
        blocks = ([dup] if dup else []) + self.blocks
        sack = []
        for s0, e0 in blocks[:4 if self.ecr is None else 3]:
            sack += [seq_add(self.base, s0), seq_add(self.base, e0)]
        opts = ([] if self.ecr is None else
                ts_opts(int(time.time() * 1000), self.ecr))
        if sack:
            opts += [("NOP", None), ("NOP", None), ("SAck", tuple(sack))]
        # 65535 (no window scaling), or up to @edge while short of it.
        wnd = 65535
        if self.edge is not None and self.nxt < self.edge:
            wnd = self.edge - self.nxt
        p = segment(self.c.wire, self.c.sport, self.c.dport, "A",
                    self.c.snd_nxt, seq_add(self.base, self.nxt),
                    window=wnd, opts=opts)
        return self.nxt, bytes(self.c.wire.eth / p)

    def send(self, acks):
        for ack, frame in acks:
            self.acks.append((time.time(), ack))
            self.c.wire.sock.send(frame)

    def last_ack_at(self, t):
        """When we last sent an ACK before time @t (0 if never)."""
        return max([ts for ts, ack in self.acks if ts <= t], default=0)

    def ack_before(self, t):
        """Our cumulative ACK (bytes) as last sent before time @t."""
        a = 0
        for ts, ack in self.acks:
            if ts <= t:
                a = ack
        return a


def seg_name(s, e):
    if s % MSS == 0 and e - s == MSS:
        return str(s // MSS + 1)
    return f"{s}-{e}"


class Case(WriterCase):
    """One connection to a writer in X, SACK-permitted offered: the
    initial flight taken in @order (1-based segment numbers; those left
    out are lost), then answers until all is ACKed.  @drop(case, p, gap)
    says whether a later segment is ignored; @hold lists segments kept
    back and taken once all else is ACKed (a late original)."""

    def __init__(self, args, wire, fam, port, total=TOTAL, writes=None,
                 edge=None):
        super().__init__(args, wire, fam, port, total, writes=writes)
        self.edge = edge	# Receiver's, see (p)
        self.before_dsack = None	# set once the flight is taken
        self.rcv = None
        self.dropped = []
        self.extra = {}

    def open(self, order, hs_rtt=PATH_RTT, ts=False):
        """Our handshake; the ACKs for the initial flight taken in
        @order are built while our ACK of the SYN-ACK is held until
        @hs_rtt s after the SYN-ACK.  With @ts, timestamps are offered,
        with MSS 1472 (1460 bytes of data besides the option), and our
        ACKs echo the SYN-ACK's TSval until the case says otherwise.
        None, or why not."""
        opts = [("MSS", MSS + 12 if ts else MSS), ("SAckOK", b"")]
        if ts:
            opts += ts_opts(int(time.time() * 1000), 0)
        sa, why = self.syn(opts)
        if sa is None:
            return why
        if 4 not in [k for k, i, n in walk(opt_area(sa))]:
            return "the SYN-ACK does not offer SACK"
        ecr = None
        if ts:
            if ts_of(sa) is None:
                return "the SYN-ACK has no timestamps"
            ecr = ts_of(sa)[0]
        # Our TSvals never go back (X's PAWS): the handshake ACK's is
        # taken before the flight's ACKs are built.
        tsv = int(time.time() * 1000)
        self.rcv = Receiver(self.c, ecr, self.edge)
        self.flight = [self.rcv.take((k - 1) * MSS, k * MSS)
                       for k in order]
        self.ack_synack(sa, hs_rtt, opts=ts_opts(tsv, ecr) if ts else None)
        return None

    def first_flight(self):
        """Waits for the ten segments of the initial window: None, or
        why not."""
        segs, why = self.wait_flight(NSEG, MSS)
        if segs is None:
            return why
        self.t_first = float(segs[0].time)
        self.t_last = float(segs[NSEG - 1].time)
        self.flight_pkts = segs
        return None

    def flight_due(self, order, hs_rtt=PATH_RTT):
        """Our handshake (open()), X's initial flight, and the wait
        until our ACKs of it are due, PATH_RTT after its first segment:
        None, or why not."""
        why = self.open(order, hs_rtt) or self.first_flight()
        if why:
            return why
        left = self.t_first + PATH_RTT - time.time()
        if left > 0:
            time.sleep(left)
        return None

    def run(self, order, drop=None, hold=(), rto=False, late=False,
            hs_rtt=PATH_RTT, ts=False):
        """The whole case: None, or why it stopped.  With @rto, X's RTO
        is read just after the flight's ACKs (self.rto).  With @late the
        flight's ACKs wait for X's first retransmission (its RTO), whose
        time is self.t_rto.  @ts: timestamps, see open()."""
        why = self.open(order, hs_rtt, ts)
        if why:
            return why
        why = self.first_flight()
        if why:
            return why
        if late:
            deadline = time.monotonic() + RUN
            while True:
                segs = self.data()
                if len(segs) > NSEG:
                    self.t_rto = float(segs[NSEG].time)
                    break
                if time.monotonic() > deadline:
                    return f"nothing after the flight in {RUN} s"
                time.sleep(0.01)
        left = self.t_first + PATH_RTT - time.time()
        if left > 0:
            time.sleep(left)
        self.rcv.send(self.flight)
        self.t_flight = self.rcv.acks[-1][0]
        self.lag = self.rcv.acks[0][0] - self.t_last
        self.spread = self.t_flight - self.rcv.acks[0][0]
        if rto:
            t = sock_row(self.args.netns, self.fam, self.port)
            self.rto = t and t[0]
        self.before_dsack = None
        i = NSEG
        prev = None
        done = None
        held = list(hold)
        deadline = time.monotonic() + RUN
        while time.monotonic() < deadline:
            segs = self.data()
            prev = float(segs[i - 1].time)
            for p in segs[i:]:
                t = float(p.time)
                gap = t - max(prev, self.rcv.last_ack_at(t))
                prev = t
                if drop and drop(self, p, gap):
                    self.dropped.append(seg_name(*self.off(p)))
                    continue
                self.rcv.send([self.rcv.take(*self.off(p))])
            i = len(segs)
            if self.rcv.nxt >= self.total:
                if held:
                    time.sleep(0.1)
                    self.before_dsack = cwnd_ssthresh(
                        self.args.netns, self.fam, self.port)
                    k = held.pop(0)
                    self.rcv.send([self.rcv.take((k - 1) * MSS,
                                                 k * MSS)])
                    done = None
                    continue
                if done is None:
                    done = time.monotonic()
                elif time.monotonic() - done >= QUIET:
                    break
            time.sleep(0.01)
        else:
            return f"not all ACKed in {RUN} s (ACK {self.rcv.nxt})"
        return None

    def record(self, until=None):
        """Each retransmitted segment in order, "K@A"; with @until, only
        the count of those seen before that time."""
        out = []
        hi = 0
        for p in self.data():
            s, e = self.off(p)
            if until is not None and float(p.time) >= until:
                return len(out)
            if s < hi:
                a = self.rcv.ack_before(float(p.time))
                out.append(f"{seg_name(s, e)}@{a // MSS}")
            hi = max(hi, e)
        return len(out) if until is not None else out

    def rtx_pkts(self):
        """The retransmitted segments, as record() lists them."""
        out = []
        hi = 0
        for p in self.data():
            s, e = self.off(p)
            if s < hi:
                out.append(p)
            hi = max(hi, e)
        return out

    def first_rtx_delay(self):
        """(segment, s after our last flight ACK) of the first
        retransmission, or None (also when the case stopped before its
        flight's ACKs went: the case's own why says why)."""
        if not hasattr(self, "t_flight"):
            return None
        hi = 0
        for p in self.data():
            s, e = self.off(p)
            if s < hi:
                return seg_name(s, e), float(p.time) - self.t_flight
            hi = max(hi, e)
        return None


def rto_drop(case, p, gap):
    """(c): ignore everything until the RTO, a data segment GAP s or
    more after both the data segment before it and our last ACK."""
    if "rto" not in case.extra and gap >= GAP:
        case.extra["rto"] = float(p.time)
    return "rto" not in case.extra


def dsack_cum_drop(case, p, gap):
    """(j): X's retransmission of 2 and the late original of 4 arrive,
    both ACKs lost; the next ACK (for the retransmission of 4) D-SACKs 4
    and acknowledges all.  Both are taken only when the resent 4 comes:
    all ACKed earlier would send the held original 2 before it."""
    s, e = case.off(p)
    if s == MSS and "j" not in case.extra:
        case.extra["j"] = True
        return True
    if s == 3 * MSS and case.extra.get("j") is True:
        case.extra["j"] = "done"
        case.rcv.take(3 * MSS, 4 * MSS)
        case.rcv.take(MSS, 2 * MSS)
    return False


def dsack_old_drop(case, p, gap):
    """(k): the late originals of 2 and 4 come just before their
    retransmissions; our four ACKs leave in the order A1 (original 2:
    cumulative 3), A3 (original 4: all), A4 (D-SACK of 4), then A2
    (D-SACK of 2, cumulative 3: an old ACK below SND.UNA)."""
    s, e = case.off(p)
    if s == MSS and "k" not in case.extra:
        case.extra["k"] = [case.rcv.take(s, e), case.rcv.take(s, e)]
        return True
    if s == 3 * MSS and "k" in case.extra and "k4" not in case.extra:
        case.extra["k4"] = True
        a1, a2 = case.extra["k"]
        a3 = case.rcv.take(s, e)
        a4 = case.rcv.take(s, e)
        case.rcv.send([a1, a3, a4])
        time.sleep(0.1)
        case.before_dsack = cwnd_ssthresh(case.args.netns, case.fam, case.port)
        case.rcv.send([a2])
        return True
    return False


def eifel_drop(case, p, gap):
    """(l): the answer to X's retransmission of 2 echoes the TSval of
    the original 2, as a receiver would that got the original late."""
    s, e = case.off(p)
    if s == MSS and "l" not in case.extra:
        case.extra["l"] = True
        case.before_dsack = cwnd_ssthresh(case.args.netns, case.fam, case.port)
        case.rcv.ecr = ts_of(case.flight_pkts[1])[0]
    return False


def eifel_rtx_drop(case, p, gap):
    """(l), the control: it echoes the retransmission's own TSval."""
    s, e = case.off(p)
    if s == MSS and "l" not in case.extra:
        case.extra["l"] = True
        case.before_dsack = cwnd_ssthresh(case.args.netns, case.fam, case.port)
        case.rcv.ecr = ts_of(p)[0]
    return False


def spurious_drop(case, p, gap, control=False):
    """(m): X's fast retransmission of 1 is not answered; RTT_WAIT s
    after it, the ACK of the late original 1 (echoing its TSval)
    acknowledges 1-4; after WATCH s more, all of it.  With @control the
    ACK echoes the retransmission's own TSval instead."""
    s, e = case.off(p)
    if s != 0 or "m" in case.extra:
        return False
    case.extra["m"] = True
    left = float(p.time) + RTT_WAIT - time.time()
    if left > 0:
        time.sleep(left)
    case.rcv.ecr = ts_of(p if control else case.flight_pkts[0])[0]
    case.rcv.send([case.rcv.take(0, MSS)])
    case.extra["m_ack"] = case.rcv.acks[-1][0]
    time.sleep(WATCH)
    case.rcv.send([case.rcv.take(4 * MSS, TOTAL)])
    return True


def obs(args, wire, fam, port, name, order, drop=None, hold=(), rto=False,
        late=False, total=TOTAL, hs_rtt=PATH_RTT, dsack=False, ts=False,
        edge=None):
    """One case: a dict of what was seen, or why it stopped."""
    case = Case(args, wire, fam, port, total, edge=edge)
    try:
        why = case.run(order, drop, hold, rto, late, hs_rtt, ts)
        if case.c is None:	# no connection, nothing seen: say why
            r = {"rtx": [], "why": why}
            print(f"# {fam} {name}: {r}", flush=True)
            return r
        r = {"rtx": case.record()}
        if hasattr(case, "lag"):
            r["lag"] = round(case.lag, 3)
            r["spread"] = round(case.spread, 3)
        if why:
            r["why"] = why
        if case.dropped:
            r["ignored"] = case.dropped
        if "rto" in case.extra:
            r["rto_at"] = case.record(case.extra["rto"])
        if hold or dsack:
            r["before_dsack"] = case.before_dsack
            time.sleep(0.1)
            r["after_dsack"] = cwnd_ssthresh(args.netns, fam, port)
        if hasattr(case, "lag"):
            t0 = case.rcv.acks[0][0]
            early = [x for x, p in zip(case.record(), case.rtx_pkts())
                     if float(p.time) < t0]
            if early:
                r["early"] = early
        d = case.first_rtx_delay()
        if d:
            r["first"] = f"{d[0]} after {d[1]:.3f} s"
            r["first_s"] = d[1]
        if rto:
            r["rto"] = getattr(case, "rto", None)
        if late and case.rcv.acks:
            # The data segments X sent after our first ACK, in order,
            # and its cwnd and ssthresh once all is ACKed.
            t0 = case.rcv.acks[0][0]
            r["next"] = [seg_name(*case.off(p))
                         for p in case.data()
                         if float(p.time) > t0][:4]
            r["end"] = cwnd_ssthresh(args.netns, fam, port)
        print(f"# {fam} {name}: {r}", flush=True)
        return r
    finally:
        case.close()


def prr_obs(args, wire, fam, port):
    """Case (i): a dict of what was seen, or why it stopped."""
    case = Case(args, wire, fam, port, total=PRR_SEGS * MSS)
    r = {}
    try:
        why = case.flight_due(list(range(2, NSEG + 1)))
        if why:
            r["why"] = why
            return r
        # The first two ACKs built (SACK 2, SACK 2-3) are not sent.
        for a in case.flight[2:]:
            case.rcv.send([a])
            time.sleep(PRR_STEP)
        # The last count has no next ACK to end it: more time.
        time.sleep(2 * PRR_STEP)
        sent = case.data()[NSEG:]
        times = [t for t, ack in case.rcv.acks] + [float("inf")]
        r["cum"] = [sum(1 for p in sent if float(p.time) < t)
                    for t in times[1:]]
        r["sent"] = [seg_name(*case.off(p)) for p in sent]
        if any(case.off(p)[0] == 0 for p in sent):
            case.rcv.send([case.rcv.take(0, MSS)])
            time.sleep(PRR_STEP)
            r["end"] = cwnd_ssthresh(args.netns, fam, port)
        return r
    except Exception as e:	# report, go on with the next case
        r["why"] = f"exception {e!r}"
        return r
    finally:
        print(f"# {fam} prr: {r}", flush=True)
        case.close()


def tlp_loss_obs(args, wire, fam, port, hole=None):
    """Case (n), or with @hole (an index into the second write's ten
    segments) case (o): a dict of what was seen, or why it stopped."""
    case = Case(args, wire, fam, port, total=2 * TOTAL,
                writes=[f"write:{TOTAL}", "stdin"])
    r = {}
    try:
        why = case.flight_due(list(range(1, NSEG)), hs_rtt=HS_RTT)
        if why:
            r["why"] = why
            return r
        case.rcv.send(case.flight)
        t_acks = time.time()
        deadline = time.monotonic() + RUN
        while len(case.data()) <= NSEG:
            if time.monotonic() > deadline:
                r["why"] = f"no probe in {RUN} s"
                return r
            time.sleep(0.01)
        probe = case.data()[NSEG]
        r["probe"] = seg_name(*case.off(probe))
        r["probe_s"] = round(float(probe.time) - t_acks, 3)
        if case.off(probe) != ((NSEG - 1) * MSS, NSEG * MSS):
            r["why"] = "the probe was not a resent 10"
            return r
        case.rcv.send([case.rcv.take(*case.off(probe))])
        time.sleep(0.1)
        r["before"] = cwnd_ssthresh(args.netns, fam, port)
        # The second write only now: the probe was the resent 10, and
        # nothing new went before our ACK of it.
        case.more_actions(f"write:{TOTAL}")
        while True:
            new = [p for p in case.data() if case.off(p)[0] >= TOTAL]
            if len(new) >= NSEG or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        r["new"] = [seg_name(*case.off(p)) for p in new]
        if len(new) < NSEG:
            r["why"] = f"{len(new)} of the second write's segments"
            return r
        # Ten distinct new segments, none resent before our ACK: an RTO
        # there (the test bed later than X's timer) would set ssthresh
        # itself and say nothing about the probe.
        if len({case.off(p) for p in new}) < len(new):
            r["why"] = "X resent new data before our ACK: the test bed was late"
            return r
        if hole is None:
            # One ACK of all of it.
            acks = [case.rcv.take(*case.off(p)) for p in new]
            case.rcv.send(acks[-1:])
        else:
            # Each segment ACKed as it came, but @hole: the first ACK
            # passes the probe's SND.NXT, those after the hole SACK
            # what is above it.
            r["hole"] = seg_name(*case.off(new[hole]))
            acks = [case.rcv.take(*case.off(p))
                    for i, p in enumerate(new) if i != hole]
            case.rcv.send(acks[:hole])
            time.sleep(0.1)
            r["mid"] = cwnd_ssthresh(args.netns, fam, port)
            case.rcv.send(acks[hole:])
        time.sleep(0.2)
        r["end"] = cwnd_ssthresh(args.netns, fam, port)
        if hole is not None:
            r["resent"] = sum(case.off(p) == case.off(new[hole])
                              for p in case.data()) - 1
        return r
    except Exception as e:	# report, go on with the next case
        r["why"] = f"exception {e!r}"
        return r
    finally:
        print(f"# {fam} tlp loss{'' if hole is None else ', hole'}: {r}",
              flush=True)
        case.close()


def segs(r, upto=None, frm=None):
    """The segment numbers of record @r, from index @frm to @upto."""
    return [x.split("@")[0] for x in r["rtx"][frm:upto]]


def ok(r):
    return isinstance(r, dict) and "why" not in r


def late_undone(r):
    """Both holes resent once each; reduced before the last D-SACK
    (ssthresh set), and after it ssthresh back to the initial slow
    start's and cwnd above its reduced value."""
    if not ok(r) or segs(r) != ["2", "4"]:
        return False
    b, a = r.get("before_dsack"), r.get("after_dsack")
    return (b is not None and a is not None and b[1] != -1 and
            a[1] == -1 and a[0] > b[0])


def eifel_cases(args, tap, both, xresult, missing):
    """Case (l), see the top."""
    knob_both(args.netns, "tcp_timestamps", 1, missing)
    n, x = both("eifel", [1] + list(range(3, 11)), drop=eifel_drop,
                dsack=True, ts=True)
    m, y = both("eifel control", [1] + list(range(3, 11)),
                drop=eifel_rtx_drop, dsack=True, ts=True)
    knob_both(args.netns, "tcp_timestamps", 0, missing)

    def undone(r):
        if not ok(r) or segs(r) != ["2"]:
            return False
        b, a = r.get("before_dsack"), r.get("after_dsack")
        return (b is not None and a is not None and b[1] != -1 and
                a[1] == -1 and a[0] > b[0])

    def kept(r):
        a = ok(r) and segs(r) == ["2"] and r.get("after_dsack")
        return bool(a) and a[1] != -1
    tap.result(undone(n) and kept(m),
               "eifel: native undoes when the ACK of the resent 2 echoes "
               "the original's TSval, not when it echoes the "
               "retransmission's (sanity)", f"echo original {n}, echo "
               f"retransmission {m}")
    xresult(ok(n) and undone(x) and kept(y),
            "eifel: xtcp undoes by the TSecr as native, and only then "
            "[undo]", f"native {n} / {m}, xtcp {x} / {y}")


def spurious_cases(args, tap, both, xresult, missing):
    """Case (m), see the top."""
    knob_both(args.netns, "tcp_timestamps", 1, missing)
    n, x = both("spurious rtx acked", [2, 3, 4], drop=spurious_drop,
                ts=True)
    cn, cx = both("rtx acked", [2, 3, 4], ts=True,
                  drop=lambda c, p, g: spurious_drop(c, p, g, True))
    knob_both(args.netns, "tcp_timestamps", 0, missing)

    def only_1(r):
        return ok(r) and segs(r) == ["1"]
    tap.result(only_1(n),
               "spurious rtx acked: native resends 1 and nothing when the "
               "ACK of the original 1 comes an RTT later (sanity)", str(n))
    xresult(ok(n) and only_1(x),
            "spurious rtx acked: xtcp's RACK does not take the "
            "retransmission for the ACK of the original [rack]",
            f"native {n}, xtcp {x}")

    # The control: the ACK echoes the retransmission's TSval, so it is
    # for the retransmission, and RACK takes its send time: 5, sent
    # before it and not SACKed an RTT later, is lost and resent next.
    def one_then_5(r):
        return ok(r) and segs(r)[:2] == ["1", "5"]
    tap.result(one_then_5(cn),
               "rtx acked (control): native resends 1, then 5 once the ACK "
               "of the retransmission moves RACK (sanity)", str(cn))
    xresult(ok(cn) and one_then_5(cx),
            "rtx acked (control): xtcp's RACK takes the retransmission "
            "for its own ACK, as native's [rack]",
            f"native {cn}, xtcp {cx}")


def late_dsack_cases(tap, both, xresult):
    """Cases (j) and (k), see the top."""
    n, x = both("dsack cumacked", [1, 3] + list(range(5, 11)),
                drop=dsack_cum_drop, hold=(2,))
    tap.result(late_undone(n),
               "dsack cumacked: native counts the D-SACK of data the same "
               "ACK acknowledges and undoes on the next D-SACK (sanity)",
               str(n))
    xresult(ok(n) and late_undone(x),
            "dsack cumacked: xtcp counts the D-SACK of data the same ACK "
            "acknowledges and undoes, as native [undo]",
            f"native {n}, xtcp {x}")
    n, x = both("dsack old ack", [1, 3] + list(range(5, 11)),
                drop=dsack_old_drop, dsack=True)
    tap.result(late_undone(n),
               "dsack old ack: native undoes on an old ACK's D-SACK "
               "(sanity)", str(n))
    xresult(ok(n) and late_undone(x),
            "dsack old ack: xtcp undoes on an old ACK's D-SACK, as native "
            "[undo]", f"native {n}, xtcp {x}")


def main():
    args = wire_args(argparse.ArgumentParser(), "--netns", "--peer"
                     ).parse_args()
    # The sniffer thread dissects while we send a flight's ACKs: hand
    # the GIL over sooner than every 5 ms, so that they go back to back.
    sys.setswitchinterval(0.0002)
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac,
                bpf=f"tcp and src host {args.dst} and dst host {args.src}")
    missing = set()
    for k, v in (("tcp_sack", 1), ("tcp_timestamps", 0),
                 ("tcp_window_scaling", 0), ("tcp_dsack", 1),
                 ("tcp_recovery", 1), ("tcp_reordering", 3),
                 ("tcp_frto", 2), ("tcp_no_metrics_save", 1)):
        knob_both(args.netns, k, v, missing)
    tap = Tap(2 + 3 + 3 + 3 + 2 + 2 + 3 + 2 + 2 + 4 + 2 + 2 + 2 + 1 + 2 + 2
              + 2)
    port = 7700
    # Native, the reference, resent the flight's head before our first
    # ACK (its RTO from a handshake of PATH_RTT fired first), or, on a
    # kernel XTCP_SLOW times slower, stopped for any reason: the test
    # bed was later than the case assumes (python on the debug kernel of
    # make check-debug lags about 4 s), so neither stack's result says
    # anything, and every check of the case is a skip saying so.  Not
    # for native early in a case that waits for the RTO on purpose
    # (late=True).  late["why"] holds for the results after a both() (or
    # two, for a case that compares two pairs) until the next case.
    late = {"why": None, "fresh": False}
    tap_result = tap.result

    def result(good, name, why=""):
        late["fresh"] = False
        if late["why"]:
            return tap_result(None, name, late["why"])
        return tap_result(good, name, why)
    tap.result = result

    def both(name, *a, **kw):
        nonlocal port
        if not late["fresh"]:
            late["why"] = None
            late["fresh"] = True
        out = []
        for fam in FAMILIES:
            port += 1
            subprocess.run(["ip", "netns", "exec", args.netns, "ip",
                            "tcp_metrics", "flush", "all"],
                           capture_output=True)
            try:
                out.append(obs(args, wire, fam, port, name, *a, **kw))
            except Exception as e:	# report, go on with the next case
                out.append(f"exception {e!r}")
                print(f"# {fam} {name}: {out[-1]}", flush=True)
        n = out[0]
        if late["why"] or not isinstance(n, dict):
            return out
        if not kw.get("late") and n.get("early"):
            late["why"] = (f"native retransmitted before our first ACK "
                           f"(lag {n.get('lag')} s): the test bed was "
                           f"late, {name} says nothing")
        elif SLOW > 1 and "why" in n:
            # Our handshake ACK came after X's 1 s SYN-ACK timer: X
            # starts from one segment (RFC 5681 s.3.1), not the flight
            # the case is built on.
            late["why"] = (f"XTCP_SLOW {SLOW}: the test bed was later "
                           f"than X's timers, native stopped: {n['why']}")
        elif (SLOW > 1 and isinstance(out[1], dict) and
              out[1].get("why", "").startswith("initial flight")):
            # The same for xtcp alone: its SYN-ACK timer fired before
            # our held ACK came (1 s, not scaled), native's did not.
            late["why"] = (f"XTCP_SLOW {SLOW}: the test bed was later "
                           f"than xtcp's SYN-ACK timer: {out[1]['why']}")
        return out

    def xresult(good, name, why):
        """An xtcp check: one whose [step] is still in PENDING reports a
        failure as a skip naming the step, so make check stays green
        until the step lands and the check counts from then on."""
        step = name[name.rindex("[") + 1:-1]
        if not good and step in PENDING:
            tap.result(None, name, f"needs {step} (issue 10, not built "
                       f"yet): {why}")
        else:
            tap.result(good, name, why)

    knob_both(args.netns, "tcp_early_retrans", 0, missing)

    # (a) one loss
    n, x = both("one loss", [1] + list(range(3, 11)))
    tap.result(ok(n) and segs(n) == ["2"],
               "one loss: native resends segment 2 and nothing else "
               "(sanity)", str(n))
    xresult(ok(n) and ok(x) and segs(x) == segs(n),
            "one loss: xtcp resends what native resends [scoreboard]",
            f"native {n}, xtcp {x}")

    # (b) holes SACKed out of order
    n, x = both("holes", [1, 9, 7, 5, 3, 10, 8])

    def early_last(r):
        """The last hole (6) went before our ACK reached hole 4."""
        return ok(r) and any(v.startswith("6@") and int(v[2:]) <= 3
                             for v in r["rtx"])
    tap.result(ok(n) and segs(n) == ["2", "4", "6"] and early_last(n),
               "holes: native resends 2, 4, 6 in order, 6 before our ACK "
               "reaches 4 (sanity)", str(n))
    xresult(ok(n) and ok(x) and segs(x) == segs(n),
            "holes: xtcp resends only the holes, in order, as native "
            "[RACK]",
            f"native {n}, xtcp {x}")
    xresult(early_last(x),
            "holes: xtcp resends the last hole before our ACK reaches "
            "the hole before it (no round trip per hole) [scoreboard]",
            f"native {n}, xtcp {x}")

    # (c) after an RTO
    n, x = both("after RTO", [1, 3, 5, 6, 7, 8, 9, 10], drop=rto_drop)

    def after(r):
        return segs(r, frm=r.get("rto_at", 0)) if ok(r) else None

    def before(r):
        return segs(r, upto=r.get("rto_at")) if ok(r) else None
    tap.result(ok(n) and "rto_at" in n and after(n) == ["2", "4"] and
               before(n) == ["2", "4"],
               "after RTO: native resends 2 and 4 before the RTO and only "
               "2 and 4 after it (sanity)", str(n))
    xresult(ok(x) and "rto_at" in x and after(x) == after(n),
            "after RTO: xtcp resends no SACKed segment after the RTO, "
            "as native [scoreboard]", f"native {n}, xtcp {x}")
    xresult(ok(x) and "rto_at" in x and before(x) == before(n),
            "after RTO: before the RTO xtcp resends both holes, as "
            "native [scoreboard]", f"native {n}, xtcp {x}")

    # (p) a hole beyond a shrunk window
    n, x = both("shrunk window", [1, 3, 4, 5, 7, 8, 9, 10],
                edge=5 * MSS)

    def six_after_edge(r):
        """2 resent, then 6 only once our ACK covered 1-5."""
        return (ok(r) and segs(r) == ["2", "6"] and
                int(r["rtx"][1].split("@")[1]) >= 5)
    m, y = both("shrunk window control", [1, 3, 4, 5, 7, 8, 9, 10])

    def six_early(r):
        """2 and 6 resent, 6 before our ACK covered 1-5."""
        return (ok(r) and segs(r) == ["2", "6"] and
                int(r["rtx"][1].split("@")[1]) < 5)
    tap.result(six_after_edge(n) and six_early(m),
               "shrunk window: native resends 2 at once, and 6, beyond "
               "the window's right edge, only once our ACK moved it; "
               "with the window open, before (sanity)",
               f"shrunk {n}, control {m}")
    xresult(ok(n) and ok(x) and x["rtx"] == n["rtx"] and
            six_early(y),
            "shrunk window: xtcp resends nothing beyond the peer's "
            "window, as native, and 6 early with the window open "
            "[scoreboard]", f"native {n}, xtcp {x}; control native "
            f"{m}, xtcp {y}")

    # (f) reordering, no loss
    n, x = both("reorder unseen", list(range(1, 6)) + [7, 8, 9, 10, 6])
    m, y = both("reorder adapted", [1, 3, 4, 2, 5, 7, 8, 9, 10, 6])
    tap.result(ok(n) and segs(n) == ["6"] and ok(m) and segs(m) == [],
               "reordering: native resends 6 when it had seen no "
               "reordering, nothing once it had (sanity)",
               f"unseen {n}, adapted {m}")
    xresult(ok(x) and segs(x) == segs(n),
            "reordering: with no reordering seen before, xtcp resends "
            "6 as native [scoreboard]", f"native {n}, xtcp {x}")
    xresult(ok(y) and segs(y) == segs(m),
            "reordering: once reordering was seen, xtcp resends "
            "nothing, as native [RACK]", f"native {m}, xtcp {y}")

    # (g) (b)'s holes, duplicate threshold only
    knob_both(args.netns, "tcp_recovery", 0, missing)
    n, x = both("holes dupthresh", [1, 9, 7, 5, 3, 10, 8])
    knob_both(args.netns, "tcp_recovery", 1, missing)
    tap.result(ok(n) and segs(n) == ["2", "4", "6"],
               "holes, tcp_recovery 0: native resends 2, 4, 6 and not "
               "3 or 5 (sanity)", str(n))
    xresult(ok(n) and ok(x) and segs(x) == segs(n),
            "holes, tcp_recovery 0: xtcp resends what native resends, "
            "its duplicate threshold raised by the reordering as native's "
            "[reordering]", f"native {n}, xtcp {x}")

    # (h) spurious RTO, F-RTO
    n, x = both("spurious RTO", list(range(1, 11)), late=True,
                total=2 * TOTAL)

    def frto(r):
        """Only segment 1 resent (the RTO's), the two segments after our
        first ACK new data (11, 12), and at the end ssthresh back to the
        initial slow start's (-1) and cwnd at least the flight's 10."""
        e = ok(r) and r.get("end")
        return (ok(r) and segs(r) == ["1"] and
                r.get("next", [])[:2] == ["11", "12"] and
                e is not None and e[1] == -1 and e[0] >= NSEG)
    tap.result(frto(n),
               "spurious RTO: native resends only the head at the RTO, "
               "sends new data on the first ACK of an original and "
               "undoes the reduction (F-RTO, sanity)", str(n))
    xresult(ok(n) and ok(x) and segs(x) == segs(n) and
            x.get("next", [])[:2] == n.get("next", [])[:2] and frto(x),
            "spurious RTO: xtcp sends what native sends after the RTO "
            "and undoes the reduction, as native [F-RTO]",
            f"native {n}, xtcp {x}")

    # (i) proportional rate reduction, Reno for both
    cc = {}
    for ns in ("ipv4", "xtcp"):
        cc[ns] = subprocess.run(["ip", "netns", "exec", args.netns,
                                 "sysctl", "-n",
                                 f"net.{ns}.tcp_congestion_control"],
                                capture_output=True, text=True
                                ).stdout.strip()
    knob_both(args.netns, "tcp_congestion_control", "reno", missing)
    out = []
    late["why"] = None	# not a both() case
    for fam in FAMILIES:
        port += 1
        subprocess.run(["ip", "netns", "exec", args.netns, "ip",
                        "tcp_metrics", "flush", "all"], capture_output=True)
        out.append(prr_obs(args, wire, fam, port))
    for ns in ("ipv4", "xtcp"):
        if cc[ns]:
            subprocess.run(["ip", "netns", "exec", args.netns, "sysctl",
                            "-qw", f"net.{ns}.tcp_congestion_control="
                            f"{cc[ns]}"], capture_output=True)
    n, x = out
    if SLOW > 1 and isinstance(n, dict) and "why" in n:
        # As in both(): native stopped on a test bed later than X's
        # timers (its initial flight after a resent SYN-ACK).
        late["why"] = (f"XTCP_SLOW {SLOW}: the test bed was later than "
                       f"X's timers, native stopped: {n['why']}")

    def near(a, b):
        """Cumulative counts @a and @b: as many ACKs, within one after
        each, the same in the end."""
        return (len(a) == len(b) and a[-1] == b[-1] and
                all(abs(i - j) <= 1 for i, j in zip(a, b)))

    def ended(r):
        """cwnd == ssthresh (set) just after the recovery."""
        e = r.get("end")
        return e is not None and e[1] != -1 and e[0] == e[1]
    tap.result("why" not in n and near(n.get("cum", []), PRR_CUM) and
               n["sent"] == ["1", "11", "12", "13", "14"] and ended(n),
               "prr: native resends 1 and sends 11-14, 2 2 3 3 3 4 5 "
               "(within one) over the ACKs of the recovery, and cwnd is "
               "ssthresh after it (sanity)", str(n))
    xresult("why" not in n and "why" not in x and
            near(x.get("cum", []), n["cum"]) and x["sent"] == n["sent"],
            "prr: xtcp sends what native sends over the ACKs of the "
            "recovery, within one segment after each [PRR]",
            f"native {n}, xtcp {x}")
    xresult("why" not in n and ended(n) and ended(x) and
            x["end"] == n["end"],
            "prr: after the recovery xtcp's cwnd is ssthresh, as "
            "native's [PRR]", f"native {n}, xtcp {x}")

    late_dsack_cases(tap, both, xresult)
    eifel_cases(args, tap, both, xresult, missing)

    # (m) a spurious retransmission's ACK
    spurious_cases(args, tap, both, xresult, missing)

    knob_both(args.netns, "tcp_early_retrans", 3, missing)

    # (e) tail loss probe
    # Our handshake ACK goes HS_RTT after the SYN-ACK, as in (d) (see
    # there): at PATH_RTT it raced the SYN-ACK's 1 s timer, and a CI run
    # saw xtcp resend it, take no handshake RTT sample and probe at its
    # 1 s initial probe timeout, 0.011 s before our last flight ACK.
    n, x = both("tail loss", list(range(1, 9)), rto=True, hs_rtt=HS_RTT)

    def probed(r):
        """The first retransmission came before the RTO X had then."""
        return (ok(r) and r.get("rto") is not None and
                r.get("first_s") is not None and r["first_s"] < r["rto"])
    tap.result(ok(n) and segs(n) == ["10", "9"] and probed(n),
               "tail loss: native probes with 10 before its RTO, then "
               "resends 9 (sanity)", str(n))
    xresult(ok(x) and segs(x) == segs(n) and probed(x),
            "tail loss: xtcp probes the tail before its RTO, then "
            "resends the hole, as native [RACK-TLP]",
            f"native {n}, xtcp {x}")
    # When: about two RTTs after our last ACK (RFC 8985 s.7.2, PTO = 2
    # SRTT, the flight's RTT samples about PATH_RTT after a handshake
    # sample of HS_RTT), the same moment as native's within a fifth of
    # the path's RTT.  Measured under TCG with a handshake RTT of
    # PATH_RTT: native 2.052 s, xtcp 2.021 s after our last ACK
    # (PATH_RTT 1 s; native's timer_list rounds up to its wheel's
    # granularity).
    tol = 0.2 * PATH_RTT
    xresult(probed(n) and probed(x) and
            as_native_time(x["first_s"], n["first_s"], tol),
            f"tail loss: xtcp probes about two RTTs after the last ACK, "
            f"within {tol:.1f} s of native [RACK-TLP]",
            f"native {n.get('first') if isinstance(n, dict) else n}, "
            f"xtcp {x.get('first') if isinstance(x, dict) else x}, "
            f"PATH_RTT {PATH_RTT} s")

    def tlp_pair(hole=None):
        """tlp_loss_obs() for native, then xtcp (not a both() case:
        each family on its own, one after the other); a native run that
        stopped late, or xtcp's SYN-ACK timer before our held ACK under
        XTCP_SLOW (as in both()), makes the checks skips."""
        nonlocal port
        out = []
        late["why"] = None
        for fam in FAMILIES:
            port += 1
            subprocess.run(["ip", "netns", "exec", args.netns, "ip",
                            "tcp_metrics", "flush", "all"],
                           capture_output=True)
            out.append(tlp_loss_obs(args, wire, fam, port, hole))
        n, x = out
        if "why" in n and (SLOW > 1 or "late" in n["why"]):
            late["why"] = (f"the test bed was later than X's timers, "
                           f"native stopped: {n['why']}")
        elif SLOW > 1 and x.get("why", "").startswith("initial flight"):
            late["why"] = (f"XTCP_SLOW {SLOW}: the test bed was later "
                           f"than xtcp's SYN-ACK timer: {x['why']}")
        return n, x

    # (n) a tail loss the probe repaired: ssthresh from cwnd, as
    # native's.
    n, x = tlp_pair()

    def reduced(r):
        """Not reduced before our ACK of the new data, reduced after."""
        e, b = r.get("end"), r.get("before")
        return ("why" not in r and b is not None and b[1] == -1 and
                e is not None and e[1] != -1)
    tap.result(reduced(n), "tlp loss: native's probe of 10 repaired the "
               "tail and the window was reduced once (sanity)", str(n))
    xresult(reduced(n) and reduced(x) and x["end"] == n["end"],
            "tlp loss: xtcp reduces cwnd and ssthresh as native does, "
            "from cwnd, not from what was left in flight after the ACK "
            "that showed the repair [RACK-TLP]", f"native {n}, xtcp {x}")

    # (o) a loss right after the repaired tail: recovery, as native's.
    n, x = tlp_pair(hole=2)

    def twice(r):
        """Reduced for the probe's repair (ssthresh set by the ACKs
        before the hole), then again for the hole (ssthresh lower), the
        hole resent."""
        b, m, e = r.get("before"), r.get("mid"), r.get("end")
        return ("why" not in r and b is not None and b[1] == -1 and
                m is not None and m[1] != -1 and e is not None and
                e[1] < m[1] and r.get("resent", 0) >= 1)
    tap.result(twice(n), "tlp loss, then a hole: native starts fast "
               "recovery for the hole, a second reduction (sanity)",
               f"native {n}")
    xresult(twice(n) and twice(x) and x["mid"] == n["mid"] and
            x["end"] == n["end"],
            "tlp loss, then a hole: xtcp starts fast recovery as native "
            "does, no once-per-window gate after the probe's reduction "
            "[RACK-TLP]", f"native {n}, xtcp {x}")

    # (d) D-SACK undo.  Our handshake ACK goes HS_RTT after the
    # SYN-ACK, not PATH_RTT: the SYN-ACK's RTO is 1 s in both stacks
    # (TCP_TIMEOUT_INIT, not scaled by XTCP_SLOW), and an ACK at 1.0 s
    # races it; a resent SYN-ACK leaves X without a handshake RTT sample
    # (Karn, tcp_synack_rtt_meas()), its probe timeout is then 1 s and
    # the probe goes before our first ACK (seen for xtcp, whose SYN-ACK
    # timer is exact, in the runs of the TLP and undo steps; native's,
    # rounded up by the kernel's timer wheel, won the race).  With a 0.8 s sample the probe timeout is
    # about 1.6 s, after the flight's ACKs at PATH_RTT.
    n, x = both("dsack undo", [1] + list(range(3, 11)), hold=(2,),
                hs_rtt=HS_RTT)

    def undone(r):
        """Reduced before the D-SACK (ssthresh set), and after it
        ssthresh is back to the initial slow start's and cwnd above its
        reduced value."""
        if not ok(r) or segs(r) != ["2"]:
            return False
        b, a = r.get("before_dsack"), r.get("after_dsack")
        return (b is not None and a is not None and b[1] != -1 and
                a[1] == -1 and a[0] > b[0])
    names = ("dsack undo: native resends 2 once and undoes the reduction "
             "on the D-SACK (sanity)",
             "dsack undo: xtcp resends 2 once and undoes the reduction on "
             "the D-SACK, as native [undo]")
    # Native's tail loss probe (tcp_early_retrans 3 here) fired before
    # our first ACK: it met a receiver later than the case assumes (seen
    # with three VMs on two cores: lag 1.128 s, for native and for
    # xtcp), there is no lone spurious retransmission of 2 to undo, and
    # both checks are skips saying so (without native's result xtcp's
    # has nothing to compare with).  xtcp's probe alone early is a skip
    # only if our first ACK to xtcp was itself late (lag above 1.5
    # PATH_RTT: seen 2.72 s under load); else it is xtcp's failure.
    def early(fam, r):
        if isinstance(r, dict) and r.get("early"):
            return f"{fam} retransmitted before our first ACK: {r}"
        return None
    why_n, why_x = early("native", n), early("xtcp", x)
    if why_n:
        tap.result(None, names[0], why_n)
        tap.result(None, names[1], why_n)
    else:
        tap.result(undone(n), names[0], str(n))
        if why_x and x.get("lag", 0) > 1.5 * PATH_RTT:
            tap.result(None, names[1], f"our ACKs late: {why_x}")
        else:
            xresult(undone(x) and not why_x, names[1],
                    why_x or f"native {n}, xtcp {x}")

    if missing:
        print(f"# net.xtcp knobs missing: {' '.join(sorted(missing))}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
