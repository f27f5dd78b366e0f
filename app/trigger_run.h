/* SPDX-License-Identifier: BSD-3-Clause
 * Starts by remote trigger: a listener (drivers/trigger.h) whose socket
 * lives in the target's network namespace, on the target's own address, so
 * the dataplane's START and ECHO datagrams cross the target's veth (and on
 * a server the cable and the uplink bridge) as its beacon does. On a test
 * server the agent holds the listener (trigger_run_open_remote, the arm
 * op); on one box it runs in a thread of lvperf, which spawns the target's
 * start command on START (the target stays lvperf's child, as in a
 * local-spawn start). Per run:
 * trigger_run_prepare (before the arm: listener waiting, one-way delay
 * measured), then trigger_run_fire (START, the spawn, the start mark).
 */
#ifndef LVP_TRIGGER_RUN_H
#define LVP_TRIGGER_RUN_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "dp.h"
#include "remote.h"
#include "trigger.h"
#include "trigger_tx.h"

#define TRIGGER_RUN_ECHOES 100 /* echoes per run for the one-way delay */

/* One run's start mark and what it is made of. */
struct trigger_run_mark {
	tsc_t start_tx;		   /* START's TX TSC (worker, just before the TX burst) */
	double one_way_ns;	   /* median of the echoes' RTT / 2 */
	double one_way_spread_ns;  /* semi-interquartile range of RTT / 2: the uncertainty */
	uint32_t echoes_sent, echoes_back;
	double rx_to_spawn_ns;	   /* the listener's receive-to-spawn delay (CLOCK_REALTIME) */
	int rx_stamped;		   /* 1: from the kernel's RX stamp of START */
};

struct trigger_run {
	int fd;		   /* the listener's socket, in the target's namespace */
	uint32_t ip;	   /* the listener's address (the target's) */
	uint16_t port;	   /* its UDP port */
	uint16_t sport;	   /* ours */
	uint32_t echoes;
	nsec_t echo_interval;
	nsec_t listen_timeout;
	/* The listener thread of the current run. */
	pthread_t th;
	int th_running;
	uint64_t nonce;
	char *const *argv;
	int quiet;
	int lrc;
	struct trigger_result res;
	struct trigger_tx tx;
	int have_tx;
	/* On a test server (trigger_run_open_remote): the proxy target whose
	 * agent listens and spawns (drivers/remote.h remote_arm); NULL: the
	 * listener is a thread of ours. */
	struct target *remote;
	char rerr[REMOTE_ERR_LEN];
};

/*
 * Open the listener's socket on ip (host order) port TRIGGER_UDP_PORT in
 * the network namespace at path netns (/run/netns/NAME, /proc/PID/ns/net;
 * NULL: ours), coming back to our own namespace after. echoes per run (>= 1). Returns 0 or -errno
 * with one line in err.
 */
int trigger_run_open(struct trigger_run *tr, const char *netns, uint32_t ip, uint32_t echoes, char *err,
		     size_t len);

/*
 * The listener on a test server: the agent of t (a proxy target of
 * drivers/remote.h, prepared) opens it at each run's prepare, in the
 * target's namespace on the server, and spawns there; the address and port
 * come from its answer. echoes per run (>= 1). Returns 0.
 */
int trigger_run_open_remote(struct trigger_run *tr, struct target *t, uint32_t echoes);

/*
 * Before the run's arm (the worker running dp's netif): start the listener
 * waiting for a new nonce with argv to spawn, and measure the one-way
 * delay with tr->echoes echoes into mk. Returns 0 or -errno with one line
 * in err (the listener is stopped then).
 */
int trigger_run_prepare(struct trigger_run *tr, struct dp *dp, char *const argv[], int quiet,
			struct trigger_run_mark *mk, char *err, size_t len);

/*
 * After the arm: send START, wait for the listener's spawn. *start is the
 * start mark on our TSC, START's TX TSC + the one-way delay; *pid the
 * spawned command (our child; on a server, the server's pid: its agent
 * stops it). Returns 0 or -errno with one line in err.
 */
int trigger_run_fire(struct trigger_run *tr, struct dp *dp, struct trigger_run_mark *mk, tsc_t *start,
		     pid_t *pid, char *err, size_t len);

/* Close the socket (after the last run). Safe to call twice. */
void trigger_run_close(struct trigger_run *tr);

#endif
