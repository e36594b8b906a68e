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
WINDOW = 0.1	# s: the end of an interval the flight is read in


def seq_after(a, b):
    """a after b in sequence space (RFC 9293 s.3.4)."""
    return ((a - b) & 0xffffffff) - 1 < 0x7fffffff


def sack_blocks(tcp):
    """The SACK blocks of a segment's options, as (left, right) pairs."""
    for kind, val in tcp.options:
        if kind == "SAck" and val:
            return list(zip(val[0::2], val[1::2]))
    return []


def merge(ranges):
    """Sorted, merged [l, r) ranges."""
    out = []
    for lo, hi in sorted(ranges):
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def overlap(ranges, lo, hi):
    """Bytes of merged @ranges inside [lo, hi)."""
    return sum(max(0, min(r, hi) - max(l, lo)) for l, r in ranges)


def pipe(una, nxt, sacked, resent, mss, marks):
    """RFC 6675 s.4's pipe over the bytes from @una to @nxt, in bytes:
    a byte not SACKed counts once unless it is lost, once more if it was
    resent.  A hole is lost when more than (DupThresh - 1) segments'
    worth of SACKed bytes lie above it (IsLost(), by bytes: with full
    segments its other rule, DupThresh SACKed segments above, says the
    same).  Without @marks, the pipe this test used until 2026-12: no
    hole lost and resent bytes not counted (the highest sequence sent
    less the highest ACK and the SACKed bytes)."""
    total = 0
    lo = una
    blocks = [b for b in sacked if b[1] > una and b[0] < nxt]
    for i in range(len(blocks) + 1):
        hi = blocks[i][0] if i < len(blocks) else nxt
        if hi > lo:
            above = sum(min(r, nxt) - max(l, hi) for l, r in blocks[i:])
            if not marks:
                total += hi - lo
            elif above > 2 * mss:
                total += overlap(resent, lo, hi)
            else:
                total += hi - lo + overlap(resent, lo, hi)
        if i < len(blocks):
            lo = max(lo, blocks[i][1])
    return total


def wire(path):
    """From the capture: (retransmitted segments, [(t, pipe, pipe
    the old way, see there)]) of the data connection, the sender's flow
    carrying the most payload.  A data segment starting below the
    highest sequence sent before it is a retransmission, and so is a SYN
    after the first (tcpi_total_retrans counts resent SYNs too).  pipe,
    after every packet of the connection, is what the capture shows in
    flight by RFC 6675's rules (pipe() above): from the highest ACK to
    the highest sequence sent, less what the receiver's SACK blocks so
    far cover, less the holes IsLost() marks unless resent since, plus
    resent bytes; in bytes."""
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
    resent = []		# merged [l, r) resent above una
    mss = 0
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
            mss = max(mss, n)
            if nxt is None or hi > nxt:
                if nxt is not None and lo < nxt:
                    retrans += 1
                    resent = merge(resent + [[lo, nxt]])
                nxt = hi
            else:
                retrans += 1
                resent = merge(resent + [[lo, hi]])
        elif not out and has_ack:
            a = (ack - base) & 0xffffffff
            if a < 1 << 31 and (una is None or a > una):
                una = a
            for bl, br in blocks:
                bl = (bl - base) & 0xffffffff
                br = (br - base) & 0xffffffff
                if bl < br < 1 << 31:
                    sacked.append([bl, br])
            if una is not None:
                sacked = merge([max(bl, una), br] for bl, br in sacked)
                resent = merge([max(bl, una), br] for bl, br in resent)
        if nxt is not None and una is not None and nxt > una:
            series.append((t, pipe(una, nxt, sacked, resent, mss, True),
                           pipe(una, nxt, sacked, resent, mss, False)))
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


def flight_ratio(name, res, series, k=1, say=True):
    """Median over iperf3's intervals (250 ms) after the first of: the
    most bytes in flight (series' pipe @k: 1 by RFC 6675, 2 the old way)
    in the interval's last WINDOW s (a few RTTs before iperf3 read the
    window)
    over iperf3's snd_cwnd at its end; None without three intervals to
    judge.  Interval times count from the first data segment (iperf3's
    cookie, sent as the data connection opens; its clock starts a round
    trip later)."""
    t0 = series[0][0] if series else 0
    ratios = []
    for iv in res["intervals"][1:]:
        st = iv["streams"][0]
        cwnd = st.get("snd_cwnd", 0)
        end = [x for x in series
               if st["end"] - WINDOW <= x[0] - t0 < st["end"]]
        if cwnd and end:
            most = max(x[k] for x in end)
            ratios.append(most / cwnd)
            if say:
                print(f"# {name}: {st['start']:.2f}-{st['end']:.2f} s: "
                      f"cwnd {cwnd} B, most in flight at the end {most} B "
                      f"({max(x[2] for x in end)} B the old way), "
                      f"retransmits {st.get('retransmits', '?')}")
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
        print(f"# {name}: median flight/cwnd {med}, the old way "
              f"{flight_ratio(name, res, series, 2, False)}")
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
