/* SPDX-License-Identifier: BSD-3-Clause
 * DPDK ports: the --port SPEC grammar, the EAL arguments each kind needs,
 * and bringing a port up with one RX and one TX queue.
 */
#ifndef LVP_PORT_H
#define LVP_PORT_H

#include <stdint.h>

#include "clock.h"
#include "pkt.h"

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
#define PORT_EAL_ARG_LEN (PORT_ARG_MAX + 128) /* one EAL argument */

/* A parsed --port SPEC, e.g. af_xdp:lvp0 or pci:0000:3b:00.0. */
struct port_spec {
	enum port_kind kind;
	char arg[PORT_ARG_MAX]; /* interface, socket path, ring name or BDF */
	char suffix[8];		/* appended to the vdev name: a second port of a kind */
};

/*
 * Parse "KIND:ARG". Returns 0, or -EINVAL with a one-line reason in err
 * (errlen bytes) naming the accepted kinds.
 */
int port_spec_parse(const char *s, struct port_spec *ps, char *err, size_t errlen);

/* "af_xdp", "af_packet", ... */
const char *port_kind_name(enum port_kind kind);

/*
 * The device EAL argument(s) for spec: writes "--vdev" and the device
 * string (or "-a" and the BDF for pci, nothing for ring) into arg0/arg1
 * (each PORT_EAL_ARG_LEN bytes). Returns how many were written (0..2).
 */
int port_eal_device(const struct port_spec *ps, char *arg0, char *arg1);

/* A started port. */
struct port {
	uint16_t id;
	struct port_spec spec;
	uint8_t mac[PKT_ETH_ALEN];
	uint16_t mtu;
	enum clock_source clock;  /* how RX is stamped on this port */
	int ts_dynfield_offset;   /* NIC timestamp dynfield, when clock is NIC_HW */
	uint64_t ts_dynflag;
	double tsc_per_nic_tick;  /* NIC clock to TSC: tsc = offset + nic * rate */
	int64_t nic_tsc_offset;
	char name[64];		  /* ethdev name as DPDK reports it */
	char label[PORT_ARG_MAX + 16]; /* the spec as the user wrote it */
};

struct rte_mempool;

/*
 * Find the ethdev EAL created for ps (the only one whose name matches its
 * vdev or BDF), configure one RX and one TX queue from pool, enable the RX
 * timestamp offload where the PMD offers it, and start it. Returns 0 or
 * -errno with a one-line reason in err.
 */
int port_open(const struct port_spec *ps, struct rte_mempool *pool, struct port *p, char *err,
	      size_t errlen);

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
