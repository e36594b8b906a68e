#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# proc_scale: reading /proc/net/xtcp costs what reading /proc/net/tcp
# costs, at thousands of entries on one port.  For each family (inet is
# the reference), in a namespace of its own over loopback,
# proc_scale_helper opens N connections (default 3000,
# XTCP_PROC_SCALE_N) to ONE listener, so the table holds 2N + 1 entries
# of one local port, and then reads the family's table (/proc/net/tcp or
# /proc/net/xtcp) from start to end READS times in 4 KiB read() calls, as
# cat does, timing each.  Every read must list the listener and the 2N
# established entries and nothing else, as native's does; the median
# xtcp read must take at most 4 times the median native read plus
# 100 ms.
#
# Why that tolerance holds under TCG: both files are walked in linear time
# (native resumes each read() at a saved bucket and offset,
# tcp_seek_last_pos()), so their costs differ by a constant factor: the
# walk itself, formatting the same 150-byte lines, and the empty buckets
# each skips.  Measured under TCG at N = 3000 (6,001 entries): native
# 40-100 ms per read (single reads up to 165 ms), xtcp 29-70 ms; 4x covers
# an xtcp walk that is somewhat slower per entry, and 100 ms covers the
# other VMs on the host stealing the CPU during one family's reads more
# than during the other's (the median of READS drops single outliers).
# A walk that restarts from the table start for each entry (quadratic,
# the original code) took 1.4-5.3 s per read there, 15-40x native's.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
helper=$root/build/selftests/proc_scale_helper
N=${XTCP_PROC_SCALE_N:-3000}
READS=5
PORT=5501
FACTOR=4
SLACK_MS=100
A=xtcp-ps-inet
B=xtcp-ps-xtcp
work=$(mktemp -d /tmp/xtcp-proc-scale.XXXXXX)
pids=()

trap procs_cleanup EXIT

declare -A ns file fam
ns[inet]=$A ns[xtcp]=$B
file[inet]=/proc/net/tcp file[xtcp]=/proc/net/xtcp
fam[inet]=2 fam[xtcp]=$(cat /sys/module/xtcp/parameters/family 2>/dev/null || echo 12)

# median FILE: the median ms= of the helper's read lines.
median()
{
	sed -n 's/^read .* ms=\([^ ]*\) .*/\1/p' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

tap_plan 3
ulimit -n $((2 * N + 64))
ip netns del $A 2>/dev/null
ip netns del $B 2>/dev/null

want="lines=$((2 * N + 2)) established=$((2 * N)) listen=1 other=0"
for f in inet xtcp; do
	out=$work/$f.out
	t0=$(date +%s)
	if ip netns add "${ns[$f]}" && ip -n "${ns[$f]}" link set lo up; then
		timeout -k 5 "$(slow 150)" ip netns exec "${ns[$f]}" "$helper" -f "${fam[$f]}" \
			-a 127.0.0.1 -p $PORT -n "$N" -F "${file[$f]}" -r $READS \
			-w "$(slow 140)" >"$out" 2>&1
		st=$?
	else
		st=setup
	fi
	sed "s/^/# $f: /" "$out" 2>/dev/null
	echo "# $f: $(($(date +%s) - t0)) s"
	bad=$(grep '^read ' "$out" 2>/dev/null | grep -v -- " $want\$")
	if [ "$st" = 0 ] && grep -q '^done$' "$out" &&
		[ "$(grep -c '^read ' "$out")" = $READS ] && [ -z "$bad" ]; then
		tap_ok "$f: every read of ${file[$f]} lists the listener and $((2 * N)) established entries"
	else
		tap_fail "$f: every read of ${file[$f]} lists the listener and $((2 * N)) established entries" \
			"helper exit $st, want '$want' in $READS reads: $(grep -v '^read .* '"$want"'$' "$out" | tr '\n' ' ')"
	fi
	ip netns del "${ns[$f]}" 2>/dev/null
done

inet_ms=$(median "$work/inet.out")
xtcp_ms=$(median "$work/xtcp.out")
echo "# median full read of $((2 * N + 1)) entries: /proc/net/tcp ${inet_ms:-?} ms, /proc/net/xtcp ${xtcp_ms:-?} ms"
if [ -z "$inet_ms" ] || [ -z "$xtcp_ms" ]; then
	tap_fail "xtcp: full read of /proc/net/xtcp at most ${FACTOR}x native's + $SLACK_MS ms" "no timings"
elif awk -v x="$xtcp_ms" -v i="$inet_ms" -v f=$FACTOR -v s=$SLACK_MS \
	'BEGIN { exit !(x <= f * i + s) }'; then
	tap_ok "xtcp: full read of /proc/net/xtcp at most ${FACTOR}x native's + $SLACK_MS ms"
else
	tap_fail "xtcp: full read of /proc/net/xtcp at most ${FACTOR}x native's + $SLACK_MS ms" \
		"$xtcp_ms ms against native $inet_ms ms (limit $(awk -v i="$inet_ms" -v f=$FACTOR -v s=$SLACK_MS 'BEGIN { print f * i + s }') ms)"
fi

tap_done
