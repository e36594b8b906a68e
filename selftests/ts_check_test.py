#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# ts_check_test: run by selftests/ts_check.sh.  Each case runs once for
# native TCP (AF_INET, the oracle) and once for xtcp, each against its
# own selftests/wire_peer in namespace X; xtcp must answer as native did
# (plus a sanity check of native's own answer, so that a case that sees
# nothing cannot pass).
#
# - PAWS and a SYN (tcp_validate_incoming()): a SYN whose TSval fails
#   PAWS on an established connection.  Linux 6.1 answers it as PAWS
#   answers any segment, with a duplicate ACK (tcp_send_dupack()), not
#   with the challenge ACK (RFC 5961 s.4) later kernels send there.  The
#   two differ on the wire: with net.*.tcp_challenge_ack_limit 0 no
#   challenge ACK may go (a duplicate ACK does), and with SACK on and the
#   SYN at RCV.NXT - 1 a duplicate ACK carries a D-SACK block (a
#   challenge ACK none).
# - SYN-ACK TSecr (tcp_rcv_synsent_state_process(), PAWSActiveRejected):
#   a SYN-ACK whose TSecr is not a time between our first SYN and now
#   (later than now, or before the SYN) is answered with a RST and the
#   connection stays in SYN-SENT: its SYN is sent again.  Linux bounds it
#   with retrans_stamp, the TS clock (ms) of the first SYN, which is that
#   SYN's TSval less tsoffset: so the edges are exact, and the cases at
#   them deterministic.  TSecr = the SYN's TSval is taken, 1 ms before it
#   refused, 1 ms after it (answered 50 ms later) taken; answering the
#   SYN sent again after the RTO, the first SYN's TSval is still taken
#   (the bound does not move with a retransmission).  These cases add
#   10-20 s under TCG on a loaded host (measured; 1-3 s a case and
#   family, an RTO of it where the SYN comes again).  A
#   bound kept in jiffies (xtcp before syn_ts) took 1 ms before (it
#   started up to two jiffies early) and refused the SYN's own TSval
#   whenever jiffies lagged the clock (seen under TCG).
# - The MSS we advertised, once timestamps are on (Linux lowers advmss by
#   the option's 12 bytes when the connection opens with them: SYN-SENT
#   on the SYN-ACK in tcp_rcv_synsent_state_process(), SYN-RECEIVED on
#   the handshake's ACK in tcp_rcv_state_process()).  Seen on the wire
#   through the receive window: with SO_RCVBUF 21720 (a full space of
#   21720 bytes, fifteen 1448-byte segments, no window scaling)
#   tcp_init_buffer_space() keeps one advmss of it out of the window
#   (clamp = 21720 - advmss); once our 1448-byte segments have opened
#   the window (or, passively, used up the larger first one, which is
#   never shrunk), it stays at that clamp rounded down to the receive
#   MSS of 1448: 20272 with advmss 1448, 18824 with 1460.  X connects
#   (our SYN-ACK offers MSS 1460 and timestamps) or accepts, then reads;
#   the window of X's ACK of our last segment is compared.  Each segment
#   goes DATA_GAP s after the ACK of the one before, so that the reader
#   has taken it and only the new one uses the buffer.
# - The first window after a SYN sent again twice (RFC 5681 s.3.1,
#   tcp_init_transfer(): one segment after more than one resend), unless
#   the SYN-ACK echoes the first SYN's TSval: the resends were spurious
#   (tcp_try_undo_spurious_syn()).  X connects and writes three segments;
#   we answer its third SYN, echoing the first's TSval or its own, and
#   count the data segments X sends in FLIGHT_WAIT s: native 3 and 1.
#   (selftests/synack_rtt.sh has the listener's side.)
# - A segment dropped for want of receive memory (tcp_data_queue(),
#   tcp_try_rmem_schedule() failing, TCPRcvQDrop): Linux 6.1 drops it
#   without scheduling an ACK, where a duplicate or a segment beyond the
#   window gets one at once.  X accepts, then lowers SO_RCVBUF to its
#   minimum and does not read; we send DATA_SEGS segments of 1000 bytes
#   at once, inside the window it advertised, and count X's ACKs that
#   acknowledge nothing new (native: none; its ACKs of the segments it
#   took run in quick-ACK mode).  Not a timestamp case, but a reply to a
#   segment a connection must not take.
#
# No timing assertion: an answer is waited for ANSWER_WAIT s (TCG delays
# an immediate ACK by tens of ms at most, /work/shared/vm-notes.md), the
# SYN again for SYN_AGAIN_WAIT s (the 1 s initial RTO).

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, XPeer as Peer,  # noqa: E402
                     flags, ManualConn as Conn, describe, seq_add, wire_args,
                     M32, sysctl_both, opt_area, walk, family_runner,
                     ts_opts, ts_of, s32)
from scapy.layers.inet import TCP  # noqa: E402
from slow import slow  # noqa: E402

FAMILIES = ("inet", "xtcp")
TSV = 0x20000000	# our TSval base
ANSWER_WAIT = 1.0
START_WAIT = 5.0	# s, scaled: a wire_peer's start up to its first SYN
SYN_AGAIN_WAIT = 3.0
RATE_GAP = 0.6		# past tcp_invalid_ratelimit (500 ms)
NO_LIMIT = 2147483647	# tcp_challenge_ack_limit's default, INT_MAX


def has_sack(p):
    return any(k == 5 for k, _, _ in walk(opt_area(p)))


def obs_paws_syn(args, wire, fam, port):
    """A SYN at RCV.NXT - 1 with a TSval below ts_recent, on an
    established connection with SACK, sent with tcp_challenge_ack_limit
    0 and then with no limit: X's answer to each, "none", "ack" or
    "ack+sack" (an ACK with a SACK block)."""
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=1,
                tcp_window_scaling=0, tcp_challenge_ack_limit=NO_LIMIT)
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", "readall")
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c = Conn(wire, 20000 + port, port)
        m = c.send("S", ack=0, opts=[("MSS", 1460), ("SAckOK", b"")] +
                   ts_opts(TSV, 0))
        sa = c.wait_synack(m)
        if sa is None or ts_of(sa) is None:
            return f"no SYN-ACK with timestamps: {describe(sa)}"
        ecr = ts_of(sa)[0]
        c.established(sa)
        c.send("A", opts=ts_opts(TSV + 5, ecr))
        if peer.line(r"accepted") is None:
            return f"not accepted: {peer.text()}"
        seen = []
        for limit in (0, NO_LIMIT):
            sysctl_both(args.netns, tcp_challenge_ack_limit=limit)
            time.sleep(RATE_GAP)
            # TSval 10 below ts_recent: PAWS fails, well within 24 days.
            m = c.send("S", seq=c.isn, ack=0, opts=ts_opts(TSV - 5, 0))
            a = c.wait(m, lambda p: flags(p) & 0x10 and
                       not flags(p) & 0x07, ANSWER_WAIT)
            if a is None:
                seen.append("none")
            elif a[TCP].ack != c.snd_nxt:
                seen.append(describe(a))
            else:
                seen.append("ack+sack" if has_sack(a) else "ack")
        c.send("R", ack=0)
        return tuple(seen)
    finally:
        sysctl_both(args.netns, tcp_challenge_ack_limit=NO_LIMIT)
        peer.stop()


def obs_synack_tsecr(args, wire, fam, port, delta, gap=0.0, resent=False):
    """connect() from X; our SYN-ACK echoes X's first SYN's TSval + @delta
    (ms), sent @gap s after that SYN (with @resent, to the SYN X sends
    again after its 1 s RTO, the first left unanswered): (X's answer,
    "syn again" if X then sent its SYN again, or for an answer that ACKs
    the SYN-ACK what connect() returned)."""
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=0,
                tcp_window_scaling=0)
    m = wire.mark()
    peer = Peer(args, fam, "-c", f"{args.src}:{port}", "connect")
    try:
        syn = wire.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                        p[TCP].dport == port, slow(START_WAIT))
        if syn is None or ts_of(syn) is None:
            return f"no SYN with timestamps: {describe(syn)} {peer.text()}"
        c = Conn(wire, port, syn[TCP].sport)
        if resent:
            syn2 = c.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                          ts_of(p) != ts_of(syn), SYN_AGAIN_WAIT)
            if syn2 is None:
                return f"no second SYN {peer.text()}"
        c.isn = c.snd_nxt = 7000000 + port
        c.rcv_nxt = seq_add(syn[TCP].seq, 1)
        time.sleep(gap)
        m = c.send("SA", opts=[("MSS", 1460)] +
                   ts_opts(TSV, (ts_of(syn)[0] + delta) % M32))
        c.snd_nxt = seq_add(c.isn, 1)
        a = c.wait(m, lambda p: flags(p) & 0x14, ANSWER_WAIT)
        if a is None:
            got = "none"
        elif flags(a) & 0x04:
            got = f"rst seq={s32(a[TCP].seq - c.rcv_nxt)}"
        else:
            got = "ack" if a[TCP].ack == c.snd_nxt else describe(a)
        if got == "ack":
            # Established: no SYN can follow; what connect() said shows
            # that the ACK was X's acceptance.
            r = peer.line(r"connect ret=\S+ errno=\S+", ANSWER_WAIT)
            c.send("R", ack=0)
            return got, r.group(0) if r else f"no return {peer.text()}"
        again = c.wait(m, lambda p: flags(p) & 0x12 == 0x02,
                       SYN_AGAIN_WAIT)
        if again is not None:
            c.send("RA", seq=0, ack=seq_add(again[TCP].seq, 1))
        else:
            c.send("R", ack=0)
        return got, "syn again" if again is not None else "no syn"
    finally:
        peer.stop()


FLIGHT_WAIT = 1.0	# s after X's first data segment its first window is counted


def obs_syn_window(args, wire, fam, port, echo):
    """connect() from X, which then writes three segments of 1448 bytes;
    we leave its SYN and its first resend unanswered and answer the
    second resend with a SYN-ACK echoing the TSval of X's first SYN
    (@echo "first") or of that last one ("last"), then ACK nothing: the
    data segments X sends within FLIGHT_WAIT s of its first, or why
    not."""
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=0,
                tcp_window_scaling=0)
    m = wire.mark()
    peer = Peer(args, fam, "-c", f"{args.src}:{port}", "connect",
                "write:4344", "sleep:3000", secs=int(slow(10)))
    try:
        syns = []
        while len(syns) < 3:
            p = wire.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                          p[TCP].dport == port, slow(START_WAIT))
            if p is None or ts_of(p) is None:
                return f"SYNs with timestamps {len(syns)}: {peer.text()}"
            syns.append(p)
            with wire.cond:
                m = next(i for i in range(m, len(wire.pkts))
                         if wire.pkts[i] is p) + 1
        c = Conn(wire, port, syns[0][TCP].sport)
        c.isn = c.snd_nxt = 9000000 + port
        c.rcv_nxt = seq_add(syns[0][TCP].seq, 1)
        ecr = ts_of(syns[0] if echo == "first" else syns[-1])[0]
        m = c.send("SA", opts=[("MSS", 1460)] + ts_opts(TSV, ecr))
        c.snd_nxt = seq_add(c.isn, 1)
        d = c.wait(m, lambda p: len(p[TCP].payload) > 0, slow(ANSWER_WAIT))
        if d is None:
            return f"no data: {peer.text()}"
        time.sleep(max(0.0, float(d.time) + FLIGHT_WAIT - time.time()))
        with wire.cond:
            seqs = {p[TCP].seq for p in wire.pkts[m:]
                    if c.mine(p) and len(p[TCP].payload) > 0 and
                    float(p.time) <= float(d.time) + FLIGHT_WAIT}
        c.send("R", ack=0)
        return len(seqs)
    finally:
        peer.stop()


RCVBUF = 21720	# SO_RCVBUF: a full space of fifteen 1448-byte segments
DATA_SEGS = 6	# each adds at least 2 * 1448 to rcv_ssthresh
DATA_GAP = 0.1	# s, for the reader to take the segment before (TCG)


def obs_ts_advmss(args, wire, fam, port, side):
    """X with SO_RCVBUF RCVBUF opens a connection with timestamps,
    actively (@side "active") or passively, and reads: the window of X's
    ACK of the last of our DATA_SEGS segments of 1448 bytes, each sent
    DATA_GAP s after the one before is ACKed (all the windows, for the
    log)."""
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=0,
                tcp_window_scaling=0)
    prog = os.path.join(os.path.dirname(args.peer), "options_peer")
    if side == "active":
        m = wire.mark()
        peer = LinePeer(args.netns, prog, fam, "-t", "5", "-r", str(RCVBUF),
                        "-c", f"{args.src}:{port}", "wait", "readall")
    else:
        peer = LinePeer(args.netns, prog, fam, "-t", "5", "-r", str(RCVBUF),
                        "-l", f"{args.dst}:{port}", "readall")
    try:
        if side == "active":
            syn = wire.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                            p[TCP].dport == port, slow(START_WAIT))
            if syn is None or ts_of(syn) is None:
                return f"no SYN with timestamps: {describe(syn)}"
            c = Conn(wire, port, syn[TCP].sport)
            c.isn = c.snd_nxt = 8000000 + port
            c.rcv_nxt = seq_add(syn[TCP].seq, 1)
            ecr = ts_of(syn)[0]
            m = c.send("SA", opts=[("MSS", 1460)] + ts_opts(TSV, ecr))
            c.snd_nxt = seq_add(c.isn, 1)
            a = c.wait(m, lambda p: flags(p) & 0x10 and
                       not flags(p) & 0x02, ANSWER_WAIT)
            if a is None or ts_of(a) is None:
                return f"no ACK of the SYN-ACK: {describe(a)}"
        else:
            if peer.listening() is None:
                return f"peer: {peer.text()}"
            c = Conn(wire, 20000 + port, port)
            m = c.send("S", ack=0, opts=[("MSS", 1460)] + ts_opts(TSV, 0))
            a = c.wait_synack(m)
            if a is None or ts_of(a) is None:
                return f"no SYN-ACK with timestamps: {describe(a)}"
            c.established(a)
            c.send("A", opts=ts_opts(TSV, ts_of(a)[0]))
        wins = []
        for i in range(DATA_SEGS):
            ecr = ts_of(a)[0]
            time.sleep(DATA_GAP)
            m = c.send("PA", data=b"x" * 1448,
                       opts=ts_opts(TSV + 1 + i, ecr))
            c.snd_nxt = seq_add(c.snd_nxt, 1448)
            a = c.wait(m, lambda p: flags(p) & 0x10 and
                       p[TCP].ack == c.snd_nxt, ANSWER_WAIT)
            if a is None or ts_of(a) is None:
                return f"segment {i} not ACKed: {wins} {peer.text()}"
            wins.append(a[TCP].window)
        c.send("R", ack=0)
        return wins[-1], tuple(wins)
    finally:
        peer.stop()


def obs_memdrop(args, wire, fam, port):
    """Segments dropped for memory: (X's ACKs repeating an earlier ACK
    within ANSWER_WAIT s, whether all our data was acknowledged)."""
    sysctl_both(args.netns, tcp_timestamps=0, tcp_sack=0,
                tcp_window_scaling=0)
    prog = os.path.join(os.path.dirname(args.peer), "options_peer")
    peer = LinePeer(args.netns, prog, fam, "-t", "5", "-l",
                    f"{args.dst}:{port}", "rcvbuf:1", "sleep:4000", "close")
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c = Conn(wire, 20000 + port, port)
        why = c.handshake()
        if why:
            return why
        if peer.line(r"rcvbuf 1 ret=0") is None:
            return f"peer: {peer.text()}"
        m = wire.mark()
        for _ in range(DATA_SEGS):
            c.send("PA", data=b"y" * 1000)
            c.snd_nxt = seq_add(c.snd_nxt, 1000)
        time.sleep(ANSWER_WAIT)
        acks = [p[TCP].ack for p in c.sent(m, lambda p: flags(p) & 0x10)]
        c.send("R", ack=0)
        dups = sum(1 for i, a in enumerate(acks) if a in acks[:i])
        return dups, c.snd_nxt in acks
    finally:
        peer.stop()


def main():
    args = wire_args(argparse.ArgumentParser(), "--netns", "--peer"
                     ).parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    both = family_runner(args, wire, FAMILIES, 7700)

    tap = Tap(2 + 6 * 2 + 2 * 2 + 2 + 2)
    n, x = both(obs_paws_syn)
    tap.result(n == ("ack+sack", "ack+sack"),
               "PAWS-failing SYN: native 6.1 sends a duplicate ACK (even "
               "with tcp_challenge_ack_limit 0, with D-SACK) (sanity)",
               f"native (limit 0, no limit) {n}")
    tap.result(n == x, "PAWS-failing SYN: xtcp answers as native",
               f"native (limit 0, no limit) {n}, xtcp {x}")
    refused = ("rst seq=0", "syn again")
    taken = ("ack", "connect ret=0 errno=0")
    for what, want, a in (
            ("later than now", refused, (100000,)),
            ("before our SYN", refused, (-100000,)),
            ("our SYN's TSval", taken, (0,)),
            ("1 ms before our SYN's TSval", refused, (-1,)),
            ("1 ms after our SYN's TSval, 50 ms later", taken, (1, 0.05)),
            ("our first SYN's TSval, to the SYN sent again", taken,
             (0, 0.0, True))):
        n, x = both(obs_synack_tsecr, *a)
        verb = ("refuses it with a RST and sends its SYN again"
                if want == refused else "takes it")
        tap.result(n == want, f"SYN-ACK TSecr {what}: native {verb} "
                   "(sanity)", f"native {n}")
        tap.result(n == x, f"SYN-ACK TSecr {what}: xtcp as native",
                   f"native {n}, xtcp {x}")
    for side in ("active", "passive"):
        n, x = both(obs_ts_advmss, side)
        ok_n = isinstance(n, tuple) and RCVBUF - 2 * 1448 < n[0] < RCVBUF
        tap.result(ok_n,
                   f"{side} open with timestamps, SO_RCVBUF {RCVBUF}: "
                   "native's window settles within 2 segments of the "
                   "buffer, not at all of it (sanity)",
                   f"native (last window, all) {n}")
        tap.result(ok_n and isinstance(x, tuple) and x[0] == n[0],
                   f"{side} open with timestamps, SO_RCVBUF {RCVBUF}: "
                   "xtcp's window settles where native's does",
                   f"native (last window, all) {n}, xtcp {x}")
    n, x = (tuple(r) for r in zip(both(obs_syn_window, "first"),
                                  both(obs_syn_window, "last")))
    tap.result(n == (3, 1),
               "SYN sent twice again, then a SYN-ACK echoing the first "
               "SYN's TSval: native keeps its initial window (3 segments "
               "of 3), echoing the last one's: 1 (RFC 5681 s.3.1, "
               "tcp_try_undo_spurious_syn(), sanity)",
               f"native (first, last) {n}")
    tap.result(n == (3, 1) and x == n,
               "SYN sent twice again: xtcp's first window as native's, "
               "the spurious resends told apart by the timestamps",
               f"native (first, last) {n}, xtcp {x}")
    n, x = both(obs_memdrop)
    tap.result(n == (0, False), "memory drops: native drops segments "
               "without an ACK (sanity)",
               f"native (repeated ACKs, all data ACKed) {n}")
    tap.result(n == x, "memory drops: xtcp answers them as native",
               f"native (repeated ACKs, all data ACKed) {n}, xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
