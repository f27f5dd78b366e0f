/* SPDX-License-Identifier: BSD-3-Clause
 * One network interface of the appliance: a started port, our MAC and IPv4
 * address on it, the neighbours seen, the listeners and probers attached,
 * and the counters. Owned by the worker lcore that polls it; the control
 * thread only reads it (fields it polls are written with release stores).
 */
#ifndef LVP_NETIF_H
#define LVP_NETIF_H

#include <stdint.h>

#include "clock.h"
#include "pkt.h"
#include "xdpclock.h"

#define NETIF_BURST 32
#define NETIF_NEIGH_MAX 32
#define BEACON_SRC_MAX 16

struct rte_mbuf;
struct rte_mempool;
struct port;
struct ping_prober;
struct tcp_stack;
struct tcp_tx_ops;
struct load;
struct svc_probe;
struct trigger_tx;
struct responder;

/* A peer on the link, learned from ARP. */
struct neigh {
	uint32_t ip;
	uint8_t mac[PKT_ETH_ALEN];
	uint8_t valid;
	tsc_t first_arp;   /* first ARP from it since the netif was armed */
	tsc_t first_frame; /* first frame of any kind from it since armed */
};

/* First datagram per source seen by the beacon listener. */
struct beacon_src {
	uint32_t ip;
	uint16_t sport;
	uint8_t study_format; /* the study's 1-byte payload */
	uint32_t first_seq;   /* sequence of the first lvperf-format beacon */
	uint32_t count;
	tsc_t first;
	uint8_t has_tsc;      /* the first datagram carried the sender's TSC */
	uint16_t sender_cpu;  /* the CPU it was read on (BEACON_CPU_UNKNOWN) */
	tsc_t sender_tsc;     /* the sender's TSC just before its sendto() */
};

struct beacon_listener {
	uint16_t udp_port;
	uint32_t n_src;
	struct beacon_src src[BEACON_SRC_MAX];
	uint64_t datagrams;
	uint64_t table_full;
	tsc_t first;	   /* first beacon from any source, 0 = none yet */
	uint32_t first_ip; /* its source */
	/* Set after netif_arm when senders share our TSC (0: no filter): a
	 * beacon whose sender read its TSC before this was sent by an earlier
	 * instance (late in the kernel), not the one started after the arm. */
	tsc_t not_before;
	uint64_t stale;	   /* such beacons, ignored */
};

/* Counters; the worker writes them, everyone else reads. */
struct netif_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t tx_drop;    /* TX queue full, frame freed */
	uint64_t tx_nombuf;  /* no mbuf for a frame we wanted to send */
	uint64_t rx_bad[PKT_ERR__COUNT];
	uint64_t not_for_us; /* unicast to another MAC or IP */
	uint64_t not_ipv4;
	uint64_t other_ip;   /* TCP and other IPv4 protocols we do not speak */
	uint64_t arp_in;
	uint64_t arp_replied;
	uint64_t arp_requests_sent;
	uint64_t icmp_echo_in;
	uint64_t icmp_echo_replied;
	uint64_t icmp_reply_in;
	uint64_t icmp_reply_unmatched;
	uint64_t udp_in;
	uint64_t udp_other_port;
	uint64_t udp_csum_partial; /* accepted: checksum left to an offload */
};

struct steer;

struct netif;

/*
 * The port's part of a netif, one per port: the started port, our MAC and
 * addresses on it, the mbuf pool, the RX stamping chosen for the port and
 * whether its bursts enter the kernel. Set up by the control thread before
 * any worker polls the port; every queue's netif (one per worker, --workers
 * N) points to it and only reads it.
 */
struct netif_port {
	struct port *port;
	uint16_t port_id;
	uint8_t mac[PKT_ETH_ALEN];
	uint32_t ip;	 /* first of n_ips consecutive addresses we own */
	uint32_t n_ips;
	uint32_t mask;
	struct rte_mempool *pool;
	/* Stamps a received burst; chosen once per port (software, NIC or
	 * XDP hook), the same for every queue. Clock state a stamp updates
	 * is the queue's (struct netif's xclk), so queues never share it. */
	void (*rx_stamp)(struct netif *nif, struct rte_mbuf **pkts, uint16_t n, tsc_t now,
			 tsc_t *stamps);
	/* Own-cycle accounting (BENCHMARKS.md): set when the port's PMD
	 * enters the kernel inside its bursts (af_xdp, af_packet, tap, vhost:
	 * the TX kick, where a veth peer's receive work runs). */
	uint8_t kicks;
	/* Received frames were written by another CPU (a kernel's XDP or
	 * packet copy, a guest, a NIC's DMA), not by this worker's own PMD
	 * copy (memif, ring): worth prefetching whole before they are read. */
	uint8_t rx_cold;
	/* The port's L4 checksum offloads in use (port.h): RX frames carry
	 * the PMD's verdict on their TCP checksum; TCP segments sent through
	 * netif_tcp_tx leave theirs for the PMD to complete. */
	uint8_t rx_l4_csum, tx_l4_csum;
};

/*
 * The per-queue part of a port: one per worker (--workers N), polled by
 * that worker alone. The port's identity is np's, shared by every queue;
 * queue, TX batch, RX frames done with, neighbours seen, first-seen marks,
 * attached stacks, counters and the kick time are this worker's own.
 */
struct netif {
	const struct netif_port *np;
	uint16_t queue;	     /* RX/TX queue pair polled by the owning worker */
	struct steer *steer; /* --workers > 1: hand TCP to the owning worker (steer.h) */

	/* Timer work once per loop; a no-op unless a prober is attached. */
	int (*tick)(struct netif *nif, tsc_t now);
	/* The XDP hook clock of this queue (np->port's clock when XDP_HOOK,
	 * copied at netif_init and re-anchored by this queue's worker). */
	struct xdp_clock xclk;

	struct neigh neigh[NETIF_NEIGH_MAX];
	uint32_t n_neigh;
	tsc_t first_arp; /* first ARP from any peer since armed */
	uint32_t first_arp_ip;
	tsc_t first_frame; /* first valid frame from any peer since armed */

	struct beacon_listener beacon;
	struct ping_prober *ping;
	struct tcp_stack *tcp; /* TCP segments go here when set */
	struct responder *responder; /* else to this server (responder.h), when set */
	struct load *load;
	struct svc_probe *svc; /* the readiness probe, when armed (svc.c) */
	struct trigger_tx *trig; /* remote-trigger echoes and START, when attached (trigger_tx.c) */

	struct rte_mbuf *txq[NETIF_BURST];
	uint16_t ntx;
	/* Received frames done with, freed in one rte_pktmbuf_free_bulk after
	 * the RX burst (netif_rx_done). */
	struct rte_mbuf *rxdone[NETIF_BURST];
	uint16_t nrxdone;

	/* Own-cycle accounting (BENCHMARKS.md): on a port whose bursts enter
	 * the kernel (np->kicks), the TSC spent inside the RX burst of each
	 * busy iteration and every TX burst; on any other port the same in
	 * pmd (the PMD's own work: memif's copies, ring or descriptor
	 * handling). lvperf's own cycles are busy minus both. Worker-owned. */
	tsc_t kick;
	tsc_t pmd;
	/* Set by the worker (responder.c, --once) to stop polling this
	 * netif: nothing touches the port after it. */
	int halted;

	struct netif_counters c;
};

/* Where a burst's TSC time on nif goes: kick on ports whose bursts enter
 * the kernel, pmd on the others. */
static inline tsc_t *netif_burst_time(struct netif *nif)
{
	return nif->np->kicks ? &nif->kick : &nif->pmd;
}

/*
 * Prepare the port part np on a started port with address ip/prefix_len,
 * our MAC taken from the port, frames from pool.
 */
void netif_port_init(struct netif_port *np, struct port *port, struct rte_mempool *pool, uint32_t ip,
		     uint8_t prefix_len);

/*
 * Prepare nif, the netif of queue q of np's port (np must outlive it).
 * Beacons are accepted on udp_port (0: no listener).
 */
void netif_init(struct netif *nif, const struct netif_port *np, uint16_t q, uint16_t udp_port);

/* The tick of a netif with no prober attached: does nothing, returns 0. */
int netif_tick_idle(struct netif *nif, tsc_t now);

/* Forget first-seen marks and beacon sources (not MACs). Worker context. */
void netif_arm(struct netif *nif);

/* Handle one received frame stamped at ts. Takes ownership of m. A TCP
 * segment for another worker's local port goes to nif->steer. */
void netif_input(struct netif *nif, struct rte_mbuf *m, tsc_t ts);

/* The same for a frame another worker handed over: never steered again. */
void netif_input_owned(struct netif *nif, struct rte_mbuf *m, tsc_t ts);

/* Free the frames netif_rx_done collected. */
void netif_rx_done_flush(struct netif *nif);

/* A received frame we are done with: freed with the others of its burst. */
static inline void netif_rx_done(struct netif *nif, struct rte_mbuf *m)
{
	if (nif->nrxdone == NETIF_BURST)
		netif_rx_done_flush(nif);
	nif->rxdone[nif->nrxdone++] = m;
}

/* Queue m for transmission on nif (flushed by netif_flush). */
void netif_tx(struct netif *nif, struct rte_mbuf *m);

/* Send what is queued. Returns the number handed to the PMD. */
uint16_t netif_flush(struct netif *nif);

/* Look up a neighbour by IP; NULL when unknown. */
struct neigh *arp_neigh_find(struct netif *nif, uint32_t ip);

/* The entry for ip, created when there is room; NULL when the table is
 * full. Worker context. */
struct neigh *arp_neigh_get(struct netif *nif, uint32_t ip);

/* Queue an ARP request for ip. Returns 0 or -ENOBUFS. */
int arp_request(struct netif *nif, uint32_t ip);

/* Own addresses ip .. ip + n - 1 (ARP answers, accepted destinations) on
 * np's port, for every queue of it. Control thread, while no worker polls
 * the port. */
void netif_port_set_ips(struct netif_port *np, uint32_t n);

/* Transmit callbacks for a TCP stack on this netif (ctx: the netif). */
extern const struct tcp_tx_ops netif_tcp_tx;

/* Worker context: arm probe p (svc.c) on nif: when the first beacon is in,
 * resolve the target (p->dst_ip, or the beacon's source) and start it.
 * The probe takes the netif's TCP and tick until netif_svc_detach. */
void netif_svc_attach(struct netif *nif, struct svc_probe *p, tsc_t now);
void netif_svc_detach(struct netif *nif, tsc_t now);

/* Worker context: attach a load (and its TCP stack) to nif and start it. */
void netif_load_attach(struct netif *nif, struct load *load, tsc_t now);
void netif_load_detach(struct netif *nif);

/* Handlers, one per protocol module (arp.c, icmp.c, beacon.c). */
void arp_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi, tsc_t ts);
void icmp_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi, tsc_t ts);
void beacon_input(struct netif *nif, const uint8_t *frame, const struct pkt_info *pi, tsc_t ts);

#endif
