#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# chaos: data arrives byte-exact over a path that loses, reorders,
# duplicates and corrupts packets, all at once, and xtcp retransmits no
# more than native TCP does there.  netem on both ends of a veth pair
# between two namespaces (10.77.3.1/24 <-> 10.77.3.2/24) applies, to every
# packet leaving that end, loss 2%, duplicate 1%, corrupt 0.1% (one bit of
# the frame flipped) and reorder 10% (a delay of XTCP_CHAOS_DELAY,
# default 5ms, for 90% of the packets and none for the other 10%, which so
# overtake; netem reorders only with a delay).  One pair of namespaces per
# case, the four cases at the same time as in lossy: xtcp client with a
# native server, native client with an xtcp server, xtcp with xtcp, and
# native with native as the reference.  Each moves XTCP_CHAOS_BYTES
# (default 4M) each way through one connection, checked byte for byte by
# xtcp_xfer; issue 10's acceptance is 64M (make check T=chaos
# XTCP_CHAOS_BYTES=64M XTCP_CHAOS_PENDING=).  4 MiB is about 2,900
# segments each way: some 60 drops, 290 overtaken segments and 30
# duplicates per direction, enough for every impairment to reach each
# stack many times (and for the receivers' checksum counters to move);
# it is what make check pays for byte-exactness under chaos.  TSO
# and GSO are off on the veth and gso_max_segs is 1 (netns_netem_pair()),
# so that netem acts on single segments for both stacks (see lossy.sh).  A corrupted packet leaves
# netem with its checksum computed in software (CHECKSUM_NONE), so the
# receiving stack must verify it and drop it: accepting it shows as a byte
# mismatch.
#
# Checks, as TAP lines:
# - per case: both directions byte-exact, and netem's drop counter grew on
#   both ends during the case (netem counts only drops; the other
#   impairments have no counter of their own).  DSACKs received (duplicates, spurious
#   retransmissions) and reordering detected (TcpExt TCPSACKReorder +
#   TCPTSReorder) are printed as comments, and so is the growth of each
#   namespace's loss-recovery counters (RTX_COUNTERS, of native TCP and of
#   xtcp: retransmissions by cause, undos, D-SACKs sent and received),
#   which says why a sender retransmitted what it did.
# - corruption reached the receivers, when the cases move 1 MiB or more:
#   the checksum and header errors counted in all eight namespaces (IP's
#   Ip InHdrErrors and IpExt InCsumErrors, native TCP's and xtcp's Tcp
#   InCsumErrors) grew.  Over all cases, not per case: with single
#   segments through netem about one packet in 1000 is corrupted and
#   counted (624-681 counted for 625-629 expected in four runs at 64
#   MiB: about 10 per MiB each way in the four cases; 57 at 4 MiB and 11
#   at the debug lane's 1 MiB seen); when netem corrupted whole GSO skbs
#   (before 2026-12-05) half that, and the reference case once counted
#   none (a failure while it alone was asserted).
# - per xtcp sender: all it sent was acked and its TCP_INFO read
#   (tcpi_bytes_retrans among it, read by xtcp_xfer -i on the sending
#   socket once all it sent is acked, before close).
# - the retransmissions, when a case moves 32 MiB or more (XTCP_CHAOS_BYTES;
#   below that the counts are too noisy, and the ratios are only printed):
#   the bytes xtcp's four senders retransmitted, summed, at most 1.2 times
#   the sum of native's four, in the same run, over paths set up alike.
#   The two sets match: each stack has one client and one server sending
#   to a receiver of its own stack (xtcp:xtcp, inet:inet) and one of each
#   sending to the other stack's (the mixed cases).  A sum, because one
#   sender's count is too noisy for the bound: it is mostly drops (2%)
#   plus retransmissions that reordering made look lost, and the latter
#   vary with when the reordering window widened.  Four runs at 64 MiB
#   (2026-12-05, single segments through netem): native senders
#   retransmitted 2.42 to 3.57 MB (sd 10% of the mean), one against
#   another of the same run 0.71 to 1.41; the run's sum of four varied by
#   4.9% (sd/mean).  Every sender's
#   ratio to the reference's native one of its direction is printed
#   (the mixed cases' native senders too: native against native).  Each
#   of the eight counts must be a number, and above 0 where the ratio
#   counts.  Since the sums balance the receivers (an xtcp receiver's
#   cost to its senders cancels) and one case could hide in them, a
#   looser guard too: xtcp:xtcp's two senders at most 1.4 times
#   inet:inet's two.
#   XTCP_CHAOS_PENDING (default empty) names checks known to fail, which
#   are then reported as skips with their numbers ("retrans": the ratio
#   check).  It was "retrans" while xtcp retransmitted 1.38-2.34 times
#   native's bytes at 64 MiB (2026-12-01); xtcp's timers firing a jiffy
#   early were the cause (0.94-1.10 since 2026-12-04).
#
# Time (TCG, another VM on the host): at 64 MiB each case with its
# set-up took 119-171 s (xtcp:xtcp the shortest, inet:inet the longest),
# the four at once; the whole test 199-217 s (2026-12-05); at the default
# 4 MiB 108 s beside another test.
# A case fails after 120 s plus 1 s per 100 kB of payload one way (287 s
# at 16M, 791 s at 64M) by xtcp_xfer's watchdog, or after 60 s without
# progress on one call, both scaled by XTCP_SLOW; the runner allows 900 s
# per test (XTCP_SLOW scales it too).
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes_arg=${XTCP_CHAOS_BYTES:-4M}
bytes=$(numfmt --from=iec "$bytes_arg") || exit 1
delay=${XTCP_CHAOS_DELAY:-5ms}
impair="loss 2% duplicate 1% corrupt 0.1% delay $delay reorder 10%"
wd=$((120 + bytes / 100000))
bound=1.2
# From this size on the retransmission ratios are checks (see above).
ratio_from=$((32 * 1048576))
pending=,${XTCP_CHAOS_PENDING-},
CASES="inet:inet xtcp:inet inet:xtcp xtcp:xtcp"	# client:server
netns=()
for c in $CASES; do
	netns+=("xtcp-chaos-a-${c/:/-}" "xtcp-chaos-b-${c/:/-}")
done
work=$(mktemp -d /tmp/xtcp-chaos.XXXXXX)
pids=()

trap procs_cleanup EXIT

# snapshot NS FILE: every counter of native TCP/IP and of xtcp in NS, a
# "STACK:GROUP:NAME VALUE" line each (STACK native or xtcp) in FILE.  One
# process: each costs under TCG.
snapshot()
{
	ip netns exec "$1" awk '
		FNR == 1 { st = FILENAME ~ /xtcp_/ ? "xtcp" : "native" }
		{ p = $1 }
		names[st p] == "" { names[st p] = $0; next }
		{ n = split(names[st p], k); for (i = 2; i <= n; i++) print st ":" p k[i], $i; names[st p] = "" }
	' /proc/net/snmp /proc/net/netstat /proc/net/xtcp_snmp /proc/net/xtcp_netstat >"$2"
}

# case_sums A0 A1 B0 B1: "CSUM DSACK REORDER", the growth of counters
# over both namespaces (snapshots A0 -> A1, B0 -> B1): checksum and
# header errors (IP's Ip InHdrErrors and IpExt InCsumErrors, native TCP's
# and xtcp's Tcp InCsumErrors), and native TCP's DSACKs received (TcpExt
# TCPDSACKRecv) and reordering detected (TcpExt TCPSACKReorder +
# TCPTSReorder).  One process.
case_sums()
{
	awk '
		BEGIN {
			k["native:Tcp:InCsumErrors"] = 1; k["native:IpExt:InCsumErrors"] = 1
			k["xtcp:Tcp:InCsumErrors"] = 1
			k["native:Ip:InHdrErrors"] = 1; k["native:TcpExt:TCPDSACKRecv"] = 2
			k["native:TcpExt:TCPSACKReorder"] = 3; k["native:TcpExt:TCPTSReorder"] = 3
		}
		# The before snapshots count down, the after ones up.
		!($1 in k) { next }
		FILENAME == ARGV[1] || FILENAME == ARGV[3] { s[k[$1]] -= $2; next }
		{ s[k[$1]] += $2 }
		END { print s[1] + 0, s[2] + 0, s[3] + 0 }' "$1" "$2" "$3" "$4"
}

# The loss-recovery counters a case prints per namespace and stack (the
# causes of its retransmissions, what its receivers told the senders).
RTX_COUNTERS="Tcp:RetransSegs TcpExt:TCPFastRetrans TcpExt:TCPSlowStartRetrans
TcpExt:TCPLostRetransmit TcpExt:TCPTimeouts TcpExt:TCPLossProbes
TcpExt:TCPLossProbeRecovery TcpExt:TCPSackRecovery TcpExt:TCPRenoRecovery
TcpExt:TCPSACKReorder TcpExt:TCPTSReorder TcpExt:TCPRenoReorder
TcpExt:TCPFullUndo TcpExt:TCPPartialUndo TcpExt:TCPDSACKUndo
TcpExt:TCPLossUndo TcpExt:TCPSpuriousRTOs TcpExt:TCPSackFailures
TcpExt:TCPLossFailures TcpExt:TCPDSACKRecv TcpExt:TCPDSACKOfoRecv
TcpExt:TCPDSACKIgnoredOld TcpExt:TCPDSACKIgnoredNoUndo
TcpExt:TCPDSACKOldSent TcpExt:TCPDSACKOfoSent TcpExt:TCPSACKDiscard
TcpExt:TCPOFOQueue TcpExt:DelayedACKs TcpExt:PAWSEstab
TcpExt:TCPBacklogDrop"

# rtx_lines BEFORE AFTER LABEL: comment lines with the growth of each
# RTX_COUNTERS counter that grew, per stack.
rtx_lines()
{
	awk -v want="$RTX_COUNTERS" -v label="$3" '
		BEGIN { n = split(want, w); for (i = 1; i <= n; i++) sel[w[i]] = i }
		FNR == NR { v0[$1] = $2; next }
		{
			st = $1; sub(/:.*/, "", st); c = $1; sub(/^[^:]*:/, "", c)
			if ((c in sel) && $2 - v0[$1] > 0) { d[st, sel[c]] = $2 - v0[$1]; seen[st] = 1 }
		}
		END {
			split("native xtcp", order)
			for (o = 1; o <= 2; o++) {
				s = order[o]
				if (!(s in seen))
					continue
				line = ""
				for (i = 1; i <= n; i++)
					if ((s, i) in d) { nm = w[i]; sub(/^[^:]*:/, "", nm); line = line " " nm "=" d[s, i] }
				print "# " label " " s ":" line
			}
		}' "$1" "$2"
}

# setup A B: namespace A (clients) and B (servers) of one case.
setup()
{
	# shellcheck disable=SC2086 # $impair is netem's words
	netns_netem_pair $1 xch-a 10.77.3.1 $2 xch-b 10.77.3.2 $impair limit 10000
}

# run_case CLIENT_FAMILY SERVER_FAMILY PORT: writes its TAP line (and
# comments) to $work/CLIENT_FAMILY-SERVER_FAMILY/tap, the senders'
# tcp_info lines to client.out and server.out there.
run_case()
{
	local cf=$1 sf=$2 port=$3 d=$work/$1-$2 name="$1 client -> $2 server"
	local why="" st sst t0 da db sa sb spid A=xtcp-chaos-a-$1-$2 B=xtcp-chaos-b-$1-$2
	mkdir -p "$d"
	if ! setup $A $B; then
		echo "fail set up namespaces, veth and netem" >"$d/tap"
		return
	fi
	da=$(netem_drops $A xch-a) db=$(netem_drops $B xch-b)
	snapshot $A "$d/a0"
	snapshot $B "$d/b0"
	t0=$(date +%s.%N)
	ip netns exec $B "$xfer" server -f "$sf" -l "10.77.3.2:$port" -n 1 -b "$bytes" -i \
		-t "$(slow 60)" -w "$(slow $((wd + 10)))" >"$d/server.out" 2>&1 &
	spid=$!
	if wait_line $spid "$d/server.out" "^listening " 10; then
		timeout -k 5 "$(slow $((wd + 10)))" ip netns exec $A "$xfer" client -f "$cf" \
			-c "10.77.3.2:$port" -s "$bytes" -r "$bytes" -i \
			-t "$(slow 60)" -w "$(slow $wd)" >"$d/client.out" 2>&1
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
	da=$(($(netem_drops $A xch-a) - da)) db=$(($(netem_drops $B xch-b) - db))
	sa=$(netem_sent $A xch-a) sb=$(netem_sent $B xch-b)
	snapshot $A "$d/a1"
	snapshot $B "$d/b1"
	local csum dsack reord
	read -r csum dsack reord < <(case_sums "$d/a0" "$d/a1" "$d/b0" "$d/b1")
	{
		grep -h '^xtcp_xfer: client family=' "$d/client.out" 2>/dev/null | sed "s/^/# $name: /"
		echo "# $name: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s," \
			"netem dropped $da and passed $sa (client side), dropped $db and passed $sb (server side)"
		echo "# $name: both namespaces: checksum/header errors $csum (IP, native TCP, xtcp)," \
			"native TCP's DSACKs received $dsack, reordering detected $reord"
		rtx_lines "$d/a0" "$d/a1" "$name: client namespace"
		rtx_lines "$d/b0" "$d/b1" "$name: server namespace"
		if [ -z "$why" ] && { [ "$da" -eq 0 ] || [ "$db" -eq 0 ]; }; then
			why="netem dropped nothing on one side: the path was not lossy"
		fi
		echo "${why:+fail }${why:-ok}"
	} >"$d/tap"
	echo "$csum" >"$d/csum"
	ip netns del $A
	ip netns del $B
}

# info CASE ROLE NAME: field NAME of the tcp_info line of ROLE (client,
# server) in case CASE (e.g. xtcp-inet); empty if there is none.
info()
{
	sed -n "s/^tcp_info role=$2 .* $3=\([^ ]*\).*/\1/p" "$work/$1/$2.out" 2>/dev/null | tail -n 1
}

# sender_bad CASE ROLE: why ROLE's TCP_INFO of CASE cannot be used, or
# nothing.
sender_bad()
{
	local l
	l=$(grep -h "^tcp_info role=$2 " "$work/$1/$2.out" 2>/dev/null | tail -n 1)
	if [ -z "$l" ]; then
		echo "no tcp_info line from the $2 of $1"
	elif [[ $l == *" error="* ]]; then
		echo "$1 $2: ${l#tcp_info }"
	elif [ "$(info "$1" "$2" acked)" != 1 ]; then
		echo "$1 $2: not all acked within the timeout: $l"
	elif [ "$(info "$1" "$2" bytes_sent)" -lt "$bytes" ]; then
		echo "$1 $2: tcpi_bytes_sent below the $bytes sent: $l"
	fi
}

tap_plan 11
port=5301
for c in $CASES; do
	run_case "${c%:*}" "${c#*:}" $port &
	pids+=($!)
	port=$((port + 1))
done
# The case's own limits end it first (the client's timeout, then 30 s for
# the server).
for p in "${pids[@]}"; do
	wait_exit "$p" $((wd + 60))
done
for c in $CASES; do
	d=$work/${c/:/-}
	name="${c%:*} client -> ${c#*:} server: $bytes_arg each way byte-exact with $impair on both ends"
	grep '^#' "$d/tap" 2>/dev/null
	res=$(grep -v '^#' "$d/tap" 2>/dev/null)
	if [ "$res" = ok ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "${res#fail }"
	fi
done

# Corruption reached the receivers (see the top).
csum=0
for c in $CASES; do
	v=$(cat "$work/${c/:/-}/csum" 2>/dev/null)
	csum=$((csum + ${v:-0}))
done
name="corrupted packets reached the receivers: checksum or header errors counted"
if [ "$bytes" -lt 1048576 ]; then
	tap_skip "$name" "$csum counted; at $bytes_arg each way too few are corrupted to require one"
elif [ "$csum" -gt 0 ]; then
	tap_ok "$name ($csum in the four cases)"
else
	tap_fail "$name" "none in the four cases' eight namespaces"
fi

# The retransmission comparison.  Each case has two senders (its client
# and its server); xtcp's four and native's four split alike: two send to
# a receiver of their own stack (xtcp:xtcp's, inet:inet's) and two to one
# of the other (the mixed cases').
XTCP_SENDERS="xtcp-inet:client xtcp-xtcp:client inet-xtcp:server xtcp-xtcp:server"
NATIVE_SENDERS="inet-inet:client inet-xtcp:client inet-inet:server xtcp-inet:server"
for r in client server; do
	dir="client to server"
	[ $r = client ] || dir="server to client"
	for c in inet-inet xtcp-inet inet-xtcp xtcp-xtcp; do
		[ -z "$(sender_bad $c $r)" ] || continue
		echo "# $c $r ($dir): tcpi_bytes_retrans $(info $c $r bytes_retrans)," \
			"tcpi_total_retrans $(info $c $r total_retrans), tcpi_bytes_sent $(info $c $r bytes_sent)," \
			"tcpi_data_segs_out $(info $c $r data_segs_out), mss $(info $c $r snd_mss)," \
			"rtt $(info $c $r rtt) us, min_rtt $(info $c $r min_rtt) us, cwnd $(info $c $r snd_cwnd)"
	done
done

# ratio X N: X / N to two places ("inf" if N is 0).
ratio()
{
	awk -v x="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", x / n; else print "inf" }'
}

# Each sender against the reference's native one of its direction, and
# the mixed cases' native senders too (native against native: the noise
# a single sender's count has).  Printed, not asserted.
for p in inet-xtcp:client xtcp-inet:server $XTCP_SENDERS; do
	c=${p%:*} r=${p#*:}
	[ -z "$(sender_bad inet-inet $r)$(sender_bad "$c" $r)" ] || continue
	st=xtcp
	[[ " $NATIVE_SENDERS " == *" $p "* ]] && st=native
	echo "# $c $r ($st sender) / inet-inet $r: $(info "$c" $r bytes_retrans) /" \
		"$(info inet-inet $r bytes_retrans) = $(ratio "$(info "$c" $r bytes_retrans)" \
		"$(info inet-inet $r bytes_retrans)")"
done

# Each xtcp sender: all it sent acked, its TCP_INFO read.
for p in $XTCP_SENDERS; do
	c=${p%:*} r=${p#*:}
	dir="client to server"
	[ $r = client ] || dir="server to client"
	why=$(sender_bad "$c" $r)
	if [ -n "$why" ]; then
		tap_fail "$c $r (xtcp sender, $dir): all it sent acked, TCP_INFO read" "$why"
	else
		tap_ok "$c $r (xtcp sender, $dir): all it sent acked, TCP_INFO read"
	fi
done

# bound_check NAME X N BOUND WHOSE: the TAP line NAME for X retransmitted
# bytes against WHOSE N: ok when X <= BOUND x N, and always below 32 MiB
# each way (the counts are noise there); else a skip while
# XTCP_CHAOS_PENDING names "retrans", a failure otherwise.
bound_check()
{
	local name=$1 x=$2 n=$3 b=$4 whose=$5

	echo "# $name: $x bytes against $n: $(ratio "$x" "$n")"
	if [ "$bytes" -lt "$ratio_from" ]; then
		echo "# (not asserted below 32 MiB each way: the counts are noise there)"
		tap_ok "$name (asserted from 32 MiB each way)"
	elif awk -v n="$n" -v x="$x" -v b="$b" 'BEGIN { exit !(x <= b * n) }'; then
		tap_ok "$name"
	elif [[ $pending == *,retrans,* ]]; then
		tap_skip "$name" "pending (XTCP_CHAOS_PENDING=retrans): $x retransmitted bytes, $(ratio "$x" "$n") x $whose $n"
	else
		tap_fail "$name" "$x retransmitted bytes, $(ratio "$x" "$n") x $whose $n"
	fi
}

# The acceptance: xtcp's retransmitted bytes, summed over its four
# senders, at most 1.2 times native's summed over its four, in the same
# run on paths set up alike.  Asserted from 32 MiB each way.
name="xtcp's 4 senders retransmitted at most $bound x the bytes native's 4 did"
why="" x=0 n=0 xx=0 ii=0
declare -A dx=() dn=()
for p in $XTCP_SENDERS $NATIVE_SENDERS; do
	c=${p%:*} r=${p#*:}
	w=$(sender_bad "$c" $r)
	if [ -n "$w" ]; then
		why="${why:+$why; }$w"
		continue
	fi
	v=$(info "$c" $r bytes_retrans)
	# A count that is no number, or 0 where the ratio counts (2% of
	# 32 MiB and more is lost), is a broken counter, not a good ratio.
	if ! [[ $v =~ ^[0-9]+$ ]] ||
		{ [ "$bytes" -ge "$ratio_from" ] && [ "$v" -eq 0 ]; }; then
		why="${why:+$why; }$c $r: tcpi_bytes_retrans '$v'"
		continue
	fi
	if [[ " $XTCP_SENDERS " == *" $p "* ]]; then
		x=$((x + v)) dx[$r]=$((${dx[$r]:-0} + v))
	else
		n=$((n + v)) dn[$r]=$((${dn[$r]:-0} + v))
	fi
	case $c in
	xtcp-xtcp) xx=$((xx + v)) ;;
	inet-inet) ii=$((ii + v)) ;;
	esac
done
if [ -n "$why" ]; then
	tap_fail "$name" "$why"
else
	echo "# by direction, xtcp's two senders / native's two: client to server" \
		"${dx[client]} / ${dn[client]} = $(ratio "${dx[client]}" "${dn[client]}")," \
		"server to client ${dx[server]} / ${dn[server]} = $(ratio "${dx[server]}" "${dn[server]}")"
	bound_check "$name" $x $n $bound "native's"
fi

# A looser guard on xtcp with xtcp alone: the sums above balance the
# receivers (each stack sends twice to each), so whatever an xtcp
# receiver costs its senders cancels there, and one bad case could hide
# in the average of two.  xtcp:xtcp's two senders against inet:inet's,
# at most guard_bound (1.4: a sum of two has about 7% of noise, 0.91 to
# 1.09 in four runs of 2026-12-05).
guard_bound=1.4
name="xtcp:xtcp's 2 senders retransmitted at most $guard_bound x the bytes inet:inet's 2 did"
if [ -n "$why" ]; then
	tap_fail "$name" "$why"
else
	bound_check "$name" $xx $ii $guard_bound "inet:inet's"
fi

tap_done
