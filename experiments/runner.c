/* SPDX-License-Identifier: BSD-3-Clause
 * The experiment runner. Each point runs as a child `lvperf` command
 * (boot, size, ping, memory, http, kv) with --json: DPDK's EAL starts once
 * per process and every target brings its own port, and a child per point
 * confines a crash to that point. The child gets SIGTERM when the runner
 * dies (LVPERF_PARENT, see app/main.c), so a killed run leaves nothing
 * running; its ledger covers the rest.
 *
 * Nothing is lost: a point's line is written with one write() to
 * DIR/raw/points.jsonl opened O_APPEND and fsync'd before the next point
 * starts. A crash can leave at most a partial last line, which resume
 * cuts off; a point is done exactly when its line is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "driver.h"
#include "file.h"
#include "format.h"
#include "image.h"
#include "proc.h"
#include "runner.h"

extern char **environ;

#define PLAN_VERSION 1

static volatile sig_atomic_t run_stop;
static volatile pid_t run_child;

static void on_signal(int sig)
{
	run_stop = sig;
	if (run_child > 0)
		kill(run_child, SIGTERM);
}

/* --- files --- */


/* Append one line (text + '\n') with a single write, then fsync. */
static int append_line(int fd, const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 2);
	ssize_t w;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	buf[len] = '\n';
	w = write(fd, buf, len + 1);
	free(buf);
	if (w != (ssize_t)(len + 1))
		return w < 0 ? -errno : -EIO;
	return fsync(fd) ? -errno : 0;
}

static int append_json(int fd, json_t *o)
{
	char *s;
	int rc;

	json_object_set_new(o, "format", json_integer(LVP_FORMAT));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	rc = s ? append_line(fd, s) : -ENOMEM;

	free(s);
	return rc;
}

/*
 * Open DIR/raw/points.jsonl for appending after cutting a partial last
 * line; mark done[id] for every complete line. Returns the fd or -errno.
 */
static int points_open(const char *dir, unsigned n, unsigned char *done, unsigned *n_done, FILE *log)
{
	char path[600];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	off_t good = 0;
	int fd;

	*n_done = 0;
	snprintf(path, sizeof(path), "%s/raw/points.jsonl", dir);
	f = fopen(path, "r");
	if (f) {
		while ((len = getline(&line, &cap, f)) > 0) {
			json_t *o;
			json_int_t id;

			if (line[len - 1] != '\n')
				break; /* the partial line a crash left */
			o = json_loads(line, 0, NULL);
			id = o ? json_integer_value(json_object_get(o, "point")) : -1;
			if (o && id >= 0 && (unsigned)id < n && !done[id]) {
				done[id] = 1;
				(*n_done)++;
			} else if (log) {
				fprintf(log, "lvperf run: %s: ignoring a line that is not a new point of this plan\n",
					path);
			}
			json_decref(o);
			good += len;
		}
		free(line);
		fclose(f);
		if (truncate(path, good) && errno != ENOENT)
			return -errno;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

static void utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- one child lvperf command --- */

struct child_out {
	json_t *json;	/* its stdout, parsed, or NULL */
	int status;	/* raw wait status */
	char why[300];	/* the last line of its stderr when it failed */
};

/* Run argv with stdout captured (parsed as JSON) and stderr appended to
 * logpath; killed after timeout_ns. */
static int run_child_cmd(char *const argv[], const char *logpath, uint64_t timeout_ns, struct child_out *out)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], rc, logfd;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;
	double deadline = mono_s() + (double)timeout_ns * 1e-9;

	memset(out, 0, sizeof(*out));
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	if (logfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, logfd, 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (logfd >= 0)
		close(logfd);
	if (rc) {
		close(pfd[0]);
		return -rc;
	}
	run_child = pid;
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (mono_s() > deadline) {
			snprintf(out->why, sizeof(out->why), "no result within %.0f s: stopped",
				 (double)timeout_ns * 1e-9);
			kill(pid, SIGTERM);
			deadline = mono_s() + 1e9; /* proc_stop below does the rest */
			break;
		}
		usleep(20000);
	}
	close(pfd[0]);
	proc_stop(pid, 10000000000ull, &out->status);
	run_child = 0;
	proc_reap_orphans(0);
	if (buf) {
		buf[len] = 0;
		out->json = json_loads(buf, 0, NULL);
		free(buf);
	}
	if (!out->why[0] && !(WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)) {
		/* The child's own one-line error is the last line of its log. */
		FILE *f = fopen(logpath, "r");
		char line[300];

		if (f) {
			/* lvperf's own last line, else the last line at all (EAL,
			 * libxdp chatter comes after it sometimes). */
			char any[300] = "";

			while (fgets(line, sizeof(line), f)) {
				if (line[0] == '\n')
					continue;
				snprintf(any, sizeof(any), "%s", line);
				if (strncmp(line, "lvperf ", 7) == 0)
					snprintf(out->why, sizeof(out->why), "%s", line);
			}
			if (!out->why[0])
				snprintf(out->why, sizeof(out->why), "%s", any);
			fclose(f);
		}
		out->why[strcspn(out->why, "\n")] = 0;
		if (!out->why[0])
			proc_status_str(out->status, out->why, sizeof(out->why));
	}
	return 0;
}

/* --- points --- */

struct runner {
	const struct spec *s;
	const struct run_opts *o;
	const char *dir;
	uint64_t reps, max_dur;
	double headroom; /* the generator's req/s at the start calibration */
	int fatal;	 /* the runner cannot go on (a point could not be started) */
	char avail_why[SPEC_MAX_TARGETS][256];
	int avail[SPEC_MAX_TARGETS];
};

static const char *point_workload(const struct spec *s, const struct run_point *p)
{
	if (p->metric == SPEC_HTTP)
		return "nginx";
	if (p->metric == SPEC_KV)
		return "redis";
	if (p->metric == SPEC_RTT)
		return "beacon";
	if (p->metric == SPEC_MEMORY && strcmp(p->under, "http") == 0)
		return "nginx";
	if (p->metric == SPEC_MEMORY && strcmp(p->under, "kv") == 0)
		return "redis";
	return s->targets[p->target].workload;
}

static uint64_t capped(const struct runner *r, uint64_t v)
{
	return r->max_dur && v > r->max_dur ? r->max_dur : v;
}

/* Seconds a point should take, for the progress line and the timeout. */
static double point_estimate_s(const struct runner *r, const struct run_point *p)
{
	const struct spec_metric_cfg *c = &r->s->m[p->metric];

	switch (p->metric) {
	case SPEC_RTT:
		return 2.0 + (double)c->count * (double)c->interval * 1e-9;
	case SPEC_HTTP:
	case SPEC_KV:
		return 2.0 + (double)(capped(r, c->duration) + capped(r, c->warmup)) * 1e-9 + 1.0;
	case SPEC_MEMORY:
		return 2.0 + (strcmp(p->under, "idle") ? (double)(capped(r, c->duration) + capped(r, c->warmup)) * 1e-9 : 0);
	default:
		return 1.5;
	}
}

#define ARGV_MAX 40

struct argv_buf {
	char *v[ARGV_MAX];
	char store[2048];
	size_t used;
	int n;
};

static void arg(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (a->n >= ARGV_MAX - 1 || a->used >= sizeof(a->store))
		return;
	va_start(ap, fmt);
	w = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(a->store) - a->used)
		return;
	a->v[a->n++] = a->store + a->used;
	a->v[a->n] = NULL;
	a->used += (size_t)w + 1;
}

static void point_argv(const struct runner *r, const struct run_point *p, struct argv_buf *a)
{
	const struct spec *s = r->s;
	const struct spec_target *t = &s->targets[p->target];
	const struct spec_metric_cfg *c = &s->m[p->metric];
	static const char *const cmd[SPEC_N_METRICS] = { "boot", "size", "ping", "memory", "http", "kv" };

	memset(a, 0, sizeof(*a));
	arg(a, "%s", r->o->lvperf);
	arg(a, "%s", cmd[p->metric]);
	arg(a, "--platform");
	arg(a, "%s", t->platform);
	arg(a, "--workload");
	arg(a, "%s", point_workload(s, p));
	arg(a, "--json");
	if (t->image[0]) {
		arg(a, "--image");
		arg(a, "%s", t->image);
	}
	/* accel becomes the driver option accel=, merged into --opts. */
	for (unsigned i = 0, merged = 0; i < t->n_args || (t->accel[0] && !merged); i++) {
		if (i >= t->n_args) {
			arg(a, "--opts");
			arg(a, "accel=%s", t->accel);
			break;
		}
		if (t->accel[0] && !merged && strcmp(t->args[i], "--opts") == 0 && i + 1 < t->n_args) {
			arg(a, "--opts");
			arg(a, "%s,accel=%s", t->args[++i], t->accel);
			merged = 1;
			continue;
		}
		arg(a, "%s", t->args[i]);
	}
	if (p->metric == SPEC_SIZE)
		return;
	if (strcmp(t->net, "direct")) {
		arg(a, "--net");
		arg(a, "%s", t->net);
	}
	arg(a, "--quiet");
	if (s->cores[0]) {
		arg(a, "--cores");
		arg(a, "%s", s->cores);
	}
	switch (p->metric) {
	case SPEC_STARTUP:
		arg(a, "--repeat");
		arg(a, "1");
		arg(a, "--kind");
		arg(a, "%s", s->port_kind);
		arg(a, "--timeout");
		arg(a, "%" PRIu64 "ns", c->timeout);
		if (c->cold)
			arg(a, "--cold");
		break;
	case SPEC_RTT:
		arg(a, "--count");
		arg(a, "%" PRIu64, c->count);
		arg(a, "--interval");
		arg(a, "%" PRIu64 "ns", c->interval);
		break;
	case SPEC_MEMORY:
		arg(a, "--under");
		arg(a, "%s", p->under);
		if (strcmp(p->under, "idle")) {
			arg(a, "--duration");
			arg(a, "%" PRIu64 "ns", capped(r, c->duration));
			arg(a, "--warmup");
			arg(a, "%" PRIu64 "ns", capped(r, c->warmup));
		}
		break;
	case SPEC_KV:
		arg(a, "--op");
		arg(a, "%s", p->op);
		/* fall through */
	case SPEC_HTTP:
		arg(a, "--connections");
		arg(a, "%" PRIu64, p->connections);
		arg(a, "--pipeline");
		arg(a, "%" PRIu64, p->pipeline);
		arg(a, "--duration");
		arg(a, "%" PRIu64 "ns", capped(r, c->duration));
		arg(a, "--warmup");
		arg(a, "%" PRIu64 "ns", capped(r, c->warmup));
		arg(a, "--seed");
		arg(a, "%" PRIu64, s->seed + p->id);
		break;
	default:
		break;
	}
}

static double jnum(const json_t *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
	return o && json_is_number(o) ? json_number_value(o) : NAN;
}

static void put_num(json_t *o, const char *key, double v, double scale)
{
	json_object_set_new(o, key, v == v ? json_real(v * scale) : json_null());
}

/* The primary value, its unit and the extra figures of a child's JSON. */
static double point_value(const struct run_point *p, const json_t *j, const char **unit, json_t *extra)
{
	switch (p->metric) {
	case SPEC_STARTUP: {
		const json_t *run = json_array_get(json_object_get(json_object_get(j, "startup"), "runs"), 0);

		*unit = "ms";
		put_num(extra, "arp_ms", jnum(run, "first_arp_ns"), 1e-6);
		put_num(extra, "beacon_ms", jnum(run, "first_beacon_ns"), 1e-6);
		put_num(extra, "syn_ms", jnum(run, "syn_ns"), 1e-6);
		put_num(extra, "ready_ms", jnum(run, "ready_ns"), 1e-6);
		put_num(extra, "spawn_ms", jnum(run, "spawn_ns"), 1e-6);
		put_num(extra, "stamp_error_ms", jnum(run, "stamp_error_ns"), 1e-6);
		put_num(extra, "image_bytes", jnum(j, "image_bytes"), 1);
		return jnum(run, "first_beacon_ns") * 1e-6;
	}
	case SPEC_SIZE:
		*unit = "bytes";
		put_num(extra, "compressed_bytes", jnum(j, "gzip_bytes"), 1);
		put_num(extra, "files", jnum(j, "files"), 1);
		return jnum(j, "du_bytes");
	case SPEC_RTT:
		*unit = "us";
		put_num(extra, "p50_us", jnum(j, "rtt_ns.p50"), 1e-3);
		put_num(extra, "p99_us", jnum(j, "rtt_ns.p99"), 1e-3);
		put_num(extra, "raw_p50_us", jnum(j, "rtt_raw_ns.p50"), 1e-3);
		put_num(extra, "mean_us", jnum(j, "rtt_ns.mean"), 1e-3);
		put_num(extra, "sd_us", jnum(j, "rtt_ns.sd"), 1e-3);
		return jnum(j, "rtt_ns.p50") * 1e-3;
	case SPEC_MEMORY: {
		/* idle, or the mid-window sample under load */
		const json_t *m = strcmp(p->under, "idle") ? json_object_get(json_object_get(j, "under"), "sample")
							   : json_object_get(j, "idle");

		*unit = "bytes";
		put_num(extra, "rss_bytes", jnum(m, "target.rss_bytes"), 1);
		put_num(extra, "pss_bytes", jnum(m, "target.pss_bytes"), 1);
		put_num(extra, "cgroup_bytes", jnum(m, "cgroup.bytes"), 1);
		put_num(extra, "daemon_bytes", jnum(m, "daemon.bytes"), 1);
		put_num(extra, "helpers_bytes", jnum(m, "helpers.rss_bytes"), 1);
		return jnum(m, "target.rss_bytes");
	}
	case SPEC_HTTP:
	case SPEC_KV:
		*unit = "req/s";
		put_num(extra, "p50_us", jnum(j, "latency_ns.p50"), 1e-3);
		put_num(extra, "p90_us", jnum(j, "latency_ns.p90"), 1e-3);
		put_num(extra, "p99_us", jnum(j, "latency_ns.p99"), 1e-3);
		put_num(extra, "p999_us", jnum(j, "latency_ns.p999"), 1e-3);
		put_num(extra, "retransmits", jnum(j, "retransmissions"), 1);
		put_num(extra, "busy_fraction", jnum(j, "cpu.busy_fraction"), 1);
		return jnum(j, "requests_per_s");
	default:
		*unit = "";
		return NAN;
	}
}

static json_t *point_base(const struct runner *r, const struct run_point *p, unsigned order)
{
	const struct spec_target *t = &r->s->targets[p->target];
	json_t *o = json_object(), *params = json_object();

	json_object_set_new(o, "point", json_integer(p->id));
	json_object_set_new(o, "order", json_integer(order));
	json_object_set_new(o, "target", json_string(t->name));
	json_object_set_new(o, "platform", json_string(t->platform));
	json_object_set_new(o, "workload", json_string(point_workload(r->s, p)));
	json_object_set_new(o, "net", json_string(t->net));
	json_object_set_new(o, "accel", t->accel[0] ? json_string(t->accel) : json_null());
	json_object_set_new(o, "metric", json_string(spec_metric_names[p->metric]));
	if (p->metric == SPEC_HTTP || p->metric == SPEC_KV) {
		json_object_set_new(params, "connections", json_integer((json_int_t)p->connections));
		json_object_set_new(params, "pipeline", json_integer((json_int_t)p->pipeline));
	}
	if (p->op)
		json_object_set_new(params, "op", json_string(p->op));
	if (p->under)
		json_object_set_new(params, "under", json_string(p->under));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "rep", json_integer(p->rep));
	return o;
}

static void point_label(const struct runner *r, const struct run_point *p, char *buf, size_t len)
{
	int w = snprintf(buf, len, "%s %s", r->s->targets[p->target].name, spec_metric_names[p->metric]);

	if (w < 0 || (size_t)w >= len)
		return;
	if (p->op)
		w += snprintf(buf + w, len - (size_t)w, " %s", p->op);
	if ((p->metric == SPEC_HTTP || p->metric == SPEC_KV) && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, " c=%" PRIu64 "%s", p->connections,
			      p->pipeline > 1 ? " P" : "");
	if (p->under && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, " under %s", p->under);
	if ((size_t)w < len)
		snprintf(buf + w, len - (size_t)w, " rep %u", p->rep + 1);
}

/* Run one point; returns its line (status ok, failed or skipped). NULL
 * when the run was interrupted meanwhile: the point is not done. */
static json_t *point_run(struct runner *r, const struct run_point *p, unsigned order)
{
	json_t *o = point_base(r, p, order), *extra = json_object(), *flags = json_array();
	struct argv_buf a;
	struct child_out co;
	char logpath[600], started[32];
	const char *unit = "";
	double t0 = mono_s(), v = NAN;
	int rc;

	utc_now(started, sizeof(started));
	json_object_set_new(o, "started_utc", json_string(started));
	if (!r->avail[p->target]) {
		json_object_set_new(o, "status", json_string("skipped"));
		json_object_set_new(o, "reason", json_string(r->avail_why[p->target]));
		goto out;
	}
	point_argv(r, p, &a);
	snprintf(logpath, sizeof(logpath), "%s/logs/point-%u.log", r->dir, p->id);
	rc = run_child_cmd(a.v, logpath, (uint64_t)((point_estimate_s(r, p) * 4 + 120) * 1e9), &co);
	if (run_stop) {
		json_decref(co.json);
		json_decref(o);
		json_decref(extra);
		json_decref(flags);
		return NULL;
	}
	if (rc) {
		/* Not the point's failure but the appliance's (the binary was
		 * replaced, no memory...): stop, keep the point for resume. */
		fprintf(stderr, "\nlvperf run: cannot start %s: %s; stopping\n", a.v[0], strerror(-rc));
		r->fatal = 1;
		json_decref(o);
		json_decref(extra);
		json_decref(flags);
		return NULL;
	}
	if (co.json) {
		const json_t *f;
		size_t i;

		v = point_value(p, co.json, &unit, extra);
		json_array_foreach(json_object_get(co.json, "flags"), i, f)
			json_array_append(flags, (json_t *)f);
	}
	if ((p->metric == SPEC_HTTP || p->metric == SPEC_KV) && v == v && r->headroom == r->headroom &&
	    v > 0.9 * r->headroom)
		json_array_append_new(flags, json_string("near_generator_headroom"));
	if (!co.why[0] && v != v)
		snprintf(co.why, sizeof(co.why), "the result has no %s figure", spec_metric_names[p->metric]);
	json_object_set_new(o, "status", json_string(co.why[0] ? "failed" : "ok"));
	if (co.why[0])
		json_object_set_new(o, "reason", json_string(co.why));
	json_object_set_new(o, "value", v == v ? json_real(v) : json_null());
	{
		const json_t *j = co.json, *clock = json_object_get(j, "clock");
		double fl = jnum(j, "floor_ns");

		if (!clock)
			clock = json_object_get(json_object_get(j, "startup"), "clock");
		json_object_set_new(o, "clock", clock ? json_deep_copy(clock) : json_null());
		json_object_set_new(o, "floor_ns", fl == fl ? json_real(fl) : json_null());
		json_object_set_new(o, "floor_source",
				    json_deep_copy(json_object_get(json_object_get(j, "floor"), "source")));
		if (!json_object_get(o, "floor_source"))
			json_object_set_new(o, "floor_source", json_null());
	}
	json_object_set_new(o, "result", co.json ? co.json : json_null());
out:
	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "extra", extra);
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "wall_s", json_real(mono_s() - t0));
	if (!json_object_get(o, "value"))
		json_object_set_new(o, "value", json_null());
	return o;
}

/* --- calibration --- */

static int spec_has_load(const struct spec *s)
{
	for (unsigned t = 0; t < s->n_targets; t++)
		if (s->targets[t].metrics & ((1u << SPEC_HTTP) | (1u << SPEC_KV)))
			return 1;
	return 0;
}

/*
 * TSC rate, ring floor and the port floor of the run's port kind (lvperf
 * calibrate --port-floor KIND: XDP reflector at the far end of a veth of
 * its own), the generator's HTTP
 * headroom when the spec has load points, and the spawn floor: native
 * starts of the beacon, the least any platform's startup can be.
 */
static json_t *calibrate(const struct runner *r, const char *phase)
{
	struct argv_buf a;
	struct child_out co;
	char logpath[600], path[64];
	json_t *o = json_object();
	int load = spec_has_load(r->s);

	memset(&a, 0, sizeof(a));
	arg(&a, "%s", r->o->lvperf);
	arg(&a, "calibrate");
	arg(&a, "--count");
	arg(&a, "2000");
	arg(&a, "--port-floor");
	arg(&a, "%s", r->s->port_kind);
	arg(&a, "--json");
	arg(&a, "--quiet");
	if (load) {
		arg(&a, "--http");
		arg(&a, "--duration");
		arg(&a, "1s");
	}
	snprintf(logpath, sizeof(logpath), "%s/logs/calibrate-%s.log", r->dir, phase);
	json_object_set_new(o, "phase", json_string(phase));
	json_object_set_new(o, "clock", json_string("tsc-after-rx-burst"));
	if (run_child_cmd(a.v, logpath, 120000000000ull, &co) || !co.json) {
		json_object_set_new(o, "error", json_string(co.why[0] ? co.why : "no result"));
		json_decref(co.json);
	} else {
		put_num(o, "tsc_hz", jnum(co.json, "tsc.tsc_hz"), 1);
		put_num(o, "tsc_uncertainty_ppm", jnum(co.json, "tsc.uncertainty_ppm"), 1);
		put_num(o, "ring_floor_ns", jnum(co.json, "ring_floor.rtt_ns.p50"), 1);
		snprintf(path, sizeof(path), "port_floor.%s.rtt_ns.p50", r->s->port_kind);
		put_num(o, "port_floor_ns", jnum(co.json, path), 1);
		json_object_set_new(o, "port_floor_source", json_string("xdp-reflector"));
		json_object_set_new(o, "port_floor_kind", json_string(r->s->port_kind));
		put_num(o, "tsc_read_ns", jnum(co.json, "tsc_read_ns"), 1);
		put_num(o, "headroom_rps", jnum(co.json, "http_headroom.requests_per_s"), 1);
		json_object_set_new(o, "calibrate", co.json);
	}
	memset(&a, 0, sizeof(a));
	arg(&a, "%s", r->o->lvperf);
	arg(&a, "boot");
	arg(&a, "--platform");
	arg(&a, "%s", driver_with(DRIVER_CAP_HOST) ? driver_with(DRIVER_CAP_HOST)->name : "none");
	arg(&a, "--repeat");
	arg(&a, "5");
	arg(&a, "--gap");
	arg(&a, "20ms");
	arg(&a, "--json");
	arg(&a, "--quiet");
	if (run_child_cmd(a.v, logpath, 120000000000ull, &co) || !co.json) {
		json_object_set_new(o, "spawn_floor_error", json_string(co.why[0] ? co.why : "no result"));
		json_decref(co.json);
		put_num(o, "spawn_floor_ns", NAN, 1);
	} else {
		put_num(o, "spawn_floor_ns", jnum(co.json, "startup.summary.first_beacon_ns.p50"), 1);
		json_object_set_new(o, "spawn_floor", co.json);
	}
	if (!json_object_get(o, "tsc_hz"))
		put_num(o, "tsc_hz", NAN, 1);
	if (!json_object_get(o, "ring_floor_ns"))
		put_num(o, "ring_floor_ns", NAN, 1);
	if (!json_object_get(o, "port_floor_ns"))
		put_num(o, "port_floor_ns", NAN, 1);
	return o;
}

/* Flags when the end calibration disagrees with the start. */
static void calib_compare(const json_t *a, const json_t *b, json_t *flags)
{
	double ha = jnum(a, "tsc_hz"), hb = jnum(b, "tsc_hz");
	double fa = jnum(a, "ring_floor_ns"), fb = jnum(b, "ring_floor_ns");

	if (ha == ha && hb == hb && fabs(hb - ha) / ha > 20e-6)
		json_array_append_new(flags, json_sprintf("tsc_drift: %.1f ppm between start and end",
							  (hb - ha) / ha * 1e6));
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("floor_changed: ring floor p50 %.0f ns at start, %.0f ns at end",
							  fa, fb));
	fa = jnum(a, "port_floor_ns");
	fb = jnum(b, "port_floor_ns");
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("port_floor_changed: port floor p50 %.0f ns at start, %.0f ns at end",
							  fa, fb));
	if (ha != ha || hb != hb)
		json_array_append_new(flags, json_string("calibration_missing"));
	fa = jnum(a, "spawn_floor_ns");
	fb = jnum(b, "spawn_floor_ns");
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("spawn_floor_changed: %.0f ns at start, %.0f ns at end", fa, fb));
	fa = jnum(a, "headroom_rps");
	fb = jnum(b, "headroom_rps");
	if (fa == fa && fb == fb && fabs(fb - fa) > 0.25 * fa)
		json_array_append_new(flags, json_sprintf("headroom_changed: %.0f req/s at start, %.0f at end", fa, fb));
}

/* --- the run --- */

static void progress(const struct runner *r, unsigned i, unsigned n, const char *label, double elapsed,
		     double remaining, const json_t *last)
{
	char rem[32];

	if (r->o->quiet)
		return;
	snprintf(rem, sizeof(rem), "%dm%02ds", (int)remaining / 60, (int)remaining % 60);
	if (isatty(2)) {
		fprintf(stderr, "\r\033[K[%u/%u] %s | %dm%02ds elapsed, ~%s left", i, n, label, (int)elapsed / 60,
			(int)elapsed % 60, rem);
		return;
	}
	if (last) {
		const char *st = json_string_value(json_object_get(last, "status"));
		double v = jnum(last, "value");

		fprintf(stderr, "[%u/%u] %s: %s", i, n, label, st ? st : "?");
		if (v == v)
			fprintf(stderr, " %.6g %s", v, json_string_value(json_object_get(last, "unit")));
		if (json_object_get(last, "reason"))
			fprintf(stderr, " (%s)", json_string_value(json_object_get(last, "reason")));
		fprintf(stderr, " | ~%s left\n", rem);
	}
}

static int write_run_json(const char *dir, json_t *meta)
{
	char path[600], tmp[620];
	int rc;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	json_object_set_new(meta, "format", json_integer(LVP_FORMAT));
	rc = json_dump_file(meta, tmp, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	return rc ? -EIO : rename(tmp, path) ? -errno : 0;
}

int run_experiment(const struct run_opts *o, const char *const *platforms)
{
	struct runner r = { .o = o, .dir = o->dir };
	static struct spec spec;
	char path[600], started[32], host[128] = "";
	struct run_point *plan;
	unsigned char *done;
	unsigned n, n_done, i, ran = 0;
	json_t *meta, *flags, *cal_start, *cal_end;
	double t0, spent = 0, est_left = 0;
	int fd, calfd, rc;
	struct sigaction sa;

	snprintf(path, sizeof(path), "%s/spec.yaml", o->dir);
	if (!o->resume) {
		char probe[600];

		snprintf(probe, sizeof(probe), "%s/raw/points.jsonl", o->dir);
		if (access(probe, F_OK) == 0) {
			fprintf(stderr, "lvperf run: %s already holds a run; continue it with --resume %s or choose another --out\n",
				o->dir, o->dir);
			return RUN_USAGE;
		}
		if (spec_load(o->spec, platforms, &spec, stderr))
			return RUN_USAGE;
		if (o->dry_run)
			goto plan_only;
		rc = file_mkdirs(o->dir, 0755);
		if (rc) {
			fprintf(stderr, "lvperf run: cannot create %s: %s\n", o->dir, strerror(-rc));
			return RUN_ERR;
		}
		snprintf(probe, sizeof(probe), "%s/raw", o->dir);
		file_mkdirs(probe, 0755);
		snprintf(probe, sizeof(probe), "%s/logs", o->dir);
		file_mkdirs(probe, 0755);
		rc = file_copy(o->spec, path, 0644, 1);
		if (rc) {
			fprintf(stderr, "lvperf run: cannot copy %s to %s: %s\n", o->spec, path, strerror(-rc));
			return RUN_ERR;
		}
		utc_now(started, sizeof(started));
		gethostname(host, sizeof(host) - 1);
		meta = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:i, s:I, s:I, s:o}", "lvperf", LVP_VERSION, "spec",
				 spec.name, "spec_file", o->spec, "seed", (json_int_t)spec.seed, "started_utc", started,
				 "host", host, "plan_version", PLAN_VERSION, "repetitions_override",
				 (json_int_t)o->repetitions, "max_duration_ns", (json_int_t)o->max_duration, "flags",
				 json_array());
	} else {
		snprintf(started, sizeof(started), "%s/run.json", o->dir);
		meta = json_load_file(started, 0, NULL);
		if (!meta || access(path, R_OK)) {
			fprintf(stderr, "lvperf run: %s is not a run directory (no readable run.json and spec.yaml)\n",
				o->dir);
			json_decref(meta);
			return RUN_USAGE;
		}
		if (json_integer_value(json_object_get(meta, "plan_version")) != PLAN_VERSION) {
			fprintf(stderr, "lvperf run: %s was planned by another lvperf version; it cannot be resumed\n",
				o->dir);
			json_decref(meta);
			return RUN_ERR;
		}
		if (spec_load(path, platforms, &spec, stderr)) {
			json_decref(meta);
			return RUN_USAGE;
		}
	}
	r.reps = o->resume ? (uint64_t)json_integer_value(json_object_get(meta, "repetitions_override")) : o->repetitions;
	r.max_dur = o->resume ? (uint64_t)json_integer_value(json_object_get(meta, "max_duration_ns")) : o->max_duration;
	goto have_spec;
plan_only:
	meta = NULL;
	r.reps = o->repetitions;
	r.max_dur = o->max_duration;
have_spec:
	r.s = &spec;
	for (int m = 0; r.reps && m < SPEC_N_METRICS; m++)
		if (m != SPEC_SIZE)
			spec.m[m].repetitions = r.reps;
	plan = run_plan(&spec, &n);
	if (!plan) {
		json_decref(meta);
		return RUN_ERR;
	}
	for (i = 0; i < n; i++)
		est_left += point_estimate_s(&r, &plan[i]);
	if (o->dry_run) {
		printf("spec %s: %u targets, %u points, about %.0f s\n", spec.name, spec.n_targets, n, est_left);
		for (i = 0; i < n; i++) {
			char label[160];

			point_label(&r, &plan[i], label, sizeof(label));
			printf("%4u  point %4u  %s\n", i + 1, plan[i].id, label);
		}
		free(plan);
		return RUN_OK;
	}
	json_object_set_new(meta, "points", json_integer(n));
	write_run_json(o->dir, meta);

	done = calloc(n ? n : 1, 1);
	fd = done ? points_open(o->dir, n, done, &n_done, stderr) : -ENOMEM;
	snprintf(path, sizeof(path), "%s/raw/calibration.jsonl", o->dir);
	calfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || calfd < 0) {
		fprintf(stderr, "lvperf run: cannot open the raw files in %s/raw: %s\n", o->dir,
			strerror(fd < 0 ? -fd : errno));
		free(plan);
		free(done);
		json_decref(meta);
		return RUN_ERR;
	}
	for (unsigned t = 0; t < spec.n_targets; t++) {
		const struct driver *drv = driver_find(spec.targets[t].platform);

		r.avail[t] = drv && drv->available(r.avail_why[t], sizeof(r.avail_why[t]));
		if (!drv)
			snprintf(r.avail_why[t], sizeof(r.avail_why[t]), "no driver");
		if (r.avail[t] && spec.targets[t].image[0] && access(spec.targets[t].image, R_OK)) {
			r.avail[t] = 0;
			snprintf(r.avail_why[t], sizeof(r.avail_why[t]),
				 "image %.200s: %s (bring the platform's image there)", spec.targets[t].image,
				 strerror(errno));
		}
		if (!r.avail[t] && !o->quiet)
			fprintf(stderr, "lvperf run: target %s skipped: %s\n", spec.targets[t].name, r.avail_why[t]);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* The children end when we do (app/main.c reads this). */
	snprintf(path, sizeof(path), "%d", (int)getpid());
	setenv("LVPERF_PARENT", path, 1);

	if (!o->quiet)
		fprintf(stderr, "lvperf run: %s, %u points (%u done before), raw data in %s/raw\n", spec.name, n,
			n_done, o->dir);
	cal_start = calibrate(&r, o->resume ? "resume" : "start");
	append_json(calfd, cal_start);
	r.headroom = jnum(cal_start, "headroom_rps");
	est_left = 0;
	for (i = 0; i < n; i++)
		if (!done[plan[i].id])
			est_left += point_estimate_s(&r, &plan[i]);
	t0 = mono_s();
	rc = RUN_OK;
	for (i = 0; i < n && !run_stop; i++) {
		const struct run_point *p = &plan[i];
		char label[160];
		double pt0 = mono_s(), est = point_estimate_s(&r, p);
		json_t *line;

		if (done[p->id])
			continue;
		point_label(&r, p, label, sizeof(label));
		progress(&r, n_done + 1, n, label, mono_s() - t0, est_left, NULL);
		line = point_run(&r, p, i);
		if (!line) {
			if (r.fatal)
				rc = RUN_ERR;
			break;
		}
		if (append_json(fd, line)) {
			fprintf(stderr, "\nlvperf run: cannot write %s/raw/points.jsonl: %s\n", o->dir, strerror(errno));
			json_decref(line);
			rc = RUN_ERR;
			break;
		}
		done[p->id] = 1;
		n_done++;
		ran++;
		spent += mono_s() - pt0;
		est_left -= est;
		/* Scale what is left by how the estimates have fared so far. */
		progress(&r, n_done, n, label, mono_s() - t0, est_left > 0 ? est_left * (spent / (ran ? ran : 1)) /
						     (est > 0 ? est : 1) : 0, line);
		json_decref(line);
	}
	if (!o->quiet && isatty(2))
		fputc('\n', stderr);
	flags = json_object_get(meta, "flags");
	if (!json_is_array(flags)) {
		flags = json_array();
		json_object_set_new(meta, "flags", flags);
	}
	if (!run_stop && rc == RUN_OK) {
		cal_end = calibrate(&r, "end");
		append_json(calfd, cal_end);
		calib_compare(cal_start, cal_end, flags);
		json_decref(cal_end);
		utc_now(started, sizeof(started));
		json_object_set_new(meta, "finished_utc", json_string(started));
	}
	json_object_set_new(meta, "points_done", json_integer(n_done));
	write_run_json(o->dir, meta);
	json_decref(cal_start);
	close(fd);
	close(calfd);
	if (run_stop) {
		fprintf(stderr, "lvperf run: stopped by signal %d after %u of %u points; nothing recorded is lost. "
				"Continue with: lvperf run --resume %s\n",
			(int)run_stop, n_done, n, o->dir);
		rc = RUN_INTERRUPTED;
	} else if (r.fatal) {
		fprintf(stderr, "lvperf run: %u of %u points recorded; after fixing the cause continue with: lvperf run --resume %s\n",
			n_done, n, o->dir);
	} else if (rc == RUN_OK && !o->quiet) {
		fprintf(stderr, "lvperf run: %u points done in %.0f s; raw data in %s/raw\n", n_done,
			mono_s() - t0, o->dir);
	}
	free(plan);
	free(done);
	json_decref(meta);
	return rc;
}
