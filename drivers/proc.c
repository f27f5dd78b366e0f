/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

static int proc_avoid = -1; /* the worker's CPU, -1: none */
static int proc_narrow;	    /* the control thread's mask contains it */

void proc_avoid_cpu(int cpu)
{
	cpu_set_t set;

	proc_avoid = cpu;
	proc_narrow = cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof(set), &set) == 0 &&
		      CPU_ISSET(cpu, &set) && CPU_COUNT(&set) > 1;
}

int proc_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	cpu_set_t old, narrow;
	int rc, narrowed = 0;

	if (proc_narrow && sched_getaffinity(0, sizeof(old), &old) == 0 && CPU_ISSET(proc_avoid, &old)) {
		narrow = old;
		CPU_CLR(proc_avoid, &narrow);
		narrowed = CPU_COUNT(&narrow) > 0 && sched_setaffinity(0, sizeof(narrow), &narrow) == 0;
	}
	rc = posix_spawnp(pid, file, fa, attr, argv, envp);
	if (narrowed)
		sched_setaffinity(0, sizeof(old), &old);
	return rc;
}

static int proc_spawn(char *const argv[], int quiet, const char *log, pid_t *pid)
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
	} else if (log) {
		posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
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
	rc = proc_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -rc;
}

int proc_start(char *const argv[], int quiet, pid_t *pid)
{
	return proc_spawn(argv, quiet, NULL, pid);
}

int proc_start_log(char *const argv[], const char *log, pid_t *pid)
{
	return proc_spawn(argv, 0, log, pid);
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

int proc_output(char *const argv[], char *buf, size_t len, uint64_t timeout_ns)
{
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	int fds[2], status, rc;
	ssize_t n;
	pid_t pid;

	if (len == 0 || pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = -proc_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return rc;
	}
	/* Small outputs (an id, a PID): read to EOF, then reap. */
	while (got < len - 1 && (n = read(fds[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	buf[got] = 0;
	while (got && buf[got - 1] == '\n')
		buf[--got] = 0;
	rc = proc_wait(pid, timeout_ns, &status);
	if (rc == -ETIMEDOUT)
		rc = proc_stop(pid, 1000000000u, &status);
	if (rc)
		return rc;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_reap_orphans(pid_t keep)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[64], buf[512], *p, state;
		int pid = atoi(e->d_name), ppid;
		FILE *f;

		if (pid <= 1 || pid == keep)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == self && state == 'Z' &&
		    waitpid(pid, NULL, WNOHANG) == pid)
			n++;
	}
	closedir(d);
	return n;
}
