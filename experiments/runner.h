/* SPDX-License-Identifier: BSD-3-Clause
 * The experiment runner: a spec becomes a plan of points (target × metric
 * × sweep value × repetition), run in seeded random order, each point by
 * a child lvperf command whose JSON is appended to DIR/raw/points.jsonl
 * (fsync'd) the moment it ends. The run can be resumed from its directory
 * alone. The format is docs/raw-format.md.
 */
#ifndef LVP_RUNNER_H
#define LVP_RUNNER_H

#include <stddef.h>
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
	/* The dataplane worker's CPU for the spec's cores (NULL: automatic),
	 * or -1: the host VMs the runner boots stay off it. NULL: no pinning. */
	int (*worker_cpu)(const char *cores);
};

/* Sweep values of metric m (1 when it has no sweep). */
unsigned run_sweep_points(const struct spec *s, enum spec_metric m);

/* Points of s in execution order, ids in plan order; *n set. Caller frees.
 * The order is seeded random, with each host-VM target's points (spec
 * host:) moved together to the place of its first point. */
struct run_point *run_plan(const struct spec *s, unsigned *n);

/* In the execution order p[0..n), move every point of a target with a
 * host VM next to the first point of that target, keeping the relative
 * order of all points otherwise (run_plan does this). */
void run_plan_group_hosts(const struct spec *s, struct run_point *p, unsigned n);

/* How run_experiment ended; the caller maps it to its exit code. */
enum run_status {
	RUN_OK = 0,
	RUN_ERR,	 /* a point could not be run, or the directory written */
	RUN_USAGE,	 /* a bad spec, directory or option */
	RUN_INTERRUPTED, /* stopped by a signal; the run can resume */
};

/*
 * The child commands of a run, one table shared by the argv builder and
 * the JSON reader (experiments/runner_point.c): for each metric the lvperf
 * command a point runs, the options it passes after the target's own, and
 * the key paths its --json result is read at. A key path is dotted
 * ("rtt_ns.p50", "startup.runs.0": a number indexes an array) from the
 * metric's root object, or from the result's top when it starts with '/'.
 * tests/test_runner.c checks every option against the commands' parsers.
 */
enum run_val {
	RUN_V_FLAG,	   /* the option alone */
	RUN_V_TEXT,	   /* the row's text */
	RUN_V_PORT_KIND,   /* the spec's port kind */
	RUN_V_HOST,	   /* the platform with DRIVER_CAP_HOST */
	RUN_V_TIMEOUT,	   /* the metric's timeout, ns */
	RUN_V_COUNT,	   /* the metric's count */
	RUN_V_INTERVAL,	   /* the metric's interval, ns */
	RUN_V_UNDER,	   /* the point's under */
	RUN_V_OP,	   /* the point's op */
	RUN_V_CONNECTIONS, /* the point's connections */
	RUN_V_PIPELINE,	   /* the point's pipeline depth */
	RUN_V_DURATION,	   /* the metric's duration, ns, capped by max_duration */
	RUN_V_WARMUP,	   /* the metric's warmup, ns, capped by max_duration */
	RUN_V_SEED,	   /* the spec's seed + the point's id */
};

enum run_when {
	RUN_W_ALWAYS,
	RUN_W_COLD,   /* the metric is cold (startup) */
	RUN_W_LOADED, /* the point's under is not idle (memory) */
	RUN_W_LOAD,   /* the spec has http or kv points (calibration) */
};

struct run_arg {
	const char *opt; /* "--connections"; NULL ends a list */
	enum run_val val;
	enum run_when when;
	const char *text; /* RUN_V_TEXT */
};

struct run_key {
	const char *name; /* the key written (point "extra", calibration line) */
	const char *path; /* where the child's JSON has it */
	double scale;	  /* written = read * scale */
};

#define RUN_MAX_ARGS 8
#define RUN_MAX_KEYS 8

struct run_cmd {
	const char *command;		    /* lvperf subcommand */
	struct run_arg args[RUN_MAX_ARGS];  /* after the target's options */
	const char *root, *root_loaded;	    /* keys' root; root_loaded: under load */
	const char *unit;		    /* of value */
	struct run_key value;		    /* the point's value (name unused) */
	struct run_key extra[RUN_MAX_KEYS]; /* into the point's "extra" */
};

/* Per metric (enum spec_metric). */
extern const struct run_cmd run_cmds[SPEC_N_METRICS];

/* The calibration phases' two children: lvperf calibrate (its keys; "%s"
 * in a path is the port kind) and the spawn floor's lvperf boot. */
extern const struct run_cmd run_calib_cmd, run_spawn_floor_cmd;

/* The options every point's command gets, before run_cmds[m].args. */
struct run_target_opts {
	const char *platform, *workload, *json, *image, *opts, *net, *quiet, *cores;
	/* A target on a server (spec servers:): the agent over ssh and the
	 * cable (uplink there, port here); start: how startup is marked. */
	const char *server, *identity, *uplink, *port, *start;
	/* A target in a host VM lvperf boots (spec host:). */
	const char *host, *host_opts;
};
extern const struct run_target_opts run_target_opt;

/* The keys of a child's result read for every point: its flags, clock
 * (or startup's), floor and the floor's source. */
struct run_result_keys {
	const char *flags, *clock, *startup_clock, *floor_ns, *floor_source;
};
extern const struct run_result_keys run_result_key;

#define RUN_ARGV_MAX 40

/* A NULL-terminated argv and the storage behind it. */
struct run_argv {
	char *v[RUN_ARGV_MAX];
	char store[2048];
	size_t used;
	int n;
};

/* The child command of point p of s into *a: lvperf (the binary) and the
 * options of run_target_opt and run_cmds[p->metric]; durations capped at
 * max_duration (0: none). */
void run_point_argv(const struct spec *s, const struct run_point *p, const char *lvperf,
		    uint64_t max_duration, struct run_argv *a);

/* A host VM the runner booted and keeps up across its target's points
 * (runner_host.c): what a child is given to use it instead of booting
 * its own (--server, --identity, --uplink, --port). */
struct run_live_host {
	const char *server;   /* ssh://root@<management address> */
	const char *identity; /* the image's ssh key */
	const char *uplink;   /* the guest's dataplane NIC (lvpup) */
	const char *port;     /* af_packet:<tap>, this end of the cable */
};

/* run_point_argv for a target whose host VM is live (NULL: the child
 * boots its own, as run_point_argv). */
void run_point_argv_live(const struct spec *s, const struct run_point *p, const char *lvperf,
			 uint64_t max_duration, const struct run_live_host *live,
			 struct run_argv *a);

/* The child command of a calibration table c (run_calib_cmd,
 * run_spawn_floor_cmd) for spec s into *a. */
void run_calib_argv(const struct spec *s, const struct run_cmd *c, const char *lvperf, struct run_argv *a);

/* Run (or resume) an experiment. Returns an enum run_status. */
int run_experiment(const struct run_opts *o, const char *const *platforms);

#endif
