/* SPDX-License-Identifier: BSD-3-Clause
 * Running a load (lvperf http, lvperf kv) and reporting it: resolve the
 * server, build the TCP stack and the load on the worker, show progress,
 * then requests/s, transfer/s, latency percentiles, errors by kind,
 * retransmissions and the generator's own CPU use.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "load_csv.h"
#include "load_run.h"
#include "telemetry.h"

struct load_run_attach {
	struct netif *nif;
	struct load *load;
	tsc_t start; /* the run's start, the same for every worker */
};

static void load_run_attach_fn(void *arg)
{
	struct load_run_attach *a = arg;

	netif_load_attach(a->nif, a->load, a->start);
}

static void load_run_detach_fn(void *arg)
{
	netif_load_detach(arg);
}

static void load_run_stop_fn(void *arg)
{
	load_stop(arg, rte_rdtsc());
}

/* A memif port's peer has gone (the PMD set the link down when its control
 * channel closed): other port kinds never end a run this way. */
static int load_run_peer_left(const struct dp *dp)
{
	struct rte_eth_link link;

	if (dp->port.spec.kind != PORT_MEMIF)
		return 0;
	return rte_eth_link_get_nowait(dp->port.id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_DOWN;
}

static const char *const phase_names[] = { "idle", "warmup", "measure", "drain", "closing", "done" };

/* Round up to a power of two, at least min. */
static uint32_t load_run_pow2(uint32_t v, uint32_t min)
{
	uint32_t p = min;

	while (p < v)
		p <<= 1;
	return p;
}

/* Validity flags (BENCHMARKS.md): the run is marked, not silently used. */
/* The longest stretch of the measurement window without a single reply
 * (sampled by the control loop every 20 ms), and whether it makes the
 * target unresponsive: >= 1 s and >= a quarter of the window. A server
 * that stops answering but keeps its connections open (hung, SIGSTOPped,
 * its VM paused) gives neither errors nor retransmissions otherwise. */
static int load_run_unresponsive(double gap_ns, const struct load_config *cfg)
{
	/* An open loop sends 1/rate apart: ten of those without a reply. */
	double expect = cfg->rate > 0 ? 10e9 / cfg->rate : 0;

	return gap_ns >= 1e9 && gap_ns >= 0.25 * (double)cfg->duration && gap_ns >= expect;
}

static json_t *load_run_flags(const struct load *l, double busy_frac, uint64_t retx,
			      const struct netif *nif, double gap_ns, const struct load_config *cfg)
{
	json_t *f = json_array();
	uint64_t conn_err = l->c.conn_refused + l->c.conn_reset + l->c.conn_timeout;
	uint64_t perr = 0;
	int i;

	for (i = 1; i < LOAD_PROTO_ERRS; i++)
		perr += l->c.proto_err[i];
	if (retx)
		json_array_append_new(f, json_string("retransmissions"));
	if (busy_frac > 0.9)
		json_array_append_new(f, json_string("no_generator_headroom"));
	if (conn_err || perr || l->c.lost_requests)
		json_array_append_new(f, json_string("errors"));
	if (l->c.measured_ok != l->c.measured)
		json_array_append_new(f, json_string("non_ok_replies"));
	if (nif->c.tx_drop || nif->c.tx_nombuf)
		json_array_append_new(f, json_string("port_drops"));
	if (l->c.late)
		json_array_append_new(f, json_string("open_loop_late_sends"));
	if (load_run_unresponsive(gap_ns, cfg))
		json_array_append_new(f, json_string("target_unresponsive"));
	return f;
}

/* The window and the worker's time in it, seconds: busy, of it inside
 * kernel-entering bursts (kick) and other PMDs' bursts (pmd), and lvperf's
 * own, busy minus both. */
struct load_run_cpu {
	double win, busy, kick, pmd, own;
};

static struct load_run_cpu load_run_cpu_of(const struct dp *dp, const struct load *l)
{
	struct load_run_cpu c;

	c.win = tsc_to_ns_f(&dp->clk, l->measure_ended - l->measure_started) / 1e9;
	c.busy = tsc_to_ns_f(&dp->clk, l->busy_at_end - l->busy_at_measure) / 1e9;
	c.kick = tsc_to_ns_f(&dp->clk, l->kick_at_end - l->kick_at_measure) / 1e9;
	c.pmd = tsc_to_ns_f(&dp->clk, l->pmd_at_end - l->pmd_at_measure) / 1e9;
	c.own = c.busy - c.kick - c.pmd;
	return c;
}

static json_t *load_run_json(const char *cmd, const struct dp *dp, const struct netif *nif,
			     const struct load_run_args *a, const struct load *l,
			     const struct tcp_stack *tcp, double gap_ns)
{
	const struct load_proto *p = l->proto;
	const struct load_run_cpu cpu = load_run_cpu_of(dp, l);
	const double win = cpu.win, busy = cpu.busy, kick = cpu.kick, pmd = cpu.pmd, own = cpu.own;
	uint64_t retx = l->tcp_retx_at_end - l->tcp_retx_at_measure;
	json_t *cls = json_object(), *perr = json_object(), *lat, *o;
	char ip[16];
	int i;

	for (i = 0; i < LOAD_CLASSES; i++)
		if (p->class_names[i])
			json_object_set_new(cls, p->class_names[i], json_integer((json_int_t)l->c.cls[i]));
	for (i = 1; i < LOAD_PROTO_ERRS; i++)
		if (p->err_name(i))
			json_object_set_new(perr, p->err_name(i), json_integer((json_int_t)l->c.proto_err[i]));
	lat = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "n",
			(json_int_t)hist_count(&l->hist), "min", (json_int_t)hist_min(&l->hist), "p50",
			(json_int_t)hist_percentile(&l->hist, 50), "p90",
			(json_int_t)hist_percentile(&l->hist, 90), "p99",
			(json_int_t)hist_percentile(&l->hist, 99), "p999",
			(json_int_t)hist_percentile(&l->hist, 99.9), "max", (json_int_t)hist_max(&l->hist),
			"mean", hist_mean(&l->hist), "sd", hist_stddev(&l->hist));
	o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:f, s:b}", "command", cmd, "port",
		      nif->np->port->label, "target", pkt_format_ip(a->target_ip, ip), "target_port",
		      (json_int_t)a->target_port, "mode", a->load.rate > 0 ? "open" : "closed",
		      "connections", (json_int_t)a->load.connections, "pipeline",
		      (json_int_t)a->load.pipeline, "rate", a->load.rate, "poisson", a->load.poisson);
	json_object_set_new(o, "duration_s", json_real(win));
	/* requests: replies that completed inside the window, whenever sent. */
	json_object_set_new(o, "counting", json_string("completed-in-window"));
	json_object_set_new(o, "requests", json_integer((json_int_t)l->c.measured));
	json_object_set_new(o, "requests_ok", json_integer((json_int_t)l->c.measured_ok));
	/* All phases (warm-up and drain too): what the server should have counted. */
	json_object_set_new(o, "requests_sent", json_integer((json_int_t)l->c.sent));
	json_object_set_new(o, "replies_total", json_integer((json_int_t)l->c.replies));
	json_object_set_new(o, "requests_per_s", json_real(win > 0 ? l->c.measured / win : 0));
	json_object_set_new(o, "bytes", json_integer((json_int_t)l->c.measured_bytes));
	json_object_set_new(o, "transfer_bytes_per_s", json_real(win > 0 ? l->c.measured_bytes / win : 0));
	json_object_set_new(o, "latency_ns", lat);
	json_object_set_new(o, "clock", json_string(clock_source_name(nif->np->port->clock)));
	json_object_set_new(o, "latency_from", json_string(a->load.rate > 0 ? "intended send time" : "send time"));
	json_object_set_new(o, "floor_ns", json_null());
	json_object_set_new(o, "classes", cls);
	json_object_set_new(o, "errors", json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "protocol", perr,
					       "conn_refused", (json_int_t)l->c.conn_refused, "conn_reset",
					       (json_int_t)l->c.conn_reset, "conn_timeout",
					       (json_int_t)l->c.conn_timeout, "lost_requests",
					       (json_int_t)l->c.lost_requests, "connect_fail",
					       (json_int_t)l->c.connect_fail, "closed_by_server",
					       (json_int_t)l->c.conn_closed_by_server));
	json_object_set_new(o, "retransmissions", json_integer((json_int_t)retx));
	json_object_set_new(o, "tcp", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"segs_in", (json_int_t)tcp->c.segs_in, "segs_out", (json_int_t)tcp->c.segs_out,
		"connects", (json_int_t)tcp->c.connects, "established", (json_int_t)tcp->c.established,
		"retransmits", (json_int_t)tcp->c.retransmits, "fast_retransmits",
		(json_int_t)tcp->c.fast_retransmits, "dup_acks_in", (json_int_t)tcp->c.dup_acks_in,
		"out_of_order", (json_int_t)tcp->c.out_of_order, "old_segments",
		(json_int_t)tcp->c.old_segments, "out_of_window", (json_int_t)tcp->c.out_of_window,
		"resets_in", (json_int_t)tcp->c.resets_in, "resets_out", (json_int_t)tcp->c.resets_out,
		"no_conn", (json_int_t)tcp->c.no_conn, "bad_csum", (json_int_t)tcp->c.bad_csum,
		"csum_partial", (json_int_t)tcp->c.csum_partial, "csum_offloaded",
		(json_int_t)tcp->c.csum_offloaded, "ports_exhausted", (json_int_t)tcp->c.ports_exhausted));
	/* The port's L4 checksum offloads (port.h): RX verdicts taken, TX sums left to it. */
	json_object_set_new(o, "csum_offload", json_pack("{s:b, s:b}", "rx", nif->np->rx_l4_csum,
							  "tx", nif->np->tx_l4_csum));
	{
		/* The out-of-order queue (dataplane/tcp.h): held, merged, given up. */
		json_t *ooo = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ooo_segments",
		    (json_int_t)tcp->c.ooo_segments, "ooo_bytes", (json_int_t)tcp->c.ooo_bytes,
		    "ooo_dup", (json_int_t)tcp->c.ooo_dup, "ooo_dropped",
		    (json_int_t)tcp->c.ooo_dropped, "ooo_evicted", (json_int_t)tcp->c.ooo_evicted,
		    "ooo_merged", (json_int_t)tcp->c.ooo_merged, "ooo_held_max",
		    (json_int_t)tcp->c.ooo_held_max);

		json_object_update(json_object_get(o, "tcp"), ooo);
		json_decref(ooo);
	}
	json_object_set_new(o, "open_loop", json_pack("{s:I, s:I}", "late", (json_int_t)l->c.late,
						      "backlog_max", (json_int_t)l->c.backlog_max));
	json_object_set_new(o, "cpu", json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "busy_cpu_s", busy,
						"wall_core_s", win, "busy_fraction", win > 0 ? busy / win : 0,
						"requests_per_busy_cpu_s",
						busy > 0 ? l->c.measured / busy : 0, "kick_cpu_s", kick,
						"pmd_cpu_s", pmd, "own_cpu_s", own, "requests_per_own_cpu_s",
						own > 0 ? l->c.measured / own : 0));
	{
		/* The worker thread's own CPU time in the window (not descheduled). */
		double on = l->cpu_at_end > l->cpu_at_measure
				? (double)(l->cpu_at_end - l->cpu_at_measure) / 1e9
				: 0;

		json_object_set_new(json_object_get(o, "cpu"), "worker_on_cpu_s", json_real(on));
		json_object_set_new(json_object_get(o, "cpu"), "requests_per_on_cpu_s",
				    json_real(on > 0 ? l->c.measured / on : 0));
	}
	json_object_set_new(o, "worker_max_stall_ns", json_real(tsc_to_ns_f(&dp->clk, app_max_stall_gap(dp))));
	json_object_set_new(o, "tsc", app_clock_json(&dp->clk, nif->np->port->clock));
	json_object_set_new(o, "counters", app_counters_json(nif));
	json_object_set_new(o, "port_stats", app_port_stats_json(nif->np->port->id));
	json_object_set_new(o, "rx_stamp", app_rx_stamp_json(nif));
	json_object_set_new(o, "longest_reply_gap_ns", json_real(gap_ns));
	json_object_set_new(o, "flags", load_run_flags(l, win > 0 ? busy / win : 0, retx, nif, gap_ns, &a->load));
	app_result_cpus_stalls(o, dp, NULL);
	return o;
}

static void load_run_text(const char *cmd, const struct dp *dp, const struct netif *nif,
			  const struct load_run_args *a, const struct load *l)
{
	const struct load_proto *p = l->proto;
	const struct load_run_cpu cpu = load_run_cpu_of(dp, l);
	const double win = cpu.win, busy = cpu.busy, kick = cpu.kick, pmd = cpu.pmd, own = cpu.own;
	uint64_t retx = l->tcp_retx_at_end - l->tcp_retx_at_measure;
	char ip[16];
	int i;

	printf("--- lvperf %s %s:%u via %s: %s loop, %u connections, pipeline %u",
	       cmd, pkt_format_ip(a->target_ip, ip), a->target_port, nif->np->port->label,
	       a->load.rate > 0 ? "open" : "closed", a->load.connections, a->load.pipeline);
	if (a->load.rate > 0)
		printf(", %.0f req/s %s", a->load.rate, a->load.poisson ? "Poisson" : "constant");
	printf(" ---\n");
	printf("requests: %" PRIu64 " completed in the %.3f s window = %.1f req/s, %.2f MB/s\n", l->c.measured, win,
	       win > 0 ? l->c.measured / win : 0, win > 0 ? l->c.measured_bytes / win / 1e6 : 0);
	printf("latency (ns, from %s): min %" PRIu64 "  p50 %" PRIu64 "  p90 %" PRIu64 "  p99 %" PRIu64
	       "  p99.9 %" PRIu64 "  max %" PRIu64 "  (n %" PRIu64 ")\n",
	       a->load.rate > 0 ? "intended send time" : "send time", hist_min(&l->hist),
	       hist_percentile(&l->hist, 50), hist_percentile(&l->hist, 90),
	       hist_percentile(&l->hist, 99), hist_percentile(&l->hist, 99.9), hist_max(&l->hist),
	       hist_count(&l->hist));
	printf("replies:");
	for (i = 0; i < LOAD_CLASSES; i++)
		if (p->class_names[i] && l->c.cls[i])
			printf(" %s %" PRIu64, p->class_names[i], l->c.cls[i]);
	printf("\nerrors: refused %" PRIu64 ", reset %" PRIu64 ", timeout %" PRIu64 ", lost requests %" PRIu64,
	       l->c.conn_refused, l->c.conn_reset, l->c.conn_timeout, l->c.lost_requests);
	for (i = 1; i < LOAD_PROTO_ERRS; i++)
		if (p->err_name(i) && l->c.proto_err[i])
			printf(", %s %" PRIu64, p->err_name(i), l->c.proto_err[i]);
	printf("\ntcp: %" PRIu64 " retransmissions in the window%s, %" PRIu64 " server closes, %" PRIu64
	       " reconnects\n",
	       retx, retx ? " (FLAGGED)" : "", l->c.conn_closed_by_server, l->c.reconnects);
	printf("generator CPU: %.3f busy CPU-s of %.3f wall core-s (%.1f %%), %.0f requests per busy CPU-s\n",
	       busy, win, win > 0 ? 100 * busy / win : 0, busy > 0 ? l->c.measured / busy : 0);
	printf("generator own CPU: %.3f CPU-s (busy minus %.3f s inside kernel-entering PMD bursts and "
	       "%.3f s inside the PMD's other bursts), %.0f requests per own CPU-s\n",
	       own, kick, pmd, own > 0 ? l->c.measured / own : 0);
	printf("clock: %s; no floor subtracted\n", clock_source_name(nif->np->port->clock));
	app_stalls_print(stdout, dp);
}

/* One worker's part of the run: its queue, TCP stack and load. */
struct load_run_worker {
	struct netif *nif;
	struct tcp_stack tcp;
	struct load load;
	uint32_t connections;
	uint16_t port_lo, port_hi;
	int have_tcp, have_load;
};

/* Sum of the measured replies of every worker (the control loop's view). */
static uint64_t load_run_measured(const struct load_run_worker *lw, unsigned int nw)
{
	uint64_t m = 0;

	for (unsigned int k = 0; k < nw; k++)
		m += __atomic_load_n(&lw[k].load.c.measured, __ATOMIC_RELAXED);
	return m;
}

/* The earliest phase of any worker (all DONE: the run is over). */
static int load_run_phase(const struct load_run_worker *lw, unsigned int nw)
{
	int ph = LOAD_DONE;

	for (unsigned int k = 0; k < nw; k++) {
		int p = __atomic_load_n(&lw[k].load.phase, __ATOMIC_ACQUIRE);

		if (p < ph)
			ph = p;
	}
	return ph;
}

static uint64_t load_run_conn_errs(const struct load_run_worker *lw, unsigned int nw)
{
	uint64_t e = 0;

	for (unsigned int k = 0; k < nw; k++)
		e += lw[k].load.c.conn_refused + lw[k].load.c.conn_reset + lw[k].load.c.conn_timeout;
	return e;
}

static uint64_t load_run_established(const struct load_run_worker *lw, unsigned int nw)
{
	uint64_t e = 0;

	for (unsigned int k = 0; k < nw; k++)
		e += __atomic_load_n(&lw[k].tcp.c.established, __ATOMIC_RELAXED);
	return e;
}

static uint64_t load_run_refused(const struct load_run_worker *lw, unsigned int nw)
{
	uint64_t e = 0;

	for (unsigned int k = 0; k < nw; k++)
		e += __atomic_load_n(&lw[k].load.c.conn_refused, __ATOMIC_RELAXED);
	return e;
}

/* LVP_STEERING=off (tests): several workers without the hand-over, so a
 * segment the kernel queued for the wrong worker meets a stack that does
 * not know its connection. */
static int load_run_steering_wanted(void)
{
	const char *e = getenv("LVP_STEERING");

	return !e || strcmp(e, "off") != 0;
}

static json_t *load_run_workers_json(struct dp *dp, const struct load_run_worker *lw, unsigned int nw,
				     const struct steer *st)
{
	json_t *arr = json_array();

	for (unsigned int k = 0; k < nw; k++) {
		const struct load *l = &lw[k].load;
		const struct worker *w = dp_worker(dp, k);
		json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "worker",
				      (json_int_t)k, "cpu", (json_int_t)dp->cores.worker_cpus[k], "queue",
				      (json_int_t)lw[k].nif->queue, "connections", (json_int_t)lw[k].connections,
				      "port_lo", (json_int_t)lw[k].port_lo, "port_hi", (json_int_t)lw[k].port_hi,
				      "requests", (json_int_t)l->c.measured, "requests_ok",
				      (json_int_t)l->c.measured_ok, "requests_sent", (json_int_t)l->c.sent,
				      "replies_total", (json_int_t)l->c.replies, "latency_n",
				      (json_int_t)hist_count(&l->hist), "established",
				      (json_int_t)lw[k].tcp.c.established);

		json_object_set_new(o, "busy_cpu_s",
				    json_real(tsc_to_ns_f(&dp->clk, l->busy_at_end - l->busy_at_measure) / 1e9));
		json_object_set_new(o, "rx", json_integer((json_int_t)lw[k].nif->c.rx));
		json_object_set_new(o, "tx", json_integer((json_int_t)lw[k].nif->c.tx));
		json_object_set_new(o, "no_conn", json_integer((json_int_t)lw[k].tcp.c.no_conn));
		json_object_set_new(o, "yields", json_integer((json_int_t)w->yields));
		if (st)
			json_object_set_new(o, "steered", json_pack("{s:I, s:I, s:I}", "out", (json_int_t)st[k].c.out,
								    "in", (json_int_t)st[k].c.in, "drops",
								    (json_int_t)st[k].c.drops));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* What the SPSC hand-over cost, over all workers: TSC inside the enqueue
 * (per batch and per segment) and inside the dequeues that returned
 * segments. */
static json_t *load_run_steer_cost_json(const struct dp *dp, const struct steer *st, unsigned int nw)
{
	struct steer_counters t = { 0 };

	for (unsigned int k = 0; k < nw; k++) {
		t.out += st[k].c.out + st[k].c.drops;
		t.in += st[k].c.in;
		t.enq_calls += st[k].c.enq_calls;
		t.deq_calls += st[k].c.deq_calls;
		t.enq_tsc += st[k].c.enq_tsc;
		t.deq_tsc += st[k].c.deq_tsc;
	}
#define PER(tsc, n) ((n) ? json_real(tsc_to_ns_f(&dp->clk, tsc) / (double)(n)) : json_null())
	return json_pack("{s:I, s:I, s:o, s:o, s:I, s:o, s:o}", "enqueues", (json_int_t)t.enq_calls,
			 "segments_enqueued", (json_int_t)t.out, "enqueue_ns", PER(t.enq_tsc, t.enq_calls),
			 "enqueue_ns_per_segment", PER(t.enq_tsc, t.out), "dequeues", (json_int_t)t.deq_calls,
			 "dequeue_ns", PER(t.deq_tsc, t.deq_calls), "dequeue_ns_per_segment", PER(t.deq_tsc, t.in));
#undef PER
}

int load_run(struct dp *dp, const char *cmd, const struct load_run_args *a,
	     const struct load_proto *proto, void *proto_ctx, uint32_t req_len, json_t **json)
{
	unsigned int nw = a->peer || a->nif ? 1 : dp->n_workers, k;
	struct netif *nif = a->nif ? a->nif : &dp->nif;
	struct netif *nifs[2] = { nif, a->peer };
	struct load_run_worker *lw = calloc(nw, sizeof(*lw));
	struct load_run_attach att[DP_WORKERS_MAX];
	struct steer *st = NULL;
	struct tcp_config tc;
	struct load sum;
	struct tcp_stack tsum;
	struct netif nsum;
	char err[DP_ERR_LEN], ip[16];
	struct load_csv csv = { 0 };
	tsc_t csv_last;
	uint32_t span = (65535 - 1024 + 1) / nw, cmax;
	tsc_t t0, last, deadline;
	uint64_t last_measured = 0;
	uint64_t gap_seen = 0; /* measured replies when the gap clock last restarted */
	tsc_t gap_from = 0;    /* 0: the measurement window has not begun */
	double gap_ns = 0;     /* the longest stretch without a reply in it */
	int rc, show = app_progress_wanted(a->quiet), stopped = 0, started = 0;
	double peer_left_s = -1; /* a memif peer left the port: when (s after start) */
	const char *steering = nw > 1 ? (load_run_steering_wanted() ? "software" : "none") : "none";
	const char *no_conn = NULL; /* why no connection was established: "refused", "timeout", "run_ended" */

	if (!lw) {
		fprintf(stderr, "lvperf %s: out of memory\n", cmd);
		return APP_ERR;
	}
	if (a->load.connections < nw) {
		fprintf(stderr, "lvperf %s: --connections %u is fewer than --workers %u (each worker needs one)\n",
			cmd, a->load.connections, nw);
		free(lw);
		return APP_USAGE;
	}
	/* Worker k: every nw-th connection, ports [1024 + k span, ...). */
	cmax = (a->load.connections + nw - 1) / nw;
	memset(&tc, 0, sizeof(tc));
	tc.ip_base = nif->np->ip;
	tc.n_ips = (cmax + span - 1) / span;
	tc.txbuf = load_run_pow2(2 * a->load.pipeline * req_len, 2048);
	tc.dst_ip = a->target_ip;
	tc.dst_port = a->target_port;
	memcpy(tc.src_mac, nif->np->mac, PKT_ETH_ALEN);
	tc.mtu = nif->np->port->mtu ? nif->np->port->mtu : 1500;
	tc.time_wait = a->time_wait;
	tc.min_rto = a->min_rto;
	tc.clk = &dp->clk;
	if ((a->target_ip & nif->np->mask) != (nif->np->ip & nif->np->mask) ||
	    a->target_ip - nif->np->ip < tc.n_ips) {
		fprintf(stderr, "lvperf %s: target %s is not another address in our subnet\n", cmd,
			pkt_format_ip(a->target_ip, ip));
		free(lw);
		return APP_USAGE;
	}
	for (k = 0; k < nw; k++) {
		lw[k].nif = k ? dp_worker_nif(dp, k) : nif;
		lw[k].connections = a->load.connections / nw + (k < a->load.connections % nw);
		lw[k].port_lo = (uint16_t)(1024 + k * span);
		lw[k].port_hi = k == nw - 1 ? 65535 : (uint16_t)(1024 + (k + 1) * span - 1);
	}
	{
		/* Every worker's queue shares the port part: set once. */
		struct netif_port *np = dp_netif_port(dp, nif);

		if (!np) {
			fprintf(stderr, "lvperf %s: internal: the netif's port part is not the dataplane's\n", cmd);
			free(lw);
			return APP_ERR;
		}
		netif_port_set_ips(np, tc.n_ips);
	}
	if (nw > 1 && strcmp(steering, "software") == 0) {
		st = calloc(nw, sizeof(*st));
		if (!st || steer_create(st, (uint16_t)nw, 1024, span, "lr") != 0) {
			fprintf(stderr, "lvperf %s: cannot create the steering rings\n", cmd);
			free(st);
			free(lw);
			return APP_ERR;
		}
		for (k = 0; k < nw; k++)
			lw[k].nif->steer = &st[k];
	}
	rc = dp_start(dp, nifs, a->peer ? 2 : 1, err);
	if (rc) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		rc = APP_ERR;
		goto out;
	}
	started = 1;
	if (dp_resolve(dp, nif, a->target_ip, 3000000000ull, tc.dst_mac)) {
		fprintf(stderr, "lvperf %s: %s did not answer ARP within 3 s on %s\n", cmd,
			pkt_format_ip(a->target_ip, ip), nif->np->port->label);
		rc = APP_TIMEOUT;
		goto out;
	}
	for (k = 0, rc = 0; k < nw && rc == 0; k++) {
		struct load_config lc = a->load;

		tc.max_conns = lw[k].connections;
		tc.port_lo = lw[k].port_lo;
		tc.port_hi = lw[k].port_hi;
		rc = tcp_stack_init(&lw[k].tcp, &tc, &load_tcp_ops, &lw[k].load, &netif_tcp_tx, lw[k].nif);
		if (rc)
			break;
		lw[k].have_tcp = 1;
		lc.req_max = req_len;
		lc.connections = lw[k].connections;
		lc.rate = a->load.rate / nw;
		if (k)
			lc.seed = a->load.seed + k;
		rc = load_init(&lw[k].load, &lc, &lw[k].tcp, proto, k ? a->worker_ctx[k] : proto_ctx, &dp->clk,
			       &dp_worker(dp, k)->busy);
		if (rc)
			break;
		lw[k].have_load = 1;
		lw[k].load.kick = &lw[k].nif->kick;
		lw[k].load.pmd = &lw[k].nif->pmd;
	}
	if (rc) {
		fprintf(stderr, "lvperf %s: cannot set up %u connections: %s\n", cmd, a->load.connections,
			strerror(-rc));
		rc = APP_ERR;
		goto out;
	}
	if (!a->quiet)
		fprintf(stderr, "lvperf: %s load on %s:%u from %u source address(es), %s loop, %u worker(s)%s%s\n",
			cmd, pkt_format_ip(a->target_ip, ip), a->target_port, tc.n_ips,
			a->load.rate > 0 ? "open" : "closed", nw, nw > 1 ? ", steering " : "", nw > 1 ? steering : "");
	if (a->csv && (rc = load_csv_open(&csv, a->csv, &lw[0].load.hist))) {
		fprintf(stderr, "lvperf %s: cannot write %s: %s\n", cmd, a->csv, strerror(-rc));
		rc = APP_ERR;
		goto out;
	}
	/* One start for all: their phases change at the same TSC. */
	t0 = rte_rdtsc();
	for (k = 0; k < nw; k++) {
		att[k].nif = lw[k].nif;
		att[k].load = &lw[k].load;
		att[k].start = t0;
		dp_call_on(dp, k, load_run_attach_fn, &att[k]);
	}
	{
		const struct load *tl[DP_WORKERS_MAX];
		const struct netif *tn[DP_WORKERS_MAX];
		const tsc_t *tb[DP_WORKERS_MAX];

		for (k = 0; k < nw; k++) {
			tl[k] = &lw[k].load;
			tn[k] = lw[k].nif;
			tb[k] = &dp_worker(dp, k)->busy;
		}
		telemetry_publish_n(cmd, tl, tn, tb, nw, &dp->clk);
	}
	last = csv_last = rte_rdtsc();
	deadline = t0 + ns_to_tsc(&dp->clk, a->load.warmup + a->load.duration + a->load.linger +
						 10000000000ull);
	while (load_run_phase(lw, nw) != LOAD_DONE) {
		tsc_t now = rte_rdtsc();
		int ph = load_run_phase(lw, nw);

		if (!stopped && load_run_peer_left(dp)) {
			/* Nothing can answer or close any more: stop, and report
			 * what was measured up to here. */
			peer_left_s = tsc_to_ns_f(&dp->clk, now - t0) / 1e9;
			for (k = 0; k < nw; k++)
				dp_call_on(dp, k, load_run_stop_fn, &lw[k].load);
			stopped = 1;
			deadline = now + ns_to_tsc(&dp->clk, 200000000ull);
		}
		if (!stopped && !no_conn) {
			/* Certain that no connection will come: every one was
			 * refused (RST to the SYN: nothing listens), or none
			 * was established within --connect-timeout. */
			uint64_t est = load_run_established(lw, nw), refused = load_run_refused(lw, nw);

			if (est == 0 && refused >= a->load.connections)
				no_conn = "refused";
			else if (est == 0 && a->connect_timeout &&
				 !tsc_before(now, t0 + ns_to_tsc(&dp->clk, a->connect_timeout)))
				no_conn = "timeout";
			if (no_conn) {
				for (k = 0; k < nw; k++)
					dp_call_on(dp, k, load_run_stop_fn, &lw[k].load);
				stopped = 1;
				deadline = now + ns_to_tsc(&dp->clk, 3000000000ull);
			}
		}
		if ((app_interrupted || !tsc_before(now, deadline)) && !stopped) {
			for (k = 0; k < nw; k++)
				dp_call_on(dp, k, load_run_stop_fn, &lw[k].load);
			stopped = 1;
			deadline = now + ns_to_tsc(&dp->clk, a->load.linger + 3000000000ull);
		} else if (stopped && !tsc_before(now, deadline)) {
			break;
		}
		if (ph == LOAD_MEASURE && !stopped) {
			uint64_t m = load_run_measured(lw, nw);

			if (!gap_from || m != gap_seen) {
				gap_from = now;
				gap_seen = m;
			} else if (tsc_to_ns_f(&dp->clk, now - gap_from) > gap_ns) {
				gap_ns = tsc_to_ns_f(&dp->clk, now - gap_from);
			}
		}
		if (show && tsc_since(last, now) >= ns_to_tsc(&dp->clk, 1000000000u)) {
			uint64_t m = load_run_measured(lw, nw), open = 0;

			for (k = 0; k < nw; k++)
				open += lw[k].tcp.n_open;
			fprintf(stderr, "\rlvperf %s: %5.1f s %-7s %10.0f req/s  %" PRIu64 " conns open  errors %" PRIu64 " ",
				cmd, tsc_to_ns_f(&dp->clk, now - t0) / 1e9, phase_names[ph],
				(double)(m - last_measured) / (tsc_to_ns_f(&dp->clk, now - last) / 1e9), open,
				load_run_conn_errs(lw, nw));
			last_measured = m;
			last = now;
		}
		if (csv.f && tsc_since(csv_last, now) >= ns_to_tsc(&dp->clk, 1000000000u)) {
			load_csv_row(&csv, tsc_to_ns_f(&dp->clk, now - t0) / 1e9,
				     tsc_to_ns_f(&dp->clk, now - csv_last) / 1e9, phase_names[ph],
				     lw[0].load.c.measured, load_run_conn_errs(lw, nw), &lw[0].load.hist);
			csv_last = now;
		}
		dp_sleep_ns(20000000);
	}
	if (show)
		fputc('\n', stderr);
	if (!no_conn && load_run_established(lw, nw) == 0)
		no_conn = load_run_refused(lw, nw) >= a->load.connections ? "refused" : "run_ended";
	if (csv.f) { /* the last part second */
		tsc_t now = rte_rdtsc();

		load_csv_row(&csv, tsc_to_ns_f(&dp->clk, now - t0) / 1e9, tsc_to_ns_f(&dp->clk, now - csv_last) / 1e9,
			     phase_names[load_run_phase(lw, nw)], lw[0].load.c.measured, load_run_conn_errs(lw, nw),
			     &lw[0].load.hist);
		if (load_csv_close(&csv))
			fprintf(stderr, "lvperf %s: cannot write %s\n", cmd, a->csv);
	}
	telemetry_withdraw();
	for (k = 0; k < nw; k++)
		dp_call_on(dp, k, load_run_detach_fn, lw[k].nif);
	dp_stop(dp);
	started = 0;
	/* The report: the workers added up (exactly, histogram bucket by bucket). */
	if (nw == 1) {
		sum = lw[0].load;
	} else if (load_sum_init(&sum, proto, &a->load) != 0) {
		fprintf(stderr, "lvperf %s: out of memory\n", cmd);
		rc = APP_ERR;
		goto out;
	} else {
		for (k = 0; k < nw; k++)
			load_merge(&sum, &lw[k].load);
	}
	tsum = lw[0].tcp;
	nsum = *nif;
	for (k = 1; k < nw; k++) {
		uint64_t *d = (uint64_t *)&tsum.c, *nd = (uint64_t *)&nsum.c;
		const uint64_t *s = (const uint64_t *)&lw[k].tcp.c, *ns = (const uint64_t *)&lw[k].nif->c;

		for (size_t i = 0; i < sizeof(tsum.c) / sizeof(uint64_t); i++)
			d[i] += s[i];
		for (size_t i = 0; i < sizeof(nsum.c) / sizeof(uint64_t); i++)
			nd[i] += ns[i];
		xdp_clock_merge(&nsum.xclk, &lw[k].nif->xclk);
	}
	if (a->hdr_out) {
		FILE *f = fopen(a->hdr_out, "w");

		if (!f || hist_print_percentiles(&sum.hist, f, 5, 1000.0) != 0)
			fprintf(stderr, "lvperf %s: cannot write %s\n", cmd, a->hdr_out);
		if (f)
			fclose(f);
	}
	if (a->json) {
		*json = load_run_json(cmd, dp, &nsum, a, &sum, &tsum, gap_ns);
		json_object_set_new(*json, "no_connection", json_boolean(no_conn != NULL));
		json_object_set_new(*json, "no_connection_reason", no_conn ? json_string(no_conn) : json_null());
		if (no_conn)
			json_array_append_new(json_object_get(*json, "flags"), json_string("no_connection"));
		json_object_set_new(*json, "n_workers", json_integer((json_int_t)nw));
		json_object_set_new(*json, "steering", json_string(steering));
		json_object_set_new(*json, "workers", load_run_workers_json(dp, lw, nw, st));
		json_object_set_new(*json, "steering_cost", st ? load_run_steer_cost_json(dp, st, nw) : json_null());
	} else {
		load_run_text(cmd, dp, &nsum, a, &sum);
		if (nw > 1) {
			printf("workers: %u, steering %s:", nw, steering);
			for (k = 0; k < nw; k++)
				printf(" [%u] CPU %u %" PRIu64 " req%s", k, dp->cores.worker_cpus[k],
				       lw[k].load.c.measured, k + 1 < nw ? "," : "\n");
		}
	}
	rc = APP_OK;
	if (peer_left_s >= 0) {
		fprintf(
		    stderr,
		    "lvperf %s: the memif peer left the port %s at %.1f s (link down): the figures "
		    "are up to that moment\n",
		    cmd, dp->port.label, peer_left_s);
		rc = APP_ERR;
	} else if (no_conn) {
		if (strcmp(no_conn, "refused") == 0)
			fprintf(stderr, "lvperf %s: no connection to %s:%u: all %" PRIu64 " connection attempts were "
					"refused (RST to the SYN: nothing listens on that port?); flag no_connection\n",
				cmd, pkt_format_ip(a->target_ip, ip), a->target_port, sum.c.conn_refused);
		else if (strcmp(no_conn, "run_ended") == 0)
			fprintf(stderr, "lvperf %s: no connection to %s:%u established before the run ended%s; %" PRIu64
					" refused, %" PRIu64 " timed out; flag no_connection\n",
				cmd, pkt_format_ip(a->target_ip, ip), a->target_port,
				app_interrupted ? " (interrupted)" : "", sum.c.conn_refused, sum.c.conn_timeout);
		else
			fprintf(stderr, "lvperf %s: no connection to %s:%u established within --connect-timeout %.1f s "
					"(no SYN-ACK: server down, or filtered?); %" PRIu64 " refused, %" PRIu64
					" timed out; flag no_connection\n",
				cmd, pkt_format_ip(a->target_ip, ip), a->target_port, a->connect_timeout / 1e9,
				sum.c.conn_refused, sum.c.conn_timeout);
		rc = APP_ERR;
	} else if (sum.c.measured == 0) {
		fprintf(stderr, "lvperf %s: no reply in the measurement window (%" PRIu64 " refused, %" PRIu64
				" reset, %" PRIu64 " timed out connections)\n",
			cmd, sum.c.conn_refused, sum.c.conn_reset, sum.c.conn_timeout);
		rc = APP_ERR;
	} else if (sum.c.conn_refused || sum.c.conn_reset || sum.c.conn_timeout || stopped) {
		fprintf(stderr, "lvperf %s: %s: %" PRIu64 " connections refused, %" PRIu64 " reset, %" PRIu64
				" timed out, %" PRIu64 " requests lost (server gone?)\n",
			cmd, app_interrupted ? "interrupted" : "the run had errors", sum.c.conn_refused,
			sum.c.conn_reset, sum.c.conn_timeout, sum.c.lost_requests);
		rc = APP_ERR;
	} else if (load_run_unresponsive(gap_ns, &a->load)) {
		fprintf(stderr, "lvperf %s: no reply for %.1f s of the %.1f s window: the target stopped answering "
				"(flag target_unresponsive)\n",
			cmd, gap_ns / 1e9, (double)a->load.duration / 1e9);
		rc = APP_ERR;
	}
	if (nw > 1)
		hist_free(&sum.hist);
out:
	if (started)
		dp_stop(dp);
	for (k = 0; k < nw; k++) {
		if (lw[k].have_load)
			load_free(&lw[k].load);
		if (lw[k].have_tcp)
			tcp_stack_free(&lw[k].tcp);
		lw[k].nif->steer = NULL;
	}
	if (st) {
		steer_destroy(st, (uint16_t)nw);
		free(st);
	}
	free(lw);
	return rc;
}

int load_run_args_from(const char *cmd, const struct load_run_opts *o, uint16_t default_port,
		       int need_target, struct load_run_args *a)
{
	char host[32];
	const char *colon;
	uint64_t port = default_port;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (!o->target && need_target) {
		fprintf(stderr, "lvperf %s: --target IP[:PORT] is required (or --platform NAME)\n", cmd);
		return -EINVAL;
	}
	if (o->target && !need_target) {
		fprintf(stderr, "lvperf %s: --platform loads the target it boots: leave out --target\n", cmd);
		return -EINVAL;
	}
	if (!o->target)
		goto load;
	colon = strchr(o->target, ':');
	n = colon ? (size_t)(colon - o->target) : strlen(o->target);
	if (n >= sizeof(host) || (colon && (opt_parse_u64(colon + 1, &port, NULL) || !port || port > 65535))) {
		fprintf(stderr, "lvperf %s: --target '%s': expected IP[:PORT]\n", cmd, o->target);
		return -EINVAL;
	}
	memcpy(host, o->target, n);
	host[n] = 0;
	if (pkt_parse_ip(host, &a->target_ip)) {
		fprintf(stderr, "lvperf %s: --target '%s': expected IP[:PORT]\n", cmd, o->target);
		return -EINVAL;
	}
	a->target_port = (uint16_t)port;
load:
	if (o->poisson && !o->rate) {
		fprintf(stderr, "lvperf %s: --poisson needs --rate R (open loop)\n", cmd);
		return -EINVAL;
	}
	a->load.connections = (uint32_t)o->connections;
	a->load.pipeline = (uint32_t)o->pipeline;
	a->load.rate = (double)o->rate;
	a->load.poisson = o->poisson;
	a->load.duration = o->duration;
	a->load.warmup = o->warmup;
	a->load.requests = o->requests;
	a->load.linger = o->linger;
	a->load.seed = o->seed;
	a->time_wait = o->time_wait;
	a->min_rto = o->min_rto;
	a->connect_timeout = o->connect_timeout;
	a->hdr_out = o->hdr_out;
	a->csv = o->csv;
	a->workers = o->workers ? (unsigned int)o->workers : 1;
	if (a->workers > 1 && o->csv) {
		fprintf(stderr, "lvperf %s: --csv is not supported with --workers > 1 (its rows read one "
				"worker's live histogram)\n", cmd);
		return -EINVAL;
	}
	if (a->workers > 1 && o->requests) {
		fprintf(stderr, "lvperf %s: --requests is not supported with --workers > 1 (each worker ends "
				"its own window; the total would not be exact)\n", cmd);
		return -EINVAL;
	}
	if (a->workers > 1 && a->load.connections < a->workers) {
		fprintf(stderr, "lvperf %s: --connections %u is fewer than --workers %u (each worker needs one)\n",
			cmd, a->load.connections, a->workers);
		return -EINVAL;
	}
	return 0;
}
