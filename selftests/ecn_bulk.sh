#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ecn_bulk: bulk transfers between two ECN-enabled ends through a path
# that marks CE instead of dropping (netem "loss 1% ecn" on both veth
# ends: ECT packets are marked, others dropped), for every pairing of
# xtcp and native TCP (inet -> inet is the reference that shows the bed
# works).  net.ipv4.tcp_ecn and net.xtcp.tcp_ecn are 1 in both
# namespaces, so every connection negotiates ECN and every sender sees
# ECE many times per transfer.  gso_max_segs 1 on both ends: netem marks
# single segments, not the GSO skbs a TCP socket builds whatever the
# device offers (selftests/lib/netns.sh, netns_netem_pair).  Each case moves XTCP_ECN_BYTES (default
# 2M) each way with xtcp_xfer, which checks every byte: one result per
# pairing.  A case fails after 60 s (xtcp_xfer's watchdog, scaled by
# XTCP_SLOW); native TCP takes a few seconds per case under TCG.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes=$(numfmt --from=iec "${XTCP_ECN_BYTES:-2M}") || exit 1
A=xtcp-ecnb-a
B=xtcp-ecnb-b
netns=($A $B)
. "$(dirname "$0")/lib/procs.sh"
procs_start ecn_bulk

pairs=("inet inet" "xtcp xtcp" "xtcp inet" "inet xtcp")
tap_plan ${#pairs[@]}

if ! { netns_pair $A xecnb-a 10.77.14.1 $B xecnb-b 10.77.14.2 &&
	ip -n $A link set lo up && ip -n $B link set lo up &&
	ip -n $A link set dev xecnb-a gso_max_segs 1 &&
	ip -n $B link set dev xecnb-b gso_max_segs 1 &&
	ip netns exec $A tc qdisc add dev xecnb-a root netem loss 1% ecn &&
	ip netns exec $B tc qdisc add dev xecnb-b root netem loss 1% ecn &&
	ip netns exec $A sysctl -qw net.ipv4.tcp_ecn=1 net.xtcp.tcp_ecn=1 &&
	ip netns exec $B sysctl -qw net.ipv4.tcp_ecn=1 net.xtcp.tcp_ecn=1; }; then
	for p in "${pairs[@]}"; do
		tap_fail "$p: set up namespaces, veth and netem"
	done
	exit 1
fi

port=7400
for p in "${pairs[@]}"; do
	read -r cf sf <<<"$p"
	port=$((port + 1))
	name="$cf client -> $sf server, CE-marking path"
	d=$work/$cf-$sf
	mkdir -p "$d"
	ip netns exec $B "$xfer" server -f "$sf" -l "10.77.14.2:$port" -n 1 \
		-b "$bytes" -t "$(slow 30)" -w "$(slow 70)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	why=""
	if wait_line $spid "$d/server.out" "^listening " 10; then
		timeout -k 5 "$(slow 70)" ip netns exec $A "$xfer" client -f "$cf" \
			-c "10.77.14.2:$port" -s "$bytes" -r "$bytes" \
			-t "$(slow 30)" -w "$(slow 60)" >"$d/client.out" 2>&1
		st=$?
		wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
		sst=$?
		if [ $st != 0 ] || [ $sst != 0 ]; then
			why="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
		elif [ "$(result_field "$d/client.out" received)" != "$bytes" ] ||
			[ "$(result_field "$d/server.out" received)" != "$bytes" ]; then
			why="byte counts differ from $bytes"
		fi
	else
		wait_exit $spid 1
		why="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
	fi
	grep -h '^xtcp_xfer: client' "$d/client.out" 2>/dev/null | sed "s/^/# $name: /"
	if [ -z "$why" ]; then
		tap_ok "$name: $bytes bytes each way, byte-exact"
	else
		tap_fail "$name: $bytes bytes each way, byte-exact" "$why"
	fi
done
ip netns exec $A tc -s qdisc show dev xecnb-a | sed 's/^/# A: /'
ip netns exec $B tc -s qdisc show dev xecnb-b | sed 's/^/# B: /'
