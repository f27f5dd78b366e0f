/* SPDX-License-Identifier: BSD-3-Clause
 * The compact letter display of lvperf report's Findings (report_cld,
 * Piepho 2004's insert and absorb), on cases worked by hand: groups that
 * differ share no letter, groups that do not share one, 'a' goes to the
 * best group, and the letters of a chain of overlaps.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report_int.h"

#define K 6

static int cld(size_t k, const int (*pairs)[2], size_t np, const size_t *rank, char (*l)[REPORT_CLD_LEN])
{
	unsigned char diff[K * K] = {0};
	size_t i;

	for (i = 0; i < np; i++)
		diff[pairs[i][0] * k + pairs[i][1]] = 1;
	return report_cld(k, diff, rank, l);
}

/* Ranked 0..3; 0-2, 0-3, 1-3 differ: a chain a, ab, bc, c. */
static void test_chain(void **state)
{
	static const int p[][2] = {{0, 2}, {0, 3}, {1, 3}};
	static const size_t rank[] = {0, 1, 2, 3};
	char l[K][REPORT_CLD_LEN];

	(void)state;
	assert_int_equal(cld(4, p, 3, rank, l), 3);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "ab");
	assert_string_equal(l[2], "bc");
	assert_string_equal(l[3], "c");
}

/* Nothing differs: one letter for all; everything differs: one each, in
 * rank order (group 2 is the best). */
static void test_none_all(void **state)
{
	static const int all[][2] = {{0, 1}, {0, 2}, {1, 2}};
	static const size_t rank[] = {1, 2, 0};
	char l[K][REPORT_CLD_LEN];

	(void)state;
	assert_int_equal(cld(3, all, 0, rank, l), 1);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "a");
	assert_string_equal(l[2], "a");
	assert_int_equal(cld(3, all, 3, rank, l), 3);
	assert_string_equal(l[2], "a");
	assert_string_equal(l[0], "b");
	assert_string_equal(l[1], "c");
}

/* Not a chain: only 0-1 differ, 2 sits between both (ab), ranked 0, 2, 1. */
static void test_between(void **state)
{
	static const int p[][2] = {{0, 1}};
	static const size_t rank[] = {0, 2, 1};
	char l[K][REPORT_CLD_LEN];

	(void)state;
	assert_int_equal(cld(3, p, 1, rank, l), 2);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[2], "ab");
	assert_string_equal(l[1], "b");
}

/* The defining property on a case where consecutive runs do not suffice
 * (0-1, 1-2, 2-3, 3-4, 4-5 differ, nothing else): every pair shares a
 * letter exactly when it does not differ. */
static void test_property(void **state)
{
	static const int p[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}};
	static const size_t rank[] = {0, 1, 2, 3, 4, 5};
	char l[K][REPORT_CLD_LEN];
	size_t i, j, q;

	(void)state;
	assert_true(cld(K, p, 5, rank, l) > 0);
	for (i = 0; i < K; i++)
		for (j = i + 1; j < K; j++) {
			int differ = 0, share = strpbrk(l[i], l[j]) != NULL;

			for (q = 0; q < 5; q++)
				differ |= (size_t)p[q][0] == i && (size_t)p[q][1] == j;
			assert_int_equal(share, !differ);
		}
}

static void test_limits(void **state)
{
	char l[K][REPORT_CLD_LEN];
	static const size_t rank[] = {0};

	(void)state;
	assert_int_equal(report_cld(0, NULL, rank, l), -E2BIG);
	assert_int_equal(report_cld(65, NULL, rank, l), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain),    cmocka_unit_test(test_none_all), cmocka_unit_test(test_between),
	    cmocka_unit_test(test_property), cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
