#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# synq_test: a listener's SYN queue beyond the plain handshake, run by
# selftests/synq.sh.  Each case runs against a native listener and an
# xtcp one at once (selftests/wire_peer in namespace X, each on its own
# port), our end hand-made with scapy, and passes when xtcp's
# observations equal native's (Linux 6.1's tcp_check_req(),
# reqsk_timer_handler() and syn_ack_recalc() the reference):
#
#   defer_bare    TCP_DEFER_ACCEPT 3 s on the listener (2 SYN-ACK
#                 timeouts; getsockopt reads 3), our bare third ACK 0.2 s
#                 after the SYN-ACK: no accept(), TCPDeferAcceptDrop +1,
#                 no SYN-ACK again at the first timeout (1 s) but at the
#                 second (3 s), and our ACK of that one makes the child.
#   defer_data    the same listener, our third ACK carrying 5 bytes and a
#                 FIN: accept() at once, the 5 bytes read, all ACKed.
#   defer_expire  tcp_synack_retries 2: the bare-ACKed entry's SYN-ACKs
#                 at 0 and 3 s, gone at 7 s: our ACK at 9 s gets a RST.
#   overflow_drop backlog 2, three children queued and never accepted,
#                 tcp_abort_on_overflow 0: a fourth handshake's third ACK
#                 gets no reply; ListenOverflows, ListenDrops +1.
#   overflow_rst  the same with tcp_abort_on_overflow 1: a RST, and
#                 EmbryonicRsts +1 as well.
#   prune         backlog 8 and N SYNs never ACKed: with 4 (half the
#                 queue's max(8, backlog) not passed) each entry's SYN-ACK
#                 goes at 0, 1, 3 and 7 s; with 5, the first entry whose
#                 timer fires at 7 s finds the queue more than half full
#                 and none young (no timeout yet), so it lives 2 timeouts,
#                 not tcp_synack_retries' 5, and goes after 3 SYN-ACKs;
#                 the other 4, the queue no longer over half full, get
#                 their 4th (measured: native and xtcp alike [3, 4, 4, 4,
#                 4]).  The entries' 7 s timers fire together (native's
#                 in one tick of timer_list's coarse level), and two
#                 firing at once on the two CPUs both find the queue at
#                 5 (reqsk_timer_handler() reads the length unlocked):
#                 then two go after 3 (native [3, 3, 4, 4, 4] once in a
#                 whole make check, xtcp [3, 4, 4, 4, 4] in the same
#                 run), so either outcome is the same result.  The
#                 SYN-ACKs of each entry are counted over 9 s.
#
# Timing: SYN-ACK times are the protocol's clock (1 s doubling, not
# scaled by XTCP_SLOW).  Those up to 3 s are compared rounded to whole
# seconds; native's later ones ride timer_list's coarser wheel levels (a
# 4 s timer fires up to 256 ms late at HZ 250, before TCG's lateness)
# where xtcp's wheel is jiffy-exact, so past 3 s only counts are
# compared, over windows that end 2 s after the expected event.  Waits
# for a process or for accept() bound the machine and are scaled.

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, XPeer, ManualConn, flags,  # noqa: E402
                     seq_add, wire_args, mib_counters, sysctl_both,
                     REPLY_WAIT)
from slow import slow  # noqa: E402
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
ACCEPT = slow(1.0)	# s: accept() of a connection the kernel made
MSS = 1460


def is_synack(p):
    return flags(p) & 0x12 == 0x12


def at(t, t0):
    """@t (s) after @t0, rounded to whole seconds."""
    return round(float(t) - t0)


def counts(args, fam, before, names):
    """"Name +D" for each TcpExt counter in @names, D since @before."""
    now = mib_counters(args.netns, fam)
    return [f"{n} +{now.get('TcpExt:' + n, 0) - before.get('TcpExt:' + n, 0)}"
            for n in names]


def sleep_until(t):
    left = t - time.time()
    if left > 0:
        time.sleep(left)


class Client(ManualConn):
    """Our end of one connection to X's listener on @port, from our port
    @lport."""

    def __init__(self, wire, lport, port):
        super().__init__(wire, lport, port)
        self.m0 = None
        self.sa = None

    def syn(self):
        """Our SYN and X's SYN-ACK: True when it came."""
        self.m0 = self.send("S", ack=0, opts=[("MSS", MSS)])
        self.sa = self.wait_synack(self.m0)
        if self.sa is None:
            return False
        self.established(self.sa)
        return True

    def synacks(self):
        """The times (s, rounded) after the first SYN-ACK of every
        SYN-ACK X sent on this connection."""
        t0 = float(self.sa.time)
        return [at(p.time, t0) for p in self.sent(self.m0, is_synack)]

    def reply(self, m, secs=0.5):
        """X's segments other than SYN-ACKs in @secs after mark @m, as
        "FLAGS:seq-rel" (seq relative to X's ISN + 1), or "none"."""
        time.sleep(secs)
        got = self.sent(m, lambda p: not is_synack(p))
        base = seq_add(self.sa[TCP].seq, 1) if self.sa is not None else 0
        return " ".join(f"{p[TCP].flags}:{(p[TCP].seq - base) % (1 << 32)}"
                        for p in got) or "none"

    def reset(self):
        self.send("R", ack=0)


def clients(wire, port, n):
    """@n Clients of X's listener on @port, from our ports of their own
    (8 per listener port)."""
    base = 20000 + port * 8 % 40000
    return [Client(wire, base + i, port) for i in range(n)]


def listener(args, fam, port, *opts, secs=10):
    """X's wire_peer listening on --dst:@port with the options @opts,
    reading what it accepts to its end: (peer, None) once it listens,
    else (peer, why)."""
    peer = XPeer(args, fam, *opts, "-l", f"{args.dst}:{port}", "readall",
                 secs=int(slow(secs)))
    if peer.listening() is None:
        return peer, f"peer: {peer.text()}"
    return peer, None


def defer_got(peer):
    m = peer.line(r"defer (-?\d+) ret=(-?\d+) errno=(\d+) got=(-?\d+)", 0)
    return m.group(0) if m else "no defer line"


def case_defer_bare(args, wire, fam, port):
    peer, why = listener(args, fam, port, "-D", "3")
    try:
        if why:
            return why
        before = mib_counters(args.netns, fam)
        c = Client(wire, port, port)
        if not c.syn():
            return "no SYN-ACK"
        t0 = float(c.sa.time)
        sleep_until(t0 + 0.2)
        m = c.send("A")
        obs = [defer_got(peer)]
        obs.append("accepted after a bare ACK" if peer.line("accepted", 1.0)
                   else "not accepted after a bare ACK")
        sa2 = c.wait(m, is_synack, max(0.1, t0 + 5.0 - time.time()))
        obs.append(f"SYN-ACKs at {c.synacks()}")
        if sa2 is None:
            return obs + ["no SYN-ACK again within 5 s"]
        c.send("A")
        obs.append("accepted after our ACK of it" if
                   peer.line("accepted", ACCEPT) else
                   "not accepted after our ACK of it")
        obs += counts(args, fam, before, ["TCPDeferAcceptDrop"])
        c.send("FA")
        return obs
    finally:
        peer.stop()


def case_defer_data(args, wire, fam, port):
    peer, why = listener(args, fam, port, "-D", "3")
    try:
        if why:
            return why
        c = Client(wire, port, port)
        if not c.syn():
            return "no SYN-ACK"
        sleep_until(float(c.sa.time) + 0.2)
        m = c.send("FPA", data=b"hello")
        obs = ["accepted" if peer.line("accepted", ACCEPT)
               else "not accepted"]
        r = peer.line(r"readall bytes=(\d+) errno=(\d+)", ACCEPT)
        obs.append(r.group(0) if r else f"no readall: {peer.text()}")
        end = seq_add(c.isn, 1 + 5 + 1)
        a = c.wait(m, lambda p: flags(p) & 0x10 and p[TCP].ack == end,
                   REPLY_WAIT)
        obs.append("data and FIN ACKed" if a is not None else
                   "data and FIN not ACKed")
        c.snd_nxt = end
        c.reset()
        return obs
    finally:
        peer.stop()


def case_defer_expire(args, wire, fam, port):
    peer, why = listener(args, fam, port, "-D", "3", secs=12)
    try:
        if why:
            return why
        c = Client(wire, port, port)
        if not c.syn():
            return "no SYN-ACK"
        t0 = float(c.sa.time)
        sleep_until(t0 + 0.2)
        c.send("A")
        sleep_until(t0 + 9.0)
        obs = [f"SYN-ACKs at {c.synacks()}"]
        m = c.send("A")
        obs.append(f"ACK at 9 s answered {c.reply(m)}")
        obs.append("accepted" if peer.line("accepted", 0.1)
                   else "not accepted")
        return obs
    finally:
        peer.stop()


def overflow(abort):
    def case(args, wire, fam, port):
        # Nothing accepted while the case runs (-w): three children fill
        # a backlog of 2 (full once more than 2 wait).
        peer, why = listener(args, fam, port, "-b", "2", "-w", "6000")
        try:
            if why:
                return why
            before = mib_counters(args.netns, fam)
            cs = clients(wire, port, 4)
            for c in cs[:2]:
                if not c.syn():
                    return "no SYN-ACK for the first two"
                c.send("A")
                time.sleep(0.1)
            if not cs[2].syn() or not cs[3].syn():
                return "no SYN-ACK for the third or fourth"
            cs[2].send("A")
            time.sleep(0.1)
            m = cs[3].send("A")
            obs = [f"fourth third ACK answered {cs[3].reply(m)}"]
            obs += counts(args, fam, before,
                          ["ListenOverflows", "ListenDrops", "EmbryonicRsts",
                           "SyncookiesSent"])
            for c in cs:
                c.reset()
            return obs
        finally:
            peer.stop()
    return case


def prune(n):
    def case(args, wire, fam, port):
        peer, why = listener(args, fam, port, "-b", "8", "-w", "11000")
        try:
            if why:
                return why
            cs = clients(wire, port, n)
            for c in cs:
                if not c.syn():
                    return "no SYN-ACK"
            sleep_until(float(cs[0].sa.time) + 9.0)
            counts = sorted(len(c.synacks()) for c in cs)
            obs = [f"SYN-ACKs per entry in 9 s: {counts}"]
            if n > 4 and counts in ([3] + [4] * (n - 1),
                                    [3, 3] + [4] * (n - 2)):
                # One entry or two pruned at 7 s: see the header.
                print(f"# prune {fam}: {obs[0]}", flush=True)
                obs = ["SYN-ACKs per entry in 9 s: one entry (or two "
                       "whose timers fired together) after 3, the "
                       "others 4"]
            for c in cs:
                c.reset()
            return obs
        finally:
            peer.stop()
    return case


def with_knobs(fn, **knobs):
    """Case @fn run with the namespace's knobs @knobs (both stacks), put
    back to Linux's defaults after."""
    defaults = {"tcp_synack_retries": 5, "tcp_abort_on_overflow": 0}

    def case(args, wire, fam, port):
        return fn(args, wire, fam, port)
    case.knobs = knobs
    case.restore = {k: defaults[k] for k in knobs}
    return case


CASES = [
    ("defer_bare: bare ACK held, SYN-ACK at the deferral's end",
     case_defer_bare),
    ("defer_data: data on the third ACK accepted at once", case_defer_data),
    ("defer_expire: entry gone after tcp_synack_retries and the deferral",
     with_knobs(case_defer_expire, tcp_synack_retries=2)),
    ("overflow_drop: full accept queue drops the third ACK",
     with_knobs(overflow(0), tcp_abort_on_overflow=0)),
    ("overflow_rst: tcp_abort_on_overflow answers it with a RST",
     with_knobs(overflow(1), tcp_abort_on_overflow=1)),
    ("prune: 4 old entries live 5 timeouts", prune(4)),
    ("prune: of 5 old entries in a queue of 8, the first at 7 s goes",
     prune(5)),
]


def main():
    ap = wire_args(argparse.ArgumentParser(), "--netns", "--peer")
    args = ap.parse_args()
    tap = Tap(len(CASES))
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    # Native and xtcp of one case at once, on ports of their own; the
    # cases one after another (their knobs are the namespace's).
    for k, (name, fn) in enumerate(CASES):
        knobs = getattr(fn, "knobs", {})
        if knobs:
            sysctl_both(args.netns, **knobs)
        got = {}

        def run(fam, port):
            t0 = time.monotonic()
            try:
                r = fn(args, wire, fam, port)
            except Exception as e:	# report, go on with the next case
                r = f"exception {e!r}"
            got[fam] = r
            print(f"# {name} [{fam}, port {port}, "
                  f"{time.monotonic() - t0:.1f} s]: {r}", flush=True)
        ths = [threading.Thread(target=run, args=(fam, 8400 + 2 * k + f))
               for f, fam in enumerate(FAMILIES)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        if knobs:
            sysctl_both(args.netns, **fn.restore)
        n, x = got["inet"], got["xtcp"]
        tap.result(isinstance(n, list) and n == x, f"{name}: xtcp as native",
                   f"native {n}, xtcp {x}")
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
