/* SPDX-License-Identifier: BSD-3-Clause
 * The reflector's request parser (dataplane/responder.c): requests split at
 * every byte boundary give the same operations in the same order; RESP
 * requests are the generator's own bytes (resp_gen), so what lvperf kv
 * sends is what lvperf reflect counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "resp.h"
#include "responder.h"

#define OPS_MAX 64

struct ops {
	enum responder_op op[OPS_MAX];
	unsigned n;
};

static void record(void *ctx, enum responder_op op)
{
	struct ops *o = ctx;

	assert_true(o->n < OPS_MAX);
	o->op[o->n++] = op;
}

/* Feed s in two pieces cut at every position and byte by byte: each gives
 * want[0..n) and no error. */
static void feed_every_split(enum responder_proto proto, const uint8_t *s, size_t len,
			     const enum responder_op *want, unsigned n)
{
	for (size_t cut = 0; cut <= len; cut++) {
		struct responder_parser p;
		struct ops o = { .n = 0 };

		memset(&p, 0, sizeof(p));
		assert_int_equal(responder_parse(&p, proto, s, (uint32_t)cut, record, &o), 0);
		assert_int_equal(responder_parse(&p, proto, s + cut, (uint32_t)(len - cut), record, &o), 0);
		assert_int_equal(o.n, n);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(o.op[i], want[i]);
	}
	{
		struct responder_parser p;
		struct ops o = { .n = 0 };

		memset(&p, 0, sizeof(p));
		for (size_t i = 0; i < len; i++)
			assert_int_equal(responder_parse(&p, proto, s + i, 1, record, &o), 0);
		assert_int_equal(o.n, n);
	}
}

static void test_http_requests_split(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n"
				"GET /f1k HTTP/1.1\r\nHost: a\r\nX: \r\r\n\r\n" /* a stray CR before the end */
				"GET / HTTP/1.1\r\n\r\n";
	static const enum responder_op want[] = { RESPONDER_OP_HTTP, RESPONDER_OP_HTTP, RESPONDER_OP_HTTP };

	(void)state;
	feed_every_split(RESPONDER_HTTP, (const uint8_t *)s, sizeof(s) - 1, want, 3);
}

static void test_http_partial_is_not_a_request(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: x\r\n\r";
	struct responder_parser p;
	struct ops o = { .n = 0 };

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(responder_parse(&p, RESPONDER_HTTP, (const uint8_t *)s, sizeof(s) - 1, record, &o), 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(responder_parse(&p, RESPONDER_HTTP, (const uint8_t *)"\n", 1, record, &o), 0);
	assert_int_equal(o.n, 1);
}

static void test_resp_generator_bytes_split(void **state)
{
	struct resp_gen g;
	uint8_t buf[512];
	size_t len = 0;
	static const char other[] = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$5\r\n*\r\n$\r\r\n";
	static const enum responder_op want[] = { RESPONDER_OP_GET, RESPONDER_OP_SET, RESPONDER_OP_GET,
						  RESPONDER_OP_UNKNOWN, RESPONDER_OP_SET };

	(void)state;
	/* 16-byte values that look like RESP themselves: bulk data is skipped
	 * by length, never parsed. */
	assert_int_equal(resp_gen_init(&g, 16, 1000), 0);
	len += resp_gen_request(&g, RESP_OP_GET, 7, buf + len, sizeof(buf) - len);
	len += resp_gen_request(&g, RESP_OP_SET, 999, buf + len, sizeof(buf) - len);
	len += resp_gen_request(&g, RESP_OP_GET, 0, buf + len, sizeof(buf) - len);
	resp_gen_free(&g);
	memcpy(buf + len, other, sizeof(other) - 1); /* PING, and a lower-case SET of "*\r\n$\r" */
	len += sizeof(other) - 1;
	feed_every_split(RESPONDER_RESP, buf, len, want, 5);
}

static void test_resp_bad_byte_drops_and_recovers(void **state)
{
	static const char bad[] = "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
	static const char good[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
	struct responder_parser p;
	struct ops o = { .n = 0 };

	(void)state;
	memset(&p, 0, sizeof(p));
	/* An inline command is not spoken: the whole segment is dropped. */
	assert_int_equal(responder_parse(&p, RESPONDER_RESP, (const uint8_t *)bad, sizeof(bad) - 1, record, &o),
			 -EBADMSG);
	assert_int_equal(o.n, 0);
	assert_int_equal(responder_parse(&p, RESPONDER_RESP, (const uint8_t *)good, sizeof(good) - 1, record, &o),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.op[0], RESPONDER_OP_GET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_requests_split),
		cmocka_unit_test(test_http_partial_is_not_a_request),
		cmocka_unit_test(test_resp_generator_bytes_split),
		cmocka_unit_test(test_resp_bad_byte_drops_and_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
