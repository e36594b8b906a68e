#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ecn: Explicit Congestion Notification (RFC 3168) on the wire, driven by
# scapy from a peer namespace (selftests/ecn_test.py, one python process,
# which prints the TAP).  Namespace X (10.77.13.1) runs one
# selftests/wire_peer per case, native (the reference) and xtcp; the peer
# namespace P (10.77.13.2, veth) runs scapy, which speaks as 10.77.13.3, an
# address P's kernel does not own (see wire.sh).  Each case runs the same
# checks against native TCP and xtcp: SYN flags under tcp_ecn 0/1/2 and
# the fallback on a resent SYN, SYN-ACK flags for SYNs that do or do not
# ask, ECT(0) on data but not on pure ACKs, the receiver's ECE echo until
# CWR, the sender's CWR once per window of data.  The case sets
# net.ipv4.tcp_ecn and net.xtcp.tcp_ecn in X together; both ends use
# CUBIC where the native one may be set (the sender case counts on a
# window-based reduction, which BBR does not make).  TSO and GSO are
# off on X's veth, so the sniffer sees segments, not GSO packets.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-ecn-x
P=xtcp-ecn-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start ecn

if ! { netns_pair $X xecn-x 10.77.13.1 $P xecn-p 10.77.13.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xecn-x $P xecn-p 10.77.13.3 &&
	{ ip netns exec $X sysctl -qw net.ipv4.tcp_congestion_control=cubic ||
		ip netns exec $X sysctl net.ipv4.tcp_congestion_control | sed 's/^/# /'; } &&
	ip netns exec $X sysctl -qw net.xtcp.tcp_congestion_control=cubic &&
	ip netns exec $X ethtool -K xecn-x tso off gso off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/ecn_test.py" \
	--iface xecn-p --src 10.77.13.3 --dst 10.77.13.1 --dst-mac "$xmac" \
	--netns $X --peer "$peer" --family inet --family xtcp
