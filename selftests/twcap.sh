#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# twcap: tcp_max_tw_buckets, native TCP as the reference (issue 6 item 7).
# In a namespace over loopback, xtcp_xfer runs one connection whose client
# closes first, so the client's end goes to TIME_WAIT.  With the default
# tcp_max_tw_buckets the entry is there; with 0 the closing socket skips
# TIME_WAIT (Linux's inet_twsk_alloc()); for both families.  TIME_WAIT
# entries are counted in ss (native) and /proc/net/xtcp state 06 (xtcp).
set -u
. "$(dirname "$0")/lib/tap.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
A=xtcp-twcap-a
B=xtcp-twcap-b
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/netns.sh"
procs_start twcap

netns_fresh $A

# tw_count FAM: TIME_WAIT entries in namespace A.
tw_count()
{
	if [ "$1" = inet ]; then
		ip netns exec $A ss -Htan state time-wait | wc -l
	else
		ip netns exec $A awk 'NR > 1 && $4 == "06"' /proc/net/xtcp | wc -l
	fi
}

# one FAM PORT: a 1 KiB exchange, the client closing first.
one()
{
	local fam=$1 port=$2 spid
	ip netns exec $A "$xfer" server -f "$fam" -l "127.0.0.1:$port" -n 1 -b 1K \
		-t "$(slow 10)" -w "$(slow 20)" \
		>"$work/s-$port" 2>&1 &
	spid=$!
	pids+=("$spid")
	wait_line $spid "$work/s-$port" "^listening " 10 &&
		ip netns exec $A timeout -k 2 "$(slow 20)" "$xfer" client -f "$fam" -c "127.0.0.1:$port" \
			-s 1K -r 1K -t "$(slow 10)" >"$work/c-$port" 2>&1
	local st=$?
	wait_exit $spid 10
	# Before counting: the last segments of the close settle.
	sleep "$(slow 0.5)"
	return $st
}

tap_plan 6
port=7100
for fam in inet xtcp; do
	dir=ipv4
	[ $fam = xtcp ] && dir=xtcp
	def=$(ip netns exec $A cat /proc/sys/net/$dir/tcp_max_tw_buckets 2>/dev/null)
	port=$((port + 1))
	one $fam $port
	tap_eq "$fam: with tcp_max_tw_buckets=$def the active closer is in TIME_WAIT" 1 "$(tw_count $fam)"
	netns_fresh $A
	ip netns exec $A sh -c "echo 0 > /proc/sys/net/$dir/tcp_max_tw_buckets" 2>"$work/err-$fam"
	port=$((port + 1))
	one $fam $port
	ok=$?
	tap_eq "$fam: the connection completes with tcp_max_tw_buckets=0" 0 "$ok"
	tap_eq "$fam: with tcp_max_tw_buckets=0 it skips TIME_WAIT" 0 "$(tw_count $fam)"
	netns_fresh $A
done
tap_done
