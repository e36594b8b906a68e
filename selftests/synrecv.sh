#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# synrecv: what a SYN queue entry (SYN-RECEIVED of a passive open) and a
# TIME_WAIT entry do with each kind of segment, native TCP the reference:
# selftests/synrecv_test.py (scapy, one python process, prints the TAP)
# runs every case against a selftests/wire_peer listener of each family
# in namespace X (10.77.7.1) from the peer namespace P (10.77.7.2, veth),
# speaking as 10.77.7.3, an address P's kernel does not own (no RSTs or
# ICMP of its own, see wire.sh), and asserts that xtcp answers as native
# TCP did and ends in the same state.  Four runs (case, family) at a time,
# each on its own port (XTCP_SYNRECV_JOBS=1: one after another): about
# 40 s instead of 140 s.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-synrecv-x
P=xtcp-synrecv-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start synrecv

if ! { netns_pair $X xsr-x 10.77.7.1 $P xsr-p 10.77.7.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xsr-x $P xsr-p 10.77.7.3 &&
	ip netns exec $X ethtool -K xsr-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/synrecv_test.py" \
	--iface xsr-p --src 10.77.7.3 --dst 10.77.7.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
