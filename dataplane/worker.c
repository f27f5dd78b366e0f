/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "port.h"
#include "steer.h"
#include "worker.h"

#ifdef LVP_WORKER_PROBE
/*
 * The worker probe (meson -Dworker_probe=true; docs/dataplane.md): TSC
 * cycles per stage of the loop passes that received frames, summed per
 * worker thread and printed when it stops. Each stage costs one more TSC
 * read (about 25 cycles here) than a normal build spends: for finding
 * where the time goes, not for figures.
 */
enum { PROBE_RX, PROBE_PREFETCH, PROBE_STAMP, PROBE_INPUT, PROBE_RX_FREE, PROBE_TICK, PROBE_TX, PROBE__N };
static const char *const probe_names[PROBE__N] = { "rx_burst", "prefetch", "stamp", "input",
						   "rx_free",  "tick",	   "tx" };
static __thread uint64_t probe_sum[PROBE__N], probe_passes, probe_frames;
#define PROBE_AT(v) tsc_t v = rte_rdtsc()
#define PROBE_ADD(stage, from, to) (probe_sum[stage] += (to) - (from))
#define PROBE_PASS(n)		   (probe_passes++, probe_frames += (n))

static void probe_print(void)
{
	double per = probe_passes ? 1.0 / (double)probe_passes : 0;
	char line[512];
	int len = 0, k;

	for (k = 0; k < PROBE__N; k++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s %s %.0f", k ? "," : "",
				probe_names[k], (double)probe_sum[k] * per);
	fprintf(stderr,
		"lvperf: worker probe (lcore %u, TSC %.3f GHz): %" PRIu64 " passes with frames, %.2f frames each;"
		" TSC cycles per such pass:%s\n",
		rte_lcore_id(), (double)rte_get_tsc_hz() / 1e9, probe_passes,
		(double)probe_frames * per, line);
}
#else
#define PROBE_AT(v)		   ((void)0)
#define PROBE_ADD(stage, from, to) ((void)0)
#define PROBE_PASS(n)		   ((void)0)
#endif

/* r0: where this iteration's kick time on the port begins: the iteration's
 * own first TSC read for its first port (one read fewer per iteration; all
 * that lies between is the datapath-lock check, a few instructions on the
 * ports that kick, which have no lock), a fresh read for the others. */
static int worker_poll(struct netif *nif, tsc_t r0)
{
	struct rte_mbuf *pkts[NETIF_BURST];
	tsc_t stamps[NETIF_BURST];
	tsc_t now;
	uint16_t n, i;
	int work;

	if (nif->halted)
		return 0;
	PROBE_AT(p_rx);
	n = rte_eth_rx_burst(nif->np->port_id, nif->queue, pkts, NETIF_BURST);
	now = rte_rdtsc();
	if (n) {
		PROBE_ADD(PROBE_RX, p_rx, now);
		PROBE_PASS(n);
		/* Ask for every line of every frame, and the XDP stamp before
		 * it, at once: written by another CPU, they would otherwise
		 * come one demand miss at a time (the stamp, the headers, then
		 * the checksum's pass over the data). On a veth under nginx,
		 * 8 alternated 5 s runs: requests per own CPU-s, median of
		 * per-pair ratios 1.08 (6 of 8 above 1); on memif it is left
		 * out (the PMD's copy left the frame in this core's cache). */
		if (nif->np->rx_cold)
			for (i = 0; i < n; i++) {
				const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
				uint32_t off, len = rte_pktmbuf_data_len(pkts[i]);

				for (off = 0; off < len + RTE_CACHE_LINE_SIZE; off += RTE_CACHE_LINE_SIZE)
					rte_prefetch0(d - RTE_CACHE_LINE_SIZE + off);
			}
		PROBE_AT(p_pf);
		PROBE_ADD(PROBE_PREFETCH, now, p_pf);
		nif->np->rx_stamp(nif, pkts, n, now, stamps);
		PROBE_AT(p_st);
		PROBE_ADD(PROBE_STAMP, p_pf, p_st);
		for (i = 0; i < n; i++)
			netif_input(nif, pkts[i], stamps[i]);
		PROBE_AT(p_in);
		PROBE_ADD(PROBE_INPUT, p_st, p_in);
	}
	work = n != 0;
	if (nif->steer) {
		/* Hand over what belongs to other workers, take what is ours. */
		work |= steer_flush(nif->steer);
		work |= steer_drain(nif->steer, nif) != 0;
		if (nif->nrxdone) /* the handed-over frames, freed in bulk */
			netif_rx_done_flush(nif);
	}
	PROBE_AT(p_tick);
	work |= nif->tick(nif, n ? rte_rdtsc() : now);
	PROBE_AT(p_tx);
	if (nif->ntx) {
		netif_flush(nif);
		work = 1;
	}
	if (n) {
		PROBE_AT(p_end);
		PROBE_ADD(PROBE_TICK, p_tick, p_tx);
		PROBE_ADD(PROBE_TX, p_tx, p_end);
	}
	/* Received frames go back to the pool last, after the segments this
	 * pass sent were built: the pool's per-core cache hands out the mbuf
	 * freed last, and a frame another CPU wrote would make each line of a
	 * segment written over it wait for that CPU to give the line up. Freed
	 * here, they are what the next RX burst refills the kernel's fill ring
	 * with, and segments are built in mbufs this core sent before. kv (16
	 * replies per segment): the tick (segments built) 4512 -> 2315 TSC
	 * cycles per pass (worker probe); 5 alternated pairs, requests per own
	 * CPU-s: kv x1.107, http 1 KiB x1.109, each pair above 1. */
	if (nif->nrxdone) {
		PROBE_AT(p_fr0);
		netif_rx_done_flush(nif);
		PROBE_AT(p_fr);
		PROBE_ADD(PROBE_RX_FREE, p_fr0, p_fr);
	}
	/* An RX burst in a busy iteration may have entered the kernel (the
	 * af_xdp wakeup) whether or not it returned frames; on other ports
	 * it is the PMD's work (memif's copy of each frame). */
	if (work)
		*netif_burst_time(nif) += now - r0;
	return work;
}

/*
 * Take the datapath locks of the worker's memif ports (port_dp_locks) for
 * one iteration: the PMD's interrupt thread, unmapping the shared regions
 * of a peer that left, waits for them. Try only: a lock the interrupt
 * thread holds means the port is being disconnected, and this iteration is
 * skipped (the next one finds the port down and its bursts return 0).
 * Returns 1 with every lock held, or 0 with none. wait: spin instead (the
 * interrupt thread holds the lock only while it tears the channel down).
 */
static int worker_lock(struct worker *w, int wait)
{
	uint16_t i, j;

	for (i = 0; i < w->n_nifs; i++) {
		rte_spinlock_t *l = port_dp_locks[w->nifs[i]->np->port_id];

		if (l && wait)
			rte_spinlock_lock(l);
		else if (l && !rte_spinlock_trylock(l)) {
			for (j = 0; j < i; j++)
				if (port_dp_locks[w->nifs[j]->np->port_id])
					rte_spinlock_unlock(port_dp_locks[w->nifs[j]->np->port_id]);
			return 0;
		}
	}
	return 1;
}

static void worker_unlock(struct worker *w)
{
	uint16_t i;

	for (i = 0; i < w->n_nifs; i++)
		if (port_dp_locks[w->nifs[i]->np->port_id])
			rte_spinlock_unlock(port_dp_locks[w->nifs[i]->np->port_id]);
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_cmd *cmd;
	uint16_t i;

	tsc_t prev;

	__atomic_store_n(&w->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->started = prev = rte_rdtsc();
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		tsc_t t0 = rte_rdtsc(), gap = t0 - prev;
		int work = 0;

		if (gap > w->max_gap)
			w->max_gap = gap;
		if (gap > w->stall_limit) /* the control thread reads it mid-run */
			__atomic_store_n(&w->stalls, w->stalls + 1, __ATOMIC_RELAXED);
		prev = t0;

		if (worker_lock(w, 0)) {
			/* Commands may send (ARP, SYNs, trigger frames): under the locks too. */
			for (i = 0; i < w->n_nifs; i++)
				work |= worker_poll(w->nifs[i], i ? rte_rdtsc() : t0);
			if (rte_ring_sc_dequeue(w->cmds, (void **)&cmd) == 0) {
				cmd->fn(cmd->arg);
				__atomic_store_n(&w->cmds_done, w->cmds_done + 1, __ATOMIC_RELEASE);
				work = 1;
			}
			worker_unlock(w);
		}
		w->loops++;
		if (work) {
			prev = rte_rdtsc(); /* own work is not a stall */
			w->busy += prev - t0;
		} else if (w->yield_idle) {
			sched_yield();
			w->yields++;
			prev = rte_rdtsc(); /* a yield is not a stall of ours */
		}
	}
#ifdef LVP_WORKER_PROBE
	probe_print();
#endif
	worker_lock(w, 1);
	for (i = 0; i < w->n_nifs; i++)
		netif_flush(w->nifs[i]);
	worker_unlock(w);
	w->stopped = rte_rdtsc();
	return 0;
}

int worker_sched_read(const struct worker *w, struct worker_sched *s)
{
	int tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE), found = 0;
	unsigned long long on_cpu, delay, n;
	char path[64], line[128];
	FILE *f;

	if (tid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu %llu", &on_cpu, &delay) != 2) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	s->run_delay_ns = delay;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &n) == 1) {
			s->nonvoluntary = n;
			found = 1;
		}
	fclose(f);
	return found ? 0 : -EIO;
}
