/* SPDX-License-Identifier: BSD-3-Clause
 * Descriptive summary of a sample: count, extremes, mean, sd, quantiles.
 */
#ifndef LVP_SUMMARY_H
#define LVP_SUMMARY_H

#include <stddef.h>

struct stats_summary {
	size_t n;
	double min, max, mean, sd; /* sd: sample standard deviation (n - 1) */
	double p50, p90, p99, p999;
};

/*
 * Summarise x[0..n), skipping NaN (lost samples); negative values (an RTT
 * with a floor subtracted) are kept. Quantiles
 * interpolate linearly between order statistics, (n - 1) * q (Hyndman &
 * Fan 1996, definition 7, as gsl_stats_quantile_from_sorted_data, R's
 * default and numpy's "linear"). sd is 0 for n < 2. Returns 0, or -ENOMEM;
 * with no valid sample, n is 0 and the rest NaN.
 */
int stats_summarize(const double *x, size_t n, struct stats_summary *s);

#endif
