#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lossy: data arrives byte-exact over a path that loses packets.  netem
# drops 5% of the packets leaving each end of a veth pair between two
# namespaces (10.77.2.1/24 <-> 10.77.2.2/24), one pair of namespaces per
# case, so that the four cases run at the same time (each spends most of
# its time waiting for retransmission timers).  Each case moves
# XTCP_LOSSY_BYTES (default 8M) each way through one connection, checked
# byte for byte by xtcp_xfer: xtcp client with a native server, native
# client with an xtcp server, xtcp with xtcp, and native with native as
# the reference.  8 MiB is about 5,800 full segments each way: at 5% some
# 290 data segments dropped a direction and as many ACKs, about 15 of
# them retransmissions lost again, so every kind of loss event (fast
# retransmit, timeout, a lost retransmission, a lost ACK) comes many
# times over; 16 MiB only repeated them, and the xtcp cases, at 0.3-0.4
# MB/s under loss, took 80-125 s of make check's time.  netem's drop counters must have grown on both ends
# during the case, so the loss really was there.  TSO and GSO are off on
# the veth and gso_max_segs is 1 (netns_netem_pair()), so that netem drops
# single segments for both stacks, not the GSO skbs of several segments a
# TCP socket builds whatever the device offers (cut only after the qdisc;
# until 2026-12-05 netem dropped those whole: the same share of segments
# lost, in bursts of 3 to 9 on chaos's path, a stack's own skb size).
#
# Timeouts: a case fails after 240 s (xtcp_xfer's watchdog), or after 60 s
# without progress on one call, both scaled by XTCP_SLOW; the cases run
# at the same time, well inside the runner's 15 minutes per test.  Native
# TCP needs 6-12 s per case here under TCG (RTOs of at least 200 ms when
# a retransmission is lost too).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes_arg=${XTCP_LOSSY_BYTES:-8M}
bytes=$(numfmt --from=iec "$bytes_arg") || exit 1
loss=${XTCP_LOSSY_LOSS:-5%}
CASES="inet:inet xtcp:inet inet:xtcp xtcp:xtcp"	# client:server
netns=()
for c in $CASES; do
	netns+=("xtcp-lossy-a-${c/:/-}" "xtcp-lossy-b-${c/:/-}")
done
work=$(mktemp -d /tmp/xtcp-lossy.XXXXXX)
pids=()

trap procs_cleanup EXIT

# setup A B: namespace A (clients) and B (servers) of one case.
setup()
{
	netns_netem_pair $1 xls-a 10.77.2.1 $2 xls-b 10.77.2.2 loss "$loss"
}

# run_case CLIENT_FAMILY SERVER_FAMILY PORT: writes its TAP line (and
# comments) to $work/CLIENT_FAMILY-SERVER_FAMILY/tap.
run_case()
{
	local cf=$1 sf=$2 port=$3 d=$work/$1-$2 name="$1 client -> $2 server"
	local why="" st sst t0 da db spid A=xtcp-lossy-a-$1-$2 B=xtcp-lossy-b-$1-$2
	mkdir -p "$d"
	if ! setup $A $B; then
		echo "fail set up namespaces, veth and netem" >"$d/tap"
		return
	fi
	da=$(netem_drops $A xls-a) db=$(netem_drops $B xls-b)
	t0=$(date +%s.%N)
	ip netns exec $B "$xfer" server -f "$sf" -l "10.77.2.2:$port" -n 1 -b "$bytes" \
		-t "$(slow 60)" -w "$(slow 250)" >"$d/server.out" 2>&1 &
	spid=$!
	if wait_line $spid "$d/server.out" "^listening " 10; then
		timeout -k 5 "$(slow 250)" ip netns exec $A "$xfer" client -f "$cf" -c "10.77.2.2:$port" \
			-s "$bytes" -r "$bytes" -t "$(slow 60)" -w "$(slow 240)" >"$d/client.out" 2>&1
		st=$?
		wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
		sst=$?
		if [ $st != 0 ] || [ $sst != 0 ]; then
			why="client exit $st, server exit $sst: $(cat "$d/client.out" "$d/server.out" | tr '\n' ' ')"
		elif [ "$(result_field "$d/client.out" received)" != "$bytes" ] ||
			[ "$(result_field "$d/server.out" received)" != "$bytes" ]; then
			why="byte counts differ from $bytes: $(cat "$d/client.out" "$d/server.out" | tr '\n' ' ')"
		fi
	else
		wait_exit $spid 1
		why="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
	fi
	da=$(($(netem_drops $A xls-a) - da)) db=$(($(netem_drops $B xls-b) - db))
	{
		grep -h '^xtcp_xfer: client family=' "$d/client.out" 2>/dev/null | sed "s/^/# $name: /"
		echo "# $name: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s, netem dropped $da (client side) and $db (server side)"
		if [ -z "$why" ] && { [ "$da" -eq 0 ] || [ "$db" -eq 0 ]; }; then
			why="netem dropped nothing on one side: the path was not lossy"
		fi
		echo "${why:+fail }${why:-ok}"
	} >"$d/tap"
	ip netns del $A
	ip netns del $B
}

tap_plan 4
port=5201
for c in $CASES; do
	run_case "${c%:*}" "${c#*:}" $port &
	pids+=($!)
	port=$((port + 1))
done
# The case's own limits end it first (the client's timeout, then 30 s for
# the server).
for p in "${pids[@]}"; do
	wait_exit "$p" 300
done
for c in $CASES; do
	d=$work/${c/:/-}
	name="${c%:*} client -> ${c#*:} server: $bytes_arg each way byte-exact with $loss loss each way"
	grep '^#' "$d/tap" 2>/dev/null
	res=$(grep -v '^#' "$d/tap" 2>/dev/null)
	if [ "$res" = ok ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "${res#fail }"
	fi
done

tap_done
