/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http_load.h"

int http_load_init(struct http_load *h, uint32_t max_conns, const char *path, const char *host,
		   const char *const *extra, unsigned n_extra)
{
	int rc;

	memset(h, 0, sizeof(*h));
	rc = http_req_build(&h->req, NULL, path, host, extra, n_extra);
	if (rc)
		return rc;
	h->parsers = calloc(max_conns, sizeof(*h->parsers));
	h->bad = calloc(max_conns, 1);
	if (!h->parsers || !h->bad) {
		http_load_free(h);
		return -ENOMEM;
	}
	h->max_conns = max_conns;
	return 0;
}

void http_load_free(struct http_load *h)
{
	free(h->parsers);
	free(h->bad);
	h->parsers = NULL;
	h->bad = NULL;
}

void http_load_verify(struct http_load *h, const uint8_t *body, uint64_t len)
{
	h->verify = body;
	h->verify_len = len;
}

static void http_load_reset(void *ctx, uint32_t conn)
{
	struct http_load *h = ctx;

	http_parser_init(&h->parsers[conn]);
	h->bad[conn] = 0;
}

static uint32_t http_load_request(void *ctx, uint32_t conn, uint8_t *out, uint32_t cap)
{
	const struct http_load *h = ctx;

	(void)conn;
	if (cap < h->req.len)
		return 0;
	memcpy(out, h->req.buf, h->req.len);
	return h->req.len;
}

static void http_load_fill(const struct http_resp *resp, struct load_reply *r)
{
	r->cls = resp->status >= 100 && resp->status < 600 ? (uint8_t)(resp->status / 100) : 0;
	r->ok = r->cls == 2;
	r->keep_alive = resp->keep_alive;
	r->bytes = resp->header_bytes + resp->body_bytes;
}

/*
 * The body bytes a call consumed are the last ones it consumed (headers
 * come first), so with a Content-Length body they are compared in place
 * with the expected body at the offset the parser had reached.
 */
static int http_load_check_body(struct http_load *h, uint32_t conn, const uint8_t *data, int n,
				uint64_t before, uint64_t after, int done)
{
	uint64_t delta = after - before;

	if (before + delta > h->verify_len || delta > (uint64_t)n ||
	    memcmp(data + n - delta, h->verify + before, delta) != 0)
		h->bad[conn] = 1;
	if (done && (after != h->verify_len || h->bad[conn]))
		return -1;
	return 0;
}

/*
 * p fresh, data the start of a response: its header block, when it ends in
 * data, taken from the memo if it holds the same bytes, else parsed here
 * and kept in the memo. Left to the caller's parse (0 returned, p as it
 * was): a block that does not end in data or in the memo's length, and
 * one the parser refuses or that ends the response (no body), so that
 * those say so there. Returns the bytes taken into p.
 */
static uint32_t http_load_headers(struct http_load *h, struct http_parser *p, const uint8_t *data,
				  uint32_t len)
{
	struct http_parser q;
	struct http_resp resp;
	enum http_err e = HTTP_OK;
	const uint8_t *end;
	uint32_t hlen;
	int done;

	if (h->memo_len && len >= h->memo_len && memcmp(data, h->memo, h->memo_len) == 0) {
		*p = h->memo_state;
		h->memo_hits++;
		return h->memo_len;
	}
	end = memmem(data, len < HTTP_LOAD_MEMO_MAX ? len : HTTP_LOAD_MEMO_MAX, "\r\n\r\n", 4);
	if (!end)
		return 0;
	hlen = (uint32_t)(end - data) + 4;
	q = *p;
	if (http_parse(&q, data, hlen, &resp, &done, &e) != (int)hlen || done)
		return 0;
	memcpy(h->memo, data, hlen);
	h->memo_len = hlen;
	h->memo_state = q;
	h->memo_learned++;
	*p = q;
	return hlen;
}

static int http_load_parse(void *ctx, uint32_t conn, const uint8_t *data, uint32_t len,
			   struct load_reply *r, int *done, int *err)
{
	struct http_load *h = ctx;
	struct http_parser *p = &h->parsers[conn];
	uint32_t skip = http_parser_fresh(p) ? http_load_headers(h, p, data, len) : 0;
	uint64_t before = p->body_bytes;
	struct http_resp resp;
	enum http_err e = HTTP_OK;
	int n = http_parse(p, data + skip, len - skip, &resp, done, &e);

	if (n < 0) {
		*err = (int)e;
		return -1;
	}
	if (h->verify && http_load_check_body(h, conn, data + skip, n, before,
					      *done ? resp.body_bytes : p->body_bytes, *done)) {
		*err = HTTP_LOAD_ERR_BODY;
		return -1;
	}
	if (*done) {
		http_load_fill(&resp, r);
		h->bad[conn] = 0;
	}
	return n + (int)skip;
}

static int http_load_eof(void *ctx, uint32_t conn, struct load_reply *r)
{
	struct http_load *h = ctx;
	struct http_resp resp;

	if (!http_parser_eof(&h->parsers[conn], &resp))
		return 0;
	http_load_fill(&resp, r);
	r->keep_alive = 0;
	return 1;
}

static const char *http_load_err_name(int err)
{
	return err == HTTP_LOAD_ERR_BODY ? "body_mismatch" : http_err_name((enum http_err)err);
}

const struct load_proto load_proto_http = {
	.name = "http",
	.class_names = { "other", "1xx", "2xx", "3xx", "4xx", "5xx", NULL, NULL },
	.err_name = http_load_err_name,
	.conn_reset = http_load_reset,
	.request = http_load_request,
	.parse = http_load_parse,
	.eof = http_load_eof,
};
