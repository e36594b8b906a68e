// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery rate estimation arithmetic (net/xtcp/rate.c), against the
 * rules of Linux's tcp_rate.c: the longer of the send and ACK phases, no
 * sample shorter than min_rtt or without timing, which samples TCP_INFO
 * keeps, when the app-limited mark is set and when it ends.
 */
#include <linux/types.h>
#include <net/xtcp_rate.h>

#include "kselftest_harness.h"

#define MIN_RTT	5000U	/* us */

/* A sample as picking the sampled segment leaves it: sent when
 * @prior_delivered segments were delivered, the last delivery before
 * its send at @prior_mstamp, its send phase @snd_us long.
 */
static struct xtcp_rate_sample picked(u32 prior_delivered, u64 prior_mstamp,
				      s64 snd_us, bool app_limited)
{
	return (struct xtcp_rate_sample){
		.prior_delivered = prior_delivered,
		.prior_mstamp = prior_mstamp,
		.interval_us = snd_us,
		.is_app_limited = app_limited,
	};
}

TEST(no_timing_no_sample)
{
	struct xtcp_rate r = { .delivered_us = 7 };
	struct xtcp_rate_sample rs = {};

	xtcp_rate_gen(&r, &rs, 12, 2, 1, false, 100000, MIN_RTT);
	ASSERT_EQ(-1, rs.delivered);
	ASSERT_EQ(-1, rs.interval_us);
	ASSERT_EQ(2, rs.acked_sacked);
	ASSERT_EQ(1, rs.losses);
	/* The delivery still moves the connection's clock. */
	ASSERT_EQ(100000, r.delivered_us);
	ASSERT_EQ(0, r.rate_interval_us);
	ASSERT_EQ(0, xtcp_rate_bytes_per_sec(&r, 1448));
}

TEST(no_delivery_keeps_the_clock)
{
	struct xtcp_rate r = { .delivered_us = 7 };
	struct xtcp_rate_sample rs = {};

	xtcp_rate_gen(&r, &rs, 12, 0, 0, false, 100000, MIN_RTT);
	ASSERT_EQ(7, r.delivered_us);
}

TEST(reneging_gives_no_sample)
{
	struct xtcp_rate r = {};
	struct xtcp_rate_sample rs = picked(10, 1000, 500, false);

	xtcp_rate_gen(&r, &rs, 20, 10, 0, true, 11000, MIN_RTT);
	ASSERT_EQ(-1, rs.delivered);
	ASSERT_EQ(-1, rs.interval_us);
	ASSERT_EQ(0, r.rate_delivered);
}

/* The usual case: the ACK phase (from the delivery before the send to
 * now) is the longer one.
 */
TEST(ack_phase_longer)
{
	struct xtcp_rate r = {};
	struct xtcp_rate_sample rs = picked(10, 1000, 500, false);

	xtcp_rate_gen(&r, &rs, 20, 2, 0, false, 11000, MIN_RTT);
	ASSERT_EQ(10, rs.delivered);
	ASSERT_EQ(500, rs.snd_interval_us);
	ASSERT_EQ(10000, rs.rcv_interval_us);
	ASSERT_EQ(10000, rs.interval_us);
	ASSERT_EQ(10, r.rate_delivered);
	ASSERT_EQ(10000, r.rate_interval_us);
	ASSERT_FALSE(r.rate_app_limited);
	/* 10 segments of 1000 bytes in 10 ms: 1 MB/s. */
	ASSERT_EQ(1000000, xtcp_rate_bytes_per_sec(&r, 1000));
}

/* ACK compression: ACKs arriving faster than the data was sent cannot
 * show a rate above the sending rate; the send phase bounds it.
 */
TEST(send_phase_longer)
{
	struct xtcp_rate r = {};
	struct xtcp_rate_sample rs = picked(0, 3000, 20000, false);

	xtcp_rate_gen(&r, &rs, 40, 40, 0, false, 11000, MIN_RTT);
	ASSERT_EQ(40, rs.delivered);
	ASSERT_EQ(20000, rs.interval_us);
	ASSERT_EQ(8000, rs.rcv_interval_us);
	ASSERT_EQ(20000, r.rate_interval_us);
}

TEST(shorter_than_min_rtt_is_invalid)
{
	struct xtcp_rate r = { .rate_delivered = 3, .rate_interval_us = 9000 };
	struct xtcp_rate_sample rs = picked(10, 8000, 100, false);

	xtcp_rate_gen(&r, &rs, 20, 2, 0, false, 12000, MIN_RTT);
	ASSERT_EQ(10, rs.delivered);
	ASSERT_EQ(-1, rs.interval_us);
	ASSERT_EQ(3, r.rate_delivered);
	ASSERT_EQ(9000, r.rate_interval_us);
	/* Before any RTT sample (min_rtt ~0U) nothing is valid. */
	rs = picked(10, 1000, 100, false);
	xtcp_rate_gen(&r, &rs, 20, 2, 0, false, 1000000, ~0U);
	ASSERT_EQ(-1, rs.interval_us);
}

/* An app-limited sample replaces the kept one only when faster; one that
 * is not app-limited always does.
 */
TEST(which_sample_is_kept)
{
	struct xtcp_rate r = {};
	struct xtcp_rate_sample rs = picked(0, 1000, 0, false);

	xtcp_rate_gen(&r, &rs, 10, 1, 0, false, 11000, MIN_RTT); /* 10/10ms */
	ASSERT_EQ(10, r.rate_delivered);
	rs = picked(10, 20000, 0, true);			/* 5/10ms */
	xtcp_rate_gen(&r, &rs, 15, 1, 0, false, 30000, MIN_RTT);
	ASSERT_EQ(10, r.rate_delivered);
	ASSERT_FALSE(r.rate_app_limited);
	rs = picked(15, 40000, 0, true);			/* 20/10ms */
	xtcp_rate_gen(&r, &rs, 35, 1, 0, false, 50000, MIN_RTT);
	ASSERT_EQ(20, r.rate_delivered);
	ASSERT_TRUE(r.rate_app_limited);
	rs = picked(35, 60000, 0, false);			/* 1/10ms */
	xtcp_rate_gen(&r, &rs, 36, 1, 0, false, 70000, MIN_RTT);
	ASSERT_EQ(1, r.rate_delivered);
	ASSERT_FALSE(r.rate_app_limited);
}

/* The mark ends once delivered passes it (not when it reaches it), also
 * across the wrap of the 32-bit count.
 */
TEST(app_limited_mark_ends_past_the_bubble)
{
	struct xtcp_rate r = { .app_limited = 50 };
	struct xtcp_rate_sample rs = {};

	xtcp_rate_gen(&r, &rs, 50, 1, 0, false, 1, MIN_RTT);
	ASSERT_EQ(50, r.app_limited);
	xtcp_rate_gen(&r, &rs, 51, 1, 0, false, 2, MIN_RTT);
	ASSERT_EQ(0, r.app_limited);
	r.app_limited = 0xfffffffeU;
	xtcp_rate_gen(&r, &rs, 3, 1, 0, false, 3, MIN_RTT);
	ASSERT_EQ(0, r.app_limited);
}

/* Before any sample (tcp_init_sock()): app-limited, TCP_INFO too; the
 * first delivery ends the mark.
 */
TEST(initial_state_app_limited)
{
	struct xtcp_rate r;
	struct xtcp_rate_sample rs = {};

	xtcp_rate_init(&r);
	ASSERT_TRUE(r.rate_app_limited);
	ASSERT_EQ(~0U, r.app_limited);
	xtcp_rate_gen(&r, &rs, 1, 1, 0, false, 10, MIN_RTT);
	ASSERT_EQ(0, r.app_limited);
}

TEST(app_limited_mark_conditions)
{
	/* Less than a segment unsent, nothing queued, cwnd not full, every
	 * lost segment resent: delivered plus in flight.
	 */
	ASSERT_EQ(107, xtcp_rate_app_limited_mark(100, 1448, false, 7, 10,
						  2, 2, 100));
	/* At least 1, so that the mark is set at the very start too. */
	ASSERT_EQ(1, xtcp_rate_app_limited_mark(0, 1448, false, 0, 10,
						0, 0, 0));
	ASSERT_EQ(0, xtcp_rate_app_limited_mark(1448, 1448, false, 7, 10,
						0, 0, 100));
	ASSERT_EQ(0, xtcp_rate_app_limited_mark(0, 1448, true, 7, 10,
						0, 0, 100));
	ASSERT_EQ(0, xtcp_rate_app_limited_mark(0, 1448, false, 10, 10,
						0, 0, 100));
	ASSERT_EQ(0, xtcp_rate_app_limited_mark(0, 1448, false, 7, 10,
						3, 2, 100));
}

TEST(bytes_per_sec_no_overflow)
{
	struct xtcp_rate r = { .rate_delivered = 100000,
			       .rate_interval_us = 1 };

	ASSERT_EQ(100000ULL * 65535 * 1000000, xtcp_rate_bytes_per_sec(&r, 65535));
}

TEST_HARNESS_MAIN
