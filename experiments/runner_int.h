/* SPDX-License-Identifier: BSD-3-Clause
 * Inside lvperf run, shared by runner.c (the run loop: resume, the
 * calibration phases, flags), runner_point.c (point <-> command: the
 * shared table, argv, reading the child's JSON) and runner_child.c (the
 * child lvperf process). Not a public interface: see runner.h.
 */
#ifndef LVP_RUNNER_INT_H
#define LVP_RUNNER_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "runner.h"

/* The run's state the points see. */
struct runner {
	const struct spec *s;
	const struct run_opts *o;
	const char *dir;
	uint64_t reps, max_dur;
	double headroom; /* the generator's req/s at the start calibration */
	int fatal;	 /* the runner cannot go on (a point could not be started) */
	char avail_why[SPEC_MAX_TARGETS][256];
	int avail[SPEC_MAX_TARGETS];
	/* The host VM the current point's target runs in, booted by the
	 * runner (runner_host.c), or NULL. */
	const struct run_live_host *live;
};

/* What a child lvperf left. */
struct child_out {
	json_t *json;  /* its stdout, parsed, or NULL (owned by the caller) */
	int status;    /* raw wait status */
	char why[300]; /* the last line of its stderr when it failed, or why it was stopped */
};

/*
 * Run argv (argv[0] a path) with stdout captured and parsed as JSON and
 * stderr appended to logpath; stopped (SIGTERM, then SIGKILL) after
 * timeout_ns. Returns 0 with *out filled (also when the child failed), or
 * -errno when it could not be started.
 */
int run_child_cmd(char *const argv[], const char *logpath, uint64_t timeout_ns, struct child_out *out);

/* SIGINT, SIGTERM and SIGHUP stop the run: the running child gets SIGTERM
 * and run_stopped() returns the signal from then on (0 before). */
void run_signals_install(void);
int run_stopped(void);

/* The flag run_stopped() reads (nonzero once stopped), for waits that
 * poll it (hostvm_boot's cancel). */
const volatile sig_atomic_t *run_stop_flag(void);

/* CLOCK_MONOTONIC in seconds (progress and timeouts, not measurements). */
double run_mono_s(void);

/* Append one printf-formatted argument to a (dropped when a is full). */
void run_arg(struct run_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2026-12-03T21:33:11Z", now, into buf. */
void run_utc_now(char *buf, size_t len);

/* The value at dotted path in o (run_key paths, without the '/'; "" is o
 * itself), borrowed, or NULL. */
const json_t *run_jget(const json_t *o, const char *path);

/* The number at dotted path in o (run_key paths, without the '/'), NaN
 * when absent; o[key] = v * scale, null for NaN. */
double run_jnum(const json_t *o, const char *path);
void run_put_num(json_t *o, const char *key, double v, double scale);

/* Seconds point p should take (progress, and its timeout). */
double run_point_estimate_s(const struct runner *r, const struct run_point *p);

/* "TARGET METRIC [op] [c=N [P]] [under U] rep R" into buf. */
void run_point_label(const struct runner *r, const struct run_point *p, char *buf, size_t len);

/* Run point p (order: its place in the execution order) and return its
 * points.jsonl line (status ok, failed or skipped; new reference). NULL
 * when the run was stopped meanwhile or the child could not be started
 * (then r->fatal): the point is not done. */
json_t *run_point(struct runner *r, const struct run_point *p, unsigned order);

/* Host VMs (runner_host.c). run_host_enter: the live VM of target (booted
 * now when it is not up yet; another target's VM stopped first), or NULL
 * for a target without host: or when its VM did not boot (then
 * run_host_failed says why, and host_vms.jsonl has a "failed" line) or
 * the run was stopped. run_host_leave: stop the live VM ("down"). */
const struct run_live_host *run_host_enter(struct runner *r, unsigned target);
void run_host_leave(struct runner *r);
const char *run_host_failed(const struct runner *r, unsigned target);

/* QEMU's RSS of target's live host VM, or -ESRCH. */
int64_t run_host_rss(const struct runner *r, unsigned target);

#endif
