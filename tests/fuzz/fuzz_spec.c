/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the spec loader (experiments/spec.c spec_load) on any
 * file, YAML or not. spec_load reads a path: the input is written to a
 * file of this process's own first. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const platforms[] = { "native", "runc", "qemu", "docker", NULL };
	static struct spec s; /* large */
	static char path[64];
	FILE *f, *err;

	if (!path[0]) /* LVP_FUZZ_TMP: scripts/fuzz.sh's own directory */
		snprintf(path, sizeof(path), "%.40s/lvpfuzz%d-spec.yaml",
			 getenv("LVP_FUZZ_TMP") ? getenv("LVP_FUZZ_TMP") : "/tmp", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	err = fopen("/dev/null", "w");
	if (!err)
		abort();
	(void)spec_load(path, platforms, &s, err);
	fclose(err);
	return 0;
}
