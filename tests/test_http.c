/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for dataplane/http.c: the response parser against responses
 * captured from a real nginx, split at every byte, and against hand-made
 * edge cases; the request builder byte for byte.
 *
 * Fixtures are read at run time from $LVP_FIXTURES, else from the directory
 * baked in as LVP_FIXTURES_DIR. tests/fixtures/capture_http.sh re-makes
 * them together with http_expect.txt, the values it computed from the bytes
 * on its own (status, keep-alive, header and wire body sizes).
 *
 * "test_http --bench [N]" instead prints the parse cost of the 1 KB
 * response (ns per response over N, default 1000000, responses; thread CPU
 * time and wall time).
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

#include "http.h"
#include "http_load.h"
#include "load.h"

#ifndef LVP_FIXTURES_DIR
#define LVP_FIXTURES_DIR "tests/fixtures"
#endif

#define FIXTURE_MAX (256 * 1024)
#define RESP_MAX 8

static const char *fixtures_dir(void)
{
	const char *dir = getenv("LVP_FIXTURES");

	return dir && *dir ? dir : LVP_FIXTURES_DIR;
}

/* Bytes of fixture file name into a malloc'ed buffer; fails the test when missing. */
static uint8_t *load_fixture(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = malloc(FIXTURE_MAX);
	FILE *f;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", fixtures_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s: %s (set LVP_FIXTURES)", path, strerror(errno));
	*len = fread(buf, 1, FIXTURE_MAX, f);
	assert_true(feof(f));
	fclose(f);
	assert_true(*len > 0);
	return buf;
}

/* What a sequence of http_parse calls gave. */
struct run {
	struct http_resp r[RESP_MAX];
	unsigned n;
	int failed;
	enum http_err err;
	size_t consumed; /* in all calls */
};

/* Feed one piece as the TCP layer would: call again after each response. */
static void feed(struct http_parser *p, const uint8_t *d, size_t len, struct run *run)
{
	size_t off = 0;

	do {
		struct http_resp out;
		enum http_err err = HTTP_OK;
		int done = -1;
		int rc = http_parse(p, d + off, len - off, &out, &done, &err);

		if (run->failed) {
			/* a failed parser keeps failing with the same error */
			assert_int_equal(rc, -1);
			assert_int_equal(err, run->err);
			return;
		}
		if (rc < 0) {
			assert_int_not_equal(err, HTTP_OK);
			run->failed = 1;
			run->err = err;
			return;
		}
		assert_true((size_t)rc <= len - off);
		off += (size_t)rc;
		run->consumed += (size_t)rc;
		if (!done) {
			assert_int_equal(done, 0);
			assert_int_equal(off, len);
			return;
		}
		assert_int_equal(done, 1);
		assert_true(rc > 0);
		assert_true(run->n < RESP_MAX);
		run->r[run->n++] = out;
	} while (off < len);
}

static void run_whole(const uint8_t *d, size_t len, struct run *run)
{
	struct http_parser p;

	memset(run, 0, sizeof(*run));
	http_parser_init(&p);
	feed(&p, d, len, run);
}

/* Pieces of step bytes (the last may be shorter). */
static void run_steps(const uint8_t *d, size_t len, size_t step, struct run *run)
{
	struct http_parser p;

	memset(run, 0, sizeof(*run));
	http_parser_init(&p);
	for (size_t off = 0; off < len && !run->failed; off += step)
		feed(&p, d + off, len - off < step ? len - off : step, run);
}

static void assert_same_run(const struct run *a, const struct run *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->failed, b->failed);
	assert_int_equal(a->err, b->err);
	if (!a->failed) /* else it depends on where the failing call began */
		assert_int_equal(a->consumed, b->consumed);
	for (unsigned k = 0; k < a->n; k++) {
		assert_int_equal(a->r[k].status, b->r[k].status);
		assert_int_equal(a->r[k].keep_alive, b->r[k].keep_alive);
		assert_int_equal(a->r[k].header_bytes, b->r[k].header_bytes);
		assert_int_equal(a->r[k].body_bytes, b->r[k].body_bytes);
	}
}

/* One fixture file and the responses capture_http.sh found in it. */
struct expect_file {
	char name[64];
	unsigned n;
	struct http_resp r[RESP_MAX];
	uint64_t payload[RESP_MAX];
};

#define EXPECT_FILES 16

/* Read http_expect.txt; returns the number of files. */
static unsigned load_expect(struct expect_file *ef)
{
	char path[512], line[256];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/http_expect.txt", fixtures_dir());
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s: %s (set LVP_FIXTURES)", path, strerror(errno));
	memset(ef, 0, EXPECT_FILES * sizeof(*ef));
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned status, ka;
		unsigned long long hb, bb, pb;
		struct expect_file *e;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %u %u %llu %llu %llu", name, &status, &ka, &hb, &bb, &pb) != 6)
			fail_msg("%s: bad line: %s", path, line);
		if (!n || strcmp(ef[n - 1].name, name)) {
			assert_true(n < EXPECT_FILES);
			strcpy(ef[n++].name, name);
		}
		e = &ef[n - 1];
		assert_true(e->n < RESP_MAX);
		e->r[e->n].status = (uint16_t)status;
		e->r[e->n].keep_alive = (uint8_t)ka;
		e->r[e->n].header_bytes = hb;
		e->r[e->n].body_bytes = bb;
		e->payload[e->n] = pb;
		e->n++;
	}
	fclose(f);
	assert_true(n >= 7);
	return n;
}

static const struct expect_file *find_expect(const struct expect_file *ef, unsigned n,
					     const char *name)
{
	for (unsigned k = 0; k < n; k++)
		if (!strcmp(ef[k].name, name))
			return &ef[k];
	fail_msg("no %s in http_expect.txt", name);
	return NULL;
}

/* Every capture parsed whole gives what capture_http.sh computed. */
static void test_fixtures_whole(void **state)
{
	struct expect_file ef[EXPECT_FILES];
	unsigned n = load_expect(ef);

	(void)state;
	for (unsigned k = 0; k < n; k++) {
		size_t len;
		uint8_t *d = load_fixture(ef[k].name, &len);
		struct run run;
		uint64_t total = 0;

		run_whole(d, len, &run);
		assert_false(run.failed);
		assert_int_equal(run.consumed, len);
		assert_int_equal(run.n, ef[k].n);
		for (unsigned j = 0; j < run.n; j++) {
			assert_int_equal(run.r[j].status, ef[k].r[j].status);
			assert_int_equal(run.r[j].keep_alive, ef[k].r[j].keep_alive);
			assert_int_equal(run.r[j].header_bytes, ef[k].r[j].header_bytes);
			assert_int_equal(run.r[j].body_bytes, ef[k].r[j].body_bytes);
			total += run.r[j].header_bytes + run.r[j].body_bytes;
		}
		assert_int_equal(total, len);
		free(d);
	}
}

/* What is known about the captures without reading them. */
static void test_fixtures_known(void **state)
{
	static const struct {
		const char *name;
		unsigned n;
		uint16_t status[3];
		uint8_t keep_alive[3];
		uint64_t payload[3]; /* UINT64_MAX: gzip, size unknown */
	} known[] = {
		{ "http_1k.bin", 1, { 200 }, { 1 }, { 1024 } },
		{ "http_100k.bin", 1, { 200 }, { 1 }, { 102400 } },
		{ "http_404.bin", 1, { 404 }, { 1 }, { UINT64_MAX } },
		{ "http_chunked.bin", 1, { 200 }, { 1 }, { UINT64_MAX } },
		{ "http_304.bin", 1, { 304 }, { 1 }, { 0 } },
		{ "http_close.bin", 1, { 200 }, { 0 }, { 1024 } },
		{ "http_pipelined.bin", 3, { 200, 404, 200 }, { 1, 1, 1 },
		  { 1024, UINT64_MAX, UINT64_MAX } },
	};
	struct expect_file ef[EXPECT_FILES];
	unsigned n = load_expect(ef);

	(void)state;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		const struct expect_file *e = find_expect(ef, n, known[k].name);
		size_t len;
		uint8_t *d = load_fixture(known[k].name, &len);
		struct run run;

		run_whole(d, len, &run);
		assert_false(run.failed);
		assert_int_equal(run.n, known[k].n);
		for (unsigned j = 0; j < run.n; j++) {
			assert_int_equal(run.r[j].status, known[k].status[j]);
			assert_int_equal(run.r[j].keep_alive, known[k].keep_alive[j]);
			if (known[k].payload[j] != UINT64_MAX)
				assert_int_equal(run.r[j].body_bytes, known[k].payload[j]);
		}
		/* the chunked ones: wire body = payload + framing, and a real one */
		if (strstr(known[k].name, "chunked"))
			assert_true(e->r[0].body_bytes > e->payload[0] + 10);
		free(d);
	}
}

/* Two calls split at every byte, and 1-byte, 2-byte, 7-byte feeds, all equal whole. */
static void test_fixtures_split(void **state)
{
	struct expect_file ef[EXPECT_FILES];
	unsigned n = load_expect(ef);
	static const size_t steps[] = { 1, 2, 7, 1460 };

	(void)state;
	for (unsigned k = 0; k < n; k++) {
		size_t len;
		uint8_t *d = load_fixture(ef[k].name, &len);
		struct run whole, split;

		run_whole(d, len, &whole);
		for (size_t cut = 0; cut <= len; cut++) {
			struct http_parser p;

			memset(&split, 0, sizeof(split));
			http_parser_init(&p);
			feed(&p, d, cut, &split);
			feed(&p, d + cut, len - cut, &split);
			assert_same_run(&whole, &split);
		}
		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			run_steps(d, len, steps[s], &split);
			assert_same_run(&whole, &split);
		}
		free(d);
	}
}

/* A hand-made stream, whole and at every split, gives want (n responses, then maybe err). */
static void check_stream(const char *s, size_t len, const struct http_resp *want, unsigned n,
			 enum http_err err)
{
	const uint8_t *d = (const uint8_t *)s;
	struct run whole, split;

	run_whole(d, len, &whole);
	if (whole.n != n)
		fail_msg("%u responses, want %u, in: %.*s", whole.n, n, (int)len, s);
	assert_int_equal(whole.failed, err != HTTP_OK);
	assert_int_equal(whole.err, err);
	for (unsigned k = 0; k < n; k++) {
		assert_int_equal(whole.r[k].status, want[k].status);
		assert_int_equal(whole.r[k].keep_alive, want[k].keep_alive);
		assert_int_equal(whole.r[k].header_bytes, want[k].header_bytes);
		assert_int_equal(whole.r[k].body_bytes, want[k].body_bytes);
	}
	for (size_t cut = 0; cut <= len; cut++) {
		struct http_parser p;

		memset(&split, 0, sizeof(split));
		http_parser_init(&p);
		feed(&p, d, cut, &split);
		feed(&p, d + cut, len - cut, &split);
		if (!err)
			assert_same_run(&whole, &split);
		else
			assert_true(split.failed && split.err == err && split.n == n);
	}
	run_steps(d, len, 1, &split);
	if (!err)
		assert_same_run(&whole, &split);
	else
		assert_true(split.failed && split.err == err && split.n == n);
}

#define STREAM(s) s, sizeof(s) - 1
#define HDR_LEN(s) (sizeof(s) - 1)

static void test_chunked_ext_trailers(void **state)
{
	static const char h[] = "HTTP/1.1 200 OK\r\n"
				"Transfer-Encoding: chunked\r\n"
				"\r\n";
	static const char b[] = "5;name=value;x=\"q;\"\r\nhello\r\n"
				"0A \t;ext\r\n0123456789\r\n"
				"00000000000000000001\r\n!\r\n"
				"0;last\r\n"
				"Expires: never\r\n"
				"X-Trailer: 1\r\n"
				"\r\n";
	char s[512];
	struct http_resp want[2] = {
		{ 200, 1, HDR_LEN(h), HDR_LEN(b) },
		{ 200, 1, HDR_LEN(h), HDR_LEN(b) },
	};

	(void)state;
	/* twice, pipelined */
	snprintf(s, sizeof(s), "%s%s%s%s", h, b, h, b);
	check_stream(s, strlen(s), want, 2, HTTP_OK);

	/* bare LF everywhere, upper-case hex, TE as a list, no trailers */
	static const char lf[] = "HTTP/1.1 200 OK\n"
				 "transfer-encoding: gzip, CHUNKED\n"
				 "\n"
				 "A\n0123456789\n0\n\n";
	want[0].header_bytes = 50;
	want[0].body_bytes = HDR_LEN(lf) - 50;
	check_stream(STREAM(lf), want, 1, HTTP_OK);
}

static void test_content_length_zero(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
				"HTTP/1.1 201 Created\r\ncontent-length:\t 3 \t\r\n\r\nabc"
				"HTTP/1.1 200\nContent-Length: 0\n\n";
	struct http_resp want[3] = { { 200, 1, 38, 0 }, { 201, 1, 46, 3 }, { 200, 1, 32, 0 } };

	(void)state;
	check_stream(STREAM(s), want, 3, HTTP_OK);
}

static void test_no_body_statuses(void **state)
{
	/* 204/304 with a Content-Length or chunked still have no body; a 100
	 * comes before the final response */
	static const char s[] = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
				"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
				"HTTP/1.1 100 Continue\r\n\r\n"
				"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok";
	struct http_resp want[4] = {
		{ 204, 1, 47, 0 },
		{ 304, 1, 57, 0 },
		{ 100, 1, 25, 0 },
		{ 200, 1, 35, 2 },
	};

	(void)state;
	check_stream(STREAM(s), want, 4, HTTP_OK);
}

static void test_connection(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nConnection: CLOSE\r\nContent-Length: 1\r\n\r\nx"
				"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Upgrade\r\n"
				"Content-Length: 1\r\n\r\nx"
				"HTTP/1.1 200 OK\r\nConnection: upgrade,close\r\n"
				"Content-Length: 1\r\n\r\nx"
				"HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 1\r\n\r\nx"
				"HTTP/1.1 200 OK\r\nX-Connection: close\r\nContent-Length: 1\r\n\r\nx";
	struct http_resp want[5] = {
		{ 200, 0, 57, 1 }, { 200, 1, 71, 1 }, { 200, 0, 65, 1 },
		{ 200, 1, 58, 1 }, { 200, 1, 59, 1 },
	};

	(void)state;
	check_stream(STREAM(s), want, 5, HTTP_OK);
}

static void test_http10(void **state)
{
	static const char s[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
				"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
				"Content-Length: 2\r\n\r\nok";
	struct http_resp want[2] = { { 200, 0, 38, 2 }, { 200, 1, 62, 2 } };
	static const char until_close[] = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close";
	struct http_parser p;
	struct http_resp out;
	enum http_err err;
	int done;

	(void)state;
	check_stream(STREAM(s), want, 2, HTTP_OK);

	/* no length: until close, whatever comes; eof completes it */
	http_parser_init(&p);
	assert_int_equal(http_parser_eof(&p, &out), 0);
	assert_int_equal(http_parse(&p, (const uint8_t *)until_close, 30, &out, &done, &err), 30);
	assert_int_equal(done, 0);
	assert_int_equal(http_parse(&p, (const uint8_t *)until_close + 30,
				    HDR_LEN(until_close) - 30, &out, &done, &err),
			 HDR_LEN(until_close) - 30);
	assert_int_equal(done, 0);
	assert_int_equal(http_parse(&p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\n", 19, &out, &done,
				    &err),
			 19);
	assert_int_equal(done, 0);
	assert_int_equal(http_parser_eof(&p, &out), 1);
	assert_int_equal(out.status, 200);
	assert_int_equal(out.keep_alive, 0);
	assert_int_equal(out.header_bytes, 30);
	assert_int_equal(out.body_bytes, HDR_LEN(until_close) - 30 + 19);
	/* re-armed */
	assert_int_equal(http_parser_eof(&p, &out), 0);
}

static void test_until_close_and_te(void **state)
{
	static const char te_gzip[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n"
				      "Content-Length: 4\r\n\r\nabcdefgh";
	static const char te_wins[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
				      "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
	struct http_resp want = { 200, 1, 68, 11 };
	struct http_parser p;
	struct http_resp out;
	enum http_err err;
	int done;

	(void)state;
	check_stream(STREAM(te_wins), &want, 1, HTTP_OK);

	http_parser_init(&p);
	assert_int_equal(http_parse(&p, (const uint8_t *)te_gzip, HDR_LEN(te_gzip), &out, &done,
				    &err),
			 HDR_LEN(te_gzip));
	assert_int_equal(done, 0);
	assert_int_equal(http_parser_eof(&p, &out), 1);
	assert_int_equal(out.keep_alive, 0);
	assert_int_equal(out.body_bytes, 8);

	/* cut short: eof completes nothing */
	http_parser_init(&p);
	assert_int_equal(http_parse(&p, (const uint8_t *)te_wins, 74, &out, &done, &err), 74);
	assert_int_equal(done, 0);
	assert_int_equal(http_parser_eof(&p, &out), 0);
}

static void test_head(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n"
				"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct http_parser p;
	struct http_resp out;
	enum http_err err;
	int done, rc;

	(void)state;
	http_parser_init(&p);
	http_parser_expect_no_body(&p);
	rc = http_parse(&p, (const uint8_t *)s, HDR_LEN(s), &out, &done, &err);
	assert_int_equal(rc, 41);
	assert_int_equal(done, 1);
	assert_int_equal(out.body_bytes, 0);
	/* lasts for one response */
	rc = http_parse(&p, (const uint8_t *)s + 41, HDR_LEN(s) - 41, &out, &done, &err);
	assert_int_equal(rc, HDR_LEN(s) - 41);
	assert_int_equal(done, 1);
	assert_int_equal(out.body_bytes, 2);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *s;
		enum http_err err;
	} bad[] = {
		{ "HTTP/1.1 abc OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1 20 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1 2000 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1 099 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1  200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1 200\r\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "http/1.1 200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "\r\nHTTP/1.1 200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.x 200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/x.1 200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/11 200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/1.1x200 OK\r\n\r\n", HTTP_ERR_STATUS_LINE },
		{ "HTTP/2.0 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "HTTP/0.9 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\nConnection: close\rx\r\n\r\n", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\n\rX", HTTP_ERR_HEADER },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
		  HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
		  HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		  HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1g\r\n", HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "10000000000000000\r\n",
		  HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
		  HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rx",
		  HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\rx", HTTP_ERR_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rx",
		  HTTP_ERR_CHUNK },
		/* a good response, then garbage */
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 abc", HTTP_ERR_STATUS_LINE },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		unsigned n = strstr(bad[k].s, "xHTTP") ? 1 : 0;
		struct http_resp want = { 200, 1, 38, 1 };

		check_stream(bad[k].s, strlen(bad[k].s), &want, n, bad[k].err);
	}
}

static void test_random_garbage(void **state)
{
	uint8_t buf[4096];
	uint32_t x = 12345;

	(void)state;
	for (unsigned round = 0; round < 200; round++) {
		struct run run;

		for (size_t k = 0; k < sizeof(buf); k++) {
			x = x * 1103515245u + 12345u; /* glibc rand() LCG constants */
			buf[k] = (uint8_t)(x >> 16);
		}
		if (buf[0] == 'H')
			buf[0] = 'h';
		run_whole(buf, sizeof(buf), &run);
		assert_true(run.failed);
		assert_int_equal(run.err, HTTP_ERR_STATUS_LINE);
		assert_int_equal(run.n, 0);
	}
	/* after a valid status line: garbage fails or waits, never crashes */
	for (unsigned round = 0; round < 2000; round++) {
		static const char head[] = "HTTP/1.1 200 OK\r\n";
		static const char alphabet[] = "Content-Length: 12\r\nTransfer-Encoding: chunked"
					       "\r\nA\n0;x\r\n:Connection: keep-alive, close\r\n";
		struct run a, b;

		memcpy(buf, head, sizeof(head) - 1);
		for (size_t k = sizeof(head) - 1; k < 256; k++) {
			x = x * 1103515245u + 12345u;
			/* mostly header-ish bytes so the deep states are reached */
			buf[k] = (uint8_t)alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
			if (((x >> 8) & 31) == 0)
				buf[k] = (uint8_t)(x >> 24);
		}
		run_whole(buf, 256, &a);
		run_steps(buf, 256, 1, &b);
		assert_same_run(&a, &b);
	}
}

static void test_header_too_long(void **state)
{
	static uint8_t buf[HTTP_HEADER_MAX + 1024];
	static const char head[] = "HTTP/1.1 200 OK\r\nX-Long: ";
	struct run run;

	(void)state;
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'a', sizeof(buf) - (sizeof(head) - 1));
	run_whole(buf, sizeof(buf), &run);
	assert_true(run.failed);
	assert_int_equal(run.err, HTTP_ERR_HEADER_TOO_LONG);
	run_steps(buf, sizeof(buf), 1000, &run);
	assert_true(run.failed);
	assert_int_equal(run.err, HTTP_ERR_HEADER_TOO_LONG);

	/* ended, but too long, in one call */
	memcpy(buf + sizeof(buf) - 4, "\r\n\r\n", 4);
	run_whole(buf, sizeof(buf), &run);
	assert_true(run.failed);
	assert_int_equal(run.err, HTTP_ERR_HEADER_TOO_LONG);

	/* exactly at the bound is accepted */
	memcpy(buf + HTTP_HEADER_MAX - 4, "\r\n\r\n", 4);
	run_steps(buf, HTTP_HEADER_MAX, 999, &run);
	assert_false(run.failed);
	assert_int_equal(run.n, 0); /* until close: no length */
}

static void test_sticky_error(void **state)
{
	struct http_parser p;
	struct http_resp out;
	enum http_err err = HTTP_OK;
	int done;
	static const uint8_t good[] = "HTTP/1.1 204 No Content\r\n\r\n";

	(void)state;
	http_parser_init(&p);
	assert_int_equal(http_parse(&p, (const uint8_t *)"HTTP/3", 6, &out, &done, &err), -1);
	assert_int_equal(err, HTTP_ERR_VERSION);
	err = HTTP_OK;
	assert_int_equal(http_parse(&p, good, sizeof(good) - 1, &out, &done, &err), -1);
	assert_int_equal(err, HTTP_ERR_VERSION);
	assert_int_equal(done, 0);
	http_parser_init(&p);
	assert_int_equal(http_parse(&p, good, sizeof(good) - 1, &out, &done, &err),
			 sizeof(good) - 1);
	assert_int_equal(done, 1);
	assert_int_equal(out.status, 204);
	/* len 0 */
	assert_int_equal(http_parse(&p, good, 0, &out, &done, &err), 0);
	assert_int_equal(done, 0);
}

static void test_parser_size(void **state)
{
	(void)state;
	assert_true(sizeof(struct http_parser) <= 64);
}

static void test_err_names(void **state)
{
	static const char *const names[HTTP_ERR__COUNT] = {
		"ok", "status_line", "header", "header_too_long", "content_length", "chunk", "version",
	};

	(void)state;
	for (int e = 0; e < HTTP_ERR__COUNT; e++)
		assert_string_equal(http_err_name((enum http_err)e), names[e]);
	assert_string_equal(http_err_name(HTTP_ERR__COUNT), "unknown");
	assert_string_equal(http_err_name((enum http_err)-1), "unknown");
}

static void test_req_build(void **state)
{
	static const char *const extra[] = { "Accept: */*", "X-Run:\tlvperf 1" };
	static const char want[] = "GET /1k.bin HTTP/1.1\r\n"
				   "Host: 127.0.0.1:8080\r\n"
				   "User-Agent: lvperf\r\n"
				   "Connection: keep-alive\r\n"
				   "Accept: */*\r\n"
				   "X-Run:\tlvperf 1\r\n"
				   "\r\n";
	static const char want_head[] = "HEAD /?a=b HTTP/1.1\r\n"
					"Host: example\r\n"
					"User-Agent: lvperf\r\n"
					"Connection: keep-alive\r\n"
					"\r\n";
	struct http_req_tmpl t;

	(void)state;
	assert_int_equal(http_req_build(&t, NULL, "/1k.bin", "127.0.0.1:8080", extra, 2), 0);
	assert_int_equal(t.len, sizeof(want) - 1);
	assert_memory_equal(t.buf, want, sizeof(want));
	assert_int_equal(http_req_build(&t, "HEAD", "/?a=b", "example", NULL, 0), 0);
	assert_int_equal(t.len, sizeof(want_head) - 1);
	assert_memory_equal(t.buf, want_head, sizeof(want_head));
}

static void test_req_build_rejects(void **state)
{
	static const char *const bad_extra[] = {
		"X-A: b\r\nX-Injected: 1", "X-A: b\n", "X-A: b\r", "No colon", ": no name",
		"Bad Name: x", "X-A: \x01", "X-A: \x7f",
	};
	static char big[HTTP_REQ_MAX + 16];
	struct http_req_tmpl t;
	const char *one[1];
	size_t base;

	(void)state;
	for (size_t k = 0; k < sizeof(bad_extra) / sizeof(bad_extra[0]); k++) {
		one[0] = bad_extra[k];
		assert_int_equal(http_req_build(&t, NULL, "/", "h", one, 1), -EINVAL);
		assert_int_equal(t.len, 0);
	}
	one[0] = NULL;
	assert_int_equal(http_req_build(&t, NULL, "/", "h", one, 1), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/", "h", NULL, 1), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, NULL, "h", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/", NULL, NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "", "h", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/a b", "h", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/\r\n", "h", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/", "h\r\nX: y", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, NULL, "/", "", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, "G T", "/", "h", NULL, 0), -EINVAL);
	assert_int_equal(http_req_build(&t, "", "/", "h", NULL, 0), -EINVAL);

	/* fill the path so the request is exactly HTTP_REQ_MAX - 1, then one more */
	assert_int_equal(http_req_build(&t, NULL, "/", "h", NULL, 0), 0);
	base = t.len - 1;
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[HTTP_REQ_MAX - 1 - base] = '\0';
	assert_int_equal(http_req_build(&t, NULL, big, "h", NULL, 0), 0);
	assert_int_equal(t.len, HTTP_REQ_MAX - 1);
	assert_int_equal(t.buf[t.len], '\0');
	big[HTTP_REQ_MAX - 1 - base] = 'a';
	big[HTTP_REQ_MAX - base] = '\0';
	assert_int_equal(http_req_build(&t, NULL, big, "h", NULL, 0), -E2BIG);
	assert_int_equal(t.len, 0);
	big[sizeof(big) - 1] = '\0';
	one[0] = "X-Big: x";
	assert_int_equal(http_req_build(&t, NULL, "/", big, one, 1), -E2BIG);
}

/* ns per response of the 1 KB capture, parsed whole, n times. */
static int bench(unsigned long n)
{
	size_t len;
	uint8_t *d = load_fixture("http_1k.bin", &len);
	struct http_parser p;
	struct http_resp out;
	enum http_err err;
	struct timespec t0, t1, c0, c1;
	uint64_t sink = 0;
	double ns, cpu_ns;

	http_parser_init(&p);
	for (int pass = 0; pass < 2; pass++) { /* the first warms up */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		for (unsigned long k = 0; k < n; k++) {
			int done;
			int rc = http_parse(&p, d, len, &out, &done, &err);

			if (rc != (int)len || !done)
				return 1;
			sink += out.body_bytes;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	}
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	cpu_ns = (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec);
	/* thread CPU time excludes time the thread was not running (other
	 * processes, VM steal); wall time includes it */
	printf("http_parse, %zu-byte response (%llu header bytes), %lu responses: "
	       "%.1f ns/response thread CPU time, %.1f ns/response wall (sink %llu)\n",
	       len, (unsigned long long)out.header_bytes, n, cpu_ns / (double)n, ns / (double)n,
	       (unsigned long long)sink);
	free(d);
	return 0;
}

/* ---- the load generator's header memo (http_load.c) ---- */

/* Feed bytes to conn as load_recv does: the replies completed, -1 on error. */
static int memo_feed(struct http_load *h, uint32_t conn, const char *bytes, size_t len,
		     struct load_reply *out, int max, int *err)
{
	const uint8_t *d = (const uint8_t *)bytes;
	int n_out = 0;

	while (len) {
		struct load_reply r;
		int done = 0, n = load_proto_http.parse(h, conn, d, (uint32_t)len, &r, &done, err);

		if (n < 0)
			return -1;
		d += n;
		len -= (size_t)n;
		if (done) {
			assert_true(n_out < max);
			out[n_out++] = r;
		} else if (n == 0) {
			break;
		}
	}
	return n_out;
}

#define MEMO_HDR(date, clen)                                                                      \
	"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 04 Dec 2026 21:00:0" date " GMT\r\n" \
	"Content-Type: application/octet-stream\r\nContent-Length: " clen "\r\nConnection: keep-alive\r\n\r\n"

static void test_load_memo(void **state)
{
	static const char r1[] = MEMO_HDR("0", "5") "hello";
	static const char r2[] = MEMO_HDR("1", "5") "world";
	static const char r3[] = MEMO_HDR("1", "7") "1234567";
	static const char r204[] = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
	static const char bad[] = "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n";
	const size_t l1 = sizeof(r1) - 1, l3 = sizeof(r3) - 1, hlen = sizeof(MEMO_HDR("0", "5")) - 1;
	char three[3 * sizeof(r1)];
	struct load_reply out[4];
	struct http_load h;
	int err = 0, i;

	(void)state;
	assert_int_equal(http_load_init(&h, 2, "/", "x", NULL, 0), 0);
	/* Three pipelined replies in one segment: parsed once, then taken twice. */
	for (i = 0; i < 3; i++)
		memcpy(three + i * l1, r1, l1);
	assert_int_equal(memo_feed(&h, 0, three, 3 * l1, out, 4, &err), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].bytes, l1);
		assert_true(out[i].ok && out[i].keep_alive);
		assert_int_equal(out[i].cls, 2);
	}
	assert_int_equal(h.memo_learned, 1);
	assert_int_equal(h.memo_hits, 2);
	/* Another Date: parsed again and kept; then taken on the other connection. */
	assert_int_equal(memo_feed(&h, 0, r2, sizeof(r2) - 1, out, 4, &err), 1);
	assert_int_equal(out[0].bytes, sizeof(r2) - 1);
	assert_int_equal(memo_feed(&h, 1, r2, sizeof(r2) - 1, out, 4, &err), 1);
	assert_int_equal(h.memo_learned, 2);
	assert_int_equal(h.memo_hits, 3);
	/* Same length, one digit apart (Content-Length 7): not the memo's. */
	assert_int_equal(memo_feed(&h, 0, r3, l3, out, 4, &err), 1);
	assert_int_equal(out[0].bytes, l3);
	assert_int_equal(h.memo_learned, 3);
	/* The header block alone, then the body: taken from the memo, completed after. */
	assert_int_equal(memo_feed(&h, 0, r3, hlen, out, 4, &err), 0);
	assert_int_equal(h.memo_hits, 4);
	assert_int_equal(memo_feed(&h, 0, r3 + hlen, l3 - hlen, out, 4, &err), 1);
	assert_int_equal(out[0].bytes, l3);
	/* Split inside the headers: no memo either side, the same reply. */
	assert_int_equal(memo_feed(&h, 1, r3, 20, out, 4, &err), 0);
	assert_int_equal(memo_feed(&h, 1, r3 + 20, l3 - 20, out, 4, &err), 1);
	assert_int_equal(out[0].bytes, l3);
	assert_int_equal(h.memo_hits, 4);
	assert_int_equal(h.memo_learned, 3);
	/* No body: left to the parse (done there), the memo kept. */
	assert_int_equal(memo_feed(&h, 0, r204, sizeof(r204) - 1, out, 4, &err), 1);
	assert_int_equal(out[0].bytes, sizeof(r204) - 1);
	assert_int_equal(out[0].cls, 2);
	assert_int_equal(h.memo_learned, 3);
	assert_int_equal(memo_feed(&h, 0, r3, l3, out, 4, &err), 1);
	assert_int_equal(h.memo_hits, 5);
	/* Refused headers are said by the parse, as without the memo. */
	assert_int_equal(memo_feed(&h, 1, bad, sizeof(bad) - 1, out, 4, &err), -1);
	assert_int_equal(err, HTTP_ERR_HEADER);
	assert_int_equal(h.memo_learned, 3);
	http_load_free(&h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_whole),
		cmocka_unit_test(test_fixtures_known),
		cmocka_unit_test(test_fixtures_split),
		cmocka_unit_test(test_chunked_ext_trailers),
		cmocka_unit_test(test_content_length_zero),
		cmocka_unit_test(test_no_body_statuses),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_until_close_and_te),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_header_too_long),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_parser_size),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_req_build),
		cmocka_unit_test(test_req_build_rejects),
		cmocka_unit_test(test_load_memo),
	};

	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
