// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp receive window: the arithmetic of Linux 6.1's receive window with
 * every input a parameter (see include/net/xtcp_rwin.h).
 *
 * Pure code: also built by selftests/host.
 */
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/types.h>
#include <net/xtcp_rwin.h>

/* The sysctl's range (proc_dointvec_minmax bounds in Linux). */
#define XTCP_ADV_WIN_SCALE_MIN	(-31)
#define XTCP_ADV_WIN_SCALE_MAX	31

/* Receive-buffer auto-tuning steps its per-segment memory by this much. */
#define XTCP_RCVMEM_STEP	128

/**
 * xtcp_win_from_space() - how much of some buffer space is window
 * @space:         buffer space in bytes (may be negative)
 * @adv_win_scale: tcp_adv_win_scale; outside -31 .. 31 it is clamped
 *
 * The rest of the buffer is set aside for the overhead of the skbs that
 * carry the data. With a positive scale s the window is the space less
 * space / 2^s (s = 1: half, s = 2: three quarters); with zero or a negative
 * scale it is space / 2^-s. Both round towards minus infinity, so a
 * negative space gives a negative window. Linux's tcp_win_from_space().
 *
 * Context: any.
 * Return: the window, in bytes.
 */
int xtcp_win_from_space(int space, int adv_win_scale)
{
	if (adv_win_scale < XTCP_ADV_WIN_SCALE_MIN)
		adv_win_scale = XTCP_ADV_WIN_SCALE_MIN;
	if (adv_win_scale > XTCP_ADV_WIN_SCALE_MAX)
		adv_win_scale = XTCP_ADV_WIN_SCALE_MAX;
	if (adv_win_scale <= 0)
		return space >> -adv_win_scale;
	return space - (space >> adv_win_scale);
}

/**
 * xtcp_space() - window the free part of a receive buffer is worth
 * @rcvbuf:        sk_rcvbuf, bytes
 * @backlog_len:   bytes in the socket backlog (sk_backlog.len)
 * @rmem_alloc:    bytes charged to the receive queues (sk_rmem_alloc)
 * @adv_win_scale: tcp_adv_win_scale
 *
 * Linux's tcp_space(). More can be charged than the buffer size, so the
 * result can be negative; __xtcp_rwin_select_window() is prepared for that.
 *
 * Context: any.
 * Return: xtcp_win_from_space() of the unused buffer, in bytes.
 */
int xtcp_space(int rcvbuf, int backlog_len, int rmem_alloc, int adv_win_scale)
{
	return xtcp_win_from_space(rcvbuf - backlog_len - rmem_alloc,
				   adv_win_scale);
}

/**
 * xtcp_full_space() - window the whole receive buffer is worth
 * @rcvbuf:        sk_rcvbuf, bytes
 * @adv_win_scale: tcp_adv_win_scale
 *
 * Linux's tcp_full_space().
 *
 * Context: any.
 * Return: xtcp_win_from_space() of @rcvbuf, in bytes.
 */
int xtcp_full_space(int rcvbuf, int adv_win_scale)
{
	return xtcp_win_from_space(rcvbuf, adv_win_scale);
}

/**
 * xtcp_rcvbuf_lock_clamp() - window clamp when SO_RCVBUF was set
 * @window_clamp: the clamp so far (0: none)
 * @full_space:   xtcp_full_space() of the socket
 *
 * Call only when the user fixed the receive buffer (SOCK_RCVBUF_LOCK):
 * then the window may never exceed what that buffer holds. This is the
 * step tcp_connect_init() and tcp_openreq_init_rwin() take before
 * tcp_select_initial_window(). As in Linux the comparison is unsigned, so
 * a negative @full_space (impossible for a real buffer) does not apply.
 *
 * Context: any.
 * Return: the clamp to pass to xtcp_select_initial_window(), in bytes.
 */
u32 xtcp_rcvbuf_lock_clamp(u32 window_clamp, int full_space)
{
	if (window_clamp == 0 || window_clamp > (u32)full_space)
		return (u32)full_space;
	return window_clamp;
}

/**
 * xtcp_select_initial_window() - the first window and our window shift
 * @space:        window the receive buffer is worth (tcp_full_space(); on
 *                a SYN-ACK at least init_rcv_wnd * MSS), bytes; a negative
 *                value counts as 0
 * @mss:          MSS we expect from the peer, less the timestamp option if
 *                it will be used, bytes
 * @rcv_wnd:      out: the window the SYN or SYN-ACK offers, bytes
 * @window_clamp: in: the largest window we will ever offer, 0 for no
 *                limit; out: the same, at most 65535 << *@rcv_wscale
 * @wscale_ok:    the window scale option will be sent (net.ipv4 setting
 *                on connect, the peer's SYN on a SYN-ACK)
 * @rcv_wscale:   out: our window shift, 0 .. XTCP_MAX_WSCALE
 * @init_rcv_wnd: initial window in segments (route initrwnd), 0: none
 * @sys:          the sysctls
 *
 * Linux's tcp_select_initial_window(). The initial window is the buffer's
 * worth rounded down to whole segments, at most 65535 (32767 with
 * tcp_workaround_signed_windows) and at most @init_rcv_wnd segments. The
 * shift is chosen for the largest the buffer may ever grow to (tcp_rmem[2]
 * or rmem_max, but not beyond the clamp): the smallest shift that lets a
 * 16-bit field hold a power of two not above that size, i.e.
 * ilog2(size) - 15, within 0 .. 14 (RFC 7323 s.2.2, s.2.3).
 *
 * Linux would divide by zero for an @mss of 0; here that only skips the
 * rounding. @init_rcv_wnd * @mss is computed without overflowing.
 *
 * Context: any.
 */
void xtcp_select_initial_window(int space, u32 mss, u32 *rcv_wnd,
				u32 *window_clamp, bool wscale_ok,
				u8 *rcv_wscale, u32 init_rcv_wnd,
				const struct xtcp_rwin_sysctl *sys)
{
	u32 room = space < 0 ? 0 : (u32)space;
	u32 limit = sys->workaround_signed_windows ? XTCP_MAX_SIGNED_WINDOW :
						     XTCP_MAX_WINDOW_FIELD;
	u32 wnd, top, max_clamp;
	int shift = 0;

	if (*window_clamp == 0)
		*window_clamp = XTCP_MAX_WINDOW_FIELD << XTCP_MAX_WSCALE;
	if (room > *window_clamp)
		room = *window_clamp;

	/* Whole segments, if the buffer holds more than one. */
	if (mss && room > mss)
		room -= room % mss;

	wnd = room < limit ? room : limit;
	if (init_rcv_wnd && (u64)init_rcv_wnd * mss < wnd)
		wnd = init_rcv_wnd * mss;
	*rcv_wnd = wnd;

	if (wscale_ok) {
		top = room;
		if (top < sys->tcp_rmem2)
			top = sys->tcp_rmem2;
		if (top < sys->rmem_max)
			top = sys->rmem_max;
		if (top > *window_clamp)
			top = *window_clamp;
		/* ilog2(0) is undefined; shift 0 covers it. */
		if (top)
			shift = ilog2(top) - 15;
		if (shift < 0)
			shift = 0;
		if (shift > (int)XTCP_MAX_WSCALE)
			shift = XTCP_MAX_WSCALE;
	}
	*rcv_wscale = (u8)shift;

	/* Nothing larger can be advertised with this shift. */
	max_clamp = XTCP_MAX_WINDOW_FIELD << shift;
	if (*window_clamp > max_clamp)
		*window_clamp = max_clamp;
}

/**
 * xtcp_receive_window() - what is left of the window last advertised
 * @w: the connection's window state
 *
 * The right edge advertised was rcv_wup + rcv_wnd; data up to rcv_nxt has
 * arrived since. Linux's tcp_receive_window().
 *
 * Context: any.
 * Return: bytes the peer may still send, 0 if it has overrun the window.
 */
u32 xtcp_receive_window(const struct xtcp_rwin *w)
{
	s32 win = (s32)(w->rcv_wup + w->rcv_wnd - w->rcv_nxt);

	return win < 0 ? 0 : (u32)win;
}

/* Our shift, kept within what the window field can carry. */
static unsigned int xtcp_rwin_shift(const struct xtcp_rwin *w)
{
	return w->rcv_wscale < XTCP_MAX_WSCALE ? w->rcv_wscale :
						 XTCP_MAX_WSCALE;
}

/* @x rounded up to a multiple of the power of two @gran. */
static u32 xtcp_rwin_align(u32 x, u32 gran)
{
	return (x + gran - 1) & ~(gran - 1);
}

/**
 * __xtcp_rwin_select_window() - the window the buffer allows now, unscaled
 * @w:             the connection's window state; @w->rcv_ssthresh is
 *                 lowered under memory pressure, nothing else is written
 * @s:             the socket's buffer now
 * @adv_win_scale: tcp_adv_win_scale
 * @space_low:     out (may be NULL): less than half the buffer is free,
 *                 so the caller should leave quick-ACK mode
 *                 (icsk_ack.quick = 0) as Linux does
 *
 * Linux's __tcp_select_window() with tcp_shrink_window off (its default):
 * the raw window, before the no-shrink rule and the scaling that
 * xtcp_rwin_select_window() applies.
 *
 * - Window is at most min(window_clamp, allowed_space) and rcv_ssthresh.
 * - Under half the buffer free: the free space is first rounded down to
 *   our scale's granularity; below 1/16 of the buffer or below one MSS it
 *   offers zero (the buffer must not be overrun before the zero window
 *   gets out). Under memory pressure rcv_ssthresh falls to 4 * advmss (not
 *   below what SO_RESERVE_MEM still holds, tcp_adjust_rcv_ssthresh()).
 * - With a shift: the free space rounded up to a multiple of 1 << shift,
 *   so that a window smaller than one unit is not scaled away to zero.
 * - Without: the current window stays while it is within one MSS below
 *   the free space; otherwise the free space rounded down to whole MSS;
 *   if the MSS is the whole buffer and more than half a buffer more has
 *   become free, all of it.
 *
 * A @s->rcv_mss below 1 is taken as 1 (Linux never has one).
 *
 * Context: any.
 * Return: the window in bytes, a multiple of 1 << rcv_wscale when
 * rcv_wscale is not 0.
 */
u32 __xtcp_rwin_select_window(struct xtcp_rwin *w,
			      const struct xtcp_rwin_space *s,
			      int adv_win_scale, bool *space_low)
{
	unsigned int shift = xtcp_rwin_shift(w);
	u32 gran = 1U << shift;
	int free_space = s->free_space;
	int mss = s->rcv_mss < 1 ? 1 : s->rcv_mss;
	/* Linux takes min_t(int, ...): a clamp above INT_MAX reads negative. */
	int full_space = (int)w->window_clamp;
	u32 floor, window;
	int unused_win;

	if (space_low)
		*space_low = false;
	if (s->allowed_space < full_space)
		full_space = s->allowed_space;

	if (mss > full_space) {
		mss = full_space;
		if (mss <= 0)
			return 0;
	}

	if (free_space < (full_space >> 1)) {
		if (space_low)
			*space_low = true;
		/* tcp_adjust_rcv_ssthresh(), written out here: this file
		 * is pure logic on its snapshot (window.c's
		 * xtcp_adjust_rcv_ssthresh() is the socket's form).
		 */
		if (s->memory_pressure) {
			floor = 4 * s->advmss;
			if (w->rcv_ssthresh > floor)
				w->rcv_ssthresh = floor;
			if (s->unused_mem > 0) {
				unused_win = xtcp_win_from_space(s->unused_mem,
								 adv_win_scale);
				if (unused_win > 0 &&
				    (u32)unused_win > w->rcv_ssthresh)
					w->rcv_ssthresh = (u32)unused_win;
			}
		}
		/* Do not let the scale round this up beyond what is free. */
		free_space &= ~(int)(gran - 1);
		if (free_space < (s->allowed_space >> 4) || free_space < mss)
			return 0;
	}
	/* Here full_space >= mss >= 1, and a negative free_space is below
	 * full_space / 2 and below mss, so it returned 0 above: free_space is
	 * not negative from now on.
	 */
	if ((u32)free_space > w->rcv_ssthresh)
		free_space = (int)w->rcv_ssthresh;

	if (shift)
		return xtcp_rwin_align((u32)free_space, gran);

	window = w->rcv_wnd;
	if ((s64)window <= (s64)free_space - mss || window > (u32)free_space)
		window = (u32)(free_space - free_space % mss);
	else if (mss == full_space &&
		 (s64)free_space > (s64)window + (full_space >> 1))
		window = (u32)free_space;
	return window;
}

/**
 * xtcp_rwin_select_window() - the window field of the next segment we send
 * @w:         the connection's window state: rcv_nxt, rcv_wup, rcv_wnd,
 *             window_clamp, rcv_ssthresh, rcv_wscale; rcv_wnd and rcv_wup
 *             (and under memory pressure rcv_ssthresh) are updated
 * @s:         the socket's buffer now
 * @sys:       the sysctls
 * @space_low: out (may be NULL), as for __xtcp_rwin_select_window()
 *
 * Linux's tcp_select_window() with tcp_shrink_window off. The right edge
 * once offered is never taken back (RFC 9293 s.3.8.6.2.2, RFC 7323 s.2.4):
 * if the buffer now allows less than what remains of the last window, what
 * remains is offered again, rounded up to the scale's granularity. The new
 * window becomes rcv_wnd from rcv_wup = rcv_nxt; then it is capped to what
 * the field can carry (65535 << rcv_wscale, or 32767 unscaled with
 * tcp_workaround_signed_windows) and shifted right by rcv_wscale (RFC 7323
 * s.2.3). As in Linux, rcv_wnd keeps the uncapped value.
 *
 * Context: any.
 * Return: the value for the segment's window field (host order).
 */
u16 xtcp_rwin_select_window(struct xtcp_rwin *w,
			    const struct xtcp_rwin_space *s,
			    const struct xtcp_rwin_sysctl *sys, bool *space_low)
{
	unsigned int shift = xtcp_rwin_shift(w);
	u32 cur_win = xtcp_receive_window(w);
	u32 new_win = __xtcp_rwin_select_window(w, s, sys->adv_win_scale,
					   space_low);
	u32 cap;

	if (new_win < cur_win)
		new_win = xtcp_rwin_align(cur_win, 1U << shift);

	w->rcv_wnd = new_win;
	w->rcv_wup = w->rcv_nxt;

	if (!shift && sys->workaround_signed_windows)
		cap = XTCP_MAX_SIGNED_WINDOW;
	else
		cap = XTCP_MAX_WINDOW_FIELD << shift;
	if (new_win > cap)
		new_win = cap;
	return (u16)(new_win >> shift);
}

/**
 * xtcp_rwin_rcv_space_due() - time for the once-per-RTT measure?
 * @elapsed_us:  microseconds since the last xtcp_rwin_rcv_space_adjust()
 *               measure began (tcp_sock rcvq_space.time)
 * @rcv_rtt_us8: the receiver's RTT estimate in 1/8 us, as Linux keeps
 *               rcv_rtt_est.rtt_us; 0 before any estimate
 *
 * The gate at the top of Linux's tcp_rcv_space_adjust(): measure once per
 * RTT, and not at all before the RTT is known.
 *
 * Context: any.
 * Return: true when the caller should call xtcp_rwin_rcv_space_adjust() now.
 */
bool xtcp_rwin_rcv_space_due(u32 elapsed_us, u32 rcv_rtt_us8)
{
	return rcv_rtt_us8 && elapsed_us >= (rcv_rtt_us8 >> 3);
}

/**
 * xtcp_rcv_rtt_update() - fold one sample into the receiver's RTT estimate
 * @rtt_us8:   the estimate in 1/8 us (Linux's rcv_rtt_est.rtt_us), 0 if
 *             there is none yet
 * @sample_us: the sample in us, at least 1
 * @win_dep:   the sample is the time a window's worth of data took to
 *             arrive (no timestamps), which is at least one RTT and often
 *             more (a sender stalled by its application)
 *
 * Linux's tcp_rcv_rtt_update(): a sample smaller than the estimate
 * replaces it, as does the first; a larger one is ignored when @win_dep
 * (only the minimum of such samples means anything), and otherwise (a
 * timestamp sample, tcp_rcv_rtt_measure_ts()) moves the estimate by an
 * eighth of the difference.
 *
 * Context: any.
 * Return: the new estimate in 1/8 us, at most U32_MAX.
 */
u32 xtcp_rcv_rtt_update(u32 rtt_us8, u32 sample_us, bool win_dep)
{
	u64 m = (u64)sample_us << 3;

	if (rtt_us8 && m >= rtt_us8) {
		if (win_dep)
			return rtt_us8;
		m = (u64)rtt_us8 - (rtt_us8 >> 3) + sample_us;
	}
	return m > U32_MAX ? U32_MAX : (u32)m;
}

/**
 * xtcp_rwin_rcv_space_rcvmem() - buffer memory one full segment is charged
 * @seg_truesize:  truesize of an skb holding @advmss bytes with its
 *                 headers (Linux: SKB_TRUESIZE(advmss + MAX_TCP_HEADER))
 * @advmss:        the MSS we advertised, bytes
 * @adv_win_scale: tcp_adv_win_scale
 *
 * @seg_truesize raised in steps of 128 until xtcp_win_from_space() of it
 * covers @advmss, as in tcp_rcv_space_adjust(). Linux steps in a loop; for
 * a scale of 0 or below the answer is computed directly. Where no int can
 * cover it (a scale of -21 or lower for a 1460-byte MSS) Linux's loop
 * never ends; here the result saturates at INT_MAX, which makes any growth
 * ask for tcp_rmem[2].
 *
 * Context: any.
 * A negative @seg_truesize counts as 0.
 *
 * Return: bytes of buffer per segment, at least @seg_truesize.
 */
int xtcp_rwin_rcv_space_rcvmem(int seg_truesize, u16 advmss,
			       int adv_win_scale)
{
	int rcvmem = seg_truesize < 0 ? 0 : seg_truesize;
	u64 need, steps, mem;

	if (adv_win_scale > 0) {
		/* The window is at least half the space: this ends quickly. */
		while (xtcp_win_from_space(rcvmem, adv_win_scale) < advmss)
			rcvmem += XTCP_RCVMEM_STEP;
		return rcvmem;
	}

	if (adv_win_scale < XTCP_ADV_WIN_SCALE_MIN)
		adv_win_scale = XTCP_ADV_WIN_SCALE_MIN;
	/* space >> -scale >= advmss exactly when space >= advmss << -scale. */
	need = (u64)advmss << -adv_win_scale;
	if ((u64)rcvmem >= need)
		return rcvmem;
	steps = (need - rcvmem + XTCP_RCVMEM_STEP - 1) / XTCP_RCVMEM_STEP;
	mem = rcvmem + steps * XTCP_RCVMEM_STEP;
	return mem > INT_MAX ? INT_MAX : (int)mem;
}

/* The buffer tcp_rcv_space_adjust() asks for, at most tcp_rmem[2] (and at
 * most INT_MAX); @copied > @space and @advmss > 0.
 *
 * A window of limit bytes or more already asks for more than rmem2, as
 * every segment takes rcvmem >= advmss: saturate as soon as it gets there
 * (grow >= limit is only a shortcut). Below limit (< 2^32) copied is below
 * 2^31, so rcvwin * (copied - space) < 2^63 does not overflow, and segs <=
 * rmem2 < 2^31 keeps the last product below 2^62.
 */
static u64 xtcp_rwin_rcvbuf_target(u32 copied, u32 space, u16 advmss,
				   int seg_truesize,
				   const struct xtcp_rwin_sysctl *sys)
{
	u64 rmem2 = sys->tcp_rmem2 < INT_MAX ? sys->tcp_rmem2 : INT_MAX;
	u64 limit = rmem2 + advmss;
	u32 base = space ? space : 1;
	u64 rcvwin, grow, segs;
	int rcvmem;

	rcvwin = ((u64)copied << 1) + 16 * (u64)advmss;
	if (rcvwin >= limit)
		return rmem2;
	grow = rcvwin * (copied - base) / base;
	if (grow >= limit)
		return rmem2;
	rcvwin += grow << 1;

	rcvmem = xtcp_rwin_rcv_space_rcvmem(seg_truesize, advmss,
					    sys->adv_win_scale);
	segs = rcvwin / advmss;
	if (segs > rmem2 || segs * rcvmem >= rmem2)
		return rmem2;
	return segs * rcvmem;
}

/**
 * xtcp_rwin_rcv_space_adjust() - receive-buffer auto-tuning, once per RTT
 * @copied:        bytes the application read since the last measure
 *                 (copied_seq - rcvq_space.seq)
 * @space:         in/out: rcvq_space.space, the bytes read in the RTT
 *                 before; becomes @copied when that is more
 * @advmss:        the MSS we advertised, bytes
 * @seg_truesize:  see xtcp_rwin_rcv_space_rcvmem()
 * @rcvbuf_locked: SO_RCVBUF was set (SOCK_RCVBUF_LOCK)
 * @rcvbuf:        in/out: sk_rcvbuf, bytes; only ever grows
 * @window_clamp:  in/out: set to xtcp_win_from_space() of a new @rcvbuf
 * @sys:           the sysctls (tcp_rmem2, adv_win_scale, moderate_rcvbuf)
 *
 * Linux 6.1's tcp_rcv_space_adjust() after its once-per-RTT gate (see
 * xtcp_rwin_rcv_space_due()); the caller then starts the next measure. If
 * the application read more in this RTT than in the last, and auto-tuning
 * is on and the buffer not locked, the buffer is sized for a window of
 *
 *   rcvwin = 2 * copied + 16 * advmss, plus twice rcvwin * growth,
 *   growth = (copied - space) / space
 *
 * (room for a loss, and for the sender doubling in slow start, since the
 * window advertised now is used an RTT later), in whole segments of
 * xtcp_rwin_rcv_space_rcvmem() bytes each, at most tcp_rmem[2]. Only a
 * larger buffer is taken.
 *
 * Where Linux's u64 arithmetic could overflow, the result has already
 * reached tcp_rmem[2] and saturates there; tcp_rmem[2] above INT_MAX counts
 * as INT_MAX (the sysctl is an int). A @space of 0, on which Linux would
 * divide by zero, counts as 1; an @advmss of 0 leaves the buffer alone.
 *
 * Context: any.
 * Return: true if @rcvbuf (and @window_clamp) changed.
 */
bool xtcp_rwin_rcv_space_adjust(u32 copied, u32 *space, u16 advmss,
				int seg_truesize, bool rcvbuf_locked,
				int *rcvbuf, u32 *window_clamp,
				const struct xtcp_rwin_sysctl *sys)
{
	bool grown = false;
	u64 target;

	if (copied <= *space)
		return false;

	if (sys->moderate_rcvbuf && !rcvbuf_locked && advmss) {
		target = xtcp_rwin_rcvbuf_target(copied, *space, advmss,
						 seg_truesize, sys);
		if (target > (u64)*rcvbuf || *rcvbuf < 0) {
			*rcvbuf = (int)target;
			*window_clamp = (u32)xtcp_win_from_space(*rcvbuf,
								 sys->adv_win_scale);
			grown = true;
		}
	}
	*space = copied;
	return grown;
}
