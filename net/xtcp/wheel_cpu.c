// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the per-CPU timer wheels and the kernel timer that drives each.
 *
 * Every xtcp timer lives on the wheel of the CPU its owner was made on
 * (xtcp_timer_init() records it) until the owner goes: a socket's timers
 * on the CPU that created the socket, a SYN queue entry's and a
 * TIME_WAIT entry's on the CPU that handled the segment making them. A
 * spinlock per wheel serializes every wheel operation, so a timer may be
 * armed or cancelled from any CPU, and a wheel keeps working if its CPU
 * goes offline (the kernel then runs the kernel timer elsewhere).
 *
 * One kernel timer per wheel, programmed for xtcp_wheel_next_expiry()
 * while the wheel holds timers and not at all while it is empty. It is an
 * hrtimer expiring in softirq context: a timer_list that far ahead would
 * be rounded up by Linux's own wheel (up to 1/8 of its distance), and
 * every xtcp timer behind it would fire that late. Its callback
 * advances the wheel to the jiffy before the current one (timers fire
 * a tick after their deadline, as timer_lists do), calling each expired
 * timer's handler (by kind) with the lock dropped, and programs itself
 * again. Arms from handlers and from other CPUs while the callback runs
 * leave the programming to it. Documentation/timers.rst has the design;
 * include/net/xtcp_timer.h the reference rule.
 */
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <net/xtcp_timer.h>

/**
 * struct xtcp_wheel_cpu - one CPU's wheel and what drives it
 * @lock:      serializes every use of @wheel and the fields below.
 * @running:   the kernel timer's callback is advancing @wheel (possibly
 *             with @lock dropped around a handler): it programs @ktimer
 *             when done, nobody else does meanwhile.
 * @ktimer_on: @ktimer is programmed (for @ktimer_at).
 * @ktimer_at: for which jiffy.
 * @ktimer:    the kernel timer (softirq hrtimer).
 * @wheel:     the timers.
 */
struct xtcp_wheel_cpu {
	spinlock_t lock;	/* see above */
	bool running;
	bool ktimer_on;
	unsigned long ktimer_at;
	struct hrtimer ktimer;
	struct xtcp_wheel wheel;
};

static struct xtcp_wheel_cpu __percpu *xtcp_wheels;
static struct xtcp_timer_stats __percpu *xtcp_tstats;

static const char * const xtcp_timer_names[XTCP_TIMER_NR] = {
	[XTCP_TIMER_RTO]	= "retransmit",
	[XTCP_TIMER_PROBE]	= "probe",
	[XTCP_TIMER_KEEPALIVE]	= "keepalive",
	[XTCP_TIMER_FIN_WAIT2]	= "fin_wait2",
	[XTCP_TIMER_SYNACK]	= "synack",
	[XTCP_TIMER_TIME_WAIT]	= "time_wait",
	[XTCP_TIMER_DELACK]	= "delack",
	[XTCP_TIMER_REO]	= "reo",
	[XTCP_TIMER_TLP]	= "tlp",
};

static struct xtcp_wheel_cpu *xtcp_wheel_of(const struct xtcp_wtimer *t)
{
	return per_cpu_ptr(xtcp_wheels, t->cpu);
}

/* The wheel runs one jiffy behind jiffies: a timer fires in the first
 * tick after its deadline, never in the tick of its deadline, as a
 * timer_list does (calc_index() rounds every expiry up by one unit of
 * its level), so that no timer fires early.  A deadline n jiffies ahead
 * of a jiffies value read at phase f of its tick is n - f periods away:
 * fired at the tick of the deadline, a 1-jiffy timer could run at once.
 * Native TCP's timers are timer_lists and fire in the same jiffy as
 * xtcp's now; within it, the kernel timer here is set from the moment it
 * is programmed, not on the tick, so a delay of n jiffies lasts n + 1
 * periods where native's lasts n + 1 less the phase of the jiffies read
 * at arming: xtcp 0 to 1 period later (before this, 0 to 1 earlier).
 */
static unsigned long xtcp_wheel_now(void)
{
	return jiffies - 1;
}

/* Program the kernel timer for the wheel's next work, if that is earlier
 * than what it is programmed for (or it is not). Not while the callback
 * runs: it programs the timer itself when it is done.
 */
static void xtcp_wheel_program(struct xtcp_wheel_cpu *wc, bool early)
{
	unsigned long next, now = jiffies;
	u64 delay = 0;

	if (wc->running || !xtcp_wheel_next_expiry(&wc->wheel, &next))
		return;
	next++;		/* the jiffy that runs it (xtcp_wheel_now()) */
	if (wc->ktimer_on && !time_before(next, wc->ktimer_at))
		return;
	wc->ktimer_on = true;
	wc->ktimer_at = next;
	/* Jiffies tick at a fixed period: whole periods from now, jiffies
	 * has advanced as many times, whatever the phase of now within the
	 * current one.  But jiffies is kept by one CPU's tick, which may run
	 * a little after this CPU's hrtimer (more so under TCG): a callback
	 * that came before the jiffy it was set for (@early) looks again
	 * an eighth of a period later, not a whole one.
	 */
	if (time_after(next, now))
		delay = early && next - now == 1 ? TICK_NSEC / 8 :
			(u64)(next - now) * TICK_NSEC;
	hrtimer_start(&wc->ktimer, ns_to_ktime(delay), HRTIMER_MODE_REL_SOFT);
}

static void xtcp_timer_count_fired(u8 kind, unsigned long lateness)
{
	struct xtcp_timer_kind_stats *ks = &this_cpu_ptr(xtcp_tstats)->kind[kind];
	unsigned int b = 0;

	ks->fired++;
	if (lateness) {
		ks->late++;
		b = min_t(unsigned int, ilog2(lateness) + 1,
			  XTCP_TIMER_LATE_BUCKETS - 1);
	}
	ks->late_hist[b]++;
}

/* advance() callback: count, then run the handler without the lock. The
 * timer (and its owner) may be gone once the handler returns.
 */
static void xtcp_wheel_expire(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			      void *arg)
	__releases(&wc->lock) __acquires(&wc->lock)
{
	struct xtcp_wheel_cpu *wc = arg;
	u8 kind = t->kind;

	xtcp_timer_count_fired(kind, xtcp_wheel_now() - t->expires);
	spin_unlock(&wc->lock);
	switch (kind) {
	case XTCP_TIMER_RTO:
	case XTCP_TIMER_PROBE:
	case XTCP_TIMER_REO:
	case XTCP_TIMER_TLP:
		xtcp_write_timer(t);
		break;
	case XTCP_TIMER_KEEPALIVE:
	case XTCP_TIMER_FIN_WAIT2:
		xtcp_keepalive_timer(t);
		break;
	case XTCP_TIMER_SYNACK:
		xtcp_req_timer(t);
		break;
	case XTCP_TIMER_TIME_WAIT:
		xtcp_tw_timer(t);
		break;
	case XTCP_TIMER_DELACK:
		xtcp_delack_timer(t);
		break;
	default:
		WARN_ONCE(1, "xtcp: timer of unknown kind %u\n", kind);
	}
	spin_lock(&wc->lock);
}

/* The kernel timer of one wheel (softirq): run what is due up to now. */
static enum hrtimer_restart xtcp_wheel_tick(struct hrtimer *kt)
{
	struct xtcp_wheel_cpu *wc = container_of(kt, struct xtcp_wheel_cpu,
						 ktimer);
	bool early;

	spin_lock(&wc->lock);
	early = time_before(jiffies, wc->ktimer_at);
	wc->running = true;
	wc->ktimer_on = false;
	xtcp_wheel_advance(&wc->wheel, xtcp_wheel_now(), xtcp_wheel_expire, wc);
	wc->running = false;
	xtcp_wheel_program(wc, early);
	spin_unlock(&wc->lock);
	return HRTIMER_NORESTART;
}

/**
 * xtcp_timer_init() - prepare an owner's timer, on this CPU's wheel
 * @t:    the timer, embedded in its owner.
 * @kind: enum xtcp_timer_kind it starts as.
 *
 * Context: any; @t must not be pending (a new owner).
 */
void xtcp_timer_init(struct xtcp_wtimer *t, u8 kind)
{
	xtcp_wtimer_init(t, kind);
	t->cpu = raw_smp_processor_id();
}

/**
 * xtcp_timer_arm() - arm or re-arm a timer (mod_timer() + sock_hold())
 * @t:       the timer.
 * @kind:    enum xtcp_timer_kind: its handler and counters from now on.
 * @expires: deadline, in jiffies; one in the past fires at the next tick.
 * @ref:     the owner's reference count: incremented (under the wheel's
 *           lock, before the handler can run) when @t was not pending.
 *
 * O(1); re-arming a pending timer to a later deadline only stores it
 * (xtcp_wheel_arm()) and leaves the kernel timer alone. Otherwise the
 * kernel timer is reprogrammed only if the wheel now has work earlier
 * than it was programmed for.
 *
 * Context: process or softirq; takes the wheel's lock with BHs off. The
 * caller serializes arms of @t with its owner's lock.
 * Return: true if @t was pending (no reference taken), false if it was
 * not (one taken on @ref).
 */
bool xtcp_timer_arm(struct xtcp_wtimer *t, u8 kind, unsigned long expires,
		    refcount_t *ref)
{
	struct xtcp_wheel_cpu *wc = xtcp_wheel_of(t);
	struct xtcp_timer_kind_stats *ks;
	unsigned long old;
	bool pending;

	spin_lock_bh(&wc->lock);
	old = t->expires;
	if (!wc->running)
		xtcp_wheel_catch_up(&wc->wheel, xtcp_wheel_now());
	t->kind = kind;
	pending = xtcp_wheel_arm(&wc->wheel, t, expires);
	ks = &this_cpu_ptr(xtcp_tstats)->kind[kind];
	if (pending) {
		ks->rearmed++;
		/* The lazy case (what each ACK does to the RTO): a later
		 * deadline cannot make the wheel's next work earlier.
		 */
		if (time_before(expires, old))
			xtcp_wheel_program(wc, false);
	} else {
		ks->armed++;
		refcount_inc(ref);
		xtcp_wheel_program(wc, false);
	}
	spin_unlock_bh(&wc->lock);
	return pending;
}

/**
 * xtcp_timer_mod_pending() - move a pending timer's deadline
 * @t:       the timer.
 * @expires: the new deadline, in jiffies (earlier or later).
 *
 * As mod_timer_pending(): a timer that is not pending (cancelled, or
 * expiring and owned by its handler) stays so, and no reference moves.
 *
 * Context: process or softirq.
 * Return: true if @t was pending and now waits for @expires.
 */
bool xtcp_timer_mod_pending(struct xtcp_wtimer *t, unsigned long expires)
{
	struct xtcp_wheel_cpu *wc = xtcp_wheel_of(t);
	bool pending;

	spin_lock_bh(&wc->lock);
	pending = xtcp_wtimer_pending(t);
	if (pending) {
		xtcp_wheel_arm(&wc->wheel, t, expires);
		xtcp_wheel_program(wc, false);
		this_cpu_inc(xtcp_tstats->kind[t->kind].rearmed);
	}
	spin_unlock_bh(&wc->lock);
	return pending;
}

/**
 * xtcp_timer_cancel() - take a timer off its wheel (del_timer())
 * @t: the timer.
 *
 * Never waits: a handler already called keeps running and owns its
 * reference (see the rule in include/net/xtcp_timer.h). The kernel timer
 * is left programmed; if the wheel is empty by then it finds nothing and
 * stops.
 *
 * Context: process or softirq.
 * Return: true if @t was pending and is removed: the caller drops the
 * reference it held. False if it was not pending.
 */
bool xtcp_timer_cancel(struct xtcp_wtimer *t)
{
	struct xtcp_wheel_cpu *wc = xtcp_wheel_of(t);
	bool removed;

	spin_lock_bh(&wc->lock);
	removed = xtcp_wheel_cancel(&wc->wheel, t);
	if (removed)
		this_cpu_inc(xtcp_tstats->kind[t->kind].cancelled);
	spin_unlock_bh(&wc->lock);
	return removed;
}

/**
 * xtcp_timer_pending() - is a timer armed and not yet expiring?
 * @t: the timer.
 *
 * Context: process or softirq. The answer can change as soon as the lock
 * is dropped unless the caller's own lock keeps arms and cancels away.
 * Return: true if @t waits on its wheel.
 */
bool xtcp_timer_pending(struct xtcp_wtimer *t)
{
	struct xtcp_wheel_cpu *wc = xtcp_wheel_of(t);
	bool pending;

	spin_lock_bh(&wc->lock);
	pending = xtcp_wtimer_pending(t);
	spin_unlock_bh(&wc->lock);
	return pending;
}

/**
 * xtcp_timer_note() - count what a handler found
 * @kind: enum xtcp_timer_kind of the timer whose handler runs.
 * @ev:   XTCP_TIMER_EV_STALE (nothing due any more) or
 *        XTCP_TIMER_EV_DEFERRED (left to release_sock()).
 *
 * Context: any.
 */
void xtcp_timer_note(u8 kind, enum xtcp_timer_event ev)
{
	if (kind >= XTCP_TIMER_NR)
		return;
	if (ev == XTCP_TIMER_EV_STALE)
		this_cpu_inc(xtcp_tstats->kind[kind].stale);
	else
		this_cpu_inc(xtcp_tstats->kind[kind].deferred);
}

/**
 * xtcp_timer_kind_name() - the name of a timer kind, as /proc shows it
 * @kind: enum xtcp_timer_kind.
 *
 * Context: any.
 * Return: a static string ("?" for an unknown kind).
 */
const char *xtcp_timer_kind_name(u8 kind)
{
	return kind < XTCP_TIMER_NR ? xtcp_timer_names[kind] : "?";
}

/**
 * xtcp_timer_stats_read() - the counters of every kind, all CPUs summed
 * @sum: filled in.
 *
 * Counters are per CPU and read without their writers' locks, so a sum
 * may miss increments being made (as the SNMP counters do).
 * Context: any.
 */
void xtcp_timer_stats_read(struct xtcp_timer_stats *sum)
{
	const struct xtcp_timer_kind_stats *ks;
	struct xtcp_timer_kind_stats *s;
	unsigned int cpu, k, b;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		for (k = 0; k < XTCP_TIMER_NR; k++) {
			ks = &per_cpu_ptr(xtcp_tstats, cpu)->kind[k];
			s = &sum->kind[k];
			s->armed += READ_ONCE(ks->armed);
			s->rearmed += READ_ONCE(ks->rearmed);
			s->cancelled += READ_ONCE(ks->cancelled);
			s->fired += READ_ONCE(ks->fired);
			s->late += READ_ONCE(ks->late);
			s->stale += READ_ONCE(ks->stale);
			s->deferred += READ_ONCE(ks->deferred);
			for (b = 0; b < XTCP_TIMER_LATE_BUCKETS; b++)
				s->late_hist[b] += READ_ONCE(ks->late_hist[b]);
		}
	}
}

/**
 * xtcp_timer_occupancy() - timers pending on one CPU's wheel, per level
 * @cpu:   a possible CPU.
 * @count: filled with the pending timers of levels 0..3 and, last, of
 *         the due list (timers of the step being run).
 *
 * Context: process or softirq (takes the wheel's lock).
 * Return: the total.
 */
unsigned int xtcp_timer_occupancy(unsigned int cpu,
				  u32 count[XTCP_WHEEL_LEVELS + 1])
{
	struct xtcp_wheel_cpu *wc = per_cpu_ptr(xtcp_wheels, cpu);
	unsigned int i, n = 0;

	spin_lock_bh(&wc->lock);
	for (i = 0; i <= XTCP_WHEEL_LEVELS; i++) {
		count[i] = wc->wheel.count[i];
		n += count[i];
	}
	spin_unlock_bh(&wc->lock);
	return n;
}

/**
 * xtcp_timers_init() - set up one wheel per possible CPU
 *
 * Context: module load, process context.
 * Return: 0, or -ENOMEM.
 */
int xtcp_timers_init(void)
{
	struct xtcp_wheel_cpu *wc;
	unsigned int cpu;

	xtcp_wheels = alloc_percpu(struct xtcp_wheel_cpu);
	xtcp_tstats = alloc_percpu(struct xtcp_timer_stats);
	if (!xtcp_wheels || !xtcp_tstats) {
		free_percpu(xtcp_wheels);
		free_percpu(xtcp_tstats);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		wc = per_cpu_ptr(xtcp_wheels, cpu);
		spin_lock_init(&wc->lock);
		hrtimer_init(&wc->ktimer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_SOFT);
		wc->ktimer.function = xtcp_wheel_tick;
		xtcp_wheel_init(&wc->wheel, xtcp_wheel_now());
	}
	return 0;
}

/**
 * xtcp_timers_exit() - stop the kernel timers and free the wheels
 *
 * Description: Every owner is gone by now (sockets closed, namespace exits
 * ended the SYN queue and TIME_WAIT entries, each cancelling its timer), so the
 * wheels are empty; a timer left pending is a leak and warns. Waits for a
 * callback still running (the handler that dropped the last reference of
 * something may still be returning): hrtimer_cancel() does.
 *
 * Context: module unload, process context.
 */
void xtcp_timers_exit(void)
{
	struct xtcp_wheel_cpu *wc;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		wc = per_cpu_ptr(xtcp_wheels, cpu);
		hrtimer_cancel(&wc->ktimer);
		WARN(xtcp_wheel_pending(&wc->wheel),
		     "xtcp: %u timers left on CPU %u's wheel\n",
		     xtcp_wheel_pending(&wc->wheel), cpu);
	}
	free_percpu(xtcp_wheels);
	free_percpu(xtcp_tstats);
}
