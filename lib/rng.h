/* SPDX-License-Identifier: BSD-3-Clause
 * A small seeded generator for load decisions (keys, mixes, Poisson gaps):
 * xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift
 * generators, scrambled", 2016). Not for anything secret.
 */
#ifndef LVP_RNG_H
#define LVP_RNG_H

#include <stdint.h>

/* Next 64 random bits; *state must never be 0. */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ull;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double rng_uniform(uint64_t *state)
{
	return (double)(rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
