/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define TCP_OUR_WSCALE 7
#define TCP_OUR_WINDOW 65535
#define TCP_INITIAL_RTO_NS 1000000000ull /* RFC 6298 2.1 */
#define TCP_MAX_RTO_NS 60000000000ull
#define TCP_WHEEL_SLOTS 4096
#define TCP_WHEEL_TICK_NS 1000000ull

static const char *const state_names[] = {
    [TCP_CLOSED] = "closed",	       [TCP_SYN_SENT] = "syn_sent",
    [TCP_ESTABLISHED] = "established", [TCP_FIN_WAIT_1] = "fin_wait_1",
    [TCP_FIN_WAIT_2] = "fin_wait_2",   [TCP_CLOSING] = "closing",
    [TCP_CLOSE_WAIT] = "close_wait",   [TCP_LAST_ACK] = "last_ack",
    [TCP_SYN_RCVD] = "syn_rcvd",
};

const char *tcp_state_name(enum tcp_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* Sequence space comparisons, RFC 9293 3.4 (mod 2^32). */
static inline int seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static uint32_t slot_ip(const struct tcp_stack *s, uint32_t slot)
{
	return s->cfg.ip_base + slot / (uint32_t)(s->cfg.port_hi - s->cfg.port_lo + 1);
}

static uint16_t slot_port(const struct tcp_stack *s, uint32_t slot)
{
	return (uint16_t)(s->cfg.port_lo + slot % (uint32_t)(s->cfg.port_hi - s->cfg.port_lo + 1));
}

int tcp_stack_init(struct tcp_stack *s, const struct tcp_config *cfg, const struct tcp_app_ops *app,
		   void *app_ctx, const struct tcp_tx_ops *tx, void *tx_ctx)
{
	uint32_t nports = 0, i;

	memset(s, 0, sizeof(*s));
	if (!cfg->max_conns || !cfg->n_ips || !cfg->txbuf || (cfg->txbuf & (cfg->txbuf - 1)) ||
	    !cfg->clk || cfg->mtu < 576 || (cfg->wheel_slots & (cfg->wheel_slots - 1)))
		return -EINVAL;
	if (!cfg->listen) {
		if (cfg->port_lo == 0 || cfg->port_hi < cfg->port_lo)
			return -EINVAL;
		nports = (uint32_t)(cfg->port_hi - cfg->port_lo + 1);
		if ((uint64_t)nports * cfg->n_ips < cfg->max_conns)
			return -EINVAL;
	} else if (cfg->max_conns > (1u << 30)) {
		return -EINVAL;
	}
	s->cfg = *cfg;
	s->app = *app;
	s->app_ctx = app_ctx;
	s->tx = *tx;
	s->tx_ctx = tx_ctx;
	s->tx_partial = cfg->tx_csum_partial || (tx->csum_offload && tx->csum_offload(tx_ctx));
	s->conns = calloc(cfg->max_conns, sizeof(*s->conns));
	s->txbufs = malloc((size_t)cfg->max_conns * cfg->txbuf);
	if (!cfg->listen) {
		s->n_slots = nports * cfg->n_ips;
		s->slot_conn = malloc(s->n_slots * sizeof(uint32_t));
		s->slot_seq = calloc(s->n_slots, sizeof(uint64_t));
		s->free_slots = malloc(s->n_slots * sizeof(uint32_t));
		s->free_since = calloc(s->n_slots, sizeof(tsc_t));
	} else {
		for (s->peer_mask = 1; s->peer_mask < cfg->max_conns; s->peer_mask <<= 1)
			;
		s->peers = calloc(cfg->max_conns, sizeof(*s->peers));
		s->peer_hash = malloc(s->peer_mask * sizeof(uint32_t));
		if (s->peer_hash)
			for (i = 0; i < s->peer_mask; i++)
				s->peer_hash[i] = TCP_NONE;
		s->peer_mask--;
	}
	s->free_conns = malloc(cfg->max_conns * sizeof(uint32_t));
	s->pending = malloc(cfg->max_conns * sizeof(uint32_t));
	s->wheel_size = cfg->wheel_slots ? cfg->wheel_slots : TCP_WHEEL_SLOTS;
	s->wheel = malloc(s->wheel_size * sizeof(uint32_t));
	if (tx->hold && tx->unhold) {
		if (!s->cfg.ooo_max)
			s->cfg.ooo_max = TCP_OOO_MAX_DEFAULT;
		if (!s->cfg.ooo_per_conn)
			s->cfg.ooo_per_conn = TCP_OOO_PER_CONN_DEFAULT;
		if (s->cfg.ooo_per_conn > s->cfg.ooo_max)
			s->cfg.ooo_per_conn = s->cfg.ooo_max;
		s->ooo = calloc(s->cfg.ooo_max, sizeof(*s->ooo));
		if (s->ooo) {
			for (i = 0; i < s->cfg.ooo_max; i++)
				s->ooo[i].next = i + 1 < s->cfg.ooo_max ? i + 1 : TCP_NONE;
			s->ooo_free = 0;
		}
	} else {
		s->cfg.ooo_max = s->cfg.ooo_per_conn = 0;
	}
	if (!s->conns || !s->txbufs || !s->free_conns || !s->pending || !s->wheel ||
	    (!cfg->listen && (!s->slot_conn || !s->slot_seq || !s->free_slots || !s->free_since)) ||
	    (cfg->listen && (!s->peers || !s->peer_hash)) || (s->cfg.ooo_max && !s->ooo)) {
		tcp_stack_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < s->n_slots; i++) {
		s->slot_conn[i] = TCP_NONE;
		s->free_slots[i] = i;
	}
	s->free_count = s->n_slots;
	for (i = 0; i < cfg->max_conns; i++)
		s->free_conns[i] = cfg->max_conns - 1 - i;
	s->n_free_conns = cfg->max_conns;
	for (i = 0; i < s->wheel_size; i++)
		s->wheel[i] = TCP_NONE;
	s->wheel_tick = ns_to_tsc(cfg->clk, TCP_WHEEL_TICK_NS);
	s->time_wait_tsc = ns_to_tsc(cfg->clk, cfg->time_wait);
	s->min_rto_tsc = ns_to_tsc(cfg->clk, cfg->min_rto);
	s->our_mss = (uint16_t)(cfg->mtu - PKT_IP_HLEN - TCP_HLEN);
	return 0;
}

void tcp_stack_free(struct tcp_stack *s)
{
	uint32_t i;

	/* Buffers still held go back to their pool (connections left open). */
	for (i = 0; s->ooo && i < s->cfg.ooo_max; i++)
		if (s->ooo[i].handle)
			s->tx.unhold(s->tx_ctx, s->ooo[i].handle);
	free(s->ooo);
	s->ooo = NULL;
	s->ooo_held = 0;
	free(s->conns);
	free(s->txbufs);
	free(s->slot_conn);
	free(s->slot_seq);
	free(s->free_slots);
	free(s->free_since);
	free(s->free_conns);
	free(s->pending);
	free(s->wheel);
	free(s->peers);
	free(s->peer_hash);
	s->peers = NULL;
	s->peer_hash = NULL;
	s->conns = NULL;
	s->txbufs = NULL;
	s->slot_conn = s->free_slots = s->free_conns = s->pending = s->wheel = NULL;
	s->slot_seq = NULL;
	s->free_since = NULL;
}

/* ---- RTO timer wheel: doubly linked lists through the connections ---- */

static void timer_stop(struct tcp_stack *s, uint32_t idx)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t slot;

	if (!c->timer_on)
		return;
	if (c->timer_prev != TCP_NONE) {
		s->conns[c->timer_prev].timer_next = c->timer_next;
	} else {
		slot = (uint32_t)(c->timer_at / s->wheel_tick) & (s->wheel_size - 1);
		s->wheel[slot] = c->timer_next;
	}
	if (c->timer_next != TCP_NONE)
		s->conns[c->timer_next].timer_prev = c->timer_prev;
	c->timer_on = 0;
}

static void timer_start(struct tcp_stack *s, uint32_t idx, tsc_t at)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t slot;

	timer_stop(s, idx);
	/* Never into a slot already passed: it would wait a whole lap. */
	if (tsc_before(at, s->wheel_now))
		at = s->wheel_now;
	slot = (uint32_t)(at / s->wheel_tick) & (s->wheel_size - 1);
	c->timer_at = at;
	c->timer_prev = TCP_NONE;
	c->timer_next = s->wheel[slot];
	if (c->timer_next != TCP_NONE)
		s->conns[c->timer_next].timer_prev = idx;
	s->wheel[slot] = idx;
	c->timer_on = 1;
}

/* ---- output ---- */

static void mark_pending(struct tcp_stack *s, uint32_t idx)
{
	struct tcp_conn *c = &s->conns[idx];

	if (!c->pending) {
		c->pending = 1;
		s->pending[s->n_pending++] = idx;
	}
}

/*
 * Build and send one segment of conn: flags, seq, payload from the ring
 * (ring offset off, len bytes), MSS and window-scale options on a SYN.
 */
static int tcp_emit(struct tcp_stack *s, struct tcp_conn *c, uint8_t flags, uint32_t seq,
		    uint32_t off, uint32_t len)
{
	const uint32_t optlen = (flags & TCP_SYN) ? 8 : 0;
	const uint32_t l4 = PKT_ETH_HLEN + PKT_IP_HLEN;
	uint32_t cap, total = l4 + TCP_HLEN + optlen + len, ip = c->src_ip, dip = s->cfg.dst_ip;
	uint16_t dport = s->cfg.dst_port;
	const uint8_t *dmac = s->cfg.dst_mac;
	void *handle;
	uint8_t *f = s->tx.alloc(s->tx_ctx, &handle, &cap);
	uint8_t *t;
	uint16_t cs;

	if (s->peers) { /* listen mode: to the connection's client */
		const struct tcp_peer *p = &s->peers[c - s->conns];

		dip = p->ip;
		dport = p->port;
		dmac = p->mac;
	}
	if (!f || cap < (total < PKT_ETH_MIN ? PKT_ETH_MIN : total)) {
		if (f)
			s->tx.release(s->tx_ctx, handle);
		s->c.tx_nobuf++;
		return -ENOBUFS;
	}
	memcpy(f, dmac, PKT_ETH_ALEN);
	memcpy(f + 6, s->cfg.src_mac, PKT_ETH_ALEN);
	pkt_put16(f + 12, PKT_ETHERTYPE_IPV4);
	f[14] = 0x45;
	f[15] = 0;
	pkt_put16(f + 16, (uint16_t)(total - PKT_ETH_HLEN));
	pkt_put16(f + 18, 0);
	pkt_put16(f + 20, 0x4000); /* DF; IP id 0 is fine with DF (RFC 6864) */
	f[22] = 64;
	f[23] = 6;
	pkt_put16(f + 24, 0);
	pkt_put32(f + 26, ip);
	pkt_put32(f + 30, dip);
	cs = pkt_csum(f + PKT_ETH_HLEN, PKT_IP_HLEN);
	memcpy(f + 24, &cs, 2);

	t = f + l4;
	pkt_put16(t, c->src_port);
	pkt_put16(t + 2, dport);
	pkt_put32(t + 4, seq);
	pkt_put32(t + 8, (flags & TCP_ACK) ? c->rcv_nxt : 0);
	t[12] = (uint8_t)(((TCP_HLEN + optlen) / 4) << 4);
	t[13] = flags;
	pkt_put16(t + 14, TCP_OUR_WINDOW);
	pkt_put16(t + 16, 0);
	pkt_put16(t + 18, 0);
	if (optlen) {
		t[20] = 2; /* MSS */
		t[21] = 4;
		pkt_put16(t + 22, s->our_mss);
		t[24] = 1; /* NOP */
		t[25] = 3; /* window scale */
		t[26] = 3;
		t[27] = TCP_OUR_WSCALE;
		if ((flags & TCP_ACK) && !c->rcv_wscale) /* a SYN-ACK to a SYN without it */
			t[25] = t[26] = t[27] = 1;
	}
	if (len) {
		const uint8_t *ring = s->txbufs + (size_t)(c - s->conns) * s->cfg.txbuf;
		uint32_t first = s->cfg.txbuf - off;

		if (first >= len) {
			memcpy(t + TCP_HLEN + optlen, ring + off, len);
		} else {
			memcpy(t + TCP_HLEN + optlen, ring + off, first);
			memcpy(t + TCP_HLEN + optlen + first, ring, len - first);
		}
	}
	{
		uint32_t sum = pkt_pseudo_sum(f + PKT_ETH_HLEN, PKT_IPPROTO_TCP,
					      (uint16_t)(TCP_HLEN + optlen + len));

		if (s->tx_partial)
			cs = pkt_csum_partial(sum);
		else
			cs = pkt_csum_fold(pkt_csum_add(sum, t, TCP_HLEN + optlen + len));
		memcpy(t + 16, &cs, 2);
	}
	if (total < PKT_ETH_MIN) {
		memset(f + total, 0, PKT_ETH_MIN - total);
		total = PKT_ETH_MIN;
	}
	s->tx.send(s->tx_ctx, handle, total);
	s->c.segs_out++;
	if (flags & TCP_ACK)
		c->ack_due = 0;
	return 0;
}

/* A reset for a segment that has no connection (RFC 9293 3.10.7.1). */
static void tcp_reset_reply(struct tcp_stack *s, const uint8_t *t, const struct pkt_info *pi,
			    uint32_t seglen)
{
	uint32_t cap, total = PKT_ETH_HLEN + PKT_IP_HLEN + TCP_HLEN;
	void *handle;
	uint8_t *f = s->tx.alloc(s->tx_ctx, &handle, &cap), *r;
	uint16_t cs;
	uint8_t flags = t[13];

	if (!f || cap < PKT_ETH_MIN) {
		if (f)
			s->tx.release(s->tx_ctx, handle);
		s->c.tx_nobuf++;
		return;
	}
	memcpy(f, pi->src_mac, PKT_ETH_ALEN);
	memcpy(f + 6, s->cfg.src_mac, PKT_ETH_ALEN);
	pkt_put16(f + 12, PKT_ETHERTYPE_IPV4);
	f[14] = 0x45;
	f[15] = 0;
	pkt_put16(f + 16, PKT_IP_HLEN + TCP_HLEN);
	pkt_put16(f + 18, 0);
	pkt_put16(f + 20, 0x4000);
	f[22] = 64;
	f[23] = 6;
	pkt_put16(f + 24, 0);
	pkt_put32(f + 26, pi->dst_ip);
	pkt_put32(f + 30, pi->src_ip);
	cs = pkt_csum(f + PKT_ETH_HLEN, PKT_IP_HLEN);
	memcpy(f + 24, &cs, 2);
	r = f + PKT_ETH_HLEN + PKT_IP_HLEN;
	memset(r, 0, TCP_HLEN);
	memcpy(r, t + 2, 2); /* ports swapped */
	memcpy(r + 2, t, 2);
	if (flags & TCP_ACK) {
		memcpy(r + 4, t + 8, 4); /* seq = their ack */
		r[13] = TCP_RST;
	} else {
		pkt_put32(r + 8, pkt_get32(t + 4) + seglen);
		r[13] = TCP_RST | TCP_ACK;
	}
	r[12] = (TCP_HLEN / 4) << 4;
	{
		uint32_t sum = pkt_pseudo_sum(f + PKT_ETH_HLEN, PKT_IPPROTO_TCP, TCP_HLEN);

		cs = s->tx_partial ? pkt_csum_partial(sum) : pkt_csum_fold(pkt_csum_add(sum, r, TCP_HLEN));
	}
	memcpy(r + 16, &cs, 2);
	memset(f + total, 0, PKT_ETH_MIN - total);
	s->tx.send(s->tx_ctx, handle, PKT_ETH_MIN);
	s->c.segs_out++;
	s->c.resets_out++;
}

/* Is our FIN sent and not yet acknowledged? */
static int fin_in_flight(const struct tcp_conn *c)
{
	return (c->state == TCP_FIN_WAIT_1 || c->state == TCP_CLOSING || c->state == TCP_LAST_ACK) &&
	       c->snd_una != c->snd_nxt;
}

static uint32_t inflight_data(const struct tcp_conn *c)
{
	return c->snd_nxt - c->snd_una - (uint32_t)fin_in_flight(c);
}

static void rto_arm(struct tcp_stack *s, uint32_t idx, tsc_t now)
{
	timer_start(s, idx, now + s->conns[idx].rto);
}

/* Send queued data within the window, then our FIN if asked, then an ACK
 * if one is still due. */
static void tcp_output(struct tcp_stack *s, uint32_t idx, tsc_t now)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t inflight, room, n;
	int sent = 0;

	if (c->state == TCP_CLOSED || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD)
		return;
	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) {
		inflight = inflight_data(c);
		while (inflight < c->tx_len) {
			room = c->snd_wnd > inflight ? c->snd_wnd - inflight : 0;
			if (!room) {
				s->c.zero_window++;
				if (!c->timer_on)
					rto_arm(s, idx, now); /* probe when it fires */
				break;
			}
			n = c->tx_len - inflight;
			if (n > c->mss)
				n = c->mss;
			if (n > room)
				n = room;
			if (tcp_emit(s, c, TCP_ACK | TCP_PSH, c->snd_nxt,
				     (c->tx_head + inflight) & (s->cfg.txbuf - 1), n))
				break;
			if (!c->rtt_timing) {
				c->rtt_timing = 1;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start = now;
			}
			c->snd_nxt += n;
			inflight += n;
			s->c.bytes_out += n;
			sent = 1;
			if (!c->timer_on)
				rto_arm(s, idx, now);
		}
		if (c->fin_queued && inflight == c->tx_len &&
		    tcp_emit(s, c, TCP_FIN | TCP_ACK, c->snd_nxt, 0, 0) == 0) {
			c->snd_nxt++;
			c->state = c->state == TCP_ESTABLISHED ? TCP_FIN_WAIT_1 : TCP_LAST_ACK;
			sent = 1;
			if (!c->timer_on)
				rto_arm(s, idx, now);
		}
	}
	if (!sent && c->ack_due)
		tcp_emit(s, c, TCP_ACK, c->snd_nxt, 0, 0);
}

/* ---- out-of-order queue ---- */

static void ooo_put(struct tcp_stack *s, uint32_t e)
{
	s->tx.unhold(s->tx_ctx, s->ooo[e].handle);
	s->ooo[e].handle = NULL;
	s->ooo[e].next = s->ooo_free;
	s->ooo_free = e;
	s->ooo_held--;
}

/* Give back every buffer the connection holds. */
static void ooo_purge(struct tcp_stack *s, struct tcp_conn *c)
{
	uint32_t e = c->ooo_head;

	while (e != TCP_NONE) {
		uint32_t next = s->ooo[e].next;

		ooo_put(s, e);
		e = next;
	}
	c->ooo_head = TCP_NONE;
	c->ooo_n = 0;
}

/* Unlink e (after prev, or the head) and give its buffer back. */
static void ooo_unlink(struct tcp_stack *s, struct tcp_conn *c, uint32_t prev, uint32_t e)
{
	if (prev == TCP_NONE)
		c->ooo_head = s->ooo[e].next;
	else
		s->ooo[prev].next = s->ooo[e].next;
	c->ooo_n--;
	ooo_put(s, e);
}

/*
 * Hold [seq, seq + len) (+ FIN) of a segment beyond rcv_nxt: trimmed
 * against the held neighbours, replacing those it covers whole, so held
 * ranges stay sorted and disjoint. The caller has checked the window.
 */
static void ooo_insert(struct tcp_stack *s, struct tcp_conn *c, uint32_t seq, const uint8_t *data,
		       uint32_t len, uint8_t fin)
{
	struct tcp_ooo *o = s->ooo;
	uint32_t prev = TCP_NONE, cur, e, end = seq + len, cap;
	uint8_t *buf;
	void *handle;

	/* prev: the last held segment starting at or before seq */
	for (e = c->ooo_head; e != TCP_NONE && seq_le(o[e].seq, seq); e = o[e].next)
		prev = e;
	cur = e;
	if (prev != TCP_NONE) {
		uint32_t pend = o[prev].seq + o[prev].len;

		if (!seq_lt(pend, end)) {
			if (fin && pend == end)
				o[prev].fin = 1;
			s->c.ooo_dup++; /* all held already */
			return;
		}
		if (seq_lt(seq, pend)) {
			data += pend - seq;
			len -= pend - seq;
			seq = pend;
		}
	}
	/* Held segments that the new one covers whole go. */
	while (cur != TCP_NONE && seq_le(o[cur].seq + o[cur].len, end)) {
		uint32_t next = o[cur].next;

		fin |= o[cur].fin && o[cur].seq + o[cur].len == end;
		ooo_unlink(s, c, prev, cur);
		cur = next;
	}
	if (cur != TCP_NONE && seq_lt(o[cur].seq, end)) {
		len = o[cur].seq - seq; /* the next one holds the rest */
		fin = 0;
	}
	if (!len && !fin) {
		s->c.ooo_dup++;
		return;
	}
	buf = NULL;
	if (c->ooo_n < s->cfg.ooo_per_conn && s->ooo_free != TCP_NONE)
		buf = s->tx.hold(s->tx_ctx, &handle, &cap);
	if (!buf) {
		/* Full, or the pool is empty: the highest held segment makes
		 * room for a lower one, which is of more use (delivered sooner). */
		uint32_t before = prev, last = cur;

		if (cur == TCP_NONE) {
			s->c.ooo_dropped++;
			return;
		}
		while (o[last].next != TCP_NONE) {
			before = last;
			last = o[last].next;
		}
		if (last == cur)
			cur = TCP_NONE;
		ooo_unlink(s, c, before, last);
		s->c.ooo_evicted++;
		buf = s->tx.hold(s->tx_ctx, &handle, &cap);
		if (!buf) {
			s->c.ooo_dropped++;
			return;
		}
	}
	if (cap < len) {
		s->tx.unhold(s->tx_ctx, handle);
		s->c.ooo_dropped++;
		return;
	}
	e = s->ooo_free;
	s->ooo_free = o[e].next;
	o[e].seq = seq;
	o[e].len = len;
	o[e].fin = fin;
	o[e].data = buf;
	o[e].handle = handle;
	if (len)
		memcpy(buf, data, len);
	o[e].next = cur;
	if (prev == TCP_NONE)
		c->ooo_head = e;
	else
		o[prev].next = e;
	c->ooo_n++;
	if (++s->ooo_held > s->c.ooo_held_max)
		s->c.ooo_held_max = s->ooo_held;
	s->c.ooo_segments++;
	s->c.ooo_bytes += len;
}

/* ---- connections ---- */

/* Listen mode: the hash chain of a client (address, port). */
static inline uint32_t peer_bucket(const struct tcp_stack *s, uint32_t ip, uint16_t port)
{
	uint32_t h = ip * 2654435761u ^ (uint32_t)port * 2246822519u;

	return (h ^ h >> 16) & s->peer_mask;
}

static uint32_t peer_find(const struct tcp_stack *s, uint32_t ip, uint16_t port)
{
	uint32_t i = s->peer_hash[peer_bucket(s, ip, port)];

	while (i != TCP_NONE && (s->peers[i].ip != ip || s->peers[i].port != port))
		i = s->peers[i].next;
	return i;
}

static void peer_unhash(struct tcp_stack *s, uint32_t idx)
{
	uint32_t *pp = &s->peer_hash[peer_bucket(s, s->peers[idx].ip, s->peers[idx].port)];

	while (*pp != TCP_NONE && *pp != idx)
		pp = &s->peers[*pp].next;
	if (*pp == idx)
		*pp = s->peers[idx].next;
}

static void tcp_release(struct tcp_stack *s, uint32_t idx, enum tcp_close_reason why, tsc_t now)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t tail;

	timer_stop(s, idx);
	ooo_purge(s, c);
	c->state = TCP_CLOSED;
	if (s->peers) {
		peer_unhash(s, idx);
	} else {
		s->slot_conn[c->slot] = TCP_NONE;
		s->slot_seq[c->slot] = 1ull << 32 | c->snd_nxt;
		tail = (s->free_head + s->free_count) % s->n_slots;
		s->free_slots[tail] = c->slot;
		s->free_since[tail] = now ? now : 1;
		s->free_count++;
	}
	s->free_conns[s->n_free_conns++] = idx;
	s->n_open--;
	s->app.closed(s, idx, why, now);
}

/* A free connection entry, zeroed, for tcp_connect or tcp_accept (the
 * caller checked n_free_conns); its pending flag survives: it may still
 * sit on the pending list. */
static uint32_t conn_take(struct tcp_stack *s)
{
	uint32_t idx = s->free_conns[--s->n_free_conns];
	struct tcp_conn *c = &s->conns[idx];
	uint8_t pending = c->pending;

	memset(c, 0, sizeof(*c));
	c->pending = pending;
	c->timer_prev = c->timer_next = TCP_NONE;
	c->ooo_head = TCP_NONE;
	return idx;
}

uint32_t tcp_connect(struct tcp_stack *s, tsc_t now)
{
	struct tcp_conn *c;
	uint32_t idx, slot;
	tsc_t since;

	if (!s->n_free_conns || s->cfg.listen) {
		s->c.conns_exhausted++;
		return TCP_NONE;
	}
	since = s->free_count ? s->free_since[s->free_head] : 0;
	if (!s->free_count || (since && tsc_since(since, now) < s->time_wait_tsc)) {
		s->c.ports_exhausted++;
		return TCP_NONE;
	}
	slot = s->free_slots[s->free_head];
	s->free_head = (s->free_head + 1) % s->n_slots;
	s->free_count--;
	idx = conn_take(s);
	c = &s->conns[idx];
	c->slot = slot;
	c->src_ip = slot_ip(s, slot); /* once, not a division per segment */
	c->src_port = slot_port(s, slot);
	c->mss = 536;
	/* Clock-driven ISN (RFC 9293 3.4.1: 1 per µs here) plus a fixed
	 * per-slot offset, and never below 64 KiB past where the slot's last
	 * connection ended, so a server still in TIME_WAIT accepts the SYN. */
	c->iss = (uint32_t)(tsc_to_ns(s->cfg.clk, now) / 1000) + slot * 2654435761u;
	if (s->slot_seq[slot] && seq_lt(c->iss, (uint32_t)s->slot_seq[slot] + 65536))
		c->iss = (uint32_t)s->slot_seq[slot] + 65536;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->rto = ns_to_tsc(s->cfg.clk, TCP_INITIAL_RTO_NS);
	c->state = TCP_SYN_SENT;
	s->slot_conn[slot] = idx;
	s->n_open++;
	s->c.connects++;
	if (tcp_emit(s, c, TCP_SYN, c->iss, 0, 0) == 0) {
		c->rtt_timing = 1;
		c->rtt_seq = c->iss;
		c->rtt_start = now;
	}
	rto_arm(s, idx, now);
	return idx;
}

uint32_t tcp_send_room(const struct tcp_stack *s, uint32_t conn)
{
	return s->cfg.txbuf - s->conns[conn].tx_len;
}

/* Whether the application may still queue data on c. */
static int may_send(const struct tcp_conn *c)
{
	return (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) && !c->fin_queued;
}

int tcp_send(struct tcp_stack *s, uint32_t idx, const void *data, uint32_t len)
{
	struct tcp_conn *c = &s->conns[idx];
	uint8_t *ring = s->txbufs + (size_t)idx * s->cfg.txbuf;
	uint32_t off, first;

	if (!may_send(c))
		return -ENOTCONN;
	if (len > s->cfg.txbuf - c->tx_len) {
		s->c.tx_ring_full++;
		return -ENOBUFS;
	}
	off = (c->tx_head + c->tx_len) & (s->cfg.txbuf - 1);
	first = s->cfg.txbuf - off;
	if (first >= len) {
		memcpy(ring + off, data, len);
	} else {
		memcpy(ring + off, data, first);
		memcpy(ring, (const uint8_t *)data + first, len - first);
	}
	tcp_send_commit(s, idx, len);
	return 0;
}

uint8_t *tcp_send_reserve(struct tcp_stack *s, uint32_t idx, uint32_t len)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t off = (c->tx_head + c->tx_len) & (s->cfg.txbuf - 1);

	if (!may_send(c) || len > s->cfg.txbuf - c->tx_len || len > s->cfg.txbuf - off)
		return NULL;
	return s->txbufs + (size_t)idx * s->cfg.txbuf + off;
}

void tcp_send_commit(struct tcp_stack *s, uint32_t idx, uint32_t n)
{
	s->conns[idx].tx_len += n;
	mark_pending(s, idx);
}

void tcp_close(struct tcp_stack *s, uint32_t idx)
{
	struct tcp_conn *c = &s->conns[idx];

	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) {
		c->fin_queued = 1;
		mark_pending(s, idx);
	}
}

void tcp_abort(struct tcp_stack *s, uint32_t idx, tsc_t now)
{
	struct tcp_conn *c = &s->conns[idx];

	if (c->state == TCP_CLOSED)
		return;
	if (c->state != TCP_SYN_SENT && tcp_emit(s, c, TCP_RST | TCP_ACK, c->snd_nxt, 0, 0) == 0)
		s->c.resets_out++;
	tcp_release(s, idx, TCP_CLOSE_ABORT, now);
}

/* RFC 6298 2.2-2.3 with Karn's rule; alpha 1/8, beta 1/4. */
static void rtt_sample(struct tcp_stack *s, struct tcp_conn *c, tsc_t now)
{
	tsc_t r = tsc_since(c->rtt_start, now);

	c->rtt_timing = 0;
	if (c->retries)
		return;
	if (!c->srtt) {
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		tsc_t d = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	/* Linux's bound rather than RFC 6298 2.4's max(min, SRTT + 4 RTTVAR):
	 * the minimum is added to SRTT, so a server whose delayed ACK (up to
	 * 200 ms) rides on a slow reply does not look like a loss. */
	c->rto = c->srtt + (4 * c->rttvar > s->min_rto_tsc ? 4 * c->rttvar : s->min_rto_tsc);
}

/* Resend the oldest unacknowledged segment (data or FIN, or the SYN). */
static void retransmit_head(struct tcp_stack *s, uint32_t idx, tsc_t now)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t n = inflight_data(c);

	c->rtt_timing = 0; /* Karn: no sample from a retransmitted segment */
	if (c->state == TCP_SYN_SENT) {
		tcp_emit(s, c, TCP_SYN, c->iss, 0, 0);
		return;
	}
	if (c->state == TCP_SYN_RCVD) {
		tcp_emit(s, c, TCP_SYN | TCP_ACK, c->iss, 0, 0);
		return;
	}
	if (n) {
		if (n > c->mss)
			n = c->mss;
		tcp_emit(s, c, TCP_ACK | TCP_PSH, c->snd_una, c->tx_head, n);
	} else if (fin_in_flight(c)) {
		tcp_emit(s, c, TCP_FIN | TCP_ACK, c->snd_nxt - 1, 0, 0);
	} else if (c->tx_len) {
		/* Zero-window probe: one byte beyond the window (RFC 9293 3.8.6.1). */
		tcp_emit(s, c, TCP_ACK, c->snd_nxt, c->tx_head, 1);
		c->snd_nxt++;
		c->probing = 1;
		s->c.bytes_out++;
	}
	(void)now;
}

static void rto_fire(struct tcp_stack *s, uint32_t idx, tsc_t now)
{
	struct tcp_conn *c = &s->conns[idx];
	tsc_t max = ns_to_tsc(s->cfg.clk, TCP_MAX_RTO_NS);

	if (c->state == TCP_FIN_WAIT_2) {
		s->c.fin_wait_timeouts++;
		tcp_release(s, idx, TCP_CLOSE_NORMAL, now);
		return;
	}
	if (c->snd_una == c->snd_nxt &&
	    !(c->tx_len && (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)))
		return; /* nothing outstanding any more */
	if (++c->retries > TCP_MAX_RETRIES) {
		s->c.timeouts++;
		if (c->state != TCP_SYN_SENT && tcp_emit(s, c, TCP_RST | TCP_ACK, c->snd_nxt, 0, 0) == 0)
			s->c.resets_out++;
		tcp_release(s, idx, TCP_CLOSE_TIMEOUT, now);
		return;
	}
	s->c.retransmits++;
	c->rto = c->rto * 2 > max ? max : c->rto * 2;
	retransmit_head(s, idx, now);
	rto_arm(s, idx, now);
}

/* ---- input ---- */

/* MSS and window scale from a SYN's options. */
static void parse_syn_options(struct tcp_conn *c, const uint8_t *o, uint32_t len)
{
	uint32_t i = 0;
	int ws = -1;

	while (i < len) {
		uint8_t kind = o[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
			break;
		if (kind == 2 && o[i + 1] == 4)
			c->mss = pkt_get16(o + i + 2);
		else if (kind == 3 && o[i + 1] == 3)
			ws = o[i + 2] > 14 ? 14 : o[i + 2];
		i += o[i + 1];
	}
	/* RFC 7323 2.2: scaling only when both sides sent the option. */
	c->peer_wscale = ws < 0 ? 0 : (uint8_t)ws;
	c->rcv_wscale = ws < 0 ? 0 : TCP_OUR_WSCALE;
	if (c->mss < 64)
		c->mss = 536;
}

/* Never more than our own MTU allows (RFC 9293 3.7.1). */
static void clamp_mss(const struct tcp_stack *s, struct tcp_conn *c)
{
	if (c->mss > s->our_mss)
		c->mss = s->our_mss;
}

/* The handshake's last segment came in (SYN-ACK on our side, the ACK of
 * our SYN-ACK in listen mode): the connection is ESTABLISHED. */
static void established(struct tcp_stack *s, uint32_t idx, uint32_t seq, uint32_t ack, uint32_t wnd,
			tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];

	c->snd_una = ack;
	c->snd_wnd = wnd;
	c->snd_wl1 = seq;
	c->snd_wl2 = ack;
	c->state = TCP_ESTABLISHED;
	if (c->rtt_timing)
		rtt_sample(s, c, ts);
	c->retries = 0;
	c->rto = c->srtt ? c->rto : ns_to_tsc(s->cfg.clk, TCP_INITIAL_RTO_NS);
	timer_stop(s, idx);
	s->c.established++;
}

static void input_syn_sent(struct tcp_stack *s, uint32_t idx, uint8_t flags, uint32_t seq,
			   uint32_t ack, uint16_t win, const uint8_t *t, uint32_t doff,
			   const struct pkt_info *pi, uint32_t seglen, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];

	if ((flags & TCP_ACK) && ack != c->iss + 1) {
		/* RFC 9293 3.10.7.3: <SEQ=SEG.ACK><CTL=RST>, e.g. a stale server
		 * connection on this 4-tuple; our SYN is retransmitted after. */
		s->c.out_of_window++;
		if (!(flags & TCP_RST))
			tcp_reset_reply(s, t, pi, seglen);
		return;
	}
	if (flags & TCP_RST) {
		if (flags & TCP_ACK) {
			s->c.refused++;
			tcp_release(s, idx, TCP_CLOSE_REFUSED, ts);
		}
		return;
	}
	if (!(flags & TCP_SYN) || !(flags & TCP_ACK))
		return;
	parse_syn_options(c, t + TCP_HLEN, doff - TCP_HLEN);
	clamp_mss(s, c);
	c->rcv_nxt = seq + 1;
	established(s, idx, seq, ack, win, ts); /* a SYN's window is never scaled */
	c->ack_due = 1;
	mark_pending(s, idx);
	s->app.connected(s, idx, ts);
}

/* Our FIN was acknowledged: move on, or finish. Returns 1 when released. */
static int fin_acked(struct tcp_stack *s, uint32_t idx, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];

	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		timer_start(s, idx, ts + ns_to_tsc(s->cfg.clk, TCP_FIN_WAIT_NS));
		return 0;
	case TCP_CLOSING:
		tcp_release(s, idx, TCP_CLOSE_NORMAL, ts);
		return 1;
	case TCP_LAST_ACK:
		tcp_release(s, idx, TCP_CLOSE_PEER_FIN, ts);
		return 1;
	default:
		return 0;
	}
}

/* RFC 9293 3.10.7.4: the window is taken only from a segment at least as
 * new as the one that last set it (SND.WL1, SND.WL2). */
static void take_window(struct tcp_conn *c, uint32_t seq, uint32_t ack, uint32_t wnd)
{
	if (seq_lt(c->snd_wl1, seq) || (c->snd_wl1 == seq && seq_le(c->snd_wl2, ack))) {
		c->snd_wnd = wnd;
		c->snd_wl1 = seq;
		c->snd_wl2 = ack;
	}
}

/* The ACK field of a segment in a synchronized state. Returns 1 when the
 * segment is to be dropped (or the connection is gone). */
static int input_ack(struct tcp_stack *s, uint32_t idx, uint32_t seq, uint32_t ack, uint16_t win,
		     uint32_t seglen, uint8_t flags, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t wnd = (uint32_t)win << c->peer_wscale;

	if (seq_lt(c->snd_nxt, ack)) {
		s->c.out_of_window++;
		c->ack_due = 1;
		mark_pending(s, idx);
		return 1;
	}
	if (seq_lt(c->snd_una, ack)) {
		uint32_t acked = ack - c->snd_una;
		int fin_done = fin_in_flight(c) && ack == c->snd_nxt;
		uint32_t data = acked - (uint32_t)fin_done;

		if (data > c->tx_len)
			data = c->tx_len;
		c->tx_head = (c->tx_head + data) & (s->cfg.txbuf - 1);
		c->tx_len -= data;
		c->snd_una = ack;
		c->dupacks = 0;
		if (c->rtt_timing && seq_lt(c->rtt_seq, ack))
			rtt_sample(s, c, ts);
		c->retries = 0;
		take_window(c, seq, ack, wnd);
		if (c->probing && (c->snd_una == c->snd_nxt || c->snd_wnd))
			c->probing = 0;
		if (c->snd_una == c->snd_nxt)
			timer_stop(s, idx);
		else
			rto_arm(s, idx, ts);
		if (fin_done && fin_acked(s, idx, ts))
			return 1;
		if (c->tx_len > inflight_data(c))
			mark_pending(s, idx);
		return 0;
	}
	if (c->probing) {
		/* An answer to our zero-window probe: the server is alive, so keep
		 * probing as long as it answers (RFC 1122 4.2.2.17). Not a dup ACK. */
		c->retries = 0;
		take_window(c, seq, ack, wnd);
		if (c->snd_wnd) {
			/* It did not take the probe byte: send it again with the rest. */
			c->probing = 0;
			c->snd_nxt = c->snd_una;
			c->rtt_timing = 0;
			timer_stop(s, idx);
			mark_pending(s, idx);
		}
		return 0;
	}
	if (ack == c->snd_una && seglen == 0 && !(flags & TCP_FIN) && c->snd_una != c->snd_nxt &&
	    wnd == c->snd_wnd) {
		s->c.dup_acks_in++;
		if (++c->dupacks == 3) {
			s->c.fast_retransmits++;
			retransmit_head(s, idx, ts);
		}
		return 0;
	}
	if (wnd != c->snd_wnd) {
		take_window(c, seq, ack, wnd);
		if (c->tx_len > inflight_data(c))
			mark_pending(s, idx);
	}
	return 0;
}

/* The peer's FIN arrived in order. */
static void input_fin(struct tcp_stack *s, uint32_t idx, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];

	c->rcv_nxt++;
	c->ack_due = 1;
	mark_pending(s, idx);
	switch (c->state) {
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		c->fin_queued = 1; /* nothing more to say: close our side too */
		break;
	case TCP_FIN_WAIT_1:
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		/* Our TIME_WAIT is the slot's rest in the free FIFO. */
		tcp_emit(s, c, TCP_ACK, c->snd_nxt, 0, 0);
		tcp_release(s, idx, TCP_CLOSE_NORMAL, ts);
		break;
	default:
		break;
	}
}

/* In-order data arrived: deliver what it joined to the stream from the
 * out-of-order queue, and the FIN if one was held. */
static void ooo_drain(struct tcp_stack *s, uint32_t idx, uint32_t slot, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];

	while (c->ooo_head != TCP_NONE && seq_le(s->ooo[c->ooo_head].seq, c->rcv_nxt)) {
		uint32_t e = c->ooo_head;
		struct tcp_ooo *o = &s->ooo[e];
		uint32_t end = o->seq + o->len;
		int fin;

		c->ooo_head = o->next;
		c->ooo_n--;
		if (seq_lt(c->rcv_nxt, end)) {
			uint32_t skip = c->rcv_nxt - o->seq;

			c->rcv_nxt = end;
			s->c.bytes_in += o->len - skip;
			s->c.ooo_merged++;
			c->ack_due = 1;
			mark_pending(s, idx);
			if (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
			    c->state == TCP_FIN_WAIT_2)
				s->app.recv(s, idx, o->data + skip, o->len - skip, ts);
		}
		fin = o->fin && end == c->rcv_nxt;
		ooo_put(s, e);
		if (c->state == TCP_CLOSED || c->slot != slot)
			return; /* the application aborted it */
		if (fin) {
			input_fin(s, idx, ts);
			return;
		}
	}
}

/* Listen mode: a SYN from a client with no connection opens one in
 * SYN_RCVD and is answered with our SYN-ACK; with no entry free, RST. */
static void tcp_accept(struct tcp_stack *s, const uint8_t *t, uint32_t doff,
		       const struct pkt_info *pi, uint32_t seq, uint16_t win, uint32_t seglen,
		       tsc_t ts)
{
	struct tcp_conn *c;
	struct tcp_peer *p;
	uint32_t idx, b;

	if (!s->n_free_conns) {
		s->c.accept_full++;
		tcp_reset_reply(s, t, pi, seglen);
		return;
	}
	idx = conn_take(s);
	c = &s->conns[idx];
	c->slot = s->serial++;
	c->src_ip = pi->dst_ip;
	c->src_port = pkt_get16(t + 2);
	p = &s->peers[idx];
	p->ip = pi->src_ip;
	p->port = pkt_get16(t);
	memcpy(p->mac, pi->src_mac, PKT_ETH_ALEN);
	b = peer_bucket(s, p->ip, p->port);
	p->next = s->peer_hash[b];
	s->peer_hash[b] = idx;
	c->mss = 536;
	parse_syn_options(c, t + TCP_HLEN, doff - TCP_HLEN);
	clamp_mss(s, c);
	c->rcv_nxt = seq + 1;
	c->iss = (uint32_t)(tsc_to_ns(s->cfg.clk, ts) / 1000) + (p->ip ^ p->port) * 2654435761u;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_wnd = win; /* a SYN's window is never scaled */
	c->snd_wl1 = seq;
	c->snd_wl2 = c->iss;
	c->rto = ns_to_tsc(s->cfg.clk, TCP_INITIAL_RTO_NS);
	c->state = TCP_SYN_RCVD;
	s->n_open++;
	s->c.accepts++;
	if (tcp_emit(s, c, TCP_SYN | TCP_ACK, c->iss, 0, 0) == 0) {
		c->rtt_timing = 1;
		c->rtt_seq = c->iss;
		c->rtt_start = ts;
	}
	rto_arm(s, idx, ts);
}

/* Listen mode, SYN_RCVD: the ACK of our SYN-ACK establishes it (RFC 9293
 * 3.10.7.4). Returns 1 when the segment is done with, 0 when it goes on
 * through the ESTABLISHED path (data or FIN on that ACK). */
static int input_syn_rcvd(struct tcp_stack *s, uint32_t idx, uint8_t flags, uint32_t seq,
			  uint32_t ack, uint16_t win, const uint8_t *t, const struct pkt_info *pi,
			  uint32_t seglen, tsc_t ts)
{
	struct tcp_conn *c = &s->conns[idx];
	uint32_t serial = c->slot;

	if (flags & TCP_RST) {
		if (seq_le(c->rcv_nxt, seq) &&
		    seq_lt(seq, c->rcv_nxt + ((uint32_t)TCP_OUR_WINDOW << TCP_OUR_WSCALE))) {
			s->c.resets_in++;
			tcp_release(s, idx, TCP_CLOSE_RESET, ts);
		}
		return 1;
	}
	if (flags & TCP_SYN) {
		if (seq + 1 == c->rcv_nxt) { /* the client's SYN again: our SYN-ACK was lost */
			c->rtt_timing = 0;
			tcp_emit(s, c, TCP_SYN | TCP_ACK, c->iss, 0, 0);
		}
		return 1;
	}
	if (!(flags & TCP_ACK))
		return 1;
	if (ack != c->iss + 1) {
		s->c.out_of_window++;
		tcp_reset_reply(s, t, pi, seglen);
		return 1;
	}
	established(s, idx, seq, ack, (uint32_t)win << c->peer_wscale, ts);
	s->app.connected(s, idx, ts);
	return c->state == TCP_CLOSED || c->slot != serial;
}

void tcp_input(struct tcp_stack *s, const uint8_t *frame, uint32_t len, const struct pkt_info *pi,
	       tsc_t ts)
{
	const uint8_t *ip = frame + pi->l3_off, *t = frame + pi->l4_off;
	uint32_t iplen = pkt_get16(ip + 2), l4len, doff, seglen, seq, ack, nports, slot, idx;
	uint16_t win, dport;
	uint8_t flags;
	struct tcp_conn *c;

	s->c.segs_in++;
	if (pi->l3_off + iplen > len || iplen < (uint32_t)(pi->l4_off - pi->l3_off) + TCP_HLEN) {
		s->c.bad_header++;
		return;
	}
	l4len = iplen - (uint32_t)(pi->l4_off - pi->l3_off);
	doff = (uint32_t)(t[12] >> 4) * 4;
	if (doff < TCP_HLEN || doff > l4len) {
		s->c.bad_header++;
		return;
	}
	{
		uint32_t sum;
		uint16_t partial, field;

		/* A segment is taken when its checksum field holds the full
		 * checksum or, as Linux leaves CHECKSUM_PARTIAL frames on a
		 * veth, only the pseudo-header's sum. That second test is one
		 * compare, so it goes first: a kernel peer's segments are then
		 * never summed in vain (a 1 KiB reply's data pass was most of
		 * the cost of taking it). Same segments taken either way.
		 * A port with an RX checksum offload has said already (vhost:
		 * the guest's partial sums, vouched for; a NIC: verified). */
		if (pi->l4_csum_hw == PKT_CSUM_HW_GOOD) {
			s->c.csum_offloaded++;
		} else if (pi->l4_csum_hw == PKT_CSUM_HW_BAD) {
			s->c.bad_csum++;
			return;
		} else {
			sum = pkt_pseudo_sum(ip, PKT_IPPROTO_TCP, (uint16_t)l4len);
			partial = pkt_csum_partial(sum);
			memcpy(&field, t + 16, 2);
			if (field == partial) {
				s->c.csum_partial++;
			} else if (pkt_csum_fold(pkt_csum_add(sum, t, l4len)) != 0) {
				s->c.bad_csum++;
				return;
			}
		}
	}
	flags = t[13];
	seq = pkt_get32(t + 4);
	ack = pkt_get32(t + 8);
	win = pkt_get16(t + 14);
	seglen = l4len - doff;
	dport = pkt_get16(t + 2);
	if (s->peers) {
		/* listen mode */
		if (pi->dst_ip - s->cfg.ip_base >= s->cfg.n_ips ||
		    (s->cfg.listen_port && dport != s->cfg.listen_port))
			goto no_conn;
		idx = peer_find(s, pi->src_ip, pkt_get16(t));
		if (idx == TCP_NONE) {
			if ((flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
				tcp_accept(s, t, doff, pi, seq, win,
					   seglen + 1 + !!(flags & TCP_FIN), ts);
				return;
			}
			goto no_conn;
		}
		c = &s->conns[idx];
		if (c->src_ip != pi->dst_ip || c->src_port != dport)
			goto no_conn; /* the same client to another of our addresses or ports */
		slot = c->slot;
		if (c->state == TCP_SYN_RCVD &&
		    input_syn_rcvd(s, idx, flags, seq, ack, win, t, pi,
				   seglen + !!(flags & TCP_SYN) + !!(flags & TCP_FIN), ts))
			return;
		goto synchronized;
	}
	nports = (uint32_t)(s->cfg.port_hi - s->cfg.port_lo + 1);
	if (pi->src_ip != s->cfg.dst_ip || pkt_get16(t) != s->cfg.dst_port ||
	    pi->dst_ip - s->cfg.ip_base >= s->cfg.n_ips || dport < s->cfg.port_lo ||
	    dport > s->cfg.port_hi)
		goto no_conn;
	slot = (pi->dst_ip - s->cfg.ip_base) * nports + (uint32_t)(dport - s->cfg.port_lo);
	idx = s->slot_conn[slot];
	if (idx == TCP_NONE)
		goto no_conn;
	c = &s->conns[idx];
	if (c->state == TCP_SYN_SENT) {
		input_syn_sent(s, idx, flags, seq, ack, win, t, doff, pi,
			       seglen + !!(flags & TCP_SYN) + !!(flags & TCP_FIN), ts);
		return;
	}
synchronized:
	if (flags & TCP_RST) {
		/* RFC 5961 3: in-window resets end it; others are ignored. */
		if (seq_le(c->rcv_nxt, seq) && seq_lt(seq, c->rcv_nxt + ((uint32_t)TCP_OUR_WINDOW << TCP_OUR_WSCALE))) {
			s->c.resets_in++;
			tcp_release(s, idx, TCP_CLOSE_RESET, ts);
		}
		return;
	}
	if (flags & TCP_SYN) { /* challenge ACK, RFC 5961 4 */
		c->ack_due = 1;
		mark_pending(s, idx);
		return;
	}
	if (!(flags & TCP_ACK))
		return;
	if (input_ack(s, idx, seq, ack, win, seglen, flags, ts))
		return;
	if ((seglen || (flags & TCP_FIN)) && seq_lt(c->rcv_nxt, seq)) {
		/* Beyond a hole: held when it can be, and answered with one
		 * duplicate ACK at once, so the server counts three and
		 * fast-retransmits (RFC 5681 4.2). */
		s->c.out_of_order++;
		if (s->ooo) {
			uint32_t wnd = (uint32_t)TCP_OUR_WINDOW << c->rcv_wscale;

			if ((c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
			     c->state == TCP_FIN_WAIT_2) &&
			    seq_le(seq + seglen, c->rcv_nxt + wnd))
				ooo_insert(s, c, seq, t + doff, seglen, flags & TCP_FIN);
			else
				s->c.ooo_dropped++;
		}
		tcp_emit(s, c, TCP_ACK, c->snd_nxt, 0, 0);
		return;
	}
	if (seglen) {
		const uint8_t *data = t + doff;

		if (seq == c->rcv_nxt) {
			/* in order */
		} else if (seq_lt(seq, c->rcv_nxt) && seq_lt(c->rcv_nxt, seq + seglen)) {
			uint32_t skip = c->rcv_nxt - seq; /* overlaps what we have */

			data += skip;
			seglen -= skip;
			seq = c->rcv_nxt;
		} else {
			s->c.old_segments++;
			c->ack_due = 1;
			mark_pending(s, idx);
			return;
		}
		c->rcv_nxt += seglen;
		s->c.bytes_in += seglen;
		c->ack_due = 1;
		mark_pending(s, idx);
		if (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2)
			s->app.recv(s, idx, data, seglen, ts);
		if (c->state == TCP_CLOSED || c->slot != slot)
			return; /* the application aborted it (and may have reused the entry) */
	}
	if (flags & TCP_FIN) {
		if (seq + seglen == c->rcv_nxt) {
			input_fin(s, idx, ts);
		} else if (seq_lt(seq + seglen, c->rcv_nxt)) {
			s->c.old_segments++; /* a retransmitted FIN: ACK it again */
			c->ack_due = 1;
			mark_pending(s, idx);
		}
	} else if (c->ooo_n) {
		ooo_drain(s, idx, slot, ts);
	}
	return;
no_conn:
	s->c.no_conn++;
	if (!(flags & TCP_RST))
		tcp_reset_reply(s, t, pi, seglen + !!(flags & TCP_SYN) + !!(flags & TCP_FIN));
}

int tcp_flush(struct tcp_stack *s, tsc_t now)
{
	uint32_t i, n = s->n_pending, budget = s->wheel_size;
	int work = n != 0;

	/* Output may add connections to the list: take only those queued now. */
	for (i = 0; i < n; i++) {
		uint32_t idx = s->pending[i];

		s->conns[idx].pending = 0;
		tcp_output(s, idx, now);
	}
	if (s->n_pending > n)
		memmove(s->pending, s->pending + n, (s->n_pending - n) * sizeof(uint32_t));
	s->n_pending -= n;

	/* A slot is processed once it has fully passed, so a timer fires up to
	 * one tick (1 ms) late; entries for a later lap of the wheel stay. */
	if (!s->wheel_now)
		s->wheel_now = now - now % s->wheel_tick;
	while (!tsc_before(now, s->wheel_now + s->wheel_tick) && budget--) {
		uint32_t slot = (uint32_t)(s->wheel_now / s->wheel_tick) & (s->wheel_size - 1);
		tsc_t end = s->wheel_now + s->wheel_tick;
		uint32_t idx = s->wheel[slot];

		s->wheel_now = end;
		while (idx != TCP_NONE) {
			uint32_t next = s->conns[idx].timer_next;

			if (tsc_before(s->conns[idx].timer_at, end)) {
				timer_stop(s, idx);
				rto_fire(s, idx, now);
				work = 1;
			}
			idx = next;
		}
	}
	return work;
}
