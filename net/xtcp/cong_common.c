// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control: window helpers shared by the algorithms.
 *
 * Pure code (see include/net/xtcp_cong.h): also built by selftests/host.
 */
#include <linux/export.h>
#include <linux/types.h>
#include <net/xtcp_cong.h>

/* Raise cwnd by @inc segments without passing cwnd_clamp or wrapping. */
static void xtcp_cong_grow(struct xtcp_cong *ca, u64 inc)
{
	u64 cwnd = (u64)ca->cwnd + inc;

	if (cwnd >= ca->cwnd_clamp) {
		cwnd = ca->cwnd_clamp;
		ca->cwnd_cnt = 0;
	}
	ca->cwnd = (u32)cwnd;
}

/**
 * xtcp_cong_reno_undo_cwnd() - the cwnd after an undo
 * @ca:         the connection's congestion state
 * @prior_cwnd: cwnd before the reduction being undone, segments
 *
 * Linux's tcp_reno_undo_cwnd(), which CUBIC uses too: what cwnd was
 * before the reduction, or more if it has grown since.
 *
 * Context: any; pure logic, the caller serialises use of @ca.
 * Return: the cwnd to restore, in segments.
 */
u32 xtcp_cong_reno_undo_cwnd(struct xtcp_cong *ca, u32 prior_cwnd)
{
	return ca->cwnd > prior_cwnd ? ca->cwnd : prior_cwnd;
}
EXPORT_SYMBOL_GPL(xtcp_cong_reno_undo_cwnd);

/**
 * xtcp_cong_restart_cwnd() - the window to send with after an idle period
 * @cwnd: the congestion window before the idle period, segments
 * @iw:   the initial window, segments (the restart window is at most it)
 * @idle: time since data was last sent, any unit, more than @rto
 * @rto:  the retransmission timeout in the same unit, at least 1
 *
 * RFC 2861 s.3 as Linux's tcp_cwnd_restart(): cwnd halves once for
 * each RTO, or part of one, of the idle period beyond the first RTO,
 * while above the restart window, min(@iw, @cwnd); it ends at least
 * there.
 *
 * Context: any; pure logic.
 * Return: the new cwnd, segments.
 */
u32 xtcp_cong_restart_cwnd(u32 cwnd, u32 iw, u32 idle, u32 rto)
{
	u32 restart = iw < cwnd ? iw : cwnd;

	while (idle > rto && cwnd > restart) {
		idle -= rto;
		cwnd >>= 1;
	}
	return cwnd > restart ? cwnd : restart;
}

/**
 * xtcp_cong_app_limited_cwnd() - the window after an application-limited RTO
 * @cwnd: the congestion window, segments
 * @used: the largest flight sent since cwnd was last used in full, segments
 * @iw:   the initial window, segments
 *
 * RFC 2861 s.3 as Linux's tcp_cwnd_application_limited(): a window not
 * used in full for an RTO shrinks halfway down to what was used, but not
 * below the initial window.
 *
 * Context: any; pure logic.
 * Return: the new cwnd, segments; @cwnd when the flight used it all.
 */
u32 xtcp_cong_app_limited_cwnd(u32 cwnd, u32 used, u32 iw)
{
	u32 win_used = used > iw ? used : iw;

	if (win_used >= cwnd)
		return cwnd;
	return (u32)(((u64)cwnd + win_used) >> 1);
}

/**
 * xtcp_cong_slow_start() - slow start's growth for one ACK
 * @ca:    the connection's congestion state; cwnd, ssthresh in segments
 * @acked: segments newly ACKed
 *
 * RFC 5681 s.3.1: one segment of growth per segment ACKed, so cwnd
 * doubles every RTT, but never past ssthresh (nor cwnd_clamp).  RFC 3465
 * would cap @acked per ACK; like Linux's tcp_slow_start() we do not, as
 * stretch ACKs from GRO/LRO would otherwise slow the ramp down.  Outside
 * slow start nothing changes.
 *
 * Context: any; pure logic, the caller serialises use of @ca.
 * Return: the segments of @acked not used up by slow start (all of them
 * outside slow start), for the caller to spend on congestion avoidance.
 */
u32 xtcp_cong_slow_start(struct xtcp_cong *ca, u32 acked)
{
	u32 room;

	if (!xtcp_cong_in_slow_start(ca))
		return acked;

	room = ca->ssthresh - ca->cwnd;
	if (acked <= room) {
		xtcp_cong_grow(ca, acked);
		return 0;
	}
	xtcp_cong_grow(ca, room);
	return acked - room;
}
EXPORT_SYMBOL_GPL(xtcp_cong_slow_start);

/**
 * xtcp_cong_avoid_ai() - congestion avoidance's additive increase
 * @ca:    the connection's congestion state; cwnd and cwnd_cnt in segments
 * @w:     segments to ACK for one segment of growth (0 counts as 1)
 * @acked: segments newly ACKed
 *
 * One segment of cwnd for every @w segments ACKed (RFC 5681 s.3.1 uses
 * w = cwnd, i.e. one segment per RTT); Linux's tcp_cong_avoid_ai(). ACKs
 * are counted exactly in cwnd_cnt instead of adding fractions, so delayed
 * ACKs neither speed up nor slow down the increase.
 *
 * Context: any; pure logic, the caller serialises use of @ca (the socket
 * lock in the module).
 */
void xtcp_cong_avoid_ai(struct xtcp_cong *ca, u32 w, u32 acked)
{
	u64 cnt;

	if (!w)
		w = 1;
	/* cwnd_cnt was accumulated against an older, possibly larger w (cwnd
	 * shrank after a loss, or the algorithm changed its mind). Carrying
	 * more than one increment's worth over would turn it into a burst.
	 */
	if (ca->cwnd_cnt >= w)
		ca->cwnd_cnt = w - 1;

	cnt = (u64)ca->cwnd_cnt + acked;
	if (cnt < w) {
		ca->cwnd_cnt = (u32)cnt;
		return;
	}
	ca->cwnd_cnt = (u32)(cnt % w);
	xtcp_cong_grow(ca, cnt / w);
}
EXPORT_SYMBOL_GPL(xtcp_cong_avoid_ai);

/**
 * xtcp_cbrt_u64() - integer cube root, rounded down
 * @x: the radicand
 *
 * The largest r with r^3 <= @x.
 *
 * Classic digit-by-digit extraction in base 2: the radicand is consumed
 * three bits at a time from the top, and each step decides one bit of the
 * root. With root r so far (for the bits consumed), appending a 1 bit gives
 * (2r + 1)^3 = 8r^3 + 12r^2 + 6r + 1, so after doubling r the step needs
 * 3r(r + 1) + 1 more in the remainder. No multiplication overflows: r stays
 * below 2^22, and the subtrahend is compared before it is shifted up.
 * 22 fixed iterations, no division: cheap enough for the per-loss K.
 * Linux's cubic uses a table-seeded Newton step (cubic_root()) instead.
 *
 * Context: any.
 * Return: floor(cbrt(@x)).
 */
u32 xtcp_cbrt_u64(u64 x)
{
	u64 root = 0;
	int shift;

	for (shift = 63; shift >= 0; shift -= 3) {
		u64 need;

		root <<= 1;
		need = 3 * root * (root + 1) + 1;
		if ((x >> shift) >= need) {
			x -= need << shift;
			root++;
		}
	}
	return (u32)root;
}
