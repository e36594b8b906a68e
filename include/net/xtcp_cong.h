/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp congestion control: state, algorithm hooks and shared helpers.
 *
 * Everything declared here is "pure": it touches only struct xtcp_cong and
 * its arguments, never a socket, a clock or a lock. The same objects are
 * built into the kernel module and into the host unit tests
 * (selftests/host), so an algorithm must include nothing beyond
 * <linux/types.h>, <linux/kernel.h>, <linux/math64.h> and project headers.
 *
 * Units: windows and ACK counts are in segments (SMSS-sized, like Linux's
 * snd_cwnd), times are u32 milliseconds from any free-running clock (only
 * differences are used, so wraparound is harmless for gaps below ~24 days),
 * RTTs are in microseconds.
 */
#ifndef _NET_XTCP_CONG_H
#define _NET_XTCP_CONG_H

#include <linux/types.h>
#include <net/xtcp_rate.h>

struct module;

#define XTCP_CONG_NAME_MAX	16
/* 104 bytes of private state, Linux's ICSK_CA_PRIV_SIZE. */
#define XTCP_CONG_PRIV_U64S	13
/* "Arbitrarily high" initial ssthresh (RFC 5681 s.3.1), same as Linux. */
#define XTCP_INFINITE_SSTHRESH	0x7fffffff
/* xtcp_cong_ops.flags: any user may select it with TCP_CONGESTION (it is
 * in net.xtcp.tcp_allowed_congestion_control), Linux's
 * TCP_CONG_NON_RESTRICTED.
 */
#define XTCP_CONG_NON_RESTRICTED	0x1
/* A loss never takes ssthresh below two segments (RFC 5681 eq. 4). */
#define XTCP_CONG_MIN_SSTHRESH	2

/* Congestion state the algorithm reads and writes (owned by the caller). */
struct xtcp_cong {
	u32 cwnd;		/* congestion window, segments, >= 1 */
	u32 ssthresh;		/* slow-start threshold, segments */
	u32 cwnd_cnt;		/* additive-increase accumulator, segments */
	u32 cwnd_clamp;		/* cwnd never grows beyond this, >= 1 */
	u32 mss;		/* sender MSS in bytes, informational only */
	bool hystart;		/* HyStart++ wanted (net.xtcp.tcp_cubic_hystart) */
	u64 priv[XTCP_CONG_PRIV_U64S];	/* algorithm-private, see ->init */
};

/*
 * struct xtcp_ack_sample - what an ACK that moved SND.UNA did, for
 * ->pkts_acked (Linux's struct ack_sample, with the sequence numbers a
 * pure hook cannot read from the socket).
 * @pkts_acked: segments cumulatively acknowledged by it
 * @rtt_us:     its RTT sample, us: the most recently sent segment it
 *              (S)ACKed that was never retransmitted, else from TSecr;
 *              < 0 if none (Linux's ack_sample.rtt_us)
 * @snd_una:    SND.UNA after it
 * @snd_nxt:    SND.NXT
 * @now_ms:     the clock the other hooks get
 */
struct xtcp_ack_sample {
	u32 pkts_acked;
	s32 rtt_us;
	u32 snd_una;
	u32 snd_nxt;
	u32 now_ms;
};

/* What ->cwnd_event tells (Linux's enum tcp_ca_event, without the ECN
 * events of algorithms that need ECN, which xtcp does not offer).
 */
enum xtcp_ca_event {
	XTCP_CA_EVENT_TX_START,		/* new data sent with nothing in flight */
	XTCP_CA_EVENT_CWND_RESTART,	/* cwnd restarts after idle (RFC 2861) */
	XTCP_CA_EVENT_COMPLETE_CWR,	/* a reduction (recovery, CWR) ended */
	XTCP_CA_EVENT_LOSS,		/* a retransmission timeout */
};

/* ->in_ack_event flags (Linux's CA_ACK_*). */
#define XTCP_CA_ACK_SLOWPATH	0x1	/* every ACK: xtcp has no fast path */
#define XTCP_CA_ACK_WIN_UPDATE	0x2	/* the ACK updated the send window */
#define XTCP_CA_ACK_ECE		0x4	/* the ACK carries ECE */

/* The congestion-avoidance states ->set_state reports, Linux's enum
 * tcp_ca_state with the same values (TCP_INFO's tcpi_ca_state).
 */
enum xtcp_ca_state {
	XTCP_CA_OPEN = 0,
	XTCP_CA_DISORDER = 1,
	XTCP_CA_CWR = 2,
	XTCP_CA_RECOVERY = 3,
	XTCP_CA_LOSS = 4,
};

/**
 * struct xtcp_cong_conn - the connection as ->cong_control sees it beside
 *                         an ACK's rate sample (what Linux's hooks read
 *                         from struct tcp_sock)
 * @now_us:          the ACK's time, us (xtcp_clock_us())
 * @delivered:       segments delivered so far (tcpi_delivered)
 * @in_flight:       segments in flight after the ACK
 * @prior_in_flight: segments in flight before it
 * @min_rtt_us:      the windowed minimum RTT, us; ~0U: none yet
 * @srtt_us:         the smoothed RTT, us; 0: none yet
 * @rtt_us:          the ACK's RTT sample, us; < 0: none
 * @ca_state:        enum xtcp_ca_state after the ACK's loss recovery
 */
struct xtcp_cong_conn {
	u64 now_us;
	u32 delivered;
	u32 in_flight;
	u32 prior_in_flight;
	u32 min_rtt_us;
	u32 srtt_us;
	s32 rtt_us;
	u8 ca_state;
};

/*
 * struct xtcp_cong_ops - one congestion control algorithm.
 *
 * The caller owns cwnd and ssthresh: hooks only suggest (->ssthresh) or grow
 * (->cong_avoid) them. Loss recovery, the loss window after an RTO, the
 * restart window after idle (RFC 5681 s.4.1) and the undo of a spurious
 * reduction are the caller's (->undo_cwnd only says what cwnd becomes).
 * Hooks are called with the connection serialised (socket lock held) and
 * must not sleep; they never fail.
 *
 * @list:     registry link, used only by the kernel-side registry.
 * @name:     NUL-terminated algorithm name, e.g. "cubic".
 * @owner:    module providing the algorithm (NULL when built in).
 * @flags:    XTCP_CONG_NON_RESTRICTED or 0; the registry changes it (the
 *            allowed list, the default), read with READ_ONCE().
 * @init:     required. Called once when the algorithm is attached, after the
 *            caller has set cwnd, ssthresh, cwnd_clamp and mss (see
 *            xtcp_cong_state_init()). Resets priv; leaves cwnd and ssthresh.
 * @ssthresh: required. Called once per congestion event (loss detected by
 *            duplicate ACKs/SACK or RACK, a tail loss probe that repaired a
 *            loss, an RTO, ECE, or a local queue's drop) before the caller
 *            reduces cwnd. @wnd is the window to cut from, in segments: the
 *            core always passes cwnd (ca->cwnd), as Linux's hooks read
 *            snd_cwnd, where RFC 5681 eq. 4 names FlightSize (cwnd grows
 *            only while it limits the sender: xtcp_is_cwnd_limited()); a
 *            hook may be tested with any window.
 *            Returns the new ssthresh (>= XTCP_CONG_MIN_SSTHRESH); does not
 *            change cwnd or ssthresh, but may update private state (e.g.
 *            CUBIC's W_max). The caller stores the result in ssthresh and
 *            brings cwnd down to it (or to the loss window after an RTO;
 *            with @cong_control only the loss window applies).
 * @cong_avoid: required unless @cong_control is set. Called for every ACK
 *            that cumulatively acknowledges
 *            new data while not in loss recovery. @acked is the number of
 *            segments newly ACKed (cumulatively or by SACK); @cwnd_limited
 *            says whether cwnd is what limited the sender lately (the
 *            socket's xtcp_is_cwnd_limited() over
 *            xtcp_cong_is_cwnd_limited(), Linux's
 *            tcp_is_cwnd_limited()): without it cwnd must not grow (RFC
 *            7661); @rtt_us is the smoothed RTT (RFC 9438 s.4.2), 0 if
 *            unknown. Runs slow start while cwnd < ssthresh, then
 *            congestion avoidance. Never decreases cwnd, except to pull it
 *            down to a cwnd_clamp the caller lowered.
 * @cwnd_event: optional (Linux's ->cwnd_event).  XTCP_CA_EVENT_TX_START:
 *            new data is sent with nothing in flight, @idle_ms after the
 *            last data sent (0 for none; RFC 9438 s.5.8), after any
 *            restart window the caller applied (RFC 2861) when that data
 *            was queued.  XTCP_CA_EVENT_CWND_RESTART: that restart window
 *            is about to be applied.  XTCP_CA_EVENT_COMPLETE_CWR: a cwnd
 *            reduction (fast recovery, CWR) ended, undone or not, after
 *            the caller set cwnd.  XTCP_CA_EVENT_LOSS: every
 *            retransmission timeout, after ->ssthresh when the timeout
 *            reduces (RFC 9438 s.4.8; Linux sends it only with the
 *            reduction, and CUBIC resets from ->set_state(Loss) at each).
 * @in_ack_event: optional (Linux's ->in_ack_event). Called for every
 *            acceptable ACK (with data outstanding or not), after what it
 *            acknowledged left the queues and before loss recovery reads
 *            it: @flags XTCP_CA_ACK_*.
 * @set_state: optional (Linux's ->set_state). Called with the new enum
 *            xtcp_ca_state when it differs from the last one reported,
 *            at the end of the ACK, timer or path MTU event that changed
 *            it, after ->cong_control (Linux calls it at the change
 *            itself: a state entered and left within one event is not
 *            reported, nor a second RTO in Loss, which Linux reports
 *            again; XTCP_CA_EVENT_LOSS comes at every RTO).
 * @cong_control: optional (Linux's ->cong_control). Set, it replaces the
 *            caller's cwnd changes on ACKs: ->cong_avoid, PRR during a
 *            reduction, cwnd = ssthresh when one ends and the shrinking of
 *            a window the sender does not use (RFC 2861).  Called for every
 *            acceptable ACK that found data outstanding, with its
 *            delivery-rate sample @rs (struct xtcp_rate_sample:
 *            @rs->delivered segments over @rs->interval_us, a valid sample
 *            only when @rs->interval_us > 0 (@rs->delivered < 0 too
 *            without timing; a sample shorter than min_rtt keeps its
 *            count); @rs->acked_sacked, @rs->losses, @rs->is_app_limited)
 *            and the connection's state @conn.  It sets ca->cwnd itself (within
 *            ca->cwnd_clamp).  ->ssthresh still runs on a congestion
 *            event, and an RTO still takes cwnd to the loss window.
 * @pkts_acked: optional. Called for every ACK that moves SND.UNA, after
 *            the RTT estimator took its sample and before ->cong_avoid
 *            (Linux calls it from tcp_clean_rtx_queue()). The one hook that
 *            may end slow start by setting ssthresh (HyStart++, as
 *            Linux's HyStart in bictcp_acked()); it changes nothing else
 *            of the caller's.
 * @undo_cwnd: required. Called when the caller undoes a cwnd reduction it
 *            found spurious (D-SACK, timestamps, F-RTO; Linux's
 *            ->undo_cwnd). @prior_cwnd is cwnd just before the reduction.
 *            Returns the cwnd to use; changes nothing. The caller restores
 *            ssthresh itself.
 */
struct xtcp_cong_ops {
	struct list_head list;
	char name[XTCP_CONG_NAME_MAX];
	struct module *owner;
	u32 flags;
	void (*init)(struct xtcp_cong *ca, u32 now_ms);
	u32 (*ssthresh)(struct xtcp_cong *ca, u32 wnd, u32 now_ms);
	void (*cong_avoid)(struct xtcp_cong *ca, u32 acked, bool cwnd_limited,
			   u32 now_ms, u32 rtt_us);
	void (*cwnd_event)(struct xtcp_cong *ca, enum xtcp_ca_event ev,
			   u32 now_ms, u32 idle_ms);
	u32 (*undo_cwnd)(struct xtcp_cong *ca, u32 prior_cwnd);
	void (*pkts_acked)(struct xtcp_cong *ca,
			   const struct xtcp_ack_sample *sample);
	void (*in_ack_event)(struct xtcp_cong *ca, u32 flags);
	void (*set_state)(struct xtcp_cong *ca, u8 new_state);
	void (*cong_control)(struct xtcp_cong *ca,
			     const struct xtcp_rate_sample *rs,
			     const struct xtcp_cong_conn *conn);
};

/* For algorithm modules (net/xtcp/cong.c): EXPORT_SYMBOL_GPL. */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ops);
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ops);

extern struct xtcp_cong_ops xtcp_cong_reno;
extern struct xtcp_cong_ops xtcp_cong_cubic;
/* The example module's (net/xtcp/cong_scalable.c, xtcp_scalable.ko). */
extern struct xtcp_cong_ops xtcp_cong_scalable;
/* The rate-based example module's (net/xtcp/cong_bdp.c, xtcp_bdp.ko). */
extern struct xtcp_cong_ops xtcp_cong_bdp;
void xtcp_bdp_get_info(struct xtcp_cong *ca, u64 *bw_seg_s, bool *full,
		       u32 *rounds, u32 *losses);

/*
 * Set up a fresh window: @iw segments (RFC 6928 suggests 10), infinite
 * ssthresh, cwnd bounded by @clamp (use U32_MAX for "no bound").
 */
static inline void xtcp_cong_state_init(struct xtcp_cong *ca, u32 iw,
					u32 clamp, u32 mss)
{
	*ca = (struct xtcp_cong){
		.cwnd = iw ? iw : 1,
		.ssthresh = XTCP_INFINITE_SSTHRESH,
		.cwnd_clamp = clamp ? clamp : 1,
		.mss = mss,
	};
}

static inline bool xtcp_cong_in_slow_start(const struct xtcp_cong *ca)
{
	return ca->cwnd < ca->ssthresh;
}

/*
 * Whether cwnd limited the sender, so that growing it is justified (RFC
 * 7661; Linux's tcp_is_cwnd_limited()). @limited says whether the sender
 * found its flight at cwnd at some send in the current window (Linux's
 * tp->is_cwnd_limited); @max_packets_out is the largest flight, in
 * segments, it had in that window. In slow start a flight above half of
 * cwnd counts too, so that cwnd can grow to twice what was sent.
 */
static inline bool xtcp_cong_is_cwnd_limited(const struct xtcp_cong *ca,
					     bool limited, u32 max_packets_out)
{
	if (limited)
		return true;
	if (xtcp_cong_in_slow_start(ca))
		return ca->cwnd < 2 * (u64)max_packets_out;
	return false;
}

/* Shared helpers, net/xtcp/cong_common.c; the first three exported
 * (GPL) to algorithm modules.
 */
u32 xtcp_cong_slow_start(struct xtcp_cong *ca, u32 acked);
void xtcp_cong_avoid_ai(struct xtcp_cong *ca, u32 w, u32 acked);
u32 xtcp_cong_reno_undo_cwnd(struct xtcp_cong *ca, u32 prior_cwnd);
u32 xtcp_cong_restart_cwnd(u32 cwnd, u32 iw, u32 idle, u32 rto);
u32 xtcp_cong_app_limited_cwnd(u32 cwnd, u32 used, u32 iw);
u32 xtcp_cbrt_u64(u64 x);

/* Read-only view of CUBIC's private state, for diagnostics and tests. */
struct xtcp_cubic_info {
	u32 w_max;		/* W_max, segments (rounded down) */
	u32 w_est;		/* Reno-friendly estimate W_est, segments */
	u32 cwnd_prior;		/* cwnd at the last congestion event */
	u32 k_ms;		/* K: ms from epoch start until W_cubic = W_max */
	u32 epoch_start_ms;	/* t_epoch; valid only if in_epoch */
	bool in_epoch;		/* a congestion avoidance epoch is running */
	u8 hs_phase;		/* HyStart++: enum xtcp_hs_phase */
};

void xtcp_cubic_get_info(const struct xtcp_cong *ca,
			 struct xtcp_cubic_info *info);

#endif /* _NET_XTCP_CONG_H */
