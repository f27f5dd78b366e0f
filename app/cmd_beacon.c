/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf beacon: start a command and time, at the port, the target's first
 * ARP and its first UDP beacon. The start mark is the TSC read just before
 * posix_spawn; the end marks are the worker's RX stamps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "beacon_fmt.h"
#include "ledger.h"
#include "proc.h"
#include "app.h"
#include "commands.h"
#include "trigger_run.h"

struct beacon_cfg {
	struct app_dp_opts dp;
	uint64_t udp_port;
	struct beacon_args a;
	const char *service;
	struct svc_spec spec;
	const char *sender_tsc;
};

static const struct opt_def beacon_opts[] = {
	APP_DP_OPT_ROWS(struct beacon_cfg, dp),
	{ "udp-port", OPT_U64, offsetof(struct beacon_cfg, udp_port), 1, 65535, "1337", "PORT",
	  "UDP port the beacon is sent to (the study's udpping used 1337)" },
	{ "timeout", OPT_DURATION, offsetof(struct beacon_cfg, a.timeout), 1000000, 3600000000000ull,
	  "30s", "DUR", "per run: give up when no beacon came after this" },
	{ "repeat", OPT_U64, offsetof(struct beacon_cfg, a.repeat), 1, 100000, "1", "N",
	  "start the command N times" },
	{ "gap", OPT_DURATION, offsetof(struct beacon_cfg, a.gap), 0, 600000000000ull, "100ms", "DUR",
	  "pause between a run's teardown and the next start" },
	{ "service", OPT_STR, offsetof(struct beacon_cfg, service), 0, 0, NULL, "http:PORT[/PATH]|redis:PORT",
	  "after the beacon, time the first SYN-ACK and first correct answer of this service" },
	{ "csv", OPT_STR, offsetof(struct beacon_cfg, a.csv), 0, 0, NULL, "FILE",
	  "append one line per run to FILE (written before the summary)" },
	{ "sender-tsc", OPT_STR, offsetof(struct beacon_cfg, sender_tsc), 0, 0, "host", "host|guest",
	  "the TSC in the beacon's datagram is this host's (native, containers: each run's stamp "
	  "error is measured) or a guest's own (VMs: not comparable)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* One start of the command. Times are ns after the start mark, NAN when
 * not seen. */
struct beacon_run {
	double spawn_ns;  /* posix_spawn returned: the process exists */
	double vmm_ns;	  /* the VMM had set up its devices (a->vmm_up), first seen */
	double vmm_after_ns; /* ... and had not at this earlier poll */
	double first_frame_ns;
	double first_arp_ns;
	double first_beacon_ns;
	double syn_ns;	  /* first SYN-ACK from the service */
	double ready_ns;  /* first correct answer of the service */
	struct svc_counters svc;
	uint32_t svc_ip;
	uint32_t arp_ip, beacon_ip;
	uint32_t first_seq;
	int study_format;
	int exited;	  /* the command exited before we stopped it */
	int status;	  /* its wait status, when exited */
	int timed_out;
	int early;	  /* a beacon older than the start mark */
	/* The first beacon's own TSC (read just before its sendto), when it
	 * carried one and shares our TSC: sent_ns after the start mark, and
	 * the stamp error, port stamp - sender's TSC; NAN otherwise. */
	double sent_ns;
	double stamp_error_ns;
	int sender_cpu;	  /* the CPU it was read on, -1: unknown */
	uint64_t worker_stalls; /* worker stalls from the start mark to the last stage */
	struct trigger_run_mark mark; /* remote trigger: how the start mark was made */
	double worker_descheduled_ns; /* the worker's run delay meanwhile, NAN: unknown */
	uint64_t stale_beacons; /* from an earlier instance (sent before the arm), ignored */
	int have_target_cpus;
	cpu_set_t target_cpus; /* the start command's affinity */
	char err[400];
	/* Every peer heard from during the run, from the ARP table. */
	uint32_t n_peers;
	struct {
		uint32_t ip;
		uint8_t mac[PKT_ETH_ALEN];
		double first_arp_ns, first_frame_ns;
	} peers[8];
};

/* How often the control thread checks for the beacon. It shares a core with
 * the target on a 2-core box, so it wakes rarely; the figures come from
 * port stamps and do not depend on it. */
#define BEACON_POLL_NS 5000000u
/* While a VMM stage is pending, the poll is finer: stat() is cheap. */
#define BEACON_VMM_POLL_NS 250000u

struct beacon_arm {
	struct netif *nif;
	struct svc_probe *svc;
	int host_tsc; /* beacons carry our TSC: drop those sent before the arm */
};

static void beacon_arm_fn(void *arg)
{
	struct beacon_arm *b = arg;

	netif_arm(b->nif);
	if (b->host_tsc)
		b->nif->beacon.not_before = rte_rdtsc();
	if (b->svc)
		netif_svc_attach(b->nif, b->svc, rte_rdtsc());
}

static void beacon_disarm_fn(void *arg)
{
	netif_svc_detach(arg, rte_rdtsc());
}

/* ns from the start mark to the port stamp t (0: none, NAN); negative for a
 * frame stamped before the mark. */
static double beacon_since(const struct dp *dp, tsc_t start, tsc_t t)
{
	return t ? tsc_delta_ns_f(&dp->clk, start, t) : NAN;
}

/* The run is up: its beacon is in and, with a service, the service answered. */
static int beacon_up(const struct netif *nif, const struct svc_probe *svc)
{
	if (!__atomic_load_n(&nif->beacon.first, __ATOMIC_ACQUIRE))
		return 0;
	return !svc || __atomic_load_n(&svc->ready, __ATOMIC_ACQUIRE);
}

/* Copy the port stamps of the run into r (the worker keeps the first ones). */
static void beacon_collect(struct dp *dp, tsc_t start, const struct svc_probe *svc, int host_tsc,
			   struct beacon_run *run)
{
	struct netif *nif = &dp->nif;
	tsc_t first = __atomic_load_n(&nif->beacon.first, __ATOMIC_ACQUIRE);
	uint32_t i, nsrc;

	run->early = first && tsc_before(first, start);
	run->first_beacon_ns = beacon_since(dp, start, first);
	run->first_frame_ns = beacon_since(dp, start, __atomic_load_n(&nif->first_frame, __ATOMIC_ACQUIRE));
	run->first_arp_ns = beacon_since(dp, start, __atomic_load_n(&nif->first_arp, __ATOMIC_ACQUIRE));
	run->arp_ip = nif->first_arp_ip;
	if (svc) {
		run->syn_ns = beacon_since(dp, start, __atomic_load_n(&svc->first_synack, __ATOMIC_ACQUIRE));
		run->ready_ns = beacon_since(dp, start, __atomic_load_n(&svc->ready, __ATOMIC_ACQUIRE));
		run->svc = svc->c;
		run->svc_ip = svc->target;
	}
	nsrc = __atomic_load_n(&nif->n_neigh, __ATOMIC_ACQUIRE);
	for (i = 0; i < nsrc && run->n_peers < sizeof(run->peers) / sizeof(run->peers[0]); i++) {
		const struct neigh *n = &nif->neigh[i];

		if (!n->first_frame && !n->first_arp)
			continue; /* known from an earlier run, silent in this one */
		run->peers[run->n_peers].ip = n->ip;
		memcpy(run->peers[run->n_peers].mac, n->mac, PKT_ETH_ALEN);
		run->peers[run->n_peers].first_arp_ns = beacon_since(dp, start, n->first_arp);
		run->peers[run->n_peers].first_frame_ns = beacon_since(dp, start, n->first_frame);
		run->n_peers++;
	}
	if (first) {
		run->beacon_ip = nif->beacon.first_ip;
		nsrc = __atomic_load_n(&nif->beacon.n_src, __ATOMIC_ACQUIRE);
		for (i = 0; i < nsrc; i++)
			if (nif->beacon.src[i].ip == run->beacon_ip) {
				const struct beacon_src *bs = &nif->beacon.src[i];

				run->first_seq = bs->first_seq;
				run->study_format = bs->study_format;
				if (bs->has_tsc && host_tsc) {
					run->sent_ns = tsc_delta_ns_f(&dp->clk, start, bs->sender_tsc);
					run->stamp_error_ns = tsc_delta_ns_f(&dp->clk, bs->sender_tsc, bs->first);
					run->sender_cpu = bs->sender_cpu == BEACON_CPU_UNKNOWN ? -1 : bs->sender_cpu;
				}
			}
	}
}

/* Before a cold start: dirty pages written, then page cache, dentries and
 * inodes dropped, so the start reads the image from the disk. */
static int beacon_drop_caches(void)
{
	int fd, rc = 0;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "3\n", 2) != 2)
		rc = -errno;
	close(fd);
	return rc;
}

static int beacon_one(struct dp *dp, const struct beacon_args *a, struct svc_probe *svc,
		      unsigned run_idx, struct beacon_run *run)
{
	struct netif *nif = &dp->nif;
	struct beacon_arm arm = { nif, svc, !a->sender_tsc_unknown };
	tsc_t start, after_spawn, deadline, vmm_no;
	struct worker_sched ws0, ws1;
	uint64_t stalls;
	int have_ws;
	pid_t pid;
	int rc, status, up = 0, vmm_pending;

	memset(run, 0, sizeof(*run));
	run->first_frame_ns = run->first_arp_ns = run->first_beacon_ns = NAN;
	run->syn_ns = run->ready_ns = NAN;
	run->vmm_ns = run->vmm_after_ns = NAN;
	run->sent_ns = run->stamp_error_ns = NAN;
	run->sender_cpu = -1;
	if (a->cold && (rc = beacon_drop_caches()) != 0) {
		snprintf(run->err, sizeof(run->err), "--cold: cannot drop the page cache "
			 "(/proc/sys/vm/drop_caches): %s", strerror(-rc));
		return APP_ERR;
	}
	if (a->trigger &&
	    trigger_run_prepare(a->trigger, dp, a->argv, a->quiet || a->json, &run->mark, run->err, sizeof(run->err)))
		return APP_ERR;
	dp_call(dp, beacon_arm_fn, &arm);
	stalls = __atomic_load_n(&dp->w.stalls, __ATOMIC_RELAXED);
	have_ws = worker_sched_read(&dp->w, &ws0) == 0;

	if (a->daemon_alive && !a->daemon_alive(a->vmm_ctx, run->err, sizeof(run->err))) {
		if (svc)
			dp_call(dp, beacon_disarm_fn, nif);
		return APP_ERR;
	}
	if (a->trigger) { /* the listener spawns; the mark is START's TX + one-way */
		rc = trigger_run_fire(a->trigger, dp, &run->mark, &start, &pid, run->err, sizeof(run->err));
		after_spawn = start;
	} else {
		start = rte_rdtsc();
		rc = a->start ? a->start(a->start_ctx, &pid, run->err, sizeof(run->err))
			      : proc_start(a->argv, a->quiet || a->json, &pid);
		after_spawn = rte_rdtsc();
		if (rc && !a->start)
			snprintf(run->err, sizeof(run->err), "cannot start '%s': %s", a->argv[0], strerror(-rc));
	}
	if (rc) {
		if (svc)
			dp_call(dp, beacon_disarm_fn, nif);
		return APP_ERR;
	}
	run->spawn_ns = a->trigger ? NAN : tsc_to_ns_f(&dp->clk, after_spawn - start);
	if (a->start) {
		run->exited = 1; /* another box's process: its start op reports, its stop op ends it */
	} else {
		run->have_target_cpus = sched_getaffinity(pid, sizeof(run->target_cpus), &run->target_cpus) == 0;
		ledger_add_pid(pid); /* after the start mark: the ledger syncs to disk */
	}
	deadline = start + ns_to_tsc(&dp->clk, a->timeout);
	vmm_pending = a->vmm_up != NULL;
	vmm_no = start;
	while (!(up = beacon_up(nif, svc))) {
		if (vmm_pending) {
			tsc_t now = rte_rdtsc();

			if (a->vmm_up(a->vmm_ctx)) {
				run->vmm_ns = tsc_to_ns_f(&dp->clk, now - start);
				run->vmm_after_ns = tsc_to_ns_f(&dp->clk, vmm_no - start);
				vmm_pending = 0;
			} else {
				vmm_no = now;
			}
		}
		if (!run->exited && waitpid(pid, &status, WNOHANG) == pid) {
			run->exited = 1;
			run->status = status;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				break; /* a failed launcher will not send anything */
		}
		if (app_interrupted || !tsc_before(rte_rdtsc(), deadline))
			break;
		dp_sleep_ns(vmm_pending ? BEACON_VMM_POLL_NS :
			    svc && nif->beacon.first ? BEACON_POLL_NS / 5 : BEACON_POLL_NS);
	}
	if (svc)
		dp_call(dp, beacon_disarm_fn, nif);
	beacon_collect(dp, start, svc, !a->sender_tsc_unknown, run);
	if (a->trigger) /* after START left but before the mark: the one-way delay overstated, not an earlier instance */
		run->early = !isnan(run->first_beacon_ns) &&
			     tsc_before(__atomic_load_n(&nif->beacon.first, __ATOMIC_ACQUIRE), run->mark.start_tx);
	run->worker_stalls = __atomic_load_n(&dp->w.stalls, __ATOMIC_RELAXED) - stalls;
	run->stale_beacons = __atomic_load_n(&nif->beacon.stale, __ATOMIC_RELAXED);
	run->worker_descheduled_ns = have_ws && worker_sched_read(&dp->w, &ws1) == 0
					     ? (double)(ws1.run_delay_ns - ws0.run_delay_ns)
					     : NAN;
	if (up && a->on_up) /* the target runs even when its start command has returned */
		a->on_up(pid, run_idx, a->on_up_ctx);
	/* The figures come from port stamps, so stopping late costs nothing. */
	if (!run->exited)
		proc_stop(pid, 2000000000ull, &run->status);
	if (!a->start)
		ledger_done_pid(pid);
	if (a->after_run)
		a->after_run(pid, run_idx, a->on_up_ctx);

	if (run->early) {
		snprintf(run->err, sizeof(run->err),
			 "a beacon from %s arrived before the start mark: is an earlier instance still running?",
			 pkt_format_ip(nif->beacon.first_ip, (char[16]){ 0 }));
		return APP_ERR;
	}
	if (up)
		return APP_OK;
	if (app_interrupted) {
		snprintf(run->err, sizeof(run->err), "interrupted");
		return APP_ERR;
	}
	if (a->daemon_alive && !a->daemon_alive(a->vmm_ctx, run->err, sizeof(run->err)))
		return APP_ERR; /* the platform's daemon, not the target, is what failed */
	{
		char st[64], ip[16], seen[200];

		if (isnan(run->first_arp_ns))
			snprintf(seen, sizeof(seen), "no ARP and %s", isnan(run->first_frame_ns) ? "no frame at all" : "some frames");
		else
			snprintf(seen, sizeof(seen), "first ARP from %s at %.3f ms", pkt_format_ip(run->arp_ip, ip),
				 run->first_arp_ns / 1e6);
		if (svc && !isnan(run->first_beacon_ns))
			snprintf(seen, sizeof(seen),
				 "the beacon at %.3f ms, %" PRIu64 " SYNs to %s:%u, %" PRIu64 " refused, %s, %" PRIu64
				 " requests, %" PRIu64 " wrong answers or lost connections",
				 run->first_beacon_ns / 1e6, run->svc.syns, pkt_format_ip(run->svc_ip, ip),
				 svc->spec.port, run->svc.refused,
				 isnan(run->syn_ns) ? "no SYN-ACK" : "a SYN-ACK", run->svc.requests, run->svc.bad);
		if (run->exited && !(WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0)) {
			snprintf(run->err, sizeof(run->err), "the command %s before %s (%s)",
				 proc_status_str(run->status, st, sizeof(st)),
				 !svc || isnan(run->first_beacon_ns) ? "any beacon" : "the service answered", seen);
			return APP_ERR;
		}
		run->timed_out = 1;
		if (svc && !isnan(run->first_beacon_ns))
			snprintf(run->err, sizeof(run->err), "%s service not ready within %.1f s; saw %s",
				 svc_kind_name(svc->spec.kind), (double)a->timeout / 1e9, seen);
		else
			snprintf(run->err, sizeof(run->err),
				 "no UDP datagram to port %u within %.1f s; saw %s, %" PRIu64 " datagrams to other ports",
				 nif->beacon.udp_port, (double)a->timeout / 1e9, seen, nif->c.udp_other_port);
	}
	return APP_TIMEOUT;
}

static json_t *beacon_run_json(unsigned idx, const struct beacon_run *r, int svc, int vmm)
{
	char ip[16], aip[16], mac[18];
	json_t *peers = json_array(), *o;
	uint32_t i;

	for (i = 0; i < r->n_peers; i++)
		json_array_append_new(peers, json_pack("{s:s, s:s, s:o, s:o}", "ip",
						       pkt_format_ip(r->peers[i].ip, ip), "mac",
						       pkt_format_mac(r->peers[i].mac, mac), "first_arp_ns",
						       app_num_json(r->peers[i].first_arp_ns), "first_frame_ns",
						       app_num_json(r->peers[i].first_frame_ns)));
	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:s?, s:s?, s:b, s:s?}", "run", (json_int_t)idx,
			 "spawn_ns", app_num_json(r->spawn_ns), "first_frame_ns", app_num_json(r->first_frame_ns),
			 "first_arp_ns", app_num_json(r->first_arp_ns), "first_beacon_ns",
			 app_num_json(r->first_beacon_ns), "beacon_src",
			 isnan(r->first_beacon_ns) ? NULL : pkt_format_ip(r->beacon_ip, ip), "arp_src",
			 isnan(r->first_arp_ns) ? NULL : pkt_format_ip(r->arp_ip, aip), "study_format",
			 r->study_format, "error", r->err[0] ? r->err : NULL);
	json_object_set_new(o, "peers", peers);
	json_object_set_new(o, "first_seq", json_integer(r->first_seq));
	json_object_set_new(o, "worker_stalls", json_integer((json_int_t)r->worker_stalls));
	json_object_set_new(o, "worker_descheduled_ns", app_num_json(r->worker_descheduled_ns));
	json_object_set_new(o, "stale_beacons", json_integer((json_int_t)r->stale_beacons));
	json_object_set_new(o, "sent_ns", app_num_json(r->sent_ns));
	json_object_set_new(o, "stamp_error_ns", app_num_json(r->stamp_error_ns));
	json_object_set_new(o, "sender_cpu", r->sender_cpu < 0 ? json_null() : json_integer(r->sender_cpu));
	if (r->mark.echoes_sent) {
		json_object_set_new(o, "one_way_ns", app_num_json(r->mark.one_way_ns));
		json_object_set_new(o, "one_way_spread_ns", app_num_json(r->mark.one_way_spread_ns));
		json_object_set_new(o, "one_way_n", json_integer(r->mark.echoes_back));
		json_object_set_new(o, "echoes_sent", json_integer(r->mark.echoes_sent));
		json_object_set_new(o, "receive_to_spawn_ns", app_num_json(r->mark.rx_to_spawn_ns));
	}
	if (vmm) {
		json_object_set_new(o, "vmm_ns", app_num_json(r->vmm_ns));
		json_object_set_new(o, "vmm_after_ns", app_num_json(r->vmm_after_ns));
	}
	if (svc) {
		json_object_set_new(o, "syn_ns", app_num_json(r->syn_ns));
		json_object_set_new(o, "ready_ns", app_num_json(r->ready_ns));
		json_object_set_new(o, "service_probe",
				    json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I}", "ip",
					      r->svc_ip ? pkt_format_ip(r->svc_ip, ip) : NULL, "syns",
					      (json_int_t)r->svc.syns, "refused", (json_int_t)r->svc.refused,
					      "dropped", (json_int_t)r->svc.dropped, "requests",
					      (json_int_t)r->svc.requests, "bad", (json_int_t)r->svc.bad));
	}
	return o;
}

static void beacon_csv_line(FILE *f, unsigned idx, const struct beacon_run *r, const char *clock)
{
	if (isnan(r->spawn_ns))
		fprintf(f, "%u,,", idx);
	else
		fprintf(f, "%u,%.0f,", idx, r->spawn_ns);
	if (isnan(r->first_arp_ns))
		fputc(',', f);
	else
		fprintf(f, "%.0f,", r->first_arp_ns);
	if (isnan(r->first_beacon_ns))
		fputc(',', f);
	else
		fprintf(f, "%.0f,", r->first_beacon_ns);
	if (isnan(r->syn_ns))
		fputc(',', f);
	else
		fprintf(f, "%.0f,", r->syn_ns);
	if (isnan(r->ready_ns))
		fputc(',', f);
	else
		fprintf(f, "%.0f,", r->ready_ns);
	fprintf(f, "%s,\"%s\"\n", clock, r->err);
	fflush(f);
	fsync(fileno(f));
}

/* Stages in the order the target reaches them. */
enum { ST_ARP, ST_BEACON, ST_SYN, ST_READY, ST__COUNT };
static const char *const stage_json[ST__COUNT] = { "first_arp_ns", "first_beacon_ns", "syn_ns",
						   "ready_ns" };
static const char *const stage_text[ST__COUNT] = { "first ARP", "first beacon",
						   "service SYN-ACK", "service ready" };

/* A stage's time, NaN when not seen (stats_summarize skips it). */
static double beacon_stage(const struct beacon_run *r, int st)
{
	return st == ST_ARP ? r->first_arp_ns :
	       st == ST_BEACON ? r->first_beacon_ns :
	       st == ST_SYN ? r->syn_ns : r->ready_ns;
}

/* Why the run has no stamp error: the sender's TSC is not ours, or no
 * beacon carried one; NULL when every timed run has it. */
static const char *beacon_stamp_error_reason(const struct beacon_args *a, const struct beacon_run *runs,
					     unsigned done)
{
	unsigned i;

	if (a->sender_tsc_unknown)
		return a->sender_tsc_unknown;
	for (i = 0; i < done; i++)
		if (!isnan(runs[i].first_beacon_ns) && isnan(runs[i].stamp_error_ns))
			return "a beacon without the sender's TSC (the study's sender, or beacon --no-tsc)";
	return NULL;
}

/* The remote-trigger figures summarized over runs. */
enum { BT_OW, BT_SPREAD, BT_N, BT_R2S, BT__COUNT };

static void beacon_trigger_summaries(const struct beacon_run *runs, unsigned done, struct stats_summary *s)
{
	double *v = calloc(done ? done : 1, sizeof(double));

	for (int k = 0; k < BT__COUNT; k++) {
		for (unsigned i = 0; v && i < done; i++) {
			const struct trigger_run_mark *m = &runs[i].mark;

			v[i] = k == BT_OW ? m->one_way_ns : k == BT_SPREAD ? m->one_way_spread_ns :
			       k == BT_N ? (m->echoes_back ? m->echoes_back : NAN) : m->rx_to_spawn_ns;
		}
		stats_summarize(v, v ? done : 0, &s[k]);
	}
	free(v);
}

/* What the start mark is, for the output. */
static const char *beacon_mark_def(const struct beacon_args *a)
{
	return a->trigger ? "start mark = START's TX TSC (worker, just before rte_eth_tx_burst) + the run's "
			    "one-way delay; the listener's receive-to-spawn delay is inside the figure, "
			    "reported beside it"
			  : a->start ? "start mark = TSC before the start request to the server is written "
				       "(the agent spawns; its round trip is inside the figure)"
				     : "start mark = TSC before posix_spawn";
}

int beacon_measure(struct dp *dp, const struct beacon_args *a, json_t **json)
{
	struct beacon_run *runs = calloc(a->repeat, sizeof(*runs));
	double *vals = calloc(a->repeat, sizeof(double));
	struct stats_summary sum[ST__COUNT], vmm_sum, err_sum, trig_sum[BT__COUNT];
	const char *mark = a->trigger ? "remote-trigger" : a->start ? "remote-request" : "local-spawn";
	char label[96];
	const char *err_why;
	const char *clock = clock_source_name(dp->port.clock);
	char err[DP_ERR_LEN], ip[16];
	struct svc_probe *svc = NULL;
	int n_stages = a->service ? ST__COUNT : ST_SYN;
	FILE *csv = NULL;
	unsigned i, done = 0;
	int rc = APP_OK, st;

	if (!runs || !vals) {
		rc = APP_ERR;
		goto out;
	}
	if (a->service) {
		svc = malloc(sizeof(*svc));
		rc = svc ? svc_probe_init(svc, a->service, a->service_ip, dp->nif.np->ip, dp->nif.np->mac,
					  dp->port.mtu ? dp->port.mtu : 1500, &dp->clk, 1000000u,
					  &netif_tcp_tx, &dp->nif) : -ENOMEM;
		if (rc) {
			fprintf(stderr, "lvperf beacon: cannot set up the service probe: %s\n", strerror(-rc));
			free(svc);
			svc = NULL;
			rc = APP_ERR;
			goto out;
		}
	}
	if (a->csv) {
		csv = fopen(a->csv, "a");
		if (!csv) {
			fprintf(stderr, "lvperf beacon: cannot open %s: %s\n", a->csv, strerror(errno));
			rc = APP_ERR;
			goto out;
		}
		if (ftell(csv) == 0)
			fprintf(csv, "run,spawn_ns,first_arp_ns,first_beacon_ns,syn_ns,ready_ns,clock,error\n");
	}
	if (dp_start(dp, (struct netif *[]){ &dp->nif }, 1, err)) {
		fprintf(stderr, "lvperf beacon: %s\n", err);
		rc = APP_ERR;
		goto out;
	}
	for (i = 0; i < a->repeat && !app_interrupted; i++) {
		struct beacon_run *r = &runs[i];

		rc = beacon_one(dp, a, svc, i, r);
		done++;
		if (csv)
			beacon_csv_line(csv, i + 1, r, clock);
		if (rc != APP_OK) {
			fprintf(stderr, "lvperf beacon: run %u: %s\n", i + 1, r->err);
			break;
		}
		if (a->json && app_progress_wanted(a->quiet))
			fprintf(stderr, "\rlvperf beacon: run %u/%" PRIu64 ": %.3f ms ", i + 1, a->repeat,
				r->first_beacon_ns / 1e6);
		if (!a->json) {
			char arp[48] = "none (we were in its ARP cache)";

			if (!isnan(r->first_arp_ns))
				snprintf(arp, sizeof(arp), "%.3f ms", r->first_arp_ns / 1e6);
			printf("run %u: first beacon %.3f ms from %s, first ARP %s", i + 1,
			       r->first_beacon_ns / 1e6, pkt_format_ip(r->beacon_ip, ip), arp);
			if (a->trigger)
				printf(", one-way %.1f +- %.1f us (%u echoes), listener receive-to-spawn %.3f ms",
				       r->mark.one_way_ns / 1e3, r->mark.one_way_spread_ns / 1e3, r->mark.echoes_back,
				       r->mark.rx_to_spawn_ns / 1e6);
			else
				printf(", spawn %.3f ms", r->spawn_ns / 1e6);
			if (a->vmm_up)
				printf(", VMM up %.3f ms", r->vmm_ns / 1e6);
			if (!isnan(r->stamp_error_ns))
				printf(", stamp error %.1f us", r->stamp_error_ns / 1e3);
			if (svc)
				printf(", %s SYN-ACK %.3f ms, ready %.3f ms (%" PRIu64 " SYNs)",
				       svc_kind_name(svc->spec.kind), r->syn_ns / 1e6, r->ready_ns / 1e6,
				       r->svc.syns);
			printf("\n");
		}
		if (i + 1 < a->repeat)
			dp_sleep_ns(a->gap);
	}
	dp_stop(dp);
	if (a->trigger)
		beacon_trigger_summaries(runs, done, trig_sum);
	for (st = 0; st < n_stages; st++) {
		for (i = 0; i < done; i++)
			vals[i] = beacon_stage(&runs[i], st);
		stats_summarize(vals, done, &sum[st]);
	}
	for (i = 0; i < done; i++)
		vals[i] = runs[i].stamp_error_ns;
	stats_summarize(vals, done, &err_sum);
	err_why = beacon_stamp_error_reason(a, runs, done);
	if (a->vmm_up) {
		for (i = 0; i < done; i++)
			vals[i] = runs[i].vmm_ns;
		stats_summarize(vals, done, &vmm_sum);
	}
	if (a->json) {
		json_t *arr = json_array(), *summary = json_object();

		for (i = 0; i < done; i++)
			json_array_append_new(arr, beacon_run_json(i + 1, &runs[i], svc != NULL, a->vmm_up != NULL));
		for (st = n_stages - 1; st >= 0; st--)
			json_object_set_new(summary, stage_json[st], app_summary_json(&sum[st]));
		*json = json_pack("{s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o}", "command", "beacon",
				  "port", dp->port.label, "clock", clock, "tsc",
				  app_clock_json(&dp->clk, dp->port.clock), "udp_port",
				  (json_int_t)dp->nif.beacon.udp_port, "floor_ns", json_null(), "runs", arr,
				  "summary", summary);
		json_object_set_new(*json, "cache", json_string(a->cold ? "cold" : "warm"));
		json_object_set_new(*json, "start_mark", json_string(mark));
		json_object_set_new(*json, "start_mark_def", json_string(beacon_mark_def(a)));
		if (a->trigger)
			json_object_set_new(*json, "one_way",
					    json_pack("{s:o, s:o, s:o, s:o, s:s}", "ns", app_summary_json(&trig_sum[BT_OW]),
						      "spread_ns", app_summary_json(&trig_sum[BT_SPREAD]), "n",
						      app_summary_json(&trig_sum[BT_N]), "receive_to_spawn_ns",
						      app_summary_json(&trig_sum[BT_R2S]), "method",
						      "per run: n UDP echoes to the listener before the run; one-way = "
						      "median(RTT)/2 (TSC just before TX burst to port RX stamp), "
						      "uncertainty = semi-interquartile range of RTT/2; summarized over runs"));
		/* Missing for some runs: summarize those that have it, and say why. */
		json_object_set_new(summary, "stamp_error_ns",
				    err_sum.n ? app_summary_json(&err_sum) : json_null());
		json_object_set(*json, "stamp_error_ns", json_object_get(summary, "stamp_error_ns"));
		json_object_set_new(*json, "stamp_error_reason", err_why ? json_string(err_why) : json_null());
		json_object_set_new(*json, "stamp_error",
				    json_string("port stamp of the first beacon - the TSC its sender read just "
						"before sendto(), in ns with the measured TSC rate; the "
						"appliance's own timing error for that event"));
		app_result_cpus_stalls(*json, dp, done && runs[0].have_target_cpus ? &runs[0].target_cpus : NULL);
		for (i = 0; a->trigger && i < done; i++)
			if (runs[i].first_beacon_ns < 0) { /* the echoes' RTT/2 was longer than the start */
				if (!json_object_get(*json, "flags"))
					json_object_set_new(*json, "flags", json_array());
				json_array_append_new(json_object_get(*json, "flags"), json_string("one_way_exceeds_startup"));
				break;
			}
		if (svc)
			json_object_set_new(*json, "service",
					    json_pack("{s:s, s:I, s:s?, s:s}", "protocol",
						      svc_kind_name(svc->spec.kind), "port",
						      (json_int_t)svc->spec.port, "path",
						      svc->spec.kind == SVC_HTTP ? svc->spec.path : NULL,
						      "stages",
						      "syn: first SYN-ACK on the service port; ready: first correct answer (HTTP 2xx, redis +PONG); SYNs every 1 ms from the first beacon"));
		if (a->vmm_up) {
			json_object_set_new(summary, "vmm_ns", app_summary_json(&vmm_sum));
			json_object_set_new(*json, "vmm_stage",
					    json_string("vmm: the VMM had opened the guest's serial console file "
							"(QEMU: machine and accelerator created, before the guest "
							"runs); host-side, polled every 0.25 ms, so between "
							"vmm_after_ns and vmm_ns"));
		}
		json_object_set_new(*json, "counters", app_counters_json(&dp->nif));
		json_object_set_new(*json, "port_stats", app_port_stats_json(dp->port.id));
		json_object_set_new(*json, "rx_stamp", app_rx_stamp_json(&dp->nif));
	} else {
		for (st = n_stages - 1; st >= 0; st--) {
			snprintf(label, sizeof(label), "%s (start: %s)", stage_text[st], mark);
			app_summary_print(stdout, label, &sum[st], "ns after the start mark");
		}
		if (a->trigger) {
			app_summary_print(stdout, "one-way delay (median RTT/2 per run)", &trig_sum[BT_OW], "ns");
			app_summary_print(stdout, "one-way uncertainty (semi-IQR per run)", &trig_sum[BT_SPREAD], "ns");
			app_summary_print(stdout, "one-way echoes answered per run", &trig_sum[BT_N], "echoes");
			app_summary_print(stdout, "listener receive-to-spawn (not subtracted)", &trig_sum[BT_R2S], "ns");
		}
		if (a->vmm_up)
			app_summary_print(stdout, "VMM devices set up (polled, 0.25 ms)", &vmm_sum,
					  "ns after the start mark");
		if (err_sum.n)
			app_summary_print(stdout, "stamp error (port stamp - sender's TSC)", &err_sum, "ns");
		if (err_why)
			printf("stamp error: not measured for %s: %s\n", err_sum.n ? "some runs" : "any run", err_why);
		app_stalls_print(stdout, dp);
		printf("clock: %s; start: %s (%s); no floor subtracted\n", clock, mark, beacon_mark_def(a));
	}
out:
	if (csv)
		fclose(csv);
	if (svc) {
		svc_probe_free(svc);
		free(svc);
	}
	free(runs);
	free(vals);
	return rc;
}

static int beacon_measure_any(struct dp *dp, const void *arg, json_t **json)
{
	return beacon_measure(dp, arg, json);
}

int cmd_beacon(int argc, char **argv)
{
	const char *synopsis = "--port SPEC --ip A.B.C.D/LEN [options] -- COMMAND [ARGS...]";
	struct beacon_cfg cfg;
	struct dp_config dcfg;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("beacon", synopsis, beacon_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest >= argc) {
		fprintf(stderr, "lvperf beacon: no command given (put it after --)\n");
		return APP_USAGE;
	}
	if (app_dp_config("beacon", &cfg.dp, 0, &dcfg))
		return APP_USAGE;
	dcfg.udp_port = (uint16_t)cfg.udp_port;
	if (cfg.service) {
		char err[200];

		if (svc_spec_parse(cfg.service, &cfg.spec, err, sizeof(err))) {
			fprintf(stderr, "lvperf beacon: %s\n", err);
			return APP_USAGE;
		}
		cfg.a.service = &cfg.spec;
	}
	if (strcmp(cfg.sender_tsc, "host") == 0) {
		cfg.a.sender_tsc_unknown = NULL;
	} else if (strcmp(cfg.sender_tsc, "guest") == 0) {
		cfg.a.sender_tsc_unknown = "--sender-tsc guest: the guest's TSC relation to the host's is unknown";
	} else {
		fprintf(stderr, "lvperf beacon: --sender-tsc expects host or guest, not '%s'\n", cfg.sender_tsc);
		return APP_USAGE;
	}
	cfg.a.json = cfg.dp.json;
	cfg.a.quiet = cfg.dp.quiet;
	cfg.a.argv = argv + rest;
	return app_dp_run("beacon", &dcfg, beacon_measure_any, &cfg.a);
}
