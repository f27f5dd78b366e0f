/* SPDX-License-Identifier: BSD-3-Clause
 * The agent protocol's pieces that need no server: the line reader
 * (oversize lines dropped to their newline, the next line intact), the
 * request checker, the version handshake, and --server URIs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_proto.h"
#include "remote.h"

static struct agent_reader rd;

static void test_reader(void **state)
{
	size_t big = AGENT_PROTO_LINE_MAX + 100;
	char *buf = malloc(big + 64);
	int fds[2];
	char *line;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	memcpy(buf, "one\n", 4);
	memset(buf + 4, 'x', big);
	memcpy(buf + 4 + big, "\ntwo\nthree-without-newline", 26);
	pid = fork();
	if (pid == 0) { /* a writer: the pipe holds less than the line */
		close(fds[0]);
		_exit(write(fds[1], buf, 4 + big + 26) == (ssize_t)(4 + big + 26) ? 0 : 1);
	}
	close(fds[1]);
	agent_reader_init(&rd, fds[0]);
	assert_int_equal(agent_reader_line(&rd, 5000, &line), 1);
	assert_string_equal(line, "one");
	assert_int_equal(agent_reader_line(&rd, 5000, &line), -E2BIG);
	assert_int_equal(agent_reader_line(&rd, 5000, &line), 1);
	assert_string_equal(line, "two");
	/* a last line without its newline is not a line */
	assert_int_equal(agent_reader_line(&rd, 5000, &line), 0);
	close(fds[0]);
	free(buf);
}

static void test_reader_exact_max(void **state)
{
	/* A line of AGENT_PROTO_LINE_MAX - 1 bytes plus its newline fits. */
	size_t n = AGENT_PROTO_LINE_MAX - 1;
	char *buf = malloc(n + 1);
	int fds[2];
	char *line;
	pid_t pid;

	(void)state;
	memset(buf, 'y', n);
	buf[n] = '\n';
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], buf, n + 1) == (ssize_t)(n + 1) ? 0 : 1);
	}
	close(fds[1]);
	agent_reader_init(&rd, fds[0]);
	assert_int_equal(agent_reader_line(&rd, 5000, &line), 1);
	assert_int_equal(strlen(line), n);
	close(fds[0]);
	free(buf);
}

static void test_check(void **state)
{
	static const struct agent_field f[] = {
	    {"handle", JSON_INTEGER, 1}, {"name", JSON_STRING, 0}, {NULL, 0, 0}};
	char err[128];
	json_t *r;

	(void)state;
	r = json_loads("{\"id\":1,\"op\":\"x\",\"handle\":2}", 0, NULL);
	assert_int_equal(agent_proto_check(r, f, err, sizeof(err)), 0);
	json_decref(r);
	r = json_loads("{\"id\":1,\"op\":\"x\"}", 0, NULL);
	assert_int_equal(agent_proto_check(r, f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "field 'handle' missing");
	json_decref(r);
	r = json_loads("{\"id\":1,\"handle\":2,\"name\":3}", 0, NULL);
	assert_int_equal(agent_proto_check(r, f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "field 'name' must be a string");
	json_decref(r);
	r = json_loads("{\"id\":1,\"handle\":-1}", 0, NULL);
	assert_int_equal(agent_proto_check(r, f, err, sizeof(err)), -EINVAL);
	json_decref(r);
	r = json_loads("{\"id\":1,\"handle\":1,\"extra\":true}", 0, NULL);
	assert_int_equal(agent_proto_check(r, f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown field 'extra'");
	json_decref(r);
}

static void test_hello(void **state)
{
	char err[256];
	json_t *h;

	(void)state;
	h = json_pack("{s:i, s:s}", "proto", AGENT_PROTO_VERSION, "version", LVP_VERSION);
	assert_int_equal(agent_proto_hello_check(h, "agent", err, sizeof(err)), 0);
	json_decref(h);
	h = json_pack("{s:i, s:s}", "proto", AGENT_PROTO_VERSION, "version", "0.0.1-other");
	assert_int_equal(agent_proto_hello_check(h, "agent", err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "0.0.1-other"));
	assert_non_null(strstr(err, "lvperf " LVP_VERSION));
	json_decref(h);
	h = json_pack("{s:i, s:s}", "proto", AGENT_PROTO_VERSION + 1, "version", LVP_VERSION);
	assert_int_equal(agent_proto_hello_check(h, "agent", err, sizeof(err)), -EPROTO);
	json_decref(h);
}

static void test_uri(void **state)
{
	char user[64], host[256], err[256];
	unsigned port;

	(void)state;
	assert_int_equal(remote_parse_uri("ssh://root@10.0.0.2:2222", user, sizeof(user), host,
					  sizeof(host), &port, err, sizeof(err)),
			 0);
	assert_string_equal(user, "root");
	assert_string_equal(host, "10.0.0.2");
	assert_int_equal(port, 2222);
	assert_int_equal(remote_parse_uri("ssh://server", user, sizeof(user), host, sizeof(host),
					  &port, err, sizeof(err)),
			 0);
	assert_string_equal(user, "");
	assert_string_equal(host, "server");
	assert_int_equal(port, 0);
	static const char *const bad[] = {
	    "server",	 "http://x",	  "ssh://",   "ssh://@x",
	    "ssh://x:0", "ssh://x:70000", "ssh://x:", "ssh://-oProxyCommand=y",
	    "ssh://a/b", "ssh://a b",	  NULL};
	for (const char *const *b = bad; *b; b++)
		assert_int_equal(remote_parse_uri(*b, user, sizeof(user), host, sizeof(host), &port,
						  err, sizeof(err)),
				 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reader), cmocka_unit_test(test_reader_exact_max),
	    cmocka_unit_test(test_check),  cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
