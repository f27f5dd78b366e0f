/* SPDX-License-Identifier: BSD-3-Clause
 * A network namespace joined to the host by a veth pair: the target side
 * (with an address) inside the namespace, the host end left without an
 * address for a DPDK port (af_xdp, af_packet) to drive. All names carry
 * the lvp prefix.
 */
#ifndef LVP_NETNS_H
#define LVP_NETNS_H

#include <stdint.h>

struct netns_link {
	char ns[16];	  /* lvp<tag> */
	char host_if[16]; /* lvp<tag>h, in the initial namespace */
	char peer_if[16]; /* lvp<tag>p, inside ns */
	uint32_t peer_ip;
	uint8_t prefix_len;
	int created;	  /* bit 0: namespace, bit 1: veth */
};

/*
 * Create namespace and veth for tag (at most 10 characters), address the
 * peer end peer_ip/prefix_len, bring both ends and lo up, switch off IPv6 on
 * the host end (no router solicitations on the wire) and, with
 * seg_offloads_off, TSO and GSO on the peer: a frame larger than the MTU
 * does not pass a veth's XDP hook or fit lvperf's receive path. The peer's
 * TX checksum offload stays on, as a veth has it by default: its TCP and
 * UDP segments then carry only the pseudo-header's sum (CHECKSUM_PARTIAL),
 * which lvperf takes (docs/dataplane.md), and the target's kernel does not
 * sum every segment it sends, work no deployment of it would do. On failure
 * everything made so far is removed.
 * Returns 0 or -errno with one line in err.
 */
int netns_link_create(struct netns_link *l, const char *tag, uint32_t peer_ip, uint8_t prefix_len,
		      int seg_offloads_off, char *err, size_t errlen);

/*
 * A veth pair lvp<tag>h / lvp<tag>p left in this namespace, the peer
 * without address and down: for platforms that move the link into the
 * target themselves (LXC phys, LXD physical). IPv6 off on both, the peer's
 * TSO and GSO off when asked (TX checksum offload left on, as above). Removed by netns_link_destroy.
 */
int netns_veth_create(struct netns_link *l, const char *tag, int seg_offloads_off, char *err,
		      size_t errlen);

/* Remove what netns_link_create made. Safe to call twice. */
void netns_link_destroy(struct netns_link *l);

#endif
