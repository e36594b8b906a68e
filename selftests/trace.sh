#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# trace: xtcp's trace events (tracefs events/xtcp/, include/trace/events/
# xtcp.h) against their native TCP counterparts (sock:inet_sock_set_state,
# tcp:tcp_probe, tcp:tcp_retransmit_skb, tcp:tcp_send_reset and
# tcp:tcp_receive_reset), the same cases run on both stacks in the same
# VM, in one trace instance of its own (selftests/trace_test.py, which
# prints the TAP).  Namespace X (10.77.44.1) runs the clients: over its
# loopback, and to P (10.77.44.2) over a veth with 5% netem loss on
# X's side, one segment per skb (gso_max_segs 1: TCP builds GSO skbs
# whatever the device offers, and netem drops whole skbs); 10.77.44.3 is an address nobody owns (netns_scapy_peer), where
# SYNs go unanswered.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-trace-x
P=xtcp-trace-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start trace

if ! { netns_pair $X xtr-x 10.77.44.1 $P xtr-p 10.77.44.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xtr-x $P xtr-p 10.77.44.3 &&
	ip -n $X link set dev xtr-x gso_max_segs 1 &&
	ip netns exec $X tc qdisc add dev xtr-x root netem loss 5%; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth, netem and neighbour entry"
	exit 1
fi

timeout -k 5 "$(slow 600)" python3 "$root/selftests/trace_test.py" \
	--netns $X --peer-netns $P --loop-addr 127.0.0.1 \
	--peer-addr 10.77.44.2 --dark-addr 10.77.44.3 \
	--tool "$root/build/selftests/xtcp_tool" --lossy-dev xtr-x \
	--xfer "$root/build/selftests/xtcp_xfer"
