/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "port.h"
#include "responder.h"
#include "tcp.h"

#define R_FIN 0x01
#define R_SYN 0x02
#define R_RST 0x04
#define R_PSH 0x08
#define R_ACK 0x10

#define R_HDRS (PKT_ETH_HLEN + 20 + 20) /* Ethernet, IPv4 and TCP without options */
#define R_SYN_HDRS (R_HDRS + 4)		/* and the MSS option */

/* RESP request parser states (the RESP spec: arrays of bulk strings). */
enum {
	RP_STAR = 0,
	RP_ARR_NUM,
	RP_DOLLAR,
	RP_BULK_NUM,
	RP_BULK_DATA,
};

struct responder_conn {
	uint32_t ip;
	uint16_t port;
	uint8_t used;
	uint32_t rcv_nxt;
	uint32_t snd_nxt;
	struct responder_parser p;
};

static const char responder_ok[] = "+OK\r\n";
static const char responder_err[] = "-ERR unknown command\r\n";

int responder_init(struct responder *r, enum responder_proto proto, uint32_t body_size,
		   uint32_t max_conns)
{
	char head[192];
	int hl;

	memset(r, 0, sizeof(*r));
	if (body_size > (1u << 20) || max_conns == 0 || max_conns > (1u << 22))
		return -EINVAL;
	r->proto = proto;
	r->body_size = body_size;
	r->max_conns = max_conns;
	if (proto == RESPONDER_HTTP)
		hl = snprintf(head, sizeof(head),
			      "HTTP/1.1 200 OK\r\nServer: lvperf-reflect\r\n"
			      "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n"
			      "Connection: keep-alive\r\n\r\n",
			      body_size);
	else
		hl = snprintf(head, sizeof(head), "$%u\r\n", body_size);
	r->reply_len = (uint32_t)hl + body_size + (proto == RESPONDER_RESP ? 2 : 0);
	r->reply = malloc(r->reply_len);
	for (r->tab_size = 1024; r->tab_size < 2 * max_conns; r->tab_size <<= 1)
		;
	r->tab = calloc(r->tab_size, sizeof(*r->tab));
	if (!r->reply || !r->tab) {
		responder_free(r);
		return -ENOMEM;
	}
	memcpy(r->reply, head, (size_t)hl);
	for (uint32_t i = 0; i < body_size; i++)
		r->reply[hl + i] = (uint8_t)('a' + i % 26);
	if (proto == RESPONDER_RESP)
		memcpy(r->reply + hl + body_size, "\r\n", 2);
	return 0;
}

void responder_free(struct responder *r)
{
	if (r->tcp) {
		tcp_stack_free(r->tcp);
		free(r->tcp);
	}
	free(r->srv);
	free(r->backlog);
	free(r->reply);
	free(r->tab);
	r->tcp = NULL;
	r->srv = NULL;
	r->backlog = NULL;
	r->reply = NULL;
	r->tab = NULL;
}

/* Home slot of a client (Knuth's multiplicative hash of address and port). */
static uint32_t responder_home(const struct responder *r, uint32_t ip, uint16_t port)
{
	return ((ip ^ ((uint32_t)port << 16 | port)) * 2654435761u) & (r->tab_size - 1);
}

static struct responder_conn *responder_find(struct responder *r, uint32_t ip, uint16_t port)
{
	uint32_t i = responder_home(r, ip, port);

	while (r->tab[i].used) {
		if (r->tab[i].ip == ip && r->tab[i].port == port)
			return &r->tab[i];
		i = (i + 1) & (r->tab_size - 1);
	}
	return NULL;
}

static struct responder_conn *responder_add(struct responder *r, uint32_t ip, uint16_t port)
{
	uint32_t i = responder_home(r, ip, port);

	if (r->n_conns >= r->tab_size / 4 * 3)
		return NULL;
	while (r->tab[i].used)
		i = (i + 1) & (r->tab_size - 1);
	memset(&r->tab[i], 0, sizeof(r->tab[i]));
	r->tab[i].used = 1;
	r->tab[i].ip = ip;
	r->tab[i].port = port;
	r->n_conns++;
	return &r->tab[i];
}

/* Remove an entry and shift its cluster back (Knuth, TAOCP vol. 3, 6.4
 * Algorithm R), so lookups never need tombstones. */
static void responder_del(struct responder *r, struct responder_conn *c)
{
	uint32_t mask = r->tab_size - 1, i = (uint32_t)(c - r->tab), j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (!r->tab[j].used)
			break;
		k = responder_home(r, r->tab[j].ip, r->tab[j].port);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			r->tab[i] = r->tab[j];
			i = j;
		}
	}
	r->tab[i].used = 0;
	r->n_conns--;
}

/* Segments being built for one connection. */
struct responder_out {
	struct netif *nif;
	struct responder *r;
	const uint8_t *in;	/* the received frame: addresses to swap */
	const struct pkt_info *pi;
	struct responder_conn *c;
	struct rte_mbuf *m;
	uint32_t used, mss;
};

/* Headers for a segment of plen payload bytes (options: the MSS on a SYN). */
static void responder_headers(struct responder_out *o, uint8_t *f, uint32_t seq, uint8_t flags,
			      uint32_t plen)
{
	const uint8_t *ii = o->in + o->pi->l3_off, *it = o->in + o->pi->l4_off;
	uint32_t thl = (flags & R_SYN) ? 24 : 20;
	uint8_t *ip = f + PKT_ETH_HLEN, *t = ip + 20;
	uint16_t cs;

	memcpy(f, o->in + 6, 6);
	memcpy(f + 6, o->nif->np->mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0;
	pkt_put16(ip + 2, (uint16_t)(20 + thl + plen));
	pkt_put16(ip + 4, 0);
	pkt_put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	pkt_put16(ip + 10, 0);
	memcpy(ip + 12, ii + 16, 4);
	memcpy(ip + 16, ii + 12, 4);
	cs = pkt_csum(ip, 20);
	memcpy(ip + 10, &cs, 2);
	memcpy(t, it + 2, 2);
	memcpy(t + 2, it, 2);
	pkt_put32(t + 4, seq);
	pkt_put32(t + 8, o->c ? o->c->rcv_nxt : 0);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = flags;
	pkt_put16(t + 14, 65535);
	pkt_put16(t + 16, 0);
	pkt_put16(t + 18, 0);
	if (flags & R_SYN) {
		t[20] = 2;
		t[21] = 4;
		pkt_put16(t + 22, (uint16_t)o->mss);
	}
	cs = pkt_csum_fold(pkt_csum_add(pkt_pseudo_sum(ip, PKT_IPPROTO_TCP, (uint16_t)(thl + plen)),
					t, thl + plen));
	memcpy(t + 16, &cs, 2);
}

/* Send the segment being built, or a bare one with flags when none is. */
static void responder_send(struct responder_out *o, uint8_t flags)
{
	struct rte_mbuf *m = o->m;
	uint32_t hl = (flags & R_SYN) ? R_SYN_HDRS : R_HDRS, total;

	if (!m) {
		m = rte_pktmbuf_alloc(o->nif->np->pool);
		if (!m) {
			o->r->c.tx_nombuf++;
			return;
		}
		o->used = 0;
	}
	responder_headers(o, rte_pktmbuf_mtod(m, uint8_t *), o->c ? o->c->snd_nxt : 0, flags, o->used);
	total = hl + o->used;
	if (total < PKT_ETH_MIN) {
		memset(rte_pktmbuf_mtod(m, uint8_t *) + total, 0, PKT_ETH_MIN - total);
		total = PKT_ETH_MIN;
	}
	m->data_len = (uint16_t)total;
	m->pkt_len = total;
	if (o->c)
		o->c->snd_nxt += o->used + ((flags & (R_SYN | R_FIN)) ? 1 : 0);
	o->r->c.segs_out++;
	o->r->c.bytes_out += o->used;
	o->m = NULL;
	o->used = 0;
	netif_tx(o->nif, m);
}

/* Append reply bytes, sending full segments as they fill. */
static void responder_put(struct responder_out *o, const uint8_t *d, uint32_t len)
{
	while (len) {
		uint32_t n;

		if (!o->m) {
			o->m = rte_pktmbuf_alloc(o->nif->np->pool);
			if (!o->m) {
				o->r->c.tx_nombuf++;
				return;
			}
			o->used = 0;
		}
		n = o->mss - o->used < len ? o->mss - o->used : len;
		memcpy(rte_pktmbuf_mtod(o->m, uint8_t *) + R_HDRS + o->used, d, n);
		o->used += n;
		d += n;
		len -= n;
		if (o->used == o->mss)
			responder_send(o, R_ACK | R_PSH);
	}
}

static int responder_parse_http(struct responder_parser *p, const uint8_t *d, uint32_t n,
				void (*emit)(void *ctx, enum responder_op op), void *ctx)
{
	static const uint8_t end[4] = { '\r', '\n', '\r', '\n' };
	uint32_t st = p->st;

	for (uint32_t i = 0; i < n; i++) {
		if (st == 0) {
			/* Outside a CRLF every byte but CR leaves the state at 0:
			 * go straight to the next CR. */
			const uint8_t *cr = memchr(d + i, '\r', n - i);

			if (!cr)
				break;
			i = (uint32_t)(cr - d);
		}
		if (d[i] == end[st]) {
			if (++st < 4)
				continue;
			emit(ctx, RESPONDER_OP_HTTP);
			st = 0;
		} else {
			st = d[i] == '\r' ? 1 : 0;
		}
	}
	p->st = st;
	return 0;
}

static void responder_parse_done(struct responder_parser *p,
				 void (*emit)(void *ctx, enum responder_op op), void *ctx)
{
	if (p->name_len == 3 && memcmp(p->name, "GET", 3) == 0)
		emit(ctx, RESPONDER_OP_GET);
	else if (p->name_len == 3 && memcmp(p->name, "SET", 3) == 0)
		emit(ctx, RESPONDER_OP_SET);
	else
		emit(ctx, RESPONDER_OP_UNKNOWN);
	p->st = RP_STAR;
}

static int responder_parse_resp(struct responder_parser *p, const uint8_t *d, uint32_t n,
				void (*emit)(void *ctx, enum responder_op op), void *ctx)
{
	uint32_t i = 0;

	while (i < n) {
		uint8_t b = d[i];

		switch (p->st) {
		case RP_STAR:
		case RP_DOLLAR:
			if (b != (p->st == RP_STAR ? '*' : '$'))
				goto bad;
			p->st++;
			p->num = 0;
			i++;
			break;
		case RP_ARR_NUM:
		case RP_BULK_NUM:
			i++;
			if (b >= '0' && b <= '9' && p->num < (1u << 26)) {
				p->num = p->num * 10 + (b - '0');
				break;
			}
			if (b == '\r')
				break;
			if (b != '\n')
				goto bad;
			if (p->st == RP_ARR_NUM) {
				p->args = p->num;
				p->arg = 0;
				p->name_len = 0;
				if (p->args == 0) {
					responder_parse_done(p, emit, ctx);
					break;
				}
				p->st = RP_DOLLAR;
			} else {
				if (p->arg == 0)
					p->name_len = p->num;
				p->left = p->num + 2;
				p->st = RP_BULK_DATA;
			}
			break;
		default: { /* RP_BULK_DATA */
			uint32_t k = n - i < p->left ? n - i : p->left;

			if (p->arg == 0)
				for (uint32_t j = 0; j < k; j++) {
					uint32_t pos = p->name_len + 2 - p->left + j;

					if (pos < 3 && pos < p->name_len)
						p->name[pos] = (char)(d[i + j] & ~0x20);
				}
			p->left -= k;
			i += k;
			if (p->left)
				break;
			if (++p->arg == p->args)
				responder_parse_done(p, emit, ctx);
			else
				p->st = RP_DOLLAR;
			break;
		}
		}
	}
	return 0;
bad:
	p->st = RP_STAR;
	return -EBADMSG;
}

int responder_parse(struct responder_parser *p, enum responder_proto proto, const uint8_t *d,
		    uint32_t n, void (*emit)(void *ctx, enum responder_op op), void *ctx)
{
	return proto == RESPONDER_HTTP ? responder_parse_http(p, d, n, emit, ctx)
				       : responder_parse_resp(p, d, n, emit, ctx);
}

/* A complete request: count it and queue its reply. */
static void responder_emit(void *ctx, enum responder_op op)
{
	struct responder_out *o = ctx;
	struct responder *r = o->r;

	r->c.requests++;
	switch (op) {
	case RESPONDER_OP_HTTP:
		responder_put(o, r->reply, r->reply_len);
		break;
	case RESPONDER_OP_GET:
		r->c.gets++;
		responder_put(o, r->reply, r->reply_len);
		break;
	case RESPONDER_OP_SET:
		r->c.sets++;
		responder_put(o, (const uint8_t *)responder_ok, sizeof(responder_ok) - 1);
		break;
	default:
		r->c.unknown++;
		responder_put(o, (const uint8_t *)responder_err, sizeof(responder_err) - 1);
		break;
	}
}

void responder_input(struct netif *nif, struct responder *r, struct rte_mbuf *m,
		     const struct pkt_info *pi)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = f + pi->l3_off, *t = f + pi->l4_off;
	uint32_t iplen = (uint32_t)ip[2] << 8 | ip[3];
	uint32_t doff = (uint32_t)(t[12] >> 4) * 4, len, seq, skip;
	uint8_t flags = t[13];
	struct responder_out o = { nif, r, f, pi, NULL, NULL, 0, (uint32_t)nif->np->port->mtu - 40 };
	uint64_t segs_before = r->c.segs_out;
	uint32_t src = pkt_get32(ip + 12);
	uint16_t sport = pkt_get16(t);

	r->c.segs_in++;
	if (doff < 20 || pi->l4_off - pi->l3_off + doff > iplen)
		goto out;
	len = iplen - (pi->l4_off - pi->l3_off) - doff;
	seq = pkt_get32(t + 4);
	o.c = responder_find(r, src, sport);
	if (flags & R_RST) {
		r->c.resets_in++;
		if (o.c)
			responder_del(r, o.c);
		goto out;
	}
	if (flags & R_SYN) {
		if (!o.c)
			o.c = responder_add(r, src, sport);
		if (!o.c) {
			r->c.table_full++;
			goto out;
		}
		memset(&o.c->p, 0, sizeof(o.c->p));
		r->c.conns++;
		o.c->rcv_nxt = seq + 1;
		/* ISN from the 4-tuple (Knuth's multiplicative hash). */
		o.c->snd_nxt = (src ^ sport) * 2654435761u;
		responder_send(&o, R_SYN | R_ACK);
		goto out;
	}
	if (!o.c) {
		if (len)
			r->c.no_conn++;
		goto out; /* the last ACK of a closed connection, or a stray */
	}
	if (!len && !(flags & R_FIN))
		goto out; /* a pure ACK needs no answer */
	skip = o.c->rcv_nxt - seq; /* a retransmission may carry new bytes after old ones */
	if (skip && (skip >= len || (int32_t)skip < 0)) {
		r->c.out_of_order++;
		responder_send(&o, R_ACK);
		goto out;
	}
	len -= skip;
	o.c->rcv_nxt += len;
	if (responder_parse(&o.c->p, r->proto, t + doff + skip, len, responder_emit, &o))
		r->c.bad++;
	if (flags & R_FIN) {
		o.c->rcv_nxt++;
		responder_send(&o, R_ACK | R_FIN | (o.used ? R_PSH : 0));
		r->c.closed++;
		responder_del(r, o.c);
	} else if (o.m) {
		responder_send(&o, R_ACK | R_PSH); /* the last partial segment */
	} else if (r->c.segs_out == segs_before) {
		responder_send(&o, R_ACK); /* no complete request: no reply carries the ACK */
	}
out:
	netif_rx_done(nif, m);
	if (r->once && r->n_conns == 0 && r->c.conns && !r->done) {
		netif_flush(nif);
		nif->halted = 1;
		__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	}
}

/* ---- stack mode: the same parsers and replies over tcp.c in listen mode ---- */

struct responder_srv {
	struct responder_parser p;
	uint32_t owed_off;  /* bytes of the first owed reply already queued */
	uint16_t n_owed;    /* replies owed and not (wholly) queued */
	uint16_t head;	    /* the first of them in ops */
	uint8_t backlogged; /* on r->backlog */
	uint8_t dead;	    /* reset by us in the middle of a segment */
	uint8_t ops[RESPONDER_OWED_MAX];
};

/* One emit's context: which connection the parser runs for. */
struct responder_emitter {
	struct responder *r;
	uint32_t conn;
};

static void responder_reply_of(const struct responder *r, uint8_t op, const uint8_t **d,
			       uint32_t *len)
{
	switch (op) {
	case RESPONDER_OP_HTTP:
	case RESPONDER_OP_GET:
		*d = r->reply;
		*len = r->reply_len;
		break;
	case RESPONDER_OP_SET:
		*d = (const uint8_t *)responder_ok;
		*len = sizeof(responder_ok) - 1;
		break;
	default:
		*d = (const uint8_t *)responder_err;
		*len = sizeof(responder_err) - 1;
		break;
	}
}

/* Queue owed replies while the ring has room. Returns 1 when all are. */
static int responder_pump(struct responder *r, uint32_t conn)
{
	struct responder_srv *v = &r->srv[conn];

	while (v->n_owed) {
		const uint8_t *d;
		uint32_t len, room = tcp_send_room(r->tcp, conn), n;

		responder_reply_of(r, v->ops[v->head], &d, &len);
		n = len - v->owed_off;
		if (n > room)
			n = room;
		if (!n || tcp_send(r->tcp, conn, d + v->owed_off, n) != 0)
			return 0;
		v->owed_off += n;
		if (v->owed_off < len)
			return 0;
		v->owed_off = 0;
		v->head = (uint16_t)((v->head + 1) % RESPONDER_OWED_MAX);
		v->n_owed--;
	}
	return 1;
}

static void responder_stack_emit(void *ctx, enum responder_op op)
{
	struct responder_emitter *e = ctx;
	struct responder *r = e->r;
	struct responder_srv *v = &r->srv[e->conn];
	const uint8_t *d;
	uint32_t len;

	if (v->dead)
		return;
	r->c.requests++;
	if (op == RESPONDER_OP_GET)
		r->c.gets++;
	else if (op == RESPONDER_OP_SET)
		r->c.sets++;
	else if (op == RESPONDER_OP_UNKNOWN)
		r->c.unknown++;
	responder_reply_of(r, (uint8_t)op, &d, &len);
	/* The usual case: nothing owed and room for the whole reply. */
	if (!v->n_owed && tcp_send_room(r->tcp, e->conn) >= len &&
	    tcp_send(r->tcp, e->conn, d, len) == 0)
		return;
	if (v->n_owed == RESPONDER_OWED_MAX) {
		r->c.backlog_aborts++;
		v->dead = 1;
		return;
	}
	v->ops[(v->head + v->n_owed) % RESPONDER_OWED_MAX] = (uint8_t)op;
	v->n_owed++;
	if (v->n_owed > r->c.backlog_max)
		r->c.backlog_max = v->n_owed;
	if (!responder_pump(r, e->conn) && !v->backlogged) {
		v->backlogged = 1;
		r->backlog[r->n_backlog++] = e->conn;
	}
}

static void responder_connected(struct tcp_stack *s, uint32_t conn, tsc_t now)
{
	struct responder *r = s->app_ctx;
	struct responder_srv *v = &r->srv[conn];
	uint8_t backlogged = v->backlogged; /* may still sit on the backlog */

	(void)now;
	memset(v, 0, offsetof(struct responder_srv, ops));
	v->backlogged = backlogged;
}

static void responder_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *data, uint32_t len,
			   tsc_t ts)
{
	struct responder *r = s->app_ctx;
	struct responder_emitter e = {r, conn};

	if (responder_parse(&r->srv[conn].p, r->proto, data, len, responder_stack_emit, &e))
		r->c.bad++;
	if (r->srv[conn].dead)
		tcp_abort(s, conn, ts);
}

static void responder_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why,
			     tsc_t now)
{
	struct responder *r = s->app_ctx;
	struct responder_srv *v = &r->srv[conn];

	(void)now;
	if (why == TCP_CLOSE_PEER_FIN || why == TCP_CLOSE_NORMAL)
		r->c.closed++;
	r->c.unsent += v->n_owed;
	v->n_owed = 0;
	v->owed_off = 0;
}

static const struct tcp_app_ops responder_tcp_ops = {
    .connected = responder_connected,
    .recv = responder_recv,
    .closed = responder_closed,
};

/* The worker's tick in stack mode: owed replies, then the stack's output
 * and timers; with once, halt when the last connection has closed. */
static int responder_tick(struct netif *nif, tsc_t now)
{
	struct responder *r = nif->responder;
	uint32_t i, kept = 0;
	int work = 0;

	for (i = 0; i < r->n_backlog; i++) {
		uint32_t conn = r->backlog[i];
		struct responder_srv *v = &r->srv[conn];

		if (v->n_owed && tcp_conn_get(r->tcp, conn)->state != TCP_CLOSED &&
		    !responder_pump(r, conn)) {
			r->backlog[kept++] = conn;
			continue;
		}
		v->backlogged = 0;
		work = 1;
	}
	r->n_backlog = kept;
	work |= tcp_flush(r->tcp, now);
	__atomic_store_n(&r->n_conns, r->tcp->n_open, __ATOMIC_RELAXED);
	if (r->once && r->tcp->n_open == 0 && r->tcp->c.accepts && !r->done) {
		netif_flush(nif);
		nif->halted = 1;
		__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	}
	return work;
}

static uint32_t responder_pow2(uint32_t v, uint32_t lo)
{
	uint32_t p = lo;

	while (p < v)
		p <<= 1;
	return p;
}

int responder_listen(struct responder *r, struct netif *nif, const struct tsc_clock *clk)
{
	struct tcp_config tc;
	int rc;

	memset(&tc, 0, sizeof(tc));
	tc.listen = 1;
	tc.listen_port = 0; /* any: whatever port the generator targets */
	tc.max_conns = r->max_conns;
	tc.ip_base = nif->np->ip;
	tc.n_ips = nif->np->n_ips ? nif->np->n_ips : 1;
	/* Room for two replies (pipelining), 8 KiB to 64 KiB, and at most
	 * 1 GiB of rings in all (touched only as connections use them). */
	tc.txbuf = responder_pow2(2 * r->reply_len, 8192);
	if (tc.txbuf > 65536)
		tc.txbuf = 65536;
	while (tc.txbuf > 4096 && (uint64_t)tc.txbuf * r->max_conns > (1ull << 30))
		tc.txbuf >>= 1;
	memcpy(tc.src_mac, nif->np->mac, PKT_ETH_ALEN);
	tc.mtu = nif->np->port->mtu ? nif->np->port->mtu : 1500;
	tc.min_rto = 200000000ull; /* Linux's */
	tc.tx_csum_partial = (uint8_t)r->tx_csum_partial;
	tc.clk = clk;
	r->tcp = calloc(1, sizeof(*r->tcp));
	r->srv = calloc(r->max_conns, sizeof(*r->srv));
	r->backlog = malloc(r->max_conns * sizeof(uint32_t));
	if (!r->tcp || !r->srv || !r->backlog)
		return -ENOMEM;
	rc = tcp_stack_init(r->tcp, &tc, &responder_tcp_ops, r, &netif_tcp_tx, nif);
	if (rc) {
		free(r->tcp);
		r->tcp = NULL;
		return rc;
	}
	nif->responder = r;
	nif->tcp = r->tcp;
	nif->tick = responder_tick;
	return 0;
}

uint32_t responder_drop_all(struct responder *r, tsc_t now)
{
	uint32_t i, n = 0;

	if (!r->tcp)
		return 0;
	for (i = 0; i < r->max_conns; i++)
		if (r->tcp->conns[i].state != TCP_CLOSED) {
			tcp_abort(r->tcp, i, now);
			n++;
		}
	return n;
}

void responder_fold_counters(struct responder *r)
{
	const struct tcp_counters *t;

	if (!r->tcp)
		return;
	t = &r->tcp->c;
	r->c.conns = t->accepts;
	r->c.resets_in = t->resets_in;
	r->c.segs_in = t->segs_in;
	r->c.segs_out = t->segs_out;
	r->c.bytes_out = t->bytes_out;
	r->c.out_of_order = t->out_of_order;
	r->c.no_conn = t->no_conn;
	r->c.table_full = t->accept_full;
	r->c.tx_nombuf = t->tx_nobuf;
}
