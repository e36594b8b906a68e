#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# cong_module: a congestion control algorithm in a module of its own,
# native TCP's tcp_scalable (the reference) and xtcp's example
# xtcp_scalable (net/xtcp/cong_scalable.c), the same steps for each, each
# observation of xtcp's compared with native's:
#   1. loaded, the algorithm is listed last in
#      tcp_available_congestion_control and nothing pins the module;
#   2. a listener with TCP_CONGESTION "scalable" and the connection it
#      accepts pin it (the child keeps the listener's choice) and rmmod
#      fails; when they are closed nothing pins it;
#   3. as the namespace default (tcp_congestion_control, initial
#      namespace) it is pinned once, once more by a namespace created
#      then (which copies the default) until that namespace is gone;
#   4. unloaded, it is no longer listed;
#   5. TCP_CONGESTION "scalable" by root loads it on demand (modprobe of
#      tcp_NAME, xtcp_NAME; kernel.modprobe points to a wrapper that
#      records the request and insmods xtcp's from the build), and an
#      unknown name asks for its module then fails with ENOENT.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
tool=$root/build/selftests/xtcp_tool
netns=(xtcp-cong-n)
procs_start cong_module
old_modprobe=$(cat /proc/sys/kernel/modprobe)
declare -A old
for pre in net.ipv4 net.xtcp; do
	for k in tcp_congestion_control tcp_allowed_congestion_control; do
		old[$pre.$k]=$(sysctl -n "$pre.$k")
	done
done
# put_back PREFIX: that stack's default and allowed list as they were.
put_back()
{
	local k
	for k in tcp_congestion_control tcp_allowed_congestion_control; do
		sysctl -qw "$1.$k=${old[$1.$k]}"
	done
}
# The namespace and the processes first: either may pin the modules.
restore()
{
	echo "$old_modprobe" >/proc/sys/kernel/modprobe
	put_back net.ipv4
	put_back net.xtcp
	procs_cleanup
	wait_refcnt tcp_scalable 0 >/dev/null
	wait_refcnt xtcp_scalable 0 >/dev/null
	rmmod tcp_scalable 2>/dev/null
	rmmod xtcp_scalable 2>/dev/null
}
trap restore EXIT

# The wrapper request_module() runs: logs its arguments, loads xtcp's
# example from the build, passes anything else to the real modprobe.
cat >"$work/modprobe" <<EOF
#!/bin/sh
echo "\$*" >>"$work/requests"
for a; do
	case \$a in
	xtcp_scalable) exec insmod "$root/xtcp_scalable.ko" ;;
	xtcp_*) exit 1 ;;
	esac
done
exec "$old_modprobe" "\$@"
EOF
chmod +x "$work/modprobe"

refcnt() { cat "/sys/module/$1/refcnt" 2>/dev/null || echo gone; }

# wait_refcnt MOD N: up to 5 s (XTCP_SLOW-scaled) for MOD's count to be
# N (sockets and namespaces are freed after an RCU grace period, a
# namespace by a workqueue); prints the last count read.
wait_refcnt()
{
	local i r
	tenths_n 5
	for ((i = 0; i < n; i++)); do
		r=$(refcnt "$1")
		[ "$r" = "$2" ] || [ "$r" = gone ] && break
		sleep 0.1
	done
	echo "$r"
}

# hold_start FAMNO SECS: xtcp_tool's "cong scalable" in the background,
# reading a FIFO we hold open until hold_end; its lines up to "held" (at
# most SECS, XTCP_SLOW-scaled) joined in r.
hold_start()
{
	rm -f "$work/hold.in" "$work/hold.out"
	mkfifo "$work/hold.in"
	"$tool" -f "$1" cong scalable <"$work/hold.in" >"$work/hold.out" 2>&1 &
	hold_pid=$!
	pids+=("$hold_pid")
	exec {hold_w}>"$work/hold.in"
	wait_line "$hold_pid" "$work/hold.out" '^(held|error)' "$2"
	r=$(sed '/^held$/d' "$work/hold.out" | tr '\n' ';')
}

hold_end()
{
	exec {hold_w}>&-
	wait_exit "$hold_pid" 10
}

# run_stack FAM PREFIX MOD LOAD: the steps for one stack; each result is
# a line "NAME VALUE" in $work/FAM.
run_stack()
{
	local fam=$1 pre=$2 mod=$3 load=$4 out=$work/$1 famno=2
	[ "$fam" = xtcp ] && famno=$(cat /sys/module/xtcp/parameters/family)
	: >"$out"
	: >"$work/requests"
	say() { echo "$1 $2" >>"$out"; }

	# 1. loaded
	$load
	say load "$?"
	say listed_last "$(sysctl -n "$pre.tcp_available_congestion_control" |
		awk '{ print $NF }')"
	say refcnt_loaded "$(refcnt "$mod")"

	# 2. pinned by sockets
	hold_start "$famno" 10
	say child "$r"
	say refcnt_sockets "$(refcnt "$mod")"
	rmmod "$mod" 2>/dev/null
	say rmmod_in_use "$?"
	hold_end
	say refcnt_closed "$(wait_refcnt "$mod" 0)"

	# 3. pinned by the default, and by a namespace copying it
	sysctl -qw "$pre.tcp_congestion_control=scalable"
	say default_set "$?"
	say refcnt_default "$(refcnt "$mod")"
	ip netns add xtcp-cong-n
	say refcnt_netns "$(refcnt "$mod")"
	say netns_default "$(ip netns exec xtcp-cong-n sysctl -n "$pre.tcp_congestion_control")"
	ip netns del xtcp-cong-n
	say refcnt_netns_gone "$(wait_refcnt "$mod" 1)"
	put_back "$pre"
	say refcnt_default_back "$(refcnt "$mod")"

	# 4. unloaded
	rmmod "$mod"
	say rmmod "$?"
	say listed_after "$(sysctl -n "$pre.tcp_available_congestion_control")"

	# 5. loaded on demand
	echo "$work/modprobe" >/proc/sys/kernel/modprobe
	hold_start "$famno" 30
	say autoload_child "$r"
	say autoload_refcnt "$(refcnt "$mod")"
	hold_end
	say autoload_request "$(grep -c -- "-- $mod\$" "$work/requests")"
	say unknown "$("$tool" -f "$famno" cong nosuch | tr '\n' ';')"
	say unknown_request "$(grep -c -- "-- ${mod%_scalable}_nosuch\$" "$work/requests")"
	echo "$old_modprobe" >/proc/sys/kernel/modprobe
	say refcnt_autoload_closed "$(wait_refcnt "$mod" 0)"
	rmmod "$mod"
	say rmmod_autoloaded "$?"
}

run_stack inet net.ipv4 tcp_scalable "modprobe tcp_scalable"
run_stack xtcp net.xtcp xtcp_scalable "insmod $root/xtcp_scalable.ko"

# What native must show for the case to mean anything (else SKIP).
declare -A premise=(
	[load]=0 [listed_last]=scalable [refcnt_loaded]=0
	[child]="child scalable;" [refcnt_sockets]=2 [rmmod_in_use]=1
	[refcnt_closed]=0 [default_set]=0 [refcnt_default]=1 [refcnt_netns]=2
	[netns_default]=scalable [refcnt_netns_gone]=1 [refcnt_default_back]=0
	[rmmod]=0 [listed_after]="reno cubic"
	[autoload_child]="child scalable;" [autoload_refcnt]=2
	[autoload_request]=1 [unknown]="error 2;" [unknown_request]=1
	[refcnt_autoload_closed]=0 [rmmod_autoloaded]=0
)
names=(load listed_last refcnt_loaded child refcnt_sockets rmmod_in_use
	refcnt_closed default_set refcnt_default refcnt_netns netns_default
	refcnt_netns_gone refcnt_default_back rmmod listed_after autoload_child
	autoload_refcnt autoload_request unknown unknown_request
	refcnt_autoload_closed rmmod_autoloaded)
tap_plan ${#names[@]}
for k in "${names[@]}"; do
	nv=$(sed -n "s/^$k //p" "$work/inet")
	xv=$(sed -n "s/^$k //p" "$work/xtcp")
	if [ "$nv" != "${premise[$k]}" ]; then
		if [ "$xv" = "${premise[$k]}" ]; then
			tap_skip "$k: xtcp '$xv'" "native gave '$nv', not '${premise[$k]}'"
		else
			tap_fail "$k: xtcp '$xv'" "native gave '$nv' (premise '${premise[$k]}')"
		fi
	else
		tap_eq "$k as native" "$nv" "$xv"
	fi
done
tap_done
