/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf report: from DIR/raw (docs/raw-format.md) to DIR/report, in
 * the order report_read.c, report_table.c, report_stats.c,
 * report_find.c, report_fig.c, report_html.c. Every
 * output is a pure function of the raw files: rows are sorted by plan
 * point id, groups by metric, sweep point and target (targets in plan
 * order, the order of their lowest point id), numbers printed with fixed
 * formats, no clock read anywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "report.h"
#include "report_int.h"

int report_build(const char *dir, const struct report_opts *o, struct report_result *res)
{
	struct report r;
	json_t *rows = NULL, *one = NULL, *two = NULL, *find = NULL, *sum;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.dir = dir;
	r.o = o;
	if ((rc = report_read(&r, dir)))
		goto out;
	rc = -ENOMEM;
	if (!(r.rdir = report_path(dir, "report")))
		goto out;
	if (mkdir(r.rdir, 0755) && errno != EEXIST) {
		rc = -errno;
		fprintf(stderr, "lvperf report: %s: %s\n", r.rdir, strerror(errno));
		goto out;
	}
	r.calib_json = report_calib_compare(&r);
	if ((rc = report_write_results(&r)) || (rc = report_write_summary(&r, &rows)) ||
	    (rc = report_write_stats(&r, &one, &two)) || (rc = report_findings(&r, rows, one, &find)))
		goto out;
	sum = json_object();
	json_object_set_new(sum, "level", json_real(1 - o->alpha));
	json_object_set_new(sum, "points",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "ok", (json_int_t)r.n_ok,
				      "failed", (json_int_t)r.n_failed, "skipped",
				      (json_int_t)r.n_skipped, "flagged", (json_int_t)r.n_flagged,
				      "partial_lines_ignored", (json_int_t)r.partial));
	json_object_set_new(sum, "calibration", json_incref(r.calib_json));
	json_object_set_new(sum, "rows", json_incref(rows));
	rc = report_json_write(&r, "summary.json", sum);
	json_decref(sum);
	if (rc || (rc = report_figures(&r)))
		goto out;
	res->plotted = 1;
	for (i = 0; i < r.nfig; i++) {
		if (r.fig[i].omitted[0]) {
			res->omitted++;
			continue;
		}
		res->figures++;
		if (!res->plotted)
			continue;
		rc = report_gnuplot(&r, &r.fig[i]);
		if (rc == -ENOENT) {
			res->plotted = 0;
			snprintf(r.plot_note, sizeof(r.plot_note),
				 "Figures not rendered: '%s' was not found (install gnuplot-nox, "
				 "then rerun lvperf report "
				 "or run gnuplot on the .gp files).",
				 o->gnuplot);
			fprintf(stderr,
				"lvperf report: %s: not found; writing the report without images "
				"(install gnuplot-nox)\n",
				o->gnuplot);
		} else if (rc) {
			goto out;
		}
	}
	rc = report_html(&r, rows, one, two, r.calib_json, find);
	res->ok = r.n_ok;
	res->failed = r.n_failed;
	res->skipped = r.n_skipped;
	res->flagged = r.n_flagged;
	res->partial = r.partial;
out:
	report_free(&r);
	json_decref(rows);
	json_decref(one);
	json_decref(two);
	json_decref(find);
	return rc;
}
