/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "summary.h"

int stats_summarize(const double *x, size_t n, struct stats_summary *s)
{
	double *v = malloc((n ? n : 1) * sizeof(double));
	size_t i, m = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!isnan(x[i]))
			v[m++] = x[i];
	s->n = m;
	if (m == 0) {
		s->min = s->max = s->mean = s->sd = NAN;
		s->p50 = s->p90 = s->p99 = s->p999 = NAN;
		free(v);
		return 0;
	}
	gsl_sort(v, 1, m);
	s->min = v[0];
	s->max = v[m - 1];
	s->mean = gsl_stats_mean(v, 1, m);
	s->sd = m > 1 ? gsl_stats_sd_m(v, 1, m, s->mean) : 0.0;
	s->p50 = gsl_stats_quantile_from_sorted_data(v, 1, m, 0.50);
	s->p90 = gsl_stats_quantile_from_sorted_data(v, 1, m, 0.90);
	s->p99 = gsl_stats_quantile_from_sorted_data(v, 1, m, 0.99);
	s->p999 = gsl_stats_quantile_from_sorted_data(v, 1, m, 0.999);
	free(v);
	return 0;
}
