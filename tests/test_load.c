/* SPDX-License-Identifier: BSD-3-Clause
 * dataplane/load.c without DPDK or a network: the window accounting of a
 * simulated closed loop, the open loop's ready queue under reconnect
 * churn, and the pacing of intended send times. A 1 GHz clock, so a tick
 * is a nanosecond.
 *
 * Each test showed a defect of load.c when written (see its comment).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "rng.h"

#define MS 1000000ull
static const struct tsc_clock clk1ghz = { 1e9, 1.0, 0, 1e9 };

/*
 * A closed loop of 4 connections, one request outstanding each, 50 ms per
 * request (a TCG guest), 200 ms of warm-up and a 1 s window. Every
 * connection completes one request every 50 ms, so 4 * 1000 / 50 = 80
 * complete inside the window. Regression: the window counted only
 * requests sent inside it, 76, low by latency / window = 5 %.
 */
static void test_closed_loop_window(void **state)
{
	const tsc_t lat = 50 * MS, t_measure = 200 * MS, t_end = 1200 * MS;
	const struct load_reply r = { 2, 1, 1, 100 };
	struct load l;
	unsigned c;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.clk = &clk1ghz;
	assert_int_equal(hist_init(&l.hist, 1, 100000000000ull, 3), 0);
	l.t_measure = t_measure;
	for (c = 0; c < 4; c++) {
		tsc_t sent = 1 + c * lat / 4; /* staggered, never on a window edge */

		while (sent + lat < 2000 * MS) {
			tsc_t done = sent + lat;

			l.phase = tsc_before(done, t_measure) ? LOAD_WARMUP
				  : tsc_before(done, t_end)   ? LOAD_MEASURE
							      : LOAD_DRAIN;
			load_window_reply(&l, sent, done, &r);
			sent = done; /* closed loop: the next request leaves with the reply */
		}
	}
	assert_int_equal(l.c.measured, 80);
	assert_int_equal(l.c.measured_ok, 80);
	assert_int_equal(l.c.cls[2], 80);
	assert_int_equal(hist_count(&l.hist), 80);
	assert_true(hist_percentile(&l.hist, 50.0) >= 49 * MS && hist_percentile(&l.hist, 50.0) <= 51 * MS);
	hist_free(&l.hist);
}

/* The load of the queue tests: conns connections on a stack that only has
 * its connection table (no frames are built: no request can be sent). */
struct qtest {
	struct tcp_stack tcp;
	struct load l;
};

static void q_reset(void *ctx, uint32_t conn)
{
	(void)ctx;
	(void)conn;
}

static const struct load_proto q_proto = { .name = "test", .conn_reset = q_reset };

static void q_init(struct qtest *q, uint32_t conns, uint32_t pipeline)
{
	struct load_config cfg = { .connections = conns, .pipeline = pipeline, .rate = 1000,
				   .duration = 1000 * MS, .req_max = 100 };
	static tsc_t busy;
	uint32_t i;

	memset(q, 0, sizeof(*q));
	q->tcp.cfg.max_conns = conns;
	q->tcp.conns = calloc(conns, sizeof(struct tcp_conn));
	q->tcp.app_ctx = &q->l;
	q->tcp.wheel_now = 1; /* no timers: the wheel never turns */
	q->tcp.wheel_tick = 1ull << 62;
	assert_non_null(q->tcp.conns);
	assert_int_equal(load_init(&q->l, &cfg, &q->tcp, &q_proto, NULL, &clk1ghz, &busy), 0);
	load_start(&q->l, 10 * MS);
	q->l.to_open = 0; /* the test connects by hand */
	for (i = 0; i < conns; i++) {
		q->tcp.conns[i].state = TCP_ESTABLISHED;
		load_tcp_ops.connected(&q->tcp, i, 10 * MS);
	}
}

static void q_free(struct qtest *q)
{
	load_free(&q->l);
	free(q->tcp.conns);
}

/* The connection is reset and reconnects at once. */
static void q_churn(struct qtest *q, uint32_t conn)
{
	q->tcp.conns[conn].state = TCP_CLOSED;
	load_tcp_ops.closed(&q->tcp, conn, TCP_CLOSE_RESET, 20 * MS);
	q->tcp.conns[conn].state = TCP_ESTABLISHED;
	load_tcp_ops.connected(&q->tcp, conn, 20 * MS);
}

/* Every connection must still offer all its pipeline places. */
static void q_expect_all_places(struct qtest *q, uint32_t conns, uint32_t pipeline)
{
	uint32_t *per = calloc(conns, sizeof(uint32_t)), conn, i;

	assert_non_null(per);
	while ((conn = load_ready_pop(&q->l)) != TCP_NONE)
		per[conn]++;
	for (i = 0; i < conns; i++)
		if (per[i] != pipeline)
			fail_msg("connection %u offers %u of its %u pipeline places", i, per[i], pipeline);
	free(per);
}

/*
 * Regression: the ready queue held one entry per free pipeline place and
 * was sized for exactly that, but a connection that closed left its stale
 * entries in it; after a reconnect the new entries found it full and were
 * dropped, and the connection lost those places for good.
 */
static void test_ready_queue_churn(void **state)
{
	struct qtest q;
	uint64_t rng = 7;
	int k;

	(void)state;
	q_init(&q, 4, 8);
	q_churn(&q, 0);
	q_expect_all_places(&q, 4, 8);
	q_free(&q);

	q_init(&q, 16, 4);
	for (k = 0; k < 10000; k++) {
		q_churn(&q, (uint32_t)(rng_next(&rng) % 16));
		if (k % 7 == 0) { /* take one and give it back, as a reply would */
			uint32_t c = load_ready_pop(&q.l);

			assert_true(c != TCP_NONE);
			q_churn(&q, c);
		}
	}
	q_expect_all_places(&q, 16, 4);
	q_free(&q);
}

/*
 * Regression: a request that could not be sent (no room in the TCP ring)
 * had already taken its connection off the ready queue, and that place
 * was gone for good.
 */
static void test_ready_queue_unsent(void **state)
{
	struct qtest q;
	int k;

	(void)state;
	q_init(&q, 2, 3); /* txbuf 0: every send finds no room */
	for (k = 0; k < 20; k++)
		load_tick(&q.l, 10 * MS + (tsc_t)k * MS);
	assert_int_equal(q.l.c.sent, 0);
	q_expect_all_places(&q, 2, 3);
	q_free(&q);
}

/*
 * Regression: each gap was truncated to whole ticks before it was added,
 * so at 300 k requests/s on a 2.3 GHz TSC (7666.67 ticks) the schedule ran
 * 0.67 ticks per request early: 0.29 ms after 10^6 requests. Constant and
 * Poisson gaps must stay within a tick of the exact schedule.
 */
static void test_pacing_no_drift(void **state)
{
	const double gap = 2.3e9 / 3e5;
	const tsc_t start = 1000000007ull;
	struct load_pace p;
	uint64_t rng = 42, i;
	double sum = 0;

	(void)state;
	load_pace_init(&p, start, gap, 0, 42);
	for (i = 0; i < 1000000; i++)
		load_pace_advance(&p);
	if (fabs((double)(p.next - start) - 1e6 * gap) > 1)
		fail_msg("constant: %.2f ticks off after 10^6 sends", (double)(p.next - start) - 1e6 * gap);
	load_pace_init(&p, start, gap, 1, 42);
	for (i = 0; i < 1000000; i++) {
		sum += -log(1.0 - rng_uniform(&rng)) * gap;
		load_pace_advance(&p);
	}
	if (fabs((double)(p.next - start) - sum) > 1)
		fail_msg("poisson: %.2f ticks off after 10^6 sends", (double)(p.next - start) - sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_loop_window),
		cmocka_unit_test(test_ready_queue_churn),
		cmocka_unit_test(test_ready_queue_unsent),
		cmocka_unit_test(test_pacing_no_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
