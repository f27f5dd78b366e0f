/* SPDX-License-Identifier: BSD-3-Clause
 * dataplane/load.c without DPDK or a network: the window accounting of a
 * simulated closed loop, the open loop's ready queue under reconnect
 * churn, and the pacing of intended send times. A 1 GHz clock, so a tick
 * is a nanosecond.
 *
 * Each test showed a defect of load.c when written (see its comment).
 */
#include <errno.h>
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

/*
 * --workers N: three workers' loads merged (load_merge) equal one load that
 * saw all their replies: counters summed field by field (backlog_max the
 * largest), the histogram equal slot for slot to the histogram of the
 * union (so every percentile is), the window the earliest start to the
 * latest end, the busy/kick cycles and retransmissions summed as deltas.
 * Worker 2 saw nothing: merging an empty load changes nothing.
 */
static void test_merge_workers(void **state)
{
	const struct load_reply ok = { 2, 1, 1, 1000 }, bad = { 5, 0, 1, 10 };
	struct load w[3], sum, all;
	uint64_t rng = 42;
	unsigned k, i;

	(void)state;
	memset(&all, 0, sizeof(all));
	assert_int_equal(hist_init(&all.hist, 1, 100000000000ull, 3), 0);
	all.clk = &clk1ghz;
	all.phase = LOAD_MEASURE;
	for (k = 0; k < 3; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].clk = &clk1ghz;
		w[k].phase = LOAD_MEASURE;
		assert_int_equal(hist_init(&w[k].hist, 1, 100000000000ull, 3), 0);
	}
	/* Workers 0 and 1: different latency ranges, so their union's
	 * percentiles differ from either one's. */
	for (i = 0; i < 20000; i++) {
		k = i % 2;
		tsc_t lat = (tsc_t)(k ? 200000 : 20000) + (tsc_t)(rng_uniform(&rng) * (k ? 5e6 : 80000));
		const struct load_reply *r = i % 97 ? &ok : &bad;

		load_window_reply(&w[k], 1000, 1000 + lat, r);
		load_window_reply(&all, 1000, 1000 + lat, r);
		w[k].c.sent++;
		w[k].c.replies++;
	}
	w[0].c.conn_reset = 2;
	w[1].c.lost_requests = 3;
	w[0].c.backlog_max = 7;
	w[1].c.backlog_max = 11;
	w[0].measure_started = 5000;
	w[0].measure_ended = 9000;
	w[1].measure_started = 4000;
	w[1].measure_ended = 8000;
	w[0].busy_at_measure = 100;
	w[0].busy_at_end = 600;	 /* 500 */
	w[1].busy_at_measure = 1000;
	w[1].busy_at_end = 1300; /* 300 */
	w[0].kick_at_end = 50;
	w[1].tcp_retx_at_measure = 4;
	w[1].tcp_retx_at_end = 6;

	assert_int_equal(load_sum_init(&sum, NULL, NULL), 0);
	for (k = 0; k < 3; k++)
		assert_int_equal(load_merge(&sum, &w[k]), 0);

	assert_int_equal(sum.c.measured, 20000);
	assert_int_equal(sum.c.measured, w[0].c.measured + w[1].c.measured);
	assert_int_equal(sum.c.measured_ok, all.c.measured_ok);
	assert_int_equal(sum.c.measured_bytes, all.c.measured_bytes);
	assert_int_equal(sum.c.cls[2], all.c.cls[2]);
	assert_int_equal(sum.c.cls[5], all.c.cls[5]);
	assert_int_equal(sum.c.sent, 20000);
	assert_int_equal(sum.c.replies, 20000);
	assert_int_equal(sum.c.conn_reset, 2);
	assert_int_equal(sum.c.lost_requests, 3);
	assert_int_equal(sum.c.backlog_max, 11);
	assert_int_equal(hist_count(&sum.hist), hist_count(&w[0].hist) + hist_count(&w[1].hist));
	assert_int_equal(sum.hist.counts_len, all.hist.counts_len);
	assert_memory_equal(sum.hist.counts, all.hist.counts, all.hist.counts_len * sizeof(uint64_t));
	assert_int_equal(hist_min(&sum.hist), hist_min(&all.hist));
	assert_int_equal(hist_max(&sum.hist), hist_max(&all.hist));
	for (i = 1; i <= 1000; i++)
		assert_int_equal(hist_percentile(&sum.hist, i / 10.0), hist_percentile(&all.hist, i / 10.0));
	/* The union's median lies between the workers' own. */
	assert_true(hist_percentile(&w[0].hist, 50) < hist_percentile(&sum.hist, 50));
	assert_true(hist_percentile(&sum.hist, 50) < hist_percentile(&w[1].hist, 50));
	assert_int_equal(sum.measure_started, 4000);
	assert_int_equal(sum.measure_ended, 9000);
	assert_int_equal(sum.busy_at_end - sum.busy_at_measure, 800);
	assert_int_equal(sum.kick_at_end - sum.kick_at_measure, 50);
	assert_int_equal(sum.tcp_retx_at_end - sum.tcp_retx_at_measure, 2);

	/* Histograms of another layout are refused, the sum unchanged. */
	hist_free(&w[2].hist);
	assert_int_equal(hist_init(&w[2].hist, 1, 1000000, 2), 0);
	hist_record(&w[2].hist, 5);
	assert_int_equal(load_merge(&sum, &w[2]), -EINVAL);
	assert_int_equal(hist_count(&sum.hist), 20000);

	for (k = 0; k < 3; k++)
		hist_free(&w[k].hist);
	hist_free(&all.hist);
	hist_free(&sum.hist);
}

/* A protocol whose every byte is one complete, correct reply. */
static int b_parse(void *ctx, uint32_t conn, const uint8_t *data, uint32_t len,
		   struct load_reply *lr, int *done, int *err)
{
	(void)ctx;
	(void)conn;
	(void)data;
	(void)len;
	(void)err;
	lr->cls = 0;
	lr->ok = 1;
	lr->keep_alive = 1;
	lr->bytes = 1;
	*done = 1;
	return 1;
}

static const struct load_proto b_proto = { .name = "byte", .conn_reset = q_reset, .parse = b_parse };

/*
 * The replies of one recv call go into the histogram as runs of equal
 * latency (one hist_record_n each), and the last run before the call
 * returns: the histogram must equal one built reply by reply, right after
 * each call. Runs here: equal stamps apart (4000 ns, then 3600, then 4000
 * again), a call that ends inside a run of equal stamps, and another
 * connection's replies between the calls.
 */
static void test_latency_runs(void **state)
{
	static const tsc_t stamps[16] = { 1000, 1000, 1000, 1000, 1000, 1000, 1400, 1400,
					  1400, 1000, 1000, 1000, 1000, 1700, 1700, 1700 };
	static const uint8_t bytes[16];
	struct hist ref;
	struct qtest q;
	uint32_t i, k;

	(void)state;
	q_init(&q, 2, 16);
	q.l.proto = &b_proto;
	q.l.phase = LOAD_MEASURE;
	assert_int_equal(hist_init(&ref, 1, 100000000000ull, 3), 0);
	for (k = 0; k < 2; k++) {
		q.l.outstanding[k] = 16;
		q.l.head[k] = 0;
		for (i = 0; i < 16; i++)
			q.l.stamps[((size_t)k << q.l.pipe_shift) + i] = stamps[i] + k;
	}
	q.l.inflight = 32;

	load_tcp_ops.recv(&q.tcp, 0, bytes, 11, 5000);
	for (i = 0; i < 11; i++)
		hist_record(&ref, 5000 - stamps[i]);
	assert_int_equal(q.l.run_n, 0);
	assert_int_equal(hist_count(&q.l.hist), 11);

	load_tcp_ops.recv(&q.tcp, 1, bytes, 16, 5500);
	for (i = 0; i < 16; i++)
		hist_record(&ref, 5500 - (stamps[i] + 1));
	load_tcp_ops.recv(&q.tcp, 0, bytes, 5, 6000);
	for (i = 11; i < 16; i++)
		hist_record(&ref, 6000 - stamps[i]);

	assert_int_equal(q.l.c.measured, 32);
	assert_int_equal(hist_count(&q.l.hist), 32);
	assert_int_equal(hist_min(&q.l.hist), hist_min(&ref));
	assert_int_equal(hist_max(&q.l.hist), hist_max(&ref));
	for (i = 0; i <= 1000; i++)
		assert_int_equal(hist_percentile(&q.l.hist, i / 10.0), hist_percentile(&ref, i / 10.0));
	assert_true(hist_mean(&q.l.hist) == hist_mean(&ref));
	/* 3600 x3, 3799 x3, 4000 x8, 4099 x3, ...: the 16th of 32 is 4099 */
	assert_true(hist_percentile(&q.l.hist, 50) >= 4096 && hist_percentile(&q.l.hist, 50) <= 4099);
	hist_free(&ref);
	q_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_loop_window),
		cmocka_unit_test(test_ready_queue_churn),
		cmocka_unit_test(test_ready_queue_unsent),
		cmocka_unit_test(test_pacing_no_drift),
		cmocka_unit_test(test_merge_workers),
		cmocka_unit_test(test_latency_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
