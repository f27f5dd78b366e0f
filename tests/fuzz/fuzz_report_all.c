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
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], raw[80];
	struct report_opts o = { .gnuplot = "/nonexistent/lvp-no-gnuplot", .alpha = 0.05, .quiet = 1 };
	struct report_result res;
	const uint8_t *nul = memchr(data, 0, size);
	size_t np = nul ? (size_t)(nul - data) : size;
	FILE *saved;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%.40s/lvpfuzz%d-report",
			 getenv("LVP_FUZZ_TMP") ? getenv("LVP_FUZZ_TMP") : "/tmp", (int)getpid());
		snprintf(raw, sizeof(raw), "%s/raw", dir);
		mkdir(dir, 0700);
		mkdir(raw, 0700);
	}
	put(raw, "points.jsonl", data, np);
	put(raw, "calibration.jsonl", nul ? nul + 1 : data, nul ? size - np - 1 : 0);
	memset(&res, 0, sizeof(res));
	saved = stderr;
	stderr = fopen("/dev/null", "w"); /* one line per bad input line */
	(void)report_build(dir, &o, &res);
	fclose(stderr);
	stderr = saved;
	return 0;
}
