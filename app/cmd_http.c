/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf http: HTTP/1.1 load from the dataplane against a real server
 * (nginx), closed or open loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http_load.h"
#include "commands.h"
#include "load_run.h"
#include "target.h"

struct http_cfg {
	struct app_dp_opts dp;
	struct load_run_opts lo;
	struct target_session_opts ts;
	const char *path;
	const char *host;
	const char *header;
	const char *verify;
};

static const struct opt_def http_opts[] = {
	APP_DP_OPT_ROWS(struct http_cfg, dp),
	LOAD_RUN_OPT_ROWS(struct http_cfg, lo, "80"),
	TARGET_SESSION_OPT_ROWS(struct http_cfg, ts, "nginx"),
	{ "path", OPT_STR, offsetof(struct http_cfg, path), 0, 0, "/", "PATH", "request path" },
	{ "host-header", OPT_STR, offsetof(struct http_cfg, host), 0, 0, NULL, "NAME",
	  "Host header (default: the target address)" },
	{ "header", OPT_STR, offsetof(struct http_cfg, header), 0, 0, NULL, "\"Name: value\"",
	  "one extra request header" },
	{ "verify", OPT_STR, offsetof(struct http_cfg, verify), 0, 0, NULL, "FILE",
	  "check every response body byte for byte against FILE" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* Read all of path (at most 64 MiB) into a malloc'd buffer. */
static uint8_t *http_read_file(const char *path, uint64_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= (64l << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n ? (size_t)n : 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (uint64_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct http_run {
	struct load_run_args a;
	struct http_load h;
	struct http_load hx[DP_WORKERS_MAX - 1]; /* --workers N: workers 1..N-1 */
};

static int http_measure(struct dp *dp, const void *arg, json_t **json)
{
	const struct http_run *r = arg;
	int rc = load_run(dp, "http", &r->a, &load_proto_http, (void *)&r->h, r->h.req.len, json);
	uint64_t hits = r->h.memo_hits, learned = r->h.memo_learned;

	for (unsigned int w = 1; w < r->a.workers; w++) {
		hits += r->hx[w - 1].memo_hits;
		learned += r->hx[w - 1].memo_learned;
	}
	if (*json)
		json_object_set_new(*json, "http", json_pack("{s:I, s:I}", "header_memo_hits", (json_int_t)hits,
							    "header_memo_learned", (json_int_t)learned));
	return rc;
}

/* --platform: load the booted target's service. */
static int http_session_measure(struct target_session *s, void *arg, json_t **json)
{
	struct http_run *r = arg;

	r->a.target_ip = s->t.target_ip;
	r->a.target_port = target_session_port("http", s);
	if (!r->a.target_port)
		return APP_USAGE;
	return http_measure(&s->dp, r, json);
}

int cmd_http(int argc, char **argv)
{
	const char *synopsis = "--port SPEC --ip A.B.C.D/LEN --target IP[:PORT] [options]\n"
			       "       lvperf http --platform NAME [--workload nginx] [options]";
	struct http_cfg cfg;
	struct dp_config dcfg;
	struct http_run run;
	uint8_t *body = NULL;
	char host[16];
	int rest, rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = opt_parse("http", synopsis, http_opts, &cfg, argc, argv, &rest);
	if (rc)
		return rc > 0 ? APP_OK : APP_USAGE;
	if (rest != argc) {
		fprintf(stderr, "lvperf http: unexpected argument '%s'\n", argv[rest]);
		return APP_USAGE;
	}
	if (load_run_args_from("http", &cfg.lo, 80, !cfg.ts.platform, &run.a) ||
	    (!cfg.ts.platform && app_dp_config("http", &cfg.dp, 0, &dcfg)))
		return APP_USAGE;
	if (cfg.ts.platform && run.a.workers > 1) {
		fprintf(stderr, "lvperf http: --platform runs one worker (its boot path polls one queue): "
				"leave out --workers\n");
		return APP_USAGE;
	}
	dcfg.workers = run.a.workers;
	if (cfg.ts.platform)
		run.a.target_ip = TARGET_SESSION_IP;
	run.a.json = cfg.dp.json;
	run.a.quiet = cfg.dp.quiet;
	/* One parser set per worker: the parsers are per connection. */
	for (unsigned int w = 0; w < run.a.workers; w++) {
		struct http_load *h = w ? &run.hx[w - 1] : &run.h;

		rc = http_load_init(h, run.a.load.connections, cfg.path,
				    cfg.host ? cfg.host : pkt_format_ip(run.a.target_ip, host),
				    cfg.header ? &cfg.header : NULL, cfg.header ? 1 : 0);
		if (rc) {
			while (w--)
				http_load_free(w ? &run.hx[w - 1] : &run.h);
			break;
		}
		run.a.worker_ctx[w] = h;
	}
	if (rc) {
		fprintf(stderr, "lvperf http: cannot build the request (path, host or header): %s\n",
			strerror(-rc));
		return APP_USAGE;
	}
	if (cfg.verify) {
		uint64_t len = 0;

		body = http_read_file(cfg.verify, &len);
		if (!body) {
			fprintf(stderr, "lvperf http: --verify %s: cannot read it (or larger than 64 MiB)\n",
				cfg.verify);
			for (unsigned int w = 0; w < run.a.workers; w++)
				http_load_free(w ? &run.hx[w - 1] : &run.h);
			return APP_USAGE;
		}
		for (unsigned int w = 0; w < run.a.workers; w++)
			http_load_verify(w ? &run.hx[w - 1] : &run.h, body, len);
	}
	cfg.ts.need_service = 1;
	if (cfg.ts.platform)
		rc = target_session_run("http", &cfg.ts, &cfg.dp, http_session_measure, &run);
	else
		rc = app_dp_run("http", &dcfg, http_measure, &run);
	for (unsigned int w = 0; w < run.a.workers; w++)
		http_load_free(w ? &run.hx[w - 1] : &run.h);
	free(body);
	return rc;
}
