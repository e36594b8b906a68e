// SPDX-License-Identifier: GPL-2.0
/*
 * The rate-based example congestion control (net/xtcp/cong_bdp.c) driven
 * by hand-made delivery-rate samples through ->cong_control: startup
 * doubling, the bandwidth filter, the end of startup, cwnd at twice the
 * bandwidth-delay product, what app-limited and invalid samples do, and
 * ->set_state.
 */
#include <linux/types.h>
#include <net/xtcp_cong.h>

#include "kselftest_harness.h"

#define MIN_RTT	20000U	/* us */

struct path {
	struct xtcp_cong ca;
	u32 delivered;		/* the connection's count */
	u64 now_us;
};

static void path_init(struct path *p)
{
	xtcp_cong_state_init(&p->ca, 10, 100000, 1448);
	xtcp_cong_bdp.init(&p->ca, 0);
	p->delivered = 0;
	p->now_us = 1000000;
}

/* One round: the whole cwnd delivered in up to 10 ACKs, each with a
 * sample of @seg_per_s over min_rtt, app-limited if @app.
 */
static void path_round(struct path *p, u32 seg_per_s, bool app)
{
	u32 cwnd = p->ca.cwnd, i, prior = p->delivered;
	u32 n = cwnd < 10 ? cwnd : 10, each = cwnd / n;

	for (i = 0; i < n; i++) {
		u32 got = i == n - 1 ? cwnd - each * (n - 1) : each;
		struct xtcp_rate_sample rs = {
			.prior_delivered = prior,
			.acked_sacked = got,
			.is_app_limited = app,
		};
		struct xtcp_cong_conn conn = {
			.min_rtt_us = MIN_RTT,
		};

		p->delivered += got;
		/* As a sender's samples are: what the path delivered in
		 * the min_rtt before this ACK, at @seg_per_s.
		 */
		rs.delivered = (s32)((u64)seg_per_s * MIN_RTT / 1000000);
		if (rs.delivered < 1)
			rs.delivered = 1;
		rs.interval_us = MIN_RTT;
		p->now_us += MIN_RTT / n;
		conn.now_us = p->now_us;
		conn.delivered = p->delivered;
		xtcp_cong_bdp.cong_control(&p->ca, &rs, &conn);
	}
}

/* Startup over: twelve rounds through a bottleneck of 2000 segments/s. */
static void path_full(struct path *p)
{
	u32 r;

	path_init(p);
	for (r = 0; r < 12; r++)
		path_round(p, 2000, false);
}

static u64 bw(struct path *p, bool *full, u32 *rounds, u32 *losses)
{
	u64 v;

	xtcp_bdp_get_info(&p->ca, &v, full, rounds, losses);
	return v;
}

/* Registration needs no cong_avoid with cong_control. */
TEST(hooks)
{
	ASSERT_EQ(NULL, xtcp_cong_bdp.cong_avoid);
	ASSERT_NE(NULL, xtcp_cong_bdp.cong_control);
	ASSERT_NE(NULL, xtcp_cong_bdp.set_state);
}

/* 10 -> 20 -> 40 ...: every delivered segment adds one while the
 * bandwidth keeps growing (the samples are bounded by what was sent).
 */
TEST(startup_doubles)
{
	struct path p;
	bool full;
	u32 r, rounds, losses;

	path_init(&p);
	for (r = 0; r < 4; r++) {
		u32 before = p.ca.cwnd;

		/* A rate just large enough for the whole flight in min_rtt. */
		path_round(&p, before * 1000000 / MIN_RTT, false);
		ASSERT_EQ(2 * before, p.ca.cwnd) TH_LOG("round %u", r);
	}
	bw(&p, &full, &rounds, &losses);
	ASSERT_FALSE(full);
	ASSERT_EQ(4, rounds);
}

/* A fixed bottleneck of 2000 segments/s and min_rtt 20 ms: a BDP of 40
 * segments.  Startup stops growing the bandwidth, ends after three
 * rounds without a quarter more, and cwnd comes down to twice the BDP
 * (within 4 segments: the bandwidth is kept in fixed point, rounded down,
 * and the BDP in whole segments before the gain).
 */
TEST(bottleneck_gives_twice_the_bdp)
{
	struct path p;
	bool full;
	u32 r, rounds, losses;
	u64 b;

	path_full(&p);
	b = bw(&p, &full, &rounds, &losses);
	ASSERT_TRUE(full);
	ASSERT_GE(b, 1990);
	ASSERT_LE(b, 2000);
	ASSERT_GE(p.ca.cwnd, 76);
	ASSERT_LE(p.ca.cwnd, 80);
	/* And it stays there. */
	for (r = 0; r < 5; r++)
		path_round(&p, 2000, false);
	ASSERT_LE(p.ca.cwnd, 80);
	ASSERT_GE(p.ca.cwnd, 76);
}

/* Slower app-limited samples leave the bandwidth alone. */
TEST(app_limited_slower_ignored)
{
	struct path p;
	bool full;
	u32 r, rounds, losses;

	path_full(&p);
	for (r = 0; r < 3; r++)
		path_round(&p, 500, true);
	ASSERT_GE(bw(&p, &full, &rounds, &losses), 1990);
	ASSERT_GE(p.ca.cwnd, 76);
}

/* Rounds that were application-limited do not end startup, however flat
 * the bandwidth they show (BBR's full-pipe test skips them).
 */
TEST(app_limited_rounds_do_not_end_startup)
{
	struct path p;
	bool full;
	u32 r, rounds, losses;

	path_init(&p);
	for (r = 0; r < 8; r++)
		path_round(&p, 500, true);
	bw(&p, &full, &rounds, &losses);
	ASSERT_FALSE(full);
	ASSERT_EQ(8, rounds);
}

/* No valid sample: no bandwidth, no round, and cwnd still grows by what
 * was delivered (startup).
 */
TEST(invalid_sample)
{
	struct xtcp_rate_sample rs = { .delivered = -1, .interval_us = -1,
				       .acked_sacked = 3 };
	struct xtcp_cong_conn conn = { .min_rtt_us = ~0U, .delivered = 3 };
	struct path p;
	bool full;
	u32 rounds, losses;

	path_init(&p);
	xtcp_cong_bdp.cong_control(&p.ca, &rs, &conn);
	ASSERT_EQ(13, p.ca.cwnd);
	ASSERT_EQ(0, bw(&p, &full, &rounds, &losses));
	ASSERT_EQ(0, rounds);
}

TEST(loss_changes_nothing_but_is_counted)
{
	struct path p;
	bool full;
	u32 rounds, losses;

	path_full(&p);
	ASSERT_EQ(XTCP_INFINITE_SSTHRESH,
		  xtcp_cong_bdp.ssthresh(&p.ca, 80, 0));
	xtcp_cong_bdp.set_state(&p.ca, XTCP_CA_RECOVERY);
	xtcp_cong_bdp.set_state(&p.ca, XTCP_CA_LOSS);
	xtcp_cong_bdp.set_state(&p.ca, XTCP_CA_OPEN);
	xtcp_cong_bdp.set_state(&p.ca, XTCP_CA_LOSS);
	bw(&p, &full, &rounds, &losses);
	ASSERT_EQ(2, losses);
	ASSERT_EQ(p.ca.cwnd, xtcp_cong_bdp.undo_cwnd(&p.ca, 5));
}

TEST_HARNESS_MAIN
