/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dp.h"
#include "telemetry.h"

#define DP_EAL_ARGS_MAX 64
#define DP_MIN_HUGE_MB 64

void dp_sleep_ns(nsec_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Free 2 MiB (or default size) hugepage memory in MiB, from /proc/meminfo. */
static long dp_free_huge_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long free_pages = 0, size_kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %ld", &free_pages);
		sscanf(line, "Hugepagesize: %ld kB", &size_kb);
	}
	fclose(f);
	return free_pages * size_kb / 1024;
}

/* libbpf and libxdp (under the af_xdp PMD) narrate at INFO level; keep
 * their warnings only. */
static int dp_bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int dp_xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return level == LIBXDP_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void dp_info(const struct dp *dp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dp_info(const struct dp *dp, const char *fmt, ...)
{
	va_list ap;

	if (dp->quiet)
		return;
	va_start(ap, fmt);
	fputs("lvperf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int dp_open(struct dp *dp, const struct dp_config *cfg, char *err)
{
	static char storage[DP_EAL_ARGS_MAX][PORT_EAL_ARG_LEN];
	char *argv[DP_EAL_ARGS_MAX + 1];
	char extra[1024];
	struct port_spec ps;
	int argc = 0, rc, dev_numa = -1, inv;
	mode_t old_mask;
	char *tok, *save = NULL;

#define EAL_ARG(...) snprintf(argv[argc] = storage[argc], sizeof(storage[0]), __VA_ARGS__), argc++

	memset(dp, 0, sizeof(*dp));
	dp->quiet = cfg->quiet;
	dp->n_workers = cfg->workers ? cfg->workers : 1;
	if (dp->n_workers > DP_WORKERS_MAX) {
		snprintf(err, DP_ERR_LEN, "--workers %u: at most %d", dp->n_workers, DP_WORKERS_MAX);
		return -EINVAL;
	}
	if (cfg->xdp_prog)
		snprintf(dp->xdp_prog, sizeof(dp->xdp_prog), "%s", cfg->xdp_prog);
	dp->max_stall_ns = cfg->max_stall_ns ? cfg->max_stall_ns : DP_MAX_STALL_NS;
	inv = cfg->tsc_invariant();
	if (inv != 1) {
		snprintf(err, DP_ERR_LEN,
			 "the TSC of this CPU is not invariant (CPUID 0x80000007 EDX[8] %s): "
			 "timestamps would drift with frequency changes; lvperf refuses to measure",
			 inv == 0 ? "is 0" : "is missing");
		return -ENOTSUP;
	}
	if (cfg->port) {
		rc = port_spec_parse(cfg->port, &ps, err, DP_ERR_LEN);
		if (rc)
			return rc;
		/* With --workers > 1 each queue's netif keeps its own copy of
		 * the hook clock (netif_init), so every queue stamps at the
		 * hook; the program redirects by RX queue (xsks_map). */
		if (ps.kind == PORT_AF_XDP && cfg->xdp_prog &&
		    port_spec_set_xdp_prog(&ps, cfg->xdp_prog)) {
			snprintf(err, DP_ERR_LEN,
				 "XDP program path %s cannot be passed to the af_xdp PMD "
				 "(no commas, '=' or spaces, under %d bytes)",
				 cfg->xdp_prog, PORT_ARG_MAX);
			return -EINVAL;
		}
		if (dp->n_workers > 1 && ps.kind != PORT_AF_PACKET && ps.kind != PORT_AF_XDP) {
			snprintf(err, DP_ERR_LEN,
				 "--workers %u: only af_packet and af_xdp ports are set up with one queue "
				 "pair per worker; %s is not",
				 dp->n_workers, port_kind_name(ps.kind));
			return -ENOTSUP;
		}
		if (dp->n_workers > 1 && ps.kind == PORT_AF_XDP) {
			int ch = port_iface_combined_channels(ps.arg);

			if (ch >= 0 && ch < (int)dp->n_workers) {
				snprintf(err, DP_ERR_LEN,
					 "--workers %u with af_xdp:%.15s: the interface has %d combined channel(s) "
					 "(ethtool -l; a veth reports none, counted as 1) and DPDK 22.11's af_xdp "
					 "opens one queue per channel (it refuses with \"Specified queue count %u is "
					 "larger than combined queue count %d\"); use af_packet:%.15s, which fans one "
					 "interface out to several queues",
					 dp->n_workers, ps.arg, ch, dp->n_workers, ch, ps.arg);
				return -ENOTSUP;
			}
		}
		ps.queues = (uint16_t)dp->n_workers;
		if (ps.kind == PORT_PCI)
			dev_numa = cores_device_numa(ps.arg, 1);
		else if (ps.kind == PORT_AF_XDP || ps.kind == PORT_AF_PACKET)
			dev_numa = cores_device_numa(ps.arg, 0);
	}
	if (dp->n_workers > 1 && !cfg->port) {
		snprintf(err, DP_ERR_LEN, "--workers %u needs a --port", dp->n_workers);
		return -EINVAL;
	}
	rc = cores_pick(cfg->cores, dev_numa, &dp->cores, err, DP_ERR_LEN);
	if (rc == 0)
		rc = cores_workers(&dp->cores, dp->n_workers, err, DP_ERR_LEN);
	if (rc)
		return rc;

	snprintf(dp->file_prefix, sizeof(dp->file_prefix), "lvp-%d", (int)getpid());
	EAL_ARG("lvperf");
	if (dp->n_workers == 1) {
		EAL_ARG("-l");
		EAL_ARG("%u,%u", dp->cores.main_cpu, dp->cores.worker_cpu);
		EAL_ARG("--main-lcore");
		EAL_ARG("%u", dp->cores.main_cpu);
		dp->worker_lcore[0] = dp->cores.worker_cpu;
	} else {
		/* lcore 0 is control, lcore k + 1 worker k; two may share a CPU. */
		char map[PORT_EAL_ARG_LEN];
		size_t off = (size_t)snprintf(map, sizeof(map), "0@%u", dp->cores.main_cpu);

		for (unsigned int k = 0; k < dp->n_workers; k++) {
			off += (size_t)snprintf(map + off, sizeof(map) - off, ",%u@%u", k + 1,
						dp->cores.worker_cpus[k]);
			dp->worker_lcore[k] = k + 1;
		}
		EAL_ARG("--lcores");
		EAL_ARG("%s", map);
		EAL_ARG("--main-lcore");
		EAL_ARG("0");
	}
	EAL_ARG("--file-prefix");
	EAL_ARG("%s", dp->file_prefix);
	EAL_ARG("--in-memory");
	EAL_ARG("--log-level");
	EAL_ARG("*:warning");
	if (!cfg->port || ps.kind != PORT_PCI)
		EAL_ARG("--no-pci");
	if (dp_free_huge_mb() < DP_MIN_HUGE_MB) {
		dp->no_huge = 1;
		EAL_ARG("--no-huge");
		EAL_ARG("-m");
		EAL_ARG("256");
	}
	if (cfg->port) {
		int n = port_eal_device(&ps, storage[argc], storage[argc + 1]);

		for (int i = 0; i < n; i++)
			argv[argc] = storage[argc], argc++;
	}
	if (cfg->eal) {
		snprintf(extra, sizeof(extra), "%s", cfg->eal);
		for (tok = strtok_r(extra, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (argc == DP_EAL_ARGS_MAX) {
				snprintf(err, DP_ERR_LEN, "--eal: too many options (at most %d in all)",
					 DP_EAL_ARGS_MAX);
				return -E2BIG;
			}
			EAL_ARG("%s", tok);
		}
	}
	argv[argc] = NULL;
#undef EAL_ARG
	if (dp->no_huge)
		dp_info(dp, "fewer than %d MiB of free hugepages: running EAL with --no-huge "
			    "(reserve some: echo 256 > /proc/sys/vm/nr_hugepages)", DP_MIN_HUGE_MB);
	/* Without bpffs (none here) libxdp tries its dispatcher, warns and falls
	 * back to loading the PMD's program alone: go there directly. */
	setenv("LIBXDP_SKIP_DISPATCHER", "1", 0);
	libbpf_set_print(dp_bpf_print);
	libxdp_set_print(dp_xdp_print);
	/* Whatever EAL creates (the runtime dir, the telemetry socket) is
	 * the owner's alone from the start; telemetry_register then makes
	 * the socket 0600. */
	old_mask = umask(077);
	rc = rte_eal_init(argc, argv);
	umask(old_mask);
	if (rc < 0) {
		snprintf(err, DP_ERR_LEN, "DPDK EAL init failed: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	rc = cfg->tsc_calibrate(&dp->clk, 200);
	if (rc) {
		snprintf(err, DP_ERR_LEN, "TSC calibration failed: %s", strerror(-rc));
		rte_eal_cleanup();
		return rc;
	}
	dp->clk.dpdk_hz = (double)rte_get_tsc_hz();
	rc = telemetry_register();
	if (rc == 0)
		dp_info(dp, "telemetry: %s/%s (/lvperf/stats, /lvperf/connections, /lvperf/histogram)",
			rte_eal_get_runtime_dir(), TELEMETRY_SOCKET);
	else if (rc != -ENOTSUP)
		dp_info(dp, "telemetry: cannot register lvperf's commands or secure the socket: %s",
			strerror(-rc));
	dp_info(dp, "TSC %.4f MHz measured against CLOCK_MONOTONIC_RAW (DPDK assumes %.4f MHz, %+.0f ppm)",
		dp->clk.hz / 1e6, dp->clk.dpdk_hz / 1e6, (dp->clk.dpdk_hz / dp->clk.hz - 1) * 1e6);
	dp_info(dp, "control on CPU %u, dataplane worker on CPU %u (NUMA node %d: %s)",
		dp->cores.main_cpu, dp->cores.worker_cpu, dp->cores.worker_numa, dp->cores.why);
	for (unsigned int k = 1; k < dp->n_workers; k++)
		dp_info(dp, "dataplane worker %u on CPU %u%s", k, dp->cores.worker_cpus[k],
			cores_workers_share(&dp->cores) ? " (workers share CPUs: they yield when idle)" : "");

	dp->w.cmds = rte_ring_create("lvp_cmds", 64, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	dp->pool = rte_pktmbuf_pool_create("lvp_pool", DP_POOL_MBUFS, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	for (unsigned int k = 1; k < dp->n_workers; k++) {
		char rname[32];

		snprintf(rname, sizeof(rname), "lvp_cmds%u", k);
		dp->xw[k - 1].cmds = rte_ring_create(rname, 64, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!dp->xw[k - 1].cmds) {
			snprintf(err, DP_ERR_LEN, "cannot create worker %u's command ring", k);
			dp_close(dp);
			return -ENOMEM;
		}
	}
	if (!dp->pool || !dp->w.cmds) {
		snprintf(err, DP_ERR_LEN, "cannot allocate the mbuf pool (%d mbufs): %s", DP_POOL_MBUFS,
			 rte_strerror(rte_errno));
		dp_close(dp);
		return -ENOMEM;
	}
	if (cfg->port) {
		rc = port_open(&ps, dp->pool, &dp->port, err, DP_ERR_LEN);
		if (rc) {
			dp_close(dp);
			return rc;
		}
		dp->have_port = 1;
		rc = port_clock_start(&dp->port, dp->clk.hz, DP_XDP_ANCHOR_NS);
		if (rc) {
			snprintf(err, DP_ERR_LEN, "cannot read CLOCK_MONOTONIC for the XDP hook clock: %s",
				 strerror(-rc));
			dp_close(dp);
			return rc;
		}
		netif_port_init(&dp->nif_port, &dp->port, dp->pool, cfg->ip, cfg->prefix_len);
		netif_init(&dp->nif, &dp->nif_port, 0, cfg->udp_port);
		for (unsigned int k = 1; k < dp->n_workers; k++)
			netif_init(&dp->xnif[k - 1], &dp->nif_port, (uint16_t)k, 0);
		{
			char mac[18];

			dp_info(dp, "port %s (ethdev %s): MAC %s, RX stamped by %s", dp->port.label, dp->port.name,
				pkt_format_mac(dp->port.mac, mac), clock_source_name(dp->port.clock));
			if (dp->port.clock == CLOCK_SRC_NIC_HW)
				dp_info(dp, "NIC clock: %.9f TSC ticks per NIC tick, fit over %u bracketed points: "
					    "residual rms %.1f ns, max %.1f ns, widest bracket +/-%.1f ns",
					dp->port.nic_clock.tsc_per_tick, dp->port.nic_clock.n,
					dp->port.nic_clock.residual_rms * dp->clk.ns_per_tick,
					dp->port.nic_clock.residual_max * dp->clk.ns_per_tick,
					(double)dp->port.nic_clock.half_width_max * dp->clk.ns_per_tick);
		}
	}
	return 0;
}

int dp_ring_open(struct dp *dp, char *err)
{
	int rc;

	if (dp->have_ring)
		return 0;
	rc = port_open_ring_pair("floor", dp->pool, &dp->ring_a, &dp->ring_b, err, DP_ERR_LEN);
	if (rc)
		return rc;
	dp->have_ring = 1;
	netif_port_init(&dp->ring_np_a, &dp->ring_a, dp->pool, 0x0affff01, 24);
	netif_port_init(&dp->ring_np_b, &dp->ring_b, dp->pool, 0x0affff02, 24);
	netif_init(&dp->ring_nif_a, &dp->ring_np_a, 0, 0);
	netif_init(&dp->ring_nif_b, &dp->ring_np_b, 0, 0);
	return 0;
}

struct netif_port *dp_netif_port(struct dp *dp, const struct netif *nif)
{
	if (nif->np == &dp->nif_port)
		return &dp->nif_port;
	if (nif->np == &dp->ring_np_a)
		return &dp->ring_np_a;
	if (nif->np == &dp->ring_np_b)
		return &dp->ring_np_b;
	return NULL;
}

struct worker *dp_worker(struct dp *dp, unsigned int k)
{
	return k == 0 ? &dp->w : &dp->xw[k - 1];
}

struct netif *dp_worker_nif(struct dp *dp, unsigned int k)
{
	return k == 0 ? &dp->nif : &dp->xnif[k - 1];
}

static void dp_worker_reset(struct dp *dp, struct worker *w)
{
	w->stop = 0;
	w->busy = 0;
	w->loops = 0;
	w->max_gap = 0;
	w->stalls = 0;
	w->yields = 0;
	w->stall_limit = ns_to_tsc(&dp->clk, dp->max_stall_ns);
	w->yield_idle = dp->n_workers > 1 && cores_workers_share(&dp->cores);
}

int dp_start(struct dp *dp, struct netif *const *nifs, uint16_t n, char *err)
{
	uint16_t i;
	unsigned int k;
	int rc;

	if (dp->running || n == 0 || n > WORKER_NIF_MAX) {
		snprintf(err, DP_ERR_LEN, "internal: worker already running or bad netif count %u", n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		dp->w.nifs[i] = nifs[i];
	dp->w.n_nifs = n;
	for (k = 0; k < dp->n_workers; k++) {
		struct worker *w = dp_worker(dp, k);

		if (k) {
			w->nifs[0] = &dp->xnif[k - 1];
			w->n_nifs = 1;
		}
		dp_worker_reset(dp, w);
	}
	for (k = 0; k < dp->n_workers; k++) {
		rc = rte_eal_remote_launch(worker_main, dp_worker(dp, k), dp->worker_lcore[k]);
		if (rc) {
			snprintf(err, DP_ERR_LEN, "cannot launch worker %u on CPU %u: %s", k,
				 dp->cores.worker_cpus[k], strerror(-rc));
			while (k--) {
				__atomic_store_n(&dp_worker(dp, k)->stop, 1, __ATOMIC_RELEASE);
				rte_eal_wait_lcore(dp->worker_lcore[k]);
			}
			return rc;
		}
	}
	dp->running = 1;
	for (k = 0; k < dp->n_workers; k++) {
		struct worker *w = dp_worker(dp, k);

		for (int t = 0; t < 1000 && !__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE); t++)
			dp_sleep_ns(10000); /* the worker is starting */
		dp->have_sched0[k] = worker_sched_read(w, &dp->sched0[k]) == 0;
	}
	return 0;
}

void dp_stop(struct dp *dp)
{
	unsigned int k;

	if (!dp->running)
		return;
	for (k = 0; k < dp->n_workers; k++)
		__atomic_store_n(&dp_worker(dp, k)->stop, 1, __ATOMIC_RELEASE);
	for (k = 0; k < dp->n_workers; k++)
		rte_eal_wait_lcore(dp->worker_lcore[k]);
	dp->running = 0;
}

int dp_call_on(struct dp *dp, unsigned int k, void (*fn)(void *), void *arg)
{
	struct worker *w = dp_worker(dp, k);
	struct worker_cmd cmd = { fn, arg };
	uint64_t done = __atomic_load_n(&w->cmds_done, __ATOMIC_ACQUIRE);

	if (!dp->running) {
		fn(arg); /* nobody else touches the netifs */
		return 0;
	}
	if (rte_ring_sp_enqueue(w->cmds, &cmd) != 0)
		return -ENOBUFS;
	while (__atomic_load_n(&w->cmds_done, __ATOMIC_ACQUIRE) == done)
		dp_sleep_ns(20000);
	return 0;
}

int dp_call(struct dp *dp, void (*fn)(void *), void *arg)
{
	return dp_call_on(dp, 0, fn, arg);
}

void dp_close(struct dp *dp)
{
	dp_stop(dp);
	if (dp->have_port)
		port_close(&dp->port);
	if (dp->have_ring) {
		port_close(&dp->ring_a);
		port_close(&dp->ring_b);
	}
	dp->have_port = dp->have_ring = 0;
	for (unsigned int k = 1; k < dp->n_workers; k++) {
		rte_ring_free(dp->xw[k - 1].cmds);
		dp->xw[k - 1].cmds = NULL;
	}
	rte_eal_cleanup();
	/* --in-memory leaves only this runtime directory and the telemetry
	 * socket (DPDK unlinks it at exit, after this) behind. */
	if (dp->file_prefix[0]) {
		char dir[96], sock[128];

		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", dp->file_prefix);
		snprintf(sock, sizeof(sock), "%s/%s", dir, TELEMETRY_SOCKET);
		unlink(sock);
		rmdir(dir);
	}
}

struct dp_ping_attach {
	struct netif *nif;
	struct ping_prober *p;
};

static void dp_ping_attach_fn(void *arg)
{
	struct dp_ping_attach *a = arg;

	ping_attach(a->nif, a->p);
}

static void dp_ping_detach_fn(void *arg)
{
	ping_detach(arg);
}

int dp_ping(struct dp *dp, struct netif *nif, uint32_t target, uint32_t count, nsec_t interval,
	    uint16_t payload_len, nsec_t resolve_timeout, nsec_t linger,
	    int (*watch)(uint32_t sent, uint32_t received, void *ctx), void *ctx,
	    struct dp_ping_result *res)
{
	static uint16_t next_id;
	struct ping_prober *p = calloc(1, sizeof(*p));
	struct dp_ping_attach att = { nif, p };
	tsc_t t0, deadline, all_sent;
	uint32_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!p)
		return -ENOMEM;
	next_id = next_id ? next_id + 1 : (uint16_t)(getpid() & 0xffff);
	rc = ping_prober_init(p, target, next_id, count, ns_to_tsc(&dp->clk, interval), payload_len,
			      ns_to_tsc(&dp->clk, 100 * 1000 * 1000));
	if (rc) {
		free(p);
		return rc;
	}
	t0 = rte_rdtsc();
	dp_call(dp, dp_ping_attach_fn, &att);
	deadline = t0 + ns_to_tsc(&dp->clk, resolve_timeout);
	while (!__atomic_load_n(&p->resolved, __ATOMIC_ACQUIRE) && tsc_before(rte_rdtsc(), deadline)) {
		if (watch && watch(0, 0, ctx)) {
			rc = -ECANCELED;
			goto out;
		}
		dp_sleep_ns(100000);
	}
	if (!__atomic_load_n(&p->resolved, __ATOMIC_ACQUIRE)) {
		rc = -EHOSTUNREACH;
		goto out;
	}
	res->resolve_ns = tsc_to_ns(&dp->clk, rte_rdtsc() - t0);
	all_sent = 0;
	for (;;) {
		uint32_t sent = __atomic_load_n(&p->sent, __ATOMIC_ACQUIRE);
		uint32_t recv = __atomic_load_n(&p->received, __ATOMIC_ACQUIRE);
		tsc_t now = rte_rdtsc();

		if (recv == count)
			break;
		if (sent == count && !all_sent)
			all_sent = now;
		if (all_sent && tsc_since(all_sent, now) > ns_to_tsc(&dp->clk, linger))
			break;
		if (watch && watch(sent, recv, ctx)) {
			rc = -ECANCELED;
			break;
		}
		dp_sleep_ns(1000000);
	}
out:
	dp_call(dp, dp_ping_detach_fn, nif);
	res->sent = p->sent;
	res->received = p->received;
	res->duplicates = p->duplicates;
	res->corrupt = p->corrupt;
	res->late_sends = p->late_sends;
	if (rc == 0 || rc == -ECANCELED) { /* a cancelled run keeps what it got */
		res->rtt_ns = malloc(count * sizeof(double));
		res->tx_tsc = p->tx_tsc;
		p->tx_tsc = NULL;
		if (!res->rtt_ns)
			rc = -ENOMEM;
		for (i = 0; res->rtt_ns && i < count; i++)
			res->rtt_ns[i] = p->rx_tsc[i] && res->tx_tsc[i]
						 ? tsc_delta_ns_f(&dp->clk, res->tx_tsc[i], p->rx_tsc[i])
						 : NAN;
	}
	ping_prober_free(p);
	free(p);
	return rc;
}

void dp_ping_result_free(struct dp_ping_result *res)
{
	free(res->rtt_ns);
	free(res->tx_tsc);
	res->rtt_ns = NULL;
	res->tx_tsc = NULL;
}

struct dp_arp_req {
	struct netif *nif;
	uint32_t ip;
};

static void dp_arp_request_fn(void *arg)
{
	struct dp_arp_req *r = arg;

	arp_request(r->nif, r->ip);
}

int dp_resolve(struct dp *dp, struct netif *nif, uint32_t ip, nsec_t timeout,
	       uint8_t mac[PKT_ETH_ALEN])
{
	struct dp_arp_req req = { nif, ip };
	tsc_t end = rte_rdtsc() + ns_to_tsc(&dp->clk, timeout), next = 0;

	while (tsc_before(rte_rdtsc(), end)) {
		/* With --workers N the reply may come in on any worker's queue. */
		unsigned int nq = nif == &dp->nif ? dp->n_workers : 1;

		for (unsigned int k = 0; k < nq; k++) {
			const struct neigh *n = arp_neigh_find(k ? &dp->xnif[k - 1] : nif, ip);

			if (n && __atomic_load_n(&n->valid, __ATOMIC_ACQUIRE)) {
				memcpy(mac, n->mac, PKT_ETH_ALEN);
				return 0;
			}
		}
		if (!tsc_before(rte_rdtsc(), next)) {
			dp_call(dp, dp_arp_request_fn, &req);
			next = rte_rdtsc() + ns_to_tsc(&dp->clk, 100000000u);
		}
		dp_sleep_ns(1000000);
	}
	return -EHOSTUNREACH;
}
