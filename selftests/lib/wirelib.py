# SPDX-License-Identifier: GPL-2.0
#
# wirelib: what the scapy-driven VM tests (selftests/wire_test.py,
# wire2_test.py, rcvmem_test.py, synrecv_test.py, backlog_test.py,
# synack_rtt_test.py) share: TAP output, a Wire that sends hand-made
# segments on an interface and keeps what comes back, a segment builder,
# the Ends of a connection whose sequence numbers are kept by hand and a
# Conn of those against a listener, a helper process in a namespace and
# the lines it prints (LinePeer), the log and data directory of a helper
# process, the loop step that runs one case and reports its checks, a
# knob set alike for native TCP and xtcp, and a walk over the options of
# a captured segment.
# Importing it imports scapy (seconds under TCG): each test imports it
# once, in its one python process.
#
# REPLY_WAIT (how long a reply is waited for) and SILENCE (how long "no
# reply" is watched for) only bound the machine: XTCP_SLOW scales them
# (selftests/lib/slow.py).  Waits that are the protocol's clock (rate
# limits, retransmission timers) are the tests' own and are not scaled.

import atexit
import ctypes
import os
import random
import re
import socket
import struct
import subprocess
import threading
import time

# The modules needed, not scapy.all: that one imports every layer scapy
# has (TLS with the cryptography package among them), about three times
# the time under TCG, where each file is read over 9p.
from scapy.arch import get_if_hwaddr
from scapy.config import conf
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.sendrecv import AsyncSniffer
from slow import slow
from stacks import (mib_counters, sysctl_both,  # noqa: F401 (re-exported)
                    knob_both, knob_get, sock_row, cwnd_ssthresh)
from tap import Tap  # noqa: F401 (re-exported)

M32 = 1 << 32
SO_ATTACH_FILTER = 26	# <asm-generic/socket.h>
SO_DETACH_FILTER = 27
REPLY_WAIT = slow(3.0)
# A peer process's start up to its first line ("listening"): exec over
# 9p and "ip netns exec" on a loaded host took more than REPLY_WAIT
# (sack_recovery's peers, both families, with three VMs on two cores).
START_WAIT = slow(10.0)
SILENCE = slow(1.5)


def seq_add(a, b):
    return (a + b) % M32


class NativePremise:
    """A check the same case runs on native first, then on xtcp, whose
    premise a slow test bed can break (a debug kernel's timing): native
    failing it is a SKIP (the bed cannot tell), and so is xtcp failing
    it after native did; otherwise the result stands."""

    def __init__(self):
        self.why = None

    def verdict(self, fam, ok, why):
        """(ok, why) to report for family @fam's result @ok (False,
        True or None) with reason @why."""
        if ok is False and fam == "inet":
            self.why = why
            return None, f"native's own check failed: {why}"
        if ok is False and self.why:
            return None, f"{why}; native's own check failed too: {self.why}"
        return ok, why


class Wire:
    """Sends on an interface and keeps every TCP segment from the peer
    (with @both, also those to it).  @bpf, a tcpdump filter matching at
    least what is kept, lets the kernel drop the rest before python
    dissects it (a fast transfer otherwise overruns the sniffer)."""

    def __init__(self, iface, src, dst, dst_mac, both=False, bpf=None):
        self.src, self.dst = src, dst
        self.pkts = []
        self.cond = threading.Condition()
        # The connections made on this wire (Ends), and per (our port,
        # X's port) the last ACK number X sent: reset_conns() resets
        # whatever of them X still holds.
        self.conns = []
        self.x_acked = {}
        atexit.register(self.reset_conns)
        ready = threading.Event()
        self.lsock = None

        def listen(**kw):	# the sniffer's socket, kept for only_flags()
            self.lsock = conf.L2listen(**kw)
            return self.lsock
        self.sniffer = AsyncSniffer(
            iface=iface, store=False, prn=self._got, filter=bpf,
            L2socket=listen,
            lfilter=lambda p: IP in p and TCP in p and
            ((p[IP].src == dst and p[IP].dst == src) or
             (both and p[IP].src == src and p[IP].dst == dst)),
            started_callback=ready.set)
        self.sniffer.start()
        if not ready.wait(slow(20)):
            raise RuntimeError("sniffer did not start")
        self.sock = conf.L2socket(iface=iface)
        self.eth = Ether(dst=dst_mac, src=get_if_hwaddr(iface))

    def only_flags(self, mask):
        """From now on the kernel drops, before python sees them, the
        segments to this Wire with none of the TCP flags in @mask (and
        everything not TCP over IPv4), until only_flags(None) keeps all
        again.  For floods of ACKs nobody waits for (scapy dissects a
        packet in milliseconds under TCG).  Only for a Wire made without
        @bpf, which None would drop."""
        sock = self.lsock.ins
        if mask is None:
            sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
            return
        # Classic BPF over an Ethernet frame: IPv4, TCP, then the flags
        # byte at 13 past the IP header (its length from IHL).
        prog = [(0x28, 0, 0, 12),		# ldh [12]
                (0x15, 0, 5, 0x0800),		# jeq IPv4, else drop
                (0x30, 0, 0, 23),		# ldb [23]
                (0x15, 0, 3, 6),		# jeq TCP, else drop
                (0xb1, 0, 0, 14),		# ldxb 4 * ([14] & 0xf)
                (0x50, 0, 0, 14 + 13),		# ldb [x + 27]
                (0x45, 1, 0, mask),		# jset mask: keep
                (0x06, 0, 0, 0),		# drop
                (0x06, 0, 0, 0x40000)]		# keep
        insns = ctypes.create_string_buffer(
            b"".join(struct.pack("HBBI", *i) for i in prog))
        fprog = struct.pack("HL", len(prog), ctypes.addressof(insns))
        sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)

    def _got(self, p):
        with self.cond:
            self.pkts.append(p)
            if p[IP].src == self.dst and p[TCP].flags & 0x10:
                self.x_acked[(p[TCP].dport, p[TCP].sport)] = p[TCP].ack
            self.cond.notify_all()

    def reset_conns(self, since=0):
        """A RST for each connection made on this wire from the
        @since'th on (conns_made() before a case gives it) that X ever
        ACKed on: at the sequence number the test kept and at the last
        ACK number X sent, so that nothing a case or test leaves behind
        (an orphan retransmitting its FIN or data to an address nobody
        answers for) outlives it, holding xtcp until its retries run
        out (CI's module_load once found xtcp held so).  X answers RSTs
        of connections it no longer has with nothing."""
        with self.cond:
            conns = self.conns[since:]
            del self.conns[since:]
            acked = dict(self.x_acked)
        for c in conns:
            last = acked.get((c.sport, c.dport))
            if last is None:
                continue
            for seq in {last, getattr(c, "snd_nxt", last)}:
                self.send(segment(self, c.sport, c.dport, "R", seq, 0))

    def conns_made(self):
        """How many connections were made on this wire so far."""
        with self.cond:
            return len(self.conns)

    def send(self, pkt):
        self.sock.send(self.eth / pkt)

    def mark(self):
        with self.cond:
            return len(self.pkts)

    def wait(self, since, pred, timeout):
        """First segment after mark @since matching @pred, or None."""
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.pkts):
                    p = self.pkts[i]
                    i += 1
                    if pred(p):
                        return p
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


def flags(p):
    return int(p[TCP].flags)


def describe(p):
    if p is None:
        return "nothing"
    t = p[TCP]
    return f"{t.flags} seq={t.seq} ack={t.ack} len={len(t.payload)}"


def opt_area(p):
    """The option bytes of segment @p (what follows its 20-byte header)."""
    t = p[TCP]
    return bytes(t)[20:t.dataofs * 4]


def walk(opts):
    """(kind, offset, length) of each option in the bytes @opts, up to EOL
    or the first malformed length."""
    i = 0
    while i < len(opts):
        k = opts[i]
        if k == 0:
            return
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            return
        yield k, i, opts[i + 1]
        i += opts[i + 1]

def ts_opts(tsval, tsecr):
    """The timestamps option as Linux lays it out (NOP, NOP, TS)."""
    return [("NOP", None), ("NOP", None), ("Timestamp", (tsval % M32, tsecr))]


def ts_of(p):
    """(TSval, TSecr) of segment @p, or None (also for no segment)."""
    if p is None:
        return None
    o = opt_area(p)
    for k, i, n in walk(o):
        if k == 8 and n == 10:
            return (int.from_bytes(o[i + 2:i + 6], "big"),
                    int.from_bytes(o[i + 6:i + 10], "big"))
    return None


def s32(x):
    """@x as a signed 32-bit sequence difference."""
    x %= M32
    return x - M32 if x >= 1 << 31 else x


class Logged:
    """A helper process's log file @log and the directory @dir where it
    stores what connection ID delivered (DIR/conn-ID)."""

    def __init__(self, log, dir):
        self.log, self.dir = log, dir

    def text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def poll(self, regex, timeout=REPLY_WAIT):
        """First match of @regex in the log within @timeout s, or None."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(regex, self.text(), re.M)
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.05)

    def data(self, cid):
        try:
            with open(os.path.join(self.dir, f"conn-{cid}"), "rb") as f:
                return f.read()
        except OSError:
            return None


RTO_MIN = 0.2		# s, Linux's TCP_RTO_MIN and xtcp's


def rto_bounds(samples, shift=0.0):
    """(low, high, m): the range (s) in which a sender's RTO must lie
    after RTT samples @samples (s, each ManualConn.rtt_sample() plus
    way_to_stack(): what X measured), m the largest; @shift (s) more on
    high when the time is taken from our send rather than from when X's
    timer started.  Python's reaction under TCG, part of every sample,
    ranges from a few ms to hundreds on a loaded host, so an RTO bound
    is computed from the samples, not assumed (CI once saw a first
    zero-window probe 0.77 s after the window closed, native included).
    Linux 6.1 (tcp_rtt_estimator(), __tcp_set_rto()) gives srtt + rttvar
    with rttvar at least tcp_rto_min; RFC 6298 srtt + 4 rttvar, at least
    rto_min; after one or two samples up to m both are at most
    m + max(2.5 m, rto_min) (rttvar after a second sample is at most
    3/4 of m/2 plus 1/4 of m).  Slack: 60 ms below (TCG jitter of the
    timers, vm-notes), 150 ms above (a timer a few jiffies late, capture
    times against our clock)."""
    m = max(samples)
    return RTO_MIN - 0.06, m + max(2.5 * m, RTO_MIN) + 0.15 + shift, m


# Above this an RTO bound cannot tell a sampled RTO from the 1 s initial
# one (RFC 6298 s.2.1) that a sender without a sample uses.
RTO_BOUND_USEFUL = 0.95


def segment(wire, sport, dport, fl, seq, ack, data=b"", window=65535,
            opts=None):
    """An IP/TCP segment from @wire's src to its dst, @seq and @ack taken
    modulo 2^32, with @data as payload if any."""
    t = TCP(sport=sport, dport=dport, flags=fl, seq=seq % M32,
            ack=ack % M32, window=window, options=opts or [])
    p = IP(src=wire.src, dst=wire.dst) / t
    return p / Raw(data) if data else p


class Ends:
    """Our port @sport of one connection to port @dport of the peer, seen
    on @wire; the tests keep isn, snd_nxt and rcv_nxt by hand."""

    def __init__(self, wire, sport, dport):
        self.wire, self.sport, self.dport = wire, sport, dport
        with wire.cond:
            wire.conns.append(self)

    def mine(self, p):
        return p[TCP].sport == self.dport and p[TCP].dport == self.sport

    def wait(self, since, pred, timeout=REPLY_WAIT):
        return self.wire.wait(since, lambda p: self.mine(p) and pred(p),
                              timeout)

    def wait_synack(self, since, timeout=REPLY_WAIT):
        """The SYN-ACK of our SYN (ISN isn), after mark @since, or None."""
        return self.wait(since, lambda p: flags(p) & 0x12 == 0x12 and
                         p[TCP].ack == seq_add(self.isn, 1), timeout)

    def established(self, sa):
        """Our sequence numbers once SYN-ACK @sa is ACKed."""
        self.rcv_nxt = seq_add(sa[TCP].seq, 1)
        self.snd_nxt = seq_add(self.isn, 1)


class ManualConn(Ends):
    """Our end of one connection to or from X, every segment built by
    hand: send() one, handshake() from our SYN, sent() what X sent."""

    def __init__(self, wire, lport, rport):
        super().__init__(wire, lport, rport)
        self.isn = random.getrandbits(32)
        self.snd_nxt = self.isn
        self.rcv_nxt = 0

    def send(self, fl, seq=None, ack=None, data=b"", window=65535,
             opts=None):
        p = segment(self.wire, self.sport, self.dport, fl,
                    self.snd_nxt if seq is None else seq,
                    self.rcv_nxt if ack is None else ack, data, window, opts)
        m = self.wire.mark()
        self.wire.send(p)
        self.sent_at = time.time()
        return m

    def handshake(self, window=65535, delay=0.0):
        """SYN (MSS 1460, @window), SYN-ACK, and our ACK @delay s after
        the SYN-ACK arrived (the RTT the peer samples is at least
        that).  None or why not.  hs_rtt: the time between the SYN-ACK
        on the wire and our ACK leaving (s), as rtt_sample() measures;
        hs_mark, hs_sent_at: the mark before our ACK and its send time
        (for way_to_stack())."""
        m = self.send("S", ack=0, window=window, opts=[("MSS", 1460)])
        sa = self.wait_synack(m)
        if sa is None:
            return "no SYN-ACK"
        self.established(sa)
        if delay:
            time.sleep(delay)
        self.hs_mark = self.send("A", window=window)
        self.hs_rtt = self.rtt_sample(sa)
        self.hs_sent_at = self.sent_at
        return None

    def sent(self, since, pred):
        """Every segment of this connection X sent after mark @since
        that matches @pred."""
        with self.wire.cond:
            return [p for p in self.wire.pkts[since:]
                    if self.mine(p) and pred(p)]

    def abort(self):
        self.send("R", ack=0)

    def way_to_stack(self, since, sent_at):
        """An upper bound (s) on how long our segment sent at @sent_at
        (after mark @since) took to reach X's stack: the capture time of
        X's first segment after it (sent once X processed ours) less
        @sent_at; None without one.  On a loaded host it is tens to
        hundreds of ms, which X's RTT sample includes and ours does not."""
        with self.wire.cond:
            after = [p for p in self.wire.pkts[since:] if self.mine(p)]
        return float(after[0].time) - sent_at if after else None

    def rtt_sample(self, p):
        """The RTT sample X takes when our last segment answers its
        segment @p, as seen here: our send time less @p's capture time
        (s).  X's own sample is larger by our segment's way to its stack
        (way_to_stack() bounds it)."""
        return self.sent_at - float(p.time)


class Conn(Ends):
    """Our end of one connection to a listener; sequence numbers kept by
    hand."""

    def __init__(self, wire, sink, sport):
        super().__init__(wire, sport, sink.port)
        self.sink = sink
        self.isn = random.getrandbits(32)
        self.snd_nxt = self.isn
        self.rcv_nxt = 0
        self.cid = None

    def seg(self, fl, seq=None, ack=None, data=b"", bad_sum=False, opts=None):
        p = segment(self.wire, self.sport, self.dport, fl,
                    self.snd_nxt if seq is None else seq,
                    self.rcv_nxt if ack is None else ack, data, opts=opts)
        if bad_sum:
            p = IP(bytes(p))
            p[TCP].chksum ^= 0x5555
        return p

    def send(self, *a, **kw):
        m = self.wire.mark()
        self.wire.send(self.seg(*a, **kw))
        return m

    def wait_ack(self, since, ack, timeout=REPLY_WAIT):
        return self.wait(since, lambda p: flags(p) & 0x10 and
                         not flags(p) & 0x06 and p[TCP].ack == ack, timeout)

    def syn(self, data=b"", bad_sum=False):
        return self.send("S", seq=self.isn, ack=0, data=data, bad_sum=bad_sum,
                         opts=[("MSS", 1460)])

    def connect(self):
        """SYN, SYN-ACK, ACK.  None or why not."""
        sa = self.wait_synack(self.syn())
        if sa is None:
            return "no SYN-ACK"
        self.established(sa)
        self.send("A")
        return None

    def handshake(self):
        """SYN, SYN-ACK, ACK; then the reader's accept.  None or why not."""
        why = self.connect()
        if why:
            return why
        self.cid = self.sink.accepted(self.sport, REPLY_WAIT)
        return None if self.cid else "the reader did not accept"

    def push(self, data):
        """In-window data; None once ACKed, else why not."""
        m = self.send("PA", data=data)
        want = seq_add(self.snd_nxt, len(data))
        a = self.wait_ack(m, want)
        if a is None:
            return f"{len(data)} bytes at {self.snd_nxt} not ACKed"
        self.snd_nxt = want
        return None

    def finish(self):
        """FIN; the reader's verdict ("eof ID ..."/"error ID ...") and
        what it got.  Our side ACKs the listener's FIN when it comes."""
        m = self.send("FA")
        self.snd_nxt = seq_add(self.snd_nxt, 1)
        end = self.sink.ended(self.cid, REPLY_WAIT) if self.cid else None
        fin = self.wait(m, lambda p: flags(p) & 0x01, 1.0)
        if fin is not None:
            self.rcv_nxt = seq_add(fin[TCP].seq, len(fin[TCP].payload) + 1)
            self.send("A")
        return end, self.sink.data(self.cid) if self.cid else None

    def abort(self):
        self.send("R", ack=0)

    def ack_fin(self, since):
        """ACK the listener's FIN (sent after mark @since), so that it
        does not linger in LAST_ACK."""
        fin = self.wait(since, lambda p: flags(p) & 0x01, REPLY_WAIT)
        if fin is not None:
            self.rcv_nxt = seq_add(fin[TCP].seq, len(fin[TCP].payload) + 1)
            self.send("A")


class LinePeer:
    """A helper process @prog of family @fam (its "-f") in namespace
    @netns, with the further arguments @argv, and the lines it printed
    (stdout and stderr); with @stdin, a pipe to its standard input."""

    def __init__(self, netns, prog, fam, *argv, stdin=False):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", netns, prog, "-f", fam] + list(argv),
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def tell(self, *lines):
        """Writes @lines, each with a newline, to the process's standard
        input (@stdin), and flushes."""
        self.proc.stdin.write("".join(ln + "\n" for ln in lines))
        self.proc.stdin.flush()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.strip())
                self.cond.notify_all()

    def listening(self):
        """The peer's "listening" line, waited for as a process start
        (START_WAIT), or None."""
        return self.line(r"listening", START_WAIT)

    def line(self, regex, timeout=REPLY_WAIT, since=0):
        """The match of the first line printed that @regex matches (at its
        start), from the @since-th line printed on, waited for up to
        @timeout s; None without one."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ln in self.lines[since:]:
                    m = re.match(regex, ln)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return " | ".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def wire_args(ap, *more):
    """Adds the options every test's Wire takes to argparse parser @ap
    (--iface, --src, --dst, --dst-mac), and each option named in @more,
    all required, and returns it."""
    for opt in ("--iface", "--src", "--dst", "--dst-mac") + more:
        ap.add_argument(opt, required=True)
    return ap


def wire_setup(ap, *more, **knobs):
    """The start of a test's main(): parses the options (wire_args() on
    argparse parser @ap, with @more), opens the Wire on them, and sets
    @knobs for both families in --netns (sysctl_both()).  Returns (args,
    wire)."""
    args = wire_args(ap, *more).parse_args()
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac)
    if knobs:
        sysctl_both(args.netns, **knobs)
    return args, wire


class XPeer(LinePeer):
    """One selftests/wire_peer (--peer) of family @fam in namespace X
    (--netns), each of its blocking calls bounded by @secs s (its -t),
    with the further arguments @argv; @stdin as LinePeer's."""

    def __init__(self, args, fam, *argv, secs=5, stdin=False):
        super().__init__(args.netns, args.peer, fam, "-t", str(secs), *argv,
                         stdin=stdin)


class WriterCase:
    """Our end of one connection, every segment built by hand, to a
    writer of @total bytes in X (an XPeer listening on --dst:@port that
    holds the connection @hold_ms ms after, its calls bounded by @secs
    s); offsets are from X's first data byte.  What the loss-recovery
    and congestion tests' cases share: syn(), ack_synack(), data(),
    off(), wait_flight(), close()."""

    def __init__(self, args, wire, fam, port, total, hold_ms=20000,
                 secs=5, writes=None):
        self.args, self.wire, self.fam, self.port = args, wire, fam, port
        self.total = total
        # @writes: the writer's actions instead of one write of @total
        # (wire_peer's write:N, sleep:MS; "stdin" takes actions from
        # the case, more_actions(), until it closes the pipe), still held
        # @hold_ms after.
        acts = [f"write:{total}"] if writes is None else writes
        self.peer = XPeer(args, fam, "-l", f"{args.dst}:{port}",
                          *acts, f"sleep:{hold_ms}", secs=secs,
                          stdin="stdin" in acts)
        self.c = None

    def more_actions(self, *acts):
        """Hands the writer (writes with "stdin") the actions @acts."""
        self.peer.tell(*acts)

    def syn(self, opts):
        """Our SYN with the options @opts, and X's SYN-ACK: (SYN-ACK,
        None), else (None, why not).  Sets c (the ManualConn), m (the
        wire's mark before the SYN) and base (X's first data byte)."""
        if self.peer.listening() is None:
            return None, f"peer: {self.peer.text()}"
        c = ManualConn(self.wire, 20000 + self.port % 20000, self.port)
        self.m = self.wire.mark()
        sa = c.wait_synack(c.send("S", ack=0, opts=opts))
        if sa is None:
            return None, "no SYN-ACK"
        c.established(sa)
        self.c = c
        self.base = c.rcv_nxt
        return sa, None

    def ack_synack(self, sa, after, opts=None):
        """Our ACK of the SYN-ACK @sa, @after s after it came (the RTT
        X samples), with the options @opts."""
        left = float(sa.time) + after - time.time()
        if left > 0:
            time.sleep(left)
        self.c.send("A", opts=opts)

    def data(self):
        """X's data segments after the SYN, in the order seen."""
        return self.c.sent(self.m, lambda p: len(p[TCP].payload) > 0)

    def off(self, p):
        """[start, end) of X's segment @p, as offsets."""
        s = (p[TCP].seq - self.base) % M32
        return s, s + len(p[TCP].payload)

    def wait_flight(self, n, mss, timeout=REPLY_WAIT):
        """Waits (@timeout s at most) for X's first @n data segments:
        (them, None) when they are @n of @mss bytes in order, else
        (None, why not)."""
        deadline = time.monotonic() + timeout
        while True:
            segs = self.data()
            if len(segs) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        got = [self.off(p) for p in segs[:n]]
        want = [(k * mss, (k + 1) * mss) for k in range(n)]
        if got != want:
            return None, f"initial flight {got}, wanted {n} x {mss} in order"
        return segs[:n], None

    def close(self):
        """Reset the connection (if it opened) and stop the peer."""
        if self.c is not None:
            self.c.abort()
            time.sleep(0.05)
        self.peer.stop()


def writer_peer(args, fam, port, writes=("write:20000",), hold_ms=4000):
    """An XPeer listening on --dst:@port that makes the @writes
    (wire_peer steps, by default one write of 20000 bytes) on the
    connection it accepts, then holds it @hold_ms ms: (peer, None) once
    it listens, else (peer, why)."""
    peer = XPeer(args, fam, "-l", f"{args.dst}:{port}", *writes,
                 f"sleep:{hold_ms}")
    if peer.listening() is None:
        return peer, f"peer: {peer.text()}"
    return peer, None


def family_runner(args, wire, families, port):
    """For tests that compare families case by case: returns both(fn, *a),
    which runs case @fn as fn(args, wire, fam, port, *a) once per family
    of @families, each on the next port after @port, prints what each run
    returned with the time it took, and returns the list of those ("exception
    ..." for a run that raised)."""
    last = [port]

    def both(fn, *a):
        out = []
        for fam in families:
            last[0] += 1
            t0 = time.monotonic()
            made = wire.conns_made()
            try:
                out.append(fn(args, wire, fam, last[0], *a))
            except Exception as e:	# report, go on with the next case
                out.append(f"exception {e!r}")
            wire.reset_conns(made)
            print(f"# {fam} {fn.__name__}{a}: {out[-1]} "
                  f"({time.monotonic() - t0:.1f} s)", flush=True)
        return out
    return both


def run_case(tap, label, fn, names, port, gen, wire=None):
    """One case, reported: @gen() yields one (ok, why) per name in @names;
    an exception or an early end fails the checks left.  Prints the time
    it took, then one TAP result "@label: NAME" per check.  The
    connections the case made on @wire are reset after it."""
    t0 = time.monotonic()
    results = []
    made = wire.conns_made() if wire else 0
    try:
        results = list(gen())
    except Exception as e:	# report, go on with the next case
        results.append((False, f"exception {e!r}"))
    if wire:
        wire.reset_conns(made)
    results += [(False, "case ended early")] * (len(names) - len(results))
    print(f"# {label} {fn.__name__} (port {port}): "
          f"{time.monotonic() - t0:.1f} s")
    for (ok, why), name in zip(results, names):
        tap.result(ok, f"{label}: {name}", why)


def run_families(tap, families, cases, port, args, wire):
    """Every case of @cases (pairs of a case function and its check
    names) for each family in @families, in that order, by run_case():
    each on the next port after @port, as fn(args, wire, fam, port)."""
    for fam in families:
        for fn, names in cases:
            port += 1
            run_case(tap, fam, fn, names, port,
                     lambda: fn(args, wire, fam, port), wire)
