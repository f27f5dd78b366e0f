/* SPDX-License-Identifier: BSD-3-Clause */
#include <cpuid.h>
#include <errno.h>
#include <time.h>
#include <x86intrin.h>

#include "tsc.h"

int tsc_invariant(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		return -ENOTSUP;
	__get_cpuid(0x80000007, &a, &b, &c, &d);
	return (d >> 8) & 1;
}

/* One reference point: the clock read between two TSC reads. */
struct tsc_point {
	tsc_t tsc;    /* midpoint of the bracket */
	tsc_t width;  /* bracket width in ticks */
	int64_t ns;   /* CLOCK_MONOTONIC_RAW */
};

static int tsc_point_take(struct tsc_point *p)
{
	struct timespec ts;
	int i;

	p->width = UINT64_MAX;
	for (i = 0; i < 16; i++) {
		tsc_t t0 = __rdtsc();
		if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0)
			return -errno;
		tsc_t t1 = __rdtsc();
		if (t1 - t0 < p->width) {
			p->width = t1 - t0;
			p->tsc = t0 + (t1 - t0) / 2;
			p->ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	}
	return 0;
}

int tsc_calibrate(struct tsc_clock *c, unsigned int window_ms)
{
	struct tsc_point a, b;
	struct timespec nap = { window_ms / 1000, (long)(window_ms % 1000) * 1000000L };
	int rc;

	if (window_ms == 0)
		return -EINVAL;
	rc = tsc_point_take(&a);
	if (rc)
		return rc;
	while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
		;
	rc = tsc_point_take(&b);
	if (rc)
		return rc;
	if (b.ns <= a.ns || b.tsc <= a.tsc)
		return -ERANGE;
	c->hz = (double)(b.tsc - a.tsc) * 1e9 / (double)(b.ns - a.ns);
	c->ns_per_tick = 1e9 / c->hz;
	/* Each end point is uncertain by half its bracket. */
	c->uncertainty_ppm = (double)(a.width + b.width) / 2.0 / (double)(b.tsc - a.tsc) * 1e6;
	c->dpdk_hz = 0;
	return 0;
}

double tsc_read_cost_ns(const struct tsc_clock *c, unsigned int n)
{
	tsc_t t0, t1, sink = 0;
	unsigned int i;

	if (n == 0)
		return 0;
	t0 = __rdtsc();
	for (i = 0; i < n; i++)
		sink ^= __rdtsc();
	t1 = __rdtsc();
	__asm__ volatile("" : : "r"(sink));
	return tsc_to_ns_f(c, t1 - t0) / n;
}
