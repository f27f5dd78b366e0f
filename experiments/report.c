/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report: from DIR/raw (helpers/RAWFORMAT.md) to DIR/report. Every
 * output is a pure function of the raw files: rows are sorted by plan
 * point id, groups by metric, sweep point and target (targets in plan
 * order, the order of their lowest point id), numbers printed with fixed
 * formats, no clock read anywhere.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "file.h"
#include "report.h"
#include "report_int.h"
#include "stats.h"

/* The study's metric order; any other metric follows, alphabetically. */
static const char *const metric_order[] = {"startup", "size", "rtt", "memory", "http", "kv"};
static const char *const param_name[] = {"connections", "pipeline", "op", "under"};

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
	if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)))
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
		bad = "'target', 'metric', 'platform', 'workload', 'params': a control character in a name";
	if (bad) {
		fprintf(stderr, "lvperf report: %s:%zu: field %s (see RAWFORMAT)\n", path, line,
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

			for (i = 0; i < P_NONE && strcmp(k, param_name[i]); i++)
				;
			if (i == P_NONE && !r->warned_param) {
				fprintf(stderr, "lvperf report: %s:%zu: warning: params.%s is not a sweep parameter of RAWFORMAT (connections, pipeline, op, under); points differing only in it are pooled\n",
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

static int same_cell(const struct rp *a, const struct rp *b)
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
					      param_name[k], k == P_CONN ? p->conn : p->pipe);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "",
					      param_name[k], k == P_OP ? p->op : p->under);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static json_t *sweep_json(const struct rp *p, int mask)
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

/* Descriptive summary of x[0..n) (n >= 1); x is sorted in place. */
struct summ {
	size_t n;
	double mean, sd, lo, hi, min, med, max;
};

static void summarize(double *x, size_t n, double level, struct summ *s)
{
	s->n = n;
	s->mean = s->sd = s->lo = s->hi = s->min = s->med = s->max = NAN;
	if (n == 0)
		return;
	s->mean = gsl_stats_mean(x, 1, n);
	if (n >= 2) {
		s->sd = gsl_stats_sd_m(x, 1, n, s->mean);
		stats_mean_ci(x, n, level, &s->lo, &s->hi);
	}
	gsl_sort(x, 1, n);
	s->min = x[0];
	s->max = x[n - 1];
	s->med = gsl_stats_median_from_sorted_data(x, 1, n);
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

/* ---- output helpers ---------------------------------------------------- */

FILE *report_open(struct report *r, const char *name, char **path)
{
	FILE *f;

	*path = report_path(r->rdir, name);
	if (!*path)
		return NULL;
	f = fopen(*path, "w");
	if (!f)
		fprintf(stderr, "lvperf report: %s: %s\n", *path, strerror(errno));
	return f;
}

int report_close(FILE *f, char *path)
{
	int bad = ferror(f);

	if (fclose(f) || bad) {
		fprintf(stderr, "lvperf report: %s: write error (disk full?)\n", path);
		free(path);
		return -EIO;
	}
	free(path);
	return 0;
}

static int json_write(struct report *r, const char *name, json_t *o)
{
	char *path;
	FILE *f = report_open(r, name, &path);

	if (!f) {
		free(path);
		return -EIO;
	}
	json_dumpf(o, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	return report_close(f, path);
}

static void csv_str(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Raw figures keep 15 significant digits (what a JSON double parsed from
 * 15 digits prints back as); derived ones 10. Empty for NaN. */
static void csv_num(FILE *f, double v, int digits)
{
	if (!isnan(v))
		fprintf(f, "%.*g", digits, v);
}

static void csv_long(FILE *f, long v)
{
	if (v >= 0)
		fprintf(f, "%ld", v);
}

/* ---- results.csv ---------------------------------------------------------- */

static void flags_join(const struct rp *p, FILE *f)
{
	size_t i;
	json_t *v;

	json_array_foreach(p->flags, i, v) if (json_is_string(v))
	    fprintf(f, "%s%s", i ? ";" : "", json_string_value(v));
}

static int write_results(struct report *r)
{
	char *path;
	FILE *f = report_open(r, "results.csv", &path);
	size_t i, x;

	if (!f) {
		free(path);
		return -EIO;
	}
	fputs("point,target,platform,workload,net,accel,metric,connections,pipeline,op,under,rep,"
	      "value,unit,clock,floor_ns,flags",
	      f);
	for (x = 0; x < r->nx; x++) {
		fputc(',', f);
		csv_str(f, r->extra[x]);
	}
	fputc('\n', f);
	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];
		char flags[512] = "";

		if (p->st != ST_OK)
			continue;
		if (p->flags) {
			FILE *m = fmemopen(flags, sizeof(flags) - 1, "w");

			if (m) {
				flags_join(p, m);
				fclose(m);
			}
		}
		fprintf(f, "%ld,", p->point);
		csv_str(f, p->target);
		fputc(',', f);
		csv_str(f, p->platform);
		fputc(',', f);
		csv_str(f, p->workload);
		fputc(',', f);
		csv_str(f, p->net);
		fputc(',', f);
		csv_str(f, p->accel);
		fputc(',', f);
		csv_str(f, p->metric);
		fputc(',', f);
		csv_long(f, p->conn);
		fputc(',', f);
		csv_long(f, p->pipe);
		fputc(',', f);
		csv_str(f, p->op);
		fputc(',', f);
		csv_str(f, p->under);
		fprintf(f, ",%ld,", p->rep);
		csv_num(f, p->value, 15);
		fputc(',', f);
		csv_str(f, p->unit);
		fputc(',', f);
		csv_str(f, p->clock);
		fputc(',', f);
		csv_num(f, p->floor_ns, 15);
		fputc(',', f);
		csv_str(f, flags);
		for (x = 0; x < r->nx; x++) {
			fputc(',', f);
			csv_num(f, report_jnum(p->extra, r->extra[x]), 15);
		}
		fputc('\n', f);
	}
	return report_close(f, path);
}

/* ---- summary.csv / summary.json ------------------------------------------- */

static double *cell_values(struct rp **v, size_t n, size_t *m)
{
	double *x = malloc((n ? n : 1) * sizeof(*x));
	size_t i;

	for (i = 0; x && i < n; i++)
		x[i] = v[i]->value;
	*m = n;
	return x;
}

/* Distinct strings of the points, in point order, joined by "; " into
 * buf; "" when none has one. */
static void cell_join(struct rp **v, size_t n, const char *(*get)(const struct rp *), char *buf, size_t len)
{
	size_t i, j, o = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		const char *s = get(v[i]);

		if (!s)
			continue;
		for (j = 0; j < i && report_cmp_nstr(get(v[j]), s); j++)
			;
		if (j < i || o >= len)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "; " : "", s);
	}
}

static const char *rp_clock(const struct rp *p)
{
	return p->clock;
}

static const char *rp_floor_source(const struct rp *p)
{
	return isnan(p->floor_ns) ? NULL : p->floor_source ? p->floor_source : "(source not recorded)";
}

json_t *report_stamp_error(const struct rp *p, const char **reason)
{
	json_t *res = json_object_get(p->obj, "result"), *e;

	e = json_object_get(res, "stamp_error_ns");
	*reason = report_jstr(res, "stamp_error_reason");
	if (!e) {
		res = json_object_get(res, "startup");
		e = json_object_get(res, "stamp_error_ns");
		*reason = report_jstr(res, "stamp_error_reason");
	}
	return json_is_object(e) ? e : NULL;
}

/*
 * What the values of one cell were measured with: the clock, the floor
 * subtracted (sources, median of the points' floor_ns) and, for startup,
 * the stamp error pooled over the points' summaries: N = sum n_i, mean =
 * sum n_i m_i / N, SD^2 = sum [(n_i - 1) s_i^2 + n_i (m_i - mean)^2] /
 * (N - 1), the exact SD of all the events together.
 */
static void cell_meta(struct rp **v, size_t n, json_t *row)
{
	char buf[256];
	double *fl = malloc((n ? n : 1) * sizeof(*fl)), sn = 0, sm = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
	size_t i, nf = 0;
	const char *reason = NULL;

	cell_join(v, n, rp_clock, buf, sizeof(buf));
	json_object_set_new(row, "clock", buf[0] ? json_string(buf) : json_null());
	for (i = 0; fl && i < n; i++)
		if (!isnan(v[i]->floor_ns))
			fl[nf++] = v[i]->floor_ns;
	if (nf) {
		cell_join(v, n, rp_floor_source, buf, sizeof(buf));
		gsl_sort(fl, 1, nf);
		json_object_set_new(row, "floor",
				    json_pack("{s:s, s:o, s:I}", "source", buf, "ns",
					      report_jnum_json(gsl_stats_median_from_sorted_data(fl, 1, nf)),
					      "points", (json_int_t)nf));
	} else {
		json_object_set_new(row, "floor", json_null());
	}
	free(fl);
	if (strcmp(v[0]->metric, "startup"))
		return;
	/* Two passes: the pooled mean, then the sum of squares about it. */
	for (i = 0; i < n; i++) {
		const char *why;
		json_t *e = report_stamp_error(v[i], &why);
		double ni = report_jnum(e, "n"), mi = report_jnum(e, "mean");

		if (!e && why && !reason)
			reason = why;
		if (!(ni > 0) || isnan(mi))
			continue;
		sn += ni;
		sm += ni * mi;
		lo = fmin(lo, report_jnum(e, "min"));
		hi = fmax(hi, report_jnum(e, "max"));
	}
	if (sn > 0) {
		double mean = sm / sn;

		for (i = 0; i < n; i++) {
			const char *why;
			json_t *e = report_stamp_error(v[i], &why);
			double ni = report_jnum(e, "n"), mi = report_jnum(e, "mean"), si = report_jnum(e, "sd");

			if (!(ni > 0) || isnan(mi))
				continue;
			ss += (ni - 1) * (ni > 1 && !isnan(si) ? si * si : 0) + ni * (mi - mean) * (mi - mean);
		}
		json_object_set_new(row, "stamp_error_ns",
				    json_pack("{s:I, s:o, s:o, s:o, s:o}", "n", (json_int_t)sn, "mean",
					      report_jnum_json(mean), "sd",
					      report_jnum_json(sn > 1 ? sqrt(ss / (sn - 1)) : NAN), "min",
					      report_jnum_json(isinf(lo) ? NAN : lo), "max",
					      report_jnum_json(isinf(hi) ? NAN : hi)));
	} else {
		json_object_set_new(row, "stamp_error_ns", json_null());
		json_object_set_new(row, "stamp_error_reason",
				    json_string(reason ? reason : "not in the points' results (lvperf before issue 12)"));
	}
}

static int write_summary(struct report *r, json_t **rows_out)
{
	char *path;
	FILE *f;
	size_t n, i, j;
	struct rp **v = report_sorted_ok(r, P_NONE, &n);
	json_t *rows = json_array();
	double level = 1 - r->o->alpha;

	if (!v)
		return -ENOMEM;
	f = report_open(r, "summary.csv", &path);
	if (!f) {
		free(path);
		free(v);
		return -EIO;
	}
	fprintf(f,
		"metric,target,connections,pipeline,op,under,unit,n,mean,sd,ci%g_lo,ci%g_hi,min,"
		"median,max,clock,floor_source,floor_ns,stamp_error_n,stamp_error_mean_ns,"
		"stamp_error_sd_ns\n",
		level * 100, level * 100);
	for (i = 0; i < n; i = j) {
		struct summ s;
		double *x;
		size_t m;
		json_t *o;

		for (j = i + 1; j < n && same_cell(v[i], v[j]); j++)
			;
		x = cell_values(v + i, j - i, &m);
		if (!x) {
			fclose(f);
			free(path);
			free(v);
			return -ENOMEM;
		}
		summarize(x, m, level, &s);
		free(x);
		csv_str(f, v[i]->metric);
		fputc(',', f);
		csv_str(f, v[i]->target);
		fputc(',', f);
		csv_long(f, v[i]->conn);
		fputc(',', f);
		csv_long(f, v[i]->pipe);
		fputc(',', f);
		csv_str(f, v[i]->op);
		fputc(',', f);
		csv_str(f, v[i]->under);
		fputc(',', f);
		csv_str(f, v[i]->unit);
		fprintf(f, ",%zu,", s.n);
		csv_num(f, s.mean, 10);
		fputc(',', f);
		csv_num(f, s.sd, 10);
		fputc(',', f);
		csv_num(f, s.lo, 10);
		fputc(',', f);
		csv_num(f, s.hi, 10);
		fputc(',', f);
		csv_num(f, s.min, 10);
		fputc(',', f);
		csv_num(f, s.med, 10);
		fputc(',', f);
		csv_num(f, s.max, 10);
		o = json_object();
		json_object_set_new(o, "metric", json_string(v[i]->metric));
		json_object_set_new(o, "target", json_string(v[i]->target));
		json_object_set_new(o, "sweep", sweep_json(v[i], P_NONE));
		json_object_set_new(o, "unit", v[i]->unit ? json_string(v[i]->unit) : json_null());
		json_object_set_new(o, "n", json_integer((json_int_t)s.n));
		json_object_set_new(o, "mean", report_jnum_json(s.mean));
		json_object_set_new(o, "sd", report_jnum_json(s.sd));
		json_object_set_new(o, "ci_lo", report_jnum_json(s.lo));
		json_object_set_new(o, "ci_hi", report_jnum_json(s.hi));
		json_object_set_new(o, "min", report_jnum_json(s.min));
		json_object_set_new(o, "median", report_jnum_json(s.med));
		json_object_set_new(o, "max", report_jnum_json(s.max));
		cell_meta(v + i, j - i, o);
		{
			json_t *fl = json_object_get(o, "floor"), *se = json_object_get(o, "stamp_error_ns");

			fputc(',', f);
			csv_str(f, report_jstr(o, "clock"));
			fputc(',', f);
			csv_str(f, report_jstr(fl, "source"));
			fputc(',', f);
			csv_num(f, report_jnum(fl, "ns"), 15);
			fputc(',', f);
			csv_num(f, report_jnum(se, "n"), 15);
			fputc(',', f);
			csv_num(f, report_jnum(se, "mean"), 10);
			fputc(',', f);
			csv_num(f, report_jnum(se, "sd"), 10);
			fputc('\n', f);
		}
		json_array_append_new(rows, o);
	}
	free(v);
	*rows_out = rows;
	return report_close(f, path);
}

/* ---- stats.json ------------------------------------------------------------ */

static json_t *anova_row_json(const char *source, const struct stats_anova_row *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "df", report_jnum_json(a->df));
	json_object_set_new(o, "ss", report_jnum_json(a->ss));
	json_object_set_new(o, "ms", report_jnum_json(a->ms));
	json_object_set_new(o, "f", report_jnum_json(a->f));
	json_object_set_new(o, "p", report_jnum_json(a->p));
	return o;
}

#define STUDY_LABEL "study: equal variances assumed"

static json_t *ftest_json(const struct stats_ftest *t, const char *center)
{
	json_t *o = json_object();

	if (center)
		json_object_set_new(o, "center", json_string(center));
	json_object_set_new(o, "f", report_jnum_json(t->f));
	json_object_set_new(o, "df1", report_jnum_json(t->df1));
	json_object_set_new(o, "df2", report_jnum_json(t->df2));
	json_object_set_new(o, "p", report_jnum_json(t->p));
	return o;
}

/* Levene (mean) or Brown-Forsythe (median) into o[key], or null and
 * o[key_why]; returns p (NaN when not computed) and its reason in *why. */
static double equal_var_json(json_t *o, const char *key, const double *x, const size_t *g, size_t n,
			     size_t k, enum stats_center c, const char **why)
{
	struct stats_ftest t;
	char wkey[48];

	*why = NULL;
	if (stats_levene(x, g, n, k, c, &t, why) == 0) {
		json_object_set_new(o, key, ftest_json(&t, c == STATS_CENTER_MEAN ? "mean" : "median"));
		return t.p;
	}
	if (!*why)
		*why = "out of memory";
	snprintf(wkey, sizeof(wkey), "%s_why", key);
	json_object_set_new(o, key, json_null());
	json_object_set_new(o, wkey, json_string(*why));
	return NAN;
}

/*
 * The tests that do not assume equal variances, and which test the
 * verdict follows: Welch's ANOVA and Games-Howell when Brown-Forsythe
 * rejects equal variances at alpha, else the study's ANOVA and Tukey HSD
 * (also when Brown-Forsythe cannot be computed: then nothing else can).
 */
static void unequal_json(struct report *r, json_t *o, const double *x, const size_t *g, size_t n,
			 size_t k, const size_t *ti)
{
	struct stats_ftest w;
	struct stats_gh_pair *pairs = calloc(k * (k - 1) / 2, sizeof(*pairs));
	const char *why = NULL, *bf_why;
	double bf_p, alpha = r->o->alpha;
	char verdict_why[256];
	int rc;
	size_t i;

	equal_var_json(o, "levene", x, g, n, k, STATS_CENTER_MEAN, &why);
	bf_p = equal_var_json(o, "brown_forsythe", x, g, n, k, STATS_CENTER_MEDIAN, &bf_why);
	if (stats_welch_anova(x, g, n, k, &w, &why) == 0) {
		json_t *wj = ftest_json(&w, NULL);

		json_object_set_new(wj, "label", json_string("Welch's ANOVA: unequal variances allowed"));
		json_object_set_new(o, "welch_anova", wj);
	} else {
		json_object_set_new(o, "welch_anova", json_null());
		json_object_set_new(o, "welch_anova_why", json_string(why ? why : "out of memory"));
	}
	rc = pairs ? stats_games_howell(x, g, n, k, alpha, pairs, k * (k - 1) / 2, &why) : -ENOMEM;
	if (rc >= 0) {
		json_t *gh = json_array();

		for (i = 0; i < (size_t)rc; i++) {
			json_t *t = json_object();

			json_object_set_new(t, "a", json_string(r->target[ti[pairs[i].i]]));
			json_object_set_new(t, "b", json_string(r->target[ti[pairs[i].j]]));
			json_object_set_new(t, "diff", report_jnum_json(pairs[i].diff));
			json_object_set_new(t, "ci_lo", report_jnum_json(pairs[i].lo));
			json_object_set_new(t, "ci_hi", report_jnum_json(pairs[i].hi));
			json_object_set_new(t, "se", report_jnum_json(pairs[i].se));
			json_object_set_new(t, "df", report_jnum_json(pairs[i].df));
			json_object_set_new(t, "q", report_jnum_json(pairs[i].q));
			json_object_set_new(t, "p_adj", report_jnum_json(pairs[i].p));
			json_object_set_new(t, "significant", json_boolean(pairs[i].p < alpha));
			json_array_append_new(gh, t);
		}
		json_object_set_new(o, "games_howell", gh);
	} else {
		json_object_set_new(o, "games_howell", json_null());
		json_object_set_new(o, "games_howell_why",
				    json_string(why		  ? why
						: rc == -ERANGE ? "studentized range quantile did not converge"
								: strerror(-rc)));
	}
	free(pairs);
	if (bf_p < alpha) {
		snprintf(verdict_why, sizeof(verdict_why),
			 "Brown-Forsythe p = %.3g < %g: the variances differ, so Welch's ANOVA and "
			 "Games-Howell",
			 bf_p, alpha);
		json_object_set_new(o, "verdict", json_string("welch_anova+games_howell"));
	} else {
		if (bf_p >= alpha)
			snprintf(verdict_why, sizeof(verdict_why),
				 "Brown-Forsythe p = %.3g >= %g: no evidence that the variances differ, "
				 "so the study's ANOVA and Tukey HSD",
				 bf_p, alpha);
		else
			snprintf(verdict_why, sizeof(verdict_why),
				 "equal variances cannot be tested (%s), so the study's ANOVA and Tukey HSD",
				 bf_why ? bf_why : "Brown-Forsythe is not defined: every group is constant");
		json_object_set_new(o, "verdict", json_string("anova+tukey"));
	}
	json_object_set_new(o, "verdict_why", json_string(verdict_why));
}

/* One-way ANOVA and Tukey HSD across the targets of one sweep point (the
 * study's, equal variances assumed), the test of that assumption and the
 * tests without it; "verdict" names the pair the conclusions follow. */
static json_t *oneway_json(struct report *r, struct rp **v, size_t n)
{
	json_t *o = json_object(), *targets = json_array();
	double *x = malloc(n * sizeof(*x));
	size_t *g = malloc(n * sizeof(*g)), *ti = malloc(n * sizeof(*ti)), i, k = 0;
	const char *why = NULL;
	char why_buf[128];

	json_object_set_new(o, "metric", json_string(v[0]->metric));
	json_object_set_new(o, "sweep", sweep_json(v[0], P_NONE));
	json_object_set_new(o, "unit", v[0]->unit ? json_string(v[0]->unit) : json_null());
	json_object_set_new(o, "n", json_integer((json_int_t)n));
	if (!x || !g || !ti) {
		free(x), free(g), free(ti);
		json_decref(targets);
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i]->ti != v[i - 1]->ti) {
			ti[k++] = v[i]->ti;
			json_array_append_new(targets, json_string(v[i]->target));
		}
		x[i] = v[i]->value;
		g[i] = k - 1;
	}
	json_object_set_new(o, "targets", targets);
	if (k < 2) {
		why = "only one target has data at this point";
	} else {
		struct stats_anova1 a;
		struct stats_tukey_pair *pairs = calloc(k * (k - 1) / 2, sizeof(*pairs));
		int rc;

		if (!pairs)
			goto nomem;
		rc = stats_anova1(x, g, n, k, &a, &why);
		if (rc == 0) {
			json_t *an = json_object(), *tk = json_array();

			json_object_set_new(an, "label", json_string(STUDY_LABEL));
			json_object_set_new(an, "f", report_jnum_json(a.between.f));
			json_object_set_new(an, "df_between", report_jnum_json(a.between.df));
			json_object_set_new(an, "df_within", report_jnum_json(a.within.df));
			json_object_set_new(an, "p", report_jnum_json(a.between.p));
			json_object_set_new(an, "ss_between", report_jnum_json(a.between.ss));
			json_object_set_new(an, "ss_within", report_jnum_json(a.within.ss));
			json_object_set_new(o, "anova", an);
			rc = stats_tukey(x, g, n, k, r->o->alpha, pairs, k * (k - 1) / 2, &why);
			for (i = 0; rc > 0 && i < (size_t)rc; i++) {
				json_t *t = json_object();

				json_object_set_new(t, "a", json_string(r->target[ti[pairs[i].i]]));
				json_object_set_new(t, "b", json_string(r->target[ti[pairs[i].j]]));
				json_object_set_new(t, "diff", report_jnum_json(pairs[i].diff));
				json_object_set_new(t, "ci_lo", report_jnum_json(pairs[i].lo));
				json_object_set_new(t, "ci_hi", report_jnum_json(pairs[i].hi));
				json_object_set_new(t, "q", report_jnum_json(pairs[i].q));
				json_object_set_new(t, "p_adj", report_jnum_json(pairs[i].p));
				json_object_set_new(t, "significant",
						    json_boolean(pairs[i].p < r->o->alpha));
				json_array_append_new(tk, t);
			}
			if (rc < 0) {
				snprintf(why_buf, sizeof(why_buf), "Tukey HSD: %s",
					 why ? why
					 : rc == -ERANGE
					     ? "studentized range quantile did not converge"
					     : strerror(-rc));
				json_object_set_new(o, "tukey_why", json_string(why_buf));
			}
			json_object_set_new(o, "tukey", tk);
			json_object_set_new(o, "tukey_label", json_string(STUDY_LABEL));
			unequal_json(r, o, x, g, n, k, ti);
			why = NULL;
		} else if (!why) {
			why = strerror(-rc);
		}
		free(pairs);
	}
	if (why) {
		json_object_set_new(o, "anova", json_null());
		json_object_set_new(o, "why", json_string(why));
		json_object_set_new(o, "verdict", json_null());
	}
	free(x), free(g), free(ti);
	return o;
nomem:
	free(x), free(g), free(ti);
	json_decref(o);
	return NULL;
}

/*
 * Two-way ANOVA target x param f for the points v[0..n) (one metric, the
 * other parameters fixed), sorted by target then f.
 */
static json_t *twoway_json(struct report *r, struct rp **v, size_t n, int f)
{
	json_t *o = json_object(), *lt = json_array(), *lf = json_array();
	double *x = malloc(n * sizeof(*x));
	size_t *fa = malloc(n * sizeof(*fa)), *fb = malloc(n * sizeof(*fb)), i, j, a = 0, b = 0;
	struct rp **lv = malloc(n * sizeof(*lv)); /* one point per level of f, in order */
	struct stats_anova2 res;
	const char *why = NULL;
	char inter[64];
	double bf_p;

	json_object_set_new(o, "metric", json_string(v[0]->metric));
	json_object_set_new(o, "factors", json_pack("[s, s]", "target", param_name[f]));
	json_object_set_new(o, "fixed", sweep_json(v[0], f));
	json_object_set_new(o, "unit", v[0]->unit ? json_string(v[0]->unit) : json_null());
	if (!x || !fa || !fb || !lv) {
		free(x), free(fa), free(fb), free(lv);
		json_decref(o), json_decref(lt), json_decref(lf);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i]->ti != v[i - 1]->ti) {
			a++;
			json_array_append_new(lt, json_string(v[i]->target));
		}
		for (j = 0; j < b && report_param_cmp(lv[j], v[i], f); j++)
			;
		if (j == b)
			lv[b++] = v[i];
		x[i] = v[i]->value;
		fa[i] = a - 1;
		fb[i] = j;
	}
	/* Levels of f in sorted order: renumber. */
	for (i = 0; i < n; i++) {
		size_t rank = 0;

		for (j = 0; j < b; j++)
			rank += report_param_cmp(lv[j], lv[fb[i]], f) < 0;
		fb[i] = rank;
	}
	for (i = 0; i < b; i++) {
		const struct rp *least = NULL;

		for (j = 0; j < b; j++) {
			size_t rank = 0, m;

			for (m = 0; m < b; m++)
				rank += report_param_cmp(lv[m], lv[j], f) < 0;
			if (rank == i)
				least = lv[j];
		}
		if (f == P_CONN || f == P_PIPE)
			json_array_append_new(
			    lf, json_integer(f == P_CONN ? least->conn : least->pipe));
		else
			json_array_append_new(lf,
					      json_string(f == P_OP ? least->op : least->under));
	}
	json_object_set_new(o, "levels", json_pack("{s:o, s:o}", "target", lt, param_name[f], lf));
	json_object_set_new(o, "n", json_integer((json_int_t)n));
	if (stats_anova2(x, fa, fb, n, a, b, &res, &why) == 0) {
		json_t *rows = json_array();

		snprintf(inter, sizeof(inter), "target:%s", param_name[f]);
		json_object_set_new(o, "reps", json_integer((json_int_t)res.reps));
		json_array_append_new(rows, anova_row_json("target", &res.fa));
		json_array_append_new(rows, anova_row_json(param_name[f], &res.fb));
		json_array_append_new(rows, anova_row_json(inter, &res.fab));
		json_array_append_new(rows, anova_row_json("residual", &res.resid));
		json_object_set_new(o, "anova", rows);
		json_object_set_new(o, "anova_label", json_string(STUDY_LABEL));
		/* Its assumption, across the a x b cells; there is no Welch form
		 * of the two-way test here: a rejection is said, not corrected. */
		for (i = 0; i < n; i++)
			fa[i] = fa[i] * b + fb[i];
		bf_p = equal_var_json(o, "brown_forsythe", x, fa, n, a * b, STATS_CENTER_MEDIAN, &why);
		if (bf_p < r->o->alpha) {
			char warn[200];

			snprintf(warn, sizeof(warn),
				 "the cells' variances differ (Brown-Forsythe p = %.3g < %g): these F "
				 "tests assume they do not; read the one-way Welch and Games-Howell results",
				 bf_p, r->o->alpha);
			json_object_set_new(o, "warning", json_string(warn));
		}
	} else {
		json_object_set_new(o, "anova", json_null());
		json_object_set_new(o, "why", json_string(why ? why : "out of memory"));
	}
	free(x), free(fa), free(fb), free(lv);
	return o;
}

static int write_stats(struct report *r, json_t **one_out, json_t **two_out)
{
	json_t *one = json_array(), *two = json_array(), *o;
	size_t n, i, j, mi;
	struct rp **v = report_sorted_ok(r, P_NONE, &n);
	int f, rc;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && report_same_sweep(v[i], v[j], P_NONE); j++)
			;
		if (!(o = oneway_json(r, v + i, j - i)))
			goto nomem;
		json_array_append_new(one, o);
	}
	free(v);
	/* Two-way: a second factor is any parameter with >= 2 levels in a metric. */
	for (mi = 0; mi < r->nm; mi++) {
		for (f = 0; f < P_NONE; f++) {
			struct rp *first = NULL;
			int levels = 0;

			for (i = 0; i < r->np && levels < 2; i++) {
				struct rp *p = &r->p[i];

				if (p->st != ST_OK || p->mi != mi)
					continue;
				if (!first)
					first = p, levels = 1;
				else if (report_param_cmp(first, p, f))
					levels = 2;
			}
			if (levels < 2)
				continue;
			v = report_sorted_ok(r, f, &n);
			if (!v)
				goto nomem2;
			for (i = 0; i < n; i = j) {
				size_t t, nt = 1;

				for (j = i + 1; j < n && report_same_sweep(v[i], v[j], f); j++)
					;
				if (v[i]->mi != mi)
					continue;
				for (t = i + 1; t < j; t++)
					nt += v[t]->ti != v[t - 1]->ti;
				if (nt < 2)
					continue;
				if (!(o = twoway_json(r, v + i, j - i, f)))
					goto nomem;
				json_array_append_new(two, o);
			}
			free(v);
		}
	}
	o = json_object();
	json_object_set_new(o, "alpha", json_real(r->o->alpha));
	json_object_set_new(o, "oneway", json_incref(one));
	json_object_set_new(o, "twoway", json_incref(two));
	rc = json_write(r, "stats.json", o);
	json_decref(o);
	*one_out = one;
	*two_out = two;
	return rc;
nomem:
	free(v);
nomem2:
	json_decref(one);
	json_decref(two);
	return -ENOMEM;
}

/* ---- calibration ------------------------------------------------------ */

/* Start and end disagree beyond these: flag (the limits lvperf run flags
 * a run with, experiments/runner.c calib_compare). */
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

static json_t *calib_compare(struct report *r)
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

/* ---- the whole report -------------------------------------------------- */

int report_build(const char *dir, const struct report_opts *o, struct report_result *res)
{
	struct report r;
	json_t *rows = NULL, *one = NULL, *two = NULL, *sum;
	char *path = NULL;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.dir = dir;
	r.o = o;
	r.calib = json_array();
	rc = -ENOMEM;
	if (!(path = report_path(dir, "raw/points.jsonl")))
		goto out;
	rc = read_lines(path, point_line, &r, &r.partial);
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

		rc = read_lines(path, calib_line, &r, &cpartial);
		if (rc && rc != -ENOENT) {
			if (rc != -EINVAL)
				fprintf(stderr, "lvperf report: %s: %s\n", path, strerror(-rc));
			goto out;
		}
	}
	free(path);
	if (!(path = report_path(dir, "run.json")))
		goto out;
	r.run = json_load_file(path, 0, NULL);
	free(path);
	path = NULL;
	if ((rc = report_index(&r)))
		goto out;
	rc = -ENOMEM;
	if (!(r.rdir = report_path(dir, "report")))
		goto out;
	if (mkdir(r.rdir, 0755) && errno != EEXIST) {
		rc = -errno;
		fprintf(stderr, "lvperf report: %s: %s\n", r.rdir, strerror(errno));
		goto out;
	}
	r.calib_json = calib_compare(&r);
	if ((rc = write_results(&r)) || (rc = write_summary(&r, &rows)) ||
	    (rc = write_stats(&r, &one, &two)))
		goto out;
	sum = json_object();
	json_object_set_new(sum, "level", json_real(1 - o->alpha));
	json_object_set_new(sum, "points",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "ok", (json_int_t)r.n_ok,
				      "failed", (json_int_t)r.n_failed, "skipped",
				      (json_int_t)r.n_skipped, "flagged", (json_int_t)r.n_flagged,
				      "partial_lines_ignored", (json_int_t)r.partial));
	json_object_set_new(sum, "calibration", json_incref(r.calib_json));
	json_object_set_new(sum, "rows", json_incref(rows));
	rc = json_write(&r, "summary.json", sum);
	json_decref(sum);
	if (rc || (rc = report_figures(&r)))
		goto out;
	res->plotted = 1;
	for (i = 0; i < r.nfig; i++) {
		if (r.fig[i].omitted[0]) {
			res->omitted++;
			continue;
		}
		res->figures++;
		if (!res->plotted)
			continue;
		rc = report_gnuplot(&r, &r.fig[i]);
		if (rc == -ENOENT) {
			res->plotted = 0;
			snprintf(r.plot_note, sizeof(r.plot_note),
				 "Figures not rendered: '%s' was not found (install gnuplot-nox, "
				 "then rerun lvperf report "
				 "or run gnuplot on the .gp files).",
				 o->gnuplot);
			fprintf(stderr,
				"lvperf report: %s: not found; writing the report without images "
				"(install gnuplot-nox)\n",
				o->gnuplot);
		} else if (rc) {
			goto out;
		}
	}
	rc = report_html(&r, rows, one, two, r.calib_json);
	res->ok = r.n_ok;
	res->failed = r.n_failed;
	res->skipped = r.n_skipped;
	res->flagged = r.n_flagged;
	res->partial = r.partial;
out:
	free(path);
	for (i = 0; i < r.np; i++)
		json_decref(r.p[i].obj);
	free(r.p);
	free(r.target);
	free(r.metric);
	free(r.extra);
	free(r.rdir);
	json_decref(r.calib);
	json_decref(r.run);
	json_decref(r.calib_json);
	json_decref(rows);
	json_decref(one);
	json_decref(two);
	return rc;
}
