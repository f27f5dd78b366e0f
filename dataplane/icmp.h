/* SPDX-License-Identifier: BSD-3-Clause
 * ICMP echo (RFC 792): the responder, and the prober behind `lvperf ping`.
 *
 * The prober sends echo requests whose payload carries a magic, the sample
 * index and the TSC read just before rte_eth_tx_burst(); replies are matched
 * by identifier, index and sequence, and stamped at the port.
 */
#ifndef LVP_ICMP_H
#define LVP_ICMP_H

#include <stdint.h>

#include "clock.h"
#include "netif.h"

#define PING_MAGIC 0x4c565050u /* "LVPP" */
#define PING_PAYLOAD_MIN 16    /* magic, index, TX TSC */
#define PING_PAYLOAD_MAX 1400

struct ping_prober {
	/* Set by the control thread before attaching. */
	uint32_t target_ip;
	uint16_t id;
	uint16_t payload_len;
	uint32_t count;
	tsc_t interval;
	tsc_t arp_interval;
	tsc_t *tx_tsc; /* [count], 0 = not sent */
	tsc_t *rx_tsc; /* [count], 0 = no reply (yet) */

	/* Worker state; control polls resolved, sent and received. */
	int resolved;
	uint8_t target_mac[PKT_ETH_ALEN];
	uint32_t sent;
	uint32_t received;
	uint64_t duplicates;
	uint64_t corrupt;	 /* our id but a payload that does not match */
	uint64_t late_sends;	 /* the loop was more than an interval late */
	tsc_t next_tx;
	tsc_t next_arp;
	uint16_t tmpl_len;
	uint8_t tmpl[PKT_ETH_HLEN + PKT_IP_HLEN + PKT_ICMP_HLEN + PING_PAYLOAD_MAX];
};

/*
 * Fill p for count echoes to target_ip every interval ticks, allocating the
 * sample arrays. Returns 0 or -ENOMEM/-EINVAL. Free with ping_prober_free().
 */
int ping_prober_init(struct ping_prober *p, uint32_t target_ip, uint16_t id, uint32_t count,
		     tsc_t interval, uint16_t payload_len, tsc_t arp_interval);

void ping_prober_free(struct ping_prober *p);

/* Worker context: attach p to nif (it starts resolving at once) or detach. */
void ping_attach(struct netif *nif, struct ping_prober *p);
void ping_detach(struct netif *nif);

#endif
