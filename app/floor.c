/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "driver.h"
#include "ledger.h"
#include "netns.h"
#include "proc.h"
#include "floor.h"

#define FLOOR_OUR_IP 0x0afa0001u  /* 10.250.0.1, the floor port */
#define FLOOR_PEER_IP 0x0afa0002u /* 10.250.0.2, the veth's far end */
#define FLOOR_TAP_OUR_IP 0x0afa0101u  /* 10.250.1.1 */
#define FLOOR_TAP_PEER_IP 0x0afa0102u /* 10.250.1.2, the tap's kernel end */
#define FLOOR_PAYLOAD (PING_PAYLOAD_MIN + 40) /* 56 bytes, ping's default */

/* Summarise the echoes that came back (a lost one is not >= 0). */
static int floor_summarize(struct floor_result *r)
{
	return stats_summarize(r->rtt_ns, r->count, &r->s);
}

int floor_ring_measure(struct dp *dp, uint32_t count, nsec_t interval, struct floor_result *r,
		       char *err)
{
	struct netif *nifs[2];
	struct dp_ping_result pr;
	int rc;

	memset(r, 0, sizeof(*r));
	r->source = FLOOR_SRC_RING;
	r->kind = PORT_RING;
	r->clock = CLOCK_SRC_TSC_RX_BURST;
	r->interval = interval;
	rc = dp_ring_open(dp, err);
	if (rc)
		return rc;
	nifs[0] = &dp->ring_nif_a;
	nifs[1] = &dp->ring_nif_b;
	rc = dp_start(dp, nifs, 2, err);
	if (rc)
		return rc;
	rc = dp_ping(dp, &dp->ring_nif_a, dp->ring_nif_b.np->ip, count, interval, FLOOR_PAYLOAD,
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
	rc = floor_summarize(r);
	if (rc == 0 && r->s.n != count) {
		snprintf(err, DP_ERR_LEN, "ring floor: %zu of %u echoes came back over an in-process ring",
			 r->s.n, count);
		rc = -EIO;
	}
	if (rc)
		floor_result_free(r);
	return rc;
}

int floor_port_supported(enum port_kind kind)
{
	return kind == PORT_AF_XDP || kind == PORT_AF_PACKET || kind == PORT_TAP;
}

/* Everything one port floor made, undone in reverse by floor_port_undo. */
struct floor_port {
	struct netns_link link;
	struct reflect refl;
	struct port port;
	struct netif_port np;
	struct netif *nif;
	struct rte_device *dev; /* the plugged vdev */
	int have_port;
	char tap[16]; /* tap: the PMD's interface, in the ledger */
};

#define FLOOR_CMD_TIMEOUT (10ull * 1000000000u)

static int floor_run(char *err, char *const argv[])
{
	int rc = proc_run(argv, 1, FLOOR_CMD_TIMEOUT);

	if (rc == 0)
		return 0;
	snprintf(err, DP_ERR_LEN, "port floor: '%s %s %s %s %s' failed (%d)", argv[0], argv[1],
		 argv[2], argv[3], argv[4] ? argv[4] : "", rc);
	return rc < 0 ? rc : -EIO;
}

#define RUN(...) floor_run(err, (char *const[]){ __VA_ARGS__, NULL })

/* Plug a second port of kind (vdev name suffix "fl") on iface. */
static int floor_port_plug(struct dp *dp, struct floor_port *f, enum port_kind kind,
			   const char *iface, char *err)
{
	char arg0[PORT_EAL_ARG_LEN], arg1[PORT_EAL_ARG_LEN];
	struct rte_eth_dev_info info;
	struct port_spec ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.kind = kind;
	snprintf(ps.arg, sizeof(ps.arg), "%s", iface);
	snprintf(ps.suffix, sizeof(ps.suffix), "fl");
	/* Stamped as the measurement it is subtracted from: at the XDP hook
	 * when the user's af_xdp port is. */
	if (kind == PORT_AF_XDP && dp->xdp_prog[0] && port_spec_set_xdp_prog(&ps, dp->xdp_prog))
		return -EINVAL;
	if (port_eal_device(&ps, arg0, arg1) != 2)
		return -ENOTSUP;
	rc = rte_dev_probe(arg1);
	if (rc) {
		snprintf(err, DP_ERR_LEN, "port floor: DPDK cannot plug %.200s: %s", arg1, strerror(-rc));
		return rc;
	}
	rc = port_open(&ps, dp->pool, &f->port, err, DP_ERR_LEN);
	if (rc == 0)
		rc = port_clock_start(&f->port, dp->clk.hz, DP_XDP_ANCHOR_NS);
	if (rc == 0 && rte_eth_dev_info_get(f->port.id, &info) == 0)
		f->dev = info.device;
	if (rc == 0)
		f->have_port = 1;
	return rc;
}

static void floor_port_undo(struct floor_port *f)
{
	if (f->have_port) {
		port_close(&f->port);
		if (f->dev)
			rte_dev_remove(f->dev);
		f->have_port = 0;
	}
	reflect_detach(&f->refl);
	if (f->tap[0])
		ledger_done(LEDGER_LINK, f->tap); /* the PMD's tap went with its port */
	f->tap[0] = 0;
	/* The veth (and a tap moved in) dies with the namespace. */
	netns_link_destroy(&f->link);
	free(f->nif);
	f->nif = NULL;
}

/* af_xdp/af_packet: the reflector on the veth's far end, the port on the
 * near end. tap: the PMD makes the tap, which moves into the namespace
 * with the peer address and gets the reflector there. */
static int floor_port_setup(struct dp *dp, struct floor_port *f, enum port_kind kind,
			    uint32_t *our_ip, uint32_t *peer_ip, char *err)
{
	char tag[12], obj[PATH_MAX], addr[24], ip[16];
	int rc;

	snprintf(tag, sizeof(tag), "fl%d", (int)getpid() % 10000000);
	rc = netns_link_create(&f->link, tag, FLOOR_PEER_IP, 24, 0, err, DP_ERR_LEN);
	if (rc)
		return rc;
	if (driver_sibling_bin(REFLECT_OBJ, obj, sizeof(obj)) != 0) {
		snprintf(err, DP_ERR_LEN, "port floor: no XDP reflector " REFLECT_OBJ
			 " beside lvperf (ninja -C build)");
		return -ENOENT;
	}
	*our_ip = FLOOR_OUR_IP;
	*peer_ip = FLOOR_PEER_IP;
	if (kind != PORT_TAP) {
		rc = reflect_attach(&f->refl, obj, f->link.ns, f->link.peer_if,
				    kind == PORT_AF_XDP ? REFLECT_NATIVE : REFLECT_GENERIC, err, DP_ERR_LEN);
		return rc ? rc : floor_port_plug(dp, f, kind, f->link.host_if, err);
	}
	snprintf(f->tap, sizeof(f->tap), "lvp%st", tag);
	rc = ledger_add(LEDGER_LINK, f->tap);
	if (rc) {
		f->tap[0] = 0;
		snprintf(err, DP_ERR_LEN, "cannot write the ledger in " LEDGER_DIR ": %s", strerror(-rc));
		return rc;
	}
	rc = floor_port_plug(dp, f, kind, f->tap, err);
	if (rc)
		return rc;
	*our_ip = FLOOR_TAP_OUR_IP;
	*peer_ip = FLOOR_TAP_PEER_IP;
	snprintf(addr, sizeof(addr), "%s/24", pkt_format_ip(FLOOR_TAP_PEER_IP, ip));
	rc = RUN("ip", "link", "set", f->tap, "netns", f->link.ns);
	if (!rc)
		rc = RUN("ip", "-n", f->link.ns, "addr", "add", addr, "dev", f->tap);
	if (!rc)
		rc = RUN("ip", "-n", f->link.ns, "link", "set", f->tap, "up");
	if (rc)
		return rc;
	return reflect_attach(&f->refl, obj, f->link.ns, f->tap, REFLECT_GENERIC, err, DP_ERR_LEN);
}

/* Move a second port's echoes into r (count sent, corrupt replies, frames
 * with a bad checksum) and summarise them. */
static int floor_take_echoes(struct floor_result *r, struct dp_ping_result *pr, const struct netif *nif,
			     uint32_t count)
{
	r->count = count;
	r->corrupt = pr->corrupt;
	r->bad_csum = nif->c.rx_bad[PKT_ERR_IP_CSUM] + nif->c.rx_bad[PKT_ERR_ICMP_CSUM];
	r->rtt_ns = pr->rtt_ns;
	pr->rtt_ns = NULL;
	return floor_summarize(r);
}

int floor_port_measure(struct dp *dp, enum port_kind kind, uint32_t count, nsec_t interval,
		       struct floor_result *r, char *err)
{
	struct floor_port f;
	struct dp_ping_result pr = { 0 };
	uint32_t our_ip, peer_ip;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	r->source = FLOOR_SRC_XDP;
	r->kind = kind;
	r->interval = interval;
	if (!floor_port_supported(kind)) {
		snprintf(err, DP_ERR_LEN, "no port floor for %s ports (af_xdp, af_packet and tap have one)",
			 port_kind_name(kind));
		return -ENOTSUP;
	}
	f.nif = calloc(1, sizeof(*f.nif));
	if (!f.nif)
		return -ENOMEM;
	rc = floor_port_setup(dp, &f, kind, &our_ip, &peer_ip, err);
	if (rc)
		goto out;
	r->mode = f.refl.mode;
	r->clock = f.port.clock;
	snprintf(r->where, sizeof(r->where), "%s in %s", kind == PORT_TAP ? f.tap : f.link.peer_if,
		 f.link.ns);
	netif_port_init(&f.np, &f.port, dp->pool, our_ip, 24);
	netif_init(f.nif, &f.np, 0, 0);
	rc = dp_start(dp, (struct netif *[]){ f.nif }, 1, err);
	if (rc)
		goto out;
	rc = dp_ping(dp, f.nif, peer_ip, count, interval, FLOOR_PAYLOAD, 3000000000ull, 100000000u,
		     NULL, NULL, &pr);
	dp_stop(dp);
	if (rc) {
		snprintf(err, DP_ERR_LEN, "%s port floor: %s", port_kind_name(kind),
			 rc == -EHOSTUNREACH ? "the far end did not answer ARP" : strerror(-rc));
		goto out;
	}
	reflect_stats(&f.refl, &r->refl);
	rc = floor_take_echoes(r, &pr, f.nif, count);
	if (rc == 0 && r->s.n * 100 < (size_t)count * 99) {
		snprintf(err, DP_ERR_LEN,
			 "%s port floor: only %zu of %u echoes came back from the XDP reflector (%" PRIu64
			 " answered by it)",
			 port_kind_name(kind), r->s.n, count, r->refl.icmp);
		rc = -EIO;
	}
out:
	dp_ping_result_free(&pr);
	floor_port_undo(&f);
	if (rc)
		floor_result_free(r);
	return rc;
}

/* accel=... of a driver option string ("machine=q35,accel=tcg"), so the
 * floor guest runs under the same accelerator as the guest measured. */
static void floor_guest_opts(const char *opts, char *out, size_t len)
{
	const char *a = opts ? strstr(opts, "accel=") : NULL;

	out[0] = 0;
	if (a && (a == opts || a[-1] == ','))
		snprintf(out, len, "%.*s", (int)strcspn(a, ","), a);
}

int floor_guest_measure(struct dp *dp, const char *opts, uint32_t count, nsec_t interval,
			struct floor_result *r, char *err)
{
	const struct driver *drv = driver_with(DRIVER_CAP_FLOOR_GUEST);
	struct floor_port f;
	struct dp_ping_result pr = { 0 };
	struct target t;
	struct port_spec ps;
	char gopts[64];
	pid_t pid = 0;
	int rc, prepared = 0;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	r->source = FLOOR_SRC_GUEST;
	r->kind = PORT_VHOST;
	r->interval = interval;
	if (!drv) {
		snprintf(err, DP_ERR_LEN, "no platform here boots the floor guest");
		return -ENOTSUP;
	}
	f.nif = calloc(1, sizeof(*f.nif));
	if (!f.nif)
		return -ENOMEM;
	floor_guest_opts(opts, gopts, sizeof(gopts));
	t.drv = drv;
	t.workload = "floor";
	t.net = "direct";
	t.base = "host";
	t.opts = gopts[0] ? gopts : NULL;
	snprintf(t.tag, sizeof(t.tag), "fg%d", (int)getpid() % 10000000);
	t.appliance_ip = FLOOR_OUR_IP;
	t.target_ip = FLOOR_PEER_IP;
	t.prefix_len = 24;
	t.beacon_port = 1337;
	rc = drv->prepare(&t, err, DP_ERR_LEN);
	if (rc)
		goto out;
	prepared = 1;
	if (port_spec_parse(t.port, &ps, err, DP_ERR_LEN) || ps.kind != PORT_VHOST) {
		snprintf(err, DP_ERR_LEN, "floor guest: %s gave port '%s', not vhost", drv->name, t.port);
		rc = -EINVAL;
		goto out;
	}
	rc = floor_port_plug(dp, &f, PORT_VHOST, ps.arg, err);
	if (rc)
		goto out;
	r->clock = f.port.clock;
	snprintf(r->where, sizeof(r->where), "%.16s %.40s", drv->name, t.variant);
	netif_port_init(&f.np, &f.port, dp->pool, FLOOR_OUR_IP, 24);
	netif_init(f.nif, &f.np, 0, 0);
	rc = dp_start(dp, (struct netif *[]){ f.nif }, 1, err);
	if (rc)
		goto out;
	rc = proc_start(t.argv, 1, &pid);
	if (rc == 0)
		/* ARP every 100 ms until the guest is up (TCG: about a second). */
		rc = dp_ping(dp, f.nif, FLOOR_PEER_IP, count, interval, FLOOR_PAYLOAD, 60000000000ull,
			     100000000u, NULL, NULL, &pr);
	dp_stop(dp);
	if (rc) {
		snprintf(err, DP_ERR_LEN, "floor guest: %s",
			 rc == -EHOSTUNREACH ? "it did not answer ARP within 60 s" : strerror(-rc));
		goto out;
	}
	rc = floor_take_echoes(r, &pr, f.nif, count);
	/* A guest under TCG drops the odd echo when the host is busy: 10 %. */
	if (rc == 0 && r->s.n * 10 < (size_t)count * 9) {
		snprintf(err, DP_ERR_LEN, "floor guest: only %zu of %u echoes came back", r->s.n, count);
		rc = -EIO;
	}
out:
	if (pid > 0) {
		int st;

		/* The start command is ours to stop, as for every target. */
		proc_stop(pid, 2000000000ull, &st);
		drv->stop(&t, pid);
	}
	if (prepared)
		drv->destroy(&t);
	dp_ping_result_free(&pr);
	floor_port_undo(&f);
	if (rc)
		floor_result_free(r);
	return rc;
}

void floor_result_free(struct floor_result *r)
{
	free(r->rtt_ns);
	r->rtt_ns = NULL;
}
