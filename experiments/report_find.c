/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report, findings: per metric and sweep point the targets ranked
 * best first with their mean and confidence interval in human units, the
 * ratio to the host platform's target, compact letter groups from the
 * pairwise test the verdict follows (Tukey HSD, or Games-Howell when the
 * variances differ), and the study's published mean beside where it has
 * the row (another machine, 2017). findings.csv holds the same table;
 * index.html shows it on top.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "driver.h"
#include "file.h"
#include "report_int.h"

/* ---- units ---------------------------------------------------------------- */

/* Units by dimension (0 time, 1 bytes, 2 rate) and size in the base unit. */
static const struct {
	const char *name;
	int dim;
	double base;
} units[] = {
    {"s", 0, 1},	{"ms", 0, 1e-3},       {"us", 0, 1e-6},	      {"µs", 0, 1e-6},
    {"bytes", 1, 1},	{"KiB", 1, 1024},      {"MiB", 1, 1048576},   {"GiB", 1, 1073741824},
    {"req/s", 2, 1},	{"k req/s", 2, 1e3},
};

static int unit_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].name, name) == 0)
			return (int)i;
	return -1;
}

void report_human_unit(const char *unit, double mag, struct report_unit *u)
{
	int i = unit_find(unit);
	const char *to;
	double v;

	u->scale = 1;
	snprintf(u->name, sizeof(u->name), "%s", unit ? unit : "");
	if (i < 0)
		return;
	v = fabs(mag) * units[i].base;
	switch (units[i].dim) {
	case 0:
		to = v >= 1 ? "s" : v >= 1e-3 ? "ms" : "µs";
		break;
	case 1:
		to = v >= 1048576 ? "MiB" : "KiB";
		break;
	default:
		to = v >= 1e3 ? "k req/s" : "req/s";
		break;
	}
	u->scale = units[i].base / units[unit_find(to)].base;
	snprintf(u->name, sizeof(u->name), "%s", to);
}

/* v in unit from, expressed in unit to (same dimension), else NaN. */
static double unit_convert(double v, const char *from, const char *to)
{
	int a = unit_find(from), b = unit_find(to);

	if (a < 0 || b < 0 || units[a].dim != units[b].dim)
		return NAN;
	return v * units[a].base / units[b].base;
}

/* ---- compact letter display --------------------------------------------- */

#define CLD_MAX_COLS 256

/* Column a before column b: lexicographic on their members' ranks. */
static int cld_before(uint64_t a, uint64_t b)
{
	uint64_t d = a ^ b;

	return d && (a & d & -d);
}

int report_cld(size_t k, const unsigned char *diff, const size_t *rank, char (*letters)[REPORT_CLD_LEN])
{
	uint64_t col[CLD_MAX_COLS], byrank[CLD_MAX_COLS], t;
	size_t nc = 1, i, j, c, d;

	if (k == 0 || k > 64)
		return -E2BIG;
	col[0] = k == 64 ? ~0ull : (1ull << k) - 1;
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++) {
			size_t n0 = nc;

			if (!diff[i * k + j] && !diff[j * k + i])
				continue;
			/* Insert: a column holding both splits into one without j
			 * and one without i. */
			for (c = 0; c < n0; c++) {
				if (!((col[c] >> i) & 1) || !((col[c] >> j) & 1))
					continue;
				if (nc >= CLD_MAX_COLS)
					return -E2BIG;
				col[nc++] = col[c] & ~(1ull << i);
				col[c] &= ~(1ull << j);
			}
			/* Absorb: a column inside another (or a repeat) goes. */
			for (c = 0; c < nc;) {
				for (d = 0; d < nc; d++)
					if (d != c && (col[c] & col[d]) == col[c] &&
					    (col[c] != col[d] || d < c))
						break;
				if (d < nc)
					col[c] = col[--nc];
				else
					c++;
			}
		}
	if (nc > REPORT_CLD_LEN - 1)
		return -E2BIG;
	/* Letters in rank order: 'a' for the column of the best target. */
	for (c = 0; c < nc; c++) {
		byrank[c] = 0;
		for (i = 0; i < k; i++)
			if ((col[c] >> i) & 1)
				byrank[c] |= 1ull << rank[i];
	}
	for (c = 1; c < nc; c++)
		for (d = c; d > 0 && cld_before(byrank[d], byrank[d - 1]); d--) {
			t = byrank[d], byrank[d] = byrank[d - 1], byrank[d - 1] = t;
			t = col[d], col[d] = col[d - 1], col[d - 1] = t;
		}
	for (i = 0; i < k; i++) {
		size_t o = 0;

		for (c = 0; c < nc; c++)
			if ((col[c] >> i) & 1)
				letters[i][o++] = (char)(c < 26 ? 'a' + c : 'A' + c - 26);
		letters[i][o] = 0;
	}
	return (int)nc;
}

/* ---- the study's means ---------------------------------------------------- */

struct study_row {
	char metric[24], platform[24], host[16], x[12], unit[12];
	double mean;
};

struct study_map {
	char platform[48], accel[16], study_platform[24], study_host[16];
};

struct study {
	struct study_row *row;
	size_t nrow;
	struct study_map *map;
	size_t nmap;
};

/* Split s at commas into at most n fields (empty fields kept). */
static size_t csv_fields(char *s, char **f, size_t n)
{
	size_t i = 0;

	while (i < n) {
		f[i++] = s;
		s = strchr(s, ',');
		if (!s)
			break;
		*s++ = 0;
	}
	return i;
}

/* The lines of path (NULL: none) after its header, skipping '#'
 * comments; fn gets the fields of each line of want fields. */
static int study_read(const char *path, size_t want, int (*fn)(struct study *, char **), struct study *st)
{
	char *buf, *s, *nl, *f[8];
	size_t len, line = 0;
	int rc;

	if (!path)
		return 0;
	rc = file_read(path, &buf, &len);
	if (rc) {
		fprintf(stderr, "lvperf report: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	for (s = buf; s < buf + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(buf + len - s));
		if (!nl)
			nl = buf + len;
		*nl = 0;
		if (nl > s && nl[-1] == '\r')
			nl[-1] = 0;
		if (line++ == 0 || !*s || *s == '#')
			continue;
		if (csv_fields(s, f, 8) != want)
			continue;
		if ((rc = fn(st, f)))
			break;
	}
	free(buf);
	return rc;
}

static int study_mean_line(struct study *st, char **f)
{
	struct study_row *n = realloc(st->row, (st->nrow + 1) * sizeof(*n)), *r;

	if (!n)
		return -ENOMEM;
	st->row = n;
	r = &n[st->nrow++];
	snprintf(r->metric, sizeof(r->metric), "%s", f[0]);
	snprintf(r->platform, sizeof(r->platform), "%s", f[1]);
	snprintf(r->host, sizeof(r->host), "%s", f[2]);
	snprintf(r->x, sizeof(r->x), "%s", f[3]);
	r->mean = strtod(f[4], NULL);
	snprintf(r->unit, sizeof(r->unit), "%s", f[5]);
	return 0;
}

static int study_map_line(struct study *st, char **f)
{
	struct study_map *n = realloc(st->map, (st->nmap + 1) * sizeof(*n)), *m;

	if (!n)
		return -ENOMEM;
	st->map = n;
	m = &n[st->nmap++];
	snprintf(m->platform, sizeof(m->platform), "%s", f[0]);
	snprintf(m->accel, sizeof(m->accel), "%s", f[1]);
	snprintf(m->study_platform, sizeof(m->study_platform), "%s", f[2]);
	snprintf(m->study_host, sizeof(m->study_host), "%s", f[3]);
	return 0;
}

/* The study's row for a target of platform/accel at metric and sweep
 * (memory under U: memory_U; kv op O: kv_O; x: connections), or NULL. */
static const struct study_row *study_find(const struct study *st, const char *platform, const char *accel,
					  const char *metric, json_t *sweep, const struct study_map **map)
{
	char m[24], x[12] = "";
	json_t *c = json_object_get(sweep, "connections"), *p = json_object_get(sweep, "pipeline");
	const char *under = report_jstr(sweep, "under"), *op = report_jstr(sweep, "op");
	size_t i;

	*map = NULL;
	for (i = 0; i < st->nmap; i++)
		if (strcmp(st->map[i].platform, platform) == 0 &&
		    strcmp(st->map[i].accel, accel ? accel : "") == 0)
			*map = &st->map[i];
	if (!*map || (json_is_integer(p) && json_integer_value(p) != 1))
		return NULL;
	if (under)
		snprintf(m, sizeof(m), "%s_%s", metric, under);
	else if (op)
		snprintf(m, sizeof(m), "%s_%s", metric, op);
	else
		snprintf(m, sizeof(m), "%s", metric);
	if (json_is_integer(c))
		snprintf(x, sizeof(x), "%lld", (long long)json_integer_value(c));
	for (i = 0; i < st->nrow; i++) {
		const struct study_row *r = &st->row[i];

		if (!strcmp(r->metric, m) && !strcmp(r->platform, (*map)->study_platform) &&
		    !strcmp(r->host, (*map)->study_host) && !strcmp(r->x, x))
			return r;
	}
	return NULL;
}

/* ---- the findings ------------------------------------------------------- */

/* The summary row of target at metric and sweep, or NULL. */
static json_t *summary_row(json_t *rows, const char *metric, json_t *sweep, const char *target)
{
	size_t i;
	json_t *v;

	json_array_foreach(rows, i, v) if (!strcmp(report_jstr(v, "metric"), metric) &&
					   !strcmp(report_jstr(v, "target"), target) &&
					   json_equal(json_object_get(v, "sweep"), sweep)) return v;
	return NULL;
}

/* The first ok point of target name (its platform, accel, workload). */
static const struct rp *target_point(const struct report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->np; i++)
		if (r->p[i].st == ST_OK && !strcmp(r->p[i].target, name))
			return &r->p[i];
	return NULL;
}

/* Higher is better for a rate; lower for time, bytes. */
static int higher_better(const char *unit)
{
	int i = unit_find(unit);

	return i >= 0 && units[i].dim == 2;
}

struct ftarget {
	const char *name;
	const struct rp *p;
	json_t *row;
	double mean;
	size_t rank;
};

struct ftarget_order {
	const struct ftarget *t;
	int higher_better;
};

/* Best first (NaN last), then in the group's order: for qsort_r. */
static int cmp_ftarget(const void *a, const void *b, void *ctx)
{
	const struct ftarget_order *c = ctx;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	double x = c->t[ia].mean, y = c->t[ib].mean;

	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (x != y && !isnan(x))
		return (x < y) != c->higher_better ? -1 : 1;
	return ia < ib ? -1 : 1;
}

/* One group (a oneway entry of stats.json) as a findings entry. */
static json_t *finding(struct report *r, json_t *rows, json_t *g, const struct study *st, const char *host)
{
	json_t *o = json_object(), *out = json_array(), *targets = json_object_get(g, "targets"), *pairs,
	       *v, *sweep = json_object_get(g, "sweep");
	const char *metric = report_jstr(g, "metric"), *unit = report_jstr(g, "unit"),
		   *verdict = report_jstr(g, "verdict"), *test, *test_why = NULL;
	size_t k = json_array_size(targets), i, j, *order = NULL;
	struct ftarget *t = calloc(k ? k : 1, sizeof(*t));
	unsigned char *diff = calloc(k ? k * k : 1, 1);
	char (*letters)[REPORT_CLD_LEN] = calloc(k ? k : 1, sizeof(*letters));
	struct report_unit hu;
	double mag = 0;
	int ncld = -1;

	order = calloc(k ? k : 1, sizeof(*order));
	if (!t || !diff || !letters || !order)
		goto nomem;
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "sweep", json_incref(sweep));
	for (i = 0; i < k; i++) {
		t[i].name = json_string_value(json_array_get(targets, i));
		t[i].p = target_point(r, t[i].name);
		t[i].row = summary_row(rows, metric, sweep, t[i].name);
		t[i].mean = report_jnum(t[i].row, "mean");
		if (!isnan(t[i].mean))
			mag = fmax(mag, fabs(t[i].mean));
		order[i] = i;
	}
	report_human_unit(unit, mag, &hu);
	json_object_set_new(o, "unit", json_string(hu.name));
	json_object_set_new(o, "scale", json_real(hu.scale));
	json_object_set_new(o, "higher_is_better", json_boolean(higher_better(unit)));
	{
		struct ftarget_order c = {t, higher_better(unit)};

		qsort_r(order, k, sizeof(*order), cmp_ftarget, &c);
	}
	for (i = 0; i < k; i++)
		t[order[i]].rank = i;
	/* Letters from the pairs of the test the verdict follows. */
	if (verdict && !strcmp(verdict, "welch_anova+games_howell")) {
		test = "Games-Howell";
		pairs = json_object_get(g, "games_howell");
		test_why = report_jstr(g, "games_howell_why");
	} else {
		test = "Tukey HSD";
		pairs = json_object_get(g, "tukey");
		test_why = report_jstr(g, "tukey_why");
	}
	if (k >= 2 && json_is_array(pairs)) {
		json_array_foreach(pairs, i, v)
		{
			const char *a = report_jstr(v, "a"), *b = report_jstr(v, "b");
			size_t ia = k, ib = k;

			for (j = 0; j < k; j++) {
				if (a && !strcmp(t[j].name, a))
					ia = j;
				if (b && !strcmp(t[j].name, b))
					ib = j;
			}
			if (ia < k && ib < k && json_is_true(json_object_get(v, "significant")))
				diff[ia * k + ib] = diff[ib * k + ia] = 1;
		}
	}
	if (k >= 2 && json_is_array(pairs)) {
		size_t rank[64];

		for (i = 0; i < k && i < 64; i++)
			rank[i] = t[i].rank;
		ncld = report_cld(k, diff, rank, letters);
	}
	json_object_set_new(o, "test", ncld > 0 ? json_string(test) : json_null());
	if (ncld <= 0)
		json_object_set_new(o, "test_why",
				    json_string(k < 2	      ? "only one target has data here"
						: test_why    ? test_why
						: report_jstr(g, "why") ? report_jstr(g, "why")
						: ncld == -E2BIG ? "too many letter groups"
								 : "not computed"));
	else
		json_object_set_new(o, "test_why", json_string(report_jstr(g, "verdict_why")));
	for (i = 0; i < k; i++) {
		const struct ftarget *x = &t[order[i]], *ref = NULL;
		const struct study_map *map = NULL;
		const struct study_row *sr = NULL;
		json_t *e = json_object();
		double smean = NAN;

		/* The host platform's target of the same workload, else any. */
		for (j = 0; host && j < k; j++) {
			if (!t[j].p || strcmp(t[j].p->platform, host))
				continue;
			if (!ref || (x->p && report_cmp_nstr(ref->p->workload, x->p->workload) &&
				     !report_cmp_nstr(t[j].p->workload, x->p->workload)))
				ref = &t[j];
		}
		/* A container in a host VM is not the study's bare-host row of
		 * its platform (study-platforms.csv maps platforms only). */
		if (x->p && !report_jstr(x->p->obj, "host"))
			sr = study_find(st, x->p->platform, x->p->accel, metric, sweep, &map);
		if (sr)
			smean = unit_convert(sr->mean, sr->unit, hu.name);
		json_object_set_new(e, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(e, "target", json_string(x->name));
		json_object_set_new(e, "platform", x->p ? json_string(x->p->platform) : json_null());
		json_object_set_new(e, "n", json_incref(json_object_get(x->row, "n")));
		json_object_set_new(e, "mean", report_jnum_json(x->mean * hu.scale));
		json_object_set_new(e, "ci_lo", report_jnum_json(report_jnum(x->row, "ci_lo") * hu.scale));
		json_object_set_new(e, "ci_hi", report_jnum_json(report_jnum(x->row, "ci_hi") * hu.scale));
		json_object_set_new(e, "ratio_to_native",
				    report_jnum_json(ref && ref->mean != 0 ? x->mean / ref->mean : NAN));
		json_object_set_new(e, "ratio_to", ref ? json_string(ref->name) : json_null());
		json_object_set_new(e, "letters", ncld > 0 ? json_string(letters[order[i]]) : json_null());
		if (sr) {
			char lab[48];

			snprintf(lab, sizeof(lab), "%s on %s", map->study_platform, map->study_host);
			json_object_set_new(e, "study", json_string(lab));
			json_object_set_new(e, "study_mean", report_jnum_json(smean));
		} else {
			json_object_set_new(e, "study", json_null());
			json_object_set_new(e, "study_mean", json_null());
		}
		json_array_append_new(out, e);
	}
	json_object_set_new(o, "targets", out);
	free(t), free(diff), free(letters), free(order);
	return o;
nomem:
	free(t), free(diff), free(letters), free(order);
	json_decref(o);
	json_decref(out);
	return NULL;
}

/* "connections=100 pipeline=1", or "" for no sweep, into buf. */
static void sweep_text(json_t *sweep, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t o = 0;

	buf[0] = 0;
	json_object_foreach(sweep, k, v)
	{
		if (o >= len)
			break;
		if (json_is_integer(v))
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%lld", o ? " " : "", k,
					      (long long)json_integer_value(v));
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", k,
					      json_is_string(v) ? json_string_value(v) : "?");
	}
}

static int write_findings_csv(struct report *r, json_t *find)
{
	char *path, sw[160];
	FILE *f = report_open(r, "findings.csv", &path);
	size_t i, j;
	json_t *g, *e;

	if (!f) {
		free(path);
		return -EIO;
	}
	fputs("metric,sweep,rank,target,platform,n,mean,ci_lo,ci_hi,unit,ratio_to_native,ratio_to,"
	      "letters,letters_from,study_2017_platform,study_2017_mean\n",
	      f);
	json_array_foreach(find, i, g)
	{
		sweep_text(json_object_get(g, "sweep"), sw, sizeof(sw));
		json_array_foreach(json_object_get(g, "targets"), j, e)
		{
			report_csv_str(f, report_jstr(g, "metric"));
			fputc(',', f);
			report_csv_str(f, sw);
			fprintf(f, ",%lld,", (long long)json_integer_value(json_object_get(e, "rank")));
			report_csv_str(f, report_jstr(e, "target"));
			fputc(',', f);
			report_csv_str(f, report_jstr(e, "platform"));
			fprintf(f, ",%lld,", (long long)json_integer_value(json_object_get(e, "n")));
			report_csv_num(f, report_jnum(e, "mean"), 6);
			fputc(',', f);
			report_csv_num(f, report_jnum(e, "ci_lo"), 6);
			fputc(',', f);
			report_csv_num(f, report_jnum(e, "ci_hi"), 6);
			fputc(',', f);
			report_csv_str(f, report_jstr(g, "unit"));
			fputc(',', f);
			report_csv_num(f, report_jnum(e, "ratio_to_native"), 4);
			fputc(',', f);
			report_csv_str(f, report_jstr(e, "ratio_to"));
			fputc(',', f);
			report_csv_str(f, report_jstr(e, "letters"));
			fputc(',', f);
			report_csv_str(f, report_jstr(g, "test"));
			fputc(',', f);
			report_csv_str(f, report_jstr(e, "study"));
			fputc(',', f);
			report_csv_num(f, report_jnum(e, "study_mean"), 6);
			fputc('\n', f);
		}
	}
	return report_close(f, path);
}

int report_findings(struct report *r, json_t *rows, json_t *one, json_t **out)
{
	struct study st = {0};
	const struct driver *host = driver_with(DRIVER_CAP_HOST);
	json_t *find = json_array(), *g, *o;
	size_t i;
	int rc = 0;

	*out = NULL;
	if ((rc = study_read(r->o->study_means, 6, study_mean_line, &st)) ||
	    (rc = study_read(r->o->study_platforms, 4, study_map_line, &st)))
		goto out;
	json_array_foreach(one, i, g)
	{
		if (!(o = finding(r, rows, g, &st, host ? host->name : NULL))) {
			rc = -ENOMEM;
			goto out;
		}
		json_array_append_new(find, o);
	}
	if ((rc = write_findings_csv(r, find)))
		goto out;
	*out = json_incref(find);
out:
	free(st.row);
	free(st.map);
	json_decref(find);
	return rc;
}
