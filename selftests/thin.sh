#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# thin: linear retransmission timeouts for thin streams
# (TCP_THIN_LINEAR_TIMEOUTS, net.*.tcp_thin_linear_timeouts), native TCP
# the reference.  Namespace X (10.77.69.1) connects to a native sink in P
# (10.77.69.2); once both families' connections are up, X's side of the
# veth drops everything (netem loss 100%), and only then is each peer told
# (on its standard input) to write 100 bytes (one segment: a thin stream)
# and read tcpi_total_retrans 4 s later.  Three
# rounds, both families at once in each: neither knob, the socket option,
# the sysctl.  Linux backs the RTO off (0.2, 0.4, 0.8 s...) unless the
# stream is thin and a knob is on: then its first 6 timeouts are all the
# un-backed-off RTO (tcp_retransmit_timer()), so more retransmissions
# fit in the 4 s.  Checks: native retransmits at least 3 more times with
# a knob than without (sanity: the case measures linear timeouts); xtcp's
# count is native's within 1 in each round (a timeout at the 4 s edge
# can fall either side for either).  The 4 s is the protocol's clock and
# is not scaled by XTCP_SLOW.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
peer=$root/build/selftests/wire_peer
X=xtcp-thin-x
P=xtcp-thin-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start thin

tap_plan 4
if ! { netns_pair $X xth-x 10.77.69.1 $P xth-p 10.77.69.2 &&
	ip -n $X link set lo up && ip -n $P link set lo up; }; then
	for i in 1 2 3 4; do
		tap_fail "set up namespaces and veth"
	done
	exit 1
fi

port=7800
declare -A got
# round NAME KNOB SOCKOPT: both families' total_retrans into got[NAME,FAM]
# (empty on a failure), with net.*.tcp_thin_linear_timeouts KNOB and,
# when SOCKOPT is 1, TCP_THIN_LINEAR_TIMEOUTS on the socket.
round()
{
	local name=$1 fam d spid w
	local -A cpid wfd
	ip netns exec $X sysctl -qw net.ipv4.tcp_thin_linear_timeouts="$2" \
		net.xtcp.tcp_thin_linear_timeouts="$2"
	for fam in inet xtcp; do
		port=$((port + 1))
		d=$work/$name-$fam
		mkdir -p "$d/sink"
		ip netns exec $P "$xfer" sink -f inet -l "10.77.69.2:$port" \
			-o "$d/sink" -n 1 -t "$(slow 30)" >"$d/sink.out" 2>&1 &
		spid=$!
		pids+=("$spid")
		wait_line $spid "$d/sink.out" "^listening " 10 || continue
		local opt=()
		[ "$3" = 1 ] && opt=(thinlto:1)
		mkfifo "$d/in"
		ip netns exec $X "$peer" -f $fam -c "10.77.69.2:$port" \
			-t "$(slow 20)" connect "${opt[@]}" stdin \
			<"$d/in" >"$d/peer.out" 2>&1 &
		cpid[$fam]=$!
		pids+=("${cpid[$fam]}")
		exec {w}>"$d/in"
		wfd[$fam]=$w
	done
	for fam in inet xtcp; do
		[ -n "${cpid[$fam]:-}" ] &&
			wait_line "${cpid[$fam]}" "$work/$name-$fam/peer.out" "^connect ret=0 " 10
	done
	ip netns exec $X tc qdisc add dev xth-x root netem loss 100%
	for fam in inet xtcp; do
		[ -n "${wfd[$fam]:-}" ] || continue
		w=${wfd[$fam]}
		printf 'write:100\nsleep:4000\ninfo\n' >&"$w"
		eval "exec $w>&-"
	done
	for fam in inet xtcp; do
		got[$name,$fam]=""
		[ -n "${cpid[$fam]:-}" ] || continue
		wait_exit "${cpid[$fam]}" 20
		got[$name,$fam]=$(sed -n 's/^info ret=0 .* total_retrans=\([0-9]*\).*/\1/p' \
			"$work/$name-$fam/peer.out")
		echo "# $name $fam: $(grep -v '^info' "$work/$name-$fam/peer.out" | tr '\n' ' ')total_retrans ${got[$name,$fam]:-?}"
	done
	ip netns exec $X tc qdisc del dev xth-x root
}

round off 0 0
round sockopt 0 1
round sysctl 1 0
ip netns exec $X sysctl -qw net.ipv4.tcp_thin_linear_timeouts=0 \
	net.xtcp.tcp_thin_linear_timeouts=0

n_off=${got[off,inet]:-}
n_lin=${got[sockopt,inet]:-}
if [ -n "$n_off" ] && [ -n "$n_lin" ] && [ "$n_lin" -ge $((n_off + 3)) ]; then
	tap_ok "native: linear timeouts retransmit at least 3 more times in 4 s (sanity)"
else
	tap_fail "native: linear timeouts retransmit at least 3 more times in 4 s (sanity)" \
		"without ${n_off:-?}, with TCP_THIN_LINEAR_TIMEOUTS ${n_lin:-?}"
fi
for name in off sockopt sysctl; do
	n=${got[$name,inet]:-} x=${got[$name,xtcp]:-}
	if [ -n "$n" ] && [ -n "$x" ] && [ $((x - n)) -le 1 ] && [ $((n - x)) -le 1 ]; then
		tap_ok "$name: xtcp's retransmissions in 4 s as native's (within 1)"
	else
		tap_fail "$name: xtcp's retransmissions in 4 s as native's (within 1)" \
			"native ${n:-?}, xtcp ${x:-?}"
	fi
done
