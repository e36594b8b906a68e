#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# sack_test: the SACK (RFC 2018) and D-SACK (RFC 2883) blocks a receiver
# reports, against native TCP and xtcp, run by selftests/sack.sh (one
# python process: importing scapy takes seconds under TCG).  Each case
# runs once for native TCP (AF_INET, the oracle) and once for xtcp, each
# against its own selftests/wire_peer listener in namespace X that
# accepts and then sleeps (reads nothing, so no window update ACK comes
# between ours); scapy is the sender.  Every step sends one segment and
# records the ACK field and the SACK blocks (relative to our first data
# sequence number, "D" marking a block below the ACK or inside a later
# one: a D-SACK) of X's first ACK that acknowledges what X should by
# then; the checks ask that xtcp's record equals native's, and is one
# (not the same error), plus a sanity check on native's own record, so
# that a case that observes nothing cannot pass.
#
# Cases: four holes opened one by one, then a segment that extends the
# oldest block and the segment that fills the first hole, with
# timestamps on (3 blocks fit) and off (4 fit); duplicates below RCV.NXT
# (at RCV.WUP, below it: the out-of-window duplicate ACK, partly old, and
# rejected by PAWS) with tcp_dsack 1 and 0; duplicates of out-of-order
# data (whole, partial) with tcp_dsack 1 and 0; no SACK option when the
# SYN did not offer SACK-permitted, or when tcp_sack is 0.
#
# No timing is asserted: each ACK is waited for up to REPLY_WAIT
# (wirelib, scaled by XTCP_SLOW).  Native TCP may hold an ACK for
# out-of-order data up to 1 ms (SACK compression), which is no concern.

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, flags,  # noqa: E402
                     ManualConn as Conn, describe, seq_add, wire_args, M32,
                     sysctl_both, opt_area, walk, family_runner)
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
TSV = 0x10000000	# our TSval base


class Peer(LinePeer):
    """One wire_peer listener in namespace X: accepts, then sleeps."""

    def __init__(self, args, fam, port):
        super().__init__(args.netns, args.peer, fam, "-t", "10",
                         "-l", f"{args.dst}:{port}", "sleep:30000")


def knobs(args, ts=1, sack=1, dsack=1):
    """tcp_timestamps, tcp_sack and tcp_dsack in X, for native TCP and
    for xtcp alike."""
    sysctl_both(args.netns, tcp_timestamps=ts, tcp_sack=sack,
                tcp_dsack=dsack)


def kinds(p):
    return [k for k, i, n in walk(opt_area(p))]


def ts_of(p):
    o = opt_area(p)
    for k, i, n in walk(o):
        if k == 8 and n == 10:
            return int.from_bytes(o[i + 2:i + 6], "big")
    return None


def rel(x, base):
    x = (x - base) % M32
    return x - M32 if x >= 1 << 31 else x


def sack_of(p, base):
    """The SACK blocks of @p relative to @base, in the order sent, a
    D-SACK one (RFC 2883 s.4: below the ACK, or inside the next block)
    marked "D"; None without a SACK option."""
    o = opt_area(p)
    for k, i, n in walk(o):
        if k != 5:
            continue
        blocks = []
        for j in range(i + 2, i + n, 8):
            s = rel(int.from_bytes(o[j:j + 4], "big"), base)
            e = rel(int.from_bytes(o[j + 4:j + 8], "big"), base)
            blocks.append((s, e))
        ack = rel(p[TCP].ack, base)
        out = []
        for idx, (s, e) in enumerate(blocks):
            dup = idx == 0 and (s < ack or (
                len(blocks) > 1 and blocks[1][0] <= s and
                e <= blocks[1][1]))
            out.append(("D" if dup else "") + f"{s}-{e}")
        return out
    return None


class Sender:
    """Our end of one connection to a Peer, timestamps and SACK-permitted
    offered as asked; data sent at offsets from the first data byte."""

    def __init__(self, args, wire, fam, port, ts, sackok):
        self.peer = Peer(args, fam, port)
        self.c = None
        self.ts = ts
        if self.peer.listening() is None:
            self.why = f"peer: {self.peer.text()}"
            return
        c = Conn(wire, 20000 + port, port)
        opts = [("MSS", 1460)]
        if sackok:
            opts.append(("SAckOK", b""))
        if ts:
            opts.append(("Timestamp", (TSV, 0)))
        m = c.send("S", ack=0, opts=opts)
        sa = c.wait_synack(m)
        if sa is None:
            self.why = "no SYN-ACK"
            return
        c.established(sa)
        self.ecr = ts_of(sa) or 0
        self.tsv = TSV + 1
        self.synack_kinds = kinds(sa)
        c.send("A", opts=self.opts())
        if self.peer.line(r"accepted") is None:
            self.why = f"not accepted: {self.peer.text()}"
            return
        self.base = c.snd_nxt
        self.last_ack = c.snd_nxt	# X's RCV.NXT as its ACKs last said
        self.c = c

    def opts(self, old=False):
        if not self.ts:
            return []
        self.tsv += 1
        v = self.tsv - (1000 if old else 0)
        return [("NOP", None), ("NOP", None),
                ("Timestamp", (v % M32, self.ecr))]

    def step(self, start, end, want_ack, old_ts=False):
        """Bytes [@start, @end) (offsets); X's first ACK of exactly
        @want_ack (offset) after it: (ack, SACK blocks) or why none."""
        c = self.c
        m = c.send("PA", seq=seq_add(self.base, start),
                   data=bytes([0x41 + start % 26]) * (end - start),
                   opts=self.opts(old_ts))
        a = c.wait(m, lambda p: flags(p) & 0x10 and
                   not flags(p) & 0x07 and
                   p[TCP].ack == seq_add(self.base, want_ack))
        if a is None:
            got = c.wait(m, lambda p: True, 0.1)
            return f"no ACK {want_ack} for {start}-{end}: {describe(got)}"
        self.last_ack = a[TCP].ack
        return rel(a[TCP].ack, self.base), sack_of(a, self.base)

    def close(self):
        """RST at X's RCV.NXT (RFC 5961 s.3.2: exactly there), so that
        no connection lingers, then the peer goes."""
        if self.c is not None:
            self.c.send("R", seq=self.last_ack, ack=0)
            time.sleep(0.1)
        self.peer.stop()


def run_steps(args, wire, fam, port, ts, steps, sackok=True):
    """Each of @steps ((start, end, ACK wanted[, old TSval])) in turn on a
    new connection: the list of (ack, blocks), or why it stopped."""
    s = Sender(args, wire, fam, port, ts, sackok)
    try:
        if s.c is None:
            return s.why
        out = []
        for st in steps:
            r = s.step(*st)
            out.append(r)
            if isinstance(r, str):
                break
        return out
    finally:
        s.close()


# ---- cases: one run per family ----

HOLES = [(100, 200, 0), (300, 400, 0), (500, 600, 0), (700, 800, 0),
         (200, 250, 0), (0, 100, 250)]


def obs_holes(args, wire, fam, port, ts):
    knobs(args, ts=ts)
    return run_steps(args, wire, fam, port, ts, HOLES)


BELOW = [(0, 100, 100), (100, 200, 200),
         (100, 200, 200),		# at RCV.WUP: tcp_data_queue()
         (0, 100, 200),			# below RCV.WUP: tcp_send_dupack()
         (150, 250, 250),		# partly old
         (250, 300, 300),		# the D-SACK went once
         (200, 300, 300, True)]		# PAWS rejects it: tcp_send_dupack()


def obs_below(args, wire, fam, port, dsack):
    knobs(args, ts=1, dsack=dsack)
    return run_steps(args, wire, fam, port, 1, BELOW)


OFO = [(200, 300, 0), (400, 500, 0),
       (200, 300, 0),			# all held already
       (600, 700, 0),			# the D-SACK went once
       (350, 450, 0)]			# half held


def obs_ofo(args, wire, fam, port, dsack):
    knobs(args, ts=1, dsack=dsack)
    return run_steps(args, wire, fam, port, 1, OFO)


NONE = [(200, 300, 0), (400, 500, 0), (0, 100, 100), (0, 100, 100)]


def obs_none(args, wire, fam, port, sackok, sack):
    """No SACK-permitted in our SYN (@sackok False), or tcp_sack @sack 0:
    what the steps saw and whether the SYN-ACK offered SACK."""
    knobs(args, ts=1, sack=sack)
    s = Sender(args, wire, fam, port, 1, sackok)
    try:
        if s.c is None:
            return s.why
        out = [4 in s.synack_kinds]
        for st in NONE:
            r = s.step(*st)
            out.append(r)
            if isinstance(r, str):
                break
        return out
    finally:
        s.close()


def n_blocks(obs, i):
    try:
        return len(obs[i][1] or [])
    except (TypeError, IndexError):
        return None


def complete(obs, steps):
    """@obs recorded an ACK for each of @steps."""
    return isinstance(obs, list) and len(obs) == len(steps) and all(
        isinstance(r, tuple) for r in obs)


def has_d(obs):
    return isinstance(obs, list) and any(
        isinstance(r, tuple) and r[1] and r[1][0].startswith("D")
        for r in obs)


def main():
    args = wire_args(argparse.ArgumentParser(), "--netns", "--peer"
                     ).parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    both = family_runner(args, wire, FAMILIES, 7600)

    tap = Tap(2 * 2 + 2 * 2 + 2 * 2 + 2 * 2)
    for ts, fit in ((1, 3), (0, 4)):
        n, x = both(obs_holes, ts)
        tap.result(complete(n, HOLES) and n_blocks(n, 3) == fit and
                   n_blocks(n, 4) == fit,
                   f"holes, timestamps {ts}: native sends {fit} blocks "
                   f"(sanity)", f"native {n}")
        tap.result(isinstance(n, list) and n == x,
                   f"holes, timestamps {ts}: xtcp's blocks, order and ACKs "
                   f"as native's", f"native {n}, xtcp {x}")
    for dsack in (1, 0):
        n, x = both(obs_below, dsack)
        tap.result(complete(n, BELOW) and has_d(n) == bool(dsack),
                   f"duplicates below RCV.NXT, tcp_dsack {dsack}: native "
                   f"D-SACKs {'' if dsack else 'none '}(sanity)",
                   f"native {n}")
        tap.result(isinstance(n, list) and n == x,
                   f"duplicates below RCV.NXT, tcp_dsack {dsack}: xtcp's "
                   f"ACKs as native's", f"native {n}, xtcp {x}")
    for dsack in (1, 0):
        n, x = both(obs_ofo, dsack)
        tap.result(complete(n, OFO) and has_d(n) == bool(dsack),
                   f"duplicates of out-of-order data, tcp_dsack {dsack}: "
                   f"native D-SACKs {'' if dsack else 'none '}(sanity)",
                   f"native {n}")
        tap.result(isinstance(n, list) and n == x,
                   f"duplicates of out-of-order data, tcp_dsack {dsack}: "
                   f"xtcp's ACKs as native's",
                   f"native {n}, xtcp {x}")
    for sackok, sack, what in ((False, 1, "SYN without SACK-permitted"),
                               (True, 0, "tcp_sack 0")):
        n, x = both(obs_none, sackok, sack)
        tap.result(isinstance(n, list) and complete(n[1:], NONE) and
                   not n[0] and all(r[1] is None for r in n[1:]),
                   f"{what}: native sends no SACK option (sanity)",
                   f"native {n}")
        tap.result(isinstance(n, list) and n == x,
                   f"{what}: xtcp sends none either",
                   f"native {n}, xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
