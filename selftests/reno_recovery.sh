#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# reno_recovery: what a sender without SACK (NewReno, limited transmit,
# PRR, F-RTO) sends after losses that scapy (the receiver, which offers
# no SACK) stages: native TCP (the reference) and xtcp in the same VM
# (selftests/reno_recovery_test.py, one python process, which prints the
# TAP and says what each case asserts).
# Namespace X (10.77.35.1) runs one selftests/wire_peer per connection,
# the sender; the peer namespace P (10.77.35.2, veth) runs scapy, which
# speaks as 10.77.35.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-renorec-x
P=xtcp-renorec-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start reno_recovery

if ! { netns_pair $X xrn-x 10.77.35.1 $P xrn-p 10.77.35.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xrn-x $P xrn-p 10.77.35.3 &&
	ip netns exec $X ethtool -K xrn-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 300)" ip netns exec $P python3 "$root/selftests/reno_recovery_test.py" \
	--iface xrn-p --src 10.77.35.3 --dst 10.77.35.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
