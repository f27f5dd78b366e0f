/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf selfcheck: the built-in default job. Creates an lvp namespace with
 * a veth, drives the host end with DPDK, pings the kernel inside (floor
 * subtracted) and times native starts of the beacon workload, then removes
 * everything it made.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "app.h"
#include "commands.h"

struct selfcheck_cfg {
	const char *kind;
	const char *cores;
	const char *eal;
	uint64_t count;
	uint64_t repeat;
	int json;
	int quiet;
};

static const struct opt_def selfcheck_opts[] = {
	{ "kind", OPT_STR, offsetof(struct selfcheck_cfg, kind), 0, 0, "af_xdp", "af_xdp|af_packet",
	  "port kind driving the veth" },
	{ "count", OPT_U64, offsetof(struct selfcheck_cfg, count), 10, 1000000, "1000", "N",
	  "echoes to the namespace" },
	{ "repeat", OPT_U64, offsetof(struct selfcheck_cfg, repeat), 1, 10000, "10", "N",
	  "native starts of the beacon workload" },
	{ "cores", OPT_STR, offsetof(struct selfcheck_cfg, cores), 0, 0, NULL, "[MAIN,]WORKER",
	  "CPUs for control and dataplane" },
	{ "eal", OPT_STR, offsetof(struct selfcheck_cfg, eal), 0, 0, NULL, "\"OPTS\"", "extra EAL options" },
	{ "json", OPT_FLAG, offsetof(struct selfcheck_cfg, json), 0, 0, NULL, NULL, "one JSON object on stdout" },
	{ "quiet", OPT_FLAG, offsetof(struct selfcheck_cfg, quiet), 0, 0, NULL, NULL, "no info lines" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define SC_PEER_IP 0x0afb0002u /* 10.251.0.2, inside the namespace */
#define SC_OUR_IP 0x0afb0001u  /* 10.251.0.1, the appliance */

int cmd_selfcheck(int argc, char **argv)
{
	struct selfcheck_cfg cfg;
	struct netns_link link;
	struct dp_config dcfg;
	struct dp dp;
	char err[DP_ERR_LEN], tag[11], port[40], dst[16];
	json_t *pj = NULL, *bj = NULL;
	int rest, rc, prc = APP_ERR, brc = APP_ERR;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("selfcheck", "[options]", selfcheck_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc || (strcmp(cfg.kind, "af_xdp") && strcmp(cfg.kind, "af_packet"))) {
		fprintf(stderr, "lvperf selfcheck: --kind must be af_xdp or af_packet\n");
		return APP_USAGE;
	}
	if (access(app_beacon_path(), X_OK) != 0) {
		fprintf(stderr, "lvperf selfcheck: the beacon workload is missing at %s (build it with ninja -C build)\n",
			app_beacon_path());
		return APP_ERR;
	}
	app_signals();
	snprintf(tag, sizeof(tag), "sc%d", (int)getpid() % 10000000);
	if (netns_link_create(&link, tag, SC_PEER_IP, 24, 1, err, sizeof(err))) {
		fprintf(stderr, "lvperf selfcheck: %s\n", err);
		return APP_ERR;
	}
	if (!cfg.quiet)
		fprintf(stderr, "lvperf: namespace %s, veth %s (DPDK %s) <-> %s 10.251.0.2/24\n", link.ns,
			link.host_if, cfg.kind, link.peer_if);
	snprintf(port, sizeof(port), "%s:%s", cfg.kind, link.host_if);
	memset(&dcfg, 0, sizeof(dcfg));
	app_dp_tsc(&dcfg);
	dcfg.port = port;
	dcfg.ip = SC_OUR_IP;
	dcfg.prefix_len = 24;
	dcfg.cores = cfg.cores;
	dcfg.eal = cfg.eal;
	dcfg.udp_port = 1337;
	dcfg.quiet = cfg.quiet;
	rc = dp_open(&dp, &dcfg, err);
	if (rc) {
		fprintf(stderr, "lvperf selfcheck: %s\n", err);
		netns_link_destroy(&link);
		return APP_ERR;
	}
	{
		struct ping_args pa = { .target = SC_PEER_IP, .count = cfg.count, .interval = 100000,
					.size = 56, .timeout = 3000000000ull, .linger = 1000000000ull,
					.floor_count = 1000, .json = cfg.json, .quiet = cfg.quiet };
		char *bargv[] = { "ip", "netns", "exec", link.ns, (char *)app_beacon_path(),
				  "--dst", pkt_format_ip(SC_OUR_IP, dst), NULL };
		struct beacon_args ba = { .repeat = cfg.repeat, .timeout = 10000000000ull, .gap = 50000000,
					  .json = cfg.json, .quiet = 1, .argv = bargv };

		if (!cfg.json)
			printf("== ping: %" PRIu64 " echoes to the kernel in %s over %s ==\n", cfg.count,
			       link.ns, port);
		prc = ping_measure(&dp, &pa, &pj);
		if (!app_interrupted) {
			if (!cfg.json)
				printf("== beacon: %" PRIu64 " native starts in %s ==\n", cfg.repeat, link.ns);
			brc = beacon_measure(&dp, &ba, &bj);
		}
	}
	dp_close(&dp);
	netns_link_destroy(&link);
	rc = prc != APP_OK ? prc : brc;
	if (cfg.json)
		app_json_print(json_pack("{s:s, s:s, s:o, s:o, s:b}", "command", "selfcheck", "port", port,
					 "ping", pj ? pj : json_null(), "beacon", bj ? bj : json_null(),
					 "ok", rc == APP_OK));
	else
		printf("selfcheck: %s\n", rc == APP_OK ? "OK" : "FAILED");
	return rc;
}
