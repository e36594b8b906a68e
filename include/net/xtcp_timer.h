/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp timers: every timer of a socket, a SYN queue entry or a TIME_WAIT
 * entry is a struct xtcp_wtimer on one of the module's per-CPU timer
 * wheels (net/xtcp/wheel_cpu.c drives them, net/xtcp/wheel.c is the
 * wheel). Documentation/timers.rst describes both.
 *
 * Reference rule (one for every owner): a pending timer holds one
 * reference on its owner. xtcp_timer_arm() takes it, under the wheel's
 * lock, when the timer was not pending; xtcp_timer_cancel() returns true
 * exactly when it removed a pending timer, and the caller then drops it.
 * The handler owns the reference of the run that called it and drops it
 * when done; re-arming from the handler takes a new one.
 *
 * Handlers run in softirq context without the wheel's lock, so an owner
 * may re-arm (or cancel and re-arm) a timer between its expiry and the
 * handler taking the owner's lock: every handler re-checks the owner's
 * deadline and state before acting. Cancel never waits for a running
 * handler, so whoever takes an owner out of service marks it so (state,
 * "dead") before cancelling, and a handler that re-arms checks that mark
 * again after arming (and cancels if it is set).
 */
#ifndef _NET_XTCP_TIMER_H
#define _NET_XTCP_TIMER_H

#include <linux/refcount.h>
#include <linux/types.h>
#include <net/xtcp_wheel.h>

/**
 * enum xtcp_timer_kind - what a timer is for: its handler and counters
 * @XTCP_TIMER_RTO:       retransmission of data, SYN or FIN (socket).
 * @XTCP_TIMER_PROBE:     zero-window probe (socket, same timer as RTO).
 * @XTCP_TIMER_KEEPALIVE: keepalive (socket; Linux's sk_timer).
 * @XTCP_TIMER_FIN_WAIT2: orphaned FIN_WAIT2 timeout (same timer).
 * @XTCP_TIMER_SYNACK:    SYN-ACK retransmission (SYN queue entry).
 * @XTCP_TIMER_TIME_WAIT: end of TIME_WAIT (TIME_WAIT entry).
 * @XTCP_TIMER_DELACK:    delayed ACK (socket; Linux's icsk_delack_timer).
 * @XTCP_TIMER_REO:       RACK reorder timeout (socket, same timer as RTO;
 *                        Linux's ICSK_TIME_REO_TIMEOUT).
 * @XTCP_TIMER_TLP:       tail loss probe (socket, same timer as RTO;
 *                        Linux's ICSK_TIME_LOSS_PROBE).
 * @XTCP_TIMER_NR:        number of kinds.
 */
enum xtcp_timer_kind {
	XTCP_TIMER_RTO,
	XTCP_TIMER_PROBE,
	XTCP_TIMER_KEEPALIVE,
	XTCP_TIMER_FIN_WAIT2,
	XTCP_TIMER_SYNACK,
	XTCP_TIMER_TIME_WAIT,
	XTCP_TIMER_DELACK,
	XTCP_TIMER_REO,
	XTCP_TIMER_TLP,
	XTCP_TIMER_NR
};

/* Lateness histogram: bucket 0 is "on time", bucket b > 0 counts
 * lateness of 2^(b-1) .. 2^b - 1 jiffies, the last one everything above.
 */
#define XTCP_TIMER_LATE_BUCKETS	8

/**
 * struct xtcp_timer_kind_stats - counters of one timer kind
 * @armed:     arms of a timer that was not pending.
 * @rearmed:   arms of a pending timer (a later deadline only stores it).
 * @cancelled: cancels that removed a pending timer.
 * @fired:     handler calls.
 * @late:      handler calls one jiffy or more after they were due (the
 *             tick after the deadline).
 * @stale:     handler calls that found nothing due: the deadline moved or
 *             the owner changed state since the expiry.
 * @deferred:  handler calls that found the socket owned by the user and
 *             left the work to release_sock().
 * @late_hist: handler calls by lateness (XTCP_TIMER_LATE_BUCKETS).
 */
struct xtcp_timer_kind_stats {
	u64 armed;
	u64 rearmed;
	u64 cancelled;
	u64 fired;
	u64 late;
	u64 stale;
	u64 deferred;
	u64 late_hist[XTCP_TIMER_LATE_BUCKETS];
};

/**
 * struct xtcp_timer_stats - counters of every kind, summed over CPUs
 * @kind: per enum xtcp_timer_kind.
 */
struct xtcp_timer_stats {
	struct xtcp_timer_kind_stats kind[XTCP_TIMER_NR];
};

/* What a handler notes with xtcp_timer_note(). */
enum xtcp_timer_event {
	XTCP_TIMER_EV_STALE,
	XTCP_TIMER_EV_DEFERRED,
};

int xtcp_timers_init(void);
void xtcp_timers_exit(void);
void xtcp_timer_init(struct xtcp_wtimer *t, u8 kind);
bool xtcp_timer_arm(struct xtcp_wtimer *t, u8 kind, unsigned long expires,
		    refcount_t *ref);
bool xtcp_timer_mod_pending(struct xtcp_wtimer *t, unsigned long expires);
bool xtcp_timer_cancel(struct xtcp_wtimer *t);
bool xtcp_timer_pending(struct xtcp_wtimer *t);
void xtcp_timer_note(u8 kind, enum xtcp_timer_event ev);
const char *xtcp_timer_kind_name(u8 kind);
void xtcp_timer_stats_read(struct xtcp_timer_stats *sum);
unsigned int xtcp_timer_occupancy(unsigned int cpu,
				  u32 count[XTCP_WHEEL_LEVELS + 1]);

/**
 * xtcp_timer_expires() - a timer's deadline, for display
 * @t: the timer.
 *
 * Context: any; lockless, so only meaningful while the timer is pending
 * and a reader accepts a value that is being changed.
 * Return: the deadline in jiffies.
 */
static inline unsigned long xtcp_timer_expires(const struct xtcp_wtimer *t)
{
	return READ_ONCE(t->expires);
}

/**
 * xtcp_timer_pending_lockless() - is a timer armed, for display
 * @t: the timer.
 *
 * timer_pending()'s lockless test for readers that take no lock (procfs):
 * the answer may be out of date as soon as it is read.  A timer on the
 * due list of the step being run counts as pending, as in
 * xtcp_timer_pending().
 * Context: any.
 * Return: true if @t waits on its wheel.
 */
static inline bool xtcp_timer_pending_lockless(const struct xtcp_wtimer *t)
{
	return !hlist_unhashed_lockless(&t->entry);
}

/* Handlers, one per owner type (called by the driver by kind). */
void xtcp_write_timer(struct xtcp_wtimer *t);
void xtcp_keepalive_timer(struct xtcp_wtimer *t);
void xtcp_req_timer(struct xtcp_wtimer *t);
void xtcp_tw_timer(struct xtcp_wtimer *t);
void xtcp_delack_timer(struct xtcp_wtimer *t);

#endif /* _NET_XTCP_TIMER_H */
