/* SPDX-License-Identifier: BSD-3-Clause
 * hist: log-linear latency histogram (values in nanoseconds).
 *
 * Layout after HdrHistogram (Gil Tene; C port HdrHistogram_c by Michael
 * Barker, src/hdr_histogram.c). For d significant decimal digits there are
 * S = 2^ceil(log2(2 * 10^d)) sub-buckets per bucket (S = 2048 for d = 3) and
 * u = floor(log2(lowest)). Bucket 0 covers [0, S << u) in steps of 2^u;
 * bucket b >= 1 covers [(S/2) << (b + u), S << (b + u)) in S/2 steps of
 * 2^(b + u), the doubling that makes the layout log-linear. The counts
 * array holds (bucket_count + 1) * S/2 slots. A value v >= S << u shares
 * its slot only with values less than 2v/S away: relative error below
 * 1/1024 < 0.1 % for d = 3, and none at all below 2048 << u.
 *
 * With (1, 100e9, 3): 27 buckets, 28672 slots, 224 KiB of counts.
 *
 * Not thread-safe: one histogram per lcore, merged by the control thread.
 */
#ifndef LVP_HIST_H
#define LVP_HIST_H

#include <stdint.h>
#include <stdio.h>

struct hist {
	uint64_t lowest;	/* lowest discernible value, as given */
	uint64_t highest;	/* highest trackable value; larger ones clamp */
	int sig_digits;		/* significant decimal digits, 1..5 */
	int unit_magnitude;	/* floor(log2(lowest)) */
	int sub_half_magnitude; /* log2(sub_count / 2) */
	uint32_t sub_count;	/* sub-buckets per bucket, 2048 for 3 digits */
	uint64_t sub_mask;	/* (sub_count - 1) << unit_magnitude */
	int bucket_count;
	uint32_t counts_len;
	uint64_t total;	  /* values recorded, clamped ones included */
	uint64_t min;	  /* UINT64_MAX while empty */
	uint64_t max;	  /* 0 while empty; after clamping */
	uint64_t clamped; /* values recorded above highest */
	uint64_t *counts; /* counts_len slots, owned by the histogram */
};

/*
 * Configure h for values in [0, highest] distinguishing values >= lowest to
 * sig_digits significant digits, and allocate its counts (zeroed).
 * Requires lowest >= 1, highest >= 2 * lowest, 1 <= sig_digits <= 5.
 * Typical: hist_init(h, 1, 100000000000, 3) for 1 ns .. 100 s.
 * Returns 0, -EINVAL on bad arguments or -ENOMEM; on error h->counts is
 * NULL and hist_free(h) is harmless.
 */
int hist_init(struct hist *h, uint64_t lowest, uint64_t highest, int sig_digits);

/* Release the counts of h (h itself belongs to the caller). Idempotent. */
void hist_free(struct hist *h);

/* Forget every recorded value; the layout is kept. */
void hist_reset(struct hist *h);

/*
 * Record one value. Hot path: no allocation, no branch (clamping and
 * min/max use conditional moves). A value above h->highest is recorded as
 * h->highest and counted in h->clamped. 0 is a valid value.
 */
void hist_record(struct hist *h, uint64_t value);

/* Record value n times; same rules as hist_record. n == 0 changes nothing. */
void hist_record_n(struct hist *h, uint64_t value, uint64_t n);

/*
 * Add every count of src into dst. Both must come from hist_init with the
 * same lowest (unit), sig_digits and highest, else -EINVAL and dst is
 * unchanged. Returns 0.
 */
int hist_merge(struct hist *dst, const struct hist *src);

/* Number of values recorded (clamped ones included). */
uint64_t hist_count(const struct hist *h);

/* Smallest value recorded, exact; 0 when empty. */
uint64_t hist_min(const struct hist *h);

/* Largest value recorded, exact after clamping to h->highest; 0 when empty. */
uint64_t hist_max(const struct hist *h);

/*
 * Mean of the recorded values, each taken as the midpoint of its slot
 * (HdrHistogram's "median equivalent value"), so within 0.05 % of the exact
 * mean. 0 when empty.
 */
double hist_mean(const struct hist *h);

/*
 * Population standard deviation (divide by N, as HdrHistogram), from slot
 * midpoints around hist_mean. 0 when empty.
 */
double hist_stddev(const struct hist *h);

/*
 * Value at percentile pct (clamped to [0, 100]; NaN counts as 0), with
 * HdrHistogram semantics: the highest value equivalent to the slot holding
 * the r-th smallest recorded value, r = max(1, ceil(pct / 100 * count))
 * (the ceiling forgives 1e-9 of floating-point noise, so 99.9 % of 100000
 * is rank 99900). Hence x_r <= result < x_r * (1 + 1/1024) for the exact
 * order statistic x_r. The result never exceeds hist_max (the max's slot
 * may reach past the max; HdrHistogram would return the slot's top), so
 * percentiles are monotonic up to pct == 100, which returns hist_max.
 * 0 when empty.
 */
uint64_t hist_percentile(const struct hist *h, double pct);

/*
 * Print the percentile distribution exactly as HdrHistogram_c's
 * hdr_percentiles_print(h, out, ticks_per_half_distance, unit_ratio,
 * CLASSIC) does (also what wrk2 prints): a header, one line per percentile
 * step (ticks_per_half_distance steps each time the distance to 100 %
 * halves), a last line at 100 %, then the "#[Mean", "#[Max" and
 * "#[Buckets" footer. Values are divided by unit_ratio (1000.0 prints
 * microseconds from nanoseconds). An empty histogram prints the header and
 * a footer of zeros (HdrHistogram_c would print a NaN mean).
 * Requires ticks_per_half_distance >= 1 and unit_ratio > 0, else -EINVAL.
 * Returns 0 or -EIO when out fails.
 */
int hist_print_percentiles(const struct hist *h, FILE *out, int ticks_per_half_distance,
			   double unit_ratio);

#endif /* LVP_HIST_H */
