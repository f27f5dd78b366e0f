/* SPDX-License-Identifier: BSD-3-Clause
 * HTTP/1.1 as a load_proto: the request template and one response parser
 * per connection.
 */
#ifndef LVP_HTTP_LOAD_H
#define LVP_HTTP_LOAD_H

#include "http.h"
#include "load.h"

/* Longest header block the memo holds (struct http_load). */
#define HTTP_LOAD_MEMO_MAX 1024

struct http_load {
	struct http_req_tmpl req;
	struct http_parser *parsers; /* [max_conns] */
	uint8_t *bad;		     /* [max_conns]: this response's body differs */
	uint32_t max_conns;
	const uint8_t *verify;	     /* expected body of every response, or NULL */
	uint64_t verify_len;
	/* The memo: the last header block parsed from a fresh parser that
	 * ended (through its CRLFCRLF) in the same received segment it began
	 * in, at the segment's start or after the response before it, and
	 * that parser's state after it. A response that
	 * begins with the same bytes takes that state instead of parsing
	 * them again: same bytes from a fresh parser, same state (a server
	 * sends the same headers but for Date, once a second). */
	uint8_t memo[HTTP_LOAD_MEMO_MAX];
	uint32_t memo_len; /* 0: empty */
	struct http_parser memo_state;
	uint64_t memo_hits;    /* header blocks taken from the memo */
	uint64_t memo_learned; /* header blocks parsed into it */
};

/* Protocol error index of a body that is not the expected one. */
#define HTTP_LOAD_ERR_BODY HTTP_ERR__COUNT

/* Build the GET template for path and host, allocate the parsers. Returns
 * 0 or -EINVAL/-E2BIG/-ENOMEM. */
int http_load_init(struct http_load *h, uint32_t max_conns, const char *path, const char *host,
		   const char *const *extra, unsigned n_extra);
void http_load_free(struct http_load *h);

/* Check every response body against body[0..len) (Content-Length bodies,
 * byte by byte as they arrive); a mismatch is a protocol error
 * "body_mismatch" and the connection is reopened. body must outlive h. */
void http_load_verify(struct http_load *h, const uint8_t *body, uint64_t len);

/* Reply classes: 1..5 the status class (2 = 2xx), 0 anything else; a
 * reply is ok when it is 2xx. Errors: enum http_err. */
extern const struct load_proto load_proto_http;

#endif
