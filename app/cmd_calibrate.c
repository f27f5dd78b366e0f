/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf calibrate: what the appliance itself contributes to every figure:
 * the TSC rate (measured vs DPDK's), the cost of a timestamp, and the RTT
 * floor over the in-process ring reflector.
 */
#include <string.h>

#include "../calib/floor.h"
#include "../calib/tsc.h"
#include "../dataplane/http_load.h"
#include "app.h"
#include "commands.h"
#include "load_run.h"

struct calib_cfg {
	struct app_dp_opts dp;
	uint64_t count;
	uint64_t interval;
	uint64_t reads;
	int http;
	uint64_t connections;
	uint64_t pipeline;
	uint64_t duration;
};

static const struct opt_def calib_opts[] = {
	APP_DP_OPT_ROWS(struct calib_cfg, dp),
	{ "count", OPT_U64, offsetof(struct calib_cfg, count), 10, 10000000, "10000", "N",
	  "echoes over the ring reflector" },
	{ "interval", OPT_DURATION, offsetof(struct calib_cfg, interval), 1000, 1000000000, "20us", "DUR",
	  "time between floor echoes" },
	{ "reads", OPT_U64, offsetof(struct calib_cfg, reads), 1000, 1000000000, "10M", "N",
	  "back-to-back TSC reads to time one read" },
	{ "http", OPT_FLAG, offsetof(struct calib_cfg, http), 0, 0, NULL, NULL,
	  "also measure the HTTP generator's headroom against the in-process responder" },
	{ "connections", OPT_U64, offsetof(struct calib_cfg, connections), 1, 65536, "100", "N",
	  "--http: connections" },
	{ "pipeline", OPT_U64, offsetof(struct calib_cfg, pipeline), 1, 11, "1", "P",
	  "--http: requests in flight per connection" },
	{ "duration", OPT_DURATION, offsetof(struct calib_cfg, duration), 100000000, 600000000000ull,
	  "2s", "DUR", "--http: measurement window" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/*
 * Generator headroom: lvperf http against the stateless responder on the
 * other end of the ring pair, an infinitely fast server. What one worker
 * core can generate is the ceiling of every HTTP figure.
 */
static int calib_http(struct dp *dp, const struct calib_cfg *cfg, json_t **json)
{
	struct load_run_args a;
	struct http_load h;
	char err[DP_ERR_LEN];
	int rc;

	rc = dp_ring_open(dp, err);
	if (rc) {
		fprintf(stderr, "lvperf calibrate: %s\n", err);
		return APP_ERR;
	}
	memset(&a, 0, sizeof(a));
	a.nif = &dp->ring_nif_a;
	a.peer = &dp->ring_nif_b;
	dp->ring_nif_b.responder = 1;
	a.target_ip = dp->ring_nif_b.ip;
	a.target_port = 80;
	a.load.connections = (uint32_t)cfg->connections;
	a.load.pipeline = (uint32_t)cfg->pipeline;
	a.load.warmup = 500000000;
	a.load.duration = cfg->duration;
	a.load.linger = 100000000;
	a.time_wait = 1000000000;
	a.min_rto = 200000000;
	a.json = cfg->dp.json;
	a.quiet = cfg->dp.quiet;
	rc = http_load_init(&h, a.load.connections, "/", "lvperf-responder", NULL, 0);
	if (rc) {
		fprintf(stderr, "lvperf calibrate: %s\n", strerror(-rc));
		return APP_ERR;
	}
	if (!cfg->dp.json)
		printf("HTTP generator headroom (in-process stateless responder over the ring pair):\n");
	rc = load_run(dp, "http-headroom", &a, &load_proto_http, &h, h.req.len, json);
	http_load_free(&h);
	return rc;
}

int cmd_calibrate(int argc, char **argv)
{
	struct calib_cfg cfg;
	struct dp_config dcfg;
	struct floor_result fl;
	struct tsc_clock again;
	struct dp dp;
	char err[DP_ERR_LEN];
	double read_ns;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("calibrate", "[--port SPEC --ip A.B.C.D/LEN] [options]", calib_opts, &cfg, argc,
		       argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf calibrate: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (app_dp_config("calibrate", &cfg.dp, 1, &dcfg))
		return APP_USAGE;
	app_signals();
	rc = dp_open(&dp, &dcfg, err);
	if (rc) {
		fprintf(stderr, "lvperf calibrate: %s\n", err);
		return APP_ERR;
	}
	read_ns = tsc_read_cost_ns(&dp.clk, (unsigned)cfg.reads);
	rc = floor_ring_measure(&dp, (uint32_t)cfg.count, cfg.interval, &fl, err);
	if (rc) {
		fprintf(stderr, "lvperf calibrate: %s\n", err);
		dp_close(&dp);
		return APP_ERR;
	}
	json_t *headroom = NULL;

	if (cfg.http && calib_http(&dp, &cfg, &headroom) != APP_OK) {
		floor_result_free(&fl);
		dp_close(&dp);
		return APP_ERR;
	}
	/* A second TSC measurement after the floor run shows the drift. */
	tsc_calibrate(&again, 200);
	if (cfg.dp.json) {
		json_t *o = json_pack("{s:s, s:o, s:f, s:f, s:{s:s, s:I, s:f, s:o}}", "command", "calibrate",
				      "tsc", app_clock_json(&dp.clk, CLOCK_SRC_TSC_RX_BURST), "tsc_hz_end",
				      again.hz, "tsc_read_ns", read_ns, "ring_floor", "source",
				      "ring-reflector", "count", (json_int_t)fl.count, "interval_ns",
				      (double)cfg.interval, "rtt_ns", app_summary_json(&fl.s));

		if (dp.have_port)
			json_object_set_new(o, "port", json_pack("{s:s, s:s}", "name", dp.port.label, "clock",
								 clock_source_name(dp.port.clock)));
		if (headroom)
			json_object_set_new(o, "http_headroom", headroom);
		app_json_print(o);
	} else {
		printf("TSC: %.4f MHz measured against CLOCK_MONOTONIC_RAW (+/- %.2f ppm), %.4f MHz again at the end (%+.2f ppm)\n",
		       dp.clk.hz / 1e6, dp.clk.uncertainty_ppm, again.hz / 1e6, (again.hz / dp.clk.hz - 1) * 1e6);
		printf("     DPDK assumes %.4f MHz: %+.0f ppm off, not used\n", dp.clk.dpdk_hz / 1e6,
		       (dp.clk.dpdk_hz / dp.clk.hz - 1) * 1e6);
		printf("timestamp read: %.2f ns (mean of %llu back-to-back TSC reads)\n", read_ns,
		       (unsigned long long)cfg.reads);
		app_summary_print(stdout, "ring floor RTT", &fl.s, "ns");
		printf("     p90 %.0f  p99.9 %.0f ns; clock tsc-after-rx-burst; echoes every %.1f us\n", fl.s.p90,
		       fl.s.p999, (double)cfg.interval / 1e3);
		if (dp.have_port)
			printf("port %s: RX stamped by %s\n", dp.port.label, clock_source_name(dp.port.clock));
	}
	floor_result_free(&fl);
	dp_close(&dp);
	return APP_OK;
}
