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

struct cleanup_cfg {
	uint64_t pid;
	int json;
};

static const struct opt_def cleanup_opts[] = {
	{ "ledger", OPT_U64, offsetof(struct cleanup_cfg, pid), 2, 4194304, NULL, "PID",
	  "only what the dead lvperf PID left (" LEDGER_DIR "/PID.ledger)" },
	{ "json", OPT_FLAG, offsetof(struct cleanup_cfg, json), 0, 0, NULL, NULL,
	  "one JSON object on stdout: removed, and each removal in actions" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* The lines ledger_cleanup() wrote ("removed KIND NAME"), as a JSON array. */
static json_t *cleanup_actions(char *text)
{
	json_t *arr = json_array();
	char *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(arr, json_string(line));
	return arr;
}

int cmd_cleanup(int argc, char **argv)
{
	struct cleanup_cfg cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out = stdout;
	int rest, rc, n;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("cleanup", "[--ledger PID] [--json]   (removes what crashed or killed lvperf runs left behind)",
		       cleanup_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf cleanup: takes no arguments but --ledger PID and --json\n");
		return APP_USAGE;
	}
	if (cfg.json && !(out = open_memstream(&text, &len))) {
		fprintf(stderr, "lvperf cleanup: out of memory\n");
		return APP_ERR;
	}
	n = cfg.pid ? ledger_cleanup_pid((pid_t)cfg.pid, out) : ledger_cleanup(out);
	if (cfg.json)
		fclose(out);
	if (n == -ENOENT && cfg.pid) {
		fprintf(stderr, "lvperf cleanup: no ledger " LEDGER_DIR "/%lu.ledger (nothing left, or another PID)\n",
			(unsigned long)cfg.pid);
		rc = APP_ERR;
	} else if (n == -EBUSY) {
		fprintf(stderr, "lvperf cleanup: lvperf %lu still runs; stop it first\n", (unsigned long)cfg.pid);
		rc = APP_ERR;
	} else if (n < 0) {
		fprintf(stderr, "lvperf cleanup: %s\n", strerror(-n));
		rc = APP_ERR;
	} else if (cfg.json) {
		app_json_print(json_pack("{s:s, s:I, s:o}", "command", "cleanup", "removed", (json_int_t)n, "actions",
					 cleanup_actions(text)));
	} else {
		printf("cleanup: %d resource%s removed\n", n, n == 1 ? "" : "s");
	}
	free(text);
	return rc;
}
