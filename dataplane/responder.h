/* SPDX-License-Identifier: BSD-3-Clause
 * A server inside the dataplane, the far end when lvperf measures its own
 * generator: `lvperf reflect` (over memif, from another process) and
 * `lvperf calibrate --http` (over the in-process ring pair). It answers
 * HTTP/1.1 keep-alive requests with a fixed 200 response of body_size
 * bytes, or RESP GET (a bulk value of body_size bytes) and SET (+OK).
 *
 * Two ways to carry it, the same parsers and replies:
 * - Stack mode (responder_listen; lvperf reflect): lvperf's TCP stack in
 *   listen mode (tcp.h) is the server side, so retransmission, the
 *   out-of-order queue, window and FIN/RST handling are the client's own.
 *   Each request's reply is copied into the connection's send ring; when
 *   the ring is full the replies owed are remembered in order (up to
 *   RESPONDER_OWED_MAX per connection) and queued as ACKs make room; a
 *   connection owing more than that is reset (counted: backlog_aborts).
 *   Replies still owed when the client closes are counted (unsent).
 * - Stateless (responder_input; calibrate --http): the minimal server
 *   below, whose cost is next to nothing, so calibrate keeps measuring the
 *   generator alone.
 *
 * Stateless, per connection it keeps only what ordering needs: the next sequence
 * numbers each way and the request parser's state, in an open-addressed
 * table keyed by the client's address and port. A segment in order is
 * parsed byte by byte (requests may span segments) and its replies go out
 * at once, split at the MSS. It never retransmits and never buffers: it
 * is correct on a lossless link (memif, the ring pair), which is the only
 * place it is used; a segment out of order is counted and re-ACKed (a
 * retransmission that also carries new bytes gives the new ones).
 */
#ifndef LVP_RESPONDER_H
#define LVP_RESPONDER_H

#include <stdint.h>

#include "netif.h"

enum responder_proto {
	RESPONDER_HTTP = 0,
	RESPONDER_RESP,
};

/* Counters; the worker writes them, the control thread reads them. */
struct responder_counters {
	uint64_t conns;	      /* SYNs accepted */
	uint64_t closed;      /* FINs answered */
	uint64_t resets_in;
	uint64_t requests;    /* complete requests answered */
	uint64_t gets, sets;  /* RESP: of those */
	uint64_t unknown;     /* RESP: other commands, answered -ERR */
	uint64_t bad;	      /* unparseable bytes: the rest of the segment is dropped */
	uint64_t segs_in;
	uint64_t segs_out;
	uint64_t bytes_out;   /* reply payload */
	uint64_t out_of_order; /* segment not at rcv_nxt: re-ACKed, dropped */
	uint64_t no_conn;     /* data for no connection */
	uint64_t table_full;  /* SYN with no free entry: dropped */
	uint64_t tx_nombuf;
	/* stack mode only */
	uint64_t unsent;	 /* replies owed when the connection ended */
	uint64_t backlog_aborts; /* connections reset for owing too many replies */
	uint64_t backlog_max;	 /* most replies owed at once on one connection */
};

#define RESPONDER_OWED_MAX 64

/* What a complete request asks for. */
enum responder_op {
	RESPONDER_OP_HTTP = 0, /* an HTTP request (its header ended) */
	RESPONDER_OP_GET,
	RESPONDER_OP_SET,
	RESPONDER_OP_UNKNOWN, /* a RESP array whose first string is neither */
};

/* One connection's request parser: HTTP counts header terminators; RESP
 * reads arrays of bulk strings (the RESP spec) and names the command by its
 * first string. Requests may span any number of segments. */
struct responder_parser {
	uint32_t st;	   /* HTTP: bytes of "\r\n\r\n" matched; RESP: a state */
	uint32_t num;	   /* RESP: the number being read */
	uint32_t left;	   /* RESP: bulk bytes still to skip, CRLF included */
	uint32_t args;	   /* RESP: array length */
	uint32_t arg;	   /* RESP: index of the current bulk string */
	uint32_t name_len; /* RESP: length of argument 0 */
	char name[3];	   /* its first bytes, upper case */
};

/*
 * Feed n bytes of one connection's stream to p (zeroed at the connection's
 * start); emit(ctx, op) is called for each complete request, in order.
 * Returns 0, or -EBADMSG at a byte outside the RESP grammar: the rest of
 * d is dropped and p starts over at the next byte fed.
 */
int responder_parse(struct responder_parser *p, enum responder_proto proto, const uint8_t *d,
		    uint32_t n, void (*emit)(void *ctx, enum responder_op op), void *ctx);

struct responder_conn;
struct responder_srv;
struct tcp_stack;

struct responder {
	enum responder_proto proto;
	uint32_t body_size;
	uint8_t *reply;	     /* HTTP: the whole response; RESP: the GET reply */
	uint32_t reply_len;
	struct responder_conn *tab; /* [tab_size], open addressing */
	uint32_t tab_size;	    /* power of two */
	uint32_t n_conns;
	/* once: when the last connection closes, flush the netif and halt it
	 * (nif->halted) and set done (release-stored), so the owner can wait
	 * for the peer to leave without polling a memif whose peer unmaps its
	 * rings (DPDK 22.11's memif_disconnect races the datapath). */
	int once;
	int done;
	/* Stack mode: segments leave with only the pseudo-header's sum in the
	 * checksum field (tcp_config.tx_csum_partial; lvperf reflect
	 * --tx-csum partial). Set before responder_listen. */
	int tx_csum_partial;
	struct responder_counters c;
	/* stack mode (responder_listen) */
	struct tcp_stack *tcp;
	struct responder_srv *srv; /* [max_conns]: parser and replies owed */
	uint32_t *backlog;	   /* connections owing replies that did not fit */
	uint32_t n_backlog;
	uint32_t max_conns;
};

/*
 * Prepare r for proto with a body (HTTP) or GET value (RESP) of body_size
 * bytes and room for max_conns connections. Allocates once. Returns 0 or
 * -EINVAL/-ENOMEM.
 */
int responder_init(struct responder *r, enum responder_proto proto, uint32_t body_size,
		   uint32_t max_conns);
void responder_free(struct responder *r);

/*
 * Stack mode: answer through a listen-mode tcp_stack on nif (its
 * addresses, any port), created here; nif->tcp, nif->tick and
 * nif->responder are set. Call before the worker starts. Returns 0 or
 * -errno. responder_free() frees the stack too.
 */
int responder_listen(struct responder *r, struct netif *nif, const struct tsc_clock *clk);

/* Stack mode, worker context: the peer left the port (a memif whose
 * generator was killed): drop every connection, so that the next
 * generator, whose 4-tuples are the same, is not answered by stale ones
 * with challenge ACKs until its SYNs time out. Returns how many. */
uint32_t responder_drop_all(struct responder *r, tsc_t now);

/* Stack mode, after the worker stopped: copy the stack's counters into
 * r->c (conns, closed, resets_in, segs_*, bytes_out, out_of_order,
 * no_conn, table_full), so both modes report the same fields. */
void responder_fold_counters(struct responder *r);

/* Worker context: answer one TCP frame addressed to nif (takes ownership
 * of m); replies are queued on nif. */
void responder_input(struct netif *nif, struct responder *r, struct rte_mbuf *m,
		     const struct pkt_info *pi);

#endif
