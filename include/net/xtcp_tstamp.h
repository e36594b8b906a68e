/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp timestamps (RFC 7323): the arithmetic of PAWS and of the ts_recent
 * update, as Linux 6.1 does it (tcp_paws_check(), tcp_paws_reject(),
 * tcp_replace_ts_recent(), tcp_disordered_ack()'s replay window).
 *
 * Pure code (see include/net/xtcp_cong.h): numbers in, verdicts out; the
 * caller reads the clock (seconds for ts_recent_stamp, as Linux's
 * ktime_get_seconds()) and the connection's state. Timestamps are 32-bit
 * values compared modulo 2^32 (RFC 7323 s.5.2), in host order. Also built
 * by selftests/host (test_tstamp.c).
 */
#ifndef _NET_XTCP_TSTAMP_H
#define _NET_XTCP_TSTAMP_H

#include <linux/types.h>

/* Linux's TCP_PAWS_24DAYS: a ts_recent older than this (seconds) is no
 * reference any more (RFC 7323 s.5.5, the peer's clock may have wrapped).
 */
#define XTCP_PAWS_24DAYS	(60 * 60 * 24 * 24)
/* Linux's TCP_PAWS_MSL: after this many seconds without a segment, a RST
 * with an old timestamp is accepted (the peer may have rebooted).
 */
#define XTCP_PAWS_MSL		60
/* Linux's TCP_PAWS_WINDOW: the slack of the established PAWS check. */
#define XTCP_PAWS_WINDOW	1
/* TSval ticks per second: 1 ms, Linux's TCP_TS_HZ. */
#define XTCP_TS_HZ		1000

/**
 * struct xtcp_paws - what a PAWS verdict needs (Linux's tcp_options_received
 * fields of the same names)
 * @ts_recent:       the TSval to echo, from the last segment that updated it
 * @ts_recent_stamp: when it was set, in seconds (ktime_get_seconds())
 * @rcv_tsval:       TSval of the segment being checked
 */
struct xtcp_paws {
	u32 ts_recent;
	u32 ts_recent_stamp;
	u32 rcv_tsval;
};

/* s32 difference of two 32-bit times or timestamps: after the wrap as
 * before (time_before32()).
 */
static inline bool xtcp_ts_before32(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/**
 * xtcp_paws_check() - is the segment's TSval recent enough?
 * @p:        ts_recent, ts_recent_stamp and the segment's TSval
 * @paws_win: how far (in ticks) below ts_recent a TSval may still be
 * @now_sec:  the clock of @p->ts_recent_stamp, seconds
 *
 * Linux's tcp_paws_check() (RFC 7323 s.5.3 R1): yes when TSval is at most
 * @paws_win below ts_recent (modulo 2^32), when ts_recent is 24 days old
 * or more (s.5.5), or when ts_recent is 0 (a peer that sent 0 in its SYN).
 *
 * Return: true when the segment passes.
 */
static inline bool xtcp_paws_check(const struct xtcp_paws *p, int paws_win,
				   u32 now_sec)
{
	if ((s32)(p->ts_recent - p->rcv_tsval) <= paws_win)
		return true;
	if (!xtcp_ts_before32(now_sec, p->ts_recent_stamp + XTCP_PAWS_24DAYS))
		return true;
	return !p->ts_recent;
}

/**
 * xtcp_paws_reject() - does PAWS reject the segment (no slack)?
 * @p:       as for xtcp_paws_check()
 * @rst:     the segment is a RST
 * @now_sec: seconds, the clock of @p->ts_recent_stamp
 *
 * Linux's tcp_paws_reject(), used by SYN queue and TIME_WAIT entries: a
 * TSval below ts_recent is rejected, except a RST after XTCP_PAWS_MSL
 * seconds without a newer timestamp.
 *
 * Return: true when the segment must be dropped.
 */
static inline bool xtcp_paws_reject(const struct xtcp_paws *p, bool rst,
				    u32 now_sec)
{
	if (xtcp_paws_check(p, 0, now_sec))
		return false;
	return !(rst && !xtcp_ts_before32(now_sec, p->ts_recent_stamp +
					  XTCP_PAWS_MSL));
}

/**
 * xtcp_ts_recent_replace_ok() - may the segment's TSval become ts_recent?
 * @p:       as for xtcp_paws_check()
 * @seq:     the segment's first sequence number
 * @rcv_wup: RCV.NXT when the window was last advertised (Last.ACK.sent)
 * @now_sec: seconds, the clock of @p->ts_recent_stamp
 *
 * RFC 7323 s.4.3 as Linux's tcp_replace_ts_recent(): only a segment that
 * starts at or before Last.ACK.sent, and whose TSval is not older than
 * ts_recent (tcp_paws_check() without slack: a TSval that wrapped 24 days
 * later still counts). The caller has checked the segment is acceptable.
 *
 * Return: true when ts_recent takes @p->rcv_tsval.
 */
static inline bool xtcp_ts_recent_replace_ok(const struct xtcp_paws *p,
					     u32 seq, u32 rcv_wup, u32 now_sec)
{
	if ((s32)(seq - rcv_wup) > 0)
		return false;
	return xtcp_paws_check(p, 0, now_sec);
}

/**
 * xtcp_ts_in_replay_window() - is TSval late by at most @win ticks?
 * @p:   ts_recent and the segment's TSval
 * @win: the replay window in TSval ticks: Linux takes icsk_rto * 1024 / HZ
 *
 * The last condition of Linux's tcp_disordered_ack(): a duplicate ACK
 * with an older TSval is only reordered, not replayed, when it is late
 * by no more than about an RTO.
 *
 * Return: true when ts_recent - TSval (signed) is at most @win.
 */
static inline bool xtcp_ts_in_replay_window(const struct xtcp_paws *p,
					    u32 win)
{
	return (s32)(p->ts_recent - p->rcv_tsval) <= (s32)win;
}

#endif /* _NET_XTCP_TSTAMP_H */
