/* SPDX-License-Identifier: BSD-3-Clause
 * The minimum-memory search (app/minmem.c) against oracles given as
 * tables: no VM is booted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "minmem.h"

/* rate by size: the first row whose mem_mib <= the size asked for;
 * rate < 0: the guest does not boot. Counts the calls. */
struct table {
	const struct { unsigned int mem; double rate; } *rows;
	unsigned int calls;
	unsigned int asked[64];
};

static int table_oracle(unsigned int mem, double *rate, char *why, unsigned int whylen, void *arg)
{
	struct table *t = arg;

	if (t->calls < 64)
		t->asked[t->calls] = mem;
	t->calls++;
	for (int i = 0;; i++)
		if (t->rows[i].mem <= mem) {
			if (t->rows[i].rate < 0) {
				snprintf(why, whylen, "no beacon at %u MiB", mem);
				return -ETIMEDOUT;
			}
			*rate = t->rows[i].rate;
			return 0;
		}
}

static const struct { unsigned int mem; double rate; } knee[] = {
	{ 64, 1000 }, { 56, 960 }, { 48, 500 }, { 40, -1 }, { 0, -1 },
};

static void test_knee(void **state)
{
	struct table t = { .rows = (void *)knee };
	struct minmem_search s = { .start_mib = 128, .step_mib = 8, .floor_mib = 16, .tolerance = 0.05 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), 0);
	assert_true(s.baseline == 1000);
	assert_int_equal(s.min_within_mib, 56); /* 960 is within 5 % of 1000 */
	assert_int_equal(s.min_serving_mib, 48);
	assert_int_equal(s.first_failed_mib, 40);
	assert_string_equal(s.failed_why, "no beacon at 40 MiB");
	assert_int_equal(s.n, (128 - 40) / 8 + 1);
	assert_int_equal(t.calls, s.n);
	/* sizes asked in order, from the baseline down in steps */
	for (unsigned int i = 0; i < s.n; i++) {
		assert_int_equal(t.asked[i], 128 - 8 * i);
		assert_int_equal(s.pts[i].mem_mib, 128 - 8 * i);
	}
	assert_int_equal(s.pts[s.n - 1].rc, -ETIMEDOUT);
	assert_false(s.pts[s.n - 2].within); /* 48: 500 */
	assert_true(s.pts[s.n - 3].within);
}

static void test_tolerance(void **state)
{
	struct table t = { .rows = (void *)knee };
	struct minmem_search s = { .start_mib = 128, .step_mib = 8, .floor_mib = 16, .tolerance = 0.01 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), 0);
	assert_int_equal(s.min_within_mib, 64); /* 960 is 4 % below: out at 1 % */
	assert_int_equal(s.min_serving_mib, 48);
}

/* A dip below the tolerance ends the run even when larger rates follow:
 * the answer is the unbroken run from the baseline down. */
static const struct { unsigned int mem; double rate; } dip[] = {
	{ 104, 1000 }, { 96, 800 }, { 32, 1000 }, { 0, -1 },
};

static void test_dip(void **state)
{
	struct table t = { .rows = (void *)dip };
	struct minmem_search s = { .start_mib = 128, .step_mib = 8, .floor_mib = 8, .tolerance = 0.05 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), 0);
	assert_int_equal(s.min_within_mib, 104);
	assert_int_equal(s.min_serving_mib, 32);
	assert_int_equal(s.first_failed_mib, 24);
}

/* Faster than the baseline is within; reaching the floor is no failure. */
static const struct { unsigned int mem; double rate; } flat[] = {
	{ 64, 1000 }, { 0, 1100 },
};

static void test_floor(void **state)
{
	struct table t = { .rows = (void *)flat };
	struct minmem_search s = { .start_mib = 100, .step_mib = 30, .floor_mib = 20, .tolerance = 0.05 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), 0);
	assert_int_equal(s.n, 3); /* 100, 70, 40; 10 is below the floor */
	assert_int_equal(s.min_within_mib, 40);
	assert_int_equal(s.min_serving_mib, 40);
	assert_int_equal(s.first_failed_mib, 0);
	assert_string_equal(s.failed_why, "");
}

static void test_baseline_fails(void **state)
{
	struct table t = { .rows = (void *)knee };
	struct minmem_search s = { .start_mib = 32, .step_mib = 8, .floor_mib = 8, .tolerance = 0.05 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -ETIMEDOUT);
	assert_int_equal(t.calls, 1);
	assert_int_equal(s.first_failed_mib, 32);
	assert_int_equal(s.min_serving_mib, 0);
	assert_string_equal(s.failed_why, "no beacon at 32 MiB");
}

static void test_bad_params(void **state)
{
	struct table t = { .rows = (void *)knee };
	struct minmem_search s = { .start_mib = 64, .step_mib = 0, .floor_mib = 8, .tolerance = 0.05 };

	(void)state;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -EINVAL);
	s.step_mib = 8;
	s.floor_mib = 72;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -EINVAL);
	s.floor_mib = 0;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -EINVAL);
	s.floor_mib = 8;
	s.tolerance = 1;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -EINVAL);
	s.tolerance = -0.1;
	assert_int_equal(minmem_run(&s, table_oracle, &t), -EINVAL);
	assert_int_equal(t.calls, 0);
}

/* A noisy oracle: the first measurement of each size in noisy[] is low,
 * the next one true. */
struct noisy {
	struct table t;
	unsigned int low_mem[4];
	int low_left[4];
};

static int noisy_oracle(unsigned int mem, double *rate, char *why, unsigned int whylen, void *arg)
{
	struct noisy *n = arg;
	int rc = table_oracle(mem, rate, why, whylen, &n->t);

	for (int i = 0; i < 4 && rc == 0; i++)
		if (n->low_mem[i] == mem && n->low_left[i]-- > 0)
			*rate *= 0.5;
	return rc;
}

static void test_retries(void **state)
{
	struct noisy n = { .t.rows = (void *)knee, .low_mem = { 96, 64 }, .low_left = { 1, 5 } };
	struct minmem_search s = { .start_mib = 128, .step_mib = 32, .floor_mib = 32, .tolerance = 0.05,
				   .retries = 2 };

	(void)state;
	assert_int_equal(minmem_run(&s, noisy_oracle, &n), 0);
	/* 128, 96 (low, then 1000), 64 (low three times: stays below), 32 fails */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.pts[1].runs, 2);
	assert_true(s.pts[1].within && s.pts[1].rate == 1000);
	assert_int_equal(s.pts[2].runs, 3);
	assert_false(s.pts[2].within);
	assert_true(s.pts[2].rate == 500);
	assert_int_equal(s.pts[0].runs, 1);
	assert_int_equal(n.t.calls, 1 + 2 + 3 + 1);
	assert_int_equal(s.min_within_mib, 96);
	assert_int_equal(s.min_serving_mib, 64);
	/* without retries the first low reading decides */
	memset(&n, 0, sizeof(n));
	n.t.rows = (void *)knee;
	n.low_mem[0] = 96;
	n.low_left[0] = 1;
	s.retries = 0;
	assert_int_equal(minmem_run(&s, noisy_oracle, &n), 0);
	assert_int_equal(s.min_within_mib, 128);
	assert_int_equal(n.t.calls, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knee),	 cmocka_unit_test(test_tolerance),
		cmocka_unit_test(test_dip),	 cmocka_unit_test(test_floor),
		cmocka_unit_test(test_baseline_fails), cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_retries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
