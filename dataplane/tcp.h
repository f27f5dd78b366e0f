/* SPDX-License-Identifier: BSD-3-Clause
 * A TCP (RFC 9293) for load generation against real servers, and the
 * server side of lvperf's own reflector (listen mode, below).
 *
 * One stack per worker, all memory allocated at start: a connection table
 * (one entry per concurrent connection), a slot per (source IP, source
 * port) that maps incoming segments to their connection in O(1), and a
 * FIFO of free slots in the order they were released, so a port is reused
 * only after it has rested at least time_wait (our side of TIME_WAIT).
 *
 * Choices, and why:
 * - An out-of-order queue per connection, bounded: a segment beyond
 *   rcv_nxt (and within the window we advertise) is copied into a buffer
 *   from tx_ops.hold (an mbuf of the port's pool in the dataplane; nothing
 *   is allocated with malloc after init) and kept in a list sorted by
 *   sequence, trimmed against its neighbours so the held ranges never
 *   overlap. At most cfg.ooo_per_conn segments per connection and
 *   cfg.ooo_max in the stack; when full, a segment below the highest held
 *   one takes that one's place, else it is dropped (the server resends
 *   it). Each one is answered with a duplicate ACK at once (RFC 5681 4.2);
 *   when the hole fills, everything now in order is delivered and the
 *   buffers go back, as they do when the connection ends in any way. No
 *   SACK: the server's NewReno recovers one hole per round trip. The
 *   copy costs a memcpy per reordered segment only; in-order payload is
 *   still consumed in place. Without tx_ops.hold a segment beyond rcv_nxt
 *   is dropped and duplicate-ACKed as before.
 * - No delayed ACK: every burst that brought in-order data to a connection
 *   ends with one ACK for it, unless a request we send carries it.
 * - Sent bytes stay in a per-connection ring until acknowledged, so a
 *   retransmission resends exactly what was sent.
 * - RTO per RFC 6298 (SRTT/RTTVAR, Karn's rule) but bounded like Linux:
 *   SRTT + max(4 RTTVAR, min_rto) with min_rto 200 ms, doubling per retry;
 *   the connection is given up after TCP_MAX_RETRIES; fast retransmit on
 *   the third duplicate ACK (RFC 5681). A zero window is
 *   probed with one byte for as long as the server answers (RFC 1122
 *   4.2.2.17); FIN_WAIT_2 ends after TCP_FIN_WAIT_NS without the FIN.
 * - The ISN is clock-driven but always at least 64 KiB above where the
 *   slot's previous connection ended, so a server still in TIME_WAIT on
 *   that 4-tuple accepts the new SYN.
 * - Window scale and MSS options on the SYN; no SACK, no timestamps.
 *
 * Listen mode (cfg.listen): the same connections, ring, RTO, out-of-order
 * queue, FIN/RST handling and callbacks, opened passively. A SYN to one of
 * our cfg.n_ips addresses from cfg.ip_base (and to cfg.listen_port, or any
 * port when it is 0) with no connection creates one in SYN_RCVD, answered
 * with a SYN-ACK (retransmitted on the RTO); the ACK of it makes it
 * ESTABLISHED and calls connected (data on that ACK is taken at once).
 * Connections are found by the client's (address, port) in a chained hash
 * table of at least max_conns buckets (O(1) on average, bounded by
 * max_conns entries); the local address and port are the ones the SYN was
 * sent to, the peer's MAC the one it came from. When every entry is in use
 * a SYN is answered with RST and counted (accept_full). No SYN cookies, no
 * TIME_WAIT on our side (a closed 4-tuple may be reused at once). Fields
 * of the client side (dst_ip, dst_port, port_lo/hi, time_wait) are unused.
 *
 * Nothing here knows about DPDK: frames come in as bytes, go out through
 * two callbacks, so the state machine is tested with recorded segments.
 */
#ifndef LVP_TCP_H
#define LVP_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "pkt.h"

#define TCP_HLEN 20
#define TCP_MAX_RETRIES 8
#define TCP_FIN_WAIT_NS 60000000000ull
#define TCP_NONE UINT32_MAX

enum tcp_state {
	TCP_CLOSED = 0,
	TCP_SYN_SENT,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSING,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_SYN_RCVD, /* listen mode: our SYN-ACK sent, its ACK awaited */
};

/* Why a connection ended, as told to the application. */
enum tcp_close_reason {
	TCP_CLOSE_NORMAL = 0, /* both FINs exchanged, or we closed */
	TCP_CLOSE_PEER_FIN,   /* the server closed first (we answer with our FIN) */
	TCP_CLOSE_RESET,      /* RST from the server */
	TCP_CLOSE_REFUSED,    /* RST answering our SYN */
	TCP_CLOSE_TIMEOUT,    /* TCP_MAX_RETRIES retransmissions without progress */
	TCP_CLOSE_ABORT,      /* we reset it (tcp_abort) */
};

const char *tcp_state_name(enum tcp_state s);

/* Counters of one stack: every retransmission, reset, drop and odd segment. */
struct tcp_counters {
	uint64_t segs_in;
	uint64_t segs_out;
	uint64_t bytes_in;  /* payload delivered in order */
	uint64_t bytes_out; /* payload sent, first transmissions only */
	uint64_t connects;
	uint64_t established;
	uint64_t refused;
	uint64_t resets_in;
	uint64_t resets_out;
	uint64_t timeouts;
	uint64_t retransmits;	   /* RTO retransmissions (SYN, data or FIN) */
	uint64_t fast_retransmits; /* on three duplicate ACKs */
	uint64_t dup_acks_in;
	uint64_t out_of_order;	   /* beyond rcv_nxt: dup ACK sent at once */
	uint64_t ooo_segments;	   /* of those, held in the out-of-order queue */
	uint64_t ooo_bytes;	   /* new bytes held there (after trimming) */
	uint64_t ooo_dup;	   /* of those, all already held: dropped */
	uint64_t ooo_dropped;	   /* not held: queue full, no buffer, beyond window */
	uint64_t ooo_evicted;	   /* held ones given up for a lower segment */
	uint64_t ooo_merged;	   /* held segments delivered once the hole filled */
	uint64_t ooo_held_max;	   /* most segments held at once in the stack */
	uint64_t old_segments;	   /* entirely before rcv_nxt: re-ACKed */
	uint64_t out_of_window;	   /* ACK of data never sent, and the like */
	uint64_t no_conn;	   /* no connection for the segment: RST sent */
	uint64_t bad_csum;
	uint64_t bad_header;
	uint64_t csum_partial;	   /* checksum left to an offload, accepted */
	uint64_t csum_offloaded;   /* checksum vouched for by the port (RX offload) */
	uint64_t tx_nobuf;	   /* no buffer for a segment */
	uint64_t tx_ring_full;	   /* tcp_send found no room in the ring */
	uint64_t ports_exhausted;  /* tcp_connect found no rested port */
	uint64_t conns_exhausted;  /* tcp_connect found no free entry */
	uint64_t fin_wait_timeouts; /* FIN_WAIT_2 without the server's FIN */
	uint64_t zero_window;	   /* output held back by a zero window */
	uint64_t accepts;	   /* listen mode: SYNs that opened a connection */
	uint64_t accept_full;	   /* listen mode: SYNs with no free entry: RST sent */
};

struct tcp_conn {
	uint8_t state;
	uint8_t retries;
	uint8_t peer_wscale;
	uint8_t pending;     /* on the pending list: ACK and/or output due */
	uint8_t ack_due;
	uint8_t fin_queued;  /* we close after the queued data */
	uint8_t rtt_timing;  /* an RTT sample is running on rtt_seq */
	uint8_t timer_on;
	uint8_t probing;     /* a zero-window probe byte is outstanding */
	uint8_t rcv_wscale;  /* our window shift, once the peer agreed to scaling */
	uint16_t mss;	     /* peer's, or 536, at most ours */
	uint16_t dupacks;
	uint32_t slot;	     /* (source IP, source port) slot; listen mode: a serial */
	uint32_t src_ip;     /* the slot's address and port */
	uint16_t src_port;
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_wnd;    /* already scaled */
	uint32_t snd_wl1;    /* seq and ack of the segment that last set snd_wnd */
	uint32_t snd_wl2;
	uint32_t rcv_nxt;
	uint32_t tx_head;    /* ring offset of snd_una */
	uint32_t tx_len;     /* bytes in the ring from snd_una: sent and not yet */
	uint32_t rtt_seq;
	tsc_t rtt_start;
	tsc_t srtt;	     /* 0: no sample yet */
	tsc_t rttvar;
	tsc_t rto;
	tsc_t timer_at;
	uint32_t timer_prev, timer_next; /* RTO wheel list */
	uint32_t ooo_head;		 /* out-of-order queue, sorted by seq (when ooo_n) */
	uint32_t ooo_n;
};

/* One held out-of-order segment: [seq, seq + len) and maybe the FIN after. */
struct tcp_ooo {
	uint32_t seq;
	uint32_t len;
	uint32_t next; /* next in its connection's queue, or the free list */
	uint8_t fin;
	uint8_t *data;
	void *handle; /* from tx_ops.hold, NULL when the entry is free */
};

/* Listen mode: the client of a connection, and the hash chain. */
struct tcp_peer {
	uint32_t ip;
	uint16_t port;
	uint8_t mac[PKT_ETH_ALEN];
	uint32_t next;
};

struct tcp_stack;

/* What the application (load.c) hears from the stack. */
struct tcp_app_ops {
	/* The handshake completed; the app may tcp_send(). */
	void (*connected)(struct tcp_stack *s, uint32_t conn, tsc_t now);
	/* In-order payload, consumed at once (not kept by the stack). */
	void (*recv)(struct tcp_stack *s, uint32_t conn, const uint8_t *data, uint32_t len, tsc_t ts);
	/* The connection ended; its entry may be reused after this returns. */
	void (*closed)(struct tcp_stack *s, uint32_t conn, enum tcp_close_reason why, tsc_t now);
};

/* Where segments go: a buffer of at least cap bytes, then send it. */
struct tcp_tx_ops {
	uint8_t *(*alloc)(void *ctx, void **handle, uint32_t *cap);
	void (*send)(void *ctx, void *handle, uint32_t len);
	void (*release)(void *ctx, void *handle); /* a buffer that will not be sent */
	/* Optional: a buffer the stack keeps for out-of-order payload, and
	 * its return. Without them nothing beyond rcv_nxt is kept. */
	uint8_t *(*hold)(void *ctx, void **handle, uint32_t *cap);
	void (*unhold)(void *ctx, void *handle);
	/* Optional: nonzero when send() has the port complete each segment's
	 * TCP checksum (a TX checksum offload): the stack then leaves only
	 * the pseudo-header's sum in the field, as the offload expects. */
	int (*csum_offload)(void *ctx);
};

struct tcp_config {
	uint32_t max_conns;   /* concurrent connections */
	uint32_t ip_base;     /* first of n_ips consecutive source addresses */
	uint32_t n_ips;
	uint16_t port_lo;     /* source port range per address */
	uint16_t port_hi;
	uint32_t txbuf;	      /* bytes per connection ring, power of two */
	uint32_t dst_ip;      /* the server */
	uint16_t dst_port;
	uint8_t src_mac[PKT_ETH_ALEN];
	uint8_t dst_mac[PKT_ETH_ALEN];
	/* Listen mode (see the top): a server on our n_ips addresses from
	 * ip_base, on listen_port (0: any port). */
	uint8_t listen;
	uint16_t listen_port;
	uint16_t mtu;
	nsec_t time_wait;     /* rest before a port is reused */
	nsec_t min_rto;
	uint32_t ooo_max;      /* out-of-order segments held in the stack, 0: default */
	uint32_t ooo_per_conn; /* and per connection, 0: default */
	uint32_t wheel_slots;  /* timer wheel slots, a power of two, 0: 4096 */
	/* Segments leave with only the pseudo-header's sum in the checksum
	 * field, as Linux leaves them for an offload (CHECKSUM_PARTIAL): for
	 * a peer that takes such segments (lvperf itself, a veth's kernel). */
	uint8_t tx_csum_partial;
	const struct tsc_clock *clk;
};

#define TCP_OOO_MAX_DEFAULT	 4096
#define TCP_OOO_PER_CONN_DEFAULT 128

struct tcp_stack {
	struct tcp_config cfg;
	struct tcp_app_ops app;
	void *app_ctx;
	struct tcp_tx_ops tx;
	void *tx_ctx;
	/* Segments leave only the pseudo-header's sum: cfg.tx_csum_partial,
	 * or the port completes them (tx.csum_offload). */
	uint8_t tx_partial;
	struct tcp_conn *conns;	 /* [max_conns] */
	uint8_t *txbufs;	 /* [max_conns * txbuf] */
	uint32_t *slot_conn;	 /* [n_slots]: connection on that slot or TCP_NONE */
	uint64_t *slot_seq;	 /* [n_slots]: 1 << 32 | last snd_nxt, 0 = never used */
	uint32_t *free_slots;	 /* FIFO of rested slots */
	tsc_t *free_since;	 /* when each FIFO entry was released */
	uint32_t n_slots, free_head, free_count;
	uint32_t *free_conns;	 /* stack of unused connection entries */
	uint32_t n_free_conns;
	uint32_t *pending;	 /* connections with ACK/output due */
	uint32_t n_pending;
	uint32_t *wheel;	 /* RTO timer wheel heads */
	uint32_t wheel_size;	 /* power of two */
	tsc_t wheel_tick;	 /* TSC ticks per slot */
	tsc_t wheel_now;	 /* start of the slot processed next */
	tsc_t time_wait_tsc;
	tsc_t min_rto_tsc;
	uint16_t our_mss;
	struct tcp_ooo *ooo;	 /* [cfg.ooo_max] */
	uint32_t ooo_free;	 /* free list through next */
	uint32_t ooo_held;	 /* entries in use */
	uint32_t n_open;	 /* entries not CLOSED */
	/* listen mode: the peer of each entry, and the hash table */
	struct tcp_peer *peers; /* [max_conns] */
	uint32_t *peer_hash;	/* [peer_mask + 1]: first entry of the chain */
	uint32_t peer_mask;
	uint32_t serial; /* the next accepted connection's slot */
	struct tcp_counters c;
};

/*
 * Allocate and initialise the stack (all memory, once). Returns 0 or
 * -EINVAL/-ENOMEM. The address range must give at least max_conns slots.
 */
int tcp_stack_init(struct tcp_stack *s, const struct tcp_config *cfg, const struct tcp_app_ops *app,
		   void *app_ctx, const struct tcp_tx_ops *tx, void *tx_ctx);
void tcp_stack_free(struct tcp_stack *s);

/* Open a connection to cfg.dst_ip:dst_port. Returns its index, or TCP_NONE
 * when no entry or no rested port is free (counted), or in listen mode. */
uint32_t tcp_connect(struct tcp_stack *s, tsc_t now);

/* Queue len bytes on an established connection. Returns 0, or -ENOBUFS
 * when the ring has no room (nothing queued), -ENOTCONN. Output happens
 * at the next tcp_flush(). */
int tcp_send(struct tcp_stack *s, uint32_t conn, const void *data, uint32_t len);

/* Write in place instead (one copy fewer): a pointer to len contiguous
 * free bytes at the tail of the connection's ring, or NULL when it has not
 * that much room in one piece or cannot send (then use tcp_send, which
 * wraps and says why). Bytes written there are queued by
 * tcp_send_commit(s, conn, n), n <= len, before any other call on conn. */
uint8_t *tcp_send_reserve(struct tcp_stack *s, uint32_t conn, uint32_t len);
void tcp_send_commit(struct tcp_stack *s, uint32_t conn, uint32_t n);

/* Free room in the connection's ring. */
uint32_t tcp_send_room(const struct tcp_stack *s, uint32_t conn);

/* Close after the queued data (FIN). */
void tcp_close(struct tcp_stack *s, uint32_t conn);

/* Reset the connection now (RST sent, closed called with ABORT). */
void tcp_abort(struct tcp_stack *s, uint32_t conn, tsc_t now);

/* Handle one received IPv4/TCP frame (pi from pkt_parse, kind PKT_TCP). */
void tcp_input(struct tcp_stack *s, const uint8_t *frame, uint32_t len, const struct pkt_info *pi,
	       tsc_t ts);

/* Send what is pending (ACKs, queued data) and run expired timers.
 * Returns nonzero when it did anything. */
int tcp_flush(struct tcp_stack *s, tsc_t now);

static inline struct tcp_conn *tcp_conn_get(struct tcp_stack *s, uint32_t conn)
{
	return &s->conns[conn];
}

#endif
