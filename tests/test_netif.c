/* SPDX-License-Identifier: BSD-3-Clause
 * The netif split (issue 16): every queue's netif of a port points to the
 * one port part (identity, addresses, pool, RX stamping, kicks), so an
 * address change reaches every queue; a queue other than 0 of a port
 * stamped at the XDP hook stamps at the hook too, on its own copy of the
 * hook clock; xdp_clock_merge sums the queues' clocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "bpf/xdp_meta.h"
#include "netif.h"
#include "port.h"

static struct port test_port(enum clock_source clock, enum port_kind kind)
{
	struct port p;

	memset(&p, 0, sizeof(p));
	p.id = 3;
	p.spec.kind = kind;
	p.clock = clock;
	memcpy(p.mac, (uint8_t[]){0x02, 0, 0, 0, 0, 0x42}, PKT_ETH_ALEN);
	/* A hook clock at 1 TSC tick per ns, anchored at 10^6 on both. */
	p.xclk.tsc_per_ns = 1.0;
	p.xclk.refresh_ticks = (tsc_t)1 << 60;
	p.xclk.anchor_tsc = 1000000;
	p.xclk.anchor_ns = 1000000;
	p.xclk.anchor_width = 10;
	p.xclk.anchors = 1;
	return p;
}

static void test_queues_share_port_part(void **state)
{
	static struct port p;
	static struct netif_port np;
	static struct netif q0, q1;

	(void)state;
	p = test_port(CLOCK_SRC_TSC_RX_BURST, PORT_AF_PACKET);
	netif_port_init(&np, &p, NULL, 0x0a000001, 24);
	netif_init(&q0, &np, 0, 1337);
	netif_init(&q1, &np, 1, 0);
	assert_ptr_equal(q0.np, &np);
	assert_ptr_equal(q1.np, q0.np);
	assert_int_equal(q0.queue, 0);
	assert_int_equal(q1.queue, 1);
	assert_int_equal(np.port_id, 3);
	assert_memory_equal(np.mac, p.mac, PKT_ETH_ALEN);
	assert_int_equal(np.ip, 0x0a000001);
	assert_int_equal(np.mask, 0xffffff00u);
	assert_int_equal(np.n_ips, 1);
	assert_true(np.kicks); /* af_packet bursts enter the kernel */
	assert_int_equal(q0.beacon.udp_port, 1337);
	assert_int_equal(q1.beacon.udp_port, 0);
	/* One change of the addresses reaches every queue. */
	netif_port_set_ips(&np, 4);
	assert_int_equal(q0.np->n_ips, 4);
	assert_int_equal(q1.np->n_ips, 4);
	netif_port_set_ips(&np, 0);
	assert_int_equal(q1.np->n_ips, 1);
	/* Queue state stays the queue's own. */
	q1.c.rx = 7;
	q1.kick = 9;
	assert_int_equal(q0.c.rx, 0);
	assert_int_equal(q0.kick, 0);

	p = test_port(CLOCK_SRC_TSC_RX_BURST, PORT_RING);
	netif_port_init(&np, &p, NULL, 0x0a000001, 24);
	assert_false(np.kicks);
}

/* A frame whose headroom carries the hook program's metadata. */
struct fake_frame {
	struct rte_mbuf m;
	uint8_t buf[256];
};

static void fake_frame(struct fake_frame *f, uint64_t ktime_ns, int with_meta)
{
	struct lvp_xdp_meta meta = {LVP_XDP_META_MAGIC, ktime_ns};

	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->buf;
	f->m.data_off = 128;
	f->m.buf_len = sizeof(f->buf);
	f->m.nb_segs = 1;
	if (with_meta)
		memcpy(f->buf + 128 - sizeof(meta), &meta, sizeof(meta));
}

static void test_queue_stamps_at_hook(void **state)
{
	static struct port p;
	static struct netif_port np;
	static struct netif q0, q1;
	static struct fake_frame a, b;
	struct rte_mbuf *pkts[2] = {&a.m, &b.m};
	tsc_t stamps[2];
	struct xdp_clock sum;

	(void)state;
	p = test_port(CLOCK_SRC_XDP_HOOK, PORT_AF_XDP);
	netif_port_init(&np, &p, NULL, 0x0a000001, 24);
	netif_init(&q0, &np, 0, 0);
	netif_init(&q1, &np, 1, 0);
	/* Each queue starts from the port's anchored clock... */
	assert_true(q1.xclk.anchor_tsc == 1000000);
	assert_true(q1.xclk.tsc_per_ns == 1.0);
	/* ...and queue 1 stamps at the hook, as queue 0 would. */
	fake_frame(&a, 1000500, 1);
	fake_frame(&b, 0, 0);
	q1.np->rx_stamp(&q1, pkts, 2, 1000600, stamps);
	assert_true(stamps[0] == 1000500); /* the hook's time, not the burst's */
	assert_true(stamps[1] == 1000600); /* no metadata: the burst's TSC */
	assert_int_equal(q1.xclk.stamped, 1);
	assert_int_equal(q1.xclk.unstamped, 1);
	assert_true(q1.xclk.hook_wait_max == 100);
	/* The metadata is consumed: a recycled mbuf never stamps twice. */
	q1.np->rx_stamp(&q1, pkts, 1, 1000700, stamps);
	assert_true(stamps[0] == 1000700);
	/* Queue 0's clock and the port's were not touched. */
	assert_int_equal(q0.xclk.stamped, 0);
	assert_int_equal(p.xclk.stamped, 0);
	fake_frame(&a, 1000650, 1);
	q0.np->rx_stamp(&q0, pkts, 1, 1000700, stamps);
	assert_true(stamps[0] == 1000650);
	/* The sum of both queues, as the JSON "rx_stamp" reports it. */
	sum = q0.xclk;
	xdp_clock_merge(&sum, &q1.xclk);
	assert_int_equal(sum.stamped, 2);
	assert_int_equal(sum.unstamped, 2);
	assert_true(sum.hook_wait_sum == 150);
	assert_true(sum.hook_wait_max == 100);
	assert_int_equal(sum.anchors, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_queues_share_port_part),
	    cmocka_unit_test(test_queue_stamps_at_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
