/* SPDX-License-Identifier: BSD-3-Clause
 * stats_summarize() against values computed independently with Python's
 * statistics module (mean, stdev, quantiles(method='inclusive'), which is
 * Hyndman & Fan definition 7).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

static void close_to(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
		fail_msg("got %.12g, want %.12g", got, want);
}

static void test_reference_sample(void **state)
{
	/* Unsorted, with a tie, and NaN marking two lost samples to skip. */
	const double x[] = { 3.1, 0.5, NAN, 7.25, 2.0, 9.9, 4.4, 4.4, 1.0, 6.75, NAN, 5.5, 8.125, 0.0 };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, sizeof(x) / sizeof(x[0]), &s), 0);
	assert_int_equal(s.n, 12);
	close_to(s.min, 0.0);
	close_to(s.max, 9.9);
	close_to(s.mean, 4.410416666666666);
	close_to(s.sd, 3.198853813430206);
	close_to(s.p50, 4.4);
	close_to(s.p90, 8.0375);
	close_to(s.p99, 9.70475);
	close_to(s.p999, 9.880475);
}

/*
 * Floor-subtracted RTTs may be below zero and are kept; lost samples are
 * NaN and skipped. Regression: stats_summarize dropped every negative value
 * as "lost", which biased a floor-subtracted summary upwards.
 */
static void test_negatives_kept_nan_skipped(void **state)
{
	const double x[] = { 3.1, 0.5, -1.25, 7.25, NAN, 2.0, 9.9, 4.4, 4.4, 1.0, 6.75, -0.5, 5.5, NAN,
			     8.125, 0.0 };
	const double lost[] = { NAN, NAN };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, sizeof(x) / sizeof(x[0]), &s), 0);
	assert_int_equal(s.n, 14);
	close_to(s.min, -1.25);
	close_to(s.max, 9.9);
	close_to(s.mean, 3.655357142857143);
	close_to(s.sd, 3.516228565405813);
	close_to(s.p50, 3.75);
	close_to(s.p90, 7.8625);
	close_to(s.p99, 9.66925);
	close_to(s.p999, 9.876925);
	assert_int_equal(stats_summarize(lost, 2, &s), 0);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.p50));
}

static void test_single_and_empty(void **state)
{
	const double one[] = { 42.0 };
	const double lost[] = { NAN, NAN };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(one, 1, &s), 0);
	assert_int_equal(s.n, 1);
	close_to(s.sd, 0.0);
	close_to(s.p99, 42.0);
	assert_int_equal(stats_summarize(lost, 2, &s), 0);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean));
	assert_int_equal(stats_summarize(NULL, 0, &s), 0);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_sample),
		cmocka_unit_test(test_negatives_kept_nan_skipped),
		cmocka_unit_test(test_single_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
