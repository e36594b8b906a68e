#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# retries: a connection whose peer stops answering gives up with ETIMEDOUT
# once retransmitting has lasted as long as tcp_retries2 doubling timeouts
# from the 200 ms minimum would (Linux's model, RFC 9293 s.3.8.3 R2): with
# tcp_retries2=3 that is 0.2+0.4+0.8+1.6 = 3 s.  xtcp (through xtcp-run)
# and native TCP, as the reference, in the same run.  The check runs when
# the retransmission timer fires, so the end comes at the first timeout
# past 3 s: measured xtcp 3.05 s, native 6.87 s (its 4th timeout fell just
# short of 3 s, so it waited a 5th).  Under TCG timers fire late, never
# early: the bound is 2.5 s to 10 s.  That bound is the protocol's clock:
# XTCP_SLOW does not scale it (only the guards around it).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/slow.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
A=xtcp-rt-a
B=xtcp-rt-b
cleanup()
{
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
}
trap cleanup EXIT
cleanup
. "$(dirname "$0")/lib/netns.sh"
netns_add $A
netns_add $B
ip link add name rta type veth peer name rtb
ip link set rta netns $A
ip link set rtb netns $B
ip -n $A addr add 10.77.9.1/24 dev rta
ip -n $B addr add 10.77.9.2/24 dev rtb
ip -n $A link set rta up
ip -n $B link set rtb up
ip netns exec $A sysctl -qw net.xtcp.tcp_retries2=3 net.ipv4.tcp_retries2=3

# The peer: a native server that takes connections and never answers again
# once the link drops everything.
ip netns exec $B python3 -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.9.2", 7000))
s.listen(8)
print("ready", flush=True)
keep = []
while True:
    c, _ = s.accept()
    keep.append(c)
' >/tmp/xtcp-rt-srv.log 2>&1 &
SRV=$!
for _ in $(seq "$(slow 50)"); do grep -q ready /tmp/xtcp-rt-srv.log 2>/dev/null && break; sleep 0.1; done

# The client: connect, exchange nothing, cut the link, send, then wait
# for the error.  Prints "errno=NAME elapsed=SECONDS".
client='
import errno, os, socket, subprocess, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(60 * int(os.environ["XTCP_SLOW"]))
s.connect(("10.77.9.2", 7000))
subprocess.run(["tc", "qdisc", "add", "dev", "rta", "root", "netem", "loss", "100%"], check=True)
start = time.monotonic()
s.sendall(b"x" * 1000)
try:
    s.recv(1)
    print("errno=none elapsed=%.2f" % (time.monotonic() - start))
except OSError as e:
    print("errno=%s elapsed=%.2f" % (errno.errorcode.get(e.errno, e.errno), time.monotonic() - start))
subprocess.run(["tc", "qdisc", "del", "dev", "rta", "root"])
'

tap_plan 4
for fam in inet xtcp; do
	run=(python3 -c "$client")
	[ $fam = xtcp ] && run=("$root/scripts/xtcp-run" "${run[@]}")
	out=$(ip netns exec $A timeout "$(slow 90)" "${run[@]}" 2>&1 | tail -n 1)
	echo "# $fam: $out"
	tap_eq "$fam: a silent peer ends the connection with ETIMEDOUT" errno=ETIMEDOUT "${out%% *}"
	t=${out##*elapsed=}
	if awk -v t="$t" 'BEGIN { exit !(t >= 2.5 && t <= 10) }' 2>/dev/null; then
		tap_ok "$fam: after ${t} s, tcp_retries2=3 allows 3 s (bound 2.5-10 s)"
	else
		tap_fail "$fam: after tcp_retries2=3 worth of retransmission" "elapsed '$t', wanted 2.5-10 s"
	fi
done
tap_done
