/* SPDX-License-Identifier: BSD-3-Clause
 * Redis serialization protocol (RESP2): GET/SET request templates and an
 * incremental reply parser for the Redis load generator.
 *
 * Requests are built like redis-benchmark builds them: keys
 * "key:__rand_int__" with -r, i.e. "key:" and 12 zero-padded decimal
 * digits, values of 'x' bytes, each command sent as a RESP array of bulk
 * strings (https://redis.io/docs/reference/protocol-spec/).
 *
 * Replies arrive from TCP as in-order bytes cut at arbitrary points; the
 * parser keeps a few bytes of state per connection and never buffers or
 * copies: bulk bodies are skipped by subtraction. Integers follow the
 * grammar of redis' string2ll() (util.c): optional '-', no leading zeros,
 * no "-0", value within int64. Only RESP2 is spoken (no HELLO 3), so the
 * RESP3 type bytes are rejected.
 *
 * Plain C11, no DPDK; only resp_gen_init() allocates.
 */
#ifndef LVP_RESP_H
#define LVP_RESP_H

#include <stddef.h>
#include <stdint.h>

#define RESP_KEY_DIGITS	  12		   /* redis-benchmark's __rand_int__ width */
#define RESP_KEYSPACE_MAX 1000000000000ull /* 10^12: every key fits 12 digits */
#define RESP_VALUE_MAX	  (64u * 1024u)
#define RESP_MAX_DEPTH	  8	     /* open arrays inside one reply */
#define RESP_LINE_MAX	  4096	     /* a +/- line longer than this is refused */
#define RESP_REPLY_MAX	  UINT32_MAX /* total bytes of one reply */

enum resp_op { RESP_OP_GET, RESP_OP_SET };

/* The two requests, prepared once; only the key digits change per request. */
struct resp_gen {
	uint8_t *buf;	   /* GET request, then SET request; one allocation */
	size_t len[2];	   /* by enum resp_op */
	size_t off[2];	   /* start of each request in buf */
	size_t key_off[2]; /* first of the 12 key digits, from the request start */
	uint32_t value_size;
	uint64_t keyspace;
	int key_digits;	   /* digits of keyspace - 1: the only ones a key changes */
};

/* Prepare the templates for values of value_size bytes (0..RESP_VALUE_MAX)
 * and keys 0..keyspace-1 (1 <= keyspace <= RESP_KEYSPACE_MAX). Returns 0,
 * -EINVAL for keyspace 0, -E2BIG for a value or keyspace beyond the limits,
 * -ENOMEM. On success g owns memory until resp_gen_free(). */
int resp_gen_init(struct resp_gen *g, uint32_t value_size, uint64_t keyspace);

/* Release what resp_gen_init() allocated; g may then be initialised again.
 * Safe on a zeroed or already freed g. */
void resp_gen_free(struct resp_gen *g);

/* Write the request for op on key number key into out (cap bytes): a copy
 * of the template with the 12 key digits patched. Returns the bytes written
 * (resp_gen_len(g, op)), or 0 if cap is too small or key >= keyspace. */
size_t resp_gen_request(const struct resp_gen *g, enum resp_op op, uint64_t key, uint8_t *out,
			size_t cap);

/* Length of every request for op; constant after resp_gen_init(). */
size_t resp_gen_len(const struct resp_gen *g, enum resp_op op);

/* Reply classes counted by the load generator. */
enum resp_kind {
	RESP_SIMPLE,  /* +line */
	RESP_ERROR,   /* -line */
	RESP_INTEGER, /* :n */
	RESP_BULK,    /* $n with n >= 0 */
	RESP_NIL,     /* $-1 or *-1 */
	RESP_ARRAY,   /* *n with n >= 0, elements of any type, nested or not */
};

/* Why resp_parse() refused its input. */
enum resp_err {
	RESP_OK = 0,
	RESP_ERR_TYPE,		/* a type byte other than + - : $ * */
	RESP_ERR_LENGTH,	/* bad $ or * length, a bulk body not ended by CRLF,
				   or a reply over RESP_REPLY_MAX bytes */
	RESP_ERR_INTEGER,	/* bad ':' line: not digits, beyond int64 (inside
				   an array: more than 19 digits) */
	RESP_ERR_NESTING,	/* more than RESP_MAX_DEPTH arrays open */
	RESP_ERR_LINE_TOO_LONG, /* a +/- line over RESP_LINE_MAX bytes */
	RESP_ERR__COUNT
};

/* Short constant name of e ("type", "length", ...), "?" if out of range. */
const char *resp_err_name(enum resp_err e);

/* One complete top-level reply. */
struct resp_reply {
	enum resp_kind kind;
	int64_t integer;   /* bulk length, array count, integer value; -1 for nil;
			      0 for simple and error */
	uint64_t bytes;	   /* total reply bytes, type byte to final CRLF */
	uint8_t simple_ok; /* RESP_SIMPLE and the line is exactly "OK" */
};

/* Parser state of one connection; 48 bytes (see resp.c for the layout). */
struct resp_parser {
	union {
		uint32_t left[RESP_MAX_DEPTH]; /* elements still due per open array */
		uint64_t mag;		       /* top-level ':' magnitude so far */
	} u;
	uint32_t num;	/* value of the $ or * digits so far, then bulk bytes
			   still due; nested ':' digit count; +/- line length */
	uint32_t value; /* top-level bulk length or array count */
	uint32_t bytes; /* bytes of this reply consumed by earlier calls */
	uint8_t state;
	uint8_t depth; /* arrays open */
	uint8_t type;  /* type byte of the element being read */
	uint8_t flags;
};

/* Arm p for the first reply of a connection. */
void resp_parser_init(struct resp_parser *p);

/* Feed the next len bytes of the connection. Returns the bytes consumed
 * (<= len). When a reply completes it stops right after that reply's last
 * byte, fills *out, sets *done = 1 and re-arms for the next reply; the
 * caller calls again with the rest. Otherwise all len bytes are consumed
 * and *done = 0. On malformed input returns -1 with *err set; p is then
 * undefined until resp_parser_init() (the connection should be dropped).
 * At most INT_MAX bytes are looked at per call. */
int resp_parse(struct resp_parser *p, const uint8_t *data, size_t len, struct resp_reply *out,
	       int *done, enum resp_err *err);

/* Result classes of resp_check(). */
enum resp_check {
	RESP_CHECK_OK = 0,
	RESP_CHECK_ERROR_REPLY, /* the server answered -ERR..., -WRONGTYPE... */
	RESP_CHECK_WRONG_TYPE,	/* a reply of a kind the request never gets */
	RESP_CHECK_WRONG_SIZE,	/* GET: a bulk whose length is not value_size */
	RESP_CHECK__COUNT
};

/* Short constant name of c ("ok", "error_reply", ...), "?" if out of range. */
const char *resp_check_name(enum resp_check c);

/* Check reply r against what op expects: SET gets +OK; GET gets a bulk of
 * exactly value_size bytes, or nil (a missing key is not an error).
 * Returns RESP_CHECK_OK (0) on a match, else another enum resp_check. */
int resp_check(enum resp_op op, const struct resp_reply *r, uint32_t value_size);

#endif
