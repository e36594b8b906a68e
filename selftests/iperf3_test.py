#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# iperf3_test WORK: the checks of selftests/iperf3.sh (which says what
# they are and why) over what it left in WORK: FAM.json (iperf3 -J of the
# client) and FAM.pcap (tcpdump on the sender's device) for FAM inet and
# xtcp.  Four TAP results: per family, retransmissions and cwnd.

import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from tap import Tap  # noqa: E402

from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.utils import PcapReader  # noqa: E402

SENDER = "10.77.71.1"


def seq_after(a, b):
    """a after b in sequence space (RFC 9293 s.3.4)."""
    return ((a - b) & 0xffffffff) - 1 < 0x7fffffff


def wire(path):
    """From the capture: (retransmitted data segments, [(t, flight)]) of
    the data connection, the sender's flow carrying the most payload;
    flight is the highest sequence sent minus the highest ACK seen, in
    bytes, after every packet of the connection."""
    pkts = []
    payload = {}
    with PcapReader(path) as r:
        for p in r:
            if IP not in p or TCP not in p:
                continue
            ip, tcp = p[IP], p[TCP]
            n = len(tcp.payload)
            out = ip.src == SENDER
            key = tcp.sport if out else tcp.dport
            pkts.append((float(p.time), out, key, tcp.seq, n, tcp.ack,
                         "A" in tcp.flags))
            if out:
                payload[key] = payload.get(key, 0) + n
    if not payload:
        return None
    data = max(payload, key=payload.get)
    nxt = una = None
    retrans = 0
    series = []
    for t, out, key, seq, n, ack, has_ack in pkts:
        if key != data:
            continue
        if out and n:
            end = (seq + n) & 0xffffffff
            if nxt is None:
                nxt = end
            elif seq_after(nxt, seq):
                retrans += 1
                if seq_after(end, nxt):
                    nxt = end
            else:
                nxt = end
        elif not out and has_ack:
            if una is None or seq_after(ack, una):
                una = ack
        if nxt is not None and una is not None:
            fl = (nxt - una) & 0xffffffff if seq_after(nxt, una) else 0
            series.append((t, fl))
    return retrans, series


def main():
    work = sys.argv[1]
    tap = Tap(4)
    for fam in ("inet", "xtcp"):
        name = "native" if fam == "inet" else "xtcp"
        try:
            with open(os.path.join(work, fam + ".json")) as f:
                res = json.load(f)
            w = wire(os.path.join(work, fam + ".pcap"))
        except (OSError, ValueError) as e:
            tap.result(False, f"{name}: iperf3 retransmissions as on the wire", str(e))
            tap.result(False, f"{name}: iperf3 cwnd as on the wire", str(e))
            continue
        if "error" in res or w is None:
            why = res.get("error", "no data connection in the capture")
            tap.result(False, f"{name}: iperf3 retransmissions as on the wire", why)
            tap.result(False, f"{name}: iperf3 cwnd as on the wire", why)
            continue
        retrans, series = w
        rep = res["end"]["sum_sent"].get("retransmits", -1)
        sent = res["end"]["sum_sent"].get("bytes", 0)
        print(f"# {name}: iperf3 sent {sent} B, retransmits {rep}; "
              f"the capture shows {retrans} retransmitted segments")
        ok = 5 <= rep <= retrans and retrans - rep <= max(5, retrans // 20)
        tap.result(ok, f"{name}: iperf3 retransmissions as on the wire",
                   f"iperf3 {rep}, capture {retrans}")

        # Interval i covers [t0 + start, t0 + end), t0 the first packet
        # of the data connection (its handshake: iperf3's clock starts
        # with the data).
        t0 = series[0][0] if series else 0
        ratios = []
        for iv in res["intervals"][1:]:
            st = iv["streams"][0]
            cwnd = st.get("snd_cwnd", 0)
            flights = [fl for t, fl in series
                       if st["start"] <= t - t0 < st["end"]]
            if cwnd and flights:
                ratios.append(max(flights) / cwnd)
                print(f"# {name}: {st['start']:.1f}-{st['end']:.1f} s: "
                      f"cwnd {cwnd} B, most in flight {max(flights)} B, "
                      f"retransmits {st.get('retransmits', '?')}")
        med = statistics.median(ratios) if ratios else 0
        tap.result(len(ratios) >= 3 and 0.5 <= med <= 2,
                   f"{name}: iperf3 cwnd as on the wire",
                   f"median flight/cwnd {med:.2f} over {len(ratios)} intervals")
    sys.exit(1 if tap.failed else 0)


main()
