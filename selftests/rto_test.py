#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# rto_test: the sender's RTO after a known series of RTT samples, native
# TCP (the oracle) and xtcp, run by selftests/rto.sh (one python process:
# importing scapy takes seconds under TCG).
#
# Per family, a selftests/wire_peer listener in namespace X writes 40000
# bytes on the connection scapy opens; scapy is the receiver.  Our SYN
# offers MSS 1460 and no other option, so there are no timestamps (every
# RTT sample is the sequence-based one of tcp_clean_rtx_queue()) and no
# SACK (no tail loss probe: the first retransmission is the RTO's).  We
# advertise a window of two segments, so X has two in flight, and ACK
# each segment on its own, HOLDS[r] s after the sniffer saw it in round
# r: two samples per round trip, of which only the first ends an RTT in
# Linux's estimator (rtt_seq), so its once-per-RTT decay of rttvar is
# exercised.  The handshake ACK is held HS_HOLD s (the first sample,
# tcp_synack_rtt_meas()).  The rounds are 600 ms twice, then 50 ms
# eight times: each hold stays at least 0.45 s below the RTO that the
# samples before it give, by either estimator, so no segment is resent
# before its ACK (which would leave no sample, Karn) even when python
# ACKs late; the fall to 50 ms is where the two estimators part (about
# 0.74 s against 0.48 s at the end, still 0.25 s apart if python's
# delays make the 50 ms holds 250 ms): Linux's rttvar comes down a quarter of the way to the
# last RTT's largest deviation per RTT and never below 200 ms, while RFC
# 6298's RTTVAR falls by a quarter per sample.  Then we stop ACKing and
# time, on the sniffer's stamps, our last ACK and X's first
# retransmission: the RTO that the last sample left.
#
# Each sample m is taken from the wire as the time between a segment
# (or the SYN-ACK) and our ACK of it; with SND.UNA and SND.NXT at that
# ACK (the highest sequence X had sent before it) those give the RTO
# each model predicts: Linux 6.1's tcp_rtt_estimator() and tcp_set_rto()
# (rounded up to a jiffy, HZ 250) and RFC 6298 s.2 (G 1 ms, 200 ms
# floor), printed for both.  On a loaded host python may ACK later than
# the holds say (seen: samples of 0.4-1.5 s for holds of 0.6 and 0.05 s
# while another VM ran); the models take what the wire shows, so the
# checks still hold, only with less to tell the estimators apart.  The
# checks:
#  - each family's first retransmission comes within -EARLY/+LATE s of
#    the Linux model from its own samples, plus the lateness of Linux's
#    timer wheel at that timeout for either (wheel_slack(): 32 ms below
#    about 2 s, 256 ms above; seen: native 0.25 s late for a 2.16 s
#    RTO; xtcp's own wheel fires on time).  X's samples are the wire's
#    plus the time our ACK takes to reach X's stack (>= 0, and each ms
#    of it adds about 1 ms to the RTO), so LATE is 0.2 s, times
#    XTCP_SLOW; EARLY 0.06 s covers TCG's jitter of the stamps.  For
#    xtcp the RFC model from the same samples must lie outside that
#    window (it comes about 0.3 s earlier with these holds), so an RFC
#    6298 estimator fails the check and the check is not one that
#    cannot fail; when the host's load evens the samples out so that
#    both models fall in the window (seen with three VMs running:
#    Linux 0.948 s, RFC 0.907 s), the check is a SKIP that says so;
#  - xtcp's retransmission comes as late after its model's RTO as
#    native's after its own, within XN s (0.15, times XTCP_SLOW) plus
#    the wheel's lateness: the two connections' samples differ by what
#    python's timing adds to each, which moves their RTOs apart, so the
#    families are compared on the same footing, the RTO their own
#    samples give; the raw intervals are printed too.

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, XPeer, ManualConn as Conn,  # noqa: E402
                     flags, segment, seq_add, wire_args, REPLY_WAIT)
from scapy.layers.inet import IP, TCP  # noqa: E402
from slow import as_native_time, slow  # noqa: E402

FAMILIES = ("inet", "xtcp")
MSS = 1460
WINDOW = 2 * MSS
HS_HOLD = 0.4
HOLDS = [0.6] * 2 + [0.05] * 8
EARLY = 0.06
LATE = slow(0.2)
XN = slow(0.15)
JIFFY_US = 4000		# HZ 250, Debian's 6.1 kernel
RTO_MIN_US = 200000
RTO_MAX_US = 120000000
M32 = 1 << 32


def after(a, b):
    """Sequence number @a is after @b (before() of RFC 9293 s.3.4)."""
    return 0 < (a - b) % M32 < (1 << 31)


def linux_rto(samples):
    """RTO (s) after @samples, (m us, SND.UNA, SND.NXT) each, by Linux
    6.1's tcp_rtt_estimator() and tcp_set_rto()."""
    srtt = mdev = mdev_max = rttvar = rtt_seq = 0
    for m, una, nxt in samples:
        if srtt:
            e = m - (srtt >> 3)
            srtt += e
            if e < 0:
                e = -e - (mdev >> 2)
                if e > 0:
                    e >>= 3
            else:
                e -= mdev >> 2
            mdev += e
            if mdev > mdev_max:
                mdev_max = mdev
                rttvar = max(rttvar, mdev_max)
            if after(una, rtt_seq):
                if mdev_max < rttvar:
                    rttvar -= (rttvar - mdev_max) >> 2
                rtt_seq = nxt
                mdev_max = RTO_MIN_US
        else:
            srtt = m << 3
            mdev = m << 1
            rttvar = mdev_max = max(mdev, RTO_MIN_US)
            rtt_seq = nxt
        srtt = max(1, srtt)
    rto = min((srtt >> 3) + rttvar, RTO_MAX_US)
    return -(-rto // JIFFY_US) * JIFFY_US / 1e6


def wheel_slack(rto):
    """How late Linux's timer wheel may fire a timer @rto s ahead (HZ
    250): the granularity of the level it is queued on, 8^level jiffies,
    levels starting at 63, 504 and 4032 jiffies (kernel/time/timer.c)."""
    j = rto * 1e6 / JIFFY_US
    for start, gran in ((63, 1), (504, 8), (4032, 64)):
        if j < start:
            return gran * JIFFY_US / 1e6
    return 512 * JIFFY_US / 1e6


def rfc_rto(samples):
    """RTO (s) after @samples by RFC 6298 s.2 (G 1 ms, at least 200 ms),
    what xtcp computed before it followed Linux."""
    srtt = var = None
    for m, _, _ in samples:
        if srtt is None:
            srtt, var = m, m / 2
        else:
            var = 0.75 * var + 0.25 * abs(srtt - m)
            srtt = 0.875 * srtt + 0.125 * m
    return min(max(srtt + max(1000, 4 * var), RTO_MIN_US), RTO_MAX_US) / 1e6


def plen(p):
    """@p's TCP payload length, from the headers (len() of a scapy
    payload serializes it, far too slow under TCG for the loop below)."""
    return p[IP].len - 4 * p[IP].ihl - 4 * p[TCP].dataofs


def find(wire, since, pred, timeout):
    """(index, segment) of the first segment kept from index @since on
    that matches @pred, waiting up to @timeout s; (None, None) if none."""
    deadline = time.monotonic() + timeout
    i = since
    with wire.cond:
        while True:
            while i < len(wire.pkts):
                if pred(wire.pkts[i]):
                    return i, wire.pkts[i]
                i += 1
            left = deadline - time.monotonic()
            if left <= 0:
                return None, None
            wire.cond.wait(left)


def run(args, wire, fam, port):
    """(s from our last ACK to the first retransmission, samples) or a
    reason.  The loop only waits, sleeps and sends: everything else is
    worked out from the capture afterwards, so that python's own delays
    (seconds per scan of the capture under TCG) stay out of the holds."""
    peer = XPeer(args, fam, "-l", f"{args.dst}:{port}", "write:40000",
                 "sleep:20000", secs=30)
    try:
        if peer.listening() is None:
            return f"peer: {peer.text()}"
        c = Conn(wire, 31000 + port % 1000, port)

        def ours(ack):
            return lambda p: (p[IP].src == args.src and
                              p[TCP].sport == c.sport and
                              p[TCP].ack == ack and flags(p) == 0x10)

        def data_at(seq):
            return lambda p: (p[IP].src == args.dst and
                              p[TCP].sport == c.dport and
                              p[TCP].dport == c.sport and
                              p[TCP].seq == seq and plen(p) > 0)

        m = c.send("S", ack=0, window=WINDOW, opts=[("MSS", MSS)])
        sa = c.wait_synack(m)
        if sa is None:
            return "no SYN-ACK"
        c.established(sa)
        ack = segment(wire, c.sport, c.dport, "A", c.snd_nxt, c.rcv_nxt,
                      window=WINDOW)
        time.sleep(max(0.0, float(sa.time) + HS_HOLD - time.time()))
        m = wire.mark()
        wire.send(ack)
        ia, a = find(wire, m, ours(c.rcv_nxt), REPLY_WAIT)
        if a is None:
            return "the sniffer did not see our handshake ACK"
        m_us = int(float(a.time - sa.time) * 1e6)
        samples = [(m_us, c.rcv_nxt, c.rcv_nxt)]
        # (index of the segment, of our ACK of it) per data sample
        seen = []
        cur = 0
        for i in range(2 * len(HOLDS)):
            idx, d = find(wire, cur, data_at(c.rcv_nxt), REPLY_WAIT)
            if d is None:
                return f"sample {i}: no segment at {c.rcv_nxt}"
            cur = idx + 1
            c.rcv_nxt = seq_add(d[TCP].seq, plen(d))
            ack = segment(wire, c.sport, c.dport, "A", c.snd_nxt,
                          c.rcv_nxt, window=WINDOW)
            time.sleep(max(0.0, float(d.time) + HOLDS[i // 2] -
                           time.time()))
            m = wire.mark()
            wire.send(ack)
            ia, a = find(wire, m, ours(c.rcv_nxt), REPLY_WAIT)
            if a is None:
                return f"sample {i}: the sniffer did not see our ACK"
            seen.append((idx, ia))
        # Stop ACKing: the head, sent once, comes again at the RTO.
        idx, d = find(wire, cur, data_at(c.rcv_nxt), REPLY_WAIT)
        if d is None:
            return "no segment after our last ACK"
        _, r = find(wire, idx + 1, data_at(c.rcv_nxt), slow(5.0))
        c.abort()
        if r is None:
            return "no retransmission"
        with wire.cond:
            pkts = list(wire.pkts)
        mine = [(k, p) for k, p in enumerate(pkts)
                if p[IP].src == args.dst and p[TCP].sport == c.dport and
                p[TCP].dport == c.sport and plen(p) > 0]
        for i, (idx, ia) in enumerate(seen):
            d, a = pkts[idx], pkts[ia]
            sends = [k for k, p in mine
                     if k < ia and p[TCP].seq == d[TCP].seq]
            if len(sends) > 1:
                return (f"sample {i}: segment sent {len(sends)} times "
                        "before our ACK (no sample: Karn)")
            # SND.NXT at our ACK: the highest sequence sent before it.
            nxt = una = seq_add(d[TCP].seq, plen(d))
            for k, p in mine:
                e = seq_add(p[TCP].seq, plen(p))
                if k < ia and after(e, nxt):
                    nxt = e
            samples.append((int(float(a.time - d.time) * 1e6), una, nxt))
        return float(r.time - pkts[seen[-1][1]].time), samples
    finally:
        peer.stop()


def main():
    ap = wire_args(argparse.ArgumentParser(), "--netns", "--peer")
    args = ap.parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac, both=True)
    got = {}
    port = 7950
    for fam in FAMILIES:
        port += 1
        t0 = time.monotonic()
        got[fam] = run(args, wire, fam, port)
        r = got[fam]
        if isinstance(r, tuple):
            ms = " ".join(f"{m / 1000:.0f}" for m, _, _ in r[1])
            print(f"# {fam}: samples (ms) {ms}; first retransmission "
                  f"{r[0]:.3f} s after our last ACK; models: Linux "
                  f"{linux_rto(r[1]):.3f} s, RFC 6298 "
                  f"{rfc_rto(r[1]):.3f} s ({time.monotonic() - t0:.1f} s)",
                  flush=True)
        else:
            print(f"# {fam}: {r}", flush=True)
    wire.sniffer.stop()

    tap = Tap(4)
    ok = all(isinstance(v, tuple) for v in got.values())
    tap.result(ok, "every family's samples and first retransmission "
               "were measured", str({k: v if isinstance(v, str) else
                                     "ok" for k, v in got.items()}))
    if not ok:
        for _ in range(3):
            tap.result(False, "(not measured)")
        return 1
    res = {}
    for fam, name in (("inet", "native"), ("xtcp", "xtcp")):
        rtx, samples = got[fam]
        want, rfc = linux_rto(samples), rfc_rto(samples)
        res[fam] = rtx - want
        lo, hi = want - EARLY, want + LATE + wheel_slack(want)
        ok = lo <= rtx <= hi
        why = (f"{rtx:.3f} s, Linux model {want:.3f} s (wanted "
               f"{lo:.3f}-{hi:.3f} s), RFC 6298 model {rfc:.3f} s")
        if fam == "xtcp" and ok and lo <= rfc <= hi:
            # The holds did not survive the host's load (python's
            # delays evened the samples out): both models fall in the
            # window, so it cannot tell the estimators apart.
            ok = None
            why += ": inside the window too, samples too even to tell"
        tap.result(ok, f"{name}: first retransmission after the RTO of "
                   "Linux's estimator for its samples", why)
    n, x = res["inet"], res["xtcp"]
    tol = XN + wheel_slack(linux_rto(got["inet"][1]))
    tap.result(as_native_time(x, n, tol), "xtcp: first retransmission as late "
               f"after its model's RTO as native's, within {tol:.3f} s",
               f"beyond the model: native {n:+.3f} s, xtcp {x:+.3f} s; "
               f"after our last ACK: native {got['inet'][0]:.3f} s, "
               f"xtcp {got['xtcp'][0]:.3f} s")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
