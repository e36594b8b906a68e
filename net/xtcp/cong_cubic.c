// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control: CUBIC (RFC 9438).
 *
 * After a congestion event the window follows
 *
 *	W_cubic(t) = C * (t - K)^3 + W_max				(s.4.2)
 *
 * which rises quickly, flattens out around the last saturation point W_max
 * (concave region, s.4.4), then probes beyond it ever faster (convex
 * region, s.4.5). Where Reno would be faster, cwnd follows a Reno estimate
 * W_est instead (s.4.3).
 *
 * Fixed point, no floating point (this runs in the kernel):
 *
 * - Windows inside the algorithm are in 1/256 segment ("_s" suffix,
 *   CUBIC_W_SHIFT). cwnd itself stays whole segments.
 * - Time is in ms. With C = 0.4 segments/s^3, an offset of d ms from K
 *   contributes 0.4 * d^3 / 10^9 segments = d^3 / 5^10 in 1/256 segments,
 *   and K solves K^3 = (W_max - cwnd_epoch)_s * 5^10 (ms^3). Both are exact
 *   rationals, so the only errors are the final floors: K is at most 1 ms
 *   short, W_cubic at most 1/256 segment short.
 * - beta_cubic = 7/10 and alpha_cubic = 3 * (1 - beta) / (1 + beta) = 9/17
 *   are applied as exact fractions; fractional growth is carried between
 *   ACKs as remainders, so nothing is lost to rounding over an epoch.
 *
 * Per ACK growth follows RFC 9438 s.4.4/4.5: cwnd gains
 * (target - cwnd) / cwnd per segment ACKed with target = W_cubic(t + RTT)
 * bounded to [cwnd, 1.5 * cwnd].
 *
 * Slow start: HyStart++ (RFC 9406, net/xtcp/hystart.c) when the caller
 * asks for it (ca->hystart), in the initial slow start; Reno's doubling
 * otherwise.  Not done yet: undo of spurious congestion events (s.4.9)
 * beyond the caller's cwnd undo.
 *
 * Pure code (see include/net/xtcp_cong.h): also built by selftests/host.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/types.h>
#include <net/xtcp_cong.h>
#include <net/xtcp_hystart.h>

#define CUBIC_W_SHIFT		8
/* ms^3 per 1/256 segment of (W_max - cwnd_epoch), from C = 0.4. */
#define CUBIC_K3_PER_W		9765625U	/* 5^10 */
#define CUBIC_BETA_NUM		7
#define CUBIC_BETA_DEN		10
/* (1 + beta) / 2 = 17 / 20, for fast convergence (s.4.7). */
#define CUBIC_FC_NUM		17
#define CUBIC_FC_DEN		20
/* alpha_cubic = 9 / 17 (s.4.3); 17 / 17 once W_est reaches cwnd_prior. */
#define CUBIC_ALPHA_NUM		9
#define CUBIC_ALPHA_DEN		17
/* Largest |t - K| in ms whose cube fits in a u64 (about 44 minutes). */
#define CUBIC_MAX_OFFS_MS	2642245ULL

struct xtcp_cubic {
	u64 w_max_s;		/* W_max, 1/256 segment */
	u64 w_est_s;		/* W_est, 1/256 segment */
	u64 est_rem;		/* W_est growth carried over, 1/(17 * cwnd) */
	u32 grow_rem;		/* cwnd growth carried over, 1/(256 * cwnd) */
	u32 grow_frac_s;	/* cwnd growth carried over, 1/256 segment */
	u32 cwnd_prior;		/* cwnd at the last congestion event */
	u32 epoch_start_ms;	/* t_epoch */
	u32 k_ms;		/* K */
	bool in_epoch;
	struct xtcp_hystart hs;	/* slow-start exit (RFC 9406) */
};

static struct xtcp_cubic *xtcp_cubic(struct xtcp_cong *ca)
{
	BUILD_BUG_ON(sizeof(struct xtcp_cubic) > sizeof(ca->priv));
	return (struct xtcp_cubic *)ca->priv;
}

static u64 cubic_seg_to_s(u32 segs)
{
	return (u64)segs << CUBIC_W_SHIFT;
}

static u32 cubic_s_to_seg(u64 w_s)
{
	w_s >>= CUBIC_W_SHIFT;
	return w_s > U32_MAX ? U32_MAX : (u32)w_s;
}

static void xtcp_cubic_init(struct xtcp_cong *ca, u32 now_ms)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);

	*c = (struct xtcp_cubic){};
	xtcp_hystart_init(&c->hs);
}

/* Start a congestion avoidance epoch (s.4.2): t_epoch = now, cwnd_epoch =
 * cwnd. If cwnd is already at or above W_max (no congestion event seen
 * yet, after an RTO per s.4.8, or ssthresh set from elsewhere) there is no
 * plateau to approach: K = 0 and W_max = cwnd_epoch, i.e. probe right away.
 */
static void cubic_begin_epoch(struct xtcp_cong *ca, struct xtcp_cubic *c,
			      u32 now_ms)
{
	u64 cwnd_s = cubic_seg_to_s(ca->cwnd);

	c->in_epoch = true;
	c->epoch_start_ms = now_ms;
	if (c->w_max_s > cwnd_s) {
		/* W_max <= 2^40, so the product stays below 2^64. */
		c->k_ms = xtcp_cbrt_u64((c->w_max_s - cwnd_s) * CUBIC_K3_PER_W);
	} else {
		c->k_ms = 0;
		c->w_max_s = cwnd_s;
	}
	/* s.4.3: W_est starts from cwnd_epoch. */
	c->w_est_s = cwnd_s;
	c->est_rem = 0;
	c->grow_rem = 0;
	c->grow_frac_s = 0;
}

/* W_cubic(@t_ms) of s.4.2 in 1/256 segment, @t_ms since t_epoch. */
static u64 cubic_window_s(const struct xtcp_cubic *c, u64 t_ms)
{
	u64 offs, delta_s;
	bool below_k = t_ms < c->k_ms;

	offs = below_k ? c->k_ms - t_ms : t_ms - c->k_ms;
	/* Far beyond K (long epochs, idle periods not reported as such) the
	 * cube would overflow; the window there is astronomically large
	 * anyway and is bounded to 1.5 * cwnd by the caller.
	 */
	if (offs > CUBIC_MAX_OFFS_MS)
		offs = CUBIC_MAX_OFFS_MS;
	delta_s = div_u64(offs * offs * offs, CUBIC_K3_PER_W);

	if (!below_k)
		return c->w_max_s + delta_s;
	/* t <= K: delta <= W_max - cwnd_epoch; be safe against rounding. */
	return delta_s < c->w_max_s ? c->w_max_s - delta_s : 0;
}

/* Reno-friendly estimate (s.4.3): W_est += alpha_cubic * acked / cwnd, with
 * alpha_cubic = 9/17 until W_est reaches cwnd_prior and 1 afterwards, so it
 * grows like an AIMD(1, 0.5) Reno flow would from there on.
 */
static void cubic_update_w_est(struct xtcp_cong *ca, struct xtcp_cubic *c,
			       u32 acked)
{
	u64 num, den, inc;
	u32 alpha_num = CUBIC_ALPHA_NUM;

	if (c->w_est_s >= cubic_seg_to_s(c->cwnd_prior))
		alpha_num = CUBIC_ALPHA_DEN;

	/* Below 2^45 and 2^37: no overflow for any u32 acked and cwnd. */
	num = (u64)acked * (alpha_num << CUBIC_W_SHIFT) + c->est_rem;
	den = (u64)CUBIC_ALPHA_DEN * ca->cwnd;
	inc = div64_u64_rem(num, den, &c->est_rem);

	c->w_est_s += inc;
	/* cwnd may not follow W_est past the clamp; W_est need not go there. */
	if (c->w_est_s > cubic_seg_to_s(ca->cwnd_clamp))
		c->w_est_s = cubic_seg_to_s(ca->cwnd_clamp);
}

/* Concave and convex regions (s.4.4, s.4.5): each segment ACKed adds
 * (target - cwnd) / cwnd. The sum over @acked is computed exactly, splitting
 * the product so that it fits in 64 bits, and the remainders are kept for
 * the next ACK.
 */
static void cubic_grow_to_target(struct xtcp_cong *ca, struct xtcp_cubic *c,
				 u64 target_s, u32 acked)
{
	u64 cwnd_s = cubic_seg_to_s(ca->cwnd);
	u64 diff_s, whole, part, inc_s, cwnd;
	u32 frac_rem;

	if (target_s <= cwnd_s)
		return;
	diff_s = target_s - cwnd_s;

	/* diff_s <= cwnd_s / 2, so whole <= 128 and part < 2^64. */
	whole = div_u64_rem(diff_s, ca->cwnd, &frac_rem);
	if (c->grow_rem >= ca->cwnd)
		c->grow_rem = 0;
	part = (u64)frac_rem * acked + c->grow_rem;
	inc_s = whole * acked + div_u64_rem(part, ca->cwnd, &c->grow_rem);

	inc_s += c->grow_frac_s;
	c->grow_frac_s = inc_s & ((1U << CUBIC_W_SHIFT) - 1);
	cwnd = (u64)ca->cwnd + (inc_s >> CUBIC_W_SHIFT);
	ca->cwnd = cwnd > ca->cwnd_clamp ? ca->cwnd_clamp : (u32)cwnd;
}

static void xtcp_cubic_cong_avoid(struct xtcp_cong *ca, u32 acked,
				  bool cwnd_limited, u32 now_ms, u32 rtt_us)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);
	u64 t_ms, cwnd_s, w_cubic_s, target_s, max_target_s;
	u32 w_est;

	if (!cwnd_limited)
		return;

	if (xtcp_hystart_active(&c->hs, ca)) {
		u64 cwnd = (u64)ca->cwnd + xtcp_hystart_grow(&c->hs, acked);

		ca->cwnd = cwnd > ca->cwnd_clamp ? ca->cwnd_clamp : (u32)cwnd;
		return;
	}
	acked = xtcp_cong_slow_start(ca, acked);
	if (!acked)
		return;

	if (!c->in_epoch)
		cubic_begin_epoch(ca, c, now_ms);

	/* u32 difference: epochs may last up to 49 days of wraparound. */
	t_ms = (u32)(now_ms - c->epoch_start_ms);

	cubic_update_w_est(ca, c, acked);

	w_cubic_s = cubic_window_s(c, t_ms);
	if (w_cubic_s < c->w_est_s) {
		/* Reno-friendly region: cwnd = W_est (s.4.3), already clamped. */
		w_est = cubic_s_to_seg(c->w_est_s);
		if (w_est > ca->cwnd)
			ca->cwnd = w_est;
		return;
	}

	/* Aim for where the curve will be one RTT from now, but never more
	 * than 1.5 * cwnd: growth stays below slow start's even after a long
	 * epoch (s.4.2).
	 */
	target_s = cubic_window_s(c, t_ms + rtt_us / 1000);
	cwnd_s = cubic_seg_to_s(ca->cwnd);
	max_target_s = cwnd_s + cwnd_s / 2;
	if (target_s > max_target_s)
		target_s = max_target_s;
	cubic_grow_to_target(ca, c, target_s, acked);
}

/* Congestion event (s.4.6, s.4.7). W_max remembers where the network
 * saturated; if that is lower than last time, another flow is probably
 * taking a share, so fast convergence lowers W_max further to
 * cwnd * (1 + beta) / 2 to release bandwidth sooner. ssthresh is
 * @wnd * beta, @wnd being cwnd (the core passes ca->cwnd) as in Linux's
 * bictcp_recalc_ssthresh(): s.4.6 allows cwnd for FlightSize where, as
 * here, cwnd grows only while it limits the sender.
 */
static u32 xtcp_cubic_ssthresh(struct xtcp_cong *ca, u32 wnd, u32 now_ms)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);
	u64 cwnd_s = cubic_seg_to_s(ca->cwnd);
	u32 ssthresh;

	if (cwnd_s < c->w_max_s)
		c->w_max_s = div_u64(cwnd_s * CUBIC_FC_NUM, CUBIC_FC_DEN);
	else
		c->w_max_s = cwnd_s;
	c->cwnd_prior = ca->cwnd;
	c->in_epoch = false;
	/* A loss or ECN echo ends slow start (RFC 9406 s.4.2) unless undone. */
	xtcp_hystart_hold(&c->hs);

	ssthresh = (u32)div_u64((u64)wnd * CUBIC_BETA_NUM, CUBIC_BETA_DEN);
	return ssthresh > XTCP_CONG_MIN_SSTHRESH ? ssthresh :
		XTCP_CONG_MIN_SSTHRESH;
}

/* After an RTO, s.4.8: the first congestion avoidance epoch uses K = 0 and
 * W_max = cwnd at its start. Forgetting W_max gets exactly that from
 * cubic_begin_epoch(). cwnd_prior is kept, so the Reno estimate switches to
 * alpha = 1 only once it is back at the pre-timeout window.
 */
static void xtcp_cubic_on_rto(struct xtcp_cong *ca)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);

	c->w_max_s = 0;
	c->in_epoch = false;
}

/* s.5.8: cwnd must not grow while the sender has nothing to send, and the
 * curve is a function of elapsed time, so after an idle period resuming at
 * t would jump straight to wherever the curve got to meanwhile. Shift
 * t_epoch by the idle time instead, as if the pause had not happened, but
 * not past now.
 */
static void xtcp_cubic_on_idle_restart(struct xtcp_cong *ca, u32 now_ms,
				       u32 idle_ms)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);
	u32 elapsed = now_ms - c->epoch_start_ms;

	if (c->in_epoch)
		c->epoch_start_ms += idle_ms < elapsed ? idle_ms : elapsed;
}

/* Linux's cubictcp_cwnd_event() for TX_START, bictcp_reset() on a loss
 * through ->ssthresh and the LOSS event.
 */
static void xtcp_cubic_cwnd_event(struct xtcp_cong *ca, enum xtcp_ca_event ev,
				  u32 now_ms, u32 idle_ms)
{
	if (ev == XTCP_CA_EVENT_TX_START)
		xtcp_cubic_on_idle_restart(ca, now_ms, idle_ms);
	else if (ev == XTCP_CA_EVENT_LOSS)
		xtcp_cubic_on_rto(ca);
}

/* Every ACK that moved SND.UNA: HyStart++'s rounds and RTT samples,
 * while it drives the initial slow start.
 */
static void xtcp_cubic_pkts_acked(struct xtcp_cong *ca,
				  const struct xtcp_ack_sample *s)
{
	struct xtcp_cubic *c = xtcp_cubic(ca);

	if (xtcp_hystart_active(&c->hs, ca))
		xtcp_hystart_ack(&c->hs, ca, s->snd_una, s->snd_nxt,
				 s->rtt_us);
}

/**
 * xtcp_cubic_get_info() - a snapshot of CUBIC's state
 * @ca:   a connection's congestion state, driven by CUBIC
 * @info: filled in: W_max and W_est in segments (rounded down), cwnd at
 *        the last congestion event in segments, K and the epoch start in
 *        milliseconds, and whether an epoch runs
 *
 * For inspection (the host unit tests); RFC 9438's variables by name.
 *
 * Context: any; pure logic, the caller serialises use of @ca.
 */
void xtcp_cubic_get_info(const struct xtcp_cong *ca,
			 struct xtcp_cubic_info *info)
{
	const struct xtcp_cubic *c = (const struct xtcp_cubic *)ca->priv;

	info->w_max = cubic_s_to_seg(c->w_max_s);
	info->w_est = cubic_s_to_seg(c->w_est_s);
	info->cwnd_prior = c->cwnd_prior;
	info->k_ms = c->k_ms;
	info->epoch_start_ms = c->epoch_start_ms;
	info->in_epoch = c->in_epoch;
	info->hs_phase = c->hs.phase;
}

struct xtcp_cong_ops xtcp_cong_cubic = {
	.name			= "cubic",
	.init			= xtcp_cubic_init,
	.ssthresh		= xtcp_cubic_ssthresh,
	.cong_avoid		= xtcp_cubic_cong_avoid,
	.cwnd_event		= xtcp_cubic_cwnd_event,
	.undo_cwnd		= xtcp_cong_reno_undo_cwnd,
	.pkts_acked		= xtcp_cubic_pkts_acked,
};
