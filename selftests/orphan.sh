#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# orphan: tcp_orphan_retries, native TCP as the reference (issue 6 item 7).
# A client in namespace A connects to a listener in B, the path from A is
# then cut (netem loss 100%), the client writes 1000 bytes and closes: an
# orphan retransmitting data and FIN nobody will acknowledge.  With
# tcp_orphan_retries=1 it gives up within seconds (Linux's
# tcp_orphan_retries(): the knob, 8 when 0); with the default 0 it is
# still there after the same 10 s (8 retries last over 100 s from a
# 200 ms RTO).  The orphan is looked for by its local port in ss (native)
# and /proc/net/xtcp (xtcp).  Tolerance: 10 s covers an initial 1 s RTO
# and TCG slowness several times over.
set -u
. "$(dirname "$0")/lib/tap.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/rcvmem_peer
A=xtcp-orphan-a
B=xtcp-orphan-b
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/netns.sh"
procs_start orphan

# present FAM PORT: is a socket with local port PORT left in A?
present()
{
	local n
	if [ "$1" = inet ]; then
		n=$(ip netns exec $A ss -Htan "sport = :$2" | wc -l)
	else
		n=$(ip netns exec $A awk -v p="$(printf ':%04X' "$2")" \
			'NR > 1 && substr($2, length($2) - 4) == p' /proc/net/xtcp | wc -l)
	fi
	[ "$n" -gt 0 ] && echo yes || echo no
}

# orphan FAM RETRIES: RESULT=yes/no, the orphan is still there 10 s after
# close (or why not measured).
orphan()
{
	local p
	RESULT=$(orphan_run "$@")
	for p in $(cat "$work/pids" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	rm -f "$work/pids"
	sleep 0.5
}

# Runs in a subshell: its background processes are killed by pid file.
orphan_run()
{
	local fam=$1 retries=$2 dir=ipv4 run=() port=7200 lport i
	[ "$fam" = xtcp ] && dir=xtcp run=("$root/scripts/xtcp-run")
	netns_pair $A xor-a 10.77.7.1 $B xor-b 10.77.7.2 || { echo setup-failed; return; }
	if [ -n "$retries" ]; then
		ip netns exec $A sh -c "echo $retries > /proc/sys/net/$dir/tcp_orphan_retries" ||
			{ echo knob-failed; return; }
	fi
	ip netns exec $B "$peer" -f "$fam" -m noaccept -l "10.77.7.2:$port" -d "$work" -t 60 \
		>"$work/peer.log" 2>&1 &
	echo $! >>"$work/pids"
	wait_line $! "$work/peer.log" "^listening " 10 || { echo no-listener; return; }
	rm -f "$work/go" "$work/client.out"
	ip netns exec $A timeout 60 "${run[@]}" python3 -c '
import os, socket, sys, time
s = socket.create_connection(("10.77.7.2", int(sys.argv[1])), timeout=10)
print(s.getsockname()[1], flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
s.send(b"x" * 1000)
s.close()
print("closed", flush=True)
' "$port" "$work/go" >"$work/client.out" 2>&1 &
	echo $! >>"$work/pids"
	wait_line $! "$work/client.out" "^[0-9]+$" 20 || { echo "no-connect: $(cat "$work/client.out")"; return; }
	lport=$(head -n 1 "$work/client.out")
	ip netns exec $A tc qdisc add dev xor-a root netem loss 100% || { echo no-netem; return; }
	touch "$work/go"
	wait_line $! "$work/client.out" "^closed" 10 || { echo no-close; return; }
	sleep 10
	local res
	res=$(present "$fam" "$lport")
	# Clean up a live orphan: with the listener gone and the path back,
	# its next retransmission meets a RST (it holds the namespace and,
	# for xtcp, the module until it ends).
	kill -9 "$(head -n 1 "$work/pids")" 2>/dev/null
	ip netns exec $A tc qdisc del dev xor-a root 2>/dev/null
	for i in $(seq 80); do
		[ "$(present "$fam" "$lport")" = no ] && break
		sleep 0.5
	done
	echo "$res"
}

tap_plan 4
RESULT=
for fam in inet xtcp; do
	orphan $fam 1
	tap_eq "$fam: with tcp_orphan_retries=1 the orphan gave up within 10 s" no "$RESULT"
	orphan $fam ""
	tap_eq "$fam: with tcp_orphan_retries=0 (8 retries) it is still trying after 10 s" yes "$RESULT"
done
tap_done
