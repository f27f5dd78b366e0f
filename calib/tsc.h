/* SPDX-License-Identifier: BSD-3-Clause
 * TSC calibration against CLOCK_MONOTONIC_RAW.
 */
#ifndef LVP_CALIB_TSC_H
#define LVP_CALIB_TSC_H

#include "clock.h"

/* 1 when CPUID says the TSC is invariant (leaf 0x80000007, EDX bit 8),
 * 0 when it is not, -ENOTSUP when the leaf does not exist. */
int tsc_invariant(void);

/*
 * Measure the TSC rate against CLOCK_MONOTONIC_RAW over window_ms
 * milliseconds. Each end point is the tightest of several (TSC, clock, TSC)
 * brackets; their widths give the uncertainty. Fills *c (dpdk_hz is left
 * 0: the caller fills it once EAL runs). Returns 0 or -errno.
 */
int tsc_calibrate(struct tsc_clock *c, unsigned int window_ms);

/* Mean cost of one TSC read in ns, over n back-to-back reads. */
double tsc_read_cost_ns(const struct tsc_clock *c, unsigned int n);

#endif
