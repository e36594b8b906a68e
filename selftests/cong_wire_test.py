#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# cong_wire_test: congestion control as the wire shows it, native TCP
# (the oracle) and xtcp in the same VM, run by selftests/cong_wire.sh
# (one python process: importing scapy takes seconds under TCG).  The VM
# acceptance of the congestion-control issue: the initial window, slow
# start doubling per round trip, the reduction on a fast retransmit
# (Reno 0.5, CUBIC 0.7), growth in congestion avoidance, and HyStart++
# leaving slow start on an RTT rise without a loss.
#
# Each case runs once per family against its own selftests/wire_peer in
# namespace X, the sender, which writes more than the case needs in one
# write().  Scapy is the receiver: no SACK, no timestamps (net.*.tcp_sack
# and tcp_timestamps are 0 in X: no RACK, no tail loss probe, the
# duplicate-ACK count alone finds a loss, as RFC 5681), window scaling
# offered only in (c).  It answers in rounds: a round is every data
# segment X sends in answer to our previous round's ACKs (the first, the
# initial flight); it holds its ACKs until PATH_RTT s (1.0, times
# XTCP_SLOW) after the round's first segment was captured, so that X's
# RTT samples are about PATH_RTT and its RTO about PATH_RTT plus 200 ms
# or more (after rounds of steady samples).  The handshake's ACK waits
# HS_HOLD (0.8 s) after the SYN-ACK: X's first RTO is then about 2.4 s,
# and its SYN-ACK timer (1 s) does not fire first, which would start X
# from a window of one; a run that saw a second SYN-ACK says so.  It
# then answers the round's segments in the order they came, as a
# receiver that ACKs every EVERY segments (2 in (a), (b); 1 in (c)):
# the cumulative ACK after each EVERY in-order segments, a duplicate ACK
# at once for a segment above a hole, an ACK at once for a segment that
# fills one, and an ACK of what is left at the end of the round (its
# delayed-ACK timer).  Before its ACKs it reads X's cwnd and ssthresh
# from /proc/net/tcp or /proc/net/xtcp: what X had when it sent the
# round (no ACK reaches X between rounds).  The record of a round: its
# segments, how many were retransmissions (below the highest sent
# before), cwnd, ssthresh (-1: still the initial "infinite" one).
#
# Each round's record also says how late (s) its first ACK left, python
# being slow under TCG: about the same every round, it only lengthens
# the RTT X sees; uneven by more than X's RTO margin (200 ms or more), it
# may have X's RTO fire.  A run that retransmitted where the case loses
# nothing and whose lateness varied by more than JITTER s (0.2, times
# XTCP_SLOW) makes the case's checks skips saying so; in (c), so does a
# round whose lateness fell by more than half of RAMP from the round
# before (no clear RTT rise).
#
# Cases:
#  (a) Reno (net.*.tcp_congestion_control reno): rounds 1-3 in slow
#      start, the first segment of round 3 lost (its first transmission
#      never taken), then rounds 4 (the recovery) to 8.  Native: 10, 20,
#      40 segments in rounds 1-3 (the initial window of RFC 6928, then
#      twice as many a round: an ACK of two segments grows cwnd by two,
#      appropriate byte counting), ssthresh 20 after the loss (half of
#      cwnd 40), and in rounds 6-8 one segment more a round (congestion
#      avoidance).  xtcp: every round's record equal to native's.
#  (b) CUBIC, with native's HyStart and xtcp's HyStart++ off
#      (/sys/module/tcp_cubic/parameters/hystart, net.xtcp.
#      tcp_cubic_hystart), the same rounds: rounds 1-4 equal to
#      native's, ssthresh 28 after the loss (0.7 of 40, RFC 9438 beta)
#      on both, and rounds 5-8 within CUBIC_SLACK segments of native's:
#      CUBIC's window is a function of time since the loss, and when
#      the rounds' ACKs come is python's timing, not the same to the ms
#      in both runs (one run read native 29, 36, 39, 45 and xtcp 28,
#      35, 39, 45); when our ACKs of rounds 4-8 were more than
#      CUBIC_SKEW (0.3 s, times XTCP_SLOW) later in one run than in the
#      other, that check is a skip saying so.
#  (c) CUBIC with HyStart (native) and HyStart++ (xtcp) on, window
#      scaling offered (shift 7, window field HS_WINDOW: 105 segments,
#      so that native's rounds after its exit stay small enough for
#      python), one ACK a segment, no loss; the ACKs of round 2 and
#      later come RAMP s (0.3, times XTCP_SLOW) later each round than
#      the round before, an RTT rise far above RFC 9406's 16 ms
#      threshold and python's jitter.  Native (sanity): its ssthresh is
#      set, without a retransmission, by round 4 (HyStart's delay exit
#      sets ssthresh to cwnd).  xtcp, RFC 9406 s.4.3: slow start
#      doubles until N_RTT_SAMPLE (8) samples of a round show the rise,
#      then Conservative Slow Start: the first round that does not
#      double is round 3 or 4 (CSS began in the round before); the
#      next three grow by a quarter (CSS_GROWTH_DIVISOR 4, within one
#      segment) where slow start would double them; ssthresh stays -1
#      until CSS_ROUNDS (5) rounds, the one CSS began in counted, have
#      ended, and is set (= cwnd) from then on; nothing retransmitted.
# Time: about 3 minutes under TCG (one run: 120 s).

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, WriterCase, wire_args,  # noqa: E402
                     segment, M32, knob_both, knob_get, cwnd_ssthresh)
from slow import SLOW, slow  # noqa: E402
from scapy.layers.inet import TCP  # noqa: E402

FAMILIES = ("inet", "xtcp")
MSS = 1460
IW = 10			# segments: the initial window, RFC 6928
PATH_RTT = slow(1.0)	# s: the path's RTT, see above
HS_HOLD = 0.8		# s our handshake ACK waits (< the 1 s SYN-ACK RTO)
JITTER = slow(0.2)	# s: see "A run that ..." above
SETTLE = slow(0.05)	# s without a new capture before a round is taken
RAMP = slow(0.3)	# s: (c)'s RTT rise a round, above python's jitter
HS_WINDOW = 1200	# (c): our window field, << 7: 105 segments
ROUNDS = 8
LOSS_ROUND = 3		# (a), (b): the round whose first segment is lost
CUBIC_SLACK = 2		# segments: see (b)
CUBIC_SKEW = slow(0.3)	# s: see (b)
HYSTART_SYSFS = "/sys/module/tcp_cubic/parameters/hystart"


def hystart(args, on):
    """Native's HyStart (a tcp_cubic module parameter, not per
    namespace) and xtcp's HyStart++ (net.xtcp.tcp_cubic_hystart in X)
    on or off."""
    with open(HYSTART_SYSFS, "w") as f:
        f.write("1" if on else "0")
    subprocess.run(["ip", "netns", "exec", args.netns, "sysctl", "-qw",
                    f"net.xtcp.tcp_cubic_hystart={1 if on else 0}"],
                   check=True)


class Receiver(WriterCase):
    """Our end of one connection to a writer of @total bytes in X,
    answering in rounds (see above)."""

    def __init__(self, args, wire, fam, port, total, every, wscale=None,
                 window=65535):
        super().__init__(args, wire, fam, port, total, hold_ms=120000,
                         secs=int(slow(60)))
        self.every, self.wscale, self.window = every, wscale, window
        self.segs = {}		# start offset -> end, of what we took
        self.cum = 0		# bytes: our cumulative ACK
        self.hi = 0		# bytes: the highest end X sent
        self.i = 0		# data segments seen before this round
        self.pending = 0	# in-order segments not yet ACKed
        self.rounds = []

    def open(self):
        """Our handshake, its ACK HS_HOLD s after the SYN-ACK: None, or
        why not (a SYN-ACK sent again before it: the test bed was
        late)."""
        opts = [("MSS", MSS)]
        if self.wscale is not None:
            opts += [("NOP", None), ("WScale", self.wscale)]
        sa, why = self.syn(opts)
        if sa is None:
            return why
        self.ack_synack(sa, HS_HOLD)
        # A second SYN-ACK: X's 1 s timer fired before our ACK came, and
        # X starts from a window of one (RFC 5681 s.3.1).
        synacks = self.c.sent(self.m,
                              lambda p: int(p[TCP].flags) & 0x12 == 0x12)
        if len(synacks) > 1:
            return "SYN-ACK sent again before our ACK"
        return None

    def take(self, s, e):
        """Segment [@s, @e) arrived: the ACK it calls for at once, or
        None (an in-order one waits for the EVERY'th)."""
        if s + (e - s) <= self.cum:
            return self.cum		# a duplicate: ACK at once
        hole = any(k > self.cum for k in self.segs)
        self.segs[s] = max(e, self.segs.get(s, e))
        if s > self.cum:
            self.pending = 0
            return self.cum		# above a hole: duplicate ACK
        while self.cum in self.segs:
            self.cum = self.segs[self.cum]
        if hole:
            self.pending = 0
            return self.cum		# it filled a hole
        self.pending += 1
        if self.pending >= self.every:
            self.pending = 0
            return self.cum
        return None

    def ack_segment(self, a):
        p = segment(self.wire, self.c.sport, self.c.dport, "A",
                    self.c.snd_nxt, (self.base + a) % M32,
                    window=self.window)
        return bytes(self.wire.eth / p)

    def settle(self):
        """Wait until the sniffer took nothing new for SETTLE s: what X
        sent so far is all in data()."""
        m = self.wire.mark()
        while True:
            time.sleep(SETTLE)
            if self.wire.mark() == m:
                return
            m = self.wire.mark()

    def round(self, lose_first=False, extra=0.0):
        """One round: wait for its first segment, hold our ACKs until
        PATH_RTT + @extra s after it, answer.  Appends the round's
        record; False if no segment came within 3 PATH_RTT + 2 s."""
        deadline = time.monotonic() + 3 * PATH_RTT + slow(2.0)
        while len(self.data()) <= self.i:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        first = self.data()[self.i]
        due = float(first.time) + PATH_RTT + extra
        # X sent the round within milliseconds of our last ACK, and
        # nothing reaches X until our next one: its cwnd and ssthresh
        # are the round's from now on (reading them takes a process).
        self.settle()
        cs = cwnd_ssthresh(self.args.netns, self.fam, self.port)
        left = due - time.time()
        if left > 0:
            time.sleep(left)
        # What the sniffer has not dissected yet belongs to this round.
        self.settle()
        segs = self.data()[self.i:]
        self.i += len(segs)
        rtx = 0
        late = None
        for k, p in enumerate(segs):
            s, e = self.off(p)
            if s < self.hi:
                rtx += 1
            self.hi = max(self.hi, e)
            if k == 0 and lose_first:
                continue
            a = self.take(s, e)
            if a is not None:
                if late is None:
                    late = time.time() - due
                self.wire.sock.send(self.ack_segment(a))
        if self.pending:
            self.pending = 0
            self.wire.sock.send(self.ack_segment(self.cum))
        self.rounds.append({"n": len(segs), "rtx": rtx,
                            "cwnd": cs[0] if cs else None,
                            "ssthresh": cs[1] if cs else None,
                            "late": round(late or 0.0, 3)})
        return True


def run(args, wire, fam, port, every, lose, ramp=False, wscale=None,
        window=65535, total=300):
    """One case on @fam: ROUNDS rounds, the first segment of round
    @lose (1-based; 0: none) lost, with @ramp each round from the second
    on RAMP s later than the one before.  A dict: "rounds" (their
    records), or "why"."""
    rx = Receiver(args, wire, fam, port, total * MSS, every, wscale, window)
    r = {}
    try:
        why = rx.open()
        if why:
            r["why"] = why
            return r
        for k in range(1, ROUNDS + 1):
            extra = RAMP * (k - 1) if ramp else 0.0
            if not rx.round(lose_first=(k == lose), extra=extra):
                r["why"] = f"round {k}: no segment"
                break
        r["rounds"] = rx.rounds
        late = [x["late"] for x in rx.rounds]
        stray = [k + 1 for k, x in enumerate(rx.rounds)
                 if x["rtx"] > (1 if k == lose else 0)]
        if stray and late and max(late) - min(late) > JITTER:
            r["late"] = (f"rounds {stray} retransmitted, and our ACKs left "
                         f"{min(late)} to {max(late)} s after their time")
        return r
    except Exception as e:	# report, go on with the next case
        r["why"] = f"exception {e!r}"
        return r
    finally:
        print(f"# {fam}: {r}", flush=True)
        rx.close()


def col(r, key):
    return [x[key] for x in r.get("rounds", [])]


def main():
    args = wire_args(argparse.ArgumentParser(), "--netns", "--peer"
                     ).parse_args()
    # Hand the GIL over soon, as sack_recovery_test.py does.
    sys.setswitchinterval(0.0002)
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac,
                bpf=f"tcp and src host {args.dst} and dst host {args.src}")
    # (Native's tcp_no_metrics_save is 1 in X: lib/netns.sh.)
    for k, v in (("tcp_sack", 0), ("tcp_timestamps", 0),
                 ("tcp_reordering", 3)):
        knob_both(args.netns, k, v)
    tap = Tap(4 + 4 + 3)
    port = 7950
    cc = knob_get(args.netns, "ipv4", "tcp_congestion_control")
    with open(HYSTART_SYSFS) as f:
        hs = f.read().strip()

    def flush():
        subprocess.run(["ip", "netns", "exec", args.netns, "ip",
                        "tcp_metrics", "flush", "all"], capture_output=True)

    def pair(**kw):
        nonlocal port
        out = []
        for fam in FAMILIES:
            port += 1
            flush()
            made = wire.conns_made()
            out.append(run(args, wire, fam, port, **kw))
            wire.reset_conns(made)
        return out

    def checks(n, x, items):
        """TAP results of (ok, name) @items, or skips when a run was
        late or native's did not end."""
        why = None
        for r, who in ((n, "native"), (x, "xtcp")):
            if r.get("late"):
                why = f"the test bed was late ({who}): {r['late']}"
        if "why" in n and SLOW > 1:
            why = f"XTCP_SLOW {SLOW}: native's run stopped: {n['why']}"
        for ok, name in items:
            if why:
                tap.result(None, name, why)
            else:
                tap.result(ok, name, f"native {n}, xtcp {x}")

    try:
        # (a) Reno
        knob_both(args.netns, "tcp_congestion_control", "reno")
        n, x = pair(every=2, lose=LOSS_ROUND)
        nn, xn = col(n, "n"), col(x, "n")
        ns, xs = col(n, "ssthresh"), col(x, "ssthresh")
        full = len(nn) == ROUNDS and len(xn) == ROUNDS
        lin = full and all(nn[k] == nn[k - 1] + 1 for k in range(5, 8))
        checks(n, x, [
            (full and nn[:3] == [IW, 2 * IW, 4 * IW] and ns[3] == 2 * IW
             and lin,
             "reno: native sends 10, 20, 40 segments in the first three "
             "rounds, has ssthresh 20 after the loss in the third, and "
             "one segment more a round in rounds 6-8 (sanity)"),
            (full and xn[:3] == nn[:3],
             "reno: xtcp's initial window is 10 and it doubles per round "
             "in slow start, as native"),
            (full and xs[3:] == ns[3:] and col(x, "rtx") == col(n, "rtx"),
             "reno: xtcp halves on the fast retransmit (ssthresh as "
             "native's) and retransmits what native does"),
            (full and xn == nn,
             "reno: xtcp's every round, recovery and congestion avoidance, "
             "as native's (linear growth)"),
        ])

        # (b) CUBIC without HyStart
        knob_both(args.netns, "tcp_congestion_control", "cubic")
        hystart(args, False)
        n, x = pair(every=2, lose=LOSS_ROUND)
        nn, xn = col(n, "n"), col(x, "n")
        ns, xs = col(n, "ssthresh"), col(x, "ssthresh")
        full = len(nn) == ROUNDS and len(xn) == ROUNDS
        beta = 40 * 717 // 1024
        checks(n, x, [
            (full and nn[:3] == [IW, 2 * IW, 4 * IW] and ns[3] == beta and
             nn[7] > nn[4],
             f"cubic: native sends 10, 20, 40 segments in the first three "
             f"rounds, has ssthresh {beta} after the loss and grows after "
             f"the recovery (sanity)"),
            (full and xn[:4] == nn[:4],
             "cubic: xtcp's rounds through the recovery as native's"),
            (full and xs[3] == ns[3],
             f"cubic: xtcp reduces to 0.7 on the fast retransmit "
             f"(ssthresh {beta}, as native)"),
        ])
        # CUBIC's window is a function of time: the runs compare only
        # when our ACKs came about as late in both (one run with three
        # VMs on the host read 1.3-3.7 s of lateness, native's
        # differing from xtcp's by 1.7 s, and xtcp's rounds were 13
        # segments larger).
        nl, xl = col(n, "late"), col(x, "late")
        skew = max((abs(a - b) for a, b in zip(nl[3:], xl[3:])),
                   default=0.0)
        name = (f"cubic: xtcp's rounds 5-8 within {CUBIC_SLACK} segments "
                f"of native's")
        if skew > CUBIC_SKEW:
            tap.result(None, name, f"the runs' timing differed: our ACKs' "
                       f"lateness native {nl}, xtcp {xl} (> {CUBIC_SKEW} s "
                       f"apart)")
        else:
            checks(n, x, [
                (full and all(abs(a - b) <= CUBIC_SLACK
                              for a, b in zip(xn[4:], nn[4:])), name),
            ])

        # (c) HyStart (native) and HyStart++ (xtcp)
        hystart(args, True)
        n, x = pair(every=1, lose=0, ramp=True, wscale=7,
                    window=HS_WINDOW, total=600)
        nn, xn = col(n, "n"), col(x, "n")
        ns, xs = col(n, "ssthresh"), col(x, "ssthresh")
        full = len(nn) == ROUNDS and len(xn) == ROUNDS
        # The RTT X sees in round k is about PATH_RTT + RAMP (k - 1) plus
        # how late our ACKs left: a round later by less than half of RAMP
        # than the one before is no clear rise (one run with three VMs on
        # the host read lateness 0.72 s then 0.44 s, and xtcp went back
        # to slow start, as RFC 9406 wants for a falling RTT).
        xl = col(x, "late")
        flat = [k + 1 for k in range(1, len(xl))
                if RAMP + xl[k] - xl[k - 1] < RAMP / 2]
        if flat:
            x["late"] = (f"rounds {flat}: the RTT rise was less than "
                         f"{RAMP / 2} s (our ACKs' lateness {xl})")
        # c: the first round that did not double, 0-based (the round
        # CSS began in is c - 1); CSS ends with round c + 3, so the read
        # of round c + 4 is the first with ssthresh set.
        c = next((k for k in range(1, len(xn))
                  if xn[k] < 2 * xn[k - 1] - 1), None) if full else None
        css = c is not None and 2 <= c <= 3

        def quarter(a, b):
            return abs(b - (a + a // 4)) <= 1
        # Native's sanity covers the rounds up to its exit: one run
        # (2026-12-05, make check, nothing else on the host) had native
        # retransmit one segment in round 8, at 113 segments of cwnd
        # behind ACKs 0.1 s late, long after HyStart had set ssthresh
        # in round 3.
        checks(n, x, [
            (full and sum(col(n, "rtx")[:4]) == 0 and ns[3] != -1,
             "hystart: native leaves slow start on the RTT rise without a "
             "loss: ssthresh set by round 4, nothing retransmitted by "
             "then (sanity)"),
            (full and css and sum(col(x, "rtx")) == 0 and
             all(v == -1 for v in xs[:c + 4]) and
             all(v != -1 for v in xs[c + 4:]),
             "hystart++: xtcp stops doubling by round 4 (CSS) and sets "
             "ssthresh after five CSS rounds, the one CSS began in "
             "counted, not before, nothing retransmitted"),
            (full and css and
             all(quarter(xn[k - 1], xn[k]) for k in (c + 1, c + 2, c + 3)),
             "hystart++: in Conservative Slow Start xtcp's rounds grow by "
             "a quarter (within one segment)"),
        ])
    finally:
        if cc:
            knob_both(args.netns, "tcp_congestion_control", cc)
        with open(HYSTART_SYSFS, "w") as f:
            f.write(hs)
        wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
