#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rate: delivery-rate samples (net/xtcp/rate.c) and a rate-based
# congestion control written against them (the example module
# xtcp_bdp.ko, net/xtcp/cong_bdp.c), native TCP the reference.
#
# Namespace X (10.77.65.1) sends to namespace P (10.77.65.2) over a veth
# pair with TSO and GSO off; X's side is the bottleneck, netem "delay
# 10ms rate 20mbit limit 10000" (a queue far longer than the path), P's
# side "delay 10ms": 20 ms of RTT.  The receivers in P are native TCP.
#   1-2. A 24 MiB transfer (xtcp_xfer client -I 200 in X, which reads
#        TCP_INFO every 200 ms while it sends), Reno for both stacks (no
#        slow-start exit on delay: it fills the queue): the median
#        tcpi_delivery_rate of the samples of the second half of the
#        sending (the steady state, the queue full) is, for native, the
#        bottleneck's payload rate
#        (20 Mbit/s of 1514-byte frames with 1448 bytes of data each,
#        2.39 MB/s) within -25%/+10% (sanity; +30% at XTCP_SLOW > 1,
#        where check-debug's native median read 121% of the path), and
#        xtcp's within 20% of native's.  Those samples are
#        application-limited for both (Reno's window outgrows the send
#        buffer, so the writer is what waits), and an application-limited
#        sample replaces the reported rate only when it is higher
#        (tcp_rate_gen(), xtcp's rate.c alike): the value ratchets up
#        towards the highest burst, which is the likely reason for the
#        debug kernel's 121%.  Both stacks apply the same rule, so the
#        comparison holds; a sanity check from tcpi_bytes_acked deltas
#        would measure the path itself (not done yet).  Not the last
#        sample of the connection (-i, printed):
#        it covers a few ACKs, which a loaded machine bunches (check-debug
#        read native 118% and xtcp 129% of the path there).
#   3.   A writer of 1000 bytes every 200 ms (selftests/wire_peer): both
#        stacks' tcpi_delivery_rate_app_limited is 1.
#        (24 MiB: long enough for xtcp_bdp's startup overshoot to drain
#        and its steady state to set the RTT at the end; 6 MiB ended
#        with all of it still queued.)
#   4-6. xtcp with xtcp_bdp (insmod; allowed in
#        net.xtcp.tcp_allowed_congestion_control, as a namespace other
#        than the first may only pick an allowed one; then
#        net.xtcp.tcp_congestion_control bdp in X), the same transfer: every byte (xtcp_xfer checks), a
#        queue kept short where Reno's was long (tcpi_rtt at the end
#        below 3 times tcpi_min_rtt, while Reno's, xtcp's and native's,
#        above it: sanity that the path queues), cwnd between 1 and 4
#        times the bandwidth-delay product it measured (delivery rate
#        times min_rtt over the MSS), and a goodput at least 80% of
#        xtcp Reno's (60% at XTCP_SLOW > 1: with two KASAN VMs on the
#        host its 2 x BDP of 6 segments moved 0.43 MB/s where Reno's
#        full queue moved 0.58; alone, 0.59 and 0.58).  The module unloads after (nothing pins it).
# Rates under TCG: native TCP moves hundreds of Mbit/s in such a VM, so
# the 20 Mbit/s bottleneck, not the machine, sets them.  On a slower
# kernel (XTCP_SLOW > 1: check-debug's KASAN-built module moved 0.96 MB/s,
# CPU-bound, at XTCP_SLOW 4) the bottleneck is 20/XTCP_SLOW Mbit/s (at
# least 2) and the transfers 24/XTCP_SLOW MiB: the same number of RTTs
# of the same queue, at a rate the machine still beats.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
peer=$root/build/selftests/wire_peer
X=xtcp-rate-x
P=xtcp-rate-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start rate
mbit=$((20 / XTCP_SLOW))
[ $mbit -ge 2 ] || mbit=2
bytes=$(((24 << 20) * mbit / 20))
# $mbit Mbit/s of 1514-byte frames, 1448 bytes of payload each.
path_rate=$((mbit * 1000000 / 8 * 1448 / 1514))
old_allowed=$(sysctl -n net.xtcp.tcp_allowed_congestion_control)

tap_plan 6

cleanup_bdp()
{
	ip netns exec $X sysctl -qw net.xtcp.tcp_congestion_control=cubic 2>/dev/null
	sysctl -qw net.xtcp.tcp_allowed_congestion_control="$old_allowed" 2>/dev/null
	rmmod xtcp_bdp 2>/dev/null
}
trap 'cleanup_bdp; procs_cleanup' EXIT

if ! { netns_pair $X xrt-x 10.77.65.1 $P xrt-p 10.77.65.2 &&
	ip -n $X link set lo up && ip -n $P link set lo up &&
	ip netns exec $X ethtool -K xrt-x tso off gso off >/dev/null &&
	ip netns exec $P ethtool -K xrt-p tso off gso off >/dev/null &&
	ip netns exec $X tc qdisc add dev xrt-x root netem delay 10ms rate ${mbit}mbit limit 10000 &&
	ip netns exec $P tc qdisc add dev xrt-p root netem delay 10ms &&
	ip netns exec $X sysctl -qw net.ipv4.tcp_congestion_control=reno \
		net.xtcp.tcp_congestion_control=reno; }; then
	for i in 1 2 3 4 5 6; do
		tap_fail "set up namespaces, veth and netem"
	done
	exit 1
fi

port=7600
# bulk FAM NAME: a transfer of $bytes from X (FAM) to a native server in
# P; its files in $work/NAME.  0 when every byte arrived.
bulk()
{
	local d=$work/$2 spid st sst
	port=$((port + 1))
	mkdir -p "$d"
	ip netns exec $P "$xfer" server -f inet -l "10.77.65.2:$port" -n 1 \
		-b 0 -t "$(slow 40)" -w "$(slow 90)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	wait_line $spid "$d/server.out" "^listening " 10 || return 1
	timeout -k 5 "$(slow 100)" ip netns exec $X "$xfer" client -f "$1" \
		-c "10.77.65.2:$port" -s "$bytes" -r 0 -i -I 200 \
		-t "$(slow 40)" -w "$(slow 90)" >"$d/client.out" 2>&1
	st=$?
	wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
	sst=$?
	sed -n 's/^\(tcp_info\|xtcp_xfer: client\)/# '"$2"': \1/p' "$d/client.out"
	[ $st = 0 ] && [ $sst = 0 ]
}

# info NAME FIELD: FIELD= of NAME's tcp_info line, else empty.
info()
{
	sed -n "s/^tcp_info role=client .* $2=\([0-9]*\).*/\1/p" "$work/$1/client.out" | tail -n 1
}

# steady_rate NAME: the median tcpi_delivery_rate of NAME's samples in
# the second half of its sending, else empty.
steady_rate()
{
	awk '/^tcp_sample / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		n++; t[n] = f["t"]; r[n] = f["delivery_rate"]
	}
	END {
		if (!n) exit
		m = 0
		for (i = 1; i <= n; i++)
			if (t[i] >= t[n] / 2 && r[i] > 0)
				v[++m] = r[i]
		if (!m) exit
		# Insertion sort: a few dozen samples.
		for (i = 2; i <= m; i++) {
			x = v[i]
			for (j = i - 1; j >= 1 && v[j] > x; j--)
				v[j + 1] = v[j]
			v[j + 1] = x
		}
		printf "%d\n", (m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2)
	}' "$work/$1/client.out"
}

# verdict OK NAME WHY: one TAP result, "ok" when OK is 1, else a failure
# saying WHY.
verdict()
{
	if [ "$1" = 1 ]; then
		tap_ok "$2"
	else
		tap_fail "$2" "$3"
	fi
}

# mbs NAME: MB/s of NAME's client result line, else empty.
mbs()
{
	sed -n 's|^xtcp_xfer: client .* MB/s=\([0-9.]*\).*|\1|p' "$work/$1/client.out" 2>/dev/null | tail -n 1
}

# within V LO HI REF: LO*REF/100 <= V <= HI*REF/100 (integers).
within()
{
	[ -n "$1" ] && [ -n "$4" ] && [ $(($1 * 100)) -ge $(($2 * $4)) ] &&
		[ $(($1 * 100)) -le $(($3 * $4)) ]
}

ok_n=0
bulk inet reno-inet && ok_n=$((ok_n + 1))
bulk xtcp reno-xtcp && ok_n=$((ok_n + 1))
n_rate=$(steady_rate reno-inet)
x_rate=$(steady_rate reno-xtcp)
echo "# path payload rate $path_rate B/s; steady delivery_rate native $n_rate, xtcp $x_rate (of $(grep -c '^tcp_sample' "$work/reno-inet/client.out") and $(grep -c '^tcp_sample' "$work/reno-xtcp/client.out") samples)"
echo "# the last sample: native $(info reno-inet delivery_rate), xtcp $(info reno-xtcp delivery_rate); app-limited native $(info reno-inet app_limited), xtcp $(info reno-xtcp app_limited)"
ok=0
n_hi=110
[ "$XTCP_SLOW" -gt 1 ] && n_hi=130
[ $ok_n = 2 ] && within "$n_rate" 75 $n_hi "$path_rate" && ok=1
verdict $ok "native: tcpi_delivery_rate is the bottleneck's rate (sanity)" \
	"transfers ok $ok_n of 2, native $n_rate, path $path_rate"
ok=0
[ $ok_n = 2 ] && within "$x_rate" 80 120 "$n_rate" && ok=1
verdict $ok "xtcp: tcpi_delivery_rate within 20% of native's" \
	"transfers ok $ok_n of 2, native $n_rate, xtcp $x_rate"

# 3: an application-limited writer.
applim=""
for fam in inet xtcp; do
	port=$((port + 1))
	d=$work/applim-$fam
	mkdir -p "$d/sink"
	ip netns exec $P "$xfer" sink -f inet -l "10.77.65.2:$port" -o "$d/sink" \
		-n 1 -t "$(slow 30)" >"$d/sink.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	if wait_line $spid "$d/sink.out" "^listening " 10; then
		ip netns exec $X timeout -k 5 "$(slow 30)" "$peer" -f "$fam" \
			-c "10.77.65.2:$port" -t "$(slow 10)" connect \
			write:1000 sleep:200 write:1000 sleep:200 write:1000 \
			sleep:200 write:1000 sleep:300 info >"$d/peer.out" 2>&1
	fi
	v=$(sed -n 's/^info .* delivery_rate_app_limited=\([0-9]*\).*/\1/p' "$d/peer.out")
	r=$(sed -n 's/^info .* delivery_rate=\([0-9]*\).*/\1/p' "$d/peer.out")
	echo "# $fam writer of 1000 bytes every 200 ms: delivery_rate $r app_limited ${v:-?}"
	applim="$applim${v:-?}"
	kill "$spid" 2>/dev/null
done
ok=0
[ "$applim" = 11 ] && ok=1
verdict $ok "a writer of 1000 bytes every 200 ms: tcpi_delivery_rate_app_limited 1, as native" \
	"native, xtcp: $applim"

# 4-6: xtcp_bdp.
why=""
if ! insmod "$root/xtcp_bdp.ko"; then
	why="insmod xtcp_bdp.ko failed"
elif ! sysctl -qw net.xtcp.tcp_allowed_congestion_control="$old_allowed bdp" ||
	! ip netns exec $X sysctl -qw net.xtcp.tcp_congestion_control=bdp; then
	# A namespace other than the first may only pick an allowed one.
	why="net.xtcp.tcp_congestion_control=bdp refused"
elif ! bulk xtcp bdp; then
	why="the transfer failed: $(tr '\n' ' ' <"$work/bdp/client.out")"
fi
b_rtt=$(info bdp rtt)
b_min=$(info bdp min_rtt)
b_cwnd=$(info bdp snd_cwnd)
b_rate=$(info bdp delivery_rate)
b_mss=$(info bdp snd_mss)
r_rtt=$(info reno-xtcp rtt)
r_min=$(info reno-xtcp min_rtt)
n_rtt=$(info reno-inet rtt)
n_min=$(info reno-inet min_rtt)
echo "# end srtt/min_rtt us: bdp $b_rtt/$b_min, xtcp reno $r_rtt/$r_min, native reno $n_rtt/$n_min"
ok=0
[ -z "$why" ] && ok=1
verdict $ok "xtcp_bdp: $bytes bytes, byte-exact, through a rate-based congestion control" "$why"
ok=0
[ -z "$why" ] && [ -n "$b_rtt" ] && [ -n "$r_rtt" ] && [ -n "$n_rtt" ] &&
	[ "$b_rtt" -lt $((3 * b_min)) ] && [ "$r_rtt" -gt $((3 * r_min)) ] &&
	[ "$n_rtt" -gt $((3 * n_min)) ] && ok=1
verdict $ok "xtcp_bdp keeps the queue short (srtt < 3 min_rtt) where Reno fills it (> 3 min_rtt, both stacks)" \
	"${why:-bdp $b_rtt/$b_min, xtcp reno $r_rtt/$r_min, native reno $n_rtt/$n_min}"
bdp_segs=""
[ -n "$b_rate" ] && [ -n "$b_min" ] && [ -n "$b_mss" ] && [ "$b_mss" -gt 0 ] &&
	bdp_segs=$((b_rate * b_min / 1000000 / b_mss))
b_mbs=$(mbs bdp)
r_mbs=$(mbs reno-xtcp)
echo "# bdp: cwnd $b_cwnd, measured BDP ${bdp_segs:-?} segments; goodput MB/s bdp ${b_mbs:-?}, xtcp reno ${r_mbs:-?}"
ip netns exec $X sysctl -qw net.xtcp.tcp_congestion_control=cubic
sysctl -qw net.xtcp.tcp_allowed_congestion_control="$old_allowed"
ip netns exec $X tc -s qdisc show dev xrt-x | sed 's/^/# X: /'
unloaded=0
rmmod xtcp_bdp && unloaded=1
ok=0
[ -z "$why" ] && [ $unloaded = 1 ] && [ -n "$bdp_segs" ] && [ "$bdp_segs" -gt 0 ] &&
	[ "$b_cwnd" -ge "$bdp_segs" ] && [ "$b_cwnd" -le $((4 * bdp_segs)) ] &&
	awk -v b="${b_mbs:-0}" -v r="${r_mbs:-0}" -v s="$XTCP_SLOW" \
		'BEGIN { exit !(r > 0 && b >= (s > 1 ? 0.6 : 0.8) * r) }' && ok=1
verdict $ok "xtcp_bdp: cwnd 1-4 times the measured BDP, goodput at least 80% of Reno's (60% slow), module unloads after" \
	"${why:-cwnd $b_cwnd, BDP ${bdp_segs:-?}, MB/s ${b_mbs:-?} vs ${r_mbs:-?}, unloaded $unloaded}"
