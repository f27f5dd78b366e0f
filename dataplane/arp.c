/* SPDX-License-Identifier: BSD-3-Clause
 * ARP (RFC 826): the neighbour table, answering for our address, resolving
 * targets, and the first ARP each peer sends after the netif is armed.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "netif.h"

struct neigh *arp_neigh_find(struct netif *nif, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < nif->n_neigh; i++)
		if (nif->neigh[i].ip == ip)
			return &nif->neigh[i];
	return NULL;
}

/* The entry for ip, created when there is room; NULL when the table is full. */
struct neigh *arp_neigh_get(struct netif *nif, uint32_t ip)
{
	struct neigh *n = arp_neigh_find(nif, ip);

	if (n || nif->n_neigh == NETIF_NEIGH_MAX)
		return n;
	n = &nif->neigh[nif->n_neigh];
	memset(n, 0, sizeof(*n));
	n->ip = ip;
	__atomic_store_n(&nif->n_neigh, nif->n_neigh + 1, __ATOMIC_RELEASE);
	return n;
}

int arp_request(struct netif *nif, uint32_t ip)
{
	static const uint8_t bcast[PKT_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[PKT_ETH_ALEN];
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->np->pool);
	size_t len;

	if (!m) {
		nif->c.tx_nombuf++;
		return -ENOBUFS;
	}
	len = pkt_build_arp(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m), PKT_ARP_REQUEST,
			    bcast, nif->np->mac, nif->np->ip, zero, ip);
	m->data_len = m->pkt_len = (uint32_t)len;
	nif->c.arp_requests_sent++;
	netif_tx(nif, m);
	return 0;
}

void arp_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi, tsc_t ts)
{
	nif->c.arp_in++;
	if (pi->src_ip != 0 && pi->src_ip - nif->np->ip >= nif->np->n_ips) {
		struct neigh *n = arp_neigh_get(nif, pi->src_ip);

		if (n) {
			memcpy(n->mac, pi->arp_sha, PKT_ETH_ALEN);
			if (!n->first_arp)
				n->first_arp = ts;
			__atomic_store_n(&n->valid, 1, __ATOMIC_RELEASE);
		}
		if (!nif->first_arp) {
			nif->first_arp_ip = pi->src_ip;
			__atomic_store_n(&nif->first_arp, ts, __ATOMIC_RELEASE);
		}
	}
	if (pi->arp_op == PKT_ARP_REQUEST && pi->dst_ip - nif->np->ip < nif->np->n_ips) {
		uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
		uint32_t len = pkt_arp_reply_inplace(frame, rte_pktmbuf_data_len(m), pi, nif->np->mac);

		if (len > rte_pktmbuf_data_len(m) && !rte_pktmbuf_append(m, len - rte_pktmbuf_data_len(m))) {
			rte_pktmbuf_free(m);
			return;
		}
		nif->c.arp_replied++;
		netif_tx(nif, m);
		return;
	}
	rte_pktmbuf_free(m);
}
