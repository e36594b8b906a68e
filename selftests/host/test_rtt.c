// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the xtcp RTT estimator and RTO, and the windowed
 * minimum RTT (net/xtcp/rtt.c).  The minimum runs on the kernel's
 * minmax_running_max(), which the host build gets from
 * shim/linux/win_minmax.h.
 *
 * Expected values are either worked out by hand in the comments or come
 * from RFC 6298's formulas evaluated in double precision, which only the
 * tests use.
 */
#include <math.h>

#include <linux/jiffies.h>
#include <linux/types.h>
#include <net/xtcp_rtt.h>

#include "kselftest_harness.h"
#define RNG_SEED 0x2545f4914f6cdd1dULL
#include "rng.h"

#define MS		1000U
#define SEC		1000000U
#define U32_TOP		0xffffffffU

/* RFC 6298 s.2 in doubles, with the same G, bounds and rounding up. */
struct ref {
	double srtt, rttvar, rto;
	double g;
	bool has_sample;
};

static void ref_init(struct ref *f)
{
	*f = (struct ref){ .rto = XTCP_RTO_INIT_US, .g = XTCP_RTT_G_US };
}

static void ref_sample(struct ref *f, double r)
{
	if (!f->has_sample) {
		f->srtt = r;
		f->rttvar = r / 2;
		f->has_sample = true;
	} else {
		f->rttvar = 0.75 * f->rttvar + 0.25 * fabs(f->srtt - r);
		f->srtt = 0.875 * f->srtt + 0.125 * r;
	}
	f->rto = f->srtt + fmax(f->g, 4 * f->rttvar);
	f->rto = fmin(fmax(f->rto, XTCP_RTO_MIN_US), XTCP_RTO_MAX_US);
}

/* Estimator and reference agree to within what truncation allows. */
static bool close_to_ref(const struct xtcp_rtt *r, const struct ref *f)
{
	return fabs(xtcp_rtt_srtt_us(r) - f->srtt) <= 1.5 &&
	       fabs(xtcp_rtt_rttvar_us(r) - f->rttvar) <= 2.5 &&
	       fabs(xtcp_rtt_rto(r) - f->rto) <= 10.0;
}

/* ---- the estimator ---- */

TEST(init_state)
{
	struct xtcp_rtt r;

	memset(&r, 0xa5, sizeof(r));
	xtcp_rtt_init(&r);
	ASSERT_EQ(SEC, xtcp_rtt_rto(&r));
	ASSERT_EQ(SEC, r.rto_us);
	ASSERT_EQ(0, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(0, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(0, r.backoff);
	ASSERT_FALSE(r.has_sample);
	ASSERT_EQ(XTCP_RTT_G_US, r.g_us);
}

TEST(first_sample)
{
	struct xtcp_rtt r;

	/* SRTT = R, RTTVAR = R/2, RTO = R + 4 * R/2 = 3R. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS);
	ASSERT_TRUE(r.has_sample);
	ASSERT_EQ(100 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(50 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));

	/* R/2 is kept exactly: 166666.5 us, shown rounded. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 333333);
	ASSERT_EQ(333333, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(166667, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(999999, xtcp_rtt_rto(&r));

	/* A zero RTT is a valid sample, not "no sample". */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 0);
	ASSERT_TRUE(r.has_sample);
	ASSERT_EQ(0, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));
	xtcp_rtt_sample(&r, 80 * MS);
	/* Second sample: RTTVAR = 3/4 * 0 + 80/4, SRTT = 80/8. */
	ASSERT_EQ(10 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(20 * MS, xtcp_rtt_rttvar_us(&r));
}

TEST(later_samples_by_hand)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS);
	/*
	 * R = 200 ms. RTTVAR uses the old SRTT:
	 * RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 200000| = 62500
	 * SRTT   = 7/8 * 100000 + 1/8 * 200000 = 112500
	 * RTO    = 112500 + 4 * 62500 = 362500
	 */
	xtcp_rtt_sample(&r, 200 * MS);
	ASSERT_EQ(112500, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(62500, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(362500, xtcp_rtt_rto(&r));
	/*
	 * R = 50 ms:
	 * RTTVAR = 3/4 * 62500 + 1/4 * |112500 - 50000| = 62500
	 * SRTT   = 7/8 * 112500 + 1/8 * 50000 = 104687.5
	 * RTO    = 104687.5 + 250000, rounded to 354688
	 */
	xtcp_rtt_sample(&r, 50 * MS);
	ASSERT_EQ(104688, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(62500, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(354688, xtcp_rtt_rto(&r));
}

/* A noisy series, then a level shift: the estimator tracks the RFC. */
TEST(converges_like_the_rfc)
{
	u32 rto, prev_rto, rtt;
	struct xtcp_rtt r;
	struct ref f;
	int i;

	xtcp_rtt_init(&r);
	ref_init(&f);
	for (i = 0; i < 5000; i++) {
		/* 80 .. 120 ms, with an occasional 400 ms outlier. */
		rtt = i % 97 == 13 ? 400 * MS : 80 * MS + rnd32() % (40 * MS);
		xtcp_rtt_sample(&r, rtt);
		ref_sample(&f, rtt);
		ASSERT_TRUE(close_to_ref(&r, &f))
			TH_LOG("step %d: srtt %u/%.1f rttvar %u/%.1f rto %u/%.1f",
			       i, xtcp_rtt_srtt_us(&r), f.srtt,
			       xtcp_rtt_rttvar_us(&r), f.rttvar,
			       xtcp_rtt_rto(&r), f.rto);
	}
	ASSERT_GT(xtcp_rtt_srtt_us(&r), 80 * MS);
	ASSERT_LT(xtcp_rtt_srtt_us(&r), 140 * MS);

	/*
	 * Level shift to a constant 500 ms: SRTT -> R, RTTVAR -> 0 and
	 * RTO -> R + G. RTTVAR grows fast enough on the way that the RTO
	 * never drops below the new RTT (no spurious timeouts), and once
	 * RTTVAR dominates it, the RTO only comes down.
	 */
	for (i = 0; i < 200; i++) {
		prev_rto = xtcp_rtt_rto(&r);
		xtcp_rtt_sample(&r, 500 * MS);
		ref_sample(&f, 500 * MS);
		ASSERT_TRUE(close_to_ref(&r, &f));
		rto = xtcp_rtt_rto(&r);
		ASSERT_GT(rto, 500 * MS) TH_LOG("step %d", i);
		if (i > 10 && 4 * xtcp_rtt_rttvar_us(&r) > 2 * XTCP_RTT_G_US)
			ASSERT_LT(rto, prev_rto) TH_LOG("step %d", i);
	}
	/* SRTT halves its error in ~5 samples, RTTVAR in ~2.4. */
	ASSERT_EQ(500 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(0, xtcp_rtt_rttvar_us(&r));
	ASSERT_LE(r.rttvar, 7);
	ASSERT_EQ(500 * MS + XTCP_RTT_G_US, xtcp_rtt_rto(&r));

	/* And back down to 40 ms, settling from above. */
	for (i = 0; i < 200; i++)
		xtcp_rtt_sample(&r, 40 * MS);
	ASSERT_EQ(40 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(0, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));
}

TEST(rto_floor_is_200ms)
{
	struct xtcp_rtt r;
	int i;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 1);
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));
	for (i = 0; i < 100; i++)
		xtcp_rtt_sample(&r, 10 * MS);
	ASSERT_EQ(10 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));

	/* Just above the floor: 66667 + 4 * 33333.5 = 200001. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 66667);
	ASSERT_EQ(200001, xtcp_rtt_rto(&r));
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 66666);
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));

	/* G = 200 ms makes it Linux's RTO >= SRTT + 200 ms. */
	xtcp_rtt_init(&r);
	r.g_us = XTCP_RTO_MIN_US;
	for (i = 0; i < 100; i++)
		xtcp_rtt_sample(&r, 10 * MS);
	ASSERT_EQ(210 * MS, xtcp_rtt_rto(&r));
}

TEST(rto_ceiling_is_120s)
{
	struct xtcp_rtt r;

	/* 40 s + 4 * 20 s = 120 s exactly, one more microsecond is capped. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 40 * SEC);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 40 * SEC - 1);
	ASSERT_EQ(XTCP_RTO_MAX_US - 3, xtcp_rtt_rto(&r));
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * SEC);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, r.rto_us);
	/* SRTT itself is not capped, only the RTO. */
	ASSERT_EQ(100 * SEC, xtcp_rtt_srtt_us(&r));

	/* 3R = 2^32 + 2: an RTO that went through a u32 would be 2 us. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 1431655766U);
	ASSERT_EQ(XTCP_RTO_MAX_US, r.rto_us);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
}

/* RTTs near 2^32 us (~71 min) need 40 bits in fixed point: nothing wraps. */
TEST(huge_samples_do_not_overflow)
{
	static const u32 fixed[] = { U32_TOP, 0, U32_TOP, U32_TOP - 1, 1,
				     U32_TOP, 0, 0, U32_TOP };
	struct xtcp_rtt r;
	struct ref f;
	unsigned int i;
	u32 rtt;

	xtcp_rtt_init(&r);
	ref_init(&f);
	xtcp_rtt_sample(&r, U32_TOP);
	ref_sample(&f, U32_TOP);
	ASSERT_EQ(U32_TOP, xtcp_rtt_srtt_us(&r));
	/* (2^32 - 1) / 2, rounded half up. */
	ASSERT_EQ(0x80000000U, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));

	for (i = 0; i < 20000; i++) {
		if (i < ARRAY_SIZE(fixed))
			rtt = fixed[i];
		else
			rtt = i & 1 ? U32_TOP - rnd32() % 1000 : rnd32() % 1000;
		xtcp_rtt_sample(&r, rtt);
		ref_sample(&f, rtt);
		/* Doubles hold these values to far better than 1 us. */
		ASSERT_LE(fabs(xtcp_rtt_srtt_us(&r) - f.srtt), 1.5)
			TH_LOG("step %u srtt %u ref %.1f", i,
			       xtcp_rtt_srtt_us(&r), f.srtt);
		ASSERT_LE(fabs(xtcp_rtt_rttvar_us(&r) - f.rttvar), 2.5)
			TH_LOG("step %u rttvar %u ref %.1f", i,
			       xtcp_rtt_rttvar_us(&r), f.rttvar);
		ASSERT_LE(r.srtt, (u64)U32_TOP << XTCP_RTT_FRAC_SHIFT);
		ASSERT_LE(r.rttvar, (u64)U32_TOP << XTCP_RTT_FRAC_SHIFT);
		ASSERT_GE(xtcp_rtt_rto(&r), XTCP_RTO_MIN_US);
		ASSERT_LE(xtcp_rtt_rto(&r), XTCP_RTO_MAX_US);
	}
	/* Back to small samples: recovers to the floor. */
	for (i = 0; i < 400; i++)
		xtcp_rtt_sample(&r, 5 * MS);
	ASSERT_EQ(5 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));

	/* A huge G cannot overflow either. */
	xtcp_rtt_init(&r);
	r.g_us = U32_TOP;
	xtcp_rtt_sample(&r, U32_TOP);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
}

/* ---- back-off ---- */

TEST(backoff_doubles_up_to_the_cap)
{
	static const u32 from_init[] = {
		2 * SEC, 4 * SEC, 8 * SEC, 16 * SEC, 32 * SEC, 64 * SEC,
		XTCP_RTO_MAX_US, XTCP_RTO_MAX_US, XTCP_RTO_MAX_US,
	};
	struct xtcp_rtt r;
	unsigned int i;
	u32 expect;

	/* Before any sample, from the initial 1 s (e.g. SYN retransmits). */
	xtcp_rtt_init(&r);
	for (i = 0; i < ARRAY_SIZE(from_init); i++) {
		ASSERT_EQ(from_init[i], xtcp_rtt_backoff(&r));
		ASSERT_EQ(from_init[i], xtcp_rtt_rto(&r));
	}
	ASSERT_EQ(7, r.backoff);

	/* From an RTO of 300 ms: 0.6, 1.2, ... 76.8 s, then 120 s. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS);
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));
	for (i = 1, expect = 300 * MS; i <= 8; i++) {
		expect *= 2;
		ASSERT_EQ(expect, xtcp_rtt_backoff(&r)) TH_LOG("backoff %u", i);
	}
	ASSERT_EQ(76800 * MS, expect);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
	/* The counter stops once capped, so it cannot wrap. */
	ASSERT_EQ(9, r.backoff);

	/* From the floor, 10 doublings: 200 ms * 2^9 = 102.4 s < 120 s. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 1 * MS);
	for (i = 0; i < 9; i++)
		xtcp_rtt_backoff(&r);
	ASSERT_EQ(102400 * MS, xtcp_rtt_rto(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
	ASSERT_EQ(10, r.backoff);

	/* Already at the maximum: no back-off counted. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * SEC);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
	ASSERT_EQ(0, r.backoff);

	/* A corrupted counter does not make the shift undefined. */
	r.backoff = 200;
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
}

TEST(backoff_kept_until_a_new_sample)
{
	struct xtcp_rtt r, clean;
	int i;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS);
	xtcp_rtt_sample(&r, 120 * MS);
	clean = r;

	xtcp_rtt_backoff(&r);
	xtcp_rtt_backoff(&r);
	xtcp_rtt_backoff(&r);
	ASSERT_EQ(8 * xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
	/* Reading it, or anything else short of a sample, changes nothing. */
	for (i = 0; i < 10; i++)
		ASSERT_EQ(8 * xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
	xtcp_rtt_syn_fallback(&r);
	ASSERT_EQ(8 * xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
	/* Back-off leaves SRTT and RTTVAR alone. */
	ASSERT_EQ(clean.srtt, r.srtt);
	ASSERT_EQ(clean.rttvar, r.rttvar);

	/* A sample collapses the RTO to what it would be without back-off. */
	xtcp_rtt_sample(&r, 90 * MS);
	xtcp_rtt_sample(&clean, 90 * MS);
	ASSERT_EQ(0, r.backoff);
	ASSERT_EQ(xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
	ASSERT_LT(xtcp_rtt_rto(&r), 2 * xtcp_rtt_rto(&clean));

	/* Also from the cap. */
	for (i = 0; i < 20; i++)
		xtcp_rtt_backoff(&r);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	xtcp_rtt_sample(&r, 90 * MS);
	xtcp_rtt_sample(&clean, 90 * MS);
	ASSERT_EQ(xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
}

TEST(syn_fallback_to_3s)
{
	struct xtcp_rtt r;

	/* SYN timed out twice, SYN-ACK arrived; Karn: no sample. */
	xtcp_rtt_init(&r);
	xtcp_rtt_backoff(&r);
	xtcp_rtt_backoff(&r);
	ASSERT_EQ(4 * SEC, xtcp_rtt_rto(&r));
	xtcp_rtt_syn_fallback(&r);
	ASSERT_EQ(3 * SEC, xtcp_rtt_rto(&r));
	ASSERT_EQ(0, r.backoff);
	ASSERT_FALSE(r.has_sample);
	ASSERT_EQ(6 * SEC, xtcp_rtt_backoff(&r));
	/* The first real sample replaces it. */
	xtcp_rtt_sample(&r, 100 * MS);
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));

	/* With a sample (timestamps), the measurement wins. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 50 * MS);
	xtcp_rtt_syn_fallback(&r);
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));
}

/* ---- the timeout model ---- */

/*
 * The model in closed form, the way Linux's tcp_model_timeout() puts it:
 * k = floor(log2(MAX / base)) doublings stay below the cap.
 */
static double model_closed(unsigned int n, double base)
{
	double k;

	if (base == 0)
		return 0;
	/* A base above the maximum is capped at once: no doubling. */
	k = fmax(-1, floor(log2(XTCP_RTO_MAX_US / base)));
	if (n <= k)
		return base * (pow(2, n + 1) - 1);
	return base * (pow(2, k + 1) - 1) + (n - k) * XTCP_RTO_MAX_US;
}

/* The same as the sum of each timeout, min(base * 2^i, MAX). */
static double model_sum(unsigned int n, double base)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i <= n; i++)
		sum += fmin(base * pow(2, i), XTCP_RTO_MAX_US);
	return sum;
}

TEST(model_examples)
{
	/* tcp_retries2 = 15 from 200 ms: 0.2 * 1023 + 6 * 120 = 924.6 s. */
	ASSERT_EQ(924600000ULL,
		  xtcp_rto_model_timeout_us(15, XTCP_RTO_MIN_US));
	/* tcp_retries1 = 3: 0.2 + 0.4 + 0.8 + 1.6 = 3 s. */
	ASSERT_EQ(3000000ULL, xtcp_rto_model_timeout_us(3, XTCP_RTO_MIN_US));
	/* tcp_syn_retries = 2 from 1 s: gives up after 1 + 2 + 4 = 7 s. */
	ASSERT_EQ(7000000ULL, xtcp_rto_model_timeout_us(2, XTCP_RTO_INIT_US));
	/* tcp_syn_retries = 6 (Linux's default): 127 s. */
	ASSERT_EQ(127000000ULL,
		  xtcp_rto_model_timeout_us(6, XTCP_RTO_INIT_US));
	/* 7: 127 + 120 (128 s is capped). */
	ASSERT_EQ(247000000ULL,
		  xtcp_rto_model_timeout_us(7, XTCP_RTO_INIT_US));
	/* No retransmission at all: just the first RTO. */
	ASSERT_EQ(XTCP_RTO_MIN_US,
		  xtcp_rto_model_timeout_us(0, XTCP_RTO_MIN_US));
}

TEST(model_matches_double_formula)
{
	static const u32 bases[] = {
		1, 2, 3, 1000, 199999, XTCP_RTO_MIN_US, 234375, 234376,
		333333, XTCP_RTO_INIT_US, 1875000, XTCP_RTO_FALLBACK_US,
		7000001, 60000000, 60000001, 119999999, XTCP_RTO_MAX_US,
		XTCP_RTO_MAX_US + 1, 0x80000000U, U32_TOP,
	};
	unsigned int i, n;
	double closed, sum;
	u64 got;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (n = 0; n <= 20; n++) {
			got = xtcp_rto_model_timeout_us(n, bases[i]);
			closed = model_closed(n, bases[i]);
			sum = model_sum(n, bases[i]);
			/* All integers below 2^53: the doubles are exact. */
			ASSERT_EQ(closed, sum) TH_LOG("base %u n %u", bases[i], n);
			ASSERT_EQ((u64)closed, got)
				TH_LOG("base %u n %u: %llu, expected %.0f",
				       bases[i], n, (unsigned long long)got,
				       closed);
		}
	}
}

/* The model is what the estimator's own back-off would actually do. */
TEST(model_matches_backoff_series)
{
	struct xtcp_rtt r;
	unsigned int n;
	u64 total;

	/* The SYN case: initial RTO, no sample. */
	xtcp_rtt_init(&r);
	total = xtcp_rtt_rto(&r);
	for (n = 0; n <= 20; n++) {
		ASSERT_EQ(total, xtcp_rto_model_timeout_us(n, XTCP_RTO_INIT_US))
			TH_LOG("n %u", n);
		total += xtcp_rtt_backoff(&r);
	}

	/* An established connection sitting at the 200 ms floor. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 2 * MS);
	total = xtcp_rtt_rto(&r);
	for (n = 0; n <= 20; n++) {
		ASSERT_EQ(total, xtcp_rto_model_timeout_us(n, XTCP_RTO_MIN_US))
			TH_LOG("n %u", n);
		total += xtcp_rtt_backoff(&r);
	}
}

TEST(model_extremes)
{
	/* Base 0 is 0 whatever the count, and returns at once. */
	ASSERT_EQ(0, xtcp_rto_model_timeout_us(0, 0));
	ASSERT_EQ(0, xtcp_rto_model_timeout_us(~0U, 0));
	/* Base at or above the maximum: every timeout is the maximum. */
	ASSERT_EQ(3ULL * XTCP_RTO_MAX_US,
		  xtcp_rto_model_timeout_us(2, U32_TOP));
	ASSERT_EQ((1ULL << 32) * XTCP_RTO_MAX_US,
		  xtcp_rto_model_timeout_us(~0U, U32_TOP));
	/* The largest count from 200 ms: 9 doublings, then linear. */
	ASSERT_EQ(204600000ULL + (0xffffffffULL - 9) * XTCP_RTO_MAX_US,
		  xtcp_rto_model_timeout_us(~0U, XTCP_RTO_MIN_US));
	/* From 1 us: 2^27 - 1 us over 27 doublings (2^26 < 120 s < 2^27). */
	ASSERT_EQ((1ULL << 27) - 1 + 4ULL * XTCP_RTO_MAX_US,
		  xtcp_rto_model_timeout_us(30, 1));
}

/* ---- the windowed minimum RTT ---- */

/* Linux's default window, net.ipv4.tcp_min_rtt_wlen 300 s, in jiffies. */
#define WLEN		(300U * HZ)

TEST(min_rtt_none_before_a_sample)
{
	struct xtcp_rtt r;

	memset(&r, 0xa5, sizeof(r));
	xtcp_rtt_init(&r);
	ASSERT_EQ(U32_TOP, xtcp_rtt_min_us(&r));
	/* A zeroed estimator (a copy made with = {}) says the same. */
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(U32_TOP, xtcp_rtt_min_us(&r));
	/* The first sample is the minimum, whatever the times. */
	xtcp_rtt_min_sample(&r, 700, 12345, WLEN);
	ASSERT_EQ(700, xtcp_rtt_min_us(&r));
	/* So is a first sample of the largest value. */
	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, U32_TOP, 1, WLEN);
	ASSERT_EQ(U32_TOP, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, U32_TOP - 1, 2, WLEN);
	ASSERT_EQ(U32_TOP - 1, xtcp_rtt_min_us(&r));
}

TEST(min_rtt_takes_a_new_minimum_at_once)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 500, 0, WLEN);
	xtcp_rtt_min_sample(&r, 800, 10, WLEN);
	ASSERT_EQ(500, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 400, 20, WLEN);
	ASSERT_EQ(400, xtcp_rtt_min_us(&r));
	/* An equal sample keeps the value (and restarts its age). */
	xtcp_rtt_min_sample(&r, 400, 30, WLEN);
	ASSERT_EQ(400, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 401, 40, WLEN);
	ASSERT_EQ(400, xtcp_rtt_min_us(&r));
	/* The estimator proper is a separate thing: untouched. */
	ASSERT_FALSE(r.has_sample);
	ASSERT_EQ(0, xtcp_rtt_srtt_us(&r));
}

/* The minimum ages out after the window: at exactly @win it still
 * counts, one tick later the best sample taken in the later part of the
 * window (the filter's 2nd choice, from after its first quarter) takes
 * over, and when the window holds nothing but the new sample, it alone.
 */
TEST(min_rtt_window_expiry)
{
	const u32 win = 1000;
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, 0, win);
	xtcp_rtt_min_sample(&r, 200, 300, win);	/* after win / 4 */
	xtcp_rtt_min_sample(&r, 300, 600, win);	/* after win / 2 */
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 400, win, win);
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 400, win + 1, win);
	ASSERT_EQ(200, xtcp_rtt_min_us(&r));
	/* 200 (taken at 300) ages out at 1301: 300 (at 600) is next. */
	xtcp_rtt_min_sample(&r, 450, 1301, win);
	ASSERT_EQ(300, xtcp_rtt_min_us(&r));

	/* Nothing else in the window: the new sample, even a larger one. */
	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, 0, win);
	xtcp_rtt_min_sample(&r, 900, 5 * win, win);
	ASSERT_EQ(900, xtcp_rtt_min_us(&r));

	/* Linux's default window, in jiffies: 300 s at HZ. */
	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, 0, WLEN);
	xtcp_rtt_min_sample(&r, 5000, WLEN, WLEN);
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 5000, WLEN + 1, WLEN);
	ASSERT_EQ(5000, xtcp_rtt_min_us(&r));

	/* A window of 0 (tcp_min_rtt_wlen 0): only this tick's samples. */
	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, 7, 0);
	xtcp_rtt_min_sample(&r, 300, 7, 0);
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 300, 8, 0);
	ASSERT_EQ(300, xtcp_rtt_min_us(&r));
}

/* A sample of 0 us is below the clock's resolution: Linux feeds one
 * jiffy's worth instead (jiffies_to_usecs(1)), so it is not ignored but
 * does not make the minimum 0 either.
 */
TEST(min_rtt_zero_sample_is_one_jiffy)
{
	const u32 jiffy_us = 1000000U / HZ;
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 0, 0, WLEN);
	ASSERT_EQ(jiffy_us, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, jiffy_us + 1, 1, WLEN);
	ASSERT_EQ(jiffy_us, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 50, 2, WLEN);
	ASSERT_EQ(50, xtcp_rtt_min_us(&r));
	/* Below a smaller minimum it changes nothing. */
	xtcp_rtt_min_sample(&r, 0, 3, WLEN);
	ASSERT_EQ(50, xtcp_rtt_min_us(&r));
}

/* The time base is a wrapping u32 (tcp_jiffies32): ages are unsigned
 * differences, so a window that spans the wrap works as any other.
 */
TEST(min_rtt_time_base_wraps)
{
	const u32 win = 1000, t0 = U32_TOP - 300;
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, t0, win);
	xtcp_rtt_min_sample(&r, 200, t0 + 400, win);	/* wrapped: 99 */
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 300, t0 + win, win);
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 300, t0 + win + 1, win);
	ASSERT_EQ(200, xtcp_rtt_min_us(&r));
	/* Far past the wrap, with nothing in the window: the new sample. */
	xtcp_rtt_min_sample(&r, 700, t0 + 10 * win, win);
	ASSERT_EQ(700, xtcp_rtt_min_us(&r));
	/* A time just after the wrap is not "before" one just before it. */
	xtcp_rtt_init(&r);
	xtcp_rtt_min_sample(&r, 100, U32_TOP, win);
	xtcp_rtt_min_sample(&r, 150, 0, win);
	xtcp_rtt_min_sample(&r, 150, win - 1, win);
	ASSERT_EQ(100, xtcp_rtt_min_us(&r));
	xtcp_rtt_min_sample(&r, 150, win, win);
	ASSERT_EQ(150, xtcp_rtt_min_us(&r));
}

/* Against a record of every sample, over random series (times advancing
 * by random steps across the u32 wrap): the result is always a sample
 * of the window (an age of at most @win), so never below the true
 * minimum of the window, and never above the latest sample.
 */
TEST(min_rtt_is_a_sample_of_the_window)
{
	enum { N = 4000 };
	static u32 ts[N], vs[N];
	const u32 win = 1000;
	struct xtcp_rtt r;
	int run, i, j;

	for (run = 0; run < 50; run++) {
		u32 t = U32_TOP - 20000 + rnd32() % 10000;

		xtcp_rtt_init(&r);
		for (i = 0; i < N; i++) {
			u32 got, truemin = U32_TOP;
			bool found = false;

			t += rnd32() % (run % 2 ? 50 : 400);
			ts[i] = t;
			vs[i] = 100 + rnd32() % 1000;
			xtcp_rtt_min_sample(&r, vs[i], t, win);
			got = xtcp_rtt_min_us(&r);
			for (j = i; j >= 0 && t - ts[j] <= win; j--) {
				if (vs[j] < truemin)
					truemin = vs[j];
				if (vs[j] == got)
					found = true;
			}
			ASSERT_TRUE(found)
				TH_LOG("run %d sample %d: %u not in the window",
				       run, i, got);
			ASSERT_GE(got, truemin);
			ASSERT_LE(got, vs[i]);
		}
	}
}

TEST_HARNESS_MAIN
