/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resp_load.h"
#include "rng.h"

int resp_load_init(struct resp_load *r, uint32_t max_conns, uint32_t pipeline, double set_fraction,
		   uint64_t keyspace, uint32_t value_size, uint64_t seed)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (!pipeline || set_fraction < 0 || set_fraction > 1)
		return -EINVAL;
	rc = resp_gen_init(&r->gen, value_size, keyspace);
	if (rc)
		return rc;
	r->parsers = calloc(max_conns, sizeof(*r->parsers));
	/* each connection's FIFO a power of two: masks, not %, per request */
	for (r->op_slots = 1; r->op_slots < pipeline; r->op_slots <<= 1)
		;
	r->ops = calloc((size_t)max_conns * r->op_slots, 1);
	r->op_head = calloc(max_conns, sizeof(uint32_t));
	r->op_count = calloc(max_conns, sizeof(uint32_t));
	if (!r->parsers || !r->ops || !r->op_head || !r->op_count) {
		resp_load_free(r);
		return -ENOMEM;
	}
	r->pipeline = pipeline;
	r->value_size = value_size;
	r->keyspace = keyspace;
	r->set_per_2_32 = set_fraction >= 1 ? UINT32_MAX : (uint32_t)(set_fraction * 4294967296.0);
	r->rng = seed ? seed : 0x853c49e6748fea9bull;
	return 0;
}

void resp_load_free(struct resp_load *r)
{
	resp_gen_free(&r->gen);
	free(r->parsers);
	free(r->ops);
	free(r->op_head);
	free(r->op_count);
	r->parsers = NULL;
	r->ops = NULL;
	r->op_head = r->op_count = NULL;
}

uint32_t resp_load_req_max(const struct resp_load *r)
{
	size_t g = resp_gen_len(&r->gen, RESP_OP_GET), s = resp_gen_len(&r->gen, RESP_OP_SET);

	return (uint32_t)(g > s ? g : s);
}

static void resp_load_reset(void *ctx, uint32_t conn)
{
	struct resp_load *r = ctx;

	resp_parser_init(&r->parsers[conn]);
	r->op_head[conn] = 0;
	r->op_count[conn] = 0;
}

static uint32_t resp_load_request(void *ctx, uint32_t conn, uint8_t *out, uint32_t cap)
{
	struct resp_load *r = ctx;
	uint64_t x = rng_next(&r->rng);
	enum resp_op op;
	size_t n;

	if (r->op_count[conn] == r->pipeline)
		return 0;
	if (r->set_per_2_32 == UINT32_MAX)
		op = RESP_OP_SET;
	else
		op = (uint32_t)x < r->set_per_2_32 ? RESP_OP_SET : RESP_OP_GET;
	/* Key uniform in [0, keyspace) from the high bits (Lemire's multiply-shift). */
	n = resp_gen_request(&r->gen, op, (uint64_t)(((unsigned __int128)(x >> 32 | x << 32) * r->keyspace) >> 64),
			     out, cap);
	if (!n)
		return 0;
	r->ops[(size_t)conn * r->op_slots + ((r->op_head[conn] + r->op_count[conn]) & (r->op_slots - 1))] =
		(uint8_t)op;
	r->op_count[conn]++;
	if (op == RESP_OP_SET)
		r->sets++;
	else
		r->gets++;
	return (uint32_t)n;
}

static int resp_load_parse(void *ctx, uint32_t conn, const uint8_t *data, uint32_t len,
			   struct load_reply *lr, int *done, int *err)
{
	struct resp_load *r = ctx;
	struct resp_reply reply;
	enum resp_err e = RESP_OK;
	int n = resp_parse(&r->parsers[conn], data, len, &reply, done, &e);
	enum resp_op op;
	int check;

	if (n < 0) {
		*err = (int)e;
		return -1;
	}
	if (!*done)
		return n;
	if (!r->op_count[conn]) { /* a reply to nothing we asked */
		*err = RESP_ERR__COUNT;
		return -1;
	}
	op = (enum resp_op)r->ops[(size_t)conn * r->op_slots + r->op_head[conn]];
	r->op_head[conn] = (r->op_head[conn] + 1) & (r->op_slots - 1);
	r->op_count[conn]--;
	check = resp_check(op, &reply, r->value_size);
	lr->ok = check == RESP_CHECK_OK;
	lr->cls = lr->ok ? (reply.kind == RESP_NIL ? RESP_LOAD_NIL : RESP_LOAD_OK) : (uint8_t)(check + 1);
	lr->keep_alive = 1;
	lr->bytes = reply.bytes;
	return n;
}

static int resp_load_eof(void *ctx, uint32_t conn, struct load_reply *lr)
{
	(void)ctx;
	(void)conn;
	(void)lr;
	return 0; /* RESP replies never end at close */
}

static const char *resp_load_err_name(int err)
{
	return err == RESP_ERR__COUNT ? "unsolicited_reply" : resp_err_name((enum resp_err)err);
}

const struct load_proto load_proto_resp = {
	.name = "resp",
	.class_names = { "ok", "nil", "error_reply", "wrong_type", "wrong_size", NULL, NULL, NULL },
	.err_name = resp_load_err_name,
	.conn_reset = resp_load_reset,
	.request = resp_load_request,
	.parse = resp_load_parse,
	.eof = resp_load_eof,
};
