/* SPDX-License-Identifier: BSD-3-Clause
 * Redis RESP as a load_proto: GET/SET requests like redis-benchmark's
 * (-r keyspace, -d value size), one reply parser per connection, and the
 * operation of every outstanding request so each reply is checked against
 * what its request expects.
 */
#ifndef LVP_RESP_LOAD_H
#define LVP_RESP_LOAD_H

#include "load.h"
#include "resp.h"

/* Reply classes (load_reply.cls): a correct reply; a GET of a missing key
 * (nil, correct too); then the resp_check failures. */
enum resp_load_class {
	RESP_LOAD_OK = 0,
	RESP_LOAD_NIL,
	RESP_LOAD_ERROR_REPLY,
	RESP_LOAD_WRONG_TYPE,
	RESP_LOAD_WRONG_SIZE,
};

struct resp_load {
	struct resp_gen gen;
	struct resp_parser *parsers; /* [max_conns] */
	uint8_t *ops;		     /* [max_conns * op_slots] FIFO of outstanding ops */
	uint32_t *op_head;	     /* [max_conns] */
	uint32_t *op_count;	     /* [max_conns] */
	uint32_t pipeline;
	uint32_t op_slots;	     /* per connection: pipeline rounded up to a power of two */
	uint32_t value_size;
	uint64_t keyspace;
	uint32_t set_per_2_32;	     /* P(SET) scaled to 2^32 */
	uint64_t rng;
	uint64_t gets, sets;
};

/*
 * set_fraction: 0 all GET, 1 all SET, in between mixed. Allocates once.
 * Returns 0 or -EINVAL/-E2BIG/-ENOMEM.
 */
int resp_load_init(struct resp_load *r, uint32_t max_conns, uint32_t pipeline, double set_fraction,
		   uint64_t keyspace, uint32_t value_size, uint64_t seed);
void resp_load_free(struct resp_load *r);

/* The longest request (sizes the TCP send rings). */
uint32_t resp_load_req_max(const struct resp_load *r);

extern const struct load_proto load_proto_resp;

#endif
