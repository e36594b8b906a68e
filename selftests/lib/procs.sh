# SPDX-License-Identifier: GPL-2.0
#
# Helpers for VM tests that run servers in network namespaces:
#   . selftests/lib/procs.sh   (after setting A and B or netns=(NS...))
#   procs_start NAME                a scratch directory $work, pids=(),
#                                   and procs_cleanup on exit
#   (or set work and pids=() and trap procs_cleanup EXIT by hand)
#   wait_line PID FILE REGEX SECS   until FILE has a matching line; fails
#                                   early when PID exits
#   wait_exit PID SECS              PID's exit status, killed after SECS
#   pid_alive PID                   PID runs (exists and is no zombie)
#   result_field FILE NAME          NAME= from xtcp_xfer's last result line
#   tcp_alloc                       native TCP sockets + xtcp port reservations
# SECS of wait_line and wait_exit only bound how long the machine may
# take: both scale them by XTCP_SLOW (selftests/lib/slow.sh).

. "$(dirname "${BASH_SOURCE[0]}")/slow.sh"

# tenths SECS: how many 0.1 s steps SECS * XTCP_SLOW is.
tenths()
{
	awk -v t="$(slow "$1")" 'BEGIN { printf "%d", t * 10 + 0.5 }'
}

# tenths_n SECS: the same into the variable n, without a process for a
# whole SECS (the polling waits below run once or more per case).
tenths_n()
{
	if [[ $1 =~ ^[0-9]+$ ]]; then
		n=$(($1 * XTCP_SLOW * 10))
	else
		n=$(tenths "$1")
	fi
}

procs_start()
{
	work=$(mktemp -d "/tmp/xtcp-$1.XXXXXX")
	pids=()
	trap procs_cleanup EXIT
}

# Kill the test's background processes, remove its namespaces (those in
# netns, else A and B) and its scratch directory.
procs_cleanup()
{
	local p ns nss=("${A:-}" "${B:-}")
	# wait: reaps them quietly (no "Killed" job notices in the TAP).
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "${netns+set}" ] && nss=("${netns[@]}")
	for ns in "${nss[@]}"; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	[ -n "${work:-}" ] && rm -rf "$work"
}

# pid_alive PID: PID exists and has not exited.  kill -0 also succeeds
# on a zombie, one that exited and was not reaped yet (or whose parent
# never reaps it): polling with it then waits out the whole limit.  The
# state is the field after the ") " that ends the command name in
# /proc/PID/stat, read with builtins.
pid_alive()
{
	local s
	{ read -r s </proc/"$1"/stat; } 2>/dev/null || return 1
	s=${s##*) }
	[ "${s:0:1}" != Z ]
}

wait_line()
{
	local i n
	tenths_n "$4"
	for ((i = 0; i < n; i++)); do
		file_has "$2" "$3" && return 0
		pid_alive "$1" || break
		sleep 0.1
	done
	file_has "$2" "$3"
}

wait_exit()
{
	local i n
	tenths_n "$2"
	for ((i = 0; i < n; i++)); do
		pid_alive "$1" || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

result_field()
{
	sed -n "s/^xtcp_xfer: .* $2=\([^ ]*\).*/\1/p" "$1" | tail -n 1
}

# field FILE LINE NAME: the value after NAME on the line starting LINE
# (a /proc/net/sockstat-style "TCP: inuse N ... alloc N" line).
sockstat_field()
{
	awk -v l="$2" -v f="$3" '$1 == l { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$1"
}

# Native TCP sockets plus xtcp's port reservations (port.c; the PORT line
# of /proc/net/xtcp_sockstat), both counted over all namespaces: other
# tests' sockets and TIME_WAIT entries may still go away meanwhile, so
# compare with wait_le, not for equality.
tcp_alloc()
{
	echo $(($(sockstat_field /proc/net/sockstat TCP: alloc) +
		$(sockstat_field /proc/net/xtcp_sockstat PORT: alloc)))
}

# port_inuse NS...: xtcp's port reservations in the namespaces NS (the
# PORT line's per-namespace "inuse"), exact whatever other namespaces do.
port_inuse()
{
	local ns n=0
	for ns in "$@"; do
		n=$((n + $(ip netns exec "$ns" awk '$1 == "PORT:" && $2 == "inuse" { print $3 }' /proc/net/xtcp_sockstat)))
	done
	echo $n
}

# wait_le CMD MAX: up to 10 s (XTCP_SLOW scales it) for CMD's output to
# be at most MAX; prints it.
wait_le()
{
	local i v
	for i in $(seq "$(slow 100)"); do
		v=$($1)
		[ "$v" -le "$2" ] && break
		sleep 0.1
	done
	echo "$v"
}
