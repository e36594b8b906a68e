#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# synack_rtt_test: run by selftests/synack_rtt.sh.  Per --family (native
# TCP first): scapy opens a connection to a selftests/wire_peer server,
# which then writes 100 bytes; we never ACK them and time, on the sniffer's
# stamps, the data segment's first send and its first retransmission
# (an RTO: our SYN offers no SACK, so native sends no tail loss probe).
# Each family's interval is printed.
#
# Each side's sample m is the time its kernel saw between SYN-ACK and
# ACK.  We make it known: the third ACK is held HOLD (150 ms) after the
# SYN-ACK's sniffer stamp, and m is taken from the wire as the time
# between the SYN-ACK and our ACK, both stamped by the sniffer (which
# sees both directions).  Each family's first retransmission must then
# follow its own RTO formula from that m (see main()), and come clearly
# before the 1 s it would take without a sample.
# With the SYN-ACK sent twice (we ignore the first one) there is no
# sample (Karn) and data starts from the 3 s RTO of RFC 6298 s.5.7
# (tcp_init_metrics()): both at 2.5 s or more, within 300 ms.
# The first window after resent SYN-ACKs (RFC 5681 s.3.1, Linux's
# tcp_init_transfer()): with the SYN-ACK resent once by its timer the
# server still starts from its initial window, with it resent twice from
# one segment.  The server writes 3 segments' worth; we count the data
# segments it sends within FLIGHT_WAIT of the first, ACKing none of them:
# native 3 and 1, and xtcp as native.  With timestamps (our SYN offers
# them) and the SYN-ACK resent twice, an ACK echoing the first SYN-ACK's
# TSval shows the resends spurious (tcp_try_undo_spurious_syn()): the
# server keeps its initial window (3 segments); one echoing the last
# SYN-ACK's TSval does not (1).  Native 3 and 1, and xtcp as native.

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, NativePremise, flags, describe,  # noqa: E402
                     seq_add, wire_args, REPLY_WAIT, ts_opts, ts_of)
from scapy.layers.inet import IP, TCP  # noqa: E402
from slow import as_native_time, slow  # noqa: E402
import subprocess  # noqa: E402

# How long the third ACK is held after the SYN-ACK (s).  With m = 150 ms
# both formulas give 450 ms: 550 ms clear of the 1 s initial RTO.
HOLD = 0.15
# The largest wire m the checks accept: beyond it a loaded host delayed
# our ACK so much that the model would come near 1 s.
HOLD_MAX = 0.25
# How long after the first data segment the rest of the first window is
# counted (s): the 3 s RTO without a sample comes well after it.
FLIGHT_WAIT = min(slow(1.0), 2.0)


def server(args, fam, port, sleep_ms, nbytes):
    """A wire_peer server of @fam on @port that, once it accepted, waits
    @sleep_ms, writes @nbytes and holds the connection; its Popen once
    it listens, or None."""
    peer = subprocess.Popen(
        ["ip", "netns", "exec", args.netns, args.peer, "-f", fam, "-t", "10",
         "-l", f"{args.dst}:{port}", f"sleep:{sleep_ms}", f"write:{nbytes}",
         "sleep:6000", "close"], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    if peer.stdout.readline().startswith("listening"):
        return peer
    peer.kill()
    peer.wait()
    return None


def send_syn(args, wire, port, ts=False):
    """Our SYN (MSS 1460 only, and timestamps with @ts) to @port: (our
    port, our ISN, a predicate for the server's segments of this
    connection, the sniffer's mark before the SYN)."""
    sport = 46000 + port % 1000
    isn = 5000000 + port
    opts = [("MSS", 1460)]
    if ts:
        opts += ts_opts(int(time.time() * 1000), 0)
    m = wire.mark()
    wire.send(IP(src=args.src, dst=args.dst) / TCP(
        sport=sport, dport=port, flags="S", seq=isn, window=65535,
        options=opts))
    return (sport, isn,
            lambda p: p[TCP].sport == port and p[TCP].dport == sport, m)


def first_window(args, wire, fam, port, resends, echo=None):
    """The number of data segments the server sends first, with its
    SYN-ACK resent @resends times by its timer before our ACK, or a
    string saying why none was counted.  With @echo ("first" or "last")
    timestamps are on: our SYN offers them, our ACK echoes the TSval of
    that SYN-ACK, and the server writes three segments of 1448 bytes."""
    peer = server(args, fam, port, 200, 4344 if echo else 4380)
    if peer is None:
        return "the server did not listen"
    try:
        sport, isn, mine, m = send_syn(args, wire, port, echo is not None)
        sa = first = None
        for k in range(resends + 1):
            sa = wire.wait(m, lambda p: mine(p) and
                           flags(p) & 0x12 == 0x12, REPLY_WAIT + 2 * k)
            if sa is None:
                return f"no SYN-ACK number {k + 1}"
            first = first or sa
            # The resent SYN-ACKs may be byte for byte the first one: find
            # this one by identity (list.index() would find the first).
            with wire.cond:
                m = next(i for i in range(m, len(wire.pkts))
                         if wire.pkts[i] is sa) + 1
        opts = []
        if echo:
            ts = ts_of(first if echo == "first" else sa)
            if ts is None:
                return "the SYN-ACK has no timestamps"
            opts = ts_opts(int(time.time() * 1000), ts[0])
        m = wire.mark()
        wire.send(IP(src=args.src, dst=args.dst) / TCP(
            sport=sport, dport=port, flags="A", seq=isn + 1,
            ack=seq_add(sa[TCP].seq, 1), window=65535, options=opts))
        d = wire.wait(m, lambda p: mine(p) and len(p[TCP].payload) > 0,
                      REPLY_WAIT)
        if d is None:
            return "no data segment"
        time.sleep(max(0.0, float(d.time) + FLIGHT_WAIT - time.time()))
        with wire.cond:
            segs = {p[TCP].seq for p in wire.pkts[m:]
                    if mine(p) and len(p[TCP].payload) > 0 and
                    float(p.time) <= float(d.time) + FLIGHT_WAIT}
        wire.send(IP(src=args.src, dst=args.dst) / TCP(
            sport=sport, dport=port, flags="R", seq=isn + 1))
        return len(segs)
    finally:
        peer.kill()
        peer.wait()


def first_rtx(args, wire, fam, port, resent_synack):
    """(seconds from the server's first data segment to its first
    retransmission, seconds of the handshake's RTT sample), or a string
    saying why none was measured."""
    peer = server(args, fam, port, 500, 100)
    if peer is None:
        return "the server did not listen"
    try:
        sport, isn, mine, m = send_syn(args, wire, port)
        sa = wire.wait(m, lambda p: mine(p) and flags(p) & 0x12 == 0x12,
                       REPLY_WAIT)
        if sa is None:
            return "no SYN-ACK"
        if resent_synack:
            # Ignore it: the server sends it again after 1 s.
            m = wire.mark()
            sa = wire.wait(m, lambda p: mine(p) and flags(p) & 0x12 == 0x12,
                           REPLY_WAIT)
            if sa is None:
                return "no second SYN-ACK"
        rcv_nxt = seq_add(sa[TCP].seq, 1)
        if not resent_synack:
            time.sleep(max(0.0, float(sa.time) + HOLD - time.time()))
        m = wire.mark()
        wire.send(IP(src=args.src, dst=args.dst) / TCP(
            sport=sport, dport=port, flags="A", seq=isn + 1, ack=rcv_nxt,
            window=65535))
        # The server's sample: from its SYN-ACK to our ACK, both as the
        # sniffer stamped them, give or take the veth and its softirq.
        ack = wire.wait(m, lambda p: p[TCP].sport == sport and
                        p[TCP].dport == port and flags(p) == 0x10,
                        REPLY_WAIT)
        if ack is None:
            return "the sniffer did not see our ACK"
        rtt = float(ack.time - sa.time)
        d = wire.wait(m, lambda p: mine(p) and len(p[TCP].payload) > 0,
                      REPLY_WAIT)
        if d is None:
            return "no data segment"
        with wire.cond:
            i = wire.pkts.index(d) + 1
        r = wire.wait(i, lambda p: mine(p) and len(p[TCP].payload) > 0 and
                      p[TCP].seq == d[TCP].seq, slow(5.0))
        if r is None:
            return f"no retransmission of {describe(d)}"
        wire.send(IP(src=args.src, dst=args.dst) / TCP(
            sport=sport, dport=port, flags="R", seq=isn + 1))
        return float(r.time - d.time), rtt
    finally:
        peer.kill()
        peer.wait()


def main():
    ap = wire_args(argparse.ArgumentParser())
    ap.add_argument("--netns", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--family", action="append", required=True)
    args = ap.parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac, both=True)
    got = {}
    port = 7800
    for resent in (False, True):
        for fam in args.family:
            port += 1
            got[(fam, resent)] = first_rtx(args, wire, fam, port, resent)
            print(f"# {fam}, SYN-ACK {'resent' if resent else 'once'}: "
                  f"(first retransmission, handshake) {got[(fam, resent)]}",
                  flush=True)
    windows = {}
    for resends, echo in ((1, None), (2, None), (2, "first"), (2, "last")):
        for fam in args.family:
            port += 1
            w = first_window(args, wire, fam, port, resends, echo)
            windows[(fam, resends, echo)] = w
            print(f"# {fam}, SYN-ACK resent {resends}x"
                  f"{f', our ACK echoing the {echo} one' if echo else ''}: "
                  f"data segments in the first {FLIGHT_WAIT} s: {w}",
                  flush=True)
    wire.sniffer.stop()
    tap = Tap(8)
    ok = all(isinstance(v, tuple) for v in got.values())
    tap.result(ok, "every family's first retransmission was measured",
               str(got))
    if not ok:
        for _ in range(7):
            tap.result(False, "(not measured)", str(got))
        return 1
    # Each family's first RTO from its handshake sample m (s), the same
    # for both: tcp_rtt_estimator()'s first sample sets srtt = m and
    # rttvar = max(2m, tcp_rto_min 200 ms); __tcp_set_rto() is srtt +
    # rttvar, so m + max(2m, 0.2) (no tail loss probe: our SYN offers no
    # SACK); xtcp's net/xtcp/rtt.c follows it.  (RFC 6298 s.2.2 would
    # give max(3m, 0.2): the same for this m, so this case does not tell
    # the estimators apart; selftests/rto.sh does.)
    # Tolerance, from both sides: the kernel's m is the wire's plus the
    # time our ACK takes to reach X's stack (>= 0; each ms of it adds 3 ms
    # to the RTO) and the timer fires up to a few jiffies late, so the
    # retransmission may come up to 200 ms after the model; it may come
    # 60 ms before it (TCG jitter of native's own timers, vm-notes).
    # Either way it must come before 940 ms: without a sample it would
    # wait the 1 s initial RTO (seen: 1.00 s; 60 ms early at most, as
    # above).  A handshake slower than HOLD_MAX (the debug kernel's, where
    # native's took 0.348 s on 2026-12-03) leaves no room between the
    # model's window and that 1 s: the case is skipped, not failed.
    # Native outside its own window (the debug kernel: 0.901 s against a
    # model of 0.638 s, our ACK slow to reach its stack) is a bed that
    # cannot tell (NativePremise).
    models = {"inet": lambda m: m + max(2 * m, 0.2),
              "xtcp": lambda m: m + max(2 * m, 0.2)}
    premise = NativePremise()
    for fam, name in (("inet", "native"), ("xtcp", "xtcp")):
        rtx, m = got[(fam, False)]
        want = models[fam](m)
        ok = (want - 0.06 <= rtx <= want + 0.2 and rtx < 0.94
              if m <= HOLD_MAX else None)
        why = (f"{name} {rtx:.3f} s, wire m {m:.3f} s (at most "
               f"{HOLD_MAX}), model {want:.3f} s (wanted -0.06/+0.2 "
               "of it and under 0.94 s)")
        ok, why = premise.verdict(fam, ok, why)
        tap.result(ok,
                   f"{name}, SYN-ACK sent once and its ACK held "
                   f"{HOLD * 1000:.0f} ms: first retransmission after the "
                   "RTO its handshake sample gives, not the 1 s initial "
                   "RTO", why)
    (nat, _), (xt, _) = got[("inet", True)], got[("xtcp", True)]
    tap.result(xt >= 2.5 and as_native_time(xt, nat, 0.3),
               "SYN-ACK sent twice: no RTT sample (Karn), first RTO 3 s "
               "(RFC 6298 s.5.7) as native's", f"native {nat}, xtcp {xt}")
    nat_w = (windows.get(("inet", 1, None)), windows.get(("inet", 2, None)))
    xt_w = (windows.get(("xtcp", 1, None)), windows.get(("xtcp", 2, None)))
    tap.result(nat_w == (3, 1),
               "native's first window: 3 segments after one SYN-ACK "
               "resent, 1 after two (tcp_init_transfer(), sanity)",
               f"native {nat_w}")
    tap.result(nat_w == (3, 1) and xt_w == nat_w,
               "xtcp's first window after one and after two resent "
               "SYN-ACKs is native's (RFC 5681 s.3.1)",
               f"native {nat_w}, xtcp {xt_w}")
    nat_e = (windows.get(("inet", 2, "first")),
             windows.get(("inet", 2, "last")))
    xt_e = (windows.get(("xtcp", 2, "first")),
            windows.get(("xtcp", 2, "last")))
    tap.result(nat_e == (3, 1),
               "native's first window after two resent SYN-ACKs: 3 "
               "segments when our ACK echoes the first one's TSval (the "
               "resends were spurious), 1 when it echoes the last one's "
               "(tcp_try_undo_spurious_syn(), sanity)", f"native {nat_e}")
    tap.result(nat_e == (3, 1) and xt_e == nat_e,
               "xtcp's first window after spurious and real SYN-ACK "
               "resends, told apart by the timestamps, is native's",
               f"native {nat_e}, xtcp {xt_e}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
