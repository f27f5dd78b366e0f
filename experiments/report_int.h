/* SPDX-License-Identifier: BSD-3-Clause
 * Inside lvperf report: the run as read from DIR/raw, shared by
 * report.c (the order of the steps), report_read.c (reading, grouping,
 * calibration), report_table.c (results/summary CSV and JSON),
 * report_stats.c (stats.json), report_find.c (findings), report_fig.c (gnuplot figures) and
 * report_html.c (index.html). Not a public interface: see report.h.
 */
#ifndef LVP_REPORT_INT_H
#define LVP_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "report.h"

enum { ST_OK, ST_FAILED, ST_SKIPPED };

/* The sweep parameters a point may carry, in sort order. */
enum { P_CONN, P_PIPE, P_OP, P_UNDER, P_NONE };

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
	char name[48]; /* file stem: NAME.gp, NAME.dat, NAME.svg, NAME.png */
	char title[160];
	char caption[1024]; /* what it shows, then its clock, floor and error bars */
	char omitted[256]; /* why it is not drawn, or "" */
	char metric[16];   /* the metric it shows */
	char op[16];	   /* restricted to this op, or "" */
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
	int warned_param; /* an unknown params key was reported */
	json_t *calib_json;
};

/* Start/end calibration figures compared: flagged past tol, a relative
 * difference, or with ratio a factor between the larger and the smaller. */
struct report_calib_field {
	const char *key, *label;
	double tol;
	int ratio;
	const char *tol_text;
};

#define REPORT_CALIB_FIELDS 5
extern const struct report_calib_field report_calib_fields[REPORT_CALIB_FIELDS];

/* The names of the sweep parameters P_CONN .. P_UNDER in the raw points'
 * "params" and in the report's "sweep" objects. */
extern const char *const report_param_name[P_NONE];

/* Read DIR/raw/points.jsonl, DIR/raw/calibration.jsonl (optional) and
 * DIR/run.json (optional) into r (zeroed, r->o set) and index it: targets
 * in plan order, metrics in the study's order. Errors are printed here as
 * one line naming the file; 0, -ENOENT (no points file), -EINVAL, -ENOMEM.
 * report_free releases everything r holds, also after a failure. */
int report_read(struct report *r, const char *dir);
void report_free(struct report *r);

/* The start and end calibration records compared field by field
 * (report_calib_fields), as summary.json's "calibration"; new reference. */
json_t *report_calib_compare(struct report *r);

/* "a/b", malloc'd (NULL when out of memory). */
char *report_path(const char *a, const char *b);

/* Field k of JSON object o: a string (else NULL), a number (else NaN). */
const char *report_jstr(json_t *o, const char *k);
double report_jnum(json_t *o, const char *k);

/* JSON number: null for NaN, "inf"/"-inf" for infinities. */
json_t *report_jnum_json(double v);

/* The stamp error summary ({n, mean, sd, min, max, ...} in ns) that lvperf
 * beacon/boot put in point p's result ("stamp_error_ns", or under
 * "startup" for boot), borrowed; NULL when absent or null, then *reason is
 * its "stamp_error_reason" (or NULL). */
json_t *report_stamp_error(const struct rp *p, const char **reason);

/* Same metric, target and whole sweep point. */
int report_same_cell(const struct rp *a, const struct rp *b);

/* The sweep point of p as a JSON object, without parameter mask (P_NONE:
 * all); new reference. */
json_t *report_sweep_json(const struct rp *p, int mask);

/* strcmp for qsort of const char *; strcmp with NULL first. */
int report_cmp_str(const void *a, const void *b);
int report_cmp_nstr(const char *a, const char *b);

/* Compare parameter k (P_*) of two points; the whole sweep point except
 * parameter mask (P_NONE: all). */
int report_param_cmp(const struct rp *a, const struct rp *b, int k);
int report_sweep_cmp(const struct rp *a, const struct rp *b, int mask);
int report_same_sweep(const struct rp *a, const struct rp *b, int mask);

/* "connections=100 op=get" (or "-") into buf, leaving out the parameters
 * in the bit set skip (1 << P_CONN, ...). */
void report_sweep_label(const struct rp *p, unsigned skip, char *buf, size_t len);

/* The ok points sorted by metric, sweep point without mask, target, the
 * value of mask, point id (malloc'd, *n of them; NULL: out of memory). */
struct rp **report_sorted_ok(struct report *r, int mask, size_t *n);

/* Open r->rdir/name for writing (*path malloc'd, also on failure; NULL
 * after one line on stderr); close it, free path, -EIO on a write error. */
FILE *report_open(struct report *r, const char *name, char **path);
int report_close(FILE *f, char *path);

/* Write o as r->rdir/name (indented, 10 significant digits, keys in
 * insertion order); 0 or -EIO after one line on stderr. */
int report_json_write(struct report *r, const char *name, json_t *o);

/* A CSV field: s quoted when it holds a comma, quote or newline (nothing
 * for NULL); v with digits significant digits (nothing for NaN). */
void report_csv_str(FILE *f, const char *s);
void report_csv_num(FILE *f, double v, int digits);

/* results.csv: one row per point. summary.csv and the rows of summary.json
 * (*rows, new reference): per metric, sweep point and target the mean, SD,
 * CI at 1 - alpha, median, min, max, clock, floor and stamp error. 0, -EIO
 * or -ENOMEM. */
int report_write_results(struct report *r);
int report_write_summary(struct report *r, json_t **rows);

/* stats.json: one-way tests per metric and sweep point (*one) and two-way
 * ANOVAs (*two), both new references also written into the file. 0, -EIO
 * or -ENOMEM. */
int report_write_stats(struct report *r, json_t **one, json_t **two);

/* A unit a person reads for values of unit (ms, us, bytes, req/s) around
 * magnitude mag: s/ms/µs, KiB/MiB, req/s or k req/s; value * scale is
 * in name. Other units are kept (scale 1). */
struct report_unit {
	double scale;
	char name[16];
};
void report_human_unit(const char *unit, double mag, struct report_unit *u);

/* Compact letter display (Piepho 2004, "An algorithm for a letter-based
 * representation of all-pairwise comparisons", J. Comput. Graph. Stat.
 * 13(2), 456-466: insert and absorb) of k <= 64 groups: diff[i * k + j]
 * non-zero when groups i and j differ significantly, rank[i] group i's
 * place (0 best). letters[i] gets group i's letters, 'a' for the column of
 * the best group; groups that share a letter do not differ, groups that
 * differ share none. Returns the number of letters, or -E2BIG (more than
 * REPORT_CLD_LEN - 1 letters, or k > 64). */
#define REPORT_CLD_LEN 53
int report_cld(size_t k, const unsigned char *diff, const size_t *rank, char (*letters)[REPORT_CLD_LEN]);

/* findings.csv, and *find (new reference): per entry of one (stats.json's
 * oneway) the targets ranked best first with mean and CI in a human unit,
 * ratio to the host platform's target of the same workload, letters from
 * the test the verdict follows, and the study's mean where
 * r->o->study_means has the row (r->o->study_platforms maps a platform to
 * the study's). 0, -EIO or -ENOMEM. */
int report_findings(struct report *r, json_t *rows, json_t *one, json_t **find);

/* Write the .dat and .gp of every figure into r->fig[] (or the reason it
 * is omitted); run gnuplot on one. Return 0 or -errno (-ENOENT: no gnuplot). */
int report_figures(struct report *r);
int report_gnuplot(struct report *r, const struct fig *g);

/* Write index.html from the findings (report_findings), the summary rows, the one- and two-way statistics
 * (as in summary.json and stats.json) and the calibration comparison. */
int report_html(struct report *r, json_t *rows, json_t *one, json_t *two, json_t *cal, json_t *find);

#endif
