#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# timer_proc: the timer columns of /proc/net/xtcp (tr, tm->when,
# retrnsmt, timeout) against /proc/net/tcp, native TCP as the reference,
# and the counters of /proc/net/xtcp_timers (issue 7 "Observability").
# Namespace X (10.77.9.1) holds the sockets looked at; P (10.77.9.2, veth)
# the other ends (selftests/timer_proc_peer).  Every case runs a native
# and an xtcp connection side by side: both connect, then both act at
# once (a file both wait for), and one process reads both files, so the
# two lines describe the same instant.  Cases: idle
# (tr 0), keepalive (tr 2),
# zero window (tr 4), SYN_RECV entry whose SYN-ACKs go unanswered (tr 1,
# retrnsmt = SYN-ACK retries, uid of the listener: 65534), TIME_WAIT (tr
# 3, about 60 s counting down), an orphan in FIN_WAIT2 (tr 3 with
# tcp_fin_timeout 15 s times XTCP_SLOW, so that a loaded host samples it
# before it ends -- with 5 s a run beside two other VMs found neither
# family's orphan at its first snapshot: both stacks show it as a
# FIN_WAIT2 entry, Linux's
# timewait mini-socket, while tcp_fin_timeout <= 60 s), unacknowledged
# data to a peer gone silent (tr 1,
# retrnsmt growing) and a SYN nobody answers (SYN_SENT, tr 1).  The
# counters: deltas of each kind around the cases, and once nothing is
# open, empty wheels, lateness rows adding up to "fired" and every
# arming ended by a firing or a cancel.  P silences itself by dropping its address: X keeps a
# permanent neighbour entry for it, and P, not forwarding, drops what it
# no longer owns without a word (see netns_scapy_peer).  The SYN comes
# from 10.77.9.3, an address nobody owns, so nothing answers the SYN-ACK.
#
# tm->when is in clock ticks (USER_HZ, 100 per second).  Tolerance: 50
# ticks (500 ms) between the two families' deadlines of the same case.
# Measured on a loaded TCG host: the two processes' wake-ups after the
# shared go file differ by up to a few hundred ms (the two reads, in one
# awk, by a few; a "sleep; read" comes a second or more late, hence
# snap_mid for the retransmission timers, and snap_until, not a fixed
# sleep, for a state that waits on a process, e.g. the peer's close());
# native TCP's timer_list rounds a timeout up by up to 1/8 of it (an RTO
# of 0.8 s or 1.6 s by up to 32 ms, 3.2 s by up to 256 ms), which adds
# up over retransmissions.  xtcp's values without the fix are 0.
# A case's peers live up to SECS (room for a slow start-up) but are ended
# (SIGTERM, the same abortive close) once the case's samples are taken.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/timer_proc_peer
xfer=$root/build/selftests/xtcp_xfer
X=xtcp-tproc-x
P=xtcp-tproc-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
# FIN_WAIT2 lifetime in X (seconds, a whole number: XTCP_SLOW is one).
fin_timeout=$(slow 15)
procs_start timer_proc
TOL=50

if ! { netns_pair $X xtp-x 10.77.9.1 $P xtp-p 10.77.9.2 &&
	ip -n $X link set lo up &&
	netns_scapy_peer $X xtp-x $P xtp-p 10.77.9.3 &&
	ip -n $X neigh replace 10.77.9.2 lladdr "$pmac" dev xtp-x nud permanent &&
	ip -n $P neigh replace 10.77.9.1 lladdr "$xmac" dev xtp-p nud permanent &&
	ip netns exec $X sysctl -qw net.ipv4.tcp_fin_timeout="$fin_timeout" &&
	ip netns exec $X sysctl -qw net.xtcp.tcp_fin_timeout="$fin_timeout"; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entries"
	exit 1
fi

tap_plan 58

# A process that stays in X: /proc/$xproc/net is X's view of /proc/net,
# so that a snapshot is read by this shell's builtins.  The loops below
# take one every 0.1 s for up to 10 s; with a process (ip netns exec,
# awk) per snapshot and per field lookup the test spent 376 s of guest
# CPU in 348 s (make check's busiest test), and under load the loops
# ran so slowly that a SYN_SENT entry was gone before a sample came.
# Not in pids: each case's finish ends those.
ip netns exec $X sleep 100000 &
xproc=$!
trap 'kill "$xproc" 2>/dev/null; procs_cleanup' EXIT
# Until it has entered X (ip netns exec switches after the fork).
for ((i = 0; i < 200; i++)); do
	[ /proc/$xproc/ns/net -ef /proc/$$/ns/net ] || break
	sleep 0.05
done

# snap NAME: /proc/net/tcp, /proc/net/xtcp and /proc/net/xtcp_timers of X
# read one after the other by one process, as $work/{tcp,xtcp,ctr}.NAME.
snap()
{
	local f to lines
	for f in tcp xtcp xtcp_timers; do
		to=$f
		[ $f = xtcp_timers ] && to=ctr
		lines=()
		mapfile -t lines 2>/dev/null <"/proc/$xproc/net/$f"
		if [ ${#lines[@]} -gt 0 ]; then
			printf '%s\n' "${lines[@]}" >"$work/$to.$1"
		else
			: >"$work/$to.$1"
		fi
	done
}

# snap_mid NAME NPORT STATE RETR: snapshot NAME taken once native's line
# (local port NPORT, STATE) shows RETR timeouts or more and is in the
# middle half of its current interval (the rto column, or for a SYN
# queue entry 1 s << retries), so that neither family is about to
# cross a timeout at that instant; tries for up to 10 s.  A loaded TCG
# host delays a plain "sleep; read" by a second or more (measured), too
# much for a fixed schedule.  The snapshot's assertions run once.
snap_mid()
{
	local i f r w rto n
	n=$(tenths 10)
	for ((i = 0; i < n; i++)); do
		snap "$1"
		f=$(fields "$work/tcp.$1" "$2" "$3")
		read -r _ _ w r _ _ rto <<<"$f"
		if [ -n "${r:-}" ] && [ "$r" -ge "$4" ]; then
			[ "${rto:--}" = - ] && rto=$((100 << r))
			[ $((4 * w)) -ge "$rto" ] && [ $((4 * w)) -le $((3 * rto)) ] &&
				return 0
		fi
		sleep 0.1
	done
	echo "# $1: native never mid-interval with $4 timeouts (last: $f)"
	return 1
}

# snap_until NAME NPORT XPORT STATE [TR]: snapshot NAME taken once
# native's line (local port NPORT) and xtcp's (XPORT) are both in STATE
# (with timer TR, when given); tries for up to 10 s.  Such a state comes
# after processes ran (the peer's close() once it read the EOF, a
# client's first write): a loaded TCG host delays a process or a
# "sleep" by seconds (measured: a "sleep 2" took 7.9 s), so no fixed
# wait is long enough or short enough.  On a timeout it prints both
# lines in any state and P's sockets, and returns 1.
snap_until()
{
	local i nt xt t0=$SECONDS n
	n=$(tenths 10)
	for ((i = 0; i < n; i++)); do
		snap "$1"
		read -r _ nt _ <<<"$(fields "$work/tcp.$1" "$2" "$4")"
		read -r _ xt _ <<<"$(fields "$work/xtcp.$1" "$3" "$4")"
		[ -n "${nt:-}" ] && [ -n "${xt:-}" ] &&
			[ "$nt $xt" = "${5:-$nt} ${5:-$xt}" ] && return 0
		sleep 0.1
	done
	echo "# $1: not both in state $4${5:+ tr $5} in $i snapshots over" \
		"$((SECONDS - t0)) s; in any state at the last:" \
		"native $(fields "$work/tcp.$1" "$2"); xtcp $(fields "$work/xtcp.$1" "$3")"
	ip netns exec $P awk 'FNR > 1 { print "# P " FILENAME ": " $2, $3, $4, $6 }' \
		/proc/net/tcp /proc/net/xtcp
	return 1
}

# fields FILE PORT [STATE]: "st tr when retrnsmt uid timeout rto" of the
# line of local port PORT (and state STATE), when and retrnsmt in decimal
# (rto, the column after the pointer, "-" where there is none).
fields()
{
	local want n=0 rto
	local -a f
	printf -v want ':%04X' "$2"
	while read -r -a f; do
		[ $((n++)) = 0 ] && continue
		[ "${f[1]: -5}" = "$want" ] || continue
		[ -z "${3:-}" ] || [ "${f[3]}" = "$3" ] || continue
		rto=-
		[ ${#f[@]} -gt 12 ] && rto=${f[12]}
		echo "${f[3]} $((16#${f[5]%%:*})) $((16#${f[5]#*:})) $((16#${f[6]}))" \
			"${f[7]} ${f[8]} $rto"
		return 0
	done <"$1"
	return 1
}

# ctr NAME KIND COLUMN: a counter of snapshot NAME (0 if absent).
ctr()
{
	awk -v k="$2" -v c="$3" '
		$1 == "kind" { for (i = 2; i <= NF; i++) col[$i] = i; sec = 1; next }
		$1 == "late_jiffies" || $1 == "wheel" { sec = 0; next }
		sec == 1 && $1 == k && (c in col) { v = $col[c] }
		END { print v + 0 }' "$work/ctr.$1" 2>/dev/null || echo 0
}

# delta A B KIND COLUMN: how much a counter moved from snapshot A to B.
delta()
{
	echo $(($(ctr "$2" "$3" "$4") - $(ctr "$1" "$3" "$4")))
}

# started NAME FAM ADDR:PORT ARGS...: a peer in the background whose output
# goes to $work/NAME; its pid in $last.
started()
{
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$work/$name" 2>&1 &
	last=$!
	pids+=("$last")
}

# lport NAME: the local port a client printed.
lport()
{
	sed -n 's/^connected //p' "$work/$1"
}

# show CASE: what the case's peers printed, as TAP comments.
show()
{
	local f
	for f in "$work/s-$1-"* "$work/c-$1-"*; do
		[ -f "$f" ] && sed "s|^|# ${f##*/}: |" "$f"
	done
}

# pair CASE SERVE_MODE CLIENT_ACTION SECS BASEPORT [RCVBUF]: native and
# xtcp peers that live SECS times XTCP_SLOW (counted from their start, so
# SECS leaves room for a slow start-up under TCG before the case's
# samples; on the debug kernel, XTCP_SLOW=4, 10 s was not enough for the
# idle and keepalive cases, whose peers were gone before the sample, nor
# with two VMs on two cores at XTCP_SLOW=1; every case asks 60 s, and
# ends its peers with SIGTERM once its samples are taken): servers
# in P on BASEPORT and BASEPORT+1, a client of each in X,
# connected and waiting for go CASE; sets np and xp, the clients' local
# ports (empty when they failed), and cp, their pids.
pair()
{
	local c=$1 mode=$2 act=$3 secs port=$5 rcvbuf=${6:-} fam i sp=()
	secs=$(slow "$4")
	cp=()
	np=
	xp=
	for fam in inet xtcp; do
		started "s-$c-$fam" $P "$peer" serve $fam "10.77.9.2:$((port + ${#sp[@]}))" \
			"$mode" "$secs" $rcvbuf
		sp+=("$last")
	done
	for i in 0 1; do
		fam=inet
		[ $i = 1 ] && fam=xtcp
		wait_line "${sp[$i]}" "$work/s-$c-$fam" "^listening" 10
		started "c-$c-$fam" $X "$peer" client $fam "10.77.9.2:$((port + i))" \
			"$act" "$secs" "$work/go-$c"
		cp+=("$last")
	done
	wait_line "${cp[0]}" "$work/c-$c-inet" "^connected" 10
	wait_line "${cp[1]}" "$work/c-$c-xtcp" "^connected" 10
	np=$(lport "c-$c-inet")
	xp=$(lport "c-$c-xtcp")
	[ -n "$np" ] && [ -n "$xp" ] && return 0
	show "$c"
	return 1
}

# go CASE: both clients of CASE act; wait until they did.
go()
{
	touch "$work/go-$1"
	wait_line "${cp[0]}" "$work/c-$1-inet" "^acted" 10
	wait_line "${cp[1]}" "$work/c-$1-xtcp" "^acted|unsupported" 10
}

# compare CASE SNAP NPORT XPORT STATE TR [TOL]: the native and xtcp lines
# of snapshot SNAP: both in STATE with tr TR (three results: state and
# tr, retrnsmt equal, tm->when within TOL ticks); sets nf and xf.
compare()
{
	local c=$1 s=$2 tol=${7:-$TOL} ns nt nw nr xs xt xw xr
	nf=$(fields "$work/tcp.$s" "$3" "$5")
	xf=$(fields "$work/xtcp.$s" "$4" "$5")
	echo "# $c: native: $nf; xtcp: $xf (st tr when retrnsmt uid timeout)"
	read -r ns nt nw nr _ _ <<<"$nf"
	read -r xs xt xw xr _ _ <<<"$xf"
	tap_eq "$c: state $5, tr $6 (native, xtcp)" "$5 $6 $5 $6" \
		"${ns:-none} ${nt:-} ${xs:-none} ${xt:-}"
	tap_eq "$c: retrnsmt as native" "${nr:-none}" "${xr:-none}"
	if [ -n "${nw:-}" ] && [ -n "${xw:-}" ] &&
		[ $((nw - xw)) -le "$tol" ] && [ $((xw - nw)) -le "$tol" ]; then
		tap_ok "$c: tm->when within $tol ticks of native"
	else
		tap_fail "$c: tm->when within $tol ticks of native" \
			"native ${nw:-none} xtcp ${xw:-none}"
	fi
}

# compare_rtx CASE SNAP NPORT XPORT: as compare for a retransmission
# timer whose RTO comes from each stack's own RTT estimate: both follow
# Linux's estimator (at least srtt + 200 ms), but each from its own
# samples, which under a loaded TCG (srtt tens of ms) differ, so the two
# schedules drift apart by a few srtt per doubling.  tr 1 in both,
# retrnsmt within one of native's, and xtcp's tm->when within its own
# RTO column (plus $TOL ticks).
compare_rtx()
{
	local c=$1 s=$2 ns nt nr xs xt xw xr xrto
	nf=$(fields "$work/tcp.$s" "$3" 01)
	xf=$(fields "$work/xtcp.$s" "$4" 01)
	echo "# $c: native: $nf; xtcp: $xf (st tr when retrnsmt uid timeout rto)"
	read -r ns nt _ nr _ _ _ <<<"$nf"
	read -r xs xt xw xr _ _ xrto <<<"$xf"
	tap_eq "$c: state 01, tr 1 (native, xtcp)" "01 1 01 1" \
		"${ns:-none} ${nt:-} ${xs:-none} ${xt:-}"
	if [ -n "${nr:-}" ] && [ -n "${xr:-}" ] &&
		[ $((nr - xr)) -le 1 ] && [ $((xr - nr)) -le 1 ]; then
		tap_ok "$c: retrnsmt within one of native's ($nr, $xr)"
	else
		tap_fail "$c: retrnsmt within one of native's" "native ${nr:-none} xtcp ${xr:-none}"
	fi
	if [ -n "${xw:-}" ] && [ "${xrto:--}" != - ] && [ "$xw" -le $((xrto + TOL)) ]; then
		tap_ok "$c: xtcp tm->when ($xw) within its RTO ($xrto)"
	else
		tap_fail "$c: xtcp tm->when within its RTO" "when ${xw:-none} rto ${xrto:-none}"
	fi
}

# finish [term]: wait for every peer started so far, then forget them.
# With "term", first ask them (SIGTERM) to end their SECS now, the same
# way they end at SECS (an abortive close): a case is over once its
# samples are taken, and the peers' SECS only leave room for a slow start.
finish()
{
	local p
	if [ "${1:-}" = term ]; then
		for p in "${pids[@]}"; do
			kill -TERM "$p" 2>/dev/null
		done
	fi
	for p in "${pids[@]}"; do
		wait_exit "$p" 30
	done
	pids=()
}

# alive: some peer started since the last finish still runs.
alive()
{
	local p
	for p in "${pids[@]}"; do
		pid_alive "$p" && return 0
	done
	return 1
}

snap c0

# Bulk transfer: every ACK moves the retransmission deadline (re-armed);
# the last one only clears its work, as Linux's, and the close cancels
# the timer still pending (cancelled): the FIN's, which went as a
# retransmission timer or a tail loss probe (tlp).
started xs $P "$xfer" server -f xtcp -l 10.77.9.2:7200 -n 1 -t 20 -w 40
wait_line $last "$work/xs" "^listening " 10
ip netns exec $X timeout -k 2 40 "$xfer" client -f xtcp -c 10.77.9.2:7200 \
	-s 8M -r 1K -t 20 >"$work/xc" 2>&1
finish
snap bulk
for col in armed rearmed; do
	d=$(delta c0 bulk retransmit $col)
	tap_check "bulk: retransmit $col grows ($d)" [ "$d" -gt 0 ]
done
d=$(($(delta c0 bulk retransmit cancelled) + $(delta c0 bulk tlp cancelled)))
tap_check "bulk: retransmit + tlp cancelled grows ($d)" [ "$d" -gt 0 ]

# Idle connection: no timer.
pair idle hold idle 60 7201
go idle
sleep 0.5
snap idle
compare idle idle "$np" "$xp" 01 0
finish term

# Keepalive: TCP_KEEPIDLE 30 s, tr 2 and about 3000 ticks.
pair ka hold keepalive:30 60 7203
go ka
sleep 0.5
snap ka
compare keepalive ka "$np" "$xp" 01 2
finish term

# Zero window: the servers never read, 4 KiB receive buffers.  The probe
# deadline depends on when each stack's window closed (its buffers), so
# tm->when is only checked to be a probe's (0 .. 120 s) in each.
snap zw0
pair zw hold fill 60 7205 4096
go zw
# 4 s in, as measured (the probes-out column settles); then, should a
# loaded host not have run the client's first write yet, wait for it.
sleep 4
snap_until zw "$np" "$xp" 01 4 || show zw
compare zero-window zw "$np" "$xp" 01 4 12000
read -r _ _ _ _ _ nto _ <<<"$nf"
read -r _ _ _ _ _ xto _ <<<"$xf"
tap_eq "zero-window: timeout (probes out) as native" "${nto:-none}" "${xto:-none}"
# A probe may not have fired yet at that sample: the peers stay until one
# has (or until their SECS, as before).
while alive; do
	snap zw1
	[ "$(delta zw0 zw1 probe armed)" -gt 0 ] &&
		[ "$(delta zw0 zw1 probe fired)" -gt 0 ] && break
	sleep 0.2
done
finish term
snap zw1
for col in armed fired; do
	d=$(delta zw0 zw1 probe $col)
	tap_check "zero-window: probe $col grows ($d)" [ "$d" -gt 0 ]
done

# SYN_RECV: listeners in X owned by uid 65534; one SYN to each from
# 10.77.9.3.  SYN-ACK timeouts 1 s, 2 s, 4 s: sampled after one retry and
# after two, mid-interval (snap_mid).
snap sr0
i=0
for fam in inet xtcp; do
	started "l-$fam" $X setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$peer" serve $fam "10.77.9.1:$((7207 + i))" none "$(slow 60)"
	wait_line $last "$work/l-$fam" "^listening" 10
	i=$((i + 1))
done
ip netns exec $P "$peer" syn 10.77.9.3 10.77.9.1:7207 10.77.9.1:7208 >/dev/null
snap_mid sr1 7207 03 1
compare "syn_recv after 1 retry" sr1 7207 7208 03 1
read -r _ _ _ _ nuid _ <<<"$nf"
read -r _ _ _ _ xuid _ <<<"$xf"
tap_eq "syn_recv: uid of the listener (native, xtcp)" "65534 65534" "${nuid:-none} ${xuid:-none}"
snap_mid sr2 7207 03 2
compare "syn_recv after 2 retries" sr2 7207 7208 03 1
d=$(delta sr0 sr2 synack fired)
tap_check "syn_recv: synack fired twice or more ($d)" [ "$d" -ge 2 ]
finish term

# TIME_WAIT: the client closes first; about 60 s, counting down.
snap tw0
pair tw drain close 60 7209
go tw
snap_until tw1 "$np" "$xp" 06 3 || show tw
compare "time_wait" tw1 "$np" "$xp" 06 3
read -r _ _ n1 _ <<<"$nf"
read -r _ _ w1 _ <<<"$xf"
sleep 2
snap tw2
compare "time_wait 2 s later" tw2 "$np" "$xp" 06 3
read -r _ _ n2 _ <<<"$nf"
read -r _ _ w2 _ <<<"$xf"
# Against native's countdown over the same two snapshots, not against
# the time "sleep 2" took.
d=$(( (${w1:-0} - ${w2:-0}) - (${n1:-0} - ${n2:-0}) ))
tap_check "time_wait: xtcp tm->when counts down as native's ($w1 -> $w2, native $n1 -> $n2)" \
	test "${w2:-0}" -lt "${w1:-0}" -a "$d" -le "$TOL" -a "$d" -ge "-$TOL"
d=$(delta tw0 tw2 time_wait armed)
tap_check "time_wait: time_wait armed grows ($d)" [ "$d" -gt 0 ]
finish term

# Orphan in FIN_WAIT2: the client closes, the server never does (it
# holds the connection for 60 s times XTCP_SLOW, well past the check that
# the orphans are gone: tcp_fin_timeout is 15 s times XTCP_SLOW in X).
snap fw0
pair fw hold close 60 7211
go fw
snap_until fw1 "$np" "$xp" 05 3 || show fw
nf=$(fields "$work/tcp.fw1" "$np")
xf=$(fields "$work/xtcp.fw1" "$xp")
echo "# fin_wait2: native: $nf; xtcp: $xf"
read -r ns nt nw _ <<<"$nf"
read -r xs xt xw _ <<<"$xf"
tap_eq "fin_wait2: state 05 and tr 3 (native, xtcp)" "05 05 3 3" \
	"${ns:-none} ${xs:-none} ${nt:-} ${xt:-}"
if [ -n "${nw:-}" ] && [ -n "${xw:-}" ] && [ "$xw" -gt 0 ] &&
	[ $((nw - xw)) -le $TOL ] && [ $((xw - nw)) -le $TOL ]; then
	tap_ok "fin_wait2: tm->when within $TOL ticks of native (native tr $nt)"
else
	tap_fail "fin_wait2: tm->when within $TOL ticks of native" \
		"native ${nw:-none} xtcp ${xw:-none}"
fi
# Gone once tcp_fin_timeout is up: until tcp_fin_timeout plus 10 s times
# XTCP_SLOW from fw1 (a fixed sleep is too short when fw1 came right at
# the entry's start, or when the host is loaded).
t_gone=$((SECONDS + fin_timeout + $(slow 10)))
while :; do
	snap fw2
	[ -z "$(fields "$work/tcp.fw2" "$np")$(fields "$work/xtcp.fw2" "$xp")" ] && break
	[ $SECONDS -ge $t_gone ] && break
	sleep 0.2
done
tap_eq "fin_wait2: both gone after tcp_fin_timeout" "" \
	"$(fields "$work/tcp.fw2" "$np")$(fields "$work/xtcp.fw2" "$xp")"
# A FIN_WAIT2 entry's end is a time_wait-kind timer (timers.rst).
for col in armed fired; do
	d=$(delta fw0 fw2 time_wait $col)
	tap_check "fin_wait2: time_wait $col grows ($d)" [ "$d" -gt 0 ]
done
finish term

# A write the peer acknowledges: its ACK clears the work of the tail loss
# probe the send armed (xtcp_stop_rtx(), inet_csk_clear_xmit_timer())
# and leaves the timer pending, as Linux does; it expires some 200 ms
# later with nothing to do, counted stale under its own kind, tlp (a
# review found it counted under retransmit).  Waits up to 10 s for it.
snap tl0
pair tl hold send 60 7217
go tl
n=$(tenths 10)
for ((i = 0; i < n; i++)); do
	snap tl1
	[ "$(delta tl0 tl1 tlp stale)" -gt 0 ] && break
	sleep 0.1
done
d=$(delta tl0 tl1 tlp stale)
tap_check "acked write: the loss probe's timer expires stale, as tlp ($d)" \
	[ "$d" -gt 0 ]
finish term

# Unacknowledged data to a peer gone silent: retransmissions at about
# 0.2, 0.6, 1.4, 3, 6.2 s after the write (RTO 200 ms and up, doubling);
# sampled after two and four (see compare_rtx for what is compared).
snap rt0
pair rt hold send 60 7213
ip -n $P addr flush dev xtp-p
go rt
snap_mid rt1 "$np" 01 2
compare_rtx "silent peer after 2 timeouts" rt1 "$np" "$xp"
r1=$(echo "$xf" | awk '{ print $4 }')
snap_mid rt2 "$np" 01 4
compare_rtx "silent peer after 4 timeouts" rt2 "$np" "$xp"
r2=$(echo "$xf" | awk '{ print $4 }')
tap_check "silent peer: xtcp retrnsmt grows ($r1 -> $r2)" \
	test "${r1:-0}" -gt 0 -a "${r2:-0}" -gt "${r1:-0}"
for col in armed fired; do
	d=$(delta rt0 rt2 retransmit $col)
	tap_check "silent peer: retransmit $col grows ($d)" [ "$d" -gt 1 ]
done
finish term

# SYN_SENT to an address nobody answers (10.77.9.3): the SYN timeouts do
# not depend on an RTT estimate (1 s, doubling), so the two families
# agree: sampled after one retransmission and after two, mid-interval.
i=0
cp=()
for fam in inet xtcp; do
	started "c-ss-$fam" $X "$peer" client $fam "10.77.9.3:$((7215 + i))" synsent "$(slow 15)" \
		"$work/go-ss"
	cp+=("$last")
	wait_line $last "$work/c-ss-$fam" "^connected" 10
	i=$((i + 1))
done
np=$(lport c-ss-inet)
xp=$(lport c-ss-xtcp)
go ss
snap_mid ss1 "${np:-0}" 02 1
compare "syn_sent after 1 retransmission" ss1 "${np:-0}" "${xp:-0}" 02 1
snap_mid ss2 "${np:-0}" 02 2
compare "syn_sent after 2 retransmissions" ss2 "${np:-0}" "${xp:-0}" 02 1
finish term

# Nothing open: the namespaces go (their TIME_WAIT and SYN queue entries
# with them); every wheel empties, and then every arming has ended in a
# firing or a cancel.
kill "$xproc" 2>/dev/null
wait "$xproc" 2>/dev/null
ip netns del $X
ip netns del $P
netns=()
n=$(tenths 30)
for ((i = 0; i < n; i++)); do
	cat /proc/net/xtcp_timers >"$work/ctr.end" 2>/dev/null
	occ=$(awk '$1 == "wheel" { sec = 1; next } sec { for (i = 2; i <= NF; i++) s += $i }
		END { print s + 0 }' "$work/ctr.end")
	[ "$occ" = 0 ] && grep -q '^wheel' "$work/ctr.end" && break
	sleep 0.1
done
sed 's/^/# /' "$work/ctr.end"
tap_check "wheels empty once nothing is open (occupancy $occ)" \
	grep -q '^wheel' "$work/ctr.end"
tap_eq "every wheel's occupancy is 0 once nothing is open" 0 "$occ"
d=$(($(delta c0 end time_wait cancelled) + $(delta c0 end time_wait fired)))
tap_check "time_wait entries ended: cancelled + fired grows ($d)" [ "$d" -gt 0 ]
bad=$(awk '
	$1 == "kind" { for (i = 2; i <= NF; i++) col[$i] = i; sec = 1; next }
	$1 == "late_jiffies" { sec = 2; next }
	$1 == "wheel" { sec = 0; next }
	sec == 1 { fired[$1] = $col["fired"]; late[$1] = $col["late"]; n++ }
	sec == 2 { s = 0; for (i = 2; i <= NF; i++) s += $i; m++
		if (s != fired[$1] || s - $2 != late[$1]) print $1 }
	END { if (!n || n != m) print "no rows" }' "$work/ctr.end")
tap_eq "lateness histogram adds up to fired (and late) for every kind" "" "$bad"
over=$(awk '
	$1 == "kind" { for (i = 2; i <= NF; i++) col[$i] = i; sec = 1; next }
	$1 == "late_jiffies" || $1 == "wheel" { sec = 0; next }
	sec == 1 && $col["stale"] > $col["fired"] { print $1 }' "$work/ctr.end")
tap_eq "no kind counts more stale runs than expiries" "" "$over"
bal=$(awk '
	$1 == "kind" { for (i = 2; i <= NF; i++) col[$i] = i; sec = 1; next }
	$1 == "late_jiffies" || $1 == "wheel" { sec = 0; next }
	sec == 1 { a += $col["armed"]; e += $col["fired"] + $col["cancelled"] }
	END { print a + 0, e + 0 }' "$work/ctr.end")
read -r a e <<<"$bal"
tap_check "every arming ended in a firing or a cancel, all kinds ($a armed)" \
	test "$a" -gt 0 -a "$a" = "$e"
tap_done
