#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# synq: what a listener's SYN queue does besides completing handshakes,
# native TCP the reference: TCP_DEFER_ACCEPT (a bare third ACK held, the
# SYN-ACK's timer keeping the entry through the deferral, data making the
# child at once), tcp_abort_on_overflow (the third ACK that finds the
# accept queue full dropped, or answered with a RST), and the SYN-ACK
# timer pruning old entries when they fill the queue.
# selftests/synq_test.py (scapy, one python process, prints the TAP)
# runs every case against selftests/wire_peer listeners of each family in
# namespace X (10.77.67.1) from the peer namespace P (10.77.67.2, veth),
# speaking as 10.77.67.3, an address P's kernel does not own (no RSTs of
# its own, see wire.sh), and asserts that xtcp's observations equal
# native's.  About 50 s.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-synq-x
P=xtcp-synq-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start synq

if ! { netns_pair $X xsq-x 10.77.67.1 $P xsq-p 10.77.67.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xsq-x $P xsq-p 10.77.67.3 &&
	ip netns exec $X ethtool -K xsq-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 300)" ip netns exec $P python3 "$root/selftests/synq_test.py" \
	--iface xsq-p --src 10.77.67.3 --dst 10.77.67.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
