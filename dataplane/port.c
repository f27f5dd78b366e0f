/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "port.h"

#define PORT_RX_DESC 4096
#define PORT_TX_DESC 1024
#define PORT_MEMIF_WAIT_MS 15000
/* How long port_close waits for a departed memif peer's disconnect to finish. */
#define PORT_MEMIF_CLOSE_WAIT_US 100000

rte_spinlock_t *port_dp_locks[RTE_MAX_ETHPORTS];

static const struct {
	enum port_kind kind;
	const char *name;
	const char *help;
} port_kinds[] = {
	{ PORT_AF_XDP, "af_xdp", "af_xdp:IFACE" },
	{ PORT_AF_PACKET, "af_packet", "af_packet:IFACE" },
	{ PORT_TAP, "tap", "tap:NAME" },
	{ PORT_VHOST, "vhost", "vhost:SOCKET" },
	{ PORT_MEMIF, "memif", "memif:SOCKET" },
	{ PORT_MEMIF, "memif-client", "memif-client:SOCKET" }, /* the client end */
	{ PORT_RING, "ring", "ring:NAME" },
	{ PORT_PCI, "pci", "pci:BDF" },
};

#define N_KINDS (sizeof(port_kinds) / sizeof(port_kinds[0]))

const char *port_kind_name(enum port_kind kind)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (port_kinds[i].kind == kind)
			return port_kinds[i].name;
	return "?";
}

/* Characters that could smuggle extra devargs into a vdev string. */
static int port_arg_safe(enum port_kind kind, const char *arg)
{
	if (strpbrk(arg, ",= \t\n"))
		return 0;
	if (kind == PORT_PCI || kind == PORT_RING || kind == PORT_TAP)
		return strchr(arg, '/') == NULL;
	return 1;
}

int port_spec_parse(const char *s, struct port_spec *ps, char *err, size_t errlen)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t i, klen;

	if (!colon) {
		snprintf(err, errlen,
			 "--port '%s': expected KIND:ARG, one of af_xdp:IFACE, af_packet:IFACE, "
			 "tap:NAME, vhost:SOCKET, memif:SOCKET, memif-client:SOCKET, ring:NAME, pci:BDF",
			 s ? s : "");
		return -EINVAL;
	}
	klen = (size_t)(colon - s);
	for (i = 0; i < N_KINDS; i++)
		if (strlen(port_kinds[i].name) == klen && strncmp(s, port_kinds[i].name, klen) == 0)
			break;
	if (i == N_KINDS) {
		snprintf(err, errlen,
			 "--port '%s': unknown kind '%.*s' (af_xdp, af_packet, tap, vhost, memif, memif-client, ring, pci)",
			 s, (int)klen, s);
		return -EINVAL;
	}
	ps->kind = port_kinds[i].kind;
	if (!colon[1] || strlen(colon + 1) >= PORT_ARG_MAX || !port_arg_safe(ps->kind, colon + 1)) {
		snprintf(err, errlen, "--port '%s': expected %s (no commas, '=' or spaces)", s,
			 port_kinds[i].help);
		return -EINVAL;
	}
	if (ps->kind == PORT_AF_XDP || ps->kind == PORT_AF_PACKET || ps->kind == PORT_TAP) {
		if (strlen(colon + 1) > 15) {
			snprintf(err, errlen, "--port '%s': interface names have at most 15 characters", s);
			return -EINVAL;
		}
	}
	strcpy(ps->arg, colon + 1);
	ps->memif_client = strcmp(port_kinds[i].name, "memif-client") == 0;
	ps->suffix[0] = 0;
	ps->xdp_prog[0] = 0;
	ps->queues = 1;
	return 0;
}

int port_spec_set_xdp_prog(struct port_spec *ps, const char *path)
{
	if (strlen(path) >= sizeof(ps->xdp_prog) || strpbrk(path, ",= \t\n"))
		return -EINVAL;
	strcpy(ps->xdp_prog, path);
	return 0;
}

/* The vdev name EAL gives the device; port_open() finds the ethdev by it. */
static void port_vdev_name(const struct port_spec *ps, char *out, size_t len)
{
	static const char *const prefix[] = {
		[PORT_AF_XDP] = "net_af_xdp_lvp", [PORT_AF_PACKET] = "net_af_packet_lvp",
		[PORT_TAP] = "net_tap_lvp",	  [PORT_VHOST] = "net_vhost_lvp",
		[PORT_MEMIF] = "net_memif_lvp",
	};
	snprintf(out, len, "%s%s", prefix[ps->kind], ps->suffix);
}

int port_eal_device(const struct port_spec *ps, char *arg0, char *arg1)
{
	const size_t len = PORT_EAL_ARG_LEN;
	char name[48];

	switch (ps->kind) {
	case PORT_RING:
		return 0;
	case PORT_PCI:
		snprintf(arg0, len, "-a");
		snprintf(arg1, len, "%s", ps->arg);
		return 2;
	default:
		break;
	}
	port_vdev_name(ps, name, sizeof(name));
	snprintf(arg0, len, "--vdev");
	switch (ps->kind) {
	case PORT_AF_XDP:
		/* busy_budget=0: no preferred busy polling, lower jitter on veth. */
		snprintf(arg1, len, "%s,iface=%s,start_queue=0,queue_count=%u,busy_budget=0%s%s", name,
			 ps->arg, ps->queues > 1 ? ps->queues : 1, ps->xdp_prog[0] ? ",xdp_prog=" : "",
			 ps->xdp_prog);
		break;
	case PORT_AF_PACKET:
		snprintf(arg1, len, "%s,iface=%s,qpairs=%u", name, ps->arg, ps->queues > 1 ? ps->queues : 1);
		break;
	case PORT_TAP:
		snprintf(arg1, len, "%s,iface=%s", name, ps->arg);
		break;
	case PORT_VHOST:
		snprintf(arg1, len, "%s,iface=%s,queues=1", name, ps->arg);
		break;
	case PORT_MEMIF:
		snprintf(arg1, len, "%s,role=%s,socket=%s", name, ps->memif_client ? "client" : "server",
			 ps->arg);
		break;
	default:
		return 0;
	}
	return 2;
}

int port_iface_combined_channels(const char *iface)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	ifr.ifr_data = (void *)&ch;
	rc = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	if (rc != 0)
		return errno == EOPNOTSUPP ? 1 : -errno;
	/* As DPDK 22.11's af_xdp reads it: no combined channels is one stream. */
	return ch.max_combined == 0 ? 1 : (int)ch.combined_count;
}

static int port_find(const struct port_spec *ps, uint16_t *id)
{
	char name[48];
	uint16_t pid;

	if (ps->kind == PORT_PCI)
		return rte_eth_dev_get_port_by_name(ps->arg, id) == 0 ? 0 : -ENODEV;
	port_vdev_name(ps, name, sizeof(name));
	RTE_ETH_FOREACH_DEV(pid) {
		char devname[RTE_ETH_NAME_MAX_LEN];

		if (rte_eth_dev_get_name_by_port(pid, devname) == 0 && strcmp(devname, name) == 0) {
			*id = pid;
			return 0;
		}
	}
	return -ENODEV;
}

#define PORT_HWCLOCK_READS 8
#define PORT_HWCLOCK_POINTS 8		/* at start, 10 ms apart */
#define PORT_HWCLOCK_RESYNC_HZ 10	/* then one point every 100 ms */

/* One point of the NIC clock fit: the tightest of PORT_HWCLOCK_READS reads
 * bracketed by serialized TSC reads. */
static int port_hwclock_point(struct port *p, struct nicclock_point *pt)
{
	struct nicclock_read r[PORT_HWCLOCK_READS];
	int i;

	for (i = 0; i < PORT_HWCLOCK_READS; i++) {
		r[i].tsc_before = rte_rdtsc_precise();
		if (rte_eth_read_clock(p->id, &r[i].nic) != 0)
			return -ENOTSUP;
		r[i].tsc_after = rte_rdtsc_precise();
	}
	return nicclock_tightest(r, PORT_HWCLOCK_READS, pt);
}

/*
 * NIC clock to TSC: a least-squares line over PORT_HWCLOCK_POINTS
 * bracketed points 10 ms apart (dataplane/nicclock.c), then resynced from
 * the worker. Only ports that offer rte_eth_read_clock().
 */
static int port_hwclock_calibrate(struct port *p)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	struct nicclock_point pt;
	int i;

	nicclock_init(&p->nic_clock);
	for (i = 0; i < PORT_HWCLOCK_POINTS; i++) {
		if (i)
			nanosleep(&nap, NULL);
		if (port_hwclock_point(p, &pt) != 0 || nicclock_add(&p->nic_clock, &pt) != 0)
			return -ENOTSUP;
	}
	p->nic_resync_every = rte_get_tsc_hz() / PORT_HWCLOCK_RESYNC_HZ;
	p->nic_resync_at = rte_rdtsc() + p->nic_resync_every;
	return 0;
}

void port_hwclock_resync(struct port *p, tsc_t now)
{
	struct nicclock_point pt;

	p->nic_resync_at = now + p->nic_resync_every;
	if (port_hwclock_point(p, &pt) == 0)
		nicclock_add(&p->nic_clock, &pt);
}

static int port_setup(struct port *p, struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	uint16_t nrx = PORT_RX_DESC, ntx = PORT_TX_DESC, nq = p->spec.queues > 1 ? p->spec.queues : 1, q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(p->id, &info);
	if (rc) {
		snprintf(err, errlen, "port %s: cannot read device info: %s", p->name, strerror(-rc));
		return rc;
	}
	p->clock = CLOCK_SRC_TSC_RX_BURST;
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
		p->clock = CLOCK_SRC_NIC_HW;
	}
	if (p->spec.kind != PORT_TAP) {
		const uint64_t rx = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

		if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) {
			conf.rxmode.offloads |= info.rx_offload_capa & rx;
			p->rx_l4_csum = 1;
		}
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
			p->tx_l4_csum = 1;
		}
	}
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		snprintf(err, errlen, "port %s: %u queue pairs (one per worker) asked, the PMD offers %u RX and %u TX",
			 p->name, nq, info.max_rx_queues, info.max_tx_queues);
		return -ENOTSUP;
	}
	rc = rte_eth_dev_configure(p->id, nq, nq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &nrx, &ntx);
	for (q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, nrx, rte_eth_dev_socket_id(p->id), NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->id, q, ntx, rte_eth_dev_socket_id(p->id), NULL);
	}
	if (rc) {
		snprintf(err, errlen, "port %s: setup of %u queue pair(s) failed: %s", p->name, nq, strerror(-rc));
		return rc;
	}
	if (p->clock == CLOCK_SRC_NIC_HW &&
	    rte_mbuf_dyn_rx_timestamp_register(&p->ts_dynfield_offset, &p->ts_dynflag) != 0)
		p->clock = CLOCK_SRC_TSC_RX_BURST;
	rc = rte_eth_dev_start(p->id);
	if (rc) {
		snprintf(err, errlen, "port %s: start failed: %s", p->name, strerror(-rc));
		return rc;
	}
	if (p->clock == CLOCK_SRC_NIC_HW && port_hwclock_calibrate(p) != 0)
		p->clock = CLOCK_SRC_TSC_RX_BURST;
	/* The PMD attached our program (it fails the port otherwise): frames
	 * arrive with the hook's stamp in front of them. */
	if (p->clock == CLOCK_SRC_TSC_RX_BURST && p->spec.kind == PORT_AF_XDP && p->spec.xdp_prog[0])
		p->clock = CLOCK_SRC_XDP_HOOK;
	rte_eth_macaddr_get(p->id, &mac);
	memcpy(p->mac, mac.addr_bytes, PKT_ETH_ALEN);
	if (rte_eth_dev_get_mtu(p->id, &p->mtu) != 0)
		p->mtu = 1500;
	return 0;
}

/*
 * The heads of DPDK 22.11's struct rte_eth_dev and rte_eth_dev_data
 * (lib/ethdev/ethdev_driver.h, not installed: rte_eth_devices is an
 * INTERNAL symbol of librte_ethdev) and of the memif PMD's struct
 * pmd_internals (drivers/net/memif/rte_eth_memif.h), as far as lvperf reads
 * them. struct memif_queue has a pmd field, but the PMD never sets it.
 */
struct lvp_eth_dev_data_head {
	char name[RTE_ETH_NAME_MAX_LEN];
	void **rx_queues;
	void **tx_queues;
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
	uint8_t sriov[6];
	void *dev_private;
};

struct lvp_eth_dev_head {
	void *burst_fns[6];
	struct lvp_eth_dev_data_head *data;
	void *process_private, *dev_ops, *device, *intr_handle;
	void *link_intr_cbs[2];
	void *post_rx_burst_cbs[RTE_MAX_QUEUES_PER_PORT];
	void *pre_tx_burst_cbs[RTE_MAX_QUEUES_PER_PORT];
	int state;
	void *security_ctx;
} __rte_cache_aligned;

extern struct lvp_eth_dev_head rte_eth_devices[RTE_MAX_ETHPORTS];

struct lvp_memif_pmd_head {
	uint32_t id;
	int role; /* MEMIF_ROLE_SERVER 0, MEMIF_ROLE_CLIENT 1 */
	uint32_t flags;
	char *socket_filename;
	char secret[24];
	void *cc;
	rte_spinlock_t cc_lock;
};

/*
 * Find the memif PMD's control-channel lock (see port_dp_locks in port.h)
 * and trust it only if every field lvperf can check agrees with what it
 * configured and with ethdev's public fast-path table: the DPDK release,
 * the device name, the RX queue, the socket path and the role. NULL when
 * anything disagrees (another DPDK layout).
 */
static rte_spinlock_t *port_memif_lock(const struct port *p)
{
	const struct lvp_eth_dev_data_head *d;
	struct lvp_memif_pmd_head *pmd;

	if (strncmp(rte_version(), "DPDK 22.11", 10) != 0 || p->id >= RTE_MAX_ETHPORTS)
		return NULL;
	d = rte_eth_devices[p->id].data;
	if (d == NULL || strncmp(d->name, p->name, sizeof(d->name)) != 0 || d->nb_rx_queues < 1 ||
	    d->rx_queues == NULL || rte_eth_fp_ops[p->id].rxq.data == NULL ||
	    d->rx_queues[0] != rte_eth_fp_ops[p->id].rxq.data[0] || d->dev_private == NULL)
		return NULL;
	pmd = d->dev_private;
	if (pmd->role != (p->spec.memif_client ? 1 : 0) || pmd->socket_filename == NULL ||
	    strcmp(pmd->socket_filename, p->spec.arg) != 0)
		return NULL;
	return &pmd->cc_lock;
}

int port_open(const struct port_spec *ps, struct rte_mempool *pool, struct port *p, char *err,
	      size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->spec = *ps;
	if (port_find(ps, &p->id)) {
		snprintf(err, errlen,
			 "--port %s:%s: DPDK created no such device (is the interface or socket "
			 "there, and the PMD installed? run with --eal --log-level=8 for details)",
			 port_kind_name(ps->kind), ps->arg);
		return -ENODEV;
	}
	rte_eth_dev_get_name_by_port(p->id, p->name);
	snprintf(p->label, sizeof(p->label), "%s%s:%s", port_kind_name(ps->kind), ps->memif_client ? "-client" : "",
		 ps->arg);
	rc = port_setup(p, pool, err, errlen);
	if (rc || ps->kind != PORT_MEMIF)
		return rc;
	port_dp_locks[p->id] = port_memif_lock(p);
	if (!port_dp_locks[p->id])
		fprintf(
		    stderr,
		    "lvperf: warning: port %s: memif internals not as in DPDK 22.11; a peer that "
		    "leaves while the worker polls may crash lvperf\n",
		    p->label);
	if (!ps->memif_client)
		return 0;
	/* The client end is up once the server took it: wait for that, so the
	 * first frames (ARP) are not refused by a link still down. */
	for (int i = 0; i < PORT_MEMIF_WAIT_MS / 10; i++) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(p->id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_us_sleep(10000);
	}
	snprintf(err, errlen, "--port %s: no memif server answered on %s within %d ms (is lvperf reflect there?)",
		 p->label, ps->arg, PORT_MEMIF_WAIT_MS);
	port_close(p);
	return -ETIMEDOUT;
}

int port_open_ring_pair(const char *name, struct rte_mempool *pool, struct port *a, struct port *b,
			char *err, size_t errlen)
{
	struct rte_ring *ab, *ba;
	char rname[RTE_RING_NAMESIZE];
	int ida, idb, rc;

	snprintf(rname, sizeof(rname), "lvp_%.12s_ab", name);
	ab = rte_ring_create(rname, 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "lvp_%.12s_ba", name);
	ba = rte_ring_create(rname, 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!ab || !ba) {
		snprintf(err, errlen, "ring:%s: cannot create rings: %s", name, rte_strerror(rte_errno));
		rte_ring_free(ab);
		rte_ring_free(ba);
		return -ENOMEM;
	}
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	snprintf(a->name, sizeof(a->name), "lvp_%.12s_a", name);
	snprintf(b->name, sizeof(b->name), "lvp_%.12s_b", name);
	/* A receives what B sends (ring ba) and the other way round. */
	ida = rte_eth_from_rings(a->name, &ba, 1, &ab, 1, rte_socket_id());
	idb = rte_eth_from_rings(b->name, &ab, 1, &ba, 1, rte_socket_id());
	if (ida < 0 || idb < 0) {
		snprintf(err, errlen, "ring:%s: cannot create ring ports: %s", name,
			 rte_strerror(rte_errno));
		return -ENODEV;
	}
	a->id = (uint16_t)ida;
	b->id = (uint16_t)idb;
	a->spec.kind = b->spec.kind = PORT_RING;
	snprintf(a->spec.arg, sizeof(a->spec.arg), "%s", name);
	snprintf(b->spec.arg, sizeof(b->spec.arg), "%s", name);
	snprintf(a->label, sizeof(a->label), "ring:%s/a", name);
	snprintf(b->label, sizeof(b->label), "ring:%s/b", name);
	rc = port_setup(a, pool, err, errlen);
	if (rc == 0)
		rc = port_setup(b, pool, err, errlen);
	if (rc)
		return rc;
	/* Locally administered, "lvp" in the middle, distinct per end. */
	memcpy(a->mac, (const uint8_t[]){ 0x02, 0x6c, 0x76, 0x70, 0x00, 0x0a }, PKT_ETH_ALEN);
	memcpy(b->mac, (const uint8_t[]){ 0x02, 0x6c, 0x76, 0x70, 0x00, 0x0b }, PKT_ETH_ALEN);
	return 0;
}

int port_clock_start(struct port *p, double tsc_hz, nsec_t refresh_ns)
{
	if (p->clock != CLOCK_SRC_XDP_HOOK)
		return 0;
	return xdp_clock_init(&p->xclk, tsc_hz, refresh_ns);
}

void port_close(struct port *p)
{
	struct rte_eth_link link;

	if (p->id < RTE_MAX_ETHPORTS)
		port_dp_locks[p->id] = NULL;
	/* A memif whose peer left: the EAL interrupt thread's memif_disconnect()
	 * clears the link first and unmaps and frees the shared regions after,
	 * so a run that ends on seeing the link down (reflect --once, a
	 * generator whose reflector left) could reach rte_eth_dev_stop(), and
	 * its own memif_disconnect() over the same regions, while the first
	 * is still freeing them. Give that one time to finish. (Suspected cause
	 * of a SIGSEGV CI saw once in reflect --once's exit; not reproduced in
	 * 85 isolated runs.) */
	if (p->spec.kind == PORT_MEMIF && rte_eth_link_get_nowait(p->id, &link) == 0 &&
	    link.link_status == RTE_ETH_LINK_DOWN)
		rte_delay_us_sleep(PORT_MEMIF_CLOSE_WAIT_US);
	rte_eth_dev_stop(p->id);
	rte_eth_dev_close(p->id);
}
