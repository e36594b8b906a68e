#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# interop: xtcp and native TCP talk to each other and to themselves.  The
# matrix {xtcp, inet} client x {xtcp, inet} server runs over a veth pair
# between two network namespaces (10.77.0.1/24 <-> 10.77.0.2/24) and over
# loopback, with every TCP option on in both namespaces: tcp_timestamps,
# tcp_window_scaling, tcp_sack and tcp_ecn = 1, each under net.ipv4 and
# under net.xtcp (where that knob exists).  Each of these cases moves
# XTCP_INTEROP_BYTES (default 64M; K/M/G suffixes) each way with
# xtcp_xfer, which checks every byte and exits non-zero otherwise; the
# script also checks the byte counts it reports.
#
# Then, over the veth only, the matrix again with one option turned off
# (both its net.ipv4 and its net.xtcp knob) in one namespace, for each
# "OPTION:SIDE" of XTCP_INTEROP_OFF (default "timestamps:client
# window_scaling:server sack:client ecn:server": each option off on one
# side, a different side in turn; all eight is the full set), moving
# XTCP_INTEROP_OFF_BYTES (default 16M) each way.  What an option off
# changes shows from the handshake on: no timestamps (RTT from sequence
# numbers, no PAWS), a window of at most 64 KiB without scaling (16 MiB
# is 256 such windows), recovery without SACK, no ECN.  16 MiB is still
# past receive-buffer autotuning's limit (tcp_rmem[2], 6 MiB) and fills
# and drains the send buffer many times; the all-on cases keep 64 MiB
# for the long run.
# Measured under TCG on a quiet host: a 64 MiB case took 1.6-6.5 s; the
# whole test (8 all-on cases and 16 with one option off, all 64 MiB then)
# 143 s.  The 600 s budget below is for a loaded host.
# When an option's knob does not exist under /proc/sys/net/xtcp yet, its
# cases with an xtcp end are skipped with that reason (inet x inet still
# runs); in the all-on cases xtcp then runs without that option.
#
# A tcpdump taken during the cases (one per group of cases, kept running
# through them: tcpdump takes seconds to start under TCG; each case is
# checked on its own port) must show the client's SYN with an MSS option,
# a SYN-ACK (with MSS) acknowledging it, the third ACK, a FIN from each
# side acknowledged by the other, and no RST.  It must also show that the
# namespaces were set up as the case says: a native client's SYN offers
# all four (TS, wscale, sackOK, ECE+CWR) but one turned off on the
# client, and the side an option is off on does not offer it (client: in
# its SYN, server: in its SYN-ACK).  The SYN's and SYN-ACK's options are printed
# as comments.  Two results per case; the time of each case is printed.
# inet x inet is the reference that shows the test bed itself works.
#
# 64 MiB (about 46,000 full segments each way) is far past what a bulk
# transfer goes through (slow start, window scaling, receive buffer
# growth to its limit, send buffer full and drained many times).
#
# Timeouts: native TCP needs 3-10 s per 64 MiB case under TCG, tcpdump's
# start included.  A case fails after 80 s (xtcp_xfer's watchdog) or 30 s
# without progress on one call (both scaled by XTCP_SLOW).  Once 600 s
# (scaled) have passed, the cases not yet run fail as "not run" so the
# test stays inside the runner's 15 minutes even when many of them stall.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes_arg=${XTCP_INTEROP_BYTES:-64M}
off_bytes_arg=${XTCP_INTEROP_OFF_BYTES:-16M}
offs=${XTCP_INTEROP_OFF:-timestamps:client window_scaling:server sack:client ecn:server}
numfmt --from=iec "$bytes_arg" "$off_bytes_arg" >/dev/null || exit 1
options="timestamps window_scaling sack ecn"
A=xtcp-interop-a	# clients (and the loopback servers)
B=xtcp-interop-b	# veth servers
work=$(mktemp -d /tmp/xtcp-interop.XXXXXX)
pids=()

trap procs_cleanup EXIT

# check_wire TEXT SERVER_IP SERVER_PORT [ALL_ON_CLIENT [OFF_OPTION OFF_SIDE]]:
# print what is missing from the capture of one case as tcpdump -nn -S -tt
# wrote it to file TEXT; exit 0 if nothing is.  Sequence
# numbers are compared modulo 2^32.  ALL_ON_CLIENT 1: the SYN must offer
# every option but one turned off on the client; OFF_OPTION: the SYN
# (OFF_SIDE client) or the SYN-ACK (server) must not offer it.
check_wire()
{
	awk -v srv="$2.$3" -v all="${4:-0}" \
		-v off="${5:-}" -v side="${6:-}" '
	function ge(a, b,  d) { d = (a - b) % 4294967296; if (d < 0) d += 4294967296; return d < 2147483648 }
	# offers(LINE, FLAGS, OPTION): tcpdump shows OPTION on this SYN or SYN-ACK
	function offers(line, f, o) {
		if (o == "timestamps") return line ~ /TS val/
		if (o == "window_scaling") return line ~ /wscale/
		if (o == "sack") return line ~ /sackOK/
		if (o == "ecn") return f ~ /^S\./ ? f ~ /E/ : f ~ /E/ && f ~ /W/
		return 0
	}
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
		# tcpdump writes SYN+ECE+CWR as "SEW", SYN-ACK+ECE as "S.E"
		if (!cli && dst == srv && fl ~ /^S[EW]*$/) {
			cli = src; isn_c = seq; syn_mss = mss; syn = $0; syn_fl = fl; next
		}
		if (!cli) next
		if (!have_sa && src == srv && dst == cli && fl ~ /^S\.E?$/ && ack == next1(isn_c)) {
			have_sa = 1; isn_s = seq; sa_mss = mss; sa = $0; sa_fl = fl; next
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
		if (cli && all == 1) {
			split("timestamps window_scaling sack ecn", o, " ")
			for (i = 1; i <= 4; i++)
				if (!(o[i] == off && side == "client") && !offers(syn, syn_fl, o[i]))
					bad = bad " SYN-without-" o[i]
		}
		if (off != "" && side == "client" && cli && offers(syn, syn_fl, off))
			bad = bad " SYN-offers-" off
		if (off != "" && side == "server" && have_sa && offers(sa, sa_fl, off))
			bad = bad " SYN-ACK-offers-" off
		if (have_ack != 1) bad = bad (have_ack ? " third-ACK-wrong" : " no-third-ACK")
		if (!fin_c) bad = bad " no-client-FIN"
		else if (!fin_c_acked) bad = bad " client-FIN-not-ACKed"
		if (!fin_s) bad = bad " no-server-FIN"
		else if (!fin_s_acked) bad = bad " server-FIN-not-ACKed"
		if (rst) bad = bad " " rst "-RST"
		if (bad != "") { print substr(bad, 2); exit 1 }
	}' "$1"
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

# capture_start GROUP PATH FIRST_PORT LAST_PORT: one tcpdump for the cases
# of GROUP on PATH (it starts slowly under TCG); 0 once it listens.
# Headers only (-s 128), written as they come; a big buffer so a transfer
# in MSS-sized segments drops nothing.
capture_start()
{
	local dev
	read -r _ _ dev <<<"$(path_dev "$2")"
	ip netns exec $A tcpdump -i "$dev" -nn -s 128 -B 32768 -U --immediate-mode \
		-w "$work/$1.pcap" "tcp portrange $3-$4" 2>"$work/$1.tcpdump.err" &
	tpid=$!
	pids+=("$tpid")
	wait_line $tpid "$work/$1.tcpdump.err" "listening on" 20
}

# capture_stop GROUP: let the last ACK reach the capture, then stop it.
capture_stop()
{
	sleep "$(slow 0.3)"
	kill -INT $tpid 2>/dev/null
	wait_exit $tpid 10 >/dev/null
	grep -E "dropped by kernel" "$work/$1.tcpdump.err" | grep -v "^0 " | sed 's/^/# tcpdump: /'
}

# knob_exists FAMILY OPTION: the sysctl of OPTION exists for FAMILY.
knob_exists()
{
	[ "$1" = inet ] || [ -e "/proc/sys/net/xtcp/tcp_$2" ]
}

# knobs NETNS VALUE [OPTION...]: net.ipv4.tcp_OPTION and, where it exists,
# net.xtcp.tcp_OPTION = VALUE in NETNS (every option when none is named).
knobs()
{
	local ns=$1 v=$2 o
	local -a which
	shift 2
	read -r -a which <<<"${*:-$options}"
	for o in "${which[@]}"; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.tcp_$o=$v" || return 1
		if knob_exists xtcp "$o"; then
			ip netns exec "$ns" sysctl -qw "net.xtcp.tcp_$o=$v" || return 1
		fi
	done
}

# run_case DIR PATH CLIENT_FAMILY SERVER_FAMILY PORT BYTES NAME: the
# transfer; its result ("ok" or why not) in DIR/why.
run_case()
{
	local d=$1 path=$2 cf=$3 sf=$4 port=$5 bytes_arg=$6 name=$7 sns saddr t0 st sst
	local why="" bytes
	bytes=$(numfmt --from=iec "$bytes_arg")
	read -r sns saddr _ <<<"$(path_dev "$path")"
	mkdir -p "$d"
	t0=$(date +%s.%N)
	if [ "$SECONDS" -ge "$budget" ]; then
		echo "not run: the test's $budget s were used up" >"$d/why"
		return
	fi

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

# split_capture GROUP FIRST_PORT: the group's capture as text (tcpdump
# -nn -S -tt), each line into $work/GROUP-*-*/cap.txt of the case whose
# port it has (FIRST_PORT up, in group's order).  One tcpdump for the
# group: a tcpdump takes seconds to start under TCG (most of what reading
# the captures cost when each case ran its own three).
split_capture()
{
	tcpdump -r "$work/$1.pcap" -nn -S -tt 2>/dev/null | awk -v dir="$work/$1" -v first="$2" '
	BEGIN { split("inet-inet inet-xtcp xtcp-inet xtcp-xtcp", pair, " ") }
	{
		for (i = 3; i <= 5; i += 2) {
			a = $i; sub(/:$/, "", a); n = split(a, f, ".")
			k = f[n] - first + 1
			if (n == 5 && k >= 1 && k <= 4) { print > (dir "-" pair[k] "/cap.txt"); next }
		}
	}'
}

# report_case DIR GROUP PATH PORT BYTES NAME [ALL_ON_CLIENT [OFF_OPTION
# OFF_SIDE]]: the case's two results, the wire checked in its part of the
# group's capture (DIR/cap.txt, from split_capture).
report_case()
{
	local d=$1 group=$2 path=$3 port=$4 bytes_arg=$5 name=$6 saddr why wire
	shift 6
	read -r _ saddr _ <<<"$(path_dev "$path")"
	why=$(cat "$d/why" 2>/dev/null || echo "not run")
	if [ "$why" = ok ]; then
		tap_ok "$name: $bytes_arg each way byte-exact"
	else
		tap_fail "$name: $bytes_arg each way byte-exact" "$why"
	fi
	touch "$d/cap.txt"
	grep -m 2 'Flags \[S' "$d/cap.txt" |
		sed -n 's/.*Flags \(\[[^]]*\]\).*\(options \[[^]]*\]\).*/\1 \2/p' |
		sed "s/^/# $name: /"
	if wire=$(check_wire "$d/cap.txt" "$saddr" "$port" "$@"); then
		tap_ok "$name: wire: handshake as set, FIN each way ACKed, no RST"
	else
		tap_fail "$name: wire: handshake as set, FIN each way ACKed, no RST" "missing: $wire"
		head -n 8 "$d/cap.txt" | sed 's/^/#   /'
	fi
	rm -f "$d/cap.txt"
}

# group NAME PATH FIRST_PORT BYTES [OPTION SIDE]: the four pairings on
# PATH, ports FIRST_PORT up, every option on in both namespaces but
# OPTION off on SIDE (client: namespace A, server: B).  Two TAP lines per
# pairing; a pairing with an xtcp end whose OPTION knob does not exist
# yet is skipped.
group()
{
	local g=$1 path=$2 first=$3 bytes_arg=$4 off=${5:-} side=${6:-} cf sf port d name
	local cap=1 skip ns all i t0=$SECONDS t1
	local -a chk
	if ! knobs $A 1 || ! knobs $B 1; then
		for ((i = 0; i < 8; i++)); do tap_fail "$g: set the options"; done
		return
	fi
	if [ -n "$off" ]; then
		ns=$A
		[ "$side" = client ] || ns=$B
		if ! knobs $ns 0 "$off"; then
			for ((i = 0; i < 8; i++)); do tap_fail "$g: turn tcp_$off off on the $side"; done
			return
		fi
	fi
	if ! capture_start "$g" "$path" "$first" $((first + 3)); then
		echo "# $g: tcpdump did not start: $(tr '\n' ' ' <"$work/$g.tcpdump.err")"
		cap=
	fi
	port=$first
	for cf in inet xtcp; do
		for sf in inet xtcp; do
			name="$path $cf client -> $sf server"
			[ -z "$off" ] || name="$name, tcp_$off off on the $side"
			d=$work/$g-$cf-$sf
			if { [ $cf = xtcp ] || [ $sf = xtcp ]; } && [ -n "$off" ] &&
			   ! knob_exists xtcp "$off"; then
				mkdir -p "$d"
				echo skip >"$d/why"
			else
				run_case "$d" "$path" $cf $sf $port "$bytes_arg" "$name"
			fi
			port=$((port + 1))
		done
	done
	[ -z "$cap" ] || capture_stop "$g"
	t1=$SECONDS
	[ -z "$cap" ] || split_capture "$g" "$first"
	port=$first
	for cf in inet xtcp; do
		for sf in inet xtcp; do
			name="$path $cf client -> $sf server"
			[ -z "$off" ] || name="$name, tcp_$off off on the $side"
			d=$work/$g-$cf-$sf
			if [ "$(cat "$d/why")" = skip ]; then
				skip="net.xtcp.tcp_$off does not exist (yet)"
				tap_skip "$name: $bytes_arg each way byte-exact" "$skip"
				tap_skip "$name: wire: handshake as set, FIN each way ACKed, no RST" "$skip"
			else
				all=0
				[ $cf != inet ] || all=1
				chk=("$all")
				[ -z "$off" ] || chk+=("$off" "$side")
				report_case "$d" "$g" "$path" $port "$bytes_arg" "$name" "${chk[@]}"
			fi
			port=$((port + 1))
		done
	done
	rm -f "$work/$g.pcap"
	echo "# $g: $((SECONDS - t0)) s, $((SECONDS - t1)) s of them reading the capture"
}

ngroups=$((2 + $(wc -w <<<"$offs")))
tap_plan $((8 * ngroups))
ip netns del $A 2>/dev/null
ip netns del $B 2>/dev/null
if ! setup; then
	for ((i = 0; i < 8 * ngroups; i++)); do tap_fail "set up namespaces and veth"; done
	exit 1
fi
budget=$(slow 600)
budget=${budget%.*}
for o in $options; do
	knob_exists xtcp "$o" ||
		echo "# net.xtcp.tcp_$o does not exist (yet): xtcp runs without it where all are on"
done

group veth-all veth 5101 "$bytes_arg"
group lo-all lo 5105 "$bytes_arg"
port=5111
for oc in $offs; do
	case ${oc#*:} in
	client | server) ;;
	*) echo "# XTCP_INTEROP_OFF: '$oc' is not OPTION:client or OPTION:server"; exit 1 ;;
	esac
	case " $options " in
	*" ${oc%%:*} "*) ;;
	*) echo "# XTCP_INTEROP_OFF: '${oc%%:*}' is none of: $options"; exit 1 ;;
	esac
	group "veth-${oc%%:*}-${oc#*:}" veth $port "$off_bytes_arg" "${oc%%:*}" "${oc#*:}"
	port=$((port + 4))
done

tap_done
