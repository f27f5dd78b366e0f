/* SPDX-License-Identifier: BSD-3-Clause
 * The experiment runner. Each point runs as a child `lvperf` command
 * (boot, size, ping, memory, http, kv) with --json: DPDK's EAL starts once
 * per process and every target brings its own port, and a child per point
 * confines a crash to that point. The child gets SIGTERM when the runner
 * dies (LVPERF_PARENT, see app/main.c), so a killed run leaves nothing
 * running; its ledger covers the rest.
 *
 * This file is the run loop: the plan, resume, the calibration phases
 * and the run's flags. runner_point.c maps a point to its child command
 * and back (the shared table), runner_child.c runs the child.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "driver.h"
#include "file.h"
#include "format.h"
#include "image.h"
#include "runner_int.h"

#define PLAN_VERSION 1

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

/* --- calibration --- */

/*
 * The calibration of one phase (start, resume, end): run_calib_cmd's
 * figures (TSC rate, floors, the generator's headroom) and the spawn
 * floor (run_spawn_floor_cmd), as a line of calibration.jsonl.
 */
static json_t *calibrate(const struct runner *r, const char *phase)
{
	const struct run_key *k;
	struct run_argv a;
	struct child_out co;
	char logpath[600], path[64];
	json_t *o = json_object();

	run_calib_argv(r->s, &run_calib_cmd, r->o->lvperf, &a);
	snprintf(logpath, sizeof(logpath), "%s/logs/calibrate-%s.log", r->dir, phase);
	json_object_set_new(o, "phase", json_string(phase));
	json_object_set_new(o, "clock", json_string("tsc-after-rx-burst"));
	if (run_child_cmd(a.v, logpath, 120000000000ull, &co) || !co.json) {
		json_object_set_new(o, "error", json_string(co.why[0] ? co.why : "no result"));
		json_decref(co.json);
	} else {
		for (k = run_calib_cmd.extra; k < run_calib_cmd.extra + RUN_MAX_KEYS && k->name; k++) {
			/* "%s" in a path: the port kind (port_floor.KIND....). */
			snprintf(path, sizeof(path), k->path, r->s->port_kind);
			run_put_num(o, k->name, run_jnum(co.json, path), k->scale);
		}
		json_object_set_new(o, "port_floor_source", json_string("xdp-reflector"));
		json_object_set_new(o, "port_floor_kind", json_string(r->s->port_kind));
		json_object_set_new(o, "calibrate", co.json);
	}
	run_calib_argv(r->s, &run_spawn_floor_cmd, r->o->lvperf, &a);
	k = &run_spawn_floor_cmd.extra[0];
	if (run_child_cmd(a.v, logpath, 120000000000ull, &co) || !co.json) {
		json_object_set_new(o, "spawn_floor_error", json_string(co.why[0] ? co.why : "no result"));
		json_decref(co.json);
		run_put_num(o, k->name, NAN, 1);
	} else {
		run_put_num(o, k->name, run_jnum(co.json, k->path), k->scale);
		json_object_set_new(o, "spawn_floor", co.json);
	}
	if (!json_object_get(o, "tsc_hz"))
		run_put_num(o, "tsc_hz", NAN, 1);
	if (!json_object_get(o, "ring_floor_ns"))
		run_put_num(o, "ring_floor_ns", NAN, 1);
	if (!json_object_get(o, "port_floor_ns"))
		run_put_num(o, "port_floor_ns", NAN, 1);
	return o;
}

/* Flags when the end calibration disagrees with the start. */
static void calib_compare(const json_t *a, const json_t *b, json_t *flags)
{
	double ha = run_jnum(a, "tsc_hz"), hb = run_jnum(b, "tsc_hz");
	double fa = run_jnum(a, "ring_floor_ns"), fb = run_jnum(b, "ring_floor_ns");

	if (ha == ha && hb == hb && fabs(hb - ha) / ha > 20e-6)
		json_array_append_new(flags, json_sprintf("tsc_drift: %.1f ppm between start and end",
							  (hb - ha) / ha * 1e6));
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("floor_changed: ring floor p50 %.0f ns at start, %.0f ns at end",
							  fa, fb));
	fa = run_jnum(a, "port_floor_ns");
	fb = run_jnum(b, "port_floor_ns");
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("port_floor_changed: port floor p50 %.0f ns at start, %.0f ns at end",
							  fa, fb));
	if (ha != ha || hb != hb)
		json_array_append_new(flags, json_string("calibration_missing"));
	fa = run_jnum(a, "spawn_floor_ns");
	fb = run_jnum(b, "spawn_floor_ns");
	if (fa == fa && fb == fb && (fb > 2 * fa || fa > 2 * fb))
		json_array_append_new(flags, json_sprintf("spawn_floor_changed: %.0f ns at start, %.0f ns at end", fa, fb));
	fa = run_jnum(a, "headroom_rps");
	fb = run_jnum(b, "headroom_rps");
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
		double v = run_jnum(last, "value");

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
		run_utc_now(started, sizeof(started));
		gethostname(host, sizeof(host) - 1);
		meta = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:i, s:I, s:I, s:o}", "lvperf", LVP_VERSION, "spec",
				 spec.name, "spec_file", o->spec, "seed", (json_int_t)spec.seed, "started_utc", started,
				 "host", host, "plan_version", PLAN_VERSION, "repetitions_override",
				 (json_int_t)o->repetitions, "max_duration_ns", (json_int_t)o->max_duration, "flags",
				 json_array());
	} else {
		char runjson[600];

		/* (not started[]: a run directory over 22 characters did not fit) */
		snprintf(runjson, sizeof(runjson), "%s/run.json", o->dir);
		meta = json_load_file(runjson, 0, NULL);
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
		est_left += run_point_estimate_s(&r, &plan[i]);
	if (o->dry_run) {
		printf("spec %s: %u targets, %u points, about %.0f s\n", spec.name, spec.n_targets, n, est_left);
		for (i = 0; i < n; i++) {
			char label[160];

			run_point_label(&r, &plan[i], label, sizeof(label));
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

		/* a target in a host VM runs on the guest's platform (the image
		 * has them all), not this host's: its driver need only exist */
		r.avail[t] = drv && (spec.targets[t].host[0] ||
				     drv->available(r.avail_why[t], sizeof(r.avail_why[t])));
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
	run_signals_install();
	/* The children end when we do (app/main.c reads this). */
	snprintf(path, sizeof(path), "%d", (int)getpid());
	setenv("LVPERF_PARENT", path, 1);

	if (!o->quiet)
		fprintf(stderr, "lvperf run: %s, %u points (%u done before), raw data in %s/raw\n", spec.name, n,
			n_done, o->dir);
	cal_start = calibrate(&r, o->resume ? "resume" : "start");
	append_json(calfd, cal_start);
	r.headroom = run_jnum(cal_start, "headroom_rps");
	est_left = 0;
	for (i = 0; i < n; i++)
		if (!done[plan[i].id])
			est_left += run_point_estimate_s(&r, &plan[i]);
	t0 = run_mono_s();
	rc = RUN_OK;
	for (i = 0; i < n && !run_stopped(); i++) {
		const struct run_point *p = &plan[i];
		char label[160];
		double pt0 = run_mono_s(), est = run_point_estimate_s(&r, p);
		json_t *line;

		if (done[p->id])
			continue;
		/* a host VM target's points run back to back (run_plan): its VM
		 * boots at the first, stops when another target comes */
		if (spec.targets[p->target].host[0] && r.avail[p->target]) {
			r.live = run_host_enter(&r, p->target);
			if (run_stopped())
				break;
		} else {
			run_host_leave(&r);
			r.live = NULL;
		}
		run_point_label(&r, p, label, sizeof(label));
		progress(&r, n_done + 1, n, label, run_mono_s() - t0, est_left, NULL);
		line = run_point(&r, p, i);
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
		spent += run_mono_s() - pt0;
		est_left -= est;
		/* Scale what is left by how the estimates have fared so far. */
		progress(&r, n_done, n, label, run_mono_s() - t0, est_left > 0 ? est_left * (spent / (ran ? ran : 1)) /
						     (est > 0 ? est : 1) : 0, line);
		json_decref(line);
	}
	run_host_leave(&r);
	r.live = NULL;
	if (!o->quiet && isatty(2))
		fputc('\n', stderr);
	flags = json_object_get(meta, "flags");
	if (!json_is_array(flags)) {
		flags = json_array();
		json_object_set_new(meta, "flags", flags);
	}
	if (!run_stopped() && rc == RUN_OK) {
		cal_end = calibrate(&r, "end");
		append_json(calfd, cal_end);
		calib_compare(cal_start, cal_end, flags);
		json_decref(cal_end);
		run_utc_now(started, sizeof(started));
		json_object_set_new(meta, "finished_utc", json_string(started));
	}
	json_object_set_new(meta, "points_done", json_integer(n_done));
	write_run_json(o->dir, meta);
	json_decref(cal_start);
	close(fd);
	close(calfd);
	if (run_stopped()) {
		fprintf(stderr, "lvperf run: stopped by signal %d after %u of %u points; nothing recorded is lost. "
				"Continue with: lvperf run --resume %s\n",
			run_stopped(), n_done, n, o->dir);
		rc = RUN_INTERRUPTED;
	} else if (r.fatal) {
		fprintf(stderr, "lvperf run: %u of %u points recorded; after fixing the cause continue with: lvperf run --resume %s\n",
			n_done, n, o->dir);
	} else if (rc == RUN_OK && !o->quiet) {
		fprintf(stderr, "lvperf run: %u points done in %.0f s; raw data in %s/raw\n", n_done,
			run_mono_s() - t0, o->dir);
	}
	free(plan);
	free(done);
	json_decref(meta);
	return rc;
}
