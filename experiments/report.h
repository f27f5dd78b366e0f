/* SPDX-License-Identifier: BSD-3-Clause
 * The report of a run directory (docs/raw-format.md): tidy CSV, summary
 * and statistics as CSV/JSON, gnuplot figures mirroring the study's
 * (figures 3-6) plus latency percentiles and boot stages, and one HTML
 * page, all rebuilt from DIR/raw alone, byte for byte.
 */
#ifndef LVP_REPORT_H
#define LVP_REPORT_H

struct report_opts {
	const char *gnuplot; /* program to run, searched in PATH ("gnuplot") */
	double alpha;	     /* 1 - confidence level of intervals and Tukey, 0.05 */
	int quiet;	     /* no info line on stderr */
	const char *study_means;     /* study-means.csv (the study's published means), or NULL */
	const char *study_platforms; /* study-platforms.csv (platform -> the study's), or NULL */
};

struct report_result {
	unsigned long ok, failed, skipped, flagged, partial; /* points by status; ignored lines */
	unsigned figures, omitted;			     /* figures drawn, omitted (no data) */
	int plotted;					     /* gnuplot ran for every figure */
};

/*
 * Read dir/raw/points.jsonl and dir/raw/calibration.jsonl (and dir/run.json
 * when present), write everything into dir/report/ (created), and run
 * gnuplot on the .gp scripts written there. Errors are printed here, once,
 * as one line naming the file; returns 0, -EINVAL (bad raw data), -ENOENT
 * (no points file), -EIO or -ENOMEM. When gnuplot cannot be started the
 * report is written without images (res->plotted = 0, the HTML says why)
 * and 0 is returned; a gnuplot script that fails returns -EIO.
 */
int report_build(const char *dir, const struct report_opts *o, struct report_result *res);

#endif
