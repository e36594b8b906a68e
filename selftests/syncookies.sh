#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# syncookies: a SYN flood from spoofed sources at a listener with a small
# backlog, while a client makes 100 connections with exact data, native
# TCP (the reference) and xtcp in the same VM (selftests/syncookies_test.py,
# which prints the TAP).  Namespace X (10.77.47.1) runs the listeners
# (xtcp_xfer server -B 16); P (10.77.47.2) runs the client and scapy,
# which sends the SYNs as 10.77.48.0/24, addresses X routes through
# 10.77.47.3, which nobody owns (netns_scapy_peer): the SYN-ACKs go
# nowhere and the SYN queue stays full.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-cookie-x
P=xtcp-cookie-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start syncookies

if ! { netns_pair $X xck-x 10.77.47.1 $P xck-p 10.77.47.2 &&
	netns_scapy_peer $X xck-x $P xck-p 10.77.47.3 &&
	ip -n $X route add 10.77.48.0/24 via 10.77.47.3 dev xck-x; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth, route and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 900)" ip netns exec $P python3 "$root/selftests/syncookies_test.py" \
	--iface xck-p --dst 10.77.47.1 --dst-mac "$xmac" --spoof 10.77.48 \
	--netns $X --xfer "$root/build/selftests/xtcp_xfer"
