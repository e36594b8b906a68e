// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for xtcp congestion control (net/xtcp/cong_*.c).
 *
 * The algorithms are driven by a tiny ACK-clock simulator: every RTT the
 * sender has a full window in flight and the receiver ACKs all of it, the
 * ACKs spread evenly over the RTT. Expected values come from the RFC
 * formulas evaluated in double precision, which only the tests use.
 */
#include <math.h>
#include <string.h>

#include <linux/types.h>
#include <net/xtcp_cong.h>

#include "kselftest_harness.h"

#define MSS		1448
#define NO_CLAMP	0xffffffffU
/* Slack for comparing an integer with a double that should bound it. */
#define EPS		(1.0 / 1000000)

struct sim {
	struct xtcp_cong ca;
	struct xtcp_cong_ops *ops;
	u32 now_ms;
	u32 rtt_us;
};

static void sim_init(struct sim *s, struct xtcp_cong_ops *ops, u32 cwnd,
		     u32 ssthresh, u32 clamp, u32 rtt_us, u32 now_ms)
{
	memset(s, 0, sizeof(*s));
	xtcp_cong_state_init(&s->ca, cwnd, clamp, MSS);
	s->ca.ssthresh = ssthresh;
	s->ops = ops;
	s->rtt_us = rtt_us;
	s->now_ms = now_ms;
	ops->init(&s->ca, now_ms);
}

/* One RTT: ACK the whole window, @per_ack segments per ACK. */
static void sim_round(struct sim *s, u32 per_ack)
{
	u32 segs = s->ca.cwnd, start = s->now_ms, rtt_ms = s->rtt_us / 1000;
	u32 nacks = (segs + per_ack - 1) / per_ack, i;

	for (i = 0; i < nacks; i++) {
		u32 acked = segs - i * per_ack < per_ack ?
			    segs - i * per_ack : per_ack;

		s->now_ms = start + (u32)((u64)rtt_ms * (i + 1) / nacks);
		s->ops->cong_avoid(&s->ca, acked, true, s->now_ms,
				   s->rtt_us);
	}
	s->now_ms = start + rtt_ms;
}

/* Congestion event with a full window in flight; cwnd drops to ssthresh. */
static void sim_loss(struct sim *s)
{
	s->ca.ssthresh = s->ops->ssthresh(&s->ca, s->ca.cwnd, s->now_ms);
	s->ca.cwnd = s->ca.ssthresh;
}

/* RFC 9438 eq. 1, t and K in seconds. */
static double w_cubic(double t, double k, double w_max)
{
	return 0.4 * pow(t - k, 3) + w_max;
}

/* RFC 9438 eq. 2. */
static double k_rfc(double w_max, double cwnd_epoch)
{
	return cbrt((w_max - cwnd_epoch) / 0.4);
}

static struct xtcp_cubic_info cubic_info(const struct xtcp_cong *ca)
{
	struct xtcp_cubic_info info;

	xtcp_cubic_get_info(ca, &info);
	return info;
}

static unsigned __int128 cube(u64 r)
{
	return (unsigned __int128)r * r * r;
}

/* ---- integer cube root ---- */

TEST(cbrt_exact_cubes_and_neighbours)
{
	u64 r;

	ASSERT_EQ(0, xtcp_cbrt_u64(0));
	ASSERT_EQ(1, xtcp_cbrt_u64(1));
	/* Every cube that fits in a u64, and its neighbours. */
	for (r = 1; r <= 2642245; r++) {
		u64 c = r * r * r;

		ASSERT_EQ(r, xtcp_cbrt_u64(c)) TH_LOG("cbrt(%llu^3)", (unsigned long long)r);
		ASSERT_EQ(r - 1, xtcp_cbrt_u64(c - 1));
		ASSERT_EQ(r, xtcp_cbrt_u64(c + 1));
	}
	/* 2642245^3 < 2^64 < 2642246^3 */
	ASSERT_EQ(2642245, xtcp_cbrt_u64(~0ULL));
	ASSERT_EQ(2097151, xtcp_cbrt_u64((1ULL << 63) - 1));
	ASSERT_EQ(2097152, xtcp_cbrt_u64(1ULL << 63));
}

TEST(cbrt_floor_small_exhaustive)
{
	u64 x;
	u32 r;

	for (x = 0; x < 3000000; x++) {
		r = xtcp_cbrt_u64(x);
		ASSERT_TRUE(cube(r) <= x && cube(r + 1) > x)
			TH_LOG("cbrt(%llu) = %u", (unsigned long long)x, r);
	}
}

TEST(cbrt_floor_random_large)
{
	u64 state = 0x9e3779b97f4a7c15ULL, x;
	int i;
	u32 r;

	for (i = 0; i < 2000000; i++) {
		/* xorshift64, then drop a varying number of top bits. */
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		x = state >> (i % 64);
		r = xtcp_cbrt_u64(x);
		ASSERT_TRUE(cube(r) <= x && cube(r + 1) > x)
			TH_LOG("cbrt(%llu) = %u", (unsigned long long)x, r);
	}
}

/* ---- shared helpers ---- */

TEST(helper_slow_start_returns_leftover)
{
	struct xtcp_cong ca;

	xtcp_cong_state_init(&ca, 10, NO_CLAMP, MSS);
	ca.ssthresh = 12;
	ASSERT_EQ(3, xtcp_cong_slow_start(&ca, 5));
	ASSERT_EQ(12, ca.cwnd);
	/* At ssthresh slow start is over: everything is left over. */
	ASSERT_EQ(4, xtcp_cong_slow_start(&ca, 4));
	ASSERT_EQ(12, ca.cwnd);

	/* The clamp wins over ssthresh. */
	xtcp_cong_state_init(&ca, 10, 11, MSS);
	ASSERT_EQ(0, xtcp_cong_slow_start(&ca, 5));
	ASSERT_EQ(11, ca.cwnd);
}

TEST(helper_avoid_ai_counts_exactly)
{
	struct xtcp_cong ca;
	int i;

	xtcp_cong_state_init(&ca, 10, NO_CLAMP, MSS);
	for (i = 0; i < 9; i++)
		xtcp_cong_avoid_ai(&ca, 10, 1);
	ASSERT_EQ(10, ca.cwnd);
	xtcp_cong_avoid_ai(&ca, 10, 1);
	ASSERT_EQ(11, ca.cwnd);
	ASSERT_EQ(0, ca.cwnd_cnt);

	/* A stretch ACK worth several increments. */
	xtcp_cong_avoid_ai(&ca, 10, 35);
	ASSERT_EQ(14, ca.cwnd);
	ASSERT_EQ(5, ca.cwnd_cnt);

	/* Credit saved against a larger w is not turned into a burst. */
	ca.cwnd_cnt = 500;
	xtcp_cong_avoid_ai(&ca, 10, 1);
	ASSERT_EQ(15, ca.cwnd);
	ASSERT_EQ(0, ca.cwnd_cnt);

	/* w = 0 must not divide by zero. */
	xtcp_cong_avoid_ai(&ca, 0, 2);
	ASSERT_EQ(17, ca.cwnd);

	/* No wrap at the top. */
	xtcp_cong_state_init(&ca, NO_CLAMP - 1, NO_CLAMP, MSS);
	xtcp_cong_avoid_ai(&ca, 1, NO_CLAMP);
	ASSERT_EQ(NO_CLAMP, ca.cwnd);
}

TEST(ops_are_complete)
{
	ASSERT_STREQ("reno", xtcp_cong_reno.name);
	ASSERT_STREQ("cubic", xtcp_cong_cubic.name);
	ASSERT_STREQ("scalable", xtcp_cong_scalable.name);
	ASSERT_NE(NULL, xtcp_cong_scalable.init);
	ASSERT_NE(NULL, xtcp_cong_scalable.ssthresh);
	ASSERT_NE(NULL, xtcp_cong_scalable.cong_avoid);
	ASSERT_NE(NULL, xtcp_cong_scalable.undo_cwnd);
	ASSERT_NE(NULL, xtcp_cong_reno.init);
	ASSERT_NE(NULL, xtcp_cong_reno.ssthresh);
	ASSERT_NE(NULL, xtcp_cong_reno.cong_avoid);
	ASSERT_NE(NULL, xtcp_cong_cubic.init);
	ASSERT_NE(NULL, xtcp_cong_cubic.ssthresh);
	ASSERT_NE(NULL, xtcp_cong_cubic.cong_avoid);
	ASSERT_NE(NULL, xtcp_cong_cubic.cwnd_event);
	ASSERT_NE(NULL, xtcp_cong_reno.undo_cwnd);
	ASSERT_NE(NULL, xtcp_cong_cubic.undo_cwnd);
}

/*
 * Undo (tcp_reno_undo_cwnd(), which Linux 6.1's CUBIC uses too): cwnd
 * goes back to what it was before the reduction, or stays if it has grown
 * beyond since. A loss at cwnd 20 leaves Reno 10 and CUBIC 14 (0.7 of
 * 20); undone, both are 20 again. Grown to 25 since (not possible after a
 * reduction without growth, but the rule is max()), 25 stays. The hook
 * changes neither cwnd nor ssthresh itself.
 */
TEST(undo_cwnd_restores_prior)
{
	struct xtcp_cong_ops *ops[] = { &xtcp_cong_reno, &xtcp_cong_cubic };
	u32 reduced[] = { 10, 14 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct sim s;

		sim_init(&s, ops[i], 20, 100, NO_CLAMP, 100000, 1000);
		sim_loss(&s);
		ASSERT_EQ(reduced[i], s.ca.cwnd);
		ASSERT_EQ(reduced[i], s.ca.ssthresh);
		ASSERT_EQ(20U, ops[i]->undo_cwnd(&s.ca, 20));
		ASSERT_EQ(reduced[i], s.ca.cwnd);
		ASSERT_EQ(reduced[i], s.ca.ssthresh);
		s.ca.cwnd = 25;
		ASSERT_EQ(25U, ops[i]->undo_cwnd(&s.ca, 20));
		/* No prior cwnd known (0): cwnd as it is. */
		ASSERT_EQ(25U, ops[i]->undo_cwnd(&s.ca, 0));
	}
}

/* ---- Reno ---- */

TEST(reno_slow_start_doubles_per_rtt)
{
	struct sim s;
	u32 per_ack, expect;
	int r;

	/* Per-segment and delayed (every other segment) ACKs alike. */
	for (per_ack = 1; per_ack <= 2; per_ack++) {
		sim_init(&s, &xtcp_cong_reno, 10, XTCP_INFINITE_SSTHRESH,
			 NO_CLAMP, 50000, 0);
		for (r = 0, expect = 10; r < 10; r++) {
			sim_round(&s, per_ack);
			expect *= 2;
			ASSERT_EQ(expect, s.ca.cwnd);
		}
	}
}

TEST(reno_slow_start_stops_at_ssthresh)
{
	struct sim s;

	sim_init(&s, &xtcp_cong_reno, 10, 100, NO_CLAMP, 50000, 0);
	sim_round(&s, 1);
	sim_round(&s, 1);
	sim_round(&s, 1);
	ASSERT_EQ(80, s.ca.cwnd);
	/* 20 of these 80 ACKs reach ssthresh, 60 count towards CA. */
	sim_round(&s, 1);
	ASSERT_EQ(100, s.ca.cwnd);
	ASSERT_EQ(60, s.ca.cwnd_cnt);
	sim_round(&s, 1);
	ASSERT_EQ(101, s.ca.cwnd);

	/* A single stretch ACK overshooting ssthresh. */
	sim_init(&s, &xtcp_cong_reno, 10, 12, NO_CLAMP, 50000, 0);
	s.ops->cong_avoid(&s.ca, 10, true, 1, 50000);
	ASSERT_EQ(12, s.ca.cwnd);
	ASSERT_EQ(8, s.ca.cwnd_cnt);
}

TEST(reno_ca_adds_one_segment_per_rtt)
{
	struct sim s;
	u32 per_ack;
	int r;

	for (per_ack = 1; per_ack <= 3; per_ack++) {
		sim_init(&s, &xtcp_cong_reno, 51, 50, NO_CLAMP, 50000, 0);
		for (r = 1; r <= 200; r++) {
			sim_round(&s, per_ack);
			ASSERT_EQ(51 + r, s.ca.cwnd)
				TH_LOG("per_ack %u round %d", per_ack, r);
		}
	}
}

TEST(reno_ssthresh_halves_window_with_floor)
{
	struct xtcp_cong ca;

	xtcp_cong_state_init(&ca, 100, NO_CLAMP, MSS);
	xtcp_cong_reno.init(&ca, 0);
	ASSERT_EQ(50, xtcp_cong_reno.ssthresh(&ca, 100, 0));
	ASSERT_EQ(50, xtcp_cong_reno.ssthresh(&ca, 101, 0));
	/* The window passed is what counts, not ca->cwnd (the core passes
	 * cwnd, as Linux's tcp_reno_ssthresh() reads it).
	 */
	ASSERT_EQ(20, xtcp_cong_reno.ssthresh(&ca, 40, 0));
	ASSERT_EQ(2, xtcp_cong_reno.ssthresh(&ca, 5, 0));
	ASSERT_EQ(2, xtcp_cong_reno.ssthresh(&ca, 4, 0));
	ASSERT_EQ(2, xtcp_cong_reno.ssthresh(&ca, 1, 0));
	ASSERT_EQ(2, xtcp_cong_reno.ssthresh(&ca, 0, 0));
	ASSERT_EQ(0x7fffffffU, xtcp_cong_reno.ssthresh(&ca, NO_CLAMP, 0));
	/* The hook only suggests: cwnd is the caller's to reduce. */
	ASSERT_EQ(100, ca.cwnd);
}

/* RFC 5681 s.3.1 after an RTO: ssthresh max(cwnd / 2, 2), cwnd the
 * loss window of one segment, slow start (doubling per round) back up to
 * ssthresh, then one segment per round; the loss event leaves no
 * congestion-avoidance credit behind (the core clears the count, as
 * Linux's tcp_enter_loss(); with
 * tcp_reno_ssthresh() and tcp_reno_cong_avoid()).
 */
TEST(reno_rto_slow_starts_to_half_the_window)
{
	struct sim s;
	int r;

	sim_init(&s, &xtcp_cong_reno, 100, 50, NO_CLAMP, 50000, 0);
	sim_round(&s, 1);
	ASSERT_EQ(101, s.ca.cwnd);
	/* Reno has no cwnd_event hook: the RTO is ssthresh and the core's. */
	ASSERT_EQ(NULL, s.ops->cwnd_event);
	s.ca.ssthresh = s.ops->ssthresh(&s.ca, 90, 0);
	s.ca.cwnd = 1;		/* RFC 5681 loss window */
	s.ca.cwnd_cnt = 0;
	ASSERT_EQ(45, s.ca.ssthresh);
	for (r = 0; r < 5; r++)
		sim_round(&s, 1);
	ASSERT_EQ(32, s.ca.cwnd);
	/* 13 of the next 32 ACKs reach ssthresh, 19 count towards CA. */
	sim_round(&s, 1);
	ASSERT_EQ(45, s.ca.cwnd);
	ASSERT_EQ(19, s.ca.cwnd_cnt);
	for (r = 1; r <= 10; r++) {
		sim_round(&s, 1);
		ASSERT_EQ(45 + r, s.ca.cwnd);
	}
}

TEST(reno_no_growth_when_not_cwnd_limited)
{
	struct xtcp_cong ca;
	int i;

	/* Neither congestion avoidance nor slow start grows. */
	xtcp_cong_state_init(&ca, 100, NO_CLAMP, MSS);
	ca.ssthresh = 50;
	for (i = 0; i < 1000; i++)
		xtcp_cong_reno.cong_avoid(&ca, 1, false, i, 10000);
	ASSERT_EQ(100, ca.cwnd);

	xtcp_cong_state_init(&ca, 10, NO_CLAMP, MSS);
	xtcp_cong_reno.cong_avoid(&ca, 5, false, 0, 10000);
	ASSERT_EQ(10, ca.cwnd);
	xtcp_cong_reno.cong_avoid(&ca, 5, true, 0, 10000);
	ASSERT_EQ(15, ca.cwnd);
}

/* Linux's tcp_is_cwnd_limited(): a window that was full in the current
 * round counts; otherwise only slow start with more than half of cwnd out.
 */
TEST(cwnd_limited_as_tcp_is_cwnd_limited)
{
	struct xtcp_cong ca;

	xtcp_cong_state_init(&ca, 10, NO_CLAMP, MSS);
	ASSERT_TRUE(xtcp_cong_is_cwnd_limited(&ca, true, 0));
	ASSERT_FALSE(xtcp_cong_is_cwnd_limited(&ca, false, 0));
	ASSERT_FALSE(xtcp_cong_is_cwnd_limited(&ca, false, 5));
	ASSERT_TRUE(xtcp_cong_is_cwnd_limited(&ca, false, 6));
	/* No overflow in 2 * max_packets_out (2^32 in u32 is 0). */
	ca.cwnd = 0x7ffffffe;
	ASSERT_TRUE(xtcp_cong_is_cwnd_limited(&ca, false, 0x80000000));

	/* Congestion avoidance: only the flag. */
	xtcp_cong_state_init(&ca, 100, NO_CLAMP, MSS);
	ca.ssthresh = 50;
	ASSERT_FALSE(xtcp_cong_is_cwnd_limited(&ca, false, 100));
	ASSERT_FALSE(xtcp_cong_is_cwnd_limited(&ca, false, 1000));
	ASSERT_TRUE(xtcp_cong_is_cwnd_limited(&ca, true, 1));
}

/* tcp_cwnd_restart(): one halving per RTO, or part of one, of idle time
 * beyond the first RTO, never below min(initial window, cwnd).
 */
TEST(restart_cwnd_as_tcp_cwnd_restart)
{
	/* Idle between one and two RTOs: one halving. */
	ASSERT_EQ(40, xtcp_cong_restart_cwnd(80, 10, 201, 200));
	ASSERT_EQ(40, xtcp_cong_restart_cwnd(80, 10, 400, 200));
	/* Just over two RTOs: two. */
	ASSERT_EQ(20, xtcp_cong_restart_cwnd(80, 10, 401, 200));
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(80, 10, 601, 200));
	/* Floors at the restart window, and 3 halvings of 100 are 12. */
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(80, 10, 100000, 200));
	ASSERT_EQ(12, xtcp_cong_restart_cwnd(100, 10, 601, 200));
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(100, 10, 801, 200));
	/* A window below the initial one stays. */
	ASSERT_EQ(4, xtcp_cong_restart_cwnd(4, 10, 100000, 200));
	/* A halving may go below the restart window, which then holds. */
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(11, 10, 401, 200));
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(22, 10, 100000, 200));
	/* Large windows and long idle periods: no wrap. */
	ASSERT_EQ(10, xtcp_cong_restart_cwnd(0xffffffff, 10, 0xffffffff, 1));
	ASSERT_EQ(0x7fffffff,
		  xtcp_cong_restart_cwnd(0xffffffff, 10, 0xfffffffe,
					 0x7fffffff));
}

/* tcp_cwnd_application_limited(): halfway down to the flight used, at
 * least the initial window.
 */
TEST(app_limited_cwnd_as_linux)
{
	ASSERT_EQ(55, xtcp_cong_app_limited_cwnd(100, 10, 10));
	ASSERT_EQ(55, xtcp_cong_app_limited_cwnd(100, 3, 10));
	ASSERT_EQ(70, xtcp_cong_app_limited_cwnd(100, 40, 10));
	ASSERT_EQ(100, xtcp_cong_app_limited_cwnd(100, 100, 10));
	ASSERT_EQ(100, xtcp_cong_app_limited_cwnd(100, 120, 10));
	ASSERT_EQ(8, xtcp_cong_app_limited_cwnd(8, 1, 10));
	ASSERT_EQ(10, xtcp_cong_app_limited_cwnd(11, 0, 10));
	ASSERT_EQ(0x80000004, xtcp_cong_app_limited_cwnd(0xffffffff, 10, 10));
}

TEST(reno_respects_clamp)
{
	struct sim s;
	int r;

	sim_init(&s, &xtcp_cong_reno, 10, XTCP_INFINITE_SSTHRESH, 30, 50000, 0);
	for (r = 0; r < 5; r++) {
		sim_round(&s, 1);
		ASSERT_LE(s.ca.cwnd, 30);
	}
	ASSERT_EQ(30, s.ca.cwnd);
	s.ca.ssthresh = 20;
	for (r = 0; r < 5; r++) {
		sim_round(&s, 1);
		ASSERT_EQ(30, s.ca.cwnd);
	}
}

/* ---- CUBIC ---- */

TEST(cubic_multiplicative_decrease)
{
	struct xtcp_cong ca;
	u32 w;

	for (w = 1; w < 5000; w++) {
		xtcp_cong_state_init(&ca, w, NO_CLAMP, MSS);
		xtcp_cong_cubic.init(&ca, 0);
		ASSERT_EQ(w * 7 / 10 > 2 ? w * 7 / 10 : 2,
			  xtcp_cong_cubic.ssthresh(&ca, w, 0));
		ASSERT_EQ(w, ca.cwnd);
		ASSERT_EQ(w, cubic_info(&ca).w_max);
		ASSERT_EQ(w, cubic_info(&ca).cwnd_prior);
	}
	/* The window passed * beta (RFC 9438 s.4.6), and no overflow. */
	xtcp_cong_state_init(&ca, 1000, NO_CLAMP, MSS);
	xtcp_cong_cubic.init(&ca, 0);
	ASSERT_EQ(420, xtcp_cong_cubic.ssthresh(&ca, 600, 0));
	ASSERT_EQ(3006477106U, xtcp_cong_cubic.ssthresh(&ca, NO_CLAMP, 0));
}

TEST(cubic_k_matches_rfc)
{
	static const u32 wmax[] = {
		10, 20, 100, 1000, 12340, 12345, 100000, 1000000, 100000000,
		4000000000U, NO_CLAMP,
	};
	struct xtcp_cubic_info info;
	double exact, rfc;
	struct sim s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wmax); i++) {
		sim_init(&s, &xtcp_cong_cubic, wmax[i], wmax[i], NO_CLAMP,
			 100000, 1000);
		sim_loss(&s);
		/* The first ACK in congestion avoidance starts the epoch. */
		s.ops->cong_avoid(&s.ca, 1, true, 2000, s.rtt_us);
		info = cubic_info(&s.ca);
		ASSERT_TRUE(info.in_epoch);
		ASSERT_EQ(2000, info.epoch_start_ms);
		ASSERT_EQ(wmax[i], info.w_max);

		/* Against eq. 2 with the actual cwnd_epoch: floor, <= 1 ms. */
		exact = 1000 * k_rfc(wmax[i], s.ca.ssthresh);
		ASSERT_LE(info.k_ms, exact + EPS) TH_LOG("W_max %u", wmax[i]);
		ASSERT_GT(info.k_ms + 1.0, exact) TH_LOG("W_max %u", wmax[i]);

		/* Against K = cbrt(W_max * (1 - beta) / C) itself. */
		rfc = 1000 * cbrt(wmax[i] * (1 - 0.7) / 0.4);
		ASSERT_LT(fabs(info.k_ms - rfc), 2.0)
			TH_LOG("W_max %u: K %u ms, RFC %.3f ms", wmax[i],
			       info.k_ms, rfc);
	}
}

/*
 * After a loss at W_max = 1000 with a 100 ms RTT, cwnd restarts at 700 and
 * must track W_cubic(t): concave up to K (~9.09 s), back at W_max around K,
 * convex beyond.
 */
TEST(cubic_follows_the_curve)
{
	double k, t, expect, worst = 0;
	struct xtcp_cubic_info info;
	u32 prev, grow[40] = {};
	int r, sec, at_k = 0;
	struct sim s;

	sim_init(&s, &xtcp_cong_cubic, 1000, 1000, NO_CLAMP, 100000, 5000);
	sim_loss(&s);
	ASSERT_EQ(700, s.ca.cwnd);
	k = k_rfc(1000, 700);

	prev = s.ca.cwnd;
	for (r = 1; r <= 160; r++) {
		sim_round(&s, 1);
		info = cubic_info(&s.ca);
		t = (s.now_ms - info.epoch_start_ms) / 1000.0;
		expect = w_cubic(t, k, 1000);

		/* Never shrinks, never faster than target = 1.5 * cwnd. */
		ASSERT_GE(s.ca.cwnd, prev);
		ASSERT_LE(s.ca.cwnd, prev + prev / 2);
		/*
		 * Each ACK closes 1/cwnd of the gap to W_cubic(t + RTT), a lag
		 * of about one RTT: cwnd(t) ~ W_cubic(t), give or take rounding.
		 */
		ASSERT_LT(fabs(s.ca.cwnd - expect), 2)
			TH_LOG("t %.3f cwnd %u W_cubic %.1f", t, s.ca.cwnd,
			       expect);
		if (fabs(s.ca.cwnd - expect) > worst)
			worst = fabs(s.ca.cwnd - expect);
		/*
		 * Not the Reno-friendly region: W_est falls behind quickly. It
		 * still grows by alpha_cubic = 9/17 per RTT (cwnd_prior = 1000
		 * is out of its reach here). Per ACK it gains alpha / cwnd with
		 * cwnd growing during the RTT (< 2% here), and is shown floored.
		 */
		ASSERT_LE(info.w_est, 700 + r * 9.0 / 17)
			TH_LOG("round %d: W_est %u", r, info.w_est);
		ASSERT_GE(info.w_est, 700 + r * 9.0 / 17 * 0.98 - 1)
			TH_LOG("round %d: W_est %u", r, info.w_est);
		ASSERT_LE(info.w_est, s.ca.cwnd);
		if (r > 5)
			ASSERT_LT(info.w_est + 20, s.ca.cwnd);

		sec = (int)t;
		if (sec < 40)
			grow[sec] += s.ca.cwnd - prev;
		prev = s.ca.cwnd;

		/* Back at W_max around K, and not before the plateau. */
		if (fabs(t - k) <= 0.05) {
			ASSERT_LE(labs((long)s.ca.cwnd - 1000), 2);
			at_k++;
		}
		if (t < k - 2)
			ASSERT_LT(s.ca.cwnd, 1000);
		if (t > k + 2)
			ASSERT_GT(s.ca.cwnd, 1000);
	}
	TH_LOG("largest distance from W_cubic(t): %.2f segments", worst);
	ASSERT_EQ(1, at_k);

	/* Concave: growth per second shrinks approaching K ... */
	for (sec = 1; sec < 7; sec++)
		ASSERT_LT(grow[sec], grow[sec - 1]) TH_LOG("second %d", sec);
	/* ... and convex: it accelerates beyond. */
	for (sec = 11; sec < 14; sec++)
		ASSERT_GT(grow[sec + 1], grow[sec]) TH_LOG("second %d", sec);
}

/*
 * Small window, very short RTT: Reno's one segment per RTT beats the cubic
 * curve by far, so cwnd must follow W_est (RFC 9438 s.4.3): alpha = 9/17
 * per RTT until W_est reaches cwnd_prior, then one segment per RTT.
 */
TEST(cubic_reno_friendly_region)
{
	double west, cwnd, k, t;
	struct xtcp_cubic_info info;
	struct sim s;
	int r, i, n;

	sim_init(&s, &xtcp_cong_cubic, 20, 20, NO_CLAMP, 1000, 0);
	sim_loss(&s);
	ASSERT_EQ(14, s.ca.cwnd);
	k = k_rfc(20, 14);

	/* The same per-ACK rule in doubles. */
	west = 14;
	cwnd = 14;
	for (r = 1; r <= 300; r++) {
		n = (int)cwnd;
		for (i = 0; i < n; i++) {
			west += (west >= 20 ? 1 : 9.0 / 17) / floor(cwnd);
			if (floor(west) > cwnd)
				cwnd = floor(west);
		}
		sim_round(&s, 1);
		info = cubic_info(&s.ca);
		t = (s.now_ms - info.epoch_start_ms) / 1000.0;

		ASSERT_LE(fabs(s.ca.cwnd - cwnd), 1)
			TH_LOG("round %d: cwnd %u, model %.2f", r, s.ca.cwnd,
			       cwnd);
		ASSERT_LE(labs((long)info.w_est - (long)floor(west)), 1);
		if (r > 50)
			ASSERT_GT(s.ca.cwnd, 2 * w_cubic(t, k, 20));
	}
	/* 9/17 per RTT for ~11 RTTs, then 1 per RTT. */
	ASSERT_GE(s.ca.cwnd, 20 + 300 - 12 - 2);
	ASSERT_LE(s.ca.cwnd, 20 + 300 - 11 + 1);
}

TEST(cubic_fast_convergence)
{
	struct xtcp_cubic_info info;
	struct sim s;

	sim_init(&s, &xtcp_cong_cubic, 1000, 1000, NO_CLAMP, 100000, 0);
	sim_loss(&s);
	ASSERT_EQ(1000, cubic_info(&s.ca).w_max);

	/* Loss again at 800 < W_max: W_max = 800 * (1 + 0.7) / 2 = 680. */
	s.ca.cwnd = 800;
	ASSERT_EQ(560, s.ops->ssthresh(&s.ca, 800, 0));
	info = cubic_info(&s.ca);
	ASSERT_EQ(680, info.w_max);
	ASSERT_EQ(800, info.cwnd_prior);
	s.ca.cwnd = 560;
	s.ca.ssthresh = 560;
	s.ops->cong_avoid(&s.ca, 1, true, 10, s.rtt_us);
	info = cubic_info(&s.ca);
	ASSERT_LE(info.k_ms, 1000 * k_rfc(680, 560) + EPS);
	ASSERT_GT(info.k_ms + 1.0, 1000 * k_rfc(680, 560));

	/* Loss above the old W_max: W_max = cwnd, no extra reduction. */
	s.ca.cwnd = 900;
	s.ops->ssthresh(&s.ca, 900, 20);
	ASSERT_EQ(900, cubic_info(&s.ca).w_max);
	/* Equal is not "lower than before" either. */
	s.ops->ssthresh(&s.ca, 900, 30);
	ASSERT_EQ(900, cubic_info(&s.ca).w_max);
}

TEST(cubic_first_epoch_without_loss_probes_from_cwnd)
{
	struct xtcp_cubic_info info;
	struct sim s;
	int r;

	/* Slow start exits at ssthresh with no congestion event yet. */
	sim_init(&s, &xtcp_cong_cubic, 10, 80, NO_CLAMP, 50000, 0);
	for (r = 0; r < 3; r++)
		sim_round(&s, 1);
	ASSERT_EQ(80, s.ca.cwnd);
	sim_round(&s, 1);
	info = cubic_info(&s.ca);
	ASSERT_TRUE(info.in_epoch);
	ASSERT_EQ(0, info.k_ms);
	ASSERT_EQ(80, info.w_max);
	ASSERT_GE(s.ca.cwnd, 80);
}

TEST(cubic_rto_restarts_with_k_zero)
{
	struct xtcp_cubic_info info;
	struct sim s;
	int r;

	sim_init(&s, &xtcp_cong_cubic, 1000, 1000, NO_CLAMP, 50000, 0);
	s.ca.ssthresh = s.ops->ssthresh(&s.ca, 1000, 0);
	s.ops->cwnd_event(&s.ca, XTCP_CA_EVENT_LOSS, 0, 0);
	s.ca.cwnd = 1;		/* RFC 5681 loss window */
	ASSERT_EQ(700, s.ca.ssthresh);

	for (r = 0; r < 9; r++)
		sim_round(&s, 1);
	ASSERT_EQ(512, s.ca.cwnd);
	ASSERT_FALSE(cubic_info(&s.ca).in_epoch);
	sim_round(&s, 1);
	info = cubic_info(&s.ca);
	ASSERT_TRUE(info.in_epoch);
	ASSERT_EQ(0, info.k_ms);
	ASSERT_EQ(700, info.w_max);	/* cwnd when the epoch started */
	ASSERT_EQ(1000, info.cwnd_prior);
}

TEST(cubic_no_growth_when_not_cwnd_limited)
{
	struct xtcp_cong ca;
	int i;

	xtcp_cong_state_init(&ca, 100, NO_CLAMP, MSS);
	ca.ssthresh = 70;
	xtcp_cong_cubic.init(&ca, 0);
	for (i = 0; i < 100000; i++)
		xtcp_cong_cubic.cong_avoid(&ca, 1, false, i, 10000);
	ASSERT_EQ(100, ca.cwnd);
}

/* Idle time must not count as CUBIC time (RFC 9438 s.5.8). */
TEST(cubic_idle_restart_shifts_epoch)
{
	struct sim busy, idle, naive;
	int r;

	sim_init(&busy, &xtcp_cong_cubic, 1000, 1000, NO_CLAMP, 100000, 0);
	sim_loss(&busy);
	for (r = 0; r < 30; r++)
		sim_round(&busy, 1);
	idle = busy;
	naive = busy;

	/* 20 s idle; only one of them tells CUBIC about it. */
	idle.now_ms += 20000;
	idle.ops->cwnd_event(&idle.ca, XTCP_CA_EVENT_TX_START, idle.now_ms,
			     20000);
	naive.now_ms += 20000;
	for (r = 0; r < 30; r++) {
		sim_round(&busy, 1);
		sim_round(&idle, 1);
		sim_round(&naive, 1);
		ASSERT_EQ(busy.ca.cwnd, idle.ca.cwnd) TH_LOG("round %d", r);
	}
	ASSERT_GT(naive.ca.cwnd, busy.ca.cwnd + 100);

	/* An idle period longer than the epoch cannot move t_epoch past now. */
	idle.ops->cwnd_event(&idle.ca, XTCP_CA_EVENT_TX_START, idle.now_ms,
			     0xfffffff0U);
	ASSERT_EQ(idle.now_ms, cubic_info(&idle.ca).epoch_start_ms);
}

TEST(cubic_never_exceeds_clamp)
{
	struct sim s;
	int r;

	sim_init(&s, &xtcp_cong_cubic, 1000, 1000, 750, 100000, 0);
	s.ca.cwnd = 1000;	/* clamp lowered under an existing window */
	sim_loss(&s);
	for (r = 0; r < 600; r++) {
		sim_round(&s, 2);
		ASSERT_LE(s.ca.cwnd, 750);
	}
	ASSERT_EQ(750, s.ca.cwnd);

	/* Slow start too. */
	sim_init(&s, &xtcp_cong_cubic, 10, XTCP_INFINITE_SSTHRESH, 37, 100000,
		 0);
	for (r = 0; r < 10; r++) {
		sim_round(&s, 1);
		ASSERT_LE(s.ca.cwnd, 37);
	}
	ASSERT_EQ(37, s.ca.cwnd);
}

/*
 * Huge windows, huge ACKs, huge RTTs and clock jumps of hours and days:
 * cwnd may only grow, by at most half the segments ACKed (target is
 * bounded to 1.5 * cwnd), and never past the clamp or through zero.
 */
TEST(cubic_no_overflow_at_extremes)
{
	static const u32 jumps[] = {
		0, 1, 1000, 3600000, 36000000, 1000, 3456000000U, 1, 600000,
	};
	static const u32 starts[] = { 1000, 100000, 4000000000U, NO_CLAMP - 3 };
	static const u32 clamps[] = { NO_CLAMP, 4000000001U };
	static const u32 rtts[] = { 0, 100000, NO_CLAMP };
	unsigned int i, n, j, a, b, c;
	struct xtcp_cong ca;
	u32 now, prev, acked;

	for (i = 0; i < ARRAY_SIZE(starts) * ARRAY_SIZE(clamps) * ARRAY_SIZE(rtts); i++) {
		a = i / (ARRAY_SIZE(clamps) * ARRAY_SIZE(rtts));
		b = i / ARRAY_SIZE(rtts) % ARRAY_SIZE(clamps);
		c = i % ARRAY_SIZE(rtts);
		xtcp_cong_state_init(&ca, starts[a], clamps[b], MSS);
		xtcp_cong_cubic.init(&ca, 0);
		now = NO_CLAMP - 100000;	/* the clock wraps, too */
		/* A loss first, so that K and W_max are large. */
		ca.ssthresh = xtcp_cong_cubic.ssthresh(&ca, ca.cwnd, now);
		if (ca.cwnd > ca.cwnd_clamp)
			ca.cwnd = ca.cwnd_clamp;
		ca.cwnd = ca.ssthresh < ca.cwnd ? ca.ssthresh : ca.cwnd;
		for (n = 0; n < 3 * ARRAY_SIZE(jumps); n++) {
			j = n % ARRAY_SIZE(jumps);
			now += jumps[j];
			prev = ca.cwnd;
			acked = j & 1 ? ca.cwnd : 1 + j;
			xtcp_cong_cubic.cong_avoid(&ca, acked, true, now,
						   rtts[c]);
			ASSERT_GE(ca.cwnd, prev);
			ASSERT_LE(ca.cwnd, ca.cwnd_clamp);
			ASSERT_LE(ca.cwnd, (u64)prev + acked / 2 + 1)
				TH_LOG("start %u clamp %u rtt %u jump %u",
				       starts[a], clamps[b], rtts[c], j);
		}
	}
}

/*
 * Long after K (beyond where (t - K)^3 fits in 64 bits, ~44 min) the curve
 * is far above cwnd, so growth is the s.4.2 maximum: target = 1.5 * cwnd,
 * i.e. half a segment per segment ACKed.
 */
TEST(cubic_far_beyond_k_grows_at_max_rate)
{
	/* 2^22 ms is where (t - K)^3 or (t + RTT - K)^3 wraps to 0. */
	static const u32 gaps[] = { 60000, 2700000, 3600000, 4194304,
				    4194304 - 100, 36000000, 1728000000 };
	struct xtcp_cong ca;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gaps); i++) {
		xtcp_cong_state_init(&ca, 1000, NO_CLAMP, MSS);
		ca.ssthresh = 1000;
		xtcp_cong_cubic.init(&ca, 0);
		xtcp_cong_cubic.cong_avoid(&ca, 1, true, 0, 100000);
		ASSERT_EQ(1000, ca.cwnd);
		xtcp_cong_cubic.cong_avoid(&ca, 1000, true, gaps[i], 100000);
		ASSERT_EQ(1500, ca.cwnd) TH_LOG("after %u ms", gaps[i]);
	}
}

/* Near the clamp, long-running: converges onto it exactly and stays. */
TEST(cubic_long_run_at_clamp)
{
	struct xtcp_cong ca;
	u32 now = 0, prev;
	int i;

	xtcp_cong_state_init(&ca, 999990, 1000000, MSS);
	ca.ssthresh = 999990;
	xtcp_cong_cubic.init(&ca, now);
	for (i = 0; i < 200000; i++) {
		now += 50 + (i % 7) * 3600000;	/* up to 6 h between ACKs */
		prev = ca.cwnd;
		xtcp_cong_cubic.cong_avoid(&ca, 1000, true, now, 30000);
		ASSERT_GE(ca.cwnd, prev);
		ASSERT_LE(ca.cwnd, 1000000);
	}
	ASSERT_EQ(1000000, ca.cwnd);
}

/* ---- Scalable TCP, the example module (net/xtcp/cong_scalable.c) ---- */

/*
 * A congestion event takes an eighth of cwnd off (tcp_scalable's
 * cwnd - cwnd >> 3), never below 2; the window passed plays no part.
 */
TEST(scalable_ssthresh_takes_an_eighth)
{
	u32 cwnd[] = { 800, 80, 81, 16, 10, 3, 2, 1 };
	u32 want[] = { 700, 70, 71, 14, 9, 3, 2, 2 };
	struct xtcp_cong ca;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cwnd); i++) {
		xtcp_cong_state_init(&ca, cwnd[i], NO_CLAMP, MSS);
		xtcp_cong_scalable.init(&ca, 0);
		ASSERT_EQ(want[i], xtcp_cong_scalable.ssthresh(&ca, 5, 0))
			TH_LOG("cwnd %u", cwnd[i]);
		ASSERT_EQ(cwnd[i], ca.cwnd);
	}
}

/*
 * Congestion avoidance: from cwnd 100 up, one segment per 100 ACKed
 * whatever the window (an RTT of cwnd 400 adds 4); below 100, one per
 * cwnd ACKed, as Reno.  Slow start below ssthresh as Reno's.
 */
TEST(scalable_ca_one_segment_per_100_acked)
{
	struct sim s;
	u32 acked = 0;

	sim_init(&s, &xtcp_cong_scalable, 400, 100, NO_CLAMP, 50000, 0);
	sim_round(&s, 1);
	ASSERT_EQ(404, s.ca.cwnd);
	sim_init(&s, &xtcp_cong_scalable, 100, 100, NO_CLAMP, 50000, 0);
	while (s.ca.cwnd == 100) {
		s.ops->cong_avoid(&s.ca, 1, true, 0, s.rtt_us);
		acked++;
	}
	ASSERT_EQ(100, acked);
	ASSERT_EQ(101, s.ca.cwnd);
	sim_init(&s, &xtcp_cong_scalable, 51, 50, NO_CLAMP, 50000, 0);
	sim_round(&s, 1);
	ASSERT_EQ(52, s.ca.cwnd);
	sim_init(&s, &xtcp_cong_scalable, 10, 1000, NO_CLAMP, 50000, 0);
	sim_round(&s, 1);
	ASSERT_EQ(20, s.ca.cwnd);
	/* Not cwnd-limited: no growth (RFC 7661). */
	s.ops->cong_avoid(&s.ca, 10, false, 0, s.rtt_us);
	ASSERT_EQ(20, s.ca.cwnd);
}

/*
 * After a loss at 1000 segments: Reno needs 500 RTTs to regain the
 * window; Scalable TCP about 15 (1/8 off, then 1% per RTT), the
 * property it is named for.
 */
TEST(scalable_recovers_in_rtts_independent_of_window)
{
	u32 w[] = { 1000, 4000 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct sim s;
		int rtts = 0;

		sim_init(&s, &xtcp_cong_scalable, w[i], 10, NO_CLAMP, 50000, 0);
		sim_loss(&s);
		ASSERT_EQ(w[i] - w[i] / 8, s.ca.cwnd);
		while (s.ca.cwnd < w[i] && rtts < 100) {
			sim_round(&s, 1);
			rtts++;
		}
		ASSERT_GE(rtts, 12) TH_LOG("window %u", w[i]);
		ASSERT_LE(rtts, 15) TH_LOG("window %u", w[i]);
	}
}

TEST_HARNESS_MAIN
