/* SPDX-License-Identifier: BSD-3-Clause
 * hist against exact statistics of the raw samples, and its percentile
 * report against HdrHistogram_c's hdr_percentiles_print worked by hand.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

#define NS_100S	  UINT64_C(100000000000)
#define N_SAMPLES 100000

/* splitmix64 (Steele, Lea & Flood 2014): a fixed, portable sample. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* n values log-uniform on [100 ns, 10 s]: 8 decades, every bucket used. */
static uint64_t *log_uniform_sample(size_t n, uint64_t seed)
{
	uint64_t *v = malloc(n * sizeof(*v));
	double lo = log(100.0), hi = log(1e10);

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		double u = (double)(splitmix64(&seed) >> 11) / 9007199254740992.0; /* [0,1) */

		v[i] = (uint64_t)llround(exp(lo + u * (hi - lo)));
	}
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void test_init_rejects_bad_layout(void **state)
{
	struct hist h;

	(void)state;
	assert_int_equal(hist_init(&h, 0, NS_100S, 3), -EINVAL);
	assert_int_equal(hist_init(&h, 1, NS_100S, 0), -EINVAL);
	assert_int_equal(hist_init(&h, 1, NS_100S, 6), -EINVAL);
	assert_int_equal(hist_init(&h, 1000, 1999, 3), -EINVAL);
	assert_null(h.counts);
	hist_free(&h);

	/* HdrHistogram's layout for (1, 100 s, 3 digits). */
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	assert_int_equal(h.sub_count, 2048);
	assert_int_equal(h.bucket_count, 27); /* 2048 << 26 > 1e11 >= 2048 << 25 */
	assert_int_equal(h.counts_len, 28 * 1024);
	hist_free(&h);
	hist_free(&h);
}

/*
 * The HDR guarantee: the reported value is the top of the slot holding
 * the exact order statistic x_r, r = ceil(p * n), and a slot at or above
 * 2048 is at most x / 1024 wide (below 2048 it is 1 wide). So
 * x_r <= got <= x_r * (1 + 1/1024), inside the 0.1 % promised.
 */
static void test_percentiles_within_hdr_bound(void **state)
{
	/* p as parts per million so that r = ceil(p * n) is integer math. */
	static const uint64_t ppm[] = {1000,   10000,  100000, 500000, 900000,
				       990000, 999000, 999900, 1000000};
	uint64_t *raw = log_uniform_sample(N_SAMPLES, 42);
	struct hist h;

	(void)state;
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	for (size_t i = 0; i < N_SAMPLES; i++)
		hist_record(&h, raw[i]);
	qsort(raw, N_SAMPLES, sizeof(*raw), cmp_u64);

	for (size_t k = 0; k < sizeof(ppm) / sizeof(ppm[0]); k++) {
		uint64_t rank = (ppm[k] * N_SAMPLES + 999999) / 1000000;
		uint64_t want = raw[rank - 1];
		uint64_t got = hist_percentile(&h, (double)ppm[k] / 10000.0);

		if (got < want || (double)(got - want) > (double)want / 1024.0)
			fail_msg("p%g: got %" PRIu64 ", exact x_%" PRIu64 " = %" PRIu64,
				 (double)ppm[k] / 10000.0, got, rank, want);
	}
	/* p0.1 of a sample reaching down to 100 ns sits in the exact region. */
	assert_true(raw[99] < 2048);
	assert_int_equal(hist_percentile(&h, 0.1), raw[99]);
	assert_int_equal(hist_percentile(&h, 100.0), raw[N_SAMPLES - 1]);

	hist_free(&h);
	free(raw);
}

static void test_min_max_count_clamp(void **state)
{
	struct hist h;

	(void)state;
	assert_int_equal(hist_init(&h, 1, 1000000, 3), 0);
	hist_record(&h, 123457);
	hist_record(&h, 2049); /* slot [2048, 2049]: min must stay exact */
	hist_record(&h, 999999);
	assert_int_equal(hist_count(&h), 3);
	assert_int_equal(hist_min(&h), 2049);
	assert_int_equal(hist_max(&h), 999999);
	assert_int_equal(h.clamped, 0);

	hist_record_n(&h, 5, 0); /* no values: min unchanged */
	assert_int_equal(hist_min(&h), 2049);
	assert_int_equal(hist_count(&h), 3);

	hist_record(&h, 0);
	hist_record(&h, 1000001);
	hist_record_n(&h, UINT64_MAX, 4);
	assert_int_equal(hist_count(&h), 9);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 1000000);
	assert_int_equal(h.clamped, 5);
	assert_int_equal(hist_percentile(&h, 100.0), 1000000);
	/* 5 of 9 values sit in the clamped slot: p50 is rank 5, 999999's slot. */
	assert_int_equal(hist_percentile(&h, 50.0), 1000000);
	/* Rank 4 = 999999, slot [999936, 1000447] (512 wide): capped at max. */
	assert_int_equal(hist_percentile(&h, 40.0), 1000000);
	/* Rank 3 = 123457, slot [123456, 123519] (64 wide). */
	assert_int_equal(hist_percentile(&h, 30.0), 123519);
	assert_int_equal(hist_percentile(&h, 0.0), 0);

	hist_reset(&h);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 0);
	assert_int_equal(h.clamped, 0);
	hist_record(&h, 77);
	assert_int_equal(hist_min(&h), 77);
	assert_int_equal(hist_max(&h), 77);
	hist_free(&h);
}

static void test_merge_halves_equals_whole(void **state)
{
	uint64_t *raw = log_uniform_sample(N_SAMPLES, 7);
	struct hist whole, a, b, other;

	(void)state;
	assert_int_equal(hist_init(&whole, 1, NS_100S, 3), 0);
	assert_int_equal(hist_init(&a, 1, NS_100S, 3), 0);
	assert_int_equal(hist_init(&b, 1, NS_100S, 3), 0);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		uint64_t v = i % 1000 == 0 ? NS_100S + 1 + i : raw[i]; /* some clamped */

		hist_record(&whole, v);
		hist_record(i < N_SAMPLES / 2 ? &a : &b, v);
	}
	assert_int_equal(hist_merge(&a, &b), 0);
	assert_memory_equal(a.counts, whole.counts, whole.counts_len * sizeof(*whole.counts));
	assert_int_equal(hist_count(&a), N_SAMPLES);
	assert_int_equal(hist_min(&a), hist_min(&whole));
	assert_int_equal(hist_max(&a), NS_100S);
	assert_int_equal(a.clamped, 100);
	assert_int_equal(a.clamped, whole.clamped);
	assert_int_equal(hist_percentile(&a, 99.0), hist_percentile(&whole, 99.0));

	/* An empty source changes nothing, min included. */
	hist_reset(&b);
	assert_int_equal(hist_merge(&a, &b), 0);
	assert_int_equal(hist_min(&a), hist_min(&whole));
	assert_int_equal(hist_count(&a), N_SAMPLES);

	assert_int_equal(hist_init(&other, 1, NS_100S, 2), 0);
	assert_int_equal(hist_merge(&a, &other), -EINVAL);
	hist_free(&other);
	assert_int_equal(hist_init(&other, 1, NS_100S / 2, 3), 0);
	assert_int_equal(hist_merge(&a, &other), -EINVAL);
	hist_free(&other);
	assert_int_equal(hist_init(&other, 1024, NS_100S, 3), 0);
	assert_int_equal(hist_merge(&a, &other), -EINVAL);
	hist_free(&other);
	assert_int_equal(hist_count(&a), N_SAMPLES);

	hist_free(&whole);
	hist_free(&a);
	hist_free(&b);
	free(raw);
}

/*
 * Each value is replaced by its slot's midpoint, off by at most half a slot,
 * x / 2048. So the mean is within 1/2048 of the exact mean, and by
 * Minkowski's inequality the SD within RMS(x) / 2048; for this sample
 * RMS(x) ~ 1.06 SD, both well inside 0.1 %. Exact values by Welford.
 */
static void test_mean_stddev_close_to_exact(void **state)
{
	uint64_t *raw = log_uniform_sample(N_SAMPLES, 1234);
	double mean = 0.0, m2 = 0.0;
	struct hist h;

	(void)state;
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	assert_true(hist_mean(&h) == 0.0);
	assert_true(hist_stddev(&h) == 0.0);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		double d = (double)raw[i] - mean;

		hist_record(&h, raw[i]);
		mean += d / (double)(i + 1);
		m2 += d * ((double)raw[i] - mean);
	}
	double sd = sqrt(m2 / N_SAMPLES);

	if (fabs(hist_mean(&h) - mean) > mean * 0.001)
		fail_msg("mean %.3f, exact %.3f", hist_mean(&h), mean);
	if (fabs(hist_stddev(&h) - sd) > sd * 0.001)
		fail_msg("stddev %.3f, exact %.3f", hist_stddev(&h), sd);

	/* Below 2048 slots are 1 wide: exact. 1..1000: mean 500.5, SD sqrt((n^2-1)/12). */
	hist_reset(&h);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_record(&h, v);
	assert_true(hist_mean(&h) == 500.5);
	assert_true(fabs(hist_stddev(&h) - sqrt((1000.0 * 1000.0 - 1.0) / 12.0)) < 1e-9);

	hist_free(&h);
	free(raw);
}

/*
 * Values 1..10000 ns, once each, in a (1, 100 s, 3) histogram, printed
 * with ticks_per_half_distance 5 and unit ratio 1. Expected text worked by
 * hand from HdrHistogram_c's hdr_percentiles_print (CLASSIC):
 *
 * - header: "%12s %12s %12s %12s\n\n" over Value, Percentile, TotalCount,
 *   1/(1-Percentile);
 * - lines: "%12.3f %12f %12d %12.2f\n" (3 = significant digits) of the
 *   slot top, p / 100, cumulative count, 1 / (1 - p / 100). The iterator
 *   starts at p = 0 and reports a slot once the cumulative share reaches p,
 *   then adds 100 / (5 * 2^(floor(log2(100 / (100 - p))) + 1)): +10 while
 *   p < 50. So: value 1 at p 0 (count 1), value 1000 at p 10 (count 1000),
 *   value 2000 at p 20; all below 2048, where slots are 1 wide.
 * - last line: after the slot holding the last value comes p = 100 with
 *   that slot's top, 10000 lies in slot [10000, 10007] (8 wide from 8192),
 *   and 1/(1-1) prints "inf".
 * - footer: mean of slot midpoints. Below 2048 the midpoint is the value;
 *   slots of width w = 2, 4, 8 have midpoint lo + w/2, i.e. +0.5 on average
 *   over 2048 + 4096 + 1808 values (2048..9999), and 10000 counts as 10004:
 *   (50005000 + 3976 + 4) / 10000 = 5000.898. SD of those midpoints
 *   (population) = 2886.893 (vs 2886.751 for the exact values). Max is
 *   the top of the max's slot, 10007. 27 buckets of 2048 sub-buckets.
 *
 * HdrHistogram (Java) 2.1.11 prints the same numbers in its own column
 * widths, and 10007 / 5000.898 / 2886.893 in its footer.
 */
static void test_print_matches_hdrhistogram_c(void **state)
{
	static const char *const want_head[] = {
	    "       Value   Percentile   TotalCount 1/(1-Percentile)\n",
	    "\n",
	    "       1.000     0.000000            1         1.00\n",
	    "    1000.000     0.100000         1000         1.11\n",
	    "    2000.000     0.200000         2000         1.25\n",
	};
	static const char *const want_tail[] = {
	    "   10007.000     1.000000        10000          inf\n",
	    "#[Mean    =     5000.898, StdDeviation   =     2886.893]\n",
	    "#[Max     =    10007.000, Total count    =        10000]\n",
	    "#[Buckets =           27, SubBuckets     =         2048]\n",
	};
	enum { MAX_LINES = 200 };
	char *lines[MAX_LINES];
	char *text = NULL;
	size_t text_len = 0, n = 0;
	struct hist h;
	FILE *out;

	(void)state;
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	for (uint64_t v = 1; v <= 10000; v++)
		hist_record(&h, v);
	out = open_memstream(&text, &text_len);
	assert_non_null(out);
	assert_int_equal(hist_print_percentiles(&h, out, 5, 1.0), 0);
	assert_int_equal(fclose(out), 0);

	for (char *p = text; *p && n < MAX_LINES; n++) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl);
		lines[n] = p;
		p = nl + 1;
	}
	assert_true(n > 9 && n < MAX_LINES);
	for (size_t i = 0; i < 5; i++)
		assert_memory_equal(lines[i], want_head[i], strlen(want_head[i]));
	for (size_t i = 0; i < 4; i++)
		assert_memory_equal(lines[n - 4 + i], want_tail[i], strlen(want_tail[i]));
	/* Percentile column strictly increasing; counts never decrease. */
	for (size_t i = 3; i < n - 3; i++) {
		double p0, p1;
		unsigned long long c0, c1;

		assert_int_equal(sscanf(lines[i - 1], "%*f %lf %llu", &p0, &c0), 2);
		assert_int_equal(sscanf(lines[i], "%*f %lf %llu", &p1, &c1), 2);
		assert_true(p1 > p0);
		assert_true(c1 >= c0);
	}

	/* Microseconds: values and footer divided by 1000. */
	free(text);
	text = NULL;
	out = open_memstream(&text, &text_len);
	assert_non_null(out);
	assert_int_equal(hist_print_percentiles(&h, out, 5, 1000.0), 0);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "\n       1.000     0.100000         1000         1.11\n"));
	assert_non_null(strstr(text, "#[Mean    =        5.001, StdDeviation   =        2.887]\n"));
	assert_non_null(strstr(text, "#[Max     =       10.007, Total count    =        10000]\n"));

	assert_int_equal(hist_print_percentiles(&h, stdout, 0, 1.0), -EINVAL);
	assert_int_equal(hist_print_percentiles(&h, stdout, 5, 0.0), -EINVAL);
	free(text);
	hist_free(&h);
}

static void test_empty_and_out_of_range_pct(void **state)
{
	struct hist h;
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;

	(void)state;
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 0);
	assert_int_equal(hist_percentile(&h, 0.0), 0);
	assert_int_equal(hist_percentile(&h, 50.0), 0);
	assert_int_equal(hist_percentile(&h, 100.0), 0);

	out = open_memstream(&text, &text_len);
	assert_non_null(out);
	assert_int_equal(hist_print_percentiles(&h, out, 5, 1.0), 0);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(text, "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n"
				  "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
				  "#[Max     =        0.000, Total count    =            0]\n"
				  "#[Buckets =           27, SubBuckets     =         2048]\n");
	free(text);

	hist_record(&h, 10);
	hist_record(&h, 20);
	hist_record(&h, 30000); /* slot [30000, 30015] */
	assert_int_equal(hist_percentile(&h, -5.0), 10);
	assert_int_equal(hist_percentile(&h, NAN), 10);
	assert_int_equal(hist_percentile(&h, 0.0), 10);
	assert_int_equal(hist_percentile(&h, 50.0), 20);    /* rank ceil(1.5) = 2 */
	assert_int_equal(hist_percentile(&h, 66.7), 30000); /* rank 3, capped at max */
	assert_int_equal(hist_percentile(&h, 150.0), 30000);
	assert_int_equal(hist_percentile(&h, INFINITY), 30000);
	hist_free(&h);
}

/*
 * Values spread over the whole 100 s range, each with a far larger value
 * beside it so that its slot top is not capped by the max: the top stays
 * within v / 1024 above v, and equals v below 2048.
 */
static void test_slot_error_bound_over_range(void **state)
{
	struct hist h;
	uint64_t seed = 3;

	(void)state;
	assert_int_equal(hist_init(&h, 1, NS_100S, 3), 0);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = (splitmix64(&seed) >> (splitmix64(&seed) % 64)) % (NS_100S / 2);
		uint64_t top;

		hist_reset(&h);
		hist_record(&h, v);
		hist_record(&h, NS_100S);
		top = hist_percentile(&h, 50.0);
		if (top < v || (v >= 2048 && (double)(top - v) >= (double)v / 1024.0) ||
		    (v < 2048 && top != v))
			fail_msg("v %" PRIu64 " reported as %" PRIu64, v, top);
		assert_int_equal(hist_min(&h), v);
	}
	hist_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects_bad_layout),
	    cmocka_unit_test(test_percentiles_within_hdr_bound),
	    cmocka_unit_test(test_min_max_count_clamp),
	    cmocka_unit_test(test_merge_halves_equals_whole),
	    cmocka_unit_test(test_mean_stddev_close_to_exact),
	    cmocka_unit_test(test_print_matches_hdrhistogram_c),
	    cmocka_unit_test(test_empty_and_out_of_range_pct),
	    cmocka_unit_test(test_slot_error_bound_over_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
