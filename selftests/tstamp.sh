#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tstamp: TCP timestamps (RFC 7323) on the wire, native TCP (the
# reference) and xtcp in the same VM (selftests/tstamp_test.py, one python
# process, which prints the TAP).  Namespace X (10.77.21.1) runs one
# selftests/wire_peer per case and family; the peer namespace P
# (10.77.21.2, veth) runs scapy, which speaks as 10.77.21.3, an address
# P's kernel does not own (see wire.sh).  The cases set tcp_timestamps,
# tcp_sack and tcp_window_scaling in X, net.ipv4 and net.xtcp alike.
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
# Measured (host load about 3): 80 s; 171 s before the families ran
# together and the knobs were set once per change.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-tstamp-x
P=xtcp-tstamp-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start tstamp

if ! { netns_pair $X xts-x 10.77.21.1 $P xts-p 10.77.21.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xts-x $P xts-p 10.77.21.3 &&
	ip netns exec $X ethtool -K xts-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/tstamp_test.py" \
	--iface xts-p --src 10.77.21.3 --dst 10.77.21.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
