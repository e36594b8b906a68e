// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp retransmission timer: Linux's RTT estimator and RTO
 * (tcp_rtt_estimator(), tcp_set_rto()), back-off, and the model of how
 * long a number of retransmissions takes; the windowed minimum RTT that
 * GSO autosizing works from.
 *
 * Pure code (see include/net/xtcp_rtt.h): also built by selftests/host.
 */
#include <linux/jiffies.h>
#include <linux/types.h>
#include <linux/win_minmax.h>
#include <net/xtcp_rtt.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_rtt_init() - the estimator before any sample
 * @r: the state to set
 *
 * No SRTT yet, RTO 1 s (RFC 6298 s.2.1, Linux's TCP_TIMEOUT_INIT), no
 * back-off, no minimum RTT.
 * Context: any; @r is the caller's.
 */
void xtcp_rtt_init(struct xtcp_rtt *r)
{
	*r = (struct xtcp_rtt){ .rto_us = XTCP_RTO_INIT_US };
}

/* Linux's tcp_set_rto(): SRTT + rttvar in whole jiffies, rounded up as
 * __tcp_set_rto()'s usecs_to_jiffies(), at most the maximum
 * (tcp_bound_rto()).  rttvar_us >= XTCP_RTO_MIN_US, so no floor is
 * needed.  Both terms are below 2^31 (XTCP_RTT_SAMPLE_MAX_US), so
 * their sum fits.
 */
static void xtcp_rtt_set_rto(struct xtcp_rtt *r)
{
	u32 rto = (r->srtt_us >> 3) + r->rttvar_us;

	if (rto > XTCP_RTO_MAX_US)
		rto = XTCP_RTO_MAX_US;
	r->rto_us = jiffies_to_usecs(usecs_to_jiffies(rto));
}

/**
 * xtcp_rtt_sample() - feed one RTT measurement
 * @r: the estimator
 * @rtt_us: the sample, us (Karn's rule applies: see the header); above
 *	XTCP_RTT_SAMPLE_MAX_US it counts as that
 * @snd_una: SND.UNA after the ACK that gave the sample
 * @snd_nxt: SND.NXT now
 *
 * Linux's tcp_rtt_estimator() then tcp_set_rto(), and the reset of
 * icsk_backoff of tcp_ack_update_rtt().  In Linux's units: srtt_us is 8
 * SRTT, mdev_us 4 times the mean deviation, both updated with the
 * Jacobson/Karels gains 1/8 and 1/4; a sample more than the mean
 * deviation below SRTT moves mdev_us with gain 1/32 only.  mdev_max_us
 * is the largest mdev_us since the current RTT began, at least 200 ms;
 * rttvar_us rises with it at once and, when SND.UNA passes rtt_seq (once
 * per RTT), falls a quarter of the way towards it, and a new RTT begins
 * at SND.NXT.  The first sample sets SRTT to it and mdev_us to twice it,
 * so the RTO is m + max(2m, 200 ms).  A new sample ends any back-off:
 * the RTO is recomputed, possibly collapsing it (RFC 6298 s.5, after
 * rule 5.7).
 * Context: any; @r is the caller's (the socket lock in the kernel).
 */
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 rtt_us, u32 snd_una,
		     u32 snd_nxt)
{
	long m = rtt_us < XTCP_RTT_SAMPLE_MAX_US ? rtt_us :
					       XTCP_RTT_SAMPLE_MAX_US;
	u32 srtt = r->srtt_us;

	if (srtt) {
		m -= srtt >> 3;		/* the error of SRTT */
		srtt += m;		/* SRTT += error / 8, scaled by 8 */
		if (m < 0) {
			m = -m - (r->mdev_us >> 2);
			/* Far below SRTT: the finer gain 1/32. */
			if (m > 0)
				m >>= 3;
		} else {
			m -= r->mdev_us >> 2;
		}
		r->mdev_us += m;	/* mdev += (|error| - mdev) / 4 */
		if (r->mdev_us > r->mdev_max_us) {
			r->mdev_max_us = r->mdev_us;
			if (r->mdev_max_us > r->rttvar_us)
				r->rttvar_us = r->mdev_max_us;
		}
		if (xtcp_seq_after(snd_una, r->rtt_seq)) {
			if (r->mdev_max_us < r->rttvar_us)
				r->rttvar_us -= (r->rttvar_us -
						 r->mdev_max_us) >> 2;
			r->rtt_seq = snd_nxt;
			r->mdev_max_us = XTCP_RTO_MIN_US;
		}
	} else {
		srtt = m << 3;
		r->mdev_us = m << 1;
		r->rttvar_us = r->mdev_us > XTCP_RTO_MIN_US ? r->mdev_us :
							      XTCP_RTO_MIN_US;
		r->mdev_max_us = r->rttvar_us;
		r->rtt_seq = snd_nxt;
	}
	r->srtt_us = srtt ? srtt : 1;
	r->backoff = 0;
	xtcp_rtt_set_rto(r);
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

/**
 * xtcp_rtt_rto() - the RTO to arm the retransmission timer with
 * @r: the estimator
 *
 * rto_us doubled once per back-off, at most XTCP_RTO_MAX_US: Linux's
 * icsk_rto after tcp_retransmit_timer()'s doublings.  rto_us >= 200 ms
 * > 2^17 us, so the cap is reached within 10 doublings and the shift
 * never gets near 64; the check on backoff only guards against a
 * caller-corrupted state.
 * Context: any; @r is the caller's.
 * Return: the RTO in us, a whole number of jiffies (as rto_us is).
 */
u32 xtcp_rtt_rto(const struct xtcp_rtt *r)
{
	u64 rto;

	if (r->backoff >= 32)
		return XTCP_RTO_MAX_US;
	rto = (u64)r->rto_us << r->backoff;
	return rto < XTCP_RTO_MAX_US ? (u32)rto : XTCP_RTO_MAX_US;
}

/**
 * xtcp_rtt_backoff() - the retransmission timer expired
 * @r: the estimator
 *
 * RFC 6298 rule 5.5, as tcp_retransmit_timer(): double the RTO (bounded
 * by rule 2.5's maximum, icsk_backoff not counted beyond it).  The
 * doubling persists until the next valid sample.
 * Context: any; @r is the caller's.
 * Return: the RTO for re-arming the timer (rule 5.6), us.
 */
u32 xtcp_rtt_backoff(struct xtcp_rtt *r)
{
	if (xtcp_rtt_rto(r) < XTCP_RTO_MAX_US)
		r->backoff++;
	return xtcp_rtt_rto(r);
}

/**
 * xtcp_rtt_linear() - the retransmission timer expired on a thin stream
 * @r: the estimator
 *
 * Linux's linear timeouts (tcp_retransmit_timer() for a thin stream):
 * the back-off is dropped and the next timeout is the RTO the last
 * sample gave, within its bounds (rto_us always is).
 * Context: any; @r is the caller's.
 * Return: the RTO for re-arming the timer, us.
 */
u32 xtcp_rtt_linear(struct xtcp_rtt *r)
{
	r->backoff = 0;
	return xtcp_rtt_rto(r);
}

/**
 * xtcp_rtt_syn_fallback() - data begins after the handshake gave no sample
 * @r: the estimator
 *
 * RFC 6298 rule 5.7 as Linux's tcp_init_metrics() reads it: without an
 * RTT sample (the SYN or SYN-ACK was resent, Karn) the RTO restarts from
 * 3 s, un-backed-off, and the deviation terms are 3 s until the first
 * sample replaces them all.  A sample (e.g. from timestamps, which
 * Karn's rule does not exclude) is better information than that guess,
 * so it is kept.
 * Context: any; @r is the caller's.
 */
void xtcp_rtt_syn_fallback(struct xtcp_rtt *r)
{
	if (xtcp_rtt_has_sample(r))
		return;
	r->rttvar_us = XTCP_RTO_FALLBACK_US;
	r->mdev_us = XTCP_RTO_FALLBACK_US;
	r->mdev_max_us = XTCP_RTO_FALLBACK_US;
	r->rto_us = XTCP_RTO_FALLBACK_US;
	r->backoff = 0;
}

/**
 * xtcp_rto_model_timeout_us() - how long a number of retransmissions takes
 * @boundary: the number of retransmissions (tcp_retries2, tcp_syn_retries)
 * @rto_base_us: the first RTO, us
 *
 * Linux's model of how long @boundary retransmissions take: the time from
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
 * Context: any (pure).
 * Return: the time in us, at most 2^32 * 120 s, well within u64.
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
