#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# timers: the timing of every connection timer on xtcp's timer wheel
# against native TCP's (the reference) in the same VM: SYN back-off and
# ETIMEDOUT, RTO back-off, unanswered zero-window probes and their
# give-up, TIME_WAIT's 60 s, the orphaned FIN_WAIT2 timeout, and an RTO
# that expires while the user owns the socket (done by release_sock()).
# selftests/timers_test.py (scapy, one python process, prints the TAP and
# the times measured) drives selftests/wire_peer and selftests/owner_peer
# in namespace X (10.77.11.1) from the peer namespace P (10.77.11.2, veth),
# speaking as 10.77.11.3, an address P's kernel does not own (see wire.sh:
# no RSTs or ICMP of its own).  In X, for both stacks: tcp_syn_retries=3
# (SYNs at 0, 1, 3, 7 s, ETIMEDOUT at 15 s) and tcp_fin_timeout=3; the
# zero-window case sets tcp_retries2=3 for its own run (three unanswered
# probes, then the connection is dropped) and puts 15 back.  TSO and GSO are off on X's veth, so the sniffer
# sees single segments.  About 70 s: TIME_WAIT's 60 s is the longest,
# and the close cases (all four at once) run in the background while the
# other cases run one after another.  The tolerances of each
# check are in timers_test.py; XTCP_TIMERS_CASES="syn_backoff ..." runs
# only the cases named; XTCP_SLOW scales only the waits that bound
# the machine, not the protocol's timings.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"
. "$(dirname "$0")/lib/slow.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
X=xtcp-timers-x
P=xtcp-timers-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start timers

setup()
{
	local s

	netns_pair $X xtm-x 10.77.11.1 $P xtm-p 10.77.11.2 &&
		ip -n $X link set lo up &&
		netns_scapy_peer $X xtm-x $P xtm-p 10.77.11.3 &&
		ip netns exec $X ethtool -K xtm-x tso off gso off >/dev/null ||
		return 1
	for s in ipv4 xtcp; do
		ip netns exec $X sysctl -qw net.$s.tcp_syn_retries=3 &&
			ip netns exec $X sysctl -qw net.$s.tcp_fin_timeout=3 ||
			return 1
	done
}

if ! setup; then
	tap_plan 1
	tap_fail "set up namespaces, veth, neighbour entry and sysctls"
	exit 1
fi

timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/timers_test.py" \
	--iface xtm-p --src 10.77.11.3 --dst 10.77.11.1 --dst-mac "$xmac" \
	--netns $X --peer "$root/build/selftests/wire_peer" \
	--owner "$root/build/selftests/owner_peer" \
	$(for c in ${XTCP_TIMERS_CASES:-}; do echo "--case $c"; done)
