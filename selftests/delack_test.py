#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# delack_test: when the receiver ACKs (RFC 1122 s.4.2.3.2, RFC 5681
# s.4.2, Linux 6.1's delayed-ACK policy), run by selftests/delack.sh (one
# python process: importing scapy takes seconds under TCG).  scapy is the
# sender, speaking as an address its own namespace does not own (see
# wire.sh); the receiver is a selftests/delack_peer process in namespace
# X, started per case, which reads only when told to (python cannot open
# AF_XTCP sockets).  Every case runs for each --family given, native TCP
# (the reference) first, with the same assertions, and prints one TAP
# result per check.
#
# Which ACKs the delayed-ACK timer sent is read from the kernel, not
# guessed from timing: native's TcpExt DelayedACKs (/proc/net/netstat of
# X, counted when the timer sends an ACK) and xtcp's "delack" timer row
# of /proc/net/xtcp_timers (handler runs that were not stale).  Under
# TCG with other VMs on the host, measured: immediate ACKs up to 21 ms
# late and native's 40 ms timer firing after 27 ms, so timing alone
# cannot tell them apart.  Timing is still asserted where it is the
# protocol's: every ACK within DELAYED_MAX = TCP_DELACK_MAX (200 ms) +
# 60 ms of TCG tolerance, and an ACK the timer did not send within
# IMMEDIATE = TCP_DELACK_MIN (40 ms) + 60 ms.  Both our segments and X's
# ACKs are timestamped by the same sniffer on P's veth.  These protocol
# timings are not scaled by XTCP_SLOW; waits that only bound the machine
# are.
#
# The handshake's last ACK (case_connect_*): X connects to us and we
# answer its SYN.  Linux 6.1 (tcp_rcv_synsent_state_process()) holds the
# ACK of our SYN-ACK for the first data when a writer is blocked waiting
# for the connection, the socket is interactive (TCP_QUICKACK 0 before
# connect()) or has TCP_DEFER_ACCEPT: the delayed-ACK timer, set to TCP_DELACK_MAX, sends it if
# no data does; otherwise it goes at once.  The timer's ACK is asserted
# within DELACK_MAX - TCG_SLACK .. DELAYED_MAX of our SYN-ACK, 200 ms +-
# 60 ms (TCG's timer and capture jitter), and counted by the kernel.
#
# SACK compression (case_sack_compression): with SACK negotiated, a
# burst of segments beyond a hole, held by netem's slot on our side so
# that X takes them in one softirq run; X's ACKs (ACK number and SACK
# blocks) and its TCPAckCompressed delta must equal native's.

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, LinePeer, flags,  # noqa: E402
                     ManualConn as Conn, describe, seq_add, run_families,
                     wire_args, opt_area, walk, REPLY_WAIT, START_WAIT)
from slow import slow  # noqa: E402
from scapy.layers.inet import TCP  # noqa: E402

IMMEDIATE = 0.100
DELAYED_MAX = 0.260
# Linux's TCP_MAX_QUICKACKS is 16: more small segments than that leave
# quick-ACK mode whatever the window.
MAX_SMALL = 40
SMALL = 100
MSS = 1460
# Full segments that end the growth of the window (from 64240 to 65535
# at most without window scaling).
WARM_FULL = 4
HS_DELAY = 0.8


class Peer(LinePeer):
    """One delack_peer in namespace X, commands on its standard input:
    listening on --dst:@port, or with @connect a socket that connects to
    us (--src:@port) when told to."""

    def __init__(self, args, fam, port, connect=False):
        where = (["-c", f"{args.src}:{port}"] if connect else
                 ["-l", f"{args.dst}:{port}"])
        super().__init__(args.netns, args.peer, fam, "-t", "20", *where,
                         stdin=True)

    def nth(self, regex, n, timeout=REPLY_WAIT):
        """Whether @n lines matching @regex (at their start) were printed
        within @timeout s."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if sum(1 for ln in self.lines if re.match(regex, ln)) >= n:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)


def timer_acks(peer, fam):
    """ACKs X's delayed-ACK timer sent so far (family @fam), read in X's
    namespace through the peer process; None if unreadable."""
    try:
        if fam == "inet":
            with open(f"/proc/{peer.proc.pid}/net/netstat") as f:
                rows = [ln.split() for ln in f if ln.startswith("TcpExt:")]
            return int(rows[1][rows[0].index("DelayedACKs")])
        with open(f"/proc/{peer.proc.pid}/net/xtcp_timers") as f:
            for ln in f:
                v = ln.split()
                if v[0] == "delack" and len(v) == 8:
                    # fired - stale: runs that sent the ACK
                    return int(v[4]) - int(v[6])
    except (OSError, ValueError, IndexError):
        pass
    return None


def by_timer(peer, fam, before):
    """Whether the timer sent an ACK since count @before (None: cannot
    tell).  The timer counts right after sending: a moment's grace."""
    time.sleep(0.02)
    now = timer_acks(peer, fam)
    return None if now is None or before is None else now > before


def connect(args, wire, fam, port, sack=False):
    """A delack_peer on @port and our connection to it (SACK-permitted
    offered if @sack): (peer, conn, None) or (peer, None, why not)."""
    peer = Peer(args, fam, port)
    if peer.listening() is None:
        return peer, None, f"peer: {peer.text()}"
    c = Conn(wire, 40000 + port, port)
    # The third ACK HS_DELAY after the SYN-ACK: the receiver's RTT, so
    # its RTO, comes from that (about 3 * HS_DELAY), and our pauses under
    # TCG (measured up to 460 ms) stay below it; a gap longer than the
    # RTO would put it back in quick-ACK mode (tcp_event_data_recv()).
    m = c.send("S", ack=0, opts=[("MSS", MSS)] +
               ([("SAckOK", b"")] if sack else []))
    sa = c.wait_synack(m)
    why = None if sa is not None else "no SYN-ACK"
    if sa is not None:
        c.established(sa)
        time.sleep(HS_DELAY)
        c.send("A")
    if why is None and peer.line(r"accepted") is None:
        why = f"peer did not accept: {peer.text()}"
    return peer, (None if why else c), why


def sent_at(c, since, seq):
    """Sniffer time of our segment at @seq sent after mark @since."""
    p = c.wire.wait(since, lambda p: p[TCP].sport == c.sport and
                    p[TCP].dport == c.dport and p[TCP].seq == seq,
                    REPLY_WAIT)
    return float(p.time) if p is not None else None


def send_data(c, n, fl="PA", seq=None):
    """@n bytes at @seq (default SND.NXT); SND.NXT advances when @seq is
    None.  Returns (mark, sniffer time of the segment)."""
    s = c.snd_nxt if seq is None else seq
    m = c.send(fl, seq=s, data=b"d" * n)
    if seq is None:
        c.snd_nxt = seq_add(c.snd_nxt, n)
    return m, sent_at(c, m, s)


def ack_after(c, since, ack, timeout=REPLY_WAIT):
    """X's first pure ACK after mark @since, whatever it acknowledges, if
    @ack is None; else the first one acknowledging @ack."""
    return c.wait(since, lambda p: flags(p) & 0x10 and
                  not flags(p) & 0x07 and not len(p[TCP].payload) and
                  (ack is None or p[TCP].ack == ack), timeout)


def trace(c, since):
    """The segments of @c both ways after mark @since, for a failure's
    message: ms from the first, ">" ours or "<" X's, length, ACK."""
    with c.wire.cond:
        pkts = c.wire.pkts[since:]
    out, t0 = [], None
    for p in pkts:
        if p[TCP].sport not in (c.sport, c.dport):
            continue
        t0 = float(p.time) if t0 is None else t0
        way = ">" if p[TCP].sport == c.sport else "<"
        out.append(f"{(float(p.time) - t0) * 1000:.1f}{way}"
                   f"{len(p[TCP].payload)}a{p[TCP].ack % 100000}")
    return " ".join(out)


def leave_quickack(c, peer, fam):
    """Small segments, each waited for its ACK, until the delayed-ACK
    timer sent one (the receiver left quick-ACK mode).  Returns (number
    of ACKs sent at once before it, its delay in s) or (None, why not)."""
    quick = 0
    for _ in range(MAX_SMALL):
        n = timer_acks(peer, fam)
        if n is None:
            return None, "no delayed-ACK counter"
        m, t0 = send_data(c, SMALL)
        a = ack_after(c, m, c.snd_nxt)
        if a is None or t0 is None:
            return None, f"segment {quick + 1} not ACKed: {describe(a)}"
        if by_timer(peer, fam, n):
            return quick, float(a.time) - t0
        quick += 1
    return None, f"{MAX_SMALL} small segments all ACKed at once"


def connect_quiet(args, wire, fam, port, sack=False):
    """connect(), then leave_quickack(): (peer, conn, None) with the
    receiver out of quick-ACK mode, or (peer, None, why not)."""
    peer, c, why = connect(args, wire, fam, port, sack)
    if c is None:
        return peer, None, why
    quick, why = leave_quickack(c, peer, fam)
    if quick is None:
        return peer, None, why
    return peer, c, None


def case_lone_segment(args, wire, fam, port):
    # After quick-ACK mode (connection start), a lone small segment the
    # receiver does not read is ACKed by the delayed-ACK timer.
    peer, c, why = connect(args, wire, fam, port)
    try:
        if c is None:
            yield False, why
            yield False, why
            return
        quick, d = leave_quickack(c, peer, fam)
        if quick is None:
            yield False, d
            yield False, d
            return
        yield (d <= DELAYED_MAX,
               f"delayed ACK after {d * 1000:.0f} ms, wanted at most "
               f"{DELAYED_MAX * 1000:.0f} ms")
        # Native is the oracle for how many ACKs quick-ACK mode gives.
        key = "quickacks"
        if fam == args.family[0]:
            args.oracle[key] = quick
            yield True, ""
        else:
            want = args.oracle.get(key)
            yield (want is not None and abs(quick - want) <= 1,
                   f"{quick} immediate ACKs first, {args.family[0]}: {want} "
                   "(+-1: an immediate ACK late under TCG)")
        c.abort()
    finally:
        peer.stop()


def case_two_full_segments(args, wire, fam, port):
    # A reading receiver out of quick-ACK mode: two full-sized segments
    # back to back (no PSH) get one ACK covering both, at once.
    peer, c, why = connect(args, wire, fam, port)
    try:
        if c is None:
            for _ in range(2):
                yield False, why
            return
        peer.tell(f"readn {MAX_SMALL * SMALL + (WARM_FULL + 4) * MSS}")
        # More small segments than quick-ACK mode lasts; the reader
        # ACKs them as it empties the queue (tcp_cleanup_rbuf()).
        for i in range(20):
            m, _ = send_data(c, SMALL)
            if ack_after(c, m, c.snd_nxt) is None:
                for _ in range(2):
                    yield False, f"small segment {i} not ACKed"
                return
        # Full segments one at a time until the receive window stopped
        # growing: while it grows, Linux ACKs each at once to announce
        # it (tcp_grow_window() sets icsk_ack.quick).
        m0 = wire.mark()
        for i in range(WARM_FULL):
            m, _ = send_data(c, MSS, fl="A")
            if ack_after(c, m, c.snd_nxt) is None:
                for _ in range(2):
                    yield False, f"full segment {i} not ACKed"
                return
        n = timer_acks(peer, fam)
        m = wire.mark()
        first = c.snd_nxt
        send_data(c, MSS, fl="A")
        _, t1 = send_data(c, MSS, fl="A")
        # The first ACK of new data (the reader may still send window
        # updates for what came before).
        a = c.wait(m, lambda p: flags(p) & 0x10 and not flags(p) & 0x07 and
                   p[TCP].ack != first)
        yield (a is not None and a[TCP].ack == c.snd_nxt,
               f"first ACK {describe(a)}, wanted ack={c.snd_nxt} "
               f"(not {seq_add(first, MSS)}); {trace(c, m0)}")
        d = float(a.time) - t1 if a is not None and t1 is not None else None
        t = by_timer(peer, fam, n)
        yield (d is not None and d < IMMEDIATE and t is False,
               f"ACK {d * 1000:.0f} ms after the second, by the timer: {t}; "
               f"wanted < {IMMEDIATE * 1000:.0f} ms, not by the timer"
               if d is not None else "no ACK")
        c.abort()
    finally:
        peer.stop()


def case_out_of_order(args, wire, fam, port):
    # Out of quick-ACK mode, not reading: a segment beyond a hole gets an
    # immediate duplicate ACK, the segment filling the hole an immediate
    # ACK of everything (RFC 5681 s.4.2).
    peer, c, why = connect_quiet(args, wire, fam, port)
    try:
        if c is None:
            for _ in range(4):
                yield False, why
            return
        hole = c.snd_nxt
        n = timer_acks(peer, fam)
        m, t0 = send_data(c, SMALL, seq=seq_add(hole, SMALL))
        a = ack_after(c, m, None)
        yield (a is not None and a[TCP].ack == hole,
               f"after the segment beyond the hole: {describe(a)}, "
               f"wanted a duplicate ACK ack={hole}")
        dd = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        yield (dd is not None and dd < IMMEDIATE and t is False,
               f"duplicate ACK after {dd * 1000:.0f} ms, by the timer: {t}"
               if dd is not None else "no duplicate ACK")
        n = timer_acks(peer, fam)
        m, t0 = send_data(c, SMALL, seq=hole)
        c.snd_nxt = seq_add(hole, 2 * SMALL)
        a = ack_after(c, m, None)
        yield (a is not None and a[TCP].ack == c.snd_nxt,
               f"after the hole was filled: {describe(a)}, wanted "
               f"ack={c.snd_nxt}")
        dd = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        yield (dd is not None and dd < IMMEDIATE and t is False,
               f"ACK after {dd * 1000:.0f} ms, by the timer: {t}; wanted < "
               f"{IMMEDIATE * 1000:.0f} ms, not by the timer"
               if dd is not None else "no ACK")
        c.abort()
    finally:
        peer.stop()


def case_quickack(args, wire, fam, port):
    # TCP_QUICKACK 0 makes the receiver interactive (pingpong): a read
    # segment waits for the delayed-ACK timer; TCP_QUICKACK 1 after the
    # read sends the ACK at once.  getsockopt() reads !pingpong.
    peer, c, why = connect(args, wire, fam, port)
    try:
        if c is None:
            for _ in range(4):
                yield False, why
            return
        peer.tell("quickack 0")
        peer.tell("getquickack")
        q = peer.line(r"getquickack val=(-?\d+)")
        yield (q is not None and q.group(1) == "0",
               f"getsockopt(TCP_QUICKACK) after setting 0: {peer.text()}")

        peer.tell(f"readn {SMALL}")
        n = timer_acks(peer, fam)
        m, t0 = send_data(c, SMALL)
        a = ack_after(c, m, c.snd_nxt)
        r = peer.line(rf"readn {SMALL} got={SMALL}")
        d = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        yield (d is not None and r is not None and d <= DELAYED_MAX and
               t is True,
               f"interactive, read: ACK after {d * 1000:.0f} ms, by the "
               f"timer: {t}; wanted by the timer within "
               f"{DELAYED_MAX * 1000:.0f} ms"
               if d is not None else f"no ACK; peer: {peer.text()}")

        # Interactive again (the delayed ACK ended it) before the data.
        peer.tell("quickack 0")
        if not peer.nth(r"quickack 0 ret=0", 2):
            yield False, f"second TCP_QUICKACK 0: {peer.text()}"
            yield False, "not run"
            return
        peer.tell(f"readq {SMALL}")
        n = timer_acks(peer, fam)
        m, t0 = send_data(c, SMALL)
        a = ack_after(c, m, c.snd_nxt)
        r = peer.line(rf"readq {SMALL} got={SMALL} at=([\d.]+)")
        d = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        why = (f"TCP_QUICKACK 1 after the read: ACK after "
               f"{d * 1000:.0f} ms, by the timer: {t}; wanted < "
               f"{IMMEDIATE * 1000:.0f} ms, not by the timer"
               if d is not None else f"no ACK; peer: {peer.text()}")
        # The reader must wake and set TCP_QUICKACK before the delayed-ACK
        # timer (ato, 40 ms here for both stacks: tcp_send_delayed_ack()
        # bounds it by srtt); under load it sometimes does not.  An ACK
        # that left before the setsockopt() says nothing of it.
        late = (r is not None and a is not None and
                float(a.time) < float(r.group(1)))
        if late:
            yield (None, f"{why}: the reader set TCP_QUICKACK "
                   f"{(float(r.group(1)) - t0) * 1000:.0f} ms after the "
                   "data, after the timer's ACK")
        else:
            yield (d is not None and r is not None and d < IMMEDIATE and
                   t is False, why)
        peer.tell("getquickack")
        peer.nth(r"getquickack", 2)
        vals = [ln for ln in peer.text().split(" | ")
                if ln.startswith("getquickack")]
        yield (len(vals) == 2 and vals[1].startswith("getquickack val=1"),
               f"getsockopt(TCP_QUICKACK) after setting 1: {vals}")
        c.abort()
    finally:
        peer.stop()


def case_duplicate_and_fin(args, wire, fam, port):
    # Out of quick-ACK mode, not reading: a duplicate of data already
    # received is ACKed at once (the peer may have lost our ACK, RFC 5681
    # s.4.2); then the peer's FIN, whose ACK Linux may delay in
    # CLOSE_WAIT (tcp_fin() makes the connection interactive): native is
    # the oracle for whether it comes at once or on the timer.
    peer, c, why = connect_quiet(args, wire, fam, port)
    try:
        if c is None:
            for _ in range(3):
                yield False, why
            return
        n = timer_acks(peer, fam)
        m, t0 = send_data(c, SMALL, seq=seq_add(c.snd_nxt, -SMALL))
        a = ack_after(c, m, None)
        dd = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        yield (dd is not None and a[TCP].ack == c.snd_nxt and
               dd < IMMEDIATE and t is False,
               f"duplicate: {describe(a)} after {dd * 1000:.0f} ms, by the "
               f"timer: {t}; wanted ack={c.snd_nxt} within "
               f"{IMMEDIATE * 1000:.0f} ms, not by the timer"
               if dd is not None else "no ACK")
        n = timer_acks(peer, fam)
        m = c.send("FA")
        t0 = sent_at(c, m, c.snd_nxt)
        c.snd_nxt = seq_add(c.snd_nxt, 1)
        a = ack_after(c, m, c.snd_nxt)
        dd = float(a.time) - t0 if a is not None and t0 is not None else None
        yield (dd is not None and dd <= DELAYED_MAX,
               f"FIN ACKed after {dd * 1000:.0f} ms" if dd is not None
               else "FIN not ACKed")
        t = by_timer(peer, fam, n)
        cls = None if dd is None or t is None else ("delayed" if t
                                                    else "immediate")
        key = "fin"
        if fam == args.family[0]:
            args.oracle[key] = cls
            yield cls in ("immediate", "delayed"), \
                f"{args.family[0]}: FIN ACK {cls} ({dd} s)"
        else:
            want = args.oracle.get(key)
            yield (cls == want, f"FIN ACK {cls}, {args.family[0]}: {want}")
        c.abort()
    finally:
        peer.stop()


def case_quickacks_after_duplicate(args, wire, fam, port):
    # Out of quick-ACK mode, not reading: a duplicate of data at RCV.WUP
    # (tcp_data_queue()'s retransmission case) puts the receiver back in
    # quick-ACK mode (tcp_enter_quickack_mode(): up to 16 ACKs) and
    # schedules its ACK, so that ACK uses one of them up
    # (tcp_dec_quickack_mode() counts ACKs sent while one is scheduled).
    # How many small segments are then ACKed at once: native is the
    # oracle.
    peer, c, why = connect(args, wire, fam, port)
    try:
        if c is None:
            yield False, why
            return
        quick, d = leave_quickack(c, peer, fam)
        if quick is None:
            yield False, d
            return
        m, _ = send_data(c, SMALL, seq=seq_add(c.snd_nxt, -SMALL))
        if ack_after(c, m, c.snd_nxt) is None:
            yield False, "the duplicate was not ACKed"
            return
        quick, d = leave_quickack(c, peer, fam)
        key = "quick_after_dup"
        if fam == args.family[0]:
            args.oracle[key] = quick
            yield (quick is not None and quick > 0,
                   f"{fam}: {quick} ACKs at once after the duplicate "
                   f"({d})")
        else:
            want = args.oracle.get(key)
            yield (want is not None and quick == want,
                   f"{quick} ACKs at once after the duplicate ({d}), "
                   f"{args.family[0]}: {want}")
        c.abort()
    finally:
        peer.stop()


# ---- SACK compression (tcp_comp_sack_*, TCPAckCompressed) ----

BURST = 10		# segments beyond the hole
# netem's slot on our interface holds what we send until SLOT after the
# first segment, then lets it all go in one dequeue run.
SLOT = 0.8
# The burst's segments as our sniffer saw them leave netem: further apart
# than this and they were not released together.
BURST_SPREAD = 0.1


def comp_acks(peer, fam):
    """TcpExt TCPAckCompressed of X's namespace for family @fam (native's
    /proc/net/netstat, xtcp's /proc/net/xtcp_netstat), read through the
    peer process; None if unreadable."""
    name = "netstat" if fam == "inet" else "xtcp_netstat"
    try:
        with open(f"/proc/{peer.proc.pid}/net/{name}") as f:
            rows = [ln.split() for ln in f if ln.startswith("TcpExt:")]
        return int(rows[1][rows[0].index("TCPAckCompressed")])
    except (OSError, ValueError, IndexError):
        return None


def sack_blocks(p, base):
    """The SACK blocks of @p as (start, end) pairs relative to @base, in
    the order sent; () without a SACK option."""
    o = opt_area(p)
    for k, i, n in walk(o):
        if k != 5:
            continue
        return tuple(((int.from_bytes(o[j:j + 4], "big") - base) % (1 << 32),
                      (int.from_bytes(o[j + 4:j + 8], "big") - base) %
                      (1 << 32)) for j in range(i + 2, i + n, 8))
    return ()


def netem_slot(args, on):
    """netem's slot on our interface (in P, where this runs) on or off."""
    cmd = (["tc", "qdisc", "replace", "dev", args.iface, "root", "netem",
            "slot", f"{int(SLOT * 1000)}ms", f"{int(SLOT * 1000)}ms"]
           if on else ["tc", "qdisc", "del", "dev", args.iface, "root"])
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode == 0 or not on, r.stderr.strip()


def case_sack_compression(args, wire, fam, port):
    # SACK negotiated, out of quick-ACK mode, not reading: one hole, then
    # BURST small segments beyond it that reach X's TCP in one softirq
    # run (netem's slot on our side releases them together; GRO is off on
    # X's veth, so each is a segment of its own).  Linux 6.1
    # (__tcp_ack_snd_check()) sends the first three duplicate ACKs at
    # once, holds the next ones and sends one for them all when its
    # compressed-ACK hrtimer fires, which it cannot do before the softirq
    # run ends (the timer is a softirq one, pinned to that CPU): 4 ACKs,
    # the last with one block over the whole burst, TCPAckCompressed +6.
    # That order of events does not depend on the host's speed, only on
    # the burst arriving as one, which is checked from the capture (a
    # burst spread by the host is a SKIP, not a comparison), so the ACKs
    # (ACK number and SACK blocks of each) and the counter's delta must
    # equal native's exactly: no tolerance.  The hole filled then gets an
    # ACK of everything.
    peer, c, why = connect_quiet(args, wire, fam, port, sack=True)
    slot_on = False
    try:
        if c is None:
            for _ in range(3):
                yield False, why
            return
        hole = c.snd_nxt
        before = comp_acks(peer, fam)
        slot_on, err = netem_slot(args, True)
        if not slot_on:
            for _ in range(3):
                yield False, f"netem slot: {err}"
            return
        m0 = wire.mark()
        seqs = [seq_add(hole, SMALL * (i + 1)) for i in range(BURST)]
        for s in seqs:
            c.send("A", seq=s, data=b"c" * SMALL)
        last = c.wire.wait(m0, lambda p: p[TCP].sport == c.sport and
                           p[TCP].seq == seqs[-1],
                           SLOT + REPLY_WAIT)
        # The held ACK goes within tcp_comp_sack_delay_ns (1 ms) of the
        # burst; the rest is the machine's time.
        time.sleep(slow(1.0))
        netem_slot(args, False)
        slot_on = False
        after = comp_acks(peer, fam)
        with c.wire.cond:
            pkts = c.wire.pkts[m0:]
        ours = [float(p.time) for p in pkts
                if p[TCP].sport == c.sport and len(p[TCP].payload)]
        acks = [(p[TCP].ack - hole) % (1 << 32) for p in pkts
                if c.mine(p) and flags(p) & 0x10 and
                not len(p[TCP].payload)]
        blocks = [sack_blocks(p, hole) for p in pkts
                  if c.mine(p) and flags(p) & 0x10 and
                  not len(p[TCP].payload)]
        seen = list(zip(acks, blocks))
        delta = (None if before is None or after is None
                 else after - before)
        spread = max(ours) - min(ours) if len(ours) == BURST else None
        print(f"# {fam}: burst spread {spread} s, ACKs (ack - hole, SACK "
              f"blocks) {seen}, TCPAckCompressed +{delta}", flush=True)
        # Hole filled: everything ACKed.
        m = c.send("A", seq=hole, data=b"c" * SMALL)
        c.snd_nxt = seq_add(hole, SMALL * (BURST + 1))
        a = ack_after(c, m, c.snd_nxt)
        key = "sack_compression"
        if last is None or spread is None or spread > BURST_SPREAD:
            why = (f"the burst was not released as one ({len(ours)} of "
                   f"{BURST} segments seen, spread {spread} s): "
                   "nothing to compare")
            yield None, why
            yield None, why
            args.oracle[key] = None
        elif fam == args.family[0]:
            args.oracle[key] = (seen, delta)
            full = (0, ((SMALL, SMALL * (BURST + 1)),))
            yield (len(seen) < BURST and seen[-1:] == [full],
                   f"{fam}: ACKs {seen}: wanted fewer than {BURST}, the "
                   f"last {full} (sanity: native compresses)")
            yield (delta is not None and delta > 0,
                   f"{fam}: TCPAckCompressed +{delta}, wanted > 0 "
                   "(sanity)")
        else:
            want = args.oracle.get(key)
            if want is None:
                why = f"{args.family[0]} had no result to compare with"
                yield None, why
                yield None, why
            else:
                yield (seen == want[0],
                       f"ACKs (ack - hole, SACK blocks) {seen}, "
                       f"{args.family[0]}: {want[0]}")
                yield (delta == want[1],
                       f"TCPAckCompressed +{delta}, {args.family[0]}: "
                       f"+{want[1]}")
        yield (a is not None,
               f"hole filled: {describe(a)}, wanted ack={c.snd_nxt}; "
               f"{trace(c, m0)}")
        c.abort()
    finally:
        if slot_on:
            netem_slot(args, False)
        peer.stop()


# ---- rcv_mss with timestamps (appended: issue 8 review finding 3) ----

TSV = 0x20000000	# our TSval base


def ts_opts(tsval, tsecr):
    return [("NOP", None), ("NOP", None), ("Timestamp", (tsval, tsecr))]


def case_ts_segment_size(args, wire, fam, port):
    # Timestamps on: the receiver learns the sender's segment size from
    # two equal segments shorter than its estimate, less a header of 32
    # bytes (tcp_measure_rcv_mss() subtracts tp->tcp_header_len).  After
    # two 1000-byte segments rcv_mss is 1000; a 1006-byte one then raises
    # it (len >= rcv_mss: not "pushed") and waits for the delayed-ACK
    # timer.  A receiver that subtracted 20 learns 1012, takes the
    # 1006-byte segment for a short one ("pushed") and ACKs it as the
    # reader empties the queue.  Who sent each ACK is read from the
    # kernel's counters (timer_acks()), not from timing.
    peer = Peer(args, fam, port)
    try:
        if peer.listening() is None:
            yield False, f"peer: {peer.text()}"
            return
        c = Conn(wire, 40000 + port, port)
        m = c.send("S", ack=0, opts=[("MSS", MSS)] + ts_opts(TSV, 0))
        sa = c.wait_synack(m)
        ecr = None
        for k, v in (sa[TCP].options if sa is not None else []):
            if k == "Timestamp":
                ecr = v[0]
        if ecr is None:
            yield False, f"no SYN-ACK with timestamps: {describe(sa)}"
            return
        c.established(sa)
        time.sleep(HS_DELAY)	# RTO above our pauses (see connect())
        tsv = [TSV + 1]

        def data(n, fl="A"):
            tsv[0] += 1
            s = c.snd_nxt
            m = c.send(fl, data=b"t" * n, opts=ts_opts(tsv[0], ecr))
            c.snd_nxt = seq_add(s, n)
            return m

        c.send("A", opts=ts_opts(tsv[0], ecr))
        if peer.line(r"accepted") is None:
            yield False, f"peer did not accept: {peer.text()}"
            return
        peer.tell("readn 1000000")
        # Out of quick-ACK mode (as case_two_full_segments()), then full
        # segments until the window stopped growing.
        for i in range(20):
            m = data(SMALL, "PA")
            if ack_after(c, m, c.snd_nxt) is None:
                yield False, f"small segment {i} not ACKed"
                return
        for i in range(WARM_FULL):
            m = data(MSS - 12)
            if ack_after(c, m, c.snd_nxt) is None:
                yield False, f"full segment {i} not ACKed"
                return
        m0 = wire.mark()
        seen = []
        for n in (1000, 1000, 1006):
            before = timer_acks(peer, fam)
            m = data(n)
            a = ack_after(c, m, c.snd_nxt, DELAYED_MAX + REPLY_WAIT)
            if a is None:
                seen.append("none")
                break
            seen.append("timer" if by_timer(peer, fam, before) else "at once")
        key = "ts_segment_size"
        if fam == args.family[0]:
            args.oracle[key] = seen
            yield (seen[-1:] == ["timer"],
                   f"ACKs of 1000, 1000, 1006 bytes: {seen}; wanted the "
                   f"last by the timer (sanity); {trace(c, m0)}")
        else:
            want = args.oracle.get(key)
            yield (seen == want,
                   f"ACKs of 1000, 1000, 1006 bytes: {seen}, "
                   f"{args.family[0]}: {want}; {trace(c, m0)}")
        c.abort()
    finally:
        peer.stop()


# ---- the handshake's last ACK (tcp_rcv_synsent_state_process()) ----

DELACK_MAX = 0.200	# TCP_DELACK_MAX
TCG_SLACK = 0.060	# either way, for a timer under TCG


def asleep(peer, timeout):
    """Whether @peer's process was seen asleep (state S) within @timeout
    s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(f"/proc/{peer.proc.pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "S":
                    return True
        except (OSError, IndexError):
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def answer_connect(args, wire, fam, port, cmds, ready=None):
    """A delack_peer in X connecting to us on @port, its commands @cmds
    given at once (they run in order); our SYN-ACK (MSS only) answers
    its SYN once @ready(peer), if given, returned None (else why not).
    Returns (peer, conn, mark before the SYN-ACK, its sniffer time, the
    delayed-ACK timer's count before it, None), or (peer, ..., why
    not)."""
    m0 = wire.mark()
    peer = Peer(args, fam, port, connect=True)
    none = (None, None, None, None)
    if peer.line(r"socket", START_WAIT) is None:
        return (peer,) + none + (f"peer: {peer.text()}",)
    for cmd in cmds:
        peer.tell(cmd)
    syn = wire.wait(m0, lambda p: flags(p) & 0x12 == 0x02 and
                    p[TCP].dport == port, REPLY_WAIT)
    if syn is None:
        return (peer,) + none + (f"no SYN; peer: {peer.text()}",)
    why = ready(peer) if ready else None
    if why:
        return (peer,) + none + (why,)
    c = Conn(wire, port, syn[TCP].sport)
    c.rcv_nxt = seq_add(syn[TCP].seq, 1)
    n = timer_acks(peer, fam)
    m = c.send("SA", seq=c.isn, opts=[("MSS", MSS)])
    c.snd_nxt = seq_add(c.isn, 1)
    t = sent_at(c, m, c.isn)
    if t is None:
        return (peer, c, None, None, None, "our SYN-ACK not seen")
    return peer, c, m, t, n, None


def after_synack(c, m):
    """X's first segment after our SYN-ACK (mark @m) that is an ACK
    without SYN, RST or FIN, waited for past the delayed-ACK timer."""
    return c.wait(m, lambda p: flags(p) & 0x10 and not flags(p) & 0x07,
                  DELAYED_MAX + REPLY_WAIT)


def seg_at(a, t_sa):
    """X's segment @a as "LEN bytes ack=A after D ms", D from our
    SYN-ACK at @t_sa."""
    if a is None:
        return "nothing"
    return (f"{len(a[TCP].payload)} bytes ack={a[TCP].ack} after "
            f"{(float(a.time) - t_sa) * 1000:.0f} ms")


def ack_at_once(c, peer, fam, m, t_sa, n):
    """(ok, why) for the handshake's last ACK going at once: a pure ACK
    of our SYN-ACK within IMMEDIATE, not by the delayed-ACK timer."""
    a = after_synack(c, m)
    t = by_timer(peer, fam, n)
    print(f"# {fam}: after our SYN-ACK {seg_at(a, t_sa)}, by the timer {t}",
          flush=True)
    ok = (a is not None and not len(a[TCP].payload) and
          a[TCP].ack == c.snd_nxt and float(a.time) - t_sa < IMMEDIATE and
          t is False)
    return ok, (f"after our SYN-ACK: {seg_at(a, t_sa)}, by the timer: "
                f"{t}; wanted a pure ACK ack={c.snd_nxt} within "
                f"{IMMEDIATE * 1000:.0f} ms, not by the timer")


def ack_with_data(c, peer, fam, m, t_sa, n, nbytes):
    """The two checks of a held handshake ACK that the first data
    carries: X's first segment after our SYN-ACK is that data (no pure
    ACK before it, so none within DELACK_MAX - TCG_SLACK either), and the
    write succeeded with the timer sending nothing."""
    a = after_synack(c, m)
    print(f"# {fam}: after our SYN-ACK {seg_at(a, t_sa)}", flush=True)
    yield (a is not None and len(a[TCP].payload) == nbytes and
           a[TCP].ack == c.snd_nxt,
           f"first after our SYN-ACK: {seg_at(a, t_sa)}; wanted the "
           f"{nbytes} bytes with ack={c.snd_nxt}, no pure ACK before; "
           f"{trace(c, m)}")
    w = peer.line(rf"write {nbytes} ret=(-?\d+)")
    t = by_timer(peer, fam, n)
    yield (w is not None and w.group(1) == str(nbytes) and t is False,
           f"write: {w and w.group(0)}, delayed-ACK timer sent: {t}; "
           f"wanted ret={nbytes}, not by the timer; peer: {peer.text()}")


def case_connect_ack_now(args, wire, fam, port):
    # A blocking connect(), nobody writing, not interactive: the
    # handshake's last ACK goes at once.
    peer, c, m, t_sa, n, why = answer_connect(args, wire, fam, port,
                                              ["connect"])
    try:
        if why:
            yield False, why
            return
        yield ack_at_once(c, peer, fam, m, t_sa, n)
        c.abort()
    finally:
        peer.stop()


def case_connect_nonblocking_write(args, wire, fam, port):
    # A non-blocking connect() and a write() on the still non-blocking
    # socket in SYN_SENT: EAGAIN, no writer waits (sk_write_pending is
    # counted only by a write that sleeps, sk_stream_wait_connect()), so
    # the ACK goes at once.
    w = []

    def ready(peer):
        w.append(peer.line(r"write 100 ret=(-?\d+) errno=(\d+)"))
        return None if w[0] else f"no write result: {peer.text()}"
    peer, c, m, t_sa, n, why = answer_connect(
        args, wire, fam, port, ["nbconnect", "write 100"], ready)
    try:
        if why:
            for _ in range(2):
                yield False, why
            return
        yield (w[0].groups() == ("-1", "11"),
               f"non-blocking write in SYN_SENT: {w[0].group(0)}, wanted "
               "ret=-1 errno=11 (EAGAIN)")
        yield ack_at_once(c, peer, fam, m, t_sa, n)
        c.abort()
    finally:
        peer.stop()


def writer_asleep(peer):
    """ready() for a write() that must be blocked in SYN_SENT when our
    SYN-ACK comes: "writing" printed, then the process asleep."""
    if peer.line(r"writing 100") is None:
        return f"the write did not start: {peer.text()}"
    if not asleep(peer, slow(2.0)):
        return f"the writer was not seen asleep: {peer.text()}"
    return None


def held_ack_case(name, cmds, ready=None):
    """Case @name, whose peer runs @cmds (waiting for @ready, as
    answer_connect()), the last a write of 100 bytes: the handshake's
    last ACK waits for that data, which carries it (ack_with_data())."""
    def case(args, wire, fam, port):
        peer, c, m, t_sa, n, why = answer_connect(args, wire, fam, port,
                                                  cmds, ready)
        try:
            if why:
                for _ in range(2):
                    yield False, why
                return
            yield from ack_with_data(c, peer, fam, m, t_sa, n, 100)
            c.abort()
        finally:
            peer.stop()
    case.__name__ = name
    return case


# A non-blocking connect(), O_NONBLOCK off, and a write() that sleeps in
# SYN_SENT waiting for the connection (sk_write_pending).
case_connect_blocked_writer = held_ack_case(
    "case_connect_blocked_writer", ["nbconnect", "blocking", "write 100"],
    writer_asleep)
# TCP_QUICKACK 0 before a blocking connect() (interactive), a write 30 ms
# after it returned.
case_connect_quickack0_write = held_ack_case(
    "case_connect_quickack0_write",
    ["quickack 0", "connect", "sleep 30", "write 100"])


def ack_by_timer(c, peer, fam, m, t_sa, n):
    """The check that the handshake's last ACK was held and the
    delayed-ACK timer sent it, a pure ACK DELACK_MAX after our SYN-ACK
    (mark @m, sniffer time @t_sa; @n the timer's count before it)."""
    a = after_synack(c, m)
    t = by_timer(peer, fam, n)
    print(f"# {fam}: {peer.text()}; after our SYN-ACK {seg_at(a, t_sa)}, "
          f"by the timer {t}", flush=True)
    d = float(a.time) - t_sa if a is not None else None
    lo, hi = DELACK_MAX - TCG_SLACK, DELAYED_MAX
    return (a is not None and not len(a[TCP].payload) and
            a[TCP].ack == c.snd_nxt and lo <= d <= hi and t is True,
            f"after our SYN-ACK: {seg_at(a, t_sa)}, by the timer: {t}; "
            f"wanted a pure ACK ack={c.snd_nxt} by the timer within "
            f"{lo * 1000:.0f}..{hi * 1000:.0f} ms")


def case_connect_quickack0_idle(args, wire, fam, port):
    # TCP_QUICKACK 0 before a blocking connect(), nothing written: the
    # delayed-ACK timer sends the handshake's last ACK TCP_DELACK_MAX
    # after the SYN-ACK.  Holding it put the socket in quick-ACK mode,
    # which ends interactive mode: getsockopt(TCP_QUICKACK) reads 1 and
    # our first data is ACKed at once.
    peer, c, m, t_sa, n, why = answer_connect(
        args, wire, fam, port, ["quickack 0", "connect", "getquickack"])
    try:
        if why:
            for _ in range(3):
                yield False, why
            return
        yield ack_by_timer(c, peer, fam, m, t_sa, n)
        q = peer.line(r"getquickack val=(-?\d+)")
        yield (q is not None and q.group(1) == "1",
               f"getsockopt(TCP_QUICKACK) after connect(): {peer.text()}; "
               "wanted 1 (quick-ACK mode ended interactive mode)")
        n = timer_acks(peer, fam)
        dm, t0 = send_data(c, SMALL)
        a = ack_after(c, dm, c.snd_nxt)
        dd = float(a.time) - t0 if a is not None and t0 is not None else None
        t = by_timer(peer, fam, n)
        yield (dd is not None and dd < IMMEDIATE and t is False,
               f"first data ACKed after {dd * 1000:.0f} ms, by the timer: "
               f"{t}; wanted < {IMMEDIATE * 1000:.0f} ms, not by the timer"
               if dd is not None else "first data not ACKed")
        c.abort()
    finally:
        peer.stop()


def case_connect_defer_accept_idle(args, wire, fam, port):
    # TCP_DEFER_ACCEPT on a connecting socket, nothing written: Linux's
    # third reason to hold the handshake's last ACK, which the
    # delayed-ACK timer then sends TCP_DELACK_MAX after the SYN-ACK.
    peer, c, m, t_sa, n, why = answer_connect(
        args, wire, fam, port, ["defer 1", "connect"])
    try:
        if why:
            yield False, why
            return
        yield ack_by_timer(c, peer, fam, m, t_sa, n)
        c.abort()
    finally:
        peer.stop()


CASES = [
    (case_lone_segment, ["lone segment: delayed ACK 40..200 ms",
                         "lone segment: quick-ACK mode as native"]),
    (case_two_full_segments, ["two full segments: one ACK covers both",
                              "two full segments: ACK at once"]),
    (case_out_of_order, ["out of order: duplicate ACK",
                         "out of order: duplicate ACK at once",
                         "hole filled: ACK of all",
                         "hole filled: ACK at once"]),
    (case_duplicate_and_fin, ["duplicate: ACK at once",
                              "FIN: ACKed within 260 ms",
                              "FIN: ACK at once or delayed as native"]),
    (case_quickack, ["TCP_QUICKACK 0: getsockopt 0",
                     "TCP_QUICKACK 0: read segment ACKed delayed",
                     "TCP_QUICKACK 1 after read: ACK at once",
                     "TCP_QUICKACK 1: getsockopt 1"]),
    (case_ts_segment_size, ["timestamps: segment size learnt as native"]),
    (case_quickacks_after_duplicate,
     ["duplicate: quick ACKs after it as native's"]),
    (case_sack_compression,
     ["SACK burst beyond a hole: ACKs and SACK blocks as native's",
      "SACK burst beyond a hole: TCPAckCompressed as native's",
      "SACK burst: hole filled, ACK of all"]),
    (case_connect_ack_now, ["connect: handshake ACK at once"]),
    (case_connect_nonblocking_write,
     ["connect, non-blocking write: EAGAIN",
      "connect, non-blocking write: handshake ACK at once"]),
    (case_connect_blocked_writer,
     ["connect, blocked writer: data carries the handshake ACK",
      "connect, blocked writer: write done, no delayed ACK"]),
    (case_connect_quickack0_write,
     ["TCP_QUICKACK 0, connect, write: data carries the handshake ACK",
      "TCP_QUICKACK 0, connect, write: write done, no delayed ACK"]),
    (case_connect_quickack0_idle,
     ["TCP_QUICKACK 0, connect: handshake ACK by the timer at 200 ms",
      "TCP_QUICKACK 0, connect: getsockopt 1 after",
      "TCP_QUICKACK 0, connect: first data ACKed at once"]),
    (case_connect_defer_accept_idle,
     ["TCP_DEFER_ACCEPT, connect: handshake ACK by the timer at 200 ms"]),
]


def main():
    ap = wire_args(argparse.ArgumentParser())
    ap.add_argument("--netns", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--family", action="append", required=True)
    args = ap.parse_args()
    args.oracle = {}
    tap = Tap(len(args.family) * sum(len(names) for _, names in CASES))
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac, both=True)
    run_families(tap, args.family, CASES, 7300, args, wire)
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
