/* SPDX-License-Identifier: BSD-3-Clause
 * The readiness probe of a booting service: once the target's first beacon
 * is in, send a TCP SYN to the service port every interval (a fresh source
 * port each time: before the server listens the kernel answers RST) until
 * the first SYN-ACK (the "syn" stage), then one request on that
 * connection (HTTP GET, or redis PING) until the first correct answer (the
 * "ready" stage). Both marks are the RX stamps of the segments that
 * brought them. A connection that fails before a correct answer is
 * dropped and probing goes on.
 *
 * Runs on the worker lcore; the control thread arms it and reads the marks
 * (release-stored). Nothing here knows about DPDK: segments go out through
 * tcp_tx_ops, and the netif (netif_svc_attach) starts the probe when the
 * beacon is in and the target's MAC known, so the state machine is tested
 * with recorded segments (tests/test_svc.c).
 */
#ifndef LVP_SVC_H
#define LVP_SVC_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "http.h"
#include "resp.h"
#include "tcp.h"

#define SVC_CONNS 64 /* SYNs in flight at most; the oldest is dropped */
#define SVC_PATH_MAX 128

enum svc_kind {
	SVC_HTTP = 0,
	SVC_REDIS,
};

/* What to probe: "http:PORT[/PATH]" or "redis:PORT". */
struct svc_spec {
	enum svc_kind kind;
	uint16_t port;
	char path[SVC_PATH_MAX]; /* HTTP only; "/" by default */
};

/* Parse s into *out. Returns 0, or -EINVAL with one line in err. */
int svc_spec_parse(const char *s, struct svc_spec *out, char *err, size_t len);

/* "http" or "redis". */
const char *svc_kind_name(enum svc_kind k);

enum svc_state {
	SVC_OFF = 0,
	SVC_WAIT_BEACON, /* armed: nothing is sent before svc_probe_start */
	SVC_WAIT_MAC,	 /* the netif is resolving the target */
	SVC_PROBING,	 /* SYNs, then the request */
	SVC_DONE,	 /* a correct answer came */
};

struct svc_counters {
	uint64_t syns;	    /* connections attempted */
	uint64_t refused;   /* RST answering a SYN */
	uint64_t dropped;   /* SYNs given up unanswered to make room */
	uint64_t requests;  /* requests sent */
	uint64_t bad;	    /* wrong or malformed answers, connections lost mid-request */
};

struct svc_probe {
	struct svc_spec spec;
	uint32_t dst_ip; /* fixed target, or 0: the first beacon's source */
	tsc_t interval;
	struct tcp_stack tcp;
	struct http_req_tmpl req; /* HTTP: the GET */
	struct http_parser http;  /* of the request connection */
	struct resp_parser resp;
	tsc_t arp_gap;		     /* for the netif: ARP retry period */

	/* Worker-owned. */
	int state;
	uint32_t target;	     /* the address probed this run */
	tsc_t next_syn, next_arp;
	tsc_t syn_at[SVC_CONNS];      /* when each connection entry sent its SYN */
	uint32_t req_conn;	     /* TCP_NONE until a SYN-ACK came */

	/* Results of this run, 0 = not yet (release-stored). */
	tsc_t first_synack;
	tsc_t ready;
	struct svc_counters c;
};

/*
 * Prepare p for spec against dst_ip (0: whoever sends the first beacon),
 * one SYN per interval_ns, from src_ip/src_mac; segments go out through
 * tx/tx_ctx. Allocates once. Returns 0 or -errno.
 */
int svc_probe_init(struct svc_probe *p, const struct svc_spec *spec, uint32_t dst_ip,
		   uint32_t src_ip, const uint8_t src_mac[PKT_ETH_ALEN], uint16_t mtu,
		   const struct tsc_clock *clk, nsec_t interval_ns, const struct tcp_tx_ops *tx,
		   void *tx_ctx);
void svc_probe_free(struct svc_probe *p);

/* Forget the last run (aborting its connections) and wait for
 * svc_probe_start. */
void svc_probe_arm(struct svc_probe *p, tsc_t now);

/* Start probing dst_ip (dst_mac) now: the first SYN goes at the next tick. */
void svc_probe_start(struct svc_probe *p, uint32_t dst_ip, const uint8_t dst_mac[PKT_ETH_ALEN],
		     tsc_t now);

/* Drop every connection; the probe is off. */
void svc_probe_disarm(struct svc_probe *p, tsc_t now);

/* One loop pass while probing or done: SYN pacing, TCP output and timers.
 * Returns nonzero when it did anything. */
int svc_probe_tick(struct svc_probe *p, tsc_t now);

#endif
