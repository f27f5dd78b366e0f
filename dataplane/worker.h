/* SPDX-License-Identifier: BSD-3-Clause
 * The dataplane lcore: polls its netifs (rx burst -> stamp -> classify ->
 * handle), runs their timers, flushes TX, and executes commands the control
 * thread posts on a ring. No allocation, system calls or logging in here.
 */
#ifndef LVP_WORKER_H
#define LVP_WORKER_H

#include <stdint.h>

#include "clock.h"
#include "netif.h"

#define WORKER_NIF_MAX 4

struct rte_ring;

/* A function to run on the worker between two loop iterations. */
struct worker_cmd {
	void (*fn)(void *arg);
	void *arg;
};

struct worker {
	struct netif *nifs[WORKER_NIF_MAX];
	uint16_t n_nifs;
	struct rte_ring *cmds; /* of struct worker_cmd *, SP/SC */
	uint64_t cmds_done;    /* release-stored after each command */
	int stop;
	/* Accounting: busy = TSC spent in iterations that received, sent or
	 * fired a timer; wall = first to last iteration. */
	tsc_t busy;
	tsc_t started;
	tsc_t stopped;
	uint64_t loops;
	/* Stalls: the time from the end of one iteration's work (its start
	 * when it had none) to the start of the next, which only grows when
	 * the worker is descheduled or interrupted. */
	tsc_t max_gap;	   /* the longest such gap */
	tsc_t stall_limit; /* gaps above this count as stalls (set before start) */
	uint64_t stalls;   /* how many gaps were above stall_limit */
	int tid;	   /* the worker thread's id, set when it starts (0 before) */
	/* Shares its CPU with another worker (--workers N on fewer CPUs):
	 * an idle iteration ends with sched_yield() so the other runs. */
	int yield_idle;
	uint64_t yields;
};

/* The kernel's account of the worker thread (/proc/self/task/TID): what
 * the loop's own gaps cannot see, a preemption in the middle of an
 * iteration (inside rx_burst, a TX kick or a command). */
struct worker_sched {
	uint64_t run_delay_ns; /* time runnable but waiting for its CPU (schedstat) */
	uint64_t nonvoluntary; /* involuntary context switches */
};

/* Read w's counters into *s (control side, not in the loop). Returns 0,
 * or -errno (no worker thread yet, no schedstat). */
int worker_sched_read(const struct worker *w, struct worker_sched *s);

/* rte_eal_remote_launch() entry point; arg is a struct worker. Returns 0. */
int worker_main(void *arg);

#endif
