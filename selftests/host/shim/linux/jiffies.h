/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/jiffies.h>: the wrap-safe comparisons,
 * jiffies_to_usecs() and usecs_to_jiffies() (rounding up, as the
 * kernel's for an HZ that divides 10^6; there is no jiffies counter:
 * tests pass times in).
 * Like the kernel's, the comparisons refuse anything but unsigned long at
 * compile time.  HZ is Debian's 6.1 kernel's CONFIG_HZ.
 */
#ifndef _XTCP_SHIM_LINUX_JIFFIES_H
#define _XTCP_SHIM_LINUX_JIFFIES_H

/* Comparing pointers to different types warns, and -Werror fails. */
#define __xtcp_shim_is_ulong(x) \
	({ unsigned long __a; typeof(x) __b; (void)(&__a == &__b); 1; })

#define time_after(a, b) \
	(__xtcp_shim_is_ulong(a) && __xtcp_shim_is_ulong(b) && \
	 ((long)((b) - (a)) < 0))
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b) \
	(__xtcp_shim_is_ulong(a) && __xtcp_shim_is_ulong(b) && \
	 ((long)((a) - (b)) >= 0))
#define time_before_eq(a, b)	time_after_eq(b, a)

#define HZ			250

static inline unsigned int jiffies_to_usecs(const unsigned long j)
{
	return (unsigned int)(j * (1000000UL / HZ));
}

static inline unsigned long usecs_to_jiffies(const unsigned int u)
{
	return (u + (1000000UL / HZ) - 1) / (1000000UL / HZ);
}

#endif /* _XTCP_SHIM_LINUX_JIFFIES_H */
