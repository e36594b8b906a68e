#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# syncookies: a SYN flood from spoofed sources at a listener with a small
# backlog, while a client makes 100 connections with exact data, native
# TCP (the reference) and xtcp in the same VM (selftests/syncookies_test.py,
# which prints the TAP).  Namespace X (10.77.47.1) runs the listeners
# (xtcp_xfer server -B 16); P (10.77.47.2) runs the client and scapy,
# which sends the SYNs as 10.77.48.0/24, addresses X routes through
# 10.77.47.3, which nobody owns (netns_scapy_peer): the SYN-ACKs go
# nowhere and the SYN queue stays full.
#
# Nothing but the listener holds an ended connection's 4-tuple on the
# server's side (the server closes second: LAST_ACK, no TIME_WAIT), and a
# cookie is linear in the two sequence numbers: the client's last ACK
# (10 KiB and a FIN each way) is a valid cookie again.  So a client
# segment that reaches the server after the connection's last ACK makes
# a second child or counts as SyncookiesFailed with a RST, for either
# stack.  The test bed made such segments; it no longer does:
# - both ends receive in order (netns_rx_in_order): the two vCPUs'
#   backlogs reordered the client's segments at X (one sent before the
#   last ACK was taken after it; or two segments of a new connection
#   passed the cookie check on both CPUs, one child losing its
#   insertion), and the server's at P (a FIN overtaking the data before
#   it made the server's RACK resend that data, and the client in
#   TIME_WAIT answered the resend);
# - X has no tail loss probes (tcp_early_retrans 0, both stacks,
#   syncookies_test.py): the client's delayed ACKs, slow on the debug
#   kernel, let the server's probe of its last segment go out, and the
#   client in TIME_WAIT answered it.
# On the debug kernel, two VMs at once, six runs with neither: native
# SyncookiesFailed 2 in one, xtcp 1 in one and a child left established
# in two; 101-109 PassiveOpens for 100 connections.  Six with in-order
# receive alone: 100 exactly for both stacks, but one xtcp child left, by
# a probe (above).  Six with both: 100 exactly, nothing failed or left.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-cookie-x
P=xtcp-cookie-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start syncookies

if ! { netns_pair $X xck-x 10.77.47.1 $P xck-p 10.77.47.2 &&
	netns_scapy_peer $X xck-x $P xck-p 10.77.47.3 &&
	ip -n $X route add 10.77.48.0/24 via 10.77.47.3 dev xck-x &&
	netns_rx_in_order $X xck-x && netns_rx_in_order $P xck-p; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth, route, neighbour entry and RPS"
	exit 1
fi

timeout -k 5 "$(slow 900)" ip netns exec $P python3 "$root/selftests/syncookies_test.py" \
	--iface xck-p --dst 10.77.47.1 --dst-mac "$xmac" --spoof 10.77.48 \
	--netns $X --xfer "$root/build/selftests/xtcp_xfer"
