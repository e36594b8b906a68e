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
                     family_runner, ts_opts)
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
TSV = 0x30000000	# our TSval base
WSCALE = 7
ANSWER_WAIT = 1.0
RATE_GAP = 0.6		# past tcp_invalid_ratelimit (500 ms)


class Peer(LinePeer):
    """One wire_peer process in namespace X."""

    def __init__(self, args, fam, *argv):
        super().__init__(args.netns, args.peer, fam, "-t", "5", *argv)


def knobs(args):
    sysctl_both(args.netns, tcp_timestamps=1, tcp_sack=0,
                tcp_window_scaling=1)


def peer_tsval(p):
    for k, v in (p[TCP].options if p is not None else []):
        if k == "Timestamp":
            return v[0]
    return None


def obs(args, wire, fam, port):
    """(answer to the stale ACK with the same window, answer to the
    stale ACK with a larger window): each "dupack" or "none"."""
    knobs(args)
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", "readall")
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c = Conn(wire, 20000 + port, port)
        m = c.send("S", ack=0, opts=[("MSS", 1460)] + ts_opts(TSV, 0) +
                   [("NOP", None), ("WScale", WSCALE)])
        sa = c.wait_synack(m)
        ecr = peer_tsval(sa)
        if ecr is None:
            return f"no SYN-ACK with timestamps: {describe(sa)}"
        c.established(sa)
        # SND.WND at X: 100 << 7; SND.WL1: our ISN + 1, RCV.NXT.
        c.send("A", window=100, opts=ts_opts(TSV + 5, ecr))
        if peer.line(r"accepted") is None:
            return f"not accepted: {peer.text()}"
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


def main():
    ap = wire_args(argparse.ArgumentParser(), "--netns", "--peer")
    args = ap.parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    n, x = family_runner(args, wire, FAMILIES, 7600)(obs)
    tap = Tap(2)
    tap.result(n == ("none", "dupack"),
               "native: a stale duplicate ACK passes, a stale window "
               "update is dropped with a dupack (sanity)",
               f"native (same window, larger window) {n}")
    tap.result(n == x, "xtcp: stale ACKs with window scaling as native",
               f"native (same window, larger window) {n}, xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
