#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# interop: xtcp and native TCP talk to each other and to themselves.  The
# matrix {xtcp, inet} client x {xtcp, inet} server runs over a veth pair
# between two network namespaces (10.77.0.1/24 <-> 10.77.0.2/24) and over
# loopback.  Each case moves XTCP_INTEROP_BYTES (default 16M; K/M/G
# suffixes) each way with xtcp_xfer, which checks every byte and exits
# non-zero otherwise; the script also checks the byte counts it reports.
# A tcpdump taken during the case (one per path, kept running through its
# four cases: tcpdump takes seconds to start under TCG; each case is
# checked on its own port) must show the client's SYN with an MSS option,
# a SYN-ACK (with MSS) acknowledging it, the third ACK, a FIN from each
# side acknowledged by the other, and no RST.  Two results per case; the
# time of each case is printed.  inet x inet is the reference that shows
# the test bed itself works.
#
# 16 MiB (about 11,500 full segments each way) is far past what a bulk
# transfer goes through (slow start, window scaling, receive buffer
# growth to its limit, send buffer full and drained many times); 64 MiB
# repeated the same steady state four times as long.
#
# Timeouts: native TCP needs 3-10 s per 64 MiB case under TCG, tcpdump's
# start included.  A case fails after 80 s (xtcp_xfer's watchdog) or 30 s
# without progress on one call (both scaled by XTCP_SLOW), so the 8 cases
# stay inside the runner's 15 minutes per test even when every one of
# them stalls.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes_arg=${XTCP_INTEROP_BYTES:-16M}
bytes=$(numfmt --from=iec "$bytes_arg") || exit 1
A=xtcp-interop-a	# clients (and the loopback servers)
B=xtcp-interop-b	# veth servers
work=$(mktemp -d /tmp/xtcp-interop.XXXXXX)
pids=()

trap procs_cleanup EXIT

# check_wire PCAP SERVER_IP SERVER_PORT: print what is missing from the
# capture; exit 0 if nothing is.  Sequence numbers are compared modulo 2^32.
check_wire()
{
	tcpdump -r "$1" -nn -S -tt 2>/dev/null | awk -v srv="$2.$3" '
	function ge(a, b,  d) { d = (a - b) % 4294967296; if (d < 0) d += 4294967296; return d < 2147483648 }
	function num(s) { sub(/[,:].*/, "", s); return s + 0 }
	function next1(x) { return (x + 1) % 4294967296 }
	{
		src = $3; dst = $5; sub(/:$/, "", dst)
		fl = ""; seq = ""; seqend = ""; ack = ""; mss = 0
		for (i = 6; i <= NF; i++) {
			if ($i == "Flags") { fl = $(i + 1); gsub(/[][,]/, "", fl) }
			if ($i == "seq") { seq = num($(i + 1)); seqend = $(i + 1); sub(/,$/, "", seqend); sub(/^[0-9]+:/, "", seqend); seqend += 0 }
			if ($i == "ack") ack = num($(i + 1))
			if ($i ~ /mss$/ || $i ~ /\[mss$/) mss = 1
		}
		if (fl ~ /R/) rst++
		if (!cli && dst == srv && fl == "S") {
			cli = src; isn_c = seq; syn_mss = mss; next
		}
		if (!cli) next
		if (!have_sa && src == srv && dst == cli && fl == "S." && ack == next1(isn_c)) {
			have_sa = 1; isn_s = seq; sa_mss = mss; next
		}
		if (have_sa && !have_ack && src == cli && fl !~ /S/) {
			have_ack = (ack == next1(isn_s) && (seq == "" || seq == next1(isn_c))) ? 1 : -1
		}
		if (src == cli && fl ~ /F/ && !fin_c) { fin_c = 1; fin_c_seq = seqend }
		if (src == srv && fl ~ /F/ && !fin_s) { fin_s = 1; fin_s_seq = seqend }
		if (fin_c && src == srv && ack != "" && ge(ack, next1(fin_c_seq))) fin_c_acked = 1
		if (fin_s && src == cli && ack != "" && ge(ack, next1(fin_s_seq))) fin_s_acked = 1
	}
	END {
		bad = ""
		if (!cli) bad = bad " no-SYN"
		else if (!syn_mss) bad = bad " SYN-without-MSS"
		if (!have_sa) bad = bad " no-SYN-ACK"
		else if (!sa_mss) bad = bad " SYN-ACK-without-MSS"
		if (have_ack != 1) bad = bad (have_ack ? " third-ACK-wrong" : " no-third-ACK")
		if (!fin_c) bad = bad " no-client-FIN"
		else if (!fin_c_acked) bad = bad " client-FIN-not-ACKed"
		if (!fin_s) bad = bad " no-server-FIN"
		else if (!fin_s_acked) bad = bad " server-FIN-not-ACKed"
		if (rst) bad = bad " " rst "-RST"
		if (bad != "") { print substr(bad, 2); exit 1 }
	}'
}

setup()
{
	ip netns add $A && ip netns add $B &&
		ip link add xio-a netns $A type veth peer name xio-b netns $B &&
		ip -n $A addr add 10.77.0.1/24 dev xio-a &&
		ip -n $B addr add 10.77.0.2/24 dev xio-b &&
		ip -n $A link set xio-a up && ip -n $B link set xio-b up &&
		ip -n $A link set lo up && ip -n $B link set lo up
}

# path_dev PATH: the server namespace, address and the capture device.
path_dev()
{
	if [ "$1" = veth ]; then
		echo "$B 10.77.0.2 xio-a"
	else
		echo "$A 127.0.0.1 lo"
	fi
}

# capture_start PATH FIRST_PORT LAST_PORT: one tcpdump for the cases of
# PATH (it starts slowly under TCG); 0 once it listens.  Headers only
# (-s 128), written as they come; a big buffer so a transfer in MSS-sized
# segments drops nothing.
capture_start()
{
	local dev
	read -r _ _ dev <<<"$(path_dev "$1")"
	ip netns exec $A tcpdump -i "$dev" -nn -s 128 -B 32768 -U --immediate-mode \
		-w "$work/$1.pcap" "tcp portrange $2-$3" 2>"$work/$1.tcpdump.err" &
	tpid=$!
	pids+=("$tpid")
	wait_line $tpid "$work/$1.tcpdump.err" "listening on" 20
}

# capture_stop PATH: let the last ACK reach the capture, then stop it.
capture_stop()
{
	sleep "$(slow 0.3)"
	kill -INT $tpid 2>/dev/null
	wait_exit $tpid 10 >/dev/null
	grep -E "dropped by kernel" "$work/$1.tcpdump.err" | grep -v "^0 " | sed 's/^/# tcpdump: /'
}

# run_case PATH CLIENT_FAMILY SERVER_FAMILY PORT: the transfer; its result
# ("ok" or why not) in $work/PATH-CLIENT-SERVER/why.
run_case()
{
	local path=$1 cf=$2 sf=$3 port=$4 sns saddr name d t0 st sst
	local why=""
	name="$path $cf client -> $sf server"
	read -r sns saddr _ <<<"$(path_dev "$path")"
	d=$work/$path-$cf-$sf
	mkdir -p "$d"
	t0=$(date +%s.%N)

	ip netns exec $sns "$xfer" server -f "$sf" -l "$saddr:$port" -n 1 -b "$bytes" \
		-t "$(slow 30)" -w "$(slow 90)" \
		>"$d/server.out" 2>&1 &
	local spid=$!
	pids+=("$spid")
	if wait_line $spid "$d/server.out" "^listening " 10; then
		timeout -k 5 "$(slow 90)" ip netns exec $A "$xfer" client -f "$cf" -c "$saddr:$port" \
			-s "$bytes" -r "$bytes" -t "$(slow 30)" -w "$(slow 80)" >"$d/client.out" 2>&1
		st=$?
		# A failed client may leave the server waiting for it.
		wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
		sst=$?
	else
		st=-
		wait_exit $spid 1
		sst=$?
		why="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
	fi

	if [ -z "$why" ]; then
		if [ "$st" != 0 ] || [ "$sst" != 0 ]; then
			why="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
		elif [ "$(result_field "$d/client.out" received)" != "$bytes" ] ||
			[ "$(result_field "$d/client.out" sent)" != "$bytes" ] ||
			[ "$(result_field "$d/server.out" received)" != "$bytes" ]; then
			why="byte counts differ from $bytes: $(grep -h '^xtcp_xfer' "$d/client.out" "$d/server.out" | tr '\n' ' ')"
		fi
	fi
	grep -h '^xtcp_xfer: client family=' "$d/client.out" 2>/dev/null | sed "s/^/# $name: /"
	echo "# $name: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	echo "${why:-ok}" >"$d/why"
}

# report_case PATH CLIENT_FAMILY SERVER_FAMILY PORT: the case's two
# results, the wire checked in the path's capture (its port only).
report_case()
{
	local path=$1 cf=$2 sf=$3 port=$4 saddr name d why wire
	name="$path $cf client -> $sf server"
	read -r _ saddr _ <<<"$(path_dev "$path")"
	d=$work/$path-$cf-$sf
	why=$(cat "$d/why" 2>/dev/null || echo "not run")
	if [ "$why" = ok ]; then
		tap_ok "$name: $bytes_arg each way byte-exact"
	else
		tap_fail "$name: $bytes_arg each way byte-exact" "$why"
	fi
	tcpdump -r "$work/$path.pcap" -w "$d/cap.pcap" "tcp port $port" 2>/dev/null
	if wire=$(check_wire "$d/cap.pcap" "$saddr" "$port"); then
		tap_ok "$name: wire: SYN with MSS, SYN-ACK, ACK, FIN each way ACKed, no RST"
	else
		tap_fail "$name: wire: SYN with MSS, SYN-ACK, ACK, FIN each way ACKed, no RST" "missing: $wire"
		tcpdump -r "$d/cap.pcap" -nn -S -tt 2>/dev/null | head -n 8 | sed 's/^/#   /'
	fi
}

tap_plan 16
ip netns del $A 2>/dev/null
ip netns del $B 2>/dev/null
if ! setup; then
	for i in $(seq 16); do tap_fail "set up namespaces and veth"; done
	exit 1
fi

port=5101
for path in veth lo; do
	first=$port
	if capture_start $path $first $((first + 3)); then
		for cf in inet xtcp; do
			for sf in inet xtcp; do
				run_case $path $cf $sf $port
				port=$((port + 1))
			done
		done
		capture_stop $path
	else
		echo "# $path: tcpdump did not start: $(tr '\n' ' ' <"$work/$path.tcpdump.err")"
		port=$((port + 4))
	fi
	port=$first
	for cf in inet xtcp; do
		for sf in inet xtcp; do
			report_case $path $cf $sf $port
			port=$((port + 1))
		done
	done
done

tap_done
