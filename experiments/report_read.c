/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report, reading: DIR/raw/points.jsonl, calibration.jsonl and
 * run.json into struct report; the points indexed, grouped and sorted
 * (targets in plan order, the order of their lowest point id), the
 * start/end calibration compared. No clock read anywhere.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"
#include "file.h"

/* The study's metric order; any other metric follows, alphabetically. */
static const char *const metric_order[] = {"startup", "size", "rtt", "memory", "http", "kv"};
const char *const report_param_name[P_NONE] = {"connections", "pipeline", "op", "under"};

char *report_path(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

/* ---- reading -------------------------------------------------------- */

const char *report_jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

double report_jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static long jlong(json_t *o, const char *k, long dflt)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	/* a whole number a long holds: (long)1e55 is undefined (found by
	 * fuzzing, tests/fuzz/report/crash-point-1e55) */
	if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
	    json_real_value(v) >= -0x1p63 && json_real_value(v) < 0x1p63)
		return (long)json_real_value(v);
	return dflt;
}


/*
 * Call fn on each complete (newline-terminated), non-blank line; a last
 * line without its newline is the trace of a crash mid-write and is
 * counted in *partial, not read.
 */
static int read_lines(const char *path,
		      int (*fn)(struct report *, const char *, size_t, size_t, const char *),
		      struct report *r, unsigned long *partial)
{
	char *buf, *s, *nl;
	size_t len, line = 0;
	int rc = file_read(path, &buf, &len);

	if (rc)
		return rc;
	for (s = buf; s < buf + len; s = nl + 1) {
		line++;
		nl = memchr(s, '\n', (size_t)(buf + len - s));
		if (!nl) {
			(*partial)++;
			break;
		}
		if (strspn(s, " \t\r") == (size_t)(nl - s))
			continue;
		rc = fn(r, s, (size_t)(nl - s), line, path);
		if (rc)
			break;
	}
	free(buf);
	return rc;
}

/* A name from a run directory (target, metric, ...) is text on one line:
 * no control character. A newline in a target name once reached the
 * gnuplot script, which ran the line after it. */
static int name_ok(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static size_t intern(const char ***arr, size_t *n, const char *s)
{
	size_t i;
	const char **na;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i], s) == 0)
			return i;
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na)
		return (size_t)-1;
	*arr = na;
	na[*n] = s;
	return (*n)++;
}

static int point_line(struct report *r, const char *s, size_t len, size_t line, const char *path)
{
	json_error_t err;
	json_t *o = json_loadb(s, len, 0, &err), *params, *v;
	struct rp *p, *np;
	const char *status, *bad = NULL;

	if (!o) {
		fprintf(
		    stderr,
		    "lvperf report: %s:%zu: not JSON (%s); only the last line may be cut short\n",
		    path, line, err.text);
		return -EINVAL;
	}
	np = realloc(r->p, (r->np + 1) * sizeof(*np));
	if (!np) {
		json_decref(o);
		return -ENOMEM;
	}
	r->p = np;
	p = &r->p[r->np];
	memset(p, 0, sizeof(*p));
	p->obj = o;
	p->line = line;
	p->point = jlong(o, "point", -1);
	p->target = report_jstr(o, "target");
	/* A target on a test server (spec servers:) is labelled NAME@SERVER
	 * in every table, figure and finding; the label lives in obj. */
	if (p->target && report_jstr(o, "server")) {
		char label[256];

		snprintf(label, sizeof(label), "%s@%s", p->target, report_jstr(o, "server"));
		json_object_set_new(o, "lvp_target_label", json_string(label));
		p->target = report_jstr(o, "lvp_target_label");
	}
	p->metric = report_jstr(o, "metric");
	status = report_jstr(o, "status");
	if (p->point < 0)
		bad = "'point': expected an integer >= 0";
	else if (!p->target)
		bad = "'target': expected a string";
	else if (!p->metric)
		bad = "'metric': expected a string";
	else if (!status ||
		 (strcmp(status, "ok") && strcmp(status, "failed") && strcmp(status, "skipped")))
		bad = "'status': expected \"ok\", \"failed\" or \"skipped\"";
	else if (!name_ok(p->target) || !name_ok(p->metric) || !name_ok(report_jstr(o, "platform")) ||
		 !name_ok(report_jstr(o, "workload")) || !name_ok(report_jstr(json_object_get(o, "params"), "op")) ||
		 !name_ok(report_jstr(json_object_get(o, "params"), "under")))
		bad = "'target', 'server', 'metric', 'platform', 'workload', 'params': a control character in a name";
	if (bad) {
		fprintf(stderr, "lvperf report: %s:%zu: field %s (see docs/raw-format.md)\n", path, line,
			bad);
		json_decref(o);
		return -EINVAL;
	}
	p->st = strcmp(status, "ok") == 0	? ST_OK
		: strcmp(status, "failed") == 0 ? ST_FAILED
						: ST_SKIPPED;
	p->order = jlong(o, "order", -1);
	p->rep = jlong(o, "rep", 0);
	p->platform = report_jstr(o, "platform");
	p->workload = report_jstr(o, "workload");
	p->net = report_jstr(o, "net");
	p->accel = report_jstr(o, "accel");
	p->unit = report_jstr(o, "unit");
	p->clock = report_jstr(o, "clock");
	/* Bytes are not stamped: whatever clock the command that counted them
	 * ran its port with says nothing about them. */
	if (strcmp(p->metric, "size") == 0 || strcmp(p->metric, "memory") == 0)
		p->clock = "not timed";
	p->floor_source = report_jstr(o, "floor_source");
	p->reason = report_jstr(o, "reason");
	p->value = report_jnum(o, "value");
	p->floor_ns = report_jnum(o, "floor_ns");
	params = json_object_get(o, "params");
	p->conn = jlong(params, "connections", -1);
	p->pipe = jlong(params, "pipeline", -1);
	p->op = report_jstr(params, "op");
	p->under = report_jstr(params, "under");
	{
		const char *k;
		json_t *pv;

		json_object_foreach(params, k, pv) {
			size_t i;

			for (i = 0; i < P_NONE && strcmp(k, report_param_name[i]); i++)
				;
			if (i == P_NONE && !r->warned_param) {
				fprintf(stderr, "lvperf report: %s:%zu: warning: params.%s is not a sweep parameter (docs/raw-format.md: (connections, pipeline, op, under)); points differing only in it are pooled\n",
					path, line, k);
				r->warned_param = 1;
			}
		}
	}
	v = json_object_get(o, "extra");
	p->extra = json_is_object(v) ? v : NULL;
	v = json_object_get(o, "flags");
	p->flags = json_is_array(v) && json_array_size(v) ? v : NULL;
	if (p->st == ST_OK && !isfinite(p->value)) {
		fprintf(stderr, "lvperf report: %s:%zu: status ok but 'value' is not a number\n",
			path, line);
		json_decref(o);
		return -EINVAL;
	}
	r->np++;
	return 0;
}

static int calib_line(struct report *r, const char *s, size_t len, size_t line, const char *path)
{
	json_error_t err;
	json_t *o = json_loadb(s, len, 0, &err);

	if (!o) {
		fprintf(stderr, "lvperf report: %s:%zu: not JSON (%s)\n", path, line, err.text);
		return -EINVAL;
	}
	json_array_append_new(r->calib, o);
	return 0;
}

static int cmp_point_id(const void *a, const void *b)
{
	const struct rp *x = a, *y = b;

	return (x->point > y->point) - (x->point < y->point);
}

int report_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t metric_rank(const char *m)
{
	size_t i;

	for (i = 0; i < sizeof(metric_order) / sizeof(metric_order[0]); i++)
		if (strcmp(m, metric_order[i]) == 0)
			return i;
	return i;
}

static int cmp_metric(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t rx = metric_rank(x), ry = metric_rank(y);

	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

static int report_index(struct report *r)
{
	size_t i, j;

	if (r->np) /* r->p is NULL without points (fuzz_report: UB) */
		qsort(r->p, r->np, sizeof(*r->p), cmp_point_id);
	for (i = 0; i < r->np; i++) {
		struct rp *p = &r->p[i];

		if (i && p->point == r->p[i - 1].point) {
			fprintf(stderr,
				"lvperf report: %s/raw/points.jsonl:%zu: point %ld was already "
				"recorded on line %zu\n",
				r->dir, p->line, p->point, r->p[i - 1].line);
			return -EINVAL;
		}
		/* Points are sorted by id: targets come in plan order. */
		if (intern(&r->target, &r->nt, p->target) == (size_t)-1 ||
		    intern(&r->metric, &r->nm, p->metric) == (size_t)-1)
			return -ENOMEM;
		if (p->st == ST_OK) {
			const char *k;
			json_t *v;

			r->n_ok++;
			if (p->flags)
				r->n_flagged++;
			json_object_foreach(p->extra, k, v) if (intern(&r->extra, &r->nx, k) ==
								(size_t)-1) return -ENOMEM;
		} else if (p->st == ST_FAILED) {
			r->n_failed++;
		} else {
			r->n_skipped++;
		}
	}
	if (r->nm)
		qsort(r->metric, r->nm, sizeof(*r->metric), cmp_metric);
	if (r->nx)
		qsort(r->extra, r->nx, sizeof(*r->extra), report_cmp_str);
	for (i = 0; i < r->np; i++) {
		for (j = 0; j < r->nt; j++)
			if (strcmp(r->target[j], r->p[i].target) == 0)
				r->p[i].ti = j;
		for (j = 0; j < r->nm; j++)
			if (strcmp(r->metric[j], r->p[i].metric) == 0)
				r->p[i].mi = j;
	}
	return 0;
}

/* ---- grouping ------------------------------------------------------- */

static int cmp_long(long a, long b)
{
	return (a > b) - (a < b);
}

int report_cmp_nstr(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

int report_param_cmp(const struct rp *a, const struct rp *b, int k)
{
	switch (k) {
	case P_CONN:
		return cmp_long(a->conn, b->conn);
	case P_PIPE:
		return cmp_long(a->pipe, b->pipe);
	case P_OP:
		return report_cmp_nstr(a->op, b->op);
	case P_UNDER:
		/* The idle baseline before any load. */
		if (a->under && b->under &&
		    (!strcmp(a->under, "idle") || !strcmp(b->under, "idle")))
			return !strcmp(b->under, "idle") - !strcmp(a->under, "idle");
		return report_cmp_nstr(a->under, b->under);
	}
	return 0;
}

static int param_present(const struct rp *p, int k)
{
	switch (k) {
	case P_CONN:
		return p->conn >= 0;
	case P_PIPE:
		return p->pipe >= 0;
	case P_OP:
		return p->op != NULL;
	case P_UNDER:
		return p->under != NULL;
	}
	return 0;
}

/* The sweep point with parameter mask left out (P_NONE: all of them). */
int report_sweep_cmp(const struct rp *a, const struct rp *b, int mask)
{
	int k, c;

	for (k = 0; k < P_NONE; k++)
		if (k != mask && (c = report_param_cmp(a, b, k)))
			return c;
	return 0;
}

/* Order: metric, sweep without mask, target, mask's value, point id. */
static int cmp_group(const void *a, const void *b, void *ctx)
{
	const struct rp *x = *(const struct rp *const *)a, *y = *(const struct rp *const *)b;
	int mask = *(const int *)ctx, c;

	if ((c = cmp_long((long)x->mi, (long)y->mi)) || (c = report_sweep_cmp(x, y, mask)) ||
	    (c = cmp_long((long)x->ti, (long)y->ti)) ||
	    (mask != P_NONE && (c = report_param_cmp(x, y, mask))))
		return c;
	return cmp_long(x->point, y->point);
}

/* The ok points sorted for grouping by mask; caller frees. */
struct rp **report_sorted_ok(struct report *r, int mask, size_t *n)
{
	struct rp **v = malloc((r->np ? r->np : 1) * sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (*n = i = 0; i < r->np; i++)
		if (r->p[i].st == ST_OK)
			v[(*n)++] = &r->p[i];
	qsort_r(v, *n, sizeof(*v), cmp_group, &mask);
	return v;
}

int report_same_cell(const struct rp *a, const struct rp *b)
{
	return a->mi == b->mi && a->ti == b->ti && report_sweep_cmp(a, b, P_NONE) == 0;
}

int report_same_sweep(const struct rp *a, const struct rp *b, int mask)
{
	return a->mi == b->mi && report_sweep_cmp(a, b, mask) == 0;
}

/* "connections=100 op=get" (or "-"), leaving out the parameters in the
 * bit set skip (1 << P_CONN, ...). */
void report_sweep_label(const struct rp *p, unsigned skip, char *buf, size_t len)
{
	size_t o = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < P_NONE; k++) {
		if ((skip & (1u << k)) || !param_present(p, k) || o >= len)
			continue;
		if (k == P_CONN || k == P_PIPE)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%ld", o ? " " : "",
					      report_param_name[k], k == P_CONN ? p->conn : p->pipe);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "",
					      report_param_name[k], k == P_OP ? p->op : p->under);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

json_t *report_sweep_json(const struct rp *p, int mask)
{
	json_t *o = json_object();

	if (mask != P_CONN && p->conn >= 0)
		json_object_set_new(o, "connections", json_integer(p->conn));
	if (mask != P_PIPE && p->pipe >= 0)
		json_object_set_new(o, "pipeline", json_integer(p->pipe));
	if (mask != P_OP && p->op)
		json_object_set_new(o, "op", json_string(p->op));
	if (mask != P_UNDER && p->under)
		json_object_set_new(o, "under", json_string(p->under));
	return o;
}

/* JSON number: null for NaN, "inf"/"-inf" for infinities. */
json_t *report_jnum_json(double v)
{
	if (isnan(v))
		return json_null();
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return json_real(v);
}

/* ---- calibration ------------------------------------------------------ */

/* Start and end disagree beyond these: flag (the limits lvperf run flags
 * a run with, experiments/runner.c report_calib_compare). */
const struct report_calib_field report_calib_fields[] = {
    {"tsc_hz", "TSC rate (Hz)", 20e-6, 0, "20 ppm"},
    {"ring_floor_ns", "ring floor (ns)", 2, 1, "2x"},
    {"port_floor_ns", "port floor (ns)", 2, 1, "2x"},
    {"spawn_floor_ns", "spawn floor (ns)", 2, 1, "2x"},
    {"headroom_rps", "generator headroom (req/s)", 0.25, 0, "25 %"},
};

static json_t *calib_phase(json_t *calib, const char *phase, int last)
{
	json_t *v, *found = NULL;
	size_t i;

	json_array_foreach(calib, i, v)
	{
		const char *ph = report_jstr(v, "phase");

		if (ph && strcmp(ph, phase) == 0) {
			found = v;
			if (!last)
				break;
		}
	}
	return found;
}

json_t *report_calib_compare(struct report *r)
{
	json_t *s = calib_phase(r->calib, "start", 0), *e = calib_phase(r->calib, "end", 1);
	json_t *o = json_object(), *fields = json_array();
	size_t i;
	int flagged = 0;

	json_object_set_new(o, "clock",
			    s && report_jstr(s, "clock") ? json_string(report_jstr(s, "clock"))
							 : json_null());
	for (i = 0; i < sizeof(report_calib_fields) / sizeof(report_calib_fields[0]); i++) {
		double a = s ? report_jnum(s, report_calib_fields[i].key) : NAN,
		       b = e ? report_jnum(e, report_calib_fields[i].key) : NAN;
		double d = (isnan(a) || isnan(b) || a == 0) ? NAN : fabs(b - a) / fabs(a);
		const struct report_calib_field *c = &report_calib_fields[i];
		int bad = c->ratio ? a > 0 && b > 0 && fmax(a, b) / fmin(a, b) > c->tol
				   : !isnan(d) && d > c->tol;

		flagged |= bad;
		json_array_append_new(
		    fields, json_pack("{s:s, s:o, s:o, s:o, s:s, s:b}", "field", c->key, "start",
				      report_jnum_json(a), "end", report_jnum_json(b), "rel_diff",
				      report_jnum_json(d), "tolerance", c->tol_text, "flagged", bad));
	}
	json_object_set_new(o, "start_present", json_boolean(s != NULL));
	json_object_set_new(o, "end_present", json_boolean(e != NULL));
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "flagged", json_boolean(flagged));
	return o;
}

/* ---- the run as read ---------------------------------------------- */

int report_read(struct report *r, const char *dir)
{
	char *path = NULL;
	int rc;

	r->calib = json_array();
	rc = -ENOMEM;
	if (!(path = report_path(dir, "raw/points.jsonl")))
		goto out;
	rc = read_lines(path, point_line, r, &r->partial);
	if (rc) {
		if (rc == -ENOENT)
			fprintf(stderr,
				"lvperf report: %s: no such file; is %s a run directory (lvperf "
				"run)?\n",
				path, dir);
		else if (rc != -EINVAL)
			fprintf(stderr, "lvperf report: %s: %s\n", path, strerror(-rc));
		goto out;
	}
	free(path);
	if (!(path = report_path(dir, "raw/calibration.jsonl")))
		goto out;
	{
		unsigned long cpartial = 0;

		rc = read_lines(path, calib_line, r, &cpartial);
		if (rc && rc != -ENOENT) {
			if (rc != -EINVAL)
				fprintf(stderr, "lvperf report: %s: %s\n", path, strerror(-rc));
			goto out;
		}
	}
	free(path);
	if (!(path = report_path(dir, "run.json")))
		goto out;
	r->run = json_load_file(path, 0, NULL);
	free(path);
	path = NULL;
	rc = report_index(r);
out:
	free(path);
	return rc;
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->np; i++)
		json_decref(r->p[i].obj);
	free(r->p);
	free(r->target);
	free(r->metric);
	free(r->extra);
	free(r->rdir);
	json_decref(r->calib);
	json_decref(r->run);
	json_decref(r->calib_json);
}
