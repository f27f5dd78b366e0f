/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf boot: start a platform's workload N times through its driver and
 * time, at the port, the first ARP and the first beacon of each start;
 * also the image size and the memory of the running target.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "driver.h"
#include "proc.h"
#include "app.h"
#include "commands.h"
#include "target.h"
#include "server.h"
#include "trigger_run.h"

struct boot_cfg {
	const char *platform;
	const char *workload;
	const char *base;
	const char *kind;
	const char *cores;
	const char *eal;
	uint64_t repeat;
	uint64_t timeout;
	uint64_t gap;
	const char *csv;
	const char *opts;
	const char *image;
	const char *net;
	int cold;
	const char *rx_stamp;
	int json;
	int quiet;
	uint64_t max_stall;
	struct app_server_opts srv;
	const char *port; /* with --server: the dataplane port cabled to the server */
	const char *start;
	uint64_t echoes;
};

static const struct opt_def boot_opts[] = {
	{ "platform", OPT_STR, offsetof(struct boot_cfg, platform), 0, 0, NULL, "NAME",
	  "platform to boot (see lvperf platforms)" },
	{ "workload", OPT_STR, offsetof(struct boot_cfg, workload), 0, 0, "beacon", "W",
	  "beacon, nginx or redis" },
	{ "base", OPT_STR, offsetof(struct boot_cfg, base), 0, 0, "host", "host|debian",
	  "image: host binaries and libraries, or Debian minbase (lvperf image build)" },
	{ "kind", OPT_STR, offsetof(struct boot_cfg, kind), 0, 0, "af_xdp", "af_xdp|af_packet",
	  "port kind driving the target's veth" },
	{ "repeat", OPT_U64, offsetof(struct boot_cfg, repeat), 1, 100000, "30", "N", "starts" },
	{ "timeout", OPT_DURATION, offsetof(struct boot_cfg, timeout), 1000000, 3600000000000ull, "60s",
	  "DUR", "per start: give up without a beacon after this" },
	{ "gap", OPT_DURATION, offsetof(struct boot_cfg, gap), 0, 600000000000ull, "100ms", "DUR",
	  "pause between starts" },
	{ "opts", OPT_STR, offsetof(struct boot_cfg, opts), 0, 0, NULL, "K=V,...",
	  "driver options (qemu: machine=microvm|q35|pc, accel=auto|kvm|tcg, net=vhost|tap, mem=MiB)" },
	{ "image", OPT_STR, offsetof(struct boot_cfg, image), 0, 0, NULL, "PATH",
	  "a user-supplied image (unikernels, other VMMs)" },
	{ "net", OPT_STR, offsetof(struct boot_cfg, net), 0, 0, "direct", "direct|platform",
	  "a veth straight to the workload, or the platform's own network (docker: bridge, NAT, -p)" },
	{ "cold", OPT_FLAG, offsetof(struct boot_cfg, cold), 0, 0, NULL, NULL,
	  "cold starts: sync and drop the page cache before each (default: warm)" },
	{ "rx-stamp", OPT_STR, offsetof(struct boot_cfg, rx_stamp), 0, 0, "auto", "auto|xdp|burst",
	  "af_xdp: stamp RX at the veth's XDP hook, or after the RX burst (auto: xdp when built)" },
	{ "csv", OPT_STR, offsetof(struct boot_cfg, csv), 0, 0, NULL, "FILE", "one line per start" },
	{ "cores", OPT_STR, offsetof(struct boot_cfg, cores), 0, 0, NULL, "[MAIN,]WORKER",
	  "CPUs for control and dataplane" },
	{ "eal", OPT_STR, offsetof(struct boot_cfg, eal), 0, 0, NULL, "\"OPTS\"", "extra EAL options" },
	{ "json", OPT_FLAG, offsetof(struct boot_cfg, json), 0, 0, NULL, NULL, "one JSON object on stdout" },
	{ "quiet", OPT_FLAG, offsetof(struct boot_cfg, quiet), 0, 0, NULL, NULL, "no info lines" },
	APP_MAX_STALL_OPT_ROW(struct boot_cfg, max_stall),
	APP_SERVER_OPT_ROWS(struct boot_cfg, srv),
	{ "port", OPT_STR, offsetof(struct boot_cfg, port), 0, 0, NULL, "IFACE|SPEC",
	  "with --server: this host's end of the cable to --uplink (IFACE driven with --kind, or af_xdp:IFACE)" },
	{ "start", OPT_STR, offsetof(struct boot_cfg, start), 0, 0, NULL, "local-spawn|remote-trigger|remote-request",
	  "local-spawn (default here): lvperf spawns the start command (mark: TSC before posix_spawn); "
	  "remote-trigger (default with --server): a listener on the target's address spawns it on a START "
	  "datagram from the port (mark: START's TX TSC + the one-way delay, docs/startup-across-boxes.md); "
	  "remote-request (--server, for VMs): the agent spawns on its start request (mark: TSC before the request)" },
	{ "echoes", OPT_U64, offsetof(struct boot_cfg, echoes), 1, 100000, "100", "N",
	  "remote-trigger: UDP echoes per run for the one-way delay" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define BOOT_OUR_IP 0x0afc0001u	   /* 10.252.0.1, the appliance */
#define BOOT_TARGET_IP 0x0afc0002u /* 10.252.0.2, the target */

struct boot_mem {
	struct target *t;
	double *rss; /* [repeat] bytes, NaN when not measured */
	double *guest; /* [repeat] ns, the guest's own report, NaN when none */
};

static void boot_after_run(pid_t pid, unsigned run, void *ctx)
{
	struct boot_mem *m = ctx;

	m->t->drv->stop(m->t, pid); /* may read the guest's report (or memory() did) */
	m->guest[run] = m->t->guest_s < 0 ? NAN : m->t->guest_s * 1e9;
	m->t->guest_s = -1; /* none yet for the next run */
	proc_reap_orphans(0);
}

static void boot_on_up(pid_t pid, unsigned run, void *ctx)
{
	struct boot_mem *m = ctx;
	int64_t v = m->t->drv->memory(m->t, pid);

	m->rss[run] = v < 0 ? NAN : (double)v;
}

static int boot_run(struct boot_cfg *cfg, struct remote *r);

int cmd_boot(int argc, char **argv)
{
	struct boot_cfg cfg;
	struct remote *r;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("boot", "--platform NAME [--workload beacon] [--repeat N] [options]", boot_opts, &cfg,
		       argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc || !cfg.platform) {
		fprintf(stderr, "lvperf boot: --platform NAME is required (see lvperf platforms)\n");
		return APP_USAGE;
	}
	if (cfg.srv.server && !cfg.port) {
		fprintf(stderr, "lvperf boot: --server needs --port IFACE, this host's end of the cable to --uplink\n");
		return APP_USAGE;
	}
	if (cfg.port && !cfg.srv.server) {
		fprintf(stderr, "lvperf boot: --port goes with --server (a local target brings its own veth)\n");
		return APP_USAGE;
	}
	rc = app_server_open("boot", &cfg.srv, 1, &r);
	if (rc)
		return rc;
	if (app_server_port()) /* --host: the tap cabled to the host VM */
		cfg.port = app_server_port();
	rc = boot_run(&cfg, r);
	app_server_close(r);
	return rc;
}

static int boot_run(struct boot_cfg *cfgp, struct remote *r)
{
	struct boot_cfg cfg = *cfgp;
	const struct driver *drv;
	struct target t;
	struct dp_config dcfg;
	struct boot_mem mem;
	struct stats_summary ms, gs;
	struct dp dp;
	struct trigger_run trig;
	int remote; /* --start remote-trigger */
	char err[DP_ERR_LEN], why[256], port[sizeof(t.port)];
	json_t *bj = NULL;
	int64_t size;
	int rc;

	drv = app_server_driver("boot", r, cfg.platform);
	if (!drv)
		return APP_USAGE;
	if (strcmp(cfg.kind, "af_xdp") && strcmp(cfg.kind, "af_packet")) {
		fprintf(stderr, "lvperf boot: --kind must be af_xdp or af_packet\n");
		return APP_USAGE;
	}
	if (!cfg.start)
		cfg.start = r ? "remote-trigger" : "local-spawn";
	remote = strcmp(cfg.start, "remote-trigger") == 0;
	if (!remote && strcmp(cfg.start, "local-spawn") && strcmp(cfg.start, "remote-request")) {
		fprintf(stderr, "lvperf boot: --start must be local-spawn, remote-trigger or remote-request, not '%s'\n",
			cfg.start);
		return APP_USAGE;
	}
	if (r && !strcmp(cfg.start, "local-spawn")) {
		fprintf(stderr, "lvperf boot: --start local-spawn: with --server the server spawns the target "
			"(remote-trigger, the default, or remote-request)\n");
		return APP_USAGE;
	}
	if (!r && !strcmp(cfg.start, "remote-request")) {
		fprintf(stderr, "lvperf boot: --start remote-request goes with --server (the agent's start request)\n");
		return APP_USAGE;
	}
	if (!drv->available(why, sizeof(why))) {
		fprintf(stderr, "lvperf boot: platform %s is not available here: %s\n", drv->name, why);
		return APP_ERR;
	}
	if (driver_check_net(drv, cfg.net, err, sizeof(err))) {
		fprintf(stderr, "lvperf boot: %s\n", err);
		return APP_USAGE;
	}
	memset(&t, 0, sizeof(t));
	t.drv = drv;
	t.net = cfg.net;
	t.workload = cfg.workload;
	t.base = cfg.base;
	snprintf(t.tag, sizeof(t.tag), "bt%d", (int)getpid() % 10000000);
	t.appliance_ip = BOOT_OUR_IP;
	t.target_ip = BOOT_TARGET_IP;
	t.prefix_len = 24;
	t.beacon_port = 1337;
	t.opts = cfg.opts;
	t.guest_s = -1;
	t.image = cfg.image;
	app_signals();
	/* Platform helpers that outlive their parents (containerd shims,
	 * conmon) come back to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	app_avoid_worker_cpu(NULL, cfg.cores); /* the daemons prepare starts too */
	rc = drv->prepare(&t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lvperf boot: %s\n", err);
		return APP_ERR;
	}
	if (remote && r && !remote_armable(&t)) {
		fprintf(stderr, "lvperf boot: --start remote-trigger: %s's target has no network namespace on %s "
			"for the START listener (a VM's tap); use --start remote-request\n", drv->name, remote_host(r));
		drv->destroy(&t);
		return APP_USAGE;
	}
	if (remote && r)
		trigger_run_open_remote(&trig, &t, (uint32_t)cfg.echoes); /* the agent finds the namespace */
	if (remote && !r && !t.netns_path[0] && !t.port[0] && t.link.ns[0] && (t.link.created & 1))
		snprintf(t.netns_path, sizeof(t.netns_path), "/run/netns/%s", t.link.ns);
	if (remote && !r && !t.netns_path[0]) {
		fprintf(stderr, "lvperf boot: --start remote-trigger needs a target in an lvp network namespace "
			"on a veth (native, containers); %s attaches its target its own way\n", drv->name);
		drv->destroy(&t);
		return APP_USAGE;
	}
	if (remote && !r && trigger_run_open(&trig, t.netns_path, t.target_ip, (uint32_t)cfg.echoes, err, sizeof(err))) {
		fprintf(stderr, "lvperf boot: %s\n", err);
		drv->destroy(&t);
		return APP_ERR;
	}
	size = drv->image_size(&t);
	mem.t = &t;
	mem.rss = calloc(cfg.repeat, sizeof(double));
	mem.guest = calloc(cfg.repeat, sizeof(double));
	if (r && strchr(cfg.port, ':'))
		snprintf(port, sizeof(port), "%s", cfg.port);
	else if (r)
		snprintf(port, sizeof(port), "%s:%s", cfg.kind, cfg.port);
	else if (t.port[0])
		snprintf(port, sizeof(port), "%s", t.port);
	else
		snprintf(port, sizeof(port), "%s:%s", cfg.kind, t.link.host_if);
	memset(&dcfg, 0, sizeof(dcfg));
	app_dp_tsc(&dcfg);
	dcfg.port = port;
	dcfg.ip = BOOT_OUR_IP;
	dcfg.prefix_len = 24;
	dcfg.cores = cfg.cores;
	dcfg.eal = cfg.eal;
	dcfg.udp_port = t.beacon_port;
	dcfg.quiet = cfg.quiet;
	if (app_dp_rx_stamp("boot", cfg.rx_stamp, &dcfg)) {
		if (remote)
			trigger_run_close(&trig);
		drv->destroy(&t);
		free(mem.rss);
		free(mem.guest);
		return APP_USAGE;
	}
	dcfg.max_stall_ns = cfg.max_stall;
	rc = mem.rss && mem.guest ? dp_open(&dp, &dcfg, err) : -ENOMEM;
	if (rc) {
		fprintf(stderr, "lvperf boot: %s\n", mem.rss && mem.guest ? err : "out of memory");
		if (remote)
			trigger_run_close(&trig);
		drv->destroy(&t);
		free(mem.rss);
		free(mem.guest);
		return APP_ERR;
	}
	app_avoid_worker_cpu(&dp, NULL);
	for (uint64_t i = 0; i < cfg.repeat; i++)
		mem.rss[i] = mem.guest[i] = NAN;
	{
		struct beacon_args ba = { .repeat = cfg.repeat, .timeout = cfg.timeout, .gap = cfg.gap,
					  .csv = cfg.csv, .json = cfg.json, .quiet = 1, .argv = t.argv,
					  .on_up = boot_on_up, .after_run = boot_after_run,
					  .on_up_ctx = &mem, .cold = cfg.cold,
					  .vmm_up = drv->vmm_up ? target_vmm_up : NULL, .vmm_ctx = &t,
					  .daemon_alive = drv->daemon_alive ? target_daemon_alive : NULL,
					  .sender_tsc_unknown = r ? REMOTE_TSC : drv->shares_host_tsc ? NULL : TARGET_GUEST_TSC,
					  .start = r ? remote_start : NULL, .start_ctx = &t,
					  .trigger = remote ? &trig : NULL };
		struct svc_spec spec;

		if (target_service(&t, &spec) == 0) {
			ba.service = &spec;
			ba.service_ip = t.target_ip;
		}

		if (!cfg.json)
			printf("== boot: %s%s%s%s running %s, %" PRIu64 " %s starts, network %s (%s), start: %s ==\n",
			       drv->name, t.variant[0] ? " (" : "", t.variant, t.variant[0] ? ")" : "",
			       cfg.workload, cfg.repeat, cfg.cold ? "cold" : "warm", port, cfg.net, cfg.start);
		rc = beacon_measure(&dp, &ba, &bj);
	}
	dp_close(&dp);
	if (remote)
		trigger_run_close(&trig);
	drv->stop(&t, 0);
	drv->destroy(&t);
	for (int i = 0; i < 10; i++) { /* shims exit shortly after their daemon */
		proc_reap_orphans(0);
		usleep(50000);
	}
	stats_summarize(mem.rss, cfg.repeat, &ms);
	stats_summarize(mem.guest, cfg.repeat, &gs);
	if (cfg.json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "command", "boot", "platform",
				      drv->name, "variant", t.variant, "workload", cfg.workload, "base", cfg.base,
				      "image_bytes",
				      size < 0 ? json_null() : json_integer(size), "memory_rss_bytes",
				      app_summary_json(&ms), "startup", bj ? bj : json_null());

		static const char *const lift[] = { "stamp_error_ns", "stamp_error_reason", "flags", "cpus",
						    "worker", "start_mark", "one_way" };

		for (size_t k = 0; bj && k < sizeof(lift) / sizeof(lift[0]); k++)
			if (json_object_get(bj, lift[k]))
				json_object_set(o, lift[k], json_object_get(bj, lift[k]));
		json_object_set_new(o, "guest_reported_ns", app_summary_json(&gs));
		json_object_set_new(o, "net", json_string(cfg.net));
		json_object_set_new(o, "cache", json_string(cfg.cold ? "cold" : "warm"));
		json_object_set_new(o, "server", r ? json_string(remote_host(r)) : json_null());
		app_json_print(o);
	} else {
		if (size >= 0)
			printf("image: %" PRId64 " bytes on disk (allocated blocks, as du counts them)\n", size);
		app_summary_print(stdout, "memory (RSS of the running target)", &ms, "bytes");
		if (gs.n)
			app_summary_print(stdout, "guest-reported kernel entry to workload", &gs, "ns");
	}
	free(mem.rss);
	free(mem.guest);
	return rc;
}
