/* SPDX-License-Identifier: BSD-3-Clause
 * The metadata the appliance-side XDP program (xdp_stamp.bpf.c) puts right
 * in front of each frame: shared by the BPF program and the dataplane.
 */
#ifndef LVP_XDP_META_H
#define LVP_XDP_META_H

/* "lvpXDPts", little-endian: a stale or foreign headroom does not match. */
#define LVP_XDP_META_MAGIC 0x737450445870766cULL

struct lvp_xdp_meta {
	unsigned long long magic;
	unsigned long long ktime_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

#endif
