/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "floor.h"
#include "server.h"
#include "format.h"
#include "driver.h"
#include "proc.h"
#include "app.h"
#include "tsc.h"

#ifndef LVP_EXPERIMENTS_DIR
#define LVP_EXPERIMENTS_DIR "experiments"
#endif
#ifndef LVP_BINDIR
#define LVP_BINDIR "/usr/local/bin"
#endif
#ifndef LVP_PKGDATADIR
#define LVP_PKGDATADIR "/usr/local/share/lvperf"
#endif

volatile sig_atomic_t app_interrupted;

static void app_on_signal(int sig)
{
	(void)sig;
	app_interrupted = 1;
}

void app_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int app_dp_config(const char *cmd, const struct app_dp_opts *o, int port_optional,
		  struct dp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (!o->port && !port_optional) {
		fprintf(stderr, "lvperf %s: --port SPEC is required (e.g. --port af_xdp:lvp0)\n", cmd);
		return -EINVAL;
	}
	if (o->port && !o->ip.ip) {
		fprintf(stderr, "lvperf %s: --ip A.B.C.D/LEN is required with --port (the appliance's own address)\n",
			cmd);
		return -EINVAL;
	}
	if (o->port) {
		struct port_spec ps;
		char err[DP_ERR_LEN];

		if (port_spec_parse(o->port, &ps, err, sizeof(err))) {
			fprintf(stderr, "lvperf %s: %s\n", cmd, err);
			return -EINVAL;
		}
	}
	cfg->port = o->port;
	cfg->ip = o->ip.ip;
	cfg->prefix_len = o->ip.prefix_len;
	cfg->cores = o->cores;
	cfg->eal = o->eal;
	cfg->quiet = o->quiet;
	cfg->max_stall_ns = o->max_stall;
	app_dp_tsc(cfg);
	return app_dp_rx_stamp(cmd, o->rx_stamp, cfg);
}

int app_dp_rx_stamp(const char *cmd, const char *mode, struct dp_config *cfg)
{
	static char path[PATH_MAX];
	int have;

	if (mode && strcmp(mode, "auto") && strcmp(mode, "xdp") && strcmp(mode, "burst")) {
		fprintf(stderr, "lvperf %s: --rx-stamp '%s': expected auto, xdp or burst\n", cmd, mode);
		return -EINVAL;
	}
	cfg->xdp_prog = NULL;
	if (mode && strcmp(mode, "burst") == 0)
		return 0;
	have = driver_sibling_bin(APP_XDP_STAMP_OBJ, path, sizeof(path)) == 0;
	if (!have && mode && strcmp(mode, "xdp") == 0) {
		fprintf(stderr, "lvperf %s: --rx-stamp xdp: the XDP program %s is missing beside lvperf "
				"(ninja -C build builds it with clang)\n",
			cmd, APP_XDP_STAMP_OBJ);
		return -EINVAL;
	}
	cfg->xdp_prog = have ? path : NULL;
	return 0;
}

json_t *app_num_json(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

json_t *app_summary_json(const struct stats_summary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n, "min",
			 app_num_json(s->min), "p50", app_num_json(s->p50), "mean", app_num_json(s->mean), "sd",
			 app_num_json(s->sd), "p90", app_num_json(s->p90), "p99", app_num_json(s->p99), "p999",
			 app_num_json(s->p999), "max", app_num_json(s->max));
}

void app_summary_print(FILE *out, const char *label, const struct stats_summary *s, const char *unit)
{
	if (s->n == 0) {
		fprintf(out, "%s: no samples\n", label);
		return;
	}
	fprintf(out, "%s: n %zu  min %.0f  p50 %.0f  mean %.0f  sd %.0f  p99 %.0f  max %.0f %s\n", label,
		s->n, s->min, s->p50, s->mean, s->sd, s->p99, s->max, unit);
}

json_t *app_clock_json(const struct tsc_clock *c, enum clock_source src)
{
	return json_pack("{s:s, s:f, s:f, s:f, s:f}", "source", clock_source_name(src), "tsc_hz", c->hz,
			 "tsc_hz_dpdk", c->dpdk_hz, "dpdk_error_ppm", (c->dpdk_hz / c->hz - 1) * 1e6,
			 "uncertainty_ppm", c->uncertainty_ppm);
}

json_t *app_floor_json(const struct floor_result *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:f, s:o}", "source", f->source, "port",
			      port_kind_name(f->kind), "clock", clock_source_name(f->clock), "count", (json_int_t)f->count, "interval_ns",
			      (double)f->interval, "rtt_ns", app_summary_json(&f->s));

	if (strcmp(f->source, FLOOR_SRC_RING) != 0) {
		json_object_set_new(o, "lost", json_integer((json_int_t)(f->count - f->s.n)));
		json_object_set_new(o, "corrupt", json_integer((json_int_t)f->corrupt));
		json_object_set_new(o, "bad_checksum", json_integer((json_int_t)f->bad_csum));
		json_object_set_new(o, "where", json_string(f->where));
	}
	if (strcmp(f->source, FLOOR_SRC_XDP) == 0) {
		json_object_set_new(o, "reflector",
				    json_pack("{s:s, s:s, s:I, s:I, s:I}", "mode", reflect_mode_name(f->mode),
					      "where", f->where, "icmp_answered", (json_int_t)f->refl.icmp,
					      "udp_answered", (json_int_t)f->refl.udp, "passed",
					      (json_int_t)f->refl.pass));
	}
	return o;
}

json_t *app_cpu_list_json(const cpu_set_t *set)
{
	json_t *a = json_array();

	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set))
			json_array_append_new(a, json_integer(c));
	return a;
}

static const struct worker *app_worker(const struct dp *dp, unsigned int k)
{
	return k ? &dp->xw[k - 1] : &dp->w;
}

/* Worker k's stall account since dp_start: the loop's own gaps and, when
 * readable, the kernel's (descheduled time, involuntary switches). */
struct app_stall {
	uint64_t stalls;
	tsc_t max_gap;
	int have; /* desched and invol are read */
	uint64_t desched_ns, invol;
	int stalled;
};

static void app_stall_read(const struct dp *dp, unsigned int k, struct app_stall *st)
{
	const struct worker *w = app_worker(dp, k);
	struct worker_sched ws;

	memset(st, 0, sizeof(*st));
	st->stalls = __atomic_load_n(&w->stalls, __ATOMIC_RELAXED);
	st->max_gap = w->max_gap;
	st->have = dp->have_sched0[k] && worker_sched_read(w, &ws) == 0;
	if (st->have) {
		st->desched_ns = ws.run_delay_ns - dp->sched0[k].run_delay_ns;
		st->invol = ws.nonvoluntary - dp->sched0[k].nonvoluntary;
	}
	/* Was one preemption of the worker since dp_start longer than the
	 * threshold? The kernel gives the total wait D of n preemptions, so
	 * the longest was at least D / n (pigeonhole): yes when D / n >
	 * threshold. */
	st->stalled = st->stalls || (st->have && st->invol && st->desched_ns / st->invol > dp->max_stall_ns);
}

static unsigned int app_n_workers(const struct dp *dp)
{
	return dp->n_workers ? dp->n_workers : 1;
}

static json_t *app_stall_json(const struct dp *dp, const struct app_stall *st)
{
	return json_pack("{s:I, s:f, s:o, s:o, s:b}", "stalls", (json_int_t)st->stalls, "longest_stall_ns",
			 tsc_to_ns_f(&dp->clk, st->max_gap), "descheduled_ns",
			 st->have ? json_integer((json_int_t)st->desched_ns) : json_null(), "involuntary_switches",
			 st->have ? json_integer((json_int_t)st->invol) : json_null(), "stalled", st->stalled);
}

tsc_t app_max_stall_gap(const struct dp *dp)
{
	tsc_t m = 0;

	for (unsigned int k = 0; k < app_n_workers(dp); k++)
		if (app_worker(dp, k)->max_gap > m)
			m = app_worker(dp, k)->max_gap;
	return m;
}

void app_result_cpus_stalls(json_t *o, const struct dp *dp, const cpu_set_t *target)
{
	json_t *flags = json_object_get(o, "flags"), *wcpus = json_array(), *per = json_array(), *w0 = NULL;
	unsigned int k, n = app_n_workers(dp), stalled = 0;
	struct app_stall st;
	cpu_set_t ctl;

	if (sched_getaffinity(0, sizeof(ctl), &ctl) != 0)
		CPU_ZERO(&ctl);
	for (k = 0; k < n; k++)
		json_array_append_new(wcpus, json_integer(k ? dp->cores.worker_cpus[k] : dp->cores.worker_cpu));
	json_object_set_new(o, "cpus", json_pack("{s:I, s:o, s:o, s:o}", "worker", (json_int_t)dp->cores.worker_cpu,
						 "workers", wcpus, "control", app_cpu_list_json(&ctl), "target",
						 target ? app_cpu_list_json(target) : json_null()));
	for (k = 0; k < n; k++) {
		app_stall_read(dp, k, &st);
		stalled += st.stalled != 0;
		json_array_append_new(per, app_stall_json(dp, &st));
		if (k == 0) {
			/* "worker" keeps worker 0's figures, as before --workers. */
			w0 = app_stall_json(dp, &st);
			json_object_del(w0, "stalled");
			json_object_set_new(w0, "stall_threshold_ns", json_integer((json_int_t)dp->max_stall_ns));
			json_object_set_new(o, "worker", w0);
		}
	}
	json_object_set_new(w0, "stalled_workers", json_integer((json_int_t)stalled));
	json_object_set_new(w0, "per_worker", per);
	if (!json_is_array(flags)) {
		flags = json_array();
		json_object_set_new(o, "flags", flags);
	}
	if (stalled)
		json_array_append_new(flags, json_string("worker_stalled"));
}

void app_avoid_worker_cpu(const struct dp *dp, const char *cores)
{
	struct core_choice cc;
	char err[200];

	if (dp)
		proc_avoid_cpu((int)dp->cores.worker_cpu);
	else if (cores_pick(cores, -1, &cc, err, sizeof(err)) == 0)
		proc_avoid_cpu((int)cc.worker_cpu);
}

void app_stalls_print(FILE *out, const struct dp *dp)
{
	unsigned int k, n = app_n_workers(dp);
	struct app_stall st;

	for (k = 0; k < n; k++) {
		app_stall_read(dp, k, &st);
		if (n > 1)
			fprintf(out, "worker %u ", k);
		else
			fprintf(out, "worker ");
		fprintf(out, "on CPU %u: %" PRIu64 " stalls above %.0f us, longest %.1f us, descheduled %.1f us in all%s\n",
			k ? dp->cores.worker_cpus[k] : dp->cores.worker_cpu, st.stalls, dp->max_stall_ns / 1e3,
			tsc_to_ns_f(&dp->clk, st.max_gap) / 1e3, st.have ? (double)st.desched_ns / 1e3 : NAN,
			st.stalled ? " (worker_stalled: something else ran on its CPU)" : "");
	}
}

void app_json_print(json_t *obj)
{
	if (json_is_object(obj) && !json_object_get(obj, "format"))
		json_object_set_new(obj, "format", json_integer(LVP_FORMAT));
	app_server_json(obj); /* --host: the host VM's own figures */
	json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(obj);
}

int app_data_path(const char *name, char *buf, size_t len)
{
	static const char bin[] = LVP_BINDIR "/lvperf";
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t root;

	if (n > 0 && (size_t)n >= strlen(bin) && strcmp(self + n - strlen(bin), bin) == 0) {
		root = (size_t)n - strlen(bin); /* DESTDIR, or nothing */
		if ((size_t)snprintf(buf, len, "%.*s%s/%s", (int)root, self, LVP_PKGDATADIR, name) < len &&
		    access(buf, R_OK) == 0)
			return 0;
	}
	if ((size_t)snprintf(buf, len, "%s/%s", LVP_EXPERIMENTS_DIR, name) >= len)
		return -ENAMETOOLONG;
	return access(buf, R_OK) == 0 ? 0 : -ENOENT;
}

const char *app_beacon_path(void)
{
	static char path[PATH_MAX];

	return driver_sibling_bin("beacon", path, sizeof(path)) == 0 ? path : "beacon";
}

int app_progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

json_t *app_counters_json(const struct netif *nif)
{
	const struct netif_counters *c = &nif->c;
	json_t *bad = json_object();
	int e;

	for (e = PKT_ERR_TRUNCATED; e < PKT_ERR__COUNT; e++)
		json_object_set_new(bad, pkt_err_name((enum pkt_err)e), json_integer((json_int_t)c->rx_bad[e]));
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "rx", (json_int_t)c->rx, "tx", (json_int_t)c->tx, "tx_drop", (json_int_t)c->tx_drop,
			 "tx_nombuf", (json_int_t)c->tx_nombuf, "rx_bad", bad, "not_for_us",
			 (json_int_t)c->not_for_us, "not_ipv4", (json_int_t)c->not_ipv4, "other_ip",
			 (json_int_t)c->other_ip, "arp_in", (json_int_t)c->arp_in, "arp_replied",
			 (json_int_t)c->arp_replied, "arp_requests_sent", (json_int_t)c->arp_requests_sent,
			 "icmp_echo_in", (json_int_t)c->icmp_echo_in, "icmp_echo_replied",
			 (json_int_t)c->icmp_echo_replied, "icmp_reply_in", (json_int_t)c->icmp_reply_in,
			 "icmp_reply_unmatched", (json_int_t)c->icmp_reply_unmatched, "udp_in",
			 (json_int_t)c->udp_in, "udp_other_port", (json_int_t)c->udp_other_port,
			 "udp_csum_partial", (json_int_t)c->udp_csum_partial);
}

json_t *app_rx_stamp_json(const struct netif *nif)
{
	const struct port *p = nif->np->port;
	const struct xdp_clock *x = &nif->xclk;

	if (p->clock != CLOCK_SRC_XDP_HOOK)
		return json_pack("{s:s}", "clock", clock_source_name(p->clock));
	return json_pack("{s:s, s:I, s:I, s:I, s:o, s:f, s:I, s:f}", "clock", clock_source_name(p->clock),
			 "stamped", (json_int_t)x->stamped, "unstamped", (json_int_t)x->unstamped,
			 "future", (json_int_t)x->future, "hook_wait_mean_ns",
			 x->stamped ? json_real((double)x->hook_wait_sum / x->tsc_per_ns / (double)x->stamped)
				    : json_null(),
			 "hook_wait_max_ns", (double)x->hook_wait_max / x->tsc_per_ns, "anchors",
			 (json_int_t)x->anchors, "anchor_width_ns", (double)x->anchor_width / x->tsc_per_ns);
}

json_t *app_port_stats_json(uint16_t port_id)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(port_id, &st) != 0)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "ipackets", (json_int_t)st.ipackets, "opackets",
			 (json_int_t)st.opackets, "imissed", (json_int_t)st.imissed, "ierrors",
			 (json_int_t)st.ierrors, "oerrors", (json_int_t)st.oerrors, "rx_nombuf",
			 (json_int_t)st.rx_nombuf);
}

void app_dp_tsc(struct dp_config *cfg)
{
	cfg->tsc_invariant = tsc_invariant;
	cfg->tsc_calibrate = tsc_calibrate;
}

int app_dp_run(const char *cmd, const struct dp_config *dcfg,
	       int (*measure)(struct dp *dp, const void *arg, json_t **json), const void *arg)
{
	char err[DP_ERR_LEN];
	json_t *json = NULL;
	struct dp dp;
	int rc;

	app_signals();
	rc = dp_open(&dp, dcfg, err);
	if (rc) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_ERR;
	}
	app_avoid_worker_cpu(&dp, NULL);
	rc = measure(&dp, arg, &json);
	dp_close(&dp);
	if (json)
		app_json_print(json);
	return rc;
}
