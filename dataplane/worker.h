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
	tsc_t max_gap;	/* longest time between two loop iterations (a stall) */
};

/* rte_eal_remote_launch() entry point; arg is a struct worker. Returns 0. */
int worker_main(void *arg);

#endif
