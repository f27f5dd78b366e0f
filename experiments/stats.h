/* SPDX-License-Identifier: BSD-3-Clause
 * Statistics of samples (GSL): descriptive summaries, one- and two-way
 * ANOVA, Tukey's HSD post-hoc test, tests of equal variances (Levene,
 * Brown-Forsythe), Welch's ANOVA and Games-Howell pairs for unequal
 * variances, and confidence intervals of a mean.
 */
#ifndef LVP_STATS_H
#define LVP_STATS_H

#include <stddef.h>

#include "summary.h"

/*
 * One line of an ANOVA table. ms = ss / df; f = ms / ms of the residual
 * line, +inf when the residual ms is 0 and ms > 0 (then p = 0), NaN when
 * both are 0; p = P(F(df, df_resid) > f). f and p are NaN on the residual
 * line itself.
 */
struct stats_anova_row {
	double ss, df, ms, f, p;
};

struct stats_anova1 {
	size_t n, k;			       /* observations, groups */
	struct stats_anova_row between, within; /* within: the residual */
	double ss_total;
};

/*
 * One-way ANOVA (fixed effects; Fisher's F test, p from gsl_cdf_fdist_Q).
 * value[i] belongs to group[i], 0 <= group[i] < k; groups may differ in
 * size. Fills *out and returns 0, or -EINVAL with *why (if why is not
 * NULL) set to a static sentence: k < 2, a group index >= k, an empty
 * group, no residual degree of freedom (n == k), a value that is NaN or
 * infinite. Returns -ENOMEM when out of memory.
 */
int stats_anova1(const double *value, const size_t *group, size_t n, size_t k,
		 struct stats_anova1 *out, const char **why);

struct stats_anova2 {
	size_t n, a, b, reps; /* observations, levels of A and B, per cell */
	struct stats_anova_row fa, fb, fab, resid;
	double ss_total;
};

/*
 * Two-way ANOVA with interaction, fixed effects, for a balanced design:
 * every one of the a x b cells holds the same number reps >= 2 of
 * observations (then Type I, II and III sums of squares coincide; an
 * unbalanced design is refused rather than given order-dependent Type I
 * figures). value[i] is in cell (fa[i], fb[i]). F tests each effect
 * against the residual mean square. Returns 0, -EINVAL with *why as
 * stats_anova1 (also: a or b < 2, unbalanced, one observation per cell),
 * or -ENOMEM.
 */
int stats_anova2(const double *value, const size_t *fa, const size_t *fb, size_t n, size_t a,
		 size_t b, struct stats_anova2 *out, const char **why);

struct stats_tukey_pair {
	size_t i, j;	/* groups compared, i < j */
	double diff;	/* mean_i - mean_j */
	double se;	/* sqrt(MS_within / 2 * (1/n_i + 1/n_j)), the q scale */
	double q;	/* |diff| / se */
	double p;	/* P(Q(k, n - k) > q), adjusted for all k(k-1)/2 pairs */
	double lo, hi;	/* simultaneous 1 - alpha interval of mean_i - mean_j */
};

/*
 * Tukey's honestly significant difference test; for unequal group sizes
 * the Tukey-Kramer interval (Kramer 1956), which is what scipy.stats.
 * tukey_hsd and R's TukeyHSD compute. Input as stats_anova1; alpha in
 * (0, 1), e.g. 0.05 for 95 % intervals. Writes the k(k-1)/2 pairs in the
 * order (0,1), (0,2), ..., (k-2,k-1) to pairs[] and returns their number;
 * -ENOSPC when max_pairs is smaller, -EINVAL (with *why) for bad input,
 * -ERANGE when the studentized range quantile does not converge, -ENOMEM.
 */
int stats_tukey(const double *value, const size_t *group, size_t n, size_t k, double alpha,
		struct stats_tukey_pair *pairs, size_t max_pairs, const char **why);

/*
 * The studentized range distribution: Q = (max - min of nmeans standard
 * normals) / s, s^2 an independent chi-square(df) / df. stats_ptukey
 * returns P(Q <= q), stats_ptukey_upper P(Q > q) computed directly (full
 * relative precision in the far tail, not 1 - P). df > 0 may be
 * fractional or INFINITY (s = 1). NaN for nmeans < 2, df <= 0 or a NaN
 * argument. Method: Copenhaver & Holland (1988), double integral over the
 * normal minimum and the chi-distributed s by Gauss-Legendre quadrature.
 */
double stats_ptukey(double q, int nmeans, double df);
double stats_ptukey_upper(double q, int nmeans, double df);

/*
 * Quantile of the studentized range: the q with stats_ptukey(q) = p, by
 * Newton's method on the log of the tail that is small (the upper one
 * when p > 0.5) against log q, with the density, from Lund & Lund's
 * (AS 190) approximation; |error| < 1e-12 * q. Returns NaN for p outside
 * (0, 1) or bad nmeans/df; 0 for p = 0 and +inf for p = 1.
 */
double stats_qtukey(double p, int nmeans, double df);

/*
 * Confidence interval of the mean of x[0..n): mean -/+ t(n - 1, (1 +
 * level) / 2) * sd / sqrt(n) (Student's t, gsl_cdf_tdist_Pinv). Returns 0
 * with *lo and *hi set, or -EINVAL for n < 2, level outside (0, 1), or a
 * value that is NaN or infinite.
 */
int stats_mean_ci(const double *x, size_t n, double level, double *lo, double *hi);

/* ---- Unequal variances ---------------------------------------------------- */

/* Where the spread of each group is measured from in stats_levene. */
enum stats_center {
	STATS_CENTER_MEAN,   /* Levene (1960) */
	STATS_CENTER_MEDIAN, /* Brown & Forsythe (1974) */
};

/* A test statistic with an F(df1, df2) reference distribution. */
struct stats_ftest {
	double f, df1, df2, p;
};

/*
 * Test of equal variances across k groups: the one-way ANOVA F of the
 * absolute deviations z_ij = |y_ij - c_i| from each group's centre c_i,
 * its mean (Levene 1960, "Robust tests for equality of variances") or
 * median (Brown & Forsythe 1974, JASA 69:364-367; robust to skew, the
 * variant lvperf's report uses). This is scipy.stats.levene(center=
 * 'mean'|'median') and R car::leveneTest(center=mean|median). df1 = k - 1,
 * df2 = n - k; p = P(F > f). Input as stats_anova1. Every group needs n_i
 * >= 2 (a single observation has no spread to compare): -EINVAL with *why
 * otherwise. When every deviation is 0 (each group constant) f and p are
 * NaN; when only the between-group part is non-zero, f = +inf and p = 0.
 * Returns 0, -EINVAL (*why set as stats_anova1) or -ENOMEM.
 */
int stats_levene(const double *value, const size_t *group, size_t n, size_t k,
		 enum stats_center center, struct stats_ftest *out, const char **why);

/*
 * Welch's one-way ANOVA for unequal variances (Welch 1951, "On the
 * comparison of several mean values: an alternative approach", Biometrika
 * 38:330-336). With w_i = n_i / s_i^2, W = sum w_i, m = sum w_i ybar_i / W
 * and L = sum (1 - w_i / W)^2 / (n_i - 1):
 *   f = [sum w_i (ybar_i - m)^2 / (k - 1)] / [1 + 2 (k - 2) L / (k^2 - 1)],
 *   df1 = k - 1, df2 = (k^2 - 1) / (3 L), p = P(F(df1, df2) > f)
 * (as R's oneway.test(var.equal = FALSE) and statsmodels' anova_oneway
 * (use_var='unequal'); for k = 2 it is Welch's t test squared). Input as
 * stats_anova1. Refused (-EINVAL, *why) when a group has n_i < 2 or zero
 * variance (its weight n_i / s_i^2 is infinite): the test is not defined
 * there. Returns 0, -EINVAL or -ENOMEM.
 */
int stats_welch_anova(const double *value, const size_t *group, size_t n, size_t k,
		      struct stats_ftest *out, const char **why);

struct stats_gh_pair {
	size_t i, j;	/* groups compared, i < j */
	double diff;	/* mean_i - mean_j */
	double se;	/* sqrt((s_i^2/n_i + s_j^2/n_j) / 2), the q scale */
	double df;	/* Welch-Satterthwaite degrees of freedom of the pair */
	double q;	/* |diff| / se */
	double p;	/* P(Q(k, df) > q) */
	double lo, hi;	/* 1 - alpha interval of mean_i - mean_j: diff -/+ q_crit(k, df) se */
};

/*
 * Games-Howell pairwise comparisons for unequal variances and sizes
 * (Games & Howell 1976, J. Educ. Stat. 1:113-125): each pair gets its own
 * standard error from the two groups' variances and Welch-Satterthwaite
 * df = (v_i + v_j)^2 / (v_i^2 / (n_i - 1) + v_j^2 / (n_j - 1)), v = s^2/n
 * (Satterthwaite 1946), and is referred to the studentized range with k
 * means (stats_ptukey_upper, stats_qtukey), as R's rstatix::games_howell_
 * test and pingouin.pairwise_gameshowell. Pairs are written as stats_tukey
 * writes them. Every group needs n_i >= 2 (-EINVAL). A group with zero
 * variance is allowed (its v is 0); when both groups of a pair have zero
 * variance, se = 0 and df is NaN: q = +inf, p = 0 and lo = hi = diff when
 * the means differ, q and p NaN when they do not. Returns the number of
 * pairs, -ENOSPC, -EINVAL (*why), -ERANGE (a quantile did not converge)
 * or -ENOMEM.
 */
int stats_games_howell(const double *value, const size_t *group, size_t n, size_t k,
		       double alpha, struct stats_gh_pair *pairs, size_t max_pairs,
		       const char **why);

#endif
