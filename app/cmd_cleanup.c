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
static json_t *cleanup_actions(char *text);

static int cleanup_remote(const struct app_server_opts *o, int json)
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
	if (json) {
		char *log = strdup(json_string_value(json_object_get(rep, "log")) ? json_string_value(json_object_get(rep, "log")) : "");

		app_json_print(json_pack("{s:s, s:s, s:I, s:o}", "command", "cleanup", "server", remote_host(r),
					 "removed", (json_int_t)n, "actions", cleanup_actions(log)));
		free(log);
	} else {
		fputs(json_string_value(json_object_get(rep, "log")) ? json_string_value(json_object_get(rep, "log")) : "",
		      stdout);
		printf("cleanup on %s: %d resource%s removed\n", remote_host(r), n, n == 1 ? "" : "s");
	}
	json_decref(rep);
	remote_close(r);
	return APP_OK;
}


struct cleanup_cfg {
	uint64_t pid;
	int json;
	const char *server, *identity;
};

static const struct opt_def cleanup_opts[] = {
	{ "ledger", OPT_U64, offsetof(struct cleanup_cfg, pid), 2, 4194304, NULL, "PID",
	  "only what the dead lvperf PID left (" LEDGER_DIR "/PID.ledger)" },
	{ "json", OPT_FLAG, offsetof(struct cleanup_cfg, json), 0, 0, NULL, NULL,
	  "one JSON object on stdout: removed, and each removal in actions" },
	{ "server", OPT_STR, offsetof(struct cleanup_cfg, server), 0, 0, NULL, "URI",
	  "on that test server (ssh://[USER@]HOST[:PORT]), through its agent: what dead lvperf runs and agents left there" },
	{ "identity", OPT_STR, offsetof(struct cleanup_cfg, identity), 0, 0, NULL, "FILE",
	  "the SSH private key for --server" },
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
	rc = opt_parse("cleanup", "[--ledger PID | --server URI [--identity FILE]] [--json]   (removes what crashed or killed lvperf runs left behind)",
		       cleanup_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf cleanup: takes no arguments but --ledger PID, --server URI and --json\n");
		return APP_USAGE;
	}
	if (cfg.identity && !cfg.server) {
		fprintf(stderr, "lvperf cleanup: --identity goes with --server\n");
		return APP_USAGE;
	}
	if (cfg.server) {
		struct app_server_opts o = { cfg.server, NULL, cfg.identity, NULL, NULL };

		if (cfg.pid) {
			fprintf(stderr, "lvperf cleanup: --ledger PID is for this host; --server cleans what the server's ledgers name\n");
			return APP_USAGE;
		}
		return cleanup_remote(&o, cfg.json);
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
