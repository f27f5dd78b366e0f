/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "trigger_tx.h"

#define TRIGGER_TX_L4 (PKT_ETH_HLEN + PKT_IP_HLEN)
#define TRIGGER_TX_PAYLOAD (TRIGGER_TX_L4 + PKT_UDP_HLEN)

int trigger_tx_init(struct trigger_tx *t, uint32_t target_ip, uint16_t sport, uint16_t dport,
		    uint64_t nonce, uint32_t count, tsc_t interval, tsc_t arp_interval)
{
	memset(t, 0, sizeof(*t));
	t->target_ip = target_ip;
	t->sport = sport;
	t->dport = dport;
	t->nonce = nonce;
	t->count = count;
	t->interval = interval;
	t->arp_interval = arp_interval;
	t->tx_tsc = calloc(count ? count : 1, sizeof(tsc_t));
	t->rx_tsc = calloc(count ? count : 1, sizeof(tsc_t));
	if (!t->tx_tsc || !t->rx_tsc) {
		trigger_tx_free(t);
		return -ENOMEM;
	}
	return 0;
}

void trigger_tx_free(struct trigger_tx *t)
{
	free(t->tx_tsc);
	free(t->rx_tsc);
	t->tx_tsc = t->rx_tsc = NULL;
}

/* Send one datagram of type with seq; its TSC, read just before the TX
 * burst, into *tsc. Returns 0, -ENOBUFS (no mbuf) or -EIO (TX queue full). */
static int trigger_tx_send(struct netif *nif, struct trigger_tx *t, uint8_t type, uint32_t seq, tsc_t *tsc)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->np->pool);
	struct trigger_msg msg = { .type = type, .nonce = t->nonce, .seq = seq };
	uint8_t *f;

	if (!m) {
		nif->c.tx_nombuf++;
		return -ENOBUFS;
	}
	f = (uint8_t *)rte_pktmbuf_append(m, t->tmpl_len);
	memcpy(f, t->tmpl, t->tmpl_len);
	f[TRIGGER_TX_L4 + 6] = f[TRIGGER_TX_L4 + 7] = 0; /* no UDP checksum (RFC 768: zero) */
	netif_flush(nif); /* nothing queued may delay it */
	msg.tx_tsc = rte_rdtsc();
	trigger_msg_put(f + TRIGGER_TX_PAYLOAD, &msg);
	if (rte_eth_tx_burst(nif->np->port_id, nif->queue, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		nif->c.tx_drop++;
		return -EIO;
	}
	nif->c.tx++;
	*tsc = msg.tx_tsc;
	return 0;
}

static int trigger_tx_tick(struct netif *nif, tsc_t now)
{
	struct trigger_tx *t = nif->trig;
	tsc_t tsc;

	if (!t->resolved) {
		const struct neigh *n = arp_neigh_find(nif, t->target_ip);

		if (n && __atomic_load_n(&n->valid, __ATOMIC_ACQUIRE)) {
			memcpy(t->target_mac, n->mac, PKT_ETH_ALEN);
			t->tmpl_len = (uint16_t)pkt_build_udp(t->tmpl, sizeof(t->tmpl), nif->np->mac, t->target_mac,
							      nif->np->ip, t->sport, t->target_ip, t->dport, NULL,
							      TRIGGER_MSG_LEN);
			t->next_tx = now;
			__atomic_store_n(&t->resolved, 1, __ATOMIC_RELEASE);
			return 1;
		}
		if (tsc_before(now, t->next_arp))
			return 0;
		t->next_arp = now + t->arp_interval;
		return arp_request(nif, t->target_ip) == 0;
	}
	if (t->sent == t->count || tsc_before(now, t->next_tx))
		return 0;
	if (trigger_tx_send(nif, t, TRIGGER_ECHO, t->sent, &tsc))
		return 0; /* counted; retried next loop */
	t->tx_tsc[t->sent] = tsc;
	__atomic_store_n(&t->sent, t->sent + 1, __ATOMIC_RELEASE);
	t->next_tx = tsc_before(t->next_tx + t->interval, now) ? now + t->interval : t->next_tx + t->interval;
	return 1;
}

void trigger_tx_attach(struct netif *nif, struct trigger_tx *t)
{
	t->next_arp = rte_rdtsc();
	nif->trig = t;
	nif->tick = trigger_tx_tick;
}

void trigger_tx_detach(struct netif *nif)
{
	nif->tick = netif_tick_idle;
	nif->trig = NULL;
}

void trigger_tx_start(void *arg)
{
	struct trigger_tx_start_arg *a = arg;
	tsc_t tsc = 0;

	a->t->start_rc = a->t->resolved ? trigger_tx_send(a->nif, a->t, TRIGGER_START, 0, &tsc) : -EHOSTUNREACH;
	a->t->start_tsc = a->t->start_rc ? 0 : tsc;
}

int trigger_tx_input(struct netif *nif, const uint8_t *frame, const struct pkt_info *pi, tsc_t ts)
{
	struct trigger_tx *t = nif->trig;
	struct trigger_msg m;

	if (pi->src_ip != t->target_ip || pi->src_port != t->dport || pi->dst_port != t->sport)
		return 0;
	if (trigger_msg_get(frame + pi->payload_off, pi->payload_len, &m) || m.type != TRIGGER_ECHO_REPLY ||
	    m.nonce != t->nonce || m.seq >= t->sent || m.tx_tsc != t->tx_tsc[m.seq]) {
		t->corrupt++;
		return 1;
	}
	if (t->rx_tsc[m.seq]) {
		t->duplicates++;
		return 1;
	}
	t->rx_tsc[m.seq] = ts;
	__atomic_store_n(&t->received, t->received + 1, __ATOMIC_RELEASE);
	return 1;
}
