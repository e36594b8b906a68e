/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp timer wheel: a hierarchical timing wheel in jiffies that fires every
 * timer exactly at its deadline jiffy (Documentation/timers.rst).
 *
 * Pure code, like include/net/xtcp_rtt.h: it never reads a clock, takes no
 * lock and knows nothing of sockets, so it also builds into the host unit
 * tests (selftests/host/test_wheel.c). The per-CPU driver owns a struct
 * xtcp_wheel, serializes every call on it with its own lock and tells it
 * the time.
 *
 * Levels: XTCP_WHEEL_LEVELS levels of XTCP_WHEEL_SLOTS slots. A slot of
 * level L spans 64^L jiffies; a timer goes to the level whose span matches
 * how far away its deadline is, and timers of an upper level move down
 * ("cascade") when their slot comes due, so that every timer reaches level
 * 0, whose slots are single jiffies, before its deadline. Deadlines more
 * than XTCP_WHEEL_RANGE jiffies away wait in the top level and are placed
 * again each time their slot comes due.
 *
 * Lifetime rules for the users of the wheel (the socket side):
 *  - A pending timer holds one reference on its owner (socket, request or
 *    TIME_WAIT entry). xtcp_wheel_arm() returns whether the timer was
 *    already pending: take a reference exactly when it returns false.
 *  - xtcp_wheel_cancel() returns true exactly when it removed a pending
 *    timer: the caller then drops that reference. False means the timer
 *    was not pending: never armed, already cancelled, or expiring (its
 *    handler has been or is being called and owns the reference).
 *  - On expiry the timer is no longer pending when its handler is called;
 *    the handler owns the reference and drops it unless it re-arms the
 *    timer (a re-arm from the handler returns false, so it takes a new
 *    reference; dropping the old one then is the same thing).
 *  - The handler runs without the wheel's lock, so the owner may have
 *    re-armed (or cancelled and re-armed) the timer meanwhile: the handler
 *    re-checks the owner's deadline and state, and does nothing but drop
 *    its reference if the timer is pending again or the deadline moved.
 *  - Module unload and namespace exit empty the wheel of their timers with
 *    xtcp_wheel_walk_pending() + xtcp_wheel_cancel(), dropping each
 *    reference cancel hands back, and then wait until no advance() of the
 *    wheel is running (a handler may still hold a reference).
 */
#ifndef _NET_XTCP_WHEEL_H
#define _NET_XTCP_WHEEL_H

#include <linux/list.h>
#include <linux/types.h>

/* Slots per level (2^XTCP_WHEEL_SLOT_BITS): one u64 occupancy bitmap each. */
#define XTCP_WHEEL_SLOT_BITS	6
#define XTCP_WHEEL_SLOTS	64U
#define XTCP_WHEEL_LEVELS	4
/* Jiffies spanned by one slot of @lvl: 1, 64, 4096, 262144. */
#define XTCP_WHEEL_LVL_GRAN(lvl)	(1UL << ((lvl) * XTCP_WHEEL_SLOT_BITS))
/*
 * Deadlines up to XTCP_WHEEL_RANGE - 1 jiffies ahead are placed directly
 * (2^24 jiffies: 4.66 h at HZ=1000, 18.6 h at HZ=250); later ones wait in
 * the top level, are looked at once per XTCP_WHEEL_RANGE jiffies and
 * placed again once in range.
 */
#define XTCP_WHEEL_RANGE	XTCP_WHEEL_LVL_GRAN(XTCP_WHEEL_LEVELS)
/* Slot arrays of all levels, then the list of timers due now. */
#define XTCP_WHEEL_NR_SLOTS	(XTCP_WHEEL_LEVELS * XTCP_WHEEL_SLOTS)
#define XTCP_WHEEL_DUE		XTCP_WHEEL_NR_SLOTS

/**
 * struct xtcp_wtimer - a timer on an xtcp wheel, embedded in its owner
 * @entry:   link in the slot (or due list) it waits on; unhashed (pprev
 *           NULL) exactly when the timer is not pending.
 * @expires: deadline, in jiffies.
 * @slot:    index into &xtcp_wheel.slots of the list it is on, while
 *           pending.
 * @kind:    free for the driver (which handler to call, per-kind counters).
 * @cpu:     free for the driver (which wheel the timer lives on).
 *
 * 32 bytes on x86_64 (checked by a BUILD_BUG_ON in wheel.c). Initialize
 * with xtcp_wtimer_init() before first use; all other fields belong to the
 * wheel.
 */
struct xtcp_wtimer {
	struct hlist_node entry;
	unsigned long expires;
	u16 slot;
	u8 kind;
	u16 cpu;
};

/**
 * struct xtcp_wheel - one timing wheel (one per CPU in the module)
 * @clk:      the next jiffy to process: every timer due before it has been
 *            handed to an advance() callback.
 * @occupied: per level, bit s set iff slot s of that level is not empty.
 * @count:    pending timers per level; [XTCP_WHEEL_LEVELS] counts those
 *            on the due list (only non-zero inside xtcp_wheel_advance()).
 * @slots:    XTCP_WHEEL_SLOTS lists per level, level 0 first, then the
 *            due list.
 */
struct xtcp_wheel {
	unsigned long clk;
	u64 occupied[XTCP_WHEEL_LEVELS];
	u32 count[XTCP_WHEEL_LEVELS + 1];
	struct hlist_head slots[XTCP_WHEEL_NR_SLOTS + 1];
};

/**
 * typedef xtcp_wheel_fn - callback of advance() and walk_pending()
 * @w:   the wheel.
 * @t:   the timer.
 * @arg: the caller's argument.
 */
typedef void (*xtcp_wheel_fn)(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			      void *arg);

void xtcp_wheel_init(struct xtcp_wheel *w, unsigned long now);
void xtcp_wheel_catch_up(struct xtcp_wheel *w, unsigned long now);
bool xtcp_wheel_arm(struct xtcp_wheel *w, struct xtcp_wtimer *t,
		    unsigned long expires);
bool xtcp_wheel_cancel(struct xtcp_wheel *w, struct xtcp_wtimer *t);
bool xtcp_wheel_next_expiry(const struct xtcp_wheel *w, unsigned long *when);
unsigned int xtcp_wheel_advance(struct xtcp_wheel *w, unsigned long now,
				xtcp_wheel_fn fn, void *arg);
void xtcp_wheel_walk_pending(struct xtcp_wheel *w, xtcp_wheel_fn fn,
			     void *arg);

/**
 * xtcp_wtimer_init() - prepare a timer: not pending
 * @t:    the timer.
 * @kind: the driver's kind for it, kept in @t->kind.
 *
 * Context: any; @t must not be pending.
 */
static inline void xtcp_wtimer_init(struct xtcp_wtimer *t, u8 kind)
{
	INIT_HLIST_NODE(&t->entry);
	t->expires = 0;
	t->slot = 0;
	t->kind = kind;
	t->cpu = 0;
}

/**
 * xtcp_wtimer_pending() - is the timer armed and not yet expiring?
 * @t: the timer.
 *
 * Context: under the wheel's lock for an answer that stays true.
 * Return: true from arm until cancel, or until advance unlinks it just
 * before calling its handler.
 */
static inline bool xtcp_wtimer_pending(const struct xtcp_wtimer *t)
{
	return !hlist_unhashed(&t->entry);
}

/**
 * xtcp_wheel_pending() - timers pending on the wheel
 * @w: the wheel.
 *
 * Return: number of pending timers, O(levels).
 */
static inline unsigned int xtcp_wheel_pending(const struct xtcp_wheel *w)
{
	unsigned int i, n = 0;

	for (i = 0; i <= XTCP_WHEEL_LEVELS; i++)
		n += w->count[i];
	return n;
}

#endif /* _NET_XTCP_WHEEL_H */
