/* SPDX-License-Identifier: BSD-3-Clause
 * DPDK ports: the --port SPEC grammar, the EAL arguments each kind needs,
 * and bringing a port up with one RX and one TX queue.
 */
#ifndef LVP_PORT_H
#define LVP_PORT_H

#include <stdint.h>

#include <rte_config.h>
#include <rte_spinlock.h>

#include "clock.h"
#include "nicclock.h"
#include "pkt.h"
#include "xdpclock.h"

enum port_kind {
	PORT_AF_XDP,
	PORT_AF_PACKET,
	PORT_TAP,
	PORT_VHOST,
	PORT_MEMIF,
	PORT_RING,
	PORT_PCI,
};

#define PORT_ARG_MAX 200
#define PORT_EAL_ARG_LEN (2 * PORT_ARG_MAX + 128) /* one EAL argument */

/* A parsed --port SPEC, e.g. af_xdp:lvp0 or pci:0000:3b:00.0. */
struct port_spec {
	enum port_kind kind;
	char arg[PORT_ARG_MAX]; /* interface, socket path, ring name or BDF */
	/* af_xdp only: the XDP program the PMD attaches instead of its own
	 * (bpf/xdp_stamp.bpf.c, which stamps frames at the hook); "" for the
	 * PMD's default program. No commas, '=' or spaces. */
	char xdp_prog[PORT_ARG_MAX];
	char suffix[8];		/* appended to the vdev name: a second port of a kind */
	uint8_t memif_client;	/* memif-client:SOCKET: connect to a memif server
				 * (memif:SOCKET, e.g. lvperf reflect) */
	uint16_t queues;	/* RX/TX queue pairs, one per worker (0 means 1):
				 * af_packet qpairs, af_xdp queue_count */
};

/*
 * Parse "KIND:ARG". Returns 0, or -EINVAL with a one-line reason in err
 * (errlen bytes) naming the accepted kinds.
 */
int port_spec_parse(const char *s, struct port_spec *ps, char *err, size_t errlen);

/* "af_xdp", "af_packet", ... */
const char *port_kind_name(enum port_kind kind);

/*
 * Ask for the hook-stamping XDP program at path on an af_xdp spec. Returns 0,
 * or -EINVAL when the path cannot be passed as a devarg (too long, or has a
 * comma, '=' or space).
 */
int port_spec_set_xdp_prog(struct port_spec *ps, const char *path);

/*
 * The device EAL argument(s) for spec: writes "--vdev" and the device
 * string (or "-a" and the BDF for pci, nothing for ring) into arg0/arg1
 * (each PORT_EAL_ARG_LEN bytes). Returns how many were written (0..2).
 */
int port_eal_device(const struct port_spec *ps, char *arg0, char *arg1);

/*
 * The combined channels an interface has now (ETHTOOL_GCHANNELS), the way
 * DPDK 22.11's af_xdp counts them: 1 when it reports none (a veth) or does
 * not answer. af_xdp opens at most that many queues. -errno on error.
 */
int port_iface_combined_channels(const char *iface);

/* A started port. */
struct port {
	uint16_t id;
	struct port_spec spec;
	uint8_t mac[PKT_ETH_ALEN];
	uint16_t mtu;
	enum clock_source clock;  /* how RX is stamped on this port */
	int ts_dynfield_offset;   /* NIC timestamp dynfield, when clock is NIC_HW */
	uint64_t ts_dynflag;
	struct nicclock nic_clock; /* NIC clock to TSC, when clock is NIC_HW */
	tsc_t nic_resync_at;	  /* worker: next point for the fit */
	tsc_t nic_resync_every;
	struct xdp_clock xclk;	  /* hook clock to TSC, when clock is XDP_HOOK */
	/* L4 (TCP, UDP) checksum offloads enabled on the device: those the
	 * PMD offers, except net_tap's, which sums in software inside its
	 * bursts (the same work, moved into the PMD). vhost offers both: a
	 * guest's partial sums then arrive vouched for instead of being
	 * summed by the PMD and again by lvperf, and the guest (with
	 * VIRTIO_NET_F_GUEST_CSUM) takes lvperf's segments partial. */
	uint8_t rx_l4_csum, tx_l4_csum;
	char name[64];		  /* ethdev name as DPDK reports it */
	char label[PORT_ARG_MAX + 16]; /* the spec as the user wrote it */
};

struct rte_mempool;

/*
 * The datapath lock of a memif port (NULL for every other port): DPDK
 * 22.11's memif_disconnect(), run by the EAL interrupt thread when the peer
 * leaves, clears the port's CONNECTED flag, then takes the PMD's own
 * control-channel spinlock (pmd_internals.cc_lock), and only after
 * releasing it unmaps the shared regions. A worker that holds this lock
 * while it is inside rx/tx bursts on the port therefore makes the unmap
 * wait until the burst is over; its next burst sees CONNECTED cleared and
 * returns without touching the regions. Indexed by port id; set by
 * port_open(), cleared by port_close().
 */
extern rte_spinlock_t *port_dp_locks[RTE_MAX_ETHPORTS];

/*
 * Worker context, NIC_HW ports: take one bracketed (TSC, NIC clock) point
 * (the tightest of 8 reads) and refit p->nic_clock over the latest
 * NICCLOCK_WINDOW points; schedules the next resync. A failed read keeps
 * the current line.
 */
void port_hwclock_resync(struct port *p, tsc_t now);

/*
 * Find the ethdev EAL created for ps (the only one whose name matches its
 * vdev or BDF), configure one RX and one TX queue from pool, enable the RX
 * timestamp offload where the PMD offers it, and start it. Returns 0 or
 * -errno with a one-line reason in err.
 */
int port_open(const struct port_spec *ps, struct rte_mempool *pool, struct port *p, char *err,
	      size_t errlen);

/*
 * Once the TSC rate is measured: start the hook clock of a port whose RX is
 * stamped at the XDP hook (anchor refreshed every refresh_ns). No-op for
 * other ports. Returns 0 or -errno.
 */
int port_clock_start(struct port *p, double tsc_hz, nsec_t refresh_ns);

/*
 * Create an in-process pair of ring ports named NAME_a and NAME_b whose TX
 * is the other's RX (a cable between them), and start both. The B end gets a
 * locally administered MAC that differs from A's.
 */
int port_open_ring_pair(const char *name, struct rte_mempool *pool, struct port *a, struct port *b,
			char *err, size_t errlen);

/* Stop and close the port (removes vdevs). */
void port_close(struct port *p);

#endif
