/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp receive window: how much receive buffer becomes window, the window
 * and shift a connection starts with, the window each segment advertises,
 * and receive-buffer auto-tuning, as Linux 6.1 computes them.
 *
 * Pure code (see include/net/xtcp_cong.h): no socket, no skb. Whatever
 * Linux reads from struct sock or tcp_sock is a parameter here; the caller
 * samples it under the socket lock and stores the results back.
 *
 * All sizes are bytes. Sizes that Linux keeps as int (buffer space, which
 * can go negative when more is queued than the buffer allows) are int
 * here too; window fields are u32 as in tcp_sock.
 *
 * Linux functions followed: tcp_win_from_space(), tcp_space() and
 * tcp_full_space(); tcp_select_initial_window() with the SO_RCVBUF clamp
 * of tcp_connect_init()/tcp_openreq_init_rwin(); __tcp_select_window()
 * and tcp_select_window() as with net.ipv4.tcp_shrink_window = 0 (the
 * default; the 6.1.y backport's shrinking mode is not modelled);
 * tcp_rcv_space_adjust() of 6.1 (before scaling_ratio).
 */
#ifndef _NET_XTCP_RWIN_H
#define _NET_XTCP_RWIN_H

#include <linux/types.h>

/* Largest window shift (RFC 7323 s.2.3), Linux's TCP_MAX_WSCALE. */
#define XTCP_MAX_WSCALE		14
/*
 * Largest window offered to a peer that may read the window field as
 * signed (tcp_workaround_signed_windows), Linux's MAX_TCP_WINDOW.
 */
#define XTCP_MAX_SIGNED_WINDOW	32767U
/* Largest unscaled window field. */
#define XTCP_MAX_WINDOW_FIELD	65535U

/*
 * The sysctls the receive window depends on, sampled by the caller.
 *
 * @tcp_rmem2:          net.ipv4.tcp_rmem[2], the auto-tuning ceiling.
 * @rmem_max:           net.core.rmem_max.
 * @adv_win_scale:      tcp_adv_win_scale, -31 .. 31: the share of buffer
 *                      space that is window (see xtcp_win_from_space()).
 * @workaround_signed_windows: tcp_workaround_signed_windows.
 * @moderate_rcvbuf:    tcp_moderate_rcvbuf (receive-buffer auto-tuning).
 */
struct xtcp_rwin_sysctl {
	u32 tcp_rmem2;
	u32 rmem_max;
	int adv_win_scale;
	bool workaround_signed_windows;
	bool moderate_rcvbuf;
};

/*
 * A connection's receive-window state, the tcp_sock fields of the same
 * names: the window last advertised, @rcv_wnd bytes from @rcv_wup, with
 * @rcv_nxt the next sequence number expected; @window_clamp the most ever
 * offered; @rcv_ssthresh the current soft limit; @rcv_wscale our shift.
 */
struct xtcp_rwin {
	u32 rcv_nxt;
	u32 rcv_wup;
	u32 rcv_wnd;
	u32 window_clamp;
	u32 rcv_ssthresh;
	u8 rcv_wscale;
};

/*
 * What the socket says about its buffer when a window is chosen.
 *
 * @free_space:      xtcp_space() of the socket now (may be negative).
 * @allowed_space:   xtcp_full_space() of the socket.
 * @rcv_mss:         the estimate of the peer's MSS (icsk_ack.rcv_mss).
 * @advmss:          the MSS we advertised (tcp_sock advmss).
 * @unused_mem:      sk_unused_reserved_mem(): SO_RESERVE_MEM not yet used.
 * @memory_pressure: tcp_under_memory_pressure().
 */
struct xtcp_rwin_space {
	int free_space;
	int allowed_space;
	int rcv_mss;
	u32 advmss;
	int unused_mem;
	bool memory_pressure;
};

int xtcp_win_from_space(int space, int adv_win_scale);
int xtcp_space(int rcvbuf, int backlog_len, int rmem_alloc,
	       int adv_win_scale);
int xtcp_full_space(int rcvbuf, int adv_win_scale);

u32 xtcp_rcvbuf_lock_clamp(u32 window_clamp, int full_space);
void xtcp_select_initial_window(int space, u32 mss, u32 *rcv_wnd,
				u32 *window_clamp, bool wscale_ok,
				u8 *rcv_wscale, u32 init_rcv_wnd,
				const struct xtcp_rwin_sysctl *sys);

u32 xtcp_receive_window(const struct xtcp_rwin *w);
u32 __xtcp_rwin_select_window(struct xtcp_rwin *w,
			      const struct xtcp_rwin_space *s,
			      int adv_win_scale, bool *space_low);
u16 xtcp_rwin_select_window(struct xtcp_rwin *w,
			    const struct xtcp_rwin_space *s,
			    const struct xtcp_rwin_sysctl *sys, bool *space_low);

bool xtcp_rwin_rcv_space_due(u32 elapsed_us, u32 rcv_rtt_us8);
u32 xtcp_rcv_rtt_update(u32 rtt_us8, u32 sample_us, bool win_dep);
int xtcp_rwin_rcv_space_rcvmem(int seg_truesize, u16 advmss,
			       int adv_win_scale);
bool xtcp_rwin_rcv_space_adjust(u32 copied, u32 *space, u16 advmss,
				int seg_truesize, bool rcvbuf_locked,
				int *rcvbuf, u32 *window_clamp,
				const struct xtcp_rwin_sysctl *sys);

#endif /* _NET_XTCP_RWIN_H */
