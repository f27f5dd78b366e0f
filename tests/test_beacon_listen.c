/* SPDX-License-Identifier: BSD-3-Clause
 * beacon_input(), the listener, on payloads the beacon sends: the first
 * datagram per source keeps its stamp and its sender's TSC; with a
 * not_before mark (senders sharing our TSC), a datagram whose sender read
 * its TSC before the mark (an earlier instance's, delivered late) is
 * ignored and counted instead of being taken for the new start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "beacon_fmt.h"
#include "netif.h"

/* A UDP payload at offset 0 of frame: "a" + trailer with tsc. */
static void beacon_frame(uint8_t *frame, struct pkt_info *pi, uint32_t src, uint64_t tsc, int with_tsc)
{
	memset(pi, 0, sizeof(*pi));
	frame[0] = 'a';
	if (with_tsc)
		beacon_tsc_trailer(frame + 1, BEACON_TSC_RDTSCP_LFENCE, 3, tsc);
	pi->payload_off = 0;
	pi->payload_len = with_tsc ? 1 + BEACON_TSC_LEN : 1;
	pi->src_ip = src;
	pi->src_port = 40000;
	pi->dst_port = 1337;
}

static void test_first_per_source(void **state)
{
	static struct netif nif;
	uint8_t f[64];
	struct pkt_info pi;

	(void)state;
	memset(&nif, 0, sizeof(nif));
	nif.beacon.udp_port = 1337;
	beacon_frame(f, &pi, 0x0a000002, 1000, 1);
	beacon_input(&nif, f, &pi, 1500);
	beacon_frame(f, &pi, 0x0a000002, 2000, 1);
	beacon_input(&nif, f, &pi, 2600);
	assert_int_equal(nif.beacon.n_src, 1);
	assert_true(nif.beacon.first == 1500);
	assert_true(nif.beacon.src[0].first == 1500);
	assert_true(nif.beacon.src[0].has_tsc);
	assert_true(nif.beacon.src[0].sender_tsc == 1000); /* the first one's, not the later */
	assert_int_equal(nif.beacon.src[0].sender_cpu, 3);
	assert_true(nif.beacon.src[0].study_format);
	assert_int_equal(nif.beacon.src[0].count, 2);
}

static void test_stale_ignored(void **state)
{
	static struct netif nif;
	uint8_t f[64];
	struct pkt_info pi;

	(void)state;
	memset(&nif, 0, sizeof(nif));
	nif.beacon.udp_port = 1337;
	nif.beacon.not_before = 5000;
	beacon_frame(f, &pi, 0x0a000002, 4999, 1); /* sent before the arm */
	beacon_input(&nif, f, &pi, 5100);
	assert_true(nif.beacon.first == 0);
	assert_int_equal(nif.beacon.n_src, 0);
	assert_int_equal(nif.beacon.stale, 1);
	beacon_frame(f, &pi, 0x0a000002, 5001, 1);
	beacon_input(&nif, f, &pi, 5200);
	assert_true(nif.beacon.first == 5200);
	assert_true(nif.beacon.src[0].sender_tsc == 5001);
	/* A beacon without the TSC cannot be judged: taken as before. */
	memset(&nif.beacon.src, 0, sizeof(nif.beacon.src));
	nif.beacon.n_src = 0;
	nif.beacon.first = 0;
	beacon_frame(f, &pi, 0x0a000003, 0, 0);
	beacon_input(&nif, f, &pi, 5300);
	assert_true(nif.beacon.first == 5300);
	assert_false(nif.beacon.src[0].has_tsc);
	/* Without the mark (a guest's own TSC), nothing is judged stale. */
	memset(&nif.beacon, 0, sizeof(nif.beacon));
	nif.beacon.udp_port = 1337;
	beacon_frame(f, &pi, 0x0a000002, 1, 1);
	beacon_input(&nif, f, &pi, 5400);
	assert_true(nif.beacon.first == 5400);
	assert_int_equal(nif.beacon.stale, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_per_source),
		cmocka_unit_test(test_stale_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
