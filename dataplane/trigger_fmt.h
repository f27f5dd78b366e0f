/* SPDX-License-Identifier: BSD-3-Clause
 * The remote-trigger datagram, shared by the appliance's dataplane (which
 * sends START and ECHO, dataplane/trigger_tx.c) and the listener that
 * spawns the target on START (drivers/trigger.c, in the agent or in
 * lvperf itself). No DPDK here: the listener builds without it, so the
 * coding is static inline and unit-tested on bytes.
 *
 * One datagram is 32 bytes, all integers big-endian:
 *   0  "LVPT"   magic
 *   4  u8       version (TRIGGER_MSG_VERSION)
 *   5  u8       type: 1 START, 2 ECHO, 3 ECHO_REPLY
 *   6  u16      0
 *   8  u64      nonce: the run's; a listener acts only on its own
 *   16 u32      sequence (echoes; 0 for START)
 *   20 u32      0
 *   24 u64      the appliance's TSC read just before the TX burst
 * An ECHO_REPLY is the ECHO's 32 bytes with the type changed.
 */
#ifndef LVP_TRIGGER_FMT_H
#define LVP_TRIGGER_FMT_H

#include <stddef.h>
#include <stdint.h>

#define TRIGGER_MAGIC 0x4c565054u /* "LVPT" */
#define TRIGGER_MSG_VERSION 1
#define TRIGGER_MSG_LEN 32
#define TRIGGER_UDP_PORT 1338 /* the listener's default port (the beacon's + 1) */

enum trigger_type {
	TRIGGER_START = 1,
	TRIGGER_ECHO = 2,
	TRIGGER_ECHO_REPLY = 3,
};

struct trigger_msg {
	uint8_t type;	 /* enum trigger_type */
	uint64_t nonce;
	uint32_t seq;
	uint64_t tx_tsc;
};

static inline void trigger_put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t trigger_get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Write m into buf (at least TRIGGER_MSG_LEN bytes). Returns the length. */
static inline size_t trigger_msg_put(uint8_t *buf, const struct trigger_msg *m)
{
	trigger_put_be(buf, TRIGGER_MAGIC, 4);
	buf[4] = TRIGGER_MSG_VERSION;
	buf[5] = m->type;
	trigger_put_be(buf + 6, 0, 2);
	trigger_put_be(buf + 8, m->nonce, 8);
	trigger_put_be(buf + 16, m->seq, 4);
	trigger_put_be(buf + 20, 0, 4);
	trigger_put_be(buf + 24, m->tx_tsc, 8);
	return TRIGGER_MSG_LEN;
}

/* Parse len bytes at buf into m. Returns 0, or -1 when they are not a
 * trigger datagram of this version (wrong length, magic, version, type). */
static inline int trigger_msg_get(const uint8_t *buf, size_t len, struct trigger_msg *m)
{
	if (len != TRIGGER_MSG_LEN || trigger_get_be(buf, 4) != TRIGGER_MAGIC ||
	    buf[4] != TRIGGER_MSG_VERSION || buf[5] < TRIGGER_START || buf[5] > TRIGGER_ECHO_REPLY)
		return -1;
	m->type = buf[5];
	m->nonce = trigger_get_be(buf + 8, 8);
	m->seq = (uint32_t)trigger_get_be(buf + 16, 4);
	m->tx_tsc = trigger_get_be(buf + 24, 8);
	return 0;
}

#endif
