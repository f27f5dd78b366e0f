/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report, tables: results.csv (one row per point), summary.csv and
 * the rows of summary.json (one per metric, sweep point and target), and
 * the JSON/CSV writers; numbers printed with fixed formats.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "report_int.h"
#include "stats.h"

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

int report_json_write(struct report *r, const char *name, json_t *o)
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

void report_csv_str(FILE *f, const char *s)
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
void report_csv_num(FILE *f, double v, int digits)
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

int report_write_results(struct report *r)
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
		report_csv_str(f, r->extra[x]);
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
		report_csv_str(f, p->target);
		fputc(',', f);
		report_csv_str(f, p->platform);
		fputc(',', f);
		report_csv_str(f, p->workload);
		fputc(',', f);
		report_csv_str(f, p->net);
		fputc(',', f);
		report_csv_str(f, p->accel);
		fputc(',', f);
		report_csv_str(f, p->metric);
		fputc(',', f);
		csv_long(f, p->conn);
		fputc(',', f);
		csv_long(f, p->pipe);
		fputc(',', f);
		report_csv_str(f, p->op);
		fputc(',', f);
		report_csv_str(f, p->under);
		fprintf(f, ",%ld,", p->rep);
		report_csv_num(f, p->value, 15);
		fputc(',', f);
		report_csv_str(f, p->unit);
		fputc(',', f);
		report_csv_str(f, p->clock);
		fputc(',', f);
		report_csv_num(f, p->floor_ns, 15);
		fputc(',', f);
		report_csv_str(f, flags);
		for (x = 0; x < r->nx; x++) {
			fputc(',', f);
			report_csv_num(f, report_jnum(p->extra, r->extra[x]), 15);
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

int report_write_summary(struct report *r, json_t **rows_out)
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

		for (j = i + 1; j < n && report_same_cell(v[i], v[j]); j++)
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
		report_csv_str(f, v[i]->metric);
		fputc(',', f);
		report_csv_str(f, v[i]->target);
		fputc(',', f);
		csv_long(f, v[i]->conn);
		fputc(',', f);
		csv_long(f, v[i]->pipe);
		fputc(',', f);
		report_csv_str(f, v[i]->op);
		fputc(',', f);
		report_csv_str(f, v[i]->under);
		fputc(',', f);
		report_csv_str(f, v[i]->unit);
		fprintf(f, ",%zu,", s.n);
		report_csv_num(f, s.mean, 10);
		fputc(',', f);
		report_csv_num(f, s.sd, 10);
		fputc(',', f);
		report_csv_num(f, s.lo, 10);
		fputc(',', f);
		report_csv_num(f, s.hi, 10);
		fputc(',', f);
		report_csv_num(f, s.min, 10);
		fputc(',', f);
		report_csv_num(f, s.med, 10);
		fputc(',', f);
		report_csv_num(f, s.max, 10);
		o = json_object();
		json_object_set_new(o, "metric", json_string(v[i]->metric));
		json_object_set_new(o, "target", json_string(v[i]->target));
		json_object_set_new(o, "sweep", report_sweep_json(v[i], P_NONE));
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
			report_csv_str(f, report_jstr(o, "clock"));
			fputc(',', f);
			report_csv_str(f, report_jstr(fl, "source"));
			fputc(',', f);
			report_csv_num(f, report_jnum(fl, "ns"), 15);
			fputc(',', f);
			report_csv_num(f, report_jnum(se, "n"), 15);
			fputc(',', f);
			report_csv_num(f, report_jnum(se, "mean"), 10);
			fputc(',', f);
			report_csv_num(f, report_jnum(se, "sd"), 10);
			fputc('\n', f);
		}
		json_array_append_new(rows, o);
	}
	free(v);
	*rows_out = rows;
	return report_close(f, path);
}
