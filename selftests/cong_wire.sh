#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# cong_wire: congestion control on the wire (initial window, slow start,
# the reduction on a fast retransmit, congestion avoidance, HyStart++),
# native TCP (the reference) and xtcp in the same VM, with Reno and
# CUBIC; scapy is the receiver, answering round by round
# (selftests/cong_wire_test.py, one python process, which prints the
# TAP and says what each case asserts).
# Namespace X (10.77.63.1) runs one selftests/wire_peer per connection,
# the sender; the peer namespace P (10.77.63.2, veth) runs scapy, which
# speaks as 10.77.63.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-congwire-x
P=xtcp-congwire-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start cong_wire

if ! { netns_pair $X xcw-x 10.77.63.1 $P xcw-p 10.77.63.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xcw-x $P xcw-p 10.77.63.3 &&
	ip netns exec $X ethtool -K xcw-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 400)" ip netns exec $P python3 "$root/selftests/cong_wire_test.py" \
	--iface xcw-p --src 10.77.63.3 --dst 10.77.63.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
