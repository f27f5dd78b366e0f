/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "beacon_fmt.h"

static uint64_t beacon_get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static void beacon_put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)(v & 0xff);
}

int beacon_payload_parse(const uint8_t *p, size_t len, struct beacon_payload *out)
{
	const uint8_t *t;

	memset(out, 0, sizeof(*out));
	out->body_len = (uint32_t)len;
	if (len >= BEACON_TSC_LEN) {
		t = p + len - BEACON_TSC_LEN;
		if (memcmp(t, BEACON_TSC_TAG, 4) == 0 &&
		    (t[4] == BEACON_TSC_RDTSCP_LFENCE || t[4] == BEACON_TSC_LFENCE_RDTSC)) {
			out->has_tsc = 1;
			out->tsc_read = t[4];
			out->cpu = (uint16_t)beacon_get_be(t + 6, 2);
			out->tsc = beacon_get_be(t + 8, 8);
			out->body_len = (uint32_t)(len - BEACON_TSC_LEN);
		}
	}
	out->study = out->body_len == 1;
	if (out->body_len >= 8 && memcmp(p, BEACON_SEQ_MAGIC, 4) == 0) {
		out->has_seq = 1;
		out->seq = (uint32_t)beacon_get_be(p + 4, 4);
		if (out->body_len >= BEACON_SEQ_LEN)
			out->mono_ns = beacon_get_be(p + 8, 8);
	}
	return 0;
}

void beacon_tsc_trailer(uint8_t *t, enum beacon_tsc_read how, uint16_t cpu, uint64_t tsc)
{
	memcpy(t, BEACON_TSC_TAG, 4);
	t[4] = (uint8_t)how;
	t[5] = 0;
	beacon_put_be(t + 6, cpu, 2);
	beacon_put_be(t + 8, tsc, 8);
}
