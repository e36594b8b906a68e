#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sendpath: the send path against path-MTU drops, small peer windows and
# GSO, native TCP (the oracle) and xtcp in the same VM with the same
# checks (issue 9's acceptance).  The ICMP cases that need scapy are in
# selftests/pmtu_icmp.sh.
#
# Three namespaces in a row: S (10.77.51.1, the sender) -- R (10.77.51.2
# and 10.77.52.2, a router: ip_forward on) -- D (10.77.52.1).  S and D
# route to each other through R; PMTU discovery is on in S (DF set), so
# a packet too big for R's egress link makes R answer "fragmentation
# needed" as a router on a real path does.  R's egress (sp-rd) is shaped
# by tbf to 40 Mbit/s, so a 16 MiB transfer takes seconds and the MTU
# can be lowered in its middle; TSO is off on sp-rd, so R's GSO layer
# cuts what S's stack handed down into wire-sized segments.
#
# pmtu (per family): a 16 MiB xtcp_xfer transfer S -> D (both ends of the
# family; xtcp_xfer checks every byte); once 3 MiB have left R towards
# D, "ip link set mtu 1200" on sp-rd.  Checks: the transfer completes
# byte-exact within its watchdog (60 s: 16 MiB at 40 Mbit/s take 3.4 s),
# the MTU really dropped mid-transfer, and R sent "fragmentation needed"
# and fragmented nothing (Icmp OutDestUnreachs rose, Ip FragCreates did
# not).  S's cached path MTU is flushed and sp-rd's MTU restored between
# families.
#
# devmtu (per family): the same 16 MiB S -> D, but the MTU drops on S's
# own device: once 3 MiB have left R, the receiver stops reading
# (SIGSTOP); when the closed window has made S idle, "ip link set mtu
# 1200" on sp-s, and the receiver reads on.  No ICMP is needed: the
# route's MTU is the device's, which the sender reads before it sends
# (tcp_current_mss()).  Changing it while S is idle leaves no race
# between that read and IP's own check.  Checks: the transfer is
# byte-exact, and S's IP refused to fragment nothing (Ip FragFails: a
# GSO skb whose segments no longer fit, DF set), for xtcp as for native.
# Measured under TCG (the MTU dropped while sending, before the pause):
# native 0 in four runs; xtcp before it checked the route's MTU 2 and 3
# (then it learnt the MTU from the ICMP its own IP sent, and resent all
# in flight: 0.4 and 4.2 MB), after 0 in three.  With the pause:
# native 0, xtcp 0; the module before the check 5.  The bytes resent (TCP_INFO bytes_retrans) are printed, not
# checked: drops at R's tbf when a window outgrows its queue add to
# them (printed too; xtcp 0 and 1.2 MB with the fix, native 1-6 KB).
#
# rcvbuf1 (per sender family): a native receiver in R (selftests/
# sendpath_peer, SO_RCVBUF 1 set before listen(): the kernel makes it
# SOCK_MIN_RCVBUF, a window of about 1 KiB, smaller than one MSS) gets
# 256 KiB from S over the direct link, byte-exact, within 60 s.
#
# lo16k (per sender/receiver family pair inet/inet, xtcp/inet,
# xtcp/xtcp): over loopback in S, a receiver with SO_RCVBUF 16384 (the
# kernel doubles it to 32768; native offers a window of half of that,
# 16 KiB, at tcp_adv_win_scale 1), against loopback's 64 KiB MTU, gets
# 4 MiB byte-exact within 60 s.  A tcpdump on lo checks that the test bed
# is what it says: the native receiver's largest window (scaled by the
# SYN-ACK's wscale) is 8-24 KiB; the xtcp receiver's is printed.
#
# lomss (per family, both ends of it): 4 MiB over loopback in S.
# Loopback's MTU is 64 KiB and the SYN-ACK's window (never scaled) at
# most 64 KiB, so the handshake leaves the MSS at half of that
# (tcp_bound_to_half_wnd()); native TCP recomputes it whenever the peer's
# largest window grows (tcp_ack_update_window() calls tcp_sync_mss()).
# The round sets tcp_rmem's default to 1 MiB in S (both families;
# restored after) so that the receiver's window passes twice the MSS
# within the first segments rather than when its buffer autotuning gets
# there.  Checks: each transfer is byte-exact; the sender's final
# snd_mss (TCP_INFO) is xtcp's as native's, which must be above 32 KiB
# (the bed: a grown window); xtcp sent at most 5/4 of native's data
# segments (plus 2).  Measured under TCG: native 65483 and 89-95
# segments; xtcp before it recomputed 32767 and 149, after 65483 and
# 89-95.
#
# gso (per family): 4 MiB S -> D with a tcpdump on S's veth (sp-s: what
# leaves the socket, before any segmentation: veth has TSO) and one on
# D's (sp-d: after R's GSO layer cut it).  Checks: S's veth shows data
# packets larger than the 1500-byte MTU (super-segments), and at D every
# data packet is at most 1514 bytes on the wire with at most 1460 bytes
# of payload, and there are enough of them to carry the transfer
# (headers only are captured; a capture that dropped packets is said).
# xtcp sends at most 3/2 of native's data packets at S's veth (+50,
# and no more than 600):
# its TSO deferral holds a partial GSO skb for the next ACK as native's.
# These transfers run at sp-s's default gso_max_size (65536), where the
# burst autosizing by RTT and rate (tcp_tso_autosize()) bounds the
# super-segments (tcp_tso_rtt_log 12 for the round, see the check): xtcp's
# largest must be at least 2/3 of native's.  A
# separate short round, gso16k, sets sp-s's gso_max_size to 16384
# (restored after), so that the size of a send skb, not the autosizing,
# bounds them: a send skb collects what the device takes
# in one GSO skb, sk_gso_max_size (the device's less MAX_TCP_HEADER + 1,
# sk_setup_caps()), in whole segments (tcp_xmit_size_goal(): 11 of 1448
# bytes here); xtcp's largest super-segment at sp-s must carry as many
# bytes as native's (native the oracle).
#
# Time limits: every transfer has xtcp_xfer -t 30 -w 60 (scaled by
# XTCP_SLOW); a hang fails its case and the next case runs.  Measured
# under TCG: native's cases take 1-4 s each; each hung case costs about
# 65 s.  The whole test's time is printed at the end.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
peer=$root/build/selftests/sendpath_peer
S=xtcp-sp-s
R=xtcp-sp-r
D=xtcp-sp-d
netns=($S $R $D)
. "$(dirname "$0")/lib/procs.sh"
procs_start sendpath
t_start=$SECONDS

families="inet xtcp"
plan=29
tap_plan $plan

setup()
{
	netns_routed $S sp-s 10.77.51 $R sp-rs sp-rd $D sp-d 10.77.52 &&
		ip netns exec $S sysctl -qw net.ipv4.ip_no_pmtu_disc=0 &&
		ip netns exec $R sysctl -qw net.ipv4.ip_no_pmtu_disc=0 &&
		ip netns exec $R ethtool -K sp-rd tso off >/dev/null &&
		ip netns exec $R tc qdisc add dev sp-rd root tbf rate 40mbit \
			burst 64kb latency 500ms
}

if ! setup; then
	echo "# setting up namespaces S, R, D failed"
	for i in $(seq $plan); do tap_fail "set-up"; done
	exit 1
fi

# snmp NS PROTO FIELD: a counter of NS's /proc/net/snmp.
snmp()
{
	ip netns exec "$1" cat /proc/net/snmp | awk -v p="$2:" -v f="$3" '
		$1 == p && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == p && h { print $col[f]; exit }'
}

# tx_bytes NS DEV
tx_bytes()
{
	ip -n "$1" -s link show dev "$2" | awk '/TX:/ { getline; print $1; exit }'
}

# transfer NAME NS_SRV FAM_SRV ADDR:PORT NS_CLI FAM_CLI BYTES [peer RCVBUF]:
# starts the receiver (xtcp_xfer server, or sendpath_peer with RCVBUF),
# waits until it listens, starts the client in the background; sets cpid,
# spid and the logs $work/NAME.{srv,cli}.  Non-zero if the receiver did
# not come up.
transfer()
{
	local name=$1 nss=$2 fs=$3 at=$4 nsc=$5 fc=$6 bytes=$7
	if [ "${8:-}" = peer ]; then
		ip netns exec "$nss" "$peer" -f "$fs" -l "$at" -t "$(slow 30)" \
			-r "$9" >"$work/$name.srv" 2>&1 &
	else
		ip netns exec "$nss" "$xfer" server -f "$fs" -l "$at" -n 1 -b 0 \
			-t "$(slow 30)" -w "$(slow 60)" >"$work/$name.srv" 2>&1 &
	fi
	spid=$!
	pids+=("$spid")
	if ! wait_line $spid "$work/$name.srv" "listening" 10; then
		echo "# $name: receiver: $(tr '\n' ' ' <"$work/$name.srv")"
		return 1
	fi
	ip netns exec "$nsc" "$xfer" client -f "$fc" -c "$at" -s "$bytes" -r 0 -i \
		-t "$(slow 30)" -w "$(slow 60)" >"$work/$name.cli" 2>&1 &
	cpid=$!
	pids+=("$cpid")
}

# finish NAME BYTES: waits for both ends (the client's watchdog bounds
# it); 0 if both exited 0 and the receiver got BYTES bytes.
finish()
{
	local name=$1 bytes=$2 crc src got t0=$SECONDS
	wait_exit $cpid 100
	crc=$?
	wait_exit $spid 15
	src=$?
	got=$(result_field "$work/$name.srv" received)
	[ -z "$got" ] && got=$(sed -n 's/^received bytes=\([0-9]*\).*/\1/p' "$work/$name.srv")
	echo "# $name: client exit $crc, receiver exit $src, received ${got:-?} of $bytes" \
		"($((SECONDS - t0)) s after start of wait)"
	if [ $crc -ne 0 ] || [ $src -ne 0 ] || [ "${got:-}" != "$bytes" ]; then
		sed "s/^/# $name client: /" "$work/$name.cli" | tail -n 3
		sed "s/^/# $name receiver: /" "$work/$name.srv" | tail -n 3
		return 1
	fi
}

# xfer_case LABEL NAME NS_SRV FAM_SRV ADDR:PORT NS_CLI FAM_CLI BYTES [peer
# RCVBUF]: one transfer (the arguments after LABEL are transfer's) run to
# its end; one TAP result, LABEL.  The scaffold of every case that only
# moves data.
xfer_case()
{
	local label=$1
	shift
	if transfer "$@" && finish "$1" "$7"; then
		tap_ok "$label"
	else
		tap_fail "$label" "see above"
	fi
}

# r_out_3m BASE: waits until 3 MiB have left R towards D (sp-rd's TX
# counter past BASE), at most 60 s; 0 if the client still runs then.
r_out_3m()
{
	local i n
	n=$(tenths 60)
	for ((i = 0; i < n; i++)); do
		if [ $(($(tx_bytes $R sp-rd) - $1)) -ge 3145728 ]; then
			pid_alive $cpid
			return
		fi
		pid_alive $cpid || return 1
		sleep 0.1
	done
	return 1
}

# cli_info NAME FIELD: FIELD of the client's last tcp_info line in
# $work/NAME.cli (xtcp_xfer -i), empty if there is none.
cli_info()
{
	sed -n "s/^tcp_info role=client .* $2=\([0-9]*\).*/\1/p" "$work/$1.cli" | tail -n 1
}

# ---- pmtu ----
pmtu_case()
{
	local fam=$1 port=$2 name=pmtu-$1 base unr0 frag0 dropped=0 t0=$SECONDS
	local bytes=16777216
	ip -n $R link set sp-rd mtu 1500
	ip netns exec $S sysctl -qw net.ipv4.route.flush=1
	unr0=$(snmp $R Icmp OutDestUnreachs)
	frag0=$(snmp $R Ip FragCreates)
	base=$(tx_bytes $R sp-rd)
	if ! transfer $name $D "$fam" 10.77.52.1:$port $S "$fam" $bytes; then
		tap_fail "$fam: pmtu: transfer byte-exact" "receiver did not start"
		tap_fail "$fam: pmtu: MTU dropped mid-transfer" "not run"
		tap_fail "$fam: pmtu: router sent frag-needed, fragmented nothing" "not run"
		return
	fi
	if r_out_3m "$base"; then
		dropped=1
		ip -n $R link set sp-rd mtu 1200
	fi
	echo "# $name: MTU 1200 set after $((SECONDS - t0)) s, $(($(tx_bytes $R sp-rd) - base)) bytes out of R"
	if finish $name $bytes; then
		tap_ok "$fam: pmtu: transfer byte-exact"
	else
		tap_fail "$fam: pmtu: transfer byte-exact" "see above"
	fi
	echo "# $name: $((SECONDS - t0)) s in all"
	tap_eq "$fam: pmtu: MTU dropped mid-transfer" 1 $dropped
	local unr=$(($(snmp $R Icmp OutDestUnreachs) - unr0))
	local frag=$(($(snmp $R Ip FragCreates) - frag0))
	echo "# $name: R sent $unr destination-unreachable, created $frag fragments"
	if [ $unr -ge 1 ] && [ $frag -eq 0 ]; then
		tap_ok "$fam: pmtu: router sent frag-needed, fragmented nothing"
	else
		tap_fail "$fam: pmtu: router sent frag-needed, fragmented nothing" \
			"$unr destination-unreachable, $frag fragments"
	fi
}

port=5100
for fam in $families; do
	port=$((port + 1))
	pmtu_case "$fam" $port
done
ip -n $R link set sp-rd mtu 1500
ip netns exec $S sysctl -qw net.ipv4.route.flush=1

# ---- devmtu ----
declare -A dm_ff=() dm_rt=()
# qdisc_drops: packets R's tbf on sp-rd has dropped.
qdisc_drops()
{
	tc -n $R -s qdisc show dev sp-rd | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -n 1
}
devmtu_case()
{
	local fam=$1 port=$2 name=devmtu-$1 base ff0 qd0 i dropped=0 t0=$SECONDS
	local bytes=16777216 prev cur
	ip -n $S link set sp-s mtu 1500
	ip netns exec $S sysctl -qw net.ipv4.route.flush=1
	ff0=$(snmp $S Ip FragFails)
	qd0=$(qdisc_drops)
	base=$(tx_bytes $R sp-rd)
	if ! transfer $name $D "$fam" 10.77.52.1:$port $S "$fam" $bytes; then
		tap_fail "$fam: devmtu: transfer byte-exact" "receiver did not start"
		return
	fi
	r_out_3m "$base" && dropped=1
	# The receiver stops reading; once S's veth sends less than 16 KB
	# in a second (its window closed; probes are smaller), the MTU
	# drops, and the receiver reads on.
	kill -STOP $spid 2>/dev/null
	prev=$(tx_bytes $S sp-s)
	for ((i = 0; i < 30 && dropped; i++)); do
		sleep "$(slow 1)"
		cur=$(tx_bytes $S sp-s)
		[ $((cur - prev)) -lt 16384 ] && break
		prev=$cur
	done
	[ $dropped = 1 ] && ip -n $S link set sp-s mtu 1200
	echo "# $name: MTU 1200 on sp-s after $((SECONDS - t0)) s, sender idle after $i s"
	kill -CONT $spid 2>/dev/null
	if finish $name $bytes && [ $dropped = 1 ]; then
		tap_ok "$fam: devmtu: MTU of the sender's device dropped mid-transfer, byte-exact"
	else
		tap_fail "$fam: devmtu: MTU of the sender's device dropped mid-transfer, byte-exact" \
			"MTU dropped mid-transfer: $dropped"
	fi
	dm_ff[$fam]=$(($(snmp $S Ip FragFails) - ff0))
	dm_rt[$fam]=$(cli_info $name bytes_retrans)
	echo "# $name: $((SECONDS - t0)) s; S's FragFails ${dm_ff[$fam]}, bytes resent" \
		"${dm_rt[$fam]:-?}, R's tbf dropped $(($(qdisc_drops) - qd0))"
}
port=5150
for fam in $families; do
	port=$((port + 1))
	devmtu_case "$fam" $port
done
ip -n $S link set sp-s mtu 1500
ip netns exec $S sysctl -qw net.ipv4.route.flush=1
if [ "${dm_ff[inet]:-}" = 0 ] && [ "${dm_ff[xtcp]:-}" = 0 ]; then
	tap_ok "xtcp: devmtu: S's IP had to refuse no segment, as for native"
else
	tap_fail "xtcp: devmtu: S's IP had to refuse no segment, as for native" \
		"Ip FragFails: xtcp ${dm_ff[xtcp]:-none}, native ${dm_ff[inet]:-none}"
fi

# ---- rcvbuf1 ----
port=5110
for fam in $families; do
	port=$((port + 1))
	name=rcvbuf1-$fam
	t0=$SECONDS
	xfer_case "$fam -> inet SO_RCVBUF 1: all 256 KiB, byte-exact" \
		$name $R inet 10.77.51.2:$port $S "$fam" 262144 peer 1
	echo "# $name: $(grep -o 'rcvbuf=[0-9]*' "$work/$name.srv"), $((SECONDS - t0)) s"
done

# capture NS DEV FILE PORTS: a headers-only tcpdump of the tcp ports
# PORTS (a portrange) on DEV; sets tpid.  Non-zero if it did not start.
capture()
{
	ip netns exec "$1" tcpdump -i "$2" -nn -s 96 -B 32768 -U --immediate-mode \
		-w "$work/$3.pcap" "tcp portrange $4" 2>"$work/$3.err" &
	tpid=$!
	pids+=("$tpid")
	wait_line $tpid "$work/$3.err" "listening on" 20
}

# capture_stop PID...: lets the last segments reach the captures, stops
# them.
capture_stop()
{
	local t
	sleep "$(slow 0.5)"
	for t in "$@"; do
		kill -INT "$t" 2>/dev/null
		wait_exit "$t" 10 >/dev/null
	done
}

# max_window FILE PORT: the largest window (scaled by the window scale of
# its SYN-ACK) offered by the listener on PORT in capture FILE.
max_window()
{
	tcpdump -r "$work/$1.pcap" -nn "src port $2" 2>/dev/null | awk '
		/Flags \[S\.\]/ { if (match($0, /wscale [0-9]+/)) ws = substr($0, RSTART + 7, RLENGTH - 7) + 0; next }
		match($0, /win [0-9]+/) { w = substr($0, RSTART + 4, RLENGTH - 4) * 2 ^ ws; if (w > m) m = w }
		END { print m + 0 }'
}

# ---- lo16k ----
lo_tpid=
capture $S lo lo16k 5121-5123 && lo_tpid=$tpid
port=5120
for pair in inet:inet xtcp:inet xtcp:xtcp; do
	port=$((port + 1))
	snd=${pair%:*}
	rcv=${pair#*:}
	name=lo16k-$snd-$rcv
	t0=$SECONDS
	xfer_case "$snd -> $rcv loopback, 16 KiB window: all 4 MiB, byte-exact" \
		$name $S "$rcv" 127.0.0.1:$port $S "$snd" 4194304 peer 16384
	echo "# $name: $(grep -o 'rcvbuf=[0-9]*' "$work/$name.srv"), $((SECONDS - t0)) s"
done
[ -n "$lo_tpid" ] && capture_stop $lo_tpid
# The test bed: a native receiver with SO_RCVBUF 16384 offers about
# 16 KiB (measured: 16384 at most; the bounds leave room for rounding).
port=5120
for pair in inet:inet xtcp:inet xtcp:xtcp; do
	port=$((port + 1))
	w=0
	[ -n "$lo_tpid" ] && w=$(max_window lo16k $port)
	echo "# lo16k-${pair/:/-}: largest window the receiver offered: $w bytes"
	[ "${pair#*:}" = inet ] || continue
	if [ "$w" -ge 8192 ] && [ "$w" -le 24576 ]; then
		tap_ok "${pair%:*} -> inet loopback: the receiver offers about 16 KiB"
	else
		tap_fail "${pair%:*} -> inet loopback: the receiver offers about 16 KiB" \
			"largest window $w bytes"
	fi
done

# ---- lomss ----
declare -A lo_mss=() lo_segs=()
rmem4=$(ip netns exec $S sysctl -n net.ipv4.tcp_rmem | tr -s '\t ' ' ')
rmemx=$(ip netns exec $S sysctl -n net.xtcp.tcp_rmem | tr -s '\t ' ' ')
ip netns exec $S sysctl -qw net.ipv4.tcp_rmem="4096 1048576 6291456" \
	net.xtcp.tcp_rmem="4096 1048576 6291456"
port=5140
for fam in $families; do
	port=$((port + 1))
	name=lomss-$fam
	xfer_case "$fam: loopback: all 4 MiB, byte-exact" \
		$name $S "$fam" 127.0.0.1:$port $S "$fam" 4194304
	lo_mss[$fam]=$(cli_info $name snd_mss)
	lo_segs[$fam]=$(cli_info $name data_segs_out)
	echo "# $name: sender's snd_mss ${lo_mss[$fam]:-?}, data segments ${lo_segs[$fam]:-?}"
done
ip netns exec $S sysctl -qw net.ipv4.tcp_rmem="$rmem4" net.xtcp.tcp_rmem="$rmemx"
if [ "${lo_mss[inet]:-0}" -gt 32768 ] && [ "${lo_mss[xtcp]:-0}" = "${lo_mss[inet]}" ]; then
	tap_ok "xtcp: loopback: the MSS grows with the peer's window as native's (${lo_mss[xtcp]})"
else
	tap_fail "xtcp: loopback: the MSS grows with the peer's window as native's" \
		"xtcp ${lo_mss[xtcp]:-none}, native ${lo_mss[inet]:-none} (native must be > 32768)"
fi
if [ -n "${lo_segs[inet]:-}" ] && [ -n "${lo_segs[xtcp]:-}" ] &&
	[ $((lo_segs[xtcp] * 4)) -le $(((lo_segs[inet] + 2) * 5)) ]; then
	tap_ok "xtcp: loopback: data segments at most 5/4 of native's (${lo_segs[xtcp]} vs ${lo_segs[inet]})"
else
	tap_fail "xtcp: loopback: data segments at most 5/4 of native's" \
		"xtcp ${lo_segs[xtcp]:-none}, native ${lo_segs[inet]:-none}"
fi

# ---- gso ----
# data_sizes FILE PORT: "FRAME PAYLOAD" per data packet from S in FILE.
data_sizes()
{
	tcpdump -r "$work/$1.pcap" -nn -e -q "src host 10.77.51.1 and dst port $2" 2>/dev/null |
		sed -n 's/.*, length \([0-9]*\): .* tcp \([0-9]*\)$/\1 \2/p' | awk '$2 > 0'
}

gso_ok=1
declare -A gso_max=() gso_n=()
# The autosizing step at 2^12 us, times XTCP_SLOW (see the check).
gso_rtt_log=12
for ((sl = XTCP_SLOW; sl > 1; sl /= 2)); do gso_rtt_log=$((gso_rtt_log + 1)); done
ip netns exec $S sysctl -qw net.ipv4.tcp_tso_rtt_log=$gso_rtt_log \
	net.xtcp.tcp_tso_rtt_log=$gso_rtt_log || gso_ok=0
capture $S sp-s gso-s 5131-5132 && spid_s=$tpid || gso_ok=0
capture $D sp-d gso-d 5131-5132 && spid_d=$tpid || gso_ok=0
port=5130
for fam in $families; do
	port=$((port + 1))
	name=gso-$fam
	if [ $gso_ok = 1 ]; then
		xfer_case "$fam: gso: transfer byte-exact" \
			$name $D "$fam" 10.77.52.1:$port $S "$fam" 4194304
	else
		tap_fail "$fam: gso: transfer byte-exact" "a capture did not start"
	fi
done
capture_stop ${spid_s:-} ${spid_d:-}
for c in gso-s gso-d; do
	grep -E "captured|dropped by kernel" "$work/$c.err" 2>/dev/null | sed "s/^/# $c: tcpdump: /"
done
port=5130
for fam in $families; do
	port=$((port + 1))
	read -r n big maxf <<<"$(data_sizes gso-s $port |
		awk '{ n++; if ($1 > 1514) b++; if ($1 > m) m = $1 }
		     END { print n + 0, b + 0, m + 0 }')"
	echo "# gso-$fam: sender's veth: $n data packets, $big larger than 1514 bytes, largest $maxf;" \
		"$(grep -o 'rtt=[0-9]* min_rtt=[0-9]*' "$work/gso-$fam.cli" || echo 'no tcp_info')"
	gso_max[$fam]=$maxf
	gso_n[$fam]=$n
	if [ "$n" -gt 0 ] && [ "$big" -gt 0 ]; then
		tap_ok "$fam: gso: super-segments leave the sender's socket"
	else
		tap_fail "$fam: gso: super-segments leave the sender's socket" \
			"$n data packets, none larger than the MTU (largest $maxf)"
	fi
	read -r n over maxf maxp sum <<<"$(data_sizes gso-d $port |
		awk '{ n++; s += $2; if ($1 > 1514 || $2 > 1460) o++
		       if ($1 > mf) mf = $1; if ($2 > mp) mp = $2 }
		     END { print n + 0, o + 0, mf + 0, mp + 0, s + 0 }')"
	echo "# gso-$fam: receiver's veth: $n data packets, $over too large, largest frame $maxf, largest payload $maxp, $sum payload bytes"
	# 4 MiB in segments of at most 1460 bytes: at least 2873 of them.
	if [ "$n" -ge 2873 ] && [ "$over" -eq 0 ]; then
		tap_ok "$fam: gso: wire segments cut to the MTU and MSS"
	else
		tap_fail "$fam: gso: wire segments cut to the MTU and MSS" \
			"$n data packets (>= 2873 expected), $over larger than 1514/1460"
	fi
done

# GSO autosizing (tcp_tso_autosize()) works from the minimum RTT, which
# R's tbf queue does not inflate as it does SRTT: xtcp's largest skb at
# S's veth is at least 2/3 of native's.  Measured under TCG: native 65226
# bytes (45 segments) in two runs; xtcp 31922 (0.49 of it) when it sized
# from SRTT, 63778 (0.98) from the minimum RTT.  The round runs with
# tcp_tso_rtt_log 12 (both families): the whole GSO size below a minimum
# RTT of 4096 us.  At the default 9 the step sits at 512 us, inside
# TCG's noise: a loaded CI run gave native 65226 and xtcp 39162, and with
# a second VM running the minimum RTTs read native 569 us, xtcp 1572.
# SRTT, which the tbf queue raises to tens of milliseconds (36-137 ms
# measured), would give only a millisecond at the pacing rate, well
# below 2/3.  What is left is where cwnd and the window split the skbs:
# measured 42058 native / 39162 xtcp, 65226 / 53642.  On a kernel
# XTCP_SLOW times slower the step moves up as many times (14 on the
# debug kernel, 16 ms): there the minimum RTTs read native 1420-1690 us,
# xtcp 2685-6595, and at 6595 a 4 ms step halved xtcp's skbs (36266 vs
# 65226).  Why xtcp's minimum RTT reads 2-4x native's on the debug
# kernel only (not under TCG: 121-497 vs 293-510) is not known.
if [ "${gso_max[inet]:-0}" -gt 1514 ] &&
	[ $((${gso_max[xtcp]:-0} * 3)) -ge $((gso_max[inet] * 2)) ]; then
	tap_ok "gso: xtcp's largest GSO skb at least 2/3 of native's (${gso_max[xtcp]} vs ${gso_max[inet]})"
else
	tap_fail "gso: xtcp's largest GSO skb at least 2/3 of native's" \
		"xtcp ${gso_max[xtcp]:-none}, native ${gso_max[inet]:-none}"
fi

# TSO deferral (tcp_tso_should_defer()): where cwnd or the window lets
# only part of a GSO skb go, it waits for the next ACK (due within
# min(SRTT/2, 1 ms)) to send a larger one.  xtcp sends at most 3/2 of
# native's data packets at S's veth, plus 50, and at most 600.  Measured
# under TCG: native 268-575 packets for the 4 MiB; xtcp without deferral
# 658-1082 (a CI run failed the 2/3 check above then: 36266 vs 63778),
# with it 301-375.  Counts from a capture that dropped packets say
# nothing: the check is skipped then (a capture that reports no drop
# count fails it).
sp_drops=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$work/gso-s.err" 2>/dev/null)
if [ -z "$sp_drops" ]; then
	tap_fail "gso: xtcp's GSO skbs at most 3/2 of native's (+50) and 600: TSO deferral" \
		"S's capture said nothing of drops (did it end?)"
elif [ "$sp_drops" -gt 0 ]; then
	tap_skip "gso: xtcp's GSO skbs at most 3/2 of native's (+50) and 600: TSO deferral" \
		"S's capture dropped $sp_drops packets"
elif [ "${gso_n[inet]:-0}" -gt 0 ] && [ "${gso_n[xtcp]:-0}" -gt 0 ] &&
	[ "${gso_n[xtcp]}" -le 600 ] &&
	[ $((gso_n[xtcp] * 2)) -le $(((gso_n[inet] + 50) * 3)) ]; then
	tap_ok "gso: xtcp's GSO skbs at most 3/2 of native's (+50) and 600: TSO deferral (${gso_n[xtcp]} vs ${gso_n[inet]})"
else
	tap_fail "gso: xtcp's GSO skbs at most 3/2 of native's (+50) and 600: TSO deferral" \
		"xtcp ${gso_n[xtcp]:-none}, native ${gso_n[inet]:-none}"
fi

# The size goal (tcp_xmit_size_goal()) is sk_gso_max_size as
# sk_setup_caps() left it.  Under the default 64 KiB autosizing rarely
# reaches it, so a second, short round caps the device at 16 KiB, where
# both stacks' skbs can: xtcp's largest payload must be at least
# native's and within the cap (measured: 15928 both; 14480 for xtcp when
# it took the TCP header allowance off a second time).  The autosizing
# (tcp_tso_autosize()) is taken out of this round for both families:
# tcp_tso_rtt_log 20 gives the whole GSO size to flows whose minimum RTT
# is below about a second.  With the default 9 (512 us) a flow whose
# minimum RTT the load had raised got half of it plus a millisecond at its
# pacing rate: a loaded CI run saw native 15928, xtcp 14480, and the debug
# kernel native 8688, xtcp 15928 -- each family's own RTT compared, not
# its size goal.
gso_ok=1
ip -n $S link set dev sp-s gso_max_size 16384 || gso_ok=0
ip netns exec $S sysctl -qw net.ipv4.tcp_tso_rtt_log=20 \
	net.xtcp.tcp_tso_rtt_log=20 || gso_ok=0
capture $S sp-s gso16k-s 5133-5134 && spid_s=$tpid || gso_ok=0
port=5132
for fam in $families; do
	port=$((port + 1))
	name=gso16k-$fam
	[ $gso_ok = 1 ] && transfer $name $D "$fam" 10.77.52.1:$port $S "$fam" 1048576 &&
		finish $name 1048576 || gso_ok=0
done
capture_stop ${spid_s:-}
ip -n $S link set dev sp-s gso_max_size 65536
ip netns exec $S sysctl -qw net.ipv4.tcp_tso_rtt_log=9 net.xtcp.tcp_tso_rtt_log=9
# gso_max_payload PORT: the largest TCP payload from S at sp-s.
gso_max_payload()
{
	data_sizes gso16k-s "$1" | awk '$2 > m { m = $2 } END { print m + 0 }'
}
read -r n_max x_max <<<"$(gso_max_payload 5133) $(gso_max_payload 5134)"
echo "# gso16k: largest super-segment payload at sp-s: native $n_max, xtcp $x_max"
if [ $gso_ok = 1 ] && [ "$n_max" -gt 1460 ] && [ "$x_max" -ge "$n_max" ] &&
	[ "$x_max" -le 16384 ]; then
	tap_ok "xtcp: gso: gso_max_size 16384: largest super-segment at least native's"
else
	tap_fail "xtcp: gso: gso_max_size 16384: largest super-segment at least native's" \
		"native $n_max bytes, xtcp $x_max (transfers ok: $gso_ok)"
fi

echo "# sendpath: $((SECONDS - t_start)) s"
tap_done
