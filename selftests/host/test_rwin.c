// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the receive-window arithmetic (net/xtcp/rwin.c).
 *
 * Every expected value is worked out by hand in the comment beside it from
 * Linux 6.1's formulas (tcp_win_from_space(), tcp_select_initial_window(),
 * __tcp_select_window(), tcp_select_window(), tcp_rcv_space_adjust()).
 * The property tests drive random sequences and check invariants that hold
 * whatever the values: the right edge never moves back, the granularity of
 * the scale, the field cap, a buffer that only grows.
 */
#include <linux/types.h>
#include <net/xtcp_rwin.h>

#include "kselftest_harness.h"
#include "rng.h"

/* Debian 12 defaults: tcp_rmem 4096 131072 6291456, rmem_max 212992. */
static const struct xtcp_rwin_sysctl defaults = {
	.tcp_rmem2 = 6291456,
	.rmem_max = 212992,
	.adv_win_scale = 1,
	.moderate_rcvbuf = true,
};

/* 0 .. n - 1 */
static u32 rnd_below(u32 n)
{
	return n ? rnd32() % n : 0;
}

/* ---- tcp_win_from_space(), tcp_space(), tcp_full_space() ---- */

TEST(win_from_space_table)
{
	/* s > 0: space - (space >> s) */
	ASSERT_EQ(65536, xtcp_win_from_space(131072, 1));
	ASSERT_EQ(98304, xtcp_win_from_space(131072, 2));	/* 131072 - 32768 */
	ASSERT_EQ(1000, xtcp_win_from_space(1000, 31));	/* 1000 >> 31 == 0 */
	ASSERT_EQ(2, xtcp_win_from_space(3, 1));		/* 3 - 1 */
	/* s <= 0: space >> -s */
	ASSERT_EQ(131072, xtcp_win_from_space(131072, 0));
	ASSERT_EQ(32768, xtcp_win_from_space(131072, -2));
	ASSERT_EQ(1, xtcp_win_from_space(3, -1));
	ASSERT_EQ(0, xtcp_win_from_space(0x7fffffff, -31));
	/* negative space rounds towards minus infinity: -1001 >> 1 = -501 */
	ASSERT_EQ(-500, xtcp_win_from_space(-1001, 1));
	ASSERT_EQ(-251, xtcp_win_from_space(-1001, -2));	/* -1001 >> 2 */
	/* out of the sysctl's range: clamped to -31 .. 31, no UB shift */
	ASSERT_EQ(1000, xtcp_win_from_space(1000, 40));
	ASSERT_EQ(0, xtcp_win_from_space(1000, -40));
}

TEST(space_and_full_space)
{
	/* 131072 buffer, 10000 queued, 2000 in the backlog: 119072 free */
	ASSERT_EQ(59536, xtcp_space(131072, 2000, 10000, 1));
	ASSERT_EQ(65536, xtcp_full_space(131072, 1));
	/* over-committed: 4096 - 5000 = -904 -> -904 - (-452) = -452 */
	ASSERT_EQ(-452, xtcp_space(4096, 0, 5000, 1));
}

/* ---- tcp_select_initial_window() ---- */

struct init_case {
	const char *what;
	int space;
	u32 mss, clamp, init_rcv_wnd;
	bool wscale_ok, signed_workaround;
	u32 rmem2, rmem_max;
	/* expected */
	u32 rcv_wnd, window_clamp;
	u8 wscale;
};

static const struct init_case init_cases[] = {
	/*
	 * connect() with defaults: rcvbuf 131072 -> full space 65536;
	 * 65536 rounded down to 1460: 44 * 1460 = 64240; shift from
	 * max(64240, 6291456, 212992) = 6291456: ilog2 = 22, 22 - 15 = 7;
	 * clamp 0 -> 65535 << 14, then min(65535 << 7 = 8388480, that).
	 */
	{ "connect defaults", 65536, 1460, 0, 0, true, false,
	  6291456, 212992, 64240, 8388480, 7 },
	/* SYN-ACK with timestamps: mss 1448, 45 * 1448 = 65160 */
	{ "synack tstamp", 65536, 1448, 0, 0, true, false,
	  6291456, 212992, 65160, 8388480, 7 },
	/*
	 * SO_RCVBUF 4096 (rcvbuf 8192, full 4096, lock clamp 4096): 4096
	 * rounded to 2 * 1460 = 2920; shift from min(6291456, clamp 4096):
	 * ilog2 12 - 15 < 0 -> 0; clamp min(65535, 4096).
	 */
	{ "locked 4096", 4096, 1460, 4096, 0, true, false,
	  6291456, 212992, 2920, 4096, 0 },
	/*
	 * SO_RCVBUF 212992 (rcvbuf 425984, full and clamp 212992): 145 *
	 * 1460 = 211700, capped at 65535; shift: ilog2(212992) = 17 -> 2;
	 * clamp min(65535 << 2 = 262140, 212992).
	 */
	{ "locked 212992", 212992, 1460, 212992, 0, true, false,
	  6291456, 212992, 65535, 212992, 2 },
	/* tcp_workaround_signed_windows: 64240 -> 32767; shift unchanged */
	{ "signed windows", 65536, 1460, 0, 0, true, true,
	  6291456, 212992, 32767, 8388480, 7 },
	/* route initrwnd 10: min(64240, 10 * 1460 = 14600) */
	{ "initrwnd 10", 65536, 1460, 0, 10, true, false,
	  6291456, 212992, 14600, 8388480, 7 },
	/* initrwnd larger than the buffer: no effect */
	{ "initrwnd 100", 65536, 1460, 0, 100, true, false,
	  6291456, 212992, 64240, 8388480, 7 },
	/* no window scaling: shift 0, clamp 65535 */
	{ "no wscale", 65536, 1460, 0, 0, false, false,
	  6291456, 212992, 64240, 65535, 0 },
	/*
	 * A user clamp (TCP_WINDOW_CLAMP) of 20000 bounds the space:
	 * 20000 -> 13 * 1460 = 18980; shift from 20000: ilog2 14 -> 0.
	 */
	{ "user clamp 20000", 65536, 1460, 20000, 0, true, false,
	  6291456, 212992, 18980, 20000, 0 },
	/*
	 * rmem_max above tcp_rmem[2] picks the shift: 16 MiB = 2^24 ->
	 * 9; clamp 65535 << 9 = 33553920.
	 */
	{ "rmem_max 16M", 65536, 1460, 0, 0, true, false,
	  6291456, 16777216, 64240, 33553920, 9 },
	/*
	 * Shift cap: a 2^31 - 1 clamp and tcp_rmem[2]: ilog2 30 - 15 = 15
	 * -> 14; clamp 65535 << 14 = 1073725440.
	 */
	{ "wscale cap", 65536, 1460, 0x7fffffff, 0, true, false,
	  0x7fffffff, 212992, 64240, 1073725440, 14 },
	/*
	 * Without a clamp the shift can reach 14 only through the default
	 * clamp: 65535 << 14 = 1073725440 < 2^30, ilog2 29 -> 14.
	 */
	{ "default clamp", 65536, 1460, 0, 0, true, false,
	  0x7fffffff, 212992, 64240, 1073725440, 14 },
	/* space below one MSS: not rounded */
	{ "tiny space", 1000, 1460, 0, 0, true, false,
	  6291456, 212992, 1000, 8388480, 7 },
	/* space exactly one MSS: not rounded either (space > mss fails) */
	{ "one mss", 1460, 1460, 0, 0, true, false,
	  6291456, 212992, 1460, 8388480, 7 },
	/* negative space counts as 0: window 0 */
	{ "negative space", -5, 1460, 0, 0, true, false,
	  6291456, 212992, 0, 8388480, 7 },
	/* nothing to size the shift on: ilog2(0) avoided, shift 0 */
	{ "all zero", 0, 1460, 0, 0, true, false,
	  0, 0, 0, 65535, 0 },
	/* 65536 = 2^16 exactly: shift 1 (65535 << 0 cannot hold it) */
	{ "2^16", 65536, 1460, 0, 0, true, false,
	  65536, 0, 64240, 131070, 1 },
	/* 65535: shift 0 */
	{ "2^16 - 1", 65536, 1460, 0, 0, true, false,
	  65535, 0, 64240, 65535, 0 },
};

TEST(initial_window_table)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(init_cases); i++) {
		const struct init_case *c = &init_cases[i];
		struct xtcp_rwin_sysctl sys = {
			.tcp_rmem2 = c->rmem2,
			.rmem_max = c->rmem_max,
			.adv_win_scale = 1,
			.workaround_signed_windows = c->signed_workaround,
		};
		u32 rcv_wnd = 0xdeadbeef, clamp = c->clamp;
		u8 wscale = 0xaa;

		xtcp_select_initial_window(c->space, c->mss, &rcv_wnd, &clamp,
					   c->wscale_ok, &wscale,
					   c->init_rcv_wnd, &sys);
		EXPECT_EQ(c->rcv_wnd, rcv_wnd) TH_LOG("%s", c->what);
		EXPECT_EQ(c->window_clamp, clamp) TH_LOG("%s", c->what);
		EXPECT_EQ(c->wscale, wscale) TH_LOG("%s", c->what);
	}
}

TEST(rcvbuf_lock_clamp)
{
	ASSERT_EQ(4096, xtcp_rcvbuf_lock_clamp(0, 4096));	/* none yet */
	ASSERT_EQ(4096, xtcp_rcvbuf_lock_clamp(100000, 4096));	/* larger */
	ASSERT_EQ(3000, xtcp_rcvbuf_lock_clamp(3000, 4096));	/* smaller */
	ASSERT_EQ(4096, xtcp_rcvbuf_lock_clamp(4096, 4096));
}

/* The shift grows by one each time the buffer ceiling doubles. */
TEST(initial_wscale_steps)
{
	struct xtcp_rwin_sysctl sys = defaults;
	unsigned int k;

	for (k = 10; k <= 31; k++) {
		u32 rcv_wnd, clamp = 0;
		u8 wscale;
		/* ilog2(2^k) - 15, within 0 .. 14; 2^30+ hit the clamp */
		int want = k >= 30 ? 14 : (int)k - 15 < 0 ? 0 : (int)k - 15;

		sys.tcp_rmem2 = 1U << k;
		sys.rmem_max = 0;
		xtcp_select_initial_window(65536, 1460, &rcv_wnd, &clamp, true,
					   &wscale, 0, &sys);
		EXPECT_EQ(want, wscale);
		EXPECT_EQ(65535U << want, clamp);
	}
}

/* ---- __tcp_select_window() and tcp_select_window() ---- */

/* An established connection with the defaults: shift 7, buffer 131072. */
static struct xtcp_rwin est7(void)
{
	return (struct xtcp_rwin){
		.rcv_nxt = 1000, .rcv_wup = 1000, .rcv_wnd = 64240,
		.window_clamp = 8388480, .rcv_ssthresh = 64240,
		.rcv_wscale = 7,
	};
}

static struct xtcp_rwin_space buf(int free_space, int allowed)
{
	return (struct xtcp_rwin_space){
		.free_space = free_space, .allowed_space = allowed,
		.rcv_mss = 1460, .advmss = 1460,
	};
}

TEST(select_scaled_sequence)
{
	struct xtcp_rwin w = est7();
	struct xtcp_rwin_space s = buf(65536, 65536);
	bool low = true;

	/*
	 * Empty buffer: min(65536, rcv_ssthresh 64240) = 64240, rounded up
	 * to 128: 502 * 128 = 64256. Field 64256 >> 7 = 502.
	 */
	ASSERT_EQ(502, xtcp_rwin_select_window(&w, &s, &defaults, &low));
	ASSERT_FALSE(low);
	ASSERT_EQ(64256, w.rcv_wnd);
	ASSERT_EQ(1000, w.rcv_wup);

	/*
	 * 10000 bytes arrive and sit in the queue, charged 20000: free =
	 * win_from_space(111072) = 55536 >= 32768; up to 128: 434 * 128 =
	 * 55552; what remains of the last window is 1000 + 64256 - 11000 =
	 * 54256, less: 55552 stands.
	 */
	w.rcv_nxt = 11000;
	s.free_space = xtcp_space(131072, 0, 20000, 1);
	ASSERT_EQ(55536, s.free_space);
	ASSERT_EQ(434, xtcp_rwin_select_window(&w, &s, &defaults, &low));
	ASSERT_EQ(55552, w.rcv_wnd);
	ASSERT_EQ(11000, w.rcv_wup);

	/*
	 * 5000 more arrive; free 40000 -> 313 * 128 = 40064, but 50552 of
	 * the last window remain: offered again, rounded up to 128: 395 *
	 * 128 = 50560. The right edge 16000 + 50560 = 66560 is not left of
	 * the last one, 11000 + 55552 = 66552.
	 */
	w.rcv_nxt = 16000;
	s.free_space = 40000;
	ASSERT_EQ(395, xtcp_rwin_select_window(&w, &s, &defaults, &low));
	ASSERT_FALSE(low);
	ASSERT_EQ(50560, w.rcv_wnd);
	ASSERT_EQ(16000, w.rcv_wup);
}

TEST(select_low_space)
{
	struct xtcp_rwin w = est7();
	struct xtcp_rwin_space s = buf(20000, 65536);
	bool low = false;

	/*
	 * Under half free: round_down(20000, 128) = 19968 (156 units), not
	 * below 65536 / 16 = 4096 nor 1460: min with 64240, ALIGN stays.
	 */
	ASSERT_EQ(19968, __xtcp_rwin_select_window(&w, &s, 1, &low));
	ASSERT_TRUE(low);
	ASSERT_EQ(64240, w.rcv_ssthresh);

	/* Under memory pressure rcv_ssthresh drops to 4 * 1460 = 5840, up to
	 * 128: 46 * 128 = 5888.
	 */
	s.memory_pressure = true;
	ASSERT_EQ(5888, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	ASSERT_EQ(5840, w.rcv_ssthresh);

	/* ... but not below SO_RESERVE_MEM still unused: 30000 -> 15000,
	 * min(19968, 15000) up to 128: 118 * 128 = 15104.
	 */
	w.rcv_ssthresh = 64240;
	s.unused_mem = 30000;
	ASSERT_EQ(15104, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	ASSERT_EQ(15000, w.rcv_ssthresh);

	/* Below 1/16 of the buffer: 4000 -> 3968 < 4096: zero. */
	w = est7();
	s = buf(4000, 65536);
	ASSERT_EQ(0, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	/* 4200 -> 4096, not below 4096 nor 1460: 4096 */
	s.free_space = 4200;
	ASSERT_EQ(4096, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	/* Negative free space: zero. */
	s.free_space = -452;
	ASSERT_EQ(0, __xtcp_rwin_select_window(&w, &s, 1, NULL));

	/*
	 * A small buffer, unscaled: allowed 16000, 1/16 = 1000 < mss 1460;
	 * free 1400 < 1460: zero. (free 1500 is not: 1460 * 1 = 1460.)
	 */
	w.rcv_wscale = 0;
	w.rcv_wnd = 5000;
	s = buf(1400, 16000);
	ASSERT_EQ(0, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	s.free_space = 1500;
	ASSERT_EQ(1460, __xtcp_rwin_select_window(&w, &s, 1, NULL));
}

TEST(select_zero_window)
{
	struct xtcp_rwin w = est7();
	struct xtcp_rwin_space s = buf(3000, 65536);

	/* Window not used up: 3000 -> 2944 < 4096 gives 0, but the 1000
	 * bytes still open are offered again: ALIGN(1000, 128) = 1024, 8.
	 */
	w.rcv_nxt = w.rcv_wup + w.rcv_wnd - 1000;
	ASSERT_EQ(8, xtcp_rwin_select_window(&w, &s, &defaults, NULL));
	ASSERT_EQ(1024, w.rcv_wnd);

	/* All of it used: zero window, rcv_wnd 0. */
	w.rcv_nxt += 1024;
	ASSERT_EQ(0, xtcp_rwin_select_window(&w, &s, &defaults, NULL));
	ASSERT_EQ(0, w.rcv_wnd);
	ASSERT_EQ(w.rcv_nxt, w.rcv_wup);

	/* Space back: window reopens at min(65536, 64240) -> 64256. */
	s.free_space = 65536;
	ASSERT_EQ(502, xtcp_rwin_select_window(&w, &s, &defaults, NULL));

	/* A peer past the right edge (overrun): cur window reads 0. */
	w.rcv_nxt = w.rcv_wup + w.rcv_wnd + 10;
	ASSERT_EQ(0, xtcp_receive_window(&w));
}

TEST(select_unscaled_mss_rounding)
{
	/* SO_RCVBUF 4096: full space 4096, clamp 4096, rcv_wnd 2920. */
	struct xtcp_rwin w = {
		.rcv_nxt = 1, .rcv_wup = 1, .rcv_wnd = 2920,
		.window_clamp = 4096, .rcv_ssthresh = 2920,
	};
	struct xtcp_rwin_space s = buf(4096, 4096);

	/* min(4096, 2920) = 2920; 2920 is within one MSS of it: kept. */
	ASSERT_EQ(2920, xtcp_rwin_select_window(&w, &s, &defaults, NULL));
	/*
	 * 1000 bytes arrive, 2500 free (>= 2048): window 2920 > 2500 ->
	 * rounddown(2500, 1460) = 1460; but 1920 remain offered: 1920.
	 */
	w.rcv_nxt += 1000;
	s.free_space = 2500;
	ASSERT_EQ(1920, xtcp_rwin_select_window(&w, &s, &defaults, NULL));
	ASSERT_EQ(1920, w.rcv_wnd);
	/*
	 * All of it used, still 2500 free: 1920 > 2500 - 1460 = 1040 and
	 * <= 2500, within one MSS of the free space: 1920 kept.
	 */
	w.rcv_nxt += 1920;
	ASSERT_EQ(0, xtcp_receive_window(&w));
	ASSERT_EQ(1920, xtcp_rwin_select_window(&w, &s, &defaults, NULL));
	/*
	 * Window 1460 with free 2920: 1460 <= 2920 - 1460: rounddown to
	 * 2920. Window 1460 with free 2900: 1460 > 1440 and <= 2900: kept.
	 */
	w.rcv_wnd = 1460;
	s.free_space = 2900;
	ASSERT_EQ(1460, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	s.free_space = 2920;
	ASSERT_EQ(2920, __xtcp_rwin_select_window(&w, &s, 1, NULL));
}

TEST(select_mss_is_whole_buffer)
{
	/* Buffer of 1000 window bytes below one 1460 MSS: mss -> 1000. */
	struct xtcp_rwin w = {
		.rcv_wnd = 400, .window_clamp = 100000, .rcv_ssthresh = 100000,
	};
	struct xtcp_rwin_space s = buf(1000, 1000);

	/* 400 > 1000 - 1000 and <= 1000; mss == full and 1000 > 400 + 500:
	 * the whole 1000.
	 */
	ASSERT_EQ(1000, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	/* 600: 1000 > 600 + 500 fails: 600 kept. */
	w.rcv_wnd = 600;
	ASSERT_EQ(600, __xtcp_rwin_select_window(&w, &s, 1, NULL));
	/* No buffer at all: 0. */
	s.allowed_space = 0;
	ASSERT_EQ(0, __xtcp_rwin_select_window(&w, &s, 1, NULL));
}

TEST(select_field_caps)
{
	/* Unscaled, clamp 65535, big buffer: rcv_wnd 65535. */
	struct xtcp_rwin w = {
		.rcv_wnd = 65535, .window_clamp = 65535, .rcv_ssthresh = 65535,
	};
	struct xtcp_rwin_space s = buf(200000, 200000);
	struct xtcp_rwin_sysctl sys = defaults;

	ASSERT_EQ(65535, xtcp_rwin_select_window(&w, &s, &sys, NULL));
	/* tcp_workaround_signed_windows: field 32767, rcv_wnd still 65535 */
	sys.workaround_signed_windows = true;
	ASSERT_EQ(32767, xtcp_rwin_select_window(&w, &s, &sys, NULL));
	ASSERT_EQ(65535, w.rcv_wnd);

	/*
	 * Shift 2 with a clamp grown past 65535 << 2 = 262140 (auto-tuning
	 * sets it without the cap): 400000 is kept in rcv_wnd, the field
	 * says 65535. The signed workaround does not apply when scaled.
	 */
	w = (struct xtcp_rwin){
		.window_clamp = 400000, .rcv_ssthresh = 400000,
		.rcv_wscale = 2,
	};
	s = buf(400000, 400000);
	ASSERT_EQ(65535, xtcp_rwin_select_window(&w, &s, &sys, NULL));
	ASSERT_EQ(400000, w.rcv_wnd);

	/* Shift 14: 1073725440 >> 14 = 65535 */
	w = (struct xtcp_rwin){
		.window_clamp = 0x7fffffff, .rcv_ssthresh = 0x7fffffff,
		.rcv_wscale = 14,
	};
	s = buf(0x7fffffff, 0x7fffffff);
	ASSERT_EQ(65535, xtcp_rwin_select_window(&w, &s, &sys, NULL));
	/* ALIGN(2^31 - 1, 2^14) = 2^31 */
	ASSERT_EQ(0x80000000U, w.rcv_wnd);
}

/*
 * Random traffic on a connection: data arrives (never past the window),
 * the application reads some, the buffer charges truesize. Whatever
 * happens, the right edge never moves left, a scaled window is a multiple
 * of the unit, and the field is exactly the window scaled down while the
 * clamp keeps it in range.
 */
TEST(select_never_shrinks_random)
{
	unsigned int round, step;

	for (round = 0; round < 200; round++) {
		int rcvbuf = 4096 + (int)rnd_below(1 << 22);
		int scale = (int)rnd_below(5) - 2;	/* -2 .. 2 */
		int full = xtcp_full_space(rcvbuf, scale);
		struct xtcp_rwin_sysctl sys = defaults;
		struct xtcp_rwin w = { .rcv_nxt = rnd32() };
		int queued = 0;
		u32 mss = 536 + rnd_below(9000 - 536);
		u8 wscale;

		sys.adv_win_scale = scale;
		sys.workaround_signed_windows = rnd_below(2);
		sys.tcp_rmem2 = (u32)rcvbuf;
		xtcp_select_initial_window(full, mss, &w.rcv_wnd,
					   &w.window_clamp, rnd_below(4) != 0,
					   &wscale, 0, &sys);
		w.rcv_wscale = wscale;
		w.rcv_ssthresh = w.rcv_wnd;
		w.rcv_wup = w.rcv_nxt;

		for (step = 0; step < 300; step++) {
			struct xtcp_rwin_space s = {
				.rcv_mss = (int)mss, .advmss = mss,
				.allowed_space = full,
				.memory_pressure = rnd_below(8) == 0,
			};
			u32 open = xtcp_receive_window(&w);
			u32 edge = w.rcv_wup + w.rcv_wnd;
			u32 in = rnd_below(open + 1), unit;
			u16 field;

			/* arrive, charged about twice (truesize), read */
			w.rcv_nxt += in;
			queued += 2 * (int)in;
			queued -= (int)rnd_below((u32)queued + 1);
			s.free_space = xtcp_space(rcvbuf, 0, queued, scale);
			/* rcv_ssthresh grows, never past the clamp */
			if (rnd_below(4) == 0) {
				w.rcv_ssthresh += mss;
				if (w.rcv_ssthresh > w.window_clamp)
					w.rcv_ssthresh = w.window_clamp;
			}

			field = xtcp_rwin_select_window(&w, &s, &sys, NULL);
			unit = 1U << w.rcv_wscale;

			ASSERT_EQ(w.rcv_nxt, w.rcv_wup);
			/* right edge not left of the last one */
			ASSERT_GE((s32)(w.rcv_wup + w.rcv_wnd - edge), 0);
			/* a multiple of the unit (trivially so unscaled) */
			ASSERT_EQ(0, w.rcv_wnd % unit);
			if (!w.rcv_wscale && sys.workaround_signed_windows) {
				ASSERT_EQ(w.rcv_wnd < 32767 ? w.rcv_wnd : 32767,
					  field);
			} else if (w.rcv_wnd <= 65535U << w.rcv_wscale) {
				ASSERT_EQ(w.rcv_wnd >> w.rcv_wscale, field);
			}
			/* never more than the clamp, rounded up to the unit */
			ASSERT_LE(w.rcv_wnd, (w.window_clamp + unit - 1) &
					     ~(unit - 1));
		}
	}
}

/* ---- tcp_rcv_space_adjust() ---- */

/*
 * Truesize of a 1460-byte segment with headers on x86_64 6.1: 1460 +
 * MAX_TCP_HEADER 320 + sk_buff 256 + skb_shared_info 320 = 2356. Any value
 * would do for the arithmetic; this one is realistic.
 */
#define SEG_TRUESIZE	2356

TEST(rcvmem_steps)
{
	/*
	 * adv_win_scale 1: 2356 -> window 1178 < 1460; +128 steps: 2484
	 * (1242), 2612 (1306), 2740 (1370), 2868 (1434), 2996 (1498).
	 */
	ASSERT_EQ(2996, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, 1));
	/* adv_win_scale 2: 2356 - 589 = 1767 >= 1460: as is */
	ASSERT_EQ(2356, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, 2));
	/*
	 * adv_win_scale -2: need space >> 2 >= 1460, space >= 5840:
	 * 2356 + 28 * 128 = 5940 (27 steps: 5812 >> 2 = 1453 < 1460).
	 */
	ASSERT_EQ(5940, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, -2));
	/* adv_win_scale 0: space >= 1460 already */
	ASSERT_EQ(2356, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, 0));
	/* -21: 1460 << 21 > INT_MAX: Linux loops forever; saturate */
	ASSERT_EQ(0x7fffffff, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, -21));
	ASSERT_EQ(0x7fffffff, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, -31));
	/* -20: 1460 << 20 = 1530920960; (1530920960 - 2356) / 128 =
	 * 11960301.59..., 11960302 steps -> 2356 + 1530918656.
	 */
	ASSERT_EQ(1530921012, xtcp_rwin_rcv_space_rcvmem(SEG_TRUESIZE, 1460, -20));
}

/* tcp_rcv_space_adjust() with the segment truesize above. */
static bool adjust(u32 copied, u32 *space, u16 advmss, bool locked,
		   int *rcvbuf, u32 *clamp, const struct xtcp_rwin_sysctl *sys)
{
	return xtcp_rwin_rcv_space_adjust(copied, space, advmss, SEG_TRUESIZE,
					  locked, rcvbuf, clamp, sys);
}

TEST(rcv_space_adjust_table)
{
	u32 space = 14600, clamp = 7777;
	int rcvbuf = 131072;

	/*
	 * Copied 29200 after 14600 (10 * advmss, the initial measure):
	 * rcvwin = 2 * 29200 + 16 * 1460 = 81760; grow = 81760 * 14600 /
	 * 14600 = 81760; rcvwin = 81760 + 163520 = 245280 = 168 segments;
	 * 168 * 2996 = 503328 < 6291456, > 131072: taken. Clamp
	 * 503328 / 2 = 251664.
	 */
	ASSERT_TRUE(adjust(29200, &space, 1460, false, &rcvbuf, &clamp,
			   &defaults));
	ASSERT_EQ(503328, rcvbuf);
	ASSERT_EQ(251664, clamp);
	ASSERT_EQ(29200, space);

	/* Not more than last time: nothing, not even the measure. */
	ASSERT_FALSE(adjust(29200, &space, 1460, false, &rcvbuf, &clamp,
			    &defaults));
	ASSERT_EQ(29200, space);
	ASSERT_EQ(503328, rcvbuf);

	/*
	 * 30000 after 29200: rcvwin = 60000 + 23360 = 83360; grow =
	 * 83360 * 800 / 29200 = 2283 (2283.8); rcvwin 83360 + 4566 = 87926
	 * = 60 segments (60.2); 60 * 2996 = 179760 < 503328: the buffer
	 * does not shrink, but the measure moves to 30000.
	 */
	ASSERT_FALSE(adjust(30000, &space, 1460, false, &rcvbuf, &clamp,
			    &defaults));
	ASSERT_EQ(503328, rcvbuf);
	ASSERT_EQ(251664, clamp);
	ASSERT_EQ(30000, space);

	/*
	 * 4000000 after 2000000: rcvwin = 8000000 + 23360 = 8023360, grow
	 * the same, rcvwin 24070080 = 16486 segments; * 2996 = 49392056:
	 * capped at tcp_rmem[2] 6291456, clamp 3145728.
	 */
	space = 2000000;
	ASSERT_TRUE(adjust(4000000, &space, 1460, false, &rcvbuf, &clamp,
			   &defaults));
	ASSERT_EQ(6291456, rcvbuf);
	ASSERT_EQ(3145728, clamp);
	ASSERT_EQ(4000000, space);
}

TEST(rcv_space_adjust_off)
{
	struct xtcp_rwin_sysctl sys = defaults;
	u32 space = 14600, clamp = 7777;
	int rcvbuf = 131072;

	/* SO_RCVBUF set: buffer and clamp stay, the measure moves. */
	ASSERT_FALSE(adjust(29200, &space, 1460, true, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(131072, rcvbuf);
	ASSERT_EQ(7777, clamp);
	ASSERT_EQ(29200, space);

	/*
	 * Exactly as much as last time is no growth: 100000 again would
	 * size 2 * 100000 + 23360 = 223360 = 152 segments, 455392 bytes,
	 * more than 131072, yet Linux does not look (copied <= space).
	 */
	space = 100000;
	ASSERT_FALSE(adjust(100000, &space, 1460, false, &rcvbuf, &clamp,
			    &sys));
	ASSERT_EQ(131072, rcvbuf);
	ASSERT_EQ(100000, space);

	/* tcp_moderate_rcvbuf 0: the same. */
	sys.moderate_rcvbuf = false;
	space = 14600;
	ASSERT_FALSE(adjust(29200, &space, 1460, false, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(131072, rcvbuf);
	ASSERT_EQ(29200, space);
}

TEST(rcv_space_adjust_scales)
{
	struct xtcp_rwin_sysctl sys = defaults;
	u32 space = 14600, clamp = 0;
	int rcvbuf = 131072;

	/*
	 * adv_win_scale -2, same traffic: 168 segments * 5940 = 997920;
	 * clamp 997920 >> 2 = 249480.
	 */
	sys.adv_win_scale = -2;
	ASSERT_TRUE(adjust(29200, &space, 1460, false, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(997920, rcvbuf);
	ASSERT_EQ(249480, clamp);

	/* -25 (Linux: endless loop): straight to tcp_rmem[2] */
	sys.adv_win_scale = -25;
	space = 14600;
	rcvbuf = 131072;
	ASSERT_TRUE(adjust(29200, &space, 1460, false, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(6291456, rcvbuf);
	ASSERT_EQ(0, clamp);	/* 6291456 >> 25 */
}

TEST(rcv_space_adjust_extremes)
{
	struct xtcp_rwin_sysctl sys = defaults;
	u32 space = 1, clamp = 0;
	int rcvbuf = 4096;

	/*
	 * copied 2^32 - 1 after 1: Linux's rcvwin * (copied - space)
	 * would overflow u64; the answer is tcp_rmem[2] anyway.
	 */
	ASSERT_TRUE(adjust(0xffffffff, &space, 1460, false, &rcvbuf, &clamp,
			   &sys));
	ASSERT_EQ(6291456, rcvbuf);

	/* space 0 (Linux divides by zero): taken as 1, still the cap. */
	space = 0;
	rcvbuf = 4096;
	ASSERT_TRUE(adjust(100000, &space, 1460, false, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(6291456, rcvbuf);
	ASSERT_EQ(100000, space);

	/*
	 * Small growth, advmss 1: copied 3 after 2: rcvwin = 6 + 16 = 22,
	 * grow = 22 * 1 / 2 = 11, rcvwin 44 segments; rcvmem for advmss 1
	 * with scale 1 is 2356: 44 * 2356 = 103664.
	 */
	space = 2;
	rcvbuf = 4096;
	ASSERT_TRUE(adjust(3, &space, 1, false, &rcvbuf, &clamp, &sys));
	ASSERT_EQ(103664, rcvbuf);
	ASSERT_EQ(51832, clamp);

	/* tcp_rmem[2] above INT_MAX counts as INT_MAX. */
	sys.tcp_rmem2 = 0xffffffff;
	space = 1;
	rcvbuf = 4096;
	ASSERT_TRUE(adjust(0xffffffff, &space, 1460, false, &rcvbuf, &clamp,
			   &sys));
	ASSERT_EQ(0x7fffffff, rcvbuf);
}

TEST(rcv_space_due)
{
	/* rtt_us in 1/8 us: 800 = 100 us */
	ASSERT_FALSE(xtcp_rwin_rcv_space_due(99, 800));
	ASSERT_TRUE(xtcp_rwin_rcv_space_due(100, 800));
	ASSERT_TRUE(xtcp_rwin_rcv_space_due(5000, 800));
	/* no estimate yet: never */
	ASSERT_FALSE(xtcp_rwin_rcv_space_due(1000000, 0));
	/* under 1 us: any time */
	ASSERT_TRUE(xtcp_rwin_rcv_space_due(0, 7));
}

TEST(rcv_rtt_update_table)
{
	/* The first sample is taken whole: 1000 us -> 8000 in 1/8 us. */
	ASSERT_EQ(8000, xtcp_rcv_rtt_update(0, 1000, true));
	ASSERT_EQ(8000, xtcp_rcv_rtt_update(0, 1000, false));
	/* A smaller one replaces it, either kind: 500 us -> 4000. */
	ASSERT_EQ(4000, xtcp_rcv_rtt_update(8000, 500, true));
	ASSERT_EQ(4000, xtcp_rcv_rtt_update(8000, 500, false));
	/* A larger window sample is ignored... */
	ASSERT_EQ(8000, xtcp_rcv_rtt_update(8000, 2000, true));
	/* ...a larger timestamp one moves it by an eighth:
	 * 8000 - 1000 + 2000 = 9000 (1125 us).
	 */
	ASSERT_EQ(9000, xtcp_rcv_rtt_update(8000, 2000, false));
	/* An equal one: 8000 - 1000 + 1000, unchanged. */
	ASSERT_EQ(8000, xtcp_rcv_rtt_update(8000, 1000, false));
	/* No overflow: a sample of U32_MAX us is clamped. */
	ASSERT_EQ(0xffffffffu, xtcp_rcv_rtt_update(0, 0xffffffffu, false));
	ASSERT_EQ(0xffffffffu,
		  xtcp_rcv_rtt_update(0xffffffffu, 0xffffffffu, false));
}

/* Timestamp samples converge on a steady RTT from above and below, and
 * window samples only ever lower the estimate.
 */
TEST(rcv_rtt_update_converges)
{
	u32 up = 0, down = 0, win = 0, i, prev;

	up = xtcp_rcv_rtt_update(up, 100, false);
	down = xtcp_rcv_rtt_update(down, 100000, false);
	for (i = 0; i < 200; i++) {
		up = xtcp_rcv_rtt_update(up, 10000, false);
		down = xtcp_rcv_rtt_update(down, 10000, false);
	}
	/* From below the first larger sample... each step closes an eighth
	 * of the gap: within 1% after 200 steps.
	 */
	ASSERT_LE(79200, up);
	ASSERT_GE(80800, up);
	/* From above: the first smaller sample takes over at once. */
	ASSERT_EQ(80000, down);
	for (i = 0; i < 1000; i++) {
		prev = win;
		win = xtcp_rcv_rtt_update(win, 1 + rnd_below(100000), true);
		ASSERT_TRUE(prev == 0 || win <= prev);
	}
}

/* The buffer only grows, never past max(start, tcp_rmem[2]). */
TEST(rcv_space_adjust_random)
{
	unsigned int round, step;

	for (round = 0; round < 200; round++) {
		struct xtcp_rwin_sysctl sys = defaults;
		u32 space = 1 + rnd_below(100000), clamp = 0;
		int rcvbuf = 4096 + (int)rnd_below(1 << 20);
		int start = rcvbuf;
		u16 advmss = (u16)(88 + rnd_below(65535 - 88));

		sys.adv_win_scale = (int)rnd_below(63) - 31;
		sys.tcp_rmem2 = 4096 + rnd_below(1 << 26);
		for (step = 0; step < 50; step++) {
			u32 copied = rnd_below(2) ? rnd32() : rnd_below(200000);
			u32 old_space = space;
			int old = rcvbuf;
			bool grown;

			grown = adjust(copied, &space, advmss, false, &rcvbuf,
				       &clamp, &sys);
			ASSERT_GE(rcvbuf, old);
			ASSERT_EQ(grown, rcvbuf != old);
			ASSERT_LE((u32)rcvbuf, sys.tcp_rmem2 > (u32)start ?
					       sys.tcp_rmem2 : (u32)start);
			ASSERT_EQ(copied > old_space ? copied : old_space,
				  space);
			if (grown) {
				u32 want = (u32)xtcp_win_from_space(rcvbuf,
							sys.adv_win_scale);

				ASSERT_EQ(want, clamp);
			}
		}
	}
}

TEST_HARNESS_MAIN
