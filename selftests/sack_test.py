#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# sack_test: the SACK (RFC 2018) and D-SACK (RFC 2883) blocks a receiver
# reports, against native TCP and xtcp, run by selftests/sack.sh (one
# python process: importing scapy takes seconds under TCG).  Each case
# runs once for native TCP (AF_INET, the oracle) and once for xtcp, each
# against its own selftests/wire_peer listener in namespace X that
# accepts and then sleeps (reads nothing, so no window update ACK comes
# between ours; but for the FIN cases' reader); scapy is the sender.  Every step sends one segment and
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
# data (whole, partial) with tcp_dsack 1 and 0; data starting at the
# right window edge (dropped) and just inside it; the window offered as
# full segments are appended behind a hole; no SACK option when the
# SYN did not offer SACK-permitted, or when tcp_sack is 0; and a replay
# of what arrives over a path like chaos.sh's (chaos_path(): loss,
# overtaking, duplicates, resends early and late, PAWS drops), where
# every arrival's ACK must carry native's ACK number, SACK and D-SACK
# blocks and TSecr; and out-of-order segments carrying the peer's FIN
# (with data, merged into held data, alone, ahead of data, below a run
# the receiver must collapse for memory), duplicated and filled in,
# where the peer reads everything (wire_peer "readsum") and the bytes it
# got, their hash and its EOF are compared too.
#
# No timing is asserted: each ACK is waited for up to REPLY_WAIT
# (wirelib, scaled by XTCP_SLOW).  Both stacks may hold an ACK for
# out-of-order data up to 1 ms (SACK compression), which is no concern:
# each arrival waits for its ACK, so the timer sends it alone.

import argparse
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, flags,  # noqa: E402
                     ManualConn as Conn, describe, seq_add, wire_args, M32,
                     sysctl_both, opt_area, walk, family_runner,
                     REPLY_WAIT, mib_counters)
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
TSV = 0x10000000	# our TSval base
RMEM_BIG = "4096 1048576 6291456"


class Peer(LinePeer):
    """One wire_peer listener in namespace X: accepts, then sleeps (or
    takes the actions @acts)."""

    def __init__(self, args, fam, port, acts=("sleep:30000",)):
        super().__init__(args.netns, args.peer, fam, "-t", "10",
                         "-l", f"{args.dst}:{port}", *acts)


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


def ts_ecr(p):
    o = opt_area(p)
    for k, i, n in walk(o):
        if k == 8 and n == 10:
            return int.from_bytes(o[i + 6:i + 10], "big")
    return 0


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

    def __init__(self, args, wire, fam, port, ts, sackok, ws=None,
                 acts=("sleep:30000",)):
        self.peer = Peer(args, fam, port, acts)
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
        if ws is not None:
            opts += [("NOP", None), ("WScale", ws)]
        m = c.send("S", ack=0, opts=opts)
        sa = c.wait_synack(m)
        if sa is None:
            self.why = "no SYN-ACK"
            return
        c.established(sa)
        self.ecr = ts_of(sa) or 0
        self.tsv = TSV + 1
        self.synack_kinds = kinds(sa)
        self.synack_win = sa[TCP].window	# unscaled: we offer no WS
        c.send("A", opts=self.opts())
        if self.peer.line(r"accepted") is None:
            self.why = f"not accepted: {self.peer.text()}"
            return
        self.base = c.snd_nxt
        self.last_ack = c.snd_nxt	# X's RCV.NXT as its ACKs last said
        self.c = c

    def opts(self, old=False, tsv=None):
        if not self.ts:
            return []
        self.tsv += 1
        v = self.tsv - (1000 if old else 0)
        if tsv is not None:
            v = TSV + tsv
        return [("NOP", None), ("NOP", None),
                ("Timestamp", (v % M32, self.ecr))]

    def step(self, start, end, want_ack, old_ts=False, tsv=None,
             win=False):
        """Bytes [@start, @end) (offsets), with TSval TSV + @tsv if given;
        X's first ACK of exactly @want_ack (offset) after it: (ack, SACK
        blocks), with TSecr - TSV as well when @tsv is given, or why
        none."""
        c = self.c
        m = c.send("PA", seq=seq_add(self.base, start),
                   data=bytes([0x41 + start % 26]) * (end - start),
                   opts=self.opts(old_ts, tsv))
        a = c.wait(m, lambda p: flags(p) & 0x10 and
                   not flags(p) & 0x07 and
                   p[TCP].ack == seq_add(self.base, want_ack))
        if a is None:
            got = c.wait(m, lambda p: True, 0.1)
            return f"no ACK {want_ack} for {start}-{end}: {describe(got)}"
        self.last_ack = a[TCP].ack
        if win:
            return (rel(a[TCP].ack, self.base), sack_of(a, self.base),
                    a[TCP].window)
        if tsv is not None:
            return (rel(a[TCP].ack, self.base), sack_of(a, self.base),
                    rel(ts_ecr(a), TSV))
        return rel(a[TCP].ack, self.base), sack_of(a, self.base)

    def steps(self, steps, out=None):
        """step(*st) for each st of @steps in turn, each result appended
        to @out (a new list by default), up to the first that is a
        string (why it stopped); @out."""
        out = [] if out is None else out
        for st in steps:
            r = self.step(*st)
            out.append(r)
            if isinstance(r, str):
                break
        return out

    def close(self):
        """RST at X's RCV.NXT (RFC 5961 s.3.2: exactly there), so that
        no connection lingers, then the peer goes."""
        if self.c is not None:
            self.c.send("R", seq=self.last_ack, ack=0)
            time.sleep(0.1)
        self.peer.stop()


def obs_edge(args, wire, fam, port):
    """Data at X's right window edge (RCV.NXT + the SYN-ACK's window,
    unscaled: our SYN offers no window scale) and just inside it: (the
    window, then (ack, blocks) of X's ACK of each).  Linux drops the
    first (tcp_data_queue()'s OVERWINDOW) and SACKs the second."""
    knobs(args, ts=1)
    s = Sender(args, wire, fam, port, 1, True)
    try:
        if s.c is None:
            return s.why
        w = s.synack_win
        return s.steps(((w, w + 100, 0), (w - 100, w, 0)), [w])
    finally:
        s.close()


def rmem_of(args):
    """tcp_rmem of both stacks in X, to put back after a case: {"ipv4":
    [min, default, max], "xtcp": [...]}, as strings."""
    return {pre: subprocess.run(["ip", "netns", "exec", args.netns, "sysctl",
                                 "-n", f"net.{pre}.tcp_rmem"],
                                capture_output=True, text=True,
                                check=True).stdout.split()
            for pre in ("ipv4", "xtcp")}


def obs_ofo_window(args, wire, fam, port):
    """Eight full segments behind a hole, each continuing the last
    out-of-order one (window scaling offered, shift 7): (ack, blocks,
    window field) of X's ACK of each.  Linux lets rcv_ssthresh, and so
    the window offered, grow with each, whether the segment is merged
    into the previous skb (tcp_data_queue_ofo()'s coalesce_done) or
    inserted after it.  Measured 2026-12-02: these segments are
    inserted, not merged, in both stacks (the window is the same with
    xtcp's coalesce_done growth taken out), so the merge path is not
    what this case covers."""
    knobs(args, ts=1)
    was = rmem_of(args)
    # A 1 MiB initial buffer: the window clamp (what the buffer holds)
    # leaves rcv_ssthresh room to grow; with the default 128 KiB both
    # stay at the 64 KiB the handshake set.
    sysctl_both(args.netns, tcp_rmem=RMEM_BIG)
    s = Sender(args, wire, fam, port, 1, True, ws=7)
    try:
        if s.c is None:
            return s.why
        return s.steps([(1448 * i, 1448 * (i + 1), 0, False, None, True)
                        for i in range(1, 9)])
    finally:
        s.close()
        for pre, v in was.items():
            subprocess.run(["ip", "netns", "exec", args.netns, "sysctl",
                            "-qw", f"net.{pre}.tcp_rmem={' '.join(v)}"],
                           check=True)


def run_steps(args, wire, fam, port, ts, steps, sackok=True):
    """Each of @steps ((start, end, ACK wanted[, old TSval])) in turn on a
    new connection: the list of (ack, blocks), or why it stopped."""
    s = Sender(args, wire, fam, port, ts, sackok)
    try:
        if s.c is None:
            return s.why
        return s.steps(steps)
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
        return s.steps(NONE, [4 in s.synack_kinds])
    finally:
        s.close()


def chaos_path(seed, n=70, seg=100):
    """@n segments of @seg bytes from a sender through a path like
    chaos.sh's, only more hostile: each transmission is lost (6%),
    overtakes the ones sent in the 5 ticks before it (15%: it skips the
    delay the others take) or is duplicated (3%); a lost one is resent 12
    ticks later (up to 3 times), and one held back by the delay is resent
    early in 30% of the cases, as a sender whose loss detection reordering
    fooled does.  Originals leave every 2 ticks, TSval is the tick, so
    each is more than PAWS's 1-tick slack newer than the one before, and
    an early resend that fills a hole makes PAWS drop what was sent
    before it and arrives after it, new data too (the sender here never
    resends that: the holes it leaves are SACKed to the end).  Returns
    what arrives, in order: (start, end, TSval offset)."""
    rng = random.Random(seed)
    sends = [(2 * i, i, 0) for i in range(n)]	# (tick, segment, try)
    arrivals = []
    k = 0
    while sends:
        sends.sort()
        t, i, tries = sends.pop(0)
        r = rng.random()
        if r < 0.06:
            if tries < 3:
                sends.append((t + 12, i, tries + 1))
            continue
        at = t if r < 0.21 else t + 5
        arrivals.append((at, k, i, t))
        k += 1
        if rng.random() < 0.03:
            arrivals.append((at, k, i, t))
            k += 1
        if at > t and tries == 0 and rng.random() < 0.3:
            sends.append((t + 2, i, 3))
    arrivals.sort()
    return [(i * seg, (i + 1) * seg, 100 + t) for _, _, i, t in arrivals]


def expect_acks(arrivals):
    """The ACK number each arrival gets from a receiver as RFC 9293 and
    RFC 7323 have it (what Linux 6.1 does): PAWS drops a segment whose
    TSval is more than 1 below ts_recent; ts_recent takes the TSval of a
    segment that starts at or below Last.ACK.sent and is not older; data
    reaching RCV.NXT takes in what was held beyond it.  Every arrival is
    ACKed before the next (so Last.ACK.sent is RCV.NXT).  TSvals start
    above the handshake's.  Returns the steps for run_steps()."""
    rcv_nxt, ts_recent, held, steps = 0, 0, [], []
    for s, e, tsv in arrivals:
        if ts_recent - tsv <= 1:
            if s <= rcv_nxt and tsv >= ts_recent:
                ts_recent = tsv
            if s > rcv_nxt:
                held.append((s, e))
            elif e > rcv_nxt:
                rcv_nxt = e
                for hs, he in sorted(held):
                    if hs <= rcv_nxt:
                        rcv_nxt = max(rcv_nxt, he)
                held = [h for h in held if h[0] > rcv_nxt]
        steps.append((s, e, rcv_nxt, False, tsv))
    return steps


# Seed 5: 87 arrivals, up to 4 holes at once (one block forgotten), 16
# duplicates of out-of-order data, PAWS drops of new data.
CHAOS_SEEDS = (5,)


def obs_chaos(args, wire, fam, port, seed):
    knobs(args, ts=1)
    return run_steps(args, wire, fam, port, 1,
                     expect_acks(chaos_path(seed)))


def payload(start, end):
    """The bytes [@start, @end) of the stream fin_steps() sends: each byte
    a function of its offset, so overlapping segments agree."""
    return bytes((i * 7 + 3) % 251 for i in range(start, end))


def fnv1a(data):
    """32-bit FNV-1a, as wire_peer's "readsum" prints it."""
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) % M32
    return f"{h:08x}"


# Out-of-order segments that carry the peer's FIN: (start, end, FIN,
# ACK wanted), the last step filling the hole.  Linux queues such a
# segment with its FIN (tcp_data_queue_ofo(), end_seq counting the FIN),
# SACKs it to the FIN's sequence number plus one, and takes the FIN when
# the hole fills (tcp_ofo_queue(), tcp_fin()).
FIN_CASES = {
    # data and FIN out of order, again (D-SACK), the hole, then the
    # segment once more, now below RCV.NXT (D-SACK of it and its FIN)
    "data+FIN, duplicate, hole, old again":
        [(100, 200, True, 0), (100, 200, True, 0), (0, 100, False, 201),
         (100, 200, True, 201)],
    # the FIN segment continues out-of-order data (merged into it)
    "FIN continues held data":
        [(100, 200, False, 0), (200, 300, True, 0), (0, 100, False, 301)],
    # a FIN alone, after held data
    "lone FIN after held data":
        [(100, 200, False, 0), (200, 200, True, 0), (0, 100, False, 201)],
    # the FIN segment first, then the data before it, then the hole
    "FIN segment first":
        [(200, 300, True, 0), (100, 200, False, 0), (0, 100, False, 301)],
}


# The FIN segment, then the 100-byte segments before it from the top
# down (each ahead of the last, so none is merged: every one is an skb
# of its own, several times its length in truesize), then the hole.
# With a 16 KiB buffer the queue goes over it well before the end, and
# collapsing copies the run below the FIN skb (tcp_collapse_ofo_queue()),
# which must leave the FIN where it is: the hole's ACK covers it.
COLLAPSE = ([(2600, 2700, True, 0)] +
            [(o, o + 100, False, 0) for o in range(2500, 0, -100)] +
            [(0, 100, False, 2701)])
RMEM_SMALL = "4096 16384 16384"


def obs_fin(args, wire, fam, port, case):
    """The steps of FIN_CASES[@case] on a connection to a peer that reads
    to EOF: (ack, blocks) of X's ACK of each, then what the reader got
    (bytes, errno: 0 for EOF, FNV-1a hash), or why it stopped."""
    knobs(args, ts=1)
    return fin_steps(args, wire, fam, port, FIN_CASES[case])


def obs_fin_collapse(args, wire, fam, port):
    """COLLAPSE with tcp_rmem RMEM_SMALL: as obs_fin(), then whether the
    stack's TCPRcvCollapsed grew meanwhile."""
    knobs(args, ts=1)
    was = rmem_of(args)
    sysctl_both(args.netns, tcp_rmem=RMEM_SMALL)
    key = "TcpExt:TCPRcvCollapsed"
    try:
        before = mib_counters(args.netns, fam).get(key)
        out = fin_steps(args, wire, fam, port, COLLAPSE)
        after = mib_counters(args.netns, fam).get(key)
        if isinstance(out, list):
            out.append(None if before is None or after is None else
                       after > before)
        return out
    finally:
        for pre, v in was.items():
            subprocess.run(["ip", "netns", "exec", args.netns, "sysctl",
                            "-qw", f"net.{pre}.tcp_rmem={' '.join(v)}"],
                           check=True)


def fin_steps(args, wire, fam, port, steps):
    """@steps ((start, end, FIN, ACK wanted)) on a new connection to a
    reader: the list of (ack, blocks), then the reader's (bytes, errno,
    hash); or why it stopped."""
    # The reader holds the socket after EOF: X stays in CLOSE_WAIT.
    s = Sender(args, wire, fam, port, 1, True,
               acts=("readsum", "sleep:20000"))
    try:
        if s.c is None:
            return s.why
        out = []
        for start, end, fin, want in steps:
            c = s.c
            m = c.send("FPA" if fin else "PA", seq=seq_add(s.base, start),
                       data=payload(start, end), opts=s.opts())
            a = c.wait(m, lambda p: flags(p) & 0x10 and
                       not flags(p) & 0x07 and
                       p[TCP].ack == seq_add(s.base, want))
            if a is None:
                got = c.wait(m, lambda p: True, 0.1)
                out.append(f"no ACK {want} for {start}-{end}"
                           f"{'+FIN' if fin else ''}: {describe(got)}")
                break
            s.last_ack = a[TCP].ack
            out.append((rel(a[TCP].ack, s.base), sack_of(a, s.base)))
        r = s.peer.line(r"readsum bytes=(\d+) errno=(\d+) fnv1a=(\w+)",
                        REPLY_WAIT if len(out) == len(steps) and
                        isinstance(out[-1], tuple) else 0.5)
        out.append((int(r[1]), int(r[2]), r[3]) if r else
                   f"reader: {s.peer.text()}")
        return out
    finally:
        s.close()


def fin_sane(obs, steps):
    """Native's record of @steps (FIN_CASES' or COLLAPSE): every ACK
    seen, the FIN segment's block ending at its FIN plus one, the last
    ACK past the FIN, and the reader got every byte, exact, then EOF."""
    fin_at = [e for s, e, f, w in steps if f][0]
    ofo = [i for i, st in enumerate(steps) if st[2]][0]
    return (complete(obs[:-1], steps) and obs[ofo][1] is not None and
            obs[ofo][1][0].lstrip("D").endswith(f"-{fin_at + 1}") and
            obs[-2][0] == fin_at + 1 and
            obs[-1] == (fin_at, 0, fnv1a(payload(0, fin_at))))


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

    tap = Tap(2 * 2 + 2 * 2 + 2 * 2 + 2 * 2 + 2 + 2 + 2 * len(FIN_CASES) +
              2 + 2 * len(CHAOS_SEEDS))
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
    n, x = both(obs_edge)
    tap.result(isinstance(n, list) and len(n) == 3 and n[1] == (0, None) and
               n[2] == (0, [f"{n[0] - 100}-{n[0]}"]),
               "data at the right window edge: native drops it, SACKs what "
               "is just inside (sanity)", f"native {n}")
    tap.result(isinstance(n, list) and n == x,
               "data at the right window edge: xtcp drops it and SACKs as "
               "native", f"native (window, then (ack, blocks)) {n}, xtcp {x}")
    n, x = both(obs_ofo_window)
    tap.result(isinstance(n, list) and len(n) == 8 and
               all(isinstance(r, tuple) for r in n) and n[-1][2] > n[0][2],
               "out-of-order data appended behind a hole: native's window "
               "grows (sanity)", f"native {n}")
    tap.result(isinstance(n, list) and n == x,
               "out-of-order data appended behind a hole: xtcp's ACKs, "
               "blocks and windows as native's",
               f"native (ack, blocks, window) {n}, xtcp {x}")
    for case in FIN_CASES:
        n, x = both(obs_fin, case)
        tap.result(isinstance(n, list) and fin_sane(n, FIN_CASES[case]),
                   f"FIN out of order, {case}: native SACKs it to FIN+1, "
                   f"ACKs FIN+1 once the hole fills, reader gets every "
                   f"byte then EOF (sanity)", f"native {n}")
        tap.result(isinstance(n, list) and n == x,
                   f"FIN out of order, {case}: xtcp's ACKs, blocks and "
                   f"reader as native's", f"native {n}, xtcp {x}")
    n, x = both(obs_fin_collapse)
    tap.result(isinstance(n, list) and n[-1] is True and
               fin_sane(n[:-1], COLLAPSE),
               "FIN out of order, queue collapsed below it: native "
               "collapses, keeps the FIN, ACKs FIN+1 once the hole fills, "
               "reader gets every byte then EOF (sanity)", f"native {n}")
    tap.result(isinstance(n, list) and n == x,
               "FIN out of order, queue collapsed below it: xtcp's ACKs, "
               "blocks, collapse and reader as native's",
               f"native {n}, xtcp {x}")
    for seed in CHAOS_SEEDS:
        steps = expect_acks(chaos_path(seed))
        n, x = both(obs_chaos, seed)
        tap.result(complete(n, steps) and has_d(n) and
                   max(n_blocks(n, i) for i in range(len(n))) == 3,
                   f"chaos path, seed {seed}: native ACKs every one of "
                   f"{len(steps)} arrivals as expected, D-SACKs, 3 blocks "
                   f"(sanity)", f"native {n}")
        diff = ([(i, steps[i][:2], a, b) for i, (a, b) in
                 enumerate(zip(n, x)) if a != b][:3]
                if isinstance(n, list) and isinstance(x, list) else None)
        tap.result(isinstance(n, list) and n == x,
                   f"chaos path, seed {seed}: xtcp's ACK, SACK blocks, "
                   f"D-SACKs and TSecr as native's at every arrival",
                   f"first differences (step, segment, native, xtcp) "
                   f"{diff}; native {n}, xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
