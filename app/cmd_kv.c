/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf kv: Redis GET/SET load (RESP) from the dataplane against a real
 * redis-server, closed or open loop, pipelined like redis-benchmark -P.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resp_load.h"
#include "commands.h"
#include "load_run.h"
#include "target.h"

struct kv_cfg {
	struct app_dp_opts dp;
	struct load_run_opts lo;
	struct target_session_opts ts;
	const char *op;
	uint64_t keyspace;
	uint64_t value_size;
};

static const struct opt_def kv_opts[] = {
	APP_DP_OPT_ROWS(struct kv_cfg, dp),
	LOAD_RUN_OPT_ROWS(struct kv_cfg, lo, "6379"),
	TARGET_SESSION_OPT_ROWS(struct kv_cfg, ts, "redis"),
	{ "op", OPT_STR, offsetof(struct kv_cfg, op), 0, 0, "get", "get|set|mixed[:F]",
	  "GET, SET, or a mix with a fraction F of SETs (default 0.5)" },
	{ "keyspace", OPT_U64, offsetof(struct kv_cfg, keyspace), 1, 1000000000000ull, "100000", "K",
	  "keys key:000000000000 .. K-1, drawn uniformly (redis-benchmark -r)" },
	{ "value-size", OPT_U64, offsetof(struct kv_cfg, value_size), 0, 16384, "3", "D",
	  "SET value bytes (redis-benchmark -d)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

struct kv_run {
	struct load_run_args a;
	struct resp_load r;
	struct resp_load rx[DP_WORKERS_MAX - 1]; /* --workers N: workers 1..N-1 */
};

static int kv_measure(struct dp *dp, const void *arg, json_t **json)
{
	const struct kv_run *k = arg;
	int rc = load_run(dp, "kv", &k->a, &load_proto_resp, (void *)&k->r, resp_load_req_max(&k->r), json);

	uint64_t gets = k->r.gets, sets = k->r.sets;

	for (unsigned int w = 1; w < k->a.workers; w++) {
		gets += k->rx[w - 1].gets;
		sets += k->rx[w - 1].sets;
	}
	if (*json) {
		json_object_set_new(*json, "kv", json_pack("{s:I, s:I, s:I, s:I}", "gets_sent",
							   (json_int_t)gets, "sets_sent",
							   (json_int_t)sets, "keyspace",
							   (json_int_t)k->r.keyspace, "value_size",
							   (json_int_t)k->r.value_size));
	}
	return rc;
}

/* --platform: load the booted target's service. */
static int kv_session_measure(struct target_session *s, void *arg, json_t **json)
{
	struct kv_run *k = arg;

	k->a.target_ip = s->t.target_ip;
	k->a.target_port = target_session_port("kv", s);
	if (!k->a.target_port)
		return APP_USAGE;
	return kv_measure(&s->dp, k, json);
}

/* "get", "set", "mixed" or "mixed:F" into a SET fraction. */
static int kv_parse_op(const char *s, double *set_fraction)
{
	char *end;

	if (strcmp(s, "get") == 0)
		*set_fraction = 0;
	else if (strcmp(s, "set") == 0)
		*set_fraction = 1;
	else if (strcmp(s, "mixed") == 0)
		*set_fraction = 0.5;
	else if (strncmp(s, "mixed:", 6) == 0) {
		*set_fraction = strtod(s + 6, &end);
		if (end == s + 6 || *end || !(*set_fraction >= 0 && *set_fraction <= 1))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

int cmd_kv(int argc, char **argv)
{
	const char *synopsis = "--port SPEC --ip A.B.C.D/LEN --target IP[:PORT] [--op get|set|mixed[:F]] [options]\n"
			       "       lvperf kv --platform NAME [--workload redis] [options]";
	struct kv_cfg cfg;
	struct dp_config dcfg;
	struct kv_run run;
	double set_fraction;
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("kv", synopsis, kv_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf kv: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (kv_parse_op(cfg.op, &set_fraction)) {
		fprintf(stderr, "lvperf kv: --op '%s': expected get, set, mixed or mixed:F with F in [0, 1]\n",
			cfg.op);
		return APP_USAGE;
	}
	if (load_run_args_from("kv", &cfg.lo, 6379, !cfg.ts.platform, &run.a) ||
	    (!cfg.ts.platform && app_dp_config("kv", &cfg.dp, 0, &dcfg)))
		return APP_USAGE;
	if (cfg.ts.platform && run.a.workers > 1) {
		fprintf(stderr, "lvperf kv: --platform runs one worker (its boot path polls one queue): "
				"leave out --workers\n");
		return APP_USAGE;
	}
	dcfg.workers = run.a.workers;
	run.a.json = cfg.dp.json;
	run.a.quiet = cfg.dp.quiet;
	rc = resp_load_init(&run.r, run.a.load.connections, run.a.load.pipeline, set_fraction,
			    cfg.keyspace, (uint32_t)cfg.value_size, cfg.lo.seed);
	/* One generator per worker (its own key sequence and counters). */
	for (unsigned int w = 1; rc == 0 && w < run.a.workers; w++) {
		rc = resp_load_init(&run.rx[w - 1], run.a.load.connections, run.a.load.pipeline, set_fraction,
				    cfg.keyspace, (uint32_t)cfg.value_size, cfg.lo.seed + w);
		if (rc)
			while (--w)
				resp_load_free(&run.rx[w - 1]);
		else
			run.a.worker_ctx[w] = &run.rx[w - 1];
	}
	if (rc) {
		fprintf(stderr, "lvperf kv: cannot prepare the requests: %s\n", strerror(-rc));
		return APP_USAGE;
	}
	cfg.ts.need_service = 1;
	if (cfg.ts.platform)
		rc = target_session_run("kv", &cfg.ts, &cfg.dp, kv_session_measure, &run);
	else
		rc = app_dp_run("kv", &dcfg, kv_measure, &run);
	resp_load_free(&run.r);
	for (unsigned int w = 1; w < run.a.workers; w++)
		resp_load_free(&run.rx[w - 1]);
	return rc;
}
