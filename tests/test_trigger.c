/* SPDX-License-Identifier: BSD-3-Clause
 * The remote-trigger listener (drivers/trigger.c) on loopback: the
 * datagram's coding, a START of another nonce ignored, the timeout, the
 * spawn on START with a sane receive-to-spawn delay, and ECHO answered
 * while waiting.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "trigger.h"

#define LOOPBACK 0x7f000001u

/* A client socket aimed at the listener on 127.0.0.1:port. */
static int client(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_msg(int fd, uint8_t type, uint64_t nonce, uint32_t seq, uint64_t tsc)
{
	struct trigger_msg m = { .type = type, .nonce = nonce, .seq = seq, .tx_tsc = tsc };
	uint8_t buf[TRIGGER_MSG_LEN];

	trigger_msg_put(buf, &m);
	assert_int_equal(send(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
}

static void test_format(void **state)
{
	struct trigger_msg m = { .type = TRIGGER_ECHO, .nonce = 0x0102030405060708ull, .seq = 77,
				 .tx_tsc = 0xfedcba9876543210ull }, back = { 0 };
	uint8_t buf[TRIGGER_MSG_LEN];

	(void)state;
	assert_int_equal(trigger_msg_put(buf, &m), TRIGGER_MSG_LEN);
	assert_memory_equal(buf, "LVPT\x01\x02\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08", 16);
	assert_int_equal(trigger_msg_get(buf, sizeof(buf), &back), 0);
	assert_int_equal(back.type, TRIGGER_ECHO);
	assert_true(back.nonce == m.nonce && back.seq == 77 && back.tx_tsc == m.tx_tsc);
	assert_int_equal(trigger_msg_get(buf, sizeof(buf) - 1, &back), -1); /* short */
	buf[4] = 2;
	assert_int_equal(trigger_msg_get(buf, sizeof(buf), &back), -1); /* another version */
	buf[4] = 1;
	buf[5] = 9;
	assert_int_equal(trigger_msg_get(buf, sizeof(buf), &back), -1); /* unknown type */
	buf[5] = 1;
	buf[0] = 'X';
	assert_int_equal(trigger_msg_get(buf, sizeof(buf), &back), -1); /* not ours */
}

static void test_nonce_mismatch_and_timeout(void **state)
{
	char *argv[] = { "true", NULL };
	struct trigger_result r;
	uint16_t port = 0;
	int fd = trigger_open(LOOPBACK, &port), c;

	(void)state;
	assert_true(fd >= 0);
	assert_true(port != 0);
	c = client(port);
	send_msg(c, TRIGGER_START, 41, 0, 1000); /* another run's START */
	assert_int_equal(send(c, "a", 1, 0), 1); /* the study's beacon byte: not ours */
	assert_int_equal(trigger_wait_spawn(fd, 42, argv, 1, 200000000ull, &r), -ETIMEDOUT);
	assert_int_equal(r.pid, 0);
	assert_int_equal(r.ignored, 2);
	/* Nothing at all: the timeout alone. */
	assert_int_equal(trigger_wait_spawn(fd, 42, argv, 1, 50000000ull, &r), -ETIMEDOUT);
	assert_int_equal(r.ignored, 0);
	close(c);
	close(fd);
}

static void test_spawn(void **state)
{
	char path[] = "/tmp/lvptrigXXXXXX";
	char *argv[] = { "touch", path, NULL };
	struct trigger_result r;
	struct stat st;
	uint16_t port = 0;
	int fd = trigger_open(LOOPBACK, &port), c, tmp, status;

	(void)state;
	assert_true(fd >= 0);
	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	unlink(path); /* touch makes it again: proof the START spawned argv */
	c = client(port);
	send_msg(c, TRIGGER_START, 7, 0, 123456789);
	send_msg(c, TRIGGER_START, 42, 0, 987654321);
	assert_int_equal(trigger_wait_spawn(fd, 42, argv, 1, 2000000000ull, &r), 0);
	assert_true(r.pid > 0);
	assert_int_equal(waitpid(r.pid, &status, 0), r.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(stat(path, &st), 0);
	unlink(path);
	assert_true(r.start_tx_tsc == 987654321ull);
	assert_int_equal(r.ignored, 1);
	assert_int_equal(r.stamped, 1); /* loopback gives the kernel's RX stamp */
	assert_true(r.rx_to_spawn_ns >= 0);
	assert_true(r.rx_to_spawn_ns < 60ll * 1000000000ll); /* a stamp on the same clock */
	close(c);
	close(fd);
}

static void test_spawn_fails(void **state)
{
	char *argv[] = { "lvp-no-such-program", NULL };
	struct trigger_result r;
	uint16_t port = 0;
	int fd = trigger_open(LOOPBACK, &port), c;

	(void)state;
	c = client(port);
	send_msg(c, TRIGGER_START, 5, 0, 1);
	assert_int_equal(trigger_wait_spawn(fd, 5, argv, 1, 2000000000ull, &r), -ENOENT);
	assert_int_equal(r.pid, 0);
	close(c);
	close(fd);
}

static void test_echo(void **state)
{
	char *argv[] = { "true", NULL };
	struct trigger_result r;
	struct trigger_msg m = { 0 };
	uint8_t buf[64];
	uint16_t port = 0;
	int fd = trigger_open(LOOPBACK, &port), c, status;
	ssize_t n;

	(void)state;
	c = client(port);
	send_msg(c, TRIGGER_ECHO, 9, 1, 111);
	send_msg(c, TRIGGER_ECHO, 9, 2, 222);
	send_msg(c, TRIGGER_START, 9, 0, 333);
	assert_int_equal(trigger_wait_spawn(fd, 9, argv, 1, 2000000000ull, &r), 0);
	assert_int_equal(r.echoes, 2);
	assert_int_equal(waitpid(r.pid, &status, 0), r.pid);
	for (uint32_t seq = 1; seq <= 2; seq++) {
		n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
		assert_int_equal(n, TRIGGER_MSG_LEN);
		assert_int_equal(trigger_msg_get(buf, (size_t)n, &m), 0);
		assert_int_equal(m.type, TRIGGER_ECHO_REPLY);
		assert_true(m.nonce == 9 && m.seq == seq && m.tx_tsc == 111ull * seq);
	}
	/* The responder alone answers ECHO and nothing else. */
	send_msg(c, TRIGGER_ECHO, 10, 3, 444);
	send_msg(c, TRIGGER_START, 10, 0, 555);
	assert_int_equal(trigger_echo_serve(fd, 100000000ull), 1);
	n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, TRIGGER_MSG_LEN);
	assert_int_equal(trigger_msg_get(buf, (size_t)n, &m), 0);
	assert_true(m.type == TRIGGER_ECHO_REPLY && m.seq == 3);
	assert_int_equal(recv(c, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(c);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),	   cmocka_unit_test(test_nonce_mismatch_and_timeout),
		cmocka_unit_test(test_spawn),	   cmocka_unit_test(test_spawn_fails),
		cmocka_unit_test(test_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
