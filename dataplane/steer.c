/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "netif.h"
#include "steer.h"

int steer_create(struct steer *st, uint16_t n, uint16_t port_lo, uint32_t span, const char *name)
{
	uint16_t a, b;

	if (n < 1 || n > STEER_WORKERS_MAX)
		return -EINVAL;
	for (a = 0; a < n; a++) {
		memset(&st[a], 0, sizeof(st[a]));
		st[a].self = a;
		st[a].n = n;
		st[a].port_lo = port_lo;
		st[a].span = span;
	}
	for (a = 0; a < n; a++)
		for (b = 0; b < n; b++) {
			char rname[RTE_RING_NAMESIZE];
			struct rte_ring *r;

			if (a == b)
				continue;
			snprintf(rname, sizeof(rname), "lvp_st%.8s_%u_%u", name, a, b);
			r = rte_ring_create_elem(rname, sizeof(struct steer_item), STEER_RING_SIZE,
						 (int)rte_socket_id(),
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!r) {
				steer_destroy(st, n);
				return -ENOMEM;
			}
			st[a].to[b] = r;
			st[b].from[a] = r;
		}
	return 0;
}

void steer_destroy(struct steer *st, uint16_t n)
{
	uint16_t a, b, i;

	for (a = 0; a < n; a++) {
		for (b = 0; b < n; b++) {
			struct steer_item it;

			if (!st[a].to[b])
				continue;
			while (rte_ring_sc_dequeue_elem(st[a].to[b], &it, sizeof(it)) == 0)
				rte_pktmbuf_free(it.m);
			rte_ring_free(st[a].to[b]);
			st[a].to[b] = NULL;
			st[b].from[a] = NULL;
		}
		for (b = 0; b < n; b++) {
			for (i = 0; i < st[a].npend[b]; i++)
				rte_pktmbuf_free(st[a].pend[b][i].m);
			st[a].npend[b] = 0;
		}
	}
}

static void steer_flush_one(struct steer *s, uint16_t k)
{
	uint16_t n = s->npend[k];
	unsigned int done, i;
	tsc_t t0 = rte_rdtsc();

	done = rte_ring_sp_enqueue_burst_elem(s->to[k], s->pend[k], sizeof(struct steer_item), n,
					      NULL);
	s->c.enq_tsc += rte_rdtsc() - t0;
	s->c.enq_calls++;
	for (i = done; i < n; i++)
		rte_pktmbuf_free(s->pend[k][i].m);
	s->c.out += done;
	s->c.drops += n - done;
	s->npend[k] = 0;
}

void steer_push(struct steer *s, uint16_t owner, struct rte_mbuf *m, tsc_t ts)
{
	if (s->npend[owner] == STEER_BATCH)
		steer_flush_one(s, owner);
	s->pend[owner][s->npend[owner]].m = m;
	s->pend[owner][s->npend[owner]].ts = ts;
	s->npend[owner]++;
}

int steer_flush(struct steer *s)
{
	uint16_t k;
	int any = 0;

	for (k = 0; k < s->n; k++)
		if (s->npend[k]) {
			steer_flush_one(s, k);
			any = 1;
		}
	return any;
}

uint32_t steer_drain(struct steer *s, struct netif *nif)
{
	struct steer_item it[STEER_BATCH];
	uint32_t total = 0;
	uint16_t k;

	for (k = 0; k < s->n; k++) {
		unsigned int got, i;
		tsc_t t0;

		if (!s->from[k] || rte_ring_empty(s->from[k]))
			continue;
		t0 = rte_rdtsc();
		got = rte_ring_sc_dequeue_burst_elem(s->from[k], it, sizeof(it[0]), STEER_BATCH,
						     NULL);
		s->c.deq_tsc += rte_rdtsc() - t0;
		if (!got)
			continue;
		s->c.deq_calls++;
		s->c.in += got;
		for (i = 0; i < got; i++)
			netif_input_owned(nif, it[i].m, it[i].ts);
		total += got;
	}
	return total;
}
