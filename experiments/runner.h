/* SPDX-License-Identifier: BSD-3-Clause
 * The experiment runner: a spec becomes a plan of points (target × metric
 * × sweep value × repetition), run in seeded random order, each point by
 * a child lvperf command whose JSON is appended to DIR/raw/points.jsonl
 * (fsync'd) the moment it ends. The run can be resumed from its directory
 * alone. The format is docs/raw-format.md.
 */
#ifndef LVP_RUNNER_H
#define LVP_RUNNER_H

#include <stdint.h>

#include "spec.h"

struct run_point {
	unsigned id;
	unsigned target;
	enum spec_metric metric;
	uint64_t connections, pipeline;
	const char *op;	   /* kv: get | set */
	const char *under; /* memory: idle | http | kv */
	unsigned rep;
};

struct run_opts {
	const char *spec;	/* the spec file (new runs) */
	const char *dir;	/* the run directory */
	int resume;		/* continue dir (its spec.yaml) */
	int dry_run;		/* print the plan only */
	uint64_t repetitions;	/* 0, or override every metric's */
	uint64_t max_duration;	/* 0, or cap every duration/warmup (ns) */
	const char *lvperf;	/* the lvperf binary the points run */
	int quiet;
};

/* Sweep values of metric m (1 when it has no sweep). */
unsigned run_sweep_points(const struct spec *s, enum spec_metric m);

/* Points of s in execution order, ids in plan order; *n set. Caller frees. */
struct run_point *run_plan(const struct spec *s, unsigned *n);

/* How run_experiment ended; the caller maps it to its exit code. */
enum run_status {
	RUN_OK = 0,
	RUN_ERR,	 /* a point could not be run, or the directory written */
	RUN_USAGE,	 /* a bad spec, directory or option */
	RUN_INTERRUPTED, /* stopped by a signal; the run can resume */
};

/* Run (or resume) an experiment. Returns an enum run_status. */
int run_experiment(const struct run_opts *o, const char *const *platforms);

#endif
