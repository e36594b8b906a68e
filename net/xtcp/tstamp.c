// SPDX-License-Identifier: GPL-2.0
/* xtcp: TCP timestamps (RFC 7323), as Linux 6.1.
 *
 * Offered in SYN and SYN-ACK when net.xtcp.tcp_timestamps is not 0, used
 * when both ends offered them (tstamp_ok).  TSval is a 1 ms clock plus a
 * per-connection offset (tsoffset): a keyed hash of the 4-tuple with
 * tcp_timestamps 1, none with 2, as the running kernel's
 * secure_tcp_seq_and_ts_off().  Every segment of such a connection
 * carries a timestamp, with TSecr = ts_recent; replies without a socket
 * (RST) carry none.
 *
 * On input, protocol.c takes the option out of every segment into the
 * control block (xtcp_fill_cb()); the owners of the state decide if
 * it counts: a full socket when tstamp_ok (Linux's tcp_parse_options()
 * with "estab"), a SYN queue or TIME_WAIT entry when the namespace has
 * timestamps on.  PAWS (RFC 7323 s.5) drops a segment whose TSval is older
 * than ts_recent and answers it with a duplicate ACK; ts_recent follows
 * s.4.3; TSecr gives RTT samples where the sequence sample is missing
 * (Karn's rule), as tcp_ack_update_rtt().  The arithmetic is in
 * include/net/xtcp_tstamp.h (host-tested).
 */
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_seq.h>
#include <net/xtcp_tstamp.h>
#include <net/xtcp_syncookie.h>

static siphash_key_t xtcp_ts_key __read_mostly;

/**
 * xtcp_ts_clock() - the timestamp clock
 *
 * Description: Milliseconds of the monotonic clock (the clock of
 * xtcp_clock_us()), truncated to 32 bits, as Linux's tcp_time_stamp_raw()
 * (TCP_TS_HZ 1000); RFC 7323 s.5.4 asks for a tick between 1 ms and 1 s.
 * Context: any.
 * Return: the clock, ms, modulo 2^32.
 */
u32 xtcp_ts_clock(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_SEC / XTCP_TS_HZ);
}

/**
 * xtcp_us_to_ts() - a time of xtcp_clock_us() on the timestamp clock
 * @us: microseconds of the monotonic clock, as xtcp_clock_us() reads it
 *	(an skb's send time, xtcp_skb_sent_us())
 *
 * What xtcp_ts_clock() read at that moment, as Linux's
 * tcp_skb_timestamp() gives an skb's send time in TSval units.
 * Context: any.
 * Return: ms, modulo 2^32.
 */
u32 xtcp_us_to_ts(u64 us)
{
	return (u32)div_u64(us, USEC_PER_SEC / XTCP_TS_HZ);
}

/* Seconds for ts_recent_stamp, as Linux's ktime_get_seconds(). */
static u32 xtcp_ts_seconds(void)
{
	return (u32)ktime_get_seconds();
}

/**
 * xtcp_ts_offset() - the TSval offset of a new connection
 * @net:   its namespace
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 *
 * With net.xtcp.tcp_timestamps 1 a keyed hash of the 4-tuple, so the
 * clock of one host cannot be read across connections (RFC 7323 s.7.1);
 * with any other value 0, as the running kernel's
 * secure_tcp_seq_and_ts_off().  The key is drawn on first use.
 * Context: any.
 * Return: the offset added to the clock (ms) in every TSval we send.
 */
u32 xtcp_ts_offset(const struct net *net, __be32 saddr, __be32 daddr,
		   __be16 sport, __be16 dport)
{
	u32 ports = (__force u32)sport << 16 | (__force u32)dport;

	if (READ_ONCE(xtcp_pernet(net)->timestamps) != 1)
		return 0;
	net_get_random_once(&xtcp_ts_key, sizeof(xtcp_ts_key));
	return (u32)(siphash_3u32((__force u32)saddr, (__force u32)daddr,
				  ports, &xtcp_ts_key) >> 32);
}

/* The option of a segment for a full socket counts once negotiated. */
static bool xtcp_ts_seen(const struct xtcp_sock *xsk,
			 const struct xtcp_skb_cb *cb)
{
	return xsk->tstamp_ok && cb->saw_tstamp;
}

/* Our own time, from a TSecr: the offset taken off, 0 kept as "none". */
static u32 xtcp_ts_ecr(u32 tsecr, u32 tsoffset)
{
	return tsecr ? tsecr - tsoffset : 0;
}

/**
 * xtcp_tstamp_out() - put the timestamp option on a segment of a socket
 * @sk:   the socket (locked)
 * @opts: the segment's options, TS added if it goes
 * @syn:  the segment is a SYN (or the SYN-ACK of a simultaneous open)
 * @stamp_us: when it is sent, us of xtcp_clock_us(): the socket's
 *	tcp_mstamp (also a queued skb's send time)
 *
 * A SYN offers timestamps when net.xtcp.tcp_timestamps allows; any other
 * segment carries one when they were negotiated (tcp_syn_options(),
 * tcp_established_options()).  TSval is @stamp_us in ms plus tsoffset
 * (tcp_skb_timestamp(), not a new reading of the clock), but our first
 * SYN's, which is syn_ts (the reading at connect()); TSecr is
 * ts_recent (0 before the peer sent any).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission (xtcp_transmit_skb()), process context
 * under lock_sock() for connect()'s SYN and writes.
 */
void xtcp_tstamp_out(const struct sock *sk, struct xtcp_out_options *opts,
		     bool syn, u64 stamp_us)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	if (syn ? !READ_ONCE(xtcp_sk_pernet(sk)->timestamps) :
		  !xsk->tstamp_ok)
		return;
	opts->options |= XTCP_OPTION_TS;
	/* The first SYN carries syn_ts, where xtcp_tstamp_synsent_ok()'s
	 * bound starts (Linux's SYN carries retrans_stamp): an answer
	 * echoing it is taken, one a ms older refused, whatever the clock
	 * did between connect() and this header.
	 */
	if (syn && sk->sk_state == TCP_SYN_SENT && !xsk->retransmits)
		opts->tsval = xsk->syn_ts + xsk->tsoffset;
	else
		opts->tsval = xtcp_us_to_ts(stamp_us) + xsk->tsoffset;
	opts->tsecr = xsk->ts_recent;
}

/* ts_recent takes @tsval, stamped now (tcp_store_ts_recent()). */
static void xtcp_store_ts_recent(struct xtcp_sock *xsk, u32 tsval)
{
	xsk->ts_recent = tsval;
	xsk->ts_recent_stamp = xtcp_ts_seconds();
}

/**
 * xtcp_tstamp_synsent() - the peer's SYN-ACK (or SYN) reached our SYN-SENT
 * @sk:  the socket (locked)
 * @skb: the segment
 *
 * Timestamps are on when the answer carries one and the namespace allows
 * them (tcp_rcv_synsent_state_process()); its TSval is the first
 * ts_recent.  The segment size drops by the option's 12 bytes (the
 * caller updates the MSS after this).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input in SYN_SENT.
 */
void xtcp_tstamp_synsent(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->tstamp_ok = cb->saw_tstamp &&
			 READ_ONCE(xtcp_sk_pernet(sk)->timestamps);
	if (xsk->tstamp_ok)
		xtcp_store_ts_recent(xsk, cb->rcv_tsval);
}

static void xtcp_paws_of(struct xtcp_paws *p, u32 ts_recent, u32 stamp,
			 u32 tsval)
{
	p->ts_recent = ts_recent;
	p->ts_recent_stamp = stamp;
	p->rcv_tsval = tsval;
}

/* Linux's tcp_disordered_ack(): a pure duplicate ACK at RCV.NXT that
 * changes neither SND.UNA nor the window may be late by up to an RTO
 * (reordered behind a newer one) without being a replay.
 */
static bool xtcp_disordered_ack(const struct sock *sk, const struct sk_buff *skb,
				const struct xtcp_paws *p)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 seq = cb->seq;
	u32 nwin;

	if (!(cb->flags & TCPHDR_ACK) || seq != cb->end_seq ||
	    seq != xsk->rcv_nxt || cb->ack_seq != xsk->snd_una)
		return false;
	/* tcp_may_update_window(), on the window as the peer meant it: the
	 * field shifted by its scale (a pure ACK is never a SYN), since
	 * snd_wnd holds bytes.
	 */
	nwin = (u32)cb->window << xsk->snd_wscale;
	if (xtcp_seq_after(seq, xsk->snd_wl1) ||
	    (seq == xsk->snd_wl1 && nwin > xsk->snd_wnd))
		return false;
	return xtcp_ts_in_replay_window(p, xtcp_rto_jiffies(sk) * 1024 / HZ);
}

/**
 * xtcp_tstamp_paws_discard() - does PAWS drop a segment of a socket?
 * @sk:  the socket (locked), synchronized
 * @skb: the segment
 *
 * RFC 7323 s.5.3 R1 as Linux's tcp_paws_discard(): a TSval below
 * ts_recent by more than one tick, unless ts_recent is 24 days old or a
 * reordered duplicate ACK explains it.  The caller answers with a
 * duplicate ACK (rate-limited) and drops it, except a RST, which goes on
 * (tcp_validate_incoming()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input.
 * Return: true when the segment must be dropped.
 */
bool xtcp_tstamp_paws_discard(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_paws p;

	if (!xtcp_ts_seen(xsk, cb))
		return false;
	xtcp_paws_of(&p, xsk->ts_recent, xsk->ts_recent_stamp, cb->rcv_tsval);
	if (xtcp_paws_check(&p, XTCP_PAWS_WINDOW, xtcp_ts_seconds()))
		return false;
	return !xtcp_disordered_ack(sk, skb, &p);
}

/**
 * xtcp_tstamp_replace_recent() - update ts_recent from an acceptable segment
 * @sk:  the socket (locked)
 * @skb: the segment, whose sequence number and ACK were found acceptable
 *
 * RFC 7323 s.4.3 as Linux's tcp_replace_ts_recent(), which tcp_ack()
 * calls for an ACK that is not ahead of SND.NXT, whether it is new or
 * old (but within the last window: an old ACK may carry new data): only
 * a segment starting at or before Last.ACK.sent (rcv_wup) whose TSval is
 * not older.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 */
void xtcp_tstamp_replace_recent(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_paws p;

	if (!xtcp_ts_seen(xsk, cb))
		return;
	xtcp_paws_of(&p, xsk->ts_recent, xsk->ts_recent_stamp, cb->rcv_tsval);
	if (xtcp_ts_recent_replace_ok(&p, cb->seq, xsk->rcv_wup,
				      xtcp_ts_seconds()))
		xtcp_store_ts_recent(xsk, cb->rcv_tsval);
}

/**
 * xtcp_tstamp_synsent_ok() - does an answer to our SYN echo a time we sent?
 * @sk:  the socket in SYN-SENT (locked), syn_ts the clock of its first
 *       SYN
 * @skb: a segment with ACK whose ACK number is acceptable
 *
 * As tcp_rcv_synsent_state_process() (LINUX_MIB_PAWSACTIVEREJECTED): when
 * the segment carries timestamps we would take (net.xtcp.tcp_timestamps
 * on) and a TSecr that is not 0 once our offset is removed, that TSecr
 * must lie between the first send of our SYN (syn_ts) and now (this
 * segment's reading, tcp_mstamp), in ms of the clock our TSval comes
 * from (tcp_time_stamp(); Linux keeps
 * retrans_stamp in those units for this).  A bound from jiffies would
 * refuse a TSecr we did send whenever jiffies lag the clock (seen under
 * QEMU: a RST to a good SYN-ACK).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input in SYN_SENT.
 * Return: false when the segment must be refused (with a RST).
 */
bool xtcp_tstamp_synsent_ok(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ecr;

	if (!cb->saw_tstamp || !xsk->retrans_stamp ||
	    !READ_ONCE(xtcp_sk_pernet(sk)->timestamps))
		return true;
	ecr = xtcp_ts_ecr(cb->rcv_tsecr, xsk->tsoffset);
	if (!ecr)
		return true;
	return xtcp_seq_between(ecr, xsk->syn_ts,
				xtcp_us_to_ts(xsk->tcp_mstamp));
}

/**
 * xtcp_ts_spurious_syn() - was the resent SYN (or SYN-ACK) not needed
 * @first_ts:   xtcp_ts_clock() in the TSval of our first SYN or SYN-ACK
 *              (ms, offset taken off), 0 if it carried none
 * @saw_tstamp: the answer (SYN-ACK, or the handshake's ACK) has a
 *              timestamp option
 * @tsecr:      its TSecr as received
 * @ts_off:     our TSval offset
 *
 * Linux's tcp_try_undo_spurious_syn(): an answer echoing the first
 * SYN's (SYN-ACK's) own TSval was sent for the first one, so the
 * timeouts that resent it were spurious, and the first window need not
 * shrink to one segment for them (tcp_init_transfer() reads undo_marker,
 * which this clears).
 *
 * Context: any.
 * Return: true if the answer echoes the first one's TSval.
 */
bool xtcp_ts_spurious_syn(u32 first_ts, bool saw_tstamp, u32 tsecr, u32 ts_off)
{
	return first_ts && saw_tstamp && tsecr - ts_off == first_ts;
}

/**
 * xtcp_tstamp_ecr() - the time a segment's TSecr echoes
 * @sk:  the socket (locked)
 * @skb: a received segment
 *
 * For undo's Eifel test (tcp_packet_delayed(), tcp_tsopt_ecr_before()):
 * TSecr with our offset removed, on the clock of xtcp_ts_clock().
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (an ACK).
 * Return: that time in ms, 0 when the segment has no timestamp we take
 * or echoes 0.
 */
u32 xtcp_tstamp_ecr(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!xtcp_ts_seen(xsk, cb))
		return 0;
	return xtcp_ts_ecr(cb->rcv_tsecr, xsk->tsoffset);
}

/**
 * xtcp_tstamp_rtt_us() - an RTT sample from the segment's TSecr
 * @sk:  the socket (locked)
 * @skb: a segment that acknowledged new data
 *
 * As tcp_ack_update_rtt() when the sequence sample is missing: now (the
 * socket's tcp_mstamp, which the caller refreshed for this segment)
 * minus TSecr (our offset removed), at least 1 ms; none for a TSecr of 0
 * or one that is not in the past.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input; or softirq for a new child nobody sees yet
 * (xtcp_create_child()).
 * Return: the sample in us, 0 if none.
 */
u32 xtcp_tstamp_rtt_us(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ecr, delta;

	if (!xtcp_ts_seen(xsk, cb))
		return 0;
	ecr = xtcp_ts_ecr(cb->rcv_tsecr, xsk->tsoffset);
	if (!ecr)
		return 0;
	delta = xtcp_us_to_ts(xsk->tcp_mstamp) - ecr;
	if (delta >= INT_MAX / (USEC_PER_SEC / XTCP_TS_HZ))
		return 0;
	return max(delta, 1U) * (USEC_PER_SEC / XTCP_TS_HZ);
}

/**
 * xtcp_tstamp_req_init() - timestamps of a new SYN queue entry
 * @req: the entry (addresses set)
 * @skb: the SYN
 *
 * On when the SYN offers them and the namespace allows them
 * (tcp_conn_request()); then its TSval is ts_recent and the offset is
 * drawn for the 4-tuple.
 *
 * Context: segment input for the listener (xtcp_listen_rcv()): softirq,
 * the listener not locked; @req is not yet visible.
 */
void xtcp_tstamp_req_init(struct xtcp_request *req, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_hn_net(&req->hn);

	if (!cb->saw_tstamp || !READ_ONCE(xtcp_pernet(net)->timestamps))
		return;
	req->tstamp_ok = 1;
	req->ts_recent = cb->rcv_tsval;
	req->ts_off = xtcp_ts_offset(net, req->hn.laddr, req->hn.raddr,
				     req->hn.lport, req->hn.rport);
}

/**
 * xtcp_tstamp_req_out() - the timestamp option of a SYN queue entry's reply
 * @req:    the entry
 * @opts:   the options of the segment; TS added if it goes
 * @synack: the segment is the SYN-ACK (tcp_synack_options(): when both
 *          offered), else an ACK (tcp_v4_reqsk_send_ack(): when there is
 *          a TSecr to send)
 *
 * Context: softirq or process context, no lock on @req: the SYN-ACK from
 * xtcp_req_create(), the SYN-ACK timer, replies from
 * xtcp_req_rcv().
 */
void xtcp_tstamp_req_out(const struct xtcp_request *req,
			 struct xtcp_out_options *opts, bool synack)
{
	u32 ts_recent = READ_ONCE(req->ts_recent);

	if (synack ? !req->tstamp_ok : !ts_recent)
		return;
	opts->options |= XTCP_OPTION_TS;
	opts->tsval = xtcp_ts_clock() + req->ts_off;
	opts->tsecr = ts_recent;
	/* A cookie's SYN-ACK keeps the SYN's options in its TSval's low
	 * bits, for the ACK to echo (cookie_init_timestamp()).
	 */
	if (synack && req->cookie) {
		struct xtcp_cookie_opts o = {
			.wscale_ok = req->wscale_ok,
			.snd_wscale = req->snd_wscale,
			.sack_ok = req->sack_ok,
			.ecn_ok = req->ecn_ok,
		};

		opts->tsval = xtcp_cookie_tsval(opts->tsval, &o);
	}
}

/**
 * xtcp_tstamp_req_check() - PAWS for a segment of a SYN queue entry
 * @req:     the entry
 * @skb:     the segment
 * @age_sec: how long the entry may have held ts_recent, seconds (Linux
 *           takes the current SYN-ACK timeout)
 *
 * As tcp_check_req(): the option counts when the namespace has
 * timestamps on; a TSval older than ts_recent is rejected
 * (tcp_paws_reject()).
 *
 * Context: softirq (segment input for the entry, from xtcp_req_rcv()), no lock
 * held.
 * Return: true when PAWS rejects the segment.
 */
bool xtcp_tstamp_req_check(const struct xtcp_request *req,
			   const struct sk_buff *skb, u32 age_sec)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 now = xtcp_ts_seconds();
	struct xtcp_paws p;

	if (!cb->saw_tstamp ||
	    !READ_ONCE(xtcp_pernet(xtcp_hn_net(&req->hn))->timestamps))
		return false;
	xtcp_paws_of(&p, READ_ONCE(req->ts_recent), now - age_sec,
		     cb->rcv_tsval);
	return xtcp_paws_reject(&p, cb->flags & TCPHDR_RST, now);
}

/**
 * xtcp_tstamp_req_update() - ts_recent of a SYN queue entry
 * @req: the entry
 * @skb: a segment found in the window and not rejected by PAWS
 *
 * tcp_check_req(): a segment not after RCV.NXT sets ts_recent.
 *
 * Context: softirq (segment input for the entry, from xtcp_req_rcv()), no lock
 * held; concurrent segments for one entry race on ts_recent as Linux's request
 * sockets do.
 */
void xtcp_tstamp_req_update(struct xtcp_request *req, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->saw_tstamp &&
	    READ_ONCE(xtcp_pernet(xtcp_hn_net(&req->hn))->timestamps) &&
	    !xtcp_seq_after(cb->seq, req->irs + 1))
		WRITE_ONCE(req->ts_recent, cb->rcv_tsval);
}

/**
 * xtcp_tstamp_child_init() - a new child takes over the entry's timestamps
 * @sk:  the child
 * @req: its SYN queue entry
 *
 * tcp_create_openreq_child(): tstamp_ok, ts_recent stamped now, tsoffset.
 *
 * Context: softirq (xtcp_create_child()); the child is not yet visible to
 * anyone else.
 */
void xtcp_tstamp_child_init(struct sock *sk, const struct xtcp_request *req)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->tstamp_ok = req->tstamp_ok;
	xsk->tsoffset = req->ts_off;
	if (xsk->tstamp_ok)
		xtcp_store_ts_recent(xsk, READ_ONCE(req->ts_recent));
}

/**
 * xtcp_tstamp_tw_init() - a TIME_WAIT entry keeps the socket's timestamps
 * @tw: the entry
 * @sk: the socket going away
 *
 * tcp_time_wait(): ts_recent, its stamp (0 without timestamps: PAWS off)
 * and the offset.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller), in xtcp_time_wait() (segment input or the keepalive timer's
 * work, or xtcp_close()); @tw is not yet visible.
 */
void xtcp_tstamp_tw_init(struct xtcp_tw *tw, const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	tw->ts_recent = xsk->ts_recent;
	tw->ts_recent_stamp = xsk->tstamp_ok ? xsk->ts_recent_stamp : 0;
	tw->ts_offset = xsk->tsoffset;
}

/**
 * xtcp_tstamp_tw_check() - PAWS for a segment of a TIME_WAIT entry
 * @tw:  the entry
 * @skb: the segment
 *
 * As tcp_timewait_state_process(): when the connection used timestamps
 * and the namespace still has them on, a TSval older than ts_recent is
 * rejected (tcp_paws_reject()).
 *
 * Context: softirq (segment input for the entry, from xtcp_tw_rcv()), no lock
 * held.
 * Return: true when PAWS rejects the segment.
 */
bool xtcp_tstamp_tw_check(const struct xtcp_tw *tw, const struct sk_buff *skb)
{
	struct xtcp_paws p;

	if (!xtcp_tstamp_tw_seen(tw, skb))
		return false;
	xtcp_paws_of(&p, tw->ts_recent, tw->ts_recent_stamp,
		     XTCP_SKB_CB(skb)->rcv_tsval);
	return xtcp_paws_reject(&p, XTCP_SKB_CB(skb)->flags & TCPHDR_RST,
				xtcp_ts_seconds());
}

/**
 * xtcp_tstamp_tw_seen() - does the segment's timestamp count for the entry?
 * @tw:  the entry
 * @skb: the segment
 *
 * Context: softirq (segment input for the entry, from xtcp_tw_rcv()), no lock
 * held.
 * Return: true when the entry has timestamps and the segment carries one
 * the namespace takes.
 */
bool xtcp_tstamp_tw_seen(const struct xtcp_tw *tw, const struct sk_buff *skb)
{
	return tw->ts_recent_stamp && XTCP_SKB_CB(skb)->saw_tstamp &&
	       READ_ONCE(xtcp_pernet(xtcp_hn_net(&tw->hn))->timestamps);
}

/**
 * xtcp_tstamp_tw_update() - ts_recent of a TIME_WAIT entry
 * @tw:  the entry
 * @skb: an acceptable segment, not rejected by PAWS
 *
 * Context: softirq (segment input for the entry, from xtcp_tw_rcv()), no lock
 * held.
 */
void xtcp_tstamp_tw_update(struct xtcp_tw *tw, const struct sk_buff *skb)
{
	if (!xtcp_tstamp_tw_seen(tw, skb))
		return;
	tw->ts_recent = XTCP_SKB_CB(skb)->rcv_tsval;
	tw->ts_recent_stamp = xtcp_ts_seconds();
}

/**
 * xtcp_tstamp_tw_out() - the timestamp option of a TIME_WAIT entry's ACK
 * @tw:   the entry
 * @opts: the ACK's options; TS added if there is a TSecr to send
 *        (tcp_v4_timewait_ack())
 *
 * Context: softirq, no lock held: ACKs of xtcp_tw_rcv().
 */
void xtcp_tstamp_tw_out(const struct xtcp_tw *tw, struct xtcp_out_options *opts)
{
	if (!tw->ts_recent)
		return;
	opts->options |= XTCP_OPTION_TS;
	opts->tsval = xtcp_ts_clock() + tw->ts_offset;
	opts->tsecr = tw->ts_recent;
}
