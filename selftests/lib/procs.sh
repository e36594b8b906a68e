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
#   result_field FILE NAME          NAME= from xtcp_xfer's last result line

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

wait_line()
{
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		grep -qE -- "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	grep -qE -- "$3" "$2" 2>/dev/null
}

wait_exit()
{
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

result_field()
{
	sed -n "s/^xtcp_xfer: .* $2=\([^ ]*\).*/\1/p" "$1" | tail -n 1
}
