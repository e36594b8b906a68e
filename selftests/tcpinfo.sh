#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tcpinfo: getsockopt(TCP_INFO) and the recovery counters
# (/proc/net/xtcp_netstat, /proc/net/xtcp_snmp) after scripted losses,
# native TCP (the reference) and xtcp in the same VM
# (selftests/tcpinfo_test.py, one python process, which prints the TAP).
# Namespace X (10.77.61.1) runs one selftests/wire_peer per connection,
# the sender; the peer namespace P (10.77.61.2, veth) runs scapy, which
# speaks as 10.77.61.3, an address P's kernel does not own (see wire.sh).
# TSO and GSO are off on X's veth, so the sniffer sees single segments.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-tcpinfo-x
P=xtcp-tcpinfo-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start tcpinfo

if ! { netns_pair $X xti-x 10.77.61.1 $P xti-p 10.77.61.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xti-x $P xti-p 10.77.61.3 &&
	ip netns exec $X ethtool -K xti-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/tcpinfo_test.py" \
	--iface xti-p --src 10.77.61.3 --dst 10.77.61.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer"
