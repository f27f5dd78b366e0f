/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf reflect: a server of lvperf's own on its own core, so a generator
 * (lvperf http, lvperf kv) can be measured alone: HTTP/1.1 keep-alive with
 * a fixed body, or RESP GET/SET, answered by dataplane/responder.c with
 * lvperf's TCP stack in listen mode as the server side (retransmission,
 * out-of-order queue), on a port such as memif (the generator connects
 * with memif-client:SOCK).
 * Runs until SIGINT/SIGTERM or --duration, then prints what it answered.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "commands.h"
#include "responder.h"
#include "tcp.h"

struct reflect_cfg {
	struct app_dp_opts dp;
	int http;
	int resp;
	uint64_t size;
	uint64_t connections;
	uint64_t duration;
	int once;
	const char *tx_csum;
};

static const struct opt_def reflect_opts[] = {
	APP_DP_OPT_ROWS(struct reflect_cfg, dp),
	{ "http", OPT_FLAG, offsetof(struct reflect_cfg, http), 0, 0, NULL, NULL,
	  "answer HTTP/1.1 keep-alive requests with 200 and a body of --size bytes" },
	{ "resp", OPT_FLAG, offsetof(struct reflect_cfg, resp), 0, 0, NULL, NULL,
	  "answer RESP GET with a value of --size bytes, SET with +OK" },
	{ "size", OPT_U64, offsetof(struct reflect_cfg, size), 0, 1048576, "0", "N",
	  "body or GET value bytes (0: 1024 for --http, 3 for --resp, as lvperf kv's default)" },
	{ "connections", OPT_U64, offsetof(struct reflect_cfg, connections), 1, 4194304, "65536", "N",
	  "connections at most at once (a SYN beyond them is answered with RST: table_full)" },
	{ "duration", OPT_DURATION, offsetof(struct reflect_cfg, duration), 0, 86400000000000ull, "0",
	  "DUR", "stop after DUR (0: at SIGINT/SIGTERM)" },
	{ "once", OPT_FLAG, offsetof(struct reflect_cfg, once), 0, 0, NULL, NULL,
	  "stop answering when the first generator's connections have all closed, and exit when it "
	  "has left the port (also when it leaves without closing)" },
	{ "tx-csum", OPT_STR, offsetof(struct reflect_cfg, tx_csum), 0, 0, "full", "full|partial",
	  "TCP checksums of the segments sent: full, or partial: only the pseudo-header's sum, as "
	  "a kernel server leaves them on a default veth (CHECKSUM_PARTIAL); lvperf http and kv "
	  "take such segments (tcp.csum_partial), other peers may not" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static json_t *reflect_json(const struct dp *dp, const struct responder *r, double wall_s)
{
	const struct responder_counters *c = &r->c;
	double busy = tsc_to_ns_f(&dp->clk, dp->w.busy) / 1e9;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:f}", "command", "reflect", "port",
			      dp->port.label, "proto", r->proto == RESPONDER_HTTP ? "http" : "resp",
			      "size", (json_int_t)r->body_size, "tx_csum",
			      r->tx_csum_partial ? "partial" : "full", "wall_s", wall_s);

	json_object_set_new(o, "answered",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "conns", (json_int_t)c->conns, "closed", (json_int_t)c->closed,
				      "resets_in", (json_int_t)c->resets_in, "requests",
				      (json_int_t)c->requests, "gets", (json_int_t)c->gets, "sets",
				      (json_int_t)c->sets, "unknown", (json_int_t)c->unknown, "bad",
				      (json_int_t)c->bad, "segs_in", (json_int_t)c->segs_in, "segs_out",
				      (json_int_t)c->segs_out, "bytes_out", (json_int_t)c->bytes_out,
				      "out_of_order", (json_int_t)c->out_of_order, "no_conn",
				      (json_int_t)c->no_conn, "table_full", (json_int_t)c->table_full));
	{
		json_t *a = json_object_get(o, "answered");

		json_object_set_new(a, "unsent", json_integer((json_int_t)c->unsent));
		json_object_set_new(a, "backlog_aborts",
				    json_integer((json_int_t)c->backlog_aborts));
		json_object_set_new(a, "backlog_max", json_integer((json_int_t)c->backlog_max));
	}
	if (r->tcp) {
		/* The server side's TCP stack (dataplane/tcp.h, listen mode). */
		const struct tcp_counters *t = &r->tcp->c;
		json_t *tcp = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		    "s:I}",
		    "segs_in", (json_int_t)t->segs_in, "segs_out", (json_int_t)t->segs_out,
		    "accepts", (json_int_t)t->accepts, "accept_full", (json_int_t)t->accept_full,
		    "established", (json_int_t)t->established, "retransmits",
		    (json_int_t)t->retransmits, "fast_retransmits", (json_int_t)t->fast_retransmits,
		    "dup_acks_in", (json_int_t)t->dup_acks_in, "out_of_order",
		    (json_int_t)t->out_of_order, "old_segments", (json_int_t)t->old_segments,
		    "out_of_window", (json_int_t)t->out_of_window, "resets_in",
		    (json_int_t)t->resets_in, "resets_out", (json_int_t)t->resets_out, "no_conn",
		    (json_int_t)t->no_conn, "bad_csum", (json_int_t)t->bad_csum, "timeouts",
		    (json_int_t)t->timeouts);
		json_t *more = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "csum_partial",
		    (json_int_t)t->csum_partial, "csum_offloaded", (json_int_t)t->csum_offloaded, "tx_nobuf", (json_int_t)t->tx_nobuf,
		    "tx_ring_full", (json_int_t)t->tx_ring_full, "zero_window",
		    (json_int_t)t->zero_window, "ooo_segments", (json_int_t)t->ooo_segments,
		    "ooo_bytes", (json_int_t)t->ooo_bytes, "ooo_dup", (json_int_t)t->ooo_dup,
		    "ooo_dropped", (json_int_t)t->ooo_dropped, "ooo_evicted",
		    (json_int_t)t->ooo_evicted, "ooo_merged", (json_int_t)t->ooo_merged,
		    "ooo_held_max", (json_int_t)t->ooo_held_max);

		json_object_update(tcp, more);
		json_decref(more);
		json_object_set_new(o, "tcp", tcp);
	}
	json_object_set_new(o, "tx_nombuf", json_integer((json_int_t)c->tx_nombuf));
	json_object_set_new(o, "cpu", json_pack("{s:f, s:f}", "busy_cpu_s", busy, "wall_core_s", wall_s));
	json_object_set_new(o, "counters", app_counters_json(&dp->nif));
	return o;
}

static int reflect_link_up(const struct dp *dp)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(dp->port.id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

/* --once, after the last connection closed: the worker no longer polls;
 * wait for the generator to leave the memif (link down) before closing our
 * end, so neither side polls rings the other unmaps; at most 30 s. */
static int reflect_peer_gone(struct dp *dp, tsc_t now)
{
	static tsc_t give_up;

	if (!give_up)
		give_up = now + ns_to_tsc(&dp->clk, 30000000000ull);
	return !reflect_link_up(dp) || !tsc_before(now, give_up);
}

struct reflect_drop {
	struct responder *r;
	uint32_t n;
};

static void reflect_drop_fn(void *arg)
{
	struct reflect_drop *d = arg;

	d->n = responder_drop_all(d->r, rte_rdtsc());
}

static int reflect_run(struct dp *dp, const struct reflect_cfg *cfg, struct responder *r)
{
	struct netif *nif = &dp->nif;
	char err[DP_ERR_LEN];
	tsc_t t0, end, last;
	uint64_t last_req = 0;
	int rc, show = app_progress_wanted(cfg->dp.quiet), seen_up = 0, was_up = 0;

	rc = responder_listen(r, nif, &dp->clk);
	if (rc) {
		fprintf(stderr, "lvperf reflect: cannot set up the TCP stack: %s\n", strerror(-rc));
		return APP_ERR;
	}
	rc = dp_start(dp, &nif, 1, err);
	if (rc) {
		netif_load_detach(nif); /* the tick and the stack */
		nif->responder = NULL;
		fprintf(stderr, "lvperf reflect: %s\n", err);
		return APP_ERR;
	}
	t0 = last = rte_rdtsc();
	end = t0 + ns_to_tsc(&dp->clk, cfg->duration);
	if (!cfg->dp.quiet)
		fprintf(stderr, "lvperf reflect: answering %s on %s\n",
			r->proto == RESPONDER_HTTP ? "HTTP" : "RESP", dp->port.label);
	while (!app_interrupted && (!cfg->duration || tsc_before(rte_rdtsc(), end))) {
		tsc_t now = rte_rdtsc();

		if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && reflect_peer_gone(dp, now))
			break;
		/* --once: a generator that left without closing (killed, or
		 * its own end of a failed run) ends the run too. The worker's
		 * datapath lock (port_dp_locks) kept the PMD from unmapping
		 * the rings under it; the port is down now. */
		if (!cfg->once) {
			/* A generator that left (killed): its connections are
			 * dead; the next one uses the same 4-tuples. */
			int up = reflect_link_up(dp);

			if (was_up && !up) {
				struct reflect_drop d = { r, 0 };

				dp_call(dp, reflect_drop_fn, &d);
				if (d.n && !cfg->dp.quiet)
					fprintf(stderr,
						"\nlvperf reflect: the generator left the port; %" PRIu32
						" connection(s) dropped\n",
						d.n);
			}
			was_up = up;
		} else if (reflect_link_up(dp))
			seen_up = 1;
		else if (seen_up) {
			if (!cfg->dp.quiet)
				fprintf(
				    stderr,
				    "\nlvperf reflect: the generator left the memif with %" PRIu32
				    " connection(s) open\n",
				    __atomic_load_n(&r->n_conns, __ATOMIC_RELAXED));
			break;
		}

		if (show && tsc_since(last, now) >= ns_to_tsc(&dp->clk, 1000000000u)) {
			uint64_t q = __atomic_load_n(&r->c.requests, __ATOMIC_RELAXED);

			fprintf(stderr, "\rlvperf reflect: %10.0f req/s  %" PRIu32 " conns open ",
				(double)(q - last_req) / (tsc_to_ns_f(&dp->clk, now - last) / 1e9),
				__atomic_load_n(&r->n_conns, __ATOMIC_RELAXED));
			last_req = q;
			last = now;
		}
		dp_sleep_ns(20000000);
	}
	if (show)
		fputc('\n', stderr);
	dp_stop(dp);
	netif_load_detach(nif); /* the tick and the stack */
	nif->responder = NULL;
	responder_fold_counters(r);
	return APP_OK;
}

int cmd_reflect(int argc, char **argv)
{
	struct reflect_cfg cfg;
	struct dp_config dcfg;
	struct responder r;
	struct dp dp;
	char err[DP_ERR_LEN];
	tsc_t t0;
	int rest, rc, partial;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("reflect", "--port memif:SOCK --ip A.B.C.D/LEN --http|--resp [options]",
		       reflect_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf reflect: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (cfg.http == cfg.resp) {
		fprintf(stderr, "lvperf reflect: give exactly one of --http and --resp\n");
		return APP_USAGE;
	}
	partial = strcmp(cfg.tx_csum, "partial") == 0;
	if (!partial && strcmp(cfg.tx_csum, "full")) {
		fprintf(stderr, "lvperf reflect: --tx-csum '%s': expected full or partial\n", cfg.tx_csum);
		return APP_USAGE;
	}
	if (app_dp_config("reflect", &cfg.dp, 0, &dcfg))
		return APP_USAGE;
	if (!cfg.size)
		cfg.size = cfg.http ? 1024 : 3;
	rc = responder_init(&r, cfg.http ? RESPONDER_HTTP : RESPONDER_RESP, (uint32_t)cfg.size,
			    (uint32_t)cfg.connections);
	r.once = cfg.once;
	r.tx_csum_partial = partial;
	if (rc) {
		fprintf(stderr, "lvperf reflect: cannot set up %" PRIu64 " connections: %s\n",
			cfg.connections, strerror(-rc));
		return APP_ERR;
	}
	app_signals();
	rc = dp_open(&dp, &dcfg, err);
	if (rc) {
		fprintf(stderr, "lvperf reflect: %s\n", err);
		responder_free(&r);
		return APP_ERR;
	}
	app_avoid_worker_cpu(&dp, NULL);
	t0 = rte_rdtsc();
	rc = reflect_run(&dp, &cfg, &r);
	if (rc == APP_OK) {
		double wall = tsc_to_ns_f(&dp.clk, rte_rdtsc() - t0) / 1e9;

		if (cfg.dp.json) {
			app_json_print(reflect_json(&dp, &r, wall));
		} else {
			printf("reflect %s on %s: %" PRIu64 " requests answered (%" PRIu64 " GET, %" PRIu64
			       " SET, %" PRIu64 " unknown) on %" PRIu64 " connections in %.3f s\n",
			       r.proto == RESPONDER_HTTP ? "http" : "resp", dp.port.label, r.c.requests,
			       r.c.gets, r.c.sets, r.c.unknown, r.c.conns, wall);
			printf("problems: %" PRIu64 " unparseable, %" PRIu64 " out of order, %" PRIu64
			       " for no connection, %" PRIu64 " table full, %" PRIu64 " no mbuf\n",
			       r.c.bad, r.c.out_of_order, r.c.no_conn, r.c.table_full, r.c.tx_nombuf);
			printf("tcp: %" PRIu64 " retransmits, %" PRIu64 " fast, %" PRIu64
			       " segments held out of order, %" PRIu64 " replies unsent at close\n",
			       r.tcp->c.retransmits, r.tcp->c.fast_retransmits,
			       r.tcp->c.ooo_segments, r.c.unsent);
		}
	}
	dp_close(&dp);
	responder_free(&r);
	return rc;
}
