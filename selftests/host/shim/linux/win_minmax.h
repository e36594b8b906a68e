/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/win_minmax.h>: Kathleen Nichols' windowed
 * extremum tracker, which the kernel implements in lib/win_minmax.c.
 * Same structure and the same contract as the kernel's, written from that
 * contract: the three best samples of the window, each at least as recent
 * as the one before it, with the 2nd and 3rd refreshed from the later
 * quarter and half of the window, so that the best is replaced within one
 * window once it ages out.  Only minmax_running_max() is here, the only
 * one of the two that 6.1 exports to modules (xtcp runs it on
 * complemented values for a running minimum, see net/xtcp/rtt.c).
 */
#ifndef _XTCP_SHIM_LINUX_WIN_MINMAX_H
#define _XTCP_SHIM_LINUX_WIN_MINMAX_H

#include <linux/types.h>

struct minmax_sample {
	u32 t;	/* when it was measured, in the caller's time unit */
	u32 v;	/* what was measured */
};

struct minmax {
	struct minmax_sample s[3];	/* best, 2nd and 3rd best */
};

static inline u32 minmax_get(const struct minmax *m)
{
	return m->s[0].v;
}

/* All three choices become the one sample (@meas at @t). */
static inline u32 minmax_reset(struct minmax *m, u32 t, u32 meas)
{
	m->s[0].t = t;
	m->s[0].v = meas;
	m->s[1] = m->s[0];
	m->s[2] = m->s[0];
	return meas;
}

/*
 * The window moved on to @val without a better sample: the best ages
 * out after @win (the later choices move up, once or twice), and a
 * choice that still shares the best's time is replaced by @val after a
 * quarter (2nd) or half (3rd) of the window.  Times compare by unsigned
 * difference, so they may wrap.
 */
static inline u32 shim_minmax_age(struct minmax *m, u32 win,
				  const struct minmax_sample *val)
{
	u32 age = val->t - m->s[0].t;
	int shifts;

	if (age > win) {
		for (shifts = 0; shifts < 2; shifts++) {
			m->s[0] = m->s[1];
			m->s[1] = m->s[2];
			m->s[2] = *val;
			if (val->t - m->s[0].t <= win)
				break;
		}
	} else if (m->s[1].t == m->s[0].t && age > win / 4) {
		m->s[1] = *val;
		m->s[2] = *val;
	} else if (m->s[2].t == m->s[1].t && age > win / 2) {
		m->s[2] = *val;
	}
	return m->s[0].v;
}

/* Feed @meas taken at @t; returns the largest value of the last @win. */
static inline u32 minmax_running_max(struct minmax *m, u32 win, u32 t,
				     u32 meas)
{
	struct minmax_sample val = { .t = t, .v = meas };

	/* A new best, or all three choices older than the window. */
	if (meas >= m->s[0].v || t - m->s[2].t > win)
		return minmax_reset(m, t, meas);
	if (meas >= m->s[1].v) {
		m->s[1] = val;
		m->s[2] = val;
	} else if (meas >= m->s[2].v) {
		m->s[2] = val;
	}
	return shim_minmax_age(m, win, &val);
}

#endif /* _XTCP_SHIM_LINUX_WIN_MINMAX_H */
