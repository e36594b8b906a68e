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


def sack_blocks(tcp):
    """The SACK blocks of a segment's options, as (left, right) pairs."""
    for kind, val in tcp.options:
        if kind == "SAck" and val:
            return list(zip(val[0::2], val[1::2]))
    return []


def wire(path):
    """From the capture: (retransmitted segments, [(t, pipe)]) of the
    data connection, the sender's flow carrying the most payload.  A data
    segment starting below the highest sequence sent before it is a
    retransmission, and so is a SYN after the first (tcpi_total_retrans
    counts resent SYNs too).  pipe, after every packet of the connection,
    is what the capture shows in flight: the highest sequence sent less
    the highest ACK, less what the receiver's SACK blocks so far cover
    in between (RFC 6675's pipe without its loss marks: a hole not yet
    resent still counts), in bytes."""
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
                         "A" in tcp.flags, "S" in tcp.flags,
                         [] if out else sack_blocks(tcp)))
            if out:
                payload[key] = payload.get(key, 0) + n
    if not payload:
        return None
    data = max(payload, key=payload.get)
    base = None
    nxt = una = None
    retrans = 0
    syns = 0
    sacked = []		# merged [l, r) above una, offsets from base
    series = []
    for t, out, key, seq, n, ack, has_ack, syn, blocks in pkts:
        if key != data:
            continue
        if out and syn:
            syns += 1
            retrans += syns > 1
            base = (seq + 1) & 0xffffffff
            continue
        if base is None:
            continue
        if out and n:
            lo = (seq - base) & 0xffffffff
            hi = lo + n
            if nxt is None or hi > nxt:
                if nxt is not None and lo < nxt:
                    retrans += 1
                nxt = hi
            else:
                retrans += 1
        elif not out and has_ack:
            a = (ack - base) & 0xffffffff
            if a < 1 << 31 and (una is None or a > una):
                una = a
            for bl, br in blocks:
                bl = (bl - base) & 0xffffffff
                br = (br - base) & 0xffffffff
                if bl < br < 1 << 31:
                    sacked.append([bl, br])
            merged = []
            for bl, br in sorted(sacked):
                if una is not None:
                    bl = max(bl, una)
                if bl >= br:
                    continue
                if merged and bl <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], br)
                else:
                    merged.append([bl, br])
            sacked = merged
        if nxt is not None and una is not None and nxt > una:
            covered = sum(min(br, nxt) - bl for bl, br in sacked
                          if bl < nxt)
            series.append((t, nxt - una - covered))
    return retrans, series


def tcpdump_drops(path):
    """The packets tcpdump's summary (its stderr) says the kernel dropped,
    None if it printed none."""
    try:
        with open(path) as f:
            for line in f:
                if "dropped by kernel" in line:
                    return int(line.split()[0])
    except (OSError, ValueError):
        pass
    return None


def flight_ratio(name, res, series):
    """Median over the 1-s intervals after the first of: the most bytes
    in flight (pipe) in the interval's last 250 ms (a few RTTs before
    iperf3 read the window) over iperf3's snd_cwnd at its end; None without three
    intervals to judge.  Interval times count from the first data
    segment (iperf3's cookie, sent as the data connection opens; its
    clock starts a round trip later)."""
    t0 = series[0][0] if series else 0
    ratios = []
    for iv in res["intervals"][1:]:
        st = iv["streams"][0]
        cwnd = st.get("snd_cwnd", 0)
        flights = [fl for t, fl in series
                   if st["end"] - 0.25 <= t - t0 < st["end"]]
        if cwnd and flights:
            ratios.append(max(flights) / cwnd)
            print(f"# {name}: {st['start']:.1f}-{st['end']:.1f} s: "
                  f"cwnd {cwnd} B, most in flight at the end "
                  f"{max(flights)} B, retransmits "
                  f"{st.get('retransmits', '?')}")
    return statistics.median(ratios) if len(ratios) >= 3 else None


def main():
    work = sys.argv[1]
    tap = Tap(4)
    native_ratio = None
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
        drops = tcpdump_drops(os.path.join(work, fam + "-tcpdump.err"))
        print(f"# {name}: iperf3 sent {sent} B, retransmits {rep}; "
              f"the capture shows {retrans} retransmitted segments, "
              f"tcpdump's kernel drops {drops}")
        ok = (drops == 0 and 5 <= rep <= retrans and
              retrans - rep <= max(5, retrans // 20))
        tap.result(ok, f"{name}: iperf3 retransmissions as on the wire",
                   f"iperf3 {rep}, capture {retrans}, "
                   f"tcpdump dropped {drops}")

        med = flight_ratio(name, res, series)
        ok = med is not None and 0.5 <= med <= 2
        if fam == "inet":
            native_ratio = med
        else:
            ok = ok and native_ratio is not None and \
                abs(med - native_ratio) <= 0.4
        tap.result(ok, f"{name}: iperf3 cwnd as on the wire",
                   f"median flight/cwnd {med}, native's {native_ratio}")
    sys.exit(1 if tap.failed else 0)


main()
