/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for dataplane/svc.c, the readiness probe: --service parsing,
 * SYN pacing, refused SYNs, the syn and ready marks (the RX stamps of the
 * SYN-ACK and of the segment completing a correct answer), wrong answers
 * and lost connections that make it probe again, and the cap on SYNs in
 * flight. Segments a server would send are built byte for byte and passed
 * through pkt_parse() and tcp_input() as the dataplane does; what the probe
 * sends is captured and parsed back. A 1 GHz clock: a tick is a ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

#define CLI_IP 0x0a000001u
#define SRV_IP 0x0a000002u
#define MS 1000000ull
#define T0 (1000ull * 1000 * MS)
#define TX_MAX 256
#define TX_CAP 2048

static const uint8_t cli_mac[PKT_ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t srv_mac[PKT_ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };

struct harness {
	struct svc_probe p;
	struct tsc_clock clk;
	tsc_t now;
	uint8_t tx[TX_MAX][TX_CAP];
	uint32_t txlen[TX_MAX];
	unsigned n_tx;
};

struct seg {
	uint8_t flags;
	uint16_t sport, dport;
	uint32_t seq, ack, dip;
	const uint8_t *data;
	uint32_t len;
};

static uint8_t *cb_alloc(void *ctx, void **handle, uint32_t *cap)
{
	struct harness *h = ctx;

	if (h->n_tx >= TX_MAX)
		fail_msg("more than %d frames sent", TX_MAX);
	*handle = (void *)(uintptr_t)h->n_tx;
	*cap = TX_CAP;
	return h->tx[h->n_tx];
}

static void cb_send(void *ctx, void *handle, uint32_t len)
{
	struct harness *h = ctx;

	h->txlen[(uintptr_t)handle] = len;
	h->n_tx++;
}

static void cb_release(void *ctx, void *handle)
{
	(void)ctx;
	(void)handle;
}

static const struct tcp_tx_ops tx_ops = {.alloc = cb_alloc, .send = cb_send, .release = cb_release};

static struct harness *mk(void **state, const char *spec_str)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct svc_spec spec;
	char err[160];

	assert_non_null(h);
	h->clk.hz = 1e9;
	h->clk.ns_per_tick = 1.0;
	h->clk.dpdk_hz = 1e9;
	h->now = T0;
	assert_int_equal(svc_spec_parse(spec_str, &spec, err, sizeof(err)), 0);
	assert_int_equal(svc_probe_init(&h->p, &spec, 0, CLI_IP, cli_mac, 1500, &h->clk, 1 * MS, &tx_ops, h),
			 0);
	svc_probe_arm(&h->p, h->now);
	*state = h;
	return h;
}

static int teardown(void **state)
{
	struct harness *h = *state;

	if (h) {
		svc_probe_free(&h->p);
		free(h);
	}
	return 0;
}

static void tick_at(struct harness *h, tsc_t t)
{
	h->now = t;
	svc_probe_tick(&h->p, t);
}

static void seg_of(struct harness *h, unsigned i, struct seg *g)
{
	struct pkt_info pi;
	const uint8_t *t;

	assert_true(i < h->n_tx);
	assert_int_equal(pkt_parse(h->tx[i], h->txlen[i], &pi), PKT_TCP);
	assert_memory_equal(pi.dst_mac, srv_mac, PKT_ETH_ALEN);
	t = h->tx[i] + pi.l4_off;
	memset(g, 0, sizeof(*g));
	g->dip = pi.dst_ip;
	g->sport = pkt_get16(t);
	g->dport = pkt_get16(t + 2);
	g->seq = pkt_get32(t + 4);
	g->ack = pkt_get32(t + 8);
	g->flags = t[13];
	g->data = t + (t[12] >> 4) * 4;
	g->len = (uint32_t)(pkt_get16(h->tx[i] + pi.l3_off + 2) - (pi.l4_off - pi.l3_off) - (t[12] >> 4) * 4);
}

/* SYNs among the frames sent from index from on. */
static unsigned syns_since(struct harness *h, unsigned from)
{
	unsigned i, n = 0;
	struct seg g;

	for (i = from; i < h->n_tx; i++) {
		seg_of(h, i, &g);
		n += g.flags == F_SYN;
	}
	return n;
}

/* A server segment to client port dport, fed to the probe at h->now. */
static void srv(struct harness *h, uint16_t dport, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
		const void *data, uint32_t len)
{
	static uint8_t f[2048];
	static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };
	uint32_t optlen = flags & F_SYN ? 4 : 0, tcplen = 20 + optlen + len;
	uint32_t total = PKT_ETH_HLEN + PKT_IP_HLEN + tcplen;
	uint8_t *ip = f + PKT_ETH_HLEN, *t = ip + PKT_IP_HLEN, ph[12];
	struct pkt_info pi;
	uint16_t cs;

	memset(f, 0, sizeof(f));
	memcpy(f, cli_mac, PKT_ETH_ALEN);
	memcpy(f + 6, srv_mac, PKT_ETH_ALEN);
	pkt_put16(f + 12, PKT_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	pkt_put16(ip + 2, (uint16_t)(PKT_IP_HLEN + tcplen));
	pkt_put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	pkt_put32(ip + 12, SRV_IP);
	pkt_put32(ip + 16, CLI_IP);
	cs = pkt_csum(ip, PKT_IP_HLEN);
	memcpy(ip + 10, &cs, 2);
	pkt_put16(t, sport);
	pkt_put16(t + 2, dport);
	pkt_put32(t + 4, seq);
	pkt_put32(t + 8, ack);
	t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	t[13] = flags;
	pkt_put16(t + 14, 64240);
	if (optlen)
		memcpy(t + 20, mss_opt, optlen);
	if (len) /* data may be NULL then (UBSan) */
		memcpy(t + 20 + optlen, data, len);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	pkt_put16(ph + 10, (uint16_t)tcplen);
	cs = pkt_csum_fold(pkt_csum_add(pkt_csum_add(0, ph, sizeof(ph)), t, tcplen));
	memcpy(t + 16, &cs, 2);
	if (total < PKT_ETH_MIN)
		total = PKT_ETH_MIN;
	assert_int_equal(pkt_parse(f, total, &pi), PKT_TCP);
	tcp_input(&h->p.tcp, f, total, &pi, h->now);
}

#define IRS 5000000u

/* Start probing, answer the first SYN with a SYN-ACK at t: returns the
 * SYN's segment; the request is in the frames after it. */
static void answer_syn(struct harness *h, unsigned syn_idx, tsc_t t, struct seg *syn)
{
	seg_of(h, syn_idx, syn);
	assert_int_equal(syn->flags, F_SYN);
	h->now = t;
	srv(h, syn->sport, syn->dport, F_SYN | F_ACK, IRS, syn->seq + 1, NULL, 0);
}

/* ---- tests ---- */

static void test_spec_parse(void **state)
{
	struct svc_spec s;
	char err[160];
	static const char *const bad[] = { "ftp:21", "http", "http:", "http:0", "http:65536", "http:80x",
					   "redis:6379/x", "http:80/a b", "https:443", "redis:" };
	size_t i;

	(void)state;
	assert_int_equal(svc_spec_parse("http:80", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, SVC_HTTP);
	assert_int_equal(s.port, 80);
	assert_string_equal(s.path, "/");
	assert_int_equal(svc_spec_parse("http:8080/favicon.ico", &s, err, sizeof(err)), 0);
	assert_int_equal(s.port, 8080);
	assert_string_equal(s.path, "/favicon.ico");
	assert_int_equal(svc_spec_parse("redis:6379", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, SVC_REDIS);
	assert_int_equal(s.port, 6379);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (svc_spec_parse(bad[i], &s, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, bad[i]));
		assert_non_null(strstr(err, "expected http:PORT[/PATH] or redis:PORT"));
	}
}

static void test_silent_until_started(void **state)
{
	struct harness *h = mk(state, "http:80");

	tick_at(h, T0 + 5 * MS);
	tick_at(h, T0 + 50 * MS);
	assert_int_equal(h->n_tx, 0);
	assert_int_equal(h->p.c.syns, 0);
}

static void test_syn_pacing_and_refused(void **state)
{
	struct harness *h = mk(state, "http:80");
	struct seg a, b;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	assert_int_equal(h->n_tx, 1);
	seg_of(h, 0, &a);
	assert_int_equal(a.flags, F_SYN);
	assert_int_equal(a.dip, SRV_IP);
	assert_int_equal(a.dport, 80);
	tick_at(h, T0 + MS / 2);
	assert_int_equal(h->n_tx, 1); /* not before the interval */
	/* The kernel refuses: no listener yet. */
	srv(h, a.sport, 80, F_RST | F_ACK, 0, a.seq + 1, NULL, 0);
	assert_int_equal(h->p.c.refused, 1);
	tick_at(h, T0 + MS);
	assert_int_equal(h->n_tx, 2);
	seg_of(h, 1, &b);
	assert_int_equal(b.flags, F_SYN);
	assert_int_not_equal(b.sport, a.sport); /* a fresh source port per SYN */
	tick_at(h, T0 + 10 * MS);
	assert_int_equal(h->p.c.syns, 3); /* late ticks do not make up for missed SYNs */
	assert_int_equal(h->p.first_synack, 0);
	assert_int_equal(h->p.ready, 0);
	assert_int_equal(h->p.state, SVC_PROBING);
}

static void test_http_ready(void **state)
{
	struct harness *h = mk(state, "http:80/f1k");
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	struct seg syn, g, get = { 0 };
	unsigned before, i;
	int saw_get = 0;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	tick_at(h, T0 + MS);
	answer_syn(h, 1, T0 + MS + 30000, &syn);
	assert_int_equal(h->p.first_synack, T0 + MS + 30000);
	before = h->n_tx;
	tick_at(h, T0 + MS + 40000);
	for (i = before; i < h->n_tx; i++) {
		seg_of(h, i, &g);
		if (g.len && g.sport == syn.sport) {
			assert_true(g.len > 20 && !memcmp(g.data, "GET /f1k HTTP/1.1\r\n", 19));
			assert_int_equal(g.seq, syn.seq + 1);
			get = g;
			saw_get = 1;
		}
	}
	assert_true(saw_get);
	assert_int_equal(h->p.c.requests, 1);
	/* No more SYNs while the request is out. */
	before = h->n_tx;
	tick_at(h, T0 + 5 * MS);
	assert_int_equal(syns_since(h, before), 0);
	/* The answer comes in two segments: ready at the second one's stamp. */
	h->now = T0 + 6 * MS;
	srv(h, syn.sport, 80, F_ACK, IRS + 1, get.seq + get.len, ok, 20);
	assert_int_equal(h->p.ready, 0);
	h->now = T0 + 7 * MS;
	srv(h, syn.sport, 80, F_ACK | F_PSH, IRS + 21, get.seq + get.len, ok + 20, sizeof(ok) - 1 - 20);
	assert_int_equal(h->p.ready, T0 + 7 * MS);
	assert_int_equal(h->p.state, SVC_DONE);
	assert_int_equal(h->p.c.bad, 0);
	/* Done: the connection is closed with a FIN, no new SYN. */
	before = h->n_tx;
	tick_at(h, T0 + 20 * MS);
	assert_int_equal(syns_since(h, before), 0);
	seg_of(h, h->n_tx - 1, &g);
	assert_true(g.flags & F_FIN);
}

static void test_http_wrong_then_right(void **state)
{
	struct harness *h = mk(state, "http:80");
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
	static const char ok[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct seg syn, syn2;
	unsigned before;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	answer_syn(h, 0, T0 + 10000, &syn);
	tick_at(h, T0 + 20000);
	h->now = T0 + 100000;
	srv(h, syn.sport, 80, F_ACK | F_PSH, IRS + 1, syn.seq + 1 + h->p.req.len, busy, sizeof(busy) - 1);
	assert_int_equal(h->p.c.bad, 1);
	assert_int_equal(h->p.ready, 0);
	assert_int_equal(h->p.first_synack, T0 + 10000); /* the first SYN-ACK stays the mark */
	/* Probing resumes with a new connection. */
	before = h->n_tx;
	tick_at(h, T0 + 2 * MS);
	assert_int_equal(syns_since(h, before), 1);
	answer_syn(h, h->n_tx - 1, T0 + 2 * MS + 10000, &syn2);
	tick_at(h, T0 + 2 * MS + 20000);
	h->now = T0 + 3 * MS;
	srv(h, syn2.sport, 80, F_ACK | F_PSH, IRS + 1, syn2.seq + 1 + h->p.req.len, ok, sizeof(ok) - 1);
	assert_int_equal(h->p.ready, T0 + 3 * MS); /* 1xx is not final, the 200 after it is */
}

static void test_server_closes_before_answer(void **state)
{
	struct harness *h = mk(state, "http:80");
	struct seg syn;
	unsigned before;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	answer_syn(h, 0, T0 + 10000, &syn);
	tick_at(h, T0 + 20000);
	h->now = T0 + 50000;
	srv(h, syn.sport, 80, F_RST | F_ACK, IRS + 1, syn.seq + 1 + h->p.req.len, NULL, 0);
	assert_int_equal(h->p.c.bad, 1);
	assert_int_equal(h->p.ready, 0);
	before = h->n_tx;
	tick_at(h, T0 + MS);
	assert_int_equal(syns_since(h, before), 1);
}

static void test_redis_ping(void **state)
{
	struct harness *h = mk(state, "redis:6379");
	static const char loading[] = "-LOADING Redis is loading the dataset in memory\r\n";
	struct seg syn, g;
	unsigned i, before;
	int saw_ping = 0;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	answer_syn(h, 0, T0 + 10000, &syn);
	assert_int_equal(syn.dport, 6379);
	before = h->n_tx;
	tick_at(h, T0 + 20000);
	for (i = before; i < h->n_tx; i++) {
		seg_of(h, i, &g);
		if (g.len) {
			assert_int_equal(g.len, 14);
			assert_memory_equal(g.data, "*1\r\n$4\r\nPING\r\n", 14);
			saw_ping = 1;
		}
	}
	assert_true(saw_ping);
	h->now = T0 + 30000;
	srv(h, syn.sport, 6379, F_ACK | F_PSH, IRS + 1, syn.seq + 15, loading, sizeof(loading) - 1);
	assert_int_equal(h->p.c.bad, 1);
	assert_int_equal(h->p.ready, 0);
	tick_at(h, T0 + MS);
	answer_syn(h, h->n_tx - 1, T0 + MS + 10000, &syn);
	tick_at(h, T0 + MS + 20000);
	h->now = T0 + MS + 30000;
	srv(h, syn.sport, 6379, F_ACK | F_PSH, IRS + 1, syn.seq + 15, "+PONG\r\n", 7);
	assert_int_equal(h->p.ready, T0 + MS + 30000);
	assert_int_equal(h->p.state, SVC_DONE);
}

static void test_oldest_syn_dropped(void **state)
{
	struct harness *h = mk(state, "http:80");
	struct seg first, g;
	unsigned i, before, rst = 0;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	for (i = 0; i <= SVC_CONNS; i++)
		tick_at(h, T0 + i * MS);
	assert_int_equal(h->p.c.syns, SVC_CONNS + 1);
	assert_int_equal(h->p.c.dropped, 1);
	/* The SYN-ACK of the dropped (first) SYN is not taken: the stack resets it. */
	seg_of(h, 0, &first);
	before = h->n_tx;
	h->now = T0 + SVC_CONNS * MS + 1000;
	srv(h, first.sport, 80, F_SYN | F_ACK, IRS, first.seq + 1, NULL, 0);
	assert_int_equal(h->p.first_synack, 0);
	tick_at(h, h->now + 1000);
	for (i = before; i < h->n_tx; i++) {
		seg_of(h, i, &g);
		rst += g.sport == first.sport && (g.flags & F_RST);
	}
	assert_int_equal(rst, 1);
}

static void test_rearm_forgets(void **state)
{
	struct harness *h = mk(state, "http:80");
	struct seg syn;

	svc_probe_start(&h->p, SRV_IP, srv_mac, T0);
	tick_at(h, T0);
	answer_syn(h, 0, T0 + 10000, &syn);
	assert_int_not_equal(h->p.first_synack, 0);
	svc_probe_arm(&h->p, T0 + MS);
	assert_int_equal(h->p.first_synack, 0);
	assert_int_equal(h->p.c.syns, 0);
	assert_int_equal(h->p.tcp.n_open, 0);
	assert_int_equal(h->p.state, SVC_WAIT_BEACON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test_teardown(test_silent_until_started, teardown),
		cmocka_unit_test_teardown(test_syn_pacing_and_refused, teardown),
		cmocka_unit_test_teardown(test_http_ready, teardown),
		cmocka_unit_test_teardown(test_http_wrong_then_right, teardown),
		cmocka_unit_test_teardown(test_server_closes_before_answer, teardown),
		cmocka_unit_test_teardown(test_redis_ping, teardown),
		cmocka_unit_test_teardown(test_oldest_syn_dropped, teardown),
		cmocka_unit_test_teardown(test_rearm_forgets, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
