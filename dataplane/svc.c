/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static const char svc_ping[] = "*1\r\n$4\r\nPING\r\n";
#define SVC_PONG_LEN 7 /* "+PONG\r\n" */

const char *svc_kind_name(enum svc_kind k)
{
	return k == SVC_REDIS ? "redis" : "http";
}

int svc_spec_parse(const char *s, struct svc_spec *out, char *err, size_t len)
{
	const char *colon = strchr(s, ':'), *path;
	char *end;
	unsigned long port;

	memset(out, 0, sizeof(*out));
	if (colon && (size_t)(colon - s) == 4 && !strncmp(s, "http", 4))
		out->kind = SVC_HTTP;
	else if (colon && (size_t)(colon - s) == 5 && !strncmp(s, "redis", 5))
		out->kind = SVC_REDIS;
	else
		goto bad;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || port == 0 || port > 65535)
		goto bad;
	out->port = (uint16_t)port;
	path = end;
	if (*path && (out->kind != SVC_HTTP || *path != '/' || strlen(path) >= SVC_PATH_MAX ||
		      strpbrk(path, " \t\r\n")))
		goto bad;
	snprintf(out->path, sizeof(out->path), "%s", *path ? path : "/");
	return 0;
bad:
	snprintf(err, len, "--service '%s': expected http:PORT[/PATH] or redis:PORT", s);
	return -EINVAL;
}

/* ---- the request and its answer ---- */

static void svc_send_request(struct svc_probe *p, uint32_t conn)
{
	int rc;

	if (p->spec.kind == SVC_HTTP) {
		http_parser_init(&p->http);
		rc = tcp_send(&p->tcp, conn, p->req.buf, p->req.len);
	} else {
		resp_parser_init(&p->resp);
		rc = tcp_send(&p->tcp, conn, svc_ping, sizeof(svc_ping) - 1);
	}
	if (rc == 0)
		p->c.requests++;
}

/* Feed the answer; returns 1 when a correct one completed, -1 when a wrong
 * or malformed one came, 0 when more is needed. */
static int svc_parse(struct svc_probe *p, const uint8_t *data, uint32_t len)
{
	int done = 0, n;

	if (p->spec.kind == SVC_HTTP) {
		struct http_resp r;
		enum http_err e;

		n = http_parse(&p->http, data, len, &r, &done, &e);
		if (n < 0)
			return -1;
		if (done && r.status < 200) /* 1xx: the final answer is still to come */
			return svc_parse(p, data + n, len - (uint32_t)n);
		return done ? (r.status / 100 == 2 ? 1 : -1) : 0;
	} else {
		struct resp_reply r;
		enum resp_err e;

		n = resp_parse(&p->resp, data, len, &r, &done, &e);
		if (n < 0)
			return -1;
		/* "-LOADING ..." while redis reads its data set is not ready. */
		return done ? (r.kind == RESP_SIMPLE && r.bytes == SVC_PONG_LEN ? 1 : -1) : 0;
	}
}

/* ---- TCP callbacks ---- */

static void svc_connected(struct tcp_stack *s, uint32_t conn, tsc_t ts)
{
	struct svc_probe *p = s->app_ctx;

	if (!p->first_synack)
		__atomic_store_n(&p->first_synack, ts, __ATOMIC_RELEASE);
	if (p->state == SVC_PROBING && p->req_conn == TCP_NONE) {
		p->req_conn = conn;
		svc_send_request(p, conn);
	} else {
		tcp_close(s, conn); /* a later SYN that was answered too */
	}
}

static void svc_recv(struct tcp_stack *s, uint32_t conn, const uint8_t *data, uint32_t len, tsc_t ts)
{
	struct svc_probe *p = s->app_ctx;
	int rc;

	if (conn != p->req_conn || p->state != SVC_PROBING)
		return;
	rc = svc_parse(p, data, len);
	if (rc > 0) {
		p->state = SVC_DONE;
		__atomic_store_n(&p->ready, ts, __ATOMIC_RELEASE);
		tcp_close(s, conn);
	} else if (rc < 0) {
		p->c.bad++;
		p->req_conn = TCP_NONE;
		tcp_abort(s, conn, ts);
	}
}

static void svc_closed(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t now)
{
	struct svc_probe *p = s->app_ctx;
	struct http_resp r;

	if (why == TCP_CLOSE_REFUSED)
		p->c.refused++;
	if (conn != p->req_conn)
		return;
	p->req_conn = TCP_NONE;
	if (p->state != SVC_PROBING)
		return;
	/* An HTTP body that runs until close ends here. */
	if (p->spec.kind == SVC_HTTP && why == TCP_CLOSE_PEER_FIN && http_parser_eof(&p->http, &r) &&
	    r.status / 100 == 2) {
		p->state = SVC_DONE;
		__atomic_store_n(&p->ready, now, __ATOMIC_RELEASE);
		return;
	}
	p->c.bad++;
}

static const struct tcp_app_ops svc_tcp_ops = {
	.connected = svc_connected,
	.recv = svc_recv,
	.closed = svc_closed,
};

/* ---- probing ---- */

static void svc_syn(struct svc_probe *p, tsc_t now)
{
	uint32_t conn = tcp_connect(&p->tcp, now), i, oldest = TCP_NONE;

	if (conn == TCP_NONE) {
		/* Make room: drop the oldest SYN still unanswered. */
		for (i = 0; i < p->tcp.cfg.max_conns; i++)
			if (p->tcp.conns[i].state == TCP_SYN_SENT &&
			    (oldest == TCP_NONE || tsc_before(p->syn_at[i], p->syn_at[oldest])))
				oldest = i;
		if (oldest == TCP_NONE)
			return;
		tcp_abort(&p->tcp, oldest, now);
		p->c.dropped++;
		conn = tcp_connect(&p->tcp, now);
		if (conn == TCP_NONE)
			return;
	}
	p->syn_at[conn] = now;
	p->c.syns++;
}

static void svc_abort_all(struct svc_probe *p, tsc_t now)
{
	uint32_t i;

	p->req_conn = TCP_NONE;
	for (i = 0; i < p->tcp.cfg.max_conns; i++)
		if (p->tcp.conns[i].state != TCP_CLOSED)
			tcp_abort(&p->tcp, i, now);
	tcp_flush(&p->tcp, now);
}

int svc_probe_tick(struct svc_probe *p, tsc_t now)
{
	switch (p->state) {
	case SVC_PROBING:
		if (p->req_conn == TCP_NONE && !tsc_before(now, p->next_syn)) {
			svc_syn(p, now);
			p->next_syn = now + p->interval;
		}
		return tcp_flush(&p->tcp, now);
	case SVC_DONE:
		return tcp_flush(&p->tcp, now);
	default:
		return 0;
	}
}

void svc_probe_arm(struct svc_probe *p, tsc_t now)
{
	svc_abort_all(p, now);
	p->state = SVC_WAIT_BEACON;
	p->target = 0;
	memset(&p->c, 0, sizeof(p->c));
	__atomic_store_n(&p->first_synack, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&p->ready, 0, __ATOMIC_RELEASE);
}

void svc_probe_start(struct svc_probe *p, uint32_t dst_ip, const uint8_t dst_mac[PKT_ETH_ALEN],
		     tsc_t now)
{
	p->target = dst_ip;
	p->tcp.cfg.dst_ip = dst_ip;
	memcpy(p->tcp.cfg.dst_mac, dst_mac, PKT_ETH_ALEN);
	p->state = SVC_PROBING;
	p->next_syn = now;
}

void svc_probe_disarm(struct svc_probe *p, tsc_t now)
{
	svc_abort_all(p, now);
	p->state = SVC_OFF;
}

int svc_probe_init(struct svc_probe *p, const struct svc_spec *spec, uint32_t dst_ip,
		   uint32_t src_ip, const uint8_t src_mac[PKT_ETH_ALEN], uint16_t mtu,
		   const struct tsc_clock *clk, nsec_t interval_ns, const struct tcp_tx_ops *tx,
		   void *tx_ctx)
{
	struct tcp_config tc;
	int rc;

	memset(p, 0, sizeof(*p));
	p->spec = *spec;
	p->dst_ip = dst_ip;
	p->interval = ns_to_tsc(clk, interval_ns);
	p->arp_gap = ns_to_tsc(clk, 100000000u);
	p->req_conn = TCP_NONE;
	if (spec->kind == SVC_HTTP) {
		rc = http_req_build(&p->req, NULL, spec->path, "lvperf", NULL, 0);
		if (rc)
			return rc;
	}
	memset(&tc, 0, sizeof(tc));
	tc.max_conns = SVC_CONNS;
	tc.ip_base = src_ip;
	tc.n_ips = 1;
	tc.port_lo = 1024;
	tc.port_hi = 65535;
	tc.txbuf = 4096; /* one request of at most HTTP_REQ_MAX */
	tc.dst_ip = dst_ip;
	tc.dst_port = spec->port;
	memcpy(tc.src_mac, src_mac, PKT_ETH_ALEN);
	tc.mtu = mtu;
	tc.time_wait = 1000000000ull;
	tc.min_rto = 200000000ull;
	tc.clk = clk;
	return tcp_stack_init(&p->tcp, &tc, &svc_tcp_ops, p, tx, tx_ctx);
}

void svc_probe_free(struct svc_probe *p)
{
	tcp_stack_free(&p->tcp);
}
