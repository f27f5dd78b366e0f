/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf calibrate: what the appliance itself contributes to every figure:
 * the TSC rate (measured vs DPDK's), the cost of a timestamp, the RTT
 * floor over the in-process ring reflector, and each port kind's own floor
 * against the XDP reflector at the far end of a veth made for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "floor.h"
#include "tsc.h"
#include "http_load.h"
#include "app.h"
#include "commands.h"
#include "load_run.h"
#include "responder.h"

struct calib_cfg {
	struct app_dp_opts dp;
	uint64_t count;
	uint64_t interval;
	uint64_t reads;
	int http;
	uint64_t connections;
	uint64_t pipeline;
	uint64_t duration;
	uint64_t http_size;
	const char *port_floor;
};

static const struct opt_def calib_opts[] = {
	APP_DP_OPT_ROWS(struct calib_cfg, dp),
	{ "count", OPT_U64, offsetof(struct calib_cfg, count), 10, 10000000, "10000", "N",
	  "echoes over the ring reflector, and per port floor" },
	{ "interval", OPT_DURATION, offsetof(struct calib_cfg, interval), 1000, 1000000000, "20us", "DUR",
	  "time between floor echoes" },
	{ "port-floor", OPT_STR, offsetof(struct calib_cfg, port_floor), 0, 0, "af_xdp,af_packet,tap",
	  "KINDS", "port kinds whose floor to measure against the XDP reflector, or none" },
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
	{ "http-size", OPT_U64, offsetof(struct calib_cfg, http_size), 0, 1048576, "2", "N",
	  "--http: the responder's body bytes (lvperf reflect --size)" },
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
	struct responder resp;
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
	a.target_ip = dp->ring_nif_b.np->ip;
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
	rc = responder_init(&resp, RESPONDER_HTTP, (uint32_t)cfg->http_size, a.load.connections);
	if (rc) {
		fprintf(stderr, "lvperf calibrate: %s\n", strerror(-rc));
		http_load_free(&h);
		return APP_ERR;
	}
	dp->ring_nif_b.responder = &resp;
	if (!cfg->dp.json)
		printf("HTTP generator headroom (in-process stateless responder over the ring pair):\n");
	rc = load_run(dp, "http-headroom", &a, &load_proto_http, &h, h.req.len, json);
	dp->ring_nif_b.responder = NULL;
	responder_free(&resp);
	http_load_free(&h);
	return rc;
}

/* Parse --port-floor: a comma list of kinds with a port floor, or "none". */
static int calib_floor_kinds(const char *list, enum port_kind *kinds, unsigned *n)
{
	char buf[128], *tok, *save = NULL;
	struct port_spec ps;
	char spec[64], err[256];

	*n = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		snprintf(spec, sizeof(spec), "%.32s:x", tok);
		if (port_spec_parse(spec, &ps, err, sizeof(err)) != 0 ||
		    (!floor_port_supported(ps.kind) && ps.kind != PORT_VHOST) || *n == 8) {
			fprintf(stderr, "lvperf calibrate: --port-floor '%s': expected a comma list of "
					"af_xdp, af_packet, tap, vhost, or none\n", list);
			return -EINVAL;
		}
		kinds[(*n)++] = ps.kind;
	}
	return 0;
}

/* Each kind's port floor; a kind that fails is reported with its reason
 * and makes the command fail, the others are still measured. */
static int calib_port_floors(struct dp *dp, const struct calib_cfg *cfg, const enum port_kind *kinds,
			     unsigned n, json_t *out)
{
	char err[DP_ERR_LEN];
	struct floor_result pf;
	int failed = 0;

	for (unsigned i = 0; i < n && !app_interrupted; i++) {
		const char *name = port_kind_name(kinds[i]);

		/* A guest answers from a vCPU whose every exit costs tens of us
		 * (PVM, TCG): echoes 1 ms apart at least, or they queue. */
		int rc = kinds[i] == PORT_VHOST
				 ? floor_guest_measure(dp, NULL, cfg->count < 1000 ? (uint32_t)cfg->count : 1000,
						       cfg->interval > 1000000 ? cfg->interval : 1000000, &pf, err)
				 : floor_port_measure(dp, kinds[i], (uint32_t)cfg->count, cfg->interval, &pf, err);

		if (rc) {
			fprintf(stderr, "lvperf calibrate: %s\n", err);
			json_object_set_new(out, name,
					    json_pack("{s:s, s:s}", "source",
						      kinds[i] == PORT_VHOST ? FLOOR_SRC_GUEST : FLOOR_SRC_XDP, "error", err));
			failed = 1;
			continue;
		}
		json_object_set_new(out, name, app_floor_json(&pf));
		if (!cfg->dp.json) {
			char label[64];

			snprintf(label, sizeof(label), "%s port floor RTT", name);
			app_summary_print(stdout, label, &pf.s, "ns");
			if (kinds[i] == PORT_VHOST)
				printf("     p90 %.0f ns; the floor guest (%s) answered\n", pf.s.p90, pf.where);
			else
				printf("     p90 %.0f ns; XDP reflector (%s) on %s answered %" PRIu64 " echoes\n",
				       pf.s.p90, reflect_mode_name(pf.mode), pf.where, pf.refl.icmp);
		}
		floor_result_free(&pf);
	}
	return failed || app_interrupted ? -EIO : 0;
}

int cmd_calibrate(int argc, char **argv)
{
	struct calib_cfg cfg;
	struct dp_config dcfg;
	struct floor_result fl;
	enum port_kind kinds[8];
	unsigned n_kinds;
	json_t *port_floors;
	int floors_rc;
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
	if (app_dp_config("calibrate", &cfg.dp, 1, &dcfg) ||
	    calib_floor_kinds(cfg.port_floor, kinds, &n_kinds))
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
	if (!cfg.dp.json) {
		app_summary_print(stdout, "ring floor RTT", &fl.s, "ns");
		printf("     p90 %.0f  p99.9 %.0f ns; clock tsc-after-rx-burst; echoes every %.1f us\n", fl.s.p90,
		       fl.s.p999, (double)cfg.interval / 1e3);
	}
	port_floors = json_object();
	floors_rc = calib_port_floors(&dp, &cfg, kinds, n_kinds, port_floors);
	json_t *headroom = NULL;

	if (cfg.http && calib_http(&dp, &cfg, &headroom) != APP_OK) {
		floor_result_free(&fl);
		json_decref(port_floors);
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
		json_object_set_new(o, "port_floor", port_floors);
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
		json_decref(port_floors);
		if (dp.have_port)
			printf("port %s: RX stamped by %s\n", dp.port.label, clock_source_name(dp.port.clock));
	}
	floor_result_free(&fl);
	dp_close(&dp);
	return floors_rc ? APP_ERR : APP_OK;
}
