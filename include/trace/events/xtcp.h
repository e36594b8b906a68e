/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp's trace events, under tracefs events/xtcp/.
 *
 * Each has a native TCP counterpart whose field names and meanings it
 * keeps, so that a script reading one reads the other:
 *
 *   xtcp_set_state       sock:inet_sock_set_state (IPv4, TCP only)
 *   xtcp_probe           tcp:tcp_probe, plus inflight, ca_state and the
 *                        raw ssthresh
 *   xtcp_retransmit_skb  tcp:tcp_retransmit_skb, plus seq and end_seq
 *   xtcp_send_reset      tcp:tcp_send_reset
 *   xtcp_receive_reset   tcp:tcp_receive_reset
 *
 * Linux's sock_cookie is left out (__sock_gen_cookie() is not exported);
 * skaddr and the address pair name a connection instead.  Addresses are
 * IPv4 only, as xtcp is.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_TRACE_XTCP_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_XTCP_H

#include <linux/tracepoint.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/tcp_states.h>
#include <net/xtcp.h>
#include <net/xtcp_recovery.h>

TRACE_DEFINE_ENUM(TCP_ESTABLISHED);
TRACE_DEFINE_ENUM(TCP_SYN_SENT);
TRACE_DEFINE_ENUM(TCP_SYN_RECV);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT1);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT2);
TRACE_DEFINE_ENUM(TCP_TIME_WAIT);
TRACE_DEFINE_ENUM(TCP_CLOSE);
TRACE_DEFINE_ENUM(TCP_CLOSE_WAIT);
TRACE_DEFINE_ENUM(TCP_LAST_ACK);
TRACE_DEFINE_ENUM(TCP_LISTEN);
TRACE_DEFINE_ENUM(TCP_CLOSING);
TRACE_DEFINE_ENUM(TCP_NEW_SYN_RECV);

TRACE_DEFINE_ENUM(TCP_CA_Open);
TRACE_DEFINE_ENUM(TCP_CA_Disorder);
TRACE_DEFINE_ENUM(TCP_CA_CWR);
TRACE_DEFINE_ENUM(TCP_CA_Recovery);
TRACE_DEFINE_ENUM(TCP_CA_Loss);

/* The names sock:inet_sock_set_state prints. */
#define xtcp_show_state(val)					\
	__print_symbolic(val,					\
		{ TCP_ESTABLISHED, "TCP_ESTABLISHED" },		\
		{ TCP_SYN_SENT, "TCP_SYN_SENT" },		\
		{ TCP_SYN_RECV, "TCP_SYN_RECV" },		\
		{ TCP_FIN_WAIT1, "TCP_FIN_WAIT1" },		\
		{ TCP_FIN_WAIT2, "TCP_FIN_WAIT2" },		\
		{ TCP_TIME_WAIT, "TCP_TIME_WAIT" },		\
		{ TCP_CLOSE, "TCP_CLOSE" },			\
		{ TCP_CLOSE_WAIT, "TCP_CLOSE_WAIT" },		\
		{ TCP_LAST_ACK, "TCP_LAST_ACK" },		\
		{ TCP_LISTEN, "TCP_LISTEN" },			\
		{ TCP_CLOSING, "TCP_CLOSING" },			\
		{ TCP_NEW_SYN_RECV, "TCP_NEW_SYN_RECV" })

/* tcp_info's tcpi_ca_state names, as tcp:tcp_cong_state_set prints. */
#define xtcp_show_ca_state(val)					\
	__print_symbolic(val,					\
		{ TCP_CA_Open, "TCP_CA_Open" },			\
		{ TCP_CA_Disorder, "TCP_CA_Disorder" },		\
		{ TCP_CA_CWR, "TCP_CA_CWR" },			\
		{ TCP_CA_Recovery, "TCP_CA_Recovery" },		\
		{ TCP_CA_Loss, "TCP_CA_Loss" })

#ifndef _TRACE_XTCP_HELPERS
#define _TRACE_XTCP_HELPERS
/* The connection's ports (host order) and IPv4 addresses. */
static inline void xtcp_trace_addrs(const struct sock *sk, __u16 *sport,
				    __u16 *dport, __u8 *saddr, __u8 *daddr)
{
	const struct inet_sock *inet = inet_sk(sk);

	*sport = ntohs(inet->inet_sport);
	*dport = ntohs(inet->inet_dport);
	memcpy(saddr, &inet->inet_saddr, 4);
	memcpy(daddr, &inet->inet_daddr, 4);
}
#endif

/*
 * xtcp_set_state - the socket's TCP state changed (xtcp_state_store()).
 * Fires for every change, listeners and CLOSE included, before sk_state
 * takes @newstate, as inet_sock_set_state does.
 */
TRACE_EVENT(xtcp_set_state,
	    TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	    TP_ARGS(sk, oldstate, newstate),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(int, oldstate)
			     __field(int, newstate)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(__u8, saddr, 4)
			     __array(__u8, daddr, 4)),
	    TP_fast_assign(__entry->skaddr = sk;
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;
			   xtcp_trace_addrs(sk, &__entry->sport,
					    &__entry->dport,
					    __entry->saddr, __entry->daddr)),
	    TP_printk("sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 oldstate=%s newstate=%s",
		      __entry->sport, __entry->dport,
		      __entry->saddr, __entry->daddr,
		      xtcp_show_state(__entry->oldstate),
		      xtcp_show_state(__entry->newstate))
);

/*
 * xtcp_probe - a segment reached an ESTABLISHED socket; the sender's
 * state before the segment is processed, as tcp:tcp_probe records it at
 * the top of tcp_rcv_established().  snd_cwnd, inflight in segments;
 * ssthresh as tcp_current_ssthresh() (at least 3/4 cwnd outside a
 * reduction), snd_ssthresh the raw value; srtt in us; windows in bytes.
 */
TRACE_EVENT(xtcp_probe,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	    TP_ARGS(sk, skb),
	    TP_STRUCT__entry(__array(__u8, saddr, 4)
			     __array(__u8, daddr, 4)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, mark)
			     __field(__u16, data_len)
			     __field(__u32, snd_nxt)
			     __field(__u32, snd_una)
			     __field(__u32, snd_cwnd)
			     __field(__u32, ssthresh)
			     __field(__u32, snd_ssthresh)
			     __field(__u32, snd_wnd)
			     __field(__u32, srtt)
			     __field(__u32, rcv_wnd)
			     __field(__u32, inflight)
			     __field(__u8, ca_state)
			     __field(const void *, skaddr)),
	    TP_fast_assign(const struct xtcp_sock *xsk = xtcp_sk(sk);

			   xtcp_trace_addrs(sk, &__entry->sport,
					    &__entry->dport,
					    __entry->saddr, __entry->daddr);
			   __entry->mark = skb->mark;
			   __entry->data_len = skb->len - tcp_hdrlen(skb);
			   __entry->snd_nxt = xsk->snd_nxt;
			   __entry->snd_una = xsk->snd_una;
			   __entry->snd_cwnd = xsk->cong.cwnd;
			   __entry->ssthresh =
				xtcp_current_ssthresh(xsk->cong.ssthresh,
						      xsk->cong.cwnd,
						      xtcp_in_cwnd_reduction(xsk));
			   __entry->snd_ssthresh = xsk->cong.ssthresh;
			   __entry->snd_wnd = xsk->snd_wnd;
			   __entry->srtt = xtcp_rtt_srtt_us(&xsk->rtt);
			   __entry->rcv_wnd = xsk->rcv_wnd;
			   __entry->inflight = xtcp_packets_in_flight(xsk);
			   __entry->ca_state = xtcp_ca_state(sk);
			   __entry->skaddr = sk),
	    TP_printk("src=%pI4:%u dest=%pI4:%u mark=%#x data_len=%d snd_nxt=%#x snd_una=%#x snd_cwnd=%u ssthresh=%u snd_wnd=%u srtt=%u rcv_wnd=%u inflight=%u ca_state=%s snd_ssthresh=%u",
		      __entry->saddr, __entry->sport,
		      __entry->daddr, __entry->dport,
		      __entry->mark, __entry->data_len, __entry->snd_nxt,
		      __entry->snd_una, __entry->snd_cwnd, __entry->ssthresh,
		      __entry->snd_wnd, __entry->srtt, __entry->rcv_wnd,
		      __entry->inflight, xtcp_show_ca_state(__entry->ca_state),
		      __entry->snd_ssthresh)
);

/*
 * xtcp_retransmit_skb - a retransmission (data, FIN, or a SYN sent
 * again) left for IP output, as tcp:tcp_retransmit_skb fires after
 * __tcp_retransmit_skb() sent one.  @skb is the queued skb's address,
 * only recorded; @seq..@end_seq what it covered.
 */
TRACE_EVENT(xtcp_retransmit_skb,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb,
		     u32 seq, u32 end_seq),
	    TP_ARGS(sk, skb, seq, end_seq),
	    TP_STRUCT__entry(__field(const void *, skbaddr)
			     __field(const void *, skaddr)
			     __field(int, state)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(__u8, saddr, 4)
			     __array(__u8, daddr, 4)
			     __field(__u32, seq)
			     __field(__u32, end_seq)),
	    TP_fast_assign(__entry->skbaddr = skb;
			   __entry->skaddr = sk;
			   __entry->state = sk->sk_state;
			   xtcp_trace_addrs(sk, &__entry->sport,
					    &__entry->dport,
					    __entry->saddr, __entry->daddr);
			   __entry->seq = seq;
			   __entry->end_seq = end_seq),
	    TP_printk("sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 state=%s seq=%u end_seq=%u",
		      __entry->sport, __entry->dport,
		      __entry->saddr, __entry->daddr,
		      xtcp_show_state(__entry->state),
		      __entry->seq, __entry->end_seq)
);

/*
 * xtcp_send_reset and xtcp_receive_reset share one layout: the socket,
 * its state and its connection.
 */
DECLARE_EVENT_CLASS(xtcp_event_sk,
		    TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
		    TP_ARGS(sk, skb),
		    TP_STRUCT__entry(__field(const void *, skbaddr)
				     __field(const void *, skaddr)
				     __field(int, state)
				     __field(__u16, sport)
				     __field(__u16, dport)
				     __array(__u8, saddr, 4)
				     __array(__u8, daddr, 4)),
		    TP_fast_assign(__entry->skbaddr = skb;
				   __entry->skaddr = sk;
				   __entry->state = sk->sk_state;
				   xtcp_trace_addrs(sk, &__entry->sport,
						    &__entry->dport,
						    __entry->saddr,
						    __entry->daddr)),
		    TP_printk("sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 state=%s",
			      __entry->sport, __entry->dport,
			      __entry->saddr, __entry->daddr,
			      xtcp_show_state(__entry->state))
);

/*
 * xtcp_send_reset - a socket sends a RST: an active reset (@skb NULL),
 * or in answer to @skb that reached it, as tcp:tcp_send_reset.  RSTs
 * sent without a socket (no listener, TIME_WAIT, SYN queue entries) do
 * not fire it, as in Linux.
 */
DEFINE_EVENT(xtcp_event_sk, xtcp_send_reset,
	     TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	     TP_ARGS(sk, skb)
);

/*
 * xtcp_receive_reset - a RST was accepted by a synchronized or SYN_SENT
 * socket, before it closes (tcp:tcp_receive_reset in tcp_reset()); @skb
 * is the RST.
 */
DEFINE_EVENT(xtcp_event_sk, xtcp_receive_reset,
	     TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	     TP_ARGS(sk, skb)
);

#endif /* _TRACE_XTCP_H */

/* This part must be outside the multi-read protection. */
#include <trace/define_trace.h>
