#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# stress: many connections, then TIME_WAIT.  Over a veth pair between two
# namespaces (10.77.3.1/24 clients <-> 10.77.3.2/24 server), for each
# family (XTCP_STRESS_FAMILIES, default "inet xtcp"; inet is the
# reference; the families run at the same time, on their own ports),
# xtcp_xfer makes 400 sequential connections and then 200 concurrent
# ones (all 200 established before any data moves), each with 4 KiB each
# way checked byte for byte.  The client closes first, so right after
# each round the client namespace must list exactly one TIME_WAIT entry
# (state 06) per connection of the round for its port, and nothing else
# on either side (/proc/net/tcp for inet, /proc/net/xtcp for xtcp).  That
# count needs every entry of a round alive at once, so a round must end
# well within TIME_WAIT's 60 s: on a kernel XTCP_SLOW times slower the
# rounds have XTCP_SLOW times fewer connections (1,000 sequential
# connections took 137 s on the debug kernel).  Both stacks run with
# tcp_rfc1337=1 in the client namespace: under TCG a late segment (a
# spurious tail loss probe, or a FIN retransmitted just before its ACK
# landed) sometimes reaches a server that has already closed, native TCP
# there answers with an RST, and by default that RST ends the client's
# TIME_WAIT early (a few in 200 were seen, for either stack).
#
# TIME_WAIT lasts 60 s on Linux (TCP_TIMEWAIT_LEN, no knob; xtcp has no
# knob for it either), so the test waits: the entries of the concurrent
# round must still be there 50 s after its client started, and every entry
# must be gone 75 s after it ended (60 s plus 15 s for timers that fire
# late under TCG; XTCP_SLOW scales those 15 s, not the 60 s nor the 50 s,
# which are the protocol's clock).  Native TCP is the reference for
# these TIME_WAIT checks: a check native fails too (the debug kernel under a
# loaded host once lost entries of both stacks early, rfc1337 or not) is
# skipped for every family.  Then TCP's "alloc" in
# /proc/net/sockstat plus xtcp's port reservations (both global) must be
# no higher than before the first connection, and no reservation left in
# the test's namespaces.  About 90 s in all.
# The sequential round made 1,000 connections until 2026-12 (47 s a
# family under TCG, the families at once: the test was make check's
# busiest, 195 s of guest CPU); 400 still reuse the server's port and the
# client's ephemeral range hundreds of times, and clients_scale opens
# 30,000 at once.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
families=${XTCP_STRESS_FAMILIES:-inet xtcp}
SEQ=$((400 / XTCP_SLOW))
PAR=$((200 / XTCP_SLOW))
SIZE=4096
TW_MIN=50	# TIME_WAIT entries must still be there this long after creation
TW_MAX=$(slow 15)
TW_MAX=$((60 + TW_MAX))	# and gone this long after
A=xtcp-stress-a
B=xtcp-stress-b
work=$(mktemp -d /tmp/xtcp-stress.XXXXXX)
pids=()

trap procs_cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

proc_file() { [ "$1" = inet ] && echo /proc/net/tcp || echo /proc/net/xtcp; }

# states NS FAMILY PORT...: "STATE COUNT" for the entries of the family's
# table in NS whose local or remote port is one of PORTs.
states()
{
	local ns=$1 file
	file=$(proc_file "$2")
	shift 2
	ip netns exec "$ns" cat "$file" | awk -v ports="$*" '
	function hex(s,  v, i) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789ABCDEF", toupper(substr(s, i, 1))) - 1
		return v
	}
	BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) want[p[i]] = 1 }
	NR > 1 {
		split($2, l, ":"); split($3, r, ":")
		if (hex(l[2]) in want || hex(r[2]) in want) count[$4]++
	}
	END { for (s in count) print s, count[s] }' | sort
}

setup()
{
	ip netns add $A && ip netns add $B &&
		ip link add xst-a netns $A type veth peer name xst-b netns $B &&
		ip -n $A addr add 10.77.3.1/24 dev xst-a &&
		ip -n $B addr add 10.77.3.2/24 dev xst-b &&
		ip -n $A link set xst-a up && ip -n $B link set xst-b up &&
		ip netns exec $A sysctl -qw net.ipv4.tcp_rfc1337=1 \
			net.xtcp.tcp_rfc1337=1
}

# round NAME FAMILY PORT SERVER_N CLIENT_ARGS...: one xtcp_xfer run; ok
# when both ends exit 0 with the expected counts.
round()
{
	local name=$1 fam=$2 port=$3 n=$4 d=$work/$1-$2 spid st sst why="" t0
	shift 4
	mkdir -p "$d"
	t0=$(now)
	ip netns exec $B "$xfer" server -f "$fam" -l "10.77.3.2:$port" -n "$n" -b $SIZE \
		-t "$(slow 30)" -w "$(slow 130)" >"$d/server.out" 2>&1 &
	spid=$!
	pids+=("$spid")
	if wait_line $spid "$d/server.out" "^listening " 10; then
		now >"$d/client_start"
		timeout -k 5 "$(slow 130)" ip netns exec $A "$xfer" client -f "$fam" -c "10.77.3.2:$port" \
			-s $SIZE -r $SIZE -t "$(slow 30)" -w "$(slow 120)" "$@" >"$d/client.out" 2>&1
		st=$?
		wait_exit $spid "$([ $st = 0 ] && echo 30 || echo 2)"
		sst=$?
		if [ $st != 0 ] || [ $sst != 0 ]; then
			why="client exit $st, server exit $sst: $(grep -h '^xtcp_xfer' "$d/client.out" "$d/server.out" | sort | uniq -c | head -n 6 | tr '\n' ' ')"
		elif [ "$(result_field "$d/client.out" ok)" != "$n" ] ||
			[ "$(result_field "$d/server.out" ok)" != "$n" ] ||
			[ "$(result_field "$d/client.out" received)" != $((n * SIZE)) ] ||
			[ "$(result_field "$d/server.out" received)" != $((n * SIZE)) ]; then
			why="counts wrong: $(grep -h '^xtcp_xfer' "$d/client.out" "$d/server.out" | tr '\n' ' ')"
		fi
	else
		wait_exit $spid 1
		why="server did not listen: $(tr '\n' ' ' <"$d/server.out")"
	fi
	grep -h '^xtcp_xfer: client family=' "$d/client.out" 2>/dev/null | sed "s/^/# $fam $name: /"
	echo "# $fam $name: $(since "$t0") s"
	if [ -z "$why" ]; then
		tap_ok "$fam: $name, $SIZE bytes each way byte-exact"
	else
		tap_fail "$fam: $name, $SIZE bytes each way byte-exact" "$why"
	fi
}

# check_tw FAMILY PORT N WHAT: right after a round, the client side has
# exactly N TIME_WAIT entries on PORT and nothing else, the server side
# nothing but TIME_WAIT (its LAST_ACKs end when the final ACKs arrive:
# allow a moment for that).  0 when so.
check_tw()
{
	local f=$1 p=$2 n=$3 what=$4 i got_a got_b
	for i in $(seq "$(slow 50)"); do
		[ -z "$(states $B "$f" "$p" | grep -v '^06 ')" ] && break
		sleep 0.1
	done
	got_a=$(states $A "$f" "$p" | tr '\n' ' ')
	got_b=$(states $B "$f" "$p" | grep -v '^06 ' | tr '\n' ' ')
	if [ "${got_a% }" = "06 $n" ] && [ -z "$got_b" ]; then
		tap_ok "$f: after the $what round the client side has $n TIME_WAIT entries and nothing else, server side no others"
		return 0
	fi
	tap_fail "$f: after the $what round the client side has $n TIME_WAIT entries and nothing else, server side no others" \
		"client side (state count): '${got_a% }', server side non-TIME_WAIT: '${got_b% }' in $(proc_file "$f")"
	# Fewer TIME_WAITs than connections: RSTs may have ended some.
	echo "# native RSTs sent by the server namespace so far:" \
		"$(ip netns exec $B nstat -asz TcpOutRsts | awk '/TcpOutRsts/ { print $2 }')"
	return 1
}

# family FAMILY PORT: both rounds of one family, their TIME_WAIT
# counts and the concurrent round's TW_MIN check, run in the
# background: results go to $work/FAMILY.tap as
# "@ok NAME" or "@fail NAME<TAB>WHY" lines (and comments), the concurrent
# round's start and end times to $work/FAMILY.times, "1" to
# $work/FAMILY.had_tw when both counts held.
family()
{
	local f=$1 p1=$2 p2=$(($2 + 1)) ps pe ok=1
	tap_ok() { echo "@ok $1"; }
	tap_fail() { printf '@fail %s\t%s\n' "$1" "${2:-failed}"; }
	round "$SEQ sequential connections" "$f" $p1 $SEQ -n $SEQ
	check_tw "$f" $p1 $SEQ sequential || ok=
	round "$PAR concurrent connections" "$f" $p2 $PAR -p $PAR
	pe=$(now)
	# The round's entries are made after its client starts: from then,
	# not from the server's start (seconds under the debug kernel).
	ps=$(cat "$work/$PAR concurrent connections-$f/client_start" 2>/dev/null || echo "$pe")
	check_tw "$f" $p2 $PAR concurrent || ok=
	echo "$ps $pe" >"$work/$f.times"
	echo "$ok" >"$work/$f.had_tw"
	# Still there TW_MIN s after the concurrent round's client started
	# (its first entry can be no older), each family at its own time.
	# Checked one family after the other, the second family's check
	# waited for the first's moment as well: on the debug kernel xtcp's
	# read no entry (its other entries gone 60.4 s after its round
	# ended, native's 50.8 s after its own), a check that came late.
	sleep "$(awk -v s="$ps" -v n="$(now)" -v m=$TW_MIN 'BEGIN { d = s + m - n; print (d > 0 ? d : 0) }')"
	local got at
	got=$(states $A "$f" $p2 | tr '\n' ' ')
	at=$(since "$ps")
	echo "# $f: concurrent round's TIME_WAIT entries checked $at s after its client started: '${got% }'"
	if [ "${got% }" = "06 $PAR" ]; then
		tap_ok "$f: the $PAR TIME_WAIT entries of the concurrent round still there after $TW_MIN s"
	else
		tap_fail "$f: the $PAR TIME_WAIT entries of the concurrent round still there after $TW_MIN s" \
			"expected '06 $PAR', got '${got% }' $at s after its client started"
	fi
}

nfam=$(wc -w <<<"$families")
tap_plan $((nfam * 6 + 2))
ip netns del $A 2>/dev/null
ip netns del $B 2>/dev/null
if ! setup; then
	for i in $(seq $((nfam * 6 + 2))); do tap_fail "set up namespaces and veth"; done
	exit 1
fi
base_alloc=$(tcp_alloc)
echo "# TCP sockstat alloc before: $base_alloc"

declare -A port1 port2 par_end had_tw
port=5301
jobs=()
for f in $families; do
	port1[$f]=$port port2[$f]=$((port + 1))
	family "$f" $port >"$work/$f.tap" 2>&1 &
	jobs+=($!)
	pids+=($!)
	port=$((port + 2))
done
# Each round ends by its own limits (xtcp_xfer's watchdogs).
for p in "${jobs[@]}"; do
	wait_exit "$p" 300
done
# The results, reported at the end by report_all: names (each "FAMILY:
# what"), and per name "" (passed) or why it failed.
names=()
declare -A why
result()
{
	names+=("$1")
	why[$1]=$2
}
for f in $families; do
	while IFS= read -r line; do
		case $line in
		"@ok "*) result "${line#@ok }" "" ;;
		"@fail "*)
			line=${line#@fail }
			result "${line%%$'\t'*}" "${line#*$'\t'}"
			;;
		*) echo "$line" ;;
		esac
	done <"$work/$f.tap"
	read -r _ par_end[$f] <"$work/$f.times" 2>/dev/null
	had_tw[$f]=$(cat "$work/$f.had_tw" 2>/dev/null)
done

# Gone within TW_MAX s of the end of each family's last round.
for f in $families; do
	gone=
	if [ -z "${had_tw[$f]:-}" ]; then
		result "$f: every TIME_WAIT entry gone within $TW_MAX s" "there were none to expire"
		continue
	fi
	while awk -v e="${par_end[$f]}" -v n="$(now)" -v m=$TW_MAX 'BEGIN { exit !(n < e + m) }'; do
		if [ -z "$(states $A "$f" ${port1[$f]} ${port2[$f]})" ] &&
			[ -z "$(states $B "$f" ${port1[$f]} ${port2[$f]})" ]; then
			gone=$(since "${par_end[$f]}")
			break
		fi
		sleep 1
	done
	if [ -n "$gone" ]; then
		echo "# $f: TIME_WAIT gone $gone s after the last round ended"
		result "$f: every TIME_WAIT entry gone within $TW_MAX s" ""
	else
		result "$f: every TIME_WAIT entry gone within $TW_MAX s" \
			"left: $(states $A "$f" ${port1[$f]} ${port2[$f]} | tr '\n' ' ')/ $(states $B "$f" ${port1[$f]} ${port2[$f]} | tr '\n' ' ')"
	fi
done

# Native TCP is the reference for the TIME_WAIT checks: when its own
# check of a kind failed (the test bed lost entries: seen on the debug
# kernel under a loaded host, both stacks alike), that check says
# nothing about either stack and is skipped for every family; otherwise
# each family's result stands.  The other checks stand as they are.
for name in "${names[@]}"; do
	ref=inet:${name#*:}
	if [[ $name == *TIME_WAIT* && " $families " == *" inet "* &&
		-n ${why[$ref]+set} && -n ${why[$ref]} ]]; then
		tap_skip "$name" "native's own check failed, the test bed lost TIME_WAIT entries: ${why[$ref]}"
	elif [ -z "${why[$name]}" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "${why[$name]}"
	fi
done

# Global counts: earlier tests' sockets and TIME_WAIT entries may go
# meanwhile, but a leak stays above the baseline.  xtcp's reservations
# in this test's namespaces are counted exactly.
v=$(wait_le tcp_alloc "$base_alloc")
if [ "$v" -le "$base_alloc" ]; then
	tap_ok "TCP sockstat alloc + xtcp port reservations back to their baseline"
else
	tap_fail "TCP sockstat alloc + xtcp port reservations back to their baseline" \
		"at most $base_alloc expected, got $v"
fi
tap_eq "no xtcp port reservation left in the test's namespaces" 0 "$(port_inuse $A $B)"

tap_done
