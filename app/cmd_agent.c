/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf agent: exec the lvperf-agent beside this binary, so that
 * `ssh HOST lvperf agent` reaches the test server's agent (app/agent.c),
 * which links the drivers without DPDK.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "app.h"
#include "commands.h"

int cmd_agent(int argc, char **argv)
{
	char path[4096];
	char *args[3] = {path, argc > 0 ? argv[0] : NULL, NULL};

	if (driver_sibling_bin("lvperf-agent", path, sizeof(path)) != 0 ||
	    access(path, X_OK) != 0) {
		fprintf(stderr,
			"lvperf agent: lvperf-agent is missing beside lvperf (ninja -C build, or "
			"install both)\n");
		return 127; /* as a shell says "command not found" */
	}
	execv(path, args);
	fprintf(stderr, "lvperf agent: cannot run %s: %s\n", path, strerror(errno));
	return 127;
}
