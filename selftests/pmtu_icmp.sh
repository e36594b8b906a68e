#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pmtu_icmp: which ICMP "fragmentation needed" messages make the sender
# retransmit, native TCP (the reference) and xtcp in the same VM
# (selftests/pmtu_icmp_test.py, one python process, which prints the
# TAP).  Namespace X (10.77.53.1) runs one selftests/wire_peer per
# connection; the peer namespace P (10.77.53.2, veth) runs scapy, which
# speaks as 10.77.53.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-pmtui-x
P=xtcp-pmtui-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start pmtu_icmp

if ! { netns_pair $X xpi-x 10.77.53.1 $P xpi-p 10.77.53.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xpi-x $P xpi-p 10.77.53.3 &&
	ip netns exec $X sysctl -qw net.ipv4.ip_no_pmtu_disc=0 &&
	ip netns exec $X ethtool -K xpi-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/pmtu_icmp_test.py" \
	--iface xpi-p --src 10.77.53.3 --dst 10.77.53.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
