#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# syncookies_test: the cases of selftests/syncookies.sh, run from the
# client namespace P.  For each listener stack (native, then xtcp; the
# client is native TCP in both):
#   - tcp_syncookies 1: 300 SYNs from spoofed sources fill the listener's
#     SYN queue (backlog 16; their SYN-ACKs go nowhere), more keep coming
#     while a client makes 100 connections one after another, 10 KiB each
#     way, byte-exact: they complete through cookies (TCPReqQFullDoCookies,
#     SyncookiesSent, SyncookiesRecv), no cookie fails, and once the
#     client has ended no connection is left established on the server
#     (one would be a child no client connection stands for);
#   - tcp_syncookies 0: the same flood: SYNs are dropped
#     (TCPReqQFullDrop, ListenDrops);
#   - a client without timestamps (net.ipv4.tcp_timestamps 0 in P):
#     5 connections of 1 MiB each way complete through cookies that
#     carry no options.
# Counters are compared with native's: what native shows is the premise
# (else SKIP), xtcp must show the same.  Prints TAP.

import argparse
import os
import random
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from slow import SLOW, slow  # noqa: E402
from tap import Tap  # noqa: E402
from stacks import established_rows, mib_counters, sysctl_both  # noqa: E402
from scapy.arch import get_if_hwaddr  # noqa: E402
from scapy.config import conf  # noqa: E402
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402


class Flood:
    """SYNs from random sources in @spoof.0/24 to @dst:@port, a burst of
    @burst then @rate a second until stopped."""

    def __init__(self, a, port, burst=300, rate=20):
        self.sock = conf.L2socket(iface=a.iface)
        self.a, self.port, self.rate = a, port, rate
        self.src_mac = get_if_hwaddr(a.iface)
        self.sent = 0
        self.stop = threading.Event()
        for _ in range(burst):
            self.one()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def one(self):
        p = (Ether(src=self.src_mac, dst=self.a.dst_mac) /
             IP(src=f"{self.a.spoof}.{random.randint(1, 254)}", dst=self.a.dst) /
             TCP(sport=random.randint(1024, 65535), dport=self.port,
                 flags="S", seq=random.getrandbits(32), window=65535,
                 options=[("MSS", 1460)]))
        self.sock.send(bytes(p))
        self.sent += 1

    def run(self):
        while not self.stop.wait(1.0 / self.rate):
            self.one()

    def end(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def delta(before, after, name):
    return after.get(name, 0) - before.get(name, 0)


def established(netns, fam, port):
    """The connections in ESTABLISHED whose local port is @port in
    @netns (established_rows()), as tuples of /proc's columns (local and
    remote "ADDR:PORT" in hex second and third); None if unreadable.
    Read once the client has ended: the server has answered and closed
    each of the client's connections by then (the client read to the
    server's FIN), so one still
    established is a connection the client did not make."""
    rows = established_rows(netns, fam, port)
    return None if rows is None else [tuple(c) for c in rows]


def client_ended(port):
    """The connections this namespace's (the client's) native TCP made
    to @port and ended first, in TIME_WAIT for 60 s after: their 4-tuples
    as the server's rows have them, (local, remote)."""
    with open("/proc/net/tcp") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return {(c[2], c[1]) for c in rows
            if len(c) > 3 and c[2].endswith(f":{port:04X}") and c[3] == "06"}


def one_stack(tap, a, fam, port, cookies, conns, size="10K"):
    """Flood a @fam listener on @port while a native client makes @conns
    connections of @size each way; returns the counter deltas and the
    client's result."""
    sysctl_both(a.netns, tcp_syncookies=cookies)
    # The server accepts until killed (-n 0), not @conns: a connection
    # the client never made, accepted, would end a server that counts
    # to @conns before the client's last connect(), refused (seen on the
    # debug kernel for both stacks: the 100th of 100 refused).  Such a
    # connection is seen for what it is (established(), asserted by the
    # caller).  The ways in that made them, for either stack, were the
    # test bed's: a client segment reaching the listener after the
    # connection's last ACK passes as a cookie (syncookies.sh, which
    # closes them: segments received in order, no tail loss probes in
    # X).  Its 4-tuple is then one of the client's ended connections
    # ("twins", printed), and it was counted in PassiveOpens besides the
    # client's connections: on a kernel XTCP_SLOW times slower that alone
    # stays a skip (the server's RTO resending its FIN while a vCPU
    # stalls would make one too).
    srv = subprocess.Popen(
        ["ip", "netns", "exec", a.netns, a.xfer, "server", "-f", fam, "-l",
         f"{a.dst}:{port}", "-n", "0", "-b", size, "-B", "16",
         "-t", str(slow(60)), "-w", str(slow(600))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = srv.stdout.readline()
    if not line.startswith("listening"):
        srv.kill()
        return None, f"server did not listen: {line.strip()}"
    before = mib_counters(a.netns, fam)
    flood = Flood(a, port)
    try:
        r = subprocess.run(
            [a.xfer, "client", "-i", "-f", "inet", "-c", f"{a.dst}:{port}",
             "-n",
             str(conns), "-s", size, "-r", size,
             "-t", str(slow(20) if cookies else 5), "-w", str(slow(600))],
            capture_output=True, text=True, timeout=slow(700))
        extra = established(a.netns, fam, port)
        ended = client_ended(port)
    finally:
        flood.end()
        srv.kill()
        srv.wait()
    after = mib_counters(a.netns, fam)
    d = {k: delta(before, after, f"TcpExt:{k}") for k in
         ("TCPReqQFullDoCookies", "TCPReqQFullDrop", "SyncookiesSent",
          "SyncookiesRecv", "SyncookiesFailed", "ListenDrops",
          "ListenOverflows")}
    d["PassiveOpens"] = delta(before, after, "Tcp:PassiveOpens")
    # A child left established whose 4-tuple is one of the client's
    # ended connections (in TIME_WAIT on the client) is a second child
    # of that connection: see above.
    d["extra"] = None if extra is None else len(extra)
    d["twins"] = None if extra is None else sum(1 for c in extra
                                                if c[1:3] in ended)
    d["client_time_wait"] = len(ended)
    if extra:
        print(f"# {fam}, tcp_syncookies {cookies}: established on the "
              f"server after the client's end (/proc rows): {extra}; "
              f"{d['twins']} of them the 4-tuple of a connection the "
              f"client ended ({len(ended)} in TIME_WAIT)")
    out = (r.stdout + r.stderr).strip().replace("\n", " ")
    print(f"# {fam}, tcp_syncookies {cookies}: {flood.sent} spoofed SYNs; "
          f"client exit {r.returncode}: {out}")
    print(f"# {fam}, tcp_syncookies {cookies}: {d}")
    return d, (r.returncode, out)


def native_late(tap, fam, ok, name, why, native_ok=True):
    """The result @ok of check @name for @fam; native's own premise
    failing on a kernel XTCP_SLOW times slower (make check-debug) is a
    skip: there native once refused the 100th connection of the flood
    ("Connection refused") and once counted 5 cookie connections of
    which 4 agreed no option (2026-12-03).  xtcp's check stands unless
    native failed the same premise in the same run (@native_ok false):
    then it is the test bed's, and a failure of xtcp's is a skip too (a
    whole check-debug run of 2026-12-04 refused the 100th connection to
    both stacks alike)."""
    if not ok and SLOW > 1 and (fam == "inet" or not native_ok):
        tap.result(None, name, f"XTCP_SLOW {SLOW}: native's premise "
                   f"failed on this kernel too: {why}")
    else:
        tap.result(ok, name, why)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--spoof", required=True)
    ap.add_argument("--netns", required=True)
    ap.add_argument("--xfer", required=True)
    a = ap.parse_args()
    tap = Tap(12)
    # No tail loss probes on the server's side (syncookies.sh): a probe
    # of its last segment, answered by the client in TIME_WAIT, reached
    # the listener after the connection's end.
    sysctl_both(a.netns, tcp_early_retrans=0)

    res = {}
    for fam, port in (("inet", 5501), ("xtcp", 5502)):
        res[fam] = one_stack(tap, a, fam, port, 1, 100)
    native_ok = True
    for fam in ("inet", "xtcp"):
        d, c = res[fam]
        ok = d is not None and c[0] == 0 and "ok=100 " in c[1] + " "
        native_late(tap, fam, ok, f"{fam}: 100 connections, 10 KiB each "
                    f"way byte-exact, during a SYN flood with "
                    f"tcp_syncookies 1", c if d is None else c[1],
                    native_ok)
        if fam == "inet":
            native_ok = ok
    # No connection the client did not make: none left established on
    # the server's port after the client's end.
    native_ok = True
    for fam in ("inet", "xtcp"):
        d = res[fam][0] or {}
        name = (f"{fam}: after the flood's 100 connections, none "
                f"established on the server that the client did not make")
        why = (f"{d.get('extra')} still established, {d.get('twins')} "
               f"of them twins of an ended connection (one_stack())")
        ok = d.get("extra") == 0
        if (not ok and SLOW > 1 and d.get("extra") and
                d["extra"] == d.get("twins") and
                d.get("PassiveOpens", 0) >= 100 + d["twins"]):
            tap.result(None, name, f"XTCP_SLOW {SLOW}: {why}: the cookie "
                       f"race one_stack() describes")
        else:
            native_late(tap, fam, ok, name, why, native_ok)
        if fam == "inet":
            native_ok = ok
    n, x = res["inet"][0] or {}, res["xtcp"][0] or {}
    checks = (("TCPReqQFullDoCookies", lambda v: v > 0),
              ("SyncookiesSent", lambda v: v > 0),
              # Not all 100: native's SYN-ACK timer prunes a queue more
              # than half full faster, freeing entries (70 in one run).
              ("SyncookiesRecv", lambda v: v > 0),
              ("SyncookiesFailed", lambda v: v == 0))
    for name, good in checks:
        nv, xv = n.get(name), x.get(name)
        label = f"{name}: xtcp {xv}, native {nv}"
        if nv is None or not good(nv):
            if xv is not None and good(xv):
                tap.result(None, label, "native's own count is not what the case "
                         "needs")
            else:
                tap.result(False, label, "native's premise failed too")
        else:
            tap.result(xv is not None and good(xv), label)

    res0 = {}
    for fam, port in (("inet", 5503), ("xtcp", 5504)):
        res0[fam] = one_stack(tap, a, fam, port, 0, 3)
    n, x = res0["inet"][0] or {}, res0["xtcp"][0] or {}
    for name in ("TCPReqQFullDrop", "ListenDrops"):
        nv, xv = n.get(name), x.get(name)
        label = f"tcp_syncookies 0: {name}: xtcp {xv}, native {nv}"
        if not nv:
            if xv:
                tap.result(None, label, "native dropped nothing")
            else:
                tap.result(False, label, "native's premise failed too")
        else:
            tap.result(bool(xv), label)
    # A client without timestamps: the cookie carries no options, so the
    # SYN-ACK must offer none (no window scaling the child would not
    # know of: 1 MiB each way would crawl through a window read
    # unscaled).
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_timestamps=0"],
                   check=True)
    try:
        native_ok = True
        for fam, port in (("inet", 5505), ("xtcp", 5506)):
            d, c = one_stack(tap, a, fam, port, 1, 5, "1M")
            opts = re.findall(r"options=(\d+) snd_wscale=(\d+)",
                              c[1] if d else "")
            bare = opts.count(("0", "0"))
            recv = d.get("SyncookiesRecv", 0) if d else 0
            # Every cookie connection agreed no option; one that found
            # a free queue slot (native prunes the flooded queue) may.
            # No cookie counts twice: with X receiving in order a
            # connection's second segment finds its child in the tables
            # (xtcp counted 4 for 3 connections, and 6 for 5, on the
            # debug kernel before syncookies.sh did that).
            ok = (d is not None and c[0] == 0 and "ok=5 " in c[1] + " " and
                  0 < bare and 0 < recv <= bare)
            native_late(tap, fam, ok, f"{fam}: a client without "
                        f"timestamps, 5 connections of 1 MiB each way, "
                        f"{recv} through cookies, {bare} agreed no option "
                        f"(tcpi_options, snd_wscale)",
                        c if d is None else c[1], native_ok)
            if fam == "inet":
                native_ok = ok
    finally:
        subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_timestamps=1"])
    sysctl_both(a.netns, tcp_syncookies=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
