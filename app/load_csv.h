/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf http/kv --csv FILE: one row per second of a load run, as
 * redis-benchmark's and wrk's users expect beside the run's summary.
 */
#ifndef LVP_LOAD_CSV_H
#define LVP_LOAD_CSV_H

#include <stdint.h>
#include <stdio.h>

#include "hist.h"

struct load_csv {
	FILE *f;
	struct hist delta;	/* this second's latencies: live - prev */
	uint64_t *prev;		/* the live histogram's counts a second ago */
	uint64_t measured, errors; /* the counters a second ago */
};

/*
 * Create path and write the header row
 * (second,phase,requests,requests_per_s,p50_us,p99_us,errors); live is the
 * run's latency histogram (its geometry is copied). Returns 0, or -errno
 * (nothing to free then).
 */
int load_csv_open(struct load_csv *c, const char *path, const struct hist *live);

/*
 * One row for the span ending at t_s seconds after the load started, of
 * span_s seconds: replies measured in it (measured: the run's counter so
 * far), their rate, p50 and p99 of their latency in µs (empty without
 * replies), and errors (errors: the run's count so far). live is read
 * while the worker records into it: a reply recorded during the read may
 * land in the next row. Returns 0 or -EIO.
 */
int load_csv_row(struct load_csv *c, double t_s, double span_s, const char *phase, uint64_t measured,
		 uint64_t errors, const struct hist *live);

/* Flush and close the file and free c. Returns 0 or -EIO (a write failed). */
int load_csv_close(struct load_csv *c);

#endif
