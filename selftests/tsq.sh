#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tsq: TCP small queues (issue 9).  A bulk sender behind a slow qdisc (tbf
# at 20 Mbit/s with room for 32 MiB, on the sender's veth) must keep only
# a small part of its window in that qdisc, as native TCP does with
# tcp_limit_output_bytes, and a lower limit must leave less there.  Native
# TCP (AF_INET, same namespace pair, same sizes) is the oracle.  The tbf
# burst (256 KiB) is larger than any GSO skb, so tbf never cuts one on
# enqueue (Documentation/design.rst, "TCP small queues").
#
# For each limit (the default 1048576 and XTCP_TSQ_LOW, default 16384, set
# in net.ipv4 and net.xtcp alike) and each family, XTCP_TSQ_BYTES (default
# 4M) go from A to B with xtcp_xfer (byte-exact), while the qdisc's
# backlog is sampled ("tc -s -j qdisc", about every 20 ms).  Asserted:
#  - every transfer is byte-exact;
#  - default limit: each family's largest backlog is under 512 KiB
#    (without TSQ xtcp fills the qdisc with its window: megabytes), and
#    xtcp's is at most 2x native's plus one 64 KiB GSO skb;
#  - low limit: each family's largest backlog is at most the limit plus
#    two GSO skbs (68 KiB on the wire each: the check lets one more skb
#    go while the socket is at the limit, and a second may be in the
#    qdisc's dequeue path), and below its own largest under the default.
# The bounds are byte counts of the protocol's own design, not times, so
# TCG's speed does not move them; only the sampling may miss a peak,
# which can only make a backlog look smaller (sampling fewer than 10
# times during a transfer fails the case).  IPs 10.77.60.1/2.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes=$(numfmt --from=iec "${XTCP_TSQ_BYTES:-4M}") || exit 1
low=${XTCP_TSQ_LOW:-16384}
A=xtcp-tsq-a
B=xtcp-tsq-b
DEV=xtsq-a
. "$(dirname "$0")/lib/procs.sh"
procs_start tsq

gso=$((68 * 1024))
default_bound=$((512 * 1024))
tap_plan 8

if ! { netns_pair $A $DEV 10.77.60.1 $B xtsq-b 10.77.60.2 &&
	ip -n $A link set lo up && ip -n $B link set lo up &&
	ip netns exec $A tc qdisc add dev $DEV root tbf rate 20mbit \
		burst 256kb limit 32mb; }; then
	for _ in $(seq 8); do tap_fail "set up namespaces, veth and tbf"; done
	exit 1
fi

# xfer FAMILY PORT: one transfer A -> B, the qdisc sampled meanwhile.
# Sets ok ("" or why not), peak (bytes) and samples.
port=7600
xfer()
{
	local fam=$1 d=$work/$1-$2 spid cpid st sst b
	mkdir -p "$d"
	ok="" peak=0 samples=0
	ip netns exec $B "$xfer" server -f "$fam" -l "10.77.60.2:$2" -n 1 \
		-b 0 -t "$(slow 30)" -w "$(slow 60)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	if ! wait_line $spid "$d/server.out" "^listening " 10; then
		wait_exit $spid 1
		ok="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
		return
	fi
	ip netns exec $A timeout -k 5 "$(slow 50)" "$xfer" client -f "$fam" \
		-c "10.77.60.2:$2" -s "$bytes" -r 0 -t "$(slow 30)" \
		-w "$(slow 45)" >"$d/client.out" 2>&1 &
	cpid=$!
	pids+=("$cpid")
	while kill -0 $cpid 2>/dev/null; do
		b=$(ip netns exec $A tc -s -j qdisc show dev $DEV |
			grep -o '"backlog":[0-9]*' | head -n 1)
		b=${b#*:}
		if [ -n "$b" ]; then
			samples=$((samples + 1))
			[ "$b" -gt "$peak" ] && peak=$b
		fi
		sleep 0.02
	done
	wait $cpid
	st=$?
	wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
	sst=$?
	grep -h '^xtcp_xfer: client' "$d/client.out" | sed "s/^/# /"
	echo "# $fam: peak backlog $peak bytes over $samples samples"
	if [ $st != 0 ] || [ $sst != 0 ]; then
		ok="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
	elif [ "$(result_field "$d/server.out" received)" != "$bytes" ]; then
		ok="server received $(result_field "$d/server.out" received), not $bytes"
	elif [ $samples -lt 10 ]; then
		ok="only $samples samples of the backlog"
	fi
}

# limit VALUE: tcp_limit_output_bytes in A, for both stacks.
limit()
{
	ip netns exec $A sysctl -qw net.ipv4.tcp_limit_output_bytes="$1" \
		net.xtcp.tcp_limit_output_bytes="$1"
}

declare -A peak_of
for lim in default low; do
	if [ $lim = low ]; then
		limit "$low" || echo "# could not set tcp_limit_output_bytes $low"
	fi
	for fam in inet xtcp; do
		port=$((port + 1))
		xfer $fam $port
		peak_of[$lim-$fam]=$peak
		name="$fam, $lim limit: $bytes bytes through tbf"
		if [ -n "$ok" ]; then
			tap_fail "$name" "$ok"
			continue
		fi
		if [ $lim = default ]; then
			tap_check "$name: byte-exact, peak backlog $peak <= $default_bound" \
				test "$peak" -le $default_bound
		else
			tap_check "$name: byte-exact, peak backlog $peak <= $low + 2 GSO skbs" \
				test "$peak" -le $((low + 2 * gso))
		fi
	done
	if [ $lim = default ]; then
		n=${peak_of[default-inet]} x=${peak_of[default-xtcp]}
		tap_check "default limit: xtcp's peak $x <= 2 x native's $n + 64 KiB" \
			test "$x" -le $((2 * n + 65536))
	fi
done
limit 1048576
for fam in inet xtcp; do
	d=${peak_of[default-$fam]} l=${peak_of[low-$fam]}
	tap_check "$fam: lower limit, lower peak ($l < $d)" test "$l" -lt "$d"
done
# The sysctl twins agree on what was written and on the default.
tap_eq "tcp_limit_output_bytes: both stacks back at the default" \
	"1048576 1048576" \
	"$(ip netns exec $A sysctl -n net.ipv4.tcp_limit_output_bytes net.xtcp.tcp_limit_output_bytes | tr '\n' ' ' | sed 's/ $//')"
ip netns exec $A tc -s qdisc show dev $DEV | sed 's/^/# A: /'
tap_done
