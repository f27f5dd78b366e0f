/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for dataplane/pkt.c against frames captured from the kernel.
 *
 * Fixtures are read at run time from $LVP_FIXTURES, else from the directory
 * baked in as LVP_FIXTURES_DIR. tests/fixtures/capture.sh re-makes them; the
 * expected values below were read from the tcpdump -e -vv decode kept in
 * each file and must be updated with them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

#ifndef LVP_FIXTURES_DIR
#define LVP_FIXTURES_DIR "tests/fixtures"
#endif

#define FRAME_MAX 2048
#define IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint8_t mac_a[PKT_ETH_ALEN] = { 0x02, 0x00, 0x0a, 0xfd, 0x00, 0x01 };
static const uint8_t mac_b[PKT_ETH_ALEN] = { 0x02, 0x00, 0x0a, 0xfd, 0x00, 0x02 };
static const uint8_t mac_bcast[PKT_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[PKT_ETH_ALEN] = { 0 };
static const uint8_t mac_mld[PKT_ETH_ALEN] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x16 };
#define IP_A IP4(10, 253, 0, 1)
#define IP_B IP4(10, 253, 0, 2)


static const char *fixtures_dir(void)
{
	const char *dir = getenv("LVP_FIXTURES");

	return dir && *dir ? dir : LVP_FIXTURES_DIR;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex bytes of fixture name into buf; '#' starts a comment. Fails the test
 * on a missing or malformed file. */
static uint32_t load_fixture(const char *name, uint8_t *buf, size_t cap)
{
	char path[4096];
	FILE *f;
	int c, hi = -1;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s.hex", fixtures_dir(), name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open fixture %s: %s (set LVP_FIXTURES)", path, strerror(errno));
	while ((c = fgetc(f)) != EOF) {
		int v;

		if (c == '#') {
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		v = hex_value(c);
		if (v < 0) {
			fclose(f);
			fail_msg("%s: not a hex digit: '%c'", path, c);
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap) {
			fclose(f);
			fail_msg("%s: more than %zu bytes", path, cap);
		}
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	fclose(f);
	if (hi >= 0)
		fail_msg("%s: odd number of hex digits", path);
	if (n == 0)
		fail_msg("%s: no bytes", path);
	return (uint32_t)n;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Network-order value of a checksum as pkt_csum() returns it. */
static uint16_t csum_be(uint16_t csum)
{
	uint8_t b[2];

	memcpy(b, &csum, 2);
	return be16_at(b);
}

static void store_csum(uint8_t *p, uint16_t csum)
{
	memcpy(p, &csum, 2);
}

/* Recompute the IPv4 header checksum after a test edits the header. */
static void fix_ip_csum(uint8_t *frame)
{
	uint8_t *ip = frame + PKT_ETH_HLEN;
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;

	ip[10] = 0;
	ip[11] = 0;
	store_csum(ip + 10, pkt_csum(ip, hlen));
}

/* Independent reference: RFC 1071 on big-endian 16-bit words, folded at
 * every step, complemented. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

static void assert_mac_equal(const uint8_t *a, const uint8_t *b)
{
	char sa[18], sb[18];

	pkt_format_mac(a, sa);
	pkt_format_mac(b, sb);
	assert_string_equal(sa, sb);
}

/* The invariant for any frame of len bytes: PKT_BAD carries a reason, any
 * other kind has every offset and length inside the frame. */
static void assert_consistent(const struct pkt_info *pi, uint32_t len)
{
	assert_true(pi->kind <= PKT_NOT_IPV4);
	if (pi->kind == PKT_BAD) {
		assert_int_not_equal(pi->err, PKT_OK);
		assert_true(pi->err < PKT_ERR__COUNT);
		return;
	}
	assert_int_equal(pi->err, PKT_OK);
	assert_true(len >= PKT_ETH_HLEN);
	assert_true(pi->l3_off <= len);
	switch (pi->kind) {
	case PKT_ARP:
		assert_true((uint32_t)pi->l3_off + PKT_ARP_LEN <= len);
		break;
	case PKT_ICMP_ECHO_REQ:
	case PKT_ICMP_ECHO_REP:
	case PKT_ICMP_OTHER:
		assert_true((uint32_t)pi->l4_off + PKT_ICMP_HLEN <= len);
		assert_int_equal(pi->payload_off, pi->l4_off + PKT_ICMP_HLEN);
		assert_true((uint32_t)pi->payload_off + pi->payload_len <= len);
		break;
	case PKT_UDP:
		assert_true((uint32_t)pi->l4_off + PKT_UDP_HLEN <= len);
		assert_int_equal(pi->payload_off, pi->l4_off + PKT_UDP_HLEN);
		assert_true((uint32_t)pi->payload_off + pi->payload_len <= len);
		break;
	case PKT_TCP:
	case PKT_IPV4_OTHER:
		assert_true((uint32_t)pi->l3_off + PKT_IP_HLEN <= pi->l4_off);
		assert_true(pi->l4_off <= len);
		break;
	default:
		break;
	}
}

/* Parse a copy in a buffer of exactly len bytes, so that ASan and valgrind
 * catch any read past the end. */
static enum pkt_kind parse_exact(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum pkt_kind kind;

	assert_non_null(copy);
	memcpy(copy, frame, len);
	kind = pkt_parse(copy, len, pi);
	free(copy);
	assert_int_equal(kind, pi->kind);
	assert_consistent(pi, len);
	return kind;
}

/* ---- checksums ---- */

static void test_csum_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: these bytes sum to ddf2 (before complement). */
	static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t out[2];
	uint16_t c;

	(void)state;
	c = pkt_csum(bytes, sizeof(bytes));
	memcpy(out, &c, 2);
	assert_int_equal(out[0], 0x22);
	assert_int_equal(out[1], 0x0d);
	assert_int_equal(csum_be(c), (uint16_t)~0xddf2);
	/* Chained in pieces, even lengths first, gives the same. */
	c = pkt_csum_fold(pkt_csum_add(pkt_csum_add(pkt_csum_add(0, bytes, 2), bytes + 2, 4),
				       bytes + 6, 2));
	assert_int_equal(csum_be(c), (uint16_t)~0xddf2);
	/* Appending the checksum makes the whole verify to zero. */
	{
		uint8_t with[10];

		memcpy(with, bytes, 8);
		memcpy(with + 8, out, 2);
		assert_int_equal(pkt_csum(with, sizeof(with)), 0);
	}
}

static void test_csum_odd_length(void **state)
{
	static const uint8_t bytes[] = { 0x12, 0x34, 0x56 };
	uint8_t five[] = { 0xab, 0xcd, 0xef, 0x01, 0x23 };

	(void)state;
	/* The odd byte is the high half of a final word: 1234 + 5600. */
	assert_int_equal(csum_be(pkt_csum(bytes, 3)), (uint16_t)~(0x1234 + 0x5600));
	assert_int_equal(csum_be(pkt_csum(bytes, 1)), (uint16_t)~0x1200);
	assert_int_equal(csum_be(pkt_csum(five, 5)), ref_csum(five, 5));
	/* An odd last chunk of a chained sum. */
	assert_int_equal(pkt_csum_fold(pkt_csum_add(pkt_csum_add(0, five, 4), five + 4, 1)),
			 pkt_csum(five, 5));
	/* Nothing at all: sum 0, checksum ffff. */
	assert_int_equal(csum_be(pkt_csum(bytes, 0)), 0xffff);
}

/* Every length to a full frame at every alignment, against the 16-bit
 * reference (pkt_csum_add sums 8-byte words with end-around carry), and
 * chained after a large partial sum (the carries of the first word). */
static void test_csum_lengths_offsets(void **state)
{
	static uint8_t buf[1600 + 8];
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 (Marsaglia 2003) */
		buf[i] = (uint8_t)(i % 97 == 0 ? 0xff : x);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 1600; n++)
			assert_int_equal(csum_be(pkt_csum(buf + off, n)), ref_csum(buf + off, n));
	for (size_t n = 2; n <= 1600; n += 2) {
		uint8_t two[2] = { 0xff, 0xff };
		uint8_t joined[1602];

		memcpy(joined, two, 2);
		memcpy(joined + 2, buf, n);
		assert_int_equal(pkt_csum_fold(pkt_csum_add(pkt_csum_add(0xffffffffu, two, 0), joined, n + 2)),
				 pkt_csum_fold(pkt_csum_add(0xffffffffu, joined, n + 2)));
		assert_int_equal(csum_be(pkt_csum_fold(pkt_csum_add(pkt_csum_add(0, joined, 2), buf, n))),
				 ref_csum(joined, n + 2));
	}
}

/* Each implementation pkt_csum_add() can choose (scalar, portable vector,
 * AVX2) against the reference: every length past the 64-byte vector step at
 * every alignment, chained after sums that carry, and all-ones buffers
 * (the largest lane sums). One that this CPU lacks is named and skipped. */
static void test_csum_impls(void **state)
{
	static uint8_t buf[4096 + 8], ones[4096];
	uint32_t x = 88675123u, got;
	int ran = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[i] = (uint8_t)(i % 89 == 0 ? 0xff : x);
	}
	memset(ones, 0xff, sizeof(ones));
	for (int impl = 0; impl < PKT_CSUM_IMPLS; impl++) {
		if (pkt_csum_add_impl((enum pkt_csum_impl)impl, 0, buf, 0, &got) == -ENOTSUP) {
			print_message("csum %s: not on this CPU\n", pkt_csum_impl_name((enum pkt_csum_impl)impl));
			continue;
		}
		ran++;
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n <= 1600; n++) {
				assert_int_equal(pkt_csum_add_impl((enum pkt_csum_impl)impl, 0, buf + off, n, &got), 0);
				assert_int_equal(csum_be(pkt_csum_fold(got)), ref_csum(buf + off, n));
			}
		for (size_t n = 0; n <= sizeof(ones); n += 2) {
			assert_int_equal(pkt_csum_add_impl((enum pkt_csum_impl)impl, 0xffffffffu, ones, n, &got), 0);
			assert_int_equal(pkt_csum_fold(got), 0); /* ffff + ... + ffff stays ffff */
			pkt_csum_add_impl((enum pkt_csum_impl)impl, 0xfffeffffu, buf, n, &got);
			assert_int_equal(pkt_csum_fold(got), pkt_csum_fold(pkt_csum_add(0xfffeffffu, buf, n)));
			assert_int_equal(csum_be(pkt_csum_fold(pkt_csum_add(0, buf, n))), ref_csum(buf, n));
		}
	}
	assert_true(ran >= 2); /* scalar and vector exist everywhere */
	assert_int_equal(pkt_csum_add_impl((enum pkt_csum_impl)PKT_CSUM_IMPLS, 0, buf, 8, &got), -EINVAL);
}

static void test_csum_all_ones(void **state)
{
	uint8_t ff[64];

	(void)state;
	memset(ff, 0xff, sizeof(ff));
	/* ffff is one's-complement -0: the sum stays ffff, complement 0. */
	for (size_t n = 2; n <= sizeof(ff); n += 2)
		assert_int_equal(pkt_csum(ff, n), 0);
	/* ffff + ff00 = 1feff -> feff + 1 = ff00 -> 00ff */
	assert_int_equal(csum_be(pkt_csum(ff, 3)), 0x00ff);
	for (size_t n = 1; n <= sizeof(ff); n += 2)
		assert_int_equal(csum_be(pkt_csum(ff, n)), 0x00ff);
}

static void test_csum_wraps_repeatedly(void **state)
{
	size_t big = 300000;
	uint8_t *buf = malloc(big);
	uint32_t seed = 12345;

	(void)state;
	assert_non_null(buf);
	/* 150000 words of ffff: the 32-bit accumulator carries many times. */
	memset(buf, 0xff, big);
	assert_int_equal(pkt_csum(buf, big), 0);
	assert_int_equal(csum_be(pkt_csum(buf, big - 1)), 0x00ff);
	/* Chaining from a sum near the top of 32 bits. */
	assert_int_equal(pkt_csum_fold(pkt_csum_add(0xffffffffu, buf, big)), 0);
	assert_int_equal(pkt_csum_fold(0xffffffffu), 0);
	assert_int_equal(pkt_csum_fold(0x0001fffeu), 0);
	assert_int_equal(pkt_csum_fold(0), 0xffff);
	/* Pseudo-random data of every length up to 300 and one large buffer,
	 * checked against the word-by-word reference. */
	for (size_t i = 0; i < big; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t n = 0; n <= 300; n++)
		assert_int_equal(csum_be(pkt_csum(buf, n)), ref_csum(buf, n));
	for (size_t off = 0; off < 4; off++)
		assert_int_equal(csum_be(pkt_csum(buf + off, big - off)),
				 ref_csum(buf + off, big - off));
	free(buf);
}

/* ---- captured frames, field by field ---- */

struct expect {
	const char *name;
	uint32_t len;
	enum pkt_kind kind;
	const uint8_t *dst_mac;
	const uint8_t *src_mac;
	uint16_t ethertype;
	uint16_t l4_off;
	uint16_t payload_off;
	uint16_t payload_len;
	uint32_t src_ip;
	uint32_t dst_ip;
	uint8_t ip_proto;
	uint8_t ttl;
	uint16_t arp_op;
	const uint8_t *arp_sha;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t icmp_id;
	uint16_t icmp_seq;
};

/* Every capture in tests/fixtures, with what tcpdump decoded. */
static const struct expect expects[] = {
	{ .name = "arp_request", .len = 42, .kind = PKT_ARP, .dst_mac = mac_bcast, .src_mac = mac_a,
	  .ethertype = PKT_ETHERTYPE_ARP, .src_ip = IP_A, .dst_ip = IP_B,
	  .arp_op = PKT_ARP_REQUEST, .arp_sha = mac_a },
	{ .name = "arp_reply", .len = 42, .kind = PKT_ARP, .dst_mac = mac_a, .src_mac = mac_b,
	  .ethertype = PKT_ETHERTYPE_ARP, .src_ip = IP_B, .dst_ip = IP_A,
	  .arp_op = PKT_ARP_REPLY, .arp_sha = mac_b },
	{ .name = "icmp_echo_request", .len = 82, .kind = PKT_ICMP_ECHO_REQ, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42,
	  .payload_len = 40, .src_ip = IP_A, .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_ICMP,
	  .ttl = 64, .icmp_id = 7586, .icmp_seq = 1 },
	{ .name = "icmp_echo_reply", .len = 82, .kind = PKT_ICMP_ECHO_REP, .dst_mac = mac_a,
	  .src_mac = mac_b, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42,
	  .payload_len = 40, .src_ip = IP_B, .dst_ip = IP_A, .ip_proto = PKT_IPPROTO_ICMP,
	  .ttl = 64, .icmp_id = 7586, .icmp_seq = 1 },
	/* IHL 15: 40 bytes of NOP + record-route. */
	{ .name = "icmp_rr_request", .len = 106, .kind = PKT_ICMP_ECHO_REQ, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 74, .payload_off = 82,
	  .payload_len = 24, .src_ip = IP_A, .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_ICMP,
	  .ttl = 64, .icmp_id = 7587, .icmp_seq = 1 },
	{ .name = "icmp_rr_reply", .len = 106, .kind = PKT_ICMP_ECHO_REP, .dst_mac = mac_a,
	  .src_mac = mac_b, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 74, .payload_off = 82,
	  .payload_len = 24, .src_ip = IP_B, .dst_ip = IP_A, .ip_proto = PKT_IPPROTO_ICMP,
	  .ttl = 64, .icmp_id = 7587, .icmp_seq = 1 },
	/* Type 3: no id/seq; the payload is the quoted datagram. */
	{ .name = "icmp_port_unreach", .len = 86, .kind = PKT_ICMP_OTHER, .dst_mac = mac_a,
	  .src_mac = mac_b, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42,
	  .payload_len = 44, .src_ip = IP_B, .dst_ip = IP_A, .ip_proto = PKT_IPPROTO_ICMP,
	  .ttl = 64 },
	{ .name = "udp_beacon_study", .len = 43, .kind = PKT_UDP, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42,
	  .payload_len = 1, .src_ip = IP_A, .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_UDP,
	  .ttl = 64, .src_port = 40001, .dst_port = 1337 },
	{ .name = "udp_beacon_seq", .len = 58, .kind = PKT_UDP, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42,
	  .payload_len = 16, .src_ip = IP_A, .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_UDP,
	  .ttl = 64, .src_port = 40001, .dst_port = 1337 },
	{ .name = "udp_no_csum", .len = 53, .kind = PKT_UDP, .dst_mac = mac_b, .src_mac = mac_a,
	  .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .payload_off = 42, .payload_len = 11,
	  .src_ip = IP_A, .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_UDP, .ttl = 64,
	  .src_port = 40001, .dst_port = 1337 },
	/* Fragments are not looked into: no ports. */
	{ .name = "ip_frag_first", .len = 1514, .kind = PKT_IPV4_OTHER, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .src_ip = IP_A,
	  .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_UDP, .ttl = 64 },
	{ .name = "ip_frag_last", .len = 98, .kind = PKT_IPV4_OTHER, .dst_mac = mac_b,
	  .src_mac = mac_a, .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .src_ip = IP_A,
	  .dst_ip = IP_B, .ip_proto = PKT_IPPROTO_UDP, .ttl = 64 },
	{ .name = "tcp_syn", .len = 74, .kind = PKT_TCP, .dst_mac = mac_b, .src_mac = mac_a,
	  .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .src_ip = IP_A, .dst_ip = IP_B,
	  .ip_proto = 6, .ttl = 64 },
	{ .name = "tcp_rst", .len = 54, .kind = PKT_TCP, .dst_mac = mac_a, .src_mac = mac_b,
	  .ethertype = PKT_ETHERTYPE_IPV4, .l4_off = 34, .src_ip = IP_B, .dst_ip = IP_A,
	  .ip_proto = 6, .ttl = 64 },
	{ .name = "ipv6_link_local", .len = 90, .kind = PKT_NOT_IPV4, .dst_mac = mac_mld,
	  .src_mac = mac_a, .ethertype = 0x86dd },
};
#define N_FIXTURES (sizeof(expects) / sizeof(expects[0]))

static void test_fixture_fields(void **state)
{
	const struct expect *e = *state;
	uint8_t frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len = load_fixture(e->name, frame, sizeof(frame));

	assert_int_equal(len, e->len);
	assert_int_equal(parse_exact(frame, len, &pi), e->kind);
	assert_int_equal(pi.kind, e->kind);
	assert_int_equal(pi.err, PKT_OK);
	assert_mac_equal(pi.dst_mac, e->dst_mac);
	assert_mac_equal(pi.src_mac, e->src_mac);
	assert_int_equal(pi.ethertype, e->ethertype);
	assert_int_equal(pi.l3_off, PKT_ETH_HLEN);
	assert_int_equal(pi.l4_off, e->l4_off);
	assert_int_equal(pi.payload_off, e->payload_off);
	assert_int_equal(pi.payload_len, e->payload_len);
	assert_int_equal(pi.src_ip, e->src_ip);
	assert_int_equal(pi.dst_ip, e->dst_ip);
	assert_int_equal(pi.ip_proto, e->ip_proto);
	assert_int_equal(pi.ttl, e->ttl);
	assert_int_equal(pi.arp_op, e->arp_op);
	assert_mac_equal(pi.arp_sha, e->arp_sha ? e->arp_sha : mac_zero);
	assert_int_equal(pi.src_port, e->src_port);
	assert_int_equal(pi.dst_port, e->dst_port);
	assert_int_equal(pi.icmp_id, e->icmp_id);
	assert_int_equal(pi.icmp_seq, e->icmp_seq);
}

static void test_fixture_payloads(void **state)
{
	uint8_t frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len;

	(void)state;
	len = load_fixture("udp_beacon_study", frame, sizeof(frame));
	assert_int_equal(pkt_parse(frame, len, &pi), PKT_UDP);
	assert_int_equal(frame[pi.payload_off], 'a');

	len = load_fixture("udp_beacon_seq", frame, sizeof(frame));
	assert_int_equal(pkt_parse(frame, len, &pi), PKT_UDP);
	assert_memory_equal(frame + pi.payload_off, "LVPB\0\0\0\7", 8);

	len = load_fixture("udp_no_csum", frame, sizeof(frame));
	assert_int_equal(pkt_parse(frame, len, &pi), PKT_UDP);
	assert_int_equal(be16_at(frame + pi.l4_off + 6), 0);
	assert_memory_equal(frame + pi.payload_off, "no checksum", 11);

	/* ping -p 6c767066: the pattern fills the data after the timestamp. */
	len = load_fixture("icmp_echo_request", frame, sizeof(frame));
	assert_int_equal(pkt_parse(frame, len, &pi), PKT_ICMP_ECHO_REQ);
	assert_memory_equal(frame + pi.payload_off + 16, "lvpflvpflvpflvpflvpflvpf", 24);
}

/* 802.1Q: the captured echo request with a VLAN 100 tag inserted. */
static void test_vlan_not_ipv4(void **state)
{
	uint8_t frame[FRAME_MAX], tagged[FRAME_MAX];
	static const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x64 };
	struct pkt_info pi;
	uint32_t len = load_fixture("icmp_echo_request", frame, sizeof(frame));

	(void)state;
	memcpy(tagged, frame, 12);
	memcpy(tagged + 12, tag, 4);
	memcpy(tagged + 16, frame + 12, len - 12);
	assert_int_equal(parse_exact(tagged, len + 4, &pi), PKT_NOT_IPV4);
	assert_int_equal(pi.ethertype, 0x8100);
	assert_mac_equal(pi.src_mac, mac_a);
	tagged[12] = 0x88;
	tagged[13] = 0xa8;
	assert_int_equal(parse_exact(tagged, len + 4, &pi), PKT_NOT_IPV4);
}

/* ---- malformed frames ---- */

static void test_truncate_every_length(void **state)
{
	uint8_t frame[FRAME_MAX];
	struct pkt_info pi;

	(void)state;
	for (size_t i = 0; i < N_FIXTURES; i++) {
		uint32_t len = load_fixture(expects[i].name, frame, sizeof(frame));
		uint16_t ethertype = be16_at(frame + 12);
		uint32_t ihl = (uint32_t)(frame[14] & 0x0f) * 4;

		for (uint32_t cut = 0; cut < len; cut++) {
			enum pkt_kind kind = parse_exact(frame, cut, &pi);

			if (cut < PKT_ETH_HLEN) {
				assert_int_equal(kind, PKT_BAD);
				assert_int_equal(pi.err, PKT_ERR_TRUNCATED);
			} else if (ethertype == PKT_ETHERTYPE_ARP) {
				assert_int_equal(kind, PKT_BAD);
				assert_int_equal(pi.err, PKT_ERR_TRUNCATED);
			} else if (ethertype == PKT_ETHERTYPE_IPV4) {
				/* No capture has padding: every cut loses IPv4 bytes. */
				assert_int_equal(kind, PKT_BAD);
				assert_int_equal(pi.err, cut < PKT_ETH_HLEN + ihl
								 ? PKT_ERR_TRUNCATED
								 : PKT_ERR_IP_LEN);
			} else {
				assert_int_equal(kind, PKT_NOT_IPV4);
			}
		}
	}
}

/* Ethernet padding after the IPv4 datagram is allowed, and cutting into it
 * leaves the frame valid with the same fields. */
static void test_padding(void **state)
{
	uint8_t frame[FRAME_MAX];
	struct pkt_info full, pi;
	uint32_t len = load_fixture("udp_beacon_study", frame, sizeof(frame));

	(void)state;
	memset(frame + len, 0, PKT_ETH_MIN - len);
	assert_int_equal(parse_exact(frame, PKT_ETH_MIN, &full), PKT_UDP);
	assert_int_equal(full.payload_len, 1);
	for (uint32_t cut = len; cut < PKT_ETH_MIN; cut++) {
		assert_int_equal(parse_exact(frame, cut, &pi), PKT_UDP);
		assert_int_equal(pi.payload_off, full.payload_off);
		assert_int_equal(pi.payload_len, full.payload_len);
		assert_int_equal(pi.src_port, 40001);
	}
	/* Non-zero padding is padding too. */
	memset(frame + len, 0xa5, PKT_ETH_MIN - len);
	assert_int_equal(parse_exact(frame, PKT_ETH_MIN, &pi), PKT_UDP);
	assert_int_equal(pi.payload_len, 1);

	len = load_fixture("arp_request", frame, sizeof(frame));
	memset(frame + len, 0, PKT_ETH_MIN - len);
	assert_int_equal(parse_exact(frame, PKT_ETH_MIN, &pi), PKT_ARP);
	assert_int_equal(pi.dst_ip, IP_B);
}

static void expect_bad(const uint8_t *frame, uint32_t len, enum pkt_err err)
{
	struct pkt_info pi;

	assert_int_equal(parse_exact(frame, len, &pi), PKT_BAD);
	assert_string_equal(pkt_err_name(pi.err), pkt_err_name(err));
}

static void test_ip_header_bit_flips(void **state)
{
	static const char *const names[] = { "icmp_echo_request", "icmp_rr_request",
					     "udp_beacon_seq", "tcp_syn", "ip_frag_last" };
	uint8_t frame[FRAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t len = load_fixture(names[i], frame, sizeof(frame));
		uint32_t ihl = (uint32_t)(frame[14] & 0x0f) * 4;

		for (uint32_t off = 1; off < ihl; off++) {
			if (off == 2 || off == 3)
				continue; /* total length: PKT_ERR_IP_LEN first */
			for (int bit = 0; bit < 8; bit++) {
				frame[14 + off] ^= (uint8_t)(1u << bit);
				expect_bad(frame, len, PKT_ERR_IP_CSUM);
				frame[14 + off] ^= (uint8_t)(1u << bit);
			}
		}
	}
}

static void test_ip_header_fields(void **state)
{
	uint8_t orig[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len = load_fixture("icmp_echo_request", orig, sizeof(orig));

	(void)state;
	/* IHL 4, with and without a matching checksum. */
	memcpy(frame, orig, len);
	frame[14] = 0x44;
	expect_bad(frame, len, PKT_ERR_IP_HLEN);
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_IP_HLEN);
	frame[14] = 0x40;
	expect_bad(frame, len, PKT_ERR_IP_HLEN);

	/* Version 6 (and 0, and 15) under ethertype 0x0800. */
	memcpy(frame, orig, len);
	frame[14] = 0x65;
	expect_bad(frame, len, PKT_ERR_IP_VERSION);
	frame[14] = 0x60;
	expect_bad(frame, len, PKT_ERR_IP_VERSION);
	frame[14] = 0x05;
	expect_bad(frame, len, PKT_ERR_IP_VERSION);
	frame[14] = 0xf5;
	expect_bad(frame, len, PKT_ERR_IP_VERSION);

	/* Total length one more than the frame holds, checksum fixed. */
	memcpy(frame, orig, len);
	frame[17]++;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_IP_LEN);
	/* Total length 19 < header. */
	frame[16] = 0;
	frame[17] = 19;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_IP_LEN);
	/* IHL 15 in a frame that has only 20 header bytes after Ethernet. */
	memcpy(frame, orig, len);
	frame[14] = 0x4f;
	expect_bad(frame, PKT_ETH_HLEN + 40, PKT_ERR_TRUNCATED);

	/* Another protocol (GRE, 47) is valid IPv4, not looked into. */
	memcpy(frame, orig, len);
	frame[23] = 47;
	fix_ip_csum(frame);
	assert_int_equal(parse_exact(frame, len, &pi), PKT_IPV4_OTHER);
	assert_int_equal(pi.ip_proto, 47);

	/* DF alone is not a fragment; a fragment offset alone is. */
	memcpy(frame, orig, len);
	assert_int_equal(be16_at(frame + 20) & 0x4000, 0x4000);
	frame[20] = 0x00;
	frame[21] = 0x01;
	fix_ip_csum(frame);
	assert_int_equal(parse_exact(frame, len, &pi), PKT_IPV4_OTHER);
	frame[20] = 0x20;
	frame[21] = 0x00;
	fix_ip_csum(frame);
	assert_int_equal(parse_exact(frame, len, &pi), PKT_IPV4_OTHER);
}

static void test_icmp_malformed(void **state)
{
	uint8_t orig[FRAME_MAX], frame[FRAME_MAX];
	uint32_t len = load_fixture("icmp_echo_request", orig, sizeof(orig));

	(void)state;
	/* A flipped bit anywhere in the ICMP message. */
	for (uint32_t off = 34; off < len; off++) {
		memcpy(frame, orig, len);
		frame[off] ^= 0x10;
		expect_bad(frame, len, PKT_ERR_ICMP_CSUM);
	}
	/* The message cut short by the IPv4 total length: the checksum no
	 * longer covers what the sender summed. */
	memcpy(frame, orig, len);
	frame[17] -= 2;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_ICMP_CSUM);
	/* Fewer than 8 bytes of ICMP. */
	frame[16] = 0;
	frame[17] = 20 + 4;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_TRUNCATED);
	frame[17] = 20;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_TRUNCATED);

	len = load_fixture("icmp_rr_request", orig, sizeof(orig));
	memcpy(frame, orig, len);
	frame[len - 1] ^= 1;
	expect_bad(frame, len, PKT_ERR_ICMP_CSUM);
}

static void test_udp_malformed(void **state)
{
	uint8_t orig[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len = load_fixture("udp_beacon_seq", orig, sizeof(orig));

	(void)state;
	for (uint32_t off = 34; off < len; off++) {
		if (off == 38 || off == 39)
			continue; /* the length field, below */
		memcpy(frame, orig, len);
		frame[off] ^= 0x01;
		expect_bad(frame, len, PKT_ERR_UDP_CSUM);
	}
	/* The pseudo-header is covered: change the source address. */
	memcpy(frame, orig, len);
	frame[29] ^= 0x02;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_UDP_CSUM);
	/* UDP length below 8, above the IPv4 payload. */
	memcpy(frame, orig, len);
	frame[39] = 7;
	expect_bad(frame, len, PKT_ERR_UDP_LEN);
	frame[39] = 0;
	expect_bad(frame, len, PKT_ERR_UDP_LEN);
	frame[39] = 25;
	expect_bad(frame, len, PKT_ERR_UDP_LEN);
	frame[38] = 0xff;
	expect_bad(frame, len, PKT_ERR_UDP_LEN);
	/* Shorter than the IPv4 payload: the checksum then covers less. */
	frame[38] = 0;
	frame[39] = 23;
	expect_bad(frame, len, PKT_ERR_UDP_CSUM);
	/* Fewer than 8 bytes after the IPv4 header. */
	memcpy(frame, orig, len);
	frame[17] = 20 + 7;
	fix_ip_csum(frame);
	expect_bad(frame, len, PKT_ERR_TRUNCATED);

	/* Checksum 0 means none: any payload is accepted... */
	len = load_fixture("udp_no_csum", orig, sizeof(orig));
	memcpy(frame, orig, len);
	frame[len - 1] ^= 0xff;
	assert_int_equal(parse_exact(frame, len, &pi), PKT_UDP);
	/* ...and a UDP length short of the IPv4 payload bounds the payload. */
	frame[39] = 8 + 5;
	assert_int_equal(parse_exact(frame, len, &pi), PKT_UDP);
	assert_int_equal(pi.payload_len, 5);
	frame[39] = 8 + 12;
	expect_bad(frame, len, PKT_ERR_UDP_LEN);

	/* CHECKSUM_PARTIAL from a veth: the field holds the folded
	 * pseudo-header sum only. Accepted and flagged; one bit off is not. */
	len = load_fixture("udp_beacon_seq", orig, sizeof(orig));
	memcpy(frame, orig, len);
	{
		uint8_t ph[12];
		uint16_t partial;

		memcpy(ph, frame + 26, 8);
		ph[8] = 0;
		ph[9] = PKT_IPPROTO_UDP;
		ph[10] = frame[38];
		ph[11] = frame[39];
		partial = (uint16_t)~pkt_csum_fold(pkt_csum_add(0, ph, sizeof(ph)));
		memcpy(frame + 40, &partial, 2);
		assert_int_equal(parse_exact(frame, len, &pi), PKT_UDP);
		assert_int_equal(pi.l4_csum_partial, 1);
		assert_int_equal(pi.dst_port, 1337);
		frame[41] ^= 0x01;
		expect_bad(frame, len, PKT_ERR_UDP_CSUM);
	}
	memcpy(frame, orig, len);
	assert_int_equal(parse_exact(frame, len, &pi), PKT_UDP);
	assert_int_equal(pi.l4_csum_partial, 0);
}

static void test_arp_malformed(void **state)
{
	uint8_t orig[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len = load_fixture("arp_request", orig, sizeof(orig));
	static const uint32_t fields[] = { 14, 15, 16, 17, 18, 19 };

	(void)state;
	/* htype, ptype, hlen, plen: any change is not Ethernet/IPv4 ARP. */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		memcpy(frame, orig, len);
		frame[fields[i]] ^= 0x04;
		expect_bad(frame, len, PKT_ERR_ARP_FORMAT);
	}
	/* The op is reported, not judged. */
	memcpy(frame, orig, len);
	frame[21] = 3;
	assert_int_equal(parse_exact(frame, len, &pi), PKT_ARP);
	assert_int_equal(pi.arp_op, 3);
}

/* Random bytes overwritten in every fixture: never a crash, always the
 * invariant. */
static void test_random_corruption(void **state)
{
	uint8_t orig[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi;
	uint32_t seed = 1;

	(void)state;
	for (size_t i = 0; i < N_FIXTURES; i++) {
		uint32_t len = load_fixture(expects[i].name, orig, sizeof(orig));

		for (int round = 0; round < 2000; round++) {
			int edits;

			memcpy(frame, orig, len);
			seed = seed * 1103515245u + 12345u;
			edits = 1 + (int)(seed >> 16) % 4;
			for (int k = 0; k < edits; k++) {
				seed = seed * 1103515245u + 12345u;
				/* Mostly the headers, where the decisions are. */
				frame[(seed >> 8) % (len < 80 ? len : 80)] = (uint8_t)(seed >> 24);
			}
			/* Half the time get past the IPv4 checksum, if the
			 * header (as corrupted) fits in the frame. */
			if (round % 2 && len >= PKT_ETH_HLEN + PKT_IP_HLEN &&
			    PKT_ETH_HLEN + (uint32_t)(frame[14] & 0x0f) * 4 <= len)
				fix_ip_csum(frame);
			parse_exact(frame, len, &pi);
		}
	}
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(pkt_err_name(PKT_OK), "ok");
	assert_string_equal(pkt_err_name(PKT_ERR_TRUNCATED), "truncated");
	assert_string_equal(pkt_err_name(PKT_ERR_IP_CSUM), "ip_csum");
	assert_string_equal(pkt_err_name(PKT_ERR_UDP_CSUM), "udp_csum");
	for (int a = 0; a < PKT_ERR__COUNT; a++) {
		assert_non_null(pkt_err_name((enum pkt_err)a));
		for (int b = 0; b < a; b++)
			assert_string_not_equal(pkt_err_name((enum pkt_err)a),
						pkt_err_name((enum pkt_err)b));
	}
	assert_non_null(pkt_err_name(PKT_ERR__COUNT));
}

/* ---- builders ---- */

static void test_build_arp(void **state)
{
	uint8_t captured[FRAME_MAX], buf[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len;
	size_t n;

	(void)state;
	len = load_fixture("arp_request", captured, sizeof(captured));
	memset(buf, 0xa5, sizeof(buf));
	n = pkt_build_arp(buf, sizeof(buf), PKT_ARP_REQUEST, mac_bcast, mac_a, IP_A, mac_zero,
			  IP_B);
	assert_int_equal(n, PKT_ETH_MIN);
	assert_memory_equal(buf, captured, len);
	for (size_t i = len; i < n; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_ARP);
	assert_int_equal(pi.arp_op, PKT_ARP_REQUEST);

	len = load_fixture("arp_reply", captured, sizeof(captured));
	memset(buf, 0xa5, sizeof(buf));
	n = pkt_build_arp(buf, PKT_ETH_MIN, PKT_ARP_REPLY, mac_a, mac_b, IP_B, mac_a, IP_A);
	assert_int_equal(n, PKT_ETH_MIN);
	assert_memory_equal(buf, captured, len);
	assert_int_equal(buf[PKT_ETH_MIN - 1], 0);
	assert_int_equal(buf[PKT_ETH_MIN], 0xa5);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_ARP);
	assert_int_equal(pi.src_ip, IP_B);

	assert_int_equal(pkt_build_arp(buf, PKT_ETH_MIN - 1, PKT_ARP_REPLY, mac_a, mac_b, IP_B,
				       mac_a, IP_A),
			 0);
}

/* The kernel's IPv4 id, flags and TTL copied into a built frame, so that the
 * rest can be compared byte for byte. */
static void take_ip_id_flags_ttl(uint8_t *built, const uint8_t *captured)
{
	memcpy(built + 18, captured + 18, 5);
	fix_ip_csum(built);
}

static void check_build_icmp(const char *name, uint8_t type, enum pkt_kind kind)
{
	uint8_t captured[FRAME_MAX], buf[FRAME_MAX];
	struct pkt_info cpi, pi;
	uint32_t len = load_fixture(name, captured, sizeof(captured));
	size_t n;

	assert_int_equal(pkt_parse(captured, len, &cpi), kind);
	memset(buf, 0xa5, sizeof(buf));
	n = pkt_build_icmp_echo(buf, sizeof(buf), cpi.src_mac, cpi.dst_mac, cpi.src_ip, cpi.dst_ip,
				type, cpi.icmp_id, cpi.icmp_seq, captured + cpi.payload_off,
				cpi.payload_len);
	assert_int_equal(n, len);
	/* ICMP part, checksum included, as the kernel made it. */
	assert_memory_equal(buf + 34, captured + 34, len - 34);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), kind);
	assert_int_equal(pi.icmp_id, cpi.icmp_id);
	assert_int_equal(pi.ttl, 64);
	take_ip_id_flags_ttl(buf, captured);
	assert_memory_equal(buf, captured, len);
	assert_int_equal(buf[len], 0xa5);
}

static void test_build_icmp_echo(void **state)
{
	uint8_t buf[FRAME_MAX];
	struct pkt_info pi;
	size_t n;

	(void)state;
	check_build_icmp("icmp_echo_request", PKT_ICMP_ECHO_REQUEST, PKT_ICMP_ECHO_REQ);
	check_build_icmp("icmp_echo_reply", PKT_ICMP_ECHO_REPLY, PKT_ICMP_ECHO_REP);

	/* Short: padded with zeros to 60; odd payload; NULL payload. */
	for (size_t plen = 0; plen <= 40; plen++) {
		memset(buf, 0xa5, sizeof(buf));
		n = pkt_build_icmp_echo(buf, sizeof(buf), mac_a, mac_b, IP_A, IP_B,
					PKT_ICMP_ECHO_REQUEST, 0xbeef, (uint16_t)plen, NULL, plen);
		assert_int_equal(n, 42 + plen < PKT_ETH_MIN ? PKT_ETH_MIN : 42 + plen);
		for (size_t i = 42; i < n; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_ICMP_ECHO_REQ);
		assert_int_equal(pi.payload_len, plen);
		assert_int_equal(pi.icmp_id, 0xbeef);
		assert_int_equal(pi.icmp_seq, plen);
		assert_int_equal(be16_at(buf + 16), 28 + plen);
	}
	n = pkt_build_icmp_echo(buf, 81, mac_a, mac_b, IP_A, IP_B, PKT_ICMP_ECHO_REQUEST, 1, 1,
				NULL, 40);
	assert_int_equal(n, 0);
	n = pkt_build_icmp_echo(buf, 59, mac_a, mac_b, IP_A, IP_B, PKT_ICMP_ECHO_REQUEST, 1, 1,
				NULL, 0);
	assert_int_equal(n, 0);
	n = pkt_build_icmp_echo(buf, sizeof(buf), mac_a, mac_b, IP_A, IP_B, PKT_ICMP_ECHO_REQUEST,
				1, 1, NULL, 65536);
	assert_int_equal(n, 0);
}

static void check_build_udp(const char *name)
{
	uint8_t captured[FRAME_MAX], buf[FRAME_MAX];
	struct pkt_info cpi, pi;
	uint32_t len = load_fixture(name, captured, sizeof(captured));
	size_t n;

	assert_int_equal(pkt_parse(captured, len, &cpi), PKT_UDP);
	memset(buf, 0xa5, sizeof(buf));
	n = pkt_build_udp(buf, sizeof(buf), cpi.src_mac, cpi.dst_mac, cpi.src_ip, cpi.src_port,
			  cpi.dst_ip, cpi.dst_port, captured + cpi.payload_off, cpi.payload_len);
	assert_int_equal(n, len < PKT_ETH_MIN ? PKT_ETH_MIN : len);
	assert_memory_equal(buf + 34, captured + 34, len - 34);
	for (size_t i = len; i < n; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_UDP);
	assert_int_equal(pi.src_port, cpi.src_port);
	assert_int_equal(pi.payload_len, cpi.payload_len);
	take_ip_id_flags_ttl(buf, captured);
	assert_memory_equal(buf, captured, len);
}

static void test_build_udp(void **state)
{
	uint8_t buf[FRAME_MAX];
	uint8_t payload[2] = { 0, 0 };
	struct pkt_info pi;
	size_t n;

	(void)state;
	check_build_udp("udp_beacon_study");
	check_build_udp("udp_beacon_seq");

	/* A payload word equal to the checksum of the zero payload brings the
	 * sum to ffff: the computed 0 must go out as ffff (RFC 768). */
	n = pkt_build_udp(buf, sizeof(buf), mac_a, mac_b, IP_A, 40001, IP_B, 1337, payload, 2);
	assert_int_equal(n, PKT_ETH_MIN);
	memcpy(payload, buf + 40, 2);
	n = pkt_build_udp(buf, sizeof(buf), mac_a, mac_b, IP_A, 40001, IP_B, 1337, payload, 2);
	assert_int_equal(be16_at(buf + 40), 0xffff);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_UDP);
	assert_int_equal(pi.payload_len, 2);

	n = pkt_build_udp(buf, sizeof(buf), mac_a, mac_b, IP_A, 1, IP_B, 2, NULL, 3);
	assert_int_equal(n, PKT_ETH_MIN);
	assert_int_equal(parse_exact(buf, (uint32_t)n, &pi), PKT_UDP);
	assert_int_equal(pi.payload_len, 3);
	assert_int_equal(buf[pi.payload_off], 0);
	assert_int_equal(pkt_build_udp(buf, 59, mac_a, mac_b, IP_A, 1, IP_B, 2, NULL, 3), 0);
	assert_int_equal(
		pkt_build_udp(buf, sizeof(buf), mac_a, mac_b, IP_A, 1, IP_B, 2, NULL, 65536), 0);
}

/* ---- replies in place ---- */

static void check_icmp_reply(const char *req_name, const char *rep_name)
{
	uint8_t req[FRAME_MAX], rep[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi, out;
	uint32_t len = load_fixture(req_name, req, sizeof(req));
	uint32_t rep_len = load_fixture(rep_name, rep, sizeof(rep));
	uint32_t n;

	/* Padding after the datagram is dropped from the reply. */
	memcpy(frame, req, len);
	memset(frame + len, 0x5a, 30);
	assert_int_equal(pkt_parse(frame, len + 30, &pi), PKT_ICMP_ECHO_REQ);
	n = pkt_icmp_reply_inplace(frame, &pi);
	assert_int_equal(n, rep_len);
	/* Ethernet header and the whole ICMP message match the kernel's. */
	assert_memory_equal(frame, rep, PKT_ETH_HLEN);
	assert_memory_equal(frame + pi.l4_off, rep + pi.l4_off, rep_len - pi.l4_off);
	/* Addresses swapped, TTL 64, a checksum that verifies. */
	assert_memory_equal(frame + 26, rep + 26, 8);
	assert_int_equal(frame[22], 64);
	assert_int_equal(parse_exact(frame, n, &out), PKT_ICMP_ECHO_REP);
	assert_int_equal(out.icmp_id, pi.icmp_id);
	assert_int_equal(out.icmp_seq, pi.icmp_seq);
	assert_int_equal(out.src_ip, pi.dst_ip);
	assert_int_equal(out.l4_off, pi.l4_off);
	/* Options are kept as they were in the request. */
	assert_memory_equal(frame + 34, req + 34, pi.l4_off - 34);
}

static void test_icmp_reply_inplace(void **state)
{
	uint8_t req[FRAME_MAX], rep[FRAME_MAX];
	struct pkt_info pi;
	uint32_t len;

	(void)state;
	check_icmp_reply("icmp_echo_request", "icmp_echo_reply");
	check_icmp_reply("icmp_rr_request", "icmp_rr_reply");

	/* Without options, the whole frame is the kernel's once its IPv4 id
	 * and flags are taken. */
	len = load_fixture("icmp_echo_request", req, sizeof(req));
	load_fixture("icmp_echo_reply", rep, sizeof(rep));
	assert_int_equal(pkt_parse(req, len, &pi), PKT_ICMP_ECHO_REQ);
	assert_int_equal(pkt_icmp_reply_inplace(req, &pi), len);
	take_ip_id_flags_ttl(req, rep);
	assert_memory_equal(req, rep, len);

	/* A request that arrives with TTL 3 is answered with TTL 64. */
	len = load_fixture("icmp_rr_request", req, sizeof(req));
	req[22] = 3;
	fix_ip_csum(req);
	assert_int_equal(pkt_parse(req, len, &pi), PKT_ICMP_ECHO_REQ);
	assert_int_equal(pi.ttl, 3);
	assert_int_equal(pkt_icmp_reply_inplace(req, &pi), len);
	assert_int_equal(parse_exact(req, len, &pi), PKT_ICMP_ECHO_REP);
	assert_int_equal(pi.ttl, 64);
}

/* Every checksum value through the RFC 1624 update: build requests whose
 * checksums sweep the range, reply, and check against a recomputation. */
static void test_icmp_reply_incremental(void **state)
{
	uint8_t buf[FRAME_MAX];
	struct pkt_info pi;

	(void)state;
	for (uint32_t seq = 0; seq <= 0xffff; seq += 7) {
		uint32_t n = (uint32_t)pkt_build_icmp_echo(buf, sizeof(buf), mac_a, mac_b, IP_A,
							   IP_B, PKT_ICMP_ECHO_REQUEST, 0x0800,
							   (uint16_t)seq, NULL, 0);
		uint16_t got;

		assert_int_equal(pkt_parse(buf, n, &pi), PKT_ICMP_ECHO_REQ);
		assert_int_equal(pkt_icmp_reply_inplace(buf, &pi), 42);
		memcpy(&got, buf + 36, 2);
		buf[36] = 0;
		buf[37] = 0;
		assert_int_equal(got, pkt_csum(buf + 34, 8));
		store_csum(buf + 36, got);
		assert_int_equal(pkt_parse(buf, n, &pi), PKT_ICMP_ECHO_REP);
	}
}

static void test_arp_reply_inplace(void **state)
{
	uint8_t req[FRAME_MAX], rep[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_info pi, out;
	uint32_t len = load_fixture("arp_request", req, sizeof(req));
	uint32_t rep_len = load_fixture("arp_reply", rep, sizeof(rep));
	uint32_t n;

	(void)state;
	/* As captured, 42 bytes: padded to 60 in the buffer. */
	memcpy(frame, req, len);
	memset(frame + len, 0xa5, sizeof(frame) - len);
	assert_int_equal(pkt_parse(frame, len, &pi), PKT_ARP);
	n = pkt_arp_reply_inplace(frame, len, &pi, mac_b);
	assert_int_equal(n, PKT_ETH_MIN);
	assert_memory_equal(frame, rep, rep_len);
	for (uint32_t i = rep_len; i < n; i++)
		assert_int_equal(frame[i], 0);
	assert_int_equal(frame[n], 0xa5);
	assert_int_equal(parse_exact(frame, n, &out), PKT_ARP);
	assert_int_equal(out.arp_op, PKT_ARP_REPLY);
	assert_int_equal(out.src_ip, IP_B);
	assert_int_equal(out.dst_ip, IP_A);
	assert_mac_equal(out.arp_sha, mac_b);

	/* As a NIC hands it in, 64 bytes with padding: length kept. */
	memcpy(frame, req, len);
	memset(frame + len, 0x77, 64 - len);
	assert_int_equal(pkt_parse(frame, 64, &pi), PKT_ARP);
	n = pkt_arp_reply_inplace(frame, 64, &pi, mac_b);
	assert_int_equal(n, 64);
	assert_memory_equal(frame, rep, rep_len);
	for (uint32_t i = rep_len; i < n; i++)
		assert_int_equal(frame[i], 0);
}

/* ---- addresses ---- */

static void test_parse_ip(void **state)
{
	static const char *const bad_ips[] = {
		"", "1", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.00",
		"1..2.3", ".1.2.3", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.1234", "1.2.3.-4",
		"1.2.3.4x", "999.1.1.1", "0x1.2.3.4", "00000000001.2.3.4",
	};
	uint32_t ip;

	(void)state;
	assert_int_equal(pkt_parse_ip("10.253.0.1", &ip), 0);
	assert_int_equal(ip, IP_A);
	assert_int_equal(pkt_parse_ip("0.0.0.0", &ip), 0);
	assert_int_equal(ip, 0);
	assert_int_equal(pkt_parse_ip("255.255.255.255", &ip), 0);
	assert_int_equal(ip, 0xffffffffu);
	assert_int_equal(pkt_parse_ip("192.168.100.200", &ip), 0);
	assert_int_equal(ip, IP4(192, 168, 100, 200));
	for (size_t i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++) {
		ip = 0x12345678;
		assert_int_equal(pkt_parse_ip(bad_ips[i], &ip), -EINVAL);
		assert_int_equal(ip, 0x12345678);
	}
	assert_int_equal(pkt_parse_ip(NULL, &ip), -EINVAL);
}

static void test_format(void **state)
{
	char buf[18];
	uint32_t ip;

	(void)state;
	assert_string_equal(pkt_format_ip(IP_A, buf), "10.253.0.1");
	assert_string_equal(pkt_format_ip(0xffffffffu, buf), "255.255.255.255");
	assert_string_equal(pkt_format_ip(0, buf), "0.0.0.0");
	assert_int_equal(pkt_parse_ip(pkt_format_ip(IP4(172, 16, 5, 99), buf), &ip), 0);
	assert_int_equal(ip, IP4(172, 16, 5, 99));
	assert_string_equal(pkt_format_mac(mac_a, buf), "02:00:0a:fd:00:01");
	assert_string_equal(pkt_format_mac(mac_bcast, buf), "ff:ff:ff:ff:ff:ff");
}

/* cmocka_unit_test_prestate() with the fixture's name as the test's. */
#define FIXTURE_TEST(i) \
	{ .name = expects[i].name, .test_func = test_fixture_fields, \
	  .initial_state = (void *)&expects[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071_example),
		cmocka_unit_test(test_csum_odd_length),
		cmocka_unit_test(test_csum_impls),
		cmocka_unit_test(test_csum_all_ones),
		cmocka_unit_test(test_csum_lengths_offsets),
		cmocka_unit_test(test_csum_wraps_repeatedly),
		FIXTURE_TEST(0),
		FIXTURE_TEST(1),
		FIXTURE_TEST(2),
		FIXTURE_TEST(3),
		FIXTURE_TEST(4),
		FIXTURE_TEST(5),
		FIXTURE_TEST(6),
		FIXTURE_TEST(7),
		FIXTURE_TEST(8),
		FIXTURE_TEST(9),
		FIXTURE_TEST(10),
		FIXTURE_TEST(11),
		FIXTURE_TEST(12),
		FIXTURE_TEST(13),
		FIXTURE_TEST(14),
		cmocka_unit_test(test_fixture_payloads),
		cmocka_unit_test(test_vlan_not_ipv4),
		cmocka_unit_test(test_truncate_every_length),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_ip_header_bit_flips),
		cmocka_unit_test(test_ip_header_fields),
		cmocka_unit_test(test_icmp_malformed),
		cmocka_unit_test(test_udp_malformed),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_build_arp),
		cmocka_unit_test(test_build_icmp_echo),
		cmocka_unit_test(test_build_udp),
		cmocka_unit_test(test_icmp_reply_inplace),
		cmocka_unit_test(test_icmp_reply_incremental),
		cmocka_unit_test(test_arp_reply_inplace),
		cmocka_unit_test(test_parse_ip),
		cmocka_unit_test(test_format),
	};

	_Static_assert(N_FIXTURES == 15, "one FIXTURE_TEST per expect");
	return cmocka_run_group_tests_name("pkt", tests, NULL, NULL);
}
