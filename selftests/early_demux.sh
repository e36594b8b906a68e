#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# early_demux: segments of an established connection that arrive over a
# device take the route their socket cached, without an input route
# lookup, for xtcp as for native TCP (net/xtcp/demux.c; Linux's
# tcp_v4_early_demux()).  Namespaces A (10.77.62.1) and B (10.77.62.2)
# joined by a veth pair; xtcp_rr makes ROUNDS (default 200) 1-byte
# request/response rounds from A to B, each byte checked, once per family
# and setting.  The fib:fib_table_lookup trace event, in a trace instance
# of the test's own and kept on from the first run to the last, counts
# the input route lookups (those with an arriving device: iif > 1; the
# lookups of a segment that came without a route, and of an ARP request,
# not the output ones or the source check, which use the loopback
# index).  Not a kprobe: arming one patches kernel text through ftrace,
# and under TCG that hung the guest in text_poke_bp_batch() in 2 of 6
# runs (a soft lockup, CPU 0 looping in int3).  Asserted:
#  - every run completes;
#  - defaults: native makes few lookups (the handshake's segments, which
#    find no established socket with a cached route; at most 20), and
#    xtcp at most native's count plus 10;
#  - with B's routes changed every 20 ms (times XTCP_SLOW) during
#    10 * ROUNDS rounds (each change makes every cached route stale,
#    dst_check()), each stack looks up more routes than with the
#    defaults, and fewer than one per two segments: a stale route is
#    noticed and a fresh one cached (the debug kernel's runs, 11-14 s
#    with changes every 20 ms, looked up 387-435);
#  - net.xtcp.tcp_early_demux = 0 in both namespaces: xtcp looks up a
#    route for every segment (at least 2 * ROUNDS), native is unchanged;
#    net.ipv4.tcp_early_demux = 0: the reverse;
#  - net.ipv4.ip_early_demux = 0: both stacks look up every segment's
#    route (at least 2 * ROUNDS each): xtcp follows the IP layer's
#    switch as native does.
# Counts of lookups, not times: TCG's speed does not move them (the
# route-change case needs at least one change during a run of 2,000
# rounds, which takes over 0.2 s).
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

tap_plan 12
tr=/sys/kernel/tracing
inst=$tr/instances/xtcp-early-demux
ev=fib/fib_table_lookup
cleanup_trace()
{
	[ -d "$inst" ] && { echo 0 >"$inst/events/$ev/enable"; rmdir "$inst"; }
}
trap 'cleanup_trace; procs_cleanup' EXIT

[ -d $tr/instances ] || mount -t tracefs nodev $tr
if ! { netns_pair $A xdemux-a 10.77.62.1 $B xdemux-b 10.77.62.2 &&
	ip -n $A link set lo up && ip -n $B link set lo up &&
	mkdir "$inst" && echo "iif > 1" >"$inst/events/$ev/filter" &&
	echo 1 >"$inst/events/$ev/enable"; }; then
	for _ in $(seq 12); do tap_fail "set up namespaces, veth and trace event"; done
	exit 1
fi

# run FAMILY PORT [ROUNDS]: one xtcp_rr run A -> B with the lookups
# counted; sets ok ("" or why not) and n (lookups).  With flush set, B's
# routes change every 20 ms meanwhile.
flush=""
tick=$(slow 0.02)
run()
{
	local fam=$1 d=$work/$1-$2 spid st sst fpid=""
	mkdir -p "$d"
	ok="" n=0
	echo >"$inst/trace"
	nsenter --net=/run/netns/$B "$rr" server -f "$fam" -l "10.77.62.2:$2" \
		-t "$(slow 20)" -w "$(slow 60)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	if ! wait_line $spid "$d/server.out" "^listening " 10; then
		wait_exit $spid 1
		ok="server did not start: $(tr '\n' ' ' <"$d/server.out")"
		return
	fi
	if [ -n "$flush" ]; then
		# One "ip -batch" fed a route change every 20 ms (times
		# XTCP_SLOW, so that a slower kernel's longer run sees about as
		# many changes a round), no fork each.
		mkfifo "$d/tick"
		while [ ! -e "$d/stop" ]; do
			echo "route add 10.99.0.0/16 dev lo"
			echo "route del 10.99.0.0/16 dev lo"
			read -rt "$tick" -u 3
		done 3<>"$d/tick" | ip -n $B -batch - >"$d/flush.out" 2>&1 &
		fpid=$!
		pids+=("$fpid")
	fi
	timeout -k 5 "$(slow 60)" nsenter --net=/run/netns/$A "$rr" client \
		-f "$fam" -c "10.77.62.2:$2" -n "${3:-$rounds}" -W 10 -t "$(slow 20)" \
		-w "$(slow 50)" >"$d/client.out" 2>&1
	st=$?
	wait_exit $spid "$([ $st = 0 ] && echo 20 || echo 2)"
	sst=$?
	[ -n "$fpid" ] && { touch "$d/stop"; wait_exit $fpid 5; }
	n=$(grep -c 'fib_table_lookup:' "$inst/trace")
	echo "# $fam: $n input route lookups; $(grep -h '^xtcp_rr: client' "$d/client.out")"
	if [ $st != 0 ] || [ $sst != 0 ]; then
		ok="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
	fi
}

# knob NAME VALUE: in both namespaces; a failure is reported (and the
# counts that follow show it).
knob()
{
	ip netns exec $A sysctl -qw "$1=$2" && ip netns exec $B sysctl -qw "$1=$2" ||
		echo "# could not set $1 to $2"
}

port=7620
# both SETTING [ROUNDS]: one run per family; sets ok_inet, ok_xtcp,
# n_inet, n_xtcp.
both()
{
	local fam
	for fam in inet xtcp; do
		port=$((port + 1))
		run $fam $port "${2:-}"
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
d_inet=$n_inet d_xtcp=$n_xtcp
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

flush=1
big=$((10 * rounds))
both "routes changing" $big
flush=""
for fam in inet xtcp; do
	n=n_$fam d=d_$fam
	if [ "${!n}" -gt $((${!d} + 2)) ] && [ "${!n}" -lt "$big" ]; then
		tap_ok "routes changing: $fam notices stale routes and caches fresh ones (${!n} lookups for $big rounds)"
	else
		tap_fail "routes changing: $fam notices stale routes and caches fresh ones" \
			"${!n} lookups for $big rounds, not in ($((${!d} + 2)), $big)"
	fi
done

# knob_case KNOB FAMILY...: with KNOB 0 in both namespaces, FAMILY...
# look up the route of every segment (at least 2 * ROUNDS lookups) and
# the other family no more than with the defaults (at most 20); KNOB is
# 1 again after.
knob_case()
{
	local k=$1 fam n why="" got=""
	shift
	knob "$k" 0
	both "$k=0"
	knob "$k" 1
	for fam in inet xtcp; do
		n=n_$fam
		got+=" $fam ${!n}"
		if [[ " $* " == *" $fam "* ]]; then
			[ "${!n}" -ge $((2 * rounds)) ] || why+=" $fam ${!n} < $((2 * rounds));"
		else
			[ "${!n}" -le 20 ] || why+=" $fam ${!n} > 20;"
		fi
	done
	if [ -z "$why" ]; then
		tap_ok "$k=0: only $* look up every segment's route ($got )"
	else
		tap_fail "$k=0: only $* look up every segment's route" "$why"
	fi
}
knob_case net.xtcp.tcp_early_demux xtcp
knob_case net.ipv4.tcp_early_demux inet
knob_case net.ipv4.ip_early_demux inet xtcp
tap_done
