#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# keepalive: SO_KEEPALIVE, TCP_KEEPIDLE/KEEPINTVL/KEEPCNT and the
# tcp_keepalive_* sysctls on the wire, native TCP (the reference) and
# xtcp in one run (selftests/keepalive_test.py says what is checked).
# Namespace X (10.77.7.1) holds the keepalive end, P (10.77.7.2) an echo
# server that netem (loss 100% on P's veth) makes silent; one tcpdump on
# X's veth records everything.  TSO and GSO are off on X's veth so the
# capture shows segments as a wire would.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-ka-x
P=xtcp-ka-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start keepalive

modprobe sch_netem 2>/dev/null
if ! { netns_pair $X xka-x 10.77.7.1 $P xka-p 10.77.7.2 &&
	ip netns exec $X ethtool -K xka-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces and veth"
	exit 1
fi

ip netns exec $X tcpdump -i xka-x -nn -s 128 -B 4096 -U --immediate-mode \
	-w "$work/ka.pcap" "tcp portrange 7300-7399" 2>"$work/tcpdump.err" &
tpid=$!
pids+=($tpid)
if ! wait_line $tpid "$work/tcpdump.err" "listening on" 30; then
	tap_plan 1
	tap_fail "start tcpdump" "$(cat "$work/tcpdump.err")"
	exit 1
fi

timeout -k 5 "$(slow 600)" python3 "$root/selftests/keepalive_test.py" \
	--netns $X --pnetns $P --pdev xka-p --pnet 10.77.7.2 \
	--peer "$root/build/selftests/keepalive_peer" --pcap "$work/ka.pcap" \
	--stop-capture "sleep 1; kill -INT $tpid; sleep 1" \
	--family inet --family xtcp
