// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp retransmission timer: RFC 6298 RTT estimator, RTO and back-off, and
 * the model of how long a number of retransmissions takes; the windowed
 * minimum RTT that GSO autosizing works from.
 *
 * Pure code (see include/net/xtcp_rtt.h): also built by selftests/host.
 */
#include <linux/jiffies.h>
#include <linux/types.h>
#include <linux/win_minmax.h>
#include <net/xtcp_rtt.h>

/* A number of microseconds in the fixed point of SRTT and RTTVAR. */
static u64 xtcp_rtt_fix(u64 us)
{
	return us << XTCP_RTT_FRAC_SHIFT;
}

/* RFC 6298 s.2.1: before any sample, RTO is 1 s; SRTT/RTTVAR are unset. */
void xtcp_rtt_init(struct xtcp_rtt *r)
{
	*r = (struct xtcp_rtt){
		.rto_us = XTCP_RTO_INIT_US,
		.g_us = XTCP_RTT_G_US,
	};
}

/* RFC 6298 s.2.2 and s.2.3: RTO <- SRTT + max(G, K * RTTVAR), K = 4, then
 * bounded by rules 2.4 and 2.5 (with Linux's 200 ms instead of 1 s), in
 * whole microseconds. SRTT, RTTVAR and G are below 2^40 in fixed point, so
 * nothing here overflows.
 */
static void xtcp_rtt_update_rto(struct xtcp_rtt *r)
{
	u64 var = r->rttvar << 2;
	u64 g = xtcp_rtt_fix(r->g_us);
	u64 rto;

	if (var < g)
		var = g;
	rto = (r->srtt + var + (1U << XTCP_RTT_FRAC_SHIFT) / 2) >>
	      XTCP_RTT_FRAC_SHIFT;
	if (rto < XTCP_RTO_MIN_US)
		rto = XTCP_RTO_MIN_US;
	if (rto > XTCP_RTO_MAX_US)
		rto = XTCP_RTO_MAX_US;
	r->rto_us = (u32)rto;
}

/* Feed one RTT measurement R (Karn's rule applies: see the header).
 *
 * In fixed point the RFC's fractions become shifts of 64-bit values: R is
 * below 2^40 scaled, and both recurrences are weighted averages of such
 * values (|SRTT - R| included), so they stay below 2^40 and 7 * SRTT below
 * 2^43. Each update truncates once. Under a constant R, SRTT settles at
 * most 7 units (7/256 us) below R and RTTVAR at most 7 units above zero.
 */
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us)
{
	u64 m = xtcp_rtt_fix(rtt_us);
	u64 err;

	if (!r->has_sample) {
		/* Rule 2.2: SRTT <- R, RTTVAR <- R/2 (exact in fixed point). */
		r->srtt = m;
		r->rttvar = m >> 1;
		r->has_sample = true;
	} else {
		/* Rule 2.3, beta = 1/4, alpha = 1/8. RTTVAR goes first: it
		 * measures R against the SRTT from before this sample.
		 */
		err = r->srtt > m ? r->srtt - m : m - r->srtt;
		r->rttvar = (3 * r->rttvar + err) >> 2;
		r->srtt = (7 * r->srtt + m) >> 3;
	}

	/* A new valid sample ends any back-off: the RTO is recomputed from
	 * SRTT and RTTVAR, possibly collapsing it (RFC 6298 s.5, after 5.7).
	 */
	r->backoff = 0;
	xtcp_rtt_update_rto(r);
}

/**
 * xtcp_rtt_min_sample() - feed the windowed minimum RTT
 * @r: the estimator state
 * @rtt_us: one RTT sample, us; 0 counts as one jiffy (Linux feeds
 *	jiffies_to_usecs(1) for it, a sample below the clock's resolution)
 * @now: when it was taken, in the unit of @win (jiffies), may wrap
 * @win: how long a sample stays the minimum, jiffies (Linux's
 *	tcp_min_rtt_wlen * HZ)
 *
 * Linux's tcp_update_rtt_min() with Kathleen Nichols' windowed filter
 * (lib/win_minmax.c).  The kernel exports only the running-maximum half
 * of that filter to modules, so it runs here on bitwise complements: ~x
 * reverses the order of u32 values, the largest complement is the
 * smallest RTT, and every comparison the filter makes is exactly the one
 * a running minimum makes.  A zeroed filter holds ~0U, no sample, which
 * any sample replaces.  Linux also skips a sample above the minimum when
 * the ACK may have been delayed; xtcp feeds every sample.
 * Context: the socket's owner or softirq with the socket locked.
 */
void xtcp_rtt_min_sample(struct xtcp_rtt *r, u32 rtt_us, u32 now, u32 win)
{
	if (!rtt_us)
		rtt_us = jiffies_to_usecs(1);
	minmax_running_max(&r->min_rtt, win, now, ~rtt_us);
}

/* The RTO to arm the timer with: rto_us doubled once per back-off, at
 * most XTCP_RTO_MAX_US. rto_us >= XTCP_RTO_MIN_US > 2^17, so the cap is
 * reached within 10 doublings and the shift never gets near 64; the check
 * on backoff only guards against a caller-corrupted state.
 */
u32 xtcp_rtt_rto(const struct xtcp_rtt *r)
{
	u64 rto;

	if (r->backoff >= 32)
		return XTCP_RTO_MAX_US;
	rto = (u64)r->rto_us << r->backoff;
	return rto < XTCP_RTO_MAX_US ? (u32)rto : XTCP_RTO_MAX_US;
}

/* RFC 6298 rule 5.5: the retransmission timer expired, so double the RTO
 * (bounded by rule 2.5's maximum). Returns the RTO for re-arming the timer
 * (rule 5.6). The doubling persists until the next valid sample.
 */
u32 xtcp_rtt_backoff(struct xtcp_rtt *r)
{
	if (xtcp_rtt_rto(r) < XTCP_RTO_MAX_US)
		r->backoff++;
	return xtcp_rtt_rto(r);
}

/* RFC 6298 rule 5.7: call when data transmission begins if the timer
 * expired while waiting for the SYN (or SYN-ACK) to be ACKed. The 1 s
 * initial RTO was evidently too short for this path, so without a sample
 * restart from 3 s. A sample (e.g. from timestamps, which Karn's rule does
 * not exclude) is better information than that guess, so it is kept; this
 * is also Linux's reading of the rule.
 */
void xtcp_rtt_syn_fallback(struct xtcp_rtt *r)
{
	if (r->has_sample)
		return;
	r->rto_us = XTCP_RTO_FALLBACK_US;
	r->backoff = 0;
}

/* Linux's model of how long @boundary retransmissions take: the time from
 * the original transmission until the timer of the @boundary-th
 * retransmission expires, when the first RTO is @rto_base_us and every
 * timeout doubles it (rule 5.5) up to XTCP_RTO_MAX_US:
 *
 *   timeout(n, B) = sum for i = 0 .. n of min(B * 2^i, XTCP_RTO_MAX_US)
 *
 * i.e. B * (2^(n+1) - 1) while B * 2^n <= 120 s, then 120 s more for each
 * further retransmission. Linux uses it (tcp_model_timeout()) so that the
 * retry limits mean the same time whatever the actual RTO was:
 *
 *   retries:  xtcp_rto_model_timeout_us(tcp_retries2, XTCP_RTO_MIN_US)
 *             with 15: 0.2 * (2^10 - 1) + 6 * 120 = 924.6 s
 *   connect:  xtcp_rto_model_timeout_us(tcp_syn_retries, XTCP_RTO_INIT_US)
 *             with 2: 1 + 2 + 4 = 7 s; with 6: 1 + 2 + ... + 64 = 127 s
 *
 * A base of 0 gives 0; a base above the maximum counts as the maximum.
 * The result is at most 2^32 * 120 s, well within u64.
 */
u64 xtcp_rto_model_timeout_us(unsigned int boundary, u32 rto_base_us)
{
	/* The original transmission's timeout plus one per retransmission. */
	u64 timeouts = (u64)boundary + 1;
	u64 rto = rto_base_us, total = 0;

	if (!rto)
		return 0;
	/* Doubling phase: at most 27 rounds, as 2^27 us > 120 s. */
	while (timeouts && rto < XTCP_RTO_MAX_US) {
		total += rto;
		rto <<= 1;
		timeouts--;
	}
	/* Linear phase: every remaining timeout is the maximum. */
	return total + timeouts * XTCP_RTO_MAX_US;
}
