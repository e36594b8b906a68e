#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# early_demux: segments of an established connection that arrive over a
# device take the route their socket cached, without an input route
# lookup, for xtcp as for native TCP (net/xtcp/demux.c; Linux's
# tcp_v4_early_demux()).  Namespaces A (10.77.62.1) and B (10.77.62.2)
# joined by a veth pair; xtcp_rr makes ROUNDS (default 200) 1-byte
# request/response rounds from A to B, each byte checked, once per family
# and setting.  A kprobe on ip_route_input_noref(), the lookup
# ip_rcv_finish_core() makes for a segment that came without a route,
# counts the lookups for the two addresses in a trace instance of its
# own.  Asserted:
#  - every run completes;
#  - defaults: native makes few lookups (the handshake's segments, which
#    find no established socket with a cached route; at most 20), and
#    xtcp at most native's count plus 10;
#  - net.xtcp.tcp_early_demux = 0 in both namespaces: xtcp looks up a
#    route for every segment (at least 2 * ROUNDS), native is unchanged;
#  - net.ipv4.ip_early_demux = 0: both stacks look up every segment's
#    route (at least 2 * ROUNDS each): xtcp follows the IP layer's
#    switch as native does.
# Counts of lookups, not times: TCG's speed does not move them.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
rr=$root/build/selftests/xtcp_rr
rounds=${XTCP_DEMUX_ROUNDS:-200}
A=xtcp-demux-a
B=xtcp-demux-b
. "$(dirname "$0")/lib/procs.sh"
procs_start early_demux

tap_plan 8
tr=/sys/kernel/tracing
inst=$tr/instances/xtcp-early-demux
ev=xtcp_demux/route_input
cleanup_trace()
{
	[ -d "$inst" ] && { echo 0 >"$inst/events/$ev/enable"; rmdir "$inst"; }
	grep -q "^p:$ev " "$tr/kprobe_events" 2>/dev/null &&
		echo "-:$ev" >>"$tr/kprobe_events"
}
trap 'cleanup_trace; procs_cleanup' EXIT

[ -d $tr/instances ] || mount -t tracefs nodev $tr
# 10.77.62.1 and .2 as the u32 the kernel sees on a little-endian CPU.
filter="daddr == 0x013e4d0a || daddr == 0x023e4d0a"
if ! { netns_pair $A xdemux-a 10.77.62.1 $B xdemux-b 10.77.62.2 &&
	ip -n $A link set lo up && ip -n $B link set lo up &&
	echo "p:$ev ip_route_input_noref daddr=\$arg2:u32" >>$tr/kprobe_events &&
	mkdir "$inst" && echo "$filter" >"$inst/events/$ev/filter"; }; then
	for _ in $(seq 8); do tap_fail "set up namespaces, veth and kprobe"; done
	exit 1
fi

# run FAMILY PORT: one xtcp_rr run A -> B with the lookups counted; sets
# ok ("" or why not) and n (lookups).
run()
{
	local fam=$1 d=$work/$1-$2 spid st sst
	mkdir -p "$d"
	ok="" n=0
	echo >"$inst/trace"
	echo 1 >"$inst/events/$ev/enable"
	nsenter --net=/run/netns/$B "$rr" server -f "$fam" -l "10.77.62.2:$2" \
		-t "$(slow 20)" -w "$(slow 60)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	if ! wait_line $spid "$d/server.out" "^listening " 10; then
		echo 0 >"$inst/events/$ev/enable"
		wait_exit $spid 1
		ok="server did not start: $(tr '\n' ' ' <"$d/server.out")"
		return
	fi
	timeout -k 5 "$(slow 60)" nsenter --net=/run/netns/$A "$rr" client \
		-f "$fam" -c "10.77.62.2:$2" -n "$rounds" -W 10 -t "$(slow 20)" \
		-w "$(slow 50)" >"$d/client.out" 2>&1
	st=$?
	wait_exit $spid "$([ $st = 0 ] && echo 20 || echo 2)"
	sst=$?
	echo 0 >"$inst/events/$ev/enable"
	n=$(grep -c 'route_input:' "$inst/trace")
	echo "# $fam: $n input route lookups; $(grep -h '^xtcp_rr: client' "$d/client.out")"
	if [ $st != 0 ] || [ $sst != 0 ]; then
		ok="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
	fi
}

knob()
{
	ip netns exec $A sysctl -qw "$1=$2" && ip netns exec $B sysctl -qw "$1=$2"
}

port=7620
# both SETTING: one run per family; sets ok_inet, ok_xtcp, n_inet, n_xtcp.
both()
{
	local fam
	for fam in inet xtcp; do
		port=$((port + 1))
		run $fam $port
		printf -v "ok_$fam" '%s' "$ok"
		printf -v "n_$fam" '%s' "$n"
	done
	if [ -n "$ok_inet$ok_xtcp" ]; then
		tap_fail "$1: both runs complete" "inet: $ok_inet; xtcp: $ok_xtcp"
	else
		tap_ok "$1: both runs complete"
	fi
}

both "defaults"
if [ "$n_inet" -le 20 ]; then
	tap_ok "defaults: native looks up at most 20 routes ($n_inet)"
else
	tap_fail "defaults: native looks up at most 20 routes" "$n_inet"
fi
if [ "$n_xtcp" -le $((n_inet + 10)) ]; then
	tap_ok "defaults: xtcp looks up at most native's + 10 ($n_xtcp, native $n_inet)"
else
	tap_fail "defaults: xtcp looks up at most native's + 10" "xtcp $n_xtcp, native $n_inet"
fi

knob net.xtcp.tcp_early_demux 0 || tap_fail "set net.xtcp.tcp_early_demux 0"
both "net.xtcp.tcp_early_demux=0"
if [ "$n_xtcp" -ge $((2 * rounds)) ]; then
	tap_ok "net.xtcp.tcp_early_demux=0: xtcp looks up every segment's route ($n_xtcp)"
else
	tap_fail "net.xtcp.tcp_early_demux=0: xtcp looks up every segment's route" \
		"$n_xtcp < $((2 * rounds))"
fi
if [ "$n_inet" -le 20 ]; then
	tap_ok "net.xtcp.tcp_early_demux=0: native unchanged ($n_inet)"
else
	tap_fail "net.xtcp.tcp_early_demux=0: native unchanged" "$n_inet"
fi
knob net.xtcp.tcp_early_demux 1 || tap_fail "set net.xtcp.tcp_early_demux 1"

knob net.ipv4.ip_early_demux 0 || tap_fail "set net.ipv4.ip_early_demux 0"
both "net.ipv4.ip_early_demux=0"
if [ "$n_inet" -ge $((2 * rounds)) ] && [ "$n_xtcp" -ge $((2 * rounds)) ]; then
	tap_ok "net.ipv4.ip_early_demux=0: both look up every segment's route (native $n_inet, xtcp $n_xtcp)"
else
	tap_fail "net.ipv4.ip_early_demux=0: both look up every segment's route" \
		"native $n_inet, xtcp $n_xtcp, not both >= $((2 * rounds))"
fi
tap_done
