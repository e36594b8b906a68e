/* SPDX-License-Identifier: GPL-2.0 */
/* xtcp: state shared across the module.  Everything that is not kept in
 * struct xtcp_sock, struct xtcp_request, struct xtcp_tw or struct xtcp_net
 * is passed explicitly.
 */
#ifndef _NET_XTCP_H
#define _NET_XTCP_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <linux/hrtimer.h>
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp_states.h>
#include <net/snmp.h>
#include <net/xtcp_cong.h>
#include <net/xtcp_mib.h>
#include <net/xtcp_options.h>
#include <net/xtcp_rate.h>
#include <net/xtcp_recovery.h>
#include <net/xtcp_rtt.h>
#include <net/xtcp_sack_comp.h>
#include <net/xtcp_sack_rcv.h>
#include <net/xtcp_timer.h>

struct tcphdr;
struct xtcp_mib;
struct xtcp_out_options;

/* Longest TIME_WAIT, as Linux (RFC 9293 s.3.4.2 asks for 2 MSL). */
#define XTCP_TIMEWAIT_LEN	(60 * HZ)
/* Initial SYN / SYN-ACK retransmission timeout (RFC 6298 s.2.1). */
#define XTCP_TIMEOUT_INIT	HZ
/* MSS assumed when the peer sends none (RFC 9293 s.3.7.1). */
#define XTCP_DEFAULT_MSS	536
/* Largest window without window scaling (RFC 9293 s.3.1). */
#define XTCP_MAX_WINDOW		65535U
/* Which kind of table entry an xtcp_hnode belongs to. */
enum xtcp_hkind {
	XTCP_HK_SOCK,		/* struct xtcp_sock (any state) */
	XTCP_HK_REQ,		/* struct xtcp_request, SYN queue */
	XTCP_HK_TW,		/* struct xtcp_tw, TIME_WAIT */
};

/* Table linkage and lookup key common to sockets, SYN queue entries and
 * TIME_WAIT entries.  "node" is on the established hash (4-tuple) or, for
 * a listener, on the listener hash (local port); "bind_node" is on the
 * table of everything holding a port, which /proc/net/xtcp walks.
 */
struct xtcp_hnode {
	struct hlist_node node;
	struct hlist_node bind_node;
	possible_net_t net;
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
	int bound_dev_if;
	u8 kind;		/* enum xtcp_hkind */
	u8 in_table;		/* on a lookup chain ("node") */
	u8 in_bind;		/* on the bind table ("bind_node") */
	u8 state;		/* TCP_* for /proc/net/xtcp */
	u32 bind_bucket;	/* bind table bucket, while in_bind */
};

/* The xtcp part of a port reservation (port.c): it follows the socket
 * part that native TCP's bind tables see, in one object shared by a
 * listener, its children and their TIME_WAIT entries, or by every
 * connection connect() gave the same local address and port (and their
 * TIME_WAIT entries).
 */
struct xtcp_port {
	refcount_t ref;
	spinlock_t owners_lock;		/* protects the two lists */
	struct hlist_head sk_owners;	/* a listener's children holding it */
	struct hlist_head tw_owners;	/* TIME_WAIT entries holding it */
	struct hlist_node share_node;	/* connect(): on the shared table */
	bool shared;			/* on it (set once, before publishing) */
};

/* Per-skb state on the send, retransmit and receive queues. */
struct xtcp_skb_cb {
	u32 seq;		/* first sequence number */
	u32 end_seq;		/* seq + SYN + data + FIN */
	union {
		/* Input: the segment's fields. */
		struct {
			u32 ack_seq;	/* the segment's ACK field */
			/* Timestamp option, if saw_tstamp */
			u32 rcv_tsval;
			u32 rcv_tsecr;	/* as on the wire */
			u16 window;	/* the segment's window field */
			/* A SYN only: its MSS option, 0: none; what it
			 * offers, before the knobs say what counts
			 * (xtcp_rcv_syn_options()).
			 */
			u16 mss_clamp;
			/* Segments it stands for, and of those the ones
			 * with data (TCP_INFO's segs_in, data_segs_in): more
			 * than one for a GRO skb or ones the backlog
			 * coalesced (protocol.c).
			 */
			u16 in_segs;
			u16 in_data_segs;
		};
		/* Output: a send or retransmission queue skb. */
		struct {
			/* At the last transmission (xtcp_rate_skb_sent()),
			 * how long before it the flight's send phase began
			 * and the last delivery was, us (at most U32_MAX):
			 * Linux's tx.first_tx_mstamp and tx.delivered_mstamp.
			 * The send time itself is in skb->skb_mstamp_ns
			 * (xtcp_skb_sent_us()).
			 */
			u32 tx_first_delta_us;
			u32 tx_deliv_delta_us;
			/* On xtcp_sock.tsorted_sent_queue while sent and
			 * neither SACKed nor taken as lost (Linux's
			 * tcp_tsorted_anchor); otherwise linked to itself.
			 */
			struct list_head tsorted_anchor;
		};
	};
	/* Output: the segments of a send or retransmission queue skb
	 * (xtcp_set_skb_tso_segs()), and their size when more than one.
	 */
	u16 gso_segs;
	u16 gso_size;
	u32 tx_delivered;	/* output: xtcp_sock.delivered when last sent
				 * (Linux's tx.delivered)
				 */
	u8 flags;		/* TCPHDR_* */
	u8 retransmitted;	/* sent more than once (Karn's rule) */
	u8 sacked;		/* output: XTCPCB_* scoreboard bits */
	u8 saw_tstamp;		/* input: a timestamp option (tstamp.c) */
	u8 ip_dsfield;		/* input: the IP header's DS field (ECN) */
	u8 snd_wscale;		/* input, a SYN: its window-scale shift */
	u8 wscale_ok:1,		/* a window-scale option */
	   sack_ok:1,		/* a SACK-permitted option */
	   has_sack:1,		/* input, any segment: SACK blocks (sacktag.c) */
	   tx_app_limited:1;	/* output: sent while app-limited (rate.c) */
};

#define XTCP_SKB_CB(skb)	((struct xtcp_skb_cb *)&((skb)->cb[0]))

/* When a send or retransmission queue skb was last sent, xtcp_clock_us();
 * 0 if never.  Kept in skb->skb_mstamp_ns, as Linux keeps it
 * (tcp_skb_timestamp_us()); the copies handed to IP carry none
 * (xtcp_transmit_skb()).
 */
static inline u64 xtcp_skb_sent_us(const struct sk_buff *skb)
{
	return div_u64(skb->skb_mstamp_ns, NSEC_PER_USEC);
}

static inline void xtcp_skb_set_sent_us(struct sk_buff *skb, u64 us)
{
	skb->skb_mstamp_ns = us * NSEC_PER_USEC;
}

/* Scoreboard bits of a retransmission queue skb (xtcp_skb_cb.sacked),
 * Linux's TCPCB_*: the whole skb is in the state (SACK blocks split skbs
 * at their edges, sacktag.c).
 */
#define XTCPCB_SACKED_ACKED	0x01	/* SACKed by the peer */
#define XTCPCB_SACKED_RETRANS	0x02	/* retransmitted, still in flight */
#define XTCPCB_LOST		0x04	/* taken as lost, not yet resent */
#define XTCPCB_TAGBITS		0x07	/* all of the above */
#define XTCPCB_EVER_RETRANS	0x80	/* retransmitted at least once */

/* One xtcp socket.  inet_sock comes first so that the IPv4 layer's
 * helpers (routing, ip_queue_xmit, IP-level socket options) see the
 * addresses and ports where they expect them.
 */
struct xtcp_sock {
	struct inet_sock inet;
	struct xtcp_hnode hn;
	/* The reservation of the local port: set exactly when inet.inet_num
	 * is not 0 (port.c keeps both together, as inet_bind_hash() and
	 * __inet_put_port() keep icsk_bind_hash and inet_num).
	 */
	struct xtcp_port *port;
	struct hlist_node port_node;	/* child: on port->sk_owners */
	/* The namespace's xtcp state, net_generic() of sock_net() read
	 * once (xtcp_init_sock_common()), as the lookup is an RCU section
	 * and two loads on every use.  It lives until the namespace's
	 * xtcp exit: a user's socket holds the namespace, a kernel
	 * socket (sk_net_refcnt 0) must be gone by then, as it must for
	 * net_generic() too.
	 */
	struct xtcp_net *xn;

	/* Send sequence space (RFC 9293 s.3.3.1). */
	u32 iss;
	u32 snd_una;		/* oldest unacknowledged */
	u32 snd_nxt;		/* next to send */
	u32 snd_sml;		/* end of the last small segment sent */
	u32 snd_wnd;		/* peer's window */
	u32 snd_wl1;		/* seq of the segment that set snd_wnd */
	u32 write_seq;		/* end of the data queued by the user */
	u32 pushed_seq;		/* write_seq when PSH was last marked */
	/* Urgent data we send (urg.c): just past the last byte written with
	 * MSG_OOB; snd_una while there is none (Linux's snd_up).
	 */
	u32 snd_up;
	u32 max_window;		/* largest window the peer advertised */
	u64 bytes_acked;	/* data (and FIN) the peer acknowledged */
	u16 mss;		/* segment size we send */
	u16 peer_mss;		/* peer's MSS option, at most TCP_MAXSEG */
	u16 advmss;		/* MSS option we send */
	u16 user_mss;		/* TCP_MAXSEG, 0 if unset */
	u32 packets_out;	/* segments on the retransmission queue */
	u32 pmtu_cookie;	/* path MTU the MSS was computed from */
	u32 mtu_info;		/* MTU of the last ICMP "fragmentation
				 * needed", for a deferred reduction
				 */

	/* Receive sequence space. */
	u32 irs;
	u32 rcv_nxt;		/* next expected */
	u32 rcv_wnd;		/* window last advertised */
	u32 rcv_wup;		/* rcv_nxt when rcv_wnd was advertised */
	u32 copied_seq;		/* next byte for the reader */
	/* Urgent data received (urg.c, RFC 9293 s.3.8.5 as Linux keeps it):
	 * urg_seq, the urgent byte's sequence number, and urg_data, 0 or
	 * <net/tcp.h>'s TCP_URG_NOTYET (pointer seen, byte not yet in),
	 * TCP_URG_VALID | the byte, TCP_URG_READ (taken by MSG_OOB).
	 */
	u32 urg_seq;
	u16 urg_data;

	/* Options negotiated in the handshake and the receive window
	 * (RFC 7323, RFC 2018): window.c, with the arithmetic of rwin.c.
	 * window_clamp is the largest window we will ever offer,
	 * rcv_ssthresh the current soft limit on it (tcp_sock's fields);
	 * snd_wscale shifts the peer's window fields, rcv_wscale ours.
	 */
	u32 window_clamp;
	u32 rcv_ssthresh;
	u8 snd_wscale : 4,	/* 0..14 */
	   rcv_wscale : 4;	/* 0..14 */
	u8 sack_ok : 1,		/* both sent SACK-permitted */
	   wscale_ok : 1,	/* both sent window scale */
	   tstamp_ok : 1;	/* both sent timestamps: set by tstamp.c */

	/* SACK blocks we report (RFC 2018, RFC 2883), sack_rcv.c.  Kept on
	 * connections with sack_ok by input.c, sent by output.c (Linux's
	 * rx_opt.num_sacks/dsack, selective_acks[], duplicate_sack[]).
	 */
	struct xtcp_sack_rcv sack_rcv;

	/* Out-of-order data: an rbtree keyed by sequence number (skb->rbnode),
	 * charged to the receive buffer like in-order data, as Linux's
	 * out_of_order_queue; ooo_last_skb is its highest skb.
	 */
	struct rb_root out_of_order_queue;
	struct sk_buff *ooo_last_skb;

	/* Receive buffer autotuning (dynamic right-sizing, Linux's
	 * rcvq_space and rcv_rtt_est): what the reader consumed since
	 * rcvq_time, and the receiver's estimate of the RTT.
	 */
	u32 rcvq_space;		/* bytes consumed in the last RTT measured */
	u32 rcvq_seq;		/* copied_seq at rcvq_time */
	u64 rcvq_time;		/* us; 0 before the first measurement */
	u32 rcv_rtt_us8;	/* receiver RTT estimate, 1/8 us; 0 if none */
	u32 rcv_rtt_seq;	/* sample ends when rcv_nxt passes this */
	u64 rcv_rtt_time;	/* us, start of the sample; 0 if none */
	u32 rcv_rtt_last_tsecr;	/* TSecr of the last timestamp sample, ms */

	/* Timestamps (RFC 7323), tstamp.c. */
	u32 tsoffset;		/* added to the clock (ms) in our TSval */
	u32 ts_recent;		/* TSval to echo (RFC 7323 s.4.3) */
	u32 ts_recent_stamp;	/* when ts_recent was set, seconds */
	u32 syn_ts;		/* xtcp_ts_clock() at our first SYN */
	u64 syn_sent_us;	/* xtcp_clock_us() at our first SYN, the
				 * handshake's RTT sample
				 */
	u64 tcp_mstamp;		/* xtcp_clock_us() at the event being
				 * handled (a segment, a timer, a send
				 * batch), Linux's tcp_mstamp:
				 * xtcp_mstamp_refresh()
				 */
	u64 wstamp_us;		/* tcp_mstamp when the socket last handed
				 * a segment to IP, Linux's tcp_wstamp_ns
				 * (without pacing the same: the send
				 * clock of the last __tcp_transmit_skb())
				 */

	/* Retransmission (RFC 6298) and loss recovery.  rtx_queue holds
	 * what was sent and is not yet cumulatively acknowledged, an rbtree
	 * of skbs (skb->rbnode) keyed by sequence number, as Linux's
	 * tcp_rtx_queue.  Its scoreboard counts segments (Linux's
	 * sacked_out, lost_out, retrans_out): those marked SACKED_ACKED,
	 * LOST and SACKED_RETRANS; without SACK, sacked_out counts the
	 * duplicate ACKs instead (Linux's tcp_add_reno_sack()).
	 * lost_skb_hint is where the loss marking walk
	 * (xtcp_mark_head_lost()) resumes, lost_cnt_hint the SACKed
	 * segments before it; retransmit_skb_hint where the hole resending
	 * walk resumes (Linux's hints of the same names).
	 */
	struct rb_root rtx_queue;
	u32 sacked_out;
	u32 lost_out;
	u32 retrans_out;
	u32 lost_cnt_hint;
	struct sk_buff *lost_skb_hint;
	struct sk_buff *retransmit_skb_hint;
	u32 total_retrans;	/* segments retransmitted, ever */
	u32 dsack_dups;		/* segments D-SACKed (RFC 2883), ever */
	/* The blocks of the last ACK's SACK option, tagged already: a
	 * block that grows is walked only for what is new
	 * (Linux's recv_sack_cache).
	 */
	struct xtcp_sack_block recv_sack_cache[XTCP_NUM_SACKS];
	/* RACK (RFC 8985 s.6, sacktag.c).  tsorted_sent_queue holds the
	 * retransmission queue's skbs in the order they were last sent,
	 * less those SACKed and those RACK took as lost and not yet resent
	 * (Linux's tsorted_sent_queue), so that a loss detection walk stops at the
	 * first skb sent after RACK's reference.  reordering is the
	 * duplicate threshold in segments (tp->reordering, from
	 * net.xtcp.tcp_reordering), reord_seen the times reordering was
	 * detected, delivered the segments delivered (cumulatively ACKed,
	 * SACKed or D-SACKed; tp->delivered), highest_sack_end the end of
	 * the highest SACKed skb (tcp_highest_sack_seq() while sacked_out),
	 * rack_lost the segments RACK marked lost, lost the segments ever
	 * marked lost, lost retransmissions included (tp->lost: the
	 * difference over an ACK is PRR's newly_lost).
	 */
	struct list_head tsorted_sent_queue;
	struct xtcp_rack rack;
	u32 reordering;
	u32 reord_seen;
	u32 delivered;
	struct xtcp_rate rate;	/* delivery rate estimation (rate.c) */
	u8 ca_state;		/* last reported to ->set_state */
	/* The receiver reneged on SACKed data: no rate samples until this
	 * loss episode is over (Linux's is_sack_reneg).
	 */
	u8 is_sack_reneg;
	u32 highest_sack_end;
	u32 rack_lost;
	u32 lost;
	/* Proportional Rate Reduction (RFC 6937, input.c): the state of
	 * the cwnd reduction under way in Recovery or CWR (Linux's
	 * prior_cwnd, prr_delivered, prr_out).
	 */
	struct xtcp_prr prr;
	/* Tail loss probe (RFC 8985 s.7, output.c): tlp_high_seq is
	 * SND.NXT when the outstanding probe was sent, 0 when none (one
	 * probe per tail loss episode), tlp_retrans whether that probe was
	 * a retransmission rather than new data (Linux's fields of the same
	 * names).  loss_probes counts the probes sent and
	 * loss_probe_recoveries those whose ACK showed that they repaired a
	 * loss, per connection as the other counters here (Linux's
	 * TCPLossProbes and TCPLossProbeRecovery, which it counts per
	 * namespace).
	 */
	u32 tlp_high_seq;
	u8 tlp_retrans;
	u32 loss_probes;
	u32 loss_probe_recoveries;
	struct xtcp_rtt rtt;
	u32 retrans_stamp;	/* jiffies of the first retransmission's
				 * original send, 0 when none pending
				 */
	u32 high_seq;		/* RFC 6582's "recover": snd_nxt when the
				 * last recovery, RTO, CWR or reduction
				 * began (F-RTO step 2b: when it sent new
				 * data); read for entering or ending a
				 * state only in those states (F-RTO's
				 * orig_acked reads it always, as Linux)
				 */
	/* Undo of a cwnd reduction found spurious (input.c, Linux's
	 * tcp_init_undo(), tcp_may_undo(), tcp_undo_cwnd_reduction()):
	 * undo_marker is SND.UNA when the recovery (fast, or after an RTO)
	 * began, 0 when there is nothing to undo; undo_retrans the
	 * retransmissions since then that no D-SACK has shown spurious
	 * yet (0: all were, -1: none was sent); prior_ssthresh what the
	 * reduction took (0: not to be given back, after ECN), the cwnd it
	 * took being prr.prior_cwnd, set where PRR or an RTO begins one.
	 * undo_stamp is the first retransmission's send time in ms (its
	 * TSval without tsoffset),
	 * 0 when none is pending: Linux's
	 * retrans_stamp as tcp_packet_delayed() reads it (xtcp's
	 * retrans_stamp, in jiffies, serves the timeouts and is cleared
	 * by every ACK that moves SND.UNA).  frto: F-RTO (RFC 5682) runs
	 * for the current RTO (tp->frto).  The counters are Linux's
	 * TCPFullUndo, TCPPartialUndo, TCPDSACKUndo, TCPLossUndo and
	 * TCPSpuriousRTOs, per connection.
	 */
	u32 undo_marker;
	int undo_retrans;
	u32 prior_ssthresh;
	u32 undo_stamp;
	u8 frto;
	u32 full_undos;
	u32 partial_undos;
	u32 dsack_undos;
	u32 loss_undos;
	u32 spurious_rtos;
	u8 retransmits;		/* consecutive timeouts */
	u8 in_recovery;
	u8 in_loss;		/* after an RTO (or a path MTU drop) until
				 * high_seq is acknowledged: Linux's
				 * TCP_CA_Loss
				 */
	u8 probes;		/* zero-window or keepalive probes without
				 * answer (Linux's icsk_probes_out)
				 */
	u8 probe_backoff;	/* zero-window probes since the window
				 * closed: the probe interval doubles
				 */
	u32 probes_tstamp;	/* jiffies of the first zero-window probe
				 * timeout since the window closed, 0 if
				 * none (Linux's icsk_probes_tstamp)
				 */
	u32 last_oow_ack_time;	/* jiffies of the last rate-limited reply
				 * (dupack, challenge ACK), 0 if none
				 */
	u32 rcv_tstamp;		/* jiffies of the last acceptable ACK
				 * (Linux's tp->rcv_tstamp)
				 */
	u32 lrcvtime;		/* jiffies of the last in-order data
				 * (Linux's icsk_ack.lrcvtime)
				 */

	/* Delayed ACK (Linux's icsk_ack; delack.c).  lrcvtime above is
	 * icsk_ack.lrcvtime.
	 */
	struct xtcp_wtimer delack_timer;
	unsigned long ack_timeout;	/* jiffies: the delayed ACK is due */
	u32 ato;		/* jiffies: ACK delay, 0 before any data */
	u16 rcv_mss;		/* estimate of the peer's segment size */
	u16 last_seg_size;	/* size of the last sub-MSS segment */
	u8 ack_pending;		/* ICSK_ACK_* */
	u8 ack_quick;		/* ACKs left in quick-ACK mode */
	u8 ack_pingpong;	/* interactive: TCP_PINGPONG_THRESH */
	u8 ack_retry;		/* ACKs in a row that could not be built */
	/* SACK compression (delack.c, sack_comp.c): ACKs of out-of-order
	 * data held back and comp_ack_timer, which sends one for them
	 * (Linux's compressed_ack state and compressed_ack_timer).  An
	 * hrtimer, not on the wheel: it waits at most
	 * tcp_comp_sack_delay_ns, by default 1 ms, a quarter of the
	 * wheel's 4 ms jiffy at HZ=250.  Armed, it holds a socket
	 * reference.
	 */
	struct xtcp_sack_comp sack_comp;
	struct hrtimer comp_ack_timer;

	/* Keepalive (keepalive.c): TCP_KEEPIDLE and TCP_KEEPINTVL in
	 * jiffies, TCP_KEEPCNT; 0 means the namespace's sysctl.
	 */
	int keepalive_time;
	int keepalive_intvl;
	u8 keepalive_probes;

	/* TCP_SYNCNT: SYN (and, on a listener, SYN-ACK) retransmissions
	 * before giving up, 0 for the namespace's tcp_syn_retries
	 * (tcp_synack_retries); TCP_LINGER2: how long an orphan waits in
	 * FIN_WAIT2, jiffies, 0 for tcp_fin_timeout, -1 not at all (Linux's
	 * icsk_syn_retries and linger2).  Inherited by accepted children.
	 */
	u8 syn_retries;
	int linger2;
	/* TCP_DEFER_ACCEPT, as SYN-ACK timeouts (secs_to_retrans(), Linux's
	 * rskq_defer_accept): a listener leaves a handshake's bare ACK
	 * unanswered until that many, a connecting socket holds the ACK of
	 * the SYN-ACK (xtcp_hold_handshake_ack()).  Not inherited.
	 */
	u8 defer_accept;
	/* TCP_THIN_LINEAR_TIMEOUTS (Linux's thin_lto): see
	 * xtcp_thin_linear().  Inherited by accepted children.
	 */
	u8 thin_lto;
	/* TCP_SAVE_SYN on a listener: 1 keeps each SYN's IPv4 and TCP
	 * headers, 2 from the MAC header on; the connection it makes holds
	 * them (saved_syn, <net/request_sock.h>'s struct) until
	 * TCP_SAVED_SYN reads them once.  Inherited by accepted children.
	 */
	u8 save_syn;
	struct saved_syn *saved_syn;
	/* TCP_USER_TIMEOUT (RFC 5482 as Linux applies it): ms that data may
	 * stay unacknowledged, or a closed window unopened, before the
	 * connection is given up; 0 for Linux's retry counts.
	 */
	u32 user_timeout;
	/* TCP_NOTSENT_LOWAT: bytes written but not yet sent above which
	 * the socket is not writable; 0 for net.xtcp.tcp_notsent_lowat.
	 */
	u32 notsent_lowat;
	/* TCP_TX_DELAY: usecs added to the departure time (skb->tstamp,
	 * honoured by the fq qdisc) of everything the socket sends, its
	 * TIME_WAIT entry's segments, and on a listener what its SYN queue
	 * entries send: SYN-ACKs, ACKs and RSTs (Linux's tcp_tx_delay,
	 * tcp_add_tx_delay()).  Inherited.
	 */
	u32 tx_delay;
	/* TCP_INQ: each recvmsg() gets a TCP_CM_INQ control message with
	 * the bytes left to read (Linux's recvmsg_inq).  Inherited.
	 */
	u8 recvmsg_inq;

	/* ECN (RFC 3168). ecn.c: Linux's TCP_ECN_* bits of tp->ecn_flags,
	 * and XTCP_ECN_IN_CWR for Linux's TCP_CA_CWR state.
	 */
	u8 ecn_flags;

	/* Congestion control (cong.c and the algorithm); ca_setsockopt: a
	 * TCP_CONGESTION succeeded on it, so its children keep its
	 * algorithm (Linux's icsk_ca_setsockopt).
	 */
	const struct xtcp_cong_ops *cong_ops;
	u8 ca_setsockopt;
	struct xtcp_cong cong;
	/* cwnd validation (cwnd.c, RFC 7661 and RFC 2861 as Linux's
	 * tcp_cwnd_validate()): whether cwnd limited the sender in the
	 * window that ends when SND.UNA reaches cwnd_usage_seq, else the
	 * most segments it had out in it (max_packets_out); the most
	 * segments out since cwnd was last used in full (snd_cwnd_used)
	 * and when it last was, or last changed (snd_cwnd_stamp, jiffies).
	 */
	u32 max_packets_out;
	u32 cwnd_usage_seq;
	u32 snd_cwnd_used;
	u32 snd_cwnd_stamp;
	u8 is_cwnd_limited;

	/* Options and flags. */
	/* Linux's tp->nonagle: XTCP_NAGLE_OFF (TCP_NODELAY), _CORK
	 * (TCP_CORK), _PUSH (queued data goes whatever Nagle or the cork
	 * say, until the next write queues an skb).
	 */
	u8 nonagle;
	u8 fin_queued;		/* a FIN is on the send queue */
	u8 orphan_counted;
	u8 destroyed;		/* xtcp_destroy_sock() ran */

	/* Timers (timer.c); "rtx_timer" is retransmit, SYN, zero-window
	 * probe; "keepalive_timer" is keepalive and the orphaned FIN_WAIT2
	 * timeout.
	 */
	struct xtcp_wtimer rtx_timer;
	struct xtcp_wtimer keepalive_timer;
	unsigned long timer_deferred;	/* XTCP_*_TIMER_DEFERRED bits */
	/* TCP small queues (tsq.c): XTCP_TSQ_* bits, and the link on a
	 * CPU's tasklet list while XTCP_TSQ_QUEUED.
	 */
	unsigned long tsq_flags;
	struct list_head tsq_node;
	u8 rtx_timer_kind;	/* enum xtcp_rtx_kind */
	unsigned long rtx_timeout;	/* jiffies: when rtx_timer's work is due */

	/* Listener: SYN queue entries (req_list, syn_qlen counts them) and
	 * accepted-but-not-yet-accepted children (sk_ack_backlog counts
	 * them), both under accept_lock, which is also what orders adding
	 * to them against xtcp_stop_listening().
	 */
	spinlock_t accept_lock;
	struct list_head accept_queue;
	struct list_head accept_node;	/* child: on the parent's queue */
	struct list_head req_list;
	atomic_t syn_qlen;
	/* Of those, the entries whose SYN-ACK timer has not fired yet
	 * (Linux's queue->young), counted under accept_lock: the timer
	 * prunes old entries sooner when they fill the queue.
	 */
	int syn_young;
	/* jiffies of the last SYN answered with a cookie: cookie ACKs are
	 * looked at for two minutes after (tcp_synq_overflow()).
	 */
	unsigned long last_synq_overflow;
	u8 synflood_warned;	/* the "possible SYN flooding" line went */

	/* Per-connection counters for TCP_INFO (info.c), tcp_sock's: segments
	 * and data segments in and out (segs_in counts on delivery, under
	 * the socket lock), payload bytes sent (retransmissions included),
	 * retransmitted and received in order (FIN included, as
	 * tcp_rcv_nxt_update()), segments queued out of order, and jiffies
	 * of the last data sent.
	 */
	u32 segs_in;
	u32 data_segs_in;
	u32 segs_out;
	u32 data_segs_out;
	u64 bytes_sent;
	u64 bytes_retrans;
	u64 bytes_received;
	u32 rcv_ooopack;
	u32 lsndtime;
};

/* Timer work left to release_sock() (bits of xtcp_sock.timer_deferred). */
enum {
	XTCP_WRITE_TIMER_DEFERRED,
	XTCP_KEEPALIVE_TIMER_DEFERRED,
	XTCP_DELACK_TIMER_DEFERRED,
	XTCP_MTU_REDUCED_DEFERRED,	/* an ICMP lowered the path MTU */
	XTCP_TSQ_DEFERRED,	/* a completion found the socket owned */
	XTCP_COMP_ACK_DEFERRED,	/* comp_ack_timer found the socket owned */
};

/* TCP small queues (bits of xtcp_sock.tsq_flags; Linux's TSQF_*). */
enum {
	XTCP_TSQ_THROTTLED,	/* write_xmit stopped: too much below IP */
	XTCP_TSQ_QUEUED,	/* on a CPU's tasklet list */
};

enum xtcp_rtx_kind {
	XTCP_RTX_NONE,
	XTCP_RTX_RETRANS,	/* data or SYN/FIN retransmission */
	XTCP_RTX_PROBE,		/* zero-window probe (RFC 9293 s.3.8.6.1) */
	XTCP_RTX_REO,		/* RACK reorder timeout (ICSK_TIME_REO_TIMEOUT) */
	XTCP_RTX_TLP,		/* tail loss probe (ICSK_TIME_LOSS_PROBE) */
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* Bytes a socket's backlog may hold, with what its receive queue holds,
 * while the owner holds the socket (sk_add_backlog()): twice sk_rcvbuf,
 * half sk_sndbuf and 64 KiB, as Debian's 6.1 tcp_add_backlog(), so that
 * a window of data in flight fits while the owner copies.
 */
static inline u32 xtcp_backlog_limit(const struct sock *sk)
{
	u64 limit = ((u64)READ_ONCE(sk->sk_rcvbuf) << 1) +
		    ((u32)READ_ONCE(sk->sk_sndbuf) >> 1) + 64 * 1024;

	return min_t(u64, limit, UINT_MAX);
}

/* Linux's forced_push(): more than half the peer's largest window was
 * written since PSH was last marked.
 */
static inline bool xtcp_forced_push(const struct xtcp_sock *xsk)
{
	return (s32)(xsk->write_seq - (xsk->pushed_seq + (xsk->max_window >> 1))) > 0;
}

/* Segments in a send or retransmission queue skb (tcp_skb_pcount()). */
static inline u32 xtcp_skb_pcount(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->gso_segs;
}

/* The length of each but the last segment of @skb as it was counted (sent
 * or queued), 0 for one without data (Linux's tcp_skb_mss()): where a
 * queued skb is cut or trimmed at the size it went with, not the MSS of
 * now.
 */
static inline u32 xtcp_skb_mss(const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return cb->gso_segs > 1 ? cb->gso_size : skb->len;
}

/* The retransmission queue, Linux's tcp_rtx_queue_*() helpers. */
static inline struct sk_buff *xtcp_rtx_queue_head(const struct sock *sk)
{
	return skb_rb_first(&xtcp_sk(sk)->rtx_queue);
}

static inline struct sk_buff *xtcp_rtx_queue_tail(const struct sock *sk)
{
	return skb_rb_last(&xtcp_sk(sk)->rtx_queue);
}

static inline bool xtcp_rtx_queue_empty(const struct sock *sk)
{
	return RB_EMPTY_ROOT(&xtcp_sk(sk)->rtx_queue);
}

/* At most one skb (tcp_rtx_queue_empty_or_single_skb()). */
static inline bool xtcp_rtx_queue_empty_or_single_skb(const struct sock *sk)
{
	const struct rb_node *node = xtcp_sk(sk)->rtx_queue.rb_node;

	return !node || (!node->rb_left && !node->rb_right);
}

static inline void xtcp_rtx_queue_unlink(struct sk_buff *skb, struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (skb == xsk->lost_skb_hint)
		xsk->lost_skb_hint = NULL;
	if (skb == xsk->retransmit_skb_hint)
		xsk->retransmit_skb_hint = NULL;
	list_del_init(&XTCP_SKB_CB(skb)->tsorted_anchor);
	rb_erase(&skb->rbnode, &xsk->rtx_queue);
}

/* The skb whose control block holds @anchor (tsorted_sent_queue). */
static inline struct sk_buff *xtcp_tsorted_skb(struct list_head *anchor)
{
	struct xtcp_skb_cb *cb = list_entry(anchor, struct xtcp_skb_cb,
					    tsorted_anchor);

	return (struct sk_buff *)((char *)cb - offsetof(struct sk_buff, cb));
}

/* Forget where the scoreboard walks stopped (tcp_clear_all_retrans_hints()). */
static inline void xtcp_clear_all_retrans_hints(struct xtcp_sock *xsk)
{
	xsk->lost_skb_hint = NULL;
	xsk->retransmit_skb_hint = NULL;
}

/* Segments SACKed or taken as lost (tcp_left_out()). */
static inline u32 xtcp_left_out(const struct xtcp_sock *xsk)
{
	return xsk->sacked_out + xsk->lost_out;
}

/* The right edge of the peer's window, SND.UNA + SND.WND (tcp_wnd_end()). */
static inline u32 xtcp_wnd_end(const struct xtcp_sock *xsk)
{
	return xsk->snd_una + xsk->snd_wnd;
}

/* Segments in the network, RFC 6675's "pipe" as Linux's
 * tcp_packets_in_flight(): sent and not acknowledged, less those SACKed
 * or lost, plus the retransmissions of lost ones.  Without SACK the
 * scoreboard counters stay 0 and this is packets_out.
 */
static inline u32 xtcp_packets_in_flight(const struct xtcp_sock *xsk)
{
	return xsk->packets_out - xtcp_left_out(xsk) + xsk->retrans_out;
}

/* Interactive (pingpong) mode of the delayed-ACK state (delack.c), as
 * inet_csk_in_pingpong_mode(), inet_csk_enter_pingpong_mode() and
 * inet_csk_exit_pingpong_mode().
 */
static inline bool xtcp_in_pingpong_mode(const struct xtcp_sock *xsk)
{
	return xsk->ack_pingpong >= TCP_PINGPONG_THRESH;
}

static inline void xtcp_enter_pingpong_mode(struct xtcp_sock *xsk)
{
	WRITE_ONCE(xsk->ack_pingpong, TCP_PINGPONG_THRESH);
}

static inline void xtcp_exit_pingpong_mode(struct xtcp_sock *xsk)
{
	WRITE_ONCE(xsk->ack_pingpong, 0);
}

static inline struct sock *xtcp_hn_sk(struct xtcp_hnode *hn)
{
	return &container_of(hn, struct xtcp_sock, hn)->inet.sk;
}

/* Timer references: one rule for every timer of a socket, a SYN queue
 * entry or a TIME_WAIT entry, stated in include/net/xtcp_timer.h. A
 * pending timer holds one reference on its owner, taken by the arm that
 * found it not pending and given back by the cancel that removes it or
 * by the handler of the run it fired. Cancels never wait: whoever takes
 * an owner out of service marks it (state, "dead") first, and handlers
 * check the mark under the owner's lock, or right after re-arming.
 */

/* struct xtcp_request's "dead": who took it off the tables. */
#define XTCP_REQ_DROPPED	1
#define XTCP_REQ_CHILD		2

/* A SYN queue entry: a connection between SYN and the third ACK
 * (RFC 9293 SYN-RECEIVED), kept small until the handshake completes.
 * "dead" is set, and the entry taken off its listener's req_list, under
 * the listener's accept_lock by whoever takes it off the tables.
 */
struct xtcp_request {
	struct xtcp_hnode hn;
	refcount_t ref;
	struct sock *listener;	/* holds a reference */
	struct list_head lnode;	/* on the listener's req_list */
	struct xtcp_wtimer timer;	/* SYN-ACK retransmission */
	u32 iss;
	u32 irs;
	u16 peer_mss;
	u16 advmss;
	u32 rcv_wnd;		/* window the SYN-ACK offers (unscaled) */
	u32 window_clamp;	/* largest window the child may offer */
	u8 retries;		/* SYN-ACK timeouts (Linux's num_timeout) */
	u8 dead;		/* taken off the tables: XTCP_REQ_DROPPED,
				 * or XTCP_REQ_CHILD for a child
				 */
	/* The peer ACKed our SYN but no child was made: a bare ACK under
	 * TCP_DEFER_ACCEPT, or a full accept queue (inet_rsk(req)->acked).
	 */
	u8 acked;
	u8 num_retrans;		/* SYN-ACKs sent again (Karn: no RTT sample) */
	/* Negotiated from the SYN (tcp_openreq_init()), as in xtcp_sock. */
	u8 snd_wscale : 4,
	   rcv_wscale : 4;
	u8 sack_ok : 1,
	   wscale_ok : 1,
	   tstamp_ok : 1,	/* timestamps (RFC 7323) offered by both */
	   ecn_ok : 1,		/* SYN asked for ECN and we agreed (ecn.c) */
	   cookie : 1;		/* a SYN cookie's: never on a table */
	u32 last_oow_ack_time;	/* xtcp_oow_rate_limited() stamp */
	struct saved_syn *saved_syn;	/* TCP_SAVE_SYN's copy, for the child */
	u64 snt_synack;		/* xtcp_clock_us() of the last SYN-ACK, 0: none */
	u32 synack_ts;		/* xtcp_ts_clock() the first SYN-ACK's TSval
				 * carried (offset taken off), 0: none
				 */
	u32 ts_recent;		/* TSval to echo (tstamp.c) */
	u32 ts_off;		/* our TSval offset */
	struct rcu_head rcu;
};

/* A TIME_WAIT entry: what is left of a closed connection for 2*MSL
 * (RFC 9293 s.3.6.1).
 */
struct xtcp_tw {
	struct xtcp_hnode hn;
	refcount_t ref;
	struct xtcp_port *port;
	struct xtcp_wtimer timer;	/* end of 2*MSL */
	u32 snd_nxt;
	u32 rcv_nxt;
	u32 rcv_wnd;		/* what was left of the last window */
	u32 last_oow_ack_time;	/* xtcp_oow_rate_limited() stamp */
	/* Timestamps (RFC 7323), tstamp.c: ts_recent_stamp 0 means none. */
	u32 ts_recent;
	u32 ts_recent_stamp;	/* seconds */
	u32 ts_offset;
	u32 tx_delay;		/* the socket's TCP_TX_DELAY, usecs */
	u8 rcv_wscale;		/* our shift, for the window of its ACKs */
	u8 dead;
	u8 reuse;		/* the socket's sk_reuse and sk_reuseport, */
	u8 reuseport;		/* for bind conflicts (port.c) */
	struct hlist_node port_node;	/* on port->tw_owners */
	struct rcu_head rcu;
};

/* Per network namespace state: the sysctl knobs under net.xtcp.*, with
 * the C types Linux 6.1 uses for the net.ipv4.tcp_* twin of each knob.
 * Times are kept in jiffies, as proc_dointvec_jiffies stores them.
 */
struct xtcp_net {
	u8 syn_retries;
	u8 synack_retries;
	u8 retries1;
	u8 retries2;
	u8 keepalive_probes;
	u8 sack;
	u8 timestamps;
	u8 window_scaling;
	u8 syncookies;
	u8 rfc1337;
	u8 abort_on_overflow;
	int fin_timeout;
	int keepalive_time;
	int keepalive_intvl;
	int max_orphans;
	int max_syn_backlog;
	int rmem[3];
	int wmem[3];
	int invalid_ratelimit;		/* jiffies */
	int challenge_ack_limit;	/* per second, INT_MAX: no limit */
	u32 challenge_timestamp;	/* second of challenge_count */
	u32 challenge_count;		/* challenge ACKs left this second */
	int max_tw_buckets;
	u8 orphan_retries;
	/* ECN (ecn.c): tcp_ecn, tcp_ecn_fallback. */
	u8 ecn;
	u8 ecn_fallback;
	/* Receive window and buffer auto-tuning (window.c). */
	u8 moderate_rcvbuf;
	int adv_win_scale;
	/* SACK blocks we send (input.c, sack_rcv.c): tcp_dsack. */
	u8 dsack;
	/* Loss detection (sacktag.c): tcp_recovery (XTCP_RACK_* bits),
	 * tcp_reordering (the initial duplicate threshold, segments) and
	 * tcp_max_reordering (its bound).
	 */
	u8 recovery;
	/* Tail loss probe (output.c): tcp_early_retrans, 3 or 4 enable it. */
	u8 early_retrans;
	/* F-RTO after an RTO (input.c, timer.c): tcp_frto, non-zero on. */
	u8 frto;
	/* Early demux (demux.c): tcp_early_demux, non-zero on. */
	u8 early_demux;
	/* Restart window after idle, application-limited decay (cwnd.c):
	 * tcp_slow_start_after_idle, non-zero on.
	 */
	u8 slow_start_after_idle;
	/* Linear RTOs for thin streams (timer.c): tcp_thin_linear_timeouts,
	 * non-zero on for every connection (TCP_THIN_LINEAR_TIMEOUTS per
	 * socket).
	 */
	u8 thin_linear_timeouts;
	/* HyStart++ (RFC 9406) in CUBIC's initial slow start, non-zero on;
	 * xtcp's own knob (net.xtcp.tcp_cubic_hystart, no net.ipv4 twin).
	 */
	u8 cubic_hystart;
	int reordering;
	int max_reordering;
	/* ACK compression for out-of-order data (delack.c):
	 * tcp_comp_sack_nr, tcp_comp_sack_delay_ns, tcp_comp_sack_slack_ns.
	 */
	u8 comp_sack_nr;
	unsigned long comp_sack_delay_ns;
	unsigned long comp_sack_slack_ns;
	/* Min-RTT window (input.c), seconds; GSO autosizing (sendq.c). */
	int min_rtt_wlen;
	u8 tso_rtt_log;
	/* TSO deferral (output.c): a cwnd share that is sent at once. */
	u8 tso_win_divisor;

	/* Bytes a socket may have below IP (tsq.c). */
	int limit_output_bytes;
	/* Unsent bytes a writable socket may hold (stream.c). */
	unsigned int notsent_lowat;

	/* Default congestion control for new sockets; never NULL. */
	const struct xtcp_cong_ops __rcu *cong_default;

	atomic_t orphans;
	atomic_t tw_count;	/* TIME_WAIT entries on the tables */
	/* Full sockets on the established hash (hash.c): early demux looks
	 * nothing up while there is none.  Written under its lock.
	 */
	int ehash_socks;
	/* Early demux's hook here: not yet, registered, or never again
	 * (the namespace is going; demux.c).
	 */
	u8 demux_hooked;

	/* MIB counters (mib.c, include/net/xtcp_mib.h). */
	DEFINE_SNMP_STAT(struct xtcp_mib, mib);

	struct ctl_table_header *sysctl_hdr;
};

extern unsigned int xtcp_net_id;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* xtcp_pernet(sock_net(sk)) for a full xtcp socket @sk. */
static inline struct xtcp_net *xtcp_sk_pernet(const struct sock *sk)
{
	return xtcp_sk(sk)->xn;
}

static inline struct net *xtcp_hn_net(const struct xtcp_hnode *hn)
{
	return read_pnet(&hn->net);
}

/* af_xtcp.c */
extern int xtcp_family;
extern struct proto xtcp_prot;
/* net.xtcp.tcp_mem (pages), global as Linux's tcp_mem */
extern long sysctl_xtcp_mem[3];
extern atomic_long_t xtcp_memory_allocated;
DECLARE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
extern struct percpu_counter xtcp_sockets_allocated;
extern struct percpu_counter xtcp_ports_allocated;
extern const struct proto_ops xtcp_stream_ops;
void xtcp_set_state(struct sock *sk, int state);
void xtcp_state_store(struct sock *sk, int state);
void xtcp_done(struct sock *sk);
void xtcp_write_err(struct sock *sk);
s64 xtcp_user_timeout_left(const struct xtcp_sock *xsk, u32 stamp);
void xtcp_init_sock_common(struct sock *sk, const struct sock *parent);
void xtcp_destroy_sock(struct sock *sk);
int xtcp_close_state(struct sock *sk);

/* connect.c: connect, listen, accept */
int xtcp_stream_connect(struct socket *sock, struct sockaddr *uaddr,
			int addr_len, int flags);
int xtcp_listen(struct socket *sock, int backlog);
int xtcp_accept(struct socket *sock, struct socket *newsock, int flags,
		bool kern);
int xtcp_disconnect(struct sock *sk);
void xtcp_stop_listening(struct sock *sk);
void xtcp_child_abort(struct sock *child);
void xtcp_setup_caps(struct sock *sk, struct dst_entry *dst);

/* stream.c: data transfer calls */
int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size);
int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags);
__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait);
void xtcp_sk_write_space(struct sock *sk);
bool xtcp_stream_writable(const struct sock *sk);
bool xtcp_stream_memory_free(const struct sock *sk, int wake);
void xtcp_check_space(struct sock *sk);
bool xtcp_epollin_ready(const struct sock *sk, int target);
void xtcp_data_ready(struct sock *sk);

/* cong.c: registry of congestion control algorithms */
#define XTCP_CONG_BUF_MAX	2048	/* "name name ...", TCP_CA_BUF_MAX */
void xtcp_cong_register_builtin(void);
bool xtcp_cong_get(const struct xtcp_cong_ops *ops);
void xtcp_cong_put(const struct xtcp_cong_ops *ops);
const struct xtcp_cong_ops *xtcp_cong_default_get(struct xtcp_net *xn);
int xtcp_cong_set_default(struct xtcp_net *xn, const char *name);
void xtcp_cong_net_init(struct net *net, struct xtcp_net *xn);
void xtcp_cong_net_exit(struct xtcp_net *xn);
void xtcp_cong_available(char *buf, size_t len);
void xtcp_cong_allowed(char *buf, size_t len);
int xtcp_cong_set_allowed(const char *list);
void xtcp_cong_allow(const struct xtcp_cong_ops *ops);
int xtcp_set_congestion_control(struct sock *sk, const char *name,
				bool cap_net_admin);

/* sysctl.c */
int xtcp_sysctl_net_init(struct net *net, struct xtcp_net *xn);
void xtcp_sysctl_net_exit(struct xtcp_net *xn);
int xtcp_sysctl_init(void);
void xtcp_sysctl_exit(void);

/* proc.c */
int xtcp_proc_net_init(struct net *net);
void xtcp_proc_net_exit(struct net *net);

/* sockstat.c: /proc/net/xtcp_sockstat */
int xtcp_sockstat_net_init(struct net *net);
void xtcp_sockstat_net_exit(struct net *net);

/* hash.c: established, listener and bind tables */
void xtcp_hn_init(struct xtcp_hnode *hn, struct net *net, u8 kind);
int xtcp_ehash_insert(struct xtcp_hnode *hn);
bool xtcp_ehash_used(const struct net *net, __be32 laddr, __be16 lport,
		     __be32 raddr, __be16 rport);
void xtcp_ehash_replace(struct xtcp_hnode *old, struct xtcp_hnode *new);
void xtcp_ehash_remove(struct xtcp_hnode *hn);
int xtcp_lhash_insert(struct xtcp_hnode *hn);
void xtcp_lhash_remove(struct xtcp_hnode *hn);
struct xtcp_hnode *xtcp_lookup_established(struct net *net, __be32 saddr,
					   __be16 sport, __be32 daddr,
					   __be16 dport, int dif);
struct sock *xtcp_lookup_listener(struct net *net, struct sk_buff *skb,
				  int doff, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport, int dif);
void xtcp_bhash_add(struct xtcp_hnode *hn);
void xtcp_bhash_del(struct xtcp_hnode *hn);
unsigned int xtcp_bhash_size(void);
struct xtcp_hnode *xtcp_bhash_walk(const struct net *net,
				   unsigned int *bucket, unsigned int *offset);
void xtcp_hash_purge(struct net *net);
bool xtcp_hn_hold(struct xtcp_hnode *hn);
void xtcp_hn_put(struct xtcp_hnode *hn);

/* port.c: port reservation shared with native TCP */
int xtcp_port_reserve(struct sock *sk, const struct sockaddr_in *addr,
		      bool user);
int xtcp_port_connect(struct sock *sk);
void xtcp_port_child_attach(struct sock *child, struct xtcp_port *port);
void xtcp_port_tw_attach(struct xtcp_tw *tw, struct xtcp_port *port);
void xtcp_port_tw_detach(struct xtcp_tw *tw);
void xtcp_port_put(struct xtcp_port *port);
void xtcp_port_orphan(struct sock *sk);
void xtcp_port_release(struct sock *sk);
void xtcp_port_sync_opts(struct sock *sk);
int xtcp_port_listen(struct sock *sk);
void xtcp_port_unlisten(struct sock *sk);
int xtcp_port_init(void);
void xtcp_port_exit(void);
int xtcp_port_inuse(struct net *net);

/* demux.c: early demux, a connection's cached input route */
void xtcp_rx_dst_update(struct sock *sk, const struct sk_buff *skb);
void xtcp_rx_dst_reset(struct sock *sk);
void xtcp_demux_enable(struct net *net);
void xtcp_demux_net_exit(struct net *net);

/* protocol.c: the IPPROTO_TCP input hook */
int xtcp_protocol_init(void);
void xtcp_protocol_exit(void);
bool xtcp_sk_filter(struct sock *sk, struct sk_buff *skb);

/* input.c */
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb);
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   u32 *last);
bool xtcp_challenge_ack_ok(struct net *net, u32 *last);
void xtcp_ooo_purge(struct sock *sk);
void xtcp_err(struct sock *sk, int type, int code, u32 info, u32 seq);
void xtcp_init_cwnd_reduction(struct sock *sk);
void xtcp_cwnd_reduction(struct sock *sk, u32 newly_acked_sacked,
			 u32 newly_lost, bool snd_una_advanced);
void xtcp_end_cwnd_reduction(struct sock *sk);
struct xtcp_options_received;
void xtcp_rcv_syn_options(const struct net *net, const struct xtcp_skb_cb *cb,
			  struct xtcp_options_received *rx);
void xtcp_update_rtt(struct sock *sk, u32 rtt_us);

/* The windowed minimum RTT, us; ~0U before any sample (tcp_min_rtt()). */
static inline u32 xtcp_min_rtt(const struct xtcp_sock *xsk)
{
	return xtcp_rtt_min_us(&xsk->rtt);
}

/* output.c */
int xtcp_connect_send_syn(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp);
void xtcp_tw_send_reset_reply(const struct xtcp_tw *tw, struct sk_buff *skb);
void xtcp_sk_send_reset_reply(const struct sock *sk, struct sk_buff *skb);
void xtcp_push(struct sock *sk, int flags, int nonagle);
void xtcp_mark_push(struct sock *sk, struct sk_buff *skb);
struct xtcp_out_options;
void xtcp_send_ack_reply(struct net *net, const struct xtcp_hnode *hn,
			 u32 seq, u32 ack, u16 window, u8 flags,
			 const struct xtcp_out_options *opts, u32 tx_delay);
void xtcp_send_fin(struct sock *sk);
void xtcp_forced_mem_schedule(struct sock *sk, int size);
struct sk_buff *xtcp_queue_tail_skb(struct sock *sk, gfp_t gfp);
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_wmem_purge(struct sock *sk);
/* xtcp_sock.nonagle and xtcp_write_xmit()'s @nonagle: Linux's
 * TCP_NAGLE_OFF, _CORK and _PUSH, with their values.
 */
#define XTCP_NAGLE_OFF		1
#define XTCP_NAGLE_CORK		2
#define XTCP_NAGLE_PUSH		4
void xtcp_write_xmit(struct sock *sk, int nonagle);
void xtcp_push_one(struct sock *sk);
bool xtcp_snd_wnd_test(const struct xtcp_sock *xsk, const struct sk_buff *skb,
		       u32 mss);
int xtcp_retransmit_all(struct sock *sk, bool init_undo);
void xtcp_xmit_retransmit_queue(struct sock *sk);
void xtcp_send_probe(struct sock *sk);
int xtcp_write_wakeup(struct sock *sk);
void xtcp_arm_probe(struct sock *sk);
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto);
void xtcp_send_loss_probe(struct sock *sk);
void xtcp_sync_mss(struct sock *sk, u32 pmtu);
void xtcp_update_mss(struct sock *sk);
void __xtcp_update_max_window(struct sock *sk, u32 wnd);
u32 xtcp_current_mss(struct sock *sk);

/**
 * xtcp_update_max_window() - note a window the peer offered
 * @sk: the socket, locked (spinlock held or owned by the caller)
 * @wnd: the window, bytes, already scaled
 *
 * max_window, the largest window the peer has offered, bounds the MSS
 * (xtcp_bound_mss()) and the size of a send skb (xtcp_size_goal()) at
 * half of it.  When @wnd is larger, max_window takes it and the MSS is
 * recomputed (__xtcp_update_max_window()), as Linux's
 * tcp_ack_update_window() calls tcp_sync_mss(): loopback's 64 KiB MTU
 * against a SYN-ACK's unscaled window of at most 64 KiB starts at half
 * an MSS, and gets the whole one once the window has grown.
 *
 * Context: softirq or process context, socket locked: the ACK path.
 */
static inline void xtcp_update_max_window(struct sock *sk, u32 wnd)
{
	if (unlikely(wnd > xtcp_sk(sk)->max_window))
		__xtcp_update_max_window(sk, wnd);
}

/**
 * xtcp_mss_clamp() - the peer's MSS option bounded by TCP_MAXSEG
 * @peer: the non-zero MSS option of the peer's SYN or SYN-ACK, bytes
 * @user: TCP_MAXSEG of the socket (of the listener for a request),
 *	  bytes; 0 if unset
 *
 * Linux's tcp_parse_options() on a SYN or SYN-ACK that carries the
 * option: rx_opt.mss_clamp, the option lowered to user_mss.  What xtcp
 * keeps in peer_mss, taken once, so that a TCP_MAXSEG set later does not
 * change the MSS.  Without the option the active side keeps what
 * connect() took (user_mss, tcp_connect_init()), the passive side 0
 * (536, tcp_conn_request()).
 *
 * Return: bytes.
 */
static inline u16 xtcp_mss_clamp(u16 peer, u16 user)
{
	return user && user < peer ? user : peer;
}

void xtcp_mtu_reduced(struct sock *sk);
void xtcp_sndbuf_expand(struct sock *sk);

/* sacktag.c: the SACK scoreboard of the retransmission queue */
/* The peer sends SACK blocks: both sides negotiated SACK (tcp_is_sack()). */
static inline bool xtcp_is_sack(const struct xtcp_sock *xsk)
{
	return xsk->sack_ok;
}

/* Loss detection by RACK rather than by the duplicate threshold:
 * net.xtcp.tcp_recovery has XTCP_RACK_LOSS_DETECTION (tcp_is_rack()).
 */
static inline bool xtcp_is_rack(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk_pernet(sk)->recovery) &
	       XTCP_RACK_LOSS_DETECTION;
}

/* The highest SACKed sequence, SND.UNA while nothing is SACKed
 * (tcp_highest_sack_seq()).
 */
static inline u32 xtcp_highest_sack_seq(const struct xtcp_sock *xsk)
{
	return xsk->sacked_out ? xsk->highest_sack_end : xsk->snd_una;
}

/* An skb not delivered before was delivered by this ACK
 * (tcp_rate_skb_delivered()): the sample is the most recently sent one's,
 * with what was snapshot when it was sent (xtcp_rate_skb_sent()), and
 * its send time starts the next send phase.  An skb without timing (a
 * SACKed one, which a reneging receiver may make us ACK again) counts
 * for nothing, RACK's prior_delivered included, as in Linux.
 */
static inline void xtcp_rate_skb_delivered(struct xtcp_sock *xsk,
					   struct xtcp_rate_sample *rs,
					   const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u64 sent = xtcp_skb_sent_us(skb);

	/* No timing: delivered before (SACKed, then reneged on). */
	if (cb->tx_deliv_delta_us == U32_MAX)
		return;
	if (!rs->prior_delivered ||
	    xtcp_rack_sent_after(sent, rs->prior_sent_us, cb->end_seq,
				 rs->last_end_seq)) {
		rs->prior_delivered = cb->tx_delivered;
		rs->prior_sent_us = sent;
		rs->last_end_seq = cb->end_seq;
		rs->prior_mstamp = cb->tx_deliv_delta_us == U32_MAX ? 0 :
				   sent - cb->tx_deliv_delta_us;
		rs->interval_us = cb->tx_first_delta_us;
		rs->is_app_limited = cb->tx_app_limited;
		rs->is_retrans = cb->retransmitted;
		xsk->rate.first_tx_us = sent;
	}
}

/**
 * struct xtcp_sack_rtt - what an ACK's SACK blocks give the RTT estimator
 * @first_sent_us: xtcp_clock_us() of the earliest send of a newly SACKed
 *	skb never retransmitted, 0 for none (Linux's first_sackt, the
 *	lowest such skb: originals go out in sequence order)
 * @last_sent_us: the latest such send (last_sackt), 0 for none
 */
struct xtcp_sack_rtt {
	u64 first_sent_us;
	u64 last_sent_us;
};

u32 xtcp_sacktag_write_queue(struct sock *sk, const struct sk_buff *ack_skb,
			     u32 prior_snd_una, struct xtcp_rate_sample *rs,
			     struct xtcp_sack_rtt *rtt);
void xtcp_sack_cache_reset(struct xtcp_sock *xsk);
void xtcp_mark_skb_lost(struct sock *sk, struct sk_buff *skb);
void xtcp_update_scoreboard(struct sock *sk, bool fast_rexmit);
void xtcp_timeout_mark_lost(struct sock *sk);
void xtcp_check_sack_reordering(struct sock *sk, u32 low_seq, bool ts);
void xtcp_rack_advance_skb(struct sock *sk, const struct sk_buff *skb);
bool xtcp_rack_mark_lost(struct sock *sk);
bool xtcp_rack_detect_loss_timeout(struct sock *sk);
void xtcp_rack_reo_timeout(struct sock *sk);
bool xtcp_rack_in_recovery(const struct xtcp_sock *xsk);
bool xtcp_any_retrans_done(const struct sock *sk);
void xtcp_init_undo(struct xtcp_sock *xsk);

/* sendq.c: the skbs of the send and retransmission queues */
void xtcp_set_skb_tso_segs(struct sk_buff *skb, u32 mss);
u32 xtcp_bound_mss(const struct sock *sk, u32 mss);
u32 xtcp_size_goal(const struct sock *sk);
u32 xtcp_tso_segs(const struct sock *sk);
struct sk_buff *xtcp_alloc_send_skb(struct sock *sk, gfp_t gfp, bool force);
/* Which queue an skb split by xtcp_fragment() is on (Linux's tcp_queue). */
enum xtcp_queue {
	XTCP_FRAG_IN_WRITE_QUEUE,
	XTCP_FRAG_IN_RTX_QUEUE,
};

int xtcp_fragment(struct sock *sk, enum xtcp_queue queue,
		  struct sk_buff *skb, u32 len, u32 mss);
void xtcp_adjust_pcount(struct sock *sk, const struct sk_buff *skb, s32 delta);
void xtcp_rbtree_insert(struct rb_root *root, struct sk_buff *skb);
void xtcp_rtx_queue_unlink_and_free(struct sk_buff *skb, struct sock *sk);
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len);
int xtcp_skb_append_from_iter(struct sock *sk, struct sk_buff *skb,
			      struct iov_iter *from, u32 copy);
u64 xtcp_clock_us(void);

/* t1 - t0 of two xtcp_clock_us() stamps, never below 0, as Linux's
 * tcp_stamp_us_delta().
 */
static inline u64 xtcp_stamp_us_delta(u64 t1, u64 t0)
{
	return t1 > t0 ? t1 - t0 : 0;
}

/* One reading of the clock for everything one event decides (Linux's
 * tcp_mstamp_refresh()): an ACK's RTT samples, RACK's send-time
 * comparisons and its reordering timeouts all use the same "now", as
 * they would if no time passed while it is handled; under TCG reading
 * the clock again per skb let it move by milliseconds within one ACK.
 * Never goes back.  The send time and TSval of every segment the socket
 * sends come from it too (xtcp_transmit_skb(), as __tcp_transmit_skb()
 * uses tcp_clock_cache).  Refreshed where Linux refreshes it: each
 * segment of a full socket (xtcp_backlog_rcv(), from softirq or
 * release_sock()), each retransmission-timer run whose deadline came
 * (window and loss probes too), each send batch (__xtcp_write_xmit(),
 * tcp_write_xmit()), connect(), a reset from the socket, the delayed
 * and compressed ACK, keepalive, a TSQ run that resends, a read that
 * may update the window (xtcp_rcv_space_adjust()) and the buffer's
 * set-up; also at a child's creation (Linux's first read is in the
 * child's input) and before the resends after an MSS drop (Linux's
 * carry the last event's).  Socket locked (spinlock or owner).
 */
static inline void xtcp_mstamp_refresh(struct xtcp_sock *xsk)
{
	u64 now = xtcp_clock_us();

	if (now > xsk->tcp_mstamp)
		xsk->tcp_mstamp = now;
}

/* tsq.c: TCP small queues */
u64 xtcp_pacing_rate(const struct sock *sk);
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			    unsigned int factor);
void xtcp_wfree(struct sk_buff *skb);
void xtcp_skb_set_owner_w(struct sk_buff *skb, struct sock *sk);
void xtcp_tsq_release(struct sock *sk);
void xtcp_tsq_init(void);
void xtcp_tsq_exit(void);

/* skb_defer.c: read skbs freed on the CPU that allocated them */
void xtcp_eat_recv_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_skb_defer_flush(void);
void xtcp_skb_defer_init(void);
void xtcp_skb_defer_exit(void);

/* window.c: window scaling and the receive window (rwin.c's arithmetic) */
u16 xtcp_select_window(struct sock *sk);
u32 __xtcp_select_window(struct sock *sk);
u32 xtcp_sk_receive_window(const struct xtcp_sock *xsk);
bool xtcp_window_update_due(struct sock *sk);
void xtcp_connect_init_rwin(struct sock *sk);
void xtcp_req_init_rwin(struct xtcp_request *req, const struct sock *listener);
void xtcp_init_buffer_space(struct sock *sk);
void xtcp_grow_window(struct sock *sk, const struct sk_buff *skb, bool adjust);
int xtcp_set_window_clamp(struct sock *sk, int val);
void xtcp_prune_window(struct sock *sk);
int xtcp_set_rcvlowat(struct sock *sk, int val);
void xtcp_rcv_space_adjust(struct sock *sk);

/* isn.c: initial sequence numbers (RFC 6528) */
void xtcp_isn_init(void);
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

/* tstamp.c: timestamps (RFC 7323) */
u32 xtcp_ts_clock(void);
u32 xtcp_us_to_ts(u64 us);
u32 xtcp_ts_offset(const struct net *net, __be32 saddr, __be32 daddr,
		   __be16 sport, __be16 dport);
void xtcp_tstamp_out(const struct sock *sk, struct xtcp_out_options *opts,
		     bool syn, u64 stamp_us);
void xtcp_tstamp_synsent(struct sock *sk, const struct sk_buff *skb);
bool xtcp_tstamp_synsent_ok(const struct sock *sk, const struct sk_buff *skb);
bool xtcp_ts_spurious_syn(u32 first_ts, bool saw_tstamp, u32 tsecr, u32 ts_off);
bool xtcp_tstamp_paws_discard(const struct sock *sk, const struct sk_buff *skb);
void xtcp_tstamp_replace_recent(struct sock *sk, const struct sk_buff *skb);
u32 xtcp_tstamp_rtt_us(const struct sock *sk, const struct sk_buff *skb);
u32 xtcp_tstamp_ecr(const struct sock *sk, const struct sk_buff *skb);
void xtcp_tstamp_req_init(struct xtcp_request *req, const struct sk_buff *skb);
void xtcp_tstamp_req_out(const struct xtcp_request *req,
			 struct xtcp_out_options *opts, bool synack);
bool xtcp_tstamp_req_check(const struct xtcp_request *req,
			   const struct sk_buff *skb, u32 age_sec);
void xtcp_tstamp_req_update(struct xtcp_request *req, const struct sk_buff *skb);
void xtcp_tstamp_child_init(struct sock *sk, const struct xtcp_request *req);
void xtcp_tstamp_tw_init(struct xtcp_tw *tw, const struct sock *sk);
bool xtcp_tstamp_tw_seen(const struct xtcp_tw *tw, const struct sk_buff *skb);
bool xtcp_tstamp_tw_check(const struct xtcp_tw *tw, const struct sk_buff *skb);
void xtcp_tstamp_tw_update(struct xtcp_tw *tw, const struct sk_buff *skb);
void xtcp_tstamp_tw_out(const struct xtcp_tw *tw, struct xtcp_out_options *opts);

/* timer.c */
void xtcp_init_timers(struct sock *sk);
void xtcp_clear_timers(struct sock *sk);
void xtcp_rearm_rtx(struct sock *sk);
s64 xtcp_rto_delta_us(const struct sock *sk);
void xtcp_arm_rtx(struct sock *sk, u8 kind, unsigned long delay);
void xtcp_stop_rtx(struct sock *sk);
void xtcp_arm_fin_wait2(struct sock *sk, unsigned long delay);
unsigned long xtcp_rto_jiffies(const struct sock *sk);
unsigned long xtcp_fin_wait2_min(const struct sock *sk);
unsigned long xtcp_fin_time(const struct sock *sk);
void xtcp_orphan_fin_wait2(struct sock *sk, bool fin);
void xtcp_reset_keepalive_timer(struct sock *sk, unsigned long len);
void xtcp_delete_keepalive_timer(struct sock *sk);
void xtcp_release_cb(struct sock *sk);
unsigned int xtcp_orphan_retries(struct sock *sk, bool alive);
bool xtcp_out_of_resources(struct sock *sk, bool do_reset);

/* delack.c: when to acknowledge (RFC 1122 s.4.2.3.2, RFC 5681 s.4.2) */
void xtcp_init_rcv_mss(struct sock *sk);
void xtcp_enter_quickack_mode(struct sock *sk, unsigned int max_quickacks);
void xtcp_event_data_recv(struct sock *sk, const struct sk_buff *skb);
void xtcp_ack_snd_check(struct sock *sk);
void xtcp_event_ack_sent(struct sock *sk);
void xtcp_event_data_sent(struct sock *sk);
bool xtcp_hold_handshake_ack(struct sock *sk);
bool xtcp_ack_due_after_read(struct sock *sk, int copied);
void xtcp_set_quickack(struct sock *sk, int val);
int xtcp_quickack_get(const struct sock *sk);
void xtcp_delack_init(struct sock *sk);
void xtcp_delack_timer_handler(struct sock *sk);
void xtcp_comp_ack_deferred(struct sock *sk);
void xtcp_comp_ack_init(struct sock *sk);
void xtcp_comp_ack_stop(struct sock *sk);
void xtcp_sack_compress_send_ack(struct sock *sk);
void xtcp_reset_delack_timer(struct sock *sk, unsigned long expires);
void xtcp_delack_retry(struct sock *sk);

/* keepalive.c: SO_KEEPALIVE and TCP_KEEPIDLE/KEEPINTVL/KEEPCNT */
u32 xtcp_keepalive_time_when(const struct sock *sk);
u32 xtcp_keepalive_intvl_when(const struct sock *sk);
u32 xtcp_keepalive_probes(const struct sock *sk);
void xtcp_set_keepalive(struct sock *sk, int val);
int xtcp_set_keepidle(struct sock *sk, int val);
void xtcp_keepalive_start(struct sock *sk);
void xtcp_keepalive_timer_work(struct sock *sk);

/* info.c: getsockopt(TCP_INFO) */
struct tcp_info;
u8 xtcp_ca_state(const struct sock *sk);
void xtcp_get_info(struct sock *sk, struct tcp_info *info);
int xtcp_getsockopt_info(struct sock *sk, char __user *optval,
			 int __user *optlen, int len);

/* urg.c: urgent data */
/* Linux's tcp_urg_mode(): urgent data written and not all acknowledged. */
static inline bool xtcp_urg_mode(const struct xtcp_sock *xsk)
{
	return xsk->snd_una != xsk->snd_up;
}

void xtcp_urg_mark(struct sock *sk, int flags);
void xtcp_urg_header(const struct xtcp_sock *xsk, struct tcphdr *th, u32 seq);
void xtcp_urg_snd_una(struct xtcp_sock *xsk, u32 ack);
void xtcp_urg_rcv(struct sock *sk, struct sk_buff *skb,
		  const struct tcphdr *th);
int xtcp_recv_urg(struct sock *sk, struct msghdr *msg, int len, int flags);

/* ecn.c: Explicit Congestion Notification (RFC 3168) */
/* In CWR (Linux's TCP_CA_CWR): a bit of ecn_flags beside TCP_ECN_*. */
#define XTCP_ECN_IN_CWR		0x10

void xtcp_ecn_send_syn(struct sock *sk);
void xtcp_ecn_queue_cwr(struct sock *sk);
u8 xtcp_ecn_syn_flags(const struct sock *sk, bool resend);
u8 xtcp_ecn_send(struct sock *sk, const struct sk_buff *skb, bool retrans);
void xtcp_ecn_rcv_syn(struct sock *sk, u8 flags);
bool xtcp_ecn_create_request(const struct sock *listener,
			     const struct sk_buff *skb);
void xtcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb);
bool xtcp_ecn_ack(struct sock *sk, u8 flags, bool outstanding);
void xtcp_enter_cwr_local(struct sock *sk);

/* A cwnd reduction is under way, in fast recovery or CWR: Linux's
 * tcp_in_cwnd_reduction() (TCP_CA_Recovery or TCP_CA_CWR).
 */
static inline bool xtcp_in_cwnd_reduction(const struct xtcp_sock *xsk)
{
	return xsk->in_recovery || (xsk->ecn_flags & XTCP_ECN_IN_CWR);
}

/* cwnd.c: congestion window validation (RFC 2861, RFC 7661) */
void xtcp_slow_start_after_idle_check(struct sock *sk);
void xtcp_cwnd_tx_start(struct sock *sk);
void xtcp_ca_event(struct sock *sk, enum xtcp_ca_event ev, u32 idle_ms);
void xtcp_ca_state_sync(struct sock *sk);
/* output.c: delivery rate estimation's app-limited mark */
void xtcp_rate_check_app_limited(struct sock *sk);
void xtcp_cwnd_validate(struct sock *sk, bool is_cwnd_limited);

/* cwnd limited the sender lately, so it may grow: Linux's
 * tcp_is_cwnd_limited(), from what xtcp_cwnd_validate() recorded.
 */
static inline bool xtcp_is_cwnd_limited(const struct xtcp_sock *xsk)
{
	return xtcp_cong_is_cwnd_limited(&xsk->cong, xsk->is_cwnd_limited,
					 xsk->max_packets_out);
}

/* minisocks.c: SYN queue and TIME_WAIT */
int xtcp_req_create(struct sock *listener, struct sk_buff *skb);
bool xtcp_cookie_rcv(struct sock *listener, struct sk_buff *skb);
void xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb);
bool xtcp_req_drop(struct xtcp_request *req);
void xtcp_req_put(struct xtcp_request *req);
void xtcp_listener_drop_reqs(struct sock *listener);
void xtcp_time_wait(struct sock *sk, int state, unsigned long timeo);
void xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb);
void xtcp_tw_put(struct xtcp_tw *tw);
void xtcp_tw_kill(struct xtcp_tw *tw);

#endif /* _NET_XTCP_H */
