/* SPDX-License-Identifier: BSD-3-Clause
 * The boot beacon listener: any UDP datagram to the beacon port counts (the
 * study's udpping sends one character); lvperf's own beacon workload sends
 * "LVPB", a big-endian sequence number and its send time, and both may
 * carry the sender's TSC (beacon_fmt.h). First seen per source, stamped at
 * the port.
 */
#include "beacon_fmt.h"
#include "netif.h"

void beacon_input(struct netif *nif, const uint8_t *frame, const struct pkt_info *pi, tsc_t ts)
{
	struct beacon_listener *b = &nif->beacon;
	struct beacon_src *s = NULL;
	struct beacon_payload bp;
	uint32_t i;

	if (b->udp_port == 0 || pi->dst_port != b->udp_port) {
		nif->c.udp_other_port++;
		return;
	}
	beacon_payload_parse(frame + pi->payload_off, pi->payload_len, &bp);
	if (b->not_before && bp.has_tsc && tsc_before(bp.tsc, b->not_before)) {
		b->stale++;
		return;
	}
	b->datagrams++;
	for (i = 0; i < b->n_src; i++) {
		if (b->src[i].ip == pi->src_ip) {
			s = &b->src[i];
			break;
		}
	}
	if (!s) {
		if (b->n_src == BEACON_SRC_MAX) {
			b->table_full++;
		} else {
			s = &b->src[b->n_src];
			s->ip = pi->src_ip;
			s->sport = pi->src_port;
			s->first = ts;
			s->study_format = bp.study;
			s->first_seq = bp.seq;
			s->has_tsc = bp.has_tsc;
			s->sender_cpu = bp.cpu;
			s->sender_tsc = bp.tsc;
			__atomic_store_n(&b->n_src, b->n_src + 1, __ATOMIC_RELEASE);
		}
	}
	if (s)
		s->count++;
	if (!b->first) {
		b->first_ip = pi->src_ip;
		__atomic_store_n(&b->first, ts, __ATOMIC_RELEASE);
	}
}
