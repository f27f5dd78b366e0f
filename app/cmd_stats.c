/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf stats: ANOVA and Tukey's HSD (equal variances assumed), the
 * tests of that assumption (Levene, Brown-Forsythe) and the tests that do
 * not need it (Welch's ANOVA, Games-Howell pairs) on any tidy CSV file
 * (one observation per row, a header row naming the columns, RFC 4180
 * quoting).
 * No dataplane: this runs on results, anywhere.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"

struct stats_cfg {
	const char *value;
	const char *group;
	const char *alpha;
	int json;
};

static const struct opt_def stats_opts[] = {
	{ "value", OPT_STR, offsetof(struct stats_cfg, value), 0, 0, NULL, "COL",
	  "column holding the measured value (a number on every row)" },
	{ "group", OPT_STR, offsetof(struct stats_cfg, group), 0, 0, NULL, "COL[,COL]",
	  "one column (one-way) or two (two-way ANOVA; other tests: their combinations)" },
	{ "alpha", OPT_STR, offsetof(struct stats_cfg, alpha), 0, 0, "0.05", "A",
	  "1 - confidence level of the intervals" },
	{ "json", OPT_FLAG, offsetof(struct stats_cfg, json), 0, 0, NULL, NULL,
	  "print one JSON object on stdout instead of text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define STATS_SYNOPSIS                                                                                  \
	"anova|tukey|levene|brown-forsythe|welch|games-howell FILE.csv --value COL --group COL[,COL] "  \
	"[options]\n"                                                                                   \
	"  anova, tukey: the study's tests, equal variances assumed; levene (mean-centred),\n"         \
	"  brown-forsythe (median-centred): test that assumption; welch (Welch's ANOVA),\n"            \
	"  games-howell: need no equal variances (use them when brown-forsythe p < alpha)"

/* A CSV file parsed in place: cell (r, c) is cells[r * ncols + c], row 0
 * the header; line[r] is the file line on which row r starts. */
struct csv {
	char *buf;
	char **cells;
	size_t *line;
	size_t nrows, ncols;
};

static void csv_free(struct csv *t)
{
	free(t->buf);
	free(t->cells);
	free(t->line);
}

/*
 * RFC 4180: fields separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, line breaks and "" for a quote. Every
 * record must have as many fields as the header. On error prints one line
 * naming the file and line and returns -EINVAL.
 */
static int csv_read(const char *path, struct csv *t)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 0, ncell = 0, cellcap = 0, rowcap = 0, line = 1, fields = 0;
	char *r, *w, *end, *start;
	int rc = -EINVAL;

	memset(t, 0, sizeof(*t));
	if (!f) {
		fprintf(stderr, "lvperf stats: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (;;) {
		size_t got;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(t->buf, cap = 2 * cap + 4096 + 1);

			if (!nb) {
				fclose(f);
				fprintf(stderr, "lvperf stats: %s: out of memory\n", path);
				return -ENOMEM;
			}
			t->buf = nb;
		}
		got = fread(t->buf + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "lvperf stats: %s: read error\n", path);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	if (!t->buf || len == 0) {
		fprintf(stderr, "lvperf stats: %s:1: empty file, expected a header row\n", path);
		return -EINVAL;
	}
	t->buf[len] = 0;
	r = w = t->buf;
	end = t->buf + len;
	while (r < end) {
		size_t rec_line = line;
		int last;

		/* One record. */
		if (rowcap <= t->nrows) {
			size_t *nl = realloc(t->line, (rowcap = 2 * rowcap + 64) * sizeof(*nl));

			if (!nl)
				goto nomem;
			t->line = nl;
		}
		t->line[t->nrows] = rec_line;
		fields = 0;
		do {
			start = w;
			if (*r == '"') {
				r++;
				for (;;) {
					if (r >= end) {
						fprintf(stderr, "lvperf stats: %s:%zu: quoted field never closed (a \" is missing)\n",
							path, rec_line);
						goto out;
					}
					if (*r == '"' && r + 1 < end && r[1] == '"') {
						*w++ = '"';
						r += 2;
					} else if (*r == '"') {
						r++;
						break;
					} else {
						if (*r == '\n')
							line++;
						*w++ = *r++;
					}
				}
				if (r < end && *r != ',' && *r != '\n' && !(*r == '\r' && r + 1 < end && r[1] == '\n')) {
					fprintf(stderr, "lvperf stats: %s:%zu: field %zu: text after a closing quote (write \"\" for a quote)\n",
						path, line, fields + 1);
					goto out;
				}
			} else {
				while (r < end && *r != ',' && *r != '\n' && !(*r == '\r' && r + 1 < end && r[1] == '\n')) {
					if (*r == '"') {
						fprintf(stderr, "lvperf stats: %s:%zu: field %zu: a quote inside an unquoted field\n",
							path, line, fields + 1);
						goto out;
					}
					*w++ = *r++;
				}
			}
			last = !(r < end && *r == ',');
			if (r < end)
				r += *r == '\r' ? 2 : 1; /* the separator or line end */
			if (last)
				line++;
			*w++ = 0;
			if (ncell == cellcap) {
				char **nc = realloc(t->cells, (cellcap = 2 * cellcap + 256) * sizeof(*nc));

				if (!nc)
					goto nomem;
				t->cells = nc;
			}
			t->cells[ncell++] = start;
			fields++;
			/* A trailing comma at the very end of the file is an empty last field. */
			if (!last && r >= end) {
				start = w;
				*w++ = 0;
				if (ncell == cellcap) {
					char **nc = realloc(t->cells, (cellcap = 2 * cellcap + 256) * sizeof(*nc));

					if (!nc)
						goto nomem;
					t->cells = nc;
				}
				t->cells[ncell++] = start;
				fields++;
				last = 1;
			}
		} while (!last);
		if (t->nrows == 0) {
			t->ncols = fields;
		} else if (fields == 1 && t->cells[ncell - 1][0] == 0 && t->ncols > 1) {
			ncell--; /* a blank line */
			continue;
		} else if (fields != t->ncols) {
			fprintf(stderr, "lvperf stats: %s:%zu: %zu fields, but the header has %zu\n", path,
				rec_line, fields, t->ncols);
			goto out;
		}
		t->nrows++;
	}
	return 0;
nomem:
	fprintf(stderr, "lvperf stats: %s: out of memory\n", path);
	rc = -ENOMEM;
out:
	csv_free(t);
	memset(t, 0, sizeof(*t));
	return rc;
}

static const char *csv_cell(const struct csv *t, size_t row, size_t col)
{
	return t->cells[row * t->ncols + col];
}

/* Index of the header column named name, or -1 after one line on stderr. */
static long csv_column(const struct csv *t, const char *path, const char *name, size_t name_len)
{
	size_t c;

	for (c = 0; c < t->ncols; c++)
		if (strlen(csv_cell(t, 0, c)) == name_len && strncmp(csv_cell(t, 0, c), name, name_len) == 0)
			return (long)c;
	fprintf(stderr, "lvperf stats: %s:%zu: no column '%.*s' in the header (it has:", path, t->line[0],
		(int)name_len, name);
	for (c = 0; c < t->ncols; c++)
		fprintf(stderr, "%s '%s'", c ? "," : "", csv_cell(t, 0, c));
	fprintf(stderr, ")\n");
	return -1;
}

/* Distinct labels in order of first appearance. */
struct levels {
	const char **name;
	size_t n;
};

static long levels_index(struct levels *l, const char *name)
{
	size_t i;
	const char **nn;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return (long)i;
	nn = realloc(l->name, (l->n + 1) * sizeof(*nn));
	if (!nn)
		return -1;
	l->name = nn;
	l->name[l->n] = name;
	return (long)l->n++;
}

/* The data set: values and their level in each grouping column. */
struct stats_data {
	const char *path, *value_col, *group_col[2];
	size_t n, nfactors;
	double *value;
	size_t *level[2];
	struct levels lv[2];
	char **combo;	  /* tukey with two columns: "a:b" labels */
	size_t *cell;	  /* index of the combination a * nb + b */
};

static void stats_data_free(struct stats_data *d)
{
	size_t i;

	free(d->value);
	for (i = 0; i < 2; i++) {
		free(d->level[i]);
		free(d->lv[i].name);
	}
	if (d->combo)
		for (i = 0; i < d->lv[0].n * d->lv[1].n; i++)
			free(d->combo[i]);
	free(d->combo);
	free(d->cell);
}

static int stats_load(const struct csv *t, const struct stats_cfg *cfg, struct stats_data *d)
{
	const char *comma = strchr(cfg->group, ',');
	long vcol, gcol[2];
	size_t r, f;

	d->nfactors = comma ? 2 : 1;
	if (comma && strchr(comma + 1, ',')) {
		fprintf(stderr, "lvperf stats: --group '%s': expected one column or two (COL,COL)\n", cfg->group);
		return -EINVAL;
	}
	vcol = csv_column(t, d->path, cfg->value, strlen(cfg->value));
	if (vcol < 0)
		return -EINVAL;
	gcol[0] = csv_column(t, d->path, cfg->group, comma ? (size_t)(comma - cfg->group) : strlen(cfg->group));
	if (gcol[0] < 0)
		return -EINVAL;
	if (comma && (gcol[1] = csv_column(t, d->path, comma + 1, strlen(comma + 1))) < 0)
		return -EINVAL;
	d->n = t->nrows - 1;
	if (d->n == 0) {
		fprintf(stderr, "lvperf stats: %s:%zu: no data rows after the header\n", d->path, t->line[0] + 1);
		return -EINVAL;
	}
	d->value = calloc(d->n, sizeof(*d->value));
	d->level[0] = calloc(d->n, sizeof(size_t));
	d->level[1] = calloc(d->n, sizeof(size_t));
	if (!d->value || !d->level[0] || !d->level[1])
		goto nomem;
	for (r = 1; r < t->nrows; r++) {
		const char *s = csv_cell(t, r, (size_t)vcol);
		char *endp;
		double v;

		errno = 0;
		v = strtod(s, &endp);
		while (*endp == ' ' || *endp == '\t')
			endp++;
		if (endp == s || *endp || errno == ERANGE || !isfinite(v)) {
			fprintf(stderr, "lvperf stats: %s:%zu: field '%s' is '%s', expected a finite number\n",
				d->path, t->line[r], cfg->value, s);
			return -EINVAL;
		}
		d->value[r - 1] = v;
		for (f = 0; f < d->nfactors; f++) {
			long l = levels_index(&d->lv[f], csv_cell(t, r, (size_t)gcol[f]));

			if (l < 0)
				goto nomem;
			d->level[f][r - 1] = (size_t)l;
		}
	}
	d->value_col = cfg->value;
	return 0;
nomem:
	fprintf(stderr, "lvperf stats: out of memory\n");
	return -ENOMEM;
}

/* JSON number: NaN is null, an infinite F is the string "inf". */
static json_t *stats_json_num(double v)
{
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return app_num_json(v);
}

/* Per group: n, mean, sd and the t interval of the mean. */
static json_t *stats_groups_report(const struct stats_data *d, const size_t *g, size_t k,
				   const char *const *names, double level, int json)
{
	json_t *arr = json ? json_array() : NULL;
	double *x = malloc(d->n * sizeof(*x));
	size_t i, j;

	if (!x)
		return NULL;
	if (!json)
		printf("%-24s %6s %14s %14s   %.4g%% CI of the mean\n", "group", "n", "mean", "sd", level * 100);
	for (j = 0; j < k; j++) {
		double mean = 0, ss = 0, lo = NAN, hi = NAN, sd;
		size_t m = 0;

		for (i = 0; i < d->n; i++)
			if (g[i] == j)
				x[m++] = d->value[i];
		for (i = 0; i < m; i++)
			mean += (x[i] - mean) / (double)(i + 1);
		for (i = 0; i < m; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
		if (m > 1)
			stats_mean_ci(x, m, level, &lo, &hi);
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "name", names[j], "n",
							     (json_int_t)m, "mean", stats_json_num(mean), "sd",
							     stats_json_num(sd), "ci_lo", stats_json_num(lo), "ci_hi",
							     stats_json_num(hi)));
		else
			printf("%-24s %6zu %14.6g %14.6g   [%.6g, %.6g]\n", names[j], m, mean, sd, lo, hi);
	}
	free(x);
	return arr;
}

static json_t *stats_row_json(const char *source, const struct stats_anova_row *r)
{
	return json_pack("{s:s, s:f, s:o, s:o, s:o, s:o}", "source", source, "df", r->df, "ss",
			 stats_json_num(r->ss), "ms", stats_json_num(r->ms), "f", stats_json_num(r->f), "p",
			 stats_json_num(r->p));
}

static void stats_row_print(const char *source, const struct stats_anova_row *r)
{
	printf("%-24s %6.0f %14.6g %14.6g", source, r->df, r->ss, r->ms);
	if (!isnan(r->f))
		printf(" %12.6g %12.4g", r->f, r->p);
	putchar('\n');
}

/* Labels "a:b" of the two-column combinations; the cell index of each row. */
static int stats_combine(struct stats_data *d)
{
	size_t na = d->lv[0].n, nb = d->lv[1].n, i, j;

	d->combo = calloc(na * nb, sizeof(*d->combo));
	d->cell = calloc(d->n, sizeof(*d->cell));
	if (!d->combo || !d->cell)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (asprintf(&d->combo[i * nb + j], "%s:%s", d->lv[0].name[i], d->lv[1].name[j]) < 0)
				return -ENOMEM;
	for (i = 0; i < d->n; i++)
		d->cell[i] = d->level[0][i] * nb + d->level[1][i];
	return 0;
}

static int stats_anova_run(struct stats_data *d, const struct stats_cfg *cfg, double alpha)
{
	const char *why = NULL;
	json_t *o = NULL, *groups;
	int rc;

	if (d->nfactors == 1) {
		struct stats_anova1 r;

		rc = stats_anova1(d->value, d->level[0], d->n, d->lv[0].n, &r, &why);
		if (rc) {
			fprintf(stderr, "lvperf stats: %s: one-way ANOVA of '%s' by '%s': %s\n", d->path,
				d->value_col, d->group_col[0], why ? why : strerror(-rc));
			return APP_ERR;
		}
		if (!cfg->json)
			printf("one-way ANOVA of %s by %s (%s): %zu observations in %zu groups\n\n", d->value_col,
			       d->group_col[0], d->path, r.n, r.k);
		groups = stats_groups_report(d, d->level[0], d->lv[0].n, d->lv[0].name, 1 - alpha, cfg->json);
		if (cfg->json) {
			o = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:I, s:o, s:[o, o], s:o}", "command", "stats",
				      "test", "anova1", "file", d->path, "value", d->value_col, "group",
				      d->group_col[0], "n", (json_int_t)r.n, "groups", groups, "anova",
				      stats_row_json(d->group_col[0], &r.between),
				      stats_row_json("residual", &r.within), "ss_total",
				      stats_json_num(r.ss_total));
			app_json_print(o);
		} else {
			printf("\n%-24s %6s %14s %14s %12s %12s\n", "source", "df", "SS", "MS", "F", "p");
			stats_row_print(d->group_col[0], &r.between);
			stats_row_print("residual", &r.within);
			printf("%-24s %6zu %14.6g\n", "total", r.n - 1, r.ss_total);
		}
		return APP_OK;
	}

	struct stats_anova2 r;
	char inter[256];

	rc = stats_anova2(d->value, d->level[0], d->level[1], d->n, d->lv[0].n, d->lv[1].n, &r, &why);
	if (rc) {
		fprintf(stderr, "lvperf stats: %s: two-way ANOVA of '%s' by '%s' and '%s': %s\n", d->path,
			d->value_col, d->group_col[0], d->group_col[1], why ? why : strerror(-rc));
		return APP_ERR;
	}
	if (stats_combine(d)) {
		fprintf(stderr, "lvperf stats: out of memory\n");
		return APP_ERR;
	}
	snprintf(inter, sizeof(inter), "%s:%s", d->group_col[0], d->group_col[1]);
	if (!cfg->json)
		printf("two-way ANOVA of %s by %s and %s with interaction (%s): %zu x %zu cells of %zu, balanced\n\n",
		       d->value_col, d->group_col[0], d->group_col[1], d->path, r.a, r.b, r.reps);
	groups = stats_groups_report(d, d->cell, r.a * r.b, (const char *const *)d->combo, 1 - alpha, cfg->json);
	if (cfg->json) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:I, s:I, s:o, s:[o, o, o, o], s:o}", "command",
			      "stats", "test", "anova2", "file", d->path, "value", d->value_col, "group",
			      d->group_col[0], d->group_col[1], "n", (json_int_t)r.n, "reps", (json_int_t)r.reps,
			      "cells", groups, "anova", stats_row_json(d->group_col[0], &r.fa),
			      stats_row_json(d->group_col[1], &r.fb), stats_row_json(inter, &r.fab),
			      stats_row_json("residual", &r.resid), "ss_total", stats_json_num(r.ss_total));
		app_json_print(o);
	} else {
		printf("\n%-24s %6s %14s %14s %12s %12s\n", "source", "df", "SS", "MS", "F", "p");
		stats_row_print(d->group_col[0], &r.fa);
		stats_row_print(d->group_col[1], &r.fb);
		stats_row_print(inter, &r.fab);
		stats_row_print("residual", &r.resid);
		printf("%-24s %6zu %14.6g\n", "total", r.n - 1, r.ss_total);
	}
	return APP_OK;
}

static int stats_tukey_run(struct stats_data *d, const struct stats_cfg *cfg, double alpha)
{
	const size_t *g = d->level[0];
	const char *const *names = d->lv[0].name;
	struct stats_tukey_pair *pairs;
	const char *why = NULL;
	size_t k = d->lv[0].n, i, np;
	json_t *groups, *arr = NULL;
	int rc;

	if (d->nfactors == 2) {
		if (stats_combine(d)) {
			fprintf(stderr, "lvperf stats: out of memory\n");
			return APP_ERR;
		}
		g = d->cell;
		names = (const char *const *)d->combo;
		k = d->lv[0].n * d->lv[1].n;
	}
	np = k * (k - 1) / 2;
	pairs = calloc(np ? np : 1, sizeof(*pairs));
	if (!pairs) {
		fprintf(stderr, "lvperf stats: out of memory\n");
		return APP_ERR;
	}
	rc = stats_tukey(d->value, g, d->n, k, alpha, pairs, np, &why);
	if (rc < 0) {
		fprintf(stderr, "lvperf stats: %s: Tukey HSD of '%s' by '%s%s%s': %s\n", d->path, d->value_col,
			d->group_col[0], d->nfactors == 2 ? "," : "", d->nfactors == 2 ? d->group_col[1] : "",
			why ? why : rc == -ERANGE ? "the studentized range quantile did not converge" : strerror(-rc));
		free(pairs);
		return APP_ERR;
	}
	if (!cfg->json)
		printf("Tukey HSD (Tukey-Kramer) of %s by %s%s%s (%s): %zu observations in %zu groups, %.4g%% simultaneous intervals\n\n",
		       d->value_col, d->group_col[0], d->nfactors == 2 ? ":" : "",
		       d->nfactors == 2 ? d->group_col[1] : "", d->path, d->n, k, (1 - alpha) * 100);
	groups = stats_groups_report(d, g, k, names, 1 - alpha, cfg->json);
	if (cfg->json)
		arr = json_array();
	else
		printf("\n%-24s %-24s %12s %12s %12s %10s %12s\n", "group i", "group j", "mean i - j", "lower",
		       "upper", "q", "p adj");
	for (i = 0; i < np; i++) {
		const struct stats_tukey_pair *p = &pairs[i];

		if (cfg->json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "i",
							     names[p->i], "j", names[p->j], "diff",
							     stats_json_num(p->diff), "se", stats_json_num(p->se),
							     "q", stats_json_num(p->q), "p", stats_json_num(p->p),
							     "ci_lo", stats_json_num(p->lo), "ci_hi",
							     stats_json_num(p->hi)));
		else
			printf("%-24s %-24s %12.6g %12.6g %12.6g %10.4g %12.4g\n", names[p->i], names[p->j], p->diff,
			       p->lo, p->hi, p->q, p->p);
	}
	if (cfg->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:o, s:o}", "command", "stats", "test",
				      "tukey", "file", d->path, "value", d->value_col, "group", cfg->group, "n",
				      (json_int_t)d->n, "alpha", alpha, "groups", groups, "pairs", arr);

		app_json_print(o);
	}
	free(pairs);
	return APP_OK;
}

/* The groups of the unequal-variance tests: one column, or two combined. */
static int stats_one_factor(struct stats_data *d, const size_t **g, const char *const **names, size_t *k)
{
	*g = d->level[0];
	*names = d->lv[0].name;
	*k = d->lv[0].n;
	if (d->nfactors == 2) {
		if (stats_combine(d)) {
			fprintf(stderr, "lvperf stats: out of memory\n");
			return -ENOMEM;
		}
		*g = d->cell;
		*names = (const char *const *)d->combo;
		*k = d->lv[0].n * d->lv[1].n;
	}
	return 0;
}

/* levene, brown-forsythe, welch: one F statistic. */
static int stats_ftest_run(struct stats_data *d, const struct stats_cfg *cfg, double alpha, const char *test)
{
	const char *const *names, *why = NULL, *title;
	const size_t *g;
	struct stats_ftest r;
	size_t k;
	json_t *groups;
	int rc, welch = strcmp(test, "welch") == 0;

	if (stats_one_factor(d, &g, &names, &k))
		return APP_ERR;
	if (welch) {
		title = "Welch's ANOVA (unequal variances, Welch 1951)";
		rc = stats_welch_anova(d->value, g, d->n, k, &r, &why);
	} else {
		int median = strcmp(test, "brown-forsythe") == 0;

		title = median ? "Brown-Forsythe test of equal variances (median-centred Levene)"
			       : "Levene's test of equal variances (mean-centred)";
		rc = stats_levene(d->value, g, d->n, k, median ? STATS_CENTER_MEDIAN : STATS_CENTER_MEAN, &r, &why);
	}
	if (rc) {
		fprintf(stderr, "lvperf stats: %s: %s of '%s' by '%s': %s\n", d->path, test, d->value_col,
			cfg->group, why ? why : strerror(-rc));
		return APP_ERR;
	}
	if (!cfg->json)
		printf("%s of %s by %s (%s): %zu observations in %zu groups\n\n", title, d->value_col, cfg->group,
		       d->path, d->n, k);
	groups = stats_groups_report(d, g, k, names, 1 - alpha, cfg->json);
	if (cfg->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "command", "stats",
				      "test", test, "file", d->path, "value", d->value_col, "group", cfg->group, "n",
				      (json_int_t)d->n, "groups", groups, "f", stats_json_num(r.f), "df1",
				      stats_json_num(r.df1), "df2", stats_json_num(r.df2), "p", stats_json_num(r.p));

		app_json_print(o);
	} else {
		printf("\n%-24s %12s %12s %12s %12s\n", "", "F", "df1", "df2", "p");
		printf("%-24s %12.6g %12.6g %12.6g %12.4g\n", test, r.f, r.df1, r.df2, r.p);
		if (!welch)
			printf("\nequal variances %s at alpha = %g\n", r.p < alpha ? "rejected" : "not rejected", alpha);
	}
	return APP_OK;
}

static int stats_gh_run(struct stats_data *d, const struct stats_cfg *cfg, double alpha)
{
	const char *const *names, *why = NULL;
	const size_t *g;
	struct stats_gh_pair *pairs;
	size_t k, i, np;
	json_t *groups, *arr = NULL;
	int rc;

	if (stats_one_factor(d, &g, &names, &k))
		return APP_ERR;
	np = k * (k - 1) / 2;
	pairs = calloc(np ? np : 1, sizeof(*pairs));
	if (!pairs) {
		fprintf(stderr, "lvperf stats: out of memory\n");
		return APP_ERR;
	}
	rc = stats_games_howell(d->value, g, d->n, k, alpha, pairs, np, &why);
	if (rc < 0) {
		fprintf(stderr, "lvperf stats: %s: Games-Howell of '%s' by '%s': %s\n", d->path, d->value_col,
			cfg->group,
			why ? why : rc == -ERANGE ? "the studentized range quantile did not converge" : strerror(-rc));
		free(pairs);
		return APP_ERR;
	}
	if (!cfg->json)
		printf("Games-Howell (unequal variances, Welch-Satterthwaite df per pair) of %s by %s (%s): %zu observations in %zu groups, %.4g%% intervals\n\n",
		       d->value_col, cfg->group, d->path, d->n, k, (1 - alpha) * 100);
	groups = stats_groups_report(d, g, k, names, 1 - alpha, cfg->json);
	if (cfg->json)
		arr = json_array();
	else
		printf("\n%-24s %-24s %12s %12s %12s %10s %10s %12s\n", "group i", "group j", "mean i - j", "lower",
		       "upper", "df", "q", "p adj");
	for (i = 0; i < np; i++) {
		const struct stats_gh_pair *p = &pairs[i];

		if (cfg->json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "i",
							     names[p->i], "j", names[p->j], "diff",
							     stats_json_num(p->diff), "se", stats_json_num(p->se),
							     "df", stats_json_num(p->df), "q", stats_json_num(p->q),
							     "p", stats_json_num(p->p), "ci_lo", stats_json_num(p->lo),
							     "ci_hi", stats_json_num(p->hi)));
		else
			printf("%-24s %-24s %12.6g %12.6g %12.6g %10.4g %10.4g %12.4g\n", names[p->i], names[p->j],
			       p->diff, p->lo, p->hi, p->df, p->q, p->p);
	}
	if (cfg->json)
		app_json_print(json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:o, s:o}", "command", "stats", "test",
					 "games-howell", "file", d->path, "value", d->value_col, "group", cfg->group,
					 "n", (json_int_t)d->n, "alpha", alpha, "groups", groups, "pairs", arr));
	free(pairs);
	return APP_OK;
}

static const char *const stats_tests[] = { "anova", "tukey", "levene", "brown-forsythe", "welch", "games-howell" };

int cmd_stats(int argc, char **argv)
{
	struct stats_cfg cfg;
	struct stats_data d;
	struct csv t;
	const char *test = NULL;
	char *end;
	double alpha;
	int rest, rc;
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	if ((argc >= 1 && opt_is_help(argv[0])) || (argc == 2 && opt_is_help(argv[1]))) {
		opt_usage(stdout, "stats", STATS_SYNOPSIS, stats_opts);
		return APP_OK;
	}
	for (i = 0; argc >= 1 && i < sizeof(stats_tests) / sizeof(stats_tests[0]); i++)
		if (strcmp(argv[0], stats_tests[i]) == 0)
			test = stats_tests[i];
	if (argc < 2 || !test) {
		fprintf(stderr, "lvperf stats: expected TEST FILE.csv, TEST one of anova, tukey, levene, brown-forsythe, "
				"welch, games-howell (see lvperf stats --help)\n");
		return APP_USAGE;
	}
	rc = opt_parse("stats", STATS_SYNOPSIS, stats_opts, &cfg, argc - 2, argv + 2, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc - 2) {
		fprintf(stderr, "lvperf stats: unexpected argument '%s'\n", argv[rest + 2]);
		return APP_USAGE;
	}
	if (!cfg.value || !cfg.group) {
		fprintf(stderr, "lvperf stats: --value COL and --group COL[,COL] are required\n");
		return APP_USAGE;
	}
	errno = 0;
	alpha = strtod(cfg.alpha, &end);
	if (errno || end == cfg.alpha || *end || !(alpha > 0 && alpha < 1)) {
		fprintf(stderr, "lvperf stats: --alpha '%s': expected a number between 0 and 1, e.g. 0.05\n",
			cfg.alpha);
		return APP_USAGE;
	}
	if (csv_read(argv[1], &t))
		return APP_ERR;
	memset(&d, 0, sizeof(d));
	d.path = argv[1];
	rc = stats_load(&t, &cfg, &d);
	if (rc == 0) {
		const char *comma = strchr(cfg.group, ',');
		char first[256];

		snprintf(first, sizeof(first), "%.*s", comma ? (int)(comma - cfg.group) : (int)strlen(cfg.group),
			 cfg.group);
		d.group_col[0] = first;
		d.group_col[1] = comma ? comma + 1 : NULL;
		if (strcmp(test, "anova") == 0)
			rc = stats_anova_run(&d, &cfg, alpha);
		else if (strcmp(test, "tukey") == 0)
			rc = stats_tukey_run(&d, &cfg, alpha);
		else if (strcmp(test, "games-howell") == 0)
			rc = stats_gh_run(&d, &cfg, alpha);
		else
			rc = stats_ftest_run(&d, &cfg, alpha, test);
	} else {
		rc = APP_ERR;
	}
	stats_data_free(&d);
	csv_free(&t);
	return rc;
}
