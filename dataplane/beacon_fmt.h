/* SPDX-License-Identifier: BSD-3-Clause
 * The boot beacon's datagram, shared by the sender (drivers/guest/beacon.c)
 * and the listener (dataplane/beacon.c). No DPDK here: the sender is a
 * static program and the parser is unit-tested on captured bytes.
 *
 * A datagram is the study's body, then optionally a 16-byte TSC trailer:
 *   body "study": the single byte "a" (the study's udpping payload)
 *   body "seq":   "LVPB", u32 attempt, u64 CLOCK_MONOTONIC ns (16 bytes)
 *   trailer:      "LVT", u8 version (1), u8 how the TSC was read, u8 0,
 *                 u16 CPU the sender read it on (0xffff: unknown),
 *                 u64 the sender's TSC read just before sendto()
 * All integers big-endian. The trailer is the datagram's last 16 bytes and
 * is recognised by its tag "LVT\x01" there, so datagrams without it (older
 * beacons, the study's own sender) parse as before, and any listener that
 * takes any datagram (the study's) still accepts them.
 */
#ifndef LVP_BEACON_FMT_H
#define LVP_BEACON_FMT_H

#include <stddef.h>
#include <stdint.h>

#define BEACON_SEQ_MAGIC "LVPB"
#define BEACON_SEQ_LEN 16
#define BEACON_TSC_TAG "LVT\x01" /* magic "LVT", version 1 */
#define BEACON_TSC_LEN 16
#define BEACON_CPU_UNKNOWN 0xffffu

/* How the sender read its TSC. */
enum beacon_tsc_read {
	BEACON_TSC_NONE = 0,
	BEACON_TSC_RDTSCP_LFENCE = 1, /* RDTSCP then LFENCE (CPU from TSC_AUX) */
	BEACON_TSC_LFENCE_RDTSC = 2,  /* LFENCE, RDTSC, LFENCE (no RDTSCP) */
};

/* What a beacon datagram says about itself. */
struct beacon_payload {
	uint32_t body_len;   /* bytes before the trailer (the whole datagram without one) */
	uint8_t study;	     /* the body is the study's 1-byte payload */
	uint8_t has_seq;     /* the body is lvperf's "seq" format */
	uint8_t has_tsc;     /* a valid TSC trailer follows the body */
	uint8_t tsc_read;    /* enum beacon_tsc_read, when has_tsc */
	uint32_t seq;	     /* attempt number, when has_seq */
	uint64_t mono_ns;    /* sender's CLOCK_MONOTONIC, when has_seq */
	uint16_t cpu;	     /* sender's CPU, when has_tsc */
	uint64_t tsc;	     /* sender's TSC just before sendto(), when has_tsc */
};

/*
 * Parse the UDP payload p[0..len) of a beacon. Every datagram is a beacon
 * (the study's listener took any); this only says what else it carries.
 * Fills *out (zeroed first) and returns 0. A trailer whose tag matches but
 * whose read method is unknown is not taken (has_tsc 0).
 */
int beacon_payload_parse(const uint8_t *p, size_t len, struct beacon_payload *out);

/* Write the trailer into t[0..BEACON_TSC_LEN) (sender side). */
void beacon_tsc_trailer(uint8_t *t, enum beacon_tsc_read how, uint16_t cpu, uint64_t tsc);

#endif
