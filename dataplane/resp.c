/* SPDX-License-Identifier: BSD-3-Clause
 * RESP2 request templates and the incremental reply parser; see resp.h.
 *
 * Parser layout, 48 bytes: the array stack (8 x uint32) shares its space
 * with the 64-bit magnitude of a top-level ':' reply, which is only read
 * while no array is open. Nested ':' elements are checked for syntax and
 * for at most 19 digits, not for their exact value, which nobody reads.
 * Lengths, counts and reply sizes are bounded by 32 bits (redis' own
 * proto-max-bulk-len defaults to 512 MB).
 *
 * A reply is read byte by byte through a small state machine, except that
 * bulk bodies are skipped by subtraction and the three replies of a GET/SET
 * load (+OK, $-1, $n body) take a shortcut when one lies whole in the
 * buffer. Unit tests feed every fixture whole and cut at every byte, so
 * both ways are held to the same results.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"

/* ---- requests ---- */

static const char resp_key_prefix[] = "key:";

/* Append s to buf at *at (buf may be NULL to measure). */
static void put(uint8_t *buf, size_t *at, const void *s, size_t n)
{
	if (buf)
		memcpy(buf + *at, s, n);
	*at += n;
}

static void put_str(uint8_t *buf, size_t *at, const char *s)
{
	put(buf, at, s, strlen(s));
}

static void put_u32(uint8_t *buf, size_t *at, uint32_t v)
{
	char tmp[11];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(buf, at, tmp + sizeof(tmp) - n, (size_t)n);
}

/* Lay out one request: *N, $3 CMD, the key, and for SET the value.
 * Returns its length; *key_off gets the offset of the first key digit. */
static size_t build(uint8_t *buf, enum resp_op op, uint32_t value_size, size_t *key_off)
{
	static const char zeros[RESP_KEY_DIGITS] = "000000000000";
	size_t at = 0;

	put_str(buf, &at, op == RESP_OP_SET ? "*3\r\n$3\r\nSET\r\n" : "*2\r\n$3\r\nGET\r\n");
	put_str(buf, &at, "$");
	put_u32(buf, &at, (uint32_t)(sizeof(resp_key_prefix) - 1 + RESP_KEY_DIGITS));
	put_str(buf, &at, "\r\n");
	put_str(buf, &at, resp_key_prefix);
	*key_off = at;
	put(buf, &at, zeros, RESP_KEY_DIGITS);
	put_str(buf, &at, "\r\n");
	if (op == RESP_OP_SET) {
		put_str(buf, &at, "$");
		put_u32(buf, &at, value_size);
		put_str(buf, &at, "\r\n");
		if (buf)
			memset(buf + at, 'x', value_size);
		at += value_size;
		put_str(buf, &at, "\r\n");
	}
	return at;
}

int resp_gen_init(struct resp_gen *g, uint32_t value_size, uint64_t keyspace)
{
	size_t key_off;

	memset(g, 0, sizeof(*g));
	if (keyspace == 0)
		return -EINVAL;
	if (value_size > RESP_VALUE_MAX || keyspace > RESP_KEYSPACE_MAX)
		return -E2BIG;
	g->len[RESP_OP_GET] = build(NULL, RESP_OP_GET, value_size, &key_off);
	g->len[RESP_OP_SET] = build(NULL, RESP_OP_SET, value_size, &key_off);
	g->buf = malloc(g->len[RESP_OP_GET] + g->len[RESP_OP_SET]);
	if (!g->buf)
		return -ENOMEM;
	g->off[RESP_OP_GET] = 0;
	g->off[RESP_OP_SET] = g->len[RESP_OP_GET];
	build(g->buf, RESP_OP_GET, value_size, &g->key_off[RESP_OP_GET]);
	build(g->buf + g->off[RESP_OP_SET], RESP_OP_SET, value_size, &g->key_off[RESP_OP_SET]);
	g->value_size = value_size;
	g->keyspace = keyspace;
	g->key_digits = 1;
	for (uint64_t k = keyspace - 1; k >= 10; k /= 10)
		g->key_digits++;
	return 0;
}

void resp_gen_free(struct resp_gen *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

/* "00" "01" ... "99" */
static const char resp_digit_pairs[201] = "0001020304050607080910111213141516171819"
					  "2021222324252627282930313233343536373839"
					  "4041424344454647484950515253545556575859"
					  "6061626364656667686970717273747576777879"
					  "8081828384858687888990919293949596979899";

size_t resp_gen_request(const struct resp_gen *g, enum resp_op op, uint64_t key, uint8_t *out,
			size_t cap)
{
	size_t n = g->len[op];
	uint8_t *d;
	int i;

	if (cap < n || key >= g->keyspace)
		return 0;
	memcpy(out, g->buf + g->off[op], n);
	/* The template's key is all zeros and key < keyspace: only the low
	 * key_digits digits can differ, written two at a time. */
	d = out + g->key_off[op] + RESP_KEY_DIGITS;
	for (i = g->key_digits; i >= 2; i -= 2) {
		d -= 2;
		memcpy(d, resp_digit_pairs + 2 * (key % 100), 2);
		key /= 100;
	}
	if (i)
		d[-1] = (uint8_t)('0' + key);
	return n;
}

size_t resp_gen_len(const struct resp_gen *g, enum resp_op op)
{
	return g->len[op];
}

/* ---- replies ---- */

enum {
	ST_TYPE,    /* next byte is a type byte */
	ST_LINE,    /* inside a + or - line */
	ST_LINE_CR, /* a CR inside a + or - line: LF ends the line */
	ST_SIGN,    /* first byte after $ * or : */
	ST_DIGITS,  /* digits of $ * or : */
	ST_NUM_LF,  /* LF ending a $ * or : line */
	ST_BODY,    /* bulk body and its CRLF; num bytes still due */
};

enum {
	F_NEG = 1u << 0,       /* '-' before the digits */
	F_DIGIT = 1u << 1,     /* a digit seen */
	F_ZERO = 1u << 2,      /* the first digit was 0: no more may follow */
	F_OK = 1u << 3,	       /* top-level + line, so far a prefix of "OK" */
	F_TOP_ARRAY = 1u << 4, /* the reply is an array; kept across elements */
};

#define INT64_MAG_MAX	  ((uint64_t)INT64_MAX)
#define NESTED_INT_DIGITS 19

_Static_assert(sizeof(struct resp_parser) <= 48, "resp_parser grew past 48 bytes");

static const char *const resp_err_names[RESP_ERR__COUNT] = {
	[RESP_OK] = "ok",
	[RESP_ERR_TYPE] = "type",
	[RESP_ERR_LENGTH] = "length",
	[RESP_ERR_INTEGER] = "integer",
	[RESP_ERR_NESTING] = "nesting",
	[RESP_ERR_LINE_TOO_LONG] = "line_too_long",
};

const char *resp_err_name(enum resp_err e)
{
	if ((unsigned)e >= RESP_ERR__COUNT)
		return "?";
	return resp_err_names[e];
}

void resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = ST_TYPE;
}

/* Error class of a malformed number line of type t. */
static enum resp_err num_err(uint8_t t)
{
	return t == ':' ? RESP_ERR_INTEGER : RESP_ERR_LENGTH;
}

/* One element is complete; close every array it completes. Returns 1 when
 * that ends the top-level reply. */
static int element_done(struct resp_parser *p)
{
	while (p->depth > 0) {
		if (--p->u.left[p->depth - 1] > 0)
			return 0;
		p->depth--;
	}
	return 1;
}

static void finish(struct resp_parser *p, uint64_t bytes, struct resp_reply *out)
{
	out->bytes = bytes;
	out->simple_ok = 0;
	out->integer = 0;
	if (p->flags & F_TOP_ARRAY) {
		out->kind = RESP_ARRAY;
		out->integer = p->value;
	} else {
		switch (p->type) {
		case '+':
			out->kind = RESP_SIMPLE;
			out->simple_ok = (p->flags & F_OK) && p->num == 2;
			break;
		case '-':
			out->kind = RESP_ERROR;
			break;
		case ':':
			out->kind = RESP_INTEGER;
			/* -(m - 1) - 1 reaches INT64_MIN without overflow */
			out->integer =
				(p->flags & F_NEG) ? -(int64_t)(p->u.mag - 1) - 1 : (int64_t)p->u.mag;
			break;
		default: /* '$' or '*': nil, a bulk, or an empty array */
			if (p->flags & F_NEG) {
				out->kind = RESP_NIL;
				out->integer = -1;
			} else {
				out->kind = p->type == '$' ? RESP_BULK : RESP_ARRAY;
				out->integer = p->value;
			}
			break;
		}
	}
	resp_parser_init(p);
}

/* Bytes of a +/- line seen; updates length and the "OK" match. */
static int line_bytes(struct resp_parser *p, const uint8_t *s, size_t n)
{
	size_t k;

	if (n > RESP_LINE_MAX - p->num)
		return -1;
	if (p->flags & F_OK) {
		for (k = 0; k < n; k++) {
			if (p->num + k >= 2 || s[k] != "OK"[p->num + k]) {
				p->flags &= (uint8_t)~F_OK;
				break;
			}
		}
	}
	p->num += (uint32_t)n;
	return 0;
}

/* A $ * or : line is complete. Returns 1 when the reply is complete, 0 to
 * go on, -1 with *err on error. at = bytes of this call consumed so far. */
static int number_done(struct resp_parser *p, size_t at, enum resp_err *err)
{
	int neg = (p->flags & F_NEG) != 0;

	if (p->type == ':')
		return element_done(p);
	if (neg && p->num != 1) {
		*err = RESP_ERR_LENGTH;
		return -1;
	}
	if (neg)
		return element_done(p);
	if (p->type == '$') {
		if ((uint64_t)p->bytes + at + p->num + 2 > RESP_REPLY_MAX) {
			*err = RESP_ERR_LENGTH;
			return -1;
		}
		if (p->depth == 0)
			p->value = p->num;
		p->num += 2;
		p->state = ST_BODY;
		return 0;
	}
	if (p->num == 0) {
		if (p->depth == 0)
			p->value = 0;
		return element_done(p);
	}
	if (p->depth == RESP_MAX_DEPTH) {
		*err = RESP_ERR_NESTING;
		return -1;
	}
	if (p->depth == 0) {
		p->value = p->num;
		p->flags |= F_TOP_ARRAY;
	}
	p->u.left[p->depth++] = p->num;
	return 0;
}

/* One digit d of a $ * or : line. Returns 0 or -1. */
static int digit(struct resp_parser *p, unsigned d)
{
	uint64_t v;

	if (p->flags & F_ZERO)
		return -1;
	if (!(p->flags & F_DIGIT)) {
		p->flags |= F_DIGIT;
		if (d == 0) {
			if (p->flags & F_NEG)
				return -1;
			p->flags |= F_ZERO;
		}
	}
	if (p->type != ':') {
		v = (uint64_t)p->num * 10 + d;
		if (v > UINT32_MAX)
			return -1;
		p->num = (uint32_t)v;
	} else if (p->depth == 0) {
		/* INT64_MAX = 922337203685477580 * 10 + 7; INT64_MIN one more */
		unsigned last = 7 + ((p->flags & F_NEG) ? 1 : 0);

		if (p->u.mag > INT64_MAG_MAX / 10 || (p->u.mag == INT64_MAG_MAX / 10 && d > last))
			return -1;
		p->u.mag = p->u.mag * 10 + d;
	} else if (++p->num > NESTED_INT_DIGITS) {
		return -1;
	}
	return 0;
}

/* The replies a GET/SET load sees, when one lies whole at the start of a
 * fresh reply: +OK, $-1, and a bulk of up to 9 length digits. Returns its
 * length with *out filled, or 0 to leave it to the byte-wise parser,
 * which gives the same result for these and handles everything else. */
static size_t fast_reply(const uint8_t *d, size_t len, struct resp_reply *out)
{
	uint64_t n = 0;
	size_t i = 1;

	if (len < 5)
		return 0;
	if (memcmp(d, "+OK\r\n", 5) == 0) {
		out->kind = RESP_SIMPLE;
		out->integer = 0;
		out->simple_ok = 1;
		out->bytes = 5;
		return 5;
	}
	if (d[0] != '$')
		return 0;
	if (memcmp(d, "$-1\r\n", 5) == 0) {
		out->kind = RESP_NIL;
		out->integer = -1;
		out->simple_ok = 0;
		out->bytes = 5;
		return 5;
	}
	while (i < len && i <= 9 && d[i] >= '0' && d[i] <= '9')
		n = n * 10 + (uint64_t)(d[i++] - '0');
	if (i == 1 || (d[1] == '0' && i > 2))
		return 0;
	/* header i + 2, body n, CRLF 2 */
	if (len - i < n + 4 || d[i] != '\r' || d[i + 1] != '\n' || d[i + 2 + n] != '\r' ||
	    d[i + 3 + n] != '\n')
		return 0;
	out->kind = RESP_BULK;
	out->integer = (int64_t)n;
	out->simple_ok = 0;
	out->bytes = i + n + 4;
	return i + n + 4;
}

int resp_parse(struct resp_parser *p, const uint8_t *data, size_t len, struct resp_reply *out,
	       int *done, enum resp_err *err)
{
	size_t i = 0;
	int r;

	*done = 0;
	if (len > INT_MAX)
		len = INT_MAX;
	if (p->state == ST_TYPE && p->depth == 0 && p->bytes == 0) {
		i = fast_reply(data, len, out);
		if (i > 0) {
			*done = 1;
			return (int)i;
		}
	}
	while (i < len) {
		uint8_t c = data[i];

		switch (p->state) {
		case ST_TYPE:
			p->type = c;
			p->flags &= F_TOP_ARRAY;
			p->num = 0;
			i++;
			switch (c) {
			case '+':
			case '-':
				if (c == '+' && p->depth == 0)
					p->flags |= F_OK;
				p->state = ST_LINE;
				break;
			case ':':
				if (p->depth == 0)
					p->u.mag = 0;
				/* fall through */
			case '$':
			case '*':
				p->state = ST_SIGN;
				break;
			default:
				*err = RESP_ERR_TYPE;
				return -1;
			}
			break;
		case ST_LINE: {
			const uint8_t *cr = memchr(data + i, '\r', len - i);
			size_t n = cr ? (size_t)(cr - (data + i)) : len - i;

			if (line_bytes(p, data + i, n) < 0) {
				*err = RESP_ERR_LINE_TOO_LONG;
				return -1;
			}
			i += n;
			if (cr) {
				i++;
				p->state = ST_LINE_CR;
			}
			break;
		}
		case ST_LINE_CR:
			if (c != '\n') {
				/* a lone CR is content, as in hiredis */
				if (line_bytes(p, (const uint8_t *)"\r", 1) < 0) {
					*err = RESP_ERR_LINE_TOO_LONG;
					return -1;
				}
				p->state = ST_LINE;
				break;
			}
			i++;
			if (element_done(p))
				goto complete;
			p->state = ST_TYPE;
			break;
		case ST_SIGN:
			p->state = ST_DIGITS;
			if (c == '-') {
				p->flags |= F_NEG;
				i++;
			}
			break;
		case ST_DIGITS:
			i++;
			if (c >= '0' && c <= '9') {
				if (digit(p, (unsigned)(c - '0')) < 0) {
					*err = num_err(p->type);
					return -1;
				}
			} else if (c == '\r' && (p->flags & F_DIGIT)) {
				p->state = ST_NUM_LF;
			} else {
				*err = num_err(p->type);
				return -1;
			}
			break;
		case ST_NUM_LF:
			if (c != '\n') {
				*err = num_err(p->type);
				return -1;
			}
			i++;
			p->state = ST_TYPE;
			r = number_done(p, i, err);
			if (r < 0)
				return -1;
			if (r > 0)
				goto complete;
			break;
		case ST_BODY:
			if (p->num > 2) {
				size_t n = len - i;

				if (n > p->num - 2)
					n = p->num - 2;
				p->num -= (uint32_t)n;
				i += n;
				break;
			}
			if (c != (p->num == 2 ? '\r' : '\n')) {
				*err = RESP_ERR_LENGTH;
				return -1;
			}
			i++;
			if (--p->num > 0)
				break;
			p->state = ST_TYPE;
			if (element_done(p))
				goto complete;
			break;
		}
	}
	if ((uint64_t)p->bytes + len > RESP_REPLY_MAX) {
		*err = RESP_ERR_LENGTH;
		return -1;
	}
	p->bytes += (uint32_t)len;
	return (int)len;

complete:
	if ((uint64_t)p->bytes + i > RESP_REPLY_MAX) {
		*err = RESP_ERR_LENGTH;
		return -1;
	}
	finish(p, p->bytes + i, out);
	*done = 1;
	return (int)i;
}

/* ---- checks ---- */

static const char *const resp_check_names[RESP_CHECK__COUNT] = {
	[RESP_CHECK_OK] = "ok",
	[RESP_CHECK_ERROR_REPLY] = "error_reply",
	[RESP_CHECK_WRONG_TYPE] = "wrong_type",
	[RESP_CHECK_WRONG_SIZE] = "wrong_size",
};

const char *resp_check_name(enum resp_check c)
{
	if ((unsigned)c >= RESP_CHECK__COUNT)
		return "?";
	return resp_check_names[c];
}

int resp_check(enum resp_op op, const struct resp_reply *r, uint32_t value_size)
{
	if (r->kind == RESP_ERROR)
		return RESP_CHECK_ERROR_REPLY;
	if (op == RESP_OP_SET)
		return r->kind == RESP_SIMPLE && r->simple_ok ? RESP_CHECK_OK
							      : RESP_CHECK_WRONG_TYPE;
	if (r->kind == RESP_NIL)
		return RESP_CHECK_OK;
	if (r->kind != RESP_BULK)
		return RESP_CHECK_WRONG_TYPE;
	return r->integer == (int64_t)value_size ? RESP_CHECK_OK : RESP_CHECK_WRONG_SIZE;
}
