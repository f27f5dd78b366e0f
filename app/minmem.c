/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "minmem.h"

int minmem_run(struct minmem_search *s, minmem_oracle oracle, void *arg)
{
	unsigned int mem;
	int broken = 0; /* a size below the tolerance was seen */

	s->n = 0;
	s->baseline = 0;
	s->min_within_mib = s->min_serving_mib = s->first_failed_mib = 0;
	s->failed_why[0] = 0;
	if (!s->step_mib || !s->floor_mib || s->floor_mib > s->start_mib || !(s->tolerance >= 0) ||
	    s->tolerance >= 1)
		return -EINVAL;
	for (mem = s->start_mib; mem >= s->floor_mib && s->n < MINMEM_POINTS_MAX; mem -= s->step_mib) {
		struct minmem_point *p = &s->pts[s->n++];

		memset(p, 0, sizeof(*p));
		p->mem_mib = mem;
		s->failed_why[0] = 0;
		p->rc = oracle(mem, &p->rate, s->failed_why, sizeof(s->failed_why), arg);
		if (p->rc) {
			p->rate = 0;
			s->first_failed_mib = mem;
			if (mem == s->start_mib)
				return p->rc < 0 ? p->rc : -EIO;
			break;
		}
		p->runs = 1;
		if (mem == s->start_mib)
			s->baseline = p->rate;
		s->min_serving_mib = mem;
		p->within = p->rate >= s->baseline * (1 - s->tolerance);
		while (!p->within && p->runs <= s->retries) {
			char why[8];
			double again = 0;

			p->runs++;
			if (oracle(mem, &again, why, sizeof(why), arg) == 0 && again > p->rate) {
				p->rate = again;
				p->within = p->rate >= s->baseline * (1 - s->tolerance);
			}
		}
		if (!p->within)
			broken = 1;
		if (!broken)
			s->min_within_mib = mem;
		if (mem < s->step_mib)
			break;
	}
	if (!s->first_failed_mib)
		s->failed_why[0] = 0;
	return 0;
}
