#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# backlog_test: run by selftests/backlog.sh (one python process: importing
# scapy takes seconds under TCG).  Per case and per --family (native TCP
# first, the reference): a selftests/owner_peer reader in namespace X
# accepts our connection, gets one byte and holds its socket in recv()
# (a userfaultfd fault) while we send; "release" lets it go on, and the
# socket's owner then runs what waited in the backlog.
#
# Timing: replies are waited for up to 3 s; nothing here is timed tighter.
# Every wait and sleep here only bounds the machine (how long the owner
# takes to block in its fault, the segments to reach the backlog, the
# backlog to run once released, a late reply to show): all are scaled by
# XTCP_SLOW (selftests/lib/slow.py).

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, Ends, LinePeer, flags,  # noqa: E402
                     describe, seq_add, segment, run_families, wire_args, M32,
                     REPLY_WAIT)
from scapy.layers.inet import TCP  # noqa: E402
from slow import slow  # noqa: E402


class Owner(LinePeer):
    """One owner_peer process in namespace X and the lines it printed."""

    def __init__(self, args, fam, port):
        super().__init__(args.netns, args.peer, fam, "-l",
                         f"{args.dst}:{port}", "-t", str(slow(15)),
                         stdin=True)

    def release(self):
        self.tell("release")


class Conn(Ends):
    """Our end; sequence numbers kept by hand."""

    def __init__(self, wire, lport, rport, isn):
        super().__init__(wire, lport, rport)
        self.isn = isn
        self.snd_nxt = isn
        self.rcv_nxt = 0

    def seg(self, fl, seq=None, data=b""):
        return segment(self.wire, self.sport, self.dport, fl,
                       self.snd_nxt if seq is None else seq, self.rcv_nxt,
                       data)

    def send(self, fl, seq=None, data=b""):
        m = self.wire.mark()
        self.wire.send(self.seg(fl, seq, data))
        return m


def held_conn(args, wire, fam, port):
    """A connection to an owner_peer on @port whose reader holds the
    socket: (Owner, Conn, None) or (Owner, None, why not)."""
    own = Owner(args, fam, port)
    if own.listening() is None:
        return own, None, f"peer: {own.text()}"
    c = Conn(wire, 45000 + port % 1000, port, 1000000 + port)
    m = c.send("S", seq=c.isn)
    sa = c.wait_synack(m)
    if sa is None:
        return own, None, "no SYN-ACK"
    c.established(sa)
    c.send("A")
    if own.line(r"accepted") is None:
        return own, None, f"peer: {own.text()}"
    c.send("PA", data=b"x")
    c.snd_nxt = seq_add(c.snd_nxt, 1)
    if own.line(r"fault") is None:
        return own, None, f"the reader did not block in recv(): {own.text()}"
    time.sleep(slow(0.2))	# the fault waits with the socket held
    return own, c, None


def case_burst(args, wire, fam, port):
    # F6: a burst of small segments while the owner holds the socket (a
    # window's worth of 100-byte segments, each its own skb of ~1 KiB
    # truesize) waits in the backlog and is all delivered, as native's
    # (Linux also coalesces backlog skbs; the limit is 2 * rcvbuf +
    # sndbuf / 2 + 64 KiB in Debian's 6.1 tcp_add_backlog()).
    own, c, why = held_conn(args, wire, fam, port)
    try:
        if why:
            for _ in range(2):
                yield False, why
            return
        n = args.burst
        first = c.snd_nxt
        pkts = [wire.eth / c.seg("A", seq=first + 100 * i,
                                 data=bytes([65 + i % 26]) * 100)
                for i in range(n)]
        m = wire.mark()
        for p in pkts:
            wire.sock.send(p)
        c.snd_nxt = seq_add(first, 100 * n)
        time.sleep(slow(0.3))
        own.release()
        time.sleep(slow(1.0))
        # Our FIN is ACKed only if every byte before it arrived.  (The
        # ACKs of the burst itself come too fast for the sniffer to keep.)
        m = c.send("FA")
        a = c.wait(m, lambda p: flags(p) & 0x10 and
                   p[TCP].ack == seq_add(c.snd_nxt, 1), REPLY_WAIT)
        with wire.cond:
            acks = [p[TCP].ack for p in wire.pkts[m:] if c.mine(p)]
        yield a is not None, \
            f"{n} segments of 100 bytes, then FIN: X ACKed " \
            f"{[(x - first) % M32 for x in acks]} of {100 * n} bytes + FIN"
        r = own.line(r"readall bytes=(\d+) errno=(\d+)")
        yield r is not None and int(r.group(1)) == 1 + 100 * n, \
            f"reader: {own.text()}"
        c.snd_nxt = seq_add(c.snd_nxt, 1)
        c.send("R")
    finally:
        own.stop()


def case_rst_then_data(args, wire, fam, port):
    # T14c: a RST, then data, arrive while the owner holds the socket.  The
    # RST closes it when the backlog runs; the data that waited behind it
    # finds a CLOSE socket and is dropped without a reply (Linux's
    # tcp_rcv_state_process(): TCP_CLOSE discards).
    own, c, why = held_conn(args, wire, fam, port)
    try:
        if why:
            for _ in range(3):
                yield False, why
            return
        m = c.send("R")
        c.send("PA", data=b"after the reset")
        time.sleep(slow(0.3))
        own.release()
        r = own.line(r"readall bytes=(\d+) errno=(\d+)")
        yield r is not None and r.group(2) == "104", \
            f"wanted ECONNRESET after the byte: {own.text()}"
        time.sleep(slow(1.0))
        with wire.cond:
            late = [describe(p) for p in wire.pkts[m:] if c.mine(p)]
        yield not any("R" in d.split()[0] for d in late), \
            f"X answered: {late}"
        yield not late, f"X sent after the RST: {late}"
    finally:
        own.stop()


CASES = [
    (case_burst, [
        "a burst into the backlog while the owner holds the socket: all of it ACKed",
        "the reader gets every byte of the burst"]),
    (case_rst_then_data, [
        "RST then data behind a held socket: the reader sees ECONNRESET",
        "data behind the RST in the backlog gets no RST",
        "nothing at all leaves after the RST"]),
]


def main():
    ap = wire_args(argparse.ArgumentParser())
    ap.add_argument("--netns", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--family", action="append", required=True)
    ap.add_argument("--burst", type=int, default=300)
    args = ap.parse_args()
    tap = Tap(len(args.family) * sum(len(names) for _, names in CASES))
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    run_families(tap, args.family, CASES, 7700, args, wire)
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
