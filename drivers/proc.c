/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "proc.h"

extern char **environ;

int proc_start(char *const argv[], int quiet, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	/* The child starts with default signal handling and nothing blocked,
	 * whatever lvperf itself does with SIGINT/SIGTERM. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -rc;
}

static void proc_nap(void)
{
	struct timespec ts = { 0, 200 * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t proc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int proc_wait(pid_t pid, uint64_t timeout_ns, int *status)
{
	uint64_t end = proc_now_ns() + timeout_ns;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (proc_now_ns() >= end)
			return -ETIMEDOUT;
		proc_nap();
	}
}

int proc_stop(pid_t pid, uint64_t grace_ns, int *status)
{
	int rc;

	if (kill(pid, SIGTERM) != 0 && errno != ESRCH)
		return -errno;
	rc = proc_wait(pid, grace_ns, status);
	if (rc != -ETIMEDOUT)
		return rc;
	kill(pid, SIGKILL);
	return proc_wait(pid, 10ull * 1000000000u, status);
}

int proc_run(char *const argv[], int quiet, uint64_t timeout_ns)
{
	pid_t pid;
	int status, rc = proc_start(argv, quiet, &pid);

	if (rc)
		return rc;
	rc = proc_wait(pid, timeout_ns, &status);
	if (rc == -ETIMEDOUT)
		rc = proc_stop(pid, 1000000000u, &status);
	if (rc)
		return rc;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}
