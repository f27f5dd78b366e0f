/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "pkt.h"
#include "trigger_run.h"

#define TRIGGER_RUN_SPORT 1339		     /* our side of the echoes */
#define TRIGGER_RUN_INTERVAL_NS 200000u	     /* between echoes */
#define TRIGGER_RUN_RESOLVE_NS 1000000000ull /* ARP for the listener's address */
#define TRIGGER_RUN_LINGER_NS 100000000ull   /* for the last replies */
#define TRIGGER_RUN_LISTEN_NS 5000000000ull  /* the listener gives up after the echoes and this */

int trigger_run_open(struct trigger_run *tr, const char *netns, uint32_t ip, uint32_t echoes, char *err,
		     size_t len)
{
	const char *where;
	int rc;

	memset(tr, 0, sizeof(*tr));
	tr->fd = -1;
	tr->ip = ip;
	tr->port = TRIGGER_UDP_PORT;
	tr->sport = TRIGGER_RUN_SPORT;
	tr->echoes = echoes ? echoes : 1;
	tr->echo_interval = TRIGGER_RUN_INTERVAL_NS;
	tr->listen_timeout = TRIGGER_RUN_LISTEN_NS + TRIGGER_RUN_RESOLVE_NS + tr->echoes * tr->echo_interval;
	rc = trigger_open_ns(netns, ip, &tr->port, &where);
	if (rc >= 0) {
		tr->fd = rc;
		return 0;
	}
	if (!strcmp(where, "open"))
		snprintf(err, len, "remote-trigger: cannot open the listener on %s:%u in %s: %s",
			 pkt_format_ip(ip, (char[16]){ 0 }), TRIGGER_UDP_PORT, netns ? netns : "this namespace",
			 strerror(-rc));
	else
		snprintf(err, len, "remote-trigger: cannot %s the target's namespace %s: %s",
			 !strcmp(where, "enter") ? "enter" : "come back from", netns, strerror(-rc));
	trigger_run_close(tr);
	return rc;
}

int trigger_run_open_remote(struct trigger_run *tr, struct target *t, uint32_t echoes)
{
	memset(tr, 0, sizeof(*tr));
	tr->fd = -1;
	tr->remote = t;
	tr->sport = TRIGGER_RUN_SPORT;
	tr->echoes = echoes ? echoes : 1;
	tr->echo_interval = TRIGGER_RUN_INTERVAL_NS;
	tr->listen_timeout = TRIGGER_RUN_LISTEN_NS + TRIGGER_RUN_RESOLVE_NS + tr->echoes * tr->echo_interval;
	return 0;
}

static void *trigger_run_listen(void *arg)
{
	struct trigger_run *tr = arg;

	tr->lrc = trigger_wait_spawn(tr->fd, tr->nonce, tr->argv, tr->quiet, tr->listen_timeout, &tr->res);
	return NULL;
}

/* Wait for the listener thread (it gives up after listen_timeout). */
static void trigger_run_join(struct trigger_run *tr)
{
	if (tr->th_running) {
		pthread_join(tr->th, NULL);
		tr->th_running = 0;
	}
}

static void trigger_run_tx_done(struct trigger_run *tr)
{
	if (tr->have_tx) {
		trigger_tx_free(&tr->tx);
		tr->have_tx = 0;
	}
}

static int trigger_run_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted x[0..n), linear between order statistics at
 * (n - 1) q (Hyndman & Fan 1996, definition 7, as lib/summary.c). */
static double trigger_run_quantile(const double *x, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;

	return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[n - 1];
}

static void trigger_run_detach_fn(void *arg)
{
	trigger_tx_detach(arg);
}

struct trigger_run_attach {
	struct netif *nif;
	struct trigger_tx *t;
};

static void trigger_run_attach_fn(void *arg)
{
	struct trigger_run_attach *a = arg;

	trigger_tx_attach(a->nif, a->t);
}

int trigger_run_prepare(struct trigger_run *tr, struct dp *dp, char *const argv[], int quiet,
			struct trigger_run_mark *mk, char *err, size_t len)
{
	struct trigger_run_attach at = { &dp->nif, &tr->tx };
	tsc_t deadline, last = 0;
	double *ow = NULL;
	size_t n = 0;
	int rc;

	memset(mk, 0, sizeof(*mk));
	mk->one_way_ns = mk->one_way_spread_ns = mk->rx_to_spawn_ns = NAN;
	if (getrandom(&tr->nonce, sizeof(tr->nonce), 0) != sizeof(tr->nonce))
		tr->nonce = rte_rdtsc() ^ ((uint64_t)getpid() << 32);
	tr->argv = argv;
	tr->quiet = quiet;
	/* On a server: the agent opens its listener and says where it waits. */
	if (tr->remote && (rc = remote_arm(tr->remote, tr->nonce, tr->listen_timeout, &tr->ip, &tr->port, err, len)))
		return rc;
	rc = trigger_tx_init(&tr->tx, tr->ip, tr->sport, tr->port, tr->nonce, tr->echoes,
			     ns_to_tsc(&dp->clk, tr->echo_interval), ns_to_tsc(&dp->clk, 100000000ull));
	if (rc) {
		snprintf(err, len, "remote-trigger: %s", strerror(-rc));
		return rc;
	}
	tr->have_tx = 1;
	rc = tr->remote ? 0 : -pthread_create(&tr->th, NULL, trigger_run_listen, tr);
	if (rc) {
		snprintf(err, len, "remote-trigger: cannot start the listener thread: %s", strerror(-rc));
		trigger_run_tx_done(tr);
		return rc;
	}
	tr->th_running = !tr->remote;
	dp_call(dp, trigger_run_attach_fn, &at);
	deadline = rte_rdtsc() + ns_to_tsc(&dp->clk, TRIGGER_RUN_RESOLVE_NS);
	for (;;) {
		uint32_t sent = __atomic_load_n(&tr->tx.sent, __ATOMIC_ACQUIRE);
		tsc_t now = rte_rdtsc();

		if (!__atomic_load_n(&tr->tx.resolved, __ATOMIC_ACQUIRE)) {
			if (!tsc_before(now, deadline)) {
				rc = -EHOSTUNREACH;
				break;
			}
		} else if (sent < tr->echoes && !tsc_before(now, deadline + ns_to_tsc(&dp->clk, tr->echoes * tr->echo_interval +
										       TRIGGER_RUN_RESOLVE_NS))) {
			rc = -ETIMEDOUT; /* the worker could not send them (TX queue full, no mbufs) */
			break;
		} else if (sent == tr->echoes) {
			if (!last)
				last = now;
			if (__atomic_load_n(&tr->tx.received, __ATOMIC_ACQUIRE) == sent ||
			    tsc_since(last, now) > ns_to_tsc(&dp->clk, TRIGGER_RUN_LINGER_NS))
				break;
		}
		dp_sleep_ns(1000000);
	}
	dp_call(dp, trigger_run_detach_fn, &dp->nif);
	mk->echoes_sent = tr->tx.sent;
	mk->echoes_back = tr->tx.received;
	if (rc == -EHOSTUNREACH)
		snprintf(err, len, "remote-trigger: no ARP answer from the listener's address %s",
			 pkt_format_ip(tr->ip, (char[16]){ 0 }));
	else if (rc == -ETIMEDOUT)
		snprintf(err, len, "remote-trigger: only %u of %u echoes left the port", mk->echoes_sent, tr->echoes);
	else if (mk->echoes_back == 0)
		snprintf(err, len, "remote-trigger: none of %u echoes to %s:%u came back (%u answered by the listener)",
			 mk->echoes_sent, pkt_format_ip(tr->ip, (char[16]){ 0 }), tr->port, tr->res.echoes),
			rc = -ETIMEDOUT;
	else if (!(ow = malloc(mk->echoes_sent * sizeof(double))))
		rc = -ENOMEM, snprintf(err, len, "remote-trigger: out of memory");
	if (rc) {
		free(ow);
		trigger_run_join(tr);
		trigger_run_tx_done(tr);
		return rc;
	}
	/* One-way delay = RTT / 2 (a symmetric path assumed), per echo. */
	for (uint32_t i = 0; i < mk->echoes_sent; i++)
		if (tr->tx.rx_tsc[i])
			ow[n++] = tsc_delta_ns_f(&dp->clk, tr->tx.tx_tsc[i], tr->tx.rx_tsc[i]) / 2;
	qsort(ow, n, sizeof(double), trigger_run_cmp);
	mk->one_way_ns = trigger_run_quantile(ow, n, 0.5);
	mk->one_way_spread_ns = (trigger_run_quantile(ow, n, 0.75) - trigger_run_quantile(ow, n, 0.25)) / 2;
	free(ow);
	return 0;
}

int trigger_run_fire(struct trigger_run *tr, struct dp *dp, struct trigger_run_mark *mk, tsc_t *start,
		     pid_t *pid, char *err, size_t len)
{
	struct trigger_tx_start_arg a = { &dp->nif, &tr->tx };
	int rc;

	dp_call(dp, trigger_tx_start, &a);
	rc = tr->tx.start_rc;
	trigger_run_join(tr); /* the listener spawned, or gave up */
	if (tr->remote && !rc) /* the agent's second reply: spawned, or gave up */
		tr->lrc = remote_armed(tr->remote, tr->listen_timeout, &tr->res, tr->rerr, sizeof(tr->rerr));
	if (rc) {
		snprintf(err, len, "remote-trigger: START did not leave the port: %s", strerror(-rc));
		if (tr->res.pid > 0) /* cannot happen without a START; never leave one behind */
			kill(tr->res.pid, SIGKILL);
	} else if (tr->lrc) {
		rc = tr->lrc;
		if (tr->remote)
			snprintf(err, len, "remote-trigger: %s", tr->rerr);
		else if (rc == -ETIMEDOUT)
			snprintf(err, len, "remote-trigger: the listener got no START within %.1f s",
				 (double)tr->listen_timeout / 1e9);
		else
			snprintf(err, len, "remote-trigger: the listener could not start '%s': %s", tr->argv[0],
				 strerror(-rc));
	}
	if (!rc) {
		mk->start_tx = tr->tx.start_tsc;
		mk->rx_to_spawn_ns = (double)tr->res.rx_to_spawn_ns;
		mk->rx_stamped = tr->res.stamped;
		*start = mk->start_tx + ns_to_tsc(&dp->clk, (nsec_t)llround(fmax(mk->one_way_ns, 0)));
		*pid = tr->res.pid;
	}
	trigger_run_tx_done(tr);
	return rc;
}

void trigger_run_close(struct trigger_run *tr)
{
	trigger_run_join(tr);
	trigger_run_tx_done(tr);
	if (tr->fd >= 0)
		close(tr->fd);
	tr->fd = -1;
}
