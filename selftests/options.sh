#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# options: what the handshake negotiates and the windows that follow
# (selftests/options_test.py, one python process, which prints the TAP):
# SYN and SYN-ACK options and windows under tcp_sack x tcp_window_scaling,
# our window shift for several tcp_rmem[2] and SO_RCVBUF settings, the
# peer's shift 15 taken as 14, scaled windows on data ACKs after a bulk
# transfer, a right window edge that never moves left while the
# reader does not read, and the MSS a listener on loopback offers (both
# ends in X on 127.0.0.1, tcpdump on X's lo: 65495, not lo's MTU less
# 40) and with an advmss or mtu metric on X's route back to scapy.
# Every case runs against native TCP (the reference) and xtcp in the
# same namespaces and compares.
#
# Namespace X (10.77.23.1) holds the native or xtcp end, an options_peer
# process per case; P (10.77.23.2, veth) runs scapy, which speaks as
# 10.77.23.3, an address P's kernel does not own (see wire.sh).  The bulk
# case sends from P's own address with options_peer, of the same family.
# TSO/GSO/GRO are off on both veths, so the sniffer sees segments as a
# wire would.  The net.ipv4 and net.xtcp knobs the cases change are set
# in X only, per case, and X is deleted at the end.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/options_peer
X=xtcp-opts-x
P=xtcp-opts-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start options

if ! { netns_pair $X xop-x 10.77.23.1 $P xop-p 10.77.23.2 &&
	netns_scapy_peer $X xop-x $P xop-p 10.77.23.3 &&
	ip -n $X link set lo up &&
	ip netns exec $X ethtool -K xop-x tso off gso off gro off >/dev/null &&
	ip netns exec $P ethtool -K xop-p tso off gso off gro off >/dev/null; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 900)" ip netns exec $P python3 "$root/selftests/options_test.py" \
	--iface xop-p --src 10.77.23.3 --dst 10.77.23.1 --dst-mac "$xmac" \
	--psrc 10.77.23.2 --netns $X --pnetns $P --peer "$peer" --xdev xop-x
