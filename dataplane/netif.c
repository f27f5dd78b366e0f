/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bpf/xdp_meta.h"
#include "load.h"
#include "netif.h"
#include "port.h"
#include "responder.h"
#include "steer.h"
#include "svc.h"
#include "tcp.h"
#include "trigger_tx.h"

static void netif_stamp_sw(struct netif *nif, struct rte_mbuf **pkts, uint16_t n, tsc_t now,
			   tsc_t *stamps)
{
	uint16_t i;

	(void)nif;
	(void)pkts;
	for (i = 0; i < n; i++)
		stamps[i] = now;
}

/* NIC hardware stamps converted to the TSC timebase (dataplane/nicclock.c);
 * TSC for frames the NIC did not stamp. The fit is resynced after the
 * burst is stamped, so the reads never delay a stamp. The fit is the
 * port's: only queue 0 refits it (--workers > 1 is refused on the ports
 * that stamp this way, so no other queue reads it meanwhile). */
static void netif_stamp_hw(struct netif *nif, struct rte_mbuf **pkts, uint16_t n, tsc_t now,
			   tsc_t *stamps)
{
	struct port *p = nif->np->port;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (pkts[i]->ol_flags & p->ts_dynflag) {
			uint64_t hw = *RTE_MBUF_DYNFIELD(pkts[i], p->ts_dynfield_offset, uint64_t *);
			stamps[i] = nicclock_to_tsc(&p->nic_clock, hw);
		} else {
			stamps[i] = now;
		}
	}
	if (nif->queue == 0 && !tsc_before(now, p->nic_resync_at))
		port_hwclock_resync(p, now);
}

/* Stamps taken at the XDP hook of the appliance's veth end: the program's
 * metadata sits right before the frame in the mbuf's headroom. Its magic is
 * cleared once read, so a recycled mbuf never yields a stale stamp; frames
 * without it get the burst's TSC. Each queue has its own copy of the
 * port's hook clock, anchored by its own worker. */
static void netif_stamp_xdp(struct netif *nif, struct rte_mbuf **pkts, uint16_t n, tsc_t now,
			    tsc_t *stamps)
{
	struct xdp_clock *xc = &nif->xclk;
	uint16_t i;

	xdp_clock_maybe_anchor(xc, now);
	for (i = 0; i < n; i++) {
		struct lvp_xdp_meta *m =
			(struct lvp_xdp_meta *)(rte_pktmbuf_mtod(pkts[i], uint8_t *) - sizeof(*m));

		if (rte_pktmbuf_headroom(pkts[i]) >= sizeof(*m) && m->magic == LVP_XDP_META_MAGIC) {
			m->magic = 0;
			stamps[i] = xdp_clock_stamp(xc, m->ktime_ns, now);
		} else {
			xc->unstamped++;
			stamps[i] = now;
		}
	}
}

int netif_tick_idle(struct netif *nif, tsc_t now)
{
	(void)nif;
	(void)now;
	return 0;
}

void netif_port_init(struct netif_port *np, struct port *port, struct rte_mempool *pool, uint32_t ip,
		     uint8_t prefix_len)
{
	memset(np, 0, sizeof(*np));
	np->port = port;
	np->port_id = port->id;
	memcpy(np->mac, port->mac, PKT_ETH_ALEN);
	np->ip = ip;
	np->n_ips = 1;
	np->mask = prefix_len ? ~0u << (32 - prefix_len) : 0;
	np->pool = pool;
	np->rx_stamp = port->clock == CLOCK_SRC_NIC_HW	   ? netif_stamp_hw
		       : port->clock == CLOCK_SRC_XDP_HOOK ? netif_stamp_xdp
							   : netif_stamp_sw;
	np->kicks = port->spec.kind == PORT_AF_XDP || port->spec.kind == PORT_AF_PACKET ||
		    port->spec.kind == PORT_TAP || port->spec.kind == PORT_VHOST;
	np->rx_cold = port->spec.kind != PORT_MEMIF && port->spec.kind != PORT_RING;
	np->rx_l4_csum = port->rx_l4_csum;
	np->tx_l4_csum = port->tx_l4_csum;
}

void netif_init(struct netif *nif, const struct netif_port *np, uint16_t q, uint16_t udp_port)
{
	memset(nif, 0, sizeof(*nif));
	nif->np = np;
	nif->queue = q;
	nif->tick = netif_tick_idle;
	nif->beacon.udp_port = udp_port;
	if (np->port->clock == CLOCK_SRC_XDP_HOOK)
		nif->xclk = np->port->xclk; /* anchored by port_clock_start */
}

void netif_arm(struct netif *nif)
{
	uint32_t i;

	for (i = 0; i < nif->n_neigh; i++) {
		nif->neigh[i].first_arp = 0;
		nif->neigh[i].first_frame = 0;
	}
	nif->first_arp = 0;
	nif->first_arp_ip = 0;
	nif->first_frame = 0;
	memset(nif->beacon.src, 0, sizeof(nif->beacon.src));
	nif->beacon.n_src = 0;
	nif->beacon.datagrams = 0;
	nif->beacon.table_full = 0;
	nif->beacon.not_before = 0;
	nif->beacon.stale = 0;
	__atomic_store_n(&nif->beacon.first, 0, __ATOMIC_RELEASE);
}



static int netif_mac_is_ours(const struct netif *nif, const uint8_t *mac)
{
	static const uint8_t bcast[PKT_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return memcmp(mac, nif->np->mac, PKT_ETH_ALEN) == 0 || memcmp(mac, bcast, PKT_ETH_ALEN) == 0;
}

static void netif_input_(struct netif *nif, struct rte_mbuf *m, tsc_t ts, int steerable);

void netif_input(struct netif *nif, struct rte_mbuf *m, tsc_t ts)
{
	netif_input_(nif, m, ts, nif->steer != NULL);
}

void netif_input_owned(struct netif *nif, struct rte_mbuf *m, tsc_t ts)
{
	netif_input_(nif, m, ts, 0);
}

/* The RX checksum offload's verdict on a frame's L4 checksum. NONE: the
 * field holds a partial sum but the data is vouched for (DPDK's mbuf API;
 * vhost: a guest's VIRTIO_NET_HDR_F_NEEDS_CSUM). */
static inline uint8_t netif_l4_csum_hw(const struct rte_mbuf *m)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE:
		return PKT_CSUM_HW_GOOD;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return PKT_CSUM_HW_BAD;
	default:
		return PKT_CSUM_HW_UNKNOWN;
	}
}

static void netif_input_(struct netif *nif, struct rte_mbuf *m, tsc_t ts, int steerable)
{
	const struct netif_port *np = nif->np;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pkt_info pi;
	enum pkt_kind kind;

	nif->c.rx++;
	if (unlikely(m->nb_segs != 1)) {
		nif->c.rx_bad[PKT_ERR_TRUNCATED]++; /* chained frames are not ours (MTU 1500) */
		netif_rx_done(nif, m);
		return;
	}
	kind = pkt_parse(frame, rte_pktmbuf_data_len(m), &pi);
	if (kind == PKT_BAD) {
		nif->c.rx_bad[pi.err]++;
		netif_rx_done(nif, m);
		return;
	}
	if (kind == PKT_NOT_IPV4) {
		nif->c.not_ipv4++;
		netif_rx_done(nif, m);
		return;
	}
	if (!netif_mac_is_ours(nif, pi.dst_mac) || (kind != PKT_ARP && pi.dst_ip - np->ip >= np->n_ips)) {
		nif->c.not_for_us++;
		netif_rx_done(nif, m);
		return;
	}
	if (pi.src_ip - np->ip >= np->n_ips) {
		struct neigh *n = arp_neigh_get(nif, pi.src_ip);

		if (n && !n->first_frame)
			n->first_frame = ts;
		if (!nif->first_frame)
			__atomic_store_n(&nif->first_frame, ts, __ATOMIC_RELEASE);
	}
	switch (kind) {
	case PKT_ARP:
		arp_input(nif, m, &pi, ts);
		return;
	case PKT_ICMP_ECHO_REQ:
	case PKT_ICMP_ECHO_REP:
		icmp_input(nif, m, &pi, ts);
		return;
	case PKT_TCP:
		if (steerable && pi.l4_off + 4u <= rte_pktmbuf_data_len(m)) {
			struct steer *st = nif->steer;
			uint16_t owner = steer_owner_of(st->port_lo, st->span, st->n,
							pkt_get16(frame + pi.l4_off + 2));

			if (owner != st->self) {
				nif->c.rx--; /* counted by the owner */
				steer_push(st, owner, m, ts);
				return;
			}
		}
		if (np->rx_l4_csum)
			pi.l4_csum_hw = netif_l4_csum_hw(m);
		if (nif->tcp) {
			tcp_input(nif->tcp, frame, rte_pktmbuf_data_len(m), &pi, ts);
		} else if (nif->responder) {
			responder_input(nif, nif->responder, m, &pi);
			return;
		} else {
			nif->c.other_ip++;
		}
		break;
	case PKT_UDP:
		nif->c.udp_in++;
		nif->c.udp_csum_partial += pi.l4_csum_partial;
		if (nif->trig && trigger_tx_input(nif, frame, &pi, ts))
			break;
		beacon_input(nif, frame, &pi, ts);
		break;
	default:
		nif->c.other_ip++;
		break;
	}
	netif_rx_done(nif, m);
}

void netif_rx_done_flush(struct netif *nif)
{
	rte_pktmbuf_free_bulk(nif->rxdone, nif->nrxdone);
	nif->nrxdone = 0;
}

void netif_tx(struct netif *nif, struct rte_mbuf *m)
{
	if (nif->ntx == NETIF_BURST)
		netif_flush(nif);
	nif->txq[nif->ntx++] = m;
}

uint16_t netif_flush(struct netif *nif)
{
	uint16_t sent;
	tsc_t t0;

	if (nif->ntx == 0)
		return 0;
	t0 = rte_rdtsc();
	sent = rte_eth_tx_burst(nif->np->port_id, nif->queue, nif->txq, nif->ntx);
	*netif_burst_time(nif) += rte_rdtsc() - t0;
	if (sent < nif->ntx)
		rte_pktmbuf_free_bulk(nif->txq + sent, nif->ntx - sent);
	nif->c.tx += sent;
	nif->c.tx_drop += nif->ntx - sent;
	nif->ntx = 0;
	return sent;
}



void netif_port_set_ips(struct netif_port *np, uint32_t n)
{
	np->n_ips = n ? n : 1;
}

static uint8_t *netif_tcp_alloc(void *ctx, void **handle, uint32_t *cap)
{
	struct netif *nif = ctx;
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->np->pool);

	if (!m) {
		nif->c.tx_nombuf++;
		return NULL;
	}
	*handle = m;
	*cap = rte_pktmbuf_tailroom(m);
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void netif_tcp_send(void *ctx, void *handle, uint32_t len)
{
	struct netif *nif = ctx;
	struct rte_mbuf *m = handle;

	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	if (nif->np->tx_l4_csum) { /* the stack left the pseudo-header's sum */
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		m->l2_len = PKT_ETH_HLEN;
		m->l3_len = PKT_IP_HLEN;
	}
	netif_tx(nif, m);
}

static int netif_tcp_csum_offload(void *ctx)
{
	return ((const struct netif *)ctx)->np->tx_l4_csum;
}

static void netif_tcp_release(void *ctx, void *handle)
{
	(void)ctx;
	rte_pktmbuf_free(handle);
}

const struct tcp_tx_ops netif_tcp_tx = {
    .alloc = netif_tcp_alloc,
    .send = netif_tcp_send,
    .release = netif_tcp_release,
    /* out-of-order payload is held in mbufs of the same pool */
    .hold = netif_tcp_alloc,
    .unhold = netif_tcp_release,
    .csum_offload = netif_tcp_csum_offload,
};

static int netif_tick_load(struct netif *nif, tsc_t now)
{
	return load_tick(nif->load, now);
}

void netif_load_attach(struct netif *nif, struct load *load, tsc_t now)
{
	nif->load = load;
	nif->tcp = load->tcp;
	load_start(load, now);
	nif->tick = netif_tick_load;
}

void netif_load_detach(struct netif *nif)
{
	nif->tick = netif_tick_idle;
	nif->tcp = NULL;
	nif->load = NULL;
}

/* The readiness probe waits for the beacon, then for the target's MAC. */
static int netif_tick_svc(struct netif *nif, tsc_t now)
{
	struct svc_probe *p = nif->svc;
	const struct neigh *n;

	switch (p->state) {
	case SVC_WAIT_BEACON:
		if (!__atomic_load_n(&nif->beacon.first, __ATOMIC_RELAXED))
			return 0;
		p->target = p->dst_ip ? p->dst_ip : nif->beacon.first_ip;
		p->state = SVC_WAIT_MAC;
		p->next_arp = now;
		/* fall through */
	case SVC_WAIT_MAC:
		n = arp_neigh_find(nif, p->target);
		if (n && n->valid) {
			svc_probe_start(p, p->target, n->mac, now);
			break;
		}
		if (tsc_before(now, p->next_arp))
			return 0;
		arp_request(nif, p->target);
		p->next_arp = now + p->arp_gap;
		return 1;
	default:
		break;
	}
	return svc_probe_tick(p, now);
}

void netif_svc_attach(struct netif *nif, struct svc_probe *p, tsc_t now)
{
	svc_probe_arm(p, now);
	nif->svc = p;
	nif->tcp = &p->tcp;
	nif->tick = netif_tick_svc;
}

void netif_svc_detach(struct netif *nif, tsc_t now)
{
	if (nif->svc)
		svc_probe_disarm(nif->svc, now);
	nif->tick = netif_tick_idle;
	nif->tcp = NULL;
	nif->svc = NULL;
}
