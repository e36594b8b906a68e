#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# paws_wscale: PAWS and a reordered duplicate ACK on a connection with
# window scaling, native TCP (the reference) and xtcp in the same VM
# (selftests/paws_wscale_test.py, one python process, prints the TAP).
# Namespace X (10.77.41.1) runs one selftests/wire_peer per family; the
# peer namespace P (10.77.41.2, veth) runs scapy, which speaks as
# 10.77.41.3, an address P's kernel does not own (see wire.sh).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-pawsws-x
P=xtcp-pawsws-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start paws_wscale

if ! { netns_pair $X xpw-x 10.77.41.1 $P xpw-p 10.77.41.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xpw-x $P xpw-p 10.77.41.3 &&
	ip netns exec $X ethtool -K xpw-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/paws_wscale_test.py" \
	--iface xpw-p --src 10.77.41.3 --dst 10.77.41.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
