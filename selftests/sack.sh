#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sack: the SACK and D-SACK blocks a receiver reports (RFC 2018, RFC 2883)
# on the wire, native TCP (the reference) and xtcp in the same VM
# (selftests/sack_test.py, one python process, which prints the TAP).
# Namespace X (10.77.31.1) runs one selftests/wire_peer listener per case
# and family; the peer namespace P (10.77.31.2, veth) runs scapy, which
# speaks as 10.77.31.3, an address P's kernel does not own (see wire.sh).
# The cases set tcp_timestamps, tcp_sack and tcp_dsack in X, net.ipv4 and
# net.xtcp alike.  TSO and GSO are off on X's veth, so the sniffer sees
# single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-sack-x
P=xtcp-sack-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start sack

if ! { netns_pair $X xsk-x 10.77.31.1 $P xsk-p 10.77.31.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xsk-x $P xsk-p 10.77.31.3 &&
	ip netns exec $X ethtool -K xsk-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/sack_test.py" \
	--iface xsk-p --src 10.77.31.3 --dst 10.77.31.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
