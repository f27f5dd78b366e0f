/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report's index.html: figures, summary, ANOVA/Tukey tables,
 * calibration, failed/skipped/flagged points. Static HTML, no script.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"

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

static void html_num_digits(FILE *f, double v, int digits)
{
	if (isnan(v))
		fputs("&ndash;", f);
	else if (isinf(v))
		fputs(v > 0 ? "&infin;" : "&minus;&infin;", f);
	else
		fprintf(f, "%.*g", digits, v);
}

static void html_num(FILE *f, double v)
{
	html_num_digits(f, v, 6);
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

static void html_sweep(FILE *f, json_t *sweep)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(sweep, k, v)
	{
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
	return report_jnum(o, k);
}

/* "NAME F(df1, df2) = f, p = p" of a stats.json F-test object. */
static void html_ftest(FILE *f, const char *name, json_t *t, const char *df1, const char *df2)
{
	fprintf(f, "%s F(%.4g, %.4g) = ", name, report_jnum(t, df1), report_jnum(t, df2));
	html_num(f, jget(t, "f"));
	fputs(report_jnum(t, "p") < 1e-4 ? ", p " : ", p = ", f);
	html_p(f, report_jnum(t, "p"));
}

/* Clock, floor and (startup) stamp error of a summary row as table cells. */
static void html_row_meta(FILE *f, json_t *row, int startup)
{
	json_t *fl = json_object_get(row, "floor"), *se = json_object_get(row, "stamp_error_ns");

	fputs("</td><td>", f);
	html_esc(f, report_jstr(row, "clock") ? report_jstr(row, "clock") : "(not recorded)");
	fputs("</td><td>", f);
	if (json_is_object(fl)) {
		html_esc(f, report_jstr(fl, "source"));
		fputs(" ", f);
		html_num(f, report_jnum(fl, "ns"));
		fputs(" ns", f);
	} else {
		fputs("none", f);
	}
	if (!startup)
		return;
	fputs("</td><td>", f);
	if (json_is_object(se)) {
		html_num_digits(f, report_jnum(se, "mean") / 1e3, 4);
		fputs(" &plusmn; ", f);
		html_num_digits(f, report_jnum(se, "sd") / 1e3, 3);
		fprintf(f, " (n = %lld)", (long long)json_integer_value(json_object_get(se, "n")));
	} else {
		fputs("<span title=\"", f);
		html_esc(f, report_jstr(row, "stamp_error_reason"));
		fputs("\">&mdash;</span>", f);
	}
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
			fputs("<table><tr><th>point</th><th>target</th><th>metric</th><th>sweep</"
			      "th><th>rep</th>"
			      "<th>status</th><th>reason / flags</th></tr>\n",
			      f);
		fprintf(f, "<tr><td>%ld</td><td>", p->point);
		html_esc(f, p->target);
		fputs("</td><td>", f);
		html_esc(f, p->metric);
		fputs("</td><td>", f);
		{
			char lab[160];

			report_sweep_label(p, 0, lab, sizeof(lab));
			html_esc(f, lab);
		}
		fprintf(f, "</td><td>%ld</td><td>%s</td><td>", p->rep,
			p->st == ST_OK	     ? "ok"
			: p->st == ST_FAILED ? "failed"
					     : "skipped");
		if (p->st != ST_OK) {
			html_esc(f, p->reason ? p->reason : "(no reason recorded)");
		} else {
			size_t j;
			json_t *v;

			json_array_foreach(p->flags, j, v)
			{
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

/* The flagged ok points a figure draws, next to it. */
static void html_fig_flags(FILE *f, const struct report *r, const struct fig *g)
{
	size_t i, j, shown = 0;
	json_t *v;

	for (i = 0; i < r->np; i++) {
		const struct rp *p = &r->p[i];
		char lab[160];

		if (p->st != ST_OK || !json_array_size(p->flags) || strcmp(p->metric, g->metric) ||
		    (g->op[0] && report_cmp_nstr(p->op, g->op)))
			continue;
		fputs(shown++ ? "; " : "<p class=\"flag\">Flagged points in this figure: ", f);
		fprintf(f, "point %ld (", p->point);
		html_esc(f, p->target);
		report_sweep_label(p, 0, lab, sizeof(lab));
		fputs(", ", f);
		html_esc(f, lab);
		fputs("): ", f);
		json_array_foreach(p->flags, j, v)
		{
			fputs(j ? ", " : "", f);
			html_esc(f, json_string_value(v));
		}
	}
	if (shown)
		fputs(".</p>\n", f);
}

/* The findings on top: per metric and sweep point, the ranked table. */
static void html_findings(FILE *f, const struct report *r, json_t *find)
{
	size_t i, j;
	json_t *g, *e;

	fprintf(f,
		"<h2>Findings</h2>\n<p>Per metric and sweep point the targets ranked best first "
		"(least time, bytes or memory; most requests/s): mean and %g %% confidence "
		"interval of the mean, in the unit named; the ratio of the mean to the host "
		"platform's target of the same workload (&times; native); and letter groups: "
		"targets that share a letter do not differ significantly at &alpha; = %g, by the "
		"pairwise test the verdict of the Statistics section follows, named under each "
		"table (Tukey HSD, or Games-Howell where Brown-Forsythe finds the variances "
		"differ). The last column is the study's own published mean for the nearest "
		"platform where it has the row: <b>another machine, 2017</b>, shown for "
		"orientation, not as a reference value. The same table: <code>findings.csv</code>."
		"</p>\n",
		(1 - r->o->alpha) * 100, r->o->alpha);
	json_array_foreach(find, i, g)
	{
		const char *unit = report_jstr(g, "unit");

		fputs("<h3>", f);
		html_esc(f, report_jstr(g, "metric"));
		if (json_object_size(json_object_get(g, "sweep"))) {
			fputs(", ", f);
			html_sweep(f, json_object_get(g, "sweep"));
		}
		fprintf(f, " (%s)</h3>\n", json_is_true(json_object_get(g, "higher_is_better"))
						 ? "higher is better"
						 : "lower is better");
		fputs("<table><tr><th>rank</th><th>target</th><th>platform</th><th>n</th><th>mean (",
		      f);
		html_esc(f, unit);
		fprintf(f, ")</th><th>%g %% CI</th><th>&times; native</th><th>group</th>"
			   "<th>the study, another machine, 2017</th></tr>\n",
			(1 - r->o->alpha) * 100);
		json_array_foreach(json_object_get(g, "targets"), j, e)
		{
			fprintf(f, "<tr><td>%lld</td><td>",
				(long long)json_integer_value(json_object_get(e, "rank")));
			html_esc(f, report_jstr(e, "target"));
			fputs("</td><td>", f);
			html_esc(f, report_jstr(e, "platform"));
			fprintf(f, "</td><td>%lld</td><td>",
				(long long)json_integer_value(json_object_get(e, "n")));
			html_num_digits(f, report_jnum(e, "mean"), 4);
			fputs("</td><td>", f);
			if (isnan(report_jnum(e, "ci_lo"))) {
				fputs("&ndash;", f);
			} else {
				html_num_digits(f, report_jnum(e, "ci_lo"), 4);
				fputs(" &ndash; ", f);
				html_num_digits(f, report_jnum(e, "ci_hi"), 4);
			}
			fputs("</td><td>", f);
			html_num_digits(f, report_jnum(e, "ratio_to_native"), 3);
			fputs("</td><td>", f);
			html_esc(f, report_jstr(e, "letters") ? report_jstr(e, "letters") : "\u2013");
			fputs("</td><td>", f);
			if (report_jstr(e, "study")) {
				html_esc(f, report_jstr(e, "study"));
				fputs(": ", f);
				html_num_digits(f, report_jnum(e, "study_mean"), 4);
				fputc(' ', f);
				html_esc(f, unit);
			} else {
				fputs("&ndash;", f);
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n<p>", f);
		if (report_jstr(g, "test")) {
			fputs("Groups from ", f);
			html_esc(f, report_jstr(g, "test"));
			fputs(": ", f);
		} else {
			fputs("No letter groups: ", f);
		}
		html_esc(f, report_jstr(g, "test_why"));
		fputs(".</p>\n", f);
	}
}

int report_html(struct report *r, json_t *rows, json_t *one, json_t *two, json_t *cal, json_t *find)
{
	char *path;
	FILE *f = report_open(r, "index.html", &path);
	size_t i, j;
	json_t *v, *w;
	const char *spec = report_jstr(r->run, "spec");

	if (!f) {
		free(path);
		return -EIO;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>lvperf report",
	      f);
	if (spec) {
		fputs(": ", f);
		html_esc(f, spec);
	}
	fputs("</"
	      "title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:auto;padding:"
	      "1em}\n"
	      "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid "
	      "#bbb;padding:2px 6px;text-align:right}\n"
	      "td:first-child,th:first-child{text-align:left}.flag{color:#b00;font-weight:bold}\n"
	      "figure{margin:1em "
	      "0}img{max-width:100%}figcaption{font-size:90%}\n</style>\n</head>\n<body>\n",
	      f);
	fputs("<h1>lvperf report", f);
	if (spec) {
		fputs(": ", f);
		html_esc(f, spec);
	}
	fputs("</h1>\n<p>", f);
	if (r->run) {
		const char *keys[] = {"lvperf", "host", "started_utc"};

		for (i = 0; i < 3; i++)
			if (report_jstr(r->run, keys[i])) {
				fprintf(f, "%s: ", keys[i]);
				html_esc(f, report_jstr(r->run, keys[i]));
				fputs("; ", f);
			}
		if (json_is_integer(json_object_get(r->run, "seed")))
			fprintf(f, "seed: %lld; ",
				(long long)json_integer_value(json_object_get(r->run, "seed")));
		if (json_is_integer(json_object_get(r->run, "points")))
			fprintf(f, "points planned: %lld; ",
				(long long)json_integer_value(json_object_get(r->run, "points")));
	}
	fprintf(f, "points recorded: %lu ok, %lu failed, %lu skipped, %lu flagged", r->n_ok,
		r->n_failed, r->n_skipped, r->n_flagged);
	if (r->partial)
		fprintf(f, "; %lu cut-short last line ignored (the run was interrupted mid-write)",
			r->partial);
	fputs(".</p>\n", f);
	if (json_array_size(json_object_get(r->run, "flags"))) {
		fputs("<p class=\"flag\">The run is flagged (run.json): ", f);
		json_array_foreach(json_object_get(r->run, "flags"), i, v)
		{
			fputs(i ? "; " : "", f);
			html_esc(f, json_is_string(v) ? json_string_value(v) : "?");
		}
		fputs(".</p>\n", f);
	}
	fputs("<p>Built from <code>raw/points.jsonl</code> and "
	      "<code>raw/calibration.jsonl</code> alone; "
	      "<code>results.csv</code> (one row per ok point), "
	      "<code>summary.csv</code>/<code>summary.json</code>, "
	      "<code>stats.json</code>; each figure has its <code>.gp</code> script and "
	      "<code>.dat</code> data "
	      "beside it (<code>cd report &amp;&amp; gnuplot NAME.gp</code>).</p>\n",
	      f);

	html_findings(f, r, find);
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
		if (r->plot_note[0]) { /* not rendered: the scripts and data only */
			fprintf(f, "<p id=\"%s\"><b>", g->name);
			html_esc(f, g->title);
			fputs("</b>: ", f);
			html_esc(f, g->caption);
			fprintf(f, " [<a href=\"%s.gp\">gnuplot</a> <a href=\"%s.dat\">data</a>]</p>\n", g->name,
				g->name);
			html_fig_flags(f, r, g);
			continue;
		}
		fprintf(f, "<figure id=\"%s\"><img src=\"%s.svg\" alt=\"", g->name, g->name);
		html_esc(f, g->title);
		fputs("\"><figcaption>", f);
		html_esc(f, g->caption);
		fprintf(f,
			" [<a href=\"%s.png\">PNG</a> <a href=\"%s.gp\">gnuplot</a> <a "
			"href=\"%s.dat\">data</a>]"
			"</figcaption></figure>\n",
			g->name, g->name, g->name);
		html_fig_flags(f, r, g);
	}

	fprintf(f,
		"<h2>Summary</h2>\n<p>Per target and sweep point: mean, sample SD, %g %% "
		"confidence interval of the mean (Student's t), min, median, max; the clock "
		"the values were stamped with and the floor subtracted from them (its source and "
		"the median over the points). Startup also shows the stamp error: the port's stamp "
		"of the first beacon minus the TSC its sender read before sendto(), mean &plusmn; SD "
		"in &micro;s over every start (&mdash;: not known, e.g. a VM whose TSC is not the "
		"host's; hover for the reason).</p>\n",
		(1 - r->o->alpha) * 100);
	for (i = 0; i < r->nm; i++) {
		int opened = 0, startup = strcmp(r->metric[i], "startup") == 0;

		json_array_foreach(rows, j, v)
		{
			if (strcmp(report_jstr(v, "metric"), r->metric[i]))
				continue;
			if (!opened++) {
				fputs("<h3>", f);
				html_esc(f, r->metric[i]);
				if (report_jstr(v, "unit")) {
					fputs(" (", f);
					html_esc(f, report_jstr(v, "unit"));
					fputs(")", f);
				}
				fprintf(f,
					"</h3>\n<table><tr><th>target</th><th>sweep</th><th>n</"
					"th><th>mean</th><th>sd</th>"
					"<th>%g %% CI low</th><th>%g %% CI "
					"high</th><th>min</th><th>median</th><th>max</th>"
					"<th>clock</th><th>floor subtracted</th>%s</tr>\n",
					(1 - r->o->alpha) * 100, (1 - r->o->alpha) * 100,
					startup ? "<th>stamp error (&micro;s)</th>" : "");
			}
			fputs("<tr><td>", f);
			html_esc(f, report_jstr(v, "target"));
			fputs("</td><td>", f);
			html_sweep(f, json_object_get(v, "sweep"));
			fprintf(f, "</td><td>%lld",
				(long long)json_integer_value(json_object_get(v, "n")));
			{
				const char *k[] = {"mean", "sd",     "ci_lo", "ci_hi",
						   "min",  "median", "max"};
				size_t c;

				for (c = 0; c < 7; c++) {
					fputs("</td><td>", f);
					html_num(f, report_jnum(v, k[c]));
				}
			}
			html_row_meta(f, v, startup);
			fputs("</td></tr>\n", f);
		}
		if (opened)
			fputs("</table>\n", f);
	}

	fprintf(f,
		"<h2>Statistics</h2>\n<p>At each sweep point the targets are compared twice. The "
		"study's one-way ANOVA and Tukey HSD (Tukey-Kramer) assume every target has the "
		"same variance; Brown-Forsythe (Levene's test about the medians) tests that, and "
		"Welch's ANOVA with Games-Howell pairs (Welch-Satterthwaite df per pair) do not "
		"need it. The verdict follows Welch and Games-Howell when Brown-Forsythe p &lt; "
		"%g, else the study's tests; both are shown, labelled. Intervals of differences "
		"are %g %% (simultaneous for Tukey, per pair at the family's studentized range for "
		"Games-Howell); a pair differs when its p adj &lt; %g. The values are the "
		"figures of the Summary, with its clock and floor.</p>\n",
		r->o->alpha, (1 - r->o->alpha) * 100, r->o->alpha);
	json_array_foreach(one, i, v)
	{
		json_t *an = json_object_get(v, "anova"), *bf = json_object_get(v, "brown_forsythe"),
		       *lev = json_object_get(v, "levene"), *we = json_object_get(v, "welch_anova"),
		       *gh = json_object_get(v, "games_howell"), *tk = json_object_get(v, "tukey");
		const char *verdict = report_jstr(v, "verdict");
		int by_gh = verdict && strcmp(verdict, "welch_anova+games_howell") == 0;
		json_t *fd = json_array_get(find, i);
		double sc = json_is_number(json_object_get(fd, "scale")) ? report_jnum(fd, "scale") : 1;

		fputs("<h3>", f);
		html_esc(f, report_jstr(v, "metric"));
		fputs(", ", f);
		html_sweep(f, json_object_get(v, "sweep"));
		fputs("</h3>\n", f);
		if (!json_is_object(an)) {
			fputs("<p>No ANOVA: ", f);
			html_esc(f, report_jstr(v, "why"));
			fputs(".</p>\n", f);
			continue;
		}
		fputs("<p>Equal variances: ", f);
		if (json_is_object(bf))
			html_ftest(f, "Brown-Forsythe", bf, "df1", "df2");
		else
			html_esc(f, report_jstr(v, "brown_forsythe_why"));
		if (json_is_object(lev)) {
			fputs("; ", f);
			html_ftest(f, "Levene (mean)", lev, "df1", "df2");
		}
		fputs(".<br><b>Verdict follows ", f);
		fputs(by_gh ? "Welch's ANOVA and Games-Howell" : "the study's ANOVA and Tukey HSD", f);
		fputs("</b>: ", f);
		html_esc(f, report_jstr(v, "verdict_why"));
		fputs(".</p>\n<p>", f);
		if (json_is_object(we)) {
			html_ftest(f, "Welch's ANOVA (unequal variances):", we, "df1", "df2");
		} else {
			fputs("Welch's ANOVA not computed: ", f);
			html_esc(f, report_jstr(v, "welch_anova_why"));
		}
		fputs("<br>", f);
		html_ftest(f, "One-way ANOVA (study: equal variances assumed):", an, "df_between",
			   "df_within");
		fputs("</p>\n", f);
		if (report_jstr(v, "tukey_why")) {
			fputs("<p>", f);
			html_esc(f, report_jstr(v, "tukey_why"));
			fputs("</p>\n", f);
		}
		if (!json_is_array(gh) && report_jstr(v, "games_howell_why")) {
			fputs("<p>Games-Howell not computed: ", f);
			html_esc(f, report_jstr(v, "games_howell_why"));
			fputs(".</p>\n", f);
		}
		if (json_array_size(tk)) {
			fputs("<table><tr><th rowspan=\"2\">pair</th><th rowspan=\"2\">diff (", f);
			html_esc(f, report_jstr(fd, "unit") ? report_jstr(fd, "unit") : report_jstr(v, "unit"));
			fputs(")</th>"
			      "<th colspan=\"3\">Games-Howell</th><th colspan=\"3\">Tukey HSD (study: "
			      "equal variances assumed)</th><th rowspan=\"2\">different (verdict)</th></tr>\n"
			      "<tr><th>CI low</th><th>CI high</th><th>p adj</th><th>CI low</th><th>CI "
			      "high</th><th>p adj</th></tr>\n",
			      f);
		}
		json_array_foreach(tk, j, w)
		{
			json_t *g = json_array_get(gh, j), *by = by_gh ? g : w;

			fputs("<tr><td>", f);
			html_esc(f, report_jstr(w, "a"));
			fputs(" &minus; ", f);
			html_esc(f, report_jstr(w, "b"));
			fputs("</td><td>", f);
			html_num(f, report_jnum(w, "diff") * sc);
			fputs("</td><td>", f);
			html_num(f, report_jnum(g, "ci_lo") * sc);
			fputs("</td><td>", f);
			html_num(f, report_jnum(g, "ci_hi") * sc);
			fputs("</td><td>", f);
			html_p(f, report_jnum(g, "p_adj"));
			fputs("</td><td>", f);
			html_num(f, report_jnum(w, "ci_lo") * sc);
			fputs("</td><td>", f);
			html_num(f, report_jnum(w, "ci_hi") * sc);
			fputs("</td><td>", f);
			html_p(f, report_jnum(w, "p_adj"));
			fputs("</td><td>", f);
			if (!by)
				fputs("&ndash;", f);
			else
				fputs(json_is_true(json_object_get(by, "significant")) ? "yes" : "no", f);
			if (g && json_is_true(json_object_get(g, "significant")) !=
				     json_is_true(json_object_get(w, "significant")))
				fputs(" <span class=\"flag\">(the tests disagree)</span>", f);
			fputs("</td></tr>\n", f);
		}
		if (json_array_size(tk))
			fputs("</table>\n", f);
	}
	if (json_array_size(two))
		fputs("<h3>Two-way ANOVA</h3>\n<p>Target &times; a second swept parameter, with "
		      "interaction (balanced designs only; study: equal variances assumed, tested "
		      "with Brown-Forsythe across the cells).</p>\n",
		      f);
	json_array_foreach(two, i, v)
	{
		json_t *an = json_object_get(v, "anova"), *bf = json_object_get(v, "brown_forsythe");

		fputs("<h4>", f);
		html_esc(f, report_jstr(v, "metric"));
		fputs(": target &times; ", f);
		html_esc(f, json_string_value(json_array_get(json_object_get(v, "factors"), 1)));
		fputs(" (fixed: ", f);
		html_sweep(f, json_object_get(v, "fixed"));
		fputs(")</h4>\n", f);
		if (!json_is_array(an)) {
			fputs("<p>No two-way ANOVA: ", f);
			html_esc(f, report_jstr(v, "why"));
			fputs(".</p>\n", f);
			continue;
		}
		fputs("<p>Equal variances across the cells: ", f);
		if (json_is_object(bf))
			html_ftest(f, "Brown-Forsythe", bf, "df1", "df2");
		else
			html_esc(f, report_jstr(v, "brown_forsythe_why"));
		fputs(".</p>\n", f);
		if (report_jstr(v, "warning")) {
			fputs("<p class=\"flag\">", f);
			html_esc(f, report_jstr(v, "warning"));
			fputs(".</p>\n", f);
		}
		fputs("<table><tr><th>source</th><th>df</th><th>SS</th><th>MS</th><th>F</th><th>p</"
		      "th></tr>\n",
		      f);
		json_array_foreach(an, j, w)
		{
			fputs("<tr><td>", f);
			html_esc(f, report_jstr(w, "source"));
			fprintf(f, "</td><td>%g</td><td>", report_jnum(w, "df"));
			html_num(f, report_jnum(w, "ss"));
			fputs("</td><td>", f);
			html_num(f, report_jnum(w, "ms"));
			fputs("</td><td>", f);
			html_num(f, jget(w, "f"));
			fputs("</td><td>", f);
			html_p(f, report_jnum(w, "p"));
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
			json_array_foreach(clocks, c, w) seen |=
			    strcmp(json_string_value(w), p->clock ? p->clock : "(none)") == 0;
			if (!seen)
				json_array_append_new(clocks,
						      json_string(p->clock ? p->clock : "(none)"));
			if (isnan(p->floor_ns))
				continue;
			snprintf(fl, sizeof(fl), "%s",
				 p->floor_source ? p->floor_source : "(source not recorded)");
			seen = 0;
			json_array_foreach(floors, c, w) seen |=
			    strcmp(json_string_value(w), fl) == 0;
			if (!seen)
				json_array_append_new(floors, json_string(fl));
		}
		fputs("<p>Clock of the points: ", f);
		json_array_foreach(clocks, i, w)
		{
			fputs(i ? ", " : "", f);
			html_esc(f, json_string_value(w));
		}
		fputs(". Floor subtracted: ", f);
		if (!json_array_size(floors))
			fputs("none", f);
		json_array_foreach(floors, i, w)
		{
			double lo = INFINITY, hi = -INFINITY;

			for (j = 0; j < r->np; j++)
				if (r->p[j].st == ST_OK && !isnan(r->p[j].floor_ns) &&
				    strcmp(r->p[j].floor_source ? r->p[j].floor_source
								: "(source not recorded)",
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
	if (!json_is_true(json_object_get(cal, "start_present")) ||
	    !json_is_true(json_object_get(cal, "end_present")))
		fprintf(f,
			"<p class=\"flag\">Calibration at the %s is missing from "
			"raw/calibration.jsonl: start and "
			"end cannot be compared.</p>\n",
			!json_is_true(json_object_get(cal, "start_present")) ? "start" : "end");
	{
		static const char *const errs[] = { "error", "spawn_floor_error" };
		static const char *const phase[] = { "start", "end" };
		size_t ph, e;

		for (ph = 0; ph < 2; ph++)
			for (e = 0; e < 2; e++) {
				json_t *c = NULL, *x;

				json_array_foreach(r->calib, i, x)
					if (report_jstr(x, "phase") && !strcmp(report_jstr(x, "phase"), phase[ph]))
						c = x;
				if (!report_jstr(c, errs[e]))
					continue;
				fprintf(f, "<p class=\"flag\">Calibration at the %s: %s: ", phase[ph],
					errs[e]);
				html_esc(f, report_jstr(c, errs[e]));
				fputs("</p>\n", f);
			}
	}
	fputs("<table><tr><th>figure</th><th>start</th><th>end</th><th>relative "
	      "difference</th><th>tolerance</th>"
	      "<th></th></tr>\n",
	      f);
	json_array_foreach(json_object_get(cal, "fields"), i, v)
	{
		fprintf(f, "<tr><td>%s</td><td>", report_calib_fields[i].label);
		html_num_digits(f, report_jnum(v, "start"), 10);
		fputs("</td><td>", f);
		html_num_digits(f, report_jnum(v, "end"), 10);
		fputs("</td><td>", f);
		html_num(f, report_jnum(v, "rel_diff"));
		fprintf(f, "</td><td>%s</td><td>%s</td></tr>\n", report_calib_fields[i].tol_text,
			json_is_true(json_object_get(v, "flagged"))
			    ? "<span class=\"flag\">disagree</span>"
			    : "");
	}
	fputs("</table>\n", f);
	if (json_is_true(json_object_get(cal, "flagged")))
		fputs("<p class=\"flag\">Start and end calibration disagree beyond tolerance: the "
		      "run is flagged.</p>\n",
		      f);

	fputs("<h2>Failed and skipped points</h2>\n", f);
	html_points(f, r, 0);
	fputs("<h2>Flagged points</h2>\n<p>Ok points with a reason to distrust them "
	      "(retransmissions, no generator "
	      "headroom, ...); they are included in the figures and statistics above.</p>\n",
	      f);
	html_points(f, r, 1);
	fputs("</body>\n</html>\n", f);
	return report_close(f, path);
}
