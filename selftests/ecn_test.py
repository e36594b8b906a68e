#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# ecn_test: Explicit Congestion Notification (RFC 3168) on the wire, run
# by selftests/ecn.sh (one python process: importing scapy takes seconds
# under TCG).  The native or xtcp end is a selftests/wire_peer process in
# namespace X, started per case; scapy speaks as an address its own
# namespace does not own.  Every case runs for each --family given, with
# the same checks: native TCP is the reference that shows them right.
#
# Timing: replies are waited for up to REPLY_WAIT (3 s, scaled by
# XTCP_SLOW); the resent SYN is waited for up to 2.5 s (it comes after
# the 1 s initial RTO; TCG moves that by tens of milliseconds).  No check
# measures time.

import argparse
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, flags,  # noqa: E402
                     ManualConn as Conn, describe, seq_add, run_families,
                     wire_args, REPLY_WAIT)
from slow import slow  # noqa: E402
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.packet import Raw  # noqa: E402

ECE, CWR = 0x40, 0x80
NOT_ECT, ECT0, CE = 0, 2, 3
MSS = 1460
# How late our ACK of a listener's SYN-ACK goes.  The listener's first
# RTT sample, and so its RTO, are at least that: python here answers a
# flight of ten segments in hundreds of ms under TCG, more than the
# 200 ms minimum RTO a fast handshake gives, and every sender case then
# saw a retransmission and said nothing (skipped, both stacks).
HS_DELAY = slow(0.5)


class Peer(LinePeer):
    """One wire_peer process in namespace X and the lines it printed."""

    def __init__(self, args, fam, *argv, secs=10):
        super().__init__(args.netns, args.peer, fam, "-t", str(secs), *argv)


def set_ecn(args, v):
    """net.ipv4.tcp_ecn and net.xtcp.tcp_ecn in X, both to @v."""
    subprocess.run(["ip", "netns", "exec", args.netns, "sysctl", "-qw",
                    f"net.ipv4.tcp_ecn={v}", f"net.xtcp.tcp_ecn={v}"],
                   check=True)


def ecn_bits(p):
    return flags(p) & (ECE | CWR)


def ip_ecn(p):
    return p[IP].tos & 3


def data_pred(p):
    return len(p[TCP].payload) > 0


def send(c, fl, seq=None, ack=None, data=b"", tos=NOT_ECT, opts=None,
         window=65535):
    """One segment of Conn @c with the IP ECN field @tos; the mark before."""
    t = TCP(sport=c.sport, dport=c.dport, flags=fl,
            seq=(c.snd_nxt if seq is None else seq) % (1 << 32),
            ack=(c.rcv_nxt if ack is None else ack) % (1 << 32),
            window=window, options=opts or [])
    p = IP(src=c.wire.src, dst=c.wire.dst, tos=tos) / t
    if data:
        p = p / Raw(data)
    m = c.wire.mark()
    c.wire.send(p)
    return m


def handshake(c, ask, tos=NOT_ECT, complete=True, delay=0.0):
    """Our SYN (with ECE+CWR when @ask, IP ECN field @tos), the SYN-ACK,
    and our ACK @delay s after it, or a RST instead unless @complete: the
    SYN-ACK, or None without one."""
    m = send(c, "SEC" if ask else "S", seq=c.isn, ack=0, tos=tos,
             opts=[("MSS", MSS)])
    sa = c.wait_synack(m)
    if sa is None:
        return None
    c.established(sa)
    if complete and delay:
        time.sleep(delay)
    send(c, "A" if complete else "R")
    return sa


def ecn_conn(args, wire, fam, port, lport, ask, *actions):
    """A wire_peer listener on @port running @actions, and our connection
    from @lport (asking for ECN when @ask), its handshake ACK HS_DELAY
    late: (peer, Conn, None) or (peer, None, why not)."""
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", *actions)
    if peer.listening() is None:
        return peer, None, f"peer: {peer.text()}"
    c = Conn(wire, lport, port)
    if handshake(c, ask, delay=HS_DELAY) is None:
        return peer, None, "no SYN-ACK"
    if peer.line(r"accepted") is None:
        return peer, None, f"not accepted: {peer.text()}"
    return peer, c, None


def new_data(c, since, count, ack_each=True, timeout=REPLY_WAIT):
    """The next @count in-order data segments of @c after mark @since (the
    first at c.rcv_nxt), ACKing each when @ack_each: a list of packets."""
    got, i = [], since
    while len(got) < count:
        p = c.wait(i, lambda q: data_pred(q) and q[TCP].seq == c.rcv_nxt,
                   timeout)
        if p is None:
            break
        with c.wire.cond:
            i = c.wire.pkts.index(p) + 1
        got.append(p)
        c.rcv_nxt = seq_add(c.rcv_nxt, len(p[TCP].payload))
        if ack_each:
            send(c, "A")
    return got


def resent(c, since):
    """Did X send a data segment of @c twice after mark @since?"""
    with c.wire.cond:
        seqs = [p[TCP].seq for p in c.wire.pkts[since:]
                if c.mine(p) and data_pred(p)]
    return len(seqs) != len(set(seqs))


def knob(args, name, value=None):
    """Read net.ipv4.NAME or net.xtcp.NAME in X (@name with its tree), or
    write @value: (exit status, output with the tree's name taken out)."""
    path = "/proc/sys/net/" + name.replace(".", "/")
    cmd = f"cat {path}" if value is None else f"echo {value} > {path}"
    r = subprocess.run(["ip", "netns", "exec", args.netns, "sh", "-c", cmd],
                       capture_output=True, text=True)
    out = (r.stdout + r.stderr).replace("ipv4", "T").replace("xtcp", "T")
    return r.returncode, out.strip()


def case_sysctl(args, wire, fam, port):
    # net.xtcp.tcp_ecn and tcp_ecn_fallback: net.ipv4's defaults (X is a
    # fresh namespace here), bounds and errors on bad writes.
    for name in ("tcp_ecn", "tcp_ecn_fallback"):
        n, x = knob(args, f"ipv4.{name}"), knob(args, f"xtcp.{name}")
        yield n == x and n[0] == 0, f"{name}: native {n}, xtcp {x}"
    bad = []
    for name, value in (("tcp_ecn", 3), ("tcp_ecn", -1),
                        ("tcp_ecn_fallback", 2), ("tcp_ecn", "x")):
        n = knob(args, f"ipv4.{name}", value)
        x = knob(args, f"xtcp.{name}", value)
        if n != x or n[0] == 0:
            bad.append(f"{name}={value}: native {n}, xtcp {x}")
    set_ecn(args, 2)
    yield not bad, "; ".join(bad)


def case_syn_flags(args, wire, fam, port):
    # A connecting socket's SYN: ECE and CWR under tcp_ecn 1 only, never
    # ECT; under tcp_ecn 1 the SYN sent again after the 1 s RTO has
    # neither (tcp_ecn_fallback 1, RFC 3168 s.6.1.1.1).
    want = {0: 0, 1: ECE | CWR, 2: 0}
    ect = []
    for v in (0, 1, 2):
        set_ecn(args, v)
        m = wire.mark()
        peer = Peer(args, fam, "-c", f"{args.src}:{port + 100 * v}",
                    "connect")
        try:
            syn = wire.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                            p[TCP].dport == port + 100 * v, REPLY_WAIT)
            ok = syn is not None and ecn_bits(syn) == want[v]
            yield ok, f"tcp_ecn {v}: SYN {describe(syn)}"
            if syn is not None:
                ect.append(ip_ecn(syn))
            if v == 1 and syn is not None:
                again = wire.wait(m, lambda p: flags(p) & 0x12 == 0x02 and
                                  p[TCP].dport == port + 100 * v and
                                  p[TCP].seq == syn[TCP].seq and p is not syn,
                                  slow(2.5))
                yield (again is not None and ecn_bits(again) == 0), \
                    f"resent SYN {describe(again)}"
                if again is not None:
                    ect.append(ip_ecn(again))
            elif v == 1:
                yield False, "no first SYN"
        finally:
            peer.stop()
    yield ect and not any(ect), f"IP ECN fields of the SYNs: {ect}"
    set_ecn(args, 2)


def case_synack_flags(args, wire, fam, port):
    # A listener's SYN-ACK: ECE (never CWR) exactly when the SYN asked
    # with ECE+CWR and tcp_ecn is not 0; a SYN that asks but is itself
    # ECT(0) gets no ECE (a middlebox bleached or set the field); the
    # SYN-ACK is never ECT.  Each handshake ends with our RST, so the
    # listener (which accepts once) never accepts.
    # It waits up to 60 s for an accept that never comes.
    peer = Peer(args, fam, "-l", f"{args.dst}:{port}", secs=60)
    try:
        if peer.listening() is None:
            for _ in range(8):
                yield False, f"peer: {peer.text()}"
            return
        ect = []
        n = 0
        for v in (0, 1, 2):
            set_ecn(args, v)
            for ask in (False, True):
                n += 1
                c = Conn(wire, 43000 + port % 1000 * 10 + n, port)
                sa = handshake(c, ask, complete=False)
                want = ECE if ask and v else 0
                yield (sa is not None and ecn_bits(sa) == want), \
                    f"tcp_ecn {v}, SYN {'with' if ask else 'without'} " \
                    f"ECE+CWR: SYN-ACK {describe(sa)}"
                if sa is not None:
                    ect.append(ip_ecn(sa))
        set_ecn(args, 2)
        c = Conn(wire, 43000 + port % 1000 * 10 + 9, port)
        sa = handshake(c, True, tos=ECT0, complete=False)
        yield (sa is not None and ecn_bits(sa) == 0), \
            f"ECT(0) SYN asking: SYN-ACK {describe(sa)}"
        yield ect and not any(ect), f"IP ECN fields of the SYN-ACKs: {ect}"
    finally:
        set_ecn(args, 2)
        peer.stop()


def case_ect_on_data(args, wire, fam, port):
    # ECT(0) on the data segments of an ECN connection, Not-ECT on its
    # pure ACKs; Not-ECT on everything of a connection that did not ask.
    for ask in (True, False):
        lport = 44000 + port % 1000 * 2 + ask
        peer, c, why = ecn_conn(args, wire, fam, port + 50 * ask, lport, ask,
                                "write:3000", "readall", "close")
        try:
            if why:
                for _ in range(2):
                    yield False, why
                continue
            segs, got = [], 0
            while got < 3000:
                seg = new_data(c, 0, 1)
                if not seg:
                    break
                segs += seg
                got += len(seg[0][TCP].payload)
            fields = [ip_ecn(p) for p in segs]
            want = ECT0 if ask else NOT_ECT
            yield (got == 3000 and all(f == want for f in fields)), \
                f"{'ECN' if ask else 'non-ECN'} connection: {got} bytes, " \
                f"IP ECN fields {fields}"
            m = send(c, "PA", data=b"x" * 500, tos=ECT0 if ask else NOT_ECT)
            want_ack = seq_add(c.snd_nxt, 500)
            a = c.wait(m, lambda p: not data_pred(p) and
                       flags(p) & 0x10 and p[TCP].ack == want_ack)
            c.snd_nxt = want_ack
            yield (a is not None and ip_ecn(a) == NOT_ECT), \
                f"pure ACK {describe(a)} IP ECN {a and ip_ecn(a)}"
            c.abort()
        finally:
            peer.stop()


def case_ce_echo(args, wire, fam, port):
    # Receiver: data with CE -> every ACK has ECE, also for later data
    # without CE, until a segment with CWR; then no more ECE.
    peer, c, why = ecn_conn(args, wire, fam, port, 45000 + port % 1000, True,
                            "readall", "close")
    try:
        if why:
            for _ in range(4):
                yield False, why
            return
        steps = [("PA", CE, True, "CE data"),
                 ("PA", ECT0, True, "ECT(0) data after CE"),
                 ("PAC", ECT0, False, "data with CWR"),
                 ("PA", ECT0, False, "data after CWR")]
        for fl, tos, ece, what in steps:
            m = send(c, fl, data=b"y" * 100, tos=tos)
            want = seq_add(c.snd_nxt, 100)
            a = c.wait(m, lambda p: flags(p) & 0x10 and p[TCP].ack == want)
            c.snd_nxt = want
            ok = a is not None and bool(flags(a) & ECE) == ece
            yield ok, f"{what}: wanted {'' if ece else 'no '}ECE, " \
                f"got {describe(a)}"
        c.abort()
    finally:
        peer.stop()


def case_sender_cwr(args, wire, fam, port):
    # Sender: an ACK with ECE -> the next new data segment has CWR; an
    # ECE inside the same window of data (a duplicate ACK with ECE before
    # anything beyond that window is acknowledged) brings no second
    # reduction, so no second CWR; an ECE on an ACK beyond that window
    # starts a new one: CWR again.
    names = 3
    peer, c, why = ecn_conn(args, wire, fam, port, 46000 + port % 1000, True,
                            "write:120000", "sleep:2000", "close")
    try:
        if why:
            for _ in range(names):
                yield False, why
            return
        start = c.rcv_nxt
        first = new_data(c, 0, 10, ack_each=False)
        if len(first) != 10:
            for _ in range(names):
                yield False, f"first flight: {len(first)} segments"
            return
        high = c.rcv_nxt		# the sender's high_seq at the ECE below
        m1 = send(c, "AE", ack=seq_add(start, MSS))
        send(c, "A", ack=high)
        seg11 = c.wait(m1, lambda p: data_pred(p) and p[TCP].seq == high)
        if seg11 is None:
            for _ in range(names):
                yield False, "no new data after the ECE"
            return
        # Inside the window: a duplicate ACK of high_seq with ECE.
        send(c, "AE", ack=high)
        later = new_data(c, m1, 8)
        cwr_late = [p[TCP].seq for p in later[1:] if flags(p) & CWR]
        # Beyond it: the next ACK of new data has ECE.
        more = new_data(c, m1, 1, ack_each=False)
        send(c, "AE")
        # The segments in flight when that ACK came, then one with CWR
        # (how many were in flight depends on the congestion control).
        after = []
        while not any(flags(p) & CWR for p in after):
            seg = new_data(c, m1, 1)
            if not seg:
                break
            after += seg
        if resent(c, 0):
            for _ in range(names):
                yield None, "X retransmitted (RTO under TCG): says nothing"
            return
        yield bool(flags(seg11) & CWR), \
            f"first new data after ECE: {describe(seg11)}"
        yield (len(later) == 8 and not cwr_late), \
            f"{len(later)} segments after it, CWR at {cwr_late}"
        yield (len(more) == 1 and any(flags(p) & CWR for p in after)), \
            f"after an ECE in the next window: {len(after)} segments, " \
            f"the last {describe(after[-1] if after else None)}"
        c.abort()
    finally:
        peer.stop()


CASES = [
    (case_sysctl, [
        "tcp_ecn defaults to native's",
        "tcp_ecn_fallback defaults to native's",
        "bad writes to tcp_ecn, tcp_ecn_fallback fail as native's"]),
    (case_syn_flags, [
        "SYN under tcp_ecn 0: no ECE, no CWR",
        "SYN under tcp_ecn 1: ECE and CWR",
        "resent SYN under tcp_ecn 1 (fallback): no ECE, no CWR",
        "SYN under tcp_ecn 2: no ECE, no CWR",
        "SYNs are Not-ECT"]),
    (case_synack_flags, [
        "SYN-ACK, tcp_ecn 0, SYN not asking: no ECE",
        "SYN-ACK, tcp_ecn 0, SYN asking: no ECE",
        "SYN-ACK, tcp_ecn 1, SYN not asking: no ECE",
        "SYN-ACK, tcp_ecn 1, SYN asking: ECE, no CWR",
        "SYN-ACK, tcp_ecn 2, SYN not asking: no ECE",
        "SYN-ACK, tcp_ecn 2, SYN asking: ECE, no CWR",
        "SYN-ACK, tcp_ecn 2, ECT SYN asking: no ECE",
        "SYN-ACKs are Not-ECT"]),
    (case_ect_on_data, [
        "ECN connection: data segments are ECT(0)",
        "ECN connection: pure ACKs are Not-ECT",
        "non-ECN connection: data segments are Not-ECT",
        "non-ECN connection: pure ACKs are Not-ECT"]),
    (case_ce_echo, [
        "CE data: the ACK has ECE",
        "data after CE: the ACK still has ECE",
        "data with CWR: the ACK has no ECE",
        "data after CWR: the ACK has no ECE"]),
    (case_sender_cwr, [
        "ECE: the next new data segment has CWR",
        "a second ECE in the same window: no second CWR",
        "ECE in the next window: CWR again"]),
]


def main():
    ap = wire_args(argparse.ArgumentParser())
    ap.add_argument("--netns", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--family", action="append", required=True)
    args = ap.parse_args()
    random.seed()
    tap = Tap(len(args.family) * sum(len(names) for _, names in CASES))
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    run_families(tap, args.family, CASES, 7300, args, wire)
    wire.sniffer.stop()
    set_ecn(args, 2)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
