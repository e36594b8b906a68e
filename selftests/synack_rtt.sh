#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# synack_rtt: a passive open takes its first RTT sample from the
# handshake (the SYN-ACK to ACK time, Linux's tcp_synack_rtt_meas(), not
# if the SYN-ACK was sent again: Karn), so the first retransmission of a
# server's first data segment comes after the RTO that sample gives (the
# third ACK is held 150 ms: about 450 ms), not after the 1 s initial RTO.  Native TCP (the reference) and xtcp in the same
# VM, driven by selftests/synack_rtt_test.py (scapy, which prints the
# TAP) from namespace P as 10.77.8.3 (an address nobody owns, see
# wire.sh); the server is selftests/wire_peer in namespace X (10.77.8.1).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-synrtt-x
P=xtcp-synrtt-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start synack_rtt

if ! { netns_pair $X xsr-x 10.77.8.1 $P xsr-p 10.77.8.2 &&
	netns_scapy_peer $X xsr-x $P xsr-p 10.77.8.3 &&
	ip netns exec $X ethtool -K xsr-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/synack_rtt_test.py" \
	--iface xsr-p --src 10.77.8.3 --dst 10.77.8.1 --dst-mac "$xmac" \
	--netns $X --peer "$root/build/selftests/wire_peer" \
	--family inet --family xtcp
