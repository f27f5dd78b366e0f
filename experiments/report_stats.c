/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report, statistics: stats.json, per metric and sweep point the
 * study's one-way ANOVA and Tukey HSD across targets, the tests of equal
 * variances, Welch's ANOVA and Games-Howell, and the two-way ANOVA where
 * a metric sweeps a second factor.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"
#include "stats.h"

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
	json_object_set_new(o, "sweep", report_sweep_json(v[0], P_NONE));
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
	json_object_set_new(o, "factors", json_pack("[s, s]", "target", report_param_name[f]));
	json_object_set_new(o, "fixed", report_sweep_json(v[0], f));
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
	json_object_set_new(o, "levels", json_pack("{s:o, s:o}", "target", lt, report_param_name[f], lf));
	json_object_set_new(o, "n", json_integer((json_int_t)n));
	if (stats_anova2(x, fa, fb, n, a, b, &res, &why) == 0) {
		json_t *rows = json_array();

		snprintf(inter, sizeof(inter), "target:%s", report_param_name[f]);
		json_object_set_new(o, "reps", json_integer((json_int_t)res.reps));
		json_array_append_new(rows, anova_row_json("target", &res.fa));
		json_array_append_new(rows, anova_row_json(report_param_name[f], &res.fb));
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

int report_write_stats(struct report *r, json_t **one_out, json_t **two_out)
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
	rc = report_json_write(r, "stats.json", o);
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
