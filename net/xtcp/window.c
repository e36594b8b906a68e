// SPDX-License-Identifier: GPL-2.0
/* xtcp: window scaling and the receive window of a socket.
 *
 * The arithmetic is rwin.c's (Linux 6.1's tcp_select_initial_window(),
 * __tcp_select_window(), tcp_select_window(), tcp_rcv_space_adjust());
 * this file feeds it what the socket, its buffers and the namespace's
 * sysctls say, and stores the results back.  Our shift is chosen when the
 * SYN (xtcp_connect_init_rwin()) or the SYN-ACK (xtcp_req_init_rwin()) is
 * built and is used only if both ends sent a window scale option (RFC 7323
 * s.2.2); windows are offered as Linux does (RFC 9293 s.3.8.6.2.2 receiver
 * silly-window avoidance, a right edge that never moves left), bounded by
 * rcv_ssthresh, which grows with in-order data (xtcp_grow_window()), and
 * by window_clamp, which follows the buffer as the reader grows it
 * (xtcp_rcv_space_adjust()).
 *
 * Every function here runs with the socket locked (owner or softirq with
 * the spinlock), except those taking a SYN queue entry, which run on the
 * listener's input path before the entry is published.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_options.h>
#include <net/xtcp_rwin.h>

/* The sysctls the window depends on, sampled now. */
static void xtcp_rwin_sysctl_get(const struct sock *sk,
				 struct xtcp_rwin_sysctl *sys)
{
	const struct xtcp_net *xn = xtcp_sk_pernet(sk);

	sys->tcp_rmem2 = max(READ_ONCE(xn->rmem[2]), 0);
	sys->rmem_max = READ_ONCE(sysctl_rmem_max);
	sys->adv_win_scale = READ_ONCE(xn->adv_win_scale);
	/* Linux's tcp_workaround_signed_windows, off by default; xtcp has
	 * no such knob.
	 */
	sys->workaround_signed_windows = false;
	sys->moderate_rcvbuf = READ_ONCE(xn->moderate_rcvbuf);
}

/* The receive MSS the window is rounded to: the estimate of the peer's
 * segment size (icsk_ack.rcv_mss, delack.c), or before the connection is
 * open the MSS we advertised.
 */
static int xtcp_rcv_mss(const struct xtcp_sock *xsk)
{
	return xsk->rcv_mss ? : (xsk->advmss ? : XTCP_DEFAULT_MSS);
}

static void xtcp_rwin_load(const struct xtcp_sock *xsk, struct xtcp_rwin *w)
{
	w->rcv_nxt = xsk->rcv_nxt;
	w->rcv_wup = xsk->rcv_wup;
	w->rcv_wnd = xsk->rcv_wnd;
	w->window_clamp = xsk->window_clamp;
	w->rcv_ssthresh = xsk->rcv_ssthresh;
	w->rcv_wscale = xsk->rcv_wscale;
}

/* Linux's tcp_space(): the window the free part of the buffer is worth. */
static int xtcp_sk_space(const struct sock *sk, int adv_win_scale)
{
	return xtcp_space(READ_ONCE(sk->sk_rcvbuf),
			  READ_ONCE(sk->sk_backlog.len),
			  atomic_read(&sk->sk_rmem_alloc), adv_win_scale);
}

static void xtcp_rwin_space_get(const struct sock *sk,
				struct xtcp_rwin_space *s, int adv_win_scale)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	s->free_space = xtcp_sk_space(sk, adv_win_scale);
	s->allowed_space = xtcp_full_space(READ_ONCE(sk->sk_rcvbuf),
					   adv_win_scale);
	s->rcv_mss = xtcp_rcv_mss(xsk);
	s->advmss = xsk->advmss;
	s->unused_mem = sk_unused_reserved_mem(sk);
	s->memory_pressure = sk_under_memory_pressure(sk);
}

/**
 * xtcp_select_window() - the window field of the next segment, not a SYN
 * @sk: the socket, locked
 *
 * Linux's tcp_select_window() (through xtcp_rwin_select_window()): what
 * the buffer allows, never moving the right edge advertised before to
 * the left, scaled down by our shift.  rcv_wnd and rcv_wup record what
 * was offered; rcv_ssthresh falls under memory pressure.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission but a SYN (xtcp_transmit_skb()).
 * Return: the value of the window field, host order.
 */
u16 xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_rwin_sysctl sys;
	struct xtcp_rwin_space s;
	struct xtcp_rwin w;
	bool space_low;
	u16 field;

	xtcp_rwin_sysctl_get(sk, &sys);
	xtcp_rwin_load(xsk, &w);
	xtcp_rwin_space_get(sk, &s, sys.adv_win_scale);
	field = xtcp_rwin_select_window(&w, &s, &sys, &space_low);
	if (space_low)
		WRITE_ONCE(xsk->ack_quick, 0);	/* __tcp_select_window() */
	xsk->rcv_wnd = w.rcv_wnd;
	xsk->rcv_wup = w.rcv_wup;
	xsk->rcv_ssthresh = w.rcv_ssthresh;
	return field;
}

/**
 * __xtcp_select_window() - the window the buffer allows now
 * @sk: the socket, locked
 *
 * Linux's __tcp_select_window(): in bytes, before the no-shrink rule and
 * scaling; nothing is recorded but a lower rcv_ssthresh under memory
 * pressure, and the end of quick ACKs with less than half the buffer free.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sending, the ACK decision of segment input.
 * Return: the window in bytes.
 */
u32 __xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_rwin_sysctl sys;
	struct xtcp_rwin_space s;
	struct xtcp_rwin w;
	bool space_low;
	u32 win;

	xtcp_rwin_sysctl_get(sk, &sys);
	xtcp_rwin_load(xsk, &w);
	xtcp_rwin_space_get(sk, &s, sys.adv_win_scale);
	win = __xtcp_rwin_select_window(&w, &s, sys.adv_win_scale, &space_low);
	if (space_low)
		WRITE_ONCE(xsk->ack_quick, 0);
	xsk->rcv_ssthresh = w.rcv_ssthresh;
	return win;
}

/**
 * xtcp_sk_receive_window() - what is left of the window a socket advertised
 * @xsk: the socket, read under its lock (or by its only user)
 *
 * Linux's tcp_receive_window(): rcv_wup + rcv_wnd - rcv_nxt, 0 once the
 * peer has sent past the right edge; rwin.c's xtcp_receive_window() on the
 * socket's fields.
 *
 * Context: any; the caller keeps the fields stable.
 * Return: bytes the peer may still send.
 */
u32 xtcp_sk_receive_window(const struct xtcp_sock *xsk)
{
	struct xtcp_rwin w;

	xtcp_rwin_load(xsk, &w);
	return xtcp_receive_window(&w);
}

/**
 * xtcp_window_update_due() - should the reader's progress be announced?
 * @sk: the socket, locked by its owner, after the reader took data
 *
 * The window-update rule of Linux's tcp_cleanup_rbuf(): when what is left
 * of the window last advertised is at most half the clamp, and the buffer
 * now allows at least twice that, an ACK tells the peer (this also
 * reopens a closed window).
 *
 * Context: process context, socket owned (lock_sock()): recvmsg().
 * Return: true if the caller should send an ACK now.
 */
bool xtcp_window_update_due(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 now, new_win;

	now = xtcp_sk_receive_window(xsk);
	if (2 * now > xsk->window_clamp)
		return false;
	new_win = __xtcp_select_window(sk);
	return new_win && new_win >= 2 * now;
}

/**
 * xtcp_connect_init_rwin() - the window and shift of an active open
 * @sk: the socket, locked by its owner, routed, advmss set
 *
 * The receive-window part of Linux's tcp_connect_init(): with SO_RCVBUF
 * set the clamp is what that buffer holds; then
 * xtcp_select_initial_window() gives the SYN's window and our shift (if
 * net.xtcp.tcp_window_scaling offers one), and rcv_ssthresh starts at the
 * window.  The route's window and initrwnd metrics count as in Linux.
 *
 * Context: process context, socket owned (lock_sock()): connect().
 */
void xtcp_connect_init_rwin(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_sk_pernet(sk);
	struct dst_entry *dst = __sk_dst_get(sk);
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_rwin_sysctl sys;
	u32 init_rcv_wnd = 0;
	int full_space;
	u8 wscale;

	xtcp_rwin_sysctl_get(sk, &sys);
	full_space = xtcp_full_space(READ_ONCE(sk->sk_rcvbuf),
				     sys.adv_win_scale);
	if (!xsk->window_clamp && dst)
		xsk->window_clamp = dst_metric(dst, RTAX_WINDOW);
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		xsk->window_clamp = xtcp_rcvbuf_lock_clamp(xsk->window_clamp,
							   full_space);
	if (dst)
		init_rcv_wnd = dst_metric(dst, RTAX_INITRWND);
	xtcp_select_initial_window(full_space, xsk->advmss, &xsk->rcv_wnd,
				   &xsk->window_clamp,
				   READ_ONCE(xn->window_scaling), &wscale,
				   init_rcv_wnd, &sys);
	xsk->rcv_wscale = wscale;
	xsk->snd_wscale = 0;
	xsk->wscale_ok = 0;
	xsk->sack_ok = 0;
	xsk->rcv_ssthresh = xsk->rcv_wnd;
}

/**
 * xtcp_req_init_rwin() - the window and shift a SYN-ACK offers
 * @req:      the new SYN queue entry, not yet published; advmss, wscale_ok
 *            and tstamp_ok set
 * @listener: its listener (not locked: xtcp_listen_rcv())
 *
 * Linux's tcp_openreq_init_rwin(): the listener's buffer (with SO_RCVBUF
 * set, also its clamp) gives the window of the SYN-ACK, in whole segments
 * of the MSS we offered (less a timestamp option when those are used) and
 * at most 65535, and our shift if the SYN offered window scaling.  The
 * entry keeps both, and the clamp its child starts from.  There is no
 * route at this point, so the route's window metrics do not apply.
 *
 * Context: segment input for the listener (xtcp_listen_rcv()): softirq,
 * the listener not locked; @req is not yet visible.
 */
void xtcp_req_init_rwin(struct xtcp_request *req, const struct sock *listener)
{
	struct xtcp_rwin_sysctl sys;
	u32 clamp = READ_ONCE(xtcp_sk(listener)->window_clamp);
	u32 mss = req->advmss;
	int full_space;
	u8 wscale;

	xtcp_rwin_sysctl_get(listener, &sys);
	full_space = xtcp_full_space(READ_ONCE(listener->sk_rcvbuf),
				     sys.adv_win_scale);
	if (listener->sk_userlocks & SOCK_RCVBUF_LOCK)
		clamp = xtcp_rcvbuf_lock_clamp(clamp, full_space);
	if (req->tstamp_ok && mss > XTCP_OLEN_TSTAMP_ALIGNED)
		mss -= XTCP_OLEN_TSTAMP_ALIGNED;
	xtcp_select_initial_window(full_space, mss, &req->rcv_wnd, &clamp,
				   req->wscale_ok, &wscale, 0, &sys);
	req->window_clamp = clamp;
	req->rcv_wscale = wscale;
}

/**
 * xtcp_init_buffer_space() - receive-side state once a connection is open
 * @sk: the socket, locked, just established
 *
 * The receive half of Linux's tcp_init_buffer_space() with its default
 * tcp_app_win (31): the clamp is at most what the buffer holds, less one
 * segment's reservation; rcv_ssthresh at most the clamp; and the first
 * auto-tuning measure starts now, from at most ten segments.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): the handshake's end in segment input; or softirq for a new
 * child nobody sees yet.
 */
void xtcp_init_buffer_space(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 advmss = xsk->advmss;
	int maxwin;

	maxwin = xtcp_full_space(READ_ONCE(sk->sk_rcvbuf),
				 READ_ONCE(xtcp_sk_pernet(sk)->adv_win_scale));
	if (maxwin < 0)
		maxwin = 0;
	if (xsk->window_clamp >= (u32)maxwin)
		xsk->window_clamp = maxwin;
	/* Keep one segment's room (the "force reservation" step). */
	if (xsk->window_clamp > 2 * advmss &&
	    xsk->window_clamp + advmss > (u32)maxwin)
		xsk->window_clamp = max_t(u32, 2 * advmss, maxwin - advmss);
	xsk->rcv_ssthresh = min(xsk->rcv_ssthresh, xsk->window_clamp);
	xsk->rcvq_space = min3(xsk->rcv_ssthresh, xsk->rcv_wnd,
			       (u32)TCP_INIT_CWND * advmss);
	xsk->rcvq_seq = xsk->copied_seq;
	xtcp_mstamp_refresh(xsk);	/* tcp_init_buffer_space() */
	xsk->rcvq_time = xsk->tcp_mstamp;
}

/* Linux's truesize_adjust(): the part of a paged skb's truesize that its
 * (empty) linear area does not account for.
 */
static u32 xtcp_truesize_adjust(bool adjust, const struct sk_buff *skb)
{
	u32 truesize = skb->truesize;

	if (adjust && !skb_headlen(skb)) {
		truesize -= SKB_TRUESIZE(skb_end_offset(skb));
		if ((int)truesize < (int)skb->len)
			truesize = skb->truesize;
	}
	return truesize;
}

/* Linux's __tcp_grow_window(): a segment costing more than its share of
 * buffer may still grow rcv_ssthresh while it is small against what the
 * largest buffer (tcp_rmem[2]) would allow.
 */
static int __xtcp_grow_window(const struct sock *sk, const struct sk_buff *skb,
			      u32 skbtruesize, int adv_win_scale)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	int rmem2 = READ_ONCE(xtcp_sk_pernet(sk)->rmem[2]);
	int truesize = xtcp_win_from_space(skbtruesize, adv_win_scale) >> 1;
	int window = xtcp_win_from_space(rmem2, adv_win_scale) >> 1;

	while (window > 0 && xsk->rcv_ssthresh <= (u32)window) {
		if (truesize <= (int)skb->len)
			return 2 * xtcp_rcv_mss(xsk);
		truesize >>= 1;
		window >>= 1;
	}
	return 0;
}

/* __tcp_adjust_rcv_ssthresh(): rcv_ssthresh down to @limit (bytes), but
 * not below the window what SO_RESERVE_MEM still holds would give.
 */
static void xtcp_lower_rcv_ssthresh(struct sock *sk, u32 limit)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int adv = READ_ONCE(xtcp_sk_pernet(sk)->adv_win_scale);
	int unused = sk_unused_reserved_mem(sk), unused_win;

	xsk->rcv_ssthresh = min(xsk->rcv_ssthresh, limit);
	if (unused) {
		unused_win = xtcp_win_from_space(unused, adv);
		if (unused_win > 0)
			xsk->rcv_ssthresh = max_t(u32, xsk->rcv_ssthresh,
						  unused_win);
	}
}

/* tcp_adjust_rcv_ssthresh(): under memory pressure the window's soft
 * limit falls to four segments (or what SO_RESERVE_MEM still holds).
 */
static void xtcp_adjust_rcv_ssthresh(struct sock *sk)
{
	xtcp_lower_rcv_ssthresh(sk, 4U * xtcp_sk(sk)->advmss);
}

/* tcp_clamp_window(): the receive queues hold more than the buffer.  Leave
 * quick-ACK mode; while xtcp's memory is below tcp_mem[0] and not under
 * pressure, grow the buffer to what is in use, up to tcp_rmem[2], unless
 * SO_RCVBUF fixed it; where that is not enough, the window's soft limit
 * falls back to two segments.
 */
static void xtcp_clamp_window(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int rmem2 = READ_ONCE(xtcp_sk_pernet(sk)->rmem[2]);

	WRITE_ONCE(xsk->ack_quick, 0);
	if (READ_ONCE(sk->sk_rcvbuf) < rmem2 &&
	    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
	    !sk_under_memory_pressure(sk) &&
	    sk_memory_allocated(sk) < sk_prot_mem_limits(sk, 0))
		WRITE_ONCE(sk->sk_rcvbuf,
			   min(atomic_read(&sk->sk_rmem_alloc), rmem2));
	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf))
		xsk->rcv_ssthresh = min(xsk->window_clamp, 2U * xsk->advmss);
}

/**
 * xtcp_prune_window() - the window's step before the receive queues are pruned
 * @sk: the socket
 *
 * The first step of Linux 6.1's tcp_prune_queue(), which runs when a
 * segment (in order on a non-empty receive queue, or out of order) finds
 * the queues over sk_rcvbuf or the protocol's memory refusing it: with
 * sk_rmem_alloc at or above sk_rcvbuf, tcp_clamp_window() (above: the
 * buffer grows to what is in use, in bytes, or the window's soft limit
 * falls to two segments); otherwise, under memory pressure, rcv_ssthresh
 * falls to four segments (tcp_adjust_rcv_ssthresh()).  So the buffer
 * grows only from such segments, never ahead of the data.
 *
 * Context: softirq with the socket spinlock held, or the socket's owner
 * processing its backlog.
 */
void xtcp_prune_window(struct sock *sk)
{
	if (atomic_read(&sk->sk_rmem_alloc) >= READ_ONCE(sk->sk_rcvbuf))
		xtcp_clamp_window(sk);
	else if (sk_under_memory_pressure(sk))
		xtcp_adjust_rcv_ssthresh(sk);
}

/**
 * xtcp_set_window_clamp() - TCP_WINDOW_CLAMP
 * @sk:  the socket, owned by the caller (lock_sock())
 * @val: the largest window to offer, bytes; 0 removes the clamp
 *
 * Linux 6.1's tcp_set_window_clamp(): 0 only on a closed socket; other
 * values are raised to SOCK_MIN_RCVBUF / 2, compared unsigned as Linux
 * does (so a negative @val is a clamp near 4 GiB, and reads back as it
 * was set).  A smaller clamp lowers rcv_ssthresh at once, a larger one
 * lets it grow to what was last offered.  The clamp then bounds every
 * window offered and, set before connect() or listen(), the shift chosen
 * (xtcp_select_initial_window()).
 *
 * Context: process context, socket owned (lock_sock()): setsockopt().
 * Return: 0, or -EINVAL for 0 on a socket that is not closed.
 */
int xtcp_set_window_clamp(struct sock *sk, int val)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 clamp, old = xsk->window_clamp;

	if (!val) {
		if (sk->sk_state != TCP_CLOSE)
			return -EINVAL;
		WRITE_ONCE(xsk->window_clamp, 0);
		return 0;
	}
	clamp = (size_t)val < SOCK_MIN_RCVBUF / 2 ? SOCK_MIN_RCVBUF / 2 : val;
	if (clamp == old)
		return 0;
	WRITE_ONCE(xsk->window_clamp, clamp);
	if (clamp < old)
		xtcp_lower_rcv_ssthresh(sk, clamp);
	else
		xsk->rcv_ssthresh = max(min(xsk->rcv_wnd, clamp),
					xsk->rcv_ssthresh);
	return 0;
}

/**
 * xtcp_set_rcvlowat() - SO_RCVLOWAT (struct proto_ops .set_rcvlowat)
 * @sk:  the socket
 * @val: the mark asked for, bytes; never negative (the core reads a
 *       negative value as INT_MAX)
 *
 * Linux 6.1's tcp_set_rcvlowat().  The mark is bounded by half the
 * largest buffer the socket may have: half of SO_RCVBUF's buffer when
 * that option fixed it, else half of net.xtcp.tcp_rmem[2]; 0 is kept
 * as 1.  Pollers and readers the new mark satisfies are woken now
 * (xtcp_data_ready()).  Unless SO_RCVBUF fixed it, the buffer then grows
 * to twice the mark, so that the mark can be reached, and window_clamp
 * to the window that buffer is worth (xtcp_win_from_space()), replacing
 * any TCP_WINDOW_CLAMP, larger or not, as Linux does; the buffer is not
 * locked, so auto-tuning may grow it further.  The buffer never shrinks
 * here.
 *
 * A port reservation (port.c) may get here too: its sk_socket is the
 * xtcp socket's, and a cgroup bind program's bpf_setsockopt() goes
 * through that socket's proto_ops.  It is no xtcp_sock, so it only
 * stores the mark, as the core does for a family without this method.
 *
 * Context: process context, the socket owned (lock_sock() in
 * sk_setsockopt()); a bind program's call runs under the same lock.
 * Return: 0.
 */
int xtcp_set_rcvlowat(struct sock *sk, int val)
{
	bool locked = sk->sk_userlocks & SOCK_RCVBUF_LOCK;
	struct xtcp_net *xn;
	int limit;

	if (sk->sk_prot != &xtcp_prot) {
		WRITE_ONCE(sk->sk_rcvlowat, val ? : 1);
		return 0;
	}
	xn = xtcp_sk_pernet(sk);
	limit = locked ? READ_ONCE(sk->sk_rcvbuf) : READ_ONCE(xn->rmem[2]);
	val = min(val, limit >> 1);
	WRITE_ONCE(sk->sk_rcvlowat, val ? : 1);
	xtcp_data_ready(sk);
	if (locked || 2 * val <= READ_ONCE(sk->sk_rcvbuf))
		return 0;
	WRITE_ONCE(sk->sk_rcvbuf, 2 * val);
	WRITE_ONCE(xtcp_sk(sk)->window_clamp,
		   xtcp_win_from_space(2 * val, READ_ONCE(xn->adv_win_scale)));
	return 0;
}

/**
 * xtcp_grow_window() - let the window grow with the data that arrives
 * @sk:     the socket, locked
 * @skb:    a data segment just taken, skb->len its payload
 * @adjust: @skb is an in-order segment (its truesize may be adjusted for
 *          a paged skb), as tcp_event_data_recv() passes it
 *
 * Linux's tcp_grow_window(): rcv_ssthresh, the soft limit on the window,
 * grows by at least two segments per segment received while segments cost
 * no more buffer than the window they use (RFC 7323 s.2 needs the window
 * to open as the transfer speeds up), never beyond the clamp or the free
 * buffer; under memory pressure it falls to four segments (or what
 * SO_RESERVE_MEM holds) instead.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): segment input (data).
 */
void xtcp_grow_window(struct sock *sk, const struct sk_buff *skb, bool adjust)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int adv = READ_ONCE(xtcp_sk_pernet(sk)->adv_win_scale);
	int room, incr;
	u32 truesize;

	room = min_t(int, xsk->window_clamp, xtcp_sk_space(sk, adv)) -
	       xsk->rcv_ssthresh;
	if (room <= 0)
		return;
	if (sk_under_memory_pressure(sk)) {
		xtcp_adjust_rcv_ssthresh(sk);
		return;
	}
	truesize = xtcp_truesize_adjust(adjust, skb);
	if (xtcp_win_from_space(truesize, adv) <= (int)skb->len)
		incr = 2 * xsk->advmss;
	else
		incr = __xtcp_grow_window(sk, skb, truesize, adv);
	if (incr) {
		incr = max_t(int, incr, 2 * skb->len);
		xsk->rcv_ssthresh += min(room, incr);
		/* ACK at once while it grows */
		WRITE_ONCE(xsk->ack_quick, xsk->ack_quick | 1);
	}
}

/**
 * xtcp_rcv_space_adjust() - grow the receive buffer from what the reader
 * consumed (dynamic right-sizing)
 * @sk: the socket, locked by its owner (recvmsg)
 *
 * Linux 6.1's tcp_rcv_space_adjust() through rwin.c: once per receiver
 * RTT (rcv_rtt_us8: from timestamps, or how long a window of data takes
 * to arrive; nothing before there is an estimate), when the reader took more than in the RTT
 * before and net.xtcp.tcp_moderate_rcvbuf is on, the buffer grows to what
 * twice that (plus the growth rate and 16 segments) needs at the truesize
 * of a full segment, up to tcp_rmem[2], unless SO_RCVBUF fixed it; the
 * clamp follows the buffer.  Nothing grows without a reader.
 *
 * Context: process context, socket owned (lock_sock()): recvmsg().
 */
void xtcp_rcv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	struct xtcp_rwin_sysctl sys;
	u64 now, elapsed;
	u32 copied;
	int rcvbuf;

	/* tcp_rcv_space_adjust(): an ACK this read sends carries this
	 * reading as its TSval, not that of the last segment received.
	 */
	xtcp_mstamp_refresh(xsk);
	now = xsk->tcp_mstamp;
	if (!xsk->rcvq_time) {
		/* Not established through xtcp_init_buffer_space(). */
		xsk->rcvq_space = min_t(u32, xsk->rcv_wnd ? : XTCP_MAX_WINDOW,
					TCP_INIT_CWND * xtcp_rcv_mss(xsk));
		goto new_measure;
	}
	elapsed = xtcp_stamp_us_delta(now, xsk->rcvq_time);
	if (!xtcp_rwin_rcv_space_due(min_t(u64, elapsed, U32_MAX),
				     xsk->rcv_rtt_us8))
		return;
	copied = xsk->copied_seq - xsk->rcvq_seq;
	xtcp_rwin_sysctl_get(sk, &sys);
	rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	if (xtcp_rwin_rcv_space_adjust(copied, &xsk->rcvq_space, xsk->advmss,
				       SKB_TRUESIZE(xsk->advmss + MAX_TCP_HEADER),
				       sk->sk_userlocks & SOCK_RCVBUF_LOCK,
				       &rcvbuf, &xsk->window_clamp, &sys))
		WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
new_measure:
	xsk->rcvq_seq = xsk->copied_seq;
	xsk->rcvq_time = now;
}
