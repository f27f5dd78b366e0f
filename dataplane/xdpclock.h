/* SPDX-License-Identifier: BSD-3-Clause
 * The XDP hook's clock (bpf_ktime_get_ns(), CLOCK_MONOTONIC) mapped to the
 * TSC, for receive stamps taken at a veth's XDP hook (bpf/xdp_stamp.bpf.c).
 *
 * The map is an anchor, one (TSC, CLOCK_MONOTONIC) pair read as the tightest
 * of a few rdtsc / clock_gettime / rdtsc brackets, and the measured TSC rate.
 * The worker re-anchors before converting when the anchor is older than its
 * refresh period, so a stamp is never converted across more than that
 * period: at a rate error of r ppm the conversion error stays below
 * r * period (0.1 ppm over 10 ms: 1 ns) plus half the anchor's bracket.
 * No DPDK here: the module is unit-tested on its own.
 */
#ifndef LVP_XDPCLOCK_H
#define LVP_XDPCLOCK_H

#include <stdint.h>

#include "clock.h"

struct xdp_clock {
	double tsc_per_ns;	/* measured TSC rate, ticks per ns */
	tsc_t refresh_ticks;	/* re-anchor when the anchor is older than this */
	tsc_t anchor_tsc;	/* midpoint of the tightest bracket */
	int64_t anchor_ns;	/* CLOCK_MONOTONIC read inside it */
	tsc_t anchor_width;	/* that bracket's width in ticks */
	uint64_t anchors;	/* how many anchors were taken */
	uint64_t stamped;	/* frames stamped at the hook */
	uint64_t unstamped;	/* frames without the program's metadata */
	uint64_t future;	/* hook stamp after the burst's TSC: not used */
	tsc_t hook_wait_sum;	/* burst TSC minus hook stamp, summed */
	tsc_t hook_wait_max;
};

/*
 * Prepare c for a TSC rate of tsc_hz, re-anchoring every refresh_ns, and take
 * the first anchor. Returns 0, or -errno when CLOCK_MONOTONIC cannot be read.
 */
int xdp_clock_init(struct xdp_clock *c, double tsc_hz, nsec_t refresh_ns);

/*
 * Take a new anchor: the tightest of tries (TSC, CLOCK_MONOTONIC, TSC)
 * brackets. Returns 0 or -errno.
 */
int xdp_clock_anchor(struct xdp_clock *c, unsigned int tries);

/* Re-anchor when the anchor is older than the refresh period at now. */
static inline void xdp_clock_maybe_anchor(struct xdp_clock *c, tsc_t now)
{
	if ((int64_t)(now - c->anchor_tsc) > (int64_t)c->refresh_ticks)
		xdp_clock_anchor(c, 3);
}

/* A CLOCK_MONOTONIC time (ns) as a TSC value, from the current anchor. */
tsc_t xdp_clock_to_tsc(const struct xdp_clock *c, uint64_t mono_ns);

/*
 * Stamp a frame from the hook's reading mono_ns, given now, the TSC read
 * after the receive burst: the converted stamp, or now when the converted
 * stamp lies after now by more than the anchor's bracket (counted in
 * c->future). Accumulates the wait between hook and burst.
 */
tsc_t xdp_clock_stamp(struct xdp_clock *c, uint64_t mono_ns, tsc_t now);

/* Add the counts of q (another queue's clock of the same port) into sum:
 * anchors, stamped, unstamped, future and the wait summed; the longest
 * wait and widest anchor bracket kept. */
void xdp_clock_merge(struct xdp_clock *sum, const struct xdp_clock *q);

#endif
