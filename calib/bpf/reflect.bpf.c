/* SPDX-License-Identifier: BSD-3-Clause
 * The XDP reflector: attached to the far end of a veth (inside an lvp
 * namespace), it answers ICMP echo requests and UDP datagrams to port
 * REFLECT_UDP_PORT with XDP_TX before the kernel's stack sees them, so an
 * RTT measured against it is the appliance's own port path and the wire,
 * nothing of a target. Everything else (ARP, IPv6) passes to the kernel.
 *
 * Build: clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c
 * (meson's bpf_progs). linux/icmp.h drags in glibc headers, so the ICMP
 * header is declared here.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define REFLECT_UDP_PORT 7 /* RFC 862 echo */
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

struct reflect_icmp {
	__u8 type;
	__u8 code;
	__sum16 csum;
	__be16 id;
	__be16 seq;
};

/* What the reflector did, read by lvperf before it detaches the program
 * (calib/reflect.h REFLECT_STAT_*). */
enum { STAT_ICMP, STAT_UDP, STAT_PASS, STAT_N };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_N);
	__type(key, __u32);
	__type(value, __u64);
} lvp_reflect_stats SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&lvp_reflect_stats, &what);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * RFC 1624, eqn. 3: when a 16-bit word of a checksummed header changes
 * from old to new, HC' = ~(~HC + ~m + m') in one's complement arithmetic.
 */
static __always_inline __sum16 csum_replace16(__sum16 hc, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~hc + (__u16)~old + (__u32) new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* Swapping source and destination leaves the IP header checksum and the
 * UDP pseudo-header sum unchanged (one's complement addition commutes). */
static __always_inline void swap_ips(struct iphdr *ip)
{
	__be32 tmp = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = tmp;
}

SEC("xdp")
int lvp_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	void *l4;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto pass;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5 ||
	    (ip->frag_off & bpf_htons(0x3fff)) != 0)
		goto pass;
	l4 = (void *)ip + ip->ihl * 4;
	if (ip->protocol == IPPROTO_ICMP) {
		struct reflect_icmp *icmp = l4;
		__u16 old, new;

		if ((void *)(icmp + 1) > end || icmp->type != ICMP_ECHO_REQUEST || icmp->code != 0)
			goto pass;
		/* type and code are one 16-bit word in network order. */
		old = bpf_htons(ICMP_ECHO_REQUEST << 8);
		new = bpf_htons(ICMP_ECHO_REPLY << 8);
		icmp->type = ICMP_ECHO_REPLY;
		icmp->csum = csum_replace16(icmp->csum, old, new);
		swap_ips(ip);
		swap_macs(eth);
		count(STAT_ICMP);
		return XDP_TX;
	}
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		__be16 port;

		if ((void *)(udp + 1) > end || udp->dest != bpf_htons(REFLECT_UDP_PORT))
			goto pass;
		/* Swapped ports and addresses: the UDP checksum stays valid. */
		port = udp->source;
		udp->source = udp->dest;
		udp->dest = port;
		swap_ips(ip);
		swap_macs(eth);
		count(STAT_UDP);
		return XDP_TX;
	}
pass:
	count(STAT_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
