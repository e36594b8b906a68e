#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sack_recovery: which sequence ranges a SACK-enabled sender retransmits,
# and when, after losses that scapy (the receiver) stages: native TCP (the
# reference) and xtcp in the same VM (selftests/sack_recovery_test.py, one
# python process, which prints the TAP and says what each case asserts).
# Namespace X (10.77.33.1) runs one selftests/wire_peer per connection,
# the sender; the peer namespace P (10.77.33.2, veth) runs scapy, which
# speaks as 10.77.33.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
# The veth's MTU is 1512, so that with timestamps (case (l), which offers
# MSS 1472) data segments still hold 1460 bytes; the other cases offer
# MSS 1460.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-sackrec-x
P=xtcp-sackrec-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start sack_recovery

if ! { netns_pair $X xsa-x 10.77.33.1 $P xsa-p 10.77.33.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xsa-x $P xsa-p 10.77.33.3 &&
	ip netns exec $X ethtool -K xsa-x tso off gso off >/dev/null &&
	ip -n $X link set xsa-x mtu 1512 && ip -n $P link set xsa-p mtu 1512; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 850)" ip netns exec $P python3 "$root/selftests/sack_recovery_test.py" \
	--iface xsa-p --src 10.77.33.3 --dst 10.77.33.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
