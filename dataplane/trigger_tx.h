/* SPDX-License-Identifier: BSD-3-Clause
 * The appliance's side of a remote-trigger start (the listener is
 * drivers/trigger.c): ECHO datagrams to the listener, each carrying the
 * TSC read just before its TX burst and matched back by nonce, sequence
 * and that TSC, stamped at the port on return (the one-way delay is half
 * the round trip); and the START datagram, whose TX TSC (read just before
 * rte_eth_tx_burst, on the worker) is the run's start mark before the
 * one-way delay is added.
 */
#ifndef LVP_TRIGGER_TX_H
#define LVP_TRIGGER_TX_H

#include <stdint.h>

#include "clock.h"
#include "netif.h"
#include "trigger_fmt.h"

struct trigger_tx {
	/* Set by trigger_tx_init. */
	uint32_t target_ip;
	uint16_t sport, dport;
	uint64_t nonce;
	uint32_t count;	  /* echoes to send */
	tsc_t interval;
	tsc_t arp_interval;
	tsc_t *tx_tsc;	  /* [count], 0: not sent */
	tsc_t *rx_tsc;	  /* [count], 0: no reply (yet) */

	/* Worker state; the control thread polls resolved, sent, received. */
	int resolved;
	uint8_t target_mac[PKT_ETH_ALEN];
	uint32_t sent;
	uint32_t received;
	uint64_t duplicates;
	uint64_t corrupt;	/* from the listener but not a reply to our echo */
	tsc_t next_tx;
	tsc_t next_arp;
	uint16_t tmpl_len;
	uint8_t tmpl[PKT_ETH_HLEN + PKT_IP_HLEN + PKT_UDP_HLEN + TRIGGER_MSG_LEN + 16];

	/* START: sent by trigger_tx_start on the worker. */
	tsc_t start_tsc;  /* the TSC it carried, read just before the TX burst; 0: not sent */
	int start_rc;	  /* 0, or -ENOBUFS/-EIO when it did not leave */
};

/*
 * Fill t for count echoes (0: none, START only) every interval ticks from
 * our sport to target_ip:dport under nonce, allocating the sample arrays.
 * Returns 0 or -ENOMEM. Free with trigger_tx_free().
 */
int trigger_tx_init(struct trigger_tx *t, uint32_t target_ip, uint16_t sport, uint16_t dport,
		    uint64_t nonce, uint32_t count, tsc_t interval, tsc_t arp_interval);
void trigger_tx_free(struct trigger_tx *t);

/* Worker context: attach t to nif (it resolves the target's MAC, then
 * sends its echoes) or detach it (replies are no longer taken). */
void trigger_tx_attach(struct netif *nif, struct trigger_tx *t);
void trigger_tx_detach(struct netif *nif);

/* Worker context (dp_call): send START now; t must be resolved. Sets
 * t->start_tsc and t->start_rc. arg is the struct trigger_tx_start_arg. */
struct trigger_tx_start_arg {
	struct netif *nif;
	struct trigger_tx *t;
};
void trigger_tx_start(void *arg);

/* Worker context, from netif_input: a UDP datagram from the attached
 * listener's address and port is a reply (taken: returns 1); else 0. */
int trigger_tx_input(struct netif *nif, const uint8_t *frame, const struct pkt_info *pi, tsc_t ts);

#endif
