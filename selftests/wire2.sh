#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# wire2: segment-level behaviour of single scripted connections, driven by
# scapy from a peer namespace (selftests/wire2_test.py, one python
# process, which prints the TAP).  Namespace X (10.77.6.1) runs one
# selftests/wire_peer per case, native (the reference) and xtcp; the peer
# namespace P (10.77.6.2, veth) runs scapy, which speaks as 10.77.6.3, an
# address P's kernel does not own (see wire.sh: no RSTs or ICMP of its
# own).  Cases: simultaneous open, PSH placement in a multi-segment
# write, zero-window probe timing and probe counting, data after close(),
# the route of a RST reply: X reaches 10.77.6.4 through a second veth
# pair (xw2-x2/xw2-p2, reverse path filter off), so a RST answering a
# segment from 10.77.6.4 that came in on the first must leave by the
# second; and an ACK storm between X and P's own kernel (10.77.6.2),
# native with native and xtcp with xtcp, after one injected segment.
# tcp_retries2 is 2 in X (native and xtcp), so that answered probes that
# were still counted would abort the connection within the case; in X and
# P, so that connections a case leaves desynchronized end within seconds.  TSO
# and GSO are off on X's veth, so the sniffer sees the segments a wire
# would, not GSO packets (veth passes those on whole).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/wire_peer
X=xtcp-wire2-x
P=xtcp-wire2-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start wire2

# One sysctl process per namespace sets all its knobs: each process
# started costs up to seconds on a loaded host.
t0=${EPOCHREALTIME/./}
if ! { netns_pair $X xw2-x 10.77.6.1 $P xw2-p 10.77.6.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xw2-x $P xw2-p 10.77.6.3 &&
	ip netns exec $X sysctl -qw net.ipv4.tcp_retries2=2 net.xtcp.tcp_retries2=2 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.xw2-x.rp_filter=0 &&
	ip netns exec $P sysctl -qw net.ipv4.tcp_retries2=2 net.xtcp.tcp_retries2=2 &&
	ip netns exec $X ethtool -K xw2-x tso off gso off >/dev/null &&
	ip link add xw2-x2 netns $X type veth peer name xw2-p2 netns $P &&
	ip -n $X link set xw2-x2 up && ip -n $P link set xw2-p2 up &&
	p2mac=$(ip -n $P -br link show xw2-p2 | awk '{ print $3 }') &&
	ip -n $X route add 10.77.6.4/32 dev xw2-x2 &&
	ip -n $X neigh replace 10.77.6.4 lladdr "$p2mac" dev xw2-x2 nud permanent; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

echo "# namespaces set up in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/wire2_test.py" \
	--iface xw2-p --src 10.77.6.3 --dst 10.77.6.1 --dst-mac "$xmac" \
	--iface2 xw2-p2 --src2 10.77.6.4 \
	--netns $X --pnetns $P --pnet-src 10.77.6.2 --pnet-mac "$pmac" \
	--peer "$peer" --family inet --family xtcp
