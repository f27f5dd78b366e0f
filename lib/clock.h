/* SPDX-License-Identifier: BSD-3-Clause
 * Time types of the dataplane and the named conversions between them.
 *
 * tsc_t counts TSC ticks, nsec_t counts nanoseconds. Both are 64-bit
 * integers, so the compiler cannot keep them apart: these names and the
 * conversion functions below are the only sanctioned way to mix them.
 */
#ifndef LVP_CLOCK_H
#define LVP_CLOCK_H

#include <stdint.h>

typedef uint64_t tsc_t;
typedef uint64_t nsec_t;
typedef int64_t tsc_delta_t; /* signed ticks between two tsc_t */

/* How a receive timestamp was taken. Every sample carries one of these. */
enum clock_source {
	CLOCK_SRC_TSC_RX_BURST = 0, /* TSC read right after rte_eth_rx_burst() */
	CLOCK_SRC_NIC_HW,	    /* NIC hardware stamp, converted to TSC */
	CLOCK_SRC_XDP_HOOK,	    /* CLOCK_MONOTONIC read by the XDP program on the
				     * appliance's veth end, converted to TSC */
};

/* "tsc-after-rx-burst", "nic-hw-timestamp" or "xdp-hook-ktime". */
const char *clock_source_name(enum clock_source src);

/*
 * The TSC rate as measured against CLOCK_MONOTONIC_RAW (calib/tsc.c), never
 * the rate DPDK assumes. hz is ticks per second.
 */
struct tsc_clock {
	double hz;
	double ns_per_tick;
	double uncertainty_ppm; /* from the read brackets at both ends */
	double dpdk_hz;		/* what rte_get_tsc_hz() claimed */
};

static inline double tsc_to_ns_f(const struct tsc_clock *c, tsc_t ticks)
{
	return (double)ticks * c->ns_per_tick;
}

static inline nsec_t tsc_to_ns(const struct tsc_clock *c, tsc_t ticks)
{
	return (nsec_t)((double)ticks * c->ns_per_tick + 0.5);
}

static inline tsc_t ns_to_tsc(const struct tsc_clock *c, nsec_t ns)
{
	return (tsc_t)((double)ns * c->hz / 1e9 + 0.5);
}

/* Wrap-safe: is a strictly before b? */
static inline int tsc_before(tsc_t a, tsc_t b)
{
	return (int64_t)(a - b) < 0;
}

/*
 * Signed ticks from mark to t: negative when t is before mark (a frame
 * stamped before the start mark), never a wrapped ~2^64. The difference is
 * taken modulo 2^64 and read as two's complement, so it is exact while the
 * two are less than 2^63 ticks apart (about 100 years at 3 GHz), also
 * across a wrap of the counter.
 */
static inline tsc_delta_t tsc_delta(tsc_t mark, tsc_t t)
{
	return (tsc_delta_t)(t - mark);
}

/* tsc_delta(mark, t) in nanoseconds, negative when t is before mark. */
static inline double tsc_delta_ns_f(const struct tsc_clock *c, tsc_t mark, tsc_t t)
{
	return (double)tsc_delta(mark, t) * c->ns_per_tick;
}

/* Ticks from a to b, or 0 when b is not after a. */
static inline tsc_t tsc_since(tsc_t a, tsc_t b)
{
	return tsc_before(a, b) ? b - a : 0;
}

#endif
