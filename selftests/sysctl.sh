#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sysctl: every net.xtcp.* knob exists in every network namespace, starts
# at the value of its net.ipv4.* twin, rejects exactly the writes the twin
# rejects with the same error, accepts what it accepts, and a change in one
# namespace stays there.  Native knobs are written only inside throwaway
# namespaces, except tcp_max_orphans which Linux has in the initial one only.
set -u
. "$(dirname "$0")/lib/tap.sh"

knobs=(tcp_syn_retries tcp_synack_retries tcp_retries1 tcp_retries2
	tcp_fin_timeout tcp_keepalive_time tcp_keepalive_intvl
	tcp_keepalive_probes tcp_sack tcp_dsack tcp_timestamps tcp_window_scaling
	tcp_rmem tcp_wmem tcp_max_orphans tcp_max_syn_backlog tcp_syncookies
	tcp_rfc1337 tcp_invalid_ratelimit tcp_challenge_ack_limit
	tcp_congestion_control tcp_available_congestion_control
	tcp_max_tw_buckets tcp_orphan_retries tcp_ecn tcp_ecn_fallback
	tcp_moderate_rcvbuf tcp_adv_win_scale
	tcp_min_rtt_wlen tcp_tso_rtt_log tcp_tso_win_divisor tcp_limit_output_bytes
	tcp_notsent_lowat tcp_recovery tcp_early_retrans tcp_frto tcp_reordering
	tcp_max_reordering tcp_comp_sack_delay_ns tcp_comp_sack_slack_ns
	tcp_comp_sack_nr tcp_slow_start_after_idle tcp_abort_on_overflow
	tcp_thin_linear_timeouts tcp_early_demux)

# Invalid writes: knob and value.
bad=("tcp_syn_retries 0" "tcp_syn_retries 128" "tcp_syn_retries abc"
	"tcp_synack_retries 256" "tcp_retries1 256" "tcp_retries2 -1"
	"tcp_fin_timeout abc" "tcp_fin_timeout 8589935"
	"tcp_keepalive_time 8589935" "tcp_keepalive_intvl x"
	"tcp_keepalive_probes 256" "tcp_sack 256" "tcp_dsack 256"
	"tcp_timestamps 300"
	"tcp_window_scaling -1" "tcp_syncookies 256" "tcp_rfc1337 256"
	"tcp_max_syn_backlog abc" "tcp_max_orphans 2147483648"
	"tcp_rmem 4095 131072 6291456" "tcp_wmem 0 16384 4194304"
	"tcp_invalid_ratelimit abc" "tcp_challenge_ack_limit 2147483648"
	"tcp_congestion_control nosuchcc"
	"tcp_max_tw_buckets abc" "tcp_max_tw_buckets 2147483648"
	"tcp_orphan_retries 256" "tcp_orphan_retries -1"
	"tcp_available_congestion_control reno"
	"tcp_ecn 3" "tcp_ecn -1" "tcp_ecn_fallback 2" "tcp_moderate_rcvbuf 256"
	"tcp_adv_win_scale 32" "tcp_adv_win_scale -32"
	"tcp_min_rtt_wlen -1" "tcp_min_rtt_wlen 86401" "tcp_tso_rtt_log 256"
	"tcp_tso_win_divisor 256" "tcp_tso_win_divisor -1"
	"tcp_limit_output_bytes abc" "tcp_limit_output_bytes 2147483648"
	"tcp_notsent_lowat -1" "tcp_notsent_lowat 4294967296"
	"tcp_notsent_lowat abc"
	"tcp_recovery 256" "tcp_recovery -1" "tcp_early_retrans 5"
	"tcp_early_retrans -1" "tcp_frto 256" "tcp_frto -1" "tcp_reordering 0"
	"tcp_reordering 301" "tcp_max_reordering 0" "tcp_max_reordering abc"
	"tcp_comp_sack_delay_ns -1" "tcp_comp_sack_delay_ns abc"
	"tcp_comp_sack_slack_ns -1" "tcp_comp_sack_nr 256" "tcp_comp_sack_nr -1"
	"tcp_slow_start_after_idle 256" "tcp_slow_start_after_idle -1"
	"tcp_abort_on_overflow 256" "tcp_abort_on_overflow -1"
	"tcp_thin_linear_timeouts 256" "tcp_thin_linear_timeouts -1"
	"tcp_early_demux 256" "tcp_early_demux -1")

# Valid writes, done in namespace A only.
good=("tcp_syn_retries 3" "tcp_synack_retries 2" "tcp_retries1 5"
	"tcp_retries2 8" "tcp_fin_timeout 30" "tcp_keepalive_time 600"
	"tcp_keepalive_intvl 10" "tcp_keepalive_probes 3" "tcp_sack 0"
	"tcp_dsack 0"
	"tcp_timestamps 0" "tcp_window_scaling 0" "tcp_syncookies 2"
	"tcp_rfc1337 1" "tcp_abort_on_overflow 1" "tcp_thin_linear_timeouts 1"
	"tcp_invalid_ratelimit 100" "tcp_challenge_ack_limit 50"
	"tcp_max_orphans 4096" "tcp_max_syn_backlog 256"
	"tcp_rmem 8192 65536 1048576" "tcp_wmem 8192 32768 1048576"
	"tcp_congestion_control reno"
	"tcp_max_tw_buckets 1000" "tcp_orphan_retries 3"
	"tcp_ecn 1" "tcp_ecn_fallback 0" "tcp_moderate_rcvbuf 0"
	"tcp_adv_win_scale 2"
	"tcp_min_rtt_wlen 86400" "tcp_tso_rtt_log 0" "tcp_tso_win_divisor 0" "tcp_limit_output_bytes 65536"
	"tcp_notsent_lowat 131072"
	"tcp_recovery 5" "tcp_early_retrans 0" "tcp_frto 0"
	# tcp_reordering's bound is its own namespace's tcp_max_reordering.
	"tcp_max_reordering 500" "tcp_reordering 400"
	"tcp_comp_sack_delay_ns 500000" "tcp_comp_sack_slack_ns 0"
	"tcp_comp_sack_nr 0" "tcp_slow_start_after_idle 0" "tcp_early_demux 0")

A=xtcp-sysctl-a
B=xtcp-sysctl-b
C=xtcp-sysctl-c
work=$(mktemp -d /tmp/xtcp-sysctl.XXXXXX)
cleanup() { ip netns del $A; ip netns del $B; ip netns del $C; rm -rf "$work"; } 2>/dev/null
trap cleanup EXIT
cleanup
mkdir -p "$work"

# sysop OP FILE [VALUE]: sets R to the reply to one request, made in the
# network namespace of the shell that runs it, with builtins only:
#   get: FILE's first line, whitespace folded ("cat: FILE: No such file
#        or directory" when there is no FILE)
#   put: "" once VALUE and a newline are written to FILE in one write(),
#        else the error's text
#   has: "yes" or "no", whether FILE exists
# ERRF names a scratch file for put's error message.
sysop()
{
	local w e
	case $1 in
	get)
		if [ -e "$2" ]; then
			read -r -a w <"$2"
			R=${w[*]}
		else
			R="cat: $2: No such file or directory"
		fi
		;;
	put)
		if { printf '%s\n' "$3" >"$2"; } 2>"$ERRF"; then
			R=
		else
			read -r e <"$ERRF"
			R=${e##*: }
		fi
		;;
	has) if [ -e "$2" ]; then R=yes; else R=no; fi ;;
	esac
}

# Each namespace of the test gets one shell, started in it with nsenter
# (which enters only the network namespace, all /proc/sys/net follows),
# that answers sysop requests, one line each way through two FIFOs.  This
# test makes about 500 reads and writes; two processes started for each
# (nsenter, then cat or bash, read over 9p) cost 77 s on a quiet host and
# 436 s on a loaded CI one; a shell's builtins cost next to nothing.  The
# initial namespace's requests are made by this shell itself.
declare -A to_ns from_ns
ns_shell()
{
	local ns=$1 fdw fdr
	mkfifo "$work/$ns.in" "$work/$ns.out" || return 1
	ERRF="$work/$ns.err" nsenter --net="/run/netns/$ns" bash -c \
		"$(declare -f sysop)"'; while read -r op f v; do sysop "$op" "$f" "$v"; printf "%s\n" "$R"; done' \
		<"$work/$ns.in" >"$work/$ns.out" &
	exec {fdw}>"$work/$ns.in" {fdr}<"$work/$ns.out"
	to_ns[$ns]=$fdw from_ns[$ns]=$fdr
}
# req NS OP FILE [VALUE]: sysop in namespace NS ("" = the initial one).
ERRF=$work/init.err
req()
{
	local ns=$1
	shift
	if [ -z "$ns" ]; then
		sysop "$@"
	else
		printf '%s %s %s\n' "$1" "$2" "${3:-}" >&"${to_ns[$ns]}"
		read -r R <&"${from_ns[$ns]}"
	fi
}
ip netns add $A && ns_shell $A
ip netns add $B && ns_shell $B

# get NS DIR KNOB: prints the value, whitespace folded.
get() { req "$1" get "/proc/sys/net/$2/$3"; echo "$R"; }
# put NS DIR KNOB VALUE: prints "" on success, else the error text.
put() { req "$1" put "/proc/sys/net/$2/$3" "$4"; [ -z "$R" ] || echo "$R"; }
# getv VAR NS DIR KNOB, putv VAR NS DIR KNOB VALUE: the same into VAR.
getv() { req "$2" get "/proc/sys/net/$3/$4"; printf -v "$1" '%s' "$R"; }
putv() { req "$2" put "/proc/sys/net/$3/$4" "$5"; printf -v "$1" '%s' "$R"; }

tap_plan $((${#knobs[@]} * 3 + ${#bad[@]} + ${#good[@]} * 2 + 4 + 5 + 5 + 4))

# The loops below take their values with getv and putv, not $(get ...):
# a subshell per request would be a fork each.
for k in "${knobs[@]}"; do
	# Linux shows tcp_max_orphans in the initial namespace only.
	native_ns=$A
	[ "$k" = tcp_max_orphans ] && native_ns=
	getv native "$native_ns" ipv4 "$k"
	getv x_init "" xtcp "$k"
	getv x_a $A xtcp "$k"
	getv x_b $B xtcp "$k"
	tap_eq "$k: initial namespace default equals net.ipv4" "$native" "$x_init"
	tap_eq "$k: new namespace default equals net.ipv4" "$native" "$x_a"
	tap_check "$k: exists in a second new namespace" test -e "/proc/sys/net/xtcp/$k" -a -n "$x_b"
done

for entry in "${bad[@]}"; do
	k=${entry%% *} v=${entry#* }
	ns=$A
	[ "$k" = tcp_max_orphans ] && ns=
	getv before "$ns" xtcp "$k"
	putv e_native "$ns" ipv4 "$k" "$v"
	putv e_xtcp "$ns" xtcp "$k" "$v"
	getv after "$ns" xtcp "$k"
	if [ -n "$e_xtcp" ] && [ "$e_xtcp" = "$e_native" ] && [ "$before" = "$after" ]; then
		tap_ok "$k rejects '$v' like net.ipv4 ($e_xtcp)"
	else
		tap_fail "$k rejects '$v' like net.ipv4" "xtcp '$e_xtcp' native '$e_native' value '$before' -> '$after'"
	fi
done

for entry in "${good[@]}"; do
	k=${entry%% *} v=${entry#* }
	getv def_b $B xtcp "$k"
	getv def_root "" xtcp "$k"
	putv err $A xtcp "$k" "$v"
	[ -n "$err" ] || getv err $A xtcp "$k"
	tap_eq "$k accepts '$v' and reads it back" "$v" "$err"
	getv now_b $B xtcp "$k"
	getv now_root "" xtcp "$k"
	if [ "$now_b" = "$def_b" ] && [ "$now_root" = "$def_root" ]; then
		tap_ok "$k change stays in its namespace"
	else
		tap_fail "$k change stays in its namespace" "B '$now_b' root '$now_root'"
	fi
done

# New namespaces take the initial namespace's congestion control and
# buffer sizes at creation, as native ones do (tcp_sk_init()).
put "" xtcp tcp_congestion_control reno >/dev/null
put "" xtcp tcp_rmem "8192 100000 2000000" >/dev/null
ip netns add $C && ns_shell $C
tap_eq "new namespace inherits initial tcp_congestion_control" reno "$(get $C xtcp tcp_congestion_control)"
tap_eq "new namespace inherits initial tcp_rmem" "8192 100000 2000000" "$(get $C xtcp tcp_rmem)"
tap_eq "existing namespace keeps its own tcp_congestion_control" cubic "$(get $B xtcp tcp_congestion_control)"
put "" xtcp tcp_congestion_control cubic >/dev/null
put "" xtcp tcp_rmem "$(get $B xtcp tcp_rmem)" >/dev/null
tap_eq "initial namespace restored" cubic "$(get "" xtcp tcp_congestion_control)"

# tcp_allowed_congestion_control is global, shown in every namespace
# and writable in the initial one only, for both; its default is
# native's ("reno cubic"); with only cubic allowed, another namespace
# may not make reno its default (EPERM,
# tcp_set_default_congestion_control()).  The list is put back.
hasa() { req "$1" has "/proc/sys/net/$2/tcp_allowed_congestion_control"; echo "$R"; }
tap_eq "tcp_allowed_congestion_control: where net.ipv4's is (initial namespace and a new one)" \
	"$(hasa "" ipv4) $(hasa $A ipv4)" "$(hasa "" xtcp) $(hasa $A xtcp)"
e_native=$(put $A ipv4 tcp_allowed_congestion_control reno)
e_xtcp=$(put $A xtcp tcp_allowed_congestion_control reno)
tap_eq "tcp_allowed_congestion_control: a write outside the initial namespace refused as net.ipv4's (${e_native:-accepted})" \
	"$e_native" "$e_xtcp"
allowed_n=$(get "" ipv4 tcp_allowed_congestion_control)
tap_eq "tcp_allowed_congestion_control: default as native's ($allowed_n)" \
	"$allowed_n" "$(get "" xtcp tcp_allowed_congestion_control)"
put "" ipv4 tcp_allowed_congestion_control cubic >/dev/null
put "" xtcp tcp_allowed_congestion_control cubic >/dev/null
e_native=$(put $A ipv4 tcp_congestion_control reno)
e_xtcp=$(put $A xtcp tcp_congestion_control reno)
tap_eq "a namespace's default must be allowed: reno refused as net.ipv4's (${e_native:-accepted})" \
	"$e_native" "$e_xtcp"
put "" ipv4 tcp_allowed_congestion_control "$allowed_n" >/dev/null
put "" xtcp tcp_allowed_congestion_control "$allowed_n" >/dev/null
tap_eq "tcp_allowed_congestion_control put back" "$allowed_n" \
	"$(get "" xtcp tcp_allowed_congestion_control)"

# tcp_mem is global and lives in the initial namespace only, for both
# (Linux's ipv4_table).  Its default is computed from the pages free for
# buffers, by native at boot and by xtcp at load, when fewer may be free:
# the formula's ratios (tcp_init_mem()) must hold exactly, the size
# loosely (within a factor of 2).
has() { req "$1" has "/proc/sys/net/$2/tcp_mem"; echo "$R"; }
tap_eq "tcp_mem: in the initial namespace, as net.ipv4's" "$(has "" ipv4)" "$(has "" xtcp)"
tap_eq "tcp_mem: not in new namespaces, as net.ipv4's" "$(has $A ipv4)" "$(has $A xtcp)"
read -r n0 n1 n2 <<<"$(get "" ipv4 tcp_mem)"
read -r x0 x1 x2 <<<"$(get "" xtcp tcp_mem)"
if [ "$x0" = $((x1 / 4 * 3)) ] && [ "$x2" = $((x0 * 2)) ] &&
	[ "$n0" = $((n1 / 4 * 3)) ] && [ "$n2" = $((n0 * 2)) ] &&
	[ $((x1 * 2)) -ge "$n1" ] && [ "$x1" -le $((n1 * 2)) ]; then
	tap_ok "tcp_mem: default computed as tcp_init_mem() ($x0 $x1 $x2, native $n0 $n1 $n2)"
else
	tap_fail "tcp_mem: default computed as tcp_init_mem()" "xtcp '$x0 $x1 $x2' native '$n0 $n1 $n2'"
fi
before=$(get "" xtcp tcp_mem)
e_native=$(put "" ipv4 tcp_mem "abc")
e_xtcp=$(put "" xtcp tcp_mem "abc")
if [ -n "$e_xtcp" ] && [ "$e_xtcp" = "$e_native" ] && [ "$before" = "$(get "" xtcp tcp_mem)" ]; then
	tap_ok "tcp_mem rejects 'abc' like net.ipv4 ($e_xtcp)"
else
	tap_fail "tcp_mem rejects 'abc' like net.ipv4" "xtcp '$e_xtcp' native '$e_native'"
fi
err=$(put "" xtcp tcp_mem "1000 2000 3000")
tap_eq "tcp_mem accepts '1000 2000 3000' and reads it back" "1000 2000 3000" "${err:-$(get "" xtcp tcp_mem)}"
put "" xtcp tcp_mem "$before" >/dev/null

# xtcp's own knob, without a net.ipv4 twin: tcp_cubic_hystart (HyStart++,
# RFC 9406) is 1 in every namespace, a u8 as tcp_slow_start_after_idle
# (256 refused, its value kept), and a change stays in its namespace.
tap_eq "tcp_cubic_hystart: 1 in the initial and a new namespace" "1 1" \
	"$(get "" xtcp tcp_cubic_hystart) $(get $A xtcp tcp_cubic_hystart)"
e_ref=$(put $A xtcp tcp_slow_start_after_idle 256)
e_x=$(put $A xtcp tcp_cubic_hystart 256)
tap_eq "tcp_cubic_hystart: 256 refused as tcp_slow_start_after_idle's (${e_ref:-accepted}), value kept" \
	"$e_ref 1" "$e_x $(get $A xtcp tcp_cubic_hystart)"
tap_eq "tcp_cubic_hystart: 0 accepted" "" "$(put $A xtcp tcp_cubic_hystart 0)"
tap_eq "tcp_cubic_hystart: the change stays in its namespace" "0 1 1" \
	"$(get $A xtcp tcp_cubic_hystart) $(get $B xtcp tcp_cubic_hystart) $(get "" xtcp tcp_cubic_hystart)"

tap_done
