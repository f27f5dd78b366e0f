/* SPDX-License-Identifier: BSD-3-Clause
 * The XDP hook clock's map to the TSC (dataplane/xdpclock.c): conversion
 * from an anchor, stamps that would lie in the future, the hook-to-burst
 * wait, and a real anchor against the running clocks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <x86intrin.h>

#include "xdpclock.h"

/* A clock at exactly 2.6 GHz anchored at TSC 10^12, CLOCK_MONOTONIC 5 s. */
static void anchored(struct xdp_clock *c)
{
	memset(c, 0, sizeof(*c));
	c->tsc_per_ns = 2.6;
	c->anchor_tsc = 1000000000000ull;
	c->anchor_ns = 5000000000ll;
	c->anchor_width = 52; /* 20 ns */
}

static void test_convert(void **state)
{
	struct xdp_clock c;

	(void)state;
	anchored(&c);
	assert_int_equal(xdp_clock_to_tsc(&c, 5000000000ull), 1000000000000ull);
	/* 1 ms later: 2.6 M ticks; 1 ns earlier: 2.6 ticks back, rounded. */
	assert_int_equal(xdp_clock_to_tsc(&c, 5001000000ull), 1000002600000ull);
	assert_int_equal(xdp_clock_to_tsc(&c, 4999999999ull), 1000000000000ull - 3);
	/* Far before the anchor (a stamp from before a re-anchor) stays signed. */
	assert_int_equal(xdp_clock_to_tsc(&c, 4000000000ull), 1000000000000ull - 2600000000ull);
}

static void test_stamp_wait_and_future(void **state)
{
	struct xdp_clock c;
	tsc_t now = 1000000000000ull + 26000; /* 10 us after the anchor */

	(void)state;
	anchored(&c);
	/* Hooked 4 us after the anchor: 6 us of waiting before the burst. */
	assert_int_equal(xdp_clock_stamp(&c, 5000004000ull, now), 1000000000000ull + 10400);
	assert_int_equal(c.stamped, 1);
	assert_int_equal(c.hook_wait_sum, 15600);
	assert_int_equal(c.hook_wait_max, 15600);
	/* 10 ns after the burst: inside the anchor's bracket, kept. */
	assert_int_equal(xdp_clock_stamp(&c, 5000010010ull, now), now + 26);
	assert_int_equal(c.stamped, 2);
	/* 1 us after the burst cannot be: the burst's TSC is used, counted. */
	assert_int_equal(xdp_clock_stamp(&c, 5000011000ull, now), now);
	assert_int_equal(c.future, 1);
	assert_int_equal(c.stamped, 2);
}

static void test_refresh(void **state)
{
	struct xdp_clock c;
	uint64_t before;

	(void)state;
	assert_int_equal(xdp_clock_init(&c, 2.6e9, 10000000), 0);
	assert_int_equal(c.refresh_ticks, 26000000);
	before = c.anchors;
	xdp_clock_maybe_anchor(&c, c.anchor_tsc + 1000);
	assert_int_equal(c.anchors, before);
	xdp_clock_maybe_anchor(&c, c.anchor_tsc + 26000001);
	assert_int_equal(c.anchors, before + 1);
}

/*
 * Against the real clocks: a CLOCK_MONOTONIC reading taken between two TSC
 * reads converts to a TSC inside that bracket, widened by the anchor's own
 * bracket and 2 us for the rate (the test assumes the TSC rate within 2 %
 * of the value measured here over 20 ms; the clocksource need not be tsc).
 */
static void test_real_clocks(void **state)
{
	struct timespec a, b;
	struct xdp_clock c;
	tsc_t t0, t1, best_lo = 0, best_hi = 0, conv = 0;
	double hz;
	int i;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	} while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 20e6);
	t1 = __rdtsc();
	hz = (double)(t1 - t0) / (((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e9);
	assert_int_equal(xdp_clock_init(&c, hz, 10000000), 0);
	for (i = 0; i < 20; i++) {
		struct timespec ts;
		tsc_t lo = __rdtsc(), hi;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		hi = __rdtsc();
		if (i == 0 || hi - lo < best_hi - best_lo) {
			best_lo = lo;
			best_hi = hi;
			conv = xdp_clock_to_tsc(&c, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
		}
	}
	{
		double slack = (double)c.anchor_width + 2000 * c.tsc_per_ns;

		if ((double)conv < (double)best_lo - slack || (double)conv > (double)best_hi + slack)
			fail_msg("converted %llu outside [%llu, %llu] +- %.0f ticks", (unsigned long long)conv,
				 (unsigned long long)best_lo, (unsigned long long)best_hi, slack);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_stamp_wait_and_future),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_real_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
