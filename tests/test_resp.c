/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for dataplane/resp.c: the reply parser against bytes captured
 * from a real redis-server, and the GET/SET request templates.
 *
 * Fixtures (tests/fixtures/resp_*.bin) are read at run time from
 * $LVP_FIXTURES, else from the directory baked in as LVP_FIXTURES_DIR.
 * tests/fixtures/capture_resp.sh re-makes them; the tables below were
 * written from the kind/integer/size listing its independent python RESP
 * reader prints, and must be updated with them.
 *
 * `test_resp --bench` skips the tests and prints the parse cost per reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "load.h"
#include "resp.h"
#include "resp_load.h"

#ifndef LVP_FIXTURES_DIR
#define LVP_FIXTURES_DIR "tests/fixtures"
#endif

#define MAX_REPLIES 64

static const char *fixtures_dir(void)
{
	const char *dir = getenv("LVP_FIXTURES");

	return dir && *dir ? dir : LVP_FIXTURES_DIR;
}

/* Whole file resp_<name>.bin, malloc'd; fails the test if missing. */
static uint8_t *load_fixture(const char *name, size_t *len)
{
	char path[4096];
	uint8_t *buf;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/resp_%s.bin", fixtures_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s: %s (set LVP_FIXTURES)", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

/* s with CR and LF spelled out, for naming a failing case. */
static const char *escaped(const char *s)
{
	static char buf[160];
	size_t j = 0;

	for (; *s && j < sizeof(buf) - 3; s++) {
		if (*s == '\r' || *s == '\n') {
			buf[j++] = '\\';
			buf[j++] = *s == '\r' ? 'r' : 'n';
		} else {
			buf[j++] = *s;
		}
	}
	buf[j] = 0;
	return buf;
}

/* ---- feeding the parser in pieces ---- */

struct want {
	enum resp_kind kind;
	int64_t integer;
	uint64_t bytes;
	uint8_t ok;
};

/* The literal input being checked, named in failure messages. */
static const char *current_case = "";

struct run {
	struct resp_parser p;
	struct resp_reply r[MAX_REPLIES];
	size_t n;
	int failed;
	enum resp_err err;
	size_t calls;
};

static void run_init(struct run *run)
{
	memset(run, 0, sizeof(*run));
	resp_parser_init(&run->p);
}

/* Feed one piece, calling again after every completed reply, as the TCP
 * layer will. Stops at the first error. */
static void feed(struct run *run, const uint8_t *d, size_t len)
{
	while (!run->failed && len > 0) {
		struct resp_reply r;
		int done = 7;
		enum resp_err err = RESP_OK;
		int n = resp_parse(&run->p, d, len, &r, &done, &err);

		run->calls++;
		if (n < 0) {
			assert_int_not_equal(err, RESP_OK);
			run->failed = 1;
			run->err = err;
			return;
		}
		assert_true((size_t)n <= len);
		if (done) {
			assert_int_equal(done, 1);
			assert_true(n > 0);
			assert_true(run->n < MAX_REPLIES);
			run->r[run->n++] = r;
		} else {
			/* no reply ends inside: all of it must be taken */
			assert_int_equal((size_t)n, len);
		}
		d += n;
		len -= (size_t)n;
	}
}

static void assert_replies(const struct run *run, const struct want *w, size_t n)
{
	size_t i;

	if (run->failed || run->n != n)
		fail_msg("%s: %zu replies, error %s; want %zu replies", escaped(current_case),
			 run->n, run->failed ? resp_err_name(run->err) : "none", n);
	for (i = 0; i < n; i++) {
		const struct resp_reply *r = &run->r[i];

		if (r->kind != w[i].kind || r->integer != w[i].integer || r->bytes != w[i].bytes ||
		    r->simple_ok != w[i].ok)
			fail_msg("%s: reply %zu: kind %d integer %lld bytes %llu ok %u, "
				 "want %d %lld %llu %u",
				 escaped(current_case), i, r->kind, (long long)r->integer,
				 (unsigned long long)r->bytes, r->simple_ok, w[i].kind,
				 (long long)w[i].integer, (unsigned long long)w[i].bytes, w[i].ok);
	}
}

/* d parsed whole, cut in two at every byte, and fed byte by byte must give
 * exactly the replies w, with the parser back at a reply boundary. */
static void check_all_splits(const uint8_t *d, size_t len, const struct want *w, size_t n)
{
	struct run *run = malloc(sizeof(*run));
	size_t cut, i;

	assert_non_null(run);
	run_init(run);
	feed(run, d, len);
	assert_replies(run, w, n);
	for (cut = 0; cut <= len; cut++) {
		run_init(run);
		feed(run, d, cut);
		feed(run, d + cut, len - cut);
		assert_replies(run, w, n);
	}
	run_init(run);
	for (i = 0; i < len; i++)
		feed(run, d + i, 1);
	assert_replies(run, w, n);
	free(run);
}

/* ---- captured fixtures ---- */

#define W(k, i, b) { RESP_##k, (i), (b), 0 }
#define W_OK(b) { RESP_SIMPLE, 0, (b), 1 }

static const struct want want_set[] = { W_OK(5), W_OK(5), W_OK(5), W_OK(5) };
static const struct want want_get[] = {
	W(BULK, 3, 9), W(BULK, 16, 23), W(BULK, 0, 6), W(BULK, 12, 19), W(BULK, 70000, 70010),
};
static const struct want want_nil[] = { W(NIL, -1, 5), W(NIL, -1, 5), W(NIL, -1, 5) };
static const struct want want_integer[] = {
	W(INTEGER, 1, 4),	    W(INTEGER, -9, 5), W_OK(5), W(INTEGER, INT64_MIN, 23),
	W_OK(5),		    W(INTEGER, INT64_MAX, 22),  W(INTEGER, 0, 4),
	W(INTEGER, 0, 4),
};
static const struct want want_error[] = {
	W_OK(5), W(ERROR, 0, 68), W(ERROR, 0, 66), W(ERROR, 0, 50), W(ERROR, 0, 46),
};
static const struct want want_array[] = {
	W(INTEGER, 3, 4), W(ARRAY, 3, 25), W(ARRAY, 0, 4), W(ARRAY, 2, 16),
};
static const struct want want_nested[] = {
	W(ARRAY, 1, 307), W(BULK, 3, 9),   W(BULK, 3, 9),   W(ARRAY, 2, 80),
	W_OK(5),	  W(SIMPLE, 0, 9), W(SIMPLE, 0, 9), W(SIMPLE, 0, 9),
	W(SIMPLE, 0, 9),  W(SIMPLE, 0, 9), W(SIMPLE, 0, 9), W(ARRAY, 6, 170),
};

struct fixture {
	const char *name;
	const struct want *want;
	size_t n;
};

#define FX(name) { #name, want_##name, sizeof(want_##name) / sizeof(want_##name[0]) }

static const struct fixture fixtures[] = {
	FX(set), FX(get), FX(nil), FX(integer), FX(error), FX(array), FX(nested),
};
#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static void test_fixture(void **state)
{
	const struct fixture *fx = *state;
	uint64_t total = 0;
	size_t len, i;
	uint8_t *d = load_fixture(fx->name, &len);

	for (i = 0; i < fx->n; i++)
		total += fx->want[i].bytes;
	assert_int_equal(total, len);
	check_all_splits(d, len, fx->want, fx->n);
	free(d);
}

/* All fixtures back to back, as one connection would see them, cut at every
 * byte and into pseudo-random pieces (LCG, Numerical Recipes constants). */
static void test_fixture_stream(void **state)
{
	struct want w[MAX_REPLIES];
	uint8_t *all = NULL;
	size_t len = 0, n = 0, f, i;
	uint32_t seed = 12345;
	int round;
	struct run *run = malloc(sizeof(*run));

	(void)state;
	assert_non_null(run);
	for (f = 0; f < N_FIXTURES; f++) {
		size_t l;
		uint8_t *d = load_fixture(fixtures[f].name, &l);

		all = realloc(all, len + l);
		assert_non_null(all);
		memcpy(all + len, d, l);
		len += l;
		free(d);
		assert_true(n + fixtures[f].n <= MAX_REPLIES);
		memcpy(w + n, fixtures[f].want, fixtures[f].n * sizeof(w[0]));
		n += fixtures[f].n;
	}
	check_all_splits(all, len, w, n);
	for (round = 0; round < 200; round++) {
		run_init(run);
		for (i = 0; i < len;) {
			size_t piece;

			seed = seed * 1664525u + 1013904223u;
			piece = 1 + (seed >> 8) % (round < 100 ? 16 : 4096);
			if (piece > len - i)
				piece = len - i;
			feed(run, all + i, piece);
			i += piece;
		}
		assert_replies(run, w, n);
	}
	free(run);
	free(all);
}

/* ---- synthetic replies: every type and edge the fixtures may lack ---- */

struct synth {
	const char *in;
	struct want w[4];
	size_t n;
};

static const struct synth synths[] = {
	{ "+OK\r\n", { W_OK(5) }, 1 },
	{ "+OKAY\r\n", { W(SIMPLE, 0, 7) }, 1 },
	{ "+O\r\n", { W(SIMPLE, 0, 4) }, 1 },
	{ "+ok\r\n", { W(SIMPLE, 0, 5) }, 1 },
	{ "+\r\n", { W(SIMPLE, 0, 3) }, 1 },
	{ "+OK\r\r\n", { W(SIMPLE, 0, 6) }, 1 },   /* line is "OK\r" */
	{ "+a\rb\r\n", { W(SIMPLE, 0, 6) }, 1 },   /* lone CR is content */
	{ "+a\nb\r\n", { W(SIMPLE, 0, 6) }, 1 },   /* lone LF is content */
	{ "-OK\r\n", { W(ERROR, 0, 5) }, 1 },
	{ "*1\r\n+OK\r\n", { W(ARRAY, 1, 9) }, 1 }, /* +OK inside is not a top-level OK */
	{ "$-1\r\n*-1\r\n", { W(NIL, -1, 5), W(NIL, -1, 5) }, 2 },
	{ "$0\r\n\r\n", { W(BULK, 0, 6) }, 1 },
	{ "$5\r\n$-1\r\n\r\n", { W(BULK, 5, 11) }, 1 },
	{ ":0\r\n:-1\r\n:-42\r\n:10\r\n",
	  { W(INTEGER, 0, 4), W(INTEGER, -1, 5), W(INTEGER, -42, 6), W(INTEGER, 10, 5) }, 4 },
	{ ":-9223372036854775808\r\n:9223372036854775807\r\n",
	  { W(INTEGER, INT64_MIN, 23), W(INTEGER, INT64_MAX, 22) }, 2 },
	{ "*0\r\n*-1\r\n", { W(ARRAY, 0, 4), W(NIL, -1, 5) }, 2 },
	{ "*3\r\n*0\r\n*-1\r\n$-1\r\n:1\r\n", { W(ARRAY, 3, 18), W(INTEGER, 1, 4) }, 2 },
	{ "*2\r\n*2\r\n:1\r\n:-2\r\n*1\r\n$2\r\nab\r\n",
	  { W(ARRAY, 2, 29) }, 1 },
	{ "*2\r\n:99999999999999999\r\n:-9999999999999999999\r\n", { W(ARRAY, 2, 47) }, 1 },
	{ "*2\r\n-ERR x\r\n+y\r\n+OK\r\n", { W(ARRAY, 2, 16), W_OK(5) }, 2 },
	/* depth 8: the most allowed, then a sibling at each level */
	{ "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*2\r\n:1\r\n:2\r\n",
	  { W(ARRAY, 1, 40) }, 1 },
	{ "*2\r\n*2\r\n*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n",
	  { W(ARRAY, 2, 36) }, 1 },
	{ "*2\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"
	  "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:2\r\n+OK\r\n",
	  { W(ARRAY, 2, 68), W_OK(5) }, 2 },
	{ "$4294967280\r\n", { { 0, 0, 0, 0 } }, 0 }, /* largest reply: 2^32 - 1 bytes */
};

static void test_synthetic(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++) {
		uint64_t total = 0;
		size_t k;

		current_case = synths[i].in;
		for (k = 0; k < synths[i].n; k++)
			total += synths[i].w[k].bytes;
		if (synths[i].n > 0)
			assert_int_equal(total, strlen(synths[i].in));
		check_all_splits((const uint8_t *)synths[i].in, strlen(synths[i].in), synths[i].w,
				 synths[i].n);
	}
}

/* ---- malformed input ---- */

struct garbage {
	const char *in;
	enum resp_err err;
	size_t replies_before;
};

static const struct garbage garbages[] = {
	{ "?\r\n", RESP_ERR_TYPE, 0 },
	{ "\r\n", RESP_ERR_TYPE, 0 },
	{ "OK\r\n", RESP_ERR_TYPE, 0 },
	{ "%1\r\n", RESP_ERR_TYPE, 0 },	 /* RESP3 map */
	{ "_\r\n", RESP_ERR_TYPE, 0 },	 /* RESP3 null */
	{ "+OK\r\n#t\r\n", RESP_ERR_TYPE, 1 },
	{ "*2\r\n:1\r\n!3\r\n", RESP_ERR_TYPE, 0 },
	{ "$abc\r\n", RESP_ERR_LENGTH, 0 },
	{ "$\r\n", RESP_ERR_LENGTH, 0 },
	{ "$-\r\n", RESP_ERR_LENGTH, 0 },
	{ "$-2\r\n", RESP_ERR_LENGTH, 0 },
	{ "$-0\r\n", RESP_ERR_LENGTH, 0 },
	{ "$-10\r\n", RESP_ERR_LENGTH, 0 },
	{ "$01\r\nx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$+1\r\nx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$ 1\r\nx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$1 \r\nx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$1\rx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$1\nx\r\n", RESP_ERR_LENGTH, 0 },
	{ "$3\r\nabcd\r\n", RESP_ERR_LENGTH, 0 },
	{ "$3\r\nab\r\n", RESP_ERR_LENGTH, 0 },
	{ "$3\r\nabc\n\r", RESP_ERR_LENGTH, 0 },
	{ "$4294967296\r\n", RESP_ERR_LENGTH, 0 },
	{ "$99999999999999999999999\r\n", RESP_ERR_LENGTH, 0 },
	{ "$4294967281\r\n", RESP_ERR_LENGTH, 0 }, /* reply would pass 2^32 - 1 bytes */
	{ "*4294967296\r\n", RESP_ERR_LENGTH, 0 },
	{ "*-2\r\n", RESP_ERR_LENGTH, 0 },
	{ "*x\r\n", RESP_ERR_LENGTH, 0 },
	{ "*1\r\n$x\r\n", RESP_ERR_LENGTH, 0 },
	{ ":\r\n", RESP_ERR_INTEGER, 0 },
	{ ":-\r\n", RESP_ERR_INTEGER, 0 },
	{ ":-0\r\n", RESP_ERR_INTEGER, 0 },
	{ ":007\r\n", RESP_ERR_INTEGER, 0 },
	{ ":+1\r\n", RESP_ERR_INTEGER, 0 },
	{ ":12a\r\n", RESP_ERR_INTEGER, 0 },
	{ ":1.5\r\n", RESP_ERR_INTEGER, 0 },
	{ ":1\r\r\n", RESP_ERR_INTEGER, 0 },
	{ ":9223372036854775808\r\n", RESP_ERR_INTEGER, 0 },
	{ ":-9223372036854775809\r\n", RESP_ERR_INTEGER, 0 },
	{ ":18446744073709551616\r\n", RESP_ERR_INTEGER, 0 },
	{ "*1\r\n:12345678901234567890\r\n", RESP_ERR_INTEGER, 0 },
	{ "*1\r\n:abc\r\n", RESP_ERR_INTEGER, 0 },
	{ "*1\r\n:-0\r\n", RESP_ERR_INTEGER, 0 },
	{ "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", RESP_ERR_NESTING, 0 },
	{ "*2\r\n:1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n", RESP_ERR_NESTING, 0 },
};

static void expect_failure(const struct run *run, enum resp_err err, size_t before,
			   const char *how)
{
	if (!run->failed || run->err != err || run->n != before)
		fail_msg("%s (%s): error %s after %zu replies; want %s after %zu",
			 escaped(current_case), how, run->failed ? resp_err_name(run->err) : "none",
			 run->n, resp_err_name(err), before);
}

static void check_garbage(const uint8_t *in, size_t len, enum resp_err err, size_t before)
{
	struct run *run = malloc(sizeof(*run));
	size_t i;

	assert_non_null(run);
	run_init(run);
	feed(run, in, len);
	expect_failure(run, err, before, "whole");
	run_init(run);
	for (i = 0; i < len && !run->failed; i++)
		feed(run, in + i, 1);
	expect_failure(run, err, before, "byte by byte");
	free(run);
}

static void test_garbage(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(garbages) / sizeof(garbages[0]); i++) {
		current_case = garbages[i].in;
		check_garbage((const uint8_t *)garbages[i].in, strlen(garbages[i].in),
			      garbages[i].err, garbages[i].replies_before);
	}
}

static void test_line_length(void **state)
{
	size_t cap = RESP_LINE_MAX + 8;
	uint8_t *b = malloc(cap);
	struct want w = W(ERROR, 0, RESP_LINE_MAX + 3);
	size_t len;

	(void)state;
	assert_non_null(b);
	b[0] = '-';
	memset(b + 1, 'e', RESP_LINE_MAX);
	memcpy(b + 1 + RESP_LINE_MAX, "\r\n", 2);
	len = RESP_LINE_MAX + 3;
	check_all_splits(b, len, &w, 1);
	b[0] = '+';
	b[1 + RESP_LINE_MAX] = 'e';
	memcpy(b + 2 + RESP_LINE_MAX, "\r\n", 2);
	check_garbage(b, len + 1, RESP_ERR_LINE_TOO_LONG, 0);
	free(b);
}

/* A reply longer than 4 GiB is refused once its bytes pass the limit,
 * without the parser buffering anything. */
static void test_reply_too_big(void **state)
{
	static uint8_t chunk[1 << 20];
	struct resp_parser p;
	struct resp_reply r;
	enum resp_err err = RESP_OK;
	int done, n = 0;
	uint64_t fed = 0;
	const char *hdr = "*2\r\n$4294967000\r\n";

	(void)state;
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, (const uint8_t *)hdr, strlen(hdr), &r, &done, &err),
			 (int)strlen(hdr));
	memset(chunk, 'x', sizeof(chunk));
	while (fed < 4294967000ull) {
		size_t k = sizeof(chunk);

		if (k > 4294967000ull - fed)
			k = (size_t)(4294967000ull - fed);
		n = resp_parse(&p, chunk, k, &r, &done, &err);
		assert_int_equal(n, (int)k);
		assert_int_equal(done, 0);
		fed += k;
	}
	n = resp_parse(&p, (const uint8_t *)"\r\n$300\r\n", 8, &r, &done, &err);
	assert_int_equal(n, -1);
	assert_int_equal(err, RESP_ERR_LENGTH);
}

/* ---- checks ---- */

static struct resp_reply one(const char *s)
{
	struct resp_parser p;
	struct resp_reply r;
	enum resp_err err = RESP_OK;
	int done = 0;

	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, (const uint8_t *)s, strlen(s), &r, &done, &err),
			 (int)strlen(s));
	assert_int_equal(done, 1);
	return r;
}

static void test_check(void **state)
{
	struct resp_reply r;

	(void)state;
	r = one("+OK\r\n");
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_OK);
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one("+QUEUED\r\n");
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one("-ERR no\r\n");
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_ERROR_REPLY);
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_ERROR_REPLY);
	r = one("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_ERROR_REPLY);
	r = one("$3\r\nxxx\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_OK);
	assert_int_equal(resp_check(RESP_OP_GET, &r, 4), RESP_CHECK_WRONG_SIZE);
	assert_int_equal(resp_check(RESP_OP_GET, &r, 2), RESP_CHECK_WRONG_SIZE);
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one("$0\r\n\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 0), RESP_CHECK_OK);
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_WRONG_SIZE);
	r = one("$-1\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_OK);
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one(":3\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_WRONG_TYPE);
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one("*1\r\n$3\r\nxxx\r\n");
	assert_int_equal(resp_check(RESP_OP_GET, &r, 3), RESP_CHECK_WRONG_TYPE);
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
	r = one("*1\r\n+OK\r\n");
	assert_int_equal(resp_check(RESP_OP_SET, &r, 3), RESP_CHECK_WRONG_TYPE);
}

/* The captured GETs checked the way the load generator will. */
static void test_check_fixture(void **state)
{
	static const uint32_t sizes[] = { 3, 16, 0, 12, 70000 };
	struct run *run = malloc(sizeof(*run));
	size_t len, i;
	uint8_t *d = load_fixture("get", &len);

	(void)state;
	assert_non_null(run);
	run_init(run);
	feed(run, d, len);
	assert_int_equal(run->n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(resp_check(RESP_OP_GET, &run->r[i], sizes[i]), RESP_CHECK_OK);
		assert_int_equal(resp_check(RESP_OP_GET, &run->r[i], sizes[i] + 1),
				 RESP_CHECK_WRONG_SIZE);
	}
	free(d);
	d = load_fixture("error", &len);
	run_init(run);
	feed(run, d, len);
	assert_int_equal(resp_check(RESP_OP_SET, &run->r[0], 3), RESP_CHECK_OK);
	for (i = 1; i < 5; i++)
		assert_int_equal(resp_check(RESP_OP_SET, &run->r[i], 3), RESP_CHECK_ERROR_REPLY);
	free(d);
	d = load_fixture("nil", &len);
	run_init(run);
	feed(run, d, len);
	assert_int_equal(resp_check(RESP_OP_GET, &run->r[0], 3), RESP_CHECK_OK);
	free(d);
	free(run);
}

static void test_names(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < RESP_ERR__COUNT; i++) {
		assert_string_not_equal(resp_err_name((enum resp_err)i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(resp_err_name((enum resp_err)i),
						resp_err_name((enum resp_err)j));
	}
	assert_string_equal(resp_err_name(RESP_ERR_NESTING), "nesting");
	assert_string_equal(resp_err_name(RESP_ERR__COUNT), "?");
	for (i = 0; i < RESP_CHECK__COUNT; i++) {
		assert_string_not_equal(resp_check_name((enum resp_check)i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(resp_check_name((enum resp_check)i),
						resp_check_name((enum resp_check)j));
	}
	assert_string_equal(resp_check_name(RESP_CHECK_WRONG_SIZE), "wrong_size");
	assert_string_equal(resp_check_name(RESP_CHECK__COUNT), "?");
}

static void test_parser_size(void **state)
{
	(void)state;
	assert_true(sizeof(struct resp_parser) <= 48);
}

/* No bytes: nothing consumed, no reply, state kept mid-reply. */
static void test_empty_input(void **state)
{
	struct resp_parser p;
	struct resp_reply r;
	enum resp_err err = RESP_OK;
	int done = 1;

	(void)state;
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, (const uint8_t *)"", 0, &r, &done, &err), 0);
	assert_int_equal(done, 0);
	assert_int_equal(resp_parse(&p, (const uint8_t *)"+O", 2, &r, &done, &err), 2);
	assert_int_equal(resp_parse(&p, (const uint8_t *)"", 0, &r, &done, &err), 0);
	assert_int_equal(resp_parse(&p, (const uint8_t *)"K\r\n", 3, &r, &done, &err), 3);
	assert_int_equal(done, 1);
	assert_int_equal(r.simple_ok, 1);
	assert_int_equal(r.bytes, 5);
}

/* ---- requests ---- */

static void assert_request(const struct resp_gen *g, enum resp_op op, uint64_t key,
			   const char *want)
{
	uint8_t out[256];
	size_t n = resp_gen_request(g, op, key, out, sizeof(out));

	assert_int_equal(n, strlen(want));
	assert_int_equal(resp_gen_len(g, op), n);
	assert_memory_equal(out, want, n);
}

static void test_gen_exact(void **state)
{
	struct resp_gen g;

	(void)state;
	assert_int_equal(resp_gen_init(&g, 3, 1000000), 0);
	assert_request(&g, RESP_OP_SET, 42,
		       "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n");
	assert_request(&g, RESP_OP_GET, 42, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n");
	assert_request(&g, RESP_OP_GET, 0, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000000\r\n");
	assert_request(&g, RESP_OP_SET, 999999,
		       "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000999999\r\n$3\r\nxxx\r\n");
	/* patching leaves no digit of an earlier key behind */
	assert_request(&g, RESP_OP_GET, 7, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n");
	resp_gen_free(&g);

	assert_int_equal(resp_gen_init(&g, 0, 1), 0);
	assert_request(&g, RESP_OP_SET, 0,
		       "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$0\r\n\r\n");
	resp_gen_free(&g);

	/* keyspaces whose largest key has an odd, an even and one digit
	 * (only those low digits are written over the template's zeros) */
	assert_int_equal(resp_gen_init(&g, 1, 100000), 0);
	assert_request(&g, RESP_OP_GET, 99999, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000099999\r\n");
	assert_request(&g, RESP_OP_GET, 10203, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000010203\r\n");
	assert_request(&g, RESP_OP_GET, 5, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000005\r\n");
	resp_gen_free(&g);
	assert_int_equal(resp_gen_init(&g, 1, 100), 0);
	assert_request(&g, RESP_OP_GET, 98, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000098\r\n");
	resp_gen_free(&g);
	assert_int_equal(resp_gen_init(&g, 1, 10), 0);
	assert_request(&g, RESP_OP_GET, 9, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000009\r\n");
	resp_gen_free(&g);

	assert_int_equal(resp_gen_init(&g, 12, RESP_KEYSPACE_MAX), 0);
	assert_request(&g, RESP_OP_SET, RESP_KEYSPACE_MAX - 1,
		       "*3\r\n$3\r\nSET\r\n$16\r\nkey:999999999999\r\n$12\r\nxxxxxxxxxxxx\r\n");
	assert_request(&g, RESP_OP_GET, 123456789012ull,
		       "*2\r\n$3\r\nGET\r\n$16\r\nkey:123456789012\r\n");
	resp_gen_free(&g);
}

static void test_gen_bounds(void **state)
{
	struct resp_gen g;
	uint8_t out[64];
	const size_t get_len = strlen("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000000\r\n");

	(void)state;
	assert_int_equal(resp_gen_init(&g, 3, 0), -EINVAL);
	assert_int_equal(resp_gen_init(&g, RESP_VALUE_MAX + 1, 10), -E2BIG);
	assert_int_equal(resp_gen_init(&g, 3, RESP_KEYSPACE_MAX + 1), -E2BIG);
	resp_gen_free(&g);

	assert_int_equal(resp_gen_init(&g, 3, 10), 0);
	assert_request(&g, RESP_OP_GET, 9, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000009\r\n");
	assert_int_equal(resp_gen_request(&g, RESP_OP_GET, 10, out, sizeof(out)), 0);
	assert_int_equal(resp_gen_request(&g, RESP_OP_GET, UINT64_MAX, out, sizeof(out)), 0);
	assert_int_equal(resp_gen_request(&g, RESP_OP_GET, 0, out, get_len - 1), 0);
	assert_int_equal(resp_gen_request(&g, RESP_OP_GET, 0, out, get_len), get_len);
	resp_gen_free(&g);
	resp_gen_free(&g);
}

/* The largest value: lengths add up, and our own parser reads each request
 * back as an array of bulk strings of the right sizes. */
static void test_gen_parse_back(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 3, 100, 4096, RESP_VALUE_MAX };
	static uint8_t out[RESP_VALUE_MAX + 128];
	size_t s;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct resp_gen g;
		struct resp_reply r;
		struct resp_parser p;
		enum resp_err err;
		int done = 0;
		char hdr[32];
		size_t n;
		uint32_t i;

		assert_int_equal(resp_gen_init(&g, sizes[s], 100), 0);
		n = resp_gen_request(&g, RESP_OP_SET, 99, out, sizeof(out));
		snprintf(hdr, sizeof(hdr), "$%u\r\n", sizes[s]);
		assert_int_equal(n, 36 + strlen(hdr) + sizes[s] + 2);
		assert_memory_equal(out + 36, hdr, strlen(hdr));
		for (i = 0; i < sizes[s]; i++)
			assert_int_equal(out[36 + strlen(hdr) + i], 'x');
		resp_parser_init(&p);
		assert_int_equal(resp_parse(&p, out, n, &r, &done, &err), (int)n);
		assert_int_equal(done, 1);
		assert_int_equal(r.kind, RESP_ARRAY);
		assert_int_equal(r.integer, 3);
		assert_int_equal(r.bytes, n);
		n = resp_gen_request(&g, RESP_OP_GET, 99, out, sizeof(out));
		assert_int_equal(resp_parse(&p, out, n, &r, &done, &err), (int)n);
		assert_int_equal(done, 1);
		assert_int_equal(r.integer, 2);
		resp_gen_free(&g);
	}
}

/* ---- bench ---- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Parse n back-to-back copies of reply s, best of 25 rounds; with split,
 * in pieces of len(s) bytes that each end inside a reply. */
static double bench_one(const char *s, size_t n, int split)
{
	size_t l = strlen(s), i, round;
	uint8_t *buf = malloc(l * n);
	double best = 1e30;
	uint64_t sink = 0;

	if (!buf)
		return -1;
	for (i = 0; i < n; i++)
		memcpy(buf + i * l, s, l);
	for (round = 0; round < 25; round++) {
		struct resp_parser p;
		struct resp_reply r;
		enum resp_err err;
		size_t at = 0;
		double t0, t;
		int done;

		resp_parser_init(&p);
		t0 = now_ns();
		while (at < l * n) {
			size_t piece = l * n - at;
			int k;

			if (split && piece > l)
				piece = at % l == 0 ? l / 2 : l;
			k = resp_parse(&p, buf + at, piece, &r, &done, &err);

			if (k < 0)
				abort();
			at += (size_t)k;
			if (done)
				sink += r.bytes;
		}
		t = (now_ns() - t0) / (double)n;
		if (t < best)
			best = t;
	}
	free(buf);
	if (sink != 25 * l * n)
		abort();
	return best;
}

static int bench(void)
{
	static const char *const replies[] = { "+OK\r\n", "$3\r\nxxx\r\n", "$-1\r\n", ":12345\r\n",
					       "-ERR x\r\n" };
	size_t i;

	printf("ns per reply, 100k replies back to back, best of 25 rounds\n");
	printf("%-16s %8s %8s\n", "reply", "whole", "split");
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		printf("%-16s %8.2f %8.2f\n", escaped(replies[i]),
		       bench_one(replies[i], 100000, 0), bench_one(replies[i], 100000, 1));
	return 0;
}

#define FIXTURE_TEST(i) \
	{ .name = fixtures[i].name, .test_func = test_fixture, \
	  .initial_state = (void *)&fixtures[i] }

/* resp_load's per-connection FIFO of outstanding ops (a power of two of
 * slots, pipeline 3 here): each reply is checked against the op that was
 * sent that many requests before, across many wrap-arounds, and at most
 * pipeline requests are outstanding. */
static void test_load_fifo(void **state)
{
	struct resp_load r;
	struct load_reply lr;
	uint8_t req[256];
	int sent_set[8], head = 0, count = 0, done, err, n;
	static const char set_reply[] = "+OK\r\n", get_reply[] = "$3\r\nabc\r\n";

	(void)state;
	assert_int_equal(resp_load_init(&r, 2, 3, 0.5, 100, 3, 42), 0);
	assert_int_equal(r.op_slots, 4);
	load_proto_resp.conn_reset(&r, 1);
	for (int round = 0; round < 200; round++) {
		/* fill up to the pipeline, then one more is refused */
		while (count < 3) {
			uint32_t len = load_proto_resp.request(&r, 1, req, sizeof(req));

			assert_true(len > 8);
			sent_set[(head + count++) % 8] = memmem(req, len, "SET", 3) != NULL;
		}
		assert_int_equal(load_proto_resp.request(&r, 1, req, sizeof(req)), 0);
		/* answer 1 or 2 of them, each as its op wants */
		for (int k = 0; k < 1 + round % 2; k++) {
			const char *rep = sent_set[head % 8] ? set_reply : get_reply;

			memset(&lr, 0, sizeof(lr));
			done = 0;
			n = load_proto_resp.parse(&r, 1, (const uint8_t *)rep, (uint32_t)strlen(rep), &lr, &done,
						  &err);
			assert_int_equal(n, (int)strlen(rep));
			assert_true(done);
			assert_true(lr.ok);
			head++;
			count--;
		}
	}
	/* a reply when nothing is outstanding on conn 0 is an error */
	load_proto_resp.conn_reset(&r, 0);
	done = 0;
	assert_int_equal(load_proto_resp.parse(&r, 0, (const uint8_t *)set_reply, 5, &lr, &done, &err), -1);
	resp_load_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(0),
		FIXTURE_TEST(1),
		FIXTURE_TEST(2),
		FIXTURE_TEST(3),
		FIXTURE_TEST(4),
		FIXTURE_TEST(5),
		FIXTURE_TEST(6),
		cmocka_unit_test(test_fixture_stream),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_reply_too_big),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_fixture),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parser_size),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_load_fifo),
		cmocka_unit_test(test_gen_exact),
		cmocka_unit_test(test_gen_bounds),
		cmocka_unit_test(test_gen_parse_back),
	};

	_Static_assert(N_FIXTURES == 7, "one FIXTURE_TEST per fixture");
	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		return bench();
	return cmocka_run_group_tests_name("resp", tests, NULL, NULL);
}
