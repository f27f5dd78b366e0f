/* SPDX-License-Identifier: BSD-3-Clause
 * A NIC's clock mapped to the TSC, without DPDK (the port feeds it).
 *
 * Each point pairs one NIC clock reading with the TSC: the TSC is read
 * before and after the NIC clock, several times, and the tightest bracket
 * gives the point (its midpoint; half its width bounds the error). A
 * least-squares line over the last NICCLOCK_WINDOW points maps NIC time
 * to TSC; new points slide the window (resync), so a NIC oscillator that
 * wanders is followed. All arithmetic is on integer deltas from a
 * reference point: a NIC time near the PTP epoch (~1.7e18 ns) never goes
 * through a double, whose 256 ns spacing there would quantize every stamp.
 */
#ifndef LVP_NICCLOCK_H
#define LVP_NICCLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define NICCLOCK_WINDOW 16

/* One reading: the TSC just before and just after reading the NIC clock. */
struct nicclock_read {
	tsc_t tsc_before;
	uint64_t nic;
	tsc_t tsc_after;
};

/* A point of the fit: the NIC time and the TSC at that instant. */
struct nicclock_point {
	uint64_t nic;
	tsc_t tsc;	    /* midpoint of the bracket */
	tsc_t half_width;   /* its uncertainty, TSC ticks */
};

struct nicclock {
	struct nicclock_point pts[NICCLOCK_WINDOW]; /* ring of the latest points */
	uint32_t n, next;
	int valid;		/* a line is fitted (two points or more) */
	uint64_t nic_ref;	/* the line passes through (nic_ref, tsc_ref) */
	tsc_t tsc_ref;
	double tsc_per_tick;	/* slope: TSC ticks per NIC tick */
	double residual_rms;	/* of the points about the line, TSC ticks */
	double residual_max;
	tsc_t half_width_max;	/* widest bracket among the points */
};

/*
 * The point of k readings of one instant: the one with the narrowest
 * bracket (tsc_after - tsc_before), the TSC at its midpoint. Returns 0, or
 * -EINVAL when k is 0 or no reading has tsc_after >= tsc_before.
 */
int nicclock_tightest(const struct nicclock_read *r, size_t k, struct nicclock_point *out);

void nicclock_init(struct nicclock *c);

/*
 * Add pt (NIC time after the previous point's) and refit the line over
 * the last NICCLOCK_WINDOW points by ordinary least squares of TSC on NIC
 * time (x, y as signed deltas from the oldest point in the window; slope
 * = Sxy / Sxx about the means). Fills the residuals. Returns 0 with
 * c->valid set once two points are in, or -EINVAL when pt's NIC time does
 * not advance (the point is dropped).
 */
int nicclock_add(struct nicclock *c, const struct nicclock_point *pt);

/* The TSC at NIC time nic on the fitted line (c->valid must be set). */
static inline tsc_t nicclock_to_tsc(const struct nicclock *c, uint64_t nic)
{
	double d = (double)(int64_t)(nic - c->nic_ref) * c->tsc_per_tick;

	return c->tsc_ref + (tsc_t)(int64_t)(d + (d >= 0 ? 0.5 : -0.5));
}

#endif
