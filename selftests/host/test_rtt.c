// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the xtcp RTT estimator and RTO, and the windowed
 * minimum RTT (net/xtcp/rtt.c).  The minimum runs on the kernel's
 * minmax_running_max(), which the host build gets from
 * shim/linux/win_minmax.h.
 *
 * Expected values are worked out by hand in the comments from Linux 6.1's
 * tcp_rtt_estimator() and tcp_set_rto() (srtt_us is 8 SRTT, mdev_us 4
 * times the mean deviation, RTO = SRTT + rttvar rounded up to a jiffy,
 * 4 ms at the shim's HZ 250), or come from a reference model of those
 * rules in 64-bit arithmetic, which only the tests use.
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
#define JIFFY_US	(1000000U / HZ)

/* Each sample acknowledges new data past the last rtt_seq: a new RTT. */
static u32 next_seq = 1000;

static void sample(struct xtcp_rtt *r, u32 rtt_us)
{
	next_seq += 1000;
	xtcp_rtt_sample(r, rtt_us, next_seq, next_seq);
}

/* Linux's rules again, in signed 64 bits, one step at a time. */
struct ref {
	s64 srtt, mdev, mdev_max, rttvar;
	u32 rtt_seq;
	u64 rto;
};

static void ref_init(struct ref *f)
{
	*f = (struct ref){ .rto = XTCP_RTO_INIT_US };
}

static void ref_sample(struct ref *f, u32 rtt, u32 una, u32 nxt)
{
	s64 m = rtt > XTCP_RTT_SAMPLE_MAX_US ? XTCP_RTT_SAMPLE_MAX_US : rtt;
	s64 err;

	if (!f->srtt) {
		f->srtt = 8 * m;
		f->mdev = 2 * m;
		f->rttvar = f->mdev > XTCP_RTO_MIN_US ? f->mdev : XTCP_RTO_MIN_US;
		f->mdev_max = f->rttvar;
		f->rtt_seq = nxt;
	} else {
		err = m - f->srtt / 8;
		f->srtt += err;
		if (err < 0 && -err > f->mdev / 4)
			f->mdev += (-err - f->mdev / 4) / 8;
		else
			f->mdev += (err < 0 ? -err : err) - f->mdev / 4;
		if (f->mdev > f->mdev_max)
			f->mdev_max = f->mdev;
		if (f->mdev_max > f->rttvar)
			f->rttvar = f->mdev_max;
		if ((s32)(una - f->rtt_seq) > 0) {
			f->rttvar -= (f->rttvar - f->mdev_max) / 4;
			f->rtt_seq = nxt;
			f->mdev_max = XTCP_RTO_MIN_US;
		}
	}
	if (!f->srtt)
		f->srtt = 1;
	f->rto = f->srtt / 8 + f->rttvar;
	if (f->rto > XTCP_RTO_MAX_US)
		f->rto = XTCP_RTO_MAX_US;
	f->rto = (f->rto + JIFFY_US - 1) / JIFFY_US * JIFFY_US;
}

static bool same_as_ref(const struct xtcp_rtt *r, const struct ref *f)
{
	return r->srtt_us == f->srtt && r->mdev_us == f->mdev &&
	       r->mdev_max_us == f->mdev_max && r->rttvar_us == f->rttvar &&
	       r->rtt_seq == f->rtt_seq && xtcp_rtt_rto(r) == f->rto;
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
	ASSERT_FALSE(xtcp_rtt_has_sample(&r));
}

TEST(first_sample)
{
	struct xtcp_rtt r;

	/*
	 * srtt_us = 8m, mdev_us = 2m, rttvar = max(2m, 200 ms): RTO is
	 * m + max(2m, 200 ms); from 100 ms on that is 3m.
	 */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);
	ASSERT_TRUE(xtcp_rtt_has_sample(&r));
	ASSERT_EQ(800 * MS, r.srtt_us);
	ASSERT_EQ(100 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(200 * MS, r.mdev_us);
	ASSERT_EQ(50 * MS, xtcp_rtt_mdev_us(&r));
	ASSERT_EQ(200 * MS, r.mdev_max_us);
	ASSERT_EQ(200 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(1000, r.rtt_seq);
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));

	/*
	 * 50 ms: mdev_us 100 ms, rttvar at its 200 ms floor: 250 ms,
	 * which is 62.5 jiffies at HZ 250: 252 ms, as Linux's icsk_rto.
	 */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 50 * MS, 1, 1000);
	ASSERT_EQ(100 * MS, r.mdev_us);
	ASSERT_EQ(200 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(200 * MS, r.mdev_max_us);
	ASSERT_EQ(252 * MS, xtcp_rtt_rto(&r));

	/* 333333 + 666666 = 999999 us, rounded up to a jiffy: 1 s. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 333333, 1, 1000);
	ASSERT_EQ(333333, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(666666, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(SEC, xtcp_rtt_rto(&r));

	/* A zero RTT is a valid sample: srtt_us is kept at least 1. */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 0, 1, 1000);
	ASSERT_TRUE(xtcp_rtt_has_sample(&r));
	ASSERT_EQ(1, r.srtt_us);
	ASSERT_EQ(0, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));
	/* Second sample: srtt_us = 1 - 0 + 80000, mdev_us = 80000. */
	xtcp_rtt_sample(&r, 80 * MS, 1, 1000);
	ASSERT_EQ(80001, r.srtt_us);
	ASSERT_EQ(10000, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(80 * MS, r.mdev_us);
}

TEST(rising_step)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);
	/*
	 * 500 ms, still in the first RTT (SND.UNA 1000 is not past
	 * rtt_seq 1000):
	 * error  = 500000 - 800000 / 8 = 400000
	 * srtt_us = 800000 + 400000 = 1200000 (SRTT 150 ms)
	 * mdev_us = 200000 + 400000 - 200000 / 4 = 550000
	 * mdev_max_us and rttvar rise with it at once: 550000
	 * RTO = 150000 + 550000 = 700 ms (RFC 6298 would say 475 ms).
	 */
	xtcp_rtt_sample(&r, 500 * MS, 1000, 1000);
	ASSERT_EQ(1200 * MS, r.srtt_us);
	ASSERT_EQ(550 * MS, r.mdev_us);
	ASSERT_EQ(550 * MS, r.mdev_max_us);
	ASSERT_EQ(550 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(1000, r.rtt_seq);
	ASSERT_EQ(700 * MS, xtcp_rtt_rto(&r));

	/*
	 * 190 ms after 100 ms, an error of +90 ms:
	 * srtt_us = 800000 + 90000 = 890000 (111250 us)
	 * mdev_us = 200000 + 90000 - 50000 = 240000 = rttvar
	 * RTO = 351250, rounded up to a jiffy: 352000.
	 */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);
	xtcp_rtt_sample(&r, 190 * MS, 500, 1000);
	ASSERT_EQ(890 * MS, r.srtt_us);
	ASSERT_EQ(240 * MS, r.mdev_us);
	ASSERT_EQ(240 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(352 * MS, xtcp_rtt_rto(&r));
}

TEST(falling_step_asymmetric_gain)
{
	struct xtcp_rtt r;

	/*
	 * 10 ms after 100 ms, an error of -90 ms, more than the mean
	 * deviation (200000 / 4): the deviation moves by an eighth of its
	 * 1/4-gain step:
	 * srtt_us = 800000 - 90000 = 710000 (88750 us)
	 * mdev_us = 200000 + (90000 - 50000) / 8 = 205000
	 * (with the 1/4 gain of a rise it would be 240000, see
	 * rising_step); mdev_max and rttvar rise to 205000.
	 * RTO = 88750 + 205000 = 293750, a jiffy multiple up: 296000.
	 */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);
	xtcp_rtt_sample(&r, 10 * MS, 500, 1000);
	ASSERT_EQ(710 * MS, r.srtt_us);
	ASSERT_EQ(88750, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(205 * MS, r.mdev_us);
	ASSERT_EQ(205 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(296 * MS, xtcp_rtt_rto(&r));

	/*
	 * 80 ms after 100 ms: the error, -20 ms, is within the mean
	 * deviation, so the full gain applies and the deviation falls:
	 * srtt_us = 780000, mdev_us = 200000 + 20000 - 50000 = 170000;
	 * mdev_max stays 200000, and so does rttvar.
	 * RTO = 97500 + 200000 = 297500 -> 300000.
	 */
	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);
	xtcp_rtt_sample(&r, 80 * MS, 500, 1000);
	ASSERT_EQ(780 * MS, r.srtt_us);
	ASSERT_EQ(170 * MS, r.mdev_us);
	ASSERT_EQ(200 * MS, r.mdev_max_us);
	ASSERT_EQ(200 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));
}

TEST(rttvar_decays_once_per_rtt)
{
	struct xtcp_rtt r;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 100 * MS, 1, 1000);		/* rtt_seq 1000 */
	/*
	 * 600 ms: srtt_us 800000 + 500000 = 1300000 (162500 us),
	 * mdev_us 200000 + 500000 - 50000 = 650000 = mdev_max = rttvar.
	 * RTO 812500 -> 816000.
	 */
	xtcp_rtt_sample(&r, 600 * MS, 500, 1000);
	ASSERT_EQ(1300 * MS, r.srtt_us);
	ASSERT_EQ(650 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(816 * MS, xtcp_rtt_rto(&r));
	/*
	 * 100 ms, SND.UNA 1000, not past rtt_seq: same RTT, no decay.
	 * error -62500, within mdev_us / 4 = 162500:
	 * srtt_us 1237500, mdev_us 650000 - 162500 + 62500 = 550000.
	 * rttvar stays 650000: RTO 154687 + 650000 -> 808000.
	 */
	xtcp_rtt_sample(&r, 100 * MS, 1000, 1000);
	ASSERT_EQ(1237500, r.srtt_us);
	ASSERT_EQ(550 * MS, r.mdev_us);
	ASSERT_EQ(650 * MS, r.mdev_max_us);
	ASSERT_EQ(650 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(1000, r.rtt_seq);
	ASSERT_EQ(808 * MS, xtcp_rtt_rto(&r));
	/*
	 * SND.UNA 1001 passes rtt_seq: the RTT ends.  error 100000 -
	 * 154687 = -54687: srtt_us 1182813, mdev_us 550000 - 137500 +
	 * 54687 = 467187.  rttvar decays towards this RTT's mdev_max,
	 * 650000, which it equals: no change.  A new RTT begins at
	 * SND.NXT 5000 with mdev_max at the 200 ms floor.
	 * RTO 147851 + 650000 -> 800000.
	 */
	xtcp_rtt_sample(&r, 100 * MS, 1001, 5000);
	ASSERT_EQ(1182813, r.srtt_us);
	ASSERT_EQ(467187, r.mdev_us);
	ASSERT_EQ(650 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(5000, r.rtt_seq);
	ASSERT_EQ(200 * MS, r.mdev_max_us);
	ASSERT_EQ(800 * MS, xtcp_rtt_rto(&r));
	/*
	 * Within the RTT: error 100000 - 147851 = -47851, srtt_us
	 * 1134962, mdev_us 467187 - 116796 + 47851 = 398242, the new
	 * mdev_max; rttvar, higher, stays.  RTO 141870 + 650000 -> 792000.
	 */
	xtcp_rtt_sample(&r, 100 * MS, 2000, 5000);
	ASSERT_EQ(1134962, r.srtt_us);
	ASSERT_EQ(398242, r.mdev_max_us);
	ASSERT_EQ(650 * MS, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(792 * MS, xtcp_rtt_rto(&r));
	/*
	 * SND.UNA 5001 ends it: error -41870, srtt_us 1093092, mdev_us
	 * 398242 - 99560 + 41870 = 340552; rttvar falls a quarter of the
	 * way to mdev_max: 650000 - (650000 - 398242) / 4 = 587061.
	 * RTO 136636 + 587061 = 723697 -> 724000.
	 */
	xtcp_rtt_sample(&r, 100 * MS, 5001, 9000);
	ASSERT_EQ(1093092, r.srtt_us);
	ASSERT_EQ(340552, r.mdev_us);
	ASSERT_EQ(587061, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(9000, r.rtt_seq);
	ASSERT_EQ(724 * MS, xtcp_rtt_rto(&r));
}

/* Samples within one RTT never lower rttvar, however small they are;
 * a drop far below SRTT even raises the deviation a little (gain 1/32).
 */
TEST(no_decay_within_an_rtt)
{
	struct xtcp_rtt r;
	u32 prev;
	int i;

	xtcp_rtt_init(&r);
	xtcp_rtt_sample(&r, 1 * SEC, 1, 100000);
	ASSERT_EQ(2 * SEC, xtcp_rtt_rttvar_us(&r));
	ASSERT_EQ(3 * SEC, xtcp_rtt_rto(&r));
	/*
	 * 10 ms: error -990000, beyond mdev_us / 4 = 500000: mdev_us
	 * 2000000 + 490000 / 8 = 2061250, and rttvar with it.
	 */
	xtcp_rtt_sample(&r, 10 * MS, 2, 100000);
	ASSERT_EQ(2061250, xtcp_rtt_rttvar_us(&r));
	for (i = 0, prev = 0; i < 200; i++) {
		xtcp_rtt_sample(&r, 10 * MS, 3 + i, 100000);
		ASSERT_GE(xtcp_rtt_rttvar_us(&r), prev);
		prev = xtcp_rtt_rttvar_us(&r);
	}
	ASSERT_EQ(r.mdev_max_us, xtcp_rtt_rttvar_us(&r));
	/* SRTT has come down to the samples; the RTO has not. */
	ASSERT_EQ(10 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_GT(xtcp_rtt_rto(&r), 2 * SEC);
	/*
	 * The RTT ends: rttvar equals its mdev_max, so it stays.  In the
	 * next ones the deviation of 10 ms samples is next to nothing, so
	 * mdev_max is its 200 ms floor, and rttvar falls by a quarter of
	 * its distance to that each RTT.
	 */
	xtcp_rtt_sample(&r, 10 * MS, 100001, 200000);
	ASSERT_EQ(prev, xtcp_rtt_rttvar_us(&r));
	xtcp_rtt_sample(&r, 10 * MS, 200001, 300000);
	ASSERT_LT(r.mdev_us, 10);
	ASSERT_EQ(prev - (prev - XTCP_RTO_MIN_US) / 4,
		  xtcp_rtt_rttvar_us(&r));
}

/* The 1 s path of the measurements: RTO from 3 s down by the quarter
 * rule, where RFC 6298 would give 1.84, 1.56 and 1.42 s.
 */
TEST(one_second_path)
{
	static const u32 want[] = { 3000 * MS, 3000 * MS, 2784 * MS,
				    2548 * MS, 2320 * MS };
	struct xtcp_rtt r;
	unsigned int i;

	xtcp_rtt_init(&r);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		sample(&r, 1 * SEC);
		ASSERT_EQ(want[i], xtcp_rtt_rto(&r)) TH_LOG("sample %u", i);
	}
}

TEST(rto_floor_is_srtt_plus_200ms)
{
	struct ref f;
	struct xtcp_rtt r;
	int i;

	/*
	 * Constant 12 ms: rttvar settles at 200 ms (the quarter steps
	 * stop within 3 us of it), RTO at 212 ms.
	 */
	xtcp_rtt_init(&r);
	for (i = 0; i < 100; i++)
		sample(&r, 12 * MS);
	ASSERT_EQ(12 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_GE(xtcp_rtt_rttvar_us(&r), XTCP_RTO_MIN_US);
	ASSERT_LE(xtcp_rtt_rttvar_us(&r), XTCP_RTO_MIN_US + 3);
	ASSERT_EQ(212 * MS, xtcp_rtt_rto(&r));

	/* Only an SRTT below a microsecond gives the bare 200 ms. */
	xtcp_rtt_init(&r);
	for (i = 0; i < 100; i++)
		sample(&r, 0);
	ASSERT_EQ(XTCP_RTO_MIN_US, xtcp_rtt_rto(&r));

	/* rttvar never goes below the floor, whatever the samples. */
	xtcp_rtt_init(&r);
	ref_init(&f);
	for (i = 0; i < 20000; i++) {
		u32 rtt = rnd32() % (i % 3 ? 5 * MS : 400 * MS);
		u32 una = next_seq + rnd32() % 3000;

		next_seq += 1000;
		xtcp_rtt_sample(&r, rtt, una, next_seq);
		ref_sample(&f, rtt, una, next_seq);
		ASSERT_TRUE(same_as_ref(&r, &f)) TH_LOG("step %d", i);
		ASSERT_GE(xtcp_rtt_rttvar_us(&r), XTCP_RTO_MIN_US);
		ASSERT_GE(xtcp_rtt_rto(&r),
			  xtcp_rtt_srtt_us(&r) + XTCP_RTO_MIN_US);
		ASSERT_EQ(0, xtcp_rtt_rto(&r) % JIFFY_US);
	}
}

TEST(rto_ceiling_is_120s)
{
	struct xtcp_rtt r;

	/* 40 s + 80 s = 120 s exactly; 39 s: 117 s. */
	xtcp_rtt_init(&r);
	sample(&r, 40 * SEC);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	xtcp_rtt_init(&r);
	sample(&r, 39 * SEC);
	ASSERT_EQ(117 * SEC, xtcp_rtt_rto(&r));
	xtcp_rtt_init(&r);
	sample(&r, 100 * SEC);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, r.rto_us);
	/* SRTT itself is not capped at the RTO's maximum, only the RTO. */
	ASSERT_EQ(100 * SEC, xtcp_rtt_srtt_us(&r));

	/* A sample beyond XTCP_RTT_SAMPLE_MAX_US counts as that. */
	xtcp_rtt_init(&r);
	sample(&r, U32_TOP);
	ASSERT_EQ(XTCP_RTT_SAMPLE_MAX_US, xtcp_rtt_srtt_us(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, r.rto_us);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
}

/* Samples up to 2^32 - 1 us: nothing wraps, the reference agrees. */
TEST(huge_samples_do_not_overflow)
{
	static const u32 fixed[] = { U32_TOP, 0, U32_TOP, U32_TOP - 1, 1,
				     U32_TOP, 0, 0, U32_TOP };
	struct xtcp_rtt r;
	struct ref f;
	unsigned int i;
	u32 rtt, una;

	xtcp_rtt_init(&r);
	ref_init(&f);
	for (i = 0; i < 20000; i++) {
		if (i < ARRAY_SIZE(fixed))
			rtt = fixed[i];
		else
			rtt = i & 1 ? U32_TOP - rnd32() % 1000 : rnd32() % 1000;
		una = next_seq + rnd32() % 3000;
		next_seq += 1000;
		xtcp_rtt_sample(&r, rtt, una, next_seq);
		ref_sample(&f, rtt, una, next_seq);
		ASSERT_TRUE(same_as_ref(&r, &f))
			TH_LOG("step %u: srtt %u/%lld rttvar %u/%lld", i,
			       r.srtt_us, (long long)f.srtt, r.rttvar_us,
			       (long long)f.rttvar);
		ASSERT_GE(xtcp_rtt_rto(&r), XTCP_RTO_MIN_US);
		ASSERT_LE(xtcp_rtt_rto(&r), XTCP_RTO_MAX_US);
	}
	/*
	 * Back to small samples: down to SRTT + 200 ms, give or take the
	 * 3 us the quarter steps of rttvar stop short of its floor (one
	 * more jiffy for the RTO).
	 */
	for (i = 0; i < 400; i++)
		sample(&r, 4 * MS);
	ASSERT_EQ(4 * MS, xtcp_rtt_srtt_us(&r));
	ASSERT_LE(xtcp_rtt_rttvar_us(&r), XTCP_RTO_MIN_US + 3);
	ASSERT_LE(xtcp_rtt_rto(&r), 208 * MS);
	ASSERT_GE(xtcp_rtt_rto(&r), 204 * MS);
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
	sample(&r, 100 * MS);
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
	sample(&r, 0);
	for (i = 0; i < 9; i++)
		xtcp_rtt_backoff(&r);
	ASSERT_EQ(102400 * MS, xtcp_rtt_rto(&r));
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_backoff(&r));
	ASSERT_EQ(10, r.backoff);

	/* Already at the maximum: no back-off counted. */
	xtcp_rtt_init(&r);
	sample(&r, 100 * SEC);
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
	sample(&r, 100 * MS);
	sample(&r, 120 * MS);
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
	/* Back-off leaves the estimator alone. */
	ASSERT_EQ(clean.srtt_us, r.srtt_us);
	ASSERT_EQ(clean.mdev_us, r.mdev_us);
	ASSERT_EQ(clean.rttvar_us, r.rttvar_us);

	/* A sample collapses the RTO to what it would be without back-off. */
	xtcp_rtt_sample(&r, 90 * MS, next_seq + 1, next_seq + 1);
	xtcp_rtt_sample(&clean, 90 * MS, next_seq + 1, next_seq + 1);
	ASSERT_EQ(0, r.backoff);
	ASSERT_EQ(xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
	ASSERT_LT(xtcp_rtt_rto(&r), 2 * xtcp_rtt_rto(&clean));

	/* Also from the cap. */
	for (i = 0; i < 20; i++)
		xtcp_rtt_backoff(&r);
	ASSERT_EQ(XTCP_RTO_MAX_US, xtcp_rtt_rto(&r));
	xtcp_rtt_sample(&r, 90 * MS, next_seq + 2, next_seq + 2);
	xtcp_rtt_sample(&clean, 90 * MS, next_seq + 2, next_seq + 2);
	ASSERT_EQ(xtcp_rtt_rto(&clean), xtcp_rtt_rto(&r));
}

/* A thin stream's timeouts (Linux's linear timeouts): after any
 * back-off, the RTO of the last sample again, and again.
 */
TEST(linear_drops_the_backoff)
{
	struct xtcp_rtt r;
	int i;

	xtcp_rtt_init(&r);
	sample(&r, 100 * MS);
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));
	ASSERT_EQ(600 * MS, xtcp_rtt_backoff(&r));
	ASSERT_EQ(1200 * MS, xtcp_rtt_backoff(&r));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(300 * MS, xtcp_rtt_linear(&r));
		ASSERT_EQ(0, r.backoff);
		ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));
	}
	/* Back to doubling from there. */
	ASSERT_EQ(600 * MS, xtcp_rtt_backoff(&r));
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
	ASSERT_FALSE(xtcp_rtt_has_sample(&r));
	ASSERT_EQ(6 * SEC, xtcp_rtt_backoff(&r));
	/* The first real sample replaces all of it (tcp_init_metrics()'s
	 * 3 s deviation terms included): 100 + 200 ms.
	 */
	sample(&r, 100 * MS);
	ASSERT_EQ(300 * MS, xtcp_rtt_rto(&r));
	ASSERT_EQ(200 * MS, xtcp_rtt_rttvar_us(&r));

	/* With a sample (timestamps), the measurement wins. */
	xtcp_rtt_init(&r);
	sample(&r, 50 * MS);
	xtcp_rtt_syn_fallback(&r);
	ASSERT_EQ(252 * MS, xtcp_rtt_rto(&r));
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

	/* An established connection at the bare 200 ms (SRTT under 1 us). */
	xtcp_rtt_init(&r);
	sample(&r, 0);
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
	ASSERT_FALSE(xtcp_rtt_has_sample(&r));
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
