#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# backlog: segments that arrive while the reader holds its socket wait in
# the socket's backlog; native TCP (the reference) and xtcp in the same
# VM.  The reader is selftests/owner_peer in namespace X (10.77.7.1): its
# recv() faults on a userfaultfd page while holding the socket, for as
# long as the case wants.  scapy in namespace P speaks as 10.77.7.3 (an
# address nobody owns, see wire.sh) from selftests/backlog_test.py, which
# prints the TAP.  GRO is off on X's veth so each segment stays an skb.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-backlog-x
P=xtcp-backlog-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start backlog

if ! { netns_pair $X xbl-x 10.77.7.1 $P xbl-p 10.77.7.2 &&
	netns_scapy_peer $X xbl-x $P xbl-p 10.77.7.3 &&
	ip netns exec $X ethtool -K xbl-x gro off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/backlog_test.py" \
	--iface xbl-p --src 10.77.7.3 --dst 10.77.7.1 --dst-mac "$xmac" \
	--netns $X --peer "$root/build/selftests/owner_peer" \
	--family inet --family xtcp
