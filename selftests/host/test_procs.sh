#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test (no VM) of pid_alive in selftests/lib/procs.sh, which
# wait_line and wait_exit poll with: a running process is alive; one that
# exited is not, whether reaped or still a zombie (kill -0 says a zombie
# is alive, and a poll on it waited out its whole limit); a command
# name with ") " in it does not confuse the parse of /proc/PID/stat.
# Prints TAP; exits non-zero if any case fails.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XTCP_SLOW=1
. "$here/../lib/procs.sh"

n=0 bad=0
check()
{
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: got $2, expected $3"
		bad=$((bad + 1))
	fi
}
alive_word()
{
	if pid_alive "$1"; then echo alive; else echo gone; fi
}

echo "1..6"
sleep 5 &
run=$!
check "a running child is alive" "$(alive_word $run)" alive
kill $run
wait $run 2>/dev/null
check "a child killed and reaped is gone" "$(alive_word $run)" gone

# A zombie: a child of a process that never reaps it (exec replaces the
# shell before its child ends, so that child stays a zombie under the
# sleep, which does not reap; a child that ended before the exec would
# have been reaped by bash).
zfile=$(mktemp)
bash -c 'sleep 0.5 & echo $! >"$1"; exec sleep 10' _ "$zfile" &
parent=$!
for _ in $(seq 50); do [ -s "$zfile" ] && break; sleep 0.1; done
zombie=$(cat "$zfile")
for _ in $(seq 50); do
	read -r st </proc/"$zombie"/stat 2>/dev/null || break
	st=${st##*) }
	[ "${st:0:1}" = Z ] && break
	sleep 0.1
done
check "the test made a zombie (kill -0 says it is there)" \
	"$(kill -0 "$zombie" 2>/dev/null && echo there || echo missing)" there
check "a zombie is gone" "$(alive_word "$zombie")" gone
kill $parent 2>/dev/null
wait 2>/dev/null
rm -f "$zfile"

# ") " in the command name (comm is at most 15 characters).
cp /bin/sleep "${TMPDIR:-/tmp}/a) b"
"${TMPDIR:-/tmp}/a) b" 5 &
odd=$!
check "a command named 'a) b' is alive" "$(alive_word $odd)" alive
check "a pid that does not exist is gone" "$(alive_word 4194304)" gone
kill $odd
wait $odd 2>/dev/null
rm -f "${TMPDIR:-/tmp}/a) b"
exit $((bad > 0))
