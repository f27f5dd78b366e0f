/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf run, point <-> command: the table of the child commands (the
 * options each metric's command gets, the keys its --json result is read
 * at), a point's argv built from it, and a point's line of points.jsonl
 * read back from the child's JSON through it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "driver.h"
#include "runner_int.h"

/* ---- the table -------------------------------------------------------- */

const struct run_target_opts run_target_opt = {
    .platform = "--platform",
    .workload = "--workload",
    .json = "--json",
    .image = "--image",
    .opts = "--opts",
    .net = "--net",
    .quiet = "--quiet",
    .cores = "--cores",
    .server = "--server",
    .identity = "--identity",
    .uplink = "--uplink",
    .port = "--port",
    .start = "--start",
    .host = "--host",
    .host_opts = "--host-opts",
};

const struct run_result_keys run_result_key = {
    .flags = "flags",
    .clock = "clock",
    .startup_clock = "startup.clock",
    .floor_ns = "floor_ns",
    .floor_source = "floor.source",
};

/* http and kv: lvperf http / lvperf kv. */
#define RUN_LOAD_ARGS                                                                              \
	{"--connections", RUN_V_CONNECTIONS, RUN_W_ALWAYS, NULL},                                  \
	    {"--pipeline", RUN_V_PIPELINE, RUN_W_ALWAYS, NULL},                                    \
	    {"--duration", RUN_V_DURATION, RUN_W_ALWAYS, NULL},                                    \
	    {"--warmup", RUN_V_WARMUP, RUN_W_ALWAYS, NULL}, {"--seed", RUN_V_SEED, RUN_W_ALWAYS, NULL}
#define RUN_LOAD_KEYS                                                                              \
	{                                                                                          \
		{"p50_us", "latency_ns.p50", 1e-3}, {"p90_us", "latency_ns.p90", 1e-3},            \
		    {"p99_us", "latency_ns.p99", 1e-3}, {"p999_us", "latency_ns.p999", 1e-3},      \
		    {"retransmits", "retransmissions", 1}, {"busy_fraction", "cpu.busy_fraction", 1}, \
	}

const struct run_cmd run_cmds[SPEC_N_METRICS] = {
    [SPEC_STARTUP] = {
	.command = "boot",
	.args = {{"--repeat", RUN_V_TEXT, RUN_W_ALWAYS, "1"},
		 {"--kind", RUN_V_PORT_KIND, RUN_W_ALWAYS, NULL},
		 {"--timeout", RUN_V_TIMEOUT, RUN_W_ALWAYS, NULL},
		 {"--cold", RUN_V_FLAG, RUN_W_COLD, NULL}},
	.root = "startup.runs.0",
	.unit = "ms",
	.value = {NULL, "first_beacon_ns", 1e-6},
	.extra = {{"arp_ms", "first_arp_ns", 1e-6},
		  {"beacon_ms", "first_beacon_ns", 1e-6},
		  {"syn_ms", "syn_ns", 1e-6},
		  {"ready_ms", "ready_ns", 1e-6},
		  {"spawn_ms", "spawn_ns", 1e-6},
		  {"stamp_error_ms", "stamp_error_ns", 1e-6},
		  {"image_bytes", "/image_bytes", 1}},
    },
    [SPEC_SIZE] = {
	.command = "size",
	.root = "",
	.unit = "bytes",
	.value = {NULL, "du_bytes", 1},
	.extra = {{"compressed_bytes", "gzip_bytes", 1}, {"files", "files", 1}},
    },
    [SPEC_RTT] = {
	.command = "ping",
	.args = {{"--count", RUN_V_COUNT, RUN_W_ALWAYS, NULL},
		 {"--interval", RUN_V_INTERVAL, RUN_W_ALWAYS, NULL}},
	.root = "",
	.unit = "us",
	.value = {NULL, "rtt_ns.p50", 1e-3},
	.extra = {{"p50_us", "rtt_ns.p50", 1e-3},
		  {"p99_us", "rtt_ns.p99", 1e-3},
		  {"raw_p50_us", "rtt_raw_ns.p50", 1e-3},
		  {"mean_us", "rtt_ns.mean", 1e-3},
		  {"sd_us", "rtt_ns.sd", 1e-3}},
    },
    [SPEC_MEMORY] = {
	.command = "memory",
	.args = {{"--under", RUN_V_UNDER, RUN_W_ALWAYS, NULL},
		 {"--duration", RUN_V_DURATION, RUN_W_LOADED, NULL},
		 {"--warmup", RUN_V_WARMUP, RUN_W_LOADED, NULL}},
	/* idle, or the mid-window sample under load */
	.root = "idle",
	.root_loaded = "under.sample",
	.unit = "bytes",
	.value = {NULL, "target.rss_bytes", 1},
	.extra = {{"rss_bytes", "target.rss_bytes", 1},
		  {"pss_bytes", "target.pss_bytes", 1},
		  {"cgroup_bytes", "cgroup.bytes", 1},
		  {"daemon_bytes", "daemon.bytes", 1},
		  {"helpers_bytes", "helpers.rss_bytes", 1},
		  /* --host: QEMU's RSS (the runner's own VM: runner_point) */
		  {"host_vm_rss_bytes", "/host_vm.rss_bytes", 1}},
    },
    [SPEC_HTTP] = {
	.command = "http",
	.args = {RUN_LOAD_ARGS},
	.root = "",
	.unit = "req/s",
	.value = {NULL, "requests_per_s", 1},
	.extra = RUN_LOAD_KEYS,
    },
    [SPEC_KV] = {
	.command = "kv",
	.args = {{"--op", RUN_V_OP, RUN_W_ALWAYS, NULL}, RUN_LOAD_ARGS},
	.root = "",
	.unit = "req/s",
	.value = {NULL, "requests_per_s", 1},
	.extra = RUN_LOAD_KEYS,
    },
};

/* TSC rate, ring floor and the port floor of the run's port kind (lvperf
 * calibrate --port-floor KIND: XDP reflector at the far end of a veth of
 * its own), and the generator's HTTP headroom when the spec has load
 * points. */
const struct run_cmd run_calib_cmd = {
    .command = "calibrate",
    .args = {{"--count", RUN_V_TEXT, RUN_W_ALWAYS, "2000"},
	     {"--port-floor", RUN_V_PORT_KIND, RUN_W_ALWAYS, NULL},
	     {"--json", RUN_V_FLAG, RUN_W_ALWAYS, NULL},
	     {"--quiet", RUN_V_FLAG, RUN_W_ALWAYS, NULL},
	     {"--http", RUN_V_FLAG, RUN_W_LOAD, NULL},
	     {"--duration", RUN_V_TEXT, RUN_W_LOAD, "1s"}},
    .root = "",
    .extra = {{"tsc_hz", "tsc.tsc_hz", 1},
	      {"tsc_uncertainty_ppm", "tsc.uncertainty_ppm", 1},
	      {"ring_floor_ns", "ring_floor.rtt_ns.p50", 1},
	      {"port_floor_ns", "port_floor.%s.rtt_ns.p50", 1},
	      {"tsc_read_ns", "tsc_read_ns", 1},
	      {"headroom_rps", "http_headroom.requests_per_s", 1}},
};

/* The spawn floor: native starts of the beacon, the least any platform's
 * startup can be. */
const struct run_cmd run_spawn_floor_cmd = {
    .command = "boot",
    .args = {{"--platform", RUN_V_HOST, RUN_W_ALWAYS, NULL},
	     {"--repeat", RUN_V_TEXT, RUN_W_ALWAYS, "5"},
	     {"--gap", RUN_V_TEXT, RUN_W_ALWAYS, "20ms"},
	     {"--json", RUN_V_FLAG, RUN_W_ALWAYS, NULL},
	     {"--quiet", RUN_V_FLAG, RUN_W_ALWAYS, NULL}},
    .root = "",
    .extra = {{"spawn_floor_ns", "startup.summary.first_beacon_ns.p50", 1}},
};

/* ---- argv --------------------------------------------------------------- */

static const char *point_workload(const struct spec *s, const struct run_point *p)
{
	if (p->metric == SPEC_HTTP)
		return "nginx";
	if (p->metric == SPEC_KV)
		return "redis";
	if (p->metric == SPEC_RTT)
		return "beacon";
	if (p->metric == SPEC_MEMORY && strcmp(p->under, "http") == 0)
		return "nginx";
	if (p->metric == SPEC_MEMORY && strcmp(p->under, "kv") == 0)
		return "redis";
	return s->targets[p->target].workload;
}

static uint64_t capped(uint64_t max_dur, uint64_t v)
{
	return max_dur && v > max_dur ? max_dur : v;
}

double run_point_estimate_s(const struct runner *r, const struct run_point *p)
{
	const struct spec_metric_cfg *c = &r->s->m[p->metric];
	uint64_t m = r->max_dur;

	switch (p->metric) {
	case SPEC_RTT:
		return 2.0 + (double)c->count * (double)c->interval * 1e-9;
	case SPEC_HTTP:
	case SPEC_KV:
		return 2.0 + (double)(capped(m, c->duration) + capped(m, c->warmup)) * 1e-9 + 1.0;
	case SPEC_MEMORY:
		return 2.0 + (strcmp(p->under, "idle") ? (double)(capped(m, c->duration) + capped(m, c->warmup)) * 1e-9 : 0);
	default:
		return 1.5;
	}
}

/* The rows of args whose condition holds, with their values; p and c are
 * NULL for the calibration commands. */
static void args_from(struct run_argv *a, const struct run_arg *args, const struct spec *s,
		      const struct run_point *p, const struct spec_metric_cfg *c, uint64_t max_dur)
{
	const struct run_arg *g;

	for (g = args; g < args + RUN_MAX_ARGS && g->opt; g++) {
		if ((g->when == RUN_W_COLD && !(c && c->cold)) ||
		    (g->when == RUN_W_LOADED && !(p && p->under && strcmp(p->under, "idle"))))
			continue;
		if (g->when == RUN_W_LOAD) {
			unsigned t;

			for (t = 0; t < s->n_targets; t++)
				if (s->targets[t].metrics & ((1u << SPEC_HTTP) | (1u << SPEC_KV)))
					break;
			if (t == s->n_targets)
				continue;
		}
		run_arg(a, "%s", g->opt);
		switch (g->val) {
		case RUN_V_FLAG:
			break;
		case RUN_V_TEXT:
			run_arg(a, "%s", g->text);
			break;
		case RUN_V_PORT_KIND:
			run_arg(a, "%s", s->port_kind);
			break;
		case RUN_V_HOST:
			run_arg(a, "%s", driver_with(DRIVER_CAP_HOST) ? driver_with(DRIVER_CAP_HOST)->name : "none");
			break;
		case RUN_V_TIMEOUT:
			run_arg(a, "%" PRIu64 "ns", c->timeout);
			break;
		case RUN_V_COUNT:
			run_arg(a, "%" PRIu64, c->count);
			break;
		case RUN_V_INTERVAL:
			run_arg(a, "%" PRIu64 "ns", c->interval);
			break;
		case RUN_V_UNDER:
			run_arg(a, "%s", p->under);
			break;
		case RUN_V_OP:
			run_arg(a, "%s", p->op);
			break;
		case RUN_V_CONNECTIONS:
			run_arg(a, "%" PRIu64, p->connections);
			break;
		case RUN_V_PIPELINE:
			run_arg(a, "%" PRIu64, p->pipeline);
			break;
		case RUN_V_DURATION:
			run_arg(a, "%" PRIu64 "ns", capped(max_dur, c->duration));
			break;
		case RUN_V_WARMUP:
			run_arg(a, "%" PRIu64 "ns", capped(max_dur, c->warmup));
			break;
		case RUN_V_SEED:
			run_arg(a, "%" PRIu64, s->seed + p->id);
			break;
		}
	}
}

/* The server target t runs on, or NULL for this host. */
static const struct spec_server *point_server(const struct spec *s, const struct spec_target *t)
{
	for (unsigned i = 0; t->server[0] && i < s->n_servers; i++)
		if (strcmp(s->servers[i].name, t->server) == 0)
			return &s->servers[i];
	return NULL;
}

void run_point_argv(const struct spec *s, const struct run_point *p, const char *lvperf,
		    uint64_t max_duration, struct run_argv *a)
{
	run_point_argv_live(s, p, lvperf, max_duration, NULL, a);
}

void run_point_argv_live(const struct spec *s, const struct run_point *p, const char *lvperf,
			 uint64_t max_duration, const struct run_live_host *live, struct run_argv *a)
{
	const struct spec_target *t = &s->targets[p->target];
	const struct run_target_opts *k = &run_target_opt;
	const struct spec_server *sv;

	memset(a, 0, sizeof(*a));
	run_arg(a, "%s", lvperf);
	run_arg(a, "%s", run_cmds[p->metric].command);
	run_arg(a, "%s", k->platform);
	run_arg(a, "%s", t->platform);
	run_arg(a, "%s", k->workload);
	run_arg(a, "%s", point_workload(s, p));
	run_arg(a, "%s", k->json);
	if (t->image[0]) {
		run_arg(a, "%s", k->image);
		run_arg(a, "%s", t->image);
	}
	/* accel becomes the driver option accel=, merged into --opts. */
	for (unsigned i = 0, merged = 0; i < t->n_args || (t->accel[0] && !merged); i++) {
		if (i >= t->n_args) {
			run_arg(a, "%s", k->opts);
			run_arg(a, "accel=%s", t->accel);
			break;
		}
		if (t->accel[0] && !merged && strcmp(t->args[i], k->opts) == 0 && i + 1 < t->n_args) {
			run_arg(a, "%s", k->opts);
			run_arg(a, "%s,accel=%s", t->args[++i], t->accel);
			merged = 1;
			continue;
		}
		run_arg(a, "%s", t->args[i]);
	}
	sv = point_server(s, t);
	if (sv) {
		run_arg(a, "%s", k->server);
		run_arg(a, "%s", sv->ssh);
		if (sv->identity[0]) {
			run_arg(a, "%s", k->identity);
			run_arg(a, "%s", sv->identity);
		}
		if (sv->uplink[0]) {
			run_arg(a, "%s", k->uplink);
			run_arg(a, "%s", sv->uplink);
		}
	}
	if (t->host[0]) {
		/* The VM: the runner's (live: its agent over ssh, the tap
		 * cabled to it), else the child boots its own; its boot is
		 * reported apart (host_vm, raw/host_vms.jsonl). */
		run_arg(a, "%s", k->host);
		run_arg(a, "%s", t->host);
		if (t->host_opts[0]) {
			run_arg(a, "%s", k->host_opts);
			run_arg(a, "%s", t->host_opts);
		}
		if (live) {
			run_arg(a, "%s", k->server);
			run_arg(a, "%s", live->server);
			run_arg(a, "%s", k->identity);
			run_arg(a, "%s", live->identity);
			run_arg(a, "%s", k->uplink);
			run_arg(a, "%s", live->uplink);
		}
	}
	if (p->metric == SPEC_SIZE)
		return;
	if (sv && sv->port[0]) {
		run_arg(a, "%s", k->port);
		run_arg(a, "%s", sv->port);
	} else if (t->host[0] && live) {
		run_arg(a, "%s", k->port);
		run_arg(a, "%s", live->port);
	}
	/* local-spawn is boot's default for a local target, remote-trigger
	 * for one on a server or in a host VM: pass only what differs. */
	if (p->metric == SPEC_STARTUP && strcmp(t->start, sv || t->host[0] ? "remote-trigger" : "local-spawn")) {
		run_arg(a, "%s", k->start);
		run_arg(a, "%s", t->start);
	}
	if (strcmp(t->net, "direct")) {
		run_arg(a, "%s", k->net);
		run_arg(a, "%s", t->net);
	}
	run_arg(a, "%s", k->quiet);
	if (s->cores[0]) {
		run_arg(a, "%s", k->cores);
		run_arg(a, "%s", s->cores);
	}
	args_from(a, run_cmds[p->metric].args, s, p, &s->m[p->metric], max_duration);
}

void run_calib_argv(const struct spec *s, const struct run_cmd *c, const char *lvperf, struct run_argv *a)
{
	memset(a, 0, sizeof(*a));
	run_arg(a, "%s", lvperf);
	run_arg(a, "%s", c->command);
	args_from(a, c->args, s, NULL, NULL, 0);
}

/* ---- the child's JSON ---------------------------------------------------- */

const json_t *run_jget(const json_t *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
	return o;
}

double run_jnum(const json_t *o, const char *path)
{
	o = run_jget(o, path);
	return o && json_is_number(o) ? json_number_value(o) : NAN;
}

void run_put_num(json_t *o, const char *key, double v, double scale)
{
	json_object_set_new(o, key, v == v ? json_real(v * scale) : json_null());
}

/* Key k of a result: from root, or from the top (top) for a '/' path. */
static double key_num(const json_t *top, const json_t *root, const struct run_key *k)
{
	return k->path[0] == '/' ? run_jnum(top, k->path + 1) : run_jnum(root, k->path);
}

/* The primary value, its unit and the extra figures of a child's JSON. */
static double point_value(const struct run_point *p, const json_t *j, const char **unit, json_t *extra)
{
	const struct run_cmd *c = &run_cmds[p->metric];
	const json_t *root;
	size_t i;

	if (!c->unit) {
		*unit = "";
		return NAN;
	}
	root = run_jget(j, c->root_loaded && strcmp(p->under, "idle") ? c->root_loaded : c->root);
	*unit = c->unit;
	for (i = 0; i < RUN_MAX_KEYS && c->extra[i].name; i++)
		run_put_num(extra, c->extra[i].name, key_num(j, root, &c->extra[i]), c->extra[i].scale);
	return key_num(j, root, &c->value) * c->value.scale;
}

static json_t *point_base(const struct runner *r, const struct run_point *p, unsigned order)
{
	const struct spec_target *t = &r->s->targets[p->target];
	json_t *o = json_object(), *params = json_object();

	json_object_set_new(o, "point", json_integer(p->id));
	json_object_set_new(o, "order", json_integer(order));
	json_object_set_new(o, "target", json_string(t->name));
	json_object_set_new(o, "platform", json_string(t->platform));
	json_object_set_new(o, "server", t->server[0] ? json_string(t->server) : json_null());
	json_object_set_new(o, "host", t->host[0] ? json_string(t->host) : json_null());
	json_object_set_new(o, "workload", json_string(point_workload(r->s, p)));
	json_object_set_new(o, "net", json_string(t->net));
	json_object_set_new(o, "accel", t->accel[0] ? json_string(t->accel) : json_null());
	json_object_set_new(o, "metric", json_string(spec_metric_names[p->metric]));
	if (p->metric == SPEC_HTTP || p->metric == SPEC_KV) {
		json_object_set_new(params, "connections", json_integer((json_int_t)p->connections));
		json_object_set_new(params, "pipeline", json_integer((json_int_t)p->pipeline));
	}
	if (p->op)
		json_object_set_new(params, "op", json_string(p->op));
	if (p->under)
		json_object_set_new(params, "under", json_string(p->under));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "rep", json_integer(p->rep));
	return o;
}


void run_point_label(const struct runner *r, const struct run_point *p, char *buf, size_t len)
{
	int w = snprintf(buf, len, "%s %s", r->s->targets[p->target].name, spec_metric_names[p->metric]);

	if (w < 0 || (size_t)w >= len)
		return;
	if (p->op)
		w += snprintf(buf + w, len - (size_t)w, " %s", p->op);
	if ((p->metric == SPEC_HTTP || p->metric == SPEC_KV) && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, " c=%" PRIu64 "%s", p->connections,
			      p->pipeline > 1 ? " P" : "");
	if (p->under && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, " under %s", p->under);
	if ((size_t)w < len)
		snprintf(buf + w, len - (size_t)w, " rep %u", p->rep + 1);
}


/* How long the child of point p may take before it is stopped: 4 times
 * its estimate and 2 min, plus a startup's own timeout (a target may use
 * all of it), plus 10 min in a host VM (under TCG the agent there starts
 * the platform's daemons for each command: minutes when the machine is
 * busy). */
static double point_timeout_s(const struct runner *r, const struct run_point *p)
{
	double s = run_point_estimate_s(r, p) * 4 + 120;

	if (p->metric == SPEC_STARTUP)
		s += (double)r->s->m[SPEC_STARTUP].timeout * 1e-9;
	if (r->s->targets[p->target].host[0])
		s += 600;
	return s;
}

json_t *run_point(struct runner *r, const struct run_point *p, unsigned order)
{
	json_t *o = point_base(r, p, order), *extra = json_object(), *flags = json_array();
	struct run_argv a;
	struct child_out co;
	char logpath[600], started[32];
	const char *unit = "";
	double t0 = run_mono_s(), v = NAN;
	int rc;

	run_utc_now(started, sizeof(started));
	json_object_set_new(o, "started_utc", json_string(started));
	if (!r->avail[p->target]) {
		json_object_set_new(o, "status", json_string("skipped"));
		json_object_set_new(o, "reason", json_string(r->avail_why[p->target]));
		goto out;
	}
	if (r->s->targets[p->target].host[0] && !r->live) {
		const char *why = run_host_failed(r, p->target);

		/* its host VM did not boot: not a figure of the container */
		json_object_set_new(o, "status", json_string("failed"));
		json_object_set_new(o, "reason", json_string(why ? why : "host VM: not up"));
		goto out;
	}
	run_point_argv_live(r->s, p, r->o->lvperf, r->max_dur, r->live, &a);
	snprintf(logpath, sizeof(logpath), "%s/logs/point-%u.log", r->dir, p->id);
	rc = run_child_cmd(a.v, logpath, (uint64_t)(point_timeout_s(r, p) * 1e9), &co);
	if (run_stopped()) {
		json_decref(co.json);
		json_decref(o);
		json_decref(extra);
		json_decref(flags);
		return NULL;
	}
	if (rc) {
		/* Not the point's failure but the appliance's (the binary was
		 * replaced, no memory...): stop, keep the point for resume. */
		fprintf(stderr, "\nlvperf run: cannot start %s: %s; stopping\n", a.v[0], strerror(-rc));
		r->fatal = 1;
		json_decref(o);
		json_decref(extra);
		json_decref(flags);
		return NULL;
	}
	if (co.json) {
		const json_t *f;
		size_t i;

		v = point_value(p, co.json, &unit, extra);
		json_array_foreach(json_object_get(co.json, run_result_key.flags), i, f)
			json_array_append(flags, (json_t *)f);
	}
	if (p->metric == SPEC_MEMORY && r->live) {
		/* the VM's own footprint beside the container's in the guest */
		int64_t rss = run_host_rss(r, p->target);

		json_object_set_new(extra, "host_vm_rss_bytes", rss < 0 ? json_null() : json_integer(rss));
	}
	if ((p->metric == SPEC_HTTP || p->metric == SPEC_KV) && v == v && r->headroom == r->headroom &&
	    v > 0.9 * r->headroom)
		json_array_append_new(flags, json_string("near_generator_headroom"));
	if (!co.why[0] && v != v)
		snprintf(co.why, sizeof(co.why), "the result has no %s figure", spec_metric_names[p->metric]);
	json_object_set_new(o, "status", json_string(co.why[0] ? "failed" : "ok"));
	if (co.why[0])
		json_object_set_new(o, "reason", json_string(co.why));
	json_object_set_new(o, "value", v == v ? json_real(v) : json_null());
	{
		const json_t *j = co.json, *clock = run_jget(j, run_result_key.clock);
		double fl = run_jnum(j, run_result_key.floor_ns);

		if (!clock)
			clock = run_jget(j, run_result_key.startup_clock);
		json_object_set_new(o, "clock", clock ? json_deep_copy(clock) : json_null());
		json_object_set_new(o, "floor_ns", fl == fl ? json_real(fl) : json_null());
		json_object_set_new(o, "floor_source",
				    json_deep_copy(run_jget(j, run_result_key.floor_source)));
		if (!json_object_get(o, "floor_source"))
			json_object_set_new(o, "floor_source", json_null());
	}
	json_object_set_new(o, "result", co.json ? co.json : json_null());
out:
	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "extra", extra);
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "wall_s", json_real(run_mono_s() - t0));
	if (!json_object_get(o, "value"))
		json_object_set_new(o, "value", json_null());
	return o;
}

