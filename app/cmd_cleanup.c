/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf cleanup: undo what the ledgers of dead lvperf processes still
 * hold (namespaces, links, processes, directories), and remove DPDK runtime
 * directories of dead runs. Running lvperf processes are left alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "app.h"
#include "commands.h"

int cmd_cleanup(int argc, char **argv)
{
	char *end;
	long pid = 0;
	int n;

	if (argc > 0) {
		if (strcmp(argv[0], "--help") == 0) {
			printf("usage: lvperf cleanup [--ledger PID]\n\nRemoves what crashed or killed lvperf runs "
			       "left behind, as recorded in " LEDGER_DIR "/<pid>.ledger.\n"
			       "  --ledger PID  only what the dead lvperf PID left\n");
			return APP_OK;
		}
		if (argc != 2 || strcmp(argv[0], "--ledger") != 0 || (pid = strtol(argv[1], &end, 10)) <= 1 ||
		    *end) {
			fprintf(stderr, "lvperf cleanup: takes no arguments but --ledger PID\n");
			return APP_USAGE;
		}
	}
	n = pid ? ledger_cleanup_pid((pid_t)pid, stdout) : ledger_cleanup(stdout);
	if (n == -ENOENT && pid) {
		fprintf(stderr, "lvperf cleanup: no ledger " LEDGER_DIR "/%ld.ledger (nothing left, or another PID)\n", pid);
		return APP_ERR;
	}
	if (n == -EBUSY) {
		fprintf(stderr, "lvperf cleanup: lvperf %ld still runs; stop it first\n", pid);
		return APP_ERR;
	}
	if (n < 0) {
		fprintf(stderr, "lvperf cleanup: %s\n", strerror(-n));
		return APP_ERR;
	}
	printf("cleanup: %d resource%s removed\n", n, n == 1 ? "" : "s");
	return APP_OK;
}
