/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf memory: boot a platform target and report its memory footprint
 * once it is ready (idle) and, with --under http|kv, in the middle of a
 * load window: the cgroup's charge where the platform made a cgroup, RSS
 * and PSS of the target's processes, and apart from them the platform's
 * daemon and the helpers lvperf started outside the target.
 *
 * With --min-search (VM platforms, whose memory is --opts mem=): the
 * study's minimum-memory search. Each size is one lvperf http (nginx) or
 * kv (redis) --platform run in a child process (DPDK's EAL starts once
 * per process), from --start down in --step MiB; app/minmem.c decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http_load.h"
#include "resp_load.h"
#include "file.h"
#include "footprint.h"
#include "ledger.h"
#include "proc.h"
#include "commands.h"
#include "load_run.h"
#include "minmem.h"
#include "target.h"

struct memory_cfg {
	struct app_dp_opts dp;
	struct target_session_opts ts;
	const char *under;
	uint64_t settle, duration, warmup, connections;
	int min_search;
	uint64_t start, step, floor;
	const char *tolerance;
	uint64_t retries;
};

static const struct opt_def memory_opts[] = {
	APP_DP_OPT_ROWS(struct memory_cfg, dp),
	TARGET_SESSION_OPT_ROWS(struct memory_cfg, ts, "beacon"),
	{ "under", OPT_STR, offsetof(struct memory_cfg, under), 0, 0, "idle", "idle|http|kv",
	  "also sample in the middle of a load window (needs --workload nginx or redis)" },
	{ "settle", OPT_DURATION, offsetof(struct memory_cfg, settle), 0, 600000000000ull, "1s", "DUR",
	  "wait this long after the target is ready before the idle sample" },
	{ "duration", OPT_DURATION, offsetof(struct memory_cfg, duration), 100000000, 3600000000000ull,
	  "4s", "DUR", "load window (sampled at its middle)" },
	{ "warmup", OPT_DURATION, offsetof(struct memory_cfg, warmup), 0, 600000000000ull, "1s", "DUR",
	  "load before the window" },
	{ "connections", OPT_U64, offsetof(struct memory_cfg, connections), 1, 100000, "10", "N",
	  "load connections" },
	{ "min-search", OPT_FLAG, offsetof(struct memory_cfg, min_search), 0, 0, NULL, NULL,
	  "VMs: boot with less and less memory (--opts mem=) under load; report the least that keeps "
	  "throughput within --tolerance of the baseline" },
	{ "start", OPT_U64, offsetof(struct memory_cfg, start), 8, 65536, "256", "MiB",
	  "with --min-search: the baseline size, measured first" },
	{ "step", OPT_U64, offsetof(struct memory_cfg, step), 1, 65536, "8", "MiB",
	  "with --min-search: decrement between sizes" },
	{ "floor", OPT_U64, offsetof(struct memory_cfg, floor), 8, 65536, "16", "MiB",
	  "with --min-search: the least size tried" },
	{ "tolerance", OPT_STR, offsetof(struct memory_cfg, tolerance), 0, 0, "5%", "P%",
	  "with --min-search: how far below the baseline's requests/s a size may fall" },
	{ "retries", OPT_U64, offsetof(struct memory_cfg, retries), 0, 10, "1", "N",
	  "with --min-search: measure a size below the tolerance again up to N times (its best rate counts)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define MEMORY_TARGET_COUNTS \
	"Rss and Pss from /proc/PID/smaps_rollup, summed over the processes in the target's network namespace"
#define MEMORY_CGROUP_COUNTS \
	"the memory controller's charge of the target's cgroups (memory.usage_in_bytes or memory.current: page cache included), summed over the distinct cgroups its processes run in"
#define MEMORY_HELPER_COUNTS \
	"Rss and Pss of lvperf's descendants outside the target: shims, monitors, and daemons lvperf started"

struct memory_sample {
	int ok;
	double at_s;		 /* seconds after the target was ready */
	struct footprint_procs target;
	int64_t cgroup;		 /* bytes, or -EEXIST (none of its own), -errno */
	char cgroup_path[512];  /* the cgroups counted, space separated */
	int64_t daemon;		 /* bytes, -ENOTSUP: the platform has no daemon */
	struct footprint_procs helpers;
	int64_t driver;		 /* what lvperf boot reports (drv->memory) */
};

static double memory_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void memory_take(struct target_session *s, double ready_s, struct memory_sample *m)
{
	memset(m, 0, sizeof(*m));
	m->at_s = memory_now_s() - ready_s;
	if (remote_is(s->drv)) { /* the server reads its own processes and cgroups */
		static struct remote_footprint f; /* large; one sampler at a time */
		char err[REMOTE_ERR_LEN];

		if (remote_footprint(&s->t, &f, err, sizeof(err))) {
			fprintf(stderr, "lvperf memory: %s\n", err);
			return;
		}
		m->ok = f.target.n > 0;
		m->target = f.target;
		m->helpers = f.helpers;
		m->cgroup = f.cgroup;
		m->daemon = f.daemon;
		m->driver = f.driver;
		snprintf(m->cgroup_path, sizeof(m->cgroup_path), "%s", f.cgroup_path);
		return;
	}
	if (footprint_target_pids(s->t.link.peer_if, s->t.target_ip, &m->target) < 0 ||
	    footprint_measure(&m->target) != 0)
		return;
	m->ok = 1;
	footprint_cgroups(&m->target, &m->cgroup, m->cgroup_path, sizeof(m->cgroup_path));
	m->daemon = s->drv->daemon_memory ? s->drv->daemon_memory(&s->t) : -ENOTSUP;
	footprint_tree(getpid(), 0, &m->target, &m->helpers);
	footprint_measure(&m->helpers);
	m->driver = s->drv->memory(&s->t, s->pid);
}

static json_t *memory_bytes_json(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *memory_sample_json(const struct target_session *s, const struct memory_sample *m)
{
	json_t *pids = json_array(), *o;
	int i;

	for (i = 0; i < m->target.n; i++)
		json_array_append_new(pids, json_integer(m->target.pids[i]));
	o = json_pack("{s:f, s:{s:o, s:s, s:I, s:I, s:s}}", "at_s_after_ready", m->at_s, "target", "pids",
		      pids, "names", m->target.names, "rss_bytes", (json_int_t)m->target.rss,
		      "pss_bytes", (json_int_t)m->target.pss, "counted", MEMORY_TARGET_COUNTS);
	json_object_set_new(o, "cgroup",
			    m->cgroup == -EEXIST ?
				    json_pack("{s:n, s:s, s:s}", "bytes", "path", m->cgroup_path, "counted",
					      "none: the target runs in lvperf's own cgroup (the platform made none)") :
				    json_pack("{s:o, s:s, s:s, s:s?}", "bytes", memory_bytes_json(m->cgroup),
					      "path", m->cgroup_path, "counted", MEMORY_CGROUP_COUNTS, "error",
					      m->cgroup < 0 ? strerror((int)-m->cgroup) : NULL));
	json_object_set_new(o, "daemon",
			    json_pack("{s:o, s:s}", "bytes", memory_bytes_json(m->daemon), "counted",
				      m->daemon == -ENOTSUP ? "none: the platform has no daemon" :
				      s->drv->daemon_counts ? s->drv->daemon_counts : "the platform's daemons"));
	json_object_set_new(o, "helpers",
			    json_pack("{s:s, s:I, s:I, s:s}", "names", m->helpers.names, "rss_bytes",
				      (json_int_t)m->helpers.rss, "pss_bytes", (json_int_t)m->helpers.pss,
				      "counted", MEMORY_HELPER_COUNTS));
	json_object_set_new(o, "driver_memory_bytes", memory_bytes_json(m->driver));
	return o;
}

static void memory_sample_text(const struct target_session *s, const char *label,
			       const struct memory_sample *m)
{
	printf("%s (%.1f s after ready):\n", label, m->at_s);
	if (!m->ok) {
		printf("  no process of the target found\n");
		return;
	}
	printf("  target: RSS %.1f KiB, PSS %.1f KiB in %d process(es): %s\n", m->target.rss / 1024.0,
	       m->target.pss / 1024.0, m->target.n, m->target.names);
	if (m->cgroup >= 0)
		printf("  cgroup %s: %.1f KiB charged (page cache included)\n", m->cgroup_path, m->cgroup / 1024.0);
	else if (m->cgroup == -EEXIST)
		printf("  cgroup: none of its own (runs in lvperf's %s)\n", m->cgroup_path);
	else
		printf("  cgroup %s: unreadable (%s)\n", m->cgroup_path, strerror((int)-m->cgroup));
	if (m->daemon == -ENOTSUP)
		printf("  platform daemon: none\n");
	else if (m->daemon < 0)
		printf("  platform daemon: unreadable (%s)\n", strerror((int)-m->daemon));
	else
		printf("  platform daemon: %.1f KiB (%s)\n", m->daemon / 1024.0,
		       s->drv->daemon_counts ? s->drv->daemon_counts : "its processes");
	printf("  helpers lvperf started outside the target: RSS %.1f KiB, PSS %.1f KiB%s%s\n",
	       m->helpers.rss / 1024.0, m->helpers.pss / 1024.0, m->helpers.n ? ": " : "", m->helpers.names);
}

struct memory_run {
	const struct memory_cfg *cfg;
	int under; /* 0 idle, 1 http, 2 kv */
	struct load_run_args a;
	struct http_load h;
	struct resp_load r;
	struct target_session *s;
	double ready_s;
	struct memory_sample idle, load;
};

static void *memory_sampler(void *arg)
{
	struct memory_run *mr = arg;
	double at = memory_now_s() + (double)(mr->cfg->warmup + mr->cfg->duration / 2) / 1e9;

	/* Short naps, so Ctrl-C does not wait for the middle of the window. */
	while (!app_interrupted && memory_now_s() < at)
		dp_sleep_ns(10000000);
	if (!app_interrupted)
		memory_take(mr->s, mr->ready_s, &mr->load);
	return NULL;
}

static int memory_measure(struct target_session *s, void *arg, json_t **json)
{
	struct memory_run *mr = arg;
	json_t *lj = NULL;
	pthread_t th;
	int rc = APP_OK;

	mr->s = s;
	mr->ready_s = memory_now_s();
	dp_sleep_ns(mr->cfg->settle);
	memory_take(s, mr->ready_s, &mr->idle);
	if (!mr->idle.ok) {
		fprintf(stderr, "lvperf memory: no process found in the network namespace of %s\n",
			s->t.link.peer_if);
		return APP_ERR;
	}
	if (mr->under) {
		mr->a.target_ip = s->t.target_ip;
		mr->a.target_port = target_session_port("memory", s);
		if (!mr->a.target_port)
			return APP_USAGE;
		if (pthread_create(&th, NULL, memory_sampler, mr) != 0) {
			fprintf(stderr, "lvperf memory: cannot start the sampling thread\n");
			return APP_ERR;
		}
		if (mr->under == 1)
			rc = load_run(&s->dp, "http", &mr->a, &load_proto_http, &mr->h, mr->h.req.len, &lj);
		else
			rc = load_run(&s->dp, "kv", &mr->a, &load_proto_resp, &mr->r, resp_load_req_max(&mr->r),
				      &lj);
		pthread_join(th, NULL);
	}
	if (s->json) {
		*json = json_pack("{s:s, s:o}", "command", "memory", "idle", memory_sample_json(s, &mr->idle));
		if (mr->under) {
			json_t *u = mr->load.ok ? memory_sample_json(s, &mr->load) : json_null();

			json_object_set_new(*json, "under", json_pack("{s:s, s:o, s:o}", "load",
								      mr->under == 1 ? "http" : "kv", "sample",
								      u, "load_report", lj ? lj : json_null()));
		}
	} else {
		printf("--- lvperf memory: %s running %s ---\n", s->drv->name, s->t.workload);
		memory_sample_text(s, "idle", &mr->idle);
		if (mr->under)
			memory_sample_text(s, mr->under == 1 ? "under http load (mid-window)" :
							       "under kv load (mid-window)", &mr->load);
		if (lj)
			printf("load: %.0f requests/s over %.1f s, %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
			       " replies correct, %u connections\n",
			       json_real_value(json_object_get(lj, "requests_per_s")),
			       json_real_value(json_object_get(lj, "duration_s")),
			       json_integer_value(json_object_get(lj, "requests_ok")),
			       json_integer_value(json_object_get(lj, "requests")), mr->a.load.connections);
		json_decref(lj);
		printf("target: " MEMORY_TARGET_COUNTS "\n");
	}
	if (mr->under && !mr->load.ok) {
		fprintf(stderr, "lvperf memory: the target's processes were gone during the load\n");
		rc = APP_ERR;
	}
	return rc;
}

/* ---- --min-search ---- */

struct minmem_ctx {
	const struct memory_cfg *cfg;
	const char *load;	/* "http" or "kv" */
	char self[PATH_MAX];
	char dir[64];		/* /tmp/lvpmm<pid>-minmem.<random>: the children's reports */
	json_t *points;		/* per size: what the child reported */
};

/* One size: lvperf http|kv --platform ... --opts OPTS,mem=N in a child. */
static int minmem_oracle_run(unsigned int mem, double *rate, char *why, unsigned int whylen, void *arg)
{
	struct minmem_ctx *c = arg;
	const struct memory_cfg *cfg = c->cfg;
	char opts[512], dur[32], warm[32], conns[24], bt[32], out[96], errf[96], st[64];
	char *argv[40];
	int n = 0, rc, status;
	struct proc_io io = { .in = "/dev/null", .out = out, .err = errf };
	json_t *j, *p;
	pid_t pid;

	snprintf(opts, sizeof(opts), "%s%smem=%u", cfg->ts.opts ? cfg->ts.opts : "", cfg->ts.opts ? "," : "", mem);
	snprintf(dur, sizeof(dur), "%" PRIu64 "ms", cfg->duration / 1000000);
	snprintf(warm, sizeof(warm), "%" PRIu64 "ms", cfg->warmup / 1000000);
	snprintf(conns, sizeof(conns), "%" PRIu64, cfg->connections);
	snprintf(bt, sizeof(bt), "%" PRIu64 "ms", cfg->ts.boot_timeout / 1000000);
	snprintf(out, sizeof(out), "%s/%u.json", c->dir, mem);
	snprintf(errf, sizeof(errf), "%s/%u.err", c->dir, mem);
	argv[n++] = c->self;
	argv[n++] = (char *)c->load;
	argv[n++] = "--platform";
	argv[n++] = (char *)cfg->ts.platform;
	argv[n++] = "--workload";
	argv[n++] = (char *)cfg->ts.workload;
	argv[n++] = "--base";
	argv[n++] = (char *)cfg->ts.base;
	argv[n++] = "--opts";
	argv[n++] = opts;
	if (cfg->ts.image) {
		argv[n++] = "--image";
		argv[n++] = (char *)cfg->ts.image;
	}
	if (cfg->dp.cores) {
		argv[n++] = "--cores";
		argv[n++] = (char *)cfg->dp.cores;
	}
	if (strcmp(c->load, "kv") == 0) {
		argv[n++] = "--op";
		argv[n++] = "set";
		argv[n++] = "--keyspace";
		argv[n++] = "1000";
	}
	argv[n++] = "--duration";
	argv[n++] = dur;
	argv[n++] = "--warmup";
	argv[n++] = warm;
	argv[n++] = "--connections";
	argv[n++] = conns;
	argv[n++] = "--boot-timeout";
	argv[n++] = bt;
	argv[n++] = "--json";
	argv[n++] = "--quiet";
	argv[n] = NULL;
	if (!cfg->dp.quiet)
		fprintf(stderr, "lvperf memory: %u MiB: %s ...\n", mem, c->load);
	rc = proc_spawn_io(argv, &io, &pid);
	if (rc) {
		snprintf(why, whylen, "cannot start %s: %s", c->self, strerror(-rc));
		return rc;
	}
	ledger_add_pid(pid);
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	ledger_done_pid(pid);
	p = json_array_get(c->points, json_array_size(c->points) - 1);
	if (p && json_integer_value(json_object_get(p, "mem_mib")) == mem) {
		/* a retry of this size: its rate goes to retry_rates */
		json_t *r = json_object_get(p, "retry_rates");

		p = json_object();
		json_array_append_new(r, p);
	} else {
		p = json_pack("{s:i, s:[]}", "mem_mib", mem, "retry_rates");
		json_array_append_new(c->points, p);
	}
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		file_last_line(errf, why, whylen);
		if (!why[0])
			snprintf(why, whylen, "lvperf %s %s", c->load,
				 rc < 0 ? strerror(errno) : proc_status_str(status, st, sizeof(st)));
		json_object_set_new(p, "error", json_string(why));
		return app_interrupted ? -EINTR : -EIO;
	}
	j = json_load_file(out, 0, NULL);
	if (!j || !json_is_number(json_object_get(j, "duration_s")) ||
	    json_number_value(json_object_get(j, "duration_s")) <= 0) {
		snprintf(why, whylen, "lvperf %s printed no report", c->load);
		json_object_set_new(p, "error", json_string(why));
		json_decref(j);
		return -EIO;
	}
	/* correct replies per second: errors under memory pressure count as lost */
	*rate = (double)json_integer_value(json_object_get(j, "requests_ok")) /
		json_number_value(json_object_get(j, "duration_s"));
	json_object_set_new(p, "requests_ok_per_s", json_real(*rate));
	json_object_set(p, "requests", json_object_get(j, "requests"));
	json_object_set(p, "requests_ok", json_object_get(j, "requests_ok"));
	json_object_set(p, "boot", json_object_get(j, "boot"));
	json_decref(j);
	return 0;
}

static int memory_min_search(struct memory_cfg *cfg)
{
	struct minmem_ctx c;
	struct minmem_search *s = calloc(1, sizeof(*s));
	char *end;
	double tol = strtod(cfg->tolerance, &end);
	ssize_t n;
	int rc, known = 0;

	if (!s)
		return APP_ERR;
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	known = driver_can(cfg->ts.platform, DRIVER_CAP_MIN_MEMORY);
	if (!known) {
		fprintf(stderr, "lvperf memory: --min-search sizes a VM by --opts mem=: platform %s has no such "
				"size (use qemu, libvirt or another VMM)\n", cfg->ts.platform);
		free(s);
		return APP_USAGE;
	}
	if (end == cfg->tolerance || (*end && strcmp(end, "%")) || !(tol >= 0) || tol >= 100) {
		fprintf(stderr, "lvperf memory: --tolerance '%s': expected a percentage below 100, e.g. 5%%\n",
			cfg->tolerance);
		free(s);
		return APP_USAGE;
	}
	if (strcmp(cfg->ts.workload, "nginx") && strcmp(cfg->ts.workload, "redis")) {
		fprintf(stderr, "lvperf memory: --min-search needs a workload with a service (nginx or redis)\n");
		free(s);
		return APP_USAGE;
	}
	c.load = !strcmp(cfg->ts.workload, "redis") ? "kv" : "http";
	if (strcmp(cfg->under, "idle") && strcmp(cfg->under, c.load)) {
		fprintf(stderr, "lvperf memory: --min-search loads %s with %s: leave out --under %s\n",
			cfg->ts.workload, c.load, cfg->under);
		free(s);
		return APP_USAGE;
	}
	if (cfg->floor > cfg->start) {
		fprintf(stderr, "lvperf memory: --floor %" PRIu64 " is above --start %" PRIu64 "\n", cfg->floor,
			cfg->start);
		free(s);
		return APP_USAGE;
	}
	n = readlink("/proc/self/exe", c.self, sizeof(c.self) - 1);
	if (n <= 0) {
		fprintf(stderr, "lvperf memory: cannot find the lvperf binary (/proc/self/exe)\n");
		free(s);
		return APP_ERR;
	}
	c.self[n] = 0;
	{
		char tag[16];

		snprintf(tag, sizeof(tag), "mm%d", (int)getpid());
		ledger_run_dir(c.dir, sizeof(c.dir), tag, "minmem");
	}
	ledger_add(LEDGER_DIRECTORY, c.dir);
	if (mkdir(c.dir, 0700) != 0) {
		fprintf(stderr, "lvperf memory: cannot create %s: %s\n", c.dir, strerror(errno));
		ledger_done(LEDGER_DIRECTORY, c.dir);
		free(s);
		return APP_ERR;
	}
	app_signals();
	c.points = json_array();
	s->start_mib = (unsigned int)cfg->start;
	s->step_mib = (unsigned int)cfg->step;
	s->floor_mib = (unsigned int)cfg->floor;
	s->tolerance = tol / 100;
	s->retries = (unsigned int)cfg->retries;
	rc = minmem_run(s, minmem_oracle_run, &c);
	driver_remove_dir(c.dir);
	if (rc) {
		fprintf(stderr, "lvperf memory: the baseline at %u MiB failed: %s\n", s->start_mib,
			s->failed_why[0] ? s->failed_why : strerror(-rc));
		json_decref(c.points);
		free(s);
		return APP_ERR;
	}
	for (unsigned int i = 0; i < s->n; i++) {
		json_t *p = json_array_get(c.points, i);

		if (p && s->pts[i].rc == 0) {
			json_t *rates = json_array(), *r;
			size_t k;

			/* the retries' objects become their rates (null: did not serve) */
			json_array_foreach(json_object_get(p, "retry_rates"), k, r)
				json_array_append(rates, json_object_get(r, "requests_ok_per_s") ?
								 json_object_get(r, "requests_ok_per_s") : json_null());
			json_object_set_new(p, "retry_rates", rates);
			json_object_set_new(p, "first_rate", json_copy(json_object_get(p, "requests_ok_per_s")));
			json_object_set_new(p, "requests_ok_per_s", json_real(s->pts[i].rate));
			json_object_set_new(p, "runs", json_integer(s->pts[i].runs));
			json_object_set_new(p, "within", json_boolean(s->pts[i].within));
		}
	}
	if (cfg->dp.json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I, s:f, s:I, s:s, s:f, s:I, s:I, s:o, s:o, s:o}}",
				      "command", "memory", "platform", cfg->ts.platform, "workload", cfg->ts.workload,
				      "load", c.load, "min_search", "start_mib", (json_int_t)s->start_mib,
				      "step_mib", (json_int_t)s->step_mib, "floor_mib", (json_int_t)s->floor_mib,
				      "tolerance", s->tolerance, "retries", (json_int_t)s->retries, "rate",
				      "correct replies per second, the best of a size's runs",
				      "baseline", s->baseline, "min_within_mib", (json_int_t)s->min_within_mib,
				      "min_serving_mib", (json_int_t)s->min_serving_mib, "first_failed_mib",
				      s->first_failed_mib ? json_integer(s->first_failed_mib) : json_null(),
				      "failed_why", s->first_failed_mib ? json_string(s->failed_why) : json_null(),
				      "points", c.points);

		app_json_print(o);
	} else {
		printf("--- lvperf memory --min-search: %s running %s under %s load ---\n", cfg->ts.platform,
		       cfg->ts.workload, c.load);
		for (unsigned int i = 0; i < s->n; i++) {
			const struct minmem_point *p = &s->pts[i];

			if (p->rc == 0)
				printf("%6u MiB: %10.0f req/s  %5.1f%% of baseline  %s (best of %u)\n", p->mem_mib,
				       p->rate, s->baseline > 0 ? 100 * p->rate / s->baseline : NAN,
				       p->within ? "within" : "BELOW tolerance", p->runs);
			else
				printf("%6u MiB: did not boot or serve: %s\n", p->mem_mib, s->failed_why);
		}
		printf("least memory within %.1f%% of the baseline (%.0f req/s at %u MiB): %u MiB\n", tol,
		       s->baseline, s->start_mib, s->min_within_mib);
		printf("least memory that boots and serves: %u MiB%s\n", s->min_serving_mib,
		       s->first_failed_mib ? "" : " (the floor: smaller sizes not tried)");
		json_decref(c.points);
	}
	free(s);
	return APP_OK;
}

int cmd_memory(int argc, char **argv)
{
	const char *synopsis = "--platform NAME [--workload W] [--under idle|http|kv] [options]\n"
			       "       lvperf memory --platform VM --workload nginx|redis --min-search [--start MiB] "
			       "[--step MiB] [--floor MiB] [--tolerance P%]";
	struct memory_cfg cfg;
	struct memory_run mr;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&mr, 0, sizeof(mr));
	rc = opt_parse("memory", synopsis, memory_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf memory: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (!cfg.ts.platform) {
		fprintf(stderr, "lvperf memory: --platform NAME is required (see lvperf platforms)\n");
		return APP_USAGE;
	}
	if (cfg.ts.srv.server && cfg.min_search) {
		fprintf(stderr, "lvperf memory: --min-search runs on this host only (its children boot local VMs)\n");
		return APP_USAGE;
	}
	if (cfg.min_search)
		return memory_min_search(&cfg);
	if (!strcmp(cfg.under, "http"))
		mr.under = 1;
	else if (!strcmp(cfg.under, "kv"))
		mr.under = 2;
	else if (strcmp(cfg.under, "idle")) {
		fprintf(stderr, "lvperf memory: --under '%s': expected idle, http or kv\n", cfg.under);
		return APP_USAGE;
	}
	mr.cfg = &cfg;
	cfg.ts.need_service = mr.under != 0;
	mr.a.load.connections = (uint32_t)cfg.connections;
	mr.a.load.pipeline = 1;
	mr.a.load.duration = cfg.duration;
	mr.a.load.warmup = cfg.warmup;
	mr.a.load.linger = 1000000000ull;
	mr.a.load.seed = 1;
	mr.a.time_wait = 1000000000ull;
	mr.a.min_rto = 200000000ull;
	mr.a.json = 1; /* the load's report goes into ours */
	mr.a.quiet = 1;
	if (mr.under == 1)
		rc = http_load_init(&mr.h, mr.a.load.connections, "/", "lvperf", NULL, 0);
	else if (mr.under == 2)
		rc = resp_load_init(&mr.r, mr.a.load.connections, 1, 0.0, 1000, 3, 1);
	if (rc) {
		fprintf(stderr, "lvperf memory: cannot prepare the load: %s\n", strerror(-rc));
		return APP_ERR;
	}
	rc = target_session_run("memory", &cfg.ts, &cfg.dp, memory_measure, &mr);
	if (mr.under == 1)
		http_load_free(&mr.h);
	else if (mr.under == 2)
		resp_load_free(&mr.r);
	return rc;
}
