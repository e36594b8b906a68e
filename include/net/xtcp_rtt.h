/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp retransmission timer: RTT estimator and RTO (RFC 6298).
 *
 * Pure code (see include/net/xtcp_cong.h): struct xtcp_rtt is owned by the
 * caller, who feeds it RTT samples and timeouts; nothing here reads a clock
 * or arms a timer. All times are microseconds.
 *
 * Karn's algorithm (RFC 6298 s.3) is the caller's job: never pass
 * xtcp_rtt_sample() an RTT measured on a segment that was retransmitted,
 * because the ACK cannot tell which transmission it answers, unless the
 * measurement is unambiguous anyway (e.g. TCP timestamps, RFC 7323 s.4).
 * Keeping the backed-off RTO until a valid sample arrives (RFC 6298 s.5,
 * note after rule 5.7) is then what this code does by itself.
 *
 * Two deliberate differences from RFC 6298, both Linux's:
 *  - the RTO floor is XTCP_RTO_MIN_US = 200 ms, not the 1 s of rule 2.4;
 *  - the ceiling is XTCP_RTO_MAX_US = 120 s (rule 2.5 allows any value of
 *    at least 60 s), and it also caps exponential back-off (rule 5.5).
 */
#ifndef _NET_XTCP_RTT_H
#define _NET_XTCP_RTT_H

#include <linux/types.h>
#include <linux/win_minmax.h>

/* RTO before any RTT sample (RFC 6298 s.2.1). */
#define XTCP_RTO_INIT_US	1000000U
/* RTO once data flows after a SYN timed out, with no sample (s.5.7). */
#define XTCP_RTO_FALLBACK_US	3000000U
/* Bounds of every RTO, backed off or not (Linux's TCP_RTO_MIN/MAX). */
#define XTCP_RTO_MIN_US		200000U
#define XTCP_RTO_MAX_US		120000000U
/*
 * Default clock granularity G (RFC 6298 s.2.2, s.4): the project's coarse
 * clock ticks in milliseconds (see xtcp_cong.h).
 */
#define XTCP_RTT_G_US		1000U
/*
 * SRTT and RTTVAR are kept in 1/256 us. Integer averaging with weight 1/8
 * can stall a few units short of a constant input; at this scale that is
 * invisible in whole microseconds, while R < 2^32 us still fits in 40 bits.
 */
#define XTCP_RTT_FRAC_SHIFT	8

/*
 * Estimator state. Read it through the accessors below; the fields are
 * public only so that it can be embedded and copied.
 *
 * @srtt:       SRTT, in 1/256 us (<< XTCP_RTT_FRAC_SHIFT), 0 before any.
 * @rttvar:     RTTVAR, same units.
 * @rto_us:     RTO computed from the last sample (or the initial one),
 *              already clamped to [XTCP_RTO_MIN_US, XTCP_RTO_MAX_US] but
 *              not backed off.
 * @g_us:       clock granularity G, XTCP_RTT_G_US after xtcp_rtt_init().
 *              A caller may raise it, e.g. to XTCP_RTO_MIN_US for Linux's
 *              RTO >= SRTT + 200 ms; it takes effect at the next sample.
 * @backoff:    doublings of @rto_us since the last sample (rule 5.5); not
 *              incremented once the RTO has reached XTCP_RTO_MAX_US.
 * @has_sample: an RTT sample has been taken since xtcp_rtt_init().
 * @min_rtt:    windowed minimum of the samples (xtcp_rtt_min_sample()),
 *              kept as the bitwise complements of the microseconds in a
 *              running-maximum filter; all zero (as after
 *              xtcp_rtt_init()) reads as no sample, ~0U.
 */
struct xtcp_rtt {
	u64 srtt;
	u64 rttvar;
	u32 rto_us;
	u32 g_us;
	u8 backoff;
	bool has_sample;
	struct minmax min_rtt;
};

/* No sample yet: RTO = XTCP_RTO_INIT_US, G = XTCP_RTT_G_US. */
void xtcp_rtt_init(struct xtcp_rtt *r);
/* One valid RTT measurement (Karn!); recomputes the RTO, ends back-off. */
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us);
/* The timer expired: double the RTO up to the maximum; returns the new RTO. */
u32 xtcp_rtt_backoff(struct xtcp_rtt *r);
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

/* SRTT rounded to whole microseconds, 0 before the first sample. */
static inline u32 xtcp_rtt_srtt_us(const struct xtcp_rtt *r)
{
	return (u32)((r->srtt + (1U << XTCP_RTT_FRAC_SHIFT) / 2) >>
		     XTCP_RTT_FRAC_SHIFT);
}

/* RTTVAR rounded to whole microseconds, 0 before the first sample. */
static inline u32 xtcp_rtt_rttvar_us(const struct xtcp_rtt *r)
{
	return (u32)((r->rttvar + (1U << XTCP_RTT_FRAC_SHIFT) / 2) >>
		     XTCP_RTT_FRAC_SHIFT);
}

#endif /* _NET_XTCP_RTT_H */
