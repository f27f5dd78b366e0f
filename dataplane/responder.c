/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_mbuf.h>

#include "port.h"
#include "responder.h"

#define R_FIN 0x01
#define R_SYN 0x02
#define R_RST 0x04
#define R_PSH 0x08
#define R_ACK 0x10

static const char responder_body[] =
	"HTTP/1.1 200 OK\r\nServer: lvperf-responder\r\nContent-Type: text/plain\r\n"
	"Content-Length: 2\r\nConnection: keep-alive\r\n\r\nok";

/* Requests in a segment: count the header terminators. */
static uint32_t responder_requests(const uint8_t *d, uint32_t n)
{
	uint32_t i, k = 0;

	for (i = 3; i < n; i++)
		if (d[i] == '\n' && d[i - 1] == '\r' && d[i - 2] == '\n' && d[i - 3] == '\r')
			k++;
	return k;
}

void responder_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = f + pi->l3_off, *t = f + pi->l4_off, tmp[6], ph[12];
	uint32_t iplen = (uint32_t)ip[2] << 8 | ip[3];
	uint32_t doff = (uint32_t)(t[12] >> 4) * 4;
	uint32_t len, seq, ack, k = 0, out, total;
	uint8_t flags = t[13], oflags;
	uint16_t cs;

	if (doff < 20 || pi->l4_off - pi->l3_off + doff > iplen || (flags & R_RST)) {
		rte_pktmbuf_free(m);
		return;
	}
	len = iplen - (pi->l4_off - pi->l3_off) - doff;
	seq = pkt_get32(t + 4);
	ack = pkt_get32(t + 8);
	if (flags & R_SYN) {
		/* ISN from the 4-tuple (Knuth's multiplicative hash). */
		oflags = R_SYN | R_ACK;
		pkt_put32(t + 8, seq + 1);
		pkt_put32(t + 4, (pkt_get32(ip + 12) ^ ((uint32_t)t[0] << 8 | t[1])) * 2654435761u);
		out = 0;
	} else if (len || (flags & R_FIN)) {
		k = responder_requests(t + doff, len);
		out = k * (uint32_t)(sizeof(responder_body) - 1);
		if (out > nif->port->mtu - 40u || (k == 0 && !(flags & R_FIN))) {
			rte_pktmbuf_free(m); /* partial request or too many: not for this responder */
			return;
		}
		oflags = R_ACK | (out ? R_PSH : 0) | (flags & R_FIN);
		pkt_put32(t + 4, ack);
		pkt_put32(t + 8, seq + len + !!(flags & R_FIN));
	} else {
		rte_pktmbuf_free(m); /* a pure ACK needs no answer */
		return;
	}
	memcpy(tmp, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, tmp, 6);
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	memcpy(tmp, t, 2);
	memcpy(t, t + 2, 2);
	memcpy(t + 2, tmp, 2);
	t[12] = (oflags & R_SYN) ? 6 << 4 : 5 << 4;
	t[13] = oflags;
	pkt_put16(t + 14, 65535);
	pkt_put16(t + 16, 0);
	pkt_put16(t + 18, 0);
	if (oflags & R_SYN) {
		t[20] = 2;
		t[21] = 4;
		pkt_put16(t + 22, (uint16_t)(nif->port->mtu - 40));
	}
	doff = (uint32_t)(t[12] >> 4) * 4;
	for (uint32_t i = 0; i < k; i++)
		memcpy(t + doff + i * (sizeof(responder_body) - 1), responder_body, sizeof(responder_body) - 1);
	iplen = (uint32_t)(pi->l4_off - pi->l3_off) + doff + out;
	pkt_put16(ip + 2, (uint16_t)iplen);
	ip[8] = 64;
	pkt_put16(ip + 10, 0);
	cs = pkt_csum(ip, (uint32_t)(pi->l4_off - pi->l3_off));
	memcpy(ip + 10, &cs, 2);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	pkt_put16(ph + 10, (uint16_t)(doff + out));
	cs = pkt_csum_fold(pkt_csum_add(pkt_csum_add(0, ph, sizeof(ph)), t, doff + out));
	memcpy(t + 16, &cs, 2);
	total = pi->l3_off + iplen;
	if (total < PKT_ETH_MIN) {
		memset(f + total, 0, PKT_ETH_MIN - total);
		total = PKT_ETH_MIN;
	}
	if (total > rte_pktmbuf_data_len(m) && !rte_pktmbuf_append(m, (uint16_t)(total - rte_pktmbuf_data_len(m)))) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - total));
	netif_tx(nif, m);
}
