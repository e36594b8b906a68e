/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic pseudo-random numbers for the randomized host tests:
 * Marsaglia's xorshift64, so that every run of a test draws the same
 * sequence and a failure repeats.  A test file may define RNG_SEED before
 * including this to draw a sequence of its own.
 */
#ifndef _XTCP_HOST_RNG_H
#define _XTCP_HOST_RNG_H

#include <linux/types.h>

#ifndef RNG_SEED
#define RNG_SEED 0x9e3779b97f4a7c15ULL
#endif

static u64 rng_state = RNG_SEED;

/* The next 32 pseudo-random bits. */
static inline u32 rnd32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state >> 16);
}

#endif /* _XTCP_HOST_RNG_H */
