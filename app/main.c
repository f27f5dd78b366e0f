/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf: a kernel-bypass measurement appliance for lightweight
 * virtualization. main() is a table of subcommands, one file each.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ledger.h"
#include "app.h"
#include "commands.h"
#include "options.h"
#include "version.h"

#ifndef LVP_VERSION
#define LVP_VERSION "unknown"
#endif
#ifndef LVP_BUILD
#define LVP_BUILD "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "selfcheck", cmd_selfcheck, "ping + beacon against a namespace lvperf creates (the default job)" },
	{ "ping", cmd_ping, "ICMP echo RTT from the dataplane, floor subtracted" },
	{ "beacon", cmd_beacon, "time a command's start to its first ARP and first UDP beacon" },
	{ "http", cmd_http, "HTTP/1.1 load against a server, closed or open loop" },
	{ "kv", cmd_kv, "Redis GET/SET load (RESP), pipelined, closed or open loop" },
	{ "stats", cmd_stats, "ANOVA, Tukey HSD, Brown-Forsythe, Welch, Games-Howell on a CSV of results (no dataplane)" },
	{ "report", cmd_report, "CSV, JSON, statistics, figures and HTML from a run directory" },
	{ "boot", cmd_boot, "start a platform's workload N times: startup, image size, memory" },
	{ "memory", cmd_memory, "boot a platform's workload: memory footprint idle and under load" },
	{ "image", cmd_image, "build or reuse a workload's image for a platform (lvperf image build)" },
	{ "size", cmd_size, "bytes on disk and to transfer of what a platform needs to start a workload" },
	{ "platforms", cmd_platforms, "the platform drivers and whether each can run here" },
	{ "cleanup", cmd_cleanup, "remove what crashed or killed lvperf runs left behind" },
	{ "calibrate", cmd_calibrate, "TSC rate, timestamp cost, ring RTT floor" },
	{ "agent", cmd_agent, "the test server's side of --server ssh://HOST (execs lvperf-agent)" },
	{ "run", cmd_run, "an experiment spec end to end (default experiments/quick.yaml), resumable" },
	{ "reflect", cmd_reflect, "an HTTP or RESP server of lvperf's own on a memif port, to measure a generator alone" },
	{ NULL, NULL, NULL },
};

/* The commands that take a subcommand first, and their subcommands (lvperf
 * help --list; each answers COMMAND SUBCOMMAND --help). */
static const struct {
	const char *command;
	const char *subs[8];
} command_subs[] = {
	{ "stats", { "anova", "tukey", "levene", "brown-forsythe", "welch", "games-howell", NULL } },
	{ "image", { "build", NULL } },
};

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: lvperf COMMAND [options]   (lvperf help COMMAND, or lvperf COMMAND --help, for its "
		     "options)\n       lvperf -h | --help | --version | help [COMMAND [SUBCOMMAND]]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nshort options, where the command has the long one: -p --port, -c --connections, "
		     "-d --duration,\n-n --count or --repeat, -j --json. Manual: man lvperf.\n");
}

static const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(name, c->name) == 0)
			return c;
	return NULL;
}

/* lvperf help [--list | COMMAND [SUBCOMMAND]]: the command's own --help
 * (argv: what follows "help"). --list names every command and subcommand,
 * one a line, for the test that walks them all. */
static int help(int argc, char **argv)
{
	const struct command *c;
	char *args[4];
	size_t i, j;
	int n = 0;

	if (argc == 0) {
		usage(stdout);
		return APP_OK;
	}
	if (strcmp(argv[0], "--list") == 0) {
		for (c = commands; c->name; c++) {
			printf("%s\n", c->name);
			for (i = 0; i < sizeof(command_subs) / sizeof(command_subs[0]); i++)
				for (j = 0; strcmp(command_subs[i].command, c->name) == 0 && command_subs[i].subs[j]; j++)
					printf("%s %s\n", c->name, command_subs[i].subs[j]);
		}
		return APP_OK;
	}
	c = command_find(argv[0]);
	if (!c || argc > 2) {
		fprintf(stderr, "lvperf help: no command '%s' (lvperf help lists them)\n", argv[0]);
		return APP_USAGE;
	}
	if (argc == 2)
		args[n++] = argv[1];
	args[n++] = "--help";
	args[n] = NULL;
	return c->run(n, args);
}

/* Under lvperf run, a point's command ends with the runner: SIGTERM when
 * the runner dies, so a killed run leaves nothing running (the handlers
 * then tear the target down). */
static void follow_parent(void)
{
	const char *p = getenv("LVPERF_PARENT");

	if (!p)
		return;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != (pid_t)atoi(p))
		raise(SIGTERM);
}

/* A reader gone (the runner killed, `| head`) must not kill us before
 * the ledger is closed: writes fail with EPIPE instead. A handler, not
 * SIG_IGN, so the programs we start get the default back at exec. */
static void on_sigpipe(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	const struct command *c;

	signal(SIGPIPE, on_sigpipe);
	follow_parent();

	if (argc < 2) {
		usage(stderr);
		return APP_USAGE;
	}
	if (opt_is_help(argv[1])) {
		usage(stdout);
		return APP_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 2, argv + 2);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("lvperf %s (git %s; build %s)\n", LVP_VERSION, LVP_GIT_REV, LVP_BUILD);
		return APP_OK;
	}
	c = command_find(argv[1]);
	if (c) {
		int rc = c->run(argc - 2, argv + 2);

		ledger_close();
		return rc;
	}
	fprintf(stderr, "lvperf: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return APP_USAGE;
}
