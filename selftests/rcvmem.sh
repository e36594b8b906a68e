#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rcvmem: what a remote peer can make a receiver pin (issue 6 item 7).
# Driven by scapy from a peer namespace (selftests/rcvmem_test.py, which
# prints the TAP), against native TCP (the reference) and xtcp in the same
# VM: thousands of 1-byte out-of-order segments on a child nobody accepted
# and on an accepted connection that does not read; SO_RCVBUF after one
# segment; byte-exact delivery once the holes are filled; and tcp_mem
# hard limits.  Set-up as selftests/wire.sh: namespace X holds the
# receivers (selftests/rcvmem_peer) on 10.77.6.1, scapy in P speaks as
# 10.77.6.3, an address nobody owns, so P's kernel never answers.
# Measured with the host loaded (load 6-8): 226 s, of it 30 s of attacks
# per family and 90 s of tcp_mem cases.  It took 616 s there while the
# sniffer dissected the duplicate ACK of every attacking segment (now
# dropped in the kernel, Wire.only_flags()), and fell so far behind that
# native's filling data seemed never ACKed.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/netns.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/selftests/rcvmem_peer
X=xtcp-rcvmem-x
P=xtcp-rcvmem-p
netns=($X $P)
. "$(dirname "$0")/lib/procs.sh"
procs_start rcvmem

if ! { netns_pair $X xrm-x 10.77.6.1 $P xrm-p 10.77.6.2 &&
	netns_scapy_peer $X xrm-x $P xrm-p 10.77.6.3; }; then
	tap_plan 1
	tap_fail "set up namespaces, veth and neighbour entry"
	exit 1
fi

args=()
for spec in inet:noaccept:7001 inet:noread:7002 xtcp:noaccept:7003 xtcp:noread:7004; do
	IFS=: read -r fam mode port <<<"$spec"
	d=$work/$fam-$mode
	mkdir -p "$d"
	ip netns exec $X "$peer" -f "$fam" -m "$mode" -l "10.77.6.1:$port" -d "$d" -t "$(slow 600)" \
		>"$d.log" 2>&1 &
	pids+=($!)
	args+=(--peer "$fam:$mode:$port:$d:$d.log")
done

timeout -k 5 "$(slow 800)" ip netns exec $P python3 "$root/selftests/rcvmem_test.py" \
	--rx-ns $X --iface xrm-p --src 10.77.6.3 --dst 10.77.6.1 --dst-mac "$xmac" "${args[@]}"
