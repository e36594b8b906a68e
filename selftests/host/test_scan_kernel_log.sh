#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test (no VM) of scripts/vm/scan-kernel-log: real clean logs must
# pass, synthetic splats of each kind must be caught.  Prints TAP; exits
# non-zero if any case fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scan=$here/../../scripts/vm/scan-kernel-log
data=$here/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_scan_kernel_log.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# name|file|expected exit|text the report must contain ("" = no output)
cases=(
	"real boot dmesg is clean|clean-boot-dmesg.log|0|"
	"real serial console with CR LF is clean|clean-console-crlf.log|0|"
	"empty log is clean|@empty|0|"
	"WARN_ON with cut here|splat-warn-on.log|1|WARNING: CPU: 1 PID: 231 at net/xtcp/output.c:412"
	"bare WARNING line (as /dev/kmsg test writes)|splat-warning-only.log|1|2:[   40.100200] WARNING: CPU: 0 PID: 1 at fake.c:1 test"
	"WARNING in CR LF console log, CR stripped|splat-warning-crlf.log|1|xtcp_rto+0x10/0x90 [xtcp]"
	"refcount underflow|splat-refcount.log|1|cut here"
	"NULL dereference Oops|splat-null-deref.log|1|Oops: 0000 [#1]"
	"kernel BUG at|splat-kernel-bug-at.log|1|kernel BUG at net/xtcp/input.c:88!"
	"general protection fault|splat-gpf.log|1|general protection fault"
	"Kernel panic|splat-panic.log|1|Kernel panic - not syncing"
	"list corruption|splat-list-corruption.log|1|list_del corruption"
	"DEBUG_LIST double add|splat-list-double-add.log|1|list_add double add: new=ffff88800b2f1a40"
	"sleeping in atomic|splat-sleep-in-atomic.log|1|BUG: sleeping function called"
	"lockdep circular|splat-lockdep-circular.log|1|possible circular locking dependency"
	"lockdep DEADLOCK line|splat-lockdep-circular.log|1|*** DEADLOCK ***"
	"lockdep recursive|splat-lockdep-recursive.log|1|possible recursive locking"
	"lockdep inconsistent state|splat-lockdep-inconsistent.log|1|inconsistent lock state"
	"suspicious RCU usage|splat-suspicious-rcu.log|1|suspicious RCU usage"
	"lockdep irq-safe to irq-unsafe order|splat-lockdep-irq-unsafe-order.log|1|SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected"
	"lockdep held lock freed|splat-lockdep-held-lock-freed.log|1|WARNING: held lock freed!"
	"ODEBUG object misuse|splat-odebug-free-active.log|1|ODEBUG: free active (active state 0) object type: timer_list"
	"KASAN|splat-kasan.log|1|BUG: KASAN: use-after-free"
	"UBSAN|splat-ubsan.log|1|UBSAN: shift-out-of-bounds"
	"RCU self-detected stall|splat-rcu-stall.log|1|self-detected stall on CPU"
	"RCU stall on other CPU|splat-rcu-stall-remote.log|1|detected stalls on CPUs/tasks"
	"kmemleak summary|splat-kmemleak.log|1|new suspected memory leaks"
	"kmemleak object report|splat-kmemleak.log|1|unreferenced object 0xffff888004a3c000"
	"slab objects left at kmem_cache_destroy|splat-slab-leak.log|1|Objects remaining in xtcp_sock"
	"kmemleak switched itself off|splat-kmemleak-disabled.log|1|Kernel memory leak detector disabled"
	"hung task|splat-hung-task.log|1|blocked for more than 120 seconds"
	"soft lockup|splat-soft-lockup.log|1|soft lockup - CPU#1 stuck"
	"hard lockup|splat-hard-lockup.log|1|hard LOCKUP"
	"OOM stack dump|splat-oom.log|1|Call Trace:"
)
# Plus: usage errors, and every data file is used by some case.
n=$((${#cases[@]} + 3))
echo "TAP version 13"
echo "1..$n"

i=0
failed=0
ok() { i=$((i + 1)); echo "ok $i - $1"; }
not_ok() {
	i=$((i + 1)); failed=$((failed + 1))
	echo "not ok $i - $1"
	shift
	local l
	for l in "$@"; do echo "# $l"; done
}

: >"$tmp/empty.log"
used=" "
for c in "${cases[@]}"; do
	IFS='|' read -r name file want text <<<"$c"
	if [[ $file == @empty ]]; then
		path=$tmp/empty.log
	else
		path=$data/$file
		used+="$file "
	fi
	rc=0
	got=$("$scan" "$path" 2>&1) || rc=$?
	if [[ $rc != "$want" ]]; then
		not_ok "$name" "exit $rc, want $want" "$got"
	elif [[ -z $text && -n $got ]]; then
		not_ok "$name" "unexpected output:" "$got"
	elif [[ -n $text && $got != *"$text"* ]]; then
		not_ok "$name" "output lacks '$text':" "$got"
	elif [[ $got == *$'\r'* ]]; then
		not_ok "$name" "output still has CR characters"
	else
		ok "$name"
	fi
done

rc=0
"$scan" >/dev/null 2>&1 || rc=$?
if [[ $rc == 2 ]]; then ok "no argument is a usage error"; else not_ok "no argument is a usage error" "exit $rc"; fi

rc=0
"$scan" "$tmp/does-not-exist" >/dev/null 2>&1 || rc=$?
if [[ $rc == 2 ]]; then ok "missing file is an error, not clean"; else not_ok "missing file is an error, not clean" "exit $rc"; fi

unused=()
for f in "$data"/*.log; do
	[[ $used == *" ${f##*/} "* ]] || unused+=("${f##*/}")
done
if [[ ${#unused[@]} == 0 ]]; then
	ok "every sample log under data/ is checked"
else
	not_ok "every sample log under data/ is checked" "unused: ${unused[*]}"
fi

[[ $failed == 0 ]]
