/* SPDX-License-Identifier: BSD-3-Clause
 * Target sessions: one boot through the driver, a measurement while the
 * target runs, then teardown whatever happened.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "proc.h"
#include "commands.h"
#include "target.h"

#define SESSION_OUR_IP 0x0afd0001u /* 10.253.0.1, the appliance */

int target_service(const struct target *t, struct svc_spec *spec)
{
	int redis = t->workload && !strcmp(t->workload, "redis");
	int nginx = t->workload && !strcmp(t->workload, "nginx");

	memset(spec, 0, sizeof(*spec));
	if (!t->service_port && !redis && !nginx)
		return -ENOENT;
	spec->kind = redis ? SVC_REDIS : SVC_HTTP;
	spec->port = t->service_port ? t->service_port : redis ? 6379 : 80;
	snprintf(spec->path, sizeof(spec->path), "/");
	return 0;
}

int target_daemon_alive(void *t, char *why, size_t len)
{
	struct target *tt = t;

	return tt->drv->daemon_alive(tt, why, len);
}

int target_vmm_up(void *t)
{
	struct target *tt = t;

	return tt->drv->vmm_up(tt);
}

uint16_t target_session_port(const char *cmd, const struct target_session *s)
{
	struct svc_spec spec;

	if (target_service(&s->t, &spec) == 0)
		return spec.port;
	fprintf(stderr, "lvperf %s: workload %s offers no service to load (try --workload nginx or redis)\n",
		cmd, s->t.workload);
	return 0;
}

struct session_run {
	struct target_session *s;
	int (*measure)(struct target_session *s, void *arg, json_t **json);
	void *arg;
	int ran, rc;
	json_t *json;
};

/* The target is up (beacon and service): measure it now, before
 * beacon_measure stops it. */
static void session_on_up(pid_t pid, unsigned run, void *ctx)
{
	struct session_run *r = ctx;

	(void)run;
	r->s->pid = pid;
	dp_stop(&r->s->dp);
	r->ran = 1;
	r->rc = r->measure(r->s, r->arg, &r->json);
	dp_stop(&r->s->dp);
}

static void session_after_run(pid_t pid, unsigned run, void *ctx)
{
	struct session_run *r = ctx;

	(void)run;
	r->s->drv->stop(&r->s->t, pid);
	proc_reap_orphans(0);
}

static void session_text(const struct target_session *s, json_t *run)
{
	static const char *const keys[] = { "first_arp_ns", "first_beacon_ns", "syn_ns", "ready_ns" };
	static const char *const names[] = { "ARP", "beacon", "SYN-ACK", "ready" };
	size_t i;

	printf("boot: %s running %s:", s->drv->name, s->t.workload);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(run, keys[i]);

		if (v && json_is_number(v))
			printf(" %s %.3f ms", names[i], json_number_value(v) / 1e6);
	}
	printf(" after the start mark\n");
}

static int session_run(const char *cmd, const struct target_session_opts *o, const struct app_dp_opts *dpo,
		       int (*measure)(struct target_session *s, void *arg, json_t **json), void *arg,
		       struct remote *rem);

int target_session_run(const char *cmd, const struct target_session_opts *o,
		       const struct app_dp_opts *dpo,
		       int (*measure)(struct target_session *s, void *arg, json_t **json), void *arg)
{
	struct remote *rem;
	int rc;

	if (o->srv.server && (!dpo->port || dpo->ip.ip)) {
		fprintf(stderr, "lvperf %s: --server needs --port SPEC (this host's end of the cable to "
				"--uplink, e.g. af_xdp:eth1) and no --ip\n", cmd);
		return APP_USAGE;
	}
	rc = app_server_open(cmd, &o->srv, 1, &rem);
	if (rc)
		return rc;
	rc = session_run(cmd, o, dpo, measure, arg, rem);
	app_server_close(rem);
	return rc;
}

static int session_run(const char *cmd, const struct target_session_opts *o, const struct app_dp_opts *dpo,
		       int (*measure)(struct target_session *s, void *arg, json_t **json), void *arg,
		       struct remote *rem)
{
	struct target_session s;
	struct session_run r = { &s, measure, arg, 0, APP_ERR, NULL };
	struct dp_config dcfg;
	struct svc_spec spec;
	char err[DP_ERR_LEN], why[256], port[sizeof(s.t.port)];
	json_t *bj = NULL, *run = NULL;
	int rc, i;

	memset(&s, 0, sizeof(s));
	s.json = dpo->json;
	s.quiet = dpo->quiet;
	if (!rem && (dpo->port || dpo->ip.ip)) {
		fprintf(stderr, "lvperf %s: --platform boots its own target: leave out --port and --ip\n", cmd);
		return APP_USAGE;
	}
	s.drv = app_server_driver(cmd, rem, o->platform);
	if (!s.drv)
		return APP_USAGE;
	if (!s.drv->available(why, sizeof(why))) {
		fprintf(stderr, "lvperf %s: platform %s is not available here: %s\n", cmd, s.drv->name, why);
		return APP_ERR;
	}
	if (driver_check_net(s.drv, o->net, err, sizeof(err))) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_USAGE;
	}
	s.t.drv = s.drv;
	s.t.net = o->net;
	s.t.workload = o->workload;
	snprintf(s.t.tag, sizeof(s.t.tag), "ss%d", (int)getpid() % 10000000);
	s.t.appliance_ip = SESSION_OUR_IP;
	s.t.target_ip = TARGET_SESSION_IP;
	s.t.prefix_len = 24;
	s.t.beacon_port = 1337;
	s.t.base = o->base;
	s.t.opts = o->opts;
	s.t.image = o->image;
	app_signals();
	prctl(PR_SET_CHILD_SUBREAPER, 1); /* shims and conmon come back to us */
	app_avoid_worker_cpu(NULL, dpo->cores); /* the daemons prepare starts too */
	rc = s.drv->prepare(&s.t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_ERR;
	}
	if (o->need_service && !target_session_port(cmd, &s)) {
		s.drv->destroy(&s.t);
		return APP_USAGE;
	}
	if (rem) /* --host: the tap cabled to the host VM */
		snprintf(port, sizeof(port), "%s", app_server_port() ? app_server_port() : dpo->port);
	else if (s.t.port[0]) /* the driver's own port (vhost-user for VMs) */
		snprintf(port, sizeof(port), "%s", s.t.port);
	else
		snprintf(port, sizeof(port), "af_xdp:%s", s.t.link.host_if);
	memset(&dcfg, 0, sizeof(dcfg));
	app_dp_tsc(&dcfg);
	dcfg.port = port;
	dcfg.ip = SESSION_OUR_IP;
	dcfg.prefix_len = 24;
	dcfg.cores = dpo->cores;
	dcfg.eal = dpo->eal;
	dcfg.udp_port = s.t.beacon_port;
	dcfg.quiet = dpo->quiet;
	if (app_dp_rx_stamp(cmd, dpo->rx_stamp, &dcfg)) {
		s.drv->destroy(&s.t);
		return APP_USAGE;
	}
	dcfg.max_stall_ns = dpo->max_stall;
	rc = dp_open(&s.dp, &dcfg, err);
	if (rc) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		s.drv->destroy(&s.t);
		return APP_ERR;
	}
	app_avoid_worker_cpu(&s.dp, NULL);
	{
		struct beacon_args ba = { .repeat = 1, .timeout = o->boot_timeout, .json = 1, .quiet = 1,
					  .argv = s.t.argv, .on_up = session_on_up,
					  .after_run = session_after_run, .on_up_ctx = &r,
					  .vmm_up = s.drv->vmm_up ? target_vmm_up : NULL, .vmm_ctx = &s.t,
					  .daemon_alive = s.drv->daemon_alive ? target_daemon_alive : NULL,
					  .sender_tsc_unknown = rem ? REMOTE_TSC : s.drv->shares_host_tsc ? NULL : TARGET_GUEST_TSC,
					  .start = rem ? remote_start : NULL, .start_ctx = &s.t };

		if (target_service(&s.t, &spec) == 0) {
			ba.service = &spec;
			ba.service_ip = s.t.target_ip;
		}
		if (!dpo->quiet)
			fprintf(stderr, "lvperf %s: booting %s running %s on %s\n", cmd, s.drv->name,
				o->workload, port);
		rc = beacon_measure(&s.dp, &ba, &bj);
	}
	dp_close(&s.dp);
	s.drv->stop(&s.t, 0);
	s.drv->destroy(&s.t);
	for (i = 0; i < 10; i++) { /* shims exit shortly after their daemon */
		proc_reap_orphans(0);
		usleep(50000);
	}
	if (bj)
		run = json_array_get(json_object_get(bj, "runs"), 0);
	if (!r.ran) {
		/* beacon_measure said why, once. */
		json_decref(bj);
		return rc == APP_OK ? APP_ERR : rc;
	}
	if (r.json) {
		json_object_set_new(r.json, "platform", json_string(s.drv->name));
		json_object_set_new(r.json, "workload", json_string(o->workload));
		json_object_set_new(r.json, "net", json_string(o->net ? o->net : "direct"));
		json_object_set_new(r.json, "server", rem ? json_string(remote_host(rem)) : json_null());
		json_object_set(r.json, "boot", run ? run : json_null());
		if (json_is_object(json_object_get(r.json, "cpus")) && json_object_get(json_object_get(bj, "cpus"), "target"))
			json_object_set(json_object_get(r.json, "cpus"), "target",
					json_object_get(json_object_get(bj, "cpus"), "target"));
		app_json_print(r.json);
	} else if (!s.json && run) {
		session_text(&s, run);
	}
	json_decref(bj);
	return r.rc;
}
