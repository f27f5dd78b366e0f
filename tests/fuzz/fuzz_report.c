/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the report's reader of raw/points.jsonl and
 * raw/calibration.jsonl (experiments/report_read.c: lines, names, the
 * index of targets, metrics and sweep points, the calibration comparison)
 * on a run directory of this process's own. The input is points.jsonl,
 * then after the first NUL byte calibration.jsonl. What follows the
 * reader (statistics, figures, HTML) is fuzz_report_all.c's. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_rundir.h"
#include "report.h"
#include "report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir;
	struct report_opts o = { .gnuplot = "/nonexistent/lvp-no-gnuplot", .alpha = 0.05, .quiet = 1 };
	size_t i, n;
	struct report r;
	struct rp **sorted;
	FILE *saved;

	dir = fuzz_rundir("rread", data, size);
	memset(&r, 0, sizeof(r));
	r.dir = dir;
	r.o = &o;
	saved = stderr;
	stderr = fopen("/dev/null", "w"); /* one line per bad input line */
	if (report_read(&r, dir) == 0) {
		r.calib_json = report_calib_compare(&r);
		/* every name the reader let through is one line of text */
		for (i = 0; i < r.nt; i++)
			if (strpbrk(r.target[i], "\n\r"))
				abort();
		for (i = 0; i < r.nm; i++)
			if (strpbrk(r.metric[i], "\n\r"))
				abort();
		sorted = report_sorted_ok(&r, 0, &n);
		free(sorted);
	}
	report_free(&r);
	fclose(stderr);
	stderr = saved;
	return 0;
}
