/* SPDX-License-Identifier: BSD-3-Clause
 * Log-linear latency histogram; layout and percentile report follow
 * HdrHistogram (Gil Tene) as ported to C in HdrHistogram_c
 * (src/hdr_histogram.c: get_bucket_index, counts_index,
 * hdr_value_at_index, _percentile_iter_next, hdr_percentiles_print).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

/*
 * Slot of a value v <= h->highest. The bucket is the power of two that
 * first holds v once v is or'ed with the sub-bucket mask (so every v below
 * sub_count << unit lands in bucket 0); the sub-bucket is v at that
 * bucket's resolution, in [sub_count / 2, sub_count) for buckets >= 1.
 */
static inline uint32_t slot_of(const struct hist *h, uint64_t v)
{
	int pow2_ceil = 64 - __builtin_clzll(v | h->sub_mask);
	int bucket = pow2_ceil - h->unit_magnitude - (h->sub_half_magnitude + 1);
	uint32_t sub = (uint32_t)(v >> (bucket + h->unit_magnitude));

	return ((uint32_t)(bucket + 1) << h->sub_half_magnitude) + sub - (h->sub_count >> 1);
}

/* Inverse of slot_of: the lowest value of slot i and the slot's width. */
static void slot_range(const struct hist *h, uint32_t i, uint64_t *lowest, uint64_t *width)
{
	uint32_t half = h->sub_count >> 1;
	int bucket = (int)(i >> h->sub_half_magnitude) - 1;
	uint64_t sub = (i & (half - 1)) + half;

	if (bucket < 0) {
		sub -= half;
		bucket = 0;
	}
	*lowest = sub << (bucket + h->unit_magnitude);
	*width = UINT64_C(1) << (bucket + h->unit_magnitude);
}

/* HdrHistogram's highestEquivalentValue of slot i. */
static uint64_t slot_highest(const struct hist *h, uint32_t i)
{
	uint64_t lowest, width;

	slot_range(h, i, &lowest, &width);
	return lowest + width - 1;
}

/* HdrHistogram's medianEquivalentValue of slot i. */
static uint64_t slot_median(const struct hist *h, uint32_t i)
{
	uint64_t lowest, width;

	slot_range(h, i, &lowest, &width);
	return lowest + (width >> 1);
}

int hist_init(struct hist *h, uint64_t lowest, uint64_t highest, int sig_digits)
{
	uint64_t single_unit_max = 2, untrackable;
	int sub_magnitude = 0;

	if (h == NULL)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	if (lowest < 1 || highest / 2 < lowest || sig_digits < 1 || sig_digits > 5)
		return -EINVAL;

	/* sub_count = 2^ceil(log2(2 * 10^digits)): every integer below
	 * 2 * 10^digits keeps unit resolution. */
	for (int d = 0; d < sig_digits; d++)
		single_unit_max *= 10;
	while ((UINT64_C(1) << sub_magnitude) < single_unit_max)
		sub_magnitude++;

	h->lowest = lowest;
	h->highest = highest;
	h->sig_digits = sig_digits;
	h->unit_magnitude = 63 - __builtin_clzll(lowest);
	h->sub_half_magnitude = sub_magnitude - 1;
	/* HdrHistogram (Java) refuses this too: sub_mask would overflow. */
	if (h->unit_magnitude + h->sub_half_magnitude > 61)
		return -EINVAL;
	h->sub_count = UINT32_C(1) << sub_magnitude;
	h->sub_mask = (uint64_t)(h->sub_count - 1) << h->unit_magnitude;

	/* Buckets needed so that highest falls below the top of the last. */
	untrackable = (uint64_t)h->sub_count << h->unit_magnitude;
	h->bucket_count = 1;
	while (untrackable <= highest) {
		h->bucket_count++;
		if (untrackable > UINT64_MAX / 2)
			break;
		untrackable <<= 1;
	}
	h->counts_len = (uint32_t)(h->bucket_count + 1) * (h->sub_count >> 1);

	h->counts = calloc(h->counts_len, sizeof(*h->counts));
	if (h->counts == NULL)
		return -ENOMEM;
	h->min = UINT64_MAX;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h->counts);
	h->counts = NULL;
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, h->counts_len * sizeof(*h->counts));
	h->total = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->clamped = 0;
}

static inline void record(struct hist *h, uint64_t value, uint64_t n)
{
	uint64_t over = value > h->highest;
	uint64_t v = over ? h->highest : value;

	h->counts[slot_of(h, v)] += n;
	h->total += n;
	h->clamped += over * n;
	h->min = (n != 0 && v < h->min) ? v : h->min;
	h->max = (n != 0 && v > h->max) ? v : h->max;
}

void hist_record(struct hist *h, uint64_t value)
{
	record(h, value, 1);
}

void hist_record_n(struct hist *h, uint64_t value, uint64_t n)
{
	record(h, value, n);
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->unit_magnitude != src->unit_magnitude || dst->sub_count != src->sub_count ||
	    dst->highest != src->highest || dst->counts_len != src->counts_len)
		return -EINVAL;

	for (uint32_t i = 0; i < dst->counts_len; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->clamped += src->clamped;
	dst->min = src->min < dst->min ? src->min : dst->min;
	dst->max = src->max > dst->max ? src->max : dst->max;
	return 0;
}

uint64_t hist_count(const struct hist *h)
{
	return h->total;
}

uint64_t hist_min(const struct hist *h)
{
	return h->total ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

double hist_mean(const struct hist *h)
{
	double sum = 0.0;

	if (h->total == 0)
		return 0.0;
	for (uint32_t i = 0; i < h->counts_len; i++)
		if (h->counts[i])
			sum += (double)h->counts[i] * (double)slot_median(h, i);
	return sum / (double)h->total;
}

double hist_stddev(const struct hist *h)
{
	double mean, sum = 0.0;

	if (h->total == 0)
		return 0.0;
	mean = hist_mean(h);
	for (uint32_t i = 0; i < h->counts_len; i++) {
		if (h->counts[i]) {
			double dev = (double)slot_median(h, i) - mean;

			sum += dev * dev * (double)h->counts[i];
		}
	}
	return sqrt(sum / (double)h->total);
}

/* max(1, ceil(fraction * total)), where a product within 1e-9 (relative)
 * of an integer is that integer: 0.999 * 100000 is 99900.00000000001. */
static uint64_t rank_at(double fraction, uint64_t total)
{
	double exact = fraction * (double)total;
	double nearest = round(exact);
	uint64_t rank;

	if (fabs(exact - nearest) <= 1e-9 * (nearest > 1.0 ? nearest : 1.0))
		rank = (uint64_t)nearest;
	else
		rank = (uint64_t)ceil(exact);
	return rank ? rank : 1;
}

uint64_t hist_percentile(const struct hist *h, double pct)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0;
	if (!(pct > 0.0)) /* also NaN */
		pct = 0.0;
	if (pct >= 100.0)
		return h->max;

	rank = rank_at(pct / 100.0, h->total);
	for (uint32_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = slot_highest(h, i);

			/* The max's slot may reach past the max itself. */
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

/*
 * HdrHistogram's PercentileIterator step: ticks reports per halving of the
 * distance to 100 %, i.e. the step is 100 / (ticks * 2^(floor(log2(100 /
 * (100 - p))) + 1)). The expression is HdrHistogram's, floating-point
 * rounding included, so the printed percentiles are the same.
 */
static double next_percentile(double p, int ticks)
{
	double halvings;

	if (!(p < 100.0))
		return INFINITY;
	halvings = floor(log(100.0 / (100.0 - p)) / log(2.0));
	if (halvings > 60.0)
		return INFINITY;
	return p + 100.0 / ((double)ticks * ldexp(1.0, (int)halvings + 1));
}

static int print_line(const struct hist *h, FILE *out, uint32_t slot, double percentile,
		      uint64_t cumulative, double unit_ratio)
{
	double fraction = percentile / 100.0;

	if (fprintf(out, "%12.*f %12f %12" PRIu64 " %12.2f\n", h->sig_digits,
		    (double)slot_highest(h, slot) / unit_ratio, fraction, cumulative,
		    1.0 / (1.0 - fraction)) < 0)
		return -EIO;
	return 0;
}

int hist_print_percentiles(const struct hist *h, FILE *out, int ticks_per_half_distance,
			   double unit_ratio)
{
	double next = 0.0, mean = 0.0, stddev = 0.0, max = 0.0;
	uint64_t cumulative = 0;
	uint32_t slot = 0;
	int rc;

	if (ticks_per_half_distance < 1 || !(unit_ratio > 0.0))
		return -EINVAL;
	if (fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount",
		    "1/(1-Percentile)") < 0)
		return -EIO;

	if (h->total) {
		/*
		 * Walk the slots as _percentile_iter_next does: a slot with a
		 * count may report several percentile steps; the slot holding
		 * the last value reports one, then comes the 100 % line.
		 */
		for (slot = 0; slot < h->counts_len; slot++) {
			if (h->counts[slot] == 0)
				continue;
			cumulative += h->counts[slot];
			while (next <= (100.0 * (double)cumulative) / (double)h->total) {
				rc = print_line(h, out, slot, next, cumulative, unit_ratio);
				if (rc)
					return rc;
				next = next_percentile(next, ticks_per_half_distance);
				if (cumulative >= h->total)
					break;
			}
			if (cumulative >= h->total)
				break;
		}
		rc = print_line(h, out, slot, 100.0, cumulative, unit_ratio);
		if (rc)
			return rc;

		mean = hist_mean(h) / unit_ratio;
		stddev = hist_stddev(h) / unit_ratio;
		if (h->max)
			max = (double)slot_highest(h, slot_of(h, h->max)) / unit_ratio;
	}

	if (fprintf(out,
		    "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n"
		    "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n"
		    "#[Buckets = %12d, SubBuckets     = %12d]\n",
		    mean, stddev, max, h->total, h->bucket_count, (int)h->sub_count) < 0)
		return -EIO;
	return 0;
}
