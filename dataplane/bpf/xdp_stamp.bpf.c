/* SPDX-License-Identifier: BSD-3-Clause
 * The appliance's receive stamp at a virtual NIC's earliest point: attached
 * (by DPDK's af_xdp PMD, devarg xdp_prog=) to the appliance's own end of a
 * veth, it reads CLOCK_MONOTONIC (bpf_ktime_get_ns) as the frame enters the
 * XDP hook, writes it in front of the frame as XDP metadata and redirects
 * the frame to the AF_XDP socket of its queue. In copy mode the kernel
 * copies the metadata with the frame into the umem, so it arrives in the
 * mbuf's headroom right before the frame (dataplane/xdpstamp.h reads it).
 */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "xdp_meta.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int lvp_xdp_stamp(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct lvp_xdp_meta)) == 0) {
		void *data = (void *)(long)ctx->data;
		struct lvp_xdp_meta *m = (void *)(long)ctx->data_meta;

		if ((void *)(m + 1) <= data) {
			m->magic = LVP_XDP_META_MAGIC;
			m->ktime_ns = now;
		}
	}
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
