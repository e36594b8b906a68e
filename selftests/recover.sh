#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# recover: the sender's fast retransmit and its ssthresh across repeated
# retransmission timeouts, native TCP (the reference) and xtcp in the same
# VM (selftests/recover_test.py, one python process, which prints the
# TAP).  Namespace X (10.77.25.1) runs one selftests/wire_peer per
# connection; the peer namespace P (10.77.25.2, veth) runs scapy, which
# speaks as 10.77.25.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-recover-x
P=xtcp-recover-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start recover

if ! { netns_pair $X xrc-x 10.77.25.1 $P xrc-p 10.77.25.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xrc-x $P xrc-p 10.77.25.3 &&
	ip netns exec $X ethtool -K xrc-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/recover_test.py" \
	--iface xrc-p --src 10.77.25.3 --dst 10.77.25.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
