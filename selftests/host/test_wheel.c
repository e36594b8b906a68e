// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the xtcp timer wheel (net/xtcp/wheel.c).
 *
 * The wheel promises that every timer fires in the first advance step at
 * or after its deadline, exactly at that jiffy (Documentation/timers.rst).
 * Most tests check that directly; the property tests compare the wheel
 * with a naive model (a plain array scanned for the earliest deadline)
 * over random operation sequences.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/jiffies.h>
#include <linux/types.h>
#include <net/xtcp_wheel.h>

#include "kselftest_harness.h"

#define GRAN(lvl)	XTCP_WHEEL_LVL_GRAN(lvl)
#define RANGE		XTCP_WHEEL_RANGE
#define NEVER		0xdeadUL

/* A test timer: the wheel's timer plus what the handler records. */
struct tt {
	struct xtcp_wtimer wt;
	unsigned int id;
	unsigned int fires;
	unsigned long fired_at;
};

/* One expiry, in the order the wheel reported it. */
struct ev {
	unsigned long at;
	unsigned int id;
};

struct rec {
	struct ev *ev;
	unsigned int n, cap;
	bool bad_pending;	/* a timer was still pending in its handler */
	bool bad_early;		/* a timer fired before its deadline */
};

static struct tt *tt_of(struct xtcp_wtimer *t)
{
	return container_of(t, struct tt, wt);
}

static void rec_push(struct rec *r, unsigned long at, unsigned int id)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
		if (!r->ev)
			abort();
	}
	r->ev[r->n].at = at;
	r->ev[r->n].id = id;
	r->n++;
}

/* The basic handler: note the jiffy being processed. */
static void record(struct xtcp_wheel *w, struct xtcp_wtimer *t, void *arg)
{
	struct rec *r = arg;
	struct tt *x = tt_of(t);
	unsigned long now = w->clk - 1;

	if (xtcp_wtimer_pending(t))
		r->bad_pending = true;
	if (time_before(now, t->expires))
		r->bad_early = true;
	x->fires++;
	x->fired_at = now;
	rec_push(r, now, x->id);
}

static void tt_init(struct tt *x, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		xtcp_wtimer_init(&x[i].wt, (u8)i);
		x[i].id = i;
		x[i].fired_at = NEVER;
	}
}

static u64 rng;

static u64 rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long rnd_below(unsigned long n)
{
	return (unsigned long)(rnd64() % n);
}

/* Level a pending timer is on (XTCP_WHEEL_LEVELS: the due list). */
static unsigned int level_of(const struct xtcp_wtimer *t)
{
	return t->slot / XTCP_WHEEL_SLOTS;
}

/* ---- basics ---- */

TEST(empty_wheel_and_sizes)
{
	struct xtcp_wheel w;
	unsigned long when = NEVER;
	struct rec r = {};

	/* Documented in timers.rst: 32 bytes on x86_64, 16 on 32-bit. */
	ASSERT_EQ(4 * sizeof(long), sizeof(struct xtcp_wtimer));
	xtcp_wheel_init(&w, 1000);
	ASSERT_FALSE(xtcp_wheel_next_expiry(&w, &when));
	ASSERT_EQ(NEVER, when);
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 5000000, record, &r));
	ASSERT_EQ(5000001, w.clk);
	ASSERT_EQ(0, xtcp_wheel_pending(&w));
	/* Advancing to a time already processed changes nothing. */
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 4000000, record, &r));
	ASSERT_EQ(5000001, w.clk);
}

TEST(arm_cancel_return_values)
{
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[1];

	tt_init(x, 1);
	xtcp_wheel_init(&w, 0);
	ASSERT_FALSE(xtcp_wheel_cancel(&w, &x[0].wt));
	ASSERT_FALSE(xtcp_wheel_arm(&w, &x[0].wt, 100));
	ASSERT_TRUE(xtcp_wtimer_pending(&x[0].wt));
	ASSERT_TRUE(xtcp_wheel_arm(&w, &x[0].wt, 200));
	ASSERT_TRUE(xtcp_wheel_arm(&w, &x[0].wt, 50));
	ASSERT_EQ(1, xtcp_wheel_pending(&w));
	ASSERT_TRUE(xtcp_wheel_cancel(&w, &x[0].wt));
	ASSERT_FALSE(xtcp_wtimer_pending(&x[0].wt));
	ASSERT_FALSE(xtcp_wheel_cancel(&w, &x[0].wt));
	ASSERT_EQ(0, xtcp_wheel_pending(&w));
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 1000, record, &r));
	ASSERT_EQ(0, x[0].fires);
	/* Fired: no longer pending, so cancel says false. */
	ASSERT_FALSE(xtcp_wheel_arm(&w, &x[0].wt, 1010));
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 1010, record, &r));
	ASSERT_EQ(1010, x[0].fired_at);
	ASSERT_FALSE(xtcp_wheel_cancel(&w, &x[0].wt));
	free(r.ev);
}

/*
 * Placement at every level: deltas at and around each level's bounds,
 * from aligned and unaligned clocks. Each timer lands on the level its
 * delta calls for and fires exactly at its deadline, not one jiffy before.
 */
TEST(placement_and_exact_expiry_per_level)
{
	static const unsigned long starts[] = {
		0, 1, 63, 64, 4095, 4096, 262143, 262144, 1000003,
		RANGE - 1, RANGE, 7 * RANGE + 12345,
	};
	static const unsigned long deltas[] = {
		0, 1, 2, 62, 63, 64, 65, 127, 128, 4095, 4096, 4097,
		200000, 262143, 262144, 262145, RANGE / 2, RANGE - 2,
		RANGE - 1, RANGE, RANGE + 1, 3 * RANGE + 77,
	};
	unsigned int si, di, lvl, want;
	unsigned long start, d, when;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[1];

	for (si = 0; si < ARRAY_SIZE(starts); si++) {
		for (di = 0; di < ARRAY_SIZE(deltas); di++) {
			start = starts[si];
			d = deltas[di];
			tt_init(x, 1);
			xtcp_wheel_init(&w, start);
			ASSERT_FALSE(xtcp_wheel_arm(&w, &x[0].wt, start + d));
			for (want = 0; want < XTCP_WHEEL_LEVELS - 1; want++)
				if (d < GRAN(want + 1))
					break;
			lvl = level_of(&x[0].wt);
			ASSERT_EQ(want, lvl)
				TH_LOG("start %lu delta %lu", start, d);
			ASSERT_EQ(1, w.count[lvl]);
			/* Level 0 is exact: next expiry is the deadline. */
			ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
			if (lvl == 0)
				ASSERT_EQ(start + d, when);
			ASSERT_TRUE(when - start <= d);
			if (d) {
				ASSERT_EQ(0, xtcp_wheel_advance(&w, start + d - 1,
								record, &r));
				ASSERT_TRUE(xtcp_wtimer_pending(&x[0].wt));
			}
			ASSERT_EQ(1, xtcp_wheel_advance(&w, start + d, record,
							&r));
			ASSERT_EQ(start + d, x[0].fired_at)
				TH_LOG("start %lu delta %lu", start, d);
			ASSERT_FALSE(xtcp_wheel_next_expiry(&w, &when));
		}
	}
	ASSERT_FALSE(r.bad_pending);
	ASSERT_FALSE(r.bad_early);
	free(r.ev);
}

/*
 * A far timer moves down one level per cascade, each at a time
 * next_expiry announced, and fires at its deadline. Following
 * next_expiry like the driver will, the wheel needs one wake-up per level
 * at most (plus one per XTCP_WHEEL_RANGE beyond the range), never one per
 * jiffy: also from a clock about to wrap.
 */
static unsigned int follow_one(struct __test_metadata *_metadata,
			       unsigned long start, unsigned long d,
			       unsigned int *seen_lvl)
{
	unsigned long when, prev = XTCP_WHEEL_LEVELS;
	unsigned int lvl, steps = 0;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[1];

	tt_init(x, 1);
	xtcp_wheel_init(&w, start);
	xtcp_wheel_arm(&w, &x[0].wt, start + d);
	while (xtcp_wheel_next_expiry(&w, &when)) {
		EXPECT_TRUE(time_before_eq(when, start + d));
		EXPECT_TRUE(time_after_eq(when, w.clk));
		lvl = level_of(&x[0].wt);
		seen_lvl[lvl]++;
		EXPECT_TRUE(lvl <= prev);
		prev = lvl;
		/* One jiffy short of the announced time: nothing moves. */
		if (when != w.clk) {
			xtcp_wheel_advance(&w, when - 1, record, &r);
			EXPECT_EQ(lvl, level_of(&x[0].wt));
		}
		xtcp_wheel_advance(&w, when, record, &r);
		if (xtcp_wtimer_pending(&x[0].wt) && d < RANGE)
			EXPECT_TRUE(level_of(&x[0].wt) < lvl);
		if (++steps > d / RANGE + XTCP_WHEEL_LEVELS)
			break;
	}
	EXPECT_EQ(start + d, x[0].fired_at)
		TH_LOG("start %#lx delta %#lx", start, d);
	EXPECT_EQ(1, x[0].fires);
	EXPECT_TRUE(steps <= d / RANGE + XTCP_WHEEL_LEVELS)
		TH_LOG("start %#lx delta %#lx: %u steps", start, d, steps);
	free(r.ev);
	return steps;
}

TEST(cascading)
{
	static const unsigned long starts[] = {
		0, 12345, ~0UL - 1000, ~0UL - GRAN(3) + 5, ~0UL,
		~0UL - RANGE,
	};
	static const unsigned long deltas[] = {
		3 * GRAN(3) + 5 * GRAN(2) + 7 * GRAN(1) + 9, GRAN(2) + 1,
		RANGE - 1, RANGE, 3 * RANGE + 77, 40 * RANGE + GRAN(3) - 1,
	};
	unsigned int lvl, i, k, steps, seen_lvl[XTCP_WHEEL_LEVELS] = {};

	/*
	 * 12345 + deltas[0] = 3 * 64^3 + 9 * 64^2 + 1 * 64 + 2: one stop
	 * on each level.
	 */
	steps = follow_one(_metadata, 12345, deltas[0], seen_lvl);
	ASSERT_EQ(XTCP_WHEEL_LEVELS, steps);
	for (lvl = 0; lvl < XTCP_WHEEL_LEVELS; lvl++)
		ASSERT_EQ(1, seen_lvl[lvl]);
	for (i = 0; i < ARRAY_SIZE(starts); i++)
		for (k = 0; k < ARRAY_SIZE(deltas); k++)
			follow_one(_metadata, starts[i], deltas[k], seen_lvl);
}

/* Many timers at every level, fired in deadline order, each exactly on time. */
TEST(ordering)
{
	enum { N = 20000 };
	unsigned long start = 987654321, when;
	struct xtcp_wheel w;
	struct rec r = {};
	unsigned int i, n;
	struct tt *x;

	x = calloc(N, sizeof(*x));
	ASSERT_NE(NULL, x);
	tt_init(x, N);
	rng = 0x1234567;
	xtcp_wheel_init(&w, start);
	for (i = 0; i < N; i++)
		xtcp_wheel_arm(&w, &x[i].wt,
			       start + rnd_below(GRAN(1 + i % XTCP_WHEEL_LEVELS)));
	/* Part in one big step, the rest following next_expiry. */
	n = xtcp_wheel_advance(&w, start + GRAN(3), record, &r);
	while (xtcp_wheel_next_expiry(&w, &when))
		n += xtcp_wheel_advance(&w, when, record, &r);
	ASSERT_EQ(N, n);
	ASSERT_EQ(N, r.n);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(1, x[i].fires);
		ASSERT_EQ(x[i].wt.expires, x[i].fired_at);
	}
	for (i = 1; i < N; i++)
		ASSERT_TRUE(r.ev[i - 1].at - start <= r.ev[i].at - start);
	free(x);
	free(r.ev);
}

/* ---- handlers touching the wheel ---- */

struct cancel_ctx {
	struct rec r;
	struct tt *x;
	bool ret[4];
	unsigned int calls;
};

/* Timers 0 and 1 (same jiffy) each cancel the other. */
static void cancel_other(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			 void *arg)
{
	struct cancel_ctx *c = arg;
	unsigned int id = tt_of(t)->id;

	record(w, t, &c->r);
	c->ret[id] = xtcp_wheel_cancel(w, &c->x[id ^ 1].wt);
	c->calls++;
}

/*
 * Timers 0 and 1 (same jiffy): the first handler re-arms the other, still
 * pending on the due list, to an earlier (past) deadline. It stays due.
 */
static void rearm_other_earlier(struct xtcp_wheel *w, struct xtcp_wtimer *t,
				void *arg)
{
	struct cancel_ctx *c = arg;
	unsigned int id = tt_of(t)->id;

	record(w, t, &c->r);
	if (!c->calls++)
		c->ret[id] = xtcp_wheel_arm(w, &c->x[id ^ 1].wt,
					    c->x[id ^ 1].wt.expires - 5);
}

/* Cancel from inside the handler of the timer itself. */
static void cancel_self(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			void *arg)
{
	struct cancel_ctx *c = arg;

	record(w, t, &c->r);
	c->ret[0] = xtcp_wheel_cancel(w, t);
	c->calls++;
}

/* Timer 1 (later jiffy, same advance) cancels timer 0, which has fired. */
static void cancel_fired(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			 void *arg)
{
	struct cancel_ctx *c = arg;

	record(w, t, &c->r);
	if (tt_of(t)->id == 1)
		c->ret[1] = xtcp_wheel_cancel(w, &c->x[0].wt);
	c->calls++;
}

TEST(cancel_of_expiring_timer)
{
	struct cancel_ctx c = {};
	struct xtcp_wheel w;
	struct tt x[2];

	/* Its own handler runs: it is not pending, cancel is false. */
	tt_init(x, 2);
	c.x = x;
	xtcp_wheel_init(&w, 100);
	xtcp_wheel_arm(&w, &x[0].wt, 150);
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 200, cancel_self, &c));
	ASSERT_FALSE(c.ret[0]);
	ASSERT_EQ(0, xtcp_wheel_pending(&w));

	/*
	 * Fired earlier in the same advance (earlier jiffy): the later
	 * handler's cancel is false; the first handler owned the reference.
	 */
	memset(&c, 0, sizeof(c));
	tt_init(x, 2);
	c.x = x;
	xtcp_wheel_init(&w, 100);
	xtcp_wheel_arm(&w, &x[0].wt, 150);
	xtcp_wheel_arm(&w, &x[1].wt, 151);
	ASSERT_EQ(2, xtcp_wheel_advance(&w, 5000, cancel_fired, &c));
	ASSERT_FALSE(c.ret[1]);

	/*
	 * Same jiffy, at every level's boundary: whichever handler runs
	 * first finds the other still pending (not yet handed out), cancels
	 * it (true: that reference is dropped by the canceller) and the
	 * other never runs.
	 */
	for (unsigned long d = 1; d < RANGE; d *= XTCP_WHEEL_SLOTS) {
		memset(&c, 0, sizeof(c));
		tt_init(x, 2);
		c.x = x;
		xtcp_wheel_init(&w, 100);
		xtcp_wheel_arm(&w, &x[0].wt, 100 + d);
		xtcp_wheel_arm(&w, &x[1].wt, 100 + d);
		ASSERT_EQ(1, xtcp_wheel_advance(&w, 100 + 2 * d, cancel_other,
						&c));
		ASSERT_EQ(1, c.calls);
		ASSERT_EQ(1, x[0].fires + x[1].fires);
		ASSERT_TRUE(c.ret[x[0].fires ? 0 : 1]);
		ASSERT_FALSE(xtcp_wtimer_pending(&x[0].wt));
		ASSERT_FALSE(xtcp_wtimer_pending(&x[1].wt));
		ASSERT_EQ(0, xtcp_wheel_pending(&w));
	}
	/* Re-armed earlier while due in this step: fires in it still. */
	memset(&c, 0, sizeof(c));
	tt_init(x, 2);
	c.x = x;
	xtcp_wheel_init(&w, 100);
	xtcp_wheel_arm(&w, &x[0].wt, 300);
	xtcp_wheel_arm(&w, &x[1].wt, 300);
	ASSERT_EQ(2, xtcp_wheel_advance(&w, 400, rearm_other_earlier, &c));
	ASSERT_TRUE(c.ret[0] || c.ret[1]);
	ASSERT_EQ(300, x[0].fired_at);
	ASSERT_EQ(300, x[1].fired_at);
	ASSERT_FALSE(c.r.bad_pending);
	free(c.r.ev);
}

struct rearm_ctx {
	struct rec r;
	long by;		/* re-arm to (jiffy being processed) + by */
	unsigned int limit;	/* ... while fires < limit */
	bool ret;
	unsigned long armed_to;
};

static void rearm_self(struct xtcp_wheel *w, struct xtcp_wtimer *t,
		       void *arg)
{
	struct rearm_ctx *c = arg;
	struct tt *x = tt_of(t);

	record(w, t, &c->r);
	if (x->fires < c->limit) {
		c->armed_to = w->clk - 1 + c->by;
		c->ret = xtcp_wheel_arm(w, t, c->armed_to);
	}
}

TEST(rearm_from_own_handler)
{
	struct rearm_ctx c = {};
	unsigned long when;
	struct xtcp_wheel w;
	struct tt x[1];

	/* To "now": returns false (takes a new reference), fires next jiffy. */
	tt_init(x, 1);
	xtcp_wheel_init(&w, 1000);
	c.by = 0;
	c.limit = 1000;
	xtcp_wheel_arm(&w, &x[0].wt, 1000);
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 1000, rearm_self, &c));
	ASSERT_FALSE(c.ret);
	ASSERT_TRUE(xtcp_wtimer_pending(&x[0].wt));
	ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
	ASSERT_EQ(1001, when);
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 1000, rearm_self, &c));
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 1001, rearm_self, &c));
	ASSERT_EQ(1001, x[0].fired_at);
	/* Catching up 10 jiffies: once per jiffy, bounded, no loop. */
	ASSERT_EQ(10, xtcp_wheel_advance(&w, 1011, rearm_self, &c));
	ASSERT_EQ(12, x[0].fires);

	/* To the past: same as "now". */
	c.by = -50;
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 1012, rearm_self, &c));
	ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
	ASSERT_EQ(1013, when);

	/* Into each level: fires exactly then. */
	for (unsigned long by = 1; by < 2 * RANGE; by *= 8) {
		unsigned long from;

		xtcp_wheel_cancel(&w, &x[0].wt);
		tt_init(x, 1);
		c.by = (long)by;
		c.limit = 2;
		from = w.clk;
		xtcp_wheel_arm(&w, &x[0].wt, from);
		ASSERT_EQ(1, xtcp_wheel_advance(&w, from, rearm_self, &c));
		ASSERT_EQ(from + by, c.armed_to);
		while (xtcp_wheel_next_expiry(&w, &when))
			xtcp_wheel_advance(&w, when, rearm_self, &c);
		ASSERT_EQ(2, x[0].fires);
		ASSERT_EQ(from + by, x[0].fired_at);
	}
	ASSERT_FALSE(c.r.bad_pending);
	ASSERT_FALSE(c.r.bad_early);
	free(c.r.ev);
}

/*
 * Re-arming later only stores the deadline (the timer stays on its slot,
 * as every ACK does to the RTO); when that slot comes due the timer is
 * placed again and fires at the new deadline, not the old one.
 */
TEST(rearm_later_is_lazy)
{
	struct xtcp_wtimer before;
	unsigned long when, d;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[1];

	tt_init(x, 1);
	xtcp_wheel_init(&w, 5000);
	xtcp_wheel_arm(&w, &x[0].wt, 5050);
	before = x[0].wt;
	/* Like an RTO pushed on by a stream of ACKs, every level crossed. */
	for (d = 5051; d < 5000 + 2 * RANGE; d += d / 7) {
		ASSERT_TRUE(xtcp_wheel_arm(&w, &x[0].wt, d));
		ASSERT_EQ(before.slot, x[0].wt.slot);
		ASSERT_EQ(before.entry.pprev, x[0].wt.entry.pprev);
		ASSERT_EQ(before.entry.next, x[0].wt.entry.next);
	}
	ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
	ASSERT_EQ(5050, when);
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 5050, record, &r));
	ASSERT_TRUE(xtcp_wtimer_pending(&x[0].wt));
	while (xtcp_wheel_next_expiry(&w, &when)) {
		ASSERT_TRUE(time_before_eq(when, x[0].wt.expires));
		xtcp_wheel_advance(&w, when, record, &r);
	}
	ASSERT_EQ(1, x[0].fires);
	ASSERT_EQ(x[0].wt.expires, x[0].fired_at);
	free(r.ev);
}

/* An idle wheel's stale clock is moved up before arming: the new timer
 * then lands on the level its real distance needs (no extra cascade) and
 * still fires at its deadline; with a timer pending, or backwards, the
 * clock does not move.
 */
TEST(catch_up_of_idle_wheel)
{
	unsigned long when;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[2];

	tt_init(x, 2);
	xtcp_wheel_init(&w, 100);
	xtcp_wheel_catch_up(&w, 50);
	ASSERT_EQ(100, w.clk);
	xtcp_wheel_catch_up(&w, 1000000);
	ASSERT_EQ(1000000, w.clk);
	ASSERT_FALSE(xtcp_wheel_arm(&w, &x[0].wt, 1000010));
	ASSERT_EQ(0, level_of(&x[0].wt));
	/* Pending timer: no move, whatever @now says. */
	xtcp_wheel_catch_up(&w, 1000005);
	ASSERT_EQ(1000000, w.clk);
	ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
	ASSERT_EQ(1000010, when);
	ASSERT_EQ(1, xtcp_wheel_advance(&w, when, record, &r));
	ASSERT_EQ(1000010, x[0].fired_at);
	ASSERT_FALSE(r.bad_early);
	/* Without catch-up a stale clock puts the same distance higher. */
	xtcp_wheel_init(&w, 100);
	ASSERT_FALSE(xtcp_wheel_arm(&w, &x[1].wt, 1000010));
	ASSERT_LT(0, level_of(&x[1].wt));
	free(r.ev);
}

/* Re-arming earlier moves the timer: it fires at the new deadline. */
TEST(rearm_earlier_moves)
{
	static const unsigned long deltas[] = { 0, 1, 63, 64, 4096, 300000 };
	unsigned long when, far = 100 + 3 * GRAN(3);
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt x[1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(deltas); i++) {
		tt_init(x, 1);
		xtcp_wheel_init(&w, 100);
		xtcp_wheel_arm(&w, &x[0].wt, far);
		ASSERT_TRUE(xtcp_wheel_arm(&w, &x[0].wt, 100 + deltas[i]));
		ASSERT_TRUE(xtcp_wheel_next_expiry(&w, &when));
		ASSERT_TRUE(when <= 100 + deltas[i]);
		while (xtcp_wheel_next_expiry(&w, &when))
			xtcp_wheel_advance(&w, when, record, &r);
		ASSERT_EQ(1, x[0].fires);
		ASSERT_EQ(100 + deltas[i], x[0].fired_at);
		ASSERT_EQ(0, w.count[0] + w.count[1] + w.count[2] +
			     w.count[3]);
	}
	/* Earlier, but to before the clock: fires at the next jiffy. */
	tt_init(x, 1);
	xtcp_wheel_init(&w, 100);
	xtcp_wheel_arm(&w, &x[0].wt, 200);
	xtcp_wheel_advance(&w, 150, record, &r);
	ASSERT_TRUE(xtcp_wheel_arm(&w, &x[0].wt, 120));
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 151, record, &r));
	ASSERT_EQ(151, x[0].fired_at);
	free(r.ev);
}

/* The clock starts just short of ULONG_MAX and wraps while timers wait. */
TEST(jiffies_wrap)
{
	enum { N = 5000 };
	unsigned long start = ~0UL - 3 * GRAN(2) - 17, when;
	unsigned int i, n = 0;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt *x;

	x = calloc(N, sizeof(*x));
	ASSERT_NE(NULL, x);
	tt_init(x, N);
	rng = 42;
	xtcp_wheel_init(&w, start);
	for (i = 0; i < N; i++)
		xtcp_wheel_arm(&w, &x[i].wt,
			       start + rnd_below(GRAN(1 + i % XTCP_WHEEL_LEVELS)));
	/* Some exactly at the wrap. */
	xtcp_wheel_arm(&w, &x[0].wt, ~0UL);
	xtcp_wheel_arm(&w, &x[1].wt, 0);
	xtcp_wheel_arm(&w, &x[2].wt, 1);
	while (xtcp_wheel_next_expiry(&w, &when)) {
		ASSERT_TRUE(time_after_eq(when, w.clk));
		n += xtcp_wheel_advance(&w, when + rnd_below(3), record, &r);
	}
	ASSERT_EQ(N, n);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(1, x[i].fires);
		ASSERT_EQ(x[i].wt.expires, x[i].fired_at) TH_LOG("timer %u", i);
	}
	ASSERT_EQ(~0UL, x[0].fired_at);
	ASSERT_EQ(0, x[1].fired_at);
	ASSERT_TRUE(time_after(w.clk, start));
	ASSERT_TRUE(w.clk < start);
	free(x);
	free(r.ev);
}

/* ---- draining, counters ---- */

static void cancel_odd(struct xtcp_wheel *w, struct xtcp_wtimer *t, void *arg)
{
	unsigned int *n = arg;

	if (tt_of(t)->id & 1) {
		if (xtcp_wheel_cancel(w, t))
			(*n)++;
	}
}

static void cancel_all(struct xtcp_wheel *w, struct xtcp_wtimer *t, void *arg)
{
	unsigned int *n = arg;

	if (xtcp_wheel_cancel(w, t))
		(*n)++;
}

TEST(drain_and_occupancy)
{
	enum { N = 4000 };
	unsigned int i, n = 0, per_lvl[XTCP_WHEEL_LEVELS] = {};
	unsigned long when;
	struct xtcp_wheel w;
	struct rec r = {};
	struct tt *x;

	x = calloc(N, sizeof(*x));
	ASSERT_NE(NULL, x);
	tt_init(x, N);
	xtcp_wheel_init(&w, 77);
	for (i = 0; i < N; i++) {
		unsigned int lvl = i % XTCP_WHEEL_LEVELS;

		xtcp_wheel_arm(&w, &x[i].wt, 77 + GRAN(lvl) + i % GRAN(lvl));
		per_lvl[lvl]++;
	}
	for (i = 0; i < XTCP_WHEEL_LEVELS; i++)
		ASSERT_EQ(per_lvl[i], w.count[i]);
	ASSERT_EQ(N, xtcp_wheel_pending(&w));

	xtcp_wheel_walk_pending(&w, cancel_odd, &n);
	ASSERT_EQ(N / 2, n);
	ASSERT_EQ(N / 2, xtcp_wheel_pending(&w));
	for (i = 0; i < N; i++)
		ASSERT_EQ(!(i & 1), xtcp_wtimer_pending(&x[i].wt));
	/* Half-way through, then everything that is left. */
	xtcp_wheel_advance(&w, 77 + GRAN(2), record, &r);
	n = 0;
	xtcp_wheel_walk_pending(&w, cancel_all, &n);
	ASSERT_EQ(N / 2, n + r.n);
	ASSERT_EQ(0, xtcp_wheel_pending(&w));
	ASSERT_FALSE(xtcp_wheel_next_expiry(&w, &when));
	for (i = 0; i < XTCP_WHEEL_LEVELS; i++)
		ASSERT_EQ(0, w.occupied[i]);
	for (i = 0; i < N; i++)
		ASSERT_FALSE(xtcp_wtimer_pending(&x[i].wt));
	ASSERT_EQ(0, xtcp_wheel_advance(&w, 77 + 2 * RANGE, record, &r));
	free(x);
	free(r.ev);
}

struct drain_ctx {
	struct rec r;
	unsigned int cancelled;
	bool has_next;
	unsigned long next;
};

/*
 * The first handler does what namespace exit does while advance() has the
 * lock dropped: the timer due in the same step, not yet handed out, is
 * among those cancelled; next_expiry sees it before that.
 */
static void drain_from_handler(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			       void *arg)
{
	struct drain_ctx *c = arg;

	record(w, t, &c->r);
	if (c->r.n > 1)
		return;
	c->has_next = xtcp_wheel_next_expiry(w, &c->next);
	xtcp_wheel_walk_pending(w, cancel_all, &c->cancelled);
}

TEST(drain_while_expiring)
{
	struct drain_ctx c = {};
	struct xtcp_wheel w;
	unsigned long when;
	struct tt x[4];

	tt_init(x, 4);
	xtcp_wheel_init(&w, 1000);
	xtcp_wheel_arm(&w, &x[0].wt, 1200);
	xtcp_wheel_arm(&w, &x[1].wt, 1200);
	xtcp_wheel_arm(&w, &x[2].wt, 1201);
	xtcp_wheel_arm(&w, &x[3].wt, 1000 + 2 * RANGE);
	ASSERT_EQ(1, xtcp_wheel_advance(&w, 1300, drain_from_handler, &c));
	ASSERT_EQ(3, c.cancelled);
	ASSERT_TRUE(c.has_next);
	ASSERT_EQ(1200, c.next);
	ASSERT_EQ(1, x[0].fires + x[1].fires);
	ASSERT_EQ(0, x[2].fires + x[3].fires);
	ASSERT_EQ(0, xtcp_wheel_pending(&w));
	ASSERT_FALSE(xtcp_wheel_next_expiry(&w, &when));
	free(c.r.ev);
}

/* ---- cost ---- */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n timers armed at random deadlines (all levels), re-armed later, cancelled. */
static double arm_cancel_cost(struct xtcp_wtimer *t, unsigned int n)
{
	struct xtcp_wheel w;
	unsigned int i;
	double t0;

	for (i = 0; i < n; i++)
		xtcp_wtimer_init(&t[i], 0);
	xtcp_wheel_init(&w, 1);
	t0 = cpu_seconds();
	for (i = 0; i < n; i++)
		xtcp_wheel_arm(&w, &t[i], 1 + rnd_below(RANGE));
	for (i = 0; i < n; i++)
		xtcp_wheel_arm(&w, &t[i], t[i].expires + 1000);
	for (i = 0; i < n; i++)
		if (!xtcp_wheel_cancel(&w, &t[i]))
			return -1;
	return (cpu_seconds() - t0) / n;
}

static void count_fire(struct xtcp_wheel *w, struct xtcp_wtimer *t, void *arg)
{
	unsigned long *bad = arg;

	if (t->expires != w->clk - 1)
		(*bad)++;
}

/*
 * n timers armed over 2^20 jiffies, all fired following next_expiry. The
 * deadlines grow with the index, with a random jitter of 2^14 jiffies, so
 * that the timers a cascade walks lie close in memory for n = 100k and 1M
 * alike: with fully random deadlines 1M timers (32 MB) miss the cache on
 * every cascade and 100k (3.2 MB) do not, which measures the machine's
 * caches, not the wheel.
 */
static double expire_cost(struct xtcp_wtimer *t, unsigned int n)
{
	unsigned long when, bad = 0;
	unsigned int i, fired = 0;
	struct xtcp_wheel w;
	double t0;

	for (i = 0; i < n; i++)
		xtcp_wtimer_init(&t[i], 0);
	xtcp_wheel_init(&w, 1);
	t0 = cpu_seconds();
	for (i = 0; i < n; i++)
		xtcp_wheel_arm(&w, &t[i], 1 + (unsigned long)i * (1UL << 20) / n +
			       rnd_below(1UL << 14));
	while (xtcp_wheel_next_expiry(&w, &when))
		fired += xtcp_wheel_advance(&w, when, count_fire, &bad);
	if (fired != n || bad)
		return -1;
	return (cpu_seconds() - t0) / n;
}

static double min_of(double (*f)(struct xtcp_wtimer *, unsigned int),
		     struct xtcp_wtimer *t, unsigned int n, int runs)
{
	double best = 1e9, c;

	while (runs--) {
		c = f(t, n);
		if (c < 0)
			return -1;
		if (c < best)
			best = c;
	}
	return best;
}

/*
 * O(1)-ish: the cost per timer with 1,000,000 timers stays within a small
 * factor of the cost with 100,000 (a per-operation cost that grew with
 * the number of timers, e.g. a sorted list, would be 10 times or more).
 * CPU time of this process, best of a few runs, so other load on the
 * machine does not count; the factor 4 leaves room for cache misses.
 */
TEST(million_timers_cost)
{
	enum { BIG = 1000000, SMALL = 100000 };
	double small, big;
	struct xtcp_wtimer *t;

	t = calloc(BIG, sizeof(*t));
	ASSERT_NE(NULL, t);
	rng = 99;

	small = min_of(arm_cancel_cost, t, SMALL, 5);
	big = min_of(arm_cancel_cost, t, BIG, 2);
	TH_LOG("arm+re-arm+cancel per timer: %.1f ns (100k), %.1f ns (1M)",
	       small * 1e9, big * 1e9);
	ASSERT_TRUE(small > 0 && big > 0);
	ASSERT_TRUE(big < 4 * small);

	small = min_of(expire_cost, t, SMALL, 5);
	big = min_of(expire_cost, t, BIG, 2);
	TH_LOG("arm+expire per timer: %.1f ns (100k), %.1f ns (1M)",
	       small * 1e9, big * 1e9);
	ASSERT_TRUE(small > 0 && big > 0);
	ASSERT_TRUE(big < 4 * small);
	free(t);
}

/* ---- property test against a naive model ---- */

enum { PN = 48 };

/* The model: per timer, pending and the jiffy it will fire at. */
struct model {
	unsigned long clk;
	bool pending[PN];
	unsigned long due[PN];
	unsigned int fires[PN];
};

/* The wheel's contract: a timer fires at the first jiffy processed that
 * is at or after its deadline and not before the clock at arming.
 */
static void model_arm(struct model *m, unsigned int id, unsigned long e)
{
	m->pending[id] = true;
	m->due[id] = time_before(e, m->clk) ? m->clk : e;
}

/* Self re-arm of odd timers from their handler: same rule in both. */
static bool rearms(unsigned int id, unsigned int fires, unsigned long *by)
{
	static const unsigned long d[] = { 0, 1, 5, 64, 700, 5000, 300000 };

	if (!(id & 1) || fires % 5 == 4)
		return false;
	*by = d[(id * 7 + fires) % ARRAY_SIZE(d)];
	return true;
}

static unsigned int model_advance(struct model *m, unsigned long now,
				  struct rec *r)
{
	unsigned long first, j, by;
	unsigned int id, n = 0;
	bool any;

	while (time_before_eq(m->clk, now)) {
		any = false;
		first = 0;
		for (id = 0; id < PN; id++) {
			if (m->pending[id] &&
			    (!any || time_before(m->due[id], first))) {
				first = m->due[id];
				any = true;
			}
		}
		if (!any || time_after(first, now)) {
			m->clk = now + 1;
			break;
		}
		j = first;
		m->clk = j + 1;
		for (id = 0; id < PN; id++) {
			if (!m->pending[id] || m->due[id] != j)
				continue;
			m->pending[id] = false;
			m->fires[id]++;
			rec_push(r, j, id);
			n++;
			if (rearms(id, m->fires[id], &by))
				model_arm(m, id, j + by);
		}
	}
	return n;
}

static void prop_fire(struct xtcp_wheel *w, struct xtcp_wtimer *t, void *arg)
{
	struct tt *x = tt_of(t);
	unsigned long by;

	record(w, t, arg);
	if (rearms(x->id, x->fires, &by))
		xtcp_wheel_arm(w, t, w->clk - 1 + by);
}

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *p = a, *q = b;

	if (p->at != q->at)
		return time_before(p->at, q->at) ? -1 : 1;
	return (int)p->id - (int)q->id;
}

/* A random deadline around @clk: past, now, each level, beyond range. */
static unsigned long rnd_deadline(unsigned long clk)
{
	switch (rnd_below(8)) {
	case 0:
		return clk - rnd_below(100);
	case 1:
		return clk + rnd_below(3);
	case 2:
		return clk + rnd_below(GRAN(1) + 8);
	case 3:
		return clk + rnd_below(GRAN(2) + 8);
	case 4:
		return clk + rnd_below(GRAN(3) + 8);
	case 5:
		return clk + rnd_below(RANGE + 8);
	case 6:
		return clk + RANGE - 4 + rnd_below(RANGE);
	default:
		return clk + GRAN(rnd_below(4)) * rnd_below(3) - 1;
	}
}

/* One random run; returns 0 or the number of the step that went wrong. */
static unsigned int property_run(struct __test_metadata *_metadata,
				 u64 seed, unsigned long start,
				 unsigned int steps)
{
	struct rec rw = {}, rm = {};
	unsigned long when, now, e;
	unsigned int s, id, k, nw, nm, pend;
	struct xtcp_wheel w;
	struct model m = {};
	struct tt x[PN];
	bool was;

	rng = seed;
	tt_init(x, PN);
	xtcp_wheel_init(&w, start);
	m.clk = start;
	for (s = 1; s <= steps; s++) {
		id = rnd_below(PN);
		switch (rnd_below(10)) {
		case 0 ... 3:
			e = rnd_deadline(w.clk);
			was = xtcp_wheel_arm(&w, &x[id].wt, e);
			if (was != m.pending[id])
				return s;
			model_arm(&m, id, e);
			break;
		case 4:
			/* Re-arm later by a little, as an ACK does. */
			if (!m.pending[id])
				break;
			e = x[id].wt.expires + rnd_below(300);
			if (!xtcp_wheel_arm(&w, &x[id].wt, e))
				return s;
			model_arm(&m, id, e);
			break;
		case 5:
			if (xtcp_wheel_cancel(&w, &x[id].wt) != m.pending[id])
				return s;
			m.pending[id] = false;
			break;
		case 6:
			/* Drive it as the per-CPU driver will. */
			if (!xtcp_wheel_next_expiry(&w, &when))
				break;
			now = when + rnd_below(2);
			goto advance;
		default:
			switch (rnd_below(4)) {
			case 0:
				now = w.clk + rnd_below(4) - 1;
				break;
			case 1:
				now = w.clk + rnd_below(200);
				break;
			case 2:
				now = w.clk + rnd_below(20000);
				break;
			default:
				now = w.clk + rnd_below(RANGE + RANGE / 2);
				break;
			}
advance:
			rw.n = 0;
			rm.n = 0;
			nw = xtcp_wheel_advance(&w, now, prop_fire, &rw);
			nm = model_advance(&m, now, &rm);
			if (nw != nm || rw.n != nm || rm.n != nm) {
				TH_LOG("step %u: wheel fired %u, model %u", s,
				       nw, nm);
				return s;
			}
			if (rw.n)
				qsort(rw.ev, rw.n, sizeof(*rw.ev), ev_cmp);
			for (k = 0; k < nm; k++) {
				if (rw.ev[k].at != rm.ev[k].at ||
				    rw.ev[k].id != rm.ev[k].id) {
					TH_LOG("step %u: wheel %u@%lu model %u@%lu",
					       s, rw.ev[k].id, rw.ev[k].at,
					       rm.ev[k].id, rm.ev[k].at);
					return s;
				}
			}
			if (w.clk != m.clk)
				return s;
			break;
		}
		/* Same pending set; next expiry never after the model's. */
		pend = 0;
		for (id = 0; id < PN; id++) {
			if (xtcp_wtimer_pending(&x[id].wt) != m.pending[id])
				return s;
			pend += m.pending[id];
		}
		if (xtcp_wheel_pending(&w) != pend)
			return s;
		if (xtcp_wheel_next_expiry(&w, &when) != !!pend)
			return s;
		for (id = 0; id < PN; id++) {
			if (m.pending[id] &&
			    (time_after(when, m.due[id]) ||
			     time_before(when, w.clk))) {
				TH_LOG("step %u: next expiry %lu, timer %u due %lu",
				       s, when, id, m.due[id]);
				return s;
			}
		}
	}
	if (rw.bad_pending || rw.bad_early)
		return steps + 1;
	free(rw.ev);
	free(rm.ev);
	return 0;
}

TEST(property_against_model)
{
	static const struct {
		u64 seed;
		unsigned long start;
	} runs[] = {
		{ 1, 0 },
		{ 2, 1000 },
		{ 3, 0x7fffffffUL },
		{ 0x9e3779b97f4a7c15ULL, ~0UL - 100000 },
		{ 5, ~0UL - 5 },
		{ 6, 1UL << 40 },
		{ 7, ~0UL / 2 - 300 },
		{ 8, 4096 * 64 - 1 },
	};
	unsigned int i, bad;

	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		bad = property_run(_metadata, runs[i].seed, runs[i].start,
				   30000);
		ASSERT_EQ(0, bad)
			TH_LOG("seed %#llx start %#lx: first difference at step %u",
			       runs[i].seed, runs[i].start, bad);
	}
}

TEST_HARNESS_MAIN
