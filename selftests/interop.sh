#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# interop: xtcp and native TCP talk to each other and to themselves.  The
# matrix {xtcp, inet} client x {xtcp, inet} server runs over a veth pair
# between two network namespaces (10.77.0.1/24 <-> 10.77.0.2/24) and over
# loopback, with every TCP option on in both namespaces: tcp_timestamps,
# tcp_window_scaling, tcp_sack and tcp_ecn = 1, each under net.ipv4 and
# under net.xtcp (where that knob exists).  Each of these cases moves
# XTCP_INTEROP_BYTES (default 16M; K/M/G suffixes) each way with
# xtcp_xfer, which checks every byte and exits non-zero otherwise; the
# script also checks the byte counts it reports.
#
# Then, over the veth only, the matrix again with one option turned off
# (both its net.ipv4 and its net.xtcp knob) in one namespace, for each
# "OPTION:SIDE" of XTCP_INTEROP_OFF (default "timestamps:client
# window_scaling:server sack:client ecn:server": each option off on one
# side, a different side in turn; all eight is the full set), moving
# XTCP_INTEROP_OFF_BYTES (default 4M) each way.  What an option off
# changes shows from the handshake on: no timestamps (RTT from sequence
# numbers, no PAWS), a window of at most 64 KiB without scaling (4 MiB
# is 64 such windows), recovery without SACK, no ECN; the buffers'
# limits are the all-on cases' business.  These sixteen cases moved
# 16 MiB until 2026-12: two thirds of the test's bulk data, when the test
# took 226 s of guest CPU in 167 s, make check's second busiest.
#
# Why 16 MiB is enough for the all-on cases: about 11,500 full segments each way
# over the veth (256 segments of lo's 64 KiB MSS), so slow start ends and
# the window scales up long before the end; past receive-buffer
# autotuning's limit (tcp_rmem[2], 6 MiB; 16 MiB is more than twice it,
# so the buffer reaches its limit and is filled and drained at it); the
# send buffer (tcp_wmem[2], 4 MiB) fills and drains four times.  Byte-exactness is checked on every
# byte whatever the size, and what is negotiated shows in the handshake.
# The all-on cases moved 64 MiB until 2026-12 (1.6-6.5 s a case under TCG
# on a quiet host, the whole test 363 s, 592 s loaded) and proved no more.
# When an option's knob does not exist under /proc/sys/net/xtcp yet, its
# cases with an xtcp end are skipped with that reason (inet x inet still
# runs); in the all-on cases xtcp then runs without that option.
#
# Two tcpdumps, one on the veth and one on lo, run through all the cases
# (tcpdump takes seconds to start under TCG; each case has its own port,
# and the captures are read once, at the end).  A case's part must show
# the client's SYN with an MSS option,
# a SYN-ACK (with MSS) acknowledging it, the third ACK, a FIN from each
# side acknowledged by the other, and no RST until both FINs are ACKed (a
# RST after that answers a segment that the veth delivered after the
# close; such RSTs are counted in a comment, see check_wire).  It must
# also show that the
# namespaces were set up as the case says: a native client's SYN offers
# all four (TS, wscale, sackOK, ECE+CWR) but one turned off on the
# client, and the side an option is off on does not offer it (client: in
# its SYN, server: in its SYN-ACK).  The SYN's and SYN-ACK's options are printed
# as comments.  Two results per case; the time of each case is printed.
# The capture keeps only what those checks read: segments with SYN, FIN
# or RST, and segments without payload (the third ACK, the ACKs of the
# FINs).  Data segments are filtered out in the kernel: parsing the bulk
# transfers' headers took a fifth of the test's time.  A third ACK
# carrying data would now fail the check, as the first segment without
# payload after the SYN-ACK would not acknowledge it alone; Linux sends
# it bare (tcp_rcv_synsent_state_process()).
# inet x inet is the reference that shows the test bed itself works.
#
# Process starts are few per case (each exec is slow under TCG, the
# binaries come over 9p): byte counts and times are read with bash
# builtins.
#
# Measured under TCG with the host loaded (load 6-8): a 16 MiB case took
# 4.4-8.7 s (the transfer 3.9-7.1 s of it), the whole test 212 s; with the
# 64 MiB cases, a tcpdump per group and more process starts it had taken
# 716 s there and run out of the budget below in its last group.
# Timeouts: a case fails after 80 s (xtcp_xfer's watchdog) or 30 s
# without progress on one call (both scaled by XTCP_SLOW).  Once 600 s
# (scaled) have passed, the cases not yet run fail as "not run" so the
# test stays inside the runner's 15 minutes even when many of them stall.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"
. "$(dirname "$0")/lib/interop_wire.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
bytes_arg=${XTCP_INTEROP_BYTES:-16M}
off_bytes_arg=${XTCP_INTEROP_OFF_BYTES:-4M}
offs=${XTCP_INTEROP_OFF:-timestamps:client window_scaling:server sack:client ecn:server}
numfmt --from=iec "$bytes_arg" "$off_bytes_arg" >/dev/null || exit 1
options="timestamps window_scaling sack ecn"
A=xtcp-interop-a	# clients (and the loopback servers)
B=xtcp-interop-b	# veth servers
work=$(mktemp -d /tmp/xtcp-interop.XXXXXX)
pids=()

trap procs_cleanup EXIT

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

# capture_start PATH FIRST_PORT LAST_PORT: one tcpdump on PATH's device
# for every case on it, ports FIRST_PORT to LAST_PORT (it starts slowly
# under TCG); 0 once it listens.  Headers only (-s 128), written as they
# come; a big buffer so that no segment is dropped.  Only segments with
# SYN, FIN or RST, or without payload (IP total length less both headers
# is 0) pass the filter.
declare -A tpid
capture_start()
{
	local dev
	read -r _ _ dev <<<"$(path_dev "$1")"
	ip netns exec $A tcpdump -i "$dev" -nn -s 128 -B 32768 -U --immediate-mode \
		-w "$work/$1.pcap" "tcp portrange $2-$3 and
		(tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or
		 ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) == 0)" \
		2>"$work/$1.tcpdump.err" &
	tpid[$1]=$!
	pids+=("$!")
	wait_line "${tpid[$1]}" "$work/$1.tcpdump.err" "listening on" 20
}

# capture_stop PATH...: let the last ACK reach the captures, then stop
# them.
capture_stop()
{
	local p
	sleep "$(slow 0.3)"
	for p; do kill -INT "${tpid[$p]}" 2>/dev/null; done
	for p; do
		wait_exit "${tpid[$p]}" 10 >/dev/null
		grep -E "dropped by kernel" "$work/$p.tcpdump.err" | grep -v "^0 " | sed 's/^/# tcpdump: /'
	done
}

# knob_exists FAMILY OPTION: the sysctl of OPTION exists for FAMILY.
knob_exists()
{
	[ "$1" = inet ] || [ -e "/proc/sys/net/xtcp/tcp_$2" ]
}

# knobs NETNS VALUE [OPTION...]: net.ipv4.tcp_OPTION and, where it exists,
# net.xtcp.tcp_OPTION = VALUE in NETNS (every option when none is named),
# with one sysctl process.
knobs()
{
	local ns=$1 v=$2 o
	local -a which set=()
	shift 2
	read -r -a which <<<"${*:-$options}"
	for o in "${which[@]}"; do
		set+=("net.ipv4.tcp_$o=$v")
		knob_exists xtcp "$o" && set+=("net.xtcp.tcp_$o=$v")
	done
	ip netns exec "$ns" sysctl -qw "${set[@]}"
}

# xfer_line FILE: sets xline to xtcp_xfer's last result line in FILE
# (empty without one), with builtins only.
xfer_line()
{
	local l
	xline=
	while IFS= read -r l; do
		[[ $l != "xtcp_xfer: "* ]] || xline=$l
	done <"$1"
}

# xfer_field NAME: NAME= of xline ("" without it).
xfer_field()
{
	local re=" $1=([^ ]*) "
	[[ " $xline " =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# usecs: now in microseconds (bash's EPOCHREALTIME, no process).
usecs()
{
	local t=$EPOCHREALTIME
	echo $((${t%[.,]*} * 1000000 + 10#${t#*[.,]}))
}

# run_case DIR PATH CLIENT_FAMILY SERVER_FAMILY PORT BYTES NAME: the
# transfer of BYTES (a number) each way; its result ("ok" or why not) in
# DIR/why.  Prints the case's time, and where it went: the server's
# start until it listened, the transfer (the client's run), the server's
# exit after it.
run_case()
{
	local d=$1 path=$2 cf=$3 sf=$4 port=$5 bytes=$6 name=$7 sns saddr st sst
	local why="" t0 t1 t2 t3 c_recv c_sent s_recv
	read -r sns saddr _ <<<"$(path_dev "$path")"
	mkdir -p "$d"
	t0=$(usecs)
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
		t1=$(usecs)
		timeout -k 5 "$(slow 90)" ip netns exec $A "$xfer" client -f "$cf" -c "$saddr:$port" \
			-s "$bytes" -r "$bytes" -t "$(slow 30)" -w "$(slow 80)" >"$d/client.out" 2>&1
		st=$?
		t2=$(usecs)
		# A failed client may leave the server waiting for it.
		if [ $st = 0 ]; then wait_exit $spid 30; else wait_exit $spid 2; fi
		sst=$?
	else
		st=-
		wait_exit $spid 1
		sst=$?
		why="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
	fi
	t3=$(usecs)

	xfer_line "$d/server.out"
	s_recv=$(xfer_field received)
	xfer_line "$d/client.out" 2>/dev/null
	c_recv=$(xfer_field received)
	c_sent=$(xfer_field sent)
	if [ -z "$why" ]; then
		if [ "$st" != 0 ] || [ "$sst" != 0 ]; then
			why="client exit $st, server exit $sst: $(tr '\n' ' ' <"$d/client.out") / $(tr '\n' ' ' <"$d/server.out")"
		elif [ "$c_recv" != "$bytes" ] || [ "$c_sent" != "$bytes" ] ||
			[ "$s_recv" != "$bytes" ]; then
			why="byte counts differ from $bytes: client sent $c_sent received $c_recv, server received $s_recv"
		fi
	fi
	[[ $xline != "xtcp_xfer: client family="* ]] || echo "# $name: $xline"
	if [ -n "${t1:-}" ]; then
		printf '# %s: %d.%01d s (listening %d.%01d s, transfer %d.%01d s, server exit %d.%01d s)\n' "$name" \
			$(((t3 - t0) / 1000000)) $(((t3 - t0) / 100000 % 10)) \
			$(((t1 - t0) / 1000000)) $(((t1 - t0) / 100000 % 10)) \
			$(((t2 - t1) / 1000000)) $(((t2 - t1) / 100000 % 10)) \
			$(((t3 - t2) / 1000000)) $(((t3 - t2) / 100000 % 10))
	else
		printf '# %s: %d.%01d s\n' "$name" $(((t3 - t0) / 1000000)) $(((t3 - t0) / 100000 % 10))
	fi
	echo "${why:-ok}" >"$d/why"
}

# split_capture PATH FIRST_PORT LAST_PORT: PATH's capture as text
# (tcpdump -nn -S -tt), each line into $work/cap-PORT.txt of the case
# whose server PORT (FIRST_PORT to LAST_PORT) it has.
split_capture()
{
	tcpdump -r "$work/$1.pcap" -nn -S -tt 2>/dev/null | awk -v dir="$work" -v lo="$2" -v hi="$3" '
	{
		for (i = 3; i <= 5; i += 2) {
			a = $i; sub(/:$/, "", a); n = split(a, f, ".")
			if (n == 5 && f[n] + 0 >= lo && f[n] + 0 <= hi) {
				print > (dir "/cap-" f[n] ".txt")
				next
			}
		}
	}'
}

# report_case DIR GROUP PATH PORT BYTES NAME [ALL_ON_CLIENT [OFF_OPTION
# OFF_SIDE]]: the case's two results, the wire checked in its part of
# PATH's capture ($work/cap-PORT.txt, from split_capture).
report_case()
{
	local d=$1 group=$2 path=$3 port=$4 bytes_arg=$5 name=$6 saddr why="not run" wire l n=0
	local re='Flags (\[S[^]]*\]).*(options \[[^]]*\])'
	shift 6
	read -r _ saddr _ <<<"$(path_dev "$path")"
	[ ! -f "$d/why" ] || read -r why <"$d/why"
	if [ "$why" = ok ]; then
		tap_ok "$name: $bytes_arg each way byte-exact"
	else
		tap_fail "$name: $bytes_arg each way byte-exact" "$why"
	fi
	local cap=$work/cap-$port.txt
	: >>"$cap"
	# The options of the first two SYNs (the SYN, the SYN-ACK).
	while IFS= read -r l && [ $n -lt 2 ]; do
		[[ $l =~ $re ]] || continue
		echo "# $name: ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
		n=$((n + 1))
	done <"$cap"
	if wire=$(check_wire "$cap" "$saddr" "$port" "$@"); then
		tap_ok "$name: wire: handshake as set, FIN each way ACKed, no RST"
		[ -z "$wire" ] ||
			echo "# $name: $wire RST(s) after both FINs were ACKed, answering late segments"
	else
		tap_fail "$name: wire: handshake as set, FIN each way ACKed, no RST" "missing: $wire"
		# The handshake, then every RST with the 3 lines before it,
		# then the last 3 lines.
		awk '{ l[NR] = $0 }
		END {
			for (i = 1; i <= NR && i <= 8; i++) { print l[i]; done[i] = 1 }
			for (i = 9; i <= NR; i++)
				if (l[i] ~ /Flags \[[^]]*R/)
					for (j = i - 3; j <= i; j++)
						if (j > 0 && !done[j]) { print l[j]; done[j] = 1 }
			for (i = NR - 2; i <= NR; i++)
				if (i > 0 && !done[i]) { print l[i]; done[i] = 1 }
		}' "$cap" | sed 's/^/#   /'
	fi
}

# cases NAME PATH FIRST_PORT BYTES [OPTION SIDE] (a "group"): the four
# pairings on PATH, ports FIRST_PORT up, every option on in both
# namespaces but OPTION off on SIDE (client: namespace A, server: B),
# each moving BYTES (K/M/G) each way.  A pairing with an xtcp end whose
# OPTION knob does not exist yet is skipped.  The results are reported
# by report_group once the captures are read.
cases()
{
	local g=$1 path=$2 first=$3 bytes_arg=$4 off=${5:-} side=${6:-} cf sf port d name
	local ns t0=$SECONDS bytes
	bytes=$(numfmt --from=iec "$bytes_arg")
	if ! knobs $A 1 || ! knobs $B 1; then
		echo "set the options" >"$work/$g.why"
		return
	fi
	if [ -n "$off" ]; then
		ns=$A
		[ "$side" = client ] || ns=$B
		if ! knobs $ns 0 "$off"; then
			echo "turn tcp_$off off on the $side" >"$work/$g.why"
			return
		fi
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
				run_case "$d" "$path" $cf $sf $port "$bytes" "$name"
			fi
			port=$((port + 1))
		done
	done
	echo "# $g: $((SECONDS - t0)) s"
}

# report_group NAME PATH FIRST_PORT BYTES [OPTION SIDE]: the results of
# cases with the same arguments, two TAP lines per pairing.
report_group()
{
	local g=$1 path=$2 first=$3 bytes_arg=$4 off=${5:-} side=${6:-} cf sf port d name
	local skip all i why
	local -a chk
	if [ -f "$work/$g.why" ]; then
		read -r why <"$work/$g.why"
		for ((i = 0; i < 8; i++)); do tap_fail "$g: $why"; done
		return
	fi
	port=$first
	for cf in inet xtcp; do
		for sf in inet xtcp; do
			name="$path $cf client -> $sf server"
			[ -z "$off" ] || name="$name, tcp_$off off on the $side"
			d=$work/$g-$cf-$sf
			why=
			[ ! -f "$d/why" ] || read -r why <"$d/why"
			if [ "$why" = skip ]; then
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

# Every group's arguments, in order: the all-on groups, then one per
# OPTION:SIDE, four ports each (5101-5108, then 5111 up).
groups=("veth-all veth 5101 $bytes_arg" "lo-all lo 5105 $bytes_arg")
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
	groups+=("veth-${oc%%:*}-${oc#*:} veth $port $off_bytes_arg ${oc%%:*} ${oc#*:}")
	port=$((port + 4))
done
last=$((port - 1))

for p in veth lo; do
	capture_start $p 5101 $last ||
		echo "# $p: tcpdump did not start: $(tr '\n' ' ' <"$work/$p.tcpdump.err")"
done
for g in "${groups[@]}"; do
	# shellcheck disable=SC2086 # the words of one group's arguments
	cases $g
done
capture_stop veth lo
t1=$SECONDS
for p in veth lo; do
	split_capture $p 5101 $last
done
for g in "${groups[@]}"; do
	# shellcheck disable=SC2086
	report_group $g
done
echo "# reading and checking the captures: $((SECONDS - t1)) s"

tap_done
