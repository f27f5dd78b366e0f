/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the ledger reader (drivers/ledger.c ledger_parse) and
 * the path check every path of a ledger goes through before cleanup
 * touches it (ledger_path_ok). Nothing is run or removed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char kind[64][16], name[64][LEDGER_LINE];
	FILE *f;
	int n;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	n = ledger_parse(f, kind, name, 64);
	fclose(f);
	if (n < 0 || n > 64)
		abort();
	for (int i = 0; i < n; i++) {
		if (strlen(kind[i]) >= sizeof(kind[i]) || strlen(name[i]) >= sizeof(name[i]))
			abort();
		(void)ledger_path_ok(name[i]);
	}
	return 0;
}
