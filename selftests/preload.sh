#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# preload: unmodified programs run over xtcp with scripts/xtcp-run
# (build/libxtcp-preload.so).  First the library alone: AF_INET stream
# sockets become AF_XTCP ones (SO_DOMAIN says so) and nothing else
# changes; XTCP_DEBUG=1 logs each conversion; with the family unavailable
# socket() fails with EAFNOSUPPORT instead of falling back to native TCP.
# Then real programs over a veth pair (10.77.4.1/24 clients <->
# 10.77.4.2/24 servers): curl under xtcp-run fetches 4 MiB of random data
# from a native "python3 -m http.server", and native curl fetches it from
# an http.server under xtcp-run; the bytes must be identical.  So that
# native TCP alone cannot pass, the xtcp side is checked in
# /proc/net/xtcp: curl's connection is seen ESTABLISHED (01) there while
# it runs (netem limits the server's side to 8 Mbit/s for that fetch, so
# it lasts about 4 s; curl 7.88's --limit-rate does not hold back a fast
# local transfer), and the server's listening socket is there in state 0A
# and absent from /proc/net/tcp.
# Native curl from native http.server is the reference.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/procs.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
run=$root/scripts/xtcp-run
A=xtcp-preload-a	# clients
B=xtcp-preload-b	# servers
SIZE=$((4 * 1024 * 1024))
work=$(mktemp -d /tmp/xtcp-preload.XXXXXX)
pids=()

trap procs_cleanup EXIT

fam=$(cat /sys/module/xtcp/parameters/family 2>/dev/null || echo 12)

# hexport N: the port as /proc/net/tcp prints it.
hexport() { printf '%04X' "$1"; }

# http_server NAME PORT [WRAPPER]: start http.server in B serving $work/www;
# wait (up to 30 s, scaled by XTCP_SLOW) until it says it serves, or it
# exits.
http_server()
{
	local name=$1 port=$2 i
	shift 2
	ip netns exec $B "$@" python3 -u -m http.server --bind 10.77.4.2 \
		--directory "$work/www" "$port" >"$work/$name.log" 2>&1 &
	srv_pid=$!
	pids+=("$srv_pid")
	nlim=$(($(slow 300)))
	for ((i = 0; i < nlim; i++)); do
		grep -q "^Serving HTTP" "$work/$name.log" && return 0
		pid_alive $srv_pid || break
		sleep 0.1
	done
	return 1
}

# fetch NAME PORT [WRAPPER...]: curl from A; ok if the file arrived intact.
fetch()
{
	local name=$1 port=$2
	shift 2
	ip netns exec $A timeout -k 5 "$(slow 120)" "$@" curl -sS --max-time "$(slow 100)" \
		-o "$work/$name.out" "http://10.77.4.2:$port/data.bin" 2>"$work/$name.curl" &&
		cmp -s "$work/www/data.bin" "$work/$name.out"
}

tap_plan 10
ip netns del $A 2>/dev/null
ip netns del $B 2>/dev/null
mkdir -p "$work/www"
head -c $SIZE /dev/urandom >"$work/www/data.bin"
if ! { ip netns add $A && ip netns add $B &&
	ip link add xpl-a netns $A type veth peer name xpl-b netns $B &&
	ip -n $A addr add 10.77.4.1/24 dev xpl-a &&
	ip -n $B addr add 10.77.4.2/24 dev xpl-b &&
	ip -n $A link set xpl-a up && ip -n $B link set xpl-b up; }; then
	for i in $(seq 10); do tap_fail "set up namespaces and veth"; done
	exit 1
fi

# -- the library alone
probe='
import errno, socket as s
def dom(*a):
    try:
        return str(s.socket(*a).getsockopt(s.SOL_SOCKET, s.SO_DOMAIN))
    except OSError as e:
        return errno.errorcode[e.errno]
print(dom(s.AF_INET, s.SOCK_STREAM), dom(s.AF_INET, s.SOCK_STREAM, s.IPPROTO_TCP),
      dom(s.AF_INET, s.SOCK_STREAM | s.SOCK_NONBLOCK),
      dom(s.AF_INET, s.SOCK_DGRAM), dom(s.AF_INET6, s.SOCK_STREAM),
      dom(s.AF_INET, s.SOCK_RAW, s.IPPROTO_TCP))
'
got=$("$run" python3 -c "$probe" 2>"$work/probe.err")
tap_eq "library: AF_INET stream sockets become family $fam, UDP, IPv6 and raw untouched" \
	"$fam $fam $fam 2 10 2" "$got"

XTCP_DEBUG=1 "$run" python3 -c 'import socket; socket.socket(); socket.socket(type=socket.SOCK_DGRAM)' \
	2>"$work/debug.err"
logged=$(grep -c "^xtcp-preload: socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) -> socket($fam) = [0-9]" "$work/debug.err")
if [ "$logged" = 1 ] && [ "$(wc -l <"$work/debug.err")" = 1 ] && [ ! -s "$work/probe.err" ]; then
	tap_ok "library: XTCP_DEBUG=1 logs the one conversion, silent without it"
else
	tap_fail "library: XTCP_DEBUG=1 logs the one conversion, silent without it" \
		"with: '$(tr '\n' ' ' <"$work/debug.err")' without: '$(tr '\n' ' ' <"$work/probe.err")'"
fi

# SO_REUSEPORT, which Linux 6.1 refuses to non-inet families, reaches
# xtcp through the wrapper: two listeners share a port, as natively.
reuse='
import socket as s
out = []
for i in range(2):
    x = s.socket()
    x.setsockopt(s.SOL_SOCKET, s.SO_REUSEPORT, 1)
    x.bind(("127.0.0.1", 7311))
    x.listen()
    out += [str(x.getsockopt(s.SOL_SOCKET, s.SO_DOMAIN)),
            str(x.getsockopt(s.SOL_SOCKET, s.SO_REUSEPORT))]
print(" ".join(out))
'
native=$(python3 -c "$reuse" 2>&1)
got=$("$run" python3 -c "$reuse" 2>&1)
tap_eq "library: SO_REUSEPORT lets two listeners share a port, as natively ($native)" \
	"$fam 1 $fam 1" "$got"

# Family 13 (AF_NETBEUI, which nothing implements) stands in for an
# unloaded module: the parameter file is covered in a private mount
# namespace.
echo 13 >"$work/fam13"
got=$(XTCP_DEBUG=1 unshare -m bash -c 'mount --bind "$1" /sys/module/xtcp/parameters/family &&
	exec "$2" python3 -c "
import errno, socket
try:
    socket.socket(); print(\"created\")
except OSError as e:
    print(errno.errorcode[e.errno])"' _ "$work/fam13" "$run" 2>"$work/nofallback.err")
if [ "$got" = EAFNOSUPPORT ] && grep -q "^xtcp-preload: warning: socket(13)" "$work/nofallback.err"; then
	tap_ok "library: family unavailable -> EAFNOSUPPORT and a warning, no fallback"
else
	tap_fail "library: family unavailable -> EAFNOSUPPORT and a warning, no fallback" \
		"got '$got', stderr '$(tr '\n' ' ' <"$work/nofallback.err")'"
fi

# -- reference: native curl, native server
if http_server native-ref 8080 && fetch ref 8080; then
	tap_ok "reference: native curl fetches 4 MiB from native http.server intact"
else
	tap_fail "reference: native curl fetches 4 MiB from native http.server intact" \
		"$(cat "$work/native-ref.log" "$work/ref.curl" 2>/dev/null | tr '\n' ' ')"
fi
wait_exit $srv_pid 0

# -- xtcp curl, native server
ok=
if http_server native 8081; then
	ip netns exec $B tc qdisc add dev xpl-b root netem rate 8mbit
	ip netns exec $A bash -c 'while :; do echo sample; cat /proc/net/xtcp; sleep 0.1; done' \
		>"$work/samples" 2>&1 &
	sampler=$!
	pids+=("$sampler")
	XTCP_DEBUG=1 fetch xcurl 8081 "$run" && ok=1
	wait_exit $sampler 0
	ip netns exec $B tc qdisc del dev xpl-b root
fi
if [ -n "$ok" ]; then
	tap_ok "xtcp curl fetches 4 MiB from native http.server intact"
else
	tap_fail "xtcp curl fetches 4 MiB from native http.server intact" \
		"$(cat "$work/native.log" "$work/xcurl.curl" 2>/dev/null | tail -n 5 | tr '\n' ' ')"
fi
if awk -v p=":$(hexport 8081)" '$3 ~ p"$" && $4 == "01"' "$work/samples" 2>/dev/null | grep -q . &&
	grep -q "^xtcp-preload: socket(AF_INET, .*) -> socket($fam) = " "$work/xcurl.curl"; then
	tap_ok "xtcp curl's connection was an xtcp socket (ESTABLISHED in /proc/net/xtcp)"
else
	tap_fail "xtcp curl's connection was an xtcp socket (ESTABLISHED in /proc/net/xtcp)" \
		"no 01 entry to port 8081 in $(grep -c '^sample' "$work/samples" 2>/dev/null) samples; curl stderr: $(head -n 3 "$work/xcurl.curl" | tr '\n' ' ')"
fi
wait_exit $srv_pid 0

# -- native curl, xtcp server
if http_server xtcp 8082 "$run"; then
	listen=$(ip netns exec $B awk -v p=":$(hexport 8082)" '$2 ~ p"$" { print $4 }' /proc/net/xtcp | tr '\n' ' ')
	native=$(ip netns exec $B awk -v p=":$(hexport 8082)" '$2 ~ p"$" && $4 == "0A"' /proc/net/tcp)
	if [ "$listen" = "0A " ] && [ -z "$native" ]; then
		tap_ok "xtcp http.server listens on an xtcp socket (0A in /proc/net/xtcp, not in /proc/net/tcp)"
	else
		tap_fail "xtcp http.server listens on an xtcp socket (0A in /proc/net/xtcp, not in /proc/net/tcp)" \
			"/proc/net/xtcp states '$listen', /proc/net/tcp listener '$native'"
	fi
	if fetch ncurl 8082; then
		tap_ok "native curl fetches 4 MiB from xtcp http.server intact"
	else
		tap_fail "native curl fetches 4 MiB from xtcp http.server intact" \
			"$(cat "$work/xtcp.log" "$work/ncurl.curl" 2>/dev/null | tail -n 5 | tr '\n' ' ')"
	fi
else
	why="server did not start: $(tail -n 3 "$work/xtcp.log" | tr '\n' ' ')"
	tap_fail "xtcp http.server listens on an xtcp socket (0A in /proc/net/xtcp, not in /proc/net/tcp)" "$why"
	tap_fail "native curl fetches 4 MiB from xtcp http.server intact" "$why"
fi
wait_exit $srv_pid 0

# Everything the xtcp programs opened is closed again (TIME_WAIT aside).
left=$(ip netns exec $A cat /proc/net/xtcp; ip netns exec $B cat /proc/net/xtcp)
left=$(awk 'NR > 1 && $1 != "sl" && $4 != "06"' <<<"$left")
tap_eq "no xtcp sockets left but TIME_WAIT" "" "$left"

tap_done
