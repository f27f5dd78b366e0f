/* SPDX-License-Identifier: BSD-3-Clause
 * HTTP/1.1 client side: request template and incremental response parser.
 *
 * Grammar from RFC 9112 (message syntax) and RFC 9110 (semantics):
 *   status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF  (9112 4)
 *   field-line  = field-name ":" OWS field-value OWS                     (9112 5)
 *   chunk       = chunk-size [ chunk-ext ] CRLF chunk-data CRLF          (9112 7.1)
 *   last-chunk  = 1*"0" [ chunk-ext ] CRLF, trailer-section, CRLF
 * Message body length: 9112 6.3. As 9112 2.2 allows, a bare LF ends a line
 * as well as CRLF. Content of fields we do not interpret (and of the reason
 * phrase, chunk extensions and trailers) is skipped up to the LF unchecked.
 *
 * One state machine takes the bytes one at a time wherever a call may end.
 * Where a whole piece is in the buffer, fast paths take it at once: the
 * status line, a header line (memchr for its LF, the name 8 bytes at a
 * time, compared as 64-bit words), a whole Connection/Transfer-Encoding
 * token, and Content-Length bodies and chunk data (a subtraction). Both ways
 * give the same results: tests/test_http.c splits every input at every byte.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "http.h"

enum http_state {
	/* status line */
	ST_VERSION = 0, /* must be 0: http_parser_init zeroes */
	ST_MAJOR,
	ST_DOT,
	ST_MINOR,
	ST_SP,
	ST_CODE,
	ST_CODE_END,
	ST_STATUS_LF,
	ST_REASON,
	/* header section */
	ST_LINE_START,
	ST_END_LF,
	ST_NAME,
	ST_NAME_SKIP,
	ST_VALUE_SKIP,
	ST_VALUE_CLEN,
	ST_VALUE_TOKEN,
	ST_VALUE_LF,
	/* body: every state from here on */
	ST_BODY_CLEN,
	ST_CHUNK_SIZE,
	ST_CHUNK_SIZE_MORE,
	ST_CHUNK_WS,
	ST_CHUNK_EXT,
	ST_CHUNK_SIZE_LF,
	ST_CHUNK_DATA,
	ST_CHUNK_DATA_CR,
	ST_CHUNK_DATA_LF,
	ST_TRAILER_START,
	ST_TRAILER_LF,
	ST_TRAILER_LINE,
	ST_UNTIL_CLOSE,
	ST_FAILED,
};

enum http_flag {
	F_HTTP10 = 1u << 0,
	F_CLEN = 1u << 1,    /* Content-Length seen, value in clen */
	F_TE = 1u << 2,	     /* Transfer-Encoding seen */
	F_CHUNKED = 1u << 3, /* its last coding so far is chunked */
	F_CLOSE = 1u << 4,
	F_KEEPALIVE = 1u << 5,
	F_NO_BODY = 1u << 6, /* answer to HEAD */
};

enum http_hdr { HDR_NONE = 0, HDR_CLEN, HDR_TE, HDR_CONN };

/* A few lowercase words matched byte by byte; bit b of a mask stands for s[b]. */
struct http_words {
	unsigned n;
	uint8_t len[3];
	const char *s[3];
};

/* Bit b - 1 is header HDR_* b. */
static const struct http_words http_names = {
	3, { 14, 17, 10 }, { "content-length", "transfer-encoding", "connection" }
};
static const struct http_words http_te_words = { 1, { 7 }, { "chunked" } };
static const struct http_words http_conn_words = { 2, { 5, 10 }, { "close", "keep-alive" } };

/* tchar of RFC 9110 5.6.2; bytes from 0x80 are 0. */
static const uint8_t http_tchar[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0x30 */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, /* 0x70 */
};

static inline int is_tchar(unsigned c)
{
	return http_tchar[c];
}

/*
 * A byte the parser takes as part of a field name: VCHAR but ':'. RFC 9110
 * 5.1 wants a token; separators are not rejected, which keeps the word-wise
 * scan below exact. SP, HTAB, control bytes and obs-text end the name.
 */
static inline int is_name_char(unsigned c)
{
	return c - 0x21 < 0x7f - 0x21 && c != ':';
}

static inline uint64_t load64(const void *s)
{
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

static inline uint32_t load32(const void *s)
{
	uint32_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

/* Length of the field name at s, which is followed by an LF at or before
 * end: the offset of the first byte that is not is_name_char. */
static inline size_t name_span(const uint8_t *s, const uint8_t *end)
{
	const uint8_t *q = s;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 8 bytes at a time, "determine if a word has a byte less than n"
	 * (Anderson, Bit Twiddling Hacks): (v - n * ones) & ~v & high is exact
	 * for the lowest flagged byte, which is all that is used. */
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;

	while (end - q >= 8) {
		uint64_t v = load64(q);
		uint64_t colon = v ^ (ones * ':');
		uint64_t del = v ^ (ones * 0x7f);
		uint64_t m = ((v - ones * 0x21) & ~v) | ((colon - ones) & ~colon) |
			     ((del - ones) & ~del) | v;

		m &= high;
		if (m)
			return (size_t)(q - s) + ((unsigned)__builtin_ctzll(m) >> 3);
		q += 8;
	}
#endif
	(void)end;
	while (is_name_char(*q))
		q++;
	return (size_t)(q - s);
}

/* 8 bytes of a field name, lowercased as in words_step. */
static inline uint64_t load64_lc(const uint8_t *s)
{
	return load64(s) | 0x2020202020202020ull;
}

/* HDR_* of a whole field name of n tchar bytes (the line fast path). */
static inline unsigned name_lookup(const uint8_t *s, size_t n)
{
	switch (n) {
	case 14:
		if (load64_lc(s) == load64("content-") && load64_lc(s + 6) == load64("t-length"))
			return HDR_CLEN;
		break;
	case 17:
		if (load64_lc(s) == load64("transfer") && load64_lc(s + 8) == load64("-encodin") &&
		    (s[16] | 0x20) == 'g')
			return HDR_TE;
		break;
	case 10:
		if (load64_lc(s) == load64("connecti") && load64_lc(s + 2) == load64("nnection"))
			return HDR_CONN;
		break;
	}
	return HDR_NONE;
}

/*
 * Drop from mask the words that do not have lc at pos. lc is the byte ORed
 * with 0x20: that lowercases letters and maps no other tchar, and no byte
 * but CR, onto a lowercase letter or '-'.
 */
static inline unsigned words_step(const struct http_words *w, unsigned mask, unsigned pos,
				  unsigned lc)
{
	for (unsigned b = 0; b < w->n; b++)
		if (((mask >> b) & 1) && (pos >= w->len[b] || (uint8_t)w->s[b][pos] != lc))
			mask &= ~(1u << b);
	return mask;
}

/* Index of the word matched whole by pos bytes, -1 if none. */
static inline int words_end(const struct http_words *w, unsigned mask, unsigned pos)
{
	for (unsigned b = 0; b < w->n; b++)
		if (((mask >> b) & 1) && pos == w->len[b])
			return (int)b;
	return -1;
}

static inline int is_token_end(unsigned c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
}

/*
 * Fast path of the value tokens: when s (with at least 11 bytes readable)
 * starts with a whole word that matters followed by the end of the token,
 * return its length | flags it sets << 8; else 0.
 */
static inline unsigned token_whole(unsigned hdr, const uint8_t *s)
{
	const uint32_t lc = 0x20202020u;

	if (hdr == HDR_TE) {
		if ((load32(s) | lc) == load32("chun") && (load32(s + 3) | lc) == load32("nked") &&
		    is_token_end(s[7]))
			return 7 | (F_TE | F_CHUNKED) << 8;
		return 0;
	}
	/* '-' checked as is: CR | 0x20 is '-' too */
	if (s[4] == '-' && (load64(s) | 0x2020202020202020ull) == load64("keep-ali") &&
	    (load32(s + 6) | lc) == load32("live") && is_token_end(s[10]))
		return 10 | F_KEEPALIVE << 8;
	if ((load32(s) | lc) == load32("clos") && (s[4] | 0x20) == 'e' && is_token_end(s[5]))
		return 5 | F_CLOSE << 8;
	return 0;
}

/* A token of a Transfer-Encoding or Connection value ended. */
static unsigned token_end(unsigned hdr, unsigned mask, unsigned pos, unsigned flags)
{
	int w;

	if (hdr == HDR_TE) {
		/* 9112 6.3: chunked counts only as the final coding. */
		flags |= F_TE;
		if (words_end(&http_te_words, mask, pos) == 0)
			flags |= F_CHUNKED;
		else
			flags &= ~(unsigned)F_CHUNKED;
		return flags;
	}
	w = words_end(&http_conn_words, mask, pos);
	if (w == 0)
		flags |= F_CLOSE;
	else if (w == 1)
		flags |= F_KEEPALIVE;
	return flags;
}

/* 9112 9.3: persistent unless "close"; HTTP/1.0 only with "keep-alive". */
static unsigned keep_alive(unsigned flags)
{
	if (flags & F_CLOSE)
		return 0;
	if (flags & F_HTTP10)
		return (flags & F_KEEPALIVE) != 0;
	return 1;
}

static inline unsigned hex_value(unsigned c)
{
	if (c - '0' < 10)
		return c - '0';
	c |= 0x20;
	if (c - 'a' < 6)
		return c - 'a' + 10;
	return 16;
}

static const char *const http_err_names[HTTP_ERR__COUNT] = {
	[HTTP_OK] = "ok",
	[HTTP_ERR_STATUS_LINE] = "status_line",
	[HTTP_ERR_HEADER] = "header",
	[HTTP_ERR_HEADER_TOO_LONG] = "header_too_long",
	[HTTP_ERR_CONTENT_LENGTH] = "content_length",
	[HTTP_ERR_CHUNK] = "chunk",
	[HTTP_ERR_VERSION] = "version",
};

const char *http_err_name(enum http_err e)
{
	if ((unsigned)e >= HTTP_ERR__COUNT)
		return "unknown";
	return http_err_names[e];
}

void http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
}

int http_parser_fresh(const struct http_parser *p)
{
	return p->state == ST_VERSION && !p->pos && !p->flags && !p->status && !p->header_bytes &&
	       !p->body_bytes && !p->remain && !p->clen && !p->hdr && !p->mask && !p->err;
}

void http_parser_expect_no_body(struct http_parser *p)
{
	p->flags |= F_NO_BODY;
}

int http_parse(struct http_parser *p, const uint8_t *data, size_t len, struct http_resp *out,
	       int *done, enum http_err *err)
{
	unsigned st = p->state, pos = p->pos, mask = p->mask, hdr = p->hdr, flags = p->flags;
	uint64_t remain = p->remain;
	size_t i = 0, mark = 0; /* mark: where this call's bytes of the current part began */
	enum http_err e;
	unsigned c;
	int w;

	*done = 0;
	if (st == ST_FAILED) {
		*err = (enum http_err)p->err;
		return -1;
	}
	if (len > INT_MAX)
		len = INT_MAX;

	while (i < len) {
		switch ((enum http_state)st) {
		case ST_VERSION:
			if (!pos && len - i >= 13) {
				/* fast path: "HTTP/1.x SSS" at once */
				const uint8_t *q = data + i;
				unsigned s0 = q[9] - '0', s1 = q[10] - '0', s2 = q[11] - '0';

				if (!memcmp(q, "HTTP/1.", 7) && (unsigned)q[7] - '0' < 10 &&
				    q[8] == ' ' && s0 < 10 && s1 < 10 && s2 < 10) {
					if (q[7] == '0')
						flags |= F_HTTP10;
					p->status = (uint16_t)(s0 * 100 + s1 * 10 + s2);
					if (p->status < 100)
						goto bad_status;
					i += 12;
					st = ST_CODE_END;
					break;
				}
			}
			if (data[i++] != (uint8_t)"HTTP/"[pos])
				goto bad_status;
			if (++pos == 5)
				st = ST_MAJOR;
			break;
		case ST_MAJOR:
			c = data[i++];
			if (c == '1') {
				st = ST_DOT;
				break;
			}
			if (c - '0' < 10) {
				e = HTTP_ERR_VERSION;
				goto fail;
			}
			goto bad_status;
		case ST_DOT:
			if (data[i++] != '.')
				goto bad_status;
			st = ST_MINOR;
			break;
		case ST_MINOR:
			c = data[i++];
			if (c - '0' >= 10)
				goto bad_status;
			if (c == '0')
				flags |= F_HTTP10;
			st = ST_SP;
			break;
		case ST_SP:
			if (data[i++] != ' ')
				goto bad_status;
			st = ST_CODE;
			pos = 0;
			break;
		case ST_CODE:
			c = (unsigned)data[i++] - '0';
			if (c >= 10)
				goto bad_status;
			p->status = (uint16_t)(p->status * 10 + c);
			if (++pos < 3)
				break;
			if (p->status < 100)
				goto bad_status;
			st = ST_CODE_END;
			break;
		case ST_CODE_END:
			c = data[i++];
			if (c == ' ')
				st = ST_REASON;
			else if (c == '\r')
				st = ST_STATUS_LF;
			else if (c == '\n')
				st = ST_LINE_START;
			else
				goto bad_status;
			break;
		case ST_STATUS_LF:
			if (data[i++] != '\n')
				goto bad_status;
			st = ST_LINE_START;
			break;
		case ST_REASON:
		case ST_VALUE_SKIP:
		case ST_CHUNK_EXT:
		case ST_TRAILER_LINE: {
			const uint8_t *lf = memchr(data + i, '\n', len - i);

			if (!lf) {
				i = len;
				break;
			}
			i = (size_t)(lf - data) + 1;
			if (st == ST_CHUNK_EXT)
				goto chunk_size_done;
			st = st == ST_TRAILER_LINE ? ST_TRAILER_START : ST_LINE_START;
			break;
		}
		case ST_LINE_START:
			/* fast path: whole lines at once while they are here */
			for (;;) {
				const uint8_t *q = data + i, *lf;
				size_t n;

				c = *q;
				if (!is_name_char(c))
					break;
				lf = memchr(q, '\n', len - i);
				if (!lf) {
					/* the line goes on in a later call: byte by byte */
					st = ST_NAME;
					pos = 0;
					mask = 7;
					goto next;
				}
				n = name_span(q, data + len); /* LF stops it */
				q += n;
				if (*q != ':') {
					e = HTTP_ERR_HEADER;
					goto fail;
				}
				hdr = name_lookup(data + i, n);
				if (hdr == HDR_NONE) {
					i = (size_t)(lf - data) + 1;
					if (i == len)
						goto next;
					continue;
				}
				i = (size_t)(q - data) + 1;
				pos = 0;
				mask = 3;
				if (hdr == HDR_CLEN) {
					remain = 0;
					st = ST_VALUE_CLEN;
				} else {
					st = ST_VALUE_TOKEN;
				}
				goto next;
			}
			i++;
			if (c == '\r') {
				st = ST_END_LF;
				break;
			}
			if (c == '\n')
				goto headers_end;
			e = HTTP_ERR_HEADER; /* empty name, obs-fold, control byte */
			goto fail;
		case ST_END_LF:
			if (data[i++] != '\n') {
				e = HTTP_ERR_HEADER;
				goto fail;
			}
			goto headers_end;
		case ST_NAME:
			while (i < len && mask) {
				c = data[i];
				if (!is_name_char(c))
					break;
				mask = words_step(&http_names, mask, pos, c | 0x20);
				pos++;
				i++;
			}
			if (!mask) {
				st = ST_NAME_SKIP;
				break;
			}
			if (i == len)
				break;
			if (data[i++] != ':') {
				e = HTTP_ERR_HEADER;
				goto fail;
			}
			w = words_end(&http_names, mask, pos);
			if (w < 0) {
				st = ST_VALUE_SKIP;
				break;
			}
			hdr = (unsigned)w + 1;
			pos = 0;
			mask = 3;
			if (hdr == HDR_CLEN) {
				remain = 0;
				st = ST_VALUE_CLEN;
			} else {
				st = ST_VALUE_TOKEN;
			}
			break;
		case ST_NAME_SKIP:
			while (i < len && is_name_char(data[i]))
				i++;
			if (i == len)
				break;
			if (data[i++] != ':') {
				e = HTTP_ERR_HEADER;
				goto fail;
			}
			st = ST_VALUE_SKIP;
			break;
		case ST_VALUE_CLEN:
			/* pos: 0 before the digits, 1 in them, 2 after them */
			while (i < len) {
				c = data[i++];
				if (c - '0' < 10) {
					c -= '0';
					if (pos == 2 || remain > (UINT64_MAX - c) / 10)
						goto bad_clen;
					remain = remain * 10 + c;
					pos = 1;
				} else if (c == ' ' || c == '\t') {
					if (pos)
						pos = 2;
				} else if (c == '\r' || c == '\n') {
					/* 9110 8.6: differing values are an error */
					if (!pos || ((flags & F_CLEN) && p->clen != remain))
						goto bad_clen;
					p->clen = remain;
					flags |= F_CLEN;
					st = c == '\r' ? ST_VALUE_LF : ST_LINE_START;
					break;
				} else {
					goto bad_clen;
				}
			}
			break;
		case ST_VALUE_TOKEN: {
			const struct http_words *words =
				hdr == HDR_TE ? &http_te_words : &http_conn_words;

			while (i < len) {
				if (!pos && len - i > 10) {
					unsigned t = token_whole(hdr, data + i);

					if (t) {
						flags |= t >> 8;
						i += t & 0xff;
						continue;
					}
				}
				c = data[i++];
				if (is_token_end(c)) {
					if (pos) {
						flags = token_end(hdr, mask, pos, flags);
						pos = 0;
						mask = 3;
					}
					if (c == '\r') {
						st = ST_VALUE_LF;
						break;
					}
					if (c == '\n') {
						st = ST_LINE_START;
						break;
					}
				} else {
					mask = words_step(words, mask, pos, c | 0x20);
					if (pos < UINT8_MAX)
						pos++;
				}
			}
			break;
		}
		case ST_VALUE_LF:
			if (data[i++] != '\n') {
				e = HTTP_ERR_HEADER;
				goto fail;
			}
			st = ST_LINE_START;
			break;
		case ST_BODY_CLEN:
			if (len - i >= remain) {
				i += remain;
				goto complete;
			}
			remain -= len - i;
			i = len;
			break;
		case ST_CHUNK_SIZE:
		case ST_CHUNK_SIZE_MORE:
			c = data[i++];
			if (hex_value(c) < 16) {
				if (remain >> 59)
					goto bad_chunk;
				remain = remain << 4 | hex_value(c);
				st = ST_CHUNK_SIZE_MORE;
				break;
			}
			if (st == ST_CHUNK_SIZE)
				goto bad_chunk;
			/* fall through - what may follow the size */
		case ST_CHUNK_WS:
			if (st == ST_CHUNK_WS)
				c = data[i++];
			if (c == ' ' || c == '\t')
				st = ST_CHUNK_WS;
			else if (c == ';')
				st = ST_CHUNK_EXT;
			else if (c == '\r')
				st = ST_CHUNK_SIZE_LF;
			else if (c == '\n')
				goto chunk_size_done;
			else
				goto bad_chunk;
			break;
		case ST_CHUNK_SIZE_LF:
			if (data[i++] != '\n')
				goto bad_chunk;
			goto chunk_size_done;
		case ST_CHUNK_DATA:
			if (len - i >= remain) {
				i += remain;
				remain = 0;
				st = ST_CHUNK_DATA_CR;
				break;
			}
			remain -= len - i;
			i = len;
			break;
		case ST_CHUNK_DATA_CR:
			c = data[i++];
			if (c == '\r')
				st = ST_CHUNK_DATA_LF;
			else if (c == '\n')
				st = ST_CHUNK_SIZE;
			else
				goto bad_chunk;
			break;
		case ST_CHUNK_DATA_LF:
			if (data[i++] != '\n')
				goto bad_chunk;
			st = ST_CHUNK_SIZE;
			break;
		case ST_TRAILER_START:
			c = data[i];
			if (c == '\r') {
				i++;
				st = ST_TRAILER_LF;
			} else if (c == '\n') {
				i++;
				goto complete;
			} else {
				st = ST_TRAILER_LINE;
			}
			break;
		case ST_TRAILER_LF:
			if (data[i++] != '\n')
				goto bad_chunk;
			goto complete;
		case ST_UNTIL_CLOSE:
			i = len;
			break;
		case ST_FAILED:
			break; /* not reached: checked on entry */
		}
next:
		continue;

chunk_size_done:
		st = remain ? ST_CHUNK_DATA : ST_TRAILER_START;
		continue;

headers_end: {
		uint64_t hb = (uint64_t)p->header_bytes + (i - mark);

		if (hb > HTTP_HEADER_MAX) {
			e = HTTP_ERR_HEADER_TOO_LONG;
			goto fail;
		}
		p->header_bytes = (uint32_t)hb;
		mark = i;
	}
		/* 9112 6.3, in its order */
		if (p->status < 200 || p->status == 204 || p->status == 304 || (flags & F_NO_BODY))
			goto complete;
		if (flags & F_TE) {
			remain = 0;
			st = (flags & F_CHUNKED) ? ST_CHUNK_SIZE : ST_UNTIL_CLOSE;
		} else if (flags & F_CLEN) {
			if (!p->clen)
				goto complete;
			remain = p->clen;
			st = ST_BODY_CLEN;
		} else {
			st = ST_UNTIL_CLOSE;
		}
	}

	if (st < ST_BODY_CLEN) {
		uint64_t hb = (uint64_t)p->header_bytes + (i - mark);

		if (hb > HTTP_HEADER_MAX) {
			e = HTTP_ERR_HEADER_TOO_LONG;
			goto fail;
		}
		p->header_bytes = (uint32_t)hb;
	} else {
		p->body_bytes += i - mark;
	}
	p->state = (uint8_t)st;
	p->pos = (uint8_t)pos;
	p->mask = (uint8_t)mask;
	p->hdr = (uint8_t)hdr;
	p->flags = (uint8_t)flags;
	p->remain = remain;
	return (int)i;

complete:
	out->status = p->status;
	out->keep_alive = (uint8_t)keep_alive(flags);
	out->header_bytes = p->header_bytes;
	out->body_bytes = p->body_bytes + (i - mark);
	*done = 1;
	http_parser_init(p);
	return (int)i;

bad_status:
	e = HTTP_ERR_STATUS_LINE;
	goto fail;
bad_clen:
	e = HTTP_ERR_CONTENT_LENGTH;
	goto fail;
bad_chunk:
	e = HTTP_ERR_CHUNK;
fail:
	p->state = ST_FAILED;
	p->err = (uint8_t)e;
	*err = e;
	return -1;
}

int http_parser_eof(struct http_parser *p, struct http_resp *out)
{
	if (p->state != ST_UNTIL_CLOSE)
		return 0;
	out->status = p->status;
	out->keep_alive = 0;
	out->header_bytes = p->header_bytes;
	out->body_bytes = p->body_bytes;
	http_parser_init(p);
	return 1;
}

/* Request template. */

/* 9110 5.6.2 token: one or more tchar, up to end or stop. Returns its length, 0 if none or bad. */
static size_t token_len(const char *s, char stop)
{
	size_t n = 0;

	while (s[n] && s[n] != stop) {
		if (!is_tchar((uint8_t)s[n]))
			return 0;
		n++;
	}
	return n;
}

/* Non-empty, no SP, no control byte (request-target, Host). */
static int is_visible(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((uint8_t)*s <= ' ' || (uint8_t)*s == 0x7f)
			return 0;
	return 1;
}

/* "Name: value": token, colon, field-value of VCHAR, SP, HTAB, obs-text. */
static int is_field_line(const char *s)
{
	size_t n = token_len(s, ':');

	if (!n || s[n] != ':')
		return 0;
	for (s += n + 1; *s; s++)
		if (((uint8_t)*s < ' ' && *s != '\t') || (uint8_t)*s == 0x7f)
			return 0;
	return 1;
}

static int req_put(struct http_req_tmpl *t, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (n > HTTP_REQ_MAX - 1 - *off)
		return -E2BIG;
	memcpy(t->buf + *off, s, n);
	*off += n;
	return 0;
}

int http_req_build(struct http_req_tmpl *t, const char *method, const char *path,
		   const char *host, const char *const *extra, unsigned n_extra)
{
	size_t off = 0;
	int rc = 0;

	t->len = 0;
	t->buf[0] = '\0';
	if (!method)
		method = "GET";
	if (!path || !host || (n_extra && !extra) || !token_len(method, '\0') ||
	    !is_visible(path) || !is_visible(host))
		return -EINVAL;
	for (unsigned k = 0; k < n_extra; k++)
		if (!extra[k] || !is_field_line(extra[k]))
			return -EINVAL;

	rc |= req_put(t, &off, method);
	rc |= req_put(t, &off, " ");
	rc |= req_put(t, &off, path);
	rc |= req_put(t, &off, " HTTP/1.1\r\nHost: ");
	rc |= req_put(t, &off, host);
	rc |= req_put(t, &off, "\r\nUser-Agent: lvperf\r\nConnection: keep-alive\r\n");
	for (unsigned k = 0; k < n_extra; k++) {
		rc |= req_put(t, &off, extra[k]);
		rc |= req_put(t, &off, "\r\n");
	}
	rc |= req_put(t, &off, "\r\n");
	if (rc) {
		t->buf[0] = '\0';
		return -E2BIG;
	}
	t->buf[off] = '\0';
	t->len = (uint16_t)off;
	return 0;
}
