// SPDX-License-Identifier: GPL-2.0
/* xtcp: when to acknowledge received data (RFC 1122 s.4.2.3.2, RFC 5681
 * s.4.2), with Linux 6.1's receiver policy (the icsk_ack state of
 * inet_connection_sock.h, tcp_input.c and tcp_output.c):
 *
 * - every segment of data schedules an ACK (ICSK_ACK_SCHED);
 * - it goes out at once when more than one full-sized segment (rcv_mss,
 *   the receiver's estimate of the peer's MSS) arrived since the window
 *   was last advertised and the window does not shrink, in quick-ACK
 *   mode (connection start, after an idle gap, after a duplicate; not
 *   while interactive), or when the protocol asks for one (ICSK_ACK_NOW:
 *   a hole was filled); while the out-of-order queue holds data every
 *   segment is ACKed at once (duplicate ACKs for fast retransmit), except
 *   that with SACK, after three such ACKs for one RCV.NXT, the next ones
 *   are held for 5% of the RTT, at most tcp_comp_sack_delay_ns, and sent
 *   as one (SACK compression: __tcp_ack_snd_check(), on comp_ack_timer,
 *   an hrtimer);
 * - otherwise the delayed-ACK timer sends it after "ato" (40 ms up to
 *   200 ms, or up to 500 ms for a bulk receiver, bounded by the RTT),
 *   adapted to the gaps between segments;
 * - any segment we send carries the ACK and clears the pending one (the
 *   timer, left as Linux leaves it, then finds nothing to do);
 * - the ACK of the peer's SYN-ACK waits up to TCP_DELACK_MAX for the
 *   first data when a writer waits for the connection or the socket is
 *   interactive (tcp_rcv_synsent_state_process()).
 *
 * All functions here run with the socket spinlock held (softirq) or the
 * socket owned by the caller (process context), but the hrtimer callback
 * xtcp_comp_ack_kick(), which takes the spinlock itself.
 */
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_sack_comp.h>
#include <net/xtcp_timer.h>

/* Flags of a segment that may legitimately be short: the last of a
 * write (PSH), or one carrying SYN, FIN or urgent data (tcp_input.c's
 * TCP_REMNANT, which no header exports).
 */
#define XTCP_REMNANT	(TCP_FLAG_FIN | TCP_FLAG_URG | TCP_FLAG_SYN | TCP_FLAG_PSH)

/**
 * xtcp_init_rcv_mss() - first estimate of the peer's segment size
 * @sk: a socket entering ESTABLISHED, locked
 *
 * tcp_initialize_rcv_mss(): the smaller of the MSS both ways, at most
 * half the window we offer and the default MSS, at least TCP_MIN_MSS;
 * tcp_measure_rcv_mss() corrects it from what arrives.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): the handshake's end in segment input, or softirq for a new
 * child nobody sees yet (xtcp_create_child()).
 */
void xtcp_init_rcv_mss(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 hint = min_t(u32, xsk->advmss, xsk->mss);

	hint = min(hint, xsk->rcv_wnd / 2);
	hint = min_t(u32, hint, TCP_MSS_DEFAULT);
	xsk->rcv_mss = max_t(u32, hint, TCP_MIN_MSS);
}

/* tcp_incr_quickack(): allow ACKs at once for about half a window of
 * full-sized segments, at most @max_quickacks.
 */
static void xtcp_incr_quickack(struct sock *sk, unsigned int max_quickacks)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	unsigned int quickacks = xsk->rcv_wnd / (2 * max_t(u32, xsk->rcv_mss, 1));

	if (!quickacks)
		quickacks = 2;
	quickacks = min(quickacks, max_quickacks);
	if (quickacks > xsk->ack_quick)
		WRITE_ONCE(xsk->ack_quick, quickacks);
}

/**
 * xtcp_enter_quickack_mode() - ACK the next segments at once
 * @sk: the socket, locked
 * @max_quickacks: at most this many (TCP_MAX_QUICKACKS)
 *
 * tcp_enter_quickack_mode(): after a duplicate or data beyond the window
 * the peer may be recovering from a loss; it also leaves interactive
 * mode and resets the ACK delay to its minimum.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input.
 */
void xtcp_enter_quickack_mode(struct sock *sk, unsigned int max_quickacks)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xtcp_incr_quickack(sk, max_quickacks);
	xtcp_exit_pingpong_mode(xsk);
	WRITE_ONCE(xsk->ato, TCP_ATO_MIN);
}

/* tcp_in_quickack_mode(): a route with the quickack metric, or ACKs of
 * quick-ACK mode left while not interactive.
 */
static bool xtcp_in_quickack_mode(struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get(sk);
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	return (dst && dst_metric(dst, RTAX_QUICKACK)) ||
	       (xsk->ack_quick && !xtcp_in_pingpong_mode(xsk));
}

/* tcp_measure_rcv_mss(): learn the peer's segment size from what
 * arrives: a segment at least as large as the estimate raises it (up to
 * our advertised MSS); two equal smaller segments that look full-sized
 * set it.  A short segment marks the ACK "pushed" so that the reader
 * emptying the queue ACKs at once (xtcp_ack_due_after_read()).
 */
static void xtcp_measure_rcv_mss(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	unsigned int lss = xsk->last_seg_size;
	unsigned int hdrlen = __tcp_hdrlen(th);
	unsigned int len;

	/* The payload as it arrived: bytes already received that
	 * xtcp_data_queue() pulled off its front count as data, not as
	 * header (Linux queues such a segment whole).  A GRO packet counts
	 * as the segments it was made of.
	 */
	len = skb_shinfo(skb)->gso_size ? :
	      skb->len + (skb->data - skb_transport_header(skb)) - hdrlen;
	xsk->last_seg_size = 0;
	if (len >= xsk->rcv_mss) {
		xsk->rcv_mss = min_t(unsigned int, len, xsk->advmss);
		/* One full segment with PSH: likely the end of a write. */
		if (XTCP_SKB_CB(skb)->flags & TCPHDR_PSH)
			xsk->ack_pending |= ICSK_ACK_PUSHED;
		return;
	}
	/* The segment with its TCP header, so that a change in the option
	 * length does not hide a full-sized segment.
	 */
	len += hdrlen;
	if (len >= TCP_MSS_DEFAULT + sizeof(struct tcphdr) ||
	    (len >= TCP_MIN_MSS + sizeof(struct tcphdr) &&
	     !(tcp_flag_word(th) & XTCP_REMNANT))) {
		/* Less the header every segment carries (tp->tcp_header_len):
		 * with timestamps, the aligned option too, so that SACK
		 * blocks are what varies.
		 */
		len -= sizeof(struct tcphdr);
		if (xsk->tstamp_ok)
			len -= XTCP_OLEN_TSTAMP_ALIGNED;
		xsk->last_seg_size = len;
		if (len == lss) {
			xsk->rcv_mss = len;
			return;
		}
	}
	if (xsk->ack_pending & ICSK_ACK_PUSHED)
		xsk->ack_pending |= ICSK_ACK_PUSHED2;
	xsk->ack_pending |= ICSK_ACK_PUSHED;
}

/**
 * xtcp_event_data_recv() - in-order data arrived
 * @sk:  the socket, locked
 * @skb: its payload (skb->data at the data, transport header set), before
 *	 it is queued
 *
 * tcp_event_data_recv(): schedule an ACK, learn the peer's segment
 * size, and adapt the ACK delay "ato" to the gap since the previous data
 * (lrcvtime): the first data starts quick-ACK mode and ato at
 * TCP_ATO_MIN; short gaps pull ato toward them (at most the RTO); a gap
 * longer than the RTO means the sender restarted after idle: quick-ACK
 * mode again.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input.
 */
void xtcp_event_data_recv(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 now = tcp_jiffies32;

	xsk->ack_pending |= ICSK_ACK_SCHED;
	xtcp_measure_rcv_mss(sk, skb);
	if (!xsk->ato) {
		xtcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
		WRITE_ONCE(xsk->ato, TCP_ATO_MIN);
	} else {
		u32 rto = xtcp_rto_jiffies(sk);
		u32 m = now - xsk->lrcvtime;

		if (m <= TCP_ATO_MIN / 2)
			WRITE_ONCE(xsk->ato, (xsk->ato >> 1) + TCP_ATO_MIN / 2);
		else if (m < xsk->ato)
			WRITE_ONCE(xsk->ato, min((xsk->ato >> 1) + m, rto));
		else if (m > rto)
			xtcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
	}
	xsk->lrcvtime = now;
}

/* tcp_send_delayed_ack(): arm the delayed-ACK timer for ato from now,
 * ato bounded by 200 ms when interactive or after a short segment (else
 * 500 ms) and by the smoothed RTT (at least TCP_DELACK_MIN), and never
 * by more than TCP_DELACK_MAX; an earlier deadline already armed stays,
 * and one about to expire sends the ACK now.
 */
static void xtcp_send_delayed_ack(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	unsigned long ato = xsk->ato, timeout;

	if (ato > TCP_DELACK_MIN) {
		unsigned long max_ato = HZ / 2;
		u32 srtt_us = xtcp_rtt_srtt_us(&xsk->rtt);

		if (xtcp_in_pingpong_mode(xsk) ||
		    (xsk->ack_pending & ICSK_ACK_PUSHED))
			max_ato = TCP_DELACK_MAX;
		if (xtcp_rtt_has_sample(&xsk->rtt)) {
			unsigned long rtt = max_t(unsigned long,
						  usecs_to_jiffies(srtt_us),
						  TCP_DELACK_MIN);

			max_ato = min(max_ato, rtt);
		}
		ato = min(ato, max_ato);
	}
	ato = min_t(unsigned long, ato, TCP_DELACK_MAX);
	timeout = jiffies + ato;

	if (xsk->ack_pending & ICSK_ACK_TIMER) {
		if (time_before_eq(xsk->ack_timeout, jiffies + (ato >> 2))) {
			xtcp_send_ack(sk);
			return;
		}
		if (!time_before(timeout, xsk->ack_timeout))
			timeout = xsk->ack_timeout;
	}
	xsk->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
	xsk->ack_timeout = timeout;
	xtcp_reset_delack_timer(sk, timeout);
}

/**
 * xtcp_ack_snd_check() - send the scheduled ACK now or later
 * @sk: the socket, locked; called after the segment's data (and any
 *	reply data, which carries the ACK) was handled
 *
 * tcp_ack_snd_check() and __tcp_ack_snd_check(): at once for more than
 * one full-sized segment not yet ACKed when the window does not shrink
 * (or the reader waits for SO_RCVLOWAT bytes), in quick-ACK mode, or when
 * ICSK_ACK_NOW is set; else, with nothing queued out of order, on the
 * delayed-ACK timer.  With out-of-order data queued it goes at once too,
 * unless SACK compression holds it (xtcp_sack_comp_hold(): on a SACK
 * connection, after three immediate ACKs for this RCV.NXT, at most
 * tcp_comp_sack_nr in a row); a held ACK starts comp_ack_timer unless it
 * runs already, for xtcp_sack_comp_delay_ns() with tcp_comp_sack_slack_ns
 * of slack, holding a socket reference.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input; may start comp_ack_timer (an hrtimer).
 */
void xtcp_ack_snd_check(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	u64 delay;

	if (!(xsk->ack_pending & ICSK_ACK_SCHED) || sk->sk_state == TCP_CLOSE)
		return;
	if ((xsk->rcv_nxt - xsk->rcv_wup > xsk->rcv_mss &&
	     (xsk->rcv_nxt - xsk->copied_seq < READ_ONCE(sk->sk_rcvlowat) ||
	      __xtcp_select_window(sk) >= xsk->rcv_wnd)) ||
	    xtcp_in_quickack_mode(sk) ||
	    (xsk->ack_pending & ICSK_ACK_NOW)) {
		xtcp_send_ack(sk);
		return;
	}
	if (RB_EMPTY_ROOT(&xsk->out_of_order_queue)) {
		xtcp_send_delayed_ack(sk);
		return;
	}
	if (!xsk->sack_ok ||
	    !xtcp_sack_comp_hold(&xsk->sack_comp, xsk->rcv_nxt,
				 READ_ONCE(xn->comp_sack_nr))) {
		xtcp_send_ack(sk);
		return;
	}
	if (hrtimer_is_queued(&xsk->comp_ack_timer))
		return;
	/* Both RTTs in 1/8 us, as Linux keeps them. */
	delay = xtcp_sack_comp_delay_ns(xsk->rcv_rtt_us8, xsk->rtt.srtt_us,
					READ_ONCE(xn->comp_sack_delay_ns));
	sock_hold(sk);
	hrtimer_start_range_ns(&xsk->comp_ack_timer, ns_to_ktime(delay),
			       READ_ONCE(xn->comp_sack_slack_ns),
			       HRTIMER_MODE_REL_PINNED_SOFT);
}

/**
 * xtcp_event_ack_sent() - a segment carrying our ACK left
 * @sk: the socket, locked
 *
 * tcp_event_ack_sent() and inet_csk_clear_xmit_timer(ICSK_TIME_DACK):
 * the ACKs SACK compression held are counted in TCPAckCompressed and
 * comp_ack_timer stops (this ACK stands for them); one ACK of quick-ACK
 * mode is used up (leaving it resets ato) and nothing is pending any
 * more: the delayed-ACK timer has nothing left to do.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission of a segment with ACK
 * (xtcp_transmit_skb()).
 */
void xtcp_event_ack_sent(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 held = xtcp_sack_comp_ack_sent(&xsk->sack_comp);

	if (unlikely(held)) {
		XTCP_SK_ADD_STATS(sk, XTCP_MIB_TCPACKCOMPRESSED, held);
		xtcp_comp_ack_stop(sk);
	}
	if (xsk->ack_quick) {
		if (xsk->ack_pending & ICSK_ACK_SCHED) {
			WRITE_ONCE(xsk->ack_quick, xsk->ack_quick - 1);
			if (!xsk->ack_quick)
				WRITE_ONCE(xsk->ato, TCP_ATO_MIN);
		}
	}
	/* inet_csk_clear_xmit_timer(ICSK_TIME_DACK): the timer stays where
	 * it is; if it expires, its handler finds no ICSK_ACK_TIMER and does
	 * nothing (counted stale), and the next delayed ACK only moves it.
	 */
	xsk->ack_pending = 0;
	xsk->ack_retry = 0;
}

/**
 * xtcp_hold_handshake_ack() - let the first data carry the handshake's ACK
 * @sk: the socket, just moved from SYN_SENT to ESTABLISHED by the peer's
 *	SYN-ACK, before anything was sent in reply
 *
 * The held-ACK branch of Linux 6.1's tcp_rcv_synsent_state_process().
 * When a writer sleeps waiting for the connection (sk_write_pending,
 * which sk_stream_wait_connect() counts: a blocking write() in SYN_SENT,
 * never a non-blocking one nor connect() itself), the socket is
 * interactive (TCP_QUICKACK 0 set before connect()) or TCP_DEFER_ACCEPT
 * is set on it, the ACK of the SYN-ACK is only scheduled: quick-ACK
 * mode starts (which also ends interactive mode and sets ato to
 * TCP_ATO_MIN), and the delayed-ACK
 * timer is set to TCP_DELACK_MAX (200 ms) from now, whatever ato says,
 * so that the writer's first segment carries the ACK
 * (xtcp_event_ack_sent() clears it) or the timer sends it.
 *
 * Context: softirq with the socket spinlock held, or the socket's owner
 * processing its backlog.
 * Return: true if the ACK is held (the caller sends neither it nor
 * data), false if it is to go now.
 */
bool xtcp_hold_handshake_ack(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!sk->sk_write_pending && !READ_ONCE(xsk->defer_accept) &&
	    !xtcp_in_pingpong_mode(xsk))
		return false;
	xsk->ack_pending |= ICSK_ACK_SCHED;
	xtcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
	xsk->ack_pending |= ICSK_ACK_TIMER;
	xsk->ack_timeout = jiffies + TCP_DELACK_MAX;
	xtcp_reset_delack_timer(sk, xsk->ack_timeout);
	return true;
}

/**
 * xtcp_delack_retry() - the ACK could not be built: send it later
 * @sk: the socket, locked or its spinlock held (a timer)
 *
 * __tcp_send_ack() when allocating the segment fails: the ACK stays
 * scheduled and the delayed-ACK timer sends it TCP_DELACK_MAX from now,
 * that delay doubled for every failure in a row (icsk_ack.retry) up to
 * TCP_RTO_MAX; ato restarts at TCP_ATO_MIN.  The count clears when an ACK
 * leaves (xtcp_event_ack_sent()).
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): xtcp_send_ack() from segment input, recvmsg() or a timer's
 * work.
 */
void xtcp_delack_retry(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	unsigned long delay = TCP_DELACK_MAX << xsk->ack_retry;

	if (delay < TCP_RTO_MAX)
		xsk->ack_retry++;
	else
		delay = TCP_RTO_MAX;
	xsk->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
	WRITE_ONCE(xsk->ato, TCP_ATO_MIN);
	xsk->ack_timeout = jiffies + delay;
	xtcp_reset_delack_timer(sk, xsk->ack_timeout);
}

/**
 * xtcp_event_data_sent() - a segment with data left
 * @sk: the socket, locked
 *
 * tcp_event_data_sent()'s rule: data sent within ato of the last data
 * received is a reply: the connection is interactive (pingpong), and its
 * ACKs wait for the next reply rather than go at once.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission of a segment with data
 * (xtcp_transmit_skb()).
 */
void xtcp_event_data_sent(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if ((u32)(tcp_jiffies32 - xsk->lrcvtime) < xsk->ato)
		xtcp_enter_pingpong_mode(xsk);
}

/**
 * xtcp_ack_due_after_read() - the reader's part of the ACK policy
 * @sk:     the socket, owned by the reader
 * @copied: bytes just copied to the user
 *
 * The ACK-pending part of tcp_cleanup_rbuf(): with an ACK scheduled, ACK
 * now when more than one full segment is unacknowledged, or when this
 * read emptied the receive buffer after a short segment (twice, or once
 * when not interactive).
 *
 * Context: process context, socket owned (lock_sock()): recvmsg(),
 * setsockopt(TCP_QUICKACK).
 * Return: true if an ACK should go now.
 */
bool xtcp_ack_due_after_read(struct sock *sk, int copied)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!(xsk->ack_pending & ICSK_ACK_SCHED))
		return false;
	if (xsk->rcv_nxt - xsk->rcv_wup > xsk->rcv_mss)
		return true;
	return copied > 0 &&
	       ((xsk->ack_pending & ICSK_ACK_PUSHED2) ||
		((xsk->ack_pending & ICSK_ACK_PUSHED) &&
		 !xtcp_in_pingpong_mode(xsk))) &&
	       !atomic_read(&sk->sk_rmem_alloc);
}

/**
 * xtcp_set_quickack() - setsockopt(TCP_QUICKACK)
 * @sk:  the socket, owned by the caller
 * @val: 0 enters interactive (delayed) mode; otherwise leave it, and with
 *	 an ACK pending send it now; an even @val then re-enters it
 *
 * __tcp_sock_set_quickack(); getsockopt() reads !pingpong.
 *
 * Context: process context, socket owned (lock_sock()): setsockopt().
 */
void xtcp_set_quickack(struct sock *sk, int val)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (!val) {
		xtcp_enter_pingpong_mode(xsk);
		return;
	}
	xtcp_exit_pingpong_mode(xsk);
	if (((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) &&
	    (xsk->ack_pending & ICSK_ACK_SCHED)) {
		xsk->ack_pending |= ICSK_ACK_PUSHED;
		if (xtcp_ack_due_after_read(sk, 1))
			xtcp_send_ack(sk);
		if (!(val & 1))
			xtcp_enter_pingpong_mode(xsk);
	}
}

/**
 * xtcp_quickack_get() - getsockopt(TCP_QUICKACK)
 * @sk: the socket
 *
 * Context: process context (getsockopt(), socket not locked); reads the mode
 * locklessly.
 * Return: 1 unless the connection is in interactive (delayed-ACK) mode.
 */
int xtcp_quickack_get(const struct sock *sk)
{
	return !xtcp_in_pingpong_mode(xtcp_sk(sk));
}

/**
 * xtcp_delack_init() - forget the ACK state of an earlier connection
 * @sk: the socket, owned by the caller, its timers stopped
 *
 * inet_csk_delack_init() in tcp_disconnect().
 *
 * Context: process context, socket owned (lock_sock()): disconnect.
 */
void xtcp_delack_init(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	xsk->ack_pending = 0;
	WRITE_ONCE(xsk->ack_quick, 0);
	WRITE_ONCE(xsk->ack_pingpong, 0);
	xsk->ack_retry = 0;
	WRITE_ONCE(xsk->ato, 0);
	xsk->ack_timeout = 0;
	xsk->sack_comp.held = 0;	/* tcp_disconnect() */
	xsk->rcv_mss = 0;
	xsk->last_seg_size = 0;
	xsk->lrcvtime = 0;
}

/* tcp_delack_timer_handler(), for the delayed-ACK timer (@note
 * XTCP_TIMER_DELACK: what it finds stale counts in /proc/net/xtcp_timers)
 * or for comp_ack_timer's work left to release_sock() (@note
 * XTCP_TIMER_NR: nothing counted, that timer is not on the wheel).
 */
static void __xtcp_delack_timer_handler(struct sock *sk, u8 note)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)) {
		xtcp_timer_note(note, XTCP_TIMER_EV_STALE);
		return;
	}
	/* ACKs held by SACK compression go first, and are all it does. */
	if (xsk->sack_comp.held) {
		xtcp_mstamp_refresh(xsk);	/* the ACK's TSval */
		xtcp_sack_compress_send_ack(sk);
		return;
	}
	if (!(xsk->ack_pending & ICSK_ACK_TIMER)) {
		xtcp_timer_note(note, XTCP_TIMER_EV_STALE);
		return;
	}
	if (time_after(xsk->ack_timeout, jiffies)) {
		xtcp_timer_note(note, XTCP_TIMER_EV_STALE);
		xtcp_reset_delack_timer(sk, xsk->ack_timeout);
		return;
	}
	xsk->ack_pending &= ~ICSK_ACK_TIMER;
	if (!(xsk->ack_pending & ICSK_ACK_SCHED)) {
		xtcp_timer_note(note, XTCP_TIMER_EV_STALE);
		return;
	}
	if (!xtcp_in_pingpong_mode(xsk)) {
		WRITE_ONCE(xsk->ato,
			   min_t(u32, xsk->ato << 1, xtcp_rto_jiffies(sk)));
	} else {
		xtcp_exit_pingpong_mode(xsk);
		WRITE_ONCE(xsk->ato, TCP_ATO_MIN);
	}
	xtcp_mstamp_refresh(xsk);	/* the ACK's TSval */
	xtcp_send_ack(sk);
	XTCP_SK_INC_STATS(sk, XTCP_MIB_DELAYEDACKS);
}

/**
 * xtcp_delack_timer_handler() - the delayed ACK is due
 * @sk: the socket, spinlock held and not owned by a user (the timer, or
 *	release_sock())
 *
 * tcp_delack_timer_handler(): ACKs held by SACK compression are sent
 * (xtcp_sack_compress_send_ack()) and nothing else is done; otherwise
 * only the socket's current deadline counts (a deadline moved later
 * re-arms the timer); a missed delayed ACK doubles ato (at most the
 * RTO), or, when interactive, leaves interactive mode with ato at its
 * minimum; then the ACK goes.
 *
 * Context: the delayed-ACK timer's work, socket locked: softirq with the
 * spinlock held (xtcp_delack_timer()), or process context in release_sock()
 * (xtcp_release_cb()), BHs off.
 */
void xtcp_delack_timer_handler(struct sock *sk)
{
	__xtcp_delack_timer_handler(sk, XTCP_TIMER_DELACK);
}

/**
 * xtcp_comp_ack_deferred() - comp_ack_timer's work, in release_sock()
 * @sk: the socket, spinlock held, still owned by the caller of
 *	release_sock() (xtcp_release_cb())
 *
 * tcp_compressed_ack_kick() found the socket owned and left the work to
 * tcp_release_cb() as TCP_DELACK_TIMER_DEFERRED: tcp_delack_timer_handler()
 * then runs, which sends the held ACKs when there still are any.  Here
 * with its own deferral bit, so that the delayed-ACK timer's counters
 * count only that timer.
 *
 * Context: process context in release_sock() (xtcp_release_cb()), BHs off,
 * socket spinlock held and still owned.
 */
void xtcp_comp_ack_deferred(struct sock *sk)
{
	__xtcp_delack_timer_handler(sk, XTCP_TIMER_NR);
}

/**
 * xtcp_sack_compress_send_ack() - send the ACK SACK compression holds
 * @sk: the socket, spinlock held (receive path, delayed-ACK timer) or
 *	owned (release_sock())
 *
 * tcp_sack_compress_send_ack(): with ACKs held, comp_ack_timer stops,
 * one ACK goes for them all and the others count in TCPAckCompressed;
 * with none held, nothing.  Called where Linux calls it: by the
 * delayed-ACK timer, and when an out-of-order segment is about to make
 * or grow a SACK block beyond the first XTCP_SACK_BLOCKS_EXPECTED
 * (tcp_sack_new_ofo_skb()), so that the peer sees the older blocks before
 * they move down.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (out-of-order data), the delayed-ACK timer's
 * work.
 */
void xtcp_sack_compress_send_ack(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 held;

	if (!xsk->sack_comp.held)
		return;
	xtcp_comp_ack_stop(sk);
	held = xtcp_sack_comp_ack_sent(&xsk->sack_comp);
	XTCP_SK_ADD_STATS(sk, XTCP_MIB_TCPACKCOMPRESSED, held - 1);
	xtcp_send_ack(sk);
}

/* tcp_compressed_ack_kick(): comp_ack_timer expired.  With the socket
 * free, one held ACK goes (taken off the count first: it is sent, not
 * saved; xtcp_event_ack_sent() counts the rest); owned, the work goes
 * to release_sock(), which then holds a reference of its own.  The
 * timer's reference is dropped either way.  Softirq (HRTIMER_SOFTIRQ).
 */
static enum hrtimer_restart xtcp_comp_ack_kick(struct hrtimer *timer)
{
	struct xtcp_sock *xsk = container_of(timer, struct xtcp_sock,
					     comp_ack_timer);
	struct sock *sk = &xsk->inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		if (xsk->sack_comp.held) {
			xsk->sack_comp.held--;
			xtcp_send_ack(sk);
		}
	} else if (!test_and_set_bit(XTCP_COMP_ACK_DEFERRED,
				     &xsk->timer_deferred)) {
		sock_hold(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return HRTIMER_NORESTART;
}

/**
 * xtcp_comp_ack_init() - a new socket's comp_ack_timer
 * @sk: the socket being created
 *
 * As tcp_init_xmit_timers(): relative, pinned to the CPU that arms it,
 * expiring in softirq context.
 *
 * Context: process context (socket()) or softirq (a new child); @sk is not yet
 * visible to anyone else.
 */
void xtcp_comp_ack_init(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	hrtimer_init(&xsk->comp_ack_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_PINNED_SOFT);
	xsk->comp_ack_timer.function = xtcp_comp_ack_kick;
}

/**
 * xtcp_comp_ack_stop() - stop comp_ack_timer
 * @sk: the socket, locked (spinlock or owner); the caller holds a
 *	reference
 *
 * A timer stopped before it ran gives its socket reference back; one
 * whose callback runs already keeps it and drops it itself
 * (hrtimer_try_to_cancel(), as tcp_event_ack_sent() and
 * tcp_clear_xmit_timers()).  The held count is the caller's.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller); does not wait for a running callback.
 */
void xtcp_comp_ack_stop(struct sock *sk)
{
	if (hrtimer_try_to_cancel(&xtcp_sk(sk)->comp_ack_timer) == 1)
		__sock_put(sk);
}
