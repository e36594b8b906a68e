#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# wire_test: hand-made segments against a listener, run by selftests/wire.sh
# (one python process: importing scapy takes seconds under TCG).
#
# scapy speaks TCP from an address the namespace it runs in does not own,
# so that kernel never answers (no RSTs of its own); every reply on the
# wire comes from the listener's side.  The listeners are "xtcp_xfer sink"
# processes, which log "accept ID peer=A:P", "eof ID bytes=N" or
# "error ID ... errno=E ..." and store what each connection delivered in
# DIR/conn-ID, so every case also asserts what the reader got.  Each case
# runs against every --sink given (native TCP is the reference) and prints
# one TAP result per check.
#
# Timing: a reply is waited for up to 2-3 s (segments cross a veth pair in
# well under 100 ms even under TCG); "no reply" is asserted over 1.5 s;
# both times XTCP_SLOW (wirelib).  The sleeps and counting periods around
# rate limits (500 ms) are the protocol's clock and are not scaled.

import argparse
import os
import re
import sys
import time

T_START = time.monotonic()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from wirelib import (Tap, Wire, Logged, Conn, run_case,  # noqa: E402
                     wire_args, flags, describe, seq_add, REPLY_WAIT,
                     SILENCE)
from scapy.layers.inet import TCP  # noqa: E402
from slow import slow  # noqa: E402

T_IMPORT = time.monotonic() - T_START


class Sink(Logged):
    """One xtcp_xfer sink: its log and its files."""

    def __init__(self, spec):
        self.name, port, dir, log = spec.split(":")
        super().__init__(log, dir)
        self.port = int(port)

    def listening(self):
        return re.search(r"^listening ", self.text(), re.M) is not None

    def accepted(self, sport, timeout):
        m = self.poll(rf"^accept (\d+) peer=[0-9.]+:{sport}$", timeout)
        return m.group(1) if m else None

    def ended(self, cid, timeout):
        m = self.poll(rf"^((eof|error) {cid} .*)$", timeout)
        return m.group(1) if m else None


# Each case: (names of its checks, function yielding one (ok, why) per name).

def case_bad_checksum_syn(c):
    m = c.syn(bad_sum=True)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"got {describe(r)}"
    sa = c.wait_synack(c.syn())
    yield sa is not None, "no SYN-ACK to the valid SYN"
    if sa is not None:
        c.established(sa)
        c.abort()
    time.sleep(slow(0.5))
    cid = c.sink.accepted(c.sport, 0)
    yield cid is None, f"the reader accepted connection {cid}"


def case_data_before_handshake(c):
    sa = c.wait_synack(c.syn(data=b"SYNDATA"))
    if sa is None:
        # The SYN-ACK may still acknowledge more: look for any.
        any_sa = c.wait(0, lambda p: flags(p) & 0x12 == 0x12, 0)
        yield False, f"no SYN-ACK acknowledging ISN+1 only ({describe(any_sa)})"
        yield False, "no handshake"
        yield False, "no handshake"
        return
    yield True, ""
    c.established(sa)
    # Data without ACK while the handshake is incomplete: dropped, not
    # ACKed (a SYN-ACK retransmitted meanwhile is no answer to it).
    m = c.send("P", data=b"EARLY")
    r = c.wait(m, lambda p: flags(p) & 0x12 != 0x12, SILENCE)
    yield r is None, f"got {describe(r)}"
    c.send("A")
    c.cid = c.sink.accepted(c.sport, REPLY_WAIT)
    why = c.push(b"LATE") if c.cid else "the reader did not accept"
    end, got = c.finish()
    yield (why is None and got == b"LATE" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_out_of_window_data(c):
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    m = c.send("PA", seq=seq_add(c.snd_nxt, 1 << 20), data=b"FAR" * 10)
    a = c.wait_ack(m, c.snd_nxt)
    yield a is not None, f"wanted an ACK of {c.snd_nxt}, got {describe(a)}"
    time.sleep(0.6)		# out-of-window ACKs may be rate limited
    m = c.send("PA", seq=c.snd_nxt - 2000, data=b"OLD" * 10)
    a = c.wait_ack(m, c.snd_nxt)
    yield a is not None, f"wanted an ACK of {c.snd_nxt}, got {describe(a)}"
    why = c.push(b"IN")
    end, got = c.finish()
    yield (why is None and got == b"IN" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_rst_outside_window(c):
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    m = c.send("R", seq=seq_add(c.snd_nxt, 1 << 30), ack=0)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"got {describe(r)}"
    why = c.push(b"ALIVE")
    yield why is None, why
    end, got = c.finish()
    yield (got == b"ALIVE" and end and end.startswith("eof")), \
        f"reader: {end}, data {got!r}"


def case_rst_in_window_inexact(c):
    why = c.handshake()
    if why:
        for _ in range(2):
            yield False, why
        return
    m = c.send("R", seq=seq_add(c.snd_nxt, 1000), ack=0)
    a = c.wait_ack(m, c.snd_nxt)
    yield a is not None, f"wanted a challenge ACK of {c.snd_nxt}, got {describe(a)}"
    time.sleep(0.6)		# challenge ACKs may be rate limited
    why = c.push(b"STILL")
    end, got = c.finish()
    yield (why is None and got == b"STILL" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_rst_exact(c):
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    m = c.send("R", ack=0)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"got {describe(r)}"
    end = c.sink.ended(c.cid, REPLY_WAIT)
    yield end is not None and "errno=104 " in end, f"reader: {end}"
    m = c.send("PA", data=b"AFTER")
    r = c.wait(m, lambda p: flags(p) & 0x04)
    yield r is not None, f"wanted an RST, got {describe(r)}"


def case_bad_checksum_data(c):
    why = c.handshake()
    if why:
        for _ in range(2):
            yield False, why
        return
    m = c.send("PA", data=b"BAD!", bad_sum=True)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"got {describe(r)}"
    why = c.push(b"GOOD")
    end, got = c.finish()
    yield (why is None and got == b"GOOD" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def count(c, since, pred, period):
    """Segments of this connection after mark @since matching @pred,
    over @period seconds."""
    time.sleep(period)
    with c.wire.cond:
        return [p for p in c.wire.pkts[since:] if c.mine(p) and pred(p)]


def is_ack_of(ack):
    return lambda p: (flags(p) & 0x10 and not flags(p) & 0x07 and
                      p[TCP].ack == ack)


def case_old_data_new_fin(c):
    # A FIN merged into a retransmission: all the data is old, the FIN is
    # new (issue 6 item 6).
    why = c.handshake() or c.push(b"HELLO")
    if why:
        for _ in range(2):
            yield False, why
        return
    m = c.send("FA", seq=c.snd_nxt - 5, data=b"HELLO")
    a = c.wait_ack(m, seq_add(c.snd_nxt, 1))
    yield a is not None, f"wanted an ACK of the FIN ({seq_add(c.snd_nxt, 1)}), got {describe(a)}"
    c.snd_nxt = seq_add(c.snd_nxt, 1)
    end = c.sink.ended(c.cid, REPLY_WAIT)
    got = c.sink.data(c.cid)
    yield end is not None and end.startswith("eof") and got == b"HELLO", \
        f"reader: {end}, data {got!r}"
    c.ack_fin(m)


def case_partly_old_data_new_fin(c):
    why = c.handshake() or c.push(b"HELLO")
    if why:
        for _ in range(2):
            yield False, why
        return
    m = c.send("FA", seq=c.snd_nxt - 5, data=b"HELLOWORLD")
    a = c.wait_ack(m, seq_add(c.snd_nxt, 6))
    yield a is not None, f"wanted an ACK of the FIN ({seq_add(c.snd_nxt, 6)}), got {describe(a)}"
    c.snd_nxt = seq_add(c.snd_nxt, 6)
    end = c.sink.ended(c.cid, REPLY_WAIT)
    got = c.sink.data(c.cid)
    yield end is not None and end.startswith("eof") and got == b"HELLOWORLD", \
        f"reader: {end}, data {got!r}"
    c.ack_fin(m)


def case_blind_old_ack(c):
    # RFC 5961 s.5.2: the listener has sent no data, so any ACK below
    # SND.UNA acknowledges bytes never sent: challenge ACK, data dropped.
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    m = c.send("PA", data=b"EVIL", ack=c.rcv_nxt - 100000)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is not None and is_ack_of(c.snd_nxt)(r), \
        f"wanted a challenge ACK of {c.snd_nxt}, got {describe(r)}"
    time.sleep(0.6)		# challenge ACKs are rate limited
    r = c.wait(m, lambda p: flags(p) & 0x10 and
               p[TCP].ack == seq_add(c.snd_nxt, 4), 0)
    yield r is None, f"the injected data was acknowledged: {describe(r)}"
    why = c.push(b"GOOD")
    end, got = c.finish()
    yield (why is None and got == b"GOOD" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_ack_of_unsent_data(c):
    # An ACK beyond SND.NXT in ESTABLISHED is dropped without a reply
    # (RFC 9293 s.3.10.7.4; Linux tcp_ack()), data and all.
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    m = c.send("A", ack=c.rcv_nxt + 100000)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"pure ACK of unsent data: got {describe(r)}"
    time.sleep(0.6)
    m = c.send("PA", data=b"EVIL", ack=c.rcv_nxt + 100000)
    r = c.wait(m, lambda p: True, SILENCE)
    yield r is None, f"data with an ACK of unsent data: got {describe(r)}"
    why = c.push(b"GOOD")
    end, got = c.finish()
    yield (why is None and got == b"GOOD" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_oow_ack_rate_limit(c):
    # Pure ACKs outside the window, 100 ms apart: one dupack per
    # tcp_invalid_ratelimit (500 ms), not one each (ACK storms).
    why = c.handshake()
    if why:
        for _ in range(3):
            yield False, why
        return
    far = seq_add(c.snd_nxt, 1 << 20)
    m = c.wire.mark()
    for _ in range(3):
        c.send("A", seq=far)
        time.sleep(0.1)
    # 3 sends take 0.3 s; count until 0.45 s after the first (TCG margin
    # of 50 ms below the 500 ms limit).
    got = count(c, m, is_ack_of(c.snd_nxt), 0.15)
    yield len(got) == 1, f"wanted 1 dupack, got {len(got)}"
    time.sleep(0.5)		# past the limit: answered again
    m = c.send("A", seq=far)
    a = c.wait_ack(m, c.snd_nxt)
    yield a is not None, f"wanted a dupack after 0.5 s, got {describe(a)}"
    why = c.push(b"OK")
    end, got = c.finish()
    yield (why is None and got == b"OK" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_two_rsts_one_challenge(c):
    # Two in-window inexact RSTs 100 ms apart: one challenge ACK (the
    # per-socket limit of tcp_invalid_ratelimit, 500 ms).
    why = c.handshake()
    if why:
        for _ in range(2):
            yield False, why
        return
    m = c.wire.mark()
    c.send("R", seq=seq_add(c.snd_nxt, 1000), ack=0)
    time.sleep(0.1)
    c.send("R", seq=seq_add(c.snd_nxt, 2000), ack=0)
    got = count(c, m, is_ack_of(c.snd_nxt), 0.3)
    yield len(got) == 1, f"wanted 1 challenge ACK, got {len(got)}"
    time.sleep(0.6)
    why = c.push(b"STILL")
    end, got = c.finish()
    yield (why is None and got == b"STILL" and end and end.startswith("eof")), \
        f"{why or ''} reader: {end}, data {got!r}"


def case_syn_recv_dup_syns(c):
    # The SYN again, twice 100 ms apart, while the entry is in SYN-RECEIVED:
    # one SYN-ACK for the two (tcp_check_req()'s out-of-window limit,
    # tcp_invalid_ratelimit, 500 ms); the SYN-ACK timer (1 s) is later.
    sa = c.wait_synack(c.syn())
    if sa is None:
        for _ in range(2):
            yield False, "no SYN-ACK"
        return
    m = c.wire.mark()
    c.syn()
    time.sleep(0.1)
    c.syn()
    got = count(c, m, lambda p: flags(p) & 0x12 == 0x12, 0.3)
    yield len(got) == 1, f"wanted 1 SYN-ACK, got {len(got)}"
    c.established(sa)
    c.send("A")
    c.cid = c.sink.accepted(c.sport, REPLY_WAIT)
    why = "the reader did not accept" if not c.cid else c.push(b"SYNRCVD")
    end, got = c.finish() if c.cid else (None, None)
    yield (why is None and got == b"SYNRCVD" and end and
           end.startswith("eof")), f"{why or ''} reader: {end}, data {got!r}"


CASES = [
    (case_bad_checksum_syn, [
        "SYN with a bad checksum gets no reply",
        "a valid SYN then gets a SYN-ACK (control)",
        "no connection reached the reader"]),
    (case_data_before_handshake, [
        "data on a SYN is not acknowledged (SYN-ACK acks ISN+1)",
        "data without ACK before the handshake completes gets no reply",
        "the reader got only the data sent after the handshake"]),
    (case_out_of_window_data, [
        "data beyond the window elicits an ACK of RCV.NXT",
        "data below the window elicits an ACK of RCV.NXT",
        "the reader got only the in-window data"]),
    (case_rst_outside_window, [
        "RST outside the window gets no reply",
        "the connection survives it: new data is ACKed",
        "the reader got the data and a clean EOF"]),
    (case_rst_in_window_inexact, [
        "in-window RST with SEQ != RCV.NXT elicits a challenge ACK (RFC 5961)",
        "the connection survives it: the reader got later data and EOF"]),
    (case_rst_exact, [
        "RST with SEQ == RCV.NXT gets no reply",
        "it closes the connection: the reader sees ECONNRESET",
        "later segments are answered with RST"]),
    (case_bad_checksum_data, [
        "data with a bad checksum gets no ACK",
        "the reader got only the valid data"]),
    (case_old_data_new_fin, [
        "old data with a new FIN: the FIN is acknowledged",
        "the reader sees the data once and EOF"]),
    (case_partly_old_data_new_fin, [
        "partly old data with a new FIN: data and FIN acknowledged",
        "the reader sees the data once and EOF"]),
    (case_blind_old_ack, [
        "data with an ACK far below SND.UNA gets a challenge ACK",
        "its data is not acknowledged",
        "the reader got only the valid data"]),
    (case_ack_of_unsent_data, [
        "a pure ACK of unsent data gets no reply",
        "data with an ACK of unsent data gets no reply",
        "the reader got only the valid data"]),
    (case_oow_ack_rate_limit, [
        "three out-of-window pure ACKs in 300 ms get one dupack",
        "another one after 500 ms gets a dupack",
        "the connection survives: the reader got the data and EOF"]),
    (case_two_rsts_one_challenge, [
        "two in-window RSTs 100 ms apart get one challenge ACK",
        "the connection survives: the reader got the data and EOF"]),
    (case_syn_recv_dup_syns, [
        "two repeated SYNs 100 ms apart in SYN-RECEIVED get one SYN-ACK",
        "the handshake then completes: the reader got the data and EOF"]),
]


def main():
    ap = wire_args(argparse.ArgumentParser())
    ap.add_argument("--sink", action="append", required=True,
                    help="NAME:PORT:DIR:LOG")
    args = ap.parse_args()
    sinks = [Sink(s) for s in args.sink]
    tap = Tap(len(sinks) * sum(len(names) for _, names in CASES))
    t0 = time.monotonic()
    # The kernel keeps only what X sends to us: the sniffer, one python
    # thread, dissects none of our own segments.
    wire = Wire(args.iface, args.src, args.dst, args.dst_mac,
                bpf=f"tcp and src host {args.dst} and dst host {args.src}")
    print(f"# python: scapy imported in {T_IMPORT:.1f} s, sniffer "
          f"started in {time.monotonic() - t0:.1f} s", flush=True)
    sport = 40000
    for sink in sinks:
        up = sink.listening()
        for fn, names in CASES:
            sport += 1
            if up:
                gen = (lambda: fn(Conn(wire, sink, sport)))
            else:
                down = [(False, f"{sink.name} listener did not start: "
                         + sink.text().strip().replace("\n", " "))]
                gen = (lambda: down)
            run_case(tap, sink.name, fn, names, sport, gen, wire)
    wire.sniffer.stop()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
