/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_pow_int.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

/* ---- ANOVA ---------------------------------------------------------------- */

static int stats_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

static int stats_check_values(const double *value, size_t n, const char **why)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(value[i]))
			return stats_fail(why, "a value is NaN or infinite");
	return 0;
}

/* F test of row against the residual line: f = ms / ms_resid, p from the
 * upper tail of F(df, df_resid). */
static void stats_f_test(struct stats_anova_row *row, const struct stats_anova_row *resid)
{
	row->ms = row->ss / row->df;
	if (resid->ms > 0)
		row->f = row->ms / resid->ms;
	else
		row->f = row->ms > 0 ? INFINITY : NAN;
	if (isnan(row->f))
		row->p = NAN;
	else if (isinf(row->f))
		row->p = 0.0;
	else
		row->p = gsl_cdf_fdist_Q(row->f, row->df, resid->df);
}

static void stats_resid_row(struct stats_anova_row *row, double ss, double df)
{
	row->ss = ss;
	row->df = df;
	row->ms = ss / df;
	row->f = row->p = NAN;
}

/*
 * Group sizes and means (running-mean recurrence, as gsl_stats_mean, so a
 * group of equal values has exactly that mean and zero variance) and the
 * pooled within-group sum of squares.
 */
static int stats_groups(const double *value, const size_t *group, size_t n, size_t k, size_t *cnt,
			double *mean, double *ss_within, const char **why)
{
	size_t i;
	double ss = 0;

	if (k < 2)
		return stats_fail(why, "fewer than two groups");
	if (stats_check_values(value, n, why))
		return -EINVAL;
	for (i = 0; i < k; i++)
		cnt[i] = 0, mean[i] = 0;
	for (i = 0; i < n; i++) {
		size_t g = group[i];

		if (g >= k)
			return stats_fail(why, "a group index is not below the number of groups");
		cnt[g]++;
		mean[g] += (value[i] - mean[g]) / (double)cnt[g];
	}
	for (i = 0; i < k; i++)
		if (cnt[i] == 0)
			return stats_fail(why, "a group has no observations");
	if (n <= k)
		return stats_fail(why, "no residual degree of freedom: every group has one observation");
	for (i = 0; i < n; i++) {
		double d = value[i] - mean[group[i]];

		ss += d * d;
	}
	*ss_within = ss;
	return 0;
}

static double stats_mean_of(const double *x, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m += (x[i] - m) / (double)(i + 1);
	return m;
}

int stats_anova1(const double *value, const size_t *group, size_t n, size_t k,
		 struct stats_anova1 *out, const char **why)
{
	size_t *cnt;
	double *mean, grand, ssw, ssb = 0, sst = 0;
	size_t i;
	int rc;

	if (k < 2)
		return stats_fail(why, "fewer than two groups");
	cnt = calloc(k, sizeof(*cnt));
	mean = calloc(k, sizeof(*mean));
	if (!cnt || !mean) {
		rc = -ENOMEM;
		goto out;
	}
	rc = stats_groups(value, group, n, k, cnt, mean, &ssw, why);
	if (rc)
		goto out;
	grand = stats_mean_of(value, n);
	for (i = 0; i < k; i++)
		ssb += (double)cnt[i] * (mean[i] - grand) * (mean[i] - grand);
	for (i = 0; i < n; i++)
		sst += (value[i] - grand) * (value[i] - grand);
	out->n = n;
	out->k = k;
	out->ss_total = sst;
	stats_resid_row(&out->within, ssw, (double)(n - k));
	out->between.ss = ssb;
	out->between.df = (double)(k - 1);
	stats_f_test(&out->between, &out->within);
out:
	free(cnt);
	free(mean);
	return rc;
}

int stats_anova2(const double *value, const size_t *fa, const size_t *fb, size_t n, size_t a,
		 size_t b, struct stats_anova2 *out, const char **why)
{
	size_t *cnt = NULL, i, j, r;
	double *cell = NULL, *ma = NULL, *mb = NULL, grand, ssa = 0, ssb = 0, ssab = 0, sse = 0, sst = 0;
	int rc = 0;

	if (a < 2 || b < 2)
		return stats_fail(why, "each factor needs at least two levels");
	if (stats_check_values(value, n, why))
		return -EINVAL;
	if (a > ((size_t)-1 / sizeof(double)) / b)
		return -ENOMEM;
	cnt = calloc(a * b, sizeof(*cnt));
	cell = calloc(a * b, sizeof(*cell));
	ma = calloc(a, sizeof(*ma));
	mb = calloc(b, sizeof(*mb));
	if (!cnt || !cell || !ma || !mb) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t c;

		if (fa[i] >= a || fb[i] >= b) {
			rc = stats_fail(why, "a level index is not below the number of levels");
			goto out;
		}
		c = fa[i] * b + fb[i];
		cnt[c]++;
		cell[c] += (value[i] - cell[c]) / (double)cnt[c];
	}
	r = cnt[0];
	for (i = 0; i < a * b; i++) {
		if (cnt[i] == 0) {
			rc = stats_fail(why, "a cell (combination of levels) has no observations");
			goto out;
		}
		if (cnt[i] != r) {
			rc = stats_fail(why, "unbalanced design: the cells differ in their number of "
					     "observations (balanced designs only)");
			goto out;
		}
	}
	if (r < 2) {
		rc = stats_fail(why, "one observation per cell: no residual to test the interaction against");
		goto out;
	}
	/* Balanced: marginal means are means of cell means. */
	for (i = 0; i < a; i++)
		ma[i] = stats_mean_of(cell + i * b, b);
	for (j = 0; j < b; j++) {
		double m = 0;

		for (i = 0; i < a; i++)
			m += (cell[i * b + j] - m) / (double)(i + 1);
		mb[j] = m;
	}
	grand = stats_mean_of(value, n);
	for (i = 0; i < a; i++)
		ssa += (ma[i] - grand) * (ma[i] - grand);
	for (j = 0; j < b; j++)
		ssb += (mb[j] - grand) * (mb[j] - grand);
	for (i = 0; i < a; i++)
		for (j = 0; j < b; j++) {
			double d = cell[i * b + j] - ma[i] - mb[j] + grand;

			ssab += d * d;
		}
	for (i = 0; i < n; i++) {
		double d = value[i] - cell[fa[i] * b + fb[i]], t = value[i] - grand;

		sse += d * d;
		sst += t * t;
	}
	out->n = n;
	out->a = a;
	out->b = b;
	out->reps = r;
	out->ss_total = sst;
	stats_resid_row(&out->resid, sse, (double)(n - a * b));
	out->fa.ss = (double)(b * r) * ssa;
	out->fa.df = (double)(a - 1);
	out->fb.ss = (double)(a * r) * ssb;
	out->fb.df = (double)(b - 1);
	out->fab.ss = (double)r * ssab;
	out->fab.df = (double)((a - 1) * (b - 1));
	stats_f_test(&out->fa, &out->resid);
	stats_f_test(&out->fb, &out->resid);
	stats_f_test(&out->fab, &out->resid);
out:
	free(cnt);
	free(cell);
	free(ma);
	free(mb);
	return rc;
}

/* ---- The studentized range distribution ------------------------------------ */

/*
 * Copenhaver & Holland (1988), "Computation of the distribution of the
 * maximum studentized range statistic with application to multiple
 * significance testing of simple effects", J. Statist. Comput. Simul. 30,
 * 1-15; the scheme of R's ptukey(). For nmeans = k standard normals with
 * minimum x, the range W satisfies
 *
 *   P(W <= w) = k Int phi(x) [Phi(x + w) - Phi(x)]^(k-1) dx          (inner)
 *   P(W >  w) = k Int phi(x) {Q(x)^(k-1) - [Q(x) - Q(x + w)]^(k-1)} dx
 *   f_W(w)    = k (k-1) Int phi(x) phi(x + w) [Phi(x + w) - Phi(x)]^(k-2) dx
 *
 * (the second because k Int phi(x) Q(x)^(k-1) dx = 1; written this way it
 * keeps full relative precision in the far upper tail, where 1 - P(W <= w)
 * would cancel). Studentizing by s, s^2 ~ chi-square(df) / df,
 *
 *   P(Q <= q) = Int_0^inf f_s(s) P(W <= q s) ds                        (outer)
 *   f_Q(q)    = Int_0^inf f_s(s) s f_W(q s) ds
 *
 * with f_s the scaled chi density. Both integrals are summed over panels
 * with 16-point Gauss-Legendre rules (gsl_integration_glfixed_point), the
 * inner one over a window of the minimum wide enough that what lies
 * outside is below exp(-40) of the integral, the outer one marching out
 * from the mode of the integrand until a panel adds less than 1e-17 of
 * the sum. The density shares the nodes of the distribution function.
 * A coarse mode (8-point rules, panels to 1e-10 of the sum; ~1e-9
 * relative) serves stats_qtukey's first Newton steps.
 */

#define PTUKEY_GL_POINTS 16
#define PTUKEY_COARSE_POINTS 8
#define PTUKEY_COARSE_TOL 1e-10
#define PTUKEY_INNER_PANEL 1.0
#define PTUKEY_INNER_HALF 9.0
#define PTUKEY_MAX_PANELS 4000

struct ptukey_ctx {
	const gsl_integration_glfixed_table *gl;
	double k;	/* nmeans */
	double a;	/* df / 2 */
	double logc;	/* log of the chi density's constant */
	double q;
	int upper;	/* integrate P(. > q) instead of P(. <= q) */
	int dens;	/* also integrate the density */
	double tol;	/* stop when a panel adds less than tol of the sum */
};

/* A distribution function (either tail) and the density at one point. */
struct ptukey_val {
	double p;
	double d;
};

/*
 * d = Phi(x + w) - Phi(x) from the smaller tail areas, to avoid
 * cancellation, with Q(x) and Q(x + w) where they come free and exact:
 * 1 - P(y) loses nothing when P(y) <= 1/2. *qxw < 0 when not computed.
 */
static double ptukey_window(double x, double w, double *qx, double *qxw)
{
	double px, pxw;

	if (x + w / 2 >= 0) {
		*qx = gsl_cdf_ugaussian_Q(x);
		*qxw = gsl_cdf_ugaussian_Q(x + w);
		return *qx - *qxw;
	}
	px = gsl_cdf_ugaussian_P(x);
	pxw = gsl_cdf_ugaussian_P(x + w);
	*qx = 1 - px;
	*qxw = x + w <= 0 ? 1 - pxw : -1;
	return pxw - px;
}

static struct ptukey_val ptukey_inner_f(const struct ptukey_ctx *c, double x, double w)
{
	struct ptukey_val v = { 0, 0 };
	double qx, qxw, d = ptukey_window(x, w, &qx, &qxw), phi, ratio, l;

	if (d <= 0)
		return v;
	phi = gsl_ran_ugaussian_pdf(x);
	if (c->dens)
		v.d = c->k * (c->k - 1) * phi * gsl_ran_ugaussian_pdf(x + w) * gsl_pow_int(d, (int)c->k - 2);
	if (!c->upper) {
		v.p = c->k * phi * gsl_pow_int(d, (int)c->k - 1);
		return v;
	}
	if (qx <= 0)
		return v;
	/* Q^(k-1) - d^(k-1) = Q^(k-1) (1 - (d/Q)^(k-1)), d/Q = 1 - Q(x+w)/Q(x). */
	ratio = d / qx;
	if (ratio > 0.5)
		l = log1p(-(qxw < 0 ? gsl_cdf_ugaussian_Q(x + w) : qxw) / qx);
	else
		l = log(ratio);
	v.p = c->k * phi * gsl_pow_int(qx, (int)c->k - 1) * -expm1((c->k - 1) * l);
	return v;
}

static struct ptukey_val ptukey_inner_panel(const struct ptukey_ctx *c, double a, double w)
{
	struct ptukey_val sum = { 0, 0 }, v;
	double x, wt;
	size_t i;

	for (i = 0; i < c->gl->n; i++) {
		gsl_integration_glfixed_point(a, a + PTUKEY_INNER_PANEL, i, &x, &wt, c->gl);
		v = ptukey_inner_f(c, x, w);
		sum.p += wt * v.p;
		sum.d += wt * v.d;
	}
	return sum;
}

/*
 * P(W <= w) or P(W > w) for the range of k standard normals (df = inf),
 * and f_W(w) when c->dens. The window's unit panels are summed outwards
 * from the one holding the integrand's largest node value on a coarse
 * scan, each way until a panel adds less than the tolerance of the sum:
 * the integrand is unimodal in x (log-concave for P(W <= w); for P(W > w)
 * checked against the whole window to 6e-16 over k 2..50, q 0.05..60),
 * so what is skipped is below that too.
 */
static struct ptukey_val ptukey_inner(const struct ptukey_ctx *c, double w)
{
	struct ptukey_val sum = { 0, 0 }, part;
	double lo, hi, best = -1, f;
	int n, j, mid = 0;

	lo = -w / 2 - PTUKEY_INNER_HALF;
	hi = -w / 2 + PTUKEY_INNER_HALF;
	if (!c->upper) {
		/* P(W <= w) near 1: the minimum's own distribution matters. */
		lo = fmax(lo, -13.0);
		hi = fmax(hi, PTUKEY_INNER_HALF);
	}
	n = (int)ceil((hi - lo) / PTUKEY_INNER_PANEL - 1e-9);
	for (j = 0; j < n; j++) {
		f = ptukey_inner_f(c, lo + (j + 0.5) * PTUKEY_INNER_PANEL, w).p;
		if (f > best) {
			best = f;
			mid = j;
		}
	}
	for (j = mid; j < n; j++) {
		part = ptukey_inner_panel(c, lo + j * PTUKEY_INNER_PANEL, w);
		sum.p += part.p;
		sum.d += part.d;
		if (j > mid && part.p < c->tol * sum.p)
			break;
	}
	for (j = mid - 1; j >= 0; j--) {
		part = ptukey_inner_panel(c, lo + j * PTUKEY_INNER_PANEL, w);
		sum.p += part.p;
		sum.d += part.d;
		if (part.p < c->tol * sum.p)
			break;
	}
	return sum;
}

/*
 * f_s(s) P(W ? q s) and f_s(s) s f_W(q s). With a = df / 2 and the
 * Stirling remainder gamma*(a) (gsl_sf_gammastar), the density of
 * s = sqrt(chi2(df) / df) is
 *   f_s(s) = 2 sqrt(a / 2pi) / gamma*(a) / s * exp(a (log(s^2) - s^2 + 1)),
 * and log(1 + v) - v (gsl_sf_log_1plusx_mx, v = s^2 - 1) stays exact for
 * df in the millions where lgamma-based forms lose digits.
 */
static struct ptukey_val ptukey_outer_f(const struct ptukey_ctx *c, double s)
{
	struct ptukey_val v = { 0, 0 };
	double dens, lx;

	if (s <= 0)
		return v;
	/* Near s = 0, s^2 - 1 rounds to -1, outside log_1plusx_mx's domain. */
	if (s < 0.5)
		lx = 2 * log(s) - s * s + 1;
	else
		lx = gsl_sf_log_1plusx_mx(s * s - 1);
	dens = exp(c->logc + c->a * lx) / s;
	if (dens == 0)
		return v;
	v = ptukey_inner(c, c->q * s);
	v.p *= dens;
	v.d *= dens * s;
	return v;
}

static struct ptukey_val ptukey_outer_panel(const struct ptukey_ctx *c, double a, double b)
{
	struct ptukey_val sum = { 0, 0 }, v;
	double s, wt;
	size_t i;

	for (i = 0; i < c->gl->n; i++) {
		gsl_integration_glfixed_point(a, b, i, &s, &wt, c->gl);
		v = ptukey_outer_f(c, s);
		sum.p += wt * v.p;
		sum.d += wt * v.d;
	}
	return sum;
}

static struct ptukey_val ptukey_outer(const struct ptukey_ctx *c)
{
	struct ptukey_val sum = { 0, 0 }, part;
	double m, cc, s0, h;
	int j;

	/* Mode and scale of s^(2a-1+m) exp(-(a + cc) s^2), the integrand's
	 * Gaussian-tail approximation: P(W > w) ~ exp(-w^2/4), and P(W <= w)
	 * ~ w^(k-1) for small w. */
	m = c->upper ? 0 : c->k - 1;
	cc = c->upper ? c->q * c->q / 4 : 0;
	s0 = sqrt(fmax(2 * c->a - 1 + m, 0.5) / (2 * (c->a + cc)));
	h = 1 / (2 * sqrt(c->a + cc));
	for (j = 0; j < PTUKEY_MAX_PANELS; j++) {
		part = ptukey_outer_panel(c, s0 + j * h, s0 + (j + 1) * h);
		sum.p += part.p;
		sum.d += part.d;
		if (j >= 2 && part.p < c->tol * sum.p)
			break;
	}
	for (j = 0; j < PTUKEY_MAX_PANELS && s0 - j * h > 0; j++) {
		part = ptukey_outer_panel(c, fmax(s0 - (j + 1) * h, 0), s0 - j * h);
		sum.p += part.p;
		sum.d += part.d;
		if (part.p < c->tol * sum.p)
			break;
	}
	return sum;
}

/* P(Q <= q) (upper = 0) or P(Q > q) (upper = 1), and in *dens f_Q(q)
 * when dens is not NULL; on the coarse quadrature when coarse. */
static double ptukey_tail(double q, int nmeans, double df, int upper, double *dens, int coarse)
{
	struct ptukey_ctx c;
	gsl_integration_glfixed_table *gl;
	struct ptukey_val r;

	if (dens)
		*dens = 0;
	if (isnan(q) || isnan(df) || nmeans < 2 || df <= 0)
		return NAN;
	if (q <= 0)
		return upper ? 1.0 : 0.0;
	if (isinf(q))
		return upper ? 0.0 : 1.0;
	gl = gsl_integration_glfixed_table_alloc(coarse ? PTUKEY_COARSE_POINTS : PTUKEY_GL_POINTS);
	if (!gl)
		return NAN;
	c.gl = gl;
	c.k = nmeans;
	c.upper = upper;
	c.dens = dens != NULL;
	c.tol = coarse ? PTUKEY_COARSE_TOL : 1e-17;
	c.q = q;
	if (isinf(df)) {
		r = ptukey_inner(&c, q);
	} else {
		c.a = df / 2;
		c.logc = log(2 * sqrt(c.a / (2 * M_PI)) / gsl_sf_gammastar(c.a));
		r = ptukey_outer(&c);
	}
	gsl_integration_glfixed_table_free(gl);
	if (dens)
		*dens = r.d;
	return fmin(fmax(r.p, 0.0), 1.0);
}

double stats_ptukey(double q, int nmeans, double df)
{
	return ptukey_tail(q, nmeans, df, 0, NULL, 0);
}

double stats_ptukey_upper(double q, int nmeans, double df)
{
	return ptukey_tail(q, nmeans, df, 1, NULL, 0);
}

/*
 * Starting point: Lund & Lund (1983), "Algorithm AS 190: Probabilities and
 * upper quantiles for the studentized range", Appl. Statist. 32, 204-210,
 * the qinv() of R's qtukey(): Odeh & Evans' normal quantile, a
 * Cornish-Fisher step to Student's t, then an empirical fit in log(k - 1).
 * Within a few percent for p in 0.9-0.99; Newton's method does the rest.
 */
static double qtukey_start(double p, int nmeans, double df)
{
	static const double pn[] = { -0.322232431088, -1.0, -0.342242088547, -0.0204231210245,
				     -0.453642210148e-04 };
	static const double qn[] = { 0.993484626060e-01, 0.588581570495, 0.531103462366,
				     0.103537752850, 0.38560700634e-02 };
	double ps = 0.5 - 0.5 * fmin(fmax(p, 0.01), 0.999999), yi, t, r;

	yi = sqrt(log(1 / (ps * ps)));
	t = yi + ((((yi * pn[4] + pn[3]) * yi + pn[2]) * yi + pn[1]) * yi + pn[0]) /
			 ((((yi * qn[4] + qn[3]) * yi + qn[2]) * yi + qn[1]) * yi + qn[0]);
	if (df < 120)
		t += (t * t * t + t) / df / 4;
	r = 0.8832 - 0.2368 * t;
	if (df < 120)
		r += (-1.214 + 1.208 * t) / df;
	return fmax(t * (r * log(nmeans - 1.0) + 1.4142), 0.1);
}

/*
 * Newton's method on h(u) = log(1 - p) - log P(Q > e^u) (p > 0.5; on
 * log P(Q <= e^u) - log p otherwise), h'(u) = q f_Q(q) / P(Q > q). Both
 * tails are close to straight lines in log q (P(Q > q) ~ q^-df for small
 * df, P(Q <= q) ~ q^(k-1) near 0), so few steps from qtukey_start
 * converge, and each step is kept inside the bracket of signs seen so far
 * (bisecting it when Newton would leave it). The steps run on a coarse
 * quadrature (8-point rules, panels to 1e-10 of the sum) until a step is
 * below QTUKEY_COARSE_STEP, which leaves q within ~1e-7 relative of the
 * root; then on the full one until a step is below QTUKEY_STEP: the
 * convergence is quadratic, with a constant near 1 here, so what is left
 * after that step is ~1e-14 relative.
 */
#define QTUKEY_MAX_ITER 100
#define QTUKEY_COARSE_STEP 3e-4
#define QTUKEY_STEP 1e-7

double stats_qtukey(double p, int nmeans, double df)
{
	double u, lo = -INFINITY, hi = INFINITY, target, pr, dens, h, dh, step, q;
	int upper = p > 0.5, coarse = 1, i;

	if (isnan(p) || p < 0 || p > 1 || nmeans < 2 || isnan(df) || df <= 0)
		return NAN;
	if (p == 0)
		return 0.0;
	if (p == 1)
		return INFINITY;
	target = log(upper ? 1 - p : p);
	u = log(qtukey_start(p, nmeans, df));
	for (i = 0; i < QTUKEY_MAX_ITER; i++) {
		q = exp(u);
		pr = ptukey_tail(q, nmeans, df, upper, &dens, coarse);
		if (!isfinite(pr) || !isfinite(dens))
			return NAN;
		/* h increases with u; a tail that underflowed counts as far out. */
		h = upper ? target - log(pr) : log(pr) - target;
		if (h == 0)
			return q;
		if (!coarse) {
			if (h < 0)
				lo = u;
			else
				hi = u;
		}
		dh = pr > 0 ? q * dens / pr : 0;
		step = dh > 0 && isfinite(h) ? -h / dh : (h < 0 ? 1 : -1);
		step = fmin(fmax(step, -1.0), 1.0);
		if (!(u + step > lo && u + step < hi) && isfinite(lo) && isfinite(hi))
			step = (lo + hi) / 2 - u;
		u += step;
		if (fabs(step) < (coarse ? QTUKEY_COARSE_STEP : QTUKEY_STEP)) {
			if (!coarse)
				return exp(u);
			coarse = 0;
		}
	}
	return NAN;
}

/* ---- Post-hoc and intervals ------------------------------------------------ */

/* The arguments every pairwise comparison takes: k groups (2..INT_MAX),
 * alpha in (0, 1) and room for k (k - 1) / 2 pairs. */
static int stats_pairs_check(size_t k, double alpha, size_t max_pairs, const char **why)
{
	if (k < 2)
		return stats_fail(why, "fewer than two groups");
	if (k > INT_MAX)
		return stats_fail(why, "too many groups");
	if (!(alpha > 0 && alpha < 1))
		return stats_fail(why, "alpha is not between 0 and 1");
	if (max_pairs < k * (k - 1) / 2)
		return -ENOSPC;
	return 0;
}

int stats_tukey(const double *value, const size_t *group, size_t n, size_t k, double alpha,
		struct stats_tukey_pair *pairs, size_t max_pairs, const char **why)
{
	size_t *cnt, i, j, np = 0;
	double *mean, ssw, mse, df, crit;
	int rc;

	rc = stats_pairs_check(k, alpha, max_pairs, why);
	if (rc)
		return rc;
	cnt = calloc(k, sizeof(*cnt));
	mean = calloc(k, sizeof(*mean));
	if (!cnt || !mean) {
		rc = -ENOMEM;
		goto out;
	}
	rc = stats_groups(value, group, n, k, cnt, mean, &ssw, why);
	if (rc)
		goto out;
	df = (double)(n - k);
	mse = ssw / df;
	crit = stats_qtukey(1 - alpha, (int)k, df);
	if (isnan(crit)) {
		rc = -ERANGE;
		goto out;
	}
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++) {
			struct stats_tukey_pair *t = &pairs[np++];

			t->i = i;
			t->j = j;
			t->diff = mean[i] - mean[j];
			t->se = sqrt(mse / 2 * (1.0 / (double)cnt[i] + 1.0 / (double)cnt[j]));
			if (t->se > 0)
				t->q = fabs(t->diff) / t->se;
			else
				t->q = t->diff != 0 ? INFINITY : NAN;
			t->p = stats_ptukey_upper(t->q, (int)k, df);
			t->lo = t->diff - crit * t->se;
			t->hi = t->diff + crit * t->se;
		}
	rc = (int)np;
out:
	free(cnt);
	free(mean);
	return rc;
}

int stats_mean_ci(const double *x, size_t n, double level, double *lo, double *hi)
{
	double mean, sd, half;

	if (n < 2 || !(level > 0 && level < 1) || stats_check_values(x, n, NULL))
		return -EINVAL;
	mean = stats_mean_of(x, n);
	sd = gsl_stats_sd_m(x, 1, n, mean);
	half = gsl_cdf_tdist_Pinv((1 + level) / 2, (double)(n - 1)) * sd / sqrt((double)n);
	*lo = mean - half;
	*hi = mean + half;
	return 0;
}

/* ---- Unequal variances ------------------------------------------------------ */

/* Group sizes, means and sample variances; every group needs n_i >= 2. */
static int stats_group_vars(const double *value, const size_t *group, size_t n, size_t k,
			    size_t *cnt, double *mean, double *var, const char **why)
{
	double ssw;
	size_t i;
	int rc = stats_groups(value, group, n, k, cnt, mean, &ssw, why);

	if (rc)
		return rc;
	for (i = 0; i < k; i++) {
		if (cnt[i] < 2)
			return stats_fail(why, "a group has fewer than two observations: its variance is not defined");
		var[i] = 0;
	}
	for (i = 0; i < n; i++) {
		double d = value[i] - mean[group[i]];

		var[group[i]] += d * d;
	}
	for (i = 0; i < k; i++)
		var[i] /= (double)(cnt[i] - 1);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int stats_levene(const double *value, const size_t *group, size_t n, size_t k,
		 enum stats_center center, struct stats_ftest *out, const char **why)
{
	size_t *cnt = NULL, *at = NULL, i;
	double *c = NULL, *z = NULL, *var = NULL, *sorted = NULL;
	struct stats_anova1 a;
	int rc;

	if (k < 2)
		return stats_fail(why, "fewer than two groups");
	cnt = calloc(k, sizeof(*cnt));
	at = calloc(k + 1, sizeof(*at));
	c = calloc(k, sizeof(*c));
	var = calloc(k, sizeof(*var));
	z = malloc((n ? n : 1) * sizeof(*z));
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!cnt || !at || !c || !var || !z || !sorted) {
		rc = -ENOMEM;
		goto out;
	}
	rc = stats_group_vars(value, group, n, k, cnt, c, var, why);
	if (rc)
		goto out;
	if (center == STATS_CENTER_MEDIAN) {
		/* Values grouped (counting sort by group), each group sorted. */
		for (i = 0; i < k; i++)
			at[i + 1] = at[i] + cnt[i];
		for (i = 0; i < k; i++)
			cnt[i] = 0;
		for (i = 0; i < n; i++)
			sorted[at[group[i]] + cnt[group[i]]++] = value[i];
		for (i = 0; i < k; i++) {
			qsort(sorted + at[i], cnt[i], sizeof(double), cmp_double);
			c[i] = gsl_stats_median_from_sorted_data(sorted + at[i], 1, cnt[i]);
		}
	}
	for (i = 0; i < n; i++)
		z[i] = fabs(value[i] - c[group[i]]);
	rc = stats_anova1(z, group, n, k, &a, why);
	if (rc)
		goto out;
	out->f = a.between.f;
	out->df1 = a.between.df;
	out->df2 = a.within.df;
	out->p = a.between.p;
out:
	free(cnt);
	free(at);
	free(c);
	free(var);
	free(z);
	free(sorted);
	return rc;
}

int stats_welch_anova(const double *value, const size_t *group, size_t n, size_t k,
		      struct stats_ftest *out, const char **why)
{
	size_t *cnt = calloc(k ? k : 1, sizeof(*cnt)), i;
	double *mean = calloc(k ? k : 1, sizeof(*mean)), *var = calloc(k ? k : 1, sizeof(*var));
	double w, sw = 0, m = 0, a = 0, lam = 0, kk = (double)k;
	int rc;

	if (!cnt || !mean || !var) {
		rc = -ENOMEM;
		goto out;
	}
	rc = stats_group_vars(value, group, n, k, cnt, mean, var, why);
	if (rc)
		goto out;
	for (i = 0; i < k; i++) {
		if (!(var[i] > 0)) {
			rc = stats_fail(why, "a group has zero variance: Welch's weight n/s^2 is infinite");
			goto out;
		}
		sw += (double)cnt[i] / var[i];
	}
	for (i = 0; i < k; i++)
		m += (double)cnt[i] / var[i] / sw * mean[i];
	for (i = 0; i < k; i++) {
		w = (double)cnt[i] / var[i];
		a += w * (mean[i] - m) * (mean[i] - m);
		lam += (1 - w / sw) * (1 - w / sw) / (double)(cnt[i] - 1);
	}
	out->df1 = kk - 1;
	out->df2 = (kk * kk - 1) / (3 * lam);
	out->f = a / (kk - 1) / (1 + 2 * (kk - 2) * lam / (kk * kk - 1));
	out->p = gsl_cdf_fdist_Q(out->f, out->df1, out->df2);
out:
	free(cnt);
	free(mean);
	free(var);
	return rc;
}

int stats_games_howell(const double *value, const size_t *group, size_t n, size_t k,
		       double alpha, struct stats_gh_pair *pairs, size_t max_pairs,
		       const char **why)
{
	size_t *cnt, i, j, np = 0;
	double *mean, *var;
	int rc;

	rc = stats_pairs_check(k, alpha, max_pairs, why);
	if (rc)
		return rc;
	cnt = calloc(k, sizeof(*cnt));
	mean = calloc(k, sizeof(*mean));
	var = calloc(k, sizeof(*var));
	if (!cnt || !mean || !var) {
		rc = -ENOMEM;
		goto out;
	}
	rc = stats_group_vars(value, group, n, k, cnt, mean, var, why);
	if (rc)
		goto out;
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++) {
			struct stats_gh_pair *t = &pairs[np++];
			double vi = var[i] / (double)cnt[i], vj = var[j] / (double)cnt[j], crit;

			t->i = i;
			t->j = j;
			t->diff = mean[i] - mean[j];
			t->se = sqrt((vi + vj) / 2);
			if (t->se > 0) {
				t->df = (vi + vj) * (vi + vj) /
					(vi * vi / (double)(cnt[i] - 1) + vj * vj / (double)(cnt[j] - 1));
				t->q = fabs(t->diff) / t->se;
				t->p = stats_ptukey_upper(t->q, (int)k, t->df);
				crit = stats_qtukey(1 - alpha, (int)k, t->df);
				if (isnan(crit)) {
					rc = -ERANGE;
					goto out;
				}
				t->lo = t->diff - crit * t->se;
				t->hi = t->diff + crit * t->se;
			} else {
				/* Both groups constant: nothing random is left. */
				t->df = NAN;
				t->q = t->diff != 0 ? INFINITY : NAN;
				t->p = t->diff != 0 ? 0.0 : NAN;
				t->lo = t->hi = t->diff;
			}
		}
	rc = (int)np;
out:
	free(cnt);
	free(mean);
	free(var);
	return rc;
}
