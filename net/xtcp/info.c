// SPDX-License-Identifier: GPL-2.0
/* xtcp: getsockopt(TCP_INFO), Linux 6.1's struct tcp_info.
 *
 * The fields are filled as tcp_get_info() fills them, from xtcp's
 * equivalent of each tcp_sock field.  What xtcp does not keep (the
 * chrono busy/limited times, delivered_ce, Fast Open) stays 0;
 * Documentation/sockopt.rst lists them.
 */
#include <linux/tcp.h>
#include <linux/uaccess.h>
#include <net/tcp.h>
#include <net/xtcp.h>

/**
 * xtcp_ca_state() - the congestion-avoidance state, Linux's icsk_ca_state
 * @sk: the socket, locked
 *
 * xtcp keeps the states as flags: in_loss (TCP_CA_Loss), in_recovery
 * (TCP_CA_Recovery) and XTCP_ECN_IN_CWR (TCP_CA_CWR).  Disorder is what
 * tcp_try_keep_open() sets on each ACK outside those: SACKed or lost
 * segments, or retransmissions not yet acknowledged
 * (tcp_any_retrans_done()); xtcp derives it from the same counts.
 *
 * Context: socket locked: process context under lock_sock()
 * (getsockopt(TCP_INFO)), or the retransmission timer's work (TcpExt counters).
 * Return: TCP_CA_Open .. TCP_CA_Loss.
 */
u8 xtcp_ca_state(const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct sk_buff *head;

	if (xsk->in_loss)
		return TCP_CA_Loss;
	if (xsk->in_recovery)
		return TCP_CA_Recovery;
	if (xsk->ecn_flags & XTCP_ECN_IN_CWR)
		return TCP_CA_CWR;
	if (xtcp_left_out(xsk) || xsk->retrans_out)
		return TCP_CA_Disorder;
	head = xtcp_rtx_queue_head(sk);
	if (head && (XTCP_SKB_CB(head)->sacked & XTCPCB_EVER_RETRANS))
		return TCP_CA_Disorder;
	return TCP_CA_Open;
}

static u64 xtcp_info_rate(unsigned long rate)
{
	return rate != ~0UL ? rate : ~0ULL;
}

/**
 * xtcp_get_info() - fill struct tcp_info, as Linux's tcp_get_info()
 * @sk: the socket, not locked (taken here, as Linux takes it fast)
 * @info: filled; zeroed first
 *
 * Every state reports tcpi_state, the pacing rates, tcpi_reordering and
 * tcpi_snd_cwnd; a listener then only tcpi_unacked (connections ready
 * for accept()) and tcpi_sacked (the backlog), the aliases Linux uses.
 * Times are in us except the last_* ones, ms.
 * Context: process, may sleep.
 */
void xtcp_get_info(struct sock *sk, struct tcp_info *info)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 now;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = inet_sk_state_load(sk);
	info->tcpi_max_pacing_rate =
		xtcp_info_rate(READ_ONCE(sk->sk_max_pacing_rate));
	info->tcpi_reordering = READ_ONCE(xsk->reordering);
	info->tcpi_snd_cwnd = READ_ONCE(xsk->cong.cwnd);
	if (info->tcpi_state == TCP_LISTEN) {
		info->tcpi_pacing_rate =
			xtcp_info_rate(READ_ONCE(sk->sk_pacing_rate));
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}

	lock_sock(sk);
	/* xtcp computes the rate when it needs it, not into sk_pacing_rate. */
	info->tcpi_pacing_rate = xtcp_pacing_rate(sk);
	info->tcpi_ca_state = xtcp_ca_state(sk);
	info->tcpi_retransmits = xsk->retransmits;
	info->tcpi_probes = xsk->probes;
	/* Linux has one icsk_backoff for retransmission and zero-window
	 * probing; xtcp keeps the probes' apart (probing runs only with
	 * nothing outstanding, so at most one of the two counts).
	 */
	info->tcpi_backoff = xsk->probe_backoff ? : xsk->rtt.backoff;
	if (xsk->tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xsk->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (xsk->wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = xsk->snd_wscale;
		info->tcpi_rcv_wscale = xsk->rcv_wscale;
	}
	if (xsk->ecn_flags & TCP_ECN_OK)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (xsk->ecn_flags & TCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;

	info->tcpi_rto = xtcp_rtt_rto(&xsk->rtt);
	info->tcpi_ato = jiffies_to_usecs(xsk->ato);
	info->tcpi_snd_mss = xsk->mss;
	info->tcpi_rcv_mss = xsk->rcv_mss;
	info->tcpi_unacked = xsk->packets_out;
	info->tcpi_sacked = xsk->sacked_out;
	info->tcpi_lost = xsk->lost_out;
	info->tcpi_retrans = xsk->retrans_out;

	now = tcp_jiffies32;
	info->tcpi_last_data_sent = jiffies_to_msecs(now - xsk->lsndtime);
	info->tcpi_last_data_recv = jiffies_to_msecs(now - xsk->lrcvtime);
	info->tcpi_last_ack_recv = jiffies_to_msecs(now - xsk->rcv_tstamp);

	info->tcpi_pmtu = xsk->pmtu_cookie;
	info->tcpi_rcv_ssthresh = xsk->rcv_ssthresh;
	info->tcpi_rtt = xtcp_rtt_srtt_us(&xsk->rtt);
	info->tcpi_rttvar = xtcp_rtt_mdev_us(&xsk->rtt);
	info->tcpi_snd_ssthresh = xsk->cong.ssthresh;
	info->tcpi_advmss = xsk->advmss;
	info->tcpi_rcv_rtt = xsk->rcv_rtt_us8 >> 3;
	info->tcpi_rcv_space = xsk->rcvq_space;
	info->tcpi_total_retrans = xsk->total_retrans;

	info->tcpi_bytes_acked = xsk->bytes_acked;
	info->tcpi_bytes_received = xsk->bytes_received;
	info->tcpi_notsent_bytes = max_t(int, 0, xsk->write_seq - xsk->snd_nxt);
	info->tcpi_segs_out = xsk->segs_out;
	info->tcpi_segs_in = READ_ONCE(xsk->segs_in);
	info->tcpi_data_segs_in = READ_ONCE(xsk->data_segs_in);
	info->tcpi_data_segs_out = xsk->data_segs_out;
	info->tcpi_min_rtt = xtcp_min_rtt(xsk);
	info->tcpi_delivery_rate_app_limited = xsk->rate.rate_app_limited;
	info->tcpi_delivery_rate = xtcp_rate_bytes_per_sec(&xsk->rate,
							   xsk->mss);
	info->tcpi_delivered = xsk->delivered;
	info->tcpi_bytes_sent = xsk->bytes_sent;
	info->tcpi_bytes_retrans = xsk->bytes_retrans;
	info->tcpi_dsack_dups = xsk->dsack_dups;
	info->tcpi_reord_seen = xsk->reord_seen;
	info->tcpi_rcv_ooopack = xsk->rcv_ooopack;
	info->tcpi_snd_wnd = xsk->snd_wnd;
	release_sock(sk);
}

/**
 * xtcp_getsockopt_info() - getsockopt(SOL_TCP, TCP_INFO)
 * @sk: the socket
 * @optval: user buffer
 * @optlen: user length, in: the buffer's size, out: the bytes written
 * @len: *@optlen as read by the caller, not negative
 *
 * do_tcp_getsockopt()'s TCP_INFO: a buffer shorter than struct tcp_info
 * gets its first @len bytes, a longer one sizeof(struct tcp_info), and
 * that length is written back.  The caller has refused a negative length
 * (EINVAL).
 *
 * Return: 0, or -EFAULT on a bad user address.
 * Context: process, may sleep.
 */
int xtcp_getsockopt_info(struct sock *sk, char __user *optval,
			 int __user *optlen, int len)
{
	struct tcp_info info;

	xtcp_get_info(sk, &info);
	len = min_t(unsigned int, len, sizeof(info));
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}
