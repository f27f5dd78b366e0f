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
#include "server.h"

/* --server: the agent's cleanup op undoes what dead lvperf processes
 * (agents killed with their connection, or crashed) left on the server. */
static int cleanup_remote(const struct app_server_opts *o)
{
	char err[REMOTE_ERR_LEN];
	struct remote *r;
	json_t *rep;
	int rc = app_server_open("cleanup", o, 0, &r), n;

	if (rc)
		return rc;
	rep = remote_call(r, json_pack("{s:s}", "op", "cleanup"), 600000, err, sizeof(err));
	if (!rep) {
		fprintf(stderr, "lvperf cleanup: %s\n", err);
		remote_close(r);
		return APP_ERR;
	}
	n = (int)json_integer_value(json_object_get(rep, "removed"));
	fputs(json_string_value(json_object_get(rep, "log")) ? json_string_value(json_object_get(rep, "log")) : "",
	      stdout);
	printf("cleanup on %s: %d resource%s removed\n", remote_host(r), n, n == 1 ? "" : "s");
	json_decref(rep);
	remote_close(r);
	return APP_OK;
}

int cmd_cleanup(int argc, char **argv)
{
	char *end;
	long pid = 0;
	int n;

	if (argc > 0 && (!strcmp(argv[0], "--server") || !strcmp(argv[0], "--identity"))) {
		struct app_server_opts o = { NULL, NULL, NULL };

		for (int i = 0; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--server"))
				o.server = argv[i + 1];
			else if (!strcmp(argv[i], "--identity"))
				o.identity = argv[i + 1];
			else
				argc = -1;
		}
		if (argc < 0 || argc % 2 || !o.server) {
			fprintf(stderr, "lvperf cleanup: --server ssh://[USER@]HOST[:PORT] [--identity FILE]\n");
			return APP_USAGE;
		}
		return cleanup_remote(&o);
	}
	if (argc > 0) {
		if (strcmp(argv[0], "--help") == 0) {
			printf("usage: lvperf cleanup [--ledger PID | --server ssh://[USER@]HOST[:PORT] [--identity FILE]]\n\n"
			       "Removes what crashed or killed lvperf runs "
			       "left behind, as recorded in " LEDGER_DIR "/<pid>.ledger.\n"
			       "  --ledger PID  only what the dead lvperf PID left\n"
			       "  --server URI  on that test server, through its agent (what dead agents left)\n");
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
