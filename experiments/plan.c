/* SPDX-License-Identifier: BSD-3-Clause
 * A spec's plan: every (target, metric, sweep value, repetition) point,
 * numbered in spec order, executed in a seeded random order, except that
 * a target in a host VM (host:) runs its points back to back at the place
 * of its first one: the runner boots its VM once for them
 * (runner_host.c).
 */
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "runner.h"

unsigned run_sweep_points(const struct spec *s, enum spec_metric m)
{
	const struct spec_metric_cfg *c = &s->m[m];

	switch (m) {
	case SPEC_HTTP:
		return c->n_connections * c->n_pipeline;
	case SPEC_KV:
		return c->n_ops * c->n_connections * c->n_pipeline;
	case SPEC_MEMORY:
		return c->n_under;
	default:
		return 1;
	}
}

void run_plan_group_hosts(const struct spec *s, struct run_point *p, unsigned n)
{
	struct run_point *out = n ? malloc(n * sizeof(*p)) : NULL;
	unsigned char placed[SPEC_MAX_TARGETS] = {0};
	unsigned k = 0;

	if (!out)
		return; /* no memory: the order stays; each point still runs */
	for (unsigned i = 0; i < n; i++) {
		unsigned t = p[i].target;

		if (!s->targets[t].host[0]) {
			out[k++] = p[i];
			continue;
		}
		if (placed[t])
			continue;
		placed[t] = 1;
		/* the host target's points, in their own shuffled order, here */
		for (unsigned j = i; j < n; j++)
			if (p[j].target == t)
				out[k++] = p[j];
	}
	memcpy(p, out, n * sizeof(*p));
	free(out);
}

struct run_point *run_plan(const struct spec *s, unsigned *n)
{
	struct run_point *p;
	unsigned total = 0, k = 0;
	uint64_t st;

	for (unsigned t = 0; t < s->n_targets; t++)
		for (int m = 0; m < SPEC_N_METRICS; m++)
			if (s->targets[t].metrics & (1u << m))
				total += run_sweep_points(s, m) * (unsigned)s->m[m].repetitions;
	p = calloc(total ? total : 1, sizeof(*p));
	if (!p)
		return NULL;
	for (unsigned t = 0; t < s->n_targets; t++)
		for (int m = 0; m < SPEC_N_METRICS; m++) {
			const struct spec_metric_cfg *c = &s->m[m];

			if (!(s->targets[t].metrics & (1u << m)))
				continue;
			for (unsigned sp = 0; sp < run_sweep_points(s, m); sp++)
				for (unsigned r = 0; r < c->repetitions; r++) {
					struct run_point *q = &p[k];

					q->id = k++;
					q->target = t;
					q->metric = m;
					q->rep = r;
					if (m == SPEC_HTTP || m == SPEC_KV) {
						unsigned per_op = c->n_connections * c->n_pipeline;

						q->connections = c->connections[(sp % per_op) / c->n_pipeline];
						q->pipeline = c->pipeline[sp % c->n_pipeline];
						if (m == SPEC_KV)
							q->op = c->ops[sp / per_op];
					}
					if (m == SPEC_MEMORY)
						q->under = c->under[sp];
				}
		}
	/* Seeded Fisher-Yates: drift over the run spreads over all targets
	 * instead of looking like a platform effect. */
	st = s->seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!st)
		st = 1;
	for (unsigned i = total; s->random_order && i > 1; i--) {
		unsigned j = (unsigned)(rng_next(&st) % i);
		struct run_point tmp = p[i - 1];

		p[i - 1] = p[j];
		p[j] = tmp;
	}
	run_plan_group_hosts(s, p, total);
	*n = total;
	return p;
}
