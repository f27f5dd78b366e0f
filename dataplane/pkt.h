/* SPDX-License-Identifier: BSD-3-Clause
 * Ethernet, ARP, IPv4, ICMP and UDP on plain byte buffers.
 *
 * Nothing here knows about DPDK: the dataplane hands in the bytes of an
 * mbuf, the unit tests hand in bytes captured from the kernel. Addresses in
 * struct pkt_info are in host byte order; buffers are in network order.
 */
#ifndef LVP_PKT_H
#define LVP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define PKT_ETH_HLEN 14
#define PKT_ARP_LEN 28
#define PKT_IP_HLEN 20
#define PKT_ICMP_HLEN 8
#define PKT_UDP_HLEN 8
#define PKT_ETH_MIN 60 /* without FCS */

#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP 0x0806
#define PKT_IPPROTO_ICMP 1
#define PKT_IPPROTO_TCP 6
#define PKT_IPPROTO_UDP 17
#define PKT_ARP_REQUEST 1
#define PKT_ARP_REPLY 2
#define PKT_ICMP_ECHO_REPLY 0
#define PKT_ICMP_ECHO_REQUEST 8

/* What a frame is, after pkt_parse(). */
enum pkt_kind {
	PKT_BAD = 0,	   /* malformed; pkt_info.err says why */
	PKT_ARP,	   /* well-formed Ethernet/IPv4 ARP, op in arp_op */
	PKT_ICMP_ECHO_REQ, /* ICMP echo request, id/seq filled */
	PKT_ICMP_ECHO_REP, /* ICMP echo reply, id/seq filled */
	PKT_ICMP_OTHER,	   /* any other valid ICMP message */
	PKT_UDP,	   /* valid UDP datagram, ports and payload filled */
	PKT_TCP,	   /* IPv4 carrying TCP (not checked further here) */
	PKT_IPV4_OTHER,	   /* valid IPv4, another protocol, or a fragment */
	PKT_NOT_IPV4,	   /* IPv6, LLDP, VLAN-tagged...: not ours */
};

/* Why a frame was judged PKT_BAD. One counter per reason in the dataplane. */
enum pkt_err {
	PKT_OK = 0,
	PKT_ERR_TRUNCATED,  /* shorter than its headers claim */
	PKT_ERR_ARP_FORMAT, /* ARP that is not Ethernet/IPv4 */
	PKT_ERR_IP_VERSION, /* version field is not 4 */
	PKT_ERR_IP_HLEN,    /* IHL < 5 */
	PKT_ERR_IP_LEN,	    /* total length < header or > frame */
	PKT_ERR_IP_CSUM,    /* header checksum does not verify */
	PKT_ERR_ICMP_CSUM,  /* ICMP checksum does not verify */
	PKT_ERR_UDP_LEN,    /* UDP length field inconsistent */
	PKT_ERR_UDP_CSUM,   /* nonzero UDP checksum does not verify */
	PKT_ERR__COUNT,
};

/* Fields of one parsed frame. Offsets are from the start of the frame. */
struct pkt_info {
	enum pkt_kind kind;
	enum pkt_err err;
	uint8_t dst_mac[PKT_ETH_ALEN];
	uint8_t src_mac[PKT_ETH_ALEN];
	uint16_t ethertype;
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t payload_off; /* ICMP data after id/seq, or UDP payload */
	uint16_t payload_len;
	uint32_t src_ip; /* IPv4 source (ARP: sender protocol address) */
	uint32_t dst_ip; /* IPv4 destination (ARP: target protocol address) */
	uint8_t ip_proto;
	uint8_t ttl;
	uint16_t arp_op;
	uint8_t arp_sha[PKT_ETH_ALEN];
	uint16_t src_port; /* UDP */
	uint16_t dst_port;
	uint16_t icmp_id;
	uint16_t icmp_seq;
	/* The UDP checksum field holds only the pseudo-header sum: the
	 * sender's kernel left it for a checksum offload (CHECKSUM_PARTIAL)
	 * that virtual links (veth, tap) never perform. Accepted, counted. */
	uint8_t l4_csum_partial;
	/* What the port's RX checksum offload said of the L4 checksum
	 * (enum pkt_csum_hw); set by the caller after pkt_parse, which
	 * leaves it PKT_CSUM_HW_UNKNOWN. Only TCP input reads it. */
	uint8_t l4_csum_hw;
};

enum pkt_csum_hw {
	PKT_CSUM_HW_UNKNOWN = 0, /* not checked by the port: verify */
	PKT_CSUM_HW_GOOD,	 /* verified, or the data vouched for (a partial sum in the field) */
	PKT_CSUM_HW_BAD,	 /* the port found it wrong */
};

/* Big-endian field access on byte buffers (no alignment assumed). */
static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pkt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pkt_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Names for enum pkt_err values ("ip_csum", ...), for counters and JSON. */
const char *pkt_err_name(enum pkt_err err);

/*
 * Parse and validate one Ethernet frame of len bytes (no FCS). Verifies the
 * IPv4 header checksum, ICMP checksum and a nonzero UDP checksum. Trailing
 * Ethernet padding beyond the IPv4 total length is allowed. Fills *pi and
 * returns pi->kind; never reads beyond frame[len - 1].
 */
enum pkt_kind pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi);

/*
 * RFC 1071 one's-complement sum of len bytes, added to sum (not folded, not
 * complemented). Chain calls, then finish with pkt_csum_fold().
 */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);

/* The implementations pkt_csum_add() chooses from (it takes the fastest this
 * CPU runs); each gives the same sum. */
enum pkt_csum_impl { PKT_CSUM_SCALAR, PKT_CSUM_VECTOR, PKT_CSUM_AVX2 };
#define PKT_CSUM_IMPLS 3

/* Sum with one named implementation into *out: 0, or -ENOTSUP when this
 * CPU (or build) lacks it. For tests and benchmarks. */
int pkt_csum_add_impl(enum pkt_csum_impl impl, uint32_t sum, const void *data, size_t len, uint32_t *out);
const char *pkt_csum_impl_name(enum pkt_csum_impl impl);

/* Fold a 32-bit one's-complement sum to 16 bits and complement it. The
 * result is in the byte order of the data that was summed. */
uint16_t pkt_csum_fold(uint32_t sum);

/* RFC 1071 checksum of len bytes, as stored in a header. */
uint16_t pkt_csum(const void *data, size_t len);

/* The unfolded sum of the TCP/UDP pseudo-header (RFC 793, RFC 768: source,
 * destination, zero, protocol, length) of the IPv4 header at ip. */
uint32_t pkt_pseudo_sum(const uint8_t *ip, uint8_t proto, uint16_t l4_len);

/* What a checksum field holds when Linux leaves the checksum to an offload
 * (CHECKSUM_PARTIAL): the folded pseudo-header sum, not complemented. */
uint16_t pkt_csum_partial(uint32_t pseudo_sum);

/*
 * Build an Ethernet/ARP frame into buf (cap bytes) and return its length
 * (padded to 60 bytes), or 0 if cap is too small. eth_dst is the Ethernet
 * destination (broadcast for a request), tha the ARP target hardware address.
 */
size_t pkt_build_arp(uint8_t *buf, size_t cap, uint16_t op, const uint8_t eth_dst[PKT_ETH_ALEN],
		     const uint8_t sha[PKT_ETH_ALEN], uint32_t sip, const uint8_t tha[PKT_ETH_ALEN],
		     uint32_t tip);

/*
 * Build an Ethernet/IPv4/ICMP echo (type PKT_ICMP_ECHO_REQUEST or _REPLY)
 * with plen bytes of payload, checksums filled. Returns the frame length
 * (padded to 60 bytes) or 0 if cap is too small. payload may be NULL
 * (zeros).
 */
size_t pkt_build_icmp_echo(uint8_t *buf, size_t cap, const uint8_t src_mac[PKT_ETH_ALEN],
			   const uint8_t dst_mac[PKT_ETH_ALEN], uint32_t sip, uint32_t dip,
			   uint8_t type, uint16_t id, uint16_t seq, const void *payload, size_t plen);

/*
 * Build an Ethernet/IPv4/UDP datagram with checksums filled. Returns the
 * frame length (padded to 60 bytes) or 0 if cap is too small.
 */
size_t pkt_build_udp(uint8_t *buf, size_t cap, const uint8_t src_mac[PKT_ETH_ALEN],
		     const uint8_t dst_mac[PKT_ETH_ALEN], uint32_t sip, uint16_t sport,
		     uint32_t dip, uint16_t dport, const void *payload, size_t plen);

/*
 * Turn a parsed ARP request for our address into the reply, in place:
 * Ethernet and ARP addresses rewritten, op set to reply. Returns the frame
 * length to send (len, at least 60).
 */
uint32_t pkt_arp_reply_inplace(uint8_t *frame, uint32_t len, const struct pkt_info *pi,
			       const uint8_t my_mac[PKT_ETH_ALEN]);

/*
 * Turn a parsed ICMP echo request into the echo reply, in place: MACs and
 * IPs swapped, type 0, TTL 64, checksums updated. Returns the frame length
 * to send (the IPv4 total length plus Ethernet header, padding dropped).
 */
uint32_t pkt_icmp_reply_inplace(uint8_t *frame, const struct pkt_info *pi);

#endif
