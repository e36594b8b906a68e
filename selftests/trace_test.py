#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# trace_test: the cases of selftests/trace.sh.  One trace instance of its
# own (tracefs instances/, so nothing else's events or settings mix in)
# records xtcp's five events and native TCP's counterparts; each case
# runs once per stack, on its own port, and what xtcp's events say is
# checked against what native's say about the same case:
#   - a connection closed by its client (TIME_WAIT), over loopback: the
#     state sequence of the client, the accepted socket and the listener
#     as sock:inet_sock_set_state shows native's (an accepted socket's
#     first change, LISTEN to SYN_RECV, shows its listener's ports);
#   - a server closing with a byte unread: one RST sent by the server
#     (its state then as native's), one received by the client;
#   - a connect to an address that never answers, with tcp_syn_retries
#     1: one SYN retransmission each, in SYN_SENT;
#   - 2 MiB through 5% loss: retransmit events, at most one per segment
#     RetransSegs counted (a GSO skb resent is one event and several
#     segments), and probe events for the ACKs the sender got, with
#     snd_una never going back and a smoothed RTT; xtcp's ca_state leaves
#     Open and its raw ssthresh is set.  A run netem dropped nothing of
#     (its own count, not the stack's) skips its loss checks.
# Prints TAP.  Time limits only bound the machine (XTCP_SLOW scales them).

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from slow import slow  # noqa: E402
from tap import Tap  # noqa: E402
from stacks import mib_counters, sysctl_both  # noqa: E402

M32 = 1 << 32
# The header xtcp_xfer's client sends before its bytes (lib/stream.h).
XFER_HDR_LEN = 16
XTCP_EVENTS = ("xtcp_set_state", "xtcp_probe", "xtcp_retransmit_skb",
               "xtcp_send_reset", "xtcp_receive_reset")
NATIVE_EVENTS = ("sock/inet_sock_set_state", "tcp/tcp_probe",
                 "tcp/tcp_retransmit_skb", "tcp/tcp_send_reset",
                 "tcp/tcp_receive_reset")
# Native's event for each of xtcp's.
NATIVE = {"xtcp_set_state": "inet_sock_set_state",
          "xtcp_probe": "tcp_probe",
          "xtcp_retransmit_skb": "tcp_retransmit_skb",
          "xtcp_send_reset": "tcp_send_reset",
          "xtcp_receive_reset": "tcp_receive_reset"}
LINE = re.compile(r"\s(\d+\.\d+): (\w+): (.*)$")
FIELD = re.compile(r"(\w+)=(\S+)")


def tracefs():
    for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(d, "instances")):
            return d
    os.makedirs("/sys/kernel/tracing", exist_ok=True)
    subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"],
                   check=True)
    return "/sys/kernel/tracing"


class Instance:
    """A trace instance recording xtcp's events and native's."""

    def __init__(self, root, name):
        self.dir = os.path.join(root, "instances", name)
        if os.path.isdir(self.dir):
            os.rmdir(self.dir)
        os.mkdir(self.dir)
        self.write("buffer_size_kb", "4096")
        for e in [f"xtcp/{e}" for e in XTCP_EVENTS] + list(NATIVE_EVENTS):
            self.write(f"events/{e}/enable", "1")

    def write(self, rel, text):
        with open(os.path.join(self.dir, rel), "w") as f:
            f.write(text)

    def clear(self):
        self.write("trace", "")

    def events(self):
        """[(event name, {field: value})] in the order recorded."""
        out = []
        with open(os.path.join(self.dir, "trace")) as f:
            for line in f:
                m = LINE.search(line)
                if m:
                    out.append((m.group(2), dict(FIELD.findall(m.group(3)))))
        return out

    def remove(self):
        self.write("tracing_on", "0")
        os.rmdir(self.dir)


def family_number(fam):
    if fam == "inet":
        return "2"
    with open("/sys/module/xtcp/parameters/family") as f:
        return f.read().strip()


def in_ns(ns, *argv):
    return ["ip", "netns", "exec", ns, *argv]


def tool(a, fam, *argv):
    """xtcp_tool ARGV in the test namespace on @fam's sockets."""
    return subprocess.run(in_ns(a.netns, a.tool, "-f", family_number(fam),
                                *argv),
                          capture_output=True, text=True, timeout=slow(60))


def ev_name(fam, xname):
    return xname if fam == "xtcp" else NATIVE[xname]


def netem_drops(netns, dev):
    """Packets @dev's netem (in @netns) has dropped so far."""
    r = subprocess.run(["ip", "netns", "exec", netns, "tc", "-s", "qdisc",
                        "show", "dev", dev], capture_output=True, text=True,
                       timeout=slow(20))
    m = re.search(r"\(dropped (\d+),", r.stdout)
    return int(m.group(1)) if m else 0


def ports_of(f):
    """(sport, dport) of an event's fields; tcp_probe and xtcp_probe
    print them as src=ADDR:PORT dest=ADDR:PORT."""
    if "sport" in f:
        return int(f["sport"]), int(f["dport"])
    return int(f["src"].rsplit(":", 1)[1]), int(f["dest"].rsplit(":", 1)[1])


def roles(evs, name, port):
    """State changes by role, for connections to @port: {role: [(old,
    new)]} with role listener (the socket listening on @port), server
    (the accepted one: its first change, LISTEN to SYN_RECV, still has
    its listener's ports) or client (dport @port; its first change may
    show sport 0, before its port was chosen)."""
    out = {}
    for n, f in evs:
        if n != name:
            continue
        sport, dport = ports_of(f)
        if (f["oldstate"], f["newstate"]) == ("TCP_LISTEN", "TCP_SYN_RECV"):
            r = "server"
        elif sport == port and dport == 0:
            r = "listener"
        elif sport == port:
            r = "server"
        elif dport == port:
            r = "client"
        else:
            continue
        out.setdefault(r, []).append((f["oldstate"], f["newstate"]))
    return out


def case_lifecycle(tap, inst, a, port):
    seqs = {}
    for fam in ("inet", "xtcp"):
        inst.clear()
        r = tool(a, fam, "timewait", str(port[fam]))
        evs = inst.events()
        if r.returncode:
            print(f"# {fam}: xtcp_tool timewait: {r.stderr.strip()}")
        seqs[fam] = roles(evs, ev_name(fam, "xtcp_set_state"), port[fam])
    for r in ("client", "server", "listener"):
        n, x = seqs["inet"].get(r), seqs["xtcp"].get(r)
        print(f"# {r}: native {n}")
        print(f"# {r}: xtcp   {x}")
        tap.result(bool(n) and n == x,
                   f"{r}'s state changes (client closes first) as native's",
                   f"native {n}, xtcp {x}")


def case_reset(tap, inst, a, port):
    seen = {}
    for fam in ("inet", "xtcp"):
        inst.clear()
        r = tool(a, fam, "reset", str(port[fam]))
        tap.result(r.returncode == 0,
                   f"{fam}: a server closing with a byte unread resets, "
                   f"the client reads ECONNRESET", r.stderr.strip())
        sent, got = [], []
        for n, f in inst.events():
            if not f.get("sport"):
                continue
            sport, dport = ports_of(f)
            if n == ev_name(fam, "xtcp_send_reset"):
                sent.append((sport == port[fam], f.get("state")))
            elif n == ev_name(fam, "xtcp_receive_reset"):
                got.append(dport == port[fam])
        seen[fam] = (sent, got)
        print(f"# {fam}: send_reset (by server, state) {sent}, "
              f"receive_reset (by client) {got}")
    n, x = seen["inet"], seen["xtcp"]
    tap.result(n[0] == [(True, n[0][0][1])] if n[0] else False,
               "native: one RST sent, by the server (the premise)",
               f"{n[0]}")
    tap.result(x[0] == n[0], "xtcp_send_reset: the server's one RST, in "
               "the state native's is traced in", f"native {n[0]}, "
               f"xtcp {x[0]}")
    tap.result(n[1] == [True] and x[1] == n[1], "xtcp_receive_reset: the "
               "client's one RST, as native's", f"native {n[1]}, xtcp {x[1]}")


def case_syn(tap, inst, a, port):
    sysctl_both(a.netns, tcp_syn_retries=1)
    seen = {}
    for fam in ("inet", "xtcp"):
        inst.clear()
        t0 = time.monotonic()
        r = tool(a, fam, "synsent", a.dark_addr, str(port[fam]))
        t = time.monotonic() - t0
        tap.result(r.returncode == 0, f"{fam}: a connect nobody answers "
                   f"times out ({t:.1f} s)", r.stderr.strip())
        rtx = [f for n, f in inst.events()
               if n == ev_name(fam, "xtcp_retransmit_skb") and
               int(f["dport"]) == port[fam]]
        seen[fam] = [f["state"] for f in rtx]
        if fam == "xtcp":
            bad = [f for f in rtx
                   if (int(f["end_seq"]) - int(f["seq"])) % M32 != 1]
            tap.result(rtx and not bad, "xtcp_retransmit_skb of a SYN: "
                       "seq..end_seq one sequence number", f"{rtx}")
    print(f"# SYN resends: native {seen['inet']}, xtcp {seen['xtcp']}")
    tap.result(seen["inet"] == ["TCP_SYN_SENT"] and seen["xtcp"] == seen["inet"],
               "xtcp_retransmit_skb: one SYN resend in SYN_SENT, as "
               "native's (tcp_syn_retries 1)",
               f"native {seen['inet']}, xtcp {seen['xtcp']}")
    sysctl_both(a.netns, tcp_syn_retries=6)


def lossy_checks(fam):
    """The names of case_lossy's checks for @fam, in order."""
    out = [f"{fam}: 2 MiB through 5% loss",
           f"{ev_name(fam, 'xtcp_retransmit_skb')}: resends seen, at most "
           f"one event per segment RetransSegs counted",
           f"{ev_name(fam, 'xtcp_probe')}: the sender's ACKs, snd_una "
           f"forward only, srtt set"]
    if fam == "xtcp":
        out.append("xtcp_probe: ca_state leaves Open under loss, the raw "
                   "ssthresh is set")
    return out


def case_lossy(tap, inst, a, port):
    size = 2 << 20
    for fam in ("inet", "xtcp"):
        inst.clear()
        srv = subprocess.Popen(
            in_ns(a.peer_netns, a.xfer, "server", "-f", fam, "-l",
                  f"{a.peer_addr}:{port[fam]}", "-n", "1", "-t",
                  str(slow(60)), "-w", str(slow(200))),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = srv.stdout.readline()
        if not line.startswith("listening"):
            srv.kill()
            line = f"server did not listen: {line.strip()}"
            for name in lossy_checks(fam):
                tap.result(False, name, line)
            continue
        before = mib_counters(a.netns, fam)
        drops0 = netem_drops(a.netns, a.lossy_dev)
        r = subprocess.run(
            in_ns(a.netns, a.xfer, "client", "-f", fam, "-c",
                  f"{a.peer_addr}:{port[fam]}", "-s", str(size), "-t",
                  str(slow(60)), "-w", str(slow(200))),
            capture_output=True, text=True, timeout=slow(240))
        after = mib_counters(a.netns, fam)
        dropped = netem_drops(a.netns, a.lossy_dev) - drops0
        try:
            srv.wait(timeout=slow(30))
        except subprocess.TimeoutExpired:
            srv.kill()
        ok = r.returncode == 0 and srv.returncode == 0
        names = lossy_checks(fam)
        tap.result(ok, names[0],
                   (r.stdout + r.stderr).strip().replace("\n", " "))
        if not ok:
            for name in names[1:]:
                tap.result(False, name, "the transfer failed")
            continue
        evs = inst.events()
        rtx = [f for n, f in evs
               if n == ev_name(fam, "xtcp_retransmit_skb") and
               int(f["dport"]) == port[fam]]
        segs = (after.get("Tcp:RetransSegs", 0) -
                before.get("Tcp:RetransSegs", 0))
        fail = (after.get("TcpExt:TCPRetransFail", 0) -
                before.get("TcpExt:TCPRetransFail", 0))
        print(f"# {fam}: {len(rtx)} retransmit events, RetransSegs "
              f"{segs}, TCPRetransFail {fail}, netem dropped {dropped}")
        if not dropped:
            tap.result(None, names[1], "no loss hit this transfer")
        else:
            tap.result(0 < len(rtx) <= segs, names[1],
                       f"{len(rtx)} events, RetransSegs {segs}")
        pr = [f for n, f in evs if n == ev_name(fam, "xtcp_probe") and
              ports_of(f)[1] == port[fam] and f.get("data_len") == "0"]
        una = [int(f["snd_una"], 16) for f in pr]
        back = [i for i in range(1, len(una))
                if (una[i] - una[i - 1]) % M32 > M32 // 2]
        acked = (una[-1] - una[0]) % M32 if una else 0
        why = (f"{len(pr)} events, snd_una back at {back[:3]}, "
               f"{acked} bytes acked between first and last, "
               f"last srtt {pr[-1]['srtt'] if pr else None}")
        print(f"# {fam} probe: {why}")
        # What the client sends: xtcp_xfer's 16-byte header, then size
        # bytes; its SYN and FIN count in snd_una too.  The first event
        # can be the SYN-ACK (SYN not yet acked), the last one the FIN's
        # ACK.  A native run on the debug kernel read size + 16 when
        # this said size + 1.
        tap.result(len(pr) >= 20 and not back and
                   size // 2 <= acked <= size + XFER_HDR_LEN + 2 and
                   int(pr[-1]["srtt"]) > 0, names[2], why)
        if fam == "xtcp":
            states = sorted({f["ca_state"] for f in pr})
            ssth = int(pr[-1]["snd_ssthresh"]) if pr else None
            if not dropped:
                tap.result(None, names[3], "no loss hit this transfer")
            else:
                tap.result("TCP_CA_Open" in states and len(states) > 1 and
                           ssth is not None and ssth < 0x7fffffff, names[3],
                           f"states {states}, last snd_ssthresh {ssth}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--peer-netns", required=True)
    ap.add_argument("--loop-addr", required=True)
    ap.add_argument("--peer-addr", required=True)
    ap.add_argument("--dark-addr", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--xfer", required=True)
    ap.add_argument("--lossy-dev", required=True)
    a = ap.parse_args()

    tap = Tap(20)
    root = tracefs()
    have = sorted(os.listdir(os.path.join(root, "events", "xtcp")))
    tap.result(sorted(XTCP_EVENTS) == [e for e in have
                                      if e.startswith("xtcp_")],
               "events/xtcp/ holds the five events", f"{have}")
    inst = Instance(root, f"xtcp_selftest_{os.getpid()}")
    try:
        case_lifecycle(tap, inst, a, {"inet": 5301, "xtcp": 5302})
        case_reset(tap, inst, a, {"inet": 5303, "xtcp": 5304})
        case_syn(tap, inst, a, {"inet": 5305, "xtcp": 5306})
        case_lossy(tap, inst, a, {"inet": 5307, "xtcp": 5308})
    finally:
        inst.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
