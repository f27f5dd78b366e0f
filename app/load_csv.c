/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "load_csv.h"

int load_csv_open(struct load_csv *c, const char *path, const struct hist *live)
{
	int rc;

	memset(c, 0, sizeof(*c));
	rc = hist_init(&c->delta, live->lowest, live->highest, live->sig_digits);
	if (rc)
		return rc;
	c->prev = calloc(live->counts_len, sizeof(*c->prev));
	c->f = c->prev ? fopen(path, "w") : NULL;
	if (!c->f) {
		rc = c->prev ? -errno : -ENOMEM;
		free(c->prev);
		hist_free(&c->delta);
		return rc;
	}
	fprintf(c->f, "second,phase,requests,requests_per_s,p50_us,p99_us,errors\n");
	return 0;
}

int load_csv_row(struct load_csv *c, double t_s, double span_s, const char *phase, uint64_t measured,
		 uint64_t errors, const struct hist *live)
{
	uint64_t n = 0, replies = measured - c->measured;
	uint32_t i;

	for (i = 0; i < live->counts_len && i < c->delta.counts_len; i++) {
		uint64_t now = __atomic_load_n(&live->counts[i], __ATOMIC_RELAXED);

		c->delta.counts[i] = now - c->prev[i];
		c->prev[i] = now;
		n += c->delta.counts[i];
	}
	c->delta.total = n;
	c->delta.max = __atomic_load_n(&live->max, __ATOMIC_RELAXED);
	fprintf(c->f, "%.3f,%s,%llu,%.1f,", t_s, phase, (unsigned long long)replies,
		span_s > 0 ? (double)replies / span_s : 0.0);
	if (n)
		fprintf(c->f, "%.3f,%.3f", hist_percentile(&c->delta, 50) / 1e3,
			hist_percentile(&c->delta, 99) / 1e3);
	else
		fputc(',', c->f);
	fprintf(c->f, ",%llu\n", (unsigned long long)(errors - c->errors));
	fflush(c->f); /* a row a second, readable as it comes (tail -f) */
	c->measured = measured;
	c->errors = errors;
	return ferror(c->f) ? -EIO : 0;
}

int load_csv_close(struct load_csv *c)
{
	int rc = 0;

	if (c->f && (ferror(c->f) | fclose(c->f)))
		rc = -EIO;
	free(c->prev);
	hist_free(&c->delta);
	memset(c, 0, sizeof(*c));
	return rc;
}
