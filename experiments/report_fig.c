/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report's figures: a .dat and a .gp per figure in DIR/report, then
 * gnuplot (proc_spawn_io, in that directory) draws the SVG and the PNG. The
 * study's figures 3-6 plus latency percentiles and boot stages.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "proc.h"
#include "report_int.h"
#include "stats.h"

/* A new figure of metric (restricted to op when not NULL). */
static struct fig *fig_new(struct report *r, const char *name, const char *title,
			   const char *caption, const char *metric, const char *op)
{
	struct fig *g = &r->fig[r->nfig < MAX_FIGS - 1 ? r->nfig++ : r->nfig];

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->title, sizeof(g->title), "%s", title);
	snprintf(g->caption, sizeof(g->caption), "%s", caption);
	snprintf(g->metric, sizeof(g->metric), "%s", metric);
	snprintf(g->op, sizeof(g->op), "%s", op ? op : "");
	return g;
}

/* Mark g omitted, say why, and remove what an earlier report drew for it. */
static void fig_omit(struct report *r, struct fig *g, const char *metric, const char *what)
{
	static const char *const ext[] = {"gp", "dat", "svg", "png"};
	unsigned long failed = 0, skipped = 0;
	char name[64];
	size_t i;

	for (i = 0; i < r->np; i++)
		if (strcmp(r->p[i].metric, metric) == 0) {
			failed += r->p[i].st == ST_FAILED;
			skipped += r->p[i].st == ST_SKIPPED;
		}
	snprintf(g->omitted, sizeof(g->omitted), "no ok %s points%s (%lu failed, %lu skipped)",
		 metric, what, failed, skipped);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		char *path;

		snprintf(name, sizeof(name), "%s.%s", g->name, ext[i]);
		if ((path = report_path(r->rdir, name))) {
			unlink(path);
			free(path);
		}
	}
}

/* A gnuplot string in single quotes ('' is a quote). A control character
 * becomes '?': a newline would end the string and gnuplot would run the
 * rest of the name as the next command. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	}
	fputc('\'', f);
}

/* A name in a data file: double-quoted, a " becomes a ', a control
 * character a '?'. */
static void dat_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	fputc('"', f);
}

static void dat_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" NaN", f);
}

#define GP_TERM_SVG                                                                                \
	"set terminal svg size 900,540 fixed font 'DejaVu Sans,11' noenhanced background rgb "     \
	"'white'\n"
#define GP_TERM_PNG                                                                                \
	"set terminal pngcairo size 900,540 font 'DejaVu Sans,10' noenhanced background rgb "      \
	"'white'\n"

static FILE *gp_open(struct report *r, struct fig *g, char **path)
{
	char name[64];
	FILE *f;

	snprintf(name, sizeof(name), "%s.gp", g->name);
	f = report_open(r, name, path);
	if (!f)
		return NULL;
	fprintf(f, "# %s, written by lvperf report; rebuild: cd DIR/report && gnuplot %s.gp\n",
		g->title, g->name);
	/* reset: whatever a ~/.gnuplot init file set, the figure is the same. */
	fprintf(f, "reset\n" GP_TERM_SVG "set output '%s.svg'\n", g->name);
	fprintf(f, "set datafile missing 'NaN'\nset title ");
	gp_str(f, g->title);
	fputs("\nset grid ytics\nset key outside right top\n", f);
	return f;
}

static int gp_close(FILE *f, char *path, struct fig *g)
{
	fprintf(f, "unset output\n" GP_TERM_PNG "set output '%s.png'\nreplot\nunset output\n",
		g->name);
	return report_close(f, path);
}

/* Mean and the half-width of its 1 - alpha confidence interval (Student's
 * t, stats_mean_ci; NaN for n < 2) of the values of metric mi, target ti:
 * the points' values (key NULL) or an extra figure; only points whose
 * sweep equals like's (like NULL: all). Scaled by scale. Returns the count. */
static size_t collect(struct report *r, size_t mi, size_t ti, const struct rp *like, int mask,
		      const char *key, double scale, double *mean, double *half)
{
	double *x = malloc((r->np ? r->np : 1) * sizeof(*x)), lo, hi;
	size_t i, n = 0;

	*mean = *half = NAN;
	if (!x)
		return 0;
	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];
		double v;

		if (p->st != ST_OK || p->mi != mi || p->ti != ti ||
		    (like && report_sweep_cmp(p, like, mask)))
			continue;
		v = key ? report_jnum(p->extra, key) : p->value;
		if (isfinite(v))
			x[n++] = v * scale;
	}
	if (n)
		*mean = gsl_stats_mean(x, 1, n);
	if (n > 1 && stats_mean_ci(x, n, 1 - r->o->alpha, &lo, &hi) == 0)
		*half = (hi - lo) / 2;
	free(x);
	return n;
}

/*
 * What a figure of metric was measured with, appended to its caption:
 * the clock, the floor subtracted (sources, median and range over the
 * points), the error bars, and for startup the stamp error pooled over
 * every start that has one.
 */
static void fig_meta(struct report *r, struct fig *g, const char *metric, int bars)
{
	char clocks[160] = "", floors[200] = "", stamp[200] = "";
	double *fl = malloc((r->np ? r->np : 1) * sizeof(*fl)), sn = 0, sm = 0, ss = 0;
	size_t i, j, nf = 0, o = strlen(g->caption), oc = 0, of = 0, nostamp = 0;

	for (i = 0; fl && i < r->np; i++) {
		const struct rp *p = &r->p[i];
		const char *c = p->clock ? p->clock : "(not recorded)",
			   *fs = p->floor_source ? p->floor_source : "(source not recorded)";
		int seen_c = 0, seen_f = 0;

		if (p->st != ST_OK || strcmp(p->metric, metric))
			continue;
		for (j = 0; j < i; j++) {
			const struct rp *q = &r->p[j];

			if (q->st != ST_OK || strcmp(q->metric, metric))
				continue;
			seen_c |= !strcmp(q->clock ? q->clock : "(not recorded)", c);
			seen_f |= !isnan(q->floor_ns) &&
				  !strcmp(q->floor_source ? q->floor_source : "(source not recorded)", fs);
		}
		if (!seen_c && oc < sizeof(clocks))
			oc += (size_t)snprintf(clocks + oc, sizeof(clocks) - oc, "%s%s", oc ? ", " : "", c);
		if (isnan(p->floor_ns))
			continue;
		fl[nf++] = p->floor_ns;
		if (!seen_f && of < sizeof(floors))
			of += (size_t)snprintf(floors + of, sizeof(floors) - of, "%s%s", of ? ", " : "", fs);
	}
	if (nf) {
		double med, lo, hi;

		gsl_sort(fl, 1, nf);
		med = gsl_stats_median_from_sorted_data(fl, 1, nf);
		lo = fl[0];
		hi = fl[nf - 1];
		if (lo == hi)
			snprintf(floors + of, sizeof(floors) - of, " %.6g ns", med);
		else
			snprintf(floors + of, sizeof(floors) - of, " median %.6g ns (%.6g to %.6g)", med, lo, hi);
	} else {
		snprintf(floors, sizeof(floors), "none");
	}
	free(fl);
	if (strcmp(metric, "startup") == 0) {
		/* Pooled as report.c's cell_meta: exact mean and SD of all starts. */
		for (j = 0; j < 2; j++)
			for (i = 0; i < r->np; i++) {
				const struct rp *p = &r->p[i];
				const char *why;
				json_t *e;
				double ni, mi, si;

				if (p->st != ST_OK || strcmp(p->metric, metric))
					continue;
				e = report_stamp_error(p, &why);
				ni = report_jnum(e, "n");
				mi = report_jnum(e, "mean");
				si = report_jnum(e, "sd");
				if (!(ni > 0) || isnan(mi)) {
					nostamp += j == 0;
					continue;
				}
				if (j == 0) {
					sn += ni;
					sm += ni * mi;
				} else {
					ss += (ni - 1) * (ni > 1 && !isnan(si) ? si * si : 0) +
					      ni * (mi - sm / sn) * (mi - sm / sn);
				}
			}
		if (sn > 0)
			snprintf(stamp, sizeof(stamp),
				 " Stamp error (port stamp - the sender's TSC before sendto): %.4g ± %.3g µs "
				 "(mean ± SD) over %.0f starts%s; per target in the Summary.",
				 sm / sn / 1e3, sn > 1 ? sqrt(ss / (sn - 1)) / 1e3 : NAN, sn,
				 nostamp ? ", not known for the other points" : "");
		else
			snprintf(stamp, sizeof(stamp), " Stamp error: not known for these points (see the Summary).");
	}
	snprintf(g->caption + o, sizeof(g->caption) - o,
		 " Clock: %s. Floor subtracted: %s. %s%s", clocks[0] ? clocks : "(no points)", floors,
		 bars ? (r->o->alpha == 0.05 ? "Error bars: 95 % CI of the mean (Student's t; none where n < 2)."
					      : "Error bars: CI of the mean at the report's level (Student's t; none where n < 2).")
		      : "No error bars: means over the repetitions.",
		 stamp);
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

		if (p->st != ST_OK || p->mi != mi || (op && report_cmp_nstr(p->op, op)))
			continue;
		if (!first)
			first = p;
		for (k = 0; k < P_NONE; k++)
			if (report_param_cmp(first, p, k))
				bits |= 1u << k;
	}
	return bits;
}

/*
 * Clustered bars, one group per target: the series are either the
 * distinct sweep points of the metric (keys NULL) or the extra figures
 * keys[]. Mean with error bars of its confidence interval (collect; clipped
 * above 0 on a log scale).
 */
static int fig_bars(struct report *r, const char *name, const char *title, const char *caption,
		    const char *metric, const char *ylabel, double scale, int logy,
		    const char *const *keys, const char *const *key_titles, size_t nkeys)
{
	struct fig *g = fig_new(r, name, title, caption, metric, NULL);
	long mi = metric_index(r, metric);
	const struct rp *series[16];
	const char *stitle[16], *skey[16];
	char labels[16][96];
	size_t ns = 0, i, s, t, shown = 0;
	char *path, dname[64];
	FILE *f, *gp;
	int rc;

	if (mi < 0) {
		fig_omit(r, g, metric, "");
		return 0;
	}
	fig_meta(r, g, metric, 1);
	if (keys) {
		/* Only the figures some target has (a run without the service
		 * probe has no syn or ready stage). */
		for (s = 0; s < nkeys && ns < 16; s++) {
			double m, half;

			for (t = 0; t < r->nt; t++)
				if (collect(r, (size_t)mi, t, NULL, P_NONE, keys[s], 1, &m, &half))
					break;
			if (t == r->nt)
				continue;
			skey[ns] = keys[s];
			stitle[ns++] = key_titles[s];
		}
	} else {
		/* Distinct sweep points of the metric, in sweep order. */
		size_t n;
		struct rp **v = report_sorted_ok(r, P_NONE, &n);

		if (!v)
			return -ENOMEM;
		for (i = 0; i < n && ns < 16; i++) {
			if ((long)v[i]->mi != mi)
				continue;
			for (s = 0; s < ns && report_sweep_cmp(series[s], v[i], P_NONE); s++)
				;
			if (s == ns) {
				series[ns] = v[i];
				report_sweep_label(v[i], ~varying_params(r, (size_t)mi, NULL),
						   labels[ns], sizeof(labels[ns]));
				stitle[ns] = strcmp(labels[ns], "-") ? labels[ns] : "mean, 95 % CI";
				ns++;
			}
		}
		free(v);
	}
	snprintf(dname, sizeof(dname), "%s.dat", name);
	f = report_open(r, dname, &path);
	if (!f) {
		free(path);
		return -EIO;
	}
	fprintf(f, "# target");
	for (s = 0; s < ns; s++)
		fprintf(f, " | %s: mean lo hi", stitle[s]);
	fputc('\n', f);
	for (t = 0; t < r->nt; t++) {
		double mean[16], half[16];
		size_t any = 0;

		for (s = 0; s < ns; s++)
			any += collect(r, (size_t)mi, t, keys ? NULL : series[s], P_NONE,
				       keys ? skey[s] : NULL, scale, &mean[s], &half[s]);
		if (!any)
			continue;
		shown++;
		dat_str(f, r->target[t]);
		for (s = 0; s < ns; s++) {
			double lo = mean[s] - (isnan(half[s]) ? 0 : half[s]),
			       hi = mean[s] + (isnan(half[s]) ? 0 : half[s]);

			if (logy && lo <= 0)
				lo = mean[s] / 10;
			dat_num(f, mean[s]);
			dat_num(f, lo);
			dat_num(f, hi);
		}
		fputc('\n', f);
	}
	rc = report_close(f, path);
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
	fprintf(
	    gp,
	    "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
	    "set style fill solid 0.7 border -1\nset xtics rotate by -30 nomirror\nset ylabel ");
	gp_str(gp, ylabel);
	fputc('\n', gp);
	if (logy)
		fputs("set logscale y\n", gp);
	else
		fputs("set yrange [0:*]\n", gp);
	fputs("plot ", gp);
	for (s = 0; s < ns; s++) {
		fprintf(gp, "%s'%s' using %zu:%zu:%zu%s title ", s ? ", \\\n     " : "", dname,
			2 + 3 * s, 3 + 3 * s, 4 + 3 * s, s ? "" : ":xtic(1)");
		gp_str(gp, stitle[s]);
	}
	fputc('\n', gp);
	return gp_close(gp, path, g);
}

/*
 * Lines over connections, one per target and fixed other parameters
 * (restricted to op when op is not NULL): the values' mean and CI, or,
 * with keys, the mean of each extra figure (one line per key).
 */
static int fig_lines(struct report *r, const char *name, const char *title, const char *caption,
		     const char *metric, const char *op, const char *ylabel, int logy,
		     const char *const *keys, const char *const *key_titles, size_t nkeys)
{
	struct fig *g = fig_new(r, name, title, caption, metric, op);
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
	fig_meta(r, g, metric, keys == NULL);
	v = report_sorted_ok(r, P_CONN, &n);
	if (!v)
		return -ENOMEM;
	/* Several fixed-parameter combinations: label lines with them. */
	for (i = 0; i < n; i++)
		if ((long)v[i]->mi == mi && (!op || report_cmp_nstr(v[i]->op, op) == 0) &&
		    (i == 0 || (long)v[i - 1]->mi != mi ||
		     report_sweep_cmp(v[i - 1], v[i], P_CONN)))
			rest_kinds++;
	snprintf(dname, sizeof(dname), "%s.dat", name);
	f = report_open(r, dname, &dpath);
	if (!f) {
		free(dpath);
		free(v);
		return -EIO;
	}
	for (i = 0; i < n; i = j) {
		char lab[160], rest[96];

		for (j = i + 1;
		     j < n && report_same_sweep(v[i], v[j], P_CONN) && v[j]->ti == v[i]->ti; j++)
			;
		if ((long)v[i]->mi != mi || (op && report_cmp_nstr(v[i]->op, op)) || v[i]->conn < 0)
			continue;
		report_sweep_label(v[i], ~varying_params(r, (size_t)mi, op) | (1u << P_CONN), rest,
				   sizeof(rest));
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
			fputs("set autoscale xfix\nset offsets graph 0.03, graph 0.03, 0, 0\nplot ",
			      gp);
		}
		fprintf(f, "# %s\n", lab);
		for (k = i; k < j; k = b) {
			for (b = k + 1; b < j && v[b]->conn == v[k]->conn; b++)
				;
			fprintf(f, "%ld", v[k]->conn);
			if (keys) {
				size_t key;

				for (key = 0; key < nkeys; key++) {
					double m, half;

					collect(r, (size_t)mi, v[k]->ti, v[k], P_NONE, keys[key], 1,
						&m, &half);
					dat_num(f, m);
				}
			} else {
				double m, half;

				collect(r, (size_t)mi, v[k]->ti, v[k], P_NONE, NULL, 1, &m, &half);
				dat_num(f, m);
				dat_num(f, isnan(half) ? 0 : half);
			}
			fputc('\n', f);
		}
		fputs("\n\n", f);
		if (keys) {
			size_t key;

			for (key = 0; key < nkeys; key++) {
				char t[200];

				snprintf(t, sizeof(t), "%s %s", lab, key_titles[key]);
				fprintf(gp,
					"%s'%s' index %zu using 1:%zu with linespoints lc %zu dt "
					"%zu pt %zu title ",
					nseries || key ? ", \\\n     " : "", dname, nseries,
					2 + key, nseries + 1, key + 1, nseries + 1);
				gp_str(gp, t);
			}
		} else {
			fprintf(
			    gp,
			    "%s'%s' index %zu using 1:2:3 with yerrorlines lc %zu pt %zu title ",
			    nseries ? ", \\\n     " : "", dname, nseries, nseries + 1, nseries + 1);
			gp_str(gp, lab);
		}
		nseries++;
	}
	free(v);
	rc = report_close(f, dpath);
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

int report_figures(struct report *r)
{
	static const char *const stage_keys[] = {"spawn_ms", "arp_ms", "beacon_ms", "syn_ms",
						 "ready_ms"};
	static const char *const stage_titles[] = {"spawned", "first ARP", "first beacon", "SYN answered",
						   "ready"};
	static const char *const pct_keys[] = {"p50_us", "p99_us"};
	static const char *const pct_titles[] = {"p50", "p99"};
	const char *ops[8];
	size_t nops = 0, i, s;
	long kv = metric_index(r, "kv");
	int rc;

	if ((rc = fig_bars(r, "fig3a_startup", "Startup time",
			   "Fig. 3(a): start mark to first beacon, mean, log scale.",
			   "startup", "startup (ms)", 1, 1, NULL, NULL, 0)) ||
	    (rc = fig_bars(r, "fig3b_size", "Image size",
			   "Fig. 3(b): bytes on disk (du), log scale.", "size", "image size (MiB)",
			   1.0 / 1048576, 1, NULL, NULL, 0)) ||
	    (rc = fig_bars(
		 r, "fig3c_rtt", "Round-trip time",
		 "Fig. 3(c): median ICMP RTT per run, floor subtracted, mean, log scale.",
		 "rtt", "RTT (µs)", 1, 1, NULL, NULL, 0)) ||
	    (rc = fig_lines(r, "fig4_http", "HTTP throughput",
			    "Fig. 4: HTTP requests/s against connections, mean.", "http", NULL,
			    "requests/s", 0, NULL, NULL, 0)) ||
	    (rc = fig_bars(
		 r, "fig5_memory", "Memory footprint",
		 "Fig. 5: resident memory of the target, per load it was under, mean.",
		 "memory", "memory (MiB)", 1.0 / 1048576, 0, NULL, NULL, 0)))
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
	qsort(ops, nops, sizeof(*ops), report_cmp_str);
	if (!nops) {
		if ((rc = fig_lines(r, "fig6a_kv_get", "Redis GET throughput",
				    "Fig. 6: Redis GET requests/s against connections, mean.",
				    "kv", "get", "requests/s", 0, NULL, NULL, 0)) ||
		    (rc = fig_lines(r, "fig6b_kv_set", "Redis SET throughput",
				    "Fig. 6: Redis SET requests/s against connections, mean.",
				    "kv", "set", "requests/s", 0, NULL, NULL, 0)))
			return rc;
	}
	for (s = 0; s < nops; s++) {
		char name[48], title[96], cap[160], up[16];
		size_t c;

		for (c = 0; c + 1 < sizeof(up) && ops[s][c]; c++)
			up[c] = (char)(ops[s][c] >= 'a' && ops[s][c] <= 'z' ? ops[s][c] - 32
									    : ops[s][c]);
		up[c] = 0;
		snprintf(name, sizeof(name), "fig6%c_kv_%.30s", (char)('a' + s), ops[s]);
		snprintf(title, sizeof(title), "Redis %s throughput", up);
		snprintf(cap, sizeof(cap),
			 "Fig. 6: Redis %s requests/s against connections, mean.", up);
		if ((rc = fig_lines(r, name, title, cap, "kv", ops[s], "requests/s", 0, NULL, NULL,
				    0)))
			return rc;
	}
	if ((rc = fig_lines(r, "fig7a_http_latency", "HTTP latency percentiles",
			    "Latency percentiles of HTTP requests against connections (mean over "
			    "repetitions), log scale; p50 solid, p99 dashed.",
			    "http", NULL, "latency (µs)", 1, pct_keys, pct_titles, 2)) ||
	    (rc = fig_lines(r, "fig7b_kv_latency", "Redis latency percentiles",
			    "Latency percentiles of Redis requests against connections (mean over "
			    "repetitions), log scale; p50 solid, p99 dashed.",
			    "kv", NULL, "latency (µs)", 1, pct_keys, pct_titles, 2)) ||
	    (rc = fig_bars(r, "fig8_boot_stages", "Boot stages",
			   "Boot stage breakdown: time from the start mark to the spawn returning, "
			   "the first ARP, the first beacon, the first SYN answered and the service "
			   "ready, mean, log scale; stages no point measured are left out.",
			   "startup", "time from start (ms)", 1, 1, stage_keys, stage_titles, 5)))
		return rc;
	return 0;
}

/* Run gnuplot on NAME.gp in the report directory. */
int report_gnuplot(struct report *r, const struct fig *g)
{
	struct proc_io io = { .dir = r->rdir, .in = "/dev/null" };
	char gp[64], *argv[3];
	pid_t pid;
	int rc, status;

	snprintf(gp, sizeof(gp), "%s.gp", g->name);
	argv[0] = (char *)r->o->gnuplot;
	argv[1] = gp;
	argv[2] = NULL;
	rc = proc_spawn_io(argv, &io, &pid);
	if (rc)
		return rc;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr,
			"lvperf report: gnuplot failed on %s/%s (exit %d); the script is kept to "
			"debug\n",
			r->rdir, gp,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -EIO;
	}
	return 0;
}
