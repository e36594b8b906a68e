/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp retransmission timer: RTT estimator and RTO as Linux 6.1 computes
 * them (tcp_rtt_estimator(), tcp_set_rto()).
 *
 * Pure code (see include/net/xtcp_cong.h): struct xtcp_rtt is owned by the
 * caller, who feeds it RTT samples and timeouts; nothing here reads a clock
 * or arms a timer. Times are microseconds unless a field says otherwise.
 *
 * Karn's algorithm (RFC 6298 s.3) is the caller's job: never pass
 * xtcp_rtt_sample() an RTT measured on a segment that was retransmitted,
 * because the ACK cannot tell which transmission it answers, unless the
 * measurement is unambiguous anyway (e.g. TCP timestamps, RFC 7323 s.4).
 * Keeping the backed-off RTO until a valid sample arrives (RFC 6298 s.5,
 * note after rule 5.7) is then what this code does by itself.
 *
 * Where Linux's estimator differs from RFC 6298 s.2, xtcp follows Linux:
 *  - the deviation term (rttvar_us, the RFC's 4 * RTTVAR) is the largest
 *    mean deviation seen during the last RTT, and it decays towards that
 *    only once per RTT (when SND.UNA passes rtt_seq), by a quarter of
 *    the difference; it never goes below XTCP_RTO_MIN_US (200 ms), so
 *    the RTO is at least SRTT + 200 ms.  There is no clock granularity G;
 *  - a sample below SRTT by more than the mean deviation moves the
 *    deviation with gain 1/32 instead of 1/4 (Eifel-like);
 *  - the RTO is SRTT + rttvar rounded up to a whole jiffy and capped at
 *    XTCP_RTO_MAX_US = 120 s (rule 2.5 allows any value of at least 60 s),
 *    which also caps exponential back-off (rule 5.5).
 */
#ifndef _NET_XTCP_RTT_H
#define _NET_XTCP_RTT_H

#include <linux/types.h>
#include <linux/win_minmax.h>

/* RTO before any RTT sample (RFC 6298 s.2.1, Linux's TCP_TIMEOUT_INIT). */
#define XTCP_RTO_INIT_US	1000000U
/* RTO once data flows after a SYN timed out, with no sample (s.5.7). */
#define XTCP_RTO_FALLBACK_US	3000000U
/*
 * Linux's TCP_RTO_MIN and TCP_RTO_MAX: the floor of rttvar_us (so the
 * RTO is at least SRTT plus this) and the ceiling of every RTO, backed
 * off or not.
 */
#define XTCP_RTO_MIN_US		200000U
#define XTCP_RTO_MAX_US		120000000U
/*
 * The largest sample the estimator takes, us; longer ones count as this.
 * Linux keeps 8 * SRTT in a u32, which a sample above 2^29 us (~9 min)
 * would wrap; 120 s keeps every sum below 2^31 and any SRTT near it
 * gives the maximum RTO anyway.
 */
#define XTCP_RTT_SAMPLE_MAX_US	XTCP_RTO_MAX_US

/*
 * Estimator state, Linux's tcp_sock fields of the same names. Read it
 * through the accessors below; the fields are public only so that it
 * can be embedded and copied.
 *
 * @srtt_us:     SRTT in 1/8 us (SRTT << 3); 0 before any sample, at
 *               least 1 after one.
 * @mdev_us:     mean deviation of the samples from SRTT, times 4, us (so
 *               on the scale of the RFC's 4 * RTTVAR).
 * @mdev_max_us: the largest @mdev_us of the current RTT, at least
 *               XTCP_RTO_MIN_US, us.
 * @rttvar_us:   the deviation term of the RTO, us: @mdev_max_us of the
 *               last RTTs, smoothed; at least XTCP_RTO_MIN_US.
 * @rtt_seq:     SND.NXT when the current RTT began; once SND.UNA passes
 *               it, @rttvar_us decays and a new RTT begins.
 * @rto_us:      RTO computed from the last sample (or the initial one),
 *               a whole number of jiffies at most XTCP_RTO_MAX_US, not
 *               backed off (Linux's icsk_rto before any timeout).
 * @backoff:     doublings of @rto_us since the last sample (rule 5.5,
 *               icsk_backoff); not incremented once the RTO has reached
 *               XTCP_RTO_MAX_US.
 * @min_rtt:     windowed minimum of the samples (xtcp_rtt_min_sample()),
 *               kept as the bitwise complements of the microseconds in a
 *               running-maximum filter; all zero (as after
 *               xtcp_rtt_init()) reads as no sample, ~0U.
 */
struct xtcp_rtt {
	u32 srtt_us;
	u32 mdev_us;
	u32 mdev_max_us;
	u32 rttvar_us;
	u32 rtt_seq;
	u32 rto_us;
	u8 backoff;
	struct minmax min_rtt;
};

/* No sample yet: RTO = XTCP_RTO_INIT_US. */
void xtcp_rtt_init(struct xtcp_rtt *r);
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us, u32 snd_una,
		     u32 snd_nxt);
/* The timer expired: double the RTO up to the maximum; returns the new RTO. */
u32 xtcp_rtt_backoff(struct xtcp_rtt *r);
/* A thin stream's timeout: the RTO from the last sample again, unbacked. */
u32 xtcp_rtt_linear(struct xtcp_rtt *r);
/* The RTO to arm the timer with now, backed off, in us. */
u32 xtcp_rtt_rto(const struct xtcp_rtt *r);
/* Data transmission begins after a SYN timed out: RTO 3 s if no sample. */
void xtcp_rtt_syn_fallback(struct xtcp_rtt *r);
/*
 * Time @boundary retransmissions take with RTO doubling from @rto_base_us
 * up to XTCP_RTO_MAX_US (Linux's tcp_model_timeout()), for retry limits:
 * sum for i = 0 .. boundary of min(rto_base_us * 2^i, XTCP_RTO_MAX_US).
 * See net/xtcp/rtt.c for the worked examples.
 */
u64 xtcp_rto_model_timeout_us(unsigned int boundary, u32 rto_base_us);

/*
 * One RTT sample for the windowed minimum (Linux's tcp_update_rtt_min()):
 * @now and @win in one time unit (jiffies in the kernel, @win from
 * net.xtcp.tcp_min_rtt_wlen), wrap-safe.  A sample of 0 counts as one
 * jiffy, as Linux's.
 */
void xtcp_rtt_min_sample(struct xtcp_rtt *r, u32 rtt_us, u32 now, u32 win);

/*
 * The smallest RTT sample of the last window, in us (Linux's
 * tcp_min_rtt()); ~0U before the first sample.
 */
static inline u32 xtcp_rtt_min_us(const struct xtcp_rtt *r)
{
	return ~minmax_get(&r->min_rtt);
}

/* An RTT sample has been taken since xtcp_rtt_init() (Linux: srtt_us). */
static inline bool xtcp_rtt_has_sample(const struct xtcp_rtt *r)
{
	return r->srtt_us != 0;
}

/* SRTT in whole microseconds, truncated (srtt_us >> 3); 0 before any. */
static inline u32 xtcp_rtt_srtt_us(const struct xtcp_rtt *r)
{
	return r->srtt_us >> 3;
}

/*
 * The deviation term of the RTO, us (rttvar_us: RTO = SRTT + this);
 * 0 before the first sample.
 */
static inline u32 xtcp_rtt_rttvar_us(const struct xtcp_rtt *r)
{
	return r->rttvar_us;
}

/* The mean deviation, us, as TCP_INFO's tcpi_rttvar (mdev_us >> 2). */
static inline u32 xtcp_rtt_mdev_us(const struct xtcp_rtt *r)
{
	return r->mdev_us >> 2;
}

#endif /* _NET_XTCP_RTT_H */
