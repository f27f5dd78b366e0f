/* SPDX-License-Identifier: BSD-3-Clause
 * Software steering between worker lcores (--workers N). Each worker owns
 * a range of local TCP ports (its TCP stack only connects from those); a
 * port without RSS (veth under af_packet or af_xdp) delivers a segment to
 * whichever queue the kernel chose, so the worker that received it hands
 * it to the owner through an SPSC ring, one per ordered pair of workers,
 * with its RX stamp. The owner drains its incoming rings every loop.
 *
 * Segments are batched per burst: netif_input() queues them per owner,
 * steer_flush() enqueues each batch with one ring operation.
 */
#ifndef LVP_STEER_H
#define LVP_STEER_H

#include <stdint.h>

#include "clock.h"

#define STEER_WORKERS_MAX 8
#define STEER_RING_SIZE	  4096
#define STEER_BATCH	  32

struct rte_mbuf;
struct rte_ring;
struct netif;

/* What goes through a ring: the frame and its RX stamp. */
struct steer_item {
	struct rte_mbuf *m;
	tsc_t ts;
};

struct steer_counters {
	uint64_t out;	    /* segments handed to another worker */
	uint64_t in;	    /* segments taken from other workers */
	uint64_t drops;	    /* ring full: freed (TCP retransmits) */
	uint64_t enq_calls; /* enqueue operations (one per batch) */
	uint64_t deq_calls; /* dequeue operations that returned segments */
	tsc_t enq_tsc;	    /* TSC inside those enqueues */
	tsc_t deq_tsc;	    /* and dequeues */
};

/* One worker's side. */
struct steer {
	uint16_t self, n;
	uint16_t port_lo;			  /* first local port of worker 0 */
	uint32_t span;				  /* local ports per worker */
	struct rte_ring *to[STEER_WORKERS_MAX];	  /* self -> k (NULL for self) */
	struct rte_ring *from[STEER_WORKERS_MAX]; /* k -> self */
	struct steer_item pend[STEER_WORKERS_MAX][STEER_BATCH];
	uint16_t npend[STEER_WORKERS_MAX];
	struct steer_counters c;
};

/* The worker that owns local port p: (p - port_lo) / span, clamped. */
static inline uint16_t steer_owner_of(uint16_t port_lo, uint32_t span, uint16_t n, uint16_t p)
{
	uint32_t k;

	if (p < port_lo || !span)
		return 0;
	k = (uint32_t)(p - port_lo) / span;
	return (uint16_t)(k < n ? k : (uint32_t)n - 1);
}

/*
 * Create the n * (n - 1) rings for workers 0..n-1 and fill st[0..n): each
 * worker's side, owning span ports from port_lo on. name tags the rings
 * (unique per process). Returns 0 or -ENOMEM.
 */
int steer_create(struct steer *st, uint16_t n, uint16_t port_lo, uint32_t span, const char *name);

/* Free the rings (after the workers stopped) and any frames still in them. */
void steer_destroy(struct steer *st, uint16_t n);

/* Worker context: queue m (stamped ts) for worker owner; flushed when the
 * batch is full. */
void steer_push(struct steer *s, uint16_t owner, struct rte_mbuf *m, tsc_t ts);

/* Worker context: enqueue every pending batch. Returns nonzero when any. */
int steer_flush(struct steer *s);

/* Worker context: take what other workers handed over and feed it to nif
 * (netif_input_owned). Returns the number of segments. */
uint32_t steer_drain(struct steer *s, struct netif *nif);

#endif
