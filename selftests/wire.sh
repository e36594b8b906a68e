#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# wire: segment-level behaviour of a listener, driven by scapy from a peer
# namespace (selftests/wire_test.py, one python process, which prints the
# TAP).  Namespace X holds two "xtcp_xfer sink" listeners on 10.77.5.1, a
# native one (the reference, port 7001) and an xtcp one (port 7002); the
# peer namespace P (10.77.5.2, veth) runs scapy, which speaks as
# 10.77.5.3: P's kernel does not own that address and, with forwarding
# off, drops what X sends to it without answering (no RSTs, no ICMP), so
# no firewall is needed.  X reaches 10.77.5.3 through a permanent
# neighbour entry pointing at P's veth.  Cases: bad checksums, data before
# the handshake, out-of-window data, RSTs outside, inside and exactly at
# the window edge, a new FIN behind old or partly old data, an ACK far
# below SND.UNA (RFC 5961 s.5), ACKs of unsent data, the rate limits of
# dupacks and challenge ACKs; each asserts the replies on the wire and
# what the sink's reader got.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
xfer=$root/build/selftests/xtcp_xfer
X=xtcp-wire-x
P=xtcp-wire-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start wire

t0=${EPOCHREALTIME/./}
if ! { netns_pair $X xwi-x 10.77.5.1 $P xwi-p 10.77.5.2 &&
	netns_scapy_peer $X xwi-x $P xwi-p 10.77.5.3; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

sinks=()
for spec in inet:7001 xtcp:7002; do
	fam=${spec%:*} port=${spec#*:}
	mkdir -p "$work/$fam"
	# -t 20: a connection a case leaves open ends by itself.
	ip netns exec $X "$xfer" sink -f "$fam" -l "10.77.5.1:$port" -o "$work/$fam" -n 0 -t "$(slow 20)" \
		>"$work/$fam.log" 2>&1 &
	pids+=($!)
	sinks+=(--sink "$fam:$port:$work/$fam:$work/$fam.log")
done
# Wait for both (bounded); one that fails to listen is reported by python.
for _ in $(seq "$(slow 100)"); do
	[ "$(cat "$work"/*.log | grep -c '^listening ')" = 2 ] && break
	sleep 0.1
done

echo "# namespaces and sinks set up in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
timeout -k 5 "$(slow 600)" ip netns exec $P python3 "$root/selftests/wire_test.py" \
	--iface xwi-p --src 10.77.5.3 --dst 10.77.5.1 --dst-mac "$xmac" "${sinks[@]}"
