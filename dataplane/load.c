/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "load.h"
#include "rng.h"

#define LOAD_REQ_MAX 20480
#define LOAD_CLOSE_WAIT_NS 1000000000ull
#define LOAD_RECONNECT_BACKOFF_NS 10000000ull

static struct load *load_of(struct tcp_stack *s)
{
	return s->app_ctx;
}

int load_init(struct load *l, const struct load_config *cfg, struct tcp_stack *tcp,
	      const struct load_proto *proto, void *proto_ctx, const struct tsc_clock *clk,
	      const tsc_t *busy)
{
	uint32_t n = tcp->cfg.max_conns;
	int rc;

	memset(l, 0, sizeof(*l));
	if (!cfg->connections || cfg->connections > n || !cfg->pipeline || cfg->req_max > LOAD_REQ_MAX)
		return -EINVAL;
	l->cfg = *cfg;
	if (!l->cfg.connect_burst)
		l->cfg.connect_burst = 64;
	l->tcp = tcp;
	l->proto = proto;
	l->proto_ctx = proto_ctx;
	l->clk = clk;
	l->busy = busy;
	l->outstanding = calloc(n, sizeof(uint32_t));
	l->head = calloc(n, sizeof(uint32_t));
	l->gen = calloc(n, sizeof(uint32_t));
	/* Power-of-two rings: indices wrap with a mask, not a division. */
	while ((1u << l->pipe_shift) < cfg->pipeline)
		l->pipe_shift++;
	l->pipe_mask = (1u << l->pipe_shift) - 1;
	l->stamps = calloc((size_t)n << l->pipe_shift, sizeof(tsc_t));
	l->ready_cap = 1;
	while (l->ready_cap < n * cfg->pipeline)
		l->ready_cap <<= 1;
	l->ready = calloc(l->ready_cap, sizeof(uint64_t));
	rc = hist_init(&l->hist, 1, 100000000000ull, 3);
	if (!l->outstanding || !l->head || !l->gen || !l->stamps || !l->ready || rc) {
		load_free(l);
		return rc ? rc : -ENOMEM;
	}
	if (cfg->rate > 0)
		l->gap_tsc = clk->hz / cfg->rate;
	return 0;
}

void load_free(struct load *l)
{
	free(l->outstanding);
	free(l->head);
	free(l->gen);
	free(l->stamps);
	free(l->ready);
	hist_free(&l->hist);
	l->outstanding = l->head = l->gen = NULL;
	l->stamps = NULL;
	l->ready = NULL;
}

static int load_sending(const struct load *l)
{
	return l->phase == LOAD_WARMUP || l->phase == LOAD_MEASURE;
}

/* A queue entry of the connection's current incarnation, established. */
static int ready_live(struct load *l, uint64_t e)
{
	uint32_t conn = (uint32_t)e;

	return (uint32_t)(e >> 32) == l->gen[conn] && tcp_conn_get(l->tcp, conn)->state == TCP_ESTABLISHED;
}

/*
 * The queue holds one live entry per free pipeline place: a connection
 * gets pipeline entries when it connects (outstanding 0), one back per
 * reply, loses one per request sent, and all when it closes (gen moves
 * on). So the live entries of a connection never exceed pipeline -
 * outstanding, their sum never exceeds max_conns * pipeline <= ready_cap,
 * and the entry being pushed is one of them: when the queue is full, what
 * is not live (left behind by closed incarnations) makes the room.
 */
static void ready_push(struct load *l, uint32_t conn)
{
	uint32_t i, kept = 0;

	if (l->ready_count == l->ready_cap) {
		for (i = 0; i < l->ready_count; i++) {
			uint64_t e = l->ready[(l->ready_head + i) & (l->ready_cap - 1)];

			if (ready_live(l, e))
				l->ready[(l->ready_head + kept++) & (l->ready_cap - 1)] = e;
		}
		l->ready_count = kept;
	}
	l->ready[(l->ready_head + l->ready_count) & (l->ready_cap - 1)] =
	    (uint64_t)l->gen[conn] << 32 | conn;
	l->ready_count++;
}

/* Give back the entry just popped for conn (its request was not sent). */
static void ready_unpop(struct load *l, uint32_t conn)
{
	l->ready_head = (l->ready_head - 1) & (l->ready_cap - 1);
	l->ready[l->ready_head] = (uint64_t)l->gen[conn] << 32 | conn;
	l->ready_count++;
}

uint32_t load_ready_pop(struct load *l)
{
	while (l->ready_count) {
		uint64_t e = l->ready[l->ready_head];
		uint32_t conn = (uint32_t)e;

		l->ready_head = (l->ready_head + 1) & (l->ready_cap - 1);
		l->ready_count--;
		if (ready_live(l, e))
			return conn;
	}
	return TCP_NONE;
}

/* Send one request on conn stamped with t (send time, or intended time). */
static int load_send(struct load *l, uint32_t conn, tsc_t t)
{
	uint8_t buf[LOAD_REQ_MAX], *dst;
	uint32_t len, slot;

	/* Check first: a protocol may note each request it generates. */
	if (l->outstanding[conn] == l->cfg.pipeline || tcp_send_room(l->tcp, conn) < l->cfg.req_max)
		return -ENOBUFS;
	/* Written straight into the send ring when it has room in one piece
	 * there, else built aside and copied in (wrapping). */
	dst = tcp_send_reserve(l->tcp, conn, l->cfg.req_max);
	len = l->proto->request(l->proto_ctx, conn, dst ? dst : buf, dst ? l->cfg.req_max : sizeof(buf));
	if (!len)
		return -ENOBUFS;
	if (dst)
		tcp_send_commit(l->tcp, conn, len);
	else if (tcp_send(l->tcp, conn, buf, len) != 0)
		return -ENOBUFS;
	slot = (l->head[conn] + l->outstanding[conn]) & l->pipe_mask;
	l->stamps[((size_t)conn << l->pipe_shift) + slot] = t;
	l->outstanding[conn]++;
	l->inflight++;
	l->c.sent++;
	return 0;
}

static void load_connected(struct tcp_stack *s, uint32_t conn, tsc_t now)
{
	struct load *l = load_of(s);
	uint32_t i;

	l->proto->conn_reset(l->proto_ctx, conn);
	l->head[conn] = 0; /* outstanding is already 0: zeroed when it closed */
	for (i = 0; i < l->cfg.pipeline && load_sending(l); i++) {
		if (l->cfg.rate > 0)
			ready_push(l, conn);
		else if (load_send(l, conn, now))
			break;
	}
}

/* Put the pending run of equal latencies into the histogram. */
static void load_run_flush(struct load *l)
{
	if (l->run_n) {
		hist_record_n(&l->hist, tsc_to_ns(l->clk, l->run_ticks), l->run_n);
		l->run_n = 0;
	}
}

/*
 * Completed inside the window, whenever it was sent or intended (wrk and
 * weighttp count so): in a closed loop the requests in flight when the
 * window opens complete inside it and stand for those still in flight when
 * it closes; counting only requests sent inside it made req/s low by
 * latency / window. The latency joins the pending run when it has the run's
 * TSC ticks (the same ticks give the same ns, the same slot): a pipeline
 * refilled at one instant and answered in one segment completes that way,
 * 16 replies recorded as one (kv P16: the histogram was about 9 TSC cycles
 * a reply). The caller flushes the run before it returns.
 */
static inline void window_reply(struct load *l, tsc_t stamp, tsc_t done, const struct load_reply *r)
{
	tsc_t ticks;

	if (l->phase != LOAD_MEASURE)
		return;
	l->c.measured++;
	l->c.measured_ok += r->ok;
	l->c.measured_bytes += r->bytes;
	l->c.cls[r->cls < LOAD_CLASSES ? r->cls : 0]++;
	ticks = tsc_since(stamp, done);
	if (ticks == l->run_ticks && l->run_n) {
		l->run_n++;
		return;
	}
	load_run_flush(l);
	l->run_ticks = ticks;
	l->run_n = 1;
}

void load_window_reply(struct load *l, tsc_t stamp, tsc_t done, const struct load_reply *r)
{
	window_reply(l, stamp, done, r);
	load_run_flush(l);
}

/* A reply completed on conn at ts. */
static void load_reply_done(struct load *l, uint32_t conn, const struct load_reply *r, tsc_t ts)
{
	size_t base = (size_t)conn << l->pipe_shift;
	tsc_t stamp;

	l->c.replies++;
	if (!l->outstanding[conn])
		return; /* a reply nobody asked for: counted as a reply only */
	stamp = l->stamps[base + l->head[conn]];
	l->head[conn] = (l->head[conn] + 1) & l->pipe_mask;
	l->outstanding[conn]--;
	l->inflight--;
	window_reply(l, stamp, ts, r);
	if (!r->keep_alive) {
		tcp_close(l->tcp, conn);
		return;
	}
	if (!load_sending(l))
		return;
	if (l->cfg.rate > 0)
		ready_push(l, conn);
	else
		load_send(l, conn, ts);
}

static void load_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *data, uint32_t len, tsc_t ts)
{
	struct load *l = load_of(s);
	uint32_t gen = l->gen[conn];

	while (len) {
		struct load_reply r;
		int done = 0, err = 0;
		int n = l->proto->parse(l->proto_ctx, conn, data, len, &r, &done, &err);

		if (n < 0) {
			l->c.proto_err[err < LOAD_PROTO_ERRS ? err : 0]++;
			load_run_flush(l);
			tcp_abort(s, conn, ts); /* reopened from load_closed */
			return;
		}
		data += n;
		len -= (uint32_t)n;
		if (done) {
			load_reply_done(l, conn, &r, ts);
			if (l->gen[conn] != gen || tcp_conn_get(s, conn)->state != TCP_ESTABLISHED)
				break;
		} else if (n == 0) {
			break;
		}
	}
	load_run_flush(l);
}

static void load_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t now)
{
	struct load *l = load_of(s);
	struct load_reply r;

	if (why == TCP_CLOSE_PEER_FIN && l->proto->eof(l->proto_ctx, conn, &r))
		load_reply_done(l, conn, &r, now);
	load_run_flush(l);
	l->gen[conn]++;
	l->open--;
	if (l->phase < LOAD_CLOSING) {
		switch (why) {
		case TCP_CLOSE_REFUSED:
			l->c.conn_refused++;
			/* A server that refuses: do not hammer it with SYNs. */
			l->reconnect_after = now + ns_to_tsc(l->clk, LOAD_RECONNECT_BACKOFF_NS);
			break;
		case TCP_CLOSE_RESET: l->c.conn_reset++; break;
		case TCP_CLOSE_TIMEOUT: l->c.conn_timeout++; break;
		case TCP_CLOSE_PEER_FIN: l->c.conn_closed_by_server++; break;
		default: break;
		}
		l->c.lost_requests += l->outstanding[conn];
	}
	l->inflight -= l->outstanding[conn];
	l->outstanding[conn] = 0;
	if (load_sending(l)) {
		l->to_open++; /* reopened by the next tick */
		l->c.reconnects++;
	}
}

const struct tcp_app_ops load_tcp_ops = {
	.connected = load_connected,
	.recv = load_recv,
	.closed = load_closed,
};

void load_start(struct load *l, tsc_t now)
{
	l->t_start = now;
	l->t_measure = now + ns_to_tsc(l->clk, l->cfg.warmup);
	l->t_end = l->t_measure + ns_to_tsc(l->clk, l->cfg.duration);
	l->to_open = l->cfg.connections;
	load_pace_init(&l->pace, l->t_start, l->gap_tsc, l->cfg.poisson,
		       l->cfg.seed ? l->cfg.seed : 0x2545f4914f6cdd1dull);
	__atomic_store_n(&l->phase, LOAD_WARMUP, __ATOMIC_RELEASE);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void load_enter(struct load *l, int phase, tsc_t now)
{
	if (phase == LOAD_MEASURE) {
		l->measure_started = now;
		l->busy_at_measure = *l->busy;
		l->cpu_at_measure = thread_cpu_ns();
		l->kick_at_measure = l->kick ? *l->kick : 0;
		l->pmd_at_measure = l->pmd ? *l->pmd : 0;
		l->tcp_retx_at_measure = l->tcp->c.retransmits + l->tcp->c.fast_retransmits;
	}
	if (phase >= LOAD_DRAIN && l->phase <= LOAD_MEASURE) {
		l->measure_ended = now;
		l->busy_at_end = *l->busy;
		l->cpu_at_end = thread_cpu_ns();
		l->kick_at_end = l->kick ? *l->kick : 0;
		l->pmd_at_end = l->pmd ? *l->pmd : 0;
		l->tcp_retx_at_end = l->tcp->c.retransmits + l->tcp->c.fast_retransmits;
		l->t_drain_end = now + ns_to_tsc(l->clk, l->cfg.linger);
		l->to_open = 0;
	}
	if (phase == LOAD_CLOSING) {
		uint32_t i;

		l->t_close_end = now + ns_to_tsc(l->clk, LOAD_CLOSE_WAIT_NS);
		for (i = 0; i < l->tcp->cfg.max_conns; i++) {
			const struct tcp_conn *c = tcp_conn_get(l->tcp, i);

			if (c->state == TCP_SYN_SENT)
				tcp_abort(l->tcp, i, now);
			else if (c->state != TCP_CLOSED)
				tcp_close(l->tcp, i);
		}
	}
	__atomic_store_n(&l->phase, phase, __ATOMIC_RELEASE);
}

void load_stop(struct load *l, tsc_t now)
{
	if (l->phase <= LOAD_MEASURE && l->phase != LOAD_IDLE)
		load_enter(l, LOAD_DRAIN, now);
}

void load_pace_init(struct load_pace *p, tsc_t start, double gap_tsc, int poisson, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->start = p->next = start;
	p->gap = gap_tsc;
	p->poisson = poisson;
	p->rng = seed ? seed : 1;
}

/*
 * The n-th intended time is start + the exact sum of the gaps (n * gap, or
 * the sum of exponential draws, Knuth TAOCP vol. 2 3.4.1 D), truncated to a
 * tick only at the end: the error stays below one tick instead of growing
 * with every send.
 */
tsc_t load_pace_advance(struct load_pace *p)
{
	p->n++;
	if (p->poisson)
		p->off += -log(1.0 - rng_uniform(&p->rng)) * p->gap;
	else
		p->off = (double)p->n * p->gap;
	p->next = p->start + (tsc_t)p->off;
	return p->next;
}

/* Open loop: send every request whose intended time has come, on a
 * connection that can take one; the rest wait (and their latency grows). */
static int load_open_loop(struct load *l, tsc_t now)
{
	uint64_t due = 0;
	int work = 0;

	while (!tsc_before(now, l->pace.next)) {
		uint32_t conn = load_ready_pop(l);

		if (conn != TCP_NONE && load_send(l, conn, l->pace.next)) {
			ready_unpop(l, conn); /* no room now: the place stays */
			conn = TCP_NONE;
		}
		if (conn == TCP_NONE) {
			due = (uint64_t)((double)(now - l->pace.next) / l->gap_tsc) + 1;
			if (due > l->c.backlog_max)
				l->c.backlog_max = due;
			break;
		}
		if (tsc_since(l->pace.next, now) > l->gap_tsc)
			l->c.late++;
		load_pace_advance(&l->pace);
		work = 1;
	}
	return work;
}

int load_tick(struct load *l, tsc_t now)
{
	int work = 0;
	uint32_t burst;

	switch (l->phase) {
	case LOAD_WARMUP:
		if (!tsc_before(now, l->t_measure))
			load_enter(l, LOAD_MEASURE, now);
		break;
	case LOAD_MEASURE:
		if (!tsc_before(now, l->t_end) || (l->cfg.requests && l->c.measured >= l->cfg.requests))
			load_enter(l, LOAD_DRAIN, now);
		break;
	case LOAD_DRAIN:
		if (!tsc_before(now, l->t_drain_end) || l->inflight == 0)
			load_enter(l, LOAD_CLOSING, now);
		break;
	case LOAD_CLOSING:
		if (l->tcp->n_open == 0) {
			__atomic_store_n(&l->phase, LOAD_DONE, __ATOMIC_RELEASE);
		} else if (!tsc_before(now, l->t_close_end)) {
			uint32_t i;

			for (i = 0; i < l->tcp->cfg.max_conns; i++)
				if (tcp_conn_get(l->tcp, i)->state != TCP_CLOSED)
					tcp_abort(l->tcp, i, now);
		}
		break;
	default:
		return tcp_flush(l->tcp, now);
	}
	for (burst = l->cfg.connect_burst;
	     l->to_open && burst && load_sending(l) && !tsc_before(now, l->reconnect_after); burst--) {
		if (tcp_connect(l->tcp, now) == TCP_NONE) {
			l->c.connect_fail++;
			break;
		}
		l->to_open--;
		l->open++;
		work = 1;
	}
	if (l->cfg.rate > 0 && load_sending(l))
		work |= load_open_loop(l, now);
	work |= tcp_flush(l->tcp, now);
	return work;
}

int load_sum_init(struct load *dst, const struct load_proto *proto, const struct load_config *cfg)
{
	memset(dst, 0, sizeof(*dst));
	dst->proto = proto;
	if (cfg)
		dst->cfg = *cfg;
	return hist_init(&dst->hist, 1, 100000000000ull, 3);
}

int load_merge(struct load *dst, const struct load *src)
{
	uint64_t *d = (uint64_t *)&dst->c;
	const uint64_t *s = (const uint64_t *)&src->c;
	uint64_t backlog = dst->c.backlog_max > src->c.backlog_max ? dst->c.backlog_max : src->c.backlog_max;
	size_t i;
	int rc;

	/* struct load_counters is uint64_t fields only. */
	_Static_assert(sizeof(struct load_counters) % sizeof(uint64_t) == 0, "load_counters layout");
	rc = hist_merge(&dst->hist, &src->hist);
	if (rc)
		return rc;
	for (i = 0; i < sizeof(struct load_counters) / sizeof(uint64_t); i++)
		d[i] += s[i];
	dst->c.backlog_max = backlog;
	if (src->measure_started && (!dst->measure_started || tsc_before(src->measure_started, dst->measure_started)))
		dst->measure_started = src->measure_started;
	if (src->measure_ended && (!dst->measure_ended || tsc_before(dst->measure_ended, src->measure_ended)))
		dst->measure_ended = src->measure_ended;
	dst->busy_at_end += src->busy_at_end - src->busy_at_measure;
	dst->kick_at_end += src->kick_at_end - src->kick_at_measure;
	dst->pmd_at_end += src->pmd_at_end - src->pmd_at_measure;
	dst->tcp_retx_at_end += src->tcp_retx_at_end - src->tcp_retx_at_measure;
	dst->inflight += src->inflight;
	dst->open += src->open;
	if (!dst->phase || src->phase < dst->phase)
		dst->phase = src->phase;
	return 0;
}
