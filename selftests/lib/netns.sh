# SPDX-License-Identifier: GPL-2.0
#
# Namespace set-ups shared by VM tests:
#   . selftests/lib/netns.sh
#   netns_add NS
#       creates namespace NS with native TCP's metrics cache off (below)
#   netns_fresh NS
#       (re)creates namespace NS with lo up
#   netns_pair NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B
#       (re)creates namespaces NS_A and NS_B joined by a veth pair
#       DEV_A <-> DEV_B, ADDR_A/24 on DEV_A and ADDR_B/24 on DEV_B, both
#       up (not lo)
#   netns_netem_pair NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B NETEM...
#       netns_pair, then TSO and GSO off and gso_max_segs 1 on both ends,
#       and netem with the words NETEM... as both ends' root qdisc.  A TCP
#       socket (native, and xtcp alike: xtcp_setup_caps()) builds GSO
#       skbs of up to sk_gso_max_segs segments whatever the device
#       offers, and the GSO layer cuts them only after the qdisc, so
#       without gso_max_segs 1 netem would drop, delay, duplicate and
#       reorder whole skbs of several segments, their number a stack's
#       own choice (tcp_tso_autosize()): single segments for both stacks
#       make the paths the same.
#   netns_routed NS_A DEV_A NET_A NS_R DEV_RA DEV_RB NS_B DEV_B NET_B
#       (re)creates namespaces NS_A, NS_R and NS_B, NS_R a router between
#       the two others: NS_A's DEV_A (NET_A.1/24) to NS_R's DEV_RA
#       (NET_A.2/24), NS_R's DEV_RB (NET_B.2/24) to NS_B's DEV_B
#       (NET_B.1/24), NET_A and NET_B three-byte prefixes ("10.77.51");
#       routes both ways through NS_R, which forwards; lo up in all three
#   netem_drops NS DEV, netem_sent NS DEV
#       the packets DEV's netem has dropped, and passed on, so far
#   netns_scapy_peer X XDEV P PDEV ADDR
#       makes P a scapy peer of X: lo up in P, forwarding off in P, and X
#       reaches ADDR, an address nobody owns, through P's veth by a
#       permanent neighbour entry; so P's kernel drops what X sends to
#       ADDR without answering (no RSTs, no ICMP).  Sets pmac and xmac,
#       the MACs of PDEV and XDEV.
#   netns_rx_in_order NS DEV
#       everything DEV receives is processed on CPU 0 (RPS, rps_cpus 1),
#       in the order it was sent.  A veth hands a packet to the backlog
#       of the CPU that sent it; a sender's segments leave from the CPU
#       of its process (send(), close()) and from those of its softirqs
#       (ACK-clocked data, ACKs), so the two CPUs' backlogs deliver them
#       out of order, and under TCG a backlog can wait for milliseconds
#       while its vCPU is not running.  For tests whose subject is not
#       reordering (see syncookies.sh).  One backlog holds
#       net.core.netdev_max_backlog (1000) packets: enough for bursts of
#       hundreds.
# Each returns non-zero at the first step that fails.
#
# Native TCP, the oracle, keeps per-destination metrics (tcp_metrics.c):
# a connection's RTT, ssthresh and reordering, saved at close, seed the
# next connection to the same address (tcp_init_metrics() sets the RTO
# from a cached RTT larger than the handshake's sample).  xtcp has no
# such cache, so a test comparing the two would compare native's history
# with xtcp's fresh start (timers saw native's first RTO 0.66 s after a
# 0.08 s sample).  Every namespace made here has
# net.ipv4.tcp_no_metrics_save=1, so native saves nothing either.

netns_add()
{
	ip netns add "$1" &&
		ip netns exec "$1" sysctl -qw net.ipv4.tcp_no_metrics_save=1
}

netns_fresh()
{
	ip netns del "$1" 2>/dev/null
	netns_add "$1" && ip -n "$1" link set lo up
}

netns_pair()
{
	ip netns del "$1" 2>/dev/null
	ip netns del "$4" 2>/dev/null
	netns_add "$1" && netns_add "$4" &&
		ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" &&
		ip -n "$1" addr add "$3/24" dev "$2" &&
		ip -n "$4" addr add "$6/24" dev "$5" &&
		ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}

netns_rx_in_order()
{
	ip netns exec "$1" sh -c 'echo 1 > "/sys/class/net/$1/queues/rx-0/rps_cpus"' sh "$2"
}

netns_netem_pair()
{
	local a=$1 da=$2 b=$4 db=$5

	netns_pair "$1" "$2" "$3" "$4" "$5" "$6" || return
	shift 6
	ip netns exec "$a" ethtool -K "$da" tso off gso off >/dev/null &&
		ip netns exec "$b" ethtool -K "$db" tso off gso off >/dev/null &&
		ip -n "$a" link set dev "$da" gso_max_segs 1 &&
		ip -n "$b" link set dev "$db" gso_max_segs 1 &&
		ip netns exec "$a" tc qdisc add dev "$da" root netem "$@" &&
		ip netns exec "$b" tc qdisc add dev "$db" root netem "$@"
}

netns_routed()
{
	ip netns del "$7" 2>/dev/null
	netns_pair "$1" "$2" "$3.1" "$4" "$5" "$3.2" &&
		netns_add "$7" &&
		ip link add "$6" netns "$4" type veth peer name "$8" netns "$7" &&
		ip -n "$4" addr add "$9.2/24" dev "$6" &&
		ip -n "$7" addr add "$9.1/24" dev "$8" &&
		ip -n "$4" link set "$6" up && ip -n "$7" link set "$8" up &&
		ip -n "$1" link set lo up && ip -n "$4" link set lo up &&
		ip -n "$7" link set lo up &&
		ip -n "$1" route add "$9.0/24" via "$3.2" &&
		ip -n "$7" route add "$3.0/24" via "$9.2" &&
		ip netns exec "$4" sysctl -qw net.ipv4.ip_forward=1
}

netem_drops()
{
	ip netns exec "$1" tc -s qdisc show dev "$2" |
		sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -n 1
}

netem_sent()
{
	ip netns exec "$1" tc -s qdisc show dev "$2" |
		sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1
}

netns_scapy_peer()
{
	ip -n "$3" link set lo up &&
		ip netns exec "$3" sysctl -qw net.ipv4.ip_forward=0 &&
		pmac=$(ip -n "$3" -br link show "$4" | awk '{ print $3 }') &&
		xmac=$(ip -n "$1" -br link show "$2" | awk '{ print $3 }') &&
		ip -n "$1" neigh replace "$5" lladdr "$pmac" dev "$2" nud permanent
}
