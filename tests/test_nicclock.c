/* SPDX-License-Identifier: BSD-3-Clause
 * dataplane/nicclock.c on synthesized clock pairs: a 3 GHz TSC, a NIC
 * clock at PTP-epoch values (~1.7e18 ns) running 50 ppm fast, TSC brackets
 * around each NIC read with jitter and an occasional interruption.
 *
 * The old conversion (port.c before nicclock: the rate from one
 * unbracketed pair 50 ms apart, tsc = offset + (double)nic * rate) is
 * replayed here to show what it did: the double of the NIC time has 256 ns
 * steps at those values, so stamps were quantized to 256 ns and off by up
 * to hundreds of ns. Ports with NIC stamps (pci) are the only users and no
 * PMD here offers a NIC clock: these tests are the proof of that path.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nicclock.h"
#include "rng.h"

#define NIC0 1700000000123456789ull /* 2023-11 in PTP time, ns */
#define TSC0 123456789012345ull
#define GHZ 3.0

struct sim {
	double ppm;	 /* NIC rate offset */
	double ppm_per_s; /* and its drift */
	uint64_t rng;
};

/* The NIC clock and the TSC at t ns after the start. */
static uint64_t sim_nic(const struct sim *s, double t)
{
	long double ts = (long double)t / 1e9L;
	long double v = (long double)t * (1.0L + s->ppm * 1e-6L) + s->ppm_per_s * 1e-6L / 2 * ts * ts * 1e9L;

	return NIC0 + (uint64_t)(v + 0.5L);
}

static tsc_t sim_tsc(double t)
{
	return TSC0 + (tsc_t)(t * GHZ + 0.5);
}

/* A read of the NIC clock at t, bracketed by TSC reads: about 100 ns
 * each way across PCIe, jitter, and 1 in 8 hit by a 7 us interruption. */
static struct nicclock_read sim_read(struct sim *s, double t)
{
	struct nicclock_read r;
	tsc_t d1 = 300 + (tsc_t)(-log(1 - rng_uniform(&s->rng)) * 30);
	tsc_t d2 = 300 + (tsc_t)(-log(1 - rng_uniform(&s->rng)) * 30);

	if (rng_next(&s->rng) % 8 == 0)
		d2 += 20000;
	r.tsc_before = sim_tsc(t) - d1;
	r.nic = sim_nic(s, t);
	r.tsc_after = sim_tsc(t) + d2;
	return r;
}

/* One point at t: 8 reads 2 us apart, the tightest. */
static void sim_point(struct sim *s, double t, struct nicclock_point *pt)
{
	struct nicclock_read r[8];
	int i;

	for (i = 0; i < 8; i++)
		r[i] = sim_read(s, t + i * 2000.0);
	assert_int_equal(nicclock_tightest(r, 8, pt), 0);
}

/* Worst |error| in ns of c over [from, to) ns, 1000 instants. */
static double max_err_ns(const struct sim *s, const struct nicclock *c, double from, double to)
{
	double worst = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		double t = from + (to - from) * i / 1000.0 + 0.37 * i;
		double e = (double)tsc_delta(sim_tsc(t), nicclock_to_tsc(c, sim_nic(s, t))) / GHZ;

		worst = fmax(worst, fabs(e));
	}
	return worst;
}

/* The conversion lvperf had before, replayed. */
struct old_clock {
	double tsc_per_nic_tick;
	int64_t nic_tsc_offset;
};

static tsc_t old_to_tsc(const struct old_clock *o, uint64_t hw)
{
	return (tsc_t)(o->nic_tsc_offset + (int64_t)((double)hw * o->tsc_per_nic_tick));
}

static void test_tightest(void **state)
{
	const struct nicclock_read r[3] = { { 1000, 7, 1900 }, { 5000, 8, 5100 }, { 9000, 9, 8000 } };
	struct nicclock_point pt;

	(void)state;
	assert_int_equal(nicclock_tightest(r, 3, &pt), 0);
	assert_int_equal(pt.nic, 8);
	assert_int_equal(pt.tsc, 5050);
	assert_int_equal(pt.half_width, 50);
	assert_int_equal(nicclock_tightest(r + 2, 1, &pt), -EINVAL); /* after before before */
}

static void test_fit_vs_old(void **state)
{
	struct sim s = { 50, 0, 12345 };
	struct nicclock c;
	struct nicclock_point pt;
	struct old_clock o;
	double old_worst = 0, err;
	uint64_t t0, t1, n0, n1, base;
	int i, distinct = 1;

	(void)state;
	nicclock_init(&c);
	for (i = 0; i < NICCLOCK_WINDOW; i++) {
		sim_point(&s, i * 10e6, &pt);
		assert_int_equal(nicclock_add(&c, &pt), 0);
	}
	assert_true(c.valid);
	assert_true(fabs(c.tsc_per_tick - GHZ / (1 + 50e-6)) < 1e-8);
	err = max_err_ns(&s, &c, 0, 300e6);
	print_message("nicclock: worst error %.2f ns over 300 ms; fit residual rms %.2f ns, max %.2f ns\n", err,
		      c.residual_rms / GHZ, c.residual_max / GHZ);
	assert_true(err < 5);
	assert_true(c.residual_rms > 0 && c.residual_rms / GHZ < 5 && c.residual_max >= c.residual_rms);
	assert_true(c.half_width_max < 1000); /* the interrupted reads were not chosen */

	/* Old: one unbracketed pair 50 ms apart. */
	t0 = sim_tsc(0) - 300;
	n0 = sim_nic(&s, 0);
	t1 = sim_tsc(50e6) - 300;
	n1 = sim_nic(&s, 50e6);
	o.tsc_per_nic_tick = (double)(t1 - t0) / (double)(n1 - n0);
	o.nic_tsc_offset = (int64_t)t1 - (int64_t)((double)n1 * o.tsc_per_nic_tick);
	for (i = 0; i < 1000; i++) {
		double t = 300e6 * i / 1000.0 + 0.37 * i;

		old_worst = fmax(old_worst, fabs((double)tsc_delta(sim_tsc(t), old_to_tsc(&o, sim_nic(&s, t))) / GHZ));
	}
	/* 256 consecutive NIC ns: the old path gives at most two TSC values
	 * (one double step), the new one 256. */
	base = NIC0 + 1000000;
	for (i = 1; i < 256; i++)
		distinct += old_to_tsc(&o, base + (uint64_t)i) != old_to_tsc(&o, base + (uint64_t)i - 1);
	print_message("old path: worst error %.0f ns, %d distinct stamps in 256 ns\n", old_worst, distinct);
	assert_true(distinct <= 2);
	assert_true(old_worst > 100);
	distinct = 1;
	for (i = 1; i < 256; i++)
		distinct += nicclock_to_tsc(&c, base + (uint64_t)i) != nicclock_to_tsc(&c, base + (uint64_t)i - 1);
	assert_int_equal(distinct, 256);
}

/* A NIC oscillator whose rate wanders (0.02 ppm/s): the sliding window,
 * resynced every 20 ms, follows it; the first fit alone is 1 us off after
 * 10 s. */
static void test_resync(void **state)
{
	struct sim s = { 50, 0.02, 777 };
	struct nicclock c, first;
	struct nicclock_point pt;
	double t, worst = 0;
	int i;

	(void)state;
	nicclock_init(&c);
	for (i = 0; i < NICCLOCK_WINDOW; i++) {
		sim_point(&s, i * 20e6, &pt);
		assert_int_equal(nicclock_add(&c, &pt), 0);
	}
	first = c;
	for (t = NICCLOCK_WINDOW * 20e6; t < 10e9; t += 20e6) {
		worst = fmax(worst, max_err_ns(&s, &c, t - 20e6, t));
		sim_point(&s, t, &pt);
		assert_int_equal(nicclock_add(&c, &pt), 0);
	}
	print_message("resync: worst error %.2f ns over 10 s; without resync %.0f ns at 10 s\n", worst,
		      max_err_ns(&s, &first, 9.9e9, 10e9));
	assert_true(worst < 5);
	assert_true(max_err_ns(&s, &first, 9.9e9, 10e9) > 500);
	/* A point that does not advance the NIC clock is refused. */
	assert_int_equal(nicclock_add(&c, &pt), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tightest),
		cmocka_unit_test(test_fit_vs_old),
		cmocka_unit_test(test_resync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
