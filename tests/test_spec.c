/* SPDX-License-Identifier: BSD-3-Clause
 * Specs: a full spec loads with every field as written; bad specs give
 * exactly the reviewed problem lines (tests/fixtures/specs/NAME.err), every
 * problem once with its line; the plan covers every point once in a
 * seeded order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner.h"
#include "spec.h"

static const char *const platforms[] = { "native", "runc", "crun", "lxc", "podman", "docker", "gvisor", NULL };

static struct spec s;

/* spec_load on fixture name with the problems in *out (caller frees). */
static int load(const char *name, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	int rc;

	assert_int_equal(chdir(LVP_FIXTURES_DIR "/specs"), 0);
	rc = spec_load(name, platforms, &s, err);
	fclose(err);
	*out = buf;
	return rc;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void test_good(void **state)
{
	char *err;
	const struct spec_metric_cfg *h = &s.m[SPEC_HTTP], *kv = &s.m[SPEC_KV];

	(void)state;
	assert_int_equal(load("good.yaml", &err), 0);
	assert_string_equal(err, "");
	free(err);
	assert_string_equal(s.name, "good");
	assert_int_equal(s.seed, 99);
	assert_int_equal(s.random_order, 1);
	assert_string_equal(s.port_kind, "af_packet");
	assert_string_equal(s.cores, "0,1");
	assert_int_equal(s.n_targets, 2);
	assert_string_equal(s.targets[0].workload, "nginx");
	assert_string_equal(s.targets[1].workload, "beacon");
	assert_string_equal(s.targets[1].accel, "tcg");
	assert_int_equal(s.targets[0].line, 9);
	assert_int_equal(s.targets[0].metrics, (1u << SPEC_STARTUP) | (1u << SPEC_SIZE) | (1u << SPEC_HTTP) |
						       (1u << SPEC_KV) | (1u << SPEC_MEMORY));
	assert_int_equal(s.targets[1].metrics, (1u << SPEC_RTT) | (1u << SPEC_KV));
	assert_int_equal(s.m[SPEC_STARTUP].repetitions, 4); /* spec-wide */
	assert_int_equal(s.m[SPEC_SIZE].repetitions, 2);
	assert_int_equal(h->repetitions, 3);
	assert_int_equal(s.m[SPEC_STARTUP].timeout, 30000000000ull);
	assert_int_equal(s.m[SPEC_STARTUP].gap, 50000000ull);
	assert_int_equal(s.m[SPEC_STARTUP].cold, 1);
	assert_int_equal(s.m[SPEC_RTT].cold, 0);
	assert_int_equal(s.m[SPEC_RTT].count, 500);
	assert_int_equal(s.m[SPEC_RTT].interval, 200000);
	assert_int_equal(h->n_connections, 3);
	assert_int_equal(h->connections[2], 1000);
	assert_int_equal(h->n_pipeline, 2);
	assert_int_equal(h->pipeline[1], 8);
	assert_int_equal(h->duration, 5000000000ull);
	assert_int_equal(kv->n_ops, 1);
	assert_string_equal(kv->ops[0], "set");
	assert_int_equal(kv->duration, 10000000000ull); /* default */
	assert_int_equal(s.m[SPEC_MEMORY].n_under, 3);
	assert_string_equal(s.m[SPEC_MEMORY].under[2], "kv");
}

static void golden(const char *name)
{
	char *err, *want, path[128];
	int rc = load(name, &err);

	snprintf(path, sizeof(path), "%.*s.err", (int)(strlen(name) - 5), name);
	want = slurp(path);
	assert_true(rc > 0);
	assert_string_equal(err, want);
	free(err);
	free(want);
}

static void test_bad_structure(void **state)
{
	(void)state;
	golden("bad_structure.yaml");
}

static void test_bad_values(void **state)
{
	char *err;

	(void)state;
	golden("bad_values.yaml");
	assert_int_equal(load("bad_values.yaml", &err), 21);
	free(err);
}

static void test_bad_yaml(void **state)
{
	(void)state;
	golden("bad_yaml.yaml");
	golden("empty.yaml");
}

static void test_missing_file(void **state)
{
	char *err;

	(void)state;
	assert_int_equal(load("nosuch.yaml", &err), 1);
	assert_non_null(strstr(err, "nosuch.yaml: cannot open: No such file"));
	free(err);
}

static void test_servers(void **state)
{
	char *err;

	(void)state;
	assert_int_equal(load("servers.yaml", &err), 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(s.n_servers, 2);
	assert_string_equal(s.servers[0].name, "left");
	assert_string_equal(s.servers[0].ssh, "ssh://root@10.250.0.2:2222");
	assert_string_equal(s.servers[0].uplink, "eth1");
	assert_string_equal(s.servers[0].identity, "/root/.ssh/lvp_left");
	assert_string_equal(s.servers[0].port, "af_xdp:lvpup0");
	assert_int_equal(s.servers[0].line, 3);
	assert_string_equal(s.servers[1].ssh, "ssh://right.example");
	assert_string_equal(s.servers[1].uplink, "eth1");
	assert_string_equal(s.servers[1].port, "lvpup1");
	assert_string_equal(s.servers[1].identity, "");
	assert_string_equal(s.targets[0].server, "left");
	assert_string_equal(s.targets[0].start, "remote-trigger"); /* a server's default */
	assert_string_equal(s.targets[1].server, "right");
	assert_string_equal(s.targets[2].server, "");
	assert_string_equal(s.targets[2].start, "local-spawn"); /* this host's default */
	assert_string_equal(s.targets[3].start, "remote-trigger");
	/* A spec without servers: every target here, spawned locally. */
	assert_int_equal(load("good.yaml", &err), 0);
	free(err);
	assert_int_equal(s.n_servers, 0);
	assert_string_equal(s.targets[0].server, "");
	assert_string_equal(s.targets[0].start, "local-spawn");
}

static void test_bad_servers(void **state)
{
	(void)state;
	golden("bad_servers.yaml");
	golden("no_servers.yaml");
}

/* host: {platform, opts} (issue 15): kept as given, checked with the
 * command line's --host parser. */
static void test_host(void **state)
{
	char *err;

	(void)state;
	assert_int_equal(load("host.yaml", &err), 0);
	assert_string_equal(err, "");
	free(err);
	assert_string_equal(s.targets[0].host, "qemu");
	assert_string_equal(s.targets[0].host_opts, "machine=q35,accel=tcg,mem=2048");
	assert_string_equal(s.targets[1].host, "qemu");
	assert_string_equal(s.targets[1].host_opts, "");
	/* the agent in the VM spawns: remote-trigger by default */
	assert_string_equal(s.targets[0].start, "remote-trigger");
	assert_string_equal(s.targets[2].start, "remote-request");
	assert_int_equal(load("good.yaml", &err), 0);
	free(err);
	assert_string_equal(s.targets[0].host, "");
	golden("bad_host.yaml");
}

static void test_plan(void **state)
{
	char *err;
	struct run_point *a, *b;
	unsigned n, n2, seen[64] = { 0 }, same = 0, kv_set = 0, pipe8 = 0;

	(void)state;
	assert_int_equal(load("good.yaml", &err), 0);
	free(err);
	/* n1: startup 4 + size 2 + http 3x2x3 + kv 1x2x1x4 + memory 3x4;
	 * c1: rtt 4 + kv 8. */
	a = run_plan(&s, &n);
	assert_int_equal(n, 4 + 2 + 18 + 8 + 12 + 4 + 8);
	for (unsigned i = 0; i < n; i++) {
		assert_true(a[i].id < n);
		seen[a[i].id]++;
		same += a[i].id == i;
		kv_set += a[i].metric == SPEC_KV && strcmp(a[i].op, "set") == 0;
		pipe8 += a[i].metric == SPEC_HTTP && a[i].pipeline == 8;
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	assert_true(same < n / 4); /* shuffled */
	assert_int_equal(kv_set, 16);
	assert_int_equal(pipe8, 9);
	b = run_plan(&s, &n2); /* same seed, same order */
	assert_int_equal(n2, n);
	assert_memory_equal(a, b, n * sizeof(*a));
	free(b);
	s.seed++;
	b = run_plan(&s, &n2);
	assert_true(memcmp(a, b, n * sizeof(*a)) != 0);
	free(b);
	s.random_order = 0;
	b = run_plan(&s, &n2);
	for (unsigned i = 0; i < n2; i++)
		assert_int_equal(b[i].id, i);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	    cmocka_unit_test(test_bad_structure),
		cmocka_unit_test(test_bad_values),  cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_missing_file), cmocka_unit_test(test_plan),
		cmocka_unit_test(test_servers),	     cmocka_unit_test(test_bad_servers),
		cmocka_unit_test(test_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
