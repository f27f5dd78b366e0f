/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf cleanup: undo what the ledgers of dead lvperf processes still
 * hold (namespaces, links, processes, directories), and remove DPDK runtime
 * directories of dead runs. Running lvperf processes are left alone.
 */
#include <string.h>

#include "../drivers/ledger.h"
#include "app.h"
#include "commands.h"

int cmd_cleanup(int argc, char **argv)
{
	int n;

	if (argc > 0) {
		if (strcmp(argv[0], "--help") == 0) {
			printf("usage: lvperf cleanup\n\nRemoves what crashed or killed lvperf runs left "
			       "behind, as recorded in " LEDGER_DIR "/<pid>.ledger.\n");
			return APP_OK;
		}
		fprintf(stderr, "lvperf cleanup: takes no arguments\n");
		return APP_USAGE;
	}
	n = ledger_cleanup(stdout);
	if (n < 0) {
		fprintf(stderr, "lvperf cleanup: %s\n", strerror(-n));
		return APP_ERR;
	}
	printf("cleanup: %d resource%s removed\n", n, n == 1 ? "" : "s");
	return APP_OK;
}
