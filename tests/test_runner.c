/* SPDX-License-Identifier: BSD-3-Clause
 * The runner's table of child commands (experiments/runner_point.c)
 * against the commands themselves: every child command line lvperf run
 * builds (each metric, loaded and idle memory, cold startup, both
 * calibration children), with an unknown option appended, is run through
 * the real lvperf; its parser must reach that last option, so every
 * option of the table before it is one the command knows, with a value it
 * accepts. Nothing starts: parsing stops at the unknown option. The
 * argv also carries the table's options and the point's values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner.h"
#include "spec.h"

#define SENTINEL "--lvp-end-of-options"

static struct spec s;

static void spec_fill(void)
{
	struct spec_target *t = &s.targets[0];

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "lvp-test");
	s.seed = 7;
	snprintf(s.port_kind, sizeof(s.port_kind), "af_packet");
	snprintf(s.cores, sizeof(s.cores), "0,1");
	s.n_targets = 1;
	/* No such platform: nothing could start even past the parser. */
	snprintf(t->name, sizeof(t->name), "lvp-t");
	snprintf(t->platform, sizeof(t->platform), "lvp-no-such-platform");
	snprintf(t->workload, sizeof(t->workload), "beacon");
	snprintf(t->net, sizeof(t->net), "platform");
	snprintf(t->accel, sizeof(t->accel), "tcg");
	snprintf(t->image, sizeof(t->image), "/nonexistent/lvp-image");
	snprintf(t->argbuf, sizeof(t->argbuf), "--opts%cmem=64", 0);
	t->args[0] = t->argbuf;
	t->args[1] = t->argbuf + 7;
	t->n_args = 2;
	t->metrics = (1u << SPEC_N_METRICS) - 1;
	for (int m = 0; m < SPEC_N_METRICS; m++) {
		s.m[m].repetitions = 1;
		s.m[m].duration = 3000000000ull;
		s.m[m].warmup = 1000000000ull;
		s.m[m].count = 20;
		s.m[m].interval = 10000000;
		s.m[m].timeout = 5000000000ull;
		s.m[m].cold = 1;
	}
}

/* Run argv (plus SENTINEL) with stderr captured into buf. */
static int run_parser(struct run_argv *a, char *buf, size_t len)
{
	int pfd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	a->v[a->n++] = (char *)SENTINEL;
	a->v[a->n] = NULL;
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 2);
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(a->v[0], a->v);
		_exit(127);
	}
	close(pfd[1]);
	while (got < len - 1 && (n = read(pfd[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_parsed(struct run_argv *a)
{
	char out[4096], cmd[512] = "";
	int rc;

	for (int i = 1; i < a->n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", a->v[i]);
	rc = run_parser(a, out, sizeof(out));
	if (!strstr(out, "unknown option " SENTINEL))
		fail_msg("lvperf%s: the parser stopped before the end (exit %d):\n%s", cmd, rc, out);
	assert_int_not_equal(rc, 0);
}

static int has(const struct run_argv *a, const char *opt, const char *val)
{
	for (int i = 0; i + 1 < a->n; i++)
		if (strcmp(a->v[i], opt) == 0 && (!val || strcmp(a->v[i + 1], val) == 0))
			return 1;
	return 0;
}

static void test_points(void **state)
{
	const char *lvperf = getenv("LVPERF");
	struct run_point p;
	struct run_argv a;

	(void)state;
	assert_non_null(lvperf);
	spec_fill();
	for (int m = 0; m < SPEC_N_METRICS; m++) {
		const char *unders[] = {"idle", "http"};

		for (int u = 0; u < (m == SPEC_MEMORY ? 2 : 1); u++) {
			memset(&p, 0, sizeof(p));
			p.id = 5;
			p.metric = (enum spec_metric)m;
			p.connections = 64;
			p.pipeline = 4;
			p.op = m == SPEC_KV ? "set" : NULL;
			p.under = m == SPEC_MEMORY ? unders[u] : NULL;
			run_point_argv(&s, &p, lvperf, 2000000000ull, &a);
			assert_string_equal(a.v[1], run_cmds[m].command);
			assert_true(has(&a, run_target_opt.platform, "lvp-no-such-platform"));
			assert_true(has(&a, run_target_opt.opts, "mem=64,accel=tcg"));
			if (m == SPEC_HTTP || m == SPEC_KV) {
				assert_true(has(&a, "--connections", "64"));
				assert_true(has(&a, "--pipeline", "4"));
				assert_true(has(&a, "--duration", "2000000000ns")); /* capped */
				assert_true(has(&a, "--seed", "12"));
			}
			if (m == SPEC_MEMORY)
				assert_int_equal(has(&a, "--duration", NULL), u == 1);
			if (m == SPEC_STARTUP)
				assert_true(has(&a, "--cold", NULL) || strcmp(a.v[a.n - 1], "--cold") == 0);
			expect_parsed(&a);
		}
	}
	run_calib_argv(&s, &run_calib_cmd, lvperf, &a);
	assert_true(has(&a, "--http", NULL)); /* the spec has load points */
	expect_parsed(&a);
	run_calib_argv(&s, &run_spawn_floor_cmd, lvperf, &a);
	expect_parsed(&a);
}

/* A target on a server (spec servers:): every command gets the agent's
 * ssh, identity and uplink; all but size this box's end of the cable;
 * startup its start only when it is not the default there; and every one
 * of those options is one the command's own parser takes. */
static void test_server_points(void **state)
{
	const char *lvperf = getenv("LVPERF");
	struct spec_target *t = &s.targets[0];
	struct spec_server *sv = &s.servers[0];
	struct run_point p;
	struct run_argv a;

	(void)state;
	assert_non_null(lvperf);
	spec_fill();
	snprintf(t->net, sizeof(t->net), "direct");
	s.n_servers = 1;
	snprintf(sv->name, sizeof(sv->name), "box2");
	snprintf(sv->ssh, sizeof(sv->ssh), "ssh://root@lvp-no-such-host:2222");
	snprintf(sv->identity, sizeof(sv->identity), "/nonexistent/lvp-key");
	snprintf(sv->uplink, sizeof(sv->uplink), "lvpup0");
	snprintf(sv->port, sizeof(sv->port), "af_xdp:lvpup1");
	snprintf(t->server, sizeof(t->server), "box2");
	for (int start = 0; start < 2; start++) {
		snprintf(t->start, sizeof(t->start), "%s", start ? "remote-request" : "remote-trigger");
		for (int m = 0; m < SPEC_N_METRICS; m++) {
			memset(&p, 0, sizeof(p));
			p.metric = (enum spec_metric)m;
			p.connections = 8;
			p.pipeline = 1;
			p.op = m == SPEC_KV ? "get" : NULL;
			p.under = m == SPEC_MEMORY ? "idle" : NULL;
			run_point_argv(&s, &p, lvperf, 0, &a);
			assert_true(has(&a, run_target_opt.server, sv->ssh));
			assert_true(has(&a, run_target_opt.identity, sv->identity));
			assert_true(has(&a, run_target_opt.uplink, sv->uplink));
			assert_int_equal(has(&a, run_target_opt.port, sv->port), m != SPEC_SIZE);
			assert_int_equal(has(&a, run_target_opt.start, "remote-request"), m == SPEC_STARTUP && start);
			assert_false(has(&a, run_target_opt.start, "remote-trigger"));
			expect_parsed(&a);
		}
	}
	/* A local target marked by trigger gets --start; local-spawn does not. */
	t->server[0] = 0;
	snprintf(t->start, sizeof(t->start), "remote-trigger");
	memset(&p, 0, sizeof(p));
	p.metric = SPEC_STARTUP;
	run_point_argv(&s, &p, lvperf, 0, &a);
	assert_true(has(&a, run_target_opt.start, "remote-trigger"));
	assert_false(has(&a, run_target_opt.server, NULL));
	expect_parsed(&a);
	snprintf(t->start, sizeof(t->start), "local-spawn");
	run_point_argv(&s, &p, lvperf, 0, &a);
	assert_false(has(&a, run_target_opt.start, NULL));
}

/* A target in a host VM (spec host:): every command gets --host and
 * --host-opts, and each command's parser takes them. */
static void test_host_points(void **state)
{
	const char *lvperf = getenv("LVPERF");
	struct spec_target *t = &s.targets[0];
	struct run_point p;
	struct run_argv a;

	(void)state;
	spec_fill();
	snprintf(t->net, sizeof(t->net), "direct");
	snprintf(t->start, sizeof(t->start), "remote-trigger"); /* a host VM's default */
	snprintf(t->host, sizeof(t->host), "qemu");
	snprintf(t->host_opts, sizeof(t->host_opts), "accel=tcg,mem=2048");
	for (int m = 0; m < SPEC_N_METRICS; m++) {
		memset(&p, 0, sizeof(p));
		p.metric = (enum spec_metric)m;
		p.connections = 8;
		p.pipeline = 1;
		p.op = m == SPEC_KV ? "get" : NULL;
		p.under = m == SPEC_MEMORY ? "idle" : NULL;
		run_point_argv(&s, &p, lvperf, 0, &a);
		assert_true(has(&a, run_target_opt.host, "qemu"));
		assert_true(has(&a, run_target_opt.host_opts, "accel=tcg,mem=2048"));
		assert_false(has(&a, run_target_opt.start, NULL));
		assert_false(has(&a, run_target_opt.server, NULL));
		expect_parsed(&a);
	}
}

/* A host VM the runner keeps up (runner_host.c): every command also gets
 * the VM's agent (--server, --identity, --uplink) and, but size, the tap
 * cabled to it (--port), and each command's parser takes them with
 * --host; remote-request is passed on for startup. */
static void test_live_host_points(void **state)
{
	const char *lvperf = getenv("LVPERF");
	struct spec_target *t = &s.targets[0];
	const struct run_live_host live = {.server = "ssh://root@10.250.1.2",
					   .identity = "/nonexistent/lvp-key",
					   .uplink = "lvpup",
					   .port = "af_packet:lvphv1d"};
	struct run_point p;
	struct run_argv a;

	(void)state;
	spec_fill();
	snprintf(t->net, sizeof(t->net), "direct");
	snprintf(t->start, sizeof(t->start), "remote-request");
	snprintf(t->host, sizeof(t->host), "qemu");
	snprintf(t->host_opts, sizeof(t->host_opts), "mem=2048");
	for (int m = 0; m < SPEC_N_METRICS; m++) {
		memset(&p, 0, sizeof(p));
		p.metric = (enum spec_metric)m;
		p.connections = 8;
		p.pipeline = 1;
		p.op = m == SPEC_KV ? "set" : NULL;
		p.under = m == SPEC_MEMORY ? "idle" : NULL;
		run_point_argv_live(&s, &p, lvperf, 0, &live, &a);
		assert_true(has(&a, run_target_opt.host, "qemu"));
		assert_true(has(&a, run_target_opt.host_opts, "mem=2048"));
		assert_true(has(&a, run_target_opt.server, live.server));
		assert_true(has(&a, run_target_opt.identity, live.identity));
		assert_true(has(&a, run_target_opt.uplink, "lvpup"));
		assert_int_equal(has(&a, run_target_opt.port, live.port), m != SPEC_SIZE);
		assert_int_equal(has(&a, run_target_opt.start, "remote-request"),
				 m == SPEC_STARTUP);
		expect_parsed(&a);
		/* without the live VM: the child boots its own */
		run_point_argv_live(&s, &p, lvperf, 0, NULL, &a);
		assert_false(has(&a, run_target_opt.server, NULL));
		assert_false(has(&a, run_target_opt.port, NULL));
	}
}

/* The plan: a host VM target's points run back to back at the place of
 * its first point in the shuffled order; the other targets' points keep
 * their shuffled order, and every point is still there once. */
static void test_plan_groups_hosts(void **state)
{
	struct run_point *a, *b;
	unsigned n, n2, first[3], last[3], moved = 0;

	(void)state;
	spec_fill();
	s.n_targets = 3;
	s.random_order = 1;
	for (unsigned i = 1; i < 3; i++) {
		s.targets[i] = s.targets[0];
		s.targets[i].args[0] = s.targets[i].argbuf;
		s.targets[i].args[1] = s.targets[i].argbuf + 7;
		snprintf(s.targets[i].name, sizeof(s.targets[i].name), "lvp-t%u", i);
	}
	for (int m = 0; m < SPEC_N_METRICS; m++)
		s.m[m].repetitions = 4;
	snprintf(s.targets[1].host, sizeof(s.targets[1].host), "qemu");
	/* the order without grouping: no host VM target */
	a = run_plan(&s, &n);
	assert_non_null(a);
	snprintf(s.targets[1].host, sizeof(s.targets[1].host), "%s", "");
	b = run_plan(&s, &n2);
	assert_int_equal(n, n2);
	assert_true(n > 12);
	for (unsigned t = 0; t < 3; t++) {
		first[t] = n;
		last[t] = 0;
		for (unsigned i = 0; i < n; i++)
			if (a[i].target == t) {
				first[t] = first[t] < i ? first[t] : i;
				last[t] = i;
			}
	}
	/* target 1's points: contiguous, starting where its first was */
	for (unsigned i = first[1]; i <= last[1]; i++)
		assert_int_equal(a[i].target, 1);
	for (unsigned i = 0; i < n2; i++)
		if (b[i].target == 1) {
			assert_int_equal(first[1], i);
			break;
		}
	/* the others keep their relative order; target 1's its own */
	for (unsigned t = 0; t < 3; t++) {
		unsigned j = 0;

		for (unsigned i = 0; i < n2; i++) {
			if (b[i].target != t)
				continue;
			while (j < n && a[j].target != t)
				j++;
			assert_true(j < n);
			assert_int_equal(a[j].id, b[i].id);
			j++;
		}
	}
	/* the shuffle did spread target 1 (else the grouping proved nothing) */
	for (unsigned i = 0, seen = 0; i < n2; i++) {
		seen += b[i].target == 1;
		if (b[i].target != 1 && seen > 0 && seen < (last[1] - first[1] + 1))
			moved = 1;
	}
	assert_true(moved);
	free(a);
	free(b);
	s.n_targets = 1;
	s.random_order = 0;
}

/* The sentinel check can fail: a command given another command's option
 * does not reach it. */
static void test_check_can_fail(void **state)
{
	const char *lvperf = getenv("LVPERF");
	struct run_point p = {.metric = SPEC_SIZE};
	struct run_argv a;
	char out[4096];

	(void)state;
	spec_fill();
	run_point_argv(&s, &p, lvperf, 0, &a);
	a.v[a.n++] = (char *)"--connections";
	a.v[a.n++] = (char *)"1";
	a.v[a.n] = NULL;
	run_parser(&a, out, sizeof(out));
	assert_null(strstr(out, "unknown option " SENTINEL));
	assert_non_null(strstr(out, "--connections"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_points),
	    cmocka_unit_test(test_server_points),
	    cmocka_unit_test(test_host_points),
	    cmocka_unit_test(test_live_host_points),
	    cmocka_unit_test(test_plan_groups_hosts),
	    cmocka_unit_test(test_check_can_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
