/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <x86intrin.h>

#include "xdpclock.h"

/* lfence keeps the reads in program order around clock_gettime (Intel SDM
 * vol. 2B, RDTSC: "If software requires RDTSC to be executed only after all
 * previous instructions have completed, it can execute LFENCE"). */
static inline tsc_t xdp_clock_rdtsc(void)
{
	_mm_lfence();
	return __rdtsc();
}

int xdp_clock_anchor(struct xdp_clock *c, unsigned int tries)
{
	tsc_t best_w = UINT64_MAX, best_t = 0;
	int64_t best_ns = 0;
	unsigned int i;

	for (i = 0; i < tries; i++) {
		struct timespec ts;
		tsc_t t0 = xdp_clock_rdtsc(), t1;

		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			return -errno;
		t1 = xdp_clock_rdtsc();
		if (t1 - t0 < best_w) {
			best_w = t1 - t0;
			best_t = t0 + (t1 - t0) / 2;
			best_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	}
	c->anchor_tsc = best_t;
	c->anchor_ns = best_ns;
	c->anchor_width = best_w;
	c->anchors++;
	return 0;
}

int xdp_clock_init(struct xdp_clock *c, double tsc_hz, nsec_t refresh_ns)
{
	memset(c, 0, sizeof(*c));
	c->tsc_per_ns = tsc_hz / 1e9;
	c->refresh_ticks = (tsc_t)((double)refresh_ns * c->tsc_per_ns);
	return xdp_clock_anchor(c, 8);
}

tsc_t xdp_clock_to_tsc(const struct xdp_clock *c, uint64_t mono_ns)
{
	int64_t d_ns = (int64_t)(mono_ns - (uint64_t)c->anchor_ns);

	return c->anchor_tsc + (tsc_t)llround((double)d_ns * c->tsc_per_ns);
}

tsc_t xdp_clock_stamp(struct xdp_clock *c, uint64_t mono_ns, tsc_t now)
{
	tsc_t t = xdp_clock_to_tsc(c, mono_ns);
	int64_t wait = (int64_t)(now - t);

	if (wait < -(int64_t)c->anchor_width) {
		c->future++;
		return now;
	}
	if (wait > 0) {
		c->hook_wait_sum += (tsc_t)wait;
		if ((tsc_t)wait > c->hook_wait_max)
			c->hook_wait_max = (tsc_t)wait;
	}
	c->stamped++;
	return t;
}

void xdp_clock_merge(struct xdp_clock *sum, const struct xdp_clock *q)
{
	sum->anchors += q->anchors;
	sum->stamped += q->stamped;
	sum->unstamped += q->unstamped;
	sum->future += q->future;
	sum->hook_wait_sum += q->hook_wait_sum;
	if (q->hook_wait_max > sum->hook_wait_max)
		sum->hook_wait_max = q->hook_wait_max;
	if (q->anchor_width > sum->anchor_width)
		sum->anchor_width = q->anchor_width;
}
