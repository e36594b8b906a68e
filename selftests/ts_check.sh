#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ts_check: what a connection does with a SYN, SYN-ACK or data segment it
# must not take (timestamps, RFC 7323; receive memory), and the window
# it offers once open with timestamps, native TCP (the reference) and
# xtcp in the same VM (selftests/ts_check_test.py, one python process,
# prints the TAP).  Namespace X (10.77.43.1) runs one selftests/wire_peer per case
# and family; the peer namespace P (10.77.43.2, veth) runs scapy, which
# speaks as 10.77.43.3, an address P's kernel does not own (see wire.sh).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-tscheck-x
P=xtcp-tscheck-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start ts_check

if ! { netns_pair $X xtc-x 10.77.43.1 $P xtc-p 10.77.43.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xtc-x $P xtc-p 10.77.43.3 &&
	ip netns exec $X ethtool -K xtc-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/ts_check_test.py" \
	--iface xtc-p --src 10.77.43.3 --dst 10.77.43.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
