/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the whole report (experiments/report.c report_build:
 * reading, statistics, findings, gnuplot scripts, HTML) on a run directory
 * of this process's own; fuzz_report.c is its reader alone, 100x faster
 * (the studentized range integrals of Tukey HSD dominate here). The input is points.jsonl, then
 * after the first NUL byte calibration.jsonl. gnuplot is a program that
 * does not exist: the first figure finds that out and the rest are only
 * written. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_rundir.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir;
	struct report_opts o = { .gnuplot = "/nonexistent/lvp-no-gnuplot", .alpha = 0.05, .quiet = 1 };
	struct report_result res;
	FILE *saved;

	dir = fuzz_rundir("report", data, size);
	memset(&res, 0, sizeof(res));
	saved = stderr;
	stderr = fopen("/dev/null", "w"); /* one line per bad input line */
	(void)report_build(dir, &o, &res);
	fclose(stderr);
	stderr = saved;
	return 0;
}
