#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# keepalive_test: TCP keepalive on the wire, native TCP (the reference)
# and xtcp in the same run; driven by selftests/keepalive.sh, which sets
# up namespace X (the keepalive end, a keepalive_peer client) and P (a
# keepalive_peer echo server) joined by a veth, and one tcpdump on X's
# veth for the whole run.  Cases, each for every --family:
#   dead:   TCP_KEEPIDLE=1, KEEPINTVL=1, KEEPCNT=3 and a peer whose
#           replies are all lost (netem loss 100% on P's side): exactly
#           KEEPCNT probes, ACKs with SEQ = SND.UNA - 1 and no data, 1 s
#           apart, the first 1 s after SO_KEEPALIVE, then a RST 1 s after
#           the last, and the reader gets ETIMEDOUT;
#   alive:  the same options and a peer that answers: after 5 s of idle
#           the connection still carries data, with more answered probes
#           than KEEPCNT and no RST;
#   sysctl: no per-socket options; tcp_keepalive_time=1, intvl=1,
#           probes=2 in X's namespace (net.ipv4 and net.xtcp): as dead,
#           with 2 probes.
# Timing: each keepalive moment is checked to +-TOL s (TOL below): the
# wheel and Linux's timer are exact to the jiffy, but TCG delays native
# TCP's timers and the capture's timestamps by tens of milliseconds, and
# process start-up (SO_KEEPALIVE's timestamp) by more.

import argparse
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from slow import slow  # noqa: E402

TOL = 0.25
ETIMEDOUT = 110
F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        print("TAP version 13", flush=True)

    def check(self, name, ok, why=""):
        self.n += 1
        if not ok:
            self.failed += 1
            print(f"# {name}: {why}")
            print(f"not ok {self.n} {name}", flush=True)
        else:
            print(f"ok {self.n} {name}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        return 1 if self.failed else 0


def read_pcap(path):
    """(time, src port, dst port, seq, ack, flags, payload length) of every
    TCP segment in an Ethernet pcap file."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 0xf) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:]
        if len(tcp) < 20:
            continue
        sport, dport, seq, ack = struct.unpack(">HHII", tcp[:12])
        doff = (tcp[12] >> 4) * 4
        fl = tcp[13]
        t = sec + frac / (1e9 if nano else 1e6)
        out.append((t, sport, dport, seq, ack, fl, tot - ihl - doff))
    return out


class Proc:
    """A keepalive_peer in a namespace, read line by line."""

    def __init__(self, netns, argv):
        self.p = subprocess.Popen(["ip", "netns", "exec", netns] + argv,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.lines = []

    def line(self, prefix, secs):
        deadline = time.time() + slow(secs)
        while time.time() < deadline:
            ln = self.p.stdout.readline()
            if not ln:
                return None
            self.lines.append(ln.strip())
            if ln.startswith(prefix):
                return ln.strip()
        return None

    def say(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()

    def field(self, ln, name):
        for w in ln.split():
            if w.startswith(name + "="):
                return w[len(name) + 1:]
        return None

    def end(self):
        try:
            self.p.wait(timeout=slow(10))
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def sh(*argv):
    return subprocess.run(argv, capture_output=True, text=True).returncode


def run_case(args, fam, case, port):
    """Run one case; return a dict of what happened (or 'error')."""
    srv = Proc(args.pnetns, [args.peer, "-f", fam, "-t", "20",
                             "-l", f"0.0.0.0:{port}"])
    if srv.line("listening", 10) is None:
        return {"error": f"server: {srv.lines}"}
    argv = [args.peer, "-f", fam, "-t", "20", "-c", f"{args.pnet}:{port}"]
    if case in ("dead", "alive"):
        argv += ["-k", "1,1,3"]
    argv += ["-a", "5"] if case == "alive" else ["-d"]
    cli = Proc(args.netns, argv)
    res = {}
    try:
        if cli.line("echoed", 10) is None:
            return {"error": f"client: {cli.lines}"}
        # Let the echo's ACKs reach the capture before the peer goes quiet.
        time.sleep(0.3)
        if case != "alive" and sh("ip", "netns", "exec", args.pnetns, "tc",
                                  "qdisc", "add", "dev", args.pdev, "root",
                                  "netem", "loss", "100%"):
            return {"error": "netem"}
        cli.say("go")
        ln = cli.line("keepalive", 10)
        if ln is None:
            return {"error": f"client: {cli.lines}"}
        res["at"] = float(cli.field(ln, "at"))
        if case == "alive":
            ln = cli.line("alive", 15)
            res["alive"] = ln
        else:
            ln = cli.line("read", 20)
            if ln is None:
                return {"error": f"client: {cli.lines}"}
            res["errno"] = int(cli.field(ln, "errno"))
            res["read_at"] = float(cli.field(ln, "at"))
    finally:
        cli.end()
        sh("ip", "netns", "exec", args.pnetns, "tc", "qdisc", "del",
           "dev", args.pdev, "root")
        srv.p.kill()
        srv.end()
    return res


def analyse(segs, port, at):
    """Segments of the connection to @port after @at: the keepalive
    probes (pure ACKs out of X with no data), the RSTs X sent, data X
    sent, P's segments, and SND.UNA (the last ACK P sent before @at)."""
    out = [s for s in segs if s[2] == port]
    inn = [s for s in segs if s[1] == port]
    before = [s for s in inn if s[0] < at]
    una = before[-1][4] if before else None
    after_out = [s for s in out if s[0] >= at]
    probes = [s for s in after_out if s[5] == F_ACK and s[6] == 0]
    rsts = [s for s in after_out if s[5] & F_RST]
    data = [s for s in after_out if s[6] > 0]
    replies = [s for s in inn if s[0] >= at]
    return una, probes, rsts, data, replies


def dump(segs, port, at):
    """The connection's segments after @at, for a failure message."""
    return [("X>P" if s[2] == port else "P>X", round(s[0] - at, 3), s[3],
             s[4], hex(s[5]), s[6])
            for s in segs if port in (s[1], s[2]) and s[0] >= at]


def near(a, b):
    return abs(a - b) <= TOL


def check_dead(tap, name, res, segs, port, count):
    at = res["at"]
    una, probes, rsts, data, _ = analyse(segs, port, at)
    desc = [(round(p[0] - at, 3), p[3], p[5]) for p in probes + rsts]
    tap.check(f"{name}: {count} probes", len(probes) == count,
              f"{len(probes)} probes: {desc}")
    tap.check(f"{name}: probes carry SND.UNA - 1, no data",
              una is not None and probes and
              all(p[3] == (una - 1) & 0xffffffff for p in probes) and
              not data, f"snd_una {una} probes {desc} data {len(data)}")
    times = [p[0] for p in probes]
    gaps = [b - a for a, b in zip(times, times[1:])]
    tap.check(f"{name}: first probe 1 s after SO_KEEPALIVE, then every 1 s",
              times and near(times[0] - at, 1.0) and
              all(near(g, 1.0) for g in gaps),
              f"offsets {[round(t - at, 3) for t in times]}")
    tap.check(f"{name}: one RST 1 s after the last probe", len(rsts) == 1 and
              times and near(rsts[0][0] - times[-1], 1.0),
              f"{dump(segs, port, at)}")
    tap.check(f"{name}: reader gets ETIMEDOUT",
              res.get("errno") == ETIMEDOUT,
              f"errno {res.get('errno')}")
    return len(probes), len(rsts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--pnetns", required=True)
    ap.add_argument("--pdev", required=True)
    ap.add_argument("--pnet", required=True, help="P's address")
    ap.add_argument("--peer", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--port", type=int, default=7300)
    ap.add_argument("--family", action="append", required=True)
    ap.add_argument("--stop-capture", required=True,
                    help="command that ends the capture and flushes it")
    args = ap.parse_args()
    tap = Tap()

    results = []
    port = args.port
    for case in ("dead", "alive", "sysctl"):
        for fam in args.family:
            if case == "sysctl":
                for pfx in ("net.ipv4", "net.xtcp"):
                    for knob, v in (("time", 1), ("intvl", 1),
                                    ("probes", 2)):
                        sh("ip", "netns", "exec", args.netns, "sysctl",
                           "-qw", f"{pfx}.tcp_keepalive_{knob}={v}")
            results.append((case, fam, port, run_case(args, fam, case, port)))
            port += 1
    subprocess.run(args.stop_capture, shell=True)
    segs = read_pcap(args.pcap)

    counts = {}
    for case, fam, port, res in results:
        name = f"{case} {fam}"
        if "error" in res:
            tap.check(name, False, res["error"])
            continue
        if case == "dead":
            counts[(case, fam)] = check_dead(tap, name, res, segs, port, 3)
        elif case == "sysctl":
            counts[(case, fam)] = check_dead(tap, name, res, segs, port, 2)
        else:
            at = res["at"]
            una, probes, rsts, data, replies = analyse(segs, port, at)
            # Only real probes: the echo at the end is ACKed too.
            probes = [p for p in probes
                      if una is not None and p[3] == (una - 1) & 0xffffffff]
            tap.check(f"{name}: data flows after 5 s idle",
                      res.get("alive") == "alive write=5 read=5 errno=0",
                      f"{res.get('alive')}")
            # No RST, the close after the echo included (a keepalive
            # expiry must not end the orphan in FIN_WAIT2).
            tap.check(f"{name}: answered probes beyond KEEPCNT, no RST",
                      len(probes) > 3 and not rsts and
                      len(replies) >= len(probes),
                      f"probes {[round(p[0] - at, 3) for p in probes]} "
                      f"rsts {len(rsts)} replies {len(replies)}; "
                      f"{dump(segs, port, at)}")
            counts[(case, fam)] = (len(probes) > 3, len(rsts))
    # Native TCP is the oracle: the same counts for every family.
    for case in ("dead", "alive", "sysctl"):
        got = {fam: counts.get((case, fam)) for fam in args.family}
        tap.check(f"{case}: every family as native", len(set(got.values())) == 1,
                  f"{got}")
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
