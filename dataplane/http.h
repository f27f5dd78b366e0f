/* SPDX-License-Identifier: BSD-3-Clause
 * HTTP/1.1, client side: the request sent on every connection, built once
 * at start, and an incremental response parser fed with the in-order
 * payload bytes of a TCP connection (RFC 9110, RFC 9112).
 *
 * Plain C11, no DPDK, no allocation. The parser keeps no copy of the bytes:
 * it scans them once with a state machine whose whole state is
 * struct http_parser, so a response may be split at any byte.
 */
#ifndef LVP_HTTP_H
#define LVP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_REQ_MAX 2048
/* Most bytes a status line plus header section may take (no buffer is
 * behind it: it stops a server that never ends its headers). */
#define HTTP_HEADER_MAX 65536

struct http_req_tmpl {
	uint16_t len; /* bytes of the request in buf, without the final NUL */
	char buf[HTTP_REQ_MAX];
};

/*
 * Build "METHOD PATH HTTP/1.1\r\nHost: HOST\r\nUser-Agent: lvperf\r\n
 * Connection: keep-alive\r\n<extra[0]\r\n>...\r\n" into t, once at start.
 * method: a token, GET when NULL. path: non-empty, no SP or control bytes.
 * host: non-empty, no SP or control bytes. extra: n_extra strings
 * "Name: value" (Name a non-empty token followed by a colon; no CR, LF or
 * other control byte but HTAB); may be NULL when n_extra is 0. Nothing is
 * kept from the arguments. buf is NUL-terminated, so the request may be at
 * most HTTP_REQ_MAX - 1 bytes.
 * Returns 0, -EINVAL on a bad argument or -E2BIG when it does not fit; on
 * error t->len is 0.
 */
int http_req_build(struct http_req_tmpl *t, const char *method, const char *path,
		   const char *host, const char *const *extra, unsigned n_extra);

enum http_err {
	HTTP_OK = 0,
	HTTP_ERR_STATUS_LINE,	    /* not "HTTP/1.x SSS ...", SSS < 100 */
	HTTP_ERR_HEADER,	    /* bad field name, no colon, bad line end, obs-fold */
	HTTP_ERR_HEADER_TOO_LONG,   /* status line + headers > HTTP_HEADER_MAX */
	HTTP_ERR_CONTENT_LENGTH,    /* not digits, overflow, or two different values */
	HTTP_ERR_CHUNK,		    /* bad chunk size line or missing CRLF after data */
	HTTP_ERR_VERSION,	    /* HTTP/ major version other than 1 */
	HTTP_ERR__COUNT
};

/* "ok", "status_line", "header", "header_too_long", "content_length",
 * "chunk", "version"; "unknown" for anything else. Static string. */
const char *http_err_name(enum http_err e);

/*
 * Response parser state, one per connection (40 bytes). Opaque: only the
 * functions below touch it.
 */
struct http_parser {
	uint64_t remain;     /* body bytes left, or a number being read */
	uint64_t clen;	     /* Content-Length of the headers */
	uint64_t body_bytes; /* of this response so far */
	uint32_t header_bytes;
	uint16_t status;
	uint8_t state;
	uint8_t flags;
	uint8_t hdr;  /* header whose value is being read */
	uint8_t mask; /* names/tokens still matching */
	uint8_t pos;  /* bytes matched of the current name/token/field */
	uint8_t err;  /* enum http_err once failed */
};

/* Make p ready for the first response of a connection. */
void http_parser_init(struct http_parser *p);

/* Whether p stands before the first byte of a response with nothing
 * pending (as http_parser_init leaves it; not after
 * http_parser_expect_no_body): from there its state after any given bytes
 * depends on those bytes alone. */
int http_parser_fresh(const struct http_parser *p);

/*
 * Say that the next response answers a HEAD request: it has no body
 * whatever its headers say (RFC 9110 9.3.2). Call after http_parser_init or
 * after the previous response completed, before its first byte; it lasts
 * for one response.
 */
void http_parser_expect_no_body(struct http_parser *p);

/* What one finished response was. */
struct http_resp {
	uint16_t status;
	uint8_t keep_alive; /* 0 when "Connection: close", HTTP/1.0 without
			     * "Connection: keep-alive", or the body ran until close */
	uint64_t header_bytes; /* status line through the empty line */
	uint64_t body_bytes;   /* body on the wire, chunk framing and trailers included:
				* header_bytes + body_bytes is the whole response */
};

/*
 * Feed len bytes of a connection's in-order payload (len may be 0). Returns
 * the number of bytes consumed (<= len). *done is set to 0, or to 1 when a
 * response completed: then the return value is the offset right after its
 * last byte, *out is filled and p is re-armed for the next response, so the
 * caller calls again with data + consumed for pipelined responses. When no
 * response completes all len bytes are consumed.
 * Responses to 1xx/204/304 (and HEAD, see above) have no body; 1xx ones are
 * reported like any other (status < 200: not the final answer; after 101
 * the bytes are no longer HTTP). A response with Transfer-Encoding whose
 * last coding is not chunked, or with neither length nor chunked, runs
 * until the connection closes: it never completes here (see
 * http_parser_eof).
 * On malformed input returns -1 with *err set; p then keeps failing with
 * the same error until http_parser_init (the caller is to reopen the
 * connection). data is only read during the call; len above INT_MAX is
 * taken as INT_MAX. Field names are checked for visible bytes up to the
 * colon (no SP before it, no empty name), not for the full token grammar.
 */
int http_parse(struct http_parser *p, const uint8_t *data, size_t len, struct http_resp *out,
	       int *done, enum http_err *err);

/*
 * The connection was closed by the peer. Returns 1 and fills *out (and
 * re-arms p) when that completes a response whose body runs until close,
 * 0 otherwise (nothing pending, or a response cut short).
 */
int http_parser_eof(struct http_parser *p, struct http_resp *out);

#endif
