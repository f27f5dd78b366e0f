/* SPDX-License-Identifier: BSD-3-Clause
 * The part of lvperf http and lvperf kv that does not depend on the
 * protocol: options, running the load on the worker, the report.
 */
#ifndef LVP_LOAD_RUN_H
#define LVP_LOAD_RUN_H

#include "load.h"
#include "app.h"

struct load_run_args {
	struct netif *nif;  /* the client side; NULL: the dp's port */
	struct netif *peer; /* polled too (the ring responder), or NULL */
	uint32_t target_ip;
	uint16_t target_port;
	struct load_config load;
	nsec_t time_wait;
	nsec_t min_rto;
	/* Give up when no connection is established this long after the
	 * start (0: only when every connection was refused). */
	nsec_t connect_timeout;
	const char *hdr_out; /* HdrHistogram percentile distribution, in µs */
	const char *csv;     /* one row per second (app/load_csv.h), or NULL */
	int json;
	int quiet;
	/* --workers N (dp_config.workers): the protocol state of workers
	 * 1..N-1 (worker 0 uses load_run's proto_ctx); one per worker, as
	 * the protocols keep per-connection state and counters. */
	void *worker_ctx[DP_WORKERS_MAX];
	unsigned int workers;
};

/* Option values as parsed, before they become a load_run_args. */
struct load_run_opts {
	const char *target; /* IP[:PORT] */
	uint64_t connections, pipeline, rate, duration, warmup, requests, linger;
	uint64_t time_wait, min_rto, seed, workers, connect_timeout;
	int poisson;
	const char *hdr_out;
	const char *csv;
};

#define LOAD_RUN_OPT_ROWS(type, f, defport)                                                          \
	{ "target", OPT_STR, offsetof(type, f.target), 0, 0, NULL, "IP[:PORT]",                      \
	  "the server (port " defport " when not given)" },                                            \
	{ "connections", OPT_U64, offsetof(type, f.connections), 1, 1000000, "100", "N",             \
	  "concurrent connections" },                                                                  \
	{ "pipeline", OPT_U64, offsetof(type, f.pipeline), 1, 256, "1", "P",                         \
	  "requests in flight per connection" },                                                       \
	{ "rate", OPT_U64, offsetof(type, f.rate), 0, 100000000, "0", "R",                           \
	  "open loop at R requests/s (0: closed loop)" },                                              \
	{ "poisson", OPT_FLAG, offsetof(type, f.poisson), 0, 0, NULL, NULL,                          \
	  "open loop with exponential gaps instead of constant" },                                     \
	{ "duration", OPT_DURATION, offsetof(type, f.duration), 1000000, 86400000000000ull, "10s",   \
	  "DUR", "measurement window" },                                                               \
	{ "warmup", OPT_DURATION, offsetof(type, f.warmup), 0, 3600000000000ull, "2s", "DUR",        \
	  "run before the window, not recorded (includes connecting)" },                              \
	{ "requests", OPT_U64, offsetof(type, f.requests), 0, UINT64_MAX, "0", "N",                  \
	  "end the window after N replies (0: no limit)" },                                            \
	{ "linger", OPT_DURATION, offsetof(type, f.linger), 0, 60000000000ull, "1s", "DUR",          \
	  "wait for outstanding replies after the window" },                                           \
	{ "time-wait", OPT_DURATION, offsetof(type, f.time_wait), 0, 600000000000ull, "1s", "DUR",   \
	  "rest before a source port is reused" },                                                     \
	{ "min-rto", OPT_DURATION, offsetof(type, f.min_rto), 1000000, 60000000000ull, "200ms",      \
	  "DUR", "minimum TCP retransmission timeout" },                                               \
	{ "seed", OPT_U64, offsetof(type, f.seed), 0, UINT64_MAX, "1", "N", "random seed" },          \
	{ "hdr-out", OPT_STR, offsetof(type, f.hdr_out), 0, 0, NULL, "FILE",                         \
	  "write the latency percentile distribution (HdrHistogram format, us)" },                      \
	{ "csv", OPT_STR, offsetof(type, f.csv), 0, 0, NULL, "FILE",                                 \
	  "one row per second: requests, req/s, p50 and p99 in us, errors" },                          \
	{ "workers", OPT_U64, offsetof(type, f.workers), 1, 8, "1", "N",                              \
	  "worker lcores, one queue pair and TCP stack each (af_packet, af_xdp; see --cores)" },      \
	{ "connect-timeout", OPT_DURATION, offsetof(type, f.connect_timeout), 0, 3600000000000ull,    \
	  "5s", "DUR",                                                                                 \
	  "fail when no connection is established this long after the start (0: wait the run out)" }

/* Check opts and fill args; prints one line and returns -EINVAL on error.
 * Without need_target a missing --target leaves target_ip 0 (the caller
 * boots its own). */
int load_run_args_from(const char *cmd, const struct load_run_opts *o, uint16_t default_port,
		       int need_target, struct load_run_args *a);

/*
 * Run the load against a->target from dp's netif with proto and report it
 * (text on stdout, or *json). req_len bounds one request (sizes the TCP
 * send rings). Returns an APP_* code; errors are printed here.
 */
int load_run(struct dp *dp, const char *cmd, const struct load_run_args *a,
	     const struct load_proto *proto, void *proto_ctx, uint32_t req_len, json_t **json);

#endif
