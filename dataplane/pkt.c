/* SPDX-License-Identifier: BSD-3-Clause
 * Ethernet, ARP, IPv4, ICMP and UDP on plain byte buffers.
 */
#include "pkt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ETH_OFF_DST 0
#define ETH_OFF_SRC 6
#define ETH_OFF_TYPE 12

/* RFC 826 */
#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN 4
#define ARP_OFF_PLEN 5
#define ARP_OFF_OP 6
#define ARP_OFF_SHA 8
#define ARP_OFF_SPA 14
#define ARP_OFF_THA 18
#define ARP_OFF_TPA 24
#define ARP_HTYPE_ETHER 1

/* RFC 791 */
#define IP_OFF_VHL 0
#define IP_OFF_TOT_LEN 2
#define IP_OFF_ID 4
#define IP_OFF_FRAG 6
#define IP_OFF_TTL 8
#define IP_OFF_PROTO 9
#define IP_OFF_CSUM 10
#define IP_OFF_SRC 12
#define IP_OFF_DST 16
#define IP_FLAG_DF 0x4000
#define IP_FLAG_MF 0x2000
#define IP_FRAG_OFF_MASK 0x1fff
#define IP_TTL_DEFAULT 64

/* RFC 792 */
#define ICMP_OFF_TYPE 0
#define ICMP_OFF_CSUM 2
#define ICMP_OFF_ID 4
#define ICMP_OFF_SEQ 6

/* RFC 768 */
#define UDP_OFF_SPORT 0
#define UDP_OFF_DPORT 2
#define UDP_OFF_LEN 4
#define UDP_OFF_CSUM 6

static const char *const err_names[PKT_ERR__COUNT] = {
	[PKT_OK] = "ok",
	[PKT_ERR_TRUNCATED] = "truncated",
	[PKT_ERR_ARP_FORMAT] = "arp_format",
	[PKT_ERR_IP_VERSION] = "ip_version",
	[PKT_ERR_IP_HLEN] = "ip_hlen",
	[PKT_ERR_IP_LEN] = "ip_len",
	[PKT_ERR_IP_CSUM] = "ip_csum",
	[PKT_ERR_ICMP_CSUM] = "icmp_csum",
	[PKT_ERR_UDP_LEN] = "udp_len",
	[PKT_ERR_UDP_CSUM] = "udp_csum",
};

const char *pkt_err_name(enum pkt_err err)
{
	if ((unsigned)err >= PKT_ERR__COUNT)
		return "unknown";
	return err_names[err];
}

/* A checksum as returned by pkt_csum_fold() goes into the header as is. */
static void put_csum(uint8_t *p, uint16_t csum)
{
	memcpy(p, &csum, sizeof(csum));
}

/*
 * RFC 1071 section 2: the sum is taken over 16-bit words in the machine's
 * own byte order (2(B)); any word size gives the same one's-complement sum
 * once the carries are folded back (2(C), 2(D)). An odd final byte is
 * padded with a zero byte. Only the last chunk of a chained sum may have an
 * odd length.
 *
 * Three ways to get there, all exact:
 * - scalar: 8-byte words into a 64-bit accumulator with the carry added
 *   back at once (end-around carry); one dependency chain, about 8 bytes
 *   per 2 cycles;
 * - vector: 64 bytes per step, every 8-byte lane split into its two 32-bit
 *   halves and added into 64-bit lanes of two accumulators (a plain integer
 *   sum: no carry can be lost before 2^31 steps), then the lanes added with
 *   end-around carry. Written with GCC vector extensions, so it is SSE2 on
 *   any x86-64 (two 16-byte halves) and
 * - the same code compiled for AVX2 (32-byte lanes), chosen at start when
 *   the CPU has it.
 * On 1220 bytes in cache (a 1 KiB reply's segment), TSC cycles: scalar
 * 250, vector (SSE2) 141, AVX2 72 (docs/dataplane.md). Below 64 bytes the
 * scalar loop is used directly.
 */
typedef uint64_t csum_u64x4 __attribute__((vector_size(32)));

static inline uint64_t csum_add64(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

static inline __attribute__((always_inline)) uint32_t csum_scalar(uint64_t acc, const uint8_t *p,
								 size_t len)
{
	uint64_t w64;
	uint32_t w32;
	uint16_t w16;

	while (len >= 8) {
		memcpy(&w64, p, 8);
		acc = csum_add64(acc, w64);
		p += 8;
		len -= 8;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32); /* now below 2^33: room for the tail */
	if (len >= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		acc += w16;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

static inline __attribute__((always_inline)) uint32_t csum_vector(uint32_t sum, const uint8_t *p,
								 size_t len)
{
	const csum_u64x4 lo = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
	csum_u64x4 a = { 0, 0, 0, 0 }, b = { 0, 0, 0, 0 }, v, w;
	uint64_t acc = sum;

	while (len >= 64) {
		memcpy(&v, p, 32);
		memcpy(&w, p + 32, 32);
		a += (v & lo) + (v >> 32);
		b += (w & lo) + (w >> 32);
		p += 64;
		len -= 64;
	}
	a += b;
	acc = csum_add64(acc, a[0]);
	acc = csum_add64(acc, a[1]);
	acc = csum_add64(acc, a[2]);
	acc = csum_add64(acc, a[3]);
	return csum_scalar(acc, p, len);
}

static uint32_t csum_add_scalar(uint32_t sum, const void *data, size_t len)
{
	return csum_scalar(sum, data, len);
}

static uint32_t csum_add_vector(uint32_t sum, const void *data, size_t len)
{
	return csum_vector(sum, data, len);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PKT_CSUM_HAVE_AVX2 1
__attribute__((target("avx2"))) static uint32_t csum_add_avx2(uint32_t sum, const void *data, size_t len)
{
	return csum_vector(sum, data, len);
}

static int csum_avx2_ok(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#else
#define PKT_CSUM_HAVE_AVX2 0
static int csum_avx2_ok(void)
{
	return 0;
}
#endif

/* Chosen once, before main (and before any worker thread). */
static uint32_t (*csum_add_best)(uint32_t, const void *, size_t) = csum_add_vector;

__attribute__((constructor)) static void csum_choose(void)
{
#if PKT_CSUM_HAVE_AVX2
	if (csum_avx2_ok())
		csum_add_best = csum_add_avx2;
#endif
}

uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	if (len < 64)
		return csum_scalar(sum, data, len);
	return csum_add_best(sum, data, len);
}

const char *pkt_csum_impl_name(enum pkt_csum_impl impl)
{
	static const char *const names[] = { "scalar", "vector", "avx2" };

	return (unsigned)impl < sizeof(names) / sizeof(names[0]) ? names[impl] : "?";
}

int pkt_csum_add_impl(enum pkt_csum_impl impl, uint32_t sum, const void *data, size_t len, uint32_t *out)
{
	switch (impl) {
	case PKT_CSUM_SCALAR:
		*out = csum_add_scalar(sum, data, len);
		return 0;
	case PKT_CSUM_VECTOR:
		*out = csum_add_vector(sum, data, len);
		return 0;
	case PKT_CSUM_AVX2:
#if PKT_CSUM_HAVE_AVX2
		if (csum_avx2_ok()) {
			*out = csum_add_avx2(sum, data, len);
			return 0;
		}
#endif
		return -ENOTSUP;
	}
	return -EINVAL;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t pkt_csum(const void *data, size_t len)
{
	return pkt_csum_fold(pkt_csum_add(0, data, len));
}

uint32_t pkt_pseudo_sum(const uint8_t *ip, uint8_t proto, uint16_t l4_len)
{
	uint8_t ph[12];

	memcpy(ph, ip + IP_OFF_SRC, 8);
	ph[8] = 0;
	ph[9] = proto;
	pkt_put16(ph + 10, l4_len);
	return pkt_csum_add(0, ph, sizeof(ph));
}

uint16_t pkt_csum_partial(uint32_t pseudo_sum)
{
	return (uint16_t)~pkt_csum_fold(pseudo_sum);
}

static enum pkt_kind bad(struct pkt_info *pi, enum pkt_err err)
{
	pi->kind = PKT_BAD;
	pi->err = err;
	return PKT_BAD;
}

static enum pkt_kind parse_arp(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *arp = frame + PKT_ETH_HLEN;

	if (len < PKT_ETH_HLEN + PKT_ARP_LEN)
		return bad(pi, PKT_ERR_TRUNCATED);
	if (pkt_get16(arp + ARP_OFF_HTYPE) != ARP_HTYPE_ETHER ||
	    pkt_get16(arp + ARP_OFF_PTYPE) != PKT_ETHERTYPE_IPV4 ||
	    arp[ARP_OFF_HLEN] != PKT_ETH_ALEN || arp[ARP_OFF_PLEN] != 4)
		return bad(pi, PKT_ERR_ARP_FORMAT);
	pi->arp_op = pkt_get16(arp + ARP_OFF_OP);
	memcpy(pi->arp_sha, arp + ARP_OFF_SHA, PKT_ETH_ALEN);
	pi->src_ip = pkt_get32(arp + ARP_OFF_SPA);
	pi->dst_ip = pkt_get32(arp + ARP_OFF_TPA);
	pi->kind = PKT_ARP;
	return PKT_ARP;
}

/* l4 and l4_len: the IPv4 payload, already known to lie inside the frame. */
static enum pkt_kind parse_icmp(const uint8_t *l4, uint32_t l4_len, struct pkt_info *pi)
{
	if (l4_len < PKT_ICMP_HLEN)
		return bad(pi, PKT_ERR_TRUNCATED);
	if (pkt_csum(l4, l4_len) != 0)
		return bad(pi, PKT_ERR_ICMP_CSUM);
	pi->payload_off = (uint16_t)(pi->l4_off + PKT_ICMP_HLEN);
	pi->payload_len = (uint16_t)(l4_len - PKT_ICMP_HLEN);
	switch (l4[ICMP_OFF_TYPE]) {
	case PKT_ICMP_ECHO_REQUEST:
		pi->kind = PKT_ICMP_ECHO_REQ;
		break;
	case PKT_ICMP_ECHO_REPLY:
		pi->kind = PKT_ICMP_ECHO_REP;
		break;
	default:
		pi->kind = PKT_ICMP_OTHER;
		return pi->kind;
	}
	pi->icmp_id = pkt_get16(l4 + ICMP_OFF_ID);
	pi->icmp_seq = pkt_get16(l4 + ICMP_OFF_SEQ);
	return pi->kind;
}

/*
 * A UDP length shorter than the IPv4 payload is accepted and the rest
 * ignored, as Linux does; a longer one is PKT_ERR_UDP_LEN.
 */
static enum pkt_kind parse_udp(const uint8_t *ip, const uint8_t *l4, uint32_t l4_len,
			       struct pkt_info *pi)
{
	uint16_t udp_len;

	if (l4_len < PKT_UDP_HLEN)
		return bad(pi, PKT_ERR_TRUNCATED);
	udp_len = pkt_get16(l4 + UDP_OFF_LEN);
	if (udp_len < PKT_UDP_HLEN || udp_len > l4_len)
		return bad(pi, PKT_ERR_UDP_LEN);
	/* RFC 768: a transmitted checksum of zero means none was computed. */
	if (pkt_get16(l4 + UDP_OFF_CSUM) != 0) {
		uint32_t ph = pkt_pseudo_sum(ip, PKT_IPPROTO_UDP, udp_len);

		if (pkt_csum_fold(pkt_csum_add(ph, l4, udp_len)) != 0) {
			/* Linux CHECKSUM_PARTIAL: the field holds only the folded
			 * pseudo-header sum, left for an offload a veth or tap
			 * never performs. Anything else is corruption. */
			uint16_t partial = pkt_csum_partial(ph), field;

			memcpy(&field, l4 + UDP_OFF_CSUM, 2);
			if (field != partial)
				return bad(pi, PKT_ERR_UDP_CSUM);
			pi->l4_csum_partial = 1;
		}
	}
	pi->src_port = pkt_get16(l4 + UDP_OFF_SPORT);
	pi->dst_port = pkt_get16(l4 + UDP_OFF_DPORT);
	pi->payload_off = (uint16_t)(pi->l4_off + PKT_UDP_HLEN);
	pi->payload_len = (uint16_t)(udp_len - PKT_UDP_HLEN);
	pi->kind = PKT_UDP;
	return PKT_UDP;
}

static enum pkt_kind parse_ipv4(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *ip = frame + PKT_ETH_HLEN;
	uint32_t avail = len - PKT_ETH_HLEN;
	uint32_t hlen, tot_len;
	uint16_t frag;

	if (avail < 1)
		return bad(pi, PKT_ERR_TRUNCATED);
	if ((ip[IP_OFF_VHL] >> 4) != 4)
		return bad(pi, PKT_ERR_IP_VERSION);
	hlen = (uint32_t)(ip[IP_OFF_VHL] & 0x0f) * 4;
	if (hlen < PKT_IP_HLEN)
		return bad(pi, PKT_ERR_IP_HLEN);
	if (avail < hlen)
		return bad(pi, PKT_ERR_TRUNCATED);
	tot_len = pkt_get16(ip + IP_OFF_TOT_LEN);
	if (tot_len < hlen || tot_len > avail)
		return bad(pi, PKT_ERR_IP_LEN);
	if (pkt_csum(ip, hlen) != 0)
		return bad(pi, PKT_ERR_IP_CSUM);

	pi->src_ip = pkt_get32(ip + IP_OFF_SRC);
	pi->dst_ip = pkt_get32(ip + IP_OFF_DST);
	pi->ip_proto = ip[IP_OFF_PROTO];
	pi->ttl = ip[IP_OFF_TTL];
	pi->l4_off = (uint16_t)(PKT_ETH_HLEN + hlen);

	frag = pkt_get16(ip + IP_OFF_FRAG);
	if (frag & (IP_FLAG_MF | IP_FRAG_OFF_MASK)) {
		pi->kind = PKT_IPV4_OTHER;
		return PKT_IPV4_OTHER;
	}
	switch (pi->ip_proto) {
	case PKT_IPPROTO_ICMP:
		return parse_icmp(ip + hlen, tot_len - hlen, pi);
	case PKT_IPPROTO_UDP:
		return parse_udp(ip, ip + hlen, tot_len - hlen, pi);
	case PKT_IPPROTO_TCP:
		pi->kind = PKT_TCP;
		return PKT_TCP;
	default:
		pi->kind = PKT_IPV4_OTHER;
		return PKT_IPV4_OTHER;
	}
}

enum pkt_kind pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (len < PKT_ETH_HLEN)
		return bad(pi, PKT_ERR_TRUNCATED);
	memcpy(pi->dst_mac, frame + ETH_OFF_DST, PKT_ETH_ALEN);
	memcpy(pi->src_mac, frame + ETH_OFF_SRC, PKT_ETH_ALEN);
	pi->ethertype = pkt_get16(frame + ETH_OFF_TYPE);
	pi->l3_off = PKT_ETH_HLEN;

	switch (pi->ethertype) {
	case PKT_ETHERTYPE_ARP:
		return parse_arp(frame, len, pi);
	case PKT_ETHERTYPE_IPV4:
		return parse_ipv4(frame, len, pi);
	default:
		pi->kind = PKT_NOT_IPV4;
		return PKT_NOT_IPV4;
	}
}

static void put_eth(uint8_t *buf, const uint8_t dst[PKT_ETH_ALEN], const uint8_t src[PKT_ETH_ALEN],
		    uint16_t ethertype)
{
	memcpy(buf + ETH_OFF_DST, dst, PKT_ETH_ALEN);
	memcpy(buf + ETH_OFF_SRC, src, PKT_ETH_ALEN);
	pkt_put16(buf + ETH_OFF_TYPE, ethertype);
}

/*
 * A 20-byte IPv4 header, checksum filled. The datagram is atomic (DF set,
 * never fragmented), so by RFC 6864 its identification may be 0.
 */
static void put_ipv4(uint8_t *ip, uint8_t proto, uint32_t sip, uint32_t dip, uint16_t tot_len)
{
	ip[IP_OFF_VHL] = 0x45;
	ip[1] = 0;
	pkt_put16(ip + IP_OFF_TOT_LEN, tot_len);
	pkt_put16(ip + IP_OFF_ID, 0);
	pkt_put16(ip + IP_OFF_FRAG, IP_FLAG_DF);
	ip[IP_OFF_TTL] = IP_TTL_DEFAULT;
	ip[IP_OFF_PROTO] = proto;
	pkt_put16(ip + IP_OFF_CSUM, 0);
	pkt_put32(ip + IP_OFF_SRC, sip);
	pkt_put32(ip + IP_OFF_DST, dip);
	put_csum(ip + IP_OFF_CSUM, pkt_csum(ip, PKT_IP_HLEN));
}

/* Frame length for len bytes of headers and data, or 0 if over cap. */
static size_t padded_len(size_t len, size_t cap)
{
	size_t frame_len = len < PKT_ETH_MIN ? PKT_ETH_MIN : len;

	return frame_len > cap ? 0 : frame_len;
}

size_t pkt_build_arp(uint8_t *buf, size_t cap, uint16_t op, const uint8_t eth_dst[PKT_ETH_ALEN],
		     const uint8_t sha[PKT_ETH_ALEN], uint32_t sip, const uint8_t tha[PKT_ETH_ALEN],
		     uint32_t tip)
{
	size_t len = PKT_ETH_HLEN + PKT_ARP_LEN;
	size_t frame_len = padded_len(len, cap);
	uint8_t *arp = buf + PKT_ETH_HLEN;

	if (!frame_len)
		return 0;
	put_eth(buf, eth_dst, sha, PKT_ETHERTYPE_ARP);
	pkt_put16(arp + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
	pkt_put16(arp + ARP_OFF_PTYPE, PKT_ETHERTYPE_IPV4);
	arp[ARP_OFF_HLEN] = PKT_ETH_ALEN;
	arp[ARP_OFF_PLEN] = 4;
	pkt_put16(arp + ARP_OFF_OP, op);
	memcpy(arp + ARP_OFF_SHA, sha, PKT_ETH_ALEN);
	pkt_put32(arp + ARP_OFF_SPA, sip);
	memcpy(arp + ARP_OFF_THA, tha, PKT_ETH_ALEN);
	pkt_put32(arp + ARP_OFF_TPA, tip);
	memset(buf + len, 0, frame_len - len);
	return frame_len;
}

size_t pkt_build_icmp_echo(uint8_t *buf, size_t cap, const uint8_t src_mac[PKT_ETH_ALEN],
			   const uint8_t dst_mac[PKT_ETH_ALEN], uint32_t sip, uint32_t dip,
			   uint8_t type, uint16_t id, uint16_t seq, const void *payload,
			   size_t plen)
{
	size_t l4_len = PKT_ICMP_HLEN + plen;
	size_t len = PKT_ETH_HLEN + PKT_IP_HLEN + l4_len;
	size_t frame_len;
	uint8_t *ip = buf + PKT_ETH_HLEN;
	uint8_t *icmp = ip + PKT_IP_HLEN;

	if (plen > UINT16_MAX - PKT_IP_HLEN - PKT_ICMP_HLEN)
		return 0;
	frame_len = padded_len(len, cap);
	if (!frame_len)
		return 0;
	put_eth(buf, dst_mac, src_mac, PKT_ETHERTYPE_IPV4);
	put_ipv4(ip, PKT_IPPROTO_ICMP, sip, dip, (uint16_t)(PKT_IP_HLEN + l4_len));
	icmp[ICMP_OFF_TYPE] = type;
	icmp[1] = 0;
	pkt_put16(icmp + ICMP_OFF_CSUM, 0);
	pkt_put16(icmp + ICMP_OFF_ID, id);
	pkt_put16(icmp + ICMP_OFF_SEQ, seq);
	if (payload)
		memcpy(icmp + PKT_ICMP_HLEN, payload, plen);
	else
		memset(icmp + PKT_ICMP_HLEN, 0, plen);
	put_csum(icmp + ICMP_OFF_CSUM, pkt_csum(icmp, l4_len));
	memset(buf + len, 0, frame_len - len);
	return frame_len;
}

size_t pkt_build_udp(uint8_t *buf, size_t cap, const uint8_t src_mac[PKT_ETH_ALEN],
		     const uint8_t dst_mac[PKT_ETH_ALEN], uint32_t sip, uint16_t sport,
		     uint32_t dip, uint16_t dport, const void *payload, size_t plen)
{
	size_t l4_len = PKT_UDP_HLEN + plen;
	size_t len = PKT_ETH_HLEN + PKT_IP_HLEN + l4_len;
	size_t frame_len;
	uint8_t *ip = buf + PKT_ETH_HLEN;
	uint8_t *udp = ip + PKT_IP_HLEN;
	uint16_t csum;

	if (plen > UINT16_MAX - PKT_IP_HLEN - PKT_UDP_HLEN)
		return 0;
	frame_len = padded_len(len, cap);
	if (!frame_len)
		return 0;
	put_eth(buf, dst_mac, src_mac, PKT_ETHERTYPE_IPV4);
	put_ipv4(ip, PKT_IPPROTO_UDP, sip, dip, (uint16_t)(PKT_IP_HLEN + l4_len));
	pkt_put16(udp + UDP_OFF_SPORT, sport);
	pkt_put16(udp + UDP_OFF_DPORT, dport);
	pkt_put16(udp + UDP_OFF_LEN, (uint16_t)l4_len);
	pkt_put16(udp + UDP_OFF_CSUM, 0);
	if (payload)
		memcpy(udp + PKT_UDP_HLEN, payload, plen);
	else
		memset(udp + PKT_UDP_HLEN, 0, plen);
	csum = pkt_csum_fold(
	    pkt_csum_add(pkt_pseudo_sum(ip, PKT_IPPROTO_UDP, (uint16_t)l4_len), udp, l4_len));
	/* RFC 768: a computed zero is sent as all ones; zero means "none". */
	if (csum == 0)
		csum = 0xffff;
	put_csum(udp + UDP_OFF_CSUM, csum);
	memset(buf + len, 0, frame_len - len);
	return frame_len;
}

/*
 * pi must come from pkt_parse() of this frame with kind PKT_ARP. The buffer
 * must hold at least PKT_ETH_MIN bytes: a shorter frame is padded there.
 * Bytes after the ARP packet (Ethernet padding) are zeroed.
 */
uint32_t pkt_arp_reply_inplace(uint8_t *frame, uint32_t len, const struct pkt_info *pi,
			       const uint8_t my_mac[PKT_ETH_ALEN])
{
	uint8_t *arp = frame + PKT_ETH_HLEN;
	uint32_t out_len = len < PKT_ETH_MIN ? PKT_ETH_MIN : len;

	/* RFC 826: swap sender and target, put our address in as sender. */
	put_eth(frame, pi->arp_sha, my_mac, PKT_ETHERTYPE_ARP);
	pkt_put16(arp + ARP_OFF_OP, PKT_ARP_REPLY);
	memcpy(arp + ARP_OFF_THA, pi->arp_sha, PKT_ETH_ALEN);
	pkt_put32(arp + ARP_OFF_TPA, pi->src_ip);
	memcpy(arp + ARP_OFF_SHA, my_mac, PKT_ETH_ALEN);
	pkt_put32(arp + ARP_OFF_SPA, pi->dst_ip);
	memset(frame + PKT_ETH_HLEN + PKT_ARP_LEN, 0, out_len - (PKT_ETH_HLEN + PKT_ARP_LEN));
	return out_len;
}

/*
 * pi must come from pkt_parse() of this frame with kind PKT_ICMP_ECHO_REQ.
 * IPv4 options are kept as they are. The IPv4 checksum is recomputed; the
 * ICMP one is updated for the changed type by RFC 1624 eqn. 3,
 * HC' = ~(~HC + ~m + m'), so the payload is not read again.
 */
uint32_t pkt_icmp_reply_inplace(uint8_t *frame, const struct pkt_info *pi)
{
	uint8_t *ip = frame + pi->l3_off;
	uint8_t *icmp = frame + pi->l4_off;
	uint32_t hlen = (uint32_t)pi->l4_off - pi->l3_off;
	uint8_t addr[4];
	uint16_t old_word, new_word, csum;
	uint32_t sum;

	put_eth(frame, pi->src_mac, pi->dst_mac, PKT_ETHERTYPE_IPV4);
	memcpy(addr, ip + IP_OFF_SRC, 4);
	memcpy(ip + IP_OFF_SRC, ip + IP_OFF_DST, 4);
	memcpy(ip + IP_OFF_DST, addr, 4);
	ip[IP_OFF_TTL] = IP_TTL_DEFAULT;
	pkt_put16(ip + IP_OFF_CSUM, 0);
	put_csum(ip + IP_OFF_CSUM, pkt_csum(ip, hlen));

	memcpy(&old_word, icmp + ICMP_OFF_TYPE, 2);
	icmp[ICMP_OFF_TYPE] = PKT_ICMP_ECHO_REPLY;
	memcpy(&new_word, icmp + ICMP_OFF_TYPE, 2);
	memcpy(&csum, icmp + ICMP_OFF_CSUM, 2);
	sum = (uint16_t)~csum;
	sum += (uint16_t)~old_word;
	sum += new_word;
	put_csum(icmp + ICMP_OFF_CSUM, pkt_csum_fold(sum));
	return pi->l3_off + pkt_get16(ip + IP_OFF_TOT_LEN);
}
