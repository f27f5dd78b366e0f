/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the TCP input path (dataplane/tcp.c tcp_input) on a
 * live connection. The harness opens a connection and answers its SYN
 * with a valid SYN-ACK; then each 8-byte record of the input makes one
 * server segment, with valid checksums so that it reaches the state
 * machine: flags, payload length, sequence and acknowledgement numbers
 * relative to the connection's (so most land near the window), window,
 * time passing, and whether the client queues data or reconnects. A
 * record with the top bit set feeds its payload as a raw frame instead.
 * Out-of-order payload is held in buffers of a 16-entry pool, which must
 * all be back after tcp_stack_free.
 *
 * Listen mode: when the first record is a raw frame of length 0 (80 00 ..,
 * a no-op for the client), the input drives a listen-mode stack instead
 * (the server side of lvperf reflect): the harness sends a client's SYN
 * and the ACK of the SYN-ACK, then each record is a client segment in the
 * same format (sequence relative to the client's, acknowledgement to the
 * server's ISS), r[7]&1 queues server data on the connection, and a
 * reconnect sends a new SYN from the next client port (left in SYN_RCVD
 * for the records to finish or not; 2 entries, so SYNs also meet a full
 * table). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "tcp.h"

#define CLI_IP 0x0a000001u
#define SRV_IP 0x0a000002u
#define SRV_PORT 80
#define TX_CAP 2048
#define MS 1000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t tx[TX_CAP], last_syn[TX_CAP];
static uint32_t last_syn_len;
static tsc_t now;
static int listen_mode;	  /* the stack under test is a server */
static uint16_t cport;	  /* listen mode: the client's port */
static uint32_t srv_conn; /* listen mode: the last connection established */
static const uint8_t cli_mac[6] = {2, 0, 0, 0, 0, 1}, srv_mac[6] = {2, 0, 0, 0, 0, 2};

static uint8_t *cb_alloc(void *ctx, void **handle, uint32_t *cap)
{
	(void)ctx;
	*handle = NULL;
	*cap = TX_CAP;
	return tx;
}

static void cb_send(void *ctx, void *handle, uint32_t len)
{
	(void)ctx;
	(void)handle;
	if (len > TX_CAP)
		abort();
	/* keep the last SYN: its port and ISS are what the server answers */
	if (len >= PKT_ETH_HLEN + PKT_IP_HLEN + 20 && (tx[PKT_ETH_HLEN + PKT_IP_HLEN + 13] & 0x02)) {
		memcpy(last_syn, tx, len);
		last_syn_len = len;
	}
}

static void cb_release(void *ctx, void *handle)
{
	(void)ctx;
	(void)handle;
}

static void cb_connected(struct tcp_stack *s, uint32_t conn, tsc_t t)
{
	(void)s;
	(void)t;
	srv_conn = conn;
}

static void cb_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *d, uint32_t len, tsc_t ts)
{
	volatile uint8_t x = 0;

	(void)s;
	(void)conn;
	(void)ts;
	for (uint32_t i = 0; i < len; i++) /* every delivered byte is readable */
		x ^= d[i];
	(void)x;
}

static void cb_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t t)
{
	(void)s;
	(void)conn;
	(void)why;
	(void)t;
}

/* The out-of-order queue's buffers: a small pool, so it runs dry too; every
 * buffer must be back after tcp_stack_free, and none given back twice. */
#define POOL_N 16
static uint8_t pool[POOL_N][TX_CAP], pool_out[POOL_N];
static unsigned pool_used;

static uint8_t *cb_hold(void *ctx, void **handle, uint32_t *cap)
{
	unsigned i;

	(void)ctx;
	for (i = 0; i < POOL_N && pool_out[i]; i++)
		;
	if (i == POOL_N)
		return NULL;
	pool_out[i] = 1;
	pool_used++;
	*handle = &pool_out[i];
	*cap = TX_CAP;
	return pool[i];
}

static void cb_unhold(void *ctx, void *handle)
{
	uint8_t *o = handle;

	(void)ctx;
	if (o < pool_out || o >= pool_out + POOL_N || !*o)
		abort();
	*o = 0;
	pool_used--;
	memset(pool[o - pool_out], 0xdb, TX_CAP);
}

static const struct tcp_app_ops app_ops = { cb_connected, cb_recv, cb_closed };
static const struct tcp_tx_ops tx_ops = {.alloc = cb_alloc,
					 .send = cb_send,
					 .release = cb_release,
					 .hold = cb_hold,
					 .unhold = cb_unhold};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

static void feed(struct tcp_stack *s, const uint8_t *f, uint32_t len)
{
	struct pkt_info pi;

	if (pkt_parse(f, len, &pi) == PKT_TCP)
		tcp_input(s, f, len, &pi, now);
}

/* A server segment to the port of the last SYN, checksums valid. */
static void segment(struct tcp_stack *s, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		    const uint8_t *opt, uint32_t optlen, const uint8_t *payload, uint32_t len)
{
	static uint8_t f[PKT_ETH_HLEN + PKT_IP_HLEN + 60 + 256 + PKT_ETH_MIN];
	uint8_t *ip = f + PKT_ETH_HLEN, *t = ip + PKT_IP_HLEN, pseudo[12];
	uint32_t tcplen = 20 + optlen + len, total = PKT_ETH_HLEN + PKT_IP_HLEN + tcplen;
	uint16_t cs;

	memset(f, 0, sizeof(f));
	memcpy(f, last_syn + 6, 6); /* to the client's MAC */
	memcpy(f + 6, last_syn, 6);
	if (listen_mode) { /* from the client to the server */
		memcpy(f, srv_mac, 6);
		memcpy(f + 6, cli_mac, 6);
	}
	wr16(f + 12, PKT_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	wr16(ip + 2, PKT_IP_HLEN + tcplen);
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	wr32(ip + 12, SRV_IP);
	wr32(ip + 16, CLI_IP);
	cs = pkt_csum(ip, PKT_IP_HLEN);
	memcpy(ip + 10, &cs, 2);
	wr16(t, SRV_PORT);
	memcpy(t + 2, last_syn + PKT_ETH_HLEN + PKT_IP_HLEN, 2); /* its source port */
	if (listen_mode) {
		wr32(ip + 12, CLI_IP);
		wr32(ip + 16, SRV_IP);
		cs = 0;
		memcpy(ip + 10, &cs, 2);
		cs = pkt_csum(ip, PKT_IP_HLEN);
		memcpy(ip + 10, &cs, 2);
		wr16(t, cport);
		wr16(t + 2, SRV_PORT);
	}
	wr32(t + 4, seq);
	wr32(t + 8, ack);
	t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	t[13] = flags;
	wr16(t + 14, win);
	if (optlen)
		memcpy(t + 20, opt, optlen);
	if (len)
		memcpy(t + 20 + optlen, payload, len);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	wr16(pseudo + 10, tcplen);
	cs = pkt_csum_fold(pkt_csum_add(pkt_csum_add(0, pseudo, 12), t, tcplen));
	memcpy(t + 16, &cs, 2);
	feed(s, f, total < PKT_ETH_MIN ? PKT_ETH_MIN : total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t synack_opts[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	static uint8_t req[300];
	struct tsc_clock clk = { .hz = 1e9, .ns_per_tick = 1.0, .dpdk_hz = 1e9 };
	struct tcp_config cfg = {
		.max_conns = 2, .ip_base = CLI_IP, .n_ips = 1, .port_lo = 40000, .port_hi = 40003,
		.txbuf = 4096, .dst_ip = SRV_IP, .dst_port = SRV_PORT,
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 }, .mtu = 1500,
		.time_wait = 1000 * MS, .min_rto = 200 * MS, .clk = &clk,
		/* 64 slots: a jump in time walks 64, not 4096 (the rate was
		 * 3.4 k/s); the wheel also wraps more often */
		.wheel_slots = 64,
		/* as many as the pool holds: the default 4096 cost a loop of
		 * 4096 in init and free per input */
		.ooo_max = 16, .ooo_per_conn = 16,
	};
	struct tcp_stack s;
	uint32_t conn, iss, irs = 0x10000000u;
	size_t off = 0;

	now = 1000000 * MS;
	last_syn_len = 0;
	listen_mode = size >= 8 && data[0] == 0x80 && data[1] == 0;
	if (listen_mode) {
		cfg.listen = 1;
		cfg.listen_port = SRV_PORT;
		cfg.ip_base = SRV_IP;
		memcpy(cfg.src_mac, srv_mac, 6);
		cport = 40000;
		srv_conn = 0;
	}
	if (tcp_stack_init(&s, &cfg, &app_ops, NULL, &tx_ops, NULL) != 0)
		abort();
	if (listen_mode) {
		/* the client's SYN; the SYN-ACK is kept as last_syn; its ACK */
		segment(&s, 0x02, irs, 0, 64240, synack_opts, sizeof(synack_opts), NULL, 0);
		tcp_flush(&s, now);
		if (!last_syn_len || s.n_open != 1)
			abort();
		iss = rd32(last_syn + PKT_ETH_HLEN + PKT_IP_HLEN + 4);
		segment(&s, 0x10, irs + 1, iss + 1, 64240, NULL, 0, NULL, 0);
		if (s.c.established != 1)
			abort();
		conn = srv_conn;
	} else {
		conn = tcp_connect(&s, now);
		tcp_flush(&s, now);
		if (conn == TCP_NONE || !last_syn_len)
			abort();
		iss = rd32(last_syn + PKT_ETH_HLEN + PKT_IP_HLEN + 4);
		(void)rd16;
		segment(&s, 0x12, irs, iss + 1, 64240, synack_opts, sizeof(synack_opts), NULL, 0);
	}
	tcp_flush(&s, now);
	while (size - off >= 8) {
		const uint8_t *r = data + off;
		uint32_t len = r[1];

		off += 8;
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (r[0] & 0x80) {
			feed(&s, data + off, len);
		} else {
			uint32_t seq = irs + 1 + (uint32_t)(int16_t)rd16(r + 2);
			uint32_t ack = iss + 1 + (uint32_t)(int16_t)rd16(r + 4);

			segment(&s, r[0] & 0x3f, seq, ack, (uint16_t)(r[6] << 8 | r[6]),
				(r[0] & 0x40) ? synack_opts : NULL, (r[0] & 0x40) ? 8 : 0, data + off, len);
		}
		off += len;
		now += (tsc_t)(r[7] >> 2) * 10 * MS;
		if (listen_mode)
			conn = srv_conn;
		if (r[7] & 1)
			(void)tcp_send(&s, conn, req, 1 + r[6]);
		if ((r[7] & 3) == 2 && listen_mode) {
			/* a new client: its SYN from the next port */
			cport = (uint16_t)(40000 + (cport - 40000 + 1) % 4);
			irs += 0x01000000u;
			segment(&s, 0x02, irs, 0, (uint16_t)(r[6] << 8 | r[6]),
				(r[0] & 0x40) ? synack_opts : NULL, (r[0] & 0x40) ? 8 : 0, NULL, 0);
			iss = rd32(last_syn + PKT_ETH_HLEN + PKT_IP_HLEN + 4);
		} else if ((r[7] & 3) == 2) {
			conn = tcp_connect(&s, now);
			if (conn == TCP_NONE)
				conn = 0;
			iss = rd32(last_syn + PKT_ETH_HLEN + PKT_IP_HLEN + 4);
		}
		tcp_flush(&s, now);
	}
	tcp_stack_free(&s);
	if (pool_used)
		abort(); /* a held buffer leaked */
	return 0;
}
