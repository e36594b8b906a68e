# SPDX-License-Identifier: GPL-2.0
#
# check_wire, the wire check of one interop case (selftests/interop.sh),
# in a file of its own so that a host test (selftests/host/test_interop_wire.sh)
# can feed it captures.  Sourced; needs only awk.

# check_wire TEXT SERVER_IP SERVER_PORT [ALL_ON_CLIENT [OFF_OPTION OFF_SIDE]]:
# print what is missing from the capture of one case as tcpdump -nn -S -tt
# wrote it to file TEXT; exit 0 if nothing is.  Sequence
# numbers are compared modulo 2^32.  ALL_ON_CLIENT 1: the SYN must offer
# every option but one turned off on the client; OFF_OPTION: the SYN
# (OFF_SIDE client) or the SYN-ACK (server) must not offer it.
check_wire()
{
	awk -v srv="$2.$3" -v all="${4:-0}" \
		-v off="${5:-}" -v side="${6:-}" '
	function ge(a, b,  d) { d = (a - b) % 4294967296; if (d < 0) d += 4294967296; return d < 2147483648 }
	# offers(LINE, FLAGS, OPTION): tcpdump shows OPTION on this SYN or SYN-ACK
	function offers(line, f, o) {
		if (o == "timestamps") return line ~ /TS val/
		if (o == "window_scaling") return line ~ /wscale/
		if (o == "sack") return line ~ /sackOK/
		if (o == "ecn") return f ~ /^S\./ ? f ~ /E/ : f ~ /E/ && f ~ /W/
		return 0
	}
	function num(s) { sub(/[,:].*/, "", s); return s + 0 }
	function next1(x) { return (x + 1) % 4294967296 }
	{
		src = $3; dst = $5; sub(/:$/, "", dst)
		fl = ""; seq = ""; seqend = ""; ack = ""; mss = 0
		for (i = 6; i <= NF; i++) {
			if ($i == "Flags") { fl = $(i + 1); gsub(/[][,]/, "", fl) }
			if ($i == "seq") { seq = num($(i + 1)); seqend = $(i + 1); sub(/,$/, "", seqend); sub(/^[0-9]+:/, "", seqend); seqend += 0 }
			if ($i == "ack") ack = num($(i + 1))
			if ($i ~ /mss$/ || $i ~ /\[mss$/) mss = 1
		}
		# A RST once both FINs are ACKed answers a segment that reached
		# a socket already closed: sent before the close (its ACK number
		# is old), held back on the backlog of the other vCPU
		# while the rest of the connection finished (seen under TCG: a
		# client data segment acking 2592 bytes short of the end arrived
		# after the server had gone).  Legal for any stack and harmless
		# to the data (checked byte for byte apart); counted and printed.
		# Its seq is the ACK number of the segment answered, so it lies
		# within what its sender sent; a RST any earlier fails the case.
		if (fl ~ /R/) {
			if (fin_c_acked && fin_s_acked &&
			    ((src == srv && ge(next1(fin_s_seq), seq)) ||
			     (src == cli && ge(next1(fin_c_seq), seq))))
				late++
			else
				rst++
		}
		# tcpdump writes SYN+ECE+CWR as "SEW", SYN-ACK+ECE as "S.E"
		if (!cli && dst == srv && fl ~ /^S[EW]*$/) {
			cli = src; isn_c = seq; syn_mss = mss; syn = $0; syn_fl = fl; next
		}
		if (!cli) next
		if (!have_sa && src == srv && dst == cli && fl ~ /^S\.E?$/ && ack == next1(isn_c)) {
			have_sa = 1; isn_s = seq; sa_mss = mss; sa = $0; sa_fl = fl; next
		}
		if (have_sa && !have_ack && src == cli && fl !~ /S/) {
			have_ack = (ack == next1(isn_s) && (seq == "" || seq == next1(isn_c))) ? 1 : -1
		}
		if (src == cli && fl ~ /F/ && !fin_c) { fin_c = 1; fin_c_seq = seqend }
		if (src == srv && fl ~ /F/ && !fin_s) { fin_s = 1; fin_s_seq = seqend }
		if (fin_c && src == srv && ack != "" && ge(ack, next1(fin_c_seq))) fin_c_acked = 1
		if (fin_s && src == cli && ack != "" && ge(ack, next1(fin_s_seq))) fin_s_acked = 1
	}
	END {
		bad = ""
		if (!cli) bad = bad " no-SYN"
		else if (!syn_mss) bad = bad " SYN-without-MSS"
		if (!have_sa) bad = bad " no-SYN-ACK"
		else if (!sa_mss) bad = bad " SYN-ACK-without-MSS"
		if (cli && all == 1) {
			split("timestamps window_scaling sack ecn", o, " ")
			for (i = 1; i <= 4; i++)
				if (!(o[i] == off && side == "client") && !offers(syn, syn_fl, o[i]))
					bad = bad " SYN-without-" o[i]
		}
		if (off != "" && side == "client" && cli && offers(syn, syn_fl, off))
			bad = bad " SYN-offers-" off
		if (off != "" && side == "server" && have_sa && offers(sa, sa_fl, off))
			bad = bad " SYN-ACK-offers-" off
		if (have_ack != 1) bad = bad (have_ack ? " third-ACK-wrong" : " no-third-ACK")
		if (!fin_c) bad = bad " no-client-FIN"
		else if (!fin_c_acked) bad = bad " client-FIN-not-ACKed"
		if (!fin_s) bad = bad " no-server-FIN"
		else if (!fin_s_acked) bad = bad " server-FIN-not-ACKed"
		if (rst) bad = bad " " rst "-RST"
		if (bad != "") { print substr(bad, 2); exit 1 }
		if (late) print late
	}' "$1"
}
