/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_telemetry.h>

#include "load.h"
#include "netif.h"
#include "tcp.h"
#include "telemetry.h"

static pthread_mutex_t telemetry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *cmd;
	const struct load *l; /* worker 0's (NULL: nothing running) */
	const struct netif *nif;
	const struct tsc_clock *clk;
	const tsc_t *busy;
	/* --workers N: every worker's, summed by the commands. */
	unsigned int n;
	const struct load *ls[TELEMETRY_WORKERS_MAX];
	const struct netif *nifs[TELEMETRY_WORKERS_MAX];
	const tsc_t *busys[TELEMETRY_WORKERS_MAX];
} telemetry_cur;

static const char *const telemetry_phases[] = { "idle", "warmup", "measure", "drain", "closing", "done" };

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static void telemetry_none(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "phase", "none");
}

static int telemetry_stats(const char *c, const char *params, struct rte_tel_data *d)
{
	const struct load *l;
	struct rte_tel_data *flags;
	tsc_t now = rte_rdtsc(), ms, busy = 0, kick = 0, pmd = 0, measure_started = 0;
	uint64_t replies = 0, measured = 0, measured_ok = 0, sent = 0, lost = 0, late = 0;
	uint64_t perr = 0, conn_err = 0, retx = 0, tx_drop = 0, tx_nombuf = 0;
	int phase = LOAD_DONE;

	(void)c;
	(void)params;
	pthread_mutex_lock(&telemetry_lock);
	l = telemetry_cur.l;
	if (!l) {
		telemetry_none(d);
		goto out;
	}
	for (unsigned int k = 0; k < telemetry_cur.n; k++) {
		const struct load *w = telemetry_cur.ls[k];
		const struct netif *nif = telemetry_cur.nifs[k];
		int ph = RD(w->phase);
		tsc_t ms0 = RD(w->measure_started);

		if (ph < phase)
			phase = ph;
		if (ms0 && (!measure_started || tsc_before(ms0, measure_started)))
			measure_started = ms0;
		replies += RD(w->c.replies);
		measured += RD(w->c.measured);
		measured_ok += RD(w->c.measured_ok);
		sent += RD(w->c.sent);
		lost += RD(w->c.lost_requests);
		late += RD(w->c.late);
		for (int i = 1; i < LOAD_PROTO_ERRS; i++)
			perr += RD(w->c.proto_err[i]);
		conn_err += RD(w->c.conn_refused) + RD(w->c.conn_reset) + RD(w->c.conn_timeout);
		retx += RD(w->tcp->c.retransmits) + RD(w->tcp->c.fast_retransmits);
		busy += RD(*telemetry_cur.busys[k]);
		kick += RD(nif->kick);
		pmd += RD(nif->pmd);
		tx_drop += RD(nif->c.tx_drop);
		tx_nombuf += RD(nif->c.tx_nombuf);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "command", telemetry_cur.cmd);
	rte_tel_data_add_dict_string(d, "phase", telemetry_phases[phase]);
	rte_tel_data_add_dict_u64(d, "workers", telemetry_cur.n);
	ms = tsc_to_ns(telemetry_cur.clk, now - l->t_start) / 1000000u;
	rte_tel_data_add_dict_u64(d, "elapsed_ms", ms);
	rte_tel_data_add_dict_u64(d, "requests_sent", sent);
	rte_tel_data_add_dict_u64(d, "replies", replies);
	rte_tel_data_add_dict_u64(d, "replies_per_s", ms ? replies * 1000 / ms : 0);
	rte_tel_data_add_dict_u64(d, "measured", measured);
	rte_tel_data_add_dict_u64(d, "measured_ok", measured_ok);
	if (phase == LOAD_MEASURE) {
		uint64_t wms = tsc_to_ns(telemetry_cur.clk, now - measure_started) / 1000000u;

		rte_tel_data_add_dict_u64(d, "measured_per_s", wms ? measured * 1000 / wms : 0);
	}
	rte_tel_data_add_dict_u64(d, "connection_errors", conn_err);
	rte_tel_data_add_dict_u64(d, "protocol_errors", perr);
	rte_tel_data_add_dict_u64(d, "lost_requests", lost);
	rte_tel_data_add_dict_u64(d, "retransmissions", retx);
	rte_tel_data_add_dict_u64(d, "tx_drop", tx_drop);
	rte_tel_data_add_dict_u64(d, "tx_nombuf", tx_nombuf);
	rte_tel_data_add_dict_u64(d, "busy_ms", tsc_to_ns(telemetry_cur.clk, busy) / 1000000u);
	rte_tel_data_add_dict_u64(d, "kick_ms", tsc_to_ns(telemetry_cur.clk, kick) / 1000000u);
	rte_tel_data_add_dict_u64(d, "pmd_ms", tsc_to_ns(telemetry_cur.clk, pmd) / 1000000u);
	/* The validity flags (BENCHMARKS.md) that can already be told. */
	flags = rte_tel_data_alloc();
	if (flags) {
		rte_tel_data_start_array(flags, RTE_TEL_STRING_VAL);
		if (retx)
			rte_tel_data_add_array_string(flags, "retransmissions");
		if (conn_err || perr || lost)
			rte_tel_data_add_array_string(flags, "errors");
		if (measured_ok != measured)
			rte_tel_data_add_array_string(flags, "non_ok_replies");
		if (tx_drop || tx_nombuf)
			rte_tel_data_add_array_string(flags, "port_drops");
		if (late)
			rte_tel_data_add_array_string(flags, "open_loop_late_sends");
		rte_tel_data_add_dict_container(d, "flags", flags, 0);
	}
out:
	pthread_mutex_unlock(&telemetry_lock);
	return 0;
}

static int telemetry_conns(const char *c, const char *params, struct rte_tel_data *d)
{
	uint64_t by_state[TCP_LAST_ACK + 1] = { 0 }, open = 0, established = 0;

	(void)c;
	(void)params;
	pthread_mutex_lock(&telemetry_lock);
	if (!telemetry_cur.l) {
		telemetry_none(d);
		goto out;
	}
	for (unsigned int k = 0; k < telemetry_cur.n; k++) {
		const struct tcp_stack *s = telemetry_cur.ls[k]->tcp;

		for (uint32_t i = 0; i < s->cfg.max_conns; i++) {
			uint8_t st = RD(s->conns[i].state);

			if (st <= TCP_LAST_ACK)
				by_state[st]++;
		}
		open += RD(s->n_open);
		established += RD(s->c.established);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "open", open);
	rte_tel_data_add_dict_u64(d, "established_total", established);
	for (int st = 0; st <= TCP_LAST_ACK; st++)
		rte_tel_data_add_dict_u64(d, tcp_state_name((enum tcp_state)st), by_state[st]);
out:
	pthread_mutex_unlock(&telemetry_lock);
	return 0;
}

static int telemetry_hist(const char *c, const char *params, struct rte_tel_data *d)
{
	struct hist sum = { 0 };
	const struct hist *h;

	(void)c;
	(void)params;
	pthread_mutex_lock(&telemetry_lock);
	if (!telemetry_cur.l) {
		telemetry_none(d);
		goto out;
	}
	h = &telemetry_cur.l->hist;
	if (telemetry_cur.n > 1) {
		/* Several workers: their histograms added slot by slot (read while
		 * they record: each slot whole, not one instant's snapshot). */
		if (hist_init(&sum, h->lowest, h->highest, h->sig_digits) != 0) {
			telemetry_none(d);
			goto out;
		}
		for (unsigned int k = 0; k < telemetry_cur.n; k++)
			hist_merge(&sum, &telemetry_cur.ls[k]->hist);
		h = &sum;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "unit", "ns");
	rte_tel_data_add_dict_u64(d, "n", hist_count(h));
	rte_tel_data_add_dict_u64(d, "min", hist_min(h));
	rte_tel_data_add_dict_u64(d, "p50", hist_percentile(h, 50));
	rte_tel_data_add_dict_u64(d, "p90", hist_percentile(h, 90));
	rte_tel_data_add_dict_u64(d, "p99", hist_percentile(h, 99));
	rte_tel_data_add_dict_u64(d, "p999", hist_percentile(h, 99.9));
	rte_tel_data_add_dict_u64(d, "max", hist_max(h));
out:
	hist_free(&sum);
	pthread_mutex_unlock(&telemetry_lock);
	return 0;
}

int telemetry_register(void)
{
	char path[PATH_MAX];
	int rc;

	rc = rte_telemetry_register_cmd("/lvperf/stats", telemetry_stats,
					"The running load: phase, counters, rates, validity flags so far");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/lvperf/connections", telemetry_conns,
						"TCP connections of the running load by state");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/lvperf/histogram", telemetry_hist,
						"Latency percentiles (ns) of the measurement window so far");
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", rte_eal_get_runtime_dir(), TELEMETRY_SOCKET);
	if (chmod(path, 0600) != 0)
		return errno == ENOENT ? -ENOTSUP : -errno;
	return 0;
}

void telemetry_publish(const char *cmd, const struct load *l, const struct netif *nif,
		       const struct tsc_clock *clk, const tsc_t *busy)
{
	telemetry_publish_n(cmd, &l, &nif, &busy, 1, clk);
}

void telemetry_publish_n(const char *cmd, const struct load *const *l, const struct netif *const *nif,
			 const tsc_t *const *busy, unsigned int n, const struct tsc_clock *clk)
{
	if (n < 1 || n > TELEMETRY_WORKERS_MAX)
		return;
	pthread_mutex_lock(&telemetry_lock);
	telemetry_cur.cmd = cmd;
	telemetry_cur.l = l[0];
	telemetry_cur.nif = nif[0];
	telemetry_cur.clk = clk;
	telemetry_cur.busy = busy[0];
	telemetry_cur.n = n;
	for (unsigned int k = 0; k < n; k++) {
		telemetry_cur.ls[k] = l[k];
		telemetry_cur.nifs[k] = nif[k];
		telemetry_cur.busys[k] = busy[k];
	}
	pthread_mutex_unlock(&telemetry_lock);
}

void telemetry_withdraw(void)
{
	pthread_mutex_lock(&telemetry_lock);
	memset(&telemetry_cur, 0, sizeof(telemetry_cur));
	pthread_mutex_unlock(&telemetry_lock);
}
