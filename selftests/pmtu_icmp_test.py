#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# pmtu_icmp_test: which ICMP "fragmentation needed" (type 3 code 4)
# messages make a sender retransmit, native TCP (the oracle) and xtcp, run
# by selftests/pmtu_icmp.sh (one python process: importing scapy takes
# seconds under TCG).  Each case runs against a selftests/wire_peer
# listener in namespace X that writes 20000 bytes; scapy is the receiver
# and ACKs none of it, so X's first flight (up to its initial window)
# stays in flight.  Once the first data segment is seen, scapy sends the
# ICMP, quoting that segment's IP header and the first 20 bytes of its
# TCP header (RFC 792: at least 8 are needed), as a router on the path
# would, and counts X's retransmissions in the next WINDOW seconds:
#
#   no ICMP              the baseline: nothing resent within WINDOW (so
#                        a retransmission in the cases below is the
#                        ICMP's doing, not the retransmission timer's)
#   mtu 1500 in window   a next-hop MTU equal to the path's (X's veth has
#                        MTU 1500): none (Linux's
#                        tcp_v4_mtu_reduced() acts only when the new MTU
#                        is below the socket's path MTU cookie)
#   mtu 9000 in window   a next-hop MTU larger than the path's: none
#                        either (an ICMP never raises the path MTU:
#                        __ip_rt_update_pmtu() ignores one above the
#                        route's, and tcp_v4_mtu_reduced() acts only on a
#                        smaller one)
#   mtu 1200 out of window   the quoted sequence number 2^20 below snd_una:
#                        none (tcp_v4_err() drops it, counting
#                        OutOfWindowIcmps)
#   mtu 1200 in window   the control: a smaller MTU makes X resend what
#                        is in flight in smaller segments at once
#                        (tcp_simple_retransmit()): at least one
#                        retransmission, none with more than 1200 - 40
#                        bytes of payload
#   mtu 1200, mixed flight   X writes 1000 bytes, then 20000: its first
#                        flight is one 1000-byte segment, which fits the
#                        new MTU, and nine of 1460, which do not; the ICMP
#                        quotes the 1000-byte one and leaves once all ten
#                        were seen (at most 3 s).  Only the segments too
#                        big for the new MTU are lost, so only they go
#                        again (tcp_simple_retransmit() marks lost what is
#                        longer than the new MSS): native resends no byte
#                        of the 1000-byte segment, and xtcp must not
#                        either (native the oracle: the same number of
#                        such retransmissions, which is 0, and native
#                        must show it, or the check is void).  Both
#                        resend what the congestion window of 10 takes
#                        with the lost segments out of the flight: nine
#                        1160/300-byte pieces for native; xtcp's count
#                        must be within 2 of native's (the tolerance
#                        covers a different cut of the last piece, not a
#                        second copy of the flight).  That the transfer
#                        then completes byte-exact is sendpath.sh's pmtu
#                        case (a real router, every byte checked).
#
# WINDOW is 0.6 s and cannot be reached by X's retransmission timer: our
# third handshake ACK leaves HS_DELAY (0.4 s) after the SYN-ACK, so X's
# first RTT sample is at least 0.4 s and its RTO at least 1.2 s (Linux's
# tcp_rtt_estimator(), which xtcp follows: m + max(2m, tcp_rto_min));
# before any sample the RTO is 1 s.  The ICMP leaves within
# tens of ms of the first segment under TCG; 0.6 s after it is half of
# either (it was 0.2 s, and a host running three VMs took 0.208 s to
# resend after the ICMP).  A retransmission is a data segment that starts below the end
# of one sent before it (the rest of the first flight may still be on its
# way when the ICMP leaves); they are counted by the sniffer's kernel
# timestamps, after a further 0.3 s for the sniffer to catch up (so a
# late sniffer cannot hide one).  X's cached path MTU towards us is flushed before each case.

import argparse
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, writer_peer, wire_setup,  # noqa: E402
                     ManualConn as Conn, seq_add, M32)
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import checksum  # noqa: E402
from slow import slow  # noqa: E402

FAMILIES = ("inet", "xtcp")
WINDOW = 0.6		# s after the ICMP: see above
HS_DELAY = 0.4		# s between SYN-ACK and our ACK: see above
# X's earliest RTO after its first segment is three times its first RTT
# sample (see above), which is at least the time between the SYN-ACK and
# our ACK as our capture and clock see them (HS_DELAY and any overshoot
# of the sleep).  A case whose WINDOW would reach it (an ICMP held back by
# a slow test bed: on the debug kernel 1.142 s after the first segment,
# and X's timer resent the segment that fit) is reported as a skip for
# that family, not judged.
LATE = "test bed late: "


def frag_needed(wire, seg, mtu, seq_shift=0):
    """An ICMP "fragmentation needed" from our address to X with next-hop
    MTU @mtu, quoting X's segment @seg (its sequence number moved by
    @seq_shift)."""
    ip = bytes(seg[IP])
    ihl = (ip[0] & 0xf) * 4
    quoted = bytearray(ip[:ihl + 20])
    seq = seq_add(struct.unpack("!I", quoted[ihl + 4:ihl + 8])[0], seq_shift)
    quoted[ihl + 4:ihl + 8] = struct.pack("!I", seq)
    icmp = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + bytes(quoted)
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    return IP(src=wire.src, dst=wire.dst, proto=1) / Raw(icmp)


def data(p):
    return len(p[TCP].payload) > 0


def resent(c, segs):
    """The retransmissions among X's data segments @segs of @c, in the
    order sent: those starting below the end of one sent before."""
    out, top = [], 0
    for p in segs:
        rel = (p[TCP].seq - c.rcv_nxt) % M32
        if rel < top:
            out.append(p)
        top = max(top, rel + len(p[TCP].payload))
    return out


def fit_resent(c, segs, again, t_icmp, mtu):
    """Those of the retransmissions @again that resend bytes of a
    segment sent before the ICMP that fits the new @mtu (payload at
    most @mtu - 40: it was not dropped on the path)."""
    if not mtu:
        return []
    resent_ids = {id(p) for p in again}
    fits = [((p[TCP].seq - c.rcv_nxt) % M32, len(p[TCP].payload))
            for p in segs if id(p) not in resent_ids and
            float(p.time) < t_icmp and
            len(p[TCP].payload) <= mtu - 40]
    out = []
    for p in again:
        rel = (p[TCP].seq - c.rcv_nxt) % M32
        end = rel + len(p[TCP].payload)
        if any(rel < s + n and s < end for s, n in fits):
            out.append(p)
    return out


def one(args, wire, fam, port, mtu, seq_shift, writes=("write:20000",),
        flight=0):
    """One connection and one ICMP: (the retransmitted data segments X
    sent within WINDOW s of the ICMP, the delay of the first
    retransmission or None, those of the first that resend a segment
    that fits @mtu) or a reason string.  The ICMP waits until X sent
    @flight bytes (at most 3 s)."""
    subprocess.run(["ip", "netns", "exec", args.netns, "sysctl", "-qw",
                    "net.ipv4.route.flush=1"], check=True)
    peer, why = writer_peer(args, fam, port, writes)
    try:
        if why:
            return why
        c = Conn(wire, 20000 + port % 20000, port)
        m = c.send("S", ack=0, opts=[("MSS", 1460)])
        sa = c.wait_synack(m)
        if sa is None:
            return "no SYN-ACK"
        c.established(sa)
        time.sleep(HS_DELAY)
        m = c.send("A")
        rto_floor = 3 * (c.sent_at - float(sa.time))
        first = c.wait(m, data)
        if first is None:
            return "no data after the handshake"
        # The whole first flight out before the ICMP (it quotes the first
        # segment, still unacknowledged), or the segments too big for
        # the new MTU would be sent after it, already cut.
        deadline = time.monotonic() + slow(3)
        while (sum(len(p[TCP].payload) for p in c.sent(m, data)) < flight
               and time.monotonic() < deadline):
            time.sleep(0.02)
        t_icmp = time.time()
        if mtu:
            wire.send(frag_needed(wire, first, mtu, seq_shift))
        print(f"# {fam} mtu {mtu} shift {seq_shift}: ICMP (or none) "
              f"{t_icmp - float(first.time):.3f} s after the first segment")
        if t_icmp - float(first.time) + WINDOW >= rto_floor:
            c.abort()
            return (f"{LATE}the ICMP left {t_icmp - float(first.time):.3f} "
                    f"s after the first segment, so X's retransmission "
                    f"timer ({rto_floor:.3f} s at the earliest) could "
                    f"fire within the {WINDOW} s counted")
        time.sleep(WINDOW + 0.3)
        segs = c.sent(m, data)
        again = resent(c, segs)
        c.abort()
        inside = [p for p in again if float(p.time) - t_icmp < WINDOW]
        delay = float(again[0].time) - t_icmp if again else None
        return inside, delay, fit_resent(c, segs, inside, t_icmp, mtu)
    finally:
        peer.stop()


def describe(res):
    if isinstance(res, str):
        return res
    inside, delay, fit = res
    lens = [len(p[TCP].payload) for p in inside]
    d = ("none resent" if delay is None
         else f"first resent {delay:.3f} s after the ICMP")
    return (f"{len(inside)} segments resent within {WINDOW} s "
            f"{lens[:12]}, {len(fit)} of them resending a segment that "
            f"fit, {d}")


MIXED = ("write:1000", "write:20000")
CASES = (
    ("no ICMP (baseline): no retransmission within the window", None, 0,
     False, None),
    ("mtu 1500 (= path MTU) in window: no retransmission", 1500, 0, False,
     None),
    ("mtu 9000 (> path MTU) in window: no retransmission", 9000, 0, False,
     None),
    ("mtu 1200, quoted seq out of window: no retransmission", 1200,
     -(1 << 20), False, None),
    ("mtu 1200 in window (control): resent at once, cut to 1160",
     1200, 0, True, None),
    ("mtu 1200, mixed flight: only segments too big resent, as native",
     1200, 0, "mixed", MIXED),
)
MIXED_TOLERANCE = 2	# segments: see the header
MIXED_FLIGHT = 1000 + 9 * 1460	# bytes: the initial window of 10


def check_mixed(fam, res, native, mtu):
    """The mixed-flight case: (ok, extra reason); ok None: not judged."""
    inside, _, fit = res
    if not inside or any(len(p[TCP].payload) > mtu - 40 for p in inside):
        return False, "no retransmission, or one not cut to the new MSS"
    if fam == "inet":
        return not fit, "native resent a segment that fit: check void"
    if isinstance(native, str) and native.startswith(LATE):
        return None, f"native's case was not judged ({native})"
    if native is None or isinstance(native, str):
        return False, "no native result to compare with"
    n_inside, _, n_fit = native
    if len(fit) != len(n_fit):
        return False, (f"resent {len(fit)} segments that fit, native "
                       f"{len(n_fit)}")
    if abs(len(inside) - len(n_inside)) > MIXED_TOLERANCE:
        return False, (f"resent {len(inside)} segments, native "
                       f"{len(n_inside)} (tolerance {MIXED_TOLERANCE})")
    return True, ""


def main():
    args, wire = wire_setup(argparse.ArgumentParser(), "--netns", "--peer",
                            tcp_timestamps=0, tcp_sack=0,
                            tcp_window_scaling=0)
    tap = Tap(len(CASES) * len(FAMILIES))
    port = 7700
    native = {}
    for fam in FAMILIES:
        for name, mtu, shift, expect, writes in CASES:
            port += 1
            t0 = time.monotonic()
            try:
                res = (one(args, wire, fam, port, mtu, shift, writes,
                           MIXED_FLIGHT) if writes else
                       one(args, wire, fam, port, mtu, shift))
            except Exception as e:	# report, go on with the next case
                res = f"exception {e!r}"
            why = describe(res)
            print(f"# {fam}: {name}: {why} "
                  f"({time.monotonic() - t0:.1f} s)", flush=True)
            if fam == "inet":
                native[name] = res
            if isinstance(res, str) and res.startswith(LATE):
                ok = None
            elif isinstance(res, str):
                ok = False
            elif expect == "mixed":
                ok, extra = check_mixed(fam, res, native.get(name), mtu)
                if not ok:
                    why = f"{extra}; {why}" if ok is False else extra
            elif expect:
                ok = (len(res[0]) > 0 and
                      all(len(p[TCP].payload) <= mtu - 40 for p in res[0]))
            else:
                ok = not res[0]
            tap.result(ok, f"{fam}: {name}", why)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
