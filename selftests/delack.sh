#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# delack: when the receiver acknowledges (delayed ACK, quick-ACK mode,
# ACK every second full-sized segment, immediate ACKs around a hole and
# for duplicates, the ACK of a FIN, TCP_QUICKACK, SACK compression of a
# burst beyond a hole, the handshake's last ACK of a connecting socket
# held for its first data), driven by scapy from a peer namespace
# (selftests/delack_test.py, one python process, which prints the TAP).
# Namespace X (10.77.18.1) runs one selftests/delack_peer per case (a
# receiver, or a socket connecting to scapy), native (the reference) and
# xtcp; the peer namespace P (10.77.18.2,
# veth) runs scapy, which speaks as 10.77.18.3, an address P's kernel does
# not own (see wire.sh: no RSTs or ICMP of its own).  GRO is off on X's
# veth so that every segment scapy sends reaches TCP on its own.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/delack_peer
X=xtcp-delack-x
P=xtcp-delack-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start delack

if ! { netns_pair $X xda-x 10.77.18.1 $P xda-p 10.77.18.2 &&
	netns_scapy_peer $X xda-x $P xda-p 10.77.18.3 &&
	ip netns exec $X ethtool -K xda-x gro off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/delack_test.py" \
	--iface xda-p --src 10.77.18.3 --dst 10.77.18.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer" --family inet --family xtcp
