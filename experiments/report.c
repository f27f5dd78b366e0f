/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report: from DIR/raw (helpers/RAWFORMAT.md) to DIR/report. Every
 * output is a pure function of the raw files: rows are sorted by plan
 * point id, groups by metric, sweep point and target (targets in plan
 * order, the order of their lowest point id), numbers printed with fixed
 * formats, no clock read anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "report.h"
#include "stats.h"

extern char **environ;

enum { ST_OK, ST_FAILED, ST_SKIPPED };

/* The sweep parameters a point may carry, in sort order. */
enum { P_CONN, P_PIPE, P_OP, P_UNDER, P_NONE };
static const char *const param_name[] = { "connections", "pipeline", "op", "under" };

/* One line of points.jsonl; strings are borrowed from obj. */
struct rp {
	json_t *obj, *extra, *flags;
	long point, order, rep, conn, pipe; /* conn, pipe: -1 when absent */
	const char *target, *platform, *workload, *net, *accel, *metric, *op, *under, *unit, *clock,
		*floor_source, *reason;
	double value, floor_ns; /* NaN when null */
	int st;
	size_t ti, mi;
	size_t line;
};

/* Figures, in the order the HTML shows them. */
struct fig {
	char name[48];	  /* file stem: NAME.gp, NAME.dat, NAME.svg, NAME.png */
	char title[160];
	char caption[320];
	char omitted[256]; /* why it is not drawn, or "" */
};

#define MAX_FIGS 32

struct report {
	const char *dir;
	char *rdir;
	const struct report_opts *o;
	struct rp *p;
	size_t np;
	const char **target;
	size_t nt;
	const char **metric;
	size_t nm;
	const char **extra; /* keys of "extra" among ok points, sorted */
	size_t nx;
	json_t *calib, *run;
	unsigned long partial, n_ok, n_failed, n_skipped, n_flagged;
	struct fig fig[MAX_FIGS];
	size_t nfig;
	char plot_note[256];
	json_t *calib_json;
};

/* The study's metric order; any other metric follows, alphabetically. */
static const char *const metric_order[] = { "startup", "size", "rtt", "memory", "http", "kv" };

static char *path_join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

/* ---- reading -------------------------------------------------------- */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static double jnum(json_t *o, const char *k)
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

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, got;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	do {
		if (*len + 65536 + 1 > cap) {
			char *nb = realloc(*buf, cap = 2 * cap + 65536 + 1);

			if (!nb) {
				fclose(f);
				return -ENOMEM;
			}
			*buf = nb;
		}
		got = fread(*buf + *len, 1, 65536, f);
		*len += got;
	} while (got == 65536);
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	if (!*buf && !(*buf = malloc(1)))
		return -ENOMEM;
	(*buf)[*len] = 0;
	return 0;
}

/*
 * Call fn on each complete (newline-terminated), non-blank line; a last
 * line without its newline is the trace of a crash mid-write and is
 * counted in *partial, not read.
 */
static int read_lines(const char *path, int (*fn)(struct report *, const char *, size_t, size_t, const char *),
		      struct report *r, unsigned long *partial)
{
	char *buf, *s, *nl;
	size_t len, line = 0;
	int rc = read_file(path, &buf, &len);

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
		fprintf(stderr, "lvperf report: %s:%zu: not JSON (%s); only the last line may be cut short\n",
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
	p->target = jstr(o, "target");
	p->metric = jstr(o, "metric");
	status = jstr(o, "status");
	if (p->point < 0)
		bad = "'point': expected an integer >= 0";
	else if (!p->target)
		bad = "'target': expected a string";
	else if (!p->metric)
		bad = "'metric': expected a string";
	else if (!status || (strcmp(status, "ok") && strcmp(status, "failed") && strcmp(status, "skipped")))
		bad = "'status': expected \"ok\", \"failed\" or \"skipped\"";
	if (bad) {
		fprintf(stderr, "lvperf report: %s:%zu: field %s (see RAWFORMAT)\n", path, line, bad);
		json_decref(o);
		return -EINVAL;
	}
	p->st = strcmp(status, "ok") == 0 ? ST_OK : strcmp(status, "failed") == 0 ? ST_FAILED : ST_SKIPPED;
	p->order = jlong(o, "order", -1);
	p->rep = jlong(o, "rep", 0);
	p->platform = jstr(o, "platform");
	p->workload = jstr(o, "workload");
	p->net = jstr(o, "net");
	p->accel = jstr(o, "accel");
	p->unit = jstr(o, "unit");
	p->clock = jstr(o, "clock");
	p->floor_source = jstr(o, "floor_source");
	p->reason = jstr(o, "reason");
	p->value = jnum(o, "value");
	p->floor_ns = jnum(o, "floor_ns");
	params = json_object_get(o, "params");
	p->conn = jlong(params, "connections", -1);
	p->pipe = jlong(params, "pipeline", -1);
	p->op = jstr(params, "op");
	p->under = jstr(params, "under");
	v = json_object_get(o, "extra");
	p->extra = json_is_object(v) ? v : NULL;
	v = json_object_get(o, "flags");
	p->flags = json_is_array(v) && json_array_size(v) ? v : NULL;
	if (p->st == ST_OK && !isfinite(p->value)) {
		fprintf(stderr, "lvperf report: %s:%zu: status ok but 'value' is not a number\n", path, line);
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

static int cmp_str(const void *a, const void *b)
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

	qsort(r->p, r->np, sizeof(*r->p), cmp_point_id);
	for (i = 0; i < r->np; i++) {
		struct rp *p = &r->p[i];

		if (i && p->point == r->p[i - 1].point) {
			fprintf(stderr, "lvperf report: %s/raw/points.jsonl:%zu: point %ld was already recorded on line %zu\n",
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
			json_object_foreach(p->extra, k, v)
				if (intern(&r->extra, &r->nx, k) == (size_t)-1)
					return -ENOMEM;
		} else if (p->st == ST_FAILED) {
			r->n_failed++;
		} else {
			r->n_skipped++;
		}
	}
	qsort(r->metric, r->nm, sizeof(*r->metric), cmp_metric);
	qsort(r->extra, r->nx, sizeof(*r->extra), cmp_str);
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

static int cmp_nstr(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int param_cmp(const struct rp *a, const struct rp *b, int k)
{
	switch (k) {
	case P_CONN:
		return cmp_long(a->conn, b->conn);
	case P_PIPE:
		return cmp_long(a->pipe, b->pipe);
	case P_OP:
		return cmp_nstr(a->op, b->op);
	case P_UNDER:
		/* The idle baseline before any load. */
		if (a->under && b->under && (!strcmp(a->under, "idle") || !strcmp(b->under, "idle")))
			return !strcmp(b->under, "idle") - !strcmp(a->under, "idle");
		return cmp_nstr(a->under, b->under);
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
static int sweep_cmp(const struct rp *a, const struct rp *b, int mask)
{
	int k, c;

	for (k = 0; k < P_NONE; k++)
		if (k != mask && (c = param_cmp(a, b, k)))
			return c;
	return 0;
}

/* Order: metric, sweep without mask, target, mask's value, point id. */
static int cmp_group(const void *a, const void *b, void *ctx)
{
	const struct rp *x = *(const struct rp *const *)a, *y = *(const struct rp *const *)b;
	int mask = *(const int *)ctx, c;

	if ((c = cmp_long((long)x->mi, (long)y->mi)) || (c = sweep_cmp(x, y, mask)) ||
	    (c = cmp_long((long)x->ti, (long)y->ti)) || (mask != P_NONE && (c = param_cmp(x, y, mask))))
		return c;
	return cmp_long(x->point, y->point);
}

/* The ok points sorted for grouping by mask; caller frees. */
static struct rp **sorted_ok(struct report *r, int mask, size_t *n)
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
	return a->mi == b->mi && a->ti == b->ti && sweep_cmp(a, b, P_NONE) == 0;
}

static int same_sweep(const struct rp *a, const struct rp *b, int mask)
{
	return a->mi == b->mi && sweep_cmp(a, b, mask) == 0;
}

/* "connections=100 op=get" (or "-"), leaving out the parameters in the
 * bit set skip (1 << P_CONN, ...). */
static void sweep_label(const struct rp *p, unsigned skip, char *buf, size_t len)
{
	size_t o = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < P_NONE; k++) {
		if ((skip & (1u << k)) || !param_present(p, k) || o >= len)
			continue;
		if (k == P_CONN || k == P_PIPE)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%ld", o ? " " : "", param_name[k],
					      k == P_CONN ? p->conn : p->pipe);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", param_name[k],
					      k == P_OP ? p->op : p->under);
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
static json_t *jdbl(double v)
{
	if (isnan(v))
		return json_null();
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return json_real(v);
}

/* ---- output helpers ---------------------------------------------------- */

static FILE *out_open(struct report *r, const char *name, char **path)
{
	FILE *f;

	*path = path_join(r->rdir, name);
	if (!*path)
		return NULL;
	f = fopen(*path, "w");
	if (!f)
		fprintf(stderr, "lvperf report: %s: %s\n", *path, strerror(errno));
	return f;
}

static int out_close(FILE *f, char *path)
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
	FILE *f = out_open(r, name, &path);

	if (!f) {
		free(path);
		return -EIO;
	}
	json_dumpf(o, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	return out_close(f, path);
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

static void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void html_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("&ndash;", f);
	else if (isinf(v))
		fputs(v > 0 ? "&infin;" : "&minus;&infin;", f);
	else
		fprintf(f, "%.6g", v);
}

static void html_p(FILE *f, double p)
{
	if (isnan(p))
		fputs("&ndash;", f);
	else if (p < 1e-4)
		fputs("&lt; 0.0001", f);
	else
		fprintf(f, "%.4f", p);
}

/* ---- results.csv ---------------------------------------------------------- */

static void flags_join(const struct rp *p, FILE *f)
{
	size_t i;
	json_t *v;

	json_array_foreach(p->flags, i, v)
		if (json_is_string(v))
			fprintf(f, "%s%s", i ? ";" : "", json_string_value(v));
}

static int write_results(struct report *r)
{
	char *path;
	FILE *f = out_open(r, "results.csv", &path);
	size_t i, x;

	if (!f) {
		free(path);
		return -EIO;
	}
	fputs("point,target,platform,workload,net,accel,metric,connections,pipeline,op,under,rep,value,unit,clock,floor_ns,flags",
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
			csv_num(f, jnum(p->extra, r->extra[x]), 15);
		}
		fputc('\n', f);
	}
	return out_close(f, path);
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

static int write_summary(struct report *r, json_t **rows_out)
{
	char *path;
	FILE *f;
	size_t n, i, j;
	struct rp **v = sorted_ok(r, P_NONE, &n);
	json_t *rows = json_array();
	double level = 1 - r->o->alpha;

	if (!v)
		return -ENOMEM;
	f = out_open(r, "summary.csv", &path);
	if (!f) {
		free(path);
		free(v);
		return -EIO;
	}
	fprintf(f, "metric,target,connections,pipeline,op,under,unit,n,mean,sd,ci%g_lo,ci%g_hi,min,median,max\n",
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
		fputc('\n', f);
		o = json_object();
		json_object_set_new(o, "metric", json_string(v[i]->metric));
		json_object_set_new(o, "target", json_string(v[i]->target));
		json_object_set_new(o, "sweep", sweep_json(v[i], P_NONE));
		json_object_set_new(o, "unit", v[i]->unit ? json_string(v[i]->unit) : json_null());
		json_object_set_new(o, "n", json_integer((json_int_t)s.n));
		json_object_set_new(o, "mean", jdbl(s.mean));
		json_object_set_new(o, "sd", jdbl(s.sd));
		json_object_set_new(o, "ci_lo", jdbl(s.lo));
		json_object_set_new(o, "ci_hi", jdbl(s.hi));
		json_object_set_new(o, "min", jdbl(s.min));
		json_object_set_new(o, "median", jdbl(s.med));
		json_object_set_new(o, "max", jdbl(s.max));
		json_array_append_new(rows, o);
	}
	free(v);
	*rows_out = rows;
	return out_close(f, path);
}

/* ---- stats.json ------------------------------------------------------------ */

static json_t *anova_row_json(const char *source, const struct stats_anova_row *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "df", jdbl(a->df));
	json_object_set_new(o, "ss", jdbl(a->ss));
	json_object_set_new(o, "ms", jdbl(a->ms));
	json_object_set_new(o, "f", jdbl(a->f));
	json_object_set_new(o, "p", jdbl(a->p));
	return o;
}

/* One-way ANOVA and Tukey HSD across the targets of one sweep point. */
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

			json_object_set_new(an, "f", jdbl(a.between.f));
			json_object_set_new(an, "df_between", jdbl(a.between.df));
			json_object_set_new(an, "df_within", jdbl(a.within.df));
			json_object_set_new(an, "p", jdbl(a.between.p));
			json_object_set_new(an, "ss_between", jdbl(a.between.ss));
			json_object_set_new(an, "ss_within", jdbl(a.within.ss));
			json_object_set_new(o, "anova", an);
			rc = stats_tukey(x, g, n, k, r->o->alpha, pairs, k * (k - 1) / 2, &why);
			for (i = 0; rc > 0 && i < (size_t)rc; i++) {
				json_t *t = json_object();

				json_object_set_new(t, "a", json_string(r->target[ti[pairs[i].i]]));
				json_object_set_new(t, "b", json_string(r->target[ti[pairs[i].j]]));
				json_object_set_new(t, "diff", jdbl(pairs[i].diff));
				json_object_set_new(t, "ci_lo", jdbl(pairs[i].lo));
				json_object_set_new(t, "ci_hi", jdbl(pairs[i].hi));
				json_object_set_new(t, "q", jdbl(pairs[i].q));
				json_object_set_new(t, "p_adj", jdbl(pairs[i].p));
				json_object_set_new(t, "significant", json_boolean(pairs[i].p < r->o->alpha));
				json_array_append_new(tk, t);
			}
			if (rc < 0) {
				snprintf(why_buf, sizeof(why_buf), "Tukey HSD: %s",
					 why ? why : rc == -ERANGE ? "studentized range quantile did not converge" : strerror(-rc));
				json_object_set_new(o, "tukey_why", json_string(why_buf));
			}
			json_object_set_new(o, "tukey", tk);
			why = NULL;
		} else if (!why) {
			why = strerror(-rc);
		}
		free(pairs);
	}
	if (why) {
		json_object_set_new(o, "anova", json_null());
		json_object_set_new(o, "why", json_string(why));
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

	(void)r;
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
		for (j = 0; j < b && param_cmp(lv[j], v[i], f); j++)
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
			rank += param_cmp(lv[j], lv[fb[i]], f) < 0;
		fb[i] = rank;
	}
	for (i = 0; i < b; i++) {
		const struct rp *least = NULL;

		for (j = 0; j < b; j++) {
			size_t rank = 0, m;

			for (m = 0; m < b; m++)
				rank += param_cmp(lv[m], lv[j], f) < 0;
			if (rank == i)
				least = lv[j];
		}
		if (f == P_CONN || f == P_PIPE)
			json_array_append_new(lf, json_integer(f == P_CONN ? least->conn : least->pipe));
		else
			json_array_append_new(lf, json_string(f == P_OP ? least->op : least->under));
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
	struct rp **v = sorted_ok(r, P_NONE, &n);
	int f, rc;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_sweep(v[i], v[j], P_NONE); j++)
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
				else if (param_cmp(first, p, f))
					levels = 2;
			}
			if (levels < 2)
				continue;
			v = sorted_ok(r, f, &n);
			if (!v)
				goto nomem2;
			for (i = 0; i < n; i = j) {
				size_t t, nt = 1;

				for (j = i + 1; j < n && same_sweep(v[i], v[j], f); j++)
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

/* Start and end disagree by more than these relative tolerances: flag. */
static const struct {
	const char *key, *label;
	double tol;
} calib_fields[] = {
	{ "tsc_hz", "TSC rate (Hz)", 1e-4 },
	{ "ring_floor_ns", "ring floor (ns)", 0.25 },
	{ "spawn_floor_ns", "spawn floor (ns)", 0.25 },
	{ "headroom_rps", "generator headroom (req/s)", 0.10 },
};

static json_t *calib_phase(json_t *calib, const char *phase, int last)
{
	json_t *v, *found = NULL;
	size_t i;

	json_array_foreach(calib, i, v) {
		const char *ph = jstr(v, "phase");

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

	json_object_set_new(o, "clock", s && jstr(s, "clock") ? json_string(jstr(s, "clock")) : json_null());
	for (i = 0; i < sizeof(calib_fields) / sizeof(calib_fields[0]); i++) {
		double a = s ? jnum(s, calib_fields[i].key) : NAN, b = e ? jnum(e, calib_fields[i].key) : NAN;
		double d = (isnan(a) || isnan(b) || a == 0) ? NAN : fabs(b - a) / fabs(a);
		int bad = !isnan(d) && d > calib_fields[i].tol;

		flagged |= bad;
		json_array_append_new(fields, json_pack("{s:s, s:o, s:o, s:o, s:f, s:b}", "field", calib_fields[i].key,
							"start", jdbl(a), "end", jdbl(b), "rel_diff", jdbl(d), "tolerance",
							calib_fields[i].tol, "flagged", bad));
	}
	json_object_set_new(o, "start_present", json_boolean(s != NULL));
	json_object_set_new(o, "end_present", json_boolean(e != NULL));
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "flagged", json_boolean(flagged));
	return o;
}

/* ---- figures ----------------------------------------------------------- */

static struct fig *fig_new(struct report *r, const char *name, const char *title, const char *caption)
{
	struct fig *g = &r->fig[r->nfig < MAX_FIGS - 1 ? r->nfig++ : r->nfig];

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->title, sizeof(g->title), "%s", title);
	snprintf(g->caption, sizeof(g->caption), "%s", caption);
	return g;
}

/* Mark g omitted, say why, and remove what an earlier report drew for it. */
static void fig_omit(struct report *r, struct fig *g, const char *metric, const char *what)
{
	static const char *const ext[] = { "gp", "dat", "svg", "png" };
	unsigned long failed = 0, skipped = 0;
	char name[64];
	size_t i;

	for (i = 0; i < r->np; i++)
		if (strcmp(r->p[i].metric, metric) == 0) {
			failed += r->p[i].st == ST_FAILED;
			skipped += r->p[i].st == ST_SKIPPED;
		}
	snprintf(g->omitted, sizeof(g->omitted), "no ok %s points%s (%lu failed, %lu skipped)", metric, what,
		 failed, skipped);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		char *path;

		snprintf(name, sizeof(name), "%s.%s", g->name, ext[i]);
		if ((path = path_join(r->rdir, name))) {
			unlink(path);
			free(path);
		}
	}
}

/* A gnuplot string in single quotes ('' is a quote). */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* A name in a data file: double-quoted, a " becomes a '. */
static void dat_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, f);
	fputc('"', f);
}

static void dat_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" NaN", f);
}

#define GP_TERM_SVG "set terminal svg size 900,540 fixed font 'DejaVu Sans,11' noenhanced background rgb 'white'\n"
#define GP_TERM_PNG "set terminal pngcairo size 900,540 font 'DejaVu Sans,10' noenhanced background rgb 'white'\n"

static FILE *gp_open(struct report *r, struct fig *g, char **path)
{
	char name[64];
	FILE *f;

	snprintf(name, sizeof(name), "%s.gp", g->name);
	f = out_open(r, name, path);
	if (!f)
		return NULL;
	fprintf(f, "# %s, written by lvperf report; rebuild: cd DIR/report && gnuplot %s.gp\n", g->title,
		g->name);
	/* reset: whatever a ~/.gnuplot init file set, the figure is the same. */
	fprintf(f, "reset\n" GP_TERM_SVG "set output '%s.svg'\n", g->name);
	fprintf(f, "set datafile missing 'NaN'\nset title ");
	gp_str(f, g->title);
	fputs("\nset grid ytics\nset key outside right top\n", f);
	return f;
}

static int gp_close(FILE *f, char *path, struct fig *g)
{
	fprintf(f, "unset output\n" GP_TERM_PNG "set output '%s.png'\nreplot\nunset output\n", g->name);
	return out_close(f, path);
}

/* Mean and SD of the values of metric mi, target ti: the points' values
 * (key NULL) or an extra figure; only points whose sweep equals like's
 * (like NULL: all). Scaled by scale. Returns the count. */
static size_t collect(struct report *r, size_t mi, size_t ti, const struct rp *like, int mask, const char *key,
		      double scale, double *mean, double *sd)
{
	double *x = malloc((r->np ? r->np : 1) * sizeof(*x));
	size_t i, n = 0;

	*mean = *sd = NAN;
	if (!x)
		return 0;
	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];
		double v;

		if (p->st != ST_OK || p->mi != mi || p->ti != ti || (like && sweep_cmp(p, like, mask)))
			continue;
		v = key ? jnum(p->extra, key) : p->value;
		if (isfinite(v))
			x[n++] = v * scale;
	}
	if (n)
		*mean = gsl_stats_mean(x, 1, n);
	if (n > 1)
		*sd = gsl_stats_sd_m(x, 1, n, *mean);
	free(x);
	return n;
}

static long metric_index(struct report *r, const char *m)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (strcmp(r->metric[i], m) == 0)
			return (long)i;
	return -1;
}

/* Bit set of the parameters that take >= 2 values among the ok points of
 * metric mi (with op op, when not NULL): the ones worth naming in a label. */
static unsigned varying_params(struct report *r, size_t mi, const char *op)
{
	const struct rp *first = NULL;
	unsigned bits = 0;
	size_t i;
	int k;

	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];

		if (p->st != ST_OK || p->mi != mi || (op && cmp_nstr(p->op, op)))
			continue;
		if (!first)
			first = p;
		for (k = 0; k < P_NONE; k++)
			if (param_cmp(first, p, k))
				bits |= 1u << k;
	}
	return bits;
}

/*
 * Clustered bars, one group per target: the series are either the
 * distinct sweep points of the metric (keys NULL) or the extra figures
 * keys[]. Mean with error bars of +/- SD (clipped above 0 on a log scale).
 */
static int fig_bars(struct report *r, const char *name, const char *title, const char *caption,
		    const char *metric, const char *ylabel, double scale, int logy, const char *const *keys,
		    const char *const *key_titles, size_t nkeys)
{
	struct fig *g = fig_new(r, name, title, caption);
	long mi = metric_index(r, metric);
	const struct rp *series[16];
	const char *stitle[16];
	char labels[16][96];
	size_t ns = 0, i, s, t, shown = 0;
	char *path, dname[64];
	FILE *f, *gp;
	int rc;

	if (mi < 0) {
		fig_omit(r, g, metric, "");
		return 0;
	}
	if (keys) {
		ns = nkeys;
		for (s = 0; s < ns; s++)
			stitle[s] = key_titles[s];
	} else {
		/* Distinct sweep points of the metric, in sweep order. */
		size_t n;
		struct rp **v = sorted_ok(r, P_NONE, &n);

		if (!v)
			return -ENOMEM;
		for (i = 0; i < n && ns < 16; i++) {
			if ((long)v[i]->mi != mi)
				continue;
			for (s = 0; s < ns && sweep_cmp(series[s], v[i], P_NONE); s++)
				;
			if (s == ns) {
				series[ns] = v[i];
				sweep_label(v[i], ~varying_params(r, (size_t)mi, NULL), labels[ns],
					    sizeof(labels[ns]));
				stitle[ns] = strcmp(labels[ns], "-") ? labels[ns] : "mean ± SD";
				ns++;
			}
		}
		free(v);
	}
	snprintf(dname, sizeof(dname), "%s.dat", name);
	f = out_open(r, dname, &path);
	if (!f) {
		free(path);
		return -EIO;
	}
	fprintf(f, "# target");
	for (s = 0; s < ns; s++)
		fprintf(f, " | %s: mean lo hi", stitle[s]);
	fputc('\n', f);
	for (t = 0; t < r->nt; t++) {
		double mean[16], sd[16];
		size_t any = 0;

		for (s = 0; s < ns; s++)
			any += collect(r, (size_t)mi, t, keys ? NULL : series[s], P_NONE, keys ? keys[s] : NULL, scale,
				       &mean[s], &sd[s]);
		if (!any)
			continue;
		shown++;
		dat_str(f, r->target[t]);
		for (s = 0; s < ns; s++) {
			double lo = mean[s] - (isnan(sd[s]) ? 0 : sd[s]), hi = mean[s] + (isnan(sd[s]) ? 0 : sd[s]);

			if (logy && lo <= 0)
				lo = mean[s] / 10;
			dat_num(f, mean[s]);
			dat_num(f, lo);
			dat_num(f, hi);
		}
		fputc('\n', f);
	}
	rc = out_close(f, path);
	if (rc)
		return rc;
	if (!shown || !ns) {
		fig_omit(r, g, metric, keys ? " with these figures" : "");
		return 0;
	}
	gp = gp_open(r, g, &path);
	if (!gp) {
		free(path);
		return -EIO;
	}
	fprintf(gp, "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
		    "set style fill solid 0.7 border -1\nset xtics rotate by -30 nomirror\nset ylabel ");
	gp_str(gp, ylabel);
	fputc('\n', gp);
	if (logy)
		fputs("set logscale y\n", gp);
	else
		fputs("set yrange [0:*]\n", gp);
	fputs("plot ", gp);
	for (s = 0; s < ns; s++) {
		fprintf(gp, "%s'%s' using %zu:%zu:%zu%s title ", s ? ", \\\n     " : "", dname, 2 + 3 * s,
			3 + 3 * s, 4 + 3 * s, s ? "" : ":xtic(1)");
		gp_str(gp, stitle[s]);
	}
	fputc('\n', gp);
	return gp_close(gp, path, g);
}

/*
 * Lines over connections, one per target and fixed other parameters
 * (restricted to op when op is not NULL): the values' mean +/- SD, or,
 * with keys, the mean of each extra figure (one line per key).
 */
static int fig_lines(struct report *r, const char *name, const char *title, const char *caption,
		     const char *metric, const char *op, const char *ylabel, int logy, const char *const *keys,
		     const char *const *key_titles, size_t nkeys)
{
	struct fig *g = fig_new(r, name, title, caption);
	long mi = metric_index(r, metric);
	size_t n, i, j, b = 0, k, nseries = 0, rest_kinds = 0;
	struct rp **v;
	char *dpath, *gpath = NULL, dname[64], what[96] = "";
	FILE *f, *gp = NULL;
	int rc;

	if (op)
		snprintf(what, sizeof(what), " with op %.32s", op);
	if (mi < 0) {
		fig_omit(r, g, metric, what);
		return 0;
	}
	v = sorted_ok(r, P_CONN, &n);
	if (!v)
		return -ENOMEM;
	/* Several fixed-parameter combinations: label lines with them. */
	for (i = 0; i < n; i++)
		if ((long)v[i]->mi == mi && (!op || cmp_nstr(v[i]->op, op) == 0) &&
		    (i == 0 || (long)v[i - 1]->mi != mi || sweep_cmp(v[i - 1], v[i], P_CONN)))
			rest_kinds++;
	snprintf(dname, sizeof(dname), "%s.dat", name);
	f = out_open(r, dname, &dpath);
	if (!f) {
		free(dpath);
		free(v);
		return -EIO;
	}
	for (i = 0; i < n; i = j) {
		char lab[160], rest[96];

		for (j = i + 1; j < n && same_sweep(v[i], v[j], P_CONN) && v[j]->ti == v[i]->ti; j++)
			;
		if ((long)v[i]->mi != mi || (op && cmp_nstr(v[i]->op, op)) || v[i]->conn < 0)
			continue;
		sweep_label(v[i], ~varying_params(r, (size_t)mi, op) | (1u << P_CONN), rest, sizeof(rest));
		if (rest_kinds > 1 && strcmp(rest, "-"))
			snprintf(lab, sizeof(lab), "%s %s", v[i]->target, rest);
		else
			snprintf(lab, sizeof(lab), "%s", v[i]->target);
		if (!gp) {
			gp = gp_open(r, g, &gpath);
			if (!gp) {
				free(gpath);
				fclose(f);
				free(dpath);
				free(v);
				return -EIO;
			}
			fputs("set xlabel 'connections'\nset ylabel ", gp);
			gp_str(gp, ylabel);
			fputc('\n', gp);
			fputs(logy ? "set logscale y\n" : "set yrange [0:*]\n", gp);
			fputs("set autoscale xfix\nset offsets graph 0.03, graph 0.03, 0, 0\nplot ", gp);
		}
		fprintf(f, "# %s\n", lab);
		for (k = i; k < j; k = b) {
			for (b = k + 1; b < j && v[b]->conn == v[k]->conn; b++)
				;
			fprintf(f, "%ld", v[k]->conn);
			if (keys) {
				size_t key;

				for (key = 0; key < nkeys; key++) {
					double m, sd;

					collect(r, (size_t)mi, v[k]->ti, v[k], P_NONE, keys[key], 1, &m, &sd);
					dat_num(f, m);
				}
			} else {
				double m, sd;

				collect(r, (size_t)mi, v[k]->ti, v[k], P_NONE, NULL, 1, &m, &sd);
				dat_num(f, m);
				dat_num(f, isnan(sd) ? 0 : sd);
			}
			fputc('\n', f);
		}
		fputs("\n\n", f);
		if (keys) {
			size_t key;

			for (key = 0; key < nkeys; key++) {
				char t[200];

				snprintf(t, sizeof(t), "%s %s", lab, key_titles[key]);
				fprintf(gp, "%s'%s' index %zu using 1:%zu with linespoints lc %zu dt %zu pt %zu title ",
					nseries || key ? ", \\\n     " : "", dname, nseries, 2 + key, nseries + 1,
					key + 1, nseries + 1);
				gp_str(gp, t);
			}
		} else {
			fprintf(gp, "%s'%s' index %zu using 1:2:3 with yerrorlines lc %zu pt %zu title ",
				nseries ? ", \\\n     " : "", dname, nseries, nseries + 1, nseries + 1);
			gp_str(gp, lab);
		}
		nseries++;
	}
	free(v);
	rc = out_close(f, dpath);
	if (!gp) {
		strncat(what, " over a connections sweep", sizeof(what) - strlen(what) - 1);
		fig_omit(r, g, metric, what);
		return rc;
	}
	fputc('\n', gp);
	if (rc) {
		fclose(gp);
		free(gpath);
		return rc;
	}
	return gp_close(gp, gpath, g);
}

static int write_figures(struct report *r)
{
	static const char *const stage_keys[] = { "arp_ms", "beacon_ms", "syn_ms", "ready_ms" };
	static const char *const stage_titles[] = { "first ARP", "first beacon", "SYN answered", "ready" };
	static const char *const pct_keys[] = { "p50_us", "p99_us" };
	static const char *const pct_titles[] = { "p50", "p99" };
	const char *ops[8];
	size_t nops = 0, i, s;
	long kv = metric_index(r, "kv");
	int rc;

	if ((rc = fig_bars(r, "fig3a_startup", "Startup time", "Fig. 3(a): start mark to first beacon, mean ± SD, log scale.",
			   "startup", "startup (ms)", 1, 1, NULL, NULL, 0)) ||
	    (rc = fig_bars(r, "fig3b_size", "Image size", "Fig. 3(b): bytes on disk (du), log scale.", "size",
			   "image size (MiB)", 1.0 / 1048576, 1, NULL, NULL, 0)) ||
	    (rc = fig_bars(r, "fig3c_rtt", "Round-trip time",
			   "Fig. 3(c): median ICMP RTT per run, floor subtracted, mean ± SD, log scale.", "rtt",
			   "RTT (µs)", 1, 1, NULL, NULL, 0)) ||
	    (rc = fig_lines(r, "fig4_http", "HTTP throughput",
			    "Fig. 4: HTTP requests/s against connections, mean ± SD.", "http", NULL, "requests/s", 0,
			    NULL, NULL, 0)) ||
	    (rc = fig_bars(r, "fig5_memory", "Memory footprint",
			   "Fig. 5: resident memory of the target, per load it was under, mean ± SD.", "memory",
			   "memory (MiB)", 1.0 / 1048576, 0, NULL, NULL, 0)))
		return rc;
	/* Fig. 6: one figure per Redis op, GET and SET first. */
	for (i = 0; kv >= 0 && i < r->np; i++) {
		const struct rp *p = &r->p[i];

		if (p->st != ST_OK || (long)p->mi != kv || !p->op)
			continue;
		for (s = 0; s < nops && strcmp(ops[s], p->op); s++)
			;
		if (s == nops && nops < 8)
			ops[nops++] = p->op;
	}
	qsort(ops, nops, sizeof(*ops), cmp_str);
	if (!nops) {
		if ((rc = fig_lines(r, "fig6a_kv_get", "Redis GET throughput",
				    "Fig. 6: Redis GET requests/s against connections, mean ± SD.", "kv", "get",
				    "requests/s", 0, NULL, NULL, 0)) ||
		    (rc = fig_lines(r, "fig6b_kv_set", "Redis SET throughput",
				    "Fig. 6: Redis SET requests/s against connections, mean ± SD.", "kv", "set",
				    "requests/s", 0, NULL, NULL, 0)))
			return rc;
	}
	for (s = 0; s < nops; s++) {
		char name[48], title[96], cap[160], up[16];
		size_t c;

		for (c = 0; c + 1 < sizeof(up) && ops[s][c]; c++)
			up[c] = (char)(ops[s][c] >= 'a' && ops[s][c] <= 'z' ? ops[s][c] - 32 : ops[s][c]);
		up[c] = 0;
		snprintf(name, sizeof(name), "fig6%c_kv_%.30s", (char)('a' + s), ops[s]);
		snprintf(title, sizeof(title), "Redis %s throughput", up);
		snprintf(cap, sizeof(cap), "Fig. 6: Redis %s requests/s against connections, mean ± SD.", up);
		if ((rc = fig_lines(r, name, title, cap, "kv", ops[s], "requests/s", 0, NULL, NULL, 0)))
			return rc;
	}
	if ((rc = fig_lines(r, "fig7a_http_latency", "HTTP latency percentiles",
			    "Latency percentiles of HTTP requests against connections (mean over repetitions), log scale; p50 solid, p99 dashed.",
			    "http", NULL, "latency (µs)", 1, pct_keys, pct_titles, 2)) ||
	    (rc = fig_lines(r, "fig7b_kv_latency", "Redis latency percentiles",
			    "Latency percentiles of Redis requests against connections (mean over repetitions), log scale; p50 solid, p99 dashed.",
			    "kv", NULL, "latency (µs)", 1, pct_keys, pct_titles, 2)) ||
	    (rc = fig_bars(r, "fig8_boot_stages", "Boot stages",
			   "Boot stage breakdown: time from the start mark to the first ARP, first beacon, first SYN answered and ready, mean ± SD, log scale.",
			   "startup", "time from start (ms)", 1, 1, stage_keys, stage_titles, 4)))
		return rc;
	return 0;
}

/* Run gnuplot on NAME.gp in the report directory. */
static int run_gnuplot(struct report *r, const struct fig *g)
{
	posix_spawn_file_actions_t fa;
	char gp[64], *argv[3];
	pid_t pid;
	int rc, status;

	snprintf(gp, sizeof(gp), "%s.gp", g->name);
	argv[0] = (char *)r->o->gnuplot;
	argv[1] = gp;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, r->rdir);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, r->o->gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "lvperf report: gnuplot failed on %s/%s (exit %d); the script is kept to debug\n",
			r->rdir, gp, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -EIO;
	}
	return 0;
}

/* ---- index.html ------------------------------------------------------- */

static void html_sweep(FILE *f, json_t *sweep)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(sweep, k, v) {
		fprintf(f, "%s%s=", first ? "" : " ", k);
		if (json_is_integer(v))
			fprintf(f, "%lld", (long long)json_integer_value(v));
		else
			html_esc(f, json_string_value(v));
		first = 0;
	}
	if (first)
		fputs("&ndash;", f);
}

static double jget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		return strcmp(json_string_value(v), "inf") == 0 ? INFINITY : -INFINITY;
	return jnum(o, k);
}

static void html_points(FILE *f, struct report *r, int which)
{
	size_t i, shown = 0;

	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];
		int want = which == 0 ? p->st != ST_OK : (p->st == ST_OK && p->flags);

		if (!want)
			continue;
		if (!shown++)
			fputs("<table><tr><th>point</th><th>target</th><th>metric</th><th>sweep</th><th>rep</th>"
			      "<th>status</th><th>reason / flags</th></tr>\n",
			      f);
		fprintf(f, "<tr><td>%ld</td><td>", p->point);
		html_esc(f, p->target);
		fputs("</td><td>", f);
		html_esc(f, p->metric);
		fputs("</td><td>", f);
		{
			char lab[160];

			sweep_label(p, 0, lab, sizeof(lab));
			html_esc(f, lab);
		}
		fprintf(f, "</td><td>%ld</td><td>%s</td><td>", p->rep,
			p->st == ST_OK ? "ok" : p->st == ST_FAILED ? "failed" : "skipped");
		if (p->st != ST_OK) {
			html_esc(f, p->reason ? p->reason : "(no reason recorded)");
		} else {
			size_t j;
			json_t *v;

			json_array_foreach(p->flags, j, v) {
				fputs(j ? ", " : "", f);
				html_esc(f, json_string_value(v));
			}
		}
		fputs("</td></tr>\n", f);
	}
	if (shown)
		fputs("</table>\n", f);
	else
		fputs("<p>None.</p>\n", f);
}

static int write_html(struct report *r, json_t *rows, json_t *one, json_t *two, json_t *cal)
{
	char *path;
	FILE *f = out_open(r, "index.html", &path);
	size_t i, j;
	json_t *v, *w;
	const char *spec = jstr(r->run, "spec");

	if (!f) {
		free(path);
		return -EIO;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>lvperf report", f);
	if (spec) {
		fputs(": ", f);
		html_esc(f, spec);
	}
	fputs("</title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}\n"
	      "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}\n"
	      "td:first-child,th:first-child{text-align:left}.flag{color:#b00;font-weight:bold}\n"
	      "figure{margin:1em 0}img{max-width:100%}figcaption{font-size:90%}\n</style>\n</head>\n<body>\n",
	      f);
	fputs("<h1>lvperf report", f);
	if (spec) {
		fputs(": ", f);
		html_esc(f, spec);
	}
	fputs("</h1>\n<p>", f);
	if (r->run) {
		const char *keys[] = { "lvperf", "host", "started_utc" };

		for (i = 0; i < 3; i++)
			if (jstr(r->run, keys[i])) {
				fprintf(f, "%s: ", keys[i]);
				html_esc(f, jstr(r->run, keys[i]));
				fputs("; ", f);
			}
		if (json_is_integer(json_object_get(r->run, "seed")))
			fprintf(f, "seed: %lld; ", (long long)json_integer_value(json_object_get(r->run, "seed")));
		if (json_is_integer(json_object_get(r->run, "points")))
			fprintf(f, "points planned: %lld; ",
				(long long)json_integer_value(json_object_get(r->run, "points")));
	}
	fprintf(f, "points recorded: %lu ok, %lu failed, %lu skipped, %lu flagged", r->n_ok, r->n_failed,
		r->n_skipped, r->n_flagged);
	if (r->partial)
		fprintf(f, "; %lu cut-short last line ignored (the run was interrupted mid-write)", r->partial);
	fputs(".</p>\n<p>Built from <code>raw/points.jsonl</code> and <code>raw/calibration.jsonl</code> alone; "
	      "<code>results.csv</code> (one row per ok point), <code>summary.csv</code>/<code>summary.json</code>, "
	      "<code>stats.json</code>; each figure has its <code>.gp</code> script and <code>.dat</code> data "
	      "beside it (<code>cd report &amp;&amp; gnuplot NAME.gp</code>).</p>\n",
	      f);

	fputs("<h2>Figures</h2>\n", f);
	if (r->plot_note[0]) {
		fputs("<p class=\"flag\">", f);
		html_esc(f, r->plot_note);
		fputs("</p>\n", f);
	}
	for (i = 0; i < r->nfig; i++) {
		const struct fig *g = &r->fig[i];

		if (g->omitted[0]) {
			fprintf(f, "<p><b>%s</b> (%s) omitted: ", g->title, g->name);
			html_esc(f, g->omitted);
			fputs(".</p>\n", f);
			continue;
		}
		fprintf(f, "<figure id=\"%s\"><img src=\"%s.svg\" alt=\"", g->name, g->name);
		html_esc(f, g->title);
		fputs("\"><figcaption>", f);
		html_esc(f, g->caption);
		fprintf(f, " [<a href=\"%s.png\">PNG</a> <a href=\"%s.gp\">gnuplot</a> <a href=\"%s.dat\">data</a>]"
			   "</figcaption></figure>\n",
			g->name, g->name, g->name);
	}

	fprintf(f, "<h2>Summary</h2>\n<p>Per target and sweep point: mean, sample SD, %g %% confidence interval of "
		   "the mean (Student's t), min, median, max.</p>\n",
		(1 - r->o->alpha) * 100);
	for (i = 0; i < r->nm; i++) {
		int opened = 0;

		json_array_foreach(rows, j, v) {
			if (strcmp(jstr(v, "metric"), r->metric[i]))
				continue;
			if (!opened++) {
				fputs("<h3>", f);
				html_esc(f, r->metric[i]);
				if (jstr(v, "unit")) {
					fputs(" (", f);
					html_esc(f, jstr(v, "unit"));
					fputs(")", f);
				}
				fputs("</h3>\n<table><tr><th>target</th><th>sweep</th><th>n</th><th>mean</th><th>sd</th>"
				      "<th>CI low</th><th>CI high</th><th>min</th><th>median</th><th>max</th></tr>\n",
				      f);
			}
			fputs("<tr><td>", f);
			html_esc(f, jstr(v, "target"));
			fputs("</td><td>", f);
			html_sweep(f, json_object_get(v, "sweep"));
			fprintf(f, "</td><td>%lld", (long long)json_integer_value(json_object_get(v, "n")));
			{
				const char *k[] = { "mean", "sd", "ci_lo", "ci_hi", "min", "median", "max" };
				size_t c;

				for (c = 0; c < 7; c++) {
					fputs("</td><td>", f);
					html_num(f, jnum(v, k[c]));
				}
			}
			fputs("</td></tr>\n", f);
		}
		if (opened)
			fputs("</table>\n", f);
	}

	fprintf(f, "<h2>Statistics</h2>\n<p>One-way ANOVA across targets at each sweep point, then Tukey HSD "
		   "(Tukey-Kramer) with %g %% simultaneous intervals; a pair is significant when p adj &lt; %g.</p>\n",
		(1 - r->o->alpha) * 100, r->o->alpha);
	json_array_foreach(one, i, v) {
		json_t *an = json_object_get(v, "anova");

		fputs("<h3>", f);
		html_esc(f, jstr(v, "metric"));
		fputs(", ", f);
		html_sweep(f, json_object_get(v, "sweep"));
		fputs("</h3>\n", f);
		if (!json_is_object(an)) {
			fputs("<p>No ANOVA: ", f);
			html_esc(f, jstr(v, "why"));
			fputs(".</p>\n", f);
			continue;
		}
		fprintf(f, "<p>F(%g, %g) = ", jnum(an, "df_between"), jnum(an, "df_within"));
		html_num(f, jget(an, "f"));
		fputs(jnum(an, "p") < 1e-4 ? ", p " : ", p = ", f);
		html_p(f, jnum(an, "p"));
		fputs("</p>\n", f);
		if (jstr(v, "tukey_why")) {
			fputs("<p>", f);
			html_esc(f, jstr(v, "tukey_why"));
			fputs("</p>\n", f);
		}
		if (json_array_size(json_object_get(v, "tukey")))
			fputs("<table><tr><th>pair</th><th>diff</th><th>CI low</th><th>CI high</th><th>p adj</th>"
			      "<th>significant</th></tr>\n",
			      f);
		json_array_foreach(json_object_get(v, "tukey"), j, w) {
			fputs("<tr><td>", f);
			html_esc(f, jstr(w, "a"));
			fputs(" &minus; ", f);
			html_esc(f, jstr(w, "b"));
			fputs("</td><td>", f);
			html_num(f, jnum(w, "diff"));
			fputs("</td><td>", f);
			html_num(f, jnum(w, "ci_lo"));
			fputs("</td><td>", f);
			html_num(f, jnum(w, "ci_hi"));
			fputs("</td><td>", f);
			html_p(f, jnum(w, "p_adj"));
			fprintf(f, "</td><td>%s</td></tr>\n",
				json_is_true(json_object_get(w, "significant")) ? "yes" : "no");
		}
		if (json_array_size(json_object_get(v, "tukey")))
			fputs("</table>\n", f);
	}
	if (json_array_size(two))
		fputs("<h3>Two-way ANOVA</h3>\n<p>Target &times; a second swept parameter, with interaction "
		      "(balanced designs only).</p>\n",
		      f);
	json_array_foreach(two, i, v) {
		json_t *an = json_object_get(v, "anova");

		fputs("<h4>", f);
		html_esc(f, jstr(v, "metric"));
		fputs(": target &times; ", f);
		html_esc(f, json_string_value(json_array_get(json_object_get(v, "factors"), 1)));
		fputs(" (fixed: ", f);
		html_sweep(f, json_object_get(v, "fixed"));
		fputs(")</h4>\n", f);
		if (!json_is_array(an)) {
			fputs("<p>No two-way ANOVA: ", f);
			html_esc(f, jstr(v, "why"));
			fputs(".</p>\n", f);
			continue;
		}
		fputs("<table><tr><th>source</th><th>df</th><th>SS</th><th>MS</th><th>F</th><th>p</th></tr>\n", f);
		json_array_foreach(an, j, w) {
			fputs("<tr><td>", f);
			html_esc(f, jstr(w, "source"));
			fprintf(f, "</td><td>%g</td><td>", jnum(w, "df"));
			html_num(f, jnum(w, "ss"));
			fputs("</td><td>", f);
			html_num(f, jnum(w, "ms"));
			fputs("</td><td>", f);
			html_num(f, jget(w, "f"));
			fputs("</td><td>", f);
			html_p(f, jnum(w, "p"));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}

	fputs("<h2>Calibration</h2>\n", f);
	{
		json_t *clocks = json_array(), *floors = json_array();

		for (i = 0; i < r->np; i++) {
			const struct rp *p = &r->p[i];
			char fl[128];
			size_t c;
			int seen = 0;

			if (p->st != ST_OK)
				continue;
			json_array_foreach(clocks, c, w)
				seen |= strcmp(json_string_value(w), p->clock ? p->clock : "(none)") == 0;
			if (!seen)
				json_array_append_new(clocks, json_string(p->clock ? p->clock : "(none)"));
			if (isnan(p->floor_ns))
				continue;
			snprintf(fl, sizeof(fl), "%s", p->floor_source ? p->floor_source : "(source not recorded)");
			seen = 0;
			json_array_foreach(floors, c, w)
				seen |= strcmp(json_string_value(w), fl) == 0;
			if (!seen)
				json_array_append_new(floors, json_string(fl));
		}
		fputs("<p>Clock of the points: ", f);
		json_array_foreach(clocks, i, w) {
			fputs(i ? ", " : "", f);
			html_esc(f, json_string_value(w));
		}
		fputs(". Floor subtracted: ", f);
		if (!json_array_size(floors))
			fputs("none", f);
		json_array_foreach(floors, i, w) {
			double lo = INFINITY, hi = -INFINITY;

			for (j = 0; j < r->np; j++)
				if (r->p[j].st == ST_OK && !isnan(r->p[j].floor_ns) &&
				    strcmp(r->p[j].floor_source ? r->p[j].floor_source : "(source not recorded)",
					   json_string_value(w)) == 0) {
					lo = fmin(lo, r->p[j].floor_ns);
					hi = fmax(hi, r->p[j].floor_ns);
				}
			fputs(i ? "; " : "", f);
			html_esc(f, json_string_value(w));
			fprintf(f, " (%.6g to %.6g ns)", lo, hi);
		}
		fputs(".</p>\n", f);
		json_decref(clocks);
		json_decref(floors);
	}
	if (!json_is_true(json_object_get(cal, "start_present")) || !json_is_true(json_object_get(cal, "end_present")))
		fprintf(f, "<p class=\"flag\">Calibration at the %s is missing from raw/calibration.jsonl: start and "
			   "end cannot be compared.</p>\n",
			!json_is_true(json_object_get(cal, "start_present")) ? "start" : "end");
	fputs("<table><tr><th>figure</th><th>start</th><th>end</th><th>relative difference</th><th>tolerance</th>"
	      "<th></th></tr>\n",
	      f);
	json_array_foreach(json_object_get(cal, "fields"), i, v) {
		fprintf(f, "<tr><td>%s</td><td>", calib_fields[i].label);
		html_num(f, jnum(v, "start"));
		fputs("</td><td>", f);
		html_num(f, jnum(v, "end"));
		fputs("</td><td>", f);
		html_num(f, jnum(v, "rel_diff"));
		fprintf(f, "</td><td>%g</td><td>%s</td></tr>\n", jnum(v, "tolerance"),
			json_is_true(json_object_get(v, "flagged")) ? "<span class=\"flag\">disagree</span>" : "");
	}
	fputs("</table>\n", f);
	if (json_is_true(json_object_get(cal, "flagged")))
		fputs("<p class=\"flag\">Start and end calibration disagree beyond tolerance: the run is flagged.</p>\n",
		      f);

	fputs("<h2>Failed and skipped points</h2>\n", f);
	html_points(f, r, 0);
	fputs("<h2>Flagged points</h2>\n<p>Ok points with a reason to distrust them (retransmissions, no generator "
	      "headroom, ...); they are included in the figures and statistics above.</p>\n",
	      f);
	html_points(f, r, 1);
	fputs("</body>\n</html>\n", f);
	return out_close(f, path);
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
	if (!(path = path_join(dir, "raw/points.jsonl")))
		goto out;
	rc = read_lines(path, point_line, &r, &r.partial);
	if (rc) {
		if (rc == -ENOENT)
			fprintf(stderr, "lvperf report: %s: no such file; is %s a run directory (lvperf run)?\n", path,
				dir);
		else if (rc != -EINVAL)
			fprintf(stderr, "lvperf report: %s: %s\n", path, strerror(-rc));
		goto out;
	}
	free(path);
	if (!(path = path_join(dir, "raw/calibration.jsonl")))
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
	if (!(path = path_join(dir, "run.json")))
		goto out;
	r.run = json_load_file(path, 0, NULL);
	free(path);
	path = NULL;
	if ((rc = report_index(&r)))
		goto out;
	rc = -ENOMEM;
	if (!(r.rdir = path_join(dir, "report")))
		goto out;
	if (mkdir(r.rdir, 0755) && errno != EEXIST) {
		rc = -errno;
		fprintf(stderr, "lvperf report: %s: %s\n", r.rdir, strerror(errno));
		goto out;
	}
	r.calib_json = calib_compare(&r);
	if ((rc = write_results(&r)) || (rc = write_summary(&r, &rows)) || (rc = write_stats(&r, &one, &two)))
		goto out;
	sum = json_object();
	json_object_set_new(sum, "level", json_real(1 - o->alpha));
	json_object_set_new(sum, "points",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "ok", (json_int_t)r.n_ok, "failed",
				      (json_int_t)r.n_failed, "skipped", (json_int_t)r.n_skipped, "flagged",
				      (json_int_t)r.n_flagged, "partial_lines_ignored", (json_int_t)r.partial));
	json_object_set_new(sum, "calibration", json_incref(r.calib_json));
	json_object_set_new(sum, "rows", json_incref(rows));
	rc = json_write(&r, "summary.json", sum);
	json_decref(sum);
	if (rc || (rc = write_figures(&r)))
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
		rc = run_gnuplot(&r, &r.fig[i]);
		if (rc == -ENOENT) {
			res->plotted = 0;
			snprintf(r.plot_note, sizeof(r.plot_note),
				 "Figures not rendered: '%s' was not found (install gnuplot-nox, then rerun lvperf report "
				 "or run gnuplot on the .gp files).",
				 o->gnuplot);
			fprintf(stderr, "lvperf report: %s: not found; writing the report without images (install gnuplot-nox)\n",
				o->gnuplot);
		} else if (rc) {
			goto out;
		}
	}
	rc = write_html(&r, rows, one, two, r.calib_json);
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
