/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf calibrate: what the appliance itself contributes to every figure:
 * the TSC rate (measured vs DPDK's), the cost of a timestamp, and the RTT
 * floor over the in-process ring reflector.
 */
#include <string.h>

#include "../calib/floor.h"
#include "../calib/tsc.h"
#include "app.h"
#include "commands.h"

struct calib_cfg {
	struct app_dp_opts dp;
	uint64_t count;
	uint64_t interval;
	uint64_t reads;
};

static const struct opt_def calib_opts[] = {
	APP_DP_OPT_ROWS(struct calib_cfg, dp),
	{ "count", OPT_U64, offsetof(struct calib_cfg, count), 10, 10000000, "10000", "N",
	  "echoes over the ring reflector" },
	{ "interval", OPT_DURATION, offsetof(struct calib_cfg, interval), 1000, 1000000000, "20us", "DUR",
	  "time between floor echoes" },
	{ "reads", OPT_U64, offsetof(struct calib_cfg, reads), 1000, 1000000000, "10M", "N",
	  "back-to-back TSC reads to time one read" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

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
