/* SPDX-License-Identifier: BSD-3-Clause
 * The appliance's own RTT floor: echoes from one end of the in-process ring
 * pair to the other, answered by lvperf's own responder in the same worker
 * loop. What remains is the cost of stamping, building, the PMD and one
 * loop pass: the part of every RTT lvperf itself adds.
 */
#ifndef LVP_CALIB_FLOOR_H
#define LVP_CALIB_FLOOR_H

#include "../dataplane/dp.h"
#include "../experiments/stats.h"

struct floor_result {
	uint32_t count;
	double *rtt_ns; /* [count], NaN when lost; malloc'd */
	struct stats_summary s;
};

/*
 * Measure count echoes every interval over the ring pair. The worker must
 * not be running; it is started on the pair and stopped again. Returns 0 or
 * -errno with one line in err (DP_ERR_LEN bytes).
 */
int floor_ring_measure(struct dp *dp, uint32_t count, nsec_t interval, struct floor_result *r,
		       char *err);

void floor_result_free(struct floor_result *r);

#endif
