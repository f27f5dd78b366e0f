/* SPDX-License-Identifier: BSD-3-Clause
 * Live telemetry of a running load through DPDK's telemetry socket
 * (<runtime dir>/dpdk_telemetry.v2, as dpdk-telemetry.py reads it):
 *   /lvperf/stats        phase, counters, rates and validity flags so far
 *   /lvperf/connections  TCP connections by state
 *   /lvperf/histogram    the latency percentiles of the window so far
 * The commands run on DPDK's telemetry thread and read the worker's
 * counters while it writes them: each value is whole (aligned 64-bit
 * loads), but they are not one instant's snapshot. DPDK 22.11's callbacks
 * take no context, so the published load lives in this file, behind a
 * mutex that only the control and telemetry threads take, never the worker.
 */
#ifndef LVP_TELEMETRY_H
#define LVP_TELEMETRY_H

#include "clock.h"

struct load;
struct netif;

/* Register the /lvperf/ commands (once per process, after EAL init) and
 * make the socket mode 0600. Returns 0 or -errno (telemetry disabled:
 * -ENOTSUP, nothing registered). */
int telemetry_register(void);

/* Show load l (running on nif, its worker's busy counter busy) under the
 * command name cmd until telemetry_withdraw. Control thread. l, nif, clk
 * and busy must stay valid until then. */
void telemetry_publish(const char *cmd, const struct load *l, const struct netif *nif,
		       const struct tsc_clock *clk, const tsc_t *busy);
/* --workers N: publish every worker's load, netif and busy counter; the
 * commands sum them (and merge the histograms). */
#define TELEMETRY_WORKERS_MAX 8
void telemetry_publish_n(const char *cmd, const struct load *const *l, const struct netif *const *nif,
			 const tsc_t *const *busy, unsigned int n, const struct tsc_clock *clk);
void telemetry_withdraw(void);

/* The socket path in dir (DPDK's runtime directory), for cleanup. */
#define TELEMETRY_SOCKET "dpdk_telemetry.v2"

#endif
