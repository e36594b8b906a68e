# SPDX-License-Identifier: GPL-2.0
#
# Time limits that depend on the machine's speed:
#   . selftests/lib/slow.sh
#   slow SECS       prints SECS (whole or decimal) times XTCP_SLOW
# XTCP_SLOW (a positive whole number, default 1) is how many times slower
# than Debian's kernel under TCG the kernel under test runs; make check
# leaves it at 1, make check-debug sets 4 (KASAN, lockdep, kmemleak).
# What it scales: watchdogs, timeouts, deadlines, waits for a line, a
# state or an exit, and sleeps before a measurement, all of which only
# bound how long the machine may take.  What it must not scale: limits
# that are the protocol's own clock (RTOs, TIME_WAIT, rate limits, retry
# counts) or compare xtcp with native TCP in the same VM.
# selftests/lib/slow.py is the same for python; C tests on the kselftest
# harness include selftests/lib/harness.h, whose XTCP_HARNESS_MAIN scales
# each TEST's limit.  Sourcing this file with a bad XTCP_SLOW exits 2.

XTCP_SLOW=${XTCP_SLOW:-1}
case $XTCP_SLOW in
'' | *[!0-9]* | 0*)
	echo "# XTCP_SLOW must be a positive whole number, got '$XTCP_SLOW'" >&2
	exit 2
	;;
esac
export XTCP_SLOW

slow()
{
	if [ "$XTCP_SLOW" = 1 ]; then
		echo "$1"
		return
	fi
	awk -v t="$1" -v f="$XTCP_SLOW" 'BEGIN { v = t * f; print (v == int(v) ? v : sprintf("%.2f", v)) }'
}
