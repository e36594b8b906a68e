// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timer wheel: hierarchical, exact to the jiffy, lazy on re-arms to a
 * later deadline. Design, ranges and costs: Documentation/timers.rst;
 * lifetime rules: include/net/xtcp_wheel.h.
 *
 * Pure code (no clock, no lock, no sockets): also built by selftests/host.
 *
 * Invariant: a pending timer waits on a slot that is processed (cascaded,
 * or moved to the due list for level 0) at the latest at its deadline,
 * so a cascade brings it one level down before it is due and level 0
 * fires it at its deadline jiffy. Re-arming to a later deadline keeps the
 * invariant without moving the timer; the slot's processing then finds
 * the deadline still ahead and places the timer again.
 */
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/types.h>
#include <net/xtcp_wheel.h>

#define XTCP_WHEEL_SLOT_MASK	(XTCP_WHEEL_SLOTS - 1)

static unsigned int xtcp_wheel_shift(unsigned int lvl)
{
	return lvl * XTCP_WHEEL_SLOT_BITS;
}

/* The slot for a deadline seen from clock @clk: the lowest level whose
 * span covers the distance, at the index of the deadline's block there.
 * A deadline in the past is due at @clk. One XTCP_WHEEL_RANGE or more
 * ahead goes to the top level at its index, which comes due less than a
 * range from now, so before the deadline: it is placed again then.
 * Unsigned long wraps at a multiple of every level's span, so the indices
 * stay right across a jiffies wrap.
 */
static unsigned int xtcp_wheel_slot_for(unsigned long clk,
					unsigned long expires)
{
	unsigned long delta;
	unsigned int lvl;

	if (time_before(expires, clk))
		expires = clk;
	delta = expires - clk;
	for (lvl = 0; lvl < XTCP_WHEEL_LEVELS - 1; lvl++)
		if (delta < XTCP_WHEEL_LVL_GRAN(lvl + 1))
			break;
	return lvl * XTCP_WHEEL_SLOTS +
	       ((expires >> xtcp_wheel_shift(lvl)) & XTCP_WHEEL_SLOT_MASK);
}

static void xtcp_wheel_enqueue(struct xtcp_wheel *w, struct xtcp_wtimer *t,
			       unsigned int slot)
{
	unsigned int lvl = slot / XTCP_WHEEL_SLOTS;

	hlist_add_head(&t->entry, &w->slots[slot]);
	t->slot = slot;
	w->count[lvl]++;
	if (slot < XTCP_WHEEL_NR_SLOTS)
		w->occupied[lvl] |= BIT_ULL(slot & XTCP_WHEEL_SLOT_MASK);
}

static void xtcp_wheel_unlink(struct xtcp_wheel *w, struct xtcp_wtimer *t)
{
	unsigned int slot = t->slot;
	unsigned int lvl = slot / XTCP_WHEEL_SLOTS;

	hlist_del_init(&t->entry);
	w->count[lvl]--;
	if (slot < XTCP_WHEEL_NR_SLOTS && hlist_empty(&w->slots[slot]))
		w->occupied[lvl] &= ~BIT_ULL(slot & XTCP_WHEEL_SLOT_MASK);
}

/**
 * xtcp_wheel_init() - an empty wheel whose first jiffy to process is @now
 * @w:   the wheel.
 * @now: current time, in jiffies.
 *
 * Context: any; @w must not be in use.
 */
void xtcp_wheel_init(struct xtcp_wheel *w, unsigned long now)
{
	unsigned int i;

	/* Not above a timer_list's 40 bytes (32 on 64-bit, 20 on 32-bit). */
	BUILD_BUG_ON(sizeof(struct xtcp_wtimer) > 32);
	BUILD_BUG_ON(XTCP_WHEEL_SLOTS != 1U << XTCP_WHEEL_SLOT_BITS);
	BUILD_BUG_ON(XTCP_WHEEL_NR_SLOTS >= (1U << 16));
	/* The range must stay far inside time_after()'s half of the clock. */
	BUILD_BUG_ON(XTCP_WHEEL_LEVELS * XTCP_WHEEL_SLOT_BITS >
		     sizeof(unsigned long) * 8 - 2);

	w->clk = now;
	for (i = 0; i < XTCP_WHEEL_LEVELS; i++)
		w->occupied[i] = 0;
	for (i = 0; i <= XTCP_WHEEL_LEVELS; i++)
		w->count[i] = 0;
	for (i = 0; i <= XTCP_WHEEL_NR_SLOTS; i++)
		INIT_HLIST_HEAD(&w->slots[i]);
}

/**
 * xtcp_wheel_catch_up() - move an empty wheel's clock up to @now
 * @w:   the wheel.
 * @now: current time, in jiffies.
 *
 * An idle wheel's clock stays where the last advance() left it. A stale
 * clock is still correct, but places new timers on higher levels than
 * their distance needs (extra cascades). With no timer pending, nothing
 * can be skipped by moving it: the driver calls this before arming.
 * Does nothing while a timer is pending or if @now is not ahead of the
 * clock.
 *
 * Context: under the wheel's lock; not from an advance() callback.
 */
void xtcp_wheel_catch_up(struct xtcp_wheel *w, unsigned long now)
{
	if (!xtcp_wheel_pending(w) && time_after(now, w->clk))
		w->clk = now;
}

/**
 * xtcp_wheel_arm() - arm or re-arm a timer (mod_timer() for the wheel)
 * @w:       the wheel.
 * @t:       the timer, initialized with xtcp_wtimer_init().
 * @expires: deadline in jiffies; at most LONG_MAX / 2 ahead of the wheel's
 *           clock. A deadline already passed fires at the next jiffy the
 *           wheel processes (never in the advance step that is running).
 *
 * O(1). Moving a pending timer to a later (or the same) deadline only
 * stores it. Moving it earlier takes it off its slot and places it again.
 * A timer that is due in the running advance() step and whose handler has
 * not been called yet only has its deadline stored: it fires in this step
 * if that deadline has come, else it is placed again.
 *
 * Context: under the wheel's lock; may be called from an advance()
 * callback, for any timer.
 * Return: true if @t was already pending (it already holds its owner's
 * reference), false if it was not and the caller must take one.
 */
bool xtcp_wheel_arm(struct xtcp_wheel *w, struct xtcp_wtimer *t,
		    unsigned long expires)
{
	bool pending = xtcp_wtimer_pending(t);

	if (pending) {
		if (t->slot == XTCP_WHEEL_DUE ||
		    time_after_eq(expires, t->expires)) {
			t->expires = expires;
			return true;
		}
		xtcp_wheel_unlink(w, t);
	}
	t->expires = expires;
	xtcp_wheel_enqueue(w, t, xtcp_wheel_slot_for(w->clk, expires));
	return pending;
}

/**
 * xtcp_wheel_cancel() - take a timer off the wheel (del_timer() for it)
 * @w: the wheel.
 * @t: the timer.
 *
 * O(1). A timer whose handler advance() has called (or is calling) is not
 * pending any more, so cancel returns false for it and the handler keeps
 * the reference; one due in the same advance() step whose handler has not
 * been called yet is still pending: cancel removes it and it never fires.
 *
 * Context: under the wheel's lock; may be called from an advance()
 * callback, for any timer.
 * Return: true if @t was pending and has been removed (the caller drops
 * the reference it held), false if it was not pending.
 */
bool xtcp_wheel_cancel(struct xtcp_wheel *w, struct xtcp_wtimer *t)
{
	if (!xtcp_wtimer_pending(t))
		return false;
	xtcp_wheel_unlink(w, t);
	return true;
}

/* Jiffies from w->clk to the next processing of a non-empty slot of @lvl
 * (w->occupied[lvl] must not be 0). Slots of level L are processed when
 * the clock reaches a multiple of their span: the first such time at or
 * after clk is @first jiffies ahead, at slot index @idx; the occupancy map
 * rotated by @idx puts the slots in the order they come due.
 */
static unsigned long xtcp_wheel_lvl_next(const struct xtcp_wheel *w,
					 unsigned int lvl)
{
	unsigned long gran = XTCP_WHEEL_LVL_GRAN(lvl);
	unsigned long first = (gran - (w->clk & (gran - 1))) & (gran - 1);
	unsigned int idx = ((w->clk + first) >> xtcp_wheel_shift(lvl)) &
			   XTCP_WHEEL_SLOT_MASK;

	return first + __ffs64(ror64(w->occupied[lvl], idx)) * gran;
}

/* Jiffies from w->clk to the next slot processing that has work: O(levels). */
static bool xtcp_wheel_next_delta(const struct xtcp_wheel *w,
				  unsigned long *delta)
{
	bool found = false;
	unsigned long d;
	unsigned int lvl;

	for (lvl = 0; lvl < XTCP_WHEEL_LEVELS; lvl++) {
		if (!w->occupied[lvl])
			continue;
		d = xtcp_wheel_lvl_next(w, lvl);
		if (!found || d < *delta)
			*delta = d;
		found = true;
	}
	return found;
}

/**
 * xtcp_wheel_next_expiry() - when advance() next has work
 * @w:    the wheel.
 * @when: set to that jiffy when the wheel holds a timer.
 *
 * O(levels). The answer is never later than the earliest pending deadline
 * (so a kernel timer programmed for it is never late); it is earlier when
 * an upper level has to cascade first or a timer was re-armed later
 * (lazily). Inside an advance() callback, timers of the step being run
 * make it the current jiffy.
 *
 * Context: under the wheel's lock.
 * Return: false if no timer is pending (the driver then needs no kernel
 * timer at all), true and *@when otherwise.
 */
bool xtcp_wheel_next_expiry(const struct xtcp_wheel *w, unsigned long *when)
{
	unsigned long delta;

	if (!hlist_empty(&w->slots[XTCP_WHEEL_DUE])) {
		*when = w->clk - 1;
		return true;
	}
	if (!xtcp_wheel_next_delta(w, &delta))
		return false;
	*when = w->clk + delta;
	return true;
}

/* Place every timer of a slot again, seen from the current clock. */
static void xtcp_wheel_cascade(struct xtcp_wheel *w, unsigned int slot)
{
	struct xtcp_wtimer *t;
	struct hlist_head list;

	hlist_move_list(&w->slots[slot], &list);
	w->occupied[slot / XTCP_WHEEL_SLOTS] &=
		~BIT_ULL(slot & XTCP_WHEEL_SLOT_MASK);
	while (!hlist_empty(&list)) {
		t = hlist_entry(list.first, struct xtcp_wtimer, entry);
		hlist_del_init(&t->entry);
		w->count[slot / XTCP_WHEEL_SLOTS]--;
		xtcp_wheel_enqueue(w, t, xtcp_wheel_slot_for(w->clk, t->expires));
	}
}

/* Jiffy @j has come (w->clk == j): cascade the upper slots that come due
 * at @j, highest level first, then move level 0's slot for @j to the due
 * list. Cascaded timers land on a lower level, never on a slot already
 * processed at @j except level 0's, which is why that goes last.
 */
static void xtcp_wheel_collect(struct xtcp_wheel *w, unsigned long j)
{
	struct hlist_head *head;
	struct xtcp_wtimer *t;
	unsigned int lvl, idx;

	for (lvl = XTCP_WHEEL_LEVELS - 1; lvl > 0; lvl--) {
		if (j & (XTCP_WHEEL_LVL_GRAN(lvl) - 1))
			continue;
		idx = (j >> xtcp_wheel_shift(lvl)) & XTCP_WHEEL_SLOT_MASK;
		if (w->occupied[lvl] & BIT_ULL(idx))
			xtcp_wheel_cascade(w, lvl * XTCP_WHEEL_SLOTS + idx);
	}
	idx = j & XTCP_WHEEL_SLOT_MASK;
	head = &w->slots[idx];
	while (!hlist_empty(head)) {
		t = hlist_entry(head->first, struct xtcp_wtimer, entry);
		xtcp_wheel_unlink(w, t);
		xtcp_wheel_enqueue(w, t, XTCP_WHEEL_DUE);
	}
}

/**
 * xtcp_wheel_advance() - run every timer due up to @now, in deadline order
 * @w:   the wheel.
 * @now: current time, in jiffies.
 * @fn:  called once per expired timer, which is no longer pending when it
 *       is called (its handler owns the reference, see the header).
 * @arg: passed to @fn.
 *
 * Processes, in order, each jiffy from the wheel's clock to @now that has
 * work (the bitmaps skip the others: one step per cascade or expiry
 * jiffy, O(levels) each), and leaves the clock at @now + 1. Timers due at
 * the same jiffy fire in no particular order; a timer fires in the first
 * step at or after its deadline.
 *
 * @fn may arm and cancel any timer of @w, and may drop the driver's lock
 * around the handler and take it again before returning: between two calls
 * the wheel is consistent. A timer armed from @fn with a deadline at or
 * before the step being run fires at the next jiffy, so a handler that
 * re-arms itself to "now" runs again one jiffy later (within this call
 * only if @now is later), never in a loop. Calls of advance() on one wheel
 * must not overlap (the driver runs them from one place per wheel).
 * While @fn runs, @w->clk - 1 is the jiffy being processed.
 *
 * Context: under the wheel's lock, which @fn may drop and retake.
 * Return: the number of timers whose @fn was called.
 */
unsigned int xtcp_wheel_advance(struct xtcp_wheel *w, unsigned long now,
				xtcp_wheel_fn fn, void *arg)
{
	struct hlist_head *due = &w->slots[XTCP_WHEEL_DUE];
	struct xtcp_wtimer *t;
	unsigned int fired = 0;
	unsigned long delta, j;

	while (time_before_eq(w->clk, now)) {
		if (!xtcp_wheel_next_delta(w, &delta) || delta > now - w->clk) {
			w->clk = now + 1;
			break;
		}
		j = w->clk + delta;
		w->clk = j;
		xtcp_wheel_collect(w, j);
		/* Arms from @fn see j as past: they go to j + 1 at the least. */
		w->clk = j + 1;
		while (!hlist_empty(due)) {
			t = hlist_entry(due->first, struct xtcp_wtimer, entry);
			xtcp_wheel_unlink(w, t);
			if (time_after(t->expires, j)) {
				/* Re-armed later since it was placed. */
				xtcp_wheel_enqueue(w, t,
						   xtcp_wheel_slot_for(w->clk,
								       t->expires));
				continue;
			}
			fired++;
			fn(w, t, arg);
		}
	}
	return fired;
}

/**
 * xtcp_wheel_walk_pending() - visit every pending timer
 * @w:   the wheel.
 * @fn:  called once for each timer pending when it is reached; it may
 *       xtcp_wheel_cancel() that timer (and drop the reference), but must
 *       not arm or cancel any other timer.
 * @arg: passed to @fn.
 *
 * For draining at module unload and namespace exit: @fn cancels the
 * timers it owns. Timers due in a running advance() step whose handlers
 * have not been called are visited too (and never fire if cancelled).
 * O(slots + pending timers).
 *
 * Context: under the wheel's lock; also from an advance() callback, or
 * while one has dropped the lock.
 */
void xtcp_wheel_walk_pending(struct xtcp_wheel *w, xtcp_wheel_fn fn,
			     void *arg)
{
	struct hlist_node *next;
	struct xtcp_wtimer *t;
	unsigned int i;

	for (i = 0; i <= XTCP_WHEEL_NR_SLOTS; i++)
		hlist_for_each_entry_safe(t, next, &w->slots[i], entry)
			fn(w, t, arg);
}
