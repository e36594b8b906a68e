#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rto: the sender's RTO after a known series of RTT samples, native TCP
# (the reference) and xtcp in the same VM (selftests/rto_test.py, one
# python process, which prints the TAP and says what it asserts).
# Namespace X (10.77.27.1) runs one selftests/wire_peer per family, the
# sender; the peer namespace P (10.77.27.2, veth) runs scapy, the
# receiver, which speaks as 10.77.27.3, an address P's kernel does not
# own (see wire.sh).  TSO and GSO are off on X's veth, so the sniffer
# sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-rto-x
P=xtcp-rto-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start rto

if ! { netns_pair $X xrt-x 10.77.27.1 $P xrt-p 10.77.27.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xrt-x $P xrt-p 10.77.27.3 &&
	ip netns exec $X ethtool -K xrt-x tso off gso off >/dev/null &&
	ip netns exec $X sysctl -qw net.ipv4.tcp_no_metrics_save=1; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/rto_test.py" \
	--iface xrt-p --src 10.77.27.3 --dst 10.77.27.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
