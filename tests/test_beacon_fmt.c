/* SPDX-License-Identifier: BSD-3-Clause
 * beacon_payload_parse() on datagrams captured from the beacon programs
 * (a UDP socket on 127.0.0.1 took them): the one before the TSC trailer
 * (main at 8ef96c7) and the one with it, in both formats, then truncated
 * and forged variants of those bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "beacon_fmt.h"

/* beacon --format seq, before the trailer: "LVPB", attempt 0, mono ns. */
static const uint8_t old_seq[] = { 0x4c, 0x56, 0x50, 0x42, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x60, 0x2a, 0x35, 0x2c, 0x57 };
/* beacon --format study, before and after the trailer existed: "a". */
static const uint8_t old_study[] = { 0x61 };
/* beacon --format seq with the trailer, sender on CPU 1 with RDTSCP. */
static const uint8_t new_seq[] = { 0x4c, 0x56, 0x50, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x60, 0x2a, 0x59, 0x29, 0xe5, 0x4c, 0x56, 0x54, 0x01, 0x01, 0x00,
				   0x00, 0x01, 0x00, 0x00, 0x00, 0xdd, 0x3b, 0x53, 0x3e, 0x4a };
/* beacon --format study with the trailer: "a" then 16 bytes. */
static const uint8_t new_study[] = { 0x61, 0x4c, 0x56, 0x54, 0x01, 0x01, 0x00, 0x00, 0x01,
				     0x00, 0x00, 0x00, 0xdd, 0x3b, 0x8d, 0xb0, 0x4a };

static void test_old_seq(void **state)
{
	struct beacon_payload b;

	(void)state;
	assert_int_equal(beacon_payload_parse(old_seq, sizeof(old_seq), &b), 0);
	assert_true(b.has_seq);
	assert_false(b.study);
	assert_false(b.has_tsc);
	assert_int_equal(b.body_len, 16);
	assert_int_equal(b.seq, 0);
	assert_true(b.mono_ns == 0x602a352c57ull);
}

static void test_old_study(void **state)
{
	struct beacon_payload b;

	(void)state;
	beacon_payload_parse(old_study, sizeof(old_study), &b);
	assert_true(b.study);
	assert_false(b.has_seq);
	assert_false(b.has_tsc);
	assert_int_equal(b.body_len, 1);
}

static void test_new_seq(void **state)
{
	struct beacon_payload b;

	(void)state;
	beacon_payload_parse(new_seq, sizeof(new_seq), &b);
	assert_true(b.has_seq);
	assert_false(b.study);
	assert_true(b.has_tsc);
	assert_int_equal(b.body_len, 16);
	assert_int_equal(b.tsc_read, BEACON_TSC_RDTSCP_LFENCE);
	assert_int_equal(b.cpu, 1);
	assert_true(b.tsc == 0xdd3b533e4aull);
	assert_true(b.mono_ns == 0x602a5929e5ull);
}

static void test_new_study(void **state)
{
	struct beacon_payload b;

	(void)state;
	beacon_payload_parse(new_study, sizeof(new_study), &b);
	assert_true(b.study); /* still the study's payload, trailer aside */
	assert_false(b.has_seq);
	assert_true(b.has_tsc);
	assert_int_equal(b.cpu, 1);
	assert_true(b.tsc == 0xdd3b8db04aull);
}

/* Cut anywhere inside the trailer: no TSC, and no study format either
 * (the body is not 1 byte), never a TSC read from the wrong bytes. */
static void test_truncated(void **state)
{
	struct beacon_payload b;
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(new_seq); len++) {
		beacon_payload_parse(new_seq, len, &b);
		assert_false(b.has_tsc);
		assert_int_equal(b.body_len, len);
		assert_int_equal(b.has_seq, len >= 8);
		assert_true(b.mono_ns == (len >= 16 ? 0x602a5929e5ull : 0));
	}
	for (len = 2; len < sizeof(new_study); len++) {
		beacon_payload_parse(new_study, len, &b);
		assert_false(b.has_tsc);
		assert_false(b.study);
	}
}

/* Tag bytes or the read method wrong: the trailer is not taken. */
static void test_forged(void **state)
{
	struct beacon_payload b;
	uint8_t d[sizeof(new_seq)];

	(void)state;
	memcpy(d, new_seq, sizeof(d));
	d[16 + 3] = 0x02; /* version 2 */
	beacon_payload_parse(d, sizeof(d), &b);
	assert_false(b.has_tsc);
	assert_int_equal(b.body_len, sizeof(d));
	memcpy(d, new_seq, sizeof(d));
	d[16 + 4] = 0x07; /* unknown read method */
	beacon_payload_parse(d, sizeof(d), &b);
	assert_false(b.has_tsc);
	memcpy(d, new_seq, sizeof(d));
	d[16] = 'X';
	beacon_payload_parse(d, sizeof(d), &b);
	assert_false(b.has_tsc);
}

/* What the sender writes is what the listener reads. */
static void test_round_trip(void **state)
{
	uint8_t d[1 + BEACON_TSC_LEN] = { 'a' };
	struct beacon_payload b;

	(void)state;
	beacon_tsc_trailer(d + 1, BEACON_TSC_LFENCE_RDTSC, BEACON_CPU_UNKNOWN, 0xfedcba9876543210ull);
	beacon_payload_parse(d, sizeof(d), &b);
	assert_true(b.has_tsc && b.study);
	assert_int_equal(b.tsc_read, BEACON_TSC_LFENCE_RDTSC);
	assert_int_equal(b.cpu, BEACON_CPU_UNKNOWN);
	assert_true(b.tsc == 0xfedcba9876543210ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_seq),	  cmocka_unit_test(test_old_study),
		cmocka_unit_test(test_new_seq),	  cmocka_unit_test(test_new_study),
		cmocka_unit_test(test_truncated), cmocka_unit_test(test_forged),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
