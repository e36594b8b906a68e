#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# listener_stress: listeners closed in the middle of handshake storms
# (regression tests for the object-lifetime items 3 and 4 of issue 6).
# Over a veth pair between two namespaces (10.77.4.1/24 clients <->
# 10.77.4.2/24 server), for each family (inet is the reference, then
# xtcp), build/selftests/listener_storm runs
#   - "storm": 50 rounds of 200 concurrent connects, listener closed
#     after 50 accepts while the other handshakes complete;
#   - "timers": 8 rounds with netem dropping 40% of what the client side
#     sends (SYNs and handshake ACKs), listener closed 1.05 s after the
#     first connect, when the first SYN-ACK retransmission timers
#     (1 s) fire.
# Every socket is closed abortively, so nothing lingers in TIME_WAIT.
# Afterwards, within 10 s (RCU grace periods):
#   - native sockstat TCP "alloc" plus xtcp's port reservations (both
#     global) is no higher than just before that family's rounds;
#   - for xtcp, the module's reference count is 0 (every socket holds
#     one, so a request or child that leaked keeps it up) and the XTCP
#     slab, shrunk so per-CPU caches do not count, has no more objects
#     in use than before (earlier tests' sockets may go meanwhile);
#   - finally rmmod xtcp succeeds without "Objects remaining", and the
#     module is loaded again for the tests that follow.
# Before the fixes, xtcp left a listener (a request whose timer
# reference was lost when its listener closed) or an unaccepted child
# behind, and rmmod failed with EBUSY.  About 70 s under TCG.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
storm=$root/build/selftests/listener_storm
A=xtcp-lst-a
B=xtcp-lst-b
families=${XTCP_STRESS_FAMILIES:-inet xtcp}
procs_start lst

xtcp_slab()
{
	echo 1 >/sys/kernel/slab/XTCP/shrink 2>/dev/null
	awk '$1 == "XTCP" { print $2 }' /proc/slabinfo
}
remaining() { dmesg | grep -c "Objects remaining"; }
fam_num() { [ "$1" = inet ] && echo 2 || cat /sys/module/xtcp/parameters/family; }

setup()
{
	netns_pair $A xls-a 10.77.4.1 $B xls-b 10.77.4.2 &&
		ip -n $A link set lo up && ip -n $B link set lo up &&
		ip netns exec $B sysctl -qw net.ipv4.tcp_syncookies=0
}

# run FAMILY NAME PORT ARGS...: one listener_storm run, ok when it exits 0.
run()
{
	local fam=$1 name=$2 port=$3 st t0
	shift 3
	t0=$(date +%s)
	timeout -k 5 "$(slow 100)" "$storm" -f "$(fam_num "$fam")" -A $A -B $B -s 10.77.4.2 \
		-p "$port" "$@" >"$work/$fam-$name.out" 2>&1
	st=$?
	echo "# $fam $name: $(tr '\n' ' ' <"$work/$fam-$name.out")($(($(date +%s) - t0)) s)"
	tap_check "$fam: $name: listener_storm ran (exit $st)" [ $st = 0 ]
}

# wait_eq CMD WANT: up to 10 s (XTCP_SLOW scales it) for CMD's output to
# be WANT; prints it.
wait_eq()
{
	local i v
	for i in $(seq "$(slow 100)"); do
		v=$($1)
		[ "$v" = "$2" ] && break
		sleep 0.1
	done
	echo "$v"
}

nfam=$(wc -w <<<"$families")
tap_plan $((nfam * 3 + 3 + 1))
if ! setup; then
	tap_fail "set up namespaces and veth"
	exit 1
fi
tap_ok "set up namespaces and veth"
base_alloc=$(tcp_alloc)
base_slab=$(xtcp_slab)
base_remaining=$(remaining)
echo "# baseline: TCP alloc $base_alloc, XTCP slab in use ${base_slab:-none}"

port=6000
for f in $families; do
	# Native TCP's count is global: sockets of earlier tests may still go
	# away during the rounds (TIME_WAIT, orphans), but a leak stays above
	# what was there just before them.
	fam_alloc=$(tcp_alloc)
	ip netns exec $A tc qdisc del dev xls-a root 2>/dev/null
	run "$f" storm $port -r 50 -n 200 -a 50
	port=$((port + 100))
	ip netns exec $A tc qdisc add dev xls-a root netem loss 40%
	run "$f" timers $port -r 8 -n 200 -a 50 -c 1050
	ip netns exec $A tc qdisc del dev xls-a root
	port=$((port + 100))
	v=$(wait_le tcp_alloc "$fam_alloc")
	if [ "$v" -le "$fam_alloc" ]; then
		tap_ok "$f: TCP sockstat alloc + xtcp port reservations back to their baseline"
	else
		tap_fail "$f: TCP sockstat alloc + xtcp port reservations back to their baseline" \
			"at most $fam_alloc (before the rounds) expected, got $v"
	fi
done

# Namespaces go first: nothing of the test may hold the module then.
ip netns del $A
ip netns del $B
tap_eq "xtcp: module reference count back to 0" 0 "$(wait_eq "cat /sys/module/xtcp/refcnt" 0)"
v=$(wait_le xtcp_slab "$base_slab")
if [ "$v" -le "$base_slab" ]; then
	tap_ok "xtcp: XTCP slab objects in use back to the baseline"
else
	tap_fail "xtcp: XTCP slab objects in use back to the baseline" "at most $base_slab expected, got $v"
fi
rmmod xtcp
st=$?
tap_eq "xtcp: rmmod xtcp succeeds, no 'Objects remaining'" \
	"exit 0, 0 new" "exit $st, $(($(remaining) - base_remaining)) new"
[ -d /sys/module/xtcp ] || insmod "$root/xtcp.ko"
tap_done
