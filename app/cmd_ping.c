/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf ping: ICMP echo RTT from the dataplane, stamped at the port, with
 * the appliance's own floor measured first and its median subtracted: by
 * default the port's (the same kind of port to the XDP reflector at the
 * far end of a veth of its own), else the in-process ring's.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "floor.h"
#include "app.h"
#include "commands.h"
#include "target.h"

struct ping_cfg {
	struct app_dp_opts dp;
	struct target_session_opts ts;
	struct ping_args a;
};

static const struct opt_def ping_opts[] = {
	APP_DP_OPT_ROWS(struct ping_cfg, dp),
	TARGET_SESSION_OPT_ROWS(struct ping_cfg, ts, "beacon"),
	{ "target", OPT_IPV4, offsetof(struct ping_cfg, a.target), 0, 0, NULL, "A.B.C.D",
	  "address to ping (in the --ip subnet)" },
	{ "count", OPT_U64, offsetof(struct ping_cfg, a.count), 1, 10000000, "10", "N", "echoes to send" },
	{ "interval", OPT_DURATION, offsetof(struct ping_cfg, a.interval), 1000, 60000000000ull, "1ms",
	  "DUR", "time between echoes" },
	{ "size", OPT_U64, offsetof(struct ping_cfg, a.size), PING_PAYLOAD_MIN, PING_PAYLOAD_MAX, "56",
	  "BYTES", "ICMP payload bytes" },
	{ "timeout", OPT_DURATION, offsetof(struct ping_cfg, a.timeout), 1000000, 600000000000ull, "3s",
	  "DUR", "give up resolving the target's MAC after this" },
	{ "linger", OPT_DURATION, offsetof(struct ping_cfg, a.linger), 0, 600000000000ull, "1s", "DUR",
	  "wait this long for replies after the last echo" },
	{ "floor", OPT_STR, offsetof(struct ping_cfg, a.floor), 0, 0, "port", "ring|port|none",
	  "floor subtracted: the port's own (XDP reflector on a veth of its own; ring for ports "
	  "without one), the in-process ring's, or none" },
	{ "floor-count", OPT_U64, offsetof(struct ping_cfg, a.floor_count), 10, 1000000, "1000", "N",
	  "echoes to measure the floor (the port's every --interval, at most 1 ms apart)" },
	{ "no-floor", OPT_FLAG, offsetof(struct ping_cfg, a.no_floor), 0, 0, NULL, NULL,
	  "--floor none" },
	{ "samples", OPT_FLAG, offsetof(struct ping_cfg, a.samples), 0, 0, NULL, NULL,
	  "print every sample (text mode)" },
	{ "csv", OPT_STR, offsetof(struct ping_cfg, a.csv), 0, 0, NULL, "FILE",
	  "write every sample to FILE (seq, tx_tsc, rtt_raw_ns, rtt_ns)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* Once a second on a terminal: how far the run is. Stops on Ctrl-C. */
struct ping_watch {
	const struct ping_args *a;
	int show;
	uint64_t last;
};

static int ping_watch_fn(uint32_t sent, uint32_t received, void *ctx)
{
	struct ping_watch *w = ctx;
	uint64_t now = rte_rdtsc();

	if (w->show && now - w->last > rte_get_tsc_hz()) {
		fprintf(stderr, "\rlvperf ping: %u/%" PRIu64 " sent, %u received ", sent, w->a->count,
			received);
		w->last = now;
	}
	return app_interrupted;
}

static int ping_write_csv(const char *path, const struct dp_ping_result *r, uint32_t count,
			  double floor_ns, enum clock_source src)
{
	FILE *f = fopen(path, "w");
	uint32_t i;

	if (!f)
		return -errno;
	fprintf(f, "seq,tx_tsc,rtt_raw_ns,rtt_ns,floor_ns,clock\n");
	for (i = 0; i < count; i++) {
		if (isnan(r->rtt_ns[i]))
			fprintf(f, "%u,%" PRIu64 ",,,%.1f,%s\n", i, r->tx_tsc[i], floor_ns,
				clock_source_name(src));
		else
			fprintf(f, "%u,%" PRIu64 ",%.1f,%.1f,%.1f,%s\n", i, r->tx_tsc[i], r->rtt_ns[i],
				r->rtt_ns[i] - floor_ns, floor_ns, clock_source_name(src));
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int rc = -errno;

		fclose(f);
		return rc;
	}
	return fclose(f) ? -errno : 0;
}

/*
 * The floor a asks for on dp's port: 0 with *fl filled, 1 for none, or -1
 * after printing why. A port kind without a port floor (vhost, memif, pci)
 * gets the ring's, and says so.
 */
static int ping_floor(struct dp *dp, const struct ping_args *a, struct floor_result *fl)
{
	const char *want = a->no_floor ? "none" : a->floor ? a->floor : "port";
	enum port_kind kind = dp->port.spec.kind;
	char err[DP_ERR_LEN];
	int rc;

	if (strcmp(want, "none") == 0)
		return 1;
	if (strcmp(want, "port") == 0 && floor_port_supported(kind)) {
		nsec_t gap = a->interval < 1000000 ? a->interval : 1000000;

		rc = floor_port_measure(dp, kind, (uint32_t)a->floor_count, gap, fl, err);
	} else if (strcmp(want, "port") == 0 && kind == PORT_VHOST) {
		nsec_t gap = a->interval < 1000000 ? a->interval : 1000000;

		rc = floor_guest_measure(dp, a->vm_opts, (uint32_t)a->floor_count, gap, fl, err);
	} else {
		if (strcmp(want, "port") == 0 && kind != PORT_RING && !a->quiet)
			fprintf(stderr, "lvperf: no port floor for %s ports here: subtracting the ring floor\n",
				port_kind_name(kind));
		rc = floor_ring_measure(dp, (uint32_t)a->floor_count, 20000, fl, err);
	}
	if (rc) {
		fprintf(stderr, "lvperf ping: %s%s\n", err,
			fl->source && strcmp(fl->source, FLOOR_SRC_XDP) == 0
				? " (--floor ring subtracts the in-process ring's floor instead)"
				: "");
		return -1;
	}
	if (!a->quiet)
		fprintf(stderr, "lvperf: floor (%s, %s, %u echoes): median %.0f ns, min %.0f, p99 %.0f\n",
			fl->source, port_kind_name(fl->kind), fl->count, fl->s.p50, fl->s.min, fl->s.p99);
	return 0;
}

int ping_measure(struct dp *dp, const struct ping_args *a, json_t **json)
{
	struct floor_result fl = { 0 };
	struct dp_ping_result r;
	struct stats_summary raw, net;
	struct netif *nif = &dp->nif;
	char err[DP_ERR_LEN], tip[16], mip[16];
	double floor_ns = 0, *adj = NULL;
	int floor_above;
	uint32_t i, count = (uint32_t)a->count;
	struct ping_watch watch = { a, app_progress_wanted(a->quiet), rte_rdtsc() };
	int rc, no_floor;

	pkt_format_ip(a->target, tip);
	pkt_format_ip(nif->np->ip, mip);
	if ((a->target & nif->np->mask) != (nif->np->ip & nif->np->mask) || a->target == nif->np->ip) {
		fprintf(stderr, "lvperf ping: target %s is not another address in %s/%d (no routing here)\n",
			tip, mip, __builtin_popcount(nif->np->mask));
		return APP_USAGE;
	}
	if (a->floor && strcmp(a->floor, "ring") && strcmp(a->floor, "port") && strcmp(a->floor, "none")) {
		fprintf(stderr, "lvperf ping: --floor '%s': expected ring, port or none\n", a->floor);
		return APP_USAGE;
	}
	no_floor = ping_floor(dp, a, &fl);
	if (no_floor < 0)
		return APP_ERR;
	if (!no_floor)
		floor_ns = fl.s.p50;
	rc = dp_start(dp, (struct netif *[]){ nif }, 1, err);
	if (rc) {
		fprintf(stderr, "lvperf ping: %s\n", err);
		floor_result_free(&fl);
		return APP_ERR;
	}
	if (!a->quiet)
		fprintf(stderr, "lvperf: PING %s from %s: %u echoes every %.1f us, %u payload bytes\n",
			tip, mip, count,
			(double)a->interval / 1e3, (unsigned)a->size);
	rc = dp_ping(dp, nif, a->target, count, a->interval, (uint16_t)a->size, a->timeout, a->linger,
		     ping_watch_fn, &watch, &r);
	dp_stop(dp);
	if (watch.show)
		fputc('\n', stderr);
	if (rc == -EHOSTUNREACH) {
		fprintf(stderr, "lvperf ping: %s did not answer ARP within %.1f s (%" PRIu64 " requests sent on %s)\n",
			tip, (double)a->timeout / 1e9, nif->c.arp_requests_sent, dp->port.label);
		floor_result_free(&fl);
		return APP_TIMEOUT;
	}
	if (rc == -ECANCELED) {
		fprintf(stderr, "lvperf ping: interrupted after %u echoes; reporting those\n", r.sent);
		count = r.sent;
	} else if (rc) {
		fprintf(stderr, "lvperf ping: %s\n", strerror(-rc));
		floor_result_free(&fl);
		return APP_ERR;
	}
	if (a->csv) {
		rc = ping_write_csv(a->csv, &r, count, floor_ns, dp->port.clock);
		if (rc)
			fprintf(stderr, "lvperf ping: cannot write %s: %s\n", a->csv, strerror(-rc));
	}
	adj = malloc(count * sizeof(double));
	if (!adj) {
		dp_ping_result_free(&r);
		floor_result_free(&fl);
		return APP_ERR;
	}
	for (i = 0; i < count; i++)
		adj[i] = r.rtt_ns[i] - floor_ns; /* NaN stays NaN (lost); below 0 is kept */
	stats_summarize(r.rtt_ns, count, &raw);
	stats_summarize(adj, count, &net);
	/* The floor is the appliance's path without a target: above the raw
	 * median, one of the two was disturbed and the net figure is not to be
	 * trusted. Flagged, not hidden. */
	floor_above = !no_floor && raw.n && floor_ns > raw.p50;
	if (floor_above && !a->quiet)
		fprintf(stderr, "lvperf ping: the floor's median (%.0f ns) is above the raw median (%.0f ns): "
				"flagged floor_above_raw (interference while one of them was measured?)\n",
			floor_ns, raw.p50);

	if (a->json) {
		json_t *samples = json_array();

		for (i = 0; i < count; i++)
			json_array_append_new(samples, app_num_json(r.rtt_ns[i]));
		*json = json_pack(
			"{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:o, s:o, s:o, s:o, s:o}",
			"command", "ping", "port", dp->port.label, "target", tip,
			"clock", clock_source_name(dp->port.clock), "tsc", app_clock_json(&dp->clk, dp->port.clock),
			"sent", (json_int_t)r.sent, "received", (json_int_t)r.received, "lost",
			(json_int_t)(r.sent - r.received), "duplicates", (json_int_t)r.duplicates, "corrupt",
			(json_int_t)r.corrupt, "interval_ns", (double)a->interval, "resolve_ns",
			(double)r.resolve_ns, "late_sends", (json_int_t)r.late_sends, "floor_ns",
			no_floor ? json_null() : json_real(floor_ns), "floor",
			no_floor ? json_null() : app_floor_json(&fl),
			"rtt_ns", app_summary_json(&net), "rtt_raw_ns", app_summary_json(&raw),
			"samples_raw_ns", samples);
		json_object_set_new(*json, "counters", app_counters_json(nif));
		json_object_set_new(*json, "port_stats", app_port_stats_json(dp->port.id));
		json_object_set_new(*json, "rx_stamp", app_rx_stamp_json(&dp->nif));
		app_result_cpus_stalls(*json, dp, NULL);
		if (floor_above)
			json_array_append_new(json_object_get(*json, "flags"), json_string("floor_above_raw"));
	} else {
		if (a->samples)
			for (i = 0; i < count; i++) {
				if (isnan(r.rtt_ns[i]))
					printf("seq=%u lost\n", i);
				else
					printf("seq=%u rtt=%.0f ns (raw %.0f ns)\n", i, adj[i], r.rtt_ns[i]);
			}
		printf("--- %s ping via %s ---\n", tip, dp->port.label);
		printf("%u sent, %u received, %u lost (%.2f %%), %" PRIu64 " duplicates\n", r.sent, r.received,
		       r.sent - r.received, r.sent ? 100.0 * (r.sent - r.received) / r.sent : 0.0,
		       r.duplicates);
		app_summary_print(stdout, no_floor ? "rtt (no floor subtracted)" : "rtt (floor subtracted)",
				  &net, "ns");
		app_summary_print(stdout, "rtt raw", &raw, "ns");
		if (no_floor)
			printf("floor: not measured (--floor none)\n");
		else if (strcmp(fl.source, FLOOR_SRC_XDP) == 0)
			printf("floor: %.0f ns = median RTT of %zu/%u echoes from a second %s port to the XDP reflector on %s (sd %.0f ns)\n",
			       floor_ns, fl.s.n, fl.count, port_kind_name(fl.kind), fl.where, fl.s.sd);
		else
			printf("floor: %.0f ns = median RTT of %u echoes over the in-process ring reflector\n",
			       floor_ns, fl.count);
		printf("clock: %s, TSC %.4f MHz measured against CLOCK_MONOTONIC_RAW\n",
		       clock_source_name(dp->port.clock), dp->clk.hz / 1e6);
		app_stalls_print(stdout, dp);
	}
	free(adj);
	dp_ping_result_free(&r);
	floor_result_free(&fl);
	return r.received == 0 || rc == -ECANCELED ? APP_ERR : APP_OK;
}

static int ping_measure_any(struct dp *dp, const void *arg, json_t **json)
{
	return ping_measure(dp, arg, json);
}

/* --platform: the booted target is the one pinged. */
static int ping_session_measure(struct target_session *s, void *arg, json_t **json)
{
	struct ping_args *a = arg;

	a->target = s->t.icmp_ip ? s->t.icmp_ip : s->t.target_ip;
	a->vm_opts = s->t.opts;
	return ping_measure(&s->dp, a, json);
}

int cmd_ping(int argc, char **argv)
{
	const char *synopsis = "--port SPEC --ip A.B.C.D/LEN --target A.B.C.D [options]\n"
			       "       lvperf ping --platform NAME [--workload W] [options]";
	struct ping_cfg cfg;
	struct dp_config dcfg;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("ping", synopsis, ping_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf ping: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (cfg.ts.platform) {
		if (cfg.a.target) {
			fprintf(stderr, "lvperf ping: --platform pings the target it boots: leave out --target\n");
			return APP_USAGE;
		}
		cfg.a.json = cfg.dp.json;
		cfg.a.quiet = cfg.dp.quiet;
		return target_session_run("ping", &cfg.ts, &cfg.dp, ping_session_measure, &cfg.a);
	}
	if (!cfg.a.target) {
		fprintf(stderr, "lvperf ping: --target A.B.C.D is required (or --platform NAME)\n");
		return APP_USAGE;
	}
	if (app_dp_config("ping", &cfg.dp, 0, &dcfg))
		return APP_USAGE;
	cfg.a.json = cfg.dp.json;
	cfg.a.quiet = cfg.dp.quiet;
	return app_dp_run("ping", &dcfg, ping_measure_any, &cfg.a);
}
