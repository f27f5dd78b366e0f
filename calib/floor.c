/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"

int floor_ring_measure(struct dp *dp, uint32_t count, nsec_t interval, struct floor_result *r,
		       char *err)
{
	struct netif *nifs[2];
	struct dp_ping_result pr;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = dp_ring_open(dp, err);
	if (rc)
		return rc;
	nifs[0] = &dp->ring_nif_a;
	nifs[1] = &dp->ring_nif_b;
	rc = dp_start(dp, nifs, 2, err);
	if (rc)
		return rc;
	rc = dp_ping(dp, &dp->ring_nif_a, dp->ring_nif_b.ip, count, interval, PING_PAYLOAD_MIN + 40,
		     1000000000u, 100000000u, NULL, NULL, &pr);
	dp_stop(dp);
	if (rc) {
		snprintf(err, DP_ERR_LEN, "ring floor measurement failed: %s", strerror(-rc));
		return rc;
	}
	r->count = count;
	r->rtt_ns = pr.rtt_ns;
	pr.rtt_ns = NULL;
	dp_ping_result_free(&pr);
	rc = stats_summarize(r->rtt_ns, count, &r->s);
	if (rc == 0 && r->s.n != count) {
		snprintf(err, DP_ERR_LEN, "ring floor: %zu of %u echoes came back over an in-process ring",
			 r->s.n, count);
		rc = -EIO;
	}
	if (rc)
		floor_result_free(r);
	return rc;
}

void floor_result_free(struct floor_result *r)
{
	free(r->rtt_ns);
	r->rtt_ns = NULL;
}
