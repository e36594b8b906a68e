#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test (no VM) of check_wire (selftests/lib/interop_wire.sh), the
# wire check of each interop case, on captures written as tcpdump -nn -S
# -tt writes them.  A clean close passes; a RST before both FINs are ACKed
# fails; a RST after both FINs are ACKed, answering a segment that reached
# the closed socket late, passes and is counted.  The late case is the
# failure seen in session 27 (a native server, closed, answered a client
# ACK and two client data segments that the veth delivered after the
# close); its lines are those of that capture.  Prints TAP; exits non-zero
# if any case fails.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/interop_wire.sh"

n=0 bad=0
cap=$(mktemp)
trap 'rm -f "$cap"' EXIT

# check NAME EXPECTED_STATUS EXPECTED_OUTPUT: check_wire on $cap.
check()
{
	local out st
	out=$(check_wire "$cap" 10.77.0.2 5001)
	st=$?
	n=$((n + 1))
	if [ "$st" = "$2" ] && [ "$out" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: got status $st '$out', expected $2 '$3'"
		bad=$((bad + 1))
	fi
}

C=10.77.0.1.40000 S=10.77.0.2.5001
handshake()
{
	cat <<-END
	1.000 IP $C > $S: Flags [SEW], seq 100, win 64240, options [mss 1460,sackOK,nop,nop,nop,wscale 7], length 0
	1.001 IP $S > $C: Flags [S.E], seq 2764304170, ack 101, win 65160, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0
	1.002 IP $C > $S: Flags [.], ack 2764304171, win 502, length 0
	END
}
# The close of that capture: the client's FIN, the server's FIN, the
# client's ACK of it, the server's FIN again (its ACK was still on the
# way) and the client's ACK of the copy.
close_seen()
{
	cat <<-END
	9.860 IP $C > $S: Flags [F.], seq 4194405, ack 2768498474, win 502, length 0
	9.870 IP $S > $C: Flags [F.], seq 2768498474, ack 4194406, win 501, length 0
	9.876862 IP $C > $S: Flags [.], ack 2768498475, win 502, length 0
	9.886311 IP $S > $C: Flags [F.], seq 2768498474, ack 4194406, win 501, length 0
	9.886841 IP $C > $S: Flags [.], ack 2768498475, win 502, length 0
	END
}

echo "1..5"
{ handshake; close_seen; } >"$cap"
check "a clean close passes" 0 ""

{ handshake; close_seen; cat <<-END
	9.897899 IP $S > $C: Flags [R], seq 2768495882, win 0, length 0
	9.898018 IP $S > $C: Flags [R], seq 2768498474, win 0, length 0
	9.898029 IP $S > $C: Flags [R], seq 2768498475, win 0, length 0
	END
} >"$cap"
check "session 27: three RSTs of the closed server answering late segments pass, counted" 0 3

{ handshake; close_seen | head -2; cat <<-END
	9.871 IP $S > $C: Flags [R], seq 2768498475, win 0, length 0
	END
	close_seen | tail -3
} >"$cap"
check "a RST before the server's FIN is ACKed fails" 1 "1-RST"

{ handshake; close_seen | head -1; cat <<-END
	9.865 IP $C > $S: Flags [R.], seq 4194406, ack 2768498474, win 0, length 0
	END
	close_seen | tail -4
} >"$cap"
check "a client RST after its own FIN, before the server's, fails" 1 "1-RST"

{ handshake; close_seen; cat <<-END
	9.9 IP $S > $C: Flags [R], seq 2768599999, win 0, length 0
	END
} >"$cap"
check "a late RST beyond the sender's FIN fails" 1 "1-RST"

[ $bad -eq 0 ]
