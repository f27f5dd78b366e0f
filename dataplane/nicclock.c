/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "nicclock.h"

int nicclock_tightest(const struct nicclock_read *r, size_t k, struct nicclock_point *out)
{
	size_t i, best = k;

	for (i = 0; i < k; i++) {
		if (tsc_before(r[i].tsc_after, r[i].tsc_before))
			continue;
		if (best == k || r[i].tsc_after - r[i].tsc_before < r[best].tsc_after - r[best].tsc_before)
			best = i;
	}
	if (best == k)
		return -EINVAL;
	out->nic = r[best].nic;
	out->half_width = (r[best].tsc_after - r[best].tsc_before) / 2;
	out->tsc = r[best].tsc_before + out->half_width;
	return 0;
}

void nicclock_init(struct nicclock *c)
{
	memset(c, 0, sizeof(*c));
}

int nicclock_add(struct nicclock *c, const struct nicclock_point *pt)
{
	const struct nicclock_point *o;
	double mx = 0, my = 0, sxx = 0, sxy = 0, sq = 0, worst = 0, xr;
	uint32_t i, n, first;
	tsc_t hw = 0;

	if (c->n) {
		const struct nicclock_point *last = &c->pts[(c->next + NICCLOCK_WINDOW - 1) % NICCLOCK_WINDOW];

		if ((int64_t)(pt->nic - last->nic) <= 0)
			return -EINVAL;
	}
	c->pts[c->next] = *pt;
	c->next = (c->next + 1) % NICCLOCK_WINDOW;
	if (c->n < NICCLOCK_WINDOW)
		c->n++;
	n = c->n;
	if (n < 2)
		return 0;
	first = (c->next + NICCLOCK_WINDOW - n) % NICCLOCK_WINDOW;
	o = &c->pts[first];
	/* Means and sums of squares about them (Welford's update, Knuth TAOCP
	 * vol. 2 4.2.2), on deltas from the oldest point: each fits a double
	 * exactly for spans below 2^53 ticks. */
	for (i = 0; i < n; i++) {
		const struct nicclock_point *p = &c->pts[(first + i) % NICCLOCK_WINDOW];
		double x = (double)(int64_t)(p->nic - o->nic), y = (double)tsc_delta(o->tsc, p->tsc);
		double dx = x - mx;

		mx += dx / (i + 1);
		my += (y - my) / (i + 1);
		sxx += dx * (x - mx);
		sxy += dx * (y - my);
		if (p->half_width > hw)
			hw = p->half_width;
	}
	c->tsc_per_tick = sxy / sxx;
	/* Reference: the window's point nearest the mean NIC time, on the line. */
	xr = floor(mx + 0.5);
	c->nic_ref = o->nic + (uint64_t)(int64_t)xr;
	{
		double yr = my + c->tsc_per_tick * (xr - mx);

		c->tsc_ref = o->tsc + (tsc_t)(int64_t)floor(yr + 0.5);
	}
	for (i = 0; i < n; i++) {
		const struct nicclock_point *p = &c->pts[(first + i) % NICCLOCK_WINDOW];
		double r = (double)tsc_delta(nicclock_to_tsc(c, p->nic), p->tsc);

		sq += r * r;
		if (fabs(r) > worst)
			worst = fabs(r);
	}
	c->residual_rms = sqrt(sq / n);
	c->residual_max = worst;
	c->half_width_max = hw;
	c->valid = 1;
	return 0;
}
