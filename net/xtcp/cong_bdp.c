// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bdp: an example rate-based congestion control module for xtcp,
 * written against the ->cong_control hook and its delivery-rate samples
 * (include/net/xtcp_rate.h), as Linux's tcp_bbr is written against
 * struct rate_sample.  Far simpler than BBR: no pacing, no probing
 * cycles; it shows what the hooks give.
 *
 * The bottleneck bandwidth is the largest delivery rate of the last
 * XTCP_BDP_BW_ROUNDS rounds (a round: the flight sent after a delivery
 * is delivered, counted with the delivered count as BBR counts them);
 * an application-limited sample counts only when it is larger.  Startup
 * grows cwnd by what each ACK delivered, doubling it per round, while it
 * is below three times the bandwidth-delay product (that bandwidth times
 * the minimum RTT), until the bandwidth grew by less than a quarter for
 * three rounds that were not application-limited.  From then on cwnd
 * grows to XTCP_BDP_CWND_GAIN times the product and no further, at least
 * XTCP_BDP_MIN_CWND: the path's pipe plus as much again queued, rather
 * than a full buffer.  A
 * loss changes none of it (->ssthresh keeps ssthresh); after an RTO
 * (->set_state: Loss) cwnd grows back by what is delivered.
 *
 * The hooks are pure code, also built by selftests/host; the module
 * glue is kernel-only.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/types.h>
#include <linux/win_minmax.h>
#include <net/xtcp_cong.h>

#define XTCP_BDP_BW_ROUNDS	10U	/* rounds the bandwidth is kept */
#define XTCP_BDP_BW_SHIFT	24	/* bandwidth: segments/us << this */
#define XTCP_BDP_CWND_GAIN	2U
#define XTCP_BDP_STARTUP_GAIN	3U	/* BBR's 2.89, rounded */
#define XTCP_BDP_IW		10U	/* segments delivered before targets */
#define XTCP_BDP_MIN_CWND	4U
#define XTCP_BDP_FULL_ROUNDS	3U	/* rounds without 25% growth */

struct xtcp_bdp {
	struct minmax bw;		/* segments/us << BW_SHIFT, by round */
	u32 round;			/* rounds counted */
	u32 next_round_delivered;	/* delivered count ending the round */
	u32 full_bw;			/* bandwidth startup last grew to */
	u8 full_bw_cnt;			/* rounds since, without 25% more */
	bool full;			/* startup is over */
	u8 state;			/* enum xtcp_ca_state last reported */
	u8 losses;			/* Loss states entered (saturates) */
};

static struct xtcp_bdp *xtcp_bdp(struct xtcp_cong *ca)
{
	BUILD_BUG_ON(sizeof(struct xtcp_bdp) > sizeof(ca->priv));
	return (struct xtcp_bdp *)ca->priv;
}

static void xtcp_bdp_init(struct xtcp_cong *ca, u32 now_ms)
{
	*xtcp_bdp(ca) = (struct xtcp_bdp){};
}

/* A loss is not a signal of its own here: ssthresh stays. */
static u32 xtcp_bdp_ssthresh(struct xtcp_cong *ca, u32 wnd, u32 now_ms)
{
	return ca->ssthresh;
}

static u32 xtcp_bdp_undo_cwnd(struct xtcp_cong *ca, u32 prior_cwnd)
{
	return ca->cwnd;
}

static void xtcp_bdp_set_state(struct xtcp_cong *ca, u8 new_state)
{
	struct xtcp_bdp *b = xtcp_bdp(ca);

	if (new_state == XTCP_CA_LOSS && b->losses < 0xff)
		b->losses++;
	b->state = new_state;
}

/* The cwnd the model asks for: @gain times bandwidth times min_rtt; 0
 * before both are known.
 */
static u32 xtcp_bdp_target(const struct xtcp_bdp *b, u32 min_rtt_us,
			   u32 gain)
{
	u64 bdp;

	if (min_rtt_us == ~0U || !minmax_get(&b->bw))
		return 0;
	bdp = ((u64)minmax_get(&b->bw) * min_rtt_us) >> XTCP_BDP_BW_SHIFT;
	bdp *= gain;
	return bdp < XTCP_BDP_MIN_CWND ? XTCP_BDP_MIN_CWND :
	       bdp > U32_MAX ? U32_MAX : (u32)bdp;
}

/* Startup ends once the bandwidth stopped growing by a quarter a round
 * (BBR's full-pipe test).
 */
static void xtcp_bdp_check_full(struct xtcp_bdp *b)
{
	u32 bw = minmax_get(&b->bw);

	if (b->full)
		return;
	if ((u64)bw * 4 >= (u64)b->full_bw * 5) {
		b->full_bw = bw;
		b->full_bw_cnt = 0;
		return;
	}
	if (++b->full_bw_cnt >= XTCP_BDP_FULL_ROUNDS)
		b->full = true;
}

static void xtcp_bdp_cong_control(struct xtcp_cong *ca,
				  const struct xtcp_rate_sample *rs,
				  const struct xtcp_cong_conn *conn)
{
	struct xtcp_bdp *b = xtcp_bdp(ca);
	bool round_start = false;
	u32 target;
	u64 cwnd;

	if (rs->delivered >= 0 &&
	    (s32)(rs->prior_delivered - b->next_round_delivered) >= 0) {
		b->next_round_delivered = conn->delivered;
		b->round++;
		round_start = true;
	}
	if (rs->delivered > 0 && rs->interval_us > 0) {
		u64 bw = div_u64((u64)rs->delivered << XTCP_BDP_BW_SHIFT,
				 (u32)rs->interval_us);

		if (bw > U32_MAX)
			bw = U32_MAX;
		if (!rs->is_app_limited || bw >= minmax_get(&b->bw))
			minmax_running_max(&b->bw, XTCP_BDP_BW_ROUNDS, b->round,
					   (u32)bw);
	}
	/* An app-limited round says nothing of the pipe (BBR's
	 * bbr_check_full_bw_reached()).
	 */
	if (round_start && !rs->is_app_limited)
		xtcp_bdp_check_full(b);

	/* Startup grows by what was delivered while below its own, larger
	 * target (or before a window's worth was delivered); then cwnd
	 * grows to the target and no further (bbr_set_cwnd()).
	 */
	target = xtcp_bdp_target(b, conn->min_rtt_us,
				 b->full ? XTCP_BDP_CWND_GAIN :
					   XTCP_BDP_STARTUP_GAIN);
	cwnd = ca->cwnd;
	if (b->full) {
		cwnd += rs->acked_sacked;
		if (target && cwnd > target)
			cwnd = target;
	} else if (cwnd < target || conn->delivered < XTCP_BDP_IW) {
		cwnd += rs->acked_sacked;
	}
	if (cwnd < XTCP_BDP_MIN_CWND)
		cwnd = XTCP_BDP_MIN_CWND;
	ca->cwnd = cwnd < ca->cwnd_clamp ? (u32)cwnd : ca->cwnd_clamp;
}

/**
 * xtcp_bdp_get_info() - what xtcp_bdp measured, for inspection
 * @ca:          a connection's congestion state, driven by xtcp_bdp
 * @bw_seg_s:    the bottleneck bandwidth, segments per second
 * @full:        whether startup is over
 * @rounds:      rounds counted
 * @losses:      Loss states entered, as ->set_state reported them
 *
 * For the host unit tests.  Context: any; pure logic.
 */
void xtcp_bdp_get_info(struct xtcp_cong *ca, u64 *bw_seg_s, bool *full,
		       u32 *rounds, u32 *losses)
{
	struct xtcp_bdp *b = xtcp_bdp(ca);

	*bw_seg_s = ((u64)minmax_get(&b->bw) * 1000000ULL) >>
		    XTCP_BDP_BW_SHIFT;
	*full = b->full;
	*rounds = b->round;
	*losses = b->losses;
}

struct xtcp_cong_ops xtcp_cong_bdp = {
	.name		= "bdp",
	.owner		= THIS_MODULE,
	.init		= xtcp_bdp_init,
	.ssthresh	= xtcp_bdp_ssthresh,
	.undo_cwnd	= xtcp_bdp_undo_cwnd,
	.set_state	= xtcp_bdp_set_state,
	.cong_control	= xtcp_bdp_cong_control,
};

#ifdef __KERNEL__
#include <linux/module.h>

static int __init xtcp_bdp_register(void)
{
	return xtcp_register_congestion_control(&xtcp_cong_bdp);
}

static void __exit xtcp_bdp_unregister(void)
{
	xtcp_unregister_congestion_control(&xtcp_cong_bdp);
}

module_init(xtcp_bdp_register);
module_exit(xtcp_bdp_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp example congestion control: cwnd from the delivery rate");
#endif /* __KERNEL__ */
