/* SPDX-License-Identifier: BSD-3-Clause
 * --workers placement and ownership without DPDK: --cores lists parsed
 * into the control CPU and one CPU per worker (dataplane/cores.c), and the
 * local-port ranges that decide which worker owns a segment
 * (dataplane/steer.h). Uses the CPUs this process may run on.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cores.h"
#include "steer.h"

/* The first two CPUs this process may use, or skip. */
static int two_cpus(unsigned int *a, unsigned int *b)
{
	cpu_set_t s;
	int n = 0;

	if (sched_getaffinity(0, sizeof(s), &s) != 0)
		return -1;
	for (unsigned int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &s))
			*(n++ ? b : a) = c;
	return n == 2 ? 0 : -1;
}

static void test_cores_list(void **state)
{
	struct core_choice cc;
	unsigned int a, b;
	char arg[64], err[256];

	(void)state;
	if (two_cpus(&a, &b))
		skip();
	/* MAIN,W0,W1 with both workers on one CPU: they share it. */
	snprintf(arg, sizeof(arg), "%u,%u,%u", a, b, b);
	assert_int_equal(cores_pick(arg, -1, &cc, err, sizeof(err)), 0);
	assert_int_equal(cc.main_cpu, a);
	assert_int_equal(cc.worker_cpu, b);
	assert_int_equal(cores_workers(&cc, 2, err, sizeof(err)), 0);
	assert_int_equal(cc.worker_cpus[0], b);
	assert_int_equal(cc.worker_cpus[1], b);
	assert_true(cores_workers_share(&cc));
	/* Two CPUs listed for three workers: refused, with the reason. */
	assert_int_equal(cores_pick(arg, -1, &cc, err, sizeof(err)), 0);
	assert_int_equal(cores_workers(&cc, 3, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "one per worker"));
	/* MAIN,W: every worker on W. */
	snprintf(arg, sizeof(arg), "%u,%u", a, b);
	assert_int_equal(cores_pick(arg, -1, &cc, err, sizeof(err)), 0);
	assert_int_equal(cores_workers(&cc, 4, err, sizeof(err)), 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(cc.worker_cpus[k], b);
	/* One worker: not shared. */
	assert_int_equal(cores_workers(&cc, 1, err, sizeof(err)), 0);
	assert_false(cores_workers_share(&cc));
	/* A worker on the control CPU, junk, an empty entry: refused. */
	snprintf(arg, sizeof(arg), "%u,%u,%u", a, b, a);
	assert_int_equal(cores_pick(arg, -1, &cc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "differ from the control CPU"));
	assert_int_equal(cores_pick("0,x", -1, &cc, err, sizeof(err)), -EINVAL);
	assert_int_equal(cores_pick("0,,1", -1, &cc, err, sizeof(err)), -EINVAL);
	assert_int_equal(cores_pick("0,1,", -1, &cc, err, sizeof(err)), -EINVAL);
	assert_int_equal(cores_pick("", -1, &cc, err, sizeof(err)), -EINVAL);
	/* Nine workers is one too many. */
	assert_int_equal(cores_pick("0,1,1,1,1,1,1,1,1,1", -1, &cc, err, sizeof(err)), -EINVAL);
	/* WORKER alone keeps its old meaning: control on CPU 0, or 1. */
	snprintf(arg, sizeof(arg), "%u", b);
	if (cores_pick(arg, -1, &cc, err, sizeof(err)) == 0)
		assert_int_equal(cc.main_cpu, b == 0 ? 1u : 0u);
	assert_int_equal(cores_workers(&cc, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(cores_workers(&cc, CORES_WORKERS_MAX + 1, err, sizeof(err)), -EINVAL);
}

/* Automatic: never a worker on the control CPU; workers fill the other
 * CPUs first, then share. */
static void test_cores_auto(void **state)
{
	struct core_choice cc;
	char err[256];
	cpu_set_t s;
	int others;

	(void)state;
	if (cores_pick(NULL, -1, &cc, err, sizeof(err)) != 0)
		skip(); /* fewer than two cores */
	assert_int_equal(sched_getaffinity(0, sizeof(s), &s), 0);
	others = CPU_COUNT(&s) - 1;
	assert_int_equal(cores_workers(&cc, 3, err, sizeof(err)), 0);
	for (int k = 0; k < 3; k++)
		assert_int_not_equal(cc.worker_cpus[k], cc.main_cpu);
	assert_int_equal(cc.worker_cpus[0], cc.worker_cpu);
	assert_int_equal(cores_workers_share(&cc), others < 3);
	if (others >= 2)
		assert_int_not_equal(cc.worker_cpus[0], cc.worker_cpus[1]);
}

/* Worker k owns [port_lo + k span, port_lo + (k+1) span); the last one
 * the rest; a port below the range goes to worker 0. */
static void test_steer_owner(void **state)
{
	const uint16_t lo = 1024;
	const uint32_t span2 = (65535 - 1024 + 1) / 2, span3 = (65535 - 1024 + 1) / 3;

	(void)state;
	assert_int_equal(steer_owner_of(lo, span2, 2, 1024), 0);
	assert_int_equal(steer_owner_of(lo, span2, 2, 1024 + span2 - 1), 0);
	assert_int_equal(steer_owner_of(lo, span2, 2, 1024 + span2), 1);
	assert_int_equal(steer_owner_of(lo, span2, 2, 65535), 1);
	assert_int_equal(steer_owner_of(lo, span2, 2, 80), 0);
	assert_int_equal(steer_owner_of(lo, span3, 3, 1024 + 2 * span3 - 1), 1);
	assert_int_equal(steer_owner_of(lo, span3, 3, 1024 + 2 * span3), 2);
	assert_int_equal(steer_owner_of(lo, span3, 3, 65535), 2);
	assert_int_equal(steer_owner_of(lo, 1, 1, 65535), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cores_list),
		cmocka_unit_test(test_cores_auto),
		cmocka_unit_test(test_steer_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
