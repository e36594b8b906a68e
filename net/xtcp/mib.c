// SPDX-License-Identifier: GPL-2.0
/* xtcp: per-namespace MIB counters, shown as /proc/net/xtcp_snmp ("Tcp:"
 * lines of /proc/net/snmp) and /proc/net/xtcp_netstat ("TcpExt:" lines of
 * /proc/net/netstat), so that nstat reads them:
 *
 *   PROC_NET_SNMP=/proc/net/xtcp_snmp PROC_NET_NETSTAT=/proc/net/xtcp_netstat
 *   PROC_NET_SNMP6=/dev/null NSTAT_HISTORY=/tmp/.nstat.xtcp nstat -a
 *
 * The counters are percpu (Linux's DEFINE_SNMP_STAT), folded when read.
 * The helpers below hold the few increments that need more than one
 * line at their call site.
 */
#include <linux/seq_file.h>
#include <linux/proc_fs.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_mib.h>

struct xtcp_mib_name {
	const char *name;
	int field;
};

#define XTCP_MIB_ITEM(n, f)	{ .name = n, .field = f }

/* After the constant RtoAlgorithm RtoMin RtoMax MaxConn. */
static const struct xtcp_mib_name xtcp_snmp_list[] = {
	XTCP_MIB_ITEM("ActiveOpens", XTCP_MIB_ACTIVEOPENS),
	XTCP_MIB_ITEM("PassiveOpens", XTCP_MIB_PASSIVEOPENS),
	XTCP_MIB_ITEM("AttemptFails", XTCP_MIB_ATTEMPTFAILS),
	XTCP_MIB_ITEM("EstabResets", XTCP_MIB_ESTABRESETS),
	XTCP_MIB_ITEM("CurrEstab", XTCP_MIB_CURRESTAB),
	XTCP_MIB_ITEM("InSegs", XTCP_MIB_INSEGS),
	XTCP_MIB_ITEM("OutSegs", XTCP_MIB_OUTSEGS),
	XTCP_MIB_ITEM("RetransSegs", XTCP_MIB_RETRANSSEGS),
	XTCP_MIB_ITEM("InErrs", XTCP_MIB_INERRS),
	XTCP_MIB_ITEM("OutRsts", XTCP_MIB_OUTRSTS),
	XTCP_MIB_ITEM("InCsumErrors", XTCP_MIB_CSUMERRORS),
};

static const struct xtcp_mib_name xtcp_netstat_list[] = {
	XTCP_MIB_ITEM("SyncookiesSent", XTCP_MIB_SYNCOOKIESSENT),
	XTCP_MIB_ITEM("SyncookiesRecv", XTCP_MIB_SYNCOOKIESRECV),
	XTCP_MIB_ITEM("SyncookiesFailed", XTCP_MIB_SYNCOOKIESFAILED),
	XTCP_MIB_ITEM("EmbryonicRsts", XTCP_MIB_EMBRYONICRSTS),
	XTCP_MIB_ITEM("PruneCalled", XTCP_MIB_PRUNECALLED),
	XTCP_MIB_ITEM("RcvPruned", XTCP_MIB_RCVPRUNED),
	XTCP_MIB_ITEM("OfoPruned", XTCP_MIB_OFOPRUNED),
	XTCP_MIB_ITEM("PAWSEstab", XTCP_MIB_PAWSESTABREJECTED),
	XTCP_MIB_ITEM("DelayedACKs", XTCP_MIB_DELAYEDACKS),
	XTCP_MIB_ITEM("ListenOverflows", XTCP_MIB_LISTENOVERFLOWS),
	XTCP_MIB_ITEM("ListenDrops", XTCP_MIB_LISTENDROPS),
	XTCP_MIB_ITEM("TCPRenoRecovery", XTCP_MIB_TCPRENORECOVERY),
	XTCP_MIB_ITEM("TCPSackRecovery", XTCP_MIB_TCPSACKRECOVERY),
	XTCP_MIB_ITEM("TCPSACKReorder", XTCP_MIB_TCPSACKREORDER),
	XTCP_MIB_ITEM("TCPRenoReorder", XTCP_MIB_TCPRENOREORDER),
	XTCP_MIB_ITEM("TCPTSReorder", XTCP_MIB_TCPTSREORDER),
	XTCP_MIB_ITEM("TCPFullUndo", XTCP_MIB_TCPFULLUNDO),
	XTCP_MIB_ITEM("TCPPartialUndo", XTCP_MIB_TCPPARTIALUNDO),
	XTCP_MIB_ITEM("TCPDSACKUndo", XTCP_MIB_TCPDSACKUNDO),
	XTCP_MIB_ITEM("TCPLossUndo", XTCP_MIB_TCPLOSSUNDO),
	XTCP_MIB_ITEM("TCPLostRetransmit", XTCP_MIB_TCPLOSTRETRANSMIT),
	XTCP_MIB_ITEM("TCPRenoFailures", XTCP_MIB_TCPRENOFAILURES),
	XTCP_MIB_ITEM("TCPSackFailures", XTCP_MIB_TCPSACKFAILURES),
	XTCP_MIB_ITEM("TCPLossFailures", XTCP_MIB_TCPLOSSFAILURES),
	XTCP_MIB_ITEM("TCPFastRetrans", XTCP_MIB_TCPFASTRETRANS),
	XTCP_MIB_ITEM("TCPSlowStartRetrans", XTCP_MIB_TCPSLOWSTARTRETRANS),
	XTCP_MIB_ITEM("TCPTimeouts", XTCP_MIB_TCPTIMEOUTS),
	XTCP_MIB_ITEM("TCPLossProbes", XTCP_MIB_TCPLOSSPROBES),
	XTCP_MIB_ITEM("TCPLossProbeRecovery", XTCP_MIB_TCPLOSSPROBERECOVERY),
	XTCP_MIB_ITEM("TCPRenoRecoveryFail", XTCP_MIB_TCPRENORECOVERYFAIL),
	XTCP_MIB_ITEM("TCPSackRecoveryFail", XTCP_MIB_TCPSACKRECOVERYFAIL),
	XTCP_MIB_ITEM("TCPRcvCollapsed", XTCP_MIB_TCPRCVCOLLAPSED),
	XTCP_MIB_ITEM("TCPDSACKOldSent", XTCP_MIB_TCPDSACKOLDSENT),
	XTCP_MIB_ITEM("TCPDSACKOfoSent", XTCP_MIB_TCPDSACKOFOSENT),
	XTCP_MIB_ITEM("TCPDSACKRecv", XTCP_MIB_TCPDSACKRECV),
	XTCP_MIB_ITEM("TCPDSACKOfoRecv", XTCP_MIB_TCPDSACKOFORECV),
	XTCP_MIB_ITEM("TCPAbortOnData", XTCP_MIB_TCPABORTONDATA),
	XTCP_MIB_ITEM("TCPAbortOnClose", XTCP_MIB_TCPABORTONCLOSE),
	XTCP_MIB_ITEM("TCPAbortOnTimeout", XTCP_MIB_TCPABORTONTIMEOUT),
	XTCP_MIB_ITEM("TCPAbortOnLinger", XTCP_MIB_TCPABORTONLINGER),
	XTCP_MIB_ITEM("TCPSACKDiscard", XTCP_MIB_TCPSACKDISCARD),
	XTCP_MIB_ITEM("TCPDSACKIgnoredOld", XTCP_MIB_TCPDSACKIGNOREDOLD),
	XTCP_MIB_ITEM("TCPDSACKIgnoredNoUndo", XTCP_MIB_TCPDSACKIGNOREDNOUNDO),
	XTCP_MIB_ITEM("TCPSpuriousRTOs", XTCP_MIB_TCPSPURIOUSRTOS),
	XTCP_MIB_ITEM("TCPBacklogDrop", XTCP_MIB_TCPBACKLOGDROP),
	XTCP_MIB_ITEM("TCPDeferAcceptDrop", XTCP_MIB_TCPDEFERACCEPTDROP),
	XTCP_MIB_ITEM("TCPBacklogCoalesce", XTCP_MIB_TCPBACKLOGCOALESCE),
	XTCP_MIB_ITEM("TCPRetransFail", XTCP_MIB_TCPRETRANSFAIL),
	XTCP_MIB_ITEM("TCPOFOQueue", XTCP_MIB_TCPOFOQUEUE),
	XTCP_MIB_ITEM("TCPOFODrop", XTCP_MIB_TCPOFODROP),
	XTCP_MIB_ITEM("TCPSynRetrans", XTCP_MIB_TCPSYNRETRANS),
	XTCP_MIB_ITEM("TCPAckCompressed", XTCP_MIB_TCPACKCOMPRESSED),
	XTCP_MIB_ITEM("TCPReqQFullDoCookies", XTCP_MIB_TCPREQQFULLDOCOOKIES),
	XTCP_MIB_ITEM("TCPReqQFullDrop", XTCP_MIB_TCPREQQFULLDROP),
	XTCP_MIB_ITEM("TCPRcvQDrop", XTCP_MIB_TCPRCVQDROP),
	XTCP_MIB_ITEM("TCPDSACKRecvSegs", XTCP_MIB_TCPDSACKRECVSEGS),
	XTCP_MIB_ITEM("TCPDSACKIgnoredDubious", XTCP_MIB_TCPDSACKIGNOREDDUBIOUS),
};

/* One "PREFIX: names" and one "PREFIX: values" line. */
static void xtcp_mib_show(struct seq_file *seq, struct xtcp_mib __percpu *mib,
			  const char *prefix, const char *fixed_names,
			  const char *fixed_values,
			  const struct xtcp_mib_name *list, size_t n)
{
	size_t i;

	seq_printf(seq, "%s:%s", prefix, fixed_names);
	for (i = 0; i < n; i++)
		seq_printf(seq, " %s", list[i].name);
	seq_printf(seq, "\n%s:%s", prefix, fixed_values);
	for (i = 0; i < n; i++)
		seq_printf(seq, " %lu", snmp_fold_field(mib, list[i].field));
	seq_putc(seq, '\n');
}

static int xtcp_snmp_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	char fixed[64];

	/* RFC 2012's constants, as tcp_mib_init() sets them: Van Jacobson's
	 * RTO (1), its bounds in ms, and no connection limit (-1).
	 */
	snprintf(fixed, sizeof(fixed), " 1 %lu %lu -1",
		 XTCP_RTO_MIN_US / USEC_PER_MSEC,
		 XTCP_RTO_MAX_US / USEC_PER_MSEC);
	xtcp_mib_show(seq, xtcp_pernet(net)->mib, "Tcp",
		      " RtoAlgorithm RtoMin RtoMax MaxConn", fixed,
		      xtcp_snmp_list, ARRAY_SIZE(xtcp_snmp_list));
	return 0;
}

static int xtcp_netstat_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);

	xtcp_mib_show(seq, xtcp_pernet(net)->mib, "TcpExt", "", "",
		      xtcp_netstat_list, ARRAY_SIZE(xtcp_netstat_list));
	return 0;
}

/**
 * xtcp_mib_net_init() - the counters of a new namespace and their files
 * @net: the namespace being set up (pernet init, process context)
 *
 * Return: 0 or -ENOMEM.
 *
 * Context: process (the namespace's pernet init).
 */
int xtcp_mib_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("xtcp_snmp", 0444, net->proc_net,
				    xtcp_snmp_seq_show, NULL))
		goto out_free;
	if (!proc_create_net_single("xtcp_netstat", 0444, net->proc_net,
				    xtcp_netstat_seq_show, NULL))
		goto out_snmp;
	return 0;

out_snmp:
	remove_proc_entry("xtcp_snmp", net->proc_net);
out_free:
	free_percpu(xn->mib);
	xn->mib = NULL;
	return -ENOMEM;
}

/**
 * xtcp_mib_net_exit() - remove the files and free the counters
 * @net: the namespace going away (pernet exit, process context): no
 *	socket, SYN queue or TIME_WAIT entry of it is left to count
 *
 * Context: process (the namespace's pernet exit).
 */
void xtcp_mib_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	remove_proc_entry("xtcp_netstat", net->proc_net);
	remove_proc_entry("xtcp_snmp", net->proc_net);
	free_percpu(xn->mib);
	xn->mib = NULL;
}

/**
 * xtcp_mib_set_state() - the counters of a state change, tcp_set_state()'s
 * @sk: the socket, locked
 * @oldstate: its state before
 * @state: its state now
 *
 * CurrEstab counts connections in ESTABLISHED or CLOSE_WAIT; EstabResets
 * those that went from either straight to CLOSE.
 *
 * Context: softirq or process, the socket locked (owner or spinlock).
 */
void xtcp_mib_set_state(struct sock *sk, int oldstate, int state)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);

	switch (state) {
	case TCP_ESTABLISHED:
		if (oldstate != TCP_ESTABLISHED)
			SNMP_INC_STATS(xn->mib, XTCP_MIB_CURRESTAB);
		break;
	case TCP_CLOSE_WAIT:
		if (oldstate == TCP_SYN_RECV)
			SNMP_INC_STATS(xn->mib, XTCP_MIB_CURRESTAB);
		break;
	case TCP_CLOSE:
		if (oldstate == TCP_CLOSE_WAIT || oldstate == TCP_ESTABLISHED)
			SNMP_INC_STATS(xn->mib, XTCP_MIB_ESTABRESETS);
		fallthrough;
	default:
		if (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT)
			SNMP_DEC_STATS(xn->mib, XTCP_MIB_CURRESTAB);
	}
}

/**
 * xtcp_mib_timeout() - the retransmission timer fired with data out
 * @sk: the socket, locked
 * @syn: it resends a SYN or SYN-ACK
 *
 * tcp_retransmit_timer() counts TCPTimeouts before it checks the retry
 * limits, except for the zero-window case it handles as a probe (no
 * window, not orphaned, not a handshake).
 *
 * Context: the retransmission timer's work, the socket locked.
 */
void xtcp_mib_timeout(struct sock *sk, bool syn)
{
	if (!xtcp_sk(sk)->snd_wnd && !sock_flag(sk, SOCK_DEAD) && !syn)
		return;
	XTCP_SK_INC_STATS(sk, XTCP_MIB_TCPTIMEOUTS);
}

/**
 * xtcp_mib_rto_failure() - which recovery the first timeout ended
 * @sk: the socket, locked, before the timeout changes the state
 *
 * tcp_retransmit_timer()'s count at the first timeout of a series: a
 * fast recovery (TCPSackRecoveryFail, TCPRenoRecoveryFail), an earlier
 * loss recovery (TCPLossFailures), or SACKs / Disorder without a
 * recovery (TCPSackFailures, TCPRenoFailures); not for a zero window
 * (see xtcp_mib_timeout()).
 *
 * Context: the retransmission timer's work, the socket locked.
 */
void xtcp_mib_rto_failure(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	bool sack = xtcp_is_sack(xsk);
	u8 ca = xtcp_ca_state(sk);
	int field;

	/* Nor in the zero-window case, which Linux handles before it
	 * counts (tcp_retransmit_timer()'s out_reset_timer).
	 */
	if (xsk->retransmits || (!xsk->snd_wnd && !sock_flag(sk, SOCK_DEAD)))
		return;
	if (ca == TCP_CA_Recovery)
		field = sack ? XTCP_MIB_TCPSACKRECOVERYFAIL :
			       XTCP_MIB_TCPRENORECOVERYFAIL;
	else if (ca == TCP_CA_Loss)
		field = XTCP_MIB_TCPLOSSFAILURES;
	else if (ca == TCP_CA_Disorder || xsk->sacked_out)
		field = sack ? XTCP_MIB_TCPSACKFAILURES :
			       XTCP_MIB_TCPRENOFAILURES;
	else
		return;
	XTCP_SK_INC_STATS(sk, field);
}

/**
 * xtcp_mib_dsack() - a D-SACK in an ACK's first block, tcp_check_dsack()'s
 * @sk: the socket, locked
 * @start_seq: the block's left edge
 * @ack_seq: the ACK's cumulative ACK
 * @dups: what xtcp_dsack_seen() made of it, 0: not believed
 *
 * Below the cumulative ACK it is TCPDSACKRecv, inside the second block
 * TCPDSACKOfoRecv; then TCPDSACKIgnoredDubious or TCPDSACKRecvSegs.
 *
 * Context: softirq or process, the socket locked.
 */
void xtcp_mib_dsack(struct sock *sk, u32 start_seq, u32 ack_seq, u32 dups)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);

	SNMP_INC_STATS(xn->mib, xtcp_seq_before(start_seq, ack_seq) ?
		       XTCP_MIB_TCPDSACKRECV : XTCP_MIB_TCPDSACKOFORECV);
	if (dups)
		SNMP_ADD_STATS(xn->mib, XTCP_MIB_TCPDSACKRECVSEGS, dups);
	else
		SNMP_INC_STATS(xn->mib, XTCP_MIB_TCPDSACKIGNOREDDUBIOUS);
}

/**
 * xtcp_mib_sack_verdict() - count a SACK block skipped as invalid
 * @sk: the socket, locked
 * @verdict: xtcp_sack_classify()'s enum xtcp_sack_verdict
 *
 * tcp_sacktag_write_queue()'s counts: TCPSACKDiscard,
 * TCPDSACKIgnoredNoUndo, TCPDSACKIgnoredOld.
 *
 * Context: softirq or process, the socket locked.
 */
void xtcp_mib_sack_verdict(struct sock *sk, int verdict)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);

	if (verdict == XTCP_SACK_DISCARD)
		SNMP_INC_STATS(xn->mib, XTCP_MIB_TCPSACKDISCARD);
	else if (verdict == XTCP_SACK_DSACK_NOUNDO)
		SNMP_INC_STATS(xn->mib, XTCP_MIB_TCPDSACKIGNOREDNOUNDO);
	else if (verdict == XTCP_SACK_DSACK_OLD)
		SNMP_INC_STATS(xn->mib, XTCP_MIB_TCPDSACKIGNOREDOLD);
}

/**
 * xtcp_mib_out() - a segment leaves: OutSegs and OutRsts
 * @xn: its namespace's xtcp state (xtcp_pernet(), xtcp_sk_pernet())
 * @flags: its TCPHDR_* flags
 * @segs: what it counts in OutSegs: its segments, 0 for a retransmission
 *
 * __tcp_transmit_skb(), tcp_v4_send_reset() and tcp_v4_send_ack() count
 * OutSegs; a RST, sent or in reply, is one of OutRsts.
 *
 * Context: any; per-CPU counters, no lock needed.
 */
void xtcp_mib_out(struct xtcp_net *xn, u8 flags, u32 segs)
{
	if (segs)
		SNMP_ADD_STATS(xn->mib, XTCP_MIB_OUTSEGS, segs);
	if (flags & TCPHDR_RST)
		SNMP_INC_STATS(xn->mib, XTCP_MIB_OUTRSTS);
}

/**
 * xtcp_mib_syn_retrans() - a SYN or SYN-ACK sent again
 * @net: its namespace
 *
 * RetransSegs and TCPSynRetrans, as __tcp_retransmit_skb() and
 * tcp_rtx_synack() count them.
 *
 * Context: any; per-CPU counters, no lock needed.
 */
void xtcp_mib_syn_retrans(struct net *net)
{
	XTCP_INC_STATS(net, XTCP_MIB_RETRANSSEGS);
	XTCP_INC_STATS(net, XTCP_MIB_TCPSYNRETRANS);
}

/**
 * xtcp_mib_csum_error() - a segment of ours failed its checksum
 * @net: its namespace
 *
 * InCsumErrors and InErrs, tcp_v4_rcv()'s csum_error.
 *
 * Context: any; per-CPU counters, no lock needed.
 */
void xtcp_mib_csum_error(struct net *net)
{
	XTCP_INC_STATS(net, XTCP_MIB_CSUMERRORS);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
}

/**
 * xtcp_sack_rcv_dup_mib() - xtcp_sack_rcv_dup(), counting the D-SACK
 * @sk: the socket, locked
 * @sr: its receiver SACK state
 * @rcv_nxt: RCV.NXT before the segment is taken in
 * @seq: the segment's first sequence number
 * @end_seq: the sequence number after its data
 *
 * A D-SACK to send, tcp_dsack_set()'s count: for data below RCV.NXT
 * TCPDSACKOldSent, for data out of order held already TCPDSACKOfoSent.
 *
 * Context: softirq or process, the socket locked.
 * Return: true if the segment goes to xtcp_sack_new_ofo() next.
 */
bool xtcp_sack_rcv_dup_mib(struct sock *sk, struct xtcp_sack_rcv *sr,
			   u32 rcv_nxt, u32 seq, u32 end_seq)
{
	bool ofo = xtcp_sack_rcv_dup(sr, rcv_nxt, seq, end_seq);

	if (sr->dsack)
		XTCP_SK_INC_STATS(sk, xtcp_seq_before(seq, rcv_nxt) ?
				  XTCP_MIB_TCPDSACKOLDSENT :
				  XTCP_MIB_TCPDSACKOFOSENT);
	return ofo;
}

/**
 * xtcp_sack_rcv_data_mib() - xtcp_sack_rcv_data(), counting the D-SACK
 * @sk: the socket, locked
 * @sr: its receiver SACK state
 * @rcv_nxt: RCV.NXT before the segment is taken in
 * @seq: the segment's first sequence number
 * @end_seq: the sequence number after its data
 *
 * As xtcp_sack_rcv_dup_mib(), then the SACK blocks.
 *
 * Context: softirq or process, the socket locked.
 */
void xtcp_sack_rcv_data_mib(struct sock *sk, struct xtcp_sack_rcv *sr,
			    u32 rcv_nxt, u32 seq, u32 end_seq)
{
	if (xtcp_sack_rcv_dup_mib(sk, sr, rcv_nxt, seq, end_seq))
		xtcp_sack_new_ofo(sr, seq, end_seq);
}
