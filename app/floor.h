/* SPDX-License-Identifier: BSD-3-Clause
 * The appliance's own RTT floor, two ways.
 * Ring: echoes from one end of the in-process ring pair to the other,
 * answered by lvperf's own responder in the same worker loop: the cost of
 * stamping, building, the PMD and one loop pass.
 * Port: echoes over a port of the kind being measured (af_xdp, af_packet,
 * tap) to the far end of a veth (or the tap's kernel end) of its own, in
 * an lvp namespace, answered there by the XDP reflector
 * (calib/bpf/reflect.bpf.c) before the kernel's stack: the ring floor plus
 * the port's own path (copies, kicks, XDP, NAPI, polling) and the wire.
 */
#ifndef LVP_CALIB_FLOOR_H
#define LVP_CALIB_FLOOR_H

#include "dp.h"
#include "stats.h"
#include "reflect.h"

#define FLOOR_SRC_RING "ring-reflector"
#define FLOOR_SRC_XDP "xdp-reflector"
#define FLOOR_SRC_GUEST "floor-guest"

struct floor_result {
	const char *source;	/* FLOOR_SRC_* */
	enum port_kind kind;	/* the port measured (PORT_RING for the ring) */
	enum clock_source clock; /* how its replies were stamped */
	uint32_t count;		/* echoes sent */
	nsec_t interval;
	double *rtt_ns;		/* [count], NaN when lost; malloc'd */
	struct stats_summary s; /* over the echoes that came back */
	/* Port floors only. */
	enum reflect_mode mode;
	struct reflect_stats refl; /* what the reflector answered */
	uint64_t corrupt;	   /* replies with our id but a wrong payload */
	uint64_t bad_csum;	   /* frames dropped for a bad IP or ICMP checksum */
	char where[64];		   /* "lvpfl123h <-> lvpfl123p in lvpfl123" */
};

/*
 * Measure count echoes every interval over the ring pair. The worker must
 * not be running; it is started on the pair and stopped again. Returns 0 or
 * -errno with one line in err (DP_ERR_LEN bytes).
 */
int floor_ring_measure(struct dp *dp, uint32_t count, nsec_t interval, struct floor_result *r,
		       char *err);

/* 1 when floor_port_measure() can measure ports of kind. */
int floor_port_supported(enum port_kind kind);

/*
 * The port floor of kind: make an lvp namespace (lvpfl<pid>) with a veth
 * (tap: the tap the PMD makes, moved into it), attach the XDP reflector
 * to the far end (native for af_xdp, whose PMD puts XDP on the near end;
 * generic otherwise), plug a second port of kind into the running EAL on
 * the near end, send count echoes every interval, then remove the port,
 * detach the reflector and delete the namespace, also on failure. The
 * worker must not be running. At most 1 % of the echoes may be lost.
 * Returns 0, -ENOTSUP for a kind without a port floor, or -errno with one
 * line in err (DP_ERR_LEN bytes).
 */
int floor_port_measure(struct dp *dp, enum port_kind kind, uint32_t count, nsec_t interval,
		       struct floor_result *r, char *err);

/*
 * The port floor of a vhost-user port: boot lvperf's freestanding floor
 * guest (calib/guest) with the driver that offers it
 * (DRIVER_CAP_FLOOR_GUEST), under the accelerator opts names (accel=...),
 * plug a second vhost port into the running EAL for it, send count echoes
 * every interval (ARP until it is up, at most 60 s), then stop and destroy
 * the guest and remove the port, also on failure; at most 10 % of the echoes
 * may be lost (a TCG guest on a busy host). The guest's reply is the
 * VMM's virtio path and a few instructions: what every VM's RTT has
 * before its kernel. The worker must not be running. Returns 0 or -errno
 * with one line in err (DP_ERR_LEN bytes).
 */
int floor_guest_measure(struct dp *dp, const char *opts, uint32_t count, nsec_t interval,
			struct floor_result *r, char *err);

void floor_result_free(struct floor_result *r);

#endif
