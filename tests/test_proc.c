/* SPDX-License-Identifier: BSD-3-Clause
 * lib/proc.c: what every spawn guarantees (issue 17): proc_output's
 * timeout holds while it reads, the child inherits no descriptor above 2
 * and no blocked or ignored signal. Runs real commands (sh, test, cat).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <cmocka.h>

#include "proc.h"

#define MS 1000000ull
#define SEC 1000000000ull

/* A descriptor number nothing else in the test uses. */
#define LEAK_FD 57

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* A child that prints its PID and then sleeps for ever with stdout (the
 * pipe) open: proc_output returns -ETIMEDOUT within the bound, and the
 * child is gone and reaped (kill(pid, 0) would succeed on a zombie). */
static void test_output_times_out_while_reading(void **state)
{
	char *argv[] = { "sh", "-c", "echo $$; exec sleep 1000", NULL };
	char buf[64];
	uint64_t t0 = now_ns(), took;
	int rc, status;
	pid_t pid;

	(void)state;
	rc = proc_output(argv, buf, sizeof(buf), 300 * MS);
	took = now_ns() - t0;
	assert_int_equal(rc, -ETIMEDOUT);
	assert_true(took >= 300 * MS);
	assert_true(took < 300 * MS + 5 * SEC);
	pid = (pid_t)atoi(buf);
	assert_true(pid > 1);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(waitpid(pid, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* The command exits at once but leaves a process holding the pipe (a
 * daemonizing CLI): the read still ends at the deadline, not at that
 * process's exit 5 s later. We are its subreaper, so it is ours to reap. */
static void test_output_times_out_on_a_leftover_writer(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 5 & echo $!", NULL };
	char buf[64];
	uint64_t t0 = now_ns(), took;
	pid_t left;
	int rc;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	rc = proc_output(argv, buf, sizeof(buf), 300 * MS);
	took = now_ns() - t0;
	left = (pid_t)atoi(buf);
	assert_true(left > 1);
	kill(left, SIGKILL);
	assert_int_equal(waitpid(left, NULL, 0), left);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_true(took < 300 * MS + 3 * SEC);
}

/* The ordinary case still works: output collected, status returned, and
 * output longer than buf is drained (the child does not block on a full
 * pipe) and cut. */
static void test_output_collects(void **state)
{
	char *echo[] = { "sh", "-c", "echo hello; exit 3", NULL };
	char *big[] = { "sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo 0123456789abcdef; i=$((i+1)); done", NULL };
	char buf[16];

	(void)state;
	assert_int_equal(proc_output(echo, buf, sizeof(buf), 10 * SEC), 3);
	assert_string_equal(buf, "hello");
	assert_int_equal(proc_output(big, buf, sizeof(buf), 20 * SEC), 0);
	assert_string_equal(buf, "0123456789abcde");
}

/* An fd lvperf opened without O_CLOEXEC is not open in any child. */
static void test_no_inherited_fd(void **state)
{
	char *probe[] = { "test", "-e", "/proc/self/fd/57", NULL };
	char *stdout_probe[] = { "test", "-e", "/proc/self/fd/1", NULL };
	char buf[8];
	int fd, status;
	pid_t pid;

	(void)state;
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, LEAK_FD), LEAK_FD);
	close(fd);
	assert_int_equal(fcntl(LEAK_FD, F_GETFD) & FD_CLOEXEC, 0);
	/* The probe can see a descriptor: its own stdout. */
	assert_int_equal(proc_run(stdout_probe, 1, 10 * SEC), 0);
	assert_int_equal(proc_run(probe, 1, 10 * SEC), 1);
	assert_int_equal(proc_output(probe, buf, sizeof(buf), 10 * SEC), 1);
	assert_int_equal(proc_spawn_io(probe, NULL, &pid), 0);
	assert_int_equal(proc_wait(pid, 10 * SEC, &status), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	close(LEAK_FD);
}

/* The mask (SigBlk) or ignored set (SigIgn) line of a /proc/PID/status
 * text, as a bit set (bit n-1: signal n). */
static uint64_t sig_line(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	assert_non_null(p);
	return strtoull(p + strlen(key), NULL, 16);
}

/* SIGTERM blocked and SIGHUP ignored in lvperf: neither in the child. */
static void test_signals_reset(void **state)
{
	char *cat[] = { "cat", "/proc/self/status", NULL };
	char buf[4096], self[4096];
	sigset_t term, old;
	size_t n;
	FILE *f;

	(void)state;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old), 0);
	signal(SIGHUP, SIG_IGN);
	f = fopen("/proc/self/status", "r");
	assert_non_null(f);
	n = fread(self, 1, sizeof(self) - 1, f);
	fclose(f);
	self[n] = 0;
	/* They are in our own status, so the check below can fail. */
	assert_true(sig_line(self, "SigBlk:") & (1ull << (SIGTERM - 1)));
	assert_true(sig_line(self, "SigIgn:") & (1ull << (SIGHUP - 1)));

	assert_int_equal(proc_output(cat, buf, sizeof(buf), 10 * SEC), 0);
	assert_int_equal(sig_line(buf, "SigBlk:") & (1ull << (SIGTERM - 1)), 0);
	assert_int_equal(sig_line(buf, "SigIgn:") & (1ull << (SIGHUP - 1)), 0);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* dir/out holds "dir\noops\n" (pwd, then stderr sent where stdout
 * goes); dir and the file are removed. */
static void check_pwd_oops(const char *dir)
{
	char path[64], text[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/out", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	snprintf(path, sizeof(path), "%s\noops\n", dir);
	assert_string_equal(text, path);
	snprintf(path, sizeof(path), "%s/out", dir);
	unlink(path);
	rmdir(dir);
}

/* proc_io: stdout to a file, stderr where stdout goes, in a directory. */
static void test_spawn_io_files(void **state)
{
	char dir[] = "/tmp/lvptestprocXXXXXX";
	char *argv[] = { "sh", "-c", "pwd; echo oops >&2", NULL };
	struct proc_io io = { .dir = dir, .in = "/dev/null", .out = "out", .err = PROC_IO_STDOUT };
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(proc_spawn_io(argv, &io, &pid), 0);
	assert_int_equal(proc_wait(pid, 10 * SEC, &status), 0);
	assert_int_equal(status, 0);
	check_pwd_oops(dir);
	/* A program that does not exist: -ENOENT, nothing to reap. */
	argv[0] = "lvp-no-such-program";
	assert_int_equal(proc_spawn_io(argv, NULL, &pid), -ENOENT);
}

/* PID written to path by a child, 0 until it is there. */
static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* Wait up to 5 s for pid to stop running (a zombie of ours counts as gone,
 * and is reaped); 1 when it did. */
static int gone_within_5s(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A SIGKILLed lvperf takes its proc_run and proc_output commands with it
 * (PR_SET_PDEATHSIG): the stand-in for lvperf, forked here, runs a long
 * command and is killed -9 while it waits; the command must go too. */
static void test_helper_dies_with_lvperf(void **state)
{
	char dir[] = "/tmp/lvptestprocXXXXXX", path[64], script[256];
	char *argv[] = { "sh", "-c", script, NULL };
	pid_t lv, cmd = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(script, sizeof(script), "echo $$ >%s.t && mv %s.t %s && exec sleep 1000", path, path, path);
	for (int use_output = 0; use_output < 2; use_output++) {
		unlink(path);
		lv = fork();
		assert_true(lv >= 0);
		if (lv == 0) {
			char buf[16];

			_exit(use_output ? proc_output(argv, buf, sizeof(buf), 600 * SEC)
					 : proc_run(argv, 1, 600 * SEC));
		}
		for (int i = 0; i < 1000 && !(cmd = read_pid(path)); i++)
			usleep(10000);
		assert_true(cmd > 1);
		assert_true(proc_alive(cmd)); /* the check below can fail */
		kill(lv, SIGKILL);
		assert_int_equal(waitpid(lv, NULL, 0), lv);
		if (!gone_within_5s(cmd)) {
			kill(cmd, SIGKILL);
			waitpid(cmd, NULL, 0);
			unlink(path);
			rmdir(dir);
			fail_msg("%s's command %d outlived the SIGKILLed caller", use_output ? "proc_output" : "proc_run",
				 (int)cmd);
		}
	}
	unlink(path);
	rmdir(dir);
}

/* proc_start's daemons are not tied to the thread that started them
 * (the ledger and cleanup handle them): started from a thread that then
 * exits, one still runs. */
static void *start_daemon(void *arg)
{
	char *argv[] = { "sleep", "1000", NULL };

	assert_int_equal(proc_start(argv, 1, arg), 0);
	return NULL;
}

static void test_daemon_outlives_its_thread(void **state)
{
	pthread_t t;
	pid_t pid = 0;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, start_daemon, &pid), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(pid > 1);
	usleep(200000);
	assert_true(proc_alive(pid));
	assert_int_equal(proc_stop(pid, SEC, NULL), 0);
}

/* The fork path (proc_io.pdeathsig) keeps proc_spawn_io's contract. */
static void test_fork_path_io(void **state)
{
	char dir[] = "/tmp/lvptestprocXXXXXX";
	char *argv[] = { "sh", "-c", "pwd; echo oops >&2; test ! -e /proc/self/fd/57", NULL };
	struct proc_io io = { .dir = dir, .in = "/dev/null", .out = "out", .err = PROC_IO_STDOUT, .pdeathsig = 1 };
	int status, fd;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, LEAK_FD), LEAK_FD);
	close(fd);
	assert_int_equal(proc_spawn_io(argv, &io, &pid), 0);
	assert_int_equal(proc_wait(pid, 10 * SEC, &status), 0);
	close(LEAK_FD);
	assert_int_equal(status, 0);
	check_pwd_oops(dir);
	argv[0] = "lvp-no-such-program";
	assert_int_equal(proc_spawn_io(argv, &io, &pid), -ENOENT);
	io.dir = "/nonexistent/lvp";
	argv[0] = "true";
	assert_int_equal(proc_spawn_io(argv, &io, &pid), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_times_out_while_reading),
		cmocka_unit_test(test_output_times_out_on_a_leftover_writer),
		cmocka_unit_test(test_output_collects),
		cmocka_unit_test(test_no_inherited_fd),
		cmocka_unit_test(test_signals_reset),
		cmocka_unit_test(test_spawn_io_files),
		cmocka_unit_test(test_helper_dies_with_lvperf),
		cmocka_unit_test(test_daemon_outlives_its_thread),
		cmocka_unit_test(test_fork_path_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
