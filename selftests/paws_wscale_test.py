#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# paws_wscale_test: run by selftests/paws_wscale.sh.  A pure ACK whose
# TSval fails PAWS (RFC 7323 s.5) is still accepted when it is a
# reordered duplicate ACK (Linux's tcp_disordered_ack()): at RCV.NXT,
# acknowledging SND.UNA, within an RTO of ts_recent, and not a window
# update.  Whether it updates the window is judged on the window field
# scaled by the peer's shift (tcp_may_update_window() is given
# th->window << snd_wscale).  With window scale 7 we announce a raw
# window of 100 (12800 bytes), then send two stale pure ACKs: one with
# the same raw window (a duplicate: accepted, no answer) and one with a
# raw window of 200 (25600 bytes, an update: PAWS drops it and answers
# with a duplicate ACK).  Comparing the raw 200 with the scaled 12800
# would take the second for a duplicate too.  Each runs for native TCP
# (the oracle) and xtcp; xtcp must answer as native did.
#
# The window-update rule itself (tcp_may_update_window(), not RFC 9293's
# SND.WL2 test): a duplicate pure ACK offering a zero window is ignored
# (it offers less, at the same SND.WL1), so a write that follows is sent;
# a resent segment whose ACK is new does update the window (the ACK
# advances SND.UNA although its sequence number is below SND.WL1; it
# carries new bytes too, else it is not acceptable at all), so
# with its zero window a write that follows waits.  What X sends of each
# 3000-byte write within WRITE_WAIT s is compared with native's.  Then
# with a window shrunk 1872 bytes below X's SND.NXT, X's ACK carries the
# window's right edge as its sequence number (tcp_acceptable_seq()).
#
# No timing assertion: an answer is waited for ANSWER_WAIT s (TCG
# delays an immediate ACK by tens of ms at most, /work/shared/vm-notes.md).

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, flags,  # noqa: E402
                     ManualConn as Conn, describe, wire_args, sysctl_both,
                     family_runner, ts_opts, seq_add, M32)
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
TSV = 0x30000000	# our TSval base
WSCALE = 7
ANSWER_WAIT = 1.0
RATE_GAP = 0.6		# past tcp_invalid_ratelimit (500 ms)
WRITE_WAIT = 1.0	# for a write's segments (a probe comes 0.2 s later)


class Peer(LinePeer):
    """One wire_peer process in namespace X."""

    def __init__(self, args, fam, *argv, stdin=False):
        super().__init__(args.netns, args.peer, fam, "-t", "5", *argv,
                         stdin=stdin)


def knobs(args):
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=0,
                tcp_window_scaling=1)


def peer_tsval(p):
    for k, v in (p[TCP].options if p is not None else []):
        if k == "Timestamp":
            return v[0]
    return None


def connect(wire, port, peer):
    """Our connection to @peer's listener on @port with timestamps and
    window scale WSCALE; our ACK offers a raw window of 100 (SND.WND at
    X: 100 << 7; SND.WL1: our ISN + 1).  (Conn, X's TSval to echo) once
    accepted, else (None, why)."""
    c = Conn(wire, 20000 + port, port)
    m = c.send("S", ack=0, opts=[("MSS", 1460)] + ts_opts(TSV, 0) +
               [("NOP", None), ("WScale", WSCALE)])
    sa = c.wait_synack(m)
    ecr = peer_tsval(sa)
    if ecr is None:
        return None, f"no SYN-ACK with timestamps: {describe(sa)}"
    c.established(sa)
    c.send("A", window=100, opts=ts_opts(TSV + 5, ecr))
    if peer.line(r"accepted") is None:
        return None, f"not accepted: {peer.text()}"
    return c, ecr


def obs(args, wire, fam, port):
    """(answer to the stale ACK with the same window, answer to the
    stale ACK with a larger window): each "dupack" or "none"."""
    knobs(args)
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", "readall")
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c, ecr = connect(wire, port, peer)
        if c is None:
            return ecr
        seen = []
        for win in (100, 200):
            time.sleep(RATE_GAP)
            # TSval 10 below ts_recent: PAWS fails, within the RTO.
            m = c.send("A", window=win, opts=ts_opts(TSV - 5, ecr))
            a = c.wait(m, lambda p: flags(p) & 0x10 and
                       not flags(p) & 0x07, ANSWER_WAIT)
            seen.append("none" if a is None else
                        "dupack" if a[TCP].ack == c.snd_nxt else describe(a))
        c.send("R", ack=0)
        return tuple(seen)
    finally:
        peer.stop()


def data_bytes(c, since):
    """New bytes X sent on @c after mark @since: how far past our RCV.NXT
    its segments reached (its retransmissions counted once)."""
    return max([(p[TCP].seq - c.rcv_nxt + len(p[TCP].payload)) % M32
                for p in c.sent(since, lambda p: len(p[TCP].payload))],
               default=0)


def obs_rule(args, wire, fam, port):
    """(bytes X sent of a write after a duplicate ACK offered a zero
    window, bytes it sent of a write after an old segment with a new ACK
    offered one)."""
    knobs(args)
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", "stdin", stdin=True)
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c, ecr = connect(wire, port, peer)
        if c is None:
            return ecr
        # A duplicate offering less: SND.WL1 and SND.UNA as before.
        c.send("A", window=0, opts=ts_opts(TSV + 6, ecr))
        time.sleep(0.1)
        m = wire.mark()
        peer.tell("write:3000")
        time.sleep(WRITE_WAIT)
        first = data_bytes(c, m)
        c.rcv_nxt = seq_add(c.rcv_nxt, first)
        c.send("A", window=100, opts=ts_opts(TSV + 7, ecr))
        # Two segments of ours (SND.WL1 moves to the second's), then X's
        # 20 bytes, ACKed by a resend of our first segment offering 0.
        s0 = c.snd_nxt
        for i in range(2):
            m = c.send("PA", seq=seq_add(s0, 10 * i), data=b"d" * 10,
                       window=100, opts=ts_opts(TSV + 8 + i, ecr))
            if c.wait(m, lambda p: flags(p) & 0x10 and
                      p[TCP].ack == seq_add(s0, 10 * (i + 1))) is None:
                return f"segment {i} of ours not ACKed"
        c.snd_nxt = seq_add(s0, 20)
        m = wire.mark()
        peer.tell("write:20")
        if c.wait(m, lambda p: len(p[TCP].payload) == 20) is None:
            return "X's 20 bytes not seen"
        c.rcv_nxt = seq_add(c.rcv_nxt, 20)
        # The resend starts below SND.WL1 but ends past RCV.WUP (10 new
        # bytes), so that it is acceptable (tcp_sequence()): a wholly
        # old one gets a duplicate ACK and its ACK field is not read.
        c.send("PA", seq=s0, data=b"d" * 30, window=0,
               opts=ts_opts(TSV + 10, ecr))
        c.snd_nxt = seq_add(s0, 30)
        time.sleep(0.1)
        m = wire.mark()
        peer.tell("write:3000")
        time.sleep(WRITE_WAIT)
        second = data_bytes(c, m)
        # Open it: the 3000 bytes come; then ACK 1000 of them offering
        # 128 bytes (raw 1), so that X's SND.NXT is 1872 bytes beyond
        # our right edge, and send 10 bytes: X's ACK of them carries
        # the right edge as its sequence number (tcp_acceptable_seq()).
        base = c.rcv_nxt
        m = wire.mark()
        c.send("A", window=100, opts=ts_opts(TSV + 11, ecr))
        time.sleep(WRITE_WAIT)
        third = data_bytes(c, m)
        c.rcv_nxt = seq_add(base, 1000)
        c.send("A", window=1, opts=ts_opts(TSV + 12, ecr))
        m = c.send("PA", data=b"e" * 10, window=1,
                   opts=ts_opts(TSV + 13, ecr))
        a = c.wait(m, lambda p: flags(p) & 0x10 and
                   not len(p[TCP].payload) and
                   p[TCP].ack == seq_add(c.snd_nxt, 10))
        seq = (a[TCP].seq - base) % M32 if a is not None else describe(a)
        c.send("R", seq=seq_add(c.snd_nxt, 10), ack=0)
        return first, second, third, seq
    finally:
        peer.stop()


def main():
    ap = wire_args(argparse.ArgumentParser(), "--netns", "--peer")
    args = ap.parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    both = family_runner(args, wire, FAMILIES, 7600)
    n, x = both(obs)
    tap = Tap(4)
    tap.result(n == ("none", "dupack"),
               "native: a stale duplicate ACK passes, a stale window "
               "update is dropped with a dupack (sanity)",
               f"native (same window, larger window) {n}")
    tap.result(n == x, "xtcp: stale ACKs with window scaling as native",
               f"native (same window, larger window) {n}, xtcp {x}")
    n, x = both(obs_rule)
    tap.result(n == (3000, 0, 3000, 1128),
               "native: a duplicate ACK does not shrink the window, an old "
               "segment with a new ACK does; an ACK's sequence number is "
               "the right edge of a shrunk window (sanity)",
               f"native (bytes sent after each, once reopened, ACK seq) {n}")
    tap.result(n == x, "xtcp: the window-update rule and ACK sequence "
               "number as native's",
               f"native (bytes sent after each, once reopened, ACK seq) {n}, "
               f"xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
