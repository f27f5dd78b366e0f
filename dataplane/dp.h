/* SPDX-License-Identifier: BSD-3-Clause
 * The appliance runtime, control side: EAL with the arguments lvperf builds,
 * the measured TSC clock, the chosen cores, the mbuf pool, the user's port
 * with its netif, the in-process ring pair used for floors, and the worker
 * lcore with its command ring.
 */
#ifndef LVP_DP_H
#define LVP_DP_H

#include <stdint.h>

#include "clock.h"
#include "cores.h"
#include "icmp.h"
#include "netif.h"
#include "port.h"
#include "steer.h"
#include "worker.h"

#define DP_POOL_MBUFS 16383
#define DP_ERR_LEN 512
/* How often the worker re-anchors the XDP hook clock to the TSC. */
#define DP_XDP_ANCHOR_NS (10 * 1000 * 1000)

struct dp_config {
	const char *port;   /* --port SPEC, NULL: no port (ring pair only) */
	uint32_t ip;	    /* our address on the port */
	uint8_t prefix_len;
	const char *cores;  /* --cores, NULL: automatic */
	const char *eal;    /* --eal extra options, split on spaces */
	const char *xdp_prog; /* af_xdp: stamp at the XDP hook with this program
			       * (bpf/xdp_stamp.bpf.c); NULL: the PMD's own,
			       * stamps after the RX burst */
	uint16_t udp_port;  /* beacon port on the netif, 0: none */
	unsigned int workers; /* worker lcores, one queue pair each (0 means 1);
			       * more than 1 only on af_packet and af_xdp ports */
	int quiet;	    /* no info lines on stderr */
	uint64_t max_stall_ns; /* worker loop gaps above this are stalls; 0: DP_MAX_STALL_NS */
	/* The TSC checks dp_open makes, from calib/tsc.h (required): 1 when
	 * the TSC is invariant; measure its rate over window_ms into *c. */
	int (*tsc_invariant)(void);
	int (*tsc_calibrate)(struct tsc_clock *c, unsigned int window_ms);
};

#define DP_MAX_STALL_NS 50000u
#define DP_WORKERS_MAX CORES_WORKERS_MAX

struct dp {
	struct tsc_clock clk;
	struct core_choice cores;
	char file_prefix[32];
	int no_huge;
	struct rte_mempool *pool;
	int have_port;
	struct port port;
	struct netif_port nif_port; /* the port's part, shared by nif and xnif[] */
	struct netif nif;
	int have_ring;
	struct port ring_a, ring_b;
	struct netif_port ring_np_a, ring_np_b;
	struct netif ring_nif_a, ring_nif_b;
	struct worker w; /* worker 0: polls nif (queue 0) and whatever dp_start gives it */
	/* --workers N: workers 1..N-1, each polling its own queue of the port
	 * through xnif[k - 1], started and stopped with worker 0. */
	unsigned int n_workers;
	struct worker xw[DP_WORKERS_MAX - 1];
	struct netif xnif[DP_WORKERS_MAX - 1];
	unsigned int worker_lcore[DP_WORKERS_MAX];
	uint64_t max_stall_ns; /* the worker's stall threshold */
	/* Worker k's thread account at dp_start (have_sched0[k]: read). */
	struct worker_sched sched0[DP_WORKERS_MAX];
	int have_sched0[DP_WORKERS_MAX];
	int running;
	int quiet;
	/* The hook-stamping XDP program for af_xdp ports ("" for none): the
	 * user's port and any port plugged later (calib's port floors). */
	char xdp_prog[PORT_ARG_MAX];
};

/*
 * Bring the appliance up: refuse a non-invariant TSC, pick cores, build the
 * EAL arguments (--no-pci unless the port is pci, a unique lvp- file prefix,
 * --in-memory so nothing stays in /dev/hugepages), init EAL, measure the TSC
 * against CLOCK_MONOTONIC_RAW, create the pool and open the port. Returns 0
 * or -errno with one line in err.
 */
int dp_open(struct dp *dp, const struct dp_config *cfg, char *err);

/* Create the in-process ring pair (A 10.255.255.1, B 10.255.255.2, both
 * answer ARP and echo). Idempotent. */
int dp_ring_open(struct dp *dp, char *err);

/* Worker k (0..n_workers) and the netif of its queue. */
struct worker *dp_worker(struct dp *dp, unsigned int k);
struct netif *dp_worker_nif(struct dp *dp, unsigned int k);

/* The port part of nif when dp owns it (the user's port, the ring pair),
 * writable for the control thread while the workers are stopped; NULL for
 * a netif dp does not own. */
struct netif_port *dp_netif_port(struct dp *dp, const struct netif *nif);

/* Launch the worker polling nifs[0..n) (and, with --workers N, workers
 * 1..N-1 polling their queues). The workers must not be running. */
int dp_start(struct dp *dp, struct netif *const *nifs, uint16_t n, char *err);

/* Stop the worker and wait for it. No-op when not running. */
void dp_stop(struct dp *dp);

/* Run fn(arg) on the worker between two iterations and wait for it. */
int dp_call(struct dp *dp, void (*fn)(void *), void *arg);

/* The same on worker k. */
int dp_call_on(struct dp *dp, unsigned int k, void (*fn)(void *), void *arg);

/* Stop everything, close ports, clean EAL up. */
void dp_close(struct dp *dp);

/* Result of dp_ping(). rtt_ns[i] is NaN for a lost echo; it is signed (a
 * reply stamped before its request's send mark would be negative). */
struct dp_ping_result {
	uint32_t sent;
	uint32_t received;
	uint64_t duplicates;
	uint64_t corrupt;
	uint64_t late_sends;
	double *rtt_ns; /* [count], malloc'd, caller frees */
	tsc_t *tx_tsc;	/* [count], malloc'd, caller frees */
	nsec_t resolve_ns; /* time to resolve the target's MAC */
};

/*
 * Ping target from nif (already polled by the running worker): resolve its
 * MAC (ARP every 100 ms, give up after resolve_timeout), send count echoes
 * every interval, wait up to linger after the last one. watch, when set, is
 * called about every millisecond with (sent, received, ctx); a nonzero
 * return stops the run early (-ECANCELED). Returns 0, -EHOSTUNREACH when
 * ARP got no answer, -ECANCELED, or -errno.
 */
int dp_ping(struct dp *dp, struct netif *nif, uint32_t target, uint32_t count, nsec_t interval,
	    uint16_t payload_len, nsec_t resolve_timeout, nsec_t linger,
	    int (*watch)(uint32_t sent, uint32_t received, void *ctx), void *ctx,
	    struct dp_ping_result *res);

void dp_ping_result_free(struct dp_ping_result *res);

/*
 * Resolve ip's MAC on nif (polled by the running worker): ARP every 100 ms
 * until answered or timeout. Returns 0 with mac filled, -EHOSTUNREACH.
 */
int dp_resolve(struct dp *dp, struct netif *nif, uint32_t ip, nsec_t timeout,
	       uint8_t mac[PKT_ETH_ALEN]);

/* Sleep for ns on the control thread. */
void dp_sleep_ns(nsec_t ns);

#endif
