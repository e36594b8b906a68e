// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_scalable: an example congestion control module for xtcp, Scalable
 * TCP (T. Kelly, "Scalable TCP: Improving Performance in Highspeed Wide
 * Area Networks", 2003; Linux has it as tcp_scalable).
 *
 * In congestion avoidance cwnd grows by one segment per 100 segments
 * ACKed once it holds 100 or more (Reno's one per cwnd below), so the
 * time to regain a loss does not grow with the window; a congestion
 * event takes an eighth off: ssthresh = cwnd - cwnd / 8, at least 2.
 * Slow start, recovery and undo are the caller's, as for Reno.
 *
 * How to write one: fill a struct xtcp_cong_ops with the hooks
 * (include/net/xtcp_cong.h says when each is called and what it may
 * change), set .owner = THIS_MODULE, register it at module init and
 * unregister it at exit.  A socket or namespace default using it pins
 * the module.  Name the module xtcp_NAME: TCP_CONGESTION "NAME" or
 * net.xtcp.tcp_congestion_control then loads it on demand (for
 * CAP_NET_ADMIN), as Linux loads tcp_NAME.
 *
 * The hooks are pure code, also built by selftests/host; the module
 * glue is kernel-only.
 */
#include <linux/export.h>
#include <linux/types.h>
#include <net/xtcp_cong.h>

#define XTCP_SCALABLE_AI_CNT	100U	/* segments ACKed per segment added */
#define XTCP_SCALABLE_MD_SHIFT	3	/* 1/8 off per congestion event */

static void xtcp_scalable_init(struct xtcp_cong *ca, u32 now_ms)
{
	ca->cwnd_cnt = 0;
}

static u32 xtcp_scalable_ssthresh(struct xtcp_cong *ca, u32 wnd,
				  u32 now_ms)
{
	u32 ssthresh = ca->cwnd - (ca->cwnd >> XTCP_SCALABLE_MD_SHIFT);

	return ssthresh > XTCP_CONG_MIN_SSTHRESH ? ssthresh :
						   XTCP_CONG_MIN_SSTHRESH;
}

static void xtcp_scalable_cong_avoid(struct xtcp_cong *ca, u32 acked,
				     bool cwnd_limited, u32 now_ms,
				     u32 rtt_us)
{
	if (!cwnd_limited)
		return;
	if (xtcp_cong_in_slow_start(ca)) {
		acked = xtcp_cong_slow_start(ca, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(ca, ca->cwnd < XTCP_SCALABLE_AI_CNT ?
			   ca->cwnd : XTCP_SCALABLE_AI_CNT, acked);
}

struct xtcp_cong_ops xtcp_cong_scalable = {
	.name		= "scalable",
	.owner		= THIS_MODULE,
	.init		= xtcp_scalable_init,
	.ssthresh	= xtcp_scalable_ssthresh,
	.cong_avoid	= xtcp_scalable_cong_avoid,
	.undo_cwnd	= xtcp_cong_reno_undo_cwnd,
};

#ifdef __KERNEL__
#include <linux/module.h>

static int __init xtcp_scalable_register(void)
{
	return xtcp_register_congestion_control(&xtcp_cong_scalable);
}

static void __exit xtcp_scalable_unregister(void)
{
	xtcp_unregister_congestion_control(&xtcp_cong_scalable);
}

module_init(xtcp_scalable_register);
module_exit(xtcp_scalable_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp example congestion control: Scalable TCP");
#endif /* __KERNEL__ */
