# SPDX-License-Identifier: GPL-2.0
#
# TAP output for shell tests, in the kselftest format:
#   . selftests/lib/tap.sh
#   tap_plan 3
#   tap_ok "name"            tap_fail "name" "why"      tap_skip "name" "why"
#   tap_check "name" CMD...  (ok when CMD succeeds)
#   tap_eq "name" EXPECTED ACTUAL
#   tap_done                 (exit status: 1 if any test failed)

. "${BASH_SOURCE[0]%/*}/nofork.sh"

TAP_N=0
TAP_FAILED=0

tap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

tap_ok()
{
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1"
}

tap_fail()
{
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "# $1: ${2:-failed}"
	echo "not ok $TAP_N $1"
}

tap_skip()
{
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1 # SKIP ${2:-}"
}

tap_check()
{
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_fail "$name" "'$*' failed: $out"
	fi
}

tap_eq()
{
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected '$2', got '$3'"
	fi
}

tap_done()
{
	[ "$TAP_FAILED" -eq 0 ]
}
