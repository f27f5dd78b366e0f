/* SPDX-License-Identifier: BSD-3-Clause
 * Load models over the client TCP: closed loop (N connections, P requests
 * outstanding each, like weighttp/abc and redis-benchmark) and open loop (a
 * fixed rate with constant or Poisson spacing, latency from the intended
 * send time so queueing is not hidden, like wrk2). The protocol (HTTP,
 * RESP) plugs in through struct load_proto; the latency of every response
 * goes into an HDR histogram.
 *
 * Runs on the worker lcore; the control thread starts it and reads the
 * counters (phase is release-stored).
 */
#ifndef LVP_LOAD_H
#define LVP_LOAD_H

#include <stdint.h>

#include "clock.h"
#include "hist.h"
#include "tcp.h"

#define LOAD_CLASSES 8	/* protocol reply classes (HTTP: status / 100) */
#define LOAD_PROTO_ERRS 8

/* One parsed reply, as the protocol reports it. */
struct load_reply {
	uint8_t cls;	    /* reply class, < LOAD_CLASSES */
	uint8_t ok;	    /* counts as a correct answer */
	uint8_t keep_alive; /* 0: the server will close; reconnect after it */
	uint64_t bytes;
};

/* A protocol on top of TCP; ctx is the protocol's own state. */
struct load_proto {
	const char *name;
	const char *class_names[LOAD_CLASSES];
	const char *(*err_name)(int err); /* err < LOAD_PROTO_ERRS */
	/* A connection (re)starts: reset its parser. */
	void (*conn_reset)(void *ctx, uint32_t conn);
	/* Write the next request for conn into out; returns its length, 0 if
	 * cap is too small. */
	uint32_t (*request)(void *ctx, uint32_t conn, uint8_t *out, uint32_t cap);
	/* Parse in-order bytes: returns bytes consumed, sets *done when a reply
	 * completed (filling *r); -1 with *err (< LOAD_PROTO_ERRS) when malformed. */
	int (*parse)(void *ctx, uint32_t conn, const uint8_t *data, uint32_t len, struct load_reply *r,
		     int *done, int *err);
	/* The server closed: does that complete a reply (body until close)? */
	int (*eof)(void *ctx, uint32_t conn, struct load_reply *r);
};

enum load_phase {
	LOAD_IDLE = 0,
	LOAD_WARMUP,  /* connecting and running, not recorded */
	LOAD_MEASURE, /* recorded */
	LOAD_DRAIN,   /* no new requests; outstanding ones may complete */
	LOAD_CLOSING, /* closing every connection */
	LOAD_DONE,
};

struct load_config {
	uint32_t connections;
	uint32_t pipeline;
	double rate;	     /* requests/s; 0: closed loop */
	int poisson;	     /* open loop: exponential gaps instead of constant */
	nsec_t warmup;
	nsec_t duration;
	nsec_t linger;	     /* drain time for outstanding requests */
	uint64_t requests;   /* stop after this many measured replies (0: none) */
	uint64_t seed;
	uint32_t connect_burst; /* SYNs per tick while connecting */
	uint32_t req_max;	/* longest request: sent only when that much room is free */
};

struct load_counters {
	uint64_t sent;	       /* requests sent, all phases */
	uint64_t replies;      /* replies parsed, all phases */
	uint64_t measured;     /* replies completed in the measurement window */
	uint64_t measured_ok;
	uint64_t measured_bytes;
	uint64_t cls[LOAD_CLASSES]; /* measured replies by class */
	uint64_t proto_err[LOAD_PROTO_ERRS];
	uint64_t conn_refused;
	uint64_t conn_reset;
	uint64_t conn_timeout;
	uint64_t conn_closed_by_server;
	uint64_t lost_requests;	 /* outstanding when their connection died */
	uint64_t reconnects;
	uint64_t connect_fail;	 /* no port or entry free for a connect */
	uint64_t backlog_max;	 /* open loop: most requests due and not yet sent */
	uint64_t late;		 /* open loop: requests sent after their intended time */
};

/*
 * Open-loop pacing: the intended send times, constant or Poisson gaps of
 * mean gap ticks from start.
 */
struct load_pace {
	tsc_t start;
	double gap;	/* mean gap, TSC ticks */
	int poisson;
	uint64_t rng;
	uint64_t n;	/* intended sends so far */
	double off;	/* exact ticks from start to next */
	tsc_t next;	/* intended time of the next send: start + off, truncated */
};

struct load {
	struct load_config cfg;
	struct tcp_stack *tcp;
	const struct load_proto *proto;
	void *proto_ctx;
	const struct tsc_clock *clk;
	const tsc_t *busy; /* the worker's busy-cycle counter */
	const tsc_t *kick; /* the netif's kick cycles (netif.h), or NULL: none */
	const tsc_t *pmd;  /* the netif's other PMD-burst cycles, or NULL: none */

	uint32_t *outstanding;	 /* [max_conns] */
	uint32_t *head;		 /* [max_conns] FIFO head into stamps */
	uint32_t *gen;		 /* [max_conns] incarnation, for the ready queue */
	tsc_t *stamps;		 /* [max_conns << pipe_shift] send or intended times */
	uint32_t pipe_shift, pipe_mask; /* a connection's ring: 1 << pipe_shift >= pipeline */
	uint64_t *ready;	 /* open loop: (gen << 32 | conn) that can take one */
	uint32_t ready_head, ready_count, ready_cap; /* ready_cap: a power of two */
	uint64_t inflight;	 /* requests sent and not answered, all connections */
	uint32_t open;		 /* connections not closed */
	uint32_t to_open;	 /* connections still to open */

	int phase;
	tsc_t t_start, t_measure, t_end, t_drain_end, t_close_end;
	struct load_pace pace;	 /* open loop */
	tsc_t reconnect_after;	 /* no connects before this (after a refusal) */
	double gap_tsc;		 /* open loop mean gap */
	tsc_t busy_at_measure, busy_at_end;
	tsc_t kick_at_measure, kick_at_end;
	tsc_t pmd_at_measure, pmd_at_end;
	/* The calling (worker) thread's CPU time at the window's edges, ns:
	 * unlike busy, it leaves out time the thread was descheduled. */
	uint64_t cpu_at_measure, cpu_at_end;
	tsc_t measure_started, measure_ended; /* actual window edges */
	uint64_t tcp_retx_at_measure, tcp_retx_at_end;

	struct hist hist;	 /* latency in ns of measured replies */
	/* Inside one recv callback: measured replies whose latency, in TSC
	 * ticks, equals run_ticks and are not yet in hist (run_n of them). */
	tsc_t run_ticks;
	uint64_t run_n;
	struct load_counters c;
};

/*
 * Prepare l for tcp (already initialised with l as its app context and
 * load_tcp_ops as callbacks) and proto. Allocates everything once. Returns 0
 * or -ENOMEM/-EINVAL.
 */
int load_init(struct load *l, const struct load_config *cfg, struct tcp_stack *tcp,
	      const struct load_proto *proto, void *proto_ctx, const struct tsc_clock *clk,
	      const tsc_t *busy);
void load_free(struct load *l);

/* The TCP callbacks of the load; app_ctx must be the struct load. */
extern const struct tcp_app_ops load_tcp_ops;

/* Worker context: start the run now (phase WARMUP or MEASURE): its
 * phases are timed from now (several workers get the same now). */
void load_start(struct load *l, tsc_t now);

/* Worker context: one loop pass: phases, connects, open-loop sends, TCP
 * output and timers. Returns nonzero when it did anything. */
int load_tick(struct load *l, tsc_t now);

/* Worker context: stop early (Ctrl-C): go to DRAIN now. */
void load_stop(struct load *l, tsc_t now);

/*
 * The window accounting of one completed reply r, to a request stamped at
 * stamp (send time, or open loop: intended time), completed at done. It
 * counts when it completes inside the measurement window (phase MEASURE),
 * whenever its request was sent ("completed-in-window", as wrk and
 * weighttp count): then it goes into the measured counters and its
 * latency done - stamp into the histogram.
 */
void load_window_reply(struct load *l, tsc_t stamp, tsc_t done, const struct load_reply *r);

/*
 * Several workers (--workers N): each runs its own struct load; the report
 * adds them up. load_sum_init prepares dst (zero counters, an empty
 * histogram of the same layout, proto for the names); load_merge adds
 * src's counters (backlog_max: the largest), its histogram bucket by
 * bucket (exact: the merged one is the histogram of the union), and its
 * window cycles (busy, kick, retransmissions as deltas in the *_at_end
 * fields, *_at_measure staying 0), and widens the window to the earliest
 * start and latest end. Returns 0, or -EINVAL/-ENOMEM.
 */
int load_sum_init(struct load *dst, const struct load_proto *proto, const struct load_config *cfg);
int load_merge(struct load *dst, const struct load *src);

/* Open loop: a connection that can take one request now (established,
 * current incarnation), taken off the ready queue; TCP_NONE when none. */
uint32_t load_ready_pop(struct load *l);

/* Pacing from start with mean gap gap_tsc ticks (poisson: exponential
 * gaps from seed); p->next is start. */
void load_pace_init(struct load_pace *p, tsc_t start, double gap_tsc, int poisson, uint64_t seed);

/* Move p->next to the following intended send time and return it; it is
 * within one tick of start + the exact sum of the gaps (no drift). */
tsc_t load_pace_advance(struct load_pace *p);

#endif
