/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "icmp.h"

int ping_prober_init(struct ping_prober *p, uint32_t target_ip, uint16_t id, uint32_t count,
		     tsc_t interval, uint16_t payload_len, tsc_t arp_interval)
{
	if (count == 0 || payload_len < PING_PAYLOAD_MIN || payload_len > PING_PAYLOAD_MAX)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->target_ip = target_ip;
	p->id = id;
	p->count = count;
	p->interval = interval;
	p->payload_len = payload_len;
	p->arp_interval = arp_interval;
	p->tx_tsc = calloc(count, sizeof(tsc_t));
	p->rx_tsc = calloc(count, sizeof(tsc_t));
	if (!p->tx_tsc || !p->rx_tsc) {
		ping_prober_free(p);
		return -ENOMEM;
	}
	return 0;
}

void ping_prober_free(struct ping_prober *p)
{
	free(p->tx_tsc);
	free(p->rx_tsc);
	p->tx_tsc = p->rx_tsc = NULL;
}

/* Send echo number p->sent now. Returns 1 when a frame left, 0 otherwise. */
static int ping_send(struct netif *nif, struct ping_prober *p, tsc_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->np->pool);
	const uint16_t l4 = PKT_ETH_HLEN + PKT_IP_HLEN;
	uint32_t idx = p->sent;
	uint8_t *f;
	tsc_t t;

	if (!m) {
		nif->c.tx_nombuf++;
		return 0;
	}
	f = (uint8_t *)rte_pktmbuf_append(m, p->tmpl_len);
	memcpy(f, p->tmpl, p->tmpl_len);
	f[l4 + 6] = (uint8_t)(idx >> 8);
	f[l4 + 7] = (uint8_t)idx;
	pkt_put32(f + l4 + 8, PING_MAGIC);
	pkt_put32(f + l4 + 12, idx);
	netif_flush(nif); /* nothing queued may delay the echo */
	t = rte_rdtsc();
	memcpy(f + l4 + 16, &t, sizeof(t));
	f[l4 + 2] = f[l4 + 3] = 0;
	{
		uint16_t cs = pkt_csum(f + l4, PKT_ICMP_HLEN + p->payload_len);
		memcpy(f + l4 + 2, &cs, 2);
	}
	if (rte_eth_tx_burst(nif->np->port_id, nif->queue, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		nif->c.tx_drop++;
		return 0;
	}
	nif->c.tx++;
	p->tx_tsc[idx] = t;
	__atomic_store_n(&p->sent, idx + 1, __ATOMIC_RELEASE);
	p->next_tx += p->interval;
	if (tsc_before(p->next_tx, now)) {
		p->late_sends++;
		p->next_tx = now + p->interval;
	}
	return 1;
}

static int ping_tick(struct netif *nif, tsc_t now)
{
	struct ping_prober *p = nif->ping;

	if (!p->resolved) {
		const struct neigh *n = arp_neigh_find(nif, p->target_ip);

		if (n && __atomic_load_n(&n->valid, __ATOMIC_ACQUIRE)) {
			memcpy(p->target_mac, n->mac, PKT_ETH_ALEN);
			p->tmpl_len = (uint16_t)pkt_build_icmp_echo(
				p->tmpl, sizeof(p->tmpl), nif->np->mac, p->target_mac, nif->np->ip, p->target_ip,
				PKT_ICMP_ECHO_REQUEST, p->id, 0, NULL, p->payload_len);
			p->next_tx = now;
			__atomic_store_n(&p->resolved, 1, __ATOMIC_RELEASE);
			return 1;
		}
		if (tsc_before(now, p->next_arp))
			return 0;
		p->next_arp = now + p->arp_interval;
		return arp_request(nif, p->target_ip) == 0;
	}
	if (p->sent == p->count || tsc_before(now, p->next_tx))
		return 0;
	return ping_send(nif, p, now);
}

void ping_attach(struct netif *nif, struct ping_prober *p)
{
	p->next_arp = rte_rdtsc();
	nif->ping = p;
	nif->tick = ping_tick;
}

void ping_detach(struct netif *nif)
{
	nif->tick = netif_tick_idle;
	nif->ping = NULL;
}

static void ping_reply(struct netif *nif, const uint8_t *frame, const struct pkt_info *pi, tsc_t ts)
{
	struct ping_prober *p = nif->ping;
	const uint8_t *pl = frame + pi->payload_off;
	uint32_t idx;

	nif->c.icmp_reply_in++;
	if (!p || pi->icmp_id != p->id || pi->src_ip != p->target_ip) {
		nif->c.icmp_reply_unmatched++;
		return;
	}
	if (pi->payload_len < PING_PAYLOAD_MIN || pkt_get32(pl) != PING_MAGIC) {
		p->corrupt++;
		return;
	}
	idx = pkt_get32(pl + 4);
	if (idx >= p->sent || (uint16_t)idx != pi->icmp_seq ||
	    memcmp(pl + 8, &p->tx_tsc[idx], sizeof(tsc_t)) != 0) {
		p->corrupt++;
		return;
	}
	if (p->rx_tsc[idx]) {
		p->duplicates++;
		return;
	}
	p->rx_tsc[idx] = ts;
	__atomic_store_n(&p->received, p->received + 1, __ATOMIC_RELEASE);
}

void icmp_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi, tsc_t ts)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);

	if (pi->kind == PKT_ICMP_ECHO_REP) {
		ping_reply(nif, frame, pi, ts);
		rte_pktmbuf_free(m);
		return;
	}
	nif->c.icmp_echo_in++;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - pkt_icmp_reply_inplace(frame, pi)));
	nif->c.icmp_echo_replied++;
	netif_tx(nif, m);
}
