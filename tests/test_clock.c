/* SPDX-License-Identifier: BSD-3-Clause
 * lib/clock.h: the signed, wrap-safe delta between a mark and a stamp.
 * A frame stamped before the start mark must come out negative; the
 * unsigned difference lvperf took before (tsc_to_ns_f(c, t - mark)) made it
 * ~2^64 ticks, about 6e9 s at 3 GHz.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"

static const struct tsc_clock clk3ghz = { 3e9, 1.0 / 3.0, 0, 3e9 };

static void test_before_mark_is_negative(void **state)
{
	tsc_t mark = 1000000000000ull, early = mark - 3000; /* 1 us before */

	(void)state;
	assert_true(tsc_delta(mark, early) == -3000);
	assert_true(fabs(tsc_delta_ns_f(&clk3ghz, mark, early) + 1000.0) < 1e-9);
	/* What the unsigned difference gave: about 6.1e9 s. */
	assert_true(tsc_to_ns_f(&clk3ghz, early - mark) > 6e18);
	assert_true(tsc_delta(mark, mark) == 0);
	assert_true(fabs(tsc_delta_ns_f(&clk3ghz, mark, mark + 300) - 100.0) < 1e-9);
}

static void test_across_wrap(void **state)
{
	tsc_t mark = UINT64_MAX - 99, after = 200; /* 300 ticks later, past the wrap */

	(void)state;
	assert_true(tsc_delta(mark, after) == 300);
	assert_true(tsc_delta(after, mark) == -300);
	assert_true(tsc_before(mark, after));
	assert_true(tsc_delta(0, (tsc_t)INT64_MAX) == INT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_mark_is_negative),
		cmocka_unit_test(test_across_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
