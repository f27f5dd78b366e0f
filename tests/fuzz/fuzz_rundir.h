/* SPDX-License-Identifier: BSD-3-Clause
 * For the report targets: a run directory of this process's own (under
 * LVP_FUZZ_TMP, scripts/fuzz.sh's tmpfs directory) whose raw/points.jsonl
 * is the input up to its first NUL byte and raw/calibration.jsonl the
 * rest. Returns the directory. */
#ifndef LVP_FUZZ_RUNDIR_H
#define LVP_FUZZ_RUNDIR_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fuzz_put(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

static const char *fuzz_rundir(const char *which, const uint8_t *data, size_t size)
{
	static char dir[64], raw[80];
	const uint8_t *nul = memchr(data, 0, size);
	size_t np = nul ? (size_t)(nul - data) : size;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%.40s/lvpfuzz%d-%s",
			 getenv("LVP_FUZZ_TMP") ? getenv("LVP_FUZZ_TMP") : "/tmp", (int)getpid(), which);
		snprintf(raw, sizeof(raw), "%s/raw", dir);
		mkdir(dir, 0700);
		mkdir(raw, 0700);
	}
	fuzz_put(raw, "points.jsonl", data, np);
	fuzz_put(raw, "calibration.jsonl", nul ? nul + 1 : data, nul ? size - np - 1 : 0);
	return dir;
}

#endif
