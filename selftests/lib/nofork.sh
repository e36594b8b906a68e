# SPDX-License-Identifier: GPL-2.0
#
# nofork: waiting and reading a file without starting a process.  Under
# TCG every exec costs the guest a lot: measured in the VM with the host
# loaded (2026-12-01), 50 "sleep 0.1" took 36 s and 22 s of guest CPU,
# 50 "read -t 0.1" 6 s and 0.7 s; one grep 0.5 s of CPU, one "ip" 0.35 s,
# one "python3 -c pass" 1.4 s.  A loop that polled with sleep and grep
# "every 0.1 s" so polled every second or so and kept a CPU busy, which
# the other tests of a loaded VM paid for.  tap.sh sources this, so every
# shell test has:
#   sleep SECS       what /bin/sleep does, for a plain number of seconds,
#                    as read's timeout on a FIFO nobody writes (in a
#                    background subshell too); anything else goes to
#                    /bin/sleep.  "ip netns exec NS sleep N" and the like
#                    still run /bin/sleep, as they must.
#   file_has FILE ERE  a line of FILE (which may not exist yet) matches
#                    the extended regular expression ERE, as grep -qE.

exec {NOFORK_FD}<> <(:)

sleep()
{
	local unused

	if [[ $# = 1 && $1 =~ ^([0-9]+|[0-9]*[.][0-9]+)$ ]]; then
		read -r -t "$1" -u "$NOFORK_FD" unused
		return 0
	fi
	command sleep "$@"
}

file_has()
{
	local l

	{
		while IFS= read -r l || [[ -n $l ]]; do
			[[ $l =~ $2 ]] && return 0
		done <"$1"
	} 2>/dev/null
	return 1
}
