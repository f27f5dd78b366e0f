/* SPDX-License-Identifier: BSD-3-Clause
 * dataplane/tcp.c against itself: a client stack and a listen-mode stack
 * (the server side of lvperf reflect) whose tx callbacks deliver to each
 * other through an in-memory link that delays every frame, drops some and
 * delays some more than others (so they arrive out of order), from a seeded
 * generator. Both sides send a stream whose every byte is a function of the
 * client port and its offset, and every byte received is checked in the
 * recv callback: in order, none missing, none twice. Time is explicit (a
 * 1 GHz clock: a tick is a nanosecond).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define IP4(a, b, c, d)                                                                            \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define CLI_IP	 IP4(10, 0, 0, 1)
#define SRV_IP	 IP4(10, 0, 0, 2)
#define SRV_PORT 80
#define PORT_LO	 40000

#define US  1000ull
#define MS  1000000ull
#define SEC 1000000000ull
#define T0  (1000 * SEC)

#define FRAME_CAP 2048
#define LINK_MAX  8192
#define CONNS_MAX 16

/* The server's tcp_config.tx_csum_partial for the next pair_new. */
static uint8_t srv_tx_csum_partial;

/* A port with checksum offloads under the client (netif_tcp_tx on vhost or
 * a NIC): its tx ops say the port completes the TCP checksum
 * (csum_offload), and its RX offload gives the client a verdict on every
 * frame: GOOD, or BAD for one in cli_rx_bad_every (0: none). The link
 * does not complete the sums, so the client's segments reach the server
 * partial. Counted: client segments that left partial, frames marked. */
static uint8_t cli_offload;
static unsigned cli_rx_bad_every;
static uint64_t cli_tx_partial_seen, cli_rx_marked_bad;

static const uint8_t cli_mac[PKT_ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t srv_mac[PKT_ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x02};

struct frame {
	uint8_t *buf;
	uint32_t len;
	tsc_t at;	 /* delivered then */
	uint64_t serial; /* sent order: frames due at the same time keep it */
	int to_srv;
};

/* The link and both ends. */
struct pair {
	struct tsc_clock clk;
	tsc_t now;
	uint64_t rng;
	unsigned loss_pm;    /* per mille of frames dropped */
	unsigned reorder_pm; /* per mille delayed by reorder_ns more */
	tsc_t delay, reorder_ns;
	int drop_next_from_srv; /* drop this many of the server's next frames */
	struct frame link[LINK_MAX];
	unsigned n_link;
	uint64_t n_put;
	uint64_t dropped, delayed, delivered;
	long bufs_out;	  /* frame buffers handed out and not yet freed */
	long held_out[2]; /* out-of-order buffers held, per side */

	struct tcp_stack cli, srv;
	uint32_t to_send; /* bytes each side sends per connection */
	/* client side, by connection entry */
	uint32_t c_sent[CONNS_MAX], c_rcvd[CONNS_MAX];
	uint16_t c_port[CONNS_MAX];
	unsigned c_closed, c_closed_normal;
	/* server side, by connection entry */
	uint32_t s_sent[CONNS_MAX], s_rcvd[CONNS_MAX];
	uint16_t s_port[CONNS_MAX];
	unsigned s_connected, s_closed, s_closed_peer_fin, s_closed_reset;
	uint64_t s_bytes, c_bytes;
};

static uint32_t rnd(struct pair *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (uint32_t)(p->rng >> 16);
}

/* Byte i of the stream from the client on port (up) or to it (down). */
static uint8_t stream_byte(uint16_t port, uint32_t i, int up)
{
	uint32_t x = (uint32_t)port * 2654435761u ^ i * 2246822519u ^ (up ? 0x5au : 0xa5u);

	return (uint8_t)(x >> 24 ^ i >> 3);
}

/* ---- tx callbacks: ctx is the pair, the side is in which stack calls ---- */

static uint8_t *tx_alloc(void *ctx, void **handle, uint32_t *cap)
{
	struct pair *p = ctx;
	uint8_t *b = malloc(FRAME_CAP);

	assert_non_null(b);
	p->bufs_out++;
	*handle = b;
	*cap = FRAME_CAP;
	return b;
}

static void tx_release(void *ctx, void *handle)
{
	struct pair *p = ctx;

	p->bufs_out--;
	free(handle);
}

static void link_put(struct pair *p, void *handle, uint32_t len, int to_srv)
{
	struct frame *f;

	if (!to_srv && p->drop_next_from_srv > 0) {
		p->drop_next_from_srv--;
		p->dropped++;
		tx_release(p, handle);
		return;
	}
	if (rnd(p) % 1000 < p->loss_pm) {
		p->dropped++;
		tx_release(p, handle);
		return;
	}
	assert_true(p->n_link < LINK_MAX);
	f = &p->link[p->n_link++];
	f->buf = handle;
	f->len = len;
	f->to_srv = to_srv;
	f->serial = p->n_put++;
	f->at = p->now + p->delay;
	if (rnd(p) % 1000 < p->reorder_pm) {
		f->at += p->reorder_ns;
		p->delayed++;
	}
}

static void tx_send_cli(void *ctx, void *handle, uint32_t len)
{
	link_put(ctx, handle, len, 1);
}

static void tx_send_srv(void *ctx, void *handle, uint32_t len)
{
	link_put(ctx, handle, len, 0);
}

static uint8_t *hold_any(struct pair *p, int side, void **handle, uint32_t *cap)
{
	uint8_t *b = malloc(FRAME_CAP);

	assert_non_null(b);
	p->held_out[side]++;
	*handle = b;
	*cap = FRAME_CAP;
	return b;
}

static uint8_t *hold_cli(void *ctx, void **handle, uint32_t *cap)
{
	return hold_any(ctx, 0, handle, cap);
}

static uint8_t *hold_srv(void *ctx, void **handle, uint32_t *cap)
{
	return hold_any(ctx, 1, handle, cap);
}

static void unhold_cli(void *ctx, void *handle)
{
	((struct pair *)ctx)->held_out[0]--;
	free(handle);
}

static void unhold_srv(void *ctx, void *handle)
{
	((struct pair *)ctx)->held_out[1]--;
	free(handle);
}

static int cli_csum_offload(void *ctx)
{
	(void)ctx;
	return cli_offload;
}

static const struct tcp_tx_ops cli_tx = {.alloc = tx_alloc,
					 .send = tx_send_cli,
					 .release = tx_release,
					 .hold = hold_cli,
					 .unhold = unhold_cli,
					 .csum_offload = cli_csum_offload};
static const struct tcp_tx_ops srv_tx = {
    .alloc = tx_alloc, .send = tx_send_srv, .release = tx_release, .hold = hold_srv, .unhold = unhold_srv};

/* ---- applications: each side sends to_send bytes, checks what it gets ---- */

static struct pair *pair_of_cli(struct tcp_stack *s)
{
	return (struct pair *)((char *)s - offsetof(struct pair, cli));
}

static struct pair *pair_of_srv(struct tcp_stack *s)
{
	return (struct pair *)((char *)s - offsetof(struct pair, srv));
}

/* Queue what fits of the rest of the stream. */
static void pump(struct tcp_stack *s, uint32_t conn, uint32_t *sent, uint32_t total, uint16_t port,
		 int up)
{
	uint8_t buf[4096];

	while (*sent < total && tcp_conn_get(s, conn)->state == TCP_ESTABLISHED) {
		uint32_t n = tcp_send_room(s, conn), i;

		if (n > sizeof(buf))
			n = sizeof(buf);
		if (n > total - *sent)
			n = total - *sent;
		if (!n)
			break;
		for (i = 0; i < n; i++)
			buf[i] = stream_byte(port, *sent + i, up);
		assert_int_equal(tcp_send(s, conn, buf, n), 0);
		*sent += n;
	}
}

static void cli_connected(struct tcp_stack *s, uint32_t conn, tsc_t now)
{
	struct pair *p = pair_of_cli(s);

	(void)now;
	assert_true(conn < CONNS_MAX);
	p->c_port[conn] = tcp_conn_get(s, conn)->src_port;
	p->c_sent[conn] = p->c_rcvd[conn] = 0;
	pump(s, conn, &p->c_sent[conn], p->to_send, p->c_port[conn], 1);
}

static void cli_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *d, uint32_t len, tsc_t ts)
{
	struct pair *p = pair_of_cli(s);
	uint32_t i;

	(void)ts;
	assert_true(p->c_rcvd[conn] + len <= p->to_send);
	for (i = 0; i < len; i++)
		if (d[i] != stream_byte(p->c_port[conn], p->c_rcvd[conn] + i, 0))
			fail_msg("client port %u: byte %u wrong", p->c_port[conn],
				 p->c_rcvd[conn] + i);
	p->c_rcvd[conn] += len;
	p->c_bytes += len;
	if (p->c_rcvd[conn] == p->to_send && p->c_sent[conn] == p->to_send)
		tcp_close(s, conn);
}

static void cli_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t now)
{
	struct pair *p = pair_of_cli(s);

	(void)conn;
	(void)now;
	p->c_closed++;
	p->c_closed_normal += why == TCP_CLOSE_NORMAL;
}

static void srv_connected(struct tcp_stack *s, uint32_t conn, tsc_t now)
{
	struct pair *p = pair_of_srv(s);

	(void)now;
	assert_true(conn < CONNS_MAX);
	assert_int_equal(tcp_conn_get(s, conn)->state, TCP_ESTABLISHED);
	p->s_connected++;
	p->s_port[conn] = s->peers[conn].port;
	assert_int_equal(s->peers[conn].ip, CLI_IP);
	assert_memory_equal(s->peers[conn].mac, cli_mac, PKT_ETH_ALEN);
	p->s_sent[conn] = p->s_rcvd[conn] = 0;
	pump(s, conn, &p->s_sent[conn], p->to_send, p->s_port[conn], 0);
}

static void srv_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *d, uint32_t len, tsc_t ts)
{
	struct pair *p = pair_of_srv(s);
	uint32_t i;

	(void)ts;
	assert_true(p->s_rcvd[conn] + len <= p->to_send);
	for (i = 0; i < len; i++)
		if (d[i] != stream_byte(p->s_port[conn], p->s_rcvd[conn] + i, 1))
			fail_msg("server, client port %u: byte %u wrong", p->s_port[conn],
				 p->s_rcvd[conn] + i);
	p->s_rcvd[conn] += len;
	p->s_bytes += len;
}

static void srv_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t now)
{
	struct pair *p = pair_of_srv(s);

	(void)conn;
	(void)now;
	p->s_closed++;
	p->s_closed_peer_fin += why == TCP_CLOSE_PEER_FIN;
	p->s_closed_reset += why == TCP_CLOSE_RESET;
}

static const struct tcp_app_ops cli_app = {cli_connected, cli_recv, cli_closed};
static const struct tcp_app_ops srv_app = {srv_connected, srv_recv, srv_closed};

/* ---- the pair ---- */

static struct pair *pair_new(uint32_t n_conns, uint32_t srv_conns, uint32_t to_send, uint64_t seed)
{
	struct pair *p = calloc(1, sizeof(*p));
	struct tcp_config cc, sc;

	assert_non_null(p);
	p->clk.hz = 1e9;
	p->clk.ns_per_tick = 1.0;
	p->now = T0;
	p->rng = seed * 0x9e3779b97f4a7c15ull | 1;
	p->delay = 50 * US;
	p->reorder_ns = 400 * US;
	p->to_send = to_send;

	memset(&cc, 0, sizeof(cc));
	cc.max_conns = n_conns;
	cc.ip_base = CLI_IP;
	cc.n_ips = 1;
	cc.port_lo = PORT_LO;
	cc.port_hi = (uint16_t)(PORT_LO + 2 * n_conns - 1);
	cc.txbuf = 16384;
	cc.dst_ip = SRV_IP;
	cc.dst_port = SRV_PORT;
	memcpy(cc.src_mac, cli_mac, PKT_ETH_ALEN);
	memcpy(cc.dst_mac, srv_mac, PKT_ETH_ALEN);
	cc.mtu = 1500;
	cc.time_wait = 10 * MS;
	cc.min_rto = 20 * MS;
	cc.clk = &p->clk;
	assert_int_equal(tcp_stack_init(&p->cli, &cc, &cli_app, NULL, &cli_tx, p), 0);

	memset(&sc, 0, sizeof(sc));
	sc.listen = 1;
	sc.listen_port = SRV_PORT;
	sc.max_conns = srv_conns;
	sc.ip_base = SRV_IP;
	sc.n_ips = 1;
	sc.txbuf = 8192;
	memcpy(sc.src_mac, srv_mac, PKT_ETH_ALEN);
	sc.mtu = 1500;
	sc.min_rto = 20 * MS;
	sc.tx_csum_partial = srv_tx_csum_partial;
	sc.clk = &p->clk;
	assert_int_equal(tcp_stack_init(&p->srv, &sc, &srv_app, NULL, &srv_tx, p), 0);
	return p;
}

static void pair_free(struct pair *p)
{
	unsigned i;

	for (i = 0; i < p->n_link; i++)
		tx_release(p, p->link[i].buf);
	tcp_stack_free(&p->cli);
	tcp_stack_free(&p->srv);
	assert_int_equal(p->bufs_out, 0);
	assert_int_equal(p->held_out[0], 0);
	assert_int_equal(p->held_out[1], 0);
	free(p);
}

/* Deliver every frame due by now, in order of arrival. */
static void deliver(struct pair *p)
{
	for (;;) {
		unsigned i, best = UINT32_MAX;
		struct frame f;
		struct pkt_info pi;

		for (i = 0; i < p->n_link; i++)
			if (!tsc_before(p->now, p->link[i].at) &&
			    (best == UINT32_MAX || tsc_before(p->link[i].at, p->link[best].at) ||
			     (p->link[i].at == p->link[best].at &&
			      p->link[i].serial < p->link[best].serial)))
				best = i;
		if (best == UINT32_MAX)
			return;
		f = p->link[best];
		p->link[best] = p->link[--p->n_link];
		assert_int_equal(pkt_parse(f.buf, f.len, &pi), PKT_TCP);
		if (f.to_srv) {
			assert_memory_equal(pi.dst_mac, srv_mac, PKT_ETH_ALEN);
			if (cli_offload) {
				uint16_t field, partial = pkt_csum_partial(pkt_pseudo_sum(
				    f.buf + pi.l3_off, PKT_IPPROTO_TCP,
				    (uint16_t)(pkt_get16(f.buf + pi.l3_off + 2) - (pi.l4_off - pi.l3_off))));

				memcpy(&field, f.buf + pi.l4_off + 16, 2);
				cli_tx_partial_seen += field == partial;
			}
			tcp_input(&p->srv, f.buf, f.len, &pi, p->now);
		} else {
			assert_memory_equal(pi.dst_mac, cli_mac, PKT_ETH_ALEN);
			assert_int_equal(pi.dst_ip, CLI_IP);
			if (cli_offload) {
				/* The verdict is taken, not the field: garble it. */
				f.buf[pi.l4_off + 16] ^= 0x5a;
				pi.l4_csum_hw = PKT_CSUM_HW_GOOD;
				if (cli_rx_bad_every && f.serial % cli_rx_bad_every == 0) {
					pi.l4_csum_hw = PKT_CSUM_HW_BAD;
					cli_rx_marked_bad++;
				}
			}
			tcp_input(&p->cli, f.buf, f.len, &pi, p->now);
		}
		p->delivered++;
		tx_release(p, f.buf);
	}
}

/* One step of time: deliver, let both sides send, and refill rings. */
static void step(struct pair *p, tsc_t dt)
{
	uint32_t i;

	p->now += dt;
	deliver(p);
	for (i = 0; i < p->cli.cfg.max_conns; i++)
		if (tcp_conn_get(&p->cli, i)->state == TCP_ESTABLISHED) {
			pump(&p->cli, i, &p->c_sent[i], p->to_send, p->c_port[i], 1);
			if (p->c_rcvd[i] == p->to_send && p->c_sent[i] == p->to_send)
				tcp_close(&p->cli, i); /* all sent after all came */
		}
	for (i = 0; i < p->srv.cfg.max_conns; i++)
		if (tcp_conn_get(&p->srv, i)->state == TCP_ESTABLISHED)
			pump(&p->srv, i, &p->s_sent[i], p->to_send, p->s_port[i], 0);
	tcp_flush(&p->cli, p->now);
	tcp_flush(&p->srv, p->now);
}

/* n connections, each way to_send bytes, until all are closed on both
 * sides (or a minute of simulated time). */
static void run_pair(unsigned loss_pm, unsigned reorder_pm, uint32_t n, uint32_t to_send,
		     uint64_t seed, struct pair **out)
{
	struct pair *p = pair_new(n, n, to_send, seed);
	uint32_t i;
	tsc_t end = T0 + 60 * SEC;

	p->loss_pm = loss_pm;
	p->reorder_pm = reorder_pm;
	for (i = 0; i < n; i++)
		assert_int_not_equal(tcp_connect(&p->cli, p->now), TCP_NONE);
	while ((p->c_closed < n || p->s_closed < n) && tsc_before(p->now, end))
		step(p, 20 * US);
	if (getenv("LVP_PAIR_DEBUG"))
		fprintf(stderr,
			"seed %lu: %.3f s, cli retx %lu fast %lu to %lu rst_in %lu, srv retx %lu "
			"fast %lu to %lu "
			"rst_in %lu, srv closed %u peer_fin %u, cli closed %u normal %u\n",
			(unsigned long)seed, (double)(p->now - T0) / 1e9,
			(unsigned long)p->cli.c.retransmits,
			(unsigned long)p->cli.c.fast_retransmits, (unsigned long)p->cli.c.timeouts,
			(unsigned long)p->cli.c.resets_in, (unsigned long)p->srv.c.retransmits,
			(unsigned long)p->srv.c.fast_retransmits, (unsigned long)p->srv.c.timeouts,
			(unsigned long)p->srv.c.resets_in, p->s_closed, p->s_closed_peer_fin,
			p->c_closed, p->c_closed_normal);
	if (getenv("LVP_PAIR_DEBUG"))
		for (i = 0; i < n; i++)
			fprintf(stderr,
				"  cli %u %s port %u sent %u rcvd %u | srv %u %s sent %u rcvd %u\n",
				i, tcp_state_name(tcp_conn_get(&p->cli, i)->state), p->c_port[i],
				p->c_sent[i], p->c_rcvd[i], i,
				tcp_state_name(tcp_conn_get(&p->srv, i)->state), p->s_sent[i],
				p->s_rcvd[i]);
	assert_int_equal(p->c_closed, n);
	assert_int_equal(p->s_closed, n);
	assert_int_equal(p->c_closed_normal, n);
	/* The client keeps no TIME_WAIT state (its port rests instead): when
	 * its last ACK is lost, the server's FIN again is answered with RST. */
	if (loss_pm)
		assert_int_equal(p->s_closed_peer_fin + p->s_closed_reset, n);
	else
		assert_int_equal(p->s_closed_peer_fin, n);
	assert_int_equal(p->s_connected, n);
	assert_int_equal(p->c_bytes, (uint64_t)n * to_send);
	assert_int_equal(p->s_bytes, (uint64_t)n * to_send);
	assert_int_equal(p->srv.c.accepts, n);
	assert_int_equal(p->srv.c.established, n);
	assert_int_equal(p->srv.c.bytes_in, (uint64_t)n * to_send);
	assert_int_equal(p->cli.c.bytes_in, (uint64_t)n * to_send);
	assert_int_equal(p->srv.n_open, 0);
	assert_int_equal(p->cli.n_open, 0);
	/* none but those a test's port marks bad (test_offload) */
	assert_int_equal(p->srv.c.bad_csum + p->cli.c.bad_csum, cli_rx_bad_every ? cli_rx_marked_bad : 0);
	assert_int_equal(p->srv.c.accept_full, 0);
	/* every hash chain is empty again */
	for (i = 0; i <= p->srv.peer_mask; i++)
		assert_int_equal(p->srv.peer_hash[i], TCP_NONE);
	*out = p;
}

static void test_clean(void **state)
{
	struct pair *p;

	(void)state;
	run_pair(0, 0, 8, 100000, 1, &p);
	assert_int_equal(p->srv.c.retransmits + p->srv.c.fast_retransmits, 0);
	assert_int_equal(p->cli.c.retransmits + p->cli.c.fast_retransmits, 0);
	assert_int_equal(p->srv.c.out_of_order + p->cli.c.out_of_order, 0);
	/* Full sums both ways: a full sum equals the pseudo-header's about
	 * once in 65536 segments. */
	assert_true(p->cli.c.csum_partial * 1000 < p->cli.c.segs_in);
	assert_true(p->srv.c.csum_partial * 1000 < p->srv.c.segs_in);
	pair_free(p);
}

/* A server that leaves its checksums partial (lvperf reflect --tx-csum
 * partial): each of its segments holds only the pseudo-header's sum, the
 * client takes every one on that, and the streams still arrive whole. */
static void test_partial(void **state)
{
	struct pair *p;

	(void)state;
	srv_tx_csum_partial = 1;
	run_pair(0, 0, 8, 100000, 7, &p);
	srv_tx_csum_partial = 0;
	assert_true(p->srv.c.segs_out > 8 * 100000 / 1460);
	assert_int_equal(p->cli.c.csum_partial, p->cli.c.segs_in);
	assert_int_equal(p->cli.c.segs_in, p->srv.c.segs_out);
	assert_true(p->srv.c.csum_partial * 1000 < p->srv.c.segs_in);
	pair_free(p);
}

/*
 * A client port with checksum offloads: every segment the client sends
 * leaves only the pseudo-header's sum (the server takes each as partial),
 * and the client takes the port's verdict instead of the field, which the
 * link garbles: GOOD frames are taken (csum_offloaded), BAD ones dropped
 * (bad_csum) and recovered by retransmission. The streams arrive whole.
 */
static void test_offload(void **state)
{
	struct pair *p;

	(void)state;
	cli_offload = 1;
	cli_tx_partial_seen = cli_rx_marked_bad = 0;
	run_pair(0, 0, 8, 100000, 9, &p);
	assert_int_equal(cli_tx_partial_seen, p->cli.c.segs_out);
	assert_int_equal(p->srv.c.csum_partial, p->srv.c.segs_in);
	assert_int_equal(p->cli.c.csum_offloaded, p->cli.c.segs_in);
	assert_int_equal(p->cli.c.bad_csum, 0);
	pair_free(p);

	cli_rx_bad_every = 20;
	run_pair(0, 0, 8, 100000, 11, &p);
	cli_rx_bad_every = 0;
	cli_offload = 0;
	assert_true(cli_rx_marked_bad > 10);
	assert_int_equal(p->cli.c.bad_csum, cli_rx_marked_bad);
	assert_int_equal(p->cli.c.csum_offloaded + p->cli.c.bad_csum, p->cli.c.segs_in);
	assert_true(p->srv.c.retransmits + p->srv.c.fast_retransmits > 0);
	pair_free(p);
}

/* 10 % of frames overtaken by later ones: both out-of-order queues hold. */
static void test_reorder(void **state)
{
	struct pair *p;

	(void)state;
	run_pair(0, 100, 8, 100000, 2, &p);
	assert_true(p->delayed > 100);
	assert_true(p->srv.c.ooo_segments > 0);
	assert_true(p->cli.c.ooo_segments > 0);
	assert_true(p->srv.c.ooo_merged > 0);
	assert_true(p->cli.c.ooo_merged > 0);
	pair_free(p);
}

/* 3 % lost: retransmissions on both sides, still every byte in order. */
static void test_loss(void **state)
{
	struct pair *p;

	(void)state;
	run_pair(30, 0, 8, 100000, 3, &p);
	assert_true(p->dropped > 20);
	assert_true(p->srv.c.retransmits + p->srv.c.fast_retransmits > 0);
	assert_true(p->cli.c.retransmits + p->cli.c.fast_retransmits > 0);
	pair_free(p);
}

static void test_loss_and_reorder(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 10; seed < 16; seed++) {
		struct pair *p;

		run_pair(20, 80, 6, 60000, seed, &p);
		assert_true(p->srv.c.ooo_segments > 0);
		assert_true(p->srv.c.retransmits + p->srv.c.fast_retransmits > 0);
		pair_free(p);
	}
}

/* The SYN-ACK lost: the server resends it (on its RTO or the client's
 * second SYN) and the connection is made. */
static void test_synack_lost(void **state)
{
	struct pair *p = pair_new(1, 1, 1000, 4);

	(void)state;
	p->drop_next_from_srv = 1;
	assert_int_equal(tcp_connect(&p->cli, p->now), 0);
	step(p, 100 * US);
	assert_int_equal(tcp_conn_get(&p->srv, 0)->state, TCP_SYN_RCVD);
	assert_int_equal(p->srv.n_open, 1);
	assert_int_equal(p->dropped, 1);
	while (p->s_connected == 0 && p->now < T0 + 3 * SEC)
		step(p, 100 * US);
	assert_int_equal(p->s_connected, 1);
	assert_true(p->srv.c.retransmits >= 1 || p->cli.c.retransmits >= 1);
	while ((p->c_closed < 1 || p->s_closed < 1) && p->now < T0 + 10 * SEC)
		step(p, 100 * US);
	assert_int_equal(p->c_bytes, 1000);
	assert_int_equal(p->s_bytes, 1000);
	pair_free(p);
}

/* More clients than entries: the one too many gets RST (counted), its
 * client hears REFUSED; the others are served. */
static void test_full(void **state)
{
	struct pair *p = pair_new(3, 2, 5000, 5);
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_not_equal(tcp_connect(&p->cli, p->now), TCP_NONE);
	while ((p->c_closed < 3 || p->s_closed < 2) && p->now < T0 + 10 * SEC)
		step(p, 100 * US);
	assert_int_equal(p->srv.c.accepts, 2);
	assert_int_equal(p->srv.c.accept_full, 1);
	assert_int_equal(p->srv.c.resets_out, 1);
	assert_int_equal(p->cli.c.refused, 1);
	assert_int_equal(p->s_closed_peer_fin, 2);
	assert_int_equal(p->s_bytes, 2 * 5000);
	assert_int_equal(p->c_bytes, 2 * 5000);
	pair_free(p);
}

/* A segment for no connection (not a SYN) gets RST; tcp_connect refuses
 * on a listen stack. */
static void test_no_conn(void **state)
{
	struct pair *p = pair_new(1, 1, 1000, 6);
	uint32_t i;

	(void)state;
	assert_int_equal(tcp_connect(&p->srv, p->now), TCP_NONE);
	/* the client connects, then the server forgets it (abort sends RST) */
	assert_int_equal(tcp_connect(&p->cli, p->now), 0);
	while (p->s_connected == 0 && p->now < T0 + SEC)
		step(p, 100 * US);
	assert_int_equal(p->s_connected, 1);
	tcp_abort(&p->srv, 0, p->now);
	assert_int_equal(p->srv.n_open, 0);
	for (i = 0; i <= p->srv.peer_mask; i++)
		assert_int_equal(p->srv.peer_hash[i], TCP_NONE);
	while (p->c_closed == 0 && p->now < T0 + 2 * SEC)
		step(p, 100 * US);
	assert_int_equal(p->cli.c.resets_in, 1);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean),	cmocka_unit_test(test_reorder),
	    cmocka_unit_test(test_loss),	cmocka_unit_test(test_loss_and_reorder),
	    cmocka_unit_test(test_synack_lost), cmocka_unit_test(test_full),
	    cmocka_unit_test(test_no_conn),	cmocka_unit_test(test_partial),
	    cmocka_unit_test(test_offload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
